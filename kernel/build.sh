#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the QEMU suite's kernel: Debian's linux-source-6.12 plus the
# vlibc patch series, configured from tinyconfig and kernel/config.fragment,
# and copies the bzImage to $O/kernel/bzImage.  Called by `make kernel`.
#
# Inputs, in the order they are applied to a copy of the pristine tree:
#   kernel/patches/*.patch   edits to existing kernel files (patch -p1,
#                            in file name order; may be empty)
#   kernel/tree/...          new kernel files at their kernel-tree paths
#   IMPORTS (below)          repository folders the kernel build compiles,
#                            copied once the kernel side exists
#   kernel/config.fragment   merged over `make tinyconfig`
# The finished build is cached under $CACHE/<key>/, the key being a sha256
# over all of the above, the tarball's identity and this script, so the
# kernel is rebuilt only when one of them changes.
#
# Environment: O (build folder, default build), LINUX_SOURCE_TAR,
# VLIBC_CACHE (default ~/.cache/vlibc), JOBS (default nproc),
# VLIBC_KERNEL_KEEP (work trees kept, default 2), VLIBC_KERNEL=plain
# (build without the series, see below).
set -euo pipefail
# Read whole before running: the script may be edited during a build.
{

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${VLIBC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vlibc}/kernel
PRISTINE=$CACHE/linux-source-6.12
JOBS=${JOBS:-$(nproc)}
KEEP=${VLIBC_KERNEL_KEEP:-2}
FRAGMENT=kernel/config.fragment
# Repository folders at kernel-tree paths that the kernel side builds
# (the image sources and the embedder); imported only when the series or
# kernel/tree is non-empty, so that a kernel without vlibc does not depend
# on them.
IMPORTS=(tools/libc vdso-link arch/x86/entry/vlibc include/linux/vlibc.h
	 include/linux/vlibc-image.h)

T0=$(date +%s)
say() { echo "kernel: $*"; }
die() { echo "kernel: error: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

[ -f "$TAR" ] || die "$TAR missing: install linux-source-6.12 (scripts/bootstrap)"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 || die "cannot lock $CACHE/.lock"

shopt -s nullglob
PATCHES=(kernel/patches/*.patch)
mapfile -t TREE_FILES < <(cd kernel/tree 2>/dev/null && find . -type f | sort)
# VLIBC_KERNEL=plain: the pristine tree with the fragment only, a kernel
# without any vlibc to compare against (CONFIG_VLIBC is then dropped).
if [ "${VLIBC_KERNEL:-}" = plain ]; then
	PATCHES=()
	TREE_FILES=()
fi
IMPORTED=()
if [ ${#PATCHES[@]} -gt 0 ] || [ ${#TREE_FILES[@]} -gt 0 ]; then
	for d in "${IMPORTS[@]}"; do
		[ -e "$d" ] && IMPORTED+=("$d")
	done
fi

# The key: what the built kernel depends on, file names included.
input_digest() {
	stat -c '%n %s %Y' "$TAR"
	sha256sum kernel/build.sh
	# Comments and blank lines do not count; "# CONFIG_X is not set" does.
	sed -e '/^# CONFIG_/b' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$FRAGMENT"
	[ ${#PATCHES[@]} -eq 0 ] || sha256sum "${PATCHES[@]}"
	[ ${#TREE_FILES[@]} -eq 0 ] || (cd kernel/tree && sha256sum "${TREE_FILES[@]}")
	[ ${#IMPORTED[@]} -eq 0 ] ||
		find "${IMPORTED[@]}" -type f -print0 | sort -z | xargs -0 sha256sum
}
KEY=$(input_digest | sha256sum | cut -c1-64)
RESULT=$CACHE/$KEY
WORK=$CACHE/work-$KEY

install_result() {
	mkdir -p "$O/kernel"
	cp "$RESULT/bzImage" "$O/kernel/bzImage.tmp"
	mv "$O/kernel/bzImage.tmp" "$O/kernel/bzImage"
	cp "$RESULT/config" "$O/kernel/config"
	cp "$RESULT/vlibc" "$O/kernel/vlibc"
	echo "$KEY" > "$O/kernel/key"
	touch "$RESULT"
	say "$O/kernel/bzImage ($(stat -c %s "$O/kernel/bzImage") bytes, $(cat "$RESULT/vlibc"))"
}

if [ -f "$RESULT/bzImage" ]; then
	say "cached build $KEY"
	install_result
	exit 0
fi
say "building $KEY: ${#PATCHES[@]} patch(es), ${#TREE_FILES[@]} new file(s)${IMPORTED[*]:+, imports ${IMPORTED[*]}}"

# The pristine tree is extracted once and never written to afterwards.
if [ ! -d "$PRISTINE" ]; then
	t=$(date +%s)
	rm -rf "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -xJf "$TAR" -C "$PRISTINE.tmp" --strip-components=1
	mv "$PRISTINE.tmp" "$PRISTINE"
	say "extracted $TAR in $(elapsed "$t")"
fi

t=$(date +%s)
rm -rf "$WORK"
cp -a "$PRISTINE" "$WORK"
say "copied the pristine tree in $(elapsed "$t")"

t=$(date +%s)
for p in "${PATCHES[@]}"; do
	patch -d "$WORK" -p1 --batch --forward --no-backup-if-mismatch -s < "$p" ||
		die "$p does not apply to linux-source-6.12 (tree left in $WORK)"
	say "applied $p"
done
[ ${#TREE_FILES[@]} -eq 0 ] || cp -a kernel/tree/. "$WORK/"
for d in "${IMPORTED[@]}"; do
	mkdir -p "$WORK/$(dirname "$d")"
	cp -a "$d" "$WORK/$(dirname "$d")/"
done
say "series applied in $(elapsed "$t")"

KMAKE=(make -C "$WORK" ARCH=x86_64 -j"$JOBS"
       KBUILD_BUILD_USER=vlibc KBUILD_BUILD_HOST=qemu
       KBUILD_BUILD_TIMESTAMP="$(date -u -d @"$(stat -c %Y "$TAR")")")
command -v ccache >/dev/null && KMAKE+=(CC="ccache gcc")
LOG=$WORK/vlibc-build.log

t=$(date +%s)
{
	"${KMAKE[@]}" tinyconfig
	(cd "$WORK" && scripts/kconfig/merge_config.sh -m .config "$SRC/$FRAGMENT")
	"${KMAKE[@]}" olddefconfig
} > "$LOG" 2>&1 || { tail -30 "$LOG"; die "configuration failed (log: $LOG)"; }

# Every option the fragment asks for must have survived olddefconfig.
missing=()
while IFS= read -r opt; do
	[ "$opt" = CONFIG_VLIBC ] && continue
	grep -qx "$opt=y" "$WORK/.config" || missing+=("$opt")
done < <(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$FRAGMENT")
[ ${#missing[@]} -eq 0 ] ||
	die "options from $FRAGMENT not set after olddefconfig: ${missing[*]}"

# CONFIG_VLIBC: absent before the kernel side exists; once the tree
# declares it, it must be on.
if grep -qx 'CONFIG_VLIBC=y' "$WORK/.config"; then
	VLIBC_STATE="CONFIG_VLIBC=y"
elif grep -rqx --include='Kconfig*' 'config VLIBC' "$WORK"; then
	die "the tree declares CONFIG_VLIBC but it is not set (unmet dependencies?)"
else
	VLIBC_STATE="no CONFIG_VLIBC in this tree"
fi
say "configured in $(elapsed "$t"): $VLIBC_STATE"

t=$(date +%s)
"${KMAKE[@]}" bzImage >> "$LOG" 2>&1 ||
	{ grep -E 'error|Error' "$LOG" | head -20; tail -20 "$LOG"; die "build failed (log: $LOG)"; }
say "bzImage built in $(elapsed "$t") with -j$JOBS"

rm -rf "$RESULT.tmp"
mkdir -p "$RESULT.tmp"
cp "$WORK/arch/x86/boot/bzImage" "$RESULT.tmp/bzImage"
cp "$WORK/.config" "$RESULT.tmp/config"
cp "$LOG" "$RESULT.tmp/build.log"
echo "$VLIBC_STATE" > "$RESULT.tmp/vlibc"
mv "$RESULT.tmp" "$RESULT"

# Only the newest work trees (about 1.7 GB each) and results stay.
prune() {
	local pattern=$1 keep=$2
	find "$CACHE" -maxdepth 1 -type d -regextype egrep -regex "$pattern" \
		-printf '%T@ %p\n' | sort -rn | tail -n +"$((keep + 1))" |
		cut -d' ' -f2- | while IFS= read -r old; do
			say "removing old $(basename "$old")"
			rm -rf "$old"
		done
}
touch "$WORK"
prune ".*/work-[0-9a-f]{64}" "$KEEP"
prune ".*/[0-9a-f]{64}" "$((KEEP * 4))"

install_result
say "total $(elapsed "$T0")"
exit
}
