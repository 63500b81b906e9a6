// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_lab_block.c - lab 2 (make lab N=2): blocking in detach (DET-4, DET-7, EXT-5).
 *
 * One module, both sides of one binding, as in bug 2 of docs/five-bugs.md: the
 * provider calls the client's program, and its detach callback must make sure
 * that no such call is still running before it says it is done. The lab loads
 * nmr.ko with atomic_callbacks=1, so that the NMR calls detach and cleanup
 * callbacks with preemption disabled, as Windows may call them at DISPATCH_LEVEL.
 *
 * bug=1: the detach callback waits for the calls in flight with wait_event().
 * None is in flight, so it does not even sleep; but it may, and
 * CONFIG_DEBUG_ATOMIC_SLEEP reports "sleeping function called from invalid
 * context" at the wait.
 * bug=0: the calls are guarded by the rundown helper (EXT-3); the detach
 * callback starts the drain and returns -EINPROGRESS, and the drain's end
 * completes the side (DET-4), in whatever context the last call returns.
 *
 *	insmod nmr.ko atomic_callbacks=1; insmod nmr_lab_block.ko bug=1; rmmod nmr_lab_block
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <nmr/nmr.h>
#include <nmr/nmr_rundown.h>

#include "nmr_lab.h"

NMR_IMPORT_NS();

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "1: the detach callback blocks until no call is in flight (wrong); 0: it pends");

static const guid_t lab_npi = NMR_LAB_NPI(2);	/* this lab's NPI (nmr_lab.h) */

/* The client's dispatch table: its program, which the provider calls. */
struct lab_program {
	void (*run)(void *client_binding_ctx);
};

/**
 * struct lab_binding - the provider's binding context
 * @binding: the provider side's binding handle
 * @program: the client's dispatch table
 * @client_ctx: the client's binding context
 * @in_flight: calls into the client running now (bug=1's way of counting them)
 * @idle: woken when @in_flight drops to 0 (bug=1)
 * @rundown: held across each call into the client (bug=0's way; unused with bug=1)
 */
struct lab_binding {
	struct nmr_binding *binding;
	const struct lab_program *program;
	void *client_ctx;
	atomic_t in_flight;
	wait_queue_head_t idle;
	struct nmr_rundown rundown;
};

static struct lab_binding *lab_bound;	/* the one binding, set in attach_client */

/* ---- the client: no context, a program that returns at once ---- */

static void lab_program_run(void *client_binding_ctx)
{
	pr_info("client: program runs\n");
}

static const struct lab_program lab_program = {
	.run = lab_program_run,
};

static int lab_attach_provider(struct nmr_binding *binding, void *client_ctx,
			       const struct nmr_registration_instance *provider)
{
	const void *dispatch;
	void *provider_ctx;

	return nmr_client_attach_provider(binding, NULL, &lab_program, &provider_ctx, &dispatch);
}

static const struct nmr_client_characteristics lab_client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = lab_attach_provider,
	.detach_provider = nmr_lab_detach_provider,	/* it never calls the provider */
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

/* ---- the provider ---- */

/* One call into the client's program, counted the way each version waits for it. */
static void lab_call_client(struct lab_binding *lb)
{
	if (bug) {
		atomic_inc(&lb->in_flight);
		lb->program->run(lb->client_ctx);
		if (atomic_dec_and_test(&lb->in_flight))
			wake_up(&lb->idle);
	} else if (nmr_rundown_acquire(&lb->rundown)) {
		lb->program->run(lb->client_ctx);
		nmr_rundown_release(&lb->rundown);	/* may complete the detach */
	}
}

static int lab_attach_client(struct nmr_binding *binding, void *provider_ctx,
			     const struct nmr_registration_instance *client,
			     void *client_binding_ctx, const void *client_dispatch,
			     void **provider_binding_ctx, const void **provider_dispatch)
{
	struct lab_binding *lb;
	int ret;

	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	ret = bug ? 0 : nmr_rundown_init(&lb->rundown);
	if (ret) {
		kfree(lb);
		return ret;
	}
	lb->binding = binding;
	lb->program = client_dispatch;
	lb->client_ctx = client_binding_ctx;
	atomic_set(&lb->in_flight, 0);
	init_waitqueue_head(&lb->idle);
	WRITE_ONCE(lab_bound, lb);
	*provider_binding_ctx = lb;
	*provider_dispatch = NULL;
	return 0;
}

/* bug=1. WRONG (DET-7, EXT-5): blocks the deregistering thread; may sleep. */
static int lab_detach_client_blocking(void *provider_binding_ctx)
{
	struct lab_binding *lb = provider_binding_ctx;

	pr_info("provider: detach: waiting until no call is in flight (bug=1)\n");
	wait_event(lb->idle, atomic_read(&lb->in_flight) == 0);	/* WRONG: may sleep */
	return 0;
}

/* bug=0: the last call returned after the drain began. Any context. */
static void lab_drained(struct nmr_rundown *r)
{
	struct lab_binding *lb = container_of(r, struct lab_binding, rundown);

	pr_info("provider: no call in flight any more: detach complete\n");
	nmr_provider_detach_client_complete(lb->binding);
}

/* bug=0. Right (DET-4): start the drain, which returns at once, and pend. */
static int lab_detach_client_pending(void *provider_binding_ctx)
{
	struct lab_binding *lb = provider_binding_ctx;

	pr_info("provider: detach: draining the calls in flight, pending\n");
	nmr_rundown_drain(&lb->rundown, lab_drained);
	return -EINPROGRESS;
}

static void lab_provider_cleanup(void *provider_binding_ctx)
{
	struct lab_binding *lb = provider_binding_ctx;

	if (!bug)
		nmr_rundown_exit(&lb->rundown);
	kfree(lb);
}

static struct nmr_provider_characteristics lab_provider_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = lab_attach_client,
	.detach_client = lab_detach_client_pending,
	.cleanup_binding_context = lab_provider_cleanup,
	.registration = { .npi_id = &lab_npi, .module_id = &nmr_lab_module_id },
};

static struct nmr_provider *lab_provider;
static struct nmr_client *lab_client;

static int __init lab_init(void)
{
	struct lab_binding *lb;
	int ret;

	if (bug)
		lab_provider_chars.detach_client = lab_detach_client_blocking;
	ret = nmr_register_provider(&lab_provider_chars, NULL, &lab_provider);
	if (ret)
		return ret;
	ret = nmr_register_client(&lab_client_chars, NULL, &lab_client);	/* binds */
	lb = READ_ONCE(lab_bound);
	if (!ret && !lb)
		ret = -ENODEV;
	if (ret) {
		if (lab_client)
			nmr_deregister_client_sync(lab_client);
		nmr_deregister_provider_sync(lab_provider);
		return ret;
	}
	lab_call_client(lb);
	pr_info("bound; the provider called the client once (bug=%d)\n", bug);
	return 0;
}

static void __exit lab_exit(void)
{
	nmr_deregister_client_sync(lab_client);		/* both detaches, then cleanup */
	nmr_deregister_provider_sync(lab_provider);
	rcu_barrier();			/* a drain may end in an RCU callback */
	pr_info("unloaded\n");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr lab 2: blocking in detach under atomic_callbacks (DET-7, EXT-5)");
