// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO when io_uring is refused after the ring exists: a seccomp
 * filter installed later (SECCOMP_RET_ERRNO with ENOSYS or EPERM, or
 * SECCOMP_RET_TRAP with a SIGSYS handler that returns -ENOSYS, as
 * Firefox's does), or kernel.io_uring_disabled=2 with the ring's
 * descriptor closed (close_range()).  Every accepted request completes:
 * those in the kernel already, those queued in user space, and new ones;
 * notifications and lio_listio still work; a fork child that loses
 * io_uring still does AIO; a fork child keeps a descriptor the
 * application put on the ring's old number; a SECCOMP_RET_KILL_PROCESS
 * filter on io_uring installed before the first request (or in a fork
 * child), or after it through prctl() or syscall(), kills nothing.
 *
 * Under glibc (AIO_SELFTEST_REEXECUTED=1, no binder) every case passes
 * too: glibc's AIO uses threads, never io_uring.
 *
 * Each case with a filter also proves the refusal it is about: the filter
 * answers io_uring as its mode says, and on vlibc the family did without
 * io_uring after it (refusal_proved()); none passes under a filter that
 * allows everything.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include "kselftest_harness.h"
#include "aio_test.h"
#include "seccomp.h"

#define CHILD_MS	(2 * AT_WAIT_MS)

enum refuse_mode { REFUSE_ENOSYS, REFUSE_EPERM, REFUSE_TRAP, REFUSE_KILL };

/* How each mode answers the io_uring calls (a SECCOMP_RET_* value). */
static const unsigned int refusal[] = {
	[REFUSE_ENOSYS] = SECCOMP_RET_ERRNO | ENOSYS,
	[REFUSE_EPERM] = SECCOMP_RET_ERRNO | EPERM,
	[REFUSE_TRAP] = SECCOMP_RET_TRAP,
	[REFUSE_KILL] = SECCOMP_RET_KILL_PROCESS,
};

/*
 * Refuse io_uring_setup, io_uring_enter and io_uring_register for every
 * thread of the process (TSYNC: REFUSE_KILL with syscall(SYS_seccomp),
 * the others with the system call instruction, as Firefox does), or with
 * @via_prctl for the calling thread only (prctl(PR_SET_SECCOMP)), the way
 * @mode says (REFUSE_TRAP: the SIGSYS handler makes the call return
 * -ENOSYS); with @no_threads clone and clone3 fail with EAGAIN too.
 * 0 or -1.
 */
static int refuse_io_uring_how(enum refuse_mode mode, int no_threads,
			       int via_prctl)
{
	const struct vsc_deny rules[] = {
		{ __NR_io_uring_setup, refusal[mode] },
		{ __NR_io_uring_enter, refusal[mode] },
		{ __NR_io_uring_register, refusal[mode] },
		{ __NR_clone, SECCOMP_RET_ERRNO | EAGAIN },
		{ __NR_clone3, SECCOMP_RET_ERRNO | EAGAIN },
	};

	return vsc_deny_rules(rules, no_threads ? 5 : 3,
			      via_prctl ? VSC_VIA_PRCTL : VSC_VIA_USUAL);
}

static int refuse_io_uring_threads(enum refuse_mode mode, int no_threads)
{
	return refuse_io_uring_how(mode, no_threads, 0);
}

static int refuse_io_uring(enum refuse_mode mode)
{
	return refuse_io_uring_threads(mode, 0);
}

/*
 * SqHead of the process's ring (/proc/self/fdinfo): how many submissions
 * the kernel has taken from it.  -1 without a ring.
 */
static long ring_sq_head(void)
{
	int fd = at_find_ring_fd();
	char path[64], line[128];
	long head = -1;
	FILE *f;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (head < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "SqHead: %ld", &head) != 1)
			head = -1;
	fclose(f);
	return head;
}

/* Seen right after the filter went in, for refusal_proved(). */
struct refusal_seen {
	long	sq_head;	/* ring_sq_head() */
	long	hits;		/* vsc_trap_hits() */
};

static void refusal_seen_now(struct refusal_seen *seen)
{
	seen->sq_head = ring_sq_head();
	seen->hits = vsc_trap_hits();
}

/*
 * After the work done under the filter: the refusal was in force and the
 * family did without io_uring.  On vlibc the kernel took no submission
 * from the ring since @seen (every request went to the fallback executor:
 * io_uring_enter was refused, or given up first when the binder saw a
 * killing filter coming); with REFUSE_TRAP the handler answered the
 * family's io_uring calls.  On glibc too: the filter answers io_uring_enter
 * as @mode says.  Each fails under a filter that allows everything.
 */
static void refusal_proved(struct __test_metadata *_metadata,
			   const struct refusal_seen *seen, enum refuse_mode mode)
{
	long hits = vsc_trap_hits() - seen->hits;

	if (aio_on_vlibc()) {
		EXPECT_LE(0, seen->sq_head) TH_LOG("no ring when the filter came");
		EXPECT_EQ(seen->sq_head, ring_sq_head())
			TH_LOG("the kernel took submissions after the filter");
		if (mode == REFUSE_TRAP)
			EXPECT_LE(1, hits) TH_LOG("the family met no trap");
	}
	EXPECT_TRUE(vsc_answers(__NR_io_uring_enter, refusal[mode]))
		TH_LOG("the filter does not refuse io_uring_enter");
}

/* aio_fsync(O_SYNC) on @fd, waited for: 0 if done. */
static int fsync_fd(int fd)
{
	struct aiocb cb;

	at_prep(&cb, fd, NULL, 0, 0);
	if (aio_fsync(O_SYNC, &cb))
		return -1;
	return at_done_with(&cb, 0);
}

/*
 * The file holds pattern @seed for @len bytes at @off: read with pread
 * through a new open file description (O_DIRECT where the file system
 * has it, so the bytes come from the disk).  0 if so.
 */
static int file_has(int fd, size_t len, off_t off, unsigned long seed)
{
	int fd2 = at_reopen(fd, O_RDONLY | O_DIRECT);
	void *buf;
	int r;

	if (fd2 < 0)
		fd2 = at_reopen(fd, O_RDONLY);
	if (fd2 < 0 || posix_memalign(&buf, 4096, len))
		return -1;
	r = pread(fd2, buf, len, off) == (ssize_t)len &&
	    at_check(buf, len, seed, off) < 0 ? 0 : -1;
	free(buf);
	close(fd2);
	return r;
}

/* Make sure the process has its ring (on vlibc): one request, done. */
static int ring_made(int fd)
{
	return at_write_pattern(fd, 4096, 0, 1);
}

/* A read waiting on an empty pipe: in the kernel on vlibc. */
struct pending_read {
	int		p[2];
	char		buf[8];
	struct aiocb	cb;
};

static int pending_read_start(struct pending_read *pr)
{
	memset(pr->buf, 0, sizeof(pr->buf));
	if (at_pipe(pr->p))
		return -1;
	at_prep(&pr->cb, pr->p[0], pr->buf, 4, 0);
	if (aio_read(&pr->cb))
		return -1;
	return aio_error(&pr->cb) == EINPROGRESS ? 0 : -1;
}

/* Write to the pipe now: the read completes with the bytes.  0 if so. */
static int pending_read_finish(struct pending_read *pr)
{
	if (vt_write_full(pr->p[1], "abcd", 4))
		return -1;
	if (at_done_with(&pr->cb, 4))
		return -1;
	return memcmp(pr->buf, "abcd", 4) ? -1 : 0;
}

FIXTURE(refused) {
	int fd;
};

FIXTURE_VARIANT(refused) {
	enum refuse_mode mode;
};

FIXTURE_VARIANT_ADD(refused, errno_enosys) { .mode = REFUSE_ENOSYS };
FIXTURE_VARIANT_ADD(refused, errno_eperm) { .mode = REFUSE_EPERM };
FIXTURE_VARIANT_ADD(refused, trap_enosys) { .mode = REFUSE_TRAP };

FIXTURE_SETUP(refused)
{
	self->fd = at_tmpfile(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ring_made(self->fd));
}

FIXTURE_TEARDOWN(refused)
{
	close(self->fd);
}

/*
 * A read in the kernel when the filter comes, and new requests after it:
 * the writes reach the file (checked after aio_fsync), the read completes
 * when the pipe is written, a new read gets the data back.
 */
static void in_flight_and_new(struct __test_metadata *_metadata, int fd,
			      enum refuse_mode mode, int via_prctl)
{
	struct refusal_seen seen;
	struct pending_read pr;
	unsigned char in[8192];
	struct aiocb cb;

	ASSERT_EQ(0, pending_read_start(&pr));
	ASSERT_EQ(0, refuse_io_uring_how(mode, 0, via_prctl));
	refusal_seen_now(&seen);
	EXPECT_EQ(0, at_write_pattern(fd, 8192, 4096, 2));
	EXPECT_EQ(0, at_write_pattern(fd, 4096, 4 * 4096, 3));
	EXPECT_EQ(0, fsync_fd(fd));
	EXPECT_EQ(0, file_has(fd, 8192, 4096, 2));
	EXPECT_EQ(0, file_has(fd, 4096, 4 * 4096, 3));
	EXPECT_EQ(0, pending_read_finish(&pr));
	at_prep(&cb, fd, in, sizeof(in), 4096);
	ASSERT_EQ(0, aio_read(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(in)));
	EXPECT_GT(0, at_check(in, sizeof(in), 2, 4096));
	refusal_proved(_metadata, &seen, mode);
}

TEST_F(refused, requests_in_flight_and_new)
{
	in_flight_and_new(_metadata, self->fd, variant->mode, 0);
}

#define MANY_READS	600	/* more than vlibc keeps in the kernel (512) */

/*
 * Requests queued in user space when the filter comes (more reads than
 * vlibc puts in the kernel at once, all waiting on one pipe): all of them
 * complete once the pipe has a byte for each.
 */
TEST_F(refused, queued_requests_complete)
{
	static struct aiocb cbs[MANY_READS];
	static char bufs[MANY_READS];
	struct refusal_seen seen;
	char data[MANY_READS];
	int p[2], i, failed = 0;

	ASSERT_EQ(0, at_pipe(p));
	for (i = 0; i < MANY_READS; i++) {
		at_prep(&cbs[i], p[0], &bufs[i], 1, 0);
		ASSERT_EQ(0, aio_read(&cbs[i]));
	}
	ASSERT_EQ(0, refuse_io_uring(variant->mode));
	refusal_seen_now(&seen);
	memset(data, 'q', sizeof(data));
	ASSERT_EQ(0, vt_write_full(p[1], data, sizeof(data)));
	EXPECT_EQ(0, at_wait_array(cbs, MANY_READS, AT_WAIT_MS));
	for (i = 0; i < MANY_READS; i++)
		failed += aio_error(&cbs[i]) != 0 || aio_return(&cbs[i]) != 1;
	EXPECT_EQ(0, failed) {
		TH_LOG("%d of %d reads did not complete with one byte", failed,
		       MANY_READS);
	}
	close(p[0]);
	close(p[1]);
	refusal_proved(_metadata, &seen, variant->mode);
}

/*
 * No thread can be made either: the requests queued in user space still
 * complete (the threads waiting for them run them); a new request is
 * refused with EAGAIN or, if accepted, completes.
 */
TEST_F(refused, queued_requests_complete_without_threads)
{
	static struct aiocb cbs[MANY_READS];
	static char bufs[MANY_READS];
	char data[MANY_READS];
	struct refusal_seen seen;
	unsigned char out[512];
	struct aiocb cb;
	int p[2], i, r, err, failed = 0;

	ASSERT_EQ(0, at_pipe(p));
	for (i = 0; i < MANY_READS; i++) {
		at_prep(&cbs[i], p[0], &bufs[i], 1, 0);
		ASSERT_EQ(0, aio_read(&cbs[i]));
	}
	ASSERT_EQ(0, refuse_io_uring_threads(variant->mode, 1));
	refusal_seen_now(&seen);
	memset(data, 'q', sizeof(data));
	ASSERT_EQ(0, vt_write_full(p[1], data, sizeof(data)));
	EXPECT_EQ(0, at_wait_array(cbs, MANY_READS, AT_WAIT_MS));
	for (i = 0; i < MANY_READS; i++)
		failed += aio_error(&cbs[i]) != 0 || aio_return(&cbs[i]) != 1;
	EXPECT_EQ(0, failed) {
		TH_LOG("%d of %d reads did not complete with one byte", failed,
		       MANY_READS);
	}
	at_fill(out, sizeof(out), 20, 0);
	at_prep(&cb, self->fd, out, sizeof(out), 0);
	r = at_submit(aio_write(&cb), &err);
	TH_LOG("a new request without threads: %s", r ? strerror(err) : "accepted");
	if (r == 0) {
		EXPECT_EQ(0, at_done_with(&cb, sizeof(out)));
	} else {
		EXPECT_EQ(EAGAIN, err);
	}
	close(p[0]);
	close(p[1]);
	refusal_proved(_metadata, &seen, variant->mode);
}

static volatile int signals_seen, threads_seen;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code == SI_ASYNCIO && si->si_value.sival_int == 77)
		__atomic_add_fetch(&signals_seen, 1, __ATOMIC_RELEASE);
}

static void on_thread(union sigval v)
{
	if (v.sival_int == 88)
		__atomic_add_fetch(&threads_seen, 1, __ATOMIC_RELEASE);
}

/*
 * After the filter: lio_listio(LIO_WAIT), lio_listio(LIO_NOWAIT) with a
 * signal, SIGEV_THREAD, aio_suspend; the data is on the disk.
 */
TEST_F(refused, lio_notify_suspend)
{
	unsigned char a[4096], b[4096], c[4096];
	struct aiocb ca, cbb, cc;
	struct aiocb *list[2] = { &ca, &cbb };
	const struct aiocb *one[1] = { &cc };
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct timespec ts = at_ts(AT_WAIT_MS);
	struct refusal_seen seen;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, refuse_io_uring(variant->mode));
	refusal_seen_now(&seen);

	at_fill(a, sizeof(a), 10, 0);
	at_fill(b, sizeof(b), 11, 4096);
	at_prep(&ca, self->fd, a, sizeof(a), 0);
	at_prep(&cbb, self->fd, b, sizeof(b), 4096);
	ca.aio_lio_opcode = cbb.aio_lio_opcode = LIO_WRITE;
	ASSERT_EQ(0, at_lio_wait(list, 2));
	EXPECT_EQ(sizeof(a), aio_return(&ca));
	EXPECT_EQ(sizeof(b), aio_return(&cbb));

	at_fill(a, sizeof(a), 12, 8192);
	at_fill(b, sizeof(b), 13, 12288);
	at_prep(&ca, self->fd, a, sizeof(a), 8192);
	at_prep(&cbb, self->fd, b, sizeof(b), 12288);
	ca.aio_lio_opcode = cbb.aio_lio_opcode = LIO_WRITE;
	ev.sigev_value.sival_int = 77;
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, 2, &ev));
	EXPECT_EQ(0, at_poll_flag(&signals_seen, 1, AT_WAIT_MS));
	EXPECT_EQ(0, at_done_with(&ca, sizeof(a)));
	EXPECT_EQ(0, at_done_with(&cbb, sizeof(b)));

	at_fill(c, sizeof(c), 14, 16384);
	at_prep(&cc, self->fd, c, sizeof(c), 16384);
	cc.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cc.aio_sigevent.sigev_notify_function = on_thread;
	cc.aio_sigevent.sigev_value.sival_int = 88;
	ASSERT_EQ(0, aio_write(&cc));
	while (aio_error(&cc) == EINPROGRESS)
		ASSERT_EQ(0, aio_suspend(one, 1, &ts));
	EXPECT_EQ(sizeof(c), aio_return(&cc));
	EXPECT_EQ(0, at_poll_flag(&threads_seen, 1, AT_WAIT_MS));

	EXPECT_EQ(0, fsync_fd(self->fd));
	EXPECT_EQ(0, file_has(self->fd, 4096, 0, 10));
	EXPECT_EQ(0, file_has(self->fd, 4096, 4096, 11));
	EXPECT_EQ(0, file_has(self->fd, 4096, 8192, 12));
	EXPECT_EQ(0, file_has(self->fd, 4096, 12288, 13));
	EXPECT_EQ(0, file_has(self->fd, 4096, 16384, 14));
	refusal_proved(_metadata, &seen, variant->mode);
}

/* A child's own AIO on a new file: write, fsync, read back.  0 if fine. */
static int own_aio(void)
{
	unsigned char in[4096];
	struct aiocb cb;
	int fd = at_tmpfile(0);

	if (fd < 0)
		return 10;
	if (at_write_pattern(fd, 4096, 0, getpid()))
		return 11;
	if (fsync_fd(fd))
		return 12;
	at_prep(&cb, fd, in, sizeof(in), 0);
	if (aio_read(&cb) || at_done_with(&cb, sizeof(in)))
		return 13;
	if (at_check(in, sizeof(in), getpid(), 0) >= 0)
		return 14;
	close(fd);
	return 0;
}

/*
 * The child's family never calls io_uring under a filter (its ring is made
 * at its first request, and not when a filter is in force): 15 when the
 * filter does not refuse io_uring_setup as @mode says.
 */
static int child_refused_then_aio(void *mode)
{
	enum refuse_mode m = (enum refuse_mode)(long)mode;
	int r;

	if (refuse_io_uring(m))
		return 9;
	r = own_aio();
	if (r)
		return r;
	return vsc_answers(__NR_io_uring_setup, refusal[m]) ? 0 : 15;
}

/* A fork child (with its parent's AIO decision) that loses io_uring. */
TEST_F(refused, fork_child_loses_io_uring)
{
	int status = vt_run_child(child_refused_then_aio, (void *)(long)variant->mode,
				  CHILD_MS);

	EXPECT_EQ(0, at_judge_child(status, "child"));
}

/*
 * A SECCOMP_RET_KILL_PROCESS filter on io_uring in a fork child before
 * its first request: the child is not killed and does its AIO.
 */
TEST(fork_child_with_kill_filter)
{
	int fd = at_tmpfile(0), status;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ring_made(fd));
	status = vt_run_child(child_refused_then_aio, (void *)(long)REFUSE_KILL,
			      CHILD_MS);
	EXPECT_EQ(0, at_judge_child(status, "child"));
	close(fd);
}

/*
 * The same filter in a process before its first AIO call: the family is
 * decided then, without touching io_uring (glibc's functions are bound).
 */
TEST(kill_filter_before_first_request)
{
	int status = vt_run_child(child_refused_then_aio, (void *)(long)REFUSE_KILL,
				  CHILD_MS);

	EXPECT_EQ(0, at_judge_child(status, "process"));
}

/*
 * A SECCOMP_RET_KILL_PROCESS filter on io_uring installed after the ring
 * exists, through prctl() (this thread only) or syscall(SYS_seccomp)
 * (every thread), as libseccomp and systemd install theirs: the binder
 * sees it coming and the family gives io_uring up first.  Nothing is
 * killed; the read in the kernel when the filter came completes later,
 * new writes reach the disk (checked after aio_fsync), a new read gets
 * them back.
 */
FIXTURE(killed) {
	int fd;
};

FIXTURE_VARIANT(killed) {
	int via_prctl;
};

FIXTURE_VARIANT_ADD(killed, via_prctl) { .via_prctl = 1 };
FIXTURE_VARIANT_ADD(killed, via_syscall) { .via_prctl = 0 };

FIXTURE_SETUP(killed)
{
	self->fd = at_tmpfile(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ring_made(self->fd));
}

FIXTURE_TEARDOWN(killed)
{
	close(self->fd);
}

TEST_F(killed, after_ring_with_requests_in_flight)
{
	in_flight_and_new(_metadata, self->fd, REFUSE_KILL, variant->via_prctl);
}

/* --- a refusal met by the family's own threads --------------------------------- */

/*
 * The system call thread @tid of this process is blocked in (from
 * /proc/self/task/TID/syscall), or -1 while it runs or when it is gone.
 */
static long thread_blocked_in(pid_t tid)
{
	char path[64], buf[64];
	ssize_t n;
	long nr;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return sscanf(buf, "%ld", &nr) == 1 ? nr : -1;
}

/* Is thread @tid one of io_uring's own (iou-wrk-*, iou-sqp-*)? */
static int io_uring_thread(pid_t tid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strncmp(comm, "iou-", 4);
}

/*
 * A user thread of this process, not the caller, blocked in call @nr:
 * its id, or 0.  (io_uring's workers show the call that made them.)
 */
static pid_t other_thread_in(long nr)
{
	DIR *d = opendir("/proc/self/task");
	pid_t found = 0, tid, self = gettid();
	struct dirent *e;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		tid = atoi(e->d_name);
		if (tid > 0 && tid != self && thread_blocked_in(tid) == nr &&
		    !io_uring_thread(tid))
			found = tid;
	}
	closedir(d);
	return found;
}

/* other_thread_in(@nr), waited for up to @ms. */
static pid_t wait_other_thread_in(long nr, double ms)
{
	double end = vt_now_ms() + ms;
	pid_t tid;

	while (!(tid = other_thread_in(nr)) && vt_now_ms() < end)
		vt_sleep_ms(5);
	return tid;
}

/* How often thread @tid went to sleep (voluntary_ctxt_switches), or -1. */
static long thread_sleeps(pid_t tid)
{
	char path[64], *text, *p;
	long n = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	text = vt_read_file(path, NULL);
	p = text ? strstr(text, "\nvoluntary_ctxt_switches:") : NULL;
	if (p)
		n = atol(p + 25);
	free(text);
	return n;
}

/*
 * Wait (up to @ms) until thread @tid, waiting in io_uring_enter() in
 * bounded slices (one second, tools/libc/aio/ring.c), has just begun a
 * new one: it makes no call for most of a second now.  0, or -1.
 */
static int wait_fresh_slice(pid_t tid, double ms)
{
	double end = vt_now_ms() + ms;
	long seen = thread_sleeps(tid);

	while (vt_now_ms() < end) {
		if (thread_sleeps(tid) != seen)
			return thread_blocked_in(tid) == __NR_io_uring_enter ? 0 : -1;
		vt_sleep_ms(0.2);
	}
	return -1;
}

#define NOTED_MAX	16

static pid_t trapped_tid[NOTED_MAX];
static int n_trapped;

/* vsc_sigsys() (the call returns -ENOSYS), noting the thread it met. */
static void sigsys_noting_thread(int sig, siginfo_t *si, void *ctx)
{
	int i = __atomic_fetch_add(&n_trapped, 1, __ATOMIC_RELAXED);

	if (i < NOTED_MAX)
		__atomic_store_n(&trapped_tid[i], gettid(), __ATOMIC_RELEASE);
	vsc_sigsys(sig, si, ctx);
}

/* The filter of refuse_io_uring(REFUSE_TRAP), its SIGSYS noting threads. */
static int trap_io_uring_noting_threads(void)
{
	struct sigaction sa = {
		.sa_sigaction = sigsys_noting_thread,
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};

	if (refuse_io_uring(REFUSE_TRAP))
		return -1;
	return sigaction(SIGSYS, &sa, NULL);
}

/* Did a SIGSYS meet thread @tid, within @ms? */
static int trapped_in(pid_t tid, double ms)
{
	double end = vt_now_ms() + ms;
	int i;

	do {
		for (i = 0; i < NOTED_MAX; i++)
			if (__atomic_load_n(&trapped_tid[i], __ATOMIC_ACQUIRE) == tid)
				return 1;
		vt_sleep_ms(1);
	} while (vt_now_ms() < end);
	return 0;
}

#define ROUNDS_AFTER	3

static volatile int notified;

static void count_notification(union sigval v)
{
	if (v.sival_int == 99)
		__atomic_add_fetch(&notified, 1, __ATOMIC_RELEASE);
}

/*
 * AIO on file @fd after the refusal, for some seconds: each round, after
 * longer than a wait in the kernel lasts (so that every thread of the
 * family has made its next call), a write with a SIGEV_THREAD
 * notification waited for with aio_suspend(), then a read of it.  Every
 * request completes with the right data, which reaches the file.  0, or
 * the step that failed.
 */
static int aio_goes_on(int fd)
{
	unsigned char out[8192], in[8192];
	const struct aiocb *one[1];
	struct timespec ts = at_ts(AT_WAIT_MS);
	struct aiocb w, r;
	int i;

	for (i = 0; i < ROUNDS_AFTER; i++) {
		off_t off = (i + 1) * (off_t)sizeof(out);

		vt_sleep_ms(1200);
		at_fill(out, sizeof(out), 30 + i, off);
		at_prep(&w, fd, out, sizeof(out), off);
		w.aio_sigevent.sigev_notify = SIGEV_THREAD;
		w.aio_sigevent.sigev_notify_function = count_notification;
		w.aio_sigevent.sigev_value.sival_int = 99;
		if (aio_write(&w))
			return 1;
		one[0] = &w;
		while (aio_error(&w) == EINPROGRESS)
			if (aio_suspend(one, 1, &ts) && errno != EINTR)
				return 2;
		if (aio_error(&w) || aio_return(&w) != sizeof(out))
			return 3;
		memset(in, 0, sizeof(in));
		at_prep(&r, fd, in, sizeof(in), off);
		if (aio_read(&r) || at_done_with(&r, sizeof(in)))
			return 4;
		if (at_check(in, sizeof(in), 30 + i, off) >= 0)
			return 5;
	}
	if (at_poll_flag(&notified, ROUNDS_AFTER, AT_WAIT_MS))
		return 6;
	if (fsync_fd(fd))
		return 7;
	for (i = 0; i < ROUNDS_AFTER; i++)
		if (file_has(fd, sizeof(out), (i + 1) * (off_t)sizeof(out), 30 + i))
			return 8;
	return 0;
}

/*
 * A filter that traps io_uring (TSYNC, installed with the system call
 * instruction, as Firefox installs its own) comes while the service
 * thread waits in io_uring_enter(): the next call of its wait meets the
 * refusal, in that thread.  A forced SIGSYS that thread blocks would kill
 * the process (the kernel resets the handler to SIG_DFL); instead the
 * application's handler runs there, the call returns -ENOSYS, the family
 * falls back for good (no io_uring call after it) and AIO goes on.
 */
TEST(trap_met_by_service_thread)
{
	unsigned char buf[4096];
	pid_t service = 0;
	struct aiocb cb;
	int fd = at_tmpfile(0);
	long hits;

	ASSERT_LE(0, fd);
	/* A request with a notification starts the service thread. */
	at_fill(buf, sizeof(buf), 1, 0);
	at_prep(&cb, fd, buf, sizeof(buf), 0);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = count_notification;
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(buf)));
	if (aio_on_vlibc()) {
		service = wait_other_thread_in(__NR_io_uring_enter, AT_WAIT_MS);
		ASSERT_NE(0, service) {
			TH_LOG("no thread of the family waits in io_uring_enter()");
		}
		ASSERT_EQ(0, wait_fresh_slice(service, AT_WAIT_MS));
	}
	ASSERT_EQ(0, trap_io_uring_noting_threads());
	if (service) {
		/* Its wait ends within a second; the next one is refused. */
		EXPECT_TRUE(trapped_in(service, AT_WAIT_MS));
		EXPECT_TRUE(vsc_trapped_nr[__NR_io_uring_enter]);
	}
	hits = vsc_trap_hits();
	EXPECT_EQ(0, aio_goes_on(fd));
	EXPECT_EQ(hits, vsc_trap_hits());
	close(fd);
}

/*
 * The same refusal met first by a worker of the executor, which writes
 * to pipes even while the ring works (a reader that went away must not
 * raise SIGPIPE in the application): the aio_fsync() held behind its
 * blocked write is submitted to the ring by the worker when the write
 * ends, after the filter came.  The service thread, also waiting, has
 * just begun a wait of a second, so the worker's call comes first.
 */
TEST(trap_met_by_worker_thread)
{
	unsigned char out[4096], in[4096];
	pid_t service = 0, worker = 0;
	struct aiocb w, s;
	int p[2], fd = at_tmpfile(0), queued;
	long hits;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ring_made(fd));
	ASSERT_EQ(0, at_pipe(p));
	ASSERT_EQ(0, at_fill_pipe(p[1]));
	ASSERT_EQ(0, ioctl(p[0], FIONREAD, &queued));
	at_fill(out, sizeof(out), 40, 0);
	at_prep(&w, p[1], out, sizeof(out), 0);
	ASSERT_EQ(0, aio_write(&w));
	at_prep(&s, p[1], NULL, 0, 0);
	ASSERT_EQ(0, aio_fsync(O_SYNC, &s));
	if (aio_on_vlibc()) {
		worker = wait_other_thread_in(__NR_write, AT_WAIT_MS);
		service = wait_other_thread_in(__NR_io_uring_enter, AT_WAIT_MS);
		ASSERT_NE(0, worker);
		ASSERT_NE(0, service);
		ASSERT_EQ(0, wait_fresh_slice(service, AT_WAIT_MS));
	}
	ASSERT_EQ(0, trap_io_uring_noting_threads());
	/* Room in the pipe: the write ends, the worker submits the fsync. */
	while (queued > 0) {
		ssize_t n = read(p[0], in, queued < (int)sizeof(in) ? queued : sizeof(in));

		ASSERT_LT(0, n);
		queued -= n;
	}
	ASSERT_EQ(0, vt_read_full(p[0], in, sizeof(in)));
	EXPECT_GT(0, at_check(in, sizeof(in), 40, 0));
	EXPECT_EQ(0, at_done_with(&w, sizeof(out)));
	/* fsync(2) on a pipe: EINVAL, from the ring or the executor alike. */
	EXPECT_EQ(0, at_wait(&s, AT_WAIT_MS));
	EXPECT_EQ(EINVAL, aio_error(&s));
	EXPECT_EQ(-1, aio_return(&s));
	if (worker)
		EXPECT_TRUE(trapped_in(worker, AT_WAIT_MS));
	hits = vsc_trap_hits();
	EXPECT_EQ(0, aio_goes_on(fd));
	EXPECT_EQ(hits, vsc_trap_hits());
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* --- kernel.io_uring_disabled=2 and close_range() ------------------------------ */

enum { FD_PIPE_R = 3, FD_PIPE_W, FD_FILE, FD_FIRST_FREE };

/* Put @fd on number @to (closing what was there); 0 or -1. */
static int fd_move(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0) ? -1 : 0;
	if (dup2(fd, to) != to)
		return -1;
	close(fd);
	return 0;
}

/* In the child of sysctl_disabled_then_close_range: a grandchild's own AIO. */
static int grandchild_aio(void *unused)
{
	return own_aio();
}

/*
 * The ring exists and a read is in the kernel; io_uring is disabled for
 * new rings, and the process closes every descriptor above the ones it
 * needs, the ring's among them: the read completes when the pipe is
 * written, new requests complete, and so does a fork child's own AIO.
 */
static int disabled_and_closed(void *unused)
{
	struct pending_read pr;
	int p[2], fd = at_tmpfile(0), r;

	if (fd < 0 || pipe(p))
		return 20;
	/* Low numbers first: the pipe and the file survive close_range(). */
	for (r = 0; r < FD_FIRST_FREE; r++)
		if (r != p[0] && r != p[1] && r != fd && r > 2)
			close(r);
	if (fd_move(p[0], 100) || fd_move(p[1], 101) || fd_move(fd, 102) ||
	    fd_move(100, FD_PIPE_R) || fd_move(101, FD_PIPE_W) ||
	    fd_move(102, FD_FILE))
		return 21;
	if (ring_made(FD_FILE))
		return 22;
	memset(pr.buf, 0, sizeof(pr.buf));
	pr.p[0] = FD_PIPE_R;
	pr.p[1] = FD_PIPE_W;
	at_prep(&pr.cb, FD_PIPE_R, pr.buf, 4, 0);
	if (aio_read(&pr.cb) || aio_error(&pr.cb) != EINPROGRESS)
		return 23;
	if (at_sysctl_write("2"))
		return 24;
	if (syscall(__NR_close_range, FD_FIRST_FREE, ~0U, 0))
		return 25;
	if (at_write_pattern(FD_FILE, 8192, 4096, 5))
		return 26;
	if (fsync_fd(FD_FILE) || file_has(FD_FILE, 8192, 4096, 5))
		return 27;
	if (pending_read_finish(&pr))
		return 28;
	r = vt_run_child(grandchild_aio, NULL, CHILD_MS);
	if (r)
		return 40 + (r > 50 ? 50 : r);
	return 0;
}

TEST(sysctl_disabled_then_close_range)
{
	char saved[16];
	int status, restored;

	if (at_sysctl_read(saved, sizeof(saved)) || access(AT_SYSCTL_PATH, W_OK))
		SKIP(return, AT_SYSCTL_PATH " cannot be read and written here");
	status = vt_run_child(disabled_and_closed, NULL, 3 * CHILD_MS);
	/* Always put the value back, whatever the child did. */
	restored = at_sysctl_write(saved);
	EXPECT_EQ(0, restored) {
		TH_LOG("could not restore %s to %s", AT_SYSCTL_PATH, saved);
	}
	/* 20s: setup, 26-28: requests after the sysctl, 4x: fork child */
	EXPECT_EQ(0, at_judge_child(status, "child"));
}

/* --- the ring's number reused by the application ---------------------------- */

struct reused {
	int	fd;
};

/* The child still has the application's file on the ring's old number. */
static int child_checks_fd(void *arg)
{
	struct reused *ru = arg;
	char buf[5] = { 0 };

	if (fcntl(ru->fd, F_GETFD) < 0)
		return 30;
	if (pread(ru->fd, buf, 4, 0) != 4 || memcmp(buf, "mine", 4))
		return 31;
	return own_aio();
}

/*
 * The application closes the ring's descriptor and puts a file of its own
 * on that number; a fork child still has that file.
 */
TEST(fork_keeps_descriptor_on_old_ring_number)
{
	struct reused ru;
	int fd = at_tmpfile(0), mine, status;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ring_made(fd));
	ru.fd = at_find_ring_fd();
	if (ru.fd < 0)
		SKIP(return, "no io_uring descriptor in this process (glibc's AIO)");
	ASSERT_EQ(0, syscall(__NR_close_range, ru.fd, ru.fd, 0));
	mine = at_tmpfile(0);
	ASSERT_LE(0, mine);
	ASSERT_EQ(4, pwrite(mine, "mine", 4, 0));
	ASSERT_EQ(ru.fd, dup2(mine, ru.fd));
	status = vt_run_child(child_checks_fd, &ru, CHILD_MS);
	EXPECT_EQ(0, at_judge_child(status, "child"));
	close(mine);
	close(fd);
}

AIO_TEST_MAIN
