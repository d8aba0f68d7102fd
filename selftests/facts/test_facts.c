// SPDX-License-Identifier: GPL-2.0
/*
 * The machine-facts block (<vlibc/facts.h>): under kernel delivery the
 * kernel maps it read-only below [vlibc], filled at boot with CPUID as
 * the boot CPU answers it, and the image takes its CPU facts from it and
 * executes no CPUID; without kernel delivery there is no block, the cases
 * that need one skip, and the image's CPUID path is checked instead.
 *
 * CPUID instructions are counted with CPUID faulting (arch_prctl
 * ARCH_SET_CPUID): in this process by a SIGSEGV handler that counts and
 * answers each one, in another program by selftests/facts/cost, which
 * traces it.  Where the CPU has no CPUID faulting the counts are skipped.
 */
#include "kselftest_harness.h"
#include "vlibc_test.h"

#include <sched.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <vlibc/abi.h>
#include <vlibc/elf_dyn.h>
#include <vlibc/facts.h>
/* The image's own value, the same number. */
#undef SEM_VALUE_MAX
#include <vlibc/private.h>
#include <linux/auxvec.h>

/* Not <sys/auxv.h>: its <elf.h> clashes with <linux/elf.h> (elf_dyn.h). */
unsigned long getauxval(unsigned long type);
#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID	0x1012
#endif

static void cpuid(unsigned int leaf, unsigned int sub, unsigned int r[4])
{
	__asm__ volatile ("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			  : "a"(leaf), "c"(sub));
}

/* This process's block, or NULL without kernel delivery. */
static const struct vlibc_facts *facts(void)
{
	unsigned long at = getauxval(AT_VLIBC);

	return at ? (const void *)(at - VLIBC_FACTS_SIZE) : NULL;
}

static void pin_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
}

/* The /proc/self/maps line of the mapping at @addr, or NULL. */
static char *maps_line(unsigned long addr)
{
	char *maps = vt_read_file("/proc/self/maps", NULL), *line, *save;
	char *found = NULL;

	for (line = strtok_r(maps, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		if (strtoul(line, NULL, 16) == addr)
			found = strdup(line);
	free(maps);
	return found;
}

TEST(block_header_and_mapping)
{
	const struct vlibc_facts *f = facts();
	char *line;

	if (!f)
		SKIP(return, "no kernel delivery (no AT_VLIBC): no block");
	line = maps_line((unsigned long)f);
	ASSERT_NE(NULL, line) TH_LOG("nothing mapped below [vlibc]");
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " r--p ")) TH_LOG("not read-only: %s", line);
	EXPECT_NE(NULL, strstr(line, "[vlibc_facts]"));
	free(line);
	EXPECT_EQ(VLIBC_FACTS_MAGIC, f->magic);
	EXPECT_EQ(VLIBC_FACTS_VERSION, f->version);
	EXPECT_EQ(sizeof(*f), f->cpuid_offset);
	EXPECT_EQ(sizeof(struct vlibc_facts_cpuid), f->entry_size);
	EXPECT_EQ(f->cpuid_offset + f->nr_cpuid * f->entry_size, f->size);
	EXPECT_EQ(0, f->flags);
	EXPECT_TRUE(vlibc_facts_valid(f));
	TH_LOG("version %u, %u CPUID entries, %u bytes", f->version,
	       f->nr_cpuid, f->size);
}

TEST(block_read_only)
{
	const struct vlibc_facts *f = facts();
	pid_t pid;
	int st;

	if (!f)
		SKIP(return, "no kernel delivery (no AT_VLIBC): no block");
	EXPECT_EQ(-1, mprotect((void *)f, VLIBC_FACTS_SIZE, PROT_READ | PROT_WRITE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		*(volatile unsigned int *)&f->magic = 0;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	EXPECT_EQ(VLIBC_FACTS_MAGIC, f->magic);
}

/* Leaf 0 (vendor, maximum) and leaf 1's signature, as CPUID says here. */
TEST(block_vendor_and_signature)
{
	const struct vlibc_facts *f = facts();
	unsigned int want[4], got[4];

	if (!f)
		SKIP(return, "no kernel delivery (no AT_VLIBC): no block");
	cpuid(0, 0, want);
	ASSERT_EQ(1, vlibc_facts_cpuid(f, 0, 0, got));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)))
		TH_LOG("leaf 0: block %08x %.4s%.4s%.4s, CPUID %08x %.4s%.4s%.4s",
		       got[0], (char *)&got[1], (char *)&got[3], (char *)&got[2],
		       want[0], (char *)&want[1], (char *)&want[3], (char *)&want[2]);
	cpuid(1, 0, want);
	ASSERT_EQ(1, vlibc_facts_cpuid(f, 1, 0, got));
	EXPECT_EQ(want[0], got[0]) TH_LOG("leaf 1 signature");
}

/*
 * Every entry, sorted and unique, is what CPUID answers on CPU 0 (where
 * the kernel read it: the APIC IDs are CPU 0's); a leaf the CPU does not
 * enumerate is absent.
 */
TEST(block_equals_cpuid_on_cpu0)
{
	const struct vlibc_facts *f = facts();
	const struct vlibc_facts_cpuid *e;
	unsigned int i, bad = 0, r[4], max, max_ext;

	if (!f)
		SKIP(return, "no kernel delivery (no AT_VLIBC): no block");
	pin_cpu0();
	e = (const void *)((const char *)f + f->cpuid_offset);
	cpuid(0, 0, r);
	max = r[0];
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	for (i = 0; i < f->nr_cpuid; i++, e++) {
		if (i && (e[-1].leaf > e->leaf ||
			  (e[-1].leaf == e->leaf && e[-1].subleaf >= e->subleaf))) {
			bad++;
			TH_LOG("entry %u (%#x.%u) out of order", i, e->leaf, e->subleaf);
		}
		if (e->leaf < 0x80000000 ? e->leaf > max : e->leaf > max_ext) {
			bad++;
			TH_LOG("leaf %#x beyond the CPU's maximum", e->leaf);
		}
		cpuid(e->leaf, e->subleaf, r);
		if (r[0] != e->eax || r[1] != e->ebx || r[2] != e->ecx ||
		    r[3] != e->edx) {
			bad++;
			TH_LOG("%#x.%u: block %08x %08x %08x %08x, CPUID %08x %08x %08x %08x",
			       e->leaf, e->subleaf, e->eax, e->ebx, e->ecx, e->edx,
			       r[0], r[1], r[2], r[3]);
		}
	}
	EXPECT_EQ(0, bad);
}

/* --- the image's memcpy facts, from the block and from CPUID ------------ */

struct image {
	const char		*base;
	struct vlibc_private	*priv;
	long			(*init)(const struct vlibc_init_args *);
	long			(*memcpy_setup)(const struct vlibc_memcpy_setup *);
};

/* The kernel's [vlibc], else the image file loaded by ld.so. */
static int image_find(struct image *img)
{
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	struct vlibc_elf_dyn d;
	void *h;
	Dl_info info;
	int i;

	img->base = (const char *)getauxval(AT_VLIBC);
	if (!img->base) {
		h = dlopen(vt_build_path("linux-vlibc.so.1"), RTLD_NOW | RTLD_LOCAL);
		if (!h || !dladdr(dlsym(h, "__vlibc_init"), &info))
			return -1;
		img->base = info.dli_fbase;
	}
	if (vlibc_elf_dyn_from_ehdr(&d, img->base, 0))
		return -1;
	img->init = vlibc_elf_dyn_lookup(&d, "__vlibc_init", VLIBC_VERSION_NODE, 0);
	img->memcpy_setup = vlibc_elf_dyn_lookup(&d, "__vlibc_memcpy_setup",
						 VLIBC_VERSION_NODE, 0);
	eh = (const void *)img->base;
	ph = (const void *)(img->base + eh->e_phoff);
	img->priv = NULL;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			img->priv = (void *)(img->base + ph[i].p_vaddr);
	return img->init && img->memcpy_setup && img->priv ? 0 : -1;
}

static unsigned long image_lo, image_hi;
static volatile unsigned long cpuid_in_image;

/* A CPUID trapped by faulting: counted when in the image, then answered. */
static void on_sigsegv(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	greg_t *g = uc->uc_mcontext.gregs;
	const unsigned char *ip = (const void *)g[REG_RIP];
	unsigned int r[4];

	if (ip[0] != 0x0f || ip[1] != 0xa2)
		_exit(99);
	if ((unsigned long)ip >= image_lo && (unsigned long)ip < image_hi)
		cpuid_in_image++;
	syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
	cpuid(g[REG_RAX], g[REG_RCX], r);
	syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
	g[REG_RAX] = r[0], g[REG_RBX] = r[1], g[REG_RCX] = r[2], g[REG_RDX] = r[3];
	g[REG_RIP] += 2;
}

struct memcpy_facts {
	long		level;
	unsigned int	cpu;
	unsigned long	l1d, l2, l3;
	long		cpuid;		/* in the image; -1: not counted */
	int		block;		/* the image found a block */
};

/*
 * In a child: __vlibc_init() with this process's auxv (@with_block) or
 * with AT_VLIBC hidden (the image then takes the CPUID path), then the
 * memcpy family's set-up from a zero state, CPUID instructions counted.
 */
static int memcpy_facts(struct image *img, int with_block, struct memcpy_facts *out)
{
	struct vlibc_memcpy_setup setup = { .size = sizeof(setup), .level = -1 };
	struct sigaction sa = { .sa_sigaction = on_sigsegv, .sa_flags = SA_SIGINFO };
	unsigned long *auxv = (unsigned long *)vt_read_file("/proc/self/auxv", NULL);
	int fds[2], st, i;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		struct vlibc_init_args args = { .size = sizeof(args), .auxv = auxv };
		struct memcpy_facts r = { .cpuid = -1 };
		int faulting;

		for (i = 0; auxv[i] != AT_NULL; i += 2)
			if (auxv[i] == AT_VLIBC && !with_block)
				auxv[i] = AT_IGNORE;
		image_lo = (unsigned long)img->base;
		image_hi = (unsigned long)img->priv;
		sigaction(SIGSEGV, &sa, NULL);
		pin_cpu0();
		faulting = !syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
		memset(&img->priv->memcpy, 0, sizeof(img->priv->memcpy));
		if (img->init(&args) < 0)
			_exit(3);
		r.level = img->memcpy_setup(&setup);
		if (faulting) {
			syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
			r.cpuid = cpuid_in_image;
		}
		r.block = img->priv->facts != NULL;
		r.cpu = img->priv->memcpy.cpu;
		r.l1d = img->priv->memcpy.l1d_size;
		r.l2 = img->priv->memcpy.l2_size;
		r.l3 = img->priv->memcpy.l3_size;
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 4);
	}
	close(fds[1]);
	free(auxv);
	i = read(fds[0], out, sizeof(*out));
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) || i != sizeof(*out))
		return -1;
	return 0;
}

TEST(memcpy_facts_block_equals_cpuid)
{
	struct memcpy_facts a, b;
	struct image img;

	if (image_find(&img))
		SKIP(return, "no image: neither [vlibc] nor linux-vlibc.so.1");
	ASSERT_EQ(0, memcpy_facts(&img, 0, &b));
	TH_LOG("CPUID path: level %ld, cpu %#x, L1d %lu, L2 %lu, L3 %lu, %ld CPUID in the image",
	       b.level, b.cpu, b.l1d, b.l2, b.l3, b.cpuid);
	EXPECT_EQ(0, b.block);
	EXPECT_LE(0, b.level);
	EXPECT_NE(0, b.cpu);
	if (b.cpuid >= 0)
		EXPECT_LT(0, b.cpuid) TH_LOG("the CPUID path executed no CPUID");
	if (!getauxval(AT_VLIBC))
		return;		/* no kernel delivery: the CPUID path only */
	ASSERT_EQ(0, memcpy_facts(&img, 1, &a));
	TH_LOG("block path: level %ld, cpu %#x, L1d %lu, L2 %lu, L3 %lu, %ld CPUID in the image",
	       a.level, a.cpu, a.l1d, a.l2, a.l3, a.cpuid);
	EXPECT_EQ(1, a.block);
	EXPECT_EQ(b.level, a.level);
	EXPECT_EQ(b.cpu, a.cpu);
	EXPECT_EQ(b.l1d, a.l1d);
	EXPECT_EQ(b.l2, a.l2);
	EXPECT_EQ(b.l3, a.l3);
	if (a.cpuid < 0)
		SKIP(return, "no CPUID faulting on this CPU: not counted");
	EXPECT_EQ(0, a.cpuid);
}

/* --- whole programs, from exec to exit, by selftests/facts/cost --------- */

static long value_of(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * A program binding getrandom (the default binder) and one binding
 * memcpy (the opt-in binder, the family whose set-up asks about the
 * CPU): CPUID instructions executed in the image, and by everything else
 * (ld.so) with how many of those the block would answer, and alike.
 */
/* Single-stepping under emulation takes longer than the harness's 30 s. */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, exec_cpuid_counts, 280)
{
	static const char *const cases[][2] = {
		{ "libvlibc.so", "getrandom" },
		{ "libvlibc-memcpy.so", "memcpy" },
	};
	char *cost = vt_build_path("selftests/facts/cost");
	unsigned int i;

	for (i = 0; i < 2; i++) {
		char *pre = vt_strf("LD_PRELOAD=%s", vt_build_path(cases[i][0]));
		/* One call binds the family (and is quick to single-step). */
		char *argv[] = { cost, "cpuid", cost, "work", (char *)cases[i][1],
				 "1", NULL };
		char *envp[] = { pre, NULL };
		struct vt_spawn sp = { .argv = argv, .envp = envp, .timeout = 240 };
		struct vt_result r;
		long image, other, recorded, differ;

		ASSERT_EQ(0, vt_spawn_run(&sp, &r)) TH_LOG("%s", r.err);
		ASSERT_NE(NULL, strstr(r.out, "status=0")) TH_LOG("%s%s", r.out, r.err);
		image = value_of(r.out, " image=");
		other = value_of(r.out, " other=");
		recorded = value_of(r.out, " recorded=");
		differ = value_of(r.out, " differ=");
		TH_LOG("%s, work %s: %s", cases[i][0], cases[i][1],
		       strstr(r.out, "cpuid total="));
		if (strstr(r.out, "by=stepping"))
			TH_LOG("(no CPUID faulting: the main thread was single-stepped)");
		if (getauxval(AT_VLIBC)) {
			EXPECT_EQ(0, image) TH_LOG("%s", r.out);
			EXPECT_EQ(0, differ) TH_LOG("%s", r.out);
			if (recorded != other)
				TH_LOG("%ld of ld.so's %ld CPUID leaves are not in the block",
				       other - recorded, other);
		} else if (i == 1) {
			EXPECT_LT(0, image) TH_LOG("file mode: the memcpy probe asks the CPU");
		}
		vt_result_free(&r);
		free(pre);
	}
	free(cost);
}

TEST_HARNESS_MAIN
