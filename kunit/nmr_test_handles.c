// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_handles: handles, misuse and module unload (HDL rules). */
#include <linux/fs.h>
#include <linux/sched.h>

#include "nmr_test.h"

/* HDL-1: handles are cookies, never addresses, never given out twice. */
static void hdl1_handles_unique_not_pointers(struct kunit *test)
{
	const int n = 64;
	unsigned long *seen = kunit_kcalloc(test, 2 * n, sizeof(*seen), GFP_KERNEL);
	struct tpeer *p, *c;
	int i, j;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < n; i++) {
		p = tp_new(test, false, "p", &tnpi_a);
		c = tp_new(test, true, "c", &tnpi_a);
		KUNIT_ASSERT_EQ(test, tp_register(p), 0);
		KUNIT_ASSERT_EQ(test, tp_register(c), 0);
		seen[2 * i] = (unsigned long)c->client;
		seen[2 * i + 1] = (unsigned long)tp_bind(c, 0)->handle;
		/* Not a kernel address: nothing to dereference, nothing to leak. */
		KUNIT_EXPECT_FALSE(test, virt_addr_valid(c->client));
		KUNIT_EXPECT_LT(test, (unsigned long)c->client, PAGE_OFFSET);
		tp_leave(test, c);
		tp_leave(test, p);
	}
	for (i = 0; i < 2 * n; i++)
		for (j = i + 1; j < 2 * n; j++)
			KUNIT_EXPECT_NE(test, seen[i], seen[j]);
}

/* A bad handle (HDL-2): what it is, and what every call taking a handle returns for it. */
struct hdl2_bad {
	const char *name;
	unsigned long value;	/* the handle, unless one of the two below */
	bool kernel_address;	/* the address of a live kernel object (the test's struct kunit) */
	bool stack_address;	/* an address on the calling thread's stack */
	int err;
};

/* 3 and 4: binding tags with id 0, the id a freed binding's memory carries. */
static const struct hdl2_bad hdl2_bad_handles[] = {
	{ .name = "NULL", .value = 0, .err = -EINVAL },
	{ .name = "the client tag, id 0 (1)", .value = 1, .err = -EBADF },
	{ .name = "the client binding tag, id 0 (3)", .value = 3, .err = -EBADF },
	{ .name = "the provider binding tag, id 0 (4)", .value = 4, .err = -EBADF },
	{ .name = "no such tag (0xdeadbeef)", .value = 0xdeadbeef, .err = -EBADF },
	{ .name = "every bit set (-1)", .value = ~0UL, .err = -EBADF },
	{ .name = "a kernel address", .kernel_address = true, .err = -EBADF },
	{ .name = "a stack address", .stack_address = true, .err = -EBADF },
};

KUNIT_ARRAY_PARAM_DESC(hdl2, hdl2_bad_handles, name);

/* HDL-2: NULL is -EINVAL; unknown or garbage is -EBADF, for every call; never an oops. */
static void hdl2_bad_handle_every_call(struct kunit *test)
{
	const struct hdl2_bad *bad = test->param_value;
	const void *disp;
	void *ctx, *h;

	if (bad->kernel_address)
		h = test;
	else if (bad->stack_address)
		h = &h;
	else
		h = (void *)bad->value;
	tp_expect_misuse(test);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_wait_for_client_deregister_complete(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_wait_for_provider_deregister_complete(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_client_detach_provider_complete(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_provider_detach_client_complete(h), bad->err);
	KUNIT_EXPECT_EQ(test, nmr_client_attach_provider(h, NULL, NULL, &ctx, &disp), bad->err);
}

/* HDL-2: a live handle of the wrong kind or side, or a forged one, is -EBADF; never an oops. */
static void hdl2_wrong_kind_side_or_forged(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct nmr_provider *forged_p;
	struct nmr_client *forged_c;
	struct nmr_binding *forged_b;

	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	/* Wrong kind: a client handle where a provider (or a binding) is expected. */
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider((struct nmr_provider *)c->client), -EBADF);
	KUNIT_EXPECT_EQ(test, -EBADF,
			nmr_deregister_client((struct nmr_client *)tp_bind(c, 0)->handle));
	KUNIT_EXPECT_EQ(test, nmr_client_detach_provider_complete((struct nmr_binding *)c->client),
			-EBADF);
	/* Wrong side: the client's binding handle given as the provider's. */
	KUNIT_EXPECT_EQ(test, nmr_provider_detach_client_complete(tp_bind(c, 0)->handle), -EBADF);
	KUNIT_EXPECT_EQ(test, nmr_client_detach_provider_complete(tp_bind(p, 0)->handle), -EBADF);
	/*
	 * Forged cookies: a live object's id under another kind's tag. The tag
	 * is the one the call takes and the id exists, but names something else.
	 */
	forged_c = (struct nmr_client *)nmr_cookie(tp_hid(p->provider), NMR_TAG_CLIENT);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client(forged_c), -EBADF);
	KUNIT_EXPECT_EQ(test, nmr_wait_for_client_deregister_complete(forged_c), -EBADF);
	forged_p = (struct nmr_provider *)nmr_cookie(tp_hid(c->client), NMR_TAG_PROVIDER);
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider(forged_p), -EBADF);
	/* A binding's id as a registration, a registration's id as a binding. */
	forged_c = (struct nmr_client *)nmr_cookie(tp_hid(tp_bind(c, 0)->handle), NMR_TAG_CLIENT);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client(forged_c), -EBADF);
	forged_b = (struct nmr_binding *)nmr_cookie(tp_hid(c->client), NMR_TAG_BIND_CLIENT);
	KUNIT_EXPECT_EQ(test, nmr_client_detach_provider_complete(forged_b), -EBADF);
	/* None of it changed anything: the binding is intact and leaves normally. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	tp_leave(test, c);
	tp_leave(test, p);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
}

/*
 * HDL-3: a wait before deregistering is -EINVAL (and the registration stays
 * active); deregistering twice is -EALREADY; either after the wait, -EBADF.
 */
static void hdl3_wait_early_double_deregister(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), -EINVAL);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->attaches), 1);	/* p stayed active */
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EALREADY);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->detaches), 1);	/* no effect */
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EBADF);
	KUNIT_EXPECT_EQ(test, nmr_wait_for_provider_deregister_complete(p->provider), -EBADF);
	tp_leave(test, c);
}

struct hdl4 {
	struct tpeer *target;
	int ret;
	bool deregister_first;
};

static void hdl4_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct hdl4 *h = tp->hook_data;

	if (ev != (h->deregister_first ? TP_ATTACHED : TP_DETACH) || h->ret != 1)
		return;
	if (h->deregister_first)
		tp_deregister(h->target);
	h->ret = tp_wait(h->target);
}

/* Where the wait on the client c is made from: a callback c's deregistration waits for. */
struct hdl4_case {
	const char *name;
	bool in_provider;	/* the provider's detach callback, not the client's */
	bool in_attach;		/* c's attach callback, which deregisters c first */
};

static const struct hdl4_case hdl4_cases[] = {
	{ .name = "its own detach callback" },
	{ .name = "the peer's detach callback, on the deregistering thread", .in_provider = true },
	{ .name = "its own attach callback, after deregistering itself", .in_attach = true },
};

KUNIT_ARRAY_PARAM_DESC(hdl4, hdl4_cases, name);

/*
 * HDL-4: a wait that could never finish is -EDEADLK: a wait on c from its own
 * detach callback; from a peer's detach callback running on the thread that
 * deregisters c; from c's attach callback, which deregistered c and then waits.
 */
static void hdl4_wait_in_waited_callback_edeadlk(struct kunit *test)
{
	const struct hdl4_case *k = test->param_value;
	struct hdl4 *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *hooked = k->in_provider ? p : c;

	KUNIT_ASSERT_NOT_NULL(test, h);
	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	if (!k->in_attach)
		KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	h->target = c;
	h->ret = 1;
	h->deregister_first = k->in_attach;
	hooked->hook = hdl4_hook;
	hooked->hook_data = h;
	if (k->in_attach)
		KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	else
		KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, h->ret, -EDEADLK);
	/* ATT-10: attached, then detached at once; the real wait returns. */
	if (k->in_attach)
		KUNIT_EXPECT_STREQ(test, tp_events(test),
				   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
	hooked->hook = NULL;
	tp_leave(test, p);
}

static void hdl4_cleanup_waits_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct hdl4 *h = tp->hook_data;

	if (ev == TP_CLEANUP && h->ret == 1)
		h->ret = tp_wait(h->target);
}

/* HDL-4: cleanup callbacks may wait on other registrations. */
static void hdl4_cleanup_may_wait_on_others(struct kunit *test)
{
	struct hdl4 *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *other = tp_new(test, false, "o", &tnpi_b);

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_ASSERT_EQ(test, tp_register(other), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(other), -EINPROGRESS);
	h->target = other;
	h->ret = 1;
	c->detach_ret = -EINPROGRESS;
	c->hook = hdl4_cleanup_waits_hook;
	c->hook_data = h;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);	/* cleanup on the NMR workqueue */
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	KUNIT_EXPECT_EQ(test, h->ret, 0);
	tp_leave(test, c);
}

/* HDL-5: bad completions are -EINVAL or -EBADF and change nothing. */
static void hdl5_bad_completions_change_nothing(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tasync *wait;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	/* The provider's detach returned 0: completing it is -EINVAL. */
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(p, 0)), -EINVAL);
	/* The other side's handle: -EBADF. */
	KUNIT_EXPECT_EQ(test, nmr_provider_detach_client_complete(tp_bind(c, 0)->handle), -EBADF);
	wait = tasync_start(test, tasync_wait_reg, p);
	KUNIT_EXPECT_FALSE(test, tasync_wait(wait, 100));	/* still pending: nothing changed */
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	/* Second completion, on a binding now gone: dead handle, -EBADF. */
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), -EBADF);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	tp_leave(test, c);
}

/* HDL-5: a second completion of a live, pending-then-done side is -EINVAL. */
static void hdl5_second_completion_einval(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;
	p->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), -EINVAL);	/* twice */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), 0);		/* p still pending */
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(p, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	tp_leave(test, c);
}

/*
 * HDL-6: a module that goes away with live registrations is cut loose: its
 * registrations are unpublished, their sides count as done, none of its
 * callbacks runs again, and its peers detach normally. A fake module stands in
 * for one that unloads; the NMR's module notifier step is called directly.
 */
static void hdl6_module_going_is_cut_loose(struct kunit *test)
{
	struct module *fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *c3 = tp_new(test, true, "c3", &tnpi_a);
	const char *ev;

	KUNIT_ASSERT_NOT_NULL(test, fake);
	strscpy(fake->name, "nmr_fake_going", sizeof(fake->name));
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register_owner(c, fake), 0);	/* still registered at unload */
	KUNIT_ASSERT_EQ(test, tp_register_owner(c2, fake), 0);	/* deregistered, never waited */
	c2->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, tp_deregister(c2), -EINPROGRESS);
	tp_clear_events(test);

	nmr_module_going(fake);
	c->poisoned = true;		/* the module is gone: no callback may reach it */
	c2->poisoned = true;
	c->waited = true;	/* nothing left for the fixture to take down */
	c2->waited = true;
	/*
	 * It returned once both bindings were gone, with no flush of the NMR's
	 * workqueue. Only the provider's side ran: its detach for c, then that
	 * binding's cleanup; and the cleanup of c2's binding, whose pending side
	 * was counted done. The two bindings are independent: either may be
	 * cleaned up first.
	 */
	ev = tp_events(test);
	KUNIT_EXPECT_TRUE_MSG(test, !strcmp(ev, "p:detach p:cleanup p:cleanup") ||
			      !strcmp(ev, "p:cleanup p:detach p:cleanup"), "events: %s", ev);
	KUNIT_EXPECT_EQ(test, tp_bind(p, 0)->detached, 1);
	KUNIT_EXPECT_EQ(test, tp_bind(p, 0)->cleaned, 1);
	KUNIT_EXPECT_EQ(test, tp_bind(p, 1)->cleaned, 1);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client(c->client), -EBADF);
	/* The provider goes on: a new client binds; it leaves normally. */
	KUNIT_ASSERT_EQ(test, tp_register(c3), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c3->attaches), 1);
	tp_leave(test, c3);
	tp_leave(test, p);
}

/*
 * HDL-7: deregistration and its wait reach no allocation site of the NMR: the
 * injection hook, armed across them, is still unconsumed afterwards. (Every
 * allocation of the NMR goes through that hook; `make lint` checks it. The
 * task's failslab fail-nth cannot be used here: the kernel's debug objects
 * refill their pool from whichever task frees an object.)
 */
static void hdl7_deregister_allocates_nothing(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	tp_fail_nth_reset_at_end(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	c->detach_ret = -EINPROGRESS;

	atomic_set(&nmr_fail_nth, 1);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(c, 0)), 0);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	tp_leave(test, c);
	KUNIT_EXPECT_EQ(test, atomic_read(&nmr_fail_nth), 1);
	atomic_set(&nmr_fail_nth, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
}

static struct kunit_case nmr_handles_cases[] = {
	KUNIT_CASE(hdl1_handles_unique_not_pointers),
	KUNIT_CASE_PARAM(hdl2_bad_handle_every_call, hdl2_gen_params),
	KUNIT_CASE(hdl2_wrong_kind_side_or_forged),
	KUNIT_CASE(hdl3_wait_early_double_deregister),
	KUNIT_CASE_PARAM(hdl4_wait_in_waited_callback_edeadlk, hdl4_gen_params),
	KUNIT_CASE(hdl4_cleanup_may_wait_on_others),
	KUNIT_CASE(hdl5_bad_completions_change_nothing),
	KUNIT_CASE(hdl5_second_completion_einval),
	KUNIT_CASE(hdl6_module_going_is_cut_loose),
	KUNIT_CASE(hdl7_deregister_allocates_nothing),
	{}
};

static struct kunit_suite nmr_handles_suite = {
	.name = "nmr_handles",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_handles_cases,
};

kunit_test_suite(nmr_handles_suite);
