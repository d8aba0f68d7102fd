/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binder_lazy_common: first call through a jump slot.  %r11 holds the
 * slot's bind function, which returns the target and stores it in the
 * slot.  Every register that may carry an argument is preserved (the
 * integer ones, %rax for variadic calls, %xmm0-7), so any prototype works;
 * arguments on the stack are not touched.  The function in %r11 is called
 * with the caller's argument registers as they came: a guarded slot's
 * binder_guard_NAME (slot.h) reads its arguments there.
 */
	.text
	.globl	binder_lazy_common
	.hidden	binder_lazy_common
	.type	binder_lazy_common, @function
	.p2align 4
binder_lazy_common:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%r8
	pushq	%r9
	pushq	%rax
	subq	$136, %rsp
	andq	$-16, %rsp
	movaps	%xmm0, 0(%rsp)
	movaps	%xmm1, 16(%rsp)
	movaps	%xmm2, 32(%rsp)
	movaps	%xmm3, 48(%rsp)
	movaps	%xmm4, 64(%rsp)
	movaps	%xmm5, 80(%rsp)
	movaps	%xmm6, 96(%rsp)
	movaps	%xmm7, 112(%rsp)
	call	*%r11
	movq	%rax, %r11
	movaps	0(%rsp), %xmm0
	movaps	16(%rsp), %xmm1
	movaps	32(%rsp), %xmm2
	movaps	48(%rsp), %xmm3
	movaps	64(%rsp), %xmm4
	movaps	80(%rsp), %xmm5
	movaps	96(%rsp), %xmm6
	movaps	112(%rsp), %xmm7
	movq	-56(%rbp), %rax
	movq	-48(%rbp), %r9
	movq	-40(%rbp), %r8
	movq	-32(%rbp), %rcx
	movq	-24(%rbp), %rdx
	movq	-16(%rbp), %rsi
	movq	-8(%rbp), %rdi
	leave
	.cfi_def_cfa %rsp, 8
	jmp	*%r11
	.cfi_endproc
	.size	binder_lazy_common, .-binder_lazy_common

	.section .note.GNU-stack, "", @progbits
