// SPDX-License-Identifier: GPL-2.0
/*
 * The memcpy family: memcpy(), memmove(), mempcpy(), memset() and the
 * fortified __memcpy_chk(), __memmove_chk(), __mempcpy_chk(),
 * __memset_chk(), checked against byte loops.
 *
 * The program runs itself again with $VLIBC_BUILD/libvlibc-memcpy.so preloaded
 * (MEMCPY_SELFTEST_REEXECUTED=1 runs it on plain glibc: every behaviour
 * case must pass there too).  Built with -fno-builtin and
 * -fno-tree-loop-distribute-patterns (selftests/memcpy/Makefile.inc):
 * every call under test goes through the PLT, and the reference loops
 * stay loops.
 *
 *	test_memcpy --child sweep	a quick sweep, for the variant cases
 *	test_memcpy --child owners	where each name is bound
 *	test_memcpy --child chk NAME FITS	call a fortified NAME
 */
#include "kselftest_harness.h"
#include "vlibc_test.h"

#include <limits.h>
#include <stdint.h>
#include <sys/syscall.h>

#define REEXEC_MARK	"MEMCPY_SELFTEST_REEXECUTED"
#define GUARD		64
#define KiB		1024UL
#define MiB		(1024UL * KiB)

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__mempcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);

static const char *const names[] = {
	"memcpy", "memmove", "mempcpy", "__mempcpy", "memset",
	"__memcpy_chk", "__memmove_chk", "__mempcpy_chk", "__memset_chk",
};

enum { T_MEMCPY, T_MEMMOVE, T_MEMPCPY, T_MEMSET, T_FUNCS };

/* --- references and helpers --------------------------------------------- */

static void ref_fill(unsigned char *p, int c, size_t n)
{
	while (n--)
		*p++ = (unsigned char)c;
}

/* memmove() as a byte loop. */
static void ref_move(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t i;

	if (d < s)
		for (i = 0; i < n; i++)
			d[i] = s[i];
	else
		for (i = n; i-- > 0;)
			d[i] = s[i];
}

static void pattern(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 8)) ^ (i >> 13));
}

/* The first byte where @a and @b differ, or -1. */
static long first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	if (!memcmp(a, b, n))
		return -1;
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

static int only(const unsigned char *p, int c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)c)
			return 0;
	return 1;
}

static void *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Call function @f on @d, @s, @n (@c for memset) and check its return
 * value; 0 or -1.
 */
static int call(int f, unsigned char *d, const unsigned char *s, int c, size_t n)
{
	switch (f) {
	case T_MEMCPY:
		return memcpy(d, s, n) == d ? 0 : -1;
	case T_MEMMOVE:
		return memmove(d, s, n) == d ? 0 : -1;
	case T_MEMPCPY:
		return mempcpy(d, s, n) == d + n ? 0 : -1;
	default:
		return memset(d, c, n) == d ? 0 : -1;
	}
}

static const char *fname(int f)
{
	return f == T_MEMCPY ? "memcpy" : f == T_MEMMOVE ? "memmove" :
	       f == T_MEMPCPY ? "mempcpy" : "memset";
}

/*
 * One disjoint call of @f with @n bytes at source offset @sa and
 * destination offset @da (from 64-byte aligned bases past a guard), with
 * GUARD bytes before and after the destination checked; 0 or -1 with
 * the failure printed.
 */
static int check_one(int f, unsigned char *dbuf, const unsigned char *sbuf,
		     size_t n, size_t sa, size_t da, int c)
{
	unsigned char *d = dbuf + GUARD + da;
	const unsigned char *s = sbuf + GUARD + sa;
	long at;

	ref_fill(d - GUARD, 0xee, n + 2 * GUARD);
	if (call(f, d, s, c, n)) {
		printf("# %s(n=%zu sa=%zu da=%zu): wrong return value\n",
		       fname(f), n, sa, da);
		return -1;
	}
	if (f == T_MEMSET)
		at = only(d, c, n) ? -1 : 0;
	else
		at = first_diff(d, s, n);
	if (at >= 0 || !only(d - GUARD, 0xee, GUARD) || !only(d + n, 0xee, GUARD)) {
		printf("# %s(n=%zu sa=%zu da=%zu): %s\n", fname(f), n, sa, da,
		       at >= 0 ? "wrong bytes" : "guard bytes written");
		return -1;
	}
	return 0;
}

/* --- every size 0-1024 at every alignment 0-63 -------------------------- */

static int sweep_all(int f, size_t max, size_t step_align)
{
	size_t size = max + 64 + 2 * GUARD + 64;
	unsigned char *s = map(size), *d = map(size);
	size_t n, sa, da;
	int bad = 0;

	if (!s || !d)
		return -1;
	pattern(s, size, 1);
	for (n = 0; n <= max && bad < 5; n++)
		for (da = 0; da < 64; da += step_align)
			for (sa = 0; sa < (f == T_MEMSET ? 1 : 64); sa += step_align)
				if (check_one(f, d, s, n, sa, da, (int)(n + da) | 0x80))
					bad++;
	munmap(s, size);
	munmap(d, size);
	return bad ? -1 : 0;
}

TEST(memcpy_every_size_alignment)
{
	ASSERT_EQ(0, sweep_all(T_MEMCPY, 1024, 1));
}

TEST(memmove_every_size_alignment)
{
	ASSERT_EQ(0, sweep_all(T_MEMMOVE, 1024, 1));
}

TEST(mempcpy_every_size_alignment)
{
	ASSERT_EQ(0, sweep_all(T_MEMPCPY, 1024, 1));
}

TEST(memset_every_size_alignment)
{
	ASSERT_EQ(0, sweep_all(T_MEMSET, 1024, 1));
}

/* --- memmove with overlap ------------------------------------------------ */

/* memmove(buf + off + delta, buf + off, n) against ref_move(); 0 or -1. */
static int overlap_one(unsigned char *buf, unsigned char *ref, size_t len,
		       size_t n, size_t off, long delta)
{
	long at;

	pattern(buf, len, (unsigned int)(n + delta));
	pattern(ref, len, (unsigned int)(n + delta));
	ref_move(ref + off + delta, ref + off, n);
	if (memmove(buf + off + delta, buf + off, n) != buf + off + delta) {
		printf("# memmove overlap n=%zu delta=%ld: return value\n", n, delta);
		return -1;
	}
	at = first_diff(buf, ref, len);
	if (at >= 0) {
		printf("# memmove overlap n=%zu off=%zu delta=%ld: byte %ld\n",
		       n, off, delta, at);
		return -1;
	}
	return 0;
}

TEST(memmove_overlap)
{
	static const size_t big[] = {
		1023, 1024, 1025, 2047, 2048, 2049, 2111, 2112, 2113, 4095,
		4096, 4097, 8191, 8192, 16383, 32767, 32768, 32769, 65536 + 33,
		262144 + 7, MiB - 1, MiB + 65,
	};
	size_t len = 2 * MiB + 4096, n, i;
	unsigned char *buf = map(len), *ref = map(len);
	long delta;
	int bad = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, ref);
	/* Every size to 600, every distance to 130 both ways. */
	for (n = 0; n <= 600 && !bad; n++)
		for (delta = -130; delta <= 130 && !bad; delta++)
			bad = overlap_one(buf, ref, 2048, n, 200 + (n & 7), delta);
	for (i = 0; i < sizeof(big) / sizeof(big[0]) && !bad; i++) {
		static const long deltas[] = { -4097, -513, -64, -33, -1, 1, 7,
					       64, 65, 512, 4096, 4099 };
		size_t k;

		for (k = 0; k < sizeof(deltas) / sizeof(deltas[0]) && !bad; k++)
			bad = overlap_one(buf, ref, big[i] + 16384, big[i],
					  8192 + (i & 7), deltas[k]);
	}
	/* Overlap by a distance of a few vectors at large sizes, too. */
	for (delta = 1; delta <= 520 && !bad; delta += 37) {
		bad = overlap_one(buf, ref, len, MiB + 3, 4096 + 5, delta);
		if (!bad)
			bad = overlap_one(buf, ref, len, MiB + 3, 4096 + 5 + 600, -delta);
	}
	EXPECT_EQ(0, bad);
	munmap(buf, len);
	munmap(ref, len);
}

/* --- page boundaries with PROT_NONE guards ------------------------------- */

/*
 * @pages read/write pages between two PROT_NONE pages: copy n bytes so
 * that source and destination end exactly at the guard after them, then
 * so that they start exactly after the guard before them.
 */
static int guarded(size_t n, int f)
{
	size_t pg = 4096, pages = (n + pg - 1) / pg + 1, len = (pages + 2) * pg;
	unsigned char *s = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *d = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *se = s + (pages + 1) * pg, *de = d + (pages + 1) * pg;
	int bad = 0;

	if (s == MAP_FAILED || d == MAP_FAILED ||
	    mprotect(s + pg, pages * pg, PROT_READ | PROT_WRITE) ||
	    mprotect(d + pg, pages * pg, PROT_READ | PROT_WRITE))
		return -1;
	pattern(s + pg, pages * pg, (unsigned int)n);
	/* Ending at the guard. */
	call(f, de - n, se - n, 0x3c, n);
	if (f == T_MEMSET ? !only(de - n, 0x3c, n) : first_diff(de - n, se - n, n) >= 0)
		bad = 1;
	/* Starting after the guard. */
	call(f, d + pg, s + pg, 0xc3, n);
	if (f == T_MEMSET ? !only(d + pg, 0xc3, n) : first_diff(d + pg, s + pg, n) >= 0)
		bad = 1;
	/* memmove within one guarded mapping, both directions. */
	if (f == T_MEMMOVE && n >= 1 && n < pages * pg) {
		memmove(se - n, se - n - 1, n);		/* ends at the guard */
		memmove(s + pg, s + pg + 1, n);		/* starts after it */
	}
	if (bad)
		printf("# %s n=%zu at a page boundary: wrong bytes\n", fname(f), n);
	munmap(s, len);
	munmap(d, len);
	return bad ? -1 : 0;
}

TEST(page_boundary_guards)
{
	static const size_t big[] = { 8191, 8192, 8193, 32768 + 1, 65536 - 1,
				      MiB - 1, MiB + 1, 4 * MiB + 3 };
	size_t n, i;
	int f, bad = 0;

	for (f = 0; f < T_FUNCS; f++) {
		for (n = 0; n <= 4096 && !bad; n++)	/* a crash fails the case */
			bad = guarded(n, f);
		for (i = 0; i < sizeof(big) / sizeof(big[0]) && !bad; i++)
			bad = guarded(big[i], f);
	}
	EXPECT_EQ(0, bad);
}

/* --- around every threshold ---------------------------------------------- */

/*
 * The sizes where a path changes: the inline cases end at 1, 2, 4 and 8
 * vectors of 16, 32 and 64 bytes; glibc's rep movsb/stosb thresholds
 * (2048, 2112); and the cache-derived ones of the default table (2/3 of
 * L1d, L2, L3, with the fallbacks 32 KiB, 1 MiB, 32 MiB), each at +-1 and
 * +-64.
 */
static size_t threshold_sizes(size_t *out, size_t max)
{
	long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	size_t base[64], nb = 0, k = 0, i;
	static const long around[] = { -64, -1, 0, 1, 64 };
	int v, j;

	for (v = 16; v <= 64; v *= 2)
		for (j = 1; j <= 8; j *= 2)
			base[nb++] = v * j;
	base[nb++] = 2048;
	base[nb++] = 2112;
	base[nb++] = 32 * KiB;
	base[nb++] = 48 * KiB;
	base[nb++] = MiB;
	base[nb++] = 32 * MiB;
	if (l1 > 0)
		base[nb++] = l1 * 2 / 3;
	if (l2 > 0)
		base[nb++] = l2;
	for (i = 0; i < nb; i++)
		for (j = 0; j < 5; j++)
			if ((long)base[i] + around[j] > 0 && k < max)
				out[k++] = base[i] + around[j];
	return k;
}

TEST(around_every_threshold)
{
	size_t sizes[512], ns = threshold_sizes(sizes, 512), i, max = 0;
	unsigned char *s, *d;
	int f, bad = 0;

	for (i = 0; i < ns; i++)
		max = sizes[i] > max ? sizes[i] : max;
	s = map(max + 4096);
	d = map(max + 4096);
	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, d);
	pattern(s, max + 4096, 3);
	for (i = 0; i < ns && bad < 3; i++)
		for (f = 0; f < T_FUNCS; f++) {
			/* Aligned, and misaligned differently. */
			bad += !!check_one(f, d, s, sizes[i], 0, 0, 0x11);
			bad += !!check_one(f, d, s, sizes[i], 13, 61, 0x77);
		}
	EXPECT_EQ(0, bad);
	munmap(s, max + 4096);
	munmap(d, max + 4096);
}

/* A few copies well above the non-temporal threshold. */
TEST(large_sizes)
{
	static const size_t sizes[] = { 64 * MiB + 1, 128 * MiB - 64, 256 * MiB - 1 };
	size_t len = 256 * MiB + 4096, i;
	unsigned char *s = map(len), *d = map(len);
	int bad = 0;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, d);
	pattern(s, len, 5);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bad += !!check_one(i & 1 ? T_MEMMOVE : T_MEMCPY, d, s, sizes[i],
				   i * 5, 3, 0);
		bad += !!check_one(T_MEMSET, d, s, sizes[i], 0, 7 + i, 0x5b);
	}
	EXPECT_EQ(0, bad);
	munmap(s, len);
	munmap(d, len);
}

/* --- random inputs against byte loops ------------------------------------ */

TEST(random_against_byte_loop)
{
	size_t len = 300 * KiB, i;
	unsigned char *buf = map(len), *ref = map(len);
	unsigned int seed = 12345;
	int bad = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, ref);
	pattern(buf, len, 9);
	pattern(ref, len, 9);
	for (i = 0; i < 20000 && !bad; i++) {
		size_t n = (size_t)rand_r(&seed) % (1U << (rand_r(&seed) % 17));
		size_t so = rand_r(&seed) % (len - n), doff = rand_r(&seed) % (len - n);
		int f = rand_r(&seed) % T_FUNCS, c = rand_r(&seed) & 0xff;

		if (f == T_MEMCPY || f == T_MEMPCPY) {
			/* memcpy needs disjoint buffers. */
			if (so < doff + n && doff < so + n)
				f = T_MEMMOVE;
		}
		if (f == T_MEMSET)
			ref_fill(ref + doff, c, n);
		else
			ref_move(ref + doff, ref + so, n);
		call(f, buf + doff, buf + so, c, n);
		if (first_diff(buf, ref, len) >= 0) {
			printf("# random %s n=%zu src=%zu dst=%zu: differs\n",
			       fname(f), n, so, doff);
			bad = 1;
		}
	}
	EXPECT_EQ(0, bad);
	munmap(buf, len);
	munmap(ref, len);
}

/* --- a child whose private region is all zero ---------------------------- */

/*
 * A raw fork (no pthread_atfork handlers): the kernel wiped the image's
 * private region and nobody set it up again.  The bound entry points
 * must still be right (they take the plain vector loops).
 */
TEST(raw_fork_child)
{
	pid_t pid = syscall(SYS_fork);
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0, f;

		for (f = 0; f < T_FUNCS; f++)
			bad |= sweep_all(f, 300, 7);
		if (!bad)
			bad |= guarded(MiB + 1, T_MEMCPY) | guarded(40 * MiB, T_MEMSET);
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* --- children with a chosen environment ---------------------------------- */

/*
 * Run this program with @args and @var set, with the binder that has the
 * memcpy family preloaded (@preload 1), the default binder (2), or none.
 */
static void run_child(struct vt_result *r, char **args, const char *var,
		      int preload)
{
	struct vt_self s = {
		.args = args, .keep = vt_keep_none,
		.binder = preload == 2 ? "libvlibc.so" :
			  preload ? "libvlibc-memcpy.so" : "",
		.set = { REEXEC_MARK "=1", var },
	};

	vt_run_self(r, &s);
}

static int binder_present(void)
{
	char *binder = vt_build_path("libvlibc-memcpy.so");
	int ok = !access(binder, R_OK);

	free(binder);
	return ok;
}

/*
 * Run "--child owners" as run_child() does with @var and @preload: every
 * name of the family must be bound to @want.
 */
static void expect_owners(struct __test_metadata *_metadata, const char *var,
			  int preload, const char *want)
{
	char *args[] = { "--child", "owners", NULL };
	struct vt_result r;
	size_t i;

	run_child(&r, args, var, preload);
	ASSERT_EQ(0, r.status);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *v = vt_line_value(r.out, names[i]);

		EXPECT_STREQ(want, v ? v : "(missing)");
		free(v);
	}
	vt_result_free(&r);
}

TEST(bound_to_image_by_default)
{
	if (!binder_present())
		SKIP(return, "no binder in $VLIBC_BUILD");
	expect_owners(_metadata, NULL, 1, "image");
}

TEST(bound_to_glibc_with_variant_glibc)
{
	if (!binder_present())
		SKIP(return, "no binder in $VLIBC_BUILD");
	expect_owners(_metadata, "VLIBC_MEMCPY=glibc", 1, "glibc");
}

/* The family is opt-in: the default binder leaves these names alone. */
TEST(default_binder_does_not_bind)
{
	expect_owners(_metadata, "VLIBC_MEMCPY=auto", 2, "(not bound)");
}

/*
 * Twelve runs of this program: seconds here, far more on a loaded machine
 * or in an emulated guest, so a timeout of their own.
 */
FIXTURE(variants) {
};

FIXTURE_SETUP(variants)
{
}

FIXTURE_TEARDOWN(variants)
{
}

/* Each variant, and plain glibc: the quick sweep passes, as on glibc. */
TEST_F_TIMEOUT(variants, each_variant, 180)
{
	static const char *const toggles[] = {
		"", "VLIBC_MEMCPY=auto", "VLIBC_MEMCPY=avx512",
		"VLIBC_MEMCPY=avx2", "VLIBC_MEMCPY=sse2", "VLIBC_MEMCPY=vector",
		"VLIBC_MEMCPY=erms", "VLIBC_MEMCPY=nt", "VLIBC_MEMCPY=pvr",
		"VLIBC_MEMCPY=glibc", "VLIBC_MEMCPY=no-such-variant", NULL,
	};
	char *args[] = { "--child", "sweep", NULL };
	struct vt_self s = { .args = args, .keep = vt_keep_none,
			     .set = { REEXEC_MARK "=1" } };
	struct vt_result glibc;

	EXPECT_EQ(0, vt_same_as_glibc(&glibc, &s, binder_present() ?
				      "libvlibc-memcpy.so" : "", toggles, 0));
	EXPECT_EQ(0, glibc.status) TH_LOG("glibc: %s%s", glibc.out, glibc.err);
	EXPECT_NE(NULL, strstr(glibc.out, "sweep ok"));
	vt_result_free(&glibc);
}

/*
 * The fortified forms: abort as glibc does on overflow, work when it
 * fits; under the binder (when there is one) exactly as on glibc.
 */
static void chk_case(struct __test_metadata *_metadata, const char *name)
{
	static const char *const toggles[] = { "", NULL };
	char *fits[] = { "--child", "chk", (char *)name, "1", NULL };
	char *over[] = { "--child", "chk", (char *)name, "0", NULL };
	struct vt_self s = { .keep = vt_keep_none, .set = { REEXEC_MARK "=1" } };
	const char *const *bound = binder_present() ? toggles : toggles + 1;
	struct vt_result r;

	s.args = fits;
	EXPECT_EQ(0, vt_same_as_glibc(&r, &s, "libvlibc-memcpy.so", bound,
				      VT_SAME_STDERR)) TH_LOG("%s fits", name);
	EXPECT_EQ(0, r.status) TH_LOG("%s fits: %s", name, r.err);
	EXPECT_NE(NULL, strstr(r.out, "chk ok"));
	vt_result_free(&r);

	s.args = over;
	EXPECT_EQ(0, vt_same_as_glibc(&r, &s, "libvlibc-memcpy.so", bound,
				      VT_SAME_STDERR)) TH_LOG("%s overflow", name);
	EXPECT_EQ(128 + SIGABRT, r.status) TH_LOG("%s overflow: %s", name, r.out);
	EXPECT_NE(NULL, strstr(r.err, "*** buffer overflow detected ***: terminated"))
		TH_LOG("%s: stderr was '%s'", name, r.err);
	EXPECT_EQ(NULL, strstr(r.out, "survived"));
	vt_result_free(&r);
}

TEST(fortified_abort_on_overflow)
{
	static const char *const chk[] = { "__memcpy_chk", "__memmove_chk",
					   "__mempcpy_chk", "__memset_chk" };
	size_t i;

	for (i = 0; i < 4; i++)
		chk_case(_metadata, chk[i]);
}

/* --- the children -------------------------------------------------------- */

static int child_sweep(void)
{
	static const size_t big[] = { 2047, 2048, 2113, 4096 + 3, 32 * KiB + 1,
				      200 * KiB + 9, MiB + 1, 3 * MiB + 17,
				      33 * MiB + 5 };
	size_t len = 34 * MiB, i;
	unsigned char *s = map(len), *d = map(len), *ref = map(len);
	int f, bad = 0;

	if (!s || !d || !ref)
		return 1;
	for (f = 0; f < T_FUNCS; f++)
		bad |= sweep_all(f, 520, 5);
	pattern(s, len, 2);
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		for (f = 0; f < T_FUNCS; f++)
			bad |= check_one(f, d, s, big[i], i, 2 * i + 1, (int)i);
	/* memmove overlap at large sizes, both ways. */
	for (i = 0; i < sizeof(big) / sizeof(big[0]) - 1; i++) {
		bad |= overlap_one(d, ref, big[i] + 8192, big[i], 4096, 100);
		bad |= overlap_one(d, ref, big[i] + 8192, big[i], 4096, -100);
	}
	if (!bad)
		printf("sweep ok\n");
	return bad ? 1 : 0;
}

static int child_owners(void)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		printf("%s=%s\n", names[i], vt_bound_owner(names[i], path, sizeof(path)));
	return 0;
}

static int child_chk(const char *name, int fits)
{
	unsigned char src[64], dst[64];
	size_t n = 32, dstlen = fits ? 32 : 31;
	void *r;

	ref_fill(src, 0x42, sizeof(src));
	ref_fill(dst, 0, sizeof(dst));
	if (!strcmp(name, "__memcpy_chk"))
		r = __memcpy_chk(dst, src, n, dstlen);
	else if (!strcmp(name, "__memmove_chk"))
		r = __memmove_chk(dst, src, n, dstlen);
	else if (!strcmp(name, "__mempcpy_chk"))
		r = (unsigned char *)__mempcpy_chk(dst, src, n, dstlen) - n;
	else
		r = __memset_chk(dst, 0x42, n, dstlen);
	printf("survived\n");
	if (r != dst || !only(dst, 0x42, n) || !only(dst + n, 0, sizeof(dst) - n))
		return 1;
	printf("chk ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--child")) {
		if (!strcmp(argv[2], "sweep"))
			return child_sweep();
		if (!strcmp(argv[2], "owners"))
			return child_owners();
		if (!strcmp(argv[2], "chk") && argc == 5)
			return child_chk(argv[3], atoi(argv[4]));
		return 2;
	}
	vt_reexec_with_binder(argv, "libvlibc-memcpy.so", REEXEC_MARK, 0);
	return test_harness_run(argc, argv);
}
