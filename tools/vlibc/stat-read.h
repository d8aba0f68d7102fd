/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading another process's vlibc counters from outside: find its image
 * in /proc/PID/maps, check the image's ELF headers and the counter header
 * (<vlibc/stat-abi.h>) in its memory with process_vm_readv(2), sum every
 * counter over the blocks.  Used by vlibc-stat (and any tool that links
 * it); the layout is Documentation/userspace-api/vlibc-stat.rst.
 *
 * Everything read from the process is untrusted: a process may write what
 * it likes into its own private region, and map any file under the
 * image's name.  Bad data gives STAT_READ_INVALID, never a crash.
 */
#ifndef _VLIBC_STAT_READ_H
#define _VLIBC_STAT_READ_H

#include <stddef.h>
#include <sys/types.h>
#include <vlibc/stat-abi.h>

/* What a read gives; vlibc-stat exits with these. */
enum stat_read_status {
	STAT_READ_OK		= 0,
	STAT_READ_ERROR		= 1,	/* anything else (out of memory, ...) */
	STAT_READ_USAGE		= 2,	/* vlibc-stat's own: bad arguments */
	STAT_READ_NO_PROCESS	= 3,	/* no such process */
	STAT_READ_NOT_VLIBC	= 4,	/* no image mapped */
	STAT_READ_NOT_SET_UP	= 5,	/* image mapped, counter magic still 0 */
	STAT_READ_PERMISSION	= 6,	/* no ptrace access to the process */
	STAT_READ_VERSION	= 7,	/* a layout version this reader lacks */
	STAT_READ_EXITED	= 8,	/* the process exited while being read */
	STAT_READ_INVALID	= 9,	/* headers or counter header not sane */
};

/* Where a process's image and counters are. */
struct stat_target {
	pid_t		pid;
	pid_t		tid;		/* read through: @pid, or another thread of
					 * it when its main thread has exited */
	int		kernel;		/* "[vlibc]": delivered by the kernel */
	unsigned long	base;		/* the image's first byte */
	unsigned long	region;		/* its private region: the header */
	unsigned long	region_size;	/* bytes of the private region */
};

/* One reading of the counters, summed over the blocks. */
struct stat_snapshot {
	__u32	version;
	__u32	nr_counters;	/* counters per block in the process */
	__u32	nr_known;	/* of them, those named here */
	__u32	nr_blocks;
	__u32	nr_owned;	/* blocks owned by a thread at the reading */
	__u64	families_decided;
	__u64	families_bound;
	char	why[VLIBC_STAT_MAX_FAMILIES][VLIBC_STAT_WHY_LEN];
	__u64	count[VLIBC_STAT_COUNTERS];	/* beyond nr_known: 0 */
};

/* The counters and families this reader knows, in layout order. */
struct stat_counter_info {
	const char	*family;
	const char	*name;
	const char	*what;
};
extern const struct stat_counter_info stat_counters[VLIBC_STAT_COUNTERS];
extern const char *const stat_families[VLIBC_STAT_FAMILIES];

/* Index of the counter called @name, or -1. */
int stat_counter_index(const char *name);

/* Is counter @i a count of calls into an entry point (not system calls)? */
int stat_counter_is_call(unsigned int i);

/*
 * Find @pid's image: 0 and @t, or a status with a one-line reason in @msg.
 * With several candidates (the kernel's [vlibc] and a mapped file), the
 * first whose counters are set up wins.
 */
int stat_read_find(pid_t pid, struct stat_target *t, char *msg, size_t size);

/* Read and sum the counters of @t: 0 and @s, or a status and @msg. */
int stat_read_counters(const struct stat_target *t, struct stat_snapshot *s,
		       char *msg, size_t size);

/* Both: what a one-shot reader wants. */
int stat_read_pid(pid_t pid, struct stat_target *t, struct stat_snapshot *s,
		  char *msg, size_t size);

#endif /* _VLIBC_STAT_READ_H */
