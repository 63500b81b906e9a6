// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_bench: how long row 8's kthreads wait for a mutex, and how often they
 * sleep for one, from the kernel's lock:contention_begin and
 * lock:contention_end tracepoints. They are built into the kernel but not
 * exported to modules, so they are found by name. The mutex slow path calls
 * contention_begin once before it spins (LCB_F_SPIN) and again before it
 * sleeps, then contention_end once it has the lock: a wait is from the first
 * begin to the end, and it slept if a begin without LCB_F_SPIN came between.
 *
 * Row 8's kthreads are each bound to one CPU, so a per-CPU slot that names
 * its kthread is written by that kthread only; the probes ignore every other
 * task and every lock that is not a mutex. The waits are kept per mutex (the
 * first few, the rest added up), each with the stack of its first wait, so
 * that a mutex without a symbol (the kernel's data symbols are only in
 * kallsyms with CONFIG_KALLSYMS_ALL, which needs CONFIG_DEBUG_KERNEL) is
 * still named: by the function that took it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/lock.h>
#include "bench.h"
#include "nmr_compat.h"

struct bench_lockwait_slot {
	struct task_struct *task;	/* the kthread watched on this CPU, or NULL */
	u64 since;			/* ns when its wait began; 0: not waiting */
	struct bench_lockwait_lock *cur;	/* the mutex of that wait */
	bool slept;			/* that wait has slept */
	struct bench_lockwait w;
};

static DEFINE_PER_CPU(struct bench_lockwait_slot, bench_lockwait_slots);
static struct tracepoint *bench_tp_begin, *bench_tp_end;

/* @lock's entry in @w: found, else a free one (its first wait: its stack), else the rest. */
static struct bench_lockwait_lock *bench_lockwait_entry(struct bench_lockwait *w,
							const void *lock, bool record)
{
	struct bench_lockwait_lock *l;

	for (l = w->l; l < w->l + BENCH_LOCKWAIT_LOCKS; l++) {
		if (l->lock == lock)
			return l;
		if (l->lock)
			continue;
		l->lock = lock;
		if (record)
			l->nr_stack = stack_trace_save(l->stack, BENCH_LOCKWAIT_STACK, 0);
		return l;
	}
	return &w->rest;
}

static void bench_lockwait_begin(void *data, void *lock, unsigned int flags)
{
	struct bench_lockwait_slot *s = this_cpu_ptr(&bench_lockwait_slots);

	if (READ_ONCE(s->task) != current || !(flags & LCB_F_MUTEX))
		return;
	if (!s->since) {
		s->since = ktime_get_ns() ?: 1;
		s->cur = bench_lockwait_entry(&s->w, lock, true);
		s->cur->waits++;
		s->slept = false;
	}
	if (!(flags & LCB_F_SPIN) && !s->slept) {
		s->slept = true;
		s->cur->sleeps++;
	}
}

static void bench_lockwait_end(void *data, void *lock, int ret)
{
	struct bench_lockwait_slot *s = this_cpu_ptr(&bench_lockwait_slots);

	if (READ_ONCE(s->task) != current || !s->since)
		return;
	s->cur->ns += ktime_get_ns() - s->since;
	s->since = 0;
}

static void bench_tp_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "contention_begin"))
		bench_tp_begin = tp;
	else if (!strcmp(tp->name, "contention_end"))
		bench_tp_end = tp;
}

/* Attach the probes. Return: 0, or -ENOENT if this kernel has no such tracepoints. */
int bench_lockwait_start(void)
{
	int ret;

	for_each_kernel_tracepoint(bench_tp_find, NULL);
	if (!bench_tp_begin || !bench_tp_end)
		return -ENOENT;
	ret = tracepoint_probe_register(bench_tp_begin, bench_lockwait_begin, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(bench_tp_end, bench_lockwait_end, NULL);
	if (ret) {
		tracepoint_probe_unregister(bench_tp_begin, bench_lockwait_begin, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

/* Detach them; no probe runs once this returns. */
void bench_lockwait_stop(void)
{
	tracepoint_probe_unregister(bench_tp_end, bench_lockwait_end, NULL);
	tracepoint_probe_unregister(bench_tp_begin, bench_lockwait_begin, NULL);
	tracepoint_synchronize_unregister();
}

/* Watch @task, which is bound to @cpu and not running yet (NULL: stop watching). */
void bench_lockwait_watch(unsigned int cpu, struct task_struct *task)
{
	struct bench_lockwait_slot *s = per_cpu_ptr(&bench_lockwait_slots, cpu);

	s->since = 0;
	memset(&s->w, 0, sizeof(s->w));
	WRITE_ONCE(s->task, task);
}

static void bench_lockwait_sum(struct bench_lockwait_lock *to,
			       const struct bench_lockwait_lock *from)
{
	to->ns += from->ns;
	to->waits += from->waits;
	to->sleeps += from->sleeps;
	if (!to->nr_stack) {
		memcpy(to->stack, from->stack, sizeof(to->stack));
		to->nr_stack = from->nr_stack;
	}
}

/* Add what the kthread on @cpu waited (it has stopped) to @sum, mutex by mutex. */
void bench_lockwait_add(unsigned int cpu, struct bench_lockwait *sum)
{
	const struct bench_lockwait *w = &per_cpu_ptr(&bench_lockwait_slots, cpu)->w;
	const struct bench_lockwait_lock *l;

	for (l = w->l; l < w->l + BENCH_LOCKWAIT_LOCKS && l->lock; l++)
		bench_lockwait_sum(bench_lockwait_entry(sum, l->lock, false), l);
	bench_lockwait_sum(&sum->rest, &w->rest);
}

/* All the waits of @w, whatever the mutex, in @all. */
void bench_lockwait_total(const struct bench_lockwait *w, struct bench_lockwait_lock *all)
{
	const struct bench_lockwait_lock *l;

	memset(all, 0, sizeof(*all));
	for (l = w->l; l < w->l + BENCH_LOCKWAIT_LOCKS; l++)
		bench_lockwait_sum(all, l);
	bench_lockwait_sum(all, &w->rest);
}

/* The mutex of @w waited for longest, or NULL if none was. */
const struct bench_lockwait_lock *bench_lockwait_top(const struct bench_lockwait *w)
{
	const struct bench_lockwait_lock *l, *top = NULL;

	for (l = w->l; l < w->l + BENCH_LOCKWAIT_LOCKS && l->lock; l++)
		if (!top || l->ns > top->ns)
			top = l;
	return top;
}

/* Frames of the mutex slow path, the tracepoint and this file, not who took the mutex. */
static bool bench_lockwait_lock_frame(const char *sym)
{
	return strstr(sym, "mutex") || strstr(sym, "contention") ||
	       strstr(sym, "bench_lockwait");
}

/*
 * The first function of @l's first wait that is not the locking code: who
 * took the mutex. Return: its symbol in @sym (KSYM_SYMBOL_LEN), or false.
 */
static bool bench_lockwait_taker(const struct bench_lockwait_lock *l, char *sym)
{
	unsigned int i;

	for (i = 0; i < l->nr_stack; i++) {
		sprint_symbol_no_offset(sym, l->stack[i]);
		if (strncmp(sym, "0x", 2) && !bench_lockwait_lock_frame(sym))
			return true;
	}
	return false;
}

/*
 * The name of @l's mutex, into @buf (@len bytes): its symbol, else the first
 * function of its first wait's stack that is not the locking code ("a mutex
 * taken in nmr_register [nmr]"); never the address itself.
 */
void bench_lockwait_name(const struct bench_lockwait_lock *l, char *buf, size_t len)
{
	char sym[KSYM_SYMBOL_LEN];

	if (!l) {
		strscpy(buf, "none", len);
		return;
	}
	sprint_symbol_no_offset(sym, (unsigned long)l->lock);
	if (strncmp(sym, "0x", 2)) {
		strscpy(buf, sym, len);
		return;
	}
	if (bench_lockwait_taker(l, sym))
		snprintf(buf, len, "a mutex taken in %s", sym);
	else
		strscpy(buf, "a mutex that is not a symbol", len);
}

/*
 * @l's mutex if nmr.ko itself took it: then it is one of nmr.ko's own static
 * mutexes (the NMR allocates none), which lives as long as nmr.ko, so the
 * bench may read it. NULL otherwise (a mutex of the heap may be freed).
 */
struct mutex *bench_lockwait_nmr_mutex(const struct bench_lockwait_lock *l)
{
	char sym[KSYM_SYMBOL_LEN];
	size_t n;

	if (!l || !bench_lockwait_taker(l, sym))
		return NULL;
	n = strlen(sym);
	return n > 6 && !strcmp(sym + n - 6, " [nmr]") ? (struct mutex *)l->lock : NULL;
}

/* ---- how much of the time the mutex is held: sampled ---- */

#define BENCH_HOLD_PERIOD_NS	(1000 * 1000)	/* 1 kHz: light beside the kthreads */

static struct {
	struct hrtimer timer;
	struct mutex *lock;	/* sampled, never taken */
	u64 samples;
	u64 held;
} bench_hold;

static enum hrtimer_restart bench_hold_tick(struct hrtimer *t)
{
	hrtimer_forward_now(t, ns_to_ktime(BENCH_HOLD_PERIOD_NS));
	bench_hold.samples++;
	bench_hold.held += mutex_is_locked(bench_hold.lock);
	return HRTIMER_RESTART;
}

/* Sample, from this CPU's timer interrupt, whether anyone holds @lock. */
void bench_hold_start(struct mutex *lock)
{
	bench_hold.lock = lock;
	bench_hold.samples = 0;
	bench_hold.held = 0;
	hrtimer_setup(&bench_hold.timer, bench_hold_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	hrtimer_start(&bench_hold.timer, ns_to_ktime(BENCH_HOLD_PERIOD_NS), HRTIMER_MODE_REL_HARD);
}

/* Stop sampling. Return: the share of samples that found it held, in thousandths of a %. */
u64 bench_hold_stop(void)
{
	hrtimer_cancel(&bench_hold.timer);
	return div64_u64(bench_hold.held * 100 * 1000, max_t(u64, bench_hold.samples, 1));
}
