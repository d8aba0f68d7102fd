// SPDX-License-Identifier: GPL-2.0
/*
 * The best native alternative: this program finds __vdso_getrandom in the
 * vDSO itself, allocates one opaque state the way the kernel asks for it
 * and calls the vDSO directly, as a libc with vgetrandom support would
 * (glibc 2.41 does; Debian 12's 2.36 does not).  The numbers are the floor
 * vlibc is measured against.
 *
 * Protocol (Linux 6.11+): calling vgetrandom(NULL, 0, 0, &params, ~0UL)
 * fills in the state size and the prot/flags to mmap states with; a
 * state must not straddle a page; one state per thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"
#include "vdso_sym.h"

#define LEN		16
#define CACHE_LINE	64

/* struct vgetrandom_opaque_params; Debian 12's uapi headers predate it. */
struct vdso_getrandom_params {
	unsigned int	size_of_opaque_state;
	unsigned int	mmap_prot;
	unsigned int	mmap_flags;
	unsigned int	reserved[13];
};

typedef ssize_t (*vgetrandom_fn)(void *buf, size_t len, unsigned int flags,
				 void *state, size_t state_len);

static struct {
	vgetrandom_fn	fn;
	void		*state;
	size_t		state_len;
} vdso;

static unsigned char buf[LEN];

/* Exit 0 with a line the runner shows: no vDSO vgetrandom is not a failure. */
static void unavailable(const char *why)
{
	printf("unavailable %s\n", why);
	exit(0);
}

static void vdso_find(void)
{
	const void *ehdr = (const void *)getauxval(AT_SYSINFO_EHDR);

	if (!ehdr)
		unavailable("no-vDSO");
	vdso.fn = (vgetrandom_fn)bench_vdso_sym(ehdr, "__vdso_getrandom",
						"LINUX_2.6");
	if (!vdso.fn)
		unavailable("no-__vdso_getrandom");
}

/* One state, in memory mapped with the prot and flags the kernel gave. */
static void vdso_state_alloc(void)
{
	struct vdso_getrandom_params params = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	size_t aligned;
	void *mem;

	if (vdso.fn(NULL, 0, 0, &params, ~0UL))
		unavailable("vgetrandom-params-query-failed");
	aligned = (params.size_of_opaque_state + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	if (!aligned || aligned > (size_t)page)
		unavailable("implausible-state-size");
	mem = mmap(NULL, page, params.mmap_prot, params.mmap_flags, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap vgetrandom state");
		exit(1);
	}
	vdso.state = mem;	/* page aligned: it cannot straddle a page */
	vdso.state_len = params.size_of_opaque_state;
}

static ssize_t vdso_getrandom(void *p, size_t len, unsigned int flags)
{
	return vdso.fn(p, len, flags, vdso.state, vdso.state_len);
}

static void loop_getrandom(unsigned long calls)
{
	while (calls--) {
		if (vdso_getrandom(buf, LEN, 0) != LEN) {
			fprintf(stderr, "__vdso_getrandom: short or failed\n");
			exit(1);
		}
	}
}

/* What arc4random_buf() is on top of vgetrandom: fill, retry on EINTR. */
static void vdso_fill(unsigned char *p, size_t len)
{
	while (len) {
		ssize_t r = vdso_getrandom(p, len, 0);

		if (r == -EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "__vdso_getrandom: %zd\n", r);
			exit(1);
		}
		p += r;
		len -= r;
	}
}

static void loop_arc4random_buf(unsigned long calls)
{
	while (calls--)
		vdso_fill(buf, LEN);
}

int main(void)
{
	vdso_find();
	vdso_state_alloc();
	bench_report("getrandom16", loop_getrandom);
	bench_check_filled("__vdso_getrandom", buf, LEN);
	bench_report("arc4random_buf16", loop_arc4random_buf);
	bench_check_filled("__vdso_getrandom", buf, LEN);
	return 0;
}
