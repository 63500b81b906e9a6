// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_uaf.c - lab 1 (make lab N=1): freeing the binding context in detach (CLN-3).
 *
 * One module, both sides of one binding, as in bug 1 of docs/five-bugs.md: the
 * provider runs the client's program with the client's binding context, from a
 * work item, in two steps (begin, then end when the provider tells it to stop),
 * so that the run is in flight while the client detaches. rmmod deregisters the
 * client: the client's detach callback runs first (DET-2), then the provider's,
 * which stops the run and pends until it has returned (DET-4).
 *
 * bug=1: the client frees its binding context in its detach callback. Its own
 * calls into the provider are over (it makes none), but the provider's call
 * into it is not: the run's last step reads the freed context, and KASAN
 * reports a use-after-free.
 * bug=0: the client frees it in its cleanup callback, which the NMR calls only
 * once both sides are done (CLN-1): after the run returned.
 *
 *	insmod nmr_lab_uaf.ko bug=1; rmmod nmr_lab_uaf
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <nmr/nmr.h>
#include <nmr/nmr_rundown.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "1: the client frees its binding context in detach (wrong); 0: in cleanup");

static const guid_t lab_npi = NMR_LAB_NPI(1);	/* this lab's NPI (nmr_lab.h) */

/* The client's binding context: what its program works on. */
struct lab_client_ctx {
	unsigned int runs;
};

/* The client's dispatch table: its program, which the provider runs in two steps. */
struct lab_program {
	void (*begin)(void *client_binding_ctx);
	void (*end)(void *client_binding_ctx);
};

/**
 * struct lab_provider_ctx - the provider's binding context
 * @rundown: held by the run while it is in flight
 * @binding: the provider side's binding handle
 * @program: the client's dispatch table
 * @client_ctx: the client's binding context, which the run passes to @program
 * @stop: completed by the provider's detach: the run ends
 */
struct lab_provider_ctx {
	struct nmr_rundown rundown;
	struct nmr_binding *binding;
	const struct lab_program *program;
	void *client_ctx;
	struct completion stop;
};

static struct lab_provider_ctx *lab_bound;	/* the one binding, set in attach_client */
static struct work_struct lab_run_work;

/* ---- the client ---- */

static void lab_program_begin(void *client_binding_ctx)
{
	struct lab_client_ctx *cc = client_binding_ctx;

	cc->runs++;
	pr_info("client: program run %u begins\n", cc->runs);
}

static void lab_program_end(void *client_binding_ctx)
{
	struct lab_client_ctx *cc = client_binding_ctx;

	/* With bug=1 this reads freed memory: the client's detach freed @cc. */
	pr_info("client: program run %u ends\n", cc->runs);
}

static const struct lab_program lab_program = {
	.begin = lab_program_begin,
	.end = lab_program_end,
};

static int lab_attach_provider(struct nmr_binding *binding, void *client_ctx,
			       const struct nmr_registration_instance *provider)
{
	struct lab_client_ctx *cc;
	const void *dispatch;
	void *provider_ctx;
	int ret;

	cc = kzalloc(sizeof(*cc), GFP_KERNEL);
	if (!cc)
		return -ENOMEM;
	ret = nmr_client_attach_provider(binding, cc, &lab_program, &provider_ctx, &dispatch);
	if (ret)
		kfree(cc);
	return ret;
}

static int lab_detach_provider(void *client_binding_ctx)
{
	/* This client makes no call into the provider: none of its own is in flight. */
	if (bug) {
		pr_info("client: detach: freeing the binding context (bug=1)\n");
		kfree(client_binding_ctx);	/* WRONG (CLN-3): the provider's run uses it */
	}
	return 0;
}

static void lab_client_cleanup(void *client_binding_ctx)
{
	if (bug)
		return;		/* freed in detach already */
	pr_info("client: cleanup: both sides are done, freeing the binding context\n");
	kfree(client_binding_ctx);
}

static const struct nmr_client_characteristics lab_client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = lab_attach_provider,
	.detach_provider = lab_detach_provider,
	.cleanup_binding_context = lab_client_cleanup,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

/* ---- the provider ---- */

/* The provider's call into the client: the program's two steps, in flight between them. */
static void lab_run(struct work_struct *work)
{
	struct lab_provider_ctx *pc = READ_ONCE(lab_bound);

	pc->program->begin(pc->client_ctx);
	wait_for_completion(&pc->stop);		/* the program runs until the provider stops it */
	pc->program->end(pc->client_ctx);
	/* May complete the provider's pending detach: @pc may be freed from here on. */
	nmr_rundown_release(&pc->rundown);
}

static int lab_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	struct lab_provider_ctx *pc;
	int ret;

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	if (!pc)
		return -ENOMEM;
	ret = nmr_rundown_init(&pc->rundown);
	if (ret) {
		kfree(pc);
		return ret;
	}
	pc->binding = binding;
	pc->program = client_dispatch;
	pc->client_ctx = client_binding_ctx;
	init_completion(&pc->stop);
	WRITE_ONCE(lab_bound, pc);
	*provider_binding_ctx = pc;
	*provider_dispatch = NULL;
	return 0;
}

/* The run returned after the provider's detach began. Any context. */
static void lab_drained(struct nmr_rundown *r)
{
	struct lab_provider_ctx *pc = container_of(r, struct lab_provider_ctx, rundown);

	pr_info("provider: the run returned: detach complete\n");
	nmr_provider_detach_client_complete(pc->binding);
}

static int lab_detach_client(void *provider_binding_ctx)
{
	struct lab_provider_ctx *pc = provider_binding_ctx;

	pr_info("provider: detach: stopping the run in flight, pending\n");
	nmr_rundown_drain(&pc->rundown, lab_drained);
	complete(&pc->stop);
	return -EINPROGRESS;
}

static void lab_provider_cleanup(void *provider_binding_ctx)
{
	struct lab_provider_ctx *pc = provider_binding_ctx;

	nmr_rundown_exit(&pc->rundown);
	kfree(pc);
}

static const struct nmr_provider_characteristics lab_provider_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = lab_attach_client,
	.detach_client = lab_detach_client,
	.cleanup_binding_context = lab_provider_cleanup,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static struct nmr_provider *lab_provider;
static struct nmr_client *lab_client;

static int __init lab_init(void)
{
	struct lab_provider_ctx *pc;
	int ret;

	INIT_WORK(&lab_run_work, lab_run);
	ret = nmr_register_provider(&lab_provider_chars, NULL, &lab_provider);
	if (ret)
		return ret;
	ret = nmr_register_client(&lab_client_chars, NULL, &lab_client);	/* binds */
	pc = READ_ONCE(lab_bound);
	if (!ret && !pc)
		ret = -ENODEV;
	if (ret) {
		if (lab_client)
			nmr_deregister_client_sync(lab_client);
		nmr_deregister_provider_sync(lab_provider);
		return ret;
	}
	if (nmr_rundown_acquire(&pc->rundown))		/* the run is in flight from here */
		schedule_work(&lab_run_work);
	pr_info("bound; the provider runs the client's program (bug=%d)\n", bug);
	return 0;
}

static void __exit lab_exit(void)
{
	nmr_deregister_client_sync(lab_client);		/* both detaches, the run, cleanup */
	nmr_deregister_provider_sync(lab_provider);
	flush_work(&lab_run_work);	/* DRG-3: its last instructions, after the release */
	rcu_barrier();			/* a drain may end in an RCU callback */
	pr_info("unloaded\n");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 1: freeing the binding context in detach (CLN-3)");
