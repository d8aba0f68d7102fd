// SPDX-License-Identifier: GPL-2.0
/*
 * The binder's part of the counters (<vlibc/stat.h> in the image): each
 * thread's counter block lives in the image's private region, and its
 * address in this initial-exec TLS slot, which the image's fast path
 * reads.  The image claims a block at a thread's first count and hands it
 * here; a thread-specific key gives it back when the thread exits.  The
 * binder also records each family's decision in the counter header.
 */
#include <pthread.h>
#include <vlibc/stat-abi.h>
#include "binder.h"

static __thread struct vlibc_stat_block *thread_block
	__attribute__((tls_model("initial-exec")));

static struct {
	long	(*attach)(long thread_slot, void (*claimed)(struct vlibc_stat_block *));
	long	(*thread_exit)(struct vlibc_stat_block *b);
	long	(*family)(unsigned int family, int bound, const char *why);
	pthread_key_t	key;
	int		key_ok;
} stat;

/* The image's number of each of this binder's families. */
static const unsigned char image_family[BINDER_FAMILIES] = {
#define VLIBC_FAMILY(name, binder)					\
	BINDER_IF_BUILT(binder, [BINDER_FAMILY_##name] = VLIBC_STAT_FAMILY_##name,)
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
};

/* The key's destructor: the exiting thread gives its block back. */
static void thread_exit(void *unused)
{
	struct vlibc_stat_block *b = thread_block;

	thread_block = NULL;
	if (b && stat.thread_exit)
		stat.thread_exit(b);
}

/*
 * From the image: this thread's first count claimed @b (NULL: forget the
 * block, a fork wiped it mid-claim).  It may be inside
 * any bound call, e.g. a malloc replacement's pthread_mutex_lock(), so it
 * must not allocate: glibc keeps the values of the first 32 keys in the
 * thread descriptor and allocates only for the others.
 */
#define KEYS_IN_DESCRIPTOR	32

static void thread_claimed(struct vlibc_stat_block *b)
{
	thread_block = b;
	/* A thread counting after its destructor ran is given a new run. */
	if (b && stat.key_ok)
		pthread_setspecific(stat.key, b);
}

/*
 * From the binder's constructor, before most libraries create their keys.
 * Without a key of the first 32, blocks are not given back at thread exit:
 * the counts stay exact, threads beyond the free blocks count into the
 * shared block.
 */
void binder_stat_init(void)
{
	if (pthread_key_create(&stat.key, thread_exit))
		return;
	if (stat.key < KEYS_IN_DESCRIPTOR)
		stat.key_ok = 1;
	else
		pthread_key_delete(stat.key);
}

/*
 * After the image's set-up (again in a fork child, after
 * binder_stat_fork_child()).  @own_slot: this thread slot is the one the
 * image fills; 0 when the system libc keeps the slot (bind.c's
 * image_start()): the binder then only records its families' decisions.
 * An image without counters: nothing.
 */
void binder_stat_attach(const struct binder_image *img, int own_slot)
{
	if (!stat.attach) {
		stat.attach = binder_image_sym(img, "__vlibc_stat_attach");
		stat.thread_exit = binder_image_sym(img, "__vlibc_stat_thread_exit");
		stat.family = binder_image_sym(img, "__vlibc_stat_family");
		if (!stat.attach || !stat.thread_exit || !stat.family) {
			stat.attach = NULL;
			return;
		}
	}
	if (own_slot)
		stat.attach((char *)&thread_block - (char *)__builtin_thread_pointer(),
			    thread_claimed);
}

/* The image's number of the binder's family @f (<vlibc/family-list.h>). */
unsigned int binder_image_family(int f)
{
	return image_family[f];
}

/* Family @f was decided: bound to the image, or on glibc because of @why. */
void binder_stat_family(int f, int bound, const char *why)
{
	if (stat.attach)
		stat.family(image_family[f], bound, why);
}

/*
 * In a fork child, before the image is set up again: the kernel wiped the
 * block this thread's slot points to, and it is no longer this thread's.
 */
void binder_stat_fork_child(void)
{
	thread_block = NULL;
}
