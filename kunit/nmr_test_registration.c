// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_registration: the REG rules. */
#include <linux/preempt.h>

#include "nmr_test.h"

/* REG-1: every invalid argument is -EINVAL, with nothing registered and the handle NULL. */
static void reg1_invalid_arguments(struct kunit *test)
{
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct nmr_client_characteristics cc = c->cchars;
	struct nmr_provider_characteristics pc = p->pchars;
	struct nmr_client *ch = (void *)1;
	struct nmr_provider *ph = (void *)1;
	long misuse = tp_misuse_count();

	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);	/* a peer that must not be offered */

	KUNIT_EXPECT_EQ(test, nmr_register_client(NULL, c, &ch), -EINVAL);
	KUNIT_EXPECT_NULL(test, ch);
	KUNIT_EXPECT_EQ(test, nmr_register_client(&cc, c, NULL), -EINVAL);
	cc.length = sizeof(cc) - 1;
	ch = (void *)1;
	KUNIT_EXPECT_EQ(test, nmr_register_client(&cc, c, &ch), -EINVAL);
	KUNIT_EXPECT_NULL(test, ch);
	cc = c->cchars;
	cc.attach_provider = NULL;
	KUNIT_EXPECT_EQ(test, nmr_register_client(&cc, c, &ch), -EINVAL);
	cc = c->cchars;
	cc.detach_provider = NULL;
	KUNIT_EXPECT_EQ(test, nmr_register_client(&cc, c, &ch), -EINVAL);
	cc = c->cchars;
	cc.registration.npi_id = NULL;
	KUNIT_EXPECT_EQ(test, nmr_register_client(&cc, c, &ch), -EINVAL);
	KUNIT_EXPECT_NULL(test, ch);

	pc.attach_client = NULL;
	KUNIT_EXPECT_EQ(test, nmr_register_provider(&pc, p, &ph), -EINVAL);
	KUNIT_EXPECT_NULL(test, ph);
	pc = p->pchars;
	pc.detach_client = NULL;
	KUNIT_EXPECT_EQ(test, nmr_register_provider(&pc, p, &ph), -EINVAL);
	KUNIT_EXPECT_EQ(test, nmr_register_provider(NULL, p, &ph), -EINVAL);
	KUNIT_EXPECT_EQ(test, nmr_register_provider(&pc, p, NULL), -EINVAL);
	pc = p->pchars;
	pc.length = sizeof(pc) - 1;
	ph = (void *)1;
	KUNIT_EXPECT_EQ(test, nmr_register_provider(&pc, p, &ph), -EINVAL);
	KUNIT_EXPECT_NULL(test, ph);
	pc = p->pchars;
	pc.registration.npi_id = NULL;
	ph = (void *)1;
	KUNIT_EXPECT_EQ(test, nmr_register_provider(&pc, p, &ph), -EINVAL);
	KUNIT_EXPECT_NULL(test, ph);

	/* No callback ran: the provider was never offered anything. */
	KUNIT_EXPECT_EQ(test, atomic_read(&p->attaches), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 12);	/* each one reported */
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(p->provider), 0);
	p->waited = true;
}

/* REG-1: a NULL module id is allowed. */
static void reg1_null_module_id_allowed(struct kunit *test)
{
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);

	c->cchars.registration.module_id = NULL;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_NOT_NULL(test, c->client);
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
}

/* REG-2: the handle is written before the first callback runs. */
static void reg2_handle_written_before_callbacks(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_TRUE(test, c->handle_set_in_attach);	/* REG-2: client side */
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);

	/* Provider registering second: its handle is set when its attach_client runs. */
	c = tp_new(test, true, "c2", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	p = tp_new(test, false, "p2", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_EXPECT_TRUE(test, p->handle_set_in_attach);	/* REG-2: provider side */
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(c->client), 0);
	c->waited = true;
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(p->provider), 0);
	p->waited = true;
}

/* REG-3: the NMR keeps the caller's pointers: attach sees the peer's own registration member. */
static void reg3_pointers_kept_not_copied(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);
	static const int specific = 42;

	p->pchars.registration.npi_specific = &specific;
	p->pchars.registration.number = 7;
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->seen_peer_ri, &p->pchars.registration);
	KUNIT_EXPECT_PTR_EQ(test, p->seen_peer_ri, &c->cchars.registration);
	KUNIT_EXPECT_PTR_EQ(test, c->seen_peer_ri->npi_specific, (const void *)&specific);
	KUNIT_EXPECT_PTR_EQ(test, c->seen_peer_ri->module_id, &p->mid);
	KUNIT_EXPECT_EQ(test, c->seen_peer_ri->number, 7u);
	/* The dispatch tables and contexts are swapped as given, not copied. */
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_dispatch, (const void *)&p->dispatch);
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->peer_dispatch, (const void *)&c->dispatch);
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(c, 0)->peer_ctx, (void *)tp_bind(p, 0));
	KUNIT_EXPECT_PTR_EQ(test, tp_bind(p, 0)->peer_ctx, (void *)tp_bind(c, 0));
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	KUNIT_EXPECT_EQ(test, tp_deregister(c), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(c), 0);
}

/* REG-4: one module registers many times, both roles, duplicate ids and numbers. */
static void reg4_many_registrations_duplicates_allowed(struct kunit *test)
{
	struct tpeer *tp[4];
	int i;

	for (i = 0; i < 4; i++) {
		tp[i] = tp_new(test, i < 2, i < 2 ? "c" : "p", &tnpi_a);
		tp[i]->mid = tp[0]->mid;	/* same module id everywhere */
		KUNIT_ASSERT_EQ(test, tp_register(tp[i]), 0);
	}
	/* Both clients bound to both providers. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&tp[i]->attaches), 2);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, tp_deregister(tp[i]), -EINPROGRESS);
		KUNIT_EXPECT_EQ(test, tp_wait(tp[i]), 0);
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&tp[i]->cleanups), 2);
}

/* REG-5, ATT-11: register runs its offers in process context, on the caller's thread. */
static void reg5_process_context(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_TRUE(test, c->attach_preemptible);
	KUNIT_EXPECT_TRUE(test, p->attach_preemptible);
	KUNIT_EXPECT_PTR_EQ(test, c->attach_task, current);
	KUNIT_EXPECT_PTR_EQ(test, p->attach_task, current);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(c->client), 0);
	c->waited = true;
	KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(p->provider), 0);
	p->waited = true;
}

/* NmrIsEqualNpiModuleId: types and ids compared, length ignored, unknown types never equal. */
static void module_id_equal(struct kunit *test)
{
	struct nmr_module_id a = { .length = sizeof(a), .type = NMR_MIT_GUID }, b;

	guid_gen(&a.guid);
	b = a;
	b.length = 0;
	KUNIT_EXPECT_TRUE(test, nmr_module_id_equal(&a, &b));
	b.guid.b[3] ^= 1;
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(&a, &b));
	a.type = NMR_MIT_IF_LUID;
	a.if_luid = 5;
	b = a;
	KUNIT_EXPECT_TRUE(test, nmr_module_id_equal(&a, &b));
	b.type = NMR_MIT_GUID;
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(&a, &b));
	a.type = 9;
	b = a;
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(&a, &b));
	/* A missing id equals nothing, not even an id of any type. */
	a.type = NMR_MIT_GUID;
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(NULL, &a));
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(&a, NULL));
	KUNIT_EXPECT_FALSE(test, nmr_module_id_equal(NULL, NULL));
}

static struct kunit_case nmr_registration_cases[] = {
	KUNIT_CASE(reg1_invalid_arguments),
	KUNIT_CASE(reg1_null_module_id_allowed),
	KUNIT_CASE(reg2_handle_written_before_callbacks),
	KUNIT_CASE(reg3_pointers_kept_not_copied),
	KUNIT_CASE(reg4_many_registrations_duplicates_allowed),
	KUNIT_CASE(reg5_process_context),
	KUNIT_CASE(module_id_equal),
	{}
};

static struct kunit_suite nmr_registration_suite = {
	.name = "nmr_registration",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_registration_cases,
};

kunit_test_suite(nmr_registration_suite);
