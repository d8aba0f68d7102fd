#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The power-cut check, host side (make qemu-powercut; kernel/qemu-check.sh
# runs it last).  A writer in the guest (kernel/guest/powercut_writer.c)
# appends numbered, checksummed records to a file on ext4 on a virtio disk
# with aio_write() and aio_fsync(O_DSYNC), several in flight, and prints
# how many records are acknowledged (on the disk) on the serial console.
# This script kills QEMU (SIGKILL: no shutdown, the guest's memory is gone)
# at a random moment 0.5 to 5 s after the first acknowledgement, boots
# again, and the writer's first act in the next boot (after the kernel
# replayed the journal) is to list the intact records: every record
# acknowledged in every earlier run must be there, intact, in order, and
# written by the run that acknowledged it.  A last boot only verifies and
# unmounts; then e2fsck finds the file system clean and the host, reading
# the image with debugfs, finds the same records.
#
# Modes, each on a fresh disk image:
#   vlibc     kernel delivery on, the binder preloaded: vlibc's AIO
#   glibc     vlibc=off, no binder: glibc's AIO, the control
#   selfcheck the writer acknowledges without fsync (vlibc's AIO): the
#             check must find acknowledged records lost, or it cannot fail
#
# What is modelled: the guest loses its memory (page cache, the writer,
# QEMU's device state) at an arbitrary instant.  QEMU writes the image
# through the host's page cache (cache=writeback: guest flushes become
# fdatasync on the image), and the host does not crash, so every write
# QEMU had passed to the host survives; a request QEMU had not yet issued
# is lost.  Not modelled: a disk's volatile cache losing writes it had
# completed but not flushed, or torn sectors.  See
# Documentation/admin-guide/vlibc.rst, "Power-cut check".
#
# Environment: O (build folder), VLIBC_POWERCUT_RUNS (kills per mode, 20),
# VLIBC_POWERCUT_MODES ("vlibc glibc selfcheck"), VLIBC_POWERCUT_SELFCHECK_RUNS (2).
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
BUILD=$(cd "$O" && pwd)
OUT=$BUILD/kernel
RUNS=${VLIBC_POWERCUT_RUNS:-20}
SELFCHECK_RUNS=${VLIBC_POWERCUT_SELFCHECK_RUNS:-2}
MODES=${VLIBC_POWERCUT_MODES:-vlibc glibc selfcheck}
KERNEL=$OUT/bzImage
WRITER=$OUT/powercut_writer
INITRD=$OUT/powercut.cpio.gz
BOOT_TIMEOUT=120	# seconds from QEMU's start to the first acknowledgement
T0=$(date +%s)

n=0 pass=0 fail=0
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		fail=$((fail + 1)); echo "not ok $n $2"
	fi
}
note() { echo "# $*"; }
die() { echo "powercut: error: $*" >&2; exit 1; }

for f in "$KERNEL" "$WRITER" "$BUILD/libvlibc.so" /bin/busybox; do
	[ -f "$f" ] || die "$f missing (make kernel; make $O/kernel/powercut_writer)"
done
for t in mkfs.ext4 e2fsck debugfs qemu-system-x86_64 cpio; do
	command -v $t >/dev/null || die "$t missing (scripts/bootstrap installs it)"
done

# The initramfs: busybox, the writer, the binder and the libraries they load.
make_initramfs() {
	local stage=$OUT/powercut.d lib
	rm -rf "$stage"
	mkdir -p "$stage"/{usr/bin,usr/lib,usr/lib64,proc,sys,dev,mnt,tmp,vlibc}
	ln -s usr/bin "$stage/bin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	cp /bin/busybox "$stage/usr/bin/"
	for applet in $(/bin/busybox --list); do
		[ -e "$stage/usr/bin/$applet" ] || ln -s busybox "$stage/usr/bin/$applet"
	done
	cp "$WRITER" "$BUILD/libvlibc.so" "$stage/vlibc/" &&
		cp "$SRC/kernel/guest/powercut-init" "$stage/init" &&
		chmod 755 "$stage/init" || die "cannot stage the initramfs"
	for lib in $( (ldd "$WRITER"; ldd "$BUILD/libvlibc.so") |
		     awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		     sort -u); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib" || die "cannot copy $lib"
	done
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$INITRD.tmp" &&
		mv "$INITRD.tmp" "$INITRD" || die "cannot write $INITRD"
}

# Starts QEMU on disk image $1, serial console to log $2, kernel
# parameters after; sets $qemu to its process id.
start_vm() {
	local img=$1 log=$2
	shift 2
	: > "$log"
	qemu-system-x86_64 -accel tcg -cpu max -m 256M -smp 2 -nographic \
		-no-reboot -kernel "$KERNEL" -initrd "$INITRD" \
		-drive file="$img",format=raw,if=virtio,cache=writeback \
		-append "console=ttyS0 panic=-1 loglevel=4 $*" < /dev/null > "$log" 2>&1 &
	qemu=$!
}

# The console's complete lines from log $1, without carriage returns: the
# kill may cut the last line short ("acked 1234" read as "acked 12").
console() {
	if [ -z "$(tail -c 1 "$1")" ]; then
		tr -d '\r' < "$1"
	else
		tr -d '\r' < "$1" | sed '$d'
	fi
}

# Does log $1 have a line matching $2?  (Not grep -q: with pipefail, tr
# killed by SIGPIPE when grep stops early would make it "no".)
seen() { [ "$(console "$1" | grep -c -- "$2")" -gt 0 ]; }

# Waits until log $1 shows the first acknowledgement (0), or the VM ended
# or failed (1).
wait_first_ack() {
	local log=$1 waited=0
	while [ $waited -lt $((BOOT_TIMEOUT * 10)) ]; do
		grep -q 'powercut: acked' "$log" && return 0
		grep -q 'powercut: error\|powercut: end' "$log" && return 1
		kill -0 $qemu 2>/dev/null || return 1
		sleep 0.1
		waited=$((waited + 1))
	done
	return 1
}

# Waits for QEMU to end (the verifying boot powers off), BOOT_TIMEOUT at most.
wait_exit() {
	local waited=0
	while kill -0 $qemu 2>/dev/null && [ $waited -lt $((BOOT_TIMEOUT * 10)) ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	kill -KILL $qemu 2>/dev/null
	wait $qemu 2>/dev/null
}

# Records acknowledged in earlier runs ("FIRST END RUN": records FIRST to
# END-1, written by RUN) that the verification in log $1 does not find
# intact, written by their run; then the list is cut at the intact records
# (the writer cuts the file there).  Adds to $lost; a boot that did not
# verify adds to $errors.
check_acked() {
	local log=$1 verified missing
	verified=$(console "$log" | sed -n 's/^powercut: verified \([0-9]*\) records.*/\1/p' | head -1)
	if [ -z "$verified" ]; then
		# Not a loss: the records are checked at the next boot.
		note "no verification in $log: the next boot checks the records"
		errors=$((errors + 1))
		return
	fi
	missing=$(console "$log" | awk -v acked="$ACKED" '
			/^powercut: segment / { f[++k] = $3; l[k] = $4; r[k] = $6 }
			END {
				while ((getline line < acked) > 0) {
					split(line, a, " ")
					have = 0
					for (i = 1; i <= k; i++) {
						if (r[i] != a[3])
							continue
						lo = a[1] > f[i] ? a[1] : f[i]
						hi = a[2] < l[i] + 1 ? a[2] : l[i] + 1
						if (hi > lo)
							have += hi - lo
					}
					miss += a[2] - a[1] - have
				}
				print miss + 0
			}')
	awk -v v="$verified" '$1 < v { print $1, ($2 < v ? $2 : v), $3 }' \
		"$ACKED" > "$ACKED.tmp"
	mv "$ACKED.tmp" "$ACKED"
	if [ "$missing" -ne 0 ]; then
		note "$(basename "$log"): $missing acknowledged record(s) not intact;" \
		     "the verification said:"
		console "$log" | grep -E '^powercut: (segment|verified)' | sed 's/^/#   /'
	fi
	lost=$((lost + missing))
}

# One mode: $RUNS kills on a fresh image, a verifying boot, the host's look.
run_mode() {
	local mode=$1 runs=$2 img=$OUT/powercut-$1.img params log r first last
	local delay proof=0 killed=0 t=$(date +%s) host_count guest_count
	acked_total=0 lost=0 errors=0
	ACKED=$OUT/powercut-$mode.acked
	: > "$ACKED"
	rm -f "$img"
	truncate -s 2G "$img"
	mkfs.ext4 -q -F "$img" || die "mkfs.ext4 $img failed"
	case $mode in
	vlibc)		params="vlibc_qemu.powercut=write vlibc_qemu.powercut_aio=vlibc" ;;
	glibc)		params="vlibc=off vlibc_qemu.powercut=write" ;;
	selfcheck)	params="vlibc_qemu.powercut=unsynced vlibc_qemu.powercut_aio=vlibc" ;;
	esac
	for r in $(seq 1 "$runs"); do
		log=$OUT/powercut-$mode-$r.log
		start_vm "$img" "$log" $params vlibc_qemu.powercut_run=$r
		if ! wait_first_ack "$log" && ! seen "$log" '^powercut: init'; then
			# The kernel never reached /init (seen once under TCG on a
			# loaded host): nothing was written, boot once more.
			note "$mode run $r: no /init in ${BOOT_TIMEOUT}s, booting again; last lines:"
			kill -KILL $qemu 2>/dev/null
			wait $qemu 2>/dev/null
			console "$log" | tail -5 | sed 's/^/#   /'
			start_vm "$img" "$log" $params vlibc_qemu.powercut_run=$r
		fi
		if wait_first_ack "$log"; then
			delay=$((500 + RANDOM % 4501))
			sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		else
			delay=
		fi
		if kill -0 $qemu 2>/dev/null && [ -n "$delay" ]; then
			killed=$((killed + 1))
		fi
		kill -KILL $qemu 2>/dev/null
		wait $qemu 2>/dev/null
		check_acked "$log"
		first=$(console "$log" | sed -n 's/^powercut: run [0-9]* appends from record \([0-9]*\).*/\1/p')
		last=$(console "$log" | sed -n 's/^powercut: acked \([0-9]*\)$/\1/p' | tail -1)
		if [ -n "$first" ] && [ -n "$last" ] && [ "$last" -ge "$first" ]; then
			echo "$first $last $r" >> "$ACKED"
			acked_total=$((acked_total + last - first))
		fi
		note "$mode run $r: from record ${first:-?}, acknowledged up to ${last:-none}," \
		     "$(console "$log" | grep '^powercut: vda [0-9]' | tail -1 | cut -d' ' -f2-)," \
		     "killed ${delay:+$delay ms after the first acknowledgement}$([ -n "$delay" ] || echo "without an acknowledgement")"
		if seen "$log" '^powercut: error' || [ -z "$first" ]; then
			errors=$((errors + 1))
			note "last lines of $log:"
			console "$log" | tail -8 | sed 's/^/#   /'
		fi
		proof=$((proof + $(aio_proof "$mode" "$log")))
	done
	log=$OUT/powercut-$mode-verify.log
	start_vm "$img" "$log" vlibc_qemu.powercut=verify
	wait_exit
	check_acked "$log"
	seen "$log" '^powercut: unmounted' || errors=$((errors + 1))

	case $mode in
	vlibc) tap $((runs - proof)) "powercut vlibc: the writer's AIO was vlibc's in $proof of $runs runs (kernel image, family aio -> vlibc)" ;;
	glibc) tap $((runs - proof)) "powercut glibc: the writer's AIO was glibc's in $proof of $runs runs (no binder, no [vlibc])" ;;
	esac
	tap $((runs - killed + errors)) "powercut $mode: $killed of $runs runs killed while acknowledging, $errors error(s)"
	if [ "$mode" = selfcheck ]; then
		[ $lost -gt 0 ]
		tap $? "powercut selfcheck: acknowledging without fsync loses records, and the check sees it ($lost of $acked_total lost)"
	else
		[ $lost -eq 0 ] && [ $acked_total -gt 0 ]
		tap $? "powercut $mode: every acknowledged record intact and in order after each restart ($runs runs, $acked_total records acknowledged, $lost lost)"
		# The host's own reading of the image, after the clean unmount.
		guest_count=$(console "$log" | sed -n 's/^powercut: verified \([0-9]*\) records.*/\1/p')
		rm -f "$OUT/powercut-records"
		e2fsck -fn "$img" > "$OUT/powercut-$mode.fsck" 2>&1 &&
			debugfs -R "dump /records $OUT/powercut-records" "$img" 2>/dev/null &&
			host_count=$("$WRITER" verify "$OUT/powercut-records" |
				     sed -n 's/^powercut: verified \([0-9]*\) records.*/\1/p')
		[ -n "$guest_count" ] && [ "${host_count:-x}" = "$guest_count" ]
		tap $? "powercut $mode: e2fsck finds the file system clean, the host reads the same ${host_count:-?} records as the guest (${guest_count:-?})"
		rm -f "$OUT/powercut-records"
	fi
	note "$mode: $runs runs, $acked_total records acknowledged, $lost lost, $(( $(date +%s) - t ))s"
	rm -f "$img"
}

# 1 when log $2 proves the writer ran on mode $1's AIO, else 0.
aio_proof() {
	local log=$2
	case $1 in
	vlibc)
		seen "$log" '^powercut: maps: binder yes, \[vlibc\] yes' &&
			seen "$log" '^vlibc: image .*(kernel) at' &&
			seen "$log" '^vlibc: family aio -> vlibc' ;;
	glibc)
		seen "$log" '^powercut: maps: binder no, \[vlibc\] no' ;;
	*)	true ;;
	esac && echo 1 || echo 0
}

echo "TAP version 13"
make_initramfs
note "initramfs $INITRD: $(( $(stat -c %s "$INITRD") / 1024 )) KiB"
for mode in $MODES; do
	case $mode in
	vlibc|glibc)	run_mode "$mode" "$RUNS" ;;
	selfcheck)	run_mode "$mode" "$SELFCHECK_RUNS" ;;
	*)		die "unknown mode $mode" ;;
	esac
done
echo "1..$n"
note "powercut took $(( $(date +%s) - T0 ))s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
