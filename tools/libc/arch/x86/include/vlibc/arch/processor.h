/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_ARCH_PROCESSOR_H
#define _VLIBC_ARCH_PROCESSOR_H

/* One round of a spin-wait loop, as the kernel's cpu_relax(). */
static inline void __arch_cpu_relax(void)
{
	__asm__ volatile ("pause" ::: "memory");
}

/* A cheap, fast-changing number (spin jitter), not a clock. */
static inline unsigned int __arch_jitter(void)
{
	unsigned int lo, hi;

	__asm__ volatile ("rdtsc" : "=a"(lo), "=d"(hi));
	return lo;
}

#endif /* _VLIBC_ARCH_PROCESSOR_H */
