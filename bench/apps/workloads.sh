# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# (the WL_* variables are read by bench/apps/run, which sources this file)
#
# make bench-apps: the workloads, sourced by bench/apps/run.  Workload NAME
# is the function wl_NAME (dashes become underscores), which sets
#
#	WL_DESC      what runs and what it exercises, one line
#	WL_CMD       the command (run as variant-exec DIR WL_CMD...; "@VARIANT@"
#	             in it becomes plain, off, vlibc or memcpy)
#	WL_VARIANTS  vlibc-ab's variants (default "plain off vlibc")
#	WL_EXPECT    counters the bound runs must show, "VARIANT:COUNTER>=N"
#	             or "VARIANT:COUNTER>0", space-separated (bench/apps/report.py)
#	WL_CHECK     a function given DIR and the variants' names: status 0 when
#	             each variant's output (DIR/<variant>.out) is right, else
#	             it says why
#
# or returns 1 with WL_SKIP saying why (a program is not installed) or
# WL_FAIL (its set-up failed: a failure of the bench).  A
# fixed amount of work per run, so the wall time is the figure; set-up
# (clusters, files, inputs) is done here, once, outside the timed runs.
# $QUICK=1 shrinks the work (BENCH_QUICK=1, for CI).

WORKLOADS="pgbench-select pgbench-tpcb py-threadpool py-queue py-uuid4
	py-token-bytes py-urandom py-sysrandom sqlite-wal sysbench-threads
	sysbench-mutex fio-direct-qd1 fio-direct-qd32 fio-buffered-qd1
	fio-buffered-qd32 perf-record-aio firefox xz zstd sort"

MEMCPY_VARIANTS="plain off vlibc VLIBC_MEMCPY=auto"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGPORT_BENCH=5432
FIREFOX=${FIREFOX:-$(command -v firefox-esr)}

# size FULL QUICK: the amount of work in this mode.
size() {
	[ "$QUICK" = 1 ] && echo "$2" || echo "$1"
}

# Each variant's output: the one line pyloads.py --expect says.
same_line_check() {
	local dir=$1 want=$2 v
	shift 2
	for v in "$@"; do
		[ "$(cat "$dir/$v.out")" = "$want" ] ||
			{ echo "$v: printed '$(head -c 200 "$dir/$v.out")', want '$want'"; head -5 "$dir/$v.err"; return 1; }
	done
}

# --- PostgreSQL: one throwaway cluster per variant, the server started
# under that variant (backends bind sem_wait/sem_post), pgbench -n with a
# fixed number of transactions per client against the server of its own
# variant.  As root the servers run as nobody.

PG_AS=()
[ "$(id -u)" = 0 ] && PG_AS=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
PG_STARTED=

pg_ctl_as() {
	"${PG_AS[@]}" env HOME="$WORK/pg" "$PGBIN/pg_ctl" "$@"
}

# Stops the servers pg_setup started (the run's EXIT trap).
pg_teardown() {
	local v
	for v in $PG_STARTED; do
		pg_ctl_as -D "$WORK/pg/$v/data" -m fast -w -t 60 stop > /dev/null 2>&1
	done
	PG_STARTED=
}

# initdb once, a copy per variant, each started under its variant by
# vlibc-ab (the environment the timed runs get), then pgbench -i.
pg_setup() {
	local v spec c

	[ -n "$PG_STARTED" ] && return 0
	for c in initdb pg_ctl postgres; do
		[ -x "$PGBIN/$c" ] || { WL_SKIP="$PGBIN/$c is not installed (postgresql 15)"; return 1; }
	done
	command -v pgbench > /dev/null || { WL_SKIP="pgbench is not installed"; return 1; }
	rm -rf "$WORK/pg"
	mkdir -p "$WORK/pg"
	chmod 755 "$WORK" "$WORK/pg"
	[ ${#PG_AS[@]} -eq 0 ] || chown "$(id -u nobody):$(id -g nobody)" "$WORK/pg"
	"${PG_AS[@]}" test -w "$WORK/pg" ||
		{ WL_FAIL="the server's user (nobody) cannot write $WORK/pg: open its parents"; return 1; }
	"${PG_AS[@]}" "$PGBIN/initdb" -D "$WORK/pg/template" -A trust -U postgres --no-sync \
		> "$WORK/pg/initdb.log" 2>&1 || { WL_FAIL="initdb failed: $(tail -3 "$WORK/pg/initdb.log")"; return 1; }
	for v in plain off vlibc; do
		spec=$v
		"${PG_AS[@]}" mkdir -p "$WORK/pg/$v/sock"
		"${PG_AS[@]}" cp -a "$WORK/pg/template" "$WORK/pg/$v/data"
		"$AB" -n 1 -w 0 --no-counters "$spec" -- "${PG_AS[@]}" env HOME="$WORK/pg" VLIBC_DEBUG=1 \
			"$PGBIN/pg_ctl" -D "$WORK/pg/$v/data" -l "$WORK/pg/$v/server.log" -w -t 60 \
			-o "-c listen_addresses='' -c unix_socket_directories='$WORK/pg/$v/sock' -p $PGPORT_BENCH -c synchronous_commit=off -c max_connections=40" \
			start > "$WORK/pg/$v/start.log" 2>&1 ||
			{ WL_FAIL="$v server did not start: $(tail -3 "$WORK/pg/$v/server.log" "$WORK/pg/$v/start.log")"; pg_teardown; return 1; }
		PG_STARTED="$PG_STARTED $v"
		pgbench -h "$WORK/pg/$v/sock" -p $PGPORT_BENCH -U postgres -i -s 1 -q postgres \
			> "$WORK/pg/$v/init.log" 2>&1 ||
			{ WL_FAIL="pgbench -i failed: $(tail -3 "$WORK/pg/$v/init.log")"; pg_teardown; return 1; }
	done
}

# pgbench ARGS: the command against the server of the run's own variant.
pg_cmd() {
	WL_CMD=(pgbench -n -h "$WORK/pg/@VARIANT@/sock" -p "$PGPORT_BENCH" -U postgres "$@" postgres)
}

# The vlibc server's log: the locks family on vlibc, a semaphore function
# bound, and each of $PG_BINDS.  Binding is lazy: a select-only load may
# never make a backend wait on its semaphore.
pg_bound() {
	local n
	grep -q '^vlibc: family locks -> vlibc' "$1" || { echo "vlibc server: locks family not on vlibc"; return 1; }
	grep -q '^vlibc: bind sem_[a-z]* -> vlibc' "$1" || { echo "vlibc server: no sem_* bound"; return 1; }
	for n in $PG_BINDS; do
		grep -q "^vlibc: bind $n -> vlibc" "$1" || { echo "vlibc server: $n not bound"; return 1; }
	done
}

# Every transaction done, none failed; the vlibc server bound its
# semaphores (pg_bound), the others nothing.
pg_check() {
	local dir=$1 v want=$PG_TXNS log
	shift
	for v in "$@"; do
		grep -q "^number of transactions actually processed: $want/$want\$" "$dir/$v.out" &&
			grep -q '^number of failed transactions: 0 ' "$dir/$v.out" ||
			{ echo "$v: not $want transactions, or some failed:"; cat "$dir/$v.out" "$dir/$v.err" | head -20; return 1; }
		log=$WORK/pg/$v/server.log
		case $v in
		vlibc)	pg_bound "$log" || { grep '^vlibc:' "$log" | sort -u | head; return 1; } ;;
		*)	! grep -q -- '-> vlibc' "$log" ||
				{ echo "$v server: something bound to vlibc:"; grep -- '-> vlibc' "$log" | sort -u | head; return 1; } ;;
		esac
	done
}

wl_pgbench_select() {
	local t
	t=$(size 2500 150)
	WL_DESC="PostgreSQL 15 pgbench -S (select-only), 16 clients, 2 threads, $t transactions each; server under the variant (sem_wait/sem_post)"
	pg_setup || return 1
	PG_TXNS=$((16 * t)) PG_BINDS=
	pg_cmd -S -c 16 -j 2 -t "$t"
	WL_EXPECT="vlibc:mutex_lock>0"
	WL_CHECK=pg_check
}

wl_pgbench_tpcb() {
	local t
	t=$(size 500 40)
	WL_DESC="PostgreSQL 15 pgbench TPC-B-like, scale 1, 8 clients, 2 threads, $t transactions each; server under the variant (row locks: sem_wait/sem_post)"
	pg_setup || return 1
	PG_TXNS=$((8 * t)) PG_BINDS="sem_wait sem_post"
	pg_cmd -c 8 -j 2 -t "$t"
	WL_EXPECT="vlibc:mutex_lock>0"
	WL_CHECK=pg_check
}

# --- Python (Debian's /usr/bin/python3: pyenv's may come first in PATH)

PY=/usr/bin/python3
PY_N=

# py WORKLOAD N DESC EXPECT
py_workload() {
	PY_WHAT=$1 PY_N=$2
	WL_DESC=$3
	WL_EXPECT=$4
	WL_CMD=("$PY" "$SRC/bench/apps/pyloads.py" "$1" "$2" "${5:-}")
	[ -n "${5:-}" ] || unset 'WL_CMD[4]'
	WL_CHECK=py_check
}

py_check() {
	local dir=$1
	shift
	same_line_check "$dir" "$("$PY" "$SRC/bench/apps/pyloads.py" --expect "$PY_WHAT" "$PY_N")" "$@"
}

wl_py_threadpool() {
	local n
	n=$(size 100000 10000)
	py_workload threadpool "$n" "Python concurrent.futures.ThreadPoolExecutor(8), $n tiny tasks (locks: CPython's semaphores, GIL)" \
		"vlibc:sem_post>0 vlibc:mutex_lock>0"
}

wl_py_queue() {
	local n
	n=$(size 800000 40000)
	py_workload queue "$n" "Python queue.Queue, 2 producers, 2 consumers, $n items (locks)" \
		"vlibc:sem_post>0 vlibc:mutex_lock>0"
}

# A process's first getrandom calls go to glibc (the family's warm-up,
# <vlibc/abi.h>); the image serves the rest.
GETRANDOM_WARMUP=$(sed -n 's/^#define VLIBC_GETRANDOM_WARMUP_CALLS[[:space:]]*\([0-9]*\).*/\1/p' \
	"$SRC/tools/libc/include/vlibc/abi.h")

# At least @1 getrandom calls served by the vDSO, after the warm-up.
vdso_calls() {
	echo "vlibc:getrandom_vdso>=$(($1 - ${GETRANDOM_WARMUP:?}))"
}

wl_py_uuid4() {
	local n
	n=$(size 500000 40000)
	py_workload uuid4 "$n" "Python uuid.uuid4() x $n (getrandom)" "$(vdso_calls "$n")"
}

wl_py_token_bytes() {
	local n
	n=$(size 800000 60000)
	py_workload token_bytes "$n" "Python secrets.token_bytes(16) x $n (getrandom)" "$(vdso_calls "$n")"
}

wl_py_urandom() {
	local n
	n=$(size 1200000 60000)
	py_workload urandom "$n" "Python os.urandom(16) x $n (getrandom)" "$(vdso_calls "$n")"
}

wl_py_sysrandom() {
	local n
	n=$(size 1200000 60000)
	py_workload sysrandom "$n" "Python random.SystemRandom().random() x $n (getrandom)" "$(vdso_calls "$n")"
}

wl_sqlite_wal() {
	local n
	n=$(size 8000 400)
	py_workload sqlite "$n" "sqlite3 (Python's module), 4 writer threads, WAL, $n one-row transactions each (locks: SQLite's mutexes)" \
		"vlibc:mutex_lock>0" "$WORK/sqlite-wal"
}

# --- sysbench

sysbench_check() {
	local dir=$1 v
	shift
	for v in "$@"; do
		grep -Eq "^ *total number of events: *$SB_EVENTS\$" "$dir/$v.out" ||
			{ echo "$v: not $SB_EVENTS events:"; grep -i events "$dir/$v.out"; head -5 "$dir/$v.err"; return 1; }
	done
}

wl_sysbench_threads() {
	command -v sysbench > /dev/null || { WL_SKIP="sysbench is not installed"; return 1; }
	SB_EVENTS=$(size 1000 200)
	WL_DESC="sysbench threads, 8 threads, $SB_EVENTS events of 1000 mutex lock, sched_yield, unlock"
	WL_CMD=(sysbench threads --threads=8 --thread-yields=1000 --events="$SB_EVENTS" --time=0 run)
	WL_EXPECT="vlibc:mutex_lock>=$((SB_EVENTS * 1000))"
	WL_CHECK=sysbench_check
}

wl_sysbench_mutex() {
	local locks
	command -v sysbench > /dev/null || { WL_SKIP="sysbench is not installed"; return 1; }
	locks=$(size 80000 20000)
	SB_EVENTS=8
	WL_DESC="sysbench mutex, 8 threads, $locks locks each"
	WL_CMD=(sysbench mutex --threads=8 --mutex-locks="$locks" run)
	WL_EXPECT="vlibc:mutex_lock>=$((locks * 8))"
	WL_CHECK=sysbench_check
}

# --- fio posixaio on a file on disk (not tmpfs), laid out once

FIO_FILE=
fio_setup() {
	command -v fio > /dev/null || { WL_SKIP="fio is not installed"; return 1; }
	FIO_FILE=$CACHE/fio-256M.dat
	[ -s "$FIO_FILE" ] && return 0
	fio --name=layout --filename="$FIO_FILE" --size=256M --rw=write --bs=1M \
		--ioengine=psync > "$CACHE/fio-layout.log" 2>&1 ||
		{ WL_FAIL="cannot lay out $FIO_FILE: $(tail -3 "$CACHE/fio-layout.log")"; rm -f "$FIO_FILE"; return 1; }
}

# Each variant's run: FIO_IOS reads done, no error.
fio_check() {
	local dir=$1 v
	shift
	for v in "$@"; do
		"$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
ios, err = j["read"]["total_ios"], j["error"]
sys.exit(0 if ios == int(sys.argv[2]) and err == 0 else "%d reads, error %d" % (ios, err))' \
			"$dir/$v.out" "$FIO_IOS" 2>&1 || { echo "$v: want $FIO_IOS reads"; head -5 "$dir/$v.err"; return 1; }
	done
}

# fio_workload DIRECT DEPTH IOS: buffered reads from a file in the page
# cache (read into it here, since the direct runs before may have dropped
# it; --invalidate=0, or fio drops it at every start).
fio_workload() {
	local kind="buffered (file in the page cache)"
	fio_setup || return 1
	[ "$1" = 1 ] && kind="direct (O_DIRECT)"
	[ "$1" = 1 ] || cat "$FIO_FILE" > /dev/null
	FIO_IOS=$3
	WL_DESC="fio posixaio, $kind 4 KiB random reads, iodepth $2, $3 reads, one job (thread) on a 256 MiB file on disk (aio)"
	WL_CMD=(fio --name=bench --filename="$FIO_FILE" --size=256M --rw=randread --bs=4k
		--ioengine=posixaio --iodepth="$2" --direct="$1" --invalidate=0 --number_ios="$3" --thread
		--randrepeat=1 --output-format=json)
	WL_EXPECT="vlibc:aio_read>=$3"
	WL_CHECK=fio_check
}

wl_fio_direct_qd1()	{ fio_workload 1 1 "$(size 6000 800)"; }
wl_fio_direct_qd32()	{ fio_workload 1 32 "$(size 15000 4000)"; }
wl_fio_buffered_qd1()	{ fio_workload 0 1 "$(size 30000 10000)"; }
wl_fio_buffered_qd32()	{ fio_workload 0 32 "$(size 40000 10000)"; }

# --- perf record --aio: perf writes its samples with aio_write (another
# POSIX AIO user in Debian), profiling sha256sum of the fio file.

perf_check() {
	local dir=$1 v sum
	shift
	sum=$(sha256sum < "$FIO_FILE")
	for v in "$@"; do
		grep -q "^${sum%% *}  " "$dir/$v.out" ||
			{ echo "$v: sha256sum under perf printed '$(head -c 200 "$dir/$v.out")'"; return 1; }
		perf report -i "$dir/$v.data" --stdio --sort comm -g none 2> /dev/null | grep -q '% *sha256sum$' ||
			{ echo "$v: perf report finds no sha256sum samples in $dir/$v.data"; tail -3 "$dir/$v.err"; return 1; }
	done
}

wl_perf_record_aio() {
	command -v perf > /dev/null || { WL_SKIP="perf is not installed (linux-perf)"; return 1; }
	fio_setup || return 1
	cat "$FIO_FILE" > /dev/null
	WL_DESC="perf record --aio=4 -m 8 -F 10000 -g of sha256sum over a 256 MiB file in the page cache (aio: perf's aio_write)"
	WL_CMD=(perf record --aio=4 -m 8 -e cpu-clock -F 10000 -g -o "$WORK/perf-record-aio/@VARIANT@.data"
		-- sha256sum "$FIO_FILE")
	WL_EXPECT="vlibc:aio_write>0"
	WL_CHECK=perf_check
}

# --- Firefox: firefox-heavy.html to a screenshot, headless, sandbox on

firefox_check() {
	local dir=$1 v
	shift
	for v in "$@"; do
		"$PY" "$SRC/selftests/clients/firefox_png.py" digest "$dir/$v.png" 2>&1 ||
			{ echo "$v: the screenshot is wrong"; tail -5 "$dir/$v.err"; return 1; }
	done
}

wl_firefox() {
	local dir=$WORK/firefox v
	[ -n "$FIREFOX" ] && [ -x "$FIREFOX" ] || { WL_SKIP="firefox-esr is not installed"; return 1; }
	WL_DESC="Firefox ESR, headless, renders selftests/clients/firefox-heavy.html to a PNG (a profile per variant, kept across rounds)"
	mkdir -p "$dir"
	cp "$SRC/selftests/clients/firefox-heavy.html" /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$dir/"
	for v in plain off vlibc; do
		mkdir -p "$dir/profile-$v" "$dir/home-$v"
	done
	WL_CMD=(env HOME="$dir/home-@VARIANT@" LANG=C.UTF-8 "$FIREFOX" --headless --no-remote
		-profile "$dir/profile-@VARIANT@" --screenshot "$dir/@VARIANT@.png"
		"file://$dir/firefox-heavy.html")
	WL_EXPECT="vlibc:mutex_lock>0"
	WL_CHECK=firefox_check
}

# --- xz, zstd, sort on the generated input (bench/apps/gen_input.py),
# with the opt-in memcpy binder as a fourth variant

# input MEGABYTES: the cached input of that size (made once).
input() {
	local f=$CACHE/input-$1M.txt
	if [ ! -s "$f" ]; then
		"$PY" "$SRC/bench/apps/gen_input.py" "$1" "$f.tmp" && mv "$f.tmp" "$f" || return 1
	fi
	echo "$f"
}

# Each variant's output decompressed by DECOMPRESSOR is the input.
roundtrip_check() {
	local dir=$1 v
	shift
	for v in "$@"; do
		$RT_DECOMPRESS < "$dir/$v.out" | cmp -s - "$RT_INPUT" ||
			{ echo "$v: the round trip differs from the input"; head -5 "$dir/$v.err"; return 1; }
	done
}

wl_xz() {
	local mb
	command -v xz > /dev/null || { WL_SKIP="xz is not installed"; return 1; }
	# xz compresses ~3.5 MB/s per thread here: the whole input would take a
	# minute a run, so a slice of it.
	mb=$(size "${BENCH_APPS_XZ_MB:-32}" 4)
	RT_INPUT=$(input "$mb") || { WL_FAIL="cannot make the input"; return 1; }
	RT_DECOMPRESS="xz -dc"
	WL_DESC="xz -T2 -0, $mb MiB of generated text (locks; memcpy with the memcpy binder)"
	WL_VARIANTS=$MEMCPY_VARIANTS
	WL_CMD=(xz -T2 -0 -c "$RT_INPUT")
	WL_EXPECT="vlibc:mutex_lock>0 memcpy:mem_calls>0"
	WL_CHECK=roundtrip_check
}

wl_zstd() {
	local mb
	command -v zstd > /dev/null || { WL_SKIP="zstd is not installed"; return 1; }
	mb=$(size "$INPUT_MB" 20)
	RT_INPUT=$(input "$mb") || { WL_FAIL="cannot make the input"; return 1; }
	RT_DECOMPRESS="zstd -dcq"
	WL_DESC="zstd -T2, $mb MiB of generated text (locks; memcpy with the memcpy binder)"
	WL_VARIANTS=$MEMCPY_VARIANTS
	WL_CMD=(zstd -T2 -q -c "$RT_INPUT")
	WL_EXPECT="vlibc:mutex_lock>0 memcpy:mem_calls>0"
	WL_CHECK=roundtrip_check
}

# Each variant's output is the reference sort (gen_input.py --sort).
sort_check() {
	local dir=$1 v ref=$SORT_INPUT.sorted
	shift
	if [ ! -s "$ref" ]; then
		"$PY" "$SRC/bench/apps/gen_input.py" --sort "$SORT_INPUT" "$ref.tmp" && mv "$ref.tmp" "$ref" ||
			{ echo "cannot make the reference sort"; return 1; }
	fi
	for v in "$@"; do
		cmp -s "$dir/$v.out" "$ref" || { echo "$v: the output is not the reference sort"; head -5 "$dir/$v.err"; return 1; }
	done
}

wl_sort() {
	local mb
	mb=$(size "$INPUT_MB" 20)
	SORT_INPUT=$(input "$mb") || { WL_FAIL="cannot make the input"; return 1; }
	WL_DESC="sort --parallel=2 (LC_ALL=C), $mb MiB of generated text (locks; memcpy with the memcpy binder)"
	WL_VARIANTS=$MEMCPY_VARIANTS
	WL_CMD=(sort --parallel=2 -T "$WORK/sort" "$SORT_INPUT")
	WL_EXPECT="vlibc:mutex_lock>0 memcpy:mem_calls>0"
	WL_CHECK=sort_check
}
