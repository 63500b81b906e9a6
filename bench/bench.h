/* SPDX-License-Identifier: GPL-2.0 */
/* nmr_bench's private header: what its harness, comparators, rows, profiler and report share. */
#ifndef NMR_BENCH_H
#define NMR_BENCH_H

#include <linux/kconfig.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <nmr/nmr.h>

/*
 * The files of nmr_bench.ko (bench/Kbuild):
 *  bench_main.c          parameters, goals, the table of rows, module init;
 *  bench_harness.c       timed cases: calibration, interleaved repetitions,
 *                        medians, spreads, ratios; goal results;
 *  bench_nmr.c           the NMR side: an NPI, minimal callbacks, the cycle;
 *  bench_compare.c       the comparators: auxiliary bus and notifier chain;
 *  bench_prims.c         the kernel primitives the NMR core is made of;
 *  bench_prof.c          a sampling stack profiler of the nmr cycle;
 *  bench_lockwait.c      mutex waits of row 8's kthreads (lock tracepoints);
 *  bench_row_cycle.c     rows 1, 1.1, 1.2, 1.3;
 *  bench_row_scale.c     rows 2 and 3: many registrations, many bindings;
 *  bench_row_calls.c     row 4: calls through a binding;
 *  bench_row_mem.c       row 5: slab memory;
 *  bench_row_big.c       rows 6, 7, 8: look-ups beside a million bindings,
 *                        offers into a crowded NPI, cycles on every CPU;
 *  bench_report.c        the table and the goal lines (prints, computes nothing).
 *
 * Adding a row: its parameters in bench_main.c (validated in nmr_bench_init());
 * a result structure below, a member of struct bench_results; a run function
 * in a bench_row_*.c file that measures, fills its result and calls
 * bench_goal_set() for each goal it decides; a print function in
 * bench_report.c that prints that result only; an entry in bench_rows[]
 * (bench_main.c). Adding a goal: an entry in enum bench_goal_id (the goal
 * lines come in its order) and its target in bench_goal_defs[] (bench_main.c).
 * scripts/bench.sh counts the goal lines.
 */

/* ---- parameters (bench_main.c) ---- */

extern unsigned int bench_reps;
extern unsigned int bench_rep_ms;
extern unsigned int bench_dispatch_ms;
extern unsigned int bench_unrelated;
extern unsigned int bench_unrelated_max;
extern unsigned int bench_big_bindings;
extern unsigned int bench_offers_providers;
extern unsigned int bench_fanout_bindings;
extern unsigned int bench_mem_objects;
extern unsigned int bench_mem_aux;
extern unsigned int bench_profile_ms;

/* ---- the harness (bench_harness.c) ---- */

#define BENCH_MAX_REPS	31
#define BENCH_MAX_SUB	3

/* One value per repetition, in thousandths of the row's unit. */
struct bench_stat {
	unsigned int n;
	u64 v[BENCH_MAX_REPS];
};

/**
 * struct bench_case - one timed loop
 * @fn: runs @iters iterations; returns 0 or -errno and the elapsed time in
 *	*@ns; may time up to %BENCH_MAX_SUB parts of the iteration in @sub
 * @arg: passed to @fn
 * @iters: iterations per repetition, from calibration
 * @st: picoseconds per iteration, one value per repetition
 * @sub: the same for each part @fn timed
 */
struct bench_case {
	int (*fn)(void *arg, u64 iters, u64 *ns, u64 *sub);
	void *arg;
	u64 iters;
	struct bench_stat st;
	struct bench_stat sub[BENCH_MAX_SUB];
};

/**
 * struct bench_ratio - a ratio of two medians, in hundredths
 * @med: median of the numerator / median of the denominator
 * @lo: the smallest of the per-repetition ratios
 * @hi: the largest of them
 */
struct bench_ratio {
	u64 med;
	u64 lo;
	u64 hi;
};

u64 bench_median(const struct bench_stat *s);
u64 bench_spread(const struct bench_stat *s);
void bench_add(struct bench_stat *s, u64 v);
struct bench_ratio bench_ratio_of(const struct bench_stat *num, const struct bench_stat *den);
int bench_calibrate(struct bench_case *c);
int bench_once(struct bench_case *c);
int bench_run(struct bench_case *cases, unsigned int n);

/* ---- goals: targets in bench_main.c, decided by the rows ---- */

/* In the order of the goal lines. */
enum bench_goal_id {
	BENCH_GOAL_AUX,			/* row 1 */
	BENCH_GOAL_NOTIFIER,		/* row 1 */
	BENCH_GOAL_UNRELATED,		/* row 2 */
	BENCH_GOAL_FANOUT,		/* row 3 */
	BENCH_GOAL_ATOMIC,		/* row 4 */
	BENCH_GOAL_BARE,		/* row 4 */
	BENCH_GOAL_UNRELATED_1M,	/* row 2 */
	BENCH_GOAL_BINDINGS_1M,		/* row 6 */
	BENCH_GOAL_FANOUT_10K,		/* row 3 */
	BENCH_GOAL_OFFERS_10K,		/* row 7 */
	BENCH_GOAL_PARALLEL_4,		/* row 8 */
	NR_BENCH_GOALS,
};

/**
 * struct bench_goal - a goal and, once its row ran, its result
 * @name: the goal line's name
 * @is_floor: the target is a floor; else a ceiling
 * @target: in hundredths
 * @value: in hundredths
 * @measured: @value was measured
 * @met: @value is on the right side of @target
 */
struct bench_goal {
	const char *name;
	bool is_floor;
	u64 target;
	u64 value;
	bool measured;
	bool met;
};

struct bench_results;
void bench_goal_set(struct bench_results *res, enum bench_goal_id id, u64 value);

/* ---- the NMR side (bench_nmr.c) ---- */

extern const struct nmr_module_id bench_module_id;

/* The dispatch table both sides hand over; row 4 calls through it. */
struct bench_dispatch {
	u64 (*call)(void *ctx, u64 x);
};

extern const struct bench_dispatch bench_dispatch;

/**
 * struct bench_npi - an NPI, a client and a provider of it, and what their callbacks saw
 * @id: the NPI
 * @cc: the client characteristics (any number of registrations share them)
 * @pc: the provider characteristics
 * @attached: client attach_provider calls that bound
 * @detached: client detach_provider calls
 * @cleaned: client cleanup_binding_context calls
 */
struct bench_npi {
	guid_t id;
	struct nmr_client_characteristics cc;
	struct nmr_provider_characteristics pc;
	unsigned long attached;
	unsigned long detached;
	unsigned long cleaned;
};

/* NPI tags: the last four bytes of the NPI GUID. */
enum {
	BENCH_NPI_CYCLE = 1,		/* rows 1 and 2 */
	BENCH_NPI_FANOUT,		/* row 3 */
	BENCH_NPI_SHARED,		/* row 1 breakdown: no provider, NPI kept by a client */
	BENCH_NPI_FRESH,		/* row 1 breakdown: no provider, NPI made and freed */
	BENCH_NPI_MEM_SHARED,		/* row 5: clients of one NPI, no provider */
	BENCH_NPI_MEM_BOUND,		/* row 5: clients of one NPI with a provider */
	BENCH_NPI_PENDING,		/* row 6: the cycle with a pending side */
	BENCH_NPI_BIG,			/* row 6: the million other bindings */
	BENCH_NPI_OFFERS_1,		/* row 7: one provider */
	BENCH_NPI_OFFERS_K,		/* row 7: many providers */
	BENCH_NPI_PARALLEL = 0x100,	/* row 8: + thread */
	BENCH_NPI_UNRELATED = 0x10000000,	/* row 2: + i */
	BENCH_NPI_MEM_OWN = 0x20000000,		/* row 5: + i */
};

void bench_npi_init(struct bench_npi *n, u32 tag);

/* Deregister and wait; the bench's callbacks never pend, so the wait returns at once. */
static inline int bench_client_gone(struct nmr_client *c)
{
	int ret = nmr_deregister_client(c);

	if (ret != -EINPROGRESS)
		return ret ?: -EPROTO;
	return nmr_wait_for_client_deregister_complete(c);
}

static inline int bench_provider_gone(struct nmr_provider *p)
{
	int ret = nmr_deregister_provider(p);

	if (ret != -EINPROGRESS)
		return ret ?: -EPROTO;
	return nmr_wait_for_provider_deregister_complete(p);
}

int bench_nmr_cycle(void *arg, u64 iters, u64 *ns, u64 *sub);
int bench_nmr_phases(void *arg, u64 iters, u64 *ns, u64 *sub);

/* @n providers, each of an NPI of its own. */
struct bench_many {
	unsigned int n;
	unsigned int registered;
	struct bench_npi *npis;
	struct nmr_provider **h;
};

/*
 * Memory in use in the guest, in KiB (total RAM less what is available), for
 * what the big rows needed; every reading also raises bench_mem_peak_kib.
 */
extern u64 bench_mem_peak_kib;
u64 bench_mem_used_kib(void);
u64 bench_mem_total_kib(void);

int bench_many_alloc(struct bench_many *m, unsigned int n, u32 tag);
int bench_many_register(struct bench_many *m, unsigned int count);
int bench_many_deregister(struct bench_many *m);
int bench_many_free(struct bench_many *m);

/* ---- the comparators (bench_compare.c) ---- */

#define BENCH_HAVE_AUX IS_ENABLED(CONFIG_AUXILIARY_BUS)

struct auxiliary_device;

int bench_compare_setup(void);
void bench_compare_teardown(void);
int bench_aux_cycle(void *arg, u64 iters, u64 *ns, u64 *sub);
int bench_notifier_cycle(void *arg, u64 iters, u64 *ns, u64 *sub);
struct auxiliary_device *bench_aux_add(void);
void bench_aux_del(struct auxiliary_device *adev);
unsigned long bench_aux_probed(void);

/* ---- the primitives (bench_prims.c) ---- */

#define BENCH_NR_PRIMS	11

/* A primitive: its label and its case. */
struct bench_prim {
	const char *what;
	int (*fn)(void *arg, u64 iters, u64 *ns, u64 *sub);
	uintptr_t arg;
};

extern const struct bench_prim bench_prims[BENCH_NR_PRIMS];
int bench_prims_run(struct bench_case *cases);

/* ---- mutex waits (bench_lockwait.c) ---- */

#define BENCH_LOCKWAIT_LOCKS	4	/* mutexes told apart; the rest are added up */
#define BENCH_LOCKWAIT_STACK	8	/* frames kept of a mutex's first wait */

/**
 * struct bench_lockwait_lock - the waits for one mutex
 * @lock: the mutex (compared and named, never printed); NULL: the rest
 * @ns: time from the first contention_begin of each wait to its contention_end
 * @waits: waits (the mutex's fast path failed)
 * @sleeps: waits in which the kthread slept at least once, not only spun
 * @stack: where its first wait was (return addresses, to name who takes it)
 * @nr_stack: entries of @stack
 */
struct bench_lockwait_lock {
	const void *lock;
	u64 ns;
	u64 waits;
	u64 sleeps;
	unsigned long stack[BENCH_LOCKWAIT_STACK];
	unsigned int nr_stack;
};

/**
 * struct bench_lockwait - what one kthread (or all) waited for mutexes
 * @l: the first BENCH_LOCKWAIT_LOCKS mutexes waited for, in that order
 * @rest: waits for any other mutex, added up
 */
struct bench_lockwait {
	struct bench_lockwait_lock l[BENCH_LOCKWAIT_LOCKS];
	struct bench_lockwait_lock rest;
};

struct task_struct;
int bench_lockwait_start(void);
void bench_lockwait_stop(void);
void bench_lockwait_watch(unsigned int cpu, struct task_struct *task);
void bench_lockwait_add(unsigned int cpu, struct bench_lockwait *sum);
void bench_lockwait_total(const struct bench_lockwait *w, struct bench_lockwait_lock *all);
const struct bench_lockwait_lock *bench_lockwait_top(const struct bench_lockwait *w);
void bench_lockwait_name(const struct bench_lockwait_lock *l, char *buf, size_t len);
struct mutex;
struct mutex *bench_lockwait_nmr_mutex(const struct bench_lockwait_lock *l);
void bench_hold_start(struct mutex *lock);
u64 bench_hold_stop(void);

/* ---- the profiler (bench_prof.c) ---- */

#if IS_ENABLED(CONFIG_X86) && IS_ENABLED(CONFIG_UNWINDER_ORC)
#define BENCH_HAVE_PROFILE 1
#else
#define BENCH_HAVE_PROFILE 0
#endif

#define BENCH_PROF_PERIOD_NS	100000
#define BENCH_PROF_SYMS		256
#define BENCH_PROF_TOP		10

#define BENCH_SYM_NAME		56

/* A function and its samples. */
struct bench_sym {
	char name[BENCH_SYM_NAME];
	unsigned int n;
};

/**
 * struct bench_profile - where the nmr cycle's time went, by stack samples
 * @n: samples taken while the bench ran in the kernel (0: no profile)
 * @other: samples that found another task, or user mode
 * @self: samples by innermost function, most first
 * @nmr: samples by nmr.ko function anywhere on the stack (inclusive)
 * @callee: samples by what the innermost nmr.ko function had called, or by
 *	the interrupt or softirq the sample found running
 * @pair: the same, as "nmr function > callee", for samples in task context
 */
struct bench_profile {
	unsigned int n;
	unsigned int other;
	struct bench_sym self[BENCH_PROF_SYMS];
	struct bench_sym nmr[BENCH_PROF_SYMS];
	struct bench_sym callee[BENCH_PROF_SYMS];
	struct bench_sym pair[BENCH_PROF_SYMS];
};

int bench_prof_run(struct bench_profile *prof, struct bench_npi *cyc);

/* ---- the rows' results ---- */

/* Row 1 and its breakdown (1.1), in struct bench_cycle_result.c[]. */
enum {
	C1_NMR, C1_AUX, C1_NOTIFIER, C1_NOBIND_SHARED, C1_NOBIND_FRESH, C1_PHASES,
	NR_C1,
};

/**
 * struct bench_cycle_result - rows 1 to 1.3: the bind/unbind cycle
 * @c: the cycles of nmr, the auxiliary bus and a notifier; the nmr breakdown
 * @prim: row 1.2, in the order of bench_prims[]
 * @aux_nmr: auxiliary / nmr (when %BENCH_HAVE_AUX)
 * @nmr_notifier: nmr / notifier
 * @binding_share: the nmr cycle minus the cycle with no provider, in thousandths of a ns
 * @prof: row 1.3
 */
struct bench_cycle_result {
	struct bench_case c[NR_C1];
	struct bench_case prim[BENCH_NR_PRIMS];
	struct bench_ratio aux_nmr;
	struct bench_ratio nmr_notifier;
	u64 binding_share;
	struct bench_profile prof;
};

#define BENCH_UNRELATED_NS	3

/**
 * struct bench_unrelated_result - row 2: the cycle beside many registrations
 * @n: unrelated registrations, for each size (unrelated, unrelated_max / 10,
 *	unrelated_max)
 * @c: the cycle with 0 and with @n of them, paired, for each size
 * @ratio: @n / 0, for each size
 * @going: row 2.1, paired with @c: ns per HDL-6 step of a module going away
 *	that registered nothing, with 0 and with @n unrelated registrations
 *	(only with CONFIG_KUNIT, whose build exports the step)
 * @going_ratio: @n / 0, for each size
 * @mem_kib: memory the @n registrations took (the most of the repetitions)
 */
struct bench_unrelated_result {
	unsigned int n[BENCH_UNRELATED_NS];
	struct bench_case c[BENCH_UNRELATED_NS][2];
	struct bench_ratio ratio[BENCH_UNRELATED_NS];
	struct bench_stat going[BENCH_UNRELATED_NS][2];
	struct bench_ratio going_ratio[BENCH_UNRELATED_NS];
	u64 mem_kib[BENCH_UNRELATED_NS];
};

#define BENCH_FANOUT_NK	4

/**
 * struct bench_fanout_result - row 3: a provider's teardown with K bindings
 * @k: the values of K, the last one the largest
 * @c: time per binding for each K
 * @ratio_1000: per binding, K = 1000 / K = 1
 * @ratio_10k: per binding, K = 10000 / K = 1
 */
struct bench_fanout_result {
	unsigned int k[BENCH_FANOUT_NK];
	struct bench_case c[BENCH_FANOUT_NK];
	struct bench_ratio ratio_1000;
	struct bench_ratio ratio_10k;
};

/**
 * struct bench_bindings_result - row 6: handle look-ups beside many live bindings
 * @n: the other live bindings
 * @c: the cycle with a pending side (nmr_client_attach_provider() and
 *	nmr_client_detach_provider_complete() look a binding up by its handle)
 *	with none and with @n of them
 * @ratio: @n / none
 * @mem_kib: memory the @n bindings and their registrations took
 */
struct bench_bindings_result {
	unsigned int n;
	struct bench_case c[2];
	struct bench_ratio ratio;
	u64 mem_kib;
};

/**
 * struct bench_offers_result - row 7: registering a client into an NPI with K providers
 * @k: the providers of the large case
 * @c: per offer, with 1 provider and with @k
 * @ratio: per offer, @k / 1
 */
struct bench_offers_result {
	unsigned int k;
	struct bench_case c[2];
	struct bench_ratio ratio;
};

/**
 * struct bench_parallel_result - row 8: cycles on every CPU at once, each on its own NPI
 * @threads: kthreads of the parallel case, one per CPU
 * @one: cycles per second of one kthread, in thousandths
 * @all: cycles per second of @threads kthreads together, in thousandths
 * @ratio: @all / @one
 * @bare_one: the host's ceiling: batches of 1000 bare indirect calls per
 *	second of one kthread, in thousandths (no shared data at all)
 * @bare_all: the same of @threads kthreads together
 * @bare_ratio: @bare_all / @bare_one: the most any @ratio can be here
 * @lockwait: 0, or -ENOENT: the kernel has no lock contention tracepoints
 * @wait_pct: share of the @threads kthreads' time spent waiting for a mutex,
 *	in thousandths of a percent
 * @waits_cyc: mutex waits (spun or slept) per cycle, in thousandths
 * @sleeps_cyc: mutex waits in which the kthread slept, per cycle, in thousandths
 * @top_pct: the share of that waiting spent on the mutex waited for longest
 *	(over all repetitions), in thousandths of a percent
 * @top_lock: that mutex (compared, never printed)
 * @top_name: its symbol, or who took it first (never its address)
 * @nr_locks: how many mutexes they waited for (BENCH_LOCKWAIT_LOCKS + 1: more)
 * @hold: that mutex, if nmr.ko took it (then it is nmr.ko's, and may be read)
 * @held_one: share of the time @hold was held while one kthread cycled,
 *	sampled every millisecond, in thousandths of a percent (from the
 *	repetition after the one that found @hold)
 * @held_all: the same while @threads kthreads cycled
 * @held_bound: 100 / @held_one: the most @threads kthreads could do with
 *	@hold taken as often and for as long as by one kthread, in hundredths
 * @held_here: @held_bound x @bare_ratio / @threads: the same on this host,
 *	where each of @threads kthreads runs at @bare_ratio / @threads of the
 *	speed of one, and so holds the mutex that much longer
 */
struct bench_parallel_result {
	unsigned int threads;
	struct bench_stat one;
	struct bench_stat all;
	struct bench_ratio ratio;
	struct bench_stat bare_one;
	struct bench_stat bare_all;
	struct bench_ratio bare_ratio;
	int lockwait;
	struct bench_stat wait_pct;
	struct bench_stat waits_cyc;
	struct bench_stat sleeps_cyc;
	struct bench_stat top_pct;
	const void *top_lock;
	char top_name[96];
	unsigned int nr_locks;
	struct mutex *hold;	/* read with mutex_is_locked(), never taken */
	struct bench_stat held_one;
	struct bench_stat held_all;
	u64 held_bound;
	u64 held_here;
};

enum bench_guard {
	BENCH_BARE,		/* a bare indirect call through the dispatch table */
	BENCH_RUNDOWN,		/* bracketed by nmr_rundown_acquire/release (EXT-3) */
	BENCH_PLAIN,		/* plain percpu_ref_tryget_live() / percpu_ref_put() */
	BENCH_ATOMIC,		/* bracketed by an EX_RUNDOWN_REF-style atomic counter */
	BENCH_NR_GUARDS,
};

/**
 * struct bench_calls_result - row 4: calls through a binding
 * @cpus: CPUs that called at once in @dn
 * @d1: ps per call, one CPU, per guard
 * @dn: calls per us (thousandths), all CPUs, per guard
 * @rundown_atomic: throughput, nmr_rundown / atomic, all CPUs
 * @rundown_bare: time, nmr_rundown / bare, one CPU
 */
struct bench_calls_result {
	unsigned int cpus;
	struct bench_stat d1[BENCH_NR_GUARDS];
	struct bench_stat dn[BENCH_NR_GUARDS];
	struct bench_ratio rundown_atomic;
	struct bench_ratio rundown_bare;
};

/**
 * struct bench_mem_result - row 5: slab bytes per object
 * @objects: registrations or bindings per batch
 * @aux_objects: auxiliary devices per batch
 * @reg_own_npi: a provider registration with an NPI of its own
 * @reg_shared_npi: a client registration of an NPI others use, unbound
 * @reg_bound: a client registration that bound to a provider
 * @binding: @reg_bound - @reg_shared_npi
 * @aux_device: a bound auxiliary device
 * @aux: @aux_device was measured
 * @notifier_block: the caller's notifier_block
 */
struct bench_mem_result {
	unsigned int objects;
	unsigned int aux_objects;
	long reg_own_npi;
	long reg_shared_npi;
	long reg_bound;
	long binding;
	long aux_device;
	bool aux;
	long notifier_block;
};

/**
 * struct bench_results - everything the rows measured, and the goals they decided
 * @cpus: CPUs online
 * @reps: repetitions per row
 * @goals: in enum bench_goal_id order
 * @cycle: rows 1 to 1.3
 * @unrelated: row 2
 * @fanout: row 3
 * @calls: row 4
 * @mem: row 5
 */
struct bench_results {
	unsigned int cpus;
	unsigned int reps;
	struct bench_goal goals[NR_BENCH_GOALS];
	struct bench_cycle_result cycle;
	struct bench_unrelated_result unrelated;
	struct bench_fanout_result fanout;
	struct bench_calls_result calls;
	struct bench_mem_result mem;
	struct bench_bindings_result bindings;
	struct bench_offers_result offers;
	struct bench_parallel_result parallel;
};

/* ---- the rows ---- */

/**
 * struct bench_row - a row of the table
 * @name: its number, for the "running:" line
 * @run: measures, fills its part of the results and decides its goals
 * @print: prints its part of the table
 */
struct bench_row {
	const char *name;
	int (*run)(struct bench_results *res);
	void (*print)(const struct bench_results *res);
};

int bench_row_cycle(struct bench_results *res);		/* bench_row_cycle.c */
int bench_row_unrelated(struct bench_results *res);	/* bench_row_scale.c */
int bench_row_fanout(struct bench_results *res);	/* bench_row_scale.c */
int bench_row_calls(struct bench_results *res);		/* bench_row_calls.c */
int bench_row_mem(struct bench_results *res);		/* bench_row_mem.c */
int bench_row_bindings(struct bench_results *res);	/* bench_row_big.c */
int bench_row_offers(struct bench_results *res);	/* bench_row_big.c */
int bench_row_parallel(struct bench_results *res);	/* bench_row_big.c */

/* ---- the report (bench_report.c) ---- */

void bench_print_cycle(const struct bench_results *res);
void bench_print_unrelated(const struct bench_results *res);
void bench_print_fanout(const struct bench_results *res);
void bench_print_calls(const struct bench_results *res);
void bench_print_mem(const struct bench_results *res);
void bench_print_bindings(const struct bench_results *res);
void bench_print_offers(const struct bench_results *res);
void bench_print_parallel(const struct bench_results *res);
void bench_report(const struct bench_results *res, const struct bench_row *rows,
		  unsigned int nr_rows);

#endif /* NMR_BENCH_H */
