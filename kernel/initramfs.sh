#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the QEMU suite's initramfs, $O/kernel/initramfs.cpio.gz, from
# Debian packages and the project's build outputs:
#   busybox-static (with its applet links), bash and a few dynamic
#   coreutils, fio, strace, stress-ng, every library they and the
#   project's programs load (ldd), Debian's python3 as /vlibc/python3 with
#   the modules its start-up imports (when installed: the libc boot counts
#   its start-up; not /usr/bin/python3, which selftests take for a whole
#   Python), the binder, vlibc-run, vlibc-stat, vlibc-ab, the selftest
#   programs and the exec-cost probes at the same absolute path as on the host (probe-linked has it
#   as its run path), selftests/run, and kernel/guest/ (/init, the payload).
# No linux-vlibc.so* file goes in: in the guest the image can only come
# from the kernel.  The vdso-link selftests (build tools, they need a
# compiler) stay on the host.
# With VLIBC_LIBC_ROOT (a glibc installed as a merged-/usr root, `make
# glibc`'s $O/glibc/root) it also writes $O/kernel/initramfs-libc.cpio.gz,
# the guest of the "libc" boot: the same archive followed by a second one
# (the kernel unpacks both, the later file replacing the earlier) holding
# that root's files in place of every glibc file the first one stages
# (ld.so at the path PT_INTERP names, libc.so.6, libm.so.6, ...), the
# stock ones under /stock/ by their names, and their list, /vlibc/libc.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
BUILD=$(cd "$O" && pwd)
# The libc boot's glibc root, if any (relative to the source folder, as $O).
LIBC_ROOT=
if [ -n "${VLIBC_LIBC_ROOT:-}" ]; then
	LIBC_ROOT=$(cd "$VLIBC_LIBC_ROOT" 2>/dev/null && pwd) ||
		{ echo "initramfs: error: VLIBC_LIBC_ROOT=$VLIBC_LIBC_ROOT is no folder" >&2; exit 1; }
fi
OUT=$BUILD/kernel
STAGE=$OUT/initramfs.d
IMAGE=$OUT/initramfs.cpio.gz
T0=$(date +%s)

say() { echo "initramfs: $*"; }
die() { echo "initramfs: error: $*" >&2; exit 1; }

# Dynamic programs from the host, copied to /usr/bin under their names.
HOST_PROGS=(/usr/bin/bash /usr/bin/timeout /usr/bin/true /usr/bin/cat
	    /usr/bin/env /usr/bin/fio /usr/bin/strace /usr/bin/stress-ng)
# Loaded with dlopen (pthread_cancel, thread exit): ldd does not list it.
EXTRA_LIBS=(/lib/x86_64-linux-gnu/libgcc_s.so.1)

for f in /bin/busybox "${HOST_PROGS[@]}" "$BUILD/libvlibc.so" "$BUILD/libvlibc-memcpy.so" "$BUILD/vlibc-run" \
	 "$BUILD/vlibc-stat" "$BUILD/vlibc-ab"; do
	[ -e "$f" ] || die "$f missing (scripts/bootstrap installs it; make builds it)"
done

rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
# Debian's merged /usr, so that every path ldd prints exists.
mkdir -p usr/bin usr/lib/x86_64-linux-gnu usr/lib64 proc sys dev tmp \
	 etc root run var/tmp vlibc/src/selftests
ln -s bin usr/sbin
ln -s usr/bin bin
ln -s usr/bin sbin
ln -s usr/lib lib
ln -s usr/lib64 lib64

cp /bin/busybox usr/bin/busybox
cp -L "${HOST_PROGS[@]}" usr/bin/
for applet in $(/bin/busybox --list); do
	[ -e "usr/bin/$applet" ] || ln -s busybox "usr/bin/$applet"
done

# Host programs staged under other paths, for the libraries below.
HOST_ELVES=()
# Debian's python3 and the standard modules `python3 -c pass` imports,
# with their compiled forms (and times, which those are checked against);
# it finds them from its compiled-in prefix, /usr.
PYTHON=/usr/bin/python3.11
if [ -x $PYTHON ]; then
	cp $PYTHON vlibc/python3
	HOST_ELVES+=($PYTHON)
	mkdir -p usr/lib/python3.11/lib-dynload
	for mod in $(env -i $PYTHON -I -c 'import sys
for m in list(sys.modules.values()):
	print(getattr(m, "__file__", None) or "")' | grep '^/usr/lib/python3\.11/.*\.py$' | sort -u); do
		dir=${mod%/*} base=${mod##*/}
		mkdir -p ".$dir/__pycache__"
		cp -pL "$mod" ".$mod"
		cp -p "$dir/__pycache__/${base%.py}.cpython-311.pyc" ".$dir/__pycache__/" 2>/dev/null || true
	done
fi
# CPython's own thread tests (test_thread, test_threading, test_queue;
# Debian's libpython3.11-testsuite) and every module they import,
# extension modules with the libraries those load: payload.sh runs them
# in the libc boots.  The modules are those the tests' imports load;
# ones imported later, by a test or a child it starts, are named here.
PY_TESTS="test_thread test_threading test_queue"
if [ -x $PYTHON ] && [ -e /usr/lib/python3.11/test/test_threading.py ]; then
	for mod in $(env -i $PYTHON -I -c 'import sys, importlib
for m in ("test.libregrtest.main", "test.lock_tests",
	  "test.support.script_helper", "test.support.threading_helper",
	  "unittest.mock", "asyncio", "ssl", "ctypes", "bz2", "lzma",
	  "tracemalloc", "pickle", "zipfile", "getpass", "platform",
	  "_testcapi", "resource", "termios", "_queue", "queue",
	  *("test." + t for t in sys.argv[1:])):
	importlib.import_module(m)
for m in list(sys.modules.values()):
	print(getattr(m, "__file__", None) or "")' $PY_TESTS |
		grep '^/usr/lib/python3\.11/.*\.\(py\|so\)$' | sort -u); do
		dir=${mod%/*} base=${mod##*/}
		mkdir -p ".$dir/__pycache__"
		cp -pL "$mod" ".$mod"
		case $base in
		*.so) HOST_ELVES+=("$mod") ;;
		*) cp -p "$dir/__pycache__/${base%.py}.cpython-311.pyc" ".$dir/__pycache__/" 2>/dev/null || true ;;
		esac
	done
	# python3 -m test runs it (importing it would run the suite).
	cp -p /usr/lib/python3.11/test/__main__.py usr/lib/python3.11/test/
	echo "$PY_TESTS" > vlibc/py-tests
fi

# The project's outputs, at the host's absolute path.
mkdir -p ".$BUILD"
cp "$BUILD/libvlibc.so" "$BUILD/libvlibc-memcpy.so" "$BUILD/vlibc-run" "$BUILD/vlibc-stat" "$BUILD/vlibc-ab" ".$BUILD/"
mkdir -p ".$BUILD/bench"
cp "$BUILD/bench/exec_cost" "$BUILD/bench/getrandom_once" ".$BUILD/bench/"
(cd "$BUILD" && find selftests -path selftests/vdso-link -prune -o -type f \
	! -name 'linux-vlibc.so*' ! -name '*.o' ! -name '*.d' -print0) |
	(cd "$BUILD" && xargs -0 -r cp --parents -t "$STAGE/.$BUILD")
cp "$SRC"/selftests/run vlibc/src/selftests/run
cp "$SRC"/kernel/guest/init init
cp "$SRC"/kernel/guest/payload.sh "$SRC"/kernel/guest/maps.awk \
   "$SRC"/kernel/guest/posixaio.fio "$SRC"/bench/exec-cost.sh vlibc/
chmod 755 init vlibc/payload.sh
echo "VLIBC_BUILD=$BUILD" > vlibc/env

# Every library an ELF file in the stage loads, at the path ldd gives.
mapfile -t elves < <(find usr/bin ".$BUILD" -type f ! -name busybox \
	-exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
libs=$(for f in "${elves[@]}" "${HOST_ELVES[@]}"; do
	host=/${f#./}
	ldd "$host" 2>/dev/null | awk -v f="$host" '
		/not found/ { print "MISSING " $1 " for " f }
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }'
done | sort -u)
if grep -q '^MISSING' <<< "$libs"; then
	grep '^MISSING' <<< "$libs" >&2
	die "libraries missing on the host"
fi
for lib in $libs "${EXTRA_LIBS[@]}"; do
	case $lib in "$BUILD"/*) continue ;; esac
	mkdir -p ".$(dirname "$lib")"
	cp -L "$lib" ".$lib"
done

cat > etc/passwd <<EOF
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat > etc/group <<EOF
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF
printf 'passwd: files\ngroup: files\nshadow: files\n' > etc/nsswitch.conf

leak=$(find . -name 'linux-vlibc.so*')
[ -z "$leak" ] || die "an image file would be in the guest: $leak"

# The folder @1 as a compressed cpio archive, to @2.
archive() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$2.tmp"
	mv "$2.tmp" "$2"
}
archive . "$IMAGE"
say "$IMAGE: $(du -sm . | cut -f1) MB in $(find . -type f | wc -l) files," \
    "$(( $(stat -c %s "$IMAGE") / 1048576 )) MB compressed, $(( $(date +%s) - T0 ))s"

# --- the libc boot's guest: this one with VLIBC_LIBC_ROOT's glibc
LIBC_IMAGE=$OUT/initramfs-libc.cpio.gz
LIBC_STAGE=$OUT/initramfs-libc.d
rm -rf "$LIBC_STAGE" "$LIBC_IMAGE"
[ -n "$LIBC_ROOT" ] || exit 0
ROOT=$LIBC_ROOT
GLIBC_LIBS=$ROOT/usr/lib/x86_64-linux-gnu
for f in ld-linux-x86-64.so.2 libc.so.6; do
	[ -f "$GLIBC_LIBS/$f" ] || die "$GLIBC_LIBS/$f missing: no glibc root"
done
mkdir -p "$LIBC_STAGE/stock" "$LIBC_STAGE/vlibc"
# Every staged file of glibc's (by its name in the root), replaced.
for lib in $(find usr/lib/x86_64-linux-gnu usr/lib64 -maxdepth 1 -type f | sort); do
	name=${lib##*/}
	[ -f "$GLIBC_LIBS/$name" ] || continue
	[ -e "$LIBC_STAGE/stock/$name" ] && ! cmp -s "$lib" "$LIBC_STAGE/stock/$name" &&
		die "two different staged files named $name"
	mkdir -p "$LIBC_STAGE/${lib%/*}"
	cp -L "$GLIBC_LIBS/$name" "$LIBC_STAGE/$lib"
	cp "$lib" "$LIBC_STAGE/stock/$name"
	echo "/$lib" >> "$LIBC_STAGE/vlibc/libc"
done
grep -q '/ld-linux-x86-64.so.2$' "$LIBC_STAGE/vlibc/libc" &&
	grep -q '/libc.so.6$' "$LIBC_STAGE/vlibc/libc" ||
	die "the staged glibc has no ld.so or libc.so.6"
echo "VLIBC_LIBC_ROOT=$ROOT" > "$LIBC_STAGE/vlibc/libc-root"
archive "$LIBC_STAGE" "$LIBC_IMAGE.part"
cat "$IMAGE" "$LIBC_IMAGE.part" > "$LIBC_IMAGE.tmp"
rm "$LIBC_IMAGE.part"
mv "$LIBC_IMAGE.tmp" "$LIBC_IMAGE"
say "$LIBC_IMAGE: the above with $ROOT's glibc" \
    "($(wc -l < "$LIBC_STAGE/vlibc/libc") files: $(sed 's|.*/||' "$LIBC_STAGE/vlibc/libc" | tr '\n' ' '))"
