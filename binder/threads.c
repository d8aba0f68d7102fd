// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_create(): the binder's, in front of glibc's.  Before the
 * process's first thread it sets up and binds the families that wait for
 * one (binder_threads_start(): the locks family, whose code wins only
 * when locks are contended, which takes two threads), then creates the
 * thread with glibc's function.
 *
 * sem_init() of a process-shared semaphore counts as a first thread: other
 * processes can contend for it.
 *
 * Threads that glibc creates itself (C11 thrd_create(), SIGEV_THREAD
 * timers and notifications, its AIO helpers) do not come through here: a
 * process whose only threads are those keeps glibc's locks, which is what
 * it would run without the binder.
 */
#include <pthread.h>
#include <semaphore.h>
#include "binder.h"

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
				 void *(*)(void *), void *);
typedef int (*sem_init_fn)(sem_t *, int, unsigned int);

static pthread_create_fn glibc_pthread_create;
static sem_init_fn glibc_sem_init;

/*
 * glibc's own @name, found at the first call and kept in *@cache:
 * binder_glibc_own() reads the dynamic linker's list and libc.so's symbol
 * table without a lock, an allocation or a system call, so any caller may
 * run it (a library's constructor before the binder's own, a signal
 * handler).  Found in the constructor instead, it cost every process
 * under the preload a page fault or two (libc.so's symbol table pages it
 * touches) for names most never call.
 */
static void *glibc_fn(void **cache, const char *name)
{
	void *fn = __atomic_load_n(cache, __ATOMIC_RELAXED);

	if (!fn) {
		fn = binder_glibc_own(name);
		__atomic_store_n(cache, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

__attribute__((visibility("default")))
int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	pthread_create_fn fn = glibc_fn((void **)&glibc_pthread_create,
					"pthread_create");

	binder_threads_start();
	return fn(thread, attr, start, arg);
}

/*
 * A process-shared semaphore can be contended by other processes while
 * this one has one thread (PostgreSQL's backends are such processes,
 * sleeping on semaphores in shared memory that the postmaster set up):
 * the families that wait for a second thread are bound now, as if one
 * came, and the children forked after keep them.
 */
__attribute__((visibility("default")))
int sem_init(sem_t *sem, int pshared, unsigned int value)
{
	sem_init_fn fn = glibc_fn((void **)&glibc_sem_init, "sem_init");

	/* A call of the locks family's: map the image now (binder_prepare()). */
	binder_prepare();
	if (pshared)
		binder_threads_start();
	return fn(sem, pshared, value);
}
