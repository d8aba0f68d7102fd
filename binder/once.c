// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_once() of the locks family.  The image keeps the state machine
 * (__vlibc_pthread_once_begin/_end/_abort); the routine runs from here,
 * in a frame with unwind information and a cleanup, so that a routine
 * that is cancelled or throws a C++ exception leaves the once reusable,
 * as glibc's does.  This file is built with -fexceptions: the cleanup
 * then runs for exceptions as well as for cancellation.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/single_threaded.h>
#include "binder.h"
#include "slot.h"

/*
 * -fexceptions makes the compiler refer to libgcc's personality routine
 * and _Unwind_Resume(); linking them would load libgcc_s.so.1 into every
 * process under the preload.  These local definitions forward to the
 * unwinder's own, which is loaded whenever something unwinds through this
 * frame (glibc loads it for cancellation, C++ programs link it).  The
 * handle from dlopen() is kept: it only counts a reference.
 */
#define URC_CONTINUE_UNWIND	8	/* _URC_CONTINUE_UNWIND */

/* <unwind.h>'s types, opaque here: including it would export these. */
typedef int (*personality_fn)(int version, int actions, unsigned long cls,
			      void *exc, void *ctx);

static void *unwinder_sym(void **cache, const char *name)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	void *gcc_s;

	if (!p) {
		p = dlsym(RTLD_DEFAULT, name);
		/* glibc loads it for cancellation without making it global. */
		gcc_s = p ? NULL : dlopen("libgcc_s.so.1", RTLD_NOLOAD | RTLD_LAZY);
		if (gcc_s)
			p = dlsym(gcc_s, name);
		__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	}
	return p;
}

__attribute__((visibility("hidden")))
int __gcc_personality_v0(int version, int actions, unsigned long cls,
			 void *exc, void *ctx)
{
	static void *real;
	personality_fn fn = (personality_fn)unwinder_sym(&real, "__gcc_personality_v0");

	/* No unwinder to ask: let the exception pass this frame. */
	return fn ? fn(version, actions, cls, exc, ctx) : URC_CONTINUE_UNWIND;
}

__attribute__((visibility("hidden"), noreturn))
void _Unwind_Resume(void *exc)
{
	static void *real;
	void (*fn)(void *) = (void (*)(void *))unwinder_sym(&real, "_Unwind_Resume");

	if (fn)
		fn(exc);
	abort();
}

static struct {
	int	(*begin)(pthread_once_t *);
	void	(*end)(pthread_once_t *);
	void	(*abort)(pthread_once_t *);
	int	(*glibc_once)(pthread_once_t *, void (*)(void));
	/* glibc's pthread_once() calls under way (the process's one thread). */
	unsigned long	glibc_running;
	/* Latched at the first thread: pthread_once stays on glibc for good. */
	int	keep_glibc;
} once;

int binder_locks_once_decide(const struct binder_image *img)
{
	once.begin = binder_image_sym(img, "__vlibc_pthread_once_begin");
	once.end = binder_image_sym(img, "__vlibc_pthread_once_end");
	once.abort = binder_image_sym(img, "__vlibc_pthread_once_abort");
	return once.begin && once.end && once.abort;
}

static void once_cleanup(void *control)
{
	once.abort(control);
}

static int pthread_once_veneer(pthread_once_t *control, void (*routine)(void))
{
	if (!once.begin(control))
		return 0;
	pthread_cleanup_push(once_cleanup, control);
	routine();
	pthread_cleanup_pop(0);
	once.end(control);
	return 0;
}

static void glibc_once_left(void *unused)
{
	__atomic_sub_fetch(&once.glibc_running, 1, __ATOMIC_RELAXED);
}

/*
 * pthread_once() before the first thread: glibc's, counted while under
 * way.  glibc's encoding of a once in progress (its fork counter) is not
 * vlibc's (a thread id): vlibc would take it for one a fork interrupted
 * and run the routine again.  A routine that is cancelled or throws
 * leaves glibc's once, and this count, as before the call.
 */
static int pthread_once_counted(pthread_once_t *control, void (*routine)(void))
{
	int (*glibc_once)(pthread_once_t *, void (*)(void)) =
		__atomic_load_n(&once.glibc_once, __ATOMIC_RELAXED);
	int r;

	if (!glibc_once) {
		glibc_once = binder_glibc_own("pthread_once");
		__atomic_store_n(&once.glibc_once, glibc_once, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&once.glibc_running, 1, __ATOMIC_RELAXED);
	pthread_cleanup_push(glibc_once_left, NULL);
	r = glibc_once(control, routine);
	pthread_cleanup_pop(0);
	glibc_once_left(NULL);
	return r;
}

/*
 * The process's first thread comes (binder_threads_start()).  A glibc
 * once under way can only be on this thread's stack (a routine creates
 * the thread): it may still be running when the new thread calls
 * pthread_once() on the same control, so pthread_once stays on glibc for
 * the process's life.  So it does when glibc has started threads of its
 * own (timer or AIO helpers), which may be inside one now.  Onces done
 * read the same on both sides.
 */
void binder_locks_once_first_thread(void)
{
	if (__atomic_load_n(&once.glibc_running, __ATOMIC_RELAXED) ||
	    !__atomic_load_n(&__libc_single_threaded, __ATOMIC_RELAXED))
		__atomic_store_n(&once.keep_glibc, 1, __ATOMIC_RELAXED);
}

/* After the first thread: vlibc's veneer, or NULL (glibc's own) for good. */
static void *once_target(void)
{
	return __atomic_load_n(&once.keep_glibc, __ATOMIC_RELAXED) ?
	       NULL : (void *)pthread_once_veneer;
}

BINDER_SLOT_THREADED(pthread_once, locks, once_target(),
		     (void *)pthread_once_counted);
