/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binder: finds the vlibc image, maps and checks it, and decides once
 * per process, family by family, whether the public libc names bind to
 * the image or to glibc's own definitions.
 *
 * The binder is an ordinary shared object: ld.so relocates it (it carries
 * R_X86_64_RELATIVE relocations) before any bound call can reach it, so
 * tables of pointers and strings are fine here (unlike in the image).
 */
#ifndef _BINDER_BINDER_H
#define _BINDER_BINDER_H

#include <stddef.h>
#include <vlibc/abi.h>
#include <vlibc/elf_dyn.h>
#include "image_layout.h"

#define BINDER_AUXV_MAX		256	/* longs: 127 entries and AT_NULL */
#define BINDER_PATH_MAX		4096	/* PATH_MAX, with the NUL */
#define BINDER_ENV_VALUE_MAX	256	/* other variables' values, with the NUL */

/*
 * BINDER_IF_BUILT(binder, ...): the arguments if this binder has the
 * families marked @binder in <vlibc/family-list.h>, else nothing.
 */
#define BINDER_IF_BUILT_ALWAYS(...)	__VA_ARGS__
#ifdef VLIBC_BINDER_WITH_MEMCPY
#define BINDER_IF_BUILT_OPT_IN(...)	__VA_ARGS__
#else
#define BINDER_IF_BUILT_OPT_IN(...)
#endif
#define BINDER_IF_BUILT(binder, ...)	BINDER_IF_BUILT_##binder(__VA_ARGS__)

/* The families this binder has, from <vlibc/family-list.h>. */
enum binder_family_id {
#define VLIBC_FAMILY(name, binder) BINDER_IF_BUILT(binder, BINDER_FAMILY_##name,)
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
	BINDER_FAMILIES
};

/* The environment variables the binder reads (and no other). */
enum binder_env_var {
	BINDER_ENV_VLIBC,	/* VLIBC */
	BINDER_ENV_IMAGE,	/* VLIBC_IMAGE */
	BINDER_ENV_DISABLE,	/* VLIBC_DISABLE */
	BINDER_ENV_DEBUG,	/* VLIBC_DEBUG */
	BINDER_ENV_FAMILY,	/* + enum binder_family_id: VLIBC_<FAMILY> */
	BINDER_ENV_VARS = BINDER_ENV_FAMILY + BINDER_FAMILIES
};

enum { BINDER_ENV_UNSET, BINDER_ENV_SET, BINDER_ENV_TOO_LONG };

/* What the process started with. */
struct binder_startup {
	unsigned long	auxv[BINDER_AUXV_MAX];
	int		secure;		/* AT_SECURE: ignore the environment */
	void		*link_map;	/* head of the dynamic linker's list */
	unsigned char	env_state[BINDER_ENV_VARS];
	char		env_image[BINDER_PATH_MAX];
	char		env_value[BINDER_ENV_VARS][BINDER_ENV_VALUE_MAX];
};

int binder_startup_read(struct binder_startup *s);
unsigned long binder_startup_auxval(const struct binder_startup *s,
				    unsigned long type);
/*
 * @var in the initial environment: 0 if unset (always with AT_SECURE), 1
 * with *@value set, -1 if it was too long to keep (the caller must fail
 * towards glibc).
 */
int binder_startup_env(const struct binder_startup *s, enum binder_env_var var,
		       const char **value);
/* Dynamic symbols of the loaded object whose file name starts with @prefix. */
int binder_loaded_object(const struct binder_startup *s, const char *prefix,
			 struct vlibc_elf_dyn *d);
/* Path of the binder itself, as the dynamic linker recorded it. */
const char *binder_self_path(const struct binder_startup *s);

enum binder_image_source {
	BINDER_IMAGE_NONE,
	BINDER_IMAGE_KERNEL,	/* mapped at exec, AT_VLIBC */
	BINDER_IMAGE_FILE,	/* mapped here from a file */
};

/* The image as this process has it mapped. */
struct binder_image {
	enum binder_image_source source;
	unsigned long		base;
	struct vlibc_layout	layout;
	struct vlibc_elf_dyn	dyn;
	char			path[BINDER_PATH_MAX];
};

/*
 * Find, map and check the image: AT_VLIBC, else @env_path, else the
 * installed file, else the file next to the binder.  Returns 0, or
 * -errno with *@why saying what was wrong.
 */
int binder_image_find(struct binder_image *img, const struct binder_startup *s,
		      const char *env_path, const char **why);
/* Address of entry point @name@LINUX_VLIBC_1, NULL if absent. */
void *binder_image_sym(const struct binder_image *img, const char *name);

/* An image entry point a family needs: its address goes to *@addr. */
struct binder_entry {
	const char	*name;
	void		**addr;
	int		optional;	/* may be absent (an older image): NULL */
};

#define BINDER_ENTRY(field, name)		{ name, (void **)&(field), 0 }
#define BINDER_OPTIONAL_ENTRY(field, name)	{ name, (void **)&(field), 1 }

/*
 * A family of the binder, one per <vlibc/family-list.h> line, defined as
 * binder_<name>_family in binder/<name>.c.  bind.c decides for it, once
 * per process at the first call of one of its names:
 *
 *	VLIBC_DISABLE lists @name, or no usable image:	glibc
 *	an entry point of @entries missing:		glibc
 *	VLIBC_<NAME>=glibc:				glibc
 *	VLIBC_<NAME>=one of @variants (or unset):	decide(img, index)
 *	VLIBC_<NAME>=anything else:	said (VLIBC_DEBUG), decide(img, 0)
 *
 * Every hook is optional (NULL: nothing to do, or 1 for decide), and
 * runs only for a family on vlibc; see the rules in
 * Documentation/dev-tools/vlibc-add-function.rst.
 */
struct binder_family {
	const char			*name;	/* "aio": VLIBC_AIO */
	const struct binder_entry	*entries;	/* ends with { NULL } */
	/* VLIBC_<NAME> values other than glibc, the default first, NULL last. */
	const char *const		*variants;
	/* Instead of matching @variants: read VLIBC_<NAME> (NULL: unset). */
	int	(*parse_variant)(const char *value);	/* 0, or -1 unknown */
	/* 1 to run on vlibc, 0 to keep glibc (*@why says why). */
	int	(*decide)(const struct binder_image *img, int variant,
			  const char **why);
	/* Right after decide() chose vlibc, in the same once, and again in
	 * a fork child whose start-up was not done when the fork came. */
	void	(*attach)(const struct binder_image *img);
	/* Around fork: the child's private region was wiped and the image
	 * set up again before fork_child(). */
	void	(*fork_prepare)(void);
	void	(*fork_parent)(void);
	void	(*fork_child)(const struct binder_image *img);
	/* A seccomp filter is about to go in: from now on make no call
	 * glibc would not make for the same work.  After attach(). */
	void	(*sandbox_coming)(void);
	/*
	 * The process's first @warmup_calls calls of the family's names go
	 * to glibc's own functions, with nothing decided (the first maps the
	 * image, binder_prepare()): for a family whose own set-up costs more
	 * than a few calls save (0: decide at the first call).
	 */
	unsigned int	warmup_calls;
	/*
	 * Bind at the process's first pthread_create(), not at the first
	 * call: until then every name goes to glibc's own function (or the
	 * slot's single-threaded target, slot.h) and nothing is set up but
	 * the image, at the first call (binder_prepare()).
	 * first_thread() runs then, before the family is set up, on the one
	 * thread the process has (optional).
	 */
	int	bind_at_first_thread;
	void	(*first_thread)(void);
};

#define VLIBC_FAMILY(name, binder)					\
	BINDER_IF_BUILT(binder, extern const struct binder_family binder_##name##_family;)
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY

/*
 * For a jump slot (slot.h): the address @name binds to.  @vlibc_impl is what
 * the family binds when it runs on vlibc (an image entry point, or a
 * veneer in the binder); otherwise glibc's own definition of @name.
 * *@final is 0 when the answer holds for this call only (a signal handler
 * interrupted the start-up work on this thread): the slot is not set.
 */
void *binder_resolve(const char *name, enum binder_family_id f,
		     void *vlibc_impl, int *final);
/*
 * A call of a family's name, before or without its set-up: the
 * process-wide start-up runs now if it has not (once for the process):
 * the seccomp check, and finding, mapping and checking the image, which
 * take open() and other calls glibc would not make for the same work.  A
 * family that defers its own set-up (its warm-up, the wait for the first
 * thread) then makes none of those when it sets up: a seccomp filter
 * installed in between, unannounced, cannot kill the process on them.
 */
void binder_prepare(void);
/*
 * Is family @f still warming up (struct binder_family's warmup_calls)?
 * Counts this call; 0 once the family is decided or a sandbox came.
 */
int binder_warming_up(enum binder_family_id f);
/*
 * Does family @f wait for the process's first thread (struct
 * binder_family's bind_at_first_thread) and has none come yet?
 * Lock-free and system-call-free.
 */
int binder_before_threads(enum binder_family_id f);
/*
 * Before the first thread: set *@slot, if still at its lazy stub @lazy, to
 * @single_fn, or to glibc's own @name with NULL; returns the target now
 * in the slot (binder_threads_start()'s, if it won the slot).
 */
void *binder_bind_single(void **slot, void *lazy, const char *name,
			 void *single_fn);
/*
 * threads.c, before the process's first thread through pthread_create():
 * set up the families that waited for it and bind their slots for good.
 */
void binder_threads_start(void);
/* Entry point @entry of the image if family @f runs on vlibc; else NULL. */
void *binder_family_entry(enum binder_family_id f, const char *entry);
void *binder_glibc_sym(const char *name);
/* glibc's @name, for a name no family owns; starts nothing (sandbox.c). */
void *binder_glibc_own(const char *name);

/* sandbox.c: a seccomp filter is coming; tell every family on vlibc. */
void binder_sandbox_coming(void);
/* Was one announced in this process (or its parent, before the fork)? */
int binder_sandbox_announced(void);

/* once.c: pthread_once()'s image entry points found (1) or not (0). */
int binder_locks_once_decide(const struct binder_image *img);
/* once.c: the first thread comes; glibc's onces under way keep it on glibc. */
void binder_locks_once_first_thread(void);

void binder_debug(const char *a, const char *b, const char *c,
		  unsigned long hex);

/* The counters (stat.c). */
void binder_stat_init(void);
void binder_stat_attach(const struct binder_image *img, int own_slot);
unsigned int binder_image_family(int f);
void binder_stat_family(int f, int bound, const char *why);
void binder_stat_fork_child(void);

#endif /* _BINDER_BINDER_H */
