#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress programs, unmodified, plainly and under vlibc-run:
#
#  - stress-ng --aio (64 requests, SIGEV_SIGNAL) --mutex --sem --pthread
#    --futex --verify, two workers each: it finishes without a failure or
#    a verify error, every stressor did bogo ops, aio notifications came;
#    under vlibc-run the binder's lines (VLIBC_DEBUG, one per process at
#    its first call) show the aio family in each aio worker and the locks
#    names the sem and mutex workers call bound to vlibc.
#  - sysbench mutex and sysbench threads, 8 threads: each reports its
#    events (mutex: one per thread; threads: some in the time given), and
#    the locks family (pthread_mutex_*, from sysbench and LuaJIT) is bound.
#  - fio --ioengine=posixaio --rw=randwrite --verify=crc32c (every block
#    read back through aio_read and checked), end_fsync by aio_fsync, on
#    buffered and O_DIRECT files, depth 1 and 64, two jobs as threads of
#    one process (--thread) and as forked processes; buffered jobs also
#    aio_fsync every 256 writes.  Under vlibc-run each job process bound
#    the aio family to vlibc and no AIO name to glibc; then a plain fio
#    (psync, no preload) verifies the files vlibc wrote.
#
# Files live on a disk filesystem (apps_tmpdir): O_DIRECT needs it.
. "$(dirname "$0")/lib.sh"

FIO_MIB=32		# per job
FIO_JOBS=2
SYSBENCH_THREADS=8
STRESS_WORKERS=2
STRESSORS="aio mutex sem pthread futex"

apps_begin 33
d=$(apps_tmpdir)

# --- stress-ng -------------------------------------------------------------

# Metric $3 (bogo-ops, ...) of stressor $2 in stress-ng's YAML report $1;
# empty if absent.
stress_metric() {
	awk -v s="$2" -v k="$3" '
		/^    - stressor: / { cur = $3 }
		cur == s && $1 == k ":" { print $2; exit }' "$1"
}

# Why the stress-ng run in directory $1 (log $1/err, report $1/yaml,
# exit status $2) is not a success; empty when it is.
stress_failure() {
	local dir=$1 rc=$2 s ops sig
	[ "$rc" -eq 0 ] || { echo "exit status $rc"; return; }
	grep -E '^stress-ng: (fail|error):' "$dir/err" | head -5
	grep -q 'successful run completed' "$dir/err" || echo "no 'successful run completed'"
	[ -f "$dir/yaml" ] || { echo "no YAML report"; return; }
	for s in $STRESSORS; do
		ops=$(stress_metric "$dir/yaml" "$s" bogo-ops)
		[ "${ops:-0}" -gt 0 ] 2>/dev/null || echo "stressor $s: bogo-ops '${ops}'"
	done
	# SIGEV_SIGNAL completions arrived (its handler counts them).
	sig=$(stress_metric "$dir/yaml" aio async-io-signals-per-sec)
	awk -v v="${sig:-0}" 'BEGIN { exit !(v > 0) }' ||
		echo "aio stressor: async-io-signals-per-sec '${sig}'"
}

# stress-ng in directory $1, under the runner given after it (or plainly).
stress_run() {
	local dir=$1
	shift
	mkdir -p "$dir"
	limit 60 "$@" stress-ng --aio $STRESS_WORKERS --aio-requests 64 \
		--mutex $STRESS_WORKERS --sem $STRESS_WORKERS \
		--pthread $STRESS_WORKERS --futex $STRESS_WORKERS --verify \
		--timeout 5s --metrics-brief --temp-path "$dir" \
		--yaml "$dir/yaml" >"$dir/out" 2>"$dir/err" </dev/null
}

stress_case() {
	local mode=$1 dir=$d/stress-$1 rc why
	shift
	stress_run "$dir" "$@"
	rc=$?
	why=$(stress_failure "$dir" "$rc")
	if [ -z "$why" ]; then
		ok "stress-ng $mode: completes, every stressor did work, aio signals came"
	else
		not_ok "stress-ng $mode: completes, every stressor did work, aio signals came" \
			"$why"$'\n'"$(grep -v '^vlibc: bind' "$dir/err")"
	fi
}

# The binder's log $1 of stress-ng: aio bound in each aio worker, the
# semaphores in each sem worker, the mutexes (bound in the parent, which
# the workers inherit), no name left on glibc.
stress_bound() {
	local log=$1 n
	n=$(grep -c '^vlibc: family aio -> vlibc' "$log")
	[ "$n" -ge "$STRESS_WORKERS" ] || echo "family aio -> vlibc in $n processes, not in each of $STRESS_WORKERS aio workers"
	bound locks "$log" || echo "no 'family locks -> vlibc'"
	# Only the sem workers use semaphores: each binds them itself.
	n=$(grep -c '^vlibc: bind sem_post -> vlibc' "$log")
	[ "$n" -ge "$STRESS_WORKERS" ] || echo "sem_post bound to vlibc in $n processes, not in each of $STRESS_WORKERS sem workers"
	grep -q '^vlibc: bind sem_\(timed\|\)wait -> vlibc' "$log" || echo "no sem_wait/sem_timedwait bound to vlibc"
	grep -q '^vlibc: bind pthread_mutex_lock -> vlibc' "$log" || echo "no pthread_mutex_lock bound to vlibc"
	grep '^vlibc: bind .* -> glibc' "$log" | head -3
}

if need stress-ng; then
	stress_case plain
	stress_case vlibc-run env VLIBC_DEBUG=1 "$VRUN"
	why=$(stress_bound "$d/stress-vlibc-run/err")
	if [ -z "$why" ]; then
		ok "stress-ng: aio and locks bound to vlibc in its workers"
	else
		not_ok "stress-ng: aio and locks bound to vlibc in its workers" \
			"$why"$'\n'"$(grep '^vlibc: ' "$d/stress-vlibc-run/err" | sort | uniq -c)"
	fi
else
	for c in plain vlibc-run "aio and locks bound"; do
		skip "stress-ng $c" "stress-ng is not installed"
	done
fi

# --- sysbench ---------------------------------------------------------------

# sysbench TEST in mode MODE (plain|vlibc-run), then the check of its
# events: "eq N" or "gt 0".  Output in $d/sysbench-TEST-MODE.{out,err}.
sysbench_case() {
	local test=$1 mode=$2 op=$3 want=$4 base=$d/sysbench-$1-$2 run=() rc events
	[ "$mode" = vlibc-run ] && run=(env VLIBC_DEBUG=1 "$VRUN")
	limit 120 "${run[@]}" sysbench "$test" --threads=$SYSBENCH_THREADS --time=5 run \
		>"$base.out" 2>"$base.err" </dev/null
	rc=$?
	events=$(sed -n 's/^ *total number of events: *\([0-9]\+\)$/\1/p' "$base.out")
	if [ "$rc" -eq 0 ] && [ -n "$events" ] && [ "$events" -"$op" "$want" ]; then
		ok "sysbench $test $mode: $events events"
	else
		not_ok "sysbench $test $mode: events $op $want" \
			"status $rc, events '$events'"$'\n'"$(cat "$base.out" "$base.err")"
	fi
}

sysbench_bound() {
	local test=$1 log=$d/sysbench-$1-vlibc-run.err
	if bound locks "$log" && grep -q '^vlibc: bind pthread_mutex_lock -> vlibc' "$log"; then
		ok "sysbench $test: locks family bound to vlibc"
	else
		not_ok "sysbench $test: locks family bound to vlibc" "$(grep '^vlibc: ' "$log")"
	fi
}

if need sysbench; then
	sysbench_case mutex plain eq $SYSBENCH_THREADS
	sysbench_case mutex vlibc-run eq $SYSBENCH_THREADS
	sysbench_bound mutex
	sysbench_case threads plain gt 0
	sysbench_case threads vlibc-run gt 0
	sysbench_bound threads
else
	for c in "mutex plain" "mutex vlibc-run" "mutex bound" "threads plain" \
		 "threads vlibc-run" "threads bound"; do
		skip "sysbench $c" "sysbench is not installed"
	done
fi

# --- fio --------------------------------------------------------------------

# Why fio's JSON report $1 is not a clean run of $FIO_JOBS jobs that each
# wrote (unless $2 is verify) and read back every block; empty when it is.
# $3: the aio_fsync period, 0 for none.
fio_report_failure() {
	python3 - "$1" "$2" "$3" "$FIO_JOBS" "$((FIO_MIB * 256))" <<-'EOF'
	import json, sys
	path, what, fsync, jobs, blocks = sys.argv[1:]
	fsync, jobs, blocks = int(fsync), int(jobs), int(blocks)
	try:
	    text = open(path).read()
	    report = json.loads(text[text.index('{'):])
	except (OSError, ValueError) as e:
	    sys.exit(print(f"no JSON report in {path}: {e}"))
	if len(report['jobs']) != jobs:
	    print(f"{len(report['jobs'])} jobs, not {jobs}")
	for i, job in enumerate(report['jobs']):
	    want = [('error', job['error'], 0),
	            ('blocks read back', job['read']['total_ios'], blocks),
	            ('bytes read back', job['read']['io_bytes'], blocks * 4096)]
	    if what != 'verify':
	        want += [('blocks written', job['write']['total_ios'], blocks),
	                 ('bytes written', job['write']['io_bytes'], blocks * 4096)]
	    for name, got, expected in want:
	        if got != expected:
	            print(f"job {i}: {name} {got}, not {expected}")
	    # one per FSYNC writes, but the last: end_fsync is that one
	    syncs = blocks // fsync - 1 if fsync else 0
	    if what != 'verify' and job['sync']['total_ios'] < syncs:
	        print(f"job {i}: {job['sync']['total_ios']} aio_fsync, fewer than {syncs}")
	EOF
}

# fio's arguments for the files of directory $1 (O_DIRECT if $2 is 1),
# shared by every run on them.
fio_files() {
	echo --name=vlibc-aio --directory="$1" --rw=randwrite --bs=4096 \
		--size=${FIO_MIB}M --numjobs=$FIO_JOBS --direct="$2" \
		--verify=crc32c --verify_fatal=1 --verify_state_save=0 \
		--output-format=json
}

# The binder's log $1 of fio whose jobs were $2 (threads|processes): the
# aio family bound in each job process.
fio_bound() {
	local log=$1 n want=$FIO_JOBS
	[ "$2" = threads ] && want=1
	n=$(grep -c '^vlibc: family aio -> vlibc' "$log")
	[ "$n" -ge "$want" ] || echo "family aio -> vlibc in $n processes, not $want"
	grep -q '^vlibc: bind aio_write\(64\|\) -> vlibc' "$log" || echo "aio_write not bound to vlibc"
	grep -q '^vlibc: bind aio_read\(64\|\) -> vlibc' "$log" || echo "aio_read not bound to vlibc"
	grep '^vlibc: bind [al]io_.* -> glibc' "$log" | head -3
}

# One fio configuration: written and verified plainly, then under
# vlibc-run (aio bound), then vlibc's files verified by a plain fio.
fio_config() {
	local direct=$1 depth=$2 jobs=$3 name dir mode rc why what extra=() run=()
	name="fio $([ "$direct" = 1 ] && echo direct || echo buffered) depth $depth, $FIO_JOBS jobs as $jobs"
	extra=(--ioengine=posixaio --iodepth="$depth" --end_fsync=1)
	[ "$jobs" = threads ] && extra+=(--thread)
	[ "$direct" = 0 ] && extra+=(--fsync=256)
	for mode in plain vlibc-run; do
		dir=$d/fio-$direct-$depth-$jobs-$mode
		mkdir -p "$dir"
		run=()
		[ "$mode" = vlibc-run ] && run=(env VLIBC_DEBUG=1 "$VRUN")
		limit 120 "${run[@]}" fio $(fio_files "$dir" "$direct") "${extra[@]}" \
			--output="$dir/report.json" >"$dir/out" 2>"$dir/err" </dev/null
		rc=$?
		why=$([ "$rc" -eq 0 ] || echo "exit status $rc"
		      fio_report_failure "$dir/report.json" write "$([ "$direct" = 0 ] && echo 256 || echo 0)"
		      [ "$mode" = plain ] || fio_bound "$dir/err" "$jobs")
		what="$name, $mode: written and verified"
		[ "$mode" = plain ] || what+=", aio bound to vlibc"
		if [ -z "$why" ]; then
			ok "$what"
		else
			not_ok "$what" \
				"$why"$'\n'"$(grep -v '^vlibc: bind' "$dir/err")"
		fi
	done
	limit 120 fio $(fio_files "$dir" "$direct") --ioengine=psync --verify_only \
		--output="$dir/verify.json" >"$dir/verify.out" 2>"$dir/verify.err" </dev/null
	rc=$?
	why=$([ "$rc" -eq 0 ] || echo "exit status $rc"
	      fio_report_failure "$dir/verify.json" verify 0)
	if [ -z "$why" ]; then
		ok "$name: vlibc-run's files verified by a plain fio"
	else
		not_ok "$name: vlibc-run's files verified by a plain fio" \
			"$why"$'\n'"$(cat "$dir/verify.err")"
	fi
}

if need fio python3; then
	for direct in 0 1; do
		for depth in 1 64; do
			for jobs in threads processes; do
				fio_config "$direct" "$depth" "$jobs"
			done
		done
	done
else
	for i in $(seq 24); do
		skip "fio case $i" "fio (or python3, which reads its report) is not installed"
	done
fi
apps_end
