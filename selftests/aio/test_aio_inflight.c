// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO with requests really in flight when the application does
 * something hostile: closes the family's io_uring descriptor (close(),
 * dup2() of a file of its own over it, close_range()), unmaps the buffer
 * of a read still waiting; and with very many requests: 10,000 reads
 * waiting on pipes with 10,000 file writes behind them, lio_listio() of
 * 100,000 entries (LIO_WAIT, and LIO_NOWAIT with a signal).
 *
 * Every accepted request completes, with its data or with the error
 * read(2) or write(2) would give (EFAULT for a buffer that is gone), the
 * application's own descriptors are never touched, nothing crashes, and
 * every wait is bounded.  Without the binder (AIO_SELFTEST_REEXECUTED=1)
 * the same cases check glibc's own AIO (which has no ring to close).
 */
#include <dirent.h>
#include <sys/resource.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define PENDING_PIPES	4

/* Reads waiting on empty pipes, one per pipe. */
struct pending {
	int		p[PENDING_PIPES][2];
	char		buf[PENDING_PIPES][8];
	struct aiocb	cb[PENDING_PIPES];
};

static int pending_start(struct pending *pd)
{
	int i;

	memset(pd->buf, 0, sizeof(pd->buf));
	for (i = 0; i < PENDING_PIPES; i++) {
		if (at_pipe(pd->p[i]))
			return -1;
		at_prep(&pd->cb[i], pd->p[i][0], pd->buf[i], 4, 0);
		if (aio_read(&pd->cb[i]))
			return -1;
	}
	vt_sleep_ms(10);
	for (i = 0; i < PENDING_PIPES; i++)
		if (aio_error(&pd->cb[i]) != EINPROGRESS)
			return -1;
	return 0;
}

/* Write each pipe now: each read completes with its bytes.  0 if so. */
static int pending_finish(struct pending *pd)
{
	char want[8];
	int i, failed = 0;

	for (i = 0; i < PENDING_PIPES; i++) {
		snprintf(want, sizeof(want), "p%03d", i);
		if (vt_write_full(pd->p[i][1], want, 4))
			return -1;
	}
	for (i = 0; i < PENDING_PIPES; i++) {
		snprintf(want, sizeof(want), "p%03d", i);
		if (at_done_with(&pd->cb[i], 4) || memcmp(pd->buf[i], want, 4)) {
			fprintf(stderr, "# pending read %d: \"%.4s\"\n", i, pd->buf[i]);
			failed++;
		}
		close(pd->p[i][0]);
		close(pd->p[i][1]);
	}
	return failed ? -1 : 0;
}

/* aio_read it back and compare; then pread it (the file itself): 0 if so. */
static int read_pattern(int fd, size_t len, off_t off, unsigned long seed)
{
	unsigned char *buf = vt_nonnull(calloc(1, len));
	struct aiocb cb;
	int r;

	at_prep(&cb, fd, buf, len, off);
	r = aio_read(&cb) || at_done_with(&cb, len) ||
	    at_check(buf, len, seed, off) >= 0 ? -1 : 0;
	memset(buf, 0, len);
	if (!r && (pread(fd, buf, len, off) != (ssize_t)len ||
		   at_check(buf, len, seed, off) >= 0))
		r = -1;
	free(buf);
	return r;
}

/* --- the ring's descriptor, with requests in flight ------------------------------- */

enum ring_blow { BLOW_CLOSE, BLOW_DUP2, BLOW_CLOSE_RANGE };

FIXTURE(ring_gone) {
	int	fd;		/* the application's data file */
	int	mine;		/* the application's file put on the ring's number */
};

FIXTURE_VARIANT(ring_gone) {
	enum ring_blow	how;
};

FIXTURE_VARIANT_ADD(ring_gone, close) { .how = BLOW_CLOSE };
FIXTURE_VARIANT_ADD(ring_gone, dup2) { .how = BLOW_DUP2 };
FIXTURE_VARIANT_ADD(ring_gone, close_range) { .how = BLOW_CLOSE_RANGE };

FIXTURE_SETUP(ring_gone)
{
	self->fd = at_tmpfile(0);
	self->mine = at_tmpfile(0);
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->mine);
	ASSERT_EQ(4, pwrite(self->mine, "mine", 4, 0));
	/* The ring exists (on vlibc). */
	ASSERT_EQ(0, at_write_pattern(self->fd, 4096, 0, 1));
}

FIXTURE_TEARDOWN(ring_gone)
{
	close(self->fd);
	close(self->mine);
}

/* Do to the ring's descriptor @ring what the variant says; 0 or -1. */
static int blow_ring(enum ring_blow how, int ring, int mine)
{
	switch (how) {
	case BLOW_CLOSE:
		return close(ring);
	case BLOW_DUP2:
		return dup2(mine, ring) == ring ? 0 : -1;
	case BLOW_CLOSE_RANGE:
		return syscall(__NR_close_range, ring, ~0U, 0) ? -1 : 0;
	}
	return -1;
}

/*
 * Reads waiting on pipes and a large file write (handed to a kernel
 * worker) in flight when the ring's descriptor goes: the write reaches
 * the file, new requests complete, the reads complete when their pipes
 * are written, and a file the application put on the ring's old number
 * is untouched.
 */
TEST_F(ring_gone, requests_in_flight)
{
	size_t big_len = 16 * AT_MIB;
	unsigned char *big = vt_nonnull(malloc(big_len));
	struct pending pd;
	struct aiocb big_cb;
	struct stat st;
	char word[8] = { 0 };
	int ring = at_find_ring_fd();

	ASSERT_EQ(0, pending_start(&pd));
	at_fill(big, big_len, 2, AT_MIB);
	at_prep(&big_cb, self->fd, big, big_len, AT_MIB);
	ASSERT_EQ(0, aio_write(&big_cb));
	if (ring < 0) {
		TH_LOG("no io_uring descriptor (glibc's AIO): nothing to close");
	} else {
		ASSERT_EQ(0, blow_ring(variant->how, ring, self->mine));
	}
	/* New requests, while the old ones are still in flight. */
	EXPECT_EQ(0, at_write_pattern(self->fd, 8192, 4096, 3));
	EXPECT_EQ(0, read_pattern(self->fd, 8192, 4096, 3));
	EXPECT_EQ(0, at_done_with(&big_cb, big_len));
	EXPECT_EQ(0, read_pattern(self->fd, big_len, AT_MIB, 2));
	EXPECT_EQ(0, pending_finish(&pd));
	/* More, on fresh pipes: the family still works for waiting reads. */
	ASSERT_EQ(0, pending_start(&pd));
	EXPECT_EQ(0, pending_finish(&pd));
	if (variant->how == BLOW_DUP2 && ring >= 0) {
		EXPECT_EQ(4, pread(ring, word, 4, 0));
		EXPECT_STREQ("mine", word);
		ASSERT_EQ(0, fstat(ring, &st));
		EXPECT_EQ(4, st.st_size);
	}
	free(big);
}

/* --- a buffer unmapped while its read waits ---------------------------------------- */

/*
 * The application unmaps the buffer of a read waiting on a pipe (a
 * bug, but one that must not take the process down): when data comes,
 * the read ends with EFAULT, as read(2) into unmapped memory does (and
 * as with glibc, whose thread makes that read).  A write from a buffer
 * unmapped right after its submission ends with EFAULT or having written
 * what it could.  The process goes on: a new read gets its data.
 */
TEST(buffer_unmapped_while_read_waits)
{
	long page = sysconf(_SC_PAGESIZE);
	char *buf = mmap(NULL, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char again[8] = { 0 };
	struct aiocb cb;
	int p[2], err;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[0], buf, 4, 0);
	ASSERT_EQ(0, aio_read(&cb));
	vt_sleep_ms(10);
	ASSERT_EQ(EINPROGRESS, aio_error(&cb));
	ASSERT_EQ(0, munmap(buf, page));
	ASSERT_EQ(0, vt_write_full(p[1], "late", 4));
	ASSERT_EQ(0, at_wait(&cb, AT_WAIT_MS));
	err = aio_error(&cb);
	EXPECT_EQ(EFAULT, err) {
		TH_LOG("the read ended with %d (%s), return %zd", err,
		       strerror(err), aio_return(&cb));
	}
	EXPECT_EQ(-1, aio_return(&cb));
	/* The pipe still holds its bytes for a read with a good buffer. */
	at_prep(&cb, p[0], again, 4, 0);
	ASSERT_EQ(0, aio_read(&cb));
	EXPECT_EQ(0, at_done_with(&cb, 4));
	EXPECT_EQ(0, memcmp(again, "late", 4));
	close(p[0]);
	close(p[1]);
}

TEST(buffer_unmapped_after_write_submitted)
{
	size_t len = 16 * AT_MIB;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct aiocb cb;
	int fd = at_tmpfile(0), err;
	ssize_t ret;

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, buf);
	at_fill(buf, len, 4, 0);
	at_prep(&cb, fd, buf, len, 0);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, munmap(buf, len));
	ASSERT_EQ(0, at_wait(&cb, AT_WAIT_MS));
	err = aio_error(&cb);
	ret = aio_return(&cb);
	TH_LOG("write from a buffer unmapped after submission: error %d (%s), return %zd",
	       err, strerror(err), ret);
	if (err) {
		EXPECT_EQ(EFAULT, err);
		EXPECT_EQ(-1, ret);
	} else {
		EXPECT_TRUE(ret >= 0 && (size_t)ret <= len);
	}
	/* Whatever was written is the data. */
	if (ret > 0) {
		char *back = vt_nonnull(malloc(ret));

		EXPECT_EQ(ret, pread(fd, back, ret, 0));
		EXPECT_EQ(-1, at_check(back, ret, 4, 0));
		free(back);
	}
	EXPECT_EQ(0, at_write_pattern(fd, 4096, 0, 5));
	EXPECT_EQ(0, read_pattern(fd, 4096, 0, 5));
	close(fd);
}

/* --- 10,000 outstanding ------------------------------------------------------------ */

#define WAIT_PIPES	20
#define PER_PIPE	500		/* 10,000 reads waiting */
#define FILE_WRITES	10000
#define SMALL		512
#define MANY_MS		60000

static struct aiocb pipe_cb[WAIT_PIPES][PER_PIPE];
static char pipe_buf[WAIT_PIPES][PER_PIPE];
static struct aiocb file_cb[FILE_WRITES];

/* Raise RLIMIT_NOFILE's soft limit to @want (if below): 0 or -1. */
static int nofile_at_least(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * Cases with tens of thousands of requests: seconds here, far more on a
 * loaded machine or in an emulated guest, so a timeout of their own.
 */
FIXTURE(huge) {
};

FIXTURE_SETUP(huge)
{
}

FIXTURE_TEARDOWN(huge)
{
}

/*
 * 10,000 one-byte reads waiting on 20 pipes, then 10,000 file writes
 * submitted behind them before anything is reaped: all accepted; once
 * the pipes are written every read has one byte (each pipe's bytes
 * exactly once), every write is on the file.
 */
TEST_F_TIMEOUT(huge, ten_thousand_reads_waiting_and_ten_thousand_writes, 120)
{
	unsigned char *data = vt_nonnull(malloc((size_t)FILE_WRITES * SMALL));
	unsigned char *back = vt_nonnull(malloc((size_t)FILE_WRITES * SMALL));
	char bytes[PER_PIPE];
	int p[WAIT_PIPES][2], fd = at_tmpfile(0), i, j, refused = 0;
	long total = 0, bad = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nofile_at_least(256));
	for (i = 0; i < WAIT_PIPES; i++) {
		ASSERT_EQ(0, at_pipe(p[i]));
		for (j = 0; j < PER_PIPE; j++) {
			at_prep(&pipe_cb[i][j], p[i][0], &pipe_buf[i][j], 1, 0);
			refused += !!aio_read(&pipe_cb[i][j]);
		}
	}
	at_fill(data, (size_t)FILE_WRITES * SMALL, 6, 0);
	for (i = 0; i < FILE_WRITES; i++) {
		at_prep(&file_cb[i], fd, data + (size_t)i * SMALL, SMALL,
			(off_t)i * SMALL);
		refused += !!aio_write(&file_cb[i]);
	}
	ASSERT_EQ(0, refused);
	for (i = 0; i < WAIT_PIPES; i++) {
		memset(bytes, 'a' + i, sizeof(bytes));
		ASSERT_EQ(0, vt_write_full(p[i][1], bytes, sizeof(bytes)));
	}
	for (i = 0; i < WAIT_PIPES; i++) {
		ASSERT_EQ(0, at_wait_array(pipe_cb[i], PER_PIPE, MANY_MS)) {
			TH_LOG("pipe %d: reads still in progress", i);
		}
		for (j = 0; j < PER_PIPE; j++) {
			bad += aio_error(&pipe_cb[i][j]) != 0 ||
			       pipe_buf[i][j] != 'a' + i;
			total += aio_return(&pipe_cb[i][j]);
		}
		close(p[i][0]);
		close(p[i][1]);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(WAIT_PIPES * PER_PIPE, total);
	ASSERT_EQ(0, at_wait_array(file_cb, FILE_WRITES, MANY_MS));
	for (i = 0, bad = 0; i < FILE_WRITES; i++)
		bad += aio_error(&file_cb[i]) != 0 || aio_return(&file_cb[i]) != SMALL;
	EXPECT_EQ(0, bad);
	ASSERT_EQ((ssize_t)FILE_WRITES * SMALL,
		  pread(fd, back, (size_t)FILE_WRITES * SMALL, 0));
	EXPECT_EQ(-1, at_check(back, (size_t)FILE_WRITES * SMALL, 6, 0));
	free(data);
	free(back);
	close(fd);
}

/* --- lio_listio with 100,000 entries ------------------------------------------------ */

#define LIO_HUGE	100000
#define LIO_BYTES	64
#define LIO_WAIT_S	240	/* glibc takes 40 s for each list here */

static struct aiocb lio_cb[LIO_HUGE];
static struct aiocb *lio_list[LIO_HUGE];
static volatile int list_signals, list_value;

static void on_list_signal(int sig, siginfo_t *si, void *uc)
{
	list_value = si->si_value.sival_int;
	__atomic_add_fetch(&list_signals, 1, __ATOMIC_RELEASE);
}

/*
 * lio_listio(LIO_WAIT) of 100,000 writes, then lio_listio(LIO_NOWAIT) of
 * 100,000 reads with a signal for the list: glibc checks no
 * AIO_LISTIO_MAX (sysconf(_SC_AIO_LISTIO_MAX) says -1, no limit), so
 * neither may vlibc; the list's signal comes once, after the last read,
 * and every entry has its bytes.  glibc's lio_listio() is quadratic in
 * the list's length: time for it.
 */
TEST_F_TIMEOUT(huge, lio_listio_hundred_thousand, 280)
{
	unsigned char *data = vt_nonnull(malloc((size_t)LIO_HUGE * LIO_BYTES));
	unsigned char *in = vt_nonnull(calloc(LIO_HUGE, LIO_BYTES));
	struct sigaction sa = { .sa_sigaction = on_list_signal, .sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 6 };
	int fd = at_tmpfile(0), i, r, err;
	long max, bad = 0;

	ASSERT_LE(0, fd);
	errno = 0;
	max = sysconf(_SC_AIO_LISTIO_MAX);
	TH_LOG("sysconf(_SC_AIO_LISTIO_MAX) = %ld (errno %d)", max, errno);
	at_fill(data, (size_t)LIO_HUGE * LIO_BYTES, 7, 0);
	for (i = 0; i < LIO_HUGE; i++) {
		at_prep(&lio_cb[i], fd, data + (size_t)i * LIO_BYTES, LIO_BYTES,
			(off_t)i * LIO_BYTES);
		lio_cb[i].aio_lio_opcode = LIO_WRITE;
		lio_list[i] = &lio_cb[i];
	}
	alarm(LIO_WAIT_S);	/* lio_listio(LIO_WAIT) has no timeout */
	r = lio_listio(LIO_WAIT, lio_list, LIO_HUGE, NULL);
	err = errno;
	alarm(0);
	ASSERT_EQ(0, r) {
		TH_LOG("lio_listio(LIO_WAIT, 100000 writes): %s", strerror(err));
	}
	for (i = 0; i < LIO_HUGE; i++)
		bad += aio_error(&lio_cb[i]) != 0 || aio_return(&lio_cb[i]) != LIO_BYTES;
	EXPECT_EQ(0, bad);

	ASSERT_EQ(0, sigaction(SIGRTMIN + 6, &sa, NULL));
	ev.sigev_value.sival_int = 4242;
	for (i = 0; i < LIO_HUGE; i++) {
		at_prep(&lio_cb[i], fd, in + (size_t)i * LIO_BYTES, LIO_BYTES,
			(off_t)i * LIO_BYTES);
		lio_cb[i].aio_lio_opcode = LIO_READ;
	}
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, lio_list, LIO_HUGE, &ev)) {
		TH_LOG("lio_listio(LIO_NOWAIT, 100000 reads): %s", strerror(errno));
	}
	EXPECT_EQ(0, at_poll_flag(&list_signals, 1, LIO_WAIT_S * 1000.0)) {
		TH_LOG("no list signal");
	}
	ASSERT_EQ(0, at_wait_array(lio_cb, LIO_HUGE, 10000));
	vt_sleep_ms(20);
	EXPECT_EQ(1, list_signals);
	EXPECT_EQ(4242, list_value);
	for (i = 0, bad = 0; i < LIO_HUGE; i++)
		bad += aio_error(&lio_cb[i]) != 0 || aio_return(&lio_cb[i]) != LIO_BYTES;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(-1, at_check(in, (size_t)LIO_HUGE * LIO_BYTES, 7, 0));
	free(data);
	free(in);
	close(fd);
}

AIO_TEST_MAIN
