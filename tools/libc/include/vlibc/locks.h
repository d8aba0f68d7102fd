/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The locks family: pthread mutexes, semaphores, spinlocks and once on the
 * kernel's futexes, in glibc's own layouts and lock-word protocols, so that
 * glibc's functions (pthread_cond_wait() relocking a mutex, a mutex or
 * semaphore initialised by glibc) work on the same objects.
 *
 * The layouts that differ between architectures (struct __pthread_mutex_s,
 * struct new_sem, the spinlock's encoding) are the architecture's
 * <vlibc/arch/glibc-locks.h>; the mutex kind and attribute bits and the
 * once int with its fork generation are glibc's on every architecture.
 */
#ifndef _VLIBC_LOCKS_H
#define _VLIBC_LOCKS_H

#include <vlibc/compiler.h>
#include <vlibc/arch/glibc-locks.h>
#include <vlibc/time.h>

/* __kind: the type in the low bits, flags above. */
#define MUTEX_TYPE_MASK		3	/* normal, recursive, errorcheck, adaptive */
#define MUTEX_NORMAL		0
#define MUTEX_RECURSIVE		1
#define MUTEX_ERRORCHECK	2
#define MUTEX_ADAPTIVE		3
#define MUTEX_ROBUST		16
#define MUTEX_PSHARED		128
/* pthread_mutexattr_settype(PTHREAD_MUTEX_NORMAL) sets it; glibc's lock
 * ignores it, and vlibc never elides anyway. */
#define MUTEX_NO_ELISION	512
/* Robust, priority inheritance/protection, elided, destroyed (-1): glibc. */
#define MUTEX_KIND_VLIBC	(MUTEX_TYPE_MASK | MUTEX_PSHARED | MUTEX_NO_ELISION)
#define MUTEX_INCONSISTENT	0x7fffffff	/* owner of a recovered robust mutex */

/* glibc's pthread_mutexattr_t: one int. */
#define MUTEXATTR_FLAG_ROBUST	0x40000000u
#define MUTEXATTR_FLAG_PSHARED	0x80000000u
#define MUTEXATTR_PROTOCOL_MASK	0x30000000u
#define MUTEXATTR_CEILING_MASK	0x00fff000u
#define MUTEXATTR_FLAG_BITS	(MUTEXATTR_FLAG_ROBUST | MUTEXATTR_FLAG_PSHARED | \
				 MUTEXATTR_PROTOCOL_MASK | MUTEXATTR_CEILING_MASK)

#define SEM_VALUE_MAX		0x7fffffff

/* glibc's pthread_once_t: 0, or the fork generation | IN_PROGRESS, or DONE. */
#define ONCE_IN_PROGRESS	1
#define ONCE_DONE		2
#define ONCE_GENERATION_SHIFT	2

#define FUTEX_SHARED_WORD	0
#define FUTEX_PRIVATE_WORD	128	/* FUTEX_PRIVATE_FLAG */

#define CLOCK_REALTIME_ID	0
#define CLOCK_MONOTONIC_ID	1
/* A wait without deadline that glibc makes with FUTEX_WAIT (locks, once). */
#define LOCKS_CLOCK_NONE	(-1)

/*
 * glibc's own functions, for the mutexes vlibc leaves to glibc (robust,
 * priority inheritance/protection, elision) and attributes it does not
 * read.  Filled in by the binder.
 */
struct vlibc_locks_glibc {
	int	(*mutex_lock)(struct vlibc_mutex *);
	int	(*mutex_trylock)(struct vlibc_mutex *);
	int	(*mutex_timedlock)(struct vlibc_mutex *, const struct vlibc_timespec *);
	int	(*mutex_clocklock)(struct vlibc_mutex *, int,
				   const struct vlibc_timespec *);
	int	(*mutex_unlock)(struct vlibc_mutex *);
	int	(*mutex_init)(struct vlibc_mutex *, const int *attr);
};

/* Argument of __vlibc_locks_attach(); grows at the end, versioned by @size. */
struct vlibc_locks_params {
	unsigned int	size;
	unsigned int	spin;		/* rounds of spinning before sleeping */
	long		tid_offset;	/* of the kernel thread id from the thread pointer */
	/* Switches asynchronous cancellation on (1) or back off (0) around a
	 * wait that is a cancellation point; returns what it replaced. */
	int		(*cancel_async)(int on);
	/* glibc's __libc_single_threaded: nonzero while the process has one
	 * thread, so private mutexes need no atomic instructions. */
	const char	*single_threaded;
	struct vlibc_locks_glibc glibc;
	/* LOCKS_FUTEX2: futex_wait(2)/futex_wake(2) until one is refused;
	 * anything else: futex(2), as glibc. */
	unsigned int	futex_api;
};

/* The family's part of the private region; all zero still works. */
struct vlibc_locks_state {
	unsigned int	spin;
	int		futex_api;	/* LOCKS_FUTEX2, else futex(2) */
	long		tid_offset;	/* 0: ask the kernel (gettid) */
	int		(*cancel_async)(int on);
	int		once_generation; /* 0 until a once needs it */
	const char	*single_threaded;
	struct vlibc_locks_glibc glibc;
};

#define LOCKS_FUTEX1		1	/* futex(2), as glibc (0 means the same) */
#define LOCKS_FUTEX2		2	/* futex_wait(2)/futex_wake(2), Linux 6.7,
					 * until the first refusal */

#endif /* _VLIBC_LOCKS_H */
