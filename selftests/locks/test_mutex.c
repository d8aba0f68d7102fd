// SPDX-License-Identifier: GPL-2.0
/*
 * pthread mutexes on the binding an application gets: every function of
 * the locks family and its errors, as glibc 2.36 gives them.
 *
 *  - lock, trylock (EBUSY), unlock, init, destroy (EBUSY while locked,
 *    then EINVAL from every function: glibc 2.36 sets __kind to -1);
 *  - timedlock: ETIMEDOUT for a past and a near deadline, EINVAL for a bad
 *    tv_nsec when it has to wait, success when the owner lets go in time;
 *    a NULL deadline read only when it has to wait (EINVAL there);
 *    clocklock on CLOCK_MONOTONIC and CLOCK_REALTIME, EINVAL for another
 *    clock (glibc checks the clock before anything else);
 *  - recursive (depth 1000, trylock counts, EPERM for a non-owner) and
 *    error-checking (EDEADLK, EPERM) mutexes;
 *  - consistent on a non-robust mutex (EINVAL); robust mutexes whose owner
 *    died (EOWNERDEAD, consistent, ENOTRECOVERABLE); priority-inheritance
 *    and priority-protect mutexes (glibc's own code inside vlibc);
 *  - the static initialisers;
 *  - process-shared mutexes in MAP_SHARED memory across fork (blocking
 *    and contended), and fork while a mutex is held: by another thread
 *    (the child must not crash) or by the forking thread (the child may
 *    unlock it and lock it again).
 */
#include "kselftest_harness.h"
#include "locks_test.h"

static const int all_types[] = {
	PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_RECURSIVE,
	PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_ADAPTIVE_NP,
};

/* --- a helper thread that runs one call on a mutex ------------------------- */

enum op { OP_LOCK, OP_TRYLOCK, OP_UNLOCK, OP_TIMEDLOCK, OP_CLOCKLOCK,
	  OP_HOLD, OP_TIMEDLOCK_NULL, OP_CLOCKLOCK_NULL };

/* No deadline, past the compiler's nonnull check. */
static const struct timespec *volatile no_deadline;

struct call {
	pthread_mutex_t	*m;
	enum op		op;
	clockid_t	clock;		/* OP_CLOCKLOCK; 0 (realtime) otherwise */
	struct timespec	ts;
	int		ret;
	double		ms;		/* how long the call took */
	struct timespec	after;		/* @clock once the call returned */
	pid_t		tid;
	int		release;	/* OP_HOLD: unlock when this turns 1 */
	int		locked;		/* OP_HOLD: set once it holds */
	double		hold_ms;	/* OP_HOLD: or unlock after this long */
	int		keep;		/* OP_HOLD: exit without unlocking */
};

static void *call_thread(void *arg)
{
	struct call *c = arg;
	double t0;

	c->tid = lt_gettid();
	t0 = vt_now_ms();
	switch (c->op) {
	case OP_LOCK:
		c->ret = pthread_mutex_lock(c->m);
		break;
	case OP_TRYLOCK:
		c->ret = pthread_mutex_trylock(c->m);
		break;
	case OP_UNLOCK:
		c->ret = pthread_mutex_unlock(c->m);
		break;
	case OP_TIMEDLOCK:
		c->ret = pthread_mutex_timedlock(c->m, &c->ts);
		break;
	case OP_CLOCKLOCK:
		c->ret = pthread_mutex_clocklock(c->m, c->clock, &c->ts);
		break;
	case OP_TIMEDLOCK_NULL:
		c->ret = pthread_mutex_timedlock(c->m, no_deadline);
		break;
	case OP_CLOCKLOCK_NULL:
		c->ret = pthread_mutex_clocklock(c->m, CLOCK_MONOTONIC, no_deadline);
		break;
	case OP_HOLD:
		c->ret = pthread_mutex_lock(c->m);
		__atomic_store_n(&c->locked, 1, __ATOMIC_RELEASE);
		if (c->hold_ms > 0)
			vt_sleep_ms(c->hold_ms);
		else
			lt_poll(&c->release, 1, LT_WAIT_MS);
		if (!c->ret && !c->keep)
			c->ret = pthread_mutex_unlock(c->m);
		break;
	}
	c->ms = vt_now_ms() - t0;
	clock_gettime(c->clock, &c->after);
	return NULL;
}

/* Run @c in a new thread and wait for it: 0, or -1 if it did not end. */
static int call_in_thread(struct call *c)
{
	pthread_t t;

	if (pthread_create(&t, NULL, call_thread, c))
		return -1;
	return lt_join(t, NULL, LT_WAIT_MS) ? -1 : 0;
}

/* The result of @op on @m from another thread, or -1 if it hung. */
static int other_thread(pthread_mutex_t *m, enum op op)
{
	struct call c = { .m = m, .op = op };

	return call_in_thread(&c) ? -1 : c.ret;
}

/* Start a thread that locks @m and holds it until c->release. */
static int start_holder(struct call *c, pthread_t *t, pthread_mutex_t *m)
{
	*c = (struct call){ .m = m, .op = OP_HOLD };
	if (pthread_create(t, NULL, call_thread, c))
		return -1;
	return lt_poll(&c->locked, 1, LT_WAIT_MS);
}

static int stop_holder(struct call *c, pthread_t t)
{
	__atomic_store_n(&c->release, 1, __ATOMIC_RELEASE);
	if (lt_join(t, NULL, LT_WAIT_MS))
		return -1;
	return c->ret;
}

/* --- basic ---------------------------------------------------------------------- */

TEST(lock_trylock_unlock)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		pthread_mutex_t m;
		int type = all_types[i];

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		ASSERT_EQ(0, pthread_mutex_lock(&m)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK))
			TH_LOG("%s: trylock from another thread", lt_type_name(type));
		if (type == PTHREAD_MUTEX_NORMAL || type == PTHREAD_MUTEX_ADAPTIVE_NP ||
		    type == PTHREAD_MUTEX_ERRORCHECK)
			EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m))
				TH_LOG("%s: trylock by the owner", lt_type_name(type));
		ASSERT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(0, pthread_mutex_trylock(&m)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", lt_type_name(type));
		/* Another thread can take it now. */
		EXPECT_EQ(0, other_thread(&m, OP_TRYLOCK)) TH_LOG("%s", lt_type_name(type));
		if (type == PTHREAD_MUTEX_NORMAL || type == PTHREAD_MUTEX_ADAPTIVE_NP) {
			EXPECT_EQ(0, pthread_mutex_unlock(&m));	/* glibc allows */
		} else {
			EXPECT_EQ(EPERM, pthread_mutex_unlock(&m))
				TH_LOG("%s: unlock of a mutex a dead thread holds",
				       lt_type_name(type));
			/* Still held by the dead thread. */
			EXPECT_EQ(EBUSY, pthread_mutex_destroy(&m))
				TH_LOG("%s", lt_type_name(type));
			continue;
		}
		EXPECT_EQ(0, pthread_mutex_destroy(&m)) TH_LOG("%s", lt_type_name(type));
	}
}

/* A thread blocked in lock sleeps and gets the mutex when it is unlocked. */
TEST(lock_blocks_until_unlock)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		struct call c = { .op = OP_LOCK, .ret = -1 };
		pthread_mutex_t m;
		pthread_t t;

		ASSERT_EQ(0, lt_mutex_init(&m, all_types[i], 0, 0, 0));
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		c.m = &m;
		ASSERT_EQ(0, pthread_create(&t, NULL, call_thread, &c));
		ASSERT_EQ(0, lt_poll(&c.tid, 1, LT_WAIT_MS));
		/* It sleeps in the kernel (after any spinning) ... */
		EXPECT_EQ(0, vt_wait_asleep(c.tid, 3000))
			TH_LOG("%s: the waiter is not asleep after 3 s (state %c)",
			       lt_type_name(all_types[i]), vt_thread_state(c.tid) ?: '-');
		EXPECT_EQ(-1, c.ret) TH_LOG("%s: got a held mutex", lt_type_name(all_types[i]));
		/* ... and gets the mutex once it is free. */
		ASSERT_EQ(0, pthread_mutex_unlock(&m));
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS))
			TH_LOG("%s: the waiter was not woken", lt_type_name(all_types[i]));
		EXPECT_EQ(0, c.ret);
		/* It died holding it: still locked. */
		EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m));
	}
}

/* --- timed locks ------------------------------------------------------------- */

/*
 * A NULL deadline: glibc reads it only when the lock has to wait, so a
 * free mutex is taken, a recursive one the caller holds counts up and an
 * error-checking one the caller holds is EDEADLK.  Where it has to wait
 * glibc crashes; vlibc answers EINVAL (checked on vlibc only).
 */
TEST(timedlock_null_deadline)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		pthread_mutex_t m;
		int type = all_types[i];

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		EXPECT_EQ(0, pthread_mutex_timedlock(&m, no_deadline))
			TH_LOG("%s: timedlock of a free mutex", lt_type_name(type));
		if (type == PTHREAD_MUTEX_RECURSIVE) {
			EXPECT_EQ(0, pthread_mutex_clocklock(&m, CLOCK_REALTIME,
							     no_deadline));
			EXPECT_EQ(0, pthread_mutex_unlock(&m));
		}
		if (type == PTHREAD_MUTEX_ERRORCHECK)
			EXPECT_EQ(EDEADLK, pthread_mutex_timedlock(&m, no_deadline));
		if (lt_on_vlibc()) {
			EXPECT_EQ(EINVAL, other_thread(&m, OP_TIMEDLOCK_NULL))
				TH_LOG("%s: timedlock of a held mutex", lt_type_name(type));
			EXPECT_EQ(EINVAL, other_thread(&m, OP_CLOCKLOCK_NULL))
				TH_LOG("%s: clocklock of a held mutex", lt_type_name(type));
		}
		/* Held by this thread all along. */
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
		EXPECT_EQ(0, pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, no_deadline))
			TH_LOG("%s: clocklock of a free mutex", lt_type_name(type));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
		EXPECT_EQ(0, pthread_mutex_destroy(&m));
	}
}


TEST(timedlock_timeouts)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		struct call c;
		pthread_mutex_t m;
		int type = all_types[i];

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		ASSERT_EQ(0, pthread_mutex_lock(&m));

		/* A deadline in the past: ETIMEDOUT at once. */
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
				   .ts = lt_abs(CLOCK_REALTIME, -1000) };
		ASSERT_EQ(0, call_in_thread(&c)) TH_LOG("%s: past deadline hung",
							 lt_type_name(type));
		EXPECT_EQ(ETIMEDOUT, c.ret) TH_LOG("%s: past deadline", lt_type_name(type));
		EXPECT_GT(1000, c.ms);

		/* Epoch 0 too. */
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK };
		ASSERT_EQ(0, call_in_thread(&c));
		EXPECT_EQ(ETIMEDOUT, c.ret) TH_LOG("%s: deadline 0", lt_type_name(type));

		/* 80 ms ahead: ETIMEDOUT after about that long. */
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
				   .ts = lt_abs(CLOCK_REALTIME, 80) };
		ASSERT_EQ(0, call_in_thread(&c)) TH_LOG("%s: near deadline hung",
							 lt_type_name(type));
		EXPECT_EQ(ETIMEDOUT, c.ret) TH_LOG("%s: near deadline", lt_type_name(type));
		EXPECT_LE(0, lt_ms_past(&c.ts, &c.after))
			TH_LOG("%s: gave up %.1f ms before the deadline",
			       lt_type_name(type), -lt_ms_past(&c.ts, &c.after));
		EXPECT_GT(3000, c.ms) TH_LOG("%s: %.1f ms", lt_type_name(type), c.ms);

		/* A bad tv_nsec when it has to wait: EINVAL. */
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
				   .ts = lt_abs(CLOCK_REALTIME, 100) };
		c.ts.tv_nsec = 1000000000L;
		ASSERT_EQ(0, call_in_thread(&c));
		EXPECT_EQ(EINVAL, c.ret) TH_LOG("%s: tv_nsec 1e9", lt_type_name(type));
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
				   .ts = lt_abs(CLOCK_REALTIME, 100) };
		c.ts.tv_nsec = -1;
		ASSERT_EQ(0, call_in_thread(&c));
		EXPECT_EQ(EINVAL, c.ret) TH_LOG("%s: tv_nsec -1", lt_type_name(type));

		/* Still held by this thread, still usable. */
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));

		/* Free: a bad tv_nsec need not be checked (glibc takes it). */
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK };
		c.ts.tv_nsec = 1000000000L;
		c.ret = pthread_mutex_timedlock(&m, &c.ts);
		EXPECT_TRUE(c.ret == 0 || c.ret == EINVAL) TH_LOG("%d", c.ret);
		if (!c.ret)
			EXPECT_EQ(0, pthread_mutex_unlock(&m));
		/* Free, past deadline: it is taken. */
		c.ts = lt_abs(CLOCK_REALTIME, -1000);
		EXPECT_EQ(0, pthread_mutex_timedlock(&m, &c.ts)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
		EXPECT_EQ(0, pthread_mutex_destroy(&m));
	}
}

/* The owner lets go before the deadline: the timed waiter gets it. */
TEST(timedlock_gets_it_in_time)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(all_types); i++)
	for (k = 0; k < 3; k++) {
		struct call holder, c;
		pthread_mutex_t m;
		pthread_t t;

		ASSERT_EQ(0, lt_mutex_init(&m, all_types[i], 0, 0, 0));
		holder = (struct call){ .m = &m, .op = OP_HOLD, .hold_ms = 50 };
		ASSERT_EQ(0, pthread_create(&t, NULL, call_thread, &holder));
		ASSERT_EQ(0, lt_poll(&holder.locked, 1, LT_WAIT_MS));
		if (k < 2)
			c = (struct call){ .m = &m, .op = OP_CLOCKLOCK, .clock = clocks[k],
					   .ts = lt_abs(clocks[k], 5000) };
		else
			c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
					   .ts = lt_abs(CLOCK_REALTIME, 5000) };
		ASSERT_EQ(0, call_in_thread(&c));
		EXPECT_EQ(0, c.ret) TH_LOG("%s, %s", lt_type_name(all_types[i]),
					   k == 2 ? "timedlock" : "clocklock");
		EXPECT_GT(4000, c.ms);
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
		EXPECT_EQ(0, holder.ret);
	}
}

TEST(clocklock_clocks)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	static const clockid_t bad[] = {
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, 12345, -1,
	};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		int type = all_types[i];
		struct call c;
		pthread_mutex_t m;
		struct timespec ts;

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		/* Free: both clocks take it, whatever the deadline. */
		for (k = 0; k < ARRAY_SIZE(clocks); k++) {
			ts = lt_abs(clocks[k], -10);
			EXPECT_EQ(0, pthread_mutex_clocklock(&m, clocks[k], &ts))
				TH_LOG("%s, clock %d", lt_type_name(type), clocks[k]);
			EXPECT_EQ(0, pthread_mutex_unlock(&m));
		}
		/* Another clock: EINVAL even when free (glibc checks first). */
		for (k = 0; k < ARRAY_SIZE(bad); k++) {
			ts = lt_abs(CLOCK_MONOTONIC, 100);
			EXPECT_EQ(EINVAL, pthread_mutex_clocklock(&m, bad[k], &ts))
				TH_LOG("%s, clock %d (free)", lt_type_name(type), bad[k]);
		}
		EXPECT_EQ(0, other_thread(&m, OP_TRYLOCK)) TH_LOG("the EINVAL took it");
		if (type == PTHREAD_MUTEX_NORMAL || type == PTHREAD_MUTEX_ADAPTIVE_NP)
			EXPECT_EQ(0, pthread_mutex_unlock(&m));
		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));

		ASSERT_EQ(0, pthread_mutex_lock(&m));
		for (k = 0; k < ARRAY_SIZE(clocks); k++) {
			c = (struct call){ .m = &m, .op = OP_CLOCKLOCK, .clock = clocks[k],
					   .ts = lt_abs(clocks[k], -5) };
			ASSERT_EQ(0, call_in_thread(&c));
			EXPECT_EQ(ETIMEDOUT, c.ret) TH_LOG("%s, clock %d, past",
							   lt_type_name(type), clocks[k]);
			c = (struct call){ .m = &m, .op = OP_CLOCKLOCK, .clock = clocks[k],
					   .ts = lt_abs(clocks[k], 60) };
			ASSERT_EQ(0, call_in_thread(&c));
			EXPECT_EQ(ETIMEDOUT, c.ret) TH_LOG("%s, clock %d, near",
							   lt_type_name(type), clocks[k]);
			EXPECT_LE(0, lt_ms_past(&c.ts, &c.after))
				TH_LOG("clock %d: gave up %.1f ms before the deadline",
				       clocks[k], -lt_ms_past(&c.ts, &c.after));
			EXPECT_GT(3000, c.ms);
			c = (struct call){ .m = &m, .op = OP_CLOCKLOCK, .clock = clocks[k],
					   .ts = lt_abs(clocks[k], 100) };
			c.ts.tv_nsec = 1000000000L;
			ASSERT_EQ(0, call_in_thread(&c));
			EXPECT_EQ(EINVAL, c.ret) TH_LOG("%s, clock %d, tv_nsec 1e9",
							lt_type_name(type), clocks[k]);
		}
		for (k = 0; k < ARRAY_SIZE(bad); k++) {
			c = (struct call){ .m = &m, .op = OP_CLOCKLOCK, .clock = bad[k],
					   .ts = lt_abs(CLOCK_MONOTONIC, 50) };
			ASSERT_EQ(0, call_in_thread(&c));
			EXPECT_EQ(EINVAL, c.ret) TH_LOG("%s, clock %d (held)",
							lt_type_name(type), bad[k]);
		}
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
	}
}

/* --- recursive and error-checking ----------------------------------------------- */

TEST(recursive_depth)
{
	pthread_mutex_t m;
	int i;

	ASSERT_EQ(0, lt_mutex_init(&m, PTHREAD_MUTEX_RECURSIVE, 0, 0, 0));
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, pthread_mutex_lock(&m)) TH_LOG("depth %d", i);
	/* trylock and timedlock by the owner count too. */
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, pthread_mutex_trylock(&m));
	{
		struct timespec ts = lt_abs(CLOCK_REALTIME, -1000);

		ASSERT_EQ(0, pthread_mutex_timedlock(&m, &ts));
		ts = lt_abs(CLOCK_MONOTONIC, -1000);
		ASSERT_EQ(0, pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts));
	}
	EXPECT_EQ(1012, m.__data.__count) TH_LOG("glibc's count field");
	EXPECT_EQ(lt_gettid(), m.__data.__owner) TH_LOG("glibc's owner field");
	EXPECT_EQ(EPERM, other_thread(&m, OP_UNLOCK));
	EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK));
	for (i = 0; i < 1011; i++) {
		ASSERT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("unlock %d", i);
		if (i % 250 == 0)
			ASSERT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK))
				TH_LOG("free after %d unlocks of 1012", i + 1);
	}
	EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK)) TH_LOG("1 left");
	EXPECT_EQ(EBUSY, pthread_mutex_destroy(&m));
	ASSERT_EQ(0, pthread_mutex_unlock(&m));
	EXPECT_EQ(0, m.__data.__owner);
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&m)) TH_LOG("unlock of a free mutex");
	/* Free: another thread takes it, then this one is not the owner. */
	{
		struct call holder;
		pthread_t t;

		ASSERT_EQ(0, start_holder(&holder, &t, &m));
		EXPECT_EQ(EPERM, pthread_mutex_unlock(&m)) TH_LOG("non-owner");
		EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m));
		EXPECT_EQ(0, stop_holder(&holder, t));
	}
	EXPECT_EQ(0, pthread_mutex_destroy(&m));
}

TEST(errorcheck)
{
	struct timespec ts;
	struct call holder;
	pthread_mutex_t m;
	pthread_t t;

	ASSERT_EQ(0, lt_mutex_init(&m, PTHREAD_MUTEX_ERRORCHECK, 0, 0, 0));
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&m)) TH_LOG("unlock of a free mutex");
	ASSERT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(lt_gettid(), m.__data.__owner) TH_LOG("glibc's owner field");
	EXPECT_EQ(EDEADLK, pthread_mutex_lock(&m));
	EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m));
	ts = lt_abs(CLOCK_REALTIME, 50);
	EXPECT_EQ(EDEADLK, pthread_mutex_timedlock(&m, &ts));
	ts = lt_abs(CLOCK_MONOTONIC, 50);
	EXPECT_EQ(EDEADLK, pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts));
	EXPECT_EQ(EPERM, other_thread(&m, OP_UNLOCK)) TH_LOG("non-owner");
	EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK));
	EXPECT_EQ(EBUSY, pthread_mutex_destroy(&m));
	ASSERT_EQ(0, pthread_mutex_unlock(&m));
	EXPECT_EQ(0, m.__data.__owner);
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&m)) TH_LOG("second unlock");

	ASSERT_EQ(0, start_holder(&holder, &t, &m));
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&m)) TH_LOG("held by another thread");
	EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m));
	EXPECT_EQ(0, stop_holder(&holder, t));
	EXPECT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
	EXPECT_EQ(0, pthread_mutex_destroy(&m));
}

/* --- destroy ---------------------------------------------------------------------- */

TEST(destroy_locked_and_after)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		int type = all_types[i];
		pthread_mutex_t m;
		struct timespec ts;

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		if (type == PTHREAD_MUTEX_RECURSIVE)
			ASSERT_EQ(0, pthread_mutex_lock(&m));
		EXPECT_EQ(EBUSY, pthread_mutex_destroy(&m)) TH_LOG("%s", lt_type_name(type));
		if (type == PTHREAD_MUTEX_RECURSIVE) {
			ASSERT_EQ(0, pthread_mutex_unlock(&m));
			EXPECT_EQ(EBUSY, pthread_mutex_destroy(&m));
		}
		/* The failed destroy left it working. */
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK)) TH_LOG("%s", lt_type_name(type));
		ASSERT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(0, pthread_mutex_destroy(&m)) TH_LOG("%s", lt_type_name(type));

		/* glibc 2.36 marks a destroyed mutex (__kind -1): EINVAL. */
		EXPECT_EQ(-1, m.__data.__kind) TH_LOG("%s: destroy left __kind %d",
						     lt_type_name(type), m.__data.__kind);
		EXPECT_EQ(EINVAL, pthread_mutex_lock(&m)) TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(EINVAL, pthread_mutex_trylock(&m)) TH_LOG("%s", lt_type_name(type));
		ts = lt_abs(CLOCK_REALTIME, 50);
		EXPECT_EQ(EINVAL, pthread_mutex_timedlock(&m, &ts)) TH_LOG("%s", lt_type_name(type));
		ts = lt_abs(CLOCK_MONOTONIC, 50);
		EXPECT_EQ(EINVAL, pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts))
			TH_LOG("%s", lt_type_name(type));
		EXPECT_EQ(EINVAL, pthread_mutex_unlock(&m)) TH_LOG("%s", lt_type_name(type));
		/* And init makes it new again. */
		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		EXPECT_EQ(0, pthread_mutex_lock(&m));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
	}
}

/* --- robust, PI, PP: glibc's own code, reached through the binding ------------ */

TEST(consistent_non_robust)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		pthread_mutex_t m;

		ASSERT_EQ(0, lt_mutex_init(&m, all_types[i], 0, 0, 0));
		EXPECT_EQ(EINVAL, pthread_mutex_consistent(&m)) TH_LOG("%s, free",
								       lt_type_name(all_types[i]));
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		EXPECT_EQ(EINVAL, pthread_mutex_consistent(&m)) TH_LOG("%s, locked",
								       lt_type_name(all_types[i]));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
	}
}

static void *lock_and_exit(void *arg)
{
	return (void *)(long)pthread_mutex_lock(arg);
}

/* A thread locks @m and exits holding it: 0 if it did. */
static int die_holding(pthread_mutex_t *m)
{
	void *ret = (void *)-1L;
	pthread_t t;

	if (pthread_create(&t, NULL, lock_and_exit, m) || lt_join(t, &ret, LT_WAIT_MS))
		return -1;
	return (int)(long)ret;
}

TEST(robust_owner_died)
{
	static const int types[] = { PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_RECURSIVE,
				     PTHREAD_MUTEX_ERRORCHECK };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		const char *name = lt_type_name(types[i]);
		struct call c;
		pthread_mutex_t m;

		ASSERT_EQ(0, lt_mutex_init(&m, types[i], 0, 1, 0));
		EXPECT_EQ(EINVAL, pthread_mutex_consistent(&m)) TH_LOG("%s: consistent", name);
		ASSERT_EQ(0, die_holding(&m)) TH_LOG("%s", name);
		/* lock: EOWNERDEAD, with the mutex; consistent; usable. */
		EXPECT_EQ(EOWNERDEAD, pthread_mutex_lock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(0, pthread_mutex_consistent(&m)) TH_LOG("%s", name);
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK)) TH_LOG("%s", name);
		EXPECT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(0, pthread_mutex_lock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", name);

		/* trylock and timedlock see the dead owner too. */
		ASSERT_EQ(0, die_holding(&m));
		EXPECT_EQ(EOWNERDEAD, pthread_mutex_trylock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(0, pthread_mutex_consistent(&m));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
		ASSERT_EQ(0, die_holding(&m));
		c = (struct call){ .m = &m, .op = OP_TIMEDLOCK,
				   .ts = lt_abs(CLOCK_REALTIME, 1000) };
		c.ret = pthread_mutex_timedlock(&m, &c.ts);
		EXPECT_EQ(EOWNERDEAD, c.ret) TH_LOG("%s", name);

		/* Unlocked without consistent: not recoverable. */
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
		EXPECT_EQ(ENOTRECOVERABLE, pthread_mutex_lock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(ENOTRECOVERABLE, pthread_mutex_trylock(&m)) TH_LOG("%s", name);
	}
}

/* A robust mutex whose owner thread is blocked: the waiter is woken by death. */
struct robust_wait {
	pthread_mutex_t	*m;
	int		ret;
};

static void *robust_waiter(void *arg)
{
	struct robust_wait *w = arg;

	w->ret = pthread_mutex_lock(w->m);
	if (w->ret == EOWNERDEAD) {
		pthread_mutex_consistent(w->m);
		pthread_mutex_unlock(w->m);
	}
	return NULL;
}

TEST(robust_waiter_woken_by_death)
{
	struct robust_wait w = { .ret = -1 };
	struct call holder;
	pthread_mutex_t m;
	pthread_t t, h;
	pid_t tid;

	ASSERT_EQ(0, lt_mutex_init(&m, PTHREAD_MUTEX_NORMAL, 0, 1, 0));
	w.m = &m;
	/* A holder that exits holding it, while the waiter sleeps. */
	holder = (struct call){ .m = &m, .op = OP_HOLD, .keep = 1 };
	ASSERT_EQ(0, pthread_create(&h, NULL, call_thread, &holder));
	ASSERT_EQ(0, lt_poll(&holder.locked, 1, LT_WAIT_MS));
	ASSERT_EQ(0, holder.ret);
	ASSERT_EQ(0, pthread_create(&t, NULL, robust_waiter, &w));
	vt_sleep_ms(50);
	tid = m.__data.__lock & 0x3fffffff;
	EXPECT_EQ(holder.tid, tid) TH_LOG("robust lock word: the owner's tid");
	__atomic_store_n(&holder.release, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, lt_join(h, NULL, LT_WAIT_MS));
	ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS)) TH_LOG("the waiter was not woken");
	EXPECT_EQ(EOWNERDEAD, w.ret);
	EXPECT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

struct counted {
	pthread_mutex_t	*m;
	long		n;
	long		*counter;
	int		errors;
};

static void *count_thread(void *arg)
{
	struct counted *c = arg;
	long i;

	for (i = 0; i < c->n; i++) {
		if (pthread_mutex_lock(c->m)) {
			c->errors++;
			continue;
		}
		(*(volatile long *)c->counter)++;
		if (pthread_mutex_unlock(c->m))
			c->errors++;
	}
	return NULL;
}

/* @nthreads threads add @n each under @m: 0 if the count is exact. */
static int count_under(pthread_mutex_t *m, int nthreads, long n, long *total)
{
	struct counted c[8];
	pthread_t t[8];
	int i, bad = 0;

	*total = 0;
	for (i = 0; i < nthreads; i++) {
		c[i] = (struct counted){ .m = m, .n = n, .counter = total };
		if (pthread_create(&t[i], NULL, count_thread, &c[i]))
			return -1;
	}
	for (i = 0; i < nthreads; i++) {
		if (lt_join(t[i], NULL, 30000))
			return -1;
		bad += c[i].errors;
	}
	return bad || *total != nthreads * n ? -1 : 0;
}

TEST(pi_mutex)
{
	static const int types[] = { PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_RECURSIVE,
				     PTHREAD_MUTEX_ERRORCHECK };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		const char *name = lt_type_name(types[i]);
		pthread_mutex_t m;
		long total;

		ASSERT_EQ(0, lt_mutex_init(&m, types[i], 0, 0, PTHREAD_PRIO_INHERIT));
		ASSERT_EQ(0, pthread_mutex_lock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(lt_gettid(), m.__data.__lock & 0x3fffffff) TH_LOG("PI lock word");
		EXPECT_EQ(EBUSY, other_thread(&m, OP_TRYLOCK)) TH_LOG("%s", name);
		if (types[i] == PTHREAD_MUTEX_ERRORCHECK)
			EXPECT_EQ(EDEADLK, pthread_mutex_lock(&m));
		EXPECT_EQ(0, pthread_mutex_unlock(&m)) TH_LOG("%s", name);
		EXPECT_EQ(0, m.__data.__lock) TH_LOG("PI lock word after unlock");
		EXPECT_EQ(0, count_under(&m, 3, 20000, &total))
			TH_LOG("%s: total %ld of 60000", name, total);
		EXPECT_EQ(0, pthread_mutex_destroy(&m));
	}
}

struct pp_call {
	int		(*lock)(pthread_mutex_t *);
	int		(*unlock)(pthread_mutex_t *);
	pthread_mutex_t	*m;
	int		ret, unlock_ret, other_trylock;
};

static void *pp_thread(void *arg)
{
	struct pp_call *c = arg;

	c->ret = c->lock(c->m);
	if (!c->ret) {
		c->other_trylock = other_thread(c->m, OP_TRYLOCK);
		c->unlock_ret = c->unlock(c->m);
	}
	return NULL;
}

/*
 * Priority-protect: glibc keeps per-thread state for it, and what lock
 * answers depends on the scheduling policy and rights; whatever glibc's
 * own code answers in a new thread, the binding answers in a new thread.
 */
TEST(pp_mutex)
{
	struct pp_call g = { .lock = lt_glibc("pthread_mutex_lock"),
			     .unlock = lt_glibc("pthread_mutex_unlock"), .ret = -1 };
	struct pp_call b = { .lock = pthread_mutex_lock,
			     .unlock = pthread_mutex_unlock, .ret = -1 };
	int prio = sched_get_priority_min(SCHED_FIFO);
	pthread_mutex_t mg, mb;
	pthread_mutexattr_t a;
	pthread_t t;

	pthread_mutexattr_init(&a);
	ASSERT_EQ(0, pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT));
	ASSERT_EQ(0, pthread_mutexattr_setprioceiling(&a, prio));
	ASSERT_EQ(0, pthread_mutex_init(&mg, &a));
	ASSERT_EQ(0, pthread_mutex_init(&mb, &a));
	g.m = &mg;
	b.m = &mb;
	ASSERT_EQ(0, pthread_create(&t, NULL, pp_thread, &g));
	ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
	ASSERT_EQ(0, pthread_create(&t, NULL, pp_thread, &b));
	ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
	EXPECT_EQ(g.ret, b.ret) TH_LOG("PP lock: %d, glibc's own: %d", b.ret, g.ret);
	if (!g.ret && !b.ret) {
		EXPECT_EQ(g.other_trylock, b.other_trylock);
		EXPECT_EQ(0, b.unlock_ret);
	}
	TH_LOG("PP lock gives %d here", b.ret);
}

/* --- static initialisers ------------------------------------------------------------ */

TEST(static_initialisers)
{
	pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_t rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	pthread_mutex_t ec = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
	pthread_mutex_t ad = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
	long total;

	ASSERT_EQ(0, pthread_mutex_lock(&normal));
	EXPECT_EQ(EBUSY, pthread_mutex_trylock(&normal));
	EXPECT_EQ(EBUSY, other_thread(&normal, OP_TRYLOCK));
	EXPECT_EQ(0, pthread_mutex_unlock(&normal));

	ASSERT_EQ(0, pthread_mutex_lock(&rec));
	EXPECT_EQ(0, pthread_mutex_lock(&rec));
	EXPECT_EQ(0, pthread_mutex_trylock(&rec));
	EXPECT_EQ(3, rec.__data.__count);
	EXPECT_EQ(EPERM, other_thread(&rec, OP_UNLOCK));
	EXPECT_EQ(0, pthread_mutex_unlock(&rec));
	EXPECT_EQ(0, pthread_mutex_unlock(&rec));
	EXPECT_EQ(0, pthread_mutex_unlock(&rec));
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&rec));

	EXPECT_EQ(EPERM, pthread_mutex_unlock(&ec));
	ASSERT_EQ(0, pthread_mutex_lock(&ec));
	EXPECT_EQ(EDEADLK, pthread_mutex_lock(&ec));
	EXPECT_EQ(EPERM, other_thread(&ec, OP_UNLOCK));
	EXPECT_EQ(0, pthread_mutex_unlock(&ec));

	ASSERT_EQ(0, pthread_mutex_lock(&ad));
	EXPECT_EQ(EBUSY, other_thread(&ad, OP_TRYLOCK));
	EXPECT_EQ(0, pthread_mutex_unlock(&ad));

	EXPECT_EQ(0, count_under(&normal, 4, 50000, &total)) TH_LOG("normal: %ld", total);
	EXPECT_EQ(0, count_under(&rec, 4, 50000, &total)) TH_LOG("recursive: %ld", total);
	EXPECT_EQ(0, count_under(&ec, 4, 50000, &total)) TH_LOG("errorcheck: %ld", total);
	EXPECT_EQ(0, count_under(&ad, 4, 50000, &total)) TH_LOG("adaptive: %ld", total);
}

/* --- process-shared, and fork ---------------------------------------------------------- */

struct shared_mutex {
	pthread_mutex_t	m;
	int		child_trylock;
	int		child_waiting;
	int		child_locked;
	long		counter;
};

static int child_blocks_then_locks(void *arg)
{
	struct shared_mutex *s = arg;

	s->child_trylock = pthread_mutex_trylock(&s->m);
	__atomic_store_n(&s->child_waiting, 1, __ATOMIC_RELEASE);
	if (pthread_mutex_lock(&s->m))
		return 2;
	__atomic_store_n(&s->child_locked, 1, __ATOMIC_RELEASE);
	return pthread_mutex_unlock(&s->m) ? 3 : 0;
}

TEST(pshared_across_fork)
{
	static const int types[] = { PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_RECURSIVE,
				     PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_ADAPTIVE_NP };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct shared_mutex *s = lt_shared(sizeof(*s));
		char how[64];
		int status;
		pid_t pid;

		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, lt_mutex_init(&s->m, types[i], 1, 0, 0));
		ASSERT_EQ(0, pthread_mutex_lock(&s->m));
		fflush(NULL);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(child_blocks_then_locks(s));
		/* The child blocks while the parent holds it. */
		EXPECT_EQ(0, lt_poll(&s->child_waiting, 1, LT_WAIT_MS));
		vt_sleep_ms(100);
		EXPECT_EQ(EBUSY, s->child_trylock) TH_LOG("%s", lt_type_name(types[i]));
		EXPECT_EQ(0, __atomic_load_n(&s->child_locked, __ATOMIC_ACQUIRE))
			TH_LOG("%s: the child got a held mutex", lt_type_name(types[i]));
		EXPECT_EQ(0, pthread_mutex_unlock(&s->m));
		/* Then gets it once the parent lets go. */
		status = vt_wait_child(pid, LT_WAIT_MS);
		EXPECT_EQ(0, status) TH_LOG("%s: child %s", lt_type_name(types[i]),
					    vt_child_what(status, how, sizeof(how)));
		EXPECT_EQ(1, s->child_locked);
		EXPECT_EQ(0, pthread_mutex_trylock(&s->m));
		EXPECT_EQ(0, pthread_mutex_unlock(&s->m));
		munmap(s, sizeof(*s));
	}
}

static int add_shared(struct shared_mutex *s, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (pthread_mutex_lock(&s->m))
			return 1;
		(*(volatile long *)&s->counter)++;
		if (pthread_mutex_unlock(&s->m))
			return 1;
	}
	return 0;
}

static int child_adds(void *arg)
{
	return add_shared(arg, 200000) ? 5 : 0;
}

/* Two processes contend: the waker must wake the other process too. */
TEST(pshared_contended)
{
	struct shared_mutex *s = lt_shared(sizeof(*s));
	char how[64];
	int status, bad;
	pid_t pid;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, lt_mutex_init(&s->m, PTHREAD_MUTEX_NORMAL, 1, 0, 0));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_adds(s));
	bad = add_shared(s, 200000);
	status = vt_wait_child(pid, 20000);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, status) TH_LOG("child %s", vt_child_what(status, how, sizeof(how)));
	EXPECT_EQ(400000, s->counter);
	munmap(s, sizeof(*s));
}

/* Fork while another thread holds a mutex: the child runs on, unharmed. */
static pthread_mutex_t held_elsewhere = PTHREAD_MUTEX_INITIALIZER;

static int child_fresh_lock(void *arg)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_t rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	long total;
	sem_t s;

	/* The parent's is still marked held; the child may only look. */
	if (pthread_mutex_trylock(&held_elsewhere) != EBUSY)
		return 2;
	if (pthread_mutex_lock(&fresh) || pthread_mutex_unlock(&fresh))
		return 3;
	if (pthread_mutex_lock(&rec) || pthread_mutex_lock(&rec) ||
	    pthread_mutex_unlock(&rec) || pthread_mutex_unlock(&rec))
		return 4;
	if (sem_init(&s, 0, 0) || sem_post(&s) || sem_wait(&s))
		return 5;
	/* Threads in the child contend on a new mutex. */
	if (count_under(&fresh, 2, 20000, &total))
		return 6;
	return 0;
}

TEST(fork_while_other_thread_holds)
{
	struct call holder;
	char how[64];
	pthread_t t;
	int i, status;

	ASSERT_EQ(0, start_holder(&holder, &t, &held_elsewhere));
	for (i = 0; i < 5; i++) {
		status = vt_run_child(child_fresh_lock, NULL, LT_WAIT_MS);
		EXPECT_EQ(0, status) TH_LOG("child %d: %s", i,
					    vt_child_what(status, how, sizeof(how)));
	}
	EXPECT_EQ(0, stop_holder(&holder, t));
	EXPECT_EQ(0, pthread_mutex_lock(&held_elsewhere));
	EXPECT_EQ(0, pthread_mutex_unlock(&held_elsewhere));
}

/* Fork while this thread holds it: the child may unlock and relock it. */
static pthread_mutex_t held_here = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_here_rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static int child_unlocks(void *arg)
{
	long total;

	if (pthread_mutex_unlock(&held_here))
		return 2;
	if (pthread_mutex_lock(&held_here) || pthread_mutex_unlock(&held_here))
		return 3;
	if (count_under(&held_here, 2, 20000, &total))
		return 4;
	/* A recursive one held at depth 2 by the forking thread: its owner
	 * field names a thread id that the child's thread does not have,
	 * so glibc does not let the child unlock it. */
	if (pthread_mutex_trylock(&held_here_rec) != EBUSY)
		return 5;
	return 0;
}

TEST(fork_while_this_thread_holds)
{
	char how[64];
	int i, status;

	ASSERT_EQ(0, pthread_mutex_lock(&held_here));
	ASSERT_EQ(0, pthread_mutex_lock(&held_here_rec));
	ASSERT_EQ(0, pthread_mutex_lock(&held_here_rec));
	for (i = 0; i < 5; i++) {
		status = vt_run_child(child_unlocks, NULL, LT_WAIT_MS);
		EXPECT_EQ(0, status) TH_LOG("child %d: %s", i,
					    vt_child_what(status, how, sizeof(how)));
	}
	/* The parent's copy is untouched. */
	EXPECT_EQ(EBUSY, other_thread(&held_here, OP_TRYLOCK));
	EXPECT_EQ(0, pthread_mutex_unlock(&held_here));
	EXPECT_EQ(0, pthread_mutex_unlock(&held_here_rec));
	EXPECT_EQ(0, pthread_mutex_unlock(&held_here_rec));
	EXPECT_EQ(EPERM, pthread_mutex_unlock(&held_here_rec));
}

/*
 * After _Fork() no fork handler runs: vlibc's private region is wiped and
 * nobody refills it.  Mutexes of every kind vlibc serves itself must still
 * work there, including one typed PTHREAD_MUTEX_NORMAL through an
 * attribute (glibc marks its kind "no elision").
 */
static int child_after__fork(void)
{
	pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER, typed[4];
	static const int types[4] = {
		PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_DEFAULT,
		PTHREAD_MUTEX_RECURSIVE, PTHREAD_MUTEX_ERRORCHECK,
	};
	int i;

	if (pthread_mutex_lock(&plain) || pthread_mutex_unlock(&plain))
		return 1;
	for (i = 0; i < 4; i++) {
		if (lt_mutex_init(&typed[i], types[i], 0, 0, 0) ||
		    pthread_mutex_lock(&typed[i]) ||
		    pthread_mutex_unlock(&typed[i]))
			return 2 + i;
	}
	return 0;
}

/* Runs @child in a _Fork() child; its exit status, as vt_wait_child gives. */
static int in__fork_child(int (*child)(void))
{
	pid_t pid = _Fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(child());
	return vt_wait_child(pid, LT_WAIT_MS);
}

TEST(mutexes_after__Fork)
{
	char how[64];
	int status = in__fork_child(child_after__fork);

	EXPECT_EQ(0, status) TH_LOG("child: %s", vt_child_what(status, how, sizeof(how)));
}

/*
 * The mutexes vlibc leaves to glibc (robust, priority inheritance) work
 * in a _Fork() child too: the binder sets the child up as after fork().
 */
static int child_glibc_kinds_after__fork(void)
{
	pthread_mutex_t robust, pi;

	if (lt_mutex_init(&robust, PTHREAD_MUTEX_NORMAL, 0, 1, PTHREAD_PRIO_NONE))
		return 1;
	if (pthread_mutex_lock(&robust) || pthread_mutex_unlock(&robust))
		return 2;
	if (lt_mutex_init(&pi, PTHREAD_MUTEX_NORMAL, 0, 0, PTHREAD_PRIO_INHERIT))
		return 3;
	if (pthread_mutex_lock(&pi) || pthread_mutex_unlock(&pi))
		return 4;
	return 0;
}

TEST(glibc_kinds_after__Fork)
{
	char how[64];
	int status = in__fork_child(child_glibc_kinds_after__fork);

	EXPECT_EQ(0, status) TH_LOG("child: %s", vt_child_what(status, how, sizeof(how)));
}

LOCKS_TEST_MAIN
