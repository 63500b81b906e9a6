// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_deregister: the DRG rules and timeline T-A. */
#include <linux/delay.h>

#include "nmr_test.h"

/*
 * T-A, DRG-1: all synchronous. P registers (no callbacks); C registers and
 * binds inside the call; C deregisters: both detaches and both cleanups run
 * inside it, it still returns -EINPROGRESS, and the wait returns 0 at once.
 * P is still active: a new client binds to it.
 */
static void drg1_t_a_all_synchronous(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->attaches), 1);
	tp_leave(test, c2);
	tp_leave(test, p);
}

/* DRG-1: -EINPROGRESS every time, even with no binding at all. */
static void drg1_einprogress_without_bindings(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_b);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	tp_leave(test, p);
}

/* DRG-2: from the moment deregistration starts, no new offer. */
static void drg2_no_offer_once_deregistering(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;		/* keeps P deregistering for a while */
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->attaches), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->attaches), 1);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	tp_leave(test, c);
	tp_leave(test, c2);
}

/*
 * DRG-3: after the wait returned, no callback of that registration runs again,
 * whatever its peers do; the handle is dead. The fixture poisons the peer and
 * counts any callback that still reaches it.
 */
static void drg3_no_callback_after_wait(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *p2;

	tp_expect_misuse(test);		/* the dead handle at the end */
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);		/* c is poisoned from here */
	tp_clear_events(test);
	/* Everything the peers can do now: new providers, a provider leaving. */
	p2 = tp_new(test, false, "p2", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(p2), 0);
	tp_leave(test, p);
	tp_leave(test, c2);
	tp_leave(test, p2);
	KUNIT_EXPECT_NULL(test, strstr(tp_events(test), "c:"));
	KUNIT_EXPECT_EQ(test, nmr_deregister_client(c->client), -EBADF);	/* dead handle */
	KUNIT_EXPECT_EQ(test, nmr_wait_for_client_deregister_complete(c->client), -EBADF);
}

/* DRG-4: a blocked wait never returns early and reports what holds it up. */
static void drg4_stall_report_no_early_return(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	unsigned int old = READ_ONCE(nmr_stall_warn_secs);
	long reports = atomic_long_read(&nmr_stall_reports);
	struct tasync *wait;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	WRITE_ONCE(nmr_stall_warn_secs, 1);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	wait = tasync_start(test, tasync_wait_reg, p);
	/* Let 2.5 s pass (a bounded wait that must time out): still blocked, reported. */
	KUNIT_EXPECT_FALSE(test, tasync_wait(wait, 2500));
	WRITE_ONCE(nmr_stall_warn_secs, old);
	KUNIT_EXPECT_GE(test, atomic_long_read(&nmr_stall_reports) - reports, 1);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	tp_leave(test, c);
}

/*
 * DRG-4, ATT-10: the provider deregisters while a client's attach_provider
 * for it is blocked. Its wait reports, every second, that an offer is still
 * running (the offer has no side states to show yet), and returns only after
 * the callback did and the late binding was attached and detached at once.
 */
static void drg4_stall_report_names_a_running_offer(struct kunit *test)
{
	struct tpark *pk = tp_park_new(test);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tasync *reg, *wait;
	unsigned long end;
	char first[80];
	bool seen;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	c->hook = tp_park_in_attach;	/* before attaching */
	c->hook_data = pk;
	reg = tasync_start(test, tasync_register, c);
	TWAIT(test, &pk->parked, T_TIMEOUT_MS);
	tp_stall_secs(test, 1);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach");	/* nothing to detach yet */
	wait = tasync_start(test, tasync_wait_reg, p);

	/* The report: its heading names the wait, a later line the running offer. */
	snprintf(first, sizeof(first), "wait for provider %lu (nmr_kunit) blocked for",
		 tp_hid(p->provider));
	end = jiffies + msecs_to_jiffies(T_TIMEOUT_MS);
	while (!(seen = tp_klog_has(test, first, "  1 offer(s) still running")) &&
	       time_before(jiffies, end))
		usleep_range(10000, 20000);
	KUNIT_EXPECT_TRUE_MSG(test, seen, "no report \"%s ...\" naming 1 running offer", first);
	/* Pairs with the release in tasync_fn(). */
	KUNIT_EXPECT_FALSE_MSG(test, smp_load_acquire(&wait->finished),
			       "the wait returned while the offer was running");

	complete(&pk->release);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	/* ATT-10: attached, then detached at once, the deregistering provider first. */
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	tp_leave(test, c);
}

/* DRG-5: several waiters: all return 0, then a new wait gets -EBADF. */
static void drg5_several_waiters(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tasync *w[3];
	int i, n = 0;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	for (i = 0; i < 3; i++)
		w[i] = tasync_start(test, tasync_wait_reg, p);
	/* Poll (bounded) until all three are inside the wait. */
	for (i = 0; i < 1000 && n != 3; i++) {
		n = nmr_waiters(NMR_PROVIDER, p->provider);
		if (n != 3)
			usleep_range(10000, 20000);
	}
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_TRUE(test, tasync_wait(w[i], T_TIMEOUT_MS));
		KUNIT_EXPECT_EQ(test, w[i]->ret, 0);
	}
	/* A dead handle is misuse (HDL-2): warned about, whichever test warns first. */
	tp_expect_misuse(test);
	KUNIT_EXPECT_EQ(test, nmr_waiters(NMR_PROVIDER, p->provider), -EBADF);	/* dead */
	KUNIT_EXPECT_EQ(test, nmr_wait_for_provider_deregister_complete(p->provider), -EBADF);
	tp_leave(test, c);
}

/* DRG-6, EXT-4: deregister + wait in one call; errors pass through. */
static void drg6_sync_deregistration(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(c->client), 0);
	c->waited = true;
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 1);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(c->client), -EBADF);
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(p->provider), 0);
	p->waited = true;
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(NULL), -EINVAL);
}

static struct kunit_case nmr_deregister_cases[] = {
	KUNIT_CASE(drg1_t_a_all_synchronous),
	KUNIT_CASE(drg1_einprogress_without_bindings),
	KUNIT_CASE(drg2_no_offer_once_deregistering),
	KUNIT_CASE(drg3_no_callback_after_wait),
	KUNIT_CASE(drg4_stall_report_no_early_return),
	KUNIT_CASE(drg4_stall_report_names_a_running_offer),
	KUNIT_CASE(drg5_several_waiters),
	KUNIT_CASE(drg6_sync_deregistration),
	{}
};

static struct kunit_suite nmr_deregister_suite = {
	.name = "nmr_deregister",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_deregister_cases,
};

kunit_test_suite(nmr_deregister_suite);
