/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process state of the image.  It lives in the private region that the
 * mapper places right after the image: zero-filled at exec, wiped on fork,
 * never shared.  Zero must therefore always mean "not set up yet", and
 * every family must work (if more slowly) from an all-zero state.
 */
#ifndef _VLIBC_PRIVATE_H
#define _VLIBC_PRIVATE_H

#include <vlibc/abi.h>
#include <vlibc/compiler.h>
#include <vlibc/aio-state.h>
#include <vlibc/locks.h>
#include <vlibc/memcpy.h>

struct vlibc_getrandom_state {
	long (*vgetrandom)(void *buf, unsigned long len, unsigned long flags,
			   void *opaque_state, unsigned long opaque_len);
	/* Set by __vlibc_getrandom_attach(); zero: no per-thread states. */
	long		thread_slot;	/* offset from the thread pointer */
	void		*(*state_alloc)(void);
	unsigned long	state_size;
};

struct vlibc_private {
	unsigned long			initialized;
	unsigned long			pagesz;
	const void			*vdso;
	int				(*clock_gettime)(int clock, void *ts);
	struct vlibc_getrandom_state	getrandom;
	struct vlibc_aio_state		aio;
	struct vlibc_locks_state	locks;
	struct vlibc_memcpy_state	memcpy;
};

_Static_assert(sizeof(struct vlibc_private) <= VLIBC_PRIVATE_SIZE,
	       "struct vlibc_private outgrew VLIBC_PRIVATE_SIZE");

/* Defined by vdso-link/vlibc.lds.S; reached PC-relatively. */
extern struct vlibc_private vlibc_private_start __vlibc_hidden;

static inline struct vlibc_private *vlibc_private(void)
{
	return &vlibc_private_start;
}

#endif /* _VLIBC_PRIVATE_H */
