// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_rundown: the rundown helper (EXT-3). */
#include <linux/delay.h>

#include <nmr/nmr_rundown.h>
#include "nmr_test.h"

struct trd {
	struct nmr_rundown rd;
	struct completion drained;
	atomic_t drained_calls;
	atomic_t inside;		/* successful acquires not yet released */
	int inside_at_drain;
	bool drain_returned;
	atomic_t late_acquires;		/* acquires that started after drain returned and won */
	atomic_t wins;
	struct completion go;
	bool stop;
};

static void trd_drained(struct nmr_rundown *rd)
{
	struct trd *t = container_of(rd, struct trd, rd);

	t->inside_at_drain = atomic_read(&t->inside);
	atomic_inc(&t->drained_calls);
	complete(&t->drained);
}

static struct trd *trd_new(struct kunit *test)
{
	struct trd *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, nmr_rundown_init(&t->rd), 0);
	init_completion(&t->drained);
	init_completion(&t->go);
	return t;
}

static int trd_wait(void *arg)
{
	nmr_rundown_wait(arg);
	return 0;
}

/* EXT-3: acquire/release; wait blocks while a call is in flight; no acquire after; re-arm. */
static void ext3_rundown_wait_and_reinit(struct kunit *test)
{
	struct trd *t = trd_new(test);
	struct tasync *w;

	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	w = tasync_start(test, trd_wait, &t->rd);
	KUNIT_EXPECT_FALSE(test, tasync_wait(w, 100));		/* a call is in flight */
	nmr_rundown_release(&t->rd);
	KUNIT_ASSERT_TRUE(test, tasync_wait(w, T_TIMEOUT_MS));
	KUNIT_EXPECT_FALSE(test, nmr_rundown_acquire(&t->rd));	/* after the wait: refused */
	nmr_rundown_reinit(&t->rd);
	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	nmr_rundown_release(&t->rd);
	nmr_rundown_wait(&t->rd);
	nmr_rundown_exit(&t->rd);
}

/* EXT-3: drain returns at once; the function runs once, when the last call is released. */
static void ext3_rundown_drain_calls_back_once(struct kunit *test)
{
	struct trd *t = trd_new(test);

	KUNIT_EXPECT_TRUE(test, nmr_rundown_acquire(&t->rd));
	atomic_inc(&t->inside);
	nmr_rundown_drain(&t->rd, trd_drained);
	KUNIT_EXPECT_FALSE(test, nmr_rundown_acquire(&t->rd));
	/* Not before the release (it could only be an RCU callback away if it were wrong). */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 0);
	atomic_dec(&t->inside);
	nmr_rundown_release(&t->rd);
	TWAIT(test, &t->drained, T_TIMEOUT_MS);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 1);
	KUNIT_EXPECT_EQ(test, t->inside_at_drain, 0);
	nmr_rundown_exit(&t->rd);
}

static int trd_hammer(void *arg)
{
	struct trd *t = arg;
	bool after;

	wait_for_completion(&t->go);
	while (!READ_ONCE(t->stop)) {
		after = smp_load_acquire(&t->drain_returned);	/* pairs with the drainer */
		if (!nmr_rundown_acquire(&t->rd)) {
			if (after)
				break;
			continue;
		}
		atomic_inc(&t->inside);
		atomic_inc(&t->wins);
		if (after)
			atomic_inc(&t->late_acquires);
		cpu_relax();
		atomic_dec(&t->inside);
		nmr_rundown_release(&t->rd);
	}
	return 0;
}

/*
 * EXT-3: acquires racing a drain on every CPU: an acquire that started after
 * drain returned never succeeds; every successful acquire is drained (the
 * function runs once, with none inside).
 */
static void ext3_rundown_acquire_races_drain(struct kunit *test)
{
	struct trd *t = trd_new(test);
	struct tasync *a[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = tasync_start(test, trd_hammer, t);
	complete_all(&t->go);
	/* Let the hammers get going: until some thousand acquires won (bounded). */
	for (i = 0; i < 1000 && atomic_read(&t->wins) < 10000; i++)
		usleep_range(1000, 2000);
	nmr_rundown_drain(&t->rd, trd_drained);
	smp_store_release(&t->drain_returned, true);	/* the drain returned before */
	TWAIT(test, &t->drained, T_TIMEOUT_MS);
	WRITE_ONCE(t->stop, true);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_ASSERT_TRUE(test, tasync_wait(a[i], T_TIMEOUT_MS));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->late_acquires), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->drained_calls), 1);
	KUNIT_EXPECT_EQ(test, t->inside_at_drain, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&t->wins), 0);
	kunit_info(test, "%d acquires won before the drain\n", atomic_read(&t->wins));
	nmr_rundown_exit(&t->rd);
}

static struct kunit_case nmr_rundown_cases[] = {
	KUNIT_CASE(ext3_rundown_wait_and_reinit),
	KUNIT_CASE(ext3_rundown_drain_calls_back_once),
	KUNIT_CASE(ext3_rundown_acquire_races_drain),
	{}
};

static struct kunit_suite nmr_rundown_suite = {
	.name = "nmr_rundown",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_rundown_cases,
};

kunit_test_suite(nmr_rundown_suite);
