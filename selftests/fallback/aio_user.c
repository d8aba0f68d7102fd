// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary AIO user: writes a block with aio_write(), reads it back
 * with aio_read(), and says where aio_read is bound (the binder's
 * vlibc_binder_bound()).  Exit status 0 when the data came back.
 */
#include <aio.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int wait_for(struct aiocb *cb)
{
	const struct aiocb *list[1] = { cb };

	while (aio_error(cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	return aio_error(cb);
}

static const char *owner(void *addr)
{
	Dl_info info;

	if (!addr)
		return "unbound";
	if (!dladdr(addr, &info) || !info.dli_fname)
		return "image";
	/* "libvlibc.so" contains "libc.so": look for the binder first. */
	return strstr(info.dli_fname, "libvlibc") ? "binder" :
	       strstr(info.dli_fname, "libc.so") ? "glibc" : info.dli_fname;
}

int main(int argc, char **argv)
{
	void *(*bound)(const char *) = (void *(*)(const char *))
		dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	char path[] = "/tmp/vlibc-aio-user.XXXXXX", out[4096], in[4096];
	struct aiocb cb = { 0 };
	int fd = mkstemp(path);

	if (fd < 0)
		return 2;
	unlink(path);
	memset(out, 'v', sizeof(out));
	cb.aio_fildes = fd;
	cb.aio_buf = out;
	cb.aio_nbytes = sizeof(out);
	if (aio_write(&cb) || wait_for(&cb) || aio_return(&cb) != sizeof(out))
		return 3;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = in;
	cb.aio_nbytes = sizeof(in);
	if (aio_read(&cb) || wait_for(&cb) || aio_return(&cb) != sizeof(in) ||
	    memcmp(in, out, sizeof(in)))
		return 4;
	printf("aio_read=%s\n", bound ? owner(bound("aio_read")) : "no-binder");
	return 0;
}
