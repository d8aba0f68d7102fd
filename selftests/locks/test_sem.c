// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX semaphores on the binding an application gets, with glibc's
 * sem_t layout, and the cancellation points of the locks family.
 *
 *  - sem_init (private, process-shared), trywait EAGAIN, wait, post,
 *    getvalue; post at SEM_VALUE_MAX: EOVERFLOW;
 *  - sem_timedwait: ETIMEDOUT (past and near deadlines), EINVAL for a bad
 *    tv_nsec when it must wait, success when posted in time; sem_clockwait
 *    on CLOCK_MONOTONIC and CLOCK_REALTIME, EINVAL for another clock;
 *  - EINTR: a thread asleep in sem_wait/timedwait/clockwait, hit by a
 *    signal whose handler has no SA_RESTART, returns -1 with EINTR;
 *  - a process-shared semaphore in MAP_SHARED memory across fork (a
 *    10000-round ping-pong), many waiters and posters (counts checked),
 *    glibc's own sem_post and sem_wait mixed with the binding's;
 *  - cancellation: a thread asleep in sem_wait is cancelled (its cleanup
 *    handler runs, the semaphore keeps working); sem_wait with a value > 0
 *    acts on a pending cancel first, as glibc does; pthread_mutex_timedlock
 *    is not a cancellation point.
 */
#include "kselftest_harness.h"
#include "locks_test.h"

typedef int (*sem_fn)(sem_t *);

struct sem_call {
	sem_t		*s;
	int		op;		/* 0 wait, 1 timedwait, 2 clockwait */
	clockid_t	clock;		/* op 2; 0 (realtime) otherwise */
	struct timespec	ts;
	int		ret, err;
	double		ms;
	struct timespec	after;		/* @clock once the call returned */
	pid_t		tid;
};

static void *sem_thread(void *arg)
{
	struct sem_call *c = arg;
	double t0;

	__atomic_store_n(&c->tid, lt_gettid(), __ATOMIC_RELEASE);
	t0 = vt_now_ms();
	errno = 0;
	switch (c->op) {
	case 0:
		c->ret = sem_wait(c->s);
		break;
	case 1:
		c->ret = sem_timedwait(c->s, &c->ts);
		break;
	default:
		c->ret = sem_clockwait(c->s, c->clock, &c->ts);
		break;
	}
	c->err = c->ret ? errno : 0;
	c->ms = vt_now_ms() - t0;
	clock_gettime(c->clock, &c->after);
	return NULL;
}

static int sem_in_thread(struct sem_call *c)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sem_thread, c))
		return -1;
	return lt_join(t, NULL, LT_WAIT_MS) ? -1 : 0;
}

static int value(sem_t *s)
{
	int v = -12345;

	if (sem_getvalue(s, &v))
		return -12346;
	return v;
}

/* --- basics ----------------------------------------------------------------------- */

TEST(basic)
{
	int pshared;

	for (pshared = 0; pshared < 2; pshared++) {
		sem_t s;
		int i;

		ASSERT_EQ(0, sem_init(&s, pshared, 0));
		EXPECT_EQ(0, value(&s));
		errno = 0;
		EXPECT_EQ(-1, sem_trywait(&s));
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(0, sem_post(&s));
		EXPECT_EQ(1, value(&s));
		EXPECT_EQ(0, sem_trywait(&s));
		EXPECT_EQ(0, value(&s));
		EXPECT_EQ(0, sem_post(&s));
		EXPECT_EQ(0, sem_wait(&s));
		EXPECT_EQ(0, value(&s));
		for (i = 0; i < 1000; i++)
			ASSERT_EQ(0, sem_post(&s));
		EXPECT_EQ(1000, value(&s));
		for (i = 0; i < 999; i++)
			ASSERT_EQ(0, i & 1 ? sem_wait(&s) : sem_trywait(&s));
		EXPECT_EQ(1, value(&s));
		EXPECT_EQ(0, sem_wait(&s));
		errno = 0;
		EXPECT_EQ(-1, sem_trywait(&s));
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(0, sem_destroy(&s));

		ASSERT_EQ(0, sem_init(&s, pshared, 3));
		EXPECT_EQ(3, value(&s));
		EXPECT_EQ(0, sem_trywait(&s));
		EXPECT_EQ(0, sem_trywait(&s));
		EXPECT_EQ(0, sem_trywait(&s));
		errno = 0;
		EXPECT_EQ(-1, sem_trywait(&s));
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(0, sem_destroy(&s));
	}
}

TEST(overflow)
{
	sem_t s;

	errno = 0;
	EXPECT_EQ(-1, sem_init(&s, 0, (unsigned int)SEM_VALUE_MAX + 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, sem_init(&s, 0, SEM_VALUE_MAX));
	EXPECT_EQ(SEM_VALUE_MAX, value(&s));
	errno = 0;
	EXPECT_EQ(-1, sem_post(&s));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(SEM_VALUE_MAX, value(&s));
	EXPECT_EQ(0, sem_wait(&s));
	EXPECT_EQ(SEM_VALUE_MAX - 1, value(&s));
	EXPECT_EQ(0, sem_post(&s));
	EXPECT_EQ(SEM_VALUE_MAX, value(&s));
	errno = 0;
	EXPECT_EQ(-1, sem_post(&s));
	EXPECT_EQ(EOVERFLOW, errno);
}

/* --- timed waits ------------------------------------------------------------------ */

TEST(timedwait)
{
	struct sem_call c;
	sem_t s;

	ASSERT_EQ(0, sem_init(&s, 0, 0));

	c = (struct sem_call){ .s = &s, .op = 1, .ts = lt_abs(CLOCK_REALTIME, -1000) };
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(ETIMEDOUT, c.err) TH_LOG("past deadline");
	EXPECT_GT(1000, c.ms);

	c = (struct sem_call){ .s = &s, .op = 1 };	/* epoch 0 */
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(ETIMEDOUT, c.err) TH_LOG("deadline 0");

	c = (struct sem_call){ .s = &s, .op = 1, .ts = lt_abs(CLOCK_REALTIME, 80) };
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(ETIMEDOUT, c.err) TH_LOG("near deadline");
	EXPECT_LE(0, lt_ms_past(&c.ts, &c.after))
		TH_LOG("gave up %.1f ms before the deadline", -lt_ms_past(&c.ts, &c.after));
	EXPECT_GT(3000, c.ms);

	c = (struct sem_call){ .s = &s, .op = 1, .ts = lt_abs(CLOCK_REALTIME, 100) };
	c.ts.tv_nsec = 1000000000L;
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EINVAL, c.err) TH_LOG("tv_nsec 1e9");
	c = (struct sem_call){ .s = &s, .op = 1, .ts = lt_abs(CLOCK_REALTIME, 100) };
	c.ts.tv_nsec = -1;
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(EINVAL, c.err) TH_LOG("tv_nsec -1");
	EXPECT_EQ(0, value(&s));

	/* Available: taken whatever the deadline. */
	ASSERT_EQ(0, sem_post(&s));
	c = (struct sem_call){ .s = &s, .op = 1, .ts = lt_abs(CLOCK_REALTIME, -1000) };
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_EQ(0, c.ret) TH_LOG("available, past deadline: errno %d", c.err);
	EXPECT_EQ(0, value(&s));
	/* A bad tv_nsec need not be checked then; glibc checks it. */
	ASSERT_EQ(0, sem_post(&s));
	c = (struct sem_call){ .s = &s, .op = 1 };
	c.ts.tv_nsec = 1000000000L;
	ASSERT_EQ(0, sem_in_thread(&c));
	EXPECT_TRUE((c.ret == 0 && value(&s) == 0) ||
		    (c.ret == -1 && c.err == EINVAL && value(&s) == 1))
		TH_LOG("available, bad tv_nsec: %d, errno %d, value %d", c.ret, c.err, value(&s));
}

static void *post_later(void *arg)
{
	vt_sleep_ms(50);
	sem_post(arg);
	return NULL;
}

TEST(posted_in_time)
{
	int k;

	for (k = 0; k < 4; k++) {
		struct sem_call c;
		pthread_t t;
		sem_t s;

		ASSERT_EQ(0, sem_init(&s, k & 1, 0));
		if (k < 2)
			c = (struct sem_call){ .s = &s, .op = 1,
					       .ts = lt_abs(CLOCK_REALTIME, 5000) };
		else
			c = (struct sem_call){ .s = &s, .op = 2, .clock = CLOCK_MONOTONIC,
					       .ts = lt_abs(CLOCK_MONOTONIC, 5000) };
		ASSERT_EQ(0, pthread_create(&t, NULL, post_later, &s));
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(0, c.ret) TH_LOG("case %d: errno %d", k, c.err);
		EXPECT_GT(4000, c.ms);
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
		EXPECT_EQ(0, value(&s));
	}
}

TEST(clockwait)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	static const clockid_t bad[] = {
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, 12345, -1,
	};
	struct sem_call c;
	struct timespec ts;
	size_t k;
	sem_t s;

	ASSERT_EQ(0, sem_init(&s, 0, 0));
	for (k = 0; k < ARRAY_SIZE(clocks); k++) {
		c = (struct sem_call){ .s = &s, .op = 2, .clock = clocks[k],
				       .ts = lt_abs(clocks[k], -5) };
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(ETIMEDOUT, c.err) TH_LOG("clock %d, past", clocks[k]);
		c = (struct sem_call){ .s = &s, .op = 2, .clock = clocks[k],
				       .ts = lt_abs(clocks[k], 60) };
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(-1, c.ret);
		EXPECT_EQ(ETIMEDOUT, c.err) TH_LOG("clock %d, near", clocks[k]);
		EXPECT_LE(0, lt_ms_past(&c.ts, &c.after))
			TH_LOG("clock %d: gave up %.1f ms before the deadline",
			       clocks[k], -lt_ms_past(&c.ts, &c.after));
		EXPECT_GT(3000, c.ms);
		c = (struct sem_call){ .s = &s, .op = 2, .clock = clocks[k],
				       .ts = lt_abs(clocks[k], 100) };
		c.ts.tv_nsec = 1000000000L;
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(EINVAL, c.err) TH_LOG("clock %d, tv_nsec 1e9", clocks[k]);
		/* Available: taken. */
		ASSERT_EQ(0, sem_post(&s));
		ts = lt_abs(clocks[k], -5);
		EXPECT_EQ(0, sem_clockwait(&s, clocks[k], &ts)) TH_LOG("clock %d", clocks[k]);
		EXPECT_EQ(0, value(&s));
	}
	/* Another clock: EINVAL, whether it would wait or not (glibc checks first). */
	for (k = 0; k < ARRAY_SIZE(bad); k++) {
		c = (struct sem_call){ .s = &s, .op = 2, .clock = bad[k],
				       .ts = lt_abs(CLOCK_MONOTONIC, 50) };
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(-1, c.ret);
		EXPECT_EQ(EINVAL, c.err) TH_LOG("clock %d, value 0", bad[k]);
		ASSERT_EQ(0, sem_post(&s));
		ASSERT_EQ(0, sem_in_thread(&c));
		EXPECT_EQ(EINVAL, c.err) TH_LOG("clock %d, value 1", bad[k]);
		EXPECT_EQ(1, value(&s)) TH_LOG("the EINVAL took the semaphore");
		ASSERT_EQ(0, sem_trywait(&s));
	}
}

/* --- EINTR ------------------------------------------------------------------------------ */

static int usr1_hits;

static void on_usr1(int sig)
{
	__atomic_add_fetch(&usr1_hits, 1, __ATOMIC_RELAXED);
}

TEST(eintr)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	int op;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	for (op = 0; op < 3; op++) {
		struct sem_call c = { .op = op, .ret = -2, .clock = CLOCK_MONOTONIC };
		pthread_t t;
		sem_t s;

		ASSERT_EQ(0, sem_init(&s, 0, 0));
		c.s = &s;
		c.ts = lt_abs(op == 2 ? CLOCK_MONOTONIC : CLOCK_REALTIME, 8000);
		ASSERT_EQ(0, pthread_create(&t, NULL, sem_thread, &c));
		ASSERT_EQ(0, lt_poll(&c.tid, 1, LT_WAIT_MS));
		ASSERT_EQ(0, vt_wait_asleep(c.tid, 3000))
			TH_LOG("op %d: the waiter is not asleep (state %c)", op,
			       vt_thread_state(c.tid) ?: '-');
		vt_sleep_ms(10);
		ASSERT_EQ(0, pthread_kill(t, SIGUSR1));
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS))
			TH_LOG("op %d: the signal did not end the wait", op);
		EXPECT_EQ(-1, c.ret) TH_LOG("op %d", op);
		EXPECT_EQ(EINTR, c.err) TH_LOG("op %d", op);
		EXPECT_GT(5000, c.ms) TH_LOG("op %d", op);
		EXPECT_EQ(0, value(&s));
		/* Still a working semaphore. */
		EXPECT_EQ(0, sem_post(&s));
		EXPECT_EQ(0, sem_wait(&s));
	}
	EXPECT_EQ(3, usr1_hits);
}

/* --- across fork ------------------------------------------------------------------------- */

#define PINGS	10000

struct pingpong {
	sem_t	ping, pong;
	int	child_errors;
};

static int child_pong(void *arg)
{
	struct pingpong *p = arg;
	struct timespec ts;
	int i;

	for (i = 0; i < PINGS; i++) {
		ts = lt_abs(CLOCK_REALTIME, 5000);
		if (sem_timedwait(&p->ping, &ts))
			return 2;
		if (sem_post(&p->pong))
			return 3;
	}
	return 0;
}

TEST(pshared_fork_pingpong)
{
	struct pingpong *p = lt_shared(sizeof(*p));
	struct timespec ts;
	char how[64];
	int i, status, got = 0;
	pid_t pid;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, sem_init(&p->ping, 1, 0));
	ASSERT_EQ(0, sem_init(&p->pong, 1, 0));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_pong(p));
	/* The child posts first: the parent waits. */
	for (i = 0; i < PINGS; i++) {
		if (sem_post(&p->ping))
			break;
		ts = lt_abs(CLOCK_REALTIME, 5000);
		if (sem_timedwait(&p->pong, &ts))
			break;
		got++;
	}
	status = vt_wait_child(pid, LT_WAIT_MS);
	EXPECT_EQ(PINGS, got) TH_LOG("round %d: %s", got, strerror(errno));
	EXPECT_EQ(0, status) TH_LOG("child %s", vt_child_what(status, how, sizeof(how)));
	EXPECT_EQ(0, value(&p->ping));
	EXPECT_EQ(0, value(&p->pong));
	munmap(p, sizeof(*p));
}

static int child_posts(void *arg)
{
	sem_t *s = arg;
	int i;

	vt_sleep_ms(50);	/* the parent is asleep by now */
	for (i = 0; i < 1000; i++)
		if (sem_post(s))
			return 2;
	return 0;
}

/* The parent sleeps in sem_wait; a child process posts. */
TEST(pshared_fork_child_posts)
{
	sem_t *s = lt_shared(sizeof(*s));
	char how[64];
	int i, status, got = 0;
	pid_t pid;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, sem_init(s, 1, 0));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_posts(s));
	for (i = 0; i < 1000; i++) {
		struct timespec ts = lt_abs(CLOCK_REALTIME, 5000);

		if (i & 1 ? sem_timedwait(s, &ts) : sem_clockwait(s, CLOCK_MONOTONIC,
			    (ts = lt_abs(CLOCK_MONOTONIC, 5000), &ts)))
			break;
		got++;
	}
	status = vt_wait_child(pid, LT_WAIT_MS);
	EXPECT_EQ(1000, got) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, status) TH_LOG("child %s", vt_child_what(status, how, sizeof(how)));
	EXPECT_EQ(0, value(s));
	munmap(s, sizeof(*s));
}

/* --- many waiters and posters ------------------------------------------------------------- */

#define POSTS	40000

struct sem_worker {
	sem_t		*s;
	sem_fn		post, wait;	/* NULL: the binding's */
	int		poster, kind;
	long		done, errors;
};

static void *sem_worker(void *arg)
{
	struct sem_worker *w = arg;
	struct timespec ts;
	long i;
	int r;

	for (i = 0; i < POSTS; i++) {
		if (w->poster) {
			r = w->post ? w->post(w->s) : sem_post(w->s);
			if ((i & 255) == 0)
				sched_yield();
		} else {
			switch (w->wait ? -1 : w->kind) {
			case -1:
				r = w->wait(w->s);
				break;
			case 1:
				while ((r = sem_trywait(w->s)) && errno == EAGAIN)
					sched_yield();
				break;
			case 2:
				ts = lt_abs(CLOCK_REALTIME, 10000);
				r = sem_timedwait(w->s, &ts);
				break;
			case 3:
				ts = lt_abs(CLOCK_MONOTONIC, 10000);
				r = sem_clockwait(w->s, CLOCK_MONOTONIC, &ts);
				break;
			default:
				r = sem_wait(w->s);
			}
		}
		if (r)
			w->errors++;
		else
			w->done++;
	}
	return NULL;
}

static void many(struct __test_metadata *_metadata, int pshared, int glibc_mix)
{
	sem_fn g_post = lt_glibc("sem_post"), g_wait = lt_glibc("sem_wait");
	struct sem_worker w[8];
	pthread_t t[8];
	long errors = 0, done = 0;
	sem_t s;
	int k;

	ASSERT_EQ(0, sem_init(&s, pshared, 0));
	for (k = 0; k < 8; k++) {
		w[k] = (struct sem_worker){ .s = &s, .poster = k >= 4, .kind = k & 3 };
		if (glibc_mix && (k & 1)) {
			w[k].post = g_post;
			w[k].wait = g_wait;
		}
		ASSERT_EQ(0, pthread_create(&t[k], NULL, sem_worker, &w[k]));
	}
	for (k = 0; k < 8; k++) {
		ASSERT_EQ(0, lt_join(t[k], NULL, 25000))
			TH_LOG("%s %d hangs after %ld (value %d)",
			       k >= 4 ? "poster" : "waiter", k, w[k].done, value(&s));
		errors += w[k].errors;
		done += w[k].done;
	}
	EXPECT_EQ(0, errors);
	EXPECT_EQ(8 * POSTS, done);
	EXPECT_EQ(0, value(&s));
	errno = 0;
	EXPECT_EQ(-1, sem_trywait(&s));
	EXPECT_EQ(EAGAIN, errno);
}

TEST(many_waiters_posters)
{
	many(_metadata, 0, 0);
	many(_metadata, 1, 0);
}

TEST(mixed_with_glibc)
{
	many(_metadata, 0, 1);
	many(_metadata, 1, 1);
}

/* --- cancellation ------------------------------------------------------------------------ */

struct cancel_arg {
	sem_t		*s;
	int		op;
	int		cleanup;	/* the cleanup handler ran */
	int		reached;	/* past the pending-cancel setup */
	int		returned;	/* the call returned */
	int		ret;
	pid_t		tid;
	pthread_mutex_t	*m;
};

static void cleanup(void *arg)
{
	struct cancel_arg *a = arg;

	__atomic_store_n(&a->cleanup, 1, __ATOMIC_RELEASE);
}

static int cancel_op(struct cancel_arg *a)
{
	struct timespec ts;

	switch (a->op) {
	case 1:
		ts = lt_abs(CLOCK_REALTIME, 8000);
		return sem_timedwait(a->s, &ts);
	case 2:
		ts = lt_abs(CLOCK_MONOTONIC, 8000);
		return sem_clockwait(a->s, CLOCK_MONOTONIC, &ts);
	case 3:
		return sem_trywait(a->s);
	default:
		return sem_wait(a->s);
	}
}

static void *cancel_blocked(void *arg)
{
	struct cancel_arg *a = arg;

	pthread_cleanup_push(cleanup, a);
	__atomic_store_n(&a->tid, lt_gettid(), __ATOMIC_RELEASE);
	a->ret = cancel_op(a);
	a->returned = 1;
	pthread_cleanup_pop(0);
	return NULL;
}

TEST(cancel_blocked_wait)
{
	int op;

	for (op = 0; op < 3; op++) {
		struct cancel_arg a = { .op = op }, b = { .op = 0 };
		void *ret = NULL;
		pthread_t t, t2;
		sem_t s;

		ASSERT_EQ(0, sem_init(&s, 0, 0));
		a.s = b.s = &s;
		ASSERT_EQ(0, pthread_create(&t, NULL, cancel_blocked, &a));
		ASSERT_EQ(0, lt_poll(&a.tid, 1, LT_WAIT_MS));
		ASSERT_EQ(0, vt_wait_asleep(a.tid, 3000)) TH_LOG("op %d", op);
		ASSERT_EQ(0, pthread_cancel(t));
		ASSERT_EQ(0, lt_join(t, &ret, LT_WAIT_MS)) TH_LOG("op %d: cancel did not act", op);
		EXPECT_EQ(PTHREAD_CANCELED, ret) TH_LOG("op %d", op);
		EXPECT_EQ(1, a.cleanup) TH_LOG("op %d: the cleanup handler did not run", op);
		EXPECT_EQ(0, a.returned) TH_LOG("op %d: returned %d", op, a.ret);
		EXPECT_EQ(0, value(&s));

		/* The semaphore still works: the next waiter gets the next post. */
		ASSERT_EQ(0, pthread_create(&t2, NULL, cancel_blocked, &b));
		ASSERT_EQ(0, lt_poll(&b.tid, 1, LT_WAIT_MS));
		ASSERT_EQ(0, vt_wait_asleep(b.tid, 3000));
		ASSERT_EQ(0, sem_post(&s));
		ASSERT_EQ(0, lt_join(t2, &ret, LT_WAIT_MS)) TH_LOG("op %d: the post was lost", op);
		EXPECT_EQ(NULL, ret);
		EXPECT_EQ(1, b.returned);
		EXPECT_EQ(0, b.ret);
		EXPECT_EQ(0, value(&s));
		EXPECT_EQ(0, sem_post(&s));
		EXPECT_EQ(0, sem_trywait(&s));
	}
}

/* Leave a cancel pending on this thread (deferred type, enabled). */
static void pend_cancel(void)
{
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_cancel(pthread_self());
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
}

static void *cancel_pending(void *arg)
{
	struct cancel_arg *a = arg;

	pthread_cleanup_push(cleanup, a);
	pend_cancel();
	a->reached = 1;
	a->ret = cancel_op(a);
	a->returned = 1;
	pthread_testcancel();
	pthread_cleanup_pop(0);
	return NULL;
}

/*
 * A cancel is pending and the semaphore is available: glibc 2.36's
 * sem_wait and sem_timedwait act on the cancel first (the value stays);
 * its sem_clockwait does not (it cancels only when it has to sleep), and
 * sem_trywait is no cancellation point: both take the semaphore.
 */
TEST(cancel_pending_available)
{
	int op;

	for (op = 0; op < 4; op++) {
		struct cancel_arg a = { .op = op, .ret = -5 };
		void *ret = NULL;
		pthread_t t;
		sem_t s;

		ASSERT_EQ(0, sem_init(&s, 0, 1));
		a.s = &s;
		ASSERT_EQ(0, pthread_create(&t, NULL, cancel_pending, &a));
		ASSERT_EQ(0, lt_join(t, &ret, LT_WAIT_MS));
		EXPECT_EQ(PTHREAD_CANCELED, ret) TH_LOG("op %d", op);
		EXPECT_EQ(1, a.reached);
		EXPECT_EQ(1, a.cleanup);
		if (op >= 2) {
			EXPECT_EQ(1, a.returned) TH_LOG("op %d acted on the cancel", op);
			EXPECT_EQ(0, a.ret);
			EXPECT_EQ(0, value(&s));
		} else {
			EXPECT_EQ(0, a.returned) TH_LOG("op %d returned %d despite the pending cancel",
							 op, a.ret);
			EXPECT_EQ(1, value(&s)) TH_LOG("op %d took the semaphore", op);
		}
	}
}

/* pthread_mutex_timedlock (and lock, trylock) are no cancellation points. */
static void *timedlock_pending(void *arg)
{
	struct cancel_arg *a = arg;
	struct timespec ts;

	pthread_cleanup_push(cleanup, a);
	pend_cancel();
	a->reached = 1;
	ts = lt_abs(CLOCK_REALTIME, 60);
	a->ret = pthread_mutex_timedlock(a->m, &ts);	/* held: times out */
	if (a->ret == ETIMEDOUT) {
		ts = lt_abs(CLOCK_MONOTONIC, 30);
		a->ret = pthread_mutex_clocklock(a->m, CLOCK_MONOTONIC, &ts);
	}
	a->returned = 1;
	pthread_testcancel();
	a->returned = 2;
	pthread_cleanup_pop(0);
	return NULL;
}

static void *timedlock_pending_free(void *arg)
{
	struct cancel_arg *a = arg;
	struct timespec ts;

	pthread_cleanup_push(cleanup, a);
	pend_cancel();
	a->reached = 1;
	ts = lt_abs(CLOCK_REALTIME, 1000);
	a->ret = pthread_mutex_timedlock(a->m, &ts);	/* free: taken */
	if (!a->ret)
		a->ret = pthread_mutex_unlock(a->m);
	if (!a->ret)
		a->ret = pthread_mutex_lock(a->m);
	if (!a->ret)
		a->ret = pthread_mutex_unlock(a->m);
	a->returned = 1;
	pthread_testcancel();
	a->returned = 2;
	pthread_cleanup_pop(0);
	return NULL;
}

TEST(timedlock_no_cancellation_point)
{
	struct cancel_arg a = { .ret = -5 }, b = { .ret = -5 };
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	void *ret = NULL;
	pthread_t t;

	a.m = b.m = &m;
	ASSERT_EQ(0, pthread_mutex_lock(&m));
	ASSERT_EQ(0, pthread_create(&t, NULL, timedlock_pending, &a));
	ASSERT_EQ(0, lt_join(t, &ret, LT_WAIT_MS));
	EXPECT_EQ(PTHREAD_CANCELED, ret);
	EXPECT_EQ(1, a.returned) TH_LOG("0: cancelled inside timedlock; 2: not at testcancel");
	EXPECT_EQ(ETIMEDOUT, a.ret);
	EXPECT_EQ(1, a.cleanup);
	ASSERT_EQ(0, pthread_mutex_unlock(&m));

	ASSERT_EQ(0, pthread_create(&t, NULL, timedlock_pending_free, &b));
	ASSERT_EQ(0, lt_join(t, &ret, LT_WAIT_MS));
	EXPECT_EQ(PTHREAD_CANCELED, ret);
	EXPECT_EQ(1, b.returned);
	EXPECT_EQ(0, b.ret);
	EXPECT_EQ(0, pthread_mutex_trylock(&m)) TH_LOG("left locked");
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

LOCKS_TEST_MAIN
