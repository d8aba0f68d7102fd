# SPDX-License-Identifier: GPL-2.0
#
# Shared by the real-program tests (selftests/apps/test_*.sh, run by
# `make check-apps` through selftests/run): unmodified Debian programs run
# plainly and under vlibc-run, compared, with proof that the family each
# one should exercise was really bound.  Sourced by bash scripts.
#
#   apps_begin N             TAP header and plan (N cases)
#   ok NAME / not_ok NAME WHY / skip NAME WHY     one result each
#   check NAME CMD...        ok when CMD succeeds, else not_ok with its output
#   apps_end                 exit status: 0 when nothing failed
#   need PROG...             0 when every PROG is in $PATH
#   apps_tmpdir              a new directory on a disk filesystem (O_DIRECT
#                            works there, unlike tmpfs); removed at exit
#   vrun CMD...              CMD under $VLIBC_BUILD/vlibc-run
#   vrun_debug LOG CMD...    the same with VLIBC_DEBUG=1, stderr to LOG
#   bound FAMILY LOG         the binder's log says FAMILY went to vlibc
#   binds LOG NAME...        the locks family and each NAME went to vlibc
#   limit SECONDS CMD...     CMD killed after SECONDS (timeout -k 5)
#
# selftests/run sets VLIBC_BUILD and VLIBC_SRC and clears every VLIBC_*
# variable; a test sets what each run needs on that run's command line.

VLIBC_BUILD=${VLIBC_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}
VLIBC_SRC=${VLIBC_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VRUN=$VLIBC_BUILD/vlibc-run
# The programs run as a user would start them, not as children of the
# make that runs the suite: no inherited make level, flags or jobserver
# (a sub-make prints "Entering directory" lines, which differ per run).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
export PATH=${PATH:-/usr/local/bin:/usr/bin:/bin}:/usr/sbin:/sbin

_apps_n=0
_apps_fail=0
# The directories to remove at exit, one a line, in a file: apps_tmpdir
# is called in $(...), a subshell, which cannot add to a shell variable.
_apps_dirs=$(mktemp)

apps_begin() {
	echo "TAP version 13"
	echo "1..$1"
}

ok() {
	_apps_n=$((_apps_n + 1))
	echo "ok $_apps_n $1"
}

not_ok() {
	_apps_n=$((_apps_n + 1))
	_apps_fail=$((_apps_fail + 1))
	echo "not ok $_apps_n $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | tail -40 | sed 's/^/# /'
}

skip() {
	_apps_n=$((_apps_n + 1))
	echo "ok $_apps_n $1 # SKIP $2"
}

check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "$out"
	fi
}

apps_end() {
	[ "$_apps_fail" -eq 0 ]
}

need() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || return 1
	done
}

_apps_cleanup() {
	local d
	while IFS= read -r d; do
		[ -n "$d" ] && rm -rf "$d"
	done < "$_apps_dirs"
	rm -f "$_apps_dirs"
}
trap _apps_cleanup EXIT

apps_tmpdir() {
	local base d fs
	for base in "$VLIBC_BUILD" "${TMPDIR:-}" /var/tmp /tmp; do
		[ -n "$base" ] && [ -d "$base" ] && [ -w "$base" ] || continue
		fs=$(stat -f -c %T "$base" 2>/dev/null)
		case $fs in tmpfs|ramfs) continue ;; esac
		d=$(mktemp -d "$base/apps.XXXXXX") || continue
		echo "$d" >> "$_apps_dirs"
		echo "$d"
		return 0
	done
	d=$(mktemp -d)
	echo "$d" >> "$_apps_dirs"
	echo "$d"
}

vrun() {
	"$VRUN" "$@"
}

vrun_debug() {
	local log=$1
	shift
	VLIBC_DEBUG=1 "$VRUN" "$@" 2>"$log"
}

bound() {
	grep -q "^vlibc: family $1 -> vlibc" "$2"
}

binds() {
	local log=$1 n
	shift
	bound locks "$log" || { echo "locks family not bound:"; cat "$log"; return 1; }
	for n in "$@"; do
		grep -q "^vlibc: bind $n -> vlibc" "$log" ||
			{ echo "$n not bound:"; grep '^vlibc:' "$log" | sort -u; return 1; }
	done
}

limit() {
	local s=$1
	shift
	timeout -k 5 "$s" "$@"
}
