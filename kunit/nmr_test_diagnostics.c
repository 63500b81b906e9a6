// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_diagnostics: what the NMR's warning lines tell a person
 * about a wrong call (HDL-2, HDL-5) and a blocked wait (DRG-4).
 */
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>

#include "nmr_compat.h"
#include "nmr_test.h"

/* What the line of a wrong call says about its handle; @want is the tag the call expects. */
static const char *diag_what(struct kunit *test, const void *handle, unsigned int want,
			     bool locked)
{
	char *buf = kunit_kzalloc(test, NMR_WHAT_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return nmr_describe_handle(buf, handle, want, locked);
}

/*
 * HDL-2, HDL-5: the line for a handle that names no live object of the kind
 * a call expects says what the handle was: its kind (from its tag) and, where
 * the NMR can look it up, whether it is live. A completion may come from any
 * context, so for a registration handle it names the kind only. msquic
 * completed a pending detach with its client registration handle: the line
 * now says so, and the call changes nothing.
 */
static void hdl5_lines_say_what_the_handle_was(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct nmr_binding *cb, *pb;
	struct nmr_client *creg;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	creg = c->client;
	cb = tp_bind(c, 0)->handle;
	pb = tp_bind(p, 0)->handle;
	/* HDL-2: deregister and wait, nmr_lock held: liveness of every kind. */
	KUNIT_EXPECT_STREQ(test, diag_what(test, creg, NMR_TAG_PROVIDER, true),
			   "a live client registration handle, not a provider registration handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, cb, NMR_TAG_CLIENT, true),
			   "a live client binding handle, not a client registration handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, (void *)1, NMR_TAG_CLIENT, true),
			   "not a handle nmr gave out");
	KUNIT_EXPECT_STREQ(test, diag_what(test, (void *)0x40, NMR_TAG_CLIENT, true),
			   "not a handle nmr gave out");
	/* Ids are never reused: one above the last given out was never a handle. */
	KUNIT_EXPECT_STREQ(test, diag_what(test, (void *)(((tp_hid(pb) + 1000) << NMR_TAG_BITS) |
							 NMR_TAG_BIND_PROVIDER),
					   NMR_TAG_BIND_PROVIDER, false),
			   "an unknown provider binding handle");
	/* HDL-5: a completion, no lock: a registration handle by its kind only. */
	KUNIT_EXPECT_STREQ(test, diag_what(test, creg, NMR_TAG_BIND_CLIENT, false),
			   "a client registration handle, not a client binding handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, pb, NMR_TAG_BIND_CLIENT, false),
			   "a live provider binding handle, not a client binding handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, (void *)0x47, NMR_TAG_BIND_CLIENT, false),
			   "not a handle nmr gave out");

	/* msquic's mistake: -EBADF, and the binding stays attached. */
	tp_expect_misuse(test);
	KUNIT_EXPECT_EQ(test, nmr_client_detach_provider_complete((struct nmr_binding *)creg),
			-EBADF);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");

	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, diag_what(test, creg, NMR_TAG_CLIENT, true),
			   "a dead client registration handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, cb, NMR_TAG_BIND_CLIENT, false),
			   "a dead client binding handle");
	KUNIT_EXPECT_STREQ(test, diag_what(test, pb, NMR_TAG_BIND_CLIENT, true),
			   "a dead provider binding handle, not a client binding handle");
	tp_leave(test, p);
}

/*
 * DRG-4, EXT-6: the stall report writes the NPI as debugfs and the trace
 * events do, the way Windows writes a GUID (%pUl: 7e570000-0000-4e4d-...
 * for tnpi_a, where %pUb wrote its bytes in order, 0000577e-0000-4d4e-...),
 * so that one NPI reads the same in every line a person reads.
 */
static void drg4_stall_report_writes_the_npi_as_windows_does(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	char first[80], line[80];
	struct tasync *wait;
	unsigned long end;
	bool seen;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	tp_stall_secs(test, 1);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	wait = tasync_start(test, tasync_wait_reg, p);

	snprintf(first, sizeof(first), "wait for provider %lu (nmr_kunit) blocked for",
		 tp_hid(p->provider));
	snprintf(line, sizeof(line), "  binding %lu npi %pUl: client",
		 tp_hid(tp_bind(p, 0)->handle), &tnpi_a);
	end = jiffies + msecs_to_jiffies(T_TIMEOUT_MS);
	while (!(seen = tp_klog_has(test, first, line)) && time_before(jiffies, end))
		usleep_range(10000, 20000);
	KUNIT_EXPECT_TRUE_MSG(test, seen, "no report \"%s\" with \"%s\"", first, line);

	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	tp_leave(test, c);
}

/* Wrong completions made from a hard interrupt (an hrtimer in hard mode). */
struct diag_irq {
	struct hrtimer hrt;
	struct nmr_binding *unknown, *reg, *done_side, *other_side;
	int ret[4];
	long misuses;
	bool hardirq;
	struct completion fired;
};

static enum hrtimer_restart diag_irq_fire(struct hrtimer *t)
{
	struct diag_irq *d = container_of(t, struct diag_irq, hrt);
	long before = tp_misuse_count();

	d->hardirq = in_hardirq();
	d->ret[0] = nmr_client_detach_provider_complete(d->unknown);
	d->ret[1] = nmr_client_detach_provider_complete(d->reg);
	d->ret[2] = nmr_provider_detach_client_complete(d->done_side);
	d->ret[3] = nmr_client_detach_provider_complete(d->other_side);
	d->misuses = tp_misuse_count() - before;
	complete(&d->fired);
	return HRTIMER_NORESTART;
}

/*
 * HDL-5, DET-5 (review): the new HDL-5 lines (what the handle was, and the
 * caller by %pS) are made in any context: from a hard interrupt, an unknown
 * binding handle, a registration handle, a completion of a side already done
 * and one of the wrong side each get their error and a counted report, change
 * nothing, and the log scan finds no lockdep, RCU or atomic-sleep report.
 */
static void hdl5_wrong_completions_from_hard_irq(struct kunit *test)
{
	struct diag_irq *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);	/* p done, c pending */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach c:detach");
	d->unknown = (struct nmr_binding *)nmr_cookie(1ULL << 40, NMR_TAG_BIND_CLIENT);
	d->reg = (struct nmr_binding *)c->client;
	d->done_side = tp_bind(p, 0)->handle;
	d->other_side = tp_bind(p, 0)->handle;
	init_completion(&d->fired);
	tp_expect_misuse(test);
	hrtimer_setup(&d->hrt, diag_irq_fire, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	hrtimer_start(&d->hrt, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	TWAIT(test, &d->fired, T_TIMEOUT_MS);
	hrtimer_cancel(&d->hrt);
	KUNIT_EXPECT_TRUE(test, d->hardirq);
	KUNIT_EXPECT_EQ(test, d->ret[0], -EBADF);
	KUNIT_EXPECT_EQ(test, d->ret[1], -EBADF);
	KUNIT_EXPECT_EQ(test, d->ret[2], -EINVAL);
	KUNIT_EXPECT_EQ(test, d->ret[3], -EBADF);
	KUNIT_EXPECT_EQ(test, d->misuses, 4);
	/* Nothing changed: c's real completion still finishes the binding. */
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	tp_leave(test, c);
}

static struct kunit_case nmr_diagnostics_cases[] = {
	KUNIT_CASE(hdl5_lines_say_what_the_handle_was),
	KUNIT_CASE(drg4_stall_report_writes_the_npi_as_windows_does),
	KUNIT_CASE(hdl5_wrong_completions_from_hard_irq),
	{}
};

static struct kunit_suite nmr_diagnostics_suite = {
	.name = "nmr_diagnostics",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_diagnostics_cases,
};

kunit_test_suite(nmr_diagnostics_suite);
