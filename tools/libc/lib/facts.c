// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the machine-facts block (<vlibc/facts.h>): the one reader, for
 * the image and for any other program that is handed a block.
 * Freestanding; takes the block's address, finds nothing itself.
 */
#include <vlibc/facts.h>

/* The version 1 header ends where version 1 entries may start. */
_Static_assert(sizeof(struct vlibc_facts) == 32, "struct vlibc_facts is ABI");
_Static_assert(sizeof(struct vlibc_facts_cpuid) == 24,
	       "struct vlibc_facts_cpuid is ABI");

int vlibc_facts_valid(const struct vlibc_facts *f)
{
	unsigned long end;

	if (!f || f->magic != VLIBC_FACTS_MAGIC || f->version < 1 ||
	    f->size > VLIBC_FACTS_SIZE ||
	    f->entry_size < sizeof(struct vlibc_facts_cpuid) ||
	    f->cpuid_offset < sizeof(*f) || (f->cpuid_offset & 7))
		return 0;
	end = f->cpuid_offset + (unsigned long)f->nr_cpuid * f->entry_size;
	return end <= f->size;
}

/* The leaves a version 1 block records (where the CPU enumerates them). */
static int recorded(unsigned int leaf)
{
	switch (leaf) {
	case 0: case 1: case 2: case 4: case 7: case 0xb: case 0xd:
	case 0x14: case 0x19: case 0x8000001d:
		return 1;
	}
	return leaf >= 0x80000000 && leaf <= 0x80000008;
}

/* The recorded leaves whose output depends on ECX. */
static int has_subleaves(unsigned int leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd ||
	       leaf == 0x14 || leaf == 0x8000001d;
}

int vlibc_facts_cpuid(const struct vlibc_facts *f, unsigned int leaf,
		      unsigned int subleaf, unsigned int r[4])
{
	const unsigned char *table = (const unsigned char *)f + f->cpuid_offset;
	unsigned int lo = 0, hi = f->nr_cpuid;
	unsigned long key;

	if (!recorded(leaf))
		return -1;
	/* The instruction ignores ECX there, and callers leave it as is. */
	if (!has_subleaves(leaf))
		subleaf = 0;
	key = (unsigned long)leaf << 32 | subleaf;
	/* Sorted by (leaf, sub-leaf): a binary search. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct vlibc_facts_cpuid *e =
			(const void *)(table + (unsigned long)mid * f->entry_size);
		unsigned long at = (unsigned long)e->leaf << 32 | e->subleaf;

		if (at == key) {
			r[0] = e->eax;
			r[1] = e->ebx;
			r[2] = e->ecx;
			r[3] = e->edx;
			return 1;
		}
		if (at < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	r[0] = r[1] = r[2] = r[3] = 0;
	return 0;
}
