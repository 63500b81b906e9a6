// SPDX-License-Identifier: GPL-2.0
/* nmr_bench rows 2 and 3: the cycle beside many registrations; teardown of many bindings. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"
#if IS_ENABLED(CONFIG_KUNIT)
#include "nmr_compat.h"
#include "nmr_internal.h"	/* nmr_module_going(): HDL-6's step, exported for KUnit */
NMR_IMPORT_KUNIT_NS();
#endif

/* ---- row 2: many registrations of other NPIs ---- */

/* Calls of row 2.1 per repetition: a fixed count, since one may walk a million. */
#define BENCH_GOING_CALLS	16

/*
 * Row 2.1: the HDL-6 step of a module going away that registered nothing
 * (@fake), as every module's unload runs it; ns per call added to @st.
 */
static void bench_going_time(struct module *fake, struct bench_stat *st)
{
#if IS_ENABLED(CONFIG_KUNIT)
	unsigned int i;
	u64 t0;

	if (!fake)
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < BENCH_GOING_CALLS; i++)
		nmr_module_going(fake);
	bench_add(st, div_u64((ktime_get_ns() - t0) * 1000, BENCH_GOING_CALLS));
#endif
}

/*
 * Row 2, paired: each repetition times the cycle with no unrelated
 * registration, registers them, times it again, deregisters them; row 2.1's
 * step is timed beside each.
 */
static int bench_unrelated_measure(struct bench_unrelated_result *u, unsigned int size,
				   struct bench_npi *cyc, struct bench_many *many,
				   unsigned int reps, struct module *fake)
{
	struct bench_case *c = u->c[size];
	u64 before, after;
	unsigned int r;
	int ret;

	c[0] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = cyc };
	ret = bench_calibrate(&c[0]);
	if (ret)
		return ret;
	c[1] = c[0];
	for (r = 0; r < reps; r++) {
		ret = bench_once(&c[0]);
		if (ret)
			return ret;
		bench_going_time(fake, &u->going[size][0]);
		before = bench_mem_used_kib();
		ret = bench_many_register(many, many->n);
		if (ret)
			return ret;
		after = bench_mem_used_kib();
		if (after > before)
			u->mem_kib[size] = max(u->mem_kib[size], after - before);
		ret = bench_once(&c[1]);
		if (ret)
			return ret;
		bench_going_time(fake, &u->going[size][1]);
		ret = bench_many_deregister(many);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * One size of row 2: @n unrelated providers. A repetition registers and
 * deregisters all of them, so the large sizes get three repetitions (a
 * million take seconds each way).
 */
static int bench_unrelated_size(struct bench_unrelated_result *u, unsigned int i,
				struct bench_npi *cyc, struct module *fake)
{
	unsigned int reps = u->n[i] > 10000 ? min(bench_reps, 3U) : bench_reps;
	struct bench_many many = { };
	int ret, r;

	ret = bench_many_alloc(&many, u->n[i], BENCH_NPI_UNRELATED);
	if (ret)
		return ret;
	ret = bench_unrelated_measure(u, i, cyc, &many, reps, fake);
	r = bench_many_free(&many);
	ret = ret ?: r;
	if (!ret) {
		u->ratio[i] = bench_ratio_of(&u->c[i][1].st, &u->c[i][0].st);
		if (fake)
			u->going_ratio[i] = bench_ratio_of(&u->going[i][1], &u->going[i][0]);
	}
	return ret;
}

int bench_row_unrelated(struct bench_results *res)
{
	struct bench_unrelated_result *u = &res->unrelated;
	struct nmr_provider *p = NULL;
	struct module *fake = NULL;
	struct bench_npi *cyc;
	unsigned int i;
	int ret, r;

	cyc = kmalloc(sizeof(*cyc), GFP_KERNEL);
	if (!cyc)
		return -ENOMEM;
	if (IS_ENABLED(CONFIG_KUNIT)) {
		/* Stands for a module that goes away: only its address is compared. */
		fake = kzalloc(sizeof(*fake), GFP_KERNEL);
		if (!fake) {
			kfree(cyc);
			return -ENOMEM;
		}
		strscpy(fake->name, "nmr_bench_going", sizeof(fake->name));
	}
	bench_npi_init(cyc, BENCH_NPI_CYCLE);
	u->n[0] = bench_unrelated;
	u->n[1] = bench_unrelated_max / 10;
	u->n[2] = bench_unrelated_max;
	ret = nmr_register_provider(&cyc->pc, cyc, &p);
	for (i = 0; i < BENCH_UNRELATED_NS && !ret; i++)
		if (u->n[i])
			ret = bench_unrelated_size(u, i, cyc, fake);
	if (p) {
		r = bench_provider_gone(p);
		ret = ret ?: r;
	}
	if (!ret && u->n[0] == 10000)
		bench_goal_set(res, BENCH_GOAL_UNRELATED, u->ratio[0].med);
	if (!ret && u->n[2] == 1000000)
		bench_goal_set(res, BENCH_GOAL_UNRELATED_1M, u->ratio[2].med);
	kfree(fake);
	kfree(cyc);
	return ret;
}

/* ---- row 3: fan-out teardown ---- */

/* K, bindings per teardown; the clients array holds the last (largest). */
static const unsigned int bench_fanout_k[BENCH_FANOUT_NK] = { 1, 100, 1000, 10000 };

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

/*
 * No calibration: a fixed number of bindings per repetition for every K
 * (fanout_bindings), after one warm-up round each; then reps repetitions,
 * interleaved.
 */
static int bench_fanout_measure(struct bench_case *c, struct bench_fanout *f)
{
	u64 ns, sub[BENCH_MAX_SUB];
	unsigned int r, j;
	int ret;

	for (j = 0; j < BENCH_FANOUT_NK; j++) {
		c[j] = (struct bench_case){ .fn = bench_fanout_fn, .arg = &f[j] };
		c[j].iters = max(1U, bench_fanout_bindings / f[j].k);
	}
	for (j = 0; j < BENCH_FANOUT_NK; j++) {	/* warm-up */
		ret = bench_fanout_fn(&f[j], 1, &ns, sub);
		if (ret)
			return ret;
	}
	for (r = 0; r < bench_reps; r++) {
		for (j = 0; j < BENCH_FANOUT_NK; j++) {
			ret = bench_once(&c[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int bench_row_fanout(struct bench_results *res)
{
	struct bench_fanout_result *fr = &res->fanout;
	struct bench_fanout f[BENCH_FANOUT_NK];
	struct nmr_client **clients;
	struct bench_npi *n;
	unsigned int i;
	int ret;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	clients = kvcalloc(bench_fanout_k[BENCH_FANOUT_NK - 1], sizeof(*clients), GFP_KERNEL);
	if (!n || !clients) {
		ret = -ENOMEM;
		goto out;
	}
	bench_npi_init(n, BENCH_NPI_FANOUT);
	for (i = 0; i < BENCH_FANOUT_NK; i++) {
		fr->k[i] = bench_fanout_k[i];
		f[i] = (struct bench_fanout){ .n = n, .k = fr->k[i], .clients = clients };
	}
	ret = bench_fanout_measure(fr->c, f);
	if (!ret && n->attached != n->cleaned)
		ret = -EPROTO;
	if (!ret) {
		fr->ratio_1000 = bench_ratio_of(&fr->c[2].st, &fr->c[0].st);
		fr->ratio_10k = bench_ratio_of(&fr->c[3].st, &fr->c[0].st);
		bench_goal_set(res, BENCH_GOAL_FANOUT, fr->ratio_1000.med);
		bench_goal_set(res, BENCH_GOAL_FANOUT_10K, fr->ratio_10k.med);
	}
out:
	kvfree(clients);
	kfree(n);
	return ret;
}
