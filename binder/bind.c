// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up decisions and binding.
 *
 * The first call through a jump slot (slot.h) reads the start-up facts,
 * finds the image and lets each family decide, once for the process,
 * whether it runs on vlibc; then that slot, and each other slot at its
 * own first call, is bound.  The code up to the decision reads only what
 * the process started with, through raw system calls, so the answer does
 * not depend on when it runs.
 *
 * Environment (ignored when AT_SECURE is set, as secure_getenv would):
 *	VLIBC=off		bind nothing to vlibc
 *	VLIBC_IMAGE=path	map this image file (when the kernel gave none)
 *	VLIBC_DISABLE=a,b	these families keep glibc's functions
 *	VLIBC_<FAMILY>=variant	pick a family's implementation variant
 *	VLIBC_DEBUG=1		say on stderr what was found and bound
 */
#include <linux/errno.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"

/*
 * A once-word: 0 (not started), ONCE_DONE, or the thread pointer of the
 * thread running it.  The owner is set in the same atomic step that
 * starts the work, so a signal handler that interrupts the work on the
 * same thread and calls a bound name is recognised, and served by glibc
 * for that call, instead of waiting for itself.
 */
#define ONCE_DONE	1UL

static unsigned long self_id(void)
{
	return (unsigned long)__builtin_thread_pointer();
}

static int once_run(unsigned long *word, void (*fn)(int), int arg)
{
	unsigned long self = self_id(), w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w == ONCE_DONE)
		return 0;
	if (w == self)
		return -EDEADLK;
	w = 0;
	if (__atomic_compare_exchange_n(word, &w, self, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		fn(arg);
		__atomic_store_n(word, ONCE_DONE, __ATOMIC_RELEASE);
		return 0;
	}
	while ((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != ONCE_DONE) {
		if (w == self)
			return -EDEADLK;
		sys_sched_yield();
	}
	return 0;
}

static void once_wait_idle(unsigned long *word)
{
	unsigned long w;

	while ((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != 0 &&
	       w != ONCE_DONE)
		sys_sched_yield();
}

static struct {
	unsigned long		state;
	int			debug;
	int			have_image;
	unsigned char		on_vlibc[VLIBC_FAMILIES];
	unsigned long		family_state[VLIBC_FAMILIES];
	unsigned long		startup_state;
	int			startup_ok;
	struct vlibc_startup	startup;
	struct vlibc_image	image;
	struct vlibc_elf_dyn	libc;
	int			have_libc;
	long			(*image_init)(const struct vlibc_init_args *);
} binder;

#define ON_VLIBC(f)	binder.on_vlibc[VLIBC_FAMILY_##f]

static void put_hex(char *out, unsigned long v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[17];
	int i = 16;

	tmp[i] = 0;
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	out[0] = '0';
	out[1] = 'x';
	out[2] = 0;
	v_append(out, 20, tmp + i);
}

/* "vlibc: a b c [0xhex]" on stderr when VLIBC_DEBUG is set. */
void vlibc_debug(const char *a, const char *b, const char *c, unsigned long hex)
{
	char line[512] = "vlibc: ", num[20];

	if (!binder.debug)
		return;
	v_append(line, sizeof(line), a);
	if (b) {
		v_append(line, sizeof(line), " ");
		v_append(line, sizeof(line), b);
	}
	if (c) {
		v_append(line, sizeof(line), " ");
		v_append(line, sizeof(line), c);
	}
	if (hex) {
		put_hex(num, hex);
		v_append(line, sizeof(line), " ");
		v_append(line, sizeof(line), num);
	}
	v_append(line, sizeof(line), "\n");
	sys_write(2, line, v_strlen(line));
}

/* Is @name in the comma-separated @list? */
static int listed(const char *list, const char *name)
{
	const char *rest;

	while (list && *list) {
		if (v_prefix(list, name, &rest) && (*rest == ',' || !*rest))
			return 1;
		while (*list && *list != ',')
			list++;
		if (*list == ',')
			list++;
	}
	return 0;
}

/* VLIBC_<NAME> with the family name upper-cased. */
static const char *family_variant(const char *name)
{
	char var[64] = "VLIBC_";
	size_t n = v_strlen(var);

	for (; *name && n + 1 < sizeof(var); name++)
		var[n++] = (*name >= 'a' && *name <= 'z') ? *name - 32 : *name;
	var[n] = 0;
	return vlibc_startup_env(&binder.startup, var);
}

static int image_start(void)
{
	struct vlibc_init_args args = {
		.size = sizeof(args),
		.auxv = binder.startup.auxv,
	};

	binder.image_init = vlibc_image_sym(&binder.image, "__vlibc_init");
	return binder.image_init ? binder.image_init(&args) : -ENOEXEC;
}

static void decide_family(enum vlibc_family_id f, const char *name,
			  int (*decide)(const struct vlibc_image *,
					const char *, const char **))
{
	const char *disabled = vlibc_startup_env(&binder.startup, "VLIBC_DISABLE");
	const char *why = "disabled by VLIBC_DISABLE";

	if (!listed(disabled, name))
		binder.on_vlibc[f] = decide(&binder.image, family_variant(name), &why);
	vlibc_debug("family", name, binder.on_vlibc[f] ? "-> vlibc" : why, 0);
}

static void decide_and_attach(enum vlibc_family_id f)
{
	switch (f) {
#define VLIBC_BINDER_FAMILY(name)					\
	case VLIBC_FAMILY_##name:					\
		decide_family(f, #name, vlibc_##name##_decide);		\
		if (ON_VLIBC(name))					\
			vlibc_##name##_attach(&binder.image);		\
		break;
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	default:
		break;
	}
}

static int binder_init_once(void);

static void decide_and_attach_once(int f)
{
	decide_and_attach(f);
}

/*
 * Each family decides at the first call of one of its names, once for
 * the process, so that a process pays only for the families it uses.
 * -EDEADLK: this thread is inside that work already (signal handler).
 */
static int family_ready(enum vlibc_family_id f)
{
	int r = binder_init_once();

	if (r || !binder.have_image)
		return r;
	return once_run(&binder.family_state[f], decide_and_attach_once, f);
}

/* Read at the latest in the constructor, before main() can touch the stack. */
static void startup_read(int unused)
{
	binder.startup_ok = !vlibc_startup_read(&binder.startup);
}

static int startup_read_once(void)
{
	once_run(&binder.startup_state, startup_read, 0);
	return !binder.startup_ok;
}

static void binder_start(void)
{
	const char *off, *why = 0, *dbg;
	int r;

	if (startup_read_once())
		return;
	dbg = vlibc_startup_env(&binder.startup, "VLIBC_DEBUG");
	binder.debug = dbg && dbg[0] && !v_streq(dbg, "0");
	__atomic_store_n(&binder.have_libc,
			 !vlibc_loaded_object(&binder.startup, "libc.so.", &binder.libc),
			 __ATOMIC_RELEASE);
	off = vlibc_startup_env(&binder.startup, "VLIBC");
	if (off && (v_streq(off, "off") || v_streq(off, "0"))) {
		vlibc_debug("off (VLIBC=off): glibc for every family", 0, 0, 0);
		return;
	}
	r = vlibc_image_find(&binder.image, &binder.startup,
			     vlibc_startup_env(&binder.startup, "VLIBC_IMAGE"), &why);
	if (!r && image_start() < 0) {
		why = "__vlibc_init failed";
		r = -ENOEXEC;
		if (binder.image.source == VLIBC_IMAGE_FILE)
			sys_munmap((void *)binder.image.base, binder.image.layout.span);
	}
	if (r) {
		vlibc_debug("no image:", why, binder.image.path[0] ? binder.image.path : 0, 0);
		return;
	}
	binder.have_image = 1;
	vlibc_debug("image", binder.image.path,
		    binder.image.source == VLIBC_IMAGE_KERNEL ? "(kernel) at" :
		    "(file) at", binder.image.base);
}

static void binder_start_once(int unused)
{
	binder_start();
}

static int binder_init_once(void)
{
	return once_run(&binder.state, binder_start_once, 0);
}

void *vlibc_glibc_sym(const char *name)
{
	unsigned char type = 0;
	void *p = 0;

	if (__atomic_load_n(&binder.have_libc, __ATOMIC_ACQUIRE))
		p = vlibc_elf_dyn_lookup(&binder.libc, name, 0, &type);
	if (p && type == STT_GNU_IFUNC)
		p = ((void *(*)(void))p)();
	/* No link map (no PR_GET_AUXV, no /proc): ask the dynamic linker. */
	return p ? p : dlsym(RTLD_NEXT, name);
}

void *vlibc_family_entry(enum vlibc_family_id f, const char *entry)
{
	if (family_ready(f))
		return 0;
	return binder.on_vlibc[f] ? vlibc_image_sym(&binder.image, entry) : 0;
}

/* A name neither vlibc nor glibc can serve: say so instead of jumping to 0. */
static void unbound_name(void)
{
	static const char msg[] = "vlibc: call to a libc name with no implementation\n";

	sys_write(2, msg, sizeof(msg) - 1);
	abort();
}

void *vlibc_resolve(const char *name, enum vlibc_family_id f, void *vlibc_impl,
		    int *final)
{
	void *p;

	*final = !family_ready(f);
	if (*final && binder.on_vlibc[f] && vlibc_impl) {
		vlibc_debug("bind", name, "-> vlibc", (unsigned long)vlibc_impl);
		return vlibc_impl;
	}
	p = vlibc_glibc_sym(name);
	vlibc_debug("bind", name, "-> glibc", (unsigned long)p);
	return p ? p : (void *)unbound_name;
}

static void fork_prepare(void)
{
	int f;

	/* A child must not inherit a start-up half done by another thread. */
	once_wait_idle(&binder.state);
	for (f = 0; f < VLIBC_FAMILIES; f++)
		once_wait_idle(&binder.family_state[f]);
#define VLIBC_BINDER_FAMILY(f) if (ON_VLIBC(f)) vlibc_##f##_fork_prepare();
#include "families.h"
#undef VLIBC_BINDER_FAMILY
}

static void fork_parent(void)
{
#define VLIBC_BINDER_FAMILY(f) if (ON_VLIBC(f)) vlibc_##f##_fork_parent();
#include "families.h"
#undef VLIBC_BINDER_FAMILY
}

/*
 * Start-up work that another thread began after fork_prepare() looked
 * belongs to a thread the child does not have: start it again.
 */
static void once_reset_foreign(unsigned long *word)
{
	unsigned long w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w != ONCE_DONE && w != self_id())
		__atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

/* The kernel wiped the private region: set the image up again. */
static void fork_child(void)
{
	int f;

	once_reset_foreign(&binder.state);
	for (f = 0; f < VLIBC_FAMILIES; f++)
		once_reset_foreign(&binder.family_state[f]);
	if (binder.have_image)
		image_start();
#define VLIBC_BINDER_FAMILY(f) if (ON_VLIBC(f)) vlibc_##f##_fork_child(&binder.image);
#include "families.h"
#undef VLIBC_BINDER_FAMILY
}

extern const struct vlibc_slot_desc __start_vlibc_slots[], __stop_vlibc_slots[]
	__attribute__((visibility("hidden")));

/*
 * Where @name is bound in this process: an address in the image, in the
 * binder (a veneer) or in glibc.  NULL for a name the binder does not
 * bind.  For tests and diagnostics.
 */
__attribute__((visibility("default")))
void *vlibc_binder_bound(const char *name)
{
	const struct vlibc_slot_desc *d;

	for (d = __start_vlibc_slots; d < __stop_vlibc_slots; d++)
		if (v_streq(d->name, name))
			return d->bind();
	return 0;
}

/*
 * Nothing is found, mapped or decided before the first bound call: a
 * process that never calls a bound name pays only for the preload and
 * for reading its auxiliary vector and VLIBC* environment.
 */
__attribute__((constructor)) static void binder_constructor(void)
{
	startup_read_once();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
