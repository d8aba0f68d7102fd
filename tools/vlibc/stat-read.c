// SPDX-License-Identifier: GPL-2.0
/*
 * Reading another process's vlibc counters (see stat-read.h): its maps,
 * then its memory with process_vm_readv(2), every field checked before
 * it is used.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <vlibc/abi.h>
#include "stat-read.h"

/* Image mappings looked at per process: [vlibc] and a few files. */
#define MAX_CANDIDATES	8
/* Program headers allowed: as the image layout's check. */
#define MAX_PHNUM	16

const struct stat_counter_info stat_counters[VLIBC_STAT_COUNTERS] = {
#define VLIBC_STAT(family, name, what) { #family, #name, what },
#include <vlibc/stat-counters.h>
#undef VLIBC_STAT
};

const char *const stat_families[VLIBC_STAT_FAMILIES] = {
#define VLIBC_FAMILY(name, binder) #name,
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
};

int stat_counter_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < VLIBC_STAT_COUNTERS; i++)
		if (!strcmp(stat_counters[i].name, name))
			return i;
	return -1;
}

int stat_counter_is_call(unsigned int i)
{
	return i < VLIBC_STAT_COUNTERS && strstr(stat_counters[i].what, "calls") &&
	       !strstr(stat_counters[i].what, "system calls");
}

static __attribute__((format(printf, 4, 5)))
int fail(int status, char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return status;
}

/* kernel.yama.ptrace_scope, or 0 without Yama. */
static int ptrace_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int scope = 0;

	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = 0;
		fclose(f);
	}
	return scope;
}

static int no_access(pid_t pid, char *msg, size_t size)
{
	int scope = ptrace_scope();

	return fail(STAT_READ_PERMISSION, msg, size,
		    "process %d: permission denied: reading its memory needs ptrace access "
		    "(the same user, or CAP_SYS_PTRACE)%s", (int)pid,
		    scope == 1 ? "; kernel.yama.ptrace_scope is 1: a process that is "
				 "not a descendant needs CAP_SYS_PTRACE" :
		    scope >= 2 ? "; kernel.yama.ptrace_scope is 2 or more: only "
				 "CAP_SYS_PTRACE (or nothing, at 3) may" : "");
}

/* Is @pid gone, or a zombie (it has no memory any more)? */
static int process_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ESRCH;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * The thread to read @pid through: @pid, or when its main thread has
 * exited (pthread_exit()) and left others running, one of those: a zombie
 * main thread has no maps or memory, its process still has.
 */
static pid_t live_thread(pid_t pid)
{
	char path[64], *end;
	struct dirent *e;
	pid_t tid = pid;
	DIR *d;

	if (!process_gone(pid))
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		long n = strtol(e->d_name, &end, 10);

		if (!*end && n > 0 && n != pid && !process_gone(n)) {
			tid = n;
			break;
		}
	}
	if (d)
		closedir(d);
	return tid;
}

/* Exactly @len bytes at @addr in @t's process, or a status. */
static int peek(const struct stat_target *t, unsigned long addr, void *buf, size_t len,
		const char *what, char *msg, size_t size)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t n = process_vm_readv(t->tid, &local, 1, &remote, 1, 0);
	pid_t pid = t->pid;

	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM)
		return no_access(pid, msg, size);
	if ((n < 0 && errno == ESRCH) || process_gone(t->tid))
		return fail(STAT_READ_EXITED, msg, size,
			    "process %d exited while being read", (int)pid);
	if (n < 0 && errno == ENOMEM)
		return fail(STAT_READ_ERROR, msg, size, "out of memory");
	return fail(STAT_READ_INVALID, msg, size,
		    "process %d: cannot read %s at 0x%lx (%zu bytes): %s", (int)pid,
		    what, addr, len, n < 0 ? strerror(errno) : "short read");
}

/*
 * The image's ELF and program headers at @base: where its private region
 * (the one PT_LOAD with PF_W) is.  @avail bytes are mapped at @base.
 */
static int check_image(struct stat_target *t, unsigned long avail,
		       char *msg, size_t size)
{
	union {
		Elf64_Ehdr eh;
		unsigned char raw[VLIBC_PAGE_SIZE];
	} buf;
	const Elf64_Ehdr *eh = &buf.eh;
	const Elf64_Phdr *priv = NULL;
	size_t len = avail < sizeof(buf) ? avail : sizeof(buf);
	unsigned int i;
	int r;

	if (len < sizeof(*eh))
		return fail(STAT_READ_INVALID, msg, size,
			    "process %d: image mapping at 0x%lx is too small", (int)t->pid,
			    t->base);
	r = peek(t, t->base, buf.raw, len, "the image's headers", msg, size);
	if (r)
		return r;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh->e_phnum || eh->e_phnum > MAX_PHNUM || eh->e_phoff > len ||
	    eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff || eh->e_phoff % 8)
		return fail(STAT_READ_INVALID, msg, size,
			    "process %d: the mapping at 0x%lx is not a vlibc image "
			    "(bad ELF header)", (int)t->pid, t->base);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)(buf.raw + eh->e_phoff) + i;

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W))
			continue;
		if (priv)
			return fail(STAT_READ_INVALID, msg, size,
				    "process %d: image has two writable PT_LOADs", (int)t->pid);
		priv = p;
	}
	/* The private region has no file contents: a library's data has. */
	if (!priv || priv->p_filesz || priv->p_vaddr % 8 ||
	    priv->p_memsz < sizeof(struct vlibc_stat_header) ||
	    priv->p_vaddr > VLIBC_IMAGE_MAX_SPAN ||
	    priv->p_memsz > VLIBC_IMAGE_MAX_SPAN - priv->p_vaddr ||
	    t->base + priv->p_vaddr < t->base)
		return fail(STAT_READ_INVALID, msg, size,
			    "process %d: image has no usable private region "
			    "(writable PT_LOAD)", (int)t->pid);
	t->region = t->base + priv->p_vaddr;
	t->region_size = priv->p_memsz;
	return 0;
}

/* Does the maps line's path name an image: "[vlibc]", or the file? */
static int image_path(const char *path, int *kernel)
{
	static const char deleted[] = " (deleted)";
	size_t n = strlen(path), dn = sizeof(deleted) - 1, sn = strlen(VLIBC_SONAME);

	*kernel = !strcmp(path, "[vlibc]");
	if (*kernel)
		return 1;
	if (n > dn && !strcmp(path + n - dn, deleted))
		n -= dn;
	return n > sn && path[n - sn - 1] == '/' && !strncmp(path + n - sn, VLIBC_SONAME, sn);
}

struct candidate {
	unsigned long	base, avail;
	int		kernel;
	int		unnamed;	/* any r-x file: not an image is no error */
};

/*
 * The image mappings of @pid: [vlibc] first, then files of the image's
 * name by address; without any, files mapped r-x from offset 0 (an image
 * under another name, VLIBC_IMAGE=/tmp/old.so: its one text segment
 * starts at offset 0, where a library's or program's first segment is
 * read-only), which check_image() then tells from the rest: all of them,
 * however many other files a process maps so.  In *@out, malloc'd.
 */
static int find_candidates(pid_t pid, pid_t tid, struct candidate **out, int *nr,
			   char *msg, size_t size)
{
	struct candidate c[MAX_CANDIDATES], *other = NULL;
	char path[64], *line = NULL;
	size_t cap = 0, nr_other = 0, cap_other = 0;
	FILE *f;

	*out = NULL;
	*nr = 0;
	if (pid <= 0)
		return fail(STAT_READ_NO_PROCESS, msg, size, "no process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	f = fopen(path, "re");
	if (!f && (errno == ENOENT || errno == ESRCH))
		return fail(STAT_READ_NO_PROCESS, msg, size, "no process %d", (int)pid);
	if (!f && (errno == EACCES || errno == EPERM))
		return no_access(pid, msg, size);
	if (!f)
		return fail(STAT_READ_ERROR, msg, size, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		unsigned long lo, hi, off;
		int at = 0, kernel;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &lo, &hi, perms, &off, &at) < 4 ||
		    !at || hi <= lo)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!off && line[at] == '/' && !strcmp(perms, "r-xp") && !*nr) {
			if (nr_other == cap_other) {
				void *more = reallocarray(other, cap_other * 2 + 8, sizeof(*other));

				if (!more)
					break;
				other = more;
				cap_other = cap_other * 2 + 8;
			}
			other[nr_other++] = (struct candidate){ lo, hi - lo, 0, 1 };
		}
		if (off || !image_path(line + at, &kernel))
			continue;
		/* [vlibc] first, even after a crowd of files of that name. */
		if (kernel) {
			*nr -= *nr == MAX_CANDIDATES;
			memmove(c + 1, c, *nr * sizeof(*c));
			c[0] = (struct candidate){ lo, hi - lo, 1, 0 };
			(*nr)++;
		} else if (*nr < MAX_CANDIDATES) {
			c[(*nr)++] = (struct candidate){ lo, hi - lo, 0, 0 };
		}
	}
	free(line);
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		free(other);
		if (err == EACCES || err == EPERM)
			return no_access(pid, msg, size);
		if (process_gone(tid))
			return fail(STAT_READ_EXITED, msg, size, "process %d exited", (int)pid);
		return fail(STAT_READ_ERROR, msg, size, "%s: %s", path, strerror(err));
	}
	fclose(f);
	if (*nr) {
		free(other);
		other = malloc(*nr * sizeof(*c));
		if (!other)
			return fail(STAT_READ_ERROR, msg, size, "out of memory");
		memcpy(other, c, *nr * sizeof(*c));
	} else {
		*nr = nr_other;
	}
	*out = other;
	if (*nr)
		return 0;
	if (process_gone(tid))
		return fail(STAT_READ_EXITED, msg, size, "process %d exited", (int)pid);
	return fail(STAT_READ_NOT_VLIBC, msg, size,
		    "process %d is not a vlibc process (no [vlibc] or %s mapping)",
		    (int)pid, VLIBC_SONAME);
}

/* Bytes read of the header; 0 and @h, or a status. */
static int read_header(const struct stat_target *t, struct vlibc_stat_header *h,
		       char *msg, size_t size)
{
	int r = peek(t, t->region, h, sizeof(*h), "the counter header", msg, size);

	if (r)
		return r;
	if (!h->magic)
		return fail(STAT_READ_NOT_SET_UP, msg, size,
			    "process %d: vlibc counters not set up (no bound call yet, "
			    "or VLIBC=off, or no binder)", (int)t->pid);
	if (h->magic != VLIBC_STAT_MAGIC)
		return fail(STAT_READ_INVALID, msg, size,
			    "process %d: bad counter magic 0x%08x", (int)t->pid, h->magic);
	if (h->version != VLIBC_STAT_VERSION)
		return fail(STAT_READ_VERSION, msg, size,
			    "process %d: counter layout version %u, this reader reads "
			    "version %u", (int)t->pid, h->version, VLIBC_STAT_VERSION);
	return 0;
}

/* The header's fields fit the region; every product checked. */
static int header_sane(const struct stat_target *t, const struct vlibc_stat_header *h)
{
	__u64 room = t->region_size;

	return h->header_size >= sizeof(*h) && h->header_size <= room &&
	       h->nr_counters && h->nr_counters <= room / 8 &&
	       h->block_size % 8 == 0 && h->block_size >= 8 + 8ULL * h->nr_counters &&
	       h->nr_blocks && h->blocks_offset % 8 == 0 &&
	       h->blocks_offset >= h->header_size && h->blocks_offset <= room &&
	       h->nr_blocks <= (room - h->blocks_offset) / h->block_size;
}

int stat_read_find(pid_t pid, struct stat_target *t, char *msg, size_t size)
{
	pid_t tid = pid > 0 ? live_thread(pid) : pid;
	struct vlibc_stat_header h;
	int nr, i, r, first = -1;
	struct candidate *c;
	char first_msg[512];

	r = find_candidates(pid, tid, &c, &nr, msg, size);
	for (i = 0; !r && i < nr; i++) {
		struct stat_target cand = { .pid = pid, .tid = tid, .kernel = c[i].kernel,
					    .base = c[i].base };

		r = check_image(&cand, c[i].avail, msg, size);
		if (!r)
			r = read_header(&cand, &h, msg, size);
		if (!r || r == STAT_READ_EXITED || r == STAT_READ_PERMISSION) {
			*t = cand;
			free(c);
			return r;
		}
		/* Remember the first image's answer; try the others. */
		if (first < 0 && !c[i].unnamed) {
			first = r;
			*t = cand;
			snprintf(first_msg, sizeof(first_msg), "%s", msg);
		}
		r = 0;
	}
	free(c);
	if (r)
		return r;
	if (first < 0)
		return fail(STAT_READ_NOT_VLIBC, msg, size,
			    "process %d is not a vlibc process (no [vlibc] or %s mapping)",
			    (int)pid, VLIBC_SONAME);
	snprintf(msg, size, "%s", first_msg);
	return first;
}

int stat_read_counters(const struct stat_target *t, struct stat_snapshot *s,
		       char *msg, size_t size)
{
	struct vlibc_stat_header h;
	unsigned char *blocks;
	size_t len;
	unsigned int b, i;
	int r, tries;

	/* A header seen mid-set-up (fields after the magic) gets a second look. */
	for (tries = 0;; tries++) {
		r = read_header(t, &h, msg, size);
		if (r)
			return r;
		if (header_sane(t, &h))
			break;
		if (tries)
			return fail(STAT_READ_INVALID, msg, size,
				    "process %d: counter header does not fit its region "
				    "(%u counters, %u blocks of %u bytes at %llu, region %lu bytes)",
				    (int)t->pid, h.nr_counters, h.nr_blocks, h.block_size,
				    (unsigned long long)h.blocks_offset, t->region_size);
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	len = (size_t)h.nr_blocks * h.block_size;
	blocks = malloc(len);
	if (!blocks)
		return fail(STAT_READ_ERROR, msg, size, "out of memory");
	r = peek(t, t->region + h.blocks_offset, blocks, len, "the counter blocks",
		 msg, size);
	if (r) {
		free(blocks);
		return r;
	}
	memset(s, 0, sizeof(*s));
	s->version = h.version;
	s->nr_counters = h.nr_counters;
	s->nr_known = h.nr_counters < VLIBC_STAT_COUNTERS ? h.nr_counters : VLIBC_STAT_COUNTERS;
	s->nr_blocks = h.nr_blocks;
	s->families_decided = h.families_decided;
	s->families_bound = h.families_bound & h.families_decided;
	memcpy(s->why, h.why, sizeof(s->why));
	for (i = 0; i < VLIBC_STAT_MAX_FAMILIES; i++)
		s->why[i][VLIBC_STAT_WHY_LEN - 1] = 0;
	for (b = 0; b < h.nr_blocks; b++) {
		const unsigned char *blk = blocks + (size_t)b * h.block_size;
		__u64 v;

		memcpy(&v, blk, sizeof(v));
		s->nr_owned += v != 0;
		for (i = 0; i < s->nr_known; i++) {
			memcpy(&v, blk + 8 + 8 * i, sizeof(v));
			s->count[i] += v;
		}
	}
	free(blocks);
	return 0;
}

int stat_read_pid(pid_t pid, struct stat_target *t, struct stat_snapshot *s,
		  char *msg, size_t size)
{
	int r = stat_read_find(pid, t, msg, size);

	return r ? r : stat_read_counters(t, s, msg, size);
}
