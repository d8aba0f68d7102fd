// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded after the binder: its constructor runs first, so its fork
 * child handler runs before the binder's, in a child whose private region
 * is wiped and not set up again yet.  Its ATFORK_PAIRS mutex lock/unlock
 * pairs must still be counted in the child.
 */
#include <pthread.h>

#define ATFORK_PAIRS	5

static void child_pairs(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int i;

	for (i = 0; i < ATFORK_PAIRS; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
}

__attribute__((constructor)) static void register_child_pairs(void)
{
	pthread_atfork(NULL, NULL, child_pairs);
}
