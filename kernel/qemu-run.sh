#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One boot of the QEMU suite's kernel and initramfs under software
# emulation (this machine's /dev/kvm does not run ordinary guests).
#   kernel/qemu-run.sh LOG [KERNEL-PARAMETER...]
# The serial console goes to LOG; the guest's /init ends the boot with a
# reboot, which -no-reboot turns into QEMU exiting, and a panic does the
# same (panic=-1).  Prints the wall time to /init and to the end.
# Environment: O (build folder), VLIBC_QEMU_TIMEOUT (seconds, 600),
# VLIBC_QEMU_MEM (1G), VLIBC_QEMU_SMP (2), VLIBC_QEMU_INITRD (the
# initramfs, $O/kernel/initramfs.cpio.gz).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 LOG [KERNEL-PARAMETER...]" >&2; exit 2; }
LOG=$1
shift
O=${O:-build}
KERNEL=$O/kernel/bzImage
INITRD=${VLIBC_QEMU_INITRD:-$O/kernel/initramfs.cpio.gz}
TIMEOUT=${VLIBC_QEMU_TIMEOUT:-600}
for f in "$KERNEL" "$INITRD"; do
	[ -f "$f" ] || { echo "qemu-run: $f missing (make kernel; kernel/initramfs.sh)" >&2; exit 1; }
done

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# -cpu max gives the guest RDRAND, so its random pool is ready at once.
start=$(now)
: > "$LOG"	# not the last boot's "vlibc-qemu: init"
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m "${VLIBC_QEMU_MEM:-1G}" \
	-smp "${VLIBC_QEMU_SMP:-2}" -nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 quiet $*" < /dev/null > "$LOG" 2>&1 &
qemu=$!
init_seen=
while kill -0 $qemu 2>/dev/null; do
	if [ -z "$init_seen" ] && grep -q 'vlibc-qemu: init' "$LOG"; then
		init_seen=1
		echo "qemu-run: boot to /init in $(since "$start")"
	fi
	sleep 0.2
done
rc=0
wait $qemu || rc=$?
[ $rc -ne 124 ] || echo "qemu-run: timed out after ${TIMEOUT}s" >&2
echo "qemu-run: QEMU exited ($rc) after $(since "$start")"
exit $rc
