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
#include <vlibc/facts.h>
#include <vlibc/aio-state.h>
#include <vlibc/locks.h>
#include <vlibc/memcpy.h>
#include <vlibc/stat-abi.h>

struct vlibc_getrandom_state {
	long (*vgetrandom)(void *buf, unsigned long len, unsigned long flags,
			   void *opaque_state, unsigned long opaque_len);
	/* Set by __vlibc_getrandom_attach(); zero: no per-thread states. */
	long		thread_slot;	/* offset from the thread pointer */
	void		*(*state_alloc)(void);
	unsigned long	state_size;
};

/* The image's bookkeeping of its counters (<vlibc/stat.h>). */
struct vlibc_stat_state {
	long		thread_slot;	/* 0: no binder TLS, block 0 only */
	void		(*thread_claimed)(struct vlibc_stat_block *b);
	unsigned int	nr_free;	/* blocks 1.. not owned */
	/* No block past this one was ever claimed (or tried): scans stop. */
	unsigned int	nr_used;
};

/*
 * The counter header comes first: <vlibc/stat-abi.h> promises it at
 * offset 0 of the region.  The counter blocks fill the region's end.
 */
struct vlibc_private {
	struct vlibc_stat_header	stat;
	struct vlibc_stat_state		stat_state;
	unsigned long			initialized;
	unsigned long			pagesz;
	const void			*vdso;
	int				(*clock_gettime)(int clock, void *ts);
	/* The kernel's machine-facts block, under kernel delivery only. */
	const struct vlibc_facts	*facts;
	struct vlibc_getrandom_state	getrandom;
	struct vlibc_aio_state		aio;
	struct vlibc_locks_state	locks;
	struct vlibc_memcpy_state	memcpy;
};

/* Bytes per counter block: the owner word and the counters, whole lines. */
#define VLIBC_STAT_BLOCK_SIZE	((8 + 8 * VLIBC_STAT_COUNTERS + 63) & ~63UL)
/* Block 0 starts at the first cache line after struct vlibc_private. */
#define VLIBC_STAT_BLOCKS_OFFSET ((sizeof(struct vlibc_private) + 63) & ~63UL)
#define VLIBC_STAT_BLOCKS						\
	((VLIBC_PRIVATE_SIZE - VLIBC_STAT_BLOCKS_OFFSET) / VLIBC_STAT_BLOCK_SIZE)

/* Room for the shared block and at least 32 threads' own. */
_Static_assert(VLIBC_STAT_BLOCKS_OFFSET + 33 * VLIBC_STAT_BLOCK_SIZE <=
	       VLIBC_PRIVATE_SIZE,
	       "struct vlibc_private and the counters outgrew VLIBC_PRIVATE_SIZE");

/* Defined by vdso-link/vlibc.lds.S; reached PC-relatively. */
extern struct vlibc_private vlibc_private_start __vlibc_hidden;

static inline struct vlibc_private *vlibc_private(void)
{
	return &vlibc_private_start;
}

#endif /* _VLIBC_PRIVATE_H */
