// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include <linux/futex.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/futex.h>
#include <vlibc/private.h>

#define CLOCK_MONOTONIC		1

int vlibc_futex_wait(uint32_t *word, uint32_t val,
		     const struct vlibc_timespec *rel)
{
	long r = vlibc_syscall4(__NR_futex, (long)word,
				FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, (long)rel);

	return r == -EWOULDBLOCK ? -EAGAIN : (int)r;
}

void vlibc_futex_wake(uint32_t *word, int n)
{
	vlibc_syscall3(__NR_futex, (long)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n);
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

void vlibc_clock_monotonic(struct vlibc_timespec *ts)
{
	struct vlibc_private *p = vlibc_private();

	if (!p->clock_gettime ||
	    p->clock_gettime(CLOCK_MONOTONIC, ts) != 0)
		vlibc_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC, (long)ts);
}
