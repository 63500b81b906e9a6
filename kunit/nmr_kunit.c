// SPDX-License-Identifier: GPL-2.0
/* placeholder */
#include <kunit/test.h>
static void nmr_smoke(struct kunit *test) { KUNIT_EXPECT_EQ(test, 1, 1); }
static struct kunit_case cases[] = { KUNIT_CASE(nmr_smoke), {} };
static struct kunit_suite suite = { .name = "nmr_smoke", .test_cases = cases };
kunit_test_suite(suite);
MODULE_LICENSE("GPL");
