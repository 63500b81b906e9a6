// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_unload.c - lab 5 (make lab N=5): unloading without waiting (DRG-3, HDL-6).
 *
 * A client, as in bug 5 of docs/five-bugs.md, bound to the provider of
 * nmr_lab_unload_peer.ko, whose detach callback pends and completes a little
 * later from a work item, as a provider with a call in flight does.
 *
 * bug=1: module_exit() deregisters and returns. nmr_deregister_client()
 * returns -EINPROGRESS: the deregistration has started, the provider's side is
 * still pending, and the client's cleanup would come later, into a module
 * whose code is gone. The NMR catches the module on its way out: "module
 * nmr_lab_unload unloads with client N never waited for; cutting it loose
 * (HDL-6)". It calls nothing of the module from then on, and the unload itself
 * waits until the provider's side is done.
 * bug=0: module_exit() deregisters and waits (nmr_deregister_client_sync(),
 * DRG-6): after the wait no callback of the client runs again (DRG-3).
 *
 *	insmod nmr_lab_unload_peer.ko; insmod nmr_lab_unload.ko bug=1
 *	rmmod nmr_lab_unload; rmmod nmr_lab_unload_peer
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <nmr/nmr.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "1: module_exit() deregisters without waiting (wrong); 0: it waits");

static const guid_t lab_npi = NMR_LAB_NPI(5);	/* lab 5's NPI, for client and provider */

static struct nmr_client *lab_client;

/* The client binds, and never calls the provider (nmr_lab.h); its exit is the lab's. */
static void lab_cleanup(void *client_binding_ctx)
{
	pr_info("client: cleanup: both sides are done\n");
}

static const struct nmr_client_characteristics lab_client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = nmr_lab_attach_provider,
	.detach_provider = nmr_lab_detach_provider,
	.cleanup_binding_context = lab_cleanup,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static int __init lab_init(void)
{
	int ret;

	ret = nmr_register_client(&lab_client_chars, NULL, &lab_client);	/* binds */
	if (!ret)
		pr_info("registered (bug=%d)\n", bug);
	return ret;
}

static void __exit lab_exit(void)
{
	int ret;

	if (bug) {
		ret = nmr_deregister_client(lab_client);	/* WRONG: started, not done */
		pr_info("exit: nmr_deregister_client() returned %d; returning without waiting\n",
			ret);
		return;
	}
	ret = nmr_deregister_client_sync(lab_client);		/* deregister and wait */
	pr_info("exit: nmr_deregister_client_sync() returned %d: no callback of ours runs again\n",
		ret);
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 5: unloading without waiting (DRG-3, HDL-6)");
