/* SPDX-License-Identifier: GPL-2.0 */
/* The Network Module Registrar API: clients and providers bind through an NPI. */
#ifndef _NMR_NMR_H
#define _NMR_NMR_H

#include <linux/export.h>
#include <linux/module.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/version.h>

/**
 * DOC: The NMR model
 *
 * A module registers with the NMR as a *client* or a *provider* of a Network
 * Programming Interface (NPI), named by a GUID. The NMR offers every client to
 * every provider of the same NPI, and only to those.
 *
 * An offer starts on the client side: the NMR calls the client's
 * ``attach_provider``. A willing client calls nmr_client_attach_provider(),
 * which calls the provider's ``attach_client``. When both return 0 a *binding*
 * exists: the two sides have swapped binding contexts and dispatch tables and
 * call each other directly from then on, without the NMR in between.
 *
 * A binding ends only when one of its two registrations deregisters. The NMR
 * calls both detach callbacks, the deregistering side's first. A side with no
 * call in flight returns 0; a side with calls in flight returns -EINPROGRESS
 * and later, from any context, calls nmr_client_detach_provider_complete() or
 * nmr_provider_detach_client_complete(). When both sides are done, the NMR calls
 * both cleanup callbacks, in which the binding contexts are freed.
 *
 * nmr_deregister_client() and nmr_deregister_provider() return -EINPROGRESS:
 * deregistration is always asynchronous. nmr_wait_for_client_deregister_complete()
 * and nmr_wait_for_provider_deregister_complete() block until every binding of
 * the registration is gone; after they return no callback of that registration
 * runs again, so its module may unload. The _sync() variants do both steps.
 *
 * Handles are opaque cookies, never addresses: the NMR validates each one
 * against its live objects before use, so a stale or garbage handle gets
 * -EBADF instead of a crash. Every function returns 0 or a negative errno;
 * -EINPROGRESS means "pending" and is never a failure. The numbered rules
 * (REG-1, DET-5, ...) cited below are explained one by one in docs/rules.md.
 */

/* Symbol namespace: a bare word up to 6.12, a string literal from 6.13. */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define __NMR_NS "NMR"
#else
#define __NMR_NS NMR
#endif

/**
 * EXPORT_SYMBOL_NMR() - export an NMR symbol, GPL only, in the NMR namespace
 * @sym: the symbol
 */
#define EXPORT_SYMBOL_NMR(sym) EXPORT_SYMBOL_NS_GPL(sym, __NMR_NS)

/**
 * NMR_IMPORT_NS() - let the including module use the NMR symbols
 *
 * Write it once at file scope in a module that calls the NMR.
 */
#define NMR_IMPORT_NS() MODULE_IMPORT_NS(__NMR_NS)

#define NMR_MIT_GUID	1	/* module id is a GUID */
#define NMR_MIT_IF_LUID	2	/* module id is an interface LUID */

/**
 * struct nmr_module_id - identity of a module (NPI_MODULEID)
 * @length: sizeof(struct nmr_module_id); not compared
 * @type: %NMR_MIT_GUID or %NMR_MIT_IF_LUID
 * @guid: the id when @type is %NMR_MIT_GUID
 * @if_luid: the id when @type is %NMR_MIT_IF_LUID
 */
struct nmr_module_id {
	u16 length;
	u16 type;
	union {
		guid_t guid;
		u64 if_luid;
	};
};

/**
 * struct nmr_registration_instance - what a registration is (NPI_REGISTRATION_INSTANCE)
 * @version: passed through, never checked
 * @size: passed through, never checked
 * @npi_id: the NPI; required; clients and providers match when the GUIDs are equal
 * @module_id: the registering module's identity; may be NULL (warned once)
 * @number: implementation number, opaque to the NMR
 * @npi_specific: NPI-defined data, opaque to the NMR
 *
 * The NMR keeps a pointer to this structure and to everything it points to
 * (REG-3): they must stay valid until the deregistration wait returned.
 */
struct nmr_registration_instance {
	u16 version;
	u16 size;
	const guid_t *npi_id;
	const struct nmr_module_id *module_id;
	u32 number;
	const void *npi_specific;
};

struct nmr_client;	/* a client registration (NmrClientHandle); opaque */
struct nmr_provider;	/* a provider registration (NmrProviderHandle); opaque */
struct nmr_binding;	/* one side of one binding (NmrBindingHandle); opaque */

/**
 * struct nmr_client_characteristics - a client's callbacks (NPI_CLIENT_CHARACTERISTICS)
 * @version: 0
 * @length: sizeof(struct nmr_client_characteristics) or more
 * @attach_provider: offer of a provider. Return 0 after a successful
 *	nmr_client_attach_provider() to accept; -ENODEV to decline.
 *	Context: process context, may sleep; runs inside the nmr_register_*() of
 *	whichever of the two registered later.
 * @detach_provider: the binding is ending. Stop starting calls into the
 *	provider's dispatch table; return 0 when none is in flight, otherwise
 *	-EINPROGRESS and call nmr_client_detach_provider_complete() when the last
 *	one has returned. Context: process context (see DET-7).
 * @cleanup_binding_context: optional; both sides are done: free the client's
 *	binding context here (never in detach, CLN-3). Context: process context.
 * @registration: what the client is; the NMR keeps a pointer to it (REG-3)
 */
struct nmr_client_characteristics {
	u16 version;
	u16 length;
	int (*attach_provider)(struct nmr_binding *binding, void *client_ctx,
			       const struct nmr_registration_instance *provider);
	int (*detach_provider)(void *client_binding_ctx);
	void (*cleanup_binding_context)(void *client_binding_ctx);
	struct nmr_registration_instance registration;
};

/**
 * struct nmr_provider_characteristics - a provider's callbacks (NPI_PROVIDER_CHARACTERISTICS)
 * @version: 0
 * @length: sizeof(struct nmr_provider_characteristics) or more
 * @attach_client: a client asks to bind. Return 0 and set
 *	*@provider_binding_ctx and *@provider_dispatch to accept; -ENODEV to
 *	decline. Context: process context, may sleep; runs inside the client's
 *	nmr_client_attach_provider().
 * @detach_client: the binding is ending; as @detach_provider of the client,
 *	completed with nmr_provider_detach_client_complete().
 * @cleanup_binding_context: optional; both sides are done: free the provider's
 *	binding context here. Context: process context.
 * @registration: what the provider is; the NMR keeps a pointer to it (REG-3)
 */
struct nmr_provider_characteristics {
	u16 version;
	u16 length;
	int (*attach_client)(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch);
	int (*detach_client)(void *provider_binding_ctx);
	void (*cleanup_binding_context)(void *provider_binding_ctx);
	struct nmr_registration_instance registration;
};

bool nmr_module_id_equal(const struct nmr_module_id *a, const struct nmr_module_id *b);

int __nmr_register_provider(const struct nmr_provider_characteristics *chars,
			    void *provider_ctx, struct nmr_provider **provider,
			    struct module *owner);
int __nmr_register_client(const struct nmr_client_characteristics *chars,
			  void *client_ctx, struct nmr_client **client,
			  struct module *owner);

/**
 * nmr_register_provider() - register a provider of an NPI
 * @chars: the provider's callbacks and registration instance; kept, not copied
 * @provider_ctx: passed to @chars->attach_client
 * @provider: where the handle is written, before any callback runs (REG-2)
 *
 * Offers the provider to every client of the same NPI already registered; the
 * clients' attach callbacks run on this thread and have returned before this
 * returns (ATT-2). The calling module is recorded as the owner.
 *
 * Context: process context; sleeps.
 * Return: 0 and a handle; or -EINVAL (bad arguments) or -ENOMEM, with nothing
 * registered, no callback called and *@provider set to NULL (REG-1).
 */
#define nmr_register_provider(chars, provider_ctx, provider) \
	__nmr_register_provider(chars, provider_ctx, provider, THIS_MODULE)

/**
 * nmr_register_client() - register a client of an NPI
 * @chars: the client's callbacks and registration instance; kept, not copied
 * @client_ctx: passed to @chars->attach_provider
 * @client: where the handle is written, before any callback runs (REG-2)
 *
 * As nmr_register_provider(), from the client side: the client's
 * attach_provider runs on this thread for each provider already registered.
 *
 * Context: process context; sleeps.
 * Return: 0 and a handle; or -EINVAL or -ENOMEM with *@client set to NULL.
 */
#define nmr_register_client(chars, client_ctx, client) \
	__nmr_register_client(chars, client_ctx, client, THIS_MODULE)

int nmr_deregister_provider(struct nmr_provider *provider);
int nmr_deregister_client(struct nmr_client *client);
int nmr_wait_for_provider_deregister_complete(struct nmr_provider *provider);
int nmr_wait_for_client_deregister_complete(struct nmr_client *client);
int nmr_deregister_provider_sync(struct nmr_provider *provider);
int nmr_deregister_client_sync(struct nmr_client *client);

int nmr_client_attach_provider(struct nmr_binding *binding, void *client_binding_ctx,
			       const void *client_dispatch, void **provider_binding_ctx,
			       const void **provider_dispatch);
int nmr_client_detach_provider_complete(struct nmr_binding *binding);
int nmr_provider_detach_client_complete(struct nmr_binding *binding);

#endif /* _NMR_NMR_H */
