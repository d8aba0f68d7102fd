#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everyday multi-threaded tools, each plainly and under vlibc-run on the
# same generated input, outputs compared, and the vlibc run's VLIBC_DEBUG
# log read for the names it bound.  Binding is lazy: a name shows up in
# the log only when the program called it.
#   git clone/gc/fsck  pthread_mutex_* (index-pack, pack-objects threads)
#   make -j2, gcc      nothing: make and the compiler call no bound name;
#                      the program it builds (threads, a mutex, a
#                      semaphore) binds pthread_mutex_* and sem_*
#   sort --parallel=2  pthread_mutex_* (its merge tree's locks)
#   xz -T2, zstd -T2   pthread_mutex_* (liblzma's, libzstd's worker pools)
#   python3 sqlite3    pthread_mutex_* (libsqlite3's mutexes), sem_*
#                      (Python's thread locks), getrandom
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
apps_begin 13

d=$(apps_tmpdir)
cd "$d" || exit 1

# The names LOG says were bound to vlibc, on one line ("nothing": none).
bound_names() {
	local names
	names=$(sed -n 's/^vlibc: bind \([a-z_0-9]*\) -> vlibc.*/\1/p' "$1" 2>/dev/null | sort -u | tr '\n' ' ')
	echo "${names:-nothing}"
}

# check NAME LOG NAME...: binds, after a comment line saying what was bound.
check_binds() {
	echo "# ${1%%:*} bound: $(bound_names "$2")"
	check "$1" binds "$2" "${@:3}"
}

# --- git: a generated repository (fixed dates: the same hashes every
# time), cloned through the pack protocol, repacked, checked.
git_repo() {
	git init -q -b main "$1" && awk -v N=400 '
	BEGIN {
		for (i = 1; i <= N; i++) {
			print "commit refs/heads/main"
			print "mark :" i
			print "committer Test <test@example.org> " 1700000000 + i * 60 " +0000"
			msg = "commit " i
			print "data " length(msg)
			print msg
			if (i > 1)
				print "from :" i - 1
			for (k = 0; k < 3; k++) {
				f = (i * 7 + k * 131) % 500
				body = ""
				for (l = 0; l < 20; l++)
					body = body "file " f " commit " i " line " l " " \
					       (i * l * 2654435761 % 1000003) "\n"
				print "M 644 inline dir" f % 20 "/file" f ".txt"
				print "data " length(body)
				printf "%s\n", body
			}
		}
	}' | git -C "$1" fast-import --quiet && git -C "$1" checkout -q main
}

# $1: output folder; $2..: prefix (vlibc-run).  Prints what must agree.
git_run() {
	local out=$1
	shift
	"$@" git -c pack.threads=2 clone -q --no-local "file://$d/git-src" "$out" &&
	"$@" git -C "$out" -c pack.threads=2 gc -q --aggressive &&
	"$@" git -C "$out" fsck --full --strict --no-progress &&
	"$@" git -C "$out" rev-parse HEAD &&
	"$@" git -C "$out" log --format=%H | sha256sum &&
	"$@" git -C "$out" ls-files -s | sha256sum &&
	(cd "$out" && find . -path ./.git -prune -o -type f -print0 | sort -z |
		xargs -0 sha256sum | sha256sum)
}

if need git; then
	if git_repo git-src >git-src.log 2>&1 &&
	   git_run git-plain > git-plain.out 2>&1 &&
	   git_run git-vlibc env VLIBC_DEBUG=1 "$VRUN" > git-vlibc.out 2> git-vlibc.log &&
	   [ -s git-plain.out ] && cmp -s git-plain.out git-vlibc.out; then
		ok "git clone, gc, fsck --full: same HEAD, history and tree as plain"
	else
		not_ok "git clone, gc, fsck --full: same HEAD, history and tree as plain" \
			"$(cat git-src.log; grep -v '^vlibc:' git-vlibc.log; diff git-plain.out git-vlibc.out)"
	fi
	check_binds "git: locks family bound" git-vlibc.log pthread_mutex_lock pthread_mutex_unlock
else
	skip "git clone, gc, fsck" "git not installed"
	skip "git: locks family bound" "git not installed"
fi

# --- make -j2 of a small threaded C project.
make_project() {
	mkdir -p "$1" && cd "$1" || return 1
	local i
	for i in 1 2 3 4; do
		cat > part$i.c <<-EOF
		// SPDX-License-Identifier: GPL-2.0
		int part$i(int x)
		{
			return x * $i + $((i * i));
		}
		EOF
	done
	cat > counter.c <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <pthread.h>
	#include <semaphore.h>

	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static sem_t done;
	static long count;

	static void *count_up(void *arg)
	{
		long i, n = (long)arg;

		for (i = 0; i < n; i++) {
			pthread_mutex_lock(&lock);
			count++;
			pthread_mutex_unlock(&lock);
		}
		sem_post(&done);
		return 0;
	}

	/* @threads threads each add @n under one mutex; the total. */
	long counter(int threads, long n)
	{
		pthread_t t[16];
		int i;

		sem_init(&done, 0, 0);
		for (i = 0; i < threads; i++)
			pthread_create(&t[i], 0, count_up, (void *)n);
		for (i = 0; i < threads; i++)
			sem_wait(&done);
		for (i = 0; i < threads; i++)
			pthread_join(t[i], 0);
		return count;
	}
	EOF
	cat > main.c <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <stdio.h>

	int part1(int), part2(int), part3(int), part4(int);
	long counter(int threads, long n);

	int main(void)
	{
		printf("parts %d\n", part1(1) + part2(2) + part3(3) + part4(4));
		printf("count %ld\n", counter(4, 100000));
		return 0;
	}
	EOF
	printf '%s\n' '# SPDX-License-Identifier: GPL-2.0' \
		'OBJS = main.o counter.o part1.o part2.o part3.o part4.o' \
		'prog: $(OBJS)' '	$(CC) -pthread -o $@ $(OBJS)' \
		'%.o: %.c' '	$(CC) -O2 -pthread -c -o $@ $<' \
		'	if grep -q libvlibc /proc/self/maps; then echo 1; else echo 0; fi > $@.preload' \
		> Makefile
}

# $1: folder; $2..: prefix.  Builds, then runs the program the same way.
make_run() {
	local dir=$1
	shift
	(make_project "$dir" && "$@" make -j2 -s 2> ../$dir-build.log && "$@" ./prog)
}

if need make cc; then
	if make_run make-plain > make-plain.out 2>&1 &&
	   make_run make-vlibc env VLIBC_DEBUG=1 "$VRUN" > make-vlibc.out 2> make-vlibc.log &&
	   printf 'parts 60\ncount 400000\n' | cmp -s - make-plain.out &&
	   cmp -s make-plain.out make-vlibc.out && cmp -s make-plain/prog make-vlibc/prog &&
	   [ "$(cat make-vlibc/*.o.preload | sort -u)" = 1 ] &&
	   [ "$(cat make-plain/*.o.preload | sort -u)" = 0 ]; then
		ok "make -j2: the same program as plain, prints the same under both"
	else
		not_ok "make -j2: the same program as plain, prints the same under both" \
			"$(grep -v '^vlibc:' make-*-build.log make-vlibc.log; diff make-plain.out make-vlibc.out;
			   cmp make-plain/prog make-vlibc/prog; grep . make-*/*.preload)"
	fi
	# make and cc bind nothing; the program they built does.
	echo "# make -j2 and cc bound: $(bound_names make-vlibc-build.log)"
	check_binds "the program make built: locks family bound" make-vlibc.log \
		pthread_mutex_lock pthread_mutex_unlock sem_post sem_wait
else
	skip "make -j2" "make or cc not installed"
	skip "the program make built: locks family bound" "make or cc not installed"
fi

# --- sort: a 40 MB input with a 16 MB buffer: two threads and temporary
# files merged.
head -c 30M /dev/urandom | base64 -w 60 > sort-in.txt
mkdir sort-tmp-plain sort-tmp-vlibc
if sort --parallel=2 -S 16M -T sort-tmp-plain sort-in.txt > sort-plain.txt 2>sort-plain.log &&
   VLIBC_DEBUG=1 "$VRUN" sort --parallel=2 -S 16M -T sort-tmp-vlibc sort-in.txt > sort-vlibc.txt 2>sort-vlibc.log &&
   cmp -s sort-plain.txt sort-vlibc.txt && sort -c sort-vlibc.txt &&
   [ "$(wc -l < sort-vlibc.txt)" = "$(wc -l < sort-in.txt)" ]; then
	ok "sort --parallel=2 -S 16M: same sorted output as plain"
else
	not_ok "sort --parallel=2 -S 16M: same sorted output as plain" "$(cat sort-plain.log sort-vlibc.log)"
fi
check_binds "sort: locks family bound" sort-vlibc.log pthread_mutex_lock pthread_mutex_unlock
rm -f sort-in.txt sort-plain.txt sort-vlibc.txt

# --- xz and zstd: 64 MB, random blocks between compressible text.
for i in $(seq 0 15); do
	head -c 1M /dev/urandom
	seq $((i * 400000)) $((i * 400000 + 399999))
done > data.bin

# $1: tool and its options; $2: suffix.  Compress and decompress plainly
# and under vlibc-run; all must agree with the original and each other.
round_trip() {
	local tool=$1 s=$2
	$tool -c data.bin > plain.$s &&
	VLIBC_DEBUG=1 "$VRUN" $tool -c data.bin > vlibc.$s 2> $s-vlibc.log &&
	cmp plain.$s vlibc.$s &&
	VLIBC_DEBUG=1 "$VRUN" $tool -d -c vlibc.$s 2>> $s-vlibc.log | cmp - data.bin &&
	VLIBC_DEBUG=1 "$VRUN" $tool -d -c plain.$s 2>> $s-vlibc.log | cmp - data.bin &&
	$tool -d -c vlibc.$s | cmp - data.bin
}

for tool in xz zstd; do
	if ! need $tool; then
		skip "$tool -T2 round trip" "$tool not installed"
		skip "$tool: locks family bound" "$tool not installed"
		continue
	fi
	case $tool in
	xz) opts="xz -T2 -1 -q" ;;
	zstd) opts="zstd -T2 -q" ;;
	esac
	check "$tool -T2: round trip under vlibc, same compressed file as plain, plain decompresses it" \
		round_trip "$opts" $tool
	check_binds "$tool: locks family bound" $tool-vlibc.log pthread_mutex_lock pthread_mutex_unlock
	rm -f plain.$tool vlibc.$tool
done
rm -f data.bin

# --- sqlite: 4 writer threads, each its own connection, one WAL database.
cat > sqlite-writers.py <<'EOF'
# SPDX-License-Identifier: GPL-2.0
import sqlite3, sys, threading

db, nthreads, nrows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = sqlite3.connect(db)
con.execute("pragma journal_mode=wal")
con.execute("create table t(id integer primary key, writer int, n int, payload text)")
con.commit()
con.close()
errors = []

def write(w):
    try:
        c = sqlite3.connect(db, timeout=120)
        c.execute("pragma busy_timeout=120000")
        for i in range(nrows):
            c.execute("insert into t(writer, n, payload) values (?, ?, ?)",
                      (w, i, "w%d-%d " % (w, i) * 4))
            if i % 50 == 49:
                c.commit()
        c.commit()
        c.close()
    except Exception as e:
        errors.append(repr(e))

threads = [threading.Thread(target=write, args=(w,)) for w in range(nthreads)]
for t in threads:
    t.start()
for t in threads:
    t.join()
c = sqlite3.connect(db)
print("errors", errors)
for row in c.execute("select writer, count(*), count(distinct n), min(n), max(n)"
                     " from t group by writer order by writer"):
    print("writer", *row)
print("integrity", c.execute("pragma integrity_check").fetchone()[0])
EOF
sqlite_expect() {
	echo "errors []"
	for w in 0 1 2 3; do echo "writer $w 5000 5000 0 4999"; done
	echo "integrity ok"
}
# The rows, whatever order the writers interleaved in.
sqlite_rows() {
	sqlite3 "$1" 'pragma integrity_check; select writer, n, payload from t order by writer, n' |
		sha256sum
}
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sqlite3' 2>/dev/null && need sqlite3; then
	if /usr/bin/python3 sqlite-writers.py sq-plain.db 4 5000 > sq-plain.out 2>&1 &&
	   VLIBC_DEBUG=1 "$VRUN" /usr/bin/python3 sqlite-writers.py sq-vlibc.db 4 5000 \
		> sq-vlibc.out 2> sq-vlibc.log &&
	   sqlite_expect | cmp -s - sq-plain.out && cmp -s sq-plain.out sq-vlibc.out &&
	   VLIBC_DEBUG=1 "$VRUN" sqlite3 sq-vlibc.db 'pragma integrity_check' 2> sq-cli.log |
		grep -qx ok &&
	   [ "$(sqlite_rows sq-plain.db)" = "$(sqlite_rows sq-vlibc.db)" ]; then
		ok "sqlite3, 4 writer threads on one WAL database: all rows, integrity ok, same as plain"
	else
		not_ok "sqlite3, 4 writer threads on one WAL database: all rows, integrity ok, same as plain" \
			"$(grep -v '^vlibc:' sq-vlibc.log sq-cli.log; cat sq-plain.out; echo ---; cat sq-vlibc.out)"
	fi
	# Python binds sem_* for its own locks and libsqlite3's mutexes.  The
	# sqlite3 shell has one thread: the locks family, which binds at the
	# first thread, stays on glibc there (its first lock maps the image).
	check_binds "sqlite3: locks family bound (python3: libsqlite3's mutexes, Python's semaphores)" \
		sq-vlibc.log pthread_mutex_lock pthread_mutex_unlock sem_wait sem_post
	check "sqlite3 shell (one thread): locks family left on glibc" \
		sh -c "! grep -q '^vlibc: family locks' sq-cli.log"
else
	skip "sqlite3 writer threads" "python3's sqlite3 module or the sqlite3 shell not installed"
	skip "sqlite3: locks family bound" "python3's sqlite3 module or the sqlite3 shell not installed"
	skip "sqlite3 shell (one thread): locks family left on glibc" "python3's sqlite3 module or the sqlite3 shell not installed"
fi
apps_end
