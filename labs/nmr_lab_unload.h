/* SPDX-License-Identifier: GPL-2.0 */
/* What lab 5's client and its provider (nmr_lab_unload_peer.ko) agree on: the NPI. */
#ifndef _NMR_LAB_UNLOAD_H
#define _NMR_LAB_UNLOAD_H

#include <linux/uuid.h>

/* {5eedc0de-1ab0-4e4d-9200-000000000005}: lab 5's NPI, shared with no other module */
#define NMR_LAB_UNLOAD_NPI GUID_INIT(0x5eedc0de, 0x1ab0, 0x4e4d, 0x92, 0x00, \
				     0, 0, 0, 0, 0, 5)

#endif
