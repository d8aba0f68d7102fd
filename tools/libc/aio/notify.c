// SPDX-License-Identifier: GPL-2.0
/*
 * Telling the application: a request's sigevent (a signal, or a
 * SIGEV_THREAD call through the binder), and the lio_listio groups whose
 * sigevent goes when their last request completes.  A leaf of the
 * family: calls nothing else of it (the layers: vlibc/aio.h).
 */
#include <linux/signal.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>

/* Send @ev as glibc's __aio_notify() does. */
void vlibc_aio_notify(struct vlibc_aio_state *a, const struct vlibc_sigevent *ev)
{
	if (ev->notify == SIGEV_SIGNAL) {
		siginfo_t info = {};

		info.si_signo = ev->signo;
		info.si_code = SI_ASYNCIO;
		info.si_pid = (int)__arch_syscall0(__NR_getpid);
		info.si_uid = (int)__arch_syscall0(__NR_getuid);
		info.si_value.sival_ptr = (void *)(unsigned long)ev->value;
		__arch_syscall3(__NR_rt_sigqueueinfo, info.si_pid, ev->signo,
			       (long)&info);
	} else if (ev->notify == SIGEV_THREAD && a->notify_thread) {
		a->notify_thread(ev->un.thread.function, ev->value,
				 ev->un.thread.attribute);
	}
}

/* A free group for @sig with @count requests; its index + 1, or 0. */
int vlibc_aio_group_take(struct vlibc_aio_state *a,
			 const struct vlibc_sigevent *sig, uint32_t count)
{
	int i;

	vlibc_lock(&a->list_lock);
	for (i = 0; i < VLIBC_AIO_GROUPS; i++)
		if (!a->groups[i].pending) {
			a->groups[i].pending = count;
			__builtin_memcpy(a->groups[i].sigevent, sig, sizeof(*sig));
			break;
		}
	vlibc_unlock(&a->list_lock);
	return i < VLIBC_AIO_GROUPS ? i + 1 : 0;
}

/* A request of lio_listio group @group (index + 1) is complete. */
void vlibc_aio_group_done(struct vlibc_aio_state *a, int group)
{
	struct vlibc_aio_group *g = &a->groups[group - 1];
	struct vlibc_sigevent ev;
	int last;

	vlibc_lock(&a->list_lock);
	__builtin_memcpy(&ev, g->sigevent, sizeof(ev));
	last = --g->pending == 0;
	vlibc_unlock(&a->list_lock);
	if (last)
		vlibc_aio_notify(a, &ev);
}
