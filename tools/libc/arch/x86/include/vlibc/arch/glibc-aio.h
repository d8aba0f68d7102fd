/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glibc's x86-64 layouts of struct sigevent and struct aiocb (aiocb64 is
 * the same), as the AIO family reads and writes them.  Included through
 * <vlibc/glibc-aio.h>.
 *
 * A request's state lives in the fields glibc keeps for itself and never
 * reads back: __next_prio, __abs_prio, __policy and __glibc_reserved.
 * __error_code and __return_value mean what they mean in glibc; the
 * padding after __error_code, which glibc never touches, holds how the
 * request is issued.  What each of these fields holds: vlibc/aio.h.
 */
#ifndef _VLIBC_ARCH_GLIBC_AIO_H
#define _VLIBC_ARCH_GLIBC_AIO_H

#include <vlibc/compiler.h>

struct vlibc_sigevent {
	uint64_t	value;
	int		signo;
	int		notify;
	union {
		int	tid;
		struct {
			void	(*function)(unsigned long);
			void	*attribute;
		} thread;
		char	pad[48];
	} un;
};

struct vlibc_aiocb {
	int			fildes;
	int			lio_opcode;
	int			reqprio;
	int			pad0;
	void			*buf;
	size_t			nbytes;
	struct vlibc_sigevent	sigevent;
	/* glibc's __next_prio: the queue, held, hand-off or executor list */
	struct vlibc_aiocb	*link;
	/* glibc's __abs_prio and __policy */
	uint8_t			state, op, group, canceling;
	uint32_t		fd_cache;	/* fd << AIO_FD_SHIFT | AIO_FD_* */
	int			error_code;
	/* padding in glibc's layout */
	uint8_t			issue_async;	/* by an io-wq worker: IOSQE_ASYNC */
	uint8_t			pad2[3];
	long			return_value;
	long			offset;
	/* glibc's __glibc_reserved[32]: the active list */
	struct vlibc_aiocb	*next, *prev;
	uint64_t		seq;
	unsigned long		owner;
};

_Static_assert(sizeof(struct vlibc_sigevent) == 64, "struct sigevent is 64 bytes");
_Static_assert(sizeof(struct vlibc_aiocb) == 168, "struct aiocb is 168 bytes");
_Static_assert(__builtin_offsetof(struct vlibc_aiocb, sigevent) == 32, "aio_sigevent");
_Static_assert(__builtin_offsetof(struct vlibc_aiocb, error_code) == 112, "__error_code");
_Static_assert(__builtin_offsetof(struct vlibc_aiocb, return_value) == 120, "__return_value");
_Static_assert(__builtin_offsetof(struct vlibc_aiocb, offset) == 128, "aio_offset");
_Static_assert(__builtin_offsetof(struct vlibc_aiocb, next) == 136, "__glibc_reserved");

#endif /* _VLIBC_ARCH_GLIBC_AIO_H */
