/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jump slots: how the binder puts a public libc name in front of glibc's.
 *
 * The binder exports NAME as a plain function whose only instruction is an
 * indirect jump through binder_slot_NAME.  The slot starts at a lazy stub;
 * the first call decides (binder_resolve()) and stores the target there:
 * an image entry point (direct binding: the application's call lands in
 * the image with no call layer in between), a veneer in the binder, or
 * glibc's own NAME when the family falls back.
 *
 * Why not GNU indirect functions: the dynamic linker relocates a preloaded
 * object after the libraries, so every BIND_NOW library that references an
 * IFUNC of the binder (libuuid, libsystemd, ...) makes ld.so print
 * "Relink `lib' with `libvlibc.so' for IFUNC symbol" on every start.
 * A predicted indirect jump measured no slower than an IFUNC-resolved PLT
 * target here (see Documentation/userspace-api/vlibc.rst).
 */
#ifndef _BINDER_SLOT_H
#define _BINDER_SLOT_H

#include <errno.h>
#include "binder.h"
#include <binder/arch/slot.h>

/*
 * One per slot, collected in section binder_slots (see vlibc_binder_bound()
 * and binder_threads_start()).
 */
struct binder_slot_desc {
	const char	*name;
	void		*(*bind)(void);
	/*
	 * Before the process's first thread, for a family that waits for
	 * it: what the lazy stub would bind, neither bound nor mapped.
	 */
	void		*(*single)(void);
	int		family;		/* enum binder_family_id, or -1 */
};

/*
 * The slot, its lazy stub and its descriptor; binder_bind_NAME (what the
 * stub calls), @bind_now (binds at once) and @single (NULL for a slot of
 * no family), both for vlibc_binder_bound() and declared before, are the
 * caller's.  @family: the enum binder_family_id owning the name, or -1.
 */
#define BINDER_SLOT_DATA(name, bind_now, single, family)		\
	extern char binder_lazy_##name[] __attribute__((visibility("hidden"))); \
	__attribute__((visibility("hidden"), used))			\
	void *binder_slot_##name = binder_lazy_##name;			\
	__attribute__((visibility("hidden"), used))			\
	void *binder_bind_##name(void);					\
	static const struct binder_slot_desc binder_slot_desc_##name	\
	__attribute__((used, section("binder_slots"), aligned(sizeof(void *)))) = { \
		#name, bind_now, single, family				\
	}

/*
 * The first call of @name maps the image (binder_prepare(), once for the
 * process).  While family @family warms up (binder_warming_up()), a call
 * is served by glibc's own @name and the slot stays lazy; after that, the
 * first call decides and binds.  Until the process's first thread, a
 * family bound at the first thread (binder_before_threads()) has the slot
 * set to @single_fn (a binder function that forwards to glibc's own
 * @name), or with NULL to glibc's own @name; binder_threads_start() binds
 * it for good.
 */
#define BINDER_SLOT_THREADED(name, family, target_expr, single_fn)	\
	static void *binder_resolve_##name(void);			\
	static void *binder_single_##name(void);			\
	BINDER_SLOT_DATA(name, binder_resolve_##name, binder_single_##name, \
			 BINDER_FAMILY_##family);			\
	static void *binder_resolve_##name(void)			\
	{								\
		int final;						\
		void *target = binder_resolve(#name, BINDER_FAMILY_##family, \
					      (target_expr), &final);	\
		if (final)						\
			__atomic_store_n(&binder_slot_##name, target,	\
					 __ATOMIC_RELEASE);		\
		return target;						\
	}								\
	static void *binder_single_##name(void)				\
	{								\
		void *fn = (single_fn);					\
									\
		return fn ? fn : binder_glibc_own(#name);		\
	}								\
	void *binder_bind_##name(void)					\
	{								\
		static void *glibc_own;					\
		void *target;						\
									\
		binder_prepare();					\
		if (binder_before_threads(BINDER_FAMILY_##family))	\
			return binder_bind_single(&binder_slot_##name,	\
						  binder_lazy_##name, #name, \
						  (single_fn));		\
		if (!binder_warming_up(BINDER_FAMILY_##family))		\
			return binder_resolve_##name();			\
		target = __atomic_load_n(&glibc_own, __ATOMIC_RELAXED);	\
		if (!target) {						\
			target = binder_glibc_own(#name);		\
			__atomic_store_n(&glibc_own, target, __ATOMIC_RELAXED); \
		}							\
		return target;						\
	}								\
	BINDER_ARCH_SLOT_ASM(name)

#define BINDER_SLOT(name, family, target_expr)				\
	BINDER_SLOT_THREADED(name, family, target_expr, NULL)

/*
 * @name always jumps to glibc's own function (no family, nothing in the
 * image), but the calls that @guard_asm picks out (<binder/arch/slot.h>) go
 * first to binder_guard_NAME(), which gets the caller's arguments, does
 * its work and returns binder_bind_NAME(): the arguments then reach glibc
 * as they were.  See sandbox.c.
 */
#define BINDER_GUARDED_SLOT(name, guard_asm)				\
	BINDER_SLOT_DATA(name, binder_bind_##name, NULL, -1);		\
	void *binder_bind_##name(void)					\
	{								\
		void *target = binder_glibc_own(#name);			\
		__atomic_store_n(&binder_slot_##name, target, __ATOMIC_RELEASE); \
		return target;						\
	}								\
	BINDER_ARCH_GUARDED_SLOT_ASM(name, guard_asm)

/*
 * A veneer's return value from an image entry point's @r (the image never
 * touches errno): @r itself, or -1 with errno set from -@r.
 */
static inline long errno_ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* Bind @name to a veneer in the binder (for functions that set errno). */
#define BINDER_BIND_VENEER(name, family, veneer)				\
	BINDER_SLOT(name, family, (void *)(veneer))

/* Bind @name straight to the image's entry point @entry. */
#define BINDER_BIND_DIRECT(name, family, entry)				\
	BINDER_SLOT(name, family, binder_family_entry(BINDER_FAMILY_##family, entry))

#endif /* _BINDER_SLOT_H */
