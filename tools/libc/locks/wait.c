// SPDX-License-Identifier: GPL-2.0
/*
 * Futex waits and wakes on words in user objects (mutexes, semaphores,
 * once), private or shared as the object says.
 *
 * By default exactly the futex(2) calls glibc 2.36 makes for the same
 * work: FUTEX_WAIT for a wait without deadline where glibc's lock and
 * once use it (LOCKS_CLOCK_NONE), FUTEX_WAIT_BITSET (FUTEX_CLOCK_REALTIME
 * on CLOCK_REALTIME) with an absolute deadline or none where glibc's
 * timed functions and semaphores use it, FUTEX_WAKE.
 *
 * VLIBC_LOCKS=futex2 (LOCKS_FUTEX2) uses futex_wait(2)/futex_wake(2)
 * (Linux 6.7) instead, except for waits with a deadline: the kernel
 * restarts futex_wait(2) after a handler installed with SA_RESTART, where
 * futex(2) with a deadline fails with EINTR, which glibc's sem_timedwait
 * and sem_clockwait return.  A sandbox may refuse them at any moment (ENOSYS,
 * EPERM, EACCES, or a SIGSYS handler that answers one of these): the
 * process then switches to futex(2) for good and redoes the refused wait
 * or wake with it, so no wake is lost and nobody spins.  Both calls work
 * on the same futexes, so waiters asleep in one are woken by the other.
 *
 * An error glibc does not expect from futex(2) (futex(2) refused by a
 * sandbox, a fault) ends the process with glibc's message, as glibc's
 * futex_fatal_error() does: never a loop around a wait that returns at once.
 */
#include <linux/errno.h>
#include <linux/futex.h>
#include <vlibc/fatal.h>
#include <vlibc/locks-impl.h>
#include <vlibc/seccomp.h>
#include <vlibc/stat.h>

/* Linux 6.7's futex2 calls: uapi headers before 6.7 (Debian 12's 6.1) lack them. */
#ifndef __NR_futex_wake
#define __NR_futex_wake		454
#define __NR_futex_wait		455
#endif
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32		0x02
#endif

static void __attribute__((noreturn)) futex_unexpected(void)
{
	vlibc_fatal("The futex facility returned an unexpected error code.");
}

static inline int use_futex2(void)
{
	return __atomic_load_n(&vlibc_private()->locks.futex_api,
			       __ATOMIC_RELAXED) == LOCKS_FUTEX2;
}

/* futex_wait(2) or futex_wake(2) was refused: futex(2) from now on. */
static void futex2_refused(void)
{
	__atomic_store_n(&vlibc_private()->locks.futex_api, LOCKS_FUTEX1,
			 __ATOMIC_RELAXED);
}

/*
 * A seccomp filter is about to go in (the binder saw the call): futex(2),
 * which glibc makes, from now on.  A filter may kill for futex_wait(2).
 */
VLIBC_ENTRY long __vlibc_locks_sandbox_coming(void)
{
	futex2_refused();
	return 0;
}

/* The wait glibc 2.36 makes for the same work. */
static long futex1_wait(int *word, int val, int private, int clock,
			const struct vlibc_timespec *abs)
{
	int op = FUTEX_WAIT_BITSET | private;

	vlibc_stat_inc(VLIBC_STAT_futex_wait);
	if (clock == LOCKS_CLOCK_NONE)
		return __arch_syscall4(__NR_futex, (long)word, FUTEX_WAIT | private,
				      val, 0);
	if (clock == CLOCK_REALTIME_ID)
		op |= FUTEX_CLOCK_REALTIME;
	return __arch_syscall6(__NR_futex, (long)word, op, val, (long)abs, 0,
			      FUTEX_BITSET_MATCH_ANY);
}

static long futex2_wait(int *word, int val, int private, int clock,
			const struct vlibc_timespec *abs)
{
	vlibc_stat_inc(VLIBC_STAT_futex_wait);
	if (clock == LOCKS_CLOCK_NONE)
		clock = CLOCK_MONOTONIC_ID;	/* not read without a deadline */
	return __arch_syscall6(__NR_futex_wait, (long)word, (unsigned int)val,
			      FUTEX_BITSET_MATCH_ANY, FUTEX2_SIZE_U32 | private,
			      (long)abs, clock);
}

static int deadline_valid(const struct vlibc_timespec *abs)
{
	return !abs || vlibc_nsec_valid(abs->tv_nsec);
}

int vlibc_locks_wait(int *word, int val, int private, int clock,
		     const struct vlibc_timespec *abs)
{
	long r;

	if (!deadline_valid(abs))
		return -EINVAL;
	if (abs && abs->tv_sec < 0)
		return -ETIMEDOUT;
	if (use_futex2() && !abs) {
		r = futex2_wait(word, val, private, clock, abs);
		if (!vlibc_refused(r))
			goto done;
		futex2_refused();
	}
	r = futex1_wait(word, val, private, clock, abs);
done:
	switch (r) {
	case 0:
	case -EINTR:
	case -ETIMEDOUT:
		return (int)r;
	case -EWOULDBLOCK:
		return -EAGAIN;
	case -EINVAL:
		if (abs)	/* a deadline the kernel refuses, as glibc */
			return -EINVAL;
		futex_unexpected();
	default:
		futex_unexpected();
	}
}

/*
 * The same wait as a cancellation point: asynchronous cancellation is on
 * for the system call only, as glibc 2.36 does it.  A cancellation ends
 * the wait without anything else having changed, so the caller's cleanup
 * (in the binder) can undo what the caller set up before waiting.
 */
int vlibc_locks_wait_cancelable(int *word, int val, int private, int clock,
				const struct vlibc_timespec *abs)
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

/*
 * Wake up to @n waiters.  A fault or EINVAL (the memory was reused) is no
 * error, as in glibc; anything else would lose the wake and is fatal.
 */
void vlibc_locks_wake(int *word, int n, int private)
{
	long r;

	vlibc_stat_inc(VLIBC_STAT_futex_wake);
	if (use_futex2()) {
		r = __arch_syscall4(__NR_futex_wake, (long)word, FUTEX_BITSET_MATCH_ANY,
				   n, FUTEX2_SIZE_U32 | private);
		if (!vlibc_refused(r))
			return;
		futex2_refused();
		vlibc_stat_inc(VLIBC_STAT_futex_wake);	/* again, with futex(2) */
	}
	r = __arch_syscall3(__NR_futex, (long)word, FUTEX_WAKE | private, n);
	if (r < 0 && r != -EFAULT && r != -EINVAL)
		futex_unexpected();
}
