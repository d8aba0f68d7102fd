// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: lio_listio.  LIO_WAIT returns when every request is done
 * (-1/EIO if one failed, the others still done); LIO_NOWAIT notifies the
 * list's sigevent once all are done, and each request its own; LIO_NOP
 * and NULL entries are ignored; a bad mode is EINVAL.
 */
#include <pthread.h>
#include <sys/time.h>
#include "kselftest_harness.h"
#include "aio_test.h"

static volatile int signals, last_value, last_code;
static volatile int values[256];

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int v = si->si_value.sival_int;

	last_value = v;
	last_code = si->si_code;
	if (v >= 0 && v < 256)
		values[v]++;
	__atomic_add_fetch(&signals, 1, __ATOMIC_RELEASE);
}

static int catch_signal(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };

	signals = 0;
	memset((void *)values, 0, sizeof(values));
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void prep_op(struct aiocb *cb, int op, int fd, void *buf, size_t len,
		    off_t off)
{
	at_prep(cb, fd, buf, len, off);
	cb->aio_lio_opcode = op;
}

#define WAIT_OPS	8

/*
 * LIO_WAIT with four writes and four reads (of data already there): on
 * return every request is done, without waiting.
 */
TEST(wait_all_done)
{
	static unsigned char buf[WAIT_OPS][8192];
	struct aiocb cb[WAIT_OPS], *list[WAIT_OPS];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < WAIT_OPS; i++) {
		off_t off = (off_t)i * sizeof(buf[i]);

		if (i & 1) {
			at_fill(buf[i], sizeof(buf[i]), i, 0);
			prep_op(&cb[i], LIO_WRITE, fd, buf[i], sizeof(buf[i]), off);
		} else {
			unsigned char tmp[8192];

			at_fill(tmp, sizeof(tmp), i, 0);
			ASSERT_EQ(0, at_pwrite_full(fd, tmp, sizeof(tmp), off));
			memset(buf[i], 0, sizeof(buf[i]));
			prep_op(&cb[i], LIO_READ, fd, buf[i], sizeof(buf[i]), off);
		}
		list[i] = &cb[i];
	}
	ASSERT_EQ(0, at_lio_wait(list, WAIT_OPS)) {
		TH_LOG("lio_listio: %s", strerror(errno));
	}
	for (i = 0; i < WAIT_OPS; i++) {
		EXPECT_EQ(0, aio_error(&cb[i])) {
			TH_LOG("request %d not done when LIO_WAIT returned", i);
		}
		EXPECT_EQ(sizeof(buf[i]), aio_return(&cb[i]));
		EXPECT_EQ(-1, at_check(buf[i], sizeof(buf[i]), i, 0));
	}
	for (i = 1; i < WAIT_OPS; i += 2) {
		unsigned char tmp[8192];

		ASSERT_EQ(sizeof(tmp), pread(fd, tmp, sizeof(tmp), i * sizeof(tmp)));
		EXPECT_EQ(-1, at_check(tmp, sizeof(tmp), i, 0));
	}
	close(fd);
}

static void on_alarm(int sig)
{
}

/*
 * lio_listio(LIO_WAIT) on a read nobody answers, interrupted by a
 * signal whose handler does not ask for restarts: -1 with EINTR, as
 * POSIX says and glibc does (a program bounds the wait with alarm());
 * the request goes on and completes once its pipe is written.  In a
 * child: glibc's own request writes to a wait record on a stack frame
 * that is gone when it completes later, so only vlibc is asked for that.
 */
static int interrupted_wait(void *unused)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = { .it_value = { 0, 100000 } };
	char buf[16] = { 0 };
	struct aiocb cb, *list[1] = { &cb };
	int p[2];

	if (at_pipe(p) || sigaction(SIGALRM, &sa, NULL))
		return 1;
	prep_op(&cb, LIO_READ, p[0], buf, sizeof(buf), 0);
	if (setitimer(ITIMER_REAL, &t, NULL))
		return 2;
	if (lio_listio(LIO_WAIT, list, 1, NULL) != -1 || errno != EINTR)
		return 3;
	if (!aio_on_vlibc())
		return 0;
	if (aio_error(&cb) != EINPROGRESS || write(p[1], "late", 4) != 4)
		return 4;
	if (at_wait(&cb, AT_WAIT_MS) || aio_return(&cb) != 4 || memcmp(buf, "late", 4))
		return 5;
	return 0;
}

TEST(wait_interrupted_by_signal)
{
	char what[64];
	int r = vt_run_child(interrupted_wait, NULL, 10000);

	EXPECT_EQ(0, r) TH_LOG("child: %s (%d)", vt_child_what(r, what, sizeof(what)), r);
}

#define NOWAIT_PIPES	3

/*
 * LIO_NOWAIT, three reads waiting on pipes, each with its own signal
 * value (1, 2, 3) and the list's (99): each request signals as it
 * completes, the list only after the last one.
 */
TEST(nowait_list_signal)
{
	struct sigevent list_sig = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 5,
		.sigev_value.sival_int = 99,
	};
	char buf[NOWAIT_PIPES][8];
	struct aiocb cb[NOWAIT_PIPES], *list[NOWAIT_PIPES];
	int p[NOWAIT_PIPES][2], i;

	ASSERT_EQ(0, catch_signal(SIGRTMIN + 5));
	for (i = 0; i < NOWAIT_PIPES; i++) {
		ASSERT_EQ(0, at_pipe(p[i]));
		prep_op(&cb[i], LIO_READ, p[i][0], buf[i], 4, 0);
		cb[i].aio_sigevent.sigev_notify = SIGEV_SIGNAL;
		cb[i].aio_sigevent.sigev_signo = SIGRTMIN + 5;
		cb[i].aio_sigevent.sigev_value.sival_int = i + 1;
		list[i] = &cb[i];
	}
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, NOWAIT_PIPES, &list_sig));
	vt_sleep_ms(50);
	EXPECT_EQ(0, signals);
	for (i = 0; i < NOWAIT_PIPES - 1; i++) {
		ASSERT_EQ(0, vt_write_full(p[i][1], "part", 4));
		EXPECT_EQ(0, at_poll_flag(&signals, i + 1, AT_WAIT_MS));
		EXPECT_EQ(1, values[i + 1]);
	}
	vt_sleep_ms(50);
	EXPECT_EQ(0, values[99]) {
		TH_LOG("the list signal came before its last request completed");
	}
	EXPECT_EQ(EINPROGRESS, aio_error(&cb[NOWAIT_PIPES - 1]));
	ASSERT_EQ(0, vt_write_full(p[NOWAIT_PIPES - 1][1], "last", 4));
	EXPECT_EQ(0, at_poll_flag(&signals, NOWAIT_PIPES + 1, AT_WAIT_MS)) {
		TH_LOG("%d signals", signals);
	}
	EXPECT_EQ(1, values[NOWAIT_PIPES]);
	EXPECT_EQ(1, values[99]);
	EXPECT_EQ(SI_ASYNCIO, last_code);
	for (i = 0; i < NOWAIT_PIPES; i++) {
		EXPECT_EQ(0, aio_error(&cb[i]));
		EXPECT_EQ(4, aio_return(&cb[i]));
		close(p[i][0]);
		close(p[i][1]);
	}
}

static volatile int list_calls, list_value;

static void on_list_done(union sigval v)
{
	list_value = v.sival_int;
	__atomic_add_fetch(&list_calls, 1, __ATOMIC_RELEASE);
}

/* LIO_NOWAIT with a SIGEV_THREAD list notification. */
TEST(nowait_list_thread)
{
	struct sigevent list_sig = {
		.sigev_notify = SIGEV_THREAD,
		.sigev_value.sival_int = 1234,
	};
	static unsigned char buf[4][4096];
	struct aiocb cb[4], *list[4];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	list_sig.sigev_notify_function = on_list_done;
	for (i = 0; i < 4; i++) {
		prep_op(&cb[i], LIO_WRITE, fd, buf[i], sizeof(buf[i]), i * 4096);
		list[i] = &cb[i];
	}
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, 4, &list_sig));
	EXPECT_EQ(0, at_poll_flag(&list_calls, 1, AT_WAIT_MS));
	vt_sleep_ms(20);
	EXPECT_EQ(1, list_calls);
	EXPECT_EQ(1234, list_value);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, aio_error(&cb[i]));
		EXPECT_EQ(4096, aio_return(&cb[i]));
	}
	close(fd);
}

/* LIO_NOWAIT with no list sigevent: the requests complete, quietly. */
TEST(nowait_without_sigevent)
{
	static unsigned char buf[16][512];
	struct aiocb cb[16], *list[16];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 16; i++) {
		at_fill(buf[i], 512, i, 0);
		prep_op(&cb[i], LIO_WRITE, fd, buf[i], 512, i * 512);
		list[i] = &cb[i];
	}
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, 16, NULL));
	ASSERT_EQ(0, at_wait_all(list, 16, AT_WAIT_MS));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(512, aio_return(&cb[i]));
	EXPECT_EQ(16 * 512, lseek(fd, 0, SEEK_END));
	close(fd);
}

/*
 * NULL entries and LIO_NOP entries (with a bad descriptor, which would
 * fail if it ran) are ignored; a list of only those, or none, is fine.
 */
TEST(nop_and_null_ignored)
{
	char data[64] = "written";
	struct aiocb wr, nop;
	struct aiocb *list[4] = { NULL, &nop, &wr, NULL };
	struct aiocb *empty[2] = { NULL, &nop };
	int fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	prep_op(&nop, LIO_NOP, -1, NULL, 16, 0);
	prep_op(&wr, LIO_WRITE, fd, data, sizeof(data), 0);
	EXPECT_EQ(0, at_lio_wait(list, 4)) {
		TH_LOG("lio_listio: %s", strerror(errno));
	}
	EXPECT_EQ(0, aio_error(&wr));
	EXPECT_EQ(sizeof(data), aio_return(&wr));
	EXPECT_EQ(0, at_lio_wait(empty, 2));
	EXPECT_EQ(0, at_lio_wait(empty, 0));
	EXPECT_EQ(0, lio_listio(LIO_NOWAIT, empty, 2, NULL));
	close(fd);
}

/* A mode other than LIO_WAIT or LIO_NOWAIT: EINVAL, nothing submitted. */
TEST(bad_mode)
{
	static const int modes[] = { 2, -1, 100 };
	char data[64] = "never";
	struct aiocb wr, *list[1] = { &wr };
	int fd = at_tmpfile(0);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		prep_op(&wr, LIO_WRITE, fd, data, sizeof(data), 0);
		errno = 0;
		EXPECT_EQ(-1, lio_listio(modes[i], list, 1, NULL));
		EXPECT_EQ(EINVAL, errno);
	}
	vt_sleep_ms(50);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_END)) {
		TH_LOG("a request of a refused list was run");
	}
	close(fd);
}

/*
 * LIO_WAIT with a request on a bad descriptor among good ones: -1/EIO,
 * the bad one says EBADF, the good ones are done.
 */
TEST(wait_one_bad_request)
{
	char out[64] = "good write", in[64] = { 0 }, junk[64];
	struct aiocb wr, bad, rd, *list[3] = { &wr, &bad, &rd };
	int fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pwrite_full(fd, "good read", 10, 1000));
	prep_op(&wr, LIO_WRITE, fd, out, sizeof(out), 0);
	prep_op(&bad, LIO_READ, -1, junk, sizeof(junk), 0);
	prep_op(&rd, LIO_READ, fd, in, 10, 1000);
	errno = 0;
	EXPECT_EQ(-1, at_lio_wait(list, 3));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(EBADF, aio_error(&bad));
	EXPECT_EQ(-1, aio_return(&bad));
	EXPECT_EQ(0, aio_error(&wr));
	EXPECT_EQ(sizeof(out), aio_return(&wr));
	EXPECT_EQ(0, aio_error(&rd));
	EXPECT_EQ(10, aio_return(&rd));
	EXPECT_STREQ("good read", in);
	close(fd);
}

/* An opcode that is none of READ, WRITE, NOP: that request fails EINVAL. */
TEST(bad_opcode)
{
	char out[64] = "fine", junk[64];
	struct aiocb wr, bad, *list[2] = { &bad, &wr };
	int fd = at_tmpfile(0), r;

	ASSERT_LE(0, fd);
	prep_op(&bad, 5, fd, junk, sizeof(junk), 0);
	prep_op(&wr, LIO_WRITE, fd, out, sizeof(out), 0);
	errno = 0;
	r = at_lio_wait(list, 2);
	TH_LOG("lio_listio: %d (%s)", r, r ? strerror(errno) : "ok");
	EXPECT_EQ(-1, r);
	EXPECT_TRUE(errno == EIO || errno == EINVAL);
	EXPECT_EQ(EINVAL, aio_error(&bad));
	if (!at_wait(&wr, AT_WAIT_MS)) {
		EXPECT_EQ(0, aio_error(&wr));
		EXPECT_EQ(sizeof(out), aio_return(&wr));
	}
	close(fd);
}

#define LIO_MANY	256

/* A long LIO_NOWAIT list then a long LIO_WAIT one reading it back. */
TEST(long_lists)
{
	static unsigned char buf[LIO_MANY][512];
	static struct aiocb cb[LIO_MANY];
	struct aiocb *list[LIO_MANY];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < LIO_MANY; i++) {
		at_fill(buf[i], 512, 7000 + i, 0);
		prep_op(&cb[i], LIO_WRITE, fd, buf[i], 512, i * 512);
		list[i] = &cb[i];
	}
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, LIO_MANY, NULL));
	ASSERT_EQ(0, at_wait_all(list, LIO_MANY, AT_WAIT_MS));
	for (i = 0; i < LIO_MANY; i++) {
		EXPECT_EQ(512, aio_return(&cb[i]));
		memset(buf[i], 0, 512);
		prep_op(&cb[i], LIO_READ, fd, buf[i], 512, i * 512);
	}
	ASSERT_EQ(0, at_lio_wait(list, LIO_MANY));
	for (i = 0; i < LIO_MANY; i++) {
		EXPECT_EQ(512, aio_return(&cb[i]));
		EXPECT_EQ(-1, at_check(buf[i], 512, 7000 + i, 0));
	}
	close(fd);
}

AIO_TEST_MAIN
