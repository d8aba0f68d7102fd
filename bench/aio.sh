#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, POSIX AIO section: unmodified fio, random 4 KiB on one file
# of BENCH_AIO_SIZE_MIB (>= 512) on a disk filesystem, three ways side by
# side in one run:
#
#	vlibc     fio --ioengine=posixaio under vlibc-run
#	glibc     fio --ioengine=posixaio, plain (glibc 2.36's threads)
#	io_uring  fio --ioengine=io_uring, plain (fio's own engine)
#
# for direct reads and writes at depth 1, 8 and 32 and buffered reads of
# the cached file at depth 1, 8 and 32; IOPS and p99 completion latency
# (clat) from fio's JSON report, then the ratios vlibc/glibc and
# vlibc/io_uring against the targets (>= 0.9x io_uring for direct reads
# and writes at depth 32 and cached reads at depth 1).
#
# Every run is short (BENCH_AIO_RUNTIME seconds after BENCH_AIO_RAMP of
# ramp, both in fio's units).  The three rows with a target are measured
# BENCH_AIO_TARGET_ROUNDS times, the others BENCH_AIO_ROUNDS times; over
# rounds the variants take turns and medians are shown (rows marked *).
# The file is written once (fallocate, then data), shared by every run and
# removed at the end.  Slow results are reported, never failed; the exit
# status is non-zero only when something is broken.
#
# Usage: O=build bench/aio.sh   (FIO=path, BENCH_AIO_DIR=dir,
#	BENCH_AIO_SIZE_MIB, BENCH_AIO_RUNTIME, BENCH_AIO_RAMP,
#	BENCH_AIO_ROUNDS, BENCH_AIO_TARGET_ROUNDS,
#	BENCH_AIO_TESTS="dread1 dwrite32 ..." tune it)
set -u
export LC_ALL=C
O=${O:-build}
B=$(cd "$O" && pwd) || exit 1
FIO=${FIO:-fio}
SIZE_MIB=${BENCH_AIO_SIZE_MIB:-512}
RUNTIME=${BENCH_AIO_RUNTIME:-3}
RAMP=${BENCH_AIO_RAMP:-500ms}
ROUNDS=${BENCH_AIO_ROUNDS:-1}
TARGET_ROUNDS=${BENCH_AIO_TARGET_ROUNDS:-3}
TARGETS="dread32 dwrite32 cread1"
TESTS=${BENCH_AIO_TESTS:-"dread1 dread8 dread32 dwrite1 dwrite8 dwrite32 cread1 cread8 cread32"}
VARIANTS="vlibc glibc io_uring"

unset VLIBC VLIBC_IMAGE VLIBC_DISABLE VLIBC_DEBUG LD_PRELOAD
for v in $(env | sed -n 's/^\(VLIBC_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
RUN=$B/vlibc-run
IMAGE=$B/linux-vlibc.so.1

aio_broken() {
	echo "bench/aio: $*" >&2
	exit 1
}

echo "== POSIX AIO: unmodified $FIO, random 4 KiB (bench/aio.sh)"
if ! command -v "$FIO" > /dev/null; then
	echo "  fio is not installed (scripts/bootstrap installs it): skipped"
	exit 0
fi
for f in "$RUN" "$IMAGE" "$B/libvlibc.so"; do
	[ -e "$f" ] || aio_broken "$f is missing: run make bench"
done

# --- the file --------------------------------------------------------------

# A directory on a disk filesystem with room for the file.
aio_dir() {
	local d type avail

	for d in ${BENCH_AIO_DIR:-} "$B" "${TMPDIR:-}" /var/tmp; do
		if [ -z "$d" ] || [ ! -d "$d" ] || [ ! -w "$d" ]; then
			continue
		fi
		type=$(stat -f -c %T "$d")
		case $type in ext2/ext3|xfs|btrfs) ;; *) continue ;; esac
		avail=$(df -Pk "$d" | awk 'NR == 2 { print int($4 / 1024) }')
		[ "$avail" -gt $((SIZE_MIB + 256)) ] || continue
		echo "$d $type"
		return
	done
}

read -r DIR FSTYPE < <(aio_dir)
if [ -z "${DIR:-}" ]; then
	echo "  no disk filesystem (ext4, xfs, btrfs) with $((SIZE_MIB + 256)) MiB free: skipped"
	exit 0
fi
WORK=$(mktemp -d "$DIR/vlibc-aio-bench.XXXXXX") || aio_broken "cannot create a directory in $DIR"
trap 'rm -rf "$WORK"' EXIT
FILE=$WORK/data

# fallocate for the extents, then real data so no read sees a hole and no
# direct write converts an unwritten extent.
make_file() {
	fallocate -l "${SIZE_MIB}M" "$FILE" 2> /dev/null || true
	dd if=/dev/urandom of="$FILE" bs=1M count="$SIZE_MIB" conv=notrunc,fdatasync \
		status=none || aio_broken "cannot write $FILE"
}

# Pull the whole file into the page cache (buffered reads of cached data).
warm_file() {
	dd if="$FILE" of=/dev/null bs=1M status=none || aio_broken "cannot read $FILE"
	dd if="$FILE" of=/dev/null bs=1M status=none
}

cached_percent() {
	command -v fincore > /dev/null || { echo "?"; return; }
	fincore -b -n -o RES,SIZE "$FILE" 2> /dev/null |
		awk '{ if ($2 > 0) printf "%.0f", 100 * $1 / $2; else print "?" }'
}

# --- one fio run -----------------------------------------------------------

# test name -> "rw direct depth"
declare -A TEST_SPEC=(
	[dread1]="randread 1 1" [dread8]="randread 1 8" [dread32]="randread 1 32"
	[dwrite1]="randwrite 1 1" [dwrite8]="randwrite 1 8" [dwrite32]="randwrite 1 32"
	[cread1]="randread 0 1" [cread8]="randread 0 8" [cread32]="randread 0 32"
)
declare -A TEST_LABEL=(
	[dread1]="direct read  qd1" [dread8]="direct read  qd8" [dread32]="direct read  qd32"
	[dwrite1]="direct write qd1" [dwrite8]="direct write qd8" [dwrite32]="direct write qd32"
	[cread1]="cached read  qd1" [cread8]="cached read  qd8" [cread32]="cached read  qd32"
)

# IOPS and p99 clat in µs of direction $2 ("read" or "write") of report $1.
fio_parse() {
	local py

	for py in /usr/bin/python3 python3; do
		command -v "$py" > /dev/null || continue
		"$py" -c 'import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text[text.index("{"):])["jobs"][0][sys.argv[2]]
p99 = d["clat_ns"]["percentile"].get("99.000000", 0)
print("%.0f %.1f %d" % (d["iops"], p99 / 1000.0, d["total_ios"]))' "$1" "$2" && return
	done
	sed -n '/^{/,$p' "$1" | jq -r ".jobs[0].$2 | \"\(.iops) \
		\(.clat_ns.percentile[\"99.000000\"] / 1000) \(.total_ios)\""
}

# fio_run VARIANT TEST: prints "iops p99_us".
fio_run() {
	local v=$1 t=$2 rw direct depth engine=posixaio json=$WORK/report.json
	local cmd=()

	read -r rw direct depth <<< "${TEST_SPEC[$t]}"
	[ "$v" = io_uring ] && engine=io_uring
	[ "$v" = vlibc ] && cmd=(env "VLIBC_IMAGE=$IMAGE" "$RUN")
	cmd+=("$FIO" --name=aio --filename="$FILE" --size="${SIZE_MIB}M"
	      --rw="$rw" --bs=4k --direct="$direct" --ioengine="$engine"
	      --iodepth="$depth" --runtime="$RUNTIME" --ramp_time="$RAMP"
	      --time_based --norandommap --invalidate=0
	      --output-format=json --output="$json")
	"${cmd[@]}" > "$WORK/fio.log" 2>&1 ||
		{ cat "$WORK/fio.log" "$json" >&2; aio_broken "fio failed: ${cmd[*]}"; }
	local iops p99 ios

	read -r iops p99 ios < <(fio_parse "$json" "${rw#rand}")
	[ "${ios:-0}" -gt 0 ] || aio_broken "no I/O in fio's report: ${cmd[*]}"
	echo "$iops $p99"
}

# --- where posixaio is bound under vlibc-run --------------------------------

check_aio_binding() {
	local dbg

	dbg=$(env "VLIBC_IMAGE=$IMAGE" VLIBC_DEBUG=1 "$RUN" "$FIO" --name=probe \
		--filename="$FILE" --size=64k --rw=read --bs=4k --ioengine=posixaio \
		--invalidate=0 --output-format=terse 2>&1 > /dev/null) ||
		aio_broken "fio under vlibc-run failed: $dbg"
	AIO_BOUND=0
	if grep -q '^vlibc: bind aio_read64 -> vlibc' <<< "$dbg" &&
	   ! grep -q '^vlibc: bind aio_[a-z0-9]* -> glibc' <<< "$dbg"; then
		AIO_BOUND=1
		echo "  vlibc: ${IMAGE}; posixaio's aio_* calls bind to vlibc"
		return
	fi
	echo "  NOTE: vlibc's AIO family is not bound here, so the 'vlibc' column is"
	echo "        glibc's AIO behind the preload. The binder said:"
	{ grep -E '^vlibc: (no image|off|family aio)' <<< "$dbg" ||
	  echo "vlibc: no AIO name bound (this binder has no AIO family)"; } |
		sed 's/^/          /'
}

# --- measure ---------------------------------------------------------------

declare -A IOPS P99 S_IOPS S_P99

# median, calc, paired_ratio
. "$(dirname "$0")/lib.sh"

# The variants take turns: round r starts with a different one.
variant_order() {
	local r=$1 list i n

	read -r -a list <<< "$VARIANTS"
	n=${#list[@]}

	for ((i = 0; i < n; i++)); do
		printf '%s ' "${list[$(((i + r) % n))]}"
	done
}

# Rounds of test $1.
rounds_of() {
	case " $TARGETS " in
	*" $1 "*)	echo "$TARGET_ROUNDS" ;;
	*)		echo "$ROUNDS" ;;
	esac
}

measure() {
	local t=$1 r v iops p99 n

	n=$(rounds_of "$t")
	for ((r = 0; r < n; r++)); do
		for v in $(variant_order "$r"); do
			read -r iops p99 < <(fio_run "$v" "$t") || exit 1
			[ -n "$iops" ] || exit 1
			S_IOPS[$v,$t]+=" $iops"
			S_P99[$v,$t]+=" $p99"
		done
	done
	for v in $VARIANTS; do
		# shellcheck disable=SC2086
		IOPS[$v,$t]=$(median ${S_IOPS[$v,$t]})
		# shellcheck disable=SC2086
		P99[$v,$t]=$(median ${S_P99[$v,$t]})
	done
}

row() {
	local t=$1 v line

	local mark=" "

	[ "$(rounds_of "$t")" -gt 1 ] && mark="*"
	line=$(printf '  %-17s%s' "${TEST_LABEL[$t]}" "$mark")
	for v in $VARIANTS; do
		line+=$(printf ' %9.0f %8.1f' "${IOPS[$v,$t]}" "${P99[$v,$t]}")
	done
	line+=$(printf ' %8sx %8sx' "$(calc "${IOPS[vlibc,$t]} / ${IOPS[glibc,$t]}")" \
		"$(calc "${IOPS[vlibc,$t]} / ${IOPS[io_uring,$t]}")")
	echo "$line"
}

header() {
	printf '\n  %-18s %18s %18s %18s %9s %9s\n' "" "vlibc posixaio" \
		"glibc posixaio" "fio io_uring" "vlibc/" "vlibc/"
	printf '  %-18s %9s %8s %9s %8s %9s %8s %9s %9s\n' "random 4 KiB" \
		IOPS "p99 us" IOPS "p99 us" IOPS "p99 us" "glibc" "io_uring"
}

# iops_ratio A B TEST: variant A's IOPS over variant B's in TEST.
iops_ratio() {
	paired_ratio "${S_IOPS[$1,$3]}" "${S_IOPS[$2,$3]}"
}

# Target: vlibc >= 0.9x the io_uring engine.
target_line() {
	local t=$1 ratio

	[ -n "${IOPS[vlibc,$t]:-}" ] || return
	ratio=$(iops_ratio vlibc io_uring "$t")
	printf '  %-18s vlibc %sx io_uring engine, %sx glibc (target >= 0.9x io_uring: %s)\n' \
		"${TEST_LABEL[$t]}:" "$ratio" "$(iops_ratio vlibc glibc "$t")" \
		"$(awk "BEGIN { print ($ratio >= 0.9) ? \"met\" : \"not met\" }")"
}

START=$(date +%s)
DEVICE=$(df -P "$DIR" | awk 'NR == 2 { print $1 }')
echo "  fio: $("$FIO" --version), file: ${SIZE_MIB} MiB on $DIR ($FSTYPE, $DEVICE)"
echo "  each run: $RAMP ramp + $RUNTIME s; rounds: $TARGET_ROUNDS for the target rows," \
	"$ROUNDS for the others (* = median of several, variants taking turns)"
[ "$SIZE_MIB" -ge 512 ] || echo "  (the file is below the 512 MiB the issue asks for)"
make_file
check_aio_binding
for t in $TESTS; do
	[ -n "${TEST_SPEC[$t]:-}" ] || aio_broken "unknown test $t"
done
# Direct runs first: direct writes drop cached pages, the cached runs last.
WARM=0
for t in $TESTS; do
	case $t in c*) continue ;; esac
	measure "$t"
done
for t in $TESTS; do
	case $t in c*) ;; *) continue ;; esac
	if [ "$WARM" = 0 ]; then
		warm_file
		WARM=1
		echo "  page cache before the cached runs: $(cached_percent)% of the file"
	fi
	measure "$t"
done

header
for t in $TESTS; do
	row "$t"
done
echo
echo "  targets (median over $TARGET_ROUNDS rounds of the ratio within a round):"
for t in $TARGETS; do
	target_line "$t"
done
[ "$AIO_BOUND" = 1 ] ||
	echo "  (vlibc's AIO family was not bound: 'vlibc' is glibc behind the preload)"
echo "  AIO section: $(($(date +%s) - START)) s"
exit 0
