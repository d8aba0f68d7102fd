// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_once() of the locks family.  The image keeps the state machine
 * (__vlibc_pthread_once_begin/_end/_abort); the routine runs from here,
 * in a frame with unwind information and a cleanup, so that a routine
 * that is cancelled or throws a C++ exception leaves the once reusable,
 * as glibc's does.  This file is built with -fexceptions: the cleanup
 * then runs for exceptions as well as for cancellation.
 */
#include <pthread.h>
#include "binder.h"
#include "slot.h"

static struct {
	int	(*begin)(pthread_once_t *);
	void	(*end)(pthread_once_t *);
	void	(*abort)(pthread_once_t *);
} once;

int vlibc_locks_once_decide(const struct vlibc_image *img)
{
	once.begin = vlibc_image_sym(img, "__vlibc_pthread_once_begin");
	once.end = vlibc_image_sym(img, "__vlibc_pthread_once_end");
	once.abort = vlibc_image_sym(img, "__vlibc_pthread_once_abort");
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

VLIBC_BIND_VENEER(pthread_once, locks, pthread_once_veneer);
