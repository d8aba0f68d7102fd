/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout rules of linux-vlibc.so.1, in one place for the checker (at
 * build time), the binder (before it maps a file) and the kernel (before
 * it embeds the image).  Freestanding.
 */
#ifndef _VLIBC_IMAGE_LAYOUT_H
#define _VLIBC_IMAGE_LAYOUT_H

/*
 * Host tools built on glibc's <elf.h> define VLIBC_LAYOUT_NO_ELF_TYPES: its
 * types clash with <linux/elf.h>'s, so they only get the struct and
 * vlibc_layout_check_file(), which takes the file as raw bytes.
 */
#ifndef VLIBC_LAYOUT_NO_ELF_TYPES
#include <linux/elf.h>
#endif

struct vlibc_layout {
	unsigned long text_size;	/* file bytes mapped read/execute */
	unsigned long text_span;	/* text_size rounded up to pages */
	unsigned long private_offset;	/* page aligned, >= text_span */
	unsigned long private_size;	/* page multiple */
	unsigned long span;		/* private_offset + private_size */
	unsigned long dynamic_offset;
	unsigned long dynamic_size;
};

/*
 * vlibc_layout_check_ehdr() and vlibc_layout_check() on the whole file of
 * @file_size bytes at @file (8-byte aligned).  Returns 0 and fills @out,
 * or returns -1 with *@why naming the broken rule.
 */
int vlibc_layout_check_file(const void *file, unsigned long file_size,
			    struct vlibc_layout *out, const char **why);

#ifndef VLIBC_LAYOUT_NO_ELF_TYPES
/*
 * Check the ELF header @eh and its program headers @ph (already known to
 * lie inside the first @file_size bytes) against the image rules.  Returns
 * 0 and fills @out, or returns -1 with *@why naming the broken rule.
 */
int vlibc_layout_check(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		       unsigned long file_size, struct vlibc_layout *out,
		       const char **why);

/* e_phoff/e_phnum of @eh fit in @file_size; 0 or -1 with *@why. */
int vlibc_layout_check_ehdr(const Elf64_Ehdr *eh, unsigned long file_size,
			    const char **why);
#endif /* !VLIBC_LAYOUT_NO_ELF_TYPES */

#endif /* _VLIBC_IMAGE_LAYOUT_H */
