/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The families, one line each, for the image (core/init.c calls every
 * family's vlibc_<name>_init()) and the binder (binder/bind.c binds every
 * family built into it).  Included with VLIBC_FAMILY(name, binder)
 * defined; @binder says which binders have the family:
 *	ALWAYS	libvlibc.so and libvlibc-memcpy.so
 *	OPT_IN	libvlibc-memcpy.so only (built with VLIBC_BINDER_WITH_MEMCPY):
 *		binding memcpy at all costs every call a jump, see
 *		Documentation/userspace-api/vlibc-memcpy.rst
 */
VLIBC_FAMILY(getrandom, ALWAYS)
VLIBC_FAMILY(aio, ALWAYS)
VLIBC_FAMILY(locks, ALWAYS)
VLIBC_FAMILY(memcpy, OPT_IN)
