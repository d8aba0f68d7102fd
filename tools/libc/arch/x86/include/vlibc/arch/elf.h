/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image's ELF identity on x86-64: what vdso-link/vlibc.lds.S links
 * and what vdso-link/image_layout.c accepts (with <elf.h>'s EM_*).  Only
 * defines: the linker script is preprocessed with it.
 */
#ifndef _VLIBC_ARCH_ELF_H
#define _VLIBC_ARCH_ELF_H

#define VLIBC_ARCH_NAME		"x86-64"
#define VLIBC_ARCH_ELF_MACHINE	EM_X86_64
#define VLIBC_ARCH_ELF_DATA	ELFDATA2LSB
#define VLIBC_ARCH_ELF_ENDIAN	"little-endian"
#define VLIBC_ARCH_LDS_FORMAT	"elf64-x86-64"
#define VLIBC_ARCH_LDS_ARCH	i386:x86-64

#endif /* _VLIBC_ARCH_ELF_H */
