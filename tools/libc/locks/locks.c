// SPDX-License-Identifier: GPL-2.0
/*
 * The locks family's set-up.  Everything works from the all-zero private
 * region (a fork child before the binder refilled it): thread ids come
 * from gettid(), nobody spins, waits use futex(2) and are not
 * cancellation points, and the mutexes left to glibc answer EAGAIN
 * (EINVAL when destroyed).
 */
#include <linux/errno.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/families.h>
#include <vlibc/locks-impl.h>

/* The first version of struct vlibc_locks_params ends after glibc. */
#define LOCKS_PARAMS_SIZE_V1	(offsetof(struct vlibc_locks_params, glibc) + \
				 sizeof(struct vlibc_locks_glibc))
/* The second one after futex_api. */
#define LOCKS_PARAMS_SIZE_V2	(offsetof(struct vlibc_locks_params, futex_api) + \
				 sizeof(unsigned int))

/*
 * Is the binder's offset where glibc keeps the thread id?  It is
 * libthread_db's own description of glibc's descriptor
 * (_thread_db_pthread_tid), so only plausibility is checked: asking
 * gettid() would be a system call glibc never makes for a lock, which a
 * sandbox may kill on.
 */
static int tid_offset_valid(void)
{
	int mine = vlibc_locks_tid();

	return mine > 0 && mine <= VLIBC_PID_MAX_LIMIT;
}

void vlibc_locks_init(struct vlibc_private *p, const struct vlibc_elf_dyn *vdso)
{
}

/*
 * The binder's part: how long to spin, where glibc keeps the thread id
 * (checked for plausibility here), the cancellation switch, glibc's own
 * functions and which futex calls to make.  Called again in a fork child.
 */
VLIBC_ENTRY long __vlibc_locks_attach(const struct vlibc_locks_params *params)
{
	struct vlibc_locks_state *l = &vlibc_private()->locks;

	if (!params || params->size < LOCKS_PARAMS_SIZE_V1)
		return -EINVAL;
	if (params->tid_offset) {
		l->tid_offset = params->tid_offset;
		if (!tid_offset_valid()) {
			l->tid_offset = 0;
			return -ENOENT;
		}
	}
	l->spin = params->spin;
	l->cancel_async = params->cancel_async;
	l->single_threaded = params->single_threaded;
	l->glibc = params->glibc;
	l->futex_api = params->size >= LOCKS_PARAMS_SIZE_V2 &&
		       params->futex_api == LOCKS_FUTEX2 ? LOCKS_FUTEX2 : LOCKS_FUTEX1;
	return 0;
}
