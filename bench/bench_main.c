// SPDX-License-Identifier: GPL-2.0
/* nmr_bench: what binding through the NMR costs beside the kernel's own frameworks, one boot. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"

NMR_IMPORT_NS();

/*
 * The rows (docs/PERFORMANCE.md explains each, with a full run):
 *  1    a bind/unbind cycle: nmr, the auxiliary bus, a notifier chain;
 *  1.1  the nmr cycle taken apart: its three calls, and variants of it;
 *  1.2  the kernel primitives the NMR core is made of;
 *  1.3  a sampled profile of the nmr cycle (x86 with the ORC unwinder);
 *  2    the nmr cycle with 10 000 to 1 000 000 registrations of other NPIs,
 *       and the memory they took;
 *  2.1  beside them, the NMR's HDL-6 step for a module that goes away;
 *  3    deregistering a provider with K bindings, per binding;
 *  4    calls through a binding: bare, nmr_rundown, an atomic counter;
 *  5    slab memory per registration, binding and auxiliary device;
 *  6    the cycle with a pending side beside 1 000 000 live bindings;
 *  7    registering a client into an NPI with K providers, per offer;
 *  8    the cycle on every CPU at once, the host's ceiling, and the mutex
 *       waits that explain the difference.
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
 * medians. Every NMR callback runs on the insmod thread (the NMR calls
 * attach, detach and cleanup inline when nothing is pending), so their
 * counters are plain.
 */

unsigned int bench_reps = 7;
module_param_named(reps, bench_reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of every measurement (3..31)");

unsigned int bench_rep_ms = 50;
module_param_named(rep_ms, bench_rep_ms, uint, 0444);
MODULE_PARM_DESC(rep_ms, "target duration of one repetition of a timed loop, in ms");

unsigned int bench_dispatch_ms = 100;
module_param_named(dispatch_ms, bench_dispatch_ms, uint, 0444);
MODULE_PARM_DESC(dispatch_ms, "duration of one repetition of a dispatch row, in ms");

unsigned int bench_unrelated = 10000;
module_param_named(unrelated, bench_unrelated, uint, 0444);
MODULE_PARM_DESC(unrelated, "providers of other NPIs registered for row 2");

unsigned int bench_unrelated_max = 1000000;
module_param_named(unrelated_max, bench_unrelated_max, uint, 0444);
MODULE_PARM_DESC(unrelated_max, "row 2 also with this many and a tenth of it (0: only unrelated)");

unsigned int bench_big_bindings = 1000000;
module_param_named(big_bindings, bench_big_bindings, uint, 0444);
MODULE_PARM_DESC(big_bindings, "other live bindings of row 6 (a square: 1000 x 1000 by default)");

unsigned int bench_offers_providers = 10000;
module_param_named(offers_providers, bench_offers_providers, uint, 0444);
MODULE_PARM_DESC(offers_providers, "providers of the crowded NPI of row 7");

unsigned int bench_fanout_bindings = 2000;
module_param_named(fanout_bindings, bench_fanout_bindings, uint, 0444);
MODULE_PARM_DESC(fanout_bindings, "bindings torn down per repetition of row 3 (at least 1000)");

unsigned int bench_mem_objects = 10000;
module_param_named(mem_objects, bench_mem_objects, uint, 0444);
MODULE_PARM_DESC(mem_objects, "registrations or bindings per batch of row 5");

unsigned int bench_mem_aux = 1000;
module_param_named(mem_aux, bench_mem_aux, uint, 0444);
MODULE_PARM_DESC(mem_aux, "auxiliary devices per batch of row 5");

unsigned int bench_profile_ms = 1000;
module_param_named(profile_ms, bench_profile_ms, uint, 0444);
MODULE_PARM_DESC(profile_ms, "sample the nmr cycle's stacks for this long (x86; 0 = off)");

/* The goals: name, floor (else ceiling), target in hundredths. The rows decide them. */
static const struct bench_goal bench_goal_defs[NR_BENCH_GOALS] = {
	[BENCH_GOAL_AUX] = { "cycle_vs_auxiliary", true, 5000 },
	[BENCH_GOAL_NOTIFIER] = { "cycle_vs_notifier", false, 1000 },
	[BENCH_GOAL_UNRELATED] = { "unrelated_10k", false, 150 },
	[BENCH_GOAL_FANOUT] = { "fanout_1000", false, 200 },
	[BENCH_GOAL_ATOMIC] = { "rundown_vs_atomic", true, 300 },
	[BENCH_GOAL_BARE] = { "rundown_vs_bare", false, 200 },
	[BENCH_GOAL_UNRELATED_1M] = { "unrelated_1m", false, 120 },
	[BENCH_GOAL_BINDINGS_1M] = { "bindings_1m", false, 120 },
	[BENCH_GOAL_FANOUT_10K] = { "fanout_10k", false, 100 },
	[BENCH_GOAL_OFFERS_10K] = { "offers_10k", false, 150 },
	[BENCH_GOAL_PARALLEL_4] = { "parallel_4", true, 150 },
};

/* The rows, in the order they run and print. */
static const struct bench_row bench_rows[] = {
	{ "1", bench_row_cycle, bench_print_cycle },
	{ "2", bench_row_unrelated, bench_print_unrelated },
	{ "3", bench_row_fanout, bench_print_fanout },
	{ "4", bench_row_calls, bench_print_calls },
	{ "5", bench_row_mem, bench_print_mem },
	{ "6", bench_row_bindings, bench_print_bindings },
	{ "7", bench_row_offers, bench_print_offers },
	{ "8", bench_row_parallel, bench_print_parallel },
};

static bool bench_params_valid(void)
{
	return bench_reps >= 3 && bench_reps <= BENCH_MAX_REPS && bench_rep_ms &&
	       bench_dispatch_ms && bench_mem_objects && bench_fanout_bindings >= 1000 &&
	       bench_offers_providers;
}

/* "running: rows 1, 2, ...": nothing else is printed until every row ran. */
static void bench_announce(void)
{
	char list[64] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench_rows); i++)
		len += scnprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
				 bench_rows[i].name);
	pr_info("running: rows %s (no output until the end)\n", list);
}

static int __init nmr_bench_init(void)
{
	struct bench_results *res;
	unsigned int i;
	int ret;

	if (!bench_params_valid())
		return -EINVAL;
	res = kvzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	res->cpus = num_online_cpus();
	res->reps = bench_reps;
	memcpy(res->goals, bench_goal_defs, sizeof(res->goals));
	ret = bench_compare_setup();
	if (ret)
		goto out;
	bench_announce();
	for (i = 0; i < ARRAY_SIZE(bench_rows) && !ret; i++)
		ret = bench_rows[i].run(res);
	bench_compare_teardown();
	if (ret)
		pr_err("NMR-BENCH-FAILED %d\n", ret);
	else
		bench_report(res, bench_rows, ARRAY_SIZE(bench_rows));
out:
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
