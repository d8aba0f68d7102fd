/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binder's raw system calls (they leave errno alone and go through
 * none of the names the binder exports itself, such as syscall() and
 * prctl()) and its string helpers, which need no libc.  Futex waits and
 * wakes are the image's own (<vlibc/futex.h>, tools/libc/lib/futex.c).
 */
#ifndef _BINDER_SYS_H
#define _BINDER_SYS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/futex.h>

static inline int sys_open(const char *path, int flags)
{
	return __arch_syscall4(__NR_openat, AT_FDCWD, (long)path, flags, 0);
}

static inline int sys_close(int fd)
{
	return __arch_syscall1(__NR_close, fd);
}

static inline long sys_read(int fd, void *buf, size_t len)
{
	return __arch_syscall3(__NR_read, fd, (long)buf, len);
}

static inline long sys_pread(int fd, void *buf, size_t len, long off)
{
	return __arch_syscall4(__NR_pread64, fd, (long)buf, len, off);
}

static inline long sys_write(int fd, const void *buf, size_t len)
{
	return __arch_syscall3(__NR_write, fd, (long)buf, len);
}

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH	0x1000
#endif

/* As glibc 2.36's fstat() makes it. */
static inline int sys_fstat(int fd, struct stat *st)
{
	return __arch_syscall4(__NR_newfstatat, fd, (long)"", (long)st,
			      AT_EMPTY_PATH);
}

static inline int sys_lstat(const char *path, struct stat *st)
{
	return __arch_syscall4(__NR_newfstatat, AT_FDCWD, (long)path, (long)st,
			      AT_SYMLINK_NOFOLLOW);
}

static inline long sys_readlink(const char *path, char *buf, size_t size)
{
	return __arch_syscall4(__NR_readlinkat, AT_FDCWD, (long)path, (long)buf, size);
}

static inline long sys_mmap(void *addr, size_t len, int prot, int flags,
			    int fd, long off)
{
	return __arch_syscall6(__NR_mmap, (long)addr, len, prot, flags, fd, off);
}

static inline int sys_munmap(void *addr, size_t len)
{
	return __arch_syscall2(__NR_munmap, (long)addr, len);
}

static inline int sys_madvise(void *addr, size_t len, int advice)
{
	return __arch_syscall3(__NR_madvise, (long)addr, len, advice);
}

static inline int sys_uname(struct utsname *u)
{
	return __arch_syscall1(__NR_uname, (long)u);
}

static inline int mmap_failed(long r)
{
	return (unsigned long)r > -4096UL;
}

size_t binder_strlen(const char *s);
int binder_streq(const char *a, const char *b);
/* Non-zero when @s starts with @prefix; *@rest gets what follows. */
int binder_prefix(const char *s, const char *prefix, const char **rest);
/* Append @s to the NUL-terminated @buf of @size; 0, or -1 if cut. */
int binder_append(char *buf, size_t size, const char *s);

#endif /* _BINDER_SYS_H */
