/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ISA level of the memcpy family, included by copy.c once per level
 * with these defined:
 *
 *	MEM_L		suffix of the entry points (sse2, avx2, avx512)
 *	MEM_TARGET	the function attribute that enables the level
 *	VB		vector bytes (16, 32, 64)
 *	VT		unaligned vector type of VB bytes
 *	MEM_NTST(p, v)	non-temporal store of a VT to 64-byte aligned p
 *
 * Sizes up to 2 vectors: two overlapping loads and stores of the widest
 * width that fits (no loop, no branch on alignment); up to 4 and 8
 * vectors: the same with 4 and 8.  Larger copies go out of line to
 * move_large(): rep movsb, non-temporal stores or process_vm_readv where
 * the private region enables them for disjoint buffers, otherwise a loop
 * of 4 vectors with stores aligned on the destination, forward or
 * backward as memmove() needs.  Every loaded value is loaded before any
 * store that could overlap it, so all of this is memmove().
 *
 * Counted (<vlibc/stat.h>): each call, and its bytes by the path that
 * did them; short sizes last, as a tail call, so that they stay leaves.
 */

#define MEM_CAT_(a, b)	a##_##b
#define MEM_CAT(a, b)	MEM_CAT_(a, b)
#define F(name)		MEM_CAT(name, MEM_L)

#define LD(p)		(*(const VT *)(p))
#define ST(p, v)	(*(VT *)(p) = (v))

/* 0 < n < VB; also n == 0. */
static __always_inline MEM_TARGET void F(copy_small)(char *d, const char *s,
						      size_t n)
{
#if VB > 32
	if (n >= 32) {
		vlibc_v32 a = *(const vlibc_v32 *)s;
		vlibc_v32 b = *(const vlibc_v32 *)(s + n - 32);

		*(vlibc_v32 *)d = a;
		*(vlibc_v32 *)(d + n - 32) = b;
		return;
	}
#endif
#if VB > 16
	if (n >= 16) {
		vlibc_v16 a = *(const vlibc_v16 *)s;
		vlibc_v16 b = *(const vlibc_v16 *)(s + n - 16);

		*(vlibc_v16 *)d = a;
		*(vlibc_v16 *)(d + n - 16) = b;
		return;
	}
#endif
	if (n >= 8) {
		uint64_t a = *(const vlibc_u64 *)s;
		uint64_t b = *(const vlibc_u64 *)(s + n - 8);

		*(vlibc_u64 *)d = a;
		*(vlibc_u64 *)(d + n - 8) = b;
		return;
	}
	if (n >= 4) {
		uint32_t a = *(const vlibc_u32 *)s;
		uint32_t b = *(const vlibc_u32 *)(s + n - 4);

		*(vlibc_u32 *)d = a;
		*(vlibc_u32 *)(d + n - 4) = b;
		return;
	}
	if (n >= 2) {
		uint16_t a = *(const vlibc_u16 *)s;
		uint16_t b = *(const vlibc_u16 *)(s + n - 2);

		*(vlibc_u16 *)d = a;
		*(vlibc_u16 *)(d + n - 2) = b;
		return;
	}
	if (n)
		*d = *s;
}

/* n > 8 * VB, d and s overlap with d above s: copy from the end down. */
static __attribute__((noinline)) MEM_TARGET void F(move_back)(char *d,
							      const char *s,
							      size_t n)
{
	VT h0 = LD(s), h1 = LD(s + VB), h2 = LD(s + 2 * VB), h3 = LD(s + 3 * VB);
	VT last = LD(s + n - VB);
	char *end = (char *)((uintptr_t)(d + n) & ~(uintptr_t)(VB - 1));
	const char *send = s + (end - d);
	size_t rem = end - d;

	while (rem > 4 * VB) {
		VT a, b, c, e;

		send -= 4 * VB;
		end -= 4 * VB;
		a = LD(send + 3 * VB);
		b = LD(send + 2 * VB);
		c = LD(send + VB);
		e = LD(send);
		ST(end + 3 * VB, a);
		ST(end + 2 * VB, b);
		ST(end + VB, c);
		ST(end, e);
		rem -= 4 * VB;
	}
	ST(d + n - VB, last);
	ST(d + 3 * VB, h3);
	ST(d + 2 * VB, h2);
	ST(d + VB, h1);
	ST(d, h0);
}

/* n > 8 * VB, forward (disjoint, or d below s). */
static __always_inline MEM_TARGET void F(move_fwd)(char *d, const char *s,
						    size_t n)
{
	VT head = LD(s);
	VT t0 = LD(s + n - 4 * VB), t1 = LD(s + n - 3 * VB);
	VT t2 = LD(s + n - 2 * VB), t3 = LD(s + n - VB);
	size_t skew = VB - ((uintptr_t)d & (VB - 1));
	char *dd = d + skew;
	const char *ss = s + skew;
	size_t rem = n - skew;

	while (rem > 4 * VB) {
		VT a = LD(ss), b = LD(ss + VB), c = LD(ss + 2 * VB);
		VT e = LD(ss + 3 * VB);

		ST(dd, a);
		ST(dd + VB, b);
		ST(dd + 2 * VB, c);
		ST(dd + 3 * VB, e);
		dd += 4 * VB;
		ss += 4 * VB;
		rem -= 4 * VB;
	}
	ST(d + n - 4 * VB, t0);
	ST(d + n - 3 * VB, t1);
	ST(d + n - 2 * VB, t2);
	ST(d + n - VB, t3);
	ST(d, head);
}

/* n > 8 * VB, disjoint: streaming stores on 64-byte lines, then sfence. */
static __attribute__((noinline)) MEM_TARGET void F(copy_nt)(char *d,
							    const char *s,
							    size_t n)
{
	size_t skew = -(uintptr_t)d & 63;
	char *dd = d + skew;
	const char *ss = s + skew;
	size_t rem = n - skew;

	size_t i;

	for (i = 0; i < 64; i += VB)	/* up to the first line, and past */
		ST(d + i, LD(s + i));
	while (rem >= 4 * VB) {
		VT a = LD(ss), b = LD(ss + VB), c = LD(ss + 2 * VB);
		VT e = LD(ss + 3 * VB);

		MEM_NTST(dd, a);
		MEM_NTST(dd + VB, b);
		MEM_NTST(dd + 2 * VB, c);
		MEM_NTST(dd + 3 * VB, e);
		dd += 4 * VB;
		ss += 4 * VB;
		rem -= 4 * VB;
	}
	__asm__ volatile ("sfence" ::: "memory");
	if (rem) {
		/* Less than 4 vectors left; the copy is longer than 8. */
		VT t0 = LD(s + n - 4 * VB), t1 = LD(s + n - 3 * VB);
		VT t2 = LD(s + n - 2 * VB), t3 = LD(s + n - VB);

		ST(d + n - 4 * VB, t0);
		ST(d + n - 3 * VB, t1);
		ST(d + n - 2 * VB, t2);
		ST(d + n - VB, t3);
	}
}

/* A call that took @path for its @n bytes: counted; returns @d. */
static __always_inline void *F(counted)(void *d, enum vlibc_stat_counter path,
					size_t n)
{
	return (void *)vlibc_stat_add2_return(VLIBC_STAT_mem_calls, 1, path, n,
					      (long)d);
}

/* n > 8 * VB; returns d. */
static __attribute__((noinline)) MEM_TARGET void *F(move_large)(char *d,
								const char *s,
								size_t n)
{
	const struct vlibc_memcpy_state *m = &vlibc_private()->memcpy;

	if ((size_t)(d - s) < n) {		/* d in [s, s + n) */
		if (d != s)
			F(move_back)(d, s, n);
		return F(counted)(d, VLIBC_STAT_mem_bytes_vector, n);
	}
	if ((size_t)(s - d) >= n) {		/* disjoint */
		/* A partial copy (a fault on the way) is redone below. */
		if (unlikely(m->pvr_min) && n >= m->pvr_min &&
		    vlibc_memcpy_pvr(d, s, n))
			return F(counted)(d, VLIBC_STAT_mem_bytes_pvr, n);
		if (n >= m->bulk_min && n < m->bulk_max) {
			vlibc_mem_rep_movsb(d, s, n);
			return F(counted)(d, VLIBC_STAT_mem_bytes_rep, n);
		}
		if (m->nt_min && n >= m->nt_min) {
			F(copy_nt)(d, s, n);
			return F(counted)(d, VLIBC_STAT_mem_bytes_nt, n);
		}
	}
	F(move_fwd)(d, s, n);
	return F(counted)(d, VLIBC_STAT_mem_bytes_vector, n);
}

/* The whole of memmove() for one level, inlined into each entry point. */
static __always_inline MEM_TARGET void *F(move)(char *d, const char *s, size_t n)
{
	if (likely(n <= 2 * VB)) {
		if (n >= VB) {
			VT a = LD(s), b = LD(s + n - VB);

			ST(d, a);
			ST(d + n - VB, b);
			return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
		}
		F(copy_small)(d, s, n);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	if (n <= 4 * VB) {
		VT a = LD(s), b = LD(s + VB);
		VT c = LD(s + n - 2 * VB), e = LD(s + n - VB);

		ST(d, a);
		ST(d + VB, b);
		ST(d + n - 2 * VB, c);
		ST(d + n - VB, e);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	if (n <= 8 * VB) {
		VT a = LD(s), b = LD(s + VB), c = LD(s + 2 * VB);
		VT e = LD(s + 3 * VB);
		VT w = LD(s + n - 4 * VB), x = LD(s + n - 3 * VB);
		VT y = LD(s + n - 2 * VB), z = LD(s + n - VB);

		ST(d, a);
		ST(d + VB, b);
		ST(d + 2 * VB, c);
		ST(d + 3 * VB, e);
		ST(d + n - 4 * VB, w);
		ST(d + n - 3 * VB, x);
		ST(d + n - 2 * VB, y);
		ST(d + n - VB, z);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	return F(move_large)(d, s, n);
}

/* --- memset ---------------------------------------------------------------- */

static __always_inline MEM_TARGET void F(set_small)(char *d, int c, size_t n)
{
	uint64_t x = (uint8_t)c * 0x0101010101010101ULL;

#if VB > 32
	if (n >= 32) {
		vlibc_v32 v = (vlibc_v32){} + (char)c;

		*(vlibc_v32 *)d = v;
		*(vlibc_v32 *)(d + n - 32) = v;
		return;
	}
#endif
#if VB > 16
	if (n >= 16) {
		vlibc_v16 v = (vlibc_v16){} + (char)c;

		*(vlibc_v16 *)d = v;
		*(vlibc_v16 *)(d + n - 16) = v;
		return;
	}
#endif
	if (n >= 8) {
		*(vlibc_u64 *)d = x;
		*(vlibc_u64 *)(d + n - 8) = x;
		return;
	}
	if (n >= 4) {
		*(vlibc_u32 *)d = (uint32_t)x;
		*(vlibc_u32 *)(d + n - 4) = (uint32_t)x;
		return;
	}
	if (n >= 2) {
		*(vlibc_u16 *)d = (uint16_t)x;
		*(vlibc_u16 *)(d + n - 2) = (uint16_t)x;
		return;
	}
	if (n)
		*d = (char)c;
}

static __attribute__((noinline)) MEM_TARGET void F(set_large)(char *d, int c,
							      size_t n)
{
	const struct vlibc_memcpy_state *m = &vlibc_private()->memcpy;
	VT v = (VT){} + (char)c;
	size_t skew, rem;
	char *dd;

	if (n >= m->bulk_set_min && n < m->bulk_set_max) {
		vlibc_mem_rep_stosb(d, c, n);
		F(counted)(d, VLIBC_STAT_mem_bytes_rep, n);
		return;
	}
	ST(d, v);
	ST(d + VB, v);
	ST(d + 2 * VB, v);
	ST(d + 3 * VB, v);
	if (m->nt_set_min && n >= m->nt_set_min) {
		skew = -(uintptr_t)d & 63;
		dd = d + skew;
		rem = n - skew;
		while (rem >= 4 * VB) {
			MEM_NTST(dd, v);
			MEM_NTST(dd + VB, v);
			MEM_NTST(dd + 2 * VB, v);
			MEM_NTST(dd + 3 * VB, v);
			dd += 4 * VB;
			rem -= 4 * VB;
		}
		__asm__ volatile ("sfence" ::: "memory");
		F(counted)(d, VLIBC_STAT_mem_bytes_nt, n);
	} else {
		F(counted)(d, VLIBC_STAT_mem_bytes_vector, n);
		skew = VB - ((uintptr_t)d & (VB - 1));
		dd = d + skew;
		rem = n - skew;
		while (rem > 4 * VB) {
			ST(dd, v);
			ST(dd + VB, v);
			ST(dd + 2 * VB, v);
			ST(dd + 3 * VB, v);
			dd += 4 * VB;
			rem -= 4 * VB;
		}
	}
	ST(d + n - 4 * VB, v);
	ST(d + n - 3 * VB, v);
	ST(d + n - 2 * VB, v);
	ST(d + n - VB, v);
}

static __always_inline MEM_TARGET void *F(set)(char *d, int c, size_t n)
{
	VT v = (VT){} + (char)c;

	if (likely(n <= 2 * VB)) {
		if (n >= VB) {
			ST(d, v);
			ST(d + n - VB, v);
			return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
		}
		F(set_small)(d, c, n);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	if (n <= 4 * VB) {
		ST(d, v);
		ST(d + VB, v);
		ST(d + n - 2 * VB, v);
		ST(d + n - VB, v);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	if (n <= 8 * VB) {
		ST(d, v);
		ST(d + VB, v);
		ST(d + 2 * VB, v);
		ST(d + 3 * VB, v);
		ST(d + n - 4 * VB, v);
		ST(d + n - 3 * VB, v);
		ST(d + n - 2 * VB, v);
		ST(d + n - VB, v);
		return F(counted)(d, VLIBC_STAT_mem_bytes_small, n);
	}
	F(set_large)(d, c, n);
	return d;
}

/* --- the entry points ------------------------------------------------------ */

/* memcpy() and memmove() are one function, as in glibc. */
static MEM_TARGET void *F(memmove)(void *dst, const void *src, size_t n)
{
	return F(move)(dst, src, n);
}

VLIBC_ENTRY void *F(__vlibc_memmove)(void *dst, const void *src, size_t n)
	__attribute__((alias(MEM_STR(F(memmove)))));
VLIBC_ENTRY void *F(__vlibc_memcpy)(void *dst, const void *src, size_t n)
	__attribute__((alias(MEM_STR(F(memmove)))));

static MEM_TARGET void *F(mempcpy)(void *dst, const void *src, size_t n)
{
	return (char *)F(move)(dst, src, n) + n;
}

VLIBC_ENTRY void *F(__vlibc_mempcpy)(void *dst, const void *src, size_t n)
	__attribute__((alias(MEM_STR(F(mempcpy)))));

static MEM_TARGET void *F(memset)(void *dst, int c, size_t n)
{
	return F(set)(dst, c, n);
}

VLIBC_ENTRY void *F(__vlibc_memset)(void *dst, int c, size_t n)
	__attribute__((alias(MEM_STR(F(memset)))));

/* The fortified forms: abort as glibc's __chk_fail() does, else tail-jump. */
VLIBC_ENTRY MEM_TARGET void *F(__vlibc_memcpy_chk)(void *dst, const void *src,
						   size_t n, size_t dstlen)
{
	if (unlikely(dstlen < n))
		vlibc_memcpy_chk_fail();
	return F(memmove)(dst, src, n);
}

VLIBC_ENTRY MEM_TARGET void *F(__vlibc_memmove_chk)(void *dst, const void *src,
						    size_t n, size_t dstlen)
{
	if (unlikely(dstlen < n))
		vlibc_memcpy_chk_fail();
	return F(memmove)(dst, src, n);
}

VLIBC_ENTRY MEM_TARGET void *F(__vlibc_mempcpy_chk)(void *dst, const void *src,
						    size_t n, size_t dstlen)
{
	if (unlikely(dstlen < n))
		vlibc_memcpy_chk_fail();
	return F(mempcpy)(dst, src, n);
}

VLIBC_ENTRY MEM_TARGET void *F(__vlibc_memset_chk)(void *dst, int c, size_t n,
						   size_t dstlen)
{
	if (unlikely(dstlen < n))
		vlibc_memcpy_chk_fail();
	return F(memset)(dst, c, n);
}

#undef LD
#undef ST
#undef F
