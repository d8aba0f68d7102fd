#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# make bench-apps in its quick mode (BENCH_QUICK=1: each workload once per
# variant, less work), into a temporary folder: per workload, that it ran
# under every variant, that the bound runs show the counters its family
# should count (bench/apps/workloads.sh, WL_EXPECT: getrandom calls for
# Python's random sources, aio reads for fio posixaio, mutex and semaphore
# calls for sysbench, Python, sqlite, the compressors, sort, Firefox; the
# PostgreSQL servers' logs for sem_wait/sem_post), that the binder switched
# off counted nothing, and that each variant's output was right
# (transaction counts, row counts, round trips, the reference sort, the
# screenshot's digest).  No timing: make bench-apps measures.
. "$(dirname "$0")/lib.sh"

out=$(apps_tmpdir)
chmod 755 "$out"	# the PostgreSQL servers run as nobody when we are root
BENCH_QUICK=1 BENCH_APPS_OUT=$out O=$VLIBC_BUILD "$VLIBC_SRC/bench/apps/run" > "$out/run.log" 2>&1
rc=$?
if [ ! -s "$out/bench-apps.json" ]; then
	apps_begin 1
	not_ok "make bench-apps quick mode wrote bench-apps.json (status $rc)" "$(cat "$out/run.log")"
	apps_end
	exit
fi

# One TAP line per workload, from the report's JSON; then the files.
/usr/bin/python3 - "$out" << 'PY'
import json
import os
import sys

out = sys.argv[1]
j = json.load(open(os.path.join(out, 'bench-apps.json')))
ws = j['workloads']
print('TAP version 13')
print('1..%d' % (len(ws) + 1))
n = 0
for w in ws:
    n += 1
    name = '%s: ran under every variant, bound as expected, right output' % w['name']
    if w['status'] == 'skipped':
        print('ok %d %s # SKIP %s' % (n, name, w['why']))
        continue
    why = []
    if w['status'] != 'ran':
        why.append('%s: %s' % (w['status'], w['why']))
    for v, d in (w.get('variants') or {}).items():
        if d['failures']:
            why.append('%s: %d run(s) failed' % (v, d['failures']))
    if not w.get('bound'):
        why.append('not bound as expected (%s): %s' % (w['expect'], w.get('bound_why')))
    if w['check'] != 'ok':
        why.append('output: %s %s' % (w['check'], w['why']))
    print(('ok %d %s' if not why else 'not ok %d %s') % (n, name))
    for line in why:
        print('# ' + line)
n += 1
files = [os.path.join(out, 'bench-apps.' + e) for e in ('tsv', 'json', 'png')]
missing = [f for f in files if not os.path.getsize(f)]
png = open(files[2], 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
print(('ok %d %s' if not missing and png else 'not ok %d %s')
      % (n, 'bench-apps.tsv, .json and a PNG plot written'))
PY
[ "$rc" = 0 ] || { echo "# bench/apps/run exited $rc:"; tail -30 "$out/run.log" | sed 's/^/# /'; }
