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
 * to WORKERS_MAX (req.c); a worker with nothing to do lingers WORKER_IDLE_S, then
 * exits.  The image cannot make threads: the binder's start_worker()
 * makes one that calls __vlibc_aio_worker().
 *
 * This file does the requests; which one a worker takes, and how many
 * workers there are, is req.c's (vlibc_aio_worker_next(),
 * vlibc_aio_exec_staff()), as every edge of the state diagram.  Below
 * it: req.c; the layers: vlibc/aio.h.
 */
#include <linux/errno.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>

#define POLL_FIRST_NS	1000000L
#define POLL_MAX_NS	64000000L

/*
 * New request @cb, listed and queued for the executor (vlibc_aio_start()),
 * needs a worker.  When there is none and none can be started: -EAGAIN
 * (and @cb not accepted), as glibc.
 */
int vlibc_aio_exec_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb)
{
	if (vlibc_aio_exec_staff(a))
		return 0;
	return vlibc_aio_exec_withdraw(a, cb);
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
		r = __arch_syscall4(nr, rest.fildes, (long)rest.buf, rest.nbytes,
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
			r = __arch_syscall1(op == AIO_OP_FSYNC ? __NR_fsync :
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
	struct vlibc_aiocb *cb;
	int ran = 0;

	while ((cb = vlibc_aio_worker_next(a, ran))) {
		vlibc_stat_inc(VLIBC_STAT_aio_worker);
		exec_run(a, cb);
		ran = 1;
	}
	return 0;
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
	struct vlibc_aiocb *cb;

	if (!__atomic_load_n(&a->exec_head, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&a->n_workers, __ATOMIC_RELAXED) ||
	    vlibc_aio_exec_staff(a))
		return;
	while ((cb = vlibc_aio_exec_take_unstaffed(a, 1))) {
		vlibc_stat_inc(VLIBC_STAT_aio_exec_caller);
		exec_run(a, cb);
	}
	vlibc_aio_flush(a);
}

/* No worker at all can be had: the waiter runs one queued request itself. */
static void exec_help(struct vlibc_aio_state *a)
{
	struct vlibc_aiocb *cb;

	if (!__atomic_load_n(&a->exec_head, __ATOMIC_RELAXED) ||
	    vlibc_aio_exec_staff(a))
		return;
	cb = vlibc_aio_exec_take_unstaffed(a, 0);
	if (cb) {
		vlibc_stat_inc(VLIBC_STAT_aio_exec_caller);
		exec_run(a, cb);
	}
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
