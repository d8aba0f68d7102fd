/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small seccomp filter for the locks selftests, with no libseccomp: it
 * refuses the listed system calls with one action (SECCOMP_RET_ERRNO(e)
 * or SECCOMP_RET_TRAP) and allows everything else.  In TRAP mode a SIGSYS
 * handler answers -ENOSYS in the return register, as Firefox's sandbox
 * does, and counts its hits (lt_sigsys_hits).  Installed on every thread
 * of the process (SECCOMP_FILTER_FLAG_TSYNC) after PR_SET_NO_NEW_PRIVS;
 * threads created later inherit it.  x86-64.
 */
#ifndef _LOCKS_SECCOMP_FILTER_H
#define _LOCKS_SECCOMP_FILTER_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "seccomp.h"

#define LT_FILTER_MAX_NRS	8

static int lt_sigsys_hits;

static void lt_sigsys_enosys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	__atomic_add_fetch(&lt_sigsys_hits, 1, __ATOMIC_RELAXED);
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

static inline int lt_sigsys_count(void)
{
	return __atomic_load_n(&lt_sigsys_hits, __ATOMIC_RELAXED);
}

/* Refuse system calls @nrs[0..@n) with @action: 0, or -1 with errno. */
static inline int lt_seccomp_refuse(const int *nrs, int n, unsigned int action)
{
	struct sock_filter f[4 + 2 * LT_FILTER_MAX_NRS + 1];
	struct sock_fprog prog = { .filter = f };
	struct sigaction sa = { .sa_sigaction = lt_sigsys_enosys,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	int len = 0, i;

	if (n > LT_FILTER_MAX_NRS) {
		errno = E2BIG;
		return -1;
	}
	f[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, arch));
	f[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				AUDIT_ARCH_X86_64, 1, 0);
	f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++) {
		f[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							nrs[i], 0, 1);
		f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
	}
	f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = len;
	if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRAP &&
	    sigaction(SIGSYS, &sa, NULL))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	/* Refusals as Firefox's (installed without glibc); KILL via syscall(). */
	if (action != SECCOMP_RET_KILL_PROCESS)
		return vsc_seccomp_raw(SECCOMP_SET_MODE_FILTER,
				       SECCOMP_FILTER_FLAG_TSYNC, &prog) ? -1 : 0;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_TSYNC, &prog) ? -1 : 0;
}

#endif /* _LOCKS_SECCOMP_FILTER_H */
