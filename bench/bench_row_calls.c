// SPDX-License-Identifier: GPL-2.0
/* nmr_bench row 4: calls through a binding, bare or guarded (nmr_rundown, percpu_ref, atomic). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/percpu-refcount.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <nmr/nmr_rundown.h>
#include "bench.h"

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

/* A thread on every online CPU (on the first only unless @all), waiting for run->go. */
static int bench_workers_start(struct bench_dispatch_run *run, bool all, unsigned int *nr)
{
	unsigned int cpu;

	*nr = 0;
	for_each_online_cpu(cpu) {
		struct bench_worker *w = &run->w[*nr];
		struct task_struct *t;

		w->run = run;
		t = kthread_create_on_cpu(bench_worker_fn, w, cpu, "nmr_bench/%u");
		if (IS_ERR(t))
			return PTR_ERR(t);
		get_task_struct(t);
		w->task = t;
		wake_up_process(t);
		(*nr)++;
		if (!all)
			break;
	}
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
	u64 t0 = U64_MAX, t1 = 0;
	unsigned int nr, i;
	int ret, r;

	run = kzalloc(struct_size(run, w, nr_cpu_ids), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->g = g;
	run->guard = guard;
	init_completion(&run->go);
	ret = bench_workers_start(run, all, &nr);
	complete_all(&run->go);
	if (!ret)
		msleep(bench_dispatch_ms);
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

/* A binding's caller side, every guard armed. */
static struct bench_guarded *bench_guarded_new(void)
{
	struct bench_guarded *g;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return ERR_PTR(-ENOMEM);
	g->dispatch = &bench_dispatch;
	g->ctx = g;
	init_completion(&g->ex_drained);
	init_completion(&g->rundown_drained);
	init_completion(&g->sref_drained);
	ret = nmr_rundown_init(&g->rundown);
	if (ret)
		goto err_free;
	ret = percpu_ref_init(&g->sref, bench_sref_release, 0, GFP_KERNEL);
	if (ret)
		goto err_rundown;
	return g;

err_rundown:
	nmr_rundown_exit(&g->rundown);
err_free:
	kfree(g);
	return ERR_PTR(ret);
}

/* reps repetitions of every guard, on one CPU and then on all, interleaved. */
static int bench_calls_measure(struct bench_calls_result *cr, struct bench_guarded *g)
{
	unsigned int r, k;
	u64 calls, span;
	int ret;

	for (r = 0; r < bench_reps; r++) {
		for (k = 0; k < BENCH_NR_GUARDS; k++) {
			ret = bench_dispatch_once(g, k, false, &calls, &span);
			if (ret)
				return ret;
			bench_add(&cr->d1[k], div64_u64(span * 1000, calls));
			ret = bench_dispatch_once(g, k, true, &calls, &span);
			if (ret)
				return ret;
			/* thousandths of calls per microsecond = calls per second / 1000 */
			bench_add(&cr->dn[k], div64_u64(calls * 1000000, span));
		}
	}
	return 0;
}

int bench_row_calls(struct bench_results *res)
{
	struct bench_calls_result *cr = &res->calls;
	struct bench_guarded *g;
	int ret;

	g = bench_guarded_new();
	if (IS_ERR(g))
		return PTR_ERR(g);
	cr->cpus = num_online_cpus();
	ret = bench_calls_measure(cr, g);
	if (ret) {
		nmr_rundown_exit(&g->rundown);	/* every thread has stopped */
		percpu_ref_exit(&g->sref);
		kfree(g);
		return ret;
	}
	ret = bench_guarded_drain(g);
	if (ret != -ETIMEDOUT)
		kfree(g);
	if (ret)
		return ret;
	cr->rundown_atomic = bench_ratio_of(&cr->dn[BENCH_RUNDOWN], &cr->dn[BENCH_ATOMIC]);
	bench_goal_set(res, BENCH_GOAL_ATOMIC, cr->rundown_atomic.med);
	cr->rundown_bare = bench_ratio_of(&cr->d1[BENCH_RUNDOWN], &cr->d1[BENCH_BARE]);
	bench_goal_set(res, BENCH_GOAL_BARE, cr->rundown_bare.med);
	return 0;
}
