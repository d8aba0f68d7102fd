// SPDX-License-Identifier: GPL-2.0
/*
 * Futex waits and wakes on words in user objects (mutexes, semaphores,
 * once), private or shared as the object says, with absolute deadlines on
 * CLOCK_REALTIME or CLOCK_MONOTONIC as POSIX's timed functions take them.
 *
 * futex_wait(2)/futex_wake(2) (Linux 6.7) when the kernel has them,
 * futex(2) otherwise; the first wait or wake of the process finds out.
 */
#include <linux/errno.h>
#include <linux/futex.h>
#include <vlibc/locks-impl.h>

#ifndef __NR_futex_wake
#define __NR_futex_wake		454
#define __NR_futex_wait		455
#endif
#define FUTEX2_SIZE_U32		0x02
#define FUTEX_BITSET_ANY	0xffffffffUL
#define NSEC_PER_SEC		1000000000L

static int futex_api(void)
{
	struct vlibc_locks_state *l = &vlibc_private()->locks;
	int api = __atomic_load_n(&l->futex_api, __ATOMIC_RELAXED), probe = 0;

	if (api)
		return api;
	/* Waking nobody on a word nobody waits on answers 0 if it exists. */
	api = vlibc_syscall4(__NR_futex_wake, (long)&probe, FUTEX_BITSET_ANY, 0,
			     FUTEX2_SIZE_U32 | FUTEX_PRIVATE_FLAG) == 0 ?
		LOCKS_FUTEX2 : LOCKS_FUTEX1;
	__atomic_store_n(&l->futex_api, api, __ATOMIC_RELAXED);
	return api;
}

static int deadline_valid(const struct vlibc_deadline *abs)
{
	return !abs || (abs->tv_nsec >= 0 && abs->tv_nsec < NSEC_PER_SEC);
}

int vlibc_locks_wait(int *word, int val, int private, int clock,
		     const struct vlibc_deadline *abs)
{
	long r;

	if (!deadline_valid(abs))
		return -EINVAL;
	if (abs && abs->tv_sec < 0)
		return -ETIMEDOUT;
	if (futex_api() == LOCKS_FUTEX2)
		r = vlibc_syscall6(__NR_futex_wait, (long)word, (unsigned int)val,
				   FUTEX_BITSET_ANY, FUTEX2_SIZE_U32 | private,
				   (long)abs, clock);
	else
		r = vlibc_syscall6(__NR_futex, (long)word,
				   FUTEX_WAIT_BITSET | private |
				   (abs && clock == CLOCK_REALTIME_ID ?
				    FUTEX_CLOCK_REALTIME : 0),
				   val, (long)abs, 0, FUTEX_BITSET_ANY);
	if (r == -EWOULDBLOCK)
		return -EAGAIN;
	return r == -ETIMEDOUT || r == -EINTR || r == -EINVAL || r == -EFAULT ?
		(int)r : 0;
}

/*
 * The same wait as a cancellation point: asynchronous cancellation is on
 * for the system call only, as glibc 2.36 does it.  A cancellation ends
 * the wait without anything else having changed, so the caller's cleanup
 * (in the binder) can undo what the caller set up before waiting.
 */
int vlibc_locks_wait_cancelable(int *word, int val, int private, int clock,
				const struct vlibc_deadline *abs)
{
	int (*cancel_async)(int) = vlibc_private()->locks.cancel_async;
	int old, r;

	if (!cancel_async)
		return vlibc_locks_wait(word, val, private, clock, abs);
	old = cancel_async(1);
	r = vlibc_locks_wait(word, val, private, clock, abs);
	cancel_async(old);
	return r;
}

void vlibc_locks_wake(int *word, int n, int private)
{
	if (futex_api() == LOCKS_FUTEX2)
		vlibc_syscall4(__NR_futex_wake, (long)word, FUTEX_BITSET_ANY, n,
			       FUTEX2_SIZE_U32 | private);
	else
		vlibc_syscall3(__NR_futex, (long)word, FUTEX_WAKE | private, n);
}
