/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlibc: the libc image from tools/libc/, built and checked like the vDSO
 * (vdso-link/), embedded by vdso-link/vlibc2c and mapped at exec.
 */
#ifndef _LINUX_VLIBC_H
#define _LINUX_VLIBC_H

struct mm_struct;

/* Written by vdso-link/vlibc2c (build/vlibc-image.c). */
struct vlibc_image {
	const unsigned char	*data;		/* text pages, page aligned */
	unsigned long		size;		/* text_size rounded to pages */
	unsigned long		text_size;
	unsigned long		private_offset;	/* from the image's start */
	unsigned long		private_size;
	unsigned long		sym_init;	/* offset of __vlibc_init */
};

extern const struct vlibc_image vlibc_image;

#ifdef CONFIG_VLIBC
int vlibc_map(struct mm_struct *mm);
#else
static inline int vlibc_map(struct mm_struct *mm)
{
	return 0;
}
#endif

#endif /* _LINUX_VLIBC_H */
