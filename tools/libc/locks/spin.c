// SPDX-License-Identifier: GPL-2.0
/*
 * pthread spinlocks in glibc's encoding for the architecture (SPIN_FREE,
 * __arch_spin_lock() and __arch_spin_trylock() of <vlibc/arch/glibc-locks.h>).
 */
#include <linux/errno.h>
#include <vlibc/locks.h>
#include <vlibc/stat.h>

VLIBC_ENTRY int __vlibc_pthread_spin_lock(int *lock)
{
	__arch_spin_lock(lock);
	return vlibc_stat_inc_return(VLIBC_STAT_spin_lock, 0);
}

VLIBC_ENTRY int __vlibc_pthread_spin_trylock(int *lock)
{
	return vlibc_stat_inc_return(VLIBC_STAT_spin_trylock,
				     __arch_spin_trylock(lock) ? 0 : EBUSY);
}

VLIBC_ENTRY int __vlibc_pthread_spin_unlock(int *lock)
{
	__atomic_store_n(lock, SPIN_FREE, __ATOMIC_RELEASE);
	return vlibc_stat_inc_return(VLIBC_STAT_spin_unlock, 0);
}

VLIBC_ENTRY int __vlibc_pthread_spin_init(int *lock, int pshared)
{
	__atomic_store_n(lock, SPIN_FREE, __ATOMIC_RELAXED);
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_spin_destroy(int *lock)
{
	return 0;
}
