/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Futex waits and wakes, and a small lock built on them, for memory of
 * this process only (FUTEX_PRIVATE_FLAG), as glibc's own locks make them:
 * the image's private region and the binder's own state.
 */
#ifndef _VLIBC_FUTEX_H
#define _VLIBC_FUTEX_H

#include <vlibc/compiler.h>
#include <vlibc/time.h>

/*
 * Sleep while *@word == @val, for at most @rel (NULL: no limit).  Returns
 * 0 when woken, -EAGAIN when *@word already differed, -ETIMEDOUT, -EINTR.
 */
int vlibc_futex_wait(uint32_t *word, uint32_t val,
		     const struct vlibc_timespec *rel) __vlibc_hidden;
void vlibc_futex_wake(uint32_t *word, int n) __vlibc_hidden;

/* 0 unlocked, 1 locked, 2 locked with waiters (Drepper, "Futexes are tricky"). */
struct vlibc_lock {
	uint32_t	word;
};

void vlibc_lock_slow(struct vlibc_lock *l) __vlibc_hidden;

static inline int vlibc_trylock(struct vlibc_lock *l)
{
	uint32_t zero = 0;

	return __atomic_compare_exchange_n(&l->word, &zero, 1, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void vlibc_lock(struct vlibc_lock *l)
{
	if (!vlibc_trylock(l))
		vlibc_lock_slow(l);
}

static inline void vlibc_unlock(struct vlibc_lock *l)
{
	if (__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2)
		vlibc_futex_wake(&l->word, 1);
}

#endif /* _VLIBC_FUTEX_H */
