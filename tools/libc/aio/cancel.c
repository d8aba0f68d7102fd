// SPDX-License-Identifier: GPL-2.0
/*
 * aio_cancel(): a request the kernel has not seen yet is taken back at
 * once; one in the kernel gets IORING_OP_ASYNC_CANCEL, and the answer
 * waits for the kernel's word, so AIO_CANCELED always means the request
 * ended with ECANCELED and AIO_ALLDONE that it has ended.
 *
 * -EALREADY (io-wq has the request: running, or in the chain of hashed
 * writes to one file it took off its list at once) does not mean it goes
 * on: io-wq marks it, and a request not yet started ends with ECANCELED
 * when its turn comes.  On a regular file or block device such a request
 * ends (as pread(2) or pwrite(2) there would), so the answer waits for
 * its end and says how it ended.  On a pipe, socket or terminal it may
 * wait for a peer for ever (a read io-wq hands to poll), so the answer
 * is given at once, from what is known then.
 *
 * An entry point: below it req.c, wait.c, fd.c (the layers: vlibc/aio.h).
 */
#include <linux/errno.h>
#include <vlibc/aio.h>

#define CANCEL_BATCH		32

struct cancel_wait {
	struct vlibc_aio_state	*a;
	struct vlibc_aio_token	*token;
	struct vlibc_aiocb	*cb;
	uint64_t		seq;
};

/*
 * Has request @seq in @cb ended?  Off the active list, and its result
 * stored (finish() stores it just after), or @cb reused since.
 */
static int request_ended(struct vlibc_aio_state *a,
			 const struct vlibc_aiocb *cb, uint64_t seq)
{
	int active;

	vlibc_lock(&a->list_lock);
	active = vlibc_aio_active_is(a, cb, seq);
	vlibc_unlock(&a->list_lock);
	return !active && (!aio_in_progress(cb) ||
			   __atomic_load_n(&cb->seq, __ATOMIC_RELAXED) != seq);
}

/* The cancel answered, and (unless the request may run on) it ended. */
static int cancel_settled(void *ctx)
{
	struct cancel_wait *w = ctx;

	if (!__atomic_load_n(&w->token->done, __ATOMIC_ACQUIRE))
		return 0;
	return w->token->res == -EALREADY || request_ended(w->a, w->cb, w->seq);
}

static int running_request_ended(void *ctx)
{
	struct cancel_wait *w = ctx;

	return request_ended(w->a, w->cb, w->seq);
}

/*
 * Is request @seq in @cb, which io-wq has, on a regular file or block
 * device, where it ends?  Not when it ended already, or the type is not
 * to be had (fstat refused: taken for a stream).
 */
static int running_on_file(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   uint64_t seq)
{
	int fl = -1;

	vlibc_lock(&a->list_lock);
	/* Still ours while active: fd_cache may be written (reads: once). */
	if (vlibc_aio_active_is(a, cb, seq))
		fl = vlibc_aio_fd_flags(cb, 1);
	vlibc_unlock(&a->list_lock);
	return fl >= 0 && !(fl & AIO_FD_STREAM);
}

/* How the request in @cb ended: ECANCELED, or else @not_canceled. */
static int ended_as(const struct vlibc_aiocb *cb, int not_canceled)
{
	return __atomic_load_n(&cb->error_code, __ATOMIC_ACQUIRE) == ECANCELED ?
	       VLIBC_AIO_CANCELED : not_canceled;
}

/*
 * The kernel's answer to a cancel in flight, once it came.  After
 * -EALREADY on a file the request is waited for (see the top); it was in
 * progress, so unless it ended with ECANCELED the answer is
 * AIO_NOTCANCELED, and its result stays what the kernel gave.
 */
static int cancel_result(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			 uint64_t seq, struct vlibc_aio_token *token)
{
	struct cancel_wait w = { a, token, cb, seq };

	/* Not interruptible: the token lives on this stack until answered. */
	while (vlibc_aio_wait(a, cancel_settled, &w, 0, WAITER_CALLER, 0))
		;
	if (token->res != -EALREADY)
		return ended_as(cb, VLIBC_AIO_ALLDONE);
	if (running_on_file(a, cb, seq))
		while (vlibc_aio_wait(a, running_request_ended, &w, 0, WAITER_CALLER, 0))
			;
	if (!request_ended(a, cb, seq))
		return VLIBC_AIO_NOTCANCELED;
	return ended_as(cb, VLIBC_AIO_NOTCANCELED);
}

/*
 * Cancel @cb, which must still be request @seq (0: whatever it is).  The
 * decision is taken under sq_lock and list_lock, where @cb cannot end.
 */
static int cancel_one(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		      uint64_t seq)
{
	struct vlibc_aio_token token = { 0 };
	uint64_t active_seq;
	int state, r;

	vlibc_lock(&a->sq_lock);
	vlibc_lock(&a->list_lock);
	if (!vlibc_aio_active_is(a, cb, seq)) {
		/* Ended, or EINPROGRESS but never ours (inherited at fork). */
		r = seq || !aio_in_progress(cb) || cb->state == AIO_REQ_DONE ?
		    VLIBC_AIO_ALLDONE : -EINVAL;
		goto unlock;
	}
	state = cb->state;
	if (state == AIO_REQ_RUNNING) {
		/* A worker of the executor is in the system call: as glibc. */
		r = VLIBC_AIO_NOTCANCELED;
		goto unlock;
	}
	if (state == AIO_REQ_QUEUED || state == AIO_REQ_HELD ||
	    state == AIO_REQ_EXEC) {
		/* A write that goes on ends with what it wrote: not canceled. */
		r = cb->return_value > 0 ? VLIBC_AIO_ALLDONE : VLIBC_AIO_CANCELED;
		vlibc_aio_unlink_waiting(a, cb);
		vlibc_unlock(&a->list_lock);
		vlibc_unlock(&a->sq_lock);
		vlibc_aio_complete(a, cb, -ECANCELED, 1);
		return r;
	}
	active_seq = cb->seq;
	r = vlibc_aio_cancel_push_locked(a, cb, &token, AIO_CANCEL_USER);
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->sq_lock);
	return r ? VLIBC_AIO_NOTCANCELED : cancel_result(a, cb, active_seq, &token);
unlock:
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->sq_lock);
	return r;
}

static int on_fd(const struct vlibc_aiocb *r, const void *fd)
{
	return r->fildes == *(const int *)fd;
}

static int cancel_fd(struct vlibc_aio_state *a, int fd)
{
	struct vlibc_aio_ref batch[CANCEL_BATCH];
	uint64_t done_up_to = 0;
	int n, i, r, any_canceled = 0, not_canceled = 0;

	while ((n = vlibc_aio_collect(a, on_fd, &fd, batch, CANCEL_BATCH)) > 0) {
		int progress = 0;

		for (i = 0; i < n; i++) {
			/* Each request once: those that run on stay listed. */
			if (batch[i].seq <= done_up_to)
				continue;
			r = cancel_one(a, batch[i].cb, batch[i].seq);
			any_canceled |= r == VLIBC_AIO_CANCELED;
			not_canceled |= r == VLIBC_AIO_NOTCANCELED;
			done_up_to = batch[i].seq;
			progress = 1;
		}
		if (!progress)
			break;
	}
	if (not_canceled)
		return VLIBC_AIO_NOTCANCELED;
	return any_canceled ? VLIBC_AIO_CANCELED : VLIBC_AIO_ALLDONE;
}

VLIBC_ENTRY long __vlibc_aio_cancel(int fd, struct vlibc_aiocb *cb)
{
	struct vlibc_aio_state *a = aio_state();
	int r;

	vlibc_stat_inc(VLIBC_STAT_aio_cancel);
	r = vlibc_aio_fd_valid(fd);
	if (r)
		return r;
	if (cb && vlibc_aio_check_cb(cb))
		return -EINVAL;
	if (cb && cb->fildes != fd)
		return -EINVAL;
	if (__atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE) == AIO_RING_NONE)
		return cb && aio_in_progress(cb) ? -EINVAL : VLIBC_AIO_ALLDONE;
	return cb ? cancel_one(a, cb, 0) : cancel_fd(a, fd);
}
