/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the POSIX AIO selftests share.  Include after kselftest_harness.h.
 *
 * Binding: aio_reexec() runs the program again with the binder preloaded
 * ($VLIBC_BUILD/libvlibc.so), so every case runs on the binding a
 * preloaded application gets; aio_owner() says where a name is bound and
 * aio_on_vlibc() whether the family runs on vlibc in this process.  Where
 * glibc is known to crash or hang (a NULL aiocb, a fork child with
 * requests in flight), the cases demand the POSIX answer only from vlibc
 * and just log what glibc does.
 *
 * Setting AIO_SELFTEST_REEXECUTED=1 runs the program without the binder,
 * on plain glibc.
 *
 * Every wait is bounded: at_wait() and friends give up after a deadline,
 * vt_run_child() kills a child that overstays.
 */
#ifndef _AIO_SELFTEST_H
#define _AIO_SELFTEST_H

#include "vlibc_test.h"

#include <aio.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AT_BOUND_SYMBOL	"vlibc_binder_bound"
#define AT_REEXEC_MARK	"AIO_SELFTEST_REEXECUTED"
#define AT_WAIT_MS	5000	/* how long a request may take to finish */
#define AT_MIB		(1UL << 20)

/* --- time ------------------------------------------------------------------ */

static inline struct timespec at_ts(double ms)
{
	struct timespec ts;

	if (ms < 0)
		ms = 0;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - ts.tv_sec * 1000.0) * 1e6);
	return ts;
}

/* Poll *@flag (set by a handler or another thread) for up to @ms. */
static inline int at_poll_flag(volatile int *flag, int want, double ms)
{
	double end = vt_now_ms() + ms;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < want) {
		if (vt_now_ms() > end)
			return -1;
		vt_sleep_ms(1);
	}
	return 0;
}

/* --- where the family is bound ---------------------------------------------- */

typedef void *(*at_bound_fn)(const char *name);

static inline at_bound_fn at_binder_bound(void)
{
	return (at_bound_fn)dlsym(RTLD_DEFAULT, AT_BOUND_SYMBOL);
}

/* Where the binder bound @name: see vt_bound_owner(). */
static inline const char *aio_owner(const char *name, char *path, size_t size)
{
	return vt_bound_owner(name, path, size);
}

/* Does this process run the AIO family on vlibc (not on glibc's code)? */
static inline int aio_on_vlibc(void)
{
	static int answer = -1;
	char path[4096];
	const char *owner;

	if (answer < 0) {
		owner = aio_owner("aio_read", path, sizeof(path));
		answer = !strcmp(owner, "image") || !strcmp(owner, "binder");
	}
	return answer;
}

/* Does "VLIBC_DISABLE=a,b,c" name @family? */
static inline int at_disable_lists(const char *list, const char *family)
{
	size_t len = strlen(family);

	while (list && *list) {
		if (!strncmp(list, family, len) &&
		    (list[len] == ',' || list[len] == 0))
			return 1;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return 0;
}

/*
 * Why the environment asks for glibc's AIO, or NULL when it asks for
 * vlibc's.  Also when this process may not create an io_uring (sysctl
 * kernel.io_uring_disabled, seccomp, no CONFIG_IO_URING): the family then
 * binds glibc whole.
 */
static inline const char *aio_glibc_reason(void)
{
	const char *v = getenv("VLIBC"), *aio = getenv("VLIBC_AIO");
	long params[15] = { 0 };	/* struct io_uring_params, 120 bytes */
	long fd;

	if (v && !strcmp(v, "off"))
		return "VLIBC=off";
	if (aio && !strcmp(aio, "glibc"))
		return "VLIBC_AIO=glibc";
	if (at_disable_lists(getenv("VLIBC_DISABLE"), "aio"))
		return "VLIBC_DISABLE lists aio";
	fd = syscall(__NR_io_uring_setup, 1, params);
	if (fd < 0)
		return "io_uring_setup fails here";
	close(fd);
	return NULL;
}

/* Without the binder loaded, run again with it preloaded. */
static inline void aio_reexec(char **argv)
{
	vt_reexec_with_binder(argv, "libvlibc.so", AT_REEXEC_MARK, at_binder_bound() != NULL);
}

/* The main() of an AIO selftest: every case under the binder. */
#define AIO_TEST_MAIN							\
int main(int argc, char **argv)						\
{									\
	aio_reexec(argv);						\
	return test_harness_run(argc, argv);				\
}

/* --- files, pipes, buffers --------------------------------------------------- */

/* Where temporary files go: the build folder (a disk), $TMPDIR, /tmp. */
static inline const char *at_tmp_dir(void)
{
	const char *dirs[] = { getenv("VLIBC_BUILD"), getenv("TMPDIR"), "/tmp" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (dirs[i] && *dirs[i] && !access(dirs[i], W_OK))
			return dirs[i];
	return ".";
}

/*
 * A new empty file, already unlinked (nothing to clean up): its
 * descriptor, opened O_RDWR with @flags added, or -1.
 */
static inline int at_tmpfile(int flags)
{
	char path[PATH_MAX];
	int fd, fd2;

	snprintf(path, sizeof(path), "%s/aio-selftest.XXXXXX", at_tmp_dir());
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd2 = flags ? open(path, O_RDWR | O_CLOEXEC | flags) : fd;
	unlink(path);
	if (fd2 != fd)
		close(fd);
	return fd2;
}

/* A new open file description of the file @fd refers to. */
static inline int at_reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

static inline int at_pipe(int p[2])
{
	return pipe2(p, O_CLOEXEC);
}

/* Byte @i of the pattern @seed names. */
static inline unsigned char at_byte(unsigned long seed, unsigned long i)
{
	unsigned long x = (seed + 1) * 0x9e3779b97f4a7c15UL + i * 0x100000001b3UL;

	return (unsigned char)((x >> 29) ^ (x >> 47) ^ i);
}

static inline void at_fill(void *buf, size_t len, unsigned long seed,
			   unsigned long pos)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = at_byte(seed, pos + i);
}

/* Index of the first byte of @buf not in the pattern, or -1. */
static inline long at_check(const void *buf, size_t len, unsigned long seed,
			    unsigned long pos)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != at_byte(seed, pos + i))
			return i;
	return -1;
}

static inline int at_pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

/* --- requests ------------------------------------------------------------------ */

/* A zeroed aiocb for @len bytes at @off of @fd, with SIGEV_NONE. */
static inline void at_prep(struct aiocb *cb, int fd, void *buf, size_t len,
			   off_t off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = fd;
	cb->aio_buf = buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
	cb->aio_sigevent.sigev_notify = SIGEV_NONE;
}

/* Run a submitting call; its result, with errno stored in *@errp. */
#define at_submit(call, errp) ({			\
	int __r;					\
	errno = 0;					\
	__r = (call);					\
	*(errp) = __r ? errno : 0;			\
	__r;						\
})

/* Wait up to @ms for @cb to leave EINPROGRESS: 0, or -1 on timeout. */
static inline int at_wait(struct aiocb *cb, double ms)
{
	const struct aiocb *list[1] = { cb };
	double end = vt_now_ms() + ms;

	while (aio_error(cb) == EINPROGRESS) {
		double left = end - vt_now_ms();
		struct timespec ts;

		if (left <= 0)
			return -1;
		ts = at_ts(left < 100 ? left : 100);
		aio_suspend(list, 1, &ts);
	}
	return 0;
}

/* at_wait() on each of @n requests in turn, within @ms in all. */
static inline int at_wait_all(struct aiocb *const *cbs, size_t n, double ms)
{
	double end = vt_now_ms() + ms;
	size_t i;

	for (i = 0; i < n; i++)
		if (cbs[i] && at_wait(cbs[i], end - vt_now_ms()))
			return -1;
	return 0;
}

/* The same for an array of aiocbs. */
static inline int at_wait_array(struct aiocb *cbs, size_t n, double ms)
{
	double end = vt_now_ms() + ms;
	size_t i;

	for (i = 0; i < n; i++)
		if (at_wait(&cbs[i], end - vt_now_ms()))
			return -1;
	return 0;
}

/* Wait for @cb, then: 0 if it ended with error 0 and returned @want. */
static inline int at_done_with(struct aiocb *cb, ssize_t want)
{
	int err;
	ssize_t ret;

	if (at_wait(cb, AT_WAIT_MS)) {
		fprintf(stderr, "# request (fd %d, %zu bytes at %lld) still in progress after %d ms\n",
			cb->aio_fildes, cb->aio_nbytes,
			(long long)cb->aio_offset, AT_WAIT_MS);
		return -1;
	}
	err = aio_error(cb);
	ret = aio_return(cb);
	if (err || ret != want) {
		fprintf(stderr, "# request (fd %d, %zu bytes at %lld): error %d (%s), return %zd; expected 0, %zd\n",
			cb->aio_fildes, cb->aio_nbytes,
			(long long)cb->aio_offset, err, strerror(err), ret, want);
		return -1;
	}
	return 0;
}

/*
 * A request that must fail with @expected or @alt: POSIX lets the error
 * come either from the submitting call (-1 and errno) or later from
 * aio_error() (with aio_return() -1).  @submit_ret and @submit_errno are
 * what the submitting call gave.  0 if so; else says what happened.
 */
static inline int expect_aio_error2(struct aiocb *cb, int submit_ret,
				    int submit_errno, int expected, int alt)
{
	int err;
	ssize_t ret;

	if (submit_ret == -1) {
		if (submit_errno == expected || submit_errno == alt)
			return 0;
		fprintf(stderr, "# submission failed with %d (%s), expected %s\n",
			submit_errno, strerror(submit_errno), strerror(expected));
		return -1;
	}
	if (submit_ret != 0) {
		fprintf(stderr, "# submission returned %d\n", submit_ret);
		return -1;
	}
	if (at_wait(cb, AT_WAIT_MS)) {
		fprintf(stderr, "# accepted, still in progress after %d ms; expected %s\n",
			AT_WAIT_MS, strerror(expected));
		return -1;
	}
	err = aio_error(cb);
	ret = aio_return(cb);
	if ((err == expected || err == alt) && ret == -1)
		return 0;
	fprintf(stderr, "# accepted, then error %d (%s) and return %zd; expected %s and -1\n",
		err, strerror(err), ret, strerror(expected));
	return -1;
}

static inline int expect_aio_error(struct aiocb *cb, int submit_ret,
				   int submit_errno, int expected)
{
	return expect_aio_error2(cb, submit_ret, submit_errno, expected,
				 expected);
}

/*
 * lio_listio(LIO_WAIT) has no timeout: an alarm (default action: the
 * test dies of SIGALRM, and says so) bounds it to @AT_LIO_WAIT_S.
 */
#define AT_LIO_WAIT_S	10

static inline int at_lio_wait(struct aiocb *const list[], int n)
{
	int r, err;

	alarm(AT_LIO_WAIT_S);
	errno = 0;
	r = lio_listio(LIO_WAIT, list, n, NULL);
	err = errno;
	alarm(0);
	errno = err;
	return r;
}

/* Fill the pipe's buffer, so that the next write blocks. */
static inline int at_fill_pipe(int fd)
{
	static char junk[4096];
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -1;
	while (write(fd, junk, sizeof(junk)) > 0)
		;
	while (write(fd, junk, 1) > 0)
		;
	return fcntl(fd, F_SETFL, flags);
}

/* aio_write @len bytes of pattern @seed at @off and wait: 0 if written. */
static inline int at_write_pattern(int fd, size_t len, off_t off, unsigned long seed)
{
	unsigned char *buf = vt_nonnull(malloc(len));
	struct aiocb cb;
	int r;

	at_fill(buf, len, seed, off);
	at_prep(&cb, fd, buf, len, off);
	r = aio_write(&cb) ? -1 : at_done_with(&cb, len);
	free(buf);
	return r;
}

/* The descriptor of this process's io_uring, or -1 (glibc: none). */
static inline int at_find_ring_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[300], link[64];
	int found = -1;
	ssize_t n;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, "anon_inode:[io_uring]"))
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

static inline void *at_nothing(void *arg)
{
	return NULL;
}

/*
 * Become nobody with no room for another thread (RLIMIT_NPROC 1): 0, or
 * -1 when that cannot be done here or threads can still be made.
 */
static inline int at_no_threads(void)
{
	struct rlimit one = { 1, 1 };
	pthread_t t;

	if (setgid(VT_NOBODY) || setuid(VT_NOBODY) || setrlimit(RLIMIT_NPROC, &one))
		return -1;
	return pthread_create(&t, NULL, at_nothing, NULL) ? 0 : -1;
}

/*
 * A fork child's exit @status: on vlibc it must have succeeded; on glibc
 * a failure is only logged (glibc 2.36's AIO in a fork child can hang,
 * see test_aio_fork.c).  0 when acceptable.
 */
static inline int at_judge_child(int status, const char *what)
{
	char how[64];

	if (status == 0)
		return 0;
	vt_child_what(status, how, sizeof(how));
	fprintf(stderr, "# %s: %s%s\n", what, how,
		aio_on_vlibc() ? "" : " (glibc 2.36's fork problem; only logged)");
	return aio_on_vlibc() ? -1 : 0;
}

/* kernel.io_uring_disabled: read (first line, no newline) and written. */
#define AT_SYSCTL_PATH	"/proc/sys/kernel/io_uring_disabled"

static inline int at_sysctl_read(char *buf, size_t size)
{
	int fd = open(AT_SYSCTL_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static inline int at_sysctl_write(const char *value)
{
	int fd = open(AT_SYSCTL_PATH, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
	close(fd);
	return r;
}

/* A read of 4 bytes waiting on an empty pipe (at_pending_start()). */
struct at_pending {
	int		p[2];
	char		buf[8];
	struct aiocb	cb;
};

static inline int at_pending_start(struct at_pending *pd)
{
	memset(pd->buf, 0, sizeof(pd->buf));
	if (at_pipe(pd->p))
		return -1;
	at_prep(&pd->cb, pd->p[0], pd->buf, 4, 0);
	return aio_read(&pd->cb);
}

/* Let it complete, and close the pipe; 0 if it did, with the 4 bytes. */
static inline int at_pending_finish(struct at_pending *pd)
{
	int r = vt_write_full(pd->p[1], "ping", 4) || at_done_with(&pd->cb, 4);

	close(pd->p[0]);
	close(pd->p[1]);
	return r ? -1 : 0;
}

/*
 * Requests in flight that cannot end by themselves: reads waiting on
 * AT_BUSY_PIPES empty pipes, and an AT_BUSY_BIG write to a new file (in a
 * kernel worker).  at_busy_start() submits them; at_busy_finish() checks
 * the reads still wait, writes the pipes, and checks that every request
 * completed with its data and the file holds the write: 0 if so.
 */
#define AT_BUSY_PIPES	3
#define AT_BUSY_BIG	(8 * AT_MIB)

struct at_busy {
	int		fd;
	int		p[AT_BUSY_PIPES][2];
	char		buf[AT_BUSY_PIPES][8];
	struct aiocb	rd[AT_BUSY_PIPES], wr;
	unsigned char	*data;
};

static inline int at_busy_start(struct at_busy *b, unsigned long seed)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->fd = at_tmpfile(0);
	b->data = malloc(AT_BUSY_BIG);
	if (b->fd < 0 || !b->data)
		return -1;
	for (i = 0; i < AT_BUSY_PIPES; i++) {
		if (at_pipe(b->p[i]))
			return -1;
		at_prep(&b->rd[i], b->p[i][0], b->buf[i], 4, 0);
		if (aio_read(&b->rd[i]))
			return -1;
	}
	at_fill(b->data, AT_BUSY_BIG, seed, 0);
	at_prep(&b->wr, b->fd, b->data, AT_BUSY_BIG, 0);
	return aio_write(&b->wr) ? -1 : 0;
}

static inline int at_busy_finish(struct at_busy *b, unsigned long seed)
{
	unsigned char *back = vt_nonnull(malloc(AT_BUSY_BIG));
	int i, failed = 0;

	for (i = 0; i < AT_BUSY_PIPES; i++) {
		if (aio_error(&b->rd[i]) != EINPROGRESS) {
			fprintf(stderr, "# read %d on an empty pipe no longer waits: %d\n",
				i, aio_error(&b->rd[i]));
			failed++;
		}
		if (vt_write_full(b->p[i][1], "data", 4))
			failed++;
	}
	for (i = 0; i < AT_BUSY_PIPES; i++) {
		if (at_done_with(&b->rd[i], 4) || memcmp(b->buf[i], "data", 4))
			failed++;
		close(b->p[i][0]);
		close(b->p[i][1]);
	}
	if (at_done_with(&b->wr, AT_BUSY_BIG))
		failed++;
	else if (pread(b->fd, back, AT_BUSY_BIG, 0) != AT_BUSY_BIG ||
		 at_check(back, AT_BUSY_BIG, seed, 0) >= 0)
		failed++;
	free(back);
	free(b->data);
	close(b->fd);
	return failed;
}

#endif /* _AIO_SELFTEST_H */
