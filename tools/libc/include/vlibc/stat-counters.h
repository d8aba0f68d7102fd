/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The counters of <vlibc/stat-abi.h>, in block order, one line each:
 * VLIBC_STAT(family, name, what).  Layout version 1: append new counters
 * at the end only (see the versioning rule in <vlibc/stat-abi.h>), and
 * describe them in Documentation/userspace-api/vlibc-stat.rst.
 *
 * "calls" count entries into the image's function, whatever they return
 * (an error, or glibc's answer for an object vlibc passes to glibc); a
 * name bound to glibc (a family on glibc) is not counted, its calls never
 * reach the image.  Each count is exact: every event is counted once,
 * where it happens, so known work gives known numbers.
 */

/* Shared by every family: the futex system calls the image makes. */
VLIBC_STAT(core, futex_wait,		"futex waits: futex(2) FUTEX_WAIT*, futex_wait(2)")
VLIBC_STAT(core, futex_wake,		"futex wakes: futex(2) FUTEX_WAKE, futex_wake(2)")

/* getrandom */
VLIBC_STAT(getrandom, getrandom,	"getrandom() calls")
VLIBC_STAT(getrandom, arc4random,	"arc4random() calls")
VLIBC_STAT(getrandom, arc4random_buf,	"arc4random_buf() calls")
VLIBC_STAT(getrandom, arc4random_uniform, "arc4random_uniform() calls")
VLIBC_STAT(getrandom, getrandom_vdso,	"requests handed to the vDSO's vgetrandom")
VLIBC_STAT(getrandom, getrandom_syscall, "getrandom(2) system calls")

/*
 * aio: in flight = aio_submitted - aio_withdrawn - aio_completed; on the
 * ring = aio_ring - aio_ring_reaped.
 */
VLIBC_STAT(aio, aio_read,		"aio_read() calls")
VLIBC_STAT(aio, aio_write,		"aio_write() calls")
VLIBC_STAT(aio, aio_fsync,		"aio_fsync() calls")
VLIBC_STAT(aio, aio_error,		"aio_error() calls")
VLIBC_STAT(aio, aio_return,		"aio_return() calls")
VLIBC_STAT(aio, aio_suspend,		"aio_suspend() calls")
VLIBC_STAT(aio, aio_cancel,		"aio_cancel() calls")
VLIBC_STAT(aio, lio_listio,		"lio_listio() calls")
VLIBC_STAT(aio, aio_submitted,		"requests accepted (status EINPROGRESS)")
VLIBC_STAT(aio, aio_withdrawn,		"accepted, then refused after all (EAGAIN: no thread)")
VLIBC_STAT(aio, aio_completed,		"requests completed")
VLIBC_STAT(aio, aio_inline,		"reads done at the call from the page cache (RWF_NOWAIT)")
VLIBC_STAT(aio, aio_ring,		"requests put on the ring (a resubmission counts again)")
VLIBC_STAT(aio, aio_ring_reaped,	"request completions reaped from the ring")
VLIBC_STAT(aio, aio_worker,		"requests run by the fallback executor's workers")
VLIBC_STAT(aio, aio_exec_caller,	"requests the executor ran in a caller (no worker)")
VLIBC_STAT(aio, aio_enter,		"io_uring_enter(2) system calls")
VLIBC_STAT(aio, aio_refused,		"io_uring system calls refused (ENOSYS, EPERM, EACCES)")
VLIBC_STAT(aio, aio_fallback,		"io_uring given up for the executor (refused, sandbox)")

/* locks */
VLIBC_STAT(locks, mutex_lock,		"pthread_mutex_lock() calls")
VLIBC_STAT(locks, mutex_trylock,	"pthread_mutex_trylock() calls")
VLIBC_STAT(locks, mutex_timedlock,	"pthread_mutex_timedlock()/clocklock() calls")
VLIBC_STAT(locks, mutex_unlock,		"pthread_mutex_unlock() calls")
VLIBC_STAT(locks, mutex_to_glibc,	"mutex calls passed to glibc (robust, PI, PP mutexes)")
VLIBC_STAT(locks, mutex_contended,	"mutex locks that found the lock held")
VLIBC_STAT(locks, mutex_spin_won,	"contended locks taken while spinning")
VLIBC_STAT(locks, mutex_slept,		"contended locks that slept on the futex")
VLIBC_STAT(locks, sem_wait,		"sem_wait()/sem_timedwait()/sem_clockwait() calls")
VLIBC_STAT(locks, sem_trywait,		"sem_trywait() calls")
VLIBC_STAT(locks, sem_post,		"sem_post() calls")
VLIBC_STAT(locks, sem_slept,		"semaphore waits that slept on the futex")
VLIBC_STAT(locks, spin_lock,		"pthread_spin_lock() calls")
VLIBC_STAT(locks, spin_trylock,		"pthread_spin_trylock() calls")
VLIBC_STAT(locks, spin_unlock,		"pthread_spin_unlock() calls")
VLIBC_STAT(locks, once,			"pthread_once() calls")
VLIBC_STAT(locks, once_ran,		"pthread_once() calls that ran the routine")

/* memcpy */
VLIBC_STAT(memcpy, mem_calls,		"memcpy/memmove/mempcpy/memset calls (_chk forms too)")
VLIBC_STAT(memcpy, mem_bytes_small,	"bytes done by the short sizes (up to 8 vectors)")
VLIBC_STAT(memcpy, mem_bytes_vector,	"bytes handled by the vector loop")
VLIBC_STAT(memcpy, mem_bytes_rep,	"bytes handled by rep movsb/stosb")
VLIBC_STAT(memcpy, mem_bytes_nt,	"bytes handled by non-temporal stores")
VLIBC_STAT(memcpy, mem_bytes_pvr,	"bytes copied by process_vm_readv (VLIBC_MEMCPY=pvr)")

/* Appended after layout version 1's first 50 (locks). */
VLIBC_STAT(locks, mutex_spin_skipped,	"contended locks that slept at once (spins kept missing)")
