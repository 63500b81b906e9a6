// SPDX-License-Identifier: GPL-2.0
/* Module information of nmr_kunit.ko, the NMR's KUnit suites. */
#include <linux/module.h>
#include <nmr/nmr.h>

#include "nmr_compat.h"

NMR_IMPORT_NS();
NMR_IMPORT_KUNIT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for the NMR contract");
