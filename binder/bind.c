// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up decisions and binding.
 *
 * The first call through a jump slot (slot.h) reads the start-up facts,
 * finds the image and lets each family decide, once for the process,
 * whether it runs on vlibc; then that slot, and each other slot at its
 * own first call, is bound.  A family that waits for the process's
 * first thread (the locks family) is served by glibc until then and
 * decides in binder_threads_start(); one that warms up (getrandom), after
 * its warm-up.  Either maps the image at its first call all the same
 * (binder_prepare()), so that its late set-up opens nothing: a seccomp
 * filter may have come in between.  The code up to the decision reads only what
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
#include <errno.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/single_threaded.h>
#include <unistd.h>
#include <vlibc/stat-abi.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"
#include <binder/arch/cpu.h>

/*
 * A work word: 0 (not started), WORK_DONE, or the thread pointer of the
 * thread running it.  The owner is set in the same atomic step that
 * starts the work, so a signal handler that interrupts the work on the
 * same thread and calls a bound name is recognised, and served by glibc
 * for that call, instead of waiting for itself.
 *
 * (WORK_DONE is no pthread_once_t value: see <vlibc/locks.h> for those.)
 * The work has two parts: @decide (find, map, choose: nothing in the
 * private region) and @setup (fill in the private region).  A signal
 * handler may fork while its own thread is inside either part; the fork
 * handlers do not wait for that work (it would never finish) and the
 * child marks the word WORK_FORKED.  When the handler returns, the work
 * goes on in the parent as if nothing happened, and in the child too; the
 * kernel wiped the child's private region, so the owner runs @setup
 * again whenever it finds the mark, until it publishes WORK_DONE.
 */
#define WORK_DONE	1UL
#define WORK_FORKED	2UL	/* or-ed into the owner: forked under way */
#define WORK_WAITERS	4UL	/* or-ed into the owner: someone sleeps on it */
#define WORK_FLAGS	(WORK_FORKED | WORK_WAITERS)

static unsigned long self_id(void)
{
	return (unsigned long)__builtin_thread_pointer();
}

static int once_mine(unsigned long w)
{
	return w != WORK_DONE && (w & ~WORK_FLAGS) == self_id();
}

/*
 * Sleep until another thread's work on @word moves on from @w.  In
 * futex(2) on the word's low half (__arch_word_low32(): it holds the
 * flags and changes at every step), as glibc's own locks wait: a sandbox that
 * allows what glibc makes allows this (sched_yield() it may not).
 */
static void once_sleep(unsigned long *word, unsigned long w)
{
	if (!(w & WORK_WAITERS) &&
	    !__atomic_compare_exchange_n(word, &w, w | WORK_WAITERS, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	vlibc_futex_wait(__arch_word_low32(word), (uint32_t)(w | WORK_WAITERS), NULL);
}

/* Publish WORK_DONE unless a fork marked the work; 0 if it must run again. */
static int once_publish(unsigned long *word)
{
	unsigned long w = __atomic_load_n(word, __ATOMIC_RELAXED);

	do {
		if (w & WORK_FORKED)
			return 0;
	} while (!__atomic_compare_exchange_n(word, &w, WORK_DONE, 0,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (w & WORK_WAITERS)
		vlibc_futex_wake(__arch_word_low32(word), 0x7fffffff);
	return 1;
}

static int once_run(unsigned long *word, void (*decide)(int),
		    void (*setup)(int), int arg)
{
	unsigned long self = self_id(), w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w == WORK_DONE)
		return 0;
	if (once_mine(w))
		return -EDEADLK;
	w = 0;
	if (__atomic_compare_exchange_n(word, &w, self, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		decide(arg);
		do {
			__atomic_and_fetch(word, ~WORK_FORKED, __ATOMIC_RELAXED);
			if (setup)
				setup(arg);
		} while (!once_publish(word));
		return 0;
	}
	while ((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != WORK_DONE) {
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
	       w != WORK_DONE && !once_mine(w))
		once_sleep(word, w);
}

static int once_done(unsigned long *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE) == WORK_DONE;
}

static struct {
	unsigned long		state;
	int			debug;
	int			have_image;
	unsigned char		on_vlibc[BINDER_FAMILIES];
	/* Why a family is on glibc, for the counter header (stat.c). */
	char			why[BINDER_FAMILIES][VLIBC_STAT_WHY_LEN];
	unsigned long		family_state[BINDER_FAMILIES];
	/* Calls served by glibc while a family warms up. */
	unsigned long		warmup_calls[BINDER_FAMILIES];
	/* A call of the family was served by glibc during the warm-up. */
	unsigned char		waited[BINDER_FAMILIES];
	unsigned long		startup_state;
	int			startup_ok;
	/* Families whose fork_prepare() ran: fork_parent()/_child() match. */
	unsigned int		fork_prepared;
	struct binder_startup	startup;
	struct binder_image	image;
	struct vlibc_elf_dyn	libc;
	int			have_libc;
	long			(*image_init)(const struct vlibc_init_args *);
	/*
	 * The image's families (bit N: family N of <vlibc/family-list.h>)
	 * that the system libc binds itself (image_start()); the binder
	 * leaves them, the image's set-up and the counters' slot to it.
	 */
	unsigned int		libc_families;
	/* A seccomp filter or strict mode was announced (sandbox.c). */
	int			sandbox_coming;
	/*
	 * The process has had a second thread (binder_threads_start()), or
	 * had one when the binder was loaded: the families bound at the
	 * first thread are set up and bound.
	 */
	int			threaded;
} binder;

/* The families of this binder, in <vlibc/family-list.h> order. */
static const struct binder_family *const families[BINDER_FAMILIES] = {
#define VLIBC_FAMILY(name, binder)					\
	BINDER_IF_BUILT(binder, [BINDER_FAMILY_##name] = &binder_##name##_family,)
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
};

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
	binder_append(out, 20, tmp + i);
}

/* "vlibc: a b c [0xhex]" on stderr, in one write, allocating nothing. */
static void say(const char *a, const char *b, const char *c, unsigned long hex)
{
	char line[512] = "vlibc: ", num[20];

	binder_append(line, sizeof(line), a);
	if (b) {
		binder_append(line, sizeof(line), " ");
		binder_append(line, sizeof(line), b);
	}
	if (c) {
		binder_append(line, sizeof(line), " ");
		binder_append(line, sizeof(line), c);
	}
	if (hex) {
		put_hex(num, hex);
		binder_append(line, sizeof(line), " ");
		binder_append(line, sizeof(line), num);
	}
	binder_append(line, sizeof(line), "\n");
	sys_write(2, line, binder_strlen(line));
}

/* say() when VLIBC_DEBUG is set. */
void binder_debug(const char *a, const char *b, const char *c, unsigned long hex)
{
	if (binder.debug)
		say(a, b, c, hex);
}

/*
 * VLIBC_DEBUG set and not "0" (or too long to keep); never with AT_SECURE,
 * whose environment the binder does not read.
 */
static int debug_wanted(void)
{
	const char *dbg;
	int r = binder_startup_env(&binder.startup, BINDER_ENV_DEBUG, &dbg);

	return r < 0 || (r > 0 && dbg[0] && !binder_streq(dbg, "0"));
}

/* Is @name in the comma-separated @list? */
static int listed(const char *list, const char *name)
{
	const char *rest;

	while (list && *list) {
		if (binder_prefix(list, name, &rest) && (*rest == ',' || !*rest))
			return 1;
		while (*list && *list != ',')
			list++;
		if (*list == ',')
			list++;
	}
	return 0;
}

/*
 * A libc that binds families of the kernel's image itself (glibc with
 * vlibc's patches, Documentation/admin-guide/vlibc-glibc.rst) sets the
 * image up its own way and keeps the counters' per-thread slot: it
 * exports __libc_vlibc_start@GLIBC_PRIVATE, which starts the image as
 * libc does and returns the families libc binds (bit N: family N), or
 * -1.  Found in libc.so's own symbol table, without dlsym (which may
 * allocate, and this may run inside malloc's lock).  NULL: not such a
 * libc, or the image is not the kernel's (then libc does not use it).
 */
static int (*libc_vlibc_start(void))(void)
{
	if (binder.image.source != BINDER_IMAGE_KERNEL ||
	    !__atomic_load_n(&binder.have_libc, __ATOMIC_ACQUIRE))
		return 0;
	return vlibc_elf_dyn_lookup(&binder.libc, "__libc_vlibc_start",
				    "GLIBC_PRIVATE", 0);
}

/*
 * Sets the image's private region up (again after a fork): through the
 * system libc where it owns the image, else with __vlibc_init and this
 * binder's counter slot.
 */
static int image_start(void)
{
	struct vlibc_init_args args = {
		.size = sizeof(args),
		.auxv = binder.startup.auxv,
	};
	int (*libc_start)(void) = libc_vlibc_start();
	long r;

	if (libc_start) {
		r = libc_start();
		if (r < 0)
			return -ENOEXEC;
		binder.libc_families = r;
		binder_stat_attach(&binder.image, 0);
		return 0;
	}
	binder.image_init = binder_image_sym(&binder.image, "__vlibc_init");
	r = binder.image_init ? binder.image_init(&args) : -ENOEXEC;
	if (r >= 0)
		binder_stat_attach(&binder.image, 1);
	return r;
}

/* @a @b @c in @buf of @size (cut to fit); @upper: @b upper-cased. */
static const char *join(char *buf, size_t size, const char *a, const char *b,
			int upper, const char *c)
{
	size_t n;

	buf[0] = 0;
	binder_append(buf, size, a);
	n = binder_strlen(buf);
	for (; *b && n + 1 < size; b++)
		buf[n++] = (upper && *b >= 'a' && *b <= 'z') ? *b - 32 : *b;
	buf[n] = 0;
	binder_append(buf, size, c);
	return buf;
}

/* Find @fam's entry points in the image; 0 if one it needs is missing. */
static int find_entries(const struct binder_family *fam)
{
	const struct binder_entry *e;

	for (e = fam->entries; e && e->name; e++) {
		*e->addr = binder_image_sym(&binder.image, e->name);
		if (!*e->addr && !e->optional)
			return 0;
	}
	return 1;
}

/* Index of VLIBC_<NAME>=@value in @fam's variants; unset: 0; -1: unknown. */
static int variant_index(const struct binder_family *fam, const char *value)
{
	int i;

	if (fam->parse_variant)
		return fam->parse_variant(value);
	if (!value || !*value)
		return 0;
	for (i = 0; fam->variants && fam->variants[i]; i++)
		if (binder_streq(value, fam->variants[i]))
			return i;
	return -1;
}

/*
 * What every family has in common (see struct binder_family), then the
 * family's own decide().  @buf holds a composed *@why.
 */
static int family_choose(const struct binder_family *fam, const char *value,
			 char *buf, size_t size, const char **why)
{
	char unknown[48], dflt[48];
	int variant;

	if (!find_entries(fam)) {
		*why = join(buf, size, "image lacks the ", fam->name, 0,
			    " entry points");
		return 0;
	}
	if (value && binder_streq(value, "glibc")) {
		*why = join(buf, size, "VLIBC_", fam->name, 1, "=glibc");
		return 0;
	}
	variant = variant_index(fam, value);
	if (variant < 0) {
		binder_debug(join(unknown, sizeof(unknown), "", fam->name, 0,
				  ": unknown variant"), value,
			     join(dflt, sizeof(dflt), "(using ",
				  fam->variants ? fam->variants[0] : "the default",
				  0, ")"), 0);
		variant = 0;
	}
	return fam->decide ? fam->decide(&binder.image, variant, why) : 1;
}

/*
 * VLIBC_DISABLE lists the family, or VLIBC_DISABLE or VLIBC_<FAMILY> was
 * too long to keep (the safe reading: glibc): glibc; else choose.
 */
static void family_decide(int f)
{
	const struct binder_family *fam = families[f];
	const char *disabled, *variant, *why = "disabled by VLIBC_DISABLE";
	int d = binder_startup_env(&binder.startup, BINDER_ENV_DISABLE, &disabled);
	int v = binder_startup_env(&binder.startup, BINDER_ENV_FAMILY + f, &variant);
	char buf[64];

	if (binder.libc_families & (1u << binder_image_family(f)))
		why = "bound by libc itself";
	else if (d < 0 || v < 0)
		why = "a VLIBC variable too long to read";
	else if (!listed(disabled, fam->name))
		binder.on_vlibc[f] = family_choose(fam, variant, buf, sizeof(buf), &why);
	binder_debug("family", fam->name, binder.on_vlibc[f] ? "-> vlibc" : why, 0);
	binder.why[f][0] = 0;
	if (!binder.on_vlibc[f])
		binder_append(binder.why[f], sizeof(binder.why[f]), why);
	binder_stat_family(f, binder.on_vlibc[f], binder.why[f]);
}

int binder_sandbox_announced(void)
{
	/* Pairs with the fence in binder_sandbox_coming(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&binder.sandbox_coming, __ATOMIC_RELAXED);
}

/*
 * The family's part of the private region (again after a fork); a family
 * set up after a sandbox was announced is told at once.
 */
static void family_attach(int f)
{
	const struct binder_family *fam = families[f];

	if (!binder.on_vlibc[f])
		return;
	if (fam->attach)
		fam->attach(&binder.image);
	if (binder_sandbox_announced() && fam->sandbox_coming)
		fam->sandbox_coming();
}

static int binder_init_once(void);

/*
 * Each family decides at the first call of one of its names, once for
 * the process, so that a process pays only for the families it uses.
 * -EDEADLK: this thread is inside that work already (signal handler).
 */
static int family_ready(enum binder_family_id f)
{
	int r = binder_init_once();

	if (r || !binder.have_image)
		return r;
	return once_run(&binder.family_state[f], family_decide, family_attach, f);
}

/* Read at the latest in the constructor, before main() can touch the stack. */
static void startup_read(int unused)
{
	binder.startup_ok = !binder_startup_read(&binder.startup);
}

/*
 * Find and map the image; nothing in its private region yet.  A variable
 * too long to keep reads as the safe choice: VLIBC (not "off" or "0", but
 * unknown) as off, VLIBC_IMAGE as an image that cannot be mapped.
 */
static void binder_start(int unused)
{
	const char *off, *why = 0, *path;
	int r;

	if (!binder.startup_ok)
		return;
	binder.debug = debug_wanted();
	__atomic_store_n(&binder.have_libc,
			 !binder_loaded_object(&binder.startup, "libc.so.", &binder.libc),
			 __ATOMIC_RELEASE);
	r = binder_startup_env(&binder.startup, BINDER_ENV_VLIBC, &off);
	if (r < 0 || (r > 0 && (binder_streq(off, "off") || binder_streq(off, "0")))) {
		binder_debug("off (VLIBC=off): glibc for every family", 0, 0, 0);
		return;
	}
	r = binder_startup_env(&binder.startup, BINDER_ENV_IMAGE, &path);
	if (r < 0) {
		binder_debug("no image: VLIBC_IMAGE is longer than PATH_MAX", 0, 0, 0);
		return;
	}
	r = binder_image_find(&binder.image, &binder.startup, path, &why);
	if (r) {
		binder_debug("no image:", why, binder.image.path[0] ? binder.image.path : 0, 0);
		return;
	}
	binder.have_image = 1;
	binder_debug("image", binder.image.path,
		    binder.image.source == BINDER_IMAGE_KERNEL ? "(kernel) at" :
		    "(file) at", binder.image.base);
}

/* The image's own set-up of its private region (again after a fork). */
static void binder_start_private(int unused)
{
	if (!binder.have_image || image_start() >= 0)
		return;
	binder.have_image = 0;
	binder_debug("no image: __vlibc_init failed", binder.image.path, 0, 0);
	if (binder.image.source == BINDER_IMAGE_FILE)
		sys_munmap((void *)binder.image.base, binder.image.layout.span);
}

/* 0 once the process-wide start-up is done; -EDEADLK inside it. */
static int binder_init_once(void)
{
	int r = once_run(&binder.startup_state, startup_read, 0, 0);

	return r ? r : once_run(&binder.state, binder_start, binder_start_private, 0);
}

void binder_prepare(void)
{
	/* -EDEADLK (a signal handler inside this work): the next call. */
	binder_init_once();
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

void *binder_glibc_sym(const char *name)
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
void *binder_glibc_own(const char *name)
{
	struct vlibc_elf_dyn libc;
	int have = !once_run(&binder.startup_state, startup_read, 0, 0) &&
		   binder.startup_ok &&
		   !binder_loaded_object(&binder.startup, "libc.so.", &libc);
	void *p = libc_lookup(have ? &libc : 0, name);

	return p ? p : (void *)unbound_name;
}

void *binder_family_entry(enum binder_family_id f, const char *entry)
{
	if (family_ready(f))
		return 0;
	return binder.on_vlibc[f] ? binder_image_sym(&binder.image, entry) : 0;
}

/*
 * Lock-free and system-call-free, for any thread or signal handler: a
 * call counted here goes to glibc's function, which is what the process
 * would have called without the binder.  Threads racing past the limit
 * all go on to the family's once.
 */
int binder_warming_up(enum binder_family_id f)
{
	unsigned int limit = families[f]->warmup_calls;

	if (!limit || once_done(&binder.family_state[f]))
		return 0;
	__atomic_store_n(&binder.waited[f], 1, __ATOMIC_RELAXED);
	return __atomic_fetch_add(&binder.warmup_calls[f], 1, __ATOMIC_RELAXED) < limit;
}

int binder_before_threads(enum binder_family_id f)
{
	if (!families[f]->bind_at_first_thread ||
	    __atomic_load_n(&binder.threaded, __ATOMIC_ACQUIRE))
		return 0;
	/* Used: a filter announced now sets the family up (sandbox.c). */
	__atomic_store_n(&binder.waited[f], 1, __ATOMIC_RELAXED);
	return 1;
}

void *binder_bind_single(void **slot, void *lazy, const char *name,
			 void *single_fn)
{
	void *target = single_fn ? single_fn : binder_glibc_own(name);

	if (!__atomic_compare_exchange_n(slot, &lazy, target, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		target = lazy;
	return target;
}

extern const struct binder_slot_desc __start_binder_slots[], __stop_binder_slots[]
	__attribute__((visibility("hidden")));

/*
 * The process is about to get its second thread, so its locks can now be
 * contended: set up each family that waited for this (mapping the image
 * if need be; a sandbox refusing that leaves it on glibc for good), then
 * mark the process threaded, so that a lazy slot resolves for good, then
 * bind every slot of those families, one atomic store each.  A signal
 * handler that calls a name between two stores gets glibc's function or
 * the family's, which keep the same words the same way.  The process has
 * one thread here (or others that glibc started itself, whose calls meet
 * the same protocols); a second caller (one of those) does the same work
 * again, which changes nothing: first_thread() only ever moves one way,
 * family_ready() runs once, and every slot gets the same target.
 */
void binder_threads_start(void)
{
	const struct binder_slot_desc *d;
	int f;

	if (__atomic_load_n(&binder.threaded, __ATOMIC_ACQUIRE))
		return;
	for (f = 0; f < BINDER_FAMILIES; f++)
		if (families[f]->bind_at_first_thread && families[f]->first_thread)
			families[f]->first_thread();
	for (f = 0; f < BINDER_FAMILIES; f++)
		if (families[f]->bind_at_first_thread)
			family_ready(f);
	__atomic_store_n(&binder.threaded, 1, __ATOMIC_RELEASE);
	for (d = __start_binder_slots; d < __stop_binder_slots; d++)
		if (d->family >= 0 && families[d->family]->bind_at_first_thread)
			d->bind();
}

void *binder_resolve(const char *name, enum binder_family_id f, void *vlibc_impl,
		    int *final)
{
	void *p;

	*final = !family_ready(f);
	if (*final && binder.on_vlibc[f] && vlibc_impl) {
		binder_debug("bind", name, "-> vlibc", (unsigned long)vlibc_impl);
		return vlibc_impl;
	}
	p = binder_glibc_sym(name);
	binder_debug("bind", name, "-> glibc", (unsigned long)p);
	return p ? p : (void *)unbound_name;
}

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
	for (f = 0; f < BINDER_FAMILIES; f++) {
		once_wait_idle(&binder.family_state[f]);
		if (once_done(&binder.family_state[f]) && binder.on_vlibc[f])
			prepared |= 1u << f;
	}
	binder.fork_prepared = prepared;
	for (f = 0; f < BINDER_FAMILIES; f++)
		if ((prepared & (1u << f)) && families[f]->fork_prepare)
			families[f]->fork_prepare();
}

static void fork_parent(void)
{
	unsigned int prepared = binder.fork_prepared;
	int f;

	for (f = 0; f < BINDER_FAMILIES; f++)
		if ((prepared & (1u << f)) && families[f]->fork_parent)
			families[f]->fork_parent();
}

/*
 * Work under way in the child: this thread's goes on when its signal
 * handler returns and sets the private region up again (WORK_FORKED);
 * another thread's, begun after fork_prepare() looked, belongs to a
 * thread the child does not have: start it again.
 */
static void once_after_fork(unsigned long *word)
{
	unsigned long w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (w == 0 || w == WORK_DONE)
		return;
	__atomic_store_n(word, once_mine(w) ? self_id() | WORK_FORKED : 0,
			 __ATOMIC_RELEASE);
}

/* The kernel wiped the private region: set the image up again. */
static void fork_child(void)
{
	unsigned int prepared = binder.fork_prepared;
	int f;

	binder_stat_fork_child();
	if (once_done(&binder.state) && binder.have_image)
		image_start();
	for (f = 0; f < BINDER_FAMILIES; f++)
		if (once_done(&binder.family_state[f]))
			binder_stat_family(f, binder.on_vlibc[f], binder.why[f]);
	/* A family done after fork_prepare() looked only needs attaching. */
	for (f = 0; f < BINDER_FAMILIES; f++)
		if (!(prepared & (1u << f)) && once_done(&binder.family_state[f]))
			family_attach(f);
	for (f = 0; f < BINDER_FAMILIES; f++)
		if ((prepared & (1u << f)) && families[f]->fork_child)
			families[f]->fork_child(&binder.image);
	/* The child has the parent's filter: its fresh state must know. */
	if (binder_sandbox_announced())
		for (f = 0; f < BINDER_FAMILIES; f++)
			if ((prepared & (1u << f)) && families[f]->sandbox_coming)
				families[f]->sandbox_coming();
	once_after_fork(&binder.startup_state);
	once_after_fork(&binder.state);
	for (f = 0; f < BINDER_FAMILIES; f++)
		once_after_fork(&binder.family_state[f]);
}

/*
 * A seccomp filter or strict mode is about to go in (sandbox.c): every
 * family on vlibc stops, for good, making calls glibc would not make.
 * A family whose start-up another thread runs now is waited for; one not
 * started yet decides later, knowing (binder_sandbox_announced()).  The
 * work of this very thread (a signal handler interrupted it) is not
 * waited for: that decision checks for a filter itself.  The flag stays
 * for the process's life and its fork children, which inherit the filter.
 */
void binder_sandbox_coming(void)
{
	int f;

	/*
	 * A family the process used during its warm-up (or before its
	 * first thread) is set up now, as if the wait had ended, and
	 * switches below as any set-up family.  Its first call mapped the
	 * image (binder_prepare()); its set-up opens nothing.  A filter
	 * installed without glibc's prctl()/syscall() comes unannounced:
	 * the family meets it through its own calls' refusals.
	 */
	for (f = 0; f < BINDER_FAMILIES; f++)
		if (__atomic_load_n(&binder.waited[f], __ATOMIC_RELAXED) &&
		    !once_done(&binder.family_state[f])) {
			__atomic_store_n(&binder.warmup_calls[f], ~0UL >> 1,
					 __ATOMIC_RELAXED);
			family_ready(f);
		}
	__atomic_store_n(&binder.sandbox_coming, 1, __ATOMIC_RELAXED);
	/* Pairs with the fence in binder_sandbox_announced(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (f = 0; f < BINDER_FAMILIES; f++) {
		once_wait_idle(&binder.family_state[f]);
		if (once_done(&binder.family_state[f]) && binder.on_vlibc[f] &&
		    families[f]->sandbox_coming)
			families[f]->sandbox_coming();
	}
}

/*
 * Where @name is bound in this process: an address in the image, in the
 * binder (a veneer) or in glibc.  NULL for a name the binder does not
 * bind.  For tests and diagnostics: binds at once, past a warm-up; for a
 * family that waits for the first thread, before it, says what its first
 * call would bind, and binds and maps nothing (that call still maps the
 * image, binder_prepare()).
 */
__attribute__((visibility("default")))
void *vlibc_binder_bound(const char *name)
{
	const struct binder_slot_desc *d;

	for (d = __start_binder_slots; d < __stop_binder_slots; d++)
		if (binder_streq(d->name, name))
			return d->family >= 0 && binder_before_threads(d->family) ?
			       d->single() : d->bind();
	return 0;
}

/*
 * _Fork() (glibc 2.34) runs no fork handler, but its child has the wiped
 * private region all the same: left alone, the image would go on there
 * without glibc's functions (robust and priority mutexes refused), the
 * AIO family's threads (notifications only while the program calls in,
 * pipe writes on the ring, where SIGPIPE kills) and with the parent's
 * ring descriptor inherited.  So the binder's own handlers run around it,
 * as around fork(); they are made for a fork from a signal handler too,
 * which is what _Fork() is for.  glibc's fork() calls its own _Fork()
 * directly, not this one.
 */
__attribute__((visibility("default")))
pid_t _Fork(void)
{
	static pid_t (*glibc_fork)(void);
	pid_t (*fn)(void) = __atomic_load_n(&glibc_fork, __ATOMIC_RELAXED);
	pid_t pid;
	int saved;

	if (!fn) {
		fn = (pid_t (*)(void))binder_glibc_own("_Fork");
		if (!fn) {
			errno = ENOSYS;
			return -1;
		}
		__atomic_store_n(&glibc_fork, fn, __ATOMIC_RELAXED);
	}
	fork_prepare();
	pid = fn();
	saved = errno;
	if (pid == 0)
		fork_child();
	else
		fork_parent();
	errno = saved;
	return pid;
}

/*
 * Nothing is found, mapped or decided before the first bound call: a
 * process that never calls a bound name pays only for the preload and
 * for reading its auxiliary vector and VLIBC* environment.  With
 * VLIBC_DEBUG, one line says that the binder is there all the same.
 */
__attribute__((constructor)) static void binder_constructor(void)
{
	once_run(&binder.startup_state, startup_read, 0, 0);
	binder_stat_init();
	/* Loaded into a process with threads already: bind as at any call. */
	if (!__atomic_load_n(&__libc_single_threaded, __ATOMIC_RELAXED))
		__atomic_store_n(&binder.threaded, 1, __ATOMIC_RELEASE);
	if (binder.startup_ok && debug_wanted())
		say("binder", binder_self_path(&binder.startup),
		    "loaded: each family decides at its first bound call"
		    " (locks: at the first thread)", 0);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
