#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The glibc that `make glibc` built ($O/glibc/root, glibc/patches applied),
# natively: it runs host programs as their libc, its ld.so sees the CPU
# as Debian's does, and with a machine-facts block (handed over by
# with_facts, as a vlibc kernel would) it takes the CPUID values from the
# block and executes no CPUID; with the image mapped too (with_facts
# --image), its getrandom family runs on the image without the binder
# (getrandom_cases).  Skipped when glibc was not built: `make
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
CASES_BIN=$VLIBC_BUILD/selftests/glibc/getrandom_cases
IMAGE=$VLIBC_BUILD/linux-vlibc.so.1
CASES=39

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

# --- The getrandom family on the image (glibc/patches/0002) ---------------
# The image mapped as the kernel maps it, AT_VLIBC, no binder: getrandom
# and arc4random* call the image, which runs the vDSO's vgetrandom, after
# a warm-up of 64 calls per process made with the system call.
WARMUP=64
ON_IMAGE=("$WITH_FACTS" --image "$IMAGE" "$LDSO" --library-path "$LIBDIR")
# getrandom(2) calls made by "$@", all threads and children.
getrandom_calls() {
	strace -f -qq -e trace=getrandom -e signal=none -o "$d/strace" "$@" > "$d/out" 2>&1 ||
		{ echo "failed: $(cat "$d/out")"; return; }
	grep -c 'getrandom(' "$d/strace"
}
# A case of getrandom_cases on the image: it says "ok CASE".
image_case() {
	local name=$1 out
	shift
	if out=$(timeout 120 "${ON_IMAGE[@]}" "$CASES_BIN" "$@" 2>&1) &&
	   grep -q "^ok ${1%%-*}" <<< "$out"; then
		ok "$name"
	else
		not_ok "$name" "$out"
	fi
}
grnd_cases=25
kernel=$(uname -r)
if ! grep -q 'getrandom-and-arc4random-through-the-vlibc-image' "$ROOT/../series" 2>/dev/null; then
	# A build without the series (VLIBC_GLIBC=plain).
	for i in $(seq $grnd_cases); do
		skip "getrandom on the image $i" "the build has no getrandom patch (0002)"
	done
elif [ "$(printf '6.11\n%s\n' "${kernel%%-*}" | sort -V | head -1)" != 6.11 ]; then
	for i in $(seq $grnd_cases); do
		skip "getrandom on the image $i" "Linux $kernel has no vgetrandom (6.11+)"
	done
elif ! command -v strace > /dev/null; then
	for i in $(seq $grnd_cases); do
		skip "getrandom on the image $i" "no strace"
	done
else
	# Without the image: from the first getrandom(2) on, the same system
	# calls as Debian's glibc started the same way (one per call).
	n=1000
	calls_after_first() {
		strace -f -qq -o "$d/strace" "$@" > "$d/out" 2>&1 &&
			sed 's/^[0-9]* *//; s/(.*//' "$d/strace" | sed -n '/^getrandom$/,$p'
	}
	stock_calls=$(calls_after_first "$WITH_FACTS" --no-block "$STOCK" "$CASES_BIN" loop $n)
	stock_n=$(grep -c '^getrandom$' <<< "$stock_calls")
	plain_calls=$(calls_after_first "$WITH_FACTS" --no-block "$LDSO" --library-path "$LIBDIR" "$CASES_BIN" loop $n)
	if [ "$stock_n" -ge $((3 * n)) ] && [ "$stock_calls" = "$plain_calls" ]; then
		ok "without the image: the system calls of Debian's glibc ($stock_n getrandom(2) for $((n + 1)) getrandom() + $((2 * n)) arc4random() + 1 arc4random_buf())"
	else
		not_ok "without the image: the system calls of Debian's glibc" \
			"$(diff <(echo "$stock_calls") <(echo "$plain_calls") | head -20)"
	fi
	block_calls=$(calls_after_first "$WITH_FACTS" "$LDSO" --library-path "$LIBDIR" "$CASES_BIN" loop $n)
	if [ "$stock_calls" = "$block_calls" ]; then
		ok "with AT_VLIBC at a page of zeros (no image): the system calls of Debian's glibc"
	else
		not_ok "with AT_VLIBC at a page of zeros (no image): the system calls of Debian's glibc" \
			"$(diff <(echo "$stock_calls") <(echo "$block_calls") | head -20)"
	fi
	# With the image: the vDSO answers after the warm-up (one more call:
	# its first reseed).
	img_n=$(getrandom_calls "${ON_IMAGE[@]}" "$CASES_BIN" loop $n)
	if [ "$img_n" -le $((WARMUP + 2)) ] 2>/dev/null && grep -q "^ok loop" "$d/out"; then
		ok "with the image: $img_n getrandom(2) for the same calls ($WARMUP of them the warm-up)"
	else
		not_ok "with the image: no getrandom(2) after the warm-up" "$img_n: $(cat "$d/out")"
	fi
	# The image counted them: vlibc-stat reads the process's counters.
	# stat_of CASE ARG...: vlibc-stat of getrandom_cases CASE once it says
	# "pid N" (it waits for a line on stdin then).
	stat_of() {
		rm -f "$d/fifo"; mkfifo "$d/fifo"
		"${ON_IMAGE[@]}" "$CASES_BIN" "$@" < "$d/fifo" > "$d/stat.out" 2>&1 &
		exec 3> "$d/fifo"
		for i in $(seq 300); do grep -q '^pid ' "$d/stat.out" && break; sleep 0.1; done
		"$VLIBC_BUILD/vlibc-stat" "$(sed -n 's/^pid //p' "$d/stat.out")" 2>&1
		echo >&3; exec 3>&-; wait
	}
	counts=$(stat_of stat $n)
	count() { awk -v c="$1" '$2 == c { print $3 }' <<< "$counts"; }
	# loop N: N + 1 getrandom(), 2N arc4random() and one arc4random_buf(),
	# each one request to the image's getrandom after the warm-up.
	calls=$((3 * n + 2))
	gr=$(count getrandom); vdso=$(count getrandom_vdso)
	if [ "${gr:-0}" -ge $((calls - WARMUP)) ] && [ "${gr:-0}" -le "$calls" ] &&
	   [ "${vdso:-0}" -ge "$gr" ] && grep -q '(1 owned)' <<< "$counts"; then
		ok "vlibc-stat: the image counted getrandom=$gr (vDSO $vdso) of $calls calls, in the thread's own block"
	else
		not_ok "vlibc-stat: the image counted the calls, in the thread's own block" "$counts"
	fi
	# 160 threads, 40 at a time, gave their counter blocks back.
	counts=$(stat_of threads wait)
	if grep -q '^ok threads' "$d/stat.out" && grep -q '(1 owned)' <<< "$counts"; then
		ok "threads gave their counter blocks back at exit: $(grep -o '[0-9]* blocks ([0-9]* owned)' <<< "$counts")"
	else
		not_ok "threads gave their counter blocks back at exit" "$counts"
	fi
	# Threads: the first round's states serve the next three rounds.
	strace -f -qq -e trace=mmap,write -e signal=none -o "$d/strace" \
		"${ON_IMAGE[@]}" "$CASES_BIN" threads > "$d/out" 2>&1
	state_maps() {
		sed -n "/\"round $1\\\\n\"/,/\"round $2\\\\n\"/p" "$d/strace" |
			grep -c 'mmap(.*\(MAP_DROPPABLE\|0x8 /\* MAP_\)'
	}
	first=$(state_maps 1 2); later=$(state_maps 2 end)
	if grep -q '^ok threads' "$d/out" && [ "$first" -ge 1 ] && [ "$later" = 0 ]; then
		ok "threads: states mapped in the first round ($first pages), reused by the next three"
	else
		not_ok "threads: states reused" "first round: $first maps, later: $later; $(cat "$d/out")"
	fi
	image_case "fork: the child's bytes differ from the parent's (with and without threads)" fork
	image_case "fork in a signal handler that interrupted getrandom and arc4random" sigfork
	image_case "a seccomp filter refusing the states' mmap (EPERM), not announced: still correct, new threads too" seccomp-eperm
	eperm_n=$(getrandom_calls "${ON_IMAGE[@]}" "$CASES_BIN" seccomp-eperm)
	if [ "$eperm_n" -ge 3000 ] 2>/dev/null; then
		ok "with the states' mmap refused: the system call answers ($eperm_n getrandom(2))"
	else
		not_ok "with the states' mmap refused: the system call answers" "$eperm_n: $(cat "$d/out")"
	fi
	image_case "a seccomp filter killing on the states' mmap, announced with prctl: not killed, new threads too" seccomp-kill
	image_case "the same filter announced with syscall(SYS_seccomp): not killed" seccomp-kill-syscall
	image_case "a seccomp filter trapping the states' mmap, not announced: the SIGSYS handler runs, still correct" seccomp-trap
	image_case "_Fork while other threads take and give back states: every child sets up and answers" fork-lock
	image_case "getrandom(2) refused with ENOSYS: arc4random falls back to /dev/urandom, getrandom fails with ENOSYS" arc4random-enosys
	image_case "pthread_cancel of a thread calling only getrandom" cancel
	image_case "arc4random_uniform: within its bound, uniform" uniform
	image_case "getrandom: flags, errno as the system call's" errno
	# Python on it: os.urandom, random.SystemRandom, secrets.
	py='import os, random, secrets
b = [os.urandom(16) for i in range(2000)]
assert len(set(b)) == 2000 and all(len(x) == 16 for x in b)
r = random.SystemRandom()
assert all(0 <= r.randrange(10) < 10 for i in range(1000))
print("ok python", len(secrets.token_bytes(32)))'
	py_n=$(getrandom_calls "${ON_IMAGE[@]}" /usr/bin/python3 -c "$py")
	if grep -q '^ok python 32' "$d/out" && [ "$py_n" -le $((WARMUP + 4)) ] 2>/dev/null; then
		ok "python3 os.urandom, SystemRandom, secrets on the image: $py_n getrandom(2)"
	else
		not_ok "python3 on the image" "$py_n: $(cat "$d/out")"
	fi
	# A static-pie program linked against the built libc.a finds the
	# image through _dl_aux_init's auxiliary vector too.
	if ! out=$(gcc -O2 -static-pie -pthread -nostdinc -isystem "$ROOT/usr/include" \
		   -isystem "$(gcc -print-file-name=include)" \
		   -isystem /usr/include/x86_64-linux-gnu -isystem /usr/include \
		   -B"$LIBDIR" -L"$LIBDIR" "$VLIBC_SRC/selftests/glibc/getrandom_cases.c" \
		   -o "$d/getrandom_static" 2>&1); then
		not_ok "static-pie: getrandom on the image" "$out"
	else
		static_n=$(getrandom_calls "$WITH_FACTS" --image "$IMAGE" "$d/getrandom_static" loop $n)
		if grep -q "^ok loop" "$d/out" && [ "$static_n" -le $((WARMUP + 2)) ] 2>/dev/null; then
			ok "static-pie: getrandom on the image ($static_n getrandom(2))"
		else
			not_ok "static-pie: getrandom on the image" "$static_n: $(cat "$d/out")"
		fi
	fi
	# The binder preloaded too (as /etc/ld.so.preload would): it leaves
	# the getrandom family, the image's set-up and the counters' slot to
	# libc (__libc_vlibc_start), and binds the other families.
	WITH_BINDER=("${ON_IMAGE[@]}" --preload "$VLIBC_BUILD/libvlibc.so")
	out=$(VLIBC_DEBUG=1 "${WITH_BINDER[@]}" "$CASES_BIN" loop 300 2>&1)
	if grep -q '^ok loop' <<< "$out" &&
	   grep -q '^vlibc: family getrandom bound by libc itself' <<< "$out" &&
	   grep -q '^vlibc: image .*(kernel) at' <<< "$out"; then
		ok "with the binder preloaded: it leaves getrandom to libc"
	else
		not_ok "with the binder preloaded: it leaves getrandom to libc" "$out"
	fi
	bind_n=$(getrandom_calls "${WITH_BINDER[@]}" "$CASES_BIN" loop $n)
	if grep -q "^ok loop" "$d/out" && [ "$bind_n" -le $((WARMUP + 2)) ] 2>/dev/null; then
		ok "with the binder preloaded: getrandom on the image through libc ($bind_n getrandom(2))"
	else
		not_ok "with the binder preloaded: getrandom on the image through libc" "$bind_n: $(cat "$d/out")"
	fi
	ON_IMAGE=("${WITH_BINDER[@]}")
	counts=$(stat_of stat $n)
	gr=$(count getrandom)
	if [ "${gr:-0}" -ge $((calls - WARMUP)) ] && [ "${gr:-0}" -le "$calls" ] &&
	   grep -q '(1 owned)' <<< "$counts"; then
		ok "with the binder preloaded: counted once, getrandom=$gr of $calls calls, in libc's slot"
	else
		not_ok "with the binder preloaded: counted once, in libc's slot" "$counts"
	fi
	counts=$(stat_of threads wait)
	if grep -q '^ok threads' "$d/stat.out" && grep -q '(1 owned)' <<< "$counts"; then
		ok "with the binder preloaded: threads gave their counter blocks back (libc's slot)"
	else
		not_ok "with the binder preloaded: threads gave their counter blocks back" "$counts"
	fi
	ON_IMAGE=("$WITH_FACTS" --image "$IMAGE" "$LDSO" --library-path "$LIBDIR")
	py_stock=$(getrandom_calls "$STOCK" /usr/bin/python3 -c "$py")
	if grep -q '^ok python 32' "$d/out" && [ "$py_stock" -ge 3000 ] 2>/dev/null; then
		ok "python3 on Debian's glibc, for comparison: $py_stock getrandom(2)"
	else
		not_ok "python3 on Debian's glibc makes getrandom(2) per call" "$py_stock"
	fi
fi
apps_end
