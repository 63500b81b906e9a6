// SPDX-License-Identifier: GPL-2.0
/*
 * The NMR's registry, matching, binding state machine, workqueue and init/exit.
 *
 * nmr_client.c and nmr_provider.c are the two thin halves of the API; every
 * rule of the contract is carried out here, once, for both roles.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/xarray.h>

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
 * registrations (nmr_npi_table, each NPI's lists, nmr_regs), creating and
 * freeing bindings (each registration's binding lists, nmr_bindings_xa,
 * nmr_regs_xa), each registration's @state and @busy count, and each binding's
 * move between whole-binding states. It is a mutex because writers allocate.
 *
 * binding->lock (spinlock, irq-safe) protects the two side states and the
 * early-completion flags, and the DETACHING -> CLEANUP step, because
 * *_detach_complete() may run in any context, hard interrupt included (DET-5).
 * It nests inside nmr_lock and is the innermost lock apart from
 * nmr_frames_lock, which only guards the list of callback frames (HDL-4).
 *
 * RCU: nmr_regs_xa and nmr_bindings_xa are looked up under rcu_read_lock()
 * (xa_load()); registrations and bindings are freed with kfree_rcu() after
 * they were erased, so a lookup that raced the erase still reads valid memory
 * and then sees the dead state. The per-NPI lists and nmr_regs are RCU lists
 * for lockless readers (debugfs); the NPI hash table is read only under
 * nmr_lock.
 *
 * Lock order: nmr_lock -> binding->lock -> nmr_frames_lock. No module callback
 * is ever called with any of them held: every callback runs from a point where
 * the calling thread holds no NMR lock, and lockdep would say otherwise.
 */
DEFINE_MUTEX(nmr_lock);

#define NMR_NPI_HASH_BITS 10
static DEFINE_HASHTABLE(nmr_npi_table, NMR_NPI_HASH_BITS);	/* nmr_lock */
LIST_HEAD(nmr_regs);			/* nmr_lock; RCU readers */
static DEFINE_XARRAY(nmr_regs_xa);		/* id -> struct nmr_reg */
static DEFINE_XARRAY(nmr_bindings_xa);		/* id -> struct nmr_binding */
static atomic64_t nmr_last_id = ATOMIC64_INIT(0);

/* The callback frames of every thread now inside an NMR callback (HDL-4). */
static DEFINE_SPINLOCK(nmr_frames_lock);
static LIST_HEAD(nmr_frames);

/* Woken when a registration's last in-flight callback returned (HDL-6). */
static DECLARE_WAIT_QUEUE_HEAD(nmr_calls_wq);

struct workqueue_struct *nmr_wq;
EXPORT_SYMBOL_IF_KUNIT(nmr_wq);

/* Misuse reports so far; KUnit tests read it to check that a warning was given. */
atomic_long_t nmr_misuse_count = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(nmr_misuse_count);

/* See nmr_misuse(): a WARNING once per call site, then rate-limited lines. */
void __nmr_misuse(bool *warned, const char *fmt, ...)
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
	} else {
		pr_warn_ratelimited("misuse: %pV\n", &vaf);
	}
	va_end(args);
}

unsigned int nmr_stall_warn_secs = 10;
EXPORT_SYMBOL_IF_KUNIT(nmr_stall_warn_secs);
module_param_named(stall_warn_secs, nmr_stall_warn_secs, uint, 0644);
MODULE_PARM_DESC(stall_warn_secs,
		 "seconds between reports of a blocked deregistration wait (0 = off)");

static bool atomic_callbacks;
module_param(atomic_callbacks, bool, 0644);
MODULE_PARM_DESC(atomic_callbacks,
		 "call detach and cleanup callbacks with preemption disabled (EXT-5)");

/* One NPI: its registrations of each role, in registration order. */
struct nmr_npi {
	guid_t id;
	struct hlist_node hnode;
	struct list_head regs[2];
};

/* A thread inside an NMR callback, and what its progress holds up (HDL-4). */
struct nmr_frame {
	struct list_head node;
	struct task_struct *task;
	struct nmr_binding *b;		/* binding whose callback runs */
	struct list_head *batch;	/* bindings this thread has still to detach */
};

const char *const nmr_role_name[] = { "client", "provider" };

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

static void *nmr_zalloc(size_t size)
{
	return nmr_should_fail() ? NULL : kzalloc(size, GFP_KERNEL);
}

/* Every object gets its id's slot before it is published. nmr_lock held. */
static int nmr_xa_insert(struct xarray *xa, u64 id, void *entry)
{
	lockdep_assert_held(&nmr_lock);
	return nmr_should_fail() ? -ENOMEM : xa_insert(xa, id, entry, GFP_KERNEL);
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

static u64 nmr_new_id(void)
{
	return atomic64_inc_return(&nmr_last_id);
}

/* ---- handle lookup (HDL-1, HDL-2) ---- */

/* Find a live registration; nmr_lock held. */
static struct nmr_reg *nmr_find_reg(enum nmr_role role, unsigned long handle)
{
	struct nmr_reg *r;

	lockdep_assert_held(&nmr_lock);
	if ((handle & ((1UL << NMR_TAG_BITS) - 1)) != nmr_reg_tag(role))
		return NULL;
	r = xa_load(&nmr_regs_xa, handle >> NMR_TAG_BITS);
	if (!r || r->role != role || r->state == NMR_REG_DEAD)
		return NULL;
	return r;
}

/* Find a binding from one side's handle; under rcu_read_lock() or nmr_lock. */
static struct nmr_binding *nmr_find_binding(enum nmr_role side, unsigned long handle)
{
	if ((handle & ((1UL << NMR_TAG_BITS) - 1)) != nmr_side_tag(side))
		return NULL;
	return xa_load(&nmr_bindings_xa, handle >> NMR_TAG_BITS);
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

static void nmr_frame_push(struct nmr_frame *f, struct nmr_binding *b, struct list_head *batch)
{
	f->task = current;
	f->b = b;
	f->batch = batch;
	spin_lock(&nmr_frames_lock);
	list_add(&f->node, &nmr_frames);
	spin_unlock(&nmr_frames_lock);
}

static void nmr_frame_pop(struct nmr_frame *f)
{
	spin_lock(&nmr_frames_lock);
	list_del(&f->node);
	spin_unlock(&nmr_frames_lock);
}

static bool nmr_binding_involves(const struct nmr_binding *b, const struct nmr_reg *r)
{
	return b->side[NMR_CLIENT].reg == r || b->side[NMR_PROVIDER].reg == r;
}

/*
 * HDL-4: would waiting for @r from this thread wait for this thread itself?
 * It would if the thread is inside a callback of a binding of @r (attach,
 * detach or cleanup), or has still to detach a binding of @r in a batch it
 * is working through. Only the current thread's own frames are read, and
 * only it changes its frames and batches.
 */
static bool nmr_wait_would_deadlock(const struct nmr_reg *r)
{
	struct nmr_binding *b;
	struct nmr_frame *f;
	bool found = false;

	spin_lock(&nmr_frames_lock);
	list_for_each_entry(f, &nmr_frames, node) {
		if (f->task != current)
			continue;
		if (f->b && nmr_binding_involves(f->b, r))
			found = true;
		if (f->batch)
			list_for_each_entry(b, f->batch, batch_node)
				if (nmr_binding_involves(b, r))
					found = true;
	}
	spin_unlock(&nmr_frames_lock);
	return found;
}

static const char *nmr_owner(const struct nmr_reg *r)
{
	return r->owner_name;
}

/* ---- registrations ---- */

static void nmr_reg_free_rcu(struct kref *ref)
{
	struct nmr_reg *r = container_of(ref, struct nmr_reg, ref);

	kfree_rcu(r, rcu);
}

static void nmr_reg_put(struct nmr_reg *r)
{
	kref_put(&r->ref, nmr_reg_free_rcu);
}

/* The handle dies: nothing finds it again (HDL-1). nmr_lock held. */
static void nmr_reg_kill(struct nmr_reg *r)
{
	lockdep_assert_held(&nmr_lock);
	if (r->state == NMR_REG_DEAD)
		return;
	WRITE_ONCE(r->state, NMR_REG_DEAD);
	xa_erase(&nmr_regs_xa, r->id);
	list_del_rcu(&r->all_node);
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
	complete_all(&r->done);
	if (r->orphaned)	/* no waiter will come (HDL-6) */
		nmr_reg_kill(r);
}

static struct nmr_npi *nmr_npi_find(const guid_t *id, u32 hash)
{
	struct nmr_npi *npi;

	lockdep_assert_held(&nmr_lock);
	hash_for_each_possible(nmr_npi_table, npi, hnode, hash)
		if (guid_equal(&npi->id, id))
			return npi;
	return NULL;
}

static u32 nmr_npi_hash(const guid_t *id)
{
	return jhash(id, sizeof(*id), 0);
}

/* Unpublish: no new offer from now on (DRG-2). nmr_lock held. */
static void nmr_reg_unpublish(struct nmr_reg *r)
{
	struct nmr_npi *npi = r->npi;

	lockdep_assert_held(&nmr_lock);
	list_del_rcu(&r->npi_node);
	r->npi = NULL;
	if (list_empty(&npi->regs[NMR_CLIENT]) && list_empty(&npi->regs[NMR_PROVIDER])) {
		hash_del(&npi->hnode);
		kfree(npi);
	}
}

/* ---- the binding state machine ---- */

static void nmr_binding_free(struct nmr_binding *b)
{
	kfree_rcu(b, rcu);
}

/* Call one optional cleanup callback; the module's memory is read only once inside it. */
static void nmr_call_cleanup(struct nmr_reg *r, void (*const *fn)(void *ctx), void *ctx)
{
	void (*cleanup)(void *ctx);

	if (!nmr_reg_enter(r))
		return;		/* its module is gone (HDL-6) */
	cleanup = READ_ONCE(*fn);
	if (cleanup) {
		if (atomic_callbacks)
			preempt_disable();
		cleanup(ctx);
		if (atomic_callbacks)
			preempt_enable();
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
	struct nmr_frame f;

	nmr_frame_push(&f, b, NULL);
	if (cs->has_callbacks)
		nmr_call_cleanup(c, &c->client->cleanup_binding_context, cs->binding_ctx);
	nmr_call_cleanup(p, &p->provider->cleanup_binding_context, ps->binding_ctx);
	nmr_frame_pop(&f);
	trace_nmr_cleanup(b->id, c->id, p->id, 0);

	mutex_lock(&nmr_lock);
	WRITE_ONCE(b->state, NMR_BINDING_GONE);
	xa_erase(&nmr_bindings_xa, b->id);
	list_del(&cs->node);
	list_del(&ps->node);
	nmr_reg_unbusy(c);
	nmr_reg_unbusy(p);
	mutex_unlock(&nmr_lock);
	nmr_binding_free(b);
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

/* Call one side's detach callback, if it is still due (DET-2, DET-4, DET-6). */
static bool nmr_detach_side(struct nmr_binding *b, enum nmr_role side)
{
	struct nmr_side *s = &b->side[side];
	struct nmr_reg *r = s->reg;
	unsigned long flags;
	bool cleanup;
	int ret = 0;

	spin_lock_irqsave(&b->lock, flags);
	if (s->state != NMR_SIDE_ATTACHED) {
		spin_unlock_irqrestore(&b->lock, flags);
		return false;
	}
	s->state = NMR_SIDE_CALLING;
	spin_unlock_irqrestore(&b->lock, flags);

	if (nmr_reg_enter(r)) {
		if (atomic_callbacks)
			preempt_disable();
		if (side == NMR_CLIENT)
			ret = r->client->detach_provider(s->binding_ctx);
		else
			ret = r->provider->detach_client(s->binding_ctx);
		if (atomic_callbacks)
			preempt_enable();
		nmr_reg_exit(r);
		trace_nmr_detach(b->id, side, ret);
		if (ret && ret != -EINPROGRESS) {
			pr_warn_ratelimited("%s %llu (%s): detach returned %d, taken as 0 (DET-4)\n",
					    nmr_role_name[side], r->id, nmr_owner(r), ret);
			ret = 0;
		}
	}

	spin_lock_irqsave(&b->lock, flags);
	if (ret == -EINPROGRESS && !READ_ONCE(r->orphaned) && !s->early) {
		s->state = NMR_SIDE_PENDING;
		s->pending_since = jiffies;
	} else {
		if (ret == 0 && s->early)
			pr_warn_once("%s %llu (%s): completed early but detach returned 0 (DET-6)\n",
				     nmr_role_name[side], r->id, nmr_owner(r));
		s->state = NMR_SIDE_DONE;
	}
	cleanup = nmr_binding_claim_cleanup(b);
	spin_unlock_irqrestore(&b->lock, flags);
	return cleanup;
}

/*
 * Detach one binding on this thread: the deregistering side first, then the
 * peer (DET-2); cleanup inline if both finished here (CLN-2). Only the thread
 * that moved the binding to DETACHING (under nmr_lock) calls this.
 */
static void nmr_binding_detach(struct nmr_binding *b, struct nmr_frame *f)
{
	bool cleanup;

	f->b = b;
	cleanup = nmr_detach_side(b, b->first);
	cleanup |= nmr_detach_side(b, !b->first);
	f->b = NULL;
	if (cleanup)
		nmr_binding_cleanup(b);
}

static void nmr_detach_batch(struct list_head *batch)
{
	struct nmr_binding *b;
	struct nmr_frame f;

	nmr_frame_push(&f, NULL, batch);
	while ((b = list_first_entry_or_null(batch, struct nmr_binding, batch_node))) {
		list_del_init(&b->batch_node);
		nmr_binding_detach(b, &f);
	}
	nmr_frame_pop(&f);
}

/* Start detaching an attached binding, @first side first. nmr_lock held. */
static void nmr_binding_start_detach(struct nmr_binding *b, enum nmr_role first,
				     struct list_head *batch)
{
	unsigned long flags;

	lockdep_assert_held(&nmr_lock);
	spin_lock_irqsave(&b->lock, flags);
	WRITE_ONCE(b->state, NMR_BINDING_DETACHING);
	b->first = first;
	spin_unlock_irqrestore(&b->lock, flags);
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
			     role, r->id, nmr_owner(r), what, ret);
	else
		pr_notice_once("%s %llu (%s): %s refused with %d (ATT-5)\n",
			       role, r->id, nmr_owner(r), what, ret);
}

/* Forget an offer that did not become a binding (ATT-5, ATT-7, DRG-2). */
static void nmr_offer_discard(struct nmr_binding *b)
{
	mutex_lock(&nmr_lock);
	xa_erase(&nmr_bindings_xa, b->id);
	list_del(&b->side[NMR_CLIENT].node);
	list_del(&b->side[NMR_PROVIDER].node);
	nmr_reg_unbusy(b->side[NMR_CLIENT].reg);
	nmr_reg_unbusy(b->side[NMR_PROVIDER].reg);
	mutex_unlock(&nmr_lock);
	nmr_binding_free(b);
}

/*
 * Run one offer on the registering thread (ATT-2, ATT-3), then settle it:
 * attached, declined, undone (ATT-8) or attached-then-detached (ATT-10).
 */
static void nmr_offer(struct nmr_binding *b)
{
	struct nmr_reg *c = b->side[NMR_CLIENT].reg, *p = b->side[NMR_PROVIDER].reg;
	LIST_HEAD(batch);
	struct nmr_frame f;
	bool attached;
	int ret;

	/* DRG-2: a registration that began to deregister gets no new offer. */
	if (READ_ONCE(c->state) != NMR_REG_ACTIVE || READ_ONCE(p->state) != NMR_REG_ACTIVE ||
	    !nmr_reg_enter(c)) {
		nmr_offer_discard(b);
		return;
	}
	trace_nmr_offer(b->id, c->id, p->id, 0);
	nmr_frame_push(&f, b, NULL);
	ret = c->client->attach_provider(nmr_handle_of(b, NMR_CLIENT), c->ctx, p->ri);
	nmr_frame_pop(&f);
	nmr_reg_exit(c);

	attached = READ_ONCE(b->attach_ok);
	trace_nmr_attach(b->id, c->id, p->id, attached && !ret ? 0 : ret ? ret : -ENODEV);
	if (!attached) {
		if (!ret)
			nmr_misuse("client %llu (%s): attach_provider: 0 but unattached (ATT-7)",
				   c->id, nmr_owner(c));
		else if (ret != -ENODEV)
			nmr_report_refusal("client", c, "attach_provider", ret);
		nmr_offer_discard(b);
		return;
	}

	mutex_lock(&nmr_lock);
	b->offer_task = NULL;
	if (ret) {
		/* ATT-8: the client failed after the provider accepted. */
		if (ret != -ENODEV)
			pr_notice_once("client %llu (%s): attach_provider failed with %d after attaching (ATT-8)\n",
				       c->id, nmr_owner(c), ret);
		spin_lock_irq(&b->lock);
		b->side[NMR_CLIENT].state = NMR_SIDE_DONE;
		b->side[NMR_CLIENT].has_callbacks = false;
		spin_unlock_irq(&b->lock);
		nmr_binding_start_detach(b, NMR_PROVIDER, &batch);
	} else if (c->state != NMR_REG_ACTIVE) {
		/* ATT-10: late comer; the deregistering side detaches first. */
		nmr_binding_start_detach(b, NMR_CLIENT, &batch);
	} else if (p->state != NMR_REG_ACTIVE) {
		nmr_binding_start_detach(b, NMR_PROVIDER, &batch);
	} else {
		WRITE_ONCE(b->state, NMR_BINDING_ATTACHED);
	}
	mutex_unlock(&nmr_lock);

	if (!list_empty(&batch))
		nmr_detach_batch(&batch);
}

/**
 * nmr_attach_provider() - the body of nmr_client_attach_provider()
 * @handle: the client side's binding handle
 * @client_binding_ctx: the client's binding context
 * @client_dispatch: the client's dispatch table
 * @provider_binding_ctx: out: the provider's binding context
 * @provider_dispatch: out: the provider's dispatch table
 *
 * Only the offering thread touches an OFFERED binding, so no lock is needed
 * once the handle is known to be this thread's offer (ATT-4, ATT-6).
 *
 * Return: the provider's attach_client result, or -EBADF / -EALREADY (ATT-6).
 */
int nmr_attach_provider(unsigned long handle, void *client_binding_ctx,
			const void *client_dispatch, void **provider_binding_ctx,
			const void **provider_dispatch)
{
	struct nmr_binding *b;
	struct nmr_reg *c, *p;
	struct nmr_frame f;
	void *pctx = NULL;
	const void *pdisp = NULL;
	bool mine;
	int ret;

	rcu_read_lock();
	b = nmr_find_binding(NMR_CLIENT, handle);
	if (!b) {
		rcu_read_unlock();
		return -EBADF;		/* unknown, or a discarded offer */
	}
	if (READ_ONCE(b->state) != NMR_BINDING_OFFERED || READ_ONCE(b->attach_ok)) {
		rcu_read_unlock();
		return -EALREADY;
	}
	mine = READ_ONCE(b->offer_task) == current;
	rcu_read_unlock();
	if (!mine) {
		nmr_misuse("nmr_client_attach_provider() outside its attach_provider callback");
		return -EBADF;
	}
	if (b->attach_busy) {
		nmr_misuse("nmr_client_attach_provider() re-entered from attach_client");
		return -EALREADY;
	}

	c = b->side[NMR_CLIENT].reg;
	p = b->side[NMR_PROVIDER].reg;
	if (!nmr_reg_enter(p))
		return -ENODEV;		/* the provider's module is gone */
	b->attach_busy = true;
	nmr_frame_push(&f, b, NULL);
	ret = p->provider->attach_client(nmr_handle_of(b, NMR_PROVIDER), p->ctx, c->ri,
					 client_binding_ctx, client_dispatch, &pctx, &pdisp);
	nmr_frame_pop(&f);
	b->attach_busy = false;
	nmr_reg_exit(p);

	if (ret) {
		if (ret != -ENODEV)
			nmr_report_refusal("provider", p, "attach_client", ret);
		return ret;	/* ATT-4: unchanged; out-parameters untouched */
	}
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

/**
 * nmr_detach_complete() - the body of both *_detach_complete() calls
 * @side: which side the handle must be
 * @handle: that side's binding handle
 *
 * Any context (DET-5): a lockless lookup, the binding's irq-safe lock, and at
 * most a queue_work(); no callback inline.
 *
 * Return: 0, -EBADF (unknown, dead or other side) or -EINVAL (HDL-5).
 */
int nmr_detach_complete(enum nmr_role side, unsigned long handle)
{
	struct nmr_binding *b;
	struct nmr_side *s;
	unsigned long flags;
	int ret = 0;

	rcu_read_lock();
	b = nmr_find_binding(side, handle);
	if (!b) {
		rcu_read_unlock();
		trace_nmr_detach_complete(handle >> NMR_TAG_BITS, side, -EBADF);
		pr_warn_ratelimited("%s detach complete on an unknown or dead handle (HDL-5)\n",
				    nmr_role_name[side]);
		atomic_long_inc(&nmr_misuse_count);
		return -EBADF;
	}
	s = &b->side[side];
	spin_lock_irqsave(&b->lock, flags);
	switch (s->state) {
	case NMR_SIDE_ATTACHED:		/* DET-6: before the detach started */
	case NMR_SIDE_CALLING:		/* DET-6: while the callback runs */
		if (s->early)
			ret = -EINVAL;
		else
			s->early = true;
		break;
	case NMR_SIDE_PENDING:
		s->state = NMR_SIDE_DONE;
		/* Traced before the cleanup it may start, so the trace keeps the order. */
		trace_nmr_detach_complete(b->id, side, 0);
		if (nmr_binding_claim_cleanup(b))
			queue_work(nmr_wq, &b->cleanup_work);	/* CLN-2 */
		spin_unlock_irqrestore(&b->lock, flags);
		rcu_read_unlock();
		return 0;
	case NMR_SIDE_DONE:
		ret = -EINVAL;
		break;
	}
	trace_nmr_detach_complete(b->id, side, ret);
	spin_unlock_irqrestore(&b->lock, flags);
	rcu_read_unlock();
	if (ret) {
		pr_warn_ratelimited("%s detach complete after the side was done (HDL-5)\n",
				    nmr_role_name[side]);
		atomic_long_inc(&nmr_misuse_count);
	}
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

/**
 * nmr_register() - the body of both register calls
 * @role: client or provider
 * @chars: the characteristics, already checked by the caller
 * @ri: &chars->registration
 * @ctx: the registration's context
 * @handle: out: the caller's handle variable, written before publishing (REG-2)
 * @owner: the registering module
 *
 * Allocates everything first (the registration, its handle slot, the NPI
 * node if the NPI is new, one binding per peer and its handle slot), so that
 * a failure leaves no trace (REG-1); writes the handle, publishes (REG-2),
 * then runs the offers on this thread (ATT-2).
 *
 * Return: 0 or -ENOMEM.
 */
int nmr_register(enum nmr_role role, const void *chars,
		 const struct nmr_registration_instance *ri, void *ctx,
		 void **handle, struct module *owner)
{
	enum nmr_role peer_role = !role;
	struct nmr_binding *b, *tmp;
	struct nmr_npi *npi, *new_npi = NULL;
	struct nmr_reg *r, *peer;
	LIST_HEAD(offers);
	u32 hash;
	int ret = -ENOMEM;

	might_sleep();		/* REG-5 */
	r = nmr_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;

	r->role = role;
	r->state = NMR_REG_ACTIVE;
	r->ri = ri;
	r->ctx = ctx;
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
	hash = nmr_npi_hash(&r->npi_id);

	mutex_lock(&nmr_lock);
	r->id = nmr_new_id();
	if (nmr_xa_insert(&nmr_regs_xa, r->id, r))
		goto err_unlock;
	npi = nmr_npi_find(&r->npi_id, hash);

	/* One binding per active peer, in the peers' registration order. */
	if (npi) {
		list_for_each_entry(peer, &npi->regs[peer_role], npi_node) {
			b = nmr_zalloc(sizeof(*b));
			if (!b)
				goto err_offers;
			b->id = nmr_new_id();
			spin_lock_init(&b->lock);
			INIT_WORK(&b->cleanup_work, nmr_cleanup_work);
			b->state = NMR_BINDING_OFFERED;
			b->offer_task = current;
			b->side[role].reg = r;
			b->side[peer_role].reg = peer;
			b->side[NMR_CLIENT].has_callbacks = true;
			b->side[NMR_PROVIDER].has_callbacks = true;
			list_add_tail(&b->batch_node, &offers);
			/* Fully set up before a lookup can find it. */
			if (nmr_xa_insert(&nmr_bindings_xa, b->id, b)) {
				list_del(&b->batch_node);
				kfree(b);
				goto err_offers;
			}
		}
	} else {
		/* The first registration of this NPI (under the lock: no one else adds it). */
		new_npi = nmr_zalloc(sizeof(*new_npi));
		if (!new_npi)
			goto err_offers;
		npi = new_npi;
		guid_copy(&npi->id, &r->npi_id);
		INIT_LIST_HEAD(&npi->regs[NMR_CLIENT]);
		INIT_LIST_HEAD(&npi->regs[NMR_PROVIDER]);
	}

	/* Nothing can fail from here on: the handle first (REG-2), then publish. */
	if (new_npi)
		hash_add(nmr_npi_table, &new_npi->hnode, hash);
	WRITE_ONCE(*handle, (void *)nmr_cookie(r->id, nmr_reg_tag(role)));
	r->npi = npi;
	list_add_tail_rcu(&r->npi_node, &npi->regs[role]);
	list_add_tail_rcu(&r->all_node, &nmr_regs);
	list_for_each_entry(b, &offers, batch_node) {
		list_add_tail(&b->side[NMR_CLIENT].node,
			      &b->side[NMR_CLIENT].reg->bindings[NMR_CLIENT]);
		list_add_tail(&b->side[NMR_PROVIDER].node,
			      &b->side[NMR_PROVIDER].reg->bindings[NMR_PROVIDER]);
		b->side[NMR_CLIENT].reg->busy++;
		b->side[NMR_PROVIDER].reg->busy++;
	}
	mutex_unlock(&nmr_lock);
	trace_nmr_register(r->id, role, r->owner_name, &r->npi_id, r->number);

	list_for_each_entry_safe(b, tmp, &offers, batch_node) {
		list_del_init(&b->batch_node);
		nmr_offer(b);
	}
	return 0;

err_offers:
	list_for_each_entry_safe(b, tmp, &offers, batch_node) {
		xa_erase(&nmr_bindings_xa, b->id);
		kfree(b);
	}
	xa_erase(&nmr_regs_xa, r->id);
err_unlock:
	mutex_unlock(&nmr_lock);
	kfree(r);
	return ret;
}

/* Start deregistering @r: unpublish and pick the bindings to detach. nmr_lock held. */
static void nmr_reg_begin_deregister(struct nmr_reg *r, struct list_head *batch)
{
	struct nmr_side *s;
	struct nmr_binding *b;

	lockdep_assert_held(&nmr_lock);
	trace_nmr_deregister(r->id, r->role);
	WRITE_ONCE(r->state, NMR_REG_DEREGISTERING);
	r->dereg_time = jiffies;
	nmr_reg_unpublish(r);
	/* DET-3: attached bindings not already detaching, in creation order. */
	list_for_each_entry(s, &r->bindings[r->role], node) {
		b = nmr_side_binding(s, r->role);
		if (READ_ONCE(b->state) == NMR_BINDING_ATTACHED)
			nmr_binding_start_detach(b, r->role, batch);
	}
	if (!r->busy)
		complete_all(&r->done);
}

/**
 * nmr_deregister() - the body of both deregister calls
 * @role: client or provider
 * @handle: the registration's handle
 *
 * Return: -EINPROGRESS (DRG-1), or -EBADF / -EALREADY (HDL-2, HDL-3).
 */
int nmr_deregister(enum nmr_role role, unsigned long handle)
{
	struct nmr_reg *r;
	LIST_HEAD(batch);

	might_sleep();
	mutex_lock(&nmr_lock);
	r = nmr_find_reg(role, handle);
	if (!r) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("deregister of an unknown or dead %s handle (HDL-2)",
			   nmr_role_name[role]);
		return -EBADF;
	}
	if (r->state != NMR_REG_ACTIVE) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("%s %llu (%s) deregistered twice (HDL-3)",
			   nmr_role_name[role], r->id, nmr_owner(r));
		return -EALREADY;
	}
	nmr_reg_begin_deregister(r, &batch);
	mutex_unlock(&nmr_lock);

	nmr_detach_batch(&batch);	/* DET-3: before returning, no lock held */
	return -EINPROGRESS;
}

const char *const nmr_side_state_name[] = {
	[NMR_SIDE_ATTACHED] = "attached",
	[NMR_SIDE_CALLING] = "calling",
	[NMR_SIDE_PENDING] = "pending",
	[NMR_SIDE_DONE] = "done",
};

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
		nmr_owner(r), jiffies_to_msecs(waited) / 1000);
	list_for_each_entry(s, &r->bindings[r->role], node) {
		b = nmr_side_binding(s, r->role);
		if (READ_ONCE(b->state) == NMR_BINDING_OFFERED) {
			offers++;
			continue;
		}
		spin_lock_irqsave(&b->lock, flags);
		for (i = 0; i < 2; i++) {
			st[i] = b->side[i].state;
			pend[i] = st[i] == NMR_SIDE_PENDING ?
				  jiffies_to_msecs(now - b->side[i].pending_since) : 0;
		}
		spin_unlock_irqrestore(&b->lock, flags);
		pr_warn("  binding %llu npi %pUb: client %llu (%s) %s %lu ms, provider %llu (%s) %s %lu ms\n",
			b->id, &r->npi_id,
			b->side[NMR_CLIENT].reg->id, nmr_owner(b->side[NMR_CLIENT].reg),
			nmr_side_state_name[st[NMR_CLIENT]], pend[NMR_CLIENT],
			b->side[NMR_PROVIDER].reg->id, nmr_owner(b->side[NMR_PROVIDER].reg),
			nmr_side_state_name[st[NMR_PROVIDER]], pend[NMR_PROVIDER]);
	}
	if (offers)
		pr_warn("  %u offer(s) still running\n", offers);
	mutex_unlock(&nmr_lock);
}

/* Wait in slices: stall reports, and never a hung-task report (DRG-4). */
#define NMR_WAIT_SLICE (5 * HZ)

/**
 * nmr_wait_deregister() - the body of both wait calls
 * @role: client or provider
 * @handle: the registration's handle
 *
 * Return: 0, or -EINVAL / -EBADF / -EDEADLK (HDL-3, HDL-2, HDL-4).
 */
int nmr_wait_deregister(enum nmr_role role, unsigned long handle)
{
	unsigned long start = jiffies, next_report, slice;
	struct nmr_reg *r;

	might_sleep();
	mutex_lock(&nmr_lock);
	r = nmr_find_reg(role, handle);
	if (!r) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait on an unknown or dead %s handle (HDL-2)", nmr_role_name[role]);
		return -EBADF;
	}
	if (r->state == NMR_REG_ACTIVE) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait on %s %llu (%s) before deregistering it (HDL-3)",
			   nmr_role_name[role], r->id, nmr_owner(r));
		return -EINVAL;
	}
	if (!completion_done(&r->done) && nmr_wait_would_deadlock(r)) {
		mutex_unlock(&nmr_lock);
		nmr_misuse("wait on %s %llu (%s) from a callback it waits for (HDL-4)",
			   nmr_role_name[role], r->id, nmr_owner(r));
		return -EDEADLK;
	}
	kref_get(&r->ref);	/* DRG-5: freed after the last waiter */
	mutex_unlock(&nmr_lock);

	next_report = start + READ_ONCE(nmr_stall_warn_secs) * HZ;
	for (;;) {
		unsigned int secs = READ_ONCE(nmr_stall_warn_secs);

		slice = secs ? min_t(unsigned long, secs * HZ, NMR_WAIT_SLICE) : NMR_WAIT_SLICE;
		if (wait_for_completion_timeout(&r->done, slice))
			break;
		if (secs && time_after_eq(jiffies, next_report)) {
			nmr_report_stall(r, jiffies - start);
			next_report = jiffies + secs * HZ;
		}
	}

	mutex_lock(&nmr_lock);
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
 *
 * Return: 0, or the first error of the two steps.
 */
int nmr_deregister_sync(enum nmr_role role, unsigned long handle)
{
	int ret = nmr_deregister(role, handle);

	if (ret != -EINPROGRESS)
		return ret;
	return nmr_wait_deregister(role, handle);
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

/* ---- a module that leaves without deregistering (HDL-6) ---- */

VISIBLE_IF_KUNIT void nmr_module_going(struct module *mod)
{
	struct nmr_reg *r, *orphans[16];
	struct nmr_binding *b;
	struct nmr_side *s;
	unsigned int i, n;
	LIST_HEAD(batch);
	unsigned long flags;
	bool more;

	do {
		n = 0;
		more = false;
		mutex_lock(&nmr_lock);
		list_for_each_entry(r, &nmr_regs, all_node) {
			if (r->owner != mod || r->orphaned)
				continue;
			if (n == ARRAY_SIZE(orphans)) {
				more = true;
				break;
			}
			pr_warn("module %s unloads with %s %llu %s; cutting it loose (HDL-6)\n",
				r->owner_name, nmr_role_name[r->role], r->id,
				r->state == NMR_REG_ACTIVE ? "still registered" :
							     "never waited for");
			WRITE_ONCE(r->orphaned, true);
			kref_get(&r->ref);
			orphans[n++] = r;
		}
		mutex_unlock(&nmr_lock);
		/* The orphaned flags before the call counts; pairs with nmr_reg_enter(). */
		smp_mb();

		for (i = 0; i < n; i++) {
			r = orphans[i];
			/* Calls into the module that already started must finish. */
			while (!wait_event_timeout(nmr_calls_wq, !atomic_read(&r->calls),
						   10 * HZ))
				pr_warn("module %s: waiting for %d callback(s) of %s %llu to return\n",
					r->owner_name, atomic_read(&r->calls),
					nmr_role_name[r->role], r->id);

			mutex_lock(&nmr_lock);
			if (r->state == NMR_REG_ACTIVE)
				nmr_reg_begin_deregister(r, &batch);
			/* Its pending sides will never complete: count them done. */
			list_for_each_entry(s, &r->bindings[r->role], node) {
				b = nmr_side_binding(s, r->role);
				spin_lock_irqsave(&b->lock, flags);
				if (s->state == NMR_SIDE_PENDING) {
					s->state = NMR_SIDE_DONE;
					if (nmr_binding_claim_cleanup(b))
						queue_work(nmr_wq, &b->cleanup_work);
				}
				spin_unlock_irqrestore(&b->lock, flags);
			}
			if (r->state == NMR_REG_DEREGISTERING && !r->busy)
				nmr_reg_kill(r);	/* nothing left: no waiter will come */
			mutex_unlock(&nmr_lock);
			nmr_detach_batch(&batch);	/* the peers detach normally */
			nmr_reg_put(r);
		}
	} while (more);
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

	/* Not ordered: a cleanup callback may wait on another registration (HDL-4). */
	nmr_wq = alloc_workqueue("nmr", WQ_UNBOUND, 0);
	if (!nmr_wq)
		return -ENOMEM;
	ret = register_module_notifier(&nmr_module_nb);
	if (ret) {
		destroy_workqueue(nmr_wq);
		return ret;
	}
	nmr_debugfs_init();
	pr_info("loaded\n");
	return 0;
}

static void __exit nmr_exit(void)
{
	nmr_debugfs_exit();
	unregister_module_notifier(&nmr_module_nb);
	/* Every user module is gone: only cleanups queued by their leaving remain. */
	flush_workqueue(nmr_wq);
	WARN_ON(!list_empty(&nmr_regs));
	destroy_workqueue(nmr_wq);
	rcu_barrier();		/* the kfree_rcu()s above */
	xa_destroy(&nmr_regs_xa);
	xa_destroy(&nmr_bindings_xa);
	pr_info("unloaded\n");
}

module_init(nmr_init);
module_exit(nmr_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network Module Registrar: client/provider binding for kernel modules");
