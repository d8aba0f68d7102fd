#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Exec cost of the binder, on this machine as it boots: per run of a
# program, the median wall time and minor page faults (bench/exec_cost)
# and the system calls made after execve (strace), without the binder and
# with it.  Two programs: /usr/bin/true (the binder loads, no family
# binds) and bench/getrandom_once (the getrandom family binds, so the
# image is found: from AT_VLIBC under kernel delivery, from a file
# otherwise).  Used by make bench and by the QEMU suite on each boot.
# Environment: O (build folder), BINDER (the binder, $O/libvlibc.so),
# EXEC_COST_RUNS (200).
set -u
O=${O:-build}
BINDER=${BINDER:-$O/libvlibc.so}
RUNS=${EXEC_COST_RUNS:-200}
TRACE=$(mktemp)

# syscalls PROGRAM: system calls of one run after its execve, "N (M opens)".
syscalls() {
	strace -qq -f -o "$TRACE" "$@" || return 1
	echo "$(grep -vc -e '^[0-9]* *execve(' -e '+++ exited' "$TRACE")" \
	     "($(grep -c -e 'open(' -e 'openat(' "$TRACE") opens)"
}

auxv=none
LD_SHOW_AUXV=1 /usr/bin/true | grep -q '^AT_??? (0x3c)' && auxv=AT_VLIBC
echo "# exec cost, $RUNS runs each, medians ($auxv)"
printf '# %-16s %-7s %8s %7s  %s\n' program binder us minflt syscalls
for prog in /usr/bin/true "$O/bench/getrandom_once"; do
	for mode in no yes; do
		pre=
		[ $mode = yes ] && pre=$BINDER
		cost=$(LD_PRELOAD=$pre "$O/bench/exec_cost" "$RUNS" "$prog") || exit 1
		us=${cost#*us=}; us=${us%% *}
		flt=${cost#*minflt=}; flt=${flt%% *}
		sc=$(LD_PRELOAD=$pre syscalls "$prog") || exit 1
		printf '# %-16s %-7s %8s %7s  %s\n' "${prog##*/}" $mode "$us" "$flt" "$sc"
	done
done
rm -f "$TRACE"
