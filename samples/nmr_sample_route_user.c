// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_route_user.c - a route client that adds routes when it binds and never deletes them.
 *
 * The client half of nmr_sample_routes.c (RtmRegisterClient, RtmAddRouteToDest,
 * RtmDeregisterClient on Windows). In attach_provider, once
 * nmr_client_attach_provider() succeeded, it adds routes=N routes through
 * the provider's dispatch table: 10.1.0.0/16, 10.2.0.0/16, ... via
 * 192.168.0.1. It never deletes them: when it leaves (rmmod), its
 * deregistration detaches the binding and the provider drops them.
 *
 * The pattern it teaches: calls made only inside attach_provider need no
 * in-flight protection. No detach callback of a binding runs before its
 * attach_provider has returned, so detach_provider has nothing to wait for
 * and returns 0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int routes = 3;
module_param(routes, uint, 0444);
MODULE_PARM_DESC(routes, "how many routes to add when a route provider binds (0..255)");

/**
 * struct route_user_binding - the client's binding context
 * @added: routes the provider accepted
 * @provider: the provider's name
 */
struct route_user_binding {
	unsigned int added;
	char provider[NMR_SAMPLE_NAME_LEN];
};

static int route_user_attach_provider(struct nmr_binding *binding, void *client_ctx,
				      const struct nmr_registration_instance *provider)
{
	const struct nmr_sample_route_dispatch *rtm;
	struct route_user_binding *ub;
	const void *dispatch;
	void *pctx;
	unsigned int i;
	int ret;

	ub = kzalloc(sizeof(*ub), GFP_KERNEL);
	if (!ub)
		return -ENOMEM;
	strscpy(ub->provider, nmr_sample_name(provider), sizeof(ub->provider));
	ret = nmr_client_attach_provider(binding, ub, NULL, &pctx, &dispatch);
	if (ret) {
		kfree(ub);
		return ret;
	}
	rtm = dispatch;

	for (i = 1; i <= routes; i++) {
		__be32 dest = htonl(0x0a000000 | i << 16);	/* 10.i.0.0 */

		ret = rtm->add_route(pctx, dest, 16, htonl(0xc0a80001));
		if (ret)
			pr_info("attach_provider: add_route(%pI4/16) failed: %d\n", &dest, ret);
		else
			ub->added++;
	}
	pr_info("attach_provider: bound to %s; added %u of %u route(s)\n", ub->provider,
		ub->added, routes);
	return 0;	/* bound, whatever the table said */
}

static int route_user_detach_provider(void *client_binding_ctx)
{
	struct route_user_binding *ub = client_binding_ctx;

	pr_info("detach_provider: %s drops our %u route(s); no call in flight\n", ub->provider,
		ub->added);
	return 0;
}

static void route_user_cleanup(void *client_binding_ctx)
{
	kfree(client_binding_ctx);
}

static const guid_t route_user_npi = NMR_SAMPLE_ROUTE_NPI;
static const struct nmr_module_id route_user_module_id = NMR_SAMPLE_MODULE_ID(5);
static const struct nmr_sample_info route_user_info = { .name = KBUILD_MODNAME };

static const struct nmr_client_characteristics route_user_chars = {
	.length = sizeof(struct nmr_client_characteristics),
	.attach_provider = route_user_attach_provider,
	.detach_provider = route_user_detach_provider,
	.cleanup_binding_context = route_user_cleanup,
	.registration = {
		.npi_id = &route_user_npi,
		.module_id = &route_user_module_id,
		.npi_specific = &route_user_info,
	},
};

static struct nmr_client *route_user;

static int __init route_user_init(void)
{
	int ret;

	if (routes > 255)
		return -EINVAL;
	ret = nmr_register_client(&route_user_chars, NULL, &route_user);
	if (ret)
		return ret;
	pr_info("registered\n");
	return 0;
}

static void __exit route_user_exit(void)
{
	int ret = nmr_deregister_client_sync(route_user);

	pr_info("deregistered (sync: %d)\n", ret);
}

module_init(route_user_init);
module_exit(route_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: route client whose routes leave with its binding");
