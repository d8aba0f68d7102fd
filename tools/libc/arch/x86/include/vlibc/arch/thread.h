/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image has no TLS of its own.  A caller that keeps per-thread state
 * for it (the binder's initial-exec TLS) tells it the slot's offset from
 * the thread pointer; on x86-64 that is %fs-relative.
 */
#ifndef _VLIBC_ARCH_THREAD_H
#define _VLIBC_ARCH_THREAD_H

#include <linux/types.h>

static inline void *__arch_thread_slot_load(long offset)
{
	void *v;

	__asm__ ("movq %%fs:(%1), %0" : "=r"(v) : "r"(offset));
	return v;
}

/* The 32-bit word at @offset from the thread pointer (glibc's thread id). */
static inline int __arch_thread_word32(long offset)
{
	int v;

	__asm__ ("movl %%fs:(%1), %0" : "=r"(v) : "r"(offset));
	return v;
}

/* A value that tells threads apart: the thread pointer (%fs:0 points to itself). */
static inline unsigned long __arch_thread_id(void)
{
	unsigned long tp;

	__asm__ ("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

/*
 * *@counter += @n in one instruction, not locked: the counter is this
 * thread's alone, and a signal handler on this thread cannot split an
 * instruction, so neither loses the other's count.
 */
static inline void __arch_thread_counter_add(__u64 *counter, unsigned long n)
{
	__asm__ ("addq %1, %0" : "+m"(*counter) : "er"(n));
}

#endif /* _VLIBC_ARCH_THREAD_H */
