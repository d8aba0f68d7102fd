#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, memcpy section (make bench-memcpy alone): an unmodified
# program (bench/memcpy_bench.c, -fno-builtin: every call through the PLT)
# calling memcpy, memmove, mempcpy and memset on hot buffers, sizes 16 B to
# 256 MiB, run
#
#	glibc      plainly (no preload)
#	vlibc      under vlibc-run with VLIBC_MEMCPY=auto, the measured table
#		   (the family is opt-in: vlibc-run then preloads
#		   libvlibc-memcpy.so)
#	slot       glibc's functions behind libvlibc-memcpy.so's jump slots
#		   (VLIBC_MEMCPY=glibc with that binder): the binding's cost
#	<variant>  under vlibc-run with VLIBC_MEMCPY=<variant>, for each of
#		   BENCH_MEMCPY_VARIANTS (avx2 sse2 vector erms nt pvr)
#
# in BENCH_MEMCPY_ROUNDS rounds; in each round every function runs once
# per variant, the variants in turn.  GB/s (10^9 destination bytes per
# second) is the median over rounds of each process's median of
# BENCH_RUNS timed loops of BENCH_MS milliseconds.  Then the ratio to
# glibc per size and the targets: >= 1.6x glibc at 64 MiB and above,
# >= 0.97x at every smaller size, for memcpy, memmove and memset (mempcpy
# is shown against the same target).  Slow results are reported, never
# failed: the exit status is non-zero only when something is broken.
#
# Usage: O=build bench/memcpy.sh   (BENCH_MEMCPY_ROUNDS, BENCH_MEMCPY_SIZES,
#	BENCH_MEMCPY_FUNCS, BENCH_MEMCPY_VARIANTS, BENCH_RUNS, BENCH_MS)
set -u
export LC_ALL=C
O=${O:-build}
B=$(cd "$O" && pwd) || exit 1
ROUNDS=${BENCH_MEMCPY_ROUNDS:-3}
SIZES=${BENCH_MEMCPY_SIZES:-"16 32 64 128 256 512 1024 2048 4096 8192 16384 32768 65536 262144 1048576 4194304 16777216 67108864 134217728 268435456"}
FUNCS=${BENCH_MEMCPY_FUNCS:-"memcpy memmove mempcpy memset"}
VARIANTS=${BENCH_MEMCPY_VARIANTS-"slot avx2 sse2 vector erms nt pvr"}
export BENCH_RUNS=${BENCH_RUNS:-5} BENCH_MS=${BENCH_MS:-10}
BIG=67108864		# from here on the target is 1.6x

unset VLIBC VLIBC_IMAGE VLIBC_DISABLE VLIBC_DEBUG LD_PRELOAD
for v in $(env | sed -n 's/^\(VLIBC_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export VLIBC_IMAGE=$B/linux-vlibc.so.1
PROG=$B/bench/memcpy_bench
RUN=$B/vlibc-run
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

memcpy_broken() {
	echo "bench/memcpy: $*" >&2
	exit 1
}

for f in "$PROG" "$RUN" "$VLIBC_IMAGE" "$B/libvlibc-memcpy.so"; do
	[ -e "$f" ] || memcpy_broken "$f is missing: run make bench-memcpy"
done

human() {
	awk -v n="$1" 'BEGIN {
		if (n >= 1048576) printf "%dM", n / 1048576;
		else if (n >= 1024) printf "%dK", n / 1024;
		else printf "%d", n }'
}

echo "== memcpy family: unmodified program, hot buffers, GB/s (bench/memcpy.sh)"
echo "  $ROUNDS rounds; each figure: median over rounds of the median of" \
     "$BENCH_RUNS loops of ${BENCH_MS} ms"
level=$(VLIBC_MEMCPY=auto VLIBC_DEBUG=1 "$RUN" "$PROG" memcpy 16 2>&1 >/dev/null |
	sed -n 's/^vlibc: memcpy: level \([a-z0-9]*\).*/\1/p')
[ -n "$level" ] || memcpy_broken "the binder did not put memcpy on vlibc"
echo "  vlibc default: level $level; variants: VLIBC_MEMCPY=<variant>"

ALL="glibc vlibc $VARIANTS"
for r in $(seq "$ROUNDS"); do
	for fn in $FUNCS; do
		for v in $ALL; do
			case $v in
			glibc)	"$PROG" "$fn" $SIZES ;;
			vlibc)	VLIBC_MEMCPY=auto "$RUN" "$PROG" "$fn" $SIZES ;;
			slot)	VLIBC_MEMCPY=glibc LD_PRELOAD=$B/libvlibc-memcpy.so \
				"$PROG" "$fn" $SIZES ;;
			*)	VLIBC_MEMCPY=$v "$RUN" "$PROG" "$fn" $SIZES ;;
			esac > "$TMP/out" || memcpy_broken "$v $fn failed"
			awk -v v="$v" '{ print v, $1, $2, $3 }' "$TMP/out" >> "$TMP/all"
		done
	done
done

# Median over rounds: variant fn size -> GB/s.
awk '{ k = $1 " " $2 " " $3; n[k]++; v[k, n[k]] = $4 }
     END {
	for (k in n) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		print k, med
	}
     }' "$TMP/all" > "$TMP/med"

get() {
	awk -v k="$1 $2 $3" '$1 " " $2 " " $3 == k { print $4 }' "$TMP/med"
}

met=0 missed=0
for fn in $FUNCS; do
	echo
	printf "  %-8s %8s %8s %7s %-8s" "$fn" "glibc" "vlibc" "ratio" "target"
	for v in $VARIANTS; do printf " %8s" "$v"; done
	echo
	for n in $SIZES; do
		g=$(get glibc "$fn" "$n")
		x=$(get vlibc "$fn" "$n")
		[ -n "$g" ] && [ -n "$x" ] || memcpy_broken "no result for $fn $n"
		want=0.97
		[ "$n" -ge "$BIG" ] && want=1.6
		res=$(awk -v g="$g" -v x="$x" -v w="$want" 'BEGIN {
			r = x / g; printf "%.2fx %s", r, (r >= w) ? "met" : "NOT-MET" }')
		case $res in *NOT-MET) missed=$((missed + 1)) ;; *) met=$((met + 1)) ;; esac
		printf "  %-8s %8.2f %8.2f %7s %-8s" "$(human "$n")" "$g" "$x" \
			"${res% *}" "${want}x:${res#* }"
		for v in $VARIANTS; do
			y=$(get "$v" "$fn" "$n")
			printf " %7.2fx" "$(awk -v g="$g" -v y="$y" 'BEGIN { print y / g }')"
		done
		echo
	done
done
echo
echo "  targets (>= 0.97x glibc below 64M, >= 1.6x from 64M): $met met, $missed not met"
echo "  variant columns: the variant's GB/s over glibc's"
exit 0
