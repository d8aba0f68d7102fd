// SPDX-License-Identifier: GPL-2.0
/*
 * arc4random(), arc4random_buf(), arc4random_uniform() with the standard
 * prototypes: they set no errno, so the binder points the application's
 * PLT slots straight here.  As in glibc, an interrupted read is retried
 * and no entropy at all is fatal.
 */
#include <linux/errno.h>
#include <vlibc/fatal.h>
#include <vlibc/getrandom.h>
#include <vlibc/stat.h>

static void arc4random_fill(void *buf, size_t len)
{
	void *state = vlibc_getrandom_thread_state();
	size_t state_len = state ? vlibc_getrandom_state_size() : 0;
	unsigned char *p = buf;

	while (len) {
		long r = vlibc_getrandom(p, len, 0, state, state_len);

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0)
			vlibc_fatal("Fatal glibc error: cannot get entropy for arc4random");
		p += r;
		len -= r;
	}
}

VLIBC_ENTRY void __vlibc_arc4random_buf(void *buf, size_t len)
{
	vlibc_stat_inc(VLIBC_STAT_arc4random_buf);
	arc4random_fill(buf, len);
}

VLIBC_ENTRY uint32_t __vlibc_arc4random(void)
{
	uint32_t v;

	vlibc_stat_inc(VLIBC_STAT_arc4random);
	arc4random_fill(&v, sizeof(v));
	return v;
}

/*
 * Uniform in [0, upper) without modulo bias: reject the values below
 * 2^32 mod upper, so that what is left is whole copies of [0, upper).
 */
VLIBC_ENTRY uint32_t __vlibc_arc4random_uniform(uint32_t upper)
{
	uint32_t min, v;

	vlibc_stat_inc(VLIBC_STAT_arc4random_uniform);
	if (upper < 2)
		return 0;
	min = -upper % upper;
	do
		arc4random_fill(&v, sizeof(v));
	while (v < min);
	return v % upper;
}
