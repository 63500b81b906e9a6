// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_debugfs: the debugfs files (EXT-1). */
#include "nmr_test.h"

static const struct nmr_module_id luid_id = {
	.length = sizeof(struct nmr_module_id), .type = NMR_MIT_IF_LUID, .if_luid = 0x1234abcd,
};

static const struct nmr_module_id guid_id = {
	.length = sizeof(struct nmr_module_id), .type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x11112222, 0x3333, 0x4444,
			  0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc),
};

/* EXT-1: one key=value line per registration and binding, ids not pointers, states live. */
static void ext1_debugfs_lines(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	unsigned long pid, cid, bid;
	char line[256];
	char *text;

	p->mid = luid_id;
	p->pchars.registration.number = 5;
	c->mid = guid_id;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	pid = tp_hid(p->provider);
	cid = tp_hid(c->client);
	bid = tp_hid(tp_bind(c, 0)->handle);

	text = tp_show(test, nmr_registrations_show);
	snprintf(line, sizeof(line),
		 "provider id=%lu owner=nmr_kunit npi=%pUl module=luid:1234abcd number=5 state=active bindings=1 offers=0\n",
		 pid, &tnpi_a);
	tp_expect_line(test, text, line);
	snprintf(line, sizeof(line),
		 "client id=%lu owner=nmr_kunit npi=%pUl module=11112222-3333-4444-5566-778899aabbcc number=0 state=active bindings=1 offers=0\n",
		 cid, &tnpi_a);
	tp_expect_line(test, text, line);
	text = tp_show(test, nmr_bindings_show);
	snprintf(line, sizeof(line),
		 "binding id=%lu client=%lu provider=%lu npi=%pUl state=attached client=attached provider=attached pending_ms=0\n",
		 bid, cid, pid, &tnpi_a);
	tp_expect_line(test, text, line);

	/* The provider leaves while the client has a call in flight. */
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	text = tp_show(test, nmr_bindings_show);
	snprintf(line, sizeof(line),
		 "binding id=%lu client=%lu provider=%lu npi=%pUl state=detaching client=pending provider=done pending_ms=",
		 bid, cid, pid, &tnpi_a);
	tp_expect_line(test, text, line);
	text = tp_show(test, nmr_registrations_show);
	snprintf(line, sizeof(line), "provider id=%lu owner=nmr_kunit", pid);
	tp_expect_line(test, text, line);
	KUNIT_EXPECT_NOT_NULL(test, strstr(strstr(text, line), "state=deregistering bindings=1"));
	/* No raw kernel pointer anywhere (the test's GUIDs hold no "ffff"). */
	KUNIT_EXPECT_NULL(test, strstr(text, "ffff"));
	KUNIT_EXPECT_NULL(test, strstr(tp_show(test, nmr_bindings_show), "ffff"));

	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	/* Gone from both files once its wait returned. */
	snprintf(line, sizeof(line), "binding id=%lu ", bid);
	KUNIT_EXPECT_NULL(test, strstr(tp_show(test, nmr_bindings_show), line));
	snprintf(line, sizeof(line), "provider id=%lu ", pid);
	KUNIT_EXPECT_NULL(test, strstr(tp_show(test, nmr_registrations_show), line));
	tp_leave(test, c);
}

/*
 * EXT-1, REG-1: code built into the kernel registers with no owning module
 * (its THIS_MODULE is NULL): allowed; debugfs shows the owner as "kernel",
 * and the registration binds and leaves like any other.
 */
static void ext1_builtin_registration_owner_kernel(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	char line[160];

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c, NULL), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	snprintf(line, sizeof(line), "client id=%lu owner=kernel npi=%pUl ", tp_hid(c->client),
		 &tnpi_a);
	tp_expect_line(test, tp_show(test, nmr_registrations_show), line);
	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	snprintf(line, sizeof(line), "client id=%lu ", tp_hid(c->client));
	KUNIT_EXPECT_NULL(test, strstr(tp_show(test, nmr_registrations_show), line));
	tp_leave(test, p);
}

static struct kunit_case nmr_debugfs_cases[] = {
	KUNIT_CASE(ext1_debugfs_lines),
	KUNIT_CASE(ext1_builtin_registration_owner_kernel),
	{}
};

static struct kunit_suite nmr_debugfs_suite = {
	.name = "nmr_debugfs",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_debugfs_cases,
};

kunit_test_suite(nmr_debugfs_suite);
