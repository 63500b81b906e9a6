/* SPDX-License-Identifier: GPL-2.0 */
/* The NMR's private objects, shared by nmr_core.c, nmr_client.c and nmr_provider.c. */
#ifndef _NMR_INTERNAL_H
#define _NMR_INTERNAL_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>
#include <nmr/nmr_tramp.h>

/* The two roles of a registration, and the two sides of a binding. */
enum nmr_role {
	NMR_CLIENT = 0,
	NMR_PROVIDER = 1,
};

/* Registration lifecycle; changed under nmr_lock. */
enum nmr_reg_state {
	NMR_REG_ACTIVE,		/* published: offered to new peers */
	NMR_REG_DEREGISTERING,	/* unpublished; bindings going away */
	NMR_REG_DEAD,		/* a wait returned, or its module left: handle is dead */
};

/* One side of a binding, in its detach (b->lock). */
enum nmr_side_state {
	NMR_SIDE_ATTACHED,	/* detach callback not called yet */
	NMR_SIDE_CALLING,	/* detach callback running */
	NMR_SIDE_PENDING,	/* returned -EINPROGRESS, waiting for *_detach_complete() */
	NMR_SIDE_DONE,		/* nothing of the peer's is in use any more */
};

/*
 * A binding as a whole. offered -> attached and cleanup -> gone change under
 * nmr_lock; attached/offered -> detaching under both locks; detaching ->
 * cleanup under b->lock only (it may happen in atomic context, DET-5).
 * Lockless readers use READ_ONCE().
 */
enum nmr_binding_state {
	NMR_BINDING_OFFERED,	/* the offer is queued or running on b->offer_task */
	NMR_BINDING_ATTACHED,	/* both sides accepted */
	NMR_BINDING_DETACHING,	/* detach callbacks called or due */
	NMR_BINDING_CLEANUP,	/* both sides done; cleanup callbacks due or running */
	NMR_BINDING_GONE,	/* cleanup returned, or a queued offer was dropped; handle dead */
};

struct nmr_npi;

/**
 * struct nmr_reg - a registration, client or provider
 * @id: small number, unique while nmr.ko is loaded; the handle encodes it
 * @role: client or provider
 * @state: see enum nmr_reg_state
 * @orphaned: its module left without waiting (HDL-6): never call into it again
 * @calls: callbacks into this registration's module now running (HDL-6)
 * @ri: the caller's registration instance (REG-3); not read once orphaned
 * @ctx: the client_ctx or provider_ctx
 * @tramp_data: NULL, or this is a trampoline registration (nmr_tramp.h): call
 *	@client_tramp or @provider_tramp with it first (the Windows characteristics)
 * @client: the client's characteristics (role client)
 * @provider: the provider's characteristics (role provider)
 * @client_tramp: the client's trampolines (role client, with @tramp_data)
 * @provider_tramp: the provider's trampolines (role provider, with @tramp_data)
 * @owner: the registering module (only compared, never dereferenced)
 * @owner_name: copy of its name, readable after it unloaded
 * @npi_id: copy of the NPI GUID (the hash key)
 * @module_id: copy of the module id, for debugfs and messages
 * @number: copy of the implementation number
 * @id_node: in the registration handle table, while not dead (nmr_lock)
 * @npi: the NPI node while published
 * @npi_node: in @npi's list of this role, registration order (nmr_lock)
 * @all_node: in its owner's list (struct nmr_owner), while not dead (nmr_lock)
 * @orphan_node: in nmr_module_going()'s list of its module's registrations
 * @bindings: this side's bindings, creation order (nmr_lock)
 * @busy: bindings not yet gone plus offers running, that involve it (nmr_lock)
 * @waiters: waits sleeping on @done (nmr_lock)
 * @done: completed when deregistering and @busy reached 0, if a wait sleeps
 * @ref: one for being alive, one per waiter; freed at 0 (never read locklessly)
 * @dereg_time: jiffies when deregistration started (stall reports)
 */
struct nmr_reg {
	u64 id;
	enum nmr_role role;
	enum nmr_reg_state state;
	atomic_t calls;
	u32 number;
	bool orphaned;
	const struct nmr_registration_instance *ri;
	void *ctx;
	const void *tramp_data;
	union {
		const struct nmr_client_characteristics *client;
		const struct nmr_provider_characteristics *provider;
		const struct nmr_client_tramp *client_tramp;
		const struct nmr_provider_tramp *provider_tramp;
	};
	const struct module *owner;
	char owner_name[MODULE_NAME_LEN];
	guid_t npi_id;
	struct nmr_module_id module_id;
	struct rhash_head id_node;
	struct nmr_npi *npi;
	struct list_head npi_node;
	struct list_head all_node;
	struct list_head orphan_node;
	struct list_head bindings[2];
	unsigned int busy;
	unsigned int waiters;
	struct kref ref;
	struct completion done;
	unsigned long dereg_time;
};

/**
 * struct nmr_side - one side of a binding
 * @reg: the registration on this side
 * @node: in @reg->bindings (nmr_lock)
 * @state: see enum nmr_side_state (binding lock)
 * @early: a completion arrived before the detach callback returned (DET-6)
 * @has_callbacks: false for the client side of an ATT-8 undo
 * @pending_since: jiffies when it became pending
 * @binding_ctx: this side's binding context, given to its own callbacks
 * @dispatch: this side's dispatch table, given to the peer
 */
struct nmr_side {
	struct nmr_reg *reg;
	struct list_head node;
	enum nmr_side_state state;
	bool early;
	bool has_callbacks;
	unsigned long pending_since;
	void *binding_ctx;
	const void *dispatch;
};

/**
 * struct nmr_binding - one binding between a client and a provider
 * @lock: the side states, @state and @early reads in atomic context; a raw
 *	spinlock, irq-safe: taken in hard interrupt context too (DET-5)
 * @id: unique while nmr.ko is loaded, both side handles encode it; 0 once freed
 * @id_node: in the binding handle table (nmr_lock; RCU readers)
 *	(these three are kept while the memory is reused: see nmr_find_binding())
 * @state: see enum nmr_binding_state, which says under which lock it changes
 * @first: the side whose detach callback runs first (the deregistering one)
 * @side: client side [NMR_CLIENT] and provider side [NMR_PROVIDER]
 * @offer_task: the thread running the offer (OFFERED only)
 * @offer_started: the client's attach_provider is called or due (nmr_lock);
 *	until then a deregistration of either side drops the offer (DRG-2)
 * @cb_task: the thread now running a callback of this binding (HDL-4)
 * @batch_task: the thread that has this binding still to detach (HDL-4)
 * @attach_ok: nmr_client_attach_provider() succeeded (ATT-6)
 * @attach_busy: the provider's attach_client is running (ATT-6 re-entry)
 * @batch_node: in one deregistering thread's to-detach list
 * @cleanup_work: runs cleanup after a completion from any context (CLN-2)
 *
 * Bindings come from a SLAB_TYPESAFE_BY_RCU cache: freed at once, and a
 * lockless reader may meanwhile find the memory holding another binding.
 */
struct nmr_binding {
	raw_spinlock_t lock;	/* side states; irq-safe, hard irq included (DET-5) */
	u64 id;
	struct rhash_head id_node;

	/* From here on set afresh for each binding (nmr_binding_alloc()). */
	enum nmr_binding_state state;
	enum nmr_role first;
	struct nmr_side side[2];
	struct task_struct *offer_task;
	bool offer_started;
	struct task_struct *cb_task;
	struct task_struct *batch_task;
	bool attach_ok;
	bool attach_busy;
	struct list_head batch_node;
	struct work_struct cleanup_work;
};

/* The binding that @s is the @role side of. */
static inline struct nmr_binding *nmr_side_binding(struct nmr_side *s, enum nmr_role role)
{
	if (role == NMR_CLIENT)
		return container_of(s, struct nmr_binding, side[NMR_CLIENT]);
	return container_of(s, struct nmr_binding, side[NMR_PROVIDER]);
}

/*
 * Handle cookies: (id << NMR_TAG_BITS) | tag. Never an address, never given
 * out twice: ids come from one 64-bit counter (HDL-1).
 */
#define NMR_TAG_BITS		3
#define NMR_TAG_CLIENT		1	/* struct nmr_client * */
#define NMR_TAG_PROVIDER	2	/* struct nmr_provider * */
#define NMR_TAG_BIND_CLIENT	3	/* struct nmr_binding *, client side */
#define NMR_TAG_BIND_PROVIDER	4	/* struct nmr_binding *, provider side */

/* Room for what a wrong handle was, in the HDL-2 and HDL-5 lines. */
#define NMR_WHAT_LEN		96

static inline unsigned long nmr_cookie(u64 id, unsigned int tag)
{
	return (unsigned long)(id << NMR_TAG_BITS) | tag;
}

/* nmr_core.c: the common half of the API, called by nmr_client.c and nmr_provider.c */
int nmr_register(enum nmr_role role, const void *chars, const void *tramp_data,
		 const struct nmr_registration_instance *ri, void *ctx,
		 void **handle, struct module *owner);
int nmr_deregister(enum nmr_role role, unsigned long handle, unsigned long caller);
int nmr_wait_deregister(enum nmr_role role, unsigned long handle, unsigned long caller);
int nmr_deregister_sync(enum nmr_role role, unsigned long handle, unsigned long caller);
int nmr_detach_complete(enum nmr_role side, unsigned long handle, unsigned long caller);
int nmr_attach_provider(unsigned long handle, void *client_binding_ctx,
			const void *client_dispatch, void **provider_binding_ctx,
			const void **provider_dispatch);
bool nmr_check_registration(const struct nmr_registration_instance *ri,
			    const char *role);

extern struct workqueue_struct *nmr_wq;
extern struct mutex nmr_lock;

/**
 * struct nmr_owner - a module with registrations, and its registrations
 * @mod: the module (only compared, never dereferenced); NULL: built-in code
 * @node: in nmr_owners
 * @regs: its registrations not yet dead, in registration order
 *
 * HDL-6's step for a module going away walks its own list only, not every
 * registration there is. Added with the module's first registration, freed
 * with its last (nmr_lock).
 */
struct nmr_owner {
	const struct module *mod;
	struct hlist_node node;
	struct list_head regs;
};

#define NMR_OWNER_BITS	6	/* buckets of nmr_owners: modules, not objects */
extern struct hlist_head nmr_owners[1 << NMR_OWNER_BITS];
extern const char *const nmr_role_name[];
extern const char *const nmr_side_state_name[];
extern const char *const nmr_binding_state_name[];
const char *nmr_reg_state_name(const struct nmr_reg *r);

/* nmr_debugfs.c */
void nmr_debugfs_init(void);
void nmr_debugfs_exit(void);

/* Also read (and nmr_stall_warn_secs set) by the KUnit suites. */
extern atomic_long_t nmr_misuse_count;
extern atomic_long_t nmr_stall_reports;
extern unsigned int nmr_stall_warn_secs;
#if IS_ENABLED(CONFIG_KUNIT)
extern bool nmr_atomic_callbacks;			/* EXT-5 mode, flipped by a test */
void nmr_module_going(struct module *mod);	/* HDL-6 without unloading a module */
int nmr_waiters(enum nmr_role role, const void *handle);
const char *nmr_describe_handle(char *buf, const void *handle, unsigned int want,
				bool locked);	/* HDL-2, HDL-5 lines */
struct seq_file;
int nmr_registrations_show(struct seq_file *m, void *unused);	/* EXT-1 */
int nmr_bindings_show(struct seq_file *m, void *unused);
extern atomic_t nmr_fail_nth;				/* REG-1 fault injection */
#endif

/*
 * A module used the API wrongly: the call fails with an error, the first time
 * at each site with a WARNING and a backtrace, then as a line rate-limited
 * per site.
 * nmr_misuse_count lets the KUnit suites check that the report was made.
 */
__printf(3, 4) void __nmr_misuse(bool *warned, struct ratelimit_state *rs, const char *fmt, ...);
#define __nmr_misuse_at_site(warn, fmt, ...)				\
do {									\
	static bool __nmr_warned = !(warn);				\
	static DEFINE_RATELIMIT_STATE(__nmr_rs, DEFAULT_RATELIMIT_INTERVAL, \
				      DEFAULT_RATELIMIT_BURST);		\
									\
	__nmr_misuse(&__nmr_warned, &__nmr_rs, fmt, ##__VA_ARGS__);	\
} while (0)
#define nmr_misuse(fmt, ...) __nmr_misuse_at_site(true, fmt, ##__VA_ARGS__)

/*
 * The same as rate-limited lines only, no WARNING: HDL-5 asks for a
 * rate-limited warning of a wrong *_detach_complete(), which may come from
 * any context.
 */
#define nmr_misuse_quiet(fmt, ...) __nmr_misuse_at_site(false, fmt, ##__VA_ARGS__)

#endif /* _NMR_INTERNAL_H */
