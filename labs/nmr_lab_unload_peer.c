// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_unload_peer.c - lab 5's provider: a detach that pends for a while.
 *
 * The peer of nmr_lab_unload.ko, which it outlives. Its detach callback
 * returns -EINPROGRESS and a work item completes the side delay_ms later, as
 * a provider with a call in flight would once the call returned. It does
 * everything right: its exit deregisters and waits, then flushes the work
 * item that completed the detach (DRG-3).
 *
 *	insmod nmr_lab_unload_peer.ko delay_ms=200
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/workqueue.h>
#include <nmr/nmr.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static unsigned int delay_ms = 200;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "the detach completes this long after it began");

static const guid_t lab_npi = NMR_LAB_NPI(5);	/* lab 5's NPI, for client and provider */

static struct nmr_provider *lab_provider;
static struct nmr_binding *lab_binding;	/* the one binding, set in attach_client */

static void lab_complete(struct work_struct *work)
{
	pr_info("provider: the call in flight returned: completing the detach\n");
	nmr_provider_detach_client_complete(READ_ONCE(lab_binding));
}

static DECLARE_DELAYED_WORK(lab_complete_work, lab_complete);

static int lab_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	WRITE_ONCE(lab_binding, binding);
	*provider_binding_ctx = NULL;
	*provider_dispatch = NULL;
	return 0;
}

static int lab_detach_client(void *provider_binding_ctx)
{
	pr_info("provider: detach: a call is in flight, pending for %u ms\n", delay_ms);
	schedule_delayed_work(&lab_complete_work, msecs_to_jiffies(delay_ms));
	return -EINPROGRESS;
}

static const struct nmr_provider_characteristics lab_provider_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = lab_attach_client,
	.detach_client = lab_detach_client,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static int __init lab_init(void)
{
	return nmr_register_provider(&lab_provider_chars, NULL, &lab_provider);
}

static void __exit lab_exit(void)
{
	nmr_deregister_provider_sync(lab_provider);
	cancel_delayed_work_sync(&lab_complete_work);	/* DRG-3: our own machinery */
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 5's provider: a detach that pends for delay_ms");
