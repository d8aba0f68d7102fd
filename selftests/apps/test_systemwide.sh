#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# System-wide mode: the binder listed in /etc/ld.so.preload, each case in a
# private mount namespace of its own (selftests/lib/vlibc-systemwide: a
# private copy of /etc bound over it, the image installed on a private
# tmpfs over /lib/modules; the machine's own /etc is never changed, and
# the last case checks that).  A shell, Python, git, make with gcc, apt-cache,
# sort, xz, ldd and setuid programs run as they run plainly, each with
# proof that the binder is in its maps (read from /proc) or that it bound
# a family (its VLIBC_DEBUG log).
#
# A setuid program run by nobody ignores every VLIBC_* variable: the
# binder's probe (selftests/binder/probe), setuid root, still binds the
# getrandom family to the installed image, and neither the image named by
# VLIBC_IMAGE (a copy nobody could have written) nor debug output shows;
# the same probe without the setuid bit shows that the variables work
# there.  su, setuid, waiting for a password with the same variables set,
# has the binder and the installed image in its maps.
# (selftests/binder/test_secure covers the same rules with the binder as
# DT_NEEDED, one variable at a time.)
. "$(dirname "$0")/lib.sh"
SW=$VLIBC_SRC/selftests/lib/vlibc-systemwide
PROBE=$VLIBC_BUILD/selftests/binder/probe
CASES=15
apps_begin $CASES
if [ "$(id -u)" != 0 ] || ! need unshare setpriv ||
   ! "$SW" true 2> /dev/null; then
	for _ in $(seq $CASES); do
		skip "system-wide mode" "needs root, unshare, setpriv and a private /lib/modules (vlibc-systemwide true failed)"
	done
	exit 0
fi
BINDER=$("$SW" --where | sed -n 's/^binder=//p')
IMAGE=$("$SW" --where | sed -n 's/^image=//p')
DIR=$(dirname "$BINDER")		# private, root's, 0755, suid allowed
USER_IMAGE=$DIR/user/linux-vlibc.so.1	# one nobody could have written
# As /proc/PID/maps names them: /lib may be a link to /usr/lib.
MAPPED_BINDER=$(realpath -m "$BINDER")
MAPPED_IMAGE=$(realpath -m "$IMAGE")
MAPPED_USER_IMAGE=$(realpath -m "$USER_IMAGE")
PY=/usr/bin/python3
d=$(apps_tmpdir)
export B=$BINDER	# for the scripts below: the binder's path

# What the host has where the namespaces put their files.
host_state() {
	sha256sum /etc/ld.so.preload 2>&1
	ls -l --time-style=full-iso /etc/ld.so.preload 2>&1
	ls -A /lib/modules 2>&1
}
host_before=$(host_state)

sw() {
	"$SW" "$@"
}

# "binder: yes" if the binder is in /proc/PID/maps, else "binder: no";
# for sh -c scripts, with the binder's path in $B.
SAY_BINDER='say_binder() { case $(cat /proc/$1/maps) in *"$B"*) echo "binder: yes" ;; *) echo "binder: no" ;; esac; }'

# NAME PLAIN SW: the outputs agree but for the last line, which says the
# binder is in the maps under system-wide mode and not in the plain run.
same_but_binder() {
	local name=$1 plain=$2 under=$3
	if [ "$(tail -1 <<<"$plain")" != "binder: no" ] ||
	   [ "$(tail -1 <<<"$under")" != "binder: yes" ]; then
		not_ok "$name" "binder line: plain '$(tail -1 <<<"$plain")', system-wide '$(tail -1 <<<"$under")'"
	elif [ "$(sed '$d' <<<"$plain")" != "$(sed '$d' <<<"$under")" ]; then
		not_ok "$name" "$(diff <(echo "$plain") <(echo "$under"))"
	elif [ "$(wc -l <<<"$plain")" -lt 2 ]; then
		not_ok "$name" "no output: $plain"
	else
		ok "$name"
	fi
}

# NAME LOG FAMILY...: ok when the log says each FAMILY went to vlibc.
bound_all() {
	local name=$1 log=$2 f
	shift 2
	for f in "$@"; do
		if ! bound "$f" "$log"; then
			not_ok "$name" "family $f not bound to vlibc: $(head -20 "$log")"
			return
		fi
	done
	ok "$name"
}

# --- a shell --------------------------------------------------------------
script="$SAY_BINDER"'; echo $((6 * 7)); seq 5 | sort -r | tr "\n" " "; echo; say_binder $$'
same_but_binder "sh: same output, binder in its maps" \
	"$(sh -c "$script" 2>&1)" "$(sw sh -c "$script" 2>&1)"

# --- Python: threads, a queue, hashes, uuid, secrets, urandom -------------
pyscript='
import hashlib, os, queue, secrets, sys, threading, uuid
q, out, lock = queue.Queue(), {}, threading.Lock()
def work():
    while (i := q.get()) is not None:
        h = hashlib.sha256(str(i).encode() * 1000).hexdigest()
        with lock:
            out[i] = h
for i in range(400):
    q.put(i)
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    q.put(None)
for t in ts:
    t.join()
print(hashlib.sha256("".join(out[i] for i in range(400)).encode()).hexdigest())
for _ in range(300):    # past the getrandom warm-up (256 calls)
    os.urandom(16)
u = uuid.uuid4()
print("uuid4", u.version, u.variant == uuid.RFC_4122)
a, b = secrets.token_hex(16), secrets.token_hex(16)
print("token_hex", len(a), a != b, "urandom", len(os.urandom(32)))
print("binder: yes" if os.environ["B"] in open("/proc/self/maps").read() else "binder: no")
'
if [ -x "$PY" ]; then
	plain=$("$PY" -c "$pyscript" 2>&1)
	under=$(VLIBC_DEBUG=1 sw "$PY" -c "$pyscript" 2>"$d/py.log")
	same_but_binder "python3: same output, binder in its maps" "$plain" "$under"
	bound_all "python3: getrandom and locks bound" "$d/py.log" getrandom locks
else
	skip "python3: same output" "$PY is not installed"
	skip "python3: getrandom and locks bound" "$PY is not installed"
fi

# --- git: init, commits with fixed dates (so fixed hashes), log, fsck -----
gitscript="$SAY_BINDER"'
export HOME=$1 GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_COMMITTER_NAME=t
export GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_EMAIL=t@example.org
export GIT_AUTHOR_DATE=2020-01-01T00:00:00Z GIT_COMMITTER_DATE=2020-01-01T00:00:00Z
git init -q -b main "$1/repo" && cd "$1/repo" &&
seq 1000 > a && git add a && git commit -q -m one &&
seq 3000 > a && git commit -q -am two &&
git log --format="%H %s" && git fsck --no-progress --strict &&
git -c alias.maps="!$(declare -f say_binder); say_binder \$PPID" maps'
if need git; then
	mkdir "$d/git-plain" "$d/git-sw"
	plain=$(bash -c "$gitscript" git "$d/git-plain" 2>&1)
	under=$(sw bash -c "$gitscript" git "$d/git-sw" 2>&1)
	same_but_binder "git: same commits, log and fsck, binder in its maps" "$plain" "$under"
else
	skip "git: same commits" "git is not installed"
fi

# --- make -j2 with gcc: a threaded program built and run ------------------
cat > "$d/hello.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *add(void *unused)
{
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&lock);
		total++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	char buf[16];

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, add, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/* Past the getrandom family's warm-up (glibc serves the first 256). */
	for (int i = 0; i < 300; i++)
		getrandom(buf, sizeof(buf), 0);
	printf("total %ld getrandom %zd\n", total, getrandom(buf, sizeof(buf), 0));
	return 0;
}
EOF
cat > "$d/Makefile" <<'EOF'
# SPDX-License-Identifier: GPL-2.0
all: hello
	@./hello
	@echo "binder: $(shell grep -qF "$(B)" /proc/$$PPID/maps && echo yes || echo no)"
hello: hello.o
	@$(CC) -o $@ $^ -pthread
hello.o: hello.c
	@$(CC) -O2 -c -o $@ $<
EOF
if need make gcc; then
	mkdir -p "$d/make-plain" "$d/make-sw"
	cp "$d/hello.c" "$d/Makefile" "$d/make-plain/"
	cp "$d/hello.c" "$d/Makefile" "$d/make-sw/"
	plain=$(make -s -j2 -C "$d/make-plain" CC=gcc 2>&1)
	under=$(VLIBC_DEBUG=1 sw make -s -j2 -C "$d/make-sw" CC=gcc 2>"$d/make.log")
	same_but_binder "make -j2, gcc: same output, binder in make's maps" "$plain" "$under"
	bound_all "make: the built program bound getrandom and locks" "$d/make.log" getrandom locks
else
	skip "make -j2, gcc" "make or gcc is not installed"
	skip "make: the built program bound" "make or gcc is not installed"
fi

# --- apt-cache ------------------------------------------------------------
if need apt-cache; then
	aptscript='apt-cache policy bash && apt-cache show coreutils'
	plain=$(sh -c "$aptscript" 2>&1)
	under=$(VLIBC_DEBUG=1 sw sh -c "$aptscript" 2>"$d/apt.log")
	# One thread: the locks family stays on glibc's functions.
	if [ -z "$plain" ] || [ "$plain" != "$under" ]; then
		not_ok "apt-cache: same output, one thread: locks on glibc" "$(diff <(echo "$plain") <(echo "$under"))"
	elif bound locks "$d/apt.log"; then
		not_ok "apt-cache: same output, one thread: locks on glibc" "$(grep '^vlibc: family' "$d/apt.log")"
	else
		ok "apt-cache: same output, one thread: locks on glibc"
	fi
else
	skip "apt-cache" "apt-cache is not installed"
fi

# --- sort --parallel=2 and an xz -T2 round trip ---------------------------
seq 400000 | awk '{ print ($1 * 7919) % 400009 }' > "$d/numbers"
sortxz='sort --parallel=2 -S 4M -n "$1/numbers" | sha256sum &&
xz -T2 --block-size=256KiB -c "$1/numbers" > "$1/$2.xz" &&
xz -d -T2 -c "$1/$2.xz" | cmp - "$1/numbers" && sha256sum < "$1/$2.xz"'
if need sort xz; then
	plain=$(sh -c "$sortxz" sh "$d" plain 2>&1)
	under=$(VLIBC_DEBUG=1 sw sh -c "$sortxz" sh "$d" sw 2>"$d/sortxz.log")
	if [ "$(wc -l <<<"$plain")" != 2 ] || [ "$plain" != "$under" ]; then
		not_ok "sort --parallel=2, xz -T2: same output, locks bound" "plain: $plain
system-wide: $under $(head "$d/sortxz.log")"
	else
		bound_all "sort --parallel=2, xz -T2: same output, locks bound" "$d/sortxz.log" locks
	fi
else
	skip "sort --parallel=2, xz -T2" "sort or xz is not installed"
fi

# --- ldd (ld.so --list) lists the binder ----------------------------------
out=$(sw ldd /bin/true 2>&1)
if [ $? -eq 0 ] && grep -q "^[[:space:]]*$BINDER " <<<"$out"; then
	ok "ldd: lists the binder"
else
	not_ok "ldd: lists the binder" "$out"
fi

# --- setuid programs, run by nobody, with every VLIBC_* variable set -------
# "VAR=value ..." a user could set: each would change a plain process.
HOSTILE="VLIBC=off VLIBC_IMAGE=$USER_IMAGE VLIBC_DISABLE=getrandom,locks,aio VLIBC_GETRANDOM=glibc VLIBC_LOCKS=glibc VLIBC_AIO=glibc VLIBC_DEBUG=1"
# The probe setuid root and plain in $DIR, and the user's image.
setup='install -m 04755 -o root -g root "$PROBE" "$DIR/probe-setuid" &&
install -m 0755 "$PROBE" "$DIR/probe-plain" &&
install -d -m 0777 "$DIR/user" &&
install -m 0666 -o nobody "$VLIBC_BUILD/linux-vlibc.so.1" "$USER_IMAGE"'
# CMD as nobody, with only PATH and the VAR=value words before CMD.
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/bin:/bin"
as_nobody() {
	$NOBODY "$@"
}
export PROBE DIR USER_IMAGE VLIBC_BUILD NOBODY
export -f as_nobody

# REPORT IMAGE OWNER SECURE: the probe's report says so, else why not.
probe_says() {
	local out=$1 img=$2 owner=$3 secure=$4 n
	grep -qx "image=$img" <<<"$out" || { echo "image: want $img"; return 1; }
	grep -qx "secure=$secure" <<<"$out" || { echo "secure: want $secure"; return 1; }
	for n in getrandom arc4random arc4random_buf arc4random_uniform; do
		grep -qx "$n=$owner" <<<"$out" || { echo "$n: want $owner"; return 1; }
	done
}

if [ -x "$PROBE" ]; then
	out=$(sw bash -c "$setup"' && as_nobody $0 "$DIR/probe-setuid" maps' "$HOSTILE" 2>"$d/setuid.err")
	why=$(probe_says "$out" "$MAPPED_IMAGE" vlibc 1)
	if [ -n "$why" ]; then
		not_ok "setuid probe as nobody: binds to the installed image" "$why
$(grep -v '^map: ' <<<"$out") $(cat "$d/setuid.err")"
	elif grep -q "$MAPPED_USER_IMAGE" <<<"$out" || ! grep -q "^map: .* $MAPPED_BINDER$" <<<"$out" ||
	     grep -q 'vlibc:' "$d/setuid.err"; then
		not_ok "setuid probe as nobody: binds to the installed image" "user image mapped, binder missing or debug output:
$out
$(cat "$d/setuid.err")"
	else
		ok "setuid probe as nobody: binds to the installed image, ignores VLIBC_*"
	fi
	# The control: the same variables change the probe without the bit.
	out=$(sw bash -c "$setup"' && as_nobody $0 "$DIR/probe-plain" &&
		as_nobody VLIBC_IMAGE="$USER_IMAGE" VLIBC_DEBUG=1 "$DIR/probe-plain"' \
		"$HOSTILE" 2>"$d/plain.err")
	first=$(sed -n '1,/^arc4random_uniform=/p' <<<"$out")
	second=$(sed '1,/^arc4random_uniform=/d' <<<"$out")
	if why=$(probe_says "$first" none glibc 0) &&
	   why=$(probe_says "$second" "$MAPPED_USER_IMAGE" vlibc 0) &&
	   grep -q "^vlibc: image $USER_IMAGE" "$d/plain.err"; then
		ok "the same probe without the setuid bit honours VLIBC_*"
	else
		not_ok "the same probe without the setuid bit honours VLIBC_*" "$why
$out
$(cat "$d/plain.err")"
	fi
else
	not_ok "setuid probe as nobody" "$PROBE is missing: make check-apps builds it"
	not_ok "the same probe without the setuid bit" "$PROBE is missing"
fi

# su, setuid root, run by nobody with the same variables, waits for a
# password on a FIFO; its maps are read then; an empty password fails.
suscript='mkfifo "$1/pw"
$NOBODY $2 su -c true root < "$1/pw" > "$1/su.out" 2>&1 &
pid=$!
exec 3> "$1/pw"
for _ in $(seq 300); do
	grep -q "Password:" "$1/su.out" && break
	sleep 0.1
done
grep "^Uid:" /proc/$pid/status | tr -s "\t " " "
cp /proc/$pid/maps "$1/su.maps"
exec 3>&-
wait $pid
echo "status $?"
cat "$1/su.out"'
if need su; then
	mkdir "$d/su-plain" "$d/su-sw"
	plain=$(bash -c "$suscript" su "$d/su-plain" "$HOSTILE" 2>&1)
	under=$(sw bash -c "$suscript" su "$d/su-sw" "$HOSTILE" 2>&1)
	if [ "$plain" != "$under" ] || ! grep -q '^Uid: 65534 0 ' <<<"$under"; then
		not_ok "su as nobody: runs as plainly" "$(diff <(echo "$plain") <(echo "$under"))"
	elif ! grep -q " $MAPPED_BINDER$" "$d/su-sw/su.maps" ||
	     grep -q "$MAPPED_USER_IMAGE" "$d/su-sw/su.maps"; then
		not_ok "su as nobody: runs as plainly" "maps: $(grep -e vlibc "$d/su-sw/su.maps")"
	else
		ok "su as nobody: runs as plainly, the binder in its maps, no user-writable image (one thread: nothing bound)"
	fi
else
	skip "su as nobody" "su is not installed"
fi

if need passwd; then
	plain=$(as_nobody $HOSTILE passwd -S 2>&1)
	under=$(sw bash -c 'as_nobody $0 passwd -S' "$HOSTILE" 2>&1)
	if [ -n "$plain" ] && [ "$plain" = "$under" ]; then
		ok "passwd -S as nobody: same output"
	else
		not_ok "passwd -S as nobody: same output" "plain: $plain
system-wide: $under"
	fi
else
	skip "passwd -S as nobody" "passwd is not installed"
fi

# --- the binder's file removed while listed: ld.so says so, runs on -------
out=$(sw bash -c 'rm "$B"; /bin/echo still runs; as_nobody passwd -S > /dev/null && echo setuid too' 2>&1)
if grep -q "^ERROR: ld.so: object '$BINDER' from /etc/ld.so.preload cannot be preloaded" <<<"$out" &&
   grep -qx 'still runs' <<<"$out" && grep -qx 'setuid too' <<<"$out"; then
	ok "binder removed while listed: an ld.so error, programs run"
else
	not_ok "binder removed while listed: an ld.so error, programs run" "$out"
fi

# --- the machine's own /etc and /lib/modules are as they were ------------
host_after=$(host_state)
if [ "$host_before" = "$host_after" ]; then
	ok "the host's /etc/ld.so.preload and /lib/modules unchanged"
else
	not_ok "the host's /etc/ld.so.preload and /lib/modules unchanged" "$(diff <(echo "$host_before") <(echo "$host_after"))"
fi
apps_end
