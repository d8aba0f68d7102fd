// SPDX-License-Identifier: GPL-2.0
/*
 * getrandom() on the kernel's vDSO vgetrandom (Linux 6.11+).
 *
 * The caller owns the opaque per-thread states, allocated per the kernel's
 * protocol (__vlibc_getrandom(NULL, 0, 0, &params, ~0UL) answers the
 * allocation parameters); the image keeps only the vDSO's entry point and
 * the caller's attachment in its private region.  Without a state, without
 * vgetrandom, or for a buffer the vDSO must not be handed, the system call
 * answers.
 */
#include <linux/errno.h>
#include <vlibc/arch/processor.h>
#include <vlibc/arch/syscall.h>
#include <vlibc/arch/thread.h>
#include <vlibc/families.h>
#include <vlibc/getrandom.h>
#include <vlibc/stat.h>

/* Below this nothing is mapped unless vm.mmap_min_addr was lowered. */
#define LOW_ADDR_LIMIT		65536UL

/* GRND_* of <linux/random.h> */
#define GRND_NONBLOCK		0x0001
#define GRND_RANDOM		0x0002
#define GRND_INSECURE		0x0004

void vlibc_getrandom_init(struct vlibc_private *p,
			  const struct vlibc_elf_dyn *vdso)
{
	if (!vdso)
		return;
	p->getrandom.vgetrandom = vlibc_elf_dyn_lookup(vdso, "__vdso_getrandom",
						       VLIBC_ARCH_VDSO_VERSION, 0);
}

static long getrandom_syscall(void *buf, size_t len, unsigned int flags)
{
	return __arch_syscall3(__NR_getrandom, (long)buf, (long)len, flags);
}

/*
 * The vDSO only refuses unknown flag bits; the system call also refuses
 * GRND_RANDOM together with GRND_INSECURE.
 */
static int flags_for_vdso(unsigned int flags)
{
	return !(flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) &&
	       (flags & (GRND_RANDOM | GRND_INSECURE)) !=
		       (GRND_RANDOM | GRND_INSECURE);
}

/*
 * The vDSO writes straight into @buf, so a buffer the system call would
 * refuse with EFAULT must not reach it: addresses outside user space or in
 * the never-mapped low range go to the system call, which answers as it
 * always does.  (A plausible address that is not writable still faults in
 * the vDSO, as with glibc 2.41's vDSO path.)
 */
static int buffer_plausible(const void *buf, size_t len)
{
	unsigned long a = (unsigned long)buf;

	return a >= LOW_ADDR_LIMIT && a < VLIBC_ARCH_USER_ADDR_LIMIT &&
	       len <= VLIBC_ARCH_USER_ADDR_LIMIT - a;
}

/* The caller asks vgetrandom's state allocation parameters, no bytes. */
static inline int params_query(const void *buf, size_t len, unsigned int flags,
			       size_t state_len)
{
	return !buf && !len && !flags && state_len == VLIBC_GETRANDOM_PARAMS_QUERY;
}

/*
 * Counted: which of the vDSO and the system call answered (not a query),
 * after it did, so that the count's rare slow path is a tail call.
 */
long vlibc_getrandom(void *buf, size_t len, unsigned int flags,
		     void *state, size_t state_len)
{
	struct vlibc_private *p = vlibc_private();

	if (unlikely(params_query(buf, len, flags, state_len))) {
		if (!p->getrandom.vgetrandom || !state)
			return -ENOSYS;
		return p->getrandom.vgetrandom(0, 0, 0, state, state_len);
	}
	if (!state || !p->getrandom.vgetrandom || !len ||
	    !flags_for_vdso(flags) || !buffer_plausible(buf, len))
		return vlibc_stat_inc_return(VLIBC_STAT_getrandom_syscall,
					     getrandom_syscall(buf, len, flags));
	return vlibc_stat_inc_return(VLIBC_STAT_getrandom_vdso,
				     p->getrandom.vgetrandom(buf, len, flags, state,
							     state_len));
}

/* The calling thread's state, allocated on first use; NULL: none. */
void *vlibc_getrandom_thread_state(void)
{
	struct vlibc_private *p = vlibc_private();
	void *state;

	if (!p->getrandom.thread_slot)
		return 0;
	state = __arch_thread_slot_load(p->getrandom.thread_slot);
	if (!state)
		state = p->getrandom.state_alloc();
	return state;
}

size_t vlibc_getrandom_state_size(void)
{
	return vlibc_private()->getrandom.state_size;
}

/* The binder's query of the parameters is no getrandom() call: not counted. */
VLIBC_ENTRY long __vlibc_getrandom(void *buf, size_t len, unsigned int flags,
				   void *state, size_t state_len)
{
	if (unlikely(params_query(buf, len, flags, state_len)))
		return vlibc_getrandom(buf, len, flags, state, state_len);
	return vlibc_stat_inc_return(VLIBC_STAT_getrandom,
				     vlibc_getrandom(buf, len, flags, state, state_len));
}

/*
 * The caller keeps each thread's state at @thread_slot bytes from the
 * thread pointer and allocates missing ones with @state_alloc (which also
 * stores the result in the slot, or returns NULL).
 */
VLIBC_ENTRY long __vlibc_getrandom_attach(long thread_slot,
					  void *(*state_alloc)(void),
					  size_t state_size)
{
	struct vlibc_private *p = vlibc_private();

	if (!p->getrandom.vgetrandom)
		return -ENOSYS;
	if (!thread_slot || !state_alloc || !state_size)
		return -EINVAL;
	p->getrandom.state_alloc = state_alloc;
	p->getrandom.state_size = state_size;
	__atomic_store_n(&p->getrandom.thread_slot, thread_slot, __ATOMIC_RELEASE);
	return 0;
}
