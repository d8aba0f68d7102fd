// SPDX-License-Identifier: GPL-2.0
/*
 * The memcpy family's decision: from what the architecture found out
 * about the machine (__arch_memcpy_cpu_facts(): ISA levels, a fast bulk
 * copy instruction, the real cache sizes) follow the level and the
 * thresholds of the default table.  Computed by __vlibc_memcpy_setup(),
 * which the binder calls only for a process that binds the family (and
 * again in its fork children), with the variant asked for: probing the
 * machine costs CPUID instructions, each an exit to the hypervisor in a
 * VM, which a process that does not bind memcpy must not pay.  The table is
 * the one bench/memcpy.sh measured: see
 * Documentation/userspace-api/vlibc-memcpy.rst.
 */
#include <linux/errno.h>
#include <vlibc/families.h>
#include <vlibc/memcpy.h>
#include <vlibc/private.h>

#define KiB	1024UL
#define MiB	(1024UL * KiB)

/*
 * The thresholds per variant.  AUTO is the default table, chosen by
 * bench/memcpy.sh on an AMD EPYC Zen 4 (L1d 48 KiB, L2 1 MiB, L3 32 MiB;
 * the numbers are in the documentation):
 *
 *	copies	up to 8 vectors inline; the vector loop while source and
 *		destination fit L1d (n < 2/3 of L1d: 32 KiB here, where the
 *		bulk copy instruction is up to 1.8x slower); the bulk copy
 *		instruction from there to the L3 size; non-temporal stores
 *		from the L3 size up.
 *	memset	the vector loop below the L2 size (the bulk set instruction
 *		is up to 1.7x slower there); the bulk set instruction from
 *		the L2 size up (non-temporal stores measured no faster, so
 *		they are left to VARIANT_NT).
 *
 * Without a fast bulk instruction (__arch_memcpy_has_bulk()) the vector
 * loop takes its ranges.  Unknown cache sizes fall back to 48 KiB, 1 MiB
 * and 32 MiB.
 */
static void apply_variant(struct vlibc_memcpy_state *m, unsigned int variant)
{
	int bulk = __arch_memcpy_has_bulk(m);
	unsigned long l1d = m->l1d_size ? m->l1d_size : 48 * KiB;
	unsigned long l2 = m->l2_size ? m->l2_size : 1 * MiB;
	unsigned long l3 = m->l3_size ? m->l3_size : 32 * MiB;

	m->bulk_min = m->bulk_max = m->nt_min = m->pvr_min = 0;
	m->bulk_set_min = m->bulk_set_max = m->nt_set_min = 0;
	switch (variant) {
	case VLIBC_MEM_VARIANT_VECTOR:
		break;
	case VLIBC_MEM_VARIANT_ERMS:
		if (bulk) {
			m->bulk_min = m->bulk_set_min = 1;
			m->bulk_max = m->bulk_set_max = ~0UL;
		}
		break;
	case VLIBC_MEM_VARIANT_NT:
		m->nt_min = m->nt_set_min = 1;
		break;
	case VLIBC_MEM_VARIANT_PVR:
		m->pvr_min = 1;
		/* fall through */
	default:
		if (bulk) {
			m->bulk_min = l1d * 2 / 3;
			m->bulk_max = l3;
			m->bulk_set_min = l2;
			m->bulk_set_max = ~0UL;
		}
		m->nt_min = l3;
		break;
	}
}

/*
 * Nothing until the family is bound: the all-zero state (level 0, no
 * thresholds) copies with the baseline vector loop.
 */
void vlibc_memcpy_init(struct vlibc_private *p, const struct vlibc_elf_dyn *vdso)
{
}

VLIBC_ENTRY long __vlibc_memcpy_setup(const struct vlibc_memcpy_setup *setup)
{
	struct vlibc_memcpy_state *m = &vlibc_private()->memcpy;
	int level;

	if (!setup || setup->size < sizeof(*setup) ||
	    setup->variant > VLIBC_MEM_VARIANT_PVR)
		return -EINVAL;
	if (!m->cpu)
		__arch_memcpy_cpu_facts(m);
	level = __arch_memcpy_best_level(m);
	if (setup->level >= 0 && setup->level < level)
		level = setup->level;
	apply_variant(m, setup->variant);
	__atomic_store_n(&m->level, level, __ATOMIC_RELAXED);
	return level;
}
