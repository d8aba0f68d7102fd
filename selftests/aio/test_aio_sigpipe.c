// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: a write to a pipe or socket that has lost its reader.
 *
 * glibc's AIO writes with write(2) in a helper thread that has every
 * signal blocked: the write fails with EPIPE, the kernel's SIGPIPE goes
 * to that thread (sent to the thread that writes, not the process) and
 * never reaches the application.  A program that never touched SIGPIPE
 * therefore survives aio_write() to a broken pipe with glibc, and sees
 * EPIPE through aio_error().  It must with vlibc too: here the default
 * action of SIGPIPE stays in force, so a SIGPIPE that reaches an
 * application thread kills the test.
 *
 * Cases: the reader gone before the request (the write is tried when it
 * is submitted), gone while the request waits on a full pipe (the write
 * is tried again when the pipe changes), and the same for a stream
 * socket.
 */
#include "kselftest_harness.h"
#include "aio_test.h"
#include <sys/socket.h>

static char payload[4096];

/* Submit a write of @len to @fd, wait for it: its aio_error(). */
static int write_and_wait(int fd, size_t len, struct aiocb *cb)
{
	at_prep(cb, fd, payload, len, 0);
	if (aio_write(cb))
		return -1;
	if (at_wait(cb, AT_WAIT_MS))
		return -2;
	return aio_error(cb);
}

static void default_sigpipe(void)
{
	signal(SIGPIPE, SIG_DFL);
}

TEST(pipe_reader_gone_before)
{
	struct aiocb cb;
	int p[2];

	default_sigpipe();
	ASSERT_EQ(0, at_pipe(p));
	close(p[0]);
	EXPECT_EQ(EPIPE, write_and_wait(p[1], 10, &cb));
	EXPECT_EQ(-1, aio_return(&cb));
	close(p[1]);
}

TEST(socket_peer_gone_before)
{
	struct aiocb cb;
	int s[2];

	default_sigpipe();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	close(s[0]);
	EXPECT_EQ(EPIPE, write_and_wait(s[1], 10, &cb));
	close(s[1]);
}

/* The request waits on a full pipe; then the reader goes. */
TEST(pipe_reader_gone_while_waiting)
{
	struct aiocb cb;
	int p[2];

	default_sigpipe();
	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, at_fill_pipe(p[1]));
	at_prep(&cb, p[1], payload, sizeof(payload), 0);
	ASSERT_EQ(0, aio_write(&cb));
	vt_sleep_ms(100);
	EXPECT_EQ(EINPROGRESS, aio_error(&cb));
	close(p[0]);
	ASSERT_EQ(0, at_wait(&cb, AT_WAIT_MS));
	EXPECT_EQ(EPIPE, aio_error(&cb));
	close(p[1]);
}

AIO_TEST_MAIN
