// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the vlibc image at exec, next to the vDSO.
 *
 * The text pages are shared by every process, read/execute, as [vlibc]
 * (a special mapping, like [vdso]).  Right after them comes the image's
 * private region: ordinary anonymous memory, zero-filled, wiped on fork,
 * never shared.  Its address goes to user space as AT_VLIBC.  Right before
 * them, one read-only page shared by every process, [vlibc_facts]: the
 * machine-facts block (<vlibc/facts.h>), filled once at boot, so that
 * neither the image nor the libc executes CPUID in every process.
 */
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vlibc.h>
#include <asm/processor.h>
#include <vlibc/facts.h>

static bool vlibc_enabled __ro_after_init = true;

static int __init vlibc_setup(char *s)
{
	if (!strcmp(s, "off") || !strcmp(s, "0"))
		vlibc_enabled = false;
	else if (!strcmp(s, "on") || !strcmp(s, "1"))
		vlibc_enabled = true;
	else
		return 0;
	return 1;
}
__setup("vlibc=", vlibc_setup);

static struct page **vlibc_pages __ro_after_init;

static struct vm_special_mapping vlibc_mapping __ro_after_init = {
	.name = "[vlibc]",
};

static struct page *vlibc_facts_pages[2] __ro_after_init;

static struct vm_special_mapping vlibc_facts_mapping __ro_after_init = {
	.name = "[vlibc_facts]",
	.pages = vlibc_facts_pages,
};

/* Appends one CPUID entry to @f, unless the page is full. */
static void __init facts_add(struct vlibc_facts *f, unsigned int leaf,
			     unsigned int subleaf)
{
	struct vlibc_facts_cpuid *e = (void *)f + f->cpuid_offset;

	if (WARN_ON_ONCE(f->nr_cpuid >= VLIBC_FACTS_MAX_CPUID))
		return;
	e += f->nr_cpuid++;
	e->leaf = leaf;
	e->subleaf = subleaf;
	cpuid_count(leaf, subleaf, &e->eax, &e->ebx, &e->ecx, &e->edx);
}

/*
 * Sub-leaves 0.. of @leaf until @last(eax, ebx, ecx) says the sub-leaf is
 * the terminating one (not recorded), at most @max of them.
 */
static void __init facts_add_list(struct vlibc_facts *f, unsigned int leaf,
				  unsigned int max,
				  bool (*last)(u32 a, u32 b, u32 c))
{
	unsigned int sub;
	u32 a, b, c, d;

	for (sub = 0; sub < max; sub++) {
		cpuid_count(leaf, sub, &a, &b, &c, &d);
		if (last(a, b, c))
			break;
		facts_add(f, leaf, sub);
	}
}

/* Leaf 4 and 0x8000001d: cache type 0 ends the list. */
static bool __init cache_last(u32 a, u32 b, u32 c)
{
	return !(a & 0x1f);
}

/* Leaf 0xb: level type 0 (ECX 15:8) or no processors ends the list. */
static bool __init topology_last(u32 a, u32 b, u32 c)
{
	return !(c & 0xff00) || !(b & 0xffff);
}

/*
 * Runs on the boot CPU: the leaves <vlibc/facts.h> lists, in order (leaf,
 * then sub-leaf, ascending), each only where the CPU enumerates it.
 */
static void __init facts_fill(void *data)
{
	struct vlibc_facts *f = data;
	unsigned int max, max_ext, leaf, sub, n7;
	u32 a, b, c, d;
	u64 xsave;

	max = cpuid_eax(0);
	facts_add(f, 0, 0);
	for (leaf = 1; leaf <= 2 && leaf <= max; leaf++)
		facts_add(f, leaf, 0);
	if (max >= 4)
		facts_add_list(f, 4, 64, cache_last);
	if (max >= 7) {
		n7 = min(cpuid_eax(7), 3U);
		for (sub = 0; sub <= n7; sub++)
			facts_add(f, 7, sub);
	}
	if (max >= 0xb)
		facts_add_list(f, 0xb, 16, topology_last);
	if (max >= 0xd) {
		/* The components XCR0 and IA32_XSS can enable. */
		cpuid_count(0xd, 0, &a, &b, &c, &d);
		xsave = a | (u64)d << 32;
		cpuid_count(0xd, 1, &a, &b, &c, &d);
		xsave |= c | (u64)d << 32;
		for (sub = 0; sub < 64; sub++)
			if (sub < 2 || (xsave & BIT_ULL(sub)))
				facts_add(f, 0xd, sub);
	}
	if (max >= 0x14)
		facts_add(f, 0x14, 0);
	if (max >= 0x19)
		facts_add(f, 0x19, 0);

	max_ext = cpuid_eax(0x80000000);
	if ((max_ext & 0xffff0000) != 0x80000000)
		return;
	for (leaf = 0x80000000; leaf <= 0x80000008 && leaf <= max_ext; leaf++)
		facts_add(f, leaf, 0);
	if (max_ext >= 0x8000001d && max_ext >= 0x80000001 &&
	    (cpuid_ecx(0x80000001) & BIT(22)))		/* TOPOEXT */
		facts_add_list(f, 0x8000001d, 64, cache_last);
}

/* The machine-facts page, filled on CPU 0 (the boot CPU). */
static int __init vlibc_init_facts(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct vlibc_facts *f;
	int ret;

	if (!page)
		return -ENOMEM;
	f = page_address(page);
	f->magic = VLIBC_FACTS_MAGIC;
	f->version = VLIBC_FACTS_VERSION;
	f->cpuid_offset = sizeof(*f);
	f->entry_size = sizeof(struct vlibc_facts_cpuid);
	ret = smp_call_function_single(0, facts_fill, f, 1);
	if (ret) {
		__free_page(page);
		return ret;
	}
	f->size = f->cpuid_offset + f->nr_cpuid * f->entry_size;
	vlibc_facts_pages[0] = page;
	pr_info("vlibc: machine facts: %u CPUID leaves, %u bytes\n",
		f->nr_cpuid, f->size);
	return 0;
}

static int __init vlibc_init_pages(void)
{
	unsigned long i, n = vlibc_image.size >> PAGE_SHIFT;

	BUILD_BUG_ON(VLIBC_FACTS_SIZE != PAGE_SIZE);
	if (!vlibc_enabled)
		return 0;
	if (vlibc_init_facts()) {
		vlibc_enabled = false;
		return -ENOMEM;
	}
	vlibc_pages = kcalloc(n + 1, sizeof(*vlibc_pages), GFP_KERNEL);
	if (!vlibc_pages) {
		vlibc_enabled = false;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		vlibc_pages[i] = virt_to_page(vlibc_image.data + i * PAGE_SIZE);
	vlibc_mapping.pages = vlibc_pages;
	pr_info("vlibc: %lu KiB image, %lu KiB private region per process\n",
		vlibc_image.size >> 10, vlibc_image.private_size >> 10);
	return 0;
}
subsys_initcall(vlibc_init_pages);

/*
 * Called from arch_setup_additional_pages() for 64-bit processes: the
 * facts page, the image right after it, the private region after that.
 */
int vlibc_map(struct mm_struct *mm)
{
	unsigned long span = VLIBC_FACTS_SIZE + vlibc_image.private_offset +
			     vlibc_image.private_size;
	unsigned long facts, addr, priv, populate;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!vlibc_enabled || !vlibc_pages)
		return 0;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	facts = get_unmapped_area(NULL, 0, span, 0, 0);
	if (IS_ERR_VALUE(facts)) {
		ret = facts;
		goto out;
	}
	/* Read-only for good: no VM_MAYWRITE, so no mprotect() or poke. */
	vma = _install_special_mapping(mm, facts, VLIBC_FACTS_SIZE,
				       VM_READ | VM_MAYREAD, &vlibc_facts_mapping);
	if (IS_ERR(vma)) {
		ret = PTR_ERR(vma);
		goto out;
	}
	addr = facts + VLIBC_FACTS_SIZE;
	vma = _install_special_mapping(mm, addr, vlibc_image.size,
				       VM_READ | VM_EXEC | VM_MAYREAD |
				       VM_MAYWRITE | VM_MAYEXEC,
				       &vlibc_mapping);
	if (IS_ERR(vma)) {
		ret = PTR_ERR(vma);
		do_munmap(mm, facts, VLIBC_FACTS_SIZE, NULL);
		goto out;
	}
	priv = do_mmap(NULL, addr + vlibc_image.private_offset,
		       vlibc_image.private_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, VM_WIPEONFORK,
		       0, &populate, NULL);
	if (IS_ERR_VALUE(priv)) {
		ret = priv;
		do_munmap(mm, facts, VLIBC_FACTS_SIZE + vlibc_image.size, NULL);
		goto out;
	}
	mm->context.vlibc = (void __user *)addr;
out:
	mmap_write_unlock(mm);
	return ret;
}
