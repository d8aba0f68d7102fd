// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: aio_suspend() is a cancellation point.  pthread_cancel() of a
 * thread blocked in it (without and with a timeout; on vlibc both the
 * waiter in io_uring_enter() and one asleep on the futex) ends it at once
 * with PTHREAD_CANCELED, its cleanup handlers run, and afterwards other
 * threads' aio_suspend() still see their requests complete.
 *
 * Requests that stay pending are reads on empty pipes.  Every join is
 * bounded: a thread that was not cancelled is released by completing its
 * request.
 */
#include <pthread.h>
#include "kselftest_harness.h"
#include "aio_test.h"

struct waiter {
	struct aiocb	*cb;
	int		timed;		/* a 60 s timeout, else NULL */
	pid_t		tid;
	int		cleaned;	/* the cleanup handler ran */
	int		returned;	/* aio_suspend() returned */
	pthread_t	thread;
};

static void waiter_cleanup(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->cleaned, 1, __ATOMIC_RELEASE);
}

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	const struct aiocb *list[1] = { w->cb };
	struct timespec ts = { 60, 0 };

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	pthread_cleanup_push(waiter_cleanup, w);
	aio_suspend(list, 1, w->timed ? &ts : NULL);
	__atomic_store_n(&w->returned, 1, __ATOMIC_RELEASE);
	pthread_cleanup_pop(0);
	return NULL;
}

/* The system call thread @tid sleeps in, once it sleeps; -1 on timeout. */
static long blocked_in(pid_t tid)
{
	double end = vt_now_ms() + AT_WAIT_MS;
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	while (vt_now_ms() < end) {
		FILE *f = fopen(path, "r");
		long nr = -1;

		if (f) {
			if (fgets(line, sizeof(line), f))
				nr = strtol(line, NULL, 10);
			fclose(f);
		}
		if (nr == __NR_io_uring_enter || nr == __NR_futex || nr == 455)
			return nr;
		vt_sleep_ms(1);
	}
	return -1;
}

static int waiter_start(struct waiter *w, struct aiocb *cb, int timed)
{
	memset(w, 0, sizeof(*w));
	w->cb = cb;
	w->timed = timed;
	if (pthread_create(&w->thread, NULL, waiter_run, w))
		return -1;
	while (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE))
		vt_sleep_ms(1);
	return 0;
}

/*
 * Cancel @w and join it within the deadline; when it does not end,
 * @release (a pipe's write end) completes its request so it can.
 * Returns what the join gave.
 */
static void *cancel_and_join(struct waiter *w, int release)
{
	struct timespec deadline;
	void *ret = NULL;

	pthread_cancel(w->thread);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += AT_WAIT_MS / 1000;
	if (pthread_timedjoin_np(w->thread, &ret, &deadline)) {
		fprintf(stderr, "# not cancelled within %d ms\n", AT_WAIT_MS);
		vt_write_full(release, "free", 4);
		pthread_join(w->thread, &ret);
	}
	return ret;
}

/* After the cancellations, another thread's wait still completes. */
static int others_still_wake(void)
{
	struct at_pending pd;
	struct waiter w;
	void *ret;

	if (at_pending_start(&pd) || waiter_start(&w, &pd.cb, 0) ||
	    blocked_in(w.tid) < 0)
		return -1;
	if (vt_write_full(pd.p[1], "pong", 4))
		return -1;
	if (at_poll_flag(&w.returned, 1, AT_WAIT_MS)) {
		fprintf(stderr, "# aio_suspend() of another thread did not return\n");
		pthread_cancel(w.thread);
	}
	pthread_join(w.thread, &ret);
	close(pd.p[0]);
	close(pd.p[1]);
	return ret == NULL && w.returned ? 0 : -1;
}

static void cancel_one_waiter(struct __test_metadata *_metadata, int timed)
{
	struct at_pending pd;
	struct waiter w;

	ASSERT_EQ(0, at_pending_start(&pd));
	ASSERT_EQ(0, waiter_start(&w, &pd.cb, timed));
	ASSERT_LE(0, blocked_in(w.tid));
	EXPECT_EQ(PTHREAD_CANCELED, cancel_and_join(&w, pd.p[1]));
	EXPECT_EQ(1, w.cleaned);
	EXPECT_EQ(0, w.returned);
	EXPECT_EQ(0, others_still_wake());
	EXPECT_EQ(0, at_pending_finish(&pd));
}

TEST(cancel_in_suspend_without_timeout)
{
	cancel_one_waiter(_metadata, 0);
}

TEST(cancel_in_suspend_with_timeout)
{
	cancel_one_waiter(_metadata, 1);
}

/*
 * Two waiters: on vlibc the first sits in io_uring_enter(), the second
 * on the futex.  Cancel the second, then the first; a third still wakes.
 */
TEST(cancel_kernel_and_futex_waiters)
{
	struct at_pending pd;
	struct waiter w[2];
	long nr[2];
	int i;

	ASSERT_EQ(0, at_pending_start(&pd));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, waiter_start(&w[i], &pd.cb, i));
		nr[i] = blocked_in(w[i].tid);
		ASSERT_LE(0, nr[i]);
	}
	TH_LOG("waiters block in system calls %ld and %ld", nr[0], nr[1]);
	if (aio_on_vlibc()) {
		EXPECT_EQ(__NR_io_uring_enter, nr[0]);
		EXPECT_NE(__NR_io_uring_enter, nr[1]);
	}
	for (i = 1; i >= 0; i--) {
		EXPECT_EQ(PTHREAD_CANCELED, cancel_and_join(&w[i], pd.p[1]));
		EXPECT_EQ(1, w[i].cleaned);
	}
	EXPECT_EQ(0, others_still_wake());
	EXPECT_EQ(0, at_pending_finish(&pd));
}

AIO_TEST_MAIN
