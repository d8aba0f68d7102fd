// SPDX-License-Identifier: GPL-2.0
/* String helpers for the binder, without libc (see sys.h). */
#include "sys.h"

size_t binder_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int binder_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int binder_prefix(const char *s, const char *prefix, const char **rest)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	if (rest)
		*rest = s;
	return 1;
}

int binder_append(char *buf, size_t size, const char *s)
{
	size_t n = binder_strlen(buf);

	while (*s && n + 1 < size)
		buf[n++] = *s++;
	buf[n] = 0;
	return *s ? -1 : 0;
}
