// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_hook.c - a hook provider that runs its clients' programs and detaches with rundown.
 *
 * Mirrors the hook providers of ebpf-for-windows' netebpfext: clients attach
 * "programs"; the provider invokes every attached program whenever its hook
 * fires (here: a periodic work item, every period_ms).
 *
 * The pattern it teaches: in-flight protection with a rundown reference
 * (struct nmr_rundown, EX_RUNDOWN_REF on Windows) embedded in the provider's
 * binding context. Every invocation is bracketed by nmr_rundown_acquire() and
 * nmr_rundown_release(). detach_client unlinks the binding, so the hook never
 * picks it again, starts nmr_rundown_drain() and returns -EINPROGRESS; when
 * the last running invocation returns, the drained callback (maybe in atomic
 * context) calls nmr_provider_detach_client_complete(). Nothing blocks, and
 * the binding context is freed only in cleanup (CLN-3).
 *
 * Try: insmod nmr_sample_hook.ko; insmod nmr_sample_client.ko
 * program_delay_ms=800; rmmod nmr_sample_hook during a run, and watch
 * /sys/kernel/debug/nmr/bindings show "provider=pending" until the run ends.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <nmr/nmr_rundown.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int period_ms = 100;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "the hook fires every period_ms (> 0): every attached program runs");

/**
 * struct hook_binding - the provider's binding context, one per attached program
 * @node: in hook_bindings while the hook may run the program (hook_lock)
 * @run_node: in the work item's private batch during one firing
 * @rundown: held across each run of the program
 * @binding: the provider side's binding handle
 * @program: the client's dispatch table
 * @client_ctx: the client's binding context, passed to @program->run
 * @invocations: how many runs of the program started
 * @id: this provider's number for the binding, for messages
 * @detach_time: jiffies when detach_client began the drain
 * @client: the client's name
 */
struct hook_binding {
	struct list_head node;
	struct list_head run_node;
	struct nmr_rundown rundown;
	struct nmr_binding *binding;
	const struct nmr_sample_hook_program *program;
	void *client_ctx;
	atomic64_t invocations;
	unsigned int id;
	unsigned long detach_time;
	char client[NMR_SAMPLE_NAME_LEN];
};

/* hook_lock protects hook_bindings and hook_next_id; never held across a program run. */
static DEFINE_SPINLOCK(hook_lock);
static LIST_HEAD(hook_bindings);
static unsigned int hook_next_id;

static struct delayed_work hook_work;
static u64 hook_ticks;		/* the work item's own */

/*
 * The hook fires: run every attached program once. Each binding is picked
 * under hook_lock, but only if its rundown can still be acquired; the
 * programs then run with no lock held (they may sleep), and each release may
 * be the one that completes a pending detach.
 */
static void hook_fire(struct work_struct *work)
{
	struct hook_binding *hb, *tmp;
	LIST_HEAD(batch);

	hook_ticks++;
	spin_lock(&hook_lock);
	list_for_each_entry(hb, &hook_bindings, node)
		if (nmr_rundown_acquire(&hb->rundown))
			list_add_tail(&hb->run_node, &batch);
	spin_unlock(&hook_lock);

	list_for_each_entry_safe(hb, tmp, &batch, run_node) {
		list_del(&hb->run_node);
		atomic64_inc(&hb->invocations);
		hb->program->run(hb->client_ctx, hook_ticks);
		/* May call hook_drained(): @hb may be freed from here on. */
		nmr_rundown_release(&hb->rundown);
	}
	schedule_delayed_work(&hook_work, msecs_to_jiffies(period_ms));
}

static u64 hook_invocations(void *provider_binding_ctx)
{
	struct hook_binding *hb = provider_binding_ctx;

	return atomic64_read(&hb->invocations);
}

static const struct nmr_sample_hook_dispatch hook_dispatch = {
	.invocations = hook_invocations,
};

static int hook_attach_client(struct nmr_binding *binding, void *provider_ctx,
			      const struct nmr_registration_instance *client,
			      void *client_binding_ctx, const void *client_dispatch,
			      void **provider_binding_ctx, const void **provider_dispatch)
{
	const struct nmr_sample_hook_program *program = client_dispatch;
	struct hook_binding *hb;
	int ret;

	if (!program || !program->run)
		return -ENODEV;		/* not a client we can run */
	hb = kzalloc(sizeof(*hb), GFP_KERNEL);
	if (!hb)
		return -ENOMEM;
	ret = nmr_rundown_init(&hb->rundown);
	if (ret) {
		kfree(hb);
		return ret;
	}
	hb->binding = binding;
	hb->program = program;
	hb->client_ctx = client_binding_ctx;
	atomic64_set(&hb->invocations, 0);
	strscpy(hb->client, nmr_sample_name(client), sizeof(hb->client));

	/* From here on the hook may run the program. */
	spin_lock(&hook_lock);
	hb->id = ++hook_next_id;
	list_add_tail(&hb->node, &hook_bindings);
	spin_unlock(&hook_lock);

	*provider_binding_ctx = hb;
	*provider_dispatch = &hook_dispatch;
	pr_info("attach_client: %s attached its program as binding %u\n", hb->client, hb->id);
	return 0;
}

/* The last invocation returned after the drain began. Any context. */
static void hook_drained(struct nmr_rundown *r)
{
	struct hook_binding *hb = container_of(r, struct hook_binding, rundown);

	pr_info("binding %u drained after %u ms: detach complete\n", hb->id,
		jiffies_to_msecs(jiffies - hb->detach_time));
	/* Cleanup may free @hb as soon as this is called: touch nothing after it. */
	nmr_provider_detach_client_complete(hb->binding);
}

static int hook_detach_client(void *provider_binding_ctx)
{
	struct hook_binding *hb = provider_binding_ctx;

	/* DET-4: the hook never picks this program again... */
	spin_lock(&hook_lock);
	list_del(&hb->node);
	spin_unlock(&hook_lock);

	/* ...and the runs already going finish on their own time. */
	pr_info("detach_client: binding %u unlinked after %llu runs; draining, pending\n",
		hb->id, (unsigned long long)atomic64_read(&hb->invocations));
	hb->detach_time = jiffies;
	nmr_rundown_drain(&hb->rundown, hook_drained);
	return -EINPROGRESS;
}

static void hook_cleanup(void *provider_binding_ctx)
{
	struct hook_binding *hb = provider_binding_ctx;

	nmr_rundown_exit(&hb->rundown);
	pr_info("cleanup: binding %u freed\n", hb->id);
	kfree(hb);
}

static const guid_t hook_npi = NMR_SAMPLE_HOOK_NPI;
static const struct nmr_module_id hook_module_id = NMR_SAMPLE_MODULE_ID(1);
static const struct nmr_sample_info hook_info = { .name = KBUILD_MODNAME };

static const struct nmr_provider_characteristics hook_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = hook_attach_client,
	.detach_client = hook_detach_client,
	.cleanup_binding_context = hook_cleanup,
	.registration = {
		.npi_id = &hook_npi,
		.module_id = &hook_module_id,
		.number = 1,
		.npi_specific = &hook_info,
	},
};

static struct nmr_provider *hook_provider;

static int __init hook_init(void)
{
	int ret;

	if (!period_ms)
		return -EINVAL;
	INIT_DELAYED_WORK(&hook_work, hook_fire);
	ret = nmr_register_provider(&hook_chars, NULL, &hook_provider);
	if (ret)
		return ret;
	schedule_delayed_work(&hook_work, msecs_to_jiffies(period_ms));
	pr_info("registered; the hook fires every %u ms\n", period_ms);
	return 0;
}

static void __exit hook_exit(void)
{
	unsigned long start = jiffies;
	int ret;

	ret = nmr_deregister_provider(hook_provider);
	pr_info("deregister returned %d (pending); waiting\n", ret);
	ret = nmr_wait_for_provider_deregister_complete(hook_provider);
	pr_info("wait returned %d after %u ms: no callback will run again\n", ret,
		jiffies_to_msecs(jiffies - start));
	/*
	 * DRG-3: what completed our detaches is ours to finish: the work item
	 * (a release in it may have called hook_drained()) and the RCU
	 * callback in which a drain with no run in flight ends.
	 */
	cancel_delayed_work_sync(&hook_work);
	rcu_barrier();
}

module_init(hook_init);
module_exit(hook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: hook provider with rundown-protected program runs and pending detach");
