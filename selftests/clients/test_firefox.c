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
 * Each run may take RUN_SECONDS; then its whole process group is killed.
 * FIREFOX=path chooses the program (default: firefox-esr in $PATH); the
 * case is skipped only when it is not installed.  Render times are
 * logged, never asserted (bench/firefox.sh measures them).
 */
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

/* Decodes two 8-bit non-interlaced PNGs; exit 0 when the pixels match. */
static const char png_same_pixels[] =
	"import struct, sys, zlib\n"
	"def pixels(path):\n"
	"    d = open(path, 'rb').read()\n"
	"    if d[:8] != b'\\x89PNG\\r\\n\\x1a\\n': sys.exit('not a PNG: ' + path)\n"
	"    i, idat, hdr = 8, b'', None\n"
	"    while i < len(d):\n"
	"        n, t = struct.unpack('>I4s', d[i:i + 8])\n"
	"        if t == b'IHDR': hdr = struct.unpack('>IIBBBBB', d[i + 8:i + 21])\n"
	"        if t == b'IDAT': idat += d[i + 8:i + 8 + n]\n"
	"        i += 12 + n\n"
	"    w, h, depth, ctype, _, _, interlace = hdr\n"
	"    if depth != 8 or interlace: sys.exit('unsupported PNG: ' + path)\n"
	"    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]\n"
	"    raw, stride, p = zlib.decompress(idat), w * bpp, 0\n"
	"    prev, out = bytearray(stride), []\n"
	"    for y in range(h):\n"
	"        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])\n"
	"        p += 1 + stride\n"
	"        for x in range(stride):\n"
	"            a = line[x - bpp] if x >= bpp else 0\n"
	"            b = prev[x]\n"
	"            c = prev[x - bpp] if x >= bpp else 0\n"
	"            if f == 1: line[x] = (line[x] + a) & 255\n"
	"            elif f == 2: line[x] = (line[x] + b) & 255\n"
	"            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255\n"
	"            elif f == 4:\n"
	"                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)\n"
	"                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)\n"
	"                line[x] = (line[x] + pr) & 255\n"
	"        out.append(bytes(line))\n"
	"        prev = line\n"
	"    return (w, h, ctype), b''.join(out)\n"
	"sys.exit(0 if pixels(sys.argv[1]) == pixels(sys.argv[2]) else 1)\n";

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

/* Render the page into @dir/@name.png with a fresh profile, @wrapper first. */
static void render(struct ff_run *r, const char *firefox, const char *dir,
		   const char *name, const char *wrapper)
{
	char *profile = vt_strf("%s/profile-%s", dir, name);
	char *png = vt_strf("%s/%s.png", dir, name);
	char *url = vt_strf("file://%s/page.html", dir);
	char *argv[12], *envp[8];
	int a = 0, e = 0;

	mkdir(profile, 0700);
	if (wrapper)
		argv[a++] = (char *)wrapper;
	argv[a++] = (char *)firefox;
	argv[a++] = "--headless";
	argv[a++] = "--no-remote";
	argv[a++] = "-profile";
	argv[a++] = profile;
	argv[a++] = "--screenshot";
	argv[a++] = png;
	argv[a++] = url;
	argv[a] = NULL;
	envp[e++] = vt_strf("PATH=%s", getenv("PATH") ? getenv("PATH") : DEFAULT_PATH);
	envp[e++] = vt_strf("HOME=%s", dir);
	envp[e++] = "LANG=C.UTF-8";
	if (wrapper) {
		envp[e++] = vt_strf("VLIBC_IMAGE=%s", vt_build_path("linux-vlibc.so.1"));
		envp[e++] = "VLIBC_DEBUG=1";
	}
	envp[e] = NULL;
	run_bounded(r, argv, envp);
	free(profile);
	free(png);
	free(url);
}

/* The same pixels in both PNGs (bytes first, else decoded by python3). */
static int same_pixels(const char *a, const char *b, char *why, size_t size)
{
	size_t la = 0, lb = 0;
	char *da = vt_read_file(a, &la), *db = vt_read_file(b, &lb);
	char *argv[] = { "/usr/bin/python3", "-c", (char *)png_same_pixels,
			 (char *)a, (char *)b, NULL };
	struct vt_spawn sp = { .argv = argv, .timeout = 120 };
	struct vt_result r;
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
	if (same)
		return 1;
	vt_spawn_run(&sp, &r);
	snprintf(why, size, "bytes differ; pixel comparison: status %d %s",
		 r.status, r.err);
	same = r.status == 0;
	vt_result_free(&r);
	return same;
}

TEST_F_TIMEOUT(firefox, screenshot_sandboxed, 2 * RUN_SECONDS + 60)
{
	char *page_path = vt_strf("%s/page.html", self->dir);
	char *plain_png = vt_strf("%s/plain.png", self->dir);
	char *vlibc_png = vt_strf("%s/vlibc.png", self->dir);
	char *run = vt_build_path("vlibc-run"), why[4096], what[64];
	struct ff_run plain, vlibc;
	int bound, other;

	ASSERT_EQ(0, vt_write_file(page_path, page, sizeof(page) - 1, 0644));
	render(&plain, self->firefox, self->dir, "plain", NULL);
	ASSERT_EQ(0, plain.status) TH_LOG("plain firefox: %s\n%s",
					  vt_child_what(plain.status, what, sizeof(what)),
					  plain.log);
	render(&vlibc, self->firefox, self->dir, "vlibc", run);
	TH_LOG("render: plain %.0f ms, vlibc-run %.0f ms (not asserted)",
	       plain.ms, vlibc.ms);
	EXPECT_EQ(0, vlibc.status) TH_LOG("firefox under vlibc-run: %s",
					  vt_child_what(vlibc.status, what, sizeof(what)));
	EXPECT_EQ(0, count_lines(vlibc.log, "sandbox violation"))
		TH_LOG("sandbox violations under vlibc-run, e.g.: %.300s",
		       strstr(vlibc.log, "sandbox violation"));
	EXPECT_EQ(0, count_lines(plain.log, "sandbox violation"));
	bound = count_lines(vlibc.log, "vlibc: family locks -> vlibc");
	other = count_lines(vlibc.log, "vlibc: family locks ") - bound;
	EXPECT_GE(bound, 2) TH_LOG("locks family bound in %d processes, "
				   "elsewhere in %d:\n%.2000s", bound, other,
				   vlibc.log);
	EXPECT_EQ(0, other);
	EXPECT_TRUE(same_pixels(plain_png, vlibc_png, why, sizeof(why)))
		TH_LOG("screenshots differ: %s", why);
	free(plain.log);
	free(vlibc.log);
	free(page_path);
	free(plain_png);
	free(vlibc_png);
	free(run);
}

TEST_HARNESS_MAIN
