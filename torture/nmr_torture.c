// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised torture of the NMR, in the manner of locktorture: threads register and
 * deregister clients and providers of a few NPIs at random while every binding side
 * declines, accepts, retries, fails after attaching, detaches at once or pends, and
 * completes early or late from a random context (thread, workqueue, timer, RCU
 * callback, interrupts off, hard interrupt). Invariants are checked as it runs and
 * reconciled at the end; rmmod prints PASS or FAIL with the operation counts.
 *
 *	insmod nmr_torture.ko duration=30 threads=4
 *	(wait duration seconds)
 *	rmmod nmr_torture	-> "nmr_torture: PASS ..." or "nmr_torture: FAIL ..."
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>
#include "../nmr_compat.h"
#include "../nmr_trace.h"

NMR_IMPORT_NS();

static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "worker threads registering and deregistering");
static unsigned int duration = 30;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "seconds to run (the result is printed at rmmod)");
static unsigned int npis = 3;
module_param(npis, uint, 0444);
MODULE_PARM_DESC(npis, "number of NPIs the registrations spread over");
static unsigned int slots = 24;
module_param(slots, uint, 0444);
MODULE_PARM_DESC(slots, "registrations alive at once, at most");
static unsigned int decline_pct = 10;
module_param(decline_pct, uint, 0444);
MODULE_PARM_DESC(decline_pct, "percent of attach callbacks that decline");
static unsigned int retry_pct = 50;
module_param(retry_pct, uint, 0444);
MODULE_PARM_DESC(retry_pct, "percent of declined clients that retry the attach (ATT-6)");
static unsigned int fail_pct = 5;
module_param(fail_pct, uint, 0444);
MODULE_PARM_DESC(fail_pct, "percent of clients failing after attaching (ATT-8)");
static unsigned int pend_pct = 50;
module_param(pend_pct, uint, 0444);
MODULE_PARM_DESC(pend_pct, "percent of binding sides whose detach pends");
static unsigned int early_pct = 20;
module_param(early_pct, uint, 0444);
MODULE_PARM_DESC(early_pct, "percent of pending sides completing early, from attach on (DET-6)");
static unsigned int nested_pct = 3;
module_param(nested_pct, uint, 0444);
MODULE_PARM_DESC(nested_pct, "percent of detach callbacks that register and deregister inside");
static unsigned int defer_pct = 30;
module_param(defer_pct, uint, 0444);
MODULE_PARM_DESC(defer_pct, "percent of deregistrations whose wait another thread does");

/* Where a completion comes from. */
enum tt_ctx { TT_THREAD, TT_WQ, TT_TIMER, TT_RCU, TT_IRQSOFF, TT_HARDIRQ, TT_NCTX };
static const char *const tt_ctx_name[] = {
	"thread", "workqueue", "timer", "rcu", "irqs-off", "hardirq",
};

/* When a completion arrived, relative to the side's detach callback. */
enum tt_when { TT_BEFORE, TT_DURING, TT_AFTER, TT_NWHEN };

static struct {
	atomic_long_t registers, deregisters, waits, deferred_waits, offers, attached, declines;
	atomic_long_t retries_ok, att8, late_comers, detaches, cleanups, nested;
	atomic_long_t completions[TT_NCTX], when[TT_NWHEN];
	atomic_long_t sides_accepted;
	atomic_long_t failures;
} tt;

#define tt_fail(fmt, ...)						\
	do {								\
		atomic_long_inc(&tt.failures);				\
		pr_err("FAIL: " fmt "\n", ##__VA_ARGS__);		\
	} while (0)

struct tt_reg {
	struct list_head node;		/* graveyard, or deferred waits */
	bool client;
	int npi;
	union {
		struct nmr_client_characteristics cc;
		struct nmr_provider_characteristics pc;
	};
	union {
		struct nmr_client *ch;
		struct nmr_provider *ph;
	};
	bool dead;			/* its wait returned: any callback now is a failure */
	unsigned long died;
};

struct tt_side {
	struct list_head node;		/* graveyard; completer queue uses qnode */
	struct list_head qnode;
	struct tt_reg *reg;
	struct nmr_binding *handle;
	bool client;
	bool pend, early;
	enum tt_ctx how;
	atomic_t detached, cleaned, completed;
	atomic_t in_detach;
	atomic_t last_touch;		/* the completer will not touch it again */
	unsigned long cleaned_at;
	struct work_struct work;
	struct timer_list timer;
	struct rcu_head rcu;
	struct hrtimer hrt;
};

static guid_t tt_npi[8];
static struct tt_slot {
	struct mutex lock;		/* one worker at a time */
	struct tt_reg *reg;
} *tt_slots;

static struct task_struct **tt_workers, *tt_completer;
static struct workqueue_struct *tt_wq;
static DEFINE_SPINLOCK(tt_lock);	/* the lists below */
static LIST_HEAD(tt_graveyard_regs);
static LIST_HEAD(tt_graveyard_sides);
static LIST_HEAD(tt_deferred);
static LIST_HEAD(tt_queue);
static DECLARE_WAIT_QUEUE_HEAD(tt_queue_wq);
static atomic_t tt_nesting = ATOMIC_INIT(0);
static unsigned long tt_end;

static bool tt_chance(unsigned int pct)
{
	return get_random_u32_below(100) < pct;
}

static void tt_check_alive(struct tt_reg *r, const char *what)
{
	if (READ_ONCE(r->dead))
		tt_fail("%s callback of a registration whose wait returned (DRG-3)", what);
}

/* ---- completions from every context ---- */

static void tt_do_complete(struct tt_side *s)
{
	int ret, when;

	if (atomic_read(&s->detached) == 0)
		when = TT_BEFORE;
	else if (atomic_read(&s->in_detach))
		when = TT_DURING;
	else
		when = TT_AFTER;
	if (atomic_inc_return(&s->completed) != 1)
		tt_fail("a side completed twice");
	ret = s->client ? nmr_client_detach_provider_complete(s->handle) :
			  nmr_provider_detach_client_complete(s->handle);
	if (ret)
		tt_fail("detach complete returned %d", ret);
	atomic_long_inc(&tt.completions[s->how]);
	atomic_long_inc(&tt.when[when]);
	atomic_set_release(&s->last_touch, 1);	/* nothing touches @s after this */
}

static void tt_work(struct work_struct *w)
{
	tt_do_complete(container_of(w, struct tt_side, work));
}

static void tt_timer(struct timer_list *t)
{
	tt_do_complete(timer_container_of((struct tt_side *)NULL, t, timer));
}

static void tt_rcu(struct rcu_head *h)
{
	tt_do_complete(container_of(h, struct tt_side, rcu));
}

static enum hrtimer_restart tt_hrtimer(struct hrtimer *h)
{
	tt_do_complete(container_of(h, struct tt_side, hrt));
	return HRTIMER_NORESTART;
}

static void tt_schedule_complete(struct tt_side *s)
{
	unsigned long flags;

	switch (s->how) {
	case TT_THREAD:
	case TT_IRQSOFF:
		spin_lock_irqsave(&tt_lock, flags);
		list_add_tail(&s->qnode, &tt_queue);
		spin_unlock_irqrestore(&tt_lock, flags);
		wake_up(&tt_queue_wq);
		break;
	case TT_WQ:
		queue_work(tt_wq, &s->work);
		break;
	case TT_TIMER:
		mod_timer(&s->timer, jiffies + get_random_u32_below(3));
		break;
	case TT_RCU:
		call_rcu(&s->rcu, tt_rcu);
		break;
	case TT_HARDIRQ:
		hrtimer_start(&s->hrt, ns_to_ktime(get_random_u32_below(200000)),
			      HRTIMER_MODE_REL_HARD);
		break;
	default:
		break;
	}
}

static int tt_completer_fn(void *unused)
{
	struct tt_side *s;
	unsigned long flags;

	while (!kthread_should_stop()) {
		wait_event_timeout(tt_queue_wq, !list_empty(&tt_queue) || kthread_should_stop(),
				   HZ / 10);
		for (;;) {
			spin_lock_irqsave(&tt_lock, flags);
			s = list_first_entry_or_null(&tt_queue, struct tt_side, qnode);
			if (s)
				list_del(&s->qnode);
			spin_unlock_irqrestore(&tt_lock, flags);
			if (!s)
				break;
			if (s->how == TT_IRQSOFF) {
				local_irq_save(flags);
				tt_do_complete(s);
				local_irq_restore(flags);
			} else {
				tt_do_complete(s);
			}
		}
	}
	return 0;
}

/*
 * Late comers (ATT-10) are seen in the NMR's own tracepoints: an offer that
 * attached and is detached at once, on the same thread, because one of its
 * registrations began to deregister while the offer ran.
 */
static struct {
	struct task_struct *task;
	u64 binding;
} tt_last_attach[64];
static DEFINE_SPINLOCK(tt_trace_lock);

static void tt_on_attach(void *d, u64 binding, u64 client, u64 provider, int result)
{
	unsigned int i = hash_ptr(current, 6);

	if (result)
		return;
	spin_lock(&tt_trace_lock);
	tt_last_attach[i].task = current;
	tt_last_attach[i].binding = binding;
	spin_unlock(&tt_trace_lock);
}

static void tt_on_detach_start(void *d, u64 binding, int side, int result)
{
	unsigned int i = hash_ptr(current, 6);

	spin_lock(&tt_trace_lock);
	if (tt_last_attach[i].task == current && tt_last_attach[i].binding == binding)
		atomic_long_inc(&tt.late_comers);
	spin_unlock(&tt_trace_lock);
}

/* ---- the binding sides ---- */

static struct tt_side *tt_side_new(struct tt_reg *r, struct nmr_binding *handle)
{
	struct tt_side *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->reg = r;
	s->client = r->client;
	s->handle = handle;
	s->pend = tt_chance(pend_pct);
	s->early = s->pend && tt_chance(early_pct);
	s->how = get_random_u32_below(TT_NCTX);
	INIT_WORK(&s->work, tt_work);
	timer_setup(&s->timer, tt_timer, 0);
	hrtimer_setup(&s->hrt, tt_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	if (!s->pend)
		atomic_set(&s->last_touch, 1);
	return s;
}

/* A side that is done with: its memory is kept a while to catch late callbacks. */
static void tt_side_bury(struct tt_side *s)
{
	unsigned long flags;

	s->cleaned_at = jiffies;
	spin_lock_irqsave(&tt_lock, flags);
	list_add_tail(&s->node, &tt_graveyard_sides);
	spin_unlock_irqrestore(&tt_lock, flags);
}

/* The side is accepted: count it, and start an early completion if chosen. */
static void tt_side_accepted(struct tt_side *s)
{
	atomic_long_inc(&tt.sides_accepted);
	if (s->early)
		tt_schedule_complete(s);
}

static struct tt_reg *tt_reg_new(void);
static int tt_register(struct tt_reg *r);
static void tt_deregister(struct tt_reg *r);

/* Register a client and deregister it again, inside a callback; another thread waits. */
static void tt_nested(void)
{
	struct tt_reg *r;

	if (atomic_inc_return(&tt_nesting) > 2)
		goto out;
	r = tt_reg_new();
	if (!r)
		goto out;
	if (tt_register(r)) {
		kfree(r);
		goto out;
	}
	atomic_long_inc(&tt.nested);
	tt_deregister(r);
	spin_lock_irq(&tt_lock);
	list_add_tail(&r->node, &tt_deferred);
	spin_unlock_irq(&tt_lock);
out:
	atomic_dec(&tt_nesting);
}

static int tt_detach(void *ctx)
{
	struct tt_side *s = ctx;

	tt_check_alive(s->reg, "detach");
	if (atomic_inc_return(&s->detached) != 1)
		tt_fail("detach called twice on one side (DET-2)");
	atomic_long_inc(&tt.detaches);
	atomic_set(&s->in_detach, 1);
	if (tt_chance(nested_pct))
		tt_nested();
	if (s->pend && !s->early)
		tt_schedule_complete(s);
	else if (s->pend)
		udelay(get_random_u32_below(20));	/* widen the window for DET-6 */
	atomic_set(&s->in_detach, 0);
	return s->pend ? -EINPROGRESS : 0;
}

static void tt_cleanup(void *ctx)
{
	struct tt_side *s = ctx;

	tt_check_alive(s->reg, "cleanup");
	if (atomic_read(&s->detached) != 1)
		tt_fail("cleanup of a side detached %d times (CLN-1)", atomic_read(&s->detached));
	if (atomic_inc_return(&s->cleaned) != 1)
		tt_fail("cleanup called twice on one side (CLN-1)");
	if (s->pend && !atomic_read(&s->completed))
		tt_fail("cleanup before the pending side completed (CLN-1)");
	atomic_long_inc(&tt.cleanups);
	tt_side_bury(s);
}

static int tt_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	struct tt_reg *r = provider_ctx;
	struct tt_side *s;

	tt_check_alive(r, "attach_client");
	if (tt_chance(decline_pct))
		return -ENODEV;
	s = tt_side_new(r, binding);
	if (!s)
		return -ENOMEM;
	*pctx = s;
	*pdisp = r;
	tt_side_accepted(s);
	return 0;
}

static int tt_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	struct tt_reg *r = client_ctx;
	struct tt_side *s;
	const void *pdisp;
	void *pctx;
	int ret;

	tt_check_alive(r, "attach_provider");
	atomic_long_inc(&tt.offers);
	if (tt_chance(decline_pct)) {
		atomic_long_inc(&tt.declines);
		return -ENODEV;
	}
	s = tt_side_new(r, binding);
	if (!s)
		return -ENOMEM;
	ret = nmr_client_attach_provider(binding, s, r, &pctx, &pdisp);
	if (ret && tt_chance(retry_pct)) {
		ret = nmr_client_attach_provider(binding, s, r, &pctx, &pdisp);	/* ATT-6 */
		if (!ret)
			atomic_long_inc(&tt.retries_ok);
	}
	if (ret) {
		atomic_long_inc(&tt.declines);
		kfree(s);
		return ret;
	}
	if (tt_chance(fail_pct)) {
		/* ATT-8: fail after the provider accepted; no callback will reach this side. */
		atomic_long_inc(&tt.att8);
		kfree(s);
		return -EIO;
	}
	atomic_long_inc(&tt.attached);
	tt_side_accepted(s);
	return 0;
}

/* ---- registrations ---- */

static struct tt_reg *tt_reg_new(void)
{
	struct tt_reg *r = kzalloc(sizeof(*r), GFP_KERNEL);
	struct nmr_registration_instance *ri;

	if (!r)
		return NULL;
	r->client = get_random_u32_below(2);
	r->npi = get_random_u32_below(npis);
	if (r->client) {
		r->cc.length = sizeof(r->cc);
		r->cc.attach_provider = tt_attach_provider;
		r->cc.detach_provider = tt_detach;
		r->cc.cleanup_binding_context = tt_cleanup;
		ri = &r->cc.registration;
	} else {
		r->pc.length = sizeof(r->pc);
		r->pc.attach_client = tt_attach_client;
		r->pc.detach_client = tt_detach;
		r->pc.cleanup_binding_context = tt_cleanup;
		ri = &r->pc.registration;
	}
	ri->npi_id = &tt_npi[r->npi];
	return r;
}

static int tt_register(struct tt_reg *r)
{
	atomic_long_inc(&tt.registers);
	return r->client ? nmr_register_client(&r->cc, r, &r->ch) :
			   nmr_register_provider(&r->pc, r, &r->ph);
}

static void tt_deregister(struct tt_reg *r)
{
	int ret = r->client ? nmr_deregister_client(r->ch) : nmr_deregister_provider(r->ph);

	atomic_long_inc(&tt.deregisters);
	if (ret != -EINPROGRESS)
		tt_fail("deregister returned %d (DRG-1)", ret);
}

static void tt_wait(struct tt_reg *r)
{
	unsigned long flags;
	int ret;

	ret = r->client ? nmr_wait_for_client_deregister_complete(r->ch) :
			  nmr_wait_for_provider_deregister_complete(r->ph);
	if (ret)
		tt_fail("wait returned %d", ret);
	atomic_long_inc(&tt.waits);
	WRITE_ONCE(r->dead, true);
	r->died = jiffies;
	spin_lock_irqsave(&tt_lock, flags);
	list_add_tail(&r->node, &tt_graveyard_regs);
	spin_unlock_irqrestore(&tt_lock, flags);
}

static struct tt_reg *tt_pop_deferred(void)
{
	struct tt_reg *r;
	unsigned long flags;

	spin_lock_irqsave(&tt_lock, flags);
	r = list_first_entry_or_null(&tt_deferred, struct tt_reg, node);
	if (r)
		list_del(&r->node);
	spin_unlock_irqrestore(&tt_lock, flags);
	return r;
}

/* Free what has been dead long enough that a late callback would have shown. */
static void tt_reap(bool all)
{
	unsigned long flags, old = jiffies - 2 * HZ;
	struct tt_side *s, *stmp;
	struct tt_reg *r, *rtmp;
	LIST_HEAD(sides);
	LIST_HEAD(regs);

	spin_lock_irqsave(&tt_lock, flags);
	list_for_each_entry_safe(s, stmp, &tt_graveyard_sides, node)
		if (all || (atomic_read_acquire(&s->last_touch) && time_before(s->cleaned_at, old)))
			list_move(&s->node, &sides);
	list_for_each_entry_safe(r, rtmp, &tt_graveyard_regs, node)
		if (all || time_before(r->died, old))
			list_move(&r->node, &regs);
	spin_unlock_irqrestore(&tt_lock, flags);
	list_for_each_entry_safe(s, stmp, &sides, node) {
		timer_delete_sync(&s->timer);
		hrtimer_cancel(&s->hrt);
		cancel_work_sync(&s->work);
		kfree(s);
	}
	list_for_each_entry_safe(r, rtmp, &regs, node)
		kfree(r);
}

static int tt_worker_fn(void *arg)
{
	unsigned long next_reap = jiffies + HZ;
	struct tt_slot *slot;
	struct tt_reg *r;

	while (!kthread_should_stop() && time_before(jiffies, tt_end)) {
		r = tt_pop_deferred();
		if (r) {
			atomic_long_inc(&tt.deferred_waits);
			tt_wait(r);
		}
		slot = &tt_slots[get_random_u32_below(slots)];
		if (!mutex_trylock(&slot->lock))
			continue;
		if (!slot->reg) {
			r = tt_reg_new();
			if (r && !tt_register(r))
				slot->reg = r;
			else
				kfree(r);
		} else {
			r = slot->reg;
			slot->reg = NULL;
			tt_deregister(r);
			if (tt_chance(defer_pct)) {
				spin_lock_irq(&tt_lock);
				list_add_tail(&r->node, &tt_deferred);
				spin_unlock_irq(&tt_lock);
			} else {
				tt_wait(r);
			}
		}
		mutex_unlock(&slot->lock);
		if (time_after(jiffies, next_reap)) {
			tt_reap(false);
			next_reap = jiffies + HZ;
		}
		cond_resched();
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int __init tt_init(void)
{
	unsigned int i;

	if (!threads || !slots || !npis || npis > ARRAY_SIZE(tt_npi))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(tt_npi); i++)
		tt_npi[i] = GUID_INIT(0x70270000 + i, 0, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0x70);
	tt_slots = kcalloc(slots, sizeof(*tt_slots), GFP_KERNEL);
	tt_workers = kcalloc(threads, sizeof(*tt_workers), GFP_KERNEL);
	tt_wq = alloc_workqueue("nmr_torture", WQ_UNBOUND, 0);
	if (!tt_slots || !tt_workers || !tt_wq)
		goto err;
	for (i = 0; i < slots; i++)
		mutex_init(&tt_slots[i].lock);
	if (register_trace_nmr_attach(tt_on_attach, NULL) ||
	    register_trace_nmr_detach_start(tt_on_detach_start, NULL))
		goto err;
	tt_end = jiffies + duration * HZ;
	tt_completer = kthread_run(tt_completer_fn, NULL, "nmr_torture_c");
	if (IS_ERR(tt_completer))
		goto err;
	for (i = 0; i < threads; i++) {
		tt_workers[i] = kthread_run(tt_worker_fn, NULL, "nmr_torture/%u", i);
		if (IS_ERR(tt_workers[i])) {
			tt_workers[i] = NULL;
			break;
		}
	}
	pr_info("started: %u threads, %u s, %u NPIs, %u slots\n", threads, duration, npis, slots);
	return 0;
err:
	unregister_trace_nmr_attach(tt_on_attach, NULL);
	unregister_trace_nmr_detach_start(tt_on_detach_start, NULL);
	tracepoint_synchronize_unregister();
	if (tt_wq)
		destroy_workqueue(tt_wq);
	kfree(tt_workers);
	kfree(tt_slots);
	return -ENOMEM;
}

static void __exit tt_exit(void)
{
	unsigned long started = jiffies, secs;
	long accepted, detaches, cleanups;
	unsigned int i;
	struct tt_reg *r;

	for (i = 0; i < threads; i++)
		if (tt_workers[i])
			kthread_stop(tt_workers[i]);
	/* Take every registration down; every wait must return. */
	for (i = 0; i < slots; i++) {
		r = tt_slots[i].reg;
		if (r) {
			tt_deregister(r);
			tt_wait(r);
		}
	}
	while ((r = tt_pop_deferred()))
		tt_wait(r);
	kthread_stop(tt_completer);
	unregister_trace_nmr_attach(tt_on_attach, NULL);
	unregister_trace_nmr_detach_start(tt_on_detach_start, NULL);
	tracepoint_synchronize_unregister();
	rcu_barrier();
	destroy_workqueue(tt_wq);
	tt_reap(true);
	kfree(tt_workers);
	kfree(tt_slots);

	/* Every accepted side got exactly one detach and one cleanup. */
	accepted = atomic_long_read(&tt.sides_accepted);
	detaches = atomic_long_read(&tt.detaches);
	cleanups = atomic_long_read(&tt.cleanups);
	if (accepted != detaches || accepted != cleanups)
		tt_fail("%ld sides accepted, %ld detached, %ld cleaned up", accepted, detaches,
			cleanups);
	secs = max(1U, duration);
	pr_info("%ld registers, %ld deregisters, %ld waits (%ld by another thread), %ld ops/s\n",
		atomic_long_read(&tt.registers), atomic_long_read(&tt.deregisters),
		atomic_long_read(&tt.waits), atomic_long_read(&tt.deferred_waits),
		(atomic_long_read(&tt.registers) + atomic_long_read(&tt.deregisters)) / secs);
	pr_info("%ld offers: %ld attached, %ld declined, %ld retried ok (ATT-6), %ld failed after attach (ATT-8), %ld late comers (ATT-10)\n",
		atomic_long_read(&tt.offers), atomic_long_read(&tt.attached),
		atomic_long_read(&tt.declines), atomic_long_read(&tt.retries_ok),
		atomic_long_read(&tt.att8), atomic_long_read(&tt.late_comers));
	pr_info("%ld sides: %ld detached, %ld cleaned up; completions before/during/after the detach callback: %ld/%ld/%ld\n",
		accepted, detaches, cleanups, atomic_long_read(&tt.when[TT_BEFORE]),
		atomic_long_read(&tt.when[TT_DURING]), atomic_long_read(&tt.when[TT_AFTER]));
	for (i = 0; i < TT_NCTX; i++)
		pr_info("completions from %s: %ld\n", tt_ctx_name[i],
			atomic_long_read(&tt.completions[i]));
	pr_info("%ld registrations made and removed inside detach callbacks\n",
		atomic_long_read(&tt.nested));
	pr_info("%s: %ld failure(s); teardown took %u ms\n",
		atomic_long_read(&tt.failures) ? "FAIL" : "PASS", atomic_long_read(&tt.failures),
		jiffies_to_msecs(jiffies - started));
}

module_init(tt_init);
module_exit(tt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Randomised torture test of the NMR");
