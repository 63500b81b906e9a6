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
 * untouched. The first registration of an NPI has four sites (the
 * registration, its handle slot, the NPI node, the NPI table's insertion);
 * with two peers registered there are six (the registration and its slot, a
 * binding and its slot per peer). Attaching allocates nothing: everything
 * was allocated here.
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
	KUNIT_EXPECT_EQ(test, failed, 4);
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

static struct kunit_case nmr_nomem_cases[] = {
	KUNIT_CASE(reg1_enomem_at_every_allocation_site),
	{}
};

static struct kunit_suite nmr_nomem_suite = {
	.name = "nmr_nomem",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_nomem_cases,
};

kunit_test_suite(nmr_nomem_suite);
