// SPDX-License-Identifier: GPL-2.0
/* The image's clock (see <vlibc/time.h>). */
#include <linux/time.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/private.h>
#include <vlibc/time.h>


void vlibc_clock_monotonic(struct vlibc_timespec *ts)
{
	struct vlibc_private *p = vlibc_private();

	if (!p->clock_gettime ||
	    p->clock_gettime(CLOCK_MONOTONIC, ts) != 0)
		__arch_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC, (long)ts);
}
