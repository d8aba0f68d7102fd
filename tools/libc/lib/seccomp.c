// SPDX-License-Identifier: GPL-2.0
/*
 * The thread's seccomp mode, from the "Seccomp:" line of
 * /proc/thread-self/status (filters may be per thread), read with open,
 * read and close: calls glibc's own start-up makes, so asking cannot be
 * what a filter refuses.  Shared by the image and the binder.
 */
#include <linux/errno.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/seccomp.h>

#define AT_FDCWD_		-100
#define O_RDONLY_CLOEXEC	02000000

static long status_read(const char *path, char *buf, long size)
{
	long fd, n, len = 0;

	fd = vlibc_syscall4(__NR_openat, AT_FDCWD_, (long)path,
			    O_RDONLY_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	while (len < size - 1) {
		n = vlibc_syscall3(__NR_read, fd, (long)(buf + len), size - 1 - len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	vlibc_syscall1(__NR_close, fd);
	buf[len] = 0;
	return len;
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

int vlibc_seccomp_filtered(void)
{
	static const char key[] = "\nSeccomp:\t";
	char buf[4096];
	long len, i;

	len = status_read("/proc/thread-self/status", buf, sizeof(buf));
	if (len < 0)
		len = status_read("/proc/self/status", buf, sizeof(buf));
	for (i = 0; i + (long)sizeof(key) < len; i++)
		if (starts_with(buf + i, key))
			return buf[i + sizeof(key) - 1] != '0';
	return 0;
}
