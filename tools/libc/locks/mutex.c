// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_mutex_lock(), _trylock(), _timedlock(), _clocklock(), _unlock()
 * for normal, adaptive, recursive and error-checking mutexes, private or
 * process-shared.  Robust, priority-inheritance/-protection, elided and
 * destroyed mutexes go to glibc's own functions, decided per call from
 * the mutex's kind.
 *
 * The lock word follows glibc's protocol (Drepper, "Futexes are tricky"):
 * 0 free, 1 locked, 2 locked and maybe waiters; whoever unlocks a 2 wakes
 * one waiter.  glibc's pthread_cond_wait() relocks with 2 and unlocks with
 * a wake on 2, so it works on these mutexes unchanged.  Unlike glibc's
 * default mutex, a locker that finds the word taken first spins a little
 * (the holder of a short critical section is likely running) before it
 * sleeps.  In a process with one thread, private mutexes take and drop
 * the word without atomic instructions, as glibc's do.  __owner and
 * __nusers are kept exactly as glibc keeps them: glibc's condition
 * variables and pthread_mutex_destroy() read them.
 *
 * These entry points return POSIX error numbers (0 or positive), so that
 * the public names bind to them with no veneer.
 */
#include <linux/errno.h>
#include <vlibc/arch/processor.h>
#include <vlibc/locks-impl.h>
#include <vlibc/stat.h>

static inline int word_private(const struct vlibc_mutex *m, int kind)
{
	return kind & MUTEX_PSHARED ? FUTEX_SHARED_WORD : FUTEX_PRIVATE_WORD;
}

static inline int word_trylock(int *word)
{
	int free = 0;

	return __atomic_compare_exchange_n(word, &free, 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * Spin while the word is taken, as long as this mutex's recent lockers
 * needed to (__spins: a running average, as glibc keeps it for adaptive
 * mutexes), at most the family's limit in rounds of cpu_relax(); 1 if the
 * word was taken over.  Looks are spaced out exponentially (1, 2, 4, ...
 * 64 rounds, with jitter) so that spinners leave the cache line to the
 * holder; glibc's adaptive mutex stops at 16 and spins at most 100 rounds
 * (the binder's default limit is 400, see Documentation/userspace-api/
 * vlibc-locks.rst for the measurements).
 *
 * Spinning pays only while the holder runs and lets go soon.  A holder
 * that sleeps or yields with the mutex held (sysbench threads: lock,
 * sched_yield(), unlock) lets every spin run to its limit and then sleep
 * anyway, burning the CPU the holder needs.  So each mutex keeps the rate
 * at which its spins missed, out of SPIN_MISS_ONE, a running average in
 * glibc's __elision (which glibc reads only for elision kinds, and those
 * go to glibc): zero on a new mutex, so spinning is tried first.  At
 * SPIN_MISS_SKIP and above a locker sleeps at once, and lowers the rate by
 * one, so that a spin is tried again after a while: the mutex finds out
 * when its holders stop sleeping.  The rate is a hint: lockers race on it
 * with relaxed accesses and a lost update only delays the next try.
 */
#define SPIN_BACKOFF_MAX	64
#define SPIN_MISS_ONE		256	/* the rate when every spin missed */
#define SPIN_MISS_SKIP		192	/* three spins in four missed */

static int word_spin(struct vlibc_mutex *m)
{
	unsigned int limit = vlibc_private()->locks.spin;
	unsigned int max = m->spins * 2 + 10, n = 0, backoff = 1, rounds;
	unsigned int jitter = __arch_jitter();
	int miss = __atomic_load_n(&m->spin_miss, __ATOMIC_RELAXED);
	int got = 0;

	if (!limit)
		return 0;
	if (miss >= SPIN_MISS_SKIP) {
		__atomic_store_n(&m->spin_miss, miss - 1, __ATOMIC_RELAXED);
		vlibc_stat_inc(VLIBC_STAT_mutex_spin_skipped);
		return 0;
	}
	if (max > limit)
		max = limit;
	for (;;) {
		rounds = backoff + (jitter & (backoff - 1));
		n += rounds;
		if (n >= max)
			break;
		while (rounds--)
			__arch_cpu_relax();
		if (backoff < SPIN_BACKOFF_MAX)
			backoff <<= 1;
		if (__atomic_load_n(&m->lock, __ATOMIC_RELAXED) == 0 &&
		    word_trylock(&m->lock)) {
			got = 1;
			break;
		}
	}
	m->spins += ((int)n - m->spins) / 8;
	miss += ((got ? 0 : SPIN_MISS_ONE) - miss) / 8;
	__atomic_store_n(&m->spin_miss, miss, __ATOMIC_RELAXED);
	return got;
}

/*
 * Take the word: spin, then sleep as 2 until it is ours or the deadline.
 * Counted: the contention, and whether spinning won or the lock slept.
 */
static int word_lock_slow(struct vlibc_mutex *m, int private, int clock,
			  const struct vlibc_timespec *abs)
{
	int *word = &m->lock, slept = 0, r;

	vlibc_stat_inc(VLIBC_STAT_mutex_contended);
	/*
	 * A timed lock without a deadline has nothing to wait until: glibc
	 * reads it here and crashes, vlibc answers EINVAL.  A free mutex
	 * was taken above without reading it, as glibc takes it.
	 */
	if (clock != LOCKS_CLOCK_NONE && !abs)
		return EINVAL;
	if (word_spin(m)) {
		vlibc_stat_inc(VLIBC_STAT_mutex_spin_won);
		return 0;
	}
	if (__atomic_load_n(word, __ATOMIC_RELAXED) == 2)
		goto wait;
	while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0) {
wait:
		if (!slept++)
			vlibc_stat_inc(VLIBC_STAT_mutex_slept);
		r = vlibc_locks_wait(word, 2, private, clock, abs);
		if (r == -ETIMEDOUT || r == -EINVAL)
			return -r;
	}
	return 0;
}

/*
 * A private mutex in a process with one thread cannot be contended: no
 * atomic instruction is needed (glibc does the same).  The flag goes down
 * before a second thread starts, in the thread that starts it.
 */
static inline int single_threaded(int private)
{
	const char *st = vlibc_private()->locks.single_threaded;

	return private == FUTEX_PRIVATE_WORD && st && *st;
}

static inline int word_lock_fast(int *word, int private)
{
	if (single_threaded(private) && *word == 0) {
		*word = 1;
		return 1;
	}
	return word_trylock(word);
}

/* Free the word; 1 when a waiter must be woken (vlibc_locks_wake()). */
static inline int word_unlock(int *word, int private)
{
	if (single_threaded(private)) {
		*word = 0;	/* nobody else to wait */
		return 0;
	}
	return __atomic_exchange_n(word, 0, __ATOMIC_RELEASE) > 1;
}

/*
 * The common path of lock, timedlock and clocklock; @abs NULL (with
 * LOCKS_CLOCK_NONE) waits without limit.  The kind was checked by the
 * caller.
 */
static __attribute__((always_inline)) inline int
mutex_lock_kind(struct vlibc_mutex *m, int kind, int clock,
		const struct vlibc_timespec *abs)
{
	int type = kind & MUTEX_TYPE_MASK, tid = vlibc_locks_tid(), r;

	if (type == MUTEX_RECURSIVE && m->owner == tid) {
		if (m->count + 1 == 0)
			return EAGAIN;
		m->count++;
		return 0;
	}
	if (type == MUTEX_ERRORCHECK && m->owner == tid)
		return EDEADLK;
	if (unlikely(!word_lock_fast(&m->lock, word_private(m, kind)))) {
		r = word_lock_slow(m, word_private(m, kind), clock, abs);
		if (r)
			return r;
	}
	if (type == MUTEX_RECURSIVE)
		m->count = 1;
	m->owner = tid;
	m->nusers++;
	return 0;
}

static inline int mutex_kind(const struct vlibc_mutex *m)
{
	return __atomic_load_n(&m->kind, __ATOMIC_RELAXED);
}

static inline int mutex_is_vlibc(int kind)
{
	return !(kind & ~MUTEX_KIND_VLIBC);
}

/* With no glibc function to hand over to (a fork child before the binder
 * refilled the private region): a destroyed mutex is still EINVAL. */
static int glibc_missing(int kind)
{
	return kind == -1 ? EINVAL : EAGAIN;
}

/* A private normal or adaptive mutex: the common case, kept short. */
static inline int mutex_is_plain(int kind)
{
	kind &= ~MUTEX_NO_ELISION;
	return kind == MUTEX_NORMAL || kind == MUTEX_ADAPTIVE;
}

static __attribute__((noinline)) int mutex_lock_other(struct vlibc_mutex *m,
						       int kind)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;

	vlibc_stat_inc(VLIBC_STAT_mutex_lock);
	if (likely(mutex_is_vlibc(kind)))
		return mutex_lock_kind(m, kind, LOCKS_CLOCK_NONE, 0);
	vlibc_stat_inc(VLIBC_STAT_mutex_to_glibc);
	return g->mutex_lock ? g->mutex_lock(m) : glibc_missing(kind);
}

/* A plain mutex found taken: spin, sleep, then own it. */
static __attribute__((noinline)) int mutex_lock_contended(struct vlibc_mutex *m)
{
	vlibc_stat_inc(VLIBC_STAT_mutex_lock);
	word_lock_slow(m, FUTEX_PRIVATE_WORD, LOCKS_CLOCK_NONE, 0);
	m->owner = vlibc_locks_tid();
	m->nusers++;
	return 0;
}

/*
 * The fast path counts last, as a tail call (vlibc_stat_inc_return()), so
 * that it needs no stack frame; the other paths count in the out-of-line
 * functions above.
 */
VLIBC_ENTRY int __vlibc_pthread_mutex_lock(struct vlibc_mutex *m)
{
	int kind = mutex_kind(m);

	if (unlikely(!mutex_is_plain(kind)))
		return mutex_lock_other(m, kind);
	if (unlikely(!word_lock_fast(&m->lock, FUTEX_PRIVATE_WORD)))
		return mutex_lock_contended(m);
	m->owner = vlibc_locks_tid();
	m->nusers++;
	return vlibc_stat_inc_return(VLIBC_STAT_mutex_lock, 0);
}

VLIBC_ENTRY int __vlibc_pthread_mutex_clocklock(struct vlibc_mutex *m, int clock,
						 const struct vlibc_timespec *abs)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;
	int kind = mutex_kind(m);

	vlibc_stat_inc(VLIBC_STAT_mutex_timedlock);
	if (clock != CLOCK_REALTIME_ID && clock != CLOCK_MONOTONIC_ID)
		return EINVAL;
	/* A NULL deadline is read only when the lock has to wait, as glibc. */
	if (likely(mutex_is_vlibc(kind)))
		return mutex_lock_kind(m, kind, clock, abs);
	if (!abs)
		return EINVAL;
	vlibc_stat_inc(VLIBC_STAT_mutex_to_glibc);
	return g->mutex_clocklock ? g->mutex_clocklock(m, clock, abs) :
				    glibc_missing(kind);
}

VLIBC_ENTRY int __vlibc_pthread_mutex_timedlock(struct vlibc_mutex *m,
						 const struct vlibc_timespec *abs)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;
	int kind = mutex_kind(m);

	vlibc_stat_inc(VLIBC_STAT_mutex_timedlock);
	if (likely(mutex_is_vlibc(kind)))
		return mutex_lock_kind(m, kind, CLOCK_REALTIME_ID, abs);
	if (!abs)
		return EINVAL;
	vlibc_stat_inc(VLIBC_STAT_mutex_to_glibc);
	return g->mutex_timedlock ? g->mutex_timedlock(m, abs) :
				    glibc_missing(kind);
}

/* A trylock of a kind vlibc does not handle: glibc's, counted. */
static __attribute__((noinline)) int mutex_trylock_glibc(struct vlibc_mutex *m,
							  int kind)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;

	vlibc_stat_inc(VLIBC_STAT_mutex_trylock);
	vlibc_stat_inc(VLIBC_STAT_mutex_to_glibc);
	return g->mutex_trylock ? g->mutex_trylock(m) : glibc_missing(kind);
}

VLIBC_ENTRY int __vlibc_pthread_mutex_trylock(struct vlibc_mutex *m)
{
	int kind = mutex_kind(m), tid, r = 0;

	if (unlikely(!mutex_is_vlibc(kind)))
		return mutex_trylock_glibc(m, kind);
	tid = vlibc_locks_tid();
	if ((kind & MUTEX_TYPE_MASK) == MUTEX_RECURSIVE) {
		if (m->owner == tid) {
			if (m->count + 1 == 0)
				r = EAGAIN;
			else
				m->count++;
			goto out;
		}
		if (!word_trylock(&m->lock)) {
			r = EBUSY;
			goto out;
		}
		m->count = 1;
	} else if (!word_trylock(&m->lock)) {
		r = EBUSY;
		goto out;
	}
	m->owner = tid;
	m->nusers++;
out:
	return vlibc_stat_inc_return(VLIBC_STAT_mutex_trylock, r);
}

/* Give the word back (@m is unlocked once it is stored); 1: wake a waiter. */
static __attribute__((always_inline)) inline int mutex_release(struct vlibc_mutex *m,
								int kind)
{
	m->owner = 0;
	m->nusers--;
	return word_unlock(&m->lock, word_private(m, kind));
}

/* A plain mutex's unlock that has a waiter to wake: out of the fast path. */
static __attribute__((noinline)) int mutex_unlock_wake(struct vlibc_mutex *m, int kind)
{
	vlibc_locks_wake(&m->lock, 1, word_private(m, kind));
	vlibc_stat_inc(VLIBC_STAT_mutex_unlock);
	return 0;
}

/* Unlock a mutex that is not a plain one: recursive, error-checking, glibc's. */
static __attribute__((noinline)) int mutex_unlock_other(struct vlibc_mutex *m,
							 int kind)
{
	struct vlibc_locks_glibc *g = &vlibc_private()->locks.glibc;

	vlibc_stat_inc(VLIBC_STAT_mutex_unlock);
	if (unlikely(!mutex_is_vlibc(kind))) {
		vlibc_stat_inc(VLIBC_STAT_mutex_to_glibc);
		return g->mutex_unlock ? g->mutex_unlock(m) : glibc_missing(kind);
	}
	switch (kind & MUTEX_TYPE_MASK) {
	case MUTEX_RECURSIVE:
		if (m->owner != vlibc_locks_tid())
			return EPERM;
		if (--m->count)
			return 0;
		break;
	case MUTEX_ERRORCHECK:
		if (m->owner != vlibc_locks_tid() ||
		    !__atomic_load_n(&m->lock, __ATOMIC_RELAXED))
			return EPERM;
		break;
	}
	if (mutex_release(m, kind))
		vlibc_locks_wake(&m->lock, 1, word_private(m, kind));
	return 0;
}

/* The fast path counts last, as in __vlibc_pthread_mutex_lock(). */
VLIBC_ENTRY int __vlibc_pthread_mutex_unlock(struct vlibc_mutex *m)
{
	int kind = mutex_kind(m);

	if (unlikely(!mutex_is_plain(kind)))
		return mutex_unlock_other(m, kind);
	if (unlikely(mutex_release(m, kind)))
		return mutex_unlock_wake(m, kind);
	return vlibc_stat_inc_return(VLIBC_STAT_mutex_unlock, 0);
}
