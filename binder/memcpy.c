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
#include <binder/arch/cpu.h>
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

static const char *const base_names[MC_NAMES] = {
	[MC_MEMCPY]	= "__vlibc_memcpy",
	[MC_MEMMOVE]	= "__vlibc_memmove",
	[MC_MEMPCPY]	= "__vlibc_mempcpy",
	[MC_MEMSET]	= "__vlibc_memset",
	[MC_MEMCPY_CHK]	= "__vlibc_memcpy_chk",
	[MC_MEMMOVE_CHK] = "__vlibc_memmove_chk",
	[MC_MEMPCPY_CHK] = "__vlibc_mempcpy_chk",
	[MC_MEMSET_CHK]	= "__vlibc_memset_chk",
};

/* VLIBC_MEMCPY, in the order of variants[] below. */
enum {
	VARIANT_AUTO, VARIANT_AVX512, VARIANT_AVX2, VARIANT_SSE2,
	VARIANT_VECTOR, VARIANT_ERMS, VARIANT_NT, VARIANT_PVR
};

static const char *const variants[] = {
	"auto", "avx512", "avx2", "sse2", "vector", "erms", "nt", "pvr", NULL
};

/* What __vlibc_memcpy_setup() is asked for @variant. */
static void mc_setup(int variant, struct vlibc_memcpy_setup *s)
{
	s->size = sizeof(*s);
	s->variant = VLIBC_MEM_VARIANT_AUTO;
	s->level = -1;
	switch (variant) {
	case VARIANT_AVX512:	s->level = VLIBC_MEM_AVX512; break;
	case VARIANT_AVX2:	s->level = VLIBC_MEM_AVX2; break;
	case VARIANT_SSE2:	s->level = VLIBC_MEM_SSE2; break;
	case VARIANT_VECTOR:	s->variant = VLIBC_MEM_VARIANT_VECTOR; break;
	case VARIANT_ERMS:	s->variant = VLIBC_MEM_VARIANT_ERMS; break;
	case VARIANT_NT:	s->variant = VLIBC_MEM_VARIANT_NT; break;
	case VARIANT_PVR:	s->variant = VLIBC_MEM_VARIANT_PVR; break;
	}
}

static int memcpy_decide(const struct binder_image *img, int variant,
			 const char **why)
{
	long level;
	int i;

	mc_setup(variant, &mc.setup);
	level = mc.image_setup(&mc.setup);
	if (level < 0) {
		*why = "__vlibc_memcpy_setup refused the variant";
		return 0;
	}
	for (i = 0; i < MC_NAMES; i++) {
		mc.entry[i][0] = 0;
		binder_append(mc.entry[i], sizeof(mc.entry[i]), base_names[i]);
		binder_append(mc.entry[i], sizeof(mc.entry[i]), __arch_memcpy_level_suffix(level));
		if (!binder_image_sym(img, mc.entry[i])) {
			*why = "image lacks a memcpy entry point";
			return 0;
		}
	}
	binder_debug("memcpy: level", __arch_memcpy_level_suffix(level) + 1,
		     variants[variant], 0);
	return 1;
}

/* __vlibc_init() set the default table up again; apply the variant. */
static void memcpy_fork_child(const struct binder_image *img)
{
	mc.image_setup(&mc.setup);
}

static const struct binder_entry entries[] = {
	BINDER_ENTRY(mc.image_setup, "__vlibc_memcpy_setup"),
	{ NULL }
};

const struct binder_family binder_memcpy_family = {
	.name		= "memcpy",
	.entries	= entries,
	.variants	= variants,
	.decide		= memcpy_decide,
	.fork_child	= memcpy_fork_child,
};

/*
 * The entry point to bind name @i to: decided first (the family's first
 * bound call decides), so the level is known.
 */
static const char *mc_entry(int i)
{
	if (binder_family_entry(BINDER_FAMILY_memcpy, "__vlibc_memcpy_setup"))
		return mc.entry[i];
	return base_names[i];
}

BINDER_BIND_DIRECT(memcpy, memcpy, mc_entry(MC_MEMCPY));
BINDER_BIND_DIRECT(memmove, memcpy, mc_entry(MC_MEMMOVE));
BINDER_BIND_DIRECT(mempcpy, memcpy, mc_entry(MC_MEMPCPY));
BINDER_BIND_DIRECT(__mempcpy, memcpy, mc_entry(MC_MEMPCPY));
BINDER_BIND_DIRECT(memset, memcpy, mc_entry(MC_MEMSET));
BINDER_BIND_DIRECT(__memcpy_chk, memcpy, mc_entry(MC_MEMCPY_CHK));
BINDER_BIND_DIRECT(__memmove_chk, memcpy, mc_entry(MC_MEMMOVE_CHK));
BINDER_BIND_DIRECT(__mempcpy_chk, memcpy, mc_entry(MC_MEMPCPY_CHK));
BINDER_BIND_DIRECT(__memset_chk, memcpy, mc_entry(MC_MEMSET_CHK));
