# SPDX-License-Identifier: GPL-2.0
#
# make bench-apps: the Python workloads, run by Debian's /usr/bin/python3.
# Each does a fixed amount of work (so wall time is the figure) and prints
# one line the bench checks (bench/apps/workloads.sh).
#
#	pyloads.py WORKLOAD N [DIR]
#	pyloads.py --expect WORKLOAD N	the line a correct run prints
#
#	threadpool  N tiny tasks through ThreadPoolExecutor(8): the sum
#	queue       N items, 2 producers to 2 consumers through queue.Queue
#	uuid4       N uuid.uuid4(): how many distinct
#	token_bytes N secrets.token_bytes(16): how many distinct
#	urandom     N os.urandom(16): how many distinct
#	sysrandom   N random.SystemRandom().random(): count in [0, 1)
#	sqlite      4 writer threads, N rows each, one transaction per row,
#	            into DIR/bench.db in WAL mode: the row count
import concurrent.futures
import os
import queue
import random
import secrets
import sqlite3
import sys
import threading
import uuid

WRITERS = 4


def threadpool(n):
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        return sum(ex.map(lambda i: i * i % 7, range(n), chunksize=1))


def queue_pc(n):
    q, got, lock = queue.Queue(maxsize=64), [], threading.Lock()

    def produce(lo, hi):
        for i in range(lo, hi):
            q.put(i)

    def consume():
        s = 0
        while (i := q.get()) is not None:
            s += i
        with lock:
            got.append(s)

    half = n // 2
    prod = [threading.Thread(target=produce, args=r) for r in ((0, half), (half, n))]
    cons = [threading.Thread(target=consume) for _ in range(2)]
    for t in prod + cons:
        t.start()
    for t in prod:
        t.join()
    for _ in cons:
        q.put(None)
    for t in cons:
        t.join()
    return sum(got)


def distinct(make, n):
    return len({make() for _ in range(n)})


def sysrandom(n):
    r = random.SystemRandom()
    return sum(0.0 <= r.random() < 1.0 for _ in range(n))


def sqlite_wal(n, folder):
    path = os.path.join(folder, 'bench.db')
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    db = sqlite3.connect(path)
    db.execute('pragma journal_mode=wal')
    db.execute('create table t (writer int, i int, payload text)')
    db.commit()
    db.close()

    def write(w):
        c = sqlite3.connect(path, timeout=60, check_same_thread=False)
        c.execute('pragma synchronous=normal')
        for i in range(n):
            with c:
                c.execute('insert into t values (?, ?, ?)', (w, i, 'x' * 64))
        c.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = sqlite3.connect(path)
    rows = db.execute('select count(*), count(distinct writer * 1000000 + i) from t').fetchone()
    db.close()
    return '%d %d' % rows


def expected(what, n):
    return {
        'threadpool': str(sum(i * i % 7 for i in range(n))),
        'queue': str(n * (n - 1) // 2),
        'sqlite': '%d %d' % (WRITERS * n, WRITERS * n),
    }.get(what, str(n))


def main():
    if sys.argv[1] == '--expect':
        print(expected(sys.argv[2], int(sys.argv[3])))
        return
    what, n = sys.argv[1], int(sys.argv[2])
    if what == 'threadpool':
        print(threadpool(n))
    elif what == 'queue':
        print(queue_pc(n))
    elif what == 'uuid4':
        print(distinct(uuid.uuid4, n))
    elif what == 'token_bytes':
        print(distinct(lambda: secrets.token_bytes(16), n))
    elif what == 'urandom':
        print(distinct(lambda: os.urandom(16), n))
    elif what == 'sysrandom':
        print(sysrandom(n))
    elif what == 'sqlite':
        print(sqlite_wal(n, sys.argv[3]))
    else:
        sys.exit('pyloads.py: unknown workload ' + what)


if __name__ == '__main__':
    main()
