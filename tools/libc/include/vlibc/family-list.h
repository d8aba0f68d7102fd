/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image's families, one line each.  Included with VLIBC_FAMILY(name)
 * defined; every family provides
 *	void vlibc_<name>_init(struct vlibc_private *, const struct vlibc_elf_dyn *vdso);
 */
VLIBC_FAMILY(getrandom)
VLIBC_FAMILY(aio)
VLIBC_FAMILY(locks)
VLIBC_FAMILY(memcpy)
