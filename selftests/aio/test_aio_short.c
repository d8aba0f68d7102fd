// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: a write on a blocking pipe or stream socket transfers all of
 * it, as write(2) on that descriptor does (glibc's AIO thread calls
 * write(2) after pwrite(2) says ESPIPE), even when the reader drains
 * slowly; the data arrives whole and in order.  With O_NONBLOCK a write
 * ends with what fitted, as write(2) does.  aio_cancel(), lio_listio()
 * and notifications see the whole request.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define SLOW_CHUNK	(16 << 10)

struct reader {
	int		fd;
	size_t		want;
	int		slow;		/* pause after each chunk */
	unsigned char	*got;
	size_t		len;
	pthread_t	thread;
};

/* Read until @want bytes or end of file, pausing when slow. */
static void *reader_run(void *arg)
{
	struct reader *r = arg;

	while (r->len < r->want) {
		ssize_t n = read(r->fd, r->got + r->len,
				 r->want - r->len < SLOW_CHUNK ? r->want - r->len :
				 SLOW_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r->len += n;
		if (r->slow)
			vt_sleep_ms(0.2);
	}
	return NULL;
}

static int reader_start(struct reader *r, int fd, size_t want, int slow)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->want = want;
	r->slow = slow;
	r->got = vt_nonnull(malloc(want));
	return pthread_create(&r->thread, NULL, reader_run, r);
}

/* Join the reader; 0 if it got @want bytes of pattern @seed in order. */
static int reader_check(struct reader *r, unsigned long seed)
{
	long bad;

	pthread_join(r->thread, NULL);
	bad = r->len == r->want ? at_check(r->got, r->len, seed, 0) : -2;
	if (bad != -1)
		fprintf(stderr, "# reader got %zu of %zu bytes, first bad byte %ld\n",
			r->len, r->want, bad);
	free(r->got);
	return bad == -1 ? 0 : -1;
}

/* aio_write() of @len bytes to @wfd with a (slow) reader on @rfd. */
static int write_whole(int wfd, int rfd, size_t len, int slow)
{
	unsigned char *buf = vt_nonnull(malloc(len));
	struct reader r;
	struct aiocb cb;
	int bad;

	at_fill(buf, len, len, 0);
	if (reader_start(&r, rfd, len, slow))
		return -1;
	at_prep(&cb, wfd, buf, len, 0);
	bad = aio_write(&cb) || at_done_with(&cb, len);
	if (bad)
		close(wfd);	/* let the reader end */
	bad |= reader_check(&r, len);
	free(buf);
	return bad ? -1 : 0;
}

TEST(pipe_write_is_whole)
{
	static const size_t sizes[] = { 65537, AT_MIB, 4 * AT_MIB + 3 };
	size_t i;
	int p[2];

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, at_pipe(p));
		EXPECT_EQ(0, write_whole(p[1], p[0], sizes[i], i & 1)) {
			TH_LOG("%zu bytes", sizes[i]);
		}
		close(p[0]);
		close(p[1]);
	}
}

TEST(unix_stream_write_is_whole)
{
	static const size_t sizes[] = { 300000, AT_MIB, 3 * AT_MIB + 1 };
	size_t i;
	int s[2];

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
		EXPECT_EQ(0, write_whole(s[0], s[1], sizes[i], 1)) {
			TH_LOG("%zu bytes", sizes[i]);
		}
		close(s[0]);
		close(s[1]);
	}
}

/* Two writes on one pipe, one after the other: each whole, in order. */
TEST(pipe_writes_one_after_another)
{
	size_t len = AT_MIB, i;
	unsigned char *buf = vt_nonnull(malloc(2 * len));
	struct aiocb cb[2];
	struct reader r;
	int p[2];

	at_fill(buf, 2 * len, 7, 0);
	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, reader_start(&r, p[0], 2 * len, 1));
	for (i = 0; i < 2; i++) {
		at_prep(&cb[i], p[1], buf + i * len, len, 0);
		ASSERT_EQ(0, aio_write(&cb[i]));
		EXPECT_EQ(0, at_done_with(&cb[i], len));
	}
	EXPECT_EQ(0, reader_check(&r, 7));
	close(p[0]);
	close(p[1]);
	free(buf);
}

/* O_NONBLOCK: what fits, as write(2) gives, never waiting for the rest. */
TEST(nonblocking_pipe_write_is_short)
{
	size_t len = AT_MIB;
	char *buf = vt_nonnull(calloc(1, len));
	struct aiocb cb;
	ssize_t ret;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	at_prep(&cb, p[1], buf, len, 0);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_wait(&cb, AT_WAIT_MS));
	ret = aio_return(&cb);
	TH_LOG("error %d, return %zd", aio_error(&cb), ret);
	EXPECT_TRUE(aio_error(&cb) == EAGAIN || (aio_error(&cb) == 0 && ret > 0 &&
						 ret < (ssize_t)len));
	close(p[0]);
	close(p[1]);
	free(buf);
}

/*
 * aio_cancel() of a write to a pipe that has written part of its data:
 * whatever the answer, nothing is lost or written twice.  A write under
 * way in write(2) (glibc's thread, vlibc's executor, where pipe writes
 * go: see test_aio_sigpipe) is AIO_NOTCANCELED and ends whole once the
 * pipe is drained; a write that went on on the ring after a partial
 * count ends AIO_ALLDONE with the bytes written; one that wrote nothing
 * is AIO_CANCELED.  The pipe holds exactly what aio_return() says.
 */
TEST(cancel_of_partial_write_ends_with_count)
{
	size_t len = AT_MIB;
	unsigned char *buf = vt_nonnull(malloc(len));
	struct reader rd;
	struct aiocb cb;
	ssize_t ret;
	int p[2], r, err;

	at_fill(buf, len, 3, 0);
	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[1], buf, len, 0);
	ASSERT_EQ(0, aio_write(&cb));
	/* Cancel once the first part is in the pipe, not before any byte. */
	do {
		ASSERT_EQ(0, ioctl(p[0], FIONREAD, &r));
	} while (!r);
	r = aio_cancel(p[1], &cb);
	/* Drain: a write that goes on needs room to end. */
	ASSERT_EQ(0, reader_start(&rd, p[0], len, 0));
	ASSERT_EQ(0, at_wait(&cb, AT_WAIT_MS));
	err = aio_error(&cb);
	ret = aio_return(&cb);
	close(p[1]);
	pthread_join(rd.thread, NULL);
	TH_LOG("aio_cancel %d, error %d, return %zd, pipe had %zu", r, err,
	       ret, rd.len);
	switch (r) {
	case AIO_NOTCANCELED:
		EXPECT_EQ(0, err);
		EXPECT_EQ((ssize_t)len, ret);
		break;
	case AIO_ALLDONE:
		EXPECT_EQ(0, err);
		EXPECT_LT(0, ret);
		break;
	default:
		EXPECT_EQ(AIO_CANCELED, r);
		EXPECT_EQ(ECANCELED, err);
		EXPECT_EQ(-1, ret);
		break;
	}
	EXPECT_EQ(ret < 0 ? 0 : (size_t)ret, rd.len);
	EXPECT_EQ(-1, at_check(rd.got, rd.len, 3, 0));
	close(p[0]);
	free(rd.got);
	free(buf);
}

/* lio_listio(LIO_WAIT) waits for the whole write. */
TEST(lio_wait_write_is_whole)
{
	size_t len = 2 * AT_MIB;
	unsigned char *buf = vt_nonnull(malloc(len));
	struct aiocb cb, *list[1] = { &cb };
	struct reader r;
	int p[2];

	at_fill(buf, len, 5, 0);
	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, reader_start(&r, p[0], len, 1));
	at_prep(&cb, p[1], buf, len, 0);
	cb.aio_lio_opcode = LIO_WRITE;
	EXPECT_EQ(0, at_lio_wait(list, 1));
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ((ssize_t)len, aio_return(&cb));
	EXPECT_EQ(0, reader_check(&r, 5));
	close(p[0]);
	close(p[1]);
	free(buf);
}

static volatile int notified;
static struct aiocb *notified_cb;
static ssize_t notified_ret;

static void note_done(union sigval v)
{
	notified_ret = aio_return(v.sival_ptr);
	__atomic_store_n(&notified, 1, __ATOMIC_RELEASE);
}

/* SIGEV_THREAD comes once, when all is written. */
TEST(notification_after_whole_write)
{
	size_t len = AT_MIB;
	unsigned char *buf = vt_nonnull(malloc(len));
	struct reader r;
	struct aiocb cb;
	int p[2];

	at_fill(buf, len, 9, 0);
	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, reader_start(&r, p[0], len, 1));
	at_prep(&cb, p[1], buf, len, 0);
	notified_cb = &cb;
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = note_done;
	cb.aio_sigevent.sigev_value.sival_ptr = &cb;
	ASSERT_EQ(0, aio_write(&cb));
	/* Nobody calls in: the notification must come by itself. */
	EXPECT_EQ(0, at_poll_flag(&notified, 1, AT_WAIT_MS));
	EXPECT_EQ((ssize_t)len, notified_ret);
	EXPECT_EQ(0, reader_check(&r, 9));
	close(p[0]);
	close(p[1]);
	free(buf);
}

AIO_TEST_MAIN
