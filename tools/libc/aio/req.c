// SPDX-License-Identifier: GPL-2.0
/*
 * The requests' one owner: each function here is one edge of the state
 * diagram in vlibc/aio.h (queue, hold, issue, requeue, hand off, adopt,
 * finish, and the executor's), and this file alone writes a request's
 * ->state, the lists (active, queue, held, hand-off, the executor's) and
 * the counters that go with them (n_inflight, n_cancels_unreaped,
 * last_seq, the executor's), all under list_lock.  Below it: ring.c,
 * fd.c, notify.c; everything else calls in.
 */
#include <linux/errno.h>
#include <linux/signal.h>
#include <vlibc/aio.h>
#include <vlibc/arch/thread.h>

/* Requests in the kernel at most: each has one CQE, and tokens need room. */
#define INFLIGHT_MAX		512
#define WORKERS_MAX		20	/* glibc's default aio_threads */
#define WORKER_IDLE_S		1	/* glibc's default aio_idle_time */

/* The active list: every request not done, in submission order. */

static void active_add(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb *tail = a->active ? a->active->prev : 0;

	cb->seq = ++a->last_seq;
	if (!tail) {
		cb->next = cb->prev = cb;
		a->active = cb;
	} else {
		cb->prev = tail;
		cb->next = a->active;
		tail->next = cb;
		a->active->prev = cb;
	}
}

/* Take @cb off the active list; under list_lock. */
static void active_remove(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
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
 * The descriptor flags vlibc_aio_submit() asked for write @w (0: unknown),
 * for must_follow(): AIO_FD_TYPED, and AIO_FD_STREAM, AIO_FD_APPEND.
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
	struct vlibc_aiocb *r = a->active;

	if (!r)
		return 0;
	do {
		if (r->seq >= before)
			return 0;
		if (must_follow(r, cb))
			return 1;
		r = r->next;
	} while (r != a->active);
	return 0;
}

/* An earlier active request that @cb (listed) must follow?  Under list_lock. */
static int earlier_on_fd(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	return follows(a, cb, cb->seq);
}

/* Must @cb, not yet submitted, follow an active request (the fast path's check)? */
int vlibc_aio_follows_active(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	int r;

	if (!__atomic_load_n(&a->active, __ATOMIC_RELAXED))
		return 0;
	vlibc_lock(&a->list_lock);
	r = follows(a, cb, ~0ULL);
	vlibc_unlock(&a->list_lock);
	return r;
}

/*
 * Up to @max active requests that @match, in submission order, with their
 * sequence numbers: by the time the caller acts on one it may have ended
 * and the aiocb been reused, so vlibc_aio_active_is() checks it again.
 */
int vlibc_aio_collect(struct vlibc_aio_state *a,
		      int (*match)(const struct vlibc_aiocb *, const void *),
		      const void *ctx, struct vlibc_aio_ref *out, int max)
{
	struct vlibc_aiocb *r;
	int n = 0;

	vlibc_lock(&a->list_lock);
	r = a->active;
	if (r) {
		do {
			if (n < max && match(r, ctx)) {
				out[n].cb = r;
				out[n++].seq = r->seq;
			}
			r = r->next;
		} while (r != a->active);
	}
	vlibc_unlock(&a->list_lock);
	return n;
}

/* Is @cb active, and (with @seq) still that request?  Under list_lock. */
int vlibc_aio_active_is(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb,
			uint64_t seq)
{
	const struct vlibc_aiocb *r = a->active;

	if (!r)
		return 0;
	do {
		if (r == cb)
			return !seq || r->seq == seq;
		r = r->next;
	} while (r != a->active);
	return 0;
}

/* IDLE -> QUEUED, HELD -> QUEUED, EXEC -> QUEUED; under list_lock. */
static void queue_append(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	cb->state = AIO_REQ_QUEUED;
	aio_fifo_append(&a->queue_head, &a->queue_tail, cb);
}

/* IDLE, INFLIGHT (the hand-off) -> EXEC: queue @cb for a worker; under list_lock. */
static void exec_append(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	cb->state = AIO_REQ_EXEC;
	aio_fifo_append(&a->exec_head, &a->exec_tail, cb);
	a->n_exec_queued++;
}

/*
 * -> IDLE: @cb was not accepted after all (its call returns @err): the
 * status says so, as glibc leaves it for a request it refused.
 */
int vlibc_aio_not_accepted(struct vlibc_aiocb *cb, int err)
{
	cb->state = AIO_REQ_IDLE;
	cb->return_value = -1;
	__atomic_store_n(&cb->error_code, -err, __ATOMIC_RELEASE);
	return err;
}

/*
 * The same for a request already accepted (vlibc_aio_accept()): EAGAIN
 * because no thread could be had.  Counted: in flight is accepted less
 * withdrawn less completed.
 */
int vlibc_aio_withdraw(struct vlibc_aiocb *cb, int err)
{
	vlibc_stat_inc(VLIBC_STAT_aio_withdrawn);
	return vlibc_aio_not_accepted(cb, err);
}

/*
 * IDLE -> QUEUED for a new request @cb: what whoever sees EINPROGRESS
 * must see (the caller fills in the rest).  Not listed yet.  Every
 * request the family accepts comes here once: counted.
 */
void vlibc_aio_accept(struct vlibc_aiocb *cb)
{
	vlibc_stat_inc(VLIBC_STAT_aio_submitted);
	cb->state = AIO_REQ_QUEUED;
	__atomic_store_n(&cb->error_code, EINPROGRESS, __ATOMIC_RELEASE);
}

/*
 * List accepted request @cb and give it its first edge: HELD behind an
 * earlier request it must follow, else EXEC when @to_exec, else QUEUED
 * for the ring.  Returns the state it took; the caller flushes the queue
 * or finds the executor a worker.
 */
int vlibc_aio_start(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		    int to_exec)
{
	int state;

	vlibc_lock(&a->list_lock);
	active_add(a, cb);
	if (earlier_on_fd(a, cb)) {
		cb->state = AIO_REQ_HELD;
		cb->link = a->held;
		a->held = cb;
	} else if (to_exec) {
		exec_append(a, cb);
	} else {
		queue_append(a, cb);
	}
	state = cb->state;
	vlibc_unlock(&a->list_lock);
	return state;
}

/*
 * Ask the kernel to cancel in-flight @cb (@how: AIO_CANCEL_USER or
 * _HANDOFF); its answer comes to @token, which must live until
 * vlibc_aio_wait() saw it.  Called with sq_lock and list_lock held, so
 * @cb cannot end (and be reused) before the request to cancel it is in
 * the kernel.  -EBADF when the ring's descriptor is gone.
 */
int vlibc_aio_cancel_push_locked(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
				 struct vlibc_aio_token *token, int how)
{
	int r;

	cb->canceling = how;
	__atomic_add_fetch(&a->n_cancels_unreaped, 1, __ATOMIC_RELAXED);
	while ((r = vlibc_aio_ring_push(a, cb, (unsigned long)token | AIO_UD_TOKEN,
					1)) == -EBUSY)
		;
	if (r) {
		cb->canceling = AIO_CANCEL_NONE;
		__atomic_sub_fetch(&a->n_cancels_unreaped, 1, __ATOMIC_RELAXED);
	}
	return r;
}

/* The reaper took the answer to a cancel off the ring. */
void vlibc_aio_cancel_answered(struct vlibc_aio_state *a)
{
	__atomic_sub_fetch(&a->n_cancels_unreaped, 1, __ATOMIC_RELAXED);
}

/*
 * INFLIGHT -> QUEUED: put an in-flight request back in the queue, to be
 * submitted again (without an offset, or for the rest of a write).  Not
 * when a cancel is on its way to it: the canceller saw it in flight and
 * waits for its end, so the caller ends it instead.  Returns 1 when
 * requeued.
 */
int vlibc_aio_requeue(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
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
 * INFLIGHT -> QUEUED on the hand-off list: a request its exiting thread
 * was handing off came back cancelled (@res), so the service thread
 * submits it again instead of it completing.  Returns 1 when it took @cb.
 */
int vlibc_aio_hand_off(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
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

/*
 * INFLIGHT -> EXEC: a request the kernel dropped (see reap.c) goes to the
 * executor.  Called by a reaper under cq_lock; vlibc_aio_exec_kick()
 * finds it a worker after the batch.  0 when not taken: a cancel or a
 * hand-off came for it meanwhile.
 */
int vlibc_aio_adopt(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	int taken;

	vlibc_lock(&a->list_lock);
	taken = cb->canceling == AIO_CANCEL_NONE;
	if (taken) {
		a->n_inflight--;
		exec_append(a, cb);
	}
	vlibc_unlock(&a->list_lock);
	return taken;
}

/*
 * Take queued, held, handed-off or EXEC request @cb off its list
 * (aio_cancel); 1 if it was there.  Under list_lock; it stays active
 * until vlibc_aio_complete().
 */
int vlibc_aio_unlink_waiting(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb **pp;

	if (cb->state == AIO_REQ_EXEC)
		return aio_fifo_unlink(&a->exec_head, &a->exec_tail, cb);
	for (pp = &a->handoff; *pp; pp = &(*pp)->link)
		if (*pp == cb) {
			*pp = cb->link;
			return 1;
		}
	if (cb->state == AIO_REQ_HELD) {
		for (pp = &a->held; *pp; pp = &(*pp)->link)
			if (*pp == cb) {
				*pp = cb->link;
				return 1;
			}
		return 0;
	}
	return aio_fifo_unlink(&a->queue_head, &a->queue_tail, cb);
}

/*
 * Put @cb on the ring, for what is left of it: a write that went on
 * after a partial count starts where that ended (cb->return_value bytes
 * in).  The SQE is filled from a copy and carries @cb itself as its
 * user_data, so the completion and a cancel find @cb.  Under sq_lock.
 * Counted when the kernel took it: each one comes back as one completion.
 */
static int push(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb rest;
	int r;

	if (cb->return_value <= 0) {
		r = vlibc_aio_ring_push(a, cb, (unsigned long)cb, 0);
	} else {
		aio_remainder(cb, &rest);
		r = vlibc_aio_ring_push(a, &rest, (unsigned long)cb, 0);
	}
	if (!r)
		vlibc_stat_inc(VLIBC_STAT_aio_ring);
	return r;
}

/* INFLIGHT -> QUEUED: @cb (never submitted) back at the head of the queue.  Under list_lock. */
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
	vlibc_aio_ring_remake(a);
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

/* The executor: which requests a worker may start, and the workers. */

/* Is a worker running a request on @fd?  Under list_lock. */
static int fd_running(struct vlibc_aio_state *a, int fd)
{
	struct vlibc_aiocb *r = a->active;

	if (!r)
		return 0;
	do {
		if (r->state == AIO_REQ_RUNNING && r->fildes == fd)
			return 1;
		r = r->next;
	} while (r != a->active);
	return 0;
}

/* Is @cb the first waiting request on its descriptor?  Under list_lock. */
static int first_on_fd(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	const struct vlibc_aiocb *r;

	for (r = a->exec_head; r != cb; r = r->link)
		if (r->fildes == cb->fildes)
			return 0;
	return 1;
}

static int runnable(struct vlibc_aio_state *a, const struct vlibc_aiocb *cb)
{
	return first_on_fd(a, cb) && !fd_running(a, cb->fildes);
}

/* How many workers could start a request now (at most WORKERS_MAX + 1). */
static uint32_t runnable_count(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *r;
	uint32_t n = 0;

	for (r = a->exec_head; r && n <= WORKERS_MAX; r = r->link)
		n += runnable(a, r);
	return n;
}

/*
 * EXEC -> RUNNING: the first runnable request (with @files_only, on a
 * file: not one on a pipe, socket or terminal, which may block for ever),
 * taken off the executor's queue; under list_lock.
 */
static struct vlibc_aiocb *exec_take(struct vlibc_aio_state *a, int files_only)
{
	struct vlibc_aiocb *r, *prev = 0;

	for (r = a->exec_head; r; prev = r, r = r->link)
		if (runnable(a, r) && !(files_only && (r->op & AIO_OP_STREAM))) {
			aio_fifo_unlink_after(&a->exec_head, &a->exec_tail, prev, r);
			r->state = AIO_REQ_RUNNING;
			return r;
		}
	return 0;
}

/*
 * Start the workers the executor's queue needs and wake the idle ones.
 * Returns the number of live workers (0: none could be had).  A worker
 * that is not busy looks at the queue before it sleeps or exits, so a
 * new worker is needed only while runnable requests outnumber the
 * workers that are not busy.
 */
uint32_t vlibc_aio_exec_staff(struct vlibc_aio_state *a)
{
	uint32_t workers;
	int start;

	for (;;) {
		vlibc_lock(&a->list_lock);
		start = a->start_worker && a->n_workers < WORKERS_MAX &&
			runnable_count(a) > a->n_workers - a->n_busy_workers;
		if (start)
			a->n_workers++;
		workers = a->n_workers;
		vlibc_unlock(&a->list_lock);
		if (__atomic_load_n(&a->n_idle_workers, __ATOMIC_SEQ_CST))
			vlibc_futex_wake(&a->n_exec_queued, 0x7fffffff);
		if (!start)
			return workers;
		if (a->start_worker()) {
			vlibc_lock(&a->list_lock);
			workers = --a->n_workers;
			vlibc_unlock(&a->list_lock);
			return workers;
		}
	}
}

/*
 * EXEC -> IDLE: new request @cb found no worker (vlibc_aio_exec_submit()):
 * not accepted, -EAGAIN, unless a waiter took it already (0: it runs).
 */
int vlibc_aio_exec_withdraw(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	vlibc_lock(&a->list_lock);
	if (cb->state != AIO_REQ_EXEC ||
	    !aio_fifo_unlink(&a->exec_head, &a->exec_tail, cb)) {
		vlibc_unlock(&a->list_lock);
		return 0;
	}
	active_remove(a, cb);
	vlibc_aio_withdraw(cb, -EAGAIN);
	vlibc_unlock(&a->list_lock);
	return -EAGAIN;
}

/*
 * QUEUED -> EXEC: io_uring is gone: requests accepted but not in the
 * kernel (the queue, and those exiting threads handed over) go to the
 * executor.  They were accepted, so they stay queued even without a
 * worker: waiters run them.
 */
static void exec_take_queue(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb;

	vlibc_lock(&a->list_lock);
	while ((cb = a->queue_head)) {
		a->queue_head = cb->link;
		exec_append(a, cb);
	}
	a->queue_tail = 0;
	while ((cb = a->handoff)) {
		a->handoff = cb->link;
		exec_append(a, cb);
	}
	vlibc_unlock(&a->list_lock);
	vlibc_aio_exec_staff(a);
}

/*
 * For a thread that runs a request itself because the executor has no
 * worker (exec.c): EXEC -> RUNNING for the first runnable one, unless a
 * worker came meanwhile.  @files_only (a reaper): only one on a file,
 * and first, while the ring works, EXEC -> QUEUED for those on pipes,
 * sockets and terminals, which the ring waits for without a thread.
 */
struct vlibc_aiocb *vlibc_aio_exec_take_unstaffed(struct vlibc_aio_state *a,
						  int files_only)
{
	struct vlibc_aiocb *cb, *prev, *next;

	vlibc_lock(&a->list_lock);
	for (prev = 0, cb = a->exec_head;
	     files_only && cb && !aio_fallen_back(a); cb = next) {
		next = cb->link;
		if (!(cb->op & AIO_OP_STREAM)) {
			prev = cb;
			continue;
		}
		aio_fifo_unlink_after(&a->exec_head, &a->exec_tail, prev, cb);
		queue_append(a, cb);
	}
	cb = a->n_workers ? 0 : exec_take(a, files_only);
	vlibc_unlock(&a->list_lock);
	return cb;
}

/*
 * A worker's next request (EXEC -> RUNNING), after the one it ran
 * (@ran): sleeps up to WORKER_IDLE_S while there is none, then returns
 * NULL and the worker exits.
 */
struct vlibc_aiocb *vlibc_aio_worker_next(struct vlibc_aio_state *a, int ran)
{
	struct vlibc_timespec idle = { WORKER_IDLE_S, 0 };
	struct vlibc_aiocb *cb;
	uint32_t seen;
	int r;

	vlibc_lock(&a->list_lock);
	if (ran)
		a->n_busy_workers--;
	for (;;) {
		cb = exec_take(a, 0);
		if (cb) {
			a->n_busy_workers++;
			vlibc_unlock(&a->list_lock);
			return cb;
		}
		seen = a->n_exec_queued;
		__atomic_add_fetch(&a->n_idle_workers, 1, __ATOMIC_SEQ_CST);
		vlibc_unlock(&a->list_lock);
		r = vlibc_futex_wait(&a->n_exec_queued, seen, &idle);
		vlibc_lock(&a->list_lock);
		__atomic_sub_fetch(&a->n_idle_workers, 1, __ATOMIC_SEQ_CST);
		if (r == -ETIMEDOUT && !runnable_count(a))
			break;
	}
	a->n_workers--;
	vlibc_unlock(&a->list_lock);
	return 0;
}

/*
 * QUEUED -> INFLIGHT: submit queued requests while there is room.  Takes
 * sq_lock, then list_lock for each request.  Once io_uring is refused,
 * every queued request goes to the executor instead (QUEUED -> EXEC).
 */
void vlibc_aio_flush(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb;
	int r;

	if (!__atomic_load_n(&a->queue_head, __ATOMIC_RELAXED))
		return;
	if (aio_fallen_back(a)) {
		exec_take_queue(a);
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
		r = push(a, cb);
		if (r == -EBADF)
			ring_lost(a, cb);
		else if (r)
			ring_refused(a, cb);
	}
	vlibc_unlock(&a->sq_lock);
	if (aio_fallen_back(a))
		exec_take_queue(a);
}

/* HELD -> QUEUED: move fsyncs whose turn has come from the held list to the queue. */
void vlibc_aio_release_held(struct vlibc_aio_state *a)
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
		vlibc_aio_flush(a);
}

/*
 * QUEUED (hand-off list) -> INFLIGHT: the service thread submits what
 * exiting threads handed over, from its own thread.  When the ring is
 * lost or refused, they join the queue, which vlibc_aio_flush() puts on
 * a new ring or hands to the executor.
 */
void vlibc_aio_issue_handoffs(struct vlibc_aio_state *a)
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
		while ((r = push(a, cb)) == -EBUSY)
			;
		if (r)
			vlibc_aio_requeue(a, cb);
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
		vlibc_aio_flush(a);
}

/*
 * -> DONE: record @res as @cb's result and take @cb off the lists
 * (@listed); *@n gets what must be announced.  After the store to
 * error_code the caller may reuse @cb, so nothing reads it afterwards.
 */
void vlibc_aio_finish(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		      long res, int listed, struct vlibc_aio_note *n)
{
	/* Bytes a write that went on had done before (see reap.c). */
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
		active_remove(a, cb);
		cb->state = AIO_REQ_DONE;
		vlibc_unlock(&a->list_lock);
	}
	cb->state = AIO_REQ_DONE;
	vlibc_stat_inc(VLIBC_STAT_aio_completed);
	cb->return_value = res < 0 ? -1 : res;
	__atomic_store_n(&cb->error_code, res < 0 ? (int)-res : 0,
			 __ATOMIC_RELEASE);
}

/* Send what vlibc_aio_finish() left in @n: the notification, the lio group's. */
void vlibc_aio_announce(struct vlibc_aio_state *a, const struct vlibc_aio_note *n)
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
void vlibc_aio_wake_waiters(struct vlibc_aio_state *a)
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
 * (queued, held, cancelled, run by the executor: @listed 1, taken off
 * the active list).
 */
void vlibc_aio_complete(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			long res, int listed)
{
	struct vlibc_aio_note n;

	vlibc_aio_finish(a, cb, res, listed, &n);
	vlibc_aio_announce(a, &n);
	vlibc_aio_wake_waiters(a);
	if (listed)
		vlibc_aio_release_held(a);
}
