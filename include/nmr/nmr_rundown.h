/* SPDX-License-Identifier: GPL-2.0 */
/* In-flight call protection for NMR users (EX_RUNDOWN_REF), on percpu_ref. */
#ifndef _NMR_NMR_RUNDOWN_H
#define _NMR_NMR_RUNDOWN_H

#include <linux/completion.h>
#include <linux/percpu-refcount.h>

/**
 * DOC: Rundown protection
 *
 * Every NMR user guards the calls it makes through a binding: a call may
 * start only while the binding is not detaching, and the detach must learn
 * when the last call has returned. struct nmr_rundown does exactly that:
 *
 * - each call is bracketed by nmr_rundown_acquire() (fails once rundown has
 *   begun: do not make the call) and nmr_rundown_release();
 * - the detach callback starts the rundown with nmr_rundown_drain(), passing
 *   a function that calls *_detach_complete(), and returns -EINPROGRESS;
 * - or, where sleeping is fine, nmr_rundown_wait() begins the rundown and
 *   sleeps until the last call returned.
 *
 * Acquire and release cost a per-CPU increment and decrement while the
 * rundown is armed (no shared cache line): this is percpu_ref, killed at
 * rundown. Once nmr_rundown_wait() or nmr_rundown_drain() has returned,
 * every later acquire fails; an acquire racing the start may still succeed,
 * and is then waited for like any other. Wait or drain once per arming;
 * nmr_rundown_reinit() re-arms a drained rundown.
 */

/**
 * struct nmr_rundown - rundown protection; embed it, treat the fields as private
 * @ref: the per-CPU reference; killed when rundown begins
 * @drained: called once when the last reference dropped after a drain
 * @done: completed when the last reference dropped after a wait
 */
struct nmr_rundown {
	struct percpu_ref ref;
	void (*drained)(struct nmr_rundown *r);
	struct completion done;
};

int nmr_rundown_init(struct nmr_rundown *r);
void nmr_rundown_exit(struct nmr_rundown *r);
void nmr_rundown_wait(struct nmr_rundown *r);
void nmr_rundown_drain(struct nmr_rundown *r, void (*drained)(struct nmr_rundown *r));
void nmr_rundown_reinit(struct nmr_rundown *r);

/*
 * The fast paths below are percpu_ref's own (percpu_ref_tryget_live() and
 * percpu_ref_put() while the ref is in per-CPU mode), read with preemption
 * disabled (rcu_read_lock_sched()) instead of under rcu_read_lock(). The
 * grace period that percpu_ref_kill() waits for before it sums the per-CPU
 * counts covers both kinds of reader (one RCU flavour since v4.20), and
 * disabling preemption is two inline instructions where a PREEMPT_RCU read
 * lock is two calls. Once the ref is killed, percpu_ref's own functions
 * take over.
 */

/**
 * nmr_rundown_acquire() - take protection for one call
 * @r: the rundown
 *
 * Context: any context.
 * Return: true if the call may go ahead (then call nmr_rundown_release()
 * after it); false once rundown has begun.
 */
static inline bool nmr_rundown_acquire(struct nmr_rundown *r)
{
	unsigned long __percpu *count;
	bool fast;

	rcu_read_lock_sched();
	fast = __ref_is_percpu(&r->ref, &count);
	if (fast)
		this_cpu_inc(*count);
	rcu_read_unlock_sched();
	return fast || percpu_ref_tryget_live(&r->ref);
}

/**
 * nmr_rundown_release() - end the protection taken by nmr_rundown_acquire()
 * @r: the rundown
 *
 * The release that drops the last reference after rundown began calls the
 * drained function (or wakes the waiter), in this context.
 *
 * Context: any context.
 */
static inline void nmr_rundown_release(struct nmr_rundown *r)
{
	unsigned long __percpu *count;
	bool fast;

	rcu_read_lock_sched();
	fast = __ref_is_percpu(&r->ref, &count);
	if (fast)
		this_cpu_dec(*count);
	rcu_read_unlock_sched();
	if (!fast)
		percpu_ref_put(&r->ref);
}

#endif /* _NMR_NMR_RUNDOWN_H */
