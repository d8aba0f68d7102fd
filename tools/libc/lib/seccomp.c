// SPDX-License-Identifier: GPL-2.0
/*
 * The thread's seccomp mode, from the "Seccomp:" line of
 * /proc/thread-self/status (filters may be per thread), read with open,
 * read and close: calls glibc's own start-up makes, so asking cannot be
 * what a filter refuses.  Shared by the image and the binder.
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/seccomp.h>


static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* The character after "Seccomp:\t" in @buf[0..@len), 0 when not there. */
static char seccomp_field(const char *buf, long len)
{
	static const char key[] = "\nSeccomp:\t";
	long i;

	for (i = 0; i + (long)sizeof(key) - 1 < len; i++)
		if (starts_with(buf + i, key))
			return buf[i + sizeof(key) - 1];
	return 0;
}

/* The mode of a process that cannot open the file for want of resources. */
#define MODE_UNKNOWABLE		'?'

/*
 * The mode in the status file at @path: '0' none, '1' strict, '2'
 * filter; 0 when it cannot be read (no /proc); MODE_UNKNOWABLE when it
 * cannot be opened for want of a descriptor or memory.  Reading stops
 * once the line is in (the first read holds it).
 */
static char status_seccomp(const char *path)
{
	char buf[4096], mode = 0;
	long fd, n, len = 0;

	fd = __arch_syscall4(__NR_openat, AT_FDCWD, (long)path,
			    O_RDONLY | O_CLOEXEC, 0);
	if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM)
		return MODE_UNKNOWABLE;
	if (fd < 0)
		return 0;
	while (!mode && len < (long)sizeof(buf) - 1) {
		n = __arch_syscall3(__NR_read, fd, (long)(buf + len),
				   sizeof(buf) - 1 - len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		buf[len] = 0;
		mode = seccomp_field(buf, len);
	}
	__arch_syscall1(__NR_close, fd);
	return mode;
}

/*
 * A process at its descriptor limit (or out of memory) cannot tell: it
 * counts as filtered, since a filter may be there, and what the caller
 * wanted the answer for (a ring, an image file) needs a descriptor too.
 */
int vlibc_seccomp_filtered(void)
{
	char mode = status_seccomp("/proc/thread-self/status");

	if (!mode)
		mode = status_seccomp("/proc/self/status");
	return mode && mode != '0';
}
