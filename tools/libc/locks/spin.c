// SPDX-License-Identifier: GPL-2.0
/*
 * pthread spinlocks in glibc's x86-64 encoding: 1 free, 0 or below taken.
 * A locker decrements; whoever does not reach 0 waits reading until the
 * word is positive again, then retries.
 */
#include <linux/errno.h>
#include <vlibc/arch/processor.h>
#include <vlibc/locks.h>

VLIBC_ENTRY int __vlibc_pthread_spin_lock(int *lock)
{
	while (__atomic_sub_fetch(lock, 1, __ATOMIC_ACQUIRE) != 0) {
		do
			__arch_cpu_relax();
		while (__atomic_load_n(lock, __ATOMIC_RELAXED) <= 0);
	}
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_spin_trylock(int *lock)
{
	int free = 1;

	return __atomic_compare_exchange_n(lock, &free, 0, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED) ? 0 : EBUSY;
}

VLIBC_ENTRY int __vlibc_pthread_spin_unlock(int *lock)
{
	__atomic_store_n(lock, 1, __ATOMIC_RELEASE);
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_spin_init(int *lock, int pshared)
{
	__atomic_store_n(lock, 1, __ATOMIC_RELAXED);
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_spin_destroy(int *lock)
{
	return 0;
}
