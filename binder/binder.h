/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binder: finds the vlibc image, maps and checks it, and decides once
 * per process, family by family, whether the public libc names bind to
 * the image or to glibc's own definitions.
 */
#ifndef _VLIBC_BINDER_H
#define _VLIBC_BINDER_H

#include <vlibc/abi.h>
#include <vlibc/elf_dyn.h>
#include "image_layout.h"

#define VLIBC_AUXV_MAX		256	/* longs: 127 entries and AT_NULL */
#define VLIBC_PATH_MAX		4096	/* PATH_MAX, with the NUL */
#define VLIBC_ENV_VALUE_MAX	256	/* other variables' values, with the NUL */

/* Families the binder knows; see families.h. */
enum vlibc_family_id {
#define VLIBC_BINDER_FAMILY(name) VLIBC_FAMILY_##name,
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	VLIBC_FAMILIES
};

/* The environment variables the binder reads (and no other). */
enum vlibc_env_var {
	VLIBC_ENV_VLIBC,	/* VLIBC */
	VLIBC_ENV_IMAGE,	/* VLIBC_IMAGE */
	VLIBC_ENV_DISABLE,	/* VLIBC_DISABLE */
	VLIBC_ENV_DEBUG,	/* VLIBC_DEBUG */
	VLIBC_ENV_FAMILY,	/* + enum vlibc_family_id: VLIBC_<FAMILY> */
	VLIBC_ENV_VARS = VLIBC_ENV_FAMILY + VLIBC_FAMILIES
};

enum { VLIBC_ENV_UNSET, VLIBC_ENV_SET, VLIBC_ENV_TOO_LONG };

/* What the process started with. */
struct vlibc_startup {
	unsigned long	auxv[VLIBC_AUXV_MAX];
	int		secure;		/* AT_SECURE: ignore the environment */
	void		*link_map;	/* head of the dynamic linker's list */
	unsigned char	env_state[VLIBC_ENV_VARS];
	char		env_image[VLIBC_PATH_MAX];
	char		env_value[VLIBC_ENV_VARS][VLIBC_ENV_VALUE_MAX];
};

int vlibc_startup_read(struct vlibc_startup *s);
unsigned long vlibc_startup_auxval(const struct vlibc_startup *s,
				   unsigned long type);
/*
 * @var in the initial environment: 0 if unset (always with AT_SECURE), 1
 * with *@value set, -1 if it was too long to keep (the caller must fail
 * towards glibc).
 */
int vlibc_startup_env(const struct vlibc_startup *s, enum vlibc_env_var var,
		      const char **value);
/* Dynamic symbols of the loaded object whose file name starts with @prefix. */
int vlibc_loaded_object(const struct vlibc_startup *s, const char *prefix,
			struct vlibc_elf_dyn *d);
/* Path of the binder itself, as the dynamic linker recorded it. */
const char *vlibc_self_path(const struct vlibc_startup *s);

enum vlibc_image_source {
	VLIBC_IMAGE_NONE,
	VLIBC_IMAGE_KERNEL,	/* mapped at exec, AT_VLIBC */
	VLIBC_IMAGE_FILE,	/* mapped here from a file */
};

struct vlibc_image {
	enum vlibc_image_source	source;
	unsigned long		base;
	struct vlibc_layout	layout;
	struct vlibc_elf_dyn	dyn;
	char			path[VLIBC_PATH_MAX];
};

/*
 * Find, map and check the image: AT_VLIBC, else @env_path, else the
 * installed file, else the file next to the binder.  Returns 0, or
 * -errno with *@why saying what was wrong.
 */
int vlibc_image_find(struct vlibc_image *img, const struct vlibc_startup *s,
		     const char *env_path, const char **why);
/* Address of entry point @name@LINUX_VLIBC_1, NULL if absent. */
void *vlibc_image_sym(const struct vlibc_image *img, const char *name);

/*
 * Each family in families.h provides, by name (bind.c expands families.h
 * into calls to them):
 *
 * vlibc_<f>_decide()	1 to bind to vlibc, 0 to keep glibc's functions
 *			(*@why says why); @variant is VLIBC_<FAMILY> or NULL.
 * vlibc_<f>_attach()	right after decide() chose vlibc (the family's first
 *			call), in the same once.
 * vlibc_<f>_fork_*()	around fork; the child's private region is wiped
 *			and the image was set up again before fork_child().
 * vlibc_<f>_sandbox_coming()	optional (a weak default does nothing): a
 *			seccomp filter is about to go in; from now on make
 *			no call glibc would not make for the same work.
 *			Called for a family on vlibc, after its attach().
 */
#define VLIBC_BINDER_FAMILY(f)							int vlibc_##f##_decide(const struct vlibc_image *img,					       const char *variant, const char **why);		void vlibc_##f##_attach(const struct vlibc_image *img);			void vlibc_##f##_fork_prepare(void);					void vlibc_##f##_fork_parent(void);					void vlibc_##f##_fork_child(const struct vlibc_image *img);
#include "families.h"
#undef VLIBC_BINDER_FAMILY
#define VLIBC_BINDER_FAMILY(f)	void vlibc_##f##_sandbox_coming(void);
#include "families.h"
#undef VLIBC_BINDER_FAMILY

/*
 * For a jump slot (slot.h): the address @name binds to.  @vlibc_impl is what
 * the family binds when it runs on vlibc (an image entry point, or a
 * veneer in the binder); otherwise glibc's own definition of @name.
 * *@final is 0 when the answer holds for this call only (a signal handler
 * interrupted the start-up work on this thread): the slot is not set.
 */
void *vlibc_resolve(const char *name, enum vlibc_family_id f, void *vlibc_impl,
		    int *final);
/* Entry point @entry of the image if family @f runs on vlibc; else NULL. */
void *vlibc_family_entry(enum vlibc_family_id f, const char *entry);
void *vlibc_glibc_sym(const char *name);
/* glibc's @name, for a name no family owns; starts nothing (sandbox.c). */
void *vlibc_glibc_own(const char *name);

/* sandbox.c: a seccomp filter is coming; tell every family on vlibc. */
void vlibc_sandbox_coming(void);
/* Was one announced in this process (or its parent, before the fork)? */
int vlibc_sandbox_announced(void);

/* once.c: pthread_once()'s image entry points found (1) or not (0). */
int vlibc_locks_once_decide(const struct vlibc_image *img);

void vlibc_debug(const char *a, const char *b, const char *c, unsigned long hex);

#endif /* _VLIBC_BINDER_H */
