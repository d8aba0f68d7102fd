// SPDX-License-Identifier: GPL-2.0
/*
 * The service thread, and a thread that exits with requests in flight.
 *
 * io_uring ties a request to the thread that submitted it: when that
 * thread exits, a request still waiting (a read on an empty pipe) ends
 * with ECANCELED, and a buffered read still retrying with EFAULT.  POSIX
 * requests outlive their thread, so the exiting thread (the binder calls
 * __vlibc_aio_thread_exit() from a thread-exit destructor) cancels each of
 * its requests and hands the ones the kernel gave back to the service
 * thread, which submits them again and never exits.  A request the kernel
 * is already running is waited for.
 *
 * The service thread (started at the first request that needs it, by
 * the binder's start_service()) waits for completions, so that
 * notifications come and writes go on while the application does not
 * call in, and submits the requests handed over to it.  Below it:
 * wait.c, req.c, ring.c; the layers: vlibc/aio.h.
 */
#include <linux/errno.h>
#include <vlibc/aio.h>
#include <vlibc/arch/thread.h>

#define EXIT_BATCH	32

/* Start the service thread, once; service_started says whether it runs. */
void vlibc_aio_start_service(struct vlibc_aio_state *a)
{
	uint32_t zero = 0;

	if (a->start_service && !__atomic_load_n(&a->service_started, __ATOMIC_RELAXED) &&
	    __atomic_compare_exchange_n(&a->service_started, &zero, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED) &&
	    a->start_service())
		__atomic_store_n(&a->service_started, 0, __ATOMIC_RELEASE);
}

struct handoff_wait {
	struct vlibc_aio_token	*token;
	struct vlibc_aiocb	*cb;
	unsigned long		owner;
};

/* The cancel answered, and the request ended or left this thread. */
static int handoff_settled(void *ctx)
{
	struct handoff_wait *w = ctx;

	if (!__atomic_load_n(&w->token->done, __ATOMIC_ACQUIRE))
		return 0;
	return !aio_in_progress(w->cb) ||
	       __atomic_load_n(&w->cb->owner, __ATOMIC_ACQUIRE) != w->owner;
}

static int hand_off(struct vlibc_aio_state *a, const struct vlibc_aio_ref *ref,
		    unsigned long self)
{
	struct vlibc_aio_token token = { 0 };
	struct handoff_wait w = { &token, ref->cb, self };
	int r = 0;

	vlibc_lock(&a->sq_lock);
	vlibc_lock(&a->list_lock);
	if (vlibc_aio_active_is(a, ref->cb, ref->seq) &&
	    ref->cb->state == AIO_REQ_INFLIGHT && ref->cb->owner == self)
		r = vlibc_aio_cancel_push_locked(a, ref->cb, &token, AIO_CANCEL_HANDOFF);
	else
		token.done = 1;		/* it ended meanwhile */
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->sq_lock);
	if (r)
		return r;
	while (vlibc_aio_wait(a, handoff_settled, &w, 0, WAITER_CALLER, 0))
		;
	/* Wake the service thread, wherever it waits. */
	vlibc_aio_ring_kick(a);
	return 0;
}

static int owned_by(const struct vlibc_aiocb *r, const void *self)
{
	return r->state == AIO_REQ_INFLIGHT && r->owner == *(const unsigned long *)self &&
	       r->canceling == AIO_CANCEL_NONE;
}

VLIBC_ENTRY long __vlibc_aio_thread_exit(void)
{
	struct vlibc_aio_state *a = aio_state();
	unsigned long self = __arch_thread_id();
	struct vlibc_aio_ref batch[EXIT_BATCH];
	int n, i;

	if (a->ring_state != AIO_RING_READY || !a->start_service)
		return 0;
	while ((n = vlibc_aio_collect(a, owned_by, &self, batch, EXIT_BATCH)) > 0) {
		vlibc_aio_start_service(a);
		if (!__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
			return -EAGAIN;	/* no thread to take them over */
		for (i = 0; i < n; i++)
			if (hand_off(a, &batch[i], self))
				return -EBADF;	/* the ring is gone */
	}
	return 0;
}

static int handoff_waiting(void *ctx)
{
	struct vlibc_aio_state *a = ctx;

	return __atomic_load_n(&a->handoff, __ATOMIC_ACQUIRE) != 0;
}

/* The service thread's body: reap and notify, submit handed-off requests. */
VLIBC_ENTRY long __vlibc_aio_service(void)
{
	struct vlibc_aio_state *a = aio_state();

	vlibc_aio_ring_get(a);
	for (;;) {
		vlibc_aio_wait(a, handoff_waiting, a, 0, WAITER_SERVICE, 0);
		vlibc_aio_issue_handoffs(a);
	}
}
