// SPDX-License-Identifier: GPL-2.0
/*
 * Unmodified Debian programs that use POSIX AIO, run under vlibc-run:
 *
 *  - fio --ioengine=posixaio: random 4 KiB writes with crc32c verification
 *    (fio reads every block back through aio_read and checks it), then
 *    end_fsync through aio_fsync; buffered and O_DIRECT, depth 1 and 32,
 *    two threads of one process (--thread) and two forked job processes.
 *    A second, plain fio (psync, no preload) checks the file again, so
 *    what the first run wrote is what another process reads.
 *  - stress-ng --aio: aio_read/aio_write/aio_fsync/aio_error/aio_cancel
 *    with SIGEV_SIGNAL notification, from forked workers; its bogo ops and
 *    its count of notification signals must both be non-zero.  And the
 *    binder must still see VLIBC=off and VLIBC_DEBUG in a worker that has
 *    rewritten its process title over the environment strings.
 *
 * Each case first asks a probe (aio_probe, run under vlibc-run) where the
 * binder binds the AIO names.  While the binder has no AIO family the
 * clients run on glibc's AIO behind the preload, which the case logs; once
 * it has one, the family must be bound to vlibc whenever io_uring works
 * here, and the client's own binding (VLIBC_DEBUG lines) must say vlibc.
 *
 * The files live in a new directory on a disk filesystem (ext4, xfs or
 * btrfs): $VLIBC_BUILD, else $TMPDIR, /var/tmp, /tmp.  FIO=path and
 * STRESS_NG=path choose the programs (default: found in $PATH); a case
 * is skipped only when its program is not installed.
 */
#include <ctype.h>
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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vlibc_test.h"

#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
#define FIO_SECONDS	25	/* one fio run may take this long */
#define STRESS_SECONDS	5	/* stress-ng's own --timeout */
#define STRESS_LIMIT	25	/* and the limit of the whole stress-ng run */
#define BLOCK		4096

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

/* The client's own bindings must agree with the probe's. */
static void check_client_binding(struct __test_metadata *_metadata,
				 const char *client, enum aio_binding expected,
				 const char *err, const char *why)
{
	int to_vlibc, to_glibc;

	count_aio_binds(err, &to_vlibc, &to_glibc);
	if (expected == AIO_ON_VLIBC) {
		EXPECT_LT(0, to_vlibc) TH_LOG("%s bound no AIO name to vlibc", client);
		EXPECT_EQ(0, to_glibc) TH_LOG("%s bound %d AIO names to glibc", client, to_glibc);
		TH_LOG("%s ran on vlibc's AIO (%d AIO bindings)", client, to_vlibc);
		return;
	}
	EXPECT_EQ(0, to_vlibc) TH_LOG("%s bound AIO names to vlibc, the probe did not", client);
	TH_LOG("vlibc's AIO family is not bound %s (%s): %s ran on glibc's AIO behind the preload",
	       expected == AIO_UNKNOWN ? "yet" : "here", why, client);
}

/* --- a tiny JSON reader, enough for fio's report ------------------------ */

static const char *js_ws(const char *p)
{
	while (p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* @p at '"': just past the closing quote, or NULL. */
static const char *js_string_end(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : NULL;
}

/* Just past the value at @p, or NULL if it is malformed. */
static const char *js_skip(const char *p)
{
	char close;

	p = js_ws(p);
	if (!p || !*p)
		return NULL;
	if (*p == '"')
		return js_string_end(p);
	if (*p != '{' && *p != '[') {
		while (*p && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	close = *p == '{' ? '}' : ']';
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (*p != '"')
				return NULL;
			p = js_ws(js_string_end(p));
			if (!p || *p != ':')
				return NULL;
			p++;
		}
		p = js_ws(js_skip(p));
		if (!p)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = js_ws(p + 1);
	}
}

/* Member @key of the object at @p, or NULL. */
static const char *js_member(const char *p, const char *key, size_t key_len)
{
	p = js_ws(p);
	if (!p || *p != '{')
		return NULL;
	p = js_ws(p + 1);
	while (p && *p == '"') {
		const char *name = p + 1, *end = js_string_end(p);

		if (!end)
			return NULL;
		p = js_ws(end);
		if (*p != ':')
			return NULL;
		p = js_ws(p + 1);
		if ((size_t)(end - 1 - name) == key_len && !strncmp(name, key, key_len))
			return p;
		p = js_ws(js_skip(p));
		if (!p || *p != ',')
			return NULL;
		p = js_ws(p + 1);
	}
	return NULL;
}

/* Element @i of the array at @p, or NULL. */
static const char *js_element(const char *p, long i)
{
	p = js_ws(p);
	if (!p || *p != '[')
		return NULL;
	p = js_ws(p + 1);
	if (*p == ']')
		return NULL;
	while (i-- > 0) {
		p = js_ws(js_skip(p));
		if (!p || *p != ',')
			return NULL;
		p = js_ws(p + 1);
	}
	return p;
}

/* The value at "a/0/b" below @p: members by name, elements by number. */
static const char *js_path(const char *p, const char *path)
{
	while (p && *path) {
		const char *end = strchr(path, '/');
		size_t len = end ? (size_t)(end - path) : strlen(path);

		if (*js_ws(p) == '[')
			p = js_element(p, strtol(path, NULL, 10));
		else
			p = js_member(p, path, len);
		path += len + (end ? 1 : 0);
	}
	return p;
}

/* Number at @path below @p; -1 if absent or not a number. */
static long long js_number(const char *p, const char *path)
{
	char *end;
	long long v;

	p = js_ws(js_path(p, path));
	if (!p)
		return -1;
	v = strtoll(p, &end, 10);
	return end == p ? -1 : v;
}

static long js_length(const char *p)
{
	long n = 0;

	while (js_element(p, n))
		n++;
	return n;
}

/* fio may write notes before the report: it starts at a line's '{'. */
static const char *fio_report(const char *text)
{
	const char *p = text;

	while (p && *p != '{') {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p && js_skip(p) ? p : NULL;
}

/* --- fio ---------------------------------------------------------------- */

FIXTURE(fio) {
	char	fio[PATH_MAX];
	char	dir[PATH_MAX];
	char	fs[32];
};

FIXTURE_VARIANT(fio) {
	int		direct;
	int		iodepth;
	int		numjobs;
	int		thread;		/* jobs are threads of one process */
	int		fsync_every;	/* aio_fsync after this many writes */
	unsigned int	size_mib;	/* per job */
};

FIXTURE_VARIANT_ADD(fio, buffered_qd1) {
	.iodepth = 1, .numjobs = 1, .size_mib = 32,
};

FIXTURE_VARIANT_ADD(fio, buffered_qd32) {
	.iodepth = 32, .numjobs = 1, .size_mib = 32,
};

FIXTURE_VARIANT_ADD(fio, direct_qd1) {
	.direct = 1, .iodepth = 1, .numjobs = 1, .size_mib = 32,
};

FIXTURE_VARIANT_ADD(fio, direct_qd32) {
	.direct = 1, .iodepth = 32, .numjobs = 1, .size_mib = 64,
};

FIXTURE_VARIANT_ADD(fio, threads2_direct_qd32) {
	.direct = 1, .iodepth = 32, .numjobs = 2, .thread = 1, .size_mib = 32,
};

FIXTURE_VARIANT_ADD(fio, procs2_buffered_qd32_fsync) {
	.iodepth = 32, .numjobs = 2, .fsync_every = 256, .size_mib = 32,
};

FIXTURE_SETUP(fio)
{
	const char *parent, *fs;
	char *fio = find_program("FIO", "fio"), *dir;

	if (!fio)
		SKIP(return, "fio is not installed (FIO=path chooses one; scripts/bootstrap installs it)");
	snprintf(self->fio, sizeof(self->fio), "%s", fio);
	free(fio);
	parent = disk_parent(&fs);
	if (!parent)
		SKIP(return, "no writable directory on ext4, xfs or btrfs ($VLIBC_BUILD, $TMPDIR, /var/tmp, /tmp)");
	dir = vt_mkdtemp(parent);
	ASSERT_NE(NULL, dir) TH_LOG("cannot create a directory in %s", parent);
	snprintf(self->dir, sizeof(self->dir), "%s", dir);
	snprintf(self->fs, sizeof(self->fs), "%s", fs);
	free(dir);
}

FIXTURE_TEARDOWN_PARENT(fio)
{
	if (self->dir[0])
		vt_rm_rf(self->dir);
}

/* The arguments both fio runs share: the same files and block sequence. */
static int fio_job_args(char **argv, int n, const FIXTURE_VARIANT(fio) *variant,
			const char *dir)
{
	argv[n++] = vt_strf("--name=vlibc-aio");
	argv[n++] = vt_strf("--directory=%s", dir);
	argv[n++] = vt_strf("--rw=randwrite");
	argv[n++] = vt_strf("--bs=%d", BLOCK);
	argv[n++] = vt_strf("--size=%uM", variant->size_mib);
	argv[n++] = vt_strf("--numjobs=%d", variant->numjobs);
	argv[n++] = vt_strf("--direct=%d", variant->direct);
	argv[n++] = vt_strf("--verify=crc32c");
	argv[n++] = vt_strf("--verify_fatal=1");
	argv[n++] = vt_strf("--verify_state_save=0");
	argv[n++] = vt_strf("--output-format=json");
	return n;
}

static void free_args(char **argv, int from)
{
	for (; argv[from]; from++)
		free(argv[from]);
}

/* Each job wrote and read back every block once, without an error. */
static void check_fio_report(struct __test_metadata *_metadata, const char *path,
			     const FIXTURE_VARIANT(fio) *variant, int verify_only)
{
	long long blocks = (long long)variant->size_mib * (1 << 20) / BLOCK;
	char *text = vt_read_file(path, NULL);
	const char *report = text ? fio_report(text) : NULL, *jobs;
	long i;

	ASSERT_NE(NULL, report) TH_LOG("no JSON report in %s", path);
	jobs = js_path(report, "jobs");
	ASSERT_NE(NULL, jobs);
	ASSERT_EQ(variant->numjobs, js_length(jobs));
	for (i = 0; i < variant->numjobs; i++) {
		const char *job = js_element(jobs, i);

		EXPECT_EQ(0, js_number(job, "error")) TH_LOG("job %ld", i);
		EXPECT_EQ(blocks, js_number(job, "read/total_ios"))
			TH_LOG("job %ld: blocks read back (verified)", i);
		EXPECT_EQ(blocks * BLOCK, js_number(job, "read/io_bytes"));
		if (verify_only)
			continue;
		EXPECT_EQ(blocks, js_number(job, "write/total_ios"))
			TH_LOG("job %ld: blocks written", i);
		EXPECT_EQ(blocks * BLOCK, js_number(job, "write/io_bytes"));
		if (variant->fsync_every)
			EXPECT_LE(blocks / variant->fsync_every, js_number(job, "sync/total_ios"))
				TH_LOG("job %ld: aio_fsync calls", i);
	}
	free(text);
}

/* Write and verify under vlibc-run. */
static void fio_under_vlibc(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fio) *self,
			    const FIXTURE_VARIANT(fio) *variant,
			    enum aio_binding binding, const char *why)
{
	char *run = vt_build_path("vlibc-run");
	char *json = vt_strf("%s/fio.json", self->dir);
	char *argv[40] = { run, self->fio };
	char **env = vlibc_env();
	struct client_run r;
	double t0 = now_seconds();
	int n = 2;

	n = fio_job_args(argv, n, variant, self->dir);
	argv[n++] = vt_strf("--ioengine=posixaio");
	argv[n++] = vt_strf("--iodepth=%d", variant->iodepth);
	argv[n++] = vt_strf("--end_fsync=1");
	argv[n++] = vt_strf("--output=%s", json);
	if (variant->thread)
		argv[n++] = vt_strf("--thread");
	if (variant->fsync_every)
		argv[n++] = vt_strf("--fsync=%d", variant->fsync_every);
	client_run(&r, argv, env, FIO_SECONDS);
	if (r.status) {
		show_output("fio stderr", r.err);
		show_output("fio report", vt_read_file(json, NULL));
	}
	ASSERT_EQ(0, r.timed_out) TH_LOG("fio did not finish in %d s", FIO_SECONDS);
	ASSERT_EQ(0, r.status) TH_LOG("fio under vlibc-run failed");
	check_fio_report(_metadata, json, variant, 0);
	check_client_binding(_metadata, "fio", binding, r.err, why);
	TH_LOG("fio posixaio on %s (%s): %.1f s", self->dir, self->fs, now_seconds() - t0);
	client_run_free(&r);
	free_args(argv, 2);
	free(json);
}

/* Read the files back with plain fio (psync, no preload) and verify. */
static void fio_verify_plain(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fio) *self,
			     const FIXTURE_VARIANT(fio) *variant)
{
	char *json = vt_strf("%s/verify.json", self->dir);
	char *argv[40] = { self->fio };
	char **env = client_env(NULL);
	struct client_run r;
	int n = 1;

	n = fio_job_args(argv, n, variant, self->dir);
	argv[n++] = vt_strf("--ioengine=psync");
	argv[n++] = vt_strf("--verify_only");
	argv[n++] = vt_strf("--output=%s", json);
	client_run(&r, argv, env, FIO_SECONDS);
	if (r.status)
		show_output("plain fio --verify_only stderr", r.err);
	ASSERT_EQ(0, r.timed_out);
	ASSERT_EQ(0, r.status) TH_LOG("the files differ from what fio wrote under vlibc-run");
	check_fio_report(_metadata, json, variant, 1);
	client_run_free(&r);
	free_args(argv, 1);
	free(json);
}

TEST_F_TIMEOUT(fio, posixaio_randwrite_verify, 90)
{
	char why[512];
	enum aio_binding binding = aio_binding(_metadata, why, sizeof(why));

	fio_under_vlibc(_metadata, self, variant, binding, why);
	fio_verify_plain(_metadata, self, variant);
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

/* Value of "    key: value" after the "- stressor: aio" line; -1 if absent. */
static double yaml_aio_metric(const char *yaml, const char *key)
{
	const char *p = yaml ? strstr(yaml, "- stressor: aio\n") : NULL;
	char *needle = vt_strf("\n      %s: ", key);
	const char *at, *next;
	double v = -1;

	if (p) {
		at = strstr(p, needle);
		next = strstr(p + 1, "- stressor:");
		if (at && (!next || at < next))
			v = strtod(at + strlen(needle), NULL);
	}
	free(needle);
	return v;
}

/*
 * stress-ng's workers rewrite their process title over argv and the
 * environment strings; --keep-name leaves them alone, so the binder's
 * VLIBC_DEBUG lines (read from the initial environment) show where the
 * worker bound the AIO names.  env_after_proctitle runs without it.
 */
TEST_F_TIMEOUT(stress, aio_stressor, 60)
{
	char *run = vt_build_path("vlibc-run");
	char *yaml_path = vt_strf("%s/stress.yaml", self->dir);
	char *temp = vt_strf("--temp-path=%s", self->dir);
	char *yaml_opt = vt_strf("--yaml=%s", yaml_path);
	char *timeout = vt_strf("%ds", STRESS_SECONDS);
	char *argv[] = { run, self->stress_ng, "--keep-name", "--aio", "2",
			 "--aio-requests", "64", "--timeout", timeout,
			 "--metrics-brief", temp, yaml_opt, NULL };
	char **env = vlibc_env();
	enum aio_binding binding;
	struct client_run r;
	double ops, signals;
	char why[512], *yaml, *fails;

	binding = aio_binding(_metadata, why, sizeof(why));
	client_run(&r, argv, env, STRESS_LIMIT);
	yaml = vt_read_file(yaml_path, NULL);
	/* stress-ng reports on stderr, next to the binder's lines. */
	fails = grep_lines(r.err, "stress-ng: fail:", "");
	if (r.status || *fails) {
		show_output("stress-ng stdout", r.out);
		show_output("stress-ng stderr", r.err);
	}
	ASSERT_EQ(0, r.timed_out) TH_LOG("stress-ng did not finish in %d s", STRESS_LIMIT);
	ASSERT_EQ(0, r.status) TH_LOG("stress-ng under vlibc-run failed");
	EXPECT_STREQ("", fails);
	EXPECT_NE(NULL, strstr(r.err, "successful run completed"));
	ASSERT_NE(NULL, yaml) TH_LOG("stress-ng wrote no %s", yaml_path);
	ops = yaml_aio_metric(yaml, "bogo-ops");
	signals = yaml_aio_metric(yaml, "async-io-signals-per-sec");
	EXPECT_LT(0, ops) TH_LOG("aio stressor bogo ops: %.0f", ops);
	/* SIGEV_SIGNAL notifications arrived (the handler counts them). */
	EXPECT_LT(0, signals) TH_LOG("aio stressor signals/s: %.1f", signals);
	check_client_binding(_metadata, "stress-ng", binding, r.err, why);
	TH_LOG("stress-ng aio: %.0f bogo ops in %d s, %.0f SIGEV_SIGNAL notifications/s",
	       ops, STRESS_SECONDS, signals);
	client_run_free(&r);
	free(fails);
	free(yaml);
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
