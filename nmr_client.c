// SPDX-License-Identifier: GPL-2.0
/* The client half of the NMR API: register, attach, complete, deregister, wait. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "nmr_internal.h"

/**
 * __nmr_register_client() - register a client; use nmr_register_client()
 * @chars: the client's callbacks and registration instance; kept, not copied (REG-3)
 * @client_ctx: passed to @chars->attach_provider
 * @client: where the handle is written before any callback runs (REG-2)
 * @owner: the registering module (THIS_MODULE of the caller)
 *
 * Every provider of the same NPI already registered is offered to the client
 * on this thread before this returns (ATT-2): the client's attach_provider
 * may run before the handle is returned, and sees it already written.
 *
 * Context: process context; sleeps (REG-5).
 * Return: 0 and a handle in *@client. -EINVAL for a NULL @chars or @client, a
 * @chars->length smaller than the structure, a NULL attach or detach callback
 * or a NULL npi_id; -ENOMEM; -ENODEV from a callback of @owner still running
 * while @owner unloads (HDL-6). On error nothing is registered, no callback
 * ran and *@client is NULL (REG-1).
 */
int __nmr_register_client(const struct nmr_client_characteristics *chars,
			  void *client_ctx, struct nmr_client **client,
			  struct module *owner)
{
	if (!client) {
		nmr_misuse("%s() without a handle pointer (REG-1)", __func__);
		return -EINVAL;
	}
	*client = NULL;
	if (!chars || chars->length < sizeof(*chars) ||
	    !chars->attach_provider || !chars->detach_provider) {
		nmr_misuse("%s() with invalid characteristics (REG-1)", __func__);
		return -EINVAL;
	}
	if (!nmr_check_registration(&chars->registration, "client"))
		return -EINVAL;
	return nmr_register(NMR_CLIENT, chars, NULL, &chars->registration, client_ctx,
			    (void **)client, owner);
}
EXPORT_SYMBOL_NMR(__nmr_register_client);

/**
 * __nmr_register_client_tramp() - register a client through trampolines (nmr_tramp.h)
 * @tramp: the trampolines, each called with @data first; kept, not copied
 * @data: passed first to every trampoline (the Windows characteristics); kept.
 *	NULL stands for characteristics the caller found invalid.
 * @ri: the registration instance shown to the peers; kept, not copied (REG-3)
 * @client_ctx: passed to @tramp->attach_provider
 * @client: where the handle is written before any callback runs (REG-2)
 * @owner: the registering module (THIS_MODULE of the caller)
 *
 * As __nmr_register_client(), for <nmr/nmr_ntcompat.h>; not part of the API.
 *
 * Context: process context; sleeps (REG-5).
 * Return: as __nmr_register_client(); -EINVAL also for a NULL @tramp, @data
 * or @ri, or a trampoline missing.
 */
int __nmr_register_client_tramp(const struct nmr_client_tramp *tramp, const void *data,
				const struct nmr_registration_instance *ri, void *client_ctx,
				struct nmr_client **client, struct module *owner)
{
	if (!client) {
		nmr_misuse("%s() without a handle pointer (REG-1)", __func__);
		return -EINVAL;
	}
	*client = NULL;
	if (!tramp || !data || !ri || !tramp->attach_provider || !tramp->detach_provider ||
	    !tramp->cleanup_binding_context) {
		nmr_misuse("%s() with invalid characteristics (REG-1)", __func__);
		return -EINVAL;
	}
	if (!nmr_check_registration(ri, "client"))
		return -EINVAL;
	return nmr_register(NMR_CLIENT, tramp, data, ri, client_ctx, (void **)client, owner);
}
EXPORT_SYMBOL_NMR(__nmr_register_client_tramp);

/**
 * nmr_deregister_client() - start removing a client registration
 * @client: the handle from nmr_register_client()
 *
 * The client gets no new offer from now on (DRG-2). The detach callbacks of
 * its attached bindings run on this thread, the client's first, before this
 * returns (DET-2, DET-3). Bindings whose sides finished at once are cleaned up
 * here too; the others when the last *_detach_complete() arrives. Call
 * nmr_wait_for_client_deregister_complete() next; then the module may unload.
 *
 * Context: process context; sleeps. Allocates nothing and cannot fail for a
 * valid, active handle (HDL-7).
 * Return: -EINPROGRESS, which means success (DRG-1). -EINVAL for NULL, -EBADF
 * for a handle that is not a live client (HDL-2), -EALREADY if it is already
 * deregistering (HDL-3).
 */
int nmr_deregister_client(struct nmr_client *client)
{
	if (!client) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_deregister(NMR_CLIENT, (unsigned long)client, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_deregister_client);

/**
 * nmr_wait_for_client_deregister_complete() - wait until a client is gone
 * @client: a handle passed to nmr_deregister_client()
 *
 * Blocks until every binding of the client is gone (both cleanup callbacks
 * returned) and no offer involving it is running. After it returns no
 * callback of this registration runs or will run again, and @client is dead
 * (DRG-3). Several threads may wait at once (DRG-5). While blocked, it logs
 * what holds it up every stall_warn_secs seconds (DRG-4).
 *
 * Context: process context; sleeps. Not from a callback that the wait depends
 * on (HDL-4).
 * Return: 0. -EINVAL for NULL or before nmr_deregister_client() (HDL-3);
 * -EBADF for a handle that is not a live client, or one whose wait already
 * returned; -EDEADLK, with a warning, when called from a callback that this
 * deregistration waits for (HDL-4).
 */
int nmr_wait_for_client_deregister_complete(struct nmr_client *client)
{
	if (!client) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_wait_deregister(NMR_CLIENT, (unsigned long)client, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_wait_for_client_deregister_complete);

/**
 * nmr_deregister_client_sync() - deregister a client and wait for it (DRG-6)
 * @client: the handle from nmr_register_client()
 *
 * nmr_deregister_client() then nmr_wait_for_client_deregister_complete():
 * when it returns 0 no callback of the client is running or will run.
 *
 * Context: process context; sleeps.
 * Return: 0, or the first error of the two calls.
 */
int nmr_deregister_client_sync(struct nmr_client *client)
{
	if (!client) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_deregister_sync(NMR_CLIENT, (unsigned long)client, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_deregister_client_sync);

/**
 * nmr_client_attach_provider() - accept an offer: bind to the offered provider
 * @binding: the handle the client's attach_provider was given
 * @client_binding_ctx: the client's context for this binding, passed to its
 *	detach and cleanup callbacks and to the provider's attach_client
 * @client_dispatch: the client's dispatch table, given to the provider
 * @provider_binding_ctx: out: the provider's context for this binding
 * @provider_dispatch: out: the provider's dispatch table
 *
 * Calls the provider's attach_client on this thread (ATT-4). Call it only from
 * the client's attach_provider for this @binding; after a failure it may be
 * called again, for example with an older dispatch table (ATT-6).
 *
 * Context: process context, inside attach_provider; sleeps if the provider does.
 * Return: the provider's attach_client result, unchanged: 0 (the out-parameters
 * are written) or its error, -ENODEV for a decline (out-parameters untouched).
 * -EALREADY once attached; -EBADF for a handle that is not a client-side
 * binding handle of a running offer; -EINVAL for NULL.
 */
int nmr_client_attach_provider(struct nmr_binding *binding, void *client_binding_ctx,
			       const void *client_dispatch, void **provider_binding_ctx,
			       const void **provider_dispatch)
{
	might_sleep();		/* ATT-11 */
	if (!binding) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_attach_provider((unsigned long)binding, client_binding_ctx,
				   client_dispatch, provider_binding_ctx, provider_dispatch);
}
EXPORT_SYMBOL_NMR(nmr_client_attach_provider);

/**
 * nmr_client_detach_provider_complete() - the client's pending detach is done
 * @binding: the client-side binding handle
 *
 * Tells the NMR that the client's last call into the provider has returned,
 * after its detach_provider returned -EINPROGRESS, or while it is still
 * running, or even before it was called (DET-6). When the provider side is
 * done too, both cleanup callbacks run on the NMR's workqueue (CLN-2).
 *
 * Context: any context, hard interrupt included; never sleeps and never calls
 * a callback inline (DET-5).
 * Return: 0. -EINVAL for NULL, a second completion, or a completion after
 * detach_provider returned 0; -EBADF for a handle that is unknown, dead or
 * the provider's side (HDL-5). Errors change nothing.
 */
int nmr_client_detach_provider_complete(struct nmr_binding *binding)
{
	if (!binding) {
		nmr_misuse_quiet("%s(NULL) from %pS (HDL-5)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_detach_complete(NMR_CLIENT, (unsigned long)binding, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_client_detach_provider_complete);
