/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 system calls for the image and the binder, after
 * tools/include/nolibc/arch-x86_64.h: the kernel returns -errno in rax and
 * clobbers rcx and r11.  Nothing here touches errno.
 */
#ifndef _VLIBC_ARCH_SYSCALL_H
#define _VLIBC_ARCH_SYSCALL_H

#include <asm/unistd.h>

#define __arch_syscall_clobbers "rcx", "r11", "memory"

static inline long __arch_syscall0(long nr)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr) : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall1(long nr, long a1)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a1)
			  : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall2(long nr, long a1, long a2)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2)
			  : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			  : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall4(long nr, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			  : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall5(long nr, long a1, long a2, long a3, long a4,
				  long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			  : __arch_syscall_clobbers);
	return ret;
}

static inline long __arch_syscall6(long nr, long a1, long a2, long a3, long a4,
				  long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			    "r"(r9)
			  : __arch_syscall_clobbers);
	return ret;
}

/* Calls into the vDSO use the plain SysV calling convention on x86-64. */
#define VLIBC_ARCH_VDSO_VERSION	"LINUX_2.6"

#endif /* _VLIBC_ARCH_SYSCALL_H */
