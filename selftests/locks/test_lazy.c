// SPDX-License-Identifier: GPL-2.0
/*
 * The locks family binds at the process's first pthread_create(), not at
 * its first lock call: one thread cannot contend, and vlibc's lock path
 * wins only under contention.  Until then glibc's own functions serve
 * (pthread_once through a binder function that counts glibc's onces
 * under way).  The first lock call maps the image (binder_prepare(): what
 * needs open() is done before a filter the binder is not told of could
 * be there); the first thread sets the family up and binds it, with no
 * such call.  Each case runs in a fork child of this program's
 * single-threaded main process, so it starts before the switch (this
 * program does not call lt_threads_start()).
 *
 *  - a process with one thread that locks, unlocks, trylocks, posts and
 *    waits on a semaphore, spins and runs a once binds nothing, and its
 *    locks answer right; its first thread binds the family;
 *  - mutexes (normal, recursive, error-checking) locked by glibc before
 *    the first thread are unlocked by vlibc after it, owners kept;
 *  - a once whose routine creates the first thread, whose new thread
 *    calls pthread_once on the same control: the routine runs once and
 *    the thread waits for it; pthread_once stays on glibc for good;
 *  - a once done before the first thread is done for vlibc too;
 *  - a process-shared semaphore's sem_init() binds as a first thread does;
 *  - a signal handler that locks while the first thread binds the slots;
 *  - fork before the first thread (the child is still on glibc until its
 *    own first thread) and after it (the child keeps vlibc's binding);
 *  - seccomp filters installed with the system call instruction (the
 *    binder does not see them coming): one in force at the first lock
 *    call keeps the family on glibc; after the first lock call, one that
 *    refuses the image's mmap(), traps or kills on open(): the family
 *    binds at the first thread all the same (file mode: the image was
 *    mapped at the first lock), all works, the process lives.
 *
 * Without the binder (LOCKS_SELFTEST_REEXECUTED=1 on plain glibc) the
 * cases run their locks only: every "where bound" check is skipped.
 */
#include "kselftest_harness.h"
#include "locks_test.h"
#include "seccomp.h"

#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

/* Where @name is bound; "glibc" without the binder, for the checks. */
static const char *owner(const char *name)
{
	return lt_binder_loaded() ? lt_owner(name) : "glibc";
}

static int on_glibc(const char *name)
{
	return !strcmp(owner(name), "glibc");
}

static int on_vlibc(const char *name)
{
	const char *o = owner(name);

	return !lt_binder_loaded() || !strcmp(o, "image") || !strcmp(o, "binder");
}

static void *start_and_return(void *arg)
{
	return arg;
}

/* The process's first thread (the switch), joined. */
static int first_thread(void)
{
	pthread_t t;

	return pthread_create(&t, NULL, start_and_return, NULL) ||
	       pthread_join(t, NULL);
}

static int once_runs;

static void count_run(void)
{
	once_runs++;
}

TEST(one_thread_binds_nothing)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_spinlock_t s;
	pthread_once_t o = PTHREAD_ONCE_INIT;
	struct timespec past = lt_abs(CLOCK_REALTIME, -1);
	sem_t sem;
	int v = -1;

	ASSERT_EQ(0, sem_init(&sem, 0, 0));
	ASSERT_EQ(0, pthread_spin_init(&s, 0));
	EXPECT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(EBUSY, pthread_mutex_trylock(&m));
	EXPECT_EQ(ETIMEDOUT, pthread_mutex_timedlock(&m, &past));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
	EXPECT_EQ(0, pthread_mutex_trylock(&m));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
	EXPECT_EQ(0, pthread_spin_lock(&s));
	EXPECT_EQ(EBUSY, pthread_spin_trylock(&s));
	EXPECT_EQ(0, pthread_spin_unlock(&s));
	EXPECT_EQ(-1, sem_trywait(&sem));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, sem_post(&sem));
	EXPECT_EQ(0, sem_getvalue(&sem, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, sem_wait(&sem));
	EXPECT_EQ(-1, sem_timedwait(&sem, &past));
	EXPECT_EQ(ETIMEDOUT, errno);
	once_runs = 0;
	EXPECT_EQ(0, pthread_once(&o, count_run));
	EXPECT_EQ(0, pthread_once(&o, count_run));
	EXPECT_EQ(1, once_runs);
	/* Mapped at the first call (sem_init), bound at the first thread. */
	if (lt_binder_loaded())
		EXPECT_TRUE(lt_image_mapped());
	EXPECT_TRUE(on_glibc("pthread_mutex_lock"));
	EXPECT_TRUE(on_glibc("pthread_mutex_unlock"));
	EXPECT_TRUE(on_glibc("pthread_spin_lock"));
	EXPECT_TRUE(on_glibc("sem_post"));
	/* Counted in the binder, served by glibc. */
	EXPECT_STRNE("image", owner("pthread_once"));

	ASSERT_EQ(0, first_thread());
	if (lt_binder_loaded() && lt_on_vlibc())
		EXPECT_TRUE(lt_image_mapped());
	EXPECT_TRUE(on_vlibc("pthread_mutex_lock"));
	EXPECT_TRUE(on_vlibc("sem_post"));
	EXPECT_TRUE(on_vlibc("pthread_once"));
	EXPECT_EQ(0, pthread_once(&o, count_run));
	EXPECT_EQ(1, once_runs);
	EXPECT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

/*
 * A process-shared semaphore: other processes can contend for it while
 * this one has one thread (PostgreSQL's backends), so its sem_init()
 * binds the family as a first thread would; a child posts, the parent
 * waits on vlibc's side.
 */
TEST(process_shared_semaphore_binds)
{
	sem_t *sem = mmap(NULL, sizeof(*sem), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int status;

	ASSERT_NE(MAP_FAILED, sem);
	EXPECT_TRUE(on_glibc("sem_wait"));
	ASSERT_EQ(0, sem_init(sem, 1, 0));
	if (lt_binder_loaded() && lt_on_vlibc())
		EXPECT_TRUE(lt_image_mapped());
	EXPECT_TRUE(on_vlibc("sem_wait"));
	EXPECT_TRUE(on_vlibc("pthread_mutex_lock"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(20000);
		_exit(sem_post(sem) ? 1 : 0);
	}
	EXPECT_EQ(0, sem_wait(sem));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	munmap(sem, sizeof(*sem));
}

/* --- mutexes locked before the first thread ------------------------------ */

struct handover {
	pthread_mutex_t	m;
	int		owner_checked;	/* not the default kind */
	int		trylock, lock, unlock;
	pid_t		tid;
	int		tried;		/* trylock and unlock done, lock next */
};

/* The new thread: the mutex is still held by main, then it gets it. */
static void *take_over(void *arg)
{
	struct handover *h = arg;

	h->tid = lt_gettid();
	h->trylock = pthread_mutex_trylock(&h->m);
	if (h->owner_checked)
		h->unlock = pthread_mutex_unlock(&h->m);	/* not the owner */
	__atomic_store_n(&h->tried, 1, __ATOMIC_RELEASE);
	h->lock = pthread_mutex_lock(&h->m);
	if (!h->lock)
		pthread_mutex_unlock(&h->m);
	return NULL;
}

/* @type: -1 for PTHREAD_MUTEX_INITIALIZER's default kind. */
static void handover(struct __test_metadata *_metadata, int type)
{
	struct handover h = { .m = PTHREAD_MUTEX_INITIALIZER,
			      .owner_checked = type >= 0 };
	pthread_t t;

	if (type >= 0)
		ASSERT_EQ(0, lt_mutex_init(&h.m, type, 0, 0, 0));
	ASSERT_EQ(0, pthread_mutex_lock(&h.m));
	if (type == PTHREAD_MUTEX_RECURSIVE)
		ASSERT_EQ(0, pthread_mutex_lock(&h.m));
	ASSERT_TRUE(on_glibc("pthread_mutex_lock"));

	ASSERT_EQ(0, pthread_create(&t, NULL, take_over, &h));
	EXPECT_TRUE(on_vlibc("pthread_mutex_lock"));
	/* The thread tries while main holds it, and waits in lock. */
	ASSERT_EQ(0, lt_poll(&h.tried, 1, LT_WAIT_MS));
	EXPECT_EQ(0, vt_wait_asleep(h.tid, LT_WAIT_MS))
		TH_LOG("the thread is not asleep in lock (state %c)",
		       vt_thread_state(h.tid) ?: '-');
	if (type == PTHREAD_MUTEX_ERRORCHECK)
		EXPECT_EQ(EDEADLK, pthread_mutex_lock(&h.m));
	if (type == PTHREAD_MUTEX_RECURSIVE) {
		EXPECT_EQ(0, pthread_mutex_trylock(&h.m));	/* count 3 */
		EXPECT_EQ(0, pthread_mutex_unlock(&h.m));
		EXPECT_EQ(0, pthread_mutex_unlock(&h.m));
	}
	EXPECT_EQ(0, pthread_mutex_unlock(&h.m));
	ASSERT_EQ(0, lt_join(t, NULL, LT_WAIT_MS));
	EXPECT_EQ(EBUSY, h.trylock);
	if (h.owner_checked)
		EXPECT_EQ(EPERM, h.unlock);
	EXPECT_EQ(0, h.lock);
	if (h.owner_checked)
		EXPECT_EQ(EPERM, pthread_mutex_unlock(&h.m));
	EXPECT_EQ(0, pthread_mutex_trylock(&h.m));
	EXPECT_EQ(0, pthread_mutex_unlock(&h.m));
}

TEST(locked_before_unlocked_after_errorcheck)
{
	handover(_metadata, PTHREAD_MUTEX_ERRORCHECK);
}

TEST(locked_before_unlocked_after_recursive)
{
	handover(_metadata, PTHREAD_MUTEX_RECURSIVE);
}

TEST(locked_before_unlocked_after_default)
{
	handover(_metadata, -1);
}

/* --- once under way at the first thread --------------------------------- */

static struct {
	pthread_once_t	once;
	pthread_t	thread;
	pid_t		tid;
	int		runs, created, thread_returned, seen_done, routine_done;
} ow = { .once = PTHREAD_ONCE_INIT };

static void *once_again(void *arg)
{
	ow.tid = lt_gettid();
	__atomic_store_n(&ow.created, 1, __ATOMIC_RELEASE);
	pthread_once(&ow.once, count_run);
	ow.seen_done = __atomic_load_n(&ow.routine_done, __ATOMIC_ACQUIRE);
	__atomic_store_n(&ow.thread_returned, 1, __ATOMIC_RELEASE);
	return arg;
}

/* Creates the process's first thread, which calls the same once. */
static void routine_creating_a_thread(void)
{
	double end;

	ow.runs++;
	if (pthread_create(&ow.thread, NULL, once_again, NULL))
		return;
	/* The thread waits in pthread_once() (asleep), or it did not wait. */
	lt_poll(&ow.created, 1, LT_WAIT_MS);
	end = vt_now_ms() + LT_WAIT_MS;
	while (vt_thread_state(ow.tid) != 'S' && vt_now_ms() < end &&
	       !__atomic_load_n(&ow.thread_returned, __ATOMIC_ACQUIRE))
		vt_sleep_ms(1);
	if (__atomic_load_n(&ow.thread_returned, __ATOMIC_ACQUIRE))
		ow.runs += 100;	/* it did not wait */
	__atomic_store_n(&ow.routine_done, 1, __ATOMIC_RELEASE);
}

TEST(once_under_way_at_first_thread)
{
	once_runs = 0;
	EXPECT_EQ(0, pthread_once(&ow.once, routine_creating_a_thread));
	ASSERT_EQ(0, lt_join(ow.thread, NULL, LT_WAIT_MS));
	EXPECT_EQ(1, ow.runs);
	EXPECT_EQ(0, once_runs);	/* the thread's routine never ran */
	EXPECT_EQ(1, ow.seen_done);
	EXPECT_TRUE(on_vlibc("pthread_mutex_lock"));
	/* Kept on glibc for the process's life. */
	EXPECT_TRUE(on_glibc("pthread_once"));
	EXPECT_EQ(0, pthread_once(&ow.once, count_run));
	EXPECT_EQ(0, once_runs);
}

TEST(once_done_before_first_thread)
{
	pthread_once_t o = PTHREAD_ONCE_INIT;

	once_runs = 0;
	EXPECT_EQ(0, pthread_once(&o, count_run));
	ASSERT_EQ(0, first_thread());
	EXPECT_TRUE(on_vlibc("pthread_once"));
	EXPECT_EQ(0, pthread_once(&o, count_run));
	EXPECT_EQ(1, once_runs);
}

/* --- a signal handler locking during the switch ------------------------- */

#define SWITCH_ROUNDS	100

static pthread_mutex_t handler_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t handler_s;
static sem_t handler_sem;
static volatile sig_atomic_t handler_runs, handler_errors;
static pid_t handler_tid;

/*
 * SIGALRM is sent to the process: while the first thread runs, the kernel
 * may deliver it there, and two handlers at once would see each other's
 * lock held (trylock EBUSY, the semaphore's post taken).  Only the main
 * thread's handler, the one that interrupts the switch, locks.
 */
static void lock_in_handler(int sig)
{
	int e = errno;

	if (gettid() != handler_tid)
		return;
	if (pthread_mutex_lock(&handler_m) || pthread_mutex_unlock(&handler_m) ||
	    pthread_mutex_trylock(&handler_m) || pthread_mutex_unlock(&handler_m) ||
	    pthread_spin_lock(&handler_s) || pthread_spin_unlock(&handler_s) ||
	    sem_post(&handler_sem) || sem_trywait(&handler_sem))
		handler_errors++;
	handler_runs++;
	errno = e;
}

/* One process: signals every few microseconds while the family binds. */
static int switch_under_signals(void *arg)
{
	struct itimerval fast = { { 0, 20 }, { 0, 20 } }, stop = { 0 };
	struct sigaction sa = { .sa_handler = lock_in_handler };
	int v = -1;

	handler_tid = gettid();
	if (pthread_spin_init(&handler_s, 0) || sem_init(&handler_sem, 0, 0))
		return 10;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	/* Some slots bound to glibc before, some still lazy. */
	pthread_mutex_lock(&handler_m);
	pthread_mutex_unlock(&handler_m);
	setitimer(ITIMER_REAL, &fast, NULL);
	while (handler_runs < 2)
		;
	if (first_thread())
		return 11;
	while (handler_runs < 50)
		;
	setitimer(ITIMER_REAL, &stop, NULL);
	if (handler_errors)
		return 12;
	if (pthread_mutex_trylock(&handler_m) || pthread_mutex_unlock(&handler_m) ||
	    pthread_spin_trylock(&handler_s) || pthread_spin_unlock(&handler_s))
		return 13;
	if (sem_getvalue(&handler_sem, &v) || v)
		return 14;
	return lt_binder_loaded() && !lt_on_vlibc() ? 15 : 0;
}

TEST(signal_handler_locks_during_switch)
{
	int i, r = 0;

	for (i = 0; i < SWITCH_ROUNDS && !r; i++)
		r = vt_run_child(switch_under_signals, NULL, LT_WAIT_MS);
	EXPECT_EQ(0, r) TH_LOG("round %d", i);
}

/* --- fork ----------------------------------------------------------------- */

/* The child of a process with one thread: glibc's, until its first thread. */
static int child_before(void *arg)
{
	pthread_mutex_t *m = arg;

	/* The image mapped in the parent (its lock), the binding glibc's. */
	if (!on_glibc("pthread_mutex_lock") || (lt_binder_loaded() && !lt_image_mapped()))
		return 1;
	if (pthread_mutex_unlock(m) || pthread_mutex_trylock(m) != 0)
		return 2;
	if (first_thread() || !on_vlibc("pthread_mutex_lock"))
		return 3;
	if (pthread_mutex_unlock(m) || pthread_mutex_lock(m) || pthread_mutex_unlock(m))
		return 4;
	return 0;
}

TEST(fork_before_first_thread)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	ASSERT_EQ(0, pthread_mutex_lock(&m));
	EXPECT_EQ(0, vt_run_child(child_before, &m, LT_WAIT_MS));
	/* The parent is still as it was. */
	EXPECT_TRUE(on_glibc("pthread_mutex_lock"));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

/* The child of a process that had threads keeps vlibc's binding. */
static int child_after(void *arg)
{
	pthread_mutex_t *m = arg;

	if (!on_vlibc("pthread_mutex_lock"))
		return 1;
	if (pthread_mutex_unlock(m) || pthread_mutex_trylock(m) != 0 ||
	    pthread_mutex_unlock(m))
		return 2;
	return first_thread() ? 3 : 0;
}

TEST(fork_after_first_thread)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	ASSERT_EQ(0, pthread_mutex_lock(&m));
	ASSERT_EQ(0, first_thread());
	EXPECT_EQ(0, vt_run_child(child_after, &m, LT_WAIT_MS));
	EXPECT_EQ(0, pthread_mutex_unlock(&m));
}

/* --- a sandbox that refuses the image before the first thread ------------ */

struct seccomp_work {
	pthread_mutex_t	m;
	sem_t		sem;
	long		counter;
};

static void *add_under_lock(void *arg)
{
	struct seccomp_work *w = arg;
	int i;

	for (i = 0; i < 10000; i++) {
		pthread_mutex_lock(&w->m);
		w->counter++;
		pthread_mutex_unlock(&w->m);
	}
	sem_post(&w->sem);
	return NULL;
}

/*
 * A filter in force at the family's first call (sem_init): the binder
 * reads the seccomp mode then and maps no image file; the family stays
 * on glibc (the kernel's [vlibc] needs no mapping: it binds there).
 */
TEST(unannounced_filter_before_first_call)
{
	struct seccomp_work w = { .m = PTHREAD_MUTEX_INITIALIZER };
	struct vsc_allow allow;
	pthread_t t[2];
	int i;

	/* The image's reservation: MAP_NORESERVE (thread stacks do without). */
	vsc_allow_all_but_mmap(&allow, MAP_NORESERVE);
	ASSERT_EQ(0, vsc_install(VSC_EPERM, &allow));
	ASSERT_EQ(0, sem_init(&w.sem, 0, 0));
	pthread_mutex_lock(&w.m);
	pthread_mutex_unlock(&w.m);
	ASSERT_TRUE(mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_NORESERVE, -1, 0) == MAP_FAILED);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, add_under_lock, &w));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, sem_wait(&w.sem));
		EXPECT_EQ(0, lt_join(t[i], NULL, LT_WAIT_MS));
	}
	EXPECT_EQ(20000, w.counter);
	EXPECT_FALSE(vt_image_file_mapped());
	/* The kernel's [vlibc] needs no mapping: the family binds there. */
	if (vt_kernel_image())
		return;
	EXPECT_TRUE(on_glibc("pthread_mutex_lock"));
	EXPECT_TRUE(on_glibc("sem_post"));
}

/*
 * A filter killing the process at open()/openat(), after a lock call:
 * glibc alone makes no such call to create a thread or lock, so the
 * process must live.  The lock call mapped the image; the set-up at the
 * first thread opens nothing.
 */
TEST(unannounced_kill_filter_after_a_lock)
{
	static const int calls[] = { __NR_openat, __NR_open };
	struct seccomp_work w = { .m = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[2];
	int i, status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (sem_init(&w.sem, 0, 0))
			_exit(2);
		pthread_mutex_lock(&w.m);
		pthread_mutex_unlock(&w.m);
		if (vsc_deny(calls, 2, SECCOMP_RET_KILL_PROCESS, VSC_VIA_RAW))
			_exit(3);
		for (i = 0; i < 2; i++)
			if (pthread_create(&t[i], NULL, add_under_lock, &w))
				_exit(4);
		for (i = 0; i < 2; i++)
			if (sem_wait(&w.sem) || pthread_join(t[i], NULL))
				_exit(5);
		_exit(w.counter == 20000 ? 0 : 6);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) {
		TH_LOG("child status %#x (killed by signal %d)", status,
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
}

/*
 * More filters the binder is not told of, after the family's first call
 * of one kind or another (a semaphore's sem_init(), a once, a spinlock, a
 * mutex), or in a fork child of a process that made it: two threads then
 * add under a mutex, and the process lives.  The family binds at the first
 * thread (file mode: the image was mapped at the first call, before the
 * filter), except where the filter refuses what the family's own work
 * needs.  Each case runs in a child, whose exit status says what went
 * wrong.
 */
enum first_call { FIRST_SEM_INIT, FIRST_ONCE, FIRST_SPIN, FIRST_MUTEX };

FIXTURE(unannounced_after_first_call) {
};

FIXTURE_VARIANT(unannounced_after_first_call) {
	enum first_call	first;
	unsigned int	ret;		/* SECCOMP_RET_* for the calls in nrs */
	int		nrs[4];
	int		n;
	int		reserve_eperm;	/* instead: EPERM on the image's mmap() */
	int		in_fork;	/* the filter and threads in a fork child */
};

FIXTURE_VARIANT_ADD(unannounced_after_first_call, sem_init_then_kill) {
	.first = FIRST_SEM_INIT, .ret = SECCOMP_RET_KILL_PROCESS,
	.nrs = { __NR_openat, __NR_open }, .n = 2,
};
FIXTURE_VARIANT_ADD(unannounced_after_first_call, once_then_kill) {
	.first = FIRST_ONCE, .ret = SECCOMP_RET_KILL_PROCESS,
	.nrs = { __NR_openat, __NR_open }, .n = 2,
};
/* What mapping the image file takes: none of it comes at the first thread. */
FIXTURE_VARIANT_ADD(unannounced_after_first_call, spin_then_trap_image_calls) {
	.first = FIRST_SPIN, .ret = SECCOMP_RET_TRAP,
	.nrs = { __NR_openat, __NR_open, __NR_uname }, .n = 3,
};
FIXTURE_VARIANT_ADD(unannounced_after_first_call, mutex_then_eperm_on_the_image) {
	.first = FIRST_MUTEX, .reserve_eperm = 1,
};
FIXTURE_VARIANT_ADD(unannounced_after_first_call, mutex_then_fork_child_kill) {
	.first = FIRST_MUTEX, .ret = SECCOMP_RET_KILL_PROCESS,
	.nrs = { __NR_openat, __NR_open }, .n = 2, .in_fork = 1,
};

FIXTURE_SETUP(unannounced_after_first_call)
{
}

FIXTURE_TEARDOWN(unannounced_after_first_call)
{
}

static void first_once_routine(void)
{
}

/* The family's first call of the kind @first. */
static int first_call(enum first_call first, struct seccomp_work *w)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_spinlock_t s;

	switch (first) {
	case FIRST_SEM_INIT:
		return 0;	/* done by the caller */
	case FIRST_ONCE:
		return pthread_once(&once, first_once_routine);
	case FIRST_SPIN:
		return pthread_spin_init(&s, 0) || pthread_spin_lock(&s) ||
		       pthread_spin_unlock(&s);
	default:
		return pthread_mutex_lock(&w->m) || pthread_mutex_unlock(&w->m);
	}
}

/*
 * The filter, the threads: an exit status (0 when all went well).  Where
 * pthread_mutex_lock is bound is asked without reading /proc (the filter
 * may kill on open): its target must not be glibc's own.
 */
static int after_first_call_run(const FIXTURE_VARIANT(unannounced_after_first_call) *v,
				struct seccomp_work *w)
{
	void *(*bound)(const char *) = (void *(*)(const char *))
		dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	void *glibc_lock = lt_glibc("pthread_mutex_lock");
	struct vsc_allow allow;
	pthread_t t[2];
	int i;

	if (v->reserve_eperm) {
		vsc_allow_all_but_mmap(&allow, MAP_NORESERVE);
		if (vsc_install(VSC_EPERM, &allow))
			return 3;
	} else if (vsc_deny(v->nrs, v->n, v->ret, VSC_VIA_RAW)) {
		return 3;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, add_under_lock, w))
			return 4;
	for (i = 0; i < 2; i++)
		if (sem_wait(&w->sem) || pthread_join(t[i], NULL))
			return 5;
	if (w->counter != 20000)
		return 6;
	for (i = 0; i < v->n; i++)
		if (vsc_trapped_nr[v->nrs[i]])
			return 7;
	if (bound && bound("pthread_mutex_lock") == glibc_lock)
		return 8;
	return 0;
}

static int after_first_call_child(void *arg)
{
	const FIXTURE_VARIANT(unannounced_after_first_call) *v = arg;
	struct seccomp_work w = { .m = PTHREAD_MUTEX_INITIALIZER };
	int status;
	pid_t pid;

	if (sem_init(&w.sem, 0, 0) || first_call(v->first, &w))
		return 2;
	if (lt_binder_loaded() && !lt_image_mapped())
		return 9;
	if (!v->in_fork)
		return after_first_call_run(v, &w);
	pid = fork();
	if (pid < 0)
		return 10;
	if (!pid)
		_exit(after_first_call_run(v, &w));
	if (waitpid(pid, &status, 0) != pid)
		return 10;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(unannounced_after_first_call, process_lives)
{
	int r = vt_run_child(after_first_call_child, (void *)variant, LT_WAIT_MS);
	char why[64];

	EXPECT_EQ(0, r) {
		TH_LOG("child: %s (2 first call, 3 filter, 4 threads, 5 wait,"
		       " 6 count, 7 trapped, 8 on glibc, 9 no image, 10 fork)",
		       vt_child_what(r, why, sizeof(why)));
	}
}

/*
 * The file-mode limit (vt_file_mode_limit_holds()): the process is
 * killed at the family's first call (here the first thread) in file mode
 * and lives under kernel delivery or without the binder.  This case
 * documents the limit (Documentation/userspace-api/vlibc.rst): it fails
 * if that changes.
 */
static int first_call_child(void *unused)
{
	struct seccomp_work w = { .m = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t;

	if (sem_init(&w.sem, 0, 0))
		return 2;
	if (pthread_create(&t, NULL, add_under_lock, &w) ||
	    sem_wait(&w.sem) || pthread_join(t, NULL))
		return 4;
	return w.counter == 10000 ? 0 : 6;
}

TEST(unannounced_kill_filter_before_first_call)
{
	char what[192];

	EXPECT_TRUE(vt_file_mode_limit_holds(first_call_child, NULL,
					     lt_binder_loaded(), LT_WAIT_MS,
					     what, sizeof(what)));
	TH_LOG("%s (2 sem_init, 3 filter, 4 thread, 6 count)", what);
}

int main(int argc, char **argv)
{
	lt_reexec(argv);
	fprintf(stderr, "# locks on %s before the first thread\n", lt_running_on());
	return test_harness_run(argc, argv);
}
