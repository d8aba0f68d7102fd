/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The synchronous signals: the ones the kernel forces on the thread that
 * caused them (a fault, a seccomp filter's SECCOMP_RET_TRAP).  Blocked,
 * such a signal kills the process, its handler reset to SIG_DFL, so
 * vlibc never blocks them: not across a wait in the kernel (aio/wait.c),
 * not in the binder's helper threads (binder/aio.c).
 *
 * As a mask of the kernel's 64-bit sigset_t.  The includer provides the
 * signal numbers (<linux/signal.h> in the image, <signal.h> in the
 * binder: the same values).
 */
#ifndef _VLIBC_SIGNALS_H
#define _VLIBC_SIGNALS_H

#define VLIBC_SIG_BIT(n)	(1ULL << ((n) - 1))
#define VLIBC_SIGS_SYNCHRONOUS	(VLIBC_SIG_BIT(SIGILL) | VLIBC_SIG_BIT(SIGTRAP) | \
				 VLIBC_SIG_BIT(SIGBUS) | VLIBC_SIG_BIT(SIGFPE) | \
				 VLIBC_SIG_BIT(SIGSEGV) | VLIBC_SIG_BIT(SIGSYS))

#endif /* _VLIBC_SIGNALS_H */
