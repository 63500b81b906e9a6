// SPDX-License-Identifier: GPL-2.0
/* The KUnit fixture behind nmr_test.h: test peers, event log, async helpers. */
#include <linux/kmsg_dump.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nmr_test.h"

/* Two NPIs: {7e570000-0000-4e4d-9200-00000000000a} and ...0b. */
const guid_t tnpi_a = GUID_INIT(0x7e570000, 0, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0x0a);
const guid_t tnpi_b = GUID_INIT(0x7e570000, 0, 0x4e4d, 0x92, 0, 0, 0, 0, 0, 0, 0x0b);

static struct tctx *tctx_of(struct kunit *test)
{
	return test->priv;
}

void tp_log(struct kunit *test, const char *fmt, ...)
{
	struct tctx *ctx = tctx_of(test);
	unsigned long flags;
	size_t len;
	va_list ap;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	len = strlen(ctx->log);
	if (len && len < sizeof(ctx->log) - 1)
		ctx->log[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(ctx->log + len, sizeof(ctx->log) - len, fmt, ap);
	va_end(ap);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

const char *tp_events(struct kunit *test)
{
	return tctx_of(test)->log;
}

void tp_clear_events(struct kunit *test)
{
	struct tctx *ctx = tctx_of(test);
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->log[0] = '\0';
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

static void tp_expect_misuse_end(void *unused)
{
	pr_info("nmr-test: expect-misuse-warning end\n");
}

/* The misuse this test provokes may print the NMR's WARNING: tell the log scan. */
void tp_expect_misuse(struct kunit *test)
{
	pr_info("nmr-test: expect-misuse-warning begin\n");
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tp_expect_misuse_end, NULL));
}

long tp_misuse_count(void)
{
	return atomic_long_read(&nmr_misuse_count);
}

/* Run one of the debugfs show functions (EXT-1) into a test buffer. */
char *tp_show(struct kunit *test, int (*fn)(struct seq_file *m, void *v))
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = 64 * 1024;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	KUNIT_ASSERT_EQ(test, fn(m, NULL), 0);
	KUNIT_ASSERT_LT(test, m->count, m->size);
	m->buf[m->count] = '\0';
	return m->buf;
}

void tp_expect_line(struct kunit *test, const char *text, const char *line)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, line), "no line \"%s\" in:\n%s", line, text);
}

/*
 * Does the kernel log hold a line containing @first and, after it, one
 * containing @then (NULL: @first is enough)? Reads the printk ring buffer
 * from its oldest record, the way a kmsg dumper does.
 */
bool tp_klog_has(struct kunit *test, const char *first, const char *then)
{
	const size_t size = 1024;
	char *line = kmalloc(size, GFP_KERNEL);
	struct kmsg_dump_iter iter;
	bool seen = false, found = false;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, line);
	kmsg_dump_rewind(&iter);
	while (!found && kmsg_dump_get_line(&iter, false, line, size - 1, &len)) {
		line[len] = '\0';
		if (seen) {
			found = !!strstr(line, then);
		} else if (strstr(line, first)) {
			seen = true;
			found = !then;
		}
	}
	kfree(line);
	return found;
}

static void tp_poison_check(struct tpeer *tp, const char *what)
{
	if (!READ_ONCE(tp->poisoned))
		return;
	/* DRG-3: a callback after the registration's wait returned. */
	atomic_inc(&tctx_of(tp->test)->poison_hits);
	tp_log(tp->test, "%s:%s-AFTER-WAIT", tp->name, what);
}

static struct tbind *tp_new_bind(struct tpeer *tp, struct nmr_binding *handle)
{
	int i = atomic_inc_return(&tp->nbinds) - 1;
	struct tbind *tb;

	if (WARN_ON(i >= TP_MAX_BINDINGS))
		return NULL;
	tb = &tp->binds[i];
	tb->owner = tp;
	tb->handle = handle;
	return tb;
}

static void tp_record_attach(struct tpeer *tp)
{
	tp_poison_check(tp, "attach");
	atomic_inc(&tp->attaches);
	tp->attach_task = current;
	tp->attach_preemptible = preemptible();
	tp_log(tp->test, "%s:attach", tp->name);
}

static int tp_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	struct tpeer *tp = client_ctx;
	struct tbind *tb;
	int ret;

	tp_record_attach(tp);
	tp->seen_peer_ri = provider;
	tp->handle_set_in_attach = !!READ_ONCE(tp->client);	/* REG-2 */
	tb = tp_new_bind(tp, binding);
	if (!tb)
		return -ENODEV;
	if (tp->hook)
		tp->hook(tp, tb, TP_ATTACH);
	if (tp->client_no_attach)
		return tp->attach_ret;
	ret = nmr_client_attach_provider(binding, tb, &tp->dispatch, &tb->peer_ctx,
					 &tb->peer_dispatch);
	if (ret)
		return ret;
	if (tp->hook)
		tp->hook(tp, tb, TP_ATTACHED);
	return tp->attach_ret;
}

static int tp_attach_client(struct nmr_binding *binding, void *provider_ctx,
			    const struct nmr_registration_instance *client,
			    void *client_binding_ctx, const void *client_dispatch,
			    void **provider_binding_ctx, const void **provider_dispatch)
{
	struct tpeer *tp = provider_ctx;
	struct tbind *tb;

	tp_record_attach(tp);
	tp->seen_peer_ri = client;
	tp->handle_set_in_attach = !!READ_ONCE(tp->provider);
	tb = tp_new_bind(tp, binding);
	if (!tb)
		return -ENODEV;
	tb->peer_ctx = client_binding_ctx;
	tb->peer_dispatch = client_dispatch;
	if (tp->hook)
		tp->hook(tp, tb, TP_ATTACH);
	if (tp->attach_ret)
		return tp->attach_ret;
	*provider_binding_ctx = tb;
	*provider_dispatch = &tp->dispatch;
	return 0;
}

static int tp_detach(void *binding_ctx)
{
	struct tbind *tb = binding_ctx;
	struct tpeer *tp = tb->owner;

	tp_poison_check(tp, "detach");
	atomic_inc(&tp->detaches);
	tb->detached++;
	tb->detach_task = current;
	tp_log(tp->test, "%s:detach", tp->name);
	if (tp->hook)
		tp->hook(tp, tb, TP_DETACH);
	return tp->detach_ret;
}

static void tp_cleanup(void *binding_ctx)
{
	struct tbind *tb = binding_ctx;
	struct tpeer *tp = tb->owner;

	tp_poison_check(tp, "cleanup");
	atomic_inc(&tp->cleanups);
	tb->cleaned++;
	tb->cleanup_task = current;
	tb->cleanup_in_wq = !!current_work();
	tp_log(tp->test, "%s:cleanup", tp->name);
	if (tp->hook)
		tp->hook(tp, tb, TP_CLEANUP);
}

struct tpeer *tp_new(struct kunit *test, bool client, const char *name, const guid_t *npi)
{
	struct tpeer *tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	struct nmr_registration_instance *ri;

	KUNIT_ASSERT_NOT_NULL(test, tp);
	tp->test = test;
	tp->is_client = client;
	strscpy(tp->name, name, sizeof(tp->name));
	guid_copy(&tp->npi, npi);
	tp->mid.length = sizeof(tp->mid);
	tp->mid.type = NMR_MIT_GUID;
	guid_gen(&tp->mid.guid);
	if (client) {
		tp->cchars.length = sizeof(tp->cchars);
		tp->cchars.attach_provider = tp_attach_provider;
		tp->cchars.detach_provider = tp_detach;
		tp->cchars.cleanup_binding_context = tp_cleanup;
		ri = &tp->cchars.registration;
	} else {
		tp->pchars.length = sizeof(tp->pchars);
		tp->pchars.attach_client = tp_attach_client;
		tp->pchars.detach_client = tp_detach;
		tp->pchars.cleanup_binding_context = tp_cleanup;
		ri = &tp->pchars.registration;
	}
	ri->npi_id = &tp->npi;
	ri->module_id = &tp->mid;
	list_add_tail(&tp->node, &tctx_of(test)->peers);
	return tp;
}

int tp_register_owner(struct tpeer *tp, struct module *owner)
{
	int ret;

	if (tp->no_cleanup) {
		if (tp->is_client)
			tp->cchars.cleanup_binding_context = NULL;
		else
			tp->pchars.cleanup_binding_context = NULL;
	}
	if (tp->is_client)
		ret = __nmr_register_client(&tp->cchars, tp, &tp->client, owner);
	else
		ret = __nmr_register_provider(&tp->pchars, tp, &tp->provider, owner);
	if (!ret)
		tp->registered = true;
	return ret;
}

int tp_register(struct tpeer *tp)
{
	return tp_register_owner(tp, THIS_MODULE);
}

int tp_deregister(struct tpeer *tp)
{
	tp->deregistered = true;
	return tp->is_client ? nmr_deregister_client(tp->client) :
			       nmr_deregister_provider(tp->provider);
}

int tp_wait(struct tpeer *tp)
{
	int ret = tp->is_client ? nmr_wait_for_client_deregister_complete(tp->client) :
				  nmr_wait_for_provider_deregister_complete(tp->provider);

	if (!ret) {
		tp->waited = true;
		WRITE_ONCE(tp->poisoned, true);
	}
	return ret;
}

/* A registration leaves the usual way: deregister (DRG-1), then wait (DRG-3). */
void tp_leave(struct kunit *test, struct tpeer *tp)
{
	KUNIT_EXPECT_EQ(test, tp_deregister(tp), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(tp), 0);
}

int tp_complete(struct tbind *tb)
{
	return tb->owner->is_client ? nmr_client_detach_provider_complete(tb->handle) :
				      nmr_provider_detach_client_complete(tb->handle);
}

struct tbind *tp_bind(struct tpeer *tp, int i)
{
	return &tp->binds[i];
}

/* ---- async helpers ---- */

static void tasync_fn(struct work_struct *work)
{
	struct tasync *a = container_of(work, struct tasync, work);

	a->task = current;
	a->ret = a->fn(a->arg);
	smp_store_release(&a->finished, true);	/* pairs with tasync_free() */
	complete(&a->done);
}

static void tasync_free(void *data)
{
	struct tasync *a = data;

	/* A helper still blocked means an NMR bug: leak it rather than free it under its feet. */
	if (!smp_load_acquire(&a->finished)) {
		pr_err("nmr-test: an async helper never finished; leaking it\n");
		return;
	}
	flush_work(&a->work);
	kfree(a);
}

struct tasync *tasync_start(struct kunit *test, int (*fn)(void *arg), void *arg)
{
	struct tasync *a = kzalloc(sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	INIT_WORK(&a->work, tasync_fn);
	init_completion(&a->done);
	a->fn = fn;
	a->arg = arg;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tasync_free, a));
	queue_work(system_unbound_wq, &a->work);
	return a;
}

bool tasync_wait(struct tasync *a, unsigned int ms)
{
	return wait_for_completion_timeout(&a->done, msecs_to_jiffies(ms));
}

int tasync_wait_reg(void *tp)
{
	return tp_wait(tp);
}

int tasync_register(void *tp)
{
	return tp_register(tp);
}

int tasync_deregister(void *tp)
{
	return tp_deregister(tp);
}

/* ---- parking a callback, and knobs of the NMR a test turns for itself ---- */

void tp_park_init(struct tpark *pk)
{
	init_completion(&pk->parked);
	init_completion(&pk->release);
}

struct tpark *tp_park_new(struct kunit *test)
{
	struct tpark *pk = kunit_kzalloc(test, sizeof(*pk), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pk);
	tp_park_init(pk);
	return pk;
}

/*
 * Called from a callback: say it is parked, then wait for the test to release
 * it. Bounded: a test that never releases fails on its own timeout first.
 * Returns false if the release never came.
 */
bool tp_park(struct tpark *pk)
{
	complete(&pk->parked);
	return wait_for_completion_timeout(&pk->release, msecs_to_jiffies(T_TIMEOUT_MS));
}

/* A hook (tp->hook_data is a struct tpark): the attach callback parks, before attaching. */
void tp_park_in_attach(struct tpeer *tp, struct tbind *tb, enum tp_event ev)
{
	if (ev != TP_ATTACH)
		return;
	if (!tp_park(tp->hook_data))
		tp_log(tp->test, "RELEASE-TIMEOUT");
}

static void tp_restore_stall(void *secs)
{
	WRITE_ONCE(nmr_stall_warn_secs, (unsigned int)(uintptr_t)secs);
}

/* Set the NMR's stall_warn_secs (DRG-4) for this test only. */
void tp_stall_secs(struct kunit *test, unsigned int secs)
{
	void *old = (void *)(uintptr_t)READ_ONCE(nmr_stall_warn_secs);

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tp_restore_stall, old));
	WRITE_ONCE(nmr_stall_warn_secs, secs);
}

static void tp_fail_nth_reset(void *unused)
{
	atomic_set(&nmr_fail_nth, 0);
}

/* The test arms the NMR's allocation-failure injection (nmr_fail_nth): disarm it at the end. */
void tp_fail_nth_reset_at_end(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tp_fail_nth_reset, NULL));
}

/* ---- per-test set-up and tear-down ---- */

int nmr_test_init(struct kunit *test)
{
	struct tctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	INIT_LIST_HEAD(&ctx->peers);
	raw_spin_lock_init(&ctx->lock);
	test->priv = ctx;
	return 0;
}

/*
 * A test that stopped half-way leaves registrations behind: they point into
 * this test's memory, so take them down before it is freed. Pending sides are
 * completed; every wait is bounded.
 */
void nmr_test_exit(struct kunit *test)
{
	struct tctx *ctx = tctx_of(test);
	struct tpeer *tp;
	bool left = false;
	int i;

	list_for_each_entry(tp, &ctx->peers, node) {
		tp->hook = NULL;
		tp->detach_ret = 0;
		if (tp->registered && !tp->waited)
			left = true;
	}
	if (left) {
		list_for_each_entry(tp, &ctx->peers, node)
			if (tp->registered && !tp->deregistered)
				tp_deregister(tp);
		list_for_each_entry(tp, &ctx->peers, node)
			for (i = 0; i < atomic_read(&tp->nbinds); i++)
				if (tp->binds[i].detached && !tp->binds[i].cleaned)
					tp_complete(&tp->binds[i]);
		list_for_each_entry(tp, &ctx->peers, node) {
			struct tasync *a;

			if (!tp->registered || tp->waited)
				continue;
			a = kzalloc(sizeof(*a), GFP_KERNEL);
			if (!a)
				continue;
			INIT_WORK(&a->work, tasync_fn);
			init_completion(&a->done);
			a->fn = tasync_wait_reg;
			a->arg = tp;
			queue_work(system_unbound_wq, &a->work);
			if (wait_for_completion_timeout(&a->done, msecs_to_jiffies(T_TIMEOUT_MS))) {
				flush_work(&a->work);
				kfree(a);
			} else {
				KUNIT_FAIL(test, "%s: its wait never returned", tp->name);
			}
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->poison_hits), 0,
			    "DRG-3: a callback ran after its wait returned: %s", ctx->log);
}
