// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX AIO: the binding, reads and writes, aio_fsync, durability, the
 * *64 names and aio_init.
 *
 * The program re-executes itself with the binder preloaded (aio_test.h).
 * bound_to_vlibc checks that every name of the family is bound to vlibc,
 * or to glibc when the environment asks for glibc (VLIBC=off,
 * VLIBC_AIO=glibc, VLIBC_DISABLE=aio) or io_uring is unavailable; the
 * variant_* cases run it again with each toggle set.
 */
#include <sys/socket.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"
#include "aio_test.h"

static const char *const family[] = {
	"aio_read", "aio_write", "aio_error", "aio_return", "aio_suspend",
	"aio_cancel", "aio_fsync", "lio_listio", "aio_init",
	"aio_read64", "aio_write64", "aio_error64", "aio_return64",
	"aio_suspend64", "aio_cancel64", "aio_fsync64", "lio_listio64",
};

#define FAMILY_NAMES	ARRAY_SIZE(family)

/* --- binding ------------------------------------------------------------------ */

TEST(bound_to_vlibc)
{
	const char *reason = aio_glibc_reason(), *owner;
	char path[4096];
	size_t i;
	int unbound = 0;

	ASSERT_NE(NULL, at_binder_bound()) {
		TH_LOG("the binder is not loaded (%s not found)", AT_BOUND_SYMBOL);
	}
	TH_LOG("expecting %s%s%s", reason ? "glibc (" : "vlibc",
	       reason ? reason : "", reason ? ")" : "");
	for (i = 0; i < FAMILY_NAMES; i++) {
		owner = aio_owner(family[i], path, sizeof(path));
		if (!strcmp(owner, "(not bound)")) {
			unbound++;
			continue;
		}
		if (reason) {
			EXPECT_STREQ("glibc", owner) {
				TH_LOG("%s bound to %s (%s), expected glibc's",
				       family[i], owner, path);
			}
		} else {
			EXPECT_TRUE(!strcmp(owner, "image") ||
				    !strcmp(owner, "binder")) {
				TH_LOG("%s bound to %s (%s), expected vlibc",
				       family[i], owner, path);
			}
		}
	}
	EXPECT_EQ(0, unbound) {
		TH_LOG("vlibc_binder_bound() returned NULL for %d of %zu AIO names: the binder does not bind the AIO family (expected until the family lands)",
		       unbound, FAMILY_NAMES);
	}
}

/* This program again with @var=@value and a few cases: they must pass. */
static int run_variant(const char *var, const char *value)
{
	char *args[] = {
		"-t", "bound_to_vlibc", "-t", "write_read_back",
		"-t", "fsync_follows_earlier_writes", NULL,
	};
	char *set = vt_strf("%s=%s", var, value);
	struct vt_self s = { .args = args, .set = { set } };
	int r = vt_run_self_ok(&s, "PASSED: 3 / 3");

	free(set);
	return r;
}

TEST(variant_glibc)
{
	EXPECT_EQ(0, run_variant("VLIBC_AIO", "glibc"));
}

TEST(variant_io_uring)
{
	EXPECT_EQ(0, run_variant("VLIBC_AIO", "io_uring"));
}

TEST(variant_off)
{
	EXPECT_EQ(0, run_variant("VLIBC", "off"));
}

TEST(variant_disabled)
{
	EXPECT_EQ(0, run_variant("VLIBC_DISABLE", "aio"));
}

/* --- reads and writes ----------------------------------------------------------- */

/*
 * aio_write @len bytes at @off, then aio_read them back: each returns the
 * count (twice), the data and the bytes around it are right.
 */
static int write_then_read(int fd, size_t len, off_t off, unsigned long seed)
{
	const size_t guard = 64;
	unsigned char *out = malloc(len), *in = malloc(len + guard);
	struct aiocb cb;
	int err, failed = 0;
	long bad;
	size_t i;

	if (!out || !in)
		return -1;
	at_fill(out, len, seed, 0);
	memset(in, 0, len);
	memset(in + len, 0x5a, guard);
	at_prep(&cb, fd, out, len, off);
	if (aio_write(&cb)) {
		fprintf(stderr, "# aio_write(%zu at %lld): %s\n", len,
			(long long)off, strerror(errno));
		return -1;
	}
	err = aio_error(&cb);
	if (err != EINPROGRESS && err != 0) {
		fprintf(stderr, "# aio_error right after aio_write: %d\n", err);
		failed++;
	}
	failed += !!at_done_with(&cb, len);
	if (aio_return(&cb) != (ssize_t)len) {
		fprintf(stderr, "# second aio_return of the write: %zd\n",
			aio_return(&cb));
		failed++;
	}
	at_prep(&cb, fd, in, len, off);
	if (aio_read(&cb)) {
		fprintf(stderr, "# aio_read(%zu at %lld): %s\n", len,
			(long long)off, strerror(errno));
		return -1;
	}
	failed += !!at_done_with(&cb, len);
	if (aio_return(&cb) != (ssize_t)len) {
		fprintf(stderr, "# second aio_return of the read: %zd\n",
			aio_return(&cb));
		failed++;
	}
	bad = at_check(in, len, seed, 0);
	if (bad >= 0) {
		fprintf(stderr, "# %zu bytes at %lld: byte %ld read back wrong\n",
			len, (long long)off, bad);
		failed++;
	}
	for (i = 0; i < guard; i++)
		if (in[len + i] != 0x5a) {
			fprintf(stderr, "# aio_read(%zu) wrote past the count\n", len);
			failed++;
			break;
		}
	/* And what the file holds, seen without AIO. */
	memset(in, 0, len);
	if (pread(fd, in, len, off) != (ssize_t)len ||
	    at_check(in, len, seed, 0) >= 0) {
		fprintf(stderr, "# pread does not see the %zu bytes at %lld\n",
			len, (long long)off);
		failed++;
	}
	free(out);
	free(in);
	return failed;
}

TEST(write_read_back)
{
	static const size_t sizes[] = { 1, 4096, AT_MIB };
	static const off_t offsets[] = { 0, 12345, 3 * AT_MIB + 1 };
	int fd = at_tmpfile(0);
	size_t s, o;

	ASSERT_LE(0, fd);
	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		for (o = 0; o < ARRAY_SIZE(offsets); o++)
			EXPECT_EQ(0, write_then_read(fd, sizes[s], offsets[o],
						     s * 10 + o)) {
				TH_LOG("%zu bytes at offset %lld", sizes[s],
				       (long long)offsets[o]);
			}
	close(fd);
}

/* A read across the end of the file is short; at or past it, 0. */
TEST(read_at_end_of_file)
{
	static const struct {
		off_t	off;
		size_t	len;
		ssize_t	want;
	} cases[] = {
		{ 80, 64, 20 }, { 99, 1, 1 }, { 100, 64, 0 }, { 4096, 1, 0 },
		{ 1LL << 40, 4096, 0 },
	};
	unsigned char data[100], buf[4096];
	struct aiocb cb;
	int fd = at_tmpfile(0);
	size_t i;

	ASSERT_LE(0, fd);
	at_fill(data, sizeof(data), 7, 0);
	ASSERT_EQ(0, at_pwrite_full(fd, data, sizeof(data), 0));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 0, sizeof(buf));
		at_prep(&cb, fd, buf, cases[i].len, cases[i].off);
		ASSERT_EQ(0, aio_read(&cb));
		EXPECT_EQ(0, at_done_with(&cb, cases[i].want)) {
			TH_LOG("read of %zu at %lld", cases[i].len,
			       (long long)cases[i].off);
		}
		if (cases[i].want > 0)
			EXPECT_EQ(-1, at_check(buf, cases[i].want, 7,
					       cases[i].off));
	}
	close(fd);
}

/* A read on an empty pipe is EINPROGRESS until data comes, then 0. */
TEST(in_progress_until_done)
{
	char buf[16] = { 0 };
	struct aiocb cb;
	int p[2], i;

	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, p[0], buf, sizeof(buf), 0);
	ASSERT_EQ(0, aio_read(&cb));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(EINPROGRESS, aio_error(&cb));
		vt_sleep_ms(10);
	}
	ASSERT_EQ(0, vt_write_full(p[1], "hello", 5));
	EXPECT_EQ(0, at_done_with(&cb, 5));
	EXPECT_EQ(5, aio_return(&cb));
	EXPECT_EQ(0, memcmp(buf, "hello", 6));
	close(p[0]);
	close(p[1]);
}

/*
 * Sockets: the offset means nothing there (glibc falls back to write()
 * and read() on ESPIPE).  A write at any offset reaches the peer; a read
 * at any offset waits for the peer.
 */
TEST(socket_read_write)
{
	char in[32] = { 0 }, peer[32] = { 0 };
	struct aiocb rd, wr;
	int s[2], i;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	at_prep(&wr, s[0], "to the peer", 11, 12345);
	ASSERT_EQ(0, aio_write(&wr));
	EXPECT_EQ(0, at_done_with(&wr, 11));
	EXPECT_EQ(11, recv(s[1], peer, sizeof(peer), MSG_DONTWAIT));
	EXPECT_STREQ("to the peer", peer);
	at_prep(&rd, s[0], in, sizeof(in), 777);
	ASSERT_EQ(0, aio_read(&rd));
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(EINPROGRESS, aio_error(&rd));
		vt_sleep_ms(10);
	}
	ASSERT_EQ(0, vt_write_full(s[1], "back", 4));
	EXPECT_EQ(0, at_done_with(&rd, 4));
	EXPECT_STREQ("back", in);
	close(s[0]);
	close(s[1]);
}

/* --- aio_fsync -------------------------------------------------------------------- */

TEST(fsync_sync_and_dsync)
{
	static const int ops[] = { O_SYNC, O_DSYNC };
	unsigned char data[4096];
	struct aiocb wr, fs;
	int fd = at_tmpfile(0);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 2; i++) {
		at_fill(data, sizeof(data), i, 0);
		at_prep(&wr, fd, data, sizeof(data), i * sizeof(data));
		ASSERT_EQ(0, aio_write(&wr));
		EXPECT_EQ(0, at_done_with(&wr, sizeof(data)));
		at_prep(&fs, fd, NULL, 0, 0);
		ASSERT_EQ(0, aio_fsync(ops[i], &fs)) {
			TH_LOG("aio_fsync(%s): %s", i ? "O_DSYNC" : "O_SYNC",
			       strerror(errno));
		}
		EXPECT_EQ(0, at_done_with(&fs, 0));
	}
	close(fd);
}

/* Anything but O_SYNC or O_DSYNC is refused by aio_fsync itself. */
TEST(fsync_bad_op)
{
	static const int ops[] = {
		0, O_RDWR, O_WRONLY, O_APPEND, O_SYNC | O_APPEND, -1,
	};
	struct aiocb fs;
	int fd = at_tmpfile(0);
	size_t i;

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		at_prep(&fs, fd, NULL, 0, 0);
		errno = 0;
		EXPECT_EQ(-1, aio_fsync(ops[i], &fs)) {
			TH_LOG("op %#x accepted", ops[i]);
			at_wait(&fs, AT_WAIT_MS);
		}
		EXPECT_EQ(EINVAL, errno);
	}
	close(fd);
}

TEST(fsync_bad_fd)
{
	struct aiocb fs;
	int fd = at_tmpfile(0), closed = dup(fd), ret, err;

	ASSERT_LE(0, closed);
	close(closed);
	at_prep(&fs, -1, NULL, 0, 0);
	ret = at_submit(aio_fsync(O_SYNC, &fs), &err);
	EXPECT_EQ(0, expect_aio_error(&fs, ret, err, EBADF));
	at_prep(&fs, closed, NULL, 0, 0);
	ret = at_submit(aio_fsync(O_DSYNC, &fs), &err);
	EXPECT_EQ(0, expect_aio_error(&fs, ret, err, EBADF));
	close(fd);
}

#define ORDER_WRITES	32
#define ORDER_LEN	(256 << 10)

/*
 * aio_fsync completes only after every write queued before it on the
 * descriptor: when it is done, none of them is still in progress.
 */
TEST(fsync_follows_earlier_writes)
{
	static struct aiocb wr[ORDER_WRITES];
	unsigned char *data = malloc(ORDER_WRITES * (size_t)ORDER_LEN);
	struct aiocb fs;
	int fd = at_tmpfile(0), round, i, early;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, data);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ORDER_WRITES; i++) {
			unsigned char *p = data + (size_t)i * ORDER_LEN;

			at_fill(p, ORDER_LEN, round * 100 + i, 0);
			at_prep(&wr[i], fd, p, ORDER_LEN, (off_t)i * ORDER_LEN);
			ASSERT_EQ(0, aio_write(&wr[i]));
		}
		at_prep(&fs, fd, NULL, 0, 0);
		ASSERT_EQ(0, aio_fsync(round ? O_DSYNC : O_SYNC, &fs));
		ASSERT_EQ(0, at_wait(&fs, 10000));
		for (i = 0, early = 0; i < ORDER_WRITES; i++)
			early += aio_error(&wr[i]) == EINPROGRESS;
		EXPECT_EQ(0, early) {
			TH_LOG("round %d: the fsync completed before %d of %d earlier writes",
			       round, early, ORDER_WRITES);
		}
		EXPECT_EQ(0, aio_error(&fs));
		EXPECT_EQ(0, aio_return(&fs));
		ASSERT_EQ(0, at_wait_array(wr, ORDER_WRITES, 10000));
		for (i = 0; i < ORDER_WRITES; i++)
			EXPECT_EQ(ORDER_LEN, aio_return(&wr[i]));
	}
	free(data);
	close(fd);
}

static int drain_pipe(int fd)
{
	char buf[4096];
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return fcntl(fd, F_SETFL, flags);
}

/*
 * Requests blocked on pipes (a read on an empty one, a write on a full
 * one) do not hold up an aio_fsync on a file.
 */
TEST(fsync_not_held_by_other_descriptors)
{
	char rbuf[8] = { 0 }, data[4096];
	struct aiocb rd, wr, fw, fs;
	int in[2], out[2], fd = at_tmpfile(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pipe(in));
	ASSERT_EQ(0, at_pipe(out));
	ASSERT_EQ(0, at_fill_pipe(out[1]));
	at_prep(&rd, in[0], rbuf, sizeof(rbuf), 0);
	ASSERT_EQ(0, aio_read(&rd));
	at_prep(&wr, out[1], "blocked", 7, 0);
	ASSERT_EQ(0, aio_write(&wr));
	at_fill(data, sizeof(data), 3, 0);
	at_prep(&fw, fd, data, sizeof(data), 0);
	ASSERT_EQ(0, aio_write(&fw));
	at_prep(&fs, fd, NULL, 0, 0);
	ASSERT_EQ(0, aio_fsync(O_SYNC, &fs));
	EXPECT_EQ(0, at_done_with(&fs, 0));
	EXPECT_EQ(0, at_done_with(&fw, sizeof(data)));
	EXPECT_EQ(EINPROGRESS, aio_error(&rd));
	EXPECT_EQ(EINPROGRESS, aio_error(&wr));
	ASSERT_EQ(0, vt_write_full(in[1], "data", 4));
	EXPECT_EQ(0, at_done_with(&rd, 4));
	ASSERT_EQ(0, drain_pipe(out[0]));
	EXPECT_EQ(0, at_done_with(&wr, 7));
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	close(fd);
}

/* --- durability --------------------------------------------------------------------- */

struct durable_file {
	int	fd;
	off_t	off[2];
	size_t	len[2];
	unsigned long seed[2];
};

/*
 * Read the file through a new open file description, after dropping its
 * clean pages from the cache: 0 if both extents hold their pattern.
 */
static int check_durable(void *arg)
{
	struct durable_file *d = arg;
	int fd = at_reopen(d->fd, O_RDONLY), i, failed = 0;
	unsigned char *buf = malloc(d->len[0] > d->len[1] ? d->len[0] : d->len[1]);

	if (fd < 0 || !buf)
		return 10;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (i = 0; i < 2; i++) {
		memset(buf, 0, d->len[i]);
		if (pread(fd, buf, d->len[i], d->off[i]) != (ssize_t)d->len[i] ||
		    at_check(buf, d->len[i], d->seed[i], 0) >= 0) {
			fprintf(stderr, "# extent %d (%zu bytes at %lld) differs\n",
				i, d->len[i], (long long)d->off[i]);
			failed++;
		}
	}
	free(buf);
	close(fd);
	return failed;
}

TEST(written_data_is_durable)
{
	struct durable_file d = {
		.off = { 0, 3 * AT_MIB + 17 }, .len = { AT_MIB, 4096 },
		.seed = { 11, 12 },
	};
	unsigned char *buf[2];
	struct aiocb wr[2], fs;
	int i, status;
	char what[64];

	d.fd = at_tmpfile(0);
	ASSERT_LE(0, d.fd);
	for (i = 0; i < 2; i++) {
		buf[i] = malloc(d.len[i]);
		ASSERT_NE(NULL, buf[i]);
		at_fill(buf[i], d.len[i], d.seed[i], 0);
		at_prep(&wr[i], d.fd, buf[i], d.len[i], d.off[i]);
		ASSERT_EQ(0, aio_write(&wr[i]));
	}
	at_prep(&fs, d.fd, NULL, 0, 0);
	ASSERT_EQ(0, aio_fsync(O_SYNC, &fs));
	EXPECT_EQ(0, at_done_with(&fs, 0));
	EXPECT_EQ(0, at_done_with(&wr[0], d.len[0]));
	EXPECT_EQ(0, at_done_with(&wr[1], d.len[1]));
	EXPECT_EQ(0, check_durable(&d));
	status = vt_run_child(check_durable, &d, AT_WAIT_MS);
	EXPECT_EQ(0, status) {
		TH_LOG("reading in a child: %s",
		       vt_child_what(status, what, sizeof(what)));
	}
	free(buf[0]);
	free(buf[1]);
	close(d.fd);
}

/* --- the *64 names and aio_init ---------------------------------------------------- */

static int wait64(struct aiocb64 *cb)
{
	const struct aiocb64 *const list[1] = { cb };
	struct timespec ts = at_ts(100);
	double end = vt_now_ms() + AT_WAIT_MS;

	while (aio_error64(cb) == EINPROGRESS) {
		if (vt_now_ms() > end)
			return -1;
		aio_suspend64(list, 1, &ts);
	}
	return 0;
}

static void prep64(struct aiocb64 *cb, int fd, void *buf, size_t len,
		   off64_t off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = fd;
	cb->aio_buf = buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
	cb->aio_sigevent.sigev_notify = SIGEV_NONE;
}

/* What fio and stress-ng call: every *64 name, with an offset past 4 GiB. */
TEST(large_file_names)
{
	const off64_t far = 5LL << 30;
	unsigned char out[4096], in[4096];
	char pbuf[2][8];
	struct aiocb64 wr, fs, rd, nop, prd[2];
	struct aiocb64 *list[3] = { &rd, &nop, NULL };
	int fd = at_tmpfile(0), p[2], r, i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pipe(p));
	at_fill(out, sizeof(out), 64, 0);
	prep64(&wr, fd, out, sizeof(out), far);
	ASSERT_EQ(0, aio_write64(&wr));
	ASSERT_EQ(0, wait64(&wr));
	EXPECT_EQ(0, aio_error64(&wr));
	EXPECT_EQ(sizeof(out), aio_return64(&wr));
	prep64(&fs, fd, NULL, 0, 0);
	ASSERT_EQ(0, aio_fsync64(O_SYNC, &fs));
	ASSERT_EQ(0, wait64(&fs));
	EXPECT_EQ(0, aio_error64(&fs));
	EXPECT_EQ(0, aio_return64(&fs));
	prep64(&rd, fd, in, sizeof(in), far);
	rd.aio_lio_opcode = LIO_READ;
	prep64(&nop, -1, NULL, 0, 0);
	nop.aio_lio_opcode = LIO_NOP;
	alarm(AT_LIO_WAIT_S);
	ASSERT_EQ(0, lio_listio64(LIO_WAIT, list, 3, NULL));
	alarm(0);
	EXPECT_EQ(0, aio_error64(&rd));
	EXPECT_EQ(sizeof(in), aio_return64(&rd));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(far + (off64_t)sizeof(out), lseek64(fd, 0, SEEK_END));
	EXPECT_EQ(AIO_ALLDONE, aio_cancel64(fd, &rd));

	/* Two reads on an empty pipe: the second one can be cancelled. */
	for (i = 0; i < 2; i++) {
		prep64(&prd[i], p[0], pbuf[i], 4, 0);
		ASSERT_EQ(0, aio_read64(&prd[i]));
	}
	EXPECT_EQ(AIO_CANCELED, aio_cancel64(p[0], &prd[1]));
	EXPECT_EQ(ECANCELED, aio_error64(&prd[1]));
	EXPECT_EQ(-1, aio_return64(&prd[1]));
	EXPECT_EQ(EINPROGRESS, aio_error64(&prd[0]));
	r = aio_cancel64(p[0], NULL);
	if (r == AIO_CANCELED) {
		EXPECT_EQ(ECANCELED, aio_error64(&prd[0]));
	} else {
		EXPECT_EQ(AIO_NOTCANCELED, r);
		EXPECT_FALSE(aio_on_vlibc()) {
			TH_LOG("a read on an empty pipe was not cancelled");
		}
		ASSERT_EQ(0, vt_write_full(p[1], "abcd", 4));
		ASSERT_EQ(0, wait64(&prd[0]));
		EXPECT_EQ(4, aio_return64(&prd[0]));
	}
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* aio_init before the first request: a hint, requests work after it. */
TEST(init_then_requests)
{
	struct aioinit init = {
		.aio_threads = 2, .aio_num = 32, .aio_idle_time = 1,
	};
	static struct aiocb cb[64];
	static unsigned char buf[64][512];
	int fd = at_tmpfile(0), i;

	ASSERT_LE(0, fd);
	aio_init(&init);
	for (i = 0; i < 64; i++) {
		at_fill(buf[i], 512, i, 0);
		at_prep(&cb[i], fd, buf[i], 512, i * 512);
		ASSERT_EQ(0, aio_write(&cb[i]));
	}
	ASSERT_EQ(0, at_wait_array(cb, 64, AT_WAIT_MS));
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(512, aio_return(&cb[i]));
		memset(buf[i], 0, 512);
		at_prep(&cb[i], fd, buf[i], 512, i * 512);
		ASSERT_EQ(0, aio_read(&cb[i]));
	}
	ASSERT_EQ(0, at_wait_array(cb, 64, AT_WAIT_MS));
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(512, aio_return(&cb[i]));
		EXPECT_EQ(-1, at_check(buf[i], 512, i, 0));
	}
	close(fd);
}

/*
 * A program that closes every descriptor above 2 (as daemons do) after
 * using AIO, then uses it again: it works, although whatever descriptor
 * the implementation had open is gone, and its number reused.
 */
TEST(aio_after_closing_all_descriptors)
{
	char out[64] = "after close_range", in[64] = { 0 }, pbuf[8] = { 0 };
	struct aiocb cb;
	int fd = at_tmpfile(0), p[2];

	ASSERT_LE(0, fd);
	at_prep(&cb, fd, out, sizeof(out), 0);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(out)));
	ASSERT_EQ(0, syscall(__NR_close_range, 3, ~0U, 0));
	/* New descriptors take the lowest numbers again. */
	fd = at_tmpfile(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, at_pipe(p));
	at_prep(&cb, fd, out, sizeof(out), 100);
	ASSERT_EQ(0, aio_write(&cb));
	ASSERT_EQ(0, at_done_with(&cb, sizeof(out)));
	at_prep(&cb, fd, in, sizeof(in), 100);
	ASSERT_EQ(0, aio_read(&cb));
	EXPECT_EQ(0, at_done_with(&cb, sizeof(in)));
	EXPECT_STREQ(out, in);
	at_prep(&cb, p[0], pbuf, 4, 0);
	ASSERT_EQ(0, aio_read(&cb));
	vt_sleep_ms(20);
	EXPECT_EQ(EINPROGRESS, aio_error(&cb));
	ASSERT_EQ(0, vt_write_full(p[1], "pipe", 4));
	EXPECT_EQ(0, at_done_with(&cb, 4));
	close(p[0]);
	close(p[1]);
	close(fd);
}

AIO_TEST_MAIN
