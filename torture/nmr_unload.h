/* SPDX-License-Identifier: GPL-2.0 */
/* What nmr_unload_victim and nmr_unload_peer share: the NPIs and the victim's dispatch table. */
#ifndef _NMR_UNLOAD_H
#define _NMR_UNLOAD_H

#include <linux/uuid.h>

/* The NPI the two bind over, and nmr_torture's first NPI (tt_npi[0]). */
#define NMR_UNLOAD_NPI	 GUID_INIT(0x5eedc0de, 0x0000, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0xab)
#define NMR_TORTURE_NPI0 GUID_INIT(0x70270000, 0, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0x70)

/* The registration number of the victim's registrations, and its dispatch table's tag. */
#define NMR_UNLOAD_VICTIM_MAGIC	0x7a11c0de
#define NMR_UNLOAD_VICTIM_NAME	"nmr_unload_victim"

struct nmr_unload_dispatch {
	u32 magic;
	int (*call)(void *binding_ctx, unsigned int n);
};

#endif /* _NMR_UNLOAD_H */
