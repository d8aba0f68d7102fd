/* SPDX-License-Identifier: GPL-2.0 */
/* What the locks family's files share inside the image. */
#ifndef _VLIBC_LOCKS_IMPL_H
#define _VLIBC_LOCKS_IMPL_H

#include <vlibc/arch/syscall.h>
#include <vlibc/arch/thread.h>
#include <vlibc/locks.h>
#include <vlibc/private.h>

/* The kernel's largest thread id (PID_MAX_LIMIT on 64-bit). */
#define VLIBC_PID_MAX_LIMIT	(4 * 1024 * 1024)

/* The caller's kernel thread id, from glibc's thread descriptor. */
static inline int vlibc_locks_tid(void)
{
	long off = vlibc_private()->locks.tid_offset;

	if (likely(off))
		return __arch_thread_word32(off);
	return (int)__arch_syscall0(__NR_gettid);
}

/*
 * Sleep while *@word == @val until woken or until @abs (NULL: no limit)
 * on @clock: 0, -EAGAIN, -ETIMEDOUT, -EINTR, -EINVAL.
 */
int vlibc_locks_wait(int *word, int val, int private, int clock,
		     const struct vlibc_timespec *abs) __vlibc_hidden;
/* The same as a cancellation point. */
int vlibc_locks_wait_cancelable(int *word, int val, int private, int clock,
				const struct vlibc_timespec *abs) __vlibc_hidden;
void vlibc_locks_wake(int *word, int n, int private) __vlibc_hidden;

#endif /* _VLIBC_LOCKS_IMPL_H */
