/* SPDX-License-Identifier: GPL-2.0 */
/* The NMR's trampoline registrations: the internal hook under <nmr/nmr_ntcompat.h>. */
#ifndef _NMR_NMR_TRAMP_H
#define _NMR_NMR_TRAMP_H

#include <nmr/nmr.h>

/**
 * DOC: Trampoline registrations
 *
 * Not part of the API: the hook that lets <nmr/nmr_ntcompat.h> register
 * characteristics written the Windows way without copying them and without
 * casting a function pointer. A trampoline registration gives the NMR, in
 * place of Linux characteristics, a table of trampolines and a @data pointer
 * (the Windows characteristics), plus the registration instance to show the
 * peers (the Windows one, which has the layout of struct
 * nmr_registration_instance). The NMR passes @data first to every trampoline,
 * which calls the Windows callback that @data names; everything else (the
 * context, the binding contexts and dispatch tables, the rules) is that of an
 * ordinary registration, so a peer of either kind sees exactly what the other
 * registered. @data, the table and the instance are kept, not copied (REG-3).
 */

/**
 * struct nmr_client_tramp - the trampolines of a client registration
 * @attach_provider: as &nmr_client_characteristics.attach_provider, @data first
 * @detach_provider: as &nmr_client_characteristics.detach_provider, @data first
 * @cleanup_binding_context: as &nmr_client_characteristics.cleanup_binding_context,
 *	@data first; required (the trampoline checks for a Windows one)
 */
struct nmr_client_tramp {
	int (*attach_provider)(const void *data, struct nmr_binding *binding, void *client_ctx,
			       const struct nmr_registration_instance *provider);
	int (*detach_provider)(const void *data, void *client_binding_ctx);
	void (*cleanup_binding_context)(const void *data, void *client_binding_ctx);
};

/**
 * struct nmr_provider_tramp - the trampolines of a provider registration
 * @attach_client: as &nmr_provider_characteristics.attach_client, @data first
 * @detach_client: as &nmr_provider_characteristics.detach_client, @data first
 * @cleanup_binding_context: as &nmr_provider_characteristics.cleanup_binding_context,
 *	@data first; required
 */
struct nmr_provider_tramp {
	int (*attach_client)(const void *data, struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch);
	int (*detach_client)(const void *data, void *provider_binding_ctx);
	void (*cleanup_binding_context)(const void *data, void *provider_binding_ctx);
};

int __nmr_register_client_tramp(const struct nmr_client_tramp *tramp, const void *data,
				const struct nmr_registration_instance *ri, void *client_ctx,
				struct nmr_client **client, struct module *owner);
int __nmr_register_provider_tramp(const struct nmr_provider_tramp *tramp, const void *data,
				  const struct nmr_registration_instance *ri,
				  void *provider_ctx, struct nmr_provider **provider,
				  struct module *owner);

#endif /* _NMR_NMR_TRAMP_H */
