// SPDX-License-Identifier: GPL-2.0
/*
 * The process's io_uring: set up at the first request of each process (a
 * fork child starts with a wiped private region and so with a ring of its
 * own), mapped MADV_DONTFORK so a child never sees the parent's rings.
 *
 * Submission holds sq_lock across io_uring_enter(): the SQEs a thread
 * writes are submitted by that thread, so the kernel ties each request to
 * the thread that asked for it (see __vlibc_aio_thread_exit()).
 *
 * io_uring may be refused at any time (a seccomp filter installed later,
 * kernel.io_uring_disabled with the ring's descriptor closed): the first
 * refusal turns the process to the fallback executor for good
 * (AIO_RING_FALLBACK); no io_uring call is made after that.  Requests
 * already in the kernel complete into the ring's memory, which stays
 * mapped (the mapping holds the ring even with its descriptor closed),
 * and are reaped from there without a system call.
 *
 * The bottom layer: calls nothing else of the family (the layers, the
 * ownership and the lock order: vlibc/aio.h).
 */
#include <asm/stat.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/io_uring.h>
#include <linux/mman.h>
#include <linux/resource.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/families.h>
#include <vlibc/seccomp.h>

#define SQ_ENTRIES		128
#define CQ_ENTRIES		1024
#define MAP_SHARED_POPULATE	(MAP_SHARED | MAP_POPULATE)
/* A wait in the kernel ends this often: see vlibc_aio_ring_enter_wait(). */
#define KERNEL_WAIT_MAX_S	1

static long ring_mmap(int fd, unsigned long size, unsigned long off)
{
	return __arch_syscall6(__NR_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED_POPULATE,
			      fd, off);
}

static void ring_unmap(struct vlibc_aio_state *a)
{
	if (a->ring_map)
		__arch_syscall2(__NR_munmap, (long)a->ring_map, a->ring_map_size);
	if (a->sqes_map)
		__arch_syscall2(__NR_munmap, (long)a->sqes_map, a->sqes_map_size);
	a->ring_map = a->sqes_map = 0;
	a->cqes = 0;
}

static int ring_map(struct vlibc_aio_state *a, const struct io_uring_params *p)
{
	unsigned long sq_size = p->sq_off.array + p->sq_entries * 4UL;
	unsigned long cq_size = p->cq_off.cqes +
				p->cq_entries * sizeof(struct io_uring_cqe);
	long m;
	char *r;

	a->ring_map_size = sq_size > cq_size ? sq_size : cq_size;
	m = ring_mmap(a->ring_fd, a->ring_map_size, IORING_OFF_SQ_RING);
	if ((unsigned long)m > -4096UL)
		return (int)m;
	a->ring_map = (void *)m;
	a->sqes_map_size = p->sq_entries * sizeof(struct io_uring_sqe);
	m = ring_mmap(a->ring_fd, a->sqes_map_size, IORING_OFF_SQES);
	if ((unsigned long)m > -4096UL)
		return (int)m;
	a->sqes_map = (void *)m;
	__arch_syscall3(__NR_madvise, (long)a->ring_map, a->ring_map_size,
		       MADV_DONTFORK);
	__arch_syscall3(__NR_madvise, (long)a->sqes_map, a->sqes_map_size,
		       MADV_DONTFORK);

	r = a->ring_map;
	a->sq_head = (uint32_t *)(r + p->sq_off.head);
	a->sq_tail = (uint32_t *)(r + p->sq_off.tail);
	a->sq_mask = (uint32_t *)(r + p->sq_off.ring_mask);
	a->sq_flags = (uint32_t *)(r + p->sq_off.flags);
	a->sq_array = (uint32_t *)(r + p->sq_off.array);
	a->sq_entries = p->sq_entries;
	a->sqes = a->sqes_map;
	a->cq_head = (uint32_t *)(r + p->cq_off.head);
	a->cq_tail = (uint32_t *)(r + p->cq_off.tail);
	a->cq_mask = (uint32_t *)(r + p->cq_off.ring_mask);
	a->cqes = r + p->cq_off.cqes;
	a->cq_entries = p->cq_entries;
	return 0;
}

/*
 * The ring's descriptor must not take the lowest free number, which the
 * application may expect to get (or to find closed) itself.
 */
static int ring_fd_move_high(int fd)
{
	struct rlimit64 lim;
	long low = 3, high;

	if (__arch_syscall4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&lim) == 0) {
		low = lim.rlim_cur > 1040 ? 1000 : (long)lim.rlim_cur - 40;
		if (low < 3)
			low = 3;
	}
	high = __arch_syscall3(__NR_fcntl, fd, F_DUPFD_CLOEXEC, low);
	if (high < 0)
		return fd;
	__arch_syscall1(__NR_close, fd);
	return (int)high;
}

/* Remember which file the ring is, for a fork child to recognise it. */
static void ring_identify(struct vlibc_aio_state *a)
{
	struct stat st;

	a->ring_dev = a->ring_ino = 0;
	if (__arch_syscall2(__NR_fstat, a->ring_fd, (long)&st) == 0) {
		a->ring_dev = st.st_dev;
		a->ring_ino = st.st_ino;
	}
}

static int ring_setup(struct vlibc_aio_state *a)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
		.cq_entries = CQ_ENTRIES,
	};
	const unsigned int need = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP |
				  IORING_FEAT_EXT_ARG;
	long fd;
	int r;

	a->ring_fd = -1;
	if (vlibc_seccomp_filtered())
		return -EPERM;
	fd = __arch_syscall2(__NR_io_uring_setup, SQ_ENTRIES, (long)&p);
	if (fd < 0) {
		if (vlibc_refused(fd))
			vlibc_stat_inc(VLIBC_STAT_aio_refused);
		return (int)fd;
	}
	a->ring_fd = ring_fd_move_high((int)fd);
	if ((p.features & need) != need) {
		r = -ENOSYS;
	} else {
		r = ring_map(a, &p);
	}
	if (r) {
		ring_unmap(a);
		__arch_syscall1(__NR_close, a->ring_fd);
		a->ring_fd = -1;
		return r;
	}
	ring_identify(a);
	return 0;
}

/*
 * Set the ring up at the first request of the process; returns
 * AIO_RING_READY, or AIO_RING_FALLBACK when io_uring is not to be had.
 */
int vlibc_aio_ring_get(struct vlibc_aio_state *a)
{
	uint32_t s = __atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE);

	if (likely(s != AIO_RING_NONE))
		return s;
	vlibc_lock(&a->setup_lock);
	if (a->ring_state == AIO_RING_NONE) {
		s = ring_setup(a) ? AIO_RING_FALLBACK : AIO_RING_READY;
		if (s == AIO_RING_FALLBACK)
			vlibc_stat_inc(VLIBC_STAT_aio_fallback);
		__atomic_store_n(&a->ring_state, s, __ATOMIC_RELEASE);
	}
	vlibc_unlock(&a->setup_lock);
	return __atomic_load_n(&a->ring_state, __ATOMIC_ACQUIRE);
}

/*
 * io_uring refused a call: from now on every request goes to the
 * executor.  Takes no lock; whoever holds queued requests hands them
 * over (vlibc_aio_flush()).  Counted the first time.
 */
void vlibc_aio_ring_refused(struct vlibc_aio_state *a)
{
	if (__atomic_exchange_n(&a->ring_state, AIO_RING_FALLBACK,
				__ATOMIC_RELEASE) != AIO_RING_FALLBACK)
		vlibc_stat_inc(VLIBC_STAT_aio_fallback);
}

static void sqe_fill(struct io_uring_sqe *sqe, const struct vlibc_aiocb *cb,
		     uint64_t user_data, int op_cancel)
{
	*sqe = (struct io_uring_sqe){ .user_data = user_data };
	if (op_cancel) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->fd = -1;
		sqe->addr = (unsigned long)cb;
		return;
	}
	if (!cb) {
		sqe->opcode = IORING_OP_NOP;
		return;
	}
	sqe->fd = cb->fildes;
	switch (cb->op & ~AIO_OP_STREAM) {
	case AIO_OP_READ:
	case AIO_OP_WRITE:
		sqe->opcode = (cb->op & ~AIO_OP_STREAM) == AIO_OP_READ ?
			      IORING_OP_READ : IORING_OP_WRITE;
		sqe->addr = (unsigned long)cb->buf;
		/* Like read(2): the kernel caps the count at MAX_RW_COUNT. */
		sqe->len = (uint32_t)aio_rw_count(cb);
		/* A socket has no offset: -1 reads and writes it as a stream. */
		sqe->off = cb->op & AIO_OP_STREAM ? -1UL : (uint64_t)cb->offset;
		if (cb->issue_async)
			sqe->flags = IOSQE_ASYNC;	/* see AIO_INLINE_MAX */
		break;
	case AIO_OP_FSYNC:
	case AIO_OP_FDATASYNC:
		sqe->opcode = IORING_OP_FSYNC;
		sqe->fsync_flags = cb->op == AIO_OP_FDATASYNC ?
				   IORING_FSYNC_DATASYNC : 0;
		break;
	}
}

/*
 * The application closed the ring's descriptor (closefrom(3), as daemons
 * do).  With nothing in flight the ring is made again.  With requests (or
 * cancel answers) in flight the old ring stays mapped until they are reaped, and new ones go
 * to the executor.  Called with sq_lock, cq_lock and list_lock held.
 * Returns 0 with a new ring, -EAGAIN for the executor.
 */
int vlibc_aio_ring_remake(struct vlibc_aio_state *a)
{
	/* The number is not ours any more: never close or use it again. */
	a->ring_fd = -1;
	a->ring_dev = a->ring_ino = 0;
	/* A cancel's answer still due would land in the old ring's memory. */
	if (a->n_inflight || __atomic_load_n(&a->n_cancels_unreaped, __ATOMIC_RELAXED) ||
	    !aio_ring_ready(a)) {
		vlibc_aio_ring_refused(a);
		return -EAGAIN;
	}
	ring_unmap(a);
	if (ring_setup(a)) {
		vlibc_aio_ring_refused(a);
		return -EAGAIN;
	}
	return 0;
}

/*
 * Write one SQE and submit it from this thread, whether or not the ring
 * is still in use; see vlibc_aio_ring_push().
 */
static int ring_submit(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		       uint64_t user_data, int op_cancel)
{
	uint32_t tail, idx;
	long r;

	tail = *a->sq_tail;
	if (tail - __atomic_load_n(a->sq_head, __ATOMIC_ACQUIRE) >= a->sq_entries)
		return -EBUSY;
	idx = tail & *a->sq_mask;
	sqe_fill((struct io_uring_sqe *)a->sqes + idx, cb, user_data, op_cancel);
	a->sq_array[idx] = idx;
	__atomic_store_n(a->sq_tail, tail + 1, __ATOMIC_RELEASE);
	do {
		vlibc_stat_inc(VLIBC_STAT_aio_enter);
		r = __arch_syscall6(__NR_io_uring_enter, a->ring_fd, 1, 0, 0, 0, 0);
	} while (r == -EINTR || r == -EAGAIN || r == -EBUSY);
	if (r >= 0)
		return 0;
	/* Nothing was submitted (else r would count it): take the SQE back. */
	__atomic_store_n(a->sq_tail, tail, __ATOMIC_RELEASE);
	if (r == -EBADF || r == -EOPNOTSUPP)
		return -EBADF;
	/* ENOSYS, EPERM, EACCES (seccomp, LSM), or anything unexpected. */
	vlibc_stat_inc(VLIBC_STAT_aio_refused);
	vlibc_aio_ring_refused(a);
	return -ENOSYS;
}

/*
 * Write one SQE and submit it from this thread.  Returns 0, -EBUSY when
 * the submission ring is full (the caller queues the request), -EBADF
 * when the ring's descriptor is gone, or -ENOSYS when io_uring is refused
 * (now, or earlier: the executor takes over); the SQE is taken back on
 * failure.  Called with sq_lock held.
 */
int vlibc_aio_ring_push(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
		  uint64_t user_data, int op_cancel)
{
	if (!aio_ring_ready(a))
		return -ENOSYS;
	return ring_submit(a, cb, user_data, op_cancel);
}

/* Post a NOP so that the thread waiting in the kernel looks again. */
void vlibc_aio_ring_kick(struct vlibc_aio_state *a)
{
	if (!aio_ring_ready(a))
		return;
	vlibc_lock(&a->sq_lock);
	vlibc_aio_ring_push(a, 0, 0, 0);
	vlibc_unlock(&a->sq_lock);
}

/*
 * The ring's descriptor @fd was found gone by a waiter: make the ring
 * again or fall back, unless another thread did already.
 */
static void ring_lost_waiting(struct vlibc_aio_state *a, int fd)
{
	vlibc_lock(&a->sq_lock);
	vlibc_lock(&a->cq_lock);
	vlibc_lock(&a->list_lock);
	if (a->ring_fd == fd && aio_ring_ready(a))
		vlibc_aio_ring_remake(a);
	vlibc_unlock(&a->list_lock);
	vlibc_unlock(&a->cq_lock);
	vlibc_unlock(&a->sq_lock);
}

/*
 * Wait in the kernel for one completion; -ETIME, -EINTR or 0.  The wait
 * never lasts more than KERNEL_WAIT_MAX_S: once io_uring is refused no
 * NOP can wake this thread for a completion made by the executor.  A
 * refusal or a lost descriptor is handled here and reads as 0 (look again).
 * @sigmask (NULL: none) is the signal mask in force during the wait only,
 * as ppoll(2)'s.
 */
int vlibc_aio_ring_enter_wait(struct vlibc_aio_state *a,
			const struct vlibc_timespec *rel, const uint64_t *sigmask)
{
	struct vlibc_timespec max = { KERNEL_WAIT_MAX_S, 0 };
	struct io_uring_getevents_arg arg = { 0 };
	int fd = a->ring_fd;
	long r;

	/* Ordered after taking kernel_waiter: see vlibc_aio_ring_sandbox(). */
	if (__atomic_load_n(&a->ring_state, __ATOMIC_SEQ_CST) != AIO_RING_READY)
		return 0;
	if (!rel || rel->tv_sec >= KERNEL_WAIT_MAX_S)
		rel = &max;
	arg.ts = (unsigned long)rel;
	if (sigmask) {
		arg.sigmask = (unsigned long)sigmask;
		arg.sigmask_sz = sizeof(*sigmask);
	}
	vlibc_stat_inc(VLIBC_STAT_aio_enter);
	r = __arch_syscall6(__NR_io_uring_enter, fd, 0, 1,
			   IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			   (long)&arg, sizeof(arg));
	if (r >= 0 || r == -ETIME || r == -EINTR || r == -EAGAIN || r == -EBUSY)
		return r < 0 ? (int)r : 0;
	if (r == -EBADF || r == -EOPNOTSUPP) {
		ring_lost_waiting(a, fd);
	} else {
		vlibc_stat_inc(VLIBC_STAT_aio_refused);
		vlibc_aio_ring_refused(a);
	}
	return 0;
}

/*
 * A seccomp filter is about to go in (the binder saw the call that
 * installs it): fall back for good now, while io_uring may still be
 * called, so that no io_uring call is made afterwards; requests in the
 * kernel complete into the ring's memory and are reaped from there.
 *
 * Every thread that could still be on its way into io_uring_enter() is
 * waited for.  Submitters look at the state under sq_lock: none is left
 * once this thread has had it.  The one waiter in the kernel
 * (kernel_waiter) is woken with a NOP and its place watched until it
 * leaves: a waiter that takes the place after the state changed sees it
 * before entering (vlibc_aio_ring_enter_wait()); one that entered anyway finds
 * the NOP, or comes out after KERNEL_WAIT_MAX_S.
 *
 * @nested: this thread is inside the image already (a signal handler
 * installs the filter) and may hold these locks: only the state changes.
 * Returns 1 when the caller, holding no lock, must hand the requests
 * queued in user space to the executor now (vlibc_aio_flush()).
 */
int vlibc_aio_ring_sandbox(struct vlibc_aio_state *a, int nested)
{
	struct vlibc_timespec max = { KERNEL_WAIT_MAX_S, 0 };
	uint32_t was, seen;

	if (nested) {
		vlibc_aio_ring_refused(a);
		return 0;
	}
	/* A set-up under way finishes first; none starts after this. */
	vlibc_lock(&a->setup_lock);
	was = __atomic_exchange_n(&a->ring_state, AIO_RING_FALLBACK,
				  __ATOMIC_SEQ_CST);
	vlibc_unlock(&a->setup_lock);
	if (was != AIO_RING_FALLBACK)
		vlibc_stat_inc(VLIBC_STAT_aio_fallback);
	if (was != AIO_RING_READY)
		return 0;
	vlibc_lock(&a->sq_lock);
	if (__atomic_load_n(&a->kernel_waiter, __ATOMIC_SEQ_CST) != WAITER_NONE)
		ring_submit(a, 0, 0, 0);
	vlibc_unlock(&a->sq_lock);
	for (;;) {
		__atomic_add_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
		seen = __atomic_load_n(&a->wakeups, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&a->kernel_waiter, __ATOMIC_SEQ_CST) == WAITER_NONE)
			break;
		vlibc_futex_wait(&a->wakeups, seen, &max);
		__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
	return 1;
}

/* The image's family hook: nothing to learn at init, the ring is lazy. */
void vlibc_aio_init(struct vlibc_private *p, const struct vlibc_elf_dyn *vdso)
{
}
