/* SPDX-License-Identifier: GPL-2.0 */
/* nmr_sample.h - the "sample math" NPI shared by the sample provider and client. */
#ifndef _NMR_SAMPLE_H
#define _NMR_SAMPLE_H

#include <nmr/nmr.h>

/* The NPI both samples register for: {5eedc0de-0000-4e4d-9200-000000000001}. */
#define NMR_SAMPLE_NPI GUID_INIT(0x5eedc0de, 0x0000, 0x4e4d, 0x92, 0x00, \
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x01)

/**
 * struct nmr_sample_provider_dispatch - what the provider offers its clients
 * @add: returns @a + @b, and counts the call
 */
struct nmr_sample_provider_dispatch {
	int (*add)(void *provider_binding_ctx, int a, int b);
};

#endif /* _NMR_SAMPLE_H */
