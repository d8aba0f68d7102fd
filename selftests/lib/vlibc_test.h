/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the vlibc selftests (header-only, all static).
 *
 * Running a program:
 *
 *	struct vt_result r;
 *	char *argv[] = { probe, "loop", "10", NULL };
 *	char *envp[] = { "LD_PRELOAD=/x/libvlibc.so", NULL };
 *
 *	vt_run(&r, argv, envp);		r.status, r.out, r.err
 *	vt_result_free(&r);
 *
 * The child gets exactly @envp (NULL: an empty environment), stdin from
 * /dev/null, and its stdout and stderr captured separately (in memory
 * files, so a chatty child never blocks).  It is killed by SIGALRM after
 * VT_TIMEOUT seconds.  vt_spawn_run() does the same with a hook run in the
 * child before exec (e.g. to change credentials).
 *
 * Files: vt_read_file(), vt_write_file(), vt_copy_file(), vt_mkdtemp(),
 * vt_rm_rf().  Strings: vt_strf() (asprintf that never fails),
 * vt_line_value() (the value of a "key=value" output line).  The build:
 * vt_build_path() names a file in $VLIBC_BUILD (set by selftests/run).
 *
 * Bindings: vt_mapping_path() (the /proc/self/maps entry holding an
 * address), vt_bound_owner() (where the binder bound a libc name: "image",
 * "binder", "glibc", a path, or "(no binder)", "(not bound)").
 *
 * Time and children: vt_now_ms(), vt_sleep_ms(), vt_run_child() and
 * vt_wait_child() (bounded: a child that overstays is killed),
 * vt_child_what().
 *
 * Sandboxes: vt_file_mode_limit_holds() runs a family's first call in a
 * child under a filter that kills at open() and says whether the child
 * ended as the file-mode limit says (killed in file mode, alive under
 * kernel delivery).
 *
 * This program again: vt_reexec_with_binder() (main() runs every case
 * under the binder), vt_self_exe(), and vt_run_self(), which runs this
 * program as a child with other arguments, binder and VLIBC_* toggles:
 *
 *	char *args[] = { "--child", "sweep", NULL };
 *	struct vt_self s = { .args = args, .binder = "libvlibc-memcpy.so",
 *			     .set = { "VLIBC_MEMCPY=avx2" } };
 *
 *	vt_run_self(&r, &s);		r.status, r.out, r.err
 *
 * (vt_run_self_ok(&s, "sweep ok"): 0 if it exits 0 and prints that).
 *
 * vt_same_as_glibc() runs such a child on glibc's functions and then
 * under the binder with each toggle of a family, and says which toggle
 * gave another exit status or output than glibc.
 *
 * Allocation failures abort(): these are tests.
 */
#ifndef _VLIBC_SELFTEST_H
#define _VLIBC_SELFTEST_H

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"

#define VT_TIMEOUT	20	/* seconds a spawned program may run */
#define VT_NOBODY	65534	/* uid and gid of nobody */

struct vt_result {
	int	status;		/* exit code; 128 + N if killed by signal N;
				 * -1 if it could not be started */
	char	*out;		/* stdout, NUL-terminated */
	size_t	out_len;
	char	*err;		/* stderr, NUL-terminated */
	size_t	err_len;
};

struct vt_spawn {
	char *const	*argv;		/* argv[0] is the path executed... */
	const char	*path;		/* ...unless this is set */
	char *const	*envp;		/* NULL: empty environment */
	/* Runs in the child before exec; _exit() from it on failure. */
	void		(*child_setup)(void *arg);
	void		*arg;
	unsigned int	timeout;	/* seconds, 0: VT_TIMEOUT */
};

static inline void *vt_nonnull(void *p)
{
	if (!p)
		abort();
	return p;
}

/* asprintf() that aborts instead of failing. */
static inline __attribute__((format(printf, 1, 2)))
char *vt_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* Read or write exactly @len bytes (retrying short transfers): 0 or -1. */
static inline int vt_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int vt_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read all of @fd from offset 0 into a NUL-terminated buffer. */
static inline char *vt_read_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = vt_nonnull(malloc(cap));
	ssize_t r;

	for (;;) {
		if (n + 1 >= cap)
			buf = vt_nonnull(realloc(buf, cap *= 2));
		r = pread(fd, buf + n, cap - n - 1, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Whole file at @path, NUL-terminated (malloc'd); NULL with errno set. */
static inline char *vt_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = vt_read_fd(fd, len);
	close(fd);
	return buf;
}

/* Create or truncate @path with @len bytes of @buf and mode @mode. */
static inline int vt_write_file(const char *path, const void *buf, size_t len,
				mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t done = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (done < len) {
		r = write(fd, (const char *)buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return -1;
		}
		done += r;
	}
	if (fchmod(fd, mode)) {		/* umask does not apply */
		close(fd);
		return -1;
	}
	return close(fd);
}

static inline int vt_copy_file(const char *src, const char *dst, mode_t mode)
{
	size_t len;
	char *buf = vt_read_file(src, &len);
	int r;

	if (!buf)
		return -1;
	r = vt_write_file(dst, buf, len, mode);
	free(buf);
	return r;
}

/* A new directory (mode 0700) in @parent, NULL: $TMPDIR or /tmp. */
static inline char *vt_mkdtemp(const char *parent)
{
	char *path;

	if (!parent)
		parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	path = vt_strf("%s/vlibc-test.XXXXXX", parent);
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

static inline int vt_rm_one(const char *path, const struct stat *st, int type,
			    struct FTW *ftw)
{
	return remove(path);
}

/* rm -rf @path, without following symbolic links or crossing mounts. */
static inline int vt_rm_rf(const char *path)
{
	if (!path)
		return 0;
	return nftw(path, vt_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* $VLIBC_BUILD/@name (malloc'd); "build" when run outside selftests/run. */
static inline char *vt_build_path(const char *name)
{
	const char *dir = getenv("VLIBC_BUILD");

	return vt_strf("%s/%s", dir && *dir ? dir : "build", name);
}

/* Is @want one whole line of @text (the last one may lack its newline)? */
static inline int vt_has_line(const char *text, const char *want)
{
	size_t n = strlen(want);
	const char *line, *end;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if ((end ? (size_t)(end - line) : strlen(line)) == n &&
		    !strncmp(line, want, n))
			return 1;
	}
	return 0;
}

/* Value of the first line "@key=value" of @text (malloc'd), or NULL. */
static inline char *vt_line_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line, *end;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			line += klen + 1;
			return vt_nonnull(strndup(line, end ? (size_t)(end - line)
							    : strlen(line)));
		}
	}
	return NULL;
}

static inline void vt_result_free(struct vt_result *r)
{
	free(r->out);
	free(r->err);
	*r = (struct vt_result){ 0 };
}

static inline void vt_child(const struct vt_spawn *sp, int out, int err)
{
	static char *const no_env[] = { NULL };
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	signal(SIGALRM, SIG_DFL);
	if (sp->child_setup)
		sp->child_setup(sp->arg);
	alarm(sp->timeout ? sp->timeout : VT_TIMEOUT);	/* survives exec */
	execve(sp->path ? sp->path : sp->argv[0], sp->argv,
	       sp->envp ? sp->envp : no_env);
	dprintf(2, "vt_spawn_run: cannot execute %s: %s\n",
		sp->path ? sp->path : sp->argv[0], strerror(errno));
	_exit(127);
}

/* Run @sp to completion; fills @r (free with vt_result_free()). */
static inline int vt_spawn_run(const struct vt_spawn *sp, struct vt_result *r)
{
	int out = memfd_create("vt-stdout", MFD_CLOEXEC);
	int err = memfd_create("vt-stderr", MFD_CLOEXEC);
	int status;
	pid_t pid;

	*r = (struct vt_result){ .status = -1 };
	if (out < 0 || err < 0)
		abort();
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		vt_child(sp, out, err);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid > 0)
		r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
	r->out = vt_read_fd(out, &r->out_len);
	r->err = vt_read_fd(err, &r->err_len);
	close(out);
	close(err);
	return pid > 0 ? 0 : -1;
}

static inline int vt_run(struct vt_result *r, char *const argv[],
			 char *const envp[])
{
	struct vt_spawn sp = { .argv = argv, .envp = envp };

	return vt_spawn_run(&sp, r);
}

/* --- where a name is bound ------------------------------------------------ */

/* Path of the /proc/self/maps entry holding @addr ("" if anonymous); 0 or -1. */
static inline int vt_mapping_path(unsigned long addr, char *path, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2)
			continue;
		if (addr < lo || addr >= hi)
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(path, size, "%s", off ? line + off : "");
		found = 0;
	}
	fclose(f);
	return found;
}

static inline int vt_is_image_path(const char *path)
{
	/* A path, or a whole maps line: the file image, or the kernel's. */
	return strstr(path, "linux-vlibc") || strstr(path, "[vlibc]");
}

/*
 * Has the binder mapped the image file into this process?  Under kernel
 * delivery the kernel maps [vlibc] into every process at exec, whatever
 * the binder does, so "nothing was mapped for it" can only be asked of
 * the file (which the binder then never maps).
 */
static inline int vt_maps_have(const char *what)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;

	if (!f)
		abort();
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

static inline int vt_image_file_mapped(void)
{
	return vt_maps_have("linux-vlibc");
}

/* Did the kernel map the image at exec ([vlibc], kernel delivery)? */
static inline int vt_kernel_image(void)
{
	return vt_maps_have("[vlibc]");
}

/* A family's number in <vlibc/family-list.h>: bit N of a family mask. */
enum vt_family {
#define VLIBC_FAMILY(name, binder) VT_FAMILY_##name,
#include <vlibc/family-list.h>
#undef VLIBC_FAMILY
};

/*
 * Does the system libc bind @family to the kernel's image itself (glibc
 * with vlibc's patches, Documentation/admin-guide/vlibc-glibc.rst, in the
 * QEMU suite's libc mode)?  Then the binder leaves the family to it and
 * its VLIBC_<FAMILY> does not apply.  Such a libc exports
 * __libc_vlibc_start@GLIBC_PRIVATE, which returns the families it binds
 * (the one definition of that list) and uses the image only under kernel
 * delivery.  Calling it starts the image as libc does, which the binder
 * has done already where one is loaded.
 */
static inline int vt_libc_binds(enum vt_family family)
{
	int (*libc_start)(void);
	int families;

	if (!vt_kernel_image())
		return 0;
	libc_start = (int (*)(void))dlvsym(RTLD_DEFAULT, "__libc_vlibc_start",
					   "GLIBC_PRIVATE");
	families = libc_start ? libc_start() : -1;
	return families > 0 && (families >> family & 1);
}

/*
 * Where the binder bound @name in this process, asked through its
 * vlibc_binder_bound() (its public names are jump stubs, so the symbol's
 * own address says nothing): "image", "binder" (a veneer), "glibc", the
 * path of another mapping, "(no binder)" or "(not bound)".
 */
static inline const char *vt_bound_owner(const char *name, char *path, size_t size)
{
	void *(*bound)(const char *) = (void *(*)(const char *))
		dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	const char *base;
	void *addr;

	if (!bound)
		return "(no binder)";
	addr = bound(name);
	if (!addr)
		return "(not bound)";
	if (vt_mapping_path((unsigned long)addr, path, size))
		return "(unmapped address)";
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (vt_is_image_path(path))
		return "image";
	if (!strcmp(base, "libvlibc.so"))
		return "binder";
	if (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5))
		return "glibc";
	return path;
}

/* --- time and child processes ----------------------------------------- */

static inline double vt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void vt_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms < 0)
		ms = 0;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - ts.tv_sec * 1000.0) * 1e6);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#define VT_CHILD_TIMEOUT	(-1)

/*
 * Wait for child @pid: its exit status (128 + N when killed by signal N),
 * or VT_CHILD_TIMEOUT when it was still running after @ms (it is killed
 * then).  -2 if waiting failed.
 */
static inline int vt_wait_child(pid_t pid, double ms)
{
	double end = vt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -2;
		if (vt_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return VT_CHILD_TIMEOUT;
		}
		vt_sleep_ms(1);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run @fn(@arg) in a child process and wait for it as vt_wait_child(). */
static inline int vt_run_child(int (*fn)(void *arg), void *arg, double ms)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0)
		_exit(fn(arg));
	return vt_wait_child(pid, ms);
}

/* A vt_wait_child()/vt_run_child() status in words, in @buf. */
static inline const char *vt_child_what(int status, char *buf, size_t size)
{
	if (status == VT_CHILD_TIMEOUT)
		snprintf(buf, size, "timed out (killed)");
	else if (status == -2)
		snprintf(buf, size, "fork or wait failed");
	else if (status > 128)
		snprintf(buf, size, "killed by signal %d (%s)", status - 128,
			 strsignal(status - 128));
	else
		snprintf(buf, size, "exit status %d", status);
	return buf;
}

/* --- the file-mode limit ------------------------------------------------ */

/* A family's first call, as vt_run_child() runs it. */
struct vt_first_call {
	int	(*fn)(void *arg);
	void	*arg;
};

/* The child of vt_file_mode_limit_holds(): the filter, then the call. */
static inline int vt_kill_on_open_child(void *arg)
{
	static const int calls[] = { __NR_openat, __NR_open };
	const struct vt_first_call *first = arg;

	if (vsc_deny(calls, 2, SECCOMP_RET_KILL_PROCESS, VSC_VIA_RAW))
		return 3;
	return first->fn(first->arg);
}

/*
 * The file-mode limit (Documentation/userspace-api/vlibc.rst): a filter
 * that kills the process at open() or openat(), installed unannounced
 * before a family's first call, kills it at that call when the binder
 * maps the image file there: it must open it, and it reads the seccomp
 * mode from /proc first; no call can tell a process that a filter is in
 * force without being one a filter may kill on.  Under kernel delivery
 * ([vlibc]: nothing to open), or without the binder, the process lives.
 *
 * Runs @first_call(@arg) in a child with that filter installed first
 * (exit status 3 if it cannot be) and waits for it up to @ms;
 * @first_call makes the family's first call and returns 0 when all went
 * well, another exit status if not.  @binder: the binder is loaded in
 * this process.  1 when the child ended as the limit says (killed by
 * SIGSYS when the image is a file the binder maps, exit status 0 when
 * not), else 0: a case built on it fails when the limit changes.  @what
 * gets the image, how the child ended and how it should have, for the
 * log.
 */
static inline int vt_file_mode_limit_holds(int (*first_call)(void *arg),
					   void *arg, int binder, double ms,
					   char *what, size_t size)
{
	struct vt_first_call first = { first_call, arg };
	int status = vt_run_child(vt_kill_on_open_child, &first, ms);
	int kernel = vt_kernel_image();
	int want = binder && !kernel ? 128 + SIGSYS : 0;
	char how[64], how_want[64];

	snprintf(what, size, "%s: child %s; the limit says %s",
		 kernel ? "kernel image" : binder ? "file image" : "no binder",
		 vt_child_what(status, how, sizeof(how)),
		 vt_child_what(want, how_want, sizeof(how_want)));
	return status == want;
}

/* --- running under the binder ------------------------------------------- */

/*
 * Unless @bound or $@mark is set: run this program again with the binder
 * @name ($VLIBC_BUILD/@name, or the one two folders up from this program)
 * preloaded and $@mark set, so every case runs on the binding a preloaded
 * application gets.  Returns only when that cannot be done.
 */
static inline void vt_reexec_with_binder(char **argv, const char *name,
					 const char *mark, int bound)
{
	char self[PATH_MAX], binder[PATH_MAX + 64], preload[2 * PATH_MAX + 96];
	const char *build = getenv("VLIBC_BUILD"), *old = getenv("LD_PRELOAD");
	ssize_t n;

	if (bound || getenv(mark))
		return;
	if (build && *build) {
		snprintf(binder, sizeof(binder), "%s/%s", build, name);
	} else {
		/* $O/selftests/folder/test_x -> $O/name */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return;
		self[n] = 0;
		*strrchr(self, '/') = 0;
		snprintf(binder, sizeof(binder), "%s/../../%s", self, name);
	}
	setenv(mark, "1", 1);
	if (access(binder, R_OK)) {
		fprintf(stderr, "# %s: %s; running without the binder\n",
			binder, strerror(errno));
		return;
	}
	snprintf(preload, sizeof(preload), "%s%s%s", binder,
		 old && *old ? " " : "", old ? old : "");
	setenv("LD_PRELOAD", preload, 1);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "# cannot re-execute with %s: %s\n", binder,
		strerror(errno));
}

/* The path of this program (read from /proc/self/exe once); aborts if none. */
static inline const char *vt_self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (!path[0]) {
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		if (n <= 0)
			abort();
		path[n] = 0;
	}
	return path;
}

#define VT_SELF_ARGS	8	/* arguments after argv[0] */
#define VT_SELF_SET	4	/* variables set */

/* How vt_run_self() runs this program again. */
struct vt_self {
	char *const	*args;		/* argv[1..], NULL-terminated */
	/*
	 * NULL: LD_PRELOAD as the environment has it; "": none (glibc's
	 * functions); else $VLIBC_BUILD/@binder alone.
	 */
	const char	*binder;
	const char	*set[VT_SELF_SET];	/* "NAME=value" (or NULL) */
	/* NULL: this whole environment; else only the names listed. */
	const char *const *keep;
	void		(*child_setup)(void *arg);	/* as struct vt_spawn */
	void		*arg;
	unsigned int	timeout;	/* seconds, 0: VT_TIMEOUT */
};

/* For vt_self.keep: nothing of this environment. */
static const char *const vt_keep_none[] = { NULL };

/* Is @entry ("NAME=value") the variable named as @var ("NAME=...")? */
static inline int vt_env_same_name(const char *entry, const char *var)
{
	size_t len = strcspn(var, "=");

	return !strncmp(entry, var, len) && entry[len] == '=';
}

static inline int vt_env_listed(const char *entry, const char *const *names)
{
	for (; *names; names++)
		if (vt_env_same_name(entry, *names))
			return 1;
	return 0;
}

/*
 * The environment @s gives, with @extra ("NAME=value", or NULL) set too:
 * a NULL-terminated array of malloc'd strings (free with vt_env_free()).
 */
static inline char **vt_self_env(const struct vt_self *s, const char *extra)
{
	extern char **environ;
	size_t n = 0, i, k;
	char **env;

	for (i = 0; environ[i]; i++)
		n++;
	env = vt_nonnull(calloc(n + VT_SELF_SET + 3, sizeof(*env)));
	n = 0;
	for (i = 0; environ[i]; i++) {
		const char *e = environ[i];
		int replaced = extra && vt_env_same_name(e, extra);

		for (k = 0; k < VT_SELF_SET; k++)
			replaced |= s->set[k] && vt_env_same_name(e, s->set[k]);
		if (replaced || (s->keep && !vt_env_listed(e, s->keep)) ||
		    (s->binder && vt_env_same_name(e, "LD_PRELOAD")))
			continue;
		env[n++] = vt_strf("%s", e);
	}
	if (s->binder && *s->binder) {
		char *binder = vt_build_path(s->binder);

		env[n++] = vt_strf("LD_PRELOAD=%s", binder);
		free(binder);
	}
	for (k = 0; k < VT_SELF_SET; k++)
		if (s->set[k])
			env[n++] = vt_strf("%s", s->set[k]);
	if (extra && *extra)
		env[n++] = vt_strf("%s", extra);
	return env;
}

static inline void vt_env_free(char **env)
{
	size_t i;

	for (i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * Run this program again as @s says, with @extra set too (or NULL): the
 * very file this process runs (/proc/self/exe), even if the build has
 * replaced it meanwhile.
 */
static inline int vt_run_self_with(struct vt_result *r, const struct vt_self *s,
				   const char *extra)
{
	char *argv[VT_SELF_ARGS + 2] = { (char *)vt_self_exe() };
	char **env = vt_self_env(s, extra);
	struct vt_spawn sp = { .argv = argv, .path = "/proc/self/exe", .envp = env,
			       .child_setup = s->child_setup, .arg = s->arg,
			       .timeout = s->timeout };
	int i, ret;

	for (i = 0; s->args && s->args[i]; i++) {
		if (i == VT_SELF_ARGS)
			abort();
		argv[i + 1] = s->args[i];
	}
	ret = vt_spawn_run(&sp, r);
	vt_env_free(env);
	return ret;
}

/* Run this program again as @s says; fills @r (free with vt_result_free()). */
static inline int vt_run_self(struct vt_result *r, const struct vt_self *s)
{
	return vt_run_self_with(r, s, NULL);
}

/*
 * Run this program again as @s says: 0 when it exits 0 having printed
 * @says on stdout; else -1, with the variables set and its output logged.
 */
static inline int vt_run_self_ok(const struct vt_self *s, const char *says)
{
	struct vt_result r;
	int ok, k, set = 0;

	vt_run_self(&r, s);
	ok = r.status == 0 && strstr(r.out, says);
	if (!ok) {
		fprintf(stderr, "# expected \"%s\" with", says);
		for (k = 0; k < VT_SELF_SET; k++)
			if (s->set[k])
				set += fprintf(stderr, " %s", s->set[k]);
		fprintf(stderr, "%s; status %d, output:\n%s%s", set ? "" : " nothing set",
			r.status, r.out, r.err);
	}
	vt_result_free(&r);
	return ok ? 0 : -1;
}

/* Which of two results differ: VT_SAME_STDERR compares stderr too. */
#define VT_SAME_STDERR	1

/* The first line where @a and @b differ, in @buf ("" if none). */
static inline const char *vt_first_difference(const char *a, const char *b,
					      char *buf, size_t size)
{
	size_t i = 0, line = 0, len_a, len_b;

	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '\n')
			line = i + 1;
	if (a[i] == b[i]) {
		buf[0] = 0;
		return buf;
	}
	len_a = strcspn(a + line, "\n");
	len_b = strcspn(b + line, "\n");
	snprintf(buf, size, "'%.*s' (glibc: '%.*s')", (int)len_b, b + line,
		 (int)len_a, a + line);
	return buf;
}

/*
 * Run this program again as @s says, first on glibc's functions (no
 * binder: the result goes to @glibc, for the caller to check it is
 * right), then under the binder @binder once per toggle of @toggles
 * ("VLIBC_X=value", "" for none; NULL ends the list).  Each run must end
 * as glibc's did: the same exit status and stdout (with VT_SAME_STDERR in
 * @flags, stderr too).  The number of toggles that differ; each is logged
 * on stderr with what differs.
 */
static inline int vt_same_as_glibc(struct vt_result *glibc, const struct vt_self *s,
				   const char *binder, const char *const toggles[],
				   int flags)
{
	struct vt_self plain = *s, bound = *s;
	struct vt_result r;
	char what[512];
	int differ = 0;

	plain.binder = "";
	bound.binder = binder;
	vt_run_self(glibc, &plain);
	for (; *toggles; toggles++) {
		const char *name = **toggles ? *toggles : "(no toggle)";

		vt_run_self_with(&r, &bound, *toggles);
		if (r.status != glibc->status) {
			fprintf(stderr, "# %s: exit status %d, glibc's %d\n%s",
				name, r.status, glibc->status, r.err);
			differ++;
		} else if (*vt_first_difference(glibc->out, r.out, what, sizeof(what))) {
			fprintf(stderr, "# %s: stdout has %s\n", name, what);
			differ++;
		} else if ((flags & VT_SAME_STDERR) &&
			   *vt_first_difference(glibc->err, r.err, what, sizeof(what))) {
			fprintf(stderr, "# %s: stderr has %s\n", name, what);
			differ++;
		}
		vt_result_free(&r);
	}
	return differ;
}

/*
 * State of thread @tid of this process ('R', 'S', ...), or 0 if it is
 * gone: to see that a thread is asleep in a lock, not spinning.
 */
static inline char vt_thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait up to @ms for thread @tid of this process to be asleep ('S'), as
 * in a blocking call: 0, or -1.
 */
static inline int vt_wait_asleep(pid_t tid, double ms)
{
	double end = vt_now_ms() + ms;

	while (vt_thread_state(tid) != 'S') {
		if (vt_now_ms() > end)
			return -1;
		vt_sleep_ms(1);
	}
	return 0;
}

#endif /* _VLIBC_SELFTEST_H */
