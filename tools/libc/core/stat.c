// SPDX-License-Identifier: GPL-2.0
/*
 * The counters' slow path and set-up; the fast path and the design are in
 * <vlibc/stat.h>, the layout others read in <vlibc/stat-abi.h>.
 *
 * A block belongs to one thread at a time: claimed with a compare-and-
 * exchange of its owner word (0 -> the thread pointer), released by the
 * thread's exit (the binder's TLS destructor) with a release store of 0.
 * The release orders the thread's last plain additions before the next
 * owner's, whose claim acquires.  The counts stay in the block: a block is
 * a running total, not a thread's.
 */
#include <linux/errno.h>
#include <vlibc/stat.h>

_Static_assert(VLIBC_STAT_FAMILIES <= VLIBC_STAT_MAX_FAMILIES,
	       "more families than struct vlibc_stat_header has room for");

/*
 * Block @i, from the image's own layout, not from the header: counts made
 * before the header is written (a fork child's handlers that run before
 * the binder's) land in block 0, not in the zeroed header.  The blocks lie
 * past struct vlibc_private, in the rest of the region: the empty asm
 * keeps the compiler from taking the address for one inside that struct.
 */
static struct vlibc_stat_block *stat_block(struct vlibc_private *p, unsigned int i)
{
	char *region = (char *)&p->stat;

	__asm__ ("" : "+r"(region));
	return (struct vlibc_stat_block *)(region + VLIBC_STAT_BLOCKS_OFFSET +
					   (unsigned long)i * VLIBC_STAT_BLOCK_SIZE);
}

/*
 * A block for this thread, or NULL.  First one its thread pointer owns
 * already: no live thread has that pointer but this one, so the block's
 * thread is gone or is this one, which lost track of it (a count after
 * glibc's last round of key destructors, a claim interrupted by a signal
 * handler that counted); without this, each such thread exit would keep
 * a block owned for the process's life.  Then a free block.
 *
 * Blocks are taken lowest first, and @nr_used is raised before a block is
 * tried: the first scan stops there, so a process's first count touches
 * one block's page, not every page of the region (each a page fault).
 */
static void stat_mark_used(struct vlibc_private *p, unsigned int i)
{
	unsigned int used = __atomic_load_n(&p->stat_state.nr_used, __ATOMIC_RELAXED);

	while (used < i &&
	       !__atomic_compare_exchange_n(&p->stat_state.nr_used, &used, i, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static struct vlibc_stat_block *stat_claim(struct vlibc_private *p)
{
	unsigned long self = __arch_thread_id();
	unsigned int i, used;

	/*
	 * Relaxed: only a hint that saves the scans when every block is
	 * owned, so that threads beyond the blocks pay one load per count.
	 */
	if (!__atomic_load_n(&p->stat_state.nr_free, __ATOMIC_RELAXED))
		return NULL;
	/* This thread's own claims (a signal handler's too) raised it. */
	used = __atomic_load_n(&p->stat_state.nr_used, __ATOMIC_RELAXED);
	for (i = 1; i <= used && i < VLIBC_STAT_BLOCKS; i++)
		if (__atomic_load_n(&stat_block(p, i)->owner, __ATOMIC_ACQUIRE) == self)
			return stat_block(p, i);
	for (i = 1; i < VLIBC_STAT_BLOCKS; i++) {
		struct vlibc_stat_block *b = stat_block(p, i);
		__u64 free = 0;

		if (__atomic_load_n(&b->owner, __ATOMIC_RELAXED))
			continue;
		stat_mark_used(p, i);
		/* Acquire: the previous owner's counts before ours. */
		if (__atomic_compare_exchange_n(&b->owner, &free, self, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			__atomic_fetch_sub(&p->stat_state.nr_free, 1, __ATOMIC_RELAXED);
			return b;
		}
	}
	return NULL;
}

void vlibc_stat_add_slow(enum vlibc_stat_counter c, unsigned long n)
{
	struct vlibc_private *p = vlibc_private();
	void (*claimed)(struct vlibc_stat_block *b);
	struct vlibc_stat_block *b = NULL;

	/* Acquire: the header and callback written before the slot. */
	if (__atomic_load_n(&p->stat_state.thread_slot, __ATOMIC_ACQUIRE)) {
		claimed = p->stat_state.thread_claimed;
		b = stat_claim(p);
		if (b)
			claimed(b);
		/*
		 * A fork (from a signal handler) between the claim and now wiped
		 * the region under this child: the block is free here, and the
		 * binder's fork handler ran before claimed() stored it.
		 */
		if (b && __atomic_load_n(&b->owner, __ATOMIC_RELAXED) != __arch_thread_id()) {
			claimed(NULL);
			b = NULL;
		}
	}
	if (b)
		__arch_thread_counter_add(&b->count[c], n);
	else
		__atomic_fetch_add(&stat_block(p, 0)->count[c], n, __ATOMIC_RELAXED);
}

/* vlibc_stat_add_return()'s slow path: vlibc_stat_add_slow(), then @ret. */
long vlibc_stat_add_slow_return(enum vlibc_stat_counter c, unsigned long n, long ret)
{
	vlibc_stat_add_slow(c, n);
	return ret;
}

/*
 * vlibc_stat_add2_return()'s: both counts, then @ret.  The second looks
 * again: the first may have claimed the thread's block (a second claim
 * would take another).
 */
long vlibc_stat_add2_slow_return(enum vlibc_stat_counter c1, unsigned long n1,
				 enum vlibc_stat_counter c2, unsigned long n2, long ret)
{
	vlibc_stat_add_slow(c1, n1);
	vlibc_stat_add(c2, n2);
	return ret;
}

/*
 * The header, from __vlibc_init() (again in a fork child: the region was
 * wiped).  Counts made before it went to block 0 and stay there.
 */
void vlibc_stat_setup(void)
{
	struct vlibc_private *p = vlibc_private();

	p->stat.version = VLIBC_STAT_VERSION;
	p->stat.header_size = sizeof(p->stat);
	p->stat.nr_counters = VLIBC_STAT_COUNTERS;
	p->stat.block_size = VLIBC_STAT_BLOCK_SIZE;
	p->stat.nr_blocks = VLIBC_STAT_BLOCKS;
	p->stat.blocks_offset = VLIBC_STAT_BLOCKS_OFFSET;
	p->stat_state.nr_free = VLIBC_STAT_BLOCKS - 1;
	/* Release: a reader that sees the magic sees the fields above. */
	__atomic_store_n(&p->stat.magic, VLIBC_STAT_MAGIC, __ATOMIC_RELEASE);
}

/*
 * The binder keeps each thread's block at @thread_slot from the thread
 * pointer; @thread_claimed stores a newly claimed block there (and makes
 * sure __vlibc_stat_thread_exit() runs when the thread exits), or forgets
 * the thread's block when given NULL.
 */
VLIBC_ENTRY long __vlibc_stat_attach(long thread_slot,
				     void (*thread_claimed)(struct vlibc_stat_block *b))
{
	struct vlibc_private *p = vlibc_private();

	if (!thread_slot || !thread_claimed || !p->stat.magic)
		return -EINVAL;
	p->stat_state.thread_claimed = thread_claimed;
	/* Release: pairs with the acquire in vlibc_stat_add_slow(). */
	__atomic_store_n(&p->stat_state.thread_slot, thread_slot, __ATOMIC_RELEASE);
	return 0;
}

/* The exiting thread gives its block @b back (the caller cleared its slot). */
VLIBC_ENTRY long __vlibc_stat_thread_exit(struct vlibc_stat_block *b)
{
	struct vlibc_private *p = vlibc_private();
	unsigned long off = (char *)b - (char *)stat_block(p, 1);

	if (!p->stat.magic || (char *)b < (char *)stat_block(p, 1) ||
	    off % VLIBC_STAT_BLOCK_SIZE || off / VLIBC_STAT_BLOCK_SIZE >= VLIBC_STAT_BLOCKS - 1 ||
	    __atomic_load_n(&b->owner, __ATOMIC_RELAXED) != __arch_thread_id())
		return -EINVAL;
	/* Release: this thread's additions before the next owner's. */
	__atomic_store_n(&b->owner, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&p->stat_state.nr_free, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The binder decided @family: bound to the image, or on glibc because of
 * @why.  Recorded for readers (vlibc-stat -a); again in a fork child.
 */
VLIBC_ENTRY long __vlibc_stat_family(unsigned int family, int bound, const char *why)
{
	struct vlibc_stat_header *h = &vlibc_private()->stat;
	unsigned int i = 0;

	if (family >= VLIBC_STAT_FAMILIES || !h->magic)
		return -EINVAL;
	if (!bound && why)
		for (; i < VLIBC_STAT_WHY_LEN - 1 && why[i]; i++)
			h->why[family][i] = why[i];
	h->why[family][i] = 0;
	/* Atomic: other threads may record other families at the same time. */
	if (bound)
		__atomic_fetch_or(&h->families_bound, 1ULL << family, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&h->families_bound, ~(1ULL << family), __ATOMIC_RELAXED);
	__atomic_fetch_or(&h->families_decided, 1ULL << family, __ATOMIC_RELEASE);
	return 0;
}
