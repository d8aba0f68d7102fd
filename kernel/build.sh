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
#   IMPORTS (below)          repository folders the kernel build compiles
#                            (the image sources and the embedder), copied
#                            once the kernel side exists
#   kernel/config.fragment   merged over `make tinyconfig`
#
# Two keys, sha256 sums of the inputs (file names included):
#   tree key   the tarball's identity, this script and
#              scripts/cache-lib.sh, the fragment, the series, kernel/tree
#              and the list of import paths
#   key        the tree key plus the content of every imported file
# A finished build is cached under $CACHE/<key>/ (bzImage, config, log):
# a key built before is installed without building.  Otherwise the one
# build tree, $CACHE/work, is reused when its tree key ($CACHE/work.key)
# matches: the imported files are re-synced into it (only files whose
# content differs are copied, so they get a new mtime and the others keep
# theirs; files gone from the repository are deleted, $CACHE/work.imports
# lists what was imported) and kbuild's incremental make rebuilds what
# depends on them: arch/x86/entry/vlibc/ re-runs vdso-link/Makefile.image
# on every build (FORCE), whose own make recompiles only the changed image
# objects, and vlibc-image.o and vmlinux follow only when the embedded
# image changed.  The image make tracks sources and headers but not its
# makefiles, so a changed makefile (Kbuild, Makefile.image, *.include),
# a removed file or an interrupted build empties its output folder first.
# Any other input change, or VLIBC_KERNEL_FRESH=1, rebuilds the tree from
# the pristine extraction ($CACHE/linux-source-6.12, never written to).
# The version string is fixed (KBUILD_BUILD_VERSION, _TIMESTAMP, _USER,
# _HOST) and the tree's path is the same every time, so an incremental
# build makes the same bzImage as a cold one for the same inputs.
#
# Pruning, after each run: the newest VLIBC_KERNEL_KEEP results stay
# (about 2 MB each), the one work tree stays, and the per-key work-<key>
# trees of the earlier scheme (about 1.8 GB each) are removed; what was
# removed and the space freed are printed.  A lock ($CACHE/.lock) keeps
# two builds from sharing the cache at once.
#
# Environment: O (build folder, default build), LINUX_SOURCE_TAR,
# VLIBC_CACHE (default ~/.cache/vlibc), JOBS (default nproc),
# VLIBC_KERNEL_KEEP (results kept, default 3), VLIBC_KERNEL_FRESH=1
# (rebuild the tree from pristine even when it could be reused),
# VLIBC_KERNEL=plain (build without the series, see below).
set -euo pipefail
# Read whole before running: the script may be edited during a build.
{

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${VLIBC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vlibc}/kernel
PRISTINE=$CACHE/linux-source-6.12
WORK=$CACHE/work
WORK_KEY=$CACHE/work.key
WORK_IMPORTS=$CACHE/work.imports
# Present while kbuild runs in $WORK: a build that did not finish.
WORK_BUILDING=$CACHE/work.building
# The image make's output folder in the kernel tree (arch/x86/entry/vlibc).
IMAGE_OUT=$WORK/arch/x86/entry/vlibc/image
JOBS=${JOBS:-$(nproc)}
KEEP=${VLIBC_KERNEL_KEEP:-3}
FRAGMENT=kernel/config.fragment
# Repository folders at kernel-tree paths that the kernel side builds
# (the image sources and the embedder); imported only when the series or
# kernel/tree is non-empty, so that a kernel without vlibc does not depend
# on them.  They are new files: none may exist in the patched tree.
IMPORTS=(tools/libc vdso-link arch/x86/entry/vlibc include/linux/vlibc.h
	 include/linux/vlibc-image.h)

# For scripts/cache-lib.sh (say, die, elapsed, kib, human, prune): prune
# removes the earlier scheme's per-key work trees and what interrupted
# runs left.
PROG=kernel
CACHE_LEFTOVERS=('work-*' '*.tmp')
. scripts/cache-lib.sh

T0=$(date +%s)

[ -f "$TAR" ] || die "$TAR missing: install linux-source-6.12 (scripts/bootstrap)"
[[ $KEEP =~ ^[1-9][0-9]*$ ]] || die "VLIBC_KERNEL_KEEP is a count of 1 or more, not '$KEEP'"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 || die "cannot lock $CACHE/.lock"

shopt -s nullglob
PATCHES=(kernel/patches/*.patch)
mapfile -t TREE_FILES < <(cd kernel/tree 2>/dev/null && find . -type f | LC_ALL=C sort)
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
IMPORT_FILES=()
[ ${#IMPORTED[@]} -eq 0 ] ||
	mapfile -t IMPORT_FILES < <(find "${IMPORTED[@]}" -type f | LC_ALL=C sort)

# The tree key: what the configured tree depends on, file names included.
tree_digest() {
	stat -c '%n %s %Y' "$TAR"
	sha256sum kernel/build.sh scripts/cache-lib.sh
	# Comments and blank lines do not count; "# CONFIG_X is not set" does.
	sed -e '/^# CONFIG_/b' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$FRAGMENT"
	[ ${#PATCHES[@]} -eq 0 ] || sha256sum "${PATCHES[@]}"
	[ ${#TREE_FILES[@]} -eq 0 ] || (cd kernel/tree && sha256sum "${TREE_FILES[@]}")
	echo "imports: ${IMPORTED[*]}"
}
TREE_KEY=$(tree_digest | sha256sum | cut -c1-64)
KEY=$( { echo "$TREE_KEY"
	 [ ${#IMPORT_FILES[@]} -eq 0 ] || sha256sum "${IMPORT_FILES[@]}"
       } | sha256sum | cut -c1-64)
RESULT=$CACHE/$KEY

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

if [ -f "$RESULT/bzImage" ] && [ -z "${VLIBC_KERNEL_FRESH:-}" ]; then
	say "cached build $KEY"
	install_result
	prune
	exit 0
fi

# The pristine tree is extracted once and never written to afterwards.
if [ ! -d "$PRISTINE" ]; then
	t=$(date +%s)
	rm -rf "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -xJf "$TAR" -C "$PRISTINE.tmp" --strip-components=1
	mv "$PRISTINE.tmp" "$PRISTINE"
	say "extracted $TAR in $(elapsed "$t")"
fi

# The imported files, one a line, sorted as comm(1) expects.
list_imports() {
	[ ${#IMPORT_FILES[@]} -eq 0 ] || printf '%s\n' "${IMPORT_FILES[@]}"
}

# Copies the imported files whose content differs from the tree's copy
# (cp, not cp -a: a copied file is newer than anything built from its
# old content) and deletes the ones no longer in the repository.  The
# image's output folder is emptied when a change is one its make does
# not track (see the header).
sync_imports() {
	local f changed=0 removed=0 untracked=
	for f in "${IMPORT_FILES[@]}"; do
		cmp -s "$f" "$WORK/$f" && continue
		mkdir -p "$WORK/$(dirname "$f")"
		cp "$f" "$WORK/$f"
		changed=$((changed + 1))
		case $f in
		*.c|*.h|*.S) ;;
		*) untracked+=" $f" ;;
		esac
	done
	if [ -f "$WORK_IMPORTS" ]; then
		while IFS= read -r f; do
			rm -f "$WORK/$f"
			removed=$((removed + 1))
			untracked+=" $f"
		done < <(list_imports | LC_ALL=C comm -23 "$WORK_IMPORTS" -)
	fi
	list_imports > "$WORK_IMPORTS"
	if [ -n "$untracked" ] && [ -d "$IMAGE_OUT" ]; then
		say "image rebuilt whole:$untracked changed"
		rm -rf "$IMAGE_OUT"
	fi
	say "imports synced: $changed file(s) copied, $removed removed"
}

# A fresh tree: a copy of the pristine one, the series applied, the
# imports copied, configured.  $WORK_KEY is written only once all of it
# succeeded, so an interrupted setup is redone.
make_tree() {
	local t p f
	rm -f "$WORK_KEY" "$WORK_IMPORTS" "$WORK_BUILDING"
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
	for f in "${IMPORTED[@]}"; do
		[ ! -e "$WORK/$f" ] || die "$f is imported but already in the kernel tree"
	done
	sync_imports
	say "series applied in $(elapsed "$t")"

	t=$(date +%s)
	{
		"${KMAKE[@]}" tinyconfig
		(cd "$WORK" && scripts/kconfig/merge_config.sh -m .config "$SRC/$FRAGMENT")
		"${KMAKE[@]}" olddefconfig
	} > "$LOG" 2>&1 || { tail -30 "$LOG"; die "configuration failed (log: $LOG)"; }

	# Every option the fragment asks for must have survived olddefconfig.
	local missing=() opt
	while IFS= read -r opt; do
		[ "$opt" = CONFIG_VLIBC ] && continue
		grep -qx "$opt=y" "$WORK/.config" || missing+=("$opt")
	done < <(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$FRAGMENT")
	[ ${#missing[@]} -eq 0 ] ||
		die "options from $FRAGMENT not set after olddefconfig: ${missing[*]}"
	say "configured in $(elapsed "$t")"
	echo "$TREE_KEY" > "$WORK_KEY"
}

KMAKE=(make -C "$WORK" ARCH=x86_64 -j"$JOBS"
       KBUILD_BUILD_USER=vlibc KBUILD_BUILD_HOST=qemu KBUILD_BUILD_VERSION=1
       KBUILD_BUILD_TIMESTAMP="$(date -u -d @"$(stat -c %Y "$TAR")")")
command -v ccache >/dev/null && KMAKE+=(CC="ccache gcc")
LOG=$WORK/vlibc-build.log

say "building $KEY: ${#PATCHES[@]} patch(es), ${#TREE_FILES[@]} new file(s)${IMPORTED[*]:+, imports ${IMPORTED[*]}}"
if [ -z "${VLIBC_KERNEL_FRESH:-}" ] && [ -d "$WORK" ] &&
   [ "$(cat "$WORK_KEY" 2>/dev/null)" = "$TREE_KEY" ]; then
	say "reusing $WORK (same series and configuration)"
	if [ -e "$WORK_BUILDING" ] && [ -d "$IMAGE_OUT" ]; then
		say "the last build there did not finish: image rebuilt whole"
		rm -rf "$IMAGE_OUT"
	fi
	sync_imports
	: > "$LOG"
else
	say "new tree $WORK from pristine${VLIBC_KERNEL_FRESH:+ (VLIBC_KERNEL_FRESH)}"
	make_tree
fi

# CONFIG_VLIBC: absent before the kernel side exists; once the tree
# declares it, it must be on.
if grep -qx 'CONFIG_VLIBC=y' "$WORK/.config"; then
	VLIBC_STATE="CONFIG_VLIBC=y"
elif grep -rqx --include='Kconfig*' 'config VLIBC' "$WORK"; then
	die "the tree declares CONFIG_VLIBC but it is not set (unmet dependencies?)"
else
	VLIBC_STATE="no CONFIG_VLIBC in this tree"
fi

t=$(date +%s)
touch "$WORK_BUILDING"
"${KMAKE[@]}" bzImage >> "$LOG" 2>&1 ||
	{ grep -E 'error|Error' "$LOG" | head -20; tail -20 "$LOG"; die "build failed (log: $LOG)"; }
rm -f "$WORK_BUILDING"
say "bzImage built in $(elapsed "$t") with -j$JOBS: $VLIBC_STATE"

rm -rf "$RESULT.tmp"
mkdir -p "$RESULT.tmp"
cp "$WORK/arch/x86/boot/bzImage" "$RESULT.tmp/bzImage"
cp "$WORK/.config" "$RESULT.tmp/config"
cp "$LOG" "$RESULT.tmp/build.log"
echo "$VLIBC_STATE" > "$RESULT.tmp/vlibc"
rm -rf "$RESULT"
mv "$RESULT.tmp" "$RESULT"

install_result
prune
say "total $(elapsed "$T0")"
exit
}
