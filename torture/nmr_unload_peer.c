// SPDX-License-Identifier: GPL-2.0
/*
 * The peer of the unload torture (HDL-6): binds to every registration of
 * nmr_unload_victim, which the guest script loads and unloads in a loop, and
 * keeps it busy: a thread calls the victim's dispatch function under rundown
 * protection (EXT-3), another registers and deregisters peers so that offers to
 * the victim run on it, and detaches drain the rundown and often pend for a
 * while. Module notifiers on both sides of the NMR's own record what each unload
 * hit (before) and check that the NMR let the victim go only when every peer
 * side was done (after). rmmod prints PASS or FAIL with the counts.
 *
 *	insmod nmr_unload_peer.ko
 *	(insmod / rmmod nmr_unload_victim.ko in a loop)
 *	rmmod nmr_unload_peer	-> "nmr_unload_peer: PASS ..." or "... FAIL ..."
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>
#include <nmr/nmr_rundown.h>

#include "nmr_unload.h"

NMR_IMPORT_NS();

static unsigned int pend_pct = 30;
module_param(pend_pct, uint, 0444);
MODULE_PARM_DESC(pend_pct, "percent of drained detaches that complete later, from a work item");

static struct {
	atomic_long_t unloads, with_offers, with_pending, with_calls, with_bindings;
	atomic_long_t offers, bindings, calls, detaches, registers;
	atomic_long_t failures;
} upeer;

/* What is in flight now, read by the notifiers. */
static atomic_t up_offers_now, up_pending_now, up_calls_now;

#define up_fail(fmt, ...)						\
	do {								\
		atomic_long_inc(&upeer.failures);				\
		pr_err("FAIL: " fmt "\n", ##__VA_ARGS__);		\
	} while (0)

/**
 * struct up_binding - our side of one binding to the victim
 * @node: in up_list while calls may start (up_lock)
 * @rd: rundown protection of the calls into the victim (EXT-3)
 * @handle: our side's binding handle
 * @client: we are the client side
 * @disp: the victim's dispatch table
 * @vctx: the victim's binding context, passed to its dispatch function
 * @complete: completes a pending detach later
 */
struct up_binding {
	struct list_head node;
	struct nmr_rundown rd;
	struct nmr_binding *handle;
	bool client;
	const struct nmr_unload_dispatch *disp;
	void *vctx;
	struct delayed_work complete;
};

static LIST_HEAD(up_list);
static unsigned int up_count;		/* entries of up_list */
static DEFINE_SPINLOCK(up_lock);	/* up_list, up_count */

static void up_complete(struct up_binding *ub)
{
	atomic_dec(&up_pending_now);	/* before: the NMR may let the victim go at once */
	if (ub->client)
		nmr_client_detach_provider_complete(ub->handle);
	else
		nmr_provider_detach_client_complete(ub->handle);
}

static void up_complete_work(struct work_struct *work)
{
	up_complete(container_of(to_delayed_work(work), struct up_binding, complete));
}

/* The last call into the victim through @rd returned: any context. */
static void up_drained(struct nmr_rundown *rd)
{
	struct up_binding *ub = container_of(rd, struct up_binding, rd);

	if (get_random_u32_below(100) < pend_pct)
		schedule_delayed_work(&ub->complete, get_random_u32_below(HZ / 20 + 1));
	else
		up_complete(ub);
}

/* DET-4: no new call from now on; the detach completes when the last one returned. */
static int up_detach(void *ctx)
{
	struct up_binding *ub = ctx;

	spin_lock(&up_lock);
	list_del(&ub->node);
	up_count--;
	spin_unlock(&up_lock);
	atomic_long_inc(&upeer.detaches);
	atomic_inc(&up_pending_now);
	nmr_rundown_drain(&ub->rd, up_drained);
	return -EINPROGRESS;
}

static void up_cleanup(void *ctx)
{
	struct up_binding *ub = ctx;

	cancel_delayed_work_sync(&ub->complete);	/* DRG-3: our own machinery */
	nmr_rundown_exit(&ub->rd);
	kfree(ub);
}

static struct up_binding *up_binding_new(struct nmr_binding *handle, bool client)
{
	struct up_binding *ub = kzalloc(sizeof(*ub), GFP_KERNEL);

	if (!ub)
		return NULL;
	if (nmr_rundown_init(&ub->rd)) {
		kfree(ub);
		return NULL;
	}
	ub->handle = handle;
	ub->client = client;
	INIT_DELAYED_WORK(&ub->complete, up_complete_work);
	return ub;
}

static void up_binding_publish(struct up_binding *ub, const void *disp, void *vctx)
{
	ub->disp = disp;
	ub->vctx = vctx;
	atomic_long_inc(&upeer.bindings);
	spin_lock(&up_lock);
	list_add_tail(&ub->node, &up_list);
	up_count++;
	spin_unlock(&up_lock);
}

/* An offer with the victim runs here a while: the victim may be unloading meanwhile. */
static void up_offer_delay(void)
{
	atomic_long_inc(&upeer.offers);
	usleep_range(50, 100 + get_random_u32_below(1000));
}

static int up_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	const struct nmr_unload_dispatch *disp;
	struct up_binding *ub;
	const void *pdisp;
	void *pctx;
	int ret = -ENODEV;

	if (provider->number != NMR_UNLOAD_VICTIM_MAGIC)
		return -ENODEV;		/* only the victim */
	atomic_inc(&up_offers_now);
	up_offer_delay();
	ub = up_binding_new(binding, true);
	if (!ub)
		goto out;
	ret = nmr_client_attach_provider(binding, ub, NULL, &pctx, &pdisp);
	if (ret) {
		nmr_rundown_exit(&ub->rd);
		kfree(ub);
		goto out;
	}
	disp = pdisp;
	if (disp->magic != NMR_UNLOAD_VICTIM_MAGIC)
		up_fail("the victim provider's dispatch table is not its own (ATT-4)");
	up_binding_publish(ub, disp, pctx);
out:
	atomic_dec(&up_offers_now);
	return ret;
}

static int up_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *cctx, const void *cdisp, void **pctx, const void **pdisp)
{
	const struct nmr_unload_dispatch *disp = cdisp;
	struct up_binding *ub;
	int ret = -ENOMEM;

	if (client->number != NMR_UNLOAD_VICTIM_MAGIC)
		return -ENODEV;
	atomic_inc(&up_offers_now);
	up_offer_delay();
	if (disp->magic != NMR_UNLOAD_VICTIM_MAGIC)
		up_fail("the victim client's dispatch table is not its own (ATT-4)");
	ub = up_binding_new(binding, false);
	if (ub) {
		*pctx = ub;
		*pdisp = NULL;
		up_binding_publish(ub, disp, cctx);
		ret = 0;
	}
	atomic_dec(&up_offers_now);
	return ret;
}

static const guid_t up_npi = NMR_UNLOAD_NPI;

static const struct nmr_client_characteristics up_cc = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = up_attach_provider,
	.detach_provider = up_detach,
	.cleanup_binding_context = up_cleanup,
	.registration.npi_id = &up_npi,
};

static const struct nmr_provider_characteristics up_pc = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = up_attach_client,
	.detach_client = up_detach,
	.cleanup_binding_context = up_cleanup,
	.registration.npi_id = &up_npi,
};

/* Call the victim's dispatch function through a random binding, under its rundown. */
static int up_caller_fn(void *unused)
{
	struct up_binding *ub;
	unsigned int i, k, n;

	while (!kthread_should_stop()) {
		ub = NULL;
		spin_lock(&up_lock);
		if (up_count) {
			k = get_random_u32_below(up_count);
			list_for_each_entry(ub, &up_list, node)
				if (!k--)
					break;
			if (!nmr_rundown_acquire(&ub->rd))
				ub = NULL;
		}
		spin_unlock(&up_lock);
		if (!ub) {
			usleep_range(200, 500);
			continue;
		}
		/* In flight: in the victim's code, or holding its pointers, until release. */
		atomic_inc(&up_calls_now);
		n = 1 + get_random_u32_below(8);
		for (i = 0; i < n; i++) {
			ub->disp->call(ub->vctx, get_random_u32());
			atomic_long_inc(&upeer.calls);
			if (i + 1 < n)
				usleep_range(100, 300);
		}
		atomic_dec(&up_calls_now);	/* before the release that may let the victim go */
		nmr_rundown_release(&ub->rd);
		usleep_range(100, 400);
	}
	return 0;
}

/* Register a peer, hold it a while, deregister it: its offers to the victim run here. */
static int up_offerer_fn(void *unused)
{
	struct nmr_provider *ph;
	struct nmr_client *ch;
	int ret;

	while (!kthread_should_stop()) {
		atomic_long_inc(&upeer.registers);
		if (get_random_u32_below(2)) {
			ret = nmr_register_client(&up_cc, NULL, &ch);
			if (!ret) {
				usleep_range(200, 2000);
				ret = nmr_deregister_client_sync(ch);
			}
		} else {
			ret = nmr_register_provider(&up_pc, NULL, &ph);
			if (!ret) {
				usleep_range(200, 2000);
				ret = nmr_deregister_provider_sync(ph);
			}
		}
		if (ret)
			up_fail("a peer's register or deregister_sync returned %d", ret);
		usleep_range(200, 1000);
	}
	return 0;
}

static bool up_is_victim(unsigned long action, void *data)
{
	const struct module *mod = data;

	return action == MODULE_STATE_GOING && !strcmp(mod->name, NMR_UNLOAD_VICTIM_NAME);
}

/* Bindings to the victim now. */
static unsigned int up_bound(void)
{
	unsigned int bound;

	spin_lock(&up_lock);
	bound = up_count;
	spin_unlock(&up_lock);
	return bound;
}

/* Runs before the NMR's GOING handler: what this unload found in flight. */
static int up_before_going(struct notifier_block *nb, unsigned long action, void *data)
{
	unsigned int bound;

	if (!up_is_victim(action, data))
		return NOTIFY_DONE;
	bound = up_bound();
	atomic_long_inc(&upeer.unloads);
	if (atomic_read(&up_offers_now))
		atomic_long_inc(&upeer.with_offers);
	if (atomic_read(&up_pending_now))
		atomic_long_inc(&upeer.with_pending);
	if (atomic_read(&up_calls_now))
		atomic_long_inc(&upeer.with_calls);
	if (bound)
		atomic_long_inc(&upeer.with_bindings);
	return NOTIFY_DONE;
}

/* Runs after it: the victim's memory goes now, so nothing of ours may still use it (HDL-6). */
static int up_after_going(struct notifier_block *nb, unsigned long action, void *data)
{
	unsigned int bound;

	if (!up_is_victim(action, data))
		return NOTIFY_DONE;
	bound = up_bound();
	if (bound || atomic_read(&up_offers_now) || atomic_read(&up_pending_now) ||
	    atomic_read(&up_calls_now))
		up_fail("victim gone with %u bound, %d offers, %d pending, %d calls (HDL-6)",
			bound, atomic_read(&up_offers_now), atomic_read(&up_pending_now),
			atomic_read(&up_calls_now));
	return NOTIFY_DONE;
}

/* Higher priorities run first; the NMR's notifier has priority 0. */
static struct notifier_block up_before_nb = {
	.notifier_call = up_before_going,
	.priority = 1,
};

static struct notifier_block up_after_nb = {
	.notifier_call = up_after_going,
	.priority = -1,
};

#define UP_REGS 2
static struct nmr_client *up_ch[UP_REGS];
static struct nmr_provider *up_ph[UP_REGS];
static struct task_struct *up_caller, *up_offerer;

static void up_deregister_all(void)
{
	unsigned int i;

	for (i = 0; i < UP_REGS; i++) {
		if (up_ch[i] && nmr_deregister_client_sync(up_ch[i]))
			up_fail("client deregister_sync");
		if (up_ph[i] && nmr_deregister_provider_sync(up_ph[i]))
			up_fail("provider deregister_sync");
		up_ch[i] = NULL;
		up_ph[i] = NULL;
	}
}

static int __init up_init(void)
{
	unsigned int i;
	int ret;

	ret = register_module_notifier(&up_before_nb);
	if (ret)
		return ret;
	ret = register_module_notifier(&up_after_nb);
	if (ret)
		goto err_before;
	for (i = 0; i < UP_REGS; i++) {
		ret = nmr_register_client(&up_cc, NULL, &up_ch[i]);
		if (!ret)
			ret = nmr_register_provider(&up_pc, NULL, &up_ph[i]);
		if (ret)
			goto err_regs;
	}
	up_caller = kthread_run(up_caller_fn, NULL, "nmr_unload_call");
	if (IS_ERR(up_caller)) {
		ret = PTR_ERR(up_caller);
		goto err_regs;
	}
	up_offerer = kthread_run(up_offerer_fn, NULL, "nmr_unload_offer");
	if (IS_ERR(up_offerer)) {
		ret = PTR_ERR(up_offerer);
		kthread_stop(up_caller);
		goto err_regs;
	}
	return 0;
err_regs:
	up_deregister_all();
	unregister_module_notifier(&up_after_nb);
err_before:
	unregister_module_notifier(&up_before_nb);
	return ret;
}

static void __exit up_exit(void)
{
	kthread_stop(up_offerer);
	kthread_stop(up_caller);
	up_deregister_all();
	unregister_module_notifier(&up_after_nb);
	unregister_module_notifier(&up_before_nb);
	pr_info("%ld victim unloads: %ld with offers to it in flight, %ld with peer detaches pending, %ld with dispatch calls in flight, %ld with bindings attached\n",
		atomic_long_read(&upeer.unloads), atomic_long_read(&upeer.with_offers),
		atomic_long_read(&upeer.with_pending), atomic_long_read(&upeer.with_calls),
		atomic_long_read(&upeer.with_bindings));
	pr_info("%ld peer registrations, %ld offers with the victim, %ld bindings, %ld detaches, %ld dispatch calls\n",
		atomic_long_read(&upeer.registers), atomic_long_read(&upeer.offers),
		atomic_long_read(&upeer.bindings), atomic_long_read(&upeer.detaches),
		atomic_long_read(&upeer.calls));
	pr_info("%s: %ld failure(s)\n", atomic_long_read(&upeer.failures) ? "FAIL" : "PASS",
		atomic_long_read(&upeer.failures));
}

module_init(up_init);
module_exit(up_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("The peer of the NMR unload torture: calls into a module that unloads at random");
