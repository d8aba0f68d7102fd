// SPDX-License-Identifier: GPL-2.0
/*
 * locks_bench: an ordinary pthread program (plain glibc API, no vlibc
 * headers) timing one shared mutex, for bench/locks.sh.
 *
 *	locks_bench THREADS MS KIND
 *
 * THREADS threads start together on a barrier and loop for MS
 * milliseconds: lock the shared mutex, a short critical section of fixed
 * work (a chain of dependent arithmetic updating a small shared array),
 * unlock, a little private work.  KIND is "default" (a
 * PTHREAD_MUTEX_INITIALIZER mutex) or "adaptive" (PTHREAD_MUTEX_ADAPTIVE_NP
 * through pthread_mutexattr_settype).  Prints one line:
 *
 *	threads=N kind=K ops=TOTAL secs=ELAPSED ops_per_s=R cs_ns=C
 *
 * where cs_ns is the critical section alone, timed single-threaded with no
 * lock before the threads start.  A count kept inside the critical section
 * must equal the sum of the threads' counts, or the mutex did not exclude:
 * then it says so and exits 2.
 *
 *	locks_bench uncontended[-mt] [PAIRS [KIND]]   (-mt: with a second, idle thread)
 *
 * One thread, lock and unlock in a loop: PAIRS pairs (default 50000000)
 * in 5 timed runs; prints the median and the minimum ns per pair:
 *
 *	uncontended kind=K pairs=PAIRS ns_per_pair=MEDIAN min_ns=MIN
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CACHELINE	64
#define CS_WORDS	8	/* the shared array: one cache line */
#define CS_STEPS	56	/* dependent steps in the critical section */
#define PRIVATE_STEPS	2	/* dependent steps outside it */
#define MAX_THREADS	256
#define UNC_RUNS	5

static struct {
	pthread_mutex_t lock;
} shared_lock __attribute__((aligned(CACHELINE)));

static struct {
	unsigned long data[CS_WORDS];
	unsigned long ops;	/* only ever touched under the lock */
} shared __attribute__((aligned(CACHELINE)));

static struct {
	atomic_int stop;
} flag __attribute__((aligned(CACHELINE)));

static pthread_barrier_t start_barrier;

struct worker {
	pthread_t tid;
	unsigned long ops;
	unsigned long sink;
	unsigned long seed;
} __attribute__((aligned(CACHELINE)));

static struct worker workers[MAX_THREADS];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "locks_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* The critical section: a fixed chain of dependent multiply-adds. */
static __attribute__((noinline)) void critical(unsigned long *d)
{
	unsigned long x = d[0];
	int i;

	for (i = 0; i < CS_STEPS; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		d[i % CS_WORDS] += x >> 17;
	}
}

/* A few ns of work on the thread's own data. */
static inline unsigned long private_work(unsigned long p)
{
	int i;

	for (i = 0; i < PRIVATE_STEPS; i++)
		p = p * 2862933555777941757UL + 3037000493UL;
	return p;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long n = 0, p = w->seed;
	int r;

	pthread_barrier_wait(&start_barrier);
	while (!atomic_load_explicit(&flag.stop, memory_order_relaxed)) {
		r = pthread_mutex_lock(&shared_lock.lock);
		if (r)
			die("pthread_mutex_lock", r);
		critical(shared.data);
		shared.ops++;
		r = pthread_mutex_unlock(&shared_lock.lock);
		if (r)
			die("pthread_mutex_unlock", r);
		p = private_work(p);
		n++;
	}
	w->ops = n;
	w->sink = p;
	return NULL;
}

static void init_lock(const char *kind)
{
	pthread_mutexattr_t attr;
	int r;

	if (!strcmp(kind, "default")) {
		pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;

		shared_lock.lock = init;
		return;
	}
	if (strcmp(kind, "adaptive")) {
		fprintf(stderr, "locks_bench: unknown kind %s (default, adaptive)\n", kind);
		exit(1);
	}
	pthread_mutexattr_init(&attr);
	r = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	if (r)
		die("pthread_mutexattr_settype", r);
	r = pthread_mutex_init(&shared_lock.lock, &attr);
	if (r)
		die("pthread_mutex_init", r);
	pthread_mutexattr_destroy(&attr);
}

/* ns of one critical section alone: the best of a few timed loops. */
static double critical_ns(void)
{
	const int calls = 50000;
	double best = 1e30, t;
	int run, i;

	for (run = 0; run < 7; run++) {
		t = now_ns();
		for (i = 0; i < calls; i++)
			critical(shared.data);
		t = (now_ns() - t) / calls;
		if (t < best)
			best = t;
	}
	return best;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The second thread of "uncontended-mt": it only waits. */
static void *idle_main(void *arg)
{
	pause();
	return arg;
}

static int uncontended(unsigned long pairs, const char *kind, int idle_thread)
{
	unsigned long chunk = pairs / UNC_RUNS, i;
	double ns[UNC_RUNS], t;
	pthread_t idle;
	int run, r;

	if (chunk < 1000)
		chunk = 1000;
	/* With a second thread, a libc can no longer skip atomic instructions. */
	if (idle_thread) {
		r = pthread_create(&idle, NULL, idle_main, NULL);
		if (r)
			die("pthread_create", r);
	}
	init_lock(kind);
	for (i = 0; i < chunk / 10; i++) {	/* warm up */
		pthread_mutex_lock(&shared_lock.lock);
		pthread_mutex_unlock(&shared_lock.lock);
	}
	for (run = 0; run < UNC_RUNS; run++) {
		t = now_ns();
		for (i = 0; i < chunk; i++) {
			pthread_mutex_lock(&shared_lock.lock);
			pthread_mutex_unlock(&shared_lock.lock);
		}
		ns[run] = (now_ns() - t) / chunk;
	}
	qsort(ns, UNC_RUNS, sizeof(ns[0]), cmp_double);
	printf("uncontended%s kind=%s pairs=%lu ns_per_pair=%.3f min_ns=%.3f\n",
	       idle_thread ? "-mt" : "", kind, chunk * UNC_RUNS,
	       ns[UNC_RUNS / 2], ns[0]);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: locks_bench THREADS MS default|adaptive\n"
			"       locks_bench uncontended[-mt] [PAIRS [default|adaptive]]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	struct timespec ts;
	unsigned long total = 0;
	double cs, t0, t1;
	long threads, ms;
	int i, r;

	if (argc >= 2 && (!strcmp(argv[1], "uncontended") ||
			  !strcmp(argv[1], "uncontended-mt"))) {
		unsigned long pairs = argc >= 3 ? strtoul(argv[2], NULL, 10) : 50000000;

		return uncontended(pairs, argc >= 4 ? argv[3] : "default",
				   !strcmp(argv[1], "uncontended-mt"));
	}
	if (argc != 4)
		usage();
	threads = strtol(argv[1], NULL, 10);
	ms = strtol(argv[2], NULL, 10);
	if (threads < 1 || threads > MAX_THREADS || ms < 1)
		usage();
	init_lock(argv[3]);

	cs = critical_ns();
	r = pthread_barrier_init(&start_barrier, NULL, threads + 1);
	if (r)
		die("pthread_barrier_init", r);
	for (i = 0; i < threads; i++) {
		workers[i].seed = 0x9e3779b97f4a7c15UL * (i + 1);
		r = pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]);
		if (r)
			die("pthread_create", r);
	}
	pthread_barrier_wait(&start_barrier);
	t0 = now_ns();
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	atomic_store_explicit(&flag.stop, 1, memory_order_relaxed);
	t1 = now_ns();
	for (i = 0; i < threads; i++) {
		r = pthread_join(workers[i].tid, NULL);
		if (r)
			die("pthread_join", r);
		total += workers[i].ops;
	}
	if (shared.ops != total) {
		fprintf(stderr, "locks_bench: the mutex did not exclude: %lu operations "
			"counted under it, %lu done\n", shared.ops, total);
		return 2;
	}
	printf("threads=%ld kind=%s ops=%lu secs=%.6f ops_per_s=%.0f cs_ns=%.1f\n",
	       threads, argv[3], total, (t1 - t0) / 1e9, total / ((t1 - t0) / 1e9),
	       cs);
	return 0;
}
