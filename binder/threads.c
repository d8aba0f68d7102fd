// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_create(): the binder's, in front of glibc's.  Before the
 * process's first thread it sets up and binds the families that wait for
 * one (binder_threads_start(): the locks family, whose code wins only
 * when locks are contended, which takes two threads), then creates the
 * thread with glibc's function.
 *
 * Threads that glibc creates itself (C11 thrd_create(), SIGEV_THREAD
 * timers and notifications, its AIO helpers) do not come through here: a
 * process whose only threads are those keeps glibc's locks, which is what
 * it would run without the binder.
 */
#include <pthread.h>
#include "binder.h"

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
				 void *(*)(void *), void *);

static pthread_create_fn glibc_pthread_create;

/*
 * glibc's pthread_create(), found at the first call: binder_glibc_own()
 * reads the dynamic linker's list and libc.so's symbol table without a
 * lock, an allocation or a system call, so any caller may run it (a
 * library's constructor before the binder's own, a signal handler).
 * Found in the constructor instead, it cost every process under the
 * preload a page fault or two (libc.so's symbol table pages it touches)
 * for a name most never call.
 */
static pthread_create_fn glibc_create(void)
{
	pthread_create_fn fn = __atomic_load_n(&glibc_pthread_create, __ATOMIC_RELAXED);

	if (!fn) {
		fn = (pthread_create_fn)binder_glibc_own("pthread_create");
		__atomic_store_n(&glibc_pthread_create, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

__attribute__((visibility("default")))
int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	binder_threads_start();
	return glibc_create()(thread, attr, start, arg);
}
