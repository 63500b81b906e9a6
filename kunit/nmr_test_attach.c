// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_attach: offers, the attach handshake and the ATT rules. */
#include <linux/delay.h>
#include <linux/kthread.h>

#include "nmr_test.h"

/* ATT-1: offered if and only if the NPI GUIDs are equal; each pair once. */
static void att1_match_by_npi_only(struct kunit *test)
{
	struct tpeer *pa = tp_new(test, false, "pa", &tnpi_a);
	struct tpeer *pb = tp_new(test, false, "pb", &tnpi_b);
	struct tpeer *ca = tp_new(test, true, "ca", &tnpi_a);
	struct tpeer *cb = tp_new(test, true, "cb", &tnpi_b);

	pb->mid = ca->mid;		/* same module id, other NPI: no match */
	pb->pchars.registration.number = 0;
	KUNIT_ASSERT_EQ(test, tp_register(pa), 0);
	KUNIT_ASSERT_EQ(test, tp_register(pb), 0);
	KUNIT_ASSERT_EQ(test, tp_register(ca), 0);
	KUNIT_ASSERT_EQ(test, tp_register(cb), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "ca:attach pa:attach cb:attach pb:attach");
	KUNIT_EXPECT_PTR_EQ(test, ca->seen_peer_ri, &pa->pchars.registration);
	KUNIT_EXPECT_PTR_EQ(test, cb->seen_peer_ri, &pb->pchars.registration);
	tp_leave(test, ca);
	tp_leave(test, cb);
	tp_leave(test, pa);
	tp_leave(test, pb);
	KUNIT_EXPECT_EQ(test, atomic_read(&pa->attaches), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pb->attaches), 1);
}

/* ATT-2: offers to peers already registered run inside register, on its thread, in order. */
static void att2_offers_synchronous_in_registration_order(struct kunit *test)
{
	struct tpeer *p[3], *c = tp_new(test, true, "c", &tnpi_a);
	int i;

	for (i = 0; i < 3; i++) {
		p[i] = tp_new(test, false, "p", &tnpi_a);
		p[i]->name[1] = '1' + i;
		KUNIT_ASSERT_EQ(test, tp_register(p[i]), 0);
	}
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	/* ATT-3: each offer starts on the client side, then the provider's attach_client. */
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p1:attach c:attach p2:attach c:attach p3:attach");
	KUNIT_EXPECT_PTR_EQ(test, c->attach_task, current);
	tp_leave(test, c);
	for (i = 0; i < 3; i++)
		tp_leave(test, p[i]);
}

struct race_pair {
	struct tpeer *c, *p;
	struct completion go;
};

static int race_register_client(void *arg)
{
	struct race_pair *rp = arg;

	wait_for_completion(&rp->go);
	return tp_register(rp->c);
}

/* ATT-2: two peers registering at the same time are offered to each other exactly once. */
static void att2_concurrent_registration_offered_once(struct kunit *test)
{
	struct race_pair *rp = kunit_kzalloc(test, sizeof(*rp), GFP_KERNEL);
	struct tasync *a;
	int i, ret;

	KUNIT_ASSERT_NOT_NULL(test, rp);
	for (i = 0; i < 50; i++) {
		rp->c = tp_new(test, true, "c", &tnpi_a);
		rp->p = tp_new(test, false, "p", &tnpi_a);
		init_completion(&rp->go);
		a = tasync_start(test, race_register_client, rp);
		complete(&rp->go);
		ret = tp_register(rp->p);
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_ASSERT_TRUE(test, tasync_wait(a, T_TIMEOUT_MS));
		KUNIT_ASSERT_EQ(test, a->ret, 0);
		/* Exactly one offer, by whichever thread published later. */
		KUNIT_EXPECT_EQ(test, atomic_read(&rp->c->attaches), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&rp->p->attaches), 1);
		tp_leave(test, rp->c);
		tp_leave(test, rp->p);
		tp_clear_events(test);
	}
}

static int att4_provider_result;

/* ATT-4: the provider's result reaches the client unchanged; on failure out-params untouched. */
static void att4_attach_client_result_unchanged(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	void *sentinel = (void *)&att4_provider_result;

	p->attach_ret = -EOPNOTSUPP;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	c->hook = NULL;
	tp_bind(c, 0)->peer_ctx = sentinel;
	tp_bind(c, 0)->peer_dispatch = sentinel;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);	/* the refusal is not the register's */
	/* The client's attach_provider returned what nmr_client_attach_provider() gave it. */
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_ctx, sentinel);
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_dispatch, (const void *)sentinel);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	tp_leave(test, c);
	/* ATT-5: the refused offer got no detach and no cleanup. */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->detaches) + atomic_read(&p->detaches), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups) + atomic_read(&p->cleanups), 0);
	tp_leave(test, p);
}

static void att4_hook_check_result(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	void *ctx = (void *)1;
	const void *disp = (void *)1;

	if (ev != TP_ATTACH)
		return;
	/* Call it ourselves to see the value, then let the fixture decline. */
	att4_provider_result = nmr_client_attach_provider(tb->handle, tb, NULL, &ctx, &disp);
	KUNIT_EXPECT_PTR_EQ(tp->test, ctx, (void *)1);
	KUNIT_EXPECT_PTR_EQ(tp->test, disp, (const void *)1);
}

/* ATT-4: -EOPNOTSUPP from attach_client arrives as -EOPNOTSUPP. */
static void att4_error_value_passed_through(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	p->attach_ret = -EOPNOTSUPP;
	c->hook = att4_hook_check_result;
	c->client_no_attach = true;
	c->attach_ret = -ENODEV;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, att4_provider_result, -EOPNOTSUPP);
	tp_leave(test, c);
	tp_leave(test, p);
}

static void att4_null_outs_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	int *ret = tp->hook_data;

	if (ev == TP_ATTACH)
		*ret = nmr_client_attach_provider(tb->handle, tb, &tp->dispatch, NULL, NULL);
}

/*
 * ATT-4: the two out-parameters are optional: a client that passes NULL for
 * both attaches all the same, and the binding lives and leaves like any other.
 */
static void att4_null_out_parameters_attach(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	int *ret = kunit_kzalloc(test, sizeof(*ret), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ret);
	*ret = 1;
	c->hook = att4_null_outs_hook;
	c->hook_data = ret;
	c->client_no_attach = true;	/* the hook made the only call */
	c->attach_ret = 0;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, *ret, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	/* The provider got the client's context and dispatch: a real binding. */
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->peer_ctx, (void *)tp_bind(c, 0));
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->peer_dispatch, (const void *)&c->dispatch);
	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	tp_leave(test, p);
}

/* ATT-5: either side declines with -ENODEV (or any non-zero): no detach, no cleanup. */
static void att5_decline_gets_no_callbacks(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c1 = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *c3 = tp_new(test, true, "c3", &tnpi_a);

	c1->client_no_attach = true;
	c1->attach_ret = -ENODEV;		/* the client declines */
	c3->client_no_attach = true;
	c3->attach_ret = -EIO;			/* any other error is a refusal too */
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c1), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c3), 0);
	p->attach_ret = -ENODEV;		/* the provider declines */
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c1:attach c3:attach c2:attach p:attach");
	tp_leave(test, p);
	tp_leave(test, c1);
	tp_leave(test, c2);
	tp_leave(test, c3);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c1:attach c3:attach c2:attach p:attach");
}

/*
 * ATT-5: only 0 accepts. A positive value or -EINPROGRESS is not an errno at
 * all, from either side: a refusal too (with a warning), no detach, no cleanup.
 */
static void att5_non_errno_results_are_refusals(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c1 = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *c2 = tp_new(test, true, "c2", &tnpi_a);
	struct tpeer *c3 = tp_new(test, true, "c3", &tnpi_a);

	c1->client_no_attach = true;
	c1->attach_ret = 1;
	c2->client_no_attach = true;
	c2->attach_ret = -EINPROGRESS;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c1), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	p->attach_ret = 1;			/* the provider's attach_client too */
	KUNIT_ASSERT_EQ(test, tp_register(c3), 0);
	KUNIT_EXPECT_NULL(test, tp_bind(c3, 0)->peer_ctx);	/* ATT-4: untouched */
	tp_leave(test, p);
	tp_leave(test, c1);
	tp_leave(test, c2);
	tp_leave(test, c3);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c1:attach c2:attach c3:attach p:attach");
}

static const int att6_new_dispatch, att6_old_dispatch;

static int att6_attach_client(struct nmr_binding *binding, void *provider_ctx,
			      const struct nmr_registration_instance *client,
			      void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	struct tpeer *tp = provider_ctx;

	tp_log(tp->test, "p:attach");
	if (cdisp != &att6_old_dispatch)
		return -ENODEV;		/* this provider only speaks the old version */
	*pctx = tp;
	*pdisp = &tp->dispatch;
	return 0;
}

static int att6_detach(void *ctx)
{
	return 0;
}

static int att6_results[5];

static int att6_attach_provider(struct nmr_binding *binding, void *client_ctx,
				const struct nmr_registration_instance *provider)
{
	struct tpeer *tp = client_ctx;
	const void *disp;
	void *ctx;

	tp_log(tp->test, "c:attach");
	tp_bind(tp, 0)->handle = binding;
	att6_results[0] = nmr_client_attach_provider(binding, tp, &att6_new_dispatch, &ctx, &disp);
	att6_results[1] = nmr_client_attach_provider(binding, tp, &att6_old_dispatch, &ctx, &disp);
	att6_results[2] = nmr_client_attach_provider(binding, tp, &att6_old_dispatch, &ctx, &disp);
	return 0;
}

/* ATT-6: retry after a failure; -EALREADY once attached; after the offer: -EALREADY / -EBADF. */
static void att6_retry_then_ealready(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	const void *disp;
	void *ctx;

	p->pchars.attach_client = att6_attach_client;
	p->pchars.detach_client = att6_detach;
	p->pchars.cleanup_binding_context = NULL;
	c->cchars.attach_provider = att6_attach_provider;
	c->cchars.detach_provider = att6_detach;
	c->cchars.cleanup_binding_context = NULL;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, att6_results[0], -ENODEV);	/* new version declined */
	KUNIT_EXPECT_EQ(test, att6_results[1], 0);		/* retry with the old one */
	KUNIT_EXPECT_EQ(test, att6_results[2], -EALREADY);	/* provider not called again */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:attach");
	/* After attach_provider returned, the binding is attached: -EALREADY. */
	KUNIT_EXPECT_EQ(test, -EALREADY,
			nmr_client_attach_provider(tp_bind(c, 0)->handle, c, NULL, &ctx, &disp));
	tp_leave(test, c);
	/* Dead binding now: -EBADF. */
	KUNIT_EXPECT_EQ(test, -EBADF,
			nmr_client_attach_provider(tp_bind(c, 0)->handle, c, NULL, &ctx, &disp));
	tp_leave(test, p);
}

/* ATT-6: a call after a declined offer was discarded gets -EBADF. */
static void att6_after_discarded_offer_ebadf(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	const void *disp;
	void *ctx;

	c->client_no_attach = true;
	c->attach_ret = -ENODEV;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, -EBADF,
			nmr_client_attach_provider(tp_bind(c, 0)->handle, c, NULL, &ctx, &disp));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->attaches), 0);
	tp_leave(test, c);
	tp_leave(test, p);
}

/* What a misusing hook got back, and what it left in its out-parameters. */
struct att6_misuse {
	int ret;
	void *ctx;
	const void *disp;
};

static int att6_foreign_attach(void *arg)
{
	struct tbind *tb = arg;
	struct att6_misuse *m = tb->owner->hook_data;

	return nmr_client_attach_provider(tb->handle, tb, &tb->owner->dispatch, &m->ctx, &m->disp);
}

/* The client's attach_provider hands its handle to another thread and waits for it. */
static void att6_foreign_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct att6_misuse *m = tp->hook_data;
	struct tasync *a;

	if (ev != TP_ATTACH)
		return;
	a = tasync_start(tp->test, att6_foreign_attach, tb);
	if (tasync_wait(a, T_TIMEOUT_MS))
		m->ret = a->ret;
	else
		tp_log(tp->test, "FOREIGN-TIMEOUT");
}

static struct att6_misuse *att6_misuse_new(struct kunit *test)
{
	struct att6_misuse *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->ret = 1;
	m->ctx = m;
	m->disp = m;
	return m;
}

/*
 * ATT-6, HDL-2 (misuse): nmr_client_attach_provider() with a live offer's
 * handle, from a thread that is not running that offer's attach_provider:
 * -EBADF with a misuse warning, the provider not called and the out-parameters
 * untouched. The callback then attaches normally on its own thread.
 */
static void att6_attach_from_another_thread_ebadf(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct att6_misuse *m = att6_misuse_new(test);
	long misuse = tp_misuse_count();

	tp_expect_misuse(test);
	c->hook = att6_foreign_hook;
	c->hook_data = m;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, m->ret, -EBADF);
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 1);
	KUNIT_EXPECT_PTR_EQ(test, m->ctx, (void *)m);
	KUNIT_EXPECT_PTR_EQ(test, m->disp, (const void *)m);
	/* One attach_client: the callback's own call, which bound them. */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_ctx, (void *)tp_bind(p, 0));
	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	tp_leave(test, p);
}

/* The provider's attach_client calls nmr_client_attach_provider() with the client's handle. */
static void att6_reenter_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct att6_misuse *m = tp->hook_data;
	struct tbind *ctb = tb->peer_ctx;	/* the client's binding context */

	if (ev == TP_ATTACH)
		m->ret = nmr_client_attach_provider(ctb->handle, ctb, &ctb->owner->dispatch,
						    &m->ctx, &m->disp);
}

/*
 * ATT-6, ATT-4 (misuse): nmr_client_attach_provider() re-entered from the
 * provider's attach_client, on the offering thread: -EALREADY with a misuse
 * warning, attach_client not called again; the outer attach still succeeds.
 */
static void att6_reentered_from_attach_client_ealready(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct att6_misuse *m = att6_misuse_new(test);
	long misuse = tp_misuse_count();

	tp_expect_misuse(test);
	p->hook = att6_reenter_hook;
	p->hook_data = m;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, m->ret, -EALREADY);
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 1);
	KUNIT_EXPECT_PTR_EQ(test, m->ctx, (void *)m);
	KUNIT_EXPECT_PTR_EQ(test, m->disp, (const void *)m);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach");
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_ctx, (void *)tp_bind(p, 0));
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->peer_ctx, (void *)tp_bind(c, 0));
	p->hook = NULL;
	tp_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	tp_leave(test, p);
}

/* ATT-7: attach_provider returning 0 without attaching is a decline, with a warning. */
static void att7_zero_without_attach_is_decline(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	long misuse = tp_misuse_count();

	tp_expect_misuse(test);
	c->client_no_attach = true;
	c->attach_ret = 0;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 1);
	tp_leave(test, c);
	tp_leave(test, p);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach");	/* no detach, no cleanup */
}

/*
 * ATT-8, ATT-5: a client that declines with -ENODEV after its attach
 * succeeded gets the same undo as one that fails (the provider side only),
 * and -ENODEV, the way to decline, is quiet: no misuse report and no "failed
 * after attaching" line. (That line is printed once per load; this case runs
 * before the ones that print it.)
 */
static void att8_enodev_after_attaching_is_quiet(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	long misuse = tp_misuse_count();
	char line[64];

	c->attach_ret = -ENODEV;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach p:cleanup");
	KUNIT_EXPECT_EQ(test, tp_misuse_count(), misuse);
	snprintf(line, sizeof(line), "client %lu (nmr_kunit): attach_provider", tp_hid(c->client));
	KUNIT_EXPECT_FALSE_MSG(test, tp_klog_has(test, line, NULL), "\"%s\" was logged", line);
	tp_leave(test, c);
	tp_leave(test, p);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->detaches) + atomic_read(&c->cleanups), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->detaches) + atomic_read(&p->cleanups), 2);
}

/* ATT-8: the client fails after the provider accepted: only the provider side is undone. */
static void att8_client_fails_after_provider_accepted(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	c->attach_ret = -ENOMEM;	/* e.g. its own allocation failed after attaching */
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach p:cleanup");
	tp_leave(test, c);
	tp_leave(test, p);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->detaches) + atomic_read(&c->cleanups), 0);
}

/* ATT-8: ... and the provider's detach may pend; its completion finishes the undo. */
static void att8_provider_undo_may_pend(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);

	c->attach_ret = -EIO;
	p->detach_ret = -EINPROGRESS;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach");
	KUNIT_EXPECT_EQ(test, tp_complete(tp_bind(p, 0)), 0);
	flush_workqueue(nmr_wq);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach p:cleanup");
	KUNIT_EXPECT_TRUE(test, tp_bind(p, 0)->cleanup_in_wq);	/* CLN-2 */
	tp_leave(test, c);
	tp_leave(test, p);
}

/* ATT-9: many-to-many, and every side of every binding has its own handle. */
static void att9_many_to_many_distinct_handles(struct kunit *test)
{
	struct tpeer *tp[4];
	struct nmr_binding *h[8];
	int i, j, n = 0;

	for (i = 0; i < 4; i++) {
		tp[i] = tp_new(test, i % 2, i % 2 ? "c" : "p", &tnpi_a);
		KUNIT_ASSERT_EQ(test, tp_register(tp[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, atomic_read(&tp[i]->nbinds), 2);
		for (j = 0; j < 2; j++)
			h[n++] = tp[i]->binds[j].handle;
	}
	for (i = 0; i < 8; i++)
		for (j = i + 1; j < 8; j++)
			KUNIT_EXPECT_PTR_NE(test, h[i], h[j]);
	for (i = 0; i < 4; i++)
		tp_leave(test, tp[i]);
}

/*
 * T-C, ATT-10: C is registered; thread 1 registers P and C's attach_provider is
 * running; thread 2 deregisters C (-EINPROGRESS, no detach yet) and waits. The
 * attach completes, the NMR detaches at once on thread 1, the wait returns 0,
 * and P stays registered.
 */
static void att10_t_c_late_comer(struct kunit *test)
{
	struct tpark *pk = tp_park_new(test);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c2;
	struct tasync *reg, *wait;

	c->hook = tp_park_in_attach;
	c->hook_data = pk;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);

	reg = tasync_start(test, tasync_register, p);			/* thread 1 */
	TWAIT(test, &pk->parked, T_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);		/* thread 2 */
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach");		/* no detach yet */
	wait = tasync_start(test, tasync_wait_reg, c);
	/* ATT-10: the deregistration is not complete while the offer runs. */
	KUNIT_EXPECT_FALSE(test, tasync_wait(wait, 200));
	complete(&pk->release);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, reg->ret, 0);
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	/* Detached at once, on the attaching thread. */
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->detach_task, reg->task);
	/* P is still active: a new client binds to it. */
	c2 = tp_new(test, true, "c2", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(c2), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->attaches), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->attaches), 2);
	tp_leave(test, c2);
	tp_leave(test, p);
}

/*
 * ATT-10, ATT-12: the provider deregisters while a client's offer to it is
 * running; its attach_client still runs after its deregister returned, and the
 * binding is detached at once, the provider's side first.
 */
static void att12_attach_client_after_own_deregister(struct kunit *test)
{
	struct tpark *pk = tp_park_new(test);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tasync *reg, *wait;

	c->hook = tp_park_in_attach;
	c->hook_data = pk;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	reg = tasync_start(test, tasync_register, c);
	TWAIT(test, &pk->parked, T_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	wait = tasync_start(test, tasync_wait_reg, p);
	complete(&pk->release);
	KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, tasync_wait(wait, T_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, wait->ret, 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	tp_leave(test, c);
}

/*
 * ATT-10 (usersim issue 318 cannot happen): a deregistration racing an attach,
 * with no forced order, never hangs. Each round: thread 1 registers P while
 * thread 2 deregisters C and waits, both bounded. Counts how often the late
 * comer path (detach on the attaching thread) was really taken.
 */
static void att10_deregister_racing_attach_never_hangs(struct kunit *test)
{
	int i, late = 0, before = 0, after = 0;
	struct tasync *reg;
	struct tpeer *c, *p;

	for (i = 0; i < 200; i++) {
		c = tp_new(test, true, "c", &tnpi_a);
		p = tp_new(test, false, "p", &tnpi_a);
		KUNIT_ASSERT_EQ(test, tp_register(c), 0);
		reg = tasync_start(test, tasync_register, p);
		if (i & 1)
			udelay(i % 50);		/* vary the overlap; not a synchronisation */
		KUNIT_ASSERT_EQ(test, tp_deregister(c), -EINPROGRESS);
		KUNIT_ASSERT_EQ(test, tp_wait(c), 0);	/* returns: no usersim hang */
		KUNIT_ASSERT_TRUE(test, tasync_wait(reg, T_TIMEOUT_MS));
		KUNIT_ASSERT_EQ(test, reg->ret, 0);
		/* Either no offer, or a binding attached and detached exactly once. */
		KUNIT_EXPECT_EQ(test, atomic_read(&c->detaches), atomic_read(&p->cleanups));
		KUNIT_EXPECT_EQ(test, atomic_read(&c->cleanups), atomic_read(&p->detaches));
		if (!atomic_read(&c->attaches))
			before++;
		else if (atomic_read(&c->detaches) && tp_bind(c, 0)->detach_task == reg->task)
			late++;
		else
			after++;
		tp_leave(test, p);
		tp_clear_events(test);
	}
	kunit_info(test, "200 races: %d deregistered first, %d late comers, %d attached first\n",
		   before, late, after);
}

struct conc {
	atomic_t inside;
	struct completion both;
};

static void conc_hook(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	struct conc *cc = tp->hook_data;

	if (ev != TP_ATTACH)
		return;
	if (atomic_inc_return(&cc->inside) == 2)
		complete_all(&cc->both);
	/* Both offers must be inside this callback at once: the NMR does not serialise them. */
	if (!wait_for_completion_timeout(&cc->both, msecs_to_jiffies(T_TIMEOUT_MS)))
		tp_log(tp->test, "SERIALISED");
}

/* ATT-12: one registration's attach callbacks run concurrently for two peers. */
static void att12_attach_callbacks_concurrent(struct kunit *test)
{
	struct conc *cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tpeer *p1 = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *p2 = tp_new(test, false, "p2", &tnpi_a);
	struct tasync *a1, *a2;

	KUNIT_ASSERT_NOT_NULL(test, cc);
	init_completion(&cc->both);
	c->hook = conc_hook;
	c->hook_data = cc;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	a1 = tasync_start(test, tasync_register, p1);
	a2 = tasync_start(test, tasync_register, p2);
	KUNIT_ASSERT_TRUE(test, tasync_wait(a1, 2 * T_TIMEOUT_MS));
	KUNIT_ASSERT_TRUE(test, tasync_wait(a2, 2 * T_TIMEOUT_MS));
	KUNIT_EXPECT_TRUE(test, completion_done(&cc->both));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->attaches), 2);
	KUNIT_EXPECT_NULL(test, strstr(tp_events(test), "SERIALISED"));
	tp_leave(test, c);
	tp_leave(test, p1);
	tp_leave(test, p2);
}

static struct kunit_case nmr_attach_cases[] = {
	KUNIT_CASE(att1_match_by_npi_only),
	KUNIT_CASE(att2_offers_synchronous_in_registration_order),
	KUNIT_CASE(att2_concurrent_registration_offered_once),
	KUNIT_CASE(att4_attach_client_result_unchanged),
	KUNIT_CASE(att4_error_value_passed_through),
	KUNIT_CASE(att4_null_out_parameters_attach),
	KUNIT_CASE(att5_decline_gets_no_callbacks),
	KUNIT_CASE(att5_non_errno_results_are_refusals),
	KUNIT_CASE(att6_retry_then_ealready),
	KUNIT_CASE(att6_after_discarded_offer_ebadf),
	KUNIT_CASE(att6_attach_from_another_thread_ebadf),
	KUNIT_CASE(att6_reentered_from_attach_client_ealready),
	KUNIT_CASE(att7_zero_without_attach_is_decline),
	KUNIT_CASE(att8_enodev_after_attaching_is_quiet),
	KUNIT_CASE(att8_client_fails_after_provider_accepted),
	KUNIT_CASE(att8_provider_undo_may_pend),
	KUNIT_CASE(att9_many_to_many_distinct_handles),
	KUNIT_CASE(att10_t_c_late_comer),
	KUNIT_CASE(att12_attach_client_after_own_deregister),
	KUNIT_CASE(att10_deregister_racing_attach_never_hangs),
	KUNIT_CASE(att12_attach_callbacks_concurrent),
	{}
};

static struct kunit_suite nmr_attach_suite = {
	.name = "nmr_attach",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_attach_cases,
};

kunit_test_suite(nmr_attach_suite);
