/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The machine-facts block: what the kernel knows about the machine, filled
 * once at boot and mapped read-only with the image, so that neither the
 * image nor the libc has to ask the CPU again in every process (each
 * CPUID instruction is an exit to the hypervisor in a virtual machine).
 * The vDSO's data page carries time the same way.  Shared by the kernel
 * (arch/x86/entry/vlibc/vlibc.c fills it) and the image (tools/libc/core/
 * facts.c reads it); self-contained, no other header needed.
 *
 * The contract, version 1:
 *
 * Where.  Under kernel delivery the block is one page, mapped read-only
 * as [vlibc_facts] at AT_VLIBC - VLIBC_FACTS_SIZE, directly below the
 * image (the image reaches it PC-relatively, without relocations, as the
 * vDSO reaches vvar).  Without kernel delivery there is no block: the
 * page below an image mapped from a file is whatever happens to be there,
 * so a reader first checks that AT_VLIBC is the image it runs in.
 *
 * What.  A header, then @nr_cpuid entries of struct vlibc_facts_cpuid at
 * @cpuid_offset, sorted by leaf, then sub-leaf, each unique.  The values
 * are the CPUID instruction's raw output as user space gets it, executed
 * by the kernel on the boot CPU (CPU 0) at boot, after the kernel set up
 * the control registers: OSXSAVE (leaf 1 ECX bit 27) and the XSAVE sizes
 * of leaf 0xd follow the running kernel's CR4 and XCR0 exactly as the
 * instruction would show them.  They are *not* the kernel's adjusted
 * feature view: a feature the kernel turned off (clearcpuid=, a
 * "nofoo" boot parameter, an erratum) is still set here when the CPU
 * reports it, as the instruction would still report it.  XCR0 itself is
 * not recorded: XGETBV is not an exit and tells the process what it may
 * use.
 *
 * The leaves recorded (version 1), each only where the CPU enumerates it
 * (the leaf at or below the maximum of its range, the sub-leaf a valid
 * one); a leaf that takes no sub-leaf is recorded as sub-leaf 0 and
 * looked up whatever ECX holds, as the instruction ignores ECX there:
 *	0, 1, 2			vendor/maximum, signature/features, descriptors
 *	4, sub-leaves 0..	deterministic cache parameters, up to the first
 *				of type 0 (not recorded)
 *	7, sub-leaves 0..n	structured features, n = leaf 7.0 EAX (at most 3)
 *	0xb, sub-leaves 0..	topology, up to the first of level type 0
 *	0xd, sub-leaves 0, 1	XSAVE sizes and features, and each sub-leaf
 *				2..63 of a component leaf 0xd enumerates
 *	0x14 (0), 0x19		processor trace, key locker
 *	0x80000000..0x80000008	extended maximum, features, brand, caches,
 *				power, address sizes
 *	0x8000001d, sub-leaves 0..  cache topology (when TOPOEXT), up to the
 *				first of type 0
 * Within that set, a (leaf, sub-leaf) that is not in the table reads as
 * all zeros, which is what the instruction returns for an absent
 * sub-leaf; as with the instruction, a reader compares a leaf with the
 * maximum in leaf 0 or 0x80000000 first.  A leaf outside the set is not
 * known from the block (the reader executes CPUID or does without).
 *
 * What it cannot represent.  One CPU's view: per-CPU fields are CPU 0's
 * (leaf 1 EBX bits 31-24 and leaf 0xb EDX, the APIC IDs: use getcpu() to
 * know where a thread runs), and on a hybrid CPU (performance and
 * efficiency cores) the cache leaves and anything else that differs
 * between core types are those of CPU 0's type.  Values fixed at boot: a
 * microcode update loaded later, or CPUID faulting (arch_prctl
 * ARCH_SET_CPUID) set up by a tracer to virtualise CPUID, does not change
 * the block; such a tracer hides AT_VLIBC or presents its own block.
 *
 * Growth.  A later version only appends: new header fields after @flags
 * (@cpuid_offset moves past them), new leaves in the same sorted table,
 * new kinds of entries after the table; @size says how many bytes are
 * valid.  A reader accepts any @version >= 1 whose @magic, @size and
 * @entry_size are consistent, and reads only the fields it knows.
 * Documentation/userspace-api/vlibc-facts.rst carries the same layout.
 */
#ifndef _VLIBC_FACTS_H
#define _VLIBC_FACTS_H

/* "VLFA" in memory, little-endian. */
#define VLIBC_FACTS_MAGIC	0x41464c56U
#define VLIBC_FACTS_VERSION	1
/* Bytes the block occupies below the image: one page. */
#define VLIBC_FACTS_SIZE	4096

#ifndef __ASSEMBLY__

struct vlibc_facts_cpuid {
	unsigned int	leaf;		/* EAX in */
	unsigned int	subleaf;	/* ECX in; 0 for leaves without */
	unsigned int	eax, ebx, ecx, edx;
};

struct vlibc_facts {
	unsigned int	magic;		/* VLIBC_FACTS_MAGIC */
	unsigned int	version;	/* VLIBC_FACTS_VERSION */
	unsigned int	size;		/* bytes valid from the block's start */
	unsigned int	nr_cpuid;	/* entries at cpuid_offset */
	unsigned int	cpuid_offset;	/* from the block's start, 8-aligned */
	unsigned int	entry_size;	/* sizeof(struct vlibc_facts_cpuid) */
	unsigned int	flags;		/* none defined yet, 0 */
	unsigned int	reserved;	/* 0 */
};

/* Entries that fit in the page after a version 1 header. */
#define VLIBC_FACTS_MAX_CPUID						\
	((VLIBC_FACTS_SIZE - sizeof(struct vlibc_facts)) /		\
	 sizeof(struct vlibc_facts_cpuid))

/*
 * The reader (tools/libc/lib/facts.c, freestanding: built into the image
 * and into whatever else reads a block).  vlibc_facts_valid(): nonzero
 * when @f is a block this reader can read (magic, version, sizes).
 * vlibc_facts_cpuid(): 1 and @r[] = EAX, EBX, ECX, EDX when (@leaf,
 * @subleaf) is in the table (@subleaf ignored, as the instruction ignores
 * ECX, for a leaf without sub-leaves: callers such as glibc's __cpuid()
 * leave ECX as it happens to be); 0 and @r[] all zero when the leaf is one
 * the block records but that (leaf, sub-leaf) is not enumerated; -1 and
 * @r[] untouched for a leaf the block does not record (ask the CPU).
 */
int vlibc_facts_valid(const struct vlibc_facts *f);
int vlibc_facts_cpuid(const struct vlibc_facts *f, unsigned int leaf,
		      unsigned int subleaf, unsigned int r[4]);

#endif /* __ASSEMBLY__ */
#endif /* _VLIBC_FACTS_H */
