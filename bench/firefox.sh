#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, Firefox section: Debian's firefox-esr renders a page whose
# canvas a script draws (after some JavaScript work) into a PNG, headless,
# content sandbox on as shipped, each run with a fresh profile:
#
#	plain   firefox-esr --headless --screenshot
#	vlibc   the same under vlibc-run
#
# Wall time per run, the variants alternating, BENCH_FIREFOX_RUNS runs
# each (default 5), medians and the median of the per-round ratio; issue
# 11's target: vlibc within 1.2x of plain.  Sandbox violations logged by
# Firefox are counted (they must be 0).  Slow results are reported, never
# failed; the exit status is non-zero only when something is broken.
# Skipped when firefox-esr is not installed (FIREFOX=path chooses one).
#
# Usage: O=build bench/firefox.sh
set -u
export LC_ALL=C
O=${O:-build}
B=$(cd "$O" && pwd) || exit 1
RUNS=${BENCH_FIREFOX_RUNS:-5}
LIMIT=90	# seconds a run may take
FIREFOX=${FIREFOX:-$(command -v firefox-esr)}

unset VLIBC VLIBC_DISABLE VLIBC_DEBUG LD_PRELOAD
for v in $(env | sed -n 's/^\(VLIBC_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export VLIBC_IMAGE=$B/linux-vlibc.so.1

# median, calc, paired_ratio
. "$(dirname "$0")/lib.sh"

echo "== Firefox: headless screenshot of a canvas page (bench/firefox.sh)"
if [ -z "$FIREFOX" ] || [ ! -x "$FIREFOX" ]; then
	echo "  skipped: firefox-esr is not installed (FIREFOX=path chooses one)"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/page.html" << 'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#ffffff">
<canvas id="c" width="480" height="320"></canvas>
<script>
var g = document.getElementById('c').getContext('2d'), s = 0, a = [];
for (var i = 0; i < 300000; i++) { s = (s * 31 + i) % 1000003; }
for (var i = 0; i < 20000; i++) a.push((i * 7919) % 10007);
a.sort(function (x, y) { return x - y; });
g.fillStyle = '#336699'; g.fillRect(10, 10, 200, 100);
g.fillStyle = '#cc3300'; g.fillRect(150, 80, 220, 150);
g.fillStyle = 'rgb(' + (s % 256) + ',' + (a[10000] % 256) + ',64)';
g.fillRect(40, 220, 120, 80);
</script></body></html>
HTML

# render VARIANT N: wall seconds of one run (fails when Firefox did).
render() {
	local v=$1 n=$2 dir=$TMP/$1-$2 t0 t1 cmd=("$FIREFOX")

	mkdir -p "$dir/profile"
	[ "$v" = vlibc ] && cmd=("$B/vlibc-run" "$FIREFOX")
	t0=$(date +%s.%N)
	HOME=$dir timeout -k 5 "$LIMIT" "${cmd[@]}" --headless --no-remote \
		-profile "$dir/profile" --screenshot "$dir/out.png" \
		"file://$TMP/page.html" > "$dir/log" 2>&1 || return 1
	t1=$(date +%s.%N)
	[ -s "$dir/out.png" ] || return 1
	VIOLATIONS[$v]=$((${VIOLATIONS[$v]:-0} + $(grep -c 'sandbox violation' "$dir/log")))
	calc "$t1 - $t0" %.3f
}

declare -A S VIOLATIONS
for ((r = 0; r < RUNS; r++)); do
	order="plain vlibc"
	((r % 2)) && order="vlibc plain"
	for v in $order; do
		t=$(render "$v" "$r") || { tail -5 "$TMP/$v-$r/log" >&2; echo "bench/firefox: $v run failed" >&2; exit 1; }
		S[$v]+=" $t"
	done
done
echo "  $FIREFOX, $RUNS runs each, alternating, fresh profile per run"
printf '  %-28s %10s %11s\n' variant "median s" violations
for v in plain vlibc; do
	# shellcheck disable=SC2086
	printf '  %-28s %10s %11s\n' "$([ $v = plain ] && echo firefox-esr || echo 'vlibc-run firefox-esr')" \
		"$(median ${S[$v]})" "${VIOLATIONS[$v]:-0}"
done
ratio=$(paired_ratio "${S[vlibc]}" "${S[plain]}")
echo "  vlibc / plain: ${ratio}x (target <= 1.2x: $(awk "BEGIN { print ($ratio <= 1.2) ? \"met\" : \"not met\" }"))"
echo "  seconds by run: plain${S[plain]}; vlibc${S[vlibc]}"
exit 0
