// SPDX-License-Identifier: GPL-2.0
/* The provider half of the NMR API: register, complete, deregister, wait. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "nmr_internal.h"

/**
 * __nmr_register_provider() - register a provider; use nmr_register_provider()
 * @chars: the provider's callbacks and registration instance; kept, not copied (REG-3)
 * @provider_ctx: passed to @chars->attach_client
 * @provider: where the handle is written before any callback runs (REG-2)
 * @owner: the registering module (THIS_MODULE of the caller)
 *
 * Every client of the same NPI already registered is offered the provider on
 * this thread before this returns (ATT-2): the clients' attach_provider, and
 * from there this provider's attach_client, may run before the handle is
 * returned, and see it already written.
 *
 * Context: process context; sleeps (REG-5).
 * Return: 0 and a handle in *@provider. -EINVAL for a NULL @chars or
 * @provider, a @chars->length smaller than the structure, a NULL attach or
 * detach callback or a NULL npi_id; -ENOMEM; -ENODEV from a callback of
 * @owner still running while @owner unloads (HDL-6). On error nothing is
 * registered, no callback ran and *@provider is NULL (REG-1).
 */
int __nmr_register_provider(const struct nmr_provider_characteristics *chars,
			    void *provider_ctx, struct nmr_provider **provider,
			    struct module *owner)
{
	if (!provider) {
		nmr_misuse("%s() without a handle pointer (REG-1)", __func__);
		return -EINVAL;
	}
	*provider = NULL;
	if (!chars || chars->length < sizeof(*chars) ||
	    !chars->attach_client || !chars->detach_client) {
		nmr_misuse("%s() with invalid characteristics (REG-1)", __func__);
		return -EINVAL;
	}
	if (!nmr_check_registration(&chars->registration, "provider"))
		return -EINVAL;
	return nmr_register(NMR_PROVIDER, chars, NULL, &chars->registration, provider_ctx,
			    (void **)provider, owner);
}
EXPORT_SYMBOL_NMR(__nmr_register_provider);

/**
 * __nmr_register_provider_tramp() - register a provider through trampolines (nmr_tramp.h)
 * @tramp: the trampolines, each called with @data first; kept, not copied
 * @data: passed first to every trampoline (the Windows characteristics); kept.
 *	NULL stands for characteristics the caller found invalid.
 * @ri: the registration instance shown to the peers; kept, not copied (REG-3)
 * @provider_ctx: passed to @tramp->attach_client
 * @provider: where the handle is written before any callback runs (REG-2)
 * @owner: the registering module (THIS_MODULE of the caller)
 *
 * As __nmr_register_provider(), for <nmr/nmr_ntcompat.h>; not part of the API.
 *
 * Context: process context; sleeps (REG-5).
 * Return: as __nmr_register_provider(); -EINVAL also for a NULL @tramp, @data
 * or @ri, or a trampoline missing.
 */
int __nmr_register_provider_tramp(const struct nmr_provider_tramp *tramp, const void *data,
				  const struct nmr_registration_instance *ri, void *provider_ctx,
				  struct nmr_provider **provider, struct module *owner)
{
	if (!provider) {
		nmr_misuse("%s() without a handle pointer (REG-1)", __func__);
		return -EINVAL;
	}
	*provider = NULL;
	if (!tramp || !data || !ri || !tramp->attach_client || !tramp->detach_client ||
	    !tramp->cleanup_binding_context) {
		nmr_misuse("%s() with invalid characteristics (REG-1)", __func__);
		return -EINVAL;
	}
	if (!nmr_check_registration(ri, "provider"))
		return -EINVAL;
	return nmr_register(NMR_PROVIDER, tramp, data, ri, provider_ctx, (void **)provider, owner);
}
EXPORT_SYMBOL_NMR(__nmr_register_provider_tramp);

/**
 * nmr_deregister_provider() - start removing a provider registration
 * @provider: the handle from nmr_register_provider()
 *
 * The provider gets no new offer from now on (DRG-2). The detach callbacks of
 * its attached bindings run on this thread, the provider's first, before this
 * returns (DET-2, DET-3). Call nmr_wait_for_provider_deregister_complete()
 * next; then the module may unload.
 *
 * Context: process context; sleeps. Allocates nothing and cannot fail for a
 * valid, active handle (HDL-7).
 * Return: -EINPROGRESS, which means success (DRG-1). -EINVAL for NULL, -EBADF
 * for a handle that is not a live provider (HDL-2), -EALREADY if it is
 * already deregistering (HDL-3).
 */
int nmr_deregister_provider(struct nmr_provider *provider)
{
	if (!provider) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_deregister(NMR_PROVIDER, (unsigned long)provider, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_deregister_provider);

/**
 * nmr_wait_for_provider_deregister_complete() - wait until a provider is gone
 * @provider: a handle passed to nmr_deregister_provider()
 *
 * Blocks until every binding of the provider is gone (both cleanup callbacks
 * returned) and no offer involving it is running. After it returns no
 * callback of this registration runs or will run again, and @provider is dead
 * (DRG-3). Several threads may wait at once (DRG-5). While blocked, it logs
 * what holds it up every stall_warn_secs seconds (DRG-4).
 *
 * Context: process context; sleeps. Not from a callback that the wait depends
 * on (HDL-4).
 * Return: 0. -EINVAL for NULL or before nmr_deregister_provider() (HDL-3);
 * -EBADF for a handle that is not a live provider, or one whose wait already
 * returned; -EDEADLK, with a warning, when called from a callback that this
 * deregistration waits for (HDL-4).
 */
int nmr_wait_for_provider_deregister_complete(struct nmr_provider *provider)
{
	if (!provider) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_wait_deregister(NMR_PROVIDER, (unsigned long)provider, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_wait_for_provider_deregister_complete);

/**
 * nmr_deregister_provider_sync() - deregister a provider and wait for it (DRG-6)
 * @provider: the handle from nmr_register_provider()
 *
 * nmr_deregister_provider() then nmr_wait_for_provider_deregister_complete():
 * when it returns 0 no callback of the provider is running or will run.
 *
 * Context: process context; sleeps.
 * Return: 0, or the first error of the two calls.
 */
int nmr_deregister_provider_sync(struct nmr_provider *provider)
{
	if (!provider) {
		nmr_misuse("%s(NULL) from %pS (HDL-2)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_deregister_sync(NMR_PROVIDER, (unsigned long)provider, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_deregister_provider_sync);

/**
 * nmr_provider_detach_client_complete() - the provider's pending detach is done
 * @binding: the provider-side binding handle
 *
 * Tells the NMR that the provider's last call into the client has returned,
 * after its detach_client returned -EINPROGRESS, or while it is still running,
 * or even before it was called (DET-6, as xdp-for-windows does). When the
 * client side is done too, both cleanup callbacks run on the NMR's workqueue.
 *
 * Context: any context, hard interrupt included; never sleeps and never calls
 * a callback inline (DET-5).
 * Return: 0. -EINVAL for NULL, a second completion, or a completion after
 * detach_client returned 0; -EBADF for a handle that is unknown, dead or the
 * client's side (HDL-5). Errors change nothing.
 */
int nmr_provider_detach_client_complete(struct nmr_binding *binding)
{
	if (!binding) {
		nmr_misuse_quiet("%s(NULL) from %pS (HDL-5)", __func__, (void *)_RET_IP_);
		return -EINVAL;
	}
	return nmr_detach_complete(NMR_PROVIDER, (unsigned long)binding, _RET_IP_);
}
EXPORT_SYMBOL_NMR(nmr_provider_detach_client_complete);
