// SPDX-License-Identifier: GPL-2.0
/* nmr_bench row 1.2: the kernel primitives the NMR core is made of, timed in the same boot. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "bench.h"
#include "nmr_compat.h"

static u64 bench_sink;
static DEFINE_MUTEX(bench_mutex);
static DEFINE_SPINLOCK(bench_spin);

static int bench_prim_ktime(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0, s = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++)
		s += ktime_get_ns();
	*ns = ktime_get_ns() - t0;
	WRITE_ONCE(bench_sink, s);
	return 0;
}

static int bench_prim_mutex(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		mutex_lock(&bench_mutex);
		mutex_unlock(&bench_mutex);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_spin_irqsave(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	unsigned long flags;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		spin_lock_irqsave(&bench_spin, flags);
		spin_unlock_irqrestore(&bench_spin, flags);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_rcu_read(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* kzalloc() + kfree() of (uintptr_t)@arg bytes. */
static int bench_prim_kzalloc(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	size_t size = (uintptr_t)arg;
	u64 i, t0;
	void *p;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = kzalloc(size, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree(p);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

struct bench_rcu_obj {
	struct rcu_head rcu;
	u8 data[512 - sizeof(struct rcu_head)];
};

static int bench_prim_kfree_rcu(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct bench_rcu_obj *p;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = kzalloc(sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree_rcu(p, rcu);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_completion(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct completion done;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		init_completion(&done);
		complete_all(&done);
		if (!wait_for_completion_timeout(&done, 1))
			return -ETIMEDOUT;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* atomic_inc + full barrier + check + atomic_dec_and_test: the core's callback bracket. */
static int bench_prim_enter_exit(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	static atomic_t calls = ATOMIC_INIT(0);
	static bool gone;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		atomic_inc(&calls);
		smp_mb__after_atomic();	/* as in the core: orders the count before the check */
		if (READ_ONCE(gone))
			return -EPROTO;
		if (atomic_dec_and_test(&calls) && READ_ONCE(gone))
			return -EPROTO;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

static int bench_prim_jhash(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	guid_t id = bench_module_id.guid;
	u64 i, t0, s = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		id.b[0] = i;
		s += jhash(&id, sizeof(id), 0);
	}
	*ns = ktime_get_ns() - t0;
	WRITE_ONCE(bench_sink, s);
	return 0;
}

/* The primitives, in the order of row 1.2, with their labels and arguments. */
const struct bench_prim bench_prims[] = {
	{ "ktime_get_ns()", bench_prim_ktime },
	{ "mutex_lock() + mutex_unlock()", bench_prim_mutex },
	{ "spin_lock_irqsave + unlock_irqrestore", bench_prim_spin_irqsave },
	{ "rcu_read_lock() + rcu_read_unlock()", bench_prim_rcu_read },
	{ "atomic_inc + smp_mb + atomic_dec_and_test", bench_prim_enter_exit },
	{ "kzalloc(64) + kfree()", bench_prim_kzalloc, 64 },
	{ "kzalloc(256) + kfree()", bench_prim_kzalloc, 256 },
	{ "kzalloc(512) + kfree()", bench_prim_kzalloc, 512 },
	{ "kzalloc(512) + kfree_rcu()", bench_prim_kfree_rcu },
	{ "init_completion + complete_all + wait", bench_prim_completion },
	{ "jhash() of a GUID", bench_prim_jhash },
};

static_assert(ARRAY_SIZE(bench_prims) == BENCH_NR_PRIMS);

/* Time every primitive into @cases (BENCH_NR_PRIMS of them); then let the RCU frees run. */
int bench_prims_run(struct bench_case *cases)
{
	unsigned int i;
	int ret;

	for (i = 0; i < BENCH_NR_PRIMS; i++)
		cases[i] = (struct bench_case){ .fn = bench_prims[i].fn,
						.arg = (void *)bench_prims[i].arg };
	ret = bench_run(cases, BENCH_NR_PRIMS);
	rcu_barrier();
	nmr_kvfree_rcu_barrier();
	return ret;
}
