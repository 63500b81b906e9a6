// SPDX-License-Identifier: GPL-2.0
/* nmr_bench's comparators: the kernel's own ways to bind, an auxiliary bus and a notifier chain. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/auxiliary_bus.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include "bench.h"

/* ---- the auxiliary bus: a device added binds its driver, deleted unbinds it ---- */

#if BENCH_HAVE_AUX
static unsigned long bench_aux_nr_probed, bench_aux_removed;
static u32 bench_aux_next_id;
static struct device *bench_root;

static int bench_aux_probe(struct auxiliary_device *adev, const struct auxiliary_device_id *id)
{
	bench_aux_nr_probed++;
	return 0;
}

static void bench_aux_remove(struct auxiliary_device *adev)
{
	bench_aux_removed++;
}

static const struct auxiliary_device_id bench_aux_ids[] = {
	{ .name = KBUILD_MODNAME ".cycle" },
	{ }
};

static struct auxiliary_driver bench_aux_driver = {
	.name = "drv",
	.probe = bench_aux_probe,
	.remove = bench_aux_remove,
	.id_table = bench_aux_ids,
};

static void bench_aux_release(struct device *dev)
{
	kfree(to_auxiliary_dev(dev));
}

/* Devices the driver bound so far. */
unsigned long bench_aux_probed(void)
{
	return bench_aux_nr_probed;
}

/* Add an auxiliary device "nmr_bench.cycle.<id>": the driver binds during the add. */
struct auxiliary_device *bench_aux_add(void)
{
	struct auxiliary_device *adev;
	int ret;

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return ERR_PTR(-ENOMEM);
	adev->name = "cycle";
	adev->id = bench_aux_next_id++;
	adev->dev.parent = bench_root;
	adev->dev.release = bench_aux_release;
	ret = auxiliary_device_init(adev);
	if (ret) {
		kfree(adev);
		return ERR_PTR(ret);
	}
	ret = auxiliary_device_add(adev);
	if (ret) {
		auxiliary_device_uninit(adev);
		return ERR_PTR(ret);
	}
	return adev;
}

/* Delete it (the driver unbinds) and drop the last reference (it is freed). */
void bench_aux_del(struct auxiliary_device *adev)
{
	auxiliary_device_delete(adev);
	auxiliary_device_uninit(adev);
}

/* Row 1: add a device (the driver binds), delete it (unbinds, frees). */
int bench_aux_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	struct auxiliary_device *adev;
	bool bound;
	u64 i, t0;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		adev = bench_aux_add();
		if (IS_ERR(adev))
			return PTR_ERR(adev);
		bound = adev->dev.driver;
		bench_aux_del(adev);
		if (!bound)
			return -ENODEV;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* The root device the auxiliary devices hang from, and their driver. */
int bench_compare_setup(void)
{
	int ret;

	bench_root = root_device_register(KBUILD_MODNAME);
	if (IS_ERR(bench_root))
		return PTR_ERR(bench_root);
	ret = auxiliary_driver_register(&bench_aux_driver);
	if (ret)
		root_device_unregister(bench_root);
	return ret;
}

void bench_compare_teardown(void)
{
	auxiliary_driver_unregister(&bench_aux_driver);
	root_device_unregister(bench_root);
}
#else
unsigned long bench_aux_probed(void)
{
	return 0;
}

struct auxiliary_device *bench_aux_add(void)
{
	return ERR_PTR(-ENODEV);
}

void bench_aux_del(struct auxiliary_device *adev)
{
}

int bench_aux_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	return -ENODEV;
}

int bench_compare_setup(void)
{
	return 0;
}

void bench_compare_teardown(void)
{
}
#endif

/* ---- the notifier chain: the floor of "registration" ---- */

static BLOCKING_NOTIFIER_HEAD(bench_chain);

static int bench_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	return NOTIFY_DONE;
}

static struct notifier_block bench_nb = {
	.notifier_call = bench_notify,
};

/* Row 1: register a notifier_block on a blocking chain, unregister it. */
int bench_notifier_cycle(void *arg, u64 iters, u64 *ns, u64 *sub)
{
	u64 i, t0;
	int ret;

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = blocking_notifier_chain_register(&bench_chain, &bench_nb);
		if (ret)
			return ret;
		ret = blocking_notifier_chain_unregister(&bench_chain, &bench_nb);
		if (ret)
			return ret;
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}
