/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlibc: the libc image from tools/libc/, built and checked like the vDSO
 * (vdso-link/), embedded by vdso-link/vlibc2c and mapped at exec.
 */
#ifndef _LINUX_VLIBC_H
#define _LINUX_VLIBC_H

#include <linux/vlibc-image.h>

struct mm_struct;

#ifdef CONFIG_VLIBC
int vlibc_map(struct mm_struct *mm);
#else
static inline int vlibc_map(struct mm_struct *mm)
{
	return 0;
}
#endif

#endif /* _LINUX_VLIBC_H */
