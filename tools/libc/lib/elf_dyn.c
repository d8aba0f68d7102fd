// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic symbol lookup in a mapped ELF object (vDSO, image, link map).
 * Follows the shape of tools/testing/selftests/vDSO/parse_vdso.c, with
 * GNU hash support (glibc's libc.so.6 has no DT_HASH) and range checks
 * for images read from files.
 */
#include <linux/errno.h>
#include <vlibc/elf_dyn.h>

static int in_range(const struct vlibc_elf_dyn *d, const void *p,
		    unsigned long size)
{
	unsigned long a = (unsigned long)p;

	if (!d->hi)
		return 1;
	return a >= d->lo && a <= d->hi && size <= d->hi - a;
}

static int str_equal(const struct vlibc_elf_dyn *d, unsigned long off,
		     const char *want)
{
	const char *s;

	if (d->strsz && off >= d->strsz)
		return 0;
	s = d->strtab + off;
	for (;; s++, want++) {
		if (!in_range(d, s, 1))
			return 0;
		if (*s != *want)
			return 0;
		if (!*s)
			return 1;
	}
}

static unsigned long sysv_hash(const char *name)
{
	unsigned long h = 0, g;

	for (; *name; name++) {
		h = (h << 4) + (unsigned char)*name;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static Elf64_Word gnu_hash(const char *name)
{
	Elf64_Word h = 5381;

	for (; *name; name++)
		h = h * 33 + (unsigned char)*name;
	return h;
}

int vlibc_elf_dyn_init(struct vlibc_elf_dyn *d, unsigned long bias,
		       const Elf64_Dyn *dyn, unsigned long lo, unsigned long hi)
{
	*d = (struct vlibc_elf_dyn){ .bias = bias, .lo = lo, .hi = hi };
	unsigned long soname = ~0UL;

	for (;; dyn++) {
		if (!in_range(d, dyn, sizeof(*dyn)))
			return -ENOEXEC;
		if (dyn->d_tag == DT_NULL)
			break;
		unsigned long p = bias + dyn->d_un.d_ptr;

		switch (dyn->d_tag) {
		case DT_SYMTAB:
			d->symtab = (const Elf64_Sym *)p;
			break;
		case DT_STRTAB:
			d->strtab = (const char *)p;
			break;
		case DT_STRSZ:
			d->strsz = dyn->d_un.d_val;
			break;
		case DT_HASH:
			d->sysv_hash = (const Elf64_Word *)p;
			break;
		case DT_GNU_HASH:
			d->gnu_hash = (const Elf64_Word *)p;
			break;
		case DT_VERSYM:
			d->versym = (const Elf64_Half *)p;
			break;
		case DT_VERDEF:
			d->verdef = (const vlibc_verdef_t *)p;
			break;
		case DT_VERDEFNUM:
			d->verdefnum = dyn->d_un.d_val;
			break;
		case DT_SONAME:
			soname = dyn->d_un.d_val;
			break;
		}
	}
	if (!d->symtab || !d->strtab || (!d->sysv_hash && !d->gnu_hash))
		return -ENOEXEC;
	/* Checked tables: every string ends inside the string table. */
	if (hi && (!d->strsz || !in_range(d, d->strtab, d->strsz) ||
		   d->strtab[d->strsz - 1]))
		return -ENOEXEC;
	if (!in_range(d, d->strtab, d->strsz) ||
	    !in_range(d, d->symtab, sizeof(Elf64_Sym)) ||
	    (d->sysv_hash && !in_range(d, d->sysv_hash, 8)) ||
	    (d->gnu_hash && !in_range(d, d->gnu_hash, 16)))
		return -ENOEXEC;
	if (soname != ~0UL && (!d->strsz || soname < d->strsz))
		d->soname = d->strtab + soname;
	return 0;
}

static const char *verdef_name(const struct vlibc_elf_dyn *d,
			       const vlibc_verdef_t *vd)
{
	const vlibc_verdaux_t *aux;

	aux = (const vlibc_verdaux_t *)((const char *)vd + vd->vd_aux);
	if (!in_range(d, aux, sizeof(*aux)))
		return 0;
	if (d->strsz && aux->vda_name >= d->strsz)
		return 0;
	return d->strtab + aux->vda_name;
}

/* Walk the verdef chain; return the entry with index @ndx or name @name. */
static const vlibc_verdef_t *verdef_find(const struct vlibc_elf_dyn *d,
					 unsigned int ndx, const char *name)
{
	const vlibc_verdef_t *vd = d->verdef;
	unsigned long n;

	if (!vd)
		return 0;
	for (n = 0; n < (d->verdefnum ? d->verdefnum : 4096); n++) {
		if (!in_range(d, vd, sizeof(*vd)))
			return 0;
		if (name) {
			const char *vn = verdef_name(d, vd);

			if (vn && str_equal(d, vn - d->strtab, name))
				return vd;
		} else if ((vd->vd_ndx & VLIBC_VERSYM_INDEX) == ndx) {
			return vd;
		}
		if (!vd->vd_next)
			return 0;
		vd = (const vlibc_verdef_t *)((const char *)vd + vd->vd_next);
	}
	return 0;
}

int vlibc_elf_dyn_has_version(const struct vlibc_elf_dyn *d,
			      const char *version)
{
	return verdef_find(d, 0, version) != 0;
}

/* Does symbol @i match @name and @version (NULL: default version)? */
static void *sym_match(const struct vlibc_elf_dyn *d, unsigned long i,
		       const char *name, const char *version,
		       unsigned char *type)
{
	const Elf64_Sym *sym = d->symtab + i;
	unsigned char t, b;

	if (!in_range(d, sym, sizeof(*sym)))
		return 0;
	t = ELF64_ST_TYPE(sym->st_info);
	b = ELF64_ST_BIND(sym->st_info);
	if (t != STT_FUNC && t != STT_GNU_IFUNC && t != STT_OBJECT)
		return 0;
	if (b != STB_GLOBAL && b != STB_WEAK)
		return 0;
	if (sym->st_shndx == SHN_UNDEF)
		return 0;
	if (!str_equal(d, sym->st_name, name))
		return 0;
	if (d->versym) {
		const Elf64_Half *vs = d->versym + i;
		unsigned int ndx;

		if (!in_range(d, vs, sizeof(*vs)))
			return 0;
		ndx = *vs & VLIBC_VERSYM_INDEX;
		if (!version) {
			if (*vs & VLIBC_VERSYM_HIDDEN)
				return 0;
		} else if (ndx > 1) {
			const vlibc_verdef_t *vd = verdef_find(d, ndx, 0);
			const char *vn = vd ? verdef_name(d, vd) : 0;

			if (!vn || !str_equal(d, vn - d->strtab, version))
				return 0;
		}
	}
	if (type)
		*type = t;
	return (void *)(d->bias + sym->st_value);
}

static void *lookup_sysv(const struct vlibc_elf_dyn *d, const char *name,
			 const char *version, unsigned char *type)
{
	const Elf64_Word *h = d->sysv_hash;
	Elf64_Word nbucket = h[0], nchain = h[1];
	const Elf64_Word *bucket = h + 2, *chain = bucket + nbucket;
	Elf64_Word i;
	unsigned long guard;

	if (!nbucket || !in_range(d, bucket, 4UL * ((unsigned long)nbucket + nchain)))
		return 0;
	i = bucket[sysv_hash(name) % nbucket];
	for (guard = 0; i != 0 && i < nchain && guard <= nchain;
	     i = chain[i], guard++) {
		void *p = sym_match(d, i, name, version, type);

		if (p)
			return p;
	}
	return 0;
}

static void *lookup_gnu(const struct vlibc_elf_dyn *d, const char *name,
			const char *version, unsigned char *type)
{
	const Elf64_Word *h = d->gnu_hash;
	Elf64_Word nbucket = h[0], symoffset = h[1], bloom_size = h[2];
	const Elf64_Word *bucket = h + 4 + 2 * (unsigned long)bloom_size;
	const Elf64_Word *chain = bucket + nbucket;
	Elf64_Word hash = gnu_hash(name), i;

	if (!nbucket || !in_range(d, bucket, 4UL * nbucket))
		return 0;
	i = bucket[hash % nbucket];
	if (i < symoffset)
		return 0;
	for (;; i++) {
		const Elf64_Word *c = chain + (i - symoffset);

		if (!in_range(d, c, sizeof(*c)))
			return 0;
		if ((*c | 1) == (hash | 1)) {
			void *p = sym_match(d, i, name, version, type);

			if (p)
				return p;
		}
		if (*c & 1)
			return 0;
	}
}

void *vlibc_elf_dyn_lookup(const struct vlibc_elf_dyn *d, const char *name,
			   const char *version, unsigned char *type)
{
	if (d->gnu_hash)
		return lookup_gnu(d, name, version, type);
	return lookup_sysv(d, name, version, type);
}

int vlibc_elf_dyn_from_ehdr(struct vlibc_elf_dyn *d, const void *ehdr,
			    unsigned long span)
{
	const Elf64_Ehdr *eh = ehdr;
	const Elf64_Phdr *ph;
	unsigned long base = (unsigned long)ehdr, bias = 0, hi = span ? base + span : 0;
	const Elf64_Dyn *dyn = 0;
	int i, have_load = 0;

	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	if (span && (eh->e_phoff > span ||
		     (unsigned long)eh->e_phnum * sizeof(*ph) > span - eh->e_phoff))
		return -ENOEXEC;
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			bias = base + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)ph[i].p_vaddr;
		}
	}
	if (!have_load || !dyn)
		return -ENOEXEC;
	return vlibc_elf_dyn_init(d, bias, (const Elf64_Dyn *)(bias + (unsigned long)dyn),
				  span ? base : 0, hi);
}
