// SPDX-License-Identifier: GPL-2.0
/* The smallest provider: accepts every client, hands it one function, nothing to clean up. */
#include <linux/module.h>
#include "nmr_first.h"
NMR_IMPORT_NS();

static const guid_t npi = NMR_FIRST_NPI;
static const struct nmr_module_id me = { .length = sizeof(me), .type = NMR_MIT_GUID };
static struct nmr_provider *provider;

static int answer(void *provider_binding_ctx)
{
	return 42;
}

static const struct nmr_first_dispatch dispatch = { .answer = answer };

static int attach_client(struct nmr_binding *binding, void *provider_ctx,
			 const struct nmr_registration_instance *client, void *client_binding_ctx,
			 const void *client_dispatch, void **binding_ctx, const void **out_dispatch)
{
	*binding_ctx = NULL;		/* no per-client state */
	*out_dispatch = &dispatch;
	return 0;			/* accept; -ENODEV declines */
}

static int detach_client(void *binding_ctx)
{
	return 0;			/* no call of the client's in flight: done */
}

static const struct nmr_provider_characteristics chars = {
	.length = sizeof(chars), .attach_client = attach_client, .detach_client = detach_client,
	.registration = { .npi_id = &npi, .module_id = &me },
};

static int __init first_init(void)
{
	return nmr_register_provider(&chars, NULL, &provider);
}

static void __exit first_exit(void)
{
	nmr_deregister_provider_sync(provider);	/* detaches every client, waits */
}

module_init(first_init);
module_exit(first_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmr: the smallest provider (README: your first provider)");
