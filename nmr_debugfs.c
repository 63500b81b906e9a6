// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/debug/nmr: every registration and binding, one line each (EXT-1). */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>

#include "nmr_compat.h"
#include "nmr_internal.h"

static struct dentry *nmr_debugfs_dir;

static void nmr_show_module_id(struct seq_file *m, const struct nmr_module_id *id)
{
	switch (id->type) {
	case NMR_MIT_GUID:
		seq_printf(m, " module=%pUl", &id->guid);
		break;
	case NMR_MIT_IF_LUID:
		seq_printf(m, " module=luid:%llx", id->if_luid);
		break;
	default:
		seq_puts(m, " module=none");
	}
}

/*
 * Both files are read under nmr_lock, the writers' mutex: a consistent
 * picture, taken between two state changes. Only copies the NMR made at
 * registration are read, never the registering module's memory (HDL-6), and
 * ids are printed, never pointers. Registrations are listed module by module
 * (nmr_owners), each module's in registration order.
 */
static int nmr_show_each(struct seq_file *m,
			 void (*show)(struct seq_file *m, const struct nmr_reg *r))
{
	struct nmr_owner *o;
	struct nmr_reg *r;
	unsigned int bkt;

	mutex_lock(&nmr_lock);
	hash_for_each(nmr_owners, bkt, o, node)
		list_for_each_entry(r, &o->regs, all_node)
			show(m, r);
	mutex_unlock(&nmr_lock);
	return 0;
}

/* One line of the registrations file: @r. nmr_lock held. */
static void nmr_show_reg(struct seq_file *m, const struct nmr_reg *r)
{
	unsigned int bindings = 0, offers = 0;
	struct nmr_side *s;

	list_for_each_entry(s, &r->bindings[r->role], node) {
		if (READ_ONCE(nmr_side_binding(s, r->role)->state) == NMR_BINDING_OFFERED)
			offers++;
		else
			bindings++;
	}
	seq_printf(m, "%s id=%llu owner=%s npi=%pUl", nmr_role_name[r->role], r->id,
		   r->owner_name, &r->npi_id);
	nmr_show_module_id(m, &r->module_id);
	seq_printf(m, " number=%u state=%s bindings=%u offers=%u\n", r->number,
		   nmr_reg_state_name(r), bindings, offers);
}

VISIBLE_IF_KUNIT int nmr_registrations_show(struct seq_file *m, void *unused)
{
	return nmr_show_each(m, nmr_show_reg);
}
EXPORT_SYMBOL_IF_KUNIT(nmr_registrations_show);
DEFINE_SHOW_ATTRIBUTE(nmr_registrations);

/*
 * The lines of the bindings file for @r's bindings, if @r is a client: each
 * binding has exactly one. nmr_lock held.
 */
static void nmr_show_client_bindings(struct seq_file *m, const struct nmr_reg *r)
{
	unsigned long now = jiffies, flags, pending;
	enum nmr_side_state st[2];
	enum nmr_binding_state bs;
	struct nmr_binding *b;
	struct nmr_side *s;
	int i;

	if (r->role != NMR_CLIENT)
		return;
	list_for_each_entry(s, &r->bindings[NMR_CLIENT], node) {
		b = nmr_side_binding(s, NMR_CLIENT);
		pending = 0;
		raw_spin_lock_irqsave(&b->lock, flags);
		bs = b->state;
		for (i = 0; i < 2; i++) {
			st[i] = b->side[i].state;
			if (st[i] == NMR_SIDE_PENDING)
				pending = max(pending, now - b->side[i].pending_since);
		}
		raw_spin_unlock_irqrestore(&b->lock, flags);
		seq_printf(m, "binding id=%llu client=%llu provider=%llu npi=%pUl state=%s client=%s provider=%s pending_ms=%u\n",
			   b->id, r->id, b->side[NMR_PROVIDER].reg->id, &r->npi_id,
			   nmr_binding_state_name[bs], nmr_side_state_name[st[NMR_CLIENT]],
			   nmr_side_state_name[st[NMR_PROVIDER]],
			   jiffies_to_msecs(pending));
	}
}

VISIBLE_IF_KUNIT int nmr_bindings_show(struct seq_file *m, void *unused)
{
	return nmr_show_each(m, nmr_show_client_bindings);
}
EXPORT_SYMBOL_IF_KUNIT(nmr_bindings_show);
DEFINE_SHOW_ATTRIBUTE(nmr_bindings);

void nmr_debugfs_init(void)
{
	/* debugfs failures are not errors: the NMR works without it. */
	nmr_debugfs_dir = debugfs_create_dir("nmr", NULL);
	debugfs_create_file("registrations", 0400, nmr_debugfs_dir, NULL, &nmr_registrations_fops);
	debugfs_create_file("bindings", 0400, nmr_debugfs_dir, NULL, &nmr_bindings_fops);
}

void nmr_debugfs_exit(void)
{
	debugfs_remove_recursive(nmr_debugfs_dir);
}
