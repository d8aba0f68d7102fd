// SPDX-License-Identifier: GPL-2.0
/*
 * What the family learns of a descriptor (fcntl, fstat), kept in the
 * aiocb.  A leaf of the family: calls nothing else of it (the layers:
 * vlibc/aio.h).
 */
#include <asm/stat.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/seccomp.h>

int vlibc_aio_check_cb(const struct vlibc_aiocb *cb)
{
	if (!cb || ((unsigned long)cb & (__alignof__(struct vlibc_aiocb) - 1)))
		return -EINVAL;
	return 0;
}

int vlibc_aio_fd_valid(int fd)
{
	long r = __arch_syscall2(__NR_fcntl, fd, F_GETFL);

	return r < 0 ? (int)r : 0;
}

/*
 * What the family needs to know of @fd's file type, as AIO_FD_* bits:
 *
 * AIO_FD_WRITES_ALL: would write(2) block until all is written, where
 * io_uring writes what fits and ends with a partial count?  On a blocking
 * pipe, socket or terminal, yes; not on a regular file or block device
 * (the kernel finishes a partial write there itself, or stops for a
 * reason pwrite(2) would stop for too), nor with O_NONBLOCK.
 *
 * AIO_FD_SIGPIPE: a pipe or socket, where a write without a reader
 * raises SIGPIPE in the thread that makes it.
 *
 * AIO_FD_STREAM: not a regular file or block device, where offsets do
 * not order requests.
 *
 * @fl is fcntl(F_GETFL)'s answer (-errno: not known, not blocking).
 * When fstat is refused: a stream that writes all (going on with a write
 * is what a blocking descriptor does), and may raise SIGPIPE.
 */
static int fd_type(int fd, long fl)
{
	struct stat st;
	int blocking = fl >= 0 && !(fl & O_NONBLOCK);
	unsigned int type;

	if (__arch_syscall4(__NR_newfstatat, fd, (long)"", (long)&st, AT_EMPTY_PATH))
		return (blocking ? AIO_FD_WRITES_ALL : 0) | AIO_FD_SIGPIPE |
		       AIO_FD_STREAM;
	type = st.st_mode & S_IFMT;
	if (type == S_IFREG || type == S_IFBLK)
		return 0;
	return (blocking ? AIO_FD_WRITES_ALL : 0) | AIO_FD_STREAM |
	       (type == S_IFIFO || type == S_IFSOCK ? AIO_FD_SIGPIPE : 0);
}

/* fcntl(@fd, F_GETFL), which glibc's AIO never makes: once refused, not again. */
static long fd_getfl(int fd)
{
	long fl;

	if (__atomic_load_n(&aio_state()->flags, __ATOMIC_RELAXED) &
	    VLIBC_AIO_NO_FCNTL)
		return -EPERM;
	fl = __arch_syscall2(__NR_fcntl, fd, F_GETFL);
	if (vlibc_refused(fl))
		__atomic_or_fetch(&aio_state()->flags, VLIBC_AIO_NO_FCNTL,
				  __ATOMIC_RELAXED);
	return fl;
}

/*
 * What the family needs of @cb's descriptor: AIO_FD_DIRECT, AIO_FD_WRONLY
 * (from fcntl()) and, when @want_type, AIO_FD_WRITES_ALL and
 * AIO_FD_SIGPIPE (fd_type(): the same fcntl() answer and fstat), or
 * -errno.  The answers are kept in the aiocb (callers such as fio reuse
 * theirs for the same descriptor), each asked once, and asked again
 * whenever aio_fildes changes.
 */
static uint32_t fd_getfl_bits(long fl)
{
	return (fl & O_DIRECT ? AIO_FD_DIRECT : 0) |
	       ((fl & O_ACCMODE) == O_WRONLY ? AIO_FD_WRONLY : 0) |
	       (fl & O_APPEND ? AIO_FD_APPEND : 0);
}

int vlibc_aio_fd_flags(struct vlibc_aiocb *cb, int want_type)
{
	int known, typed;
	long fl = 0;

	if (cb->fildes < 0)
		return -EBADF;
	/* A number too large to keep in fd_cache: asked every time. */
	if (cb->fildes >= (1L << (32 - AIO_FD_SHIFT))) {
		fl = fd_getfl(cb->fildes);
		if (fl < 0)
			return (int)fl;
		return fd_getfl_bits(fl) | (want_type ? fd_type(cb->fildes, fl) : 0);
	}
	known = cb->fd_cache >> AIO_FD_SHIFT == (uint32_t)cb->fildes &&
		(cb->fd_cache & AIO_FD_KNOWN);
	typed = !want_type || (known && (cb->fd_cache & AIO_FD_TYPED));
	if (!known || !typed)
		fl = fd_getfl(cb->fildes);
	if (!known) {
		if (fl < 0)
			return (int)fl;
		cb->fd_cache = (uint32_t)cb->fildes << AIO_FD_SHIFT | AIO_FD_KNOWN |
			       fd_getfl_bits(fl);
	}
	if (!typed)
		cb->fd_cache |= AIO_FD_TYPED | fd_type(cb->fildes, fl);
	return cb->fd_cache & (AIO_FD_KNOWN - 1);
}
