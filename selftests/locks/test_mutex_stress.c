// SPDX-License-Identifier: GPL-2.0
/*
 * Mutual exclusion under contention: 4 and 8 threads add to a plain,
 * non-atomic counter under one mutex of each kind (normal, adaptive,
 * recursive at depth 2, error-checking), with lockers alone, with
 * trylock-spinning threads mixed in, and with timed and clock lockers
 * mixed in.  The count must be exact, and no thread may ever find
 * another one inside the critical section.
 */
#include <sched.h>
#include "kselftest_harness.h"
#include "locks_test.h"

#define ROUNDS		200000L	/* per thread */
#define MAX_THREADS	8

enum how { BY_LOCK, BY_TRYLOCK, BY_TIMEDLOCK, BY_CLOCKLOCK };

struct shared {
	pthread_mutex_t	m;
	int		type;
	long		counter;	/* plain: the mutex protects it */
	int		inside;		/* threads in the critical section */
	int		overlaps;
	pthread_barrier_t start;	/* all threads begin together */
};

struct worker {
	struct shared	*s;
	enum how	how;
	long		rounds;
	long		errors;
	int		last_error;
	long		busy;		/* trylock EBUSY answers */
};

static int take(struct worker *w)
{
	struct timespec ts;
	int r;

	switch (w->how) {
	case BY_TRYLOCK:
		while ((r = pthread_mutex_trylock(&w->s->m)) == EBUSY) {
			w->busy++;
			if ((w->busy & 63) == 0)
				sched_yield();
		}
		return r;
	case BY_TIMEDLOCK:
		ts = lt_abs(CLOCK_REALTIME, 20000);
		return pthread_mutex_timedlock(&w->s->m, &ts);
	case BY_CLOCKLOCK:
		ts = lt_abs(CLOCK_MONOTONIC, 20000);
		return pthread_mutex_clocklock(&w->s->m, CLOCK_MONOTONIC, &ts);
	default:
		return pthread_mutex_lock(&w->s->m);
	}
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	long i;
	int r;

	pthread_barrier_wait(&s->start);
	for (i = 0; i < w->rounds; i++) {
		r = take(w);
		if (!r && s->type == PTHREAD_MUTEX_RECURSIVE)
			r = pthread_mutex_lock(&s->m);
		if (r) {
			w->errors++;
			w->last_error = r;
			continue;
		}
		if (__atomic_add_fetch(&s->inside, 1, __ATOMIC_RELAXED) != 1)
			__atomic_add_fetch(&s->overlaps, 1, __ATOMIC_RELAXED);
		{
			volatile long *c = &s->counter;
			long v = *c;

			if ((i & 7) == 0)	/* a longer section now and then */
				for (r = 0; r < 20; r++)
					__asm__ volatile("" ::: "memory");
			if ((i & 1023) == 0)	/* and others queue up behind it */
				sched_yield();
			*c = v + 1;
		}
		__atomic_sub_fetch(&s->inside, 1, __ATOMIC_RELAXED);
		if (s->type == PTHREAD_MUTEX_RECURSIVE && pthread_mutex_unlock(&s->m)) {
			w->errors++;
			w->last_error = -1;
		}
		r = pthread_mutex_unlock(&s->m);
		if (r) {
			w->errors++;
			w->last_error = r;
		}
	}
	return NULL;
}

/* @n threads, the i-th taking the mutex as @hows[i % nhows] says. */
static void run(struct __test_metadata *_metadata, int type, int n,
		const enum how *hows, int nhows)
{
	struct worker w[MAX_THREADS];
	pthread_t t[MAX_THREADS];
	struct shared s = { .type = type };
	long errors = 0, busy = 0;
	double t0 = vt_now_ms();
	int i, started = 0, last = 0;

	ASSERT_EQ(0, lt_mutex_init(&s.m, type, 0, 0, 0));
	ASSERT_EQ(0, pthread_barrier_init(&s.start, NULL, n));
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .s = &s, .how = hows[i % nhows],
					.rounds = ROUNDS };
		if (pthread_create(&t[i], NULL, worker, &w[i]))
			break;
		started++;
	}
	ASSERT_EQ(n, started);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, lt_join(t[i], NULL, 25000))
			TH_LOG("%s, %d threads: thread %d still running after 25 s (counter %ld)",
			       lt_type_name(type), n, i, s.counter);
		errors += w[i].errors;
		busy += w[i].busy;
		if (w[i].errors)
			last = w[i].last_error;
	}
	EXPECT_EQ(0, errors) TH_LOG("%s, %d threads: %ld errors, last %d",
				    lt_type_name(type), n, errors, last);
	EXPECT_EQ(0, s.overlaps) TH_LOG("%s, %d threads: two threads inside %d times",
					lt_type_name(type), n, s.overlaps);
	EXPECT_EQ(n * ROUNDS, s.counter) TH_LOG("%s, %d threads", lt_type_name(type), n);
	EXPECT_EQ(0, pthread_mutex_trylock(&s.m)) TH_LOG("left locked");
	EXPECT_EQ(0, pthread_mutex_unlock(&s.m));
	EXPECT_EQ(0, pthread_mutex_destroy(&s.m));
	pthread_barrier_destroy(&s.start);
	fprintf(stderr, "# %s, %d threads: %.0f ms (%ld trylock EBUSY)\n",
		lt_type_name(type), n, vt_now_ms() - t0, busy);
}

static const enum how only_lock[] = { BY_LOCK };
static const enum how with_trylock[] = { BY_LOCK, BY_TRYLOCK };
static const enum how with_timed[] = { BY_LOCK, BY_TIMEDLOCK, BY_TRYLOCK, BY_CLOCKLOCK };

#define STRESS(name, type)						\
TEST(name##_lockers)							\
{									\
	run(_metadata, type, 4, only_lock, 1);				\
	run(_metadata, type, 8, only_lock, 1);				\
}									\
TEST(name##_with_trylock)						\
{									\
	run(_metadata, type, 4, with_trylock, 2);			\
	run(_metadata, type, 8, with_trylock, 2);			\
}									\
TEST(name##_with_timed)							\
{									\
	run(_metadata, type, 4, with_timed, 4);				\
	run(_metadata, type, 8, with_timed, 4);				\
}

STRESS(normal, PTHREAD_MUTEX_NORMAL)
STRESS(adaptive, PTHREAD_MUTEX_ADAPTIVE_NP)
STRESS(recursive, PTHREAD_MUTEX_RECURSIVE)
STRESS(errorcheck, PTHREAD_MUTEX_ERRORCHECK)

LOCKS_TEST_MAIN
