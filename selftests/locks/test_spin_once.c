// SPDX-License-Identifier: GPL-2.0
/*
 * pthread spinlocks and pthread_once on the binding an application gets.
 *
 *  - spin: init (private, process-shared), lock, trylock EBUSY (owner and
 *    another thread), unlock, destroy; 2 to 4 threads adding to a plain
 *    counter, and two processes on a shared spinlock;
 *  - once: the routine runs exactly once among 8 racing threads, and
 *    every caller returns only after it finished; a routine cancelled
 *    (at pthread_testcancel, or asleep in a cancellation point) leaves the
 *    once reusable: a thread waiting on it, or the next caller, runs the
 *    routine again to completion; in a child forked while another thread
 *    of the parent was inside the routine, pthread_once runs the routine
 *    (glibc keeps a fork generation in the once) instead of waiting for a
 *    thread the child does not have;
 *  - once and C++ exceptions: a C++ program (once_cxx.cc) whose
 *    pthread_once() routine and std::call_once() callable throw the first
 *    time gets the routine run again by the next call, as with glibc.
 */
#include "kselftest_harness.h"
#include "locks_test.h"

/* --- spinlocks ---------------------------------------------------------------------- */

struct spin_try {
	pthread_spinlock_t	*l;
	int			ret;
};

static void *spin_try_thread(void *arg)
{
	struct spin_try *t = arg;

	t->ret = pthread_spin_trylock(t->l);
	if (!t->ret)
		pthread_spin_unlock(t->l);
	return NULL;
}

static int trylock_from_other(pthread_spinlock_t *l)
{
	struct spin_try t = { .l = l, .ret = -1 };
	pthread_t th;

	if (pthread_create(&th, NULL, spin_try_thread, &t) ||
	    lt_join(th, NULL, LT_WAIT_MS))
		return -1;
	return t.ret;
}

TEST(spin_basic)
{
	int pshared;

	for (pshared = 0; pshared < 2; pshared++) {
		pthread_spinlock_t l;

		ASSERT_EQ(0, pthread_spin_init(&l, pshared ? PTHREAD_PROCESS_SHARED :
						   PTHREAD_PROCESS_PRIVATE));
		EXPECT_EQ(0, pthread_spin_lock(&l));
		EXPECT_EQ(EBUSY, pthread_spin_trylock(&l));
		EXPECT_EQ(EBUSY, trylock_from_other(&l));
		EXPECT_EQ(0, pthread_spin_unlock(&l));
		EXPECT_EQ(0, pthread_spin_trylock(&l));
		EXPECT_EQ(EBUSY, trylock_from_other(&l));
		EXPECT_EQ(0, pthread_spin_unlock(&l));
		EXPECT_EQ(0, trylock_from_other(&l));
		EXPECT_EQ(0, pthread_spin_destroy(&l));
	}
}

struct spin_worker {
	pthread_spinlock_t	*l;
	long			*counter;
	long			rounds;
	int			*inside, *overlaps;
	int			errors;
	pthread_barrier_t	*start;
};

static void *spin_worker(void *arg)
{
	struct spin_worker *w = arg;
	long i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < w->rounds; i++) {
		if (i & 1 ? pthread_spin_lock(w->l) : ({
			int r;

			while ((r = pthread_spin_trylock(w->l)) == EBUSY)
				;
			r;
		})) {
			w->errors++;
			continue;
		}
		if (__atomic_add_fetch(w->inside, 1, __ATOMIC_RELAXED) != 1)
			__atomic_add_fetch(w->overlaps, 1, __ATOMIC_RELAXED);
		(*(volatile long *)w->counter)++;
		__atomic_sub_fetch(w->inside, 1, __ATOMIC_RELAXED);
		if (pthread_spin_unlock(w->l))
			w->errors++;
	}
	return NULL;
}

TEST(spin_stress)
{
	int n;

	for (n = 2; n <= 4; n++) {
		struct spin_worker w[4];
		pthread_barrier_t start;
		pthread_spinlock_t l;
		pthread_t t[4];
		long counter = 0;
		int inside = 0, overlaps = 0, errors = 0, k;

		ASSERT_EQ(0, pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE));
		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, n));
		for (k = 0; k < n; k++) {
			w[k] = (struct spin_worker){ .l = &l, .counter = &counter,
						     .rounds = 200000, .inside = &inside,
						     .overlaps = &overlaps, .start = &start };
			ASSERT_EQ(0, pthread_create(&t[k], NULL, spin_worker, &w[k]));
		}
		for (k = 0; k < n; k++) {
			ASSERT_EQ(0, lt_join(t[k], NULL, 20000)) TH_LOG("%d threads", n);
			errors += w[k].errors;
		}
		EXPECT_EQ(0, errors);
		EXPECT_EQ(0, overlaps) TH_LOG("%d threads", n);
		EXPECT_EQ(n * 200000L, counter) TH_LOG("%d threads", n);
		EXPECT_EQ(0, pthread_spin_trylock(&l));
		EXPECT_EQ(0, pthread_spin_unlock(&l));
		pthread_barrier_destroy(&start);
	}
}

struct shared_spin {
	pthread_spinlock_t	l;
	long			counter;
};

static int spin_add(struct shared_spin *s, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (pthread_spin_lock(&s->l))
			return 1;
		(*(volatile long *)&s->counter)++;
		if (pthread_spin_unlock(&s->l))
			return 1;
	}
	return 0;
}

static int child_spin_add(void *arg)
{
	return spin_add(arg, 100000) ? 2 : 0;
}

TEST(spin_pshared_fork)
{
	struct shared_spin *s = lt_shared(sizeof(*s));
	char how[64];
	int status, bad;
	pid_t pid;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, pthread_spin_init(&s->l, PTHREAD_PROCESS_SHARED));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_spin_add(s));
	bad = spin_add(s, 100000);
	status = vt_wait_child(pid, 20000);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, status) TH_LOG("child %s", vt_child_what(status, how, sizeof(how)));
	EXPECT_EQ(200000, s->counter);
	munmap(s, sizeof(*s));
}

/* --- pthread_once --------------------------------------------------------------------- */

static int once_runs, once_done;

static void once_slow(void)
{
	__atomic_add_fetch(&once_runs, 1, __ATOMIC_RELAXED);
	vt_sleep_ms(20);
	__atomic_store_n(&once_done, 1, __ATOMIC_RELEASE);
}

struct once_racer {
	pthread_once_t		*o;
	pthread_barrier_t	*start;
	int			ret, saw_done;
};

static void *once_racer(void *arg)
{
	struct once_racer *r = arg;

	pthread_barrier_wait(r->start);
	r->ret = pthread_once(r->o, once_slow);
	r->saw_done = __atomic_load_n(&once_done, __ATOMIC_ACQUIRE);
	return NULL;
}

TEST(once_exactly_once)
{
	int round;

	for (round = 0; round < 20; round++) {
		pthread_once_t o = PTHREAD_ONCE_INIT;
		struct once_racer r[8];
		pthread_barrier_t start;
		pthread_t t[8];
		int k;

		once_runs = once_done = 0;
		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 8));
		for (k = 0; k < 8; k++) {
			r[k] = (struct once_racer){ .o = &o, .start = &start, .ret = -1 };
			ASSERT_EQ(0, pthread_create(&t[k], NULL, once_racer, &r[k]));
		}
		for (k = 0; k < 8; k++) {
			ASSERT_EQ(0, lt_join(t[k], NULL, LT_WAIT_MS))
				TH_LOG("round %d: thread %d hangs in pthread_once", round, k);
			EXPECT_EQ(0, r[k].ret);
			EXPECT_EQ(1, r[k].saw_done)
				TH_LOG("round %d: thread %d returned before the routine ended",
				       round, k);
		}
		EXPECT_EQ(1, once_runs) TH_LOG("round %d", round);
		/* Done: later calls do not run it. */
		EXPECT_EQ(0, pthread_once(&o, once_slow));
		EXPECT_EQ(1, once_runs);
		pthread_barrier_destroy(&start);
	}
}

/* The routine: the first run is cancelled, the next ones complete. */
static int cancel_runs, cancel_inside, cancel_requested, cancel_cleanup;
static int cancel_mode;		/* 0: pthread_testcancel, 1: asleep in sem_wait */
static sem_t never_posted;

static void once_cancellable(void)
{
	int run = __atomic_add_fetch(&cancel_runs, 1, __ATOMIC_ACQ_REL);

	if (run > 1)
		return;
	__atomic_store_n(&cancel_inside, 1, __ATOMIC_RELEASE);
	if (cancel_mode == 0) {
		lt_poll(&cancel_requested, 1, LT_WAIT_MS);
		pthread_testcancel();
	} else {
		struct timespec ts = lt_abs(CLOCK_REALTIME, LT_WAIT_MS);

		sem_timedwait(&never_posted, &ts);
	}
	/* Not cancelled: the case sees cancel_runs stay 1 and fails. */
}

static void once_cleanup(void *arg)
{
	__atomic_store_n(&cancel_cleanup, 1, __ATOMIC_RELEASE);
}

static void *once_caller(void *arg)
{
	void *ret;

	pthread_cleanup_push(once_cleanup, NULL);
	ret = (void *)(long)pthread_once(arg, once_cancellable);
	pthread_cleanup_pop(0);
	return ret;
}

TEST(once_cancelled_is_reusable)
{
	for (cancel_mode = 0; cancel_mode < 2; cancel_mode++) {
		pthread_once_t o = PTHREAD_ONCE_INIT;
		void *ret = (void *)-1L;
		pthread_t a, b;

		cancel_runs = cancel_inside = cancel_requested = cancel_cleanup = 0;
		sem_init(&never_posted, 0, 0);
		ASSERT_EQ(0, pthread_create(&a, NULL, once_caller, &o));
		ASSERT_EQ(0, lt_poll(&cancel_inside, 1, LT_WAIT_MS));
		/* A second caller waits for the routine in progress. */
		ASSERT_EQ(0, pthread_create(&b, NULL, once_caller, &o));
		vt_sleep_ms(30);
		ASSERT_EQ(0, pthread_cancel(a));
		__atomic_store_n(&cancel_requested, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, lt_join(a, &ret, LT_WAIT_MS)) TH_LOG("mode %d", cancel_mode);
		EXPECT_EQ(PTHREAD_CANCELED, ret) TH_LOG("mode %d", cancel_mode);
		EXPECT_EQ(1, cancel_cleanup) TH_LOG("mode %d", cancel_mode);
		/* The waiter runs the routine itself and returns. */
		ASSERT_EQ(0, lt_join(b, &ret, LT_WAIT_MS))
			TH_LOG("mode %d: the waiting caller hangs", cancel_mode);
		EXPECT_EQ(NULL, ret);
		EXPECT_EQ(2, cancel_runs) TH_LOG("mode %d", cancel_mode);
		/* Done now. */
		EXPECT_EQ(0, pthread_once(&o, once_cancellable));
		EXPECT_EQ(2, cancel_runs);
	}
}

/* No waiter: the next caller runs it again. */
TEST(once_cancelled_next_caller)
{
	pthread_once_t o = PTHREAD_ONCE_INIT;
	void *ret = (void *)-1L;
	pthread_t a;

	cancel_mode = 0;
	cancel_runs = cancel_inside = cancel_requested = cancel_cleanup = 0;
	ASSERT_EQ(0, pthread_create(&a, NULL, once_caller, &o));
	ASSERT_EQ(0, lt_poll(&cancel_inside, 1, LT_WAIT_MS));
	ASSERT_EQ(0, pthread_cancel(a));
	__atomic_store_n(&cancel_requested, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, lt_join(a, &ret, LT_WAIT_MS));
	EXPECT_EQ(PTHREAD_CANCELED, ret);
	EXPECT_EQ(1, cancel_runs);
	EXPECT_EQ(0, o) TH_LOG("glibc resets a cancelled once to 0");
	EXPECT_EQ(0, pthread_once(&o, once_cancellable));
	EXPECT_EQ(2, cancel_runs);
	EXPECT_EQ(0, pthread_once(&o, once_cancellable));
	EXPECT_EQ(2, cancel_runs);
}

/* Fork while another thread of the parent is inside the routine. */
static pid_t once_parent;
static int fork_release, fork_inside, fork_runs;

static void once_forky(void)
{
	__atomic_add_fetch(&fork_runs, 1, __ATOMIC_RELAXED);
	if (getpid() != once_parent)
		return;		/* the child's run: quick */
	__atomic_store_n(&fork_inside, 1, __ATOMIC_RELEASE);
	lt_poll(&fork_release, 1, LT_WAIT_MS);
}

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void *once_forky_caller(void *arg)
{
	return (void *)(long)pthread_once(&fork_once, once_forky);
}

static int child_once(void *arg)
{
	int runs = fork_runs;	/* 1: the parent's run, still in progress */

	if (pthread_once(&fork_once, once_forky))
		return 2;
	if (fork_runs != runs + 1)
		return 3;
	if (pthread_once(&fork_once, once_forky) || fork_runs != runs + 1)
		return 4;
	return 0;
}

TEST(once_fork_in_progress)
{
	char how[64];
	void *ret = (void *)-1L;
	pthread_t a;
	int status;

	once_parent = getpid();
	ASSERT_EQ(0, pthread_create(&a, NULL, once_forky_caller, NULL));
	ASSERT_EQ(0, lt_poll(&fork_inside, 1, LT_WAIT_MS));
	status = vt_run_child(child_once, NULL, 5000);
	EXPECT_EQ(0, status) TH_LOG("child %s (3: the routine did not run, "
				    "timed out: it waited for the parent's thread)",
				    vt_child_what(status, how, sizeof(how)));
	__atomic_store_n(&fork_release, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, lt_join(a, &ret, LT_WAIT_MS));
	EXPECT_EQ(NULL, ret);
	EXPECT_EQ(1, fork_runs);
	EXPECT_EQ(0, pthread_once(&fork_once, once_forky));
	EXPECT_EQ(1, fork_runs);
}

LOCKS_TEST_MAIN

TEST(once_cxx_exception_is_reusable)
{
	char *path = vt_build_path("selftests/locks/once_cxx");
	char *const argv[] = { path, NULL };
	struct vt_result r;

	/* The environment passes on: with the binder preloaded when we are. */
	ASSERT_EQ(0, vt_run(&r, argv, environ));
	EXPECT_EQ(0, r.status) {
		TH_LOG("once_cxx: status %d, %s%s", r.status, r.out, r.err);
	}
	vt_result_free(&r);
	free(path);
}


