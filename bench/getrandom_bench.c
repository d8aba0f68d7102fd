// SPDX-License-Identifier: GPL-2.0
/*
 * ns/call of getrandom(buf, 16, 0) and arc4random_buf(buf, 16) in an
 * ordinary program: linked against glibc the plain way, nothing vlibc
 * specific in it.  bench/run runs it as is, under vlibc-run, and under
 * vlibc-run with VLIBC_GETRANDOM=syscall; the same binary every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include "bench.h"

#define LEN	16

static unsigned char buf[LEN];

static void loop_getrandom(unsigned long calls)
{
	while (calls--) {
		if (getrandom(buf, LEN, 0) != LEN) {
			perror("getrandom");
			exit(1);
		}
	}
}

static void loop_arc4random_buf(unsigned long calls)
{
	while (calls--)
		arc4random_buf(buf, LEN);
}

int main(void)
{
	bench_report("getrandom16", loop_getrandom);
	bench_check_filled("getrandom", buf, LEN);
	bench_report("arc4random_buf16", loop_arc4random_buf);
	bench_check_filled("arc4random_buf", buf, LEN);
	return 0;
}
