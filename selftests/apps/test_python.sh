#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
#
# CPython's own tests, unmodified, under vlibc-run: test_threading,
# test_thread, test_queue, test_concurrent_futures (threads, fork, spawn),
# test_random, test_os (os.urandom and the rest), test_asyncio.  CPython
# builds its locks on sem_wait, sem_clockwait, sem_trywait, sem_post
# (threading.Lock with timeouts) and pthread mutexes (the GIL, RLock), and
# takes its random bytes from getrandom (hash seed, os.urandom, random).
#
#  1. A probe under vlibc-run with VLIBC_DEBUG=1 proves the binder put the
#     locks and getrandom families on vlibc in the Python process ("family
#     X -> vlibc" and "bind NAME -> vlibc" for the names Python calls), so
#     that glibc is not tested silently in vlibc's place.
#  2. regrtest -j2 runs each module in a worker, a new Python started with
#     our environment: a test module of our own, run that way, proves the
#     workers have the binder and the image mapped (/proc/self/maps).
#  3. The modules, in one `python3 -m test -j2` run under vlibc-run
#     (without VLIBC_DEBUG: a worker's stderr is its report channel), each
#     limited by regrtest's --timeout, so a hang is a failure: one case per
#     module, passed only when regrtest says "passed".  No test of these
#     modules asks for a -u resource (network, cpu, ...): none is given.
#
# The plain run of every module (some 150 s on 2 cores, as long as the
# vlibc run) does not fit the time budget next to it, so it runs only for
# a module that failed under vlibc-run: the case's comment then says
# whether the module fails plainly as well (not vlibc's doing) or not.
#
# SIGINT goes back to its default for Python (env --default-signal): a
# shell running in the background ignores it, and then Python installs no
# KeyboardInterrupt handler and test_threading's interrupt_main tests fail.
#
# PYTHON=path chooses the interpreter (default /usr/bin/python3, Debian's,
# whose tests come in libpython3.11-testsuite, which scripts/bootstrap
# installs); PYTHON* variables are not passed on to it.
. "$(dirname "$0")/lib.sh"

MODULES="test_threading test_thread test_queue test_concurrent_futures test_random test_os test_asyncio"
MODULE_TIMEOUT=480	# regrtest kills a module's worker after this

PY=${PYTHON:-/usr/bin/python3}
unset $(env | sed -n 's/^\(PYTHON[A-Za-z0-9_]*\)=.*/\1/p')
n_modules=$(echo $MODULES | wc -w)

apps_begin $((2 + n_modules))
d=$(apps_tmpdir)

# Python with SIGINT at its default, under the runner given before it.
py() {
	env --default-signal=INT "$PY" "$@"
}

imports=$(echo $MODULES | sed 's/\(test_[a-z_]*\)/test.\1/g; s/ /, /g')
if ! [ -x "$PY" ] || ! "$PY" -c "import $imports" >"$d/import.err" 2>&1; then
	why="$PY or its test package is missing (Debian: libpython3.11-testsuite; PYTHON=path chooses one)"
	skip "locks and getrandom bound in Python" "$why"
	skip "regrtest workers have the binder" "$why"
	for m in $MODULES; do
		skip "$m under vlibc-run" "$why"
	done
	apps_end
	exit
fi

# --- 1. the families are bound in Python ------------------------------------

probe='
import os, random, threading, _thread
# The locks family binds at the process'"'"'s first thread.
t = threading.Thread(target=lambda: None); t.start(); t.join()
l = threading.Lock(); l.acquire()
assert not l.acquire(timeout=0.01)
r = threading.RLock(); r.acquire(); r.acquire(); r.release(); r.release()
c = threading.Condition(); c.acquire(); c.wait(0.01); c.release()
# The getrandom family binds after its warm-up (glibc serves the first 256).
for _ in range(300):
    assert len(os.urandom(32)) == 32
random.SystemRandom().random()
print("probe ok")
'
log=$d/probe.log
out=$(limit 60 env VLIBC_DEBUG=1 "$VRUN" env --default-signal=INT "$PY" -c "$probe" 2>"$log")
why=
[ "$out" = "probe ok" ] || why="the probe failed: $out"
for f in locks getrandom; do
	bound "$f" "$log" || why+=$'\n'"no 'family $f -> vlibc'"
done
for name in sem_wait sem_clockwait sem_post pthread_mutex_lock pthread_mutex_unlock getrandom; do
	grep -q "^vlibc: bind $name -> vlibc" "$log" || why+=$'\n'"no 'bind $name -> vlibc'"
done
if [ -z "$why" ]; then
	ok "locks and getrandom bound in Python"
else
	not_ok "locks and getrandom bound in Python" "$why"$'\n'"$(cat "$log")"
fi

# --- 2. regrtest's workers have the binder ----------------------------------

mkdir -p "$d/testdir"
cat >"$d/testdir/test_vlibc_worker.py" <<'EOF'
import sys, unittest

class Worker(unittest.TestCase):
    def test_binder_mapped(self):
        self.assertIn('--worker-args', sys.argv, 'not a regrtest worker')
        maps = open('/proc/self/maps').read()
        self.assertIn('/libvlibc', maps, 'no binder in the worker')
        # A first thread binds the locks family: the image is then mapped.
        import threading
        t = threading.Thread(target=lambda: None); t.start(); t.join()
        maps = open('/proc/self/maps').read()
        self.assertTrue('linux-vlibc.so.1' in maps or '[vlibc]' in maps,
                        'no image in the worker')
EOF
out=$(cd "$d" && limit 120 "$VRUN" env --default-signal=INT "$PY" -m test -j2 \
	--testdir "$d/testdir" test_vlibc_worker 2>&1)
if [ $? -eq 0 ]; then
	ok "regrtest workers have the binder"
else
	not_ok "regrtest workers have the binder" "$out"
fi

# --- 3. the modules ---------------------------------------------------------

# regrtest's word for module $2 in the output $1 of a run with workers
# (-jN: "[3/7] test_os passed", "failed", "crashed", ...).
module_result() {
	sed -n "s/.*\] $2 \([a-z][a-z ]*[a-z]\).*/\1/p" "$1" | head -1
}

start=$SECONDS
(cd "$d" && limit $((MODULE_TIMEOUT * 2 + 120)) "$VRUN" env --default-signal=INT \
	"$PY" -m test -j2 -W --timeout $MODULE_TIMEOUT $MODULES) >"$d/vlibc.out" 2>&1
rc=$?
echo "# python3 -m test -j2 under vlibc-run: status $rc, $((SECONDS - start)) s"
for m in $MODULES; do
	res=$(module_result "$d/vlibc.out" "$m")
	if [ "$res" = passed ]; then
		ok "$m under vlibc-run"
		continue
	fi
	start=$SECONDS
	(cd "$d" && limit $((MODULE_TIMEOUT + 60)) env --default-signal=INT "$PY" -m test \
		-j1 -W --timeout $MODULE_TIMEOUT "$m") >"$d/plain-$m.out" 2>&1
	plain=$(module_result "$d/plain-$m.out" "$m")
	if [ "$plain" = passed ]; then
		verdict="it passes plainly: the failure is vlibc's"
	else
		verdict="it fails plainly too: not vlibc's doing"
	fi
	not_ok "$m under vlibc-run" "$(grep -E '^(FAIL|ERROR): |^[A-Za-z.]*(Error|Exception|Timeout)|\] test_[a-z_]+ [a-z]' \
		"$d/vlibc.out" | grep -v ' passed' | tail -30)
under vlibc-run: ${res:-no result}; plainly (run alone, $((SECONDS - start)) s): ${plain:-no result}; $verdict"
done
apps_end
