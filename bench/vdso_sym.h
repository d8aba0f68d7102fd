/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_BENCH_VDSO_SYM_H
#define _VLIBC_BENCH_VDSO_SYM_H

/* Address of @name@@version in the vDSO at @ehdr, or NULL. */
void *bench_vdso_sym(const void *ehdr, const char *name, const char *version);

#endif /* _VLIBC_BENCH_VDSO_SYM_H */
