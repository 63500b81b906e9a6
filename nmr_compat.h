/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel API differences between the kernels nmr builds on, shimmed in one place. */
#ifndef _NMR_COMPAT_H
#define _NMR_COMPAT_H

/*
 * Our code is written against the current kernel API (7.3); each shim below
 * gives an older kernel the newer name and says when the name appeared. Every
 * module of the tree reaches this file through the include path of the top
 * Kbuild, and no other file of ours tests a kernel version or an API's
 * presence (make lint checks that the removed names are used nowhere else).
 *
 * Where a vendor kernel could carry a backport, the test is a feature probe:
 * the top Kbuild greps the target kernel's headers and defines NMR_HAVE_*. A
 * version test is used only where no backport can change the answer.
 *
 * Built without a warning (W=1) on Debian 12's 6.1 and 6.12 kernels, the 6.12
 * test kernels and the 7.3 test kernel. The symbol namespace of our own
 * exports is not here: modules outside this tree need it too, so the public
 * <nmr/nmr.h> hides it behind EXPORT_SYMBOL_NMR() and NMR_IMPORT_NS().
 */

#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/percpu-refcount.h>
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

/*
 * NMR_IMPORT_KUNIT_NS(): import the namespace of EXPORT_SYMBOL_IF_KUNIT(). A
 * namespace is a string literal from 6.13 (probed: NMR_HAVE_NS_STRING), a
 * bare word before.
 */
#ifdef NMR_HAVE_NS_STRING
#define NMR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define NMR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/* timer_delete_sync() (6.2; probed): del_timer_sync() before. */
#ifndef NMR_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer) del_timer_sync(timer)
#endif

/* timer_container_of() (6.16): from_timer() before. A macro: tested as one. */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/* hrtimer_setup() (6.13; probed): hrtimer_init() and setting ->function before. */
#ifndef NMR_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * kvfree_rcu_barrier(): exported to modules in 6.12 (kernel/rcu/tree.c), not
 * before, and not any more by 7.3, which declares it in <linux/slab.h> but
 * keeps it to the core kernel. Probed in the kernel's Module.symvers. Without
 * it, rcu_barrier() is the nearest: it does not wait for kfree_rcu() batches
 * still queued, which only the benchmark's slab accounting would notice.
 */
#ifndef NMR_HAVE_KVFREE_RCU_BARRIER
#define nmr_kvfree_rcu_barrier() rcu_barrier()
#else
#define nmr_kvfree_rcu_barrier() kvfree_rcu_barrier()
#endif

/*
 * include/nmr/nmr_rundown.h inlines percpu_ref's own fast path, through
 * __ref_is_percpu(), which percpu-refcount.h marks as internal. Checked here
 * on every kernel we build for, so that a change to it breaks the build
 * loudly instead of miscompiling the rundown helper: the function's type, the
 * width of the pointer it decodes, and the two flag bits it masks off (the
 * same on 6.1, 6.12 and 7.3).
 */
static_assert(__same_type(&__ref_is_percpu,
			  bool (*)(struct percpu_ref *, unsigned long __percpu **)),
	      "__ref_is_percpu() changed: re-check include/nmr/nmr_rundown.h");
static_assert(__same_type(((struct percpu_ref *)0)->percpu_count_ptr, unsigned long),
	      "percpu_ref.percpu_count_ptr changed: re-check include/nmr/nmr_rundown.h");
static_assert(__PERCPU_REF_ATOMIC == 1 && __PERCPU_REF_DEAD == 2 &&
	      __PERCPU_REF_ATOMIC_DEAD == 3 && __PERCPU_REF_FLAG_BITS == 2,
	      "percpu_ref's mode bits changed: re-check include/nmr/nmr_rundown.h");

#endif /* _NMR_COMPAT_H */
