// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO across process changes made while requests are in flight:
 * fork() from a SIGEV_THREAD notification function, execve() (from the
 * thread that submitted, or from a second thread while the first waits
 * in aio_suspend()), vfork() and posix_spawn().  The new program starts
 * cleanly and its own AIO works; a child that forked does AIO of its own
 * and exits; the parent's requests complete with their data (writes are
 * checked on the file); nothing hangs (every child has a deadline).
 *
 * "test_aio_spawn --after-exec" is the program the exec cases run: it
 * does AIO of its own and exits 0 if all went well.
 *
 * Without the binder (AIO_SELFTEST_REEXECUTED=1) the same cases check
 * glibc.  glibc 2.36 can hang in a fork child whose parent had an idle
 * AIO helper thread (see test_aio_fork.c): there a child's failure is
 * only logged.
 */
#include <pthread.h>
#include <spawn.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define CHILD_MS	10000
#define AFTER_EXEC	"--after-exec"

extern char **environ;

/*
 * A process's own AIO on a new file: write, aio_fsync, read back; a read
 * waiting on a pipe completes once it is written.  0, or the failing step.
 */
static int own_aio(void)
{
	unsigned char out[8192], in[8192];
	char pbuf[8] = { 0 };
	struct aiocb cb;
	int fd = at_tmpfile(0), p[2];

	if (fd < 0 || at_pipe(p))
		return 10;
	at_fill(out, sizeof(out), getpid(), 0);
	at_prep(&cb, fd, out, sizeof(out), 0);
	if (aio_write(&cb) || at_done_with(&cb, sizeof(out)))
		return 11;
	at_prep(&cb, fd, NULL, 0, 0);
	if (aio_fsync(O_SYNC, &cb) || at_done_with(&cb, 0))
		return 12;
	at_prep(&cb, fd, in, sizeof(in), 0);
	if (aio_read(&cb) || at_done_with(&cb, sizeof(in)) ||
	    memcmp(in, out, sizeof(in)))
		return 13;
	at_prep(&cb, p[0], pbuf, 4, 0);
	if (aio_read(&cb) || write(p[1], "mine", 4) != 4 ||
	    at_done_with(&cb, 4) || memcmp(pbuf, "mine", 4))
		return 14;
	close(p[0]);
	close(p[1]);
	close(fd);
	return 0;
}

/* The program the exec cases run: its own AIO, bounded by an alarm. */
static int after_exec_main(void)
{
	char path[4096];
	int r;

	alarm(CHILD_MS / 1000);
	r = own_aio();
	fprintf(stderr, "# after exec: own AIO %s, aio_read bound to %s\n",
		r ? "FAILED" : "fine", aio_owner("aio_read", path, sizeof(path)));
	return r;
}

/* --- the parent's requests in flight ---------------------------------------------- */

/* --- fork from a SIGEV_THREAD notification ------------------------------------------- */

static volatile int forked_status = -100, callback_done;

static int child_own_aio(void *unused)
{
	return own_aio();
}

/* The notification function: fork a child that does AIO, wait for it. */
static void fork_in_callback(union sigval v)
{
	forked_status = vt_run_child(child_own_aio, NULL, CHILD_MS);
	__atomic_store_n(&callback_done, 1, __ATOMIC_RELEASE);
}

/*
 * A SIGEV_THREAD function forks while the parent has reads waiting and a
 * large write in flight: the child does AIO of its own and exits 0; the
 * parent's requests complete.
 */
TEST(fork_from_sigev_thread_callback)
{
	char note[64] = "notify";
	struct aiocb cb;
	struct at_busy b;
	int fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_busy_start(&b, 21));
	at_prep(&cb, fd, note, sizeof(note), 0);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = fork_in_callback;
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_poll_flag(&callback_done, 1, CHILD_MS + 2000)) {
		TH_LOG("the notification function did not finish");
	}
	EXPECT_EQ(0, at_judge_child(forked_status, "child forked in a SIGEV_THREAD function"));
	EXPECT_EQ(0, at_done_with(&cb, sizeof(note)));
	EXPECT_EQ(0, at_busy_finish(&b, 21));
	close(fd);
}

/* --- exec -------------------------------------------------------------------------- */

static void exec_after(void)
{
	execl(vt_self_exe(), "test_aio_spawn", AFTER_EXEC, (char *)NULL);
}

/* Requests in flight in this process, then exec of the AIO program. */
static int child_busy_then_exec(void *unused)
{
	struct at_busy b;

	if (at_busy_start(&b, 21))
		return 30;
	exec_after();
	return 31;
}

/*
 * A process with reads waiting and a large write in flight execs a
 * program that does AIO of its own: it starts cleanly, its AIO works,
 * and it exits 0 in time.
 */
TEST(exec_with_requests_in_flight_runs_new_aio)
{
	int status = vt_run_child(child_busy_then_exec, NULL, CHILD_MS);

	EXPECT_EQ(0, at_judge_child(status, "exec'd program"));
}

struct exec_thread {
	pthread_barrier_t	ready;
};

static void *exec_from_thread(void *arg)
{
	struct exec_thread *et = arg;

	pthread_barrier_wait(&et->ready);
	vt_sleep_ms(50);	/* the first thread is in aio_suspend by now */
	exec_after();
	return NULL;
}

/*
 * The first thread has requests in flight and waits for them in
 * aio_suspend(); a second thread execs the AIO program meanwhile: the
 * waiting thread goes with the old image, the new program starts and
 * its AIO works.
 */
static int child_exec_from_second_thread(void *unused)
{
	struct exec_thread et;
	const struct aiocb *list[1];
	struct timespec ts = at_ts(CHILD_MS);
	struct at_busy b;
	pthread_t t;

	if (at_busy_start(&b, 21) || pthread_barrier_init(&et.ready, NULL, 2))
		return 40;
	if (pthread_create(&t, NULL, exec_from_thread, &et))
		return 41;
	list[0] = &b.rd[0];
	pthread_barrier_wait(&et.ready);
	aio_suspend(list, 1, &ts);	/* nothing writes the pipe */
	return 42;
}

TEST(exec_from_second_thread_while_first_waits)
{
	int status = vt_run_child(child_exec_from_second_thread, NULL, CHILD_MS);

	EXPECT_EQ(0, at_judge_child(status, "program exec'd by a second thread"));
}

/* --- vfork and posix_spawn ---------------------------------------------------------- */

/* vfork(): the child execs /bin/true, or (@just_exit) calls _exit(0). */
static int vfork_child(int just_exit)
{
	char *const argv[] = { "true", NULL };
	pid_t pid = vfork();

	if (pid == 0) {
		if (!just_exit)
			execve("/bin/true", argv, environ);
		_exit(just_exit ? 0 : 127);
	}
	return pid < 0 ? -2 : vt_wait_child(pid, CHILD_MS);
}

static int spawn_child(void)
{
	char *const argv[] = { "true", NULL };
	pid_t pid;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ))
		return -2;
	return vt_wait_child(pid, CHILD_MS);
}

enum spawn_how { SPAWN_VFORK_EXEC, SPAWN_VFORK_EXIT, SPAWN_POSIX_SPAWN };

/*
 * With reads waiting and a large write in flight, the parent starts
 * /bin/true (vfork() then execve(), vfork() then _exit(), posix_spawn()),
 * three times: each child exits 0, and the parent's requests complete
 * with their data.
 */
static void spawn_case(struct __test_metadata *_metadata, enum spawn_how how)
{
	struct at_busy b;
	int i, status;

	ASSERT_EQ(0, at_busy_start(&b, 21));
	for (i = 0; i < 3; i++) {
		status = how == SPAWN_POSIX_SPAWN ? spawn_child() :
			 vfork_child(how == SPAWN_VFORK_EXIT);
		EXPECT_EQ(0, status) {
			char what[64];

			TH_LOG("child %d: %s", i, vt_child_what(status, what, sizeof(what)));
		}
	}
	EXPECT_EQ(0, at_busy_finish(&b, 21));
	/* And the parent's AIO goes on. */
	EXPECT_EQ(0, own_aio());
}

TEST(vfork_exec_with_requests_in_flight)
{
	spawn_case(_metadata, SPAWN_VFORK_EXEC);
}

TEST(vfork_exit_with_requests_in_flight)
{
	spawn_case(_metadata, SPAWN_VFORK_EXIT);
}

TEST(posix_spawn_with_requests_in_flight)
{
	spawn_case(_metadata, SPAWN_POSIX_SPAWN);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], AFTER_EXEC))
		return after_exec_main();
	aio_reexec(argv);
	vt_self_exe();		/* read now, before any case forks */
	return test_harness_run(argc, argv);
}
