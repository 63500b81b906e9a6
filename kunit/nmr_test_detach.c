// SPDX-License-Identifier: GPL-2.0
/* KUnit suites nmr_detach and nmr_cleanup: the DET and CLN rules. */
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/rcupdate.h>
#include <linux/timer.h>

#include "nmr_compat.h"
#include "nmr_test.h"

/* A provider and a client bound to each other. */
static void bind_pair(struct kunit *test, struct tpeer **p, struct tpeer **c)
{
	*p = tp_new(test, false, "p", &tnpi_a);
	*c = tp_new(test, true, "c", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(*p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(*c), 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&(*c)->nbinds), 1);
	tp_clear_events(test);
}

/* DET-1: nothing but a deregistration of one of its two registrations detaches a binding. */
static void det1_only_deregistration_detaches(struct kunit *test)
{
	struct tpeer *p, *c, *other;

	bind_pair(test, &p, &c);
	other = tp_new(test, true, "o", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(other), 0);	/* others come and go */
	tp_leave(test, other);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "o:attach p:attach o:detach p:detach o:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, atomic_read(&c->detaches), 0);
	tp_leave(test, c);
	tp_leave(test, p);
}

/* DET-2: both detach callbacks, the deregistering side's first. */
static void det2_both_sides_deregistering_side_first(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	tp_leave(test, c);
}

/*
 * T-D, DET-2: C and P both deregister while the binding has a side pending:
 * each detach callback runs once; both waits return only after both cleanups.
 */
static void det2_t_d_both_leave(struct kunit *test)
{
	struct tasync *wc, *wp;
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach");
	wc = tasync_start(test, tasync_wait_reg, c);
	wp = tasync_start(test, tasync_wait_reg, p);
	KUNIT_EXPECT_FALSE(test, tasync_wait(wc, 200));
	KUNIT_EXPECT_FALSE(test, tasync_wait(wp, 1));
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wc, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, tasync_wait(wp, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wc->ret, 0);
	KUNIT_EXPECT_EQ(test, wp->ret, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach c:cleanup p:cleanup");
}

/* DET-3: synchronously, in binding creation order, on the caller's thread, before return. */
static void det3_detach_in_creation_order(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a), *c[3];
	int i;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	for (i = 0; i < 3; i++) {
		c[i] = tp_new(test, true, "c", &tnpi_a);
		c[i]->name[1] = '1' + i;
		c[i]->detach_ret = -EINPROGRESS;
		KUNIT_ASSERT_EQ(test, tp_register(c[i]), 0);
	}
	tp_clear_events(test);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "p:detach c1:detach p:detach c2:detach p:detach c3:detach");
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_EQ(test, tp_bind(c[i], 0)->detach_task, current);
		KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c[i], 0)), 0);
	}
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	for (i = 0; i < 3; i++)
		tp_leave(test, c[i]);
}

/* DET-4: a detach result other than 0 or -EINPROGRESS counts as 0. */
static void det4_other_result_counts_as_done(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	c->detach_ret = -EIO;
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	/* Done at once: the cleanups ran inside the deregister call. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
	tp_leave(test, p);
}

/* DET-5: where *_detach_complete() is called from. */
enum det5_where { DET5_THREAD, DET5_WORK, DET5_TIMER, DET5_RCU, DET5_IRQS_OFF, DET5_HARDIRQ,
		  DET5_IRQ_WORK };

static const char *const det5_names[] = {
	"another thread", "workqueue", "timer (softirq)", "RCU callback",
	"spinlock held, interrupts off", "hard interrupt (hrtimer)", "irq_work",
};

static void det5_desc(const enum det5_where *w, char *desc)
{
	strscpy(desc, det5_names[*w], KUNIT_PARAM_DESC_SIZE);
}

static const enum det5_where det5_params[] = {
	DET5_THREAD, DET5_WORK, DET5_TIMER, DET5_RCU, DET5_IRQS_OFF, DET5_HARDIRQ, DET5_IRQ_WORK,
};

KUNIT_ARRAY_PARAM(det5, det5_params, det5_desc);

struct det5 {
	struct tbind *tb;
	int ret;
	bool right_context;
	struct completion fired;
	struct timer_list timer;
	struct hrtimer hrt;
	struct work_struct work;
	struct rcu_head rcu;
	struct irq_work iw;
	spinlock_t lock;	/* held with interrupts off while completing */
};

static void det5_fire(struct det5 *d, bool right_context)
{
	d->right_context = right_context;
	d->ret = tp_complete(d->tb);
	complete(&d->fired);
}

static int det5_thread(void *arg)
{
	struct det5 *d = arg;

	det5_fire(d, !in_interrupt());
	return 0;
}

static void det5_work(struct work_struct *w)
{
	det5_fire(container_of(w, struct det5, work), current_work());
}

static void det5_timer(struct timer_list *t)
{
	det5_fire(timer_container_of((struct det5 *)NULL, t, timer), in_softirq());
}

static void det5_rcu(struct rcu_head *h)
{
	det5_fire(container_of(h, struct det5, rcu), true);
}

static enum hrtimer_restart det5_hrtimer(struct hrtimer *h)
{
	det5_fire(container_of(h, struct det5, hrt), in_hardirq());
	return HRTIMER_NORESTART;
}

static void det5_irq_work(struct irq_work *w)
{
	det5_fire(container_of(w, struct det5, iw), irqs_disabled());
}

/*
 * T-B, DET-5, CLN-2: the provider leaves while the client has calls in flight;
 * the client completes later from a kthread, a work item, a timer, an RCU
 * callback, with a spinlock held and interrupts off, or from hard interrupt.
 * Both cleanups then run on the NMR's workqueue and the provider's wait returns.
 */
static void det5_t_b_complete_from_any_context(struct kunit *test)
{
	const enum det5_where *where = test->param_value;
	struct det5 *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct tasync *wait, *thread = NULL;
	struct tpeer *p, *c, *c2;
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, d);
	bind_pair(test, &p, &c);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach");
	wait = tasync_start(test, tasync_wait_reg, p);
	KUNIT_EXPECT_FALSE(test, tasync_wait(wait, 100));	/* P's wait blocks */

	d->tb = tp_bind(c, 0);
	init_completion(&d->fired);
	spin_lock_init(&d->lock);
	switch (*where) {
	case DET5_THREAD:
		thread = tasync_start(test, det5_thread, d);
		break;
	case DET5_WORK:
		INIT_WORK(&d->work, det5_work);
		schedule_work(&d->work);
		break;
	case DET5_TIMER:
		timer_setup(&d->timer, det5_timer, 0);
		mod_timer(&d->timer, jiffies + 1);
		break;
	case DET5_RCU:
		call_rcu(&d->rcu, det5_rcu);
		break;
	case DET5_IRQS_OFF:
		spin_lock_irqsave(&d->lock, flags);
		det5_fire(d, irqs_disabled());
		spin_unlock_irqrestore(&d->lock, flags);
		break;
	case DET5_HARDIRQ:
		hrtimer_setup(&d->hrt, det5_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
		hrtimer_start(&d->hrt, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
		break;
	case DET5_IRQ_WORK:
		init_irq_work(&d->iw, det5_irq_work);
		irq_work_queue(&d->iw);
		break;
	}
	TWAIT(test, &d->fired, T_TIMEOUT_MS);
	/* DRG-3: the module flushes its own machinery before it may unload. */
	switch (*where) {
	case DET5_THREAD:
		tasync_wait(thread, T_TIMEOUT_MS);
		break;
	case DET5_WORK:
		flush_work(&d->work);
		break;
	case DET5_TIMER:
		timer_delete_sync(&d->timer);
		break;
	case DET5_RCU:
		rcu_barrier();
		break;
	case DET5_HARDIRQ:
		hrtimer_cancel(&d->hrt);
		break;
	case DET5_IRQ_WORK:
		irq_work_sync(&d->iw);
		break;
	default:
		break;
	}
	KUNIT_EXPECT_EQ(test, d->ret, 0);
	KUNIT_EXPECT_TRUE_MSG(test, d->right_context, "not called from %s", det5_names[*where]);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach c:cleanup p:cleanup");
	/* CLN-2: finished in a completion, so cleanup ran on the NMR's workqueue. */
	KUNIT_EXPECT_TRUE(test, tp_bind(c, 0)->cleanup_in_wq);
	KUNIT_EXPECT_TRUE(test, tp_bind(p, 0)->cleanup_in_wq);
	/* C is still registered: a new provider binds to it. */
	c2 = tp_new(test, false, "p2", &tnpi_a);
	c->detach_ret = 0;
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->attaches), 2);
	tp_leave(test, c);
	tp_leave(test, c2);
}

struct det6 {
	struct completion completed;
	int ret;
	int detach_cpu, complete_cpu;
};

static int det6_completer(void *arg)
{
	struct tpeer *tp = arg;
	struct det6 *d = tp->hook_data;

	d->complete_cpu = raw_smp_processor_id();
	d->ret = tp_complete(tp_bind(tp, 0));
	complete(&d->completed);
	return 0;
}

static void det6_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct det6 *d = tp->hook_data;

	if (ev != TP_DETACH)
		return;
	d->detach_cpu = raw_smp_processor_id();
	tasync_start(tp->test, det6_completer, tp);
	/* The last call finishes on another thread while this callback still runs. */
	if (!wait_for_completion_timeout(&d->completed, msecs_to_jiffies(T_TIMEOUT_MS)))
		tp_log(tp->test, "COMPLETER-TIMEOUT");
}

/* DET-6: a completion that arrives while the detach callback is still running is accepted. */
static void det6_complete_while_detach_runs(struct kunit *test)
{
	struct det6 *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct tpeer *p, *c;

	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&d->completed);
	bind_pair(test, &p, &c);
	c->hook = det6_hook;
	c->hook_data = d;
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, d->ret, 0);
	/* Counted done once the callback returned -EINPROGRESS: no second completion. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	kunit_info(test, "detach on CPU %d, completion on CPU %d\n", d->detach_cpu,
		   d->complete_cpu);
	c->hook = NULL;
	tp_leave(test, c);
}

/*
 * T-E, DET-6: the provider completes before its detach ever started (as
 * xdp-for-windows does), then deregisters; its detach returns -EINPROGRESS
 * and the wait returns without another completion.
 */
static void det6_t_e_early_completion(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(p, 0)), 0);
	/* An early completion does not by itself start a detach. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");
	p->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	tp_leave(test, c);
}

/*
 * DET-6, HDL-5: a second completion before the detach ever started is
 * -EINVAL, reported, and changes nothing: the first one still counts, and the
 * side is done as soon as its detach returns -EINPROGRESS.
 */
static void det6_second_early_completion_einval(struct kunit *test)
{
	struct tpeer *p, *c;
	long misuse;

	bind_pair(test, &p, &c);
	misuse = tp_misuse_count();
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_misuse_count(), misuse);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 1);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");		/* no detach started */
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
	tp_leave(test, p);
}

/* DET-6: early completion, then the detach returns 0 anyway: done (with a warning). */
static void det6_early_then_zero_is_done(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
	tp_leave(test, p);
}

static void det7_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	if (ev == TP_DETACH && !preemptible())
		tp_log(tp->test, "ATOMIC");
	if (ev == TP_DETACH)
		might_sleep();
}

/* DET-7: detach callbacks run in process context and may sleep. */
static void det7_detach_in_process_context(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	p->hook = det7_hook;
	c->hook = det7_hook;
	tp_leave(test, p);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c:detach c:cleanup p:cleanup");
	tp_leave(test, c);
}

/* DET-8: the other registration stays active and binds again to a reloaded peer. */
static void det8_peer_stays_and_rebinds(struct kunit *test)
{
	struct tpeer *p, *c, *p2;

	bind_pair(test, &p, &c);
	tp_leave(test, p);
	p2 = tp_new(test, false, "p2", &tnpi_a);	/* "reloaded" provider */
	KUNIT_ASSERT_EQ(test, tp_register(p2), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "p:detach c:detach c:cleanup p:cleanup c:attach p2:attach");
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nbinds), 2);
	tp_leave(test, c);
	tp_leave(test, p2);
}

static struct kunit_case nmr_detach_cases[] = {
	KUNIT_CASE(det1_only_deregistration_detaches),
	KUNIT_CASE(det2_both_sides_deregistering_side_first),
	KUNIT_CASE(det2_t_d_both_leave),
	KUNIT_CASE(det3_detach_in_creation_order),
	KUNIT_CASE(det4_other_result_counts_as_done),
	KUNIT_CASE_PARAM(det5_t_b_complete_from_any_context, det5_gen_params),
	KUNIT_CASE(det6_complete_while_detach_runs),
	KUNIT_CASE(det6_t_e_early_completion),
	KUNIT_CASE(det6_second_early_completion_einval),
	KUNIT_CASE(det6_early_then_zero_is_done),
	KUNIT_CASE(det7_detach_in_process_context),
	KUNIT_CASE(det8_peer_stays_and_rebinds),
	{}
};

static struct kunit_suite nmr_detach_suite = {
	.name = "nmr_detach",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_detach_cases,
};

/* CLN-1: client cleanup, then provider cleanup, once each; a NULL one is skipped. */
static void cln1_order_once_null_skipped(struct kunit *test)
{
	struct tpeer *p, *c, *c2;

	bind_pair(test, &p, &c);
	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_bind(c, 0)->cleaned, 1);
	KUNIT_EXPECT_EQ(test, tp_bind(p, 0)->cleaned, 1);
	c2 = tp_new(test, true, "c2", &tnpi_a);
	c2->no_cleanup = true;
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	tp_clear_events(test);
	tp_leave(test, p);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:detach c2:detach p:cleanup");
	tp_leave(test, c2);
}

/* CLN-2: inline on the thread that finished the last side inside a deregister call. */
static void cln2_inline_when_done_in_deregister(struct kunit *test)
{
	struct tpeer *p, *c;

	bind_pair(test, &p, &c);
	tp_leave(test, c);
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->cleanup_task, current);
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->cleanup_task, current);
	KUNIT_EXPECT_FALSE(test, tp_bind(c, 0)->cleanup_in_wq);
	tp_leave(test, p);
}

static void cln3_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct tbind *peer = tb->peer_ctx;

	/* A call into the peer: its binding context must still be alive. */
	if (ev == TP_CLEANUP && peer->owner->poisoned)
		tp_log(tp->test, "PEER-GONE");
}

/*
 * CLN-3: binding contexts are freed in cleanup, never in detach: while the
 * client is still pending, the provider (done) has had no cleanup, so the
 * client may keep calling into the provider's context.
 */
static void cln3_contexts_live_until_cleanup(struct kunit *test)
{
	struct tpeer *p, *c;
	struct tbind *pctx;

	bind_pair(test, &p, &c);
	c->detach_ret = -EINPROGRESS;
	c->hook = cln3_hook;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->cleanups), 0);
	pctx = tp_bind(c, 0)->peer_ctx;		/* the client "calls in" */
	KUNIT_EXPECT_PTR_EQ(test, pctx->owner, p);
	KUNIT_EXPECT_EQ(test, pctx->cleaned, 0);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	KUNIT_EXPECT_EQ(test, pctx->cleaned, 1);
	KUNIT_EXPECT_NULL(test, strstr(tp_events(test), "PEER-GONE"));
	c->hook = NULL;
	tp_leave(test, c);
}

static struct kunit_case nmr_cleanup_cases[] = {
	KUNIT_CASE(cln1_order_once_null_skipped),
	KUNIT_CASE(cln2_inline_when_done_in_deregister),
	KUNIT_CASE(cln3_contexts_live_until_cleanup),
	{}
};

static struct kunit_suite nmr_cleanup_suite = {
	.name = "nmr_cleanup",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_cleanup_cases,
};

kunit_test_suites(&nmr_detach_suite, &nmr_cleanup_suite);
