// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_registration: the REG rules. */
#include <linux/preempt.h>

#include "nmr_test.h"

/* REG-1: the one invalid argument of a register call. */
enum reg1_fault {
	REG1_NO_CHARS,		/* the characteristics NULL */
	REG1_NO_HANDLE,		/* the handle pointer NULL */
	REG1_SHORT,		/* a length one byte short of the structure */
	REG1_NO_ATTACH,		/* the attach callback NULL */
	REG1_NO_DETACH,		/* the detach callback NULL */
	REG1_NO_NPI,		/* registration.npi_id NULL */
};

struct reg1_case {
	const char *name;
	bool client;		/* nmr_register_client(), else nmr_register_provider() */
	enum reg1_fault fault;
};

static const struct reg1_case reg1_cases[] = {
	{ "client, characteristics NULL", true, REG1_NO_CHARS },
	{ "client, handle pointer NULL", true, REG1_NO_HANDLE },
	{ "client, length one byte short", true, REG1_SHORT },
	{ "client, attach_provider NULL", true, REG1_NO_ATTACH },
	{ "client, detach_provider NULL", true, REG1_NO_DETACH },
	{ "client, npi_id NULL", true, REG1_NO_NPI },
	{ "provider, attach_client NULL", false, REG1_NO_ATTACH },
	{ "provider, detach_client NULL", false, REG1_NO_DETACH },
	{ "provider, characteristics NULL", false, REG1_NO_CHARS },
	{ "provider, handle pointer NULL", false, REG1_NO_HANDLE },
	{ "provider, length one byte short", false, REG1_SHORT },
	{ "provider, npi_id NULL", false, REG1_NO_NPI },
};

KUNIT_ARRAY_PARAM_DESC(reg1, reg1_cases, name);

/*
 * REG-1: every invalid argument is -EINVAL, reported, with nothing registered
 * and the handle NULL: a registered peer of the other role is offered nothing.
 */
static void reg1_invalid_arguments(struct kunit *test)
{
	const struct reg1_case *k = test->param_value;
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *peer = k->client ? p : c;		/* a peer that must not be offered */
	struct nmr_client_characteristics cc = c->cchars;
	struct nmr_provider_characteristics pc = p->pchars;
	struct nmr_client *ch = (void *)1;
	struct nmr_provider *ph = (void *)1;
	bool no_chars = k->fault == REG1_NO_CHARS, no_handle = k->fault == REG1_NO_HANDLE;
	long misuse = tp_misuse_count();
	int ret;

	tp_expect_misuse(test);
	KUNIT_ASSERT_EQ(test, tp_register(peer), 0);
	switch (k->fault) {
	case REG1_SHORT:
		cc.length = sizeof(cc) - 1;
		pc.length = sizeof(pc) - 1;
		break;
	case REG1_NO_ATTACH:
		cc.attach_provider = NULL;
		pc.attach_client = NULL;
		break;
	case REG1_NO_DETACH:
		cc.detach_provider = NULL;
		pc.detach_client = NULL;
		break;
	case REG1_NO_NPI:
		cc.registration.npi_id = NULL;
		pc.registration.npi_id = NULL;
		break;
	default:
		break;
	}
	if (k->client)
		ret = nmr_register_client(no_chars ? NULL : &cc, c, no_handle ? NULL : &ch);
	else
		ret = nmr_register_provider(no_chars ? NULL : &pc, p, no_handle ? NULL : &ph);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	if (!no_handle && k->client)
		KUNIT_EXPECT_NULL(test, ch);
	else if (!no_handle)
		KUNIT_EXPECT_NULL(test, ph);

	/* No callback ran: the peer was never offered anything. */
	KUNIT_EXPECT_EQ(test, atomic_read(&peer->attaches), 0);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");
	KUNIT_EXPECT_EQ(test, tp_misuse_count() - misuse, 1);	/* reported */
	if (k->client)
		KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(p->provider), 0);
	else
		KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(c->client), 0);
	peer->waited = true;
}

/* REG-1: a NULL module id is allowed. */
static void reg1_null_module_id_allowed(struct kunit *test)
{
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);

	c->cchars.registration.module_id = NULL;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_NOT_NULL(test, c->client);
	tp_leave(test, c);
}

/* REG-2: the handle is written before the first callback runs. */
static void reg2_handle_written_before_callbacks(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c1", &tnpi_a);

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_EXPECT_TRUE(test, c->handle_set_in_attach);	/* REG-2: client side */
	tp_leave(test, c);

	/* Provider registering second: its handle is set when its attach_client runs. */
	c = tp_new(test, true, "c2", &tnpi_a);
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	tp_leave(test, p);
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
	tp_leave(test, p);
	tp_leave(test, c);
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
	for (i = 0; i < 4; i++)
		tp_leave(test, tp[i]);
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
	KUNIT_CASE_PARAM(reg1_invalid_arguments, reg1_gen_params),
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
