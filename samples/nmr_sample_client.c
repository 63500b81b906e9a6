// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_client.c - a hook client that binds to one provider only and gives it a program.
 *
 * Mirrors msquic's kernel-mode NMR client helper: it wants exactly one
 * provider, so its attach_provider declines every provider beyond the first
 * with -ENODEV (STATUS_NOINTERFACE), without calling
 * nmr_client_attach_provider(); and since the offers to providers already
 * registered run inside nmr_register_client(), it checks right after that
 * call whether it is attached, and says so. When its provider leaves, the
 * slot frees up in cleanup and the next provider that registers binds.
 *
 * Its program (struct nmr_sample_hook_program) counts its runs and, with
 * program_delay_ms, works that long per run: rmmod the provider during a
 * run and the provider's detach stays pending until the run returns.
 *
 * It calls the provider's dispatch table (invocations()) right after
 * registering and before leaving, guarded the way the provider guards its
 * runs: by a rundown in the client's binding context, drained by
 * detach_provider.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <nmr/nmr_rundown.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int program_delay_ms;
module_param(program_delay_ms, uint, 0444);
MODULE_PARM_DESC(program_delay_ms, "each run of the program works this long, and says so (0: quick, quiet)");

/**
 * struct client_binding - the client's binding context (there is at most one)
 * @rundown: held across each call into the provider's dispatch table
 * @binding: the client side's binding handle
 * @provider_ctx: the provider's binding context
 * @hook: the provider's dispatch table
 * @runs: how many times the provider ran our program
 * @provider: the provider's name
 */
struct client_binding {
	struct nmr_rundown rundown;
	struct nmr_binding *binding;
	void *provider_ctx;
	const struct nmr_sample_hook_dispatch *hook;
	atomic64_t runs;
	char provider[NMR_SAMPLE_NAME_LEN];
};

/*
 * client_lock protects client_taken (an attach_provider claimed the one
 * slot) and client_bound (the attached binding, set once attached, cleared
 * in cleanup). Attach callbacks may run concurrently (ATT-12).
 */
static DEFINE_SPINLOCK(client_lock);
static bool client_taken;
static struct client_binding *client_bound;
static char client_first[NMR_SAMPLE_NAME_LEN];	/* whom we are bound to, for messages */

/* The program. The provider may run it before our attach_provider returned. */
static int client_run(void *client_binding_ctx, u64 arg)
{
	struct client_binding *cb = client_binding_ctx;
	u64 n = atomic64_inc_return(&cb->runs);

	if (program_delay_ms) {
		pr_info("program: run %llu (tick %llu) works %u ms\n",
			(unsigned long long)n, (unsigned long long)arg, program_delay_ms);
		msleep(program_delay_ms);
		pr_info("program: run %llu returns\n", (unsigned long long)n);
	}
	return 0;
}

static const struct nmr_sample_hook_program client_program = {
	.run = client_run,
};

static int client_attach_provider(struct nmr_binding *binding, void *client_ctx,
				  const struct nmr_registration_instance *provider)
{
	char first[NMR_SAMPLE_NAME_LEN];
	struct client_binding *cb;
	const void *dispatch;
	int ret;

	spin_lock(&client_lock);
	if (client_taken) {
		strscpy(first, client_first, sizeof(first));
		spin_unlock(&client_lock);
		pr_info("attach_provider: declining %s (number %u): already bound to %s (-ENODEV)\n",
			nmr_sample_name(provider), provider->number, first);
		return -ENODEV;
	}
	client_taken = true;
	strscpy(client_first, nmr_sample_name(provider), sizeof(client_first));
	spin_unlock(&client_lock);

	ret = -ENOMEM;
	cb = kzalloc(sizeof(*cb), GFP_KERNEL);
	if (!cb)
		goto err_slot;
	ret = nmr_rundown_init(&cb->rundown);
	if (ret)
		goto err_free;
	cb->binding = binding;
	atomic64_set(&cb->runs, 0);
	strscpy(cb->provider, nmr_sample_name(provider), sizeof(cb->provider));

	/* Everything the program needs is set up before the provider can run it. */
	ret = nmr_client_attach_provider(binding, cb, &client_program, &cb->provider_ctx,
					 &dispatch);
	if (ret)
		goto err_rundown;
	cb->hook = dispatch;

	spin_lock(&client_lock);
	client_bound = cb;
	spin_unlock(&client_lock);
	pr_info("attach_provider: bound to %s (number %u)\n", cb->provider, provider->number);
	return 0;

err_rundown:
	nmr_rundown_exit(&cb->rundown);
err_free:
	kfree(cb);
err_slot:
	spin_lock(&client_lock);
	client_taken = false;
	spin_unlock(&client_lock);
	return ret;
}

/* The last of our calls into the provider returned. Any context. */
static void client_drained(struct nmr_rundown *r)
{
	struct client_binding *cb = container_of(r, struct client_binding, rundown);

	nmr_client_detach_provider_complete(cb->binding);
}

static int client_detach_provider(void *client_binding_ctx)
{
	struct client_binding *cb = client_binding_ctx;

	pr_info("detach_provider: %s leaves after %llu runs of our program\n", cb->provider,
		(unsigned long long)atomic64_read(&cb->runs));
	nmr_rundown_drain(&cb->rundown, client_drained);
	return -EINPROGRESS;
}

static void client_cleanup(void *client_binding_ctx)
{
	struct client_binding *cb = client_binding_ctx;

	spin_lock(&client_lock);
	client_bound = NULL;
	client_taken = false;	/* the next provider may bind */
	spin_unlock(&client_lock);
	nmr_rundown_exit(&cb->rundown);
	pr_info("cleanup: binding context freed; free for the next provider\n");
	kfree(cb);
}

/* Ask the bound provider how often it ran our program; false if not bound. */
static bool client_query(char *name, size_t len, u64 *n)
{
	struct client_binding *cb;

	spin_lock(&client_lock);
	cb = client_bound;
	if (cb && !nmr_rundown_acquire(&cb->rundown))
		cb = NULL;	/* detaching: no new call into the provider */
	spin_unlock(&client_lock);
	if (!cb)
		return false;
	strscpy(name, cb->provider, len);
	*n = cb->hook->invocations(cb->provider_ctx);
	nmr_rundown_release(&cb->rundown);
	return true;
}

static const guid_t client_npi = NMR_SAMPLE_HOOK_NPI;
static const struct nmr_module_id client_module_id = NMR_SAMPLE_MODULE_ID(2);
static const struct nmr_sample_info client_info = { .name = KBUILD_MODNAME };

static const struct nmr_client_characteristics client_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = client_attach_provider,
	.detach_provider = client_detach_provider,
	.cleanup_binding_context = client_cleanup,
	.registration = {
		.npi_id = &client_npi,
		.module_id = &client_module_id,
		.npi_specific = &client_info,
	},
};

static struct nmr_client *client;

static int __init client_init(void)
{
	char name[NMR_SAMPLE_NAME_LEN];
	u64 n;
	int ret;

	ret = nmr_register_client(&client_chars, NULL, &client);
	if (ret)
		return ret;
	/* The offers to the providers already registered have run (ATT-2). */
	if (client_query(name, sizeof(name), &n))
		pr_info("registered: attached to %s inside nmr_register_client()\n", name);
	else
		pr_info("registered: no provider yet; the first to register will attach\n");
	return 0;
}

static void __exit client_exit(void)
{
	char name[NMR_SAMPLE_NAME_LEN];
	u64 n;
	int ret;

	if (client_query(name, sizeof(name), &n))
		pr_info("leaving: %s says it ran our program %llu times\n", name,
			(unsigned long long)n);
	ret = nmr_deregister_client_sync(client);
	pr_info("deregistered (sync: %d)\n", ret);
	rcu_barrier();	/* DRG-3: client_drained() may run in an RCU callback */
}

module_init(client_init);
module_exit(client_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: a hook client bound to one provider at most");
