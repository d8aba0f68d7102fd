# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the cached builds (kernel/build.sh, glibc/build.sh),
# sourced by them (bash); part of each build's cache key.
#
#   say MSG, die MSG      a line on stdout, or an error on stderr and exit 1,
#                         each as "$PROG: ..."
#   elapsed T0            the seconds since T0 (a `date +%s`), as "12s"
#   kib PATH...           the space PATH... take, in kB (0 for none)
#   human KB              KB as "1.2 GB", "34 MB" or "56 kB"
#   prune                 removes the leftovers and the older results (below)
#
# The caller defines, before calling them:
#   PROG            the message prefix ("kernel", "glibc")
#   CACHE           the build's cache folder: results are its sub-folders
#                   named by a 64-digit key, other entries are the build's own
#   KEEP            how many results prune keeps (a count of 1 or more)
#   CACHE_LEFTOVERS glob patterns relative to $CACHE that prune removes
#                   whole (quoted, so that they are expanded by prune, at
#                   pruning time): leftovers of interrupted runs ('*.tmp')
#                   and of earlier cache layouts
# prune keeps the newest $KEEP results (by modification time: installing
# a result touches it) and every entry that neither is a result nor
# matches CACHE_LEFTOVERS (the pristine tree, the work tree, its key).

say() { echo "$PROG: $*"; }
die() { echo "$PROG: error: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# Sizes for the pruning report.
kib() { du -sk "$@" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
human() { awk -v k="$1" 'BEGIN { if (k >= 1048576) printf "%.1f GB", k / 1048576;
	else if (k >= 1024) printf "%.0f MB", k / 1024; else printf "%d kB", k }'; }

# Removes the leftovers and all but the newest $KEEP results; says what
# went and how much.
prune() {
	local old=() results=() freed glob path
	for glob in "${CACHE_LEFTOVERS[@]}"; do
		for path in "$CACHE"/$glob; do
			if [ -e "$path" ] || [ -L "$path" ]; then
				old+=("$path")
			fi
		done
	done
	mapfile -t results < <(find "$CACHE" -mindepth 1 -maxdepth 1 -type d \
		-regextype egrep -regex '.*/[0-9a-f]{64}' -printf '%T@ %p\n' |
		sort -rn | tail -n +"$((KEEP + 1))" | cut -d' ' -f2-)
	[ ${#old[@]} -gt 0 ] || [ ${#results[@]} -gt 0 ] || return 0
	freed=$(kib "${old[@]}" "${results[@]}")
	[ ${#old[@]} -eq 0 ] || say "pruning ${old[*]##*/}"
	[ ${#results[@]} -eq 0 ] ||
		say "pruning ${#results[@]} old result(s), keeping the newest $KEEP"
	rm -rf "${old[@]}" "${results[@]}"
	say "pruned $(human "$freed"); the cache now holds $(human "$(kib "$CACHE")")"
}
