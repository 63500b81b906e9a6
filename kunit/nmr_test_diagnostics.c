// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_diagnostics: what the NMR's warning lines tell a person
 * about a wrong call (HDL-2, HDL-5) and a blocked wait (DRG-4).
 */
#include <linux/delay.h>
#include <linux/jiffies.h>

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

static void diag_restore_stall(void *secs)
{
	WRITE_ONCE(nmr_stall_warn_secs, (unsigned int)(uintptr_t)secs);
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
	void *old = (void *)(uintptr_t)READ_ONCE(nmr_stall_warn_secs);
	char first[80], line[80];
	struct tasync *wait;
	unsigned long end;
	bool seen;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, diag_restore_stall, old));
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	WRITE_ONCE(nmr_stall_warn_secs, 1);
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

static struct kunit_case nmr_diagnostics_cases[] = {
	KUNIT_CASE(hdl5_lines_say_what_the_handle_was),
	KUNIT_CASE(drg4_stall_report_writes_the_npi_as_windows_does),
	{}
};

static struct kunit_suite nmr_diagnostics_suite = {
	.name = "nmr_diagnostics",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_diagnostics_cases,
};

kunit_test_suite(nmr_diagnostics_suite);
