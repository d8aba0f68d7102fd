#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PostgreSQL (Debian's postgresql 15) with the binder in the server's
# environment: a throwaway cluster (initdb --data-checksums) on a Unix
# socket in a temporary directory, pgbench's TPC-B-like load with 8
# clients, then the data checked three ways: pg_amcheck --heapallindexed,
# the balances against pgbench_history (every acknowledged transaction is
# there), and pg_checksums on the stopped cluster.  The postmaster and its
# backends sleep on POSIX unnamed semaphores in shared memory (sem_wait /
# sem_post): the locks family.  The same runs plainly, shorter, as the
# comparison.  PostgreSQL refuses to run as root: as root the server and
# its clients run as nobody, with a copy of the binder and image that
# nobody can read.
. "$(dirname "$0")/lib.sh"
apps_begin 10

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGTOOLS="initdb pg_ctl postgres pgbench psql pg_amcheck pg_checksums"
VLIBC_SECONDS=10
PLAIN_SECONDS=5

have_postgres() {
	local t
	for t in $PGTOOLS; do
		[ -x "$PGBIN/$t" ] || return 1
	done
	[ -f "$("$PGBIN/pg_config" --sharedir 2>/dev/null)/extension/amcheck.control" ]
}

if ! have_postgres; then
	for i in $(seq 10); do
		skip "postgresql" "postgresql 15 and postgresql-contrib not installed in $PGBIN"
	done
	apps_end
	exit
fi

# As root, everything PostgreSQL runs as nobody; otherwise as ourselves.
AS=()
if [ "$(id -u)" = 0 ]; then
	AS=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
fi
as_pg() {
	"${AS[@]}" env HOME="$top" "$@"
}

# A directory the server's user can reach and write: apps_tmpdir's, or,
# when a parent of it is closed to that user, one in /var/tmp.
top=$(apps_tmpdir)
own_top=
chmod 755 "$top"
if [ ${#AS[@]} -gt 0 ] && ! "${AS[@]}" test -x "$top"; then
	top=$(mktemp -d /var/tmp/apps-pg.XXXXXX)
	own_top=$top
	chmod 755 "$top"
fi
[ ${#AS[@]} -eq 0 ] || chown "$(id -u nobody):$(id -g nobody)" "$top"
cd "$top" || exit 1

# vlibc-run, the binder and the image, readable by the server's user.
mkdir "$top/vlibc"
cp "$VRUN" "$VLIBC_BUILD/libvlibc.so" "$VLIBC_BUILD/linux-vlibc.so.1" "$top/vlibc/"
chmod -R a+rX "$top/vlibc"

running=()		# data directories of servers started here
stop_servers() {
	local data pid
	for data in "${running[@]}"; do
		[ -f "$data/postmaster.pid" ] || continue
		as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 && continue
		pid=$(head -1 "$data/postmaster.pid" 2>/dev/null)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	running=()
}
trap 'stop_servers; cd /; [ -z "$own_top" ] || rm -rf "$own_top"; _apps_cleanup' EXIT
trap 'exit 143' TERM INT HUP

# psql as the server's user, on the cluster of $1 (data dir), tuples only.
pg_sql() {
	local c=$1
	shift
	as_pg "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$c/sock" -p "$(cat "$c/port")" \
		-U postgres postgres "$@"
}

# Cluster directory $1: initdb and start; $2.. prefix the server (vlibc-run).
pg_start() {
	local c=$1 port
	shift
	mkdir -p "$c/sock"
	[ ${#AS[@]} -eq 0 ] || chown -R "$(id -u nobody):$(id -g nobody)" "$c"
	# The port only names the socket file in its own directory; random
	# anyway, so no two servers share System V IPC keys.
	port=$((20000 + RANDOM % 30000))
	echo "$port" > "$c/port"
	as_pg "$@" "$PGBIN/initdb" -D "$c/data" --data-checksums -A trust -U postgres \
		--no-sync >"$c/initdb.log" 2>&1 || { cat "$c/initdb.log"; return 1; }
	running+=("$c/data")
	as_pg "$@" "$PGBIN/pg_ctl" -D "$c/data" -l "$c/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$c/sock' -p $port" \
		start >"$c/pg_ctl.log" 2>&1 || { cat "$c/pg_ctl.log" "$c/server.log"; return 1; }
}

pg_stop() {
	as_pg "$PGBIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop >/dev/null
}

# pgbench -i, then $2 seconds of TPC-B-like load, 8 clients on 2 threads,
# scale 1 (every transaction updates the one branch row: backends wait
# for each other's row locks, on their semaphores).
pg_bench() {
	local c=$1 port
	port=$(cat "$c/port")
	as_pg "$PGBIN/pgbench" -h "$c/sock" -p "$port" -U postgres -i -s 1 -q postgres \
		>"$c/pgbench-init.log" 2>&1 || { cat "$c/pgbench-init.log"; return 1; }
	limit $(($2 + 60)) "${AS[@]}" env HOME="$top" "$PGBIN/pgbench" -h "$c/sock" \
		-p "$port" -U postgres -c 8 -j 2 -T "$2" postgres >"$c/pgbench.log" 2>&1 ||
		{ cat "$c/pgbench.log"; return 1; }
	grep -q '^number of failed transactions: 0 ' "$c/pgbench.log" &&
		[ "$(processed "$c")" -gt 0 ] || { cat "$c/pgbench.log"; return 1; }
}

processed() {
	sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1/pgbench.log"
}

# Every acknowledged transaction added its delta to one account, teller
# and branch and one row to pgbench_history.
pg_consistent() {
	local c=$1 got want
	want="t|t|t|$(processed "$c")"
	got=$(pg_sql "$c" -c "
		with h as (select coalesce(sum(delta), 0) s, count(*) n from pgbench_history)
		select (select sum(abalance) from pgbench_accounts) = h.s,
		       (select sum(tbalance) from pgbench_tellers) = h.s,
		       (select sum(bbalance) from pgbench_branches) = h.s, h.n
		from h") || return 1
	[ "$got" = "$want" ] || { echo "balances|tellers|branches|history: $got, want $want"; return 1; }
}

pg_amcheck_db() {
	local c=$1
	as_pg "$PGBIN/pg_amcheck" -h "$c/sock" -p "$(cat "$c/port")" -U postgres \
		--install-missing --heapallindexed --parent-check -d postgres
}

# The same answer whatever the library: a parallel aggregate (2 workers
# started by the postmaster, tuples passed through shared memory queues)
# over the deterministic part of the data, and the workers it launched.
pg_answer() {
	local q="select count(*), sum(hashtext(aid::text || bid::text || filler)),
		       md5(string_agg(aid::text, ',' order by aid))
		from pgbench_accounts"

	pg_sql "$1" -c "set max_parallel_workers_per_gather = 2;
		set parallel_setup_cost = 0; set parallel_tuple_cost = 0;
		set min_parallel_table_scan_size = 0;
		explain (analyze, costs off, timing off, summary off) $q;
		$q" | grep -v -e '^ *->' -e '^Aggregate' -e 'Workers Planned'
}

# Maps of the postmaster and of a client backend (a child the postmaster
# forked for this psql), each must hold the binder and the image.
pg_maps() {
	local c=$1 pm ppid f
	pm=$(head -1 "$c/data/postmaster.pid")
	grep -E 'libvlibc\.so|linux-vlibc\.so\.1' "/proc/$pm/maps" > "$c/postmaster.maps"
	printf '%s\n' 'select pg_backend_pid() as pid \gset' '\setenv BACKEND :pid' \
		'\! cat /proc/$BACKEND/stat; grep -E "libvlibc[.]so|linux-vlibc[.]so[.]1" /proc/$BACKEND/maps' |
		pg_sql "$c" > "$c/backend.maps"
	ppid=$(head -1 "$c/backend.maps" | sed 's/^.*) . \([0-9]*\) .*/\1/')
	[ "$ppid" = "$pm" ] || { echo "backend's parent $ppid is not the postmaster $pm"; return 1; }
	for f in postmaster backend; do
		grep -q 'libvlibc\.so$' "$c/$f.maps" && grep -q 'linux-vlibc\.so\.1$' "$c/$f.maps" ||
			{ echo "$f maps:"; cat "$c/$f.maps"; return 1; }
	done
}

# The server's log says the locks family went to vlibc and the backends'
# semaphores were bound.
pg_bound() {
	local log=$1/server.log n
	bound locks "$log" || { echo "no 'family locks -> vlibc' in the server log"; return 1; }
	for n in sem_wait sem_post; do
		grep -q "^vlibc: bind $n -> vlibc" "$log" || { echo "$n not bound"; grep '^vlibc:' "$log" | sort -u; return 1; }
	done
}

# --- under vlibc: the binder in the server's environment, with its log.
v=$top/vlibc-cluster
start=$SECONDS
if pg_start "$v" env VLIBC_DEBUG=1 "$top/vlibc/vlibc-run" > "$top/v-start.out" 2>&1; then
	ok "vlibc: initdb and pg_ctl start under vlibc-run"
	check "vlibc: postmaster and a backend map libvlibc.so and the image" pg_maps "$v"
	check "vlibc: pgbench -c 8 -j 2 -T $VLIBC_SECONDS, 0 failed transactions" pg_bench "$v" $VLIBC_SECONDS
	echo "# vlibc: $(grep -E '^(number of transactions actually processed|tps)' "$v/pgbench.log" | tr '\n' ' ')"
	check "vlibc: server log: family locks and sem_wait/sem_post bound" pg_bound "$v"
	check "vlibc: pg_amcheck --heapallindexed finds nothing" pg_amcheck_db "$v"
	check "vlibc: balances add up, every transaction in pgbench_history" pg_consistent "$v"
	pg_answer "$v" > "$top/v-answer.txt" 2>&1
	check "vlibc: pg_ctl stop -m fast, pg_checksums --check clean" \
		eval 'pg_stop "$v" && as_pg "$PGBIN/pg_checksums" --check -D "$v/data"'
else
	not_ok "vlibc: initdb and pg_ctl start under vlibc-run" "$(cat "$top/v-start.out")"
	for i in $(seq 6); do not_ok "vlibc: (no server)"; done
fi
stop_servers
echo "# vlibc cluster: $((SECONDS - start)) s"

# --- plainly, the comparison: the same checks must pass.
p=$top/plain-cluster
start=$SECONDS
if pg_start "$p" > "$top/p-start.out" 2>&1 && pg_bench "$p" $PLAIN_SECONDS > "$top/p-bench.out" 2>&1; then
	echo "# plain: $(grep -E '^(number of transactions actually processed|tps)' "$p/pgbench.log" | tr '\n' ' ')"
	if grep -q '^vlibc:' "$p/server.log" ||
	   grep -q 'libvlibc' "/proc/$(head -1 "$p/data/postmaster.pid")/maps"; then
		not_ok "plain: pgbench -c 8 -j 2 -T $PLAIN_SECONDS, 0 failed transactions" "the plain server has the binder"
	else
		ok "plain: pgbench -c 8 -j 2 -T $PLAIN_SECONDS, 0 failed transactions"
	fi
	check "plain: pg_amcheck, balances, pg_checksums" eval \
		'pg_amcheck_db "$p" && pg_consistent "$p" && pg_answer "$p" > "$top/p-answer.txt" 2>&1 &&
		 pg_stop "$p" && as_pg "$PGBIN/pg_checksums" --check -D "$p/data" >/dev/null'
else
	not_ok "plain: pgbench -c 8 -j 2 -T $PLAIN_SECONDS, 0 failed transactions" \
		"$(cat "$top/p-start.out" "$top/p-bench.out" 2>/dev/null)"
	not_ok "plain: pg_amcheck, balances, pg_checksums" "(no server)"
fi
stop_servers
echo "# plain cluster: $((SECONDS - start)) s"

if grep -q 'Workers Launched: 2' "$top/v-answer.txt" &&
   cmp -s "$top/v-answer.txt" "$top/p-answer.txt"; then
	ok "parallel query over the loaded data: 2 workers, same answer plainly and under vlibc"
else
	not_ok "parallel query over the loaded data: 2 workers, same answer plainly and under vlibc" \
		"$(cat "$top/v-answer.txt"; echo ---; cat "$top/p-answer.txt" 2>/dev/null)"
fi
apps_end
