// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO in a process that can make no thread (RLIMIT_NPROC reached
 * by an unprivileged user): a write to a pipe larger than the pipe holds,
 * or one to a pipe without a reader, is refused with EAGAIN as glibc
 * refuses it, or done whole; never left half done while the application
 * reads the other end itself, and never a SIGPIPE that kills it.  A
 * file write is refused or done, never ended with ECANCELED.
 */
#include "kselftest_harness.h"
#include "aio_test.h"

#define PIPE_BIG	(256 << 10)

/* Write PIPE_BIG to a pipe and read it here: 0 when refused or whole. */
static int big_pipe_write(void *arg)
{
	char *buf = vt_nonnull(malloc(PIPE_BIG)), *got = vt_nonnull(malloc(PIPE_BIG));
	struct aiocb cb;
	int p[2];

	if (at_no_threads())
		return 77;
	if (at_pipe(p))
		return 1;
	at_fill(buf, PIPE_BIG, 3, 0);
	at_prep(&cb, p[1], buf, PIPE_BIG, 0);
	if (aio_write(&cb))
		return errno == EAGAIN ? 0 : 2;
	if (vt_read_full(p[0], got, PIPE_BIG))
		return 3;
	if (at_done_with(&cb, PIPE_BIG) || memcmp(buf, got, PIPE_BIG))
		return 4;
	return 0;
}

/* A pipe without a reader: EAGAIN at once, or EPIPE; alive either way. */
static int pipe_without_reader(void *arg)
{
	char buf[16] = "no reader";
	struct aiocb cb;
	int p[2];

	if (at_no_threads())
		return 77;
	if (at_pipe(p))
		return 1;
	close(p[0]);
	at_prep(&cb, p[1], buf, sizeof(buf), 0);
	if (aio_write(&cb))
		return errno == EAGAIN ? 0 : 2;
	if (at_wait(&cb, AT_WAIT_MS) || aio_error(&cb) != EPIPE)
		return 3;
	return 0;
}

/*
 * A file write with no thread to be had: EAGAIN at once (glibc), or done.
 * Not ECANCELED: nobody cancelled it (io-wq cannot start a worker either
 * and drops the work it punted).
 */
static int file_write(void *arg)
{
	char *buf = vt_nonnull(malloc(AT_MIB));
	struct aiocb cb;
	int fd;

	if (at_no_threads())
		return 77;
	fd = at_tmpfile(0);
	if (fd < 0)
		return 1;
	at_fill(buf, AT_MIB, 5, 0);
	at_prep(&cb, fd, buf, AT_MIB, 0);
	if (aio_write(&cb))
		return errno == EAGAIN ? 0 : 2;
	if (at_done_with(&cb, AT_MIB))
		return 3;
	/* Done means on the file, byte for byte. */
	memset(buf, 0, AT_MIB);
	if (pread(fd, buf, AT_MIB, 0) != AT_MIB || at_check(buf, AT_MIB, 5, 0) != -1)
		return 4;
	return 0;
}

static void run(struct __test_metadata *_metadata, int (*fn)(void *))
{
	char what[64];
	int r;

	if (geteuid())
		SKIP(return, "needs root to become another user");
	r = vt_run_child(fn, NULL, 10000);
	if (r == 77)
		SKIP(return, "threads could still be made");
	EXPECT_EQ(0, r) TH_LOG("child: %s (%d)", vt_child_what(r, what, sizeof(what)), r);
}

TEST(big_pipe_write_no_thread)
{
	run(_metadata, big_pipe_write);
}

TEST(pipe_without_reader_no_thread)
{
	run(_metadata, pipe_without_reader);
}

TEST(file_write_no_thread)
{
	run(_metadata, file_write);
}

AIO_TEST_MAIN
