/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image has no TLS of its own.  A caller that keeps per-thread state
 * for it (the binder's initial-exec TLS) tells it the slot's offset from
 * the thread pointer; on x86-64 that is %fs-relative.
 */
#ifndef _VLIBC_ARCH_THREAD_H
#define _VLIBC_ARCH_THREAD_H

static inline void *vlibc_arch_thread_slot_load(long offset)
{
	void *v;

	__asm__ ("movq %%fs:(%1), %0" : "=r"(v) : "r"(offset));
	return v;
}

#endif /* _VLIBC_ARCH_THREAD_H */
