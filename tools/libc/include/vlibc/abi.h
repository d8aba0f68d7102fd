/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vlibc image ABI: what the kernel (or the binder) and user space agree on.
 *
 * The image is an ELF shared object linked at address 0 with two PT_LOAD
 * segments: one read/execute segment holding headers, dynamic symbols and
 * code, and one read/write segment with p_filesz == 0 directly after it,
 * the per-process private region.  The mapper maps the first from the file
 * (or from kernel pages) and the second as anonymous, zero-filled,
 * wipe-on-fork memory.  Nothing else is writable.
 *
 * Every exported entry point carries the version LINUX_VLIBC_1 and returns
 * a non-negative value on success or -errno on failure; none touches errno.
 * The exception are entry points named after a POSIX function that itself
 * returns an error number (__vlibc_pthread_*): they return it as POSIX
 * says (0 or a positive E* value), so the public name binds to them with
 * no veneer.
 */
#ifndef _VLIBC_ABI_H
#define _VLIBC_ABI_H

/*
 * auxv type carrying the address of the image's ELF header when the kernel
 * mapped it at exec.  Values up to 51 are taken in Linux 6.12 (AT_MINSIGSTKSZ);
 * 60 is this project's provisional reservation until upstream assigns one.
 */
#ifndef AT_VLIBC
#define AT_VLIBC		60
#endif

#define VLIBC_SONAME		"linux-vlibc.so.1"
#define VLIBC_VERSION_NODE	"LINUX_VLIBC_1"

/* The page the image is laid out in and mapped with (x86-64's). */
#define VLIBC_PAGE_SIZE		4096UL

/* Size of the per-process private region (the RW PT_LOAD's p_memsz). */
#define VLIBC_PRIVATE_SIZE	(16 * 4096)

/* Largest image span (text + private region) a mapper accepts. */
#define VLIBC_IMAGE_MAX_SPAN	(16UL << 20)

#ifndef __ASSEMBLY__

/* Argument of __vlibc_init(); grows at the end, versioned by @size. */
struct vlibc_init_args {
	unsigned int size;		/* sizeof(struct vlibc_init_args) */
	unsigned int flags;		/* none defined yet, must be 0 */
	const unsigned long *auxv;	/* the process's auxiliary vector */
};

/*
 * Mirror of the uapi struct vgetrandom_opaque_params (Linux 6.11+), kept
 * here so the image builds against older uapi headers too.
 */
struct vlibc_vgetrandom_params {
	unsigned int size_of_opaque_state;
	unsigned int mmap_prot;
	unsigned int mmap_flags;
	unsigned int reserved[13];
};

/* Ask __vlibc_getrandom() for the state allocation parameters. */
#define VLIBC_GETRANDOM_PARAMS_QUERY	(~0UL)

/*
 * A process's first calls of getrandom() and arc4random*(), up to this
 * many, go to glibc's own functions (one system call each, as without
 * vlibc): the binder maps the image and sets the family up only for a
 * process that keeps calling.  Setting up costs about as much as 300
 * system calls here (file mode: mapping the image, the vDSO state).
 */
#define VLIBC_GETRANDOM_WARMUP_CALLS	256

#endif /* __ASSEMBLY__ */
#endif /* _VLIBC_ABI_H */
