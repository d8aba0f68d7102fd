/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 facts the binder's C code needs (the jump slots are in slot.h):
 *
 * __arch_word_low32(w)		the 32-bit half of the unsigned long at @w
 *				that holds its low bits (futex(2) waits on it)
 * __arch_running_on_valgrind()	Valgrind's RUNNING_ON_VALGRIND client request
 * __arch_memcpy_level_suffix(l)	the suffix of the image's memcpy entry
 *				points for ISA level @l (<vlibc/arch/memcpy.h>)
 */
#ifndef _BINDER_ARCH_CPU_H
#define _BINDER_ARCH_CPU_H

#include <stdint.h>
#include <vlibc/arch/memcpy.h>

/* Little-endian: the low half is the first. */
static inline uint32_t *__arch_word_low32(unsigned long *w)
{
	return (uint32_t *)w;
}

/*
 * The client request 0x1001: a sequence of rotations of %rdi that add up
 * to none, then xchg %rbx,%rbx, which Valgrind's JIT answers in %rdx (the
 * number of Valgrind layers) and a real CPU leaves at the default, 0.
 */
static inline int __arch_running_on_valgrind(void)
{
	unsigned long args[6] = { 0x1001 }, layers = 0;

	__asm__ volatile("rolq $3, %%rdi\n\trolq $13, %%rdi\n\t"
			 "rolq $61, %%rdi\n\trolq $51, %%rdi\n\t"
			 "xchgq %%rbx, %%rbx"
			 : "+d"(layers) : "a"(args) : "cc", "memory");
	return layers != 0;
}

static inline const char *__arch_memcpy_level_suffix(long level)
{
	switch (level) {
	case VLIBC_MEM_AVX512:	return "_avx512";
	case VLIBC_MEM_AVX2:	return "_avx2";
	default:		return "_sse2";
	}
}

#endif /* _BINDER_ARCH_CPU_H */
