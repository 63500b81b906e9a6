// SPDX-License-Identifier: GPL-2.0
/* nmr_bench row 1.3: where the nmr cycle's time goes, by sampling its stacks (x86, ORC). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/vmalloc.h>
#include "bench.h"
#include "nmr_compat.h"

#if BENCH_HAVE_PROFILE
#include <asm/irq_regs.h>
#include <asm/unwind.h>
#endif

#define BENCH_PROF_DEPTH	20
#define BENCH_PROF_MAX		10000

/**
 * struct bench_sampler - a poor man's perf: stacks of one task, sampled on its CPU
 * @timer: fires every %BENCH_PROF_PERIOD_NS on that CPU, in hard interrupt context
 * @task: the sampled task
 * @n: samples taken while @task ran in the kernel
 * @other: samples that found another task, or user mode
 * @ips: each sample's stack, innermost first, ended by 0
 */
struct bench_sampler {
	struct hrtimer timer;
	struct task_struct *task;
	unsigned int n;
	unsigned int other;
	unsigned long ips[BENCH_PROF_MAX][BENCH_PROF_DEPTH];
};

#if BENCH_HAVE_PROFILE
static enum hrtimer_restart bench_prof_tick(struct hrtimer *t)
{
	struct bench_sampler *p = container_of(t, struct bench_sampler, timer);
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
static int bench_prof_sample(struct bench_sampler *p, struct bench_npi *cyc)
{
	u64 end, ns, sub[BENCH_MAX_SUB];
	int ret;

	ret = set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	if (ret)
		return ret;
	p->task = current;
	hrtimer_setup(&p->timer, bench_prof_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_start(&p->timer, ns_to_ktime(BENCH_PROF_PERIOD_NS), HRTIMER_MODE_REL_PINNED_HARD);
	end = ktime_get_ns() + (u64)bench_profile_ms * NSEC_PER_MSEC;
	do {
		ret = bench_nmr_cycle(cyc, 64, &ns, sub);
	} while (!ret && ktime_get_ns() < end && READ_ONCE(p->n) < BENCH_PROF_MAX);
	hrtimer_cancel(&p->timer);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	return ret;
}
#else
static int bench_prof_sample(struct bench_sampler *p, struct bench_npi *cyc)
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

/**
 * struct bench_prof_walk - the walk of one sample's stack, innermost frame first
 * @buf: the frame's symbol (KSYM_SYMBOL_LEN)
 * @pair: "nmr function > callee" (2 * KSYM_SYMBOL_LEN)
 * @seen: the nmr.ko functions counted for this sample (%BENCH_PROF_DEPTH names)
 * @nseen: how many
 * @irq: the kind of interrupt work the frames so far showed, or NULL
 * @in_irq: an interrupt entry was passed: the frames so far ran in it
 * @attributed: the sample's callee was counted
 * @prev: the last frame outside nmr.ko
 */
struct bench_prof_walk {
	char *buf;
	char *pair;
	char *seen;
	unsigned int nseen;
	const char *irq;
	bool in_irq;
	bool attributed;
	char prev[BENCH_SYM_NAME];
};

/* A frame of nmr.ko, the @d-th: the first one names the callee; each counts once. */
static void bench_prof_nmr_frame(struct bench_profile *p, struct bench_prof_walk *w,
				 unsigned int d)
{
	unsigned int k;

	if (!w->attributed) {
		w->attributed = true;
		bench_sym_count(p->callee, d ? w->prev : "(the nmr function itself)");
		snprintf(w->pair, 2 * KSYM_SYMBOL_LEN, "%.*s > %s",
			 (int)(strlen(w->buf) - strlen(" [nmr]")), w->buf,
			 d ? w->prev : "(itself)");
		bench_sym_count(p->pair, w->pair);
	}
	for (k = 0; k < w->nseen; k++)
		if (!strncmp(w->seen + k * BENCH_SYM_NAME, w->buf, BENCH_SYM_NAME - 1))
			break;
	if (k == w->nseen) {
		strscpy(w->seen + w->nseen++ * BENCH_SYM_NAME, w->buf, BENCH_SYM_NAME);
		bench_sym_count(p->nmr, w->buf);
	}
}

/* The @d-th frame of a sample, at @ip. */
static void bench_prof_frame(struct bench_profile *p, struct bench_prof_walk *w,
			     unsigned long ip, unsigned int d)
{
	const char *kind;

	/* A return address points after its call: look up the call. */
	sprint_symbol_no_offset(w->buf, d ? ip - 1 : ip);
	if (!d)
		bench_sym_count(p->self, w->buf);
	if (!w->in_irq) {
		kind = bench_prof_irq_kind(w->buf);
		w->irq = w->irq ?: kind;
		/* Interrupt entry: the frames so far ran in it. */
		if (!strncmp(w->buf, "asm_", 4)) {
			w->in_irq = true;
			bench_sym_count(p->callee, w->irq ?: "(interrupt: other)");
			w->attributed = true;
		}
	}
	if (!strstr(w->buf, " [nmr]")) {
		strscpy(w->prev, w->buf, sizeof(w->prev));
		return;
	}
	bench_prof_nmr_frame(p, w, d);
}

/*
 * Attribute a sample four ways: to its innermost function (self), to each
 * nmr.ko function on its stack (inclusive, once per sample), to what the
 * innermost nmr.ko function was calling at the time (a kernel service, one
 * of the bench's callbacks, or the nmr function itself), or, when the sample
 * found an interrupt or softirq running, to that; and to the pair of the nmr
 * function and its callee.
 */
static void bench_prof_attribute(struct bench_profile *p, struct bench_prof_walk *w,
				 const unsigned long *e)
{
	unsigned int d;

	w->nseen = 0;
	w->irq = NULL;
	w->in_irq = false;
	w->attributed = false;
	w->prev[0] = '\0';
	for (d = 0; d < BENCH_PROF_DEPTH && e[d]; d++)
		bench_prof_frame(p, w, e[d], d);
	if (!w->attributed)
		bench_sym_count(p->callee, "(no nmr function on the stack)");
}

/* Every sample of @s attributed in @p, each table sorted, most samples first. */
static int bench_prof_digest(struct bench_profile *p, const struct bench_sampler *s)
{
	struct bench_prof_walk w = { };
	unsigned int i;
	int ret = -ENOMEM;

	w.buf = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	w.pair = kmalloc(2 * KSYM_SYMBOL_LEN, GFP_KERNEL);
	w.seen = kmalloc_array(BENCH_PROF_DEPTH, BENCH_SYM_NAME, GFP_KERNEL);
	if (w.buf && w.pair && w.seen) {
		for (i = 0; i < s->n; i++) {
			bench_prof_attribute(p, &w, s->ips[i]);
			cond_resched();
		}
		ret = 0;
	}
	kfree(w.buf);
	kfree(w.pair);
	kfree(w.seen);
	if (ret)
		return ret;
	sort(p->self, BENCH_PROF_SYMS, sizeof(p->self[0]), bench_sym_cmp, NULL);
	sort(p->nmr, BENCH_PROF_SYMS, sizeof(p->nmr[0]), bench_sym_cmp, NULL);
	sort(p->callee, BENCH_PROF_SYMS, sizeof(p->callee[0]), bench_sym_cmp, NULL);
	sort(p->pair, BENCH_PROF_SYMS, sizeof(p->pair[0]), bench_sym_cmp, NULL);
	return 0;
}

/**
 * bench_prof_run() - sample the nmr cycle of @cyc for profile_ms and digest the samples
 * @prof: filled; @prof->n stays 0 when there is no profile (not x86 with ORC,
 *	or profile_ms=0)
 * @cyc: an NPI with a provider registered
 *
 * Return: 0 or -errno.
 */
int bench_prof_run(struct bench_profile *prof, struct bench_npi *cyc)
{
	struct bench_sampler *s;
	int ret;

	if (!BENCH_HAVE_PROFILE || !bench_profile_ms)
		return 0;
	s = vzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = bench_prof_sample(s, cyc);
	if (!ret) {
		prof->n = s->n;
		prof->other = s->other;
		ret = bench_prof_digest(prof, s);
	}
	vfree(s);
	return ret;
}
