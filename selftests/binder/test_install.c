// SPDX-License-Identifier: GPL-2.0
/*
 * make install replaces each installed file by rename(2), never in place.
 *
 * With the binder in /etc/ld.so.preload every starting process maps it,
 * and every process that binds maps the image.  A file rewritten where it
 * lies (install(1) unlinks it, then creates and writes it) is for a while
 * missing (ld.so prints an error), then short: a root process that maps
 * a part-written binder dies of SIGBUS when it touches a page past the
 * end.  Written beside its place and renamed over it, the path holds the
 * old file or the whole new one, and running processes keep theirs.
 *
 * make install runs twice into a DESTDIR under strace; the second run,
 * which replaces the files, must neither open one of the installed paths
 * for writing, nor unlink or truncate it, and must rename a file onto
 * each.
 */
#include <sys/utsname.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"

#define STRACE	"/usr/bin/strace"
#define MAKE	"/usr/bin/make"

#define N_INSTALLED	5

/* Installed path @i under @destdir (see the install target), malloc'd. */
static char *installed_path(size_t i, const char *destdir)
{
	static const char *const in_prefix[] = {
		"lib/libvlibc.so", "lib/libvlibc-memcpy.so", "bin/vlibc-run",
		"bin/vlibc-ab",
	};
	struct utsname u;

	if (i == 0)
		return vt_strf("%s/lib/modules/%s/vdso/linux-vlibc.so.1", destdir,
			       uname(&u) ? "?" : u.release);
	return vt_strf("%s/usr/local/%s", destdir, in_prefix[i - 1]);
}

/* make install into @destdir, traced into @trace when that is not NULL. */
static void make_install(struct vt_result *r, const char *destdir,
			 const char *trace)
{
	const char *src = getenv("VLIBC_SRC");
	char *o = vt_build_path("");
	char *o_arg = vt_strf("O=%s", o), *d_arg = vt_strf("DESTDIR=%s", destdir);
	char *c_arg = vt_strf("%s", src && *src ? src : ".");
	char *path = vt_strf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char *argv[] = { STRACE, "-f", "-qq", "-s", "4096", "-o", (char *)trace,
			 "-e", "trace=open,openat,creat,truncate,unlink,unlinkat,"
			 "rename,renameat,renameat2",
			 MAKE, "-s", "-o", "all", "-C", c_arg, o_arg,
			 d_arg, "install", NULL };
	char *envp[] = { path, "LANG=C", NULL };
	struct vt_spawn sp = {
		.argv = trace ? argv : argv + 9, .envp = envp, .timeout = 120,
	};

	vt_spawn_run(&sp, r);
	free(o);
	free(o_arg);
	free(d_arg);
	free(c_arg);
	free(path);
}

/*
 * In strace's @line, does a call other than a rename onto it change the
 * file at "@path" in place?  Sets *@renamed when a rename put a file there.
 */
static int changes_in_place(const char *line, const char *path, int *renamed)
{
	char *quoted = vt_strf("\"%s\"", path);
	const char *at = strstr(line, quoted);
	int bad = 0;

	free(quoted);
	if (!at || strstr(line, "= -1 "))
		return 0;
	if (strstr(line, "rename")) {
		/* rename*(..., "old", ..., "new"...): @path is not the first */
		if (at != strchr(line, '"'))
			*renamed = 1;
		return 0;
	}
	if (strstr(line, "unlink") || strstr(line, "truncate(") ||
	    strstr(line, "creat("))
		bad = 1;
	if (strstr(line, "open") && (strstr(line, "O_WRONLY") ||
				     strstr(line, "O_RDWR") ||
				     strstr(line, "O_TRUNC")))
		bad = 1;
	return bad;
}

TEST(install_replaces_by_rename)
{
	char *dir, *trace, *text, *line, *path, *save = NULL;
	int renamed[N_INSTALLED] = { 0 };
	struct vt_result r;

	if (access(STRACE, X_OK))
		SKIP(return, STRACE " is not installed");
	if (access(MAKE, X_OK))
		SKIP(return, MAKE " is not installed (the QEMU guest has none)");
	dir = vt_mkdtemp(NULL);
	ASSERT_NE(NULL, dir);
	trace = vt_strf("%s/strace.log", dir);
	make_install(&r, dir, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("first make install: %s%s", r.out, r.err);
	vt_result_free(&r);
	make_install(&r, dir, trace);
	ASSERT_EQ(0, r.status) TH_LOG("second make install: %s%s", r.out, r.err);
	vt_result_free(&r);
	text = vt_read_file(trace, NULL);
	ASSERT_NE(NULL, text);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < N_INSTALLED; i++) {
			path = installed_path(i, dir);
			EXPECT_FALSE(changes_in_place(line, path, &renamed[i]))
				TH_LOG("changed in place: %s", line);
			free(path);
		}
	}
	for (size_t i = 0; i < N_INSTALLED; i++) {
		path = installed_path(i, dir);
		EXPECT_TRUE(renamed[i]) TH_LOG("nothing renamed onto %s", path);
		free(path);
	}
	free(text);
	vt_rm_rf(dir);
	free(dir);
	free(trace);
}

TEST_HARNESS_MAIN
