/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vlibc counters: the layout another process reads (vlibc-stat, vlibc-ab,
 * any tool), documented in Documentation/userspace-api/vlibc-stat.rst.
 *
 * Where: at offset 0 of the image's private region, the PT_LOAD segment
 * with PF_W (p_vaddr bytes from the image's base, which /proc/PID/maps
 * shows as "[vlibc]" under kernel delivery or as the image file).  Read
 * it with process_vm_readv(2): ptrace access to the process is needed.
 *
 * What: a header, then @nr_blocks counter blocks of @block_size bytes at
 * @blocks_offset.  A thread counts into a block it owns alone, with plain
 * (non-atomic) additions; block 0 is shared and counted into atomically,
 * by threads that have no block of their own (none free, or before the
 * binder attached).  A block is released when its thread exits and the
 * next thread that claims it adds to it, so the process's count of a
 * counter is the sum over all blocks, owned or not.  Counters only grow;
 * a reader may see a block mid-update (each 64-bit word is read whole).
 *
 * Versions: @version changes when a counter is removed or moves, or the
 * header changes incompatibly.  New counters are added at the end of the
 * list without a new version, so a reader uses the first min(@nr_counters,
 * counters it knows) and may report the rest as unknown.
 *
 * The private region is zero at exec and wiped on fork, so a process and
 * each fork child start at zero; @magic is zero until the image is set up
 * (the first bound call, or never with VLIBC=off).
 */
#ifndef _VLIBC_STAT_ABI_H
#define _VLIBC_STAT_ABI_H

#include <linux/types.h>

#define VLIBC_STAT_MAGIC	0x54534c56	/* "VLST" little-endian */
#define VLIBC_STAT_VERSION	1

/* Families, in <vlibc/family-list.h> order: bit N of the masks below. */
enum vlibc_stat_family {
#define VLIBC_FAMILY(name, binder) VLIBC_STAT_FAMILY_##name,
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
	VLIBC_STAT_FAMILIES
};

/* Counters, in <vlibc/stat-counters.h> order: the index in a block. */
enum vlibc_stat_counter {
#define VLIBC_STAT(family, name, what) VLIBC_STAT_##name,
#include <vlibc/stat-counters.h>
#undef VLIBC_STAT
	VLIBC_STAT_COUNTERS
};

#define VLIBC_STAT_WHY_LEN	48
#define VLIBC_STAT_MAX_FAMILIES	8

struct vlibc_stat_header {
	__u32	magic;		/* VLIBC_STAT_MAGIC once set up */
	__u32	version;	/* VLIBC_STAT_VERSION */
	__u32	header_size;	/* sizeof(struct vlibc_stat_header) */
	__u32	nr_counters;	/* counters per block */
	__u32	block_size;	/* bytes from one block to the next */
	__u32	nr_blocks;	/* block 0 is the shared one */
	__u64	blocks_offset;	/* of block 0, from the header */
	/* Families decided so far, and those of them bound to the image. */
	__u64	families_decided;
	__u64	families_bound;
	/* Why a decided family is on glibc (NUL-terminated, may be cut). */
	char	why[VLIBC_STAT_MAX_FAMILIES][VLIBC_STAT_WHY_LEN];
};

struct vlibc_stat_block {
	__u64	owner;		/* thread pointer of its thread, 0 if free */
	__u64	count[];	/* @nr_counters of them */
};

#endif /* _VLIBC_STAT_ABI_H */
