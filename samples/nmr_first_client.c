// SPDX-License-Identifier: GPL-2.0
/* The smallest client: binds to every provider of the NPI and calls it once. */
#include <linux/module.h>
#include "nmr_first.h"
NMR_IMPORT_NS();

static const guid_t npi = NMR_FIRST_NPI;
static const struct nmr_module_id me = { .length = sizeof(me), .type = NMR_MIT_GUID };
static struct nmr_client *client;

static int attach_provider(struct nmr_binding *binding, void *client_ctx,
			   const struct nmr_registration_instance *provider)
{
	const struct nmr_first_dispatch *ops;
	const void *dispatch;
	void *provider_ctx;
	int ret;

	ret = nmr_client_attach_provider(binding, NULL, NULL, &provider_ctx, &dispatch);
	if (ret)
		return ret;		/* the provider declined */
	ops = dispatch;
	pr_info("nmr_first_client: bound; the answer is %d\n", ops->answer(provider_ctx));
	return 0;
}

static int detach_provider(void *binding_ctx)
{
	return 0;			/* no call of ours in flight: done */
}

static const struct nmr_client_characteristics chars = {
	.length = sizeof(chars), .attach_provider = attach_provider,
	.detach_provider = detach_provider,
	.registration = { .npi_id = &npi, .module_id = &me },
};

static int __init first_init(void)
{
	return nmr_register_client(&chars, NULL, &client);
}

static void __exit first_exit(void)
{
	nmr_deregister_client_sync(client);	/* detaches from every provider, waits */
}

module_init(first_init);
module_exit(first_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr: the smallest client (README: your first client)");
