/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 half of the binder's jump slots (see binder/slot.h).
 *
 * NAME:		jmp *vlibc_slot_NAME(%rip)
 * vlibc_lazy_NAME:	%r11 = vlibc_bind_NAME; jmp vlibc_lazy_common
 *
 * vlibc_lazy_common (lazy.S) saves the argument registers, calls %r11 for
 * the target, restores them and jumps there: the first call binds.
 */
#ifndef _VLIBC_BINDER_ARCH_SLOT_H
#define _VLIBC_BINDER_ARCH_SLOT_H

#define VLIBC_ARCH_SLOT_ASM(name)					\
	__asm__(".text\n"						\
		".globl " #name "\n"					\
		".type " #name ", @function\n"				\
		".p2align 4\n"						\
		#name ":\n"						\
		"\tjmp *vlibc_slot_" #name "(%rip)\n"			\
		".size " #name ", .-" #name "\n"			\
		".globl vlibc_lazy_" #name "\n"				\
		".hidden vlibc_lazy_" #name "\n"			\
		".type vlibc_lazy_" #name ", @function\n"		\
		"vlibc_lazy_" #name ":\n"				\
		"\tleaq vlibc_bind_" #name "(%rip), %r11\n"		\
		"\tjmp vlibc_lazy_common\n"				\
		".size vlibc_lazy_" #name ", .-vlibc_lazy_" #name "\n")

#endif /* _VLIBC_BINDER_ARCH_SLOT_H */
