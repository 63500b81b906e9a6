// SPDX-License-Identifier: GPL-2.0
/*
 * nmr_sample_routes.c - a route-table provider that removes a client's routes when it detaches.
 *
 * Mirrors a routing table manager's client deregistration (RtmDeregisterClient
 * of Windows' Routing Table Manager: "deletes all routes the client added").
 * Clients of the "route" NPI add routes through the provider's dispatch table;
 * each route remembers the binding that added it. When a binding detaches,
 * for whichever side's deregistration, every route it added leaves the table.
 *
 * The pattern it teaches: provider state keyed by the binding, torn down in
 * detach. Detach finishes at once (returns 0): a client's add_route() that
 * races it finds the binding marked detached under the table lock and fails
 * with -ESHUTDOWN, and the binding context it reads stays valid until cleanup,
 * which comes only after the client's own side is done (CLN-3).
 *
 * The table is in debugfs, /sys/kernel/debug/nmr_sample_routes/table: one
 * line per route, e.g.
 *   route dest=10.1.0.0/16 gateway=192.168.0.1 binding=1 client=nmr_sample_route_user
 * where binding is this provider's number for the owning binding (it prints
 * it in its attach and detach messages) and client the owner's name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/inetdevice.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "nmr_sample.h"

NMR_IMPORT_NS();

static unsigned int max_routes = 16;
module_param(max_routes, uint, 0444);
MODULE_PARM_DESC(max_routes, "table capacity: add_route() fails with -ENOSPC beyond it");

/**
 * struct routes_binding - the provider's binding context, one per client
 * @id: this provider's number for the binding
 * @detached: detach_client ran: add_route() fails from now on (routes_lock)
 * @client: the client's name
 */
struct routes_binding {
	unsigned int id;
	bool detached;
	char client[NMR_SAMPLE_NAME_LEN];
};

/**
 * struct route - one entry of the table
 * @node: in routes_table (routes_lock)
 * @dest: destination prefix, network byte order
 * @gateway: next hop, network byte order
 * @prefix_len: 0..32
 * @owner: the binding that added it; valid while the route is in the table
 */
struct route {
	struct list_head node;
	__be32 dest;
	__be32 gateway;
	u8 prefix_len;
	struct routes_binding *owner;
};

/* routes_lock protects routes_table, routes_count, routes_next_id and ->detached. */
static DEFINE_SPINLOCK(routes_lock);
static LIST_HEAD(routes_table);
static unsigned int routes_count;
static unsigned int routes_next_id;

static int routes_add_route(void *provider_binding_ctx, __be32 dest, u8 prefix_len,
			    __be32 gateway)
{
	struct routes_binding *rb = provider_binding_ctx;
	struct route *rt, *new;
	int ret = 0;

	if (prefix_len > 32 || (dest & ~inet_make_mask(prefix_len)))
		return -EINVAL;
	new = kzalloc(sizeof(*new), GFP_KERNEL);	/* outside the lock: it may sleep */
	if (!new)
		return -ENOMEM;
	new->dest = dest;
	new->gateway = gateway;
	new->prefix_len = prefix_len;
	new->owner = rb;

	spin_lock(&routes_lock);
	if (rb->detached) {
		ret = -ESHUTDOWN;
		goto out;
	}
	list_for_each_entry(rt, &routes_table, node) {
		if (rt->dest == dest && rt->prefix_len == prefix_len) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (routes_count >= max_routes) {
		ret = -ENOSPC;
		goto out;
	}
	list_add_tail(&new->node, &routes_table);
	routes_count++;
	new = NULL;
out:
	spin_unlock(&routes_lock);
	kfree(new);
	return ret;
}

static const struct nmr_sample_route_dispatch routes_dispatch = {
	.add_route = routes_add_route,
};

static int routes_attach_client(struct nmr_binding *binding, void *provider_ctx,
				const struct nmr_registration_instance *client,
				void *client_binding_ctx, const void *client_dispatch,
				void **provider_binding_ctx, const void **provider_dispatch)
{
	struct routes_binding *rb = kzalloc(sizeof(*rb), GFP_KERNEL);

	if (!rb)
		return -ENOMEM;
	strscpy(rb->client, nmr_sample_name(client), sizeof(rb->client));
	spin_lock(&routes_lock);
	rb->id = ++routes_next_id;
	spin_unlock(&routes_lock);

	*provider_binding_ctx = rb;
	*provider_dispatch = &routes_dispatch;
	pr_info("attach_client: %s attached as binding %u\n", rb->client, rb->id);
	return 0;
}

/* RtmDeregisterClient: the binding's routes leave the table, now. */
static int routes_detach_client(void *provider_binding_ctx)
{
	struct routes_binding *rb = provider_binding_ctx;
	struct route *rt, *tmp;
	unsigned int n = 0;

	spin_lock(&routes_lock);
	rb->detached = true;
	list_for_each_entry_safe(rt, tmp, &routes_table, node) {
		if (rt->owner != rb)
			continue;
		list_del(&rt->node);
		routes_count--;
		kfree(rt);
		n++;
	}
	spin_unlock(&routes_lock);
	pr_info("detach_client: binding %u (%s): removed its %u route(s)\n", rb->id, rb->client, n);
	return 0;
}

static void routes_cleanup(void *provider_binding_ctx)
{
	struct routes_binding *rb = provider_binding_ctx;

	pr_info("cleanup: binding %u freed\n", rb->id);
	kfree(rb);
}

/* debugfs: one line per route, key=value, no kernel pointers. */
static int routes_table_show(struct seq_file *m, void *unused)
{
	struct route *rt;

	spin_lock(&routes_lock);
	list_for_each_entry(rt, &routes_table, node)
		seq_printf(m, "route dest=%pI4/%u gateway=%pI4 binding=%u client=%s\n",
			   &rt->dest, rt->prefix_len, &rt->gateway, rt->owner->id,
			   rt->owner->client);
	spin_unlock(&routes_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(routes_table);

static const guid_t routes_npi = NMR_SAMPLE_ROUTE_NPI;
static const struct nmr_module_id routes_module_id = NMR_SAMPLE_MODULE_ID(4);
static const struct nmr_sample_info routes_info = { .name = KBUILD_MODNAME };

static const struct nmr_provider_characteristics routes_chars = {
	.length = sizeof(struct nmr_provider_characteristics),
	.attach_client = routes_attach_client,
	.detach_client = routes_detach_client,
	.cleanup_binding_context = routes_cleanup,
	.registration = {
		.npi_id = &routes_npi,
		.module_id = &routes_module_id,
		.npi_specific = &routes_info,
	},
};

static struct nmr_provider *routes_provider;
static struct dentry *routes_dir;

static int __init routes_init(void)
{
	int ret;

	routes_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("table", 0400, routes_dir, NULL, &routes_table_fops);
	ret = nmr_register_provider(&routes_chars, NULL, &routes_provider);
	if (ret) {
		debugfs_remove_recursive(routes_dir);
		return ret;
	}
	pr_info("registered; table of %u routes at /sys/kernel/debug/%s/table\n", max_routes,
		KBUILD_MODNAME);
	return 0;
}

static void __exit routes_exit(void)
{
	int ret = nmr_deregister_provider_sync(routes_provider);

	pr_info("deregistered (sync: %d); %u route(s) left\n", ret, routes_count);
	debugfs_remove_recursive(routes_dir);	/* waits for readers of the table */
}

module_init(routes_init);
module_exit(routes_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: route table whose clients' routes leave with their bindings");
