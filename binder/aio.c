// SPDX-License-Identifier: GPL-2.0
/*
 * The POSIX AIO family: aio_read() and friends (and their *64 names) on
 * the image's io_uring implementation.
 *
 * The binder supplies what the image cannot do without libc: the threads.
 * SIGEV_THREAD notifications run in new threads made with the caller's
 * attributes, and a service thread reaps completions so notifications
 * arrive while the application does not call in.  Worker threads run
 * the fallback executor's requests once io_uring is refused.  In a fork
 * child the inherited ring descriptor of the parent is closed, if it
 * still is that ring.
 *
 * VLIBC_AIO=io_uring (default: buffered reads are tried first with
 * preadv2(RWF_NOWAIT) and answered at once from the page cache, the rest
 * goes on the ring) | ring (everything on the ring) | glibc
 */
#include <aio.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"
#include <vlibc/aio-cancel.h>
#include <vlibc/signals.h>
#include <binder/arch/cpu.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define AIO_NOWAIT_READ	1	/* VLIBC_AIO_NOWAIT_READ of the image */

static struct {
	long	(*read)(struct aiocb *);
	long	(*write)(struct aiocb *);
	long	(*fsync)(int, struct aiocb *);
	int	(*error)(const struct aiocb *);
	long	(*ret)(struct aiocb *, long *);
	long	(*suspend)(const struct aiocb *const[], int, const struct timespec *,
			   struct vlibc_aio_cancel_point *);
	void	(*wait_cancelled)(struct vlibc_aio_cancel_point *);
	long	(*cancel)(int, struct aiocb *);
	long	(*listio)(int, struct aiocb *const[], int, struct sigevent *);
	long	(*attach)(long (*)(void (*)(unsigned long), unsigned long, void *),
			  long (*)(void), unsigned int);
	unsigned int flags;
	long	(*service)(void);
	long	(*ring_id)(uint64_t id[2]);
	long	(*probe)(void);
	long	(*thread_exit)(void);
	long	(*attach_executor)(long (*)(void));
	long	(*worker)(void);
	long	(*sandbox_coming)(int nested);	/* NULL: an older image */
	int	fork_ring_fd;
	uint64_t fork_ring_id[2];	/* st_dev, st_ino */
	pthread_key_t exit_key;
	int	exit_key_ok;
} aio;

static const struct binder_entry entries[] = {
	BINDER_ENTRY(aio.read, "__vlibc_aio_read"),
	BINDER_ENTRY(aio.write, "__vlibc_aio_write"),
	BINDER_ENTRY(aio.fsync, "__vlibc_aio_fsync"),
	BINDER_ENTRY(aio.error, "__vlibc_aio_error"),
	BINDER_ENTRY(aio.ret, "__vlibc_aio_return"),
	BINDER_ENTRY(aio.suspend, "__vlibc_aio_suspend"),
	BINDER_ENTRY(aio.wait_cancelled, "__vlibc_aio_wait_cancelled"),
	BINDER_ENTRY(aio.cancel, "__vlibc_aio_cancel"),
	BINDER_ENTRY(aio.listio, "__vlibc_lio_listio"),
	BINDER_ENTRY(aio.attach, "__vlibc_aio_attach"),
	BINDER_ENTRY(aio.service, "__vlibc_aio_service"),
	BINDER_ENTRY(aio.ring_id, "__vlibc_aio_ring_id"),
	BINDER_ENTRY(aio.probe, "__vlibc_aio_probe"),
	BINDER_ENTRY(aio.thread_exit, "__vlibc_aio_thread_exit"),
	BINDER_ENTRY(aio.attach_executor, "__vlibc_aio_attach_executor"),
	BINDER_ENTRY(aio.worker, "__vlibc_aio_worker"),
	BINDER_OPTIONAL_ENTRY(aio.sandbox_coming, "__vlibc_aio_sandbox_coming"),
	{ NULL }
};

/* VLIBC_AIO, in the order of variants[] below. */
enum { VARIANT_IO_URING, VARIANT_RING };

static const char *const variants[] = { "io_uring", "ring", NULL };

static int aio_decide(const struct binder_image *img, int variant,
		      const char **why)
{
	/*
	 * Valgrind 3.19 treats io_uring_enter() as a call that never blocks:
	 * the thread waiting in it for a completion keeps Valgrind's big
	 * lock, so no other thread of the program runs again.
	 */
	if (__arch_running_on_valgrind()) {
		*why = "under Valgrind, whose lock io_uring_enter() would keep";
		return 0;
	}
	/* Not even the probe: io_uring_setup might be what kills. */
	if (binder_sandbox_announced()) {
		*why = "a seccomp filter was installed through prctl() or syscall()";
		return 0;
	}
	aio.flags = variant == VARIANT_RING ? 0 : AIO_NOWAIT_READ;
	/* Also when a seccomp filter is in force: io_uring is not tried. */
	if (aio.probe()) {
		*why = "io_uring is not available to this process (or it has a seccomp filter)";
		return 0;
	}
	return 1;
}

struct notification {
	void		(*fn)(unsigned long);
	unsigned long	value;
};

static void *notification_thread(void *arg)
{
	struct notification n = *(struct notification *)arg;
	sigset_t none;

	free(arg);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	n.fn(n.value);
	return NULL;
}

/* SIGEV_THREAD, as glibc: the attributes as given, else a detached thread. */
static long notify_thread(void (*fn)(unsigned long), unsigned long value,
			  void *attr)
{
	struct notification *n = malloc(sizeof(*n));
	pthread_attr_t detached;
	pthread_t t;
	int r;

	if (!n)
		return -ENOMEM;
	n->fn = fn;
	n->value = value;
	if (!attr) {
		pthread_attr_init(&detached);
		pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	}
	r = pthread_create(&t, attr ? attr : &detached, notification_thread, n);
	if (!attr)
		pthread_attr_destroy(&detached);
	if (r)
		free(n);
	return -r;
}

/* Calls into the image under way on this thread (a signal handler may nest). */
static __thread int depth __attribute__((tls_model("initial-exec")));

static void *service_thread(void *arg)
{
	depth = 1;	/* for good: a handler here finds the image entered */
	aio.service();
	return NULL;
}

/*
 * A detached thread with a small stack running @body, with every signal
 * blocked (a reader that went away makes a write end with EPIPE, and
 * the application's signals go to its own threads, as with glibc's AIO
 * helpers) but the synchronous ones (<vlibc/signals.h>), which the
 * kernel forces on the thread that caused them: SIGSYS from a seccomp
 * filter's SECCOMP_RET_TRAP (a sandbox installed with the system call
 * instruction refuses io_uring_enter() here unannounced), SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE and SIGTRAP.  Blocked, such a signal kills the
 * process: the kernel resets its handler to SIG_DFL.  Unblocked, the
 * application's handler runs in this thread; one that makes the call
 * return -ENOSYS turns the family to its fallback (tools/libc/aio/ring.c),
 * as when the application's own thread meets the refusal.  The body runs
 * with depth set, so that such a handler calling aio_error(), or
 * installing a filter, does not take the image's locks this thread may
 * hold.
 */
static long start_helper(void *(*body)(void *))
{
	sigset_t mask, old;
	pthread_attr_t attr;
	pthread_t t;
	int r, sig;

	sigfillset(&mask);
	for (sig = 1; sig <= 64; sig++)
		if (VLIBC_SIGS_SYNCHRONOUS & VLIBC_SIG_BIT(sig))
			sigdelset(&mask, sig);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	r = pthread_create(&t, &attr, body, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

/* The reaper that makes notifications timely. */
static long start_service(void)
{
	return start_helper(service_thread);
}

static void *worker_thread(void *arg)
{
	depth = 1;	/* as service_thread() */
	aio.worker();
	return NULL;
}

/* A thread of the fallback executor (as glibc's AIO helper threads). */
static long start_worker(void)
{
	return start_helper(worker_thread);
}

static void thread_exit(void *unused)
{
	aio.thread_exit();
}

static void aio_attach(const struct binder_image *img)
{
	aio.attach(notify_thread, start_service, aio.flags);
	aio.attach_executor(start_worker);
	if (!aio.exit_key_ok)
		aio.exit_key_ok = !pthread_key_create(&aio.exit_key, thread_exit);
}

static __thread int submitted __attribute__((tls_model("initial-exec")));

/*
 * A thread that submits, or reaps (and so may submit queued requests),
 * gets a thread-exit destructor: its requests must outlive it (see
 * tools/libc/aio/service.c).
 */
static inline void note_submitter(void)
{
	if (likely(submitted) || !aio.exit_key_ok)
		return;
	submitted = 1;
	pthread_setspecific(aio.exit_key, (void *)1);
}

static void aio_fork_prepare(void)
{
	aio.fork_ring_fd = (int)aio.ring_id(aio.fork_ring_id);
}

/*
 * Is @fd the parent's ring?  The application may have closed the ring's
 * descriptor (close_range()) and put a file of its own on that number
 * (dup2()).  Each ring is a file with an inode of its own (the kernel
 * makes one per ring, a number from get_next_ino()), and the parent's
 * mapping of the ring keeps that file, and so the number, alive: no other
 * file has the same st_dev and st_ino at fork time.
 */
static int still_the_ring(int fd)
{
	struct stat st;

	return sys_fstat(fd, &st) == 0 &&
	       (uint64_t)st.st_dev == aio.fork_ring_id[0] &&
	       (uint64_t)st.st_ino == aio.fork_ring_id[1];
}

/* The child starts clean: a ring of its own at its first request. */
static void aio_fork_child(const struct binder_image *img)
{
	if (aio.fork_ring_fd >= 0 && still_the_ring(aio.fork_ring_fd))
		sys_close(aio.fork_ring_fd);
	aio_attach(img);
}

/*
 * A seccomp filter is coming (binder/sandbox.c): the image gives io_uring
 * up for its executor.  An image without the entry point is told nothing:
 * it still falls back at the filter's first refusal, but a filter that
 * kills is not survived.
 */
static void aio_sandbox_coming(void)
{
	if (aio.sandbox_coming)
		aio.sandbox_coming(depth > 0);
}

/* Every veneer brackets its call into the image with these. */
#define IMAGE_CALL(expr)	({ long __r; note_submitter(); depth++;	\
				   __r = (expr); depth--; __r; })

static int aio_read_veneer(struct aiocb *cb)
{
	return errno_ret(IMAGE_CALL(aio.read(cb)));
}

static int aio_write_veneer(struct aiocb *cb)
{
	return errno_ret(IMAGE_CALL(aio.write(cb)));
}

static int aio_fsync_veneer(int op, struct aiocb *cb)
{
	return errno_ret(IMAGE_CALL(aio.fsync(op, cb)));
}

/*
 * aio_error() is async-signal-safe.  A handler that interrupted this
 * thread inside the image (holding its locks) only reads the status; the
 * interrupted call, or another thread, reaps.
 */
static int aio_error_veneer(const struct aiocb *cb)
{
	if (depth && cb && !((unsigned long)cb & 7))
		return __atomic_load_n(&cb->__error_code, __ATOMIC_ACQUIRE);
	return errno_ret(IMAGE_CALL(aio.error(cb)));
}

static ssize_t aio_return_veneer(struct aiocb *cb)
{
	long v, r = aio.ret(cb, &v);

	return r < 0 ? errno_ret(r) : v;
}

/* Glibc's switch between deferred and asynchronous cancellation. */
static int cancel_async(int on)
{
	int old;

	pthread_setcanceltype(on ? PTHREAD_CANCEL_ASYNCHRONOUS :
			      PTHREAD_CANCEL_DEFERRED, &old);
	return old == PTHREAD_CANCEL_ASYNCHRONOUS;
}

static void suspend_cancelled(void *cp)
{
	depth--;
	aio.wait_cancelled(cp);
}

/*
 * aio_suspend() is a cancellation point.  glibc 2.36's pthread_cancel()
 * signals only a thread with asynchronous cancellation on, so the image
 * switches it on across its blocking system call only (with no lock
 * held), as glibc's own cancellation points do; a cancellation there
 * runs the cleanup pushed here, which undoes the waiter's registration
 * (see the comment at the top of binder/locks.c on cancellations that
 * strike inside the image).
 */
static int aio_suspend_veneer(const struct aiocb *const list[], int n,
			      const struct timespec *timeout)
{
	struct vlibc_aio_cancel_point cp = { cancel_async, AIO_BLOCKED_NONE };
	long r;

	pthread_testcancel();
	pthread_cleanup_push(suspend_cancelled, &cp);
	r = IMAGE_CALL(aio.suspend(list, n, timeout, &cp));
	pthread_cleanup_pop(0);
	if (r == -EINTR)
		pthread_testcancel();
	return errno_ret(r);
}

static int aio_cancel_veneer(int fd, struct aiocb *cb)
{
	return errno_ret(IMAGE_CALL(aio.cancel(fd, cb)));
}

/*
 * lio_listio() is no cancellation point (glibc 2.36 disables cancellation
 * across its LIO_WAIT wait), and the image waits with no cleanup to undo
 * its place as the waiter: a thread with asynchronous cancellation on
 * must not be cancelled inside it.  Cancellation is disabled across the
 * call; for such a thread a cancel that came meanwhile acts when the state
 * is restored, after the call, as glibc means it to.
 */
static int lio_listio_veneer(int mode, struct aiocb *const list[], int n,
			     struct sigevent *sig)
{
	int state;
	long r;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	r = IMAGE_CALL(aio.listio(mode, list, n, sig));
	pthread_setcancelstate(state, NULL);
	return errno_ret(r);
}

const struct binder_family binder_aio_family = {
	.name		= "aio",
	.entries	= entries,
	.variants	= variants,
	.decide		= aio_decide,
	.attach		= aio_attach,
	.fork_prepare	= aio_fork_prepare,
	.fork_child	= aio_fork_child,
	.sandbox_coming	= aio_sandbox_coming,
};

BINDER_BIND_VENEER(aio_read, aio, aio_read_veneer);
BINDER_BIND_VENEER(aio_read64, aio, aio_read_veneer);
BINDER_BIND_VENEER(aio_write, aio, aio_write_veneer);
BINDER_BIND_VENEER(aio_write64, aio, aio_write_veneer);
BINDER_BIND_VENEER(aio_fsync, aio, aio_fsync_veneer);
BINDER_BIND_VENEER(aio_fsync64, aio, aio_fsync_veneer);
BINDER_BIND_VENEER(aio_error, aio, aio_error_veneer);
BINDER_BIND_VENEER(aio_error64, aio, aio_error_veneer);
BINDER_BIND_VENEER(aio_return, aio, aio_return_veneer);
BINDER_BIND_VENEER(aio_return64, aio, aio_return_veneer);
BINDER_BIND_VENEER(aio_suspend, aio, aio_suspend_veneer);
BINDER_BIND_VENEER(aio_suspend64, aio, aio_suspend_veneer);
BINDER_BIND_VENEER(aio_cancel, aio, aio_cancel_veneer);
BINDER_BIND_VENEER(aio_cancel64, aio, aio_cancel_veneer);
BINDER_BIND_VENEER(lio_listio, aio, lio_listio_veneer);
BINDER_BIND_VENEER(lio_listio64, aio, lio_listio_veneer);
BINDER_BIND_DIRECT(aio_init, aio, "__vlibc_aio_init");
