// SPDX-License-Identifier: GPL-2.0
/*
 * Where the binder binds the POSIX AIO names in this process.
 *
 * Run with the binder preloaded (vlibc-run aio_probe).  Prints one
 * "key=value" line each:
 *
 *	binder=1|0		vlibc_binder_bound() is reachable
 *	NAME=vlibc|glibc|other|unknown
 *				vlibc: the binder binds NAME to the image or
 *				to a veneer in libvlibc.so; glibc: to
 *				libc.so.6; other: to another object;
 *				unknown: the binder does not bind NAME at
 *				all (the family is not there)
 *
 * Asking vlibc_binder_bound() binds the name, so with VLIBC_DEBUG=1 the
 * binder's own "vlibc: family ..." and "vlibc: bind ..." lines appear on
 * stderr.  Exits 0 once it has reported, 1 if the binder is absent.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char *const aio_names[] = {
	"aio_read", "aio_write", "aio_error", "aio_return", "aio_suspend",
	"aio_cancel", "aio_fsync", "lio_listio", "aio_init",
	"aio_read64", "aio_write64", "aio_error64", "aio_return64",
	"aio_suspend64", "aio_cancel64", "aio_fsync64", "lio_listio64",
};

typedef void *(*bound_fn)(const char *name);

static const char *owner_of(void *addr)
{
	Dl_info info;

	if (!addr)
		return "unknown";
	/* The image is mapped by the binder, not by the dynamic linker. */
	if (!dladdr(addr, &info) || !info.dli_fname)
		return "vlibc";
	if (strstr(info.dli_fname, "libvlibc.so"))
		return "vlibc";
	if (strstr(info.dli_fname, "/libc.so.") || !strncmp(info.dli_fname, "libc.so.", 8))
		return "glibc";
	return "other";
}

int main(void)
{
	bound_fn bound = (bound_fn)dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	size_t i;

	printf("binder=%d\n", bound != NULL);
	if (!bound)
		return 1;
	for (i = 0; i < sizeof(aio_names) / sizeof(aio_names[0]); i++)
		printf("%s=%s\n", aio_names[i], owner_of(bound(aio_names[i])));
	return 0;
}
