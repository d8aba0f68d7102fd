// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: aio_suspend.  It returns 0 at once when an entry is done,
 * skips NULL entries, times out with EAGAIN, is interrupted by a signal
 * whose handler has no SA_RESTART (EINTR), and wakes every thread waiting
 * on a request that completes, or is cancelled.
 *
 * Requests that must stay pending are reads on empty pipes; a write
 * completes them.  Every wait has a timeout.
 */
#include <pthread.h>
#include <sys/time.h>
#include "kselftest_harness.h"
#include "aio_test.h"

/* aio_suspend(@list, @n, @ms): its result, errno in *@err, time in *@took. */
static int suspend_ms(const struct aiocb *const list[], int n, double ms,
		      int *err, double *took)
{
	struct timespec ts = at_ts(ms);
	double start = vt_now_ms();
	int r;

	errno = 0;
	r = aio_suspend(list, n, &ts);
	*err = r ? errno : 0;
	*took = vt_now_ms() - start;
	return r;
}

TEST(returns_when_one_is_done)
{
	struct at_pending pd;
	char data[16] = "done";
	struct aiocb done;
	const struct aiocb *list[2];
	int fd = at_tmpfile(0), err;
	double took;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pending_start(&pd));
	at_prep(&done, fd, data, sizeof(data), 0);
	ASSERT_EQ(0, aio_write(&done));
	ASSERT_EQ(0, at_done_with(&done, sizeof(data)));
	list[0] = &pd.cb;
	list[1] = &done;
	EXPECT_EQ(0, suspend_ms(list, 2, 5000, &err, &took));
	EXPECT_GT(500, took);
	EXPECT_EQ(EINPROGRESS, aio_error(&pd.cb));
	EXPECT_EQ(0, at_pending_finish(&pd));
	close(fd);
}

/* NULL entries are skipped: they neither count as done nor break it. */
TEST(null_entries_skipped)
{
	struct at_pending pd;
	char data[16] = "done";
	struct aiocb done;
	const struct aiocb *list[3] = { NULL, NULL, NULL };
	int fd = at_tmpfile(0), err;
	double took;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pending_start(&pd));
	list[1] = &pd.cb;
	EXPECT_EQ(-1, suspend_ms(list, 3, 50, &err, &took));
	EXPECT_EQ(EAGAIN, err);
	at_prep(&done, fd, data, sizeof(data), 0);
	ASSERT_EQ(0, aio_write(&done));
	ASSERT_EQ(0, at_done_with(&done, sizeof(data)));
	list[2] = &done;
	EXPECT_EQ(0, suspend_ms(list, 3, 5000, &err, &took));
	EXPECT_GT(500, took);
	EXPECT_EQ(0, at_pending_finish(&pd));
	close(fd);
}

/* Nothing to wait for (no entries, or only NULL ones): back promptly. */
TEST(nothing_to_wait_for)
{
	const struct aiocb *list[4] = { NULL, NULL, NULL, NULL };
	int r, err;
	double took;

	r = suspend_ms(list, 0, 5000, &err, &took);
	TH_LOG("nent 0: %d (%s) after %.1f ms", r, r ? strerror(err) : "ok", took);
	EXPECT_GT(1000, took);
	EXPECT_TRUE(r == 0 || err == EAGAIN || err == EINVAL);
	r = suspend_ms(list, 4, 5000, &err, &took);
	TH_LOG("4 NULL entries: %d (%s) after %.1f ms", r,
	       r ? strerror(err) : "ok", took);
	EXPECT_GT(1000, took);
	EXPECT_TRUE(r == 0 || err == EAGAIN || err == EINVAL);
}

/* A 50 ms timeout: -1/EAGAIN after 40 ms to 2 s; a zero one at once. */
TEST(timeout)
{
	struct at_pending pd;
	const struct aiocb *list[1];
	int i, err;
	double took;

	ASSERT_EQ(0, at_pending_start(&pd));
	list[0] = &pd.cb;
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-1, suspend_ms(list, 1, 50, &err, &took));
		EXPECT_EQ(EAGAIN, err);
		EXPECT_TRUE(took >= 40 && took < 2000) {
			TH_LOG("50 ms timeout took %.1f ms", took);
		}
	}
	EXPECT_EQ(-1, suspend_ms(list, 1, 0, &err, &took));
	EXPECT_EQ(EAGAIN, err);
	EXPECT_GT(1000, took);
	EXPECT_EQ(EINPROGRESS, aio_error(&pd.cb));
	EXPECT_EQ(0, at_pending_finish(&pd));
}

static volatile int alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/*
 * Thread @tid is asleep in the call it makes once *@calling is set (for
 * a few seconds at most): 0, or -1.
 */
static int asleep_in_call(int *calling, pid_t tid)
{
	if (at_poll_flag(calling, 1, AT_WAIT_MS))
		return -1;
	return vt_wait_asleep(tid, AT_WAIT_MS);
}

/*
 * A thread that, once thread @tid is asleep in aio_suspend(), sends
 * SIGALRM to the process (it blocks the signal itself) or writes @fd.
 */
struct poke {
	pid_t	tid;
	int	calling;	/* @tid calls aio_suspend() now */
	int	fd;		/* -1: the signal */
	double	at;		/* when it did, vt_now_ms() */
	int	asleep;		/* 0 if @tid was asleep before it did */
};

static void *poke_when_asleep(void *arg)
{
	struct poke *pk = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pk->asleep = asleep_in_call(&pk->calling, pk->tid);
	pk->at = vt_now_ms();
	if (pk->fd < 0)
		kill(getpid(), SIGALRM);
	else
		vt_write_full(pk->fd, "late", 4);
	return NULL;
}

/*
 * A signal for the process (not aimed at the waiting thread) whose
 * handler has no SA_RESTART, once the thread waits: -1/EINTR then, well
 * before the timeout.
 */
TEST(interrupted_by_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct poke pk = { .tid = syscall(SYS_gettid), .fd = -1 };
	struct at_pending pd;
	const struct aiocb *list[1];
	pthread_t t;
	int r, err;
	double took;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarms = 0;
	ASSERT_EQ(0, at_pending_start(&pd));
	list[0] = &pd.cb;
	ASSERT_EQ(0, pthread_create(&t, NULL, poke_when_asleep, &pk));
	__atomic_store_n(&pk.calling, 1, __ATOMIC_RELEASE);
	r = suspend_ms(list, 1, 5000, &err, &took);
	pthread_join(t, NULL);
	TH_LOG("returned %d (%s) after %.1f ms, %d signal(s)", r,
	       r ? strerror(err) : "ok", took, alarms);
	EXPECT_EQ(0, pk.asleep) TH_LOG("the waiter was not asleep: no wait to interrupt");
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, err);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(EINPROGRESS, aio_error(&pd.cb));
	EXPECT_EQ(0, at_pending_finish(&pd));
}

/*
 * The same signal when a thread waits in the kernel for the ring (here
 * the service thread, which a SIGEV_SIGNAL request starts) and its
 * bounded wait there ends at the moment the signal comes: a timer of
 * whole seconds set right after the first request lands there.  Still
 * -1/EINTR, not a wait that goes on (the signal consumed by a wake-up
 * that said nothing had happened).
 */
TEST(interrupted_by_signal_at_whole_seconds)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_sec = 1 } };
	struct at_pending pd;
	const struct aiocb *list[1];
	int r, err;
	double took;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	sa.sa_handler = SIG_IGN;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	alarms = 0;
	memset(pd.buf, 0, sizeof(pd.buf));
	ASSERT_EQ(0, at_pipe(pd.p));
	at_prep(&pd.cb, pd.p[0], pd.buf, 4, 0);
	pd.cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	pd.cb.aio_sigevent.sigev_signo = SIGUSR1;
	ASSERT_EQ(0, aio_read(&pd.cb));
	list[0] = &pd.cb;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	r = suspend_ms(list, 1, 6000, &err, &took);
	TH_LOG("returned %d (%s) after %.1f ms, %d signal(s)", r,
	       r ? strerror(err) : "ok", took, alarms);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, err);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(0, at_pending_finish(&pd));
}

/* A waiter wakes when the request completes, not at the timeout. */
TEST(wakes_on_completion)
{
	struct at_pending pd;
	struct poke pk = { .tid = syscall(SYS_gettid) };
	const struct aiocb *list[1];
	pthread_t t;
	int err;
	double took, back;

	ASSERT_EQ(0, at_pending_start(&pd));
	pk.fd = pd.p[1];
	list[0] = &pd.cb;
	ASSERT_EQ(0, pthread_create(&t, NULL, poke_when_asleep, &pk));
	__atomic_store_n(&pk.calling, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, suspend_ms(list, 1, 5000, &err, &took)) {
		TH_LOG("%s after %.1f ms", strerror(err), took);
	}
	back = vt_now_ms();
	pthread_join(t, NULL);
	EXPECT_EQ(0, pk.asleep) TH_LOG("the waiter was not asleep before the write");
	EXPECT_TRUE(back >= pk.at && back - pk.at < 2000) {
		TH_LOG("woke %.1f ms after the write", back - pk.at);
	}
	EXPECT_EQ(0, at_done_with(&pd.cb, 4));
	EXPECT_EQ(0, memcmp(pd.buf, "late", 4));
	close(pd.p[0]);
	close(pd.p[1]);
}

#define PIPES	3
#define WAITERS	4

struct waiter {
	pthread_barrier_t	*ready;
	const struct aiocb	*list[PIPES];
	int			n;
	pid_t			tid;
	int			calling;	/* aio_suspend() now */
	/* results */
	int			ret, err;
	volatile int		woke;	/* 1 + the round it woke in */
	double			at;
};

static volatile int round_now;

/* All of @n waiters asleep (in aio_suspend()), for a few seconds at most. */
static int all_asleep(struct waiter *w, int n)
{
	int i, r = 0;

	for (i = 0; i < n; i++)
		r |= asleep_in_call(&w[i].calling, w[i].tid);
	return r;
}

/* Wait (5 s at most) until one of the list is done. */
static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct timespec ts = at_ts(5000);

	w->tid = syscall(SYS_gettid);
	pthread_barrier_wait(w->ready);
	__atomic_store_n(&w->calling, 1, __ATOMIC_RELEASE);
	errno = 0;
	w->ret = aio_suspend(w->list, w->n, &ts);
	w->err = errno;
	w->at = vt_now_ms();
	__atomic_store_n(&w->woke, 1 + round_now, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Four threads wait on overlapping lists: {0,1}, {1,2}, {2,0}, {0,1,2}.
 * Completing the read on pipe 1 wakes the first, second and fourth; the
 * third wakes only when pipe 2's read completes.
 */
TEST(threads_on_overlapping_lists)
{
	static const int lists[WAITERS][PIPES] = {
		{ 0, 1, -1 }, { 1, 2, -1 }, { 2, 0, -1 }, { 0, 1, 2 },
	};
	struct at_pending pd[PIPES];
	struct waiter w[WAITERS];
	pthread_t t[WAITERS];
	pthread_barrier_t ready;
	int i, j;

	for (i = 0; i < PIPES; i++)
		ASSERT_EQ(0, at_pending_start(&pd[i]));
	pthread_barrier_init(&ready, NULL, WAITERS + 1);
	round_now = 0;
	for (i = 0; i < WAITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ready = &ready;
		for (j = 0; j < PIPES && lists[i][j] >= 0; j++)
			w[i].list[j] = &pd[lists[i][j]].cb;
		w[i].n = j;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	pthread_barrier_wait(&ready);
	EXPECT_EQ(0, all_asleep(w, WAITERS));
	for (i = 0; i < WAITERS; i++)
		EXPECT_EQ(0, w[i].woke);
	round_now = 1;
	ASSERT_EQ(0, vt_write_full(pd[1].p[1], "one!", 4));
	EXPECT_EQ(0, at_poll_flag(&w[0].woke, 1, 2000));
	EXPECT_EQ(0, at_poll_flag(&w[1].woke, 1, 2000));
	EXPECT_EQ(0, at_poll_flag(&w[3].woke, 1, 2000));
	vt_sleep_ms(100);
	EXPECT_EQ(0, w[2].woke) {
		TH_LOG("the waiter on {2, 0} woke for pipe 1 (%d, %s)",
		       w[2].ret, strerror(w[2].err));
	}
	round_now = 2;
	ASSERT_EQ(0, vt_write_full(pd[2].p[1], "two!", 4));
	EXPECT_EQ(0, at_poll_flag(&w[2].woke, 1, 2000));
	for (i = 0; i < WAITERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].ret) {
			TH_LOG("waiter %d: %s", i, strerror(w[i].err));
		}
		EXPECT_EQ(i == 2 ? 3 : 2, w[i].woke);
	}
	EXPECT_EQ(0, at_done_with(&pd[1].cb, 4));
	EXPECT_EQ(0, at_done_with(&pd[2].cb, 4));
	EXPECT_EQ(0, at_pending_finish(&pd[0]));
	for (i = 1; i < PIPES; i++) {
		close(pd[i].p[0]);
		close(pd[i].p[1]);
	}
}

#define SAME_WAITERS	8

/* Eight threads on the same request: one completion wakes them all. */
TEST(many_threads_one_request)
{
	struct at_pending pd;
	struct waiter w[SAME_WAITERS];
	pthread_t t[SAME_WAITERS];
	pthread_barrier_t ready;
	int i;

	ASSERT_EQ(0, at_pending_start(&pd));
	pthread_barrier_init(&ready, NULL, SAME_WAITERS + 1);
	round_now = 0;
	for (i = 0; i < SAME_WAITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ready = &ready;
		w[i].list[0] = &pd.cb;
		w[i].n = 1;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	pthread_barrier_wait(&ready);
	EXPECT_EQ(0, all_asleep(w, SAME_WAITERS));
	round_now = 1;
	ASSERT_EQ(0, vt_write_full(pd.p[1], "all!", 4));
	for (i = 0; i < SAME_WAITERS; i++) {
		EXPECT_EQ(0, at_poll_flag(&w[i].woke, 1, 2000));
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(2, w[i].woke);
	}
	EXPECT_EQ(0, at_done_with(&pd.cb, 4));
	close(pd.p[0]);
	close(pd.p[1]);
}

/* A waiter on a request that gets cancelled wakes up. */
TEST(wakes_on_cancel)
{
	char buf[2][8];
	struct aiocb cb[2];
	struct waiter w = { 0 };
	pthread_barrier_t ready;
	pthread_t t;
	int p[2], i;

	ASSERT_EQ(0, at_pipe(p));
	for (i = 0; i < 2; i++) {
		at_prep(&cb[i], p[0], buf[i], 4, 0);
		ASSERT_EQ(0, aio_read(&cb[i]));
	}
	pthread_barrier_init(&ready, NULL, 2);
	w.ready = &ready;
	w.list[0] = &cb[1];
	w.n = 1;
	round_now = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	pthread_barrier_wait(&ready);
	EXPECT_EQ(0, all_asleep(&w, 1));
	EXPECT_EQ(0, w.woke);
	round_now = 1;
	ASSERT_EQ(AIO_CANCELED, aio_cancel(p[0], &cb[1]));
	EXPECT_EQ(0, at_poll_flag(&w.woke, 1, 2000));
	pthread_join(t, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(ECANCELED, aio_error(&cb[1]));
	ASSERT_EQ(0, vt_write_full(p[1], "abcd", 4));
	EXPECT_EQ(0, at_done_with(&cb[0], 4));
	close(p[0]);
	close(p[1]);
}

AIO_TEST_MAIN
