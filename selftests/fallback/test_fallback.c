// SPDX-License-Identifier: GPL-2.0
/*
 * A family whose kernel feature is missing falls back to glibc's own
 * functions, for the whole process.  io_uring is taken away from a child
 * with a seccomp filter (as Docker's default profile does, EPERM, or as a
 * kernel without it would, ENOSYS), then an ordinary AIO user runs with
 * the binder preloaded: its I/O must work, on glibc's functions.
 */
#include <errno.h>
#include "kselftest_harness.h"
#include "seccomp.h"
#include "vlibc_test.h"

/*
 * In the child: refuse io_uring_setup with *@err; allow everything else.
 * The binder never asks for io_uring under a filter (it reads the
 * seccomp mode first), so the child proves here that the filter the
 * program runs under does refuse it: exit 97 if not (as under a filter
 * that allows everything).
 */
static void deny_io_uring(void *err)
{
	static const int setup[] = { __NR_io_uring_setup };
	unsigned int ret = SECCOMP_RET_ERRNO | (*(int *)err & SECCOMP_RET_DATA);

	if (vsc_deny(setup, 1, ret, VSC_VIA_PRCTL))
		_exit(98);
	if (!vsc_answers(__NR_io_uring_setup, ret))
		_exit(97);
}

/* Run aio_user with the binder, io_uring refused with @err (0: allowed). */
static void run_user(struct vt_result *r, int err, const char *variant)
{
	char *prog = vt_build_path("selftests/fallback/aio_user");
	char *binder = vt_build_path("libvlibc.so");
	char *preload = vt_strf("LD_PRELOAD=%s", binder);
	char *envp[] = { preload, "VLIBC_DEBUG=1", (char *)variant, NULL };
	char *argv[] = { prog, NULL };
	struct vt_spawn sp = { .argv = argv, .envp = envp,
			       .child_setup = err ? deny_io_uring : NULL,
			       .arg = &err };

	vt_spawn_run(&sp, r);
	free(prog);
	free(binder);
	free(preload);
}

TEST(io_uring_allowed_binds_vlibc)
{
	struct vt_result r;

	run_user(&r, 0, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=binder")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.err, "family aio -> vlibc")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

TEST(io_uring_eperm_falls_back_to_glibc)
{
	struct vt_result r;

	run_user(&r, EPERM, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
	/* Why: the family's own probe, or (image from a file) the binder
	 * mapped nothing under a filter. */
	EXPECT_TRUE(strstr(r.err, "io_uring is not available") ||
		    strstr(r.err, "a seccomp filter is in force")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "bind aio_write -> glibc")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.err, "bind aio_write -> vlibc")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

TEST(io_uring_enosys_falls_back_to_glibc)
{
	struct vt_result r;

	run_user(&r, ENOSYS, NULL);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
	vt_result_free(&r);
}

TEST(variant_glibc_binds_glibc)
{
	struct vt_result r;

	run_user(&r, 0, "VLIBC_AIO=glibc");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "aio_read=glibc")) TH_LOG("%s", r.out);
	vt_result_free(&r);
}

TEST_HARNESS_MAIN
