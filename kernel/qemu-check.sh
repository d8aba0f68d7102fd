#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU suite, host side: boots $O/kernel/bzImage with the initramfs
# twice, collects the guest's TAP from the serial console, renumbers it
# and closes with "N passed, M failed" (plus ", T todo" when there are
# TODO results).  Called by `make qemu-check` after kernel/initramfs.sh.
#   boot 1  kernel delivery on: delivery checks, selftests, fio, storm
#   boot 2  vlibc=off: no delivery, the binder falls back to glibc
#   boot 3  "libc", when kernel/initramfs.sh wrote initramfs-libc.cpio.gz
#           (VLIBC_LIBC_ROOT, `make glibc`'s root): kernel delivery with
#           that glibc as the guest's system libc, its start-up counted
#           against stock glibc's (CPUID, system calls, page faults), the
#           selftests, fio and the storm; VLIBC_QEMU_LIBC=0 leaves it out
#   boot 4  "libc-off": the same guest with vlibc=off, glibc without the
#           machine-facts block (as many CPUID as stock glibc), fio, storm
# VLIBC_QEMU_EXPECT=kernel (default) expects kernel delivery on boot 1;
# VLIBC_QEMU_EXPECT=none expects none (a kernel without CONFIG_VLIBC),
# which validates the suite itself: selftest failures are then TODO.
# VLIBC_QEMU_STORM sets the fork/exec storm's size (200).
# VLIBC_QEMU_SELFTESTS=stat/,locks/ runs only the guest selftests whose
# path under selftests/ starts so (a developer's loop; default: all).
# VLIBC_QEMU_BOOTS=libc runs only the boots named (on,off,libc,libc-off: all).
# Then the power-cut check (kernel/powercut.sh, its own boots), whose TAP
# is renumbered into this one; VLIBC_POWERCUT_RUNS=0 leaves it out.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
EXPECT=${VLIBC_QEMU_EXPECT:-kernel}
STORM=${VLIBC_QEMU_STORM:-200}
LOGS=$O/kernel
T0=$(date +%s)

case $EXPECT in
kernel|none) ;;
*) echo "qemu-check: VLIBC_QEMU_EXPECT is kernel or none, not '$EXPECT'" >&2; exit 2 ;;
esac

n=0 pass=0 fail=0 todo=0
result() {
	n=$((n + 1))
	case $1 in
	ok)	pass=$((pass + 1)); echo "ok $n $2" ;;
	todo)	todo=$((todo + 1)); echo "not ok $n $2" ;;
	*)	fail=$((fail + 1)); echo "not ok $n $2" ;;
	esac
}

# The guest's TAP from one serial log, renumbered, with a boot label.
collect() {
	local label=$1 log=$2 line desc ended=
	while IFS= read -r line; do
		case $line in
		"vlibc-qemu: end")
			ended=1 ;;
		"not ok "*"# TODO"*)
			desc=${line#not ok }
			result todo "$label: ${desc#* }" ;;
		"not ok "*)
			desc=${line#not ok }
			result fail "$label: ${desc#* }" ;;
		"ok "*)
			desc=${line#ok }
			result ok "$label: ${desc#* }" ;;
		"#"*)
			echo "$line" ;;
		esac
	done < <(tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
		 sed -n '/vlibc-qemu: begin/,/vlibc-qemu: end/p')
	if [ -z "$ended" ]; then
		echo "# last lines of $log:"
		tr -d '\r' < "$log" | tail -20 | sed 's/^/#   /'
		result fail "$label: the guest did not finish its payload"
	fi
}

# boot LABEL [INITRD=FILE] [TIMEOUT=SECONDS] KERNEL-PARAMETER...
boot() {
	local label=$1 log=$LOGS/qemu-$1.log initrd=$O/kernel/initramfs.cpio.gz
	local timeout=${VLIBC_QEMU_TIMEOUT:-600}
	shift
	case $1 in INITRD=*) initrd=${1#INITRD=}; shift ;; esac
	case $1 in TIMEOUT=*) timeout=${1#TIMEOUT=}; shift ;; esac
	echo "# boot $label: $*"
	O=$O VLIBC_QEMU_INITRD=$initrd VLIBC_QEMU_TIMEOUT=$timeout \
		"$SRC/kernel/qemu-run.sh" "$log" "$@" | sed 's/^/# /'
	collect "$label" "$log"
}

# The start-up cost the libc boot's CPUID counts stand for on this
# machine: CPUIDs removed per exec times the host's ns per CPUID.
startup_cost() {
	local bench=$O/bench/cpuid_bench ns min line name stock patched host
	read -r _ ns min _ < <("$bench" 2>/dev/null | grep '^cpuid ')
	[ -n "$ns" ] || { echo "# no ns per CPUID: $bench did not run"; return; }
	echo "# CPUID on this host: $ns ns median, $min least ($bench," \
	     "load average $(cut -d' ' -f1-3 /proc/loadavg))"
	# The guest's CPU model is QEMU's: this host's stock ld.so may differ.
	host=$("$O/selftests/facts/cost" cpuid /usr/bin/true 2>/dev/null |
	       sed -n 's/^cpuid total=\([0-9]*\) .* by=\([a-z-]*\).*/\1 (\2)/p')
	echo "# this host's stock glibc: ${host:-?} CPUID per exec of /usr/bin/true," \
	     "$(awk -v c="${host%% *}" -v ns="$ns" 'BEGIN { printf "%.0f", c * ns / 1000 }') us"
	tr -d '\r' < "$LOGS/qemu-libc.log" | sed -n 's/^# libc startup: //p' |
	while IFS= read -r line; do
		name=${line%%: cpuid*}
		stock=$(echo "$line" | sed -n 's/.*stock=\([0-9]*\).*/\1/p')
		patched=$(echo "$line" | sed -n 's/.*patched=\([0-9]*\).*/\1/p')
		awk -v n="$name" -v s="$stock" -v p="$patched" -v ns="$ns" -v min="$min" 'BEGIN {
			printf "# start-up cost removed per exec of %s: %d CPUID fewer in the guest x %.0f ns = %.0f us on this host (%.0f us at the least)\n",
				n, s - p, ns, (s - p) * ns / 1000, (s - p) * min / 1000 }'
	done
}

echo "TAP version 13"
echo "# kernel: $(cat "$O/kernel/vlibc" 2>/dev/null || echo unknown), expecting ${EXPECT} delivery"
if [ "$EXPECT" = kernel ] && ! grep -q '^CONFIG_VLIBC=y' "$O/kernel/vlibc" 2>/dev/null; then
	echo "# this kernel has no CONFIG_VLIBC: the delivery checks will fail;"
	echo "# VLIBC_QEMU_EXPECT=none checks the suite against such a kernel"
fi
SELFTESTS=${VLIBC_QEMU_SELFTESTS:-1}
case $SELFTESTS in
*[!A-Za-z0-9_/,.-]*) echo "qemu-check: VLIBC_QEMU_SELFTESTS: a list of paths like stat/,locks/" >&2; exit 2 ;;
esac
BOOTS=,${VLIBC_QEMU_BOOTS:-on,off,libc,libc-off},
wanted() { case $BOOTS in *,$1,*) true ;; *) false ;; esac; }
wanted on &&
	boot on vlibc_qemu.expect="$EXPECT" vlibc_qemu.storm="$STORM" vlibc_qemu.selftests="$SELFTESTS"
wanted off &&
	boot off vlibc=off vlibc_qemu.expect="$EXPECT" vlibc_qemu.selftests=0 \
		vlibc_qemu.storm="$((STORM / 4))"
LIBC_IMAGE=$O/kernel/initramfs-libc.cpio.gz
if ! wanted libc && ! wanted libc-off; then
	:
elif [ "${VLIBC_QEMU_LIBC:-1}" = 0 ]; then
	echo "# no libc boots: VLIBC_QEMU_LIBC=0"
elif [ ! -f "$LIBC_IMAGE" ]; then
	echo "# no libc boots: no $LIBC_IMAGE (kernel/initramfs.sh with VLIBC_LIBC_ROOT, make glibc)"
else
	if wanted libc; then
		# The "on" boot's work and the counting: half as long again.
		boot libc INITRD="$LIBC_IMAGE" TIMEOUT=$(( ${VLIBC_QEMU_TIMEOUT:-600} * 3 / 2 )) \
			vlibc_qemu.libc=1 vlibc_qemu.expect="$EXPECT" \
			vlibc_qemu.storm="$STORM" vlibc_qemu.selftests="$SELFTESTS"
		startup_cost
	fi
	if wanted libc-off; then
		boot libc-off INITRD="$LIBC_IMAGE" vlibc=off vlibc_qemu.libc=1 \
			vlibc_qemu.expect="$EXPECT" vlibc_qemu.selftests=0 \
			vlibc_qemu.storm="$((STORM / 4))"
	fi
fi
# The power-cut check's TAP, renumbered; a failure if it did not finish.
powercut() {
	local line desc ended= modes=${VLIBC_POWERCUT_MODES:-}
	# Without kernel delivery there is no vlibc AIO in the guest.
	[ "$EXPECT" = kernel ] || modes=${modes:-glibc selfcheck}
	while IFS= read -r line; do
		case $line in
		"TAP version"*|"1.."*)	;;
		"not ok "*)	desc=${line#not ok }; result fail "${desc#* }" ;;
		"ok "*)		desc=${line#ok }; result ok "${desc#* }" ;;
		"#"*)		echo "$line" ;;
		*" passed, "*" failed")	ended=1 ;;
		*)		echo "# $line" ;;
		esac
	done < <(O=$O VLIBC_POWERCUT_MODES=$modes "$SRC/kernel/powercut.sh" 2>&1)
	[ -n "$ended" ] || result fail "powercut: kernel/powercut.sh did not finish"
}
if [ "${VLIBC_POWERCUT_RUNS:-20}" != 0 ]; then
	echo "# power-cut check: kernel/powercut.sh"
	powercut
fi
echo "1..$n"
echo "# qemu-check took $(( $(date +%s) - T0 ))s"
echo "$pass passed, $fail failed$([ $todo -eq 0 ] || echo ", $todo todo")"
[ $fail -eq 0 ]
