// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for the getrandom family bound to vlibc: getrandom(),
 * arc4random(), arc4random_buf(), arc4random_uniform().
 *
 * The program re-executes itself with $VLIBC_BUILD/libvlibc.so preloaded
 * when the binder is not loaded yet, so every case runs on the binding a
 * preloaded application gets.  bound_to_vlibc checks that the family did
 * bind to vlibc, so glibc is never tested silently in its place.
 *
 * "test_getrandom --mini MODE" is a reduced run used by the variant_*
 * cases: the parent starts it with VLIBC_GETRANDOM (or another toggle) set
 * and MODE naming the binding expected: vdso, syscall or glibc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vlibc/abi.h>

#include "kselftest_harness.h"
#include "vlibc_test.h"
#include "seccomp.h"

#define POOL_SYMBOL	"vlibc_binder_getrandom_pool"
#define BOUND_SYMBOL	"vlibc_binder_bound"
#define REEXEC_MARK	"GETRANDOM_SELFTEST_REEXECUTED"
#define KERNEL_ADDR	0xffff800000000000UL
/* First address above user space on x86-64 with 4-level paging. */
#define USER_TOP	0x00007ffffffff000UL
#define PAGE		4096UL
#define MIB		(1UL << 20)

typedef int (*pool_fn)(size_t *all, size_t *free_states);

/* Who is talking in messages: "test", or the mode of a --mini run. */
static const char *who = "test";

/*
 * A process's first VLIBC_GETRANDOM_WARMUP_CALLS calls of the family go
 * to glibc's own functions, and only the next binds: the cases that test
 * the family on vlibc get past them first.  0 on success.
 */
static int past_warmup(void)
{
	unsigned char b[16];
	int i;

	for (i = 0; i < VLIBC_GETRANDOM_WARMUP_CALLS; i++)
		if (getrandom(b, sizeof(b), 0) != sizeof(b))
			return -1;
	return 0;
}

static void report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "# %s: ", who);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct call_result {
	long	ret;
	int	err;
};

static struct call_result call_lib(void *buf, size_t len, unsigned int flags)
{
	struct call_result r;

	errno = 0;
	r.ret = getrandom(buf, len, flags);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static struct call_result call_raw(void *buf, size_t len, unsigned int flags)
{
	struct call_result r;

	errno = 0;
	r.ret = syscall(SYS_getrandom, buf, len, flags);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static int same_result(struct call_result a, struct call_result b)
{
	return a.ret == b.ret && a.err == b.err;
}

static pool_fn pool_query(void)
{
	return (pool_fn)dlsym(RTLD_DEFAULT, POOL_SYMBOL);
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/*
 * Offset of a 16-byte all-zero block in @p (blocks at multiples of 16,
 * plus the last 16 bytes), or -1.  Random output has none: the chance
 * of one in 1 MiB is about 2^-112.
 */
static long zero_block(const unsigned char *p, size_t len)
{
	size_t off;

	if (len < 16)
		return -1;
	for (off = 0; off + 16 <= len; off += 16)
		if (all_zero(p + off, 16))
			return off;
	return all_zero(p + len - 16, 16) ? (long)(len - 16) : -1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- where a function lives ---------------------------------------------- */

static int maps_have_image(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		found = vt_is_image_path(line);
	}
	fclose(f);
	return found;
}

/* Where @name is bound: see vt_bound_owner(). */
static const char *symbol_owner(const char *name, char *path, size_t size)
{
	return vt_bound_owner(name, path, size);
}

/*
 * Does the process bind the family as @mode says?  vdso: getrandom() to
 * the binder's veneer, arc4random*() into the image, the state pool in
 * use; syscall: the same without the pool; glibc: glibc's own functions.
 */
static int check_binding(const char *mode)
{
	static const char *const arc4[] = {
		"arc4random", "arc4random_buf", "arc4random_uniform",
	};
	int glibc = !strcmp(mode, "glibc"), vdso = !strcmp(mode, "vdso");
	const char *want_gr = glibc ? "glibc" : "binder";
	const char *want_arc4 = glibc ? "glibc" : "image";
	pool_fn pool = pool_query();
	char path[4096];
	const char *got;
	size_t all = 0, free_states = 0, i;
	unsigned char b[16];
	int failed = 0, rc;

	if (!pool) {
		report("binder not loaded (%s not found)", POOL_SYMBOL);
		return 1;
	}
	got = symbol_owner("getrandom", path, sizeof(path));
	if (strcmp(got, want_gr)) {
		report("getrandom bound to %s, expected %s", got, want_gr);
		failed++;
	}
	for (i = 0; i < sizeof(arc4) / sizeof(arc4[0]); i++) {
		got = symbol_owner(arc4[i], path, sizeof(path));
		if (strcmp(got, want_arc4)) {
			report("%s bound to %s, expected %s", arc4[i], got, want_arc4);
			failed++;
		}
	}
	if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
		report("getrandom(16) failed: %s", strerror(errno));
		failed++;
	}
	rc = pool(&all, &free_states);
	if (vdso && (rc || !all || free_states != all - 1)) {
		report("pool: rc %d all %zu free %zu; expected 0, >0, all-1",
		       rc, all, free_states);
		failed++;
	}
	if (!vdso && rc != -1) {
		report("pool answered %d on the %s variant, expected -1", rc, mode);
		failed++;
	}
	return failed;
}

/* --- checks shared by the harness and the --mini runs --------------------- */

static int check_one_length(size_t len, size_t skew)
{
	const size_t guard = 32;
	unsigned char *buf = malloc(skew + len + guard), *p = buf + skew;
	long zero;
	size_t i;
	int failed = 0;
	ssize_t r;

	if (!buf) {
		report("malloc(%zu) failed", len);
		return 1;
	}
	memset(buf, 0, skew + len);
	memset(p + len, 0xa5, guard);
	r = getrandom(p, len, 0);
	if (r != (ssize_t)len) {
		report("getrandom(len %zu, skew %zu) returned %zd (%s)",
		       len, skew, r, strerror(errno));
		failed++;
	}
	zero = zero_block(p, len);
	if (zero >= 0) {
		report("getrandom(len %zu, skew %zu) left zeros at %ld",
		       len, skew, zero);
		failed++;
	}
	for (i = 0; i < guard; i++)
		if (p[len + i] != 0xa5)
			break;
	if (i < guard || !all_zero(buf, skew)) {
		report("getrandom(len %zu, skew %zu) wrote outside the buffer",
		       len, skew);
		failed++;
	}
	free(buf);
	return failed;
}

static int check_lengths(void)
{
	static const size_t lengths[] = { 0, 1, 16, 255, 256, 4096, MIB };
	unsigned char a[32] = { 0 }, b[32] = { 0 };
	size_t i;
	int failed = 0;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		failed += check_one_length(lengths[i], 0);
		failed += check_one_length(lengths[i], 1);
	}
	if (getrandom(a, sizeof(a), 0) != sizeof(a) ||
	    getrandom(b, sizeof(b), 0) != sizeof(b) || !memcmp(a, b, sizeof(a))) {
		report("two successive 32-byte outputs are equal or failed");
		failed++;
	}
	return failed;
}

/*
 * vlibc's getrandom() and the system call agree on the return value and
 * errno for every flag combination; @with_random_insecure includes the
 * GRND_RANDOM|GRND_INSECURE combinations the kernel rejects.
 */
static int check_flags_vs_syscall(int with_random_insecure)
{
	static const unsigned int flags[] = {
		0, GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE,
		GRND_NONBLOCK | GRND_RANDOM, GRND_NONBLOCK | GRND_INSECURE,
		GRND_RANDOM | GRND_INSECURE,
		GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE,
		0x8, 0x100, 0x80000000u, GRND_NONBLOCK | 0x100,
		GRND_INSECURE | 0x40,
	};
	static const size_t lengths[] = { 0, 1, 32, 300, 5000 };
	static unsigned char buf[5000];
	size_t f, l;
	int failed = 0;

	for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		unsigned int fl = flags[f];

		if (!with_random_insecure &&
		    (fl & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
			continue;
		for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			size_t len = lengths[l];
			struct call_result raw = call_raw(buf, len, fl);
			struct call_result lib;

			memset(buf, 0, len);
			lib = call_lib(buf, len, fl);
			if (!same_result(lib, raw)) {
				report("flags %#x len %zu: getrandom %ld/%s, syscall %ld/%s",
				       fl, len, lib.ret, strerror(lib.err),
				       raw.ret, strerror(raw.err));
				failed++;
			} else if (lib.ret == (long)len && zero_block(buf, len) >= 0) {
				report("flags %#x len %zu: buffer not filled", fl, len);
				failed++;
			}
		}
	}
	return failed;
}

/* Buffers the system call refuses: vlibc must answer exactly as it does. */
static int check_efault_vs_syscall(void)
{
	unsigned char *none = mmap(NULL, PAGE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct {
		const char	*what;
		unsigned long	addr;
		size_t		len;
	} cases[] = {
		{ "NULL, 0", 0, 0 },
		{ "NULL, 16", 0, 16 },
		{ "NULL, 1 MiB", 0, MIB },
		{ "address 1", 1, 16 },
		{ "address 4095", 4095, 16 },
		{ "address 60 KiB", 60 << 10, 4096 },
		{ "kernel address", KERNEL_ADDR, 16 },
		{ "kernel address, 0", KERNEL_ADDR, 0 },
		{ "kernel address, 1 MiB", KERNEL_ADDR, MIB },
		{ "top page", ~0UL - PAGE + 1, 16 },
		{ "wraps past 0", ~0UL - 7, 16 },
		{ "crosses the user limit", USER_TOP - 8, 16 },
		{ "PROT_NONE, wraps past 0", (unsigned long)none,
		  -(unsigned long)none + PAGE },
		{ "PROT_NONE, SIZE_MAX", (unsigned long)none, SIZE_MAX },
	};
	size_t i;
	int failed = 0;

	if (none == MAP_FAILED) {
		report("mmap: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *buf = (void *)cases[i].addr;
		struct call_result raw, lib;
		char path[4096];

		/* E.g. the stack at the top without ASLR: not a case then. */
		if (cases[i].addr != (unsigned long)none &&
		    !vt_mapping_path(cases[i].addr, path, sizeof(path)))
			continue;
		raw = call_raw(buf, cases[i].len, 0);
		lib = call_lib(buf, cases[i].len, 0);
		if (!same_result(lib, raw)) {
			report("%s: getrandom %ld/%s, syscall %ld/%s",
			       cases[i].what, lib.ret, strerror(lib.err),
			       raw.ret, strerror(raw.err));
			failed++;
		}
		if (cases[i].len && raw.err != EFAULT) {
			report("%s: the system call did not fault (%ld/%s): bad case",
			       cases[i].what, raw.ret, strerror(raw.err));
			failed++;
		}
	}
	munmap(none, PAGE);
	return failed;
}

static volatile sig_atomic_t alarms;

static void count_alarm(int sig)
{
	alarms++;
}

static void timer_storm(long interval_us)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = interval_us },
		.it_value = { .tv_usec = interval_us },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void timer_stop(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * getrandom(16 MiB) under a SIGALRM storm, handler without SA_RESTART:
 * each call returns a count in (0, len] or -1/EINTR, never anything else.
 */
static int check_eintr_storm(double ms)
{
	const size_t len = 16 * MIB;
	struct sigaction sa = { .sa_handler = count_alarm }, old;
	unsigned char *buf = malloc(len);
	unsigned long calls = 0, shorts = 0, eintrs = 0;
	double end = now_ms() + ms;
	int failed = 0;

	if (!buf) {
		report("malloc(16 MiB) failed");
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarms = 0;
	timer_storm(200);
	while (now_ms() < end && failed < 5) {
		ssize_t r;

		memset(buf, 0, 16);
		r = getrandom(buf, len, 0);
		calls++;
		if (r == -1 && errno == EINTR) {
			eintrs++;
		} else if (r <= 0 || (size_t)r > len) {
			report("storm: getrandom(16 MiB) returned %zd (%s)",
			       r, strerror(errno));
			failed++;
		} else if (r >= 16 && all_zero(buf, 16)) {
			report("storm: getrandom returned %zd, buffer not filled", r);
			failed++;
		} else if ((size_t)r < len) {
			shorts++;
		}
	}
	timer_stop();
	sigaction(SIGALRM, &old, NULL);
	free(buf);
	if (!alarms) {
		report("storm: no signal was delivered");
		failed++;
	}
	if (failed)
		report("storm: %lu calls, %lu short, %lu EINTR, %d signals",
		       calls, shorts, eintrs, (int)alarms);
	return failed;
}

static int check_arc4random_range(uint32_t upper, int draws)
{
	int low = 0, high = 0, i;

	for (i = 0; i < draws; i++) {
		uint32_t v = arc4random_uniform(upper);

		if (v >= upper) {
			report("arc4random_uniform(%u) returned %u", upper, v);
			return 1;
		}
		if (v < upper / 2)
			low++;
		else
			high++;
	}
	if (!low || !high) {
		report("arc4random_uniform(%u): %d draws all in one half",
		       upper, draws);
		return 1;
	}
	return 0;
}

static int check_arc4random_basic(void)
{
	static const uint32_t uppers[] = {
		2, 3, 10, 1000, 0x80000001u, UINT32_MAX,
	};
	unsigned char guard[8];
	unsigned char *buf = calloc(1, MIB);
	uint32_t first = arc4random(), high = 0, differ = 0;
	long zero;
	size_t i;
	int failed = 0;

	if (!buf) {
		report("calloc(1 MiB) failed");
		return 1;
	}
	memset(guard, 0x5a, sizeof(guard));
	arc4random_buf(guard, 0);
	for (i = 0; i < sizeof(guard); i++)
		if (guard[i] != 0x5a) {
			report("arc4random_buf(0 bytes) wrote to the buffer");
			failed++;
			break;
		}
	arc4random_buf(buf, MIB);
	zero = zero_block(buf, MIB);
	if (zero >= 0) {
		report("arc4random_buf(1 MiB) left zeros at %ld", zero);
		failed++;
	}
	free(buf);
	for (i = 0; i < 1000; i++) {
		uint32_t v = arc4random();

		high += v >> 31;
		differ += v != first;
	}
	if (!high || high == 1000 || !differ) {
		report("arc4random(): %u of 1000 with the top bit, %u differ",
		       high, differ);
		failed++;
	}
	for (i = 0; i < 100; i++)
		if (arc4random_uniform(0) || arc4random_uniform(1)) {
			report("arc4random_uniform(0 or 1) is not 0");
			failed++;
			break;
		}
	for (i = 0; i < sizeof(uppers) / sizeof(uppers[0]); i++)
		failed += check_arc4random_range(uppers[i], 2000);
	return failed;
}

/* --- fork ----------------------------------------------------------------- */

/* What a forked process reports about itself. */
struct proc_report {
	int		ok;		/* getrandom and arc4random behaved */
	int		pool_rc;
	size_t		all, free_states;
	unsigned char	bytes[64];
};

/* Right after fork: 64 bytes, arc4random, and the pool as seen here. */
static void proc_report_fill(struct proc_report *r)
{
	pool_fn pool = pool_query();
	unsigned char b[16] = { 0 };

	memset(r, 0, sizeof(*r));
	r->ok = getrandom(r->bytes, sizeof(r->bytes), 0) == sizeof(r->bytes);
	arc4random_buf(b, sizeof(b));
	r->ok = r->ok && !all_zero(b, sizeof(b)) && arc4random_uniform(7) < 7;
	(void)arc4random();
	r->pool_rc = pool ? pool(&r->all, &r->free_states) : -2;
}

struct fork_result {
	struct proc_report	child, grandchild;
	int			have_grandchild;
};

/* Child of fork_round(): report, fork a grandchild if asked, send both. */
static void fork_round_child(int fd, int grandchild)
{
	struct fork_result res = { .have_grandchild = grandchild };
	int gfd[2];
	pid_t pid;

	proc_report_fill(&res.child);
	if (grandchild) {
		if (pipe(gfd))
			_exit(2);
		pid = fork();
		if (pid == 0) {
			proc_report_fill(&res.grandchild);
			_exit(vt_write_full(gfd[1], &res.grandchild,
					 sizeof(res.grandchild)) ? 3 : 0);
		}
		close(gfd[1]);
		if (pid < 0 || vt_read_full(gfd[0], &res.grandchild,
					 sizeof(res.grandchild)))
			_exit(4);
		waitpid(pid, NULL, 0);
	}
	_exit(vt_write_full(fd, &res, sizeof(res)) ? 5 : 0);
}

/*
 * Fork; parent and child (and the child's child) each take 64 bytes at
 * once.  Fills @mine and @res; returns 0, or -1 if a process failed.
 */
static int fork_round(unsigned char mine[64], struct fork_result *res,
		      int grandchild)
{
	int fd[2], status;
	pid_t pid;
	int r;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		fork_round_child(fd[1], grandchild);
	}
	close(fd[1]);
	r = getrandom(mine, 64, 0) == 64 ? 0 : -1;
	if (pid < 0 || vt_read_full(fd[0], res, sizeof(*res)))
		r = -1;
	close(fd[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid ||
			!WIFEXITED(status) || WEXITSTATUS(status)))
		r = -1;
	return r;
}

/*
 * The pool in a fork child: only the forking thread's state is owned.
 * Where this process has no pool (not the vDSO variant), neither has the
 * child.  @expect_all: the number of states, or 0 for any.
 */
static int check_child_pool(const char *name, const struct proc_report *r,
			    size_t expect_all)
{
	pool_fn pool = pool_query();
	size_t all, free_states;

	if (!pool || pool(&all, &free_states)) {
		if (r->pool_rc == -1 || r->pool_rc == -2)
			return 0;
		report("%s pool answered %d, this process has none", name,
		       r->pool_rc);
		return 1;
	}
	if (r->pool_rc || r->free_states != r->all - 1 ||
	    (expect_all && r->all != expect_all)) {
		report("%s pool: rc %d all %zu free %zu, expected all %zu free all-1",
		       name, r->pool_rc, r->all, r->free_states, expect_all);
		return 1;
	}
	return 0;
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Do @n 64-byte records, each compared on 16 bytes, hold duplicates? */
static int have_duplicates(unsigned char (*rec)[64], size_t n)
{
	unsigned char (*keys)[16] = malloc(n * 16);
	size_t i;
	int dup = 0;

	for (i = 0; i < n; i++)
		memcpy(keys[i], rec[i], 16);
	qsort(keys, n, 16, cmp16);
	for (i = 1; i < n; i++)
		dup |= !memcmp(keys[i - 1], keys[i], 16);
	free(keys);
	return dup;
}

/*
 * @rounds forks after the parent seeded its state: parent and child
 * bytes differ, no child repeats another.
 */
static int check_fork_differs(int rounds)
{
	unsigned char (*seen)[64] = calloc(2 * rounds, 64);
	unsigned char mine[64], seed[16];
	struct fork_result res;
	int i, failed = 0;

	if (past_warmup() || getrandom(seed, sizeof(seed), 0) != sizeof(seed)) {
		report("getrandom before fork failed");
		return 1;
	}
	for (i = 0; i < rounds && failed < 5; i++) {
		if (fork_round(mine, &res, 0) || !res.child.ok) {
			report("fork round %d: a process failed", i);
			failed++;
			continue;
		}
		if (!memcmp(mine, res.child.bytes, 64)) {
			report("fork round %d: child repeated the parent's bytes", i);
			failed++;
		}
		failed += check_child_pool("child", &res.child, 0);
		memcpy(seen[2 * i], mine, 64);
		memcpy(seen[2 * i + 1], res.child.bytes, 64);
	}
	if (!failed && have_duplicates(seen, 2 * rounds)) {
		report("fork: outputs repeat across rounds");
		failed++;
	}
	free(seen);
	return failed;
}

/* --- the harness cases ------------------------------------------------------- */

/*
 * A case about the binder's own family (its bindings, its pool of states,
 * its VLIBC_GETRANDOM variants): skipped where the system libc binds the
 * family itself (the QEMU suite's libc mode), which the binder leaves it
 * to.  The cases about what any getrandom must do run there too, on the
 * libc's family; that family's own checks are selftests/glibc's
 * getrandom_cases, natively (make check-glibc) and in the guest.
 */
#define SKIP_IF_LIBC_BINDS()						\
	do {								\
		if (vt_libc_binds(VT_FAMILY_getrandom))				\
			SKIP(return, "the system libc binds getrandom itself (libc mode)"); \
	} while (0)

TEST(bound_to_vlibc)
{
	pool_fn pool = pool_query();
	unsigned char b[16];
	size_t all = 0, free_states = 0;

	SKIP_IF_LIBC_BINDS();

	ASSERT_NE(NULL, pool) {
		TH_LOG("%s not found: the binder is not preloaded", POOL_SYMBOL);
	}
	/*
	 * The binder maps the image at the first call (binder_prepare())
	 * and binds at the first call after the warm-up.
	 */
	ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	ASSERT_TRUE(maps_have_image()) {
		TH_LOG("no linux-vlibc mapping in /proc/self/maps");
	}
	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(0, pool(&all, &free_states)) {
		TH_LOG("the family is not on vlibc's vDSO variant");
	}
	EXPECT_GE(all, 1);
	EXPECT_EQ(all - 1, free_states);
	EXPECT_EQ(0, check_binding("vdso"));
}

/*
 * A process that calls the family a few times (a seed, a temporary name)
 * is served by glibc's own functions.  The first call maps the image
 * (binder_prepare(): what needs open() is done while no filter the binder
 * was not told of can be there yet), and nothing else: no state is
 * mapped and nothing decided until the warm-up ends.
 */
TEST(warmup_maps_the_image_only)
{
	unsigned char a[16], b[16];
	char path[4096];

	SKIP_IF_LIBC_BINDS();

	ASSERT_EQ(16, getrandom(a, sizeof(a), 0));
	arc4random_buf(b, sizeof(b));
	(void)arc4random();
	(void)arc4random_uniform(10);
	EXPECT_FALSE(all_zero(a, sizeof(a)) || all_zero(b, sizeof(b)));
	EXPECT_TRUE(maps_have_image()) {
		TH_LOG("the first call of the family did not map the image");
	}
	/* Past the warm-up (this binds): the family on vlibc's side. */
	ASSERT_EQ(0, past_warmup());
	EXPECT_STREQ("binder", symbol_owner("getrandom", path, sizeof(path)));
}

TEST(lengths)
{
	EXPECT_EQ(0, check_lengths());
}

TEST(flags_match_syscall)
{
	EXPECT_EQ(0, check_flags_vs_syscall(0));
}

/* GRND_RANDOM|GRND_INSECURE: EINVAL from the system call, so from vlibc. */
TEST(flags_random_insecure_rejected)
{
	static const unsigned int flags[] = {
		GRND_RANDOM | GRND_INSECURE,
		GRND_RANDOM | GRND_INSECURE | GRND_NONBLOCK,
	};
	static const size_t lengths[] = { 0, 1, 16, 4096 };
	unsigned char buf[4096];
	size_t f, l;

	for (f = 0; f < 2; f++)
		for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			struct call_result raw = call_raw(buf, lengths[l], flags[f]);
			struct call_result lib = call_lib(buf, lengths[l], flags[f]);

			EXPECT_EQ(-1, raw.ret);
			EXPECT_EQ(EINVAL, raw.err);
			EXPECT_TRUE(same_result(lib, raw)) {
				TH_LOG("flags %#x len %zu: getrandom %ld/%s, syscall %ld/%s",
				       flags[f], lengths[l], lib.ret, strerror(lib.err),
				       raw.ret, strerror(raw.err));
			}
		}
}

TEST(efault_matches_syscall)
{
	EXPECT_EQ(0, check_efault_vs_syscall());
}

struct child_calls {
	struct call_result	raw, lib;
};

/*
 * In a child: the system call, then getrandom(), on @buf; the signal that
 * killed the child, or 0.  The caller's thread already holds its state,
 * so no state page is mapped between the two calls.
 */
static int getrandom_in_child(void *buf, size_t len, struct child_calls *c)
{
	int fd[2], status;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		c->raw = call_raw(buf, len, 0);
		if (vt_write_full(fd[1], &c->raw, sizeof(c->raw)))
			_exit(1);
		c->lib = call_lib(buf, len, 0);
		_exit(vt_write_full(fd[1], &c->lib, sizeof(c->lib)) ? 1 : 0);
	}
	close(fd[1]);
	c->raw.ret = c->lib.ret = -2;
	if (pid > 0 && !vt_read_full(fd[0], &c->raw, sizeof(c->raw)))
		vt_read_full(fd[0], &c->lib, sizeof(c->lib));
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * User-space buffers that are (partly) not writable: the system call
 * answers EFAULT or a short count; the vDSO writes straight into the
 * buffer and faults instead.  That is the documented limit of the vDSO
 * path (glibc 2.41's vDSO path behaves the same): the only outcomes
 * allowed are the system call's own answer or SIGSEGV, never a success
 * the system call would not give.  Each case runs in a child, which
 * records the signal if there is one.
 */
TEST(unwritable_user_buffer)
{
	unsigned char warm[16];
	unsigned char *map;
	struct {
		const char	*what;
		size_t		offset, len;
	} cases[] = {
		{ "RW page into PROT_NONE page", PAGE - 8, 16 },
		{ "inside a PROT_NONE page", PAGE, 16 },
		{ "RW page into unmapped page", 3 * PAGE - 8, 16 },
		{ "inside an unmapped page", 3 * PAGE, 16 },
	};
	size_t i;

	/* Map this thread's state before the layout below is made. */
	ASSERT_EQ(16, getrandom(warm, sizeof(warm), 0));
	map = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + PAGE, PAGE, PROT_NONE));
	ASSERT_EQ(0, munmap(map + 3 * PAGE, PAGE));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct child_calls c;
		int sig = getrandom_in_child(map + cases[i].offset,
					     cases[i].len, &c);

		if (sig > 0)
			TH_LOG("%s: syscall %ld/%s, getrandom killed by signal %d (%s)",
			       cases[i].what, c.raw.ret, strerror(c.raw.err),
			       sig, strsignal(sig));
		else
			TH_LOG("%s: syscall %ld/%s, getrandom %ld/%s",
			       cases[i].what, c.raw.ret, strerror(c.raw.err),
			       c.lib.ret, strerror(c.lib.err));
		EXPECT_TRUE(sig == 0 || sig == SIGSEGV);
		EXPECT_TRUE(c.raw.ret == 8 || c.raw.err == EFAULT) {
			TH_LOG("%s: bad case, the system call wrote it all",
			       cases[i].what);
		}
		if (!sig)
			EXPECT_TRUE(same_result(c.lib, c.raw));
	}
	munmap(map, 3 * PAGE);
}

TEST(eintr_storm)
{
	EXPECT_EQ(0, check_eintr_storm(1000));
}

static volatile sig_atomic_t handler_calls, handler_errors;

/* A handler that draws randomness on the thread it interrupted. */
static void reentrant_handler(int sig)
{
	int saved_errno = errno;
	unsigned char b[32] = { 0 }, c[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != sizeof(b) || all_zero(b, sizeof(b)))
		handler_errors++;
	arc4random_buf(c, sizeof(c));
	if (all_zero(c, sizeof(c)) || arc4random_uniform(10) >= 10)
		handler_errors++;
	(void)arc4random();
	handler_calls++;
	errno = saved_errno;
}

static int worker_errors;

/* A fresh thread: its first draw allocates its state, under the storm. */
static void *reentrancy_worker(void *arg)
{
	unsigned char b[64] = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (arg)
		arc4random_buf(b, 32);
	if (getrandom(b + 32, 32, 0) != 32)
		__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
	if (!arg)
		arc4random_buf(b, 32);
	if (zero_block(b, sizeof(b)) >= 0)
		__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Block SIGALRM here, so that the storm lands in the worker threads. */
static void block_alarm(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Create and join workers for @ms; the count, or -1. */
static long churn_threads(double ms)
{
	double end = now_ms() + ms;
	long n;

	for (n = 0; now_ms() < end; n++) {
		pthread_t t;

		if (pthread_create(&t, NULL, reentrancy_worker, (void *)(n & 1)) ||
		    pthread_join(t, NULL))
			return -1;
	}
	return n;
}

/*
 * A handler that draws on the thread it interrupted, while that thread
 * draws too, then while new threads allocate their states: no error, no
 * crash, no deadlock (the harness's timeout would catch one).
 */
TEST(signal_handler_reentrancy)
{
	struct sigaction sa = { .sa_handler = reentrant_handler };
	unsigned char buf[4096];
	unsigned long loops = 0;
	long threads;
	double end;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	timer_storm(100);
	for (end = now_ms() + 500; now_ms() < end; loops++) {
		ssize_t r = getrandom(buf, sizeof(buf), 0);

		ASSERT_TRUE(r == sizeof(buf) || (r == -1 && errno == EINTR)) {
			TH_LOG("getrandom returned %zd (%s)", r, strerror(errno));
		}
		arc4random_buf(buf, sizeof(buf));
		ASSERT_LT(arc4random_uniform(1000), 1000);
	}
	block_alarm();
	threads = churn_threads(300);
	timer_stop();
	TH_LOG("%lu loops, %ld threads, %d handler calls", loops, threads,
	       (int)handler_calls);
	ASSERT_GE(threads, 1);
	EXPECT_GT(handler_calls, 0);
	EXPECT_EQ(0, handler_errors);
	EXPECT_EQ(0, worker_errors);
}

/*
 * Signal handlers that draw in threads being born and dying: every state
 * still goes back to the pool when its thread ends.
 */
TEST(signal_in_short_threads_no_state_leak)
{
	struct sigaction sa = { .sa_handler = reentrant_handler };
	pool_fn pool = pool_query();
	size_t all = 0, free_states = 0;
	unsigned char b[16];
	long threads;

	SKIP_IF_LIBC_BINDS();

	ASSERT_NE(NULL, pool);
	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	block_alarm();
	timer_storm(100);
	threads = churn_threads(700);
	timer_stop();
	ASSERT_GE(threads, 1);
	EXPECT_EQ(0, worker_errors);
	ASSERT_EQ(0, pool(&all, &free_states));
	TH_LOG("%ld threads, %d handler calls: pool %zu states, %zu free",
	       threads, (int)handler_calls, all, free_states);
	EXPECT_EQ(all - 1, free_states) {
		TH_LOG("%zu states neither free nor owned by a live thread",
		       all - 1 - free_states);
	}
}

#define DRAW_THREADS	8
#define DRAWS		2000

static unsigned char drawn[DRAW_THREADS][DRAWS][16];

/* Even threads use getrandom(), odd ones arc4random_buf(). */
static void *draw_worker(void *arg)
{
	long t = (long)arg, i;

	for (i = 0; i < DRAWS; i++) {
		if (t & 1)
			arc4random_buf(drawn[t][i], 16);
		else if (getrandom(drawn[t][i], 16, 0) != 16)
			return (void *)1;
	}
	return NULL;
}

TEST(threads_distinct)
{
	unsigned char (*values)[16] = drawn[0];
	pthread_t t[DRAW_THREADS];
	void *ret;
	long i;

	for (i = 0; i < DRAW_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, draw_worker, (void *)i));
	for (i = 0; i < DRAW_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	qsort(values, DRAW_THREADS * DRAWS, 16, cmp16);
	for (i = 1; i < DRAW_THREADS * DRAWS; i++)
		ASSERT_NE(0, memcmp(values[i - 1], values[i], 16)) {
			TH_LOG("two 16-byte draws are equal");
		}
}

#define DRAW_ARC4	1	/* arc4random_buf() instead of getrandom() */
#define DRAW_ALONE	2	/* the only thread besides main: check the pool */

/* One draw in a new thread; with DRAW_ALONE, it must own a state now. */
static void *one_draw(void *arg)
{
	long how = (long)arg;
	pool_fn pool = pool_query();
	size_t all, free_states;
	unsigned char b[16];

	if (how & DRAW_ARC4)
		arc4random_buf(b, sizeof(b));
	else if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return (void *)1;
	if ((how & DRAW_ALONE) &&
	    (!pool || pool(&all, &free_states) || free_states != all - 2))
		return (void *)2;
	return NULL;
}

/* @n threads at once each draw once; -1 if one failed. */
static int run_draw_threads(int n, long how)
{
	pthread_t t[8];
	void *ret;
	int i, failed = 0;

	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, one_draw, (void *)how))
			return -1;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &ret);
		failed |= ret != NULL;
	}
	return failed ? -1 : 0;
}

/* Thread exit hands the state back: the pool does not grow per thread. */
TEST(thread_states_recycled)
{
	pool_fn pool = pool_query();
	size_t all, free_states, first_all;
	unsigned char b[16];
	int i;

	SKIP_IF_LIBC_BINDS();

	ASSERT_NE(NULL, pool);
	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	ASSERT_EQ(0, run_draw_threads(1, 0));
	ASSERT_EQ(0, pool(&first_all, &free_states));
	EXPECT_EQ(first_all - 1, free_states);
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, run_draw_threads(1, DRAW_ALONE | (i & DRAW_ARC4))) {
			TH_LOG("thread %d failed, or owned no state", i);
		}
	ASSERT_EQ(0, pool(&all, &free_states));
	TH_LOG("after 200 threads one by one: %zu states (%zu after the first), %zu free",
	       all, first_all, free_states);
	EXPECT_EQ(first_all, all);
	EXPECT_EQ(all - 1, free_states);
	/* Eight at a time: the first round sizes the pool, later ones reuse it. */
	ASSERT_EQ(0, run_draw_threads(8, 0));
	ASSERT_EQ(0, pool(&first_all, &free_states));
	for (i = 0; i < 25; i++)
		ASSERT_EQ(0, run_draw_threads(8, i & DRAW_ARC4));
	ASSERT_EQ(0, pool(&all, &free_states));
	TH_LOG("after 25 rounds of 8 threads: %zu states (%zu after the first), %zu free",
	       all, first_all, free_states);
	EXPECT_EQ(first_all, all);
	EXPECT_EQ(all - 1, free_states);
}

/*
 * A sandbox that refuses the vDSO states' mmap (MAP_DROPPABLE, an mmap
 * flag glibc 2.36 never uses; Chromium's baseline refuses unusual flags)
 * once the family is running: threads that find no state left use
 * getrandom(2), with right results, and the mapping is not tried again
 * (in TRAP mode: one SIGSYS for the whole process; none when the filter
 * goes in through glibc's syscall(), which the binder interposes).
 */
#define MAP_DROPPABLE_	0x08
#define REFUSAL_THREADS	64

static pthread_barrier_t refusal_barrier;
static unsigned char refusal_drawn[REFUSAL_THREADS][2][16];

static void *refusal_worker(void *arg)
{
	unsigned char (*d)[16] = refusal_drawn[(long)arg];
	long bad = 0;

	/* Every thread holds its state (if any) until all have drawn. */
	if (getrandom(d[0], 16, 0) != 16 || all_zero(d[0], 16))
		bad = 1;
	arc4random_buf(d[1], 16);
	pthread_barrier_wait(&refusal_barrier);
	return (void *)bad;
}

/* @n threads at once; -1 if one failed, else 0. */
static int refusal_round(int n)
{
	pthread_t t[REFUSAL_THREADS];
	void *ret;
	int i, failed = 0;

	pthread_barrier_init(&refusal_barrier, NULL, n);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, refusal_worker, (void *)(long)i))
			return -1;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &ret);
		failed |= ret != NULL;
	}
	pthread_barrier_destroy(&refusal_barrier);
	return failed ? -1 : 0;
}

/* Two threads' draws never repeat (16-byte samples). */
static int refusal_distinct(int n)
{
	int i, j;

	for (i = 0; i < 2 * n; i++)
		for (j = 0; j < i; j++)
			if (!memcmp(refusal_drawn[i / 2][i % 2],
				    refusal_drawn[j / 2][j % 2], 16))
				return 0;
	return 1;
}

FIXTURE(state_mmap_refused) {
};

FIXTURE_VARIANT(state_mmap_refused) {
	enum vsc_mode	mode;
	int		through_glibc;	/* the binder sees the filter coming */
};

FIXTURE_VARIANT_ADD(state_mmap_refused, enosys) { .mode = VSC_ENOSYS };
FIXTURE_VARIANT_ADD(state_mmap_refused, eperm) { .mode = VSC_EPERM };
FIXTURE_VARIANT_ADD(state_mmap_refused, trap) { .mode = VSC_TRAP };
FIXTURE_VARIANT_ADD(state_mmap_refused, trap_announced) {
	.mode = VSC_TRAP, .through_glibc = 1,
};

FIXTURE_SETUP(state_mmap_refused)
{
}

FIXTURE_TEARDOWN(state_mmap_refused)
{
}

TEST_F(state_mmap_refused, falls_back_for_good)
{
	pool_fn pool = pool_query();
	size_t all, free_states, all_after;
	struct vsc_allow allow;
	unsigned char b[16];
	int n, round;

	SKIP_IF_LIBC_BINDS();
	ASSERT_NE(NULL, pool);
	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	ASSERT_EQ(0, pool(&all, &free_states));
	/* More threads than states: some must find none. */
	n = all + 8 < REFUSAL_THREADS ? all + 8 : REFUSAL_THREADS;
	ASSERT_LT(all, (size_t)n);
	vsc_allow_all_but_mmap(&allow, MAP_DROPPABLE_);
	vsc_through_glibc = variant->through_glibc;
	ASSERT_EQ(0, vsc_install(variant->mode, &allow));
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, refusal_round(n));
		EXPECT_TRUE(refusal_distinct(n));
	}
	ASSERT_EQ(0, pool(&all_after, &free_states));
	TH_LOG("%d threads at once, %zu states, %ld SIGSYS", n, all_after,
	       vsc_trap_hits());
	EXPECT_EQ(all, all_after);
	EXPECT_EQ(all - 1, free_states);
	/* Announced (binder/sandbox.c): no state is even tried. */
	if (variant->mode == VSC_TRAP)
		EXPECT_EQ(variant->through_glibc ? 0 : 1, vsc_trap_hits());
}

/*
 * A filter announced through glibc during the warm-up: the family is set
 * up before it goes in (the image file mapped while that is allowed).
 */
TEST(warmup_then_announced_filter)
{
	struct vsc_allow allow;
	unsigned char b[16];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	vsc_allow_all_but_mmap(&allow, MAP_DROPPABLE_);
	vsc_through_glibc = 1;
	ASSERT_EQ(0, vsc_install(VSC_ENOSYS, &allow));
	EXPECT_TRUE(maps_have_image()) {
		TH_LOG("the family was not set up before the announced filter");
	}
	for (i = 0; i < VLIBC_GETRANDOM_WARMUP_CALLS + 10; i++)
		ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	EXPECT_FALSE(all_zero(b, sizeof(b)));
}

/* --- filters the binder is not told of --------------------------------- */

/*
 * Filters installed with the system call instruction (the binder does not
 * see them coming) after the family's first call, during its warm-up:
 * glibc alone makes no open(), mmap() or madvise() for getrandom(), so
 * the process must live through every one of them and get its bytes.
 * The first call mapped the image (binder_prepare()); the set-up after
 * the warm-up opens nothing, and meets a refusal only in the family's
 * own state (the states' mmap(): no state, getrandom(2) for good).  Each
 * case runs in a child, whose exit status says what went wrong.
 */
#define HOSTILE_CALLS	(VLIBC_GETRANDOM_WARMUP_CALLS + 44)
#define HOSTILE_THREADS	4

FIXTURE(warmup_then_unannounced) {
};

FIXTURE_VARIANT(warmup_then_unannounced) {
	unsigned int	ret;		/* SECCOMP_RET_* for the calls in nrs */
	int		nrs[4];
	int		n;
	int		threads;	/* the calls on this many threads (0: main) */
	int		in_fork;	/* the filter and calls in a fork child */
	long		max_traps;	/* SECCOMP_RET_TRAP: SIGSYS at most */
};

FIXTURE_VARIANT_ADD(warmup_then_unannounced, kill_filter) {
	.ret = SECCOMP_RET_KILL_PROCESS, .nrs = { __NR_openat, __NR_open }, .n = 2,
};
FIXTURE_VARIANT_ADD(warmup_then_unannounced, kill_on_openat_threads) {
	.ret = SECCOMP_RET_KILL_PROCESS, .nrs = { __NR_openat, __NR_open }, .n = 2,
	.threads = HOSTILE_THREADS,
};
FIXTURE_VARIANT_ADD(warmup_then_unannounced, kill_on_openat_fork_child) {
	.ret = SECCOMP_RET_KILL_PROCESS, .nrs = { __NR_openat, __NR_open }, .n = 2,
	.in_fork = 1,
};
/*
 * What mapping the image file takes: none of it comes again (one thread:
 * glibc's thread exit makes madvise() of the stack).
 */
FIXTURE_VARIANT_ADD(warmup_then_unannounced, trap_on_image_calls) {
	.ret = SECCOMP_RET_TRAP,
	.nrs = { __NR_openat, __NR_open, __NR_uname, __NR_madvise }, .n = 4,
};
/* The states' mmap(): refused, the family makes getrandom(2). */
FIXTURE_VARIANT_ADD(warmup_then_unannounced, eperm_on_mmap) {
	.ret = SECCOMP_RET_ERRNO | EPERM, .nrs = { __NR_mmap, __NR_madvise }, .n = 2,
};
FIXTURE_VARIANT_ADD(warmup_then_unannounced, trap_on_mmap) {
	.ret = SECCOMP_RET_TRAP, .nrs = { __NR_mmap, __NR_madvise }, .n = 2,
	.max_traps = 1,		/* the pool's first mmap(), then none */
};
FIXTURE_VARIANT_ADD(warmup_then_unannounced, eperm_on_mmap_fork_child) {
	.ret = SECCOMP_RET_ERRNO | EPERM, .nrs = { __NR_mmap, __NR_madvise }, .n = 2,
	.in_fork = 1,
};

FIXTURE_SETUP(warmup_then_unannounced)
{
}

FIXTURE_TEARDOWN(warmup_then_unannounced)
{
}

/* HOSTILE_CALLS calls of the family: 0, or 1 for a failed or zero draw. */
static void *hostile_calls(void *unused)
{
	unsigned char a[16], b[16];
	int i;

	for (i = 0; i < HOSTILE_CALLS; i++) {
		if (getrandom(a, sizeof(a), 0) != sizeof(a))
			return (void *)1;
		arc4random_buf(b, sizeof(b));
		if (all_zero(a, sizeof(a)) || all_zero(b, sizeof(b)) ||
		    !memcmp(a, b, sizeof(a)))
			return (void *)1;
	}
	return NULL;
}

/* The filter, then the calls: an exit status (0 when all went well). */
static int hostile_run(const FIXTURE_VARIANT(warmup_then_unannounced) *v)
{
	pthread_t t[HOSTILE_THREADS];
	size_t all = 0, free_states;
	pool_fn pool = pool_query();
	void *r = NULL;
	int i;

	if (vsc_deny(v->nrs, v->n, v->ret, VSC_VIA_RAW))
		return 3;
	if (!v->threads)
		r = hostile_calls(NULL);
	for (i = 0; i < v->threads; i++)
		if (pthread_create(&t[i], NULL, hostile_calls, NULL))
			return 4;
	for (i = 0; i < v->threads; i++)
		if (pthread_join(t[i], r ? NULL : &r))
			return 4;
	if (r)
		return 5;
	if ((v->ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRAP &&
	    vsc_trap_hits() > v->max_traps)
		return 6;
	/* Refused mmap(): the family maps no state (or is not on the vDSO). */
	if (v->nrs[0] == __NR_mmap && pool && !pool(&all, &free_states) && all)
		return 7;
	return 0;
}

static int hostile_child(void *arg)
{
	const FIXTURE_VARIANT(warmup_then_unannounced) *v = arg;
	unsigned char b[16];
	int status;
	pid_t pid;

	/* The family's first call: the image is mapped now. */
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return 2;
	if (!maps_have_image())
		return 8;
	if (!v->in_fork)
		return hostile_run(v);
	/* The child's private region is wiped; it sets the family up itself. */
	pid = fork();
	if (pid < 0)
		return 9;
	if (!pid)
		_exit(hostile_run(v));
	if (waitpid(pid, &status, 0) != pid)
		return 9;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(warmup_then_unannounced, process_lives)
{
	char why[64];
	int r = vt_run_child(hostile_child, (void *)variant, 60000);

	EXPECT_EQ(0, r) {
		TH_LOG("child: %s (2 first call, 3 filter, 4 threads, 5 bytes,"
		       " 6 SIGSYS, 7 states mapped, 8 no image, 9 fork)",
		       vt_child_what(r, why, sizeof(why)));
	}
}

/*
 * The file-mode limit (vt_file_mode_limit_holds()): the process is
 * killed at its first getrandom() in file mode and lives under kernel
 * delivery.  This case documents the limit
 * (Documentation/userspace-api/vlibc.rst): it fails if it changes.
 */
static int first_call_child(void *unused)
{
	return hostile_calls(NULL) ? 5 : 0;
}

TEST(unannounced_kill_filter_before_first_call)
{
	char what[192];

	/* main() runs every case under the binder. */
	EXPECT_TRUE(vt_file_mode_limit_holds(first_call_child, NULL, 1, 60000,
					     what, sizeof(what)));
	TH_LOG("%s (3 filter, 5 bytes)", what);
}

TEST(fork_outputs_differ)
{
	EXPECT_EQ(0, check_fork_differs(50));
}

struct parked {
	pthread_barrier_t	ready, release;
};

static void *parked_worker(void *arg)
{
	struct parked *p = arg;
	unsigned char b[16];
	void *r = getrandom(b, sizeof(b), 0) == sizeof(b) ? NULL : (void *)1;

	pthread_barrier_wait(&p->ready);
	pthread_barrier_wait(&p->release);
	return r;
}

static int expect_distinct3(const unsigned char *a, const unsigned char *b,
			    const unsigned char *c)
{
	return memcmp(a, b, 64) && memcmp(a, c, 64) && memcmp(b, c, 64);
}

/*
 * Fork with four other threads holding states: the child gets every state
 * but the forking thread's back, and so does its own child.
 */
TEST(fork_with_threads)
{
	pool_fn pool = pool_query();
	struct parked p;
	pthread_t t[4];
	struct fork_result res;
	unsigned char mine[64];
	size_t all, free_states;
	void *ret;
	int i;

	SKIP_IF_LIBC_BINDS();

	ASSERT_NE(NULL, pool);
	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(16, getrandom(mine, 16, 0));
	pthread_barrier_init(&p.ready, NULL, 5);
	pthread_barrier_init(&p.release, NULL, 5);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, parked_worker, &p));
	pthread_barrier_wait(&p.ready);
	ASSERT_EQ(0, pool(&all, &free_states));
	EXPECT_EQ(all - 5, free_states);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, fork_round(mine, &res, 1)) {
			TH_LOG("round %d: a process failed", i);
		}
		EXPECT_TRUE(res.child.ok && res.grandchild.ok);
		EXPECT_TRUE(expect_distinct3(mine, res.child.bytes,
					     res.grandchild.bytes)) {
			TH_LOG("round %d: parent, child, grandchild bytes repeat", i);
		}
		EXPECT_EQ(0, check_child_pool("child", &res.child, all));
		EXPECT_EQ(0, check_child_pool("grandchild", &res.grandchild, all));
	}
	pthread_barrier_wait(&p.release);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
}

struct thread_fork {
	unsigned char		mine[64];
	struct fork_result	res;
	int			rc;
};

static void *forking_worker(void *arg)
{
	struct thread_fork *tf = arg;

	tf->rc = getrandom(tf->mine, 16, 0) == 16 ?
		 fork_round(tf->mine, &tf->res, 1) : -1;
	return NULL;
}

/* Fork from a thread other than the main one, which also holds a state. */
TEST(fork_from_thread)
{
	struct thread_fork tf = { .rc = -1 };
	unsigned char b[16];
	pthread_t t;

	ASSERT_EQ(0, past_warmup());
	ASSERT_EQ(16, getrandom(b, sizeof(b), 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, forking_worker, &tf));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, tf.rc);
	EXPECT_TRUE(tf.res.child.ok && tf.res.grandchild.ok);
	EXPECT_TRUE(expect_distinct3(tf.mine, tf.res.child.bytes,
				     tf.res.grandchild.bytes));
	EXPECT_EQ(0, check_child_pool("child", &tf.res.child, 0));
	EXPECT_EQ(0, check_child_pool("grandchild", &tf.res.grandchild, 0));
}

TEST(arc4random_basic)
{
	EXPECT_EQ(0, check_arc4random_basic());
}

/* 200000 draws below 10: every value within 5% of the expected 20000. */
TEST(arc4random_uniform_spread)
{
	unsigned int count[10] = { 0 };
	int i;

	for (i = 0; i < 200000; i++) {
		uint32_t v = arc4random_uniform(10);

		ASSERT_LT(v, 10);
		count[v]++;
	}
	for (i = 0; i < 10; i++) {
		unsigned int n = count[i];

		EXPECT_TRUE(n >= 19000 && n <= 21000) {
			TH_LOG("value %d drawn %u times of 200000", i, n);
		}
	}
}

/* --- variants: this program again, with a toggle set ----------------------- */

/* Run "this --mini @mode" with @var=@value set: it must say it is ok. */
static void expect_mini(struct __test_metadata *_metadata, const char *mode,
			const char *var, const char *value)
{
	char *args[] = { "--mini", (char *)mode, NULL };
	char *set = vt_strf("%s=%s", var, value);
	char *done = vt_strf("mini %s: ok", mode);
	struct vt_self s = { .args = args, .set = { set } };

	EXPECT_EQ(0, vt_run_self_ok(&s, done));
	free(done);
	free(set);
}

TEST(variant_syscall)
{
	SKIP_IF_LIBC_BINDS();
	expect_mini(_metadata, "syscall", "VLIBC_GETRANDOM", "syscall");
}

TEST(variant_glibc)
{
	expect_mini(_metadata, "glibc", "VLIBC_GETRANDOM", "glibc");
}

TEST(variant_vdso)
{
	SKIP_IF_LIBC_BINDS();
	expect_mini(_metadata, "vdso", "VLIBC_GETRANDOM", "vdso");
}

TEST(variant_unknown_is_vdso)
{
	SKIP_IF_LIBC_BINDS();
	expect_mini(_metadata, "vdso", "VLIBC_GETRANDOM", "no-such-variant");
}

TEST(variant_disabled)
{
	expect_mini(_metadata, "glibc", "VLIBC_DISABLE", "getrandom");
}

TEST(variant_off)
{
	expect_mini(_metadata, "glibc", "VLIBC", "off");
}

/* The reduced run a variant_* case starts. */
static int mini_main(const char *mode)
{
	int failed = 0;

	who = mode;
	failed += past_warmup() ? 1 : 0;
	failed += check_binding(mode);
	failed += check_lengths();
	failed += check_flags_vs_syscall(0);
	failed += check_efault_vs_syscall();
	failed += check_eintr_storm(300);
	failed += check_arc4random_basic();
	failed += check_fork_differs(5);
	printf("mini %s: %s\n", mode, failed ? "FAILED" : "ok");
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* Without the binder loaded, run again with it preloaded. */
	vt_reexec_with_binder(argv, "libvlibc.so", REEXEC_MARK, pool_query() != NULL);
	if (argc == 3 && !strcmp(argv[1], "--mini"))
		return mini_main(argv[2]);
	return test_harness_run(argc, argv);
}
