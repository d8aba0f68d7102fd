// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up facts for resolvers that run while the dynamic linker is still
 * relocating, possibly before the binder itself: the auxiliary vector from
 * prctl(PR_GET_AUXV) (or /proc/self/auxv), then the dynamic linker's own
 * exported __libc_stack_end (the initial environment) and _r_debug (the
 * link map), found through AT_BASE.  No libc call, no GOT.
 */
#include <linux/auxvec.h>
#include <linux/errno.h>
#include <sys/prctl.h>
#include "binder.h"
#include "sys.h"

#ifndef PR_GET_AUXV
#define PR_GET_AUXV		0x41555856
#endif
#define AT_BASE_			7

/* The public head of glibc's struct link_map and struct r_debug. */
struct vlibc_link_map {
	unsigned long		l_addr;
	const char		*l_name;
	const Elf64_Dyn		*l_ld;
	struct vlibc_link_map	*l_next, *l_prev;
};

struct vlibc_r_debug {
	int			r_version;
	struct vlibc_link_map	*r_map;
};

static int read_auxv(unsigned long *auxv)
{
	size_t size = VLIBC_AUXV_MAX * sizeof(long) - 2 * sizeof(long);
	long n;
	int fd;

	n = sys_prctl(PR_GET_AUXV, (long)auxv, size, 0, 0);
	if (n > 0)
		return 0;
	fd = sys_open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	n = sys_read(fd, auxv, size);
	sys_close(fd);
	return n > 0 ? 0 : -ENOENT;
}

unsigned long vlibc_startup_auxval(const struct vlibc_startup *s,
				   unsigned long type)
{
	const unsigned long *a;

	for (a = s->auxv; a < s->auxv + VLIBC_AUXV_MAX - 1 && a[0] != AT_NULL; a += 2)
		if (a[0] == type)
			return a[1];
	return 0;
}

/*
 * An object the dynamic linker loaded, relocated or not: on x86-64 glibc
 * rewrites the address entries of .dynamic in place, so a table address at
 * or above the load address is already absolute.
 */
static int loaded_dyn(struct vlibc_elf_dyn *d, unsigned long l_addr,
		      const Elf64_Dyn *ld)
{
	unsigned long table_bias = l_addr;
	const Elf64_Dyn *p;
	int r;

	for (p = ld; p->d_tag != DT_NULL; p++)
		if (p->d_tag == DT_STRTAB && p->d_un.d_ptr >= l_addr)
			table_bias = 0;
	r = vlibc_elf_dyn_init(d, table_bias, ld, 0, 0);
	d->bias = l_addr;
	return r;
}

/* The dynamic linker: AT_BASE, or the program itself when run as ld.so. */
static int find_rtld(const struct vlibc_startup *s, struct vlibc_elf_dyn *d)
{
	unsigned long base = vlibc_startup_auxval(s, AT_BASE_);
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	int i;

	if (!base)
		base = vlibc_startup_auxval(s, AT_PHDR) & ~4095UL;
	if (!base)
		return -ENOENT;
	eh = (const Elf64_Ehdr *)base;
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_type != ET_DYN)
		return -ENOEXEC;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			return loaded_dyn(d, base,
					  (const Elf64_Dyn *)(base + ph[i].p_vaddr));
	return -ENOEXEC;
}

/*
 * Copy the VLIBC* entries now: programs that set their process title
 * (stress-ng, postgres, ...) overwrite the strings on the initial stack.
 */
static void snapshot_env(struct vlibc_startup *s)
{
	size_t used = 0, n;
	char **e;

	for (e = s->envp; *e; e++) {
		if (!v_prefix(*e, "VLIBC", 0))
			continue;
		n = v_strlen(*e) + 1;
		if (used + n >= sizeof(s->env))
			break;
		__builtin_memcpy(s->env + used, *e, n);
		used += n;
	}
	s->env[used] = 0;
}

int vlibc_startup_read(struct vlibc_startup *s)
{
	struct vlibc_elf_dyn rtld;
	struct vlibc_r_debug *r_debug;
	void **stack_end;
	long argc;
	int r;

	r = read_auxv(s->auxv);
	if (r)
		return r;
	s->secure = vlibc_startup_auxval(s, AT_SECURE) != 0;
	r = find_rtld(s, &rtld);
	if (r)
		return r;
	stack_end = vlibc_elf_dyn_lookup(&rtld, "__libc_stack_end", 0, 0);
	if (stack_end && *stack_end) {
		argc = *(long *)*stack_end;
		s->envp = (char **)*stack_end + 1 + argc + 1;
		snapshot_env(s);
	}
	r_debug = vlibc_elf_dyn_lookup(&rtld, "_r_debug", 0, 0);
	if (!r_debug || !r_debug->r_map)
		return -ENOENT;
	s->link_map = r_debug->r_map;
	return 0;
}

const char *vlibc_startup_env(const struct vlibc_startup *s, const char *name)
{
	const char *e, *v;

	if (s->secure || !name[0])
		return 0;
	for (e = s->env; *e; e += v_strlen(e) + 1)
		if (v_prefix(e, name, &v) && v[0] == '=')
			return v + 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

int vlibc_loaded_object(const struct vlibc_startup *s, const char *prefix,
			struct vlibc_elf_dyn *d)
{
	struct vlibc_link_map *l;

	for (l = s->link_map; l; l = l->l_next)
		if (l->l_name && v_prefix(base_name(l->l_name), prefix, 0))
			return loaded_dyn(d, l->l_addr, l->l_ld);
	return -ENOENT;
}

extern const char __ehdr_start[] __attribute__((visibility("hidden")));

const char *vlibc_self_path(const struct vlibc_startup *s)
{
	struct vlibc_link_map *l;

	for (l = s->link_map; l; l = l->l_next)
		if (l->l_addr == (unsigned long)__ehdr_start)
			return l->l_name;
	return 0;
}
