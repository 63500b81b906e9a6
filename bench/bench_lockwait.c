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
 * task and every lock that is not a mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/lock.h>
#include "bench.h"

struct bench_lockwait_slot {
	struct task_struct *task;	/* the kthread watched on this CPU, or NULL */
	u64 since;			/* ns when its wait began; 0: not waiting */
	struct bench_lockwait w;
};

static DEFINE_PER_CPU(struct bench_lockwait_slot, bench_lockwait_slots);
static struct tracepoint *bench_tp_begin, *bench_tp_end;

static void bench_lockwait_begin(void *data, void *lock, unsigned int flags)
{
	struct bench_lockwait_slot *s = this_cpu_ptr(&bench_lockwait_slots);

	if (READ_ONCE(s->task) != current || !(flags & LCB_F_MUTEX))
		return;
	if (!(flags & LCB_F_SPIN))
		s->w.sleeps++;
	if (!s->since) {
		s->since = ktime_get_ns() ?: 1;
		s->w.waits++;
	}
	if (!s->w.lock)
		s->w.lock = lock;
}

static void bench_lockwait_end(void *data, void *lock, int ret)
{
	struct bench_lockwait_slot *s = this_cpu_ptr(&bench_lockwait_slots);

	if (READ_ONCE(s->task) != current || !s->since)
		return;
	s->w.ns += ktime_get_ns() - s->since;
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

/* Add what the kthread on @cpu waited (it has stopped) to @sum. */
void bench_lockwait_add(unsigned int cpu, struct bench_lockwait *sum)
{
	const struct bench_lockwait *w = &per_cpu_ptr(&bench_lockwait_slots, cpu)->w;

	sum->ns += w->ns;
	sum->waits += w->waits;
	sum->sleeps += w->sleeps;
	if (!sum->lock)
		sum->lock = w->lock;
}

/*
 * The name of the mutex waited for, into @buf (@len bytes): its symbol, or a
 * phrase if it has none (the address itself is never printed).
 */
void bench_lockwait_name(const void *lock, char *buf, size_t len)
{
	char sym[KSYM_SYMBOL_LEN];

	if (!lock) {
		strscpy(buf, "none", len);
		return;
	}
	sprint_symbol_no_offset(sym, (unsigned long)lock);
	if (!strncmp(sym, "0x", 2))
		strscpy(buf, "a mutex that is not a symbol", len);
	else
		strscpy(buf, sym, len);
}
