// SPDX-License-Identifier: GPL-2.0
/*
 * The POSIX AIO entry points.  Checks follow glibc 2.36 where POSIX lets
 * an implementation choose: aio_reqprio is refused at once, a bad
 * descriptor or offset is reported later, through aio_error().
 * vlibc_aio_submit() starts a request, on the ring or at the executor,
 * for aio.c and lio.c.  The top layer, with cancel.c and lio.c (the
 * layers, the state diagram and the lock order: vlibc/aio.h).
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <vlibc/aio.h>
#include <vlibc/time.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/seccomp.h>

/*
 * The page-cache fast path: a read the page cache can answer whole is
 * done here, with one preadv2(RWF_NOWAIT), and never touches the ring.
 * Anything else (EAGAIN: not cached; a short count; an error) goes to
 * the ring as usual, which gives the error or the rest its normal way.
 * Only up to AIO_INLINE_MAX bytes: a larger copy would keep the caller
 * longer than a worker takes to start it.  Only for a descriptor without
 * O_DIRECT: there RWF_NOWAIT would not fail fast but wait for the device,
 * and the request would stop being asynchronous.
 */
static int aio_read_cached(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	struct { void *base; size_t len; } iov = { cb->buf, cb->nbytes };
	int fl;
	long r;

	if (!cb->nbytes || cb->nbytes > AIO_INLINE_MAX)
		return 0;
	fl = vlibc_aio_fd_flags(cb, 0);
	if (fl < 0 || (fl & (AIO_FD_DIRECT | AIO_FD_WRONLY)) ||
	    vlibc_aio_follows_active(a, cb))
		return 0;
	r = __arch_syscall6(__NR_preadv2, cb->fildes, (long)&iov, 1,
			   cb->offset, 0, RWF_NOWAIT);
	/* glibc's AIO never makes it: a sandbox may refuse, then never again. */
	if (vlibc_refused(r))
		__atomic_and_fetch(&a->flags, ~VLIBC_AIO_NOWAIT_READ,
				   __ATOMIC_RELAXED);
	if (r != (long)cb->nbytes)
		return 0;
	cb->op = AIO_OP_READ;
	cb->group = 0;
	vlibc_aio_accept(cb);
	vlibc_stat_inc(VLIBC_STAT_aio_inline);
	vlibc_aio_complete(a, cb, r, 0);
	return 1;
}

static int issue_async(struct vlibc_aiocb *cb, int op)
{
	int fl;

	if ((op != AIO_OP_READ && op != AIO_OP_WRITE) ||
	    aio_rw_count(cb) <= AIO_INLINE_MAX)
		return 0;
	fl = vlibc_aio_fd_flags(cb, 0);
	return fl >= 0 && !(fl & AIO_FD_DIRECT);
}
static int write_may_go_on(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   int op)
{
	int fl;

	if (op != AIO_OP_WRITE || !a->start_service ||
	    __atomic_load_n(&a->service_started, __ATOMIC_RELAXED))
		return 0;
	fl = vlibc_aio_fd_flags(cb, 1);
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
	fl = vlibc_aio_fd_flags(cb, 1);
	return fl >= 0 && (fl & AIO_FD_SIGPIPE);
}

/*
 * Start request @cb (its fields checked by the caller).  @group is a
 * lio_listio group index + 1, or 0.
 */
int vlibc_aio_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb, int op,
		     int group)
{
	int fallback = vlibc_aio_ring_get(a) != AIO_RING_READY;
	int to_exec = fallback || write_raises_sigpipe(a, cb, op);
	int goes_on = write_may_go_on(a, cb, op);
	int notifies = cb->sigevent.notify == SIGEV_SIGNAL ||
		       cb->sigevent.notify == SIGEV_THREAD;

	cb->op = op;
	cb->group = group;
	cb->canceling = 0;
	cb->issue_async = issue_async(cb, op);
	cb->return_value = 0;
	/* The state first: whoever sees EINPROGRESS must see an active request. */
	vlibc_aio_accept(cb);
	if (notifies || group || goes_on)
		vlibc_aio_start_service(a);
	/*
	 * A notification comes while the application does not call in only
	 * through the service thread (the executor's workers notify what
	 * they run): without it, EAGAIN, as glibc says without its thread.
	 */
	if ((notifies || group) && !to_exec && a->start_service &&
	    !__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
		return vlibc_aio_withdraw(cb, -EAGAIN);
	/*
	 * A write that goes on with no thread to submit the rest would stop
	 * part way while the application waits elsewhere (say, reading the
	 * other end itself): EAGAIN, as glibc says without its thread.
	 */
	if (goes_on && !to_exec &&
	    !__atomic_load_n(&a->service_started, __ATOMIC_ACQUIRE))
		return vlibc_aio_withdraw(cb, -EAGAIN);

	if (op == AIO_OP_WRITE)
		vlibc_aio_fd_flags(cb, 1);	/* for must_follow() */
	/*
	 * Requests wait in user space (the kernel has INFLIGHT_MAX): take
	 * what completed off the active list first, which every new request
	 * is checked against (a long lio_listio() would be quadratic).
	 */
	if (__atomic_load_n(&a->queue_head, __ATOMIC_RELAXED))
		vlibc_aio_reap(a);
	switch (vlibc_aio_start(a, cb, to_exec)) {
	case AIO_REQ_HELD:
		return 0;
	case AIO_REQ_EXEC:
		/*
		 * No worker to be had: EAGAIN, as glibc says, also for a
		 * write to a pipe or socket while the ring works (made on the
		 * ring, it would raise SIGPIPE in this thread, or stop part
		 * way with no thread to go on with it).
		 */
		return vlibc_aio_exec_submit(a, cb);
	}
	vlibc_aio_flush(a);
	return 0;
}

static long aio_rw(struct vlibc_aiocb *cb, int op, int group)
{
	struct vlibc_aio_state *a = aio_state();
	int r = vlibc_aio_check_cb(cb);

	if (r)
		return r;
	if (cb->reqprio < 0 || cb->reqprio > VLIBC_AIO_PRIO_DELTA_MAX) {
		cb->return_value = -1;
		cb->error_code = EINVAL;
		return -EINVAL;
	}
	cb->op = op;
	cb->group = group;
	if (aio_range_invalid(cb)) {
		vlibc_aio_accept(cb);
		vlibc_aio_complete(a, cb, -EINVAL, 0);
		return 0;
	}
	if (op == AIO_OP_READ && (a->flags & VLIBC_AIO_NOWAIT_READ) &&
	    aio_read_cached(a, cb))
		return 0;
	return vlibc_aio_submit(a, cb, op, group);
}

VLIBC_ENTRY long __vlibc_aio_read(struct vlibc_aiocb *cb)
{
	vlibc_stat_inc(VLIBC_STAT_aio_read);
	return aio_rw(cb, AIO_OP_READ, 0);
}

VLIBC_ENTRY long __vlibc_aio_write(struct vlibc_aiocb *cb)
{
	vlibc_stat_inc(VLIBC_STAT_aio_write);
	return aio_rw(cb, AIO_OP_WRITE, 0);
}

VLIBC_ENTRY long __vlibc_aio_fsync(int how, struct vlibc_aiocb *cb)
{
	int r = vlibc_aio_check_cb(cb);

	vlibc_stat_inc(VLIBC_STAT_aio_fsync);
	if (r)
		return r;
	if (how != O_SYNC && how != O_DSYNC)
		return -EINVAL;
	r = vlibc_aio_fd_valid(cb->fildes);
	if (r)
		return r;
	return vlibc_aio_submit(aio_state(), cb,
			  how == O_DSYNC ? AIO_OP_FDATASYNC : AIO_OP_FSYNC, 0);
}

/* Reap first when the request still looks in progress: nobody else may. */
VLIBC_ENTRY int __vlibc_aio_error(const struct vlibc_aiocb *cb)
{
	int r = vlibc_aio_check_cb(cb);

	vlibc_stat_inc(VLIBC_STAT_aio_error);
	if (r)
		return r;
	if (aio_in_progress(cb))
		vlibc_aio_reap(aio_state());
	return __atomic_load_n(&cb->error_code, __ATOMIC_ACQUIRE);
}

VLIBC_ENTRY long __vlibc_aio_return(struct vlibc_aiocb *cb, long *value)
{
	int r = vlibc_aio_check_cb(cb);

	vlibc_stat_inc(VLIBC_STAT_aio_return);
	if (r)
		return r;
	*value = cb->return_value;
	return 0;
}

struct suspend_list {
	const struct vlibc_aiocb *const	*list;
	int				n;
};

static int request_active(const struct vlibc_aiocb *cb)
{
	return cb->state == AIO_REQ_QUEUED || cb->state == AIO_REQ_HELD ||
	       cb->state == AIO_REQ_INFLIGHT || cb->state == AIO_REQ_EXEC ||
	       cb->state == AIO_REQ_RUNNING;
}

/* One entry done, or nothing this process is waiting for in the list. */
static int suspend_done(void *ctx)
{
	const struct suspend_list *s = ctx;
	int i, active = 0;

	for (i = 0; i < s->n; i++) {
		const struct vlibc_aiocb *cb = s->list[i];

		if (!cb || vlibc_aio_check_cb(cb))
			continue;
		if (!aio_in_progress(cb))
			return 1;
		active |= request_active(cb);
	}
	return !active;
}

/* @cp: the binder's cancellation point record, or NULL (not one). */
VLIBC_ENTRY long __vlibc_aio_suspend(const struct vlibc_aiocb *const list[],
				     int n, const struct vlibc_timespec *timeout,
				     struct vlibc_aio_cancel_point *cp)
{
	struct suspend_list s = { list, n };

	vlibc_stat_inc(VLIBC_STAT_aio_suspend);
	if (n < 0 || (n && !list))
		return -EINVAL;
	if (timeout && !vlibc_nsec_valid(timeout->tv_nsec))
		return -EINVAL;
	if (suspend_done(&s))
		return 0;
	return vlibc_aio_wait(aio_state(), suspend_done, &s, timeout, WAITER_CALLER, cp);
}

VLIBC_ENTRY void __vlibc_aio_init(const void *init)
{
	/* glibc's thread-pool hints have nothing to size here. */
}

/*
 * The caller's part: @notify_thread runs SIGEV_THREAD notifications,
 * @start_service starts a thread that calls __vlibc_aio_service(), so that
 * notifications come without the application calling in.
 */
VLIBC_ENTRY long __vlibc_aio_attach(long (*notify_thread)(void (*)(unsigned long),
							 unsigned long, void *),
				    long (*start_service)(void),
				    unsigned int flags)
{
	struct vlibc_aio_state *a = aio_state();

	a->notify_thread = notify_thread;
	a->start_service = start_service;
	a->flags = flags;
	return 0;
}

/*
 * The executor's threads: @start_worker starts a thread that calls
 * __vlibc_aio_worker().  Without it (a binder that does not know the
 * executor) a process whose io_uring is refused runs its accepted
 * requests in the threads that wait for them, and refuses new ones
 * with EAGAIN.
 */
VLIBC_ENTRY long __vlibc_aio_attach_executor(long (*start_worker)(void))
{
	aio_state()->start_worker = start_worker;
	return 0;
}

/*
 * The ring descriptor a fork child inherits and must close, -1 if none;
 * @id gets the st_dev and st_ino it had at setup (the application may
 * have closed it and put another file on that number since).
 */
VLIBC_ENTRY long __vlibc_aio_ring_id(uint64_t id[2])
{
	struct vlibc_aio_state *a = aio_state();

	long fd;

	/* Set up under setup_lock, made again under sq_lock. */
	vlibc_lock(&a->setup_lock);
	vlibc_lock(&a->sq_lock);
	id[0] = a->ring_dev;
	id[1] = a->ring_ino;
	fd = id[1] ? a->ring_fd : -1;
	vlibc_unlock(&a->sq_lock);
	vlibc_unlock(&a->setup_lock);
	return fd;
}

/*
 * A seccomp filter is about to go in (the binder saw prctl() or syscall()
 * install it): from now on no call glibc's AIO would not make.  io_uring
 * is given up for the executor, as when it is refused (see
 * vlibc_aio_ring_sandbox()); the page-cache read (preadv2) and the descriptor
 * flags (fcntl) are not asked any more.  @nested: the caller is inside
 * the image already on this thread (a signal handler).
 */
VLIBC_ENTRY long __vlibc_aio_sandbox_coming(int nested)
{
	struct vlibc_aio_state *a = aio_state();

	__atomic_and_fetch(&a->flags, ~VLIBC_AIO_NOWAIT_READ, __ATOMIC_RELAXED);
	__atomic_or_fetch(&a->flags, VLIBC_AIO_NO_FCNTL, __ATOMIC_RELAXED);
	if (vlibc_aio_ring_sandbox(a, nested))
		vlibc_aio_flush(a);	/* what was queued goes to the executor */
	return 0;
}

/*
 * Can this process have a ring at all?  0, or -ENOSYS when io_uring_setup
 * failed or a seccomp filter is in force (the binder binds glibc then).
 */
VLIBC_ENTRY long __vlibc_aio_probe(void)
{
	return vlibc_aio_ring_get(aio_state()) == AIO_RING_READY ? 0 : -ENOSYS;
}
