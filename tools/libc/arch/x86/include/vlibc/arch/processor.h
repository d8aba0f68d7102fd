/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_ARCH_PROCESSOR_H
#define _VLIBC_ARCH_PROCESSOR_H

/* Highest user address on x86-64 with 4-level paging (TASK_SIZE_MAX). */
#define VLIBC_ARCH_USER_ADDR_LIMIT	0x00007ffffffff000UL

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
