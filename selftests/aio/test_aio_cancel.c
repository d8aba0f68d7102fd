// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: aio_cancel answers truthfully.
 *
 * AIO_CANCELED: the request is over, aio_error() says ECANCELED,
 * aio_return() -1, it moved no data and its notification fired.
 * AIO_NOTCANCELED: it was in progress and completes normally.
 * AIO_ALLDONE: it had completed.  After CANCELED or ALLDONE the aiocb is
 * the caller's again: nothing writes to it (fio reuses it at once).
 *
 * glibc runs the first request of a descriptor on a helper thread that
 * blocks in read(): it answers NOTCANCELED for that one (truthfully).
 * io_uring can cancel a read waiting on a pipe, so vlibc must answer
 * CANCELED there; the cases demand that only from vlibc.
 */
#include <signal.h>
#include "kselftest_harness.h"
#include "aio_test.h"

/* The answer as a word, for messages. */
static const char *answer(int r)
{
	switch (r) {
	case AIO_CANCELED:
		return "AIO_CANCELED";
	case AIO_NOTCANCELED:
		return "AIO_NOTCANCELED";
	case AIO_ALLDONE:
		return "AIO_ALLDONE";
	}
	return "-1";
}

/* Bytes waiting in the pipe @fd (read without blocking), or -1. */
static ssize_t pipe_leftover(int fd, char *buf, size_t len)
{
	int flags = fcntl(fd, F_GETFL);
	ssize_t n;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	n = read(fd, buf, len);
	fcntl(fd, F_SETFL, flags);
	return n < 0 && errno == EAGAIN ? 0 : n;
}

/*
 * A single read pending on an empty pipe: vlibc cancels it; glibc's
 * helper thread is in read() and it answers NOTCANCELED.  Either way the
 * answer must be true: a cancelled read takes no data written later.
 */
TEST(cancel_pending_pipe_read)
{
	char buf[8] = { 0 }, left[16] = { 0 };
	struct aiocb cb;
	int p[2], r;

	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[0], buf, 4, 0);
	ASSERT_EQ(0, aio_read(&cb));
	vt_sleep_ms(20);
	r = aio_cancel(p[0], &cb);
	TH_LOG("aio_cancel of a read pending on an empty pipe: %s", answer(r));
	if (aio_on_vlibc()) {
		EXPECT_EQ(AIO_CANCELED, r);
	}
	if (r == AIO_CANCELED) {
		EXPECT_EQ(ECANCELED, aio_error(&cb));
		EXPECT_EQ(-1, aio_return(&cb));
		ASSERT_EQ(0, vt_write_full(p[1], "data", 4));
		vt_sleep_ms(50);
		EXPECT_EQ(4, pipe_leftover(p[0], left, sizeof(left))) {
			TH_LOG("the cancelled read took the data");
		}
		EXPECT_EQ(0, buf[0]);
	} else {
		ASSERT_EQ(AIO_NOTCANCELED, r);
		EXPECT_EQ(EINPROGRESS, aio_error(&cb));
		ASSERT_EQ(0, vt_write_full(p[1], "data", 4));
		EXPECT_EQ(0, at_done_with(&cb, 4));
		EXPECT_EQ(0, memcmp(buf, "data", 4));
	}
	close(p[0]);
	close(p[1]);
}

/* A read queued behind another one on the same pipe: cancelled anywhere. */
TEST(cancel_queued_pipe_read)
{
	char buf[2][8] = { { 0 } };
	struct aiocb cb[2];
	int p[2], i;

	ASSERT_EQ(0, at_pipe(p));
	for (i = 0; i < 2; i++) {
		at_prep(&cb[i], p[0], buf[i], 4, 0);
		ASSERT_EQ(0, aio_read(&cb[i]));
	}
	EXPECT_EQ(AIO_CANCELED, aio_cancel(p[0], &cb[1]));
	EXPECT_EQ(ECANCELED, aio_error(&cb[1]));
	EXPECT_EQ(-1, aio_return(&cb[1]));
	EXPECT_EQ(EINPROGRESS, aio_error(&cb[0]));
	ASSERT_EQ(0, vt_write_full(p[1], "abcdefgh", 8));
	EXPECT_EQ(0, at_done_with(&cb[0], 4));
	EXPECT_EQ(0, memcmp(buf[0], "abcd", 4));
	EXPECT_EQ(0, buf[1][0]);
	EXPECT_EQ(ECANCELED, aio_error(&cb[1]));
	close(p[0]);
	close(p[1]);
}

/* Cancelling a completed request: AIO_ALLDONE, its result kept. */
TEST(cancel_completed)
{
	char data[100] = "completed";
	struct aiocb cb;
	int fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	at_prep(&cb, fd, data, sizeof(data), 0);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(data)));
	EXPECT_EQ(AIO_ALLDONE, aio_cancel(fd, &cb));
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ(sizeof(data), aio_return(&cb));
	/* A descriptor with nothing outstanding: all done. */
	EXPECT_EQ(AIO_ALLDONE, aio_cancel(fd, NULL));
	close(fd);
}

#define WHOLE_FD_READS	4

/*
 * aio_cancel(fd, NULL) with several reads pending on one pipe: vlibc
 * cancels them all; on glibc the one in read() is NOTCANCELED and the
 * rest cancelled.  A read pending on another pipe is left alone.
 */
TEST(cancel_whole_descriptor)
{
	char buf[WHOLE_FD_READS][8], obuf[8] = { 0 }, left[64];
	struct aiocb cb[WHOLE_FD_READS], other;
	int p[2], q[2], i, r, cancelled = 0, pending = 0;
	ssize_t taken = 0, rest;

	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, at_pipe(q));
	memset(buf, 0, sizeof(buf));
	at_prep(&other, q[0], obuf, 4, 0);
	ASSERT_EQ(0, aio_read(&other));
	for (i = 0; i < WHOLE_FD_READS; i++) {
		at_prep(&cb[i], p[0], buf[i], 4, 0);
		ASSERT_EQ(0, aio_read(&cb[i]));
	}
	vt_sleep_ms(20);
	r = aio_cancel(p[0], NULL);
	for (i = 0; i < WHOLE_FD_READS; i++) {
		int err = aio_error(&cb[i]);

		cancelled += err == ECANCELED;
		pending += err == EINPROGRESS;
		if (err == ECANCELED) {
			EXPECT_EQ(-1, aio_return(&cb[i]));
		}
	}
	TH_LOG("%s: %d cancelled, %d in progress", answer(r), cancelled, pending);
	EXPECT_EQ(WHOLE_FD_READS, cancelled + pending);
	if (aio_on_vlibc()) {
		EXPECT_EQ(AIO_CANCELED, r);
	}
	if (r == AIO_CANCELED) {
		EXPECT_EQ(WHOLE_FD_READS, cancelled);
	} else {
		EXPECT_TRUE(r == AIO_NOTCANCELED && pending > 0);
	}
	EXPECT_EQ(EINPROGRESS, aio_error(&other));
	/* Data for everyone: only the reads not cancelled take theirs. */
	ASSERT_EQ(0, vt_write_full(p[1], "0123456789abcdef", 16));
	for (i = 0; i < WHOLE_FD_READS; i++) {
		if (aio_error(&cb[i]) == ECANCELED)
			continue;
		EXPECT_EQ(0, at_done_with(&cb[i], 4));
		taken += 4;
	}
	vt_sleep_ms(50);
	rest = pipe_leftover(p[0], left, sizeof(left));
	EXPECT_EQ(16 - taken, rest);
	ASSERT_EQ(0, vt_write_full(q[1], "xyz", 3));
	EXPECT_EQ(0, at_done_with(&other, 3));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* cb->aio_fildes is not the descriptor named: -1/EINVAL, nothing done. */
TEST(cancel_wrong_descriptor)
{
	char buf[8];
	struct aiocb cb;
	int p[2], q[2];

	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, at_pipe(q));
	at_prep(&cb, p[0], buf, 4, 0);
	ASSERT_EQ(0, aio_read(&cb));
	errno = 0;
	EXPECT_EQ(-1, aio_cancel(q[0], &cb));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EINPROGRESS, aio_error(&cb));
	ASSERT_EQ(0, vt_write_full(p[1], "abcd", 4));
	EXPECT_EQ(0, at_done_with(&cb, 4));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

TEST(cancel_bad_descriptor)
{
	char buf[8];
	struct aiocb cb;
	int fd = at_tmpfile(0), closed;

	ASSERT_LE(0, fd);
	/* A first request, so that what the implementation opens is open. */
	at_prep(&cb, fd, buf, sizeof(buf), 0);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(buf)));
	closed = dup(fd);
	ASSERT_LE(0, closed);
	close(closed);
	errno = 0;
	EXPECT_EQ(-1, aio_cancel(-1, NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, aio_cancel(closed, NULL));
	EXPECT_EQ(EBADF, errno);
	at_prep(&cb, closed, NULL, 0, 0);
	errno = 0;
	EXPECT_EQ(-1, aio_cancel(closed, &cb));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

#define FILE_WRITES	64
#define FILE_LEN	(256 << 10)

/* Copies of the aiocbs handed back, to see that nothing writes to them. */
static struct aiocb snapshot[FILE_WRITES];

/* Is each answer true right after aio_cancel?  Counts the failures. */
static int check_answer(int i, int r, struct aiocb *cb)
{
	int err = aio_error(cb);

	if (r == AIO_CANCELED && (err != ECANCELED || aio_return(cb) != -1)) {
		fprintf(stderr, "# write %d: CANCELED, then error %d return %zd\n",
			i, err, aio_return(cb));
		return 1;
	}
	if (r == AIO_ALLDONE && err != 0) {
		fprintf(stderr, "# write %d: ALLDONE, then error %d\n", i, err);
		return 1;
	}
	return 0;
}

/*
 * Many writes to a regular file, each cancelled at once (last first):
 * whatever the answers, they are true.  CANCELED: ECANCELED, -1, and its
 * data never reaches the file.  NOTCANCELED: it completes normally.
 * ALLDONE: it had completed.  Afterwards the aiocbs handed back are
 * untouched.
 */
TEST(cancel_file_writes_truthfully)
{
	static struct aiocb cb[FILE_WRITES];
	unsigned char *data = malloc((size_t)FILE_WRITES * FILE_LEN);
	unsigned char *check = malloc(FILE_LEN);
	int answers[FILE_WRITES], count[3] = { 0 }, fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(data && check);
	for (i = 0; i < FILE_WRITES; i++) {
		unsigned char *p = data + (size_t)i * FILE_LEN;

		at_fill(p, FILE_LEN, 1000 + i, 0);
		at_prep(&cb[i], fd, p, FILE_LEN, (off_t)i * FILE_LEN);
		ASSERT_EQ(0, aio_write(&cb[i]));
	}
	for (i = FILE_WRITES - 1; i >= 0; i--) {
		answers[i] = aio_cancel(fd, &cb[i]);
		ASSERT_TRUE(answers[i] >= AIO_CANCELED && answers[i] <= AIO_ALLDONE) {
			TH_LOG("write %d: aio_cancel returned %d (%s)", i,
			       answers[i], strerror(errno));
		}
		count[answers[i]]++;
		EXPECT_EQ(0, check_answer(i, answers[i], &cb[i]));
		if (answers[i] != AIO_NOTCANCELED)
			snapshot[i] = cb[i];
	}
	TH_LOG("%d cancelled, %d not cancelled, %d all done", count[AIO_CANCELED],
	       count[AIO_NOTCANCELED], count[AIO_ALLDONE]);
	for (i = 0; i < FILE_WRITES; i++) {
		if (answers[i] == AIO_NOTCANCELED) {
			EXPECT_EQ(0, at_done_with(&cb[i], FILE_LEN));
		}
	}
	vt_sleep_ms(50);
	for (i = 0; i < FILE_WRITES; i++) {
		ssize_t n = pread(fd, check, FILE_LEN, (off_t)i * FILE_LEN);
		int has = n == FILE_LEN && at_check(check, FILE_LEN, 1000 + i, 0) < 0;

		EXPECT_EQ(answers[i] != AIO_CANCELED, has) {
			TH_LOG("write %d (%s): its data is%s in the file", i,
			       answer(answers[i]), has ? "" : " not");
		}
		if (answers[i] == AIO_NOTCANCELED)
			continue;
		EXPECT_EQ(0, memcmp(&snapshot[i], &cb[i], sizeof(cb[i]))) {
			TH_LOG("aiocb %d changed after %s", i, answer(answers[i]));
		}
	}
	free(data);
	free(check);
	close(fd);
}

/*
 * The same with one aio_cancel(fd, NULL): CANCELED means nothing of the
 * descriptor is still in progress; ALLDONE that nothing was cancelled.
 */
TEST(cancel_file_writes_whole_descriptor)
{
	static struct aiocb cb[FILE_WRITES];
	unsigned char *data = malloc((size_t)FILE_WRITES * FILE_LEN);
	int fd = at_tmpfile(0), i, r, cancelled = 0, pending = 0;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, data);
	for (i = 0; i < FILE_WRITES; i++) {
		unsigned char *p = data + (size_t)i * FILE_LEN;

		at_fill(p, FILE_LEN, 2000 + i, 0);
		at_prep(&cb[i], fd, p, FILE_LEN, (off_t)i * FILE_LEN);
		ASSERT_EQ(0, aio_write(&cb[i]));
	}
	r = aio_cancel(fd, NULL);
	for (i = 0; i < FILE_WRITES; i++) {
		int err = aio_error(&cb[i]);

		cancelled += err == ECANCELED;
		pending += err == EINPROGRESS;
	}
	TH_LOG("%s: %d cancelled, %d still in progress", answer(r), cancelled,
	       pending);
	ASSERT_TRUE(r >= AIO_CANCELED && r <= AIO_ALLDONE);
	if (r == AIO_CANCELED) {
		EXPECT_EQ(0, pending);
	}
	if (r == AIO_ALLDONE) {
		EXPECT_EQ(0, pending + cancelled);
	}
	ASSERT_EQ(0, at_wait_array(cb, FILE_WRITES, 10000));
	for (i = 0; i < FILE_WRITES; i++) {
		int err = aio_error(&cb[i]);

		EXPECT_TRUE(err == 0 || err == ECANCELED);
		EXPECT_EQ(err ? -1 : FILE_LEN, aio_return(&cb[i]));
	}
	free(data);
	close(fd);
}

#define CHAIN_ROUNDS	120

/*
 * How each write of a round ended, checked against the answer it got:
 * the number of untrue answers.  @before: was it in progress before
 * aio_cancel?  @fd_wide: @answers holds aio_cancel(fd, NULL)'s answer.
 */
static int chain_check(int fd, struct aiocb *cb, const int *answers,
		       const int *before, int fd_wide, unsigned char *check)
{
	int i, bad = 0, resumed = 0, cancelled = 0;

	for (i = 0; i < FILE_WRITES; i++) {
		int err, has;
		ssize_t n;

		if (at_wait(&cb[i], AT_WAIT_MS))
			return bad + 1;
		err = aio_error(&cb[i]);
		n = pread(fd, check, FILE_LEN, (off_t)i * FILE_LEN);
		has = n == FILE_LEN && at_check(check, FILE_LEN, 3000 + i, 0) < 0;
		cancelled += err == ECANCELED;
		resumed += before[i] && err == 0;
		if (err != 0 && err != ECANCELED) {
			fprintf(stderr, "# write %d: error %d\n", i, err);
			bad++;
		} else if (aio_return(&cb[i]) != (err ? -1 : FILE_LEN) ||
			   has != !err) {
			fprintf(stderr, "# write %d: error %d, return %zd, data %s the file\n",
				i, err, aio_return(&cb[i]), has ? "in" : "not in");
			bad++;
		} else if (!fd_wide && (answers[i] == AIO_CANCELED) != !!err) {
			fprintf(stderr, "# write %d: %s, then error %d\n", i,
				answer(answers[i]), err);
			bad++;
		}
	}
	/*
	 * NOTCANCELED: one in progress completes normally.  CANCELED: one
	 * was cancelled.  ALLDONE: none was.  (Completed ones can go with
	 * any answer: they may have ended before the cancel came to them.)
	 */
	if (fd_wide && ((answers[0] == AIO_NOTCANCELED && !resumed) ||
			(answers[0] == AIO_CANCELED && !cancelled) ||
			(answers[0] == AIO_ALLDONE && cancelled))) {
		fprintf(stderr, "# aio_cancel(fd, NULL): %s, then %d cancelled, %d completed after it\n",
			answer(answers[0]), cancelled, resumed);
		bad++;
	}
	return bad;
}

/*
 * Many large writes to one file: io-wq runs buffered writes to a file
 * one at a time, and takes those queued at that time off its list as one
 * chain.  Cancelling one the chain holds, the kernel answers "running"
 * (-EALREADY) and marks it, and it ends with ECANCELED when its turn
 * comes: AIO_NOTCANCELED would be untrue there.  Each round waits for
 * the first write to end (the next ones then form the chain), then
 * cancels the others last first, or all with aio_cancel(fd, NULL).
 * However each answer falls, it must be true, and a write's data is in
 * the file exactly when it completed.  Rounds alternate the two ways.
 */
TEST(cancel_chained_file_writes)
{
	static struct aiocb cb[FILE_WRITES];
	unsigned char *data = malloc((size_t)FILE_WRITES * FILE_LEN);
	unsigned char *check = malloc(FILE_LEN);
	int answers[FILE_WRITES], before[FILE_WRITES], round, i, bad = 0;

	ASSERT_TRUE(data && check);
	for (i = 0; i < FILE_WRITES; i++)
		at_fill(data + (size_t)i * FILE_LEN, FILE_LEN, 3000 + i, 0);
	for (round = 0; round < CHAIN_ROUNDS; round++) {
		int fd = at_tmpfile(0), fd_wide = round & 1, r;

		ASSERT_LE(0, fd);
		for (i = 0; i < FILE_WRITES; i++) {
			at_prep(&cb[i], fd, data + (size_t)i * FILE_LEN,
				FILE_LEN, (off_t)i * FILE_LEN);
			ASSERT_EQ(0, aio_write(&cb[i]));
		}
		ASSERT_EQ(0, at_wait(&cb[0], AT_WAIT_MS));
		for (i = 0; i < FILE_WRITES; i++)
			before[i] = aio_error(&cb[i]) == EINPROGRESS;
		if (fd_wide) {
			answers[0] = r = aio_cancel(fd, NULL);
			ASSERT_TRUE(r >= AIO_CANCELED && r <= AIO_ALLDONE);
			/* Only NOTCANCELED leaves a request in progress. */
			for (i = 0; r != AIO_NOTCANCELED && i < FILE_WRITES; i++)
				if (aio_error(&cb[i]) == EINPROGRESS) {
					fprintf(stderr, "# write %d in progress after %s\n",
						i, answer(r));
					bad++;
				}
		}
		for (i = FILE_WRITES - 1; !fd_wide && i >= 0; i--) {
			answers[i] = aio_cancel(fd, &cb[i]);
			ASSERT_TRUE(answers[i] >= AIO_CANCELED &&
				    answers[i] <= AIO_ALLDONE);
			/* ALLDONE: complete already, with its result. */
			if (answers[i] == AIO_ALLDONE && aio_error(&cb[i])) {
				fprintf(stderr, "# write %d: ALLDONE, then error %d\n",
					i, aio_error(&cb[i]));
				bad++;
			}
		}
		bad += chain_check(fd, cb, answers, before, fd_wide, check);
		close(fd);
	}
	EXPECT_EQ(0, bad) {
		TH_LOG("%d untrue answers in %d rounds", bad, CHAIN_ROUNDS);
	}
	free(data);
	free(check);
}

static volatile int cancel_signals, cancel_value;

static void on_cancel_signal(int sig, siginfo_t *si, void *uc)
{
	cancel_value = si->si_value.sival_int;
	__atomic_add_fetch(&cancel_signals, 1, __ATOMIC_RELEASE);
}

/* A cancelled request notifies like a completed one (POSIX). */
TEST(cancel_notifies)
{
	struct sigaction sa = { .sa_sigaction = on_cancel_signal,
				.sa_flags = SA_SIGINFO };
	char buf[2][8];
	struct aiocb cb[2];
	int p[2], i;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGRTMIN + 4, &sa, NULL));
	ASSERT_EQ(0, at_pipe(p));
	for (i = 0; i < 2; i++) {
		at_prep(&cb[i], p[0], buf[i], 4, 0);
		cb[i].aio_sigevent.sigev_notify = SIGEV_SIGNAL;
		cb[i].aio_sigevent.sigev_signo = SIGRTMIN + 4;
		cb[i].aio_sigevent.sigev_value.sival_int = 40 + i;
		ASSERT_EQ(0, aio_read(&cb[i]));
	}
	ASSERT_EQ(AIO_CANCELED, aio_cancel(p[0], &cb[1]));
	EXPECT_EQ(0, at_poll_flag(&cancel_signals, 1, AT_WAIT_MS)) {
		TH_LOG("no signal for the cancelled request");
	}
	EXPECT_EQ(41, cancel_value);
	ASSERT_EQ(0, vt_write_full(p[1], "abcd", 4));
	EXPECT_EQ(0, at_poll_flag(&cancel_signals, 2, AT_WAIT_MS));
	EXPECT_EQ(40, cancel_value);
	EXPECT_EQ(0, at_done_with(&cb[0], 4));
	close(p[0]);
	close(p[1]);
}

AIO_TEST_MAIN
