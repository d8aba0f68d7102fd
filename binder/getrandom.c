// SPDX-License-Identifier: GPL-2.0
/*
 * The getrandom family: getrandom(), arc4random(), arc4random_buf(),
 * arc4random_uniform() on the kernel's vDSO vgetrandom.
 *
 * The image holds the function bodies; the binder owns what the vDSO
 * protocol leaves to libc: one opaque state per thread, mapped with the
 * prot and flags the kernel asks for, recycled at thread exit and handed
 * back in a fork child for the threads that did not survive the fork.
 * arc4random*() bind straight to the image; getrandom() goes through a
 * veneer that turns -errno into errno.
 *
 * System calls: getrandom(2), as glibc 2.36 makes for the same work (the
 * vDSO falls back to it too), plus mmap() of the states with the kernel's
 * flags (MAP_DROPPABLE, which sandboxes such as Chromium's refuse), mmap()
 * and munmap() of the pool's arrays, and futex(2) while another thread
 * holds the pool.  The first failed mmap, on any thread at any time (a
 * sandbox refusing it with ENOSYS, EPERM, EACCES or a SIGSYS handler, or
 * no memory), turns state allocation off for good: threads without a
 * state use getrandom(2) from then on, threads with one keep it (the vDSO
 * needs no other call).
 *
 * VLIBC_GETRANDOM=vdso (default) | syscall (image, no vDSO) | glibc
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include "binder.h"
#include "slot.h"
#include "sys.h"

/* VLIBC_GETRANDOM, in the order of variants[] below. */
enum { VARIANT_VDSO, VARIANT_SYSCALL };

static struct {
	int		variant;
	long		(*image_getrandom)(void *, size_t, unsigned int, void *, size_t);
	long		(*image_attach)(long, void *(*)(void), size_t);
	struct vlibc_vgetrandom_params params;
	/* Pool of states: all[] ever mapped, free[] not owned by a thread. */
	int		lock;
	void		**all, **free;
	size_t		n_all, n_free, cap;
	pthread_key_t	key;
	int		key_ok;
	int		no_more_states;	/* an mmap failed, a sandbox came: never map again */
} gr;

static __thread void *thread_state __attribute__((tls_model("initial-exec")));

/* VLIBC_GETRANDOM=vdso (the default) or syscall: variant 0 or 1. */
static int getrandom_decide(const struct binder_image *img, int variant,
			    const char **why)
{
	if (variant == VARIANT_SYSCALL) {
		gr.variant = VARIANT_SYSCALL;
		return 1;
	}
	if (gr.image_getrandom(0, 0, 0, &gr.params,
			       VLIBC_GETRANDOM_PARAMS_QUERY)) {
		*why = "no vgetrandom in the vDSO";
		return 0;
	}
	if (!gr.params.size_of_opaque_state ||
	    gr.params.size_of_opaque_state > VLIBC_PAGE_SIZE) {
		*why = "implausible vgetrandom state size";
		return 0;
	}
	gr.variant = VARIANT_VDSO;
	return 1;
}

/*
 * The pool lock: 0 free, else the holder's pool_thread_id(), with
 * POOL_WAITERS set once someone sleeps on it.  The holder is in the word
 * itself, in the same atomic step that takes it, so a signal handler
 * that forks while its own thread holds the lock (fork_prepare()) knows
 * that it must not wait for it.  Other signal handlers only try it.
 * Waiters sleep in futex(2), which every threaded program makes under
 * glibc too (no sched_yield(): glibc 2.36 never makes it, so a sandbox
 * may kill on it); a refused futex() only makes them spin.
 */
#define POOL_WAITERS	0x40000000

static int next_thread_id;
static __thread int thread_id __attribute__((tls_model("initial-exec")));

/* A number no other live thread has, without a system call. */
static int pool_thread_id(void)
{
	if (!thread_id)
		thread_id = __atomic_add_fetch(&next_thread_id, 1,
					       __ATOMIC_RELAXED) & (POOL_WAITERS - 1);
	return thread_id ? thread_id : pool_thread_id();
}

static int pool_trylock(void)
{
	int free_word = 0;

	return __atomic_compare_exchange_n(&gr.lock, &free_word, pool_thread_id(),
					   0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void pool_lock(void)
{
	int self = pool_thread_id(), v = 0;

	if (__atomic_compare_exchange_n(&gr.lock, &v, self, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	for (;;) {
		if (!v) {
			/* Others may still sleep: keep the bit when taking it. */
			if (__atomic_compare_exchange_n(&gr.lock, &v, self | POOL_WAITERS,
							0, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return;
			continue;
		}
		if (!(v & POOL_WAITERS) &&
		    !__atomic_compare_exchange_n(&gr.lock, &v, v | POOL_WAITERS, 0,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			continue;
		vlibc_futex_wait((uint32_t *)&gr.lock, v | POOL_WAITERS, NULL);
		v = __atomic_load_n(&gr.lock, __ATOMIC_RELAXED);
	}
}

static void pool_unlock(void)
{
	if (__atomic_exchange_n(&gr.lock, 0, __ATOMIC_RELEASE) & POOL_WAITERS)
		vlibc_futex_wake((uint32_t *)&gr.lock, 1);
}

/* Does this thread hold the pool lock (a signal handler interrupted it)? */
static int pool_held_by_self(void)
{
	return (__atomic_load_n(&gr.lock, __ATOMIC_RELAXED) & ~POOL_WAITERS) ==
	       pool_thread_id();
}

/* Grow all[] and free[] to hold @need entries each. */
static int pool_reserve(size_t need)
{
	size_t cap = gr.cap ? gr.cap : 64, bytes;
	long mem;

	if (need <= gr.cap)
		return 0;
	while (cap < need)
		cap *= 2;
	bytes = 2 * cap * sizeof(void *);
	mem = sys_mmap(0, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mmap_failed(mem))
		return -1;
	__builtin_memcpy((void **)mem, gr.all, gr.n_all * sizeof(void *));
	__builtin_memcpy((void **)mem + cap, gr.free, gr.n_free * sizeof(void *));
	if (gr.cap)
		sys_munmap(gr.all, 2 * gr.cap * sizeof(void *));
	gr.all = (void **)mem;
	gr.free = (void **)mem + cap;
	gr.cap = cap;
	return 0;
}

/* Map a page of states as the kernel asked; none may straddle a page. */
static int pool_grow(void)
{
	size_t size = gr.params.size_of_opaque_state;
	size_t per_page = VLIBC_PAGE_SIZE / ((size + 63) & ~63UL), i;
	long page;

	if (pool_reserve(gr.n_all + per_page))
		return -1;
	page = sys_mmap(0, VLIBC_PAGE_SIZE, gr.params.mmap_prot, gr.params.mmap_flags, -1, 0);
	if (mmap_failed(page))
		return -1;
	for (i = 0; i < per_page; i++) {
		void *s = (char *)page + i * ((size + 63) & ~63UL);

		gr.all[gr.n_all++] = s;
		gr.free[gr.n_free++] = s;
	}
	return 0;
}

static __thread int thread_exiting __attribute__((tls_model("initial-exec")));

static void state_release(void *state)
{
	thread_exiting = 1;
	__atomic_store_n(&thread_state, NULL, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	pool_lock();
	gr.free[gr.n_free++] = state;
	pool_unlock();
}

/*
 * Grow the pool (under its lock); the first failure stops all further
 * growth.  States already mapped are still handed out.
 */
static int pool_grow_once_failed(void)
{
	if (__atomic_load_n(&gr.no_more_states, __ATOMIC_RELAXED))
		return -1;
	if (!pool_grow())
		return 0;
	__atomic_store_n(&gr.no_more_states, 1, __ATOMIC_RELAXED);
	binder_debug("getrandom: cannot map states;", "getrandom(2) from now on",
		    "for threads without one", 0);
	return -1;
}

/*
 * Called by the image (and the veneer) for a thread without a state.
 * NULL makes the caller use the system call, e.g. in a signal handler
 * that interrupted this very function, or once states cannot be mapped.
 */
static void *state_alloc(void)
{
	void *state = NULL;

	if (thread_exiting || !pool_trylock())
		return NULL;
	/* A signal handler may have allocated one since the caller looked. */
	if (thread_state) {
		state = thread_state;
		pool_unlock();
		return state;
	}
	if (!gr.key_ok)
		gr.key_ok = !pthread_key_create(&gr.key, state_release);
	if (gr.key_ok && (gr.n_free || !pool_grow_once_failed()))
		state = gr.free[--gr.n_free];
	thread_state = state;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	pool_unlock();
	if (state)
		pthread_setspecific(gr.key, state);
	return state;
}

static ssize_t getrandom_veneer(void *buf, size_t len, unsigned int flags)
{
	void *state = NULL;

	if (gr.variant == VARIANT_VDSO) {
		state = thread_state;
		if (!state)
			state = state_alloc();
	}
	return errno_ret(gr.image_getrandom(buf, len, flags, state,
					    state ? gr.params.size_of_opaque_state : 0));
}

static long thread_slot_offset(void)
{
	return (char *)&thread_state - (char *)__builtin_thread_pointer();
}

static void getrandom_attach(const struct binder_image *img)
{
	if (gr.variant == VARIANT_VDSO)
		gr.image_attach(thread_slot_offset(), state_alloc,
				gr.params.size_of_opaque_state);
}

/*
 * A fork from a signal handler that interrupted this thread inside the
 * pool: the lock is this thread's own, and the interrupted code finishes
 * its work and unlocks when the handler returns, in parent and child
 * alike.  Nothing is taken then, and the child keeps the pool as it is
 * (the other threads' states stay owned: a few pages not reused).
 */
static __thread int fork_inside_pool __attribute__((tls_model("initial-exec")));

static void getrandom_fork_prepare(void)
{
	fork_inside_pool = pool_held_by_self();
	if (!fork_inside_pool)
		pool_lock();
}

static void getrandom_fork_parent(void)
{
	if (!fork_inside_pool)
		pool_unlock();
}

/*
 * Only the forking thread lives on in the child: every other state goes
 * back to the pool.  The kernel already zeroed the states' contents
 * (MAP_DROPPABLE implies wipe-on-fork), so none repeats the parent's bytes.
 */
static void getrandom_fork_child(const struct binder_image *img)
{
	size_t i;

	if (!fork_inside_pool) {
		gr.n_free = 0;
		for (i = 0; i < gr.n_all; i++)
			if (gr.all[i] != thread_state)
				gr.free[gr.n_free++] = gr.all[i];
		pool_unlock();
	}
	getrandom_attach(img);
}

/*
 * A sandbox is coming (binder/sandbox.c): it may refuse or kill on an
 * mmap with flags glibc never uses, so no more states are mapped.
 * States already mapped go on working (the vDSO needs no call for them),
 * threads without one make getrandom(2) as glibc does.
 */
static void getrandom_sandbox_coming(void)
{
	__atomic_store_n(&gr.no_more_states, 1, __ATOMIC_RELAXED);
}

static const struct binder_entry entries[] = {
	BINDER_ENTRY(gr.image_getrandom, "__vlibc_getrandom"),
	BINDER_ENTRY(gr.image_attach, "__vlibc_getrandom_attach"),
	{ NULL }
};

static const char *const variants[] = { "vdso", "syscall", NULL };

const struct binder_family binder_getrandom_family = {
	.name		= "getrandom",
	.entries	= entries,
	.variants	= variants,
	.decide		= getrandom_decide,
	.attach		= getrandom_attach,
	.fork_prepare	= getrandom_fork_prepare,
	.fork_parent	= getrandom_fork_parent,
	.fork_child	= getrandom_fork_child,
	.sandbox_coming	= getrandom_sandbox_coming,
	.warmup_calls	= VLIBC_GETRANDOM_WARMUP_CALLS,
};

BINDER_BIND_VENEER(getrandom, getrandom, getrandom_veneer);
BINDER_BIND_DIRECT(arc4random, getrandom, "__vlibc_arc4random");
BINDER_BIND_DIRECT(arc4random_buf, getrandom, "__vlibc_arc4random_buf");
BINDER_BIND_DIRECT(arc4random_uniform, getrandom, "__vlibc_arc4random_uniform");

/*
 * For tests and diagnostics: how many states the pool has mapped and how
 * many no thread owns.  Returns -1 when the family is not on vlibc.
 */
__attribute__((visibility("default")))
int vlibc_binder_getrandom_pool(size_t *all, size_t *free_states)
{
	if (!binder_family_entry(BINDER_FAMILY_getrandom, "__vlibc_getrandom") ||
	    gr.variant != VARIANT_VDSO)
		return -1;
	pool_lock();
	*all = gr.n_all;
	*free_states = gr.n_free;
	pool_unlock();
	return 0;
}
