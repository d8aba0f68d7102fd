// SPDX-License-Identifier: GPL-2.0
/*
 * What every architecture's memcpy bodies share, out of line: the copy
 * through process_vm_readv() (VLIBC_MEMCPY=pvr) and the fortified forms'
 * abort.
 */
#include <linux/signal.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/memcpy.h>
#include <vlibc/private.h>

struct vlibc_mem_iovec {
	const void	*base;
	size_t		len;
};

/*
 * Copy through process_vm_readv() on this process (the kernel copies,
 * page by page, with its own copy routine).  1: all of it was copied;
 * 0: not (a fault, a refusal): the caller copies it all again.
 */
int vlibc_memcpy_pvr(char *d, const char *s, size_t n)
{
	struct vlibc_memcpy_state *m = &vlibc_private()->memcpy;
	long pid = __atomic_load_n(&m->pid, __ATOMIC_RELAXED);

	if (!pid) {
		pid = __arch_syscall0(__NR_getpid);
		__atomic_store_n(&m->pid, pid, __ATOMIC_RELAXED);
	}
	while (n) {
		/* The kernel copies at most MAX_RW_COUNT per call. */
		size_t chunk = n < (1UL << 30) ? n : (1UL << 30);
		struct vlibc_mem_iovec local = { d, chunk }, remote = { s, chunk };
		long r = __arch_syscall6(__NR_process_vm_readv, pid, (long)&local, 1,
					(long)&remote, 1, 0);

		if (r <= 0 || (size_t)r != chunk)
			return 0;
		d += chunk;
		s += chunk;
		n -= chunk;
	}
	return 1;
}

/*
 * glibc's __chk_fail(): "*** buffer overflow detected ***: terminated"
 * on stderr, then abort(): SIGABRT unblocked; if a handler returns, the
 * default action is restored and SIGABRT raised again.
 */
void vlibc_memcpy_chk_fail(void)
{
	static const char msg[] = "*** buffer overflow detected ***: terminated\n";
	unsigned long set = 1UL << (SIGABRT - 1);
	struct {
		unsigned long	handler, flags, restorer, mask;
	} dfl = { 0 };
	long pid = __arch_syscall0(__NR_getpid), tid = __arch_syscall0(__NR_gettid);

	__arch_syscall3(__NR_write, 2, (long)msg, sizeof(msg) - 1);
	__arch_syscall4(__NR_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8);
	__arch_syscall3(__NR_tgkill, pid, tid, SIGABRT);
	__arch_syscall4(__NR_rt_sigaction, SIGABRT, (long)&dfl, 0, 8);
	__arch_syscall3(__NR_tgkill, pid, tid, SIGABRT);
	for (;;)
		__arch_syscall1(__NR_exit_group, 127);
}
