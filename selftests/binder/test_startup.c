// SPDX-License-Identifier: GPL-2.0
/*
 * The binder's start-up under hostile conditions: signal handlers that
 * fork while the first bound call sets things up, environments the
 * start-up snapshot cannot hold, and valgrind.
 */
#include "kselftest_harness.h"
#include "binder_test.h"

#define STORM_RUNS	40
#define STORM_TIMEOUT	10	/* seconds: a run that takes longer hung */

/*
 * A signal handler that forks while the first bound calls set up the
 * binder (probe forksig), in fresh processes: each run exits 0, none
 * hangs in the fork handler waiting for the work it interrupted (the
 * binder's start-up, or the getrandom family's state pool).
 */
TEST(fork_in_signal_handler)
{
	char *argv[] = { build_files()->probe, "forksig", NULL };
	struct vt_spawn sp = {
		.argv = argv, .envp = probe_env(build_files()->binder, NULL),
		.timeout = STORM_TIMEOUT,
	};
	long forks = 0;
	struct vt_result r;
	char *n;
	int i;

	for (i = 0; i < STORM_RUNS; i++) {
		vt_spawn_run(&sp, &r);
		ASSERT_EQ(0, r.status)
			TH_LOG("run %d: status %d (%d: killed after %d s, a hang)"
			       "\nstdout:\n%s\nstderr:\n%s", i, r.status,
			       128 + SIGALRM, STORM_TIMEOUT, r.out, r.err);
		n = vt_line_value(r.out, "forks");
		ASSERT_NE(NULL, n) TH_LOG("%s", r.out);
		forks += atol(n);
		free(n);
		vt_result_free(&r);
	}
	TH_LOG("%d runs, %ld forks from the signal handler", STORM_RUNS, forks);
}

/* --- the environment the binder reads ------------------------------------ */

#define PADDING_VARS	24	/* of 100 bytes: over the old 2 KiB snapshot */

/*
 * probe's environment: the binder, PADDING_VARS unrelated VLIBC_PAD*
 * variables of 100 bytes when @pad, then @var.
 */
static char **padded_env(int pad, const char *var)
{
	char **env = probe_env(build_files()->binder, NULL);
	int n = 2, i;

	for (i = 0; pad && i < PADDING_VARS; i++)
		env[n++] = vt_strf("VLIBC_PAD%02d=%0*d", i, 89, 0);
	env[n++] = (char *)var;
	env[n] = NULL;
	return env;
}

static void run_probe_env(struct vt_result *r, char **env)
{
	char *argv[] = { build_files()->probe, NULL };

	vt_run(r, argv, env);
}

/* The image the binder maps with no toggle: the kernel's, or a file. */
static char *usual_image(void)
{
	return kernel_gives_image() ? NULL : default_image();
}

FIXTURE(toggle) {
};

FIXTURE_VARIANT(toggle) {
	const char	*var;
	int		image_mapped;	/* without a kernel image */
	const char	*bound;
};

FIXTURE_VARIANT_ADD(toggle, off) { "VLIBC=off", 0, "glibc" };
FIXTURE_VARIANT_ADD(toggle, disable) { "VLIBC_DISABLE=getrandom", 1, "glibc" };
FIXTURE_VARIANT_ADD(toggle, image) { "VLIBC_IMAGE=/nonexistent/x.so", 0, "glibc" };
FIXTURE_VARIANT_ADD(toggle, variant) { "VLIBC_GETRANDOM=glibc", 1, "glibc" };
FIXTURE_VARIANT_ADD(toggle, lower_case_is_not_read) {
	"vlibc=off", 1, "vlibc" };

FIXTURE_SETUP(toggle)
{
}

FIXTURE_TEARDOWN(toggle)
{
}

/* Unrelated VLIBC_* variables before a toggle cannot crowd it out. */
TEST_F(toggle, after_many_vlibc_variables)
{
	char *image = variant->image_mapped ? usual_image() :
		      kernel_gives_image() ? NULL : strdup("none");
	struct vt_result r;

	if (!variant->image_mapped && !strncmp(variant->var, "VLIBC_IMAGE", 11) &&
	    kernel_gives_image())
		SKIP(return, "the kernel's image takes precedence");
	run_probe_env(&r, padded_env(1, variant->var));
	check_probe(_metadata, &r, image, variant->bound);
	vt_result_free(&r);
}

/* The control: the same toggle alone. */
TEST_F(toggle, alone)
{
	char *image = variant->image_mapped ? usual_image() :
		      kernel_gives_image() ? NULL : strdup("none");
	struct vt_result r;

	if (!variant->image_mapped && !strncmp(variant->var, "VLIBC_IMAGE", 11) &&
	    kernel_gives_image())
		SKIP(return, "the kernel's image takes precedence");
	run_probe_env(&r, padded_env(0, variant->var));
	check_probe(_metadata, &r, image, variant->bound);
	vt_result_free(&r);
}

/* "NAME=" followed by @len bytes of 'a' (a path when @name is VLIBC_IMAGE). */
static char *long_var(const char *name, size_t len)
{
	char *s = vt_strf("%s=%*s", name, (int)len, "");

	memset(strchr(s, '=') + 1, 'a', len);
	s[strlen(name) + 1] = '/';
	return s;
}

/*
 * A VLIBC_IMAGE longer than PATH_MAX names no file the binder could open:
 * an invalid image, glibc; never the image found elsewhere.
 */
TEST(image_path_over_path_max)
{
	struct vt_result r;

	if (kernel_gives_image())
		SKIP(return, "the kernel's image takes precedence");
	run_probe_env(&r, padded_env(0, long_var("VLIBC_IMAGE", PATH_MAX + 10)));
	check_probe(_metadata, &r, "none", "glibc");
	vt_result_free(&r);
}

/* The longest path there is (PATH_MAX - 1 bytes) is tried, and missing. */
TEST(image_path_of_path_max)
{
	char **env = padded_env(0, long_var("VLIBC_IMAGE", PATH_MAX - 1));
	struct vt_result r;

	if (kernel_gives_image())
		SKIP(return, "the kernel's image takes precedence");
	env[3] = "VLIBC_DEBUG=1";
	run_probe_env(&r, env);
	check_probe(_metadata, &r, "none", "glibc");
	ASSERT_NE(NULL, strstr(r.err, "vlibc: no image: cannot open"))
		TH_LOG("%.300s", r.err);
	vt_result_free(&r);
}

/* A value too long to keep reads the safe way: glibc. */
TEST(long_vlibc_value_is_off)
{
	struct vt_result r;

	run_probe_env(&r, padded_env(0, long_var("VLIBC", 300)));
	check_probe(_metadata, &r, kernel_gives_image() ? NULL : "none", "glibc");
	vt_result_free(&r);
}

TEST(long_family_variant_is_glibc)
{
	char *image = usual_image();
	struct vt_result r;

	run_probe_env(&r, padded_env(0, long_var("VLIBC_GETRANDOM", 300)));
	check_probe(_metadata, &r, image, "glibc");
	vt_result_free(&r);
}

TEST(long_disable_list_is_glibc)
{
	char *image = usual_image();
	struct vt_result r;

	run_probe_env(&r, padded_env(0, long_var("VLIBC_DISABLE", 3000)));
	check_probe(_metadata, &r, image, "glibc");
	vt_result_free(&r);
}

/* --- valgrind ---------------------------------------------------------- */

/*
 * Under valgrind the binder reads only memory valgrind's guest has (no
 * error), and either binds or says why not.  (valgrind runs the program
 * itself: vlibc-run is a script, whose children it would not trace.)
 */
TEST(valgrind_clean)
{
	char *argv[] = { "/usr/bin/valgrind", "-q", "--error-exitcode=99",
			 build_files()->probe, NULL };
	struct vt_spawn sp = {
		.argv = argv, .timeout = 120,
		.envp = probe_env(build_files()->binder, "VLIBC_DEBUG=1", NULL),
	};
	struct vt_result r;

	if (access(argv[0], X_OK))
		SKIP(return, "valgrind is not installed");
	vt_spawn_run(&sp, &r);
	ASSERT_EQ(0, r.status) TH_LOG("stdout:\n%s\nstderr:\n%s", r.out, r.err);
	ASSERT_TRUE(strstr(r.err, "vlibc: image ") || strstr(r.err, "vlibc: no image:") ||
		    strstr(r.err, "vlibc: off"))
		TH_LOG("the binder did not say what it did:\n%s", r.err);
	ASSERT_NE(NULL, strstr(r.err, "vlibc: family getrandom"))
		TH_LOG("the binder did not decide:\n%s", r.err);
	TH_LOG("%s", r.err);
	vt_result_free(&r);
}

TEST_HARNESS_MAIN
