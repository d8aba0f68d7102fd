/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memcpy family: memcpy(), memmove(), mempcpy(), memset() and their
 * fortified __*_chk forms (tools/libc/memcpy/).
 *
 * Paths per size, per ISA level: see Documentation/userspace-api/vlibc-memcpy.rst.
 * Thresholds live in the private region; every zero threshold means "path
 * off", so an all-zero region gives the plain vector loops, which are
 * correct at every size.
 */
#ifndef _VLIBC_MEMCPY_H
#define _VLIBC_MEMCPY_H

#include <vlibc/compiler.h>

/* ISA levels; every x86-64 CPU has SSE2. */
#define VLIBC_MEM_SSE2		0
#define VLIBC_MEM_AVX2		1
#define VLIBC_MEM_AVX512	2

/* CPU facts found by vlibc_memcpy_init() (struct vlibc_memcpy_state.cpu). */
#define VLIBC_MEM_CPU_KNOWN	0x01	/* CPUID was read */
#define VLIBC_MEM_CPU_AVX2	0x02	/* and the kernel saves the ymm state */
#define VLIBC_MEM_CPU_AVX512	0x04	/* F, BW, VL; kernel saves zmm state */
#define VLIBC_MEM_CPU_ERMS	0x08
#define VLIBC_MEM_CPU_FSRM	0x10

struct vlibc_memcpy_state {
	unsigned int	cpu;		/* VLIBC_MEM_CPU_* */
	unsigned int	level;		/* VLIBC_MEM_* chosen */
	unsigned long	l1d_size;	/* bytes, per core; 0: unknown */
	unsigned long	l2_size;	/* bytes, per core; 0: unknown */
	unsigned long	l3_size;	/* bytes, one L3 (shared) */
	/* Copies: rep movsb for movsb_min <= n < movsb_max (disjoint). */
	unsigned long	movsb_min, movsb_max;
	/* Copies: non-temporal stores for n >= nt_min (disjoint). */
	unsigned long	nt_min;
	/* Copies: process_vm_readv() for n >= pvr_min (disjoint). */
	unsigned long	pvr_min;
	/* memset: rep stosb for stosb_min <= n < stosb_max. */
	unsigned long	stosb_min, stosb_max;
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
#define VLIBC_MEM_VARIANT_ERMS		2	/* rep movsb/stosb for all large */
#define VLIBC_MEM_VARIANT_NT		3	/* non-temporal from 8 vectors up */
#define VLIBC_MEM_VARIANT_PVR		4	/* auto + process_vm_readv large */

struct vlibc_memcpy_setup {
	unsigned int	size;		/* sizeof(struct vlibc_memcpy_setup) */
	unsigned int	variant;	/* VLIBC_MEM_VARIANT_* */
	int		level;		/* -1: best the CPU has; else cap */
	unsigned int	pad;
};

/*
 * Returns the ISA level the caller must bind (the __vlibc_*_sse2, _avx2
 * or _avx512 entry points), or -EINVAL.
 */
long __vlibc_memcpy_setup(const struct vlibc_memcpy_setup *setup);

#endif /* _VLIBC_MEMCPY_H */
