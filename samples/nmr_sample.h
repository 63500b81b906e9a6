/* SPDX-License-Identifier: GPL-2.0 */
/* nmr_sample.h - the two NPIs of the samples ("hook" and "route") and their dispatch tables. */
#ifndef _NMR_SAMPLE_H
#define _NMR_SAMPLE_H

#include <linux/types.h>
#include <nmr/nmr.h>

/**
 * DOC: The sample NPIs
 *
 * An NPI is a GUID plus a contract between its clients and providers: which
 * dispatch table each side hands the other, and what the npi_specific data
 * of a registration means. The samples define two.
 *
 * "hook" (nmr_sample_hook.ko and nmr_sample_early.ko provide it,
 * nmr_sample_client.ko uses it): a client attaches a *program*; the provider
 * runs every attached program when its hook fires. The client's dispatch
 * table is struct nmr_sample_hook_program, the provider's is
 * struct nmr_sample_hook_dispatch.
 *
 * "route" (nmr_sample_routes.ko provides it, nmr_sample_route_user.ko uses
 * it): a route table; clients add routes through struct
 * nmr_sample_route_dispatch and the provider removes a client's routes when
 * its binding detaches. Route clients have no dispatch table.
 *
 * In both NPIs the npi_specific data of every registration is a
 * struct nmr_sample_info naming the registering sample, so that each side can
 * say in its messages whom it binds to.
 */

/* {5eedc0de-0001-4e4d-9200-686f6f6b0000}: "hook" */
#define NMR_SAMPLE_HOOK_NPI GUID_INIT(0x5eedc0de, 0x0001, 0x4e4d, 0x92, 0x00, \
				      0x68, 0x6f, 0x6f, 0x6b, 0x00, 0x00)

/* {5eedc0de-0002-4e4d-9200-726f75746500}: "route" */
#define NMR_SAMPLE_ROUTE_NPI GUID_INIT(0x5eedc0de, 0x0002, 0x4e4d, 0x92, 0x00, \
				       0x72, 0x6f, 0x75, 0x74, 0x65, 0x00)

/* Module ids of the samples: {5eedc0de-00ff-4e4d-9200-0000000000NN}. */
#define NMR_SAMPLE_MODULE_ID(n) {					\
	.length = sizeof(struct nmr_module_id),				\
	.type = NMR_MIT_GUID,						\
	.guid = GUID_INIT(0x5eedc0de, 0x00ff, 0x4e4d, 0x92, 0x00,	\
			  0, 0, 0, 0, 0, (n)),				\
}

/**
 * struct nmr_sample_info - npi_specific data of every sample registration
 * @name: the registering module's name; a peer copies it, never keeps the pointer
 */
struct nmr_sample_info {
	const char *name;
};

/* How long a copied peer name may be. */
#define NMR_SAMPLE_NAME_LEN 32

/* The name in a peer's registration instance, or "?" if it carries none. */
static inline const char *nmr_sample_name(const struct nmr_registration_instance *ri)
{
	const struct nmr_sample_info *info = ri->npi_specific;

	return info && info->name ? info->name : "?";
}

/**
 * struct nmr_sample_hook_program - what a hook client gives its provider
 * @run: run the program once; @arg is the provider's tick count. Called from
 *	the provider's work item: process context, may sleep. The provider may
 *	call it as soon as its attach_client accepted the client, so possibly
 *	before the client's nmr_client_attach_provider() has returned.
 */
struct nmr_sample_hook_program {
	int (*run)(void *client_binding_ctx, u64 arg);
};

/**
 * struct nmr_sample_hook_dispatch - what a hook provider gives its clients
 * @invocations: how many runs of this binding's program the provider started.
 *	Context: any.
 */
struct nmr_sample_hook_dispatch {
	u64 (*invocations)(void *provider_binding_ctx);
};

/**
 * struct nmr_sample_route_dispatch - what the route provider gives its clients
 * @add_route: add the route @dest/@prefix_len via @gateway (network byte
 *	order), owned by this binding. Returns 0, -EINVAL (bad prefix, or host
 *	bits set in @dest), -EEXIST (that prefix is in the table), -ENOSPC
 *	(table full), -ENOMEM or -ESHUTDOWN (the binding is detaching).
 *	Context: process context, may sleep.
 */
struct nmr_sample_route_dispatch {
	int (*add_route)(void *provider_binding_ctx, __be32 dest, u8 prefix_len,
			 __be32 gateway);
};

#endif /* _NMR_SAMPLE_H */
