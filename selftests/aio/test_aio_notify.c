// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: completion notification.
 *
 * SIGEV_NONE sends nothing.  SIGEV_SIGNAL queues one signal per request
 * (si_code SI_ASYNCIO, si_signo, si_value as given, si_pid this process).
 * SIGEV_THREAD runs the function in another thread with the value, with
 * the attributes given.  Notifications come while the program sleeps:
 * these cases never call aio_error() or aio_suspend() before the
 * notification is seen, they poll a flag with a deadline.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define MAX_SIGNALS	64

/* What the SA_SIGINFO handler saw. */
static struct {
	volatile int	count;
	int		signo[MAX_SIGNALS], code[MAX_SIGNALS];
	pid_t		pid[MAX_SIGNALS];
	union sigval	value[MAX_SIGNALS];
} seen;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int n = seen.count;

	if (n < MAX_SIGNALS) {
		seen.signo[n] = si->si_signo;
		seen.code[n] = si->si_code;
		seen.pid[n] = si->si_pid;
		seen.value[n] = si->si_value;
	}
	__atomic_store_n(&seen.count, n + 1, __ATOMIC_RELEASE);
}

static int catch_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO | flags };

	memset(&seen, 0, sizeof(seen));
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void want_signal(struct aiocb *cb, int sig, union sigval value)
{
	cb->aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb->aio_sigevent.sigev_signo = sig;
	cb->aio_sigevent.sigev_value = value;
}

/* SIGEV_NONE: the request completes, no signal comes. */
TEST(sigev_none)
{
	char data[512] = "quiet";
	struct aiocb cb;
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, catch_signal(SIGRTMIN + 1, 0));
	for (i = 0; i < 8; i++) {
		at_prep(&cb, fd, data, sizeof(data), i * 512);
		cb.aio_sigevent.sigev_signo = SIGRTMIN + 1;	/* ignored */
		ASSERT_EQ(0, aio_write(&cb));
		EXPECT_EQ(0, at_done_with(&cb, sizeof(data)));
	}
	vt_sleep_ms(50);
	EXPECT_EQ(0, seen.count);
	close(fd);
}

#define SIG_REQUESTS	16

/*
 * Sixteen writes, each with its own value: sixteen queued signals, each
 * value once, all SI_ASYNCIO from this process.  Nothing polls the
 * requests before all signals are in.
 */
TEST(sigev_signal_queued)
{
	static struct aiocb cb[SIG_REQUESTS];
	static char data[SIG_REQUESTS][4096];
	int fd = at_tmpfile(0), sig = SIGRTMIN + 2, i, n, got[SIG_REQUESTS] = { 0 };

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, catch_signal(sig, 0));
	for (i = 0; i < SIG_REQUESTS; i++) {
		at_prep(&cb[i], fd, data[i], sizeof(data[i]), i * 4096);
		want_signal(&cb[i], sig, (union sigval){ .sival_int = 100 + i });
		ASSERT_EQ(0, aio_write(&cb[i]));
	}
	EXPECT_EQ(0, at_poll_flag(&seen.count, SIG_REQUESTS, AT_WAIT_MS)) {
		TH_LOG("%d of %d signals came", seen.count, SIG_REQUESTS);
	}
	vt_sleep_ms(50);
	n = seen.count;
	EXPECT_EQ(SIG_REQUESTS, n);
	for (i = 0; i < n && i < MAX_SIGNALS; i++) {
		int v = seen.value[i].sival_int - 100;

		EXPECT_EQ(sig, seen.signo[i]);
		EXPECT_EQ(SI_ASYNCIO, seen.code[i]);
		EXPECT_EQ(getpid(), seen.pid[i]);
		ASSERT_TRUE(v >= 0 && v < SIG_REQUESTS) {
			TH_LOG("signal %d carries value %d", i, v + 100);
		}
		got[v]++;
	}
	for (i = 0; i < SIG_REQUESTS; i++) {
		EXPECT_EQ(1, got[i]) {
			TH_LOG("value %d came %d times", 100 + i, got[i]);
		}
		EXPECT_EQ(0, aio_error(&cb[i]));
		EXPECT_EQ(4096, aio_return(&cb[i]));
	}
	close(fd);
}

/*
 * A read waiting on a pipe signals (sival_ptr: the aiocb, as stress-ng
 * does, handler with SA_RESTART) only once data comes, while the program
 * sleeps.
 */
TEST(sigev_signal_while_sleeping)
{
	char buf[8] = { 0 };
	struct aiocb cb;
	int p[2], sig = SIGRTMIN + 3;

	ASSERT_EQ(0, catch_signal(sig, SA_RESTART));
	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[0], buf, 4, 0);
	want_signal(&cb, sig, (union sigval){ .sival_ptr = &cb });
	ASSERT_EQ(0, aio_read(&cb));
	vt_sleep_ms(100);
	EXPECT_EQ(0, seen.count);
	ASSERT_EQ(0, vt_write_full(p[1], "wake", 4));
	ASSERT_EQ(0, at_poll_flag(&seen.count, 1, AT_WAIT_MS)) {
		TH_LOG("no signal while the program slept");
	}
	EXPECT_EQ(&cb, seen.value[0].sival_ptr);
	EXPECT_EQ(SI_ASYNCIO, seen.code[0]);
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ(4, aio_return(&cb));
	EXPECT_EQ(0, memcmp(buf, "wake", 4));
	close(p[0]);
	close(p[1]);
}

/* --- SIGEV_THREAD ------------------------------------------------------------------ */

#define THREAD_CALLS	8

static struct {
	volatile int	calls;
	int		next;		/* the next free slot */
	pid_t		tid[THREAD_CALLS];
	int		value[THREAD_CALLS];
	size_t		stack[THREAD_CALLS];
	int		attr_ok[THREAD_CALLS];
} ran;

/* The notification function: records where it ran and what it got. */
static void on_complete(union sigval v)
{
	int slot = __atomic_fetch_add(&ran.next, 1, __ATOMIC_ACQ_REL);
	pthread_attr_t attr;

	if (slot < THREAD_CALLS) {
		ran.tid[slot] = syscall(SYS_gettid);
		ran.value[slot] = v.sival_int;
		ran.attr_ok[slot] = !pthread_getattr_np(pthread_self(), &attr) &&
				    !pthread_attr_getstacksize(&attr, &ran.stack[slot]);
		if (ran.attr_ok[slot])
			pthread_attr_destroy(&attr);
	}
	__atomic_add_fetch(&ran.calls, 1, __ATOMIC_RELEASE);
}

static void want_thread(struct aiocb *cb, int value, pthread_attr_t *attr)
{
	cb->aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb->aio_sigevent.sigev_notify_function = on_complete;
	cb->aio_sigevent.sigev_notify_attributes = attr;
	cb->aio_sigevent.sigev_value.sival_int = value;
}

/* The function runs once per request, in another thread, with the value. */
TEST(sigev_thread)
{
	static struct aiocb cb[THREAD_CALLS];
	static char data[THREAD_CALLS][512];
	int fd = at_tmpfile(0), i, got[THREAD_CALLS] = { 0 };
	pid_t me = syscall(SYS_gettid);

	ASSERT_LE(0, fd);
	memset(&ran, 0, sizeof(ran));
	for (i = 0; i < THREAD_CALLS; i++) {
		at_prep(&cb[i], fd, data[i], sizeof(data[i]), i * 512);
		want_thread(&cb[i], 200 + i, NULL);
		ASSERT_EQ(0, aio_write(&cb[i]));
	}
	EXPECT_EQ(0, at_poll_flag(&ran.calls, THREAD_CALLS, AT_WAIT_MS)) {
		TH_LOG("%d of %d calls", ran.calls, THREAD_CALLS);
	}
	vt_sleep_ms(50);
	EXPECT_EQ(THREAD_CALLS, ran.calls);
	for (i = 0; i < THREAD_CALLS && i < ran.calls; i++) {
		int v = ran.value[i] - 200;

		EXPECT_NE(me, ran.tid[i]);
		ASSERT_TRUE(v >= 0 && v < THREAD_CALLS);
		got[v]++;
	}
	for (i = 0; i < THREAD_CALLS; i++) {
		EXPECT_EQ(1, got[i]);
		EXPECT_EQ(512, aio_return(&cb[i]));
	}
	close(fd);
}

#define NOTIFY_STACK	(3UL << 20)

/*
 * With attributes (a 3 MiB stack): the notification thread has them.  The
 * request waits on a pipe, the program sleeps until the function ran.
 */
TEST(sigev_thread_attributes)
{
	pthread_attr_t attr;
	char buf[8] = { 0 };
	struct aiocb cb;
	int p[2];

	memset(&ran, 0, sizeof(ran));
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstacksize(&attr, NOTIFY_STACK));
	ASSERT_EQ(0, pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED));
	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[0], buf, 4, 0);
	want_thread(&cb, 77, &attr);
	ASSERT_EQ(0, aio_read(&cb));
	vt_sleep_ms(100);
	EXPECT_EQ(0, ran.calls);
	ASSERT_EQ(0, vt_write_full(p[1], "thrd", 4));
	ASSERT_EQ(0, at_poll_flag(&ran.calls, 1, AT_WAIT_MS)) {
		TH_LOG("the function did not run while the program slept");
	}
	EXPECT_EQ(77, ran.value[0]);
	EXPECT_NE(syscall(SYS_gettid), ran.tid[0]);
	EXPECT_TRUE(ran.attr_ok[0]);
	EXPECT_TRUE(ran.stack[0] >= NOTIFY_STACK &&
		    ran.stack[0] < NOTIFY_STACK + (1UL << 20)) {
		TH_LOG("stack of %zu bytes, asked for %lu", ran.stack[0],
		       NOTIFY_STACK);
	}
	EXPECT_EQ(0, aio_error(&cb));
	EXPECT_EQ(4, aio_return(&cb));
	pthread_attr_destroy(&attr);
	close(p[0]);
	close(p[1]);
}

AIO_TEST_MAIN
