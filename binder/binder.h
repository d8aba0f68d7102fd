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

#define VLIBC_AUXV_MAX		128	/* longs: 64 entries */
#define VLIBC_PATH_MAX		4096	/* PATH_MAX */

/* What the process started with, read without libc. */
struct vlibc_startup {
	unsigned long	auxv[VLIBC_AUXV_MAX];
	int		secure;		/* AT_SECURE: ignore the environment */
	char		**envp;		/* the initial environment, or NULL */
	char		env[2048];	/* copies of its VLIBC* entries */
	void		*link_map;	/* head of the dynamic linker's list */
};

int vlibc_startup_read(struct vlibc_startup *s);
unsigned long vlibc_startup_auxval(const struct vlibc_startup *s,
				   unsigned long type);
/* Value of @name in the initial environment; NULL if unset or secure. */
const char *vlibc_startup_env(const struct vlibc_startup *s, const char *name);
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

/* Families the binder knows; see families.h. */
enum vlibc_family_id {
#define VLIBC_BINDER_FAMILY(name) VLIBC_FAMILY_##name,
#include "families.h"
#undef VLIBC_BINDER_FAMILY
	VLIBC_FAMILIES
};

/*
 * Each family in families.h provides, by name (no tables of pointers: the
 * decision runs before the binder is relocated):
 *
 * vlibc_<f>_decide()	1 to bind to vlibc, 0 to keep glibc's functions
 *			(*@why says why); @variant is VLIBC_<FAMILY> or NULL.
 * vlibc_<f>_attach()	once the binder is relocated (its constructor).
 * vlibc_<f>_fork_*()	around fork; the child's private region is wiped
 *			and the image was set up again before fork_child().
 */
#define VLIBC_BINDER_FAMILY(f)							int vlibc_##f##_decide(const struct vlibc_image *img,					       const char *variant, const char **why);		void vlibc_##f##_attach(const struct vlibc_image *img);			void vlibc_##f##_fork_prepare(void);					void vlibc_##f##_fork_parent(void);					void vlibc_##f##_fork_child(const struct vlibc_image *img);
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

/* once.c: pthread_once()'s image entry points found (1) or not (0). */
int vlibc_locks_once_decide(const struct vlibc_image *img);

void vlibc_debug(const char *a, const char *b, const char *c, unsigned long hex);

#endif /* _VLIBC_BINDER_H */
