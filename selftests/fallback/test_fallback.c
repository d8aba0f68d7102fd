// SPDX-License-Identifier: GPL-2.0
/*
 * A family whose kernel feature is missing falls back to glibc's own
 * functions, for the whole process.  io_uring is taken away from a child
 * with a seccomp filter (as Docker's default profile does, EPERM, or as a
 * kernel without it would, ENOSYS), then an ordinary AIO user runs with
 * the binder preloaded: its I/O must work, on glibc's functions.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"

/* Refuse io_uring_setup with @err; allow everything else. */
static int deny_io_uring(int err)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

struct run {
	int	status;
	char	out[4096];
	char	err[8192];
};

static void slurp(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
}

/* Run aio_user with the binder, io_uring refused with @err (0: allowed). */
static void run_user(struct run *r, int err, const char *variant)
{
	const char *build = getenv("VLIBC_BUILD");
	char prog[4096], preload[4200];
	int out[2], errp[2], st;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/selftests/fallback/aio_user", build);
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s/libvlibc.so", build);
	if (pipe(out) || pipe(errp))
		exit(99);
	pid = fork();
	if (pid == 0) {
		char *envp[] = { preload, "VLIBC_DEBUG=1", (char *)variant, NULL };
		char *argv[] = { prog, NULL };

		dup2(out[1], 1);
		dup2(errp[1], 2);
		if (err && deny_io_uring(err))
			_exit(98);
		alarm(20);
		execve(prog, argv, envp);
		_exit(97);
	}
	close(out[1]);
	close(errp[1]);
	slurp(out[0], r->out, sizeof(r->out));
	slurp(errp[0], r->err, sizeof(r->err));
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(io_uring_allowed_binds_vlibc)
{
	struct run r;

	run_user(&r, 0, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=binder")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.err, "family aio -> vlibc")) TH_LOG("%s", r.err);
}

TEST(io_uring_eperm_falls_back_to_glibc)
{
	struct run r;

	run_user(&r, EPERM, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
	/* Why: the family's own probe, or (image from a file) the binder
	 * mapped nothing under a filter. */
	EXPECT_TRUE(strstr(r.err, "io_uring is not available") ||
		    strstr(r.err, "a seccomp filter is in force")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "bind aio_write -> glibc")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.err, "bind aio_write -> vlibc")) TH_LOG("%s", r.err);
}

TEST(io_uring_enosys_falls_back_to_glibc)
{
	struct run r;

	run_user(&r, ENOSYS, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
}

TEST(variant_glibc_binds_glibc)
{
	struct run r;

	run_user(&r, 0, "VLIBC_AIO=glibc");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
}

TEST_HARNESS_MAIN
