/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dynamic symbol lookup in an ELF object that is already mapped: the vDSO,
 * the vlibc image, or a library in the dynamic linker's link map.
 * Freestanding; built into the image and into the binder alike.
 */
#ifndef _VLIBC_ELF_DYN_H
#define _VLIBC_ELF_DYN_H

#include <linux/elf.h>

#ifndef DT_GNU_HASH
#define DT_GNU_HASH	0x6ffffef5
#endif
#ifndef STT_GNU_IFUNC
#define STT_GNU_IFUNC	10
#endif
#define VLIBC_VERSYM_HIDDEN	0x8000
#define VLIBC_VERSYM_INDEX	0x7fff

typedef struct {
	Elf64_Half	vd_version;
	Elf64_Half	vd_flags;
	Elf64_Half	vd_ndx;
	Elf64_Half	vd_cnt;
	Elf64_Word	vd_hash;
	Elf64_Word	vd_aux;
	Elf64_Word	vd_next;
} vlibc_verdef_t;

typedef struct {
	Elf64_Word	vda_name;
	Elf64_Word	vda_next;
} vlibc_verdaux_t;

struct vlibc_elf_dyn {
	unsigned long		bias;		/* load address - link address */
	unsigned long		lo, hi;		/* readable range; hi == 0: trusted */
	const Elf64_Sym		*symtab;
	const char		*strtab;
	unsigned long		strsz;
	const Elf64_Word	*sysv_hash;
	const Elf64_Word	*gnu_hash;
	const Elf64_Half	*versym;
	const vlibc_verdef_t	*verdef;
	unsigned long		verdefnum;
	const char		*soname;
};

/*
 * Fill @d from the dynamic section @dyn of an object loaded with @bias.
 * With @hi != 0 every table must lie in [@lo, @hi) and every later access
 * is checked against that range.  Returns 0 or -ENOEXEC.
 */
int vlibc_elf_dyn_init(struct vlibc_elf_dyn *d, unsigned long bias,
		       const Elf64_Dyn *dyn, unsigned long lo, unsigned long hi);

/*
 * Address of the defined function or object @name with version @version
 * (NULL: the default version).  *@type gets the symbol type when @type is
 * not NULL, so callers can tell an indirect function from a plain one.
 */
void *vlibc_elf_dyn_lookup(const struct vlibc_elf_dyn *d, const char *name,
			   const char *version, unsigned char *type);

/* Non-zero when @d defines version node @version. */
int vlibc_elf_dyn_has_version(const struct vlibc_elf_dyn *d,
			      const char *version);

/* The ELF header at @ehdr is a mapped ET_DYN of this architecture: find
 * PT_DYNAMIC. */
int vlibc_elf_dyn_from_ehdr(struct vlibc_elf_dyn *d, const void *ehdr,
			    unsigned long span);

#endif /* _VLIBC_ELF_DYN_H */
