// SPDX-License-Identifier: GPL-2.0
/* nmr_bench rows 1 to 1.3: the bind/unbind cycle against the kernel's, its breakdown, profile. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/printk.h>
#include <linux/slab.h>
#include "bench.h"

/* The NPIs of row 1: the cycle's (with a provider), and two without a provider. */
enum { CYC_BOUND, CYC_SHARED, CYC_FRESH, NR_CYC };

/*
 * Rows 1 and 1.1, interleaved: the nmr cycle beside the auxiliary bus's and
 * a notifier's (the notifier's twice where there is no auxiliary bus, to
 * keep the interleaving), the nmr cycle with no provider, and its phases.
 */
static int bench_cycle_measure(struct bench_case *c, struct bench_npi *npi)
{
	struct bench_npi *cyc = &npi[CYC_BOUND], *shared = &npi[CYC_SHARED];
	struct bench_npi *fresh = &npi[CYC_FRESH];
	int ret;

	c[C1_NMR] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = cyc };
	c[C1_AUX] = (struct bench_case){
		.fn = BENCH_HAVE_AUX ? bench_aux_cycle : bench_notifier_cycle };
	c[C1_NOTIFIER] = (struct bench_case){ .fn = bench_notifier_cycle };
	c[C1_NOBIND_SHARED] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = shared };
	c[C1_NOBIND_FRESH] = (struct bench_case){ .fn = bench_nmr_cycle, .arg = fresh };
	c[C1_PHASES] = (struct bench_case){ .fn = bench_nmr_phases, .arg = cyc };
	ret = bench_run(c, NR_C1);
	if (ret)
		return ret;
	if (cyc->attached != cyc->cleaned || !cyc->attached || shared->attached ||
	    fresh->attached) {
		pr_err("row 1: %lu attached, %lu cleaned up\n", cyc->attached, cyc->cleaned);
		return -EPROTO;
	}
	return 0;
}

/* The ratios of row 1 and their goals; the binding's share of the cycle (1.1). */
static void bench_cycle_decide(struct bench_results *res)
{
	struct bench_cycle_result *cy = &res->cycle;
	u64 bound, unbound;

	if (BENCH_HAVE_AUX) {
		cy->aux_nmr = bench_ratio_of(&cy->c[C1_AUX].st, &cy->c[C1_NMR].st);
		bench_goal_set(res, BENCH_GOAL_AUX, cy->aux_nmr.med);
	}
	cy->nmr_notifier = bench_ratio_of(&cy->c[C1_NMR].st, &cy->c[C1_NOTIFIER].st);
	bench_goal_set(res, BENCH_GOAL_NOTIFIER, cy->nmr_notifier.med);
	bound = bench_median(&cy->c[C1_NMR].st);
	unbound = bench_median(&cy->c[C1_NOBIND_SHARED].st);
	cy->binding_share = bound > unbound ? bound - unbound : 0;
}

/*
 * Rows 1 to 1.3, with one provider registered on the cycle's NPI and one
 * client keeping the shared NPI: the cycles, the profile, the primitives.
 */
int bench_row_cycle(struct bench_results *res)
{
	struct bench_cycle_result *cy = &res->cycle;
	struct nmr_client *keeper = NULL;
	struct nmr_provider *p = NULL;
	struct bench_npi *npi;
	int ret, r;

	npi = kmalloc_array(NR_CYC, sizeof(*npi), GFP_KERNEL);
	if (!npi)
		return -ENOMEM;
	bench_npi_init(&npi[CYC_BOUND], BENCH_NPI_CYCLE);
	bench_npi_init(&npi[CYC_SHARED], BENCH_NPI_SHARED);
	bench_npi_init(&npi[CYC_FRESH], BENCH_NPI_FRESH);
	ret = nmr_register_provider(&npi[CYC_BOUND].pc, &npi[CYC_BOUND], &p);
	if (ret)
		goto out;
	ret = nmr_register_client(&npi[CYC_SHARED].cc, &npi[CYC_SHARED], &keeper);
	if (ret)
		goto out;
	ret = bench_cycle_measure(cy->c, npi);
	ret = ret ?: bench_prof_run(&cy->prof, &npi[CYC_BOUND]);
	ret = ret ?: bench_prims_run(cy->prim);
	if (!ret)
		bench_cycle_decide(res);
out:
	if (keeper) {
		r = bench_client_gone(keeper);
		ret = ret ?: r;
	}
	if (p) {
		r = bench_provider_gone(p);
		ret = ret ?: r;
	}
	kfree(npi);
	return ret;
}
