// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_early.c - a hook provider that completes its detaches before it deregisters.
 *
 * Mirrors xdp-for-windows' NMR provider: its detach_client always returns
 * -EINPROGRESS, and when the provider itself is torn down it first calls
 * nmr_provider_detach_client_complete() on every binding it still has, then
 * deregisters and waits. The NMR records such an early completion, and the
 * side counts as done the moment its detach callback returns -EINPROGRESS
 * (DET-6, timeline T-E): the wait needs no later completion.
 *
 * When a client leaves first, the provider is not tearing down: it completes
 * from a work item instead (after complete_delay_ms), so the client never
 * waits on it for longer than that. Exactly one completion per binding: a
 * flag claimed under early_lock says who owns it. The work items run on the
 * module's own workqueue, drained before the module unloads (DRG-3), so no
 * callback has to wait for one: none of them sleeps.
 *
 * This hook never fires: the sample teaches the teardown order only.
 * With early=0 the teardown completes from the work item too: compare the
 * nmr_detach_complete trace events of the two ways.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static bool early = true;
module_param(early, bool, 0444);
MODULE_PARM_DESC(early, "at unload, complete every detach before deregistering (default: yes)");

static unsigned int complete_delay_ms;
module_param(complete_delay_ms, uint, 0444);
MODULE_PARM_DESC(complete_delay_ms, "when a client leaves first, complete its detach this late");

/**
 * struct early_binding - the provider's binding context
 * @node: in early_bindings until cleanup (early_lock)
 * @binding: the provider side's binding handle
 * @complete_work: completes the detach when the client leaves first
 * @id: this provider's number for the binding, for messages
 * @completing: the one completion of this binding is claimed (early_lock)
 * @client: the client's name
 */
struct early_binding {
	struct list_head node;
	struct nmr_binding *binding;
	struct delayed_work complete_work;
	unsigned int id;
	bool completing;
	char client[NMR_SAMPLE_NAME_LEN];
};

/* early_lock protects early_bindings, early_next_id, early_tearing_down and ->completing. */
static DEFINE_SPINLOCK(early_lock);
static LIST_HEAD(early_bindings);
static unsigned int early_next_id;
static bool early_tearing_down;

static struct workqueue_struct *early_wq;

static u64 early_invocations(void *provider_binding_ctx)
{
	return 0;	/* this hook never fires */
}

static const struct nmr_sample_hook_dispatch early_dispatch = {
	.invocations = early_invocations,
};

static void early_complete_work(struct work_struct *work)
{
	struct early_binding *eb = container_of(to_delayed_work(work), struct early_binding,
						complete_work);

	pr_info("binding %u: completing its detach from the work item\n", eb->id);
	nmr_provider_detach_client_complete(eb->binding);
}

static int early_attach_client(struct nmr_binding *binding, void *provider_ctx,
			       const struct nmr_registration_instance *client,
			       void *client_binding_ctx, const void *client_dispatch,
			       void **provider_binding_ctx, const void **provider_dispatch)
{
	struct early_binding *eb = kzalloc(sizeof(*eb), GFP_KERNEL);

	if (!eb)
		return -ENOMEM;
	eb->binding = binding;
	INIT_DELAYED_WORK(&eb->complete_work, early_complete_work);
	strscpy(eb->client, nmr_sample_name(client), sizeof(eb->client));

	spin_lock(&early_lock);
	if (early_tearing_down) {
		/* An offer still running as we leave (ATT-12): no new binding. */
		spin_unlock(&early_lock);
		kfree(eb);
		return -ENODEV;
	}
	eb->id = ++early_next_id;
	list_add_tail(&eb->node, &early_bindings);
	spin_unlock(&early_lock);

	*provider_binding_ctx = eb;
	*provider_dispatch = &early_dispatch;
	pr_info("attach_client: %s attached as binding %u\n", eb->client, eb->id);
	return 0;
}

static int early_detach_client(void *provider_binding_ctx)
{
	struct early_binding *eb = provider_binding_ctx;
	bool completed;

	spin_lock(&early_lock);
	completed = eb->completing;
	eb->completing = true;
	spin_unlock(&early_lock);

	if (completed) {
		pr_info("detach_client: binding %u was completed early: pending, and done at once\n",
			eb->id);
	} else {
		pr_info("detach_client: binding %u: %s leaves first; completing from a work item\n",
			eb->id, eb->client);
		queue_delayed_work(early_wq, &eb->complete_work,
				   msecs_to_jiffies(complete_delay_ms));
	}
	return -EINPROGRESS;	/* always, as xdp-for-windows does */
}

static void early_cleanup(void *provider_binding_ctx)
{
	struct early_binding *eb = provider_binding_ctx;

	/*
	 * The work item that completed the detach may still be returning: it
	 * touches @eb no more, and early_exit() drains it (DRG-3).
	 */
	spin_lock(&early_lock);
	list_del(&eb->node);
	spin_unlock(&early_lock);
	pr_info("cleanup: binding %u freed\n", eb->id);
	kfree(eb);
}

static const guid_t early_npi = NMR_SAMPLE_HOOK_NPI;
static const struct nmr_module_id early_module_id = NMR_SAMPLE_MODULE_ID(3);
static const struct nmr_sample_info early_info = { .name = KBUILD_MODNAME };

static const struct nmr_provider_characteristics early_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = early_attach_client,
	.detach_client = early_detach_client,
	.cleanup_binding_context = early_cleanup,
	.registration = {
		.npi_id = &early_npi,
		.module_id = &early_module_id,
		.number = 2,
		.npi_specific = &early_info,
	},
};

static struct nmr_provider *early_provider;

static int __init early_init(void)
{
	int ret;

	early_wq = alloc_workqueue(KBUILD_MODNAME, WQ_UNBOUND, 0);
	if (!early_wq)
		return -ENOMEM;
	ret = nmr_register_provider(&early_chars, NULL, &early_provider);
	if (ret) {
		destroy_workqueue(early_wq);
		return ret;
	}
	pr_info("registered (early completion %s)\n", early ? "on" : "off");
	return 0;
}

static void __exit early_exit(void)
{
	struct early_binding *eb;
	unsigned int n = 0;
	int ret;

	spin_lock(&early_lock);
	early_tearing_down = true;
	if (early) {
		list_for_each_entry(eb, &early_bindings, node) {
			if (eb->completing)
				continue;	/* its client is leaving: the work item completes */
			eb->completing = true;
			/* DET-5: never sleeps, calls nothing back: fine under a spinlock. */
			nmr_provider_detach_client_complete(eb->binding);
			n++;
		}
	}
	spin_unlock(&early_lock);
	if (early)
		pr_info("completed %u binding(s) early, before deregistering\n", n);

	ret = nmr_deregister_provider(early_provider);
	pr_info("deregister returned %d (pending); waiting\n", ret);
	ret = nmr_wait_for_provider_deregister_complete(early_provider);
	pr_info("wait returned %d: no callback will run again\n", ret);
	destroy_workqueue(early_wq);	/* DRG-3: drains the completing work items */
}

module_init(early_init);
module_exit(early_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: hook provider that completes its detaches early (DET-6)");
