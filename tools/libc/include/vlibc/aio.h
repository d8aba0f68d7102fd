/* SPDX-License-Identifier: GPL-2.0 */
/*
 * POSIX AIO on io_uring: the family's internal interface.
 *
 * struct vlibc_aiocb is glibc's struct aiocb (vlibc/arch/glibc-aio.h).
 * A request's state lives in the fields glibc keeps for itself and never
 * reads back: __next_prio, __abs_prio, __policy and __glibc_reserved.
 * __error_code and __return_value mean what they mean in glibc;
 * __error_code is written last, with release order, so a caller that
 * sees it leave EINPROGRESS sees the result too.  While a
 * request is in progress __return_value counts the bytes already done
 * (a write on a pipe or socket goes on after a partial count, as
 * write(2) does there: see complete.c); the padding after __error_code,
 * which glibc never touches, holds how the request is issued.
 *
 * A request moves   IDLE -> QUEUED -> INFLIGHT -> DONE
 *                           HELD ---^            (fsync behind earlier ones)
 * QUEUED waits for room in the ring, HELD for the requests before it on
 * the same descriptor; all three are on the active list, in order.
 * Once io_uring is refused or lost (AIO_RING_FALLBACK) a request goes
 *   IDLE -> EXEC -> RUNNING -> DONE
 * instead: EXEC waits for a worker thread of the executor (exec.c),
 * RUNNING is being done by one.  Requests already INFLIGHT on the old
 * ring stay there and are reaped from its memory.
 */
#ifndef _VLIBC_AIO_H
#define _VLIBC_AIO_H

#include <linux/errno.h>
#include <vlibc/aio-cancel.h>
#include <vlibc/compiler.h>
#include <vlibc/glibc-aio.h>
#include <vlibc/private.h>

enum vlibc_aio_op {
	AIO_OP_READ,
	AIO_OP_WRITE,
	AIO_OP_FSYNC,
	AIO_OP_FDATASYNC,
	AIO_OP_STREAM = 0x10,	/* flag: retried without an offset (ESPIPE) */
};

enum vlibc_aio_req_state {
	AIO_REQ_IDLE,
	AIO_REQ_QUEUED,
	AIO_REQ_HELD,
	AIO_REQ_INFLIGHT,
	AIO_REQ_DONE,
	AIO_REQ_EXEC,
	AIO_REQ_RUNNING,
};

/*
 * The largest read or write done inline, in the calling thread: by the
 * page-cache fast path (preadv2(RWF_NOWAIT) in aio.c) or by the kernel
 * issuing it inside io_uring_enter(), which copies a cached read before
 * it returns.  Up to here the copy costs the caller no more than handing
 * the request to an io-wq worker (IOSQE_ASYNC) does (both about 7 us for
 * 128 KiB here; bench/aio_inline.c); a larger request goes to a worker,
 * so that aio_read() and lio_listio(LIO_NOWAIT) return at once.
 */
#define AIO_INLINE_MAX		(128UL << 10)

/* cb->fd_cache: the descriptor's flags, from vlibc_aio_fd_flags() */
enum {
	AIO_FD_DIRECT = 1, AIO_FD_WRONLY = 2,
	AIO_FD_WRITES_ALL = 4, AIO_FD_SIGPIPE = 8,	/* vlibc_aio_fd_flags(cb, 1) */
	AIO_FD_APPEND = 16,
	AIO_FD_STREAM = 32,	/* vlibc_aio_fd_flags(cb, 1): not a file or block device */
	AIO_FD_KNOWN = 64,	/* the bits above are this descriptor's */
	AIO_FD_TYPED = 128,	/* WRITES_ALL, SIGPIPE and STREAM were asked (fstat) */
	AIO_FD_SHIFT = 8,
};

/* cb->canceling */
enum { AIO_CANCEL_NONE, AIO_CANCEL_USER, AIO_CANCEL_HANDOFF };

/* user_data of an SQE: a request, a cancel token (bit 0 set) or a kick (0). */
#define AIO_UD_TOKEN		1UL

struct vlibc_aio_token {
	uint32_t	done;
	int		res;
};

/* ring.c */
int vlibc_aio_ring_get(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_ring_push(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		  uint64_t user_data, int op_cancel) __vlibc_hidden;
int vlibc_aio_ring_enter_wait(struct vlibc_aio_state *a,
			const struct vlibc_timespec *rel,
			const uint64_t *sigmask) __vlibc_hidden;
void vlibc_aio_ring_kick(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_ring_remake(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_ring_refused(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_ring_sandbox(struct vlibc_aio_state *a, int nested) __vlibc_hidden;

/* exec.c */
int vlibc_aio_exec_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
void vlibc_aio_exec_take_queue(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_exec_unlink(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
void vlibc_aio_exec_kick(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_exec_adopt(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
const struct vlibc_timespec *vlibc_aio_exec_wait_limit(struct vlibc_aio_state *a,
						 const struct vlibc_timespec *limit,
						 struct vlibc_timespec *poll) __vlibc_hidden;

/* submit.c */
int vlibc_aio_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, int op,
	       int group) __vlibc_hidden;
void vlibc_aio_flush(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_requeue(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_push(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_fd_flags(struct vlibc_aiocb *cb, int want_type) __vlibc_hidden;
void vlibc_aio_release_held(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_follows_active(struct vlibc_aio_state *a,
		       const struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_check_cb(const struct vlibc_aiocb *cb) __vlibc_hidden;
struct vlibc_aio_ref {
	struct vlibc_aiocb	*cb;
	uint64_t		seq;
};

int vlibc_aio_collect(struct vlibc_aio_state *a,
		int (*match)(const struct vlibc_aiocb *, const void *),
		const void *ctx, struct vlibc_aio_ref *out, int max) __vlibc_hidden;
int vlibc_aio_active_is(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb,
		  uint64_t seq) __vlibc_hidden;
int vlibc_aio_cancel_push_locked(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   struct vlibc_aio_token *token, int how) __vlibc_hidden;
int vlibc_aio_fd_valid(int fd) __vlibc_hidden;

/* complete.c */
int vlibc_aio_reap(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_complete(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, long res,
		  int listed) __vlibc_hidden;
void vlibc_aio_notify(struct vlibc_aio_state *a, const struct vlibc_sigevent *ev) __vlibc_hidden;
void vlibc_aio_group_done(struct vlibc_aio_state *a, int group) __vlibc_hidden;
void vlibc_aio_start_service(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_active_remove(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;

/* exit.c */
int vlibc_aio_handoff_taken(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		      int res) __vlibc_hidden;

/* wait.c */
enum { WAITER_NONE, WAITER_CALLER, WAITER_SERVICE };

int vlibc_aio_wait(struct vlibc_aio_state *a, int (*done)(void *), void *ctx,
	     const struct vlibc_timespec *rel, int who,
	     struct vlibc_aio_cancel_point *cp) __vlibc_hidden;

/*
 * What pread(2)'s rw_verify_area() refuses with EINVAL.  io_uring alone
 * would not: it reads offset -1 as "the file position", and sees only the
 * count it is given, capped at MAX_RW_COUNT as read(2) caps it.
 */
static inline int aio_range_invalid(const struct vlibc_aiocb *cb)
{
	long end;

	return cb->offset < 0 || (long)cb->nbytes < 0 ||
	       __builtin_add_overflow(cb->offset, (long)cb->nbytes, &end);
}

/* The kernel's MAX_RW_COUNT (INT_MAX & PAGE_MASK): not in a uapi header. */
#define AIO_MAX_RW_COUNT	0x7ffff000UL

/* The part of a read or write still to do: @cb's count, capped as read(2) caps it. */
static inline unsigned long aio_rw_count(const struct vlibc_aiocb *cb)
{
	return cb->nbytes > AIO_MAX_RW_COUNT ? AIO_MAX_RW_COUNT : cb->nbytes;
}

/*
 * What is left of read or write @cb: a write that went on after a
 * partial count (complete.c) starts cb->return_value bytes in.
 */
static inline void aio_remainder(const struct vlibc_aiocb *cb,
				 struct vlibc_aiocb *rest)
{
	long done = cb->return_value > 0 ? cb->return_value : 0;

	*rest = *cb;
	rest->buf = (char *)cb->buf + done;
	rest->nbytes = aio_rw_count(cb) - done;
	if (!(cb->op & AIO_OP_STREAM))
		rest->offset += done;
}

/*
 * A FIFO of requests linked through ->link, from *@head to *@tail: the
 * queue for the ring (queue_head) and the executor's (exec_head).
 */
static inline void aio_fifo_append(struct vlibc_aiocb **head,
				   struct vlibc_aiocb **tail,
				   struct vlibc_aiocb *cb)
{
	cb->link = 0;
	if (*tail)
		(*tail)->link = cb;
	else
		*head = cb;
	*tail = cb;
}

/* Take @cb, which follows @prev (NULL: the first), off the FIFO. */
static inline void aio_fifo_unlink_after(struct vlibc_aiocb **head,
					 struct vlibc_aiocb **tail,
					 struct vlibc_aiocb *prev,
					 struct vlibc_aiocb *cb)
{
	if (prev)
		prev->link = cb->link;
	else
		*head = cb->link;
	if (*tail == cb)
		*tail = prev;
	cb->link = 0;
}

/* Take @cb off the FIFO; 1 if it was there. */
static inline int aio_fifo_unlink(struct vlibc_aiocb **head,
				  struct vlibc_aiocb **tail,
				  struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb *r, *prev = 0;

	for (r = *head; r; prev = r, r = r->link)
		if (r == cb) {
			aio_fifo_unlink_after(head, tail, prev, r);
			return 1;
		}
	return 0;
}

/*
 * @cb was not accepted after all (its call returns @err): the status
 * says so, as glibc leaves it for a request it refused.
 */
static inline int aio_not_accepted(struct vlibc_aiocb *cb, int err)
{
	cb->state = AIO_REQ_IDLE;
	cb->return_value = -1;
	__atomic_store_n(&cb->error_code, -err, __ATOMIC_RELEASE);
	return err;
}

static inline int aio_in_progress(const struct vlibc_aiocb *cb)
{
	return __atomic_load_n(&cb->error_code, __ATOMIC_ACQUIRE) ==
	       EINPROGRESS;
}

/* Is the ring in use (not yet set up, or given up for the executor)? */
static inline int aio_ring_ready(const struct vlibc_aio_state *a)
{
	return __atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE) == AIO_RING_READY;
}

static inline int aio_fallen_back(const struct vlibc_aio_state *a)
{
	return __atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE) == AIO_RING_FALLBACK;
}

static inline struct vlibc_aio_state *aio_state(void)
{
	return &vlibc_private()->aio;
}

#endif /* _VLIBC_AIO_H */
