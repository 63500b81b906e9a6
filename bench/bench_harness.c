// SPDX-License-Identifier: GPL-2.0
/* nmr_bench's harness: calibrated, interleaved repetitions of timed cases, and their statistics. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/time64.h>
#include "bench.h"

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

u64 bench_median(const struct bench_stat *s)
{
	u64 v[BENCH_MAX_REPS];

	if (!s->n)
		return 0;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	sort(v, s->n, sizeof(v[0]), bench_cmp_u64, NULL);
	return s->n & 1 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

/* The largest distance of a repetition from the median, in tenths of a percent. */
u64 bench_spread(const struct bench_stat *s)
{
	u64 med = bench_median(s), d = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++)
		d = max(d, s->v[i] > med ? s->v[i] - med : med - s->v[i]);
	return med ? div64_u64(d * 1000, med) : 0;
}

void bench_add(struct bench_stat *s, u64 v)
{
	if (s->n < BENCH_MAX_REPS)
		s->v[s->n++] = v;
}

/* A ratio of two medians, in hundredths; and the range of the per-repetition ratios. */
struct bench_ratio bench_ratio_of(const struct bench_stat *num, const struct bench_stat *den)
{
	struct bench_ratio r = { .lo = U64_MAX };
	u64 d = bench_median(den);
	unsigned int i;

	for (i = 0; i < min(num->n, den->n); i++) {
		u64 v = den->v[i] ? div64_u64(num->v[i] * 100, den->v[i]) : 0;

		r.lo = min(r.lo, v);
		r.hi = max(r.hi, v);
	}
	if (r.lo == U64_MAX)
		r.lo = 0;
	r.med = d ? div64_u64(bench_median(num) * 100, d) : 0;
	return r;
}

/* A row decides a goal: @value (hundredths) against the goal's target. */
void bench_goal_set(struct bench_results *res, enum bench_goal_id id, u64 value)
{
	struct bench_goal *g = &res->goals[id];

	g->value = value;
	g->measured = true;
	g->met = g->is_floor ? value >= g->target : value <= g->target;
}

/* Calibrate one case: about rep_ms per repetition. */
int bench_calibrate(struct bench_case *c)
{
	u64 target = (u64)bench_rep_ms * NSEC_PER_MSEC, iters = 1, ns, sub[BENCH_MAX_SUB];
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
int bench_once(struct bench_case *c)
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

/* Calibrate every case, then run them reps times, interleaved. */
int bench_run(struct bench_case *cases, unsigned int n)
{
	unsigned int r, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = bench_calibrate(&cases[i]);
		if (ret)
			return ret;
	}
	for (r = 0; r < bench_reps; r++) {
		for (i = 0; i < n; i++) {
			ret = bench_once(&cases[i]);
			if (ret)
				return ret;
		}
	}
	return 0;
}
