/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture contract: everything vlibc knows about a processor
 * architecture lives in its two folders, tools/libc/arch/<arch>/ and
 * binder/arch/<arch>/, named as the kernel's SRCARCH; the build picks them
 * with VLIBC_ARCH (tools/libc/arch/subarch.include: the folder whose
 * `machines` file lists the compiler's target machine; the kernel build
 * passes its SRCARCH).  Hooks are named __arch_*, constants VLIBC_ARCH_*
 * (or the family's own prefix where the fact is a glibc layout).
 *
 * A new architecture adds these files and no other:
 *
 * tools/libc/arch/<arch>/machines
 *	the first words of `$(CC) -dumpmachine` it builds for (x86: x86_64).
 * tools/libc/arch/<arch>/Kbuild
 *	vlibc-y += its objects, at least the memcpy family's bodies.
 * tools/libc/arch/<arch>/include/vlibc/arch/syscall.h
 *	__arch_syscall0() ... __arch_syscall6(nr, args): a raw system call,
 *	-errno on failure, errno untouched (the image and the binder);
 *	VLIBC_ARCH_VDSO_VERSION: the version of the vDSO's symbols.
 * tools/libc/arch/<arch>/include/vlibc/arch/processor.h
 *	__arch_cpu_relax(): one round of a spin-wait loop;
 *	__arch_jitter(): a cheap, fast-changing number (spin back-off);
 *	VLIBC_ARCH_USER_ADDR_LIMIT: the first address above user space.
 * tools/libc/arch/<arch>/include/vlibc/arch/thread.h
 *	__arch_thread_slot_load(off): the pointer at @off from the thread
 *	pointer (the binder's initial-exec TLS slot);
 *	__arch_thread_word32(off): the int there (glibc's thread id);
 *	__arch_thread_id(): a value that tells threads apart;
 *	__arch_thread_counter_add(c, n): *c += n in a way a signal handler
 *	on the same thread cannot split (the counters of <vlibc/stat.h>).
 * tools/libc/arch/<arch>/include/vlibc/arch/glibc-locks.h
 *	glibc's layouts for the architecture: struct vlibc_mutex
 *	(__pthread_mutex_s), struct vlibc_sem (new_sem) with SEM_VALUE_MASK,
 *	SEM_NWAITERS_SHIFT, SEM_WAITER; __arch_sem_value_word(s): the futex
 *	word holding the value; the spinlock: SPIN_FREE, SPIN_TAKEN,
 *	__arch_spin_lock(lock), __arch_spin_trylock(lock) (1: taken).
 * tools/libc/arch/<arch>/include/vlibc/arch/glibc-aio.h
 *	glibc's struct aiocb for the architecture (with the aio rework).
 * tools/libc/arch/<arch>/include/vlibc/arch/memcpy.h
 *	the memcpy family's ISA levels VLIBC_MEM_<LEVEL> (0: the baseline
 *	every CPU has) and its CPU bits VLIBC_MEM_CPU_* above 0x01.
 * tools/libc/arch/<arch>/memcpy/
 *	__vlibc_<name>_<level> for each level and __vlibc_<name> (the level
 *	read from vlibc_private()->memcpy.level on every call), for memcpy,
 *	memmove, mempcpy, memset and their _chk forms, using the thresholds
 *	of struct vlibc_memcpy_state, vlibc_memcpy_pvr() and
 *	vlibc_memcpy_chk_fail() (tools/libc/memcpy/common.c); and the hooks
 *	of the decision (tools/libc/memcpy/init.c):
 *	__arch_memcpy_cpu_facts(m): VLIBC_MEM_CPU_KNOWN and the CPU bits in
 *	m->cpu, the cache sizes (0: unknown);
 *	__arch_memcpy_best_level(m): the best level the CPU bits allow;
 *	__arch_memcpy_has_bulk(m): whether the bulk copy/set instruction
 *	(x86: rep movsb/stosb) pays for large sizes.
 * tools/libc/arch/<arch>/include/vlibc/arch/elf.h
 *	the image's ELF identity, defines only (vdso-link/vlibc.lds.S is
 *	preprocessed with it): VLIBC_ARCH_NAME, VLIBC_ARCH_ELF_MACHINE,
 *	VLIBC_ARCH_ELF_DATA, VLIBC_ARCH_ELF_ENDIAN, VLIBC_ARCH_LDS_FORMAT,
 *	VLIBC_ARCH_LDS_ARCH.
 * binder/arch/<arch>/include/binder/arch/slot.h
 *	the jump slots' machine code (binder/slot.h): BINDER_ARCH_SLOT_ASM(name),
 *	BINDER_ARCH_GUARDED_SLOT_ASM(name, guard) and the guards
 *	BINDER_ARCH_GUARD_INT_ARG1(v), BINDER_ARCH_GUARD_SYSCALL_NR(a, b).
 * binder/arch/<arch>/include/binder/arch/cpu.h
 *	__arch_word_low32(w): the 32-bit half of an unsigned long holding its
 *	low bits (the binder's once word is waited on there);
 *	__arch_running_on_valgrind(): Valgrind's client request (0 where the
 *	architecture has none);
 *	__arch_memcpy_level_suffix(level): the suffix of the image's memcpy
 *	entry points for an ISA level of <vlibc/arch/memcpy.h>.
 * binder/arch/<arch>/lazy.S (every .S there is built into the binder)
 *	binder_lazy_common: the first call through a slot, every argument
 *	register kept.
 *
 * The kernel side (arch/<arch>/entry/vlibc/, kernel/patches/) is the
 * kernel's own arch code.  This header includes each of the image's arch
 * headers, so that a missing one fails the build of core/init.c.
 */
#ifndef _VLIBC_ARCH_H
#define _VLIBC_ARCH_H

#include <vlibc/arch/elf.h>
#include <vlibc/arch/glibc-aio.h>
#include <vlibc/arch/glibc-locks.h>
#include <vlibc/arch/memcpy.h>
#include <vlibc/arch/processor.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/arch/thread.h>

#endif /* _VLIBC_ARCH_H */
