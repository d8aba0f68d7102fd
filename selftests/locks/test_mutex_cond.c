// SPDX-License-Identifier: GPL-2.0
/*
 * glibc's own condition variables (not interposed) on mutexes the binding
 * locks, and mutexes shared between the binding and glibc's own code.
 *
 * pthread_cond_wait unlocks and relocks the mutex with glibc's internal
 * functions, which read and write the same lock word, owner, count and
 * user count as the binding's lock and unlock; for error-checking and
 * recursive mutexes glibc checks __owner against the caller's thread id,
 * so the binding must keep it exact.
 *
 *  - producers and consumers on a bounded queue: signal, broadcast, and
 *    timed waits with short deadlines, item counts and sums checked;
 *  - cond_wait and cond_timedwait on normal, adaptive, recursive (depth 1)
 *    and error-checking mutexes: afterwards the caller owns the mutex as
 *    the binding sees it (EDEADLK, unlock, EPERM from another thread);
 *    cond_wait on an error-checking mutex the caller does not hold: EPERM;
 *  - cond_timedwait timing out while other threads hammer the mutex;
 *  - mixed initialisation: a mutex initialised by glibc's
 *    pthread_mutex_init used by the binding, one initialised by the
 *    binding used by glibc's own lock and unlock, and threads locking one
 *    mutex through both at once (all kinds, private and process-shared).
 */
#include "kselftest_harness.h"
#include "locks_test.h"

static const int all_types[] = {
	PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_RECURSIVE,
	PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_ADAPTIVE_NP,
};

typedef int (*mutex_fn)(pthread_mutex_t *);
typedef int (*mutex_init_fn)(pthread_mutex_t *, const pthread_mutexattr_t *);

/* --- producers and consumers ------------------------------------------------ */

#define QSIZE		8
#define ITEMS		40000L	/* per producer */

enum wake { WAKE_SIGNAL, WAKE_BROADCAST };

struct queue {
	pthread_mutex_t	m;
	pthread_cond_t	not_empty, not_full;
	long		items[QSIZE];
	int		head, len;
	int		producers_left;
	enum wake	wake;
	int		timed;		/* wait with 1 ms deadlines */
	long		timeouts;	/* ETIMEDOUT answers (under m) */
	long		errors;		/* unexpected answers (under m) */
};

struct consumer {
	struct queue	*q;
	long		count, sum;
};

static int q_wait(struct queue *q, pthread_cond_t *c)
{
	struct timespec ts;
	int r;

	if (!q->timed)
		return pthread_cond_wait(c, &q->m);
	ts = lt_abs(CLOCK_REALTIME, 1);
	r = pthread_cond_timedwait(c, &q->m, &ts);
	if (r == ETIMEDOUT) {
		q->timeouts++;
		r = 0;
	}
	return r;
}

static void q_wake(struct queue *q, pthread_cond_t *c)
{
	if (q->wake == WAKE_BROADCAST)
		pthread_cond_broadcast(c);
	else
		pthread_cond_signal(c);
}

static void *producer(void *arg)
{
	struct queue *q = arg;
	long i;

	for (i = 1; i <= ITEMS; i++) {
		if (pthread_mutex_lock(&q->m))
			return (void *)1L;
		while (q->len == QSIZE)
			if (q_wait(q, &q->not_full))
				q->errors++;
		q->items[(q->head + q->len++) % QSIZE] = i;
		q_wake(q, &q->not_empty);
		if (pthread_mutex_unlock(&q->m))
			return (void *)2L;
	}
	pthread_mutex_lock(&q->m);
	q->producers_left--;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->m);
	return NULL;
}

static void *consumer(void *arg)
{
	struct consumer *c = arg;
	struct queue *q = c->q;

	if (pthread_mutex_lock(&q->m))
		return (void *)1L;
	for (;;) {
		while (!q->len && q->producers_left)
			if (q_wait(q, &q->not_empty))
				q->errors++;
		if (!q->len)
			break;
		c->sum += q->items[q->head];
		c->count++;
		q->head = (q->head + 1) % QSIZE;
		q->len--;
		q_wake(q, &q->not_full);
	}
	return pthread_mutex_unlock(&q->m) ? (void *)2L : NULL;
}

static void run_queue(struct __test_metadata *_metadata, int type,
		      enum wake wake, int timed, int np, int nc)
{
	struct consumer c[4];
	pthread_t pt[4], ct[4];
	struct queue q = { .wake = wake, .timed = timed, .producers_left = np };
	long count = 0, sum = 0;
	void *ret;
	int i;

	ASSERT_EQ(0, lt_mutex_init(&q.m, type, 0, 0, 0));
	pthread_cond_init(&q.not_empty, NULL);
	pthread_cond_init(&q.not_full, NULL);
	for (i = 0; i < nc; i++) {
		c[i] = (struct consumer){ .q = &q };
		ASSERT_EQ(0, pthread_create(&ct[i], NULL, consumer, &c[i]));
	}
	for (i = 0; i < np; i++)
		ASSERT_EQ(0, pthread_create(&pt[i], NULL, producer, &q));
	for (i = 0; i < np; i++) {
		ASSERT_EQ(0, lt_join(pt[i], &ret, 25000))
			TH_LOG("%s: producer %d hangs (queue %d, left %d)",
			       lt_type_name(type), i, q.len, q.producers_left);
		EXPECT_EQ(NULL, ret);
	}
	for (i = 0; i < nc; i++) {
		ASSERT_EQ(0, lt_join(ct[i], &ret, 25000))
			TH_LOG("%s: consumer %d hangs", lt_type_name(type), i);
		EXPECT_EQ(NULL, ret);
		count += c[i].count;
		sum += c[i].sum;
	}
	EXPECT_EQ(0, q.errors) TH_LOG("%s: cond waits failed", lt_type_name(type));
	EXPECT_EQ(np * ITEMS, count) TH_LOG("%s: items", lt_type_name(type));
	EXPECT_EQ(np * ITEMS * (ITEMS + 1) / 2, sum) TH_LOG("%s: sum", lt_type_name(type));
	EXPECT_EQ(0, pthread_mutex_trylock(&q.m)) TH_LOG("left locked");
	EXPECT_EQ(0, pthread_mutex_unlock(&q.m));
	if (timed)
		fprintf(stderr, "# %s, timed: %ld timeouts\n", lt_type_name(type),
			q.timeouts);
}

TEST(queue_signal)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++)
		run_queue(_metadata, all_types[i], WAKE_SIGNAL, 0, 2, 2);
}

TEST(queue_broadcast)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++)
		run_queue(_metadata, all_types[i], WAKE_BROADCAST, 0, 3, 4);
}

TEST(queue_timed)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		run_queue(_metadata, all_types[i], WAKE_SIGNAL, 1, 2, 3);
		run_queue(_metadata, all_types[i], WAKE_BROADCAST, 1, 1, 4);
	}
}

/* --- who owns the mutex after a condition wait ---------------------------------- */

struct trier {
	pthread_mutex_t	*m;
	int		trylock, unlock;
};

static void *try_from_other(void *arg)
{
	struct trier *t = arg;

	t->trylock = pthread_mutex_trylock(t->m);
	t->unlock = pthread_mutex_unlock(t->m);
	return NULL;
}

/* Called holding @m once (after a cond wait): check the binding agrees. */
static void check_owned(struct __test_metadata *_metadata, pthread_mutex_t *m,
			int type, const char *after)
{
	struct trier tr = { .m = m };
	pthread_t t;

	EXPECT_EQ(lt_gettid(), m->__data.__owner)
		TH_LOG("%s, after %s: __owner %d", lt_type_name(type), after,
		       m->__data.__owner);
	EXPECT_NE(0, m->__data.__lock);
	if (type == PTHREAD_MUTEX_ERRORCHECK)
		EXPECT_EQ(EDEADLK, pthread_mutex_lock(m))
			TH_LOG("%s, after %s", lt_type_name(type), after);
	if (type == PTHREAD_MUTEX_RECURSIVE) {
		EXPECT_EQ(1, m->__data.__count) TH_LOG("after %s", after);
		EXPECT_EQ(0, pthread_mutex_lock(m));
		EXPECT_EQ(0, pthread_mutex_unlock(m));
	}
	if (type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE) {
		ASSERT_EQ(0, pthread_create(&t, NULL, try_from_other, &tr));
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
		EXPECT_EQ(EBUSY, tr.trylock) TH_LOG("%s, after %s", lt_type_name(type), after);
		EXPECT_EQ(EPERM, tr.unlock) TH_LOG("%s, after %s", lt_type_name(type), after);
	}
	EXPECT_EQ(0, pthread_mutex_unlock(m)) TH_LOG("%s, after %s", lt_type_name(type), after);
	EXPECT_EQ(0, m->__data.__owner);
	if (type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE)
		EXPECT_EQ(EPERM, pthread_mutex_unlock(m))
			TH_LOG("%s, after %s", lt_type_name(type), after);
}

struct signaller {
	pthread_mutex_t	*m;
	pthread_cond_t	*c;
	int		*flag;
	int		ret;
};

static void *signal_later(void *arg)
{
	struct signaller *s = arg;

	vt_sleep_ms(30);
	s->ret = pthread_mutex_lock(s->m);
	*s->flag = 1;
	pthread_cond_signal(s->c);
	if (!s->ret)
		s->ret = pthread_mutex_unlock(s->m);
	return NULL;
}

TEST(cond_wait_owner)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		int type = all_types[i], flag = 0, r = 0;
		pthread_cond_t c = PTHREAD_COND_INITIALIZER;
		struct signaller s;
		struct timespec ts;
		pthread_mutex_t m;
		pthread_t t;

		ASSERT_EQ(0, lt_mutex_init(&m, type, 0, 0, 0));
		s = (struct signaller){ .m = &m, .c = &c, .flag = &flag };

		/* Woken by a signal. */
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		ASSERT_EQ(0, pthread_create(&t, NULL, signal_later, &s));
		ts = lt_abs(CLOCK_REALTIME, 5000);
		while (!flag && !r)
			r = pthread_cond_timedwait(&c, &m, &ts);
		EXPECT_EQ(0, r) TH_LOG("%s: cond_timedwait", lt_type_name(type));
		check_owned(_metadata, &m, type, "a signalled wait");
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
		EXPECT_EQ(0, s.ret);

		/* Timed out, REALTIME and MONOTONIC (clockwait). */
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		ts = lt_abs(CLOCK_REALTIME, 20);
		EXPECT_EQ(ETIMEDOUT, pthread_cond_timedwait(&c, &m, &ts));
		check_owned(_metadata, &m, type, "a timed-out wait");
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		ts = lt_abs(CLOCK_MONOTONIC, 20);
		EXPECT_EQ(ETIMEDOUT, pthread_cond_clockwait(&c, &m, CLOCK_MONOTONIC, &ts));
		check_owned(_metadata, &m, type, "a timed-out clockwait");

		/* pthread_cond_wait, woken by a signal. */
		flag = 0;
		ASSERT_EQ(0, pthread_mutex_lock(&m));
		ASSERT_EQ(0, pthread_create(&t, NULL, signal_later, &s));
		while (!flag)
			pthread_cond_wait(&c, &m);
		check_owned(_metadata, &m, type, "cond_wait");
		ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
		EXPECT_EQ(0, pthread_mutex_destroy(&m));
	}
}

/* glibc's cond_wait on an error-checking mutex the caller does not hold. */
TEST(cond_wait_errorcheck_not_held)
{
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts = lt_abs(CLOCK_REALTIME, 2000);
	pthread_mutex_t m;
	double t0;

	ASSERT_EQ(0, lt_mutex_init(&m, PTHREAD_MUTEX_ERRORCHECK, 0, 0, 0));
	t0 = vt_now_ms();
	EXPECT_EQ(EPERM, pthread_cond_timedwait(&c, &m, &ts)) TH_LOG("not locked");
	EXPECT_GT(1000, vt_now_ms() - t0);
	EXPECT_EQ(0, pthread_mutex_trylock(&m));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

/* Timed cond waits that time out and relock while others hammer the mutex. */
struct hammer {
	pthread_mutex_t	*m;
	pthread_cond_t	*c;
	long		*counter;
	int		*stop;
	long		rounds, timeouts, errors;
	int		waiter;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct timespec ts;
	int r;

	while (!__atomic_load_n(h->stop, __ATOMIC_ACQUIRE)) {
		if (pthread_mutex_lock(h->m)) {
			h->errors++;
			continue;
		}
		(*(volatile long *)h->counter)++;
		if (h->waiter) {
			ts = lt_abs(CLOCK_REALTIME, 0.2);
			r = pthread_cond_timedwait(h->c, h->m, &ts);
			if (r == ETIMEDOUT)
				h->timeouts++;
			else if (r)
				h->errors++;
			(*(volatile long *)h->counter)++;
		} else if ((h->rounds & 63) == 0) {
			pthread_cond_signal(h->c);
		}
		h->rounds++;
		if (pthread_mutex_unlock(h->m))
			h->errors++;
	}
	return NULL;
}

TEST(timedwait_under_contention)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		pthread_cond_t c = PTHREAD_COND_INITIALIZER;
		pthread_cond_t never = PTHREAD_COND_INITIALIZER;
		struct hammer h[6];
		pthread_t t[6];
		pthread_mutex_t m;
		long counter = 0, want = 0, timeouts = 0, errors = 0;
		int stop = 0, k;
		double end;

		ASSERT_EQ(0, lt_mutex_init(&m, all_types[i], 0, 0, 0));
		for (k = 0; k < 6; k++) {
			h[k] = (struct hammer){ .m = &m, .c = &c, .counter = &counter,
						.stop = &stop, .waiter = k < 3 };
			if (k == 0)	/* one waiter nobody signals: it times out */
				h[k].c = &never;
			ASSERT_EQ(0, pthread_create(&t[k], NULL, hammer_thread, &h[k]));
		}
		/* 300 ms, and on until the waiter nobody signals timed out. */
		vt_sleep_ms(300);
		end = vt_now_ms() + LT_WAIT_MS;
		while (!__atomic_load_n(&h[0].timeouts, __ATOMIC_RELAXED) && vt_now_ms() < end)
			vt_sleep_ms(1);
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
		for (k = 0; k < 6; k++) {
			ASSERT_EQ(0, lt_join(t[k], NULL, 10000))
				TH_LOG("%s: thread %d hangs", lt_type_name(all_types[i]), k);
			want += h[k].rounds * (h[k].waiter ? 2 : 1);
			timeouts += h[k].timeouts;
			errors += h[k].errors;
		}
		EXPECT_EQ(0, errors) TH_LOG("%s", lt_type_name(all_types[i]));
		EXPECT_EQ(want, counter) TH_LOG("%s", lt_type_name(all_types[i]));
		EXPECT_LT(0, timeouts) TH_LOG("%s: no cond wait timed out",
					      lt_type_name(all_types[i]));
		EXPECT_EQ(0, pthread_mutex_trylock(&m));
		EXPECT_EQ(0, pthread_mutex_unlock(&m));
	}
}

/* --- mixed initialisation and mixed lockers ------------------------------------------ */

struct side {
	mutex_fn	lock, unlock;
};

static struct side side_of(int glibc)
{
	if (glibc)
		return (struct side){ lt_glibc("pthread_mutex_lock"),
				      lt_glibc("pthread_mutex_unlock") };
	return (struct side){ pthread_mutex_lock, pthread_mutex_unlock };
}

struct mixed_worker {
	pthread_mutex_t	*m;
	struct side	side;
	int		type;
	long		rounds, *counter, errors;
	int		last;
};

static void *mixed_thread(void *arg)
{
	struct mixed_worker *w = arg;
	long i;
	int r;

	for (i = 0; i < w->rounds; i++) {
		r = w->side.lock(w->m);
		if (!r && w->type == PTHREAD_MUTEX_RECURSIVE)
			r = w->side.lock(w->m);
		if (r) {
			w->errors++;
			w->last = r;
			continue;
		}
		(*(volatile long *)w->counter)++;
		if ((i & 511) == 0)
			sched_yield();
		if (w->type == PTHREAD_MUTEX_RECURSIVE && (r = w->side.unlock(w->m)))
			w->errors++, w->last = r;
		if ((r = w->side.unlock(w->m)))
			w->errors++, w->last = r;
	}
	return NULL;
}

/*
 * A mutex of @type initialised by @init (glibc's or the binding's), then
 * used by both sides one after the other and by threads of both sides at
 * once.
 */
static void mixed(struct __test_metadata *_metadata, int type, int pshared,
		  int glibc_init)
{
	mutex_init_fn init = glibc_init ? lt_glibc("pthread_mutex_init") :
					  pthread_mutex_init;
	mutex_fn g_trylock = lt_glibc("pthread_mutex_trylock");
	struct side g = side_of(1), b = side_of(0);
	pthread_mutex_t *m = lt_shared(sizeof(*m));
	char name[80];
	struct mixed_worker w[4];
	pthread_mutexattr_t a;
	pthread_t t[4];
	long counter = 0, errors = 0;
	int k;

	ASSERT_NE(NULL, m);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	snprintf(name, sizeof(name), "%s%s, initialised by %s", lt_type_name(type),
		 pshared ? ", pshared" : "", glibc_init ? "glibc" : "the binding");
	ASSERT_EQ(0, init(m, &a)) TH_LOG("%s", name);

	/* Locked by one side, seen held by the other. */
	ASSERT_EQ(0, b.lock(m)) TH_LOG("%s", name);
	EXPECT_EQ(lt_gettid(), m->__data.__owner) TH_LOG("%s: owner after the binding's lock", name);
	if (type == PTHREAD_MUTEX_RECURSIVE) {
		EXPECT_EQ(0, g.lock(m)) TH_LOG("%s: glibc's relock", name);
		EXPECT_EQ(2, m->__data.__count);
		EXPECT_EQ(0, b.unlock(m));
	}
	if (type == PTHREAD_MUTEX_ERRORCHECK)
		EXPECT_EQ(EDEADLK, g.lock(m)) TH_LOG("%s: glibc's relock", name);
	if (type != PTHREAD_MUTEX_RECURSIVE)
		EXPECT_EQ(EBUSY, g_trylock(m)) TH_LOG("%s: glibc's trylock", name);
	EXPECT_EQ(0, g.unlock(m)) TH_LOG("%s: glibc's unlock of the binding's lock", name);
	EXPECT_EQ(0, m->__data.__owner);
	EXPECT_EQ(0, m->__data.__lock);
	EXPECT_EQ(0, m->__data.__nusers) TH_LOG("%s: __nusers", name);

	ASSERT_EQ(0, g.lock(m)) TH_LOG("%s", name);
	if (type == PTHREAD_MUTEX_RECURSIVE) {
		EXPECT_EQ(0, b.lock(m)) TH_LOG("%s: the binding's relock", name);
		EXPECT_EQ(2, m->__data.__count);
		EXPECT_EQ(0, g.unlock(m));
	}
	if (type == PTHREAD_MUTEX_ERRORCHECK)
		EXPECT_EQ(EDEADLK, b.lock(m)) TH_LOG("%s: the binding's relock", name);
	if (type != PTHREAD_MUTEX_RECURSIVE)
		EXPECT_EQ(EBUSY, pthread_mutex_trylock(m)) TH_LOG("%s", name);
	EXPECT_EQ(EBUSY, pthread_mutex_destroy(m)) TH_LOG("%s: destroy of a held one", name);
	EXPECT_EQ(0, b.unlock(m)) TH_LOG("%s: the binding's unlock of glibc's lock", name);
	EXPECT_EQ(0, m->__data.__lock);
	if (type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE) {
		EXPECT_EQ(EPERM, g.unlock(m));
		EXPECT_EQ(EPERM, b.unlock(m));
	}

	/* Both at once. */
	for (k = 0; k < 4; k++) {
		w[k] = (struct mixed_worker){ .m = m, .side = k & 1 ? g : b, .type = type,
					      .rounds = 50000, .counter = &counter };
		ASSERT_EQ(0, pthread_create(&t[k], NULL, mixed_thread, &w[k]));
	}
	for (k = 0; k < 4; k++) {
		ASSERT_EQ(0, lt_join(t[k], NULL, 20000))
			TH_LOG("%s: thread %d (%s) hangs", name, k, k & 1 ? "glibc" : "binding");
		errors += w[k].errors;
	}
	EXPECT_EQ(0, errors) TH_LOG("%s", name);
	EXPECT_EQ(4 * 50000, counter) TH_LOG("%s", name);
	EXPECT_EQ(0, m->__data.__lock) TH_LOG("%s: left locked", name);
	EXPECT_EQ(0, pthread_mutex_destroy(m)) TH_LOG("%s", name);
	munmap(m, sizeof(*m));
}

TEST(mixed_glibc_init)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		mixed(_metadata, all_types[i], 0, 1);
		mixed(_metadata, all_types[i], 1, 1);
	}
}

TEST(mixed_binding_init)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_types); i++) {
		mixed(_metadata, all_types[i], 0, 0);
		mixed(_metadata, all_types[i], 1, 0);
	}
}

/* What each init writes: the same bytes. */
TEST(init_same_bytes)
{
	mutex_init_fn g_init = lt_glibc("pthread_mutex_init");
	size_t i;
	int ps;

	for (i = 0; i < ARRAY_SIZE(all_types); i++)
	for (ps = 0; ps < 2; ps++) {
		pthread_mutex_t a, b;
		pthread_mutexattr_t at;

		memset(&a, 0x5a, sizeof(a));
		memset(&b, 0x5a, sizeof(b));
		pthread_mutexattr_init(&at);
		pthread_mutexattr_settype(&at, all_types[i]);
		if (ps)
			pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
		ASSERT_EQ(0, g_init(&a, &at));
		ASSERT_EQ(0, pthread_mutex_init(&b, &at));
		EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)))
			TH_LOG("%s%s: kind %d vs %d", lt_type_name(all_types[i]),
			       ps ? ", pshared" : "", a.__data.__kind, b.__data.__kind);
	}
	{
		pthread_mutex_t a, b;

		memset(&a, 0x5a, sizeof(a));
		memset(&b, 0x5a, sizeof(b));
		ASSERT_EQ(0, g_init(&a, NULL));
		ASSERT_EQ(0, pthread_mutex_init(&b, NULL));
		EXPECT_EQ(0, memcmp(&a, &b, sizeof(a))) TH_LOG("NULL attr");
	}
}

LOCKS_TEST_MAIN
