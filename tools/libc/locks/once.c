// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_once() in glibc's encoding: 0 not run, generation|IN_PROGRESS
 * while one thread runs the routine, DONE after.  The image never calls
 * the routine itself: the binder calls __vlibc_pthread_once_begin(), runs
 * the routine where cancellation and C++ exceptions can unwind through
 * its frame, then _end() or, when the routine was cancelled or threw,
 * _abort(), which makes the once reusable.
 *
 * The generation tells a routine still running in this process from one
 * that a fork interrupted (its thread is not in the child): the thread id
 * of the first thread of the process that needs it (read from glibc's
 * thread descriptor, no system call; glibc keeps a fork counter instead),
 * shifted clear of the state bits.  A task id is unique among the live
 * tasks, so it differs from the generation of the parent's threads.
 */
#include <vlibc/locks-impl.h>
#include <vlibc/stat.h>

#define WAKE_ALL	0x7fffffff

static int once_generation(void)
{
	struct vlibc_locks_state *l = &vlibc_private()->locks;
	int gen = __atomic_load_n(&l->once_generation, __ATOMIC_RELAXED), mine;

	if (gen)
		return gen;
	mine = (int)((unsigned int)vlibc_locks_tid() << ONCE_GENERATION_SHIFT);
	/* Every thread of the process must use the same one. */
	if (__atomic_compare_exchange_n(&l->once_generation, &gen, mine, 0,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return mine;
	return gen;
}

/* The routine has not run yet: run it here, or wait for the thread that does. */
static __attribute__((noinline)) int once_begin_slow(int *once)
{
	int val, mine;

	vlibc_stat_inc(VLIBC_STAT_once);
	for (;;) {
		val = __atomic_load_n(once, __ATOMIC_ACQUIRE);
		if (val & ONCE_DONE)
			return 0;
		mine = once_generation() | ONCE_IN_PROGRESS;
		if (!__atomic_compare_exchange_n(once, &val, mine, 1,
						 __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
			continue;
		/* Another thread of this process runs it: wait for it. */
		if ((val & ONCE_IN_PROGRESS) && val == mine) {
			vlibc_locks_wait(once, mine, FUTEX_PRIVATE_WORD,
					 LOCKS_CLOCK_NONE, 0);
			continue;
		}
		vlibc_stat_inc(VLIBC_STAT_once_ran);
		return 1;
	}
}

/* 0: the routine has run.  1: the caller runs it now, then _end/_abort. */
VLIBC_ENTRY int __vlibc_pthread_once_begin(int *once)
{
	if (likely(__atomic_load_n(once, __ATOMIC_ACQUIRE) & ONCE_DONE))
		return vlibc_stat_inc_return(VLIBC_STAT_once, 0);
	return once_begin_slow(once);
}

VLIBC_ENTRY void __vlibc_pthread_once_end(int *once)
{
	__atomic_store_n(once, ONCE_DONE, __ATOMIC_RELEASE);
	vlibc_locks_wake(once, WAKE_ALL, FUTEX_PRIVATE_WORD);
}

VLIBC_ENTRY void __vlibc_pthread_once_abort(int *once)
{
	__atomic_store_n(once, 0, __ATOMIC_RELAXED);
	vlibc_locks_wake(once, WAKE_ALL, FUTEX_PRIVATE_WORD);
}
