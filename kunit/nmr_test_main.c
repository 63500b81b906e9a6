// SPDX-License-Identifier: GPL-2.0
/* Module information of nmr_kunit.ko, the NMR's KUnit suites. */
#include <linux/module.h>
#include <nmr/nmr.h>

NMR_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for the NMR contract");
