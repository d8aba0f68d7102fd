#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# More unmodified programs, each plainly and under vlibc-run, outputs and
# exit statuses compared, with the vlibc run's VLIBC_DEBUG log (or
# /proc/PID/maps) proving what was bound:
#   java (OpenJDK)   synchronized, ReentrantLock, ConcurrentHashMap,
#                    parallel streams, SecureRandom: pthread_mutex_*, sem_*
#   node             worker_threads, fs.promises (libuv's thread pool),
#                    crypto: pthread_mutex_*, sem_wait/sem_post
#   redis-server     AOF with fsync always, io-threads 2, redis-benchmark
#                    on a Unix socket: pthread_mutex_* (bio threads)
#   valgrind         memcheck of a threaded program using every family,
#                    with the binder: no error, same output
#   bash, xargs -P4  subshells and pipelines starting a threaded program
#   hostile starts   all signals blocked, SIGCHLD ignored, setsid,
#                    LD_BIND_NOW=1, ulimit -s 256, ulimit -v
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
apps_begin 11

d=$(apps_tmpdir)
cd "$d" || exit 1

# NAME PLAIN_OUT VLIBC_OUT: ok when both are non-empty and equal.
same() {
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$2" "$3"; cat "$2.err" "$3.err" 2>/dev/null | grep -v '^vlibc:')"
	fi
}

# --- the JVM
cat > Conc.java <<'EOF'
// SPDX-License-Identifier: GPL-2.0
import java.security.SecureRandom;
import java.util.concurrent.*;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.LongStream;

public class Conc {
	static long syncCount;
	static final Object mon = new Object();

	public static void main(String[] a) throws Exception {
		int threads = 8, iters = 100000;
		ReentrantLock lock = new ReentrantLock();
		long[] lockCount = { 0 };
		ConcurrentHashMap<Integer, Integer> map = new ConcurrentHashMap<>();
		ExecutorService ex = Executors.newFixedThreadPool(threads);
		CountDownLatch done = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++)
			ex.submit(() -> {
				for (int i = 0; i < iters; i++) {
					synchronized (mon) { syncCount++; }
					lock.lock();
					try { lockCount[0]++; } finally { lock.unlock(); }
					map.merge(i % 1000, 1, Integer::sum);
				}
				done.countDown();
			});
		done.await();
		ex.shutdown();
		ex.awaitTermination(1, TimeUnit.MINUTES);
		System.out.println("sync " + syncCount + " lock " + lockCount[0]);
		System.out.println("map " + map.size() + " " +
				   map.values().stream().mapToLong(x -> x).sum());
		System.out.println("parallel " +
				   LongStream.range(0, 10_000_000).parallel().map(x -> x * x % 7).sum());
		byte[] b = new byte[64];
		new SecureRandom().nextBytes(b);
		SecureRandom.getInstance("NativePRNGNonBlocking").nextBytes(b);
		System.out.println("securerandom " + b.length);
	}
}
EOF
if need java javac && javac -d . Conc.java 2> javac.log; then
	limit 120 java -cp . Conc > java-plain 2> java-plain.err
	VLIBC_DEBUG=1 limit 120 "$VRUN" java -cp . Conc > java-vlibc 2> java-vlibc.err
	printf 'sync 800000 lock 800000\nmap 1000 800000\nparallel 19999999\nsecurerandom 64\n' |
		cmp -s - java-plain || echo "# unexpected plain output: $(cat java-plain)"
	same "java: threads, monitors, ReentrantLock, ConcurrentHashMap, parallel streams: same as plain" \
		java-plain java-vlibc
	check "java: locks family bound (pthread_mutex_lock, sem_post, sem_wait)" \
		binds java-vlibc.err pthread_mutex_lock pthread_mutex_unlock sem_post sem_wait
else
	skip "java" "java or javac not installed"
	skip "java: locks family bound" "java or javac not installed"
fi

# --- Node.js
cat > conc.js <<'EOF'
// SPDX-License-Identifier: GPL-2.0
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
if (isMainThread) {
	(async () => {
		const dir = process.argv[2];
		fs.mkdirSync(dir, { recursive: true });
		const files = [];
		for (let i = 0; i < 200; i++) {
			const p = path.join(dir, 'f' + i);
			fs.writeFileSync(p, Buffer.alloc(8192 + i * 37, i & 0xff));
			files.push(p);
		}
		const h = crypto.createHash('sha256');
		for (let round = 0; round < 10; round++) {
			const bufs = await Promise.all(files.map(f => fs.promises.readFile(f)));
			bufs.forEach(b => h.update(b));
		}
		const keys = await Promise.all(Array.from({ length: 32 }, (_, i) =>
			new Promise((res, rej) => crypto.pbkdf2('pw' + i, 'salt', 2000, 32, 'sha256',
				(e, k) => e ? rej(e) : res(k.toString('hex'))))));
		h.update(keys.join(''));
		const r = await new Promise((res, rej) =>
			crypto.randomBytes(4096, (e, b) => e ? rej(e) : res(b)));
		const ws = await Promise.all(Array.from({ length: 4 }, (_, i) =>
			new Promise((res, rej) => {
				const w = new Worker(__filename, { workerData: i });
				w.on('message', res);
				w.on('error', rej);
			})));
		console.log('files', files.length, 'digest', h.digest('hex'));
		console.log('random', r.length, crypto.randomBytes(65536).length);
		console.log('workers', ws.join(' '));
	})().catch(e => { console.error(e); process.exit(1); });
} else {
	let s = 0;
	for (let i = 0; i < 1e6; i++)
		s = (s + i * workerData) % 1000003;
	parentPort.postMessage(workerData + ':' +
		crypto.createHash('sha1').update(String(s)).digest('hex').slice(0, 8));
}
EOF
if need node; then
	UV_THREADPOOL_SIZE=8 limit 120 node conc.js node-plain.d > node-plain 2> node-plain.err
	UV_THREADPOOL_SIZE=8 VLIBC_DEBUG=1 limit 120 "$VRUN" node conc.js node-vlibc.d \
		> node-vlibc 2> node-vlibc.err
	same "node: worker_threads, 2000 concurrent fs.promises reads, crypto in the pool: same as plain" \
		node-plain node-vlibc
	check "node: locks family bound (pthread_mutex_lock, libuv's sem_wait/sem_post)" \
		binds node-vlibc.err pthread_mutex_lock pthread_mutex_unlock sem_post sem_wait
else
	skip "node" "node not installed"
	skip "node: locks family bound" "node not installed"
fi

# --- redis: $1 folder, $2.. prefix for the server.  Prints what must agree.
redis_run() {
	local r=$1 pid i
	shift
	mkdir -p "$r"
	"$@" redis-server --port 0 --unixsocket "$r/s" --dir "$r" --save '' \
		--appendonly yes --appendfsync always --io-threads 2 \
		--logfile "$r/log" > "$r/out" 2> "$r/err" &
	pid=$!
	for i in $(seq 200); do [ -S "$r/s" ] && break; sleep 0.1; done
	redis-cli -s "$r/s" ping
	limit 120 redis-benchmark -s "$r/s" -q -n 20000 -c 16 -t set,get,incr,lpush,lpop \
		> /dev/null 2> "$r/bench.err" || echo "redis-benchmark failed"
	for i in $(seq 1000); do echo "SET k$i v$i"; echo "INCR n"; echo "RPUSH l $i"; done |
		redis-cli -s "$r/s" > /dev/null
	redis-cli -s "$r/s" bgrewriteaof > /dev/null
	redis-cli -s "$r/s" get n
	redis-cli -s "$r/s" get k777
	redis-cli -s "$r/s" lrange l 0 -1 | sha256sum
	case $(cat /proc/$pid/maps) in
	*libvlibc*) echo "binder: yes" > "$r/binder" ;;
	*) echo "binder: no" > "$r/binder" ;;
	esac
	for i in $(seq 200); do
		redis-cli -s "$r/s" info persistence | grep -q 'aof_rewrite_in_progress:0' && break
		sleep 0.1
	done
	redis-cli -s "$r/s" shutdown > /dev/null 2>&1
	wait $pid
	echo "server exit $?"
}
if need redis-server redis-cli redis-benchmark; then
	redis_run "$d/redis-plain.d" > redis-plain 2>&1
	VLIBC_DEBUG=1 redis_run "$d/redis-vlibc.d" "$VRUN" > redis-vlibc 2>&1
	same "redis-server: benchmark, AOF fsync always, io-threads, rewrite: same replies and exit as plain" \
		redis-plain redis-vlibc
	if [ "$(cat redis-vlibc.d/binder redis-plain.d/binder)" = "$(printf 'binder: yes\nbinder: no')" ]; then
		check "redis-server: locks family bound, binder in its maps" \
			binds redis-vlibc.d/err pthread_mutex_lock pthread_mutex_unlock
	else
		not_ok "redis-server: locks family bound, binder in its maps" \
			"$(cat redis-vlibc.d/binder redis-plain.d/binder)"
	fi
else
	skip "redis-server" "redis-server, redis-cli or redis-benchmark not installed"
	skip "redis-server: locks family bound" "redis-server not installed"
fi

# --- a threaded C program that uses every family (for valgrind, bash,
# xargs and the hostile starts).
cat > every.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t done;
static long count;

static void *count_up(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		count++;
		pthread_mutex_unlock(&lock);
	}
	sem_post(&done);
	return NULL;
}

/* Threads on a mutex and a semaphore, getrandom, an aio_read of argv[1]. */
int main(int argc, char **argv)
{
	const struct aiocb *list[1];
	unsigned char r[32];
	char buf[4096];
	struct aiocb cb;
	pthread_t t[4];
	int i;

	sem_init(&done, 0, 0);
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, count_up, NULL)) {
			perror("pthread_create");
			return 3;
		}
	for (i = 0; i < 4; i++)
		sem_wait(&done);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* Past the getrandom family's warm-up (glibc serves the first 256). */
	for (i = 0; i < 300; i++)
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return 4;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = open(argc > 1 ? argv[1] : "/etc/passwd", O_RDONLY);
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	list[0] = &cb;
	if (aio_read(&cb)) {
		printf("count %ld aio_read %s\n", count, strerror(errno));
		return 5;
	}
	while (aio_error(&cb) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	printf("count %ld aio %zd\n", count, aio_return(&cb));
	return 0;
}
EOF
seq 1 1000 > input.txt
if ! need cc || ! cc -O2 -pthread -o every every.c -lrt 2> every.log; then
	for _ in 1 2 3 4 5 6; do skip "every-family program" "no C compiler"; done
	apps_end
	exit
fi
expect="count 80000 aio 3893"
# NAME LOG: the log has each family going to vlibc.
all_families() {
	local f
	for f in locks getrandom aio; do
		bound $f "$1" || { echo "$f not bound:"; grep '^vlibc: family' "$1"; return 1; }
	done
}

# --- valgrind (memcheck) running it with the binder: no error, the same
# output; locks and getrandom bound, aio on glibc under Valgrind.
if need valgrind; then
	limit 120 valgrind -q --error-exitcode=99 ./every input.txt > vg-plain 2> vg-plain.err
	echo "exit $?" >> vg-plain
	LD_PRELOAD=$VLIBC_BUILD/libvlibc.so VLIBC_DEBUG=1 limit 120 \
		valgrind -q --error-exitcode=99 ./every input.txt > vg-vlibc 2> vg-vlibc.err
	echo "exit $?" >> vg-vlibc
	same "valgrind memcheck of a threaded program with the binder: no error, same output as plain" \
		vg-plain vg-vlibc
	if bound locks vg-vlibc.err && grep -q '^vlibc: family aio under Valgrind' vg-vlibc.err; then
		ok "valgrind: locks bound to vlibc, aio to glibc (Valgrind keeps its lock in io_uring_enter)"
	else
		not_ok "valgrind: locks bound to vlibc, aio to glibc" "$(grep '^vlibc: family' vg-vlibc.err)"
	fi
else
	skip "valgrind" "valgrind not installed"
	skip "valgrind: families" "valgrind not installed"
fi

# --- bash: subshells, pipelines, command substitutions and xargs -P4,
# each starting the program; the whole script under vlibc-run.
cat > storm.sh <<'EOF'
# SPDX-License-Identifier: GPL-2.0
for i in $(seq 1 8); do
	( ./every input.txt | sed "s/^/sub $i /" ) &
done
wait
for i in 1 2 3 4; do
	x=$(./every input.txt | tr a-z A-Z | (read -r l; echo "$l"))
	echo "subst $i $x"
done
seq 1 12 | xargs -P4 -I{} sh -c './every input.txt | sed "s/^/xargs {} /"'
EOF
bash storm.sh | sort > storm-plain 2> storm-plain.err
VLIBC_DEBUG=1 "$VRUN" bash storm.sh 2> storm-vlibc.err | sort > storm-vlibc
n=$(grep -c "^vlibc: family aio -> vlibc" storm-vlibc.err)
if [ "$(grep -c "$expect" storm-plain)" = 20 ] && cmp -s storm-plain storm-vlibc &&
   [ "$n" -ge 20 ] && [ "$(grep -c "COUNT 80000 AIO 3893" storm-vlibc)" = 4 ]; then
	ok "bash: 8 subshells, 4 substitutions, xargs -P4 of 12: same output, every family in every program ($n)"
else
	not_ok "bash: subshells, pipelines, xargs -P4" \
		"$(diff storm-plain storm-vlibc; echo "aio bound in $n processes"; grep -v '^vlibc:' storm-vlibc.err)"
fi

# --- hostile starts: each way of starting the program, plainly and
# under vlibc-run: the same output and status, every family bound.
cat > sigstart.py <<'EOF'
# SPDX-License-Identifier: GPL-2.0
import os, signal, sys
mode = sys.argv[1]
if mode == "block":
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
elif mode == "ignore":
    for s in signal.valid_signals():
        try:
            signal.signal(s, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
os.execvp(sys.argv[2], sys.argv[2:])
EOF
hostile_fail=
hostile_ok=0
# NAME PREFIX...: run PREFIX ./every input.txt plainly and under vlibc-run.
hostile() {
	local name=$1 p v
	shift
	p=$(bash -c "$1 ./every input.txt" 2>&1; echo "exit $?")
	v=$(VLIBC_DEBUG=1 bash -c "$1 $VRUN ./every input.txt" 2> hostile.err; echo "exit $?")
	if [ "$p" != "$v" ] || [ "$p" != "$(printf '%s\nexit 0' "$expect")" ]; then
		hostile_fail+="$name: plain '$p', vlibc '$v' $(grep -v '^vlibc' hostile.err)"$'\n'
	elif ! all_families hostile.err > /dev/null; then
		hostile_fail+="$name: $(all_families hostile.err)"$'\n'
	else
		hostile_ok=$((hostile_ok + 1))
	fi
}
PY=/usr/bin/python3
hostile "all signals blocked" "$PY sigstart.py block"
hostile "every signal ignored (SIGCHLD too)" "$PY sigstart.py ignore"
hostile "setsid" "setsid -w"
hostile "nohup" "nohup"
hostile "timeout" "timeout 60"
hostile "LD_BIND_NOW=1" "LD_BIND_NOW=1"
hostile "ulimit -s 256" "ulimit -s 256;"
hostile "ulimit -s 64" "ulimit -s 64;"
hostile "ulimit -v 200000" "ulimit -v 200000;"
hostile "ulimit -s 64 -v 8000" "ulimit -s 64; ulimit -v 8000;"
hostile "ulimit -n 16" "ulimit -n 16;"
if [ -z "$hostile_fail" ]; then
	ok "hostile starts ($hostile_ok: signals blocked or ignored, setsid, nohup, timeout, LD_BIND_NOW, ulimit -s/-v/-n): same output, every family bound"
else
	not_ok "hostile starts" "$hostile_fail"
fi

# --- ulimit -v too tight for the program's threads: the same error as
# plain glibc (vlibc's image and private region take address space too,
# so the limit is set where both fail: no thread stack fits).
p=$(bash -c "ulimit -v 30000; ./every input.txt" 2>&1; echo "exit $?")
v=$(bash -c "ulimit -v 30000; $VRUN ./every input.txt" 2>&1; echo "exit $?")
if [ "$p" = "$v" ] && [ "$p" = "$(printf 'pthread_create: Cannot allocate memory\nexit 3')" ]; then
	ok "ulimit -v 30000 (no room for an 8 MB thread stack): the same ENOMEM as plain"
else
	not_ok "ulimit -v 30000: the same ENOMEM as plain" "plain: $p"$'\n'"vlibc: $v"
fi
apps_end
