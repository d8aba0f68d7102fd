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
#include <vlibc/arch.h>
#include <vlibc/elf_dyn.h>
#include <vlibc/private.h>
#include <vlibc/families.h>
#include <vlibc/stat.h>

#ifndef AT_SYSINFO_EHDR
#define AT_SYSINFO_EHDR	33
#endif

/* Placed by vdso-link/vlibc.lds.S, reached PC-relatively. */
extern const struct vlibc_facts vlibc_facts_start __vlibc_hidden;
extern const char __ehdr_start[] __vlibc_hidden;

static void init_from_auxv(struct vlibc_private *p, const unsigned long *auxv)
{
	p->facts = 0;
	for (; auxv[0] != AT_NULL; auxv += 2) {
		/* The kernel mapped this image: its facts block is below it. */
		if (auxv[0] == AT_VLIBC && auxv[1] == (unsigned long)__ehdr_start &&
		    vlibc_facts_valid(&vlibc_facts_start))
			p->facts = &vlibc_facts_start;
		else if (auxv[0] == AT_SYSINFO_EHDR)
			p->vdso = (const void *)auxv[1];
		else if (auxv[0] == AT_PAGESZ)
			p->pagesz = auxv[1];
	}
	if (!p->pagesz)
		p->pagesz = VLIBC_PAGE_SIZE;
}

/* The first version of struct vlibc_init_args ends after auxv. */
#define INIT_ARGS_SIZE_V1	16
_Static_assert(offsetof(struct vlibc_init_args, auxv) + 8 == INIT_ARGS_SIZE_V1,
	       "struct vlibc_init_args changed inside its first version");

/*
 * @args may come from an older or newer caller: fields past its @size
 * read as zero, fields past ours are ignored.
 */
static int init_args_copy(struct vlibc_init_args *dst,
			  const struct vlibc_init_args *src)
{
	unsigned int n;

	if (!src || src->size < INIT_ARGS_SIZE_V1)
		return -EINVAL;
	n = src->size < sizeof(*dst) ? src->size : sizeof(*dst);
	*dst = (struct vlibc_init_args){ 0 };
	__builtin_memcpy(dst, src, n);
	return dst->flags || !dst->auxv ? -EINVAL : 0;
}

VLIBC_ENTRY long __vlibc_init(const struct vlibc_init_args *user_args)
{
	struct vlibc_private *p = vlibc_private();
	struct vlibc_elf_dyn vdso_storage, *vdso = 0;
	struct vlibc_init_args args;

	if (init_args_copy(&args, user_args))
		return -EINVAL;
	vlibc_stat_setup();
	init_from_auxv(p, args.auxv);
	if (p->vdso && !vlibc_elf_dyn_from_ehdr(&vdso_storage, p->vdso, 0))
		vdso = &vdso_storage;
	if (vdso)
		p->clock_gettime = vlibc_elf_dyn_lookup(vdso, "__vdso_clock_gettime",
							VLIBC_ARCH_VDSO_VERSION, 0);

#define VLIBC_FAMILY(name, binder) vlibc_##name##_init(p, vdso);
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY

	p->initialized = 1;
	return 0;
}
