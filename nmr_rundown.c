// SPDX-License-Identifier: GPL-2.0
/* The rundown helper (EXT-3): percpu_ref armed per binding, killed at detach. */
#include <linux/module.h>
#include <nmr/nmr.h>
#include <nmr/nmr_rundown.h>

#include "nmr_compat.h"	/* checks the percpu_ref internals nmr_rundown.h inlines */

/* The last reference is gone after a kill: any context, even an RCU callback. */
static void nmr_rundown_release_last(struct percpu_ref *ref)
{
	struct nmr_rundown *r = container_of(ref, struct nmr_rundown, ref);
	void (*drained)(struct nmr_rundown *r) = r->drained;

	if (drained) {
		drained(r);	/* may free @r: touch nothing after it */
		return;
	}
	complete(&r->done);
}

/**
 * nmr_rundown_init() - arm a rundown
 * @r: the rundown, usually embedded in a binding context
 *
 * Context: process context; may sleep (allocates the per-CPU counters).
 * Return: 0 or -ENOMEM.
 */
int nmr_rundown_init(struct nmr_rundown *r)
{
	r->drained = NULL;
	init_completion(&r->done);
	return percpu_ref_init(&r->ref, nmr_rundown_release_last, PERCPU_REF_ALLOW_REINIT,
			       GFP_KERNEL);
}
EXPORT_SYMBOL_NMR(nmr_rundown_init);

/**
 * nmr_rundown_exit() - free a drained rundown
 * @r: the rundown; its wait returned or its drained function was called
 *
 * Context: any context.
 */
void nmr_rundown_exit(struct nmr_rundown *r)
{
	percpu_ref_exit(&r->ref);
}
EXPORT_SYMBOL_NMR(nmr_rundown_exit);

/**
 * nmr_rundown_wait() - begin rundown and sleep until every acquire was released
 * @r: the rundown
 *
 * From its return on, nmr_rundown_acquire() fails.
 *
 * Context: process context; sleeps. Not with an acquire of @r held.
 */
void nmr_rundown_wait(struct nmr_rundown *r)
{
	might_sleep();
	r->drained = NULL;
	percpu_ref_kill(&r->ref);
	wait_for_completion(&r->done);
}
EXPORT_SYMBOL_NMR(nmr_rundown_wait);

/**
 * nmr_rundown_drain() - begin rundown; call @drained when the last acquire is released
 * @r: the rundown
 * @drained: called once, from the last nmr_rundown_release() or from an RCU
 *	callback, so possibly in atomic context: the place to call
 *	*_detach_complete(). It may free @r (after nmr_rundown_exit()).
 *
 * Returns at once; from then on nmr_rundown_acquire() fails. A detach
 * callback calls this and returns -EINPROGRESS.
 *
 * Context: any context.
 */
void nmr_rundown_drain(struct nmr_rundown *r, void (*drained)(struct nmr_rundown *r))
{
	r->drained = drained;
	percpu_ref_kill(&r->ref);
}
EXPORT_SYMBOL_NMR(nmr_rundown_drain);

/**
 * nmr_rundown_reinit() - re-arm a rundown that drained
 * @r: the rundown; its wait returned or its drained function was called
 *
 * Acquires succeed again.
 *
 * Context: any context.
 */
void nmr_rundown_reinit(struct nmr_rundown *r)
{
	r->drained = NULL;
	reinit_completion(&r->done);
	percpu_ref_reinit(&r->ref);
}
EXPORT_SYMBOL_NMR(nmr_rundown_reinit);
