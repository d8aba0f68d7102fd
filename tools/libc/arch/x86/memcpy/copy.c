// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy(), memmove(), mempcpy(), memset() and the fortified __*_chk
 * forms, at three ISA levels: __vlibc_<name>_sse2 (every x86-64 CPU),
 * _avx2 and _avx512 (only where __vlibc_memcpy_setup() said so).  The
 * binder binds the public names straight to one level's entry points.
 * __vlibc_<name> without a suffix picks the level from the private region
 * on every call (SSE2 from an all-zero region).
 *
 * The bodies are in template.h; the per-size paths and the thresholds that
 * enable rep movsb/stosb (the bulk instructions), non-temporal stores and
 * process_vm_readv are in Documentation/userspace-api/vlibc-memcpy.rst.
 */
#include <vlibc/memcpy.h>
#include <vlibc/private.h>
#include <vlibc/stat.h>

#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define MEM_STR_(x)	#x
#define MEM_STR(x)	MEM_STR_(x)

typedef char vlibc_v16 __attribute__((vector_size(16), aligned(1), may_alias));
typedef char vlibc_v32 __attribute__((vector_size(32), aligned(1), may_alias));
typedef char vlibc_v64 __attribute__((vector_size(64), aligned(1), may_alias));
typedef uint64_t vlibc_u64 __attribute__((aligned(1), may_alias));
typedef uint32_t vlibc_u32 __attribute__((aligned(1), may_alias));
typedef uint16_t vlibc_u16 __attribute__((aligned(1), may_alias));

static __always_inline void vlibc_mem_rep_movsb(char *d, const char *s, size_t n)
{
	__asm__ volatile ("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static __always_inline void vlibc_mem_rep_stosb(char *d, int c, size_t n)
{
	__asm__ volatile ("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
}

/* Every x86-64 CPU: SSE2. */
#define MEM_L		sse2
#define MEM_TARGET
#define VB		16
#define VT		vlibc_v16
#define MEM_NTST(p, v)	__asm__ ("movntdq %1, %0" : "=m"(*(VT *)(p)) : "x"(v))
#include "template.h"
#undef MEM_L
#undef MEM_TARGET
#undef VB
#undef VT
#undef MEM_NTST

#define MEM_L		avx2
#define MEM_TARGET	__attribute__((target("avx2")))
#define VB		32
#define VT		vlibc_v32
#define MEM_NTST(p, v)	__asm__ ("vmovntdq %1, %0" : "=m"(*(VT *)(p)) : "x"(v))
#include "template.h"
#undef MEM_L
#undef MEM_TARGET
#undef VB
#undef VT
#undef MEM_NTST

#define MEM_L		avx512
#define MEM_TARGET	__attribute__((target("avx512f,avx512bw,avx512vl,avx2")))
#define VB		64
#define VT		vlibc_v64
#define MEM_NTST(p, v)	__asm__ ("vmovntdq %1, %0" : "=m"(*(VT *)(p)) : "v"(v))
#include "template.h"
#undef MEM_L
#undef MEM_TARGET
#undef VB
#undef VT
#undef MEM_NTST

/*
 * The entry points without a suffix: the level from the private region,
 * read on every call (SSE2 from an all-zero region, before
 * __vlibc_init() or after a fork wiped it).
 */
#define MEM_DISPATCH(ret, name, params, args)				\
VLIBC_ENTRY ret __vlibc_##name params					\
{									\
	switch (__atomic_load_n(&vlibc_private()->memcpy.level,	\
				__ATOMIC_RELAXED)) {			\
	case VLIBC_MEM_AVX512:						\
		return __vlibc_##name##_avx512 args;			\
	case VLIBC_MEM_AVX2:						\
		return __vlibc_##name##_avx2 args;			\
	default:							\
		return __vlibc_##name##_sse2 args;			\
	}								\
}

MEM_DISPATCH(void *, memcpy, (void *d, const void *s, size_t n), (d, s, n))
MEM_DISPATCH(void *, memmove, (void *d, const void *s, size_t n), (d, s, n))
MEM_DISPATCH(void *, mempcpy, (void *d, const void *s, size_t n), (d, s, n))
MEM_DISPATCH(void *, memset, (void *d, int c, size_t n), (d, c, n))
MEM_DISPATCH(void *, memcpy_chk, (void *d, const void *s, size_t n, size_t l),
	     (d, s, n, l))
MEM_DISPATCH(void *, memmove_chk, (void *d, const void *s, size_t n, size_t l),
	     (d, s, n, l))
MEM_DISPATCH(void *, mempcpy_chk, (void *d, const void *s, size_t n, size_t l),
	     (d, s, n, l))
MEM_DISPATCH(void *, memset_chk, (void *d, int c, size_t n, size_t l),
	     (d, c, n, l))
