// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler may emit calls to memcpy and memset for struct copies even
 * in freestanding code; the image has nothing to resolve them against, so
 * it carries its own, hidden.  Built with -fno-tree-loop-distribute-patterns
 * so these loops are not turned back into calls to themselves.
 */
#include <vlibc/compiler.h>

__vlibc_hidden void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

__vlibc_hidden void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
