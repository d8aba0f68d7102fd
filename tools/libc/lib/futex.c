// SPDX-License-Identifier: GPL-2.0
/*
 * Futex waits and wakes, and a small lock on them (see <vlibc/futex.h>):
 * built into the image and into the binder alike.
 */
#include <linux/errno.h>
#include <linux/futex.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/futex.h>

/*
 * The image counts its system calls (<vlibc/stat.h>); the binder's copy
 * counts nothing: the counters are the image's, for the image's work.
 */
#ifdef __VLIBC_IMAGE__
#include <vlibc/stat.h>
#define futex_count(c)	vlibc_stat_inc(VLIBC_STAT_##c)
#else
#define futex_count(c)	do { } while (0)
#endif

int vlibc_futex_wait(uint32_t *word, uint32_t val,
		     const struct vlibc_timespec *rel)
{
	long r;

	futex_count(futex_wait);
	r = __arch_syscall4(__NR_futex, (long)word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
			    val, (long)rel);
	return r == -EWOULDBLOCK ? -EAGAIN : (int)r;
}

void vlibc_futex_wake(uint32_t *word, int n)
{
	futex_count(futex_wake);
	__arch_syscall3(__NR_futex, (long)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n);
}

void vlibc_lock_slow(struct vlibc_lock *l)
{
	uint32_t c = 1;

	if (!__atomic_compare_exchange_n(&l->word, &c, 2, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED) && c == 0 &&
	    vlibc_trylock(l))
		return;
	while (__atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE) != 0)
		vlibc_futex_wait(&l->word, 2, 0);
}
