/* SPDX-License-Identifier: GPL-2.0 */
/* The KUnit fixture: scriptable test clients and providers that log what happens. */
#ifndef _NMR_TEST_H
#define _NMR_TEST_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include <nmr/nmr.h>
#include "nmr_internal.h"

#define TP_MAX_BINDINGS 16

struct tpeer;

/* One side's binding context, owned by the test peer. */
struct tbind {
	struct tpeer *owner;
	struct nmr_binding *handle;	/* this side's handle */
	void *peer_ctx;
	const void *peer_dispatch;
	int detached;			/* detach callback calls */
	int cleaned;			/* cleanup callback calls */
	struct task_struct *detach_task;
	struct task_struct *cleanup_task;
	bool cleanup_in_wq;		/* cleanup ran on a workqueue worker */
};

/* Where a test hook is called from. */
enum tp_event {
	TP_ATTACH,	/* client: before attaching; provider: in attach_client */
	TP_ATTACHED,	/* client: after a successful nmr_client_attach_provider() */
	TP_DETACH,	/* in the detach callback, before it returns */
	TP_CLEANUP,	/* in the cleanup callback */
};

/* A scriptable client or provider registered by a test. */
struct tpeer {
	struct kunit *test;
	struct list_head node;		/* in the test's tctx.peers */
	char name[8];			/* "c1", "p2": used in the event log */
	bool is_client;
	union {
		struct nmr_client_characteristics cchars;
		struct nmr_provider_characteristics pchars;
	};
	guid_t npi;
	struct nmr_module_id mid;
	union {
		struct nmr_client *client;
		struct nmr_provider *provider;
	};
	bool registered, deregistered, waited;
	int dispatch;			/* this peer's dispatch table: an int, its address given */

	/* behaviour */
	int attach_ret;		/* client: returned after attaching; provider: its result */
	bool client_no_attach;	/* client: return attach_ret without nmr_client_attach_provider() */
	int detach_ret;		/* returned by the detach callback */
	bool no_cleanup;	/* register without a cleanup callback */
	void (*hook)(struct tpeer *tp, struct tbind *tb, enum tp_event ev);
	void *hook_data;

	/* what happened */
	atomic_t attaches, detaches, cleanups;
	struct tbind binds[TP_MAX_BINDINGS];
	atomic_t nbinds;
	struct task_struct *attach_task;
	bool attach_preemptible;
	const struct nmr_registration_instance *seen_peer_ri;
	bool handle_set_in_attach;
	bool poisoned;		/* its wait returned: any callback now is a DRG-3 failure */
};

/* Per-test state: the event log. */
struct tctx {
	struct list_head peers;
	raw_spinlock_t lock;	/* the event log; raw: trace probes log under the NMR's raw lock */
	char log[1024];
	atomic_t poison_hits;
};

extern const guid_t tnpi_a, tnpi_b;

struct tpeer *tp_new(struct kunit *test, bool client, const char *name, const guid_t *npi);
int tp_register(struct tpeer *tp);
int tp_register_owner(struct tpeer *tp, struct module *owner);
int tp_deregister(struct tpeer *tp);
int tp_wait(struct tpeer *tp);
int tp_complete(struct tbind *tb);
void tp_leave(struct kunit *test, struct tpeer *tp);
struct tbind *tp_bind(struct tpeer *tp, int i);
void tp_log(struct kunit *test, const char *fmt, ...) __printf(2, 3);
const char *tp_events(struct kunit *test);
void tp_clear_events(struct kunit *test);
void tp_expect_misuse(struct kunit *test);
long tp_misuse_count(void);

/* The id a handle encodes: what debugfs, the trace events and the log show. */
static inline unsigned long tp_hid(const void *handle)
{
	return (unsigned long)handle >> NMR_TAG_BITS;
}

struct seq_file;
char *tp_show(struct kunit *test, int (*fn)(struct seq_file *m, void *v));
void tp_expect_line(struct kunit *test, const char *text, const char *line);
bool tp_klog_has(struct kunit *test, const char *first, const char *then);

/* Run a function on another thread (a work item) and wait for it, bounded. */
struct tasync {
	struct work_struct work;
	struct completion done;
	int (*fn)(void *arg);
	void *arg;
	int ret;
	struct task_struct *task;
	bool finished;		/* fn returned (the completion may be consumed already) */
};

struct tasync *tasync_start(struct kunit *test, int (*fn)(void *arg), void *arg);
bool tasync_wait(struct tasync *a, unsigned int ms);
int tasync_wait_reg(void *tp);		/* fn for tasync_start: tp_wait() */
int tasync_register(void *tp);		/* fn for tasync_start: tp_register() */
int tasync_deregister(void *tp);	/* fn for tasync_start: tp_deregister() */

/* A callback parked by a hook until the test releases it (both waits bounded). */
struct tpark {
	struct completion parked;	/* the callback is inside the hook */
	struct completion release;	/* the test lets it return */
};

void tp_park_init(struct tpark *pk);
struct tpark *tp_park_new(struct kunit *test);
bool tp_park(struct tpark *pk);
void tp_park_in_attach(struct tpeer *tp, struct tbind *tb, enum tp_event ev);

void tp_stall_secs(struct kunit *test, unsigned int secs);
void tp_fail_nth_reset_at_end(struct kunit *test);

/* A bounded wait for a completion a test expects; fails the test on timeout. */
#define TWAIT(test, c, ms) \
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(c, msecs_to_jiffies(ms)), \
			      "timed out waiting for " #c)

#define T_TIMEOUT_MS 10000

int nmr_test_init(struct kunit *test);
void nmr_test_exit(struct kunit *test);

#endif /* _NMR_TEST_H */
