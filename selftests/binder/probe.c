// SPDX-License-Identifier: GPL-2.0
/*
 * What the binder did to this process, as seen from /proc/self/maps.
 *
 *	probe			report (see below), exit 0 if every call was sane
 *
 * Every mode first calls getrandom() VLIBC_GETRANDOM_WARMUP_CALLS times:
 * the binder serves a process's first calls of the family with glibc's
 * own functions, and binds only after them.
 *	probe loop N		call getrandom() N times first, then report
 *	probe maps		report, then /proc/<pid>/maps as "map: " lines
 *	probe serve		report, then for each line read on stdin
 *				make the bound calls again and print
 *				"calls=ok|bad" and "imagemap=" the
 *				/proc/self/maps line now holding the image's
 *				first address (its file may have been
 *				replaced or removed meanwhile); exit at EOF
 *	probe forksig		make the first bound calls while a timer's
 *				signal handler forks every 20-60 us (see
 *				fork_storm()); prints "forks=N", exit 0 if
 *				every call and every child was sane
 *
 * The report, one "key=value" per line:
 *	image=PATH|[name]|none	the vlibc image mapping: the mapping holding
 *				AT_VLIBC if the kernel gave one, else a file
 *				mapped r-x from offset 0 whose ELF SONAME is
 *				linux-vlibc.so.1
 *	private=yes|no		a rw anonymous mapping starts where it ends
 *	at_vlibc=0x...		getauxval(AT_VLIBC)
 *	secure=0|1		getauxval(AT_SECURE)
 *	NAME=vlibc|glibc|other	where a call to &NAME lands: the image or
 *				libvlibc.so, libc.so.6, or elsewhere
 *
 * &NAME is taken as the program sees it (through the GOT, so an IFUNC is
 * already resolved) and followed through "jmp *slot(%rip)" stubs, such as
 * the binder's jump slots, which the calls made before the report have
 * bound.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <pthread.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vlibc/abi.h>

#define AT_VLIBC_TYPE	60
#define SONAME		"linux-vlibc.so.1"
#define MAX_MAPS	1024

struct mapping {
	unsigned long	lo, hi, offset, inode;
	char		perms[8];
	char		name[512];
};

static struct mapping maps[MAX_MAPS];
static int n_maps;
static const struct mapping *image;

static int read_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[1024];

	if (!f)
		return -1;
	while (n_maps < MAX_MAPS && fgets(line, sizeof(line), f)) {
		struct mapping *m = &maps[n_maps];
		int name_at = 0;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %*s %lu %n", &m->lo, &m->hi,
			   m->perms, &m->offset, &m->inode, &name_at) < 5)
			continue;
		snprintf(m->name, sizeof(m->name), "%s",
			 name_at ? line + name_at : "");
		n_maps++;
	}
	fclose(f);
	return 0;
}

static int read_at(int fd, void *buf, size_t len, unsigned long off)
{
	return pread(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* File offset of address @vaddr, through the PT_LOAD holding it. */
static long vaddr_offset(const Elf64_Phdr *ph, int n, unsigned long vaddr)
{
	int i;

	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr < ph[i].p_vaddr + ph[i].p_filesz)
			return vaddr - ph[i].p_vaddr + ph[i].p_offset;
	return -1;
}

/* Does the ELF file @fd name itself @want in DT_SONAME? */
static int soname_is(int fd, const char *want)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[32];
	Elf64_Dyn dyn[256];
	unsigned long strtab = 0, soname = ~0UL;
	char name[64] = "";
	long off;
	int i, n;

	if (read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phnum > 32 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    read_at(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff))
		return 0;
	for (i = 0; i < eh.e_phnum && ph[i].p_type != PT_DYNAMIC; i++)
		;
	if (i == eh.e_phnum)
		return 0;
	n = ph[i].p_filesz / sizeof(Elf64_Dyn);
	if (n > 256)
		n = 256;
	if (read_at(fd, dyn, n * sizeof(*dyn), ph[i].p_offset))
		return 0;
	for (i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB)
			strtab = dyn[i].d_un.d_ptr;
		if (dyn[i].d_tag == DT_SONAME)
			soname = dyn[i].d_un.d_val;
	}
	off = vaddr_offset(ph, eh.e_phnum, strtab);
	if (soname == ~0UL || off < 0 ||
	    pread(fd, name, sizeof(name) - 1, off + soname) <= 0)
		return 0;
	return !strcmp(name, want);
}

static int file_soname_is(const char *path, const char *want)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return 0;
	r = soname_is(fd, want);
	close(fd);
	return r;
}

static const struct mapping *mapping_of(unsigned long addr)
{
	int i;

	for (i = 0; i < n_maps; i++)
		if (addr >= maps[i].lo && addr < maps[i].hi)
			return &maps[i];
	return NULL;
}

static const struct mapping *find_image(unsigned long at_vlibc)
{
	int i;

	if (at_vlibc)
		return mapping_of(at_vlibc);
	for (i = 0; i < n_maps; i++)
		if (maps[i].name[0] == '/' && !maps[i].offset &&
		    maps[i].perms[2] == 'x' &&
		    file_soname_is(maps[i].name, SONAME))
			return &maps[i];
	return NULL;
}

/* A rw anonymous mapping starting right where the image text ends. */
static int private_follows(void)
{
	const struct mapping *next;

	if (!image)
		return 0;
	next = mapping_of(image->hi);
	return next && next->lo == image->hi && !next->inode &&
	       !strncmp(next->perms, "rw", 2) && next->name[0] != '/';
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Follow up to 4 "jmp *disp32(%rip)" (ff 25) stubs from @fn. */
static unsigned long call_target(const void *fn)
{
	unsigned long addr = (unsigned long)fn, slot;
	const struct mapping *m;
	int32_t disp;
	int hops;

	for (hops = 0; hops < 4; hops++) {
		m = mapping_of(addr);
		if (!m || m->perms[0] != 'r' || addr + 6 > m->hi)
			break;
		if (((const unsigned char *)addr)[0] != 0xff ||
		    ((const unsigned char *)addr)[1] != 0x25)
			break;
		memcpy(&disp, (const void *)(addr + 2), sizeof(disp));
		slot = addr + 6 + disp;
		m = mapping_of(slot);
		if (!m || m->perms[0] != 'r' || slot + sizeof(long) > m->hi)
			break;
		memcpy(&addr, (const void *)slot, sizeof(addr));
	}
	return addr;
}

static const char *owner_of(const void *fn)
{
	const struct mapping *m = mapping_of(call_target(fn));

	if (!m)
		return "other";
	if (m == image || !strcmp(base_name(m->name), "libvlibc.so"))
		return "vlibc";
	if (!strcmp(base_name(m->name), "libc.so.6"))
		return "glibc";
	return "other";
}

static int fail(const char *what)
{
	fprintf(stderr, "probe: %s\n", what);
	return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int check_getrandom(void)
{
	unsigned char buf[64] = { 0 };

	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf) ||
	    all_zero(buf, sizeof(buf)))
		return fail("getrandom() did not fill 64 bytes");
	if (getrandom(buf, 16, GRND_NONBLOCK) != 16)
		return fail("getrandom(GRND_NONBLOCK) did not fill 16 bytes");
	errno = 0;
	if (getrandom(buf, 16, 0x4000) != -1 || errno != EINVAL)
		return fail("getrandom() with unknown flags is not -1/EINVAL");
	return 0;
}

static int check_arc4random(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	uint32_t first = arc4random(), seen_values = 0, i, v;
	int differ = 0;

	for (i = 0; i < 8; i++)
		differ |= arc4random() != first;
	if (!differ)
		return fail("arc4random() returned one value 9 times");
	arc4random_buf(a, sizeof(a));
	arc4random_buf(b, sizeof(b));
	if (all_zero(a, sizeof(a)) || !memcmp(a, b, sizeof(a)))
		return fail("arc4random_buf() did not fill fresh bytes");
	if (arc4random_uniform(1) != 0)
		return fail("arc4random_uniform(1) != 0");
	for (i = 0; i < 200; i++) {
		v = arc4random_uniform(7);
		if (v >= 7)
			return fail("arc4random_uniform(7) >= 7");
		seen_values |= 1u << v;
	}
	if (__builtin_popcount(seen_values) < 3)
		return fail("arc4random_uniform(7) hit fewer than 3 values in 200");
	return 0;
}

static int loop_getrandom(long n)
{
	unsigned char buf[16];

	while (n-- > 0)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return fail("getrandom() failed in the loop");
	return 0;
}

/* Past the family's warm-up: the next call binds (see the top). */
static int warm_up(void)
{
	return loop_getrandom(VLIBC_GETRANDOM_WARMUP_CALLS);
}

static int print_maps(void)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return fail("cannot open /proc/<pid>/maps");
	while (fgets(line, sizeof(line), f))
		printf("map: %s", line);
	fclose(f);
	return 0;
}

/*
 * fork_storm(): a one-shot timer, re-armed 20-60 us ahead by its own
 * SIGUSR1 handler, which forks each time.  Odd children _exit() at once
 * from the handler; even children return from it, so that the start-up
 * work the signal interrupted carries on in the child, which then makes
 * the same calls as the parent and exits with their result.  The parent
 * reaps each child in the handler.
 */
static timer_t storm_timer;
static unsigned int storm_seed;
static volatile sig_atomic_t storm_forks, storm_bad_children, storm_is_child;

static void storm_arm(void)
{
	struct itimerspec its = { 0 };

	storm_seed = storm_seed * 1103515245 + 12345;
	its.it_value.tv_nsec = 20000 + (storm_seed >> 8) % 40000;
	timer_settime(storm_timer, 0, &its, NULL);
}

static void storm_tick(int sig)
{
	int saved = errno, status;
	pid_t pid;

	if (storm_is_child)
		return;
	pid = fork();
	if (pid == 0) {
		if (storm_forks & 1)
			_exit(0);
		storm_is_child = 1;	/* carry on with the interrupted work */
		errno = saved;
		return;
	}
	if (pid > 0) {
		storm_forks++;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			storm_bad_children++;
	}
	storm_arm();
	errno = saved;
}

static int storm_calls(void)
{
	static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	unsigned char buf[16];

	if (warm_up() || getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return fail("getrandom() failed under the fork storm");
	arc4random();
	arc4random_buf(buf, sizeof(buf));
	if (pthread_mutex_lock(&mutex) || pthread_mutex_unlock(&mutex))
		return fail("pthread_mutex_lock() failed under the fork storm");
	return 0;
}

static int fork_storm(void)
{
	struct sigaction sa = { .sa_handler = storm_tick, .sa_flags = SA_RESTART };
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1,
	};
	struct itimerspec off = { 0 };
	int r;

	storm_seed = getpid();
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &sev, &storm_timer))
		return fail("cannot set up the timer");
	storm_arm();
	r = storm_calls();
	if (storm_is_child)
		_exit(r);
	timer_settime(storm_timer, 0, &off, NULL);
	signal(SIGUSR1, SIG_IGN);
	printf("forks=%d\nbad_children=%d\n", (int)storm_forks,
	       (int)storm_bad_children);
	return r || storm_bad_children;
}

/* As the program sees them: through the GOT, after IFUNC resolution. */
static void *volatile functions[] = {
	(void *)&getrandom, (void *)&arc4random,
	(void *)&arc4random_buf, (void *)&arc4random_uniform,
};
static const char *const function_names[] = {
	"getrandom", "arc4random", "arc4random_buf", "arc4random_uniform",
};

static void report(void)
{
	unsigned long at_vlibc = getauxval(AT_VLIBC_TYPE);
	unsigned int i;

	image = find_image(at_vlibc);
	printf("image=%s\n", image ? image->name : "none");
	printf("private=%s\n", private_follows() ? "yes" : "no");
	printf("at_vlibc=%#lx\n", at_vlibc);
	printf("secure=%lu\n", getauxval(AT_SECURE));
	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		printf("%s=%s\n", function_names[i], owner_of(functions[i]));
}

/* The "serve" mode: bound calls on request, in a process that stays. */
static int serve(void)
{
	unsigned long lo = image ? image->lo : 0;
	char line[256], map[1024];
	int r = 0, bad;

	while (fgets(line, sizeof(line), stdin)) {
		FILE *f = fopen("/proc/self/maps", "re");
		unsigned long a, b;

		bad = check_getrandom() | check_arc4random();
		r |= bad;
		snprintf(map, sizeof(map), "none\n");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%lx-%lx", &a, &b) == 2 && lo >= a && lo < b)
				snprintf(map, sizeof(map), "%s", line);
		if (f)
			fclose(f);
		printf("calls=%s\nimagemap=%s", bad ? "bad" : "ok", map);
		fflush(stdout);
	}
	return r;
}

int main(int argc, char **argv)
{
	int r = 0;

	if (argc == 2 && !strcmp(argv[1], "forksig"))
		return fork_storm();
	if (argc == 2 && !strcmp(argv[1], "serve")) {
		r = warm_up() | check_getrandom() | check_arc4random();
		if (read_maps())
			return fail("cannot read /proc/self/maps");
		report();
		printf("end\n");
		fflush(stdout);
		return r | serve();
	}
	if (argc == 3 && !strcmp(argv[1], "loop"))
		r |= loop_getrandom(strtol(argv[2], NULL, 0));
	else if (argc != 1 && !(argc == 2 && !strcmp(argv[1], "maps")))
		return fail("usage: probe [loop N | maps | serve | forksig]") + 1;
	r |= warm_up();
	r |= check_getrandom();
	r |= check_arc4random();
	if (read_maps())
		return fail("cannot read /proc/self/maps");
	report();
	if (argc == 2)
		r |= print_maps();
	return r;
}
