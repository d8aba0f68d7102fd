/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The counters of <vlibc/stat-abi.h>, in block order, one line each:
 * VLIBC_STAT(family, name, what).  Layout version 1: append new counters
 * at the end only (see the versioning rule in <vlibc/stat-abi.h>), and
 * describe them in Documentation/userspace-api/vlibc-stat.rst.
 *
 * "calls" count entries into the image's function; a name bound to glibc
 * (a family on glibc) is not counted, its calls never reach the image.
 */

/* Shared by every family: the futex system calls the image makes. */
VLIBC_STAT(core, futex_wait,		"FUTEX_WAIT system calls (sleeps)")
VLIBC_STAT(core, futex_wake,		"FUTEX_WAKE system calls")

/* getrandom */
VLIBC_STAT(getrandom, getrandom,	"getrandom() calls")
VLIBC_STAT(getrandom, arc4random,	"arc4random() calls")
VLIBC_STAT(getrandom, arc4random_buf,	"arc4random_buf() calls")
VLIBC_STAT(getrandom, arc4random_uniform, "arc4random_uniform() calls")
VLIBC_STAT(getrandom, getrandom_vdso,	"requests served by the vDSO's vgetrandom")
VLIBC_STAT(getrandom, getrandom_syscall, "getrandom(2) system calls")

/* aio */
VLIBC_STAT(aio, aio_read,		"aio_read() calls")
VLIBC_STAT(aio, aio_write,		"aio_write() calls")
VLIBC_STAT(aio, aio_fsync,		"aio_fsync() calls")
VLIBC_STAT(aio, aio_error,		"aio_error() calls")
VLIBC_STAT(aio, aio_return,		"aio_return() calls")
VLIBC_STAT(aio, aio_suspend,		"aio_suspend() calls")
VLIBC_STAT(aio, aio_cancel,		"aio_cancel() calls")
VLIBC_STAT(aio, lio_listio,		"lio_listio() calls")
VLIBC_STAT(aio, aio_submitted,		"requests accepted")
VLIBC_STAT(aio, aio_completed,		"requests completed (in flight: submitted - completed)")
VLIBC_STAT(aio, aio_inline,		"requests completed inline, in the caller")
VLIBC_STAT(aio, aio_ring,		"requests put on the io_uring")
VLIBC_STAT(aio, aio_ring_reaped,	"io_uring completions reaped (on the ring: ring - reaped)")
VLIBC_STAT(aio, aio_worker,		"requests run by a worker thread")
VLIBC_STAT(aio, aio_enter,		"io_uring_enter(2) system calls")
VLIBC_STAT(aio, aio_refused,		"io_uring refusals met (the family fell back for good)")

/* locks */
VLIBC_STAT(locks, mutex_lock,		"pthread_mutex_lock() calls")
VLIBC_STAT(locks, mutex_trylock,	"pthread_mutex_trylock() calls")
VLIBC_STAT(locks, mutex_timedlock,	"pthread_mutex_timedlock()/clocklock() calls")
VLIBC_STAT(locks, mutex_unlock,		"pthread_mutex_unlock() calls")
VLIBC_STAT(locks, mutex_contended,	"mutex locks that found the lock held")
VLIBC_STAT(locks, mutex_spin_won,	"contended locks taken while spinning")
VLIBC_STAT(locks, mutex_slept,		"contended locks that slept on the futex")
VLIBC_STAT(locks, sem_wait,		"sem_wait()/sem_timedwait() calls")
VLIBC_STAT(locks, sem_trywait,		"sem_trywait() calls")
VLIBC_STAT(locks, sem_post,		"sem_post() calls")
VLIBC_STAT(locks, sem_slept,		"semaphore waits that slept on the futex")
VLIBC_STAT(locks, spin_lock,		"pthread_spin_lock() calls")
VLIBC_STAT(locks, spin_trylock,		"pthread_spin_trylock() calls")
VLIBC_STAT(locks, spin_unlock,		"pthread_spin_unlock() calls")
VLIBC_STAT(locks, once,			"pthread_once() calls that ran or waited for the routine")

/* memcpy */
VLIBC_STAT(memcpy, mem_calls,		"memcpy/memmove/mempcpy/memset calls")
VLIBC_STAT(memcpy, mem_bytes_small,	"bytes handled by the short-size path")
VLIBC_STAT(memcpy, mem_bytes_vector,	"bytes handled by the vector loop")
VLIBC_STAT(memcpy, mem_bytes_rep,	"bytes handled by rep movsb/stosb")
VLIBC_STAT(memcpy, mem_bytes_nt,	"bytes handled by non-temporal stores")
VLIBC_STAT(memcpy, mem_bytes_pvr,	"bytes copied by process_vm_readv (VLIBC_MEMCPY=pvr)")
