#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, futex locks section: one ordinary pthread program
# (bench/locks_bench.c: N threads around one shared mutex, a critical
# section of ~50 ns of fixed work, a few ns of private work outside) at 1,
# 2, 4, 8 and 64 threads, four ways side by side in one run:
#
#	glibc     plain, the default mutex (PTHREAD_MUTEX_INITIALIZER)
#	adaptive  plain, PTHREAD_MUTEX_ADAPTIVE_NP (glibc's spinning mutex)
#	vlibc     the default mutex under vlibc-run (spin briefly, then futex)
#	nospin    the same with VLIBC_LOCKS=nospin (futex only)
#
# operations per second (median over BENCH_ROUNDS rounds in which the
# variants take turns), futex system calls per million operations (perf
# stat on the futex tracepoints, one extra run per row), the ratios to
# glibc's default and adaptive mutexes, and lock+unlock uncontended in ns,
# glibc against vlibc.  Then the targets: >= 1.5x glibc default at 2, 4
# and 8 threads, >= 1.0x glibc adaptive, uncontended no slower than glibc;
# at 64 threads (far more threads than cores, where spinning can only
# delay the owner) no worse than glibc's default mutex.
#
# Whether the program really had the locks family bound to vlibc is
# checked first (VLIBC_DEBUG=1); when it is not, the table says so and the
# vlibc rows are glibc's figures behind the preload.  Slow results are
# reported, never failed; the exit status is non-zero only when something
# is broken.
#
# Usage: O=build bench/locks.sh   (BENCH_ROUNDS, BENCH_LOCKS_MS per run,
#	BENCH_LOCKS_THREADS="1 2 4 8 64", BENCH_LOCKS_PAIRS uncontended tune it;
#	BENCH_LOCKS_SAMPLES=1 also prints every round's figure under its row)
set -u
export LC_ALL=C
O=${O:-build}
B=$(cd "$O" && pwd) || exit 1
ROUNDS=${BENCH_ROUNDS:-5}
MS=${BENCH_LOCKS_MS:-500}
THREADS=${BENCH_LOCKS_THREADS:-"1 2 4 8 64"}
PAIRS=${BENCH_LOCKS_PAIRS:-50000000}
SHOW_SAMPLES=${BENCH_LOCKS_SAMPLES:-0}
VARIANTS="glibc adaptive vlibc nospin"
UNC_VARIANTS="glibc vlibc"
TARGET_THREADS="2 4 8"
OVERSUBSCRIBED_THREADS=64	# target: no worse than glibc's default mutex
FUTEX_EVENTS="syscalls:sys_enter_futex syscalls:sys_enter_futex_wait
	      syscalls:sys_enter_futex_wake syscalls:sys_enter_futex_waitv"

unset VLIBC VLIBC_IMAGE VLIBC_DISABLE VLIBC_DEBUG LD_PRELOAD
for v in $(env | sed -n 's/^\(VLIBC_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
PROG=$B/bench/locks_bench
RUN=$B/vlibc-run
IMAGE=$B/linux-vlibc.so.1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

declare -A LABEL=(
	[glibc]="glibc default mutex"
	[adaptive]="glibc PTHREAD_MUTEX_ADAPTIVE_NP"
	[vlibc]="vlibc-run, default mutex"
	[nospin]="vlibc-run, VLIBC_LOCKS=nospin"
)

locks_broken() {
	echo "bench/locks: $*" >&2
	exit 1
}

# median, calc, paired_ratio
. "$(dirname "$0")/lib.sh"

# field NAME LINE: the value of NAME=value in the program's output line.
field() {
	local kv

	for kv in $2; do
		if [ "${kv%%=*}" = "$1" ]; then
			echo "${kv#*=}"
			return
		fi
	done
}

# variant_cmd VARIANT: the command (in CMD) that runs the program as VARIANT;
# KIND is the mutex kind it asks for.
variant_cmd() {
	case $1 in
	glibc)		CMD=("$PROG"); KIND=default ;;
	adaptive)	CMD=("$PROG"); KIND=adaptive ;;
	vlibc)		CMD=(env "VLIBC_IMAGE=$IMAGE" "$RUN" "$PROG"); KIND=default ;;
	nospin)		CMD=(env "VLIBC_IMAGE=$IMAGE" VLIBC_LOCKS=nospin "$RUN" "$PROG")
			KIND=default ;;
	*)		locks_broken "unknown variant $1" ;;
	esac
}

# run VARIANT ARGS...: the program's output line.
run() {
	local v=$1 out

	shift
	variant_cmd "$v"
	out=$("${CMD[@]}" "$@" 2> "$TMP/err") ||
		{ cat "$TMP/err" >&2; locks_broken "$v: ${CMD[*]} $* failed"; }
	echo "$out"
}

# The variants take turns: round r starts with a different one.
variant_order() {
	local list i n

	read -r -a list <<< "$2"
	n=${#list[@]}
	for ((i = 0; i < n; i++)); do
		printf '%s ' "${list[$((($1 + i) % n))]}"
	done
}

# --- is the locks family bound under vlibc-run? ------------------------------

declare -A BOUND SAID

check_binding() {
	local v dbg

	for v in vlibc nospin; do
		variant_cmd "$v"
		dbg=$(VLIBC_DEBUG=1 "${CMD[@]}" 2 20 "$KIND" 2>&1 > /dev/null) ||
			locks_broken "$v: the program failed under vlibc-run: $dbg"
		if grep -q '^vlibc: family locks -> vlibc' <<< "$dbg" &&
		   ! grep -q '^vlibc: bind pthread_mutex_[a-z_0-9]* -> glibc' <<< "$dbg"; then
			BOUND[$v]=1
			continue
		fi
		BOUND[$v]=0
		SAID[$v]=$({ grep -E '^vlibc: (no image|off|family locks|bind pthread_mutex)' <<< "$dbg" ||
			     echo "no 'family locks' line: this binder has no locks family"; } |
			   sed 's/^vlibc: //' | paste -sd ';' | sed 's/;/; /g')
	done
	# The binder maps the image at the first call of a name it binds, so
	# with no locks family it does not even report the image.
	IMAGE_LINE=$(grep -m1 '^vlibc: image' <<< "$dbg" ||
		     echo "vlibc: image $IMAGE (not reported: the binder bound no name of this program)")
}

# --- futex calls (perf stat on the tracepoints) ------------------------------

PERF_EVENTS=
PERF_WHY=

perf_probe() {
	local ev err=

	if ! command -v perf > /dev/null; then
		PERF_WHY="perf is not installed (linux-perf)"
		return
	fi
	for ev in $FUTEX_EVENTS; do
		if perf stat -x, -o /dev/null -e "$ev" -- true 2> "$TMP/perf.err"; then
			PERF_EVENTS+="${PERF_EVENTS:+,}$ev"
		elif [ -z "$err" ]; then
			err=$(grep -m1 -iE 'error|not found|permission|paranoid' "$TMP/perf.err")
		fi
	done
	[ -n "$PERF_EVENTS" ] ||
		PERF_WHY="perf stat cannot count the futex tracepoints here (${err:-no reason given})"
}

# perf_futex VARIANT THREADS: "futex_calls ops" of one run under perf stat.
perf_futex() {
	local v=$1 t=$2 out csv=$TMP/perf.csv

	variant_cmd "$v"
	out=$(perf stat -x, -o "$csv" -e "$PERF_EVENTS" -- "${CMD[@]}" "$t" "$MS" "$KIND" \
		2> "$TMP/perf.err") || { head -1 "$TMP/perf.err"; return 1; }
	awk -F, -v ops="$(field ops "$out")" '
		$3 ~ /^syscalls:/ { if ($1 ~ /^[0-9]+$/) n += $1; else bad = 1; seen = 1 }
		END { if (!seen || bad || ops == "") exit 1; print n, ops }' "$csv" ||
		{ echo "perf stat gave no futex counts"; return 1; }
}

# --- measure ---------------------------------------------------------------

declare -A S_OPS OPS S_UNC UNC FUTEX
S_CS=

measure() {
	local r t v out

	for ((r = 0; r < ROUNDS; r++)); do
		for t in $THREADS; do
			for v in $(variant_order "$r" "$VARIANTS"); do
				variant_cmd "$v"
				out=$(run "$v" "$t" "$MS" "$KIND") || exit 1
				S_OPS[$v,$t]+=" $(field ops_per_s "$out")"
				S_CS+=" $(field cs_ns "$out")"
			done
		done
		for v in $(variant_order "$r" "$UNC_VARIANTS"); do
			for m in uncontended uncontended-mt; do
				out=$(run "$v" $m "$PAIRS" default) || exit 1
				S_UNC[$v,$m]+=" $(field ns_per_pair "$out")"
			done
		done
	done
	for t in $THREADS; do
		for v in $VARIANTS; do
			# shellcheck disable=SC2086
			OPS[$v,$t]=$(median ${S_OPS[$v,$t]})
		done
	done
	for v in $UNC_VARIANTS; do
		for m in uncontended uncontended-mt; do
			# shellcheck disable=SC2086
			UNC[$v,$m]=$(median ${S_UNC[$v,$m]})
		done
	done
	# shellcheck disable=SC2086
	CS_NS=$(median $S_CS)
}

measure_futex() {
	local t v res n ops

	[ -n "$PERF_EVENTS" ] || return
	for t in $THREADS; do
		for v in $VARIANTS; do
			if res=$(perf_futex "$v" "$t"); then
				read -r n ops <<< "$res"
				FUTEX[$v,$t]=$(calc "$n * 1000000 / $ops" %.0f)
			else
				FUTEX[$v,$t]=n/a
				[ -n "$PERF_WHY" ] || PERF_WHY="perf stat failed: $res"
			fi
		done
	done
}


# --- report ----------------------------------------------------------------

not_bound_note() {
	local v

	for v in vlibc nospin; do
		[ "${BOUND[$v]}" = 1 ] && continue
		echo "  WARNING: ${LABEL[$v]}: locks family NOT bound to vlibc: figures are glibc's"
		echo "           (binder, VLIBC_DEBUG=1: ${SAID[$v]})"
	done
}

table() {
	local t v futex

	echo
	not_bound_note
	printf '  %7s  %-33s %8s %13s %9s %12s\n' threads variant "Mops/s" \
		"futex/M ops" "vs glibc" "vs adaptive"
	for t in $THREADS; do
		[ "$t" = "${THREADS%% *}" ] || echo
		for v in $VARIANTS; do
			futex=${FUTEX[$v,$t]:-n/a}
			printf '  %7s  %-33s %8s %13s %8sx %11sx\n' "$t" "${LABEL[$v]}" \
				"$(calc "${OPS[$v,$t]} / 1e6")" "$futex" \
				"$(paired_ratio "${S_OPS[$v,$t]}" "${S_OPS[glibc,$t]}")" \
				"$(paired_ratio "${S_OPS[$v,$t]}" "${S_OPS[adaptive,$t]}")"
			[ "$SHOW_SAMPLES" = 1 ] &&
				echo "           Mops/s by round:$(for x in ${S_OPS[$v,$t]}; do calc "$x / 1e6" ' %.2f'; done)"
		done
	done
	[ -n "$PERF_WHY" ] && echo "  futex/M ops n/a: $PERF_WHY"
	echo
	for m in uncontended uncontended-mt; do
		if [ $m = uncontended ]; then
			title="uncontended lock+unlock (1 thread)"
		else
			title="uncontended, a second (idle) thread exists"
		fi
		printf '  %-42s %8s %9s\n' "$title" "ns/pair" "vs glibc"
		for v in $UNC_VARIANTS; do
			printf '    %-40s %8s %8sx\n' "${LABEL[$v]}" "$(calc "${UNC[$v,$m]}")" \
				"$(paired_ratio "${S_UNC[glibc,$m]}" "${S_UNC[$v,$m]}")"
			[ "$SHOW_SAMPLES" = 1 ] && echo "           ns/pair by round:${S_UNC[$v,$m]}"
		done
	done
}

met() {
	awk "BEGIN { print ($1 >= $2) ? \"met\" : \"not met\" }"
}

summary() {
	local t r_def r_ad r_unc m

	echo
	echo "  targets (median over $ROUNDS rounds of the ratio within a round):"
	for t in $TARGET_THREADS; do
		[ -n "${OPS[vlibc,$t]:-}" ] || continue
		r_def=$(paired_ratio "${S_OPS[vlibc,$t]}" "${S_OPS[glibc,$t]}")
		r_ad=$(paired_ratio "${S_OPS[vlibc,$t]}" "${S_OPS[adaptive,$t]}")
		printf '  %-13s vlibc %sx glibc default (target >= 1.5x: %s), %sx glibc adaptive (target >= 1.0x: %s)\n' \
			"$t threads:" "$r_def" "$(met "$r_def" 1.5)" "$r_ad" "$(met "$r_ad" 1.0)"
	done
	t=$OVERSUBSCRIBED_THREADS
	if [ -n "${OPS[vlibc,$t]:-}" ]; then
		r_def=$(paired_ratio "${S_OPS[vlibc,$t]}" "${S_OPS[glibc,$t]}")
		printf '  %-13s vlibc %sx glibc default, %s vs %s Mops/s (target: no worse, >= 1.0x with 5%% for noise: %s)\n' \
			"$t threads:" "$r_def" "$(calc "${OPS[vlibc,$t]} / 1e6")" \
			"$(calc "${OPS[glibc,$t]} / 1e6")" "$(met "$r_def" 0.95)"
	fi
	for m in uncontended uncontended-mt; do
		r_unc=$(paired_ratio "${S_UNC[glibc,$m]}" "${S_UNC[vlibc,$m]}")
		printf '  %-13s vlibc %sx glibc speed, %s vs %s ns/pair (target: no slower, >= 1.0x with 2%% for noise: %s)\n' \
			"$m:" "$r_unc" "$(calc "${UNC[vlibc,$m]}")" "$(calc "${UNC[glibc,$m]}")" \
			"$(met "$r_unc" 0.98)"
	done
	[ "${BOUND[vlibc]}" = 1 ] ||
		echo "  (the locks family was not bound: the 'vlibc' rows are glibc's mutex behind the preload)"
}

START=$(date +%s)
for f in "$PROG" "$RUN" "$IMAGE" "$B/libvlibc.so"; do
	[ -e "$f" ] || locks_broken "$f is missing: run make bench"
done
for t in $THREADS; do
	[ "$t" -ge 1 ] 2> /dev/null || locks_broken "bad thread count '$t' in BENCH_LOCKS_THREADS"
done
[ "$ROUNDS" -ge 1 ] 2> /dev/null || locks_broken "bad BENCH_ROUNDS '$ROUNDS'"
[ "$MS" -ge 1 ] 2> /dev/null || locks_broken "bad BENCH_LOCKS_MS '$MS'"

echo "== futex locks: one shared mutex, N threads (bench/locks.sh)"
check_binding
perf_probe
echo "  ${IMAGE_LINE#vlibc: }"
if [ "${BOUND[vlibc]}" = 1 ]; then
	line="locks family bound to vlibc under vlibc-run"
	[ "${BOUND[nospin]}" = 1 ] && line+=" (and with VLIBC_LOCKS=nospin)"
	echo "  $line"
fi
echo "  each run: $MS ms; $ROUNDS rounds, variants taking turns, medians shown;" \
	"uncontended: $PAIRS pairs per run"
if [ -n "$PERF_EVENTS" ]; then
	echo "  futex calls: perf stat on ${PERF_EVENTS//syscalls:/}, one more run per row"
else
	echo "  futex calls: n/a ($PERF_WHY)"
fi
measure
measure_futex
echo "  critical section alone: $(calc "$CS_NS" %.1f) ns (median over the runs)"
table
summary
echo "  locks section: $(($(date +%s) - START)) s"
exit 0
