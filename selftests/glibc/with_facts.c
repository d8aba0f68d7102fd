// SPDX-License-Identifier: GPL-2.0
/*
 * with_facts: starts a dynamic linker the way a vlibc kernel starts a
 * process, with AT_VLIBC and a machine-facts block below it, on a kernel
 * without vlibc, so that the patched glibc's reading of the block
 * (glibc/patches) can be checked natively.  For selftests/glibc/test_glibc.sh.
 *
 *	with_facts [OPTION...] LDSO [ARG...]
 *
 * LDSO is mapped into this process and entered as the kernel enters a
 * program: LDSO runs as a program ("LDSO ARG...", e.g. LDSO
 * --list-diagnostics, or LDSO --library-path DIR /bin/true), with this
 * process's environment and auxiliary vector, describing LDSO, plus
 * AT_VLIBC: the address of a page of zeros standing for the image (or,
 * with --image, the image itself), right above a block filled as
 * arch/x86/entry/vlibc/vlibc.c fills it (CPUID on CPU 0, the leaves
 * <vlibc/facts.h> lists).
 *
 *	--image PATH		  map the image file PATH (build/linux-vlibc.so.1)
 *				  as the kernel maps [vlibc]: its text read/execute
 *				  right above the block, then its private region,
 *				  anonymous, zero-filled, wiped on fork
 *	--clear LEAF:SUB:REG:BIT  clear BIT of REG (0-3: EAX-EDX) in the
 *				  block's entry (LEAF, SUB): a value only the
 *				  block says, to see that LDSO reads it
 *	--magic HEX		  the block's magic (an invalid block)
 *	--no-block		  no AT_VLIBC (the same start, without)
 *	--dump			  print the block's entries and exit
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vlibc/abi.h>
#include <vlibc/facts.h>

#define PAGE		4096UL
#define TRUNC(x)	((x) & ~(PAGE - 1))
#define ROUND(x)	TRUNC((x) + PAGE - 1)
#define STACK_SIZE	(8UL << 20)

static void die(const char *what)
{
	fprintf(stderr, "with_facts: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void add(struct vlibc_facts *f, unsigned int leaf, unsigned int sub)
{
	struct vlibc_facts_cpuid *e = (void *)((char *)f + f->cpuid_offset);

	if (f->nr_cpuid >= VLIBC_FACTS_MAX_CPUID)
		return;
	e += f->nr_cpuid++;
	e->leaf = leaf;
	e->subleaf = sub;
	__cpuid_count(leaf, sub, e->eax, e->ebx, e->ecx, e->edx);
}

/* Sub-leaves of LEAF until the first one END says ends the list. */
static void add_list(struct vlibc_facts *f, unsigned int leaf, unsigned int max,
		     int (*end)(unsigned int a, unsigned int b, unsigned int c))
{
	unsigned int sub, a, b, c, d;

	for (sub = 0; sub < max; sub++) {
		__cpuid_count(leaf, sub, a, b, c, d);
		if (end(a, b, c))
			break;
		add(f, leaf, sub);
	}
}

static int cache_end(unsigned int a, unsigned int b, unsigned int c)
{
	return !(a & 0x1f);
}

static int topology_end(unsigned int a, unsigned int b, unsigned int c)
{
	return !(c & 0xff00) || !(b & 0xffff);
}

/* The block, as the kernel fills it at boot (vlibc.c: facts_fill()). */
static void fill(struct vlibc_facts *f)
{
	unsigned int max, max_ext, leaf, sub, n7, a, b, c, d;
	unsigned long long xsave;

	f->magic = VLIBC_FACTS_MAGIC;
	f->version = VLIBC_FACTS_VERSION;
	f->cpuid_offset = sizeof(*f);
	f->entry_size = sizeof(struct vlibc_facts_cpuid);
	__cpuid(0, max, b, c, d);
	add(f, 0, 0);
	for (leaf = 1; leaf <= 2 && leaf <= max; leaf++)
		add(f, leaf, 0);
	if (max >= 4)
		add_list(f, 4, 64, cache_end);
	if (max >= 7) {
		__cpuid_count(7, 0, n7, b, c, d);
		for (sub = 0; sub <= n7 && sub <= 3; sub++)
			add(f, 7, sub);
	}
	if (max >= 0xb)
		add_list(f, 0xb, 16, topology_end);
	if (max >= 0xd) {
		__cpuid_count(0xd, 0, a, b, c, d);
		xsave = a | (unsigned long long)d << 32;
		__cpuid_count(0xd, 1, a, b, c, d);
		xsave |= c | (unsigned long long)d << 32;
		for (sub = 0; sub < 64; sub++)
			if (sub < 2 || (xsave & 1ULL << sub))
				add(f, 0xd, sub);
	}
	if (max >= 0x14)
		add(f, 0x14, 0);
	if (max >= 0x19)
		add(f, 0x19, 0);
	__cpuid(0x80000000, max_ext, b, c, d);
	if ((max_ext & 0xffff0000) == 0x80000000) {
		for (leaf = 0x80000000; leaf <= 0x80000008 && leaf <= max_ext; leaf++)
			add(f, leaf, 0);
		__cpuid(0x80000001, a, b, c, d);
		if (max_ext >= 0x8000001d && (c & 1U << 22))	/* TOPOEXT */
			add_list(f, 0x8000001d, 64, cache_end);
	}
	f->size = f->cpuid_offset + f->nr_cpuid * f->entry_size;
}

/* Filled on CPU 0, the CPU the kernel reads the block on. */
static void fill_on_cpu0(struct vlibc_facts *f)
{
	cpu_set_t old, cpu0;

	if (sched_getaffinity(0, sizeof(old), &old))
		die("sched_getaffinity");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die("sched_setaffinity (CPU 0)");
	fill(f);
	if (sched_setaffinity(0, sizeof(old), &old))
		die("sched_setaffinity");
}

/* "LEAF:SUB:REG:BIT": clears that bit in the block; 0 when not found. */
static int clear_bit(struct vlibc_facts *f, const char *spec)
{
	struct vlibc_facts_cpuid *e = (void *)((char *)f + f->cpuid_offset);
	unsigned int leaf, sub, reg, bit, i;

	if (sscanf(spec, "%i:%i:%u:%u", &leaf, &sub, &reg, &bit) != 4 ||
	    reg > 3 || bit > 31)
		return 0;
	for (i = 0; i < f->nr_cpuid; i++, e++) {
		if (e->leaf != leaf || e->subleaf != sub)
			continue;
		(&e->eax)[reg] &= ~(1U << bit);
		return 1;
	}
	return 0;
}

/*
 * Maps the ELF file PATH (a position-independent dynamic linker) at an
 * address the kernel picks; returns the load bias, sets *EHDR.
 */
static unsigned long map_elf(const char *path, Elf64_Ehdr *ehdr, Elf64_Phdr *phdr)
{
	unsigned long lo = -1UL, hi = 0, bias;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;
	char *base;

	if (fd < 0)
		die(path);
	if (pread(fd, ehdr, sizeof(*ehdr), 0) != sizeof(*ehdr) ||
	    memcmp(ehdr->e_ident, ELFMAG, SELFMAG) || ehdr->e_type != ET_DYN ||
	    ehdr->e_phnum > 32 ||
	    pread(fd, phdr, ehdr->e_phnum * sizeof(*phdr), ehdr->e_phoff) !=
	    (ssize_t)(ehdr->e_phnum * sizeof(*phdr))) {
		fprintf(stderr, "with_facts: %s: not a 64-bit ET_DYN ELF file\n", path);
		exit(2);
	}
	for (i = 0; i < ehdr->e_phnum; i++) {
		if (phdr[i].p_type != PT_LOAD)
			continue;
		if (TRUNC(phdr[i].p_vaddr) < lo)
			lo = TRUNC(phdr[i].p_vaddr);
		if (ROUND(phdr[i].p_vaddr + phdr[i].p_memsz) > hi)
			hi = ROUND(phdr[i].p_vaddr + phdr[i].p_memsz);
	}
	base = mmap(NULL, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		die("mmap");
	bias = (unsigned long)base - lo;
	for (i = 0; i < ehdr->e_phnum; i++) {
		const Elf64_Phdr *p = &phdr[i];
		unsigned long start = TRUNC(p->p_vaddr), file_end, mem_end;
		int prot = (p->p_flags & PF_R ? PROT_READ : 0) |
			   (p->p_flags & PF_W ? PROT_WRITE : 0) |
			   (p->p_flags & PF_X ? PROT_EXEC : 0);

		if (p->p_type != PT_LOAD)
			continue;
		file_end = p->p_vaddr + p->p_filesz;
		mem_end = ROUND(p->p_vaddr + p->p_memsz);
		if (p->p_filesz &&
		    mmap((void *)(bias + start), file_end - start, prot,
			 MAP_PRIVATE | MAP_FIXED, fd, TRUNC(p->p_offset)) == MAP_FAILED)
			die("mmap segment");
		if (p->p_memsz <= p->p_filesz)
			continue;
		/* .bss: the rest of the last file page, then zero pages. */
		if (file_end & (PAGE - 1))
			memset((void *)(bias + file_end), 0, ROUND(file_end) - file_end);
		if (mem_end > ROUND(file_end) &&
		    mmap((void *)(bias + ROUND(file_end)), mem_end - ROUND(file_end),
			 prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			die("mmap bss");
	}
	close(fd);
	return bias;
}

/*
 * Maps the image file PATH as arch/x86/entry/vlibc/vlibc.c maps [vlibc]:
 * the block's page (returned), the text (the first PT_LOAD, from the
 * file, read/execute) right above it, the private region (the second,
 * p_filesz 0) anonymous, zero-filled and wiped on fork.
 */
static char *map_image(const char *path)
{
	unsigned long text = 0, priv_off = 0, priv_size = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16];
	char *base;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, loads = 0;

	if (fd < 0)
		die(path);
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_phnum > 16 ||
	    pread(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) !=
	    (ssize_t)(eh.e_phnum * sizeof(*ph))) {
		fprintf(stderr, "with_facts: %s: not an image\n", path);
		exit(2);
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (loads++ == 0) {
			text = ROUND(ph[i].p_memsz);
		} else {
			priv_off = ph[i].p_vaddr;
			priv_size = ROUND(ph[i].p_memsz);
		}
	}
	if (loads != 2 || priv_off < text || !priv_size) {
		fprintf(stderr, "with_facts: %s: not two PT_LOADs\n", path);
		exit(2);
	}
	base = mmap(NULL, PAGE + priv_off + priv_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED ||
	    mmap(base, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    mmap(base + PAGE, text, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(base + PAGE + priv_off, priv_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap image");
	if (madvise(base + PAGE + priv_off, priv_size, MADV_WIPEONFORK))
		die("madvise");
	close(fd);
	return base;
}

/* This process's rseq area, unregistered so that LDSO's libc can register its own. */
static void unregister_rseq(void)
{
	char *tp;

	if (!__rseq_size)
		return;
	__asm__("mov %%fs:0, %0" : "=r"(tp));
	syscall(SYS_rseq, tp + __rseq_offset, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

int main(int argc, char **argv, char **envp)
{
	Elf64_Ehdr ehdr;
	Elf64_Phdr phdr[32];
	struct vlibc_facts *f;
	unsigned long bias, *sp, *stack, *auxv, image;
	const char *clear[8], *image_path = NULL;
	int nclear = 0, block = 1, dump = 0, i, n, envc, auxc;
	unsigned int magic = VLIBC_FACTS_MAGIC;
	char *blockpages;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--clear") && i + 1 < argc && nclear < 8)
			clear[nclear++] = argv[++i];
		else if (!strcmp(argv[i], "--magic") && i + 1 < argc)
			magic = strtoul(argv[++i], NULL, 16);
		else if (!strcmp(argv[i], "--image") && i + 1 < argc)
			image_path = argv[++i];
		else if (!strcmp(argv[i], "--no-block"))
			block = 0;
		else if (!strcmp(argv[i], "--dump"))
			dump = 1;
		else
			break;
	}
	if (i >= argc && !dump) {
		fprintf(stderr, "usage: with_facts [--clear LEAF:SUB:REG:BIT] "
			"[--magic HEX] [--image PATH] [--no-block] [--dump] "
			"LDSO [ARG...]\n");
		return 2;
	}

	/* The block's page, then the image's: AT_VLIBC is the second. */
	if (image_path)
		blockpages = map_image(image_path);
	else
		blockpages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (blockpages == MAP_FAILED)
		die("mmap");
	f = (struct vlibc_facts *)blockpages;
	fill_on_cpu0(f);
	f->magic = magic;
	for (n = 0; n < nclear; n++)
		if (!clear_bit(f, clear[n])) {
			fprintf(stderr, "with_facts: no entry for --clear %s\n", clear[n]);
			return 2;
		}
	if (dump) {
		struct vlibc_facts_cpuid *e = (void *)((char *)f + f->cpuid_offset);

		printf("magic=%#x version=%u size=%u nr_cpuid=%u\n",
		       f->magic, f->version, f->size, f->nr_cpuid);
		for (n = 0; n < (int)f->nr_cpuid; n++, e++)
			printf("  0x%08x.%u: %08x %08x %08x %08x\n", e->leaf,
			       e->subleaf, e->eax, e->ebx, e->ecx, e->edx);
		return 0;
	}
	mprotect(blockpages, PAGE, PROT_READ);
	image = (unsigned long)blockpages + PAGE;

	bias = map_elf(argv[i], &ehdr, phdr);

	/* The new stack: argc, argv, envp, auxv, as the kernel lays it out. */
	for (envc = 0; envp[envc]; envc++)
		;
	auxv = (unsigned long *)&envp[envc + 1];
	for (auxc = 0; auxv[2 * auxc] != AT_NULL; auxc++)
		;
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		die("mmap stack");
	n = 1 + (argc - i + 1) + (envc + 1) + 2 * (auxc + 2);
	sp = stack + STACK_SIZE / sizeof(long) - n - (n & 1);
	{
		unsigned long *p = sp;
		int k;

		*p++ = argc - i;
		for (k = i; k < argc; k++)
			*p++ = (unsigned long)argv[k];
		*p++ = 0;
		for (k = 0; k < envc; k++)
			*p++ = (unsigned long)envp[k];
		*p++ = 0;
		for (k = 0; k < auxc; k++) {
			unsigned long type = auxv[2 * k], val = auxv[2 * k + 1];

			switch (type) {
			case AT_PHDR:
				for (n = 0; n < ehdr.e_phnum; n++)
					if (phdr[n].p_type == PT_LOAD &&
					    phdr[n].p_offset <= ehdr.e_phoff &&
					    ehdr.e_phoff < phdr[n].p_offset + phdr[n].p_filesz)
						val = bias + phdr[n].p_vaddr +
						      ehdr.e_phoff - phdr[n].p_offset;
				break;
			case AT_PHNUM:
				val = ehdr.e_phnum;
				break;
			case AT_ENTRY:
				val = bias + ehdr.e_entry;
				break;
			case AT_BASE:
				val = 0;
				break;
			case AT_EXECFN:
				val = (unsigned long)argv[i];
				break;
			case AT_VLIBC:
				continue;
			}
			*p++ = type;
			*p++ = val;
		}
		if (block) {
			*p++ = AT_VLIBC;
			*p++ = image;
		}
		*p++ = AT_NULL;
		*p++ = 0;
	}

	fflush(NULL);
	unregister_rseq();
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%edx, %%edx\n\t"
			 "jmp *%1"
			 : : "r"(sp), "r"(bias + ehdr.e_entry) : "memory");
	__builtin_unreachable();
}
