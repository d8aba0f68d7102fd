#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds Debian 12's glibc 2.36 plus the vlibc patch series and installs it
# into $O/glibc/root (layout in glibc/Makefile.inc).  Called by `make glibc`.
#
# Source: the glibc-source package (2.36-9+deb12u*, the version of Debian's
# libc6), whose /usr/src/glibc/glibc-2.36.tar.xz is the tree with Debian's
# own series (debian/patches) already applied.  Configured as Debian
# configures the amd64 libc6 (debian/rules, debian/rules.d/build.mk,
# debian/sysdeps/{linux,amd64}.mk), without SELinux (nscd only) and
# without the manual and the test suite.
#
# Inputs:
#   glibc/patches/*.patch   edits to glibc (patch -p1, in file name order;
#                           may be empty)
# Two keys, sha256 sums of the inputs:
#   tree key   the tarball's identity and Debian version, the configure
#              options and configparms (below), the compiler's, the
#              assembler's and the linker's versions: what the
#              configured object tree depends on
#   key        the tree key, this script, scripts/cache-lib.sh and the
#              series (file names and content)
# A finished build is cached under $CACHE/<key>/ (root/, the installed
# tree, and build.log): a key built before is installed without building.
# Otherwise the one build tree, $CACHE/work (src/ and obj/), is reused
# when its tree key ($CACHE/work.key) matches: the files the old or the
# new series touch are re-synced into src/ (the new series is applied to
# copies of the pristine files in $CACHE/staging; only files whose content
# differs are copied into src/, so they get a new mtime and the others
# keep theirs; files the series no longer adds are deleted;
# $CACHE/work.patched lists the files the synced series touches) and
# glibc's incremental make rebuilds what depends on them.  A series change
# that touches the configure machinery (configure*, *.in, preconfigure,
# Implies, Subdirs, Makeconfig, Makerules, aclocal.m4) reconfigures obj/
# from scratch.  A build that did not finish ($CACHE/work.building
# present) has every object-tree file written after it started removed, so
# that no half-written object survives.  Any other input change, or
# VLIBC_GLIBC_FRESH=1, rebuilds the tree from the pristine extraction
# ($CACHE/glibc-2.36, never written to; re-extracted when the tarball
# changes).
#
# Pruning, after each run: the newest VLIBC_GLIBC_KEEP results stay (about
# 100 MB each), the one work tree stays; what was removed and the space
# freed are printed.  A lock ($CACHE/.lock) keeps two builds from sharing
# the cache at once.
#
# Environment: O (build folder, default build), VLIBC_CACHE (default
# ~/.cache/vlibc), JOBS (default nproc), VLIBC_GLIBC_KEEP (results kept,
# default 3), VLIBC_GLIBC_FRESH=1 (rebuild from pristine even when the tree
# could be reused), VLIBC_GLIBC=plain (build without the series: stock
# Debian glibc from the same tree, to compare against).
set -euo pipefail
# Read whole before running: the script may be edited during a build.
{

SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
O=${O:-build}
case $O in /*) ;; *) O=$SRC/$O ;; esac
TAR=/usr/src/glibc/glibc-2.36.tar.xz
CACHE=${VLIBC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vlibc}/glibc
PRISTINE=$CACHE/glibc-2.36
PRISTINE_ID=$CACHE/glibc-2.36.id
STAGING=$CACHE/staging
WORK=$CACHE/work
WORK_KEY=$CACHE/work.key
WORK_PATCHED=$CACHE/work.patched
# Present while make runs in $WORK/obj: a build that did not finish.
WORK_BUILDING=$CACHE/work.building
JOBS=${JOBS:-$(nproc)}
KEEP=${VLIBC_GLIBC_KEEP:-3}
MULTIARCH=x86_64-linux-gnu

# For scripts/cache-lib.sh (say, die, elapsed, kib, human, prune): prune
# removes what interrupted runs left.
PROG=glibc
CACHE_LEFTOVERS=('*.tmp')
. scripts/cache-lib.sh

T0=$(date +%s)

DEBVER=$(dpkg-query -W -f='${Version}' glibc-source 2>/dev/null || true)
case $DEBVER in
2.36-9+deb12u*) ;;
'') die "glibc-source is not installed: run scripts/bootstrap (apt-get install glibc-source)" ;;
*) die "glibc-source $DEBVER installed; the series is for Debian 12's 2.36-9+deb12u*" ;;
esac

# Debian's amd64 libc6: paths (debian/rules, debian/sysdeps/amd64.mk) and
# configure options (debian/rules.d/build.mk); --with-selinux dropped
# (only nscd uses it), --enable-add-ons ignored by 2.36.
CONFIGPARMS="bindir = /usr/bin
datadir = /usr/share
complocaledir = /usr/lib/locale
sysconfdir = /etc
libexecdir = /usr/lib
rootsbindir = /sbin
includedir = /usr/include
docdir = /usr/share/doc
mandir = /usr/share/man
sbindir = /usr/sbin
vardbdir = /var/lib/misc
libdir = /usr/lib/$MULTIARCH
slibdir = /lib/$MULTIARCH
rtlddir = /lib64
CFLAGS = -pipe -O2 -g
ASFLAGS = -pipe -O2 -g
BUILD_CFLAGS = -O2 -g
LDFLAGS =
BASH := /bin/bash
KSH := /bin/bash
SHELL := /bin/bash
LIBGD = no"
CONFIGURE_OPTIONS=(--host=x86_64-linux-gnu --build=x86_64-linux-gnu
	--prefix=/usr --without-selinux --disable-crypt
	--enable-stackguard-randomization --enable-stack-protector=strong
	--with-pkgversion="Debian GLIBC $DEBVER, vlibc"
	--with-bugurl=http://www.debian.org/Bugs/
	--enable-kernel=3.2 --enable-multi-arch)
GCC=(gcc -Wl,--hash-style=both)

[ -f "$TAR" ] || die "$TAR missing: reinstall glibc-source"
command -v gawk >/dev/null || die "gawk missing: run scripts/bootstrap (glibc's build needs it)"
[[ $KEEP =~ ^[1-9][0-9]*$ ]] || die "VLIBC_GLIBC_KEEP is a count of 1 or more, not '$KEEP'"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 || die "cannot lock $CACHE/.lock"

shopt -s nullglob
PATCHES=(glibc/patches/*.patch)
[ "${VLIBC_GLIBC:-}" != plain ] || PATCHES=()

# The tree key: what the configured object tree depends on.
tree_digest() {
	echo "glibc-source $DEBVER $(stat -c '%s %Y' "$TAR")"
	echo "$CONFIGPARMS"
	printf '%s\n' "${CONFIGURE_OPTIONS[@]}" "${GCC[@]}"
	"${GCC[0]}" --version | head -1
	as --version | head -1
	ld --version | head -1
}
TREE_KEY=$(tree_digest | sha256sum | cut -c1-64)
# The key: the tree key, this script with scripts/cache-lib.sh (how the
# result is installed and the cache pruned) and the series.
KEY=$( { echo "$TREE_KEY"
	 sha256sum glibc/build.sh scripts/cache-lib.sh
	 [ ${#PATCHES[@]} -eq 0 ] || sha256sum "${PATCHES[@]}"
       } | sha256sum | cut -c1-64)
RESULT=$CACHE/$KEY

install_result() {
	mkdir -p "$O/glibc"
	rm -rf "$O/glibc/root.tmp" "$O/glibc/root.old"
	cp -a "$RESULT/root" "$O/glibc/root.tmp"
	[ ! -e "$O/glibc/root" ] || mv "$O/glibc/root" "$O/glibc/root.old"
	mv "$O/glibc/root.tmp" "$O/glibc/root"
	rm -rf "$O/glibc/root.old"
	echo "$KEY" > "$O/glibc/key"
	cp "$RESULT/series" "$O/glibc/series"
	touch "$RESULT"
	say "$O/glibc/root ($(human "$(kib "$O/glibc/root")"), glibc-source $DEBVER, $(wc -l < "$RESULT/series") patch(es))"
}

if [ -f "$RESULT/root/usr/lib/$MULTIARCH/libc.so.6" ] && [ -z "${VLIBC_GLIBC_FRESH:-}" ]; then
	say "cached build $KEY"
	install_result
	prune
	exit 0
fi

# The pristine tree is extracted once per tarball and never written to.
pristine_id() { echo "$DEBVER $(stat -c '%s %Y' "$TAR")"; }
if [ ! -d "$PRISTINE" ] || [ "$(cat "$PRISTINE_ID" 2>/dev/null)" != "$(pristine_id)" ]; then
	t=$(date +%s)
	rm -rf "$PRISTINE" "$PRISTINE.tmp" "$PRISTINE_ID"
	mkdir -p "$PRISTINE.tmp"
	tar -xJf "$TAR" -C "$PRISTINE.tmp" --strip-components=1
	mv "$PRISTINE.tmp" "$PRISTINE"
	pristine_id > "$PRISTINE_ID"
	say "extracted $TAR in $(elapsed "$t")"
fi

# The files a series touches (old and new names), one a line, sorted.
series_files() {
	[ $# -eq 0 ] ||
		sed -n 's#^\(---\|+++\) [ab]/\([^\t]*\).*#\2#p' "$@" | LC_ALL=C sort -u
}

# Makes $WORK/src hold the pristine tree plus the series, touching only
# the files whose content changes.  Sets RECONFIGURE when one of them is
# part of the configure machinery.
RECONFIGURE=
sync_series() {
	local f want changed=0 removed=0 p
	local -a new old
	mapfile -t new < <(series_files "${PATCHES[@]}")
	old=()
	[ ! -f "$WORK_PATCHED" ] || mapfile -t old < "$WORK_PATCHED"

	# The new series applied to copies of the pristine files it touches.
	rm -rf "$STAGING"
	mkdir -p "$STAGING"
	for f in "${new[@]}"; do
		[ -e "$PRISTINE/$f" ] || continue
		mkdir -p "$STAGING/$(dirname "$f")"
		cp -a "$PRISTINE/$f" "$STAGING/$f"
	done
	for p in "${PATCHES[@]}"; do
		patch -d "$STAGING" -p1 --batch --forward --no-backup-if-mismatch -s < "$p" ||
			die "$p does not apply to glibc-source $DEBVER (after the patches before it)"
	done

	# Each file either series touches gets its wanted content: the new
	# series' result, or the pristine file once no patch touches it.
	while IFS= read -r f; do
		if printf '%s\n' "${new[@]}" | grep -qxF -- "$f"; then
			want=$STAGING/$f
		else
			want=$PRISTINE/$f
		fi
		if [ -e "$want" ]; then
			cmp -s "$want" "$WORK/src/$f" && continue
			mkdir -p "$WORK/src/$(dirname "$f")"
			cp "$want" "$WORK/src/$f"
			changed=$((changed + 1))
		elif [ -e "$WORK/src/$f" ]; then
			rm -f "$WORK/src/$f"
			removed=$((removed + 1))
		else
			continue
		fi
		case ${f##*/} in
		configure*|*.in|preconfigure*|Implies|Subdirs|Makeconfig|Makerules|aclocal.m4)
			RECONFIGURE+=" $f" ;;
		esac
	done < <(printf '%s\n' "${new[@]}" "${old[@]}" | grep -v '^$' | LC_ALL=C sort -u)
	printf '%s\n' "${new[@]}" | grep -v '^$' > "$WORK_PATCHED" || true
	rm -rf "$STAGING"
	say "series synced: ${#PATCHES[@]} patch(es), $changed file(s) copied, $removed removed"
}

# A configured, empty object tree.
configure_obj() {
	local t
	t=$(date +%s)
	rm -rf "$WORK/obj"
	mkdir -p "$WORK/obj"
	echo "$CONFIGPARMS" > "$WORK/obj/configparms"
	(cd "$WORK/obj" && CC="${GCC[*]}" CXX=: AUTOCONF=false MAKEINFO=: \
		../src/configure "${CONFIGURE_OPTIONS[@]}") > "$LOG" 2>&1 ||
		{ tail -30 "$LOG"; die "configure failed (log: $LOG)"; }
	say "configured in $(elapsed "$t")"
}

# A fresh tree: a copy of the pristine one, the series applied, configured.
# $WORK_KEY is written only once all of it succeeded.
make_tree() {
	local t
	rm -f "$WORK_KEY" "$WORK_PATCHED" "$WORK_BUILDING"
	t=$(date +%s)
	rm -rf "$WORK"
	mkdir -p "$WORK"
	cp -a "$PRISTINE" "$WORK/src"
	say "copied the pristine tree in $(elapsed "$t")"
	sync_series
	configure_obj
	echo "$TREE_KEY" > "$WORK_KEY"
}

LOG=$CACHE/work.log
GMAKE=(make -C "$WORK/obj" -j"$JOBS")

say "building $KEY: ${#PATCHES[@]} patch(es)"
if [ -z "${VLIBC_GLIBC_FRESH:-}" ] && [ -d "$WORK/obj" ] &&
   [ "$(cat "$WORK_KEY" 2>/dev/null)" = "$TREE_KEY" ]; then
	say "reusing $WORK (same tarball, configuration and compiler)"
	if [ -e "$WORK_BUILDING" ]; then
		say "the last build there did not finish: removing what it wrote"
		find "$WORK/obj" -newer "$WORK_BUILDING" ! -type d -delete
	fi
	sync_series
	if [ -n "$RECONFIGURE" ]; then
		say "configure machinery changed:$RECONFIGURE"
		rm -f "$WORK_KEY"
		configure_obj
		echo "$TREE_KEY" > "$WORK_KEY"
	else
		: > "$LOG"
	fi
else
	say "new tree $WORK from pristine${VLIBC_GLIBC_FRESH:+ (VLIBC_GLIBC_FRESH)}"
	make_tree
fi

t=$(date +%s)
touch "$WORK_BUILDING"
"${GMAKE[@]}" >> "$LOG" 2>&1 ||
	{ grep -E 'error|Error' "$LOG" | head -20; tail -20 "$LOG"; die "build failed (log: $LOG)"; }
say "built in $(elapsed "$t") with -j$JOBS"

# Installed as Debian installs it, then laid out as Debian 12's merged
# /usr: everything under usr/, lib and lib64 relative symlinks into it,
# ld.so in the multiarch folder and lib64/ld-linux-x86-64.so.2 a link to
# it (relative, so that the tree works where it lies), shared objects
# without debug information (the build tree keeps it).
t=$(date +%s)
R=$RESULT.tmp/root
rm -rf "$RESULT.tmp"
mkdir -p "$R"
"${GMAKE[@]}" install install_root="$R" >> "$LOG" 2>&1 ||
	{ tail -20 "$LOG"; die "install failed (log: $LOG)"; }
# make install may rebuild in obj/ too: the build is finished only now.
rm -f "$WORK_BUILDING"
mkdir -p "$R/usr/lib/$MULTIARCH" "$R/usr/lib64"
cp -a "$R/lib/$MULTIARCH/." "$R/usr/lib/$MULTIARCH/"
mv "$R/lib64/ld-linux-x86-64.so.2" "$R/usr/lib/$MULTIARCH/"
rm -rf "$R/lib" "$R/lib64"
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
ln -s "../lib/$MULTIARCH/ld-linux-x86-64.so.2" "$R/usr/lib64/ld-linux-x86-64.so.2"
while IFS= read -r f; do
	[ "$(head -c4 "$f")" != $'\x7fELF' ] || strip --strip-debug "$f"
done < <(find "$R" -type f \( -name '*.so' -o -name '*.so.*' \))
cp "$LOG" "$RESULT.tmp/build.log"
{ [ ${#PATCHES[@]} -eq 0 ] || sha256sum "${PATCHES[@]}"; } > "$RESULT.tmp/series"
rm -rf "$RESULT"
mv "$RESULT.tmp" "$RESULT"
say "installed in $(elapsed "$t")"

install_result
prune
say "total $(elapsed "$T0")"
exit
}
