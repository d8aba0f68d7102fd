/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seccomp filters for the selftests (header-only, all static), shaped
 * like the sandboxes programs really install:
 *
 *	struct vsc_allow allow;
 *
 *	vsc_allow_parse(&allow, "0,1,3,9,...", "0x822");
 *	vsc_install(VSC_TRAP, &allow);
 *
 * The filter lets through the system calls in @allow (plus exit,
 * exit_group and rt_sigreturn, which no sandbox refuses) and answers
 * every other one according to the mode:
 *
 *	VSC_ENOSYS	SECCOMP_RET_ERRNO(ENOSYS)
 *	VSC_EPERM	SECCOMP_RET_ERRNO(EPERM)
 *	VSC_TRAP	SECCOMP_RET_TRAP, with a SIGSYS handler that sets the
 *			return register to -ENOSYS and returns (as Firefox's
 *			does); vsc_trap_hits() counts them, vsc_trapped()
 *			says which call numbers were trapped
 *	VSC_KILL	SECCOMP_RET_KILL_PROCESS
 *
 * In the refusing modes (all but VSC_KILL) an mmap() whose flags have a
 * bit outside @allow->mmap_flags is refused too, as Chromium's baseline
 * policy refuses unusual mmap flags.  VSC_KILL checks call numbers only.
 *
 * The filter goes to every thread of the process (SECCOMP_FILTER_FLAG_TSYNC).
 * VSC_KILL is installed with syscall(SYS_seccomp, ...), as libseccomp
 * does (the binder sees it coming); the refusing modes with the system
 * call instruction itself, as Chromium and Firefox do (vsc_seccomp_raw():
 * the families meet the refusals), unless vsc_through_glibc is set.
 *
 * The other shape, a filter that refuses a few calls and allows the rest
 * (as Docker's profile refuses io_uring):
 *
 *	static const int calls[] = { __NR_io_uring_setup };
 *
 *	vsc_deny(calls, 1, SECCOMP_RET_ERRNO | EPERM, VSC_VIA_USUAL);
 *
 * answers each listed call with the SECCOMP_RET_* value given (for
 * SECCOMP_RET_TRAP with the handler above) and allows every other one,
 * and every call of another architecture; vsc_deny_rules() takes a
 * different answer per call.  @via says how the filter goes in:
 *
 *	VSC_VIA_USUAL	the refusals with the system call instruction,
 *			SECCOMP_RET_KILL_PROCESS through syscall(), as
 *			vsc_install() does
 *	VSC_VIA_RAW	with the system call instruction, whatever it does
 *	VSC_VIA_GLIBC	through glibc's syscall(SYS_seccomp, ...)
 *	VSC_VIA_PRCTL	through prctl(PR_SET_SECCOMP): the calling thread
 *			only (no TSYNC), as older programs do
 *
 * A test proves that the refusal it is about is in force (and would fail
 * under a filter that allows everything) with vsc_answers():
 *
 *	EXPECT_TRUE(vsc_answers(__NR_io_uring_setup, SECCOMP_RET_ERRNO | EPERM));
 */
#ifndef _VLIBC_SELFTEST_SECCOMP_H
#define _VLIBC_SELFTEST_SECCOMP_H

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define VSC_MAX_NR	512	/* x86-64 call numbers below this */

enum vsc_mode { VSC_NONE, VSC_ENOSYS, VSC_EPERM, VSC_TRAP, VSC_KILL };

struct vsc_allow {
	unsigned char	nr[VSC_MAX_NR];		/* 1: allowed */
	unsigned long	mmap_flags;		/* flag bits mmap() may use */
};

static const char *const vsc_mode_names[] = {
	[VSC_NONE] = "none", [VSC_ENOSYS] = "enosys", [VSC_EPERM] = "eperm",
	[VSC_TRAP] = "trap", [VSC_KILL] = "kill",
};

/* The mode called @name, or -1. */
static inline int vsc_mode_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(vsc_mode_names) / sizeof(vsc_mode_names[0]); i++)
		if (!strcmp(name, vsc_mode_names[i]))
			return i;
	return -1;
}

/*
 * @list: call numbers separated by commas ("" or "-": none); @mmap_flags:
 * a number (strtoul base 0).  0, or -1 for a malformed list.
 */
static inline int vsc_allow_parse(struct vsc_allow *a, const char *list,
				  const char *mmap_flags)
{
	char *end;

	memset(a, 0, sizeof(*a));
	a->mmap_flags = mmap_flags ? strtoul(mmap_flags, NULL, 0) : 0;
	if (!strcmp(list, "-"))
		return 0;
	while (*list) {
		unsigned long nr = strtoul(list, &end, 10);

		if (end == list || nr >= VSC_MAX_NR || (*end && *end != ','))
			return -1;
		a->nr[nr] = 1;
		list = *end ? end + 1 : end;
	}
	return 0;
}

/* Every call number, mmap() with any flag but @mmap_refused. */
static inline void vsc_allow_all_but_mmap(struct vsc_allow *a,
					  unsigned long mmap_refused)
{
	memset(a->nr, 1, sizeof(a->nr));
	a->mmap_flags = ~mmap_refused;
}

static volatile long vsc_hits;
static volatile unsigned char vsc_trapped_nr[VSC_MAX_NR];

/* Firefox-style: the refused call returns -ENOSYS to its caller. */
static void vsc_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	int nr = si->si_syscall;

	__atomic_add_fetch(&vsc_hits, 1, __ATOMIC_RELAXED);
	if (nr >= 0 && nr < VSC_MAX_NR)
		vsc_trapped_nr[nr] = 1;
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

static inline long vsc_trap_hits(void)
{
	return __atomic_load_n(&vsc_hits, __ATOMIC_RELAXED);
}

/* The call numbers trapped so far, "a,b,c" in @buf ("" for none). */
static inline const char *vsc_trapped(char *buf, size_t size)
{
	size_t n = 0;
	int nr;

	buf[0] = 0;
	for (nr = 0; nr < VSC_MAX_NR && n + 12 < size; nr++)
		if (vsc_trapped_nr[nr])
			n += snprintf(buf + n, size - n, "%s%d", n ? "," : "", nr);
	return buf;
}

static inline unsigned int vsc_refusal(enum vsc_mode mode)
{
	switch (mode) {
	case VSC_ENOSYS:	return SECCOMP_RET_ERRNO | ENOSYS;
	case VSC_EPERM:		return SECCOMP_RET_ERRNO | EPERM;
	case VSC_TRAP:		return SECCOMP_RET_TRAP;
	default:		return SECCOMP_RET_KILL_PROCESS;
	}
}

/*
 * seccomp(2) made with the system call instruction itself, as Chromium
 * and Firefox install their filters: the binder's syscall() and prctl()
 * do not see it coming, so the families meet the filter's refusals.
 */
static inline long vsc_seccomp_raw(unsigned int op, unsigned int flags,
				   const void *args)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"((long)__NR_seccomp), "D"((long)op), "S"((long)flags),
			   "d"(args)
			 : "rcx", "r11", "memory");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define VSC_STMT(c, k)		((struct sock_filter)BPF_STMT(c, k))
#define VSC_JUMP(c, k, t, f)	((struct sock_filter)BPF_JUMP(c, k, t, f))

enum vsc_via { VSC_VIA_USUAL, VSC_VIA_RAW, VSC_VIA_GLIBC, VSC_VIA_PRCTL };

/*
 * Put @prog in force the way @via says (VSC_VIA_USUAL: by @kill, whether
 * it may answer SECCOMP_RET_KILL_PROCESS), after the SIGSYS handler when
 * @trap and PR_SET_NO_NEW_PRIVS: 0 or -1 with errno.
 */
static inline int vsc_load(const struct sock_fprog *prog, int trap, int kill,
			   enum vsc_via via)
{
	struct sigaction sa;

	if (trap) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = vsc_sigsys;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		if (sigaction(SIGSYS, &sa, NULL))
			return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	if (via == VSC_VIA_USUAL)
		via = kill ? VSC_VIA_GLIBC : VSC_VIA_RAW;
	switch (via) {
	case VSC_VIA_PRCTL:
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) ? -1 : 0;
	case VSC_VIA_RAW:
		return vsc_seccomp_raw(SECCOMP_SET_MODE_FILTER,
				       SECCOMP_FILTER_FLAG_TSYNC, prog) ? -1 : 0;
	default:
		return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			       SECCOMP_FILTER_FLAG_TSYNC, prog) ? -1 : 0;
	}
}

/* One call a deny filter answers, and how (a SECCOMP_RET_* value). */
struct vsc_deny {
	int		nr;
	unsigned int	ret;
};

#define VSC_MAX_DENY	16

/*
 * Answer each call of @rules[0..@n) with its ret, allow everything else:
 * 0, or -1 with errno (E2BIG for more than VSC_MAX_DENY rules).
 */
static inline int vsc_deny_rules(const struct vsc_deny *rules, int n,
				 enum vsc_via via)
{
	struct sock_filter code[4 + 2 * VSC_MAX_DENY + 1];
	struct sock_fprog prog = { .filter = code };
	int i, k = 0, trap = 0, kill = 0;

	if (n > VSC_MAX_DENY) {
		errno = E2BIG;
		return -1;
	}
	code[k++] = VSC_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, arch));
	code[k++] = VSC_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	code[k++] = VSC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	code[k++] = VSC_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++) {
		unsigned int action = rules[i].ret & SECCOMP_RET_ACTION_FULL;

		trap |= action == SECCOMP_RET_TRAP;
		kill |= action == SECCOMP_RET_KILL_PROCESS ||
			action == SECCOMP_RET_KILL_THREAD;
		code[k++] = VSC_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rules[i].nr, 0, 1);
		code[k++] = VSC_STMT(BPF_RET | BPF_K, rules[i].ret);
	}
	code[k++] = VSC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = k;
	return vsc_load(&prog, trap, kill, via);
}

/* Answer the calls @nrs[0..@n) all with @ret; allow everything else. */
static inline int vsc_deny(const int *nrs, int n, unsigned int ret,
			   enum vsc_via via)
{
	struct vsc_deny rules[VSC_MAX_DENY];
	int i;

	if (n > VSC_MAX_DENY) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < n; i++)
		rules[i] = (struct vsc_deny){ nrs[i], ret };
	return vsc_deny_rules(rules, n, via);
}

/*
 * System call @nr with all six arguments 0, made with the system call
 * instruction (whatever the binder does with syscall()): the kernel's
 * answer, -errno on failure.
 */
static inline long vsc_call_zeros(long nr)
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = 0;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"(nr), "D"(0L), "S"(0L), "d"(0L), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/*
 * Does the filter in force answer call @nr with @ret (a SECCOMP_RET_*
 * value, as given to vsc_deny())?  1 if so, 0 if not.  The call is made
 * with all its arguments 0, so @nr must be one that fails or does nothing
 * then when it is allowed (io_uring_setup, io_uring_enter, futex_wait,
 * futex_wake).  SECCOMP_RET_TRAP: the call must come back -ENOSYS from
 * the handler, which counts it (one more vsc_trap_hits()); a refusal that
 * kills is tried in a fork child, which must die of SIGSYS.
 */
static inline int vsc_answers(int nr, unsigned int ret)
{
	unsigned int action = ret & SECCOMP_RET_ACTION_FULL;
	long hits = vsc_trap_hits(), r;
	int status;
	pid_t pid;

	if (action == SECCOMP_RET_KILL_PROCESS ||
	    action == SECCOMP_RET_KILL_THREAD) {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return 0;
		if (pid == 0) {
			vsc_call_zeros(nr);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid)
			return 0;
		return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
	}
	r = vsc_call_zeros(nr);
	if (action == SECCOMP_RET_TRAP)
		return r == -ENOSYS && vsc_trap_hits() > hits &&
		       nr < VSC_MAX_NR && vsc_trapped_nr[nr];
	if (action == SECCOMP_RET_ERRNO)
		return r == -(long)(ret & SECCOMP_RET_DATA);
	return 0;
}

/* Install the filter for @mode (VSC_NONE: nothing); 0 or -1 with errno. */
/* Set: every filter goes in through glibc's syscall(), as libseccomp's. */
static int vsc_through_glibc;

static inline int vsc_install(enum vsc_mode mode, const struct vsc_allow *a)
{
	/* Worst case: 5 + 2 per call number + 5 for mmap. */
	static struct sock_filter code[5 + 2 * VSC_MAX_NR + 5];
	unsigned int deny = vsc_refusal(mode), n = 0, nr;
	struct sock_fprog prog;

	if (mode == VSC_NONE)
		return 0;
	code[n++] = VSC_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, arch));
	code[n++] = VSC_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	code[n++] = VSC_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	code[n++] = VSC_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, nr));
	/* mmap first: its flags (argument 4) are checked when refusing. */
	if (a->nr[__NR_mmap] && mode != VSC_KILL) {
		code[n++] = VSC_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 4);
		code[n++] = VSC_STMT(BPF_LD | BPF_W | BPF_ABS,
				     offsetof(struct seccomp_data, args[3]));
		code[n++] = VSC_JUMP(BPF_JMP | BPF_JSET | BPF_K,
				     (unsigned int)~a->mmap_flags, 0, 1);
		code[n++] = VSC_STMT(BPF_RET | BPF_K, deny);
		code[n++] = VSC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	for (nr = 0; nr < VSC_MAX_NR; nr++) {
		int always = nr == __NR_exit || nr == __NR_exit_group ||
			     nr == __NR_rt_sigreturn;

		if (!always && (!a->nr[nr] || (nr == __NR_mmap && mode != VSC_KILL)))
			continue;
		code[n++] = VSC_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		code[n++] = VSC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	code[n++] = VSC_STMT(BPF_RET | BPF_K, deny);
	prog.len = n;
	prog.filter = code;
	/* Refusing filters as Chromium and Firefox install theirs. */
	return vsc_load(&prog, mode == VSC_TRAP, mode == VSC_KILL,
			vsc_through_glibc ? VSC_VIA_GLIBC : VSC_VIA_USUAL);
}

#endif /* _VLIBC_SELFTEST_SECCOMP_H */
