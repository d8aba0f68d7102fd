/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct vlibc_image: the embedded linux-vlibc.so.1 that vdso-link/vlibc2c
 * writes as C (build/vlibc-image.c) and the kernel maps at exec.  Self-
 * contained, so that the same definition serves the kernel (through
 * <linux/vlibc.h>) and the user-space build of the generated file.
 */
#ifndef _LINUX_VLIBC_IMAGE_H
#define _LINUX_VLIBC_IMAGE_H

struct vlibc_image {
	const unsigned char	*data;		/* text PT_LOAD, page aligned */
	unsigned long		size;		/* text_size rounded to pages */
	unsigned long		text_size;	/* file bytes; the rest is 0 */
	unsigned long		private_offset;	/* page aligned, from @data */
	unsigned long		private_size;	/* page multiple */
	unsigned long		sym_init;	/* offset of __vlibc_init() */
};

extern const struct vlibc_image vlibc_image;

#endif /* _LINUX_VLIBC_IMAGE_H */
