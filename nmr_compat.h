/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel API differences between the kernels nmr builds on, shimmed in one place. */
#ifndef _NMR_COMPAT_H
#define _NMR_COMPAT_H

/*
 * Our code is written against the current kernel API; each shim below gives an
 * older kernel the newer name and says when the name appeared. Built without a
 * warning (W=1) on Debian 12's 6.1 and 6.12 kernels and on the 6.12 test kernel.
 * The symbol namespace (a bare word up to 6.12, a string from 6.13) is not
 * here: modules outside this tree need it too, so the public <nmr/nmr.h> hides
 * it behind EXPORT_SYMBOL_NMR() and NMR_IMPORT_NS().
 */

#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/rcupdate.h>
#include <linux/timer.h>
#include <linux/version.h>

/*
 * <kunit/visibility.h> (6.2; in Debian's 6.1): without it, what KUnit alone
 * needs is static and unexported, as the header does when KUnit is off.
 * (sparse has no __has_include, and gets the fallback.)
 */
#ifdef __has_include
#if __has_include("kunit/visibility.h")
#include <kunit/visibility.h>
#endif
#endif
#ifndef VISIBLE_IF_KUNIT
#if IS_ENABLED(CONFIG_KUNIT)
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol) EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif
#endif

/* timer_delete_sync() (6.2; in Debian's 6.1): del_timer_sync() before. */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define timer_delete_sync(timer) del_timer_sync(timer)
#endif

/* timer_container_of() (6.16): from_timer() before. */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/* hrtimer_setup() (6.13): hrtimer_init() and setting ->function before. */
#if KERNEL_VERSION(6, 13, 0) > LINUX_VERSION_CODE
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * kvfree_rcu_barrier() (6.12): before it, rcu_barrier() is the nearest; it does
 * not wait for kfree_rcu() batches still queued, which only the benchmark's
 * slab accounting would notice.
 */
#if KERNEL_VERSION(6, 12, 0) > LINUX_VERSION_CODE
#define kvfree_rcu_barrier() rcu_barrier()
#endif

#endif /* _NMR_COMPAT_H */
