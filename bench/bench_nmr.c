// SPDX-License-Identifier: GPL-2.0
/* nmr_bench's NMR side: its NPIs, minimal callbacks, the bind/unbind cycle, many providers. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"

/*
 * Every NMR callback below runs on the insmod thread (the NMR calls attach,
 * detach and cleanup inline when nothing is pending), so their counters are
 * plain.
 */

const struct nmr_module_id bench_module_id = {
	.length = sizeof(struct nmr_module_id),
	.type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x6e6d7262, 0x656e, 0x6368,
			  0x6d, 0x6f, 0x64, 0x75, 0x6c, 0x65, 0x00, 0x01),
};

static u64 bench_call(void *ctx, u64 x)
{
	return x + 1;
}

const struct bench_dispatch bench_dispatch = {
	.call = bench_call,
};

/* The minimal client: accept every provider, detach and clean up at once. */
static int bench_attach_provider(struct nmr_binding *binding, void *client_ctx,
				 const struct nmr_registration_instance *provider)
{
	struct bench_npi *n = client_ctx;
	const void *pdisp;
	void *pctx;
	int ret;

	ret = nmr_client_attach_provider(binding, n, &bench_dispatch, &pctx, &pdisp);
	if (ret)
		return ret;
	n->attached++;
	return 0;
}

static int bench_detach_provider(void *client_binding_ctx)
{
	struct bench_npi *n = client_binding_ctx;

	n->detached++;
	return 0;
}

static void bench_client_cleanup(void *client_binding_ctx)
{
	struct bench_npi *n = client_binding_ctx;

	n->cleaned++;
}

/* The minimal provider: accept every client. */
static int bench_attach_client(struct nmr_binding *binding, void *provider_ctx,
			       const struct nmr_registration_instance *client,
			       void *client_binding_ctx, const void *client_dispatch,
			       void **provider_binding_ctx, const void **provider_dispatch)
{
	*provider_binding_ctx = provider_ctx;
	*provider_dispatch = &bench_dispatch;
	return 0;
}

static int bench_detach_client(void *provider_binding_ctx)
{
	return 0;
}

static void bench_provider_cleanup(void *provider_binding_ctx)
{
}

void bench_npi_init(struct bench_npi *n, u32 tag)
{
	memset(n, 0, sizeof(*n));
	n->id = GUID_INIT(0x6e6d7262, 0x656e, 0x6368, 0x6e, 0x70, 0x69, 0x00,
			  tag >> 24, tag >> 16, tag >> 8, tag);
	n->cc.length = sizeof(n->cc);
	n->cc.attach_provider = bench_attach_provider;
	n->cc.detach_provider = bench_detach_provider;
	n->cc.cleanup_binding_context = bench_client_cleanup;
	n->cc.registration.npi_id = &n->id;
	n->cc.registration.module_id = &bench_module_id;
	n->pc.length = sizeof(n->pc);
	n->pc.attach_client = bench_attach_client;
	n->pc.detach_client = bench_detach_client;
	n->pc.cleanup_binding_context = bench_provider_cleanup;
	n->pc.registration.npi_id = &n->id;
	n->pc.registration.module_id = &bench_module_id;
}

/*
 * The cycle of rows 1 and 2: register a client, which binds to the NPI's
 * provider if there is one (both attach callbacks run inside the register
 * call), deregister it (both detach callbacks and both cleanups run inside),
 * wait.
 */
int bench_nmr_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_npi *n = arg;
	struct nmr_client *c;
	u64 i, t0;
	int ret;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = nmr_register_client(&n->cc, n, &c);
		if (ret)
			return ret;
		ret = bench_client_gone(c);
		if (ret)
			return ret;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* The same cycle, each of its three calls timed on its own (sub[0..2]). */
int bench_nmr_phases(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_npi *n = arg;
	struct nmr_client *c;
	u64 i, t0, t1, t2, t3, start;
	int ret;

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		t0 = ktime_get_ns();
		ret = nmr_register_client(&n->cc, n, &c);
		if (ret)
			return ret;
		t1 = ktime_get_ns();
		ret = nmr_deregister_client(c);
		if (ret != -EINPROGRESS)
			return ret ?: -EPROTO;
		t2 = ktime_get_ns();
		ret = nmr_wait_for_client_deregister_complete(c);
		if (ret)
			return ret;
		t3 = ktime_get_ns();
		sub[0] += t1 - t0;
		sub[1] += t2 - t1;
		sub[2] += t3 - t2;
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

/* ---- many providers, each of an NPI of its own (rows 2 and 5) ---- */

u64 bench_mem_peak_kib;

u64 bench_mem_total_kib(void)
{
	struct sysinfo si;

	si_meminfo(&si);
	return (u64)si.totalram * (PAGE_SIZE / 1024);
}

u64 bench_mem_used_kib(void)
{
	long avail = si_mem_available();
	u64 total = bench_mem_total_kib(), used;

	used = total - min_t(u64, total, max(avail, 0L) * (PAGE_SIZE / 1024));
	bench_mem_peak_kib = max(bench_mem_peak_kib, used);
	return used;
}

int bench_many_alloc(struct bench_many *m, unsigned int n, u32 tag)
{
	unsigned int i;

	m->n = n;
	m->registered = 0;
	m->npis = kvcalloc(n, sizeof(*m->npis), GFP_KERNEL);
	m->h = kvcalloc(n, sizeof(*m->h), GFP_KERNEL);
	if (!m->npis || !m->h) {
		kvfree(m->npis);
		kvfree(m->h);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		bench_npi_init(&m->npis[i], tag + i);
	return 0;
}

/* Register the next @count of them. */
int bench_many_register(struct bench_many *m, unsigned int count)
{
	unsigned int end = min(m->n, m->registered + count);
	int ret;

	while (m->registered < end) {
		struct bench_npi *n = &m->npis[m->registered];

		ret = nmr_register_provider(&n->pc, n, &m->h[m->registered]);
		if (ret)
			return ret;
		m->registered++;
		cond_resched();
	}
	return 0;
}

/* Deregister all of them, newest first. */
int bench_many_deregister(struct bench_many *m)
{
	int ret = 0, r;

	while (m->registered) {
		r = bench_provider_gone(m->h[--m->registered]);
		ret = ret ?: r;
		cond_resched();
	}
	return ret;
}

int bench_many_free(struct bench_many *m)
{
	int ret = bench_many_deregister(m);

	kvfree(m->npis);
	kvfree(m->h);
	m->npis = NULL;
	m->h = NULL;
	return ret;
}
