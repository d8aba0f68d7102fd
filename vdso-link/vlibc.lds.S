/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linker script for linux-vlibc.so.1, preprocessed with cpp.
 *
 * Modelled on arch/x86/entry/vdso/vdso-layout.lds.S: everything the
 * dynamic linker or the binder reads lives in one read/execute segment
 * starting at address 0.  The per-process private region follows it as a
 * read/write segment with no file contents; the image reaches it through
 * the hidden symbol vlibc_private_start, PC-relatively, so the image needs no
 * relocation at all.
 */
#include <vlibc/abi.h>
#include <vlibc/facts.h>
#include <vlibc/arch/elf.h>

OUTPUT_FORMAT(VLIBC_ARCH_LDS_FORMAT, VLIBC_ARCH_LDS_FORMAT, VLIBC_ARCH_LDS_FORMAT)
OUTPUT_ARCH(VLIBC_ARCH_LDS_ARCH)

SECTIONS
{
	/*
	 * Under kernel delivery the machine-facts block is the page right
	 * below the image (<vlibc/facts.h>), as vvar is below the vDSO;
	 * reached PC-relatively, and only once __vlibc_init() saw that the
	 * kernel mapped this image (nothing is below an image from a file).
	 */
	vlibc_facts_start = . - VLIBC_FACTS_SIZE;

	. = SIZEOF_HEADERS;

	.hash		: { *(.hash) }			:text
	.gnu.hash	: { *(.gnu.hash) }
	.dynsym		: { *(.dynsym) }
	.dynstr		: { *(.dynstr) }
	.gnu.version	: { *(.gnu.version) }
	.gnu.version_d	: { *(.gnu.version_d) }
	.gnu.version_r	: { *(.gnu.version_r) }

	/* Kept visible so that vlibc-check can refuse them. */
	.rela.dyn	: { *(.rela.*) }
	.plt		: { *(.plt) *(.plt.*) *(.iplt) }

	.dynamic	: { *(.dynamic) }		:text	:dynamic

	.rodata		: {
		*(.rodata*)
		*(.data.rel.ro*)
		*(.got)
		*(.got.plt)
	}						:text

	/*
	 * Writable data has no place in the image: per-process state belongs
	 * in struct vlibc_private.  The assertion below names the offender.
	 */
	.forbidden_data	: {
		*(.data .data.* .bss .bss.* COMMON .tdata* .tbss*)
	}						:text

	.note		: { *(.note.*) }		:text	:note

	.eh_frame_hdr	: { *(.eh_frame_hdr) }		:text	:eh_frame_hdr
	.eh_frame	: { KEEP (*(.eh_frame)) }	:text

	. = ALIGN(16);
	.text		: { *(.text .text.*) }		:text

	vlibc_image_end = .;

	/* The per-process private region: zero-filled, wiped on fork. */
	. = ALIGN(4096);
	.vlibc_private (NOLOAD) : {
		vlibc_private_start = .;
		. += VLIBC_PRIVATE_SIZE;
	}						:private

	/DISCARD/ : {
		*(.discard*)
		*(.comment)
		*(.note.GNU-stack)
	}
}

ASSERT(SIZEOF(.forbidden_data) == 0,
       "linux-vlibc.so.1: writable .data/.bss/TLS in the image; use struct vlibc_private")

PHDRS
{
	text		PT_LOAD		FLAGS(5) FILEHDR PHDRS;	/* PF_R|PF_X */
	private		PT_LOAD		FLAGS(6);		/* PF_R|PF_W */
	dynamic		PT_DYNAMIC	FLAGS(4);		/* PF_R */
	note		PT_NOTE		FLAGS(4);
	eh_frame_hdr	PT_GNU_EH_FRAME;
}

VERSION
{
	LINUX_VLIBC_1 {
	global:
		__vlibc_*;
	local: *;
	};
}
