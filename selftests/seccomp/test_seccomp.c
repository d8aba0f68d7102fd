// SPDX-License-Identifier: GPL-2.0
/*
 * Every family under every kind of sandbox (issue 11).
 *
 * For each family, workload (workload.c) runs once under plain glibc (no
 * binder) with strace -f: the call numbers it makes, and the mmap flags it
 * uses, are what plain glibc needs for that work.  Then it runs under
 * build/vlibc-run, the family on its default variant, with a seccomp
 * filter (selftests/lib/seccomp.h) installed before the family's first
 * call or after it, which:
 *
 *	enosys, eperm, trap	refuses every other call (and mmap with other
 *				flags) with ENOSYS, EPERM, or SIGSYS whose
 *				handler returns -ENOSYS (Firefox-style)
 *	kill			kills the process on any other call number
 *
 * A cell passes when the workload's results are right, nothing hung, the
 * process was not killed, and (trap) it saw at most MAX_TRAPS SIGSYS: a
 * refused call is not made again and again.  The "none" cells check that the family
 * really runs on vlibc there, so glibc is never tested in its place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vlibc_test.h"
#include "seccomp.h"

#define STRACE		"/usr/bin/strace"
#define CELL_TIMEOUT	15	/* seconds; the workload gives up after 5 */
#define FAMILIES	4
/* SIGSYS a TRAP cell may see: each refused call, on a few racing threads. */
#define MAX_TRAPS	16

static const char *const family_names[FAMILIES] = {
	"getrandom", "aio", "locks", "memcpy"
};

/* What plain glibc needs per family: "0,1,3,...", and the mmap flags. */
static struct {
	char	*allow;
	char	mmap_flags[24];
	char	*why_not;		/* set when it could not be found out */
} glibc_needs[FAMILIES];

static char *workload_path(void)
{
	return vt_build_path("selftests/seccomp/workload");
}

/* Call numbers and mmap flags from strace -n -e raw=mmap output. */
static void parse_strace(const char *text, unsigned char *seen,
			 unsigned long *mmap_flags)
{
	const char *line, *end, *p;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		unsigned long nr, a[4];

		end = strchr(line, '\n');
		p = strchr(line, '[');
		if (!p || (end && p > end) || sscanf(p, "[ %lu]", &nr) != 1 ||
		    nr >= VSC_MAX_NR)
			continue;
		seen[nr] = 1;
		p = strchr(p, ']') + 1;
		if (nr == __NR_mmap && !strncmp(p, " mmap(", 6) &&
		    sscanf(p, " mmap(%lx, %lx, %lx, %lx", &a[0], &a[1], &a[2],
			   &a[3]) == 4)
			*mmap_flags |= a[3];
	}
}

/* Run the workload of family @i under plain glibc and strace. */
static void find_glibc_needs(int i)
{
	char *work = workload_path(), *out = vt_strf("/tmp/vlibc-strace.%d.%s",
						     getpid(), family_names[i]);
	char *argv[] = { STRACE, "-f", "-qq", "-n", "-e", "raw=mmap", "-o", out,
			 work, (char *)family_names[i], "none", "before", "0",
			 "0", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	unsigned char seen[VSC_MAX_NR] = { 0 };
	unsigned long flags = 0;
	struct vt_result r;
	size_t n = 0, cap = 4 * VSC_MAX_NR;
	char *text;
	int nr;

	vt_run(&r, argv, envp);
	text = vt_read_file(out, NULL);
	unlink(out);
	if (r.status != 0 || !text) {
		glibc_needs[i].why_not = vt_strf("plain glibc run: status %d: %s",
						 r.status, r.err);
		goto out;
	}
	parse_strace(text, seen, &flags);
	glibc_needs[i].allow = vt_nonnull(calloc(1, cap));
	for (nr = 0; nr < VSC_MAX_NR; nr++)
		if (seen[nr])
			n += snprintf(glibc_needs[i].allow + n, cap - n, "%s%d",
				      n ? "," : "", nr);
	snprintf(glibc_needs[i].mmap_flags, sizeof(glibc_needs[i].mmap_flags),
		 "0x%lx", flags);
	free(text);
out:
	vt_result_free(&r);
	free(work);
	free(out);
}

static int family_index(const char *name)
{
	int i;

	for (i = 0; i < FAMILIES; i++)
		if (!strcmp(name, family_names[i]))
			return i;
	return -1;
}

/* vlibc-run workload FAMILY MODE POINT ALLOW FLAGS; memcpy opted in. */
static void run_cell(struct vt_result *r, const char *family, const char *mode,
		     const char *point, const char *allow, const char *flags,
		     const char *memcpy_variant)
{
	char *runner = vt_build_path("vlibc-run"), *work = workload_path();
	char *memcpy_env = vt_strf("VLIBC_MEMCPY=%s", memcpy_variant);
	char *argv[] = { runner, work, (char *)family, (char *)mode,
			 (char *)point, (char *)allow, (char *)flags, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", memcpy_env, NULL };
	struct vt_spawn sp = { .argv = argv, .envp = envp,
			       .timeout = CELL_TIMEOUT };

	vt_spawn_run(&sp, r);
	free(runner);
	free(work);
	free(memcpy_env);
}

FIXTURE(cell) {
};

FIXTURE_VARIANT(cell) {
	const char	*family;
	const char	*mode;
	const char	*point;
};

#define CELL(f, m, p)							\
	FIXTURE_VARIANT_ADD(cell, f##_##m##_##p) {			\
		.family = #f, .mode = #m, .point = #p,			\
	}
#define FAMILY_CELLS(f)							\
	CELL(f, none, before); CELL(f, none, after);			\
	CELL(f, enosys, before); CELL(f, enosys, after);		\
	CELL(f, eperm, before); CELL(f, eperm, after);			\
	CELL(f, trap, before); CELL(f, trap, after);			\
	CELL(f, kill, before); CELL(f, kill, after)

FAMILY_CELLS(getrandom);
FAMILY_CELLS(aio);
FAMILY_CELLS(locks);
FAMILY_CELLS(memcpy);

FIXTURE_SETUP(cell)
{
}

FIXTURE_TEARDOWN(cell)
{
}

TEST_F(cell, run)
{
	int i = family_index(variant->family);
	struct vt_result r;
	char *result, *bound, what[64];

	ASSERT_LE(0, i);
	if (glibc_needs[i].why_not)
		SKIP(return, "%s", glibc_needs[i].why_not);
	run_cell(&r, variant->family, variant->mode, variant->point,
		 glibc_needs[i].allow, glibc_needs[i].mmap_flags,
		 !strcmp(variant->family, "memcpy") ? "auto" : "glibc");
	TH_LOG("%s %s %s: %s; %s", variant->family, variant->mode,
	       variant->point, vt_child_what(r.status, what, sizeof(what)),
	       r.out[0] ? r.out : "(no output)");
	if (r.err[0])
		TH_LOG("stderr: %.2000s", r.err);
	result = vt_line_value(r.out, "result");
	EXPECT_EQ(0, r.status);
	ASSERT_NE(NULL, result);
	EXPECT_STREQ("ok", strtok(result, " "));
	/* A refusal turns a call off for good: a handful of SIGSYS at most. */
	if (!strcmp(variant->mode, "trap")) {
		const char *hits = strstr(r.out, "sigsys=");

		ASSERT_NE(NULL, hits);
		EXPECT_GE(MAX_TRAPS, atol(hits + 7));
	}
	/*
	 * Unfiltered, the family must be on vlibc: else this tests glibc.
	 * Where the system libc binds getrandom itself (libc mode), the
	 * binder leaves it to libc, which runs it on the image.
	 */
	if (!strcmp(variant->mode, "none")) {
		bound = strstr(r.out, "bound=");
		ASSERT_NE(NULL, bound);
		if (!strcmp(variant->family, "getrandom") && vt_libc_binds(VT_FAMILY_getrandom)) {
			EXPECT_EQ(0, strncmp(bound, "bound=glibc", 11));
		} else {
			EXPECT_NE(0, strncmp(bound, "bound=glibc", 11));
		}
	}
	free(result);
	vt_result_free(&r);
}

/*
 * The memcpy family makes no system call once bound: after a first
 * copy, a filter that allows nothing but exit kills the process on any
 * call, and the copies (checked, exit status) still run.
 */
TEST(memcpy_makes_no_call_after_binding)
{
	struct vt_result r;
	char what[64];

	run_cell(&r, "memcpy", "kill", "after", "-", "0", "auto");
	TH_LOG("%s", vt_child_what(r.status, what, sizeof(what)));
	EXPECT_EQ(0, r.status);
	vt_result_free(&r);
}

/*
 * The same check catches a call: the opt-in pvr variant copies large
 * blocks with process_vm_readv(2) and is killed.
 */
TEST(memcpy_pvr_variant_is_caught)
{
	struct vt_result r;
	char what[64];

	run_cell(&r, "memcpy", "kill", "after", "-", "0", "pvr");
	TH_LOG("%s", vt_child_what(r.status, what, sizeof(what)));
	EXPECT_EQ(128 + SIGSYS, r.status);
	vt_result_free(&r);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 0; i < FAMILIES; i++) {
		if (access(STRACE, X_OK))
			glibc_needs[i].why_not = "strace is not installed";
		else
			find_glibc_needs(i);
	}
	return test_harness_run(argc, argv);
}
