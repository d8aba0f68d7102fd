// SPDX-License-Identifier: GPL-2.0
/*
 * What a process costs the machine, counted rather than timed (times mean
 * nothing under emulation): for selftests/facts/test_facts and the QEMU
 * suite's report (kernel/guest/payload.sh).
 *
 *	cost cpuid CMD [ARG...]		CPUID instructions CMD executes, from
 *					its exec to its exit: with CPUID
 *					faulting (all threads, and across
 *					the execs it makes), else the main
 *					thread single-stepped with ptrace
 *	cost cpuid-startup CMD [ARG...]	the same, up to CMD's entry point (its
 *					ld.so's start-up), single-stepped
 *	cost syscalls CMD [ARG...]	system calls CMD and its threads make
 *					after its exec (ptrace)
 *	cost faults RUNS CMD [ARG...]	minor page faults of a run of CMD,
 *					untraced, the median of RUNS runs
 *					(and their least and most, and their
 *					mean and standard deviation in
 *					hundredths), then the median of the
 *					major ones; started with
 *					posix_spawn, so that they are CMD's
 *					own (started with fork, they would
 *					include the fork child's faults
 *					before its exec)
 *	cost fork-faults RUNS CMD [ARG...]	the same, started with fork and
 *					execvp: CMD's faults plus those of
 *					this program's fork child before its
 *					exec (its libc's fork handlers)
 *	cost pages CMD [ARG...]		the resident pages of each of CMD's
 *					mappings at its exit (ptrace, the
 *					exit stop): where page faults went
 *	cost work getrandom|locks|aio|memcpy|none [N]
 *					a fixed amount of work binding a family:
 *					N rounds (1000 calls, 16 AIO writes
 *					and reads read back, by default)
 *
 * Output: "key=value" lines, then detail lines starting with "  ".
 * "cpuid": total, image (in [vlibc] or a linux-vlibc.so* file), and for
 * the others, against this process's machine-facts block when there is
 * one: recorded (the block has the leaf) and differ (its value is not
 * what the instruction returned), each CPUID as a detail line.  CMD runs
 * pinned to CPU 0, the CPU the block was read on.
 */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vlibc/abi.h>
#include <vlibc/facts.h>

static void die(const char *what)
{
	fprintf(stderr, "cost: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The machine-facts block of this process, or NULL (see <vlibc/facts.h>). */
static const struct vlibc_facts *own_facts(void)
{
	unsigned long at = getauxval(AT_VLIBC);
	const struct vlibc_facts *f = (const void *)(at - VLIBC_FACTS_SIZE);

	return at && vlibc_facts_valid(f) ? f : NULL;
}

/* Forks CMD traced (stopped at its exec); pinned to CPU 0 if @pin. */
static pid_t spawn_traced(char **argv, int pin)
{
	cpu_set_t cpu0;
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (!pid) {
		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		if (pin)
			sched_setaffinity(0, sizeof(cpu0), &cpu0);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		die("exec stop");
	return pid;
}

/* The /proc/PID/maps name of the mapping holding @addr ("" anonymous). */
static void region_of(pid_t pid, unsigned long addr, char *name, size_t size)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	snprintf(name, size, "?");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int at = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &at) < 2 ||
		    addr < lo || addr >= hi)
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(name, size, "%s", at ? line + at : "");
		break;
	}
	fclose(f);
}

static int is_image(const char *region)
{
	return !strcmp(region, "[vlibc]") || strstr(region, "linux-vlibc.so");
}

#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID	0x1011
#define ARCH_SET_CPUID	0x1012
#endif

/* CPUID faulting (arch_prctl(ARCH_SET_CPUID, 0)) works on this CPU. */
static int cpuid_faulting(void)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0))
		return 0;
	return !syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
}

static int step(pid_t pid, int sig, int *st)
{
	return ptrace(PTRACE_SINGLESTEP, pid, 0, sig) ||
	       waitpid(pid, st, 0) != pid || !WIFSTOPPED(*st);
}

/*
 * Makes the stopped @pid execute arch_prctl(ARCH_SET_CPUID, 0): a syscall
 * instruction written over the one at its rip, one step, all put back.
 * Done once the process runs in user mode after each exec (the setting
 * does not survive an exec; forks and threads inherit it).
 */
static int fault_cpuid_in(pid_t pid)
{
	struct user_regs_struct saved, r;
	unsigned long word;
	int st;

	if (ptrace(PTRACE_GETREGS, pid, 0, &saved))
		return -1;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, saved.rip, 0);
	if (errno || ptrace(PTRACE_POKETEXT, pid, saved.rip,
			    (word & ~0xffffUL) | 0x050f))	/* 0f 05: syscall */
		return -1;
	r = saved;
	r.rax = SYS_arch_prctl;
	r.rdi = ARCH_SET_CPUID;
	r.rsi = 0;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	if (step(pid, 0, &st))
		return -1;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	ptrace(PTRACE_POKETEXT, pid, saved.rip, word);
	ptrace(PTRACE_SETREGS, pid, 0, &saved);
	return r.rax ? -1 : 0;
}

struct cpuid_counts {
	const struct vlibc_facts *facts;
	unsigned long total, image, recorded, differ;
};

/* One CPUID of @pid at @rip, @in its EAX and ECX, @out the result. */
static void count_one(struct cpuid_counts *c, pid_t pid, unsigned long rip,
		      const unsigned int in[2], const unsigned int out[4])
{
	unsigned int want[4];
	char region[256];
	int known = -1;

	region_of(pid, rip, region, sizeof(region));
	c->total++;
	if (is_image(region))
		c->image++;
	else if (c->facts)
		known = vlibc_facts_cpuid(c->facts, in[0], in[1], want);
	if (known >= 0)
		c->recorded++;
	if (known >= 0 && memcmp(want, out, sizeof(want)))
		c->differ++;
	printf("  cpuid %#x.%u -> %08x %08x %08x %08x in %s%s\n", in[0], in[1],
	       out[0], out[1], out[2], out[3], region,
	       known < 0 ? "" : memcmp(want, out, sizeof(want)) ?
	       " (block differs)" : " (block same)");
}

/* 0f a2 at @pid's rip: returns the regs in @r. */
static int at_cpuid(pid_t pid, struct user_regs_struct *r)
{
	unsigned long word;

	if (ptrace(PTRACE_GETREGS, pid, 0, r))
		return 0;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, r->rip, 0);
	return !errno && (word & 0xffff) == 0xa20f;
}

/*
 * With CPUID faulting: each CPUID of the traced process is a SIGSEGV at
 * the instruction, counted and answered by this process (on CPU 0, as
 * the traced one) before the process goes on after it.
 */
static int trace_faulting(struct cpuid_counts *c, pid_t pid)
{
	struct user_regs_struct r;
	int st, sig = 0;

	if (step(pid, 0, &st) || fault_cpuid_in(pid))
		return -1;
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, sig) || waitpid(pid, &st, 0) != pid)
			return -1;
		if (!WIFSTOPPED(st))
			return st;
		sig = 0;
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			if (step(pid, 0, &st) || fault_cpuid_in(pid))
				return -1;
		} else if (WSTOPSIG(st) == SIGSEGV && at_cpuid(pid, &r)) {
			unsigned int in[2] = { r.rax, r.rcx }, out[4];

			__asm__ volatile ("cpuid" : "=a"(out[0]), "=b"(out[1]),
					  "=c"(out[2]), "=d"(out[3])
					  : "a"(in[0]), "c"(in[1]));
			count_one(c, pid, r.rip, in, out);
			r.rax = out[0], r.rbx = out[1], r.rcx = out[2], r.rdx = out[3];
			r.rip += 2;
			ptrace(PTRACE_SETREGS, pid, 0, &r);
		} else if (WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);
		}
	}
}

/* AT_ENTRY of @pid: where its ld.so hands over to the program. */
static unsigned long entry_of(pid_t pid)
{
	unsigned long av[2], entry = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fread(av, sizeof(av), 1, f) == 1 && av[0] != AT_NULL)
		if (av[0] == AT_ENTRY)
			entry = av[1];
	fclose(f);
	return entry;
}

/*
 * Without: every instruction single-stepped (slow under emulation); with
 * @to_entry only up to the program's entry point (its ld.so's start-up),
 * the rest run untraced.
 */
static int trace_stepping(struct cpuid_counts *c, pid_t pid, int to_entry)
{
	unsigned long entry = to_entry ? entry_of(pid) : 0;
	struct user_regs_struct r;
	int st, sig = 0;

	if (to_entry && !entry)
		return -1;
	for (;;) {
		int cpuid = at_cpuid(pid, &r);
		unsigned int in[2] = { r.rax, r.rcx }, out[4];
		unsigned long rip = r.rip;

		if (entry && rip == entry) {
			if (ptrace(PTRACE_DETACH, pid, 0, sig) ||
			    waitpid(pid, &st, 0) != pid)
				return -1;
			return st;
		}
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, sig) ||
		    waitpid(pid, &st, 0) != pid)
			return -1;
		if (!WIFSTOPPED(st))
			return st;
		sig = WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st);
		if (cpuid && !sig && !ptrace(PTRACE_GETREGS, pid, 0, &r)) {
			out[0] = r.rax, out[1] = r.rbx, out[2] = r.rcx, out[3] = r.rdx;
			count_one(c, pid, rip, in, out);
		}
	}
}

/* @to_entry: CMD's ld.so start-up only, always stepped. */
static int cmd_cpuid(char **argv, int to_entry)
{
	struct cpuid_counts c = { .facts = own_facts() };
	int faulting = !to_entry && cpuid_faulting(), st;
	cpu_set_t cpu0;
	pid_t pid;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	pid = spawn_traced(argv, 1);
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	st = faulting ? trace_faulting(&c, pid) : trace_stepping(&c, pid, to_entry);
	printf("cpuid total=%lu image=%lu other=%lu recorded=%lu differ=%lu "
	       "block=%s by=%s status=%d\n", c.total, c.image, c.total - c.image,
	       c.recorded, c.differ, c.facts ? "yes" : "no",
	       faulting ? "faulting" : to_entry ? "stepping-to-entry" : "stepping",
	       st < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return st < 0;
}

#define NR_MAX	512

/* Names of the system calls these programs make (numbers otherwise). */
static const char *const syscall_names[NR_MAX] = {
#ifdef SYS_read
	[SYS_read] = "read",
#endif
#ifdef SYS_write
	[SYS_write] = "write",
#endif
#ifdef SYS_open
	[SYS_open] = "open",
#endif
#ifdef SYS_close
	[SYS_close] = "close",
#endif
#ifdef SYS_stat
	[SYS_stat] = "stat",
#endif
#ifdef SYS_fstat
	[SYS_fstat] = "fstat",
#endif
#ifdef SYS_lstat
	[SYS_lstat] = "lstat",
#endif
#ifdef SYS_poll
	[SYS_poll] = "poll",
#endif
#ifdef SYS_lseek
	[SYS_lseek] = "lseek",
#endif
#ifdef SYS_mmap
	[SYS_mmap] = "mmap",
#endif
#ifdef SYS_mprotect
	[SYS_mprotect] = "mprotect",
#endif
#ifdef SYS_munmap
	[SYS_munmap] = "munmap",
#endif
#ifdef SYS_brk
	[SYS_brk] = "brk",
#endif
#ifdef SYS_rt_sigaction
	[SYS_rt_sigaction] = "rt_sigaction",
#endif
#ifdef SYS_rt_sigprocmask
	[SYS_rt_sigprocmask] = "rt_sigprocmask",
#endif
#ifdef SYS_ioctl
	[SYS_ioctl] = "ioctl",
#endif
#ifdef SYS_pread64
	[SYS_pread64] = "pread64",
#endif
#ifdef SYS_pwrite64
	[SYS_pwrite64] = "pwrite64",
#endif
#ifdef SYS_readv
	[SYS_readv] = "readv",
#endif
#ifdef SYS_writev
	[SYS_writev] = "writev",
#endif
#ifdef SYS_access
	[SYS_access] = "access",
#endif
#ifdef SYS_pipe
	[SYS_pipe] = "pipe",
#endif
#ifdef SYS_sched_yield
	[SYS_sched_yield] = "sched_yield",
#endif
#ifdef SYS_mremap
	[SYS_mremap] = "mremap",
#endif
#ifdef SYS_madvise
	[SYS_madvise] = "madvise",
#endif
#ifdef SYS_dup
	[SYS_dup] = "dup",
#endif
#ifdef SYS_dup2
	[SYS_dup2] = "dup2",
#endif
#ifdef SYS_nanosleep
	[SYS_nanosleep] = "nanosleep",
#endif
#ifdef SYS_getpid
	[SYS_getpid] = "getpid",
#endif
#ifdef SYS_clone
	[SYS_clone] = "clone",
#endif
#ifdef SYS_fork
	[SYS_fork] = "fork",
#endif
#ifdef SYS_vfork
	[SYS_vfork] = "vfork",
#endif
#ifdef SYS_execve
	[SYS_execve] = "execve",
#endif
#ifdef SYS_exit
	[SYS_exit] = "exit",
#endif
#ifdef SYS_wait4
	[SYS_wait4] = "wait4",
#endif
#ifdef SYS_kill
	[SYS_kill] = "kill",
#endif
#ifdef SYS_uname
	[SYS_uname] = "uname",
#endif
#ifdef SYS_fcntl
	[SYS_fcntl] = "fcntl",
#endif
#ifdef SYS_getcwd
	[SYS_getcwd] = "getcwd",
#endif
#ifdef SYS_readlink
	[SYS_readlink] = "readlink",
#endif
#ifdef SYS_getuid
	[SYS_getuid] = "getuid",
#endif
#ifdef SYS_getgid
	[SYS_getgid] = "getgid",
#endif
#ifdef SYS_geteuid
	[SYS_geteuid] = "geteuid",
#endif
#ifdef SYS_getegid
	[SYS_getegid] = "getegid",
#endif
#ifdef SYS_gettid
	[SYS_gettid] = "gettid",
#endif
#ifdef SYS_futex
	[SYS_futex] = "futex",
#endif
#ifdef SYS_sched_getaffinity
	[SYS_sched_getaffinity] = "sched_getaffinity",
#endif
#ifdef SYS_sched_setaffinity
	[SYS_sched_setaffinity] = "sched_setaffinity",
#endif
#ifdef SYS_set_tid_address
	[SYS_set_tid_address] = "set_tid_address",
#endif
#ifdef SYS_clock_gettime
	[SYS_clock_gettime] = "clock_gettime",
#endif
#ifdef SYS_exit_group
	[SYS_exit_group] = "exit_group",
#endif
#ifdef SYS_openat
	[SYS_openat] = "openat",
#endif
#ifdef SYS_newfstatat
	[SYS_newfstatat] = "newfstatat",
#endif
#ifdef SYS_set_robust_list
	[SYS_set_robust_list] = "set_robust_list",
#endif
#ifdef SYS_prlimit64
	[SYS_prlimit64] = "prlimit64",
#endif
#ifdef SYS_getrandom
	[SYS_getrandom] = "getrandom",
#endif
#ifdef SYS_rseq
	[SYS_rseq] = "rseq",
#endif
#ifdef SYS_io_uring_setup
	[SYS_io_uring_setup] = "io_uring_setup",
#endif
#ifdef SYS_io_uring_enter
	[SYS_io_uring_enter] = "io_uring_enter",
#endif
#ifdef SYS_io_uring_register
	[SYS_io_uring_register] = "io_uring_register",
#endif
#ifdef SYS_arch_prctl
	[SYS_arch_prctl] = "arch_prctl",
#endif
#ifdef SYS_eventfd2
	[SYS_eventfd2] = "eventfd2",
#endif
#ifdef SYS_pipe2
	[SYS_pipe2] = "pipe2",
#endif
#ifdef SYS_mkdir
	[SYS_mkdir] = "mkdir",
#endif
#ifdef SYS_unlink
	[SYS_unlink] = "unlink",
#endif
#ifdef SYS_statx
	[SYS_statx] = "statx",
#endif
#ifdef SYS_prctl
	[SYS_prctl] = "prctl",
#endif
#ifdef SYS_getrusage
	[SYS_getrusage] = "getrusage",
#endif
#ifdef SYS_sysinfo
	[SYS_sysinfo] = "sysinfo",
#endif
#ifdef SYS_membarrier
	[SYS_membarrier] = "membarrier",
#endif
#ifdef SYS_epoll_create1
	[SYS_epoll_create1] = "epoll_create1",
#endif
#ifdef SYS_rt_sigreturn
	[SYS_rt_sigreturn] = "rt_sigreturn",
#endif
#ifdef SYS_sigaltstack
	[SYS_sigaltstack] = "sigaltstack",
#endif
};

static int cmd_syscalls(char **argv)
{
	static unsigned long count[NR_MAX];
	unsigned long total = 0, nr;
	pid_t pid = spawn_traced(argv, 0), who;
	int st, live = 1, sig;

	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD |
	       PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	       PTRACE_O_EXITKILL);
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	/* Entry and exit stops alternate per thread: count the entries. */
	while (live > 0 && (who = waitpid(-1, &st, __WALL)) > 0) {
		struct __ptrace_syscall_info info;

		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			live--;
			continue;
		}
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, who, sizeof(info),
				   &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				nr = info.entry.nr;
				total++;
				if (nr < NR_MAX)
					count[nr]++;
			}
		} else if (st >> 16) {
			/* A new thread or child: traced from its start. */
			if ((st >> 16) != PTRACE_EVENT_EXEC)
				live++;
		} else if (WSTOPSIG(st) != SIGSTOP && WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);
		}
		ptrace(PTRACE_SYSCALL, who, 0, sig);
	}
	printf("syscalls total=%lu\n", total);
	for (nr = 0; nr < NR_MAX; nr++) {
		if (!count[nr])
			continue;
		if (syscall_names[nr])
			printf("  syscall %s %lu\n", syscall_names[nr], count[nr]);
		else
			printf("  syscall nr%lu %lu\n", nr, count[nr]);
	}
	return 0;
}

/* Sorts @v[0..@i] given @v[0..@i-1] sorted (one step of insertion sort). */
static void insert_last(long *v, int i)
{
	for (; i > 0 && v[i - 1] > v[i]; i--) {
		long t = v[i];

		v[i] = v[i - 1];
		v[i - 1] = t;
	}
}

extern char **environ;

static int cmd_faults(int runs, char **argv, int use_fork)
{
	long minor[64], major[64], sum = 0, squares = 0, var, sd = 0;
	int i, st;

	if (runs < 1 || runs > 64)
		runs = 5;
	for (i = 0; i < runs; i++) {
		struct rusage ru;
		pid_t pid;

		if (!use_fork) {
			errno = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
			if (errno)
				die("posix_spawnp");
		} else if (!(pid = fork())) {
			execvp(argv[0], argv);
			_exit(127);
		} else if (pid < 0) {
			die("fork");
		}
		if (wait4(pid, &st, 0, &ru) != pid)
			die("wait4");
		minor[i] = ru.ru_minflt;
		major[i] = ru.ru_majflt;
		sum += ru.ru_minflt;
		squares += ru.ru_minflt * ru.ru_minflt;
		insert_last(minor, i);
		insert_last(major, i);
	}
	/* The standard deviation in hundredths: the integer square root of
	 * the variance in ten-thousandths. */
	var = (squares * 10000 - sum * sum * 10000 / runs) / runs;
	while ((sd + 1) * (sd + 1) <= var)
		sd++;
	printf("faults minflt=%ld min=%ld max=%ld mean100=%ld sd100=%ld runs=%d majflt=%ld\n",
	       minor[runs / 2], minor[0], minor[runs - 1], sum * 100 / runs, sd, runs,
	       major[runs / 2]);
	return 0;
}

/*
 * "pages NAME PERM KB" for each mapping of CMD, read from its smaps at its
 * exit stop: with fault-around a page fault may map several pages, so
 * this says where faults went rather than how many there were.
 */
static int cmd_pages(char **argv)
{
	pid_t pid = spawn_traced(argv, 0);
	char path[64], line[512], name[256] = "", perm[8] = "";
	FILE *f;
	int st;

	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT) ||
	    ptrace(PTRACE_CONT, pid, 0, 0))
		die("ptrace");
	while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st) &&
	       st >> 8 != (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
		ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
	if (!WIFSTOPPED(st))
		die("exit stop");
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		char range[64], p[8], n[256];
		unsigned long kb;
		int got = sscanf(line, "%63s %7s %*s %*s %*s %255s", range, p, n);
		char *base;

		/* A mapping's line: "lo-hi perm offset dev inode [name]". */
		if (got >= 2 && strchr(range, '-') && !strchr(range, ':')) {
			strcpy(perm, p);
			strcpy(name, got == 3 ? n : "[anon]");
			continue;
		}
		if (sscanf(line, "Rss: %lu kB", &kb) == 1) {
			base = strrchr(name, '/');
			printf("pages %s %s %lu\n", base ? base + 1 : name, perm, kb);
		}
	}
	fclose(f);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &st, 0);
	return 0;
}

/* --- the fixed work, each binding one family ---------------------------- */

static int work_getrandom(int n)
{
	unsigned char buf[16];
	int i;

	for (i = 0; i < n; i++)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return 1;
	return 0;
}

static void once_fn(void)
{
}

static int work_locks(int n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_spinlock_t spin;
	sem_t sem;
	int i;

	if (sem_init(&sem, 0, 0) || pthread_spin_init(&spin, 0))
		return 1;
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		sem_post(&sem);
		sem_wait(&sem);
		pthread_spin_lock(&spin);
		pthread_spin_unlock(&spin);
		pthread_once(&once, once_fn);
	}
	return sem_destroy(&sem) || pthread_spin_destroy(&spin);
}

static int work_aio(int n)
{
	char path[] = "/tmp/vlibc-cost-XXXXXX", buf[4096], back[4096];
	struct aiocb cb;
	const struct aiocb *list[1] = { &cb };
	int fd = mkstemp(path), i, bad = 0;

	if (fd < 0)
		return 1;
	unlink(path);
	for (i = 0; i < n && !bad; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = fd;
		cb.aio_buf = buf;
		cb.aio_nbytes = sizeof(buf);
		cb.aio_offset = i * sizeof(buf);
		if (aio_write(&cb))
			return 1;
		while (aio_error(&cb) == EINPROGRESS)
			aio_suspend(list, 1, NULL);
		bad |= aio_return(&cb) != sizeof(buf);
		cb.aio_buf = back;
		if (aio_read(&cb))
			return 1;
		while (aio_error(&cb) == EINPROGRESS)
			aio_suspend(list, 1, NULL);
		bad |= aio_return(&cb) != sizeof(back) || memcmp(buf, back, sizeof(buf));
	}
	close(fd);
	return bad;
}

/* Through the PLT (a call the compiler cannot see through). */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

static int work_memcpy(int n)
{
	static char a[4096], b[4096];
	int i;

	for (i = 0; i < n; i++)
		memcpy_fn(a, b, sizeof(a));
	return 0;
}

static int cmd_work(const char *what, int n)
{
	int r;

	if (!strcmp(what, "getrandom"))
		r = work_getrandom(n ? n : 1000);
	else if (!strcmp(what, "locks"))
		r = work_locks(n ? n : 1000);
	else if (!strcmp(what, "aio"))
		r = work_aio(n ? n : 16);
	else if (!strcmp(what, "memcpy"))
		r = work_memcpy(n ? n : 1000);
	else if (!strcmp(what, "none"))
		r = 0;
	else
		return 2;
	/* No stdio: its buffer and write would add to the counts. */
	return r;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "cpuid"))
		return cmd_cpuid(argv + 2, 0);
	if (argc >= 3 && !strcmp(argv[1], "cpuid-startup"))
		return cmd_cpuid(argv + 2, 1);
	if (argc >= 3 && !strcmp(argv[1], "syscalls"))
		return cmd_syscalls(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "faults"))
		return cmd_faults(atoi(argv[2]), argv + 3, 0);
	if (argc >= 4 && !strcmp(argv[1], "fork-faults"))
		return cmd_faults(atoi(argv[2]), argv + 3, 1);
	if (argc >= 3 && !strcmp(argv[1], "pages"))
		return cmd_pages(argv + 2);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "work"))
		return cmd_work(argv[2], argc == 4 ? atoi(argv[3]) : 0);
	fprintf(stderr, "usage: cost cpuid|cpuid-startup|syscalls|pages CMD... | faults|fork-faults RUNS CMD... | "
		"work getrandom|locks|aio|memcpy|none [N]\n");
	return 2;
}
