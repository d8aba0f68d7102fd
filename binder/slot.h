/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jump slots: how the binder puts a public libc name in front of glibc's.
 *
 * The binder exports NAME as a plain function whose only instruction is an
 * indirect jump through vlibc_slot_NAME.  The slot starts at a lazy stub;
 * the first call decides (vlibc_resolve()) and stores the target there:
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
#ifndef _VLIBC_BINDER_SLOT_H
#define _VLIBC_BINDER_SLOT_H

#include "binder.h"
#include <binder/arch/slot.h>

/* One per slot, collected in section vlibc_slots (see vlibc_bind_all()). */
struct vlibc_slot_desc {
	const char	*name;
	void		*(*bind)(void);
};

/* The slot, its lazy stub and its descriptor; vlibc_bind_NAME is the caller's. */
#define VLIBC_SLOT_DATA(name)						\
	extern char vlibc_lazy_##name[] __attribute__((visibility("hidden"))); \
	__attribute__((visibility("hidden"), used))			\
	void *vlibc_slot_##name = vlibc_lazy_##name;			\
	__attribute__((visibility("hidden"), used))			\
	void *vlibc_bind_##name(void);					\
	static const struct vlibc_slot_desc vlibc_slot_desc_##name	\
	__attribute__((used, section("vlibc_slots"), aligned(sizeof(void *)))) = { \
		#name, vlibc_bind_##name				\
	}

#define VLIBC_SLOT(name, family, target_expr)				\
	VLIBC_SLOT_DATA(name);						\
	void *vlibc_bind_##name(void)					\
	{								\
		int final;						\
		void *target = vlibc_resolve(#name, VLIBC_FAMILY_##family, \
					     (target_expr), &final);	\
		if (final)						\
			__atomic_store_n(&vlibc_slot_##name, target,	\
					 __ATOMIC_RELEASE);		\
		return target;						\
	}								\
	VLIBC_ARCH_SLOT_ASM(name)

/*
 * @name always jumps to glibc's own function (no family, nothing in the
 * image), but the calls that @guard_asm picks out (<binder/arch/slot.h>) go
 * first to vlibc_guard_NAME(), which gets the caller's arguments, does
 * its work and returns vlibc_bind_NAME(): the arguments then reach glibc
 * as they were.  See sandbox.c.
 */
#define VLIBC_GUARDED_SLOT(name, guard_asm)				\
	VLIBC_SLOT_DATA(name);						\
	void *vlibc_bind_##name(void)					\
	{								\
		void *target = vlibc_glibc_own(#name);			\
		__atomic_store_n(&vlibc_slot_##name, target, __ATOMIC_RELEASE); \
		return target;						\
	}								\
	VLIBC_ARCH_GUARDED_SLOT_ASM(name, guard_asm)

/* Bind @name to a veneer in the binder (for functions that set errno). */
#define VLIBC_BIND_VENEER(name, family, veneer)				\
	VLIBC_SLOT(name, family, (void *)(veneer))

/* Bind @name straight to the image's entry point @entry. */
#define VLIBC_BIND_DIRECT(name, family, entry)				\
	VLIBC_SLOT(name, family, vlibc_family_entry(VLIBC_FAMILY_##family, entry))

#endif /* _VLIBC_BINDER_SLOT_H */
