// SPDX-License-Identifier: GPL-2.0
/*
 * ns per CPUID instruction on this machine, the leaves glibc's ld.so
 * executes at every exec taken in turn (in a virtual machine each one
 * exits to the hypervisor).  What the QEMU suite's libc mode counts,
 * times this, is the start-up cost the machine-facts block removes:
 * kernel/qemu-check.sh prints the product.  Output: bench.h's line.
 */
#include "bench.h"

static const unsigned int leaves[][2] = {
	{ 0, 0 }, { 1, 0 }, { 7, 0 }, { 4, 0 }, { 4, 1 }, { 2, 0 },
	{ 0xd, 1 }, { 0x80000000, 0 }, { 0x80000001, 0 },
};

#define NR_LEAVES	(sizeof(leaves) / sizeof(leaves[0]))

static volatile unsigned int sink;

static void loop_cpuid(unsigned long calls)
{
	unsigned int a, b, c, d, i = 0;

	while (calls--) {
		__asm__ volatile ("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				  : "a"(leaves[i][0]), "c"(leaves[i][1]));
		sink = a ^ b ^ c ^ d;
		i = i + 1 == NR_LEAVES ? 0 : i + 1;
	}
}

int main(void)
{
	bench_report("cpuid", loop_cpuid);
	return 0;
}
