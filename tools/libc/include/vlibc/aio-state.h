/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process state of the POSIX AIO family, part of struct vlibc_private:
 * zero means "no ring yet", which is also what a fork child starts with.
 */
#ifndef _VLIBC_AIO_STATE_H
#define _VLIBC_AIO_STATE_H

#include <vlibc/futex.h>

struct vlibc_aiocb;

enum vlibc_aio_ring_state {
	AIO_RING_NONE,		/* not set up yet in this process */
	AIO_RING_READY,
	AIO_RING_FALLBACK,	/* io_uring refused or lost: the executor, for good */
};

/* One lio_listio(LIO_NOWAIT) list with a sigevent, waiting to finish. */
struct vlibc_aio_group {
	uint32_t	pending;	/* requests not yet complete; 0: free */
	uint32_t	pad;
	unsigned char	sigevent[64];
};

#define VLIBC_AIO_GROUPS	16

/* Try a read with preadv2(RWF_NOWAIT) first: the page cache answers it. */
#define VLIBC_AIO_NOWAIT_READ	1
/* The image's own: fcntl(F_GETFL) was refused, never ask again. */
#define VLIBC_AIO_NO_FCNTL	0x100

struct vlibc_aio_state {
	uint32_t		ring_state;
	int			ring_fd;
	struct vlibc_lock	setup_lock;
	/* Submission side, under sq_lock (held across io_uring_enter). */
	struct vlibc_lock	sq_lock;
	uint32_t		*sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	void			*sqes;
	uint32_t		sq_entries;
	/* Completion side, under cq_lock. */
	struct vlibc_lock	cq_lock;
	uint32_t		*cq_head, *cq_tail, *cq_mask;
	void			*cqes;
	uint32_t		cq_entries;
	void			*ring_map, *sqes_map;
	unsigned long		ring_map_size, sqes_map_size;
	/*
	 * Requests, under list_lock (written by req.c only): every request
	 * not done, in submission order (queued, held, in flight, handed
	 * off, for or at the executor), and the lists of those waiting.
	 */
	struct vlibc_lock	list_lock;
	struct vlibc_aiocb	*active;
	struct vlibc_aiocb	*queue_head, *queue_tail;
	struct vlibc_aiocb	*held;
	struct vlibc_aiocb	*handoff;	/* for the service thread to submit */
	uint32_t		n_inflight;	/* requests AIO_REQ_INFLIGHT */
	uint32_t		n_cancels_unreaped; /* cancel SQEs whose CQE is due */
	uint64_t		last_seq;	/* the last request's ->seq */
	/*
	 * Waiting (wait.c): the word sleepers wait on, bumped at every reap
	 * that completed something and whenever the place in the kernel
	 * frees up; the one waiter in the kernel.
	 */
	uint32_t		wakeups;
	uint32_t		n_sleepers;	/* threads in futex_wait on it */
	uint32_t		kernel_waiter;	/* 0, WAITER_CALLER, WAITER_SERVICE */
	/* Callbacks into the caller (binder), set by __vlibc_aio_attach(). */
	long			(*notify_thread)(void (*fn)(unsigned long), unsigned long value,
						 void *attr);
	long			(*start_service)(void);
	uint32_t		service_started;
	uint32_t		flags;		/* VLIBC_AIO_NOWAIT_READ, _NO_FCNTL */
	struct vlibc_aio_group	groups[VLIBC_AIO_GROUPS];
	/* The ring's identity (fstat at setup), for the binder's fork child. */
	uint64_t		ring_dev, ring_ino;
	/*
	 * The fallback executor (exec.c), under list_lock: requests waiting
	 * for a worker thread, and its workers.
	 */
	struct vlibc_aiocb	*exec_head, *exec_tail;
	uint32_t		n_workers;	/* worker threads alive */
	uint32_t		n_busy_workers;	/* of them, running a request */
	uint32_t		n_idle_workers;	/* of them, asleep on n_exec_queued */
	uint32_t		n_exec_queued;	/* requests ever queued for a worker */
	long			(*start_worker)(void);
};

#endif /* _VLIBC_AIO_STATE_H */
