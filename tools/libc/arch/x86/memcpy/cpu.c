// SPDX-License-Identifier: GPL-2.0
/*
 * What the memcpy family knows about an x86-64 machine, for the decision
 * in tools/libc/memcpy/init.c: the ISA level (AVX2 and AVX-512 only where
 * CPUID has them and the kernel saves their state, per XCR0), ERMS/FSRM
 * (a fast rep movsb/stosb: the bulk instructions) and the real cache
 * sizes, from CPUID as vlibc_cpuid() answers it: the kernel's
 * machine-facts block under kernel delivery, the instruction otherwise.
 */
#include <vlibc/arch/cpuid.h>
#include <vlibc/memcpy.h>

#define KiB	1024UL

static unsigned long xgetbv0(void)
{
	unsigned int lo, hi;

	__asm__ volatile ("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | (unsigned long)hi << 32;
}

/* Deterministic cache parameters (Intel leaf 4, AMD leaf 0x8000001d). */
static void cache_sizes(unsigned int leaf, struct vlibc_memcpy_state *m)
{
	struct vlibc_cpuid_regs r;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned long size;

		vlibc_cpuid(leaf, i, &r);
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

/* CPU facts and cache sizes into @m (cpu, l1d_size, l2_size, l3_size). */
void __arch_memcpy_cpu_facts(struct vlibc_memcpy_state *m)
{
	struct vlibc_cpuid_regs r, v;
	unsigned int max, max_ext;
	int amd;

	vlibc_cpuid(0, 0, &v);
	max = v.a;
	/* "AuthenticAMD", "HygonGenuine": ebx "Auth", "Hygo". */
	amd = v.b == 0x68747541 || v.b == 0x6f677948;
	vlibc_cpuid(0x80000000, 0, &r);
	max_ext = r.a;
	m->cpu = VLIBC_MEM_CPU_KNOWN;
	if (max < 7)
		return;
	vlibc_cpuid(1, 0, &r);
	if ((r.c & (1U << 27)) && (r.c & (1U << 28))) {	/* OSXSAVE, AVX */
		unsigned long xcr0 = xgetbv0();

		vlibc_cpuid(7, 0, &v);
		if ((xcr0 & 0x6) == 0x6 && (v.b & (1U << 5)))	/* AVX2 */
			m->cpu |= VLIBC_MEM_CPU_AVX2;
		/* F (16), BW (30), VL (31); opmask, ZMM_Hi256, Hi16_ZMM. */
		if ((m->cpu & VLIBC_MEM_CPU_AVX2) && (xcr0 & 0xe0) == 0xe0 &&
		    (v.b & (1U << 16)) && (v.b & (1U << 30)) && (v.b & (1U << 31)))
			m->cpu |= VLIBC_MEM_CPU_AVX512;
	}
	vlibc_cpuid(7, 0, &v);
	if (v.b & (1U << 9))
		m->cpu |= VLIBC_MEM_CPU_ERMS;
	if (v.d & (1U << 4))
		m->cpu |= VLIBC_MEM_CPU_FSRM;

	if (!amd) {
		cache_sizes(4, m);
		return;
	}
	if (max_ext >= 0x8000001d) {
		vlibc_cpuid(0x80000001, 0, &r);
		if (r.c & (1U << 22))			/* TOPOEXT */
			cache_sizes(0x8000001d, m);
	}
	if (!m->l2_size && max_ext >= 0x80000006) {
		vlibc_cpuid(0x80000006, 0, &r);
		vlibc_cpuid(0x80000005, 0, &v);
		m->l1d_size = (unsigned long)(v.c >> 24) * KiB;
		m->l2_size = (unsigned long)(r.c >> 16) * KiB;
		m->l3_size = (unsigned long)(r.d >> 18) * 512 * KiB;
	}
}

/* The best ISA level @m->cpu allows. */
int __arch_memcpy_best_level(const struct vlibc_memcpy_state *m)
{
	if (m->cpu & VLIBC_MEM_CPU_AVX512)
		return VLIBC_MEM_AVX512;
	if (m->cpu & VLIBC_MEM_CPU_AVX2)
		return VLIBC_MEM_AVX2;
	return VLIBC_MEM_SSE2;
}

/* ERMS or FSRM: rep movsb/stosb are worth it for large sizes. */
int __arch_memcpy_has_bulk(const struct vlibc_memcpy_state *m)
{
	return !!(m->cpu & (VLIBC_MEM_CPU_ERMS | VLIBC_MEM_CPU_FSRM));
}
