// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_deadlock.c - lab 3 (make lab N=3): waiting from a callback (HDL-4).
 *
 * One module, both sides of one binding, as in bug 3 of docs/five-bugs.md.
 * rmmod deregisters the provider; the NMR then calls the client's detach
 * callback on that thread (DET-2), and the client, whose only provider is
 * leaving, shuts itself down too.
 *
 * bug=1: the client deregisters itself from its detach callback, which is
 * allowed, and then waits for its deregistration to complete there, which
 * cannot end: the binding being detached is one of those the wait waits for,
 * and it cannot finish before this callback returns. The NMR sees it and the
 * wait returns -EDEADLK with a warning instead of hanging for ever.
 * bug=0: the detach callback only returns; module_exit() deregisters the
 * client and waits, with no callback of it on the stack.
 *
 *	insmod nmr_lab_deadlock.ko bug=1; rmmod nmr_lab_deadlock
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <nmr/nmr.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "1: the client waits for its own deregistration in its detach (wrong); 0: in exit");

static const guid_t lab_npi = NMR_LAB_NPI(3);	/* this lab's NPI (nmr_lab.h) */

static struct nmr_provider *lab_provider;
static struct nmr_client *lab_client;
static bool lab_client_gone;	/* the client deregistered itself (bug=1) */

/* ---- the client: it binds as in nmr_lab.h; its detach is the lab's ---- */

/* Our only provider is leaving. */
static int lab_detach_provider(void *client_binding_ctx)
{
	int ret;

	if (!bug)
		return 0;	/* stop calling the provider; module_exit() deregisters and waits */
	pr_info("client: detach: our provider leaves, shutting ourselves down (bug=1)\n");
	nmr_deregister_client(lab_client);
	lab_client_gone = true;
	ret = nmr_wait_for_client_deregister_complete(lab_client);	/* WRONG: for itself */
	pr_info("client: detach: the wait returned %d\n", ret);
	return 0;
}

static const struct nmr_client_characteristics lab_client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = nmr_lab_attach_provider,
	.detach_provider = lab_detach_provider,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

/* ---- the provider ---- */

static int lab_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	*provider_binding_ctx = NULL;
	*provider_dispatch = NULL;
	return 0;
}

static int lab_detach_client(void *provider_binding_ctx)
{
	return 0;
}

static const struct nmr_provider_characteristics lab_provider_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = lab_attach_client,
	.detach_client = lab_detach_client,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static int __init lab_init(void)
{
	int ret;

	ret = nmr_register_provider(&lab_provider_chars, NULL, &lab_provider);
	if (ret)
		return ret;
	ret = nmr_register_client(&lab_client_chars, NULL, &lab_client);	/* binds */
	if (ret) {
		nmr_deregister_provider_sync(lab_provider);
		return ret;
	}
	pr_info("bound (bug=%d)\n", bug);
	return 0;
}

static void __exit lab_exit(void)
{
	int ret;

	nmr_deregister_provider_sync(lab_provider);	/* the client's detach runs here */
	if (lab_client_gone)	/* deregistered in its detach: only the wait is left */
		ret = nmr_wait_for_client_deregister_complete(lab_client);
	else
		ret = nmr_deregister_client_sync(lab_client);
	pr_info("exit: the client's wait returned %d; unloaded\n", ret);
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 3: waiting from one's own detach callback (HDL-4)");
