// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-check: refuse a linux-vlibc.so.1 that a mapper could not use as is.
 *
 *   vlibc-check [-q] [--soname NAME] FILE
 *
 * Exits 0 when FILE is an acceptable image and 1 otherwise, after printing
 * one line per violation as "vlibc-check: FILE: <reason>" on stderr (-q
 * prints nothing).  An unreadable file exits 1 too; a usage error exits 2.
 *
 * On top of the layout rules shared with the binder and the kernel
 * (image_layout.c), an image must be self-contained and position
 * independent without any help from a dynamic linker:
 *
 *  - no dynamic relocations (DT_REL, DT_RELA, DT_JMPREL, DT_RELR, or any
 *    SHT_REL/SHT_RELA/SHT_RELR section with contents), no text relocations;
 *  - no undefined symbols in .dynsym or .symtab;
 *  - no thread-local storage (PT_TLS, SHF_TLS sections, STT_TLS symbols);
 *  - no DT_NEEDED, no PT_INTERP;
 *  - SONAME linux-vlibc.so.1, a version definition LINUX_VLIBC_1, and
 *    every exported symbol versioned LINUX_VLIBC_1;
 *  - no writable PT_LOAD with file contents.
 *
 * The file is untrusted input, read through elf_file.c, which checks
 * every offset, size and index against the file before use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vlibc/abi.h>
#define VLIBC_LAYOUT_NO_ELF_TYPES
#include "image_layout.h"
#include "elf_file.h"

#define VERSYM_INDEX	0x7fff		/* versym bits naming the version */
#define NTAGS		64		/* tags below this are kept by value */

#define MAX_VERDEFS	64

struct image {
	struct elf_file f;
	int quiet;
	int violations;

	int have_shdrs;

	/* from the dynamic section (0 when absent) */
	int have_dynamic;
	uint64_t tag[NTAGS];		/* value of the first entry per tag */
	unsigned char seen[NTAGS];
	uint64_t verdef, verdefnum, versym, gnu_hash, flags_1;
	int have_verdef, have_versym, have_gnu_hash;
	uint64_t strtab_off, strtab_size;
	int have_strtab;

	/* version definitions: index -> name */
	unsigned int nverdefs;
	struct {
		unsigned int ndx;
		const char *name;
	} verdefs[MAX_VERDEFS];
	unsigned int vlibc_ndx;		/* 0: LINUX_VLIBC_1 not defined */
};

static void violation(struct image *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void violation(struct image *im, const char *fmt, ...)
{
	va_list ap;

	im->violations++;
	if (im->quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "vlibc-check: %s: ", im->f.path);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *dynstr(const struct image *im, uint64_t idx)
{
	const char *s = NULL;

	if (im->have_strtab)
		s = elf_file_string(&im->f, im->strtab_off, im->strtab_size,
				    idx);
	return s ? s : "<bad string>";
}

/* --- ELF header ----------------------------------------------------------- */

static int check_ehdr(struct image *im)
{
	const Elf64_Ehdr *eh = &im->f.eh;

	if (elf_file_ehdr(&im->f))
		return -1;
	if (!eh->e_shoff && !eh->e_shnum)
		return 0;
	if (eh->e_shentsize != sizeof(Elf64_Shdr)) {
		violation(im, "bad section header entry size %u", eh->e_shentsize);
		return 0;
	}
	if (!eh->e_shnum || eh->e_shstrndx == SHN_XINDEX) {
		violation(im, "extended section numbering is not supported");
		return 0;
	}
	if (!elf_file_in(&im->f, eh->e_shoff,
			 (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
		violation(im, "section headers run past the end of the file");
		return 0;
	}
	im->have_shdrs = 1;
	return 0;
}

/* --- program headers ------------------------------------------------------ */

static void check_phdrs(struct image *im, const char *layout_why)
{
	int layout_tls = layout_why && strstr(layout_why, "PT_TLS");
	int layout_interp = layout_why && strstr(layout_why, "PT_INTERP");
	int ndynamic = 0;
	Elf64_Phdr p;
	unsigned int i;

	for (i = 0; i < im->f.eh.e_phnum; i++) {
		elf_file_phdr(&im->f, i, &p);	/* in the file: check_ehdr() */
		switch (p.p_type) {
		case PT_LOAD:
			if ((p.p_flags & PF_W) && p.p_filesz)
				violation(im, "writable PT_LOAD with file contents (offset %#llx, %llu bytes): writable data is not allowed",
					  (unsigned long long)p.p_offset,
					  (unsigned long long)p.p_filesz);
			if ((p.p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
				violation(im, "writable and executable PT_LOAD at %#llx",
					  (unsigned long long)p.p_vaddr);
			if (!elf_file_in(&im->f, p.p_offset, p.p_filesz))
				violation(im, "PT_LOAD at %#llx runs past the end of the file",
					  (unsigned long long)p.p_vaddr);
			break;
		case PT_TLS:
			if (!layout_tls)
				violation(im, "TLS: PT_TLS segment (thread-local storage)");
			break;
		case PT_INTERP:
			if (!layout_interp)
				violation(im, "PT_INTERP segment");
			break;
		case PT_DYNAMIC:
			ndynamic++;
			break;
		}
	}
	if (ndynamic > 1)
		violation(im, "%d PT_DYNAMIC segments", ndynamic);
}

/* --- dynamic section ------------------------------------------------------ */

static int find_dynamic(const struct image *im, uint64_t *off, uint64_t *n)
{
	Elf64_Phdr p;
	unsigned int i;

	for (i = 0; i < im->f.eh.e_phnum; i++) {
		elf_file_phdr(&im->f, i, &p);
		if (p.p_type != PT_DYNAMIC)
			continue;
		if (!elf_file_in(&im->f, p.p_offset, p.p_filesz))
			return -1;
		*off = p.p_offset;
		*n = p.p_filesz / sizeof(Elf64_Dyn);
		return 0;
	}
	return -1;
}

static void load_dynamic(struct image *im)
{
	uint64_t off, n, i, o;
	Elf64_Dyn d;

	if (find_dynamic(im, &off, &n)) {
		violation(im, "no PT_DYNAMIC inside the file");
		return;
	}
	im->have_dynamic = 1;
	for (i = 0; i < n; i++) {
		elf_file_copy(&im->f, off + i * sizeof(d), &d, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag >= 0 && d.d_tag < NTAGS) {
			if (!im->seen[d.d_tag])
				im->tag[d.d_tag] = d.d_un.d_val;
			im->seen[d.d_tag] = 1;
			continue;
		}
		switch (d.d_tag) {
		case DT_VERDEF:
			im->verdef = d.d_un.d_ptr;
			im->have_verdef = 1;
			break;
		case DT_VERDEFNUM:
			im->verdefnum = d.d_un.d_val;
			break;
		case DT_VERSYM:
			im->versym = d.d_un.d_ptr;
			im->have_versym = 1;
			break;
		case DT_GNU_HASH:
			im->gnu_hash = d.d_un.d_ptr;
			im->have_gnu_hash = 1;
			break;
		}
	}
	if (i == n)
		violation(im, "dynamic section not terminated by DT_NULL");

	if (!im->seen[DT_STRTAB] || !im->seen[DT_STRSZ]) {
		violation(im, "no DT_STRTAB/DT_STRSZ");
	} else if (elf_file_vaddr_to_off(&im->f, im->tag[DT_STRTAB], im->tag[DT_STRSZ], &o)) {
		violation(im, "DT_STRTAB outside the file");
	} else {
		im->strtab_off = o;
		im->strtab_size = im->tag[DT_STRSZ];
		im->have_strtab = 1;
	}
}

static void check_reloc_tag(struct image *im, int table, int size,
			    const char *table_name)
{
	if (!im->seen[table] && !im->seen[size])
		return;
	if (im->seen[size] && !im->tag[size])
		return;
	if (im->seen[size])
		violation(im, "dynamic relocations: %s table of %llu bytes",
			  table_name, (unsigned long long)im->tag[size]);
	else
		violation(im, "dynamic relocations: %s table of unknown size",
			  table_name);
}

static void check_dynamic_tags(struct image *im, const char *soname)
{
	uint64_t off, n, i;
	Elf64_Dyn d;
	int sonames = 0;

	check_reloc_tag(im, DT_RELA, DT_RELASZ, "DT_RELA");
	check_reloc_tag(im, DT_REL, DT_RELSZ, "DT_REL");
	check_reloc_tag(im, DT_JMPREL, DT_PLTRELSZ, "DT_JMPREL");
	check_reloc_tag(im, DT_RELR, DT_RELRSZ, "DT_RELR");
	if (im->seen[DT_TEXTREL])
		violation(im, "text relocations (DT_TEXTREL)");
	if (im->seen[DT_FLAGS] && (im->tag[DT_FLAGS] & DF_TEXTREL))
		violation(im, "text relocations (DF_TEXTREL in DT_FLAGS)");

	/* Tags that may repeat: walk the section again. */
	find_dynamic(im, &off, &n);
	for (i = 0; i < n; i++) {
		elf_file_copy(&im->f, off + i * sizeof(d), &d, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED)
			violation(im, "DT_NEEDED %s: the image must not depend on other objects",
				  dynstr(im, d.d_un.d_val));
		if (d.d_tag == DT_SONAME) {
			const char *s = dynstr(im, d.d_un.d_val);

			if (sonames++)
				violation(im, "more than one DT_SONAME");
			else if (strcmp(s, soname))
				violation(im, "SONAME is \"%s\", expected \"%s\"",
					  s, soname);
		}
	}
	if (!sonames)
		violation(im, "no DT_SONAME (expected \"%s\")", soname);
}

/* --- version definitions -------------------------------------------------- */

static void load_verdefs(struct image *im)
{
	uint64_t vaddr = im->verdef, off, aux;
	Elf64_Verdef vd;
	Elf64_Verdaux va;
	uint64_t i;

	if (!im->have_verdef) {
		violation(im, "no DT_VERDEF: version %s is not defined",
			  VLIBC_VERSION_NODE);
		return;
	}
	if (!im->verdefnum || im->verdefnum > MAX_VERDEFS) {
		violation(im, "bad DT_VERDEFNUM %llu",
			  (unsigned long long)im->verdefnum);
		return;
	}
	for (i = 0; i < im->verdefnum; i++) {
		const char *name;

		if (elf_file_vaddr_to_off(&im->f, vaddr, sizeof(vd), &off) ||
		    elf_file_copy(&im->f, off, &vd, sizeof(vd))) {
			violation(im, "version definition %llu outside the file",
				  (unsigned long long)i);
			return;
		}
		if (vd.vd_version != VER_DEF_CURRENT) {
			violation(im, "unknown version definition revision %u",
				  vd.vd_version);
			return;
		}
		if (!vd.vd_cnt || vaddr > UINT64_MAX - vd.vd_aux ||
		    elf_file_vaddr_to_off(&im->f, vaddr + vd.vd_aux, sizeof(va), &aux) ||
		    elf_file_copy(&im->f, aux, &va, sizeof(va))) {
			violation(im, "version definition %llu has no name",
				  (unsigned long long)i);
			return;
		}
		name = dynstr(im, va.vda_name);
		im->verdefs[im->nverdefs].ndx = vd.vd_ndx;
		im->verdefs[im->nverdefs].name = name;
		im->nverdefs++;
		if (!(vd.vd_flags & VER_FLG_BASE) &&
		    !strcmp(name, VLIBC_VERSION_NODE))
			im->vlibc_ndx = vd.vd_ndx;
		if (!vd.vd_next)
			break;
		if (vaddr > UINT64_MAX - vd.vd_next) {
			violation(im, "version definition chain overflows");
			return;
		}
		vaddr += vd.vd_next;
	}
	if (!im->vlibc_ndx)
		violation(im, "DT_VERDEF does not define version %s",
			  VLIBC_VERSION_NODE);
}

static const char *verdef_name(const struct image *im, unsigned int ndx)
{
	unsigned int i;

	for (i = 0; i < im->nverdefs; i++)
		if (im->verdefs[i].ndx == ndx)
			return im->verdefs[i].name;
	return NULL;
}

/* The absolute symbol ld defines for each version node. */
static int is_version_symbol(const struct image *im, const Elf64_Sym *s,
			     const char *name)
{
	unsigned int i;

	if (s->st_shndx != SHN_ABS)
		return 0;
	for (i = 0; i < im->nverdefs; i++)
		if (!strcmp(im->verdefs[i].name, name))
			return 1;
	return 0;
}

/* --- symbol tables -------------------------------------------------------- */

static const char *sym_name(const struct image *im,
			    const struct elf_symtab *t, const Elf64_Sym *s)
{
	const char *n = elf_file_sym_name(&im->f, t, s);

	return n ? n : "<bad string>";
}

/* Undefined and TLS symbols; for .dynsym also the versions of exports. */
static void check_symbols(struct image *im, const struct elf_symtab *t,
			  int dynamic)
{
	uint64_t versym_off = 0, i;
	int versions = 0;
	Elf64_Sym s;
	Elf64_Half v = 0;

	if (dynamic && im->have_versym) {
		if (elf_file_vaddr_to_off(&im->f, im->versym, t->count * sizeof(v),
				 &versym_off))
			violation(im, "DT_VERSYM outside the file");
		else
			versions = 1;
	}

	for (i = 1; i < t->count; i++) {
		unsigned int type, bind, vis;
		const char *name;

		if (elf_file_copy(&im->f, t->off + i * sizeof(s), &s, sizeof(s)))
			break;	/* the table was checked to lie in the file */
		type = ELF64_ST_TYPE(s.st_info);
		bind = ELF64_ST_BIND(s.st_info);
		vis = ELF64_ST_VISIBILITY(s.st_other);
		name = sym_name(im, t, &s);

		if (type == STT_TLS)
			violation(im, "TLS: symbol '%s' in %s is STT_TLS",
				  name, t->what);
		if (type == STT_FILE || type == STT_SECTION)
			continue;
		if (s.st_shndx == SHN_UNDEF) {
			violation(im, "undefined symbol '%s' in %s",
				  name, t->what);
			continue;
		}
		if (!dynamic || bind == STB_LOCAL ||
		    vis == STV_HIDDEN || vis == STV_INTERNAL)
			continue;
		if (is_version_symbol(im, &s, name))
			continue;
		if (!versions) {
			violation(im, "exported symbol '%s' is unversioned (no DT_VERSYM), expected %s",
				  name, VLIBC_VERSION_NODE);
			continue;
		}
		if (elf_file_copy(&im->f, versym_off + i * sizeof(v), &v, sizeof(v)))
			break;	/* checked above */
		v &= VERSYM_INDEX;
		if (v == VER_NDX_LOCAL || v == VER_NDX_GLOBAL) {
			violation(im, "exported symbol '%s' is unversioned, expected %s",
				  name, VLIBC_VERSION_NODE);
		} else if (!im->vlibc_ndx || v != im->vlibc_ndx) {
			const char *vn = verdef_name(im, v);

			violation(im, "exported symbol '%s' has version %s, expected %s",
				  name, vn ? vn : "<undefined version>",
				  VLIBC_VERSION_NODE);
		}
	}
}

static void check_dynsym(struct image *im)
{
	struct elf_symtab t = { .what = ".dynsym" };
	uint64_t count;

	if (!im->seen[DT_SYMTAB]) {
		violation(im, "no DT_SYMTAB");
		return;
	}
	if (im->seen[DT_SYMENT] && im->tag[DT_SYMENT] != sizeof(Elf64_Sym)) {
		violation(im, "bad DT_SYMENT %llu",
			  (unsigned long long)im->tag[DT_SYMENT]);
		return;
	}
	if (elf_file_dynsym_count(&im->f,
				  im->seen[DT_HASH] ? &im->tag[DT_HASH] : NULL,
				  im->have_gnu_hash ? &im->gnu_hash : NULL,
				  &count)) {
		violation(im, "cannot size .dynsym: no usable DT_HASH or DT_GNU_HASH");
		return;
	}
	if (count > ELF_FILE_MAX_SYMS ||
	    elf_file_vaddr_to_off(&im->f, im->tag[DT_SYMTAB], count * sizeof(Elf64_Sym),
			 &t.off)) {
		violation(im, ".dynsym (%llu entries) outside the file",
			  (unsigned long long)count);
		return;
	}
	if (!im->have_strtab)
		return;		/* already reported */
	t.count = count;
	t.str_off = im->strtab_off;
	t.str_size = im->strtab_size;
	check_symbols(im, &t, 1);
}

/* --- section headers ------------------------------------------------------ */

static const char *section_name(const struct image *im, const Elf64_Shdr *sh)
{
	const char *n = elf_file_section_name(&im->f, sh);

	return n ? n : "<unnamed>";
}

static void check_symtab_section(struct image *im, const Elf64_Shdr *sh)
{
	struct elf_symtab t = { .what = ".symtab" };
	Elf64_Shdr strs;

	if (sh->sh_entsize != sizeof(Elf64_Sym)) {
		violation(im, ".symtab has entry size %llu",
			  (unsigned long long)sh->sh_entsize);
		return;
	}
	if (elf_file_shdr(&im->f, sh->sh_link, &strs) || strs.sh_type != SHT_STRTAB ||
	    !elf_file_in(&im->f, strs.sh_offset, strs.sh_size)) {
		violation(im, ".symtab has no usable string table");
		return;
	}
	t.off = sh->sh_offset;
	t.count = sh->sh_size / sizeof(Elf64_Sym);
	t.str_off = strs.sh_offset;
	t.str_size = strs.sh_size;
	check_symbols(im, &t, 0);
}

static void check_sections(struct image *im)
{
	Elf64_Shdr sh;
	unsigned int i;

	if (im->f.eh.e_shstrndx >= im->f.eh.e_shnum)
		violation(im, "bad section name table index %u",
			  im->f.eh.e_shstrndx);
	for (i = 1; i < im->f.eh.e_shnum; i++) {
		const char *name;

		elf_file_shdr(&im->f, i, &sh);	/* in the file: check_ehdr() */
		name = section_name(im, &sh);
		if (sh.sh_type != SHT_NOBITS &&
		    !elf_file_in(&im->f, sh.sh_offset, sh.sh_size)) {
			violation(im, "section %s runs past the end of the file",
				  name);
			continue;
		}
		if (sh.sh_flags & SHF_TLS)
			violation(im, "TLS: section %s has SHF_TLS", name);
		switch (sh.sh_type) {
		case SHT_REL:
		case SHT_RELA:
		case SHT_RELR:
			if (sh.sh_size)
				violation(im, "dynamic relocations: section %s (%s, %llu bytes)",
					  name,
					  sh.sh_type == SHT_REL ? "SHT_REL" :
					  sh.sh_type == SHT_RELA ? "SHT_RELA" :
					  "SHT_RELR",
					  (unsigned long long)sh.sh_size);
			break;
		case SHT_SYMTAB:
			check_symtab_section(im, &sh);
			break;
		}
	}
}

/* --- driver --------------------------------------------------------------- */

static void check_image(struct image *im, const char *soname)
{
	struct vlibc_layout layout;
	const char *why = NULL;

	if (vlibc_layout_check_file(im->f.buf, im->f.size, &layout, &why))
		violation(im, "%s", why);
	else
		why = NULL;
	if (check_ehdr(im)) {
		/* Nothing further can be read safely; make sure it counts. */
		if (!im->violations)
			violation(im, "not a readable ELF64 little-endian file");
		return;
	}
	check_phdrs(im, why);
	load_dynamic(im);
	if (im->have_dynamic) {
		check_dynamic_tags(im, soname);
		load_verdefs(im);
		check_dynsym(im);
	}
	if (im->have_shdrs)
		check_sections(im);
}

static void print_usage(void)
{
	fprintf(stderr, "usage: vlibc-check [-q] [--soname NAME] FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *soname = VLIBC_SONAME, *path = NULL;
	struct image im = { 0 };
	const char *why;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q"))
			im.quiet = 1;
		else if (!strcmp(argv[i], "--soname") && i + 1 < argc)
			soname = argv[++i];
		else if (!strncmp(argv[i], "--soname=", 9))
			soname = argv[i] + 9;
		else if (!strcmp(argv[i], "--") && i + 2 == argc)
			path = argv[++i];
		else if (argv[i][0] == '-' || path)
			print_usage();
		else
			path = argv[i];
	}
	if (!path)
		print_usage();

	if (elf_file_load(&im.f, path, &why)) {
		fprintf(stderr, "vlibc-check: %s: %s\n", path, why);
		return 1;
	}
	check_image(&im, soname);
	elf_file_free(&im.f);
	return im.violations ? 1 : 0;
}
