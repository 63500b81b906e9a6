// SPDX-License-Identifier: GPL-2.0
/*
 * A module for the unload torture (HDL-6): loaded and unloaded in a loop, it
 * registers clients and providers of the unload NPI (bound by nmr_unload_peer,
 * which calls its dispatch function) and of nmr_torture's first NPI, and mostly
 * unloads without deregistering, at whatever moment the guest script chooses:
 * while an offer to it runs on another thread, while a peer's detach is pending,
 * while a peer runs its dispatch code. Its memory is freed when the NMR's GOING
 * handler returns; KASAN watches every access after that.
 *
 *	insmod nmr_unload_victim.ko leak=1
 *	rmmod nmr_unload_victim
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>

#include "nmr_unload.h"

NMR_IMPORT_NS();

static bool leak = true;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "unload without deregistering (HDL-6); otherwise deregister_sync");
static unsigned int pend_pct = 50;
module_param(pend_pct, uint, 0444);
MODULE_PARM_DESC(pend_pct, "percent of this module's detaches that pend, completed by a work item");

/* Binding contexts come from module memory: a leaking unload frees them with the module. */
#define UV_BINDINGS 64
static struct uv_binding {
	atomic_t used;
	bool client;
	struct nmr_binding *handle;
	struct delayed_work complete;
} uv_bindings[UV_BINDINGS];

static atomic_t uv_calls[16];	/* module data the dispatch function writes */

/* Detach callbacks running; none schedules a completion once exit began. */
static atomic_t uv_detaching = ATOMIC_INIT(0);
static bool uv_exiting;
static DECLARE_WAIT_QUEUE_HEAD(uv_detach_wq);

/* The dispatch table peers call: reads and writes this module's memory, runs its code. */
static int uv_call(void *ctx, unsigned int n)
{
	struct uv_binding *b = ctx;

	atomic_inc(&uv_calls[n % ARRAY_SIZE(uv_calls)]);
	udelay(n % 8);
	return b - uv_bindings;
}

static const struct nmr_unload_dispatch uv_dispatch = {
	.magic = NMR_UNLOAD_VICTIM_MAGIC,
	.call = uv_call,
};

static struct uv_binding *uv_binding_get(struct nmr_binding *handle, bool client)
{
	unsigned int i;

	for (i = 0; i < UV_BINDINGS; i++) {
		if (atomic_cmpxchg(&uv_bindings[i].used, 0, 1) == 0) {
			uv_bindings[i].client = client;
			uv_bindings[i].handle = handle;
			return &uv_bindings[i];
		}
	}
	return NULL;
}

static void uv_complete(struct work_struct *work)
{
	struct uv_binding *b = container_of(to_delayed_work(work), struct uv_binding, complete);

	if (b->client)
		nmr_client_detach_provider_complete(b->handle);
	else
		nmr_provider_detach_client_complete(b->handle);
}

static int uv_detach(void *ctx)
{
	struct uv_binding *b = ctx;
	int ret = 0;

	atomic_inc(&uv_detaching);
	smp_mb__after_atomic();		/* pairs with uv_exit() */
	if (!READ_ONCE(uv_exiting) && get_random_u32_below(100) < pend_pct) {
		schedule_delayed_work(&b->complete, get_random_u32_below(HZ / 50 + 1));
		ret = -EINPROGRESS;
	}
	if (atomic_dec_and_test(&uv_detaching))
		wake_up(&uv_detach_wq);
	return ret;
}

static void uv_cleanup(void *ctx)
{
	struct uv_binding *b = ctx;

	atomic_set(&b->used, 0);
}

static int uv_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	struct uv_binding *b = uv_binding_get(binding, true);
	const void *pdisp;
	void *pctx;
	int ret;

	if (!b)
		return -ENODEV;
	udelay(get_random_u32_below(50));	/* an offer to a peer, running in our code */
	ret = nmr_client_attach_provider(binding, b, &uv_dispatch, &pctx, &pdisp);
	if (ret)
		atomic_set(&b->used, 0);
	return ret;
}

static int uv_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	struct uv_binding *b = uv_binding_get(binding, false);

	if (!b)
		return -ENODEV;
	*pctx = b;
	*pdisp = &uv_dispatch;
	return 0;
}

static const guid_t uv_npis[] = { NMR_UNLOAD_NPI, NMR_TORTURE_NPI0 };
static const struct nmr_module_id uv_module_id = {
	.length = sizeof(struct nmr_module_id),
	.type = NMR_MIT_GUID,
	.guid = GUID_INIT(0x5eedc0de, 0x0000, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0xac),
};

#define UV_REGS ARRAY_SIZE(uv_npis)
static struct nmr_client_characteristics uv_cc[UV_REGS];
static struct nmr_provider_characteristics uv_pc[UV_REGS];
static struct nmr_client *uv_ch[UV_REGS];
static struct nmr_provider *uv_ph[UV_REGS];

static int __init uv_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < UV_BINDINGS; i++)
		INIT_DELAYED_WORK(&uv_bindings[i].complete, uv_complete);
	for (i = 0; i < UV_REGS; i++) {
		uv_cc[i] = (struct nmr_client_characteristics) {
			.length = sizeof(struct nmr_client_characteristics),
			.attach_provider = uv_attach_provider,
			.detach_provider = uv_detach,
			.cleanup_binding_context = uv_cleanup,
			.registration.npi_id = &uv_npis[i],
			.registration.module_id = &uv_module_id,
			.registration.number = NMR_UNLOAD_VICTIM_MAGIC,
		};
		uv_pc[i] = (struct nmr_provider_characteristics) {
			.length = sizeof(struct nmr_provider_characteristics),
			.attach_client = uv_attach_client,
			.detach_client = uv_detach,
			.cleanup_binding_context = uv_cleanup,
			.registration.npi_id = &uv_npis[i],
			.registration.module_id = &uv_module_id,
			.registration.number = NMR_UNLOAD_VICTIM_MAGIC,
		};
		ret = nmr_register_client(&uv_cc[i], NULL, &uv_ch[i]);
		if (!ret)
			ret = nmr_register_provider(&uv_pc[i], NULL, &uv_ph[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	for (i = 0; i < UV_REGS; i++) {
		if (uv_ch[i])
			nmr_deregister_client_sync(uv_ch[i]);
		if (uv_ph[i])
			nmr_deregister_provider_sync(uv_ph[i]);
	}
	for (i = 0; i < UV_BINDINGS; i++)
		cancel_delayed_work_sync(&uv_bindings[i].complete);
	return ret;
}

static void __exit uv_exit(void)
{
	unsigned int i;

	if (!leak) {
		for (i = 0; i < UV_REGS; i++) {
			nmr_deregister_client_sync(uv_ch[i]);
			nmr_deregister_provider_sync(uv_ph[i]);
		}
	}
	/*
	 * DRG-3: our own machinery. When leaking, a pending side whose work item
	 * is cancelled here never completes: the NMR counts it done (HDL-6).
	 * Detach callbacks may still come until the GOING notifier: none of them
	 * schedules work from now on.
	 */
	WRITE_ONCE(uv_exiting, true);
	smp_mb();	/* pairs with uv_detach() */
	while (!wait_event_timeout(uv_detach_wq, !atomic_read(&uv_detaching), 10 * HZ))
		pr_warn("waiting for %d detach callback(s)\n", atomic_read(&uv_detaching));
	for (i = 0; i < UV_BINDINGS; i++)
		cancel_delayed_work_sync(&uv_bindings[i].complete);
}

module_init(uv_init);
module_exit(uv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("An NMR user unloaded at random moments, for the unload torture (HDL-6)");
