/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glibc's x86-64 layouts of the lock objects the locks family works on
 * (stable ABI since glibc 2.3/2.21): struct __pthread_mutex_s, struct
 * new_sem with 64-bit atomics, and the spinlock int in x86's encoding.
 * pthread_once_t and the mutex kind bits are the same on every
 * architecture: they are in <vlibc/locks.h>.
 */
#ifndef _VLIBC_ARCH_GLIBC_LOCKS_H
#define _VLIBC_ARCH_GLIBC_LOCKS_H

#include <vlibc/arch/processor.h>
#include <vlibc/compiler.h>

/* glibc's pthread_mutex_t. */
struct vlibc_mutex {
	int		lock;		/* 0 free, 1 locked, 2 locked, waiters */
	unsigned int	count;		/* recursive depth */
	int		owner;		/* thread id of the holder */
	unsigned int	nusers;		/* holders not yet unlocked */
	int		kind;		/* type and flags, <vlibc/locks.h> */
	short		spins;		/* rounds a spin took, running average */
	union {
		short	elision;	/* glibc's, for elision kinds only */
		short	spin_miss;	/* vlibc's kinds: mutex.c, word_spin() */
	};
	void		*list_prev, *list_next;
};

/* glibc's sem_t (struct new_sem, 64-bit atomics). */
struct vlibc_sem {
	uint64_t	data;		/* value in bits 0-31, waiters above */
	int		private;	/* 0 private, FUTEX_PRIVATE_FLAG shared (sic) */
	int		pad;
};

#define SEM_VALUE_MASK		0xffffffffull
#define SEM_NWAITERS_SHIFT	32
#define SEM_WAITER		(1ull << SEM_NWAITERS_SHIFT)

/* The 32-bit futex word that holds the value: little endian, the low half. */
static inline int *__arch_sem_value_word(struct vlibc_sem *s)
{
	return (int *)&s->data;
}

/*
 * pthread_spinlock_t in glibc's x86-64 encoding: 1 free, 0 or below
 * taken.  A locker decrements; whoever does not reach 0 waits reading
 * until the word is positive again, then retries.
 */
#define SPIN_FREE		1
#define SPIN_TAKEN		0

static inline void __arch_spin_lock(int *lock)
{
	while (__atomic_sub_fetch(lock, 1, __ATOMIC_ACQUIRE) != 0) {
		do
			__arch_cpu_relax();
		while (__atomic_load_n(lock, __ATOMIC_RELAXED) <= 0);
	}
}

/* 1: taken; 0: it was not free. */
static inline int __arch_spin_trylock(int *lock)
{
	int free = SPIN_FREE;

	return __atomic_compare_exchange_n(lock, &free, SPIN_TAKEN, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

#endif /* _VLIBC_ARCH_GLIBC_LOCKS_H */
