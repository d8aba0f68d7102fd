/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memcpy family's x86-64 ISA levels (the suffixes of the
 * __vlibc_<name>_<level> entry points) and the CPU facts behind them,
 * found from CPUID by __arch_memcpy_cpu_facts() (memcpy/cpu.c).
 */
#ifndef _VLIBC_ARCH_MEMCPY_H
#define _VLIBC_ARCH_MEMCPY_H

/* ISA levels; every x86-64 CPU has SSE2. */
#define VLIBC_MEM_SSE2		0
#define VLIBC_MEM_AVX2		1
#define VLIBC_MEM_AVX512	2

/* struct vlibc_memcpy_state.cpu, above VLIBC_MEM_CPU_KNOWN (0x01). */
#define VLIBC_MEM_CPU_AVX2	0x02	/* and the kernel saves the ymm state */
#define VLIBC_MEM_CPU_AVX512	0x04	/* F, BW, VL; kernel saves zmm state */
#define VLIBC_MEM_CPU_ERMS	0x08
#define VLIBC_MEM_CPU_FSRM	0x10

#endif /* _VLIBC_ARCH_MEMCPY_H */
