// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_trace: the tracepoints (EXT-2). */
#include <linux/tracepoint.h>

#include "nmr_test.h"
#include "nmr_trace.h"

static struct kunit *trace_test;

static void on_register(void *d, u64 id, int role, const char *owner, const guid_t *npi, u32 n)
{
	tp_log(trace_test, "register:%s:%llu", role ? "p" : "c", id);
}

static void on_reg(void *d, u64 id, int role)
{
	tp_log(trace_test, "%s:%s:%llu", (char *)d, role ? "p" : "c", id);
}

static void on_binding(void *d, u64 b, u64 c, u64 p, int result)
{
	tp_log(trace_test, "%s:%llu:%llu:%llu:%d", (char *)d, b, c, p, result);
}

static void on_side(void *d, u64 b, int side, int result)
{
	tp_log(trace_test, "%s:%llu:%s:%d", (char *)d, b, side ? "p" : "c", result);
}

static void trace_unregister(void *unused)
{
	unregister_trace_nmr_register(on_register, NULL);
	unregister_trace_nmr_deregister(on_reg, "deregister");
	unregister_trace_nmr_wait_done(on_reg, "wait_done");
	unregister_trace_nmr_offer(on_binding, "offer");
	unregister_trace_nmr_attach(on_binding, "attach");
	unregister_trace_nmr_cleanup(on_binding, "cleanup");
	unregister_trace_nmr_detach_start(on_side, "detach_start");
	unregister_trace_nmr_detach(on_side, "detach");
	unregister_trace_nmr_detach_complete(on_side, "detach_complete");
	tracepoint_synchronize_unregister();
}

/* EXT-2: one event per transition, carrying the debugfs ids. */
static void ext2_tracepoints_follow_the_lifecycle(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_b);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_b);
	unsigned long pid, cid, bid;
	char *expect;
	int n;

	trace_test = test;
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_register(on_register, NULL));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, trace_unregister, NULL));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_deregister(on_reg, "deregister"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_wait_done(on_reg, "wait_done"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_offer(on_binding, "offer"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_attach(on_binding, "attach"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_cleanup(on_binding, "cleanup"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_detach_start(on_side, "detach_start"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_detach(on_side, "detach"));
	KUNIT_ASSERT_EQ(test, 0, register_trace_nmr_detach_complete(on_side, "detach_complete"));

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	pid = tp_hid(p->provider);
	cid = tp_hid(c->client);
	bid = tp_hid(tp_bind(c, 0)->handle);
	expect = kunit_kzalloc(test, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	/* The events in order, with the ids debugfs shows; the callbacks between them. */
	n = scnprintf(expect, 1024, "register:p:%lu register:c:%lu ", pid, cid);
	n += scnprintf(expect + n, 1024 - n, "offer:%lu:%lu:%lu:0 c:attach p:attach ",
		       bid, cid, pid);
	n += scnprintf(expect + n, 1024 - n, "attach:%lu:%lu:%lu:0 deregister:p:%lu ",
		       bid, cid, pid, pid);
	n += scnprintf(expect + n, 1024 - n, "detach_start:%lu:p:0 p:detach detach:%lu:p:0 ",
		       bid, bid);
	n += scnprintf(expect + n, 1024 - n, "c:detach detach:%lu:c:-115 ", bid);
	n += scnprintf(expect + n, 1024 - n, "detach_complete:%lu:c:0 c:cleanup p:cleanup ", bid);
	scnprintf(expect + n, 1024 - n, "cleanup:%lu:%lu:%lu:0 wait_done:p:%lu", bid, cid, pid,
		  pid);
	KUNIT_EXPECT_STREQ(test, tp_events(test), expect);
	tp_leave(test, c);
}

static struct kunit_case nmr_trace_cases[] = {
	KUNIT_CASE(ext2_tracepoints_follow_the_lifecycle),
	{}
};

static struct kunit_suite nmr_trace_suite = {
	.name = "nmr_trace",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_trace_cases,
};

kunit_test_suite(nmr_trace_suite);
