// SPDX-License-Identifier: GPL-2.0
/*
 * The fallback executor: what glibc's AIO does, for a process whose
 * io_uring was refused or lost (AIO_RING_FALLBACK).  Each request is done
 * with one blocking pread/pwrite (read/write on ESPIPE), fsync or
 * fdatasync in a worker thread, and completes through the normal path
 * (vlibc_aio_complete(): result, notification, lio group, wake-ups).
 *
 * As in glibc, the requests of one descriptor run one at a time, in
 * order, and different descriptors run in parallel, one worker each, up
 * to WORKERS_MAX; a worker with nothing to do lingers WORKER_IDLE_S, then
 * exits.  The image cannot make threads: the binder's start_worker()
 * makes one that calls __vlibc_aio_worker().
 *
 * Counts under list_lock: @workers live, @busy running a request.  A
 * worker that is not busy looks at the queue before it sleeps or exits,
 * so a new worker is needed only while runnable requests outnumber the
 * workers that are not busy.
 */
#include <linux/errno.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>

#define WORKERS_MAX	20	/* glibc's default aio_threads */
#define WORKER_IDLE_S	1	/* glibc's default aio_idle_time */
#define POLL_FIRST_NS	1000000L
#define POLL_MAX_NS	64000000L

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
 * The first runnable request (with @files_only, on a file: not one on a
 * pipe, socket or terminal, which may block for ever), taken off the
 * queue; under list_lock.
 */
static struct vlibc_aiocb *exec_take_some(struct vlibc_aio_state *a,
					  int files_only)
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

static struct vlibc_aiocb *exec_take(struct vlibc_aio_state *a)
{
	return exec_take_some(a, 0);
}

/* Take @cb off the executor's queue (aio_cancel); 1 if it was there. */
int vlibc_aio_exec_unlink(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	return aio_fifo_unlink(&a->exec_head, &a->exec_tail, cb);
}

/* Queue @cb for a worker; under list_lock. */
static void exec_append(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	cb->state = AIO_REQ_EXEC;
	aio_fifo_append(&a->exec_head, &a->exec_tail, cb);
	a->n_exec_queued++;
}

/*
 * Start the workers the queue needs and wake the idle ones.  Returns the
 * number of live workers (0: none could be had).
 */
static uint32_t exec_staff(struct vlibc_aio_state *a)
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
 * A new request @cb, on the active list, goes to the executor.  Called
 * with list_lock held, which it releases.  When there is no worker and
 * none can be started: -EAGAIN (and @cb not accepted), as glibc.
 */
int vlibc_aio_exec_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	exec_append(a, cb);
	vlibc_unlock(&a->list_lock);
	if (exec_staff(a))
		return 0;
	vlibc_lock(&a->list_lock);
	if (cb->state != AIO_REQ_EXEC || !vlibc_aio_exec_unlink(a, cb)) {
		vlibc_unlock(&a->list_lock);
		return 0;	/* a waiter took it already: it runs */
	}
	vlibc_aio_active_remove(a, cb);
	aio_not_accepted(cb, -EAGAIN);
	vlibc_unlock(&a->list_lock);
	return -EAGAIN;
}

/*
 * io_uring is gone: requests accepted but not in the kernel (the queue,
 * and those exiting threads handed over) go to the executor.  They were
 * accepted, so they stay queued even without a worker: waiters run them.
 */
void vlibc_aio_exec_take_queue(struct vlibc_aio_state *a)
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
	exec_staff(a);
}

/*
 * One read or write system call, again while a signal interrupts it, for
 * what is left of @cb (a write that went on on the ring before the
 * fallback resumes where it stopped).
 */
static long rw_retry(long nr, const struct vlibc_aiocb *cb)
{
	struct vlibc_aiocb rest;
	long r;

	aio_remainder(cb, &rest);
	do {
		r = vlibc_syscall4(nr, rest.fildes, (long)rest.buf, rest.nbytes,
				   rest.offset);
	} while (r == -EINTR);
	return r;
}

/* Do request @cb as glibc's helper thread does; its result or -errno. */
static long exec_io(const struct vlibc_aiocb *cb)
{
	int op = cb->op & ~AIO_OP_STREAM, write = op == AIO_OP_WRITE;
	long r;

	switch (op) {
	case AIO_OP_READ:
	case AIO_OP_WRITE:
		if (!(cb->op & AIO_OP_STREAM)) {
			r = rw_retry(write ? __NR_pwrite64 : __NR_pread64, cb);
			if (r != -ESPIPE)
				return r;
		}
		/* A socket or pipe has no offset: as glibc, without one. */
		return rw_retry(write ? __NR_write : __NR_read, cb);
	case AIO_OP_FSYNC:
	case AIO_OP_FDATASYNC:
		do {
			r = vlibc_syscall1(op == AIO_OP_FSYNC ? __NR_fsync :
					   __NR_fdatasync, cb->fildes);
		} while (r == -EINTR);
		return r;
	}
	return -EINVAL;
}

/* Run @cb (taken, RUNNING) and complete it.  Nothing reads @cb after. */
static void exec_run(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	vlibc_aio_complete(a, cb, exec_io(cb), 1);
}

/* A worker thread's body, made by the binder's start_worker(). */
VLIBC_ENTRY long __vlibc_aio_worker(void)
{
	struct vlibc_aio_state *a = aio_state();
	struct vlibc_timespec idle = { WORKER_IDLE_S, 0 };
	struct vlibc_aiocb *cb;
	uint32_t seen;
	int r;

	vlibc_lock(&a->list_lock);
	for (;;) {
		cb = exec_take(a);
		if (cb) {
			a->n_busy_workers++;
			vlibc_unlock(&a->list_lock);
			exec_run(a, cb);
			vlibc_lock(&a->list_lock);
			a->n_busy_workers--;
			continue;
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
 * A request the kernel dropped (see res_dropped_by_kernel() in
 * complete.c) goes to the executor.  Called by a reaper under cq_lock;
 * vlibc_aio_exec_kick() finds it a worker after the batch.  0 when not taken:
 * a cancel or a hand-off came for it meanwhile.
 */
int vlibc_aio_exec_adopt(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
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
 * Start a worker for queued requests if there is none (reapers call
 * it).  When none can be had at all, the reaper runs the queued requests
 * on files itself, as a waiter does after the fallback (exec_help());
 * while the ring works, requests on pipes, sockets and terminals, which
 * could block for ever, go back to the ring, which waits for them
 * without a thread.
 */
void vlibc_aio_exec_kick(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb, *prev, *next;

	if (!__atomic_load_n(&a->exec_head, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&a->n_workers, __ATOMIC_RELAXED) || exec_staff(a))
		return;
	for (;;) {
		vlibc_lock(&a->list_lock);
		/* While the ring works it waits for the others without a thread. */
		for (prev = 0, cb = a->exec_head; cb && !aio_fallen_back(a); cb = next) {
			next = cb->link;
			if (!(cb->op & AIO_OP_STREAM)) {
				prev = cb;
				continue;
			}
			aio_fifo_unlink_after(&a->exec_head, &a->exec_tail, prev, cb);
			cb->state = AIO_REQ_QUEUED;
			aio_fifo_append(&a->queue_head, &a->queue_tail, cb);
		}
		cb = a->n_workers ? 0 : exec_take_some(a, 1);
		vlibc_unlock(&a->list_lock);
		if (!cb)
			break;
		exec_run(a, cb);
	}
	vlibc_aio_flush(a);
}

/* No worker at all can be had: the waiter runs one queued request itself. */
static void exec_help(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb = 0;

	if (!__atomic_load_n(&a->exec_head, __ATOMIC_RELAXED) || exec_staff(a))
		return;
	vlibc_lock(&a->list_lock);
	if (!a->n_workers)
		cb = exec_take(a);
	vlibc_unlock(&a->list_lock);
	if (cb)
		exec_run(a, cb);
}

/*
 * Before a waiter sleeps on the completion counter after the fallback:
 * help the executor if it has no thread, and return how long to sleep.
 * Completions of requests still in the old ring come without a wake-up,
 * so while there are any the waiter polls, @poll growing from 1 ms to
 * 64 ms; @limit (the caller's, NULL: none) caps it.
 */
const struct vlibc_timespec *vlibc_aio_exec_wait_limit(struct vlibc_aio_state *a,
						 const struct vlibc_timespec *limit,
						 struct vlibc_timespec *poll)
{
	if (!aio_fallen_back(a))
		return limit;
	exec_help(a);
	/* Poll for the old ring, or to try again for a worker. */
	if (!__atomic_load_n(&a->n_inflight, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&a->n_cancels_unreaped, __ATOMIC_RELAXED) &&
	    !(__atomic_load_n(&a->exec_head, __ATOMIC_RELAXED) &&
	      !__atomic_load_n(&a->n_workers, __ATOMIC_RELAXED)))
		return limit;
	poll->tv_sec = 0;
	poll->tv_nsec = poll->tv_nsec ? poll->tv_nsec * 2 : POLL_FIRST_NS;
	if (poll->tv_nsec > POLL_MAX_NS)
		poll->tv_nsec = POLL_MAX_NS;
	if (limit && (limit->tv_sec < 0 ||
		      (limit->tv_sec == 0 && limit->tv_nsec < poll->tv_nsec)))
		return limit;
	return poll;
}
