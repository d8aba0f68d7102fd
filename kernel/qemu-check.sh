#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU suite, host side: boots $O/kernel/bzImage with the initramfs
# twice, collects the guest's TAP from the serial console, renumbers it
# and closes with "N passed, M failed" (plus ", T todo" when there are
# TODO results).  Called by `make qemu-check` after kernel/initramfs.sh.
#   boot 1  kernel delivery on: delivery checks, selftests, fio, storm
#   boot 2  vlibc=off: no delivery, the binder falls back to glibc
# VLIBC_QEMU_EXPECT=kernel (default) expects kernel delivery on boot 1;
# VLIBC_QEMU_EXPECT=none expects none (a kernel without CONFIG_VLIBC),
# which validates the suite itself: selftest failures are then TODO.
# VLIBC_QEMU_STORM sets the fork/exec storm's size (200).
# VLIBC_QEMU_SELFTESTS=stat/,locks/ runs only the guest selftests whose
# path under selftests/ starts so (a developer's loop; default: all).
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

boot() {
	local label=$1 log=$LOGS/qemu-$1.log
	shift
	echo "# boot $label: $*"
	O=$O "$SRC/kernel/qemu-run.sh" "$log" "$@" | sed 's/^/# /'
	collect "$label" "$log"
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
boot on vlibc_qemu.expect="$EXPECT" vlibc_qemu.storm="$STORM" vlibc_qemu.selftests="$SELFTESTS"
boot off vlibc=off vlibc_qemu.expect="$EXPECT" vlibc_qemu.selftests=0 \
	vlibc_qemu.storm="$((STORM / 4))"
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
