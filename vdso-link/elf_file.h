/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ELF64 file read whole into memory: the one reader of vlibc-check and
 * vlibc2c (host tools, on glibc's <elf.h>).  The file is untrusted input:
 * every offset, size and index is checked against the file before use,
 * and every table entry is copied out with memcpy() so that misaligned
 * tables cannot fault either.  The layout rules of the image itself are
 * image_layout.c's.
 */
#ifndef _VLIBC_ELF_FILE_H
#define _VLIBC_ELF_FILE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* RELR, newer than some <elf.h>. */
#ifndef SHT_RELR
#define SHT_RELR	19
#endif
#ifndef DT_RELRSZ
#define DT_RELRSZ	35
#endif
#ifndef DT_RELR
#define DT_RELR		36
#endif

#define ELF_FILE_MAX_SIZE	(256UL << 20)
#define ELF_FILE_MAX_SYMS	(1UL << 20)	/* entries of a .dynsym */

struct elf_file {
	const char *path;
	unsigned char *buf;	/* the whole file, 16-byte aligned */
	uint64_t size;
	Elf64_Ehdr eh;		/* copied out by elf_file_ehdr() */
};

/* A symbol table and its string table, as file offsets. */
struct elf_symtab {
	const char *what;	/* ".dynsym" or ".symtab", for messages */
	uint64_t off, count;
	uint64_t str_off, str_size;
};

/*
 * Read the regular file at @path (at most ELF_FILE_MAX_SIZE bytes) into
 * @f.  Returns 0, or -1 with *@why saying what went wrong.
 */
int elf_file_load(struct elf_file *f, const char *path, const char **why);
void elf_file_free(struct elf_file *f);

/* [@off, @off + @len) lies inside the file. */
int elf_file_in(const struct elf_file *f, uint64_t off, uint64_t len);

/* Copy @len bytes at @off out of the file; -1 if they are not all in it. */
int elf_file_copy(const struct elf_file *f, uint64_t off, void *dst,
		  size_t len);

/* NUL-terminated string at @idx of the table [@off, @off + @size), or NULL. */
const char *elf_file_string(const struct elf_file *f, uint64_t off,
			    uint64_t size, uint64_t idx);

/*
 * Copy the ELF header into @f->eh: 0 if it is an ELF64 little-endian
 * header whose program header table lies in the file, else -1.
 */
int elf_file_ehdr(struct elf_file *f);

/* Program header / section header @i (after elf_file_ehdr()); 0 or -1. */
int elf_file_phdr(const struct elf_file *f, unsigned int i, Elf64_Phdr *p);
int elf_file_shdr(const struct elf_file *f, unsigned int i, Elf64_Shdr *sh);

/* Name of section @sh from the section name table, or NULL. */
const char *elf_file_section_name(const struct elf_file *f,
				  const Elf64_Shdr *sh);

/*
 * File offset of the @len bytes at virtual address @vaddr, if a PT_LOAD
 * maps all of them from the file; 0 or -1.
 */
int elf_file_vaddr_to_off(const struct elf_file *f, uint64_t vaddr,
			  uint64_t len, uint64_t *off);

/*
 * Number of .dynsym entries from the DT_HASH table at @hash or, failing
 * that, the DT_GNU_HASH table at @gnu_hash (virtual addresses, NULL when
 * the tag is absent); 0 or -1.
 */
int elf_file_dynsym_count(const struct elf_file *f, const uint64_t *hash,
			  const uint64_t *gnu_hash, uint64_t *count);

/* Entry @i of @t; 0 or -1 when it is not in the file. */
int elf_file_sym(const struct elf_file *f, const struct elf_symtab *t,
		 uint64_t i, Elf64_Sym *s);

/* Name of symbol @s of @t, or NULL when it is not a string of the table. */
const char *elf_file_sym_name(const struct elf_file *f,
			      const struct elf_symtab *t, const Elf64_Sym *s);

#endif /* _VLIBC_ELF_FILE_H */
