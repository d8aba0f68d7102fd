/* SPDX-License-Identifier: GPL-2.0 */
/* Time as the kernel takes it, for the image and the binder alike. */
#ifndef _VLIBC_TIME_H
#define _VLIBC_TIME_H

#define NSEC_PER_SEC		1000000000L

/* The layout of struct timespec (and of the kernel's __kernel_timespec). */
struct vlibc_timespec {
	long	tv_sec;
	long	tv_nsec;
};

/* Is @nsec a valid tv_nsec (what futex(2) and POSIX refuse with EINVAL)? */
static inline int vlibc_nsec_valid(long nsec)
{
	return nsec >= 0 && nsec < NSEC_PER_SEC;
}

/* The image's CLOCK_MONOTONIC, through the vDSO when it found one. */
void vlibc_clock_monotonic(struct vlibc_timespec *ts)
	__attribute__((visibility("hidden")));

#endif /* _VLIBC_TIME_H */
