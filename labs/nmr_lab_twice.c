// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_twice.c - lab 4 (make lab N=4): completing a detach twice (DET-4, HDL-5).
 *
 * One module, both sides of one binding. The provider tears down the way
 * xdp-for-windows does (and samples/nmr_sample_early.c): it completes its side
 * of every binding first, before it deregisters, and its detach callback then
 * returns -EINPROGRESS; the NMR recorded the early completion, so the side is
 * done at once (DET-6). Its detach callback also serves the other case, a
 * client that leaves first, where nothing was completed early and it
 * completes there, since no call is in flight.
 *
 * bug=1: the detach callback forgets to look whether the side was completed
 * early, and completes it a second time. A side is completed once (DET-4):
 * the NMR answers the second call with -EINVAL and a rate-limited warning that
 * names the caller, and changes nothing (HDL-5).
 * bug=0: it completes only a side that nobody completed yet.
 *
 *	insmod nmr_lab_twice.ko bug=1; rmmod nmr_lab_twice
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <nmr/nmr.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "1: the detach callback completes a side that was completed early (wrong)");

static const guid_t lab_npi = NMR_LAB_NPI(4);	/* this lab's NPI (nmr_lab.h) */

/**
 * struct lab_binding - the provider's binding context
 * @binding: the provider side's binding handle
 * @completed: the provider completed this side already, before deregistering
 */
struct lab_binding {
	struct nmr_binding *binding;
	bool completed;
};

static struct lab_binding *lab_bound;	/* the one binding, set in attach_client */
static struct nmr_provider *lab_provider;
static struct nmr_client *lab_client;

/* ---- the client: binds, and never calls the provider (nmr_lab.h) ---- */

static const struct nmr_client_characteristics lab_client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = nmr_lab_attach_provider,
	.detach_provider = nmr_lab_detach_provider,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

/* ---- the provider ---- */

static int lab_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	struct lab_binding *lb;

	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	lb->binding = binding;
	WRITE_ONCE(lab_bound, lb);
	*provider_binding_ctx = lb;
	*provider_dispatch = NULL;
	return 0;
}

static int lab_detach_client(void *provider_binding_ctx)
{
	struct lab_binding *lb = provider_binding_ctx;
	int ret;

	/* No call of ours is in flight: complete here, unless it was done early. */
	if (bug || !lb->completed) {
		ret = nmr_provider_detach_client_complete(lb->binding);	/* WRONG with bug=1 */
		pr_info("provider: detach: completing returned %d\n", ret);
	}
	return -EINPROGRESS;	/* done at once if it was completed (DET-6) */
}

static void lab_provider_cleanup(void *provider_binding_ctx)
{
	kfree(provider_binding_ctx);
}

static const struct nmr_provider_characteristics lab_provider_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = lab_attach_client,
	.detach_client = lab_detach_client,
	.cleanup_binding_context = lab_provider_cleanup,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static int __init lab_init(void)
{
	int ret;

	ret = nmr_register_provider(&lab_provider_chars, NULL, &lab_provider);
	if (ret)
		return ret;
	ret = nmr_register_client(&lab_client_chars, NULL, &lab_client);	/* binds */
	if (!ret && !READ_ONCE(lab_bound))
		ret = -ENODEV;
	if (ret) {
		if (lab_client)
			nmr_deregister_client_sync(lab_client);
		nmr_deregister_provider_sync(lab_provider);
		return ret;
	}
	pr_info("bound (bug=%d)\n", bug);
	return 0;
}

static void __exit lab_exit(void)
{
	struct lab_binding *lb = READ_ONCE(lab_bound);
	int ret;

	/* The provider tears down: its side is done before it deregisters (DET-6). */
	lb->completed = true;
	ret = nmr_provider_detach_client_complete(lb->binding);
	pr_info("provider: completed early, before deregistering: %d\n", ret);
	nmr_deregister_provider_sync(lab_provider);	/* lb is freed in cleanup */
	nmr_deregister_client_sync(lab_client);
	pr_info("unloaded\n");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 4: completing a detach twice (DET-4, HDL-5)");
