// SPDX-License-Identifier: GPL-2.0
/* nmr_bench's report: the table between NMR-BENCH-BEGIN and -END, then the goal lines. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include "bench.h"

/*
 * Only printing here: every number below was measured, and every ratio and
 * goal decided, by the rows. scripts/bench.sh reads the table between the
 * NMR-BENCH-BEGIN and NMR-BENCH-END lines and the "goal " lines after it.
 */

/* A value in thousandths, printed as "int.hh": BENCH_FMT with BENCH_INT(v), BENCH_HUN(v). */
#define BENCH_FMT	"%llu.%02llu"
#define BENCH_INT(v)	div_u64(v, 1000)
#define BENCH_HUN(v)	div_u64((v) % 1000, 10)

/* A measurement: median, spread, [min .. max]. */
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

/* A ratio of medians and the range of the per-repetition ratios. */
static void bench_ratio_line(const char *row, const char *what, const struct bench_ratio *r)
{
	pr_info("%-4s %-52s %9llu.%02llu x        [%llu.%02llu .. %llu.%02llu] per repetition\n",
		row, what, r->med / 100, r->med % 100, r->lo / 100, r->lo % 100,
		r->hi / 100, r->hi % 100);
}

/* A value in thousandths of a ns, with no spread. */
static void bench_ns_line(const char *row, const char *what, u64 v)
{
	pr_info("%-4s %-52s %9llu.%02llu ns\n", row, what, BENCH_INT(v), BENCH_HUN(v));
}

static void bench_bytes_line(const char *row, const char *what, long bytes)
{
	pr_info("%-4s %-52s %9ld    bytes\n", row, what, bytes);
}

static void bench_goal_line(const struct bench_goal *g)
{
	if (g->measured)
		pr_info("goal %s value=%llu.%02llu target=%s%llu.%02llu met=%s\n", g->name,
			g->value / 100, g->value % 100, g->is_floor ? ">=" : "<=",
			g->target / 100, g->target % 100, g->met ? "yes" : "no");
	else
		pr_info("goal %s value=none target=%s%llu.%02llu met=no\n", g->name,
			g->is_floor ? ">=" : "<=", g->target / 100, g->target % 100);
}

/* ---- one function per row ---- */

/* Row 1.1: the nmr cycle's phases, its variants without a provider. */
static void bench_print_breakdown(const struct bench_cycle_result *cy)
{
	const struct bench_case *c = cy->c;

	pr_info("1.1  where the nmr cycle's time goes (same boot)\n");
	bench_line("1.1", "phase: nmr_register_client() incl. attach", &c[C1_PHASES].sub[0], "ns");
	bench_line("1.1", "phase: nmr_deregister_client() incl. detach+cleanup",
		   &c[C1_PHASES].sub[1], "ns");
	bench_line("1.1", "phase: nmr_wait_for_client_deregister_complete()",
		   &c[C1_PHASES].sub[2], "ns");
	bench_line("1.1", "cycle, no provider (NPI kept by another client)",
		   &c[C1_NOBIND_SHARED].st, "ns");
	bench_line("1.1", "cycle, no provider, client alone on its NPI", &c[C1_NOBIND_FRESH].st,
		   "ns");
	bench_ns_line("1.1", "=> the binding's share (cycle - no provider)", cy->binding_share);
}

/* Row 1.2: the primitives. */
static void bench_print_prims(const struct bench_cycle_result *cy)
{
	unsigned int i;
	char what[64];

	for (i = 0; i < BENCH_NR_PRIMS; i++) {
		snprintf(what, sizeof(what), "primitive: %s", bench_prims[i].what);
		bench_line("1.2", what, &cy->prim[i].st, "ns");
	}
}

static void bench_print_syms(const char *title, const struct bench_sym *tab, unsigned int total)
{
	unsigned int i, pm;

	pr_info("1.3  %s\n", title);
	for (i = 0; i < BENCH_PROF_TOP && tab[i].n; i++) {
		pm = div_u64((u64)tab[i].n * 1000, total);
		pr_info("1.3    %3u.%u%%  %s\n", pm / 10, pm % 10, tab[i].name);
	}
}

/* Row 1.3: the profile, when there is one. */
static void bench_print_profile(const struct bench_profile *p)
{
	if (!p->n)
		return;
	pr_info("1.3  profile of the nmr cycle: %u stack samples every %u us on its CPU (%u elsewhere)\n",
		p->n, BENCH_PROF_PERIOD_NS / 1000, p->other);
	bench_print_syms("by innermost function (self):", p->self, p->n);
	bench_print_syms("by nmr.ko function on the stack (inclusive):", p->nmr, p->n);
	bench_print_syms("by what the innermost nmr.ko function called, or by interrupt:",
			 p->callee, p->n);
	bench_print_syms("by nmr.ko function > what it was calling (task context):",
			 p->pair, p->n);
}

/* Rows 1 to 1.3. */
void bench_print_cycle(const struct bench_results *res)
{
	const struct bench_cycle_result *cy = &res->cycle;
	const struct bench_case *c = cy->c;

	pr_info("1    bind/unbind cycle, one provider registered\n");
	bench_line("1", "nmr: register client+attach, deregister, wait", &c[C1_NMR].st, "ns");
	if (BENCH_HAVE_AUX)
		bench_line("1", "auxiliary bus: add device+bind, delete+unbind", &c[C1_AUX].st,
			   "ns");
	else
		pr_info("1    auxiliary bus: not in this kernel (CONFIG_AUXILIARY_BUS)\n");
	bench_line("1", "blocking notifier: register + unregister", &c[C1_NOTIFIER].st, "ns");
	if (BENCH_HAVE_AUX)
		bench_ratio_line("1", "ratio auxiliary / nmr", &cy->aux_nmr);
	bench_ratio_line("1", "ratio nmr / notifier", &cy->nmr_notifier);
	bench_print_breakdown(cy);
	bench_print_prims(cy);
	bench_print_profile(&cy->prof);
}

/* "memory: <n> <what>: <MiB> MiB, <bytes> B each": what a big row's objects took. */
static void bench_mem_line(const char *row, unsigned int n, const char *what, u64 kib)
{
	pr_info("%-4s memory: %u %s: %llu MiB, %llu B each\n", row, n, what,
		div_u64(kib, 1024), n ? div_u64(kib * 1024, n) : 0);
}

void bench_print_unrelated(const struct bench_results *res)
{
	const struct bench_unrelated_result *u = &res->unrelated;
	char what[64];

	unsigned int i;

	pr_info("2    the cycle of row 1 with unrelated registrations (providers of other NPIs)\n");
	for (i = 0; i < BENCH_UNRELATED_NS; i++) {
		if (!u->n[i])
			continue;
		bench_line("2", "nmr cycle, 0 unrelated", &u->c[i][0].st, "ns");
		snprintf(what, sizeof(what), "nmr cycle, %u unrelated", u->n[i]);
		bench_line("2", what, &u->c[i][1].st, "ns");
		snprintf(what, sizeof(what), "ratio %u unrelated / 0", u->n[i]);
		bench_ratio_line("2", what, &u->ratio[i]);
		bench_mem_line("2", u->n[i], "unrelated registrations", u->mem_kib[i]);
	}
	if (!u->going[0][0].n)
		return;
	pr_info("2.1  a module goes away that registered nothing: the NMR's HDL-6 step, per unload\n");
	for (i = 0; i < BENCH_UNRELATED_NS; i++) {
		if (!u->n[i])
			continue;
		bench_line("2.1", "going step, 0 unrelated", &u->going[i][0], "ns");
		snprintf(what, sizeof(what), "going step, %u unrelated", u->n[i]);
		bench_line("2.1", what, &u->going[i][1], "ns");
		snprintf(what, sizeof(what), "ratio %u unrelated / 0", u->n[i]);
		bench_ratio_line("2.1", what, &u->going_ratio[i]);
	}
}

void bench_print_fanout(const struct bench_results *res)
{
	const struct bench_fanout_result *f = &res->fanout;
	unsigned int i;
	char what[64];

	pr_info("3    fan-out teardown: deregister a provider with K bindings, wait\n");
	for (i = 0; i < BENCH_FANOUT_NK; i++) {
		snprintf(what, sizeof(what), "per binding, K = %u", f->k[i]);
		bench_line("3", what, &f->c[i].st, "ns");
	}
	snprintf(what, sizeof(what), "ratio per binding K = %u / K = %u", f->k[2], f->k[0]);
	bench_ratio_line("3", what, &f->ratio_1000);
	snprintf(what, sizeof(what), "ratio per binding K = %u / K = %u", f->k[3], f->k[0]);
	bench_ratio_line("3", what, &f->ratio_10k);
}

void bench_print_bindings(const struct bench_results *res)
{
	const struct bench_bindings_result *b = &res->bindings;
	char what[64];

	pr_info("6    handle look-ups: the cycle with a pending side, beside other live bindings\n");
	bench_line("6", "pending cycle, 0 other bindings", &b->c[0].st, "ns");
	snprintf(what, sizeof(what), "pending cycle, %u other bindings", b->n);
	bench_line("6", what, &b->c[1].st, "ns");
	snprintf(what, sizeof(what), "ratio %u other bindings / 0", b->n);
	bench_ratio_line("6", what, &b->ratio);
	bench_mem_line("6", b->n, "other bindings (with their registrations)", b->mem_kib);
}

void bench_print_offers(const struct bench_results *res)
{
	const struct bench_offers_result *o = &res->offers;
	char what[64];

	pr_info("7    register a client into an NPI with K providers: time per offer\n");
	bench_line("7", "per offer, K = 1", &o->c[0].st, "ns");
	snprintf(what, sizeof(what), "per offer, K = %u", o->k);
	bench_line("7", what, &o->c[1].st, "ns");
	snprintf(what, sizeof(what), "ratio per offer K = %u / K = 1", o->k);
	bench_ratio_line("7", what, &o->ratio);
}

void bench_print_parallel(const struct bench_results *res)
{
	const struct bench_parallel_result *pr = &res->parallel;
	char what[64];

	pr_info("8    cycles on every CPU at once, one kthread per CPU, each on its own NPI\n");
	bench_line("8", "1 kthread", &pr->one, "cycle/s");
	snprintf(what, sizeof(what), "%u kthreads together", pr->threads);
	bench_line("8", what, &pr->all, "cycle/s");
	snprintf(what, sizeof(what), "ratio %u kthreads / 1", pr->threads);
	bench_ratio_line("8", what, &pr->ratio);
	bench_line("8", "ceiling: 1 kthread, bare calls", &pr->bare_one, "kcall/s");
	snprintf(what, sizeof(what), "ceiling: %u kthreads, bare calls", pr->threads);
	bench_line("8", what, &pr->bare_all, "kcall/s");
	snprintf(what, sizeof(what), "ceiling: ratio %u kthreads / 1 (nothing shared)",
		 pr->threads);
	bench_ratio_line("8", what, &pr->bare_ratio);
	if (pr->lockwait) {
		pr_info("8    why: no lock contention tracepoints in this kernel (%d)\n",
			pr->lockwait);
		return;
	}
	snprintf(what, sizeof(what), "why: %u kthreads' time waiting for a mutex", pr->threads);
	bench_line("8", what, &pr->wait_pct, "%");
	bench_line("8", "why: mutex waits per cycle", &pr->waits_cyc, "");
	bench_line("8", "why: of which slept, per cycle", &pr->sleeps_cyc, "");
	if (pr->nr_locks > BENCH_LOCKWAIT_LOCKS)
		pr_info("8    why: mutexes waited for: more than %u\n", BENCH_LOCKWAIT_LOCKS);
	else
		pr_info("8    why: mutexes waited for: %u\n", pr->nr_locks);
	pr_info("8    why: the one waited for longest: %s\n", pr->top_name);
	bench_line("8", "why: its share of the waiting", &pr->top_pct, "%");
	if (!pr->held_one.n) {
		pr_info("8    why: how long it is held: not sampled (not a mutex of nmr.ko)\n");
		return;
	}
	bench_line("8", "why: it is held, 1 kthread (sampled every ms)", &pr->held_one, "%");
	snprintf(what, sizeof(what), "why: it is held, %u kthreads", pr->threads);
	bench_line("8", what, &pr->held_all, "%");
	snprintf(what, sizeof(what), "why: so %u kthreads do at most (100 / held of 1)",
		 pr->threads);
	pr_info("8    %-52s %9llu.%02llu x\n", what, pr->held_bound / 100, pr->held_bound % 100);
	snprintf(what, sizeof(what), "why: here, at most that x (ceiling / %u)", pr->threads);
	pr_info("8    %-52s %9llu.%02llu x\n", what, pr->held_here / 100, pr->held_here % 100);
}

/* Row 4, all CPUs: "<cpus> CPUs: <what>". */
static void bench_calls_line(const struct bench_calls_result *cr, const char *what,
			     enum bench_guard guard)
{
	char line[64];

	snprintf(line, sizeof(line), "%u CPUs: %s", cr->cpus, what);
	bench_line("4", line, &cr->dn[guard], "Mcall/s");
}

void bench_print_calls(const struct bench_results *res)
{
	const struct bench_calls_result *cr = &res->calls;

	pr_info("4    calls through a binding: bare, nmr_rundown (EXT-3), atomic counter\n");
	bench_line("4", "1 CPU: bare indirect call", &cr->d1[BENCH_BARE], "ns/call");
	bench_line("4", "1 CPU: nmr_rundown acquire + call + release", &cr->d1[BENCH_RUNDOWN],
		   "ns/call");
	bench_line("4", "1 CPU: atomic rundown acquire + call + release", &cr->d1[BENCH_ATOMIC],
		   "ns/call");
	bench_line("4", "1 CPU: variant: plain percpu_ref_tryget_live/put",
		   &cr->d1[BENCH_PLAIN], "ns/call");
	bench_calls_line(cr, "bare indirect call", BENCH_BARE);
	bench_calls_line(cr, "nmr_rundown", BENCH_RUNDOWN);
	bench_calls_line(cr, "atomic rundown", BENCH_ATOMIC);
	bench_calls_line(cr, "variant: plain percpu_ref_tryget_live/put", BENCH_PLAIN);
	bench_ratio_line("4", "ratio throughput nmr_rundown / atomic, all CPUs",
			 &cr->rundown_atomic);
	bench_ratio_line("4", "ratio time nmr_rundown / bare, 1 CPU", &cr->rundown_bare);
}

void bench_print_mem(const struct bench_results *res)
{
	const struct bench_mem_result *m = &res->mem;

	pr_info("5    slab memory (vmstat slab pages, 2nd of two batches of %u; aux: of %u)\n",
		m->objects, m->aux_objects);
	bench_bytes_line("5", "nmr: provider registration, NPI of its own", m->reg_own_npi);
	bench_bytes_line("5", "nmr: client registration, shared NPI, unbound", m->reg_shared_npi);
	bench_bytes_line("5", "nmr: client registration + its binding", m->reg_bound);
	bench_bytes_line("5", "=> nmr: one binding", m->binding);
	if (m->aux)
		bench_bytes_line("5", "auxiliary bus: one bound device", m->aux_device);
	bench_bytes_line("5", "notifier: one notifier_block (caller's)", m->notifier_block);
}

/**
 * bench_report() - print the table and the goal lines
 * @res: what the rows measured and decided
 * @rows: the rows, in order
 * @nr_rows: how many
 */
void bench_report(const struct bench_results *res, const struct bench_row *rows,
		  unsigned int nr_rows)
{
	unsigned int i;

	pr_info("NMR-BENCH-BEGIN\n");
	pr_info("%u CPUs online, %u repetitions per row: median, spread (largest distance from it), [min .. max]\n",
		res->cpus, res->reps);
	pr_info("row  %-52s %12s %-7s %s\n", "measurement", "median", "unit",
		"spread    [min .. max]");
	for (i = 0; i < nr_rows; i++)
		rows[i].print(res);
	pr_info("memory: at most %llu MiB of the guest's %llu MiB were in use at the big rows' peaks\n",
		div_u64(bench_mem_peak_kib, 1024), div_u64(bench_mem_total_kib(), 1024));
	pr_info("NMR-BENCH-END\n");
	for (i = 0; i < NR_BENCH_GOALS; i++)
		bench_goal_line(&res->goals[i]);
}
