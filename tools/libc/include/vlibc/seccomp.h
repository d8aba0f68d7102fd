/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VLIBC_SECCOMP_H
#define _VLIBC_SECCOMP_H

#include <linux/errno.h>
#include <vlibc/compiler.h>

/*
 * Is a seccomp filter (or strict mode) in force for the calling thread?
 * Code about to make a system call plain glibc would not make for the
 * same work asks first: a filter may kill the process for it
 * (SECCOMP_RET_KILL_PROCESS), and no call can be tried safely under one.
 * 0 when none, or when it cannot be told (no /proc: a chroot, rarely a
 * sandbox); 1 when /proc cannot be opened for want of a descriptor or of
 * memory (a filter is not ruled out, and what the caller needs, a ring or
 * an image file, would take a descriptor too).
 */
int vlibc_seccomp_filtered(void) __vlibc_hidden;

/*
 * A sandbox's answer to a system call it does not allow: seccomp's
 * SECCOMP_RET_ERRNO, an LSM, or a SIGSYS handler's (Firefox, Chromium).
 * Code that made a call glibc would not make stops making it for good.
 */
static inline int vlibc_refused(long r)
{
	return r == -ENOSYS || r == -EPERM || r == -EACCES;
}

#endif /* _VLIBC_SECCOMP_H */
