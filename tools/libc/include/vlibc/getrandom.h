/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_GETRANDOM_H
#define _VLIBC_GETRANDOM_H

#include <vlibc/compiler.h>

long vlibc_getrandom(void *buf, size_t len, unsigned int flags,
		     void *state, size_t state_len) __vlibc_hidden;
void *vlibc_getrandom_thread_state(void) __vlibc_hidden;
size_t vlibc_getrandom_state_size(void) __vlibc_hidden;

#endif /* _VLIBC_GETRANDOM_H */
