// SPDX-License-Identifier: GPL-2.0
/*
 * The locks family: pthread mutexes, semaphores and spinlocks on the
 * image's futex locks (pthread_once is in once.c).
 *
 * Mutex and spinlock names bind straight to the image: their entry points
 * return POSIX error numbers, and an uncontended lock must cost no more
 * than glibc's.  Semaphores go through veneers that set errno and make
 * the waits cancellation points: the image switches asynchronous
 * cancellation on around the futex wait only (cancel_async() below, as
 * glibc 2.36 does), and the cleanup pushed here unregisters the waiter
 * that cancellation took out of the wait.  A cancellation that strikes in
 * the image has no unwind information to walk; glibc then resumes at the
 * innermost cleanup buffer, which is the one pushed here, and continues
 * unwinding from this frame.
 *
 * What the image needs from glibc comes from here: where glibc keeps the
 * kernel thread id in its thread descriptor (the offset libthread_db
 * reads, _thread_db_pthread_tid, checked for plausibility in the image)
 * and glibc's own mutex functions for the kinds vlibc does not take.
 *
 * VLIBC_LOCKS: glibc, or a comma-separated list of: futex (the default:
 * spin, then sleep with futex(2) as glibc) | nospin | spinN (N rounds) |
 * futex2 (futex_wait(2)/futex_wake(2) until a sandbox refuses one, or one
 * is announced (sandbox.c), then futex(2) for good); e.g.
 * VLIBC_LOCKS=futex2,nospin.
 *
 * System calls of the veneers here: none of their own (pthread_testcancel,
 * pthread_setcanceltype and the cleanup buffers are glibc's, made of
 * memory operations); the image's futex calls are glibc's (wait.c).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"
#include <vlibc/locks.h>

#define LOCKS_SPIN_DEFAULT	400
/* The running average lives in glibc's short __spins. */
#define LOCKS_SPIN_MAX		32767

static struct {
	long	(*attach)(const struct vlibc_locks_params *);
	long	(*sem_trywait)(sem_t *);
	long	(*sem_wait_fast)(sem_t *, int, const struct timespec *);
	long	(*sem_wait_slow)(sem_t *, int, const struct timespec *);
	void	(*sem_wait_cancelled)(sem_t *);
	long	(*sem_post)(sem_t *);
	long	(*sem_getvalue)(sem_t *, int *);
	long	(*sandbox_coming)(void);	/* NULL: an older image */
	struct vlibc_locks_params params;
} locks;

/* glibc's @name into locks.params.glibc.@field; 0 if glibc lacks it. */
#define GLIBC_FN(field, name)						\
	((*(void **)&locks.params.glibc.field = binder_glibc_sym(name)) != NULL)

/* Where glibc's thread descriptor holds the kernel thread id, or 0. */
static long glibc_tid_offset(void)
{
	/* libthread_db's description: size in bits, count, offset. */
	const unsigned int *desc = binder_glibc_sym("_thread_db_pthread_tid");

	if (!desc || desc[0] != 32 || desc[1] != 1 || !desc[2] || desc[2] > 4096)
		return 0;
	return desc[2];
}

/*
 * One word of VLIBC_LOCKS (@len characters at @w): how long to spin
 * (@spin) or which futex calls to make (@api); 0, or -1 if unknown.
 */
static int variant_word(const char *w, size_t len, int *spin,
			unsigned int *api)
{
	char word[16];
	const char *n;
	int rounds = 0;

	if (len >= sizeof(word))
		return -1;
	for (size_t i = 0; i < len; i++)
		word[i] = w[i];
	word[len] = 0;
	if (binder_streq(word, "futex"))
		return 0;	/* the default, named */
	if (binder_streq(word, "futex2")) {
		*api = LOCKS_FUTEX2;
		return 0;
	}
	if (binder_streq(word, "nospin")) {
		*spin = 0;
		return 0;
	}
	if (!binder_prefix(word, "spin", &n) || !*n)
		return -1;
	for (; *n >= '0' && *n <= '9' && rounds <= LOCKS_SPIN_MAX; n++)
		rounds = rounds * 10 + (*n - '0');
	if (*n || rounds > LOCKS_SPIN_MAX)
		return -1;
	*spin = rounds;
	return 0;
}

/*
 * VLIBC_LOCKS, a comma-separated list (e.g. "futex2,spin100"): sets the
 * spin and futex_api parameters, the defaults for what it does not say;
 * -1 when a word is not one of ours (the defaults are kept then).
 */
static int locks_parse_variant(const char *variant)
{
	const char *w = variant, *end;
	unsigned int api = LOCKS_FUTEX1;
	int spin = LOCKS_SPIN_DEFAULT, r = 0;

	while (w && *w) {
		for (end = w; *end && *end != ','; end++)
			;
		if (end > w && variant_word(w, end - w, &spin, &api))
			r = -1;
		w = *end ? end + 1 : end;
	}
	if (r) {
		spin = LOCKS_SPIN_DEFAULT;
		api = LOCKS_FUTEX1;
	}
	locks.params.spin = spin;
	locks.params.futex_api = api;
	return r;
}

static int locks_decide(const struct binder_image *img, int variant,
			const char **why)
{
	if (!binder_locks_once_decide(img)) {
		*why = "image lacks the locks entry points";
		return 0;
	}
	if (!(GLIBC_FN(mutex_lock, "pthread_mutex_lock") &&
	      GLIBC_FN(mutex_trylock, "pthread_mutex_trylock") &&
	      GLIBC_FN(mutex_timedlock, "pthread_mutex_timedlock") &&
	      GLIBC_FN(mutex_clocklock, "pthread_mutex_clocklock") &&
	      GLIBC_FN(mutex_unlock, "pthread_mutex_unlock") &&
	      GLIBC_FN(mutex_init, "pthread_mutex_init"))) {
		*why = "glibc's mutex functions not found";
		return 0;
	}
	locks.params.size = sizeof(locks.params);
	locks.params.tid_offset = glibc_tid_offset();
	locks.params.single_threaded = binder_glibc_sym("__libc_single_threaded");
	if (!locks.params.tid_offset || locks.attach(&locks.params)) {
		*why = "glibc's thread id not found";
		return 0;
	}
	if (locks.params.futex_api == LOCKS_FUTEX2)
		binder_debug("locks: futex_wait(2)/futex_wake(2),",
			     "futex(2) after a refusal", 0, 0);
	return 1;
}

static int cancel_async(int on)
{
	int old;

	pthread_setcanceltype(on ? PTHREAD_CANCEL_ASYNCHRONOUS :
			      PTHREAD_CANCEL_DEFERRED, &old);
	return old == PTHREAD_CANCEL_ASYNCHRONOUS;
}

static void locks_attach(const struct binder_image *img)
{
	locks.params.cancel_async = cancel_async;
	locks.attach(&locks.params);
}

/*
 * A seccomp filter is coming (binder/sandbox.c): the futex2 variant turns
 * to futex(2), which glibc makes, for good (in fork children too).
 */
static void locks_sandbox_coming(void)
{
	locks.params.futex_api = LOCKS_FUTEX1;
	if (locks.sandbox_coming)
		locks.sandbox_coming();
}

/* The kernel wiped the private region: fill in the family's part again. */
static void locks_fork_child(const struct binder_image *img)
{
	locks.attach(&locks.params);
}

static void sem_wait_cleanup(void *sem)
{
	locks.sem_wait_cancelled(sem);
}

/* The wait of sem_wait(), sem_timedwait(), sem_clockwait(). */
static int sem_wait_common(sem_t *sem, int clock, const struct timespec *abs)
{
	long r = locks.sem_wait_fast(sem, clock, abs);

	if (r != -EAGAIN)
		return errno_ret(r);
	pthread_cleanup_push(sem_wait_cleanup, sem);
	r = locks.sem_wait_slow(sem, clock, abs);
	pthread_cleanup_pop(0);
	return errno_ret(r);
}

static int sem_wait_veneer(sem_t *sem)
{
	pthread_testcancel();
	return sem_wait_common(sem, CLOCK_REALTIME, NULL);
}

static int timespec_valid(const struct timespec *t)
{
	return t && vlibc_nsec_valid(t->tv_nsec);
}

static int sem_timedwait_veneer(sem_t *sem, const struct timespec *abs)
{
	if (!timespec_valid(abs))
		return errno_ret(-EINVAL);
	pthread_testcancel();
	return sem_wait_common(sem, CLOCK_REALTIME, abs);
}

static int sem_clockwait_veneer(sem_t *sem, clockid_t clock,
				const struct timespec *abs)
{
	if (!timespec_valid(abs))
		return errno_ret(-EINVAL);
	return sem_wait_common(sem, clock, abs);
}

static int sem_trywait_veneer(sem_t *sem)
{
	return errno_ret(locks.sem_trywait(sem));
}

static int sem_post_veneer(sem_t *sem)
{
	return errno_ret(locks.sem_post(sem));
}

static int sem_getvalue_veneer(sem_t *sem, int *value)
{
	return errno_ret(locks.sem_getvalue(sem, value));
}

static const struct binder_entry entries[] = {
	BINDER_ENTRY(locks.attach, "__vlibc_locks_attach"),
	BINDER_ENTRY(locks.sem_trywait, "__vlibc_sem_trywait"),
	BINDER_ENTRY(locks.sem_wait_fast, "__vlibc_sem_wait_fast"),
	BINDER_ENTRY(locks.sem_wait_slow, "__vlibc_sem_wait_slow"),
	BINDER_ENTRY(locks.sem_wait_cancelled, "__vlibc_sem_wait_cancelled"),
	BINDER_ENTRY(locks.sem_post, "__vlibc_sem_post"),
	BINDER_ENTRY(locks.sem_getvalue, "__vlibc_sem_getvalue"),
	BINDER_OPTIONAL_ENTRY(locks.sandbox_coming, "__vlibc_locks_sandbox_coming"),
	{ NULL }
};

/* The default's name (unknown words); the rest is locks_parse_variant()'s. */
static const char *const variants[] = { "futex", NULL };

const struct binder_family binder_locks_family = {
	.name		= "locks",
	.entries	= entries,
	.variants	= variants,
	.parse_variant	= locks_parse_variant,
	.decide		= locks_decide,
	.attach		= locks_attach,
	.fork_child	= locks_fork_child,
	.sandbox_coming	= locks_sandbox_coming,
	/* One thread cannot contend: glibc's until the second (threads.c). */
	.bind_at_first_thread	= 1,
	.first_thread	= binder_locks_once_first_thread,
};

BINDER_BIND_DIRECT(pthread_mutex_lock, locks, "__vlibc_pthread_mutex_lock");
BINDER_BIND_DIRECT(pthread_mutex_trylock, locks, "__vlibc_pthread_mutex_trylock");
BINDER_BIND_DIRECT(pthread_mutex_timedlock, locks, "__vlibc_pthread_mutex_timedlock");
BINDER_BIND_DIRECT(pthread_mutex_clocklock, locks, "__vlibc_pthread_mutex_clocklock");
BINDER_BIND_DIRECT(pthread_mutex_unlock, locks, "__vlibc_pthread_mutex_unlock");
BINDER_BIND_DIRECT(pthread_mutex_init, locks, "__vlibc_pthread_mutex_init");
BINDER_BIND_DIRECT(pthread_mutex_destroy, locks, "__vlibc_pthread_mutex_destroy");
BINDER_BIND_DIRECT(pthread_mutex_consistent, locks, "__vlibc_pthread_mutex_consistent");
BINDER_BIND_DIRECT(pthread_mutex_consistent_np, locks, "__vlibc_pthread_mutex_consistent");
BINDER_BIND_DIRECT(pthread_spin_lock, locks, "__vlibc_pthread_spin_lock");
BINDER_BIND_DIRECT(pthread_spin_trylock, locks, "__vlibc_pthread_spin_trylock");
BINDER_BIND_DIRECT(pthread_spin_unlock, locks, "__vlibc_pthread_spin_unlock");
BINDER_BIND_DIRECT(pthread_spin_init, locks, "__vlibc_pthread_spin_init");
BINDER_BIND_DIRECT(pthread_spin_destroy, locks, "__vlibc_pthread_spin_destroy");
BINDER_BIND_VENEER(sem_wait, locks, sem_wait_veneer);
BINDER_BIND_VENEER(sem_timedwait, locks, sem_timedwait_veneer);
BINDER_BIND_VENEER(sem_clockwait, locks, sem_clockwait_veneer);
BINDER_BIND_VENEER(sem_trywait, locks, sem_trywait_veneer);
BINDER_BIND_VENEER(sem_post, locks, sem_post_veneer);
BINDER_BIND_VENEER(sem_getvalue, locks, sem_getvalue_veneer);
