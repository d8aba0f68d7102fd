// SPDX-License-Identifier: GPL-2.0
/*
 * scripts/new-family, run in a copy of the source tree: the family it
 * starts builds without a warning, its image entry point is exported,
 * the binder it is built into still runs, and its selftest skeleton
 * passes.  A second run for the same name refuses and changes nothing.
 */
#include <sys/stat.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"

#define MAKE	"/usr/bin/make"
#define TAR	"/bin/tar"
#define FAMILY	"demo"

FIXTURE(new_family) {
	char	*src;	/* the source tree under test */
	char	*tmp;	/* the copy */
};

FIXTURE_SETUP(new_family)
{
	const char *src = getenv("VLIBC_SRC");
	char *script;
	int missing;

	self->tmp = NULL;
	self->src = vt_strf("%s", src && *src ? src : ".");
	script = vt_strf("%s/scripts/new-family", self->src);
	missing = access(script, X_OK);
	free(script);
	if (access(MAKE, X_OK) || access(TAR, X_OK))
		SKIP(return, "make or tar is not installed");
	if (missing)
		SKIP(return, "no source tree at %s", self->src);
	self->tmp = vt_nonnull(vt_mkdtemp(NULL));
}

FIXTURE_TEARDOWN(new_family)
{
	vt_rm_rf(self->tmp);
	free(self->tmp);
	free(self->src);
}

/* sh -c @cmd in @dir; stdout and stderr in @r. */
static void sh_in(struct vt_result *r, const char *dir, const char *cmd)
{
	char *script = vt_strf("cd '%s' && %s", dir, cmd);
	char *path = vt_strf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char *home = vt_strf("HOME=%s", getenv("HOME") ? getenv("HOME") : "/root");
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	char *envp[] = { path, home, "LANG=C", NULL };
	struct vt_spawn sp = { .argv = argv, .envp = envp, .timeout = 280 };

	vt_spawn_run(&sp, r);
	free(script);
	free(path);
	free(home);
}

TEST_F_TIMEOUT(new_family, builds_and_passes, 300)
{
	char *copy = vt_strf(TAR " -C '%s' --exclude=./build --exclude=./.git -cf - . | "
			     TAR " -C '%s' -xf -", self->src, self->tmp);
	char *list = vt_strf("%s/tools/libc/include/vlibc/family-list.h", self->tmp);
	char *before, *after;
	struct vt_result r;
	size_t len;

	sh_in(&r, self->tmp, copy);
	ASSERT_EQ(0, r.status) TH_LOG("copy: %s", r.err);
	vt_result_free(&r);

	sh_in(&r, self->tmp, "scripts/new-family " FAMILY);
	ASSERT_EQ(0, r.status) TH_LOG("new-family: %s", r.err);
	vt_result_free(&r);
	before = vt_nonnull(vt_read_file(list, &len));
	ASSERT_NE(NULL, strstr(before, "VLIBC_FAMILY(" FAMILY ", ALWAYS)\n"));

	/* Again: refused, nothing changed. */
	sh_in(&r, self->tmp, "scripts/new-family " FAMILY);
	ASSERT_NE(0, r.status);
	vt_result_free(&r);
	after = vt_nonnull(vt_read_file(list, &len));
	ASSERT_STREQ(before, after);

	/* Every build product, then the new selftest, in the copy. */
	sh_in(&r, self->tmp, MAKE " -j2 O=build all build/selftests/" FAMILY
	      "/test_" FAMILY " 2>&1");
	ASSERT_EQ(0, r.status) TH_LOG("make: %s", r.out);
	ASSERT_EQ(NULL, strstr(r.out, "warning:")) TH_LOG("make: %s", r.out);
	vt_result_free(&r);

	sh_in(&r, self->tmp, "nm -D build/linux-vlibc.so.1");
	ASSERT_NE(NULL, strstr(r.out, " __vlibc_" FAMILY "@@LINUX_VLIBC_1\n"))
		TH_LOG("%s", r.out);
	vt_result_free(&r);

	sh_in(&r, self->tmp, "VLIBC_DEBUG=1 build/vlibc-run /bin/true");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_NE(NULL, strstr(r.err, "vlibc: binder ")) TH_LOG("%s", r.err);
	vt_result_free(&r);

	sh_in(&r, self->tmp, "O=build ./selftests/run build/selftests/"
	      FAMILY "/test_" FAMILY);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, strstr(r.out, "2 passed, 0 failed")) TH_LOG("%s", r.out);
	vt_result_free(&r);

	free(before);
	free(after);
	free(copy);
	free(list);
}

TEST_HARNESS_MAIN
