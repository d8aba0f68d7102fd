#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness itself: a shell, coreutils and a threaded Python under
# vlibc-run behave as plainly, and the binder's log proves the image was
# found.
. "$(dirname "$0")/lib.sh"
apps_begin 3
d=$(apps_tmpdir)
log=$d/debug.log
# The thread binds the locks family (a process with one thread stays on
# glibc's locks, and maps no image).
cmd='echo a; seq 3 | sort -r; /usr/bin/python3 -c "import threading as t; h = t.Thread(target=print, args=(1,)); h.start(); h.join()"'
plain=$(sh -c "$cmd" 2>&1)
under=$(vrun_debug "$log" sh -c "$cmd")
if [ "$plain" = "$under" ]; then ok "sh and sort: same output"; else not_ok "sh and sort: same output" "$plain / $under"; fi
if grep -q '^vlibc: image ' "$log"; then ok "the binder found the image"; else not_ok "the binder found the image" "$(cat "$log")"; fi
# apps_tmpdir is called in $(...): its directories must still go at exit.
left=$(bash -c '. "$1/lib.sh"; t=$(apps_tmpdir); touch "$t/f"; echo "$t"' - "$(dirname "$0")")
if [ -n "$left" ] && [ ! -e "$left" ]; then
	ok "apps_tmpdir's directories are removed at exit"
else
	not_ok "apps_tmpdir's directories are removed at exit" "$left is left over"
	rm -rf "$left"
fi
apps_end
