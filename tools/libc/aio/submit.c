// SPDX-License-Identifier: GPL-2.0
/*
 * Putting requests on the ring: in order, queued in user space while the
 * ring is full (never EAGAIN for that), fsyncs held back until every
 * earlier request on their descriptor is complete.
 */
#include <linux/errno.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/arch/thread.h>
#include <vlibc/seccomp.h>

/* Requests in the kernel at most: each has one CQE, and tokens need room. */
#define INFLIGHT_MAX		512
#define F_GETFL_		3
#define O_ACCMODE_		3
#define O_WRONLY_		1
#define O_DIRECT_		040000
#define O_NONBLOCK_		04000
#define O_APPEND_		02000
#define AT_EMPTY_PATH_		0x1000
#define S_IFMT_			0170000
#define S_IFREG_		0100000
#define S_IFBLK_		0060000
#define S_IFIFO_		0010000
#define S_IFSOCK_		0140000

int aio_check_cb(const struct vlibc_aiocb *cb)
{
	if (!cb || ((unsigned long)cb & (__alignof__(struct vlibc_aiocb) - 1)))
		return -EINVAL;
	return 0;
}

int aio_fd_valid(int fd)
{
	long r = vlibc_syscall2(__NR_fcntl, fd, F_GETFL_);

	return r < 0 ? (int)r : 0;
}

/*
 * What the family needs to know of @fd's file type, as AIO_FD_* bits:
 *
 * AIO_FD_WRITES_ALL: would write(2) block until all is written, where
 * io_uring writes what fits and ends with a partial count?  On a blocking
 * pipe, socket or terminal, yes; not on a regular file or block device
 * (the kernel finishes a partial write there itself, or stops for a
 * reason pwrite(2) would stop for too), nor with O_NONBLOCK.
 *
 * AIO_FD_SIGPIPE: a pipe or socket, where a write without a reader
 * raises SIGPIPE in the thread that makes it.
 *
 * AIO_FD_STREAM: not a regular file or block device, where offsets do
 * not order requests.
 *
 * @fl is fcntl(F_GETFL)'s answer (-errno: not known, not blocking).
 * When fstat is refused: a stream that writes all (going on with a write
 * is what a blocking descriptor does), and may raise SIGPIPE.
 */
static int fd_type(int fd, long fl)
{
	struct { unsigned long dev, ino, nlink; unsigned int mode; char rest[116]; } st;
	int blocking = fl >= 0 && !(fl & O_NONBLOCK_);
	unsigned int type;

	if (vlibc_syscall4(__NR_newfstatat, fd, (long)"", (long)&st, AT_EMPTY_PATH_))
		return (blocking ? AIO_FD_WRITES_ALL : 0) | AIO_FD_SIGPIPE |
		       AIO_FD_STREAM;
	type = st.mode & S_IFMT_;
	if (type == S_IFREG_ || type == S_IFBLK_)
		return 0;
	return (blocking ? AIO_FD_WRITES_ALL : 0) | AIO_FD_STREAM |
	       (type == S_IFIFO_ || type == S_IFSOCK_ ? AIO_FD_SIGPIPE : 0);
}

/* fcntl(@fd, F_GETFL), which glibc's AIO never makes: once refused, not again. */
static long fd_getfl(int fd)
{
	long fl;

	if (__atomic_load_n(&aio_state()->flags, __ATOMIC_RELAXED) &
	    VLIBC_AIO_NO_FCNTL)
		return -EPERM;
	fl = vlibc_syscall2(__NR_fcntl, fd, F_GETFL_);
	if (vlibc_refused(fl))
		__atomic_or_fetch(&aio_state()->flags, VLIBC_AIO_NO_FCNTL,
				  __ATOMIC_RELAXED);
	return fl;
}

/*
 * What the family needs of @cb's descriptor: AIO_FD_DIRECT, AIO_FD_WRONLY
 * (from fcntl()) and, when @want_type, AIO_FD_WRITES_ALL and
 * AIO_FD_SIGPIPE (fd_type(): the same fcntl() answer and fstat), or
 * -errno.  The answers are kept in the aiocb (callers such as fio reuse
 * theirs for the same descriptor), each asked once, and asked again
 * whenever aio_fildes changes.
 */
static uint32_t fd_getfl_bits(long fl)
{
	return (fl & O_DIRECT_ ? AIO_FD_DIRECT : 0) |
	       ((fl & O_ACCMODE_) == O_WRONLY_ ? AIO_FD_WRONLY : 0) |
	       (fl & O_APPEND_ ? AIO_FD_APPEND : 0);
}

int aio_fd_flags(struct vlibc_aiocb *cb, int want_type)
{
	int known, typed;
	long fl = 0;

	if (cb->fildes < 0)
		return -EBADF;
	/* A number too large to keep in fd_cache: asked every time. */
	if (cb->fildes >= (1L << (32 - AIO_FD_SHIFT))) {
		fl = fd_getfl(cb->fildes);
		if (fl < 0)
			return (int)fl;
		return fd_getfl_bits(fl) | (want_type ? fd_type(cb->fildes, fl) : 0);
	}
	known = cb->fd_cache >> AIO_FD_SHIFT == (uint32_t)cb->fildes &&
		(cb->fd_cache & AIO_FD_KNOWN);
	typed = !want_type || (known && (cb->fd_cache & AIO_FD_TYPED));
	if (!known || !typed)
		fl = fd_getfl(cb->fildes);
	if (!known) {
		if (fl < 0)
			return (int)fl;
		cb->fd_cache = (uint32_t)cb->fildes << AIO_FD_SHIFT | AIO_FD_KNOWN |
			       fd_getfl_bits(fl);
	}
	if (!typed)
		cb->fd_cache |= AIO_FD_TYPED | fd_type(cb->fildes, fl);
	return cb->fd_cache & (AIO_FD_KNOWN - 1);
}

/*
 * A large read or write goes to an io-wq worker (see AIO_INLINE_MAX),
 * unless the descriptor has O_DIRECT: the kernel issues direct I/O inline
 * without copying, and a worker would only wait for the device.
 */
static int issue_async(struct vlibc_aiocb *cb, int op)
{
	int fl;

	if ((op != AIO_OP_READ && op != AIO_OP_WRITE) ||
	    aio_rw_count(cb) <= AIO_INLINE_MAX)
		return 0;
	fl = aio_fd_flags(cb, 0);
	return fl >= 0 && !(fl & AIO_FD_DIRECT);
}

static void active_add(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb *tail = a->inflight ? a->inflight->prev : 0;

	cb->seq = ++a->seq;
	if (!tail) {
		cb->next = cb->prev = cb;
		a->inflight = cb;
	} else {
		cb->prev = tail;
		cb->next = a->inflight;
		tail->next = cb;
		a->inflight->prev = cb;
	}
}

static void queue_append(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	cb->state = AIO_REQ_QUEUED;
	aio_fifo_append(&a->queue_head, &a->queue_tail, cb);
}

/*
 * The descriptor flags aio_submit() asked for write @w (0: unknown), for
 * must_follow(): AIO_FD_TYPED, and AIO_FD_STREAM, AIO_FD_APPEND.
 */
static uint32_t write_fd_flags(const struct vlibc_aiocb *w)
{
	if (w->fd_cache >> AIO_FD_SHIFT != (uint32_t)w->fildes ||
	    !(w->fd_cache & AIO_FD_KNOWN))
		return 0;
	return w->fd_cache;
}

/*
 * Must @cb wait until @e, an earlier active request, has ended?  glibc
 * runs the requests of one descriptor one at a time, in submission order;
 * the ring runs them at once (a small one inline may pass a large one at
 * an io-wq worker).  So a request waits for the earlier ones whose order
 * shows: an fsync for every one on its descriptor; a read or write for an
 * overlapping one where either writes to a file or block device (an
 * O_APPEND write covers the whole file, and appends in order, as POSIX
 * requires).  Not on a pipe, socket or terminal, where offsets mean
 * nothing (and a write held back behind a read could wait for ever).
 */
static int must_follow(const struct vlibc_aiocb *e, const struct vlibc_aiocb *cb)
{
	int eop = e->op & ~AIO_OP_STREAM, op = cb->op & ~AIO_OP_STREAM;
	uint32_t wfl;

	if (e == cb || e->fildes != cb->fildes)
		return 0;
	if (op == AIO_OP_FSYNC || op == AIO_OP_FDATASYNC)
		return 1;
	if ((eop != AIO_OP_READ && eop != AIO_OP_WRITE) ||
	    (eop != AIO_OP_WRITE && op != AIO_OP_WRITE))
		return 0;
	wfl = write_fd_flags(op == AIO_OP_WRITE ? cb : e);
	if (!(wfl & AIO_FD_TYPED) || (wfl & AIO_FD_STREAM))
		return 0;
	if (wfl & AIO_FD_APPEND)
		return 1;
	return e->offset < cb->offset + (long)aio_rw_count(cb) &&
	       cb->offset < e->offset + (long)aio_rw_count(e);
}

/* An active request before sequence number @before that @cb must follow. */
static int follows(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb,
		   uint64_t before)
{
	struct vlibc_aiocb *r = a->inflight;

	if (!r)
		return 0;
	do {
		if (r->seq >= before)
			return 0;
		if (must_follow(r, cb))
			return 1;
		r = r->next;
	} while (r != a->inflight);
	return 0;
}

/* An earlier active request that @cb (listed) must follow?  Under list_lock. */
static int earlier_on_fd(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	return follows(a, cb, cb->seq);
}

/* Must @cb, not yet submitted, follow an active request (the fast path's check)? */
int aio_follows_active(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	int r;

	if (!__atomic_load_n(&a->inflight, __ATOMIC_RELAXED))
		return 0;
	vlibc_lock(&a->list_lock);
	r = follows(a, cb, ~0ULL);
	vlibc_unlock(&a->list_lock);
	return r;
}

/*
 * Up to @max active requests that @match, in submission order, with their
 * sequence numbers: by the time the caller acts on one it may have ended
 * and the aiocb been reused, so aio_active_is() checks it again.
 */
int aio_collect(struct vlibc_aio_state *a,
		int (*match)(const struct vlibc_aiocb *, const void *),
		const void *ctx, struct vlibc_aio_ref *out, int max)
{
	struct vlibc_aiocb *r;
	int n = 0;

	vlibc_lock(&a->list_lock);
	r = a->inflight;
	if (r) {
		do {
			if (n < max && match(r, ctx)) {
				out[n].cb = r;
				out[n++].seq = r->seq;
			}
			r = r->next;
		} while (r != a->inflight);
	}
	vlibc_unlock(&a->list_lock);
	return n;
}

/* Is @cb active, and (with @seq) still that request?  Under list_lock. */
int aio_active_is(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb,
		  uint64_t seq)
{
	const struct vlibc_aiocb *r = a->inflight;

	if (!r)
		return 0;
	do {
		if (r == cb)
			return !seq || r->seq == seq;
		r = r->next;
	} while (r != a->inflight);
	return 0;
}

/*
 * Ask the kernel to cancel in-flight @cb (@how: AIO_CANCEL_USER or
 * _HANDOFF); its answer comes to @token, which must live until aio_wait()
 * saw it.  Called with sq_lock and list_lock held, so @cb cannot end (and
 * be reused) before the request to cancel it is in the kernel.
 * -EBADF when the ring's descriptor is gone.
 */
int aio_cancel_push_locked(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   struct vlibc_aio_token *token, int how)
{
	int r;

	cb->canceling = how;
	__atomic_add_fetch(&a->tokens_out, 1, __ATOMIC_RELAXED);
	while ((r = aio_ring_push(a, cb, (unsigned long)token | AIO_UD_TOKEN,
				  1)) == -EBUSY)
		;
	if (r) {
		cb->canceling = AIO_CANCEL_NONE;
		__atomic_sub_fetch(&a->tokens_out, 1, __ATOMIC_RELAXED);
	}
	return r;
}

/*
 * Put an in-flight request back in the queue, to be submitted again
 * (without an offset, or for the rest of a write).  Not when a cancel is
 * on its way to it: the canceller saw it in flight and waits for its end,
 * so the caller ends it instead.  Returns 1 when requeued.
 */
int aio_requeue(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	int requeued;

	vlibc_lock(&a->list_lock);
	requeued = cb->canceling == AIO_CANCEL_NONE;
	if (requeued) {
		a->n_inflight--;
		queue_append(a, cb);
	}
	vlibc_unlock(&a->list_lock);
	return requeued;
}

/*
 * Put @cb on the ring, for what is left of it: a write that went on
 * after a partial count starts where that ended (cb->return_value bytes
 * in).  The SQE is filled from a copy and carries @cb itself as its
 * user_data, so the completion and a cancel find @cb.  Under sq_lock.
 */
int aio_push(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb rest;

	if (cb->return_value <= 0)
		return aio_ring_push(a, cb, (unsigned long)cb, 0);
	aio_remainder(cb, &rest);
	return aio_ring_push(a, &rest, (unsigned long)cb, 0);
}

/* Put @cb (never submitted) back at the head of the queue.  Under list_lock. */
static void queue_push_front(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	a->n_inflight--;
	cb->state = AIO_REQ_QUEUED;
	cb->link = a->queue_head;
	a->queue_head = cb;
	if (!a->queue_tail)
		a->queue_tail = cb;
}

/*
 * The ring's descriptor was closed behind our back: put @cb back in the
 * queue and make the ring again, or leave the queue to the executor.
 * Called with sq_lock held.
 */
static void ring_lost(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	/* Reapers read the ring's pointers under cq_lock: hold them off. */
	vlibc_lock(&a->cq_lock);
	vlibc_lock(&a->list_lock);
	queue_push_front(a, cb);
	aio_ring_remake(a);
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->cq_lock);
}

/* io_uring refused @cb (never submitted): back to the queue, for the executor. */
static void ring_refused(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	vlibc_lock(&a->list_lock);
	queue_push_front(a, cb);
	vlibc_unlock(&a->list_lock);
}

/*
 * Submit queued requests while there is room.  Takes sq_lock, then
 * list_lock for each request.  Once io_uring is refused, every queued
 * request goes to the executor instead.
 */
void aio_flush(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb;
	int r;

	if (!__atomic_load_n(&a->queue_head, __ATOMIC_RELAXED))
		return;
	if (aio_fallen_back(a)) {
		aio_exec_take_queue(a);
		return;
	}
	vlibc_lock(&a->sq_lock);
	for (;;) {
		vlibc_lock(&a->list_lock);
		cb = a->queue_head;
		if (!cb || !aio_ring_ready(a) || a->n_inflight >= INFLIGHT_MAX ||
		    *a->sq_tail - __atomic_load_n(a->sq_head, __ATOMIC_ACQUIRE) >=
		    a->sq_entries) {
			vlibc_unlock(&a->list_lock);
			break;
		}
		a->queue_head = cb->link;
		if (!a->queue_head)
			a->queue_tail = 0;
		cb->state = AIO_REQ_INFLIGHT;
		cb->owner = __arch_thread_id();
		a->n_inflight++;
		vlibc_unlock(&a->list_lock);
		r = aio_push(a, cb);
		if (r == -EBADF)
			ring_lost(a, cb);
		else if (r)
			ring_refused(a, cb);
	}
	vlibc_unlock(&a->sq_lock);
	if (aio_fallen_back(a))
		aio_exec_take_queue(a);
}

/* Move fsyncs whose turn has come from the held list to the queue. */
void aio_release_held(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb **pp, *cb;
	int moved = 0;

	if (!__atomic_load_n(&a->held, __ATOMIC_RELAXED))
		return;
	vlibc_lock(&a->list_lock);
	for (pp = &a->held; (cb = *pp);) {
		if (earlier_on_fd(a, cb)) {
			pp = &cb->link;
			continue;
		}
		*pp = cb->link;
		queue_append(a, cb);
		moved = 1;
	}
	vlibc_unlock(&a->list_lock);
	if (moved)
		aio_flush(a);
}

/*
 * A write that may end part way and go on (AIO_FD_WRITES_ALL) needs a
 * thread to reap its partial completions and submit the rest while the
 * application does not call in, as glibc's AIO thread writes on alone.
 */
static int write_may_go_on(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   int op)
{
	int fl;

	if (op != AIO_OP_WRITE || !a->start_service ||
	    __atomic_load_n(&a->service_started, __ATOMIC_RELAXED))
		return 0;
	fl = aio_fd_flags(cb, 1);
	return fl >= 0 && (fl & AIO_FD_WRITES_ALL);
}

/*
 * A write to a pipe or socket goes to the executor even while the ring
 * works: io_uring would make it in the application's thread, where a
 * reader that went away raises SIGPIPE (and kills a program that never
 * touched it); glibc writes in a helper thread with every signal
 * blocked, where the signal is lost and the request ends with EPIPE.
 * The executor's workers block every signal too.
 */
static int write_raises_sigpipe(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
				int op)
{
	int fl;

	if (op != AIO_OP_WRITE || !a->start_worker)
		return 0;
	fl = aio_fd_flags(cb, 1);
	return fl >= 0 && (fl & AIO_FD_SIGPIPE);
}

/*
 * Start request @cb (its fields checked by the caller).  @group is a
 * lio_listio group index + 1, or 0.
 */
int aio_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, int op,
	       int group)
{
	int fallback = aio_ring_get(a) != AIO_RING_READY;
	int to_exec = fallback || write_raises_sigpipe(a, cb, op);
	int goes_on = write_may_go_on(a, cb, op);
	int notifies = cb->sigevent.notify == SIGEV_SIGNAL_ ||
		       cb->sigevent.notify == SIGEV_THREAD_;

	cb->op = op;
	cb->group = group;
	cb->canceling = 0;
	cb->issue_async = issue_async(cb, op);
	cb->return_value = 0;
	/* The state first: whoever sees EINPROGRESS must see an active request. */
	cb->state = AIO_REQ_QUEUED;
	__atomic_store_n(&cb->error_code, VLIBC_EINPROGRESS, __ATOMIC_RELEASE);
	if (notifies || group || goes_on)
		aio_start_service(a);
	/*
	 * A notification comes while the application does not call in only
	 * through the service thread (the executor's workers notify what
	 * they run): without it, EAGAIN, as glibc says without its thread.
	 */
	if ((notifies || group) && !to_exec && a->start_service &&
	    !__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
		return aio_not_accepted(cb, -EAGAIN);
	/*
	 * A write that goes on with no thread to submit the rest would stop
	 * part way while the application waits elsewhere (say, reading the
	 * other end itself): EAGAIN, as glibc says without its thread.
	 */
	if (goes_on && !to_exec &&
	    !__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
		return aio_not_accepted(cb, -EAGAIN);

	if (op == AIO_OP_WRITE)
		aio_fd_flags(cb, 1);	/* for must_follow() */
	/*
	 * Requests wait in user space (the kernel has INFLIGHT_MAX): take
	 * what completed off the active list first, which every new request
	 * is checked against (a long lio_listio() would be quadratic).
	 */
	if (__atomic_load_n(&a->queue_head, __ATOMIC_RELAXED))
		aio_reap(a);
	vlibc_lock(&a->list_lock);
	active_add(a, cb);
	if (earlier_on_fd(a, cb)) {
		cb->state = AIO_REQ_HELD;
		cb->link = a->held;
		a->held = cb;
		vlibc_unlock(&a->list_lock);
		return 0;
	}
	/*
	 * No worker to be had: EAGAIN, as glibc says, also for a write to a
	 * pipe or socket while the ring works (made on the ring, it would
	 * raise SIGPIPE in this thread, or stop part way with no thread to
	 * go on with it).
	 */
	if (to_exec)
		return aio_exec_submit(a, cb);	/* unlocks list_lock */
	queue_append(a, cb);
	vlibc_unlock(&a->list_lock);
	aio_flush(a);
	return 0;
}
