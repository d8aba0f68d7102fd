// SPDX-License-Identifier: GPL-2.0
/*
 * getrandom_cases: the getrandom family of the glibc that `make glibc`
 * built (glibc/patches/0002), run on it through with_facts --image (the
 * image mapped as the kernel maps it, AT_VLIBC), without the binder.
 * For selftests/glibc/test_glibc.sh, which looks at what the cases do
 * from outside too (strace, vlibc-stat).  Each case prints "ok CASE ..."
 * and exits 0, or prints why and exits 1.  The patched glibc makes its
 * first 64 calls (in a process, in a fork child) with the system call:
 * the cases warm up first, their fork children too.
 *
 *	getrandom_cases loop N		N getrandom(16) and N arc4random()
 *	getrandom_cases stat N		loop N, then print the pid and wait
 *					for a line on stdin (vlibc-stat PID)
 *	getrandom_cases threads [wait]	4 rounds of 40 threads; "round" marks
 *					(write(2) of "round K") between them;
 *					wait: then print the pid and wait for
 *					a line on stdin
 *	getrandom_cases fork		parent's and child's bytes differ
 *					(single- and multi-threaded)
 *	getrandom_cases sigfork		fork from a signal handler that
 *					interrupted getrandom loops
 *	getrandom_cases seccomp-eperm	a filter answers EPERM to mmap with
 *					MAP_DROPPABLE, installed before the
 *					first call behind libc's back (the
 *					system call instruction)
 *	getrandom_cases seccomp-kill	a filter that kills on such an mmap,
 *					announced through prctl
 *	getrandom_cases seccomp-kill-syscall	the same, announced through
 *					syscall(SYS_seccomp, ...)
 *	getrandom_cases seccomp-trap	a filter that traps such an mmap
 *					(SIGSYS; the handler makes it fail
 *					with ENOSYS), not announced
 *	getrandom_cases fork-lock	_Fork (no fork handlers) while other
 *					threads take and give back states;
 *					each child past its warm-up
 *	getrandom_cases arc4random-enosys	a filter answers ENOSYS to
 *					getrandom(2) (the vDSO's reseed too):
 *					arc4random reads /dev/urandom, as
 *					glibc 2.36 does, and getrandom fails
 *					with ENOSYS
 *	getrandom_cases cancel		pthread_cancel of a thread that only
 *					calls getrandom
 *	getrandom_cases uniform		arc4random_uniform's bounds
 *	getrandom_cases errno		errno and flags as the system call's
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

static int fail(const char *what)
{
	printf("FAIL %s (errno %d)\n", what, errno);
	return 1;
}

/* LEN random bytes; all zero is taken as a failure. */
static int fill(void *buf, size_t len)
{
	unsigned char *p = buf, any = 0;
	size_t i;

	if (getrandom(buf, len, 0) != (ssize_t)len)
		return -1;
	for (i = 0; i < len; i++)
		any |= p[i];
	return any ? 0 : -1;
}

static int loop(long n)
{
	unsigned char a[16], b[16];
	uint32_t x = 0, y = 0;
	long i;

	if (fill(b, sizeof(b)))
		return fail("getrandom");
	for (i = 0; i < n; i++) {
		if (fill(a, sizeof(a)))
			return fail("getrandom");
		if (!memcmp(a, b, sizeof(a)))
			return fail("two calls gave the same bytes");
		memcpy(b, a, sizeof(a));
		x |= arc4random();
		y |= arc4random();
	}
	arc4random_buf(a, sizeof(a));
	if (n >= 100 && (x != ~0U || y != ~0U))
		return fail("arc4random leaves bits unset");
	printf("ok loop %ld\n", n);
	return 0;
}

/* Past the patched glibc's warm-up: the image answers from now on. */
#define WARMUP_CALLS	100

static int warm(void)
{
	unsigned char buf[16];
	int i;

	for (i = 0; i < WARMUP_CALLS; i++)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return -1;
	return 0;
}

#define THREADS	40

static pthread_barrier_t all_filled;

/* Each thread keeps its state until every thread of the round has one. */
static void *thread_fill(void *arg)
{
	unsigned char buf[32];
	long bad = fill(buf, sizeof(buf)) || arc4random_uniform(10) >= 10;

	pthread_barrier_wait(&all_filled);
	return (void *)bad;
}

/*
 * Rounds of 40 threads at once (more than a page of states): the second
 * and third find the first's states free.
 */
static int threads(int wait)
{
	pthread_t t[THREADS];
	void *r;
	int round, i;

	if (warm() || pthread_barrier_init(&all_filled, NULL, THREADS))
		return fail("getrandom");
	for (round = 1; round <= 4; round++) {
		dprintf(2, "round %d\n", round);
		for (i = 0; i < THREADS; i++)
			if (pthread_create(&t[i], NULL, thread_fill, NULL))
				return fail("pthread_create");
		for (i = 0; i < THREADS; i++)
			if (pthread_join(t[i], &r) || r)
				return fail("a thread's getrandom");
	}
	dprintf(2, "round end\n");
	printf("ok threads\n");
	if (wait) {
		char line[16];

		printf("pid %d\n", getpid());
		return !fgets(line, sizeof(line), stdin);
	}
	return 0;
}

static void *spin(void *arg)
{
	unsigned char buf[16];

	while (!*(volatile int *)arg)
		if (fill(buf, sizeof(buf)))
			return (void *)1;
	return NULL;
}

/* The child's bytes are not the parent's, with and without other threads. */
static int fork_case(int with_thread)
{
	unsigned char mine[32], theirs[32];
	int p[2], status, stop = 0;
	pthread_t t;
	pid_t pid;

	if (warm() || fill(mine, sizeof(mine)))
		return fail("getrandom");
	if (with_thread && pthread_create(&t, NULL, spin, &stop))
		return fail("pthread_create");
	if (pipe(p))
		return fail("pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (!pid) {
		unsigned char buf[32];

		_exit(warm() || fill(buf, sizeof(buf)) ||
		      write(p[1], buf, sizeof(buf)) != sizeof(buf));
	}
	if (fill(mine, sizeof(mine)))
		return fail("getrandom after fork");
	if (read(p[0], theirs, sizeof(theirs)) != sizeof(theirs) ||
	    waitpid(pid, &status, 0) != pid || status)
		return fail("the child's getrandom");
	if (!memcmp(mine, theirs, sizeof(mine)))
		return fail("child and parent got the same bytes");
	if (with_thread) {
		void *r;

		stop = 1;
		if (pthread_join(t, &r) || r)
			return fail("the other thread's getrandom");
	}
	close(p[0]);
	close(p[1]);
	return 0;
}

static volatile int forks, fork_failures;

static void fork_in_handler(int sig)
{
	int saved = errno, status;
	pid_t pid = fork();

	if (!pid) {
		unsigned char buf[16];

		_exit(warm() || fill(buf, sizeof(buf)) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		fork_failures++;
	forks++;
	errno = saved;
}

/* SIGALRM every millisecond while getrandom and arc4random run. */
static int sigfork(void)
{
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	unsigned char buf[64];
	long i;

	if (warm())
		return fail("getrandom");
	signal(SIGALRM, fork_in_handler);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; forks < 50 && i < 100000000; i++)
		if (getrandom(buf, 1 + i % sizeof(buf), 0) != (ssize_t)(1 + i % sizeof(buf)) ||
		    !(arc4random() | arc4random()))
			return fail("getrandom around forks in a handler");
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	if (fork_failures || forks < 50)
		return fail("a child forked in the handler");
	printf("ok sigfork %d\n", forks);
	return 0;
}

/* How a filter goes in: announced to libc (through its prctl or its
 * syscall), or behind its back, with the system call instruction. */
enum install { VIA_PRCTL, VIA_SYSCALL, UNANNOUNCED };

/* seccomp(SECCOMP_SET_MODE_FILTER, 0, @prog) that libc does not see. */
static long seccomp_unannounced(struct sock_fprog *prog)
{
	long r;

	asm volatile("syscall" : "=a"(r)
		     : "0"((long)__NR_seccomp), "D"((long)SECCOMP_SET_MODE_FILTER),
		       "S"(0L), "d"(prog)
		     : "rcx", "r11", "memory");
	return r;
}

static int install_prog(struct sock_fprog *prog, enum install how)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	switch (how) {
	case VIA_PRCTL:
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0);
	case VIA_SYSCALL:
		return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
	default:
		return seccomp_unannounced(prog) ? -1 : 0;
	}
}

/* A filter for mmap with MAP_DROPPABLE in its flags: ACTION, else allow. */
static int install_filter(unsigned int action, enum install how)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_DROPPABLE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	return install_prog(&prog, how);
}

/* The states' mmap refused (EPERM, not announced) or killed on
 * (announced through @how); the process lives and gets its bytes. */
static int seccomp_case(int kill, enum install how, const char *name)
{
	if (install_filter(kill ? SECCOMP_RET_KILL_PROCESS :
			   SECCOMP_RET_ERRNO | EPERM, how))
		return fail("seccomp");
	if (loop(1000))
		return 1;
	if (fork_case(1) || threads(0))
		return 1;
	printf("ok seccomp %s\n", name);
	return 0;
}

static volatile sig_atomic_t traps;

/* SIGSYS from the filter: the trapped call fails with ENOSYS. */
static void sigsys_enosys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	traps++;
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

/* A SIGSYS handler returning must not kill the process (the states'
 * mmap must not run with SIGSYS blocked). */
static int seccomp_trap(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_enosys, .sa_flags = SA_SIGINFO };

	if (sigaction(SIGSYS, &sa, NULL) || install_filter(SECCOMP_RET_TRAP, UNANNOUNCED))
		return fail("seccomp");
	if (loop(1000) || fork_case(1) || threads(0))
		return 1;
	if (!traps)
		return fail("no mmap trapped");
	printf("ok seccomp-trap %d\n", (int)traps);
	return 0;
}

/* getrandom(2) refused with ENOSYS, not announced. */
static int arc4random_enosys(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	unsigned char buf[16];
	uint32_t x = 0;
	int i;

	if (install_prog(&prog, UNANNOUNCED))
		return fail("seccomp");
	/* Past the warm-up: the image is asked, and its reseed refused. */
	for (i = 0; i < 300; i++)
		x |= arc4random() ^ arc4random_uniform(1000);
	arc4random_buf(buf, sizeof(buf));
	if (!x)
		return fail("arc4random gave only zeros");
	errno = 0;
	if (getrandom(buf, sizeof(buf), 0) != -1 || errno != ENOSYS)
		return fail("getrandom did not fail with ENOSYS");
	printf("ok arc4random-enosys\n");
	return 0;
}

static volatile int churn_stop;

/* Threads that each take a state and give it back, until told. */
static void *one_state(void *arg)
{
	unsigned char buf[16];

	return (void *)(long)fill(buf, sizeof(buf));
}

static void *churn(void *arg)
{
	pthread_t t;
	void *r;

	while (!churn_stop)
		if (pthread_create(&t, NULL, one_state, NULL) ||
		    pthread_join(t, &r) || r)
			return (void *)1;
	return NULL;
}

/*
 * _Fork runs no fork handlers: a thread may hold the pool lock at the
 * fork.  Each child must still set up and answer after its warm-up.
 */
#define FORK_LOCK_ROUNDS	300

/*
 * Wait up to 10 s for @pid; then kill it: a child stuck on a lock taken
 * with all signals blocked would not die of an alarm().
 */
static int wait_or_kill(pid_t pid, int *status)
{
	int i;

	for (i = 0; i < 10000; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0)
			return -1;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

static int fork_lock(void)
{
	pthread_t t[2];
	int i, status, failed = 0;
	void *r;

	if (warm())
		return fail("getrandom");
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, churn, NULL))
			return fail("pthread_create");
	for (i = 0; i < FORK_LOCK_ROUNDS && !failed; i++) {
		pid_t pid = _Fork();

		if (pid == 0)
			_exit(warm() || warm() ? 1 : 0);
		if (pid < 0 || wait_or_kill(pid, &status) || status)
			failed = 1;
	}
	churn_stop = 1;
	for (i = 0; i < 2; i++)
		if (pthread_join(t[i], &r) || r)
			return fail("a thread's getrandom");
	if (failed)
		return fail("a child of _Fork hung or failed in getrandom");
	printf("ok fork-lock %d\n", FORK_LOCK_ROUNDS);
	return 0;
}

static void *getrandom_forever(void *arg)
{
	unsigned char buf[16];

	for (;;)
		getrandom(buf, sizeof(buf), 0);
	return NULL;
}

static int cancel(void)
{
	unsigned char buf[16];
	pthread_t t;
	void *r;

	/* The image answers before the cancellation. */
	if (warm() || fill(buf, sizeof(buf)) ||
	    pthread_create(&t, NULL, getrandom_forever, NULL))
		return fail("pthread_create");
	usleep(10000);
	if (pthread_cancel(t) || pthread_join(t, &r) || r != PTHREAD_CANCELED)
		return fail("cancellation of a thread in getrandom");
	printf("ok cancel\n");
	return 0;
}

static int uniform(void)
{
	static const uint32_t bounds[] = { 2, 3, 7, 10, 1000, 65537,
					   0x80000001U, 0xffffffffU };
	unsigned int seen[7] = { 0 }, i, k;

	if (warm())
		return fail("getrandom");
	if (arc4random_uniform(0) || arc4random_uniform(1))
		return fail("arc4random_uniform(0 or 1) is not 0");
	for (k = 0; k < sizeof(bounds) / sizeof(bounds[0]); k++)
		for (i = 0; i < 20000; i++)
			if (arc4random_uniform(bounds[k]) >= bounds[k])
				return fail("arc4random_uniform out of bounds");
	for (i = 0; i < 70000; i++)
		seen[arc4random_uniform(7)]++;
	for (i = 0; i < 7; i++)
		if (seen[i] < 9000 || seen[i] > 11000)
			return fail("arc4random_uniform(7) far from uniform");
	printf("ok uniform\n");
	return 0;
}

/* What the system call would say, with errno. */
static int errno_case(void)
{
	unsigned char buf[16];
	void *volatile unmapped = (void *)8;

	if (warm())
		return fail("getrandom");
	errno = 0;
	if (getrandom(buf, sizeof(buf), GRND_NONBLOCK) != sizeof(buf) ||
	    getrandom(buf, sizeof(buf), GRND_INSECURE) != sizeof(buf) ||
	    getrandom(buf, sizeof(buf), GRND_RANDOM) != sizeof(buf) ||
	    getrandom(buf, 0, 0) != 0 || errno)
		return fail("getrandom with flags");
	if (getrandom(buf, sizeof(buf), GRND_RANDOM | GRND_INSECURE) != -1 ||
	    errno != EINVAL)
		return fail("GRND_RANDOM | GRND_INSECURE is not EINVAL");
	errno = 0;
	if (getrandom(buf, sizeof(buf), 0x100) != -1 || errno != EINVAL)
		return fail("an unknown flag is not EINVAL");
	errno = 0;
	if (getrandom(unmapped, sizeof(buf), 0) != -1 || errno != EFAULT)
		return fail("a buffer at address 8 is not EFAULT");
	printf("ok errno\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 10000;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(c, "loop"))
		return loop(n);
	if (!strcmp(c, "stat")) {
		char line[16];

		if (loop(n))
			return 1;
		printf("pid %d\n", getpid());
		return !fgets(line, sizeof(line), stdin);
	}
	if (!strcmp(c, "threads"))
		return threads(argc > 2 && !strcmp(argv[2], "wait"));
	if (!strcmp(c, "fork")) {
		if (fork_case(0) || fork_case(1))
			return 1;
		printf("ok fork\n");
		return 0;
	}
	if (!strcmp(c, "sigfork"))
		return sigfork();
	if (!strcmp(c, "seccomp-eperm"))
		return seccomp_case(0, UNANNOUNCED, "eperm");
	if (!strcmp(c, "seccomp-kill"))
		return seccomp_case(1, VIA_PRCTL, "kill");
	if (!strcmp(c, "seccomp-kill-syscall"))
		return seccomp_case(1, VIA_SYSCALL, "kill-syscall");
	if (!strcmp(c, "seccomp-trap"))
		return seccomp_trap();
	if (!strcmp(c, "fork-lock"))
		return fork_lock();
	if (!strcmp(c, "arc4random-enosys"))
		return arc4random_enosys();
	if (!strcmp(c, "cancel"))
		return cancel();
	if (!strcmp(c, "uniform"))
		return uniform();
	if (!strcmp(c, "errno"))
		return errno_case();
	fprintf(stderr, "usage: getrandom_cases CASE [N]\n");
	return 2;
}
