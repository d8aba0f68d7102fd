// SPDX-License-Identifier: GPL-2.0
/*
 * The image's counters (<vlibc/stat-abi.h>) count known work exactly:
 * mutexes, semaphores, spinlocks, pthread_once, getrandom() and
 * arc4random*() (vDSO against system call as the variant says), AIO
 * reads (inline or on the ring as the variant says), memcpy (under the
 * opt-in memcpy binder), and threads that count and exit, their blocks
 * reused, more threads at once than there are blocks.
 *
 * The counters are read in this process, as a reader tool reads them
 * from outside: the image is the mapping vlibc_binder_bound() points
 * into, its header at the PF_W segment, and a counter is the sum over
 * every block.  Between two snapshots a case makes only the calls it
 * counts (the snapshots themselves call nothing).  Variants run as a
 * child of this program with VLIBC_* set: "child NAME" runs case NAME
 * there and prints "child ok".
 */
#include "kselftest_harness.h"
#include "vlibc_test.h"

#include <aio.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <vlibc/abi.h>
#include <vlibc/stat-abi.h>

#define REEXEC_MARK	"STAT_SELFTEST_REEXECUTED"

/* --- reading the counters ------------------------------------------------ */

static void *no_work(void *arg)
{
	return arg;
}

/* The process's first thread: the locks family binds then, not before. */
static int first_thread(void)
{
	pthread_t t;

	return pthread_create(&t, NULL, no_work, NULL) || pthread_join(t, NULL);
}

/* The image's counter header in this process, or NULL (no binder, no image). */
static const struct vlibc_stat_header *stat_header(void)
{
	static const struct vlibc_stat_header *h;
	void *(*bound)(const char *) = (void *(*)(const char *))
		dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	unsigned long addr, lo, hi, base = 0;
	char line[4096], path[4096];
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	FILE *f;
	int i;

	if (h)
		return h;
	/* A name every binder binds, at the first thread: its target is in the image. */
	if (first_thread())
		return NULL;
	addr = bound ? (unsigned long)bound("pthread_mutex_lock") : 0;
	if (!addr || vt_mapping_path(addr, path, sizeof(path)) || !vt_is_image_path(path))
		return NULL;
	/* The image's first mapping holds its ELF header. */
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2 || !off)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line + off, path) && (!base || lo < base))
			base = lo;
	}
	fclose(f);
	eh = (const Elf64_Ehdr *)base;
	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return NULL;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			h = (const struct vlibc_stat_header *)(base + ph[i].p_vaddr);
	return h;
}

struct snap {
	uint64_t	c[VLIBC_STAT_COUNTERS];
	unsigned int	owned;		/* blocks 1.. with an owner */
};

static const volatile struct vlibc_stat_block *
stat_block(const struct vlibc_stat_header *h, unsigned int b)
{
	return (const void *)((const char *)h + h->blocks_offset +
			      (unsigned long)b * h->block_size);
}

/*
 * Every counter summed over the blocks.  No call is made (no libc, and
 * no loop the compiler could make a memset() of: under the memcpy
 * binder that would count).
 */
static void snapshot(const struct vlibc_stat_header *h, struct snap *s)
{
	unsigned int b, i, owned = 0;

	for (i = 0; i < VLIBC_STAT_COUNTERS; i++) {
		uint64_t sum = 0;

		for (b = 0; b < h->nr_blocks; b++)
			sum += stat_block(h, b)->count[i];
		s->c[i] = sum;
	}
	for (b = 1; b < h->nr_blocks; b++)
		owned += stat_block(h, b)->owner != 0;
	s->owned = owned;
}

static const char *const counter_names[] = {
#define VLIBC_STAT(family, name, what) #name,
#include <vlibc/stat-counters.h>
#undef VLIBC_STAT
};

/*
 * Counters that moved between @a and @b other than as @want says
 * ({ counter, delta } pairs, ended by -1; a counter not listed must not
 * move, unless it is in @free, also ended by -1): logged, and counted.
 */
static int deltas_wrong(const struct snap *a, const struct snap *b,
			const long *want, const int *free)
{
	int i, k, wrong = 0;

	for (i = 0; i < VLIBC_STAT_COUNTERS; i++) {
		uint64_t d = b->c[i] - a->c[i], expect = 0;
		int listed = 0;

		for (k = 0; want[k] >= 0; k += 2)
			if (want[k] == i) {
				expect = want[k + 1];
				listed = 1;
			}
		for (k = 0; free && free[k] >= 0 && !listed; k++)
			listed = free[k] == i ? 2 : 0;
		if (listed == 2 || d == expect)
			continue;
		fprintf(stderr, "# %s: +%llu, expected +%llu\n", counter_names[i],
			(unsigned long long)d, (unsigned long long)expect);
		wrong++;
	}
	return wrong;
}

#define D(name, n)	VLIBC_STAT_##name, (n)
#define END		-1

/* Is family @f bound to the image in this process (decided by now)? */
static int family_bound(const struct vlibc_stat_header *h, int f)
{
	return h->magic == VLIBC_STAT_MAGIC && (h->families_bound >> f & 1);
}

/*
 * The header, set up and of this layout, with family @f bound (its first
 * call made by the caller); else a reason to skip.
 */
static const char *stat_ready(const struct vlibc_stat_header **hp, int f)
{
	const struct vlibc_stat_header *h = stat_header();

	*hp = h;
	if (!h)
		return "no image in this process";
	if (h->magic != VLIBC_STAT_MAGIC || h->version != VLIBC_STAT_VERSION ||
	    h->nr_counters != VLIBC_STAT_COUNTERS)
		return "no counter header of this layout";
	if (!family_bound(h, f))
		return h->why[f][0] ? h->why[f] : "family not bound to the image";
	return NULL;
}

/*
 * Family @f's work may start: the header in *@hp and the counters before
 * it in @a; else 1, having said "skip: why" for the parent.
 */
static int stat_begin(const struct vlibc_stat_header **hp, int f, struct snap *a)
{
	const char *why = stat_ready(hp, f);

	if (why) {
		printf("skip: %s\n", why);
		return 1;
	}
	snapshot(*hp, a);
	return 0;
}

/* --- the work ------------------------------------------------------------ */

#define N	1000

static int work_mutex(void)
{
	const struct vlibc_stat_header *h;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, r, rb;
	pthread_mutexattr_t at;
	struct timespec far = { time(NULL) + 3600, 0 };
	struct snap a, b;
	int i;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r, &at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_NORMAL);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&rb, &at);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	if (stat_begin(&h, VLIBC_STAT_FAMILY_locks, &a))
		return 0;
	for (i = 0; i < N; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		pthread_mutex_trylock(&m);
		pthread_mutex_trylock(&m);	/* EBUSY */
		pthread_mutex_unlock(&m);
		pthread_mutex_timedlock(&m, &far);
		pthread_mutex_unlock(&m);
		pthread_mutex_lock(&r);
		pthread_mutex_lock(&r);
		pthread_mutex_unlock(&r);
		pthread_mutex_unlock(&r);
	}
	/* A robust mutex is glibc's. */
	pthread_mutex_lock(&rb);
	pthread_mutex_unlock(&rb);
	snapshot(h, &b);
	return deltas_wrong(&a, &b, (const long[]){
		D(mutex_lock, 3 * N + 1), D(mutex_trylock, 2 * N),
		D(mutex_timedlock, N), D(mutex_unlock, 5 * N + 1),
		D(mutex_to_glibc, 2), END }, NULL);
}

static void once_routine(void)
{
}

static int work_sem_spin_once(void)
{
	const struct vlibc_stat_header *h;
	pthread_spinlock_t sl;
	pthread_once_t once = PTHREAD_ONCE_INIT;
	struct snap a, b;
	sem_t s;
	int i;

	sem_init(&s, 0, 0);
	pthread_spin_init(&sl, 0);
	sem_post(&s);
	sem_wait(&s);
	if (stat_begin(&h, VLIBC_STAT_FAMILY_locks, &a))
		return 0;
	for (i = 0; i < N; i++) {
		sem_post(&s);
		sem_wait(&s);
		sem_post(&s);
		sem_trywait(&s);
		sem_trywait(&s);	/* EAGAIN */
		pthread_spin_lock(&sl);
		pthread_spin_unlock(&sl);
		pthread_spin_trylock(&sl);
		pthread_spin_trylock(&sl);	/* EBUSY */
		pthread_spin_unlock(&sl);
		pthread_once(&once, once_routine);
	}
	snapshot(h, &b);
	return deltas_wrong(&a, &b, (const long[]){
		D(sem_post, 2 * N), D(sem_wait, N), D(sem_trywait, 2 * N),
		D(spin_lock, N), D(spin_trylock, 2 * N), D(spin_unlock, 2 * N),
		D(once, N), D(once_ran, 1),
		/* The routine's end wakes waiters, always (as glibc's). */
		D(futex_wake, 1), END }, NULL);
}

/*
 * A process with one thread: its lock calls go to glibc's functions and
 * are not counted (the first one maps the image, binder_prepare(), and
 * binds nothing); the first thread binds the family, and only the calls
 * after it count.
 */
static int work_locks_first_thread(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	const struct vlibc_stat_header *h;
	struct snap a, b;
	sem_t s;
	int i;

	sem_init(&s, 0, 0);
	for (i = 0; i < N; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		sem_post(&s);
		sem_wait(&s);
	}
	if (stat_begin(&h, VLIBC_STAT_FAMILY_locks, &a))	/* the first thread */
		return 0;
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	snapshot(h, &b);
	if (a.c[VLIBC_STAT_mutex_lock] || a.c[VLIBC_STAT_sem_post]) {
		printf("calls before the first thread counted: %ld, %ld\n",
		       (long)a.c[VLIBC_STAT_mutex_lock], (long)a.c[VLIBC_STAT_sem_post]);
		return 1;
	}
	return deltas_wrong(&a, &b, (const long[]){
		D(mutex_lock, 1), D(mutex_unlock, 1), END }, NULL);
}

/* @variant: "vdso", "syscall" or NULL (the vDSO if the kernel has one). */
static int work_getrandom(const char *variant)
{
	const struct vlibc_stat_header *h;
	unsigned char buf[64];
	struct snap a, b;
	long vdso, sys;
	int i, wrong;

	/*
	 * Past the warm-up: its calls go to glibc's own functions (the
	 * first maps the image) and are not counted; the next call binds.
	 */
	for (i = 0; i <= VLIBC_GETRANDOM_WARMUP_CALLS; i++)
		if (getrandom(buf, 16, 0) != 16)
			return 1;
	if (stat_begin(&h, VLIBC_STAT_FAMILY_getrandom, &a))
		return 0;
	for (i = 0; i < N; i++) {
		getrandom(buf, 16, 0);
		arc4random();
		arc4random_buf(buf, sizeof(buf));
		arc4random_uniform(1u << 31);	/* no rejection: one draw */
	}
	snapshot(h, &b);
	vdso = b.c[VLIBC_STAT_getrandom_vdso] - a.c[VLIBC_STAT_getrandom_vdso];
	sys = b.c[VLIBC_STAT_getrandom_syscall] - a.c[VLIBC_STAT_getrandom_syscall];
	/* Without a variant, all go one way: the vDSO's or the system call's. */
	if (!variant)
		variant = vdso ? "vdso" : "syscall";
	wrong = deltas_wrong(&a, &b, (const long[]){
		D(getrandom, N), D(arc4random, N), D(arc4random_buf, N),
		D(arc4random_uniform, N),
		D(getrandom_vdso, strcmp(variant, "vdso") ? 0 : 4 * N),
		D(getrandom_syscall, strcmp(variant, "vdso") ? 4 * N : 0), END }, NULL);
	printf("getrandom: %ld vdso, %ld syscall\n", vdso, sys);
	return wrong;
}

#define AIO_N		200
#define AIO_LEN		4096

/* @ring: every read on the ring (VLIBC_AIO=ring), else from the page cache. */
static int work_aio(int ring)
{
	static char data[AIO_LEN], buf[AIO_LEN];
	const struct vlibc_stat_header *h;
	char path[] = "/tmp/vlibc-stat-XXXXXX";
	const struct aiocb *list[1];
	struct aiocb cb;
	struct snap a, b;
	long errors = 0, inline_n;
	int fd, i;
	int *free_list;

	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	unlink(path);
	memset(data, 'x', sizeof(data));
	if (write(fd, data, sizeof(data)) != sizeof(data) || fsync(fd))
		return 1;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = AIO_LEN;
	list[0] = &cb;
	/* The first request sets the ring up. */
	if (aio_read(&cb))
		return 1;
	aio_suspend(list, 1, NULL);
	while (aio_error(&cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	aio_return(&cb);
	if (stat_begin(&h, VLIBC_STAT_FAMILY_aio, &a))
		return 0;
	for (i = 0; i < AIO_N; i++) {
		if (aio_read(&cb))
			return 1;
		for (;;) {
			errors++;
			if (aio_error(&cb) != EINPROGRESS)
				break;
			aio_suspend(list, 1, NULL);
		}
		if (aio_return(&cb) != AIO_LEN)
			return 1;
	}
	snapshot(h, &b);
	close(fd);
	/* How often aio_suspend() waited, and in the kernel, is timing. */
	free_list = (int[]){ VLIBC_STAT_aio_suspend, VLIBC_STAT_aio_enter,
			     VLIBC_STAT_futex_wait, VLIBC_STAT_futex_wake, END };
	/*
	 * A cached read completes inline where the file system reads with
	 * RWF_NOWAIT (ext4, xfs...); elsewhere (the QEMU guest's rootfs) it
	 * goes on the ring.  Either way each request is counted once.
	 */
	inline_n = ring ? 0 : b.c[VLIBC_STAT_aio_inline] - a.c[VLIBC_STAT_aio_inline];
	if (inline_n != 0 && inline_n != AIO_N) {
		fprintf(stderr, "# %ld of %d cached reads inline: all or none\n",
			inline_n, AIO_N);
		return 1;
	}
	return deltas_wrong(&a, &b, (const long[]){
		D(aio_read, AIO_N), D(aio_error, errors), D(aio_return, AIO_N),
		D(aio_submitted, AIO_N), D(aio_completed, AIO_N),
		D(aio_inline, inline_n), D(aio_ring, AIO_N - inline_n),
		D(aio_ring_reaped, AIO_N - inline_n), END }, free_list);
}

/*
 * Under the memcpy binder: short copies and sets, and large copies all on
 * the path VLIBC_MEMCPY says.
 */
static int work_memcpy(void)
{
	void *(*volatile copy)(void *, const void *, size_t) = memcpy;
	void *(*volatile set)(void *, int, size_t) = memset;
	const struct vlibc_stat_header *h;
	static char src[1 << 20], dst[1 << 20];
	char path[4096];
	struct snap a, b;
	const char *variant = getenv("VLIBC_MEMCPY");
	long k, large;
	int i;

	if (strcmp(vt_bound_owner("memcpy", path, sizeof(path)), "image")) {
		printf("skip: memcpy not bound to the image\n");
		return 0;
	}
	copy(dst, src, 100);
	if (stat_begin(&h, VLIBC_STAT_FAMILY_memcpy, &a))
		return 0;
	for (i = 0; i < N; i++) {
		copy(dst, src, 100);
		set(dst, i, 100);
	}
	for (i = 0; i < 10; i++)
		copy(dst, src, sizeof(dst));
	snapshot(h, &b);
	k = b.c[VLIBC_STAT_mem_bytes_rep] - a.c[VLIBC_STAT_mem_bytes_rep] +
	    b.c[VLIBC_STAT_mem_bytes_nt] - a.c[VLIBC_STAT_mem_bytes_nt] +
	    b.c[VLIBC_STAT_mem_bytes_pvr] - a.c[VLIBC_STAT_mem_bytes_pvr];
	printf("memcpy: large copies %lu vector, %lu rep, %lu nt, %lu pvr bytes\n",
	       (unsigned long)(b.c[VLIBC_STAT_mem_bytes_vector] - a.c[VLIBC_STAT_mem_bytes_vector]),
	       (unsigned long)(b.c[VLIBC_STAT_mem_bytes_rep] - a.c[VLIBC_STAT_mem_bytes_rep]),
	       (unsigned long)(b.c[VLIBC_STAT_mem_bytes_nt] - a.c[VLIBC_STAT_mem_bytes_nt]),
	       (unsigned long)(b.c[VLIBC_STAT_mem_bytes_pvr] - a.c[VLIBC_STAT_mem_bytes_pvr]));
	/* The variant's path for large copies; auto: the CPU's, one of them. */
	if (variant && strcmp(variant, "auto")) {
		large = !strcmp(variant, "vector") ? VLIBC_STAT_mem_bytes_vector :
		       !strcmp(variant, "erms") ? VLIBC_STAT_mem_bytes_rep :
		       !strcmp(variant, "nt") ? VLIBC_STAT_mem_bytes_nt :
		       VLIBC_STAT_mem_bytes_pvr;
		return deltas_wrong(&a, &b, (const long[]){
			D(mem_calls, 2 * N + 10), D(mem_bytes_small, 2 * N * 100),
			large, 10L * sizeof(dst), END }, NULL);
	}
	return deltas_wrong(&a, &b, (const long[]){
		D(mem_calls, 2 * N + 10), D(mem_bytes_small, 2 * N * 100),
		D(mem_bytes_vector, 10L * sizeof(dst) - k), END },
		(int[]){ VLIBC_STAT_mem_bytes_rep, VLIBC_STAT_mem_bytes_nt,
			 VLIBC_STAT_mem_bytes_pvr, END }) +
		(k % sizeof(dst) != 0);
}

#define THREADS_SEQ	300	/* one after the other: more than the blocks */
#define THREADS_AT_ONCE	150	/* at once: more than the blocks too */

struct thread_arg {
	pthread_mutex_t	m;
	pthread_barrier_t *all_in;
};

static void *thread_work(void *p)
{
	struct thread_arg *t = p;
	int i;

	for (i = 0; i < N; i++) {
		pthread_mutex_lock(&t->m);
		pthread_mutex_unlock(&t->m);
	}
	/* All alive at once, each with a block or on the shared one. */
	if (t->all_in)
		pthread_barrier_wait(t->all_in);
	return NULL;
}

static int work_threads(void)
{
	static struct thread_arg args[THREADS_AT_ONCE];
	static pthread_t th[THREADS_AT_ONCE];
	const struct vlibc_stat_header *h;
	pthread_barrier_t all_in;
	struct snap a, b;
	const char *why;
	int i, wrong;

	for (i = 0; i < THREADS_AT_ONCE; i++)
		pthread_mutex_init(&args[i].m, NULL);
	pthread_mutex_lock(&args[0].m);
	pthread_mutex_unlock(&args[0].m);
	why = stat_ready(&h, VLIBC_STAT_FAMILY_locks);
	if (why) {
		printf("skip: %s\n", why);
		return 0;
	}
	fprintf(stderr, "# %u counter blocks, %d threads at once\n", h->nr_blocks,
		THREADS_AT_ONCE);
	snapshot(h, &a);
	for (i = 0; i < THREADS_SEQ; i++) {
		if (pthread_create(&th[0], NULL, thread_work, &args[0]))
			return 1;
		pthread_join(th[0], NULL);
	}
	pthread_barrier_init(&all_in, NULL, THREADS_AT_ONCE);
	for (i = 0; i < THREADS_AT_ONCE; i++) {
		args[i].all_in = &all_in;
		if (pthread_create(&th[i], NULL, thread_work, &args[i]))
			return 1;
	}
	for (i = 0; i < THREADS_AT_ONCE; i++)
		pthread_join(th[i], NULL);
	snapshot(h, &b);
	/* Contention and the futex calls it makes are timing. */
	wrong = deltas_wrong(&a, &b, (const long[]){
		D(mutex_lock, (THREADS_SEQ + THREADS_AT_ONCE) * N),
		D(mutex_unlock, (THREADS_SEQ + THREADS_AT_ONCE) * N), END },
		(int[]){ VLIBC_STAT_mutex_contended, VLIBC_STAT_mutex_spin_won,
			 VLIBC_STAT_mutex_slept, VLIBC_STAT_mutex_spin_skipped,
			 VLIBC_STAT_futex_wait,
			 VLIBC_STAT_futex_wake, END });
	/* Every thread gave its block back: only this one's is owned. */
	if (b.owned != 1) {
		fprintf(stderr, "# %u blocks owned after the threads ended\n", b.owned);
		wrong++;
	}
	return wrong;
}

/*
 * A holder that sleeps with the mutex held (in steps of 2 ms, far longer
 * than any spin, until the locker sleeps on the word): the locker's spins
 * all miss, so after a few it stops spinning and sleeps at once, trying a
 * spin again now and then.  The lock order is fixed by a flag and the
 * holder waits for the locker (a few seconds at most), so every one of
 * the locker's locks is contended however late either thread runs.
 * Then a holder that keeps the mutex for half a microsecond while
 * running: the locks that find it held do so while both threads run at
 * once, their tries win again and spinning comes back.
 */
#define SLEEPY_ROUNDS	60
#define BUSY_ROUNDS	400
#define BUSY_TRIES	5	/* runs with a running holder, for a busy machine */
#define BUSY_CONTENDED	(BUSY_ROUNDS / 8)	/* in a run that tested something */
#define BUSY_RUN_MS	2000	/* a run with a running holder ends after this */
#define HOLDER_WAIT_MS	5000	/* how long the sleeping holder waits for the locker */

struct sleepy {
	pthread_mutex_t	m;
	const struct vlibc_stat_header *h;
	int		held;		/* the holder has it: lock now */
	int		sleeps;		/* the holder sleeps, or runs 0.5 us */
	int		rounds;
	int		stop;		/* the locker stopped early: the holder stops */
	int		cpu;		/* the holder's CPU, or -1 */
};

/*
 * Wait for @s->held to be @want, spinning (the locker must come at once
 * to find a running holder's mutex held), and yielding now and then: on
 * a CPU they share, the other thread runs then.
 */
static void sleepy_wait(struct sleepy *s, int want)
{
	unsigned int i;

	for (i = 1; __atomic_load_n(&s->held, __ATOMIC_ACQUIRE) != want; i++)
		if (!(i % 65536))
			sched_yield();
}

/*
 * Keep @s->m: sleeping until the locker sleeps on the word (2), for
 * HOLDER_WAIT_MS at most (the counts then show a lock not contended), or
 * running for 0.5 us.
 */
static void sleepy_hold(struct sleepy *s)
{
	double end = vt_now_ms() + HOLDER_WAIT_MS;
	struct timespec t0, t;

	if (s->sleeps) {
		do
			usleep(2000);
		while (__atomic_load_n(&s->m.__data.__lock, __ATOMIC_RELAXED) != 2 &&
		       vt_now_ms() < end);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec < 500);
}

/* Run this thread on CPU @cpu only; its CPUs before in @was (or NULL). */
static int pin_to(int cpu, cpu_set_t *was)
{
	cpu_set_t set;

	if (was && pthread_getaffinity_np(pthread_self(), sizeof(*was), was))
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *sleepy_holder(void *arg)
{
	struct sleepy *s = arg;
	int i;

	if (s->cpu >= 0)
		pin_to(s->cpu, NULL);
	for (i = 0; i < s->rounds; i++) {
		sleepy_wait(s, 0);
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			break;
		pthread_mutex_lock(&s->m);
		__atomic_store_n(&s->held, 1, __ATOMIC_RELEASE);
		sleepy_hold(s);
		pthread_mutex_unlock(&s->m);
	}
	return NULL;
}

/* What a sleepy_run() did: locks, contended ones, how many spun, how many won. */
struct sleepy_counts {
	uint64_t	rounds, contended, tried, won;
};

/* The first two CPUs this process may run on, in @cpu; -1 if not two. */
static int two_cpus(int cpu[2])
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	return n == 2 ? 0 : -1;
}

/*
 * @rounds locks of @s->m against a holder that @sleeps or not; a running
 * holder and the locker each on a CPU of its own (@cpu), which no wake-up
 * moves them from, for BUSY_RUN_MS at most (a CPU busy with other work
 * may give one of them little time).
 */
static int sleepy_run(struct sleepy *s, int sleeps, int rounds, const int *cpu,
		      struct sleepy_counts *n)
{
	double end = vt_now_ms() + BUSY_RUN_MS;
	cpu_set_t was;
	struct snap a, b;
	pthread_t t;
	int i;

	s->sleeps = sleeps;
	s->rounds = rounds;
	s->held = 0;
	s->stop = 0;
	s->cpu = cpu ? cpu[0] : -1;
	if (cpu && pin_to(cpu[1], &was))
		return -1;
	snapshot(s->h, &a);
	if (pthread_create(&t, NULL, sleepy_holder, s))
		return -1;
	for (i = 0; i < rounds && !s->stop; i++) {
		sleepy_wait(s, 1);
		pthread_mutex_lock(&s->m);
		pthread_mutex_unlock(&s->m);
		if (!sleeps && vt_now_ms() > end)
			__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->held, 0, __ATOMIC_RELEASE);
	}
	pthread_join(t, NULL);
	snapshot(s->h, &b);
	n->rounds = i;
	if (cpu && pthread_setaffinity_np(pthread_self(), sizeof(was), &was))
		return -1;
	n->contended = b.c[VLIBC_STAT_mutex_contended] - a.c[VLIBC_STAT_mutex_contended];
	n->tried = n->contended - (b.c[VLIBC_STAT_mutex_spin_skipped] -
				   a.c[VLIBC_STAT_mutex_spin_skipped]);
	n->won = b.c[VLIBC_STAT_mutex_spin_won] - a.c[VLIBC_STAT_mutex_spin_won];
	return 0;
}

/*
 * Spinning stops against a sleeping holder, every run.  Against a running
 * holder the locks are contended only while both threads run at once,
 * which a busy machine (or one CPU) may not give: a run with few
 * contended locks tested nothing and is tried again, and if none had
 * enough, that half is logged as not tested.
 */
static int work_mutex_sleepy_holder(void)
{
	struct sleepy s = { .m = PTHREAD_MUTEX_INITIALIZER };
	struct sleepy_counts n;
	int k, tested = 0, cpu[2];
	struct snap a;

	pthread_mutex_lock(&s.m);
	pthread_mutex_unlock(&s.m);
	if (stat_begin(&s.h, VLIBC_STAT_FAMILY_locks, &a))
		return 0;
	for (k = 0; k < BUSY_TRIES; k++) {
		if (sleepy_run(&s, 1, SLEEPY_ROUNDS, NULL, &n))
			return 1;
		fprintf(stderr, "# sleeping holder: %llu of %llu contended, %llu spun (%llu won), %llu slept at once\n",
			(unsigned long long)n.contended, (unsigned long long)n.rounds,
			(unsigned long long)n.tried, (unsigned long long)n.won,
			(unsigned long long)(n.contended - n.tried));
		if (n.contended < SLEEPY_ROUNDS) {
			fprintf(stderr, "# the locker did not come within %d ms\n",
				HOLDER_WAIT_MS);
			return 1;
		}
		/* 12 misses reach the skip rate; then one try in about nine. */
		if (n.tried > 12 + n.contended / 4) {
			fprintf(stderr, "# spinning went on against a sleeping holder\n");
			return 1;
		}
		if (two_cpus(cpu))
			break;
		if (sleepy_run(&s, 0, BUSY_ROUNDS, cpu, &n))
			return 1;
		fprintf(stderr, "# running holder: %llu of %llu contended, %llu spun, %llu won\n",
			(unsigned long long)n.contended, (unsigned long long)n.rounds,
			(unsigned long long)n.tried, (unsigned long long)n.won);
		if (n.contended < BUSY_CONTENDED)
			continue;
		tested++;
		if (n.won >= n.contended / 4)
			return 0;
	}
	if (tested) {
		fprintf(stderr, "# spinning did not come back for a running holder\n");
		return 1;
	}
	fprintf(stderr, "# running holder not tested: %s\n", two_cpus(cpu) ?
		"one CPU allowed" : "the threads did not run at once");
	return 0;
}

/* --- the cases ----------------------------------------------------------- */

struct work {
	const char	*name;
	int		(*fn)(void);
};

static int work_getrandom_any(void) { return work_getrandom(NULL); }
static int work_getrandom_vdso(void) { return work_getrandom("vdso"); }
static int work_getrandom_syscall(void) { return work_getrandom("syscall"); }
static int work_aio_cached(void) { return work_aio(0); }
static int work_aio_ring(void) { return work_aio(1); }

static const struct work works[] = {
	{ "mutex", work_mutex },
	{ "mutex_sleepy_holder", work_mutex_sleepy_holder },
	{ "sem_spin_once", work_sem_spin_once },
	{ "getrandom", work_getrandom_any },
	{ "getrandom_vdso", work_getrandom_vdso },
	{ "getrandom_syscall", work_getrandom_syscall },
	{ "aio", work_aio_cached },
	{ "aio_ring", work_aio_ring },
	{ "memcpy", work_memcpy },
	{ "threads", work_threads },
	{ "locks_first_thread", work_locks_first_thread },
	{ NULL, NULL }
};

/*
 * Run work @name in a child of this program under @binder with @set
 * ("NAME=value" or NULL): 0 when it says "child ok", 1 when it skipped.
 */
static int run_child(const char *name, const char *binder, const char *set)
{
	char *args[] = { "child", (char *)name, NULL };
	struct vt_self s = { .args = args, .binder = binder, .set = { set } };
	struct vt_result r;
	int ret = 0;

	vt_run_self(&r, &s);
	if (r.status || !strstr(r.out, "child ok")) {
		fprintf(stderr, "# %s with %s: status %d, output:\n%s%s", name, set,
			r.status, r.out, r.err);
		ret = -1;
	} else if (strstr(r.out, "skip:")) {
		fprintf(stderr, "# %s with %s: %s", name, set, r.out);
		ret = 1;
	}
	vt_result_free(&r);
	return ret;
}

/* In this process (under the binder), what a preloaded application gets. */
static int work_run(const char *name)
{
	int i;

	for (i = 0; works[i].name; i++)
		if (!strcmp(works[i].name, name))
			return works[i].fn();
	return -1;
}

#define WORK_TEST(test, work)						\
TEST(test)								\
{									\
	if (!stat_header())						\
		SKIP(return, "no image in this process");		\
	ASSERT_EQ(0, work_run(work));					\
}

WORK_TEST(count_mutex, "mutex")
WORK_TEST(mutex_stops_spinning, "mutex_sleepy_holder")
WORK_TEST(count_sem_spin_once, "sem_spin_once")
WORK_TEST(count_getrandom, "getrandom")
WORK_TEST(count_aio, "aio")
WORK_TEST(count_threads, "threads")

/* Each variant counts its own way (a skip: the variant is not to be had). */
TEST(count_getrandom_variants)
{
	ASSERT_LE(0, run_child("getrandom_syscall", "libvlibc.so",
			       "VLIBC_GETRANDOM=syscall"));
	ASSERT_LE(0, run_child("getrandom_vdso", "libvlibc.so", "VLIBC_GETRANDOM=vdso"));
}

TEST(count_locks_from_first_thread)
{
	ASSERT_EQ(0, run_child("locks_first_thread", "libvlibc.so", NULL));
}

TEST(count_aio_ring)
{
	ASSERT_LE(0, run_child("aio_ring", "libvlibc.so", "VLIBC_AIO=ring"));
}

/* memcpy is counted under the opt-in memcpy binder only. */
TEST(count_memcpy)
{
	static const char *const variants[] = {
		"VLIBC_MEMCPY=auto", "VLIBC_MEMCPY=vector", "VLIBC_MEMCPY=erms",
		"VLIBC_MEMCPY=nt", "VLIBC_MEMCPY=pvr",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(variants); i++)
		ASSERT_LE(0, run_child("memcpy", "libvlibc-memcpy.so", variants[i]));
}

/* A fork child starts at zero; its parent's counts stay. */
TEST(count_fork)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	const struct vlibc_stat_header *h;
	struct snap a, b;
	int status;
	pid_t pid;

	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	if (stat_ready(&h, VLIBC_STAT_FAMILY_locks))
		SKIP(return, "locks not counted here");
	snapshot(h, &a);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct snap c;

		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		snapshot(h, &c);
		_exit(c.c[VLIBC_STAT_mutex_lock] == 1 && c.c[VLIBC_STAT_mutex_unlock] == 1 ?
		      0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	snapshot(h, &b);
	ASSERT_EQ(a.c[VLIBC_STAT_mutex_lock], b.c[VLIBC_STAT_mutex_lock]);
}

int main(int argc, char **argv)
{

	if (argc == 3 && !strcmp(argv[1], "child")) {
		if (work_run(argv[2]))
			return 1;
		printf("child ok\n");
		return 0;
	}
	vt_reexec_with_binder(argv, "libvlibc.so", REEXEC_MARK,
			      dlsym(RTLD_DEFAULT, "vlibc_binder_bound") != NULL);
	return test_harness_run(argc, argv);
}
