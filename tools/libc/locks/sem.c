// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX semaphores in glibc's layout and protocol (struct new_sem): the
 * value in the low 32 bits of one 64-bit word, the number of waiters in
 * the high 32 bits, so that a post knows whether to wake anyone and
 * semaphores shared between processes work with glibc on the other side.
 *
 * A waiter registers in the high half, sleeps on the low half while it is
 * 0, and takes a token and unregisters in one compare-and-swap.  The
 * binder's veneers set errno and, since waiting is a cancellation point,
 * unregister a waiter that cancellation took out of its wait
 * (__vlibc_sem_wait_cancelled()).
 */
#include <linux/errno.h>
#include <vlibc/locks-impl.h>
#include <vlibc/stat.h>

/* glibc keeps 0 for a private semaphore, FUTEX_PRIVATE_FLAG for a shared one. */
static inline int sem_futex_flag(const struct vlibc_sem *s)
{
	return s->private ^ FUTEX_PRIVATE_WORD;
}

/* One attempt (@retry 0) or until no token is left (@retry 1). */
static int sem_take(struct vlibc_sem *s, int retry)
{
	uint64_t d = __atomic_load_n(&s->data, __ATOMIC_RELAXED);

	do {
		if (!(d & SEM_VALUE_MASK))
			return 0;
		if (__atomic_compare_exchange_n(&s->data, &d, d - 1, 1,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return 1;
	} while (retry);
	return 0;
}

VLIBC_ENTRY long __vlibc_sem_trywait(struct vlibc_sem *s)
{
	return vlibc_stat_inc_return(VLIBC_STAT_sem_trywait,
				     sem_take(s, 1) ? 0 : -EAGAIN);
}

/*
 * The fast path of sem_wait(), sem_timedwait(), sem_clockwait(): 0 with a
 * token, -EAGAIN when the caller must wait (__vlibc_sem_wait_slow()).
 * Bad arguments are refused first, as glibc does for the timed waits.
 */
VLIBC_ENTRY long __vlibc_sem_wait_fast(struct vlibc_sem *s, int clock,
				       const struct vlibc_timespec *abs)
{
	long r = -EINVAL;

	if ((clock == CLOCK_REALTIME_ID || clock == CLOCK_MONOTONIC_ID) &&
	    (!abs || vlibc_nsec_valid(abs->tv_nsec)))
		r = sem_take(s, 0) ? 0 : -EAGAIN;
	return vlibc_stat_inc_return(VLIBC_STAT_sem_wait, r);
}

static void sem_unregister(struct vlibc_sem *s)
{
	__atomic_fetch_sub(&s->data, SEM_WAITER, __ATOMIC_RELAXED);
}

/*
 * Waits until a token is taken: 0, -ETIMEDOUT, -EINTR, -EINVAL.  The
 * call was counted by __vlibc_sem_wait_fast(); a wait that sleeps is
 * counted once, however often it wakes.
 */
VLIBC_ENTRY long __vlibc_sem_wait_slow(struct vlibc_sem *s, int clock,
				       const struct vlibc_timespec *abs)
{
	uint64_t d = __atomic_fetch_add(&s->data, SEM_WAITER, __ATOMIC_RELAXED);
	int slept = 0, r;

	for (;;) {
		if (!(d & SEM_VALUE_MASK)) {
			if (!slept++)
				vlibc_stat_inc(VLIBC_STAT_sem_slept);
			r = vlibc_locks_wait_cancelable(__arch_sem_value_word(s),
							0, sem_futex_flag(s),
							clock, abs);
			if (r == -ETIMEDOUT || r == -EINTR || r == -EINVAL) {
				sem_unregister(s);
				return r;
			}
			d = __atomic_load_n(&s->data, __ATOMIC_RELAXED);
		} else if (__atomic_compare_exchange_n(&s->data, &d,
						       d - 1 - SEM_WAITER, 1,
						       __ATOMIC_ACQUIRE,
						       __ATOMIC_RELAXED)) {
			return 0;
		}
	}
}

/* Cancellation ended a wait in __vlibc_sem_wait_slow(): stop waiting. */
VLIBC_ENTRY void __vlibc_sem_wait_cancelled(struct vlibc_sem *s)
{
	sem_unregister(s);
}

/* A post that found waiters: wake one, out of the fast path. */
static __attribute__((noinline)) long sem_post_wake(struct vlibc_sem *s)
{
	vlibc_locks_wake(__arch_sem_value_word(s), 1, sem_futex_flag(s));
	vlibc_stat_inc(VLIBC_STAT_sem_post);
	return 0;
}

/* Counted last, as a tail call: the fast path needs no stack frame. */
VLIBC_ENTRY long __vlibc_sem_post(struct vlibc_sem *s)
{
	uint64_t d = __atomic_load_n(&s->data, __ATOMIC_RELAXED);

	do {
		if ((d & SEM_VALUE_MASK) == SEM_VALUE_MAX)
			return vlibc_stat_inc_return(VLIBC_STAT_sem_post, -EOVERFLOW);
	} while (!__atomic_compare_exchange_n(&s->data, &d, d + 1, 1,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (d >> SEM_NWAITERS_SHIFT)
		return sem_post_wake(s);
	return vlibc_stat_inc_return(VLIBC_STAT_sem_post, 0);
}

VLIBC_ENTRY long __vlibc_sem_getvalue(struct vlibc_sem *s, int *value)
{
	*value = (int)(__atomic_load_n(&s->data, __ATOMIC_RELAXED) & SEM_VALUE_MASK);
	return 0;
}
