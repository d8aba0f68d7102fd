// SPDX-License-Identifier: GPL-2.0
/*
 * Signals and cancellation at every blocking point of every family, on
 * vlibc and on glibc, each outcome checked against glibc 2.36's.
 *
 * The blocking points (what the binder binds that can sleep):
 *  - locks: pthread_mutex_lock, _timedlock and _clocklock on normal,
 *    recursive, error-checking, adaptive, robust and priority-inheritance
 *    mutexes (the held mutex is released by its owner), pthread_spin_lock
 *    (spins), sem_wait, sem_timedwait, sem_clockwait on CLOCK_MONOTONIC
 *    and CLOCK_REALTIME (posted), pthread_once waiting for a routine that
 *    blocks in another thread;
 *  - aio: aio_suspend without and with a timeout, lio_listio(LIO_WAIT)
 *    (reads on empty pipes, completed by a write);
 *  - getrandom cannot block once the kernel's generator is ready, which
 *    it is long before a test runs: no case.
 *
 * What arrives while the call sleeps: SIGUSR1 with a handler installed
 * without and with SA_RESTART (sent with pthread_kill to the sleeper), or
 * pthread_cancel with deferred and with asynchronous cancellation.  The
 * outcome of a case, in words: whether the call returned (and what) or
 * kept waiting until released, whether the thread was cancelled while
 * blocked or at the next cancellation point, whether its cleanup handler
 * ran, and whether the object is consistent afterwards (a semaphore's
 * value unchanged, the request completed with its data, and a second
 * thread blocking on the same object is released normally).
 *
 * Each family runs in a worker process (this program, --worker FAMILY)
 * with the binder preloaded: once on vlibc, once with VLIBC=off (glibc
 * behind the binder), and for the locks once more with VLIBC_LOCKS=futex2.
 * Every run must print, case by case, the outcome in the table below,
 * which is glibc 2.36's (VLIBC=off passes it: the table is checked
 * against glibc in every run), and on vlibc the blocking call must be
 * bound to vlibc (image or binder veneer), on VLIBC=off to glibc.
 *
 * "Kept waiting" is decided when the thread stayed asleep for
 * SETTLE_MS after the signal or cancel: never a timing assertion, as a
 * thread that returns is runnable and resets the wait.
 */
#include <aio.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "binder_test.h"

#define SETTLE_MS	150	/* asleep this long after the event: waiting */
#define WAIT_MS		8000	/* a bound on every wait of the worker */
#define WORKER_SECONDS	240
#define FAR_MS		60000	/* deadlines of timed calls: never reached */

enum event { SIG_NORESTART, SIG_RESTART, CANCEL_DEFERRED, CANCEL_ASYNC };

static const char *const event_names[] = {
	"signal", "signal SA_RESTART", "cancel deferred", "cancel async",
};

enum kind {
	MUTEX_NORMAL, MUTEX_RECURSIVE, MUTEX_ERRORCHECK, MUTEX_ADAPTIVE,
	MUTEX_ROBUST, MUTEX_PI,
};

struct ctx;

/* A blocking call: set up so that it blocks, call, release, check. */
struct op {
	const char	*name;
	const char	*bound;		/* the name whose binding is checked */
	const char	*family;
	int		spins;		/* the caller spins instead of sleeping */
	int		(*setup)(struct ctx *c);	/* 0 or -1 */
	int		(*call)(struct ctx *c);		/* 0 or an errno value */
	void		(*release)(struct ctx *c);
	/* After the blocked call ended and was released: "ok" or what is wrong. */
	const char	*(*check)(struct ctx *c);
	void		(*teardown)(struct ctx *c);
	/* Make the object block the next caller again, NULL: no second round. */
	int		(*again)(struct ctx *c);
};

struct ctx {
	const struct op	*op;
	int		kind;		/* mutex kind, clock of sem_clockwait */
	pthread_mutex_t	m;
	pthread_spinlock_t spin;
	sem_t		s;
	int		p[2];		/* the pipe an AIO read waits on */
	struct aiocb	cb;
	char		buf[8];
	pthread_once_t	once;
	int		gate[2];	/* the once routine waits for a byte */
	pthread_t	runner;		/* the thread inside the once routine */
	/* The blocked thread. */
	int		cancel_type;
	pid_t		tid;
	int		started, returned, cleaned, after_point;
	int		ret;
};

static volatile int signal_hits;

static void on_signal(int sig)
{
	__atomic_add_fetch(&signal_hits, 1, __ATOMIC_RELEASE);
}

static pid_t tid_of_caller(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* The absolute time @ms from now on @clock. */
static struct timespec abs_time(clockid_t clock, double ms)
{
	struct timespec ts;
	long long ns;

	clock_gettime(clock, &ts);
	ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec + (long long)(ms * 1e6);
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	return ts;
}

/* Join @t within @ms: 0, or ETIMEDOUT (the thread is left running). */
static int join_within(pthread_t t, void **ret, double ms)
{
	struct timespec end = abs_time(CLOCK_REALTIME, ms);

	return pthread_timedjoin_np(t, ret, &end);
}

static int poll_flag(volatile int *flag, double ms)
{
	double end = vt_now_ms() + ms;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (vt_now_ms() > end)
			return -1;
		vt_sleep_ms(0.5);
	}
	return 0;
}

/*
 * Wait until the blocked thread of @c sleeps (or, for a spinning call,
 * has started): 0, or -1 after WAIT_MS.
 */
static int wait_blocked(struct ctx *c)
{
	double end = vt_now_ms() + WAIT_MS;

	if (poll_flag(&c->started, WAIT_MS))
		return -1;
	if (c->op->spins) {
		vt_sleep_ms(20);
		return 0;
	}
	while (vt_thread_state(c->tid) != 'S') {
		if (vt_now_ms() > end)
			return -1;
		vt_sleep_ms(1);
	}
	vt_sleep_ms(10);	/* into the wait proper */
	return 0;
}

/*
 * After an event: 1 if the thread came out of the call (returned or was
 * cancelled), 0 if it kept waiting (asleep, or spinning, for SETTLE_MS).
 */
static int came_out(struct ctx *c)
{
	double end = vt_now_ms() + WAIT_MS, since = vt_now_ms();

	for (;;) {
		if (__atomic_load_n(&c->returned, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&c->cleaned, __ATOMIC_ACQUIRE))
			return 1;
		if (!c->op->spins && vt_thread_state(c->tid) != 'S')
			since = vt_now_ms();
		if (vt_now_ms() - since >= SETTLE_MS || vt_now_ms() > end)
			return 0;
		vt_sleep_ms(1);
	}
}

static const char *err_name(int e)
{
	static char buf[16];

	switch (e) {
	case 0:		return "0";
	case EINTR:	return "EINTR";
	case ETIMEDOUT:	return "ETIMEDOUT";
	case EAGAIN:	return "EAGAIN";
	case EIO:	return "EIO";
	}
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* --- mutexes ------------------------------------------------------------- */

static int mutex_setup(struct ctx *c)
{
	static const int types[] = {
		[MUTEX_NORMAL] = PTHREAD_MUTEX_NORMAL,
		[MUTEX_RECURSIVE] = PTHREAD_MUTEX_RECURSIVE,
		[MUTEX_ERRORCHECK] = PTHREAD_MUTEX_ERRORCHECK,
		[MUTEX_ADAPTIVE] = PTHREAD_MUTEX_ADAPTIVE_NP,
		[MUTEX_ROBUST] = PTHREAD_MUTEX_NORMAL,
		[MUTEX_PI] = PTHREAD_MUTEX_NORMAL,
	};
	pthread_mutexattr_t a;
	int r;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, types[c->kind]);
	if (c->kind == MUTEX_ROBUST)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (c->kind == MUTEX_PI)
		pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	r = pthread_mutex_init(&c->m, &a);
	pthread_mutexattr_destroy(&a);
	return r || pthread_mutex_lock(&c->m) ? -1 : 0;
}

/* Lock with @how (0 lock, 1 timedlock, 2 clocklock); unlock if taken. */
static int mutex_take(struct ctx *c, int how)
{
	struct timespec ts;
	int r;

	if (how == 0) {
		r = pthread_mutex_lock(&c->m);
	} else if (how == 1) {
		ts = abs_time(CLOCK_REALTIME, FAR_MS);
		r = pthread_mutex_timedlock(&c->m, &ts);
	} else {
		ts = abs_time(CLOCK_MONOTONIC, FAR_MS);
		r = pthread_mutex_clocklock(&c->m, CLOCK_MONOTONIC, &ts);
	}
	if (!r)
		r = pthread_mutex_unlock(&c->m);
	return r;
}

static int mutex_lock_call(struct ctx *c)
{
	return mutex_take(c, 0);
}

static int mutex_timedlock_call(struct ctx *c)
{
	return mutex_take(c, 1);
}

static int mutex_clocklock_call(struct ctx *c)
{
	return mutex_take(c, 2);
}

static void mutex_release(struct ctx *c)
{
	pthread_mutex_unlock(&c->m);
}

static const char *mutex_check(struct ctx *c)
{
	if (pthread_mutex_trylock(&c->m))
		return "not free after the waiter unlocked it";
	if (pthread_mutex_unlock(&c->m))
		return "unlock failed";
	return "ok";
}

static int mutex_again(struct ctx *c)
{
	return pthread_mutex_lock(&c->m) ? -1 : 0;
}

static void mutex_teardown(struct ctx *c)
{
	pthread_mutex_destroy(&c->m);
}

/* --- spinlocks -------------------------------------------------------------- */

static int spin_setup(struct ctx *c)
{
	return pthread_spin_init(&c->spin, 0) || pthread_spin_lock(&c->spin) ? -1 : 0;
}

static int spin_call(struct ctx *c)
{
	int r = pthread_spin_lock(&c->spin);

	return r ? r : pthread_spin_unlock(&c->spin);
}

static void spin_release(struct ctx *c)
{
	pthread_spin_unlock(&c->spin);
}

static const char *spin_check(struct ctx *c)
{
	if (pthread_spin_trylock(&c->spin))
		return "not free after the waiter unlocked it";
	return pthread_spin_unlock(&c->spin) ? "unlock failed" : "ok";
}

static void spin_teardown(struct ctx *c)
{
	pthread_spin_destroy(&c->spin);
}

/* --- semaphores -------------------------------------------------------------- */

static int sem_setup(struct ctx *c)
{
	return sem_init(&c->s, 0, 0);
}

static int sem_result(int r)
{
	return r ? errno : 0;
}

static int sem_wait_call(struct ctx *c)
{
	return sem_result(sem_wait(&c->s));
}

static int sem_timedwait_call(struct ctx *c)
{
	struct timespec ts = abs_time(CLOCK_REALTIME, FAR_MS);

	return sem_result(sem_timedwait(&c->s, &ts));
}

static int sem_clockwait_call(struct ctx *c)
{
	struct timespec ts = abs_time(c->kind, FAR_MS);

	return sem_result(sem_clockwait(&c->s, c->kind, &ts));
}

static void sem_release(struct ctx *c)
{
	sem_post(&c->s);
}

/*
 * The post of the release went to the waiter, or (if the waiter had left)
 * is still there: one token in all, never lost, never doubled.
 */
static const char *sem_check(struct ctx *c)
{
	int v = -1;

	if (sem_getvalue(&c->s, &v))
		return "sem_getvalue failed";
	if (c->returned && !c->ret && v != 0)
		return "the waiter took the post and the value is not 0";
	if ((!c->returned || c->ret) && v != 1)
		return "the waiter left, yet the post is not there";
	if (v == 1 && sem_trywait(&c->s))
		return "sem_trywait failed on a posted semaphore";
	return "ok";
}

static int sem_again(struct ctx *c)
{
	int v = -1;

	return sem_getvalue(&c->s, &v) || v ? -1 : 0;
}

static void sem_teardown(struct ctx *c)
{
	sem_destroy(&c->s);
}

/* --- pthread_once ---------------------------------------------------------- */

static int once_runs, once_other_runs;
static struct ctx *once_ctx;

/* The routine: blocks until the release writes a byte to the gate. */
static void once_routine(void)
{
	char b;

	__atomic_add_fetch(&once_runs, 1, __ATOMIC_RELEASE);
	while (read(once_ctx->gate[0], &b, 1) < 0 && errno == EINTR)
		;
}

static void once_other_routine(void)
{
	__atomic_add_fetch(&once_other_runs, 1, __ATOMIC_RELEASE);
}

static void *once_runner(void *arg)
{
	struct ctx *c = arg;

	pthread_once(&c->once, once_routine);
	return NULL;
}

static int once_setup(struct ctx *c)
{
	c->once = PTHREAD_ONCE_INIT;
	once_ctx = c;
	once_runs = once_other_runs = 0;
	if (pipe2(c->gate, O_CLOEXEC) ||
	    pthread_create(&c->runner, NULL, once_runner, c))
		return -1;
	while (!__atomic_load_n(&once_runs, __ATOMIC_ACQUIRE))
		vt_sleep_ms(0.5);
	return 0;
}

static int once_call(struct ctx *c)
{
	return pthread_once(&c->once, once_other_routine);
}

static void once_release(struct ctx *c)
{
	if (write(c->gate[1], "x", 1) != 1)
		abort();
}

static const char *once_check(struct ctx *c)
{
	if (join_within(c->runner, NULL, WAIT_MS))
		return "the routine's thread did not end";
	if (once_runs != 1 || once_other_runs)
		return "a routine ran again";
	return "ok";
}

static void once_teardown(struct ctx *c)
{
	close(c->gate[0]);
	close(c->gate[1]);
}

/* --- POSIX AIO -------------------------------------------------------------- */

static int aio_setup(struct ctx *c)
{
	if (pipe2(c->p, O_CLOEXEC))
		return -1;
	c->cb = (struct aiocb){ .aio_fildes = c->p[0], .aio_buf = c->buf,
				.aio_nbytes = 4, .aio_lio_opcode = LIO_READ };
	memset(c->buf, 0, sizeof(c->buf));
	return 0;
}

static int aio_suspend_common(struct ctx *c, int timed)
{
	const struct aiocb *list[1] = { &c->cb };
	struct timespec ts = { FAR_MS / 1000, 0 };

	if (aio_read(&c->cb))
		return errno;
	return aio_suspend(list, 1, timed ? &ts : NULL) ? errno : 0;
}

static int aio_suspend_call(struct ctx *c)
{
	return aio_suspend_common(c, 0);
}

static int aio_suspend_timed_call(struct ctx *c)
{
	return aio_suspend_common(c, 1);
}

static int lio_wait_call(struct ctx *c)
{
	struct aiocb *list[1] = { &c->cb };

	return lio_listio(LIO_WAIT, list, 1, NULL) ? errno : 0;
}

static void aio_release(struct ctx *c)
{
	if (write(c->p[1], "abcd", 4) != 4)
		abort();
}

/*
 * The request completed with its data, and a new one on the same pipe
 * completes and is seen by aio_suspend: nothing left stuck in the family.
 */
static const char *aio_check(struct ctx *c)
{
	const struct aiocb *list[1] = { &c->cb };
	struct timespec ts = { WAIT_MS / 1000, 0 };
	double end = vt_now_ms() + WAIT_MS;

	while (aio_error(&c->cb) == EINPROGRESS) {
		if (vt_now_ms() > end)
			return "the request never completed";
		vt_sleep_ms(1);
	}
	if (aio_error(&c->cb) || aio_return(&c->cb) != 4 ||
	    memcmp(c->buf, "abcd", 4))
		return "the request did not read its data";
	c->cb = (struct aiocb){ .aio_fildes = c->p[0], .aio_buf = c->buf,
				.aio_nbytes = 4 };
	if (aio_read(&c->cb))
		return "a new aio_read failed";
	aio_release(c);
	if (aio_suspend(list, 1, &ts) && aio_error(&c->cb) == EINPROGRESS)
		return "a new request was not seen completing";
	while (aio_error(&c->cb) == EINPROGRESS) {
		if (vt_now_ms() > end)
			return "a new request never completed";
		vt_sleep_ms(1);
	}
	return aio_return(&c->cb) == 4 ? "ok" : "a new request failed";
}

/* A fresh request on the same pipe for the next caller. */
static int aio_again(struct ctx *c)
{
	c->cb = (struct aiocb){ .aio_fildes = c->p[0], .aio_buf = c->buf,
				.aio_nbytes = 4, .aio_lio_opcode = LIO_READ };
	return 0;
}

static void aio_teardown(struct ctx *c)
{
	close(c->p[0]);
	close(c->p[1]);
}

/* --- the blocking points ------------------------------------------------------ */

#define MUTEX_OP(n, fn) { n, n, "locks", 0, mutex_setup, fn##_call,	\
			  mutex_release, mutex_check, mutex_teardown, mutex_again }
#define SEM_OP(n, fn) { n, n, "locks", 0, sem_setup, fn##_call,	\
			sem_release, sem_check, sem_teardown, sem_again }

static const struct op op_mutex_lock = MUTEX_OP("pthread_mutex_lock", mutex_lock);
static const struct op op_mutex_timedlock =
	MUTEX_OP("pthread_mutex_timedlock", mutex_timedlock);
static const struct op op_mutex_clocklock =
	MUTEX_OP("pthread_mutex_clocklock", mutex_clocklock);
static const struct op op_spin_lock = {
	"pthread_spin_lock", "pthread_spin_lock", "locks", 1, spin_setup,
	spin_call, spin_release, spin_check, spin_teardown };
static const struct op op_sem_wait = SEM_OP("sem_wait", sem_wait);
static const struct op op_sem_timedwait = SEM_OP("sem_timedwait", sem_timedwait);
static const struct op op_sem_clockwait = SEM_OP("sem_clockwait", sem_clockwait);
static const struct op op_once = {
	"pthread_once", "pthread_once", "locks", 0, once_setup, once_call,
	once_release, once_check, once_teardown };
static const struct op op_aio_suspend = {
	"aio_suspend", "aio_suspend", "aio", 0, aio_setup, aio_suspend_call,
	aio_release, aio_check, aio_teardown, aio_again };
static const struct op op_aio_suspend_timed = {
	"aio_suspend", "aio_suspend", "aio", 0, aio_setup,
	aio_suspend_timed_call, aio_release, aio_check, aio_teardown, aio_again };
static const struct op op_lio_wait = {
	"lio_listio", "lio_listio", "aio", 0, aio_setup, lio_wait_call,
	aio_release, aio_check, aio_teardown, aio_again };

/* --- the cases, with glibc 2.36's outcomes ------------------------------------ */

struct bcase {
	const struct op	*op;
	int		kind;		/* mutex kind or clock; -1: none */
	enum event	event;
	const char	*expect;	/* glibc 2.36's outcome */
	/*
	 * Where glibc 2.36 crashes (the case is not run on it): vlibc's
	 * outcome.  Or an outcome vlibc may give instead of glibc's, a
	 * known difference (Documentation/userspace-api/vlibc-aio.rst,
	 * "Known limits").
	 */
	const char	*glibc_crashes;
	const char	*vlibc_also;
};

#define WAITS		"kept waiting, then 0; ok"
#define EINTR_OUT	"returned EINTR; ok"
#define CANCELLED	"cancelled while blocked, cleanup ran; ok"
#define NO_POINT	"kept waiting, then 0, cancelled at the next point, cleanup ran; ok"
#define CANCELLED_AFTER	"kept waiting, cancelled at the release, cleanup ran; ok"

/* A mutex call on every kind, hit by a signal with and without SA_RESTART. */
#define MUTEX_CASES(op)							\
	{ op, MUTEX_NORMAL, SIG_NORESTART, WAITS },			\
	{ op, MUTEX_NORMAL, SIG_RESTART, WAITS },			\
	{ op, MUTEX_RECURSIVE, SIG_NORESTART, WAITS },			\
	{ op, MUTEX_RECURSIVE, SIG_RESTART, WAITS },			\
	{ op, MUTEX_ERRORCHECK, SIG_NORESTART, WAITS },			\
	{ op, MUTEX_ERRORCHECK, SIG_RESTART, WAITS },			\
	{ op, MUTEX_ADAPTIVE, SIG_NORESTART, WAITS },			\
	{ op, MUTEX_ADAPTIVE, SIG_RESTART, WAITS },			\
	{ op, MUTEX_ROBUST, SIG_NORESTART, WAITS },			\
	{ op, MUTEX_ROBUST, SIG_RESTART, WAITS },			\
	{ op, MUTEX_PI, SIG_NORESTART, WAITS },				\
	{ op, MUTEX_PI, SIG_RESTART, WAITS },				\
	{ op, MUTEX_NORMAL, CANCEL_DEFERRED, NO_POINT }

static const struct bcase cases[] = {
	MUTEX_CASES(&op_mutex_lock),
	MUTEX_CASES(&op_mutex_timedlock),
	MUTEX_CASES(&op_mutex_clocklock),
	{ &op_spin_lock, -1, SIG_NORESTART, WAITS },
	{ &op_spin_lock, -1, SIG_RESTART, WAITS },
	{ &op_sem_wait, -1, SIG_NORESTART, EINTR_OUT },
	{ &op_sem_wait, -1, SIG_RESTART, WAITS },
	{ &op_sem_wait, -1, CANCEL_DEFERRED, CANCELLED },
	{ &op_sem_wait, -1, CANCEL_ASYNC, CANCELLED },
	{ &op_sem_timedwait, -1, SIG_NORESTART, EINTR_OUT },
	{ &op_sem_timedwait, -1, SIG_RESTART, EINTR_OUT },
	{ &op_sem_timedwait, -1, CANCEL_DEFERRED, CANCELLED },
	{ &op_sem_timedwait, -1, CANCEL_ASYNC, CANCELLED },
	{ &op_sem_clockwait, CLOCK_MONOTONIC, SIG_NORESTART, EINTR_OUT },
	{ &op_sem_clockwait, CLOCK_MONOTONIC, SIG_RESTART, EINTR_OUT },
	{ &op_sem_clockwait, CLOCK_MONOTONIC, CANCEL_DEFERRED, CANCELLED },
	{ &op_sem_clockwait, CLOCK_MONOTONIC, CANCEL_ASYNC, CANCELLED },
	{ &op_sem_clockwait, CLOCK_REALTIME, SIG_NORESTART, EINTR_OUT },
	{ &op_sem_clockwait, CLOCK_REALTIME, SIG_RESTART, EINTR_OUT },
	{ &op_sem_clockwait, CLOCK_REALTIME, CANCEL_DEFERRED, CANCELLED },
	{ &op_sem_clockwait, CLOCK_REALTIME, CANCEL_ASYNC, CANCELLED },
	{ &op_once, -1, SIG_NORESTART, WAITS },
	{ &op_once, -1, SIG_RESTART, WAITS },
	{ &op_once, -1, CANCEL_DEFERRED, NO_POINT },
	{ &op_aio_suspend, -1, SIG_NORESTART, EINTR_OUT },
	{ &op_aio_suspend, -1, SIG_RESTART, WAITS, NULL, EINTR_OUT },
	{ &op_aio_suspend, -1, CANCEL_DEFERRED, CANCELLED },
	{ &op_aio_suspend, -1, CANCEL_ASYNC, CANCELLED },
	{ &op_aio_suspend_timed, -1, SIG_NORESTART, EINTR_OUT },
	{ &op_aio_suspend_timed, -1, SIG_RESTART, EINTR_OUT },
	{ &op_aio_suspend_timed, -1, CANCEL_DEFERRED, CANCELLED },
	{ &op_aio_suspend_timed, -1, CANCEL_ASYNC, CANCELLED },
	/*
	 * glibc 2.36 returns EINTR, or is cancelled, with its list of waiters
	 * on the stack still linked to the requests: when they complete, its
	 * helper thread writes to the dead frame (SIGSEGV, or "free():
	 * invalid pointer").  vlibc returns EINTR (POSIX: the requests go
	 * on), and acts on an asynchronous cancel after the wait.
	 */
	{ &op_lio_wait, -1, SIG_NORESTART, NULL, EINTR_OUT },
	{ &op_lio_wait, -1, SIG_RESTART, WAITS, NULL, EINTR_OUT },
	{ &op_lio_wait, -1, CANCEL_DEFERRED, NO_POINT },
	{ &op_lio_wait, -1, CANCEL_ASYNC, NULL, CANCELLED_AFTER },
};

static const char *kind_name(const struct bcase *k)
{
	static const char *const mutex[] = {
		"normal", "recursive", "errorcheck", "adaptive", "robust", "pi",
	};

	if (k->op == &op_sem_clockwait)
		return k->kind == CLOCK_MONOTONIC ? "monotonic" : "realtime";
	if (k->op == &op_aio_suspend_timed)
		return "timeout";
	if (k->op == &op_aio_suspend)
		return "no timeout";
	if (k->op == &op_lio_wait)
		return "LIO_WAIT";
	return k->kind >= 0 ? mutex[k->kind] : "-";
}

static char *case_name(const struct bcase *k)
{
	return vt_strf("%s(%s) / %s", k->op->name, kind_name(k),
		       event_names[k->event]);
}

/* --- the worker: every case of a family, one line each ------------------------ */

static void cleanup_mark(void *arg)
{
	struct ctx *c = arg;

	__atomic_store_n(&c->cleaned, 1, __ATOMIC_RELEASE);
}

/* The thread that blocks in the call. */
static void *blocked_thread(void *arg)
{
	struct ctx *c = arg;
	int old;

	pthread_cleanup_push(cleanup_mark, c);
	pthread_setcanceltype(c->cancel_type, &old);
	__atomic_store_n(&c->tid, tid_of_caller(), __ATOMIC_RELEASE);
	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	c->ret = c->op->call(c);
	__atomic_store_n(&c->returned, 1, __ATOMIC_RELEASE);
	pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old);
	pthread_testcancel();
	c->after_point = 1;
	pthread_cleanup_pop(0);
	return NULL;
}

/* A second caller blocks on the object and is released normally. */
static const char *second_round(struct ctx *c)
{
	pthread_t t;

	if (!c->op->again)
		return NULL;
	if (c->op->again(c))
		return "cannot block the object again";
	c->started = c->returned = c->cleaned = c->after_point = 0;
	c->ret = -1;
	c->cancel_type = PTHREAD_CANCEL_DEFERRED;
	if (pthread_create(&t, NULL, blocked_thread, c))
		return "pthread_create failed";
	if (wait_blocked(c)) {
		c->op->release(c);
		join_within(t, NULL, WAIT_MS);
		return "a second caller did not block";
	}
	c->op->release(c);
	if (join_within(t, NULL, WAIT_MS))
		return "a second caller was not released";	/* left behind */
	return c->ret ? "a second caller failed" : NULL;
}

static void run_case(const struct bcase *k, char *out, size_t size)
{
	struct ctx c = { .op = k->op, .kind = k->kind, .ret = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	int signal = k->event == SIG_NORESTART || k->event == SIG_RESTART;
	const char *state, *again, *step;
	void *res = NULL;
	int out_early, returned, ret, cleaned;
	pthread_t t;

	signal_hits = 0;
	if (k->op->setup(&c)) {
		snprintf(out, size, "setup failed: %s", strerror(errno));
		return;
	}
	sa.sa_flags = k->event == SIG_RESTART ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	c.cancel_type = k->event == CANCEL_ASYNC ? PTHREAD_CANCEL_ASYNCHRONOUS :
			PTHREAD_CANCEL_DEFERRED;
	if (pthread_create(&t, NULL, blocked_thread, &c)) {
		snprintf(out, size, "pthread_create failed");
		return;
	}
	if (wait_blocked(&c)) {
		step = "never blocked";
		goto release;
	}
	if (signal) {
		pthread_kill(t, SIGUSR1);
		if (poll_flag(&signal_hits, WAIT_MS)) {
			step = "the handler did not run";
			goto release;
		}
	} else {
		pthread_cancel(t);
	}
	step = NULL;
release:
	out_early = came_out(&c);
	k->op->release(&c);
	if (join_within(t, &res, WAIT_MS)) {
		/* The thread is stuck for good: leave it, the worker goes on. */
		snprintf(out, size, "stuck after the release");
		return;
	}
	returned = c.returned;
	ret = c.ret;
	cleaned = c.cleaned;
	state = k->op->check(&c);
	again = second_round(&c);
	if (again && !strcmp(state, "ok"))
		state = again;
	if (step)
		snprintf(out, size, "%s", step);
	else if (out_early && returned)
		snprintf(out, size, "returned %s; %s", err_name(ret), state);
	else if (out_early)
		snprintf(out, size, "cancelled while blocked, cleanup %s; %s",
			 cleaned ? "ran" : "did not run", state);
	else if (!returned)
		snprintf(out, size, "kept waiting, cancelled at the release, cleanup %s; %s",
			 cleaned ? "ran" : "did not run", state);
	else if (res == PTHREAD_CANCELED)
		snprintf(out, size, "kept waiting, then %s, cancelled at the next point, cleanup %s; %s",
			 err_name(ret), cleaned ? "ran" : "did not run", state);
	else
		snprintf(out, size, "kept waiting, then %s; %s", err_name(ret), state);
	if (signal_hits > 1)
		snprintf(out + strlen(out), size - strlen(out), " (handler ran %d times)",
			 signal_hits);
	k->op->teardown(&c);
}

/* Every case of @family: "NAME\tBOUND\tOUTCOME" lines on stdout. */
static int worker(const char *family, const char *only)
{
	char path[4096], out[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bcase *k = &cases[i];

		if (strcmp(k->op->family, family) ||
		    (only && !strstr(case_name(k), only)))
			continue;
		if (!k->expect && !strcmp(vt_bound_owner(k->op->bound, path,
							 sizeof(path)), "glibc"))
			snprintf(out, sizeof(out), "not run: glibc crashes");
		else
			run_case(k, out, sizeof(out));
		printf("%s\t%s\t%s\n", case_name(k),
		       vt_bound_owner(k->op->bound, path, sizeof(path)), out);
		fflush(stdout);
	}
	return 0;
}

/* --- the tests: a worker per family and binding ---------------------------------- */

/*
 * Run the worker for @family with the binder preloaded and @toggle set
 * (NULL: none), nothing else but PATH; each case must print its table
 * outcome and be bound as @bound says ("vlibc": image or binder).
 */
static void check_family(struct __test_metadata *_metadata, const char *family,
			 const char *bound, const char *toggle)
{
	char *args[] = { "--worker", (char *)family, NULL };
	struct vt_self s = { .args = args, .keep = vt_keep_none,
			     .binder = "libvlibc.so",
			     .set = { "PATH=/usr/bin:/bin", toggle },
			     .timeout = WORKER_SECONDS };
	struct vt_result r;
	char *line, *save = NULL;
	size_t i, seen = 0;

	ASSERT_EQ(0, vt_run_self(&r, &s));
	EXPECT_EQ(0, r.status) TH_LOG("worker: %d\n%s", r.status, r.err);
	line = strtok_r(r.out, "\n", &save);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bcase *k = &cases[i];
		char *name = case_name(k), *owner, *outcome;

		if (strcmp(k->op->family, family))
			continue;
		ASSERT_NE(NULL, line) TH_LOG("no line for %s; stderr:\n%s", name, r.err);
		owner = strchr(line, '\t');
		ASSERT_NE(NULL, owner);
		*owner++ = 0;
		outcome = strchr(owner, '\t');
		ASSERT_NE(NULL, outcome);
		*outcome++ = 0;
		ASSERT_STREQ(name, line);
		if (!strcmp(bound, "vlibc")) {
			EXPECT_TRUE(!strcmp(owner, "image") || !strcmp(owner, "binder"))
				TH_LOG("%s: %s bound to %s", name, k->op->bound, owner);
		} else {
			EXPECT_STREQ(bound, owner) TH_LOG("%s", name);
		}
		if (!k->expect && strcmp(bound, "vlibc")) {
			EXPECT_STREQ("not run: glibc crashes", outcome);
		} else if (!k->expect) {
			EXPECT_STREQ(k->glibc_crashes, outcome) TH_LOG("%s", name);
		} else if (k->vlibc_also && !strcmp(outcome, k->vlibc_also) &&
			   !strcmp(bound, "vlibc")) {
			TH_LOG("%s: %s (glibc: %s)", name, outcome, k->expect);
		} else {
			EXPECT_STREQ(k->expect, outcome) TH_LOG("%s", name);
		}
		free(name);
		seen++;
		line = strtok_r(NULL, "\n", &save);
	}
	ASSERT_LT(0, seen);
	vt_result_free(&r);
}

TEST(locks_on_vlibc)
{
	check_family(_metadata, "locks", "vlibc", NULL);
}

TEST(locks_on_vlibc_futex2)
{
	check_family(_metadata, "locks", "vlibc", "VLIBC_LOCKS=futex2");
}

TEST(locks_on_glibc)
{
	check_family(_metadata, "locks", "glibc", "VLIBC=off");
}

TEST(aio_on_vlibc)
{
	check_family(_metadata, "aio", "vlibc", NULL);
}

TEST(aio_on_glibc)
{
	check_family(_metadata, "aio", "glibc", "VLIBC=off");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--worker"))
		return worker(argv[2], argv[3]);
	return test_harness_run(argc, argv);
}
