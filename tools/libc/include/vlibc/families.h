/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_FAMILIES_H
#define _VLIBC_FAMILIES_H

#include <vlibc/elf_dyn.h>
#include <vlibc/private.h>

#define VLIBC_FAMILY(name, binder)					\
	void vlibc_##name##_init(struct vlibc_private *p,		\
				 const struct vlibc_elf_dyn *vdso) __vlibc_hidden;
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY

#endif /* _VLIBC_FAMILIES_H */
