// SPDX-License-Identifier: GPL-2.0
/*
 * Completions: whoever needs one reaps the completion ring (aio_error,
 * aio_suspend, the service thread), sets each request's result, and then,
 * outside the locks, sends the notifications and wakes the waiters.
 */
#include <linux/errno.h>
#include <linux/io_uring.h>
#include <linux/signal.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>

#define NOTES_PER_BATCH		32

struct note {
	struct vlibc_sigevent	ev;
	int			group;
};

/* Send @ev as glibc's vlibc_aio_notify does. */
void vlibc_aio_notify(struct vlibc_aio_state *a, const struct vlibc_sigevent *ev)
{
	if (ev->notify == SIGEV_SIGNAL) {
		siginfo_t info = {};

		info.si_signo = ev->signo;
		info.si_code = SI_ASYNCIO;
		info.si_pid = (int)vlibc_syscall0(__NR_getpid);
		info.si_uid = (int)vlibc_syscall0(__NR_getuid);
		info.si_value.sival_ptr = (void *)(unsigned long)ev->value;
		vlibc_syscall3(__NR_rt_sigqueueinfo, info.si_pid, ev->signo,
			       (long)&info);
	} else if (ev->notify == SIGEV_THREAD && a->notify_thread) {
		a->notify_thread(ev->un.thread.function, ev->value,
				 ev->un.thread.attribute);
	}
}

void vlibc_aio_start_service(struct vlibc_aio_state *a)
{
	uint32_t zero = 0;

	if (a->start_service && !__atomic_load_n(&a->service_started, __ATOMIC_RELAXED) &&
	    __atomic_compare_exchange_n(&a->service_started, &zero, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED) &&
	    a->start_service())
		__atomic_store_n(&a->service_started, 0, __ATOMIC_RELEASE);
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

/* Take @cb off the active list; under list_lock. */
void vlibc_aio_active_remove(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	if (cb->next == cb) {
		a->active = 0;
	} else {
		cb->prev->next = cb->next;
		cb->next->prev = cb->prev;
		if (a->active == cb)
			a->active = cb->next;
	}
	if (cb->state == AIO_REQ_INFLIGHT)
		a->n_inflight--;
}

/*
 * Record @res as @cb's result and take @cb off the lists; *@n gets what
 * must be announced.  After the store to error_code the caller may reuse
 * @cb, so nothing reads it afterwards.
 */
static void finish(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, long res,
		   int listed, struct note *n)
{
	/* Bytes a write that went on had done before (see write_goes_on()). */
	long before = listed ? cb->return_value : 0;

	n->ev = cb->sigevent;
	n->group = cb->group;
	if (res == -EINTR && cb->canceling == AIO_CANCEL_USER)
		res = -ECANCELED;
	/* Stopped part way, as write(2): what was written, not the error. */
	if (before > 0)
		res = res < 0 ? before : before + res;
	if (listed) {
		vlibc_lock(&a->list_lock);
		vlibc_aio_active_remove(a, cb);
		cb->state = AIO_REQ_DONE;
		vlibc_unlock(&a->list_lock);
	}
	cb->state = AIO_REQ_DONE;
	cb->return_value = res < 0 ? -1 : res;
	__atomic_store_n(&cb->error_code, res < 0 ? (int)-res : 0,
			 __ATOMIC_RELEASE);
}

static void announce(struct vlibc_aio_state *a, const struct note *n)
{
	if (n->ev.notify == SIGEV_SIGNAL || n->ev.notify == SIGEV_THREAD)
		vlibc_aio_notify(a, &n->ev);
	if (n->group)
		vlibc_aio_group_done(a, n->group);
}

/*
 * Tell waiters something completed: those asleep on the futex, and a
 * caller waiting in the kernel for a completion this thread took off the
 * ring first (a NOP gives it one of its own).
 */
static void wake_waiters(struct vlibc_aio_state *a)
{
	__atomic_add_fetch(&a->wakeups, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&a->n_sleepers, __ATOMIC_SEQ_CST))
		vlibc_futex_wake(&a->wakeups, 0x7fffffff);
	if (__atomic_load_n(&a->kernel_waiter, __ATOMIC_SEQ_CST) == WAITER_CALLER)
		vlibc_aio_ring_kick(a);
}

/*
 * Complete @cb with @res without the ring: a request refused before it
 * was listed (bad arguments, @listed 0), or one the kernel never saw
 * (queued, held, cancelled: @listed 1, taken off the active list).
 */
void vlibc_aio_complete(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, long res,
		  int listed)
{
	struct note n;

	finish(a, cb, res, listed, &n);
	announce(a, &n);
	wake_waiters(a);
	if (listed)
		vlibc_aio_release_held(a);
}

/*
 * io_uring writes to a pipe or socket what fits without waiting and ends
 * the request with that count, where write(2) on a blocking descriptor
 * goes on until all is written (glibc's AIO thread calls write(2)).  Keep
 * the count in cb->return_value and submit the rest; a read ends short
 * as read(2) does.  Returns 1 when it took @cb.
 */
static int write_goes_on(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			 int res)
{
	long done = cb->return_value + res;
	int fl;

	if ((cb->op & ~AIO_OP_STREAM) != AIO_OP_WRITE || res <= 0 ||
	    (unsigned long)done >= aio_rw_count(cb))
		return 0;
	/* Usually kept in the aiocb since the submission: no system call. */
	fl = vlibc_aio_fd_flags(cb, 1);
	if (fl < 0 || !(fl & AIO_FD_WRITES_ALL))
		return 0;
	cb->return_value = done;
	if (vlibc_aio_requeue(a, cb) || vlibc_aio_handoff_taken(a, cb, -ECANCELED))
		return 1;
	cb->return_value = done - res;	/* a cancel came: finish() adds @res */
	return 0;
}

/*
 * Nobody cancelled @cb, yet it ended with ECANCELED (EINTR): the kernel
 * dropped it before it did anything.  io-wq could not start a worker for
 * it (RLIMIT_NPROC, a pids cgroup: glibc would have said EAGAIN at once),
 * or its thread exited after the fallback, when no exiting thread can
 * hand its requests over (that needs io_uring_enter).  The executor does
 * it again (vlibc_aio_exec_adopt()).
 */
static int res_dropped_by_kernel(const struct vlibc_aiocb *cb, int res)
{
	return (res == -ECANCELED || res == -EINTR) &&
	       cb->canceling == AIO_CANCEL_NONE;
}

/* Take up to NOTES_PER_BATCH completions off the ring; returns how many. */
static int reap_batch(struct vlibc_aio_state *a, struct note *notes, int *n_notes,
		      int *kicks)
{
	uint32_t head = *a->cq_head;
	uint32_t tail = __atomic_load_n(a->cq_tail, __ATOMIC_ACQUIRE);
	int done = 0;

	*n_notes = 0;
	while (head != tail && *n_notes < NOTES_PER_BATCH) {
		const struct io_uring_cqe *cqe =
			(const struct io_uring_cqe *)a->cqes + (head & *a->cq_mask);
		uint64_t ud = cqe->user_data;
		int res = cqe->res;
		struct vlibc_aiocb *cb;

		head++;
		if (!ud) {
			(*kicks)++;
			continue;
		}
		done++;
		if (ud & AIO_UD_TOKEN) {
			struct vlibc_aio_token *t = (void *)(ud & ~AIO_UD_TOKEN);

			t->res = res;
			__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
			__atomic_sub_fetch(&a->n_cancels_unreaped, 1, __ATOMIC_RELAXED);
			continue;
		}
		cb = (struct vlibc_aiocb *)ud;
		if (res == -ESPIPE && cb->op <= AIO_OP_WRITE) {
			/* glibc reads and writes a socket without an offset. */
			cb->op |= AIO_OP_STREAM;
			if (vlibc_aio_requeue(a, cb))
				continue;
			/* A cancel came: end it, or hand it off as is. */
			res = -ECANCELED;
		}
		if (write_goes_on(a, cb, res) || vlibc_aio_handoff_taken(a, cb, res))
			continue;
		if (res_dropped_by_kernel(cb, res) && vlibc_aio_exec_adopt(a, cb))
			continue;
		finish(a, cb, res, 1, &notes[(*n_notes)++]);
	}
	__atomic_store_n(a->cq_head, head, __ATOMIC_RELEASE);
	return done;
}

/*
 * Reap the ring's completions, without a system call; after the fallback
 * the old ring's memory is still reaped while requests remain in it.
 */
int vlibc_aio_reap(struct vlibc_aio_state *a)
{
	struct note notes[NOTES_PER_BATCH];
	int n, i, total = 0, batch, kicks = 0;

	if (__atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE) == AIO_RING_NONE)
		return 0;
	do {
		vlibc_lock(&a->cq_lock);
		batch = a->cqes ? reap_batch(a, notes, &n, &kicks) : 0;
		vlibc_unlock(&a->cq_lock);
		for (i = 0; batch && i < n; i++)
			announce(a, &notes[i]);
		total += batch;
	} while (batch && n == NOTES_PER_BATCH);
	vlibc_aio_exec_kick(a);
	if (total) {
		wake_waiters(a);
		vlibc_aio_release_held(a);
		vlibc_aio_flush(a);
	} else if (kicks && __atomic_load_n(&a->kernel_waiter, __ATOMIC_SEQ_CST)) {
		/* We took a kick meant for the thread in the kernel: pass it on. */
		vlibc_aio_ring_kick(a);
	}
	return total;
}
