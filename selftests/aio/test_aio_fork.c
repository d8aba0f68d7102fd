// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO across fork and exec.  A child forked while the parent has
 * requests in flight starts clean: it can do AIO of its own at once, it
 * does not see or cancel the parent's requests, and the parent's
 * requests complete normally.  exec leaves nothing behind (no descriptor,
 * no hang).  A _Fork() child is set up as a fork() child.
 *
 * glibc 2.36 hangs in such a child when the parent had an idle AIO helper
 * thread at fork (the child hands its request to a thread that does not
 * exist in it): under glibc the child's failure is only logged, under
 * vlibc it fails the case.  Children run with a deadline.
 *
 * "test_aio_fork --fds LIST" is the program a case execs: it exits 0 if
 * it has no descriptor open outside LIST (comma-separated numbers).
 */
#include <dirent.h>
#include <pthread.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define CHILD_MS	3000	/* a child's own AIO must be done by then */

/* A child's own AIO on a new file: write, suspend, read back.  0 if fine. */
static int own_aio(int rounds)
{
	unsigned char out[4096], in[4096];
	struct aiocb cb;
	const struct aiocb *list[1] = { &cb };
	struct timespec ts = at_ts(CHILD_MS);
	int fd = at_tmpfile(0), i;

	if (fd < 0)
		return 10;
	for (i = 0; i < rounds; i++) {
		at_fill(out, sizeof(out), getpid() + i, 0);
		at_prep(&cb, fd, out, sizeof(out), i * sizeof(out));
		if (aio_write(&cb))
			return 11;
		if (aio_error(&cb) == EINPROGRESS && aio_suspend(list, 1, &ts))
			return 12;
		if (aio_error(&cb) || aio_return(&cb) != sizeof(out))
			return 13;
		memset(in, 0, sizeof(in));
		at_prep(&cb, fd, in, sizeof(in), i * sizeof(in));
		if (aio_read(&cb))
			return 14;
		if (aio_error(&cb) == EINPROGRESS && aio_suspend(list, 1, &ts))
			return 15;
		if (aio_return(&cb) != sizeof(in) || memcmp(in, out, sizeof(in)))
			return 16;
	}
	close(fd);
	return 0;
}

static int child_own_aio(void *arg)
{
	return own_aio(1);
}

struct in_flight {
	int		p[2];
	char		buf[2][8];
	struct aiocb	cb[2];
};

/* Two reads waiting on an empty pipe. */
static int in_flight_start(struct in_flight *f)
{
	int i;

	memset(f->buf, 0, sizeof(f->buf));
	if (at_pipe(f->p))
		return -1;
	for (i = 0; i < 2; i++) {
		at_prep(&f->cb[i], f->p[0], f->buf[i], 4, 0);
		if (aio_read(&f->cb[i]))
			return -1;
	}
	return 0;
}

/* Still pending, then complete with the data written now.  0 if so. */
static int in_flight_finish(struct in_flight *f)
{
	int i, failed = 0;

	for (i = 0; i < 2; i++)
		if (aio_error(&f->cb[i]) != EINPROGRESS) {
			fprintf(stderr, "# parent's read %d no longer pending: %d\n",
				i, aio_error(&f->cb[i]));
			failed++;
		}
	if (vt_write_full(f->p[1], "abcdefgh", 8))
		return -1;
	for (i = 0; i < 2; i++)
		failed += !!at_done_with(&f->cb[i], 4);
	if (memcmp(f->buf[0], "abcd", 4) && memcmp(f->buf[0], "efgh", 4))
		failed++;
	close(f->p[0]);
	close(f->p[1]);
	return failed;
}

/* A completed request just before fork (glibc: an idle helper thread). */
static int one_done_request(void)
{
	char data[64] = "warm";
	struct aiocb cb;
	int fd = at_tmpfile(0), r;

	if (fd < 0)
		return -1;
	at_prep(&cb, fd, data, sizeof(data), 0);
	r = aio_write(&cb) || at_done_with(&cb, sizeof(data));
	close(fd);
	return r ? -1 : 0;
}

/*
 * The parent has reads in flight (and one request just done); the child
 * does AIO of its own at once and exits; the parent's reads are still
 * pending, then complete normally.
 */
TEST(child_does_aio_while_parent_has_requests)
{
	struct in_flight f;
	int status;

	ASSERT_EQ(0, in_flight_start(&f));
	ASSERT_EQ(0, one_done_request());
	status = vt_run_child(child_own_aio, NULL, CHILD_MS + 1000);
	EXPECT_EQ(0, at_judge_child(status, "child doing AIO after fork"));
	EXPECT_EQ(0, in_flight_finish(&f));
}

struct cancel_probe {
	int	fd;
};

/* The child has no requests: cancelling on the inherited pipe finds none. */
static int child_cancels(void *arg)
{
	struct cancel_probe *cp = arg;
	int r = aio_cancel(cp->fd, NULL);

	if (r != AIO_ALLDONE) {
		fprintf(stderr, "# child: aio_cancel(inherited pipe, NULL) = %d\n", r);
		return 20 + r;
	}
	return own_aio(1);
}

/*
 * A child's aio_cancel on a descriptor it inherited finds nothing to
 * cancel (AIO_ALLDONE) and does not touch the parent's requests.
 */
TEST(child_cannot_cancel_parent_requests)
{
	struct in_flight f;
	struct cancel_probe cp;
	int status;

	ASSERT_EQ(0, in_flight_start(&f));
	cp.fd = f.p[0];
	status = vt_run_child(child_cancels, &cp, CHILD_MS + 1000);
	EXPECT_EQ(0, at_judge_child(status, "child cancelling on an inherited pipe"));
	EXPECT_EQ(0, in_flight_finish(&f));
}

#define BOTH_ROUNDS	200

static int child_many_rounds(void *arg)
{
	return own_aio(BOTH_ROUNDS);
}

/*
 * After the parent used AIO, parent and child each do 200 rounds of
 * write and read at the same time: neither sees the other's completions.
 */
TEST(parent_and_child_at_once)
{
	int status, mine;
	pid_t pid;
	double end;

	ASSERT_EQ(0, one_done_request());
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_many_rounds(NULL));
	mine = own_aio(BOTH_ROUNDS);
	end = vt_now_ms() + CHILD_MS + 2000;
	while (waitpid(pid, &status, WNOHANG) == 0 && vt_now_ms() < end)
		vt_sleep_ms(2);
	if (vt_now_ms() >= end) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		status = VT_CHILD_TIMEOUT;
	} else {
		status = WIFEXITED(status) ? WEXITSTATUS(status) :
			 128 + WTERMSIG(status);
	}
	EXPECT_EQ(0, mine) {
		TH_LOG("the parent's own AIO failed (step %d)", mine);
	}
	EXPECT_EQ(0, at_judge_child(status, "child doing AIO alongside its parent"));
}

struct waiting_thread {
	struct aiocb	*cb;
	int		ret;
};

static void *wait_in_suspend(void *arg)
{
	struct waiting_thread *wt = arg;
	const struct aiocb *list[1] = { wt->cb };
	struct timespec ts = at_ts(5000);

	wt->ret = aio_suspend(list, 1, &ts);
	return NULL;
}

/*
 * Fork while another thread sits in aio_suspend: the child is not stuck
 * on anything that thread held; the thread wakes when its read completes.
 */
TEST(fork_while_a_thread_waits)
{
	struct waiting_thread wt = { .ret = -2 };
	struct in_flight f;
	pthread_t t;
	int status;

	ASSERT_EQ(0, in_flight_start(&f));
	wt.cb = &f.cb[0];
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_in_suspend, &wt));
	vt_sleep_ms(50);
	status = vt_run_child(child_own_aio, NULL, CHILD_MS + 1000);
	EXPECT_EQ(0, at_judge_child(status, "child forked while a thread waits"));
	EXPECT_EQ(0, in_flight_finish(&f));
	pthread_join(t, NULL);
	EXPECT_EQ(0, wt.ret);
}

/* --- exec ------------------------------------------------------------------------------ */

/* "3,4,": the descriptors open now and inherited across exec. */
static void inheritable_fds(char *out, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t used = 0;

	out[0] = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
			continue;
		used += snprintf(out + used, size - used, "%d,", fd);
		if (used >= size)
			break;
	}
	closedir(d);
}

/* Is @fd one of the comma-terminated numbers in @list? */
static int fd_listed(const char *list, int fd)
{
	char key[32];
	int len = snprintf(key, sizeof(key), "%d,", fd);

	while (list && *list) {
		if (!strncmp(list, key, len))
			return 1;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return 0;
}

/* The --fds program: 0 if every open descriptor is in @allowed. */
static int fds_main(const char *allowed)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char key[32];
	int extra = 0;

	if (!d)
		return 2;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		char link[256] = "";

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (fd_listed(allowed, fd))
			continue;
		snprintf(key, sizeof(key), "/proc/self/fd/%d", fd);
		if (readlink(key, link, sizeof(link) - 1) < 0)
			snprintf(link, sizeof(link), "?");
		fprintf(stderr, "# after exec: descriptor %d (%s) left open\n",
			fd, link);
		extra++;
	}
	closedir(d);
	return extra ? 1 : 0;
}

struct exec_plan {
	const char	*what;	/* "true" or "fds" */
};

/* Requests in flight (pending reads, a file write), then exec. */
static int child_submit_then_exec(void *arg)
{
	struct exec_plan *plan = arg;
	static char fds[4096];
	char data[4096] = "exec";
	struct in_flight f;
	struct aiocb wr;
	int fd;

	inheritable_fds(fds, sizeof(fds));
	fd = at_tmpfile(0);
	if (fd < 0 || in_flight_start(&f))
		return 30;
	at_prep(&wr, fd, data, sizeof(data), 0);
	if (aio_write(&wr))
		return 31;
	if (!strcmp(plan->what, "true"))
		execl("/bin/true", "true", (char *)NULL);
	else
		execl("/proc/self/exe", "test_aio_fork", "--fds", fds, (char *)NULL);
	return 32;
}

/* A child with requests in flight execs /bin/true: it exits 0, promptly. */
TEST(exec_with_requests_in_flight)
{
	struct exec_plan plan = { .what = "true" };
	struct in_flight f;
	int status;
	char how[64];

	ASSERT_EQ(0, in_flight_start(&f));
	status = vt_run_child(child_submit_then_exec, &plan, CHILD_MS + 1000);
	EXPECT_EQ(0, status) {
		TH_LOG("child: %s", vt_child_what(status, how, sizeof(how)));
	}
	EXPECT_EQ(0, in_flight_finish(&f));
}

/*
 * After exec, the new program has no descriptor the AIO implementation
 * opened (its ring must be close-on-exec): only what was inheritable
 * before the child's first request.
 */
TEST(exec_leaves_no_descriptor)
{
	struct exec_plan plan = { .what = "fds" };
	int status;
	char how[64];

	status = vt_run_child(child_submit_then_exec, &plan, CHILD_MS + 1000);
	EXPECT_EQ(0, status) {
		TH_LOG("child: %s", vt_child_what(status, how, sizeof(how)));
	}
}

/*
 * _Fork() runs no fork handler; the binder runs its own around it, so
 * that the child has what a fork() child has: the parent's ring is not
 * inherited, a write to a pipe without a reader ends with EPIPE (on the
 * ring it would raise SIGPIPE and kill the child), and a SIGEV_SIGNAL
 * notification comes while the child does not call in.
 */
static volatile int fork_signals;

static void on_fork_signal(int sig)
{
	fork_signals++;
}

static int child_after__fork(int parent_ring)
{
	static char in[8];
	struct aiocb rd, wr;
	int p[2], q[2];

	if (parent_ring >= 0 && at_find_ring_fd() == parent_ring)
		return 2;
	if (at_pipe(p) || at_pipe(q) || signal(SIGUSR1, on_fork_signal) == SIG_ERR)
		return 3;
	close(q[0]);
	at_prep(&wr, q[1], "lost", 4, 0);
	if (aio_write(&wr) || at_wait(&wr, CHILD_MS) || aio_error(&wr) != EPIPE)
		return 4;
	at_prep(&rd, p[0], in, 5, 0);
	rd.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	rd.aio_sigevent.sigev_signo = SIGUSR1;
	if (aio_read(&rd))
		return 5;
	vt_sleep_ms(50);
	if (write(p[1], "hello", 5) != 5)
		return 6;
	/* Not calling in: the notification must come by itself. */
	if (at_poll_flag(&fork_signals, 1, CHILD_MS))
		return 7;
	return aio_error(&rd) || aio_return(&rd) != 5 ? 8 : 0;
}

TEST(_Fork_child_as_fork_child)
{
	int ring, status;
	pid_t pid;

	ASSERT_EQ(0, own_aio(1));
	ring = at_find_ring_fd();
	pid = _Fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_after__fork(ring));
	status = vt_wait_child(pid, 3 * CHILD_MS);
	EXPECT_EQ(0, at_judge_child(status, "_Fork() child"));
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--fds"))
		return fds_main(argv[2]);
	aio_reexec(argv);
	return test_harness_run(argc, argv);
}
