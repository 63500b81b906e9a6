// SPDX-License-Identifier: GPL-2.0
/*
 * The NMR's registry, matching, binding state machine, workqueue and init/exit.
 *
 * nmr_client.c and nmr_provider.c are the two thin halves of the API; every
 * rule of the contract is carried out here, once, for both roles.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "nmr_compat.h"
#include "nmr_internal.h"

#define CREATE_TRACE_POINTS
#include "nmr_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_register);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_offer);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_attach);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_detach_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_detach);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_detach_complete);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_cleanup);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_deregister);
EXPORT_TRACEPOINT_SYMBOL_GPL(nmr_wait_done);

/**
 * DOC: Locking
 *
 * nmr_lock (mutex) serialises every writer: publishing and unpublishing
 * registrations (nmr_npis, each NPI's lists, nmr_owners), creating and
 * freeing bindings (each registration's binding lists), both handle tables,
 * each registration's @state and @busy count, and each binding's move
 * between whole-binding states. It is a mutex because writers allocate.
 * Everything that finds a registration (its handle, the NPI lists, debugfs)
 * holds it, so a registration is freed at once when its last reference goes.
 *
 * binding->lock (raw spinlock, irq-safe) protects the two side states and the
 * early-completion flags, and the DETACHING -> CLEANUP step, because
 * *_detach_complete() may run in any context, hard interrupt included (DET-5).
 * It is a raw_spinlock_t because a spinlock_t sleeps on PREEMPT_RT and may not
 * be taken in hard interrupt context (CONFIG_PROVE_RAW_LOCK_NESTING checks
 * this on every test kernel). So only raw-safe work is done under it: state
 * changes, trace events, printk and queue_work(); never a spinlock_t, an
 * allocation or anything that sleeps. It nests inside nmr_lock and is the
 * innermost lock.
 *
 * RCU: the binding handle table is an rhashtable, read without nmr_lock
 * (its look-ups are RCU walks that retry when a walk ends in another
 * bucket's chain) by nmr_client_attach_provider() and *_detach_complete();
 * its writers hold nmr_lock (and the table's own bucket locks inside it).
 * Bindings
 * come from a SLAB_TYPESAFE_BY_RCU cache: freed at once, their memory stays a
 * binding for as long as a reader may hold it, and the reader confirms the id
 * under the binding's lock (nmr_find_binding(), nmr_binding_is()). Ids are
 * never reused, and a binding's id is cleared under its lock before it is
 * freed.
 *
 * HDL-4 needs no lock of its own: a thread marks the bindings whose callbacks
 * it runs (@cb_task) or has still to detach (@batch_task), and a wait looks
 * for its own mark among the awaited registration's bindings.
 *
 * Lock order: nmr_lock -> binding->lock. No module callback is ever called
 * with either held: every callback runs from a point where the calling
 * thread holds no NMR lock, and lockdep would say otherwise.
 */
DEFINE_MUTEX(nmr_lock);

/* One NPI: its registrations of each role, in registration order. */
struct nmr_npi {
	guid_t id;
	struct rhash_head hnode;	/* in nmr_npis */
	struct list_head regs[2];
};

/*
 * The NPIs, by GUID: a table that grows and shrinks with them (its resizing
 * runs on the rhashtable's own worker). Looked up and changed under nmr_lock
 * only, so an NPI node is freed at once.
 */
static const struct rhashtable_params nmr_npi_params = {
	.key_len = sizeof(guid_t),
	.key_offset = offsetof(struct nmr_npi, id),
	.head_offset = offsetof(struct nmr_npi, hnode),
	.automatic_shrinking = true,
};

static struct rhashtable nmr_npis;	/* nmr_lock */

/*
 * The modules with registrations, by module address, each with its own list
 * (struct nmr_owner). A fixed table: it holds modules, a few hundred at most,
 * not the registrations. (Before, one list of all registrations was walked by
 * every module's unload, whether the module had registered or not: 62 ms
 * beside a million, with nmr_lock held; bench row 2.1.)
 */
DEFINE_HASHTABLE(nmr_owners, NMR_OWNER_BITS);	/* nmr_lock */

/*
 * The handle tables: id -> object, one rhashtable per kind, with the node
 * inside the object; O(1) look-ups at any size, and a table grows and
 * shrinks with its contents on the rhashtable's own worker. A register call
 * inserts its objects before it publishes them (an insertion may have to
 * grow a table at once and fail: REG-1's -ENOMEM); removal allocates
 * nothing, so neither does deregistration (HDL-7). (An xarray indexed by id
 * was tried first: with ids that only grow, each new id soon needs new radix
 * nodes and frees old ones through RCU, which made the bind/unbind cycle
 * five to ten times slower.)
 */
/*
 * Where an id goes: its block of 64 ids (id >> 6) mixed with the table's
 * seed picks a group of 64 buckets, and the id's low six bits pick the bucket
 * within the group. Consecutive ids, which every register call takes, thus
 * share a few cache lines of the bucket array, as they would if an id hashed
 * to itself; a hash of the whole id would put each insertion on a random page
 * of a table of a million entries (unrelated_1m went from 1.14 to 2.51).
 * The seed still decides where a block goes, so that ids taken in a stride
 * (each client of an NPI with 63 providers takes 64) scatter, and a rehash
 * with a new seed moves the blocks apart; within a block no two ids meet in
 * a table of 64 buckets or more, and in a smaller one at most 64 / size.
 * An id hashed to itself piled strided ids up in a few buckets no rehash
 * could spread, and an insertion then failed with -EBUSY (found by review,
 * nmr_nomem.reg1_no_enomem_from_an_id_pattern).
 */
static u32 nmr_id_hashfn(const void *data, u32 len, u32 seed)
{
	u64 id = *(const u64 *)data;

	return hash_64((id >> 6) ^ seed, 32) ^ (u32)(id & 63);
}

static const struct rhashtable_params nmr_reg_id_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct nmr_reg, id),
	.head_offset = offsetof(struct nmr_reg, id_node),
	.hashfn = nmr_id_hashfn,
	.automatic_shrinking = true,
};

/* A lockless reader may see the id of reused memory change: read it once. */
static int nmr_binding_id_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct nmr_binding *b = obj;

	return READ_ONCE(b->id) != *(const u64 *)arg->key;
}

static const struct rhashtable_params nmr_binding_id_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct nmr_binding, id),
	.head_offset = offsetof(struct nmr_binding, id_node),
	.hashfn = nmr_id_hashfn,
	.obj_cmpfn = nmr_binding_id_cmp,
	.automatic_shrinking = true,
};

static struct rhashtable nmr_reg_ids;		/* nmr_lock */
static struct rhashtable nmr_binding_ids;	/* nmr_lock; RCU readers */
static u64 nmr_last_id;			/* nmr_lock; read without it for a diagnostic */

static struct kmem_cache *nmr_reg_cache;
static struct kmem_cache *nmr_binding_cache;	/* SLAB_TYPESAFE_BY_RCU */

/* Woken when a registration's last in-flight callback returned (HDL-6). */
static DECLARE_WAIT_QUEUE_HEAD(nmr_calls_wq);

struct workqueue_struct *nmr_wq;
EXPORT_SYMBOL_IF_KUNIT(nmr_wq);

/* Misuse reports so far; KUnit tests read it to check that a warning was given. */
atomic_long_t nmr_misuse_count = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(nmr_misuse_count);

/*
 * See nmr_misuse(): a WARNING the first time at a call site (never from
 * nmr_misuse_quiet(), whose @warned starts set), then lines rate-limited per
 * site (@rs), so that a burst at one site hides no other.
 */
void __nmr_misuse(bool *warned, struct ratelimit_state *rs, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&nmr_misuse_count);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (!READ_ONCE(*warned)) {
		WRITE_ONCE(*warned, true);
		WARN(1, KBUILD_MODNAME ": misuse: %pV\n", &vaf);
	} else if (__ratelimit(rs)) {
		pr_warn("misuse: %pV\n", &vaf);
	}
	va_end(args);
}

unsigned int nmr_stall_warn_secs = 10;
EXPORT_SYMBOL_IF_KUNIT(nmr_stall_warn_secs);
module_param_named(stall_warn_secs, nmr_stall_warn_secs, uint, 0644);
MODULE_PARM_DESC(stall_warn_secs,
		 "seconds between reports of a blocked deregistration wait (0 = off)");

VISIBLE_IF_KUNIT bool nmr_atomic_callbacks;
EXPORT_SYMBOL_IF_KUNIT(nmr_atomic_callbacks);
module_param_named(atomic_callbacks, nmr_atomic_callbacks, bool, 0644);
MODULE_PARM_DESC(atomic_callbacks,
		 "call detach and cleanup callbacks with preemption disabled (EXT-5)");

/*
 * EXT-5: the mode is read once per callback, and the same reading ends it, so
 * that a write to the parameter while a callback runs cannot unbalance the
 * preemption count.
 */
static bool nmr_atomic_begin(void)
{
	bool atomic = READ_ONCE(nmr_atomic_callbacks);

	if (atomic)
		preempt_disable();
	return atomic;
}

static void nmr_atomic_end(bool atomic)
{
	if (atomic)
		preempt_enable();
}

/* DRG-4's period in jiffies; unsigned long, so that no value of the parameter wraps. */
static unsigned long nmr_stall_jiffies(void)
{
	return (unsigned long)READ_ONCE(nmr_stall_warn_secs) * HZ;
}

/* The names debugfs and the log lines give the states (EXT-1). */
const char *const nmr_role_name[] = { "client", "provider" };

const char *const nmr_side_state_name[] = {
	[NMR_SIDE_ATTACHED] = "attached",
	[NMR_SIDE_CALLING] = "calling",
	[NMR_SIDE_PENDING] = "pending",
	[NMR_SIDE_DONE] = "done",
};

const char *const nmr_binding_state_name[] = {
	[NMR_BINDING_OFFERED] = "offered",
	[NMR_BINDING_ATTACHED] = "attached",
	[NMR_BINDING_DETACHING] = "detaching",
	[NMR_BINDING_CLEANUP] = "cleanup",
	[NMR_BINDING_GONE] = "gone",
};

const char *nmr_reg_state_name(const struct nmr_reg *r)
{
	if (READ_ONCE(r->orphaned))
		return "orphaned";
	return r->state == NMR_REG_ACTIVE ? "active" : "deregistering";
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * Fault injection for the KUnit suites: when set to N, the Nth allocation
 * site reached from now on fails (REG-1). Sites, not slab calls, are counted,
 * so nested allocations of the kernel's debug tools do not blur the count.
 */
atomic_t nmr_fail_nth = ATOMIC_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(nmr_fail_nth);

static bool nmr_should_fail(void)
{
	return atomic_read(&nmr_fail_nth) && atomic_dec_and_test(&nmr_fail_nth);
}
#else
static inline bool nmr_should_fail(void)
{
	return false;
}
#endif

/* Every allocation of the NMR passes the injection hook (REG-1, HDL-7). */
static struct nmr_reg *nmr_reg_alloc(void)
{
	return nmr_should_fail() ? NULL : kmem_cache_zalloc(nmr_reg_cache, GFP_KERNEL);
}

static struct nmr_npi *nmr_npi_alloc(void)
{
	return nmr_should_fail() ? NULL : kzalloc(sizeof(struct nmr_npi), GFP_KERNEL);
}

static struct nmr_owner *nmr_owner_alloc(void)
{
	return nmr_should_fail() ? NULL : kzalloc(sizeof(struct nmr_owner), GFP_KERNEL);
}

/* An insertion into a table may have to grow it at once: a site of its own. */
static __always_inline int nmr_table_insert(struct rhashtable *ht, struct rhash_head *node,
					    const struct rhashtable_params params)
{
	return nmr_should_fail() ? -ENOMEM : rhashtable_insert_fast(ht, node, params);
}

/* Not zeroed whole: the lock, id and table node of a reused binding are still read. */
static struct nmr_binding *nmr_binding_alloc(void)
{
	const size_t keep = offsetof(struct nmr_binding, state);
	struct nmr_binding *b;

	b = nmr_should_fail() ? NULL : kmem_cache_alloc(nmr_binding_cache, GFP_KERNEL);
	if (b)
		memset((void *)b + keep, 0, sizeof(*b) - keep);
	return b;
}

/* The slab constructor: runs once per object for the life of the cache. */
static void nmr_binding_ctor(void *obj)
{
	struct nmr_binding *b = obj;

	raw_spin_lock_init(&b->lock);
	b->id = 0;
}

static inline unsigned int nmr_reg_tag(enum nmr_role role)
{
	return role == NMR_CLIENT ? NMR_TAG_CLIENT : NMR_TAG_PROVIDER;
}

static inline unsigned int nmr_side_tag(enum nmr_role side)
{
	return side == NMR_CLIENT ? NMR_TAG_BIND_CLIENT : NMR_TAG_BIND_PROVIDER;
}

static inline struct nmr_binding *nmr_handle_of(struct nmr_binding *b, enum nmr_role side)
{
	return (struct nmr_binding *)nmr_cookie(b->id, nmr_side_tag(side));
}

/* 64 bits: at one id per nanosecond, 73 years before the cookie's 61 bits wrap. */
static u64 nmr_new_id(void)
{
	lockdep_assert_held(&nmr_lock);
	/* Read locklessly by nmr_handle_what(). */
	WRITE_ONCE(nmr_last_id, nmr_last_id + 1);
	return nmr_last_id;
}

/* ---- handle lookup (HDL-1, HDL-2) ---- */

/* The NPI node of @id; nmr_lock held. */
static struct nmr_npi *nmr_npi_find(const guid_t *id)
{
	lockdep_assert_held(&nmr_lock);
	return rhashtable_lookup_fast(&nmr_npis, id, nmr_npi_params);
}

/* Find a live registration; nmr_lock held. */
static struct nmr_reg *nmr_find_reg(enum nmr_role role, unsigned long handle)
{
	struct nmr_reg *r;
	u64 id;

	lockdep_assert_held(&nmr_lock);
	if ((handle & ((1UL << NMR_TAG_BITS) - 1)) != nmr_reg_tag(role))
		return NULL;
	id = handle >> NMR_TAG_BITS;
	r = rhashtable_lookup_fast(&nmr_reg_ids, &id, nmr_reg_id_params);
	return r && r->role == role && r->state != NMR_REG_DEAD ? r : NULL;
}

/*
 * Find a binding from one side's handle, under rcu_read_lock(); any context
 * (DET-5). Bindings come from a SLAB_TYPESAFE_BY_RCU cache, so the memory a
 * lockless look-up returns may be freed and reused for another binding at
 * any moment: the caller takes the binding's lock and confirms the id with
 * nmr_binding_is(). Ids are never reused and a binding's id is cleared under
 * its lock before it is freed, so a binding found here whose id no longer
 * matches under the lock is dead.
 */
static struct nmr_binding *nmr_find_binding(enum nmr_role side, unsigned long handle)
{
	u64 id = handle >> NMR_TAG_BITS;

	/* Id 0 is never given out: it marks a freed binding. */
	if ((handle & ((1UL << NMR_TAG_BITS) - 1)) != nmr_side_tag(side) || !id)
		return NULL;
	return rhashtable_lookup(&nmr_binding_ids, &id, nmr_binding_id_params);
}

/* Is @b (locked) still the binding that @handle names? */
static inline bool nmr_binding_is(struct nmr_binding *b, unsigned long handle)
{
	lockdep_assert_held(&b->lock);
	return READ_ONCE(b->id) == handle >> NMR_TAG_BITS;
}

/*
 * Find the binding @side's @handle names, lock it, confirm it is still that
 * binding, and take @step on it under its lock; any context (DET-5).
 * Return: @step's result, with the binding in *@bp if @bp is given, or
 * -ENOENT if the handle is unknown or dead, or the binding was freed meanwhile.
 */
static int nmr_binding_step(enum nmr_role side, unsigned long handle,
			    int (*step)(struct nmr_binding *b, enum nmr_role side),
			    struct nmr_binding **bp)
{
	struct nmr_binding *b;
	unsigned long flags;
	int ret = -ENOENT;

	rcu_read_lock();
	b = nmr_find_binding(side, handle);
	if (b) {
		raw_spin_lock_irqsave(&b->lock, flags);
		if (nmr_binding_is(b, handle))
			ret = step(b, side);
		raw_spin_unlock_irqrestore(&b->lock, flags);
	}
	rcu_read_unlock();
	if (bp)
		*bp = b;
	return ret;
}

static const char *const nmr_handle_kind[] = {
	[NMR_TAG_CLIENT] = "client registration",
	[NMR_TAG_PROVIDER] = "provider registration",
	[NMR_TAG_BIND_CLIENT] = "client binding",
	[NMR_TAG_BIND_PROVIDER] = "provider binding",
};

/*
 * For the HDL-2 and HDL-5 lines: what a handle that named no live object of
 * the kind @want (a tag) was, written into @buf (NMR_WHAT_LEN bytes). The
 * tag tells the kind. Whether a binding handle is live is a lockless look-up,
 * any context; a registration handle's only with nmr_lock held (@locked), so
 * for a completion only its kind is said.
 */
static const char *nmr_handle_what(char *buf, unsigned long handle, unsigned int want,
				   bool locked)
{
	unsigned int tag = handle & ((1UL << NMR_TAG_BITS) - 1);
	u64 id = handle >> NMR_TAG_BITS;
	const char *state = "";
	bool live = false;

	if (tag < NMR_TAG_CLIENT || tag > NMR_TAG_BIND_PROVIDER || !id)
		return "not a handle nmr gave out";
	if (tag >= NMR_TAG_BIND_CLIENT) {
		rcu_read_lock();
		live = nmr_find_binding(tag == NMR_TAG_BIND_CLIENT ? NMR_CLIENT : NMR_PROVIDER,
					handle);
		rcu_read_unlock();
		state = "dead ";
	} else if (locked) {
		live = nmr_find_reg(tag == NMR_TAG_CLIENT ? NMR_CLIENT : NMR_PROVIDER, handle);
		state = "dead ";
	}
	/* Ids are never reused: one above the last given out was never a handle. */
	if (*state && id > READ_ONCE(nmr_last_id))
		state = "unknown ";
	else if (live)
		state = "live ";
	snprintf(buf, NMR_WHAT_LEN, "%s %s%s handle", *state == 'u' ? "an" : "a", state,
		 nmr_handle_kind[tag]);
	if (tag != want)
		snprintf(buf + strlen(buf), NMR_WHAT_LEN - strlen(buf), ", not a %s handle",
			 nmr_handle_kind[want]);
	return buf;
}

/* The binding's handles die (HDL-1): no lookup finds it from now on. nmr_lock held. */
static void nmr_binding_unpublish_id(struct nmr_binding *b)
{
	unsigned long flags;

	lockdep_assert_held(&nmr_lock);
	rhashtable_remove_fast(&nmr_binding_ids, &b->id_node, nmr_binding_id_params);
	raw_spin_lock_irqsave(&b->lock, flags);
	WRITE_ONCE(b->id, 0);	/* a reader that found it before the erase sees it gone */
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

/* The handles die, then the binding is freed at once. nmr_lock held. */
static void nmr_binding_free(struct nmr_binding *b)
{
	nmr_binding_unpublish_id(b);
	kmem_cache_free(nmr_binding_cache, b);
}

/* ---- calling into modules ---- */

/*
 * Every callback into a registration's module is bracketed by enter/exit, so
 * that when the module goes away without deregistering (HDL-6) the NMR stops
 * calling it and waits for the calls already running. The barrier pairs with
 * the one in nmr_module_going().
 */
static bool nmr_reg_enter(struct nmr_reg *r)
{
	atomic_inc(&r->calls);
	smp_mb__after_atomic();	/* the count before the flag; pairs with nmr_module_going() */
	if (likely(!READ_ONCE(r->orphaned)))
		return true;
	if (atomic_dec_and_test(&r->calls))
		wake_up_all(&nmr_calls_wq);
	return false;
}

static void nmr_reg_exit(struct nmr_reg *r)
{
	if (atomic_dec_and_test(&r->calls) && READ_ONCE(r->orphaned))
		wake_up_all(&nmr_calls_wq);
}

/*
 * HDL-4 marks: this thread runs a callback of @b until nmr_cb_exit(). Only the
 * one thread that runs a binding's callbacks at a time writes the mark (the
 * offering thread, then the detaching thread, then the cleanup's); the
 * previous mark is restored, for callbacks of one binding that nest (the
 * provider's attach_client inside the client's attach_provider).
 */
static struct task_struct *nmr_cb_enter(struct nmr_binding *b)
{
	struct task_struct *prev = READ_ONCE(b->cb_task);

	WRITE_ONCE(b->cb_task, current);
	return prev;
}

static void nmr_cb_exit(struct nmr_binding *b, struct task_struct *prev)
{
	WRITE_ONCE(b->cb_task, prev);
}

/*
 * HDL-4: would waiting for @r from this thread wait for this thread itself?
 * It would if the thread is inside a callback of a binding of @r (attach,
 * detach or cleanup), or has still to detach a binding of @r in a batch it
 * is working through: the marks nmr_cb_enter() and nmr_binding_start_detach()
 * leave. Every binding of @r is on its list until its cleanup returned; only
 * this thread writes its own marks, so a mark equal to current is not stale.
 * nmr_lock held.
 */
static bool nmr_wait_would_deadlock(const struct nmr_reg *r)
{
	struct nmr_binding *b;
	struct nmr_side *s;

	lockdep_assert_held(&nmr_lock);
	list_for_each_entry(s, &r->bindings[r->role], node) {
		b = nmr_side_binding(s, r->role);
		if (READ_ONCE(b->cb_task) == current || READ_ONCE(b->batch_task) == current)
			return true;
	}
	return false;
}

static const char *nmr_owner_name(const struct nmr_reg *r)
{
	return r->owner_name;
}

/* ---- registrations ---- */

/* @mod's entry in nmr_owners, or NULL if it has no registration. nmr_lock held. */
static struct nmr_owner *nmr_owner_find(const struct module *mod)
{
	struct nmr_owner *o;

	lockdep_assert_held(&nmr_lock);
	hash_for_each_possible(nmr_owners, o, node, (unsigned long)mod)
		if (o->mod == mod)
			return o;
	return NULL;
}

/* @mod's entry, added if this is its first registration. nmr_lock held. */
static struct nmr_owner *nmr_owner_get(const struct module *mod)
{
	struct nmr_owner *o = nmr_owner_find(mod);

	if (o)
		return o;
	o = nmr_owner_alloc();
	if (!o)
		return NULL;
	o->mod = mod;
	INIT_LIST_HEAD(&o->regs);
	hash_add(nmr_owners, &o->node, (unsigned long)mod);
	return o;
}

/* Forget @o if it has no registration left. nmr_lock held. */
static void nmr_owner_put(struct nmr_owner *o)
{
	lockdep_assert_held(&nmr_lock);
	if (WARN_ON_ONCE(!o) || !list_empty(&o->regs))
		return;
	hash_del(&o->node);
	kfree(o);
}

/* Nothing reads a registration without nmr_lock or a reference: freed at once. */
static void nmr_reg_free(struct kref *ref)
{
	kmem_cache_free(nmr_reg_cache, container_of(ref, struct nmr_reg, ref));
}

static void nmr_reg_put(struct nmr_reg *r)
{
	kref_put(&r->ref, nmr_reg_free);
}

/* The handle dies: nothing finds it again (HDL-1). nmr_lock held. */
static void nmr_reg_kill(struct nmr_reg *r)
{
	lockdep_assert_held(&nmr_lock);
	if (r->state == NMR_REG_DEAD)
		return;
	WRITE_ONCE(r->state, NMR_REG_DEAD);
	rhashtable_remove_fast(&nmr_reg_ids, &r->id_node, nmr_reg_id_params);
	list_del(&r->all_node);
	nmr_owner_put(nmr_owner_find(r->owner));
	nmr_reg_put(r);		/* the reference for being alive */
}

/* One binding or offer of @r is gone. nmr_lock held. */
static void nmr_reg_unbusy(struct nmr_reg *r)
{
	lockdep_assert_held(&nmr_lock);
	if (WARN_ON_ONCE(!r->busy))
		return;
	if (--r->busy || r->state != NMR_REG_DEREGISTERING)
		return;
	if (r->waiters)		/* a wait that finds @busy at 0 does not sleep */
		complete_all(&r->done);
}

/* Forget @npi if it has no registration left. nmr_lock held. */
static void nmr_npi_put(struct nmr_npi *npi)
{
	lockdep_assert_held(&nmr_lock);
	if (!list_empty(&npi->regs[NMR_CLIENT]) || !list_empty(&npi->regs[NMR_PROVIDER]))
		return;
	/* Freed at once: no one finds an NPI without nmr_lock. */
	WARN_ON_ONCE(rhashtable_remove_fast(&nmr_npis, &npi->hnode, nmr_npi_params));
	kfree(npi);
}

/* Unpublish: no new offer from now on (DRG-2). nmr_lock held. */
static void nmr_reg_unpublish(struct nmr_reg *r)
{
	struct nmr_npi *npi = r->npi;

	lockdep_assert_held(&nmr_lock);
	list_del(&r->npi_node);
	r->npi = NULL;
	nmr_npi_put(npi);
}

/* ---- the binding state machine ---- */

/* Call one side's cleanup callback, if any; the module's memory is read only once inside it. */
static void nmr_call_cleanup(struct nmr_reg *r, void *ctx)
{
	void (*cleanup)(void *ctx) = NULL;
	bool atomic;

	if (!nmr_reg_enter(r))
		return;		/* its module is gone (HDL-6) */
	if (r->tramp_data) {
		atomic = nmr_atomic_begin();
		if (r->role == NMR_CLIENT)
			r->client_tramp->cleanup_binding_context(r->tramp_data, ctx);
		else
			r->provider_tramp->cleanup_binding_context(r->tramp_data, ctx);
		nmr_atomic_end(atomic);
	} else {
		if (r->role == NMR_CLIENT)
			cleanup = READ_ONCE(r->client->cleanup_binding_context);
		else
			cleanup = READ_ONCE(r->provider->cleanup_binding_context);
		if (cleanup) {
			atomic = nmr_atomic_begin();
			cleanup(ctx);
			nmr_atomic_end(atomic);
		}
	}
	nmr_reg_exit(r);
}

/*
 * Both sides are done: call the cleanup callbacks, client first (CLN-1), with
 * no lock held (CLN-2), then forget the binding and release both registrations.
 */
static void nmr_binding_cleanup(struct nmr_binding *b)
{
	struct nmr_side *cs = &b->side[NMR_CLIENT], *ps = &b->side[NMR_PROVIDER];
	struct nmr_reg *c = cs->reg, *p = ps->reg;
	struct task_struct *prev = nmr_cb_enter(b);

	if (cs->has_callbacks)
		nmr_call_cleanup(c, cs->binding_ctx);
	nmr_call_cleanup(p, ps->binding_ctx);
	nmr_cb_exit(b, prev);
	trace_nmr_cleanup(b->id, c->id, p->id, 0);

	mutex_lock(&nmr_lock);
	WRITE_ONCE(b->state, NMR_BINDING_GONE);
	list_del(&cs->node);
	list_del(&ps->node);
	nmr_reg_unbusy(c);
	nmr_reg_unbusy(p);
	nmr_binding_free(b);
	mutex_unlock(&nmr_lock);
}

static void nmr_cleanup_work(struct work_struct *work)
{
	nmr_binding_cleanup(container_of(work, struct nmr_binding, cleanup_work));
}

/*
 * A side became done; is the binding ready for cleanup? Claims the cleanup
 * exactly once. b->lock held.
 */
static bool nmr_binding_claim_cleanup(struct nmr_binding *b)
{
	lockdep_assert_held(&b->lock);
	if (b->side[NMR_CLIENT].state != NMR_SIDE_DONE ||
	    b->side[NMR_PROVIDER].state != NMR_SIDE_DONE ||
	    READ_ONCE(b->state) != NMR_BINDING_DETACHING)
		return false;
	WRITE_ONCE(b->state, NMR_BINDING_CLEANUP);
	return true;
}

/*
 * A pending side is done, in any context (DET-5) or for a going module
 * (HDL-6): if the peer is done too, the cleanup is queued, never run inline
 * (CLN-2). b->lock held.
 */
static void nmr_side_done_later(struct nmr_binding *b, struct nmr_side *s)
{
	lockdep_assert_held(&b->lock);
	s->state = NMR_SIDE_DONE;
	if (nmr_binding_claim_cleanup(b))
		queue_work(nmr_wq, &b->cleanup_work);
}

/* May this side's detach callback be called now (DET-2)? Marks it calling. b->lock held. */
static bool nmr_side_begin(struct nmr_binding *b, enum nmr_role side)
{
	struct nmr_side *s = &b->side[side];

	lockdep_assert_held(&b->lock);
	if (s->state != NMR_SIDE_ATTACHED)
		return false;
	s->state = NMR_SIDE_CALLING;
	return true;
}

/* Call one side's detach callback, no lock held; its result as DET-4 reads it. */
static int nmr_call_detach(struct nmr_binding *b, enum nmr_role side)
{
	struct nmr_side *s = &b->side[side];
	struct nmr_reg *r = s->reg;
	bool atomic;
	int ret;

	if (!nmr_reg_enter(r))
		return 0;	/* its module is gone (HDL-6): done */
	atomic = nmr_atomic_begin();
	if (r->tramp_data && side == NMR_CLIENT)
		ret = r->client_tramp->detach_provider(r->tramp_data, s->binding_ctx);
	else if (r->tramp_data)
		ret = r->provider_tramp->detach_client(r->tramp_data, s->binding_ctx);
	else if (side == NMR_CLIENT)
		ret = r->client->detach_provider(s->binding_ctx);
	else
		ret = r->provider->detach_client(s->binding_ctx);
	nmr_atomic_end(atomic);
	nmr_reg_exit(r);
	trace_nmr_detach(b->id, side, ret);
	if (ret && ret != -EINPROGRESS) {
		pr_warn_ratelimited("%s %llu (%s): detach returned %d, taken as 0 (DET-4)\n",
				    nmr_role_name[side], r->id, nmr_owner_name(r), ret);
		ret = 0;
	}
	return ret;
}

/* The side's detach callback returned @ret: pending or done (DET-4, DET-6). b->lock held. */
static void nmr_side_end(struct nmr_binding *b, enum nmr_role side, int ret)
{
	struct nmr_side *s = &b->side[side];
	struct nmr_reg *r = s->reg;

	lockdep_assert_held(&b->lock);
	if (ret == -EINPROGRESS && !READ_ONCE(r->orphaned) && !s->early) {
		s->state = NMR_SIDE_PENDING;
		s->pending_since = jiffies;
		return;
	}
	if (ret == 0 && s->early)
		pr_warn_once("%s %llu (%s): completed early but detach returned 0 (DET-6)\n",
			     nmr_role_name[side], r->id, nmr_owner_name(r));
	s->state = NMR_SIDE_DONE;
}

/*
 * Detach one binding on this thread: the deregistering side first, then the
 * peer (DET-2); cleanup inline if both finished here (CLN-2). Only the thread
 * that moved the binding to DETACHING (under nmr_lock) calls this. The end of
 * the first side and the start of the second share one hold of the lock.
 *
 * This thread's HDL-4 mark is taken off in the same hold of the lock that
 * makes the last side pending or done: from its unlock on, a completion in
 * another context may claim the cleanup and hand the binding to another
 * thread, which marks it as its own.
 */
static void nmr_binding_detach(struct nmr_binding *b)
{
	struct task_struct *prev = nmr_cb_enter(b);
	enum nmr_role first = b->first, second = !b->first;
	bool call, cleanup = false;
	unsigned long flags;
	int ret = 0;

	WRITE_ONCE(b->batch_task, NULL);	/* the callback mark covers it now */
	raw_spin_lock_irqsave(&b->lock, flags);
	call = nmr_side_begin(b, first);
	raw_spin_unlock_irqrestore(&b->lock, flags);
	if (call)
		ret = nmr_call_detach(b, first);

	raw_spin_lock_irqsave(&b->lock, flags);
	if (call)
		nmr_side_end(b, first, ret);
	call = nmr_side_begin(b, second);
	if (!call) {
		nmr_cb_exit(b, prev);
		cleanup = nmr_binding_claim_cleanup(b);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	if (call) {
		ret = nmr_call_detach(b, second);
		raw_spin_lock_irqsave(&b->lock, flags);
		nmr_side_end(b, second, ret);
		nmr_cb_exit(b, prev);
		cleanup = nmr_binding_claim_cleanup(b);
		raw_spin_unlock_irqrestore(&b->lock, flags);
	}
	if (cleanup)
		nmr_binding_cleanup(b);
}

static void nmr_detach_batch(struct list_head *batch)
{
	struct nmr_binding *b;

	while ((b = list_first_entry_or_null(batch, struct nmr_binding, batch_node))) {
		list_del_init(&b->batch_node);
		nmr_binding_detach(b);
	}
}

/*
 * Start detaching an attached binding, @first side first, on this thread.
 * nmr_lock held. The binding's lock is not needed: its side states are still
 * attached, so no completion can claim its cleanup before the detach runs.
 */
static void nmr_binding_start_detach(struct nmr_binding *b, enum nmr_role first,
				     struct list_head *batch)
{
	lockdep_assert_held(&nmr_lock);
	b->first = first;
	WRITE_ONCE(b->state, NMR_BINDING_DETACHING);
	WRITE_ONCE(b->batch_task, current);
	list_add_tail(&b->batch_node, batch);
	trace_nmr_detach_start(b->id, first, 0);
}

/*
 * ATT-5: only 0 accepts and -ENODEV is the way to decline. Another errno is
 * a refusal worth a line; -EINPROGRESS or a positive value is not an errno
 * at all, and gets a warning.
 */
static void nmr_report_refusal(const char *role, const struct nmr_reg *r, const char *what,
			       int ret)
{
	if (ret > 0 || ret == -EINPROGRESS)
		pr_warn_once("%s %llu (%s): %s returned %d, not an errno: taken as a refusal (ATT-5)\n",
			     role, r->id, nmr_owner_name(r), what, ret);
	else
		pr_notice_once("%s %llu (%s): %s refused with %d (ATT-5)\n",
			       role, r->id, nmr_owner_name(r), what, ret);
}

/* Take an offer that did not become a binding off both registrations. nmr_lock held. */
static void nmr_offer_unlink(struct nmr_binding *b)
{
	lockdep_assert_held(&nmr_lock);
	list_del(&b->side[NMR_CLIENT].node);
	list_del(&b->side[NMR_PROVIDER].node);
	nmr_reg_unbusy(b->side[NMR_CLIENT].reg);
	nmr_reg_unbusy(b->side[NMR_PROVIDER].reg);
}

/* Forget an offer that did not become a binding (ATT-5, ATT-7, HDL-6). */
static void nmr_offer_discard(struct nmr_binding *b)
{
	mutex_lock(&nmr_lock);
	nmr_offer_unlink(b);
	nmr_binding_free(b);
	mutex_unlock(&nmr_lock);
}

/*
 * DRG-2: an offer that has not started is dropped when either side starts
 * deregistering (HDL-6: or its module goes): no callback runs for it and no
 * wait counts it. The registering thread still holds it on its list of
 * offers, so freeing the memory is left to it (nmr_offer_begin()); its
 * handles die now. nmr_lock held.
 */
static void nmr_offer_drop(struct nmr_binding *b)
{
	lockdep_assert_held(&nmr_lock);
	nmr_offer_unlink(b);
	nmr_binding_unpublish_id(b);
	WRITE_ONCE(b->state, NMR_BINDING_GONE);
}

/* May an offer involving @r start (DRG-2, HDL-6)? nmr_lock held. */
static bool nmr_reg_offerable(const struct nmr_reg *r)
{
	lockdep_assert_held(&nmr_lock);
	return r->state == NMR_REG_ACTIVE && !READ_ONCE(r->orphaned);
}

/*
 * Start a queued offer, or end it without a callback: it was dropped
 * meanwhile (then it is freed here) or a side no longer takes offers. Once
 * started, an offer holds both deregistrations until it is settled (ATT-10),
 * so a peer is never handed a pointer into a module that is going (HDL-6).
 */
static bool nmr_offer_begin(struct nmr_binding *b)
{
	bool go = false;

	mutex_lock(&nmr_lock);
	if (b->state == NMR_BINDING_GONE) {
		mutex_unlock(&nmr_lock);
		kmem_cache_free(nmr_binding_cache, b);	/* dropped; nothing else refers to it */
		return false;
	}
	if (nmr_reg_offerable(b->side[NMR_CLIENT].reg) &&
	    nmr_reg_offerable(b->side[NMR_PROVIDER].reg)) {
		b->offer_started = true;
		go = true;
	} else {
		nmr_offer_unlink(b);
		nmr_binding_free(b);
	}
	mutex_unlock(&nmr_lock);
	return go;
}

/*
 * The client's attach_provider for the offer @b, no lock held (ATT-3).
 * HDL-6: the client runs, and holds a pointer into the provider's module,
 * only while both are entered: a module marked going from here on is not
 * reached, one marked before is not offered.
 * Return: false, with nothing called, if either module is going.
 */
static bool nmr_call_attach_provider(struct nmr_binding *b, int *ret)
{
	struct nmr_reg *c = b->side[NMR_CLIENT].reg, *p = b->side[NMR_PROVIDER].reg;
	struct task_struct *prev;

	if (!nmr_reg_enter(c))
		return false;
	if (!nmr_reg_enter(p)) {
		nmr_reg_exit(c);
		return false;
	}
	trace_nmr_offer(b->id, c->id, p->id, 0);
	prev = nmr_cb_enter(b);
	if (c->tramp_data)
		*ret = c->client_tramp->attach_provider(c->tramp_data,
							nmr_handle_of(b, NMR_CLIENT),
							c->ctx, p->ri);
	else
		*ret = c->client->attach_provider(nmr_handle_of(b, NMR_CLIENT), c->ctx, p->ri);
	nmr_cb_exit(b, prev);
	nmr_reg_exit(p);
	nmr_reg_exit(c);
	return true;
}

/*
 * Both sides accepted the offer @b: it is bound, or detached at once when the
 * client failed after attaching (ATT-8) or a side started deregistering
 * meanwhile (ATT-10, the deregistering side first).
 */
static void nmr_offer_settle(struct nmr_binding *b, int ret)
{
	struct nmr_reg *c = b->side[NMR_CLIENT].reg, *p = b->side[NMR_PROVIDER].reg;
	LIST_HEAD(batch);

	mutex_lock(&nmr_lock);
	WRITE_ONCE(b->offer_task, NULL);	/* read locklessly by nmr_attach_provider() */
	if (ret) {
		if (ret != -ENODEV)
			pr_notice_once("client %llu (%s): attach_provider failed with %d after attaching (ATT-8)\n",
				       c->id, nmr_owner_name(c), ret);
		raw_spin_lock_irq(&b->lock);
		b->side[NMR_CLIENT].state = NMR_SIDE_DONE;
		b->side[NMR_CLIENT].has_callbacks = false;
		raw_spin_unlock_irq(&b->lock);
		nmr_binding_start_detach(b, NMR_PROVIDER, &batch);
	} else if (c->state != NMR_REG_ACTIVE) {
		nmr_binding_start_detach(b, NMR_CLIENT, &batch);
	} else if (p->state != NMR_REG_ACTIVE) {
		nmr_binding_start_detach(b, NMR_PROVIDER, &batch);
	} else {
		WRITE_ONCE(b->state, NMR_BINDING_ATTACHED);
	}
	mutex_unlock(&nmr_lock);
	nmr_detach_batch(&batch);
}

/*
 * Run one offer on the registering thread (ATT-2, ATT-3), then settle it:
 * attached, declined, undone (ATT-8) or attached-then-detached (ATT-10).
 */
static void nmr_offer(struct nmr_binding *b)
{
	struct nmr_reg *c = b->side[NMR_CLIENT].reg, *p = b->side[NMR_PROVIDER].reg;
	bool attached;
	int ret;

	if (!nmr_offer_begin(b))
		return;
	if (!nmr_call_attach_provider(b, &ret)) {
		nmr_offer_discard(b);
		return;
	}
	attached = READ_ONCE(b->attach_ok);
	trace_nmr_attach(b->id, c->id, p->id, attached && !ret ? 0 : ret ? ret : -ENODEV);
	if (attached) {
		nmr_offer_settle(b, ret);
		return;
	}
	if (!ret)
		nmr_misuse("client %llu (%s): attach_provider: 0 but unattached (ATT-7)",
			   c->id, nmr_owner_name(c));
	else if (ret != -ENODEV)
		nmr_report_refusal("client", c, "attach_provider", ret);
	nmr_offer_discard(b);
}

/*
 * ATT-6: may this thread attach @b? Only the offering thread touches an
 * OFFERED binding, so once it is this thread's offer nothing else can free it
 * or change it meanwhile. b->lock held.
 * Return: 0, -EALREADY (attached, or no longer an offer) or -EBADF (not ours).
 */
static int nmr_offer_is_mine(struct nmr_binding *b, enum nmr_role side)
{
	lockdep_assert_held(&b->lock);
	if (READ_ONCE(b->state) != NMR_BINDING_OFFERED || READ_ONCE(b->attach_ok))
		return -EALREADY;
	return READ_ONCE(b->offer_task) == current ? 0 : -EBADF;
}

/* The provider's attach_client for the offer @b, no lock held (ATT-4). */
static int nmr_call_attach_client(struct nmr_binding *b, void *client_binding_ctx,
				  const void *client_dispatch, void **pctx, const void **pdisp)
{
	struct nmr_reg *c = b->side[NMR_CLIENT].reg, *p = b->side[NMR_PROVIDER].reg;
	struct task_struct *prev;
	int ret;

	if (!nmr_reg_enter(p))
		return -ENODEV;		/* the provider's module is gone */
	b->attach_busy = true;
	prev = nmr_cb_enter(b);
	if (p->tramp_data)
		ret = p->provider_tramp->attach_client(p->tramp_data,
						       nmr_handle_of(b, NMR_PROVIDER), p->ctx,
						       c->ri, client_binding_ctx, client_dispatch,
						       pctx, pdisp);
	else
		ret = p->provider->attach_client(nmr_handle_of(b, NMR_PROVIDER), p->ctx, c->ri,
						 client_binding_ctx, client_dispatch, pctx, pdisp);
	nmr_cb_exit(b, prev);
	b->attach_busy = false;
	nmr_reg_exit(p);
	if (ret && ret != -ENODEV)
		nmr_report_refusal("provider", p, "attach_client", ret);
	return ret;
}

/**
 * nmr_attach_provider() - the body of nmr_client_attach_provider()
 * @handle: the client side's binding handle
 * @client_binding_ctx: the client's binding context
 * @client_dispatch: the client's dispatch table
 * @provider_binding_ctx: out: the provider's binding context
 * @provider_dispatch: out: the provider's dispatch table
 *
 * Return: the provider's attach_client result, or -EBADF / -EALREADY (ATT-6).
 */
int nmr_attach_provider(unsigned long handle, void *client_binding_ctx,
			const void *client_dispatch, void **provider_binding_ctx,
			const void **provider_dispatch)
{
	const void *pdisp = NULL;
	struct nmr_binding *b;
	void *pctx = NULL;
	int ret;

	ret = nmr_binding_step(NMR_CLIENT, handle, nmr_offer_is_mine, &b);
	if (ret == -ENOENT)
		return -EBADF;		/* unknown, freed, or a discarded offer */
	if (ret == -EBADF)
		nmr_misuse("nmr_client_attach_provider() outside its attach_provider callback");
	if (ret)
		return ret;
	if (b->attach_busy) {
		nmr_misuse("nmr_client_attach_provider() re-entered from attach_client");
		return -EALREADY;
	}

	ret = nmr_call_attach_client(b, client_binding_ctx, client_dispatch, &pctx, &pdisp);
	if (ret)
		return ret;	/* ATT-4: unchanged; out-parameters untouched */
	b->side[NMR_CLIENT].binding_ctx = client_binding_ctx;
	b->side[NMR_CLIENT].dispatch = client_dispatch;
	b->side[NMR_PROVIDER].binding_ctx = pctx;
	b->side[NMR_PROVIDER].dispatch = pdisp;
	WRITE_ONCE(b->attach_ok, true);
	if (provider_binding_ctx)
		*provider_binding_ctx = pctx;
	if (provider_dispatch)
		*provider_dispatch = pdisp;
	return 0;
}

/*
 * The completion of @side's detach (DET-5, DET-6): early, while its callback
 * runs, or for a pending side, which is done now. b->lock held.
 * Return: 0, or -EINVAL for a side already done or a second early one (HDL-5).
 */
static int nmr_side_complete(struct nmr_binding *b, enum nmr_role side)
{
	struct nmr_side *s = &b->side[side];
	int ret = 0;

	lockdep_assert_held(&b->lock);
	switch (s->state) {
	case NMR_SIDE_ATTACHED:		/* DET-6: before the detach started */
	case NMR_SIDE_CALLING:		/* DET-6: while the callback runs */
		if (s->early)
			ret = -EINVAL;
		s->early = true;
		break;
	case NMR_SIDE_PENDING:
		break;
	case NMR_SIDE_DONE:
		ret = -EINVAL;
		break;
	}
	/* Traced before the cleanup it may queue, so the trace keeps the order. */
	trace_nmr_detach_complete(b->id, side, ret);
	if (s->state == NMR_SIDE_PENDING)
		nmr_side_done_later(b, s);
	return ret;
}

/* HDL-5: a completion with a handle that names no live binding of @side. */
static noinline void nmr_report_bad_completion(enum nmr_role side, unsigned long handle,
					       unsigned long caller)
{
	char what[NMR_WHAT_LEN];

	trace_nmr_detach_complete(handle >> NMR_TAG_BITS, side, -EBADF);
	nmr_misuse_quiet("%s detach complete from %pS with %s (HDL-5)", nmr_role_name[side],
			 (void *)caller, nmr_handle_what(what, handle, nmr_side_tag(side), false));
}

/**
 * nmr_detach_complete() - the body of both *_detach_complete() calls
 * @side: which side the handle must be
 * @handle: that side's binding handle
 * @caller: where the module called from, for the HDL-5 lines
 *
 * Any context (DET-5): a lockless lookup, the binding's irq-safe lock, and at
 * most a queue_work(); no callback inline.
 *
 * Return: 0, -EBADF (unknown, dead or other side) or -EINVAL (HDL-5).
 */
int nmr_detach_complete(enum nmr_role side, unsigned long handle, unsigned long caller)
{
	int ret = nmr_binding_step(side, handle, nmr_side_complete, NULL);

	if (ret == -ENOENT) {
		nmr_report_bad_completion(side, handle, caller);
		return -EBADF;
	}
	if (ret)
		nmr_misuse_quiet("%s detach complete from %pS after the side was done (HDL-5)",
				 nmr_role_name[side], (void *)caller);
	return ret;
}

/* ---- register, deregister, wait ---- */

bool nmr_check_registration(const struct nmr_registration_instance *ri, const char *role)
{
	if (!ri->npi_id) {
		nmr_misuse("%s registration without an NPI id (REG-1)", role);
		return false;
	}
	if (!ri->module_id)
		pr_warn_once("a %s registers without a module id (REG-1)\n", role);
	return true;
}

/* A module whose GOING step runs: nmr_module_going()'s record, on its stack. */
struct nmr_going {
	struct list_head node;		/* in nmr_going_mods */
	const struct module *mod;
};

static LIST_HEAD(nmr_going_mods);	/* nmr_lock */

/*
 * Is @mod's GOING step running? Then it has made its list of @mod's
 * registrations, and a new one would be on no list of it. nmr_lock held.
 * Not module_is_live(): the state is GOING while exit() runs too, and the
 * module's own threads may still register until exit() stops them; the GOING
 * step, which runs after exit(), finds those.
 */
static bool nmr_module_is_leaving(const struct module *mod)
{
	struct nmr_going *g;

	lockdep_assert_held(&nmr_lock);
	list_for_each_entry(g, &nmr_going_mods, node)
		if (g->mod == mod)
			return true;
	return false;
}

/*
 * A new registration, set up but not published. The NPI id and the module id
 * are copied, so that matching and debugfs never read the module's memory
 * once it is going (HDL-6).
 */
static struct nmr_reg *nmr_reg_new(enum nmr_role role, const void *chars,
				   const void *tramp_data,
				   const struct nmr_registration_instance *ri, void *ctx,
				   struct module *owner)
{
	struct nmr_reg *r = nmr_reg_alloc();

	if (!r)
		return NULL;
	r->role = role;
	r->state = NMR_REG_ACTIVE;
	r->ri = ri;
	r->ctx = ctx;
	r->tramp_data = tramp_data;
	if (role == NMR_CLIENT)
		r->client = chars;
	else
		r->provider = chars;
	r->owner = owner;
	strscpy(r->owner_name, owner ? module_name(owner) : "kernel", sizeof(r->owner_name));
	guid_copy(&r->npi_id, ri->npi_id);
	if (ri->module_id)
		r->module_id = *ri->module_id;
	r->number = ri->number;
	INIT_LIST_HEAD(&r->bindings[NMR_CLIENT]);
	INIT_LIST_HEAD(&r->bindings[NMR_PROVIDER]);
	init_completion(&r->done);
	kref_init(&r->ref);
	return r;
}

/* @r's NPI, added to the table if @r is its first registration. nmr_lock held. */
static struct nmr_npi *nmr_npi_get(const struct nmr_reg *r)
{
	struct nmr_npi *npi = nmr_npi_find(&r->npi_id);

	if (npi)
		return npi;
	npi = nmr_npi_alloc();
	if (!npi)
		return NULL;
	guid_copy(&npi->id, &r->npi_id);
	INIT_LIST_HEAD(&npi->regs[NMR_CLIENT]);
	INIT_LIST_HEAD(&npi->regs[NMR_PROVIDER]);
	if (nmr_table_insert(&nmr_npis, &npi->hnode, nmr_npi_params)) {
		kfree(npi);
		return NULL;
	}
	return npi;
}

/* Forget offers that were never published. nmr_lock held. */
static void nmr_offers_free(struct list_head *offers)
{
	struct nmr_binding *b, *tmp;
	unsigned long flags;

	list_for_each_entry_safe(b, tmp, offers, batch_node) {
		/*
		 * As every freed binding: the id cleared under the lock, since an
		 * undone insertion may have let a forged handle find it.
		 */
		raw_spin_lock_irqsave(&b->lock, flags);
		WRITE_ONCE(b->id, 0);
		raw_spin_unlock_irqrestore(&b->lock, flags);
		kmem_cache_free(nmr_binding_cache, b);
	}
	INIT_LIST_HEAD(offers);
}

/*
 * One offer per active peer of @r in @npi, in the peers' registration order,
 * with its id but not yet findable, on @offers. nmr_lock held. On -ENOMEM
 * @offers is empty again.
 */
static int nmr_offers_alloc(struct nmr_reg *r, struct nmr_npi *npi, struct list_head *offers)
{
	enum nmr_role role = r->role, peer_role = !r->role;
	struct nmr_binding *b;
	struct nmr_reg *peer;

	lockdep_assert_held(&nmr_lock);
	list_for_each_entry(peer, &npi->regs[peer_role], npi_node) {
		b = nmr_binding_alloc();
		if (!b)
			goto err;
		WRITE_ONCE(b->id, nmr_new_id());	/* read by lockless look-ups */
		INIT_WORK(&b->cleanup_work, nmr_cleanup_work);
		b->state = NMR_BINDING_OFFERED;
		b->offer_task = current;
		b->side[role].reg = r;
		b->side[peer_role].reg = peer;
		b->side[NMR_CLIENT].has_callbacks = true;
		b->side[NMR_PROVIDER].has_callbacks = true;
		list_add_tail(&b->batch_node, offers);
	}
	return 0;
err:
	nmr_offers_free(offers);
	return -ENOMEM;
}

/*
 * Make @r and its offers findable by their handles, fully set up. An
 * insertion may have to grow a table at once, and fail: then every insertion
 * is undone (REG-1). No handle is given out yet, and @r cannot be looked up
 * before nmr_lock is dropped; an offer in the table is found only by a
 * forged handle, which nmr_attach_provider() refuses (ATT-6). nmr_lock held.
 */
static int nmr_ids_insert(struct nmr_reg *r, struct list_head *offers)
{
	struct nmr_binding *b;

	lockdep_assert_held(&nmr_lock);
	if (nmr_table_insert(&nmr_reg_ids, &r->id_node, nmr_reg_id_params))
		return -ENOMEM;
	list_for_each_entry(b, offers, batch_node)
		if (nmr_table_insert(&nmr_binding_ids, &b->id_node, nmr_binding_id_params))
			goto undo;
	return 0;
undo:
	list_for_each_entry_continue_reverse(b, offers, batch_node)
		rhashtable_remove_fast(&nmr_binding_ids, &b->id_node, nmr_binding_id_params);
	rhashtable_remove_fast(&nmr_reg_ids, &r->id_node, nmr_reg_id_params);
	return -ENOMEM;
}

/*
 * Publish @r and its offers: nothing can fail here. The handle (REG-2), then
 * the lists; each offer holds both registrations busy. nmr_lock held.
 */
static void nmr_reg_publish(struct nmr_reg *r, struct nmr_npi *npi, struct nmr_owner *o,
			    struct list_head *offers, void **handle)
{
	struct nmr_binding *b;

	lockdep_assert_held(&nmr_lock);
	WRITE_ONCE(*handle, (void *)nmr_cookie(r->id, nmr_reg_tag(r->role)));
	r->npi = npi;
	list_add_tail(&r->npi_node, &npi->regs[r->role]);
	list_add_tail(&r->all_node, &o->regs);
	list_for_each_entry(b, offers, batch_node) {
		list_add_tail(&b->side[NMR_CLIENT].node,
			      &b->side[NMR_CLIENT].reg->bindings[NMR_CLIENT]);
		list_add_tail(&b->side[NMR_PROVIDER].node,
			      &b->side[NMR_PROVIDER].reg->bindings[NMR_PROVIDER]);
		b->side[NMR_CLIENT].reg->busy++;
		b->side[NMR_PROVIDER].reg->busy++;
	}
}

/*
 * HDL-6: while its module's GOING step runs, a callback of it still
 * finishing on another thread may not add a registration: the step has made
 * its list, and nothing would cut this one loose before the module's memory
 * is freed. The list is made under nmr_lock, so a registration either is on
 * it or is refused here. nmr_lock held.
 */
static bool nmr_may_register(const struct nmr_reg *r)
{
	lockdep_assert_held(&nmr_lock);
	return !r->owner || !nmr_module_is_leaving(r->owner);
}

/**
 * nmr_register() - the body of both register calls
 * @role: client or provider
 * @chars: the characteristics, already checked by the caller; with @tramp_data,
 *	the trampolines (struct nmr_client_tramp or struct nmr_provider_tramp)
 * @tramp_data: NULL, or the trampolines' data: a trampoline registration
 * @ri: &chars->registration, or the trampoline registration's instance
 * @ctx: the registration's context
 * @handle: out: the caller's handle variable, written before publishing (REG-2)
 * @owner: the registering module
 *
 * Allocates everything first (the registration, the NPI node if the NPI is
 * new, one offer per peer, their places in the tables), so that a failure
 * leaves no trace (REG-1); publishes, then runs the offers on this thread
 * (ATT-2).
 *
 * Return: 0, -ENOMEM, or -ENODEV when @owner's GOING step runs (HDL-6).
 */
int nmr_register(enum nmr_role role, const void *chars, const void *tramp_data,
		 const struct nmr_registration_instance *ri, void *ctx,
		 void **handle, struct module *owner)
{
	struct nmr_binding *b, *tmp;
	struct nmr_owner *o;
	struct nmr_npi *npi;
	struct nmr_reg *r;
	LIST_HEAD(offers);

	might_sleep();		/* REG-5 */
	r = nmr_reg_new(role, chars, tramp_data, ri, ctx, owner);
	if (!r)
		return -ENOMEM;

	mutex_lock(&nmr_lock);
	if (!nmr_may_register(r))
		goto err_going;
	r->id = nmr_new_id();
	o = nmr_owner_get(r->owner);
	if (!o)
		goto err_nomem;
	npi = nmr_npi_get(r);
	if (!npi)
		goto err_owner;
	if (nmr_offers_alloc(r, npi, &offers))
		goto err_npi;
	if (nmr_ids_insert(r, &offers))
		goto err_offers;
	nmr_reg_publish(r, npi, o, &offers, handle);
	/*
	 * EXT-2: traced under the lock. With no peer, nothing holds @r once the
	 * lock is dropped: another thread with the handle may deregister it and
	 * wait, which frees it.
	 */
	trace_nmr_register(r->id, role, r->owner_name, &r->npi_id, r->number);
	mutex_unlock(&nmr_lock);

	list_for_each_entry_safe(b, tmp, &offers, batch_node) {
		list_del_init(&b->batch_node);
		nmr_offer(b);
	}
	return 0;

err_going:
	mutex_unlock(&nmr_lock);
	pr_warn_ratelimited("%s of module %s not registered: the module is unloading (HDL-6)\n",
			    nmr_role_name[role], r->owner_name);
	kmem_cache_free(nmr_reg_cache, r);
	return -ENODEV;
err_offers:
	nmr_offers_free(&offers);
err_npi:
	nmr_npi_put(npi);	/* if nmr_npi_get() has just added it */
err_owner:
	nmr_owner_put(o);	/* if nmr_owner_get() has just added it */
err_nomem:
	mutex_unlock(&nmr_lock);
	kmem_cache_free(nmr_reg_cache, r);
	return -ENOMEM;
}

/* Start deregistering @r: unpublish and pick the bindings to detach. nmr_lock held. */
static void nmr_reg_begin_deregister(struct nmr_reg *r, struct list_head *batch)
{
	struct nmr_side *s, *tmp;
	struct nmr_binding *b;

	lockdep_assert_held(&nmr_lock);
	trace_nmr_deregister(r->id, r->role);
	WRITE_ONCE(r->state, NMR_REG_DEREGISTERING);
	r->dereg_time = jiffies;
	nmr_reg_unpublish(r);
	/*
	 * DET-3: attached bindings not already detaching, in creation order.
	 * DRG-2: offers queued behind the one a register call is running are
	 * dropped, so that a wait never waits for them: only that thread could
	 * ever run them, and it may be the waiting thread itself.
	 */
	list_for_each_entry_safe(s, tmp, &r->bindings[r->role], node) {
		enum nmr_binding_state state;

		b = nmr_side_binding(s, r->role);
		/* Read once: a completion in any context may move DETACHING on. */
		state = READ_ONCE(b->state);
		if (state == NMR_BINDING_ATTACHED)
			nmr_binding_start_detach(b, r->role, batch);
		else if (state == NMR_BINDING_OFFERED && !b->offer_started)
			nmr_offer_drop(b);
	}
	/* No wait can have started yet (HDL-3): nothing to complete even at busy 0. */
}

/**
 * nmr_deregister() - the body of both deregister calls
 * @role: client or provider
 * @handle: the registration's handle
 * @caller: where the module called from, for the HDL-2 lines
 *
 * Return: -EINPROGRESS (DRG-1), or -EBADF / -EALREADY (HDL-2, HDL-3).
 */
int nmr_deregister(enum nmr_role role, unsigned long handle, unsigned long caller)
{
	char buf[NMR_WHAT_LEN];
	const char *what;
	struct nmr_reg *r;
	LIST_HEAD(batch);

	might_sleep();
	mutex_lock(&nmr_lock);
	r = nmr_find_reg(role, handle);
	if (!r) {
		what = nmr_handle_what(buf, handle, nmr_reg_tag(role), true);
		mutex_unlock(&nmr_lock);
		nmr_misuse("deregister from %pS with %s (HDL-2)", (void *)caller, what);
		return -EBADF;
	}
	if (r->state != NMR_REG_ACTIVE) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("%s %llu (%s) deregistered twice (HDL-3)",
			   nmr_role_name[role], r->id, nmr_owner_name(r));
		return -EALREADY;
	}
	nmr_reg_begin_deregister(r, &batch);
	mutex_unlock(&nmr_lock);

	nmr_detach_batch(&batch);	/* DET-3: before returning, no lock held */
	return -EINPROGRESS;
}

/* Stall reports so far (DRG-4); read by the KUnit suites. */
atomic_long_t nmr_stall_reports = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(nmr_stall_reports);

/* DRG-4: say who holds up the wait for @r. */
static void nmr_report_stall(struct nmr_reg *r, unsigned long waited)
{
	unsigned long now = jiffies, flags, pend[2];
	enum nmr_side_state st[2];
	unsigned int offers = 0;
	struct nmr_binding *b;
	struct nmr_side *s;
	int i;

	atomic_long_inc(&nmr_stall_reports);
	mutex_lock(&nmr_lock);
	pr_warn("wait for %s %llu (%s) blocked for %u s\n", nmr_role_name[r->role], r->id,
		nmr_owner_name(r), jiffies_to_msecs(waited) / 1000);
	list_for_each_entry(s, &r->bindings[r->role], node) {
		b = nmr_side_binding(s, r->role);
		if (READ_ONCE(b->state) == NMR_BINDING_OFFERED) {
			offers++;
			continue;
		}
		raw_spin_lock_irqsave(&b->lock, flags);
		for (i = 0; i < 2; i++) {
			st[i] = b->side[i].state;
			pend[i] = st[i] == NMR_SIDE_PENDING ?
				  jiffies_to_msecs(now - b->side[i].pending_since) : 0;
		}
		raw_spin_unlock_irqrestore(&b->lock, flags);
		pr_warn("  binding %llu npi %pUl: client %llu (%s) %s %lu ms, provider %llu (%s) %s %lu ms\n",
			b->id, &r->npi_id,
			b->side[NMR_CLIENT].reg->id, nmr_owner_name(b->side[NMR_CLIENT].reg),
			nmr_side_state_name[st[NMR_CLIENT]], pend[NMR_CLIENT],
			b->side[NMR_PROVIDER].reg->id, nmr_owner_name(b->side[NMR_PROVIDER].reg),
			nmr_side_state_name[st[NMR_PROVIDER]], pend[NMR_PROVIDER]);
	}
	if (offers)
		pr_warn("  %u offer(s) still running\n", offers);
	mutex_unlock(&nmr_lock);
}

/* Wait in slices: stall reports, and never a hung-task report (DRG-4). */
#define NMR_WAIT_SLICE (5 * HZ)

/*
 * Sleep until @r's last binding and running offer are gone (@done), saying
 * every stall_warn_secs what holds it up (DRG-4). The caller counted itself
 * in @waiters under nmr_lock, and holds a reference.
 */
static void nmr_wait_idle(struct nmr_reg *r)
{
	unsigned long start = jiffies, next_report = start + nmr_stall_jiffies();

	for (;;) {
		unsigned long period = nmr_stall_jiffies();

		if (wait_for_completion_timeout(&r->done, period ?
						min(period, NMR_WAIT_SLICE) : NMR_WAIT_SLICE))
			return;
		if (period && time_after_eq(jiffies, next_report)) {
			nmr_report_stall(r, jiffies - start);
			next_report = jiffies + period;
		}
	}
}

/**
 * nmr_wait_deregister() - the body of both wait calls
 * @role: client or provider
 * @handle: the registration's handle
 * @caller: where the module called from, for the HDL-2 lines
 *
 * Return: 0, or -EINVAL / -EBADF / -EDEADLK (HDL-3, HDL-2, HDL-4).
 */
int nmr_wait_deregister(enum nmr_role role, unsigned long handle, unsigned long caller)
{
	char buf[NMR_WHAT_LEN];
	const char *what;
	struct nmr_reg *r;

	might_sleep();
	mutex_lock(&nmr_lock);
	r = nmr_find_reg(role, handle);
	if (!r) {
		what = nmr_handle_what(buf, handle, nmr_reg_tag(role), true);
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait from %pS with %s (HDL-2)", (void *)caller, what);
		return -EBADF;
	}
	if (r->state == NMR_REG_ACTIVE) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait on %s %llu (%s) before deregistering it (HDL-3)",
			   nmr_role_name[role], r->id, nmr_owner_name(r));
		return -EINVAL;
	}
	if (!r->busy) {
		/* Already complete: no sleep, one hold of the lock. */
		trace_nmr_wait_done(r->id, role);
		nmr_reg_kill(r);	/* HDL-1: the handle is dead from now on */
		mutex_unlock(&nmr_lock);
		return 0;
	}
	if (nmr_wait_would_deadlock(r)) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait on %s %llu (%s) from a callback it waits for (HDL-4)",
			   nmr_role_name[role], r->id, nmr_owner_name(r));
		return -EDEADLK;
	}
	kref_get(&r->ref);	/* DRG-5: freed after the last waiter */
	r->waiters++;		/* @done is completed from now on */
	mutex_unlock(&nmr_lock);

	nmr_wait_idle(r);

	mutex_lock(&nmr_lock);
	r->waiters--;
	nmr_reg_kill(r);	/* HDL-1: the handle is dead from now on */
	mutex_unlock(&nmr_lock);
	trace_nmr_wait_done(r->id, role);
	nmr_reg_put(r);
	return 0;
}

/**
 * nmr_deregister_sync() - deregister, then wait (DRG-6)
 * @role: client or provider
 * @handle: the registration's handle
 * @caller: where the module called from, for the HDL-2 lines
 *
 * Return: 0, or the first error of the two steps.
 */
int nmr_deregister_sync(enum nmr_role role, unsigned long handle, unsigned long caller)
{
	int ret = nmr_deregister(role, handle, caller);

	if (ret != -EINPROGRESS)
		return ret;
	return nmr_wait_deregister(role, handle, caller);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* How many threads are blocked in a wait on this handle (DRG-5 tests); -EBADF if dead. */
int nmr_waiters(enum nmr_role role, const void *handle)
{
	struct nmr_reg *r;
	int n = -EBADF;

	mutex_lock(&nmr_lock);
	r = nmr_find_reg(role, (unsigned long)handle);
	if (r)
		n = kref_read(&r->ref) - 1;
	mutex_unlock(&nmr_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(nmr_waiters);
#endif

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * nmr_handle_what() for the KUnit suites, into @buf (NMR_WHAT_LEN bytes);
 * takes nmr_lock itself when @locked.
 */
const char *nmr_describe_handle(char *buf, const void *handle, unsigned int want, bool locked)
{
	const char *what;

	if (!locked)
		return nmr_handle_what(buf, (unsigned long)handle, want, false);
	mutex_lock(&nmr_lock);
	what = nmr_handle_what(buf, (unsigned long)handle, want, true);
	mutex_unlock(&nmr_lock);
	return what;
}
EXPORT_SYMBOL_IF_KUNIT(nmr_describe_handle);
#endif

/* ---- a module that leaves without deregistering (HDL-6) ---- */

/*
 * @r's module is going: from now on no callback of it starts and no offer
 * involving it starts (HDL-6). Put on @orphans with a reference. nmr_lock held.
 */
static void nmr_orphan_mark(struct nmr_reg *r, struct list_head *orphans)
{
	lockdep_assert_held(&nmr_lock);
	pr_warn("module %s unloads with %s %llu %s; cutting it loose (HDL-6)\n",
		r->owner_name, nmr_role_name[r->role], r->id,
		r->state == NMR_REG_ACTIVE ? "still registered" : "never waited for");
	WRITE_ONCE(r->orphaned, true);
	kref_get(&r->ref);
	list_add_tail(&r->orphan_node, orphans);
}

/*
 * Cut @r loose (its module is going): unpublish it, count its pending sides
 * done, start detaching its peers (left on @batch); nmr_module_going() is
 * one of its waiters from now on.
 */
static void nmr_orphan_cut(struct nmr_reg *r, struct list_head *batch)
{
	struct nmr_binding *b;
	struct nmr_side *s;
	unsigned long flags;

	mutex_lock(&nmr_lock);
	if (r->state == NMR_REG_ACTIVE)
		nmr_reg_begin_deregister(r, batch);	/* drops its queued offers too */
	/* Its pending sides will never complete: count them done. */
	list_for_each_entry(s, &r->bindings[r->role], node) {
		b = nmr_side_binding(s, r->role);
		raw_spin_lock_irqsave(&b->lock, flags);
		if (s->state == NMR_SIDE_PENDING)
			nmr_side_done_later(b, s);
		raw_spin_unlock_irqrestore(&b->lock, flags);
	}
	r->waiters++;		/* nmr_module_going() waits: @done is completed from now on */
	mutex_unlock(&nmr_lock);
}

/*
 * Wait until every binding and running offer of the cut-loose @r is gone (with
 * DRG-4 reports while a peer is pending), then let it go: its handle dies.
 */
static void nmr_orphan_release(struct nmr_reg *r)
{
	mutex_lock(&nmr_lock);
	if (r->busy) {
		mutex_unlock(&nmr_lock);
		nmr_wait_idle(r);
		mutex_lock(&nmr_lock);
	}
	r->waiters--;
	if (r->state == NMR_REG_DEREGISTERING)
		nmr_reg_kill(r);	/* no waiter will come */
	mutex_unlock(&nmr_lock);
	/*
	 * Every callback of @r belongs to a binding or offer of it, so none runs
	 * now; this only makes sure (and says so if one did).
	 */
	while (!wait_event_timeout(nmr_calls_wq, !atomic_read(&r->calls), 10 * HZ))
		pr_warn("module %s: waiting for %d callback(s) of %s %llu to return\n",
			r->owner_name, atomic_read(&r->calls), nmr_role_name[r->role], r->id);
	nmr_reg_put(r);
}

/*
 * HDL-6: @mod is going (its exit has run) with registrations it never waited
 * for. Mark them all orphaned: from then on no callback of theirs starts and
 * no offer involving them starts. Cut them all loose at once, then return
 * only when every binding and running offer of theirs is gone: until each
 * peer's side is done the peer may still be running the module's dispatch
 * code, and a running offer may still hold a pointer into it. Nothing is
 * waited for before all are cut: the pending side one waits for may belong
 * to another, and a callback of one still running (a cleanup may wait on
 * other registrations) may wait for another's peers. Cutting does not need
 * their callbacks to have returned: a side whose detach is still running is
 * counted done when it returns (nmr_side_end()), a running offer is settled
 * by ATT-10, and a binding is not gone before its cleanup returned.
 */
VISIBLE_IF_KUNIT void nmr_module_going(struct module *mod)
{
	struct nmr_going going = { .mod = mod };
	struct nmr_reg *r, *tmp;
	struct nmr_owner *o;
	LIST_HEAD(orphans);
	LIST_HEAD(batch);

	mutex_lock(&nmr_lock);
	/* From here on nmr_register() refuses @mod: the list below is complete. */
	list_add(&going.node, &nmr_going_mods);
	o = nmr_owner_find(mod);
	if (o)
		list_for_each_entry(r, &o->regs, all_node)
			if (!r->orphaned)
				nmr_orphan_mark(r, &orphans);
	mutex_unlock(&nmr_lock);
	/* The orphaned flags before the call counts; pairs with nmr_reg_enter(). */
	smp_mb();

	list_for_each_entry(r, &orphans, orphan_node)
		nmr_orphan_cut(r, &batch);
	nmr_detach_batch(&batch);	/* the peers detach normally, once all are cut */
	list_for_each_entry_safe(r, tmp, &orphans, orphan_node) {
		list_del(&r->orphan_node);
		nmr_orphan_release(r);
	}
	mutex_lock(&nmr_lock);
	list_del(&going.node);
	mutex_unlock(&nmr_lock);
}
EXPORT_SYMBOL_IF_KUNIT(nmr_module_going);

static int nmr_module_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	if (action == MODULE_STATE_GOING)
		nmr_module_going(data);
	return NOTIFY_DONE;
}

static struct notifier_block nmr_module_nb = {
	.notifier_call = nmr_module_notify,
};

/* ---- misc API ---- */

/**
 * nmr_module_id_equal() - compare two module ids (NmrIsEqualNpiModuleId)
 * @a: one id
 * @b: the other
 *
 * Equal when the types match and so do the GUIDs (%NMR_MIT_GUID) or the LUIDs
 * (%NMR_MIT_IF_LUID); @length is not compared; any other type is never equal.
 * The NMR itself never matches on module ids.
 *
 * Context: any context.
 * Return: true if equal.
 */
bool nmr_module_id_equal(const struct nmr_module_id *a, const struct nmr_module_id *b)
{
	if (!a || !b || a->type != b->type)
		return false;
	switch (a->type) {
	case NMR_MIT_GUID:
		return guid_equal(&a->guid, &b->guid);
	case NMR_MIT_IF_LUID:
		return a->if_luid == b->if_luid;
	default:
		return false;
	}
}
EXPORT_SYMBOL_NMR(nmr_module_id_equal);

static int __init nmr_init(void)
{
	int ret;

	ret = rhashtable_init(&nmr_npis, &nmr_npi_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&nmr_reg_ids, &nmr_reg_id_params);
	if (ret)
		goto err_npis;
	ret = rhashtable_init(&nmr_binding_ids, &nmr_binding_id_params);
	if (ret)
		goto err_reg_ids;
	ret = -ENOMEM;
	nmr_reg_cache = KMEM_CACHE(nmr_reg, 0);
	if (!nmr_reg_cache)
		goto err_binding_ids;
	nmr_binding_cache = kmem_cache_create("nmr_binding", sizeof(struct nmr_binding),
					      __alignof__(struct nmr_binding),
					      SLAB_TYPESAFE_BY_RCU, nmr_binding_ctor);
	if (!nmr_binding_cache)
		goto err_reg_cache;
	/*
	 * Not ordered: a cleanup callback may wait on another registration
	 * (HDL-4), whose last cleanup may be queued here behind it. As many
	 * cleanups run at once as a workqueue allows (WQ_MAX_ACTIVE, 512): a
	 * cleanup blocked in such a wait holds one of them, so only 512 cleanups
	 * all waiting at once for work still queued could stall it.
	 */
	nmr_wq = alloc_workqueue("nmr", WQ_UNBOUND, WQ_MAX_ACTIVE);
	if (!nmr_wq)
		goto err_binding_cache;
	ret = register_module_notifier(&nmr_module_nb);
	if (ret)
		goto err_wq;
	nmr_debugfs_init();
	return 0;

err_wq:
	destroy_workqueue(nmr_wq);
err_binding_cache:
	kmem_cache_destroy(nmr_binding_cache);
err_reg_cache:
	kmem_cache_destroy(nmr_reg_cache);
err_binding_ids:
	rhashtable_destroy(&nmr_binding_ids);
err_reg_ids:
	rhashtable_destroy(&nmr_reg_ids);
err_npis:
	rhashtable_destroy(&nmr_npis);
	return ret;
}

static void __exit nmr_exit(void)
{
	nmr_debugfs_exit();
	unregister_module_notifier(&nmr_module_nb);
	/* Every user module is gone: only cleanups queued by their leaving remain. */
	flush_workqueue(nmr_wq);
	WARN_ON(!hash_empty(nmr_owners));
	destroy_workqueue(nmr_wq);
	kmem_cache_destroy(nmr_binding_cache);	/* waits for the RCU readers itself */
	kmem_cache_destroy(nmr_reg_cache);
	rhashtable_destroy(&nmr_binding_ids);
	rhashtable_destroy(&nmr_reg_ids);
	rhashtable_destroy(&nmr_npis);
}

module_init(nmr_init);
module_exit(nmr_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network Module Registrar: client/provider binding for kernel modules");
