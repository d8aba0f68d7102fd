// SPDX-License-Identifier: GPL-2.0
/*
 * Completions: whoever needs one reaps the completion ring (aio_error,
 * the waiters, the service thread) and classifies each completion in one
 * place (classify()), then takes the edge of the state diagram (req.c)
 * that it calls for.  Outside the locks it sends the notifications and
 * wakes the waiters.  Below it: req.c, exec.c; the layers: vlibc/aio.h.
 */
#include <linux/errno.h>
#include <linux/io_uring.h>
#include <vlibc/aio.h>

#define NOTES_PER_BATCH		32

/* What a completion of the ring is. */
enum cqe_kind {
	CQE_KICK,		/* a NOP posted to wake a waiter */
	CQE_CANCEL_ANSWER,	/* the kernel's answer to a cancel: a token */
	CQE_NO_OFFSET,		/* ESPIPE: a socket or pipe, again as a stream */
	CQE_PARTIAL_WRITE,	/* a write that goes on, as write(2) does */
	CQE_CANCELLED,		/* ECANCELED or EINTR: by whom decides */
	CQE_RESULT,		/* the request's result */
};

/*
 * Does write @cb end part way (@res bytes) where write(2) would go on?
 * io_uring writes to a pipe or socket what fits without waiting and ends
 * the request with that count, where write(2) on a blocking descriptor
 * goes on until all is written (glibc's AIO thread calls write(2)).  A
 * read ends short as read(2) does.
 */
static int write_goes_on(struct vlibc_aiocb *cb, int res)
{
	long done = cb->return_value + res;
	int fl;

	if ((cb->op & ~AIO_OP_STREAM) != AIO_OP_WRITE || res <= 0 ||
	    (unsigned long)done >= aio_rw_count(cb))
		return 0;
	/* Usually kept in the aiocb since the submission: no system call. */
	fl = vlibc_aio_fd_flags(cb, 1);
	return fl >= 0 && (fl & AIO_FD_WRITES_ALL);
}

static enum cqe_kind classify(uint64_t ud, int res)
{
	struct vlibc_aiocb *cb = (struct vlibc_aiocb *)ud;

	if (!ud)
		return CQE_KICK;
	if (ud & AIO_UD_TOKEN)
		return CQE_CANCEL_ANSWER;
	if (res == -ESPIPE && cb->op <= AIO_OP_WRITE)
		return CQE_NO_OFFSET;
	if (write_goes_on(cb, res))
		return CQE_PARTIAL_WRITE;
	if (res == -ECANCELED || res == -EINTR)
		return CQE_CANCELLED;
	return CQE_RESULT;
}

/*
 * @cb ended with ECANCELED or EINTR.  Its exiting thread was handing it
 * off: the service thread submits it again.  Nobody cancelled it: the
 * kernel dropped it before it did anything (io-wq could not start a
 * worker for it, RLIMIT_NPROC or a pids cgroup, where glibc would have
 * said EAGAIN at once; or its thread exited after the fallback, when no
 * exiting thread can hand its requests over, which needs io_uring_enter),
 * and the executor does it again.  Returns 1 when @cb goes on.
 */
static int cancelled_goes_on(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			     int res)
{
	if (vlibc_aio_hand_off(a, cb, res))
		return 1;
	return cb->canceling == AIO_CANCEL_NONE && vlibc_aio_adopt(a, cb);
}

/*
 * Take up to NOTES_PER_BATCH completions off the ring; returns how many
 * (kicks aside, which *@kicks counts).  Under cq_lock.
 */
static int reap_batch(struct vlibc_aio_state *a, struct vlibc_aio_note *notes,
		      int *n_notes, int *kicks)
{
	uint32_t head = *a->cq_head;
	uint32_t tail = __atomic_load_n(a->cq_tail, __ATOMIC_ACQUIRE);
	int done = 0;

	*n_notes = 0;
	while (head != tail && *n_notes < NOTES_PER_BATCH) {
		const struct io_uring_cqe *cqe =
			(const struct io_uring_cqe *)a->cqes + (head & *a->cq_mask);
		uint64_t ud = cqe->user_data;
		struct vlibc_aiocb *cb = (struct vlibc_aiocb *)ud;
		struct vlibc_aio_token *t = (void *)(ud & ~AIO_UD_TOKEN);
		int res = cqe->res;
		enum cqe_kind kind = classify(ud, res);

		head++;
		/* A request's completion: one per submission (req.c's push()). */
		if (kind != CQE_KICK && kind != CQE_CANCEL_ANSWER)
			vlibc_stat_inc(VLIBC_STAT_aio_ring_reaped);
		switch (kind) {
		case CQE_KICK:
			(*kicks)++;
			continue;
		case CQE_CANCEL_ANSWER:
			t->res = res;
			__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
			vlibc_aio_cancel_answered(a);
			break;
		case CQE_NO_OFFSET:
			/* glibc reads and writes a socket without an offset. */
			cb->op |= AIO_OP_STREAM;
			if (vlibc_aio_requeue(a, cb))
				break;
			/* A cancel came: end it, or hand it off as is. */
			res = -ECANCELED;
			if (!cancelled_goes_on(a, cb, res))
				vlibc_aio_finish(a, cb, res, 1, &notes[(*n_notes)++]);
			break;
		case CQE_PARTIAL_WRITE:
			/* Keep the count in cb->return_value, submit the rest. */
			cb->return_value += res;
			if (vlibc_aio_requeue(a, cb) ||
			    vlibc_aio_hand_off(a, cb, -ECANCELED))
				break;
			/* A cancel came: vlibc_aio_finish() adds @res. */
			cb->return_value -= res;
			vlibc_aio_finish(a, cb, res, 1, &notes[(*n_notes)++]);
			break;
		case CQE_CANCELLED:
			if (!cancelled_goes_on(a, cb, res))
				vlibc_aio_finish(a, cb, res, 1, &notes[(*n_notes)++]);
			break;
		case CQE_RESULT:
			vlibc_aio_finish(a, cb, res, 1, &notes[(*n_notes)++]);
			break;
		}
		done++;
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
	struct vlibc_aio_note notes[NOTES_PER_BATCH];
	int n, i, total = 0, batch, kicks = 0;

	if (__atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE) == AIO_RING_NONE)
		return 0;
	do {
		vlibc_lock(&a->cq_lock);
		batch = a->cqes ? reap_batch(a, notes, &n, &kicks) : 0;
		vlibc_unlock(&a->cq_lock);
		for (i = 0; batch && i < n; i++)
			vlibc_aio_announce(a, &notes[i]);
		total += batch;
	} while (batch && n == NOTES_PER_BATCH);
	vlibc_aio_exec_kick(a);
	if (total) {
		vlibc_aio_wake_waiters(a);
		vlibc_aio_release_held(a);
		vlibc_aio_flush(a);
	} else if (kicks && __atomic_load_n(&a->kernel_waiter, __ATOMIC_SEQ_CST)) {
		/* We took a kick meant for the thread in the kernel: pass it on. */
		vlibc_aio_ring_kick(a);
	}
	return total;
}
