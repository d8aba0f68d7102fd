# SPDX-License-Identifier: GPL-2.0
#
# Reads a /proc/PID/maps and prints one word per finding:
#   vlibc=START-END   the [vlibc] mapping (read/execute)
#   region=ok         the mapping right after it is private read/write
#   region=missing    nothing private read/write starts where [vlibc] ends
#   novlibc           no [vlibc] mapping at all
#   file=PATH         a linux-vlibc.so* file is mapped (must never happen
#                     in the guest: no image file exists there)
function emit_region()
{
	if (vlibc_end == "")
		return
	print (next_start == vlibc_end && next_perms ~ /^rw-p/) ? \
		"region=ok" : "region=missing"
	vlibc_end = ""
}

{
	split($1, range, "-")
	if (vlibc_end != "" && !seen_next) {
		next_start = range[1]
		next_perms = $2
		seen_next = 1
	}
}
$6 == "[vlibc]" {
	found = 1
	print "vlibc=" $1 " perms=" $2
	vlibc_end = range[2]
	seen_next = 0
}
$6 ~ /linux-vlibc\.so/ { print "file=" $6 }
END {
	emit_region()
	if (!found)
		print "novlibc"
}
