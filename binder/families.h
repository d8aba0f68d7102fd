/* SPDX-License-Identifier: GPL-2.0 */
/* The binder's families, one line each: VLIBC_BINDER_FAMILY(name). */
VLIBC_BINDER_FAMILY(getrandom)
VLIBC_BINDER_FAMILY(aio)
VLIBC_BINDER_FAMILY(locks)
#ifdef VLIBC_BINDER_WITH_MEMCPY
/* Opt-in, only in libvlibc-memcpy.so (see the Makefile). */
VLIBC_BINDER_FAMILY(memcpy)
#endif
