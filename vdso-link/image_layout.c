// SPDX-License-Identifier: GPL-2.0
/*
 * Layout rules of linux-vlibc.so.1 (see Documentation/userspace-api/vlibc.rst):
 *
 *  - ELF64 of the architecture (<vlibc/arch/elf.h>), ET_DYN, linked at
 *    address 0;
 *  - PT_LOAD #1: offset 0, vaddr 0, read/execute, p_filesz == p_memsz;
 *  - program headers 8-byte aligned, inside #1;
 *  - PT_LOAD #2: the private region, read/write, p_filesz == 0, exactly
 *    VLIBC_PRIVATE_SIZE bytes at the first page after #1 (where the image's
 *    code, linked PC-relatively, finds vlibc_private_start), at most
 *    VLIBC_IMAGE_MAX_SPAN in all;
 *  - one PT_DYNAMIC, 8-byte aligned, inside #1; no PT_TLS, no PT_INTERP,
 *    no other PT_LOAD.
 */
#include <vlibc/abi.h>
#include <vlibc/arch/elf.h>
#include "image_layout.h"

#define PAGE_UP(x)	(((x) + VLIBC_PAGE_SIZE - 1) & ~(VLIBC_PAGE_SIZE - 1))

#define FAIL(msg)	do { *why = (msg); return -1; } while (0)

int vlibc_layout_check_ehdr(const Elf64_Ehdr *eh, unsigned long file_size,
			    const char **why)
{
	if (file_size < sizeof(*eh))
		FAIL("file smaller than an ELF header");
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3)
		FAIL("not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != VLIBC_ARCH_ELF_DATA ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		FAIL("not a " VLIBC_ARCH_ELF_ENDIAN " ELF64 file");
	if (eh->e_type != ET_DYN)
		FAIL("not a shared object (ET_DYN)");
	if (eh->e_machine != VLIBC_ARCH_ELF_MACHINE)
		FAIL("not an " VLIBC_ARCH_NAME " object");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phnum > 16)
		FAIL("bad program header table");
	if (eh->e_phoff > file_size ||
	    eh->e_phnum * sizeof(Elf64_Phdr) > file_size - eh->e_phoff)
		FAIL("program headers outside the file");
	if (eh->e_phoff & 7)
		FAIL("program headers not 8-byte aligned");
	return 0;
}

static int check_text(const Elf64_Phdr *p, unsigned long file_size,
		      struct vlibc_layout *out, const char **why)
{
	if (p->p_offset || p->p_vaddr)
		FAIL("first PT_LOAD does not map offset 0 at address 0");
	if (p->p_flags != (PF_R | PF_X))
		FAIL("first PT_LOAD is not exactly read/execute");
	if (p->p_filesz != p->p_memsz || p->p_filesz > file_size)
		FAIL("first PT_LOAD has zero-fill or runs past the file");
	out->text_size = p->p_filesz;
	out->text_span = PAGE_UP(p->p_filesz);
	return 0;
}

static int check_private(const Elf64_Phdr *p, struct vlibc_layout *out,
			 const char **why)
{
	if (p->p_flags != (PF_R | PF_W))
		FAIL("writable segment is not exactly read/write");
	if (p->p_filesz)
		FAIL("writable segment has file contents (writable shared data)");
	if (p->p_vaddr != out->text_span)
		FAIL("private region does not start at the page after the text");
	if (p->p_memsz != VLIBC_PRIVATE_SIZE)
		FAIL("private region is not VLIBC_PRIVATE_SIZE bytes");
	if (p->p_vaddr > VLIBC_IMAGE_MAX_SPAN - PAGE_UP(p->p_memsz))
		FAIL("image span too large");
	out->private_offset = p->p_vaddr;
	out->private_size = PAGE_UP(p->p_memsz);
	out->span = out->private_offset + out->private_size;
	return 0;
}

int vlibc_layout_check(const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
		       unsigned long file_size, struct vlibc_layout *out,
		       const char **why)
{
	int i, loads = 0;

	*out = (struct vlibc_layout){ 0 };
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		switch (p->p_type) {
		case PT_LOAD:
			if (loads == 0 && check_text(p, file_size, out, why))
				return -1;
			if (loads == 1 && check_private(p, out, why))
				return -1;
			if (++loads > 2)
				FAIL("more than two PT_LOAD segments");
			break;
		case PT_DYNAMIC:
			if (out->dynamic_size)
				FAIL("more than one PT_DYNAMIC segment");
			if (p->p_vaddr != p->p_offset || p->p_vaddr & 7)
				FAIL("PT_DYNAMIC not 8-byte aligned at its file offset");
			out->dynamic_offset = p->p_vaddr;
			out->dynamic_size = p->p_memsz;
			break;
		case PT_TLS:
			FAIL("PT_TLS segment (thread-local storage)");
		case PT_INTERP:
			FAIL("PT_INTERP segment");
		}
	}
	if (loads != 2)
		FAIL("image needs exactly a text and a private PT_LOAD");
	if (!out->dynamic_size || out->dynamic_offset > out->text_size ||
	    out->dynamic_size > out->text_size - out->dynamic_offset)
		FAIL("PT_DYNAMIC missing or outside the text");
	if (eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) > out->text_size)
		FAIL("program headers outside the text");
	return 0;
}

int vlibc_layout_check_file(const void *file, unsigned long file_size,
			    struct vlibc_layout *out, const char **why)
{
	const Elf64_Ehdr *eh = file;

	*out = (struct vlibc_layout){ 0 };
	if ((unsigned long)file & 7)
		FAIL("file buffer not 8-byte aligned");
	if (vlibc_layout_check_ehdr(eh, file_size, why))
		return -1;
	return vlibc_layout_check(eh, (const void *)((const char *)file +
						     eh->e_phoff),
				  file_size, out, why);
}
