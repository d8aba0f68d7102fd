/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_COMPILER_H
#define _VLIBC_COMPILER_H

#define __vlibc_hidden		__attribute__((visibility("hidden")))
/* An entry point of the image: exported with version LINUX_VLIBC_1. */
#define VLIBC_ENTRY		__attribute__((visibility("default")))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#include <stddef.h>
#include <stdint.h>

#ifndef __ssize_t_defined
typedef long			ssize_t;
#define __ssize_t_defined
#endif

#endif /* _VLIBC_COMPILER_H */
