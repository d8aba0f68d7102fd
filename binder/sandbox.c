// SPDX-License-Identifier: GPL-2.0
/*
 * Sandboxes announced: the binder exports prctl() and syscall(), ahead of
 * glibc's, to see a seccomp filter (or strict mode) coming before it goes
 * in.  No system-call-free way tells a process that a filter arrived, and
 * a filter may kill the process (SECCOMP_RET_KILL_PROCESS) at the first
 * call it does not allow; but most programs install theirs through these
 * two glibc functions: libseccomp's seccomp_load(), systemd, Chromium's
 * and Firefox's helpers aside (they make the call themselves).
 *
 * Both names always end in glibc's own function, whatever the families
 * decided, and nothing in the image serves them.  Each is a guarded slot
 * (slot.h): a compare on the first argument, then an indirect jump to
 * glibc with every register and the stack as the caller left them.  Only
 * a call that may install a filter takes the slow way: the guard below
 * tells the families (binder_sandbox_coming()), keeps errno, and returns
 * glibc's function, which binder_lazy_common jumps to with the caller's
 * arguments, so the result and errno are glibc's.
 *
 * Calls that announce a sandbox:
 *	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER or SECCOMP_MODE_STRICT, ...)
 *	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER or _STRICT, ...)
 *	syscall(SYS_prctl, PR_SET_SECCOMP, either mode, ...)
 * Strict mode allows read, write, _exit and sigreturn only: everything a
 * family does beyond glibc must stop as for a filter.  A filter without
 * SECCOMP_FILTER_FLAG_TSYNC binds the calling thread only; the families
 * switch for the whole process all the same (conservative: the other
 * threads could have gone on).  The announcement is made whether or not
 * the call then succeeds: a family that switched needlessly only loses
 * speed.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "binder.h"
#include "slot.h"

BINDER_GUARDED_SLOT(prctl, BINDER_ARCH_GUARD_INT_ARG1(PR_SET_SECCOMP));
BINDER_GUARDED_SLOT(syscall, BINDER_ARCH_GUARD_SYSCALL_NR(__NR_seccomp, __NR_prctl));

/* Does seccomp operation or prctl mode @how install a sandbox? */
static int installs_filter(unsigned int how)
{
	return how == SECCOMP_SET_MODE_FILTER || how == SECCOMP_SET_MODE_STRICT;
}

/* The same for prctl(PR_SET_SECCOMP, @mode). */
static int installs_mode(unsigned long mode)
{
	return mode == SECCOMP_MODE_FILTER || mode == SECCOMP_MODE_STRICT;
}

/* Tell the families, leaving errno as the caller had it. */
static void announce(void)
{
	int saved = errno;

	binder_sandbox_coming();
	errno = saved;
}

/* prctl(@option, @mode, ...) with @option == PR_SET_SECCOMP (the guard). */
__attribute__((visibility("hidden"), used))
void *binder_guard_prctl(int option, unsigned long mode)
{
	if (option == PR_SET_SECCOMP && installs_mode(mode))
		announce();
	return binder_bind_prctl();
}

/* syscall(@nr, @a1, @a2, ...) with @nr seccomp or prctl (the guard). */
__attribute__((visibility("hidden"), used))
void *binder_guard_syscall(long nr, unsigned long a1, unsigned long a2)
{
	/* As the kernel reads the number: the low 32 bits, x32 bit aside. */
	unsigned int n = (unsigned int)nr & ~0x40000000U;

	if ((n == __NR_seccomp && installs_filter((unsigned int)a1)) ||
	    (n == __NR_prctl && (int)a1 == PR_SET_SECCOMP && installs_mode(a2)))
		announce();
	return binder_bind_syscall();
}

