// SPDX-License-Identifier: GPL-2.0
/*
 * Debian's firefox-esr, headless, renders a page whose canvas a script
 * draws (after some JavaScript work) into a PNG screenshot: once plainly,
 * once under vlibc-run, each with a fresh profile, the content sandbox on
 * as shipped (seccomp with a SIGSYS handler that answers -ENOSYS to what
 * it refuses, and logs "Sandbox: seccomp sandbox violation").
 *
 * Under vlibc-run: exit status 0, no sandbox violation in the log, the
 * locks family bound to vlibc in Firefox's processes (VLIBC_DEBUG lines,
 * at least the parent and one child), and the same pixels as the plain
 * run (the PNG bytes, or the decoded pixels when the bytes differ).
 * Issue 11: futex_wait(2)/futex_wake(2) refused in content processes made
 * Firefox log thousands of violations, spin, lose wakes and crash.
 *
 * The heavier page (firefox-heavy.html beside this file: thousands of DOM
 * nodes, a web font from a file, big typed arrays allocated and copied,
 * crypto.subtle.digest and crypto.getRandomValues) renders plainly, under
 * vlibc-run, and in system-wide mode (the binder in /etc/ld.so.preload of
 * a private mount namespace, selftests/lib/vlibc-systemwide): the same
 * checks, and the SHA-256 the page computed is the right one in every
 * screenshot (firefox_png.py digest).  In system-wide mode a content
 * process, seen while Firefox shows the page, has the binder and the
 * image in its maps.
 *
 * Each run may take RUN_SECONDS; then its whole process group is killed.
 * FIREFOX=path chooses the program (default: firefox-esr in $PATH); the
 * case is skipped only when it is not installed.  Render times are
 * logged, never asserted (bench/firefox.sh measures them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vlibc_test.h"

#define RUN_SECONDS	90
#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

static const char page[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
	"<body style=\"margin:0;background:#ffffff\">\n"
	"<canvas id=\"c\" width=\"480\" height=\"320\"></canvas>\n<script>\n"
	"var g = document.getElementById('c').getContext('2d');\n"
	"var s = 0, a = [];\n"
	"for (var i = 0; i < 300000; i++) { s = (s * 31 + i) % 1000003; }\n"
	"for (var i = 0; i < 20000; i++) a.push((i * 7919) % 10007);\n"
	"a.sort(function (x, y) { return x - y; });\n"
	"g.fillStyle = '#336699'; g.fillRect(10, 10, 200, 100);\n"
	"g.fillStyle = '#cc3300'; g.fillRect(150, 80, 220, 150);\n"
	"g.fillStyle = 'rgb(' + (s % 256) + ',' + (a[10000] % 256) + ',64)';\n"
	"g.fillRect(40, 220, 120, 80);\n"
	"g.strokeStyle = '#000000'; g.lineWidth = 3; g.strokeRect(5, 5, 470, 310);\n"
	"</script></body></html>\n";

/* $VLIBC_SRC/@name (malloc'd); "." when run outside selftests/run. */
static char *src_path(const char *name)
{
	const char *dir = getenv("VLIBC_SRC");

	return vt_strf("%s/%s", dir && *dir ? dir : ".", name);
}

/* firefox-esr ($FIREFOX, else in $PATH), or NULL. */
static char *find_firefox(void)
{
	const char *env = getenv("FIREFOX");
	char *path, *dir, *save = NULL, *p;

	if (env && *env)
		return access(env, X_OK) ? NULL : strdup(env);
	path = vt_strf("%s", getenv("PATH") ? getenv("PATH") : DEFAULT_PATH);
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		p = vt_strf("%s/firefox-esr", dir);
		if (!access(p, X_OK)) {
			free(path);
			return p;
		}
		free(p);
	}
	free(path);
	return NULL;
}

struct ff_run {
	int	status;		/* 128 + N if killed by signal N, VT_CHILD_TIMEOUT */
	char	*log;		/* stdout and stderr */
	double	ms;
};

/* Run @argv with @envp, output to one log, its process group killed after. */
static void run_bounded(struct ff_run *r, char *const argv[], char *const envp[])
{
	int log = memfd_create("firefox-log", MFD_CLOEXEC), null;
	double t0 = vt_now_ms();
	pid_t pid;

	if (log < 0)
		abort();
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 ||
		    dup2(log, 2) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	r->status = pid > 0 ? vt_wait_child(pid, RUN_SECONDS * 1000.0) : -2;
	r->ms = vt_now_ms() - t0;
	if (pid > 0)
		kill(-pid, SIGKILL);	/* whatever of Firefox is left */
	r->log = vt_read_fd(log, NULL);
	close(log);
}

static int count_lines(const char *log, const char *needle)
{
	int n = 0;

	for (const char *p = log; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

FIXTURE(firefox) {
	char	*firefox, *dir;
};

FIXTURE_SETUP(firefox)
{
	self->firefox = find_firefox();
	self->dir = NULL;
	if (!self->firefox)
		SKIP(return, "firefox-esr is not installed (FIREFOX=path chooses one)");
	self->dir = vt_mkdtemp(NULL);
	ASSERT_NE(NULL, self->dir);
}

FIXTURE_TEARDOWN(firefox)
{
	if (self->dir)
		vt_rm_rf(self->dir);
	free(self->dir);
	free(self->firefox);
}

enum ff_mode { PLAIN, VLIBC_RUN, SYSTEMWIDE };

static const char *const mode_names[] = { "plain", "vlibc-run", "system-wide" };

/*
 * Firefox with a fresh profile in @dir, on @dir/@page, in @mode: with
 * @png, it writes a screenshot there and exits; else it shows the page
 * until killed.  VLIBC_DEBUG=1 but in the plain run.
 */
static void firefox_argv(char **argv, char **envp, const char *firefox,
			 const char *dir, const char *page, const char *png,
			 enum ff_mode mode)
{
	static int profiles;
	char *profile = vt_strf("%s/profile-%d", dir, profiles++);
	int a = 0, e = 0;

	mkdir(profile, 0700);
	if (mode == VLIBC_RUN)
		argv[a++] = vt_build_path("vlibc-run");
	if (mode == SYSTEMWIDE)
		argv[a++] = src_path("selftests/lib/vlibc-systemwide");
	argv[a++] = (char *)firefox;
	argv[a++] = "--headless";
	argv[a++] = "--no-remote";
	argv[a++] = "-profile";
	argv[a++] = profile;
	if (png) {
		argv[a++] = "--screenshot";
		argv[a++] = (char *)png;
	}
	argv[a++] = vt_strf("file://%s/%s", dir, page);
	argv[a] = NULL;
	envp[e++] = vt_strf("PATH=%s", getenv("PATH") ? getenv("PATH") : DEFAULT_PATH);
	envp[e++] = vt_strf("HOME=%s", dir);
	envp[e++] = "LANG=C.UTF-8";
	if (mode == VLIBC_RUN)
		envp[e++] = vt_strf("VLIBC_IMAGE=%s", vt_build_path("linux-vlibc.so.1"));
	if (mode == SYSTEMWIDE)
		envp[e++] = vt_strf("VLIBC_BUILD=%s", vt_build_path(""));
	if (mode != PLAIN)
		envp[e++] = "VLIBC_DEBUG=1";
	envp[e] = NULL;
}

/* Render @dir/@page into @dir/<mode>-<page>.png. */
static void render(struct ff_run *r, const char *firefox, const char *dir,
		   const char *page, enum ff_mode mode)
{
	char *argv[16], *envp[8];
	char *png = vt_strf("%s/%s-%s.png", dir, mode_names[mode], page);

	firefox_argv(argv, envp, firefox, dir, page, png, mode);
	run_bounded(r, argv, envp);
	free(png);
}

/* python3 firefox_png.py @what @a [@b]: 1 when it exits 0, else why in @why. */
static int png_check(const char *what, const char *a, const char *b,
		     char *why, size_t size)
{
	char *script = src_path("selftests/clients/firefox_png.py");
	char *argv[] = { "/usr/bin/python3", script, (char *)what, (char *)a,
			 (char *)b, NULL };
	struct vt_spawn sp = { .argv = argv, .timeout = 120 };
	struct vt_result r;
	int ok;

	vt_spawn_run(&sp, &r);
	snprintf(why, size, "firefox_png.py %s: status %d %s%s", what, r.status,
		 r.out, r.err);
	ok = r.status == 0;
	vt_result_free(&r);
	free(script);
	return ok;
}

/* The same pixels in both PNGs (bytes first, else decoded by python3). */
static int same_pixels(const char *a, const char *b, char *why, size_t size)
{
	size_t la = 0, lb = 0;
	char *da = vt_read_file(a, &la), *db = vt_read_file(b, &lb);
	int same;

	if (!da || !db || !la || !lb) {
		snprintf(why, size, "missing or empty PNG");
		free(da);
		free(db);
		return 0;
	}
	same = la == lb && !memcmp(da, db, la);
	free(da);
	free(db);
	return same || png_check("same", a, b, why, size);
}

/*
 * A run under vlibc: exit status 0, no sandbox violation, the locks family
 * bound to vlibc in at least two processes and to glibc in none.
 */
static void check_vlibc_run(struct __test_metadata *_metadata,
			    const struct ff_run *r, const char *how)
{
	int bound = count_lines(r->log, "vlibc: family locks -> vlibc");
	int other = count_lines(r->log, "vlibc: family locks ") - bound;
	char what[64];

	EXPECT_EQ(0, r->status) TH_LOG("firefox %s: %s", how,
				       vt_child_what(r->status, what, sizeof(what)));
	EXPECT_EQ(0, count_lines(r->log, "sandbox violation"))
		TH_LOG("sandbox violations %s, e.g.: %.300s", how,
		       strstr(r->log, "sandbox violation"));
	EXPECT_GE(bound, 2) TH_LOG("%s: locks family bound in %d processes, "
				   "elsewhere in %d:\n%.2000s", how, bound, other,
				   r->log);
	EXPECT_EQ(0, other);
}

/* The plain run of @page: exit status 0 and no sandbox violation. */
static void check_plain_run(struct __test_metadata *_metadata,
			    const struct ff_run *r)
{
	char what[64];

	ASSERT_EQ(0, r->status) TH_LOG("plain firefox: %s\n%s",
				       vt_child_what(r->status, what, sizeof(what)),
				       r->log);
	EXPECT_EQ(0, count_lines(r->log, "sandbox violation"));
}

/* @dir/<mode>-@page.png, malloc'd. */
static char *png_of(const char *dir, const char *page, enum ff_mode mode)
{
	return vt_strf("%s/%s-%s.png", dir, mode_names[mode], page);
}

/* Render @page plainly and in @mode; the same pixels, the checks above. */
static void render_and_compare(struct __test_metadata *_metadata,
			       const char *firefox, const char *dir,
			       const char *page, enum ff_mode mode)
{
	char *plain_png = png_of(dir, page, PLAIN);
	char *vlibc_png = png_of(dir, page, mode);
	struct ff_run plain, vlibc;
	char why[4096];

	render(&plain, firefox, dir, page, PLAIN);
	check_plain_run(_metadata, &plain);
	render(&vlibc, firefox, dir, page, mode);
	TH_LOG("%s: plain %.0f ms, %s %.0f ms (not asserted)", page, plain.ms,
	       mode_names[mode], vlibc.ms);
	check_vlibc_run(_metadata, &vlibc, mode_names[mode]);
	EXPECT_TRUE(same_pixels(plain_png, vlibc_png, why, sizeof(why)))
		TH_LOG("screenshots differ: %s", why);
	free(plain.log);
	free(vlibc.log);
	free(plain_png);
	free(vlibc_png);
}

TEST_F_TIMEOUT(firefox, screenshot_sandboxed, 2 * RUN_SECONDS + 60)
{
	char *page_path = vt_strf("%s/page.html", self->dir);

	ASSERT_EQ(0, vt_write_file(page_path, page, sizeof(page) - 1, 0644));
	render_and_compare(_metadata, self->firefox, self->dir, "page.html",
			   VLIBC_RUN);
	free(page_path);
}

#define FONT	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

/* firefox-heavy.html and its web font in @dir. */
static void put_heavy_page(struct __test_metadata *_metadata, const char *dir)
{
	char *html = src_path("selftests/clients/firefox-heavy.html");
	char *to = vt_strf("%s/heavy.html", dir);
	char *font = vt_strf("%s/DejaVuSans.ttf", dir);

	ASSERT_EQ(0, vt_copy_file(html, to, 0644)) TH_LOG("cannot copy %s", html);
	ASSERT_EQ(0, vt_copy_file(FONT, font, 0644));
	free(html);
	free(to);
	free(font);
}

/* The digest and checks firefox-heavy.html draws are right in both PNGs. */
static void check_digest(struct __test_metadata *_metadata, const char *dir,
			 enum ff_mode mode)
{
	enum ff_mode modes[] = { PLAIN, mode };
	char why[4096], *png;

	for (int i = 0; i < 2; i++) {
		png = png_of(dir, "heavy.html", modes[i]);
		EXPECT_TRUE(png_check("digest", png, NULL, why, sizeof(why)))
			TH_LOG("%s screenshot: %s", mode_names[modes[i]], why);
		free(png);
	}
}

TEST_F_TIMEOUT(firefox, heavy_page, 2 * RUN_SECONDS + 60)
{
	if (access(FONT, R_OK))
		SKIP(return, FONT " is not installed (fonts-dejavu-core)");
	put_heavy_page(_metadata, self->dir);
	render_and_compare(_metadata, self->firefox, self->dir, "heavy.html",
			   VLIBC_RUN);
	check_digest(_metadata, self->dir, VLIBC_RUN);
}

/*
 * Firefox in system-wide mode needs root for the mount namespace, and a
 * /lib/modules to cover, or overlayfs to make one (vlibc-systemwide).
 */
static int systemwide_possible(void)
{
	char *fs;
	int overlay;

	if (geteuid())
		return 0;
	if (!access("/lib/modules", F_OK))
		return 1;
	fs = vt_read_file("/proc/filesystems", NULL);
	overlay = fs && strstr(fs, "\toverlay\n");
	free(fs);
	return overlay;
}

TEST_F_TIMEOUT(firefox, heavy_page_systemwide, 2 * RUN_SECONDS + 60)
{
	if (access(FONT, R_OK))
		SKIP(return, FONT " is not installed (fonts-dejavu-core)");
	if (!systemwide_possible())
		SKIP(return, "system-wide mode needs root, and /lib/modules or overlayfs");
	put_heavy_page(_metadata, self->dir);
	render_and_compare(_metadata, self->firefox, self->dir, "heavy.html",
			   SYSTEMWIDE);
	check_digest(_metadata, self->dir, SYSTEMWIDE);
}

/*
 * A Firefox content process (-contentproc) in process group @pgid, in its
 * seccomp sandbox, whose maps hold the binder and a file image: its pid,
 * else 0.
 */
static pid_t bound_content_process(pid_t pgid)
{
	char *path, *text, *p;
	struct dirent *de;
	pid_t found = 0;
	int pgrp, content;
	size_t len;
	DIR *proc = opendir("/proc");

	while (proc && !found && (de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		path = vt_strf("/proc/%s/stat", de->d_name);
		text = vt_read_file(path, NULL);
		free(path);
		p = text ? strrchr(text, ')') : NULL;
		pgrp = p && sscanf(p, ") %*c %*d %d", &pgrp) == 1 ? pgrp : -1;
		free(text);
		if (pgrp != pgid)
			continue;
		path = vt_strf("/proc/%s/cmdline", de->d_name);
		len = 0;
		text = vt_read_file(path, &len);
		free(path);
		content = text && memmem(text, len, "-contentproc", 12);
		free(text);
		if (!content)
			continue;
		path = vt_strf("/proc/%s/maps", de->d_name);
		text = vt_read_file(path, NULL);
		free(path);
		content = text && strstr(text, "/libvlibc.so\n") &&
			  strstr(text, "/linux-vlibc.so.1\n");
		free(text);
		path = vt_strf("/proc/%s/status", de->d_name);
		text = vt_read_file(path, NULL);
		free(path);
		if (content && text && strstr(text, "\nSeccomp:\t2\n"))
			found = atoi(de->d_name);
		free(text);
	}
	if (proc)
		closedir(proc);
	return found;
}

/*
 * In system-wide mode, Firefox shows the heavy page (no screenshot: it
 * stays up) until one of its content processes, sandboxed, has the binder
 * and the image in its maps (the image is mapped at the first call of a
 * bound name); RUN_SECONDS is only the bound on a hang.
 */
TEST_F_TIMEOUT(firefox, systemwide_content_process_bound, RUN_SECONDS + 60)
{
	char *argv[16], *envp[8];
	double end = vt_now_ms() + RUN_SECONDS * 1000.0;
	pid_t pid, content = 0;
	int status, log, exited = 0;
	char *out;

	if (access(FONT, R_OK))
		SKIP(return, FONT " is not installed (fonts-dejavu-core)");
	if (!systemwide_possible())
		SKIP(return, "system-wide mode needs root, and /lib/modules or overlayfs");
	put_heavy_page(_metadata, self->dir);
	firefox_argv(argv, envp, self->firefox, self->dir, "heavy.html", NULL,
		     SYSTEMWIDE);
	log = memfd_create("firefox-log", MFD_CLOEXEC);
	ASSERT_LE(0, log);
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	setpgid(pid, pid);	/* before the scan, whichever runs first */
	while (!content && !exited && vt_now_ms() < end) {
		exited = waitpid(pid, &status, WNOHANG) == pid;
		content = exited ? 0 : bound_content_process(pid);
		if (!content && !exited)
			vt_sleep_ms(100);
	}
	kill(-pid, SIGKILL);
	if (!exited)
		waitpid(pid, &status, 0);
	out = vt_read_fd(log, NULL);
	close(log);
	EXPECT_NE(0, content) TH_LOG("no content process with the binder and "
				     "image in its maps; firefox %s:\n%.3000s",
				     exited ? "exited early" : "still running",
				     out);
	EXPECT_EQ(0, count_lines(out, "sandbox violation"))
		TH_LOG("sandbox violations: %.300s", strstr(out, "sandbox violation"));
	free(out);
}

TEST_HARNESS_MAIN
