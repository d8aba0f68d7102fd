/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting inside the image: vlibc_stat_add(VLIBC_STAT_<name>, n) at the
 * place the event happens.  The layout others read is <vlibc/stat-abi.h>;
 * this is how the image keeps it.
 *
 * Fast path: the binder keeps a pointer to the thread's own block in its
 * initial-exec TLS, at @thread_slot from the thread pointer; one load of
 * the slot, one of the pointer, one unlocked add.  No atomic operation is
 * shared between threads.  Slow path (core/stat.c), once per thread: claim
 * a free block and hand it to the binder (@thread_claimed), which stores
 * it in the slot and releases it when the thread exits; without a slot or
 * a free block, count atomically into the shared block 0.
 */
#ifndef _VLIBC_STAT_H
#define _VLIBC_STAT_H

#include <vlibc/private.h>
#include <vlibc/arch/thread.h>

void vlibc_stat_add_slow(enum vlibc_stat_counter c, unsigned long n) __vlibc_hidden;
long vlibc_stat_add_slow_return(enum vlibc_stat_counter c, unsigned long n,
				long ret) __vlibc_hidden;
long vlibc_stat_add2_slow_return(enum vlibc_stat_counter c1, unsigned long n1,
				 enum vlibc_stat_counter c2, unsigned long n2,
				 long ret) __vlibc_hidden;
void vlibc_stat_setup(void) __vlibc_hidden;

static inline __attribute__((always_inline)) void vlibc_stat_add(enum vlibc_stat_counter c,
					   unsigned long n)
{
	long slot = __atomic_load_n(&vlibc_private()->stat_state.thread_slot,
				    __ATOMIC_RELAXED);
	struct vlibc_stat_block *b = slot ? __arch_thread_slot_load(slot) : NULL;

	if (likely(b))
		__arch_thread_counter_add(&b->count[c], n);
	else
		vlibc_stat_add_slow(c, n);
}

static inline __attribute__((always_inline)) void vlibc_stat_inc(enum vlibc_stat_counter c)
{
	vlibc_stat_add(c, 1);
}

/*
 * vlibc_stat_add() as a function's last act, "return
 * vlibc_stat_add_return(c, n, ret);": the slow path is a tail call that
 * returns @ret, so a fast path that calls nothing else needs no stack
 * frame (a call in the middle of it would give it one).
 */
static inline __attribute__((always_inline)) long
vlibc_stat_add_return(enum vlibc_stat_counter c, unsigned long n, long ret)
{
	long slot = __atomic_load_n(&vlibc_private()->stat_state.thread_slot,
				    __ATOMIC_RELAXED);
	struct vlibc_stat_block *b = slot ? __arch_thread_slot_load(slot) : NULL;

	if (likely(b)) {
		__arch_thread_counter_add(&b->count[c], n);
		return ret;
	}
	return vlibc_stat_add_slow_return(c, n, ret);
}

static inline __attribute__((always_inline)) long
vlibc_stat_inc_return(enum vlibc_stat_counter c, long ret)
{
	return vlibc_stat_add_return(c, 1, ret);
}

/* Two counters of one event (a call and its bytes), one look-up of the block. */
static inline __attribute__((always_inline)) long
vlibc_stat_add2_return(enum vlibc_stat_counter c1, unsigned long n1,
		       enum vlibc_stat_counter c2, unsigned long n2, long ret)
{
	long slot = __atomic_load_n(&vlibc_private()->stat_state.thread_slot,
				    __ATOMIC_RELAXED);
	struct vlibc_stat_block *b = slot ? __arch_thread_slot_load(slot) : NULL;

	if (likely(b)) {
		__arch_thread_counter_add(&b->count[c1], n1);
		__arch_thread_counter_add(&b->count[c2], n2);
		return ret;
	}
	return vlibc_stat_add2_slow_return(c1, n1, c2, n2, ret);
}

#endif /* _VLIBC_STAT_H */
