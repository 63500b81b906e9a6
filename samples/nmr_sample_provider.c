// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_provider.c - a provider of the sample NPI whose detach can be left pending.
 *
 * Each client that binds gets a binding context and the provider's dispatch
 * table. With complete_delay_ms > 0, detach_client returns -EINPROGRESS and
 * the completion arrives later from a work item, as a provider with requests
 * still queued would do; cleanup frees the context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int complete_delay_ms;
module_param(complete_delay_ms, uint, 0444);
MODULE_PARM_DESC(complete_delay_ms, "leave each detach pending this long (0: detach at once)");

struct sample_binding {
	struct nmr_binding *handle;
	atomic_t calls;
	struct delayed_work complete_work;
};

static int sample_add(void *ctx, int a, int b)
{
	struct sample_binding *sb = ctx;

	atomic_inc(&sb->calls);
	return a + b;
}

static const struct nmr_sample_provider_dispatch sample_dispatch = {
	.add = sample_add,
};

static void sample_complete_work(struct work_struct *work)
{
	struct sample_binding *sb = container_of(to_delayed_work(work), struct sample_binding,
						 complete_work);

	pr_info("binding completes its pending detach after %u ms\n", complete_delay_ms);
	nmr_provider_detach_client_complete(sb->handle);
}

static int sample_attach_client(struct nmr_binding *binding, void *provider_ctx,
				const struct nmr_registration_instance *client,
				void *client_binding_ctx, const void *client_dispatch,
				void **provider_binding_ctx, const void **provider_dispatch)
{
	struct sample_binding *sb = kzalloc(sizeof(*sb), GFP_KERNEL);

	if (!sb)
		return -ENOMEM;
	sb->handle = binding;
	INIT_DELAYED_WORK(&sb->complete_work, sample_complete_work);
	*provider_binding_ctx = sb;
	*provider_dispatch = &sample_dispatch;
	pr_info("attach_client: client number %u accepted\n", client->number);
	return 0;
}

static int sample_detach_client(void *provider_binding_ctx)
{
	struct sample_binding *sb = provider_binding_ctx;

	pr_info("detach_client: %d calls served\n", atomic_read(&sb->calls));
	if (!complete_delay_ms)
		return 0;
	schedule_delayed_work(&sb->complete_work, msecs_to_jiffies(complete_delay_ms));
	pr_info("detach_client: pending for %u ms\n", complete_delay_ms);
	return -EINPROGRESS;
}

static void sample_cleanup(void *provider_binding_ctx)
{
	struct sample_binding *sb = provider_binding_ctx;

	/* The completion came from this work item: it must be finished (DRG-3). */
	cancel_delayed_work_sync(&sb->complete_work);
	pr_info("cleanup: binding context freed\n");
	kfree(sb);
}

static const guid_t sample_npi = NMR_SAMPLE_NPI;
static const struct nmr_module_id sample_module_id = {
	.length = sizeof(struct nmr_module_id),
	.type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x5eedc0de, 0x0001, 0x4e4d, 0x92, 0x00, 0, 0, 0, 0, 0, 0x01),
};

static const struct nmr_provider_characteristics sample_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = sample_attach_client,
	.detach_client = sample_detach_client,
	.cleanup_binding_context = sample_cleanup,
	.registration = {
		.npi_id = &sample_npi,
		.module_id = &sample_module_id,
	},
};

static struct nmr_provider *sample_provider;

static int __init sample_provider_init(void)
{
	int ret = nmr_register_provider(&sample_chars, NULL, &sample_provider);

	if (ret)
		return ret;
	pr_info("registered\n");
	return 0;
}

static void __exit sample_provider_exit(void)
{
	int ret = nmr_deregister_provider(sample_provider);

	pr_info("deregister returned %d (pending)\n", ret);
	ret = nmr_wait_for_provider_deregister_complete(sample_provider);
	pr_info("wait returned %d: no callback will run again\n", ret);
}

module_init(sample_provider_init);
module_exit(sample_provider_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: a provider with a pending detach");
