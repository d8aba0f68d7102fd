/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 half of the binder's jump slots (see binder/slot.h).
 *
 * NAME:		jmp *binder_slot_NAME(%rip)
 * binder_lazy_NAME:	%r11 = binder_bind_NAME; jmp binder_lazy_common
 *
 * binder_lazy_common (lazy.S) saves the argument registers, calls %r11 for
 * the target, restores them and jumps there: the first call binds.
 *
 * A guarded slot (BINDER_GUARDED_SLOT) first runs a test on the arguments:
 *
 * NAME:		<guard: jumps to 1f for the calls to look at>
 *			jmp *binder_slot_NAME(%rip)
 *		1:	%r11 = binder_guard_NAME; jmp binder_lazy_common
 *
 * so every other call costs the guard's compares and the indirect jump.
 * The guard may use %r11 (not an argument register, free at a call).
 */
#ifndef _BINDER_ARCH_SLOT_H
#define _BINDER_ARCH_SLOT_H

/* The start of exported @name, up to its first instruction. */
#define BINDER_ARCH_SLOT_HEAD(name)					\
		".text\n"						\
		".globl " #name "\n"					\
		".type " #name ", @function\n"				\
		".p2align 4\n"						\
		#name ":\n"

/* The end of @name, then its lazy stub: binder_bind_NAME in %r11. */
#define BINDER_ARCH_SLOT_TAIL(name)					\
		".size " #name ", .-" #name "\n"			\
		".globl binder_lazy_" #name "\n"				\
		".hidden binder_lazy_" #name "\n"			\
		".type binder_lazy_" #name ", @function\n"		\
		"binder_lazy_" #name ":\n"				\
		"\tleaq binder_bind_" #name "(%rip), %r11\n"		\
		"\tjmp binder_lazy_common\n"				\
		".size binder_lazy_" #name ", .-binder_lazy_" #name "\n"

#define BINDER_ARCH_SLOT_ASM(name)					\
	__asm__(BINDER_ARCH_SLOT_HEAD(name)				\
		"\tjmp *binder_slot_" #name "(%rip)\n"			\
		BINDER_ARCH_SLOT_TAIL(name))

#define BINDER_ARCH_GUARDED_SLOT_ASM(name, guard_asm)			\
	__asm__(BINDER_ARCH_SLOT_HEAD(name)				\
		guard_asm						\
		"\tjmp *binder_slot_" #name "(%rip)\n"			\
		"1:\tleaq binder_guard_" #name "(%rip), %r11\n"	\
		"\tjmp binder_lazy_common\n"				\
		BINDER_ARCH_SLOT_TAIL(name))

#define VLIBC_ARCH_STR_(x)	#x
#define VLIBC_ARCH_STR(x)	VLIBC_ARCH_STR_(x)

/* Guard: the first argument, an int, is @v (prctl's option). */
#define BINDER_ARCH_GUARD_INT_ARG1(v)					\
	"\tcmpl $" VLIBC_ARCH_STR(v) ", %edi\n"			\
	"\tje 1f\n"

/*
 * Guard: the first argument is system call @a or @b (syscall()'s number).
 * As the kernel reads it: the low 32 bits, the x32 bit aside.
 */
#define BINDER_ARCH_GUARD_SYSCALL_NR(a, b)				\
	"\tmovl %edi, %r11d\n"						\
	"\tandl $0xbfffffff, %r11d\n"					\
	"\tcmpl $" VLIBC_ARCH_STR(a) ", %r11d\n"			\
	"\tje 1f\n"							\
	"\tcmpl $" VLIBC_ARCH_STR(b) ", %r11d\n"			\
	"\tje 1f\n"

#endif /* _BINDER_ARCH_SLOT_H */
