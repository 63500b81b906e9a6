// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised torture of the NMR, in the manner of locktorture: threads register and
 * deregister clients and providers of a few NPIs at random while every binding side
 * declines, accepts, retries, fails after attaching, detaches at once or pends, and
 * completes early or late from a random context (thread, workqueue, timer, RCU
 * callback, interrupts off, hard interrupt). Invariants are checked as it runs and
 * reconciled at the end; rmmod prints PASS or FAIL with the operation counts.
 *
 * With reentry_pct, callbacks also call what the contract's re-entrancy table
 * allows, on their own thread: register, deregister, deregister_sync and wait on
 * other registrations (one of them a client whose offer from the provider being
 * registered on this thread is still queued, DRG-2), and complete other bindings.
 * Each thread keeps a record of what it is inside (tt_task), so that every
 * -EDEADLK is checked against HDL-4, and a watchdog fails any wait that does not
 * return within watchdog_secs.
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
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>
#include "nmr_compat.h"
#include "nmr_internal.h"	/* NMR_TAG_BITS: the binding id in a handle, as traced */
#include "nmr_trace.h"

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
static unsigned int reentry_pct;
module_param(reentry_pct, uint, 0444);
MODULE_PARM_DESC(reentry_pct, "percent of callbacks that register, deregister, wait or complete re-entrantly");
static unsigned int watchdog_secs = 20;
module_param(watchdog_secs, uint, 0444);
MODULE_PARM_DESC(watchdog_secs, "a wait that has not returned after this long is a failure");

/* The registration number of every torture registration: tells ours from other modules'. */
#define TT_MAGIC 0x70270e57

/* Where a completion comes from. */
enum tt_ctx { TT_THREAD, TT_WQ, TT_TIMER, TT_RCU, TT_IRQSOFF, TT_HARDIRQ, TT_NCTX };
static const char *const tt_ctx_name[] = {
	"thread", "workqueue", "timer", "rcu", "irqs-off", "hardirq",
};

/* When a completion arrived, relative to the side's detach callback. */
enum tt_when { TT_BEFORE, TT_DURING, TT_AFTER, TT_NWHEN };

/* The re-entrant calls, counted at rmmod. */
enum tt_re { TT_RE_REG, TT_RE_DEREG, TT_RE_SYNC, TT_RE_WAIT, TT_RE_COMPLETE, TT_RE_QUEUED,
	     TT_RE_PRIME, TT_NRE };
static const char *const tt_re_name[] = {
	"register", "deregister", "deregister_sync", "wait", "complete",
	"deregister_sync of a client queued behind (DRG-2)", "HDL-4 self-test",
};

static struct {
	atomic_long_t registers, deregisters, waits, deferred_waits, offers, attached, declines;
	atomic_long_t retries_ok, att8, late_comers, detaches, cleanups, nested;
	atomic_long_t completions[TT_NCTX], when[TT_NWHEN];
	atomic_long_t sides_accepted;
	atomic_long_t re[TT_NRE], re_untracked;
	atomic_long_t edeadlk_frame, edeadlk_batch;
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
	long pub_seq;			/* order of publication (nmr_register trace) */
	struct list_head sides;		/* its accepted binding sides (tt_lock) */
};

struct tt_side {
	struct list_head node;		/* graveyard; completer queue uses qnode */
	struct list_head qnode;
	struct list_head rnode;		/* in reg->sides */
	struct tt_reg *reg;
	struct tt_reg *peer;		/* the peer registration, if it is one of ours */
	struct nmr_binding *handle;
	bool client;
	bool pend, early;
	enum tt_ctx how;
	atomic_t detached, cleaned, completed;
	atomic_t in_detach;
	atomic_t detach_returned;
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

/*
 * ---- what each thread is inside (HDL-4) ----
 *
 * A thread's record is a stack of frames: the registrations whose register,
 * deregistration batch, wait or callbacks it is running, pushed and popped
 * by the thread itself. The bindings the NMR put in this thread's detach
 * batches are added from the nmr_detach_start tracepoint, which runs on the
 * thread that takes the binding. A wait may return -EDEADLK exactly when a
 * frame is a callback of a binding of the awaited registration, or the thread
 * still has one of its bindings to detach in a batch. The watchdog reads the
 * frames of every record (READ_ONCE), and nothing else does.
 */
enum tt_frame_kind { TT_F_WORKER, TT_F_REGISTER, TT_F_DEREG, TT_F_WAIT, TT_F_ATTACH,
		     TT_F_DETACH, TT_F_CLEANUP };

struct tt_frame {
	enum tt_frame_kind kind;
	struct tt_reg *a, *b;		/* the registrations involved; b may be NULL */
	const char *what, *from;	/* a watched operation, and the callback it is in */
	unsigned long start;
	unsigned int nbatch;		/* the record's batch length when pushed */
	bool overflow, watched, reported;
};

#define TT_DEPTH	10
#define TT_BATCH	32
#define TT_TASKS	64

struct tt_task {
	struct task_struct *task;	/* owner; claimed with cmpxchg() */
	unsigned int depth;
	unsigned int lost;		/* frames that did not fit: the record is incomplete */
	unsigned int token;		/* nested holds of tt_token */
	unsigned int nbatch;
	bool overflow;			/* batch ids that did not fit */
	u64 batch[TT_BATCH];		/* bindings this thread took into a detach batch */
	struct tt_frame f[TT_DEPTH];
};

static struct tt_task tt_tasks[TT_TASKS];
static struct task_struct *tt_token;	/* the one thread that may block in a callback */
static atomic_t tt_re_active = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(tt_re_wq);
static bool tt_stopping;
static atomic_long_t tt_pub_seq = ATOMIC_LONG_INIT(0);

static struct tt_task *tt_task_find(bool create)
{
	unsigned int i;

	for (i = 0; i < TT_TASKS; i++)
		if (READ_ONCE(tt_tasks[i].task) == current)
			return &tt_tasks[i];
	if (!create)
		return NULL;
	for (i = 0; i < TT_TASKS; i++)
		if (!READ_ONCE(tt_tasks[i].task) && !cmpxchg(&tt_tasks[i].task, NULL, current))
			return &tt_tasks[i];
	return NULL;
}

/* Push a frame; the caller pops it with tt_pop(), whatever this returns. */
static struct tt_task *tt_push(enum tt_frame_kind kind, struct tt_reg *a, struct tt_reg *b,
			       const char *what, const char *from)
{
	struct tt_task *t = tt_task_find(true);
	struct tt_frame *f;

	if (!t) {
		atomic_long_inc(&tt.re_untracked);
		return NULL;
	}
	if (t->depth >= TT_DEPTH) {
		t->lost++;
		return t;
	}
	f = &t->f[t->depth];
	f->kind = kind;
	f->a = a;
	f->b = b;
	/* What the watchdog reads, marked: it reads a frame being rewritten (KCSAN). */
	WRITE_ONCE(f->what, what);
	WRITE_ONCE(f->from, from);
	WRITE_ONCE(f->start, jiffies);
	f->nbatch = t->nbatch;
	f->overflow = t->overflow;
	WRITE_ONCE(f->reported, false);
	WRITE_ONCE(f->watched, !!what);
	smp_store_release(&t->depth, t->depth + 1);	/* the watchdog reads the frame after */
	return t;
}

static void tt_pop(struct tt_task *t)
{
	struct tt_frame *f;

	if (!t)
		return;
	if (t->lost) {
		t->lost--;
		return;
	}
	f = &t->f[t->depth - 1];
	WRITE_ONCE(f->watched, false);
	t->nbatch = f->nbatch;
	t->overflow = f->overflow;
	/* The frame is unwatched before it goes; the record is free after its last frame. */
	smp_store_release(&t->depth, t->depth - 1);
	if (!t->depth)	/* the record's last writes before another task may claim it */
		smp_store_release(&t->task, NULL);
}

static u64 tt_side_id(const struct tt_side *s)
{
	return (unsigned long)s->handle >> NMR_TAG_BITS;
}

/*
 * Why would a wait on @r from this thread return -EDEADLK (HDL-4)?
 * 2: a frame is a callback of a binding of @r; 1: the thread still has a
 * binding of @r to detach in one of its batches (its side's detach callback
 * has not returned); 0: it must not. -1: the record is incomplete.
 */
static int tt_expect_deadlock(struct tt_task *t, struct tt_reg *r)
{
	unsigned long flags;
	struct tt_side *s;
	unsigned int i, j;
	int why = 0;

	if (!t || t->lost || t->overflow)
		return -1;
	for (i = 0; i < t->depth; i++) {
		struct tt_frame *f = &t->f[i];

		if ((f->kind == TT_F_ATTACH || f->kind == TT_F_DETACH ||
		     f->kind == TT_F_CLEANUP) && (f->a == r || f->b == r))
			return 2;
	}
	spin_lock_irqsave(&tt_lock, flags);
	list_for_each_entry(s, &r->sides, rnode) {
		if (atomic_read(&s->detach_returned))
			continue;
		for (j = 0; j < t->nbatch; j++)
			if (t->batch[j] == tt_side_id(s))
				why = 1;
	}
	spin_unlock_irqrestore(&tt_lock, flags);
	return why;
}

/* Check a wait's result against the record; @ret is the wait's (or sync deregister's). */
static void tt_judge_wait(struct tt_task *t, struct tt_reg *r, int ret, const char *what,
			  const char *from)
{
	int why = tt_expect_deadlock(t, r);

	if (ret == -EDEADLK) {
		if (why == 2)
			atomic_long_inc(&tt.edeadlk_frame);
		else if (why == 1)
			atomic_long_inc(&tt.edeadlk_batch);
		else if (why == 0)
			tt_fail("%s from %s: -EDEADLK, inside nothing it waits for (HDL-4)",
				what, from);
	} else if (ret) {
		tt_fail("%s from %s returned %d", what, from, ret);
	} else if (why > 0) {
		tt_fail("%s from %s returned 0 from inside a %s it waited for (HDL-4)",
			what, from, why == 2 ? "callback" : "detach batch");
	}
}

/* May this thread block in a callback? Only one thread at a time does: no cycle of waits. */
static bool tt_token_get(struct tt_task *t)
{
	if (READ_ONCE(tt_token) == current) {
		t->token++;
		return true;
	}
	return !cmpxchg(&tt_token, NULL, current);
}

static void tt_token_put(struct tt_task *t)
{
	if (t->token)
		t->token--;
	else
		WRITE_ONCE(tt_token, NULL);
}

/* The nmr_detach_start tracepoint: this thread took @binding into a detach batch. */
static void tt_on_batch(u64 binding)
{
	struct tt_task *t = tt_task_find(false);

	if (!t || !t->depth)
		return;
	if (t->nbatch < TT_BATCH)
		t->batch[t->nbatch++] = binding;
	else
		t->overflow = true;
}

/* The nmr_register tracepoint, under nmr_lock: the order of publication. */
static void tt_on_register(void *d, u64 id, int role, const char *owner, const guid_t *npi,
			   u32 number)
{
	struct tt_task *t;

	if (number != TT_MAGIC)
		return;
	t = tt_task_find(false);
	if (t && t->depth && !t->lost && t->f[t->depth - 1].kind == TT_F_REGISTER)
		WRITE_ONCE(t->f[t->depth - 1].a->pub_seq, atomic_long_inc_return(&tt_pub_seq));
}

static struct task_struct *tt_watchdog;

/* Fail every watched operation that has run longer than watchdog_secs, once. */
static int tt_watchdog_fn(void *unused)
{
	unsigned int i, j, depth;

	while (!kthread_should_stop()) {
		schedule_timeout_interruptible(HZ);
		for (i = 0; i < TT_TASKS; i++) {
			struct tt_task *t = &tt_tasks[i];
			struct task_struct *task = READ_ONCE(t->task);

			if (!task)
				continue;
			/* Pairs with tt_push(): the frames below depth are written. */
			depth = min_t(unsigned int, smp_load_acquire(&t->depth), TT_DEPTH);
			for (j = 0; j < depth; j++) {
				struct tt_frame *f = &t->f[j];

				if (!READ_ONCE(f->watched) || READ_ONCE(f->reported) ||
				    time_before(jiffies, READ_ONCE(f->start) + watchdog_secs * HZ))
					continue;
				WRITE_ONCE(f->reported, true);
				tt_fail("%s from %s: no return after %u s (HDL-4, DRG-3)",
					READ_ONCE(f->what), READ_ONCE(f->from), watchdog_secs);
			}
		}
	}
	return 0;
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

/* The next side queued for a completion from a thread, or NULL. */
static struct tt_side *tt_queue_pop(void)
{
	unsigned long flags;
	struct tt_side *s;

	spin_lock_irqsave(&tt_lock, flags);
	s = list_first_entry_or_null(&tt_queue, struct tt_side, qnode);
	if (s)
		list_del(&s->qnode);
	spin_unlock_irqrestore(&tt_lock, flags);
	return s;
}

static int tt_completer_fn(void *unused)
{
	struct tt_side *s;
	unsigned long flags;

	while (!kthread_should_stop()) {
		wait_event_timeout(tt_queue_wq, !list_empty(&tt_queue) || kthread_should_stop(),
				   HZ / 10);
		for (;;) {
			s = tt_queue_pop();
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
	tt_on_batch(binding);
}

/* ---- the binding sides ---- */

static struct tt_side *tt_side_new(struct tt_reg *r, struct tt_reg *peer,
				   struct nmr_binding *handle)
{
	struct tt_side *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->reg = r;
	s->peer = peer;
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
	list_del(&s->rnode);
	list_add_tail(&s->node, &tt_graveyard_sides);
	spin_unlock_irqrestore(&tt_lock, flags);
}

/* The side is accepted: count it, and start an early completion if chosen. */
static void tt_side_accepted(struct tt_side *s)
{
	unsigned long flags;

	spin_lock_irqsave(&tt_lock, flags);
	list_add_tail(&s->rnode, &s->reg->sides);
	spin_unlock_irqrestore(&tt_lock, flags);
	atomic_long_inc(&tt.sides_accepted);
	if (s->early)
		tt_schedule_complete(s);
}

static struct tt_reg *tt_reg_new(void);
static int tt_register(struct tt_reg *r);
static void tt_deregister(struct tt_reg *r);
static void tt_reenter(struct tt_reg *self, struct tt_reg *peer, const char *from);
static void tt_queued_behind(struct tt_reg *r, const struct nmr_registration_instance *provider,
			     struct tt_task *t);

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
	struct tt_task *t = tt_push(TT_F_DETACH, s->reg, s->peer, NULL, NULL);
	int ret;

	tt_check_alive(s->reg, "detach");
	if (atomic_inc_return(&s->detached) != 1)
		tt_fail("detach called twice on one side (DET-2)");
	atomic_long_inc(&tt.detaches);
	atomic_set(&s->in_detach, 1);
	if (tt_chance(nested_pct))
		tt_nested();
	tt_reenter(s->reg, s->peer, s->client ? "detach_provider" : "detach_client");
	ret = s->pend ? -EINPROGRESS : 0;
	if (s->pend && !s->early)
		tt_schedule_complete(s);
	else if (s->pend)
		udelay(get_random_u32_below(20));	/* widen the window for DET-6 */
	atomic_set(&s->in_detach, 0);
	atomic_set(&s->detach_returned, 1);
	tt_pop(t);
	return ret;
}

static void tt_cleanup(void *ctx)
{
	struct tt_side *s = ctx;
	struct tt_task *t = tt_push(TT_F_CLEANUP, s->reg, s->peer, NULL, NULL);

	tt_check_alive(s->reg, "cleanup");
	if (atomic_read(&s->detached) != 1)
		tt_fail("cleanup of a side detached %d times (CLN-1)", atomic_read(&s->detached));
	if (atomic_inc_return(&s->cleaned) != 1)
		tt_fail("cleanup called twice on one side (CLN-1)");
	if (s->pend && !atomic_read(&s->completed))
		tt_fail("cleanup before the pending side completed (CLN-1)");
	atomic_long_inc(&tt.cleanups);
	tt_reenter(s->reg, s->peer, "cleanup_binding_context");
	tt_side_bury(s);
	tt_pop(t);
}

/* The peer's registration, if it is one of ours (REG-3: its own registration instance). */
static struct tt_reg *tt_peer_of(const struct nmr_registration_instance *ri)
{
	return ri->number == TT_MAGIC ? (struct tt_reg *)ri->npi_specific : NULL;
}

static int tt_attach_provider_body(struct nmr_binding *binding, struct tt_reg *r,
				   const struct nmr_registration_instance *provider,
				   struct tt_task *t);

static int tt_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	struct tt_reg *r = provider_ctx, *peer = tt_peer_of(client);
	struct tt_task *t = tt_push(TT_F_ATTACH, r, peer, NULL, NULL);
	struct tt_side *s;
	int ret = -ENODEV;

	tt_check_alive(r, "attach_client");
	tt_reenter(r, peer, "attach_client");
	if (tt_chance(decline_pct))
		goto out;
	ret = -ENOMEM;
	s = tt_side_new(r, peer, binding);
	if (!s)
		goto out;
	*pctx = s;
	*pdisp = r;
	tt_side_accepted(s);
	ret = 0;
out:
	tt_pop(t);
	return ret;
}

static int tt_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	struct tt_reg *r = client_ctx;
	struct tt_task *t;
	int ret;

	tt_check_alive(r, "attach_provider");
	atomic_long_inc(&tt.offers);
	t = tt_push(TT_F_ATTACH, r, tt_peer_of(provider), NULL, NULL);
	ret = tt_attach_provider_body(binding, r, provider, t);
	tt_pop(t);
	return ret;
}

static int tt_attach_provider_body(struct nmr_binding *binding, struct tt_reg *r,
				   const struct nmr_registration_instance *provider,
				   struct tt_task *t)
{
	struct tt_side *s;
	const void *pdisp;
	void *pctx;
	int ret;

	tt_queued_behind(r, provider, t);
	tt_reenter(r, tt_peer_of(provider), "attach_provider");
	if (tt_chance(decline_pct)) {
		atomic_long_inc(&tt.declines);
		return -ENODEV;
	}
	s = tt_side_new(r, tt_peer_of(provider), binding);
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
	INIT_LIST_HEAD(&r->sides);
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
	ri->number = TT_MAGIC;
	ri->npi_specific = r;
	return r;
}

static int tt_register(struct tt_reg *r)
{
	struct tt_task *t = tt_push(TT_F_REGISTER, r, NULL, NULL, NULL);
	int ret;

	atomic_long_inc(&tt.registers);
	ret = r->client ? nmr_register_client(&r->cc, r, &r->ch) :
			  nmr_register_provider(&r->pc, r, &r->ph);
	tt_pop(t);
	return ret;
}

static void tt_deregister(struct tt_reg *r)
{
	struct tt_task *t = tt_push(TT_F_DEREG, r, NULL, NULL, NULL);
	int ret = r->client ? nmr_deregister_client(r->ch) : nmr_deregister_provider(r->ph);

	tt_pop(t);
	atomic_long_inc(&tt.deregisters);
	if (ret != -EINPROGRESS)
		tt_fail("deregister returned %d (DRG-1)", ret);
}

/* The wait returned: nothing of @r may run again; its memory is kept a while to catch it. */
static void tt_reg_dead(struct tt_reg *r)
{
	unsigned long flags;

	WRITE_ONCE(r->dead, true);
	r->died = jiffies;
	spin_lock_irqsave(&tt_lock, flags);
	list_add_tail(&r->node, &tt_graveyard_regs);
	spin_unlock_irqrestore(&tt_lock, flags);
}

static int tt_wait_call(struct tt_reg *r)
{
	return r->client ? nmr_wait_for_client_deregister_complete(r->ch) :
			   nmr_wait_for_provider_deregister_complete(r->ph);
}

static void tt_wait(struct tt_reg *r)
{
	struct tt_task *t = tt_push(TT_F_WAIT, r, NULL, "wait", "no callback");
	int ret = tt_wait_call(r);

	tt_pop(t);
	if (ret)
		tt_fail("wait returned %d", ret);
	atomic_long_inc(&tt.waits);
	tt_reg_dead(r);
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

/* ---- re-entrant calls from callbacks ---- */

static void tt_defer(struct tt_reg *r)
{
	unsigned long flags;

	spin_lock_irqsave(&tt_lock, flags);
	list_add_tail(&r->node, &tt_deferred);
	spin_unlock_irqrestore(&tt_lock, flags);
}

/* Take a registered registration out of a slot that no other thread holds. */
static struct tt_reg *tt_take_slot(struct tt_reg *like, struct tt_reg *before)
{
	unsigned int i, first = get_random_u32_below(slots);
	struct tt_slot *slot;
	struct tt_reg *r;

	for (i = 0; i < slots; i++) {
		slot = &tt_slots[(first + i) % slots];
		if (!mutex_trylock(&slot->lock))
			continue;
		r = slot->reg;
		/* A client of @like's NPI published after @like and before @before. */
		if (r && like && (!r->client || r->npi != like->npi ||
				  READ_ONCE(r->pub_seq) <= READ_ONCE(like->pub_seq) ||
				  READ_ONCE(r->pub_seq) >= READ_ONCE(before->pub_seq)))
			r = NULL;
		if (r)
			slot->reg = NULL;
		mutex_unlock(&slot->lock);
		if (r)
			return r;
	}
	return NULL;
}

/* Put a new registration in a free slot, or take it down again (another thread waits). */
static void tt_put_slot(struct tt_reg *r)
{
	unsigned int i;

	for (i = 0; i < slots; i++) {
		if (!mutex_trylock(&tt_slots[i].lock))
			continue;
		if (!tt_slots[i].reg) {
			tt_slots[i].reg = r;
			r = NULL;
		}
		mutex_unlock(&tt_slots[i].lock);
		if (!r)
			return;
	}
	tt_deregister(r);
	tt_defer(r);
}

/*
 * Blocking in a callback is left to threads whose whole record is ours: a
 * worker, or a cleanup on the NMR's workqueue (HDL-4: not ordered). On another
 * module's thread (one that loads or unloads a module) the record would not
 * show what that thread is inside.
 */
static bool tt_may_block(struct tt_task *t)
{
	return !t->lost && t->depth && (t->f[0].kind == TT_F_WORKER ||
		(t->f[0].kind == TT_F_CLEANUP && (current->flags & PF_WQ_WORKER)));
}

/* deregister_sync of @r (taken from a slot) from a callback; judged against HDL-4. */
static void tt_re_sync(struct tt_task *t, struct tt_reg *r, const char *from, enum tt_re kind)
{
	struct tt_task *f = tt_push(TT_F_DEREG, r, NULL, tt_re_name[kind], from);
	int ret = r->client ? nmr_deregister_client_sync(r->ch) :
			      nmr_deregister_provider_sync(r->ph);

	tt_judge_wait(t, r, ret, tt_re_name[kind], from);
	tt_pop(f);
	atomic_long_inc(&tt.deregisters);
	atomic_long_inc(&tt.re[kind]);
	if (!ret) {
		atomic_long_inc(&tt.waits);
		tt_reg_dead(r);
	} else {
		tt_defer(r);	/* -EDEADLK: deregistered, a worker waits later */
	}
}

/* A wait on a registration another thread deregistered, from a callback. */
static void tt_re_wait(struct tt_task *t, const char *from)
{
	struct tt_reg *r = tt_pop_deferred();
	struct tt_task *f;
	int ret;

	if (!r)
		return;
	f = tt_push(TT_F_WAIT, r, NULL, "wait", from);
	ret = tt_wait_call(r);
	tt_judge_wait(t, r, ret, "wait", from);
	tt_pop(f);
	atomic_long_inc(&tt.re[TT_RE_WAIT]);
	if (!ret) {
		atomic_long_inc(&tt.waits);
		tt_reg_dead(r);
	} else {
		tt_defer(r);
	}
}

/* Complete another binding's pending side, inline, from a callback (DET-5). */
static void tt_re_complete(void)
{
	unsigned long flags;
	struct tt_side *s;

	s = tt_queue_pop();
	if (!s)
		return;
	atomic_long_inc(&tt.re[TT_RE_COMPLETE]);
	if (s->how == TT_IRQSOFF) {
		local_irq_save(flags);
		tt_do_complete(s);
		local_irq_restore(flags);
	} else {
		tt_do_complete(s);
	}
}

static bool tt_re_begin(void)
{
	atomic_inc(&tt_re_active);
	smp_mb__after_atomic();		/* pairs with tt_exit() */
	return !READ_ONCE(tt_stopping);
}

static void tt_re_end(void)
{
	if (atomic_dec_and_test(&tt_re_active))
		wake_up(&tt_re_wq);
}

/* One re-entrant call, of a random kind, from the callback @from (the table of section 3). */
static void tt_reenter(struct tt_reg *self, struct tt_reg *peer, const char *from)
{
	struct tt_task *t;
	struct tt_reg *r;
	enum tt_re op;

	if (!reentry_pct || !tt_chance(reentry_pct))
		return;
	if (!tt_re_begin())
		goto out;
	t = tt_task_find(false);
	if (!t || t->lost || t->depth > TT_DEPTH - 4)
		goto out;
	op = get_random_u32_below(TT_RE_COMPLETE + 1);
	if ((op == TT_RE_SYNC || op == TT_RE_WAIT) && (!tt_may_block(t) || !tt_token_get(t)))
		op = TT_RE_DEREG;
	switch (op) {
	case TT_RE_REG:
		r = tt_reg_new();
		if (r && !tt_register(r)) {
			atomic_long_inc(&tt.re[op]);
			tt_put_slot(r);
		} else {
			kfree(r);
		}
		break;
	case TT_RE_DEREG:
		r = tt_take_slot(NULL, NULL);
		if (r) {
			tt_deregister(r);
			atomic_long_inc(&tt.re[op]);
			tt_defer(r);
		}
		break;
	case TT_RE_SYNC:
		r = tt_take_slot(NULL, NULL);
		if (r)
			tt_re_sync(t, r, from, op);
		tt_token_put(t);
		break;
	case TT_RE_WAIT:
		tt_re_wait(t, from);
		tt_token_put(t);
		break;
	default:
		tt_re_complete();
		break;
	}
out:
	tt_re_end();
}

/*
 * Inside a client's attach_provider while the provider registers on this
 * thread: deregister_sync another client of the NPI whose offer from that
 * provider is still queued behind this one. DRG-2: the queued offer is dropped
 * and does not hold the wait, and the client never hears of the provider.
 */
static void tt_queued_behind(struct tt_reg *r, const struct nmr_registration_instance *provider,
			     struct tt_task *t)
{
	struct tt_reg *p = tt_peer_of(provider), *c;
	unsigned int i;

	if (!reentry_pct || !p || !t || !tt_chance(reentry_pct * 4))
		return;
	if (!tt_re_begin())
		goto out;
	for (i = 0; i + 1 < t->depth; i++)
		if (t->f[i].kind == TT_F_REGISTER && t->f[i].a == p)
			break;
	if (i + 1 >= t->depth || t->lost || !tt_may_block(t) || !tt_token_get(t))
		goto out;
	c = tt_take_slot(r, p);
	if (c)
		tt_re_sync(t, c, "attach_provider during its provider's register", TT_RE_QUEUED);
	tt_token_put(t);
out:
	tt_re_end();
}

/*
 * HDL-4's first report is a WARNING with a backtrace (later ones are
 * rate-limited lines): have it here, once, between the markers that tell the
 * verdict it is expected, and check the deterministic case on the way: a
 * client's detach callback waits on its own deregistration.
 */
static guid_t tt_prime_npi = GUID_INIT(0x7027ffff, 0, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0x71);
static struct nmr_client *tt_prime_ch;
static int tt_prime_ret = 1;

static int tt_prime_attach_provider(struct nmr_binding *binding, void *client_ctx,
				    const struct nmr_registration_instance *provider)
{
	const void *pdisp;
	void *pctx;

	return nmr_client_attach_provider(binding, NULL, NULL, &pctx, &pdisp);
}

static int tt_prime_detach_provider(void *ctx)
{
	tt_prime_ret = nmr_wait_for_client_deregister_complete(tt_prime_ch);
	return 0;
}

static int tt_prime_attach_client(struct nmr_binding *binding, void *provider_ctx,
				  const struct nmr_registration_instance *client,
				  void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	*pctx = NULL;
	*pdisp = NULL;
	return 0;
}

static int tt_prime_detach_client(void *ctx)
{
	return 0;
}

static const struct nmr_client_characteristics tt_prime_cc = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = tt_prime_attach_provider,
	.detach_provider = tt_prime_detach_provider,
	.registration.npi_id = &tt_prime_npi,
};

static const struct nmr_provider_characteristics tt_prime_pc = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = tt_prime_attach_client,
	.detach_client = tt_prime_detach_client,
	.registration.npi_id = &tt_prime_npi,
};

static void tt_prime_hdl4(void)
{
	struct nmr_provider *ph;
	int ret;

	pr_info("nmr-test: expect-misuse-warning begin\n");
	if (nmr_register_provider(&tt_prime_pc, NULL, &ph)) {
		tt_fail("HDL-4 self-test: register provider");
		goto out;
	}
	if (nmr_register_client(&tt_prime_cc, NULL, &tt_prime_ch)) {
		tt_fail("HDL-4 self-test: register client");
		nmr_deregister_provider_sync(ph);
		goto out;
	}
	nmr_deregister_client(tt_prime_ch);
	ret = nmr_wait_for_client_deregister_complete(tt_prime_ch);
	if (tt_prime_ret != -EDEADLK || ret)
		tt_fail("HDL-4: a wait from its own detach callback returned %d, the wait after %d",
			tt_prime_ret, ret);
	else
		atomic_long_inc(&tt.re[TT_RE_PRIME]);
	ret = nmr_deregister_provider_sync(ph);
	if (ret)
		tt_fail("HDL-4 self-test: provider deregister_sync %d", ret);
out:
	pr_info("nmr-test: expect-misuse-warning end\n");
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
	struct tt_task *t = tt_push(TT_F_WORKER, NULL, NULL, NULL, NULL);
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
	tt_pop(t);
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
	    register_trace_nmr_detach_start(tt_on_detach_start, NULL) ||
	    register_trace_nmr_register(tt_on_register, NULL))
		goto err;
	tt_prime_hdl4();
	tt_end = jiffies + duration * HZ;
	tt_watchdog = kthread_run(tt_watchdog_fn, NULL, "nmr_torture_w");
	if (IS_ERR(tt_watchdog))
		goto err;
	tt_completer = kthread_run(tt_completer_fn, NULL, "nmr_torture_c");
	if (IS_ERR(tt_completer)) {
		kthread_stop(tt_watchdog);
		goto err;
	}
	for (i = 0; i < threads; i++) {
		tt_workers[i] = kthread_run(tt_worker_fn, NULL, "nmr_torture/%u", i);
		if (IS_ERR(tt_workers[i])) {
			tt_workers[i] = NULL;
			break;
		}
	}
	pr_info("started: %u threads, %u s, %u NPIs, %u slots, %u%% re-entrant callbacks\n",
		threads, duration, npis, slots, reentry_pct);
	return 0;
err:
	unregister_trace_nmr_attach(tt_on_attach, NULL);
	unregister_trace_nmr_detach_start(tt_on_detach_start, NULL);
	unregister_trace_nmr_register(tt_on_register, NULL);
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
	/* No re-entrant call starts from now on; those running put back what they took. */
	WRITE_ONCE(tt_stopping, true);
	smp_mb();	/* pairs with tt_re_begin() */
	while (!wait_event_timeout(tt_re_wq, !atomic_read(&tt_re_active), 10 * HZ))
		pr_warn("waiting for %d re-entrant call(s)\n", atomic_read(&tt_re_active));
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
	kthread_stop(tt_watchdog);
	kthread_stop(tt_completer);
	unregister_trace_nmr_attach(tt_on_attach, NULL);
	unregister_trace_nmr_detach_start(tt_on_detach_start, NULL);
	unregister_trace_nmr_register(tt_on_register, NULL);
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
	for (i = 0; i < TT_NRE; i++)
		pr_info("re-entrant %s: %ld\n", tt_re_name[i], atomic_long_read(&tt.re[i]));
	pr_info("re-entrant -EDEADLK, each expected (HDL-4): %ld inside a callback of the awaited registration, %ld with its binding still in this thread's detach batch; %ld callbacks on untracked threads\n",
		atomic_long_read(&tt.edeadlk_frame), atomic_long_read(&tt.edeadlk_batch),
		atomic_long_read(&tt.re_untracked));
	pr_info("%s: %ld failure(s); teardown took %u ms\n",
		atomic_long_read(&tt.failures) ? "FAIL" : "PASS", atomic_long_read(&tt.failures),
		jiffies_to_msecs(jiffies - started));
}

module_init(tt_init);
module_exit(tt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Randomised torture test of the NMR");
