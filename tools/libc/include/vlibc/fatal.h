/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_FATAL_H
#define _VLIBC_FATAL_H

#include <vlibc/compiler.h>

void vlibc_fatal(const char *msg) __vlibc_hidden __attribute__((noreturn));

#endif /* _VLIBC_FATAL_H */
