// SPDX-License-Identifier: GPL-2.0
/* KUnit suites nmr_debugfs, nmr_trace and nmr_rundown (EXT-1, EXT-2, EXT-3). */
#include <linux/delay.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>

#include <nmr/nmr_rundown.h>
#include "nmr_test.h"
#include "nmr_trace.h"

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

/* ---- EXT-2: the tracepoints ---- */

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

/* ---- EXT-3: the rundown helper ---- */

struct trd {
	struct nmr_rundown rd;
	struct completion drained;
	atomic_t drained_calls;
	atomic_t inside;		/* successful acquires not yet released */
	int inside_at_drain;
	bool drain_returned;
	atomic_t late_acquires;		/* acquires that started after drain returned and won */
	atomic_t wins;
	struct completion go;
	bool stop;
};

static void trd_drained(struct nmr_rundown *rd)
{
	struct trd *t = container_of(rd, struct trd, rd);

	t->inside_at_drain = atomic_read(&t->inside);
	atomic_inc(&t->drained_calls);
	complete(&t->drained);
}

static struct trd *trd_new(struct kunit *test)
{
	struct trd *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, nmr_rundown_init(&t->rd), 0);
	init_completion(&t->drained);
	init_completion(&t->go);
	return t;
}

static int trd_wait(void *arg)
{
	nmr_rundown_wait(arg);
	return 0;
}

/* EXT-3: acquire/release; wait blocks while a call is in flight; no acquire after; re-arm. */
static void ext3_rundown_wait_and_reinit(struct kunit *test)
{
	struct trd *t = trd_new(test);
	struct tasync *w;

	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	w = tasync_start(test, trd_wait, &t->rd);
	KUNIT_EXPECT_FALSE(test, tasync_wait(w, 100));		/* a call is in flight */
	nmr_rundown_release(&t->rd);
	KUNIT_ASSERT_TRUE(test, tasync_wait(w, T_TIMEOUT_MS));
	KUNIT_EXPECT_FALSE(test, nmr_rundown_acquire(&t->rd));	/* after the wait: refused */
	nmr_rundown_reinit(&t->rd);
	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	nmr_rundown_release(&t->rd);
	nmr_rundown_wait(&t->rd);
	nmr_rundown_exit(&t->rd);
}

/* EXT-3: drain returns at once; the function runs once, when the last call is released. */
static void ext3_rundown_drain_calls_back_once(struct kunit *test)
{
	struct trd *t = trd_new(test);

	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	atomic_inc(&t->inside);
	nmr_rundown_drain(&t->rd, trd_drained);
	KUNIT_EXPECT_FALSE(test, nmr_rundown_acquire(&t->rd));
	/* Not before the release (it could only be an RCU callback away if it were wrong). */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 0);
	atomic_dec(&t->inside);
	nmr_rundown_release(&t->rd);
	TWAIT(test, &t->drained, T_TIMEOUT_MS);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 1);
	KUNIT_EXPECT_EQ(test, t->inside_at_drain, 0);
	nmr_rundown_exit(&t->rd);
}

static int trd_hammer(void *arg)
{
	struct trd *t = arg;
	bool after;

	wait_for_completion(&t->go);
	while (!READ_ONCE(t->stop)) {
		after = smp_load_acquire(&t->drain_returned);	/* pairs with the drainer */
		if (!nmr_rundown_acquire(&t->rd)) {
			if (after)
				break;
			continue;
		}
		atomic_inc(&t->inside);
		atomic_inc(&t->wins);
		if (after)
			atomic_inc(&t->late_acquires);
		cpu_relax();
		atomic_dec(&t->inside);
		nmr_rundown_release(&t->rd);
	}
	return 0;
}

/*
 * EXT-3: acquires racing a drain on every CPU: an acquire that started after
 * drain returned never succeeds; every successful acquire is drained (the
 * function runs once, with none inside).
 */
static void ext3_rundown_acquire_races_drain(struct kunit *test)
{
	struct trd *t = trd_new(test);
	struct tasync *a[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = tasync_start(test, trd_hammer, t);
	complete_all(&t->go);
	/* Let the hammers get going: until some thousand acquires won (bounded). */
	for (i = 0; i < 1000 && atomic_read(&t->wins) < 10000; i++)
		usleep_range(1000, 2000);
	nmr_rundown_drain(&t->rd, trd_drained);
	smp_store_release(&t->drain_returned, true);	/* the drain returned before */
	TWAIT(test, &t->drained, T_TIMEOUT_MS);
	WRITE_ONCE(t->stop, true);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_ASSERT_TRUE(test, tasync_wait(a[i], T_TIMEOUT_MS));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->late_acquires), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 1);
	KUNIT_EXPECT_EQ(test, t->inside_at_drain, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&t->wins), 0);
	kunit_info(test, "%d acquires won before the drain\n", atomic_read(&t->wins));
	nmr_rundown_exit(&t->rd);
}

static struct kunit_case nmr_rundown_cases[] = {
	KUNIT_CASE(ext3_rundown_wait_and_reinit),
	KUNIT_CASE(ext3_rundown_drain_calls_back_once),
	KUNIT_CASE(ext3_rundown_acquire_races_drain),
	{}
};

static struct kunit_suite nmr_rundown_suite = {
	.name = "nmr_rundown",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_rundown_cases,
};

kunit_test_suites(&nmr_debugfs_suite, &nmr_trace_suite, &nmr_rundown_suite);
