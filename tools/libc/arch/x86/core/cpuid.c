// SPDX-License-Identifier: GPL-2.0
/* CPUID inside the image: see <vlibc/arch/cpuid.h>. */
#include <vlibc/arch/cpuid.h>
#include <vlibc/facts.h>
#include <vlibc/private.h>

void vlibc_cpuid(unsigned int leaf, unsigned int sub, struct vlibc_cpuid_regs *r)
{
	const struct vlibc_facts *f = vlibc_private()->facts;
	unsigned int v[4];

	if (f && vlibc_facts_cpuid(f, leaf, sub, v) >= 0) {
		r->a = v[0];
		r->b = v[1];
		r->c = v[2];
		r->d = v[3];
		return;
	}
	__asm__ volatile ("cpuid" : "=a"(r->a), "=b"(r->b), "=c"(r->c), "=d"(r->d)
			  : "a"(leaf), "c"(sub));
}
