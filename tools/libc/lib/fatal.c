// SPDX-License-Identifier: GPL-2.0
/*
 * For what glibc treats as fatal (as __libc_fatal does): say so on stderr
 * and end the process with SIGABRT.  @msg is glibc's own text for the
 * same failure, byte for byte, so that a log or a test that looks for it
 * finds it whichever library failed.
 */
#include <linux/signal.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/fatal.h>

void vlibc_fatal(const char *msg)
{
	size_t n = 0;

	while (msg[n])
		n++;
	__arch_syscall3(__NR_write, 2, (long)msg, n);
	__arch_syscall3(__NR_write, 2, (long)"\n", 1);
	__arch_syscall3(__NR_tgkill, __arch_syscall0(__NR_getpid),
		       __arch_syscall0(__NR_gettid), SIGABRT);
	for (;;)
		__arch_syscall1(__NR_exit_group, 127);
}
