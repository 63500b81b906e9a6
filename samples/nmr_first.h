/* SPDX-License-Identifier: GPL-2.0 */
/* What nmr_first_provider and nmr_first_client agree on: the NPI and its dispatch table. */
#ifndef _NMR_FIRST_H
#define _NMR_FIRST_H
#include <nmr/nmr.h>

#define NMR_FIRST_NPI GUID_INIT(0x5eedc0de, 0x00f1, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 1)

struct nmr_first_dispatch {
	int (*answer)(void *provider_binding_ctx);
};

#endif
