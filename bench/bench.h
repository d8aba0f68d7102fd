/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing for the ns/call benchmarks: a timed loop of N calls, N chosen so
 * one run takes BENCH_MS milliseconds (default 20), run BENCH_RUNS times
 * (default 11).  Each benchmark prints one line the runner parses:
 *
 *	NAME MEDIAN_NS MIN_NS MAX_NS CALLS_PER_RUN
 *
 * The median is what to compare; min and max show how noisy the run was.
 */
#ifndef _VLIBC_BENCH_H
#define _VLIBC_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_MAX_RUNS	101

/* A timed loop: @calls calls of the function under test. */
typedef void (*bench_loop_fn)(unsigned long calls);

static inline unsigned long bench_env(const char *name, unsigned long def,
				      unsigned long lo, unsigned long hi)
{
	const char *s = getenv(name);
	unsigned long v = s && *s ? strtoul(s, NULL, 10) : def;

	return v < lo ? lo : v > hi ? hi : v;
}

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per call of one run of @calls calls. */
static inline double bench_run_once(bench_loop_fn loop, unsigned long calls)
{
	double t0 = bench_now_ns();

	loop(calls);
	return (bench_now_ns() - t0) / calls;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Enough calls for one run to last about @ms milliseconds. */
static inline unsigned long bench_calibrate(bench_loop_fn loop, unsigned long ms)
{
	unsigned long calls = 1000;
	double ns;

	loop(calls);				/* warm up: state, caches */
	ns = bench_run_once(loop, calls);
	if (ns < 1)
		ns = 1;
	calls = (unsigned long)(ms * 1e6 / ns);
	return calls < 1000 ? 1000 : calls;
}

static inline void bench_report(const char *name, bench_loop_fn loop)
{
	unsigned long runs = bench_env("BENCH_RUNS", 11, 1, BENCH_MAX_RUNS);
	unsigned long ms = bench_env("BENCH_MS", 20, 1, 10000);
	unsigned long calls = bench_calibrate(loop, ms), i;
	double ns[BENCH_MAX_RUNS];

	for (i = 0; i < runs; i++)
		ns[i] = bench_run_once(loop, calls);
	qsort(ns, runs, sizeof(ns[0]), bench_cmp_double);
	printf("%s %.2f %.2f %.2f %lu\n", name, ns[runs / 2], ns[0],
	       ns[runs - 1], calls);
	fflush(stdout);
}

/* A buffer the kernel (or the vDSO) left all zero is a broken generator. */
static inline void bench_check_filled(const char *name,
				      const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return;
	fprintf(stderr, "%s: %zu bytes of zeros: generator broken\n", name, len);
	exit(1);
}

#endif /* _VLIBC_BENCH_H */
