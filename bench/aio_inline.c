// SPDX-License-Identifier: GPL-2.0
/*
 * Where the AIO family's inline work stops paying: for cached reads of
 * each size, the median over many reads of
 *   nowait  preadv2(RWF_NOWAIT): the caller copies (the fast path)
 *   ring    io_uring_enter() submitting a plain IORING_OP_READ: the
 *           kernel issues it inline and copies before returning
 *   async   the same read with IOSQE_ASYNC: an io-wq worker copies
 * as "caller" (time the submitting call keeps the caller) and "done"
 * (submission to completion seen, depth 1).  Raw system calls, no
 * liburing; the buffer is touched first, as a program reusing its
 * buffer has it.  Usage: aio_inline FILE (at least 16 MiB, cached).
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	101

struct ring {
	int			fd;
	unsigned int		*sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe	*sqes;
	struct io_uring_cqe	*cqes;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void ring_setup(struct ring *r)
{
	struct io_uring_params p = { 0 };
	char *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0 || !(p.features & IORING_FEAT_SINGLE_MMAP)) {
		perror("io_uring_setup");
		exit(1);
	}
	sq = mmap(0, p.sq_off.array + p.sq_entries * 4 +
		  p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	r->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || r->sqes == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	cq = sq;
	r->sq_tail = (void *)(sq + p.sq_off.tail);
	r->sq_mask = (void *)(sq + p.sq_off.ring_mask);
	r->sq_array = (void *)(sq + p.sq_off.array);
	r->cq_head = (void *)(cq + p.cq_off.head);
	r->cq_tail = (void *)(cq + p.cq_off.tail);
	r->cq_mask = (void *)(cq + p.cq_off.ring_mask);
	r->cqes = (void *)(cq + p.cq_off.cqes);
}

/* One read of @len at 0 on the ring; times into *@caller and *@done. */
static void ring_read(struct ring *r, int fd, void *buf, unsigned int len,
		      int flags, double *caller, double *done)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	double t0;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->flags = flags;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	t0 = now_us();
	syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, 0, 0);
	*caller = now_us() - t0;
	head = *r->cq_head;
	while (__atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) == head)
		syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, 0, 0);
	*done = now_us() - t0;
	if (r->cqes[head & *r->cq_mask].res != (int)len)
		fprintf(stderr, "short read %d of %u\n",
			r->cqes[head & *r->cq_mask].res, len);
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = {
		4 << 10, 16 << 10, 64 << 10, 128 << 10, 192 << 10, 256 << 10, 384 << 10,
		512 << 10, 1 << 20, 4 << 20, 16 << 20,
	};
	double c[3][ROUNDS], d[3][ROUNDS];
	struct ring r;
	size_t s;
	char *buf;
	int fd, i;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: aio_inline FILE (16 MiB or more, cached)\n");
		return 2;
	}
	buf = malloc(16 << 20);
	memset(buf, 1, 16 << 20);
	ring_setup(&r);
	printf("%9s %10s %10s %10s %10s %10s\n", "bytes", "nowait",
	       "ring", "ring", "async", "async");
	printf("%9s %10s %10s %10s %10s %10s\n", "", "us", "caller us",
	       "done us", "caller us", "done us");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int len = sizes[s];

		for (i = 0; i < ROUNDS; i++) {
			struct iovec iov = { buf, len };
			double t0 = now_us();

			if (preadv2(fd, &iov, 1, 0, RWF_NOWAIT) != (ssize_t)len)
				fprintf(stderr, "preadv2 short: not cached?\n");
			c[0][i] = d[0][i] = now_us() - t0;
			ring_read(&r, fd, buf, len, 0, &c[1][i], &d[1][i]);
			ring_read(&r, fd, buf, len, IOSQE_ASYNC, &c[2][i], &d[2][i]);
		}
		printf("%9u %10.1f %10.1f %10.1f %10.1f %10.1f\n", len,
		       median(d[0], ROUNDS), median(c[1], ROUNDS),
		       median(d[1], ROUNDS), median(c[2], ROUNDS),
		       median(d[2], ROUNDS));
	}
	return 0;
}
