// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary glibc program (no vlibc headers, built with -fno-builtin so
 * every call goes through the PLT) timing memcpy(), memmove(), mempcpy()
 * and memset() on hot buffers.
 *
 *	memcpy_bench FUNC SIZE...
 *
 * For each SIZE: source and destination are separate 64-byte aligned
 * buffers (memmove too: the disjoint case), written once before timing.
 * A timed loop repeats the call for about BENCH_MS milliseconds (at least
 * one call); BENCH_RUNS loops; one line per size:
 *
 *	FUNC SIZE MEDIAN_GBPS MIN_GBPS MAX_GBPS CALLS_PER_RUN
 *
 * GB/s is 10^9 bytes of destination written per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { F_MEMCPY, F_MEMMOVE, F_MEMPCPY, F_MEMSET };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 10) : def;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void loop(int f, char *d, char *s, size_t n, unsigned long calls)
{
	unsigned long i;

	for (i = 0; i < calls; i++) {
		switch (f) {
		case F_MEMCPY:
			memcpy(d, s, n);
			break;
		case F_MEMMOVE:
			memmove(d, s, n);
			break;
		case F_MEMPCPY:
			mempcpy(d, s, n);
			break;
		default:
			memset(d, (int)i, n);
			break;
		}
		__asm__ volatile ("" : : "r"(d), "r"(s) : "memory");
	}
}

static void *buffer(size_t n)
{
	void *p = mmap(NULL, n + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	unsigned long runs = env_ul("BENCH_RUNS", 11), ms = env_ul("BENCH_MS", 20);
	double gbps[101];
	int f, a;

	if (argc < 3) {
		fprintf(stderr, "usage: %s memcpy|memmove|mempcpy|memset SIZE...\n",
			argv[0]);
		return 2;
	}
	f = !strcmp(argv[1], "memcpy") ? F_MEMCPY :
	    !strcmp(argv[1], "memmove") ? F_MEMMOVE :
	    !strcmp(argv[1], "mempcpy") ? F_MEMPCPY :
	    !strcmp(argv[1], "memset") ? F_MEMSET : -1;
	if (f < 0)
		return 2;
	if (runs < 1)
		runs = 1;
	if (runs > 101)
		runs = 101;
	for (a = 2; a < argc; a++) {
		size_t n = strtoul(argv[a], NULL, 0);
		char *d = buffer(n), *s = buffer(n);
		unsigned long calls = 1, r;
		double t;

		memset(s, 0x5a, n + 64);
		memset(d, 0xa5, n + 64);
		/* Calibrate: enough calls for one run to last about @ms. */
		for (;;) {
			t = now_ns();
			loop(f, d, s, n, calls);
			t = now_ns() - t;
			if (t >= ms * 1e6 / 4 || calls >= (1UL << 40))
				break;
			calls *= 4;
		}
		if (t < ms * 1e6)
			calls = calls * (ms * 1e6 / (t > 1 ? t : 1));
		if (!calls)
			calls = 1;
		for (r = 0; r < runs; r++) {
			t = now_ns();
			loop(f, d, s, n, calls);
			t = now_ns() - t;
			gbps[r] = (double)n * calls / t;
		}
		qsort(gbps, runs, sizeof(gbps[0]), cmp_double);
		printf("%s %zu %.3f %.3f %.3f %lu\n", argv[1], n, gbps[runs / 2],
		       gbps[0], gbps[runs - 1], calls);
		fflush(stdout);
		munmap(d, n + 4096);
		munmap(s, n + 4096);
	}
	return 0;
}
