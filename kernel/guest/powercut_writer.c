// SPDX-License-Identifier: GPL-2.0
/*
 * The power-cut check's writer (kernel/powercut.sh), an ordinary glibc
 * program: in the guest it runs plainly (glibc's POSIX AIO, the control)
 * or with the binder preloaded (vlibc's).
 *
 *   powercut_writer verify FILE        prints what FILE holds
 *   powercut_writer write FILE RUN     verifies, cuts FILE after its last
 *                                      intact record, then appends records
 *                                      until killed (or a time cap)
 *   powercut_writer unsynced FILE RUN  the same, but acknowledges a record
 *                                      once its write completes, without
 *                                      aio_fsync(): the host's self-check
 *                                      that the check can fail
 *
 * FILE is an array of RECORD_SIZE-byte records, record i at offset
 * i * RECORD_SIZE: magic, i, the run that wrote it, a payload derived from
 * both, and a CRC-32 of the rest.  The writer keeps IN_FLIGHT aio_write()s
 * and one aio_fsync(O_DSYNC) in flight.  POSIX: the fsync covers every
 * request queued before it, so when it completes successfully every record
 * whose write was submitted before it is on the disk; the writer then
 * prints "powercut: acked N" (records 0..N-1 are on the disk) on the
 * console, at most every ACK_INTERVAL_MS.  The host kills the VM at a
 * random moment and checks, at the next boot, that every acknowledged
 * record is there, intact and in order.
 *
 * Every line it prints starts with "powercut: "; a line "powercut: error"
 * is a failure the host reports.
 */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_SIZE	512
#define RECORD_MAGIC	0x7663757470776f70ULL	/* "powptucv" */
#define PAYLOAD_WORDS	((RECORD_SIZE - 24) / 8)
#define IN_FLIGHT	8
#define ACK_INTERVAL_MS	20
#define WRITE_CAP_S	120	/* the host kills the VM long before */
#define VERIFY_CHUNK	2048	/* records read at once */

struct record {
	uint64_t magic;
	uint64_t seq;
	uint32_t run;
	uint64_t payload[PAYLOAD_WORDS];
	uint32_t crc;		/* CRC-32 of everything before it */
} __attribute__((packed));

_Static_assert(sizeof(struct record) == RECORD_SIZE, "record size");

static uint32_t crc_table[8][256];

/*
 * CRC-32 (IEEE 802.3, reflected 0xedb88320), as zlib computes it, eight
 * bytes a step ("slice-by-8"): the guest verifies every record at each
 * boot under software emulation.
 */
static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = crc_table[0][crc_table[t - 1][i] & 0xff] ^
					  (crc_table[t - 1][i] >> 8);
}

static uint32_t crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = 0xffffffffU, lo, hi;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= c;	/* little-endian, as x86 is */
		c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		    crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		    crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		    crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len--)
		c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffU;
}

/* The payload of record @seq of run @run: a splitmix64 stream. */
static void fill_record(struct record *r, uint64_t seq, uint32_t run)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL ^ (uint64_t)run << 40;

	r->magic = RECORD_MAGIC;
	r->seq = seq;
	r->run = run;
	for (int i = 0; i < PAYLOAD_WORDS; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->payload[i] = z ^ (z >> 31);
	}
	r->crc = crc32(r, offsetof(struct record, crc));
}

/* Why record @seq as read is not intact, or NULL when it is. */
static const char *record_fault(const struct record *r, uint64_t seq)
{
	struct record want;

	if (r->magic != RECORD_MAGIC)
		return "bad magic";
	if (r->seq != seq)
		return "out of order";
	if (r->crc != crc32(r, offsetof(struct record, crc)))
		return "bad checksum";
	fill_record(&want, seq, r->run);
	if (memcmp(&want, r, sizeof(want)))
		return "bad payload";
	return NULL;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "powercut: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write(2) per line, unbuffered: the VM may die at any moment. */
	if (write(STDOUT_FILENO, line, n) < 0)
		exit(3);
}

static void __attribute__((noreturn)) fail(const char *what, int err)
{
	say("error: %s: %s", what, strerror(err));
	exit(1);
}

/*
 * Prints the intact records at the start of @fd, as segments of the run
 * that wrote them ("segment FIRST LAST run R"), then "verified N records
 * of M" and why record N is not intact.  Returns N.
 */
static uint64_t verify(int fd)
{
	static struct record chunk[VERIFY_CHUNK];
	struct stat st;
	uint64_t seq = 0, seg_first = 0;
	uint32_t seg_run = 0;
	const char *fault = "end of file";
	ssize_t n = 0;
	int i = 0, have = 0;

	if (fstat(fd, &st))
		fail("fstat", errno);
	for (;; seq++, i++) {
		if (i == have) {
			n = pread(fd, chunk, sizeof(chunk), seq * RECORD_SIZE);
			if (n < 0)
				fail("pread", errno);
			i = 0;
			have = n / RECORD_SIZE;
			if (have == 0) {
				if (n)
					fault = "short record";
				break;
			}
		}
		fault = record_fault(&chunk[i], seq);
		if (fault)
			break;
		if (seq > seg_first && chunk[i].run != seg_run) {
			say("segment %llu %llu run %u", (unsigned long long)seg_first,
			    (unsigned long long)seq - 1, seg_run);
			seg_first = seq;
		}
		seg_run = chunk[i].run;
		fault = "end of file";
	}
	if (seq > seg_first)
		say("segment %llu %llu run %u", (unsigned long long)seg_first,
		    (unsigned long long)seq - 1, seg_run);
	say("verified %llu records, file %lld bytes, record %llu: %s",
	    (unsigned long long)seq, (long long)st.st_size,
	    (unsigned long long)seq, fault);
	return seq;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* An AIO request of the writer: a record's write or the fsync. */
struct request {
	struct aiocb cb;
	int busy;
	uint64_t seq;		/* the record written; the fsync: records covered */
	struct record rec;
};

static int submit_write(struct request *w, int fd, uint64_t seq, uint32_t run)
{
	fill_record(&w->rec, seq, run);
	memset(&w->cb, 0, sizeof(w->cb));
	w->cb.aio_fildes = fd;
	w->cb.aio_buf = &w->rec;
	w->cb.aio_nbytes = RECORD_SIZE;
	w->cb.aio_offset = (off_t)seq * RECORD_SIZE;
	w->cb.aio_sigevent.sigev_notify = SIGEV_NONE;
	w->seq = seq;
	if (aio_write(&w->cb))
		return errno;
	w->busy = 1;
	return 0;
}

/*
 * Has @r, named @what, ended?  Then its result is in @ret; a request that
 * failed ends the run.
 */
static int reaped(struct request *r, const char *what, ssize_t *ret)
{
	int err = aio_error(&r->cb);

	if (err == EINPROGRESS)
		return 0;
	*ret = aio_return(&r->cb);
	r->busy = 0;
	if (err)
		fail(what, err);
	return 1;
}

/* The lowest record of a write in @writes still in flight, else @next. */
static uint64_t first_in_flight(const struct request *writes, uint64_t next)
{
	uint64_t first = next;

	for (int i = 0; i < IN_FLIGHT; i++)
		if (writes[i].busy && writes[i].seq < first)
			first = writes[i].seq;
	return first;
}

/*
 * Appends records from @next on, run @run, until killed or WRITE_CAP_S;
 * acknowledges each fsync's coverage on the console (@synced), or each
 * completed write (not @synced: the self-check).
 */
static void append(int fd, uint64_t next, uint32_t run, int synced)
{
	struct request writes[IN_FLIGHT], sync;
	const struct aiocb *list[IN_FLIGHT + 1];
	uint64_t acked = next, printed = next;
	long start = now_ms(), last_print = 0;
	ssize_t ret;
	int i, n, err;

	memset(writes, 0, sizeof(writes));
	memset(&sync, 0, sizeof(sync));
	while (now_ms() - start < WRITE_CAP_S * 1000L) {
		for (i = 0; i < IN_FLIGHT; i++) {
			if (writes[i].busy)
				continue;
			err = submit_write(&writes[i], fd, next, run);
			if (err)
				fail("aio_write", err);
			next++;
		}
		if (synced && !sync.busy && acked < next) {
			memset(&sync.cb, 0, sizeof(sync.cb));
			sync.cb.aio_fildes = fd;
			sync.cb.aio_sigevent.sigev_notify = SIGEV_NONE;
			sync.seq = next;
			if (aio_fsync(O_DSYNC, &sync.cb))
				fail("aio_fsync", errno);
			sync.busy = 1;
		}
		n = 0;
		for (i = 0; i < IN_FLIGHT; i++)
			if (writes[i].busy)
				list[n++] = &writes[i].cb;
		if (sync.busy)
			list[n++] = &sync.cb;
		if (aio_suspend(list, n, NULL) && errno != EINTR)
			fail("aio_suspend", errno);
		for (i = 0; i < IN_FLIGHT; i++)
			if (writes[i].busy && reaped(&writes[i], "aio_write", &ret) &&
			    ret != RECORD_SIZE) {
				say("error: record %llu: short write %zd",
				    (unsigned long long)writes[i].seq, ret);
				exit(1);
			}
		if (sync.busy && reaped(&sync, "aio_fsync", &ret)) {
			if (ret)
				fail("aio_fsync returned", EIO);
			/* POSIX: every write queued before the fsync is done. */
			if (first_in_flight(writes, next) < sync.seq) {
				say("error: record %llu in progress after the fsync covering it completed",
				    (unsigned long long)first_in_flight(writes, next));
				exit(1);
			}
			acked = sync.seq;
		}
		if (!synced)
			acked = first_in_flight(writes, next);
		if (acked > printed && now_ms() - last_print >= ACK_INTERVAL_MS) {
			say("acked %llu", (unsigned long long)acked);
			printed = acked;
			last_print = now_ms();
		}
	}
	say("writer stopped at its time cap, acked %llu", (unsigned long long)acked);
}

/* Which AIO this process runs: the binder and kernel's image in its maps? */
static void say_maps(void)
{
	char line[512];
	int binder = 0, vlibc = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		fail("/proc/self/maps", errno);
	while (fgets(line, sizeof(line), f)) {
		binder |= strstr(line, "/libvlibc.so") != NULL;
		vlibc |= strstr(line, "[vlibc]") != NULL;
	}
	fclose(f);
	say("maps: binder %s, [vlibc] %s", binder ? "yes" : "no", vlibc ? "yes" : "no");
}

int main(int argc, char **argv)
{
	uint64_t good;
	int fd, synced;

	crc32_init();
	if (argc == 3 && !strcmp(argv[1], "verify")) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			fail(argv[2], errno);
		verify(fd);
		return 0;
	}
	synced = argc == 4 && !strcmp(argv[1], "write");
	if (argc != 4 || (!synced && strcmp(argv[1], "unsynced"))) {
		fprintf(stderr, "usage: %s verify FILE | write|unsynced FILE RUN\n",
			argv[0]);
		return 2;
	}
	say_maps();
	fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		fail(argv[2], errno);
	good = verify(fd);
	/* What follows the last intact record was never acknowledged. */
	if (ftruncate(fd, (off_t)good * RECORD_SIZE))
		fail("ftruncate", errno);
	if (fsync(fd))
		fail("fsync", errno);
	say("run %s appends from record %llu%s", argv[3], (unsigned long long)good,
	    synced ? "" : ", acknowledging without fsync");
	append(fd, good, (uint32_t)strtoul(argv[3], NULL, 10), synced);
	return 0;
}
