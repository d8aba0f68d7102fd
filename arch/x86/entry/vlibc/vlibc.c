// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the vlibc image at exec, next to the vDSO.
 *
 * The text pages are shared by every process, read/execute, as [vlibc]
 * (a special mapping, like [vdso]).  Right after them comes the image's
 * private region: ordinary anonymous memory, zero-filled, wiped on fork,
 * never shared.  Its address goes to user space as AT_VLIBC.
 */
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vlibc.h>

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

static int __init vlibc_init_pages(void)
{
	unsigned long i, n = vlibc_image.size >> PAGE_SHIFT;

	if (!vlibc_enabled)
		return 0;
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

/* Called from arch_setup_additional_pages() for 64-bit processes. */
int vlibc_map(struct mm_struct *mm)
{
	unsigned long span = vlibc_image.private_offset + vlibc_image.private_size;
	unsigned long addr, priv, populate;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!vlibc_enabled || !vlibc_pages)
		return 0;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	addr = get_unmapped_area(NULL, 0, span, 0, 0);
	if (IS_ERR_VALUE(addr)) {
		ret = addr;
		goto out;
	}
	vma = _install_special_mapping(mm, addr, vlibc_image.size,
				       VM_READ | VM_EXEC | VM_MAYREAD |
				       VM_MAYWRITE | VM_MAYEXEC,
				       &vlibc_mapping);
	if (IS_ERR(vma)) {
		ret = PTR_ERR(vma);
		goto out;
	}
	priv = do_mmap(NULL, addr + vlibc_image.private_offset,
		       vlibc_image.private_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, VM_WIPEONFORK,
		       0, &populate, NULL);
	if (IS_ERR_VALUE(priv)) {
		ret = priv;
		do_munmap(mm, addr, vlibc_image.size, NULL);
		goto out;
	}
	mm->context.vlibc = (void __user *)addr;
out:
	mmap_write_unlock(mm);
	return ret;
}
