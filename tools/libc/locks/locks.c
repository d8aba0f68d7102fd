// SPDX-License-Identifier: GPL-2.0
/*
 * The locks family's set-up.  Everything works from the all-zero private
 * region (a fork child before the binder refilled it): thread ids come
 * from gettid(), nobody spins, waits are not cancellation points, and the
 * mutexes left to glibc answer EAGAIN (EINVAL when destroyed).
 */
#include <linux/errno.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/families.h>
#include <vlibc/locks-impl.h>

/* The first version of struct vlibc_locks_params ends after glibc. */
#define LOCKS_PARAMS_SIZE_V1	(offsetof(struct vlibc_locks_params, glibc) + \
				 sizeof(struct vlibc_locks_glibc))

void vlibc_locks_init(struct vlibc_private *p, const struct vlibc_elf_dyn *vdso)
{
}

/*
 * The binder's part: how long to spin, where glibc keeps the thread id
 * (checked against gettid() here), the cancellation switch and glibc's
 * own functions.  Called again in a fork child.
 */
VLIBC_ENTRY long __vlibc_locks_attach(const struct vlibc_locks_params *params)
{
	struct vlibc_locks_state *l = &vlibc_private()->locks;

	if (!params || params->size < LOCKS_PARAMS_SIZE_V1)
		return -EINVAL;
	if (params->tid_offset) {
		l->tid_offset = params->tid_offset;
		if (vlibc_locks_tid() != (int)vlibc_syscall0(__NR_gettid)) {
			l->tid_offset = 0;
			return -ENOENT;
		}
	}
	l->spin = params->spin;
	l->cancel_async = params->cancel_async;
	l->single_threaded = params->single_threaded;
	l->glibc = params->glibc;
	return 0;
}
