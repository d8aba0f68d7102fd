// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO while kernel.io_uring_disabled is switched on (2: nobody may
 * make a ring; 1: only processes with CAP_SYS_ADMIN), with requests in
 * flight.  A running process keeps its ring: its requests in flight
 * complete, and so do new ones.  A new process that may not make a ring
 * runs on glibc's functions (the family is not bound) and its requests
 * complete, as with VLIBC=off; a fork child of the running process, which
 * keeps its parent's decision but not its ring, completes its requests
 * on the fallback executor.
 *
 * test_aio_refuse covers value 2 with the ring's descriptor closed too.
 *
 * The sysctl is machine-wide and other programs run meanwhile, so it is
 * on for as short a time as the case allows, and put back to the value
 * read first: by the case itself, by the fixture's teardown (run by the
 * parent process, whatever became of the case), and by a guard process
 * that puts it back as soon as the case's process is gone (killed by
 * the harness's timeout, say).
 *
 * "test_aio_sysctl --probe" is the new process: it does AIO, prints
 * "bound=WHERE" (where aio_read is bound) and exits 0 if all went well.
 */
#include "kselftest_harness.h"
#include "aio_test.h"

#define PROBE		"--probe"
#define CHILD_MS	10000

/*
 * A process that writes @saved back as soon as every holder of the
 * returned descriptor (this process and its forks) is gone; -1 if none
 * could be started.  *@pid: the guard, to wait for once it is done.
 */
static int sysctl_guard(const char *saved, pid_t *pid_out)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	*pid_out = pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		setsid();
		while (read(p[0], &c, 1) != 0 && errno == EINTR)
			;
		_exit(at_sysctl_write(saved) ? 1 : 0);
	}
	close(p[0]);
	return p[1];
}

/* A process's own AIO: write, read back, a read waiting on a pipe.  0 if fine. */
static int own_aio(void)
{
	unsigned char out[4096], in[4096];
	char pbuf[8] = { 0 };
	struct aiocb cb;
	int fd = at_tmpfile(0), p[2];

	alarm(CHILD_MS / 1000);
	if (fd < 0 || at_pipe(p))
		return 2;
	at_fill(out, sizeof(out), 31, 0);
	at_prep(&cb, fd, out, sizeof(out), 0);
	if (aio_write(&cb) || at_done_with(&cb, sizeof(out)))
		return 3;
	at_prep(&cb, fd, in, sizeof(in), 0);
	if (aio_read(&cb) || at_done_with(&cb, sizeof(in)) ||
	    memcmp(in, out, sizeof(in)))
		return 4;
	at_prep(&cb, p[0], pbuf, 4, 0);
	if (aio_read(&cb) || write(p[1], "prob", 4) != 4 ||
	    at_done_with(&cb, 4) || memcmp(pbuf, "prob", 4))
		return 5;
	return 0;
}

/* The --probe program: its AIO, then where aio_read is bound. */
static int probe_main(void)
{
	char path[4096];
	int r = own_aio();

	printf("bound=%s\n", aio_owner("aio_read", path, sizeof(path)));
	return r;
}

static void become_nobody(void *unused)
{
	if (setgid(VT_NOBODY) || setuid(VT_NOBODY))
		_exit(126);
}

/*
 * Run the probe as a new process (with VLIBC=off when @off, as
 * @unprivileged): its exit status, and where aio_read was bound in
 * @where ("" if it said nothing).
 */
static int run_probe(int off, int unprivileged, char *where, size_t size)
{
	char *args[] = { PROBE, NULL };
	struct vt_self s = { .args = args, .set = { off ? "VLIBC=off" : NULL },
			     .child_setup = unprivileged ? become_nobody : NULL };
	struct vt_result r;
	char *bound;
	int status;

	vt_run_self(&r, &s);
	bound = vt_line_value(r.out, "bound");
	snprintf(where, size, "%s", bound ? bound : "");
	if (r.status)
		fprintf(stderr, "# probe failed (%d): %s", r.status, r.err);
	status = r.status;
	free(bound);
	vt_result_free(&r);
	return status;
}

/* A fork child's own AIO (the executor after a failed ring setup). */
static int child_aio(void *unused)
{
	char path[4096];
	int r = own_aio();

	fprintf(stderr, "# fork child: aio_read bound to %s\n",
		aio_owner("aio_read", path, sizeof(path)));
	return r;
}

/* A new write and read back, in this (running) process: 0 if fine. */
static int new_requests(int fd, unsigned long seed)
{
	unsigned char out[16384], in[16384];
	struct aiocb cb;

	at_fill(out, sizeof(out), seed, 0);
	at_prep(&cb, fd, out, sizeof(out), 0);
	if (aio_write(&cb) || at_done_with(&cb, sizeof(out)))
		return -1;
	at_prep(&cb, fd, in, sizeof(in), 0);
	if (aio_read(&cb) || at_done_with(&cb, sizeof(in)))
		return -1;
	return memcmp(in, out, sizeof(in)) ? -1 : 0;
}

FIXTURE(disabled) {
	char	saved[16];
	int	guard;
};

FIXTURE_VARIANT(disabled) {
	const char	*value;
};

FIXTURE_VARIANT_ADD(disabled, all) { .value = "2" };
FIXTURE_VARIANT_ADD(disabled, unprivileged) { .value = "1" };

FIXTURE_SETUP(disabled)
{
	self->guard = -1;
	if (at_sysctl_read(self->saved, sizeof(self->saved)) || access(AT_SYSCTL_PATH, W_OK))
		SKIP(return, AT_SYSCTL_PATH " cannot be read and written here");
	if (strcmp(self->saved, "0"))
		SKIP(return, "io_uring is disabled already (%s)", self->saved);
}

/* In the parent process: whatever became of the case. */
FIXTURE_TEARDOWN_PARENT(disabled)
{
	char now[16];

	if (!self->saved[0])
		return;
	if (!at_sysctl_read(now, sizeof(now)) && strcmp(now, self->saved)) {
		EXPECT_EQ(0, at_sysctl_write(self->saved));
		TH_LOG("%s was %s after the case: put back to %s", AT_SYSCTL_PATH,
		       now, self->saved);
	}
}

/*
 * The running process keeps its ring and requests; a new process falls
 * back to glibc's functions (value 1: one without CAP_SYS_ADMIN; one
 * with it still gets the ring); a fork child uses the executor.
 */
TEST_F(disabled, running_keeps_ring_new_process_falls_back)
{
	char where[4096], where_root[4096], where_off[4096], now[16];
	int fd = at_tmpfile(0), status, probe, probe_off, probe_root = 0;
	int all = !strcmp(variant->value, "2");
	struct at_busy b;
	pid_t guard;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, new_requests(fd, 1));	/* the ring exists (vlibc) */
	ASSERT_EQ(0, at_busy_start(&b, 32));
	self->guard = sysctl_guard(self->saved, &guard);
	ASSERT_LE(0, self->guard);

	/* --- the window: as short as possible --- */
	ASSERT_EQ(0, at_sysctl_write(variant->value));
	EXPECT_EQ(0, new_requests(fd, 2));
	probe = run_probe(0, !all, where, sizeof(where));
	probe_off = run_probe(1, !all, where_off, sizeof(where_off));
	if (!all)
		probe_root = run_probe(0, 0, where_root, sizeof(where_root));
	status = vt_run_child(child_aio, NULL, CHILD_MS);
	EXPECT_EQ(0, at_sysctl_write(self->saved));
	/* --- over --- */

	close(self->guard);
	/* Done before the next case switches it on again. */
	EXPECT_EQ(0, vt_wait_child(guard, CHILD_MS));
	ASSERT_EQ(0, at_sysctl_read(now, sizeof(now)));
	EXPECT_STREQ(self->saved, now);
	EXPECT_EQ(0, probe);
	EXPECT_EQ(0, probe_off);
	TH_LOG("io_uring_disabled=%s: new %sprocess: aio_read bound to %s (VLIBC=off: %s)",
	       variant->value, all ? "" : "unprivileged ", where, where_off);
	/* A process that may not make a ring keeps glibc's functions. */
	if (aio_on_vlibc())
		EXPECT_STREQ("glibc", where);
	if (!all) {
		EXPECT_EQ(0, probe_root);
		TH_LOG("io_uring_disabled=1: new process as root: aio_read bound to %s",
		       where_root);
		if (aio_on_vlibc())
			EXPECT_STRNE("glibc", where_root);
	}
	/* glibc 2.36 hangs in a fork child after AIO (see test_aio_fork.c). */
	if (aio_on_vlibc()) {
		EXPECT_EQ(0, status) {
			TH_LOG("fork child's AIO: %d", status);
		}
	} else if (status) {
		TH_LOG("glibc: fork child's AIO: %d (glibc 2.36's fork problem; only logged)",
		       status);
	}
	EXPECT_EQ(0, at_busy_finish(&b, 32));
	EXPECT_EQ(0, new_requests(fd, 3));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], PROBE))
		return probe_main();
	aio_reexec(argv);
	return test_harness_run(argc, argv);
}
