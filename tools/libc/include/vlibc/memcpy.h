/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memcpy family: memcpy(), memmove(), mempcpy(), memset() and their
 * fortified __*_chk forms: the decision in tools/libc/memcpy/, the bodies
 * and the CPU facts in the architecture's folder (arch/<arch>/memcpy/).
 *
 * Paths per size, per ISA level: see Documentation/userspace-api/vlibc-memcpy.rst.
 * Thresholds live in the private region; every zero threshold means "path
 * off", so an all-zero region gives the plain vector loops, which are
 * correct at every size.
 */
#ifndef _VLIBC_MEMCPY_H
#define _VLIBC_MEMCPY_H

#include <vlibc/compiler.h>
/* The ISA levels (VLIBC_MEM_<level>, 0 the baseline) and the CPU facts. */
#include <vlibc/arch/memcpy.h>

/* CPU facts found by __vlibc_memcpy_setup() (struct vlibc_memcpy_state.cpu). */
#define VLIBC_MEM_CPU_KNOWN	0x01	/* the CPU was asked; arch bits above */

struct vlibc_memcpy_state {
	unsigned int	cpu;		/* VLIBC_MEM_CPU_* */
	unsigned int	level;		/* VLIBC_MEM_* chosen */
	unsigned long	l1d_size;	/* bytes, per core; 0: unknown */
	unsigned long	l2_size;	/* bytes, per core; 0: unknown */
	unsigned long	l3_size;	/* bytes, one L3 (shared) */
	/* Copies: the bulk copy instruction (__arch_memcpy_has_bulk()) for
	 * bulk_min <= n < bulk_max (disjoint). */
	unsigned long	bulk_min, bulk_max;
	/* Copies: non-temporal stores for n >= nt_min (disjoint). */
	unsigned long	nt_min;
	/* Copies: process_vm_readv() for n >= pvr_min (disjoint). */
	unsigned long	pvr_min;
	/* memset: the bulk set instruction for bulk_set_min <= n <
	 * bulk_set_max. */
	unsigned long	bulk_set_min, bulk_set_max;
	/* memset: non-temporal stores for n >= nt_set_min. */
	unsigned long	nt_set_min;
	/* getpid() for process_vm_readv, cached; wiped on fork with the rest. */
	long		pid;
};

/*
 * __vlibc_memcpy_setup(): what the caller (the binder) asks for.
 * VLIBC_MEMCPY=<variant> maps onto these.
 */
#define VLIBC_MEM_VARIANT_AUTO		0	/* the measured default table */
#define VLIBC_MEM_VARIANT_VECTOR	1	/* vector loops only */
#define VLIBC_MEM_VARIANT_ERMS		2	/* bulk instructions for all large */
#define VLIBC_MEM_VARIANT_NT		3	/* non-temporal from 8 vectors up */
#define VLIBC_MEM_VARIANT_PVR		4	/* auto + process_vm_readv large */

struct vlibc_memcpy_setup {
	unsigned int	size;		/* sizeof(struct vlibc_memcpy_setup) */
	unsigned int	variant;	/* VLIBC_MEM_VARIANT_* */
	int		level;		/* -1: best the CPU has; else cap */
	unsigned int	pad;
};

/*
 * Returns the ISA level the caller must bind (the __vlibc_<name>_<level>
 * entry points), or -EINVAL.
 */
long __vlibc_memcpy_setup(const struct vlibc_memcpy_setup *setup);

/*
 * Inside the image, the architecture's hooks (arch/<arch>/memcpy/):
 * __arch_memcpy_cpu_facts() sets VLIBC_MEM_CPU_KNOWN and the arch's bits
 * in @m->cpu, and the cache sizes; __arch_memcpy_best_level() is the best
 * ISA level those facts allow; __arch_memcpy_has_bulk() is nonzero where
 * the bulk copy and set instructions are worth it for large sizes.
 */
void __arch_memcpy_cpu_facts(struct vlibc_memcpy_state *m) __vlibc_hidden;
int __arch_memcpy_best_level(const struct vlibc_memcpy_state *m)
	__vlibc_hidden;
int __arch_memcpy_has_bulk(const struct vlibc_memcpy_state *m) __vlibc_hidden;

/*
 * And what the generic part gives the bodies (memcpy/common.c): the copy
 * through process_vm_readv() (1: all copied; 0: not, copy it all again)
 * and glibc's __chk_fail() (the message, then abort()).
 */
int vlibc_memcpy_pvr(char *d, const char *s, size_t n) __vlibc_hidden;
void vlibc_memcpy_chk_fail(void) __attribute__((noreturn, cold)) __vlibc_hidden;

#endif /* _VLIBC_MEMCPY_H */
