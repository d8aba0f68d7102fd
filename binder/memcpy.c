// SPDX-License-Identifier: GPL-2.0
/*
 * The memcpy family: memcpy(), memmove(), mempcpy() (and __mempcpy),
 * memset() and the fortified __memcpy_chk(), __memmove_chk(),
 * __mempcpy_chk(), __memset_chk().
 *
 * Every name binds straight to one ISA level's entry point in the image
 * (the application's PLT entry lands in the image through the jump slot,
 * no call layer), chosen once per process by __vlibc_memcpy_setup() from
 * what the image read from CPUID.  The fortified forms check the size in
 * the image and abort as glibc's __chk_fail() does.
 *
 * VLIBC_MEMCPY=auto (default)	the measured table (CPU's best level)
 *	  | avx512 | avx2 | sse2	that table, ISA level capped
 *	  | vector			vector loops only (no rep movsb, no NT)
 *	  | erms			rep movsb/stosb for every large size
 *	  | nt				non-temporal stores for every large size
 *	  | pvr				auto + process_vm_readv() for large copies
 *	  | glibc			glibc's functions
 *
 * The binder's own code must not reach these slots (the first call binds,
 * and binding copies): it is linked with --wrap=memcpy,--wrap=memset onto
 * the hidden loops of tools/libc/lib/string.c, and this file makes no
 * implicit copies.
 */
#include <vlibc/memcpy.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"

enum {
	MC_MEMCPY, MC_MEMMOVE, MC_MEMPCPY, MC_MEMSET,
	MC_MEMCPY_CHK, MC_MEMMOVE_CHK, MC_MEMPCPY_CHK, MC_MEMSET_CHK,
	MC_NAMES
};

static struct {
	struct vlibc_memcpy_setup	setup;
	long				(*image_setup)(const struct vlibc_memcpy_setup *);
	char				entry[MC_NAMES][40];
} mc;

/* No table of strings: the decision runs before relocation. */
static const char *mc_base(int i)
{
	switch (i) {
	case MC_MEMCPY:		return "__vlibc_memcpy";
	case MC_MEMMOVE:	return "__vlibc_memmove";
	case MC_MEMPCPY:	return "__vlibc_mempcpy";
	case MC_MEMSET:		return "__vlibc_memset";
	case MC_MEMCPY_CHK:	return "__vlibc_memcpy_chk";
	case MC_MEMMOVE_CHK:	return "__vlibc_memmove_chk";
	case MC_MEMPCPY_CHK:	return "__vlibc_mempcpy_chk";
	default:		return "__vlibc_memset_chk";
	}
}

static const char *mc_level_name(long level)
{
	switch (level) {
	case VLIBC_MEM_AVX512:	return "_avx512";
	case VLIBC_MEM_AVX2:	return "_avx2";
	default:		return "_sse2";
	}
}

/* VLIBC_MEMCPY: 0, or -1 for glibc, or 1 with *@s filled in. */
static int mc_parse(const char *v, struct vlibc_memcpy_setup *s)
{
	s->size = sizeof(*s);
	s->variant = VLIBC_MEM_VARIANT_AUTO;
	s->level = -1;
	if (!v || !*v || v_streq(v, "auto"))
		return 1;
	if (v_streq(v, "glibc"))
		return -1;
	if (v_streq(v, "avx512"))
		s->level = VLIBC_MEM_AVX512;
	else if (v_streq(v, "avx2"))
		s->level = VLIBC_MEM_AVX2;
	else if (v_streq(v, "sse2"))
		s->level = VLIBC_MEM_SSE2;
	else if (v_streq(v, "vector"))
		s->variant = VLIBC_MEM_VARIANT_VECTOR;
	else if (v_streq(v, "erms"))
		s->variant = VLIBC_MEM_VARIANT_ERMS;
	else if (v_streq(v, "nt"))
		s->variant = VLIBC_MEM_VARIANT_NT;
	else if (v_streq(v, "pvr"))
		s->variant = VLIBC_MEM_VARIANT_PVR;
	else
		vlibc_debug("memcpy: unknown variant", v, "(using auto)", 0);
	return 1;
}

int vlibc_memcpy_decide(const struct vlibc_image *img, const char *variant,
			const char **why)
{
	long level;
	int i;

	if (mc_parse(variant, &mc.setup) < 0) {
		*why = "VLIBC_MEMCPY=glibc";
		return 0;
	}
	mc.image_setup = vlibc_image_sym(img, "__vlibc_memcpy_setup");
	if (!mc.image_setup) {
		*why = "image lacks the memcpy entry points";
		return 0;
	}
	level = mc.image_setup(&mc.setup);
	if (level < 0) {
		*why = "__vlibc_memcpy_setup refused the variant";
		return 0;
	}
	for (i = 0; i < MC_NAMES; i++) {
		mc.entry[i][0] = 0;
		v_append(mc.entry[i], sizeof(mc.entry[i]), mc_base(i));
		v_append(mc.entry[i], sizeof(mc.entry[i]), mc_level_name(level));
		if (!vlibc_image_sym(img, mc.entry[i])) {
			*why = "image lacks a memcpy entry point";
			return 0;
		}
	}
	vlibc_debug("memcpy: level", mc_level_name(level) + 1,
		    variant ? variant : "auto", 0);
	return 1;
}

void vlibc_memcpy_attach(const struct vlibc_image *img)
{
}

void vlibc_memcpy_fork_prepare(void)
{
}

void vlibc_memcpy_fork_parent(void)
{
}

/* __vlibc_init() set the default table up again; apply the variant. */
void vlibc_memcpy_fork_child(const struct vlibc_image *img)
{
	mc.image_setup(&mc.setup);
}

/*
 * The entry point to bind name @i to: decided first (the family's first
 * bound call decides), so the level is known.
 */
static const char *mc_entry(int i)
{
	if (vlibc_family_entry(VLIBC_FAMILY_memcpy, "__vlibc_memcpy_setup"))
		return mc.entry[i];
	return mc_base(i);
}

VLIBC_BIND_DIRECT(memcpy, memcpy, mc_entry(MC_MEMCPY));
VLIBC_BIND_DIRECT(memmove, memcpy, mc_entry(MC_MEMMOVE));
VLIBC_BIND_DIRECT(mempcpy, memcpy, mc_entry(MC_MEMPCPY));
VLIBC_BIND_DIRECT(__mempcpy, memcpy, mc_entry(MC_MEMPCPY));
VLIBC_BIND_DIRECT(memset, memcpy, mc_entry(MC_MEMSET));
VLIBC_BIND_DIRECT(__memcpy_chk, memcpy, mc_entry(MC_MEMCPY_CHK));
VLIBC_BIND_DIRECT(__memmove_chk, memcpy, mc_entry(MC_MEMMOVE_CHK));
VLIBC_BIND_DIRECT(__mempcpy_chk, memcpy, mc_entry(MC_MEMPCPY_CHK));
VLIBC_BIND_DIRECT(__memset_chk, memcpy, mc_entry(MC_MEMSET_CHK));
