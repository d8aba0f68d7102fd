// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up facts, read from the process itself: the dynamic linker's
 * exported __libc_stack_end (argc, argv, the initial environment and the
 * auxiliary vector, in that order on the initial stack) and _r_debug (the
 * link map).  The binder is fully relocated (jump slots bound with -z now,
 * no IFUNC) before its first bound call or its constructor runs, so it
 * links against both and calls glibc's getauxval() to cross-check what it
 * read; none of this makes a system call.
 */
#include <linux/auxvec.h>
#include <linux/errno.h>
#include "binder.h"
#include "sys.h"


/* The public head of glibc's struct link_map and struct r_debug. */
struct binder_link_map {
	unsigned long		l_addr;
	const char		*l_name;
	const Elf64_Dyn		*l_ld;
	struct binder_link_map	*l_next, *l_prev;
};

struct binder_r_debug {
	int			r_version;
	struct binder_link_map	*r_map;
};

/* Exported by ld.so (GLIBC_2.2.5); <link.h> would clash with <linux/elf.h>. */
extern void *__libc_stack_end;
extern struct binder_r_debug _r_debug;
unsigned long getauxval(unsigned long type);

unsigned long binder_startup_auxval(const struct binder_startup *s,
				   unsigned long type)
{
	const unsigned long *a;

	for (a = s->auxv; a < s->auxv + BINDER_AUXV_MAX - 1 && a[0] != AT_NULL; a += 2)
		if (a[0] == type)
			return a[1];
	return 0;
}

/*
 * Copy the auxiliary vector that follows @envp's NULL.  It must fit whole
 * (the kernel gives about 25 entries; the buffer holds 127) and say what
 * glibc's copy says: getauxval() reads the vector ld.so found on the same
 * stack, except AT_HWCAP/AT_HWCAP2, which glibc may adjust.
 */
static int read_auxv(struct binder_startup *s, char **envp)
{
	const unsigned long *a;
	size_t i;

	while (*envp)
		envp++;
	a = (const unsigned long *)(envp + 1);
	for (i = 0; i < BINDER_AUXV_MAX - 1; i += 2) {
		s->auxv[i] = a[i];
		s->auxv[i + 1] = a[i + 1];
		if (a[i] == AT_NULL)
			break;
	}
	if (i >= BINDER_AUXV_MAX - 1)
		return -E2BIG;
	for (i = 0; s->auxv[i] != AT_NULL; i += 2) {
		unsigned long type = s->auxv[i];

		if (type == AT_IGNORE || type == AT_HWCAP || type == AT_HWCAP2)
			continue;
		if (getauxval(type) != binder_startup_auxval(s, type))
			return -EINVAL;
	}
	return 0;
}

/* The environment variables the binder reads, in enum binder_env_var order. */
static const char *const env_names[BINDER_ENV_VARS] = {
	[BINDER_ENV_VLIBC]	= "",
	[BINDER_ENV_IMAGE]	= "IMAGE",
	[BINDER_ENV_DISABLE]	= "DISABLE",
	[BINDER_ENV_DEBUG]	= "DEBUG",
#define VLIBC_FAMILY(name, binder)					\
	BINDER_IF_BUILT(binder, [BINDER_ENV_FAMILY + BINDER_FAMILY_##name] = #name,)
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
};

/* Does @s start with @name upper-cased, then '='?  *@value follows it. */
static int env_name_is(const char *s, const char *name, const char **value)
{
	for (; *name; name++, s++)
		if (*s != ((*name >= 'a' && *name <= 'z') ? *name - 32 : *name))
			return 0;
	if (*s != '=')
		return 0;
	*value = s + 1;
	return 1;
}

/* Which variable the binder reads is @entry ("NAME=value"); -1: none. */
static int env_var_of(const char *entry, const char **value)
{
	const char *rest;
	int i;

	if (!binder_prefix(entry, "VLIBC", &rest))
		return -1;
	if (env_name_is(rest, "", value))
		return BINDER_ENV_VLIBC;
	if (*rest++ != '_')
		return -1;
	for (i = 1; i < BINDER_ENV_VARS; i++)
		if (env_name_is(rest, env_names[i], value))
			return i;
	return -1;
}

static char *env_slot(struct binder_startup *s, int var, size_t *size)
{
	if (var == BINDER_ENV_IMAGE) {
		*size = sizeof(s->env_image);
		return s->env_image;
	}
	*size = sizeof(s->env_value[0]);
	return s->env_value[var];
}

/*
 * Copy the variables the binder reads now: programs that set their
 * process title (stress-ng, postgres, ...) overwrite the strings on the
 * initial stack.  Each has a slot of its own, so no other variable can
 * crowd it out; the first occurrence counts, as for getenv(); a value
 * longer than its slot is kept as "too long", and the caller decides the
 * safe way.
 */
static void snapshot_env(struct binder_startup *s, char **envp)
{
	const char *value;
	size_t size, n;
	char *slot;
	int var;

	for (; *envp; envp++) {
		var = env_var_of(*envp, &value);
		if (var < 0 || s->env_state[var] != BINDER_ENV_UNSET)
			continue;
		slot = env_slot(s, var, &size);
		n = binder_strlen(value);
		if (n >= size) {
			s->env_state[var] = BINDER_ENV_TOO_LONG;
			continue;
		}
		__builtin_memcpy(slot, value, n + 1);
		s->env_state[var] = BINDER_ENV_SET;
	}
}

/*
 * 0 or -errno; on error nothing may be bound to vlibc: the environment
 * (VLIBC=off, ...) or AT_SECURE may be unknown.
 */
int binder_startup_read(struct binder_startup *s)
{
	char **stack = __libc_stack_end, **envp;
	long argc;
	int r;

	if (!stack)
		return -ENOENT;
	argc = (long)stack[0];
	if (argc < 0 || stack[1 + argc])
		return -EINVAL;
	envp = stack + 1 + argc + 1;
	r = read_auxv(s, envp);
	if (r)
		return r;
	s->secure = binder_startup_auxval(s, AT_SECURE) != 0;
	if (!s->secure)
		snapshot_env(s, envp);
	s->link_map = _r_debug.r_map;
	return s->link_map ? 0 : -ENOENT;
}

int binder_startup_env(const struct binder_startup *s, enum binder_env_var var,
		      const char **value)
{
	*value = 0;
	switch (s->env_state[var]) {
	case BINDER_ENV_SET:
		*value = var == BINDER_ENV_IMAGE ? s->env_image : s->env_value[var];
		return 1;
	case BINDER_ENV_TOO_LONG:
		return -1;
	}
	return 0;
}

/*
 * An object the dynamic linker loaded, relocated or not: on x86-64 glibc
 * rewrites the address entries of .dynamic in place, so a table address at
 * or above the load address is already absolute.  It rewrites the hash,
 * string, symbol, relocation and version-symbol tables' entries, not
 * DT_VERDEF's (elf/get-dynamic-info.h), which stays an offset.
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
	if (!table_bias && d->verdef && (unsigned long)d->verdef < l_addr)
		d->verdef = (const vlibc_verdef_t *)((const char *)d->verdef + l_addr);
	d->bias = l_addr;
	return r;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

int binder_loaded_object(const struct binder_startup *s, const char *prefix,
			struct vlibc_elf_dyn *d)
{
	struct binder_link_map *l;

	for (l = s->link_map; l; l = l->l_next)
		if (l->l_name && binder_prefix(base_name(l->l_name), prefix, 0))
			return loaded_dyn(d, l->l_addr, l->l_ld);
	return -ENOENT;
}

extern const char __ehdr_start[] __attribute__((visibility("hidden")));

const char *binder_self_path(const struct binder_startup *s)
{
	struct binder_link_map *l;

	for (l = s->link_map; l; l = l->l_next)
		if (l->l_addr == (unsigned long)__ehdr_start)
			return l->l_name;
	return 0;
}
