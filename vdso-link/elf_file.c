// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF reader of vlibc-check and vlibc2c: see elf_file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"

int elf_file_load(struct elf_file *f, const char *path, const char **why)
{
	static char too_big[64];
	struct stat st;
	size_t done = 0;
	int fd;

	*f = (struct elf_file){ .path = path };
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		*why = strerror(errno);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > ELF_FILE_MAX_SIZE) {
		snprintf(too_big, sizeof(too_big),
			 "not a regular file of at most %lu bytes",
			 ELF_FILE_MAX_SIZE);
		*why = too_big;
		goto fail;
	}
	f->buf = malloc(st.st_size + 1);	/* malloc() aligns to 16 */
	if (!f->buf) {
		*why = "out of memory";
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, f->buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n ? strerror(errno) : "file shrank while read";
			elf_file_free(f);
			goto fail;
		}
		done += n;
	}
	close(fd);
	f->size = done;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

void elf_file_free(struct elf_file *f)
{
	free(f->buf);
	f->buf = NULL;
	f->size = 0;
}

int elf_file_in(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

int elf_file_copy(const struct elf_file *f, uint64_t off, void *dst,
		  size_t len)
{
	if (!elf_file_in(f, off, len))
		return -1;
	memcpy(dst, f->buf + off, len);
	return 0;
}

const char *elf_file_string(const struct elf_file *f, uint64_t off,
			    uint64_t size, uint64_t idx)
{
	const char *s;

	if (!elf_file_in(f, off, size) || idx >= size)
		return NULL;
	s = (const char *)f->buf + off + idx;
	if (!memchr(s, '\0', size - idx))
		return NULL;
	return s;
}

int elf_file_ehdr(struct elf_file *f)
{
	Elf64_Ehdr *eh = &f->eh;

	if (elf_file_copy(f, 0, eh, sizeof(*eh)))
		return -1;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return -1;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !elf_file_in(f, eh->e_phoff,
			 (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return -1;
	return 0;
}

int elf_file_phdr(const struct elf_file *f, unsigned int i, Elf64_Phdr *p)
{
	return elf_file_copy(f, f->eh.e_phoff + (uint64_t)i * sizeof(*p), p,
			     sizeof(*p));
}

int elf_file_shdr(const struct elf_file *f, unsigned int i, Elf64_Shdr *sh)
{
	if (i >= f->eh.e_shnum)
		return -1;
	return elf_file_copy(f, f->eh.e_shoff + (uint64_t)i * sizeof(*sh), sh,
			     sizeof(*sh));
}

const char *elf_file_section_name(const struct elf_file *f,
				  const Elf64_Shdr *sh)
{
	Elf64_Shdr strs;

	if (elf_file_shdr(f, f->eh.e_shstrndx, &strs) ||
	    strs.sh_type != SHT_STRTAB)
		return NULL;
	return elf_file_string(f, strs.sh_offset, strs.sh_size, sh->sh_name);
}

int elf_file_vaddr_to_off(const struct elf_file *f, uint64_t vaddr,
			  uint64_t len, uint64_t *off)
{
	Elf64_Phdr p;
	unsigned int i;

	for (i = 0; i < f->eh.e_phnum; i++) {
		if (elf_file_phdr(f, i, &p) || p.p_type != PT_LOAD)
			continue;
		if (vaddr < p.p_vaddr || vaddr - p.p_vaddr > p.p_filesz ||
		    len > p.p_filesz - (vaddr - p.p_vaddr))
			continue;
		if (p.p_offset > UINT64_MAX - (vaddr - p.p_vaddr))
			continue;
		*off = p.p_offset + (vaddr - p.p_vaddr);
		if (elf_file_in(f, *off, len))
			return 0;
	}
	return -1;
}

/* From DT_HASH: its nchain. */
static int dynsym_count_sysv(const struct elf_file *f, uint64_t hash,
			     uint64_t *count)
{
	uint32_t hdr[2];
	uint64_t off;

	if (elf_file_vaddr_to_off(f, hash, sizeof(hdr), &off) ||
	    elf_file_copy(f, off, hdr, sizeof(hdr)))
		return -1;
	*count = hdr[1];
	return 0;
}

/* From DT_GNU_HASH: one past the end of the last chain. */
static int dynsym_count_gnu(const struct elf_file *f, uint64_t gnu_hash,
			    uint64_t *count)
{
	uint32_t hdr[4], bucket = 0, chain, max = 0;
	uint64_t off, buckets, chains, i;

	if (elf_file_vaddr_to_off(f, gnu_hash, sizeof(hdr), &off) ||
	    elf_file_copy(f, off, hdr, sizeof(hdr)))
		return -1;
	/* nbuckets, symoffset, bloom words (8 bytes each), bloom shift */
	buckets = off + sizeof(hdr) + (uint64_t)hdr[2] * 8;
	chains = buckets + (uint64_t)hdr[0] * 4;
	if (!elf_file_in(f, buckets, (uint64_t)hdr[0] * 4))
		return -1;
	for (i = 0; i < hdr[0]; i++) {
		elf_file_copy(f, buckets + i * 4, &bucket, 4);
		if (bucket > max)
			max = bucket;
	}
	if (max < hdr[1]) {
		*count = hdr[1];
		return 0;
	}
	for (i = max; i < ELF_FILE_MAX_SYMS; i++) {
		if (elf_file_copy(f, chains + (i - hdr[1]) * 4, &chain, 4))
			return -1;
		if (chain & 1) {
			*count = i + 1;
			return 0;
		}
	}
	return -1;
}

int elf_file_dynsym_count(const struct elf_file *f, const uint64_t *hash,
			  const uint64_t *gnu_hash, uint64_t *count)
{
	if (hash && !dynsym_count_sysv(f, *hash, count))
		return 0;
	if (gnu_hash && !dynsym_count_gnu(f, *gnu_hash, count))
		return 0;
	return -1;
}

int elf_file_sym(const struct elf_file *f, const struct elf_symtab *t,
		 uint64_t i, Elf64_Sym *s)
{
	if (i >= t->count)
		return -1;
	return elf_file_copy(f, t->off + i * sizeof(*s), s, sizeof(*s));
}

const char *elf_file_sym_name(const struct elf_file *f,
			      const struct elf_symtab *t, const Elf64_Sym *s)
{
	return elf_file_string(f, t->str_off, t->str_size, s->st_name);
}
