// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO with threads and many requests: concurrent submitters and
 * reapers, thousands of requests in flight (a full ring queues, it does
 * not fail with EAGAIN), and requests that outlive the thread that
 * submitted them (io_uring ties a request to its submitting task: when
 * that thread exits, a pending read must still complete normally).
 */
#include <pthread.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define THREADS		4
#define PER_THREAD	500
#define BLOCK		4096

struct worker {
	pthread_barrier_t	*start;
	int			fd, id;
	int			failed;
};

static unsigned char blocks[THREADS][PER_THREAD][BLOCK];
static struct aiocb worker_cb[THREADS][PER_THREAD];

static unsigned long block_seed(int t, int i)
{
	return t * 100000UL + i;
}

static off_t block_off(int t, int i)
{
	return ((off_t)t * PER_THREAD + i) * BLOCK;
}

/* Submit all of one kind, then reap each with aio_suspend/aio_error. */
static int run_batch(struct worker *w, int write)
{
	struct aiocb *cb = worker_cb[w->id];
	int i, failed = 0;

	for (i = 0; i < PER_THREAD; i++) {
		unsigned char *b = blocks[w->id][i];

		if (write)
			at_fill(b, BLOCK, block_seed(w->id, i), 0);
		else
			memset(b, 0, BLOCK);
		at_prep(&cb[i], w->fd, b, BLOCK, block_off(w->id, i));
		if (write ? aio_write(&cb[i]) : aio_read(&cb[i])) {
			fprintf(stderr, "# thread %d: request %d: %s\n", w->id,
				i, strerror(errno));
			return PER_THREAD;
		}
	}
	if (at_wait_array(cb, PER_THREAD, 20000)) {
		fprintf(stderr, "# thread %d: requests still in progress\n", w->id);
		return PER_THREAD;
	}
	for (i = 0; i < PER_THREAD; i++) {
		if (aio_error(&cb[i]) || aio_return(&cb[i]) != BLOCK)
			failed++;
		else if (!write &&
			 at_check(blocks[w->id][i], BLOCK, block_seed(w->id, i), 0) >= 0)
			failed++;
	}
	return failed;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	w->failed = run_batch(w, 1);
	pthread_barrier_wait(w->start);
	if (!w->failed)
		w->failed = run_batch(w, 0);
	return NULL;
}

/*
 * Four threads at once, each 500 writes to its own blocks of one shared
 * descriptor, reaped in that thread; then 500 reads, checked.
 */
TEST(four_threads_submit_and_reap)
{
	struct worker w[THREADS];
	pthread_barrier_t start;
	pthread_t t[THREADS];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .start = &start, .fd = fd, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_main, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].failed) {
			TH_LOG("thread %d: %d requests failed or read back wrong",
			       i, w[i].failed);
		}
	}
	EXPECT_EQ(THREADS * PER_THREAD * (off_t)BLOCK, lseek(fd, 0, SEEK_END));
	close(fd);
}

#define RING_FULL	5000
#define SMALL		512

/*
 * 5000 writes of 512 bytes submitted at once, none reaped in between:
 * none is refused (no EAGAIN), all complete; then 5000 reads the same way.
 */
TEST(five_thousand_in_flight)
{
	static struct aiocb cb[RING_FULL];
	unsigned char *buf = malloc((size_t)RING_FULL * SMALL);
	unsigned char *file = malloc((size_t)RING_FULL * SMALL);
	int fd = at_tmpfile(0), i, pass, refused;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(buf && file);
	for (pass = 0; pass < 2; pass++) {
		refused = 0;
		if (pass == 1)
			memset(buf, 0, (size_t)RING_FULL * SMALL);
		else
			at_fill(buf, (size_t)RING_FULL * SMALL, 5000, 0);
		for (i = 0; i < RING_FULL; i++) {
			at_prep(&cb[i], fd, buf + (size_t)i * SMALL, SMALL,
				(off_t)i * SMALL);
			if (pass ? aio_read(&cb[i]) : aio_write(&cb[i])) {
				if (!refused++)
					TH_LOG("request %d refused: %s", i,
					       strerror(errno));
				cb[i].aio_fildes = -1;
			}
		}
		EXPECT_EQ(0, refused) {
			TH_LOG("%s: %d of %d requests refused",
			       pass ? "reads" : "writes", refused, RING_FULL);
		}
		for (i = 0; i < RING_FULL; i++) {
			if (cb[i].aio_fildes < 0)
				continue;
			ASSERT_EQ(0, at_wait(&cb[i], 20000)) {
				TH_LOG("request %d still in progress", i);
			}
			EXPECT_EQ(SMALL, aio_return(&cb[i]));
		}
	}
	EXPECT_EQ(-1, at_check(buf, (size_t)RING_FULL * SMALL, 5000, 0));
	ASSERT_EQ((ssize_t)RING_FULL * SMALL,
		  pread(fd, file, (size_t)RING_FULL * SMALL, 0));
	EXPECT_EQ(-1, at_check(file, (size_t)RING_FULL * SMALL, 5000, 0));
	free(buf);
	free(file);
	close(fd);
}

#define PIPES		10
#define PER_PIPE	100

/*
 * A thousand reads pending at once on ten pipes (far more than a ring's
 * submission queue): all accepted; data for all of them completes all.
 */
TEST(thousand_pending_reads)
{
	static struct aiocb cb[PIPES][PER_PIPE];
	static char buf[PIPES][PER_PIPE][4];
	static char data[PER_PIPE * 4];
	int p[PIPES][2], i, j, refused = 0;
	long total = 0;

	memset(data, 'x', sizeof(data));
	for (i = 0; i < PIPES; i++) {
		ASSERT_EQ(0, at_pipe(p[i]));
		for (j = 0; j < PER_PIPE; j++) {
			at_prep(&cb[i][j], p[i][0], buf[i][j], 4, 0);
			refused += !!aio_read(&cb[i][j]);
		}
	}
	ASSERT_EQ(0, refused);
	vt_sleep_ms(20);
	for (i = 0; i < PIPES; i++)
		for (j = 0; j < PER_PIPE; j++)
			ASSERT_EQ(EINPROGRESS, aio_error(&cb[i][j]));
	for (i = 0; i < PIPES; i++)
		ASSERT_EQ(0, vt_write_full(p[i][1], data, sizeof(data)));
	for (i = 0; i < PIPES; i++) {
		ASSERT_EQ(0, at_wait_array(cb[i], PER_PIPE, AT_WAIT_MS));
		for (j = 0; j < PER_PIPE; j++) {
			EXPECT_EQ(0, aio_error(&cb[i][j]));
			total += aio_return(&cb[i][j]);
		}
		close(p[i][0]);
		close(p[i][1]);
	}
	EXPECT_EQ(PIPES * PER_PIPE * 4, total);
}

/* --- a submitter that exits ------------------------------------------------------ */

#define COLD_LEN	(1UL << 20)

struct orphans {
	int		in[2], out[2], fd;
	char		in_buf[8];
	unsigned char	*cold;
	struct aiocb	rd, wr, cold_rd, fs;
};

/* Submit, then end the thread at once. */
static void *submit_and_exit(void *arg)
{
	struct orphans *o = arg;
	long failed = 0;

	at_prep(&o->rd, o->in[0], o->in_buf, 4, 0);
	failed += !!aio_read(&o->rd);
	at_prep(&o->wr, o->out[1], "orphan", 6, 0);
	failed += !!aio_write(&o->wr);
	at_prep(&o->cold_rd, o->fd, o->cold, COLD_LEN, 0);
	failed += !!aio_read(&o->cold_rd);
	at_prep(&o->fs, o->fd, NULL, 0, 0);
	failed += !!aio_fsync(O_DSYNC, &o->fs);
	return (void *)failed;
}

/*
 * A thread submits a read on an empty pipe, a write to a full pipe, a
 * read of a file not in the page cache and an fsync, and exits; 200 ms
 * later the main thread gives the pipes what they wait for.  Every
 * request completes normally.
 */
TEST(submitter_exits_first)
{
	unsigned char *data = malloc(COLD_LEN);
	struct orphans o;
	int round;

	ASSERT_NE(NULL, data);
	at_fill(data, COLD_LEN, 77, 0);
	for (round = 0; round < 3; round++) {
		char drain[4096];
		pthread_t t;
		void *failed;
		double end;

		memset(&o, 0, sizeof(o));
		o.cold = malloc(COLD_LEN);
		o.fd = at_tmpfile(0);
		ASSERT_NE(NULL, o.cold);
		ASSERT_LE(0, o.fd);
		ASSERT_EQ(0, at_pwrite_full(o.fd, data, COLD_LEN, 0));
		ASSERT_EQ(0, fsync(o.fd));
		posix_fadvise(o.fd, 0, 0, POSIX_FADV_DONTNEED);
		ASSERT_EQ(0, at_pipe(o.in));
		ASSERT_EQ(0, at_pipe(o.out));
		ASSERT_EQ(0, at_fill_pipe(o.out[1]));
		ASSERT_EQ(0, pthread_create(&t, NULL, submit_and_exit, &o));
		ASSERT_EQ(0, pthread_join(t, &failed));
		ASSERT_EQ(NULL, failed);
		vt_sleep_ms(200);
		EXPECT_EQ(EINPROGRESS, aio_error(&o.rd));
		EXPECT_EQ(EINPROGRESS, aio_error(&o.wr));
		ASSERT_EQ(0, vt_write_full(o.in[1], "late", 4));
		/* Drain the full pipe until the write is through. */
		fcntl(o.out[0], F_SETFL, O_NONBLOCK);
		end = vt_now_ms() + AT_WAIT_MS;
		while (aio_error(&o.wr) == EINPROGRESS && vt_now_ms() < end)
			if (read(o.out[0], drain, sizeof(drain)) <= 0)
				vt_sleep_ms(1);
		EXPECT_EQ(0, at_done_with(&o.rd, 4)) {
			TH_LOG("round %d: the pipe read", round);
		}
		EXPECT_EQ(0, memcmp(o.in_buf, "late", 4));
		EXPECT_EQ(0, at_done_with(&o.wr, 6)) {
			TH_LOG("round %d: the pipe write", round);
		}
		EXPECT_EQ(0, at_done_with(&o.cold_rd, COLD_LEN)) {
			TH_LOG("round %d: the cold file read", round);
		}
		EXPECT_EQ(-1, at_check(o.cold, COLD_LEN, 77, 0));
		EXPECT_EQ(0, at_done_with(&o.fs, 0));
		close(o.in[0]);
		close(o.in[1]);
		close(o.out[0]);
		close(o.out[1]);
		close(o.fd);
		free(o.cold);
	}
	free(data);
}

#define REAP_SUBMITTERS	2
#define REAP_EACH	200

struct submitter {
	int		fd, id;
	struct aiocb	cb[REAP_EACH];
	unsigned char	buf[REAP_EACH][SMALL];
	volatile int	submitted;
};

static void *submit_only(void *arg)
{
	struct submitter *s = arg;
	int i;

	for (i = 0; i < REAP_EACH; i++) {
		at_fill(s->buf[i], SMALL, s->id * 1000 + i, 0);
		at_prep(&s->cb[i], s->fd, s->buf[i], SMALL,
			((off_t)s->id * REAP_EACH + i) * SMALL);
		if (aio_write(&s->cb[i]))
			break;
		__atomic_store_n(&s->submitted, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Two threads submit, the main thread reaps while they still do. */
TEST(reaped_by_another_thread)
{
	static struct submitter s[REAP_SUBMITTERS];
	pthread_t t[REAP_SUBMITTERS];
	int fd = at_tmpfile(0), i, j;
	double end = vt_now_ms() + 10000;

	ASSERT_LE(0, fd);
	for (i = 0; i < REAP_SUBMITTERS; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].fd = fd;
		s[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, submit_only, &s[i]));
	}
	for (j = 0; j < REAP_EACH; j++)
		for (i = 0; i < REAP_SUBMITTERS; i++) {
			while (__atomic_load_n(&s[i].submitted, __ATOMIC_ACQUIRE) <= j) {
				ASSERT_LT(vt_now_ms(), end) {
					TH_LOG("submitter %d stalled at %d", i, j);
				}
				vt_sleep_ms(0.1);
			}
			EXPECT_EQ(0, at_done_with(&s[i].cb[j], SMALL));
		}
	for (i = 0; i < REAP_SUBMITTERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < REAP_SUBMITTERS * REAP_EACH; i++) {
		unsigned char b[SMALL];

		ASSERT_EQ(SMALL, pread(fd, b, SMALL, (off_t)i * SMALL));
		EXPECT_EQ(-1, at_check(b, SMALL, (i / REAP_EACH) * 1000 + i % REAP_EACH, 0));
	}
	close(fd);
}

AIO_TEST_MAIN
