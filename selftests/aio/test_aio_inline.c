// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: the submitting call returns without doing a large transfer
 * itself.  lio_listio(LIO_NOWAIT) of large reads from the page cache, and
 * one large cached aio_read(), must not copy the data in the calling
 * thread; a small cached read is still answered inline by vlibc's fast
 * path (complete when aio_read() returns).
 *
 * Structural, not timed: the destination buffers are fresh anonymous
 * pages (no huge pages), so whichever thread copies into them takes one
 * page fault per page.  The caller's own fault count (RUSAGE_THREAD)
 * says whether the copy happened in it.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include "kselftest_harness.h"
#include "aio_test.h"

#define BIG		(16 * AT_MIB)	/* far above any inline limit */
#define NBIG		6
#define PAGE		4096

static long thread_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* A cached file of @len bytes of pattern @seed. */
static int cached_file(size_t len, unsigned long seed)
{
	size_t chunk = AT_MIB, off;
	char *buf = vt_nonnull(malloc(chunk));
	int fd = at_tmpfile(0);

	for (off = 0; fd >= 0 && off < len; off += chunk) {
		at_fill(buf, chunk, seed, off);
		if (at_pwrite_full(fd, buf, chunk, off))
			return -1;
	}
	free(buf);
	/* Written through the page cache: it holds the file now. */
	return fd;
}

/* @len bytes of fresh anonymous memory, each page faulting on first use. */
static void *fresh_buffer(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

TEST(lio_nowait_large_cached_reads_not_copied_by_caller)
{
	struct aiocb cb[NBIG], *list[NBIG];
	char *buf = fresh_buffer(NBIG * BIG);
	int fd = cached_file(NBIG * BIG, 11), i;
	long before, faults;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	for (i = 0; i < NBIG; i++) {
		at_prep(&cb[i], fd, buf + i * BIG, BIG, (off_t)i * BIG);
		cb[i].aio_lio_opcode = LIO_READ;
		list[i] = &cb[i];
	}
	before = thread_minflt();
	ASSERT_EQ(0, lio_listio(LIO_NOWAIT, list, NBIG, NULL));
	faults = thread_minflt() - before;
	TH_LOG("caller took %ld page faults for %d pages", faults,
	       (int)(NBIG * BIG / PAGE));
	EXPECT_GT(NBIG * BIG / PAGE / 10, faults);
	ASSERT_EQ(0, at_wait_all(list, NBIG, 4 * AT_WAIT_MS));
	for (i = 0; i < NBIG; i++) {
		EXPECT_EQ(0, aio_error(&cb[i]));
		EXPECT_EQ((ssize_t)BIG, aio_return(&cb[i]));
		EXPECT_EQ(-1, at_check(buf + i * BIG, BIG, 11, (size_t)i * BIG));
	}
	munmap(buf, NBIG * BIG);
	close(fd);
}

TEST(large_cached_aio_read_not_copied_by_caller)
{
	size_t len = 4 * BIG;
	char *buf = fresh_buffer(len);
	int fd = cached_file(len, 12);
	long before, faults;
	struct aiocb cb;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	at_prep(&cb, fd, buf, len, 0);
	before = thread_minflt();
	ASSERT_EQ(0, aio_read(&cb));
	faults = thread_minflt() - before;
	TH_LOG("caller took %ld page faults for %zu pages", faults, len / PAGE);
	EXPECT_GT((long)(len / PAGE / 10), faults);
	EXPECT_EQ(0, at_done_with(&cb, len));
	EXPECT_EQ(-1, at_check(buf, len, 12, 0));
	munmap(buf, len);
	close(fd);
}

/* The fast path still answers a small cached read inline. */
TEST(small_cached_read_answered_inline)
{
	const char *variant = getenv("VLIBC_AIO");
	char buf[4096];
	int fd = cached_file(AT_MIB, 13);
	struct aiocb cb;

	if (!aio_on_vlibc() || (variant && strcmp(variant, "io_uring")))
		SKIP(return, "vlibc's page-cache fast path is not in use");
	ASSERT_LE(0, fd);
	/* The fast path needs a file system that answers RWF_NOWAIT. */
	if (preadv2(fd, &(struct iovec){ buf, sizeof(buf) }, 1, 8192,
		    RWF_NOWAIT) != sizeof(buf))
		SKIP(close(fd); return, "RWF_NOWAIT read here: %s", strerror(errno));
	at_prep(&cb, fd, buf, sizeof(buf), 8192);
	ASSERT_EQ(0, aio_read(&cb));
	/* The status as the call left it, without reaping. */
	EXPECT_EQ(0, __atomic_load_n(&cb.__error_code, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0, at_done_with(&cb, sizeof(buf)));
	EXPECT_EQ(-1, at_check(buf, sizeof(buf), 13, 8192));
	close(fd);
}

AIO_TEST_MAIN
