// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: bad input gets the POSIX error, through the submitting call
 * or through aio_error() (expect_aio_error() accepts both), and never a
 * crash or a hang.
 *
 * glibc dereferences a NULL aiocb and crashes; the null_aiocb and
 * misaligned_aiocb cases demand EINVAL only from vlibc and log what glibc
 * does.  Each of those calls runs in a child process.
 */
#include <sys/mman.h>
#include "kselftest_harness.h"
#include <linux/magic.h>
#include <sys/vfs.h>
#include "aio_test.h"

#define PAGE	4096UL

/* A file of @len pattern bytes (seed 1). */
static int data_file(size_t len)
{
	unsigned char *buf = malloc(len);
	int fd = at_tmpfile(0);

	if (fd < 0 || !buf)
		return -1;
	at_fill(buf, len, 1, 0);
	if (at_pwrite_full(fd, buf, len, 0)) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

static int submit(int write, struct aiocb *cb, int *err)
{
	return write ? at_submit(aio_write(cb), err) : at_submit(aio_read(cb), err);
}

/* A read and a write of @len at @off on @fd must fail with @e1 or @e2. */
static int expect_rw_error(int fd, off_t off, size_t len, void *buf, int e1,
			   int e2)
{
	struct aiocb cb;
	int w, ret, err, failed = 0;

	for (w = 0; w < 2; w++) {
		at_prep(&cb, fd, buf, len, off);
		ret = submit(w, &cb, &err);
		if (expect_aio_error2(&cb, ret, err, e1, e2)) {
			fprintf(stderr, "# ^ aio_%s(fd %d, %zu bytes at %lld)\n",
				w ? "write" : "read", fd, len, (long long)off);
			failed++;
		}
	}
	return failed;
}

/*
 * Descriptors that are not open: -1, INT_MAX, and a number just closed
 * (taken after a first request, so that whatever the implementation
 * opens for itself is open by then).
 */
TEST(bad_fd)
{
	char buf[64];
	struct aiocb cb;
	int fd = data_file(100), closed;

	ASSERT_LE(0, fd);
	at_prep(&cb, fd, buf, sizeof(buf), 0);
	ASSERT_EQ(0, aio_read(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(buf)));
	closed = dup(fd);
	ASSERT_LE(0, closed);
	close(closed);
	EXPECT_EQ(0, expect_rw_error(-1, 0, sizeof(buf), buf, EBADF, EBADF));
	EXPECT_EQ(0, expect_rw_error(closed, 0, sizeof(buf), buf, EBADF, EBADF));
	EXPECT_EQ(0, expect_rw_error(INT_MAX, 0, sizeof(buf), buf, EBADF, EBADF));
	close(fd);
}

/*
 * A negative offset is EINVAL.  -1 in particular must not become "the
 * file position" (io_uring's meaning of -1): the position stays, the
 * buffer and the file are untouched.
 */
TEST(negative_offset)
{
	static const off_t offsets[] = { -1, -5, -4096, LLONG_MIN };
	char buf[64];
	size_t i;
	int fd = data_file(100);

	ASSERT_LE(0, fd);
	ASSERT_EQ(10, lseek(fd, 10, SEEK_SET));
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		memset(buf, 0x5a, sizeof(buf));
		EXPECT_EQ(0, expect_rw_error(fd, offsets[i], sizeof(buf), buf,
					     EINVAL, EINVAL)) {
			TH_LOG("offset %lld", (long long)offsets[i]);
		}
	}
	EXPECT_EQ(10, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(100, lseek(fd, 0, SEEK_END));
	close(fd);
}

/*
 * Offsets that overflow off_t with the count, or pass what the file
 * system allows: EINVAL (glibc: the kernel's answer to pread/pwrite), or
 * the POSIX EOVERFLOW (read) / EFBIG (write).
 */
TEST(offset_overflow)
{
	static const struct {
		off_t	off;
		size_t	len;
	} cases[] = {
		{ LLONG_MAX - 10, 100 }, { LLONG_MAX, 1 }, { LLONG_MAX - 4095, 8192 },
	};
	char buf[8192] = { 0 };
	struct statfs fs;
	struct aiocb cb;
	size_t i;
	int fd = data_file(100), ret, err;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		at_prep(&cb, fd, buf, cases[i].len, cases[i].off);
		ret = at_submit(aio_read(&cb), &err);
		EXPECT_EQ(0, expect_aio_error2(&cb, ret, err, EINVAL, EOVERFLOW)) {
			TH_LOG("read of %zu at %lld", cases[i].len,
			       (long long)cases[i].off);
		}
		at_prep(&cb, fd, buf, cases[i].len, cases[i].off);
		ret = at_submit(aio_write(&cb), &err);
		EXPECT_EQ(0, expect_aio_error2(&cb, ret, err, EINVAL, EFBIG)) {
			TH_LOG("write of %zu at %lld", cases[i].len,
			       (long long)cases[i].off);
		}
	}
	/*
	 * Past the largest file ext4 allows (tmpfs, as in the QEMU guest,
	 * takes files up to LLONG_MAX: nothing to refuse there).
	 */
	if (fstatfs(fd, &fs) == 0 && fs.f_type != TMPFS_MAGIC) {
		at_prep(&cb, fd, buf, 1, 1LL << 60);
		ret = at_submit(aio_write(&cb), &err);
		EXPECT_EQ(0, expect_aio_error2(&cb, ret, err, EFBIG, EINVAL));
		EXPECT_EQ(100, lseek(fd, 0, SEEK_END));
	}
	close(fd);
}

/*
 * A count beyond what one system call moves: a read of 4 GiB (or 4 GiB +
 * 50) on a 100-byte file reads the 100 bytes, like pread; a count that is
 * negative as ssize_t is refused (EINVAL, or EFAULT as the kernel says).
 */
TEST(huge_count)
{
	static const size_t counts[] = { 1UL << 32, (1UL << 32) + 50, 1UL << 33 };
	unsigned char *buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct aiocb cb;
	size_t i;
	int fd = data_file(100);

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, buf);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		memset(buf, 0, 100);
		at_prep(&cb, fd, buf, counts[i], 0);
		ASSERT_EQ(0, aio_read(&cb));
		EXPECT_EQ(0, at_done_with(&cb, 100)) {
			TH_LOG("read with count %#zx", counts[i]);
		}
		EXPECT_EQ(-1, at_check(buf, 100, 1, 0));
	}
	EXPECT_EQ(0, expect_rw_error(fd, 0, SIZE_MAX, buf, EINVAL, EFAULT));
	EXPECT_EQ(0, expect_rw_error(fd, 0, (size_t)SSIZE_MAX + 1, buf,
				     EINVAL, EFAULT));
	EXPECT_EQ(100, lseek(fd, 0, SEEK_END));
	munmap(buf, PAGE);
	close(fd);
}

/* aio_reqprio outside [0, AIO_PRIO_DELTA_MAX] is EINVAL; inside, fine. */
TEST(reqprio_range)
{
	static const int bad[] = { -1, AIO_PRIO_DELTA_MAX + 1, INT_MAX, INT_MIN };
	static const int good[] = { 0, 1, AIO_PRIO_DELTA_MAX };
	char buf[64];
	struct aiocb cb;
	size_t i;
	int fd = data_file(100), w, ret, err;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		for (w = 0; w < 2; w++) {
			at_prep(&cb, fd, buf, sizeof(buf), 0);
			cb.aio_reqprio = bad[i];
			ret = submit(w, &cb, &err);
			EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EINVAL)) {
				TH_LOG("aio_%s with aio_reqprio %d",
				       w ? "write" : "read", bad[i]);
			}
		}
	for (i = 0; i < ARRAY_SIZE(good); i++)
		for (w = 0; w < 2; w++) {
			at_prep(&cb, fd, buf, sizeof(buf), 0);
			cb.aio_reqprio = good[i];
			ASSERT_EQ(0, submit(w, &cb, &err)) {
				TH_LOG("aio_reqprio %d: %s", good[i], strerror(err));
			}
			EXPECT_EQ(0, at_done_with(&cb, sizeof(buf)));
		}
	close(fd);
}

/* A write on a read-only descriptor, a read on a write-only one: EBADF. */
TEST(wrong_access_mode)
{
	char buf[64] = "data";
	struct aiocb cb;
	int fd = data_file(100), ro, wo, ret, err;

	ASSERT_LE(0, fd);
	ro = at_reopen(fd, O_RDONLY);
	wo = at_reopen(fd, O_WRONLY);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	at_prep(&cb, ro, buf, sizeof(buf), 200);
	ret = at_submit(aio_write(&cb), &err);
	EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EBADF));
	at_prep(&cb, wo, buf, sizeof(buf), 0);
	ret = at_submit(aio_read(&cb), &err);
	EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EBADF));
	EXPECT_EQ(100, lseek(fd, 0, SEEK_END));
	close(ro);
	close(wo);
	close(fd);
}

/*
 * Buffers the kernel cannot use: unmapped, read-only (for a read), NULL.
 * EFAULT, no crash, the file unchanged.
 */
TEST(bad_buffer)
{
	unsigned char *map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *gone = map + PAGE, *ro = map + 2 * PAGE;
	struct aiocb cb;
	int fd = data_file(8192), ret, err;

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(gone, PAGE));
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	EXPECT_EQ(0, expect_rw_error(fd, 0, 4096, gone, EFAULT, EFAULT));
	EXPECT_EQ(0, expect_rw_error(fd, 0, 16, NULL, EFAULT, EFAULT));
	at_prep(&cb, fd, ro, 4096, 0);
	ret = at_submit(aio_read(&cb), &err);
	EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EFAULT));
	EXPECT_EQ(8192, lseek(fd, 0, SEEK_END));
	/* A write past the end from a bad buffer (the size may change). */
	at_prep(&cb, fd, gone, 4096, 10000);
	ret = at_submit(aio_write(&cb), &err);
	EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EFAULT));
	munmap(map, PAGE);
	munmap(ro, PAGE);
	close(fd);
}

/* --- calls that crash glibc: run in a child ----------------------------------- */

struct odd_call {
	const char	*name;
	struct aiocb	*cb;
	int		fd;
	/* filled in by the child, in shared memory */
	long		ret;
	int		err;
	int		done;
};

static int odd_call_child(void *arg)
{
	struct odd_call *c = arg;

	errno = 0;
	if (!strcmp(c->name, "aio_error"))
		c->ret = aio_error(c->cb);
	else if (!strcmp(c->name, "aio_return"))
		c->ret = aio_return(c->cb);
	else if (!strcmp(c->name, "aio_read"))
		c->ret = aio_read(c->cb);
	else if (!strcmp(c->name, "aio_write"))
		c->ret = aio_write(c->cb);
	else if (!strcmp(c->name, "aio_fsync"))
		c->ret = aio_fsync(O_SYNC, c->cb);
	else if (!strcmp(c->name, "aio_cancel"))
		c->ret = aio_cancel(c->fd, c->cb);
	c->err = errno;
	c->done = 1;
	return 0;
}

/*
 * @name(@cb) in a child: on vlibc it must return -1 with EINVAL and not
 * crash; on glibc whatever happens is only logged.  0 if acceptable.
 */
static int odd_call(const char *name, struct aiocb *cb, int fd,
		    const char *what)
{
	struct odd_call *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, ok;
	char how[64];

	if (c == MAP_FAILED)
		return -1;
	*c = (struct odd_call){ .name = name, .cb = cb, .fd = fd };
	status = vt_run_child(odd_call_child, c, AT_WAIT_MS);
	ok = status == 0 && c->done && c->ret == -1 && c->err == EINVAL;
	if (status == 0 && c->done)
		snprintf(how, sizeof(how), "returned %ld, errno %d (%s)",
			 c->ret, c->err, strerror(c->err));
	else
		vt_child_what(status, how, sizeof(how));
	fprintf(stderr, "# %s(%s) %s on %s\n", name, what, how,
		aio_on_vlibc() ? "vlibc" : "glibc (only logged)");
	munmap(c, sizeof(*c));
	return ok || !aio_on_vlibc() ? 0 : -1;
}

TEST(null_aiocb)
{
	static const char *const calls[] = {
		"aio_error", "aio_return", "aio_read", "aio_write", "aio_fsync",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(calls); i++)
		EXPECT_EQ(0, odd_call(calls[i], NULL, -1, "NULL"));
}

/*
 * An aiocb at an odd address (one byte into an aligned buffer), otherwise
 * a valid request on a file.
 */
TEST(misaligned_aiocb)
{
	static const char *const calls[] = {
		"aio_read", "aio_write", "aio_fsync", "aio_error", "aio_return",
		"aio_cancel",
	};
	static char data[64];
	unsigned char *mem = aligned_alloc(64, 2 * sizeof(struct aiocb));
	struct aiocb proto;
	size_t i;
	int fd = data_file(100);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, mem);
	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		at_prep(&proto, fd, data, sizeof(data), 0);
		memset(mem, 0, 2 * sizeof(struct aiocb));
		memcpy(mem + 1, &proto, sizeof(proto));
		EXPECT_EQ(0, odd_call(calls[i], (struct aiocb *)(mem + 1), fd,
				      "aiocb at an odd address"));
	}
	free(mem);
	close(fd);
}

/* --- O_DIRECT -------------------------------------------------------------------------- */

/*
 * O_DIRECT with a misaligned buffer, offset or count: EINVAL, as the
 * system call answers (each case is checked with pread first; where the
 * file system accepts it, the case is skipped).  Aligned, it works.
 */
TEST(direct_io_alignment)
{
	static const struct {
		const char	*what;
		size_t		skew, len;
		off_t		off;
	} cases[] = {
		{ "buffer + 1", 1, 4096, 0 },
		{ "buffer + 256", 256, 4096, 0 },
		{ "offset 1", 0, 4096, 1 },
		{ "count 100", 0, 100, 0 },
	};
	unsigned char *buf = aligned_alloc(4096, 4 * 4096);
	struct aiocb cb;
	size_t i;
	int fd = data_file(64 << 10), dfd, ret, err, tried = 0;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fsync(fd));
	dfd = at_reopen(fd, O_RDWR | O_DIRECT);
	if (dfd < 0)
		SKIP(return, "O_DIRECT refused here: %s", strerror(errno));
	memset(buf, 0, 4096);
	at_prep(&cb, dfd, buf, 4096, 8192);
	ASSERT_EQ(0, aio_read(&cb));
	EXPECT_EQ(0, at_done_with(&cb, 4096));
	EXPECT_EQ(-1, at_check(buf, 4096, 1, 8192));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned char *p = buf + 4096 + cases[i].skew;

		errno = 0;
		if (pread(dfd, p, cases[i].len, cases[i].off) != -1 ||
		    errno != EINVAL) {
			TH_LOG("%s: pread accepts it here, not a case", cases[i].what);
			continue;
		}
		tried++;
		at_prep(&cb, dfd, p, cases[i].len, cases[i].off);
		ret = at_submit(aio_read(&cb), &err);
		EXPECT_EQ(0, expect_aio_error(&cb, ret, err, EINVAL)) {
			TH_LOG("O_DIRECT read, %s", cases[i].what);
		}
	}
	if (!tried)
		SKIP(return, "the file system accepts misaligned O_DIRECT");
	close(dfd);
	close(fd);
	free(buf);
}

AIO_TEST_MAIN
