// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_nomem: out of memory at every allocation site of a register
 * call (REG-1), made to fail in turn by the NMR's own injection hook.
 */
#include "nmr_test.h"

/* Register @c with the @nth allocation site failing; 0 when nth is past the last site. */
static int register_failing_nth(struct kunit *test, struct tpeer *c, int nth)
{
	int ret;

	tp_clear_events(test);
	atomic_set(&nmr_fail_nth, nth);
	ret = tp_register(c);
	if (!ret) {
		KUNIT_EXPECT_NE(test, atomic_read(&nmr_fail_nth), 0);	/* not consumed */
		atomic_set(&nmr_fail_nth, 0);
		return 0;
	}
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_NULL(test, c->client);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "");		/* no callback ran */
	return ret;
}

/*
 * REG-1: every allocation site of a register call is made to fail in turn
 * (the NMR's own injection hook, which counts sites): the call returns
 * -ENOMEM with the handle NULL and no callback run, and the peers are
 * untouched. The first registration of a module and of an NPI has five
 * sites (the registration, the module's entry, the NPI node, the NPI table's
 * insertion, its handle slot); with two peers of the same module registered
 * there are six (the registration and its slot, a binding and its slot per
 * peer). Attaching allocates nothing: everything was allocated here.
 */
static void reg1_enomem_at_every_allocation_site(struct kunit *test)
{
	struct tpeer *p1 = tp_new(test, false, "p1", &tnpi_a);
	struct tpeer *p2 = tp_new(test, false, "p2", &tnpi_a);
	struct tpeer *c;
	int nth, failed = 0;

	tp_fail_nth_reset_at_end(test);
	for (nth = 1; nth < 32; nth++) {
		if (!register_failing_nth(test, p1, nth))
			break;
		failed++;
	}
	KUNIT_EXPECT_EQ(test, failed, 5);
	KUNIT_ASSERT_EQ(test, tp_register(p2), 0);

	for (failed = 0, nth = 1; nth < 32; nth++) {
		c = tp_new(test, true, "c", &tnpi_a);
		if (!register_failing_nth(test, c, nth)) {
			KUNIT_EXPECT_EQ(test, atomic_read(&c->attaches), 2);
			tp_leave(test, c);
			break;
		}
		failed++;
	}
	KUNIT_EXPECT_EQ(test, failed, 6);
	/* The peers never saw any of it: one binding each, to the last client. */
	KUNIT_EXPECT_EQ(test, atomic_read(&p1->attaches), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p2->attaches), 1);
	tp_leave(test, p1);
	tp_leave(test, p2);
}

/* ---- REG-1: no -ENOMEM from the pattern the ids make ---- */

static const guid_t idp_npi = GUID_INIT(0x7e570000, 0x1d, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0x1d, 0x0b);
static const struct nmr_module_id idp_mid = { .length = sizeof(idp_mid), .type = NMR_MIT_GUID };
static int idp_token;

static int idp_attach_provider(struct nmr_binding *binding, void *client_ctx,
			       const struct nmr_registration_instance *provider)
{
	const void *pdisp;
	void *pctx;

	return nmr_client_attach_provider(binding, &idp_token, &idp_token, &pctx, &pdisp);
}

static int idp_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	*provider_binding_ctx = &idp_token;
	*provider_dispatch = &idp_token;
	return 0;
}

static int idp_detach(void *binding_ctx)
{
	return 0;
}

static const struct nmr_client_characteristics idp_cc = {
	.length = sizeof(idp_cc),
	.attach_provider = idp_attach_provider,
	.detach_provider = idp_detach,
	.registration = { .npi_id = &idp_npi, .module_id = &idp_mid },
};

static const struct nmr_provider_characteristics idp_pc = {
	.length = sizeof(idp_pc),
	.attach_client = idp_attach_client,
	.detach_client = idp_detach,
	.registration = { .npi_id = &idp_npi, .module_id = &idp_mid },
};

#define IDP_PROVIDERS	63	/* each client takes 64 ids: its own, one per binding */
#define IDP_KEPT	80
/*
 * Cycles per churning thread. With the identity hash about one call in four
 * failed, so 48 calls miss the bug with odds of about 1e-6. More would make
 * the case outlast the debug kernels' 30-s hung-task check on the insmod
 * thread that waits for it: with 60 it took 38-39 s on the 7.3 debug kernel.
 */
#define IDP_CHURN	24

/* fn for tasync_start(): register and deregister clients; counts the failures. */
static int idp_churn(void *arg)
{
	atomic_t *fails = arg;
	struct nmr_client *c;
	int i;

	for (i = 0; i < IDP_CHURN; i++) {
		if (nmr_register_client(&idp_cc, NULL, &c)) {
			atomic_inc(fails);
			continue;
		}
		if (nmr_deregister_client_sync(c))
			atomic_inc(fails);
	}
	return 0;
}

/*
 * REG-1: a register call fails only when memory runs out, whatever the
 * pattern of its ids. Clients of an NPI with 63 providers take 64 ids each,
 * so their registration ids share their low six bits. While the id tables
 * hashed an id to itself those ids piled up in a few buckets that no rehash
 * could spread, and register calls failed with -ENOMEM (the table's -EBUSY)
 * with memory to spare: some of the kept clients, and about one call in four
 * of two threads registering and deregistering at once (found by review).
 */
static void reg1_no_enomem_from_an_id_pattern(struct kunit *test)
{
	atomic_t churn_fails = ATOMIC_INIT(0);
	struct nmr_provider **prov;
	struct nmr_client **kept;
	struct tasync *churn[2];
	int i, kept_fails = 0;

	prov = kunit_kcalloc(test, IDP_PROVIDERS, sizeof(*prov), GFP_KERNEL);
	kept = kunit_kcalloc(test, IDP_KEPT, sizeof(*kept), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, prov && kept);
	for (i = 0; i < IDP_PROVIDERS; i++)
		KUNIT_ASSERT_EQ(test, nmr_register_provider(&idp_pc, NULL, &prov[i]), 0);
	for (i = 0; i < IDP_KEPT; i++)
		kept_fails += nmr_register_client(&idp_cc, NULL, &kept[i]) != 0;
	churn[0] = tasync_start(test, idp_churn, &churn_fails);
	churn[1] = tasync_start(test, idp_churn, &churn_fails);
	KUNIT_EXPECT_TRUE(test, tasync_wait(churn[0], 20 * T_TIMEOUT_MS));
	KUNIT_EXPECT_TRUE(test, tasync_wait(churn[1], 20 * T_TIMEOUT_MS));
	for (i = 0; i < IDP_KEPT; i++)
		if (kept[i])
			KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(kept[i]), 0);
	for (i = 0; i < IDP_PROVIDERS; i++)
		KUNIT_EXPECT_EQ(test, nmr_deregister_provider_sync(prov[i]), 0);
	KUNIT_EXPECT_EQ_MSG(test, kept_fails, 0, "kept clients not registered");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&churn_fails), 0, "churn: register calls failed");
}

static struct kunit_case nmr_nomem_cases[] = {
	KUNIT_CASE(reg1_enomem_at_every_allocation_site),
	KUNIT_CASE(reg1_no_enomem_from_an_id_pattern),
	{}
};

static struct kunit_suite nmr_nomem_suite = {
	.name = "nmr_nomem",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_nomem_cases,
};

kunit_test_suite(nmr_nomem_suite);
