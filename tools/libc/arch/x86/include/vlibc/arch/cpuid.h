/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPUID inside the image: the one way the image asks about the CPU.
 * vlibc_cpuid() answers from the kernel's machine-facts block when the
 * kernel delivered the image with one (<vlibc/facts.h>), and executes
 * the instruction only without it (an image mapped from a file), so that
 * under kernel delivery the image never executes CPUID.
 */
#ifndef _VLIBC_ARCH_CPUID_H
#define _VLIBC_ARCH_CPUID_H

#include <vlibc/compiler.h>

struct vlibc_cpuid_regs {
	unsigned int	a, b, c, d;
};

/* Leaf @leaf, sub-leaf @sub (0 for a leaf without sub-leaves) into @r. */
void vlibc_cpuid(unsigned int leaf, unsigned int sub, struct vlibc_cpuid_regs *r)
	__vlibc_hidden;

#endif /* _VLIBC_ARCH_CPUID_H */
