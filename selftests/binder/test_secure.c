// SPDX-License-Identifier: GPL-2.0
/*
 * A setuid program (AT_SECURE) ignores the vlibc environment toggles.
 *
 * The dynamic linker ignores LD_PRELOAD paths with a slash in setuid
 * programs, so this uses probe-linked, which has the binder as DT_NEEDED
 * through an absolute run path.  A copy of it, setuid root, runs as
 * nobody with each toggle set; a copy without the setuid bit, run as
 * nobody with the same environment, shows that the toggle has an effect
 * there.  The copies live in a directory under $VLIBC_BUILD, as /tmp may
 * be mounted nosuid.
 */
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include "kselftest_harness.h"
#include "binder_test.h"

static void become_nobody(void *unused)
{
	if (setgroups(0, NULL) || setgid(VT_NOBODY) || setuid(VT_NOBODY)) {
		dprintf(2, "cannot become uid/gid %d: %s\n", VT_NOBODY,
			strerror(errno));
		_exit(126);
	}
}

/* The probe at @path, run as nobody with PATH and @vars (space-separated). */
static void run_as_nobody(struct vt_result *r, const char *path, const char *vars)
{
	char *argv[] = { (char *)path, NULL };
	char *var_copy = vt_nonnull(strdup(vars)), *save = NULL, *v;
	char *env[10] = { "PATH=/usr/bin:/bin" };
	struct vt_spawn sp = {
		.argv = argv, .envp = env, .child_setup = become_nobody,
	};
	int n = 1;

	for (v = strtok_r(var_copy, " ", &save); v && n < 9;
	     v = strtok_r(NULL, " ", &save))
		env[n++] = v;
	vt_spawn_run(&sp, r);
	free(var_copy);
}

/* Can uid VT_NOBODY search every directory from / down to @dir? */
static int reachable_by_others(const char *dir)
{
	char *path = vt_nonnull(strdup(dir)), *slash;
	struct stat st;
	int ok = 1;

	while (ok && *path) {
		ok = !stat(path, &st) && (st.st_mode & S_IXOTH);
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = 0;
	}
	free(path);
	return ok;
}

/*
 * Could only root have written @dir and every directory above it?  A
 * setuid program maps the image beside the binder only then.
 */
static int root_only_path(const char *dir)
{
	char *path = vt_nonnull(strdup(dir)), *slash;
	struct stat st;
	int ok = 1;

	while (ok && *path) {
		ok = !stat(path, &st) && !st.st_uid &&
		     !(st.st_mode & (S_IWGRP | S_IWOTH));
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = 0;
	}
	free(path);
	return ok;
}

/* Torn down in the parent, which an ASSERT in the test cannot skip. */
FIXTURE(secure) {
	char	dir[PATH_MAX];
	char	*setuid_probe;	/* root, 04755 */
	char	*plain_probe;	/* root, 0755 */
};

FIXTURE_VARIANT(secure) {
	const char	*env;		/* space-separated NAME=value */
	/* What the toggles do in a program that is not setuid: */
	int		image_mapped;
	const char	*bound;
	int		debug_output;
	int		kernel_overrides;	/* no effect with AT_VLIBC */
};

FIXTURE_VARIANT_ADD(secure, vlibc_off) {
	.env = "VLIBC=off", .image_mapped = 0, .bound = "glibc",
};
FIXTURE_VARIANT_ADD(secure, vlibc_image) {
	.env = "VLIBC_IMAGE=/nonexistent", .image_mapped = 0, .bound = "glibc",
	.kernel_overrides = 1,
};
FIXTURE_VARIANT_ADD(secure, vlibc_disable) {
	.env = "VLIBC_DISABLE=getrandom", .image_mapped = 1, .bound = "glibc",
};
FIXTURE_VARIANT_ADD(secure, vlibc_getrandom) {
	.env = "VLIBC_GETRANDOM=glibc", .image_mapped = 1, .bound = "glibc",
};
FIXTURE_VARIANT_ADD(secure, vlibc_debug) {
	.env = "VLIBC_DEBUG=1", .image_mapped = 1, .bound = "vlibc",
	.debug_output = 1,
};
FIXTURE_VARIANT_ADD(secure, all) {
	.env = "VLIBC=off VLIBC_IMAGE=/nonexistent VLIBC_DISABLE=getrandom "
	       "VLIBC_GETRANDOM=glibc VLIBC_DEBUG=1",
	.image_mapped = 0, .bound = "glibc", .debug_output = 1,
};

FIXTURE_SETUP(secure)
{
	const char *build = build_files()->dir;
	struct statvfs vfs;
	char *dir;

	if (geteuid())
		SKIP(return, "needs root to make a setuid root program");
	ASSERT_EQ(0, statvfs(build, &vfs));
	if (vfs.f_flag & ST_NOSUID)
		SKIP(return, "%s is on a nosuid mount", build);
	if (!reachable_by_others(build))
		SKIP(return, "uid %d cannot reach %s", VT_NOBODY, build);
	if (!kernel_gives_image() && !installed_image_exists() &&
	    !root_only_path(build))
		SKIP(return, "a user other than root could write %s", build);
	dir = vt_mkdtemp(build);
	ASSERT_NE(NULL, dir);
	snprintf(self->dir, sizeof(self->dir), "%s", dir);
	free(dir);
}

FIXTURE_TEARDOWN_PARENT(secure)
{
	if (self->dir[0])
		vt_rm_rf(self->dir);
}

/* The setuid root copy of probe-linked and a plain one, in @dir. */
static void make_probes_in(struct __test_metadata *_metadata, const char *dir,
			   char **setuid_probe, char **plain_probe)
{
	ASSERT_EQ(0, chmod(dir, 0755));
	*setuid_probe = vt_strf("%s/probe-setuid", dir);
	*plain_probe = vt_strf("%s/probe-plain", dir);
	ASSERT_EQ(0, vt_copy_file(build_files()->probe_linked,
				  *setuid_probe, 0755));
	ASSERT_EQ(0, chown(*setuid_probe, 0, 0));
	ASSERT_EQ(0, chmod(*setuid_probe, 04755));	/* after chown */
	ASSERT_EQ(0, vt_copy_file(build_files()->probe_linked,
				  *plain_probe, 0755));
}

#define make_probes(_metadata, self)					\
	make_probes_in(_metadata, (self)->dir, &(self)->setuid_probe,	\
		       &(self)->plain_probe)

static char *expected_image(void)
{
	return kernel_gives_image() ? vt_nonnull(strdup("[vlibc]")) :
				      default_image();
}

TEST_F(secure, setuid_ignores_toggle)
{
	char *image = expected_image();
	struct vt_result r;

	make_probes(_metadata, self);
	run_as_nobody(&r, self->setuid_probe, variant->env);
	check_probe(_metadata, &r, image, "vlibc");
	ASSERT_STREQ("1", STR_OR(vt_line_value(r.out, "secure"), ""))
		TH_LOG("the setuid probe did not run with AT_SECURE");
	ASSERT_EQ(NULL, strstr(r.err, "vlibc:")) TH_LOG("%s", r.err);
	vt_result_free(&r);
	free(image);
}

/* The control: the toggle works where the program is not setuid. */
TEST_F(secure, plain_honours_toggle)
{
	char *image = variant->image_mapped || kernel_gives_image() ?
		      expected_image() : vt_nonnull(strdup("none"));
	struct vt_result r;

	if (variant->kernel_overrides && kernel_gives_image())
		SKIP(return, "the kernel's image takes precedence");
	make_probes(_metadata, self);
	run_as_nobody(&r, self->plain_probe, variant->env);
	check_probe(_metadata, &r, image, variant->bound);
	ASSERT_STREQ("0", STR_OR(vt_line_value(r.out, "secure"), ""));
	ASSERT_EQ(variant->debug_output, strstr(r.err, "vlibc:") != NULL)
		TH_LOG("%s", r.err);
	vt_result_free(&r);
	free(image);
}

/* --- an image a user other than root could have written ------------------ */

enum unsafe {
	SAFE, FILE_WRITABLE, FILE_GROUP_WRITABLE, FILE_NOT_ROOTS, DIR_WRITABLE,
	DIR_NOT_ROOTS, TOP_WRITABLE, LINK_TO_UNSAFE, LINK_TO_SAFE,
	LINK_IN_UNSAFE_DIR,
};

FIXTURE(installed) {
	char	*path;		/* /lib/modules/$(uname -r)/vdso/linux-vlibc.so.1 */
	char	dir[PATH_MAX];	/* for the probes */
	char	*setuid_probe, *plain_probe;
	int	made_lib_modules;
};

FIXTURE_VARIANT(installed) {
	enum unsafe	unsafe;
	int		secure_maps;	/* a setuid program maps it */
};

FIXTURE_VARIANT_ADD(installed, safe) { SAFE, 1 };
FIXTURE_VARIANT_ADD(installed, file_writable) { FILE_WRITABLE, 0 };
FIXTURE_VARIANT_ADD(installed, file_group_writable) { FILE_GROUP_WRITABLE, 0 };
FIXTURE_VARIANT_ADD(installed, file_not_roots) { FILE_NOT_ROOTS, 0 };
FIXTURE_VARIANT_ADD(installed, dir_writable) { DIR_WRITABLE, 0 };
FIXTURE_VARIANT_ADD(installed, dir_not_roots) { DIR_NOT_ROOTS, 0 };
FIXTURE_VARIANT_ADD(installed, top_writable) { TOP_WRITABLE, 0 };
FIXTURE_VARIANT_ADD(installed, link_to_unsafe) { LINK_TO_UNSAFE, 0 };
FIXTURE_VARIANT_ADD(installed, link_to_safe) { LINK_TO_SAFE, 1 };
FIXTURE_VARIANT_ADD(installed, link_in_unsafe_dir) { LINK_IN_UNSAFE_DIR, 0 };

FIXTURE_SETUP(installed)
{
	struct statvfs vfs;
	char *dir;

	self->path = installed_image_path();
	self->made_lib_modules = 0;
	if (geteuid())
		SKIP(return, "needs root to make a setuid root program");
	if (kernel_gives_image())
		SKIP(return, "the kernel maps the image (AT_VLIBC)");
	ASSERT_EQ(0, statvfs(build_files()->dir, &vfs));
	if (vfs.f_flag & ST_NOSUID)
		SKIP(return, "%s is on a nosuid mount", build_files()->dir);
	if (!reachable_by_others(build_files()->dir))
		SKIP(return, "uid %d cannot reach %s", VT_NOBODY, build_files()->dir);
	dir = vt_mkdtemp(build_files()->dir);
	ASSERT_NE(NULL, dir);
	snprintf(self->dir, sizeof(self->dir), "%s", dir);
	free(dir);
	if (mkdir("/lib/modules", 0755) == 0)
		self->made_lib_modules = 1;
	else
		ASSERT_EQ(EEXIST, errno);
}

FIXTURE_TEARDOWN_PARENT(installed)
{
	if (self->made_lib_modules)
		rmdir("/lib/modules");
	if (self->dir[0])
		vt_rm_rf(self->dir);
}

/* Put the image at self->path, on a private tmpfs, the way @unsafe says. */
static void install_unsafely(struct __test_metadata *_metadata,
			     FIXTURE_DATA(installed) *self, enum unsafe unsafe)
{
	char *vdso = vt_strf("%.*s", (int)(strrchr(self->path, '/') - self->path),
			     self->path);
	char *release = vt_strf("%.*s", (int)(strrchr(vdso, '/') - vdso), vdso);
	char *other = "/lib/modules/elsewhere", *target;

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("vlibc-test", "/lib/modules", "tmpfs", 0,
			   unsafe == TOP_WRITABLE ? "mode=0777" : "mode=0755"));
	ASSERT_EQ(0, mkdir(release, 0755));
	ASSERT_EQ(0, mkdir(vdso, 0755));
	ASSERT_EQ(0, mkdir(other, 0755));
	target = vt_strf("%s/linux-vlibc.so.1", other);
	switch (unsafe) {
	case LINK_TO_UNSAFE:
	case LINK_TO_SAFE:
		ASSERT_EQ(0, vt_copy_file(build_files()->image, target, 0644));
		ASSERT_EQ(0, symlink("../../elsewhere/linux-vlibc.so.1", self->path));
		if (unsafe == LINK_TO_UNSAFE)
			ASSERT_EQ(0, chown(other, VT_NOBODY, VT_NOBODY));
		break;
	case LINK_IN_UNSAFE_DIR:
		ASSERT_EQ(0, vt_copy_file(build_files()->image, target, 0644));
		ASSERT_EQ(0, symlink(target, self->path));
		ASSERT_EQ(0, chown(vdso, VT_NOBODY, VT_NOBODY));
		break;
	default:
		ASSERT_EQ(0, vt_copy_file(build_files()->image, self->path,
					  unsafe == FILE_WRITABLE ? 0666 :
					  unsafe == FILE_GROUP_WRITABLE ? 0664 : 0644));
	}
	if (unsafe == FILE_NOT_ROOTS)
		ASSERT_EQ(0, chown(self->path, VT_NOBODY, VT_NOBODY));
	if (unsafe == DIR_WRITABLE)
		ASSERT_EQ(0, chmod(vdso, 0777));
	if (unsafe == DIR_NOT_ROOTS)
		ASSERT_EQ(0, chown(release, VT_NOBODY, VT_NOBODY));
	free(target);
	free(release);
	free(vdso);
}

/*
 * A setuid program maps the installed image only if no user other than
 * root could have written it, the directories above it, or those of a
 * link's target; a plain program maps it either way.
 */
TEST_F(installed, setuid_maps_only_roots_image)
{
	char *real, *expect;
	struct vt_result r;

	install_unsafely(_metadata, self, variant->unsafe);
	real = realpath(self->path, NULL);
	ASSERT_NE(NULL, real);
	make_probes(_metadata, self);
	expect = variant->secure_maps ? real : "none";
	run_as_nobody(&r, self->setuid_probe, "");
	check_probe(_metadata, &r, expect, variant->secure_maps ? "vlibc" : "glibc");
	ASSERT_STREQ("1", STR_OR(vt_line_value(r.out, "secure"), ""));
	vt_result_free(&r);
	run_as_nobody(&r, self->plain_probe, "");
	check_probe(_metadata, &r, real, "vlibc");
	vt_result_free(&r);
	free(real);
}

/* probe-linked, without toggles, binds through the binder like a preload. */
TEST(linked_probe_binds)
{
	char *argv[] = { build_files()->probe_linked, NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	char *image = expected_image();
	struct vt_result r;

	vt_run(&r, argv, env);
	check_probe(_metadata, &r, image, "vlibc");
	vt_result_free(&r);
	free(image);
}

TEST_HARNESS_MAIN
