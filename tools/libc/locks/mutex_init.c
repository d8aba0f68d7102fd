// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_mutex_init(), _destroy() and _consistent(), writing and reading
 * the fields as glibc does, so that a mutex set up by either side works
 * with the other.  Attributes asking for a robust or a priority
 * inheritance/protection mutex go to glibc's own pthread_mutex_init():
 * those mutexes stay glibc's for their whole life.
 */
#include <linux/errno.h>
#include <vlibc/locks-impl.h>

VLIBC_ENTRY int __vlibc_pthread_mutex_init(struct vlibc_mutex *m, const int *attr)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;
	unsigned int a = attr ? (unsigned int)*attr : 0;
	int kind;

	if (a & (MUTEXATTR_FLAG_ROBUST | MUTEXATTR_PROTOCOL_MASK))
		return g->mutex_init ? g->mutex_init(m, attr) : EOPNOTSUPP;
	kind = a & ~MUTEXATTR_FLAG_BITS;
	if (a & MUTEXATTR_FLAG_PSHARED)
		kind |= MUTEX_PSHARED;
	*m = (struct vlibc_mutex){ 0 };
	__atomic_store_n(&m->kind, kind, __ATOMIC_RELAXED);
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_mutex_destroy(struct vlibc_mutex *m)
{
	if (!(__atomic_load_n(&m->kind, __ATOMIC_RELAXED) & MUTEX_ROBUST) &&
	    m->nusers)
		return EBUSY;
	/* Later use is undefined; glibc's and vlibc's locks answer EINVAL. */
	__atomic_store_n(&m->kind, -1, __ATOMIC_RELAXED);
	return 0;
}

VLIBC_ENTRY int __vlibc_pthread_mutex_consistent(struct vlibc_mutex *m)
{
	if (!(__atomic_load_n(&m->kind, __ATOMIC_RELAXED) & MUTEX_ROBUST) ||
	    m->owner != MUTEX_INCONSISTENT)
		return EINVAL;
	m->owner = vlibc_locks_tid();
	return 0;
}
