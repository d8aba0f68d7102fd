// SPDX-License-Identifier: GPL-2.0
/*
 * __vlibc_init(): learn what the process has (auxv, the vDSO) and let each
 * family set up its part of the private region.  Called by the binder once
 * per process and again in a fork child, whose private region the kernel
 * has wiped.  Entry points called before it take their slow paths.
 */
#include <linux/auxvec.h>
#include <linux/errno.h>
#include <vlibc/abi.h>
#include <vlibc/elf_dyn.h>
#include <vlibc/private.h>
#include <vlibc/families.h>

#ifndef AT_SYSINFO_EHDR
#define AT_SYSINFO_EHDR	33
#endif

static void init_from_auxv(struct vlibc_private *p, const unsigned long *auxv)
{
	for (; auxv[0] != AT_NULL; auxv += 2) {
		if (auxv[0] == AT_SYSINFO_EHDR)
			p->vdso = (const void *)auxv[1];
		else if (auxv[0] == AT_PAGESZ)
			p->pagesz = auxv[1];
	}
	if (!p->pagesz)
		p->pagesz = 4096;
}

VLIBC_ENTRY long __vlibc_init(const struct vlibc_init_args *args)
{
	struct vlibc_private *p = vlibc_private();
	struct vlibc_elf_dyn vdso_storage, *vdso = 0;

	if (!args || args->size < sizeof(*args) || args->flags || !args->auxv)
		return -EINVAL;
	init_from_auxv(p, args->auxv);
	if (p->vdso && !vlibc_elf_dyn_from_ehdr(&vdso_storage, p->vdso, 0))
		vdso = &vdso_storage;

#define VLIBC_FAMILY(name) vlibc_##name##_init(p, vdso);
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY

	p->initialized = 1;
	return 0;
}
