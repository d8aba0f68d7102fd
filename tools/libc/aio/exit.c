// SPDX-License-Identifier: GPL-2.0
/*
 * A thread that exits with requests in flight.
 *
 * io_uring ties a request to the thread that submitted it: when that
 * thread exits, a request still waiting (a read on an empty pipe) ends
 * with ECANCELED, and a buffered read still retrying with EFAULT.  POSIX
 * requests outlive their thread, so the exiting thread (the binder calls
 * __vlibc_aio_thread_exit() from a thread-exit destructor) cancels each of
 * its requests and hands the ones the kernel gave back to the service
 * thread, which submits them again and never exits.  A request the kernel
 * is already running is waited for.
 */
#include <linux/errno.h>
#include <vlibc/aio.h>
#include <vlibc/arch/thread.h>

#define EXIT_BATCH	32

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

/*
 * Called by the reaper for each completion: a request this thread was
 * handing off came back cancelled, so queue it for the service thread
 * instead of completing it.  Returns 1 when it took @cb.
 */
int aio_handoff_taken(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		      int res)
{
	if (cb->canceling != AIO_CANCEL_HANDOFF ||
	    (res != -ECANCELED && res != -EINTR))
		return 0;
	vlibc_lock(&a->list_lock);
	a->n_inflight--;
	cb->state = AIO_REQ_QUEUED;
	cb->canceling = AIO_CANCEL_NONE;
	cb->link = a->handoff;
	a->handoff = cb;
	__atomic_store_n(&cb->owner, 0, __ATOMIC_RELEASE);
	vlibc_unlock(&a->list_lock);
	return 1;
}

static int hand_off(struct vlibc_aio_state *a, const struct vlibc_aio_ref *ref,
		    unsigned long self)
{
	struct vlibc_aio_token token = { 0 };
	struct handoff_wait w = { &token, ref->cb, self };
	int r = 0;

	vlibc_lock(&a->sq_lock);
	vlibc_lock(&a->list_lock);
	if (aio_active_is(a, ref->cb, ref->seq) &&
	    ref->cb->state == AIO_REQ_INFLIGHT && ref->cb->owner == self)
		r = aio_cancel_push_locked(a, ref->cb, &token, AIO_CANCEL_HANDOFF);
	else
		token.done = 1;		/* it ended meanwhile */
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->sq_lock);
	if (r)
		return r;
	while (aio_wait(a, handoff_settled, &w, 0, WAITER_CALLER, 0))
		;
	/* Wake the service thread, wherever it waits. */
	aio_ring_kick(a);
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
	while ((n = aio_collect(a, owned_by, &self, batch, EXIT_BATCH)) > 0) {
		aio_start_service(a);
		if (!__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
			return -EAGAIN;	/* no thread to take them over */
		for (i = 0; i < n; i++)
			if (hand_off(a, &batch[i], self))
				return -EBADF;	/* the ring is gone */
	}
	return 0;
}

/*
 * The service thread: submit what exiting threads handed over.  When the
 * ring is lost or refused, they join the queue, which aio_flush() puts on
 * a new ring or hands to the executor.
 */
static void submit_handoffs(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *list, *cb;
	int r = 0;

	vlibc_lock(&a->list_lock);
	list = a->handoff;
	a->handoff = 0;
	vlibc_unlock(&a->list_lock);
	vlibc_lock(&a->sq_lock);
	while (!r && (cb = list)) {
		list = cb->link;
		vlibc_lock(&a->list_lock);
		cb->state = AIO_REQ_INFLIGHT;
		a->n_inflight++;
		__atomic_store_n(&cb->owner, __arch_thread_id(), __ATOMIC_RELEASE);
		vlibc_unlock(&a->list_lock);
		while ((r = aio_push(a, cb)) == -EBUSY)
			;
		if (r)
			aio_requeue(a, cb);
	}
	if (list) {
		/* Not tried: handed over again (the executor takes them too). */
		vlibc_lock(&a->list_lock);
		for (cb = list; cb->link; cb = cb->link)
			;
		cb->link = a->handoff;
		a->handoff = list;
		vlibc_unlock(&a->list_lock);
	}
	vlibc_unlock(&a->sq_lock);
	if (r)
		aio_flush(a);
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

	aio_ring_get(a);
	for (;;) {
		aio_wait(a, handoff_waiting, a, 0, WAITER_SERVICE, 0);
		submit_handoffs(a);
	}
}
