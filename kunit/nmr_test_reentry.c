// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_reentry: calls made from inside callbacks, and modules that
 * go away while other threads are offering to them or still detaching from
 * them (DRG-2, HDL-4, HDL-6, EXT-2, EXT-5, DRG-4). Each case drives one
 * interleaving on purpose, ordered with completions; every wait is bounded.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/preempt.h>

#include "nmr_test.h"
#include "nmr_trace.h"

/* What a hook of one case needs: its peers, its gates, and what it saw. */
struct rent {
	struct module *fake;		/* stands in for a module that unloads (HDL-6) */
	struct tpeer *target;
	struct tpark park;		/* a hook parks its callback here */
	int ret;
	bool fired;
	bool saw_atomic;
};

static struct rent *rent_new(struct kunit *test)
{
	struct rent *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	tp_park_init(&h->park);
	h->ret = 1;
	return h;
}

static struct module *rent_fake_module(struct kunit *test, struct rent *h)
{
	h->fake = kunit_kzalloc(test, sizeof(*h->fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->fake);
	strscpy(h->fake->name, "nmr_fake_going", sizeof(h->fake->name));
	return h->fake;
}

/* The fake module's registrations were cut loose: the fixture must not touch them. */
static void rent_gone(struct tpeer *tp)
{
	tp->deregistered = true;
	tp->waited = true;
	WRITE_ONCE(tp->poisoned, true);		/* no callback may reach them any more */
}

static int rent_going(void *data)
{
	nmr_module_going(((struct rent *)data)->fake);
	return 0;
}

/* Poll, bounded, until a state another thread reaches holds; true if it did. */
#define RENT_UNTIL(cond)						\
({									\
	unsigned long __end = jiffies + msecs_to_jiffies(T_TIMEOUT_MS);	\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(500, 1000);				\
	__ok;								\
})

/* The helper returned: now, or within the bound. */
static bool rent_finished(struct tasync *a)
{
	/* Pairs with the release in tasync_fn(): an earlier wait may have taken the completion. */
	return smp_load_acquire(&a->finished) || tasync_wait(a, T_TIMEOUT_MS);
}

static void rent_sync_deregister_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct rent *h = tp->hook_data;

	if (ev != TP_ATTACH || h->fired)
		return;
	h->fired = true;
	h->ret = nmr_deregister_client_sync(h->target->client);
}

/*
 * DRG-2, HDL-4: clients c1 and c2 are registered; provider p registers, so
 * its register call queues the offers p-c1 and p-c2 and runs them in order.
 * Inside c1's attach_provider, c1's module deregisters c2 and waits for it.
 * The offer p-c2 has not started: it is dropped, and the wait returns 0 at
 * once instead of waiting for an offer only this very thread could run.
 */
static void drg2_queued_offer_does_not_hold_a_wait(struct kunit *test)
{
	struct tpeer *c1 = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *reg;

	KUNIT_ASSERT_EQ(test, tp_register(c1), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	h->target = c2;
	c1->hook = rent_sync_deregister_hook;
	c1->hook_data = h;
	reg = tasync_start(test, tasync_register, p);
	KUNIT_ASSERT_TRUE_MSG(test, tasync_wait(reg, T_TIMEOUT_MS),
			      "the sync deregister from inside attach_provider never returned");
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_EXPECT_EQ(test, h->ret, 0);
	c2->deregistered = true;
	c2->waited = true;
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->attaches), 0);	/* the dropped offer */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c1:attach p:attach");
	tp_leave(test, c1);
	tp_leave(test, p);
}

/* The provider's attach_client parks until the test lets it go. */
static void rent_park_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct rent *h = tp->hook_data;

	if (ev != TP_ATTACH || h->fired)
		return;
	h->fired = true;
	tp_park(&h->park);
}

/*
 * HDL-6: provider p's module goes while one of p's callbacks runs (its
 * attach_client for c1, on another thread). From the moment p is cut loose,
 * no offer involving it starts: c3, registering meanwhile, is never offered
 * p, so never sees a pointer into the departing module. Once the callback
 * returns, c1's new binding is detached at once, and the GOING step returns
 * after c1's side is done.
 */
static void hdl6_no_offer_of_a_going_module(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c1 = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *c3 = tp_new(test, true, "c3", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *reg1, *going, *reg3;
	bool cut;

	KUNIT_ASSERT_EQ(test, tp_register_owner(p, rent_fake_module(test, h)), 0);
	p->hook = rent_park_hook;
	p->hook_data = h;
	reg1 = tasync_start(test, tasync_register, c1);
	TWAIT(test, &h->park.parked, T_TIMEOUT_MS);
	going = tasync_start(test, rent_going, h);
	/* The GOING step took its reference on p: p is cut loose from here on. */
	cut = RENT_UNTIL(nmr_waiters(NMR_PROVIDER, p->provider) >= 1);
	KUNIT_ASSERT_TRUE_MSG(test, cut, "the GOING step never took p");
	reg3 = tasync_start(test, tasync_register, c3);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg3, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, reg3->ret, 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&c3->attaches), 0,
			    "c3 was offered a provider whose module is going");
	KUNIT_EXPECT_FALSE(test, tasync_wait(going, 50));	/* p's callback still runs */

	complete(&h->park.release);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg1, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, rent_finished(going));
	KUNIT_EXPECT_EQ(test, reg1->ret, 0);
	rent_gone(p);
	/* ATT-10 for the binding that finished attaching; p's side is never called. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c1:attach p:attach c1:detach c1:cleanup");
	tp_leave(test, c1);
	tp_leave(test, c3);
}

/* Parks like rent_park_hook; once released, registers h->target as the going module. */
static void rent_park_register_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct rent *h = tp->hook_data;

	if (ev != TP_ATTACH || h->fired)
		return;
	h->fired = true;
	if (tp_park(&h->park))
		h->ret = tp_register_owner(h->target, h->fake);
}

/*
 * HDL-6, REG-1: while a module's GOING step runs, a callback of that module
 * still finishing on another thread cannot add a registration: the step has
 * made its list, so the registration would bind to peers and outlive the
 * module's memory. It gets -ENODEV; nothing is registered, no peer is
 * offered anything. (A registration from the module's exit() is not refused:
 * the GOING step runs after exit() and finds it; hdl6_* above do that.)
 */
static void hdl6_going_module_cannot_register(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *reg, *going;
	bool cut;

	KUNIT_ASSERT_EQ(test, tp_register_owner(c, rent_fake_module(test, h)), 0);
	c->hook = rent_park_register_hook;
	c->hook_data = h;
	h->target = c2;
	/* p's offer to c runs c's attach_provider on that thread, which parks. */
	reg = tasync_start(test, tasync_register, p);
	TWAIT(test, &h->park.parked, T_TIMEOUT_MS);
	going = tasync_start(test, rent_going, h);
	cut = RENT_UNTIL(nmr_waiters(NMR_CLIENT, c->client) >= 1);
	KUNIT_ASSERT_TRUE_MSG(test, cut, "the GOING step never took c");

	complete(&h->park.release);	/* the parked callback registers c2 as the going module */
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, rent_finished(going));
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_EXPECT_EQ(test, h->ret, -ENODEV);
	KUNIT_EXPECT_NULL(test, c2->client);
	rent_gone(c);
	/* ATT-10 for the binding c's callback finished; c's side is never called. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach p:cleanup");
	tp_leave(test, p);
}

/*
 * HDL-6, DRG-4: p's module goes while client c, bound to p, has calls in
 * flight: c's detach is pending. c may still be running p's dispatch code, so
 * the GOING step (after which the module's memory is freed) does not return
 * until c's side is done, and says what it waits for meanwhile; debugfs
 * shows p as orphaned (EXT-1).
 */
static void hdl6_going_waits_for_a_pending_peer(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *going;
	char line[200];
	bool ok;
	long stalls;

	tp_stall_secs(test, 1);
	KUNIT_ASSERT_EQ(test, tp_register_owner(p, rent_fake_module(test, h)), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	tp_clear_events(test);
	stalls = atomic_long_read(&nmr_stall_reports);

	going = tasync_start(test, rent_going, h);
	ok = RENT_UNTIL(atomic_read(&c->detaches) == 1);
	KUNIT_ASSERT_TRUE_MSG(test, ok, "c was never detached");
	/* EXT-1: meanwhile debugfs shows p cut loose, still holding its binding. */
	snprintf(line, sizeof(line),
		 "provider id=%lu owner=nmr_fake_going npi=%pUl module=%pUl number=0 state=orphaned bindings=1 offers=0\n",
		 tp_hid(p->provider), &tnpi_a, &p->mid.guid);
	tp_expect_line(test, tp_show(test, nmr_registrations_show), line);
	KUNIT_EXPECT_FALSE_MSG(test, tasync_wait(going, 100),
			       "the GOING step returned while c's detach was pending");
	ok = RENT_UNTIL(atomic_long_read(&nmr_stall_reports) > stalls);
	KUNIT_EXPECT_TRUE_MSG(test, ok, "no DRG-4 stall report while the GOING step waited");
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 0);

	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, rent_finished(going));
	rent_gone(p);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach c:cleanup");
	tp_leave(test, c);
}

/*
 * HDL-6, DRG-4: client c's module goes after c deregistered (never waited)
 * while both sides of its binding to p are pending. The cut counts c's side
 * done, but p's is still pending: no cleanup yet, and the GOING step waits
 * (reporting the stall) until p completes. Then p's cleanup runs, never c's.
 */
static void hdl6_going_with_both_sides_pending(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *going;
	long stalls;
	bool ok;

	tp_stall_secs(test, 1);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c, rent_fake_module(test, h)), 0);
	c->detach_ret = -EINPROGRESS;
	p->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach c:detach p:detach");
	tp_clear_events(test);
	stalls = atomic_long_read(&nmr_stall_reports);

	going = tasync_start(test, rent_going, h);
	/* A stall report comes from the GOING step's wait: the cut is done by then. */
	ok = RENT_UNTIL(atomic_long_read(&nmr_stall_reports) > stalls);
	KUNIT_ASSERT_TRUE_MSG(test, ok, "no DRG-4 stall report while the GOING step waited");
	tp_expect_line(test, tp_show(test, nmr_bindings_show),
		       "state=detaching client=done provider=pending");
	KUNIT_EXPECT_EQ(test, atomic_read(&p->cleanups), 0);
	KUNIT_EXPECT_FALSE(test, tasync_wait(going, 1));

	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(p, 0)), 0);
	KUNIT_ASSERT_TRUE(test, rent_finished(going));
	rent_gone(c);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:cleanup");
	tp_leave(test, p);
}

/* c's detach callback parks, then returns -EINPROGRESS (it has calls in flight). */
static void rent_park_detach_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct rent *h = tp->hook_data;

	if (ev != TP_DETACH || h->fired)
		return;
	h->fired = true;
	if (!tp_park(&h->park))
		tp_log(tp->test, "RELEASE-TIMEOUT");
}

/*
 * HDL-6, DET-4: client c's module goes while c's detach callback runs (its
 * deregistration, on another thread). The callback then returns -EINPROGRESS,
 * but a going module will never complete: its side counts as done at once,
 * the peer's detach follows, p's cleanup runs (never c's), and the GOING step
 * returns with no completion at all.
 */
static void hdl6_going_while_detach_runs_counts_done(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct rent *h = rent_new(test);
	struct tasync *dereg, *going;
	bool ok;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c, rent_fake_module(test, h)), 0);
	c->detach_ret = -EINPROGRESS;
	c->hook = rent_park_detach_hook;
	c->hook_data = h;
	tp_clear_events(test);
	dereg = tasync_start(test, tasync_deregister, c);
	TWAIT(test, &h->park.parked, T_TIMEOUT_MS);
	going = tasync_start(test, rent_going, h);
	/* The GOING step marks c orphaned and takes its reference in one hold of the lock. */
	ok = RENT_UNTIL(nmr_waiters(NMR_CLIENT, c->client) >= 1);
	KUNIT_ASSERT_TRUE_MSG(test, ok, "the GOING step never took c");
	KUNIT_EXPECT_FALSE(test, tasync_wait(going, 50));	/* c's callback still runs */

	complete(&h->park.release);
	KUNIT_ASSERT_TRUE(test, tasync_wait(dereg, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, dereg->ret, -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, rent_finished(going));
	rent_gone(c);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:detach p:detach p:cleanup");
	tp_leave(test, p);
}

static void rent_flip_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct rent *h = tp->hook_data;

	if (ev != TP_DETACH)
		return;
	h->saw_atomic = !preemptible();
	WRITE_ONCE(nmr_atomic_callbacks, !READ_ONCE(nmr_atomic_callbacks));
}

static void rent_restore_atomic(void *on)
{
	WRITE_ONCE(nmr_atomic_callbacks, !!on);
}

/*
 * EXT-5: the atomic_callbacks parameter is written while a detach callback
 * runs, each way. The mode the callback was called in is the mode it ends in:
 * the preemption count is the same after the deregistration as before.
 */
static void ext5_atomic_mode_flipped_inside_a_callback(struct kunit *test)
{
	struct rent *h = rent_new(test);
	struct tpeer *p, *c;
	void *old = (void *)(uintptr_t)READ_ONCE(nmr_atomic_callbacks);
	int round, count;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, rent_restore_atomic, old));
	for (round = 0; round < 2; round++) {
		bool on = round == 0;	/* on -> off, then off -> on */

		p = tp_new(test, false, "p", &tnpi_a);
		c = tp_new(test, true, "c", &tnpi_a);
		KUNIT_ASSERT_EQ(test, tp_register(p), 0);
		KUNIT_ASSERT_EQ(test, tp_register(c), 0);
		c->hook = rent_flip_hook;
		c->hook_data = h;
		WRITE_ONCE(nmr_atomic_callbacks, on);
		count = preempt_count();
		KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
		KUNIT_EXPECT_EQ_MSG(test, preempt_count(), count,
				    "round %d: the preemption count changed", round);
		while (preempt_count() > count)	/* keep the kernel usable after a failure */
			preempt_enable();
		KUNIT_EXPECT_EQ(test, h->saw_atomic, on);
		KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
		WRITE_ONCE(nmr_atomic_callbacks, false);
		tp_leave(test, c);
	}
}

/* The nmr_register event, caught on the registering thread while it is emitted. */
struct rent_trace {
	struct task_struct *task;	/* the registering thread */
	struct tpeer *c;
	struct completion go, freed;
	int dereg_ret;
	bool fired, alive;
	char owner[MODULE_NAME_LEN];
	u8 npi[16];
};

/*
 * Tracepoint probes run with preemption disabled: it spins, bounded, for the
 * other thread to deregister and wait. Then it copies what the event's own
 * fast-assign copies, with memcpy() (KASAN-checked, where strscpy()'s word
 * reads are not): KASAN reports it if the registration was freed.
 */
static void rent_register_probe(void *data, u64 id, int role, const char *owner,
				const guid_t *npi, u32 number)
{
	struct rent_trace *t = data;
	ktime_t end;

	if (current != READ_ONCE(t->task) || t->fired)
		return;
	t->fired = true;
	complete(&t->go);
	end = ktime_add_ms(ktime_get(), 300);
	while (!completion_done(&t->freed) && ktime_before(ktime_get(), end))
		cpu_relax();
	t->alive = !completion_done(&t->freed);
	memcpy(t->owner, owner, sizeof(t->owner) - 1);
	memcpy(t->npi, npi, sizeof(t->npi));
}

static int rent_trace_register(void *data)
{
	struct rent_trace *t = data;

	WRITE_ONCE(t->task, current);
	return tp_register(t->c);
}

static int rent_trace_deregister(void *data)
{
	struct rent_trace *t = data;

	if (!wait_for_completion_timeout(&t->go, msecs_to_jiffies(T_TIMEOUT_MS)))
		return -ETIMEDOUT;
	t->dereg_ret = nmr_deregister_client_sync(READ_ONCE(t->c->client));
	complete(&t->freed);
	return 0;
}

static void rent_unregister_probe(void *data)
{
	unregister_trace_nmr_register(rent_register_probe, data);
	tracepoint_synchronize_unregister();
}

/*
 * EXT-2: the nmr_register event is emitted while the registration is alive.
 * A registration with no peer holds nothing once its register call unlocks;
 * a second thread with the handle (written first, REG-2) deregisters it and
 * waits, which frees it. The event must have been emitted by then.
 */
static void ext2_register_event_reads_a_live_registration(struct kunit *test)
{
	struct rent_trace *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tasync *reg, *dereg;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->c = tp_new(test, true, "c", &tnpi_b);	/* no peer on this NPI */
	init_completion(&t->go);
	init_completion(&t->freed);
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_register(rent_register_probe, t));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, rent_unregister_probe, t));
	dereg = tasync_start(test, rent_trace_deregister, t);
	reg = tasync_start(test, rent_trace_register, t);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, tasync_wait(dereg, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_EXPECT_EQ(test, dereg->ret, 0);
	KUNIT_EXPECT_EQ(test, t->dereg_ret, 0);
	t->c->deregistered = true;
	t->c->waited = true;
	KUNIT_EXPECT_TRUE(test, t->fired);
	KUNIT_EXPECT_TRUE_MSG(test, t->alive,
			      "the registration was deregistered and freed before its event");
	KUNIT_EXPECT_STREQ(test, t->owner, "nmr_kunit");
	KUNIT_EXPECT_EQ(test, memcmp(t->npi, &tnpi_b, sizeof(t->npi)), 0);
}

/*
 * DRG-4: a huge stall_warn_secs means "hardly ever", not a period that wrapped
 * around 32 bits: with (2^32 / HZ + 1) s, a wait blocked for 1.5 s reports
 * nothing (a 32-bit product would be under one second).
 */
static void drg4_huge_stall_period_does_not_wrap(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tasync *wait;
	long stalls;

	tp_stall_secs(test, UINT_MAX / HZ + 1);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	stalls = atomic_long_read(&nmr_stall_reports);
	wait = tasync_start(test, tasync_wait_reg, p);
	KUNIT_EXPECT_FALSE(test, tasync_wait(wait, 1500));	/* blocked, as it must be */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&nmr_stall_reports), stalls);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	tp_leave(test, c);
}

/*
 * HDL-6 (review): the GOING step's record of its module is gone when the step
 * returns, so a module loaded later at the same address (here: the same
 * struct module, as a reloaded module may get) registers normally.
 */
static void hdl6_same_address_registers_after_going(struct kunit *test)
{
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct rent *h = rent_new(test);
	struct module *fake = rent_fake_module(test, h);

	KUNIT_ASSERT_EQ(test, tp_register_owner(c, fake), 0);
	nmr_module_going(fake);		/* no peer: returns at once */
	rent_gone(c);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_EXPECT_EQ(test, tp_register_owner(c2, fake), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c2:attach p:attach");
	tp_leave(test, c2);
	tp_leave(test, p);
}

/*
 * HDL-6 (review): two GOING steps of different modules at once. Module A's
 * client ca parks in its attach_provider (p registering, on another thread)
 * while A's step waits for it; module B's client cb, whose offer from p is
 * queued behind ca's, is cut loose by B's step, which returns first. A is
 * still leaving after B's step took its own record off the list: the parked
 * callback of A cannot register, while B, no longer going, can again.
 */
static void hdl6_two_going_steps_at_once(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *ca = tp_new(test, true, "ca", &tnpi_a);
	struct tpeer *cb = tp_new(test, true, "cb", &tnpi_a);
	struct tpeer *ca2 = tp_new(test, true, "ca2", &tnpi_b);
	struct tpeer *cb2 = tp_new(test, true, "cb2", &tnpi_b);
	struct rent *ha = rent_new(test), *hb = rent_new(test);
	struct tasync *reg, *going_a, *going_b;
	bool cut;

	KUNIT_ASSERT_EQ(test, tp_register_owner(ca, rent_fake_module(test, ha)), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(cb, rent_fake_module(test, hb)), 0);
	ca->hook = rent_park_register_hook;
	ca->hook_data = ha;
	ha->target = ca2;
	reg = tasync_start(test, tasync_register, p);
	TWAIT(test, &ha->park.parked, T_TIMEOUT_MS);
	going_a = tasync_start(test, rent_going, ha);
	cut = RENT_UNTIL(nmr_waiters(NMR_CLIENT, ca->client) >= 1);
	KUNIT_ASSERT_TRUE_MSG(test, cut, "A's GOING step never took ca");
	going_b = tasync_start(test, rent_going, hb);
	KUNIT_ASSERT_TRUE_MSG(test, tasync_wait(going_b, T_TIMEOUT_MS),
			      "B's GOING step (a queued offer only) did not return");
	rent_gone(cb);
	KUNIT_EXPECT_FALSE(test, tasync_wait(going_a, 50));	/* ca's callback still runs */

	complete(&ha->park.release);	/* the parked callback registers ca2 as module A */
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, rent_finished(going_a));
	rent_gone(ca);
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_EXPECT_EQ(test, ha->ret, -ENODEV);
	KUNIT_EXPECT_NULL(test, ca2->client);
	KUNIT_EXPECT_EQ(test, atomic_read(&cb->attaches), 0);	/* its queued offer was dropped */
	KUNIT_EXPECT_EQ(test, tp_register_owner(cb2, hb->fake), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "ca:attach p:attach p:detach p:cleanup");
	tp_leave(test, cb2);
	tp_leave(test, p);
}

/* ---- HDL-6 with one entry per module (nmr_owners) ---- */

struct hdl6_churn {
	struct module *f, *g;
	struct tpeer *x, *y, *c2;
	int rx, rx2, ry, rw;
	bool fired;
};

/* In p's detach for c, on the GOING step's thread: add and free module entries. */
static void hdl6_churn_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct hdl6_churn *h = tp->hook_data;

	if (ev != TP_DETACH || h->fired)
		return;
	h->fired = true;
	h->rx = tp_register_owner(h->x, h->g);		/* a new owner entry, G */
	if (!h->rx)
		h->rx2 = nmr_deregister_client_sync(h->x->client);	/* G freed again */
	h->ry = tp_register_owner(h->y, h->f);		/* F is going: refused */
	h->rw = tp_wait(h->c2);				/* kills c2, on F's list */
}

/*
 * HDL-6: a callback that the GOING step of module F runs (a peer's detach)
 * registers and deregisters for another module G (G's entry is added and
 * freed), is refused for F (-ENODEV: F's step has made its list), and waits
 * for a registration of F the step has on its list (killing it). The step
 * still cuts F loose, and F's address registers anew afterwards.
 */
static void hdl6_module_entries_change_inside_the_going_step(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_b);
	struct tpeer *x = tp_new(test, true, "x", &tnpi_b);
	struct tpeer *y = tp_new(test, true, "y", &tnpi_b);
	struct tpeer *z = tp_new(test, true, "z", &tnpi_a);
	struct hdl6_churn *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct rent *r = rent_new(test);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->f = rent_fake_module(test, r);
	h->g = kunit_kzalloc(test, sizeof(*h->g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->g);
	strscpy(h->g->name, "nmr_fake_g", sizeof(h->g->name));
	h->x = x;
	h->y = y;
	h->c2 = c2;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c2, h->f), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c, h->f), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(c2), -EINPROGRESS);	/* never waited */
	p->hook = hdl6_churn_hook;
	p->hook_data = h;
	nmr_module_going(h->f);
	rent_gone(c);
	rent_gone(x);		/* deregistered and waited for inside the step */
	KUNIT_EXPECT_TRUE(test, h->fired);
	KUNIT_EXPECT_EQ(test, h->rx, 0);
	KUNIT_EXPECT_EQ(test, h->rx2, 0);
	KUNIT_EXPECT_EQ(test, h->ry, -ENODEV);
	KUNIT_EXPECT_EQ(test, h->rw, 0);
	/* F's entry is gone; F registers anew, and G too. */
	KUNIT_EXPECT_EQ(test, tp_register_owner(z, h->f), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&z->attaches), 1);
	tp_leave(test, z);
	tp_leave(test, p);
}

#define HDL6_MODS 200
/*
 * HDL-6, EXT-1: 200 modules of two registrations each (more modules than the
 * table of modules has buckets): debugfs lists all 400; each module's GOING
 * step cuts loose its own registrations only, whether it has one or two
 * left; nothing is listed after the last; the same addresses register again.
 */
static void hdl6_ext1_each_module_goes_alone(struct kunit *test)
{
	struct module *m = kunit_kcalloc(test, HDL6_MODS, sizeof(*m), GFP_KERNEL);
	struct tpeer **c = kunit_kcalloc(test, 2 * HDL6_MODS, sizeof(*c), GFP_KERNEL);
	char name[8], *text, *s;
	int i, lines = 0;

	KUNIT_ASSERT_TRUE(test, m && c);
	for (i = 0; i < HDL6_MODS; i++) {
		snprintf(m[i].name, sizeof(m[i].name), "nmr_hdl6_%d", i);
		snprintf(name, sizeof(name), "a%d", i);
		c[2 * i] = tp_new(test, true, name, &tnpi_b);
		snprintf(name, sizeof(name), "b%d", i);
		c[2 * i + 1] = tp_new(test, true, name, &tnpi_b);
		KUNIT_ASSERT_EQ(test, tp_register_owner(c[2 * i], &m[i]), 0);
		KUNIT_ASSERT_EQ(test, tp_register_owner(c[2 * i + 1], &m[i]), 0);
	}
	text = tp_show(test, nmr_registrations_show);
	for (s = text; (s = strstr(s, "owner=nmr_hdl6_")); s++)
		lines++;
	KUNIT_EXPECT_EQ(test, lines, 2 * HDL6_MODS);
	for (i = 0; i < HDL6_MODS; i++) {
		if (i % 2) {
			nmr_module_going(&m[i]);
			rent_gone(c[2 * i]);
			rent_gone(c[2 * i + 1]);
		} else {
			tp_leave(test, c[2 * i + 1]);
			nmr_module_going(&m[i]);	/* a is cut loose */
			rent_gone(c[2 * i]);
		}
	}
	text = tp_show(test, nmr_registrations_show);
	KUNIT_EXPECT_NULL(test, strstr(text, "owner=nmr_hdl6_"));
	/* The same addresses register again (the same peers, alive again). */
	for (i = 0; i < HDL6_MODS; i++) {
		c[2 * i]->deregistered = false;
		c[2 * i]->waited = false;
		WRITE_ONCE(c[2 * i]->poisoned, false);
		KUNIT_EXPECT_EQ(test, tp_register_owner(c[2 * i], &m[i]), 0);
	}
	for (i = 0; i < HDL6_MODS; i++)
		tp_leave(test, c[2 * i]);
}

static struct kunit_case nmr_reentry_cases[] = {
	KUNIT_CASE(drg2_queued_offer_does_not_hold_a_wait),
	KUNIT_CASE(hdl6_no_offer_of_a_going_module),
	KUNIT_CASE(hdl6_going_waits_for_a_pending_peer),
	KUNIT_CASE(hdl6_going_with_both_sides_pending),
	KUNIT_CASE(hdl6_going_while_detach_runs_counts_done),
	KUNIT_CASE(hdl6_going_module_cannot_register),
	KUNIT_CASE(ext5_atomic_mode_flipped_inside_a_callback),
	KUNIT_CASE(ext2_register_event_reads_a_live_registration),
	KUNIT_CASE(drg4_huge_stall_period_does_not_wrap),
	KUNIT_CASE(hdl6_same_address_registers_after_going),
	KUNIT_CASE(hdl6_module_entries_change_inside_the_going_step),
	KUNIT_CASE(hdl6_ext1_each_module_goes_alone),
	KUNIT_CASE(hdl6_two_going_steps_at_once),
	{}
};

static struct kunit_suite nmr_reentry_suite = {
	.name = "nmr_reentry",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_reentry_cases,
};

kunit_test_suite(nmr_reentry_suite);
