// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for completions (aio_suspend, lio_listio(LIO_WAIT), aio_cancel,
 * the service thread).  One waiter at a time sits in io_uring_enter() for
 * the next completion and reaps it; the others sleep on the wake-up
 * counter (wakeups), which every reap that completes something bumps.  A
 * waiter leaving the kernel bumps it too, so that another can take its
 * place.  After the fallback every
 * waiter sleeps on the counter (see vlibc_aio_exec_wait_limit()).
 * Below it: reap.c, exec.c, ring.c; the layers: vlibc/aio.h.
 */
#include <linux/errno.h>
#include <linux/signal.h>
#include <vlibc/aio.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/signals.h>
#include <vlibc/time.h>

/* @t += @d, saturating: a timeout of LONG_MAX seconds means "for ever". */
static void ts_add(struct vlibc_timespec *t, const struct vlibc_timespec *d)
{
	if (__builtin_add_overflow(t->tv_sec, d->tv_sec, &t->tv_sec)) {
		t->tv_sec = 0x7fffffffffffffffL;
		t->tv_nsec = 0;
		return;
	}
	t->tv_nsec += d->tv_nsec;
	if (t->tv_nsec >= NSEC_PER_SEC) {
		t->tv_nsec -= NSEC_PER_SEC;
		if (t->tv_sec < 0x7fffffffffffffffL)
			t->tv_sec++;
	}
}

/* Time left until @deadline in @left; 0 when it has passed. */
static int ts_left(const struct vlibc_timespec *deadline,
		   struct vlibc_timespec *left)
{
	struct vlibc_timespec now;

	vlibc_clock_monotonic(&now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += NSEC_PER_SEC;
	}
	return left->tv_sec > 0 || (left->tv_sec == 0 && left->tv_nsec > 0);
}

/* Leave the place in the kernel and let a sleeper take it. */
static void wait_in_kernel_abandon(struct vlibc_aio_state *a)
{
	__atomic_store_n(&a->kernel_waiter, WAITER_NONE, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&a->wakeups, 1, __ATOMIC_SEQ_CST);
	/* All: one that wakes may leave (timed out) without taking the place. */
	if (__atomic_load_n(&a->n_sleepers, __ATOMIC_SEQ_CST))
		vlibc_futex_wake(&a->wakeups, 0x7fffffff);
}

/*
 * Asynchronous cancellation on across the blocking call only (when @cp
 * asks for it), with @where recorded first: a cancellation that strikes
 * from here to cancel_off() leaves what @where says for the binder's
 * cleanup to undo (__vlibc_aio_wait_cancelled()).
 */
static int cancel_on(struct vlibc_aio_cancel_point *cp, int where)
{
	if (!cp)
		return 0;
	cp->where = where;
	return cp->cancel_async(1);
}

static void cancel_off(struct vlibc_aio_cancel_point *cp, int old)
{
	if (!cp)
		return;
	cp->cancel_async(old);
	cp->where = AIO_BLOCKED_NONE;
}


/*
 * Wait in the kernel until a completion, a signal, the caller's
 * @deadline (NULL: none; @left is the time to it) or a refusal.  A wait
 * there is bounded (vlibc_aio_ring_enter_wait()); when the bound alone ends it,
 * the thread goes back in and keeps its place: leaving would wake every
 * sleeper on the counter for nothing.  Between two waits the thread's
 * asynchronous signals are blocked, and each wait unblocks them as
 * ppoll(2) does: a signal that comes as a bounded wait ends is not
 * handled in between (where its EINTR would be lost) but ends the next
 * wait.  Without rt_sigprocmask (refused) the waits go on as they are.
 */
static int wait_in_kernel(struct vlibc_aio_state *a,
			  const struct vlibc_timespec *deadline,
			  struct vlibc_timespec *left,
			  struct vlibc_aio_cancel_point *cp)
{
	uint64_t block = ~VLIBC_SIGS_SYNCHRONOUS, old_mask;	/* <vlibc/signals.h> */
	int old = cancel_on(cp, AIO_BLOCKED_KERNEL);
	int masked = !__arch_syscall4(__NR_rt_sigprocmask, SIG_BLOCK,
				     (long)&block, (long)&old_mask, 8);
	int r;

	do {
		r = vlibc_aio_ring_enter_wait(a, deadline ? left : 0,
					masked ? &old_mask : 0);
	} while (r == -ETIME && aio_ring_ready(a) &&
		 (!deadline || ts_left(deadline, left)));
	if (masked)
		__arch_syscall4(__NR_rt_sigprocmask, SIG_SETMASK,
			       (long)&old_mask, 0, 8);
	cancel_off(cp, old);
	wait_in_kernel_abandon(a);
	return r;
}

static int wait_on_counter(struct vlibc_aio_state *a, uint32_t seen,
			   const struct vlibc_timespec *left,
			   struct vlibc_aio_cancel_point *cp)
{
	int old = cancel_on(cp, AIO_BLOCKED_FUTEX);
	int r = vlibc_futex_wait(&a->wakeups, seen, left);

	cancel_off(cp, old);
	__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
	return r;
}

/* The binder's cleanup: a cancellation ended the wait @cp describes. */
VLIBC_ENTRY void __vlibc_aio_wait_cancelled(struct vlibc_aio_cancel_point *cp)
{
	struct vlibc_aio_state *a = aio_state();

	if (cp->where == AIO_BLOCKED_KERNEL)
		wait_in_kernel_abandon(a);
	else if (cp->where == AIO_BLOCKED_FUTEX)
		__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
	cp->where = AIO_BLOCKED_NONE;
}

/*
 * Wait until @done(@ctx), for at most @rel (NULL: no limit).  Returns 0,
 * -EAGAIN on timeout, -EINTR when a signal handler ran.  With @cp the
 * wait is a cancellation point (see vlibc/aio-cancel.h).
 */
int vlibc_aio_wait(struct vlibc_aio_state *a, int (*done)(void *), void *ctx,
	     const struct vlibc_timespec *rel, int who,
	     struct vlibc_aio_cancel_point *cp)
{
	struct vlibc_timespec deadline, left, *limit = 0, poll = { 0, 0 };
	uint32_t none = WAITER_NONE, seen;
	int r;

	if (rel) {
		vlibc_clock_monotonic(&deadline);
		ts_add(&deadline, rel);
		limit = &left;
	}
	for (;;) {
		vlibc_aio_reap(a);
		if (done && done(ctx))
			return 0;
		__atomic_add_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
		seen = __atomic_load_n(&a->wakeups, __ATOMIC_SEQ_CST);
		if (done && done(ctx)) {
			__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
			return 0;
		}
		if (rel && !ts_left(&deadline, &left)) {
			__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
			return -EAGAIN;
		}
		none = WAITER_NONE;
		if (aio_ring_ready(a) &&
		    __atomic_compare_exchange_n(&a->kernel_waiter, &none, who, 0,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			__atomic_sub_fetch(&a->n_sleepers, 1, __ATOMIC_SEQ_CST);
			/*
			 * A reaper that looked before we took the place did
			 * not kick us: look once more.
			 */
			if (done && done(ctx)) {
				wait_in_kernel_abandon(a);
				return 0;
			}
			r = wait_in_kernel(a, rel ? &deadline : 0, &left, cp);
		} else {
			r = wait_on_counter(a, seen,
					    vlibc_aio_exec_wait_limit(a, limit, &poll),
					    cp);
		}
		if (r == -EINTR)
			return -EINTR;
	}
}
