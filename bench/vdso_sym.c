// SPDX-License-Identifier: GPL-2.0
/*
 * vDSO symbol lookup for the native benchmark, kept in its own file:
 * <linux/elf.h> (used by the lookup) and glibc's <elf.h> (pulled in by
 * <sys/auxv.h>) cannot share a translation unit.
 */
#include <stddef.h>
#include <vlibc/elf_dyn.h>
#include "vdso_sym.h"

void *bench_vdso_sym(const void *ehdr, const char *name, const char *version)
{
	struct vlibc_elf_dyn dyn;

	if (!ehdr || vlibc_elf_dyn_from_ehdr(&dyn, ehdr, 0))
		return NULL;
	return vlibc_elf_dyn_lookup(&dyn, name, version, NULL);
}
