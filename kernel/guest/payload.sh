#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU suite inside the guest (busybox sh).  Prints TAP between
# "vlibc-qemu: begin" and "1..N"; kernel/qemu-check.sh renumbers and counts.
#
# What it expects comes from the kernel command line:
#   vlibc=off                  the kernel's toggle: no delivery this boot
#   vlibc_qemu.expect=none     the kernel has no vlibc (infrastructure run):
#                              no delivery; selftest failures become TODO
#   vlibc_qemu.selftests=0     skip the selftests (the second boot)
#   vlibc_qemu.selftests=A,B   only the selftests whose path under
#                              selftests/ starts with A or B (stat/,locks/test_mutex)
#   vlibc_qemu.storm=N         processes in the fork/exec storm (200)
#   vlibc_qemu.libc=1          libc mode (the "libc" boot): the system libc
#                              is a patched glibc (kernel/initramfs.sh),
#                              counted against the stock one in /stock
# Otherwise every 64-bit process must have [vlibc] with AT_VLIBC.
. /vlibc/env
cmdline=" $(cat /proc/cmdline) "
param() {
	local v=${cmdline##* $1=}
	[ "$v" = "$cmdline" ] && { echo "$2"; return; }
	echo "${v%% *}"
}
EXPECT=$(param vlibc_qemu.expect kernel)
SELFTESTS=$(param vlibc_qemu.selftests 1)
STORM=$(param vlibc_qemu.storm 200)
LIBC=$(param vlibc_qemu.libc 0)
BOOT=on
[ "$(param vlibc on)" = off ] && BOOT=off
WANT=0
[ "$EXPECT" = kernel ] && [ $BOOT = on ] && WANT=1
BINDER=$VLIBC_BUILD/libvlibc.so
MAPS_AWK=/vlibc/maps.awk

n=0
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2${3:+ # $3}"
	fi
}
comment() { sed 's/^/# /' "$@"; }

echo "vlibc-qemu: begin"
echo "# boot: vlibc=$BOOT, expect=$EXPECT, kernel $(uname -r), $(nproc) cpus"
if [ "$LIBC" = 1 ]; then
	echo "# libc mode: the system libc is $(cat /vlibc/libc-root)," \
	     "stock glibc in /stock; no /etc/ld.so.preload but for fio and the storm"
fi
if [ $WANT = 1 ]; then
	echo "# every process must have [vlibc] and AT_VLIBC"
else
	echo "# no process may have [vlibc] or AT_VLIBC"
fi

# --- delivery in one process: auxv and maps of the same (dynamic) process
check_delivery() {
	local out at maps start
	out=$(LD_SHOW_AUXV=1 /usr/bin/cat /proc/self/maps)
	at=$(echo "$out" | sed -n 's/^AT_??? (0x3c): *0x\([0-9a-f]*\)$/\1/p')
	maps=$(echo "$out" | awk -f $MAPS_AWK | tr '\n' ' ')
	echo "# dynamic process: AT_VLIBC=${at:-none} maps: $maps"
	if [ $WANT = 1 ]; then
		start=$(echo "$maps" | sed -n 's/.*vlibc=\([0-9a-f]*\)-.*/\1/p')
		[ -n "$at" ] && [ -n "$start" ] &&
			[ $((0x$at)) -eq $((0x$start)) ] &&
			case "$maps" in *"region=ok"*) true ;; *) false ;; esac
		tap $? "AT_VLIBC names the [vlibc] mapping, private region after it"
	else
		[ -z "$at" ] && [ "$maps" = "novlibc " ]
		tap $? "no AT_VLIBC and no [vlibc] in a dynamic process"
	fi
	maps=$(awk -f $MAPS_AWK /proc/self/maps | tr '\n' ' ')
	echo "# static busybox process: $maps"
	if [ $WANT = 1 ]; then
		case "$maps" in *"vlibc="*"region=ok"*) true ;; *) false ;; esac
		tap $? "a static process has [vlibc] and its private region"
	else
		[ "$maps" = "novlibc " ]
		tap $? "no [vlibc] in a static process"
	fi
}

# --- no image file anywhere on the guest's file systems
check_no_image_file() {
	local found
	found=$(find / \( -path /proc -o -path /sys \) -prune -o \
		-name 'linux-vlibc.so*' -print)
	[ -z "$found" ]
	tap $? "no linux-vlibc.so* file anywhere in the guest${found:+: $found}"
}

# Is selftest @1 (its path under selftests/) in vlibc_qemu.selftests?
selftest_wanted() {
	local prefix
	[ "$SELFTESTS" = 1 ] && return 0
	for prefix in $(echo "$SELFTESTS" | tr , ' '); do
		case $1 in "$prefix"*) return 0 ;; esac
	done
	return 1
}

# --- the selftests, one TAP line per program, details of failures only
run_selftests() {
	local prog name log sum p f s todo= mode=
	[ $WANT = 1 ] || todo="TODO no kernel delivery, no image file"
	# glibc binds getrandom (glibc/patches/0002), not the other families
	# yet: each test preloads the binder as in "on", which leaves
	# getrandom to glibc (glibc_getrandom_cases below checks glibc's).
	[ "$LIBC" = 1 ] && mode=" (libc mode, binder preloaded)"
	for prog in $(find "$VLIBC_BUILD/selftests" -type f -name 'test_*' | sort); do
		name=${prog#"$VLIBC_BUILD"/selftests/}
		selftest_wanted "$name" || continue
		log=/tmp/selftest.log
		O=$VLIBC_BUILD /vlibc/src/selftests/run "$prog" > $log 2>&1
		sum=$(tail -1 $log)
		p=${sum%% passed*}
		f=${sum#*passed, }; f=${f%% failed*}
		s=${sum#*failed, }; s=${s%% skipped*}
		case "$p$f$s" in *[!0-9]*|"") p=0 f=1 s=0 ;; esac
		sel_pass=$((sel_pass + p)) sel_fail=$((sel_fail + f)) sel_skip=$((sel_skip + s))
		if [ "$f" -ne 0 ]; then
			grep -E '^  (not ok|# )|^not ok' $log | comment
			tap 1 "selftests/$name$mode: $p passed, $f failed, $s skipped" "$todo"
		else
			grep -E '^  ok .*# SKIP' $log | comment
			tap 0 "selftests/$name$mode: $p passed, $s skipped"
		fi
	done
	echo "# selftests in the guest: $sel_pass passed, $sel_fail failed, $sel_skip skipped"
}

# --- libc mode: the getrandom family as glibc binds it, no binder --------
# selftests/glibc/getrandom_cases (make check-glibc runs them natively
# through a launcher), here on the system libc under kernel delivery; and
# vlibc-stat reads the image's counts of a process that made 1000 calls
# of each.  The first 64 calls of a process are glibc's warm-up.
glibc_getrandom_cases() {
	local bin=$VLIBC_BUILD/selftests/glibc/getrandom_cases c out pid gr
	for c in "loop 1000" fork sigfork seccomp-eperm seccomp-kill seccomp-kill-syscall seccomp-trap \
		 fork-lock arc4random-enosys cancel uniform errno threads; do
		out=$(cd /tmp && timeout 120 $bin $c 2>&1)
		case $out in
		*"ok ${c%%[- ]*}"*) tap 0 "glibc's getrandom on the image: getrandom_cases $c" ;;
		*) echo "$out" | tail -5 | comment
		   tap 1 "glibc's getrandom on the image: getrandom_cases $c" ;;
		esac
	done
	rm -f /tmp/grc.fifo /tmp/grc.out
	mkfifo /tmp/grc.fifo
	$bin stat 1000 < /tmp/grc.fifo > /tmp/grc.out 2>&1 &
	exec 3> /tmp/grc.fifo
	for i in $(seq 300); do grep -q '^pid ' /tmp/grc.out && break; sleep 0.1; done
	pid=$(sed -n 's/^pid //p' /tmp/grc.out)
	out=$("$VLIBC_BUILD/vlibc-stat" "$pid" 2>&1)
	echo >&3; exec 3>&-; wait
	# stat 1000: 1001 getrandom(), 2000 arc4random(), one arc4random_buf(),
	# each one request to the image's getrandom after the warm-up.
	gr=$(echo "$out" | awk '$2 == "getrandom" { print $3 }')
	if [ "${gr:-0}" -ge $((3002 - 64)) ] && [ "${gr:-0}" -le 3002 ] &&
	   echo "$out" | grep -q '(1 owned)'; then
		tap 0 "glibc's getrandom on the image: vlibc-stat counts getrandom=$gr of 3002 calls, in the thread's own block"
	else
		echo "$out" | comment
		tap 1 "glibc's getrandom on the image: vlibc-stat counts the calls, in the thread's own block"
	fi
}

# --- unmodified fio on POSIX AIO, binder from /etc/ld.so.preload
check_fio() {
	local err=/tmp/fio.err out=/tmp/fio.out rc
	(cd /tmp && VLIBC_DEBUG=1 fio /vlibc/posixaio.fio > $out 2> $err)
	rc=$?
	grep -E 'err=|WRITE:|READ:' $out | comment
	sort -u $err | grep -E '^vlibc: (image|no image|family|off)' | comment
	[ $rc -eq 0 ] && grep -q 'err= 0' $out && ! grep -q 'verify:.*bad' $out
	tap $? "fio posixaio job with verify completes (exit $rc)"
	if [ $WANT = 1 ]; then
		grep -q '^vlibc: image .*(kernel) at' $err &&
			grep -q '^vlibc: family aio -> vlibc' $err &&
			! grep -q '(file) at' $err
		tap $? "fio: the binder took the image from the kernel, aio -> vlibc"
	else
		grep -q '^vlibc: no image:' $err && ! grep -q -- '-> vlibc' $err
		tap $? "fio: the binder found no image and kept glibc"
	fi
}

# --- fork/exec storm, three kinds of process in turn, each reading its
# own maps: f = busybox applet in a forked shell (fork, no exec; busybox
# runs its applets in-process), s = exec of the static busybox binary,
# d = exec of dynamic cat with the binder preloaded.
storm_one() {
	case $1 in
	f) awk -f $MAPS_AWK /proc/self/maps ;;
	s) /usr/bin/busybox awk -f $MAPS_AWK /proc/self/maps ;;
	d) /usr/bin/cat /proc/self/maps | awk -f $MAPS_AWK ;;
	esac
}

# "N of M": distinct [vlibc] addresses among the processes of one kind.
storm_distinct() {
	local all
	all=$(ls /tmp/storm | grep -c "^$1")
	echo "$(cat /tmp/storm/$1* | grep '^vlibc=' | sort -u | wc -l) of $all"
}

check_storm() {
	local dir=/tmp/storm i=0 j all=0 good=0 files=0 kind f
	rm -rf $dir
	mkdir -p $dir
	while [ $i -lt "$STORM" ]; do
		j=0
		while [ $j -lt 10 ] && [ $i -lt "$STORM" ]; do
			case $((i % 3)) in 0) kind=f ;; 1) kind=s ;; *) kind=d ;; esac
			storm_one $kind > $dir/$kind$i &
			i=$((i + 1)) j=$((j + 1))
		done
		wait
	done
	for f in $dir/*; do
		all=$((all + 1))
		grep -q '^file=' "$f" && files=$((files + 1))
		if [ $WANT = 1 ]; then
			grep -q '^vlibc=' "$f" && grep -q '^region=ok' "$f" &&
				good=$((good + 1))
		else
			grep -qx novlibc "$f" && good=$((good + 1))
		fi
	done
	for f in $(grep -l -v -e '^vlibc=' -e '^region=ok' -e novlibc $dir/* | head -3); do
		echo "# storm process $(basename "$f"): $(tr '\n' ' ' < "$f")"
	done
	if [ $WANT = 1 ]; then
		echo "# distinct [vlibc] addresses: forked $(storm_distinct f)," \
		     "static exec $(storm_distinct s), dynamic exec $(storm_distinct d)"
		[ $all -eq "$STORM" ] && [ $good -eq $all ]
		tap $? "storm: $good of $all processes have [vlibc] and their own private region"
	else
		[ $all -eq "$STORM" ] && [ $good -eq $all ]
		tap $? "storm: $good of $all processes have no [vlibc]"
	fi
	[ $files -eq 0 ]
	tap $? "storm: no process mapped an image file ($files did)"
}

# --- exec cost: time, page faults and system calls per run, without and
# with the binder; under kernel delivery the binder opens no file
# but itself, even when a family binds and needs the image.
opened() {
	strace -qq -f -e trace=open,openat -o /tmp/opens "$@" || return 1
	sed -n 's/.*open[at]*([^"]*"\([^"]*\)".*/\1/p' /tmp/opens | sort -u
}

check_exec_cost() {
	local prog=$VLIBC_BUILD/bench/getrandom_once plain with extra

	O=$VLIBC_BUILD BINDER=$BINDER EXEC_COST_RUNS=${EXEC_COST_RUNS:-50} \
		bash /vlibc/exec-cost.sh
	tap $? "exec cost measured, programs run with and without the binder"
	plain=$(opened env "$prog") &&
		with=$(opened env LD_PRELOAD=$BINDER "$prog")
	extra=$(echo "$with" | grep -vxF "$plain" | tr '\n' ' ')
	echo "# files the binder opens beyond plain glibc's: ${extra:-none}"
	if [ $WANT = 1 ]; then
		[ "$extra" = "$BINDER " ]
		tap $? "kernel delivery: the binder opens no file but itself"
	fi
}

# --- counted, not timed (selftests/facts/cost): CPUID instructions at
# start-up (under delivery the image executes none: the kernel's
# machine-facts block answers it), and the system calls and page faults
# of a fixed work binding each family, on plain glibc, with the binder
# and VLIBC=off, and with the binder (issue 15: no more system calls than
# VLIBC=off; TODO, listing the calls, while that is not so).
# The system calls (name count>count) @2 makes more often than @1.
cost_more() {
	awk 'NR == FNR { if ($1 == "syscall") n[$2] = $3; next }
		$1 == "syscall" && $3 > n[$2] + 0 {
			printf "%s %d>%d ", $2, $3, n[$2] + 0 }' "$1" "$2"
}

check_kernel_cost() {
	local cost=$VLIBC_BUILD/selftests/facts/cost w m flt off on more image
	"$cost" cpuid /usr/bin/true > /tmp/cost.cpuid
	echo "# cpuid, /usr/bin/true plain: $(tail -1 /tmp/cost.cpuid)"
	LD_PRELOAD=$VLIBC_BUILD/libvlibc-memcpy.so "$cost" cpuid "$cost" work memcpy 1 \
		> /tmp/cost.cpuid
	echo "# cpuid, memcpy bound: $(tail -1 /tmp/cost.cpuid)"
	grep '(block differs)' /tmp/cost.cpuid | comment
	image=$(sed -n 's/.* image=\([0-9]*\) .*/\1/p' /tmp/cost.cpuid)
	if [ $WANT = 1 ]; then
		[ "$image" = 0 ] && ! grep -q '(block differs)' /tmp/cost.cpuid
		tap $? "cpuid: the image executes none with memcpy bound ($image), the block agrees with the CPU"
	fi
	for w in getrandom locks aio; do
		for m in plain off on; do
			case $m in
			plain) set -- ;;
			off) set -- LD_PRELOAD=$BINDER VLIBC=off ;;
			on) set -- LD_PRELOAD=$BINDER ;;
			esac
			env "$@" "$cost" syscalls "$cost" work $w > /tmp/cost.$m
			flt=$(env "$@" "$cost" faults 5 "$cost" work $w)
			echo "# cost $w, $m: $(head -1 /tmp/cost.$m), $flt"
		done
		off=$(sed -n 's/^syscalls total=//p' /tmp/cost.off)
		on=$(sed -n 's/^syscalls total=//p' /tmp/cost.on)
		more=$(cost_more /tmp/cost.off /tmp/cost.on)
		echo "# cost $w: calls beyond plain glibc's: $(cost_more /tmp/cost.plain /tmp/cost.on)"
		if [ $WANT = 1 ]; then
			[ -n "$on" ] && [ -n "$off" ] && [ "$on" -le "$off" ]
			tap $? "cost $w: $on system calls with the binder, $off with VLIBC=off" \
				"${more:+TODO more: $more}"
		else
			echo "# cost $w: calls beyond VLIBC=off's: ${more:-none}"
		fi
	done
}

# --- libc mode: what a dynamic program's start-up costs with the patched
# glibc (the system libc) and with the stock one, counted in this guest
# (selftests/facts/cost): the stock files of /stock bound over the system
# ones (/vlibc/libc lists them), so that both run the same program by the
# same exec, PT_INTERP and library paths.  Address space randomization is
# off while counting, so that both lay out alike.
stock_glibc() {
	local f
	for f in $(cat /vlibc/libc); do
		if [ "$1" = on ]; then
			mount -o bind "/stock/${f##*/}" "$f" &&
				cmp -s "/stock/${f##*/}" "$f" || return 1
		else
			umount "$f" || return 1
		fi
	done
}

# libc_count LABEL HOW CMD...: "cpuid=N ldso=N libc=N syscalls=N minflt=N
# majflt=N" for one run of CMD, details in /tmp/libc.LABEL.*; HOW is cost's
# cpuid (the whole run) or cpuid-startup (up to the program's entry).
libc_count() {
	local label=$1 how=$2 cost=$VLIBC_BUILD/selftests/facts/cost ldso libc
	shift 2
	"$cost" $how "$@" > /tmp/libc.$label.cpuid
	"$cost" syscalls "$@" > /tmp/libc.$label.syscalls
	# Faults with address randomization on, as programs run: where a
	# library lands decides which of its pages one fault-around brings
	# in, so one fixed layout can cost a few faults more or less than
	# another with the same pages touched; the mean of many randomized
	# runs compares what the pages cost.
	# cost faults starts CMD with posix_spawn: CMD's own faults.  cost
	# fork-faults adds those of cost's fork child before its exec, made
	# by its libc's fork handlers (the libc under test).
	echo "$LIBC_ASLR" > /proc/sys/kernel/randomize_va_space
	"$cost" faults $LIBC_FAULT_RUNS "$@" > /tmp/libc.$label.faults
	"$cost" fork-faults $LIBC_FAULT_RUNS "$@" > /tmp/libc.$label.fork-faults
	echo 0 > /proc/sys/kernel/randomize_va_space
	"$cost" pages "$@" > /tmp/libc.$label.pages
	# CPUIDs by region: ld.so, the other glibc files.
	ldso=$(grep -c '^  cpuid .* in /.*/ld-linux-x86-64\.so\.2' /tmp/libc.$label.cpuid)
	libc=$(sed 's|^  cpuid .* in /.*/\([^/ ]*\).*|\1|p' -n /tmp/libc.$label.cpuid |
	       grep -v '^ld-linux' | grep -cxF -f /tmp/libc.names)
	echo "cpuid=$(sed -n 's/^cpuid total=\([0-9]*\).*/\1/p' /tmp/libc.$label.cpuid)" \
	     "ldso=$ldso libc=$libc" \
	     "syscalls=$(sed -n 's/^syscalls total=//p' /tmp/libc.$label.syscalls)" \
	     "minflt=$(sed -n 's/^faults minflt=\([0-9]*\).*/\1/p' /tmp/libc.$label.faults)" \
	     "mean100=$(sed -n 's/.* mean100=\([0-9]*\).*/\1/p' /tmp/libc.$label.faults)" \
	     "sd100=$(sed -n 's/.* sd100=\([0-9]*\).*/\1/p' /tmp/libc.$label.faults)" \
	     "fork100=$(sed -n 's/.* mean100=\([0-9]*\).*/\1/p' /tmp/libc.$label.fork-faults)" \
	     "majflt=$(sed -n 's/.* majflt=\([0-9]*\).*/\1/p' /tmp/libc.$label.faults)"
}

# key=value of @2 in the line @1.
field() { echo " $1 " | sed -n "s/.* $2=\([0-9]*\) .*/\1/p"; }

# libc_compare NAME HOW CMD...: counted with both glibcs, then the tests.
libc_compare() {
	local name=$1 how=$2 stock patched s p fs fp what="ld.so and libc"
	shift 2
	[ "$how" = cpuid-startup ] && what="ld.so's start-up"
	stock_glibc on || { tap 1 "$name: stock glibc bound over the system one"; return; }
	stock=$(libc_count stock $how "$@")
	stock_glibc off
	patched=$(libc_count patched $how "$@")
	echo "# libc $name: stock   $stock"
	echo "# libc $name: patched $patched"
	echo "# libc $name: faults stock $(head -1 /tmp/libc.stock.faults | cut -d' ' -f2-)," \
	     "patched $(head -1 /tmp/libc.patched.faults | cut -d' ' -f2-)"
	grep ' (block differs)' /tmp/libc.patched.cpuid | comment
	s=$(field "$stock" ldso) p=$(field "$patched" ldso)
	s=$((s + $(field "$stock" libc))) p=$((p + $(field "$patched" libc)))
	echo "# libc startup: $name: cpuid in glibc stock=$s patched=$p"
	if [ $WANT = 1 ]; then
		[ "$p" = 0 ] && [ "$s" -gt 0 ]
		tap $? "$name: 0 CPUID executed in $what under kernel delivery ($p; stock glibc: $s)"
	else
		[ "$p" = "$s" ]
		tap $? "$name: without delivery as many CPUID in $what as stock glibc ($p, $s)"
	fi
	s=$(field "$stock" syscalls) p=$(field "$patched" syscalls)
	[ -n "$p" ] && [ -n "$s" ] && [ "$p" -le "$s" ]
	tap $? "$name: no more system calls than stock glibc ($p, $s)" \
		"$(cost_more /tmp/libc.stock.syscalls /tmp/libc.patched.syscalls)"
	s=$(field "$stock" mean100) p=$(field "$patched" mean100)
	fs=$(field "$stock" majflt) fp=$(field "$patched" majflt)
	# Where the pages went (KB resident per mapping at exit), if they differ.
	cmp -s /tmp/libc.stock.pages /tmp/libc.patched.pages || diff /tmp/libc.stock.pages /tmp/libc.patched.pages |
		grep '^[<>]' | sed 's/^</# pages stock:  /; s/^>/# pages patched:/'
	# The series keeps every segment of ld.so and libc.so on the pages
	# Debian's build gave it (0001's CPUID lookup is one function, 0002's
	# code is compiled for size, its variables lie after .bss): the
	# patched mean may exceed stock's by the noise of a difference of
	# two means, three of its standard errors (from the two runs'
	# spreads; FAULT_NOISE hundredths of a fault at least), no more.
	# Up to one fault beyond that is reported as TODO (the target is
	# stock's count), more fails.  Under delivery it is the
	# machine-facts block's page, which the patched ld.so reads where
	# stock glibc executes 34 CPUID (about 250 us on the test host).
	# Without, a program that calls getrandom runs the patched code,
	# which lies elsewhere than stock's: whether its page comes with a
	# fault-around window of pages the program touches anyway depends
	# on where the library lands (seen: +0.5 to +0.8 for cost work
	# getrandom without delivery, 0 for /usr/bin/true).
	local what="mean minor page faults with ASLR at most stock glibc's" noise sds sdp
	sds=$(field "$stock" sd100) sdp=$(field "$patched" sd100)
	noise=$((3 * $(isqrt $(( (sds * sds + sdp * sdp) / LIBC_FAULT_RUNS )))))
	[ "$noise" -ge $FAULT_NOISE ] || noise=$FAULT_NOISE
	what="$what (+$(hundredths $noise) noise: $(hundredths $p), $(hundredths $s); major $fp, $fs)"
	if [ -z "$p" ] || [ -z "$s" ] || [ "$fp" -gt "$fs" ] ||
	   [ "$p" -gt $((s + noise + 100)) ]; then
		tap 1 "$name: $what"
	elif [ "$p" -gt $((s + noise)) ] && [ $WANT = 1 ]; then
		tap 1 "$name: $what" "TODO the facts block's page: one fault"
	elif [ "$p" -gt $((s + noise)) ]; then
		tap 1 "$name: $what" "TODO where the patched code lies: one fault"
	else
		tap 0 "$name: $what"
	fi
	# A fork child of a process on the patched libc, before its exec:
	# its fork handlers leave the getrandom pool's and the image's
	# variables alone unless the parent used them (patch 0004; before,
	# 3 to 4 faults more: a read of their untouched page maps the zero
	# page, a write copies it).  A difference of two differences of
	# means, each batch of runs with a launcher on its own libc, so
	# FORK_NOISE is wider (seen with 0004: -3.2 to +1.9 around 0).
	s=$(( $(field "$stock" fork100) - $(field "$stock" mean100) ))
	p=$(( $(field "$patched" fork100) - $(field "$patched" mean100) ))
	if [ "$p" -gt $((s + FORK_NOISE)) ]; then
		tap 1 "$name: a fork child's faults before exec at most stock glibc's (+$(hundredths $FORK_NOISE) noise: $(hundredths $p), $(hundredths $s))"
	else
		tap 0 "$name: a fork child's faults before exec at most stock glibc's (+$(hundredths $FORK_NOISE) noise: $(hundredths $p), $(hundredths $s))"
	fi
}

# 6855 -> 68.55, -320 -> -3.20
hundredths() {
	local v=$1 sign=
	[ "$v" -ge 0 ] || sign=- v=$((-v))
	printf '%s%d.%02d' "$sign" $((v / 100)) $((v % 100))
}

# The integer square root of @1 (busybox's awk has no sqrt).
isqrt() {
	local r=0
	while [ $(((r + 1) * (r + 1))) -le "$1" ]; do r=$((r + 1)); done
	echo $r
}

LIBC_FAULT_RUNS=63
FAULT_NOISE=50
FORK_NOISE=250

check_libc_cost() {
	local cost=$VLIBC_BUILD/selftests/facts/cost aslr
	sed 's|.*/||' /vlibc/libc > /tmp/libc.names
	aslr=$(cat /proc/sys/kernel/randomize_va_space)
	LIBC_ASLR=2
	[ "$aslr" = 0 ] || LIBC_ASLR=$aslr
	echo 0 > /proc/sys/kernel/randomize_va_space
	libc_compare /usr/bin/true cpuid /usr/bin/true
	libc_compare "selftests/facts/cost work getrandom" cpuid "$cost" work getrandom 10
	# Python's start-up runs too long to single-step whole under
	# emulation; its hash seed fixed, it makes the same calls each run.
	if [ -x /vlibc/python3 ]; then
		export PYTHONHASHSEED=0
		libc_compare "python3 -c pass" cpuid-startup /vlibc/python3 -c pass
		unset PYTHONHASHSEED
	fi
	echo "$aslr" > /proc/sys/kernel/randomize_va_space
}

# --- vlibc-stat on processes without the binder: this shell (static
# busybox) has [vlibc] but no counters set up under delivery, and is no
# vlibc process without; -a lists it only under delivery.  The selftests
# (selftests/stat) read processes with the binder.
check_stat() {
	local stat=$VLIBC_BUILD/vlibc-stat want=4 rc listed=0
	[ $WANT = 1 ] && want=5
	"$stat" $$ 2>/tmp/stat.err
	rc=$?
	comment /tmp/stat.err
	[ $rc -eq $want ]
	tap $? "vlibc-stat on this shell: exit $rc (want $want: 5 not set up, 4 not vlibc)"
	"$stat" -a > /tmp/stat.out
	rc=$?
	grep -q "^ *$$ .*not set up" /tmp/stat.out && listed=1
	[ $rc -eq 0 ] && [ $listed -eq $WANT ]
	tap $? "vlibc-stat -a: exit $rc, this shell listed: $listed (want $WANT)"
}

# --- CPython's thread tests (kernel/initramfs.sh stages them) on the
# system libc, then with the binder preloaded over it (the locks family
# bound); libc boots only.
python_thread_tests() {
	local tests out rc how
	[ -x /vlibc/python3 ] && [ -s /vlibc/py-tests ] ||
		{ echo "# python: no CPython test suite staged"; return; }
	tests=$(cat /vlibc/py-tests)
	for how in "" "LD_PRELOAD=$BINDER"; do
		out=$(cd /tmp && env $how timeout 900 /vlibc/python3 -m test $tests 2>&1)
		rc=$?
		if [ $rc = 0 ] && echo "$out" | grep -q '^Tests result: SUCCESS'; then
			tap 0 "python3 -m test $tests${how:+ (binder preloaded)}: $(echo "$out" | grep -m1 '^Total duration')"
		else
			echo "$out" | tail -20 | comment
			tap 1 "python3 -m test $tests${how:+ (binder preloaded)}: exit $rc"
		fi
	done
}

sel_pass=0 sel_fail=0 sel_skip=0
check_delivery
check_no_image_file
if [ "$LIBC" = 1 ]; then
	check_libc_cost
else
	check_exec_cost
	check_kernel_cost
	check_stat
fi
[ "$SELFTESTS" != 0 ] && run_selftests
[ "$LIBC" = 1 ] && selftest_wanted glibc/getrandom_cases && glibc_getrandom_cases
[ "$LIBC" = 1 ] && selftest_wanted python/ && python_thread_tests
echo "$BINDER" > /etc/ld.so.preload
check_fio
check_storm
rm -f /etc/ld.so.preload
check_no_image_file
echo "1..$n"
