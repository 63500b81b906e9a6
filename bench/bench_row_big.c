// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_bench rows 6, 7 and 8: handle look-ups beside a million live bindings,
 * offers into an NPI with many providers, and the cycle on every CPU at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"

/* ---- row 6: the cycle with a pending side, beside many live bindings ---- */

/*
 * An NPI whose client's detach is pending until the cycle completes it:
 * both look-ups by handle of the API (nmr_client_attach_provider() and
 * nmr_client_detach_provider_complete()) are in the cycle.
 */
struct bench_pend {
	guid_t id;
	struct nmr_client_characteristics cc;
	struct nmr_provider_characteristics pc;
	struct nmr_binding *binding;	/* the client side's, while bound */
};

static int pend_attach_provider(struct nmr_binding *binding, void *client_ctx,
				const struct nmr_registration_instance *provider)
{
	struct bench_pend *n = client_ctx;
	const void *pdisp;
	void *pctx;
	int ret;

	ret = nmr_client_attach_provider(binding, n, &bench_dispatch, &pctx, &pdisp);
	if (!ret)
		n->binding = binding;
	return ret;
}

static int pend_detach_provider(void *client_binding_ctx)
{
	return -EINPROGRESS;	/* the cycle completes it */
}

static int pend_attach_client(struct nmr_binding *binding, void *provider_ctx,
			      const struct nmr_registration_instance *client,
			      void *client_binding_ctx, const void *client_dispatch,
			      void **provider_binding_ctx, const void **provider_dispatch)
{
	*provider_binding_ctx = provider_ctx;
	*provider_dispatch = &bench_dispatch;
	return 0;
}

static int pend_detach_client(void *provider_binding_ctx)
{
	return 0;
}

static void pend_init(struct bench_pend *n)
{
	struct bench_npi tmp;

	bench_npi_init(&tmp, BENCH_NPI_PENDING);	/* the same GUID scheme */
	memset(n, 0, sizeof(*n));
	n->id = tmp.id;
	n->cc.length = sizeof(n->cc);
	n->cc.attach_provider = pend_attach_provider;
	n->cc.detach_provider = pend_detach_provider;
	n->cc.registration.npi_id = &n->id;
	n->cc.registration.module_id = &bench_module_id;
	n->pc.length = sizeof(n->pc);
	n->pc.attach_client = pend_attach_client;
	n->pc.detach_client = pend_detach_client;
	n->pc.registration.npi_id = &n->id;
	n->pc.registration.module_id = &bench_module_id;
}

/* Register a client (it binds), deregister it (its side pends), complete it, wait. */
static int bench_pending_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_pend *n = arg;
	struct nmr_client *c;
	u64 i, t0;
	int ret;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		n->binding = NULL;
		ret = nmr_register_client(&n->cc, n, &c);
		if (ret)
			return ret;
		if (!n->binding)
			return -EPROTO;
		ret = nmr_deregister_client(c);
		if (ret != -EINPROGRESS)
			return ret ?: -EPROTO;
		ret = nmr_client_detach_provider_complete(n->binding);
		ret = ret ?: nmr_wait_for_client_deregister_complete(c);
		if (ret)
			return ret;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* A square of providers and clients of one NPI: side * side live bindings. */
struct bench_square {
	struct bench_npi n;
	unsigned int side;
	unsigned int providers, clients;
	struct nmr_provider **p;
	struct nmr_client **c;
};

static int bench_square_up(struct bench_square *sq, unsigned int bindings)
{
	int ret = 0;

	sq->side = max(1U, int_sqrt(bindings));
	bench_npi_init(&sq->n, BENCH_NPI_BIG);
	sq->p = kvcalloc(sq->side, sizeof(*sq->p), GFP_KERNEL);
	sq->c = kvcalloc(sq->side, sizeof(*sq->c), GFP_KERNEL);
	if (!sq->p || !sq->c)
		return -ENOMEM;
	while (!ret && sq->providers < sq->side) {
		ret = nmr_register_provider(&sq->n.pc, &sq->n, &sq->p[sq->providers]);
		sq->providers += !ret;
	}
	while (!ret && sq->clients < sq->side) {
		ret = nmr_register_client(&sq->n.cc, &sq->n, &sq->c[sq->clients]);
		sq->clients += !ret;
		cond_resched();
	}
	if (!ret && sq->n.attached != (unsigned long)sq->side * sq->side)
		ret = -EPROTO;
	return ret;
}

static int bench_square_down(struct bench_square *sq)
{
	int ret = 0, r;

	while (sq->clients) {
		r = bench_client_gone(sq->c[--sq->clients]);
		ret = ret ?: r;
		cond_resched();
	}
	while (sq->providers) {
		r = bench_provider_gone(sq->p[--sq->providers]);
		ret = ret ?: r;
	}
	kvfree(sq->p);
	kvfree(sq->c);
	return ret;
}

/*
 * The cycle's repetitions without, then with, the other bindings: the
 * million cannot be made and unmade per repetition, so the two are not
 * interleaved (both halves run in the same boot, one after the other).
 */
int bench_row_bindings(struct bench_results *res)
{
	struct bench_bindings_result *b = &res->bindings;
	struct nmr_provider *p = NULL;
	struct bench_square *sq;
	struct bench_pend *n;
	unsigned int r;
	int ret, ret2;
	u64 mem, mem_after;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	sq = kzalloc(sizeof(*sq), GFP_KERNEL);
	ret = n && sq ? 0 : -ENOMEM;
	if (ret)
		goto out;
	pend_init(n);
	ret = nmr_register_provider(&n->pc, n, &p);
	b->c[0] = (struct bench_case){ .fn = bench_pending_cycle, .arg = n };
	ret = ret ?: bench_calibrate(&b->c[0]);
	b->c[1] = b->c[0];
	for (r = 0; r < bench_reps && !ret; r++)
		ret = bench_once(&b->c[0]);
	mem = bench_mem_used_kib();
	ret = ret ?: bench_square_up(sq, bench_big_bindings);
	mem_after = bench_mem_used_kib();
	b->mem_kib = mem_after > mem ? mem_after - mem : 0;
	b->n = sq->side * sq->side;
	for (r = 0; r < bench_reps && !ret; r++)
		ret = bench_once(&b->c[1]);
	ret2 = bench_square_down(sq);
	ret = ret ?: ret2;
	if (p) {
		ret2 = bench_provider_gone(p);
		ret = ret ?: ret2;
	}
	if (!ret) {
		b->ratio = bench_ratio_of(&b->c[1].st, &b->c[0].st);
		if (b->n == 1000000)
			bench_goal_set(res, BENCH_GOAL_BINDINGS_1M, b->ratio.med);
	}
out:
	kfree(sq);
	kfree(n);
	return ret;
}

/* ---- row 7: offers into an NPI with many providers ---- */

struct bench_offers {
	struct bench_npi n;
	unsigned int k;
	struct nmr_provider **p;
};

/* @iters registrations of a client (timed: K offers each); *@ns per offer. */
static int bench_offers_fn(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_offers *o = arg;
	struct nmr_client *c;
	u64 i, t0, total = 0;
	int ret;

	for (i = 0; i < iters; i++) {
		t0 = ktime_get_ns();
		ret = nmr_register_client(&o->n.cc, &o->n, &c);
		total += ktime_get_ns() - t0;
		if (ret)
			return ret;
		ret = bench_client_gone(c);
		if (ret)
			return ret;
		cond_resched();
	}
	*ns = div_u64(total, o->k);
	return 0;
}

static int bench_offers_setup(struct bench_offers *o, unsigned int k, u32 tag)
{
	unsigned int i;
	int ret;

	bench_npi_init(&o->n, tag);
	o->p = kvcalloc(k, sizeof(*o->p), GFP_KERNEL);
	if (!o->p)
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		ret = nmr_register_provider(&o->n.pc, &o->n, &o->p[i]);
		if (ret)
			return ret;
		o->k++;
	}
	return 0;
}

static int bench_offers_teardown(struct bench_offers *o)
{
	int ret = 0, r;

	while (o->k) {
		r = bench_provider_gone(o->p[--o->k]);
		ret = ret ?: r;
	}
	kvfree(o->p);
	return ret;
}

int bench_row_offers(struct bench_results *res)
{
	struct bench_offers_result *or = &res->offers;
	struct bench_offers *o;
	unsigned int r;
	int ret, r1, r2;

	o = kcalloc(2, sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	ret = bench_offers_setup(&o[0], 1, BENCH_NPI_OFFERS_1);
	ret = ret ?: bench_offers_setup(&o[1], bench_offers_providers, BENCH_NPI_OFFERS_K);
	or->k = o[1].k;
	or->c[0] = (struct bench_case){ .fn = bench_offers_fn, .arg = &o[0] };
	or->c[1] = (struct bench_case){ .fn = bench_offers_fn, .arg = &o[1], .iters = 1 };
	ret = ret ?: bench_calibrate(&or->c[0]);
	for (r = 0; r < bench_reps && !ret; r++) {
		ret = bench_once(&or->c[0]);
		ret = ret ?: bench_once(&or->c[1]);
	}
	r1 = bench_offers_teardown(&o[0]);
	r2 = bench_offers_teardown(&o[1]);
	ret = ret ?: r1 ?: r2;
	if (!ret) {
		or->ratio = bench_ratio_of(&or->c[1].st, &or->c[0].st);
		if (or->k == 10000)
			bench_goal_set(res, BENCH_GOAL_OFFERS_10K, or->ratio.med);
	}
	kfree(o);
	return ret;
}

/* ---- row 8: the cycle on every CPU at once ---- */

#define BENCH_PAR_MAX	8

/* The mutex waits of one parallel measurement, and what to divide them by. */
struct bench_par_waits {
	struct bench_lockwait w;
	u64 cycles;		/* of all kthreads */
	u64 ns;			/* kthreads x the measured time */
};

struct bench_par_thread {
	struct bench_npi n;
	struct nmr_provider *p;
	bool bare;			/* the ceiling's loop, not the nmr cycle */
	struct task_struct *task;
	struct completion *go;
	atomic_t *ready;
	bool *stop;
	u64 cycles;
	u64 sink;
	int ret;
};

static int bench_par_fn(void *arg)
{
	struct bench_par_thread *t = arg;
	struct nmr_client *c;
	int ret = 0;

	u64 x = 0;
	int i;

	atomic_inc(t->ready);
	wait_for_completion(t->go);
	while (!READ_ONCE(*t->stop) && !ret) {
		if (t->bare) {
			for (i = 0; i < 1000; i++)
				x = bench_dispatch.call(NULL, x);
		} else {
			ret = nmr_register_client(&t->n.cc, &t->n, &c);
			ret = ret ?: bench_client_gone(c);
		}
		t->cycles++;
	}
	t->sink = x;		/* the bare loop's result is used */
	t->ret = ret;
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/*
 * One measurement: @nr kthreads, thread i bound to CPU i, cycle for
 * dispatch_ms together; with @waits, their mutex waits are added to it (and
 * the cycles and the time to the last two members). Return: cycles per second
 * of all together, in thousandths, or a negative errno.
 */
static s64 bench_par_once(struct bench_par_thread *t, unsigned int nr, bool bare,
			  struct bench_par_waits *waits)
{
	DECLARE_COMPLETION_ONSTACK(go);
	atomic_t ready = ATOMIC_INIT(0);
	unsigned int i, started = 0;
	unsigned long deadline;
	bool stop = false;
	u64 t0, ns, cycles = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		t[i].go = &go;
		t[i].ready = &ready;
		t[i].stop = &stop;
		t[i].cycles = 0;
		t[i].ret = 0;
		t[i].bare = bare;
		t[i].task = kthread_create(bench_par_fn, &t[i], "nmr_bench/%u", i);
		if (IS_ERR(t[i].task)) {
			ret = PTR_ERR(t[i].task);
			break;
		}
		kthread_bind(t[i].task, i);
		if (waits)
			bench_lockwait_watch(i, t[i].task);
		wake_up_process(t[i].task);
		started++;
	}
	deadline = jiffies + 10 * HZ;	/* bounded: each thread only counts itself in */
	while (!ret && atomic_read(&ready) < nr && time_before(jiffies, deadline))
		usleep_range(100, 200);
	if (!ret && atomic_read(&ready) < nr)
		ret = -ETIMEDOUT;
	t0 = ktime_get_ns();
	complete_all(&go);
	if (!ret)
		msleep(bench_dispatch_ms);
	WRITE_ONCE(stop, true);
	ns = ktime_get_ns() - t0;
	for (i = 0; i < started; i++) {
		kthread_stop(t[i].task);
		cycles += t[i].cycles;
		ret = ret ?: t[i].ret;
		if (waits) {
			bench_lockwait_add(i, &waits->w);
			bench_lockwait_watch(i, NULL);
		}
	}
	if (waits) {
		waits->cycles = cycles;
		waits->ns = ns * nr;
	}
	return ret ?: (s64)div64_u64(cycles * NSEC_PER_SEC * 1000, max_t(u64, ns, 1));
}

/* Row 8's reading of the mutex waits of one measurement of @nr kthreads. */
static void bench_par_add_waits(struct bench_parallel_result *pr,
				const struct bench_par_waits *pw)
{
	u64 cycles = max_t(u64, pw->cycles, 1);
	const struct bench_lockwait_lock *top = bench_lockwait_top(&pw->w);
	struct bench_lockwait_lock all;
	unsigned int nr = 0;

	bench_lockwait_total(&pw->w, &all);
	bench_add(&pr->wait_pct, div64_u64(all.ns * 100 * 1000, max_t(u64, pw->ns, 1)));
	bench_add(&pr->waits_cyc, div64_u64(all.waits * 1000, cycles));
	bench_add(&pr->sleeps_cyc, div64_u64(all.sleeps * 1000, cycles));
	bench_add(&pr->top_pct, top ? div64_u64(top->ns * 100 * 1000, max_t(u64, all.ns, 1)) : 0);
	while (nr < BENCH_LOCKWAIT_LOCKS && pw->w.l[nr].lock)
		nr++;
	pr->nr_locks = max(pr->nr_locks, nr + (pw->w.rest.waits ? 1 : 0));
	if (!pr->top_name[0]) {
		pr->top_lock = top ? top->lock : NULL;
		pr->hold = bench_lockwait_nmr_mutex(top);
		bench_lockwait_name(top, pr->top_name, sizeof(pr->top_name));
	} else if (pr->top_lock != (top ? top->lock : NULL)) {
		strscpy(pr->top_name, "not the same in every repetition", sizeof(pr->top_name));
	}
}

/*
 * One kthread, then @nr together, each for dispatch_ms: recorded in @one and
 * @all; the mutex waits of the @nr (of the nmr cycle, if the probes are on)
 * in @pr.
 */
static int bench_par_pair(struct bench_parallel_result *pr, struct bench_par_thread *t,
			  unsigned int nr, bool bare, struct bench_stat *one,
			  struct bench_stat *all)
{
	struct bench_par_waits pw = {}, *waits = NULL;
	struct mutex *hold = bare ? NULL : pr->hold;
	s64 v1, vn;

	if (!bare && !pr->lockwait)
		waits = &pw;
	if (hold)
		bench_hold_start(hold);
	v1 = bench_par_once(t, 1, bare, NULL);
	if (hold)
		bench_add(&pr->held_one, bench_hold_stop());
	if (v1 < 0)
		return v1;
	if (hold)
		bench_hold_start(hold);
	vn = bench_par_once(t, nr, bare, waits);
	if (hold)
		bench_add(&pr->held_all, bench_hold_stop());
	if (vn < 0)
		return vn;
	bench_add(one, v1);
	bench_add(all, vn);
	if (waits)
		bench_par_add_waits(pr, waits);
	return 0;
}

int bench_row_parallel(struct bench_results *res)
{
	struct bench_parallel_result *pr = &res->parallel;
	struct bench_par_thread *t;
	unsigned int i, r, nr = min_t(unsigned int, num_online_cpus(), BENCH_PAR_MAX);
	int ret = 0, r2;

	pr->threads = nr;
	t = kcalloc(nr, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nr && !ret; i++) {
		bench_npi_init(&t[i].n, BENCH_NPI_PARALLEL + i);
		ret = nmr_register_provider(&t[i].n.pc, &t[i].n, &t[i].p);
	}
	pr->lockwait = bench_lockwait_start();
	for (r = 0; r < bench_reps && !ret; r++) {
		ret = bench_par_pair(pr, t, nr, false, &pr->one, &pr->all);
		ret = ret ?: bench_par_pair(pr, t, nr, true, &pr->bare_one, &pr->bare_all);
	}
	if (!pr->lockwait)
		bench_lockwait_stop();
	for (i = 0; i < nr; i++) {
		if (!t[i].p)
			continue;
		r2 = bench_provider_gone(t[i].p);
		ret = ret ?: r2;
	}
	if (!ret) {
		pr->ratio = bench_ratio_of(&pr->all, &pr->one);
		pr->bare_ratio = bench_ratio_of(&pr->bare_all, &pr->bare_one);
		if (bench_median(&pr->held_one))
			pr->held_bound = div64_u64(100 * 100 * 1000, bench_median(&pr->held_one));
		pr->held_here = div64_u64(pr->held_bound * pr->bare_ratio.med, 100 * nr);
		if (nr == 4)
			bench_goal_set(res, BENCH_GOAL_PARALLEL_4, pr->ratio.med);
	}
	kfree(t);
	return ret;
}
