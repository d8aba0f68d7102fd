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
 *
 * The work has two parts: @decide (find, map, choose: nothing in the
 * private region) and @setup (fill in the private region).  A signal
 * handler may fork while its own thread is inside either part; the fork
 * handlers do not wait for that work (it would never finish) and the
 * child marks the word ONCE_FORKED.  When the handler returns, the work
 * goes on in the parent as if nothing happened, and in the child too; the
 * kernel wiped the child's private region, so the owner runs @setup
 * again whenever it finds the mark, until it publishes ONCE_DONE.
 */
#define ONCE_DONE	1UL
#define ONCE_FORKED	2UL	/* or-ed into the owner: forked under way */
#define ONCE_WAITERS	4UL	/* or-ed into the owner: someone sleeps on it */
#define ONCE_FLAGS	(ONCE_FORKED | ONCE_WAITERS)

static unsigned long self_id(void)
{
	return (unsigned long)__builtin_thread_pointer();
}

static int once_mine(unsigned long w)
{
	return w != ONCE_DONE && (w & ~ONCE_FLAGS) == self_id();
}

/*
 * Sleep until another thread's work on @word moves on from @w.  In
 * futex(2) on the word's low half (little-endian: it holds the flags and
 * changes at every step), as glibc's own locks wait: a sandbox that
 * allows what glibc makes allows this (sched_yield() it may not).
 */
static void once_sleep(unsigned long *word, unsigned long w)
{
	if (!(w & ONCE_WAITERS) &&
	    !__atomic_compare_exchange_n(word, &w, w | ONCE_WAITERS, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	sys_futex_wait((unsigned int *)word, (unsigned int)(w | ONCE_WAITERS));
}

/* Publish ONCE_DONE unless a fork marked the work; 0 if it must run again. */
static int once_publish(unsigned long *word)
{
	unsigned long w = __atomic_load_n(word, __ATOMIC_RELAXED);

	do {
		if (w & ONCE_FORKED)
			return 0;
	} while (!__atomic_compare_exchange_n(word, &w, ONCE_DONE, 0,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (w & ONCE_WAITERS)
		sys_futex_wake((unsigned int *)word, 0x7fffffff);
	return 1;
}

static int once_run(unsigned long *word, void (*decide)(int),
		    void (*setup)(int), int arg)
{
	unsigned long self = self_id(), w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w == ONCE_DONE)
		return 0;
	if (once_mine(w))
		return -EDEADLK;
	w = 0;
	if (__atomic_compare_exchange_n(word, &w, self, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		decide(arg);
		do {
			__atomic_and_fetch(word, ~ONCE_FORKED, __ATOMIC_RELAXED);
			if (setup)
				setup(arg);
		} while (!once_publish(word));
		return 0;
	}
	while ((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != ONCE_DONE) {
		if (once_mine(w))
			return -EDEADLK;
		once_sleep(word, w);
	}
	return 0;
}

/* Wait until no other thread runs the work of @word (before a fork). */
static void once_wait_idle(unsigned long *word)
{
	unsigned long w;

	while ((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != 0 &&
	       w != ONCE_DONE && !once_mine(w))
		once_sleep(word, w);
}

static int once_done(unsigned long *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE) == ONCE_DONE;
}

static struct {
	unsigned long		state;
	int			debug;
	int			have_image;
	unsigned char		on_vlibc[VLIBC_FAMILIES];
	unsigned long		family_state[VLIBC_FAMILIES];
	unsigned long		startup_state;
	int			startup_ok;
	/* Families whose fork_prepare() ran: fork_parent()/_child() match. */
	unsigned int		fork_prepared;
	struct vlibc_startup	startup;
	struct vlibc_image	image;
	struct vlibc_elf_dyn	libc;
	int			have_libc;
	long			(*image_init)(const struct vlibc_init_args *);
	/* A seccomp filter or strict mode was announced (sandbox.c). */
	int			sandbox_coming;
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

static int image_start(void)
{
	struct vlibc_init_args args = {
		.size = sizeof(args),
		.auxv = binder.startup.auxv,
	};

	binder.image_init = vlibc_image_sym(&binder.image, "__vlibc_init");
	return binder.image_init ? binder.image_init(&args) : -ENOEXEC;
}

/*
 * VLIBC_DISABLE lists the family, or VLIBC_DISABLE or VLIBC_<FAMILY> was
 * too long to keep (the safe reading: glibc): glibc; else ask the family.
 */
static void decide_family(enum vlibc_family_id f, const char *name,
			  int (*decide)(const struct vlibc_image *,
					const char *, const char **))
{
	const char *disabled, *variant, *why = "disabled by VLIBC_DISABLE";
	int d = vlibc_startup_env(&binder.startup, VLIBC_ENV_DISABLE, &disabled);
	int v = vlibc_startup_env(&binder.startup, VLIBC_ENV_FAMILY + f, &variant);

	if (d < 0 || v < 0)
		why = "a VLIBC variable too long to read";
	else if (!listed(disabled, name))
		binder.on_vlibc[f] = decide(&binder.image, variant, &why);
	vlibc_debug("family", name, binder.on_vlibc[f] ? "-> vlibc" : why, 0);
}

static void family_decide(int f)
{
	switch (f) {
#define VLIBC_BINDER_FAMILY(name)					\
	case VLIBC_FAMILY_##name:					\
		decide_family(f, #name, vlibc_##name##_decide);		\
		break;
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	default:
		break;
	}
}

int vlibc_sandbox_announced(void)
{
	/* Pairs with the fence in vlibc_sandbox_coming(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&binder.sandbox_coming, __ATOMIC_RELAXED);
}

/*
 * The family's part of the private region (again after a fork); a family
 * set up after a sandbox was announced is told at once.
 */
static void family_attach(int f)
{
	switch (f) {
#define VLIBC_BINDER_FAMILY(name)					\
	case VLIBC_FAMILY_##name:					\
		if (ON_VLIBC(name)) {					\
			vlibc_##name##_attach(&binder.image);		\
			if (vlibc_sandbox_announced())			\
				vlibc_##name##_sandbox_coming();	\
		}							\
		break;
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	default:
		break;
	}
}

static int binder_init_once(void);

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
	return once_run(&binder.family_state[f], family_decide, family_attach, f);
}

/* Read at the latest in the constructor, before main() can touch the stack. */
static void startup_read(int unused)
{
	binder.startup_ok = !vlibc_startup_read(&binder.startup);
}

/*
 * Find and map the image; nothing in its private region yet.  A variable
 * too long to keep reads as the safe choice: VLIBC (not "off" or "0", but
 * unknown) as off, VLIBC_IMAGE as an image that cannot be mapped.
 */
static void binder_start(int unused)
{
	const char *off, *why = 0, *dbg, *path;
	int r;

	if (!binder.startup_ok)
		return;
	r = vlibc_startup_env(&binder.startup, VLIBC_ENV_DEBUG, &dbg);
	binder.debug = r < 0 || (r > 0 && dbg[0] && !v_streq(dbg, "0"));
	__atomic_store_n(&binder.have_libc,
			 !vlibc_loaded_object(&binder.startup, "libc.so.", &binder.libc),
			 __ATOMIC_RELEASE);
	r = vlibc_startup_env(&binder.startup, VLIBC_ENV_VLIBC, &off);
	if (r < 0 || (r > 0 && (v_streq(off, "off") || v_streq(off, "0")))) {
		vlibc_debug("off (VLIBC=off): glibc for every family", 0, 0, 0);
		return;
	}
	r = vlibc_startup_env(&binder.startup, VLIBC_ENV_IMAGE, &path);
	if (r < 0) {
		vlibc_debug("no image: VLIBC_IMAGE is longer than PATH_MAX", 0, 0, 0);
		return;
	}
	r = vlibc_image_find(&binder.image, &binder.startup, path, &why);
	if (r) {
		vlibc_debug("no image:", why, binder.image.path[0] ? binder.image.path : 0, 0);
		return;
	}
	binder.have_image = 1;
	vlibc_debug("image", binder.image.path,
		    binder.image.source == VLIBC_IMAGE_KERNEL ? "(kernel) at" :
		    "(file) at", binder.image.base);
}

/* The image's own set-up of its private region (again after a fork). */
static void binder_start_private(int unused)
{
	if (!binder.have_image || image_start() >= 0)
		return;
	binder.have_image = 0;
	vlibc_debug("no image: __vlibc_init failed", binder.image.path, 0, 0);
	if (binder.image.source == VLIBC_IMAGE_FILE)
		sys_munmap((void *)binder.image.base, binder.image.layout.span);
}

/* 0 once the process-wide start-up is done; -EDEADLK inside it. */
static int binder_init_once(void)
{
	int r = once_run(&binder.startup_state, startup_read, 0, 0);

	return r ? r : once_run(&binder.state, binder_start, binder_start_private, 0);
}

/* glibc's @name in @libc (NULL: not known), else from the dynamic linker. */
static void *libc_lookup(const struct vlibc_elf_dyn *libc, const char *name)
{
	unsigned char type = 0;
	void *p = 0;

	if (libc)
		p = vlibc_elf_dyn_lookup(libc, name, 0, &type);
	if (p && type == STT_GNU_IFUNC)
		p = ((void *(*)(void))p)();
	/* No link map (start-up could not be read): ask the dynamic linker. */
	return p ? p : dlsym(RTLD_NEXT, name);
}

void *vlibc_glibc_sym(const char *name)
{
	int have = __atomic_load_n(&binder.have_libc, __ATOMIC_ACQUIRE);

	return libc_lookup(have ? &binder.libc : 0, name);
}

/* A name neither vlibc nor glibc can serve: say so instead of jumping to 0. */
static void unbound_name(void)
{
	static const char msg[] = "vlibc: call to a libc name with no implementation\n";

	sys_write(2, msg, sizeof(msg) - 1);
	abort();
}

/*
 * glibc's own @name for a name no family owns (sandbox.c), found without
 * starting the binder: calling it maps and decides nothing.
 */
void *vlibc_glibc_own(const char *name)
{
	struct vlibc_elf_dyn libc;
	int have = !once_run(&binder.startup_state, startup_read, 0, 0) &&
		   binder.startup_ok &&
		   !vlibc_loaded_object(&binder.startup, "libc.so.", &libc);
	void *p = libc_lookup(have ? &libc : 0, name);

	return p ? p : (void *)unbound_name;
}

void *vlibc_family_entry(enum vlibc_family_id f, const char *entry)
{
	if (family_ready(f))
		return 0;
	return binder.on_vlibc[f] ? vlibc_image_sym(&binder.image, entry) : 0;
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

#define FAMILY_BIT(f)	(1u << VLIBC_FAMILY_##f)

/*
 * Start-up work under way on this thread (a signal handler forks) is not
 * waited for: see once_run().  Only families whose start-up is done get
 * their fork hooks, and the same ones after the fork as before.
 */
static void fork_prepare(void)
{
	unsigned int prepared = 0;
	int f;

	/* A child must not inherit a start-up half done by another thread. */
	once_wait_idle(&binder.startup_state);
	once_wait_idle(&binder.state);
	for (f = 0; f < VLIBC_FAMILIES; f++) {
		once_wait_idle(&binder.family_state[f]);
		if (once_done(&binder.family_state[f]) && binder.on_vlibc[f])
			prepared |= 1u << f;
	}
	binder.fork_prepared = prepared;
#define VLIBC_BINDER_FAMILY(f)						\
	if (prepared & FAMILY_BIT(f)) vlibc_##f##_fork_prepare();
#include "families.h"
#undef VLIBC_BINDER_FAMILY
}

static void fork_parent(void)
{
	unsigned int prepared = binder.fork_prepared;

#define VLIBC_BINDER_FAMILY(f)						\
	if (prepared & FAMILY_BIT(f)) vlibc_##f##_fork_parent();
#include "families.h"
#undef VLIBC_BINDER_FAMILY
}

/*
 * Work under way in the child: this thread's goes on when its signal
 * handler returns and sets the private region up again (ONCE_FORKED);
 * another thread's, begun after fork_prepare() looked, belongs to a
 * thread the child does not have: start it again.
 */
static void once_after_fork(unsigned long *word)
{
	unsigned long w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w == 0 || w == ONCE_DONE)
		return;
	__atomic_store_n(word, once_mine(w) ? self_id() | ONCE_FORKED : 0,
			 __ATOMIC_RELEASE);
}

/* The kernel wiped the private region: set the image up again. */
static void fork_child(void)
{
	unsigned int prepared = binder.fork_prepared;
	int f;

	if (once_done(&binder.state) && binder.have_image)
		image_start();
	/* A family done after fork_prepare() looked only needs attaching. */
	for (f = 0; f < VLIBC_FAMILIES; f++)
		if (!(prepared & (1u << f)) && once_done(&binder.family_state[f]))
			family_attach(f);
#define VLIBC_BINDER_FAMILY(f)						\
	if (prepared & FAMILY_BIT(f)) vlibc_##f##_fork_child(&binder.image);
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	/* The child has the parent's filter: its fresh state must know. */
	if (vlibc_sandbox_announced()) {
#define VLIBC_BINDER_FAMILY(f)						\
		if (prepared & FAMILY_BIT(f)) vlibc_##f##_sandbox_coming();
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	}
	once_after_fork(&binder.startup_state);
	once_after_fork(&binder.state);
	for (f = 0; f < VLIBC_FAMILIES; f++)
		once_after_fork(&binder.family_state[f]);
}

/* A family without a hook makes only glibc's calls. */
#define VLIBC_BINDER_FAMILY(f)						\
	__attribute__((weak)) void vlibc_##f##_sandbox_coming(void) {}
#include "families.h"
#undef VLIBC_BINDER_FAMILY

/*
 * A seccomp filter or strict mode is about to go in (sandbox.c): every
 * family on vlibc stops, for good, making calls glibc would not make.
 * A family whose start-up another thread runs now is waited for; one not
 * started yet decides later, knowing (vlibc_sandbox_announced()).  The
 * work of this very thread (a signal handler interrupted it) is not
 * waited for: that decision checks for a filter itself.  The flag stays
 * for the process's life and its fork children, which inherit the filter.
 */
void vlibc_sandbox_coming(void)
{
	int f;

	__atomic_store_n(&binder.sandbox_coming, 1, __ATOMIC_RELAXED);
	/* Pairs with the fence in vlibc_sandbox_announced(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (f = 0; f < VLIBC_FAMILIES; f++) {
		once_wait_idle(&binder.family_state[f]);
		if (!once_done(&binder.family_state[f]) || !binder.on_vlibc[f])
			continue;
		switch (f) {
#define VLIBC_BINDER_FAMILY(name)					\
		case VLIBC_FAMILY_##name:				\
			vlibc_##name##_sandbox_coming();		\
			break;
#include "families.h"
#undef VLIBC_BINDER_FAMILY
		default:
			break;
		}
	}
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
	once_run(&binder.startup_state, startup_read, 0, 0);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
