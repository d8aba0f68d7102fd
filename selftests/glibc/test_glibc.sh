#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The glibc that `make glibc` built ($O/glibc/root, glibc/patches applied),
# natively: it runs host programs as their libc, its ld.so sees the CPU
# as Debian's does, and with a machine-facts block (handed over by
# with_facts, as a vlibc kernel would) it takes the CPUID values from the
# block and executes no CPUID.  Skipped when glibc was not built: `make
# check-glibc` never builds it.  Every ld.so runs pinned to CPU 0 (the
# block is CPU 0's view; leaf 1 EBX holds the APIC ID of the CPU ld.so
# starts on).
# timeout: 600
. "$(dirname "$0")/../apps/lib.sh"

ROOT=$VLIBC_BUILD/glibc/root
LIBDIR=$ROOT/usr/lib/x86_64-linux-gnu
LDSO=$ROOT/lib64/ld-linux-x86-64.so.2
STOCK=/lib64/ld-linux-x86-64.so.2
WITH_FACTS=$VLIBC_BUILD/selftests/glibc/with_facts
COST=$VLIBC_BUILD/selftests/facts/cost
CASES=15

apps_begin $CASES
if [ ! -e "$LIBDIR/libc.so.6" ]; then
	for i in $(seq $CASES); do
		skip "glibc case $i" "no $ROOT: run make glibc"
	done
	exit 0
fi

# A program on the built glibc, pinned to CPU 0.
on_glibc() { taskset -c 0 "$LDSO" --library-path "$LIBDIR" "$@"; }
# ld.so's view of the CPU: the x86 lines of --list-diagnostics.
x86_lines() { "$@" --list-diagnostics | grep '^x86\.'; }
same() {
	local name=$1 a=$2 b=$3
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "$name"
	else
		not_ok "$name" "$(diff <(echo "$a") <(echo "$b"))"
	fi
}

# The layout glibc/Makefile.inc promises.
if [ -f "$LIBDIR/ld-linux-x86-64.so.2" ] && [ -x "$LDSO" ] &&
   [ "$(readlink "$ROOT/lib64")" = usr/lib64 ] && [ "$(readlink "$ROOT/lib")" = usr/lib ]; then
	ok "layout: ld.so and libc.so.6 in usr/lib/x86_64-linux-gnu, lib64 and lib link into usr"
else
	not_ok "layout: ld.so and libc.so.6 in usr/lib/x86_64-linux-gnu, lib64 and lib link into usr" \
		"$(ls -l "$ROOT" "$ROOT/usr/lib64" 2>&1)"
fi

version=$(on_glibc "$LIBDIR/libc.so.6" | head -1)
case $version in
*"GNU C Library (Debian GLIBC 2.36-9+deb12u"*) ok "libc.so.6 runs: $version" ;;
*) not_ok "libc.so.6 says it is Debian's 2.36" "$version" ;;
esac

# Host programs on it: the same output as on the host's glibc.
d=$(apps_tmpdir)
printf 'b\na\nc\n' > "$d/in"
runs_alike() {
	local plain out rc rc2
	plain=$("$@" 2>&1); rc=$?
	out=$(on_glibc "$@" 2>&1); rc2=$?
	if [ "$rc" = "$rc2" ] && [ "$plain" = "$out" ]; then
		ok "runs ${1##*/} as the host's glibc does"
	else
		not_ok "runs ${1##*/} as the host's glibc does" "host ($rc): $plain
built ($rc2): $out"
	fi
}
runs_alike /bin/true
runs_alike /bin/ls -a "$d"
runs_alike /usr/bin/sort "$d/in"
runs_alike /bin/sh -c 'echo $((6 * 7)) | cat'
runs_alike /usr/bin/python3 -c 'import threading, hashlib
t = threading.Thread(target=print, args=(hashlib.sha256(b"x").hexdigest(),))
t.start(); t.join()'

# No block on this kernel: the patched ld.so sees what Debian's sees,
# and GLIBC_TUNABLES still changes it.
stock=$(x86_lines taskset -c 0 "$STOCK")
built=$(x86_lines taskset -c 0 "$LDSO")
same "--list-diagnostics: the same x86 values as Debian's ld.so" "$stock" "$built"
tun=glibc.cpu.hwcaps=-AVX2,-ERMS
stock_t=$(GLIBC_TUNABLES=$tun x86_lines taskset -c 0 "$STOCK")
built_t=$(GLIBC_TUNABLES=$tun x86_lines taskset -c 0 "$LDSO")
if [ "$stock_t" != "$stock" ] && [ "$stock_t" = "$built_t" ]; then
	ok "GLIBC_TUNABLES=$tun changes both alike"
else
	not_ok "GLIBC_TUNABLES=$tun changes both alike" "$(diff <(echo "$stock_t") <(echo "$built_t"))"
fi

# With a block holding what the CPU says: the same view, no CPUID.
blocked=$(x86_lines taskset -c 0 "$WITH_FACTS" "$LDSO")
same "with the block: the same x86 values" "$stock" "$blocked"
blocked_t=$(GLIBC_TUNABLES=$tun x86_lines taskset -c 0 "$WITH_FACTS" "$LDSO")
same "with the block, GLIBC_TUNABLES=$tun: the same x86 values" "$stock_t" "$blocked_t"

# A bit only the block says (leaf 7 EBX bit 9, ERMS, cleared): the
# patched ld.so follows the block, Debian's executes CPUID.
cleared=$(x86_lines taskset -c 0 "$WITH_FACTS" --clear 7:0:1:9 "$LDSO")
stock_cleared=$(x86_lines taskset -c 0 "$WITH_FACTS" --clear 7:0:1:9 "$STOCK")
if [ "$cleared" != "$stock" ] && grep -q 'features\[0x1\].cpuid\[0x1\]' <<< "$(diff <(echo "$stock") <(echo "$cleared"))" &&
   [ "$stock_cleared" = "$stock" ]; then
	ok "a bit cleared in the block: the patched ld.so reads the block, Debian's does not"
else
	not_ok "a bit cleared in the block: the patched ld.so reads the block, Debian's does not" \
		"$(diff <(echo "$stock") <(echo "$cleared"))"
fi

# An invalid block (wrong magic) is ignored: CPUID as without one.
same "an invalid block is ignored" "$stock" "$(x86_lines taskset -c 0 "$WITH_FACTS" --magic 0 "$LDSO")"

# Counted: CPUID instructions the built ld.so executes (selftests/facts/cost
# attributes each to the file it is in), with and without the block.
count_in_ldso() {
	"$COST" cpuid "$@" 2>/dev/null | grep -c "^  cpuid .* in $(readlink -f "$LIBDIR/ld-linux-x86-64.so.2")\$"
}
if [ -x "$COST" ] && "$COST" cpuid /bin/true 2>/dev/null | grep -q '^cpuid total=[1-9]'; then
	with=$(count_in_ldso "$WITH_FACTS" "$LDSO" --library-path "$LIBDIR" /bin/true)
	without=$(count_in_ldso "$WITH_FACTS" --no-block "$LDSO" --library-path "$LIBDIR" /bin/true)
	stock_n=$("$COST" cpuid /bin/true | sed -n 's/^cpuid total=\([0-9]*\).*/\1/p')
	if [ "$with" = 0 ] && [ "$without" = "$stock_n" ]; then
		ok "CPUID in ld.so per exec: $with with the block, $without without (Debian's: $stock_n)"
	else
		not_ok "CPUID in ld.so per exec: 0 with the block, as many as Debian's without" \
			"with $with, without $without, Debian's $stock_n"
	fi
else
	skip "CPUID in ld.so per exec" "no $COST, or it cannot count CPUID here"
fi

# A static-pie program linked against the built libc.a: the block is
# found through _dl_aux_init before ARCH_INIT_CPU_FEATURES.
name="static-pie: ERMS as the block says, no CPUID"
cat > "$d/erms.c" <<'EOC'
#include <stdio.h>
#include <sys/platform/x86.h>
int main(void)
{
	printf("ERMS=%d/%d\n", CPU_FEATURE_PRESENT(ERMS), CPU_FEATURE_ACTIVE(ERMS));
	return 0;
}
EOC
if ! out=$(gcc -O2 -static-pie -nostdinc -isystem "$ROOT/usr/include" \
	   -isystem "$(gcc -print-file-name=include)" -B"$LIBDIR" -L"$LIBDIR" \
	   "$d/erms.c" -o "$d/erms" 2>&1); then
	not_ok "$name" "$out"
elif [ "$(taskset -c 0 "$d/erms")" != "ERMS=1/1" ]; then
	skip "$name" "no ERMS on this CPU"
else
	with=$(taskset -c 0 "$WITH_FACTS" "$d/erms")
	cleared=$(taskset -c 0 "$WITH_FACTS" --clear 7:0:1:9 "$d/erms")
	# CPUID instructions in the program ("not counted" without cost).
	n="not counted"
	[ ! -x "$COST" ] ||
		n=$("$COST" cpuid "$WITH_FACTS" "$d/erms" 2>/dev/null | grep -c "^  cpuid .* in $d/erms\$")
	if [ "$with" = "ERMS=1/1" ] && [ "$cleared" = "ERMS=0/0" ] &&
	   { [ "$n" = 0 ] || [ "$n" = "not counted" ]; }; then
		ok "$name (CPUID: $n)"
	else
		not_ok "$name" "with the block: $with, ERMS cleared in it: $cleared, CPUID: $n"
	fi
fi
apps_end
