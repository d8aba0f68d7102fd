// SPDX-License-Identifier: GPL-2.0
/*
 * One family's work under a seccomp filter, for test_seccomp.
 *
 *	workload FAMILY MODE POINT ALLOW MMAP_FLAGS
 *
 * FAMILY: getrandom | aio | locks | memcpy.  MODE: none | enosys | eperm |
 * trap | kill (selftests/lib/seccomp.h).  POINT: before (the filter goes
 * in before the family's first call) | after (after a first round of
 * calls: the family is bound and running).  ALLOW: the call numbers the
 * filter lets through ("-": none), MMAP_FLAGS: the mmap flags it lets
 * through.
 *
 * The program checks its own results and exits 0 when all are right, 1
 * when one is wrong (said on stderr), 3 when a wait overstayed (a hang).
 * It closes with one line on stdout:
 *	result=ok sigsys=N trapped=a,b bound=image|binder|glibc
 * With ALLOW "-" it prints nothing (writing is not allowed either).
 */
#include <aio.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "seccomp.h"

#define DEADLINE_S	5	/* a wait longer than this is a hang */

static int failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "workload: %s:%d: ", __func__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failed = 1;						\
	}								\
} while (0)

static void hang(const char *what)
{
	fprintf(stderr, "workload: %s did not finish in %d s\n", what, DEADLINE_S);
	_exit(3);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct timespec in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static pthread_t start(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg)) {
		fprintf(stderr, "workload: pthread_create: %s\n", strerror(errno));
		_exit(1);
	}
	return t;
}

/* --- getrandom ------------------------------------------------------- */

#define GR_THREADS	40	/* more than one page of vDSO states */

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void gr_first(void)
{
	unsigned char b[16];

	CHECK(getrandom(b, sizeof(b), 0) == sizeof(b), "getrandom");
	CHECK(arc4random() | arc4random(), "arc4random");
}

static pthread_barrier_t gr_barrier;
static unsigned char gr_sample[GR_THREADS][32];

static void *gr_thread(void *arg)
{
	unsigned char *s = gr_sample[(long)arg], b[256];
	int i;

	for (i = 0; i < 20; i++)
		CHECK(getrandom(b, sizeof(b), i & 1 ? GRND_NONBLOCK : 0) ==
		      sizeof(b) && !all_zero(b, sizeof(b)), "getrandom 256");
	arc4random_buf(s, 32);
	CHECK(arc4random_uniform(10) < 10, "arc4random_uniform");
	/* Hold the state until every thread has one. */
	pthread_barrier_wait(&gr_barrier);
	return NULL;
}

static void gr_rest(void)
{
	pthread_t t[GR_THREADS];
	unsigned char a[64], b[64], big[70000];
	long i, j;

	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a), "getrandom");
	CHECK(getrandom(b, sizeof(b), GRND_INSECURE) == sizeof(b), "insecure");
	CHECK(memcmp(a, b, sizeof(a)), "two getrandom() results equal");
	CHECK(getrandom(big, sizeof(big), 0) == sizeof(big) &&
	      !all_zero(big + sizeof(big) - 64, 64), "getrandom 70000");
	errno = 0;
	CHECK(getrandom(a, 8, 0x80) == -1 && errno == EINVAL,
	      "unknown flag: %d", errno);
	CHECK(getrandom(a, 0, 0) == 0, "getrandom 0 bytes");
	for (i = 0; i < 100; i++)
		CHECK(arc4random_uniform(7) < 7, "arc4random_uniform");
	pthread_barrier_init(&gr_barrier, NULL, GR_THREADS);
	for (i = 0; i < GR_THREADS; i++)
		t[i] = start(gr_thread, (void *)i);
	for (i = 0; i < GR_THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < GR_THREADS; i++)
		for (j = 0; j < i; j++)
			CHECK(memcmp(gr_sample[i], gr_sample[j], 32),
			      "threads %ld and %ld got the same bytes", i, j);
}

/* --- aio --------------------------------------------------------------- */

#define AIO_BLOCK	4096
#define AIO_BLOCKS	16

static int aio_fd = -1, aio_pipe[2];
static char aio_dir[] = "/tmp/vlibc-seccomp.XXXXXX";
static volatile int aio_signals, aio_thread_notified;

static void fill(char *buf, int block, int salt)
{
	int i;

	for (i = 0; i < AIO_BLOCK; i++)
		buf[i] = (char)(block * 31 + i * 7 + salt);
}

/* Wait for @cb with aio_suspend(); its aio_return(), or hang(). */
static ssize_t aio_wait(struct aiocb *cb)
{
	const struct aiocb *list[1] = { cb };
	struct timespec step = { 0, 100 * 1000000L };
	int rounds = DEADLINE_S * 10;

	while (aio_error(cb) == EINPROGRESS) {
		if (!rounds--)
			hang("an AIO request");
		aio_suspend(list, 1, &step);
	}
	return aio_return(cb);
}

static void aio_setup(void)
{
	char path[64];

	if (!mkdtemp(aio_dir) || pipe(aio_pipe)) {
		perror("workload: setup");
		_exit(1);
	}
	snprintf(path, sizeof(path), "%s/data", aio_dir);
	aio_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(path);
	rmdir(aio_dir);
	if (aio_fd < 0) {
		perror("workload: open");
		_exit(1);
	}
}

static void aio_first(void)
{
	static char buf[AIO_BLOCK];
	struct aiocb cb = { .aio_fildes = aio_fd, .aio_buf = buf,
			    .aio_nbytes = AIO_BLOCK };

	fill(buf, 0, 1);
	CHECK(aio_write(&cb) == 0, "aio_write: %s", strerror(errno));
	CHECK(aio_wait(&cb) == AIO_BLOCK, "first aio_write");
}

static void on_signal(int sig)
{
	aio_signals++;
}

static void on_thread(union sigval v)
{
	__atomic_store_n(&aio_thread_notified, v.sival_int, __ATOMIC_RELEASE);
}

/* Blocks written, synced, read back; then the same through lio_listio(). */
static void aio_file(void)
{
	static char out[AIO_BLOCKS][AIO_BLOCK], in[AIO_BLOCKS][AIO_BLOCK];
	struct aiocb cb[AIO_BLOCKS], sync = { .aio_fildes = aio_fd }, *list[AIO_BLOCKS];
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	int i, rounds;

	for (i = 0; i < AIO_BLOCKS; i++) {
		fill(out[i], i, 2);
		cb[i] = (struct aiocb){ .aio_fildes = aio_fd, .aio_buf = out[i],
					.aio_nbytes = AIO_BLOCK,
					.aio_offset = (off_t)i * AIO_BLOCK };
		CHECK(aio_write(&cb[i]) == 0, "aio_write %d: %s", i, strerror(errno));
	}
	for (i = 0; i < AIO_BLOCKS; i++)
		CHECK(aio_wait(&cb[i]) == AIO_BLOCK, "aio_write %d", i);
	CHECK(aio_fsync(O_SYNC, &sync) == 0, "aio_fsync: %s", strerror(errno));
	CHECK(aio_wait(&sync) == 0, "aio_fsync");
	for (i = 0; i < AIO_BLOCKS; i++) {
		cb[i].aio_buf = in[i];
		CHECK(aio_read(&cb[i]) == 0, "aio_read %d", i);
	}
	for (i = 0; i < AIO_BLOCKS; i++)
		CHECK(aio_wait(&cb[i]) == AIO_BLOCK && !memcmp(in[i], out[i], AIO_BLOCK),
		      "aio_read %d: wrong data", i);

	/* lio_listio: writes waited for, then reads announced by a signal */
	for (i = 0; i < AIO_BLOCKS; i++) {
		fill(out[i], i, 3);
		cb[i].aio_buf = out[i];
		cb[i].aio_lio_opcode = LIO_WRITE;
		list[i] = &cb[i];
	}
	CHECK(lio_listio(LIO_WAIT, list, AIO_BLOCKS, NULL) == 0,
	      "lio_listio LIO_WAIT: %s", strerror(errno));
	for (i = 0; i < AIO_BLOCKS; i++) {
		CHECK(aio_return(&cb[i]) == AIO_BLOCK, "lio write %d", i);
		memset(in[i], 0, AIO_BLOCK);
		cb[i].aio_buf = in[i];
		cb[i].aio_lio_opcode = LIO_READ;
	}
	signal(SIGUSR1, on_signal);
	CHECK(lio_listio(LIO_NOWAIT, list, AIO_BLOCKS, &sev) == 0,
	      "lio_listio LIO_NOWAIT: %s", strerror(errno));
	for (i = 0; i < AIO_BLOCKS; i++)
		CHECK(aio_wait(&cb[i]) == AIO_BLOCK && !memcmp(in[i], out[i], AIO_BLOCK),
		      "lio read %d: wrong data", i);
	for (rounds = DEADLINE_S * 100; !aio_signals; rounds--) {
		if (!rounds)
			hang("the lio_listio signal");
		sleep_ms(10);
	}
}

/* A read pending on an empty pipe, a SIGEV_THREAD notification. */
static void aio_pipe_and_thread(void)
{
	static char buf[64], block[AIO_BLOCK];
	struct aiocb rd = { .aio_fildes = aio_pipe[0], .aio_buf = buf,
			    .aio_nbytes = sizeof(buf) };
	struct aiocb wr = { .aio_fildes = aio_fd, .aio_buf = block,
			    .aio_nbytes = AIO_BLOCK,
			    .aio_offset = AIO_BLOCKS * AIO_BLOCK };
	int rounds;

	CHECK(aio_read(&rd) == 0, "aio_read pipe: %s", strerror(errno));
	sleep_ms(20);
	CHECK(aio_error(&rd) == EINPROGRESS, "pipe read done before any data");
	CHECK(write(aio_pipe[1], "seccomp", 7) == 7, "write pipe");
	CHECK(aio_wait(&rd) == 7 && !memcmp(buf, "seccomp", 7), "pipe data");

	fill(block, 99, 4);
	wr.aio_sigevent.sigev_notify = SIGEV_THREAD;
	wr.aio_sigevent.sigev_notify_function = on_thread;
	wr.aio_sigevent.sigev_value.sival_int = 42;
	CHECK(aio_write(&wr) == 0, "aio_write SIGEV_THREAD");
	CHECK(aio_wait(&wr) == AIO_BLOCK, "aio_write SIGEV_THREAD");
	for (rounds = DEADLINE_S * 100;
	     __atomic_load_n(&aio_thread_notified, __ATOMIC_ACQUIRE) != 42; rounds--) {
		if (!rounds)
			hang("the SIGEV_THREAD notification");
		sleep_ms(10);
	}
}

static void aio_rest(void)
{
	aio_file();
	aio_pipe_and_thread();
}

/* --- locks ------------------------------------------------------------- */

static pthread_mutex_t lk_normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lk_recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t lk_errorcheck = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t lk_timed = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t lk_spin;
static sem_t lk_sem, lk_sem_back;
static pthread_once_t lk_once = PTHREAD_ONCE_INIT;
static int lk_once_runs;
static long lk_counter;

static void *lock_once(void *m)
{
	CHECK(pthread_mutex_lock(m) == 0, "pthread_mutex_lock");
	lk_counter++;
	CHECK(pthread_mutex_unlock(m) == 0, "pthread_mutex_unlock");
	return NULL;
}

/*
 * Another thread blocks on @m while this one holds it (the wait outlasts
 * any spinning), then gets it when this one lets go: a futex wait and a
 * wake.  @depth: how many times this thread locks @m.
 */
static void contend(pthread_mutex_t *m, int depth)
{
	long before = lk_counter;
	pthread_t t;
	int i;

	for (i = 0; i < depth; i++)
		CHECK(pthread_mutex_lock(m) == 0, "lock depth %d", i);
	t = start(lock_once, m);
	sleep_ms(20);
	for (i = 0; i < depth; i++)
		CHECK(pthread_mutex_unlock(m) == 0, "unlock depth %d", i);
	pthread_join(t, NULL);
	CHECK(lk_counter == before + 1, "the blocked thread did not run");
}

static void locks_first(void)
{
	contend(&lk_normal, 1);
}

static void *errorcheck_other(void *arg)
{
	CHECK(pthread_mutex_unlock(&lk_errorcheck) == EPERM,
	      "errorcheck unlock by another thread");
	return NULL;
}

/* Set by timed_waiter once its timed lock on the held mutex timed out. */
static int timed_out_once;

static void *timed_waiter(void *arg)
{
	struct timespec ts = in_ms(50);

	CHECK(pthread_mutex_timedlock(&lk_timed, &ts) == ETIMEDOUT,
	      "timedlock on a held mutex");
	__atomic_store_n(&timed_out_once, 1, __ATOMIC_RELEASE);
	ts = in_ms(DEADLINE_S * 1000);
	CHECK(pthread_mutex_timedlock(&lk_timed, &ts) == 0, "timedlock");
	lk_counter++;
	CHECK(pthread_mutex_unlock(&lk_timed) == 0, "unlock timed");
	return NULL;
}

static void *count_mutex(void *arg)
{
	int i;

	for (i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lk_normal);
		lk_counter++;
		pthread_mutex_unlock(&lk_normal);
	}
	return NULL;
}

static void *count_spin(void *arg)
{
	int i;

	for (i = 0; i < 20000; i++) {
		pthread_spin_lock(&lk_spin);
		lk_counter++;
		pthread_spin_unlock(&lk_spin);
	}
	return NULL;
}

static void once_routine(void)
{
	lk_once_runs++;
}

static void *call_once(void *arg)
{
	pthread_once(&lk_once, once_routine);
	return NULL;
}

/* Ping-pong: each side waits for the other's post. */
static void *sem_partner(void *arg)
{
	int i;

	for (i = 0; i < 2000; i++) {
		CHECK(sem_wait(&lk_sem) == 0, "sem_wait");
		CHECK(sem_post(&lk_sem_back) == 0, "sem_post");
	}
	return NULL;
}

static pthread_cond_t lk_cond = PTHREAD_COND_INITIALIZER;
static int lk_turn;

static void *cond_partner(void *arg)
{
	long me = (long)arg;
	int i;

	pthread_mutex_lock(&lk_normal);
	for (i = 0; i < 500; i++) {
		while (lk_turn != me)
			pthread_cond_wait(&lk_cond, &lk_normal);
		lk_turn = !me;
		pthread_cond_broadcast(&lk_cond);
	}
	pthread_mutex_unlock(&lk_normal);
	return NULL;
}

static void locks_rest(void)
{
	struct timespec ts;
	pthread_t t[4];
	long before;
	int i;

	contend(&lk_normal, 1);
	contend(&lk_recursive, 3);

	CHECK(pthread_mutex_lock(&lk_errorcheck) == 0, "errorcheck lock");
	CHECK(pthread_mutex_lock(&lk_errorcheck) == EDEADLK, "errorcheck relock");
	t[0] = start(errorcheck_other, NULL);
	pthread_join(t[0], NULL);
	CHECK(pthread_mutex_unlock(&lk_errorcheck) == 0, "errorcheck unlock");
	contend(&lk_errorcheck, 1);

	before = lk_counter;
	CHECK(pthread_mutex_lock(&lk_timed) == 0, "lock timed");
	t[0] = start(timed_waiter, NULL);
	/* Held until the waiter's first, short, timed lock has timed out. */
	while (!__atomic_load_n(&timed_out_once, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	CHECK(pthread_mutex_unlock(&lk_timed) == 0, "unlock timed");
	pthread_join(t[0], NULL);
	CHECK(lk_counter == before + 1, "timed waiter");

	before = lk_counter;
	for (i = 0; i < 4; i++)
		t[i] = start(count_mutex, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(lk_counter == before + 80000, "mutex counter %ld", lk_counter - before);

	pthread_spin_init(&lk_spin, PTHREAD_PROCESS_PRIVATE);
	before = lk_counter;
	for (i = 0; i < 4; i++)
		t[i] = start(count_spin, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(lk_counter == before + 80000, "spin counter %ld", lk_counter - before);

	for (i = 0; i < 4; i++)
		t[i] = start(call_once, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(lk_once_runs == 1, "pthread_once ran %d times", lk_once_runs);

	sem_init(&lk_sem, 0, 0);
	sem_init(&lk_sem_back, 0, 0);
	CHECK(sem_trywait(&lk_sem) == -1 && errno == EAGAIN, "sem_trywait");
	ts = in_ms(30);
	CHECK(sem_timedwait(&lk_sem, &ts) == -1 && errno == ETIMEDOUT,
	      "sem_timedwait");
	t[0] = start(sem_partner, NULL);
	for (i = 0; i < 2000; i++) {
		CHECK(sem_post(&lk_sem) == 0, "sem_post");
		ts = in_ms(DEADLINE_S * 1000);
		if (sem_timedwait(&lk_sem_back, &ts))
			hang("a semaphore ping-pong");
	}
	pthread_join(t[0], NULL);

	t[0] = start(cond_partner, (void *)0L);
	t[1] = start(cond_partner, (void *)1L);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
}

/* --- memcpy (through the opt-in binder) -------------------------------- */

/* Called through pointers: the compiler must not inline them. */
static void *(*volatile mc_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile mc_memmove)(void *, const void *, size_t) = memmove;
static void *(*volatile mc_mempcpy)(void *, const void *, size_t) = mempcpy;
static void *(*volatile mc_memset)(void *, int, size_t) = memset;

#define MC_SIZE		(4 << 20)
static unsigned char *mc_src, *mc_dst;

static void mc_setup(void)
{
	size_t i;

	mc_src = malloc(MC_SIZE + 64);
	mc_dst = malloc(MC_SIZE + 64);
	if (!mc_src || !mc_dst)
		_exit(1);
	for (i = 0; i < MC_SIZE + 64; i++)
		mc_src[i] = (unsigned char)(i * 13 + (i >> 8));
}

static void mc_first(void)
{
	mc_memcpy(mc_dst, mc_src, 100);
	CHECK(mc_dst[99] == mc_src[99], "memcpy");
}

/* Byte loops are the reference (volatile: not turned into calls). */
static int mc_same(const unsigned char *a, const volatile unsigned char *b,
		   size_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static void mc_rest(void)
{
	static const size_t big[] = { 4096, 65536, 1 << 20, MC_SIZE };
	size_t n, a, i;

	for (n = 0; n <= 520; n += n < 80 ? 1 : 17)
		for (a = 0; a < 8; a++) {
			mc_memset(mc_dst, 0, n + 16);
			CHECK(mc_memcpy(mc_dst + a, mc_src + 3, n) == mc_dst + a &&
			      mc_same(mc_dst + a, mc_src + 3, n), "memcpy %zu", n);
			CHECK(mc_mempcpy(mc_dst, mc_src + a, n) == mc_dst + n,
			      "mempcpy %zu", n);
			mc_memset(mc_dst + a, 0x5a, n);
			for (i = 0; i < n; i++)
				CHECK(mc_dst[a + i] == 0x5a, "memset %zu", n);
		}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		n = big[i];
		mc_memcpy(mc_dst + 1, mc_src, n);
		CHECK(mc_same(mc_dst + 1, mc_src, n), "memcpy %zu", n);
		/* overlapping both ways */
		mc_memmove(mc_dst + 7, mc_dst + 1, n - 7);
		CHECK(mc_same(mc_dst + 7, mc_src, n - 7), "memmove up %zu", n);
		mc_memmove(mc_dst, mc_dst + 7, n - 7);
		CHECK(mc_same(mc_dst, mc_src, n - 7), "memmove down %zu", n);
	}
}

/* --- main ---------------------------------------------------------------- */

struct family {
	const char	*name;
	const char	*probe;		/* a name the binder binds */
	void		(*setup)(void);	/* no call of the family */
	void		(*first)(void);
	void		(*rest)(void);
};

static void nothing(void)
{
}

static const struct family families[] = {
	{ "getrandom", "getrandom", nothing, gr_first, gr_rest },
	{ "aio", "aio_write", aio_setup, aio_first, aio_rest },
	{ "locks", "pthread_mutex_lock", nothing, locks_first, locks_rest },
	{ "memcpy", "memcpy", mc_setup, mc_first, mc_rest },
};

/* Who serves @name: the image, a veneer in the binder, or glibc. */
static const char *bound(const char *name)
{
	void *(*binder_bound)(const char *) = dlsym(RTLD_DEFAULT,
						     "vlibc_binder_bound");
	Dl_info info;
	void *addr;

	if (!binder_bound)
		return "glibc";
	addr = binder_bound(name);
	if (!dladdr(addr, &info) || !info.dli_fname)
		return "image";		/* mapped by the binder, not ld.so */
	if (strstr(info.dli_fname, "libvlibc"))
		return "binder";
	return strstr(info.dli_fname, "libc.so") ? "glibc" : info.dli_fname;
}

int main(int argc, char **argv)
{
	const struct family *f = NULL;
	struct vsc_allow allow;
	char trapped[1024];
	unsigned int i;
	int mode, after, quiet;

	for (i = 0; argc == 6 && i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(argv[1], families[i].name))
			f = &families[i];
	mode = argc == 6 ? vsc_mode_parse(argv[2]) : -1;
	if (!f || mode < 0 || vsc_allow_parse(&allow, argv[4], argv[5])) {
		fprintf(stderr, "usage: workload getrandom|aio|locks|memcpy "
			"none|enosys|eperm|trap|kill before|after ALLOW MMAP_FLAGS\n");
		return 2;
	}
	after = !strcmp(argv[3], "after");
	quiet = !strcmp(argv[4], "-");
	f->setup();
	if (!after && vsc_install(mode, &allow))
		goto no_filter;
	f->first();
	if (after && vsc_install(mode, &allow))
		goto no_filter;
	f->rest();
	if (quiet)
		_exit(failed);
	printf("result=%s sigsys=%ld trapped=%s bound=%s\n", failed ? "wrong" : "ok",
	       vsc_trap_hits(), vsc_trapped(trapped, sizeof(trapped)),
	       bound(f->probe));
	return failed;
no_filter:
	perror("workload: cannot install the filter");
	return 2;
}
