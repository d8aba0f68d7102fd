// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-stat against children with known work: exact counts (one thread,
 * many threads, more threads than counter blocks), fork and exec reset,
 * permissions, processes that are not vlibc's or not set up, a process
 * that exits while polled, -a, --json, and processes that put garbage
 * where the counters are.
 *
 * Each child is this program again (--child MODE ...): it does its work,
 * prints "ready" (and its pids), then waits for its stdin to close.
 * Under kernel delivery ([vlibc] in every process) a process without the
 * binder, or with VLIBC=off, has the image but no counters: "not set up"
 * rather than "not a vlibc process".
 */
#include <aio.h>
#include <elf.h>
#include <grp.h>
#include <poll.h>
#include <sys/random.h>
#include <pthread.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"
#include <vlibc/abi.h>

/* vlibc-stat's exit statuses (tools/vlibc/stat-read.h). */
enum {
	ST_OK, ST_ERROR, ST_USAGE, ST_NO_PROCESS, ST_NOT_VLIBC, ST_NOT_SET_UP,
	ST_PERMISSION, ST_VERSION, ST_EXITED, ST_INVALID
};

#define PAIRS		1000
#define THREADS		400	/* 8 at a time: blocks released and reused */
#define WAVE		8
#define CROWD		300	/* more than the blocks (165 with 64 KiB) */
#define OTHER_UID	(VT_NOBODY - 1)

/* --- the children ------------------------------------------------------ */

/*
 * @n lock/unlock pairs on a mutex of this thread's own: uncontended, so
 * that the counts say what the counter blocks did, not the lock.
 */
static void pairs(long n)
{
	pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	long i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&mutex);
		pthread_mutex_unlock(&mutex);
	}
}

/* Read stdin up to a newline (1) or its end (0). */
static int wait_line(void)
{
	char c;
	ssize_t n;

	while ((n = read(0, &c, 1)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && c == '\n')
			return 1;
	return 0;
}

static void wait_end(void)
{
	while (wait_line())
		;
}

static void ready(const char *extra)
{
	printf("ready%s\n", extra ? extra : "");
	fflush(stdout);
}

static pthread_mutex_t shared_mutex = PTHREAD_MUTEX_INITIALIZER;

static void *shared_thread(void *arg)
{
	long i;

	for (i = 0; i < (long)arg; i++) {
		pthread_mutex_lock(&shared_mutex);
		pthread_mutex_unlock(&shared_mutex);
	}
	return NULL;
}

/* @nr threads of @n pairs each on one mutex: contended. */
static int run_shared(long nr, long n)
{
	pthread_t t[64];
	long i;

	if (nr > 64)
		return 2;
	for (i = 0; i < nr; i++)
		if (pthread_create(&t[i], NULL, shared_thread, (void *)n))
			return 2;
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	ready(NULL);
	wait_end();
	return 0;
}

static pthread_barrier_t crowd_done, crowd_exit;
static long crowd_pairs;

static void *crowd_thread(void *arg)
{
	pairs(crowd_pairs);
	pthread_barrier_wait(&crowd_done);
	pthread_barrier_wait(&crowd_exit);
	return NULL;
}

static void *pairs_thread(void *arg)
{
	pairs((long)arg);
	return NULL;
}

/*
 * @nr threads of @n pairs each: with @alive all alive at once, else
 * WAVE at a time, each wave gone before the next starts.
 */
static int run_threads(long nr, long n, int alive)
{
	pthread_t *t = calloc(nr, sizeof(*t));
	pthread_attr_t attr;
	long i, j;

	crowd_pairs = n;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	if (alive) {
		pthread_barrier_init(&crowd_done, NULL, nr + 1);
		pthread_barrier_init(&crowd_exit, NULL, nr + 1);
	}
	for (i = 0; i < nr; i++) {
		if (pthread_create(&t[i], &attr, alive ? crowd_thread : pairs_thread,
				   (void *)n))
			return 1;
		if (!alive && (i + 1) % WAVE == 0)
			for (j = i + 1 - WAVE; j <= i; j++)
				pthread_join(t[j], NULL);
	}
	if (alive) {
		pthread_barrier_wait(&crowd_done);
		ready(NULL);
		wait_end();
		pthread_barrier_wait(&crowd_exit);
	}
	for (i = alive ? 0 : nr - nr % WAVE; i < nr; i++)
		pthread_join(t[i], NULL);
	if (!alive) {
		ready(NULL);
		wait_end();
	}
	return 0;
}

static pthread_key_t late_key;
static long late_locks;

/*
 * A key created after the binder's, whose destructor locks a mutex and
 * sets its value again: it runs in every round of glibc's destructors,
 * the last after the binder's destructor gave the thread's block back.
 */
static void late_destructor(void *value)
{
	pairs(1);
	__atomic_fetch_add(&late_locks, 1, __ATOMIC_RELAXED);
	pthread_setspecific(late_key, value);
}

static void *late_thread(void *arg)
{
	pthread_setspecific(late_key, arg);
	pairs(1);
	__atomic_fetch_add(&late_locks, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* @nr threads one after the other, each counting after its destructors. */
static int run_late_threads(long nr)
{
	char buf[32];
	pthread_t t;
	long i;

	if (pthread_key_create(&late_key, late_destructor))
		return 2;
	pairs(1);
	late_locks = 1;
	for (i = 0; i < nr; i++)
		if (pthread_create(&t, NULL, late_thread, (void *)1) || pthread_join(t, NULL))
			return 2;
	snprintf(buf, sizeof(buf), " locks=%ld", late_locks);
	ready(buf);
	wait_end();
	return 0;
}

/* Is this process's main thread a zombie yet? */
static int main_thread_zombie(void)
{
	char *stat = vt_read_file("/proc/self/stat", NULL);
	char *p = stat ? strrchr(stat, ')') : NULL;
	int yes = p && p[1] == ' ' && p[2] == 'Z';

	free(stat);
	return yes;
}

static void *orphan_thread(void *arg)
{
	int i;

	pairs((long)arg);
	for (i = 0; i < 10000 && !main_thread_zombie(); i++)
		usleep(1000);
	ready(NULL);
	wait_end();
	exit(0);
}

/* @n pairs in a thread, then the main thread exits and leaves it running. */
static int run_orphan(long n)
{
	pthread_t t;

	if (pthread_create(&t, NULL, orphan_thread, (void *)n))
		return 2;
	pthread_exit(NULL);
}

/* This process's image base and private region, from its own maps. */
static char *own_region(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	unsigned long lo, off;
	int at;

	while (f && fgets(line, sizeof(line), f)) {
		const Elf64_Ehdr *eh;
		const Elf64_Phdr *ph;
		int i;

		at = 0;
		if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %n", &lo, &off, &at) < 2 || !at ||
		    off || !vt_is_image_path(line + at))
			continue;
		eh = (const Elf64_Ehdr *)lo;
		ph = (const Elf64_Phdr *)(lo + eh->e_phoff);
		for (i = 0; i < eh->e_phnum; i++)
			if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W)) {
				fclose(f);
				return (char *)lo + ph[i].p_vaddr;
			}
	}
	if (f)
		fclose(f);
	return NULL;
}

/* Garbage where the counters are: each @kind a different lie. */
static int scribble(const char *kind)
{
	struct vlibc_hdr {
		unsigned int magic, version, header_size, nr_counters, block_size, nr_blocks;
		unsigned long long blocks_offset;
	} *h;
	char *region;
	size_t i;

	pairs(1);	/* the counters are set up */
	region = own_region();
	if (!region)
		return 2;
	h = (struct vlibc_hdr *)region;
	if (!strcmp(kind, "random")) {
		srand(getpid());
		for (i = 0; i < 4096; i++)
			region[i] = rand();
		h->magic = 0x54534c56;
		h->version = 1;
	} else if (!strcmp(kind, "version")) {
		h->version = 2;
	} else if (!strcmp(kind, "huge")) {
		h->nr_blocks = 0xffffffff;
		h->block_size = 0x80000000;
	} else if (!strcmp(kind, "offset")) {
		h->blocks_offset = ~0ULL - 8;
	} else if (!strcmp(kind, "counters")) {
		h->nr_counters = 0xfffffff0;
	} else if (!strcmp(kind, "magic")) {
		h->magic = 0xdeadbeef;
	} else if (!strcmp(kind, "why")) {
		/* families_decided, then why[1]: a terminal escape and JSON quotes. */
		*(unsigned long long *)(region + 32) |= 2;
		strcpy(region + 48 + 48, "\x1b[2J\"\\ \xff\n");
	}
	ready(NULL);
	wait_end();
	_exit(0);
}

/* A file named as the image, of garbage, mapped at offset 0. */
static int fake_image(const char *dir, const char *kind)
{
	char *path = vt_strf("%s/linux-vlibc.so.1", dir);
	unsigned char junk[8192];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = i * 7 + 3;
	if (!strcmp(kind, "elf")) {
		/* An ELF header whose program headers lie. */
		Elf64_Ehdr *eh = (Elf64_Ehdr *)junk;

		memcpy(eh->e_ident, ELFMAG, SELFMAG);
		eh->e_ident[EI_CLASS] = ELFCLASS64;
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_phentsize = sizeof(Elf64_Phdr);
		eh->e_phnum = 3;
		eh->e_phoff = 64;
		for (i = 0; i < 3; i++) {
			Elf64_Phdr *ph = (Elf64_Phdr *)(junk + 64) + i;

			ph->p_type = PT_LOAD;
			ph->p_flags = i == 2 ? PF_R | PF_W : PF_R;
			ph->p_vaddr = 0x7ffffffffffff000ULL;
			ph->p_memsz = 0x2000;
		}
	} else if (!strcmp(kind, "small")) {
		/* One byte: the page beyond the file's end faults. */
		if (vt_write_file(path, "x", 1, 0600))
			return 2;
		goto map;
	}
	if (vt_write_file(path, junk, sizeof(junk), 0600))
		return 2;
map:
	fd = open(path, O_RDONLY);
	if (fd < 0 || mmap(NULL, sizeof(junk), PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		return 2;
	ready(NULL);
	wait_end();
	return 0;
}

/* @n aio_read()s of 512 bytes of a file, each waited for and reaped. */
static int aio_reads(const char *dir, long n)
{
	char *path = vt_strf("%s/data", dir), buf[512], data[4096];
	const struct aiocb *list[1];
	struct aiocb cb;
	long i;
	int fd;

	memset(data, 'a', sizeof(data));
	if (vt_write_file(path, data, sizeof(data), 0600))
		return 2;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 2;
	for (i = 0; i < n; i++) {
		cb = (struct aiocb){ .aio_fildes = fd, .aio_buf = buf,
				     .aio_nbytes = sizeof(buf),
				     .aio_offset = (i * 512) % sizeof(data) };
		list[0] = &cb;
		if (aio_read(&cb))
			return 2;
		while (aio_error(&cb) == EINPROGRESS)
			aio_suspend(list, 1, NULL);
		if (aio_return(&cb) != sizeof(buf))
			return 2;
	}
	close(fd);
	free(path);
	ready(NULL);
	wait_end();
	return 0;
}

/* @n getrandom() calls, then @n arc4random() calls. */
static int random_calls(long n)
{
	static volatile unsigned int sum;
	unsigned char buf[16];
	long i;

	/* The warm-up: glibc's own getrandom(), not counted (no image yet). */
	for (i = 0; i < VLIBC_GETRANDOM_WARMUP_CALLS; i++)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return 2;
	for (i = 0; i < n; i++)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return 2;
	for (i = 0; i < n; i++)
		sum += arc4random();
	ready(NULL);
	wait_end();
	return 0;
}

static void *no_work(void *arg)
{
	return arg;
}

static int child_main(int argc, char **argv)
{
	const char *mode = argv[0];
	long n = argc > 1 ? atol(argv[1]) : 0, m = argc > 2 ? atol(argv[2]) : 0;
	pthread_t first;

	/*
	 * The locks family binds at the process's first thread; before it
	 * glibc's functions serve, uncounted.  One thread, started and
	 * joined first (it counts nothing), so every lock below counts.
	 */
	if (pthread_create(&first, NULL, no_work, NULL) || pthread_join(first, NULL))
		return 2;

	if (!strcmp(mode, "pairs")) {
		pairs(n);
		ready(NULL);
		wait_end();
	} else if (!strcmp(mode, "pairs-rx")) {
		/* Then @m more files mapped r-x from offset 0, below the image. */
		int fd = open("/proc/self/exe", O_RDONLY);

		pairs(n);
		for (; m > 0; m--)
			if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
					   fd, 0) == MAP_FAILED)
				return 2;
		ready(NULL);
		wait_end();
	} else if (!strcmp(mode, "threads")) {
		return run_threads(n, m, 0);
	} else if (!strcmp(mode, "crowd")) {
		return run_threads(n, m, 1);
	} else if (!strcmp(mode, "orphan")) {
		return run_orphan(n);
	} else if (!strcmp(mode, "late")) {
		return run_late_threads(n);
	} else if (!strcmp(mode, "fork")) {
		int p[2];
		pid_t pid;
		char buf[32];

		pairs(n);
		if (pipe(p))
			return 2;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			pairs(m);
			if (write(p[1], "x", 1) != 1)
				_exit(2);
			wait_end();
			_exit(0);
		}
		if (pid < 0 || read(p[0], buf, 1) != 1)
			return 2;
		snprintf(buf, sizeof(buf), " child=%d", (int)pid);
		ready(buf);
		wait_end();
		return vt_wait_child(pid, 5000);
	} else if (!strcmp(mode, "exec")) {
		char mbuf[32], *args[] = { (char *)vt_self_exe(), "--child", "pairs", mbuf, NULL };

		pairs(n);
		ready(" before");
		if (!wait_line())
			return 0;
		snprintf(mbuf, sizeof(mbuf), "%ld", m);
		execv("/proc/self/exe", args);
		return 2;
	} else if (!strcmp(mode, "shared")) {
		return run_shared(n, m);
	} else if (!strcmp(mode, "aio")) {
		return aio_reads(argv[1], m);
	} else if (!strcmp(mode, "random")) {
		return random_calls(n);
	} else if (!strcmp(mode, "scribble")) {
		return scribble(argv[1]);
	} else if (!strcmp(mode, "fake")) {
		return fake_image(argv[1], argv[2]);
	} else {
		return 2;
	}
	return 0;
}

/* --- the test's side ------------------------------------------------------ */

struct target {
	pid_t	pid;
	int	in;		/* closing it ends the child */
	int	out;
	char	line[256];	/* its "ready..." line */
};

static void target_setup_nobody(void *arg)
{
	if (setgroups(0, NULL) || setgid(VT_NOBODY) || setuid(VT_NOBODY))
		_exit(126);
}

/* The child's next line on its stdout, within 10 s; 0 or -1. */
static int target_line(struct target *t)
{
	struct pollfd p = { .fd = t->out, .events = POLLIN };
	size_t n = 0;

	while (n < sizeof(t->line) - 1) {
		if (poll(&p, 1, 10000) <= 0 || read(t->out, t->line + n, 1) != 1)
			return -1;
		if (t->line[n] == '\n')
			break;
		n++;
	}
	t->line[n] = 0;
	return 0;
}

/*
 * Start this program as --child @args: with the binder when @binder, with
 * @set ("NAME=value") in its environment; 0 once it said "ready".
 */
static int target_start(struct target *t, int binder, const char *set,
			void (*setup)(void *), char *const args[])
{
	struct vt_self s = { .binder = binder ? "libvlibc.so" : "", .set = { set } };
	char **env = vt_self_env(&s, NULL);
	char *argv[VT_SELF_ARGS + 3] = { (char *)vt_self_exe(), "--child" };
	int in[2], out[2], i;

	for (i = 0; args[i]; i++)
		argv[i + 2] = args[i];
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	fflush(NULL);
	t->pid = fork();
	if (t->pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		alarm(VT_TIMEOUT * 2);
		if (setup)
			setup(NULL);
		execve("/proc/self/exe", argv, env);
		_exit(127);
	}
	vt_env_free(env);
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	t->out = out[0];
	if (t->pid < 0)
		return -1;
	return target_line(t) || strncmp(t->line, "ready", 5) ? -1 : 0;
}

/* Close its stdin and wait: its exit status. */
static int target_stop(struct target *t)
{
	int r;

	close(t->in);
	r = vt_wait_child(t->pid, 10000);
	close(t->out);
	return r;
}

/* The value after "@key": in @json (after "@object": when given), or -1. */
static long long json_value(const char *json, const char *object, const char *key)
{
	char *k;
	const char *p = json;

	if (object) {
		k = vt_strf("\"%s\":{", object);
		p = strstr(json, k);
		free(k);
		if (!p)
			return -1;
	}
	k = vt_strf("\"%s\":", key);
	p = strstr(p, k);
	if (p)
		p += strlen(k);
	free(k);
	return p && *p >= '0' && *p <= '9' ? strtoll(p, NULL, 10) : -1;
}

static void reader_setup_other(void *arg)
{
	if (setgroups(0, NULL) || setgid(OTHER_UID) || setuid(OTHER_UID))
		_exit(126);
}

/* Run vlibc-stat ARGS... (NULL-terminated), as another user with @setup. */
static void stat_run(struct vt_result *r, void (*setup)(void *), ...)
{
	char *argv[12] = { vt_build_path("vlibc-stat") };
	struct vt_spawn sp = { .argv = argv, .child_setup = setup };
	va_list ap;
	int i = 1;

	va_start(ap, setup);
	while (i < 11 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	vt_spawn_run(&sp, r);
	if (r->status)
		fprintf(stderr, "# vlibc-stat: status %d: %s", r->status, r->err);
	free(argv[0]);
}

/* vlibc-stat --json @pid: its "counters" member @name, or -1. */
static long long counter_of(pid_t pid, const char *name)
{
	char buf[32];
	struct vt_result r;
	long long v;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	stat_run(&r, NULL, "--json", buf, NULL);
	v = r.status ? -1 : json_value(r.out, "counters", name);
	vt_result_free(&r);
	return v;
}

/* Status of vlibc-stat @pid (and its stderr on one line: no crash). */
static int stat_status(pid_t pid, void (*setup)(void *), char *err, size_t size)
{
	char buf[32];
	struct vt_result r;
	int status;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	stat_run(&r, setup, buf, NULL);
	status = r.status;
	snprintf(err, size, "%s", r.err);
	vt_result_free(&r);
	return status;
}

/* The kernel maps the image into every process: [vlibc] in ours. */
static int kernel_delivery(void)
{
	char *maps = vt_read_file("/proc/self/maps", NULL);
	int yes = maps && strstr(maps, "[vlibc]");

	free(maps);
	return yes;
}

/* Does python3 accept @json? 1, 0, or -1 without python3. */
static int python_json_ok(const char *json, int lines)
{
	char *dir = vt_mkdtemp(NULL), *file = vt_strf("%s/x.json", dir);
	char *argv[] = { "/usr/bin/python3", "-c",
		lines ? "import json,sys\nfor l in open(sys.argv[1]): json.loads(l)" :
			"import json,sys\njson.load(open(sys.argv[1]))", file, NULL };
	struct vt_result r;
	int ok = -1;

	if (!access(argv[0], X_OK) && !vt_write_file(file, json, strlen(json), 0600)) {
		vt_run(&r, argv, NULL);
		ok = r.status == 0;
		if (!ok)
			fprintf(stderr, "# python3: %s", r.err);
		vt_result_free(&r);
	}
	vt_rm_rf(dir);
	free(file);
	free(dir);
	return ok;
}

#define ARGS(...)	((char *const[]){ __VA_ARGS__, NULL })

TEST(exact_one_thread)
{
	static const char *const counts[] = { "1", "1000", "100000" };
	struct target t;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		long n = atol(counts[i]);

		ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", (char *)counts[i])));
		EXPECT_EQ(n, counter_of(t.pid, "mutex_lock"));
		EXPECT_EQ(n, counter_of(t.pid, "mutex_unlock"));
		EXPECT_EQ(0, counter_of(t.pid, "mutex_trylock"));
		EXPECT_EQ(0, target_stop(&t));
	}
}

/* vlibc-stat --json @pid's output (malloc'd), or NULL. */
static char *json_of(pid_t pid)
{
	struct vt_result r;
	char buf[32], *out;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	stat_run(&r, NULL, "--json", buf, NULL);
	out = r.status ? NULL : vt_strf("%s", r.out);
	vt_result_free(&r);
	return out;
}

static int family_bound(const char *json, const char *family)
{
	char *want = vt_strf("\"%s\":{\"decided\":true,\"bound\":true", family);
	int yes = !!strstr(json, want);

	free(want);
	return yes;
}

/*
 * M aio_read()s, each completed and reaped.  Skipped where the family is
 * on glibc, or where this image does not count AIO yet (all zero).
 */
TEST(exact_aio_reads)
{
	char *dir = vt_mkdtemp(NULL), *json;
	struct target t;

	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("aio", dir, "300")));
	json = json_of(t.pid);
	EXPECT_EQ(0, target_stop(&t));
	vt_rm_rf(dir);
	free(dir);
	ASSERT_NE(NULL, json);
	if (!family_bound(json, "aio") || !json_value(json, "counters", "aio_read")) {
		const char *why = family_bound(json, "aio") ?
				  "aio bound but not counted by this image" : "aio on glibc";

		free(json);
		SKIP(return, "%s", why);
	}
	EXPECT_EQ(300, json_value(json, "counters", "aio_read"));
	EXPECT_EQ(300, json_value(json, "counters", "aio_submitted"));
	EXPECT_EQ(300, json_value(json, "counters", "aio_completed"));
	EXPECT_EQ(300, json_value(json, "counters", "aio_return"));
	EXPECT_EQ(0, json_value(json, "gauges", "aio_in_flight"));
	free(json);
}

/*
 * K getrandom() and K arc4random() calls after the family's warm-up (whose
 * calls glibc serves, uncounted); skipped as exact_aio_reads.
 */
TEST(exact_random_calls)
{
	struct target t;
	char *json;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("random", "250")));
	json = json_of(t.pid);
	EXPECT_EQ(0, target_stop(&t));
	ASSERT_NE(NULL, json);
	/*
	 * Where the system libc binds the family (libc mode), the binder
	 * leaves it alone: each getrandom() and arc4random() of the target
	 * (VLIBC_GETRANDOM_WARMUP_CALLS + 2 * 250) is one request to the
	 * image's getrandom, but for libc's own warm-up (64 calls).
	 */
	if (vt_libc_binds(VT_FAMILY_getrandom)) {
		EXPECT_LE(VLIBC_GETRANDOM_WARMUP_CALLS + 2 * 250 - 64,
			  json_value(json, "counters", "getrandom"));
		EXPECT_GE(VLIBC_GETRANDOM_WARMUP_CALLS + 2 * 250,
			  json_value(json, "counters", "getrandom"));
		free(json);
		return;
	}
	if (!family_bound(json, "getrandom") || !json_value(json, "counters", "getrandom")) {
		const char *why = family_bound(json, "getrandom") ?
				  "getrandom bound but not counted by this image" :
				  "getrandom on glibc";

		free(json);
		SKIP(return, "%s", why);
	}
	EXPECT_EQ(250, json_value(json, "counters", "getrandom"));
	EXPECT_EQ(250, json_value(json, "counters", "arc4random"));
	EXPECT_LE(250, json_value(json, "counters", "getrandom_vdso") +
		  json_value(json, "counters", "getrandom_syscall"));
	free(json);
}

/*
 * Threads on one mutex: every lock counted, the contended ones too.
 * Skipped where this image counts no contention (mutex_contended 0).
 */
TEST(exact_contended)
{
	struct target t;
	char *json;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("shared", "8", "50000")));
	json = json_of(t.pid);
	EXPECT_EQ(0, target_stop(&t));
	ASSERT_NE(NULL, json);
	fprintf(stderr, "# %lld contended\n", json_value(json, "counters", "mutex_contended"));
	if (json_value(json, "counters", "mutex_contended") <= 0) {
		free(json);
		SKIP(return, "no contention counted");
	}
	EXPECT_EQ(400000, json_value(json, "counters", "mutex_lock"));
	EXPECT_EQ(400000, json_value(json, "counters", "mutex_unlock"));
	free(json);
}

/* More threads than blocks, but gone: blocks released and reused. */
TEST(exact_threads_exited)
{
	char nr[16], n[16], pid[16];
	struct target t;
	struct vt_result r;

	snprintf(nr, sizeof(nr), "%d", THREADS);
	snprintf(n, sizeof(n), "%d", PAIRS);
	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("threads", nr, n)));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, "--json", pid, NULL);
	ASSERT_EQ(0, r.status);
	EXPECT_LT(json_value(r.out, NULL, "blocks"), THREADS);
	EXPECT_EQ(0, json_value(r.out, NULL, "blocks_owned"));
	EXPECT_EQ((long long)THREADS * PAIRS, json_value(r.out, "counters", "mutex_lock"));
	EXPECT_EQ((long long)THREADS * PAIRS, json_value(r.out, "counters", "mutex_unlock"));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

/* More threads alive than blocks: the rest count into block 0. */
TEST(exact_more_threads_than_blocks)
{
	char nr[16], n[16], pid[16];
	struct target t;
	struct vt_result r;
	long long blocks, owned;

	snprintf(nr, sizeof(nr), "%d", CROWD);
	snprintf(n, sizeof(n), "%d", PAIRS);
	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("crowd", nr, n)));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, "--json", pid, NULL);
	ASSERT_EQ(0, r.status);
	blocks = json_value(r.out, NULL, "blocks");
	owned = json_value(r.out, NULL, "blocks_owned");
	fprintf(stderr, "# %d threads, %lld blocks, %lld owned\n", CROWD, blocks, owned);
	EXPECT_LT(blocks, CROWD);
	EXPECT_EQ(blocks - 1, owned);
	EXPECT_EQ((long long)CROWD * PAIRS, json_value(r.out, "counters", "mutex_lock"));
	EXPECT_EQ((long long)CROWD * PAIRS, json_value(r.out, "counters", "mutex_unlock"));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

/*
 * A process whose main thread has exited (pthread_exit()) is alive, and
 * read through another of its threads: a zombie main thread has no maps.
 */
TEST(main_thread_exited)
{
	struct target t;
	char err[512];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("orphan", "1000")));
	EXPECT_EQ(1000, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(ST_OK, stat_status(t.pid, NULL, err, sizeof(err)));
	EXPECT_EQ(0, target_stop(&t));
}

/*
 * Threads that count after glibc's last round of key destructors (the
 * binder's gave their block back): the block each claims again is not
 * kept owned for the process's life, it is the next thread's at that
 * thread pointer.  Only the main thread's and the last one's stay owned.
 */
TEST(count_after_destructors)
{
	char nr[16], pid[16];
	struct vt_result r;
	struct target t;
	long locks = 0;

	snprintf(nr, sizeof(nr), "%d", THREADS);
	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("late", nr)));
	ASSERT_EQ(1, sscanf(t.line, "ready locks=%ld", &locks));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, "--json", pid, NULL);
	ASSERT_EQ(0, r.status);
	fprintf(stderr, "# %d threads, %lld blocks owned\n", THREADS,
		json_value(r.out, NULL, "blocks_owned"));
	EXPECT_LE(json_value(r.out, NULL, "blocks_owned"), 2);
	EXPECT_EQ(locks, json_value(r.out, "counters", "mutex_lock"));
	EXPECT_EQ(locks, json_value(r.out, "counters", "mutex_unlock"));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

/*
 * An image mapped from a file of another name (VLIBC_IMAGE, as vlibc-ab
 * compares two builds of tools/libc/) is found and read exactly.
 */
TEST(image_of_another_name)
{
	char dir[] = "/tmp/vlibc-stat-image-XXXXXX", *image, *copy, *set;
	struct target t;

	if (kernel_delivery())
		SKIP(return, "[vlibc] is used under kernel delivery, not VLIBC_IMAGE");
	ASSERT_NE(NULL, mkdtemp(dir));
	image = vt_build_path("linux-vlibc.so.1");
	copy = vt_strf("%s/before.so", dir);
	set = vt_strf("VLIBC_IMAGE=%s", copy);
	ASSERT_EQ(0, vt_copy_file(image, copy, 0755));
	ASSERT_EQ(0, target_start(&t, 1, set, NULL, ARGS("pairs", "777")));
	EXPECT_EQ(777, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(777, counter_of(t.pid, "mutex_unlock"));
	EXPECT_EQ(0, target_stop(&t));
	/* Among many other files mapped r-x from offset 0, mapped after it. */
	ASSERT_EQ(0, target_start(&t, 1, set, NULL, ARGS("pairs-rx", "555", "100")));
	EXPECT_EQ(555, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(0, target_stop(&t));
	unlink(copy);
	rmdir(dir);
	free(image);
	free(copy);
	free(set);
}

TEST(fork_child_starts_at_zero)
{
	struct target t;
	pid_t child;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("fork", "700", "33")));
	child = atoi(strstr(t.line, "child=") + 6);
	ASSERT_GT(child, 0);
	EXPECT_EQ(700, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(33, counter_of(child, "mutex_lock"));
	EXPECT_EQ(33, counter_of(child, "mutex_unlock"));
	EXPECT_EQ(700, counter_of(t.pid, "mutex_unlock"));
	EXPECT_EQ(0, target_stop(&t));
}

/*
 * A fork child handler that runs before the binder's set the image up
 * again (atfork_helper.so, preloaded after the binder) counts into the
 * child's block 0: those counts are the child's too.
 */
TEST(fork_counts_before_set_up)
{
	char *helper = vt_build_path("selftests/stat/atfork_helper.so");
	char *binder = vt_build_path("libvlibc.so");
	char *preload = vt_strf("LD_PRELOAD=%s %s", binder, helper);
	struct target t;
	pid_t child;

	ASSERT_EQ(0, target_start(&t, 0, preload, NULL, ARGS("fork", "700", "33")));
	child = atoi(strstr(t.line, "child=") + 6);
	ASSERT_GT(child, 0);
	EXPECT_EQ(700, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(33 + 5, counter_of(child, "mutex_lock"));
	EXPECT_EQ(33 + 5, counter_of(child, "mutex_unlock"));
	EXPECT_EQ(0, target_stop(&t));
	free(preload);
	free(binder);
	free(helper);
}

TEST(exec_starts_at_zero)
{
	struct target t;
	pid_t pid;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("exec", "500", "21")));
	pid = t.pid;
	EXPECT_EQ(500, counter_of(pid, "mutex_lock"));
	ASSERT_EQ(1, write(t.in, "\n", 1));
	ASSERT_EQ(0, target_line(&t));
	ASSERT_STREQ("ready", t.line);
	EXPECT_EQ(21, counter_of(pid, "mutex_lock"));
	EXPECT_EQ(21, counter_of(pid, "mutex_unlock"));
	EXPECT_EQ(0, target_stop(&t));
}

TEST(permission_denied)
{
	struct target t;
	char err[1024];

	if (geteuid())
		SKIP(return, "needs root to run the target as nobody");
	ASSERT_EQ(0, target_start(&t, 1, NULL, target_setup_nobody, ARGS("pairs", "10")));
	EXPECT_EQ(ST_PERMISSION, stat_status(t.pid, reader_setup_other, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "permission denied"));
	EXPECT_NE(NULL, strstr(err, "CAP_SYS_PTRACE"));
	/* Root may: CAP_SYS_PTRACE. */
	EXPECT_EQ(10, counter_of(t.pid, "mutex_lock"));
	EXPECT_EQ(0, target_stop(&t));
}

TEST(not_vlibc)
{
	struct target t;
	char err[1024];
	int want = kernel_delivery() ? ST_NOT_SET_UP : ST_NOT_VLIBC;

	ASSERT_EQ(0, target_start(&t, 0, NULL, NULL, ARGS("pairs", "10")));
	EXPECT_EQ(want, stat_status(t.pid, NULL, err, sizeof(err)));
	EXPECT_EQ(0, target_stop(&t));
}

/* With VLIBC=off the binder maps no image file: not a vlibc process. */
TEST(vlibc_off)
{
	struct target t;
	char err[1024];
	int want = kernel_delivery() ? ST_NOT_SET_UP : ST_NOT_VLIBC;

	ASSERT_EQ(0, target_start(&t, 1, "VLIBC=off", NULL, ARGS("pairs", "10")));
	EXPECT_EQ(want, stat_status(t.pid, NULL, err, sizeof(err)));
	EXPECT_EQ(0, target_stop(&t));
}

TEST(no_such_process)
{
	char err[1024];
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, vt_wait_child(pid, 5000));
	EXPECT_EQ(ST_NO_PROCESS, stat_status(pid, NULL, err, sizeof(err)));
}

/* @who's output @text, each line as a TAP comment (kept by every runner). */
static void said(const char *who, const char *text)
{
	const char *p = text ? text : "";

	fprintf(stderr, "# %s said:\n", who);
	while (*p) {
		int len = strcspn(p, "\n");

		fprintf(stderr, "#   %.*s\n", len, p);
		p += len + (p[len] == '\n');
	}
}

/*
 * vlibc-stat -i 0.1 @pid in the background, with --json when @json: its
 * output and its stderr into @out.
 */
static pid_t poll_start(pid_t pid, int out, int json)
{
	char spid[16], *argv[] = { vt_build_path("vlibc-stat"), "-i", "0.1", spid, NULL, NULL };
	pid_t reader;

	snprintf(spid, sizeof(spid), "%d", (int)pid);
	if (json) {
		argv[3] = "--json";
		argv[4] = spid;
	}
	fflush(NULL);
	reader = fork();
	if (reader == 0) {
		dup2(out, 1);
		dup2(out, 2);
		alarm(VT_TIMEOUT);
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv[0]);
	return reader;
}

/*
 * The first line of @text that holds every string of @want (NULL-ended),
 * after the first line holding @first (NULL: from the start); or NULL.
 */
static const char *line_with(const char *text, const char *first,
			     const char *const want[])
{
	const char *line, *found = NULL;
	int seen = !first;

	for (line = text; !found && *line; ) {
		size_t len = strcspn(line, "\n");
		char *copy = vt_nonnull(strndup(line, len));
		int i;

		if (seen) {
			for (i = 0; want[i] && strstr(copy, want[i]); i++)
				;
			if (!want[i])
				found = line;
		}
		seen = seen || strstr(copy, first);
		free(copy);
		line += len + (line[len] == '\n');
	}
	return found;
}

/*
 * Wait, at most 10 s, until the poller's output in @out has a line that
 * line_with() finds: 1, or 0.  A poller's readings come when they come
 * (emulated or loaded, as in the QEMU suite, its start, an exec and a
 * first thread take a while): a test waits for the reading it needs,
 * never for a fixed time.
 */
static int poll_output_has(int out, const char *first, const char *const want[])
{
	double end = vt_now_ms() + 10000;
	char *text;
	int found;

	for (;;) {
		text = vt_read_fd(out, NULL);
		found = !!line_with(text, first, want);
		free(text);
		if (found || vt_now_ms() > end)
			return found;
		vt_sleep_ms(20);
	}
}

#define WANT(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* The process exits after the poller's first reading: it says so, exits 0. */
TEST(exits_while_polled)
{
	static const char totals[] = "total  mutex_lock 42  mutex_unlock 42";
	int out = memfd_create("stat-out", MFD_CLOEXEC);
	struct target t;
	pid_t reader;
	char *text;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", "42")));
	reader = poll_start(t.pid, out, 0);
	EXPECT_EQ(1, poll_output_has(out, NULL, WANT(totals)));
	EXPECT_EQ(0, target_stop(&t));
	EXPECT_EQ(0, vt_wait_child(reader, 5000));
	text = vt_read_fd(out, NULL);
	EXPECT_NE(NULL, line_with(text, totals, WANT("exited")));
	if (_metadata->exit_code)
		said("vlibc-stat -i", text);
	free(text);
	close(out);
}

/*
 * An exec under -i: the new program's counters, then its exit.  The text
 * gives totals once, at the first reading after the exec, which may come
 * before the new program's locks ("total  (all zero)", then the 21 as a
 * rate): it must give the old program's totals and new ones after them.
 * JSON gives the totals on every line: the new program's exact counts.
 */
TEST(polled_across_exec)
{
	static const char old_text[] = "total  mutex_lock 500  mutex_unlock 500";
	static const char old_json[] = "\"mutex_lock\":500,";
	static const char *const who[] = { "vlibc-stat -i", "vlibc-stat -i --json" };
	int out[2], i;
	struct target t;
	pid_t reader[2];
	char *text[2];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("exec", "500", "21")));
	for (i = 0; i < 2; i++) {
		out[i] = memfd_create("stat-out", MFD_CLOEXEC);
		reader[i] = poll_start(t.pid, out[i], i);
	}
	/* Each has read the old program before it execs. */
	EXPECT_EQ(1, poll_output_has(out[0], NULL, WANT(old_text)));
	EXPECT_EQ(1, poll_output_has(out[1], NULL, WANT(old_json)));
	ASSERT_EQ(1, write(t.in, "\n", 1));
	/* The new program's "ready": its 21 locks and unlocks are done. */
	ASSERT_EQ(0, target_line(&t));
	EXPECT_EQ(1, poll_output_has(out[0], old_text, WANT("    total")));
	EXPECT_EQ(1, poll_output_has(out[1], old_json,
				     WANT("\"mutex_lock\":21,", "\"mutex_unlock\":21,")));
	EXPECT_EQ(0, target_stop(&t));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, vt_wait_child(reader[i], 5000));
		text[i] = vt_read_fd(out[i], NULL);
		EXPECT_NE(NULL, strstr(text[i], "exited"));
	}
	for (i = 0; i < 2 && _metadata->exit_code; i++)
		said(who[i], text[i]);
	for (i = 0; i < 2; i++) {
		free(text[i]);
		close(out[i]);
	}
}

TEST(interval_json_lines)
{
	struct target t;
	struct vt_result r;
	char pid[16];
	const char *p;
	int lines = 0;

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", "5")));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, "--json", "-i", "0.05", "-c", "3", pid, NULL);
	EXPECT_EQ(0, r.status);
	for (p = r.out; (p = strchr(p, '\n')); p++)
		lines++;
	EXPECT_EQ(3, lines);
	EXPECT_EQ(5, json_value(r.out, "counters", "mutex_lock"));
	EXPECT_NE(0, python_json_ok(r.out, 1));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

TEST(all_processes)
{
	struct target t;
	struct vt_result r;
	char want[64];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", "77")));
	stat_run(&r, NULL, "-a", NULL);
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want), "\n%8d  ", (int)t.pid);
	EXPECT_NE(NULL, strstr(r.out, want));
	/* Calls: 77 locks and 77 unlocks. */
	if (strstr(r.out, want))
		EXPECT_EQ(0, strncmp(strchr(strstr(r.out, want) + 1, '\n') - 4, " 154", 4));
	vt_result_free(&r);
	stat_run(&r, NULL, "-a", "--json", NULL);
	EXPECT_EQ(0, r.status);
	snprintf(want, sizeof(want), "{\"pid\":%d,", (int)t.pid);
	EXPECT_NE(NULL, strstr(r.out, want));
	EXPECT_NE(0, python_json_ok(r.out, 0));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

TEST(json_parses)
{
	struct target t;
	struct vt_result r;
	char pid[16];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", "3")));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, "--json", pid, NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(0, python_json_ok(r.out, 0));
	EXPECT_NE(NULL, strstr(r.out, "\"locks\":{\"decided\":true,\"bound\":true"));
	/* Every counter, zeros too. */
	EXPECT_EQ(0, json_value(r.out, "counters", "aio_read"));
	EXPECT_EQ(1, json_value(r.out, NULL, "version"));
	EXPECT_NE(NULL, strstr(r.out, kernel_delivery() ? "\"image\":\"kernel\"" :
						       "\"image\":\"file\""));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

/* Garbage in the private region: a clear status, never a signal. */
TEST(hostile_region)
{
	static const struct { const char *kind; int status; } cases[] = {
		{ "random", ST_INVALID }, { "version", ST_VERSION }, { "huge", ST_INVALID },
		{ "offset", ST_INVALID }, { "counters", ST_INVALID }, { "magic", ST_INVALID },
	};
	struct target t;
	char err[1024];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, target_start(&t, 1, NULL, NULL,
					  ARGS("scribble", (char *)cases[i].kind)));
		EXPECT_EQ(cases[i].status, stat_status(t.pid, NULL, err, sizeof(err)));
		EXPECT_EQ(err + strlen(err) - 1, strchr(err, '\n'));	/* one line */
		fprintf(stderr, "# %s: %s", cases[i].kind, err);
		EXPECT_EQ(0, target_stop(&t));
	}
}

/* Bytes a process chose, printed: no control characters, valid JSON. */
TEST(hostile_why)
{
	struct target t;
	struct vt_result r;
	char pid[16];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("scribble", "why")));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, NULL, pid, NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(NULL, strchr(r.out, '\x1b'));
	EXPECT_NE(NULL, strstr(r.out, "aio=glibc(?[2J"));
	vt_result_free(&r);
	stat_run(&r, NULL, "--json", pid, NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(0, python_json_ok(r.out, 0));
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

/* A file named as the image but not one. */
TEST(hostile_file)
{
	static const char *const kinds[] = { "junk", "elf", "small" };
	char *dir = vt_mkdtemp(NULL), err[1024];
	struct target t;
	unsigned int i;

	ASSERT_NE(NULL, dir);
	for (i = 0; i < 3; i++) {
		int want = kernel_delivery() ? ST_NOT_SET_UP : ST_INVALID;

		ASSERT_EQ(0, target_start(&t, 0, NULL, NULL,
					  ARGS("fake", dir, (char *)kinds[i])));
		EXPECT_EQ(want, stat_status(t.pid, NULL, err, sizeof(err)));
		fprintf(stderr, "# %s: %s", kinds[i], err);
		EXPECT_EQ(0, target_stop(&t));
	}
	vt_rm_rf(dir);
	free(dir);
}

/* The document's counter table: every counter, at its index, in order. */
TEST(doc_lists_the_counters)
{
	static const struct { const char *family, *name; } counters[] = {
#define VLIBC_STAT(family, name, what) { #family, #name },
#include <vlibc/stat-counters.h>
#undef VLIBC_STAT
	};
	const char *src = getenv("VLIBC_SRC");
	char *path = vt_strf("%s/Documentation/userspace-api/vlibc-stat.rst", src ? src : ".");
	char *doc = vt_read_file(path, NULL), *row;
	unsigned int i;

	free(path);
	if (!doc)
		SKIP(return, "no Documentation/ here");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		row = vt_strf("\n%-5u  %-9s  ``%s``", i, counters[i].family, counters[i].name);
		if (!strstr(doc, row))
			fprintf(stderr, "# vlibc-stat.rst has no row '%s'\n", row + 1);
		EXPECT_NE(NULL, strstr(doc, row));
		free(row);
	}
	free(doc);
}

static void stdout_full(void *arg)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(126);
}

/* Output that cannot be written is an error (1), not a silent success. */
TEST(write_error)
{
	struct vt_result r;
	struct target t;
	char pid[16];

	ASSERT_EQ(0, target_start(&t, 1, NULL, NULL, ARGS("pairs", "10")));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	stat_run(&r, stdout_full, pid, NULL);
	EXPECT_EQ(ST_ERROR, r.status);
	EXPECT_NE(NULL, strstr(r.err, "write error")) TH_LOG("%s", r.err);
	vt_result_free(&r);
	stat_run(&r, stdout_full, "--json", "-i", "0.01", "-c", "3", pid, NULL);
	EXPECT_EQ(ST_ERROR, r.status);
	vt_result_free(&r);
	stat_run(&r, stdout_full, "-a", NULL);
	EXPECT_EQ(ST_ERROR, r.status);
	vt_result_free(&r);
	EXPECT_EQ(0, target_stop(&t));
}

TEST(usage)
{
	struct vt_result r;

	stat_run(&r, NULL, NULL);
	EXPECT_EQ(ST_USAGE, r.status);
	vt_result_free(&r);
	stat_run(&r, NULL, "12x", NULL);
	EXPECT_EQ(ST_USAGE, r.status);
	vt_result_free(&r);
	stat_run(&r, NULL, "--help", NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "Exit status"));
	vt_result_free(&r);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--child"))
		return child_main(argc - 2, argv + 2);
	return test_harness_run(argc, argv);
}
