// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO when the process runs out of something at the moment the
 * family needs it: descriptors (RLIMIT_NOFILE reached at the ring's
 * setup, also under a filter that kills for io_uring), locked memory
 * (RLIMIT_MEMLOCK 0), memory for the ring (io_uring_setup failing with
 * ENOMEM, address space exhausted), threads (RLIMIT_NPROC reached, clone
 * refused) for notifications.  Each request completes with its data, or
 * is refused at the call with EAGAIN, as glibc refuses it; a notification
 * asked for comes, or the request is refused; nothing crashes or hangs.
 *
 * Each case runs in a child process (limits and filters stay there),
 * bounded by a deadline.  Without the binder (AIO_SELFTEST_REEXECUTED=1)
 * the same cases check glibc's own AIO.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include "kselftest_harness.h"
#include "aio_test.h"
#include "seccomp.h"

#define CHILD_MS	15000
#define SKIPPED		77	/* a child's exit status: the case cannot run here */
#define FD_LIMIT	64

/*
 * Where aio_read is bound in this process, for the log.  Without /proc
 * (hidden, or no descriptor to read it) the loader's list tells glibc
 * and the binder apart; anything else is the image.
 */
static const char *bound_where(void)
{
	static char path[4096];
	const char *owner = aio_owner("aio_read", path, sizeof(path));
	at_bound_fn bound = at_binder_bound();
	Dl_info info;

	if (strcmp(owner, "(unmapped address)") || !bound)
		return owner;
	if (!dladdr(bound("aio_read"), &info) || !info.dli_fname)
		return "image";
	if (strstr(info.dli_fname, "libvlibc"))
		return "binder";
	return strstr(info.dli_fname, "libc.so") ? "glibc" : info.dli_fname;
}

/*
 * Map the image now, as a process that used any vlibc function before
 * has it (the binder maps it at the first call of a family), so the AIO
 * family's own decision is what a case meets.
 */
static void image_in_use(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
}

/*
 * The filters below answer these calls and allow every other one, for
 * every thread; they go in with the system call instruction (VSC_VIA_RAW:
 * the binder does not see them coming, as with Chromium's and Firefox's).
 */
static const int io_uring_calls[] = {
	__NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
};

static const int thread_calls[] = { __NR_clone, __NR_clone3 };

/*
 * @len bytes of pattern @seed at @off of @fd with aio_write, read back
 * with aio_read: 0; a refusal at the call with EAGAIN (glibc's answer
 * without a thread): 1 (when @eagain_ok); else the failing step (10-19).
 */
static int write_read(int fd, size_t len, off_t off, unsigned long seed,
		      int eagain_ok)
{
	static unsigned char out[64 << 10], in[64 << 10];
	struct aiocb cb;

	if (len > sizeof(out))
		return 10;
	at_fill(out, len, seed, off);
	at_prep(&cb, fd, out, len, off);
	if (aio_write(&cb))
		return eagain_ok && errno == EAGAIN ? 1 : 11;
	if (at_done_with(&cb, len))
		return 12;
	memset(in, 0, len);
	at_prep(&cb, fd, in, len, off);
	if (aio_read(&cb))
		return eagain_ok && errno == EAGAIN ? 1 : 13;
	if (at_done_with(&cb, len))
		return 14;
	if (at_check(in, len, seed, off) >= 0)
		return 15;
	/* And on the file itself, past any cache of the family's. */
	memset(in, 0, len);
	if (pread(fd, in, len, off) != (ssize_t)len || at_check(in, len, seed, off) >= 0)
		return 16;
	return 0;
}

/* Run @fn in a child; the case fails unless it exits 0 (77: skipped). */
static void run(struct __test_metadata *_metadata, int (*fn)(void *), void *arg)
{
	char what[64];
	int r;

	image_in_use();
	r = vt_run_child(fn, arg, CHILD_MS);

	if (r == SKIPPED)
		SKIP(return, "not possible here (needs root, or a mount namespace)");
	EXPECT_EQ(0, r) {
		TH_LOG("child: %s (%d)", vt_child_what(r, what, sizeof(what)), r);
	}
}

/* --- descriptors ----------------------------------------------------------------- */

/* RLIMIT_NOFILE at @limit, every number below it taken: 0 or -1. */
static int use_up_descriptors(int limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = limit;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	while (dup(0) >= 0)
		;
	return errno == EMFILE ? 0 : -1;
}

struct nofile_case {
	int	kill_filter;	/* a filter that kills for io_uring, first */
	int	ring_first;	/* the ring made before the limit is reached */
};

/*
 * The process is at its descriptor limit at its first request (or, with
 * @ring_first, when it must make its ring again after the application
 * closed it): a ring cannot be had (io_uring_setup needs a descriptor),
 * the requests complete on glibc's threads or the executor, and a read
 * on a pipe opened before completes once the pipe is written.
 *
 * With @kill_filter a filter that kills for any io_uring call was
 * installed first, without glibc: the family must not be tempted into
 * io_uring because the check for a filter (which opens /proc) could not
 * open anything either.
 */
static int nofile_child(void *arg)
{
	const struct nofile_case *c = arg;
	char pbuf[8] = { 0 };
	struct aiocb pcb;
	int fd = at_tmpfile(0), p[2], r;

	if (fd < 0 || at_pipe(p))
		return 2;
	if (c->ring_first) {
		r = write_read(fd, 4096, 0, 1, 0);
		if (r)
			return r;
	}
	if (c->kill_filter &&
	    vsc_deny(io_uring_calls, ARRAY_SIZE(io_uring_calls),
		     SECCOMP_RET_KILL_PROCESS, VSC_VIA_RAW))
		return 3;
	if (c->ring_first) {
		/* The application closes all but its own (closefrom()). */
		if (syscall(__NR_close_range, (p[1] > fd ? p[1] : fd) + 1, ~0U, 0))
			return 4;
	}
	if (use_up_descriptors(FD_LIMIT))
		return 5;
	r = write_read(fd, 16384, 8192, 2, 0);
	if (r)
		return r;
	at_prep(&pcb, p[0], pbuf, 4, 0);
	if (aio_read(&pcb))
		return 20;
	if (write(p[1], "full", 4) != 4 || at_done_with(&pcb, 4) ||
	    memcmp(pbuf, "full", 4))
		return 21;
	close(p[1]);	/* a descriptor to read /proc with, for the log */
	fprintf(stderr, "# at the descriptor limit: aio_read bound to %s\n",
		bound_where());
	return 0;
}

TEST(nofile_limit_at_first_request)
{
	struct nofile_case c = { 0 };

	run(_metadata, nofile_child, &c);
}

TEST(nofile_limit_at_first_request_under_kill_filter)
{
	struct nofile_case c = { .kill_filter = 1 };

	run(_metadata, nofile_child, &c);
}

TEST(nofile_limit_when_ring_made_again)
{
	struct nofile_case c = { .ring_first = 1 };

	run(_metadata, nofile_child, &c);
}

/* --- locked memory ------------------------------------------------------------- */

/* RLIMIT_MEMLOCK 0 (as @arg says: as root, or as an unprivileged user). */
static int memlock_child(void *as_nobody)
{
	struct rlimit zero = { 0, 0 };
	int fd = at_tmpfile(0), r;

	if (fd < 0)
		return 2;
	if (as_nobody) {
		if (geteuid())
			return SKIPPED;
		if (fchown(fd, VT_NOBODY, VT_NOBODY) || setgid(VT_NOBODY) || setuid(VT_NOBODY))
			return 3;
	}
	if (setrlimit(RLIMIT_MEMLOCK, &zero))
		return 4;
	r = write_read(fd, 65536, 0, 3, 0);
	if (r)
		return r;
	r = write_read(fd, 4096, 65536, 4, 0);
	fprintf(stderr, "# RLIMIT_MEMLOCK 0: aio_read bound to %s\n", bound_where());
	return r;
}

TEST(memlock_zero)
{
	run(_metadata, memlock_child, NULL);
}

TEST(memlock_zero_unprivileged)
{
	run(_metadata, memlock_child, (void *)1);
}

/* --- no memory for the ring ------------------------------------------------------ */

/*
 * /proc out of this process's sight (a private mount namespace without
 * it, as some containers have): nothing can tell a filter is there.
 * 0, or -1 (not possible here).
 */
static int hide_proc(void)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	if (umount2("/proc", MNT_DETACH))
		return -1;
	return access("/proc/self/status", F_OK) == 0 ? -1 : 0;
}

/*
 * io_uring_setup fails with ENOMEM (a filter answers it so, and /proc is
 * hidden so that the family tries): at the first request of the process
 * (the family's decision), or, with @arg, when the ring must be made
 * again after the application closed it.  The requests complete.
 */
static int enomem_child(void *again)
{
	static const int setup[] = { __NR_io_uring_setup };
	int fd = at_tmpfile(0), r;

	if (fd < 0)
		return 2;
	if (again) {
		r = write_read(fd, 4096, 0, 5, 0);
		if (r)
			return r;
		if (syscall(__NR_close_range, fd + 1, ~0U, 0))
			return 3;
	}
	if (hide_proc())
		return SKIPPED;
	if (vsc_deny(setup, 1, SECCOMP_RET_ERRNO | ENOMEM, VSC_VIA_RAW))
		return 4;
	r = write_read(fd, 32768, 4096, 6, 0);
	if (r)
		return r;
	fprintf(stderr, "# io_uring_setup ENOMEM: aio_read bound to %s\n",
		bound_where());
	return 0;
}

TEST(ring_setup_enomem_at_first_request)
{
	if (geteuid())
		SKIP(return, "needs root for a mount namespace");
	run(_metadata, enomem_child, NULL);
}

TEST(ring_setup_enomem_when_made_again)
{
	if (geteuid())
		SKIP(return, "needs root for a mount namespace");
	run(_metadata, enomem_child, (void *)1);
}

/* Bytes of address space in use now (VmSize), or 0. */
static unsigned long vm_size(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * sysconf(_SC_PAGESIZE);
}

/*
 * The address space is full (RLIMIT_AS at what is in use) at the first
 * request: the ring cannot be mapped and no thread made.  The request is
 * refused with EAGAIN, as glibc refuses it, or completes; once the limit
 * is lifted, requests complete.
 */
static int address_space_child(void *unused)
{
	struct rlimit rl, full;
	int fd = at_tmpfile(0), r1, r2;
	unsigned long used;

	if (fd < 0 || getrlimit(RLIMIT_AS, &rl))
		return 2;
	used = vm_size();
	if (!used)
		return 3;
	full.rlim_cur = used + 8192;
	full.rlim_max = rl.rlim_max;
	if (setrlimit(RLIMIT_AS, &full))
		return 4;
	r1 = write_read(fd, 4096, 0, 7, 1);
	if (setrlimit(RLIMIT_AS, &rl))
		return 5;
	if (r1 > 1)
		return r1;
	r2 = write_read(fd, 4096, 4096, 8, 0);
	fprintf(stderr, "# address space full at the first request: %s; aio_read bound to %s\n",
		r1 ? "EAGAIN" : "done", bound_where());
	return r2;
}

TEST(address_space_full_at_first_request)
{
	run(_metadata, address_space_child, NULL);
}

/* --- no thread for a notification -------------------------------------------------- */

#define NOTE_SIG	(SIGRTMIN + 4)

/*
 * sigtimedwait() for up to AT_WAIT_MS, again after EINTR: the kernel
 * ends it with EINTR, no signal delivered, when io_uring runs the
 * completion of a request this thread submitted (task work); glibc's
 * AIO never makes this thread submit.  The signal number, or -1.
 */
static int wait_signal(const sigset_t *set, siginfo_t *si)
{
	double end = vt_now_ms() + AT_WAIT_MS;
	struct timespec ts;
	int r, spurious = 0;

	do {
		ts = at_ts(end - vt_now_ms());
		r = sigtimedwait(set, si, &ts);
	} while (r < 0 && errno == EINTR && ++spurious && vt_now_ms() < end);
	if (spurious)
		fprintf(stderr, "# sigtimedwait: %d EINTR without a signal\n", spurious);
	return r;
}

enum no_thread_how { NPROC_FROM_START, CLONE_REFUSED_LATER };

/*
 * A read on a pipe asks for a signal when no thread can be made (at
 * RLIMIT_NPROC from the start, or clone refused by a filter after the
 * family's first request).  glibc refuses it with EAGAIN when it has no
 * thread, or runs it on a thread it still has.  Accepted, the signal
 * must come while the program waits for it in sigtimedwait() and does
 * nothing else (no aio_error, no aio_suspend), as with glibc.
 */
static int signal_no_thread_child(void *how_arg)
{
	enum no_thread_how how = (enum no_thread_how)(long)how_arg;
	char buf[8] = { 0 };
	struct aiocb cb;
	siginfo_t si;
	sigset_t set;
	int p[2], fd = at_tmpfile(0), r;

	if (fd < 0 || at_pipe(p))
		return 2;
	sigemptyset(&set);
	sigaddset(&set, NOTE_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return 3;
	if (how == NPROC_FROM_START) {
		if (geteuid())
			return SKIPPED;
		if (at_no_threads())
			return SKIPPED;
	} else {
		r = write_read(fd, 4096, 0, 9, 0);
		if (r)
			return r;
		if (vsc_deny(thread_calls, ARRAY_SIZE(thread_calls),
			     SECCOMP_RET_ERRNO | EAGAIN, VSC_VIA_RAW))
			return 4;
	}
	at_prep(&cb, p[0], buf, 4, 0);
	cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb.aio_sigevent.sigev_signo = NOTE_SIG;
	cb.aio_sigevent.sigev_value.sival_int = 42;
	if (aio_read(&cb)) {
		if (errno != EAGAIN)
			return 5;
		fprintf(stderr, "# no thread: the read asking for a signal is refused with EAGAIN\n");
		return 0;
	}
	vt_sleep_ms(20);
	if (write(p[1], "note", 4) != 4)
		return 6;
	r = wait_signal(&set, &si);
	if (r != NOTE_SIG) {
		fprintf(stderr, "# accepted, but no signal within %d ms (aio_error %d)\n",
			AT_WAIT_MS, aio_error(&cb));
		return 7;
	}
	if (si.si_code != SI_ASYNCIO || si.si_value.sival_int != 42)
		return 8;
	if (aio_error(&cb) || aio_return(&cb) != 4 || memcmp(buf, "note", 4))
		return 9;
	fprintf(stderr, "# no thread: the read was accepted and signalled\n");
	return 0;
}

TEST(signal_notification_at_nproc_limit)
{
	run(_metadata, signal_no_thread_child, (void *)(long)NPROC_FROM_START);
}

TEST(signal_notification_clone_refused)
{
	run(_metadata, signal_no_thread_child, (void *)(long)CLONE_REFUSED_LATER);
}

static volatile int callbacks;

static void on_done(union sigval v)
{
	__atomic_add_fetch(&callbacks, 1, __ATOMIC_RELEASE);
}

/*
 * SIGEV_THREAD when the notification's thread cannot be made (clone
 * refused after the family is up, and after a first notification, so a
 * helper thread of the family's exists): the request is refused with
 * EAGAIN or completes with its data, the function does not run (glibc
 * 2.36 drops the notification when pthread_create fails: it checks for
 * a negative answer, which pthread_create never gives), and nothing
 * hangs.  Later requests still complete and a signal notification
 * still comes.
 */
static int thread_note_refused_child(void *unused)
{
	unsigned char data[4096];
	struct aiocb cb;
	siginfo_t si;
	sigset_t set;
	int fd = at_tmpfile(0);

	if (fd < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, NOTE_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return 3;
	/* A first notification: the family's helper threads are up. */
	at_fill(data, sizeof(data), 10, 0);
	at_prep(&cb, fd, data, sizeof(data), 0);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = on_done;
	if (aio_write(&cb) || at_done_with(&cb, sizeof(data)))
		return 4;
	if (at_poll_flag(&callbacks, 1, AT_WAIT_MS))
		return 5;
	if (vsc_deny(thread_calls, ARRAY_SIZE(thread_calls),
		     SECCOMP_RET_ERRNO | EAGAIN, VSC_VIA_RAW))
		return 6;
	at_fill(data, sizeof(data), 11, 4096);
	at_prep(&cb, fd, data, sizeof(data), 4096);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = on_done;
	if (aio_write(&cb)) {
		if (errno != EAGAIN)
			return 7;
		fprintf(stderr, "# SIGEV_THREAD without threads: EAGAIN\n");
	} else {
		if (at_done_with(&cb, sizeof(data)))
			return 8;
		vt_sleep_ms(50);
		fprintf(stderr, "# SIGEV_THREAD without threads: done, the function ran %d time(s)\n",
			callbacks - 1);
	}
	/* Still working: a signal notification, then data on the file. */
	at_prep(&cb, fd, data, sizeof(data), 4096);
	at_fill(data, sizeof(data), 12, 4096);
	cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb.aio_sigevent.sigev_signo = NOTE_SIG;
	if (aio_write(&cb)) {
		if (errno != EAGAIN)
			return 9;
		fprintf(stderr, "# SIGEV_SIGNAL without threads: EAGAIN\n");
		return 0;
	}
	if (wait_signal(&set, &si) != NOTE_SIG)
		return 10;
	if (at_done_with(&cb, sizeof(data)))
		return 11;
	memset(data, 0, sizeof(data));
	if (pread(fd, data, sizeof(data), 4096) != sizeof(data) ||
	    at_check(data, sizeof(data), 12, 4096) >= 0)
		return 12;
	return 0;
}

TEST(thread_notification_clone_refused)
{
	run(_metadata, thread_note_refused_child, NULL);
}

/*
 * The signal queue is full (RLIMIT_SIGPENDING 0) when a write asking
 * for a signal completes: the write is on the file, and nothing hangs.
 * vlibc reports the write's own result (the signal is lost); glibc 2.36
 * overwrites it with -1/EAGAIN, the sigqueue() error, though the data
 * was written: only logged.
 */
static int sigpending_full_child(void *unused)
{
	unsigned char data[4096], back[4096];
	struct rlimit zero = { 0, 0 };
	struct aiocb cb;
	sigset_t set;
	int fd = at_tmpfile(0), err, i;

	if (fd < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, NOTE_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || setrlimit(RLIMIT_SIGPENDING, &zero))
		return 3;
	for (i = 0; i < 3; i++) {
		at_fill(data, sizeof(data), 40 + i, i * 4096);
		at_prep(&cb, fd, data, sizeof(data), i * 4096);
		cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
		cb.aio_sigevent.sigev_signo = NOTE_SIG;
		if (aio_write(&cb))
			return 4;
		if (at_wait(&cb, AT_WAIT_MS))
			return 5;
		vt_sleep_ms(5);		/* glibc writes the sigqueue() error last */
		err = aio_error(&cb);
		if (err && (aio_on_vlibc() || err != EAGAIN))
			return 6;
		if (!err && aio_return(&cb) != sizeof(data))
			return 7;
		if (pread(fd, back, sizeof(back), i * 4096) != sizeof(back) ||
		    at_check(back, sizeof(back), 40 + i, i * 4096) >= 0)
			return 8;
		if (!i)
			fprintf(stderr, "# signal queue full: the write is done, aio_error %d (%s)\n",
				err, strerror(err));
	}
	return 0;
}

TEST(signal_queue_full)
{
	run(_metadata, sigpending_full_child, NULL);
}

AIO_TEST_MAIN
