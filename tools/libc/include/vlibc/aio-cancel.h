/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aio_suspend() as a cancellation point, shared by the image and the
 * binder.  The binder passes @cancel_async (glibc's pthread_setcanceltype,
 * as in the locks family); the image switches asynchronous cancellation on
 * across the blocking system call only, with no lock held, and records in
 * @where what the waiter had set up.  A cancellation that strikes there
 * runs the binder's cleanup, which gives the record back to
 * __vlibc_aio_wait_cancelled() to undo it.
 */
#ifndef _VLIBC_AIO_CANCEL_H
#define _VLIBC_AIO_CANCEL_H

enum vlibc_aio_blocked {
	AIO_BLOCKED_NONE,
	AIO_BLOCKED_KERNEL,	/* the waiter in io_uring_enter() */
	AIO_BLOCKED_FUTEX,	/* one of the sleepers on the futex */
};

struct vlibc_aio_cancel_point {
	int	(*cancel_async)(int on);	/* returns the old type */
	int	where;				/* enum vlibc_aio_blocked */
};

#endif /* _VLIBC_AIO_CANCEL_H */
