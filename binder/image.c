// SPDX-License-Identifier: GPL-2.0
/*
 * Finding, mapping and checking linux-vlibc.so.1.
 *
 * A file image is mapped the way the kernel maps it at exec: one
 * read/execute mapping of the text pages, then the private region as
 * anonymous, zero-filled, wipe-on-fork memory right after it.  Nothing in
 * the image runs before its headers, program headers and dynamic tables
 * passed the checks here.
 */
#include <linux/errno.h>
#include <vlibc/seccomp.h>
#include "binder.h"
#include "sys.h"

#define INSTALLED_DIR	"/lib/modules/"
#define INSTALLED_NAME	"/vdso/" VLIBC_SONAME

#define MAX_SYMLINKS	40	/* as the kernel's path walk */

/* The dynamic tables, SONAME and version node of a mapped image. */
static int check_dynamic(struct binder_image *img, const char **why)
{
	unsigned long lo = img->base, hi = img->base + img->layout.text_size;
	const Elf64_Dyn *dyn = (const Elf64_Dyn *)(img->base + img->layout.dynamic_offset);

	if (vlibc_elf_dyn_init(&img->dyn, img->base, dyn, lo, hi)) {
		*why = "bad dynamic section";
		return -ENOEXEC;
	}
	if (!img->dyn.soname || !binder_streq(img->dyn.soname, VLIBC_SONAME)) {
		*why = "SONAME is not " VLIBC_SONAME;
		return -ENOEXEC;
	}
	if (!vlibc_elf_dyn_has_version(&img->dyn, VLIBC_VERSION_NODE)) {
		*why = "no version node " VLIBC_VERSION_NODE;
		return -ENOEXEC;
	}
	if (!binder_image_sym(img, "__vlibc_init")) {
		*why = "no __vlibc_init entry point";
		return -ENOEXEC;
	}
	return 0;
}

void *binder_image_sym(const struct binder_image *img, const char *name)
{
	unsigned long p;

	p = (unsigned long)vlibc_elf_dyn_lookup(&img->dyn, name,
						VLIBC_VERSION_NODE, 0);
	if (p < img->base || p >= img->base + img->layout.text_size)
		return 0;
	return (void *)p;
}

/* The image the kernel mapped at exec. */
static int image_from_kernel(struct binder_image *img, unsigned long base,
			     const char **why)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;

	img->source = BINDER_IMAGE_KERNEL;
	img->base = base;
	binder_append(img->path, sizeof(img->path), "[vlibc]");
	if (vlibc_layout_check_ehdr(eh, VLIBC_PAGE_SIZE, why) ||
	    vlibc_layout_check(eh, (const Elf64_Phdr *)(base + eh->e_phoff),
			       VLIBC_IMAGE_MAX_SPAN, &img->layout, why))
		return -ENOEXEC;
	return check_dynamic(img, why);
}

static int read_headers(int fd, unsigned long size, struct vlibc_layout *lay,
			const char **why)
{
	union {
		Elf64_Ehdr eh;
		char raw[VLIBC_PAGE_SIZE];
	} buf;
	const Elf64_Ehdr *eh = &buf.eh;
	long n;

	n = sys_pread(fd, buf.raw, sizeof(buf.raw), 0);
	if (n < 0) {
		*why = "cannot read the file";
		return n;
	}
	if (vlibc_layout_check_ehdr(eh, n, why))
		return -ENOEXEC;
	return vlibc_layout_check(eh, (const Elf64_Phdr *)(buf.raw + eh->e_phoff),
				  size, lay, why) ? -ENOEXEC : 0;
}

static int map_file(struct binder_image *img, int fd, const char **why)
{
	const struct vlibc_layout *lay = &img->layout;
	long base, r;
	void *priv = 0;

	base = sys_mmap(0, lay->span, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mmap_failed(base)) {
		*why = "cannot reserve address space";
		return base;
	}
	r = sys_mmap((void *)base, lay->text_span, PROT_READ | PROT_EXEC,
		     MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (!mmap_failed(r)) {
		priv = (void *)(base + lay->private_offset);
		r = sys_mmap(priv, lay->private_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
	}
	if (!mmap_failed(r))
		r = sys_madvise(priv, lay->private_size, MADV_WIPEONFORK);
	if (mmap_failed(r) || r < 0) {
		sys_munmap((void *)base, lay->span);
		*why = "cannot map the image";
		return r;
	}
	img->base = base;
	return 0;
}

/* Could only root have written what @st describes? */
static int root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * For AT_SECURE processes, the rule of ld.so's trusted directories and
 * sudo's: an image a user other than root could have written is refused.
 * @path is walked from / as the kernel walks it, symbolic links included:
 * every directory on the way, the directories of each link's target too,
 * must be root's and not writable by group or others; a link must be
 * root's (its mode means nothing; its directory's decides who may replace
 * it); the file reached must be the one opened (@file) and root's alone.
 * Anything that does not fit the buffers is refused.
 */
static int secure_path(const char *path, const struct stat *file)
{
	static char done[BINDER_PATH_MAX], rest[BINDER_PATH_MAX],
		    link[BINDER_PATH_MAX];
	size_t n, end, links = 0;
	struct stat st;
	const char *p;
	long len;

	if (path[0] != '/' || sys_lstat("/", &st) || !root_only(&st))
		return -EPERM;
	done[0] = rest[0] = 0;
	if (binder_append(rest, sizeof(rest), path))
		return -EPERM;
	for (p = rest; *p;) {
		while (*p == '/')
			p++;
		for (n = 0; p[n] && p[n] != '/'; n++)
			;
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		end = binder_strlen(done);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (end && done[--end] != '/')
				;
			done[end] = 0;
			p += n;
			continue;
		}
		if (end + 1 + n >= sizeof(done))
			return -EPERM;
		done[end] = '/';
		__builtin_memcpy(done + end + 1, p, n);
		done[end + 1 + n] = 0;
		p += n;
		if (sys_lstat(done, &st))
			return -EPERM;
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid || ++links > MAX_SYMLINKS)
				return -EPERM;
			len = sys_readlink(done, link, sizeof(link) - 1);
			if (len <= 0 || len >= (long)sizeof(link) - 1)
				return -EPERM;
			link[len] = 0;
			done[end] = 0;		/* the link's directory */
			if (link[0] == '/')
				done[0] = 0;
			/* rest = link + what followed the link */
			if (binder_append(link, sizeof(link), p))
				return -EPERM;
			rest[0] = 0;
			binder_append(rest, sizeof(rest), link);
			p = rest;
			continue;
		}
		if (!root_only(&st))
			return -EPERM;
		while (*p == '/')
			p++;
		if (!*p)	/* the file itself */
			return S_ISREG(st.st_mode) && st.st_dev == file->st_dev &&
			       st.st_ino == file->st_ino ? 0 : -EPERM;
		if (!S_ISDIR(st.st_mode))
			return -EPERM;
	}
	return -EPERM;
}

/*
 * Map the image file at @path; -ENOENT when there is no such file.
 * @secure: AT_SECURE, only an image only root could have written.
 */
static int image_from_file(struct binder_image *img, const char *path,
			   int secure, const char **why)
{
	struct stat st;
	int fd, r;

	*img = (struct binder_image){ .source = BINDER_IMAGE_FILE };
	binder_append(img->path, sizeof(img->path), path);
	/* O_NONBLOCK: a FIFO at the path must not hang the process. */
	fd = sys_open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		*why = "cannot open the image file";
		return fd;
	}
	r = sys_fstat(fd, &st);
	if (r || !S_ISREG(st.st_mode) || st.st_size > (long)VLIBC_IMAGE_MAX_SPAN) {
		*why = "not a regular file of plausible size";
		r = -ENOEXEC;
	}
	if (!r && secure && (!root_only(&st) || secure_path(path, &st))) {
		*why = "writable by a user other than root (AT_SECURE)";
		r = -EPERM;
	}
	if (!r)
		r = read_headers(fd, st.st_size, &img->layout, why);
	if (!r)
		r = map_file(img, fd, why);
	sys_close(fd);
	if (r)
		return r == -ENOENT ? -ENOEXEC : r;
	r = check_dynamic(img, why);
	if (r)
		sys_munmap((void *)img->base, img->layout.span);
	return r;
}

static int installed_path(char *buf, size_t size)
{
	struct utsname u;

	buf[0] = 0;
	if (sys_uname(&u))
		return -1;
	return binder_append(buf, size, INSTALLED_DIR) | binder_append(buf, size, u.release) |
	       binder_append(buf, size, INSTALLED_NAME);
}

static int beside_binder_path(char *buf, size_t size, const char *self)
{
	size_t n, slash = 0;

	buf[0] = 0;
	if (!self || !self[0])
		return -1;
	for (n = 0; self[n]; n++)
		if (self[n] == '/')
			slash = n + 1;
	if (slash >= size)
		return -1;
	for (n = 0; n < slash; n++)
		buf[n] = self[n];
	buf[slash] = 0;
	return binder_append(buf, size, VLIBC_SONAME);
}

int binder_image_find(struct binder_image *img, const struct binder_startup *s,
		     const char *env_path, const char **why)
{
	unsigned long at_vlibc = binder_startup_auxval(s, AT_VLIBC);
	char path[BINDER_PATH_MAX];
	int r;

	*img = (struct binder_image){ 0 };
	if (at_vlibc)
		return image_from_kernel(img, at_vlibc, why);
	/*
	 * Mapping a file takes calls glibc would not make now (uname,
	 * madvise(MADV_WIPEONFORK)), and a filter may kill on them.
	 */
	if (vlibc_seccomp_filtered()) {
		*why = "a seccomp filter is in force: no image file is mapped";
		return -EPERM;
	}
	if (env_path)
		return image_from_file(img, env_path, s->secure, why);
	if (!installed_path(path, sizeof(path))) {
		r = image_from_file(img, path, s->secure, why);
		if (r != -ENOENT)
			return r;
	}
	if (!beside_binder_path(path, sizeof(path), binder_self_path(s))) {
		r = image_from_file(img, path, s->secure, why);
		if (r != -ENOENT)
			return r;
	}
	*img = (struct binder_image){ 0 };
	*why = "not in auxv, not installed, not beside the binder";
	return -ENOENT;
}
