// SPDX-License-Identifier: GPL-2.0
/*
 * An unmodified Debian program that uses POSIX AIO under vlibc-run:
 * stress-ng's aio workers rewrite their process title over argv and the
 * environment strings before their first AIO call, and the binder must
 * still see VLIBC=off and VLIBC_DEBUG there.
 *
 * The case first asks a probe (aio_probe, run under vlibc-run) where the
 * binder binds the AIO names: the family must be bound to vlibc whenever
 * io_uring works here, and wholly (no name left on glibc).
 *
 * fio (posixaio, crc32c verification) and stress-ng's own runs (--aio with
 * the locks stressors) are real-program tests of make check-apps:
 * selftests/apps/test_stress.sh.
 *
 * stress-ng's files live in a new directory on a disk filesystem (ext4,
 * xfs or btrfs): $VLIBC_BUILD, else $TMPDIR, /var/tmp, /tmp.
 * STRESS_NG=path chooses the program (default: found in $PATH); the case
 * is skipped only when it is not installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vlibc_test.h"

#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
#define STRESS_LIMIT	25	/* the limit of a stress-ng run */

#ifndef BTRFS_SUPER_MAGIC
#define BTRFS_SUPER_MAGIC	0x9123683e
#endif
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC		0x58465342
#endif

/* --- running a client -------------------------------------------------- */

struct client_run {
	int	status;		/* exit code; 128 + N if killed by signal N */
	int	timed_out;
	char	*out;
	char	*err;
};

static void client_exec(char *const argv[], char *const envp[], int out, int err)
{
	int null = open("/dev/null", O_RDONLY);

	/* Its own process group: a timeout kills fio's job processes too. */
	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	execve(argv[0], argv, envp);
	dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for @pid at most @seconds, then kill its process group. */
static int wait_bounded(pid_t pid, unsigned int seconds, int *timed_out)
{
	double deadline = now_seconds() + seconds;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int status = 0;
	pid_t r;

	*timed_out = 0;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (now_seconds() > deadline) {
			*timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);	/* anything of it still around */
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void client_run(struct client_run *r, char *const argv[],
		       char *const envp[], unsigned int seconds)
{
	int out = memfd_create("client-stdout", MFD_CLOEXEC);
	int err = memfd_create("client-stderr", MFD_CLOEXEC);
	pid_t pid;

	*r = (struct client_run){ .status = -1 };
	if (out < 0 || err < 0)
		abort();
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		client_exec(argv, envp, out, err);
	if (pid > 0)
		r->status = wait_bounded(pid, seconds, &r->timed_out);
	r->out = vt_read_fd(out, NULL);
	r->err = vt_read_fd(err, NULL);
	close(out);
	close(err);
}

static void client_run_free(struct client_run *r)
{
	free(r->out);
	free(r->err);
	*r = (struct client_run){ 0 };
}

/* Print a client's output as TAP comments, for a failing case. */
static void show_output(const char *what, const char *text)
{
	const char *line, *end;
	int n = 0;

	for (line = text; line && *line && n < 60; line = end ? end + 1 : NULL, n++) {
		end = strchr(line, '\n');
		fprintf(stderr, "#   %s: %.*s\n", what,
			(int)(end ? end - line : (long)strlen(line)), line);
	}
}

/* The environment of a client: PATH, LC_ALL=C and @extra (NULL-ended). */
static char **client_env(const char *extra[])
{
	const char *path = getenv("PATH");
	char **env = vt_nonnull(calloc(16, sizeof(*env)));
	int n = 0;

	env[n++] = vt_strf("PATH=%s", path && *path ? path : DEFAULT_PATH);
	env[n++] = vt_strf("LC_ALL=C");
	for (; extra && *extra && n < 15; extra++)
		env[n++] = vt_strf("%s", *extra);
	return env;
}

/* Environment under vlibc-run: this build's image, the binder talking. */
static char **vlibc_env(void)
{
	char *image = vt_build_path("linux-vlibc.so.1");
	char *image_var = vt_strf("VLIBC_IMAGE=%s", image);
	const char *extra[] = { image_var, "VLIBC_DEBUG=1", NULL };

	free(image);
	return client_env(extra);
}

/* $@var if set, else @name found in $PATH; NULL if not executable. */
static char *find_program(const char *var, const char *name)
{
	const char *path = getenv(var), *dir, *end;

	if (path && *path)
		return access(path, X_OK) ? NULL : vt_strf("%s", path);
	path = getenv("PATH");
	if (!path || !*path)
		path = DEFAULT_PATH;
	for (dir = path; dir; dir = end ? end + 1 : NULL) {
		char *candidate;

		end = strchr(dir, ':');
		candidate = vt_strf("%.*s/%s", (int)(end ? end - dir : (long)strlen(dir)),
				    dir, name);
		if (*dir != ':' && *dir && !access(candidate, X_OK))
			return candidate;
		free(candidate);
	}
	return NULL;
}

/* --- the directory on disk --------------------------------------------- */

static const char *disk_fs_name(long type)
{
	switch ((unsigned long)type) {
	case EXT4_SUPER_MAGIC:	return "ext2/3/4";
	case XFS_SUPER_MAGIC:	return "xfs";
	case BTRFS_SUPER_MAGIC:	return "btrfs";
	}
	return NULL;
}

/* First of the candidates on a disk filesystem; NULL if none. */
static const char *disk_parent(const char **fs)
{
	static char build[PATH_MAX];
	const char *candidates[] = { build, getenv("TMPDIR"), "/var/tmp", "/tmp" };
	char *b = vt_build_path("");
	struct statfs st;
	size_t i;

	snprintf(build, sizeof(build), "%s", b);
	free(b);
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (!candidates[i] || !*candidates[i] || statfs(candidates[i], &st))
			continue;
		*fs = disk_fs_name(st.f_type);
		if (*fs && !access(candidates[i], W_OK))
			return candidates[i];
	}
	return NULL;
}

/* --- where the AIO family is bound ------------------------------------- */

enum aio_binding {
	AIO_UNKNOWN,		/* the binder has no AIO names (yet) */
	AIO_GLIBC,		/* it has, but io_uring is not available */
	AIO_ON_VLIBC,
};

static const char *const aio_probe_names[] = {
	"aio_read", "aio_write", "aio_error", "aio_return", "aio_suspend",
	"aio_cancel", "aio_fsync", "lio_listio", "aio_init",
	"aio_read64", "aio_write64", "aio_error64", "aio_return64",
	"aio_suspend64", "aio_cancel64", "aio_fsync64", "lio_listio64",
};

static int io_uring_works(void)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Lines of @text starting with @prefix and containing @needle, joined. */
static char *grep_lines(const char *text, const char *prefix, const char *needle)
{
	char *all = vt_strf("%s", "");
	const char *line, *end;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		int len;
		char *l, *joined;

		end = strchr(line, '\n');
		len = end ? end - line : (int)strlen(line);
		l = vt_nonnull(strndup(line, len));
		if (!strncmp(l, prefix, strlen(prefix)) && strstr(l, needle)) {
			joined = vt_strf("%s%s%s", all, *all ? "; " : "", l);
			free(all);
			all = joined;
		}
		free(l);
	}
	return all;
}

/* Is @name one of the AIO family's names? */
static int aio_name(const char *name, size_t len)
{
	return (len > 4 && !strncmp(name, "aio_", 4)) ||
	       (len > 4 && !strncmp(name, "lio_", 4));
}

/* "vlibc: bind NAME -> vlibc|glibc ..." lines of @err for AIO names. */
static void count_aio_binds(const char *err, int *to_vlibc, int *to_glibc)
{
	const char *line, *end;

	*to_vlibc = *to_glibc = 0;
	for (line = err; line && *line; line = end ? end + 1 : NULL) {
		const char *name = line + strlen("vlibc: bind "), *arrow;

		end = strchr(line, '\n');
		if (strncmp(line, "vlibc: bind ", strlen("vlibc: bind ")))
			continue;
		arrow = strstr(name, " -> ");
		if (!arrow || (end && arrow > end) || !aio_name(name, arrow - name))
			continue;
		if (!strncmp(arrow + 4, "vlibc", 5))
			(*to_vlibc)++;
		else if (!strncmp(arrow + 4, "glibc", 5))
			(*to_glibc)++;
	}
}

/*
 * Where the binder binds the AIO names: fails the case when the family is
 * bound partly, or fell back to glibc although io_uring works here.
 * @why receives what the binder said about the family.
 */
static enum aio_binding aio_binding(struct __test_metadata *_metadata,
				    char *why, size_t why_len)
{
	char *probe = vt_build_path("selftests/clients/aio_probe");
	char *run = vt_build_path("vlibc-run");
	char *argv[] = { run, probe, NULL };
	char **env = vlibc_env();
	int vlibc = 0, glibc = 0, unknown = 0, other = 0;
	struct client_run r;
	char *family;
	size_t i;

	client_run(&r, argv, env, 10);
	if (r.status) {
		show_output("probe stdout", r.out);
		show_output("probe stderr", r.err);
	}
	ASSERT_EQ(0, r.status) TH_LOG("%s under %s failed", probe, run);
	for (i = 0; i < sizeof(aio_probe_names) / sizeof(aio_probe_names[0]); i++) {
		char *v = vt_line_value(r.out, aio_probe_names[i]);

		ASSERT_NE(NULL, v) TH_LOG("probe did not report %s", aio_probe_names[i]);
		vlibc += !strcmp(v, "vlibc");
		glibc += !strcmp(v, "glibc");
		unknown += !strcmp(v, "unknown");
		other += !strcmp(v, "other");
		free(v);
	}
	family = grep_lines(r.err, "vlibc: ", "aio");
	if (!*family) {
		free(family);
		family = grep_lines(r.err, "vlibc: no image", "");
	}
	snprintf(why, why_len, "%s", *family ? family : "the binder has no AIO names");
	free(family);
	if (other || (vlibc && (glibc || unknown)))
		show_output("probe", r.out);
	ASSERT_EQ(0, other) TH_LOG("AIO names bound outside vlibc and libc.so.6");
	ASSERT_TRUE(!vlibc || (!glibc && !unknown))
		TH_LOG("the AIO family is bound partly: %d names to vlibc, %d to glibc, %d unknown to the binder",
		       vlibc, glibc, unknown);
	if (glibc && io_uring_works())
		TH_LOG("the binder has the AIO family, io_uring works here, yet it fell back to glibc: %s",
		       why);
	ASSERT_TRUE(!glibc || !io_uring_works());
	client_run_free(&r);
	free(probe);
	free(run);
	if (vlibc)
		return AIO_ON_VLIBC;
	return glibc ? AIO_GLIBC : AIO_UNKNOWN;
}

/* --- stress-ng ---------------------------------------------------------- */

FIXTURE(stress) {
	char	stress_ng[PATH_MAX];
	char	dir[PATH_MAX];
};

FIXTURE_SETUP(stress)
{
	char *prog = find_program("STRESS_NG", "stress-ng"), *dir;
	const char *parent, *fs;

	if (!prog)
		SKIP(return, "stress-ng is not installed (STRESS_NG=path chooses one; scripts/bootstrap installs it)");
	snprintf(self->stress_ng, sizeof(self->stress_ng), "%s", prog);
	free(prog);
	parent = disk_parent(&fs);
	if (!parent)
		SKIP(return, "no writable directory on ext4, xfs or btrfs");
	dir = vt_mkdtemp(parent);
	ASSERT_NE(NULL, dir);
	snprintf(self->dir, sizeof(self->dir), "%s", dir);
	free(dir);
}

FIXTURE_TEARDOWN_PARENT(stress)
{
	if (self->dir[0])
		vt_rm_rf(self->dir);
}

/*
 * A client that rewrites its process title before its first AIO call
 * (stress-ng's workers do) still gets the environment it started with:
 * VLIBC=off keeps glibc and VLIBC_DEBUG still talks.
 */
TEST_F_TIMEOUT(stress, env_after_proctitle, 30)
{
	char *run = vt_build_path("vlibc-run");
	char *temp = vt_strf("--temp-path=%s", self->dir);
	char *argv[] = { run, self->stress_ng, "--aio", "1", "--aio-requests", "4",
			 "--timeout", "1s", temp, NULL };
	const char *extra[] = { "VLIBC=off", "VLIBC_DEBUG=1", NULL };
	char **env = client_env(extra);
	int to_vlibc, to_glibc;
	struct client_run r;
	char why[512];

	if (aio_binding(_metadata, why, sizeof(why)) == AIO_UNKNOWN)
		SKIP(return, "the binder binds no name stress-ng's aio worker calls (%s)", why);
	client_run(&r, argv, env, STRESS_LIMIT);
	if (r.status)
		show_output("stress-ng stderr", r.err);
	ASSERT_EQ(0, r.timed_out);
	ASSERT_EQ(0, r.status);
	count_aio_binds(r.err, &to_vlibc, &to_glibc);
	EXPECT_EQ(0, to_vlibc) TH_LOG("VLIBC=off was lost: the worker bound AIO names to vlibc");
	EXPECT_NE(NULL, strstr(r.err, "vlibc: off (VLIBC=off)"))
		TH_LOG("VLIBC_DEBUG=1 was lost: the worker's binder said nothing");
	client_run_free(&r);
}

TEST_HARNESS_MAIN
