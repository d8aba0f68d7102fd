/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glibc's POSIX AIO ABI, as vlibc answers in its place: the values of
 * <aio.h> that are glibc's, not the kernel's (the uapi headers have
 * these), and the arch's layouts of struct aiocb and struct sigevent.
 */
#ifndef _VLIBC_GLIBC_AIO_H
#define _VLIBC_GLIBC_AIO_H

#include <vlibc/arch/glibc-aio.h>

/* aio_cancel()'s answers */
#define VLIBC_AIO_CANCELED		0
#define VLIBC_AIO_NOTCANCELED		1
#define VLIBC_AIO_ALLDONE		2

/* lio_listio(): aio_lio_opcode, and the mode */
#define VLIBC_LIO_READ			0
#define VLIBC_LIO_WRITE			1
#define VLIBC_LIO_NOP			2
#define VLIBC_LIO_WAIT			0
#define VLIBC_LIO_NOWAIT		1

/* The largest aio_reqprio glibc accepts (sysconf(_SC_AIO_PRIO_DELTA_MAX)). */
#define VLIBC_AIO_PRIO_DELTA_MAX	20

#endif /* _VLIBC_GLIBC_AIO_H */
