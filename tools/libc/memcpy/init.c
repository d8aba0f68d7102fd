// SPDX-License-Identifier: GPL-2.0
/*
 * What the memcpy family knows about the machine: ISA level (AVX2 and
 * AVX-512 only where CPUID has them and the kernel saves their state, per
 * XCR0), ERMS/FSRM, and the real cache sizes, from which the thresholds
 * of the default table follow.  Computed in __vlibc_init() into the
 * private region; __vlibc_memcpy_setup() applies a variant.  The table is
 * the one bench/memcpy.sh measured: see
 * Documentation/userspace-api/vlibc-memcpy.rst.
 */
#include <linux/errno.h>
#include <vlibc/families.h>
#include <vlibc/memcpy.h>
#include <vlibc/private.h>

#define KiB	1024UL
#define MiB	(1024UL * KiB)

struct cpuid_regs {
	unsigned int	a, b, c, d;
};

static void cpuid(unsigned int leaf, unsigned int sub, struct cpuid_regs *r)
{
	__asm__ volatile ("cpuid" : "=a"(r->a), "=b"(r->b), "=c"(r->c), "=d"(r->d)
			  : "a"(leaf), "c"(sub));
}

static unsigned long xgetbv0(void)
{
	unsigned int lo, hi;

	__asm__ volatile ("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | (unsigned long)hi << 32;
}

/* Deterministic cache parameters (Intel leaf 4, AMD leaf 0x8000001d). */
static void cache_sizes(unsigned int leaf, struct vlibc_memcpy_state *m)
{
	struct cpuid_regs r;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned long size;

		cpuid(leaf, i, &r);
		if (!(r.a & 31))			/* no more caches */
			break;
		if ((r.a & 31) == 2)			/* instruction cache */
			continue;
		size = (unsigned long)((r.b >> 22) + 1) *	/* ways */
		       (((r.b >> 12) & 0x3ff) + 1) *		/* partitions */
		       ((r.b & 0xfff) + 1) *			/* line */
		       ((unsigned long)r.c + 1);		/* sets */
		if (((r.a >> 5) & 7) == 1)
			m->l1d_size = size;
		else if (((r.a >> 5) & 7) == 2)
			m->l2_size = size;
		else if (((r.a >> 5) & 7) == 3)
			m->l3_size = size;
	}
}

static void cpu_facts(struct vlibc_memcpy_state *m)
{
	struct cpuid_regs r, v;
	unsigned int max, max_ext;
	int amd;

	cpuid(0, 0, &v);
	max = v.a;
	/* "AuthenticAMD", "HygonGenuine": ebx "Auth", "Hygo". */
	amd = v.b == 0x68747541 || v.b == 0x6f677948;
	cpuid(0x80000000, 0, &r);
	max_ext = r.a;
	m->cpu = VLIBC_MEM_CPU_KNOWN;
	if (max < 7)
		return;
	cpuid(1, 0, &r);
	if ((r.c & (1U << 27)) && (r.c & (1U << 28))) {	/* OSXSAVE, AVX */
		unsigned long xcr0 = xgetbv0();

		cpuid(7, 0, &v);
		if ((xcr0 & 0x6) == 0x6 && (v.b & (1U << 5)))	/* AVX2 */
			m->cpu |= VLIBC_MEM_CPU_AVX2;
		/* F (16), BW (30), VL (31); opmask, ZMM_Hi256, Hi16_ZMM. */
		if ((m->cpu & VLIBC_MEM_CPU_AVX2) && (xcr0 & 0xe0) == 0xe0 &&
		    (v.b & (1U << 16)) && (v.b & (1U << 30)) && (v.b & (1U << 31)))
			m->cpu |= VLIBC_MEM_CPU_AVX512;
	}
	cpuid(7, 0, &v);
	if (v.b & (1U << 9))
		m->cpu |= VLIBC_MEM_CPU_ERMS;
	if (v.d & (1U << 4))
		m->cpu |= VLIBC_MEM_CPU_FSRM;

	if (!amd) {
		cache_sizes(4, m);
		return;
	}
	if (max_ext >= 0x8000001d) {
		cpuid(0x80000001, 0, &r);
		if (r.c & (1U << 22))			/* TOPOEXT */
			cache_sizes(0x8000001d, m);
	}
	if (!m->l2_size && max_ext >= 0x80000006) {
		cpuid(0x80000006, 0, &r);
		cpuid(0x80000005, 0, &v);
		m->l1d_size = (unsigned long)(v.c >> 24) * KiB;
		m->l2_size = (unsigned long)(r.c >> 16) * KiB;
		m->l3_size = (unsigned long)(r.d >> 18) * 512 * KiB;
	}
}

static int best_level(const struct vlibc_memcpy_state *m)
{
	if (m->cpu & VLIBC_MEM_CPU_AVX512)
		return VLIBC_MEM_AVX512;
	if (m->cpu & VLIBC_MEM_CPU_AVX2)
		return VLIBC_MEM_AVX2;
	return VLIBC_MEM_SSE2;
}

/*
 * The thresholds per variant.  AUTO is the default table, chosen by
 * bench/memcpy.sh on an AMD EPYC Zen 4 (L1d 48 KiB, L2 1 MiB, L3 32 MiB;
 * the numbers are in the documentation):
 *
 *	copies	up to 8 vectors inline; the vector loop while source and
 *		destination fit L1d (n < 2/3 of L1d: 32 KiB here, where rep
 *		movsb is up to 1.8x slower); rep movsb (ERMS/FSRM) from there
 *		to the L3 size; non-temporal stores from the L3 size up.
 *	memset	the vector loop below the L2 size (rep stosb is up to 1.7x
 *		slower there); rep stosb from the L2 size up (non-temporal
 *		stores measured no faster, so they are left to VARIANT_NT).
 *
 * Unknown cache sizes fall back to 48 KiB, 1 MiB and 32 MiB.
 */
static void apply_variant(struct vlibc_memcpy_state *m, unsigned int variant)
{
	int rep = !!(m->cpu & (VLIBC_MEM_CPU_ERMS | VLIBC_MEM_CPU_FSRM));
	unsigned long l1d = m->l1d_size ? m->l1d_size : 48 * KiB;
	unsigned long l2 = m->l2_size ? m->l2_size : 1 * MiB;
	unsigned long l3 = m->l3_size ? m->l3_size : 32 * MiB;

	m->movsb_min = m->movsb_max = m->nt_min = m->pvr_min = 0;
	m->stosb_min = m->stosb_max = m->nt_set_min = 0;
	switch (variant) {
	case VLIBC_MEM_VARIANT_VECTOR:
		break;
	case VLIBC_MEM_VARIANT_ERMS:
		if (rep) {
			m->movsb_min = m->stosb_min = 1;
			m->movsb_max = m->stosb_max = ~0UL;
		}
		break;
	case VLIBC_MEM_VARIANT_NT:
		m->nt_min = m->nt_set_min = 1;
		break;
	case VLIBC_MEM_VARIANT_PVR:
		m->pvr_min = 1;
		/* fall through */
	default:
		if (rep) {
			m->movsb_min = l1d * 2 / 3;
			m->movsb_max = l3;
			m->stosb_min = l2;
			m->stosb_max = ~0UL;
		}
		m->nt_min = l3;
		break;
	}
}

void vlibc_memcpy_init(struct vlibc_private *p, const struct vlibc_elf_dyn *vdso)
{
	struct vlibc_memcpy_state *m = &p->memcpy;

	cpu_facts(m);
	apply_variant(m, VLIBC_MEM_VARIANT_AUTO);
	m->level = best_level(m);
}

VLIBC_ENTRY long __vlibc_memcpy_setup(const struct vlibc_memcpy_setup *setup)
{
	struct vlibc_memcpy_state *m = &vlibc_private()->memcpy;
	int level;

	if (!setup || setup->size < sizeof(*setup) ||
	    setup->variant > VLIBC_MEM_VARIANT_PVR)
		return -EINVAL;
	if (!m->cpu)
		cpu_facts(m);
	level = best_level(m);
	if (setup->level >= 0 && setup->level < level)
		level = setup->level;
	apply_variant(m, setup->variant);
	__atomic_store_n(&m->level, level, __ATOMIC_RELAXED);
	return level;
}
