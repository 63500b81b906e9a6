/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nmr_lab.h - what the lab modules share, so that each lab's own file holds only its lesson.
 *
 * Each lab of make lab (labs/nmr_lab_*.c) is a module that makes one mistake
 * of docs/five-bugs.md with bug=1 and does it right with bug=0; both, and the
 * comment that says why, stay in the lab's file. What is here is the same in
 * every lab and teaches none of the mistakes: the NPI each lab registers on,
 * the module id every lab registers with, and the two callbacks of a client
 * that keeps no binding context and never calls its provider, which the labs
 * whose mistake is elsewhere bind with.
 */
#ifndef _NMR_LAB_H
#define _NMR_LAB_H

#include <linux/uuid.h>
#include <nmr/nmr.h>

/*
 * {5eedc0de-1ab0-4e4d-9200-0000000000NN}: the NPI of lab NN (make lab N=NN).
 * No other module registers on it, so a lab's registrations bind only with
 * each other: within one module, or for lab 5, nmr_lab_unload.ko's client
 * with nmr_lab_unload_peer.ko's provider.
 */
#define NMR_LAB_NPI(n) GUID_INIT(0x5eedc0de, 0x1ab0, 0x4e4d, 0x92, 0x00, 0, 0, 0, 0, 0, (n))

/* The module id of every lab registration: nothing tells the labs apart by it (REG-4). */
static const struct nmr_module_id nmr_lab_module_id = {
	.length = sizeof(nmr_lab_module_id), .type = NMR_MIT_GUID,
};

/*
 * The client side of a lab whose mistake is not the client's callbacks: it
 * binds with no binding context and no dispatch table of its own (it ignores
 * the provider's), and since it never calls the provider, no call of its own
 * is in flight when it detaches, so its detach is done at once (DET-4).
 */
static inline int nmr_lab_attach_provider(struct nmr_binding *binding, void *client_ctx,
					  const struct nmr_registration_instance *provider)
{
	const void *dispatch;
	void *provider_ctx;

	return nmr_client_attach_provider(binding, NULL, NULL, &provider_ctx, &dispatch);
}

static inline int nmr_lab_detach_provider(void *client_binding_ctx)
{
	return 0;		/* the client makes no call into the provider */
}

#endif
