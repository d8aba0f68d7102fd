/* SPDX-License-Identifier: GPL-2.0 */
/*
 * POSIX AIO on io_uring: the family's internal interface, and its design.
 *
 * Layers.  Each file calls only files below it (no cycles):
 *
 *	aio.c  cancel.c  lio.c		entry points (aio.c also starts requests)
 *	service.c			the service thread, thread-exit hand-off
 *	wait.c				waiting for completions
 *	reap.c				reaping and classifying completions
 *	exec.c				the fallback executor's I/O
 *	req.c				the edges of the state diagram below
 *	ring.c  fd.c  notify.c		io_uring; descriptor facts; sigevents
 *
 * Ownership.  The ring belongs to the process: set up at its first
 * request (ring.c, under setup_lock), shared by all its threads, never by
 * a fork child.  A request belongs to the application's aiocb, whose
 * private fields hold its state (below); the family owns it from the
 * call that accepts it until __error_code leaves EINPROGRESS (stored
 * last, with release order: a caller that sees it sees the result), and
 * never reads it after that.  While it is in flight the kernel holds a
 * pointer to it (the SQE's user_data) and req.c has it on the active
 * list.  Only req.c writes ->state, the lists (active, queue, held,
 * hand-off, the executor's) and the counters that go with them
 * (n_inflight, n_cancels_unreaped, last_seq, the executor's n_*), under
 * list_lock (n_cancels_unreaped, an atomic, is counted down by the
 * reaper under cq_lock); every other file asks req.c for the edge.
 *
 * States and edges (function in req.c; who calls it):
 *
 *	IDLE -> QUEUED | HELD | EXEC	vlibc_aio_start()   aio_read & co. (aio.c)
 *	HELD -> QUEUED			vlibc_aio_release_held()  after a completion
 *	QUEUED -> INFLIGHT		vlibc_aio_flush()   whoever queued or reaped
 *	INFLIGHT -> QUEUED		vlibc_aio_requeue() the reaper: no offset
 *					(ESPIPE), the rest of a partial write;
 *					flush: the ring lost or refused
 *	INFLIGHT -> QUEUED (hand-off)	vlibc_aio_hand_off() the reaper, for a
 *					request its exiting thread cancelled
 *	QUEUED (hand-off) -> INFLIGHT	vlibc_aio_issue_handoffs() service thread
 *	INFLIGHT -> EXEC		vlibc_aio_adopt()   the reaper: dropped by
 *					the kernel
 *	QUEUED -> EXEC			vlibc_aio_flush()   after the fallback
 *	EXEC -> QUEUED			vlibc_aio_exec_take_unstaffed() no worker:
 *					streams back to the ring
 *	EXEC -> RUNNING			vlibc_aio_worker_next(), _take_unstaffed()
 *	EXEC -> IDLE			vlibc_aio_exec_withdraw() no worker at all
 *	any -> DONE			vlibc_aio_finish()  the reaper; _complete():
 *					cancel.c, exec.c, a refused request
 *	-> IDLE				vlibc_aio_not_accepted() refused at the call,
 *					vlibc_aio_withdraw() after vlibc_aio_accept()
 *
 * QUEUED waits for room in the ring, HELD for the requests before it on
 * the same descriptor (must_follow()), EXEC for a worker thread of the
 * executor (exec.c: what glibc does, once io_uring is refused or lost,
 * AIO_RING_FALLBACK, and for writes that could raise SIGPIPE), RUNNING
 * is being done by one.  Requests already INFLIGHT when the ring goes
 * stay there and are reaped from its memory.  aio_cancel() takes a
 * request that is not INFLIGHT or RUNNING off its list at once; one that
 * is INFLIGHT gets IORING_OP_ASYNC_CANCEL (->canceling), and the edges
 * above that would let it go on refuse while a cancel is on its way.
 *
 * Lock order: setup_lock, sq_lock (held across io_uring_enter(), so
 * each request is submitted by the thread that asked for it), cq_lock
 * (reapers), list_lock.  No callback into the caller (notify_thread,
 * start_service, start_worker) and no wait is made with a lock held;
 * notifications go out after the locks are dropped.
 *
 * Signals.  The locks are not async-signal-safe: a signal handler that
 * interrupted a thread inside the image (the binder counts the depth)
 * takes none: the binder's aio_error() there reads the status only, and
 * a seccomp filter installed there only switches the state to the
 * fallback (vlibc_aio_ring_sandbox(nested)).  A wait in the kernel
 * blocks the asynchronous signals between its bounded io_uring_enter()
 * calls and unblocks them inside each, as ppoll(2) does (wait.c): a
 * handler that ran ends the wait with EINTR, as in a futex sleep.  The
 * binder's service and worker threads block every signal, so a write to
 * a pipe without reader ends with EPIPE, not SIGPIPE, as in glibc's
 * helper threads.  Notifications are queued with
 * rt_sigqueueinfo(SI_ASYNCIO) to the process (notify.c).
 *
 * Cancellation.  aio_suspend() is a cancellation point: asynchronous
 * cancellation is on across its blocking system call only, with no lock
 * held, and the binder's cleanup undoes the waiter's place
 * (vlibc/aio-cancel.h, __vlibc_aio_wait_cancelled()).  The family's own
 * waits (aio_cancel() for the kernel's answer, a hand-off, lio_listio's
 * LIO_WAIT) are not cancellation points.
 *
 * Threads and fork.  A thread that exits with requests in flight hands
 * them to the service thread (service.c), since io_uring ends a request
 * whose thread exited.  A fork child starts with the private region
 * wiped (no ring, no requests: zero is "not set up"); the ring's maps are
 * MADV_DONTFORK and the binder closes the inherited descriptor
 * (__vlibc_aio_ring_id()).  A request the parent had in progress is not
 * the child's: aio_cancel() says EINVAL for it.
 *
 * struct vlibc_aiocb is glibc's struct aiocb (vlibc/arch/glibc-aio.h).
 * While a request is in progress __return_value counts the bytes already
 * done (a write on a pipe or socket goes on after a partial count, as
 * write(2) does there: see reap.c).
 */
#ifndef _VLIBC_AIO_H
#define _VLIBC_AIO_H

#include <linux/errno.h>
#include <vlibc/aio-cancel.h>
#include <vlibc/compiler.h>
#include <vlibc/glibc-aio.h>
#include <vlibc/private.h>
#include <vlibc/stat.h>

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

/* What a finished request has to announce, once the locks are dropped. */
struct vlibc_aio_note {
	struct vlibc_sigevent	ev;
	int			group;
};

struct vlibc_aio_ref {
	struct vlibc_aiocb	*cb;
	uint64_t		seq;
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
int vlibc_aio_ring_sandbox(struct vlibc_aio_state *a, int nested) __vlibc_hidden;

/* fd.c */
int vlibc_aio_check_cb(const struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_fd_valid(int fd) __vlibc_hidden;
int vlibc_aio_fd_flags(struct vlibc_aiocb *cb, int want_type) __vlibc_hidden;

/* notify.c */
void vlibc_aio_notify(struct vlibc_aio_state *a,
		      const struct vlibc_sigevent *ev) __vlibc_hidden;
int vlibc_aio_group_take(struct vlibc_aio_state *a,
			 const struct vlibc_sigevent *sig, uint32_t count) __vlibc_hidden;
void vlibc_aio_group_done(struct vlibc_aio_state *a, int group) __vlibc_hidden;

/* req.c: the edges (see the top) and what reads the active list */
void vlibc_aio_accept(struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_not_accepted(struct vlibc_aiocb *cb, int err) __vlibc_hidden;
int vlibc_aio_withdraw(struct vlibc_aiocb *cb, int err) __vlibc_hidden;
int vlibc_aio_start(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		    int to_exec) __vlibc_hidden;
void vlibc_aio_flush(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_release_held(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_requeue(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_hand_off(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		       int res) __vlibc_hidden;
void vlibc_aio_issue_handoffs(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_adopt(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_unlink_waiting(struct vlibc_aio_state *a,
			     struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_cancel_push_locked(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
				 struct vlibc_aio_token *token, int how) __vlibc_hidden;
void vlibc_aio_cancel_answered(struct vlibc_aio_state *a) __vlibc_hidden;
uint32_t vlibc_aio_exec_staff(struct vlibc_aio_state *a) __vlibc_hidden;
int vlibc_aio_exec_withdraw(struct vlibc_aio_state *a,
			    struct vlibc_aiocb *cb) __vlibc_hidden;
struct vlibc_aiocb *vlibc_aio_exec_take_unstaffed(struct vlibc_aio_state *a,
						  int files_only) __vlibc_hidden;
struct vlibc_aiocb *vlibc_aio_worker_next(struct vlibc_aio_state *a,
					  int ran) __vlibc_hidden;
void vlibc_aio_finish(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		      long res, int listed, struct vlibc_aio_note *n) __vlibc_hidden;
void vlibc_aio_announce(struct vlibc_aio_state *a,
			const struct vlibc_aio_note *n) __vlibc_hidden;
void vlibc_aio_wake_waiters(struct vlibc_aio_state *a) __vlibc_hidden;
void vlibc_aio_complete(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			long res, int listed) __vlibc_hidden;
int vlibc_aio_follows_active(struct vlibc_aio_state *a,
			     const struct vlibc_aiocb *cb) __vlibc_hidden;
int vlibc_aio_collect(struct vlibc_aio_state *a,
		      int (*match)(const struct vlibc_aiocb *, const void *),
		      const void *ctx, struct vlibc_aio_ref *out, int max) __vlibc_hidden;
int vlibc_aio_active_is(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb,
			uint64_t seq) __vlibc_hidden;

/* exec.c */
int vlibc_aio_exec_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb) __vlibc_hidden;
void vlibc_aio_exec_kick(struct vlibc_aio_state *a) __vlibc_hidden;
const struct vlibc_timespec *vlibc_aio_exec_wait_limit(struct vlibc_aio_state *a,
						       const struct vlibc_timespec *limit,
						       struct vlibc_timespec *poll) __vlibc_hidden;

/* reap.c */
int vlibc_aio_reap(struct vlibc_aio_state *a) __vlibc_hidden;

/* wait.c */
enum { WAITER_NONE, WAITER_CALLER, WAITER_SERVICE };

int vlibc_aio_wait(struct vlibc_aio_state *a, int (*done)(void *), void *ctx,
		   const struct vlibc_timespec *rel, int who,
		   struct vlibc_aio_cancel_point *cp) __vlibc_hidden;

/* service.c */
void vlibc_aio_start_service(struct vlibc_aio_state *a) __vlibc_hidden;

/* aio.c */
int vlibc_aio_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, int op,
		     int group) __vlibc_hidden;

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
 * partial count (reap.c) starts cb->return_value bytes in.
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
