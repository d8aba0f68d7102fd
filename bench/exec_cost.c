// SPDX-License-Identifier: GPL-2.0
/*
 * exec_cost N PROGRAM [ARG...]: runs PROGRAM N times (fork, execv, wait4)
 * and prints the medians of the wall time per run, of the child's CPU time
 * (user and system: less disturbed than the wall time by other processes
 * on a loaded machine) and of its minor page faults, in one line:
 *	runs=N us=MEDIAN minflt=MEDIAN majflt=MAX cpu_us=MEDIAN
 * The environment is passed through, so LD_PRELOAD and VLIBC_* select
 * what is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static long median(long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_long);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long *us, *minflt, *cpu_us, majflt = 0;
	int n, i;

	if (argc < 3 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: exec_cost N PROGRAM [ARG...]\n");
		return 2;
	}
	us = calloc(n, sizeof(*us));
	minflt = calloc(n, sizeof(*minflt));
	cpu_us = calloc(n, sizeof(*cpu_us));
	if (!us || !minflt || !cpu_us)
		return 1;
	for (i = 0; i < n; i++) {
		struct rusage ru;
		long t0 = now_ns();
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid) {
			perror("wait4");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "exec_cost: %s failed (status %#x)\n",
				argv[2], status);
			return 1;
		}
		us[i] = (now_ns() - t0) / 1000;
		minflt[i] = ru.ru_minflt;
		cpu_us[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
			    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
		if (ru.ru_majflt > majflt)
			majflt = ru.ru_majflt;
	}
	printf("runs=%d us=%ld minflt=%ld majflt=%ld cpu_us=%ld\n", n, median(us, n),
	       median(minflt, n), majflt, median(cpu_us, n));
	return 0;
}
