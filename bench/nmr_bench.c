// SPDX-License-Identifier: GPL-2.0
/* nmr_bench: what binding through the NMR costs beside the kernel's own frameworks, one boot. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/auxiliary_bus.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/jhash.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <nmr/nmr.h>
#include <nmr/nmr_rundown.h>
#include "nmr_compat.h"

#if IS_ENABLED(CONFIG_X86) && IS_ENABLED(CONFIG_UNWINDER_ORC)
#include <asm/irq_regs.h>
#include <asm/unwind.h>
#define BENCH_HAVE_PROFILE 1
#else
#define BENCH_HAVE_PROFILE 0
#endif

NMR_IMPORT_NS();

/*
 * The rows (docs/PERFORMANCE.md explains each, with a full run):
 *  1    a bind/unbind cycle: nmr, the auxiliary bus, a notifier chain;
 *  1.1  the nmr cycle taken apart: its three calls, and variants of it;
 *  1.2  the kernel primitives the NMR core is made of;
 *  1.3  a sampled profile of the nmr cycle (x86 with the ORC unwinder);
 *  2    the nmr cycle with 10 000 registrations of other NPIs;
 *  3    deregistering a provider with K bindings, per binding;
 *  4    calls through a binding: bare, nmr_rundown, an atomic counter;
 *  5    slab memory per registration, binding and auxiliary device.
 *
 * How it works. Everything runs at module init, on the insmod thread, and
 * the table is printed at the end, so that printing never slows a
 * measurement. A measurement ("case") is a function that does some work
 * @iters times and says how long that took (ktime_get_ns() around the loop).
 * Each case is first calibrated (the iteration count doubles until the loop
 * takes an eighth of rep_ms, then is scaled to rep_ms), then the cases of a
 * row run @reps times, interleaved (A B C A B C ...), so that a slow drift of
 * the machine (QEMU's host, RCU backlogs) touches all of them alike. A row
 * reports the median of its repetitions and the spread: the largest distance
 * of a repetition from the median, relative to it. Ratios are ratios of
 * medians. Every NMR callback below runs on the insmod thread (the NMR calls
 * attach, detach and cleanup inline when nothing is pending), so their
 * counters are plain.
 */

static unsigned int reps = 7;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of every measurement (3..31)");

static unsigned int rep_ms = 50;
module_param(rep_ms, uint, 0444);
MODULE_PARM_DESC(rep_ms, "target duration of one repetition of a timed loop, in ms");

static unsigned int dispatch_ms = 100;
module_param(dispatch_ms, uint, 0444);
MODULE_PARM_DESC(dispatch_ms, "duration of one repetition of a dispatch row, in ms");

static unsigned int unrelated = 10000;
module_param(unrelated, uint, 0444);
MODULE_PARM_DESC(unrelated, "providers of other NPIs registered for row 2");

static unsigned int fanout_bindings = 2000;
module_param(fanout_bindings, uint, 0444);
MODULE_PARM_DESC(fanout_bindings, "bindings torn down per repetition of row 3 (at least 1000)");

static unsigned int mem_objects = 10000;
module_param(mem_objects, uint, 0444);
MODULE_PARM_DESC(mem_objects, "registrations or bindings per batch of row 5");

static unsigned int mem_aux = 1000;
module_param(mem_aux, uint, 0444);
MODULE_PARM_DESC(mem_aux, "auxiliary devices per batch of row 5");

static unsigned int profile_ms = 1000;
module_param(profile_ms, uint, 0444);
MODULE_PARM_DESC(profile_ms, "sample the nmr cycle's stacks for this long (x86; 0 = off)");

#define BENCH_MAX_REPS	31
#define BENCH_MAX_SUB	3

/* One value per repetition, in thousandths of the row's unit. */
struct bench_stat {
	unsigned int n;
	u64 v[BENCH_MAX_REPS];
};

/**
 * struct bench_case - one timed loop
 * @fn: runs @iters iterations; returns 0 or -errno and the elapsed time in
 *	*@ns; may time up to %BENCH_MAX_SUB parts of the iteration in @sub
 * @arg: passed to @fn
 * @iters: iterations per repetition, from calibration
 * @st: picoseconds per iteration, one value per repetition
 * @sub: the same for each part @fn timed
 */
struct bench_case {
	int (*fn)(void *arg, u64 iters, u64 *ns, u64 *sub);
	void *arg;
	u64 iters;
	struct bench_stat st;
	struct bench_stat sub[BENCH_MAX_SUB];
};

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 bench_median(const struct bench_stat *s)
{
	u64 v[BENCH_MAX_REPS];

	if (!s->n)
		return 0;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	sort(v, s->n, sizeof(v[0]), bench_cmp_u64, NULL);
	return s->n & 1 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

/* The largest distance of a repetition from the median, in tenths of a percent. */
static u64 bench_spread(const struct bench_stat *s)
{
	u64 med = bench_median(s), d = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++)
		d = max(d, s->v[i] > med ? s->v[i] - med : med - s->v[i]);
	return med ? div64_u64(d * 1000, med) : 0;
}

static void bench_add(struct bench_stat *s, u64 v)
{
	if (s->n < BENCH_MAX_REPS)
		s->v[s->n++] = v;
}

/* Calibrate one case: about rep_ms per repetition. */
static int bench_calibrate(struct bench_case *c)
{
	u64 target = (u64)rep_ms * NSEC_PER_MSEC, iters = 1, ns, sub[BENCH_MAX_SUB];
	int ret;

	for (;;) {
		ret = c->fn(c->arg, iters, &ns, sub);
		if (ret)
			return ret;
		if (ns >= target / 8 || iters >= (1ULL << 32))
			break;
		iters *= 2;
		cond_resched();
	}
	c->iters = max_t(u64, 1, div64_u64(iters * target, max_t(u64, ns, 1)));
	return 0;
}

/* One repetition of a calibrated case, recorded. */
static int bench_once(struct bench_case *c)
{
	u64 ns, sub[BENCH_MAX_SUB] = { };
	unsigned int j;
	int ret;

	ret = c->fn(c->arg, c->iters, &ns, sub);
	if (ret)
		return ret;
	bench_add(&c->st, div64_u64(ns * 1000, c->iters));
	for (j = 0; j < BENCH_MAX_SUB; j++)
		bench_add(&c->sub[j], div64_u64(sub[j] * 1000, c->iters));
	cond_resched();
	return 0;
}

/* Calibrate every case, then run them @reps times, interleaved. */
static int bench_run(struct bench_case *cases, unsigned int n)
{
	unsigned int r, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = bench_calibrate(&cases[i]);
		if (ret)
			return ret;
	}
	for (r = 0; r < reps; r++) {
		for (i = 0; i < n; i++) {
			ret = bench_once(&cases[i]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- the NMR side: one NPI, its callbacks and their counters ---- */

static const struct nmr_module_id bench_module_id = {
	.length = sizeof(struct nmr_module_id),
	.type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x6e6d7262, 0x656e, 0x6368,
			  0x6d, 0x6f, 0x64, 0x75, 0x6c, 0x65, 0x00, 0x01),
};

/* The dispatch table both sides hand over; row 4 calls through it. */
struct bench_dispatch {
	u64 (*call)(void *ctx, u64 x);
};

static u64 bench_call(void *ctx, u64 x)
{
	return x + 1;
}

static const struct bench_dispatch bench_dispatch = {
	.call = bench_call,
};

/**
 * struct bench_npi - an NPI, a client and a provider of it, and what their callbacks saw
 * @id: the NPI
 * @cc: the client characteristics (any number of registrations share them)
 * @pc: the provider characteristics
 * @attached: client attach_provider calls that bound
 * @detached: client detach_provider calls
 * @cleaned: client cleanup_binding_context calls
 */
struct bench_npi {
	guid_t id;
	struct nmr_client_characteristics cc;
	struct nmr_provider_characteristics pc;
	unsigned long attached;
	unsigned long detached;
	unsigned long cleaned;
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

/* NPI tags: the last four bytes of the NPI GUID. */
enum {
	BENCH_NPI_CYCLE = 1,		/* rows 1 and 2 */
	BENCH_NPI_FANOUT,		/* row 3 */
	BENCH_NPI_SHARED,		/* row 1 breakdown: no provider, NPI kept by a client */
	BENCH_NPI_FRESH,		/* row 1 breakdown: no provider, NPI made and freed */
	BENCH_NPI_MEM_SHARED,		/* row 5: clients of one NPI, no provider */
	BENCH_NPI_MEM_BOUND,		/* row 5: clients of one NPI with a provider */
	BENCH_NPI_UNRELATED = 0x10000000,	/* row 2: + i */
	BENCH_NPI_MEM_OWN = 0x20000000,		/* row 5: + i */
};

static void bench_npi_init(struct bench_npi *n, u32 tag)
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

/* Deregister and wait; the bench's callbacks never pend, so the wait returns at once. */
static int bench_client_gone(struct nmr_client *c)
{
	int ret = nmr_deregister_client(c);

	if (ret != -EINPROGRESS)
		return ret ?: -EPROTO;
	return nmr_wait_for_client_deregister_complete(c);
}

static int bench_provider_gone(struct nmr_provider *p)
{
	int ret = nmr_deregister_provider(p);

	if (ret != -EINPROGRESS)
		return ret ?: -EPROTO;
	return nmr_wait_for_provider_deregister_complete(p);
}

/*
 * Row 1: register a client, which binds to the NPI's provider if there is one
 * (both attach callbacks run inside the register call), deregister it (both
 * detach callbacks and both cleanups run inside), wait.
 */
static int bench_nmr_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
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
static int bench_nmr_phases(void *arg, u64 iters, u64 *ns, u64 *sub)
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

/* ---- the auxiliary bus side ---- */

#if IS_ENABLED(CONFIG_AUXILIARY_BUS)
#define BENCH_HAVE_AUX 1

static unsigned long bench_aux_probed, bench_aux_removed;
static u32 bench_aux_next_id;
static struct device *bench_root;

static int bench_aux_probe(struct auxiliary_device *adev, const struct auxiliary_device_id *id)
{
	bench_aux_probed++;
	return 0;
}

static void bench_aux_remove(struct auxiliary_device *adev)
{
	bench_aux_removed++;
}

static const struct auxiliary_device_id bench_aux_ids[] = {
	{ .name = KBUILD_MODNAME ".cycle" },
	{ }
};

static struct auxiliary_driver bench_aux_driver = {
	.name = "drv",
	.probe = bench_aux_probe,
	.remove = bench_aux_remove,
	.id_table = bench_aux_ids,
};

static void bench_aux_release(struct device *dev)
{
	kfree(to_auxiliary_dev(dev));
}

/* Add an auxiliary device "nmr_bench.cycle.<id>": the driver binds during the add. */
static struct auxiliary_device *bench_aux_add(void)
{
	struct auxiliary_device *adev;
	int ret;

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return ERR_PTR(-ENOMEM);
	adev->name = "cycle";
	adev->id = bench_aux_next_id++;
	adev->dev.parent = bench_root;
	adev->dev.release = bench_aux_release;
	ret = auxiliary_device_init(adev);
	if (ret) {
		kfree(adev);
		return ERR_PTR(ret);
	}
	ret = auxiliary_device_add(adev);
	if (ret) {
		auxiliary_device_uninit(adev);
		return ERR_PTR(ret);
	}
	return adev;
}

/* Delete it (the driver unbinds) and drop the last reference (it is freed). */
static void bench_aux_del(struct auxiliary_device *adev)
{
	auxiliary_device_delete(adev);
	auxiliary_device_uninit(adev);
}

static int bench_aux_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct auxiliary_device *adev;
	bool bound;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		adev = bench_aux_add();
		if (IS_ERR(adev))
			return PTR_ERR(adev);
		bound = adev->dev.driver;
		bench_aux_del(adev);
		if (!bound)
			return -ENODEV;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_aux_setup(void)
{
	int ret;

	bench_root = root_device_register(KBUILD_MODNAME);
	if (IS_ERR(bench_root))
		return PTR_ERR(bench_root);
	ret = auxiliary_driver_register(&bench_aux_driver);
	if (ret)
		root_device_unregister(bench_root);
	return ret;
}

static void bench_aux_teardown(void)
{
	auxiliary_driver_unregister(&bench_aux_driver);
	root_device_unregister(bench_root);
}
#else
#define BENCH_HAVE_AUX 0
static int bench_aux_setup(void)
{
	return 0;
}

static void bench_aux_teardown(void)
{
}
#endif

/* ---- the notifier chain: the floor of "registration" ---- */

static BLOCKING_NOTIFIER_HEAD(bench_chain);

static int bench_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	return NOTIFY_DONE;
}

static struct notifier_block bench_nb = {
	.notifier_call = bench_notify,
};

static int bench_notifier_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;
	int ret;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = blocking_notifier_chain_register(&bench_chain, &bench_nb);
		if (ret)
			return ret;
		ret = blocking_notifier_chain_unregister(&bench_chain, &bench_nb);
		if (ret)
			return ret;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* ---- primitives the NMR core is made of, timed in the same boot ---- */

static u64 bench_sink;
static DEFINE_MUTEX(bench_mutex);
static DEFINE_SPINLOCK(bench_spin);

static int bench_prim_ktime(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0, s = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++)
		s += ktime_get_ns();
	*ns = ktime_get_ns() - t0;
	WRITE_ONCE(bench_sink, s);
	return 0;
}

static int bench_prim_mutex(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		mutex_lock(&bench_mutex);
		mutex_unlock(&bench_mutex);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_spin_irqsave(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	unsigned long flags;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		spin_lock_irqsave(&bench_spin, flags);
		spin_unlock_irqrestore(&bench_spin, flags);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_rcu_read(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* kzalloc() + kfree() of (uintptr_t)@arg bytes. */
static int bench_prim_kzalloc(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	size_t size = (uintptr_t)arg;
	u64 i, t0;
	void *p;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = kzalloc(size, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree(p);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

struct bench_rcu_obj {
	struct rcu_head rcu;
	u8 data[512 - sizeof(struct rcu_head)];
};

static int bench_prim_kfree_rcu(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_rcu_obj *p;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = kzalloc(sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree_rcu(p, rcu);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_completion(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct completion done;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		init_completion(&done);
		complete_all(&done);
		if (!wait_for_completion_timeout(&done, 1))
			return -ETIMEDOUT;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* atomic_inc + full barrier + check + atomic_dec_and_test: the core's callback bracket. */
static int bench_prim_enter_exit(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	static atomic_t calls = ATOMIC_INIT(0);
	static bool gone;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		atomic_inc(&calls);
		smp_mb__after_atomic();	/* as in the core: orders the count before the check */
		if (READ_ONCE(gone))
			return -EPROTO;
		if (atomic_dec_and_test(&calls) && READ_ONCE(gone))
			return -EPROTO;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_jhash(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	guid_t id = bench_module_id.guid;
	u64 i, t0, s = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		id.b[0] = i;
		s += jhash(&id, sizeof(id), 0);
	}
	*ns = ktime_get_ns() - t0;
	WRITE_ONCE(bench_sink, s);
	return 0;
}

/* ---- row 2: many registrations of other NPIs ---- */

/* @n providers, each of an NPI of its own. */
struct bench_many {
	unsigned int n;
	unsigned int registered;
	struct bench_npi *npis;
	struct nmr_provider **h;
};

static int bench_many_alloc(struct bench_many *m, unsigned int n, u32 tag)
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
static int bench_many_register(struct bench_many *m, unsigned int count)
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
static int bench_many_deregister(struct bench_many *m)
{
	int ret = 0, r;

	while (m->registered) {
		r = bench_provider_gone(m->h[--m->registered]);
		ret = ret ?: r;
		cond_resched();
	}
	return ret;
}

static int bench_many_free(struct bench_many *m)
{
	int ret = bench_many_deregister(m);

	kvfree(m->npis);
	kvfree(m->h);
	m->npis = NULL;
	m->h = NULL;
	return ret;
}

/* ---- row 3: fan-out teardown ---- */

struct bench_fanout {
	struct bench_npi *n;
	unsigned int k;
	struct nmr_client **clients;
};

/*
 * One round: register a provider and f->k clients (untimed; each client
 * binds), deregister the provider and wait (timed: *@ns), deregister the
 * clients (untimed).
 */
static int bench_fanout_round(struct bench_fanout *f, u64 *ns)
{
	struct bench_npi *n = f->n;
	unsigned int i, bound;
	unsigned long detached;
	struct nmr_provider *p;
	int ret, r;
	u64 t0;

	ret = nmr_register_provider(&n->pc, n, &p);
	if (ret)
		return ret;
	for (bound = 0; bound < f->k; bound++) {
		ret = nmr_register_client(&n->cc, n, &f->clients[bound]);
		if (ret)
			break;
	}
	detached = n->detached;
	t0 = ktime_get_ns();
	r = bench_provider_gone(p);
	*ns = ktime_get_ns() - t0;
	ret = ret ?: r;
	if (!ret && n->detached - detached != f->k)
		ret = -EPROTO;	/* the provider's wait returned before its bindings went */
	for (i = 0; i < bound; i++) {
		r = bench_client_gone(f->clients[i]);
		ret = ret ?: r;
	}
	return ret;
}

/* @iters rounds; *@ns is the timed total divided by K: the time per binding. */
static int bench_fanout_fn(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_fanout *f = arg;
	u64 r, t, total = 0;
	int ret;

	for (r = 0; r < iters; r++) {
		ret = bench_fanout_round(f, &t);
		if (ret)
			return ret;
		total += t;
		cond_resched();
	}
	*ns = div_u64(total, f->k);
	return 0;
}

/* ---- row 4: calls through a binding, guarded or not ---- */

enum bench_guard {
	BENCH_BARE,		/* a bare indirect call through the dispatch table */
	BENCH_RUNDOWN,		/* bracketed by nmr_rundown_acquire/release (EXT-3) */
	BENCH_PLAIN,		/* plain percpu_ref_tryget_live() / percpu_ref_put() */
	BENCH_ATOMIC,		/* bracketed by an EX_RUNDOWN_REF-style atomic counter */
	BENCH_NR_GUARDS,
};

/**
 * struct bench_guarded - the caller's side of a binding, as an NMR user keeps it
 * @dispatch: the peer's dispatch table
 * @ctx: the peer's binding context
 * @rundown: the rundown helper, on a cache line of its own
 * @sref: a percpu_ref for the BENCH_PLAIN variant
 * @ex: the atomic design: references * 2, bit 0 set once draining
 * @ex_drained: completed by the release that drops the last reference while draining
 * @rundown_drained: completed by the rundown helper's drained callback
 * @sref_drained: completed by @sref's release function
 */
struct bench_guarded {
	const struct bench_dispatch *dispatch;
	void *ctx;
	struct nmr_rundown rundown ____cacheline_aligned;
	struct percpu_ref sref ____cacheline_aligned;
	atomic_long_t ex ____cacheline_aligned;
	struct completion ex_drained ____cacheline_aligned;
	struct completion rundown_drained;
	struct completion sref_drained;
};

/*
 * The rundown helper as it was first written, measured for comparison: plain
 * percpu_ref_tryget_live() and percpu_ref_put(), whose fast paths run under
 * rcu_read_lock() (two out-of-line calls each with PREEMPT_RCU). nmr_rundown
 * now runs the same per-CPU fast path with preemption disabled instead.
 */
static __always_inline bool bench_plain_acquire(struct percpu_ref *ref)
{
	return percpu_ref_tryget_live(ref);
}

static __always_inline void bench_plain_release(struct percpu_ref *ref)
{
	percpu_ref_put(ref);
}

static void bench_sref_release(struct percpu_ref *ref)
{
	complete(&container_of(ref, struct bench_guarded, sref)->sref_drained);
}

static __always_inline bool bench_ex_acquire(struct bench_guarded *g)
{
	long v = atomic_long_read(&g->ex);

	do {
		if (v & 1)
			return false;
	} while (!atomic_long_try_cmpxchg(&g->ex, &v, v + 2));
	return true;
}

static __always_inline void bench_ex_release(struct bench_guarded *g)
{
	if (atomic_long_sub_return(2, &g->ex) == 1)
		complete(&g->ex_drained);
}

/* @n calls each; every call adds one, so the result counts the calls made. */
static noinline u64 bench_burst_bare(struct bench_guarded *g, unsigned int n)
{
	const struct bench_dispatch *d;
	u64 acc = 0;

	while (n--) {
		d = READ_ONCE(g->dispatch);
		acc = d->call(g->ctx, acc);
	}
	return acc;
}

static noinline u64 bench_burst_rundown(struct bench_guarded *g, unsigned int n)
{
	const struct bench_dispatch *d;
	u64 acc = 0;

	while (n--) {
		if (unlikely(!nmr_rundown_acquire(&g->rundown)))
			break;
		d = READ_ONCE(g->dispatch);
		acc = d->call(g->ctx, acc);
		nmr_rundown_release(&g->rundown);
	}
	return acc;
}

static noinline u64 bench_burst_plain(struct bench_guarded *g, unsigned int n)
{
	const struct bench_dispatch *d;
	u64 acc = 0;

	while (n--) {
		if (unlikely(!bench_plain_acquire(&g->sref)))
			break;
		d = READ_ONCE(g->dispatch);
		acc = d->call(g->ctx, acc);
		bench_plain_release(&g->sref);
	}
	return acc;
}

static noinline u64 bench_burst_atomic(struct bench_guarded *g, unsigned int n)
{
	const struct bench_dispatch *d;
	u64 acc = 0;

	while (n--) {
		if (unlikely(!bench_ex_acquire(g)))
			break;
		d = READ_ONCE(g->dispatch);
		acc = d->call(g->ctx, acc);
		bench_ex_release(g);
	}
	return acc;
}

#define BENCH_BURST 256

struct bench_dispatch_run;

struct bench_worker {
	struct bench_dispatch_run *run;
	struct task_struct *task;
	u64 calls;
	u64 t0;
	u64 t1;
	int ret;
};

struct bench_dispatch_run {
	struct bench_guarded *g;
	enum bench_guard guard;
	bool stop;
	struct completion go;
	struct bench_worker w[];
};

static int bench_worker_fn(void *data)
{
	struct bench_worker *w = data;
	struct bench_dispatch_run *run = w->run;
	u64 calls = 0, got;

	if (!wait_for_completion_timeout(&run->go, 30 * HZ))
		return -ETIMEDOUT;
	w->t0 = ktime_get_ns();
	while (!READ_ONCE(run->stop)) {
		switch (run->guard) {
		case BENCH_BARE:
			got = bench_burst_bare(run->g, BENCH_BURST);
			break;
		case BENCH_RUNDOWN:
			got = bench_burst_rundown(run->g, BENCH_BURST);
			break;
		case BENCH_PLAIN:
			got = bench_burst_plain(run->g, BENCH_BURST);
			break;
		default:
			got = bench_burst_atomic(run->g, BENCH_BURST);
			break;
		}
		calls += got;
		if (got != BENCH_BURST) {
			w->ret = -EPROTO;	/* an acquire failed while armed */
			break;
		}
	}
	w->t1 = ktime_get_ns();
	w->calls = calls;
	return 0;
}

/*
 * One thread per CPU (or only on the first CPU), all released at once, each
 * calling through @g for dispatch_ms. *@calls: the calls of all threads;
 * *@span: from the first thread's start to the last one's end.
 */
static int bench_dispatch_once(struct bench_guarded *g, enum bench_guard guard, bool all,
			       u64 *calls, u64 *span)
{
	struct bench_dispatch_run *run;
	unsigned int cpu, nr = 0, i;
	u64 t0 = U64_MAX, t1 = 0;
	int ret = 0, r;

	run = kzalloc(struct_size(run, w, nr_cpu_ids), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->g = g;
	run->guard = guard;
	init_completion(&run->go);
	for_each_online_cpu(cpu) {
		struct bench_worker *w = &run->w[nr];
		struct task_struct *t;

		w->run = run;
		t = kthread_create_on_cpu(bench_worker_fn, w, cpu, "nmr_bench/%u");
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		get_task_struct(t);
		w->task = t;
		wake_up_process(t);
		nr++;
		if (!all)
			break;
	}
	complete_all(&run->go);
	if (!ret)
		msleep(dispatch_ms);
	WRITE_ONCE(run->stop, true);
	*calls = 0;
	for (i = 0; i < nr; i++) {
		struct bench_worker *w = &run->w[i];

		r = kthread_stop(w->task);	/* returns when the thread saw stop */
		put_task_struct(w->task);
		ret = ret ?: r ?: w->ret;
		*calls += w->calls;
		t0 = min(t0, w->t0);
		t1 = max(t1, w->t1);
	}
	kfree(run);
	*span = t1 > t0 ? t1 - t0 : 1;
	if (!ret && !*calls)
		ret = -EPROTO;
	return ret;
}

static void bench_rundown_drained(struct nmr_rundown *r)
{
	complete(&container_of(r, struct bench_guarded, rundown)->rundown_drained);
}

/* Every rundown must drain at once: every acquire of the runs was released. */
static int bench_guarded_drain(struct bench_guarded *g)
{
	int ret = 0;

	percpu_ref_kill(&g->sref);
	if (!wait_for_completion_timeout(&g->sref_drained, 10 * HZ))
		return -ETIMEDOUT;
	if (bench_plain_acquire(&g->sref))
		ret = -EPROTO;
	percpu_ref_exit(&g->sref);

	nmr_rundown_drain(&g->rundown, bench_rundown_drained);
	if (!wait_for_completion_timeout(&g->rundown_drained, 10 * HZ))
		return -ETIMEDOUT;	/* leak it: a release may still come */
	if (nmr_rundown_acquire(&g->rundown))
		ret = -EPROTO;
	nmr_rundown_exit(&g->rundown);
	if (!atomic_long_fetch_or(1, &g->ex))
		complete(&g->ex_drained);
	if (!wait_for_completion_timeout(&g->ex_drained, 10 * HZ))
		return -ETIMEDOUT;
	if (bench_ex_acquire(g))
		ret = -EPROTO;
	return ret;
}

/* ---- row 5: slab memory ---- */

/* Pages in slab caches now, exactly: the global counters plus every CPU's unfolded delta. */
static long bench_slab_pages(void)
{
	static const enum node_stat_item items[] = {
		NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
	};
	long pages = 0;
	unsigned int i;
	int nid, cpu;

	rcu_barrier();		/* call_rcu() frees */
	nmr_kvfree_rcu_barrier();	/* kfree_rcu() frees */
	for (i = 0; i < ARRAY_SIZE(items); i++) {
		pages += atomic_long_read(&vm_node_stat[items[i]]);
		for_each_online_node(nid)
			for_each_online_cpu(cpu)
				pages += per_cpu_ptr(NODE_DATA(nid)->per_cpu_nodestats,
						     cpu)->vm_node_stat_diff[items[i]];
	}
	return pages;
}

/* Bytes per object of the second of two batches of @n (the first absorbs free slab space). */
static long bench_mem_per(long before, long after, unsigned int n)
{
	return n ? (after - before) * (long)PAGE_SIZE / (long)n : 0;
}

struct bench_mem {
	long reg_own_npi;	/* a provider registration with an NPI of its own */
	long reg_shared_npi;	/* a client registration of an NPI others use, unbound */
	long reg_bound;		/* a client registration that bound to a provider */
	long aux_device;	/* a bound auxiliary device */
	bool aux;
};

/* Register 2 * mem_objects clients of @n; *@per: bytes per client of the second half. */
static int bench_mem_clients(struct bench_npi *n, long *per)
{
	unsigned int total = 2 * mem_objects, done = 0, i;
	struct nmr_client **h;
	long s1 = 0, s2 = 0;
	int ret = 0, r;

	h = kvcalloc(total, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	while (done < total) {
		if (done == mem_objects)
			s1 = bench_slab_pages();
		ret = nmr_register_client(&n->cc, n, &h[done]);
		if (ret)
			break;
		done++;
		cond_resched();
	}
	if (!ret) {
		s2 = bench_slab_pages();
		*per = bench_mem_per(s1, s2, mem_objects);
	}
	for (i = 0; i < done; i++) {
		r = bench_client_gone(h[i]);
		ret = ret ?: r;
		cond_resched();
	}
	kvfree(h);
	return ret;
}

static int bench_mem_run(struct bench_mem *m)
{
	struct bench_many many;
	struct bench_npi *n;
	struct nmr_provider *p;
	long s1, s2;
	int ret, r;

	ret = bench_many_alloc(&many, 2 * mem_objects, BENCH_NPI_MEM_OWN);
	if (ret)
		return ret;
	ret = bench_many_register(&many, mem_objects);
	s1 = bench_slab_pages();
	ret = ret ?: bench_many_register(&many, mem_objects);
	s2 = bench_slab_pages();
	m->reg_own_npi = bench_mem_per(s1, s2, mem_objects);
	r = bench_many_free(&many);
	ret = ret ?: r;
	if (ret)
		return ret;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	bench_npi_init(n, BENCH_NPI_MEM_SHARED);
	ret = bench_mem_clients(n, &m->reg_shared_npi);
	if (!ret) {
		bench_npi_init(n, BENCH_NPI_MEM_BOUND);
		ret = nmr_register_provider(&n->pc, n, &p);
		if (!ret) {
			ret = bench_mem_clients(n, &m->reg_bound);
			r = bench_provider_gone(p);
			ret = ret ?: r;
			if (!ret && n->attached != 2 * mem_objects)
				ret = -EPROTO;
		}
	}
	kfree(n);
	if (ret)
		return ret;

#if BENCH_HAVE_AUX
	{
		unsigned int total = 2 * mem_aux, done = 0, i;
		struct auxiliary_device **a;
		unsigned long probed = bench_aux_probed;

		a = kvcalloc(total, sizeof(*a), GFP_KERNEL);
		if (!a)
			return -ENOMEM;
		s1 = 0;
		while (done < total) {
			if (done == mem_aux)
				s1 = bench_slab_pages();
			a[done] = bench_aux_add();
			if (IS_ERR(a[done])) {
				ret = PTR_ERR(a[done]);
				break;
			}
			done++;
			cond_resched();
		}
		if (!ret) {
			s2 = bench_slab_pages();
			m->aux_device = bench_mem_per(s1, s2, mem_aux);
			m->aux = true;
			if (bench_aux_probed - probed != total)
				ret = -ENODEV;
		}
		for (i = 0; i < done; i++)
			bench_aux_del(a[i]);
		kvfree(a);
	}
#endif
	return ret;
}

/* ---- row 1.3: where the nmr cycle's time goes, by sampling ---- */

#define BENCH_PROF_DEPTH	20
#define BENCH_PROF_MAX		10000
#define BENCH_PROF_PERIOD_NS	100000
#define BENCH_PROF_SYMS		256
#define BENCH_PROF_TOP		10

/* A function and its samples. */
struct bench_sym {
	char name[56];
	unsigned int n;
};

/**
 * struct bench_prof - a poor man's perf: stacks of one task, sampled on its CPU
 * @timer: fires every %BENCH_PROF_PERIOD_NS on that CPU, in hard interrupt context
 * @task: the sampled task
 * @n: samples taken while @task ran in the kernel
 * @other: samples that found another task, or user mode
 * @ips: each sample's stack, innermost first, ended by 0
 * @self: samples by innermost function
 * @nmr: samples by nmr.ko function anywhere on the stack (inclusive)
 * @callee: samples by what the innermost nmr.ko function had called, or by
 *	the interrupt or softirq the sample found running
 * @pair: the same, as "nmr function > callee", for samples in task context
 */
struct bench_prof {
	struct hrtimer timer;
	struct task_struct *task;
	unsigned int n;
	unsigned int other;
	unsigned long ips[BENCH_PROF_MAX][BENCH_PROF_DEPTH];
	struct bench_sym self[BENCH_PROF_SYMS];
	struct bench_sym nmr[BENCH_PROF_SYMS];
	struct bench_sym callee[BENCH_PROF_SYMS];
	struct bench_sym pair[BENCH_PROF_SYMS];
};

#if BENCH_HAVE_PROFILE
static enum hrtimer_restart bench_prof_tick(struct hrtimer *t)
{
	struct bench_prof *p = container_of(t, struct bench_prof, timer);
	struct pt_regs *regs = get_irq_regs();
	struct unwind_state state;
	unsigned int d = 0;
	unsigned long *e;

	hrtimer_forward_now(t, ns_to_ktime(BENCH_PROF_PERIOD_NS));
	if (!regs || user_mode(regs) || current != p->task || p->n >= BENCH_PROF_MAX) {
		p->other++;
		return HRTIMER_RESTART;
	}
	e = p->ips[p->n++];
	e[d++] = instruction_pointer(regs);
	for (unwind_start(&state, current, regs, NULL);
	     !unwind_done(&state) && d < BENCH_PROF_DEPTH - 1; unwind_next_frame(&state)) {
		unsigned long addr = unwind_get_return_address(&state);

		if (!addr)
			break;
		e[d++] = addr;
	}
	e[d] = 0;
	return HRTIMER_RESTART;
}

/* Sample the cycle of row 1 on this CPU for profile_ms. */
static int bench_prof_run(struct bench_prof *p, struct bench_npi *cyc)
{
	u64 end, ns, sub[BENCH_MAX_SUB];
	int ret;

	ret = set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	if (ret)
		return ret;
	p->task = current;
	hrtimer_setup(&p->timer, bench_prof_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_start(&p->timer, ns_to_ktime(BENCH_PROF_PERIOD_NS), HRTIMER_MODE_REL_PINNED_HARD);
	end = ktime_get_ns() + (u64)profile_ms * NSEC_PER_MSEC;
	do {
		ret = bench_nmr_cycle(cyc, 64, &ns, sub);
	} while (!ret && ktime_get_ns() < end && READ_ONCE(p->n) < BENCH_PROF_MAX);
	hrtimer_cancel(&p->timer);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	return ret;
}
#else
static int bench_prof_run(struct bench_prof *p, struct bench_npi *cyc)
{
	return 0;
}
#endif

static void bench_sym_count(struct bench_sym *tab, const char *name)
{
	unsigned int i;

	for (i = 0; i < BENCH_PROF_SYMS && tab[i].n; i++) {
		if (!strcmp(tab[i].name, name)) {
			tab[i].n++;
			return;
		}
	}
	if (i < BENCH_PROF_SYMS) {
		strscpy(tab[i].name, name, sizeof(tab[i].name));
		tab[i].n = 1;
	}
}

static int bench_sym_cmp(const void *a, const void *b)
{
	const struct bench_sym *x = a, *y = b;

	return x->n > y->n ? -1 : x->n < y->n;
}

/* What a sample that interrupted the task was doing: the softirq work tells most. */
static const char *bench_prof_irq_kind(const char *name)
{
	if (strstr(name, "rcu_do_batch") || strstr(name, "rcu_core"))
		return "(softirq: RCU callbacks, the deferred frees)";
	if (strstr(name, "hrtimer_") || strstr(name, "tick_"))
		return "(interrupt: timers)";
	return NULL;
}

/*
 * Attribute every sample four ways: to its innermost function (self), to
 * each nmr.ko function on its stack (inclusive, once per sample), to what
 * the innermost nmr.ko function was calling at the time (a kernel service,
 * one of the bench's callbacks, or the nmr function itself), or, when the
 * sample found an interrupt or softirq running, to that; and to the pair of
 * the nmr function and its callee.
 */
static int bench_prof_digest(struct bench_prof *p)
{
	char *buf, *seen, *pair;
	unsigned int i, d;

	buf = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	pair = kmalloc(2 * KSYM_SYMBOL_LEN, GFP_KERNEL);
	seen = kmalloc_array(BENCH_PROF_DEPTH, sizeof(p->self[0].name), GFP_KERNEL);
	if (!buf || !seen || !pair) {
		kfree(buf);
		kfree(pair);
		kfree(seen);
		return -ENOMEM;
	}
	for (i = 0; i < p->n; i++) {
		unsigned long *e = p->ips[i];
		char prev[sizeof(p->self[0].name)] = "";
		const char *irq = NULL, *kind;
		bool in_irq = false, attributed = false;
		unsigned int nseen = 0, k;

		for (d = 0; d < BENCH_PROF_DEPTH && e[d]; d++) {
			/* A return address points after its call: look up the call. */
			sprint_symbol_no_offset(buf, d ? e[d] - 1 : e[d]);
			if (!d)
				bench_sym_count(p->self, buf);
			if (!in_irq) {
				kind = bench_prof_irq_kind(buf);
				irq = irq ?: kind;
				/* Interrupt entry: the frames so far ran in it. */
				if (!strncmp(buf, "asm_", 4)) {
					in_irq = true;
					bench_sym_count(p->callee, irq ?: "(interrupt: other)");
					attributed = true;
				}
			}
			if (!strstr(buf, " [nmr]")) {
				strscpy(prev, buf, sizeof(prev));
				continue;
			}
			if (!attributed) {
				attributed = true;
				bench_sym_count(p->callee, d ? prev : "(the nmr function itself)");
				snprintf(pair, 2 * KSYM_SYMBOL_LEN, "%.*s > %s",
					 (int)(strlen(buf) - strlen(" [nmr]")), buf,
					 d ? prev : "(itself)");
				bench_sym_count(p->pair, pair);
			}
			for (k = 0; k < nseen; k++)
				if (!strncmp(seen + k * sizeof(prev), buf, sizeof(prev) - 1))
					break;
			if (k == nseen) {
				strscpy(seen + nseen++ * sizeof(prev), buf, sizeof(prev));
				bench_sym_count(p->nmr, buf);
			}
		}
		if (!attributed)
			bench_sym_count(p->callee, "(no nmr function on the stack)");
		cond_resched();
	}
	kfree(buf);
	kfree(pair);
	kfree(seen);
	sort(p->self, BENCH_PROF_SYMS, sizeof(p->self[0]), bench_sym_cmp, NULL);
	sort(p->nmr, BENCH_PROF_SYMS, sizeof(p->nmr[0]), bench_sym_cmp, NULL);
	sort(p->callee, BENCH_PROF_SYMS, sizeof(p->callee[0]), bench_sym_cmp, NULL);
	sort(p->pair, BENCH_PROF_SYMS, sizeof(p->pair[0]), bench_sym_cmp, NULL);
	return 0;
}

static void bench_prof_print(const char *title, const struct bench_sym *tab, unsigned int total)
{
	unsigned int i, pm;

	pr_info("1.3  %s\n", title);
	for (i = 0; i < BENCH_PROF_TOP && tab[i].n; i++) {
		pm = div_u64((u64)tab[i].n * 1000, total);
		pr_info("1.3    %3u.%u%%  %s\n", pm / 10, pm % 10, tab[i].name);
	}
}

/* ---- printing ---- */

/* A value in thousandths, printed as "int.hh": BENCH_FMT with BENCH_INT(v), BENCH_HUN(v). */
#define BENCH_FMT	"%llu.%02llu"
#define BENCH_INT(v)	div_u64(v, 1000)
#define BENCH_HUN(v)	div_u64((v) % 1000, 10)

static void bench_line(const char *row, const char *what, const struct bench_stat *s,
		       const char *unit)
{
	u64 med = bench_median(s), sp = bench_spread(s), lo = U64_MAX, hi = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		lo = min(lo, s->v[i]);
		hi = max(hi, s->v[i]);
	}
	pr_info("%-4s %-52s %9llu.%02llu %-7s +-%3llu.%llu%%  [" BENCH_FMT " .. " BENCH_FMT "]\n",
		row, what, BENCH_INT(med), BENCH_HUN(med), unit, div_u64(sp, 10), sp % 10,
		BENCH_INT(lo), BENCH_HUN(lo), BENCH_INT(hi), BENCH_HUN(hi));
}

/* A ratio of two medians, in hundredths; and the range of the per-repetition ratios. */
static u64 bench_ratio(const struct bench_stat *num, const struct bench_stat *den,
		       u64 *lo, u64 *hi)
{
	u64 d = bench_median(den);
	unsigned int i;

	*lo = U64_MAX;
	*hi = 0;
	for (i = 0; i < min(num->n, den->n); i++) {
		u64 r = den->v[i] ? div64_u64(num->v[i] * 100, den->v[i]) : 0;

		*lo = min(*lo, r);
		*hi = max(*hi, r);
	}
	if (*lo == U64_MAX)
		*lo = 0;
	return d ? div64_u64(bench_median(num) * 100, d) : 0;
}

static void bench_ratio_line(const char *row, const char *what, u64 r, u64 lo, u64 hi,
			     bool paired)
{
	if (paired)
		pr_info("%-4s %-52s %9llu.%02llu x        [%llu.%02llu .. %llu.%02llu] per repetition\n",
			row, what, r / 100, r % 100, lo / 100, lo % 100, hi / 100, hi % 100);
	else
		pr_info("%-4s %-52s %9llu.%02llu x\n", row, what, r / 100, r % 100);
}

struct bench_goal {
	const char *name;
	bool is_floor;		/* the target is a floor; else a ceiling */
	u64 target;		/* hundredths */
	u64 value;		/* hundredths */
	bool measured;
};

static void bench_goal_line(const struct bench_goal *g)
{
	bool met = g->measured &&
		   (g->is_floor ? g->value >= g->target : g->value <= g->target);

	if (g->measured)
		pr_info("goal %s value=%llu.%02llu target=%s%llu.%02llu met=%s\n", g->name,
			g->value / 100, g->value % 100, g->is_floor ? ">=" : "<=",
			g->target / 100, g->target % 100, met ? "yes" : "no");
	else
		pr_info("goal %s value=none target=%s%llu.%02llu met=no\n", g->name,
			g->is_floor ? ">=" : "<=", g->target / 100, g->target % 100);
}

/* ---- the run ---- */

enum {
	GOAL_AUX, GOAL_NOTIFIER, GOAL_UNRELATED, GOAL_FANOUT, GOAL_ATOMIC, GOAL_BARE, NR_GOALS,
};

static struct bench_goal bench_goals[NR_GOALS] = {
	[GOAL_AUX] = { "cycle_vs_auxiliary", true, 5000 },
	[GOAL_NOTIFIER] = { "cycle_vs_notifier", false, 1000 },
	[GOAL_UNRELATED] = { "unrelated_10k", false, 150 },
	[GOAL_FANOUT] = { "fanout_1000", false, 200 },
	[GOAL_ATOMIC] = { "rundown_vs_atomic", true, 300 },
	[GOAL_BARE] = { "rundown_vs_bare", false, 200 },
};

static void bench_goal_set(unsigned int goal, u64 value)
{
	bench_goals[goal].value = value;
	bench_goals[goal].measured = true;
}

/* Row 1 and its breakdown. */
enum {
	C1_NMR, C1_AUX, C1_NOTIFIER, C1_NOBIND_SHARED, C1_NOBIND_FRESH, C1_PHASES,
	NR_C1,
};

/* Primitives, with their labels and arguments. */
static const struct {
	const char *what;
	int (*fn)(void *arg, u64 iters, u64 *ns, u64 *sub);
	uintptr_t arg;
} bench_prims[] = {
	{ "ktime_get_ns()", bench_prim_ktime },
	{ "mutex_lock() + mutex_unlock()", bench_prim_mutex },
	{ "spin_lock_irqsave + unlock_irqrestore", bench_prim_spin_irqsave },
	{ "rcu_read_lock() + rcu_read_unlock()", bench_prim_rcu_read },
	{ "atomic_inc + smp_mb + atomic_dec_and_test", bench_prim_enter_exit },
	{ "kzalloc(64) + kfree()", bench_prim_kzalloc, 64 },
	{ "kzalloc(256) + kfree()", bench_prim_kzalloc, 256 },
	{ "kzalloc(512) + kfree()", bench_prim_kzalloc, 512 },
	{ "kzalloc(512) + kfree_rcu()", bench_prim_kfree_rcu },
	{ "init_completion + complete_all + wait", bench_prim_completion },
	{ "jhash() of a GUID", bench_prim_jhash },
};

#define NR_PRIMS ARRAY_SIZE(bench_prims)

struct bench_results {
	struct bench_case c1[NR_C1];
	struct bench_case prim[NR_PRIMS];
	struct bench_case c2[2];		/* 0 and N unrelated, paired */
	struct bench_case c3[3];		/* K = 1, 100, 1000 */
	struct bench_stat d1[BENCH_NR_GUARDS];	/* ps per call, one CPU */
	struct bench_stat dn[BENCH_NR_GUARDS];	/* calls per us (thousandths), all CPUs */
	struct bench_mem mem;
	unsigned int cpus;
	struct bench_prof *prof;
};

static const unsigned int bench_fanout_k[] = { 1, 100, 1000 };

static int bench_row1(struct bench_results *res)
{
	struct bench_npi *cyc, *shared, *fresh;
	struct nmr_provider *p = NULL;
	struct nmr_client *keeper = NULL;
	struct bench_case *c = res->c1;
	unsigned int i;
	int ret, r;

	cyc = kmalloc_array(3, sizeof(*cyc), GFP_KERNEL);
	if (!cyc)
		return -ENOMEM;
	shared = cyc + 1;
	fresh = cyc + 2;
	bench_npi_init(cyc, BENCH_NPI_CYCLE);
	bench_npi_init(shared, BENCH_NPI_SHARED);
	bench_npi_init(fresh, BENCH_NPI_FRESH);
	ret = nmr_register_provider(&cyc->pc, cyc, &p);
	if (ret)
		goto out;
	ret = nmr_register_client(&shared->cc, shared, &keeper);
	if (ret)
		goto out;

	c[C1_NMR] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = cyc };
	c[C1_AUX] = (struct bench_case){ .fn = bench_notifier_cycle };	/* replaced below */
#if BENCH_HAVE_AUX
	c[C1_AUX].fn = bench_aux_cycle;
#endif
	c[C1_NOTIFIER] = (struct bench_case){ .fn = bench_notifier_cycle };
	c[C1_NOBIND_SHARED] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = shared };
	c[C1_NOBIND_FRESH] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = fresh };
	c[C1_PHASES] = (struct bench_case){ .fn = bench_nmr_phases, .arg = cyc };
	ret = bench_run(c, NR_C1);
	if (ret)
		goto out;
	if (cyc->attached != cyc->cleaned || !cyc->attached || shared->attached ||
	    fresh->attached) {
		pr_err("row 1: %lu attached, %lu cleaned up\n", cyc->attached, cyc->cleaned);
		ret = -EPROTO;
		goto out;
	}

	if (BENCH_HAVE_PROFILE && profile_ms) {
		res->prof = vzalloc(sizeof(*res->prof));
		if (!res->prof) {
			ret = -ENOMEM;
			goto out;
		}
		ret = bench_prof_run(res->prof, cyc);
		ret = ret ?: bench_prof_digest(res->prof);
		if (ret)
			goto out;
	}

	for (i = 0; i < NR_PRIMS; i++)
		res->prim[i] = (struct bench_case){ .fn = bench_prims[i].fn,
						    .arg = (void *)bench_prims[i].arg };
	ret = bench_run(res->prim, NR_PRIMS);
	rcu_barrier();
	nmr_kvfree_rcu_barrier();
out:
	if (keeper) {
		r = bench_client_gone(keeper);
		ret = ret ?: r;
	}
	if (p) {
		r = bench_provider_gone(p);
		ret = ret ?: r;
	}
	kfree(cyc);
	return ret;
}

/*
 * Row 2, paired: each repetition times the cycle with no unrelated
 * registration, registers them, times it again, deregisters them.
 */
static int bench_row2(struct bench_results *res)
{
	struct nmr_provider *p = NULL;
	struct bench_many many = { };
	struct bench_npi *cyc;
	unsigned int r;
	int ret, r2;

	cyc = kmalloc(sizeof(*cyc), GFP_KERNEL);
	if (!cyc)
		return -ENOMEM;
	bench_npi_init(cyc, BENCH_NPI_CYCLE);
	ret = bench_many_alloc(&many, unrelated, BENCH_NPI_UNRELATED);
	if (ret)
		goto out_free;
	ret = nmr_register_provider(&cyc->pc, cyc, &p);
	if (ret)
		goto out;
	res->c2[0] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = cyc };
	ret = bench_calibrate(&res->c2[0]);
	if (ret)
		goto out;
	res->c2[1] = res->c2[0];
	for (r = 0; r < reps; r++) {
		ret = bench_once(&res->c2[0]);
		if (ret)
			goto out;
		ret = bench_many_register(&many, unrelated);
		if (ret)
			goto out;
		ret = bench_once(&res->c2[1]);
		if (ret)
			goto out;
		ret = bench_many_deregister(&many);
		if (ret)
			goto out;
	}
out:
	r2 = bench_many_free(&many);
	ret = ret ?: r2;
	if (p) {
		r2 = bench_provider_gone(p);
		ret = ret ?: r2;
	}
out_free:
	kfree(cyc);
	return ret;
}

static int bench_row3(struct bench_results *res)
{
	struct bench_fanout f[ARRAY_SIZE(bench_fanout_k)];
	struct nmr_client **clients;
	struct bench_npi *n;
	unsigned int i;
	int ret;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	clients = kvcalloc(bench_fanout_k[ARRAY_SIZE(bench_fanout_k) - 1], sizeof(*clients),
			   GFP_KERNEL);
	if (!n || !clients) {
		ret = -ENOMEM;
		goto out;
	}
	bench_npi_init(n, BENCH_NPI_FANOUT);
	for (i = 0; i < ARRAY_SIZE(bench_fanout_k); i++) {
		f[i] = (struct bench_fanout){ .n = n, .k = bench_fanout_k[i], .clients = clients };
		res->c3[i] = (struct bench_case){ .fn = bench_fanout_fn, .arg = &f[i] };
	}
	/* No calibration: a fixed number of bindings per repetition for every K. */
	for (i = 0; i < ARRAY_SIZE(bench_fanout_k); i++)
		res->c3[i].iters = max(1U, fanout_bindings / bench_fanout_k[i]);
	{
		u64 ns, sub[BENCH_MAX_SUB];
		unsigned int r, j;

		for (j = 0; j < ARRAY_SIZE(bench_fanout_k); j++) {	/* warm-up */
			ret = bench_fanout_fn(&f[j], 1, &ns, sub);
			if (ret)
				goto out;
		}
		for (r = 0; r < reps; r++) {
			for (j = 0; j < ARRAY_SIZE(bench_fanout_k); j++) {
				struct bench_case *c = &res->c3[j];

				ret = bench_fanout_fn(c->arg, c->iters, &ns, sub);
				if (ret)
					goto out;
				bench_add(&c->st, div64_u64(ns * 1000, c->iters));
			}
		}
	}
	if (n->attached != n->cleaned)
		ret = -EPROTO;
out:
	kvfree(clients);
	kfree(n);
	return ret;
}

static int bench_row4(struct bench_results *res)
{
	struct bench_guarded *g;
	unsigned int r, k;
	u64 calls, span;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->dispatch = &bench_dispatch;
	g->ctx = g;
	init_completion(&g->ex_drained);
	init_completion(&g->rundown_drained);
	init_completion(&g->sref_drained);
	ret = nmr_rundown_init(&g->rundown);
	if (ret) {
		kfree(g);
		return ret;
	}
	ret = percpu_ref_init(&g->sref, bench_sref_release, 0, GFP_KERNEL);
	if (ret) {
		nmr_rundown_exit(&g->rundown);
		kfree(g);
		return ret;
	}
	res->cpus = num_online_cpus();
	for (r = 0; r < reps && !ret; r++) {
		for (k = 0; k < BENCH_NR_GUARDS && !ret; k++) {
			ret = bench_dispatch_once(g, k, false, &calls, &span);
			if (ret)
				break;
			bench_add(&res->d1[k], div64_u64(span * 1000, calls));
			ret = bench_dispatch_once(g, k, true, &calls, &span);
			if (ret)
				break;
			/* thousandths of calls per microsecond = calls per second / 1000 */
			bench_add(&res->dn[k], div64_u64(calls * 1000000, span));
		}
	}
	if (ret) {
		nmr_rundown_exit(&g->rundown);	/* every thread has stopped */
		percpu_ref_exit(&g->sref);
		kfree(g);
		return ret;
	}
	ret = bench_guarded_drain(g);
	if (ret != -ETIMEDOUT)
		kfree(g);
	return ret;
}

static void bench_print(struct bench_results *res)
{
	struct bench_case *c1 = res->c1;
	u64 r, lo, hi;
	unsigned int i;
	char what[64];

	pr_info("NMR-BENCH-BEGIN\n");
	pr_info("%u CPUs online, %u repetitions per row: median, spread (largest distance from it), [min .. max]\n",
		num_online_cpus(), reps);
	pr_info("row  %-52s %12s %-7s %s\n", "measurement", "median", "unit",
		"spread    [min .. max]");

	pr_info("1    bind/unbind cycle, one provider registered\n");
	bench_line("1", "nmr: register client+attach, deregister, wait", &c1[C1_NMR].st, "ns");
	if (BENCH_HAVE_AUX)
		bench_line("1", "auxiliary bus: add device+bind, delete+unbind", &c1[C1_AUX].st,
			   "ns");
	else
		pr_info("1    auxiliary bus: not in this kernel (CONFIG_AUXILIARY_BUS)\n");
	bench_line("1", "blocking notifier: register + unregister", &c1[C1_NOTIFIER].st, "ns");
	if (BENCH_HAVE_AUX) {
		r = bench_ratio(&c1[C1_AUX].st, &c1[C1_NMR].st, &lo, &hi);
		bench_ratio_line("1", "ratio auxiliary / nmr", r, lo, hi, true);
		bench_goal_set(GOAL_AUX, r);
	}
	r = bench_ratio(&c1[C1_NMR].st, &c1[C1_NOTIFIER].st, &lo, &hi);
	bench_ratio_line("1", "ratio nmr / notifier", r, lo, hi, true);
	bench_goal_set(GOAL_NOTIFIER, r);

	pr_info("1.1  where the nmr cycle's time goes (same boot)\n");
	bench_line("1.1", "phase: nmr_register_client() incl. attach", &c1[C1_PHASES].sub[0], "ns");
	bench_line("1.1", "phase: nmr_deregister_client() incl. detach+cleanup",
		   &c1[C1_PHASES].sub[1], "ns");
	bench_line("1.1", "phase: nmr_wait_for_client_deregister_complete()",
		   &c1[C1_PHASES].sub[2], "ns");
	bench_line("1.1", "cycle, no provider (NPI kept by another client)",
		   &c1[C1_NOBIND_SHARED].st, "ns");
	bench_line("1.1", "cycle, no provider, client alone on its NPI", &c1[C1_NOBIND_FRESH].st,
		   "ns");
	r = bench_median(&c1[C1_NMR].st);
	lo = bench_median(&c1[C1_NOBIND_SHARED].st);
	r = r > lo ? r - lo : 0;
	pr_info("%-4s %-52s %9llu.%02llu ns\n", "1.1",
		"=> the binding's share (cycle - no provider)", BENCH_INT(r), BENCH_HUN(r));
	for (i = 0; i < NR_PRIMS; i++) {
		snprintf(what, sizeof(what), "primitive: %s", bench_prims[i].what);
		bench_line("1.2", what, &res->prim[i].st, "ns");
	}
	if (res->prof && res->prof->n) {
		struct bench_prof *p = res->prof;

		pr_info("1.3  profile of the nmr cycle: %u stack samples every %u us on its CPU (%u elsewhere)\n",
			p->n, BENCH_PROF_PERIOD_NS / 1000, p->other);
		bench_prof_print("by innermost function (self):", p->self, p->n);
		bench_prof_print("by nmr.ko function on the stack (inclusive):", p->nmr, p->n);
		bench_prof_print("by what the innermost nmr.ko function called, or by interrupt:",
				 p->callee, p->n);
		bench_prof_print("by nmr.ko function > what it was calling (task context):",
				 p->pair, p->n);
	}

	pr_info("2    the cycle of row 1 with unrelated registrations (providers of other NPIs)\n");
	bench_line("2", "nmr cycle, 0 unrelated", &res->c2[0].st, "ns");
	snprintf(what, sizeof(what), "nmr cycle, %u unrelated", unrelated);
	bench_line("2", what, &res->c2[1].st, "ns");
	r = bench_ratio(&res->c2[1].st, &res->c2[0].st, &lo, &hi);
	snprintf(what, sizeof(what), "ratio %u unrelated / 0", unrelated);
	bench_ratio_line("2", what, r, lo, hi, true);
	if (unrelated == 10000)
		bench_goal_set(GOAL_UNRELATED, r);

	pr_info("3    fan-out teardown: deregister a provider with K bindings, wait\n");
	for (i = 0; i < ARRAY_SIZE(bench_fanout_k); i++) {
		snprintf(what, sizeof(what), "per binding, K = %u", bench_fanout_k[i]);
		bench_line("3", what, &res->c3[i].st, "ns");
	}
	r = bench_ratio(&res->c3[2].st, &res->c3[0].st, &lo, &hi);
	bench_ratio_line("3", "ratio per binding K = 1000 / K = 1", r, lo, hi, true);
	bench_goal_set(GOAL_FANOUT, r);

	pr_info("4    calls through a binding: bare, nmr_rundown (EXT-3), atomic counter\n");
	bench_line("4", "1 CPU: bare indirect call", &res->d1[BENCH_BARE], "ns/call");
	bench_line("4", "1 CPU: nmr_rundown acquire + call + release", &res->d1[BENCH_RUNDOWN],
		   "ns/call");
	bench_line("4", "1 CPU: atomic rundown acquire + call + release", &res->d1[BENCH_ATOMIC],
		   "ns/call");
	bench_line("4", "1 CPU: variant: plain percpu_ref_tryget_live/put",
		   &res->d1[BENCH_PLAIN], "ns/call");
	snprintf(what, sizeof(what), "%u CPUs: bare indirect call", res->cpus);
	bench_line("4", what, &res->dn[BENCH_BARE], "Mcall/s");
	snprintf(what, sizeof(what), "%u CPUs: nmr_rundown", res->cpus);
	bench_line("4", what, &res->dn[BENCH_RUNDOWN], "Mcall/s");
	snprintf(what, sizeof(what), "%u CPUs: atomic rundown", res->cpus);
	bench_line("4", what, &res->dn[BENCH_ATOMIC], "Mcall/s");
	snprintf(what, sizeof(what), "%u CPUs: variant: plain percpu_ref_tryget_live/put",
		 res->cpus);
	bench_line("4", what, &res->dn[BENCH_PLAIN], "Mcall/s");
	r = bench_ratio(&res->dn[BENCH_RUNDOWN], &res->dn[BENCH_ATOMIC], &lo, &hi);
	bench_ratio_line("4", "ratio throughput nmr_rundown / atomic, all CPUs", r, lo, hi, true);
	bench_goal_set(GOAL_ATOMIC, r);
	r = bench_ratio(&res->d1[BENCH_RUNDOWN], &res->d1[BENCH_BARE], &lo, &hi);
	bench_ratio_line("4", "ratio time nmr_rundown / bare, 1 CPU", r, lo, hi, true);
	bench_goal_set(GOAL_BARE, r);

	pr_info("5    slab memory (vmstat slab pages, 2nd of two batches of %u; aux: of %u)\n",
		mem_objects, mem_aux);
	pr_info("%-4s %-52s %9ld    bytes\n", "5", "nmr: provider registration, NPI of its own",
		res->mem.reg_own_npi);
	pr_info("%-4s %-52s %9ld    bytes\n", "5", "nmr: client registration, shared NPI, unbound",
		res->mem.reg_shared_npi);
	pr_info("%-4s %-52s %9ld    bytes\n", "5", "nmr: client registration + its binding",
		res->mem.reg_bound);
	pr_info("%-4s %-52s %9ld    bytes\n", "5", "=> nmr: one binding",
		res->mem.reg_bound - res->mem.reg_shared_npi);
	if (res->mem.aux)
		pr_info("%-4s %-52s %9ld    bytes\n", "5", "auxiliary bus: one bound device",
			res->mem.aux_device);
	pr_info("%-4s %-52s %9zu    bytes\n", "5", "notifier: one notifier_block (caller's)",
		sizeof(struct notifier_block));
	pr_info("NMR-BENCH-END\n");
	for (i = 0; i < NR_GOALS; i++)
		bench_goal_line(&bench_goals[i]);
}

static int __init nmr_bench_init(void)
{
	struct bench_results *res;
	int ret;

	if (reps < 3 || reps > BENCH_MAX_REPS || !rep_ms || !dispatch_ms || !mem_objects ||
	    fanout_bindings < 1000)
		return -EINVAL;
	res = kvzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	ret = bench_aux_setup();
	if (ret)
		goto out;
	pr_info("running: rows 1, 2, 3, 4, 5 (no output until the end)\n");
	ret = bench_row1(res);
	if (!ret)
		ret = bench_row2(res);
	if (!ret)
		ret = bench_row3(res);
	if (!ret)
		ret = bench_row4(res);
	if (!ret)
		ret = bench_mem_run(&res->mem);
	bench_aux_teardown();
	if (ret)
		pr_err("NMR-BENCH-FAILED %d\n", ret);
	else
		bench_print(res);
out:
	vfree(res->prof);
	kvfree(res);
	return ret;
}

static void __exit nmr_bench_exit(void)
{
	/* Everything was measured and freed at init. */
}

module_init(nmr_bench_init);
module_exit(nmr_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr_bench: binding costs of the NMR, the auxiliary bus and a notifier chain");
