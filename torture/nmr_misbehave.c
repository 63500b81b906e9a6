// SPDX-License-Identifier: GPL-2.0
/*
 * A module that uses the NMR wrongly on purpose, for make check's unload-safety and
 * atomic_callbacks checks: it can unload without deregistering (HDL-6), call a
 * function that may sleep in its detach callback (reported when nmr's
 * atomic_callbacks is on, EXT-5), and leave its detach pending for a while.
 * nmr_misbehave_peer.ko is the same code under another name, so that the two can
 * bind to each other.
 *
 *	insmod nmr_misbehave_peer.ko role=provider complete_delay_ms=500
 *	insmod nmr_misbehave.ko role=client leak=1
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/module.h>
#include <linux/uuid.h>

#include <nmr/nmr.h>

NMR_IMPORT_NS();

static char *npi = "5eedc0de-0000-4e4d-9200-0000000000ff";
module_param(npi, charp, 0444);
MODULE_PARM_DESC(npi, "the NPI to register for, as a GUID string");
static char *role = "client";
module_param(role, charp, 0444);
MODULE_PARM_DESC(role, "client or provider");
static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "unload without deregistering (the NMR reports it, HDL-6)");
static bool sleep_in_detach;
module_param(sleep_in_detach, bool, 0444);
MODULE_PARM_DESC(sleep_in_detach, "take a mutex in the detach callback (may sleep: wrong on Windows, EXT-5)");
static unsigned int complete_delay_ms;
module_param(complete_delay_ms, uint, 0444);
MODULE_PARM_DESC(complete_delay_ms, "leave the detach pending this long");

static guid_t mb_npi;
static int mb_dispatch;
static DEFINE_MUTEX(mb_mutex);
static struct nmr_binding *mb_binding;
static bool mb_is_client;

static void mb_complete(struct work_struct *work)
{
	pr_info("completing the pending detach\n");
	if (mb_is_client)
		nmr_client_detach_provider_complete(mb_binding);
	else
		nmr_provider_detach_client_complete(mb_binding);
}

static DECLARE_DELAYED_WORK(mb_complete_work, mb_complete);

static int mb_detach(void *ctx)
{
	if (sleep_in_detach) {
		mutex_lock(&mb_mutex);		/* might_sleep(): reported in atomic mode */
		mutex_unlock(&mb_mutex);
	}
	pr_info("detach%s\n", complete_delay_ms ? ": pending" : "");
	if (!complete_delay_ms)
		return 0;
	schedule_delayed_work(&mb_complete_work, msecs_to_jiffies(complete_delay_ms));
	return -EINPROGRESS;
}

static int mb_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	const void *pdisp;
	void *pctx;

	mb_binding = binding;
	return nmr_client_attach_provider(binding, &mb_dispatch, &mb_dispatch, &pctx, &pdisp);
}

static int mb_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	mb_binding = binding;
	*pctx = &mb_dispatch;
	*pdisp = &mb_dispatch;
	return 0;
}

static struct nmr_client_characteristics mb_client = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = mb_attach_provider,
	.detach_provider = mb_detach,
	.registration.npi_id = &mb_npi,
};

static struct nmr_provider_characteristics mb_provider = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = mb_attach_client,
	.detach_client = mb_detach,
	.registration.npi_id = &mb_npi,
};

static struct nmr_client *mb_ch;
static struct nmr_provider *mb_ph;

static int __init mb_init(void)
{
	int ret;

	if (guid_parse(npi, &mb_npi))
		return -EINVAL;
	mb_is_client = !strcmp(role, "client");
	if (mb_is_client)
		ret = nmr_register_client(&mb_client, NULL, &mb_ch);
	else if (!strcmp(role, "provider"))
		ret = nmr_register_provider(&mb_provider, NULL, &mb_ph);
	else
		ret = -EINVAL;
	if (!ret)
		pr_info("registered as %s of %pUl\n", role, &mb_npi);
	return ret;
}

static void __exit mb_exit(void)
{
	if (leak) {
		pr_info("unloading without deregistering\n");
		cancel_delayed_work_sync(&mb_complete_work);
		return;
	}
	if (mb_ch)
		pr_info("deregister_sync: %d\n", nmr_deregister_client_sync(mb_ch));
	if (mb_ph)
		pr_info("deregister_sync: %d\n", nmr_deregister_provider_sync(mb_ph));
	cancel_delayed_work_sync(&mb_complete_work);	/* DRG-3: our own machinery */
}

module_init(mb_init);
module_exit(mb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("An NMR user that misbehaves on purpose, for the unload-safety checks");
