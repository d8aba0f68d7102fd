/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the binder selftests share: where the build put things, running the
 * probe (probe.c) and checking its report.  Include after
 * kselftest_harness.h: the checks use ASSERT_*().
 */
#ifndef _VLIBC_BINDER_TEST_H
#define _VLIBC_BINDER_TEST_H

#include <stdarg.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include "vlibc_test.h"

#define AT_VLIBC_TYPE	60
#define PROBE_NAMES	4

static const char *const probe_names[PROBE_NAMES] = {
	"getrandom", "arc4random", "arc4random_buf", "arc4random_uniform",
};

/* Files of the build, absolute and with symbolic links resolved. */
struct build_files {
	char	*dir;		/* $VLIBC_BUILD */
	char	*binder;	/* libvlibc.so */
	char	*image;		/* linux-vlibc.so.1 */
	char	*probe;		/* selftests/binder/probe */
	char	*probe_linked;	/* selftests/binder/probe-linked */
	char	*run;		/* vlibc-run */
};

static inline char *build_file(const char *name)
{
	char *rel = vt_build_path(name), *abs = realpath(rel, NULL);

	if (!abs)
		abs = rel;	/* missing: the test fails on it, named */
	else
		free(rel);
	return abs;
}

static inline const struct build_files *build_files(void)
{
	static struct build_files f;

	if (!f.dir) {
		f.dir = build_file(".");
		f.binder = build_file("libvlibc.so");
		f.image = build_file("linux-vlibc.so.1");
		f.probe = build_file("selftests/binder/probe");
		f.probe_linked = build_file("selftests/binder/probe-linked");
		f.run = build_file("vlibc-run");
	}
	return &f;
}

/* /lib/modules/$(uname -r)/vdso/linux-vlibc.so.1, where install puts it. */
static inline char *installed_image_path(void)
{
	struct utsname u;

	if (uname(&u))
		abort();
	return vt_strf("/lib/modules/%s/vdso/linux-vlibc.so.1", u.release);
}

static inline int installed_image_exists(void)
{
	char *path = installed_image_path();
	int r = !access(path, F_OK);

	free(path);
	return r;
}

/* The image file the binder finds by default: installed, else the build's. */
static inline char *default_image(void)
{
	char *installed = installed_image_path(), *real = realpath(installed, NULL);

	free(installed);
	return real ? real : vt_nonnull(strdup(build_files()->image));
}

/* Did the kernel map an image into this process (and so into children)? */
static inline int kernel_gives_image(void)
{
	return getauxval(AT_VLIBC_TYPE) != 0;
}

/*
 * A NULL-terminated environment: PATH, LD_PRELOAD=@preload unless NULL,
 * then the NULL-terminated list of "NAME=value" strings that follows.
 */
static inline char **probe_env(const char *preload, ...)
{
	static char path[] = "PATH=/usr/bin:/bin";
	char **env = vt_nonnull(calloc(32, sizeof(*env)));
	const char *s;
	va_list ap;
	int n = 0;

	env[n++] = path;
	if (preload)
		env[n++] = vt_strf("LD_PRELOAD=%s", preload);
	va_start(ap, preload);
	while ((s = va_arg(ap, const char *)) && n < 31)
		env[n++] = (char *)s;
	va_end(ap);
	return env;
}

struct probe_report {
	char	*image, *private, *at_vlibc, *secure;
	char	*bound[PROBE_NAMES];
};

static inline void report_parse(struct probe_report *p, const char *out)
{
	int i;

	p->image = vt_line_value(out, "image");
	p->private = vt_line_value(out, "private");
	p->at_vlibc = vt_line_value(out, "at_vlibc");
	p->secure = vt_line_value(out, "secure");
	for (i = 0; i < PROBE_NAMES; i++)
		p->bound[i] = vt_line_value(out, probe_names[i]);
}

#define STR_OR(s, d)	((s) ? (s) : (d))

/*
 * The probe exited 0, reported image @image (NULL: do not check) and bound
 * every name to @bound ("vlibc" or "glibc").
 */
static inline void check_probe(struct __test_metadata *_metadata,
			       const struct vt_result *r, const char *image,
			       const char *bound)
{
	struct probe_report p;
	int i;

	report_parse(&p, r->out);
	ASSERT_EQ(0, r->status)
		TH_LOG("probe status %d\nstdout:\n%s\nstderr:\n%s",
		       r->status, r->out, r->err);
	ASSERT_NE(NULL, p.image) TH_LOG("no report:\n%s", r->out);
	if (image) {
		ASSERT_STREQ(image, p.image)
			TH_LOG("stderr:\n%s", r->err);
	}
	/*
	 * The probe's names are the getrandom family's: where the system libc
	 * binds it itself (libc mode), the binder leaves them to libc.
	 */
	if (!strcmp(bound, "vlibc") && vt_libc_binds(VT_FAMILY_getrandom))
		bound = "glibc";
	for (i = 0; i < PROBE_NAMES; i++) {
		ASSERT_STREQ(bound, STR_OR(p.bound[i], "(missing)"))
			TH_LOG("%s bound wrongly; stdout:\n%s\nstderr:\n%s",
			       probe_names[i], r->out, r->err);
	}
	/* The private region comes and goes with the image. */
	ASSERT_STREQ(strcmp(p.image, "none") ? "yes" : "no", STR_OR(p.private, ""))
		TH_LOG("image and private region disagree:\n%s", r->out);
}

#endif /* _VLIBC_BINDER_TEST_H */
