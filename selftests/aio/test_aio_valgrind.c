// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO in a program run by Valgrind (memcheck) with the binder
 * preloaded.  Valgrind 3.19 runs io_uring_enter() as a call that never
 * blocks: a thread waiting in it for a completion keeps Valgrind's big
 * lock, so no other thread runs again and even SIGTERM is not delivered.
 * The program must finish as it does without the binder: a read from a
 * file, and a read from a pipe that only the main thread, after
 * submitting it, can satisfy.  Skipped when valgrind is not installed.
 */
#include "kselftest_harness.h"
#include "aio_test.h"

#define VALGRIND	"/usr/bin/valgrind"
#define CHILD_ARG	"--aio-under-valgrind"
#define RUN_SECONDS	90	/* a watchdog against the hang, not a speed limit */

extern char **environ;

/*
 * A zeroed aiocb, as many programs make one: SIGEV_SIGNAL with signal 0,
 * a notification (none is sent), for which vlibc starts its service thread.
 */
static void prep_zeroed(struct aiocb *cb, int fd, void *buf, size_t len, off_t off)
{
	at_prep(cb, fd, buf, len, off);
	cb->aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb->aio_sigevent.sigev_signo = 0;
}

/* aio_suspend() without a timeout until @cb is done, as many programs wait. */
static void wait_for(struct aiocb *cb)
{
	const struct aiocb *list[1] = { cb };

	while (aio_error(cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
}

/* What runs under Valgrind: 0, or the step that went wrong. */
static int aio_workload(void)
{
	char buf[64], pbuf[8] = { 0 };
	struct aiocb cb, pcb;
	int fd, p[2], i;

	fd = at_tmpfile(O_RDWR);
	if (fd < 0 || at_pwrite_full(fd, "valgrind", 8, 0))
		return 1;
	prep_zeroed(&cb, fd, buf, sizeof(buf), 0);
	if (aio_read(&cb))
		return 2;
	wait_for(&cb);
	if (at_done_with(&cb, 8))
		return 2;
	if (at_pipe(p))
		return 3;
	prep_zeroed(&pcb, p[0], pbuf, 4, 0);
	if (aio_read(&pcb))
		return 4;
	if (vt_write_full(p[1], "pipe", 4))
		return 5;
	wait_for(&pcb);
	if (at_done_with(&pcb, 4) || memcmp(pbuf, "pipe", 4))
		return 6;
	/* Reads of files this program did not write, with pauses. */
	for (i = 0; i < 20; i++) {
		int efd = open(i & 1 ? "/proc/self/exe" : "/etc/passwd", O_RDONLY);

		prep_zeroed(&cb, efd, buf, sizeof(buf), 4096 * i);
		if (efd < 0 || aio_read(&cb))
			return 7;
		wait_for(&cb);
		if (aio_return(&cb) < 0)
			return 8;
		close(efd);
		vt_sleep_ms(10);
	}
	printf("aio under valgrind: done\n");
	return 0;
}

FIXTURE(valgrind) {
	int unused;
};

FIXTURE_SETUP(valgrind)
{
}

FIXTURE_TEARDOWN(valgrind)
{
}

TEST_F_TIMEOUT(valgrind, aio_completes, RUN_SECONDS + 30)
{
	char *exe = (char *)vt_self_exe(), what[64];
	pid_t pid;
	int status;

	if (access(VALGRIND, X_OK))
		SKIP(return, "valgrind is not installed");
	if (!at_binder_bound())
		SKIP(return, "the binder is not loaded");
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { VALGRIND, "-q", "--error-exitcode=99", exe, CHILD_ARG, NULL };

		/* The environment preloads the binder (see aio_reexec()). */
		execve(VALGRIND, argv, environ);
		_exit(127);
	}
	status = vt_wait_child(pid, RUN_SECONDS * 1000.0);
	EXPECT_EQ(0, status) {
		TH_LOG("valgrind run: %s", vt_child_what(status, what, sizeof(what)));
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], CHILD_ARG))
		return aio_workload();
	aio_reexec(argv);
	return test_harness_run(argc, argv);
}
