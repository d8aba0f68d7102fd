// SPDX-License-Identifier: GPL-2.0
/*
 * The locks family in a sandbox that refuses futex_wait(2)/futex_wake(2)
 * (454/455), as Firefox's content processes do: a SECCOMP_RET_ERRNO
 * filter (ENOSYS, EPERM) or SECCOMP_RET_TRAP with a SIGSYS handler that
 * answers -ENOSYS.  The filter comes before the first lock call or after
 * the family was bound and in use ("before": after the process's first
 * thread, which binds the family).  Then contended mutexes (default and
 * error-checking), semaphores across threads, timed waits (mutex and
 * semaphore, timing out and succeeding), pthread_once and condition
 * variables must all be correct and complete, twice:
 *
 *  - default variant: the family makes glibc's futex(2) calls only, so
 *    the SIGSYS handler never runs;
 *  - VLIBC_LOCKS=futex2: a refusal switches the process to futex(2) for
 *    good: at most a handful of SIGSYS hits, then none.  A filter that
 *    kills (SECCOMP_RET_KILL_PROCESS) installed through syscall(): the
 *    binder switches before it goes in, and nothing is killed.
 *
 * And when futex(2) itself is refused as well, a contended mutex ends the
 * process with SIGABRT and glibc's message (glibc 2.36 does the same),
 * never a busy loop.
 *
 * Each case runs this program again as a worker (--worker MODE WHEN) with
 * the binder and VLIBC_LOCKS of the case: a seccomp filter cannot be
 * removed, and the binder reads VLIBC_LOCKS at start-up.  The worker
 * prints what it saw and exits 0 when everything was right.  Each case
 * also proves its refusal: the filter answers futex_wait(2) and
 * futex_wake(2) as its mode says, and afterwards a waiter sleeps in
 * futex(2) (none passes under a filter that allows everything).
 */
#include "kselftest_harness.h"
#include "locks_test.h"
#include "seccomp.h"

#define THREADS		4
#define ROUNDS		2000
#define ONCES		16
#define HANDFUL		16	/* SIGSYS hits a futex2 process may take */
#define WORKER_SECONDS	60

#ifndef SYS_futex_wake
#define SYS_futex_wake	454
#define SYS_futex_wait	455
#endif

/* --- the worker's workload ---------------------------------------------------- */

static struct work {
	pthread_mutex_t	m, em;
	long		counter, counter_em;
	sem_t		ping, pong, tokens;
	long		taken;
	pthread_cond_t	cond;
	int		queued, consumed, producing;
	pthread_once_t	once[ONCES];
	int		once_runs[ONCES], once_done[ONCES];
	int		errors;
} w;

#define FAIL(...) do {							\
	fprintf(stderr, "# worker: " __VA_ARGS__);			\
	__atomic_add_fetch(&w.errors, 1, __ATOMIC_RELAXED);		\
} while (0)

static void short_sleep(void)
{
	vt_sleep_ms(0.05);
}

/* Run @fn in THREADS threads (argument: the index) and join them. */
static void in_threads(void *(*fn)(void *), const char *what)
{
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, fn, (void *)(long)i))
			FAIL("%s: pthread_create\n", what);
	for (i = 0; i < THREADS; i++)
		if (lt_join(t[i], NULL, LT_WAIT_MS))
			FAIL("%s: thread %d did not finish\n", what, i);
}

static void *mutex_thread(void *arg)
{
	int i, r;

	for (i = 0; i < ROUNDS; i++) {
		r = pthread_mutex_lock(&w.m);
		if (r) {
			FAIL("mutex_lock: %s\n", strerror(r));
			continue;
		}
		w.counter++;
		if (!(i % 64))
			short_sleep();	/* others go to sleep on the futex */
		pthread_mutex_unlock(&w.m);
		r = pthread_mutex_lock(&w.em);
		if (r) {
			FAIL("mutex_lock(errorcheck): %s\n", strerror(r));
			continue;
		}
		w.counter_em++;
		r = pthread_mutex_unlock(&w.em);
		if (r)
			FAIL("mutex_unlock(errorcheck): %s\n", strerror(r));
	}
	return NULL;
}

/* A default and an error-checking mutex, each around its counter. */
static void mutex_phase(void)
{
	long before = w.counter, before_em = w.counter_em;

	in_threads(mutex_thread, "mutex");
	if (w.counter - before != (long)THREADS * ROUNDS ||
	    w.counter_em - before_em != (long)THREADS * ROUNDS)
		FAIL("counters %ld and %ld, want %ld\n", w.counter - before,
		     w.counter_em - before_em, (long)THREADS * ROUNDS);
}

static void *ping_thread(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (sem_wait(&w.ping))
			FAIL("sem_wait(ping): %s\n", strerror(errno));
		sem_post(&w.pong);
	}
	return NULL;
}

static void *token_thread(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS / 4; i++) {
		if (sem_wait(&w.tokens))
			FAIL("sem_wait(tokens): %s\n", strerror(errno));
		__atomic_add_fetch(&w.taken, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* A ping-pong between two threads, and tokens posted to waiting takers. */
static void sem_phase(void)
{
	pthread_t t, takers[THREADS];
	int i;

	if (pthread_create(&t, NULL, ping_thread, NULL))
		FAIL("pthread_create\n");
	for (i = 0; i < ROUNDS; i++) {
		sem_post(&w.ping);
		if (sem_wait(&w.pong))
			FAIL("sem_wait(pong): %s\n", strerror(errno));
	}
	if (lt_join(t, NULL, LT_WAIT_MS))
		FAIL("ping thread did not finish\n");
	w.taken = 0;
	for (i = 0; i < THREADS; i++)
		pthread_create(&takers[i], NULL, token_thread, NULL);
	for (i = 0; i < THREADS * (ROUNDS / 4); i++) {
		sem_post(&w.tokens);
		if (!(i % 128))
			short_sleep();
	}
	for (i = 0; i < THREADS; i++)
		if (lt_join(takers[i], NULL, LT_WAIT_MS))
			FAIL("token taker did not finish\n");
	if (w.taken != THREADS * (ROUNDS / 4))
		FAIL("%ld tokens taken of %d\n", w.taken, THREADS * (ROUNDS / 4));
}

/* *@arg: 1 once this thread holds w.m; it releases it soon after 2. */
static void *hold_then_release(void *arg)
{
	pthread_mutex_lock(&w.m);
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
	if (lt_poll(arg, 2, LT_WAIT_MS))
		FAIL("holder never told to release\n");
	vt_sleep_ms(20);	/* the main thread is asleep in its wait */
	pthread_mutex_unlock(&w.m);
	return NULL;
}

/* A lock that should have timed out but succeeded: undo it. */
static void timed_lock_wrong(int r, const char *what)
{
	FAIL("%s on a held mutex: %s\n", what, strerror(r));
	if (!r)
		pthread_mutex_unlock(&w.m);
}

static void *post_later(void *arg)
{
	vt_sleep_ms(20);
	sem_post(&w.tokens);
	return NULL;
}

/* Deadlines that pass and deadlines met by a release or a post. */
static void timed_phase(void)
{
	struct timespec ts;
	pthread_t t;
	int held = 0, r;

	ts = lt_abs(CLOCK_REALTIME, 20);
	if (sem_timedwait(&w.tokens, &ts) != -1 || errno != ETIMEDOUT)
		FAIL("sem_timedwait: not ETIMEDOUT\n");
	ts = lt_abs(CLOCK_MONOTONIC, 20);
	if (sem_clockwait(&w.tokens, CLOCK_MONOTONIC, &ts) != -1 || errno != ETIMEDOUT)
		FAIL("sem_clockwait: not ETIMEDOUT\n");
	pthread_create(&t, NULL, hold_then_release, &held);
	if (lt_poll(&held, 1, LT_WAIT_MS))
		FAIL("holder did not lock\n");
	ts = lt_abs(CLOCK_REALTIME, 5);
	r = pthread_mutex_timedlock(&w.m, &ts);
	if (r != ETIMEDOUT)
		timed_lock_wrong(r, "mutex_timedlock");
	ts = lt_abs(CLOCK_MONOTONIC, 5);
	r = pthread_mutex_clocklock(&w.m, CLOCK_MONOTONIC, &ts);
	if (r != ETIMEDOUT)
		timed_lock_wrong(r, "mutex_clocklock");
	__atomic_store_n(&held, 2, __ATOMIC_RELEASE);
	ts = lt_abs(CLOCK_REALTIME, LT_WAIT_MS);
	r = pthread_mutex_timedlock(&w.m, &ts);
	if (r)
		FAIL("mutex_timedlock, released in time: %s\n", strerror(r));
	else
		pthread_mutex_unlock(&w.m);
	lt_join(t, NULL, LT_WAIT_MS);
	pthread_create(&t, NULL, post_later, NULL);
	ts = lt_abs(CLOCK_REALTIME, LT_WAIT_MS);
	if (sem_timedwait(&w.tokens, &ts))
		FAIL("sem_timedwait, posted in time: %s\n", strerror(errno));
	lt_join(t, NULL, LT_WAIT_MS);
}

static int once_index;

static void once_routine(void)
{
	int i = __atomic_load_n(&once_index, __ATOMIC_ACQUIRE);

	vt_sleep_ms(2);		/* the other callers wait on the futex */
	__atomic_add_fetch(&w.once_runs[i], 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w.once_done[i], 1, __ATOMIC_RELEASE);
}

static pthread_barrier_t once_barrier;

static void *once_thread(void *arg)
{
	int i;

	for (i = 0; i < ONCES; i++) {
		pthread_barrier_wait(&once_barrier);
		if (!arg)
			__atomic_store_n(&once_index, i, __ATOMIC_RELEASE);
		pthread_barrier_wait(&once_barrier);
		pthread_once(&w.once[i], once_routine);
		if (!__atomic_load_n(&w.once_done[i], __ATOMIC_ACQUIRE))
			FAIL("pthread_once returned before its routine ended\n");
	}
	return NULL;
}

static void once_phase(void)
{
	int i;

	for (i = 0; i < ONCES; i++) {
		w.once[i] = PTHREAD_ONCE_INIT;
		w.once_runs[i] = w.once_done[i] = 0;
	}
	pthread_barrier_init(&once_barrier, NULL, THREADS);
	in_threads(once_thread, "once");
	pthread_barrier_destroy(&once_barrier);
	for (i = 0; i < ONCES; i++)
		if (w.once_runs[i] != 1)
			FAIL("once %d ran %d times\n", i, w.once_runs[i]);
}

static void *consumer_thread(void *arg)
{
	pthread_mutex_lock(&w.m);
	for (;;) {
		while (!w.queued && w.producing)
			pthread_cond_wait(&w.cond, &w.m);
		if (!w.queued)
			break;
		w.queued--;
		w.consumed++;
	}
	pthread_mutex_unlock(&w.m);
	return NULL;
}

/* glibc's condition variables on the family's mutex: a work queue. */
static void cond_phase(void)
{
	pthread_t t[THREADS];
	int i;

	w.queued = w.consumed = 0;
	w.producing = 1;
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, consumer_thread, NULL);
	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&w.m);
		w.queued++;
		pthread_cond_signal(&w.cond);
		pthread_mutex_unlock(&w.m);
		if (!(i % 64))
			short_sleep();
	}
	pthread_mutex_lock(&w.m);
	w.producing = 0;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.m);
	for (i = 0; i < THREADS; i++)
		if (lt_join(t[i], NULL, LT_WAIT_MS))
			FAIL("consumer did not finish\n");
	if (w.consumed != ROUNDS)
		FAIL("%d items consumed of %d\n", w.consumed, ROUNDS);
}

static void workload(void)
{
	mutex_phase();
	sem_phase();
	timed_phase();
	once_phase();
	cond_phase();
}

/* --- fatal: futex(2) refused too ------------------------------------------- */

static int contended_done;

static void *contend_thread(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&w.m);
		short_sleep();
		pthread_mutex_unlock(&w.m);
	}
	__atomic_add_fetch(&contended_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Contend without pthread_join (glibc's join would wait on futex(2)). */
static int contend_without_futex(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 2; i++)
		pthread_create(&t, NULL, contend_thread, NULL);
	if (lt_poll(&contended_done, 2, LT_WAIT_MS * 3))
		FAIL("contending threads did not finish\n");
	printf("finished without futex(2)\n");
	return 2;
}

/* --- which call a waiter sleeps in --------------------------------------------- */

static sem_t parked;
static int parked_tid;

static void *park_thread(void *arg)
{
	__atomic_store_n(&parked_tid, lt_gettid(), __ATOMIC_RELEASE);
	if (sem_wait(&parked))
		FAIL("sem_wait(parked): %s\n", strerror(errno));
	return NULL;
}

/*
 * The system call a thread asleep in sem_wait() sits in, as
 * /proc/self/task/TID/syscall shows it: SYS_futex, or SYS_futex_wait
 * while the futex2 variant is in use; -1 when none was seen in time.
 */
static int parked_call(void)
{
	double end = vt_now_ms() + LT_WAIT_MS;
	char path[64], buf[64];
	int nr = -1, tid, fd;
	pthread_t t;
	ssize_t n;

	sem_init(&parked, 0, 0);
	parked_tid = 0;
	if (pthread_create(&t, NULL, park_thread, NULL)) {
		FAIL("pthread_create(park)\n");
		return -1;
	}
	while (!(tid = __atomic_load_n(&parked_tid, __ATOMIC_ACQUIRE)) &&
	       vt_now_ms() < end)
		vt_sleep_ms(1);
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	while (tid && nr != SYS_futex && nr != SYS_futex_wait && vt_now_ms() < end) {
		vt_sleep_ms(1);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (sscanf(buf, "%d", &nr) != 1)
			nr = -1;	/* "running" */
	}
	sem_post(&parked);
	if (lt_join(t, NULL, LT_WAIT_MS))
		FAIL("parked thread did not finish\n");
	return nr;
}

/* --- worker ------------------------------------------------------------------- */

/* How worker MODE answers the calls it refuses (a SECCOMP_RET_* value), or 0. */
static unsigned int refusal_of(const char *mode)
{
	if (!strcmp(mode, "enosys") || !strcmp(mode, "all-enosys"))
		return SECCOMP_RET_ERRNO | ENOSYS;
	if (!strcmp(mode, "eperm"))
		return SECCOMP_RET_ERRNO | EPERM;
	if (!strcmp(mode, "trap"))
		return SECCOMP_RET_TRAP;
	/* Installed through syscall(): the binder sees it coming. */
	if (!strcmp(mode, "kill"))
		return SECCOMP_RET_KILL_PROCESS;
	return 0;
}

static int refuse(const char *mode)
{
	static const int futex2[] = { SYS_futex_wait, SYS_futex_wake };
	static const int all[] = { SYS_futex_wait, SYS_futex_wake, SYS_futex };
	unsigned int ret = refusal_of(mode);

	if (!ret) {
		errno = EINVAL;
		return -1;
	}
	if (!strcmp(mode, "all-enosys"))
		return vsc_deny(all, 3, ret, VSC_VIA_USUAL);
	return vsc_deny(futex2, 2, ret, VSC_VIA_USUAL);
}

static void work_init(void)
{
	pthread_mutexattr_t a;

	pthread_mutex_init(&w.m, NULL);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&w.em, &a);
	pthread_mutexattr_destroy(&a);
	sem_init(&w.ping, 0, 0);
	sem_init(&w.pong, 0, 0);
	sem_init(&w.tokens, 0, 0);
	pthread_cond_init(&w.cond, NULL);
}

/*
 * --worker MODE WHEN: refuse with MODE "before" the first lock call or
 * "after" one workload, then run the workload twice; prints
 * hits_first=N (SIGSYS hits up to the end of the first refused
 * workload), hits_then=N (in the second), on_vlibc=0/1, waits_in=N (the
 * call a thread asleep in sem_wait() sits in then), refused=1 when the
 * filter answers futex_wait(2) and futex_wake(2) as MODE says.
 */
static int worker(const char *mode, const char *when)
{
	int first, on_vlibc, waits_in, refused;
	unsigned int ret = refusal_of(mode);
	long then;

	work_init();
	if (!strcmp(when, "after"))
		workload();
	else	/* binds the family, no lock call (a thread-less filter: test_lazy) */
		lt_threads_start();
	if (refuse(mode)) {
		fprintf(stderr, "# worker: cannot install the filter: %s\n",
			strerror(errno));
		return 3;
	}
	if (!strcmp(mode, "all-enosys"))
		return contend_without_futex();
	workload();
	first = vsc_trap_hits();
	workload();
	on_vlibc = lt_on_vlibc();
	then = vsc_trap_hits() - first;
	waits_in = parked_call();
	/* Last: a SECCOMP_RET_TRAP answer counts as a hit. */
	refused = vsc_answers(SYS_futex_wait, ret) &&
		  vsc_answers(SYS_futex_wake, ret);
	printf("hits_first=%d\nhits_then=%ld\non_vlibc=%d\nwaits_in=%d\n"
	       "refused=%d\nerrors=%d\n", first, then, on_vlibc, waits_in,
	       refused, w.errors);
	return w.errors ? 1 : 0;
}

/* --- cases -------------------------------------------------------------------- */

/*
 * Run the worker with @variant ("" for the default), in an environment
 * of the binder and the build only: fills @r.
 */
static void run_worker(struct vt_result *r, const char *variant,
		       const char *mode, const char *when)
{
	static const char *const keep[] = { "LD_PRELOAD", "VLIBC_IMAGE",
					    "VLIBC_BUILD", "PATH", NULL };
	char *args[] = { "--worker", (char *)mode, (char *)when, NULL };
	char *locks = *variant ? vt_strf("VLIBC_LOCKS=%s", variant) : NULL;
	struct vt_self s = { .args = args, .keep = keep,
			     .set = { LT_REEXEC_MARK "=1", locks },
			     .timeout = WORKER_SECONDS };

	vt_run_self(r, &s);
	free(locks);
}

static int value_of(const char *out, const char *key)
{
	char *v = vt_line_value(out, key);
	int n = v ? atoi(v) : -1;

	free(v);
	return n;
}

FIXTURE(refused) {
};

FIXTURE_VARIANT(refused) {
	const char	*variant;	/* VLIBC_LOCKS */
	const char	*mode;
	const char	*when;
};

#define REFUSED_CASE(name, var, m, w)					\
	FIXTURE_VARIANT_ADD(refused, name) {				\
		.variant = var, .mode = m, .when = w,			\
	}

REFUSED_CASE(default_enosys_before, "", "enosys", "before");
REFUSED_CASE(default_enosys_after, "", "enosys", "after");
REFUSED_CASE(default_eperm_before, "", "eperm", "before");
REFUSED_CASE(default_eperm_after, "", "eperm", "after");
REFUSED_CASE(default_trap_before, "", "trap", "before");
REFUSED_CASE(default_trap_after, "", "trap", "after");
REFUSED_CASE(futex2_enosys_before, "futex2", "enosys", "before");
REFUSED_CASE(futex2_enosys_after, "futex2", "enosys", "after");
REFUSED_CASE(futex2_eperm_before, "futex2", "eperm", "before");
REFUSED_CASE(futex2_eperm_after, "futex2", "eperm", "after");
REFUSED_CASE(futex2_trap_before, "futex2", "trap", "before");
REFUSED_CASE(futex2_trap_after, "futex2", "trap", "after");
REFUSED_CASE(futex2_nospin_trap_after, "futex2,nospin", "trap", "after");
REFUSED_CASE(futex2_kill_after, "futex2", "kill", "after");

FIXTURE_SETUP(refused)
{
}

FIXTURE_TEARDOWN(refused)
{
}

TEST_F_TIMEOUT(refused, workload, WORKER_SECONDS + 10)
{
	int first, then, on_vlibc, waits_in, refused;
	struct vt_result r;

	run_worker(&r, variant->variant, variant->mode, variant->when);
	if (r.err_len)
		TH_LOG("worker stderr:\n%s", r.err);
	ASSERT_EQ(0, r.status) TH_LOG("worker: status %d (124+: killed, "
				      "e.g. by its %d s alarm)", r.status,
				      WORKER_SECONDS);
	first = value_of(r.out, "hits_first");
	then = value_of(r.out, "hits_then");
	on_vlibc = value_of(r.out, "on_vlibc");
	waits_in = value_of(r.out, "waits_in");
	refused = value_of(r.out, "refused");
	ASSERT_GE(first, 0);
	if (lt_binder_loaded())
		EXPECT_EQ(1, on_vlibc);
	if (strcmp(variant->mode, "trap")) {
		EXPECT_EQ(0, first + then);	/* nothing traps */
	} else if (!*variant->variant || !on_vlibc) {
		/* glibc's futex(2) calls only: the handler never runs. */
		EXPECT_EQ(0, first) TH_LOG("SIGSYS hits with futex(2) only");
		EXPECT_EQ(0, then);
	} else {
		/* futex2 was in use, refused a few times, then never again. */
		EXPECT_GE(first, 1);
		EXPECT_LE(first, HANDFUL);
		EXPECT_EQ(0, then);
	}
	/*
	 * The refusal was in force, and met (futex2: the process switched
	 * for good) or never needed (futex(2) only): a thread now sleeps
	 * in futex(2).  Both fail under a filter that allows everything.
	 */
	EXPECT_EQ(1, refused) TH_LOG("futex2 is not refused as '%s' says",
				     variant->mode);
	EXPECT_EQ(SYS_futex, waits_in) TH_LOG("a waiter sleeps in call %d",
					      waits_in);
	vt_result_free(&r);
}

/*
 * futex(2) refused as well: the first contended wait or wake ends the
 * process with SIGABRT and glibc's message, never a busy loop.
 */
FIXTURE(fatal) {
};

FIXTURE_SETUP(fatal)
{
}

FIXTURE_TEARDOWN(fatal)
{
}

TEST_F_TIMEOUT(fatal, futex_refused, WORKER_SECONDS + 10)
{
	static const char *variants[] = { "", "futex2" };
	struct vt_result r;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (i && !lt_binder_loaded())
			break;
		run_worker(&r, variants[i], "all-enosys", "after");
		EXPECT_EQ(128 + SIGABRT, r.status)
			TH_LOG("VLIBC_LOCKS=%s: status %d, stdout:\n%s",
			       variants[i], r.status, r.out);
		/* glibc's line, whole: nothing before it on its line. */
		EXPECT_TRUE(vt_has_line(r.err, "The futex facility returned "
					"an unexpected error code."))
			TH_LOG("stderr:\n%s", r.err);
		vt_result_free(&r);
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--worker"))
		return worker(argv[2], argv[3]);
	lt_reexec(argv);
	lt_threads_start();
	fprintf(stderr, "# locks on %s\n", lt_running_on());
	return test_harness_run(argc, argv);
}
