/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the locks selftests share (pthread mutexes, semaphores, spinlocks,
 * pthread_once).  Include after kselftest_harness.h.
 *
 * Binding: lt_reexec() runs the program again with the binder preloaded
 * ($VLIBC_BUILD/libvlibc.so), so every case runs on the binding a
 * preloaded application gets; lt_owner() says where a name is bound and
 * lt_on_vlibc() whether the family runs on vlibc in this process.
 * Setting LOCKS_SELFTEST_REEXECUTED=1 runs the program without the binder,
 * on plain glibc: every case must pass there too (the family keeps
 * glibc's behaviour, errors included).
 *
 * lt_glibc() finds glibc's own function of a name (dlsym on the already
 * loaded libc.so.6), for the mixed cases: a mutex initialised or locked by
 * glibc's code and used by the bound one, and the other way round.
 *
 * Every wait is bounded: lt_join() gives up on a thread after a deadline
 * (the case fails, the harness ends the stuck threads with the case's
 * process), vt_run_child() kills a child that overstays.  Threads never
 * use ASSERT_*: they count what went wrong in memory the case checks.
 */
#ifndef _LOCKS_SELFTEST_H
#define _LOCKS_SELFTEST_H

#include "vlibc_test.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LT_REEXEC_MARK	"LOCKS_SELFTEST_REEXECUTED"
#define LT_WAIT_MS	10000	/* how long a thread or child may take */

/* --- time --------------------------------------------------------------- */

/* The absolute time @ms from now on @clock (negative: in the past). */
static inline struct timespec lt_abs(clockid_t clock, double ms)
{
	struct timespec ts;
	long long ns;

	clock_gettime(clock, &ts);
	ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec +
	     (long long)(ms * 1e6);
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000L;
	}
	return ts;
}

/*
 * How long after deadline @deadline the clock read @after (the same
 * clock, read once a timed call returned), in ms: negative when a
 * timeout came before its deadline.  A thread that starts late cannot
 * make it negative, as a duration measured in the thread could be.
 */
static inline double lt_ms_past(const struct timespec *deadline,
				const struct timespec *after)
{
	return (after->tv_sec - deadline->tv_sec) * 1e3 +
	       (after->tv_nsec - deadline->tv_nsec) / 1e6;
}

/* Poll *@flag (set by another thread or process) for up to @ms. */
static inline int lt_poll(volatile int *flag, int want, double ms)
{
	double end = vt_now_ms() + ms;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < want) {
		if (vt_now_ms() > end)
			return -1;
		vt_sleep_ms(0.2);
	}
	return 0;
}

static inline pid_t lt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* --- threads and children -------------------------------------------------- */

/* Join @t within @ms: 0, or ETIMEDOUT (the thread is left running). */
static inline int lt_join(pthread_t t, void **ret, double ms)
{
	struct timespec end = lt_abs(CLOCK_REALTIME, ms);

	return pthread_timedjoin_np(t, ret, &end);
}


/* @size bytes of zeroed MAP_SHARED memory (survives fork shared), or NULL. */
static inline void *lt_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* --- mutex attributes -------------------------------------------------------- */

/* pthread_mutex_init() of @m with @type (and @pshared, @robust, @protocol). */
static inline int lt_mutex_init(pthread_mutex_t *m, int type, int pshared,
				int robust, int protocol)
{
	pthread_mutexattr_t a;
	int r;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (robust)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (protocol)
		pthread_mutexattr_setprotocol(&a, protocol);
	r = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return r;
}

static inline const char *lt_type_name(int type)
{
	switch (type) {
	case PTHREAD_MUTEX_NORMAL:	return "normal";
	case PTHREAD_MUTEX_RECURSIVE:	return "recursive";
	case PTHREAD_MUTEX_ERRORCHECK:	return "errorcheck";
	case PTHREAD_MUTEX_ADAPTIVE_NP:	return "adaptive";
	}
	return "?";
}

/* --- where the family is bound --------------------------------------------- */

static inline int lt_binder_loaded(void)
{
	return dlsym(RTLD_DEFAULT, "vlibc_binder_bound") != NULL;
}

/* Where the binder bound @name: see vt_bound_owner(). */
static inline const char *lt_owner(const char *name)
{
	static char path[4096];

	return vt_bound_owner(name, path, sizeof(path));
}

/* Does this process run the locks family on vlibc (not on glibc's code)? */
static inline int lt_on_vlibc(void)
{
	const char *owner = lt_owner("pthread_mutex_lock");

	return !strcmp(owner, "image") || !strcmp(owner, "binder");
}

static inline void *lt_no_work(void *arg)
{
	return arg;
}

/*
 * The binder binds the locks family at the process's first
 * pthread_create() (before that, one thread cannot contend and glibc's
 * functions serve): create and join one thread, so that this process and
 * its fork children (each case) run on the binding a threaded program
 * gets.  test_lazy.c tests the time before.
 */
static inline void lt_threads_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, lt_no_work, NULL) || pthread_join(t, NULL))
		abort();
}

/* Is the image mapped in this process: the file, or the kernel's [vlibc]? */
static inline int lt_image_mapped(void)
{
	return vt_image_file_mapped() || vt_kernel_image();
}

/* What a case prints once, to say which code it tests. */
static inline const char *lt_running_on(void)
{
	if (!lt_binder_loaded())
		return "plain glibc (no binder)";
	return lt_on_vlibc() ? "vlibc" : "glibc behind the binder";
}

/*
 * glibc's own function @name (not the binder's stub), from the libc.so.6
 * already loaded; aborts if it is not there: these are tests.
 */
static inline void *lt_glibc(const char *name)
{
	static void *libc;
	void *p;

	if (!libc)
		libc = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_NOW);
	p = libc ? dlsym(libc, name) : NULL;
	if (!p) {
		fprintf(stderr, "# glibc's %s not found: %s\n", name, dlerror());
		abort();
	}
	return p;
}

/* Without the binder loaded, run again with it preloaded. */
static inline void lt_reexec(char **argv)
{
	vt_reexec_with_binder(argv, "libvlibc.so", LT_REEXEC_MARK, lt_binder_loaded());
}

/* The main() of a locks selftest. */
#define LOCKS_TEST_MAIN							\
int main(int argc, char **argv)						\
{									\
	lt_reexec(argv);						\
	lt_threads_start();						\
	fprintf(stderr, "# locks on %s\n", lt_running_on());		\
	return test_harness_run(argc, argv);				\
}

#endif /* _LOCKS_SELFTEST_H */
