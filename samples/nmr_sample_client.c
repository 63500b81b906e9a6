// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_client.c - a client of the sample NPI that calls its providers from a work item.
 *
 * Each binding gets a delayed work item that calls the provider's add() every
 * call_interval_ms. detach_provider stops new calls; if a call is in flight
 * it returns -EINPROGRESS and the work item completes the detach when that
 * call has returned. cleanup waits for the work item, then frees the context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int call_interval_ms = 20;
module_param(call_interval_ms, uint, 0444);
MODULE_PARM_DESC(call_interval_ms, "time between two calls into a provider");

static atomic_t sample_calls = ATOMIC_INIT(0);

struct sample_binding {
	struct nmr_binding *handle;
	void *provider_ctx;
	const struct nmr_sample_provider_dispatch *provider;
	struct delayed_work call_work;
	spinlock_t lock;	/* stopping, in_call */
	bool stopping;
	bool in_call;
};

static void sample_call_work(struct work_struct *work)
{
	struct sample_binding *sb = container_of(to_delayed_work(work), struct sample_binding,
						 call_work);
	bool complete;

	spin_lock_bh(&sb->lock);
	if (sb->stopping) {
		spin_unlock_bh(&sb->lock);
		return;
	}
	sb->in_call = true;
	spin_unlock_bh(&sb->lock);

	if (sb->provider->add(sb->provider_ctx, 20, 22) == 42)
		atomic_inc(&sample_calls);

	spin_lock_bh(&sb->lock);
	sb->in_call = false;
	complete = sb->stopping;	/* detach ran during the call: it is pending */
	spin_unlock_bh(&sb->lock);
	if (complete)
		nmr_client_detach_provider_complete(sb->handle);
	else
		schedule_delayed_work(&sb->call_work, msecs_to_jiffies(call_interval_ms));
}

static int sample_attach_provider(struct nmr_binding *binding, void *client_ctx,
				  const struct nmr_registration_instance *provider)
{
	struct sample_binding *sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	const void *dispatch;
	int ret;

	if (!sb)
		return -ENOMEM;
	sb->handle = binding;
	spin_lock_init(&sb->lock);
	INIT_DELAYED_WORK(&sb->call_work, sample_call_work);
	ret = nmr_client_attach_provider(binding, sb, NULL, &sb->provider_ctx, &dispatch);
	if (ret) {
		kfree(sb);
		return ret;
	}
	sb->provider = dispatch;
	pr_info("attach_provider: bound to provider number %u, calls start\n", provider->number);
	schedule_delayed_work(&sb->call_work, 0);
	return 0;
}

static int sample_detach_provider(void *client_binding_ctx)
{
	struct sample_binding *sb = client_binding_ctx;
	bool busy;

	spin_lock_bh(&sb->lock);
	sb->stopping = true;	/* DET-4: no new call from now on */
	busy = sb->in_call;
	spin_unlock_bh(&sb->lock);
	pr_info("detach_provider: %s\n", busy ? "a call is in flight: pending" : "no call in flight");
	return busy ? -EINPROGRESS : 0;
}

static void sample_cleanup(void *client_binding_ctx)
{
	struct sample_binding *sb = client_binding_ctx;

	cancel_delayed_work_sync(&sb->call_work);	/* CLN-3: free only here */
	pr_info("cleanup: binding context freed\n");
	kfree(sb);
}

static const guid_t sample_npi = NMR_SAMPLE_NPI;
static const struct nmr_module_id sample_module_id = {
	.length = sizeof(struct nmr_module_id),
	.type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x5eedc0de, 0x0002, 0x4e4d, 0x92, 0x00, 0, 0, 0, 0, 0, 0x02),
};

static const struct nmr_client_characteristics sample_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = sample_attach_provider,
	.detach_provider = sample_detach_provider,
	.cleanup_binding_context = sample_cleanup,
	.registration = {
		.npi_id = &sample_npi,
		.module_id = &sample_module_id,
	},
};

static struct nmr_client *sample_client;

static int __init sample_client_init(void)
{
	int ret = nmr_register_client(&sample_chars, NULL, &sample_client);

	if (ret)
		return ret;
	pr_info("registered\n");
	return 0;
}

static void __exit sample_client_exit(void)
{
	int ret = nmr_deregister_client_sync(sample_client);

	pr_info("deregistered (sync: %d) after %d successful calls\n", ret,
		atomic_read(&sample_calls));
}

module_init(sample_client_init);
module_exit(sample_client_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: a client calling its providers from a work item");
