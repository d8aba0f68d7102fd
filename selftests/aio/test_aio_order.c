// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: the requests of one descriptor take effect in submission
 * order where the order shows, as with glibc (whose AIO runs them one at a
 * time, in order): O_APPEND writes append in the order of the calls (POSIX
 * demands it of aio_write), a later overlapping write wins over an earlier
 * one, and a read after a write of the same bytes reads what was written.
 * A small request must not pass a large one that went to a kernel worker.
 * Requests that do not overlap still run together.
 */
#include "kselftest_harness.h"
#include "aio_test.h"

#define BIG	(4 * AT_MIB)
#define SMALL	16
#define ROUNDS	20

static char *big_buf(char c)
{
	char *b = vt_nonnull(malloc(BIG));

	memset(b, c, BIG);
	return b;
}

/* A large then a small aio_write on an O_APPEND file: the large one first. */
TEST(append_in_call_order)
{
	char *big = big_buf('B'), small[SMALL], first;
	struct aiocb w1, w2;
	int i, fd, r, late = 0;

	memset(small, 's', SMALL);
	for (i = 0; i < ROUNDS; i++) {
		fd = at_tmpfile(O_APPEND);
		ASSERT_LE(0, fd);
		at_prep(&w1, fd, big, BIG, 0);
		at_prep(&w2, fd, small, SMALL, 0);
		ASSERT_EQ(0, aio_write(&w1));
		ASSERT_EQ(0, aio_write(&w2));
		ASSERT_EQ(0, at_done_with(&w1, BIG));
		ASSERT_EQ(0, at_done_with(&w2, SMALL));
		r = pread(fd, &first, 1, 0);
		ASSERT_EQ(1, r);
		late += first != 'B';
		close(fd);
	}
	EXPECT_EQ(0, late)
		TH_LOG("the small append landed first in %d of %d rounds", late, ROUNDS);
	free(big);
}

/* lio_listio(LIO_WAIT) of large and small appends: in list order. */
TEST(lio_append_in_list_order)
{
	char *big = big_buf('B'), small[SMALL], c;
	struct aiocb cbs[4];
	struct aiocb *list[4] = { &cbs[0], &cbs[1], &cbs[2], &cbs[3] };
	off_t at[4] = { 0, BIG, BIG + SMALL, 2 * BIG + SMALL };
	char want[4] = { 'B', 's', 'B', 's' };
	int i, j, fd, bad = 0;

	memset(small, 's', SMALL);
	for (i = 0; i < ROUNDS; i++) {
		fd = at_tmpfile(O_APPEND);
		ASSERT_LE(0, fd);
		for (j = 0; j < 4; j++) {
			at_prep(&cbs[j], fd, j & 1 ? small : big, j & 1 ? SMALL : BIG, 0);
			cbs[j].aio_lio_opcode = LIO_WRITE;
		}
		ASSERT_EQ(0, lio_listio(LIO_WAIT, list, 4, NULL));
		for (j = 0; j < 4; j++) {
			ASSERT_EQ(0, at_done_with(&cbs[j], cbs[j].aio_nbytes));
			ASSERT_EQ(1, pread(fd, &c, 1, at[j]));
			bad += c != want[j];
		}
		close(fd);
	}
	EXPECT_EQ(0, bad);
	free(big);
}

/* Two writes of the same bytes: the file holds the later one's data. */
TEST(later_overlapping_write_wins)
{
	char *big = big_buf('B'), small[SMALL], first;
	struct aiocb w1, w2;
	int i, fd, lost = 0;

	memset(small, 's', SMALL);
	fd = at_tmpfile(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, ftruncate(fd, 0));
		at_prep(&w1, fd, big, BIG, 0);
		at_prep(&w2, fd, small, SMALL, 0);
		ASSERT_EQ(0, aio_write(&w1));
		ASSERT_EQ(0, aio_write(&w2));
		ASSERT_EQ(0, at_done_with(&w1, BIG));
		ASSERT_EQ(0, at_done_with(&w2, SMALL));
		ASSERT_EQ(1, pread(fd, &first, 1, 0));
		lost += first != 's';
	}
	EXPECT_EQ(0, lost)
		TH_LOG("the later write was overwritten in %d of %d rounds", lost, ROUNDS);
	close(fd);
	free(big);
}

/* A read of bytes an earlier aio_write writes returns the new bytes. */
TEST(read_after_write_reads_it)
{
	char *old = big_buf('A'), *big = big_buf('B'), got[SMALL];
	struct aiocb w, r;
	int i, fd, stale = 0;

	fd = at_tmpfile(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, at_pwrite_full(fd, old, BIG, 0));
		at_prep(&w, fd, big, BIG, 0);
		at_prep(&r, fd, got, SMALL, BIG - SMALL);
		ASSERT_EQ(0, aio_write(&w));
		ASSERT_EQ(0, aio_read(&r));
		ASSERT_EQ(0, at_done_with(&w, BIG));
		ASSERT_EQ(0, at_done_with(&r, SMALL));
		stale += got[0] != 'B';
	}
	EXPECT_EQ(0, stale)
		TH_LOG("the read saw the old bytes in %d of %d rounds", stale, ROUNDS);
	close(fd);
	free(old);
	free(big);
}

/* Writes of different bytes and a read elsewhere are not held up for ever. */
TEST(disjoint_requests_complete)
{
	char *big = big_buf('B'), small[SMALL], got[SMALL];
	struct aiocb w1, w2, r;
	int fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	memset(small, 's', SMALL);
	ASSERT_EQ(0, at_pwrite_full(fd, small, SMALL, 2 * BIG));
	at_prep(&w1, fd, big, BIG, 0);
	at_prep(&w2, fd, small, SMALL, BIG);
	at_prep(&r, fd, got, SMALL, 2 * BIG);
	ASSERT_EQ(0, aio_write(&w1));
	ASSERT_EQ(0, aio_write(&w2));
	ASSERT_EQ(0, aio_read(&r));
	ASSERT_EQ(0, at_done_with(&w2, SMALL));
	ASSERT_EQ(0, at_done_with(&r, SMALL));
	ASSERT_EQ(0, at_done_with(&w1, BIG));
	EXPECT_EQ(0, memcmp(got, small, SMALL));
	close(fd);
	free(big);
}

AIO_TEST_MAIN
