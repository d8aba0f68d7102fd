// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-ab: runs an unmodified command under two or more variants (plain
 * glibc, the binder off, the binder, the binder with VLIBC_* toggles), in
 * alternation, and says whether one is faster than the first.
 *
 *	vlibc-ab [-n ROUNDS] [-w WARMUP] [--json FILE|-] [--tsv FILE|-]
 *		 [--no-counters] VARIANT_A VARIANT_B ... -- CMD [ARGS...]
 *
 * WARMUP runs of each variant come first and are not counted; then ROUNDS
 * rounds each run every variant once, in the order given (A B C, A B C,
 * ...), so a drift of the machine (frequency, caches, other load) falls on
 * every variant alike.  Each run is timed from just before fork() to the
 * command's end (wall, CLOCK_MONOTONIC), and wait4()'s rusage gives its
 * CPU time (user + system, with the children it waited for) and max RSS.
 *
 * The ratio of a variant's median to the first variant's comes with a
 * 95% confidence interval: a percentile bootstrap of the ratio of medians,
 * BOOT_RESAMPLES resamples from a fixed seed (so the same numbers give
 * the same interval), each variant's rounds resampled independently.  The
 * verdict is "faster" or "slower" only when the interval excludes 1.0.
 *
 * Counters: the command's main process is traced with PTRACE_SEIZE and
 * PTRACE_O_TRACEEXIT alone.  At its exit stop, with its memory still
 * there, `vlibc-stat --json PID` reads its vlibc counters; the time the
 * stop took is taken out of the wall time, so reading is not timed.  Every other stop is passed
 * straight back: a signal with its signal, a group stop (the command
 * stopped itself; there is no job control here) by continuing the whole
 * process.  Without ptrace (EPERM: the runner traced itself, Yama) the
 * runs are untraced and the counters unavailable.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef VLIBC_PREFIX
#define VLIBC_PREFIX	"/usr/local"
#endif

#define MAX_VARIANTS	26		/* labelled A to Z */
#define MAX_ROUNDS	100000
#define MAX_WARMUP	1000
#define BOOT_RESAMPLES	4000
#define BOOT_SEED	0x766c6962632d6162ULL	/* "vlibc-ab" */
#define CONFIDENCE	"95%"
#define MIN_CI_ROUNDS	3
#define STAT_TIMEOUT_MS	5000
#define BINDER		"libvlibc.so"
#define MEMCPY_BINDER	"libvlibc-memcpy.so"

static const char usage_text[] =
"usage: vlibc-ab [OPTIONS] VARIANT_A VARIANT_B ... -- CMD [ARGS...]\n";

static const char help_text[] =
"Runs CMD under each VARIANT in alternation (A B A B ...) and compares them.\n"
"\n"
"Variants:\n"
"  plain          without the binder (libvlibc*.so taken out of LD_PRELOAD)\n"
"  off            the binder preloaded with VLIBC=off (like vlibc-run --off)\n"
"  vlibc          the binder preloaded, defaults\n"
"  NAME=VALUE[,NAME=VALUE...]\n"
"                 the vlibc variant with these variables set\n"
"  The caller's VLIBC_* variables are passed to no variant: say them in one.\n"
"  VLIBC_MEMCPY set to other than glibc preloads " MEMCPY_BINDER ".\n"
"\n"
"Options:\n"
"  -n, --rounds N     counted rounds (default 5; 3 or more for an interval)\n"
"  -w, --warmup N     uncounted runs of each variant first (default 1)\n"
"  --json FILE|-      everything, every run too, as JSON (-: stdout, and\n"
"                     the summary goes to stderr)\n"
"  --tsv FILE|-       one row per run\n"
"  --no-counters      do not trace the command to read its vlibc counters\n"
"  --ignore-status    accept runs that exit non-zero or by a signal\n"
"  --stdin            keep stdin (default /dev/null)\n"
"  -v, --verbose      keep the command's stdout and stderr (default /dev/null)\n"
"  --binder PATH      the binder to preload (default: " BINDER " or\n"
"                     " MEMCPY_BINDER " next to vlibc-ab, in ../lib, in\n"
"                     " VLIBC_PREFIX "/lib)\n"
"  --stat PATH        the counter reader (default: vlibc-stat next to vlibc-ab)\n"
"  -h, --help         this text\n"
"\n"
"Wall time runs from just before fork() to the command's end, less the\n"
"time its exit stop took when traced; CPU time (user + system) and max RSS\n"
"come from wait4() and include the children the command waited for.  The\n"
"ratio of each variant's median to the first's has a " CONFIDENCE " confidence\n"
"interval from a percentile bootstrap of the ratio of medians (4000\n"
"resamples of each variant's rounds, fixed seed); \"faster\" or \"slower\"\n"
"only when it excludes 1.0.  Counters: vlibc-stat --json PID at the command's exit\n"
"stop (ptrace), median per variant, the non-zero ones shown.\n"
"\n"
"Exit status: 0; 1 when a run failed (without --ignore-status) or an\n"
"output could not be written; 2 for a usage error; 126 or 127 when CMD\n"
"cannot be executed.\n";

struct counter {
	char		*name;
	long long	value;
};

struct run {
	int		variant;
	int		round;		/* 0-based; warm-ups count from -WARMUP */
	double		wall;		/* seconds */
	double		user, sys;	/* seconds */
	long		maxrss;		/* KiB */
	int		status;		/* wait status */
	bool		failed;		/* exited non-zero or by a signal */
	bool		traced;
	bool		counters_read;
	struct counter	*counters;
	size_t		n_counters;
	char		*counters_error;
};

struct variant {
	char		label;		/* 'A', 'B', ... */
	const char	*spec;		/* as given */
	char		**envp;
	char		*binder;	/* NULL for plain */
	int		failures;	/* counted runs that failed */
};

struct options {
	long		rounds, warmup;
	const char	*json, *tsv, *binder, *stat;
	bool		no_counters, ignore_status, keep_stdin, verbose;
	const char	*specs[MAX_VARIANTS];
	int		n_variants;
	char		**cmd;
};

struct summary {
	double		median, min, max;
};

struct ratio {
	bool		valid;
	double		median, lo, hi;
};

static struct options opt = { .rounds = 5, .warmup = 1 };
static struct variant variants[MAX_VARIANTS];
static struct run *runs;
static size_t n_runs;
static char *self_dir;			/* folder of this executable */
static char *stat_path;			/* vlibc-stat, or NULL if absent */
static char *stat_missing;		/* why it is absent */
static char *trace_error;		/* why runs are not traced */
static volatile sig_atomic_t interrupted, interrupts;
/* The last one came from the terminal, which signalled the command too. */
static volatile sig_atomic_t interrupt_from_tty;

/* --- small helpers -------------------------------------------------------- */

static void *xmalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "vlibc-ab: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

static __attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		fprintf(stderr, "vlibc-ab: out of memory\n");
		exit(1);
	}
	return s;
}

static __attribute__((format(printf, 1, 2), noreturn)) void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vlibc-ab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s(vlibc-ab --help for more)\n", usage_text);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_seconds(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/* --- arguments ------------------------------------------------------------ */

/*
 * Is argv[*i] the option @shrt or @lng taking a value?  The value is the
 * next argument, or follows '=' (long) or the letter (short): *@val.
 */
static bool opt_value(char **argv, int argc, int *i, const char *shrt,
		      const char *lng, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if ((shrt && !strcmp(a, shrt)) || !strcmp(a, lng)) {
		if (*i + 1 >= argc || !strcmp(argv[*i + 1], "--"))
			usage_error("option %s needs a value", a);
		*val = argv[++*i];
		return true;
	}
	if (!strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (shrt && !strncmp(a, shrt, 2) && a[2]) {
		*val = a + 2;
		return true;
	}
	return false;
}

static long parse_count(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage_error("%s must be a number from %ld to %ld, not '%s'",
			    what, min, max, s);
	return v;
}

/* NAME=VALUE with NAME a shell variable name? */
static bool is_assignment(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);

	if (!eq || eq == s || (!isalpha((unsigned char)*s) && *s != '_'))
		return false;
	for (const char *p = s; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static void check_variant(const char *spec)
{
	const char *p, *comma;

	if (!strcmp(spec, "plain") || !strcmp(spec, "off") || !strcmp(spec, "vlibc"))
		return;
	for (p = spec;; p = comma + 1) {
		comma = strchr(p, ',');
		if (!is_assignment(p, comma ? (size_t)(comma - p) : strlen(p)))
			usage_error("variant '%s' is not plain, off, vlibc or %s",
				    spec, "NAME=VALUE[,NAME=VALUE...]");
		if (!comma)
			break;
	}
}

static void parse_args(int argc, char **argv)
{
	const char *val;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			opt.cmd = argv + i + 1;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n%s", usage_text, help_text);
			exit(0);
		}
		if (a[0] != '-') {
			check_variant(a);
			if (opt.n_variants == MAX_VARIANTS)
				usage_error("at most %d variants", MAX_VARIANTS);
			opt.specs[opt.n_variants++] = a;
		} else if (opt_value(argv, argc, &i, "-n", "--rounds", &val)) {
			opt.rounds = parse_count("ROUNDS", val, 1, MAX_ROUNDS);
		} else if (opt_value(argv, argc, &i, "-w", "--warmup", &val)) {
			opt.warmup = parse_count("WARMUP", val, 0, MAX_WARMUP);
		} else if (opt_value(argv, argc, &i, NULL, "--json", &val)) {
			opt.json = val;
		} else if (opt_value(argv, argc, &i, NULL, "--tsv", &val)) {
			opt.tsv = val;
		} else if (opt_value(argv, argc, &i, NULL, "--binder", &val)) {
			opt.binder = val;
		} else if (opt_value(argv, argc, &i, NULL, "--stat", &val)) {
			opt.stat = val;
		} else if (!strcmp(a, "--no-counters")) {
			opt.no_counters = true;
		} else if (!strcmp(a, "--ignore-status")) {
			opt.ignore_status = true;
		} else if (!strcmp(a, "--stdin")) {
			opt.keep_stdin = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			opt.verbose = true;
		} else {
			usage_error("unknown option '%s'", a);
		}
	}
	if (!opt.cmd)
		usage_error("no '--' before the command");
	if (!opt.cmd[0] || !opt.cmd[0][0])
		usage_error("no command after '--'");
	if (opt.n_variants < 1)
		usage_error("no variant before '--'");
	if (opt.json && opt.tsv && !strcmp(opt.json, "-") && !strcmp(opt.tsv, "-"))
		usage_error("--json - and --tsv - both want stdout");
	if (opt.binder && access(opt.binder, R_OK))
		usage_error("--binder %s: %s", opt.binder, strerror(errno));
}

/* --- the variants' environments ------------------------------------------- */

struct strvec {
	char	**v;
	size_t	n, cap;
};

static void strvec_push(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 64;
		sv->v = realloc(sv->v, sv->cap * sizeof(*sv->v));
		if (!sv->v) {
			fprintf(stderr, "vlibc-ab: out of memory\n");
			exit(1);
		}
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

/* Set "NAME=VALUE" (@len bytes of @assign) in @sv, replacing NAME. */
static void env_set(struct strvec *sv, const char *assign, size_t len)
{
	size_t name = strchr(assign, '=') - assign + 1;
	char *s = strndup(assign, len);

	if (!s)
		exit(1);
	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], s, name)) {
			sv->v[i] = s;
			return;
		}
	}
	strvec_push(sv, s);
}

static const char *env_get(const struct strvec *sv, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sv->n; i++)
		if (!strncmp(sv->v[i], name, n) && sv->v[i][n] == '=')
			return sv->v[i] + n + 1;
	return NULL;
}

/* A binder in LD_PRELOAD: a file named libvlibc*.so. */
static bool is_binder_path(const char *entry, size_t len)
{
	const char *base = entry;
	size_t n;

	for (size_t i = 0; i < len; i++)
		if (entry[i] == '/')
			base = entry + i + 1;
	n = entry + len - base;
	return n >= 11 && !strncmp(base, "libvlibc", 8) && !strncmp(base + n - 3, ".so", 3);
}

/* @preload without the binders, space-separated ("" if nothing is left). */
static char *preload_without_binders(const char *preload)
{
	char *out = xmalloc(strlen(preload) + 1), *o = out;
	const char *p = preload;

	while (*p) {
		size_t len = strcspn(p, " :");

		if (len && !is_binder_path(p, len)) {
			if (o != out)
				*o++ = ' ';
			memcpy(o, p, len);
			o += len;
		}
		p += len;
		if (*p)
			p++;
	}
	*o = '\0';
	return out;
}

/* This environment without VLIBC_* and without binders in LD_PRELOAD. */
static void base_environment(struct strvec *sv)
{
	extern char **environ;

	for (char **e = environ; *e; e++) {
		if (!strncmp(*e, "VLIBC=", 6) || !strncmp(*e, "VLIBC_", 6))
			continue;
		if (!strncmp(*e, "LD_PRELOAD=", 11)) {
			char *rest = preload_without_binders(*e + 11);

			if (*rest)
				strvec_push(sv, xasprintf("LD_PRELOAD=%s", rest));
			free(rest);
			continue;
		}
		strvec_push(sv, *e);
	}
}

/* Folder of this executable, to find the binder and vlibc-stat. */
static char *executable_dir(void)
{
	char *path = realpath("/proc/self/exe", NULL);
	char *slash = path ? strrchr(path, '/') : NULL;

	if (!slash)
		return xstrdup(".");
	*slash = '\0';
	return path;
}

/* The binder @name next to vlibc-ab, in ../lib or in the install prefix. */
static char *find_binder(const char *name)
{
	char *try[] = {
		xasprintf("%s/%s", self_dir, name),
		xasprintf("%s/../lib/%s", self_dir, name),
		xasprintf("%s/lib/%s", VLIBC_PREFIX, name),
	};
	char *found = NULL;

	for (size_t i = 0; i < 3; i++) {
		if (!found && !access(try[i], R_OK))
			found = realpath(try[i], NULL);
		free(try[i]);
	}
	if (!found) {
		fprintf(stderr, "vlibc-ab: cannot find %s (next to vlibc-ab, in ../lib or in %s/lib)%s\n",
			name, VLIBC_PREFIX, ": use --binder PATH");
		exit(127);
	}
	return found;
}

static void setup_variant(struct variant *v, int index, const char *spec)
{
	bool plain = !strcmp(spec, "plain");
	bool assigns = plain ? false : strcmp(spec, "off") && strcmp(spec, "vlibc");
	struct strvec sv = { 0 }, set = { 0 };
	const char *memcpy_variant, *rest, *p, *comma;

	v->label = 'A' + index;
	v->spec = spec;
	base_environment(&sv);
	if (plain) {
		v->envp = sv.v;
		return;
	}
	for (p = spec; assigns; p = comma + 1) {
		comma = strchr(p, ',');
		env_set(&set, p, comma ? (size_t)(comma - p) : strlen(p));
		if (!comma)
			break;
	}
	memcpy_variant = env_get(&set, "VLIBC_MEMCPY");
	if (opt.binder)
		v->binder = realpath(opt.binder, NULL);
	else if (memcpy_variant && strcmp(memcpy_variant, "glibc"))
		v->binder = find_binder(MEMCPY_BINDER);
	else
		v->binder = find_binder(BINDER);
	rest = env_get(&sv, "LD_PRELOAD");
	p = rest ? xasprintf("LD_PRELOAD=%s %s", v->binder, rest)
		 : xasprintf("LD_PRELOAD=%s", v->binder);
	env_set(&sv, p, strlen(p));
	if (!strcmp(spec, "off"))
		env_set(&sv, "VLIBC=off", 9);
	for (size_t i = 0; i < set.n; i++)
		env_set(&sv, set.v[i], strlen(set.v[i]));
	v->envp = sv.v;
}

/* --- counters ------------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Past the JSON string at @p (at its '"'), or NULL. */
static const char *skip_string(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the JSON value at @p, or NULL. */
static const char *skip_value(const char *p)
{
	int depth = 0;

	do {
		p = skip_ws(p);
		if (*p == '"') {
			p = skip_string(p);
			if (!p)
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			if (--depth < 0)
				return NULL;
			p++;
		} else if (*p == ',' || *p == ':') {
			if (!depth)
				return p;
			p++;
		} else if (*p) {
			p++;
			while (*p && !isspace((unsigned char)*p) && !strchr(",:{}[]\"", *p))
				p++;
		} else {
			return NULL;
		}
	} while (depth);
	return p;
}

static void add_counter(struct run *r, const char *prefix, const char *name,
			size_t len, long long value)
{
	r->counters = realloc(r->counters, (r->n_counters + 1) * sizeof(*r->counters));
	if (!r->counters)
		exit(1);
	r->counters[r->n_counters].name = xasprintf("%s%.*s", prefix, (int)len, name);
	r->counters[r->n_counters++].value = value;
}

/*
 * The "name": integer pairs of the object at @p (at its '{') into @r,
 * names of a nested object prefixed with its name and '.'.  Other values
 * are skipped.  Past the object, or NULL if it is not one.
 */
static const char *parse_object(const char *p, struct run *r, const char *prefix,
				int depth)
{
	for (p = skip_ws(p + 1); *p != '}'; p = skip_ws(p + 1)) {
		const char *name = p + 1, *end = *p == '"' ? skip_string(p) : NULL;
		size_t len;
		char *num_end;
		long long v;

		if (!end)
			return NULL;
		len = end - 1 - name;
		p = skip_ws(end);
		if (*p != ':')
			return NULL;
		p = skip_ws(p + 1);
		errno = 0;
		v = strtoll(p, &num_end, 10);
		if (num_end != p && !errno && !strchr(".eE", *num_end)) {
			add_counter(r, prefix, name, len, v);
			p = num_end;
		} else if (*p == '{' && depth < 4) {
			char *inner = xasprintf("%s%.*s.", prefix, (int)len, name);

			p = parse_object(p, r, inner, depth + 1);
			free(inner);
		} else {
			p = skip_value(p);
		}
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == '}')
			break;
		if (*p != ',')
			return NULL;
	}
	return p + 1;
}

/* The "counters" object of vlibc-stat's JSON @text: 0, or -1. */
static int parse_counters(const char *text, struct run *r)
{
	const char *p = strstr(text, "\"counters\"");

	if (!p)
		return -1;
	p = skip_ws(p + 10);
	if (*p != ':')
		return -1;
	p = skip_ws(p + 1);
	if (*p != '{' || !parse_object(p, r, "", 0))
		return -1;
	return 0;
}

static char *read_memfd(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf = xmalloc(size > 0 ? size + 1 : 1);

	if (size > 0 && pread(fd, buf, size, 0) != size)
		buf[0] = '\0';
	return buf;
}

/* The first line of @text, for a message (@text is changed). */
static char *first_line(char *text)
{
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* Reap @pid, waiting at most @ms; then kill it. The wait status, or -1. */
static int wait_bounded(pid_t pid, int ms)
{
	int status;

	for (int i = 0; i < ms; i++) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* `vlibc-stat --json PID` while @pid is stopped at its exit: into @r. */
static void read_counters(pid_t pid, struct run *r)
{
	int out = memfd_create("vlibc-ab-stat-out", MFD_CLOEXEC);
	int err = memfd_create("vlibc-ab-stat-err", MFD_CLOEXEC);
	char pid_arg[16], *text, *msg;
	pid_t stat;
	int status;

	if (!stat_path) {
		r->counters_error = xstrdup(stat_missing);
		return;
	}
	if (out < 0 || err < 0) {
		r->counters_error = xasprintf("memfd_create: %s", strerror(errno));
		goto out;
	}
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)pid);
	fflush(NULL);
	stat = fork();
	if (stat == 0) {
		if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execl(stat_path, stat_path, "--json", pid_arg, (char *)NULL);
		dprintf(2, "cannot execute %s: %s\n", stat_path, strerror(errno));
		_exit(127);
	}
	if (stat < 0) {
		r->counters_error = xasprintf("fork: %s", strerror(errno));
		goto out;
	}
	status = wait_bounded(stat, STAT_TIMEOUT_MS);
	text = read_memfd(out);
	msg = read_memfd(err);
	if (status == -1)
		r->counters_error = xasprintf("vlibc-stat did not answer within %d ms",
					      STAT_TIMEOUT_MS);
	else if (status && *msg)	/* it names itself */
		r->counters_error = xstrdup(first_line(msg));
	else if (status)
		r->counters_error = xasprintf("vlibc-stat failed (wait status %#x)", status);
	else if (parse_counters(text, r))
		r->counters_error = xstrdup("vlibc-stat printed no \"counters\" object");
	else
		r->counters_read = true;
	free(text);
	free(msg);
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
}

/* --- one run -------------------------------------------------------------- */

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* "round 3" or "warm-up 1": run_kind(), run_number(). */
static const char *run_kind(const struct run *r)
{
	return r->round < 0 ? "warm-up" : "round";
}

static int run_number(const struct run *r)
{
	return r->round < 0 ? r->round + (int)opt.warmup + 1 : r->round + 1;
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
}

/*
 * SIGINT or SIGTERM to vlibc-ab: the first is passed on to the command
 * (unless the terminal sent it, to the command's process group as well:
 * a program that quits on a second Ctrl-C must not see two), a second
 * kills it (a command that ignores the first would keep vlibc-ab
 * waiting).  @forwarded: how many were acted on.
 */
static void forward_interrupt(pid_t pid, int *forwarded)
{
	int n = interrupts;

	if (n > *forwarded) {
		if (*forwarded)
			kill(pid, SIGKILL);
		else if (!interrupt_from_tty)
			kill(pid, interrupted);
		*forwarded = n;
	}
}

/* The command in the child: stdio, then exec; errno to @err_fd if it fails. */
static __attribute__((noreturn)) void child(const struct variant *v, int go_fd,
					    int err_fd)
{
	int null = open("/dev/null", O_RDWR);
	char c;
	int e;

	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	if (null < 0 || (!opt.keep_stdin && dup2(null, 0) < 0) ||
	    (!opt.verbose && (dup2(null, 1) < 0 || dup2(null, 2) < 0)))
		_exit(127);
	if (null > 2)
		close(null);
	execvpe(opt.cmd[0], opt.cmd, v->envp);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/*
 * The command stopped itself (@sig): with no job control here nothing
 * would continue it, so SIGCONT does, once said (*@said) on stderr.  Its
 * traced main thread stays stopped until PTRACE_CONT.
 */
static void end_group_stop(pid_t pid, const struct run *r, int sig, bool *said)
{
	if (!*said)
		fprintf(stderr, "vlibc-ab: variant %c, %s %d: the command stopped itself (%s): continued\n",
			variants[r->variant].label, run_kind(r), run_number(r),
			strsignal(sig));
	*said = true;
	kill(pid, SIGCONT);
}

/*
 * Waits for @pid to end, passing its stops back, reading its counters at
 * its exit stop when @traced.  Sets the end time *@end (its end, less the
 * time its exit stop took: a main thread that ends early, pthread_exit(),
 * leaves the others running), the final status and rusage.
 */
static void wait_command(pid_t pid, struct run *r, bool counters,
			 double *end, struct rusage *ru)
{
	bool exit_stop = false, said_stopped = false;
	int forwarded = 0;
	double stopped = 0;
	int status;

	for (;;) {
		/* One that came before the wait (while the command started). */
		forward_interrupt(pid, &forwarded);
		if (wait4(pid, &status, r->traced ? 0 : WUNTRACED, ru) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vlibc-ab: wait4: %s\n", strerror(errno));
			exit(1);
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!WIFSTOPPED(status))
			continue;
		if (!r->traced || status >> 16 == PTRACE_EVENT_STOP) {
			if (is_stop_signal(WSTOPSIG(status)))
				end_group_stop(pid, r, WSTOPSIG(status), &said_stopped);
			if (r->traced)
				ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (status >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
			stopped = now();
			exit_stop = true;
			if (counters)
				read_counters(pid, r);
			stopped = now() - stopped;
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else {
			/* a signal-delivery stop: deliver it */
			ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(status));
		}
	}
	*end = now() - stopped;
	if (r->traced && !exit_stop && counters && !r->counters_error)
		r->counters_error = xstrdup("the command's main thread ended without an exit stop");
	r->status = status;
}

/*
 * Runs the command once as variant @r->variant; exits 126 or 127 if it
 * cannot be executed.  @trace: try PTRACE_SEIZE (cleared when it fails).
 */
static void run_once(struct run *r, bool *trace)
{
	const struct variant *v = &variants[r->variant];
	int go[2], err[2], exec_errno = 0;
	struct rusage ru;
	double start, end;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		fprintf(stderr, "vlibc-ab: pipe: %s\n", strerror(errno));
		exit(1);
	}
	fflush(NULL);
	start = now();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vlibc-ab: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		child(v, go[0], err[1]);
	}
	close(go[0]);
	close(err[1]);
	if (*trace) {
		if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXIT) == 0) {
			r->traced = true;
		} else {
			trace_error = xasprintf("ptrace: %s", strerror(errno));
			*trace = false;
		}
	}
	close(go[1]);			/* the child may exec */
	while (read(err[0], &exec_errno, sizeof(exec_errno)) < 0 && errno == EINTR)
		;
	close(err[0]);
	wait_command(pid, r, !exec_errno && !opt.no_counters, &end, &ru);
	if (exec_errno) {
		fprintf(stderr, "vlibc-ab: cannot execute %s: %s\n", opt.cmd[0],
			strerror(exec_errno));
		exit(exec_errno == ENOENT || exec_errno == ENOTDIR ? 127 : 126);
	}
	r->wall = end - start;
	r->user = tv_seconds(&ru.ru_utime);
	r->sys = tv_seconds(&ru.ru_stime);
	r->maxrss = ru.ru_maxrss;
	r->failed = !WIFEXITED(r->status) || WEXITSTATUS(r->status);
	if (r->traced && !opt.no_counters && !r->counters_read && !r->counters_error)
		r->counters_error = xstrdup("not read");
	if (!r->traced && !opt.no_counters)
		r->counters_error = xstrdup(trace_error ? trace_error : "not traced");
}

static void on_interrupt(int sig, siginfo_t *si, void *uc)
{
	interrupted = sig;
	interrupt_from_tty = si->si_code == SI_KERNEL;
	interrupts++;
}

static void run_all(void)
{
	bool trace = !opt.no_counters;
	size_t i = 0;
	struct sigaction sa = { .sa_sigaction = on_interrupt, .sa_flags = SA_SIGINFO };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	n_runs = (opt.warmup + opt.rounds) * opt.n_variants;
	runs = xmalloc(n_runs * sizeof(*runs));
	for (long round = -opt.warmup; round < opt.rounds; round++) {
		for (int v = 0; v < opt.n_variants; v++, i++) {
			struct run *r = &runs[i];
			char what[64];

			r->variant = v;
			r->round = round;
			if (isatty(2))
				fprintf(stderr, "\r%s %d/%ld %c ", run_kind(r), run_number(r),
					round < 0 ? opt.warmup : opt.rounds, variants[v].label);
			run_once(r, &trace);
			if (interrupted) {
				fprintf(stderr, "\nvlibc-ab: interrupted\n");
				exit(128 + interrupted);
			}
			if (!r->failed)
				continue;
			if (round >= 0)
				variants[v].failures++;
			describe_status(r->status, what, sizeof(what));
			fprintf(stderr, "%svlibc-ab: variant %c (%s), %s %d: the command %s%s\n",
				isatty(2) ? "\r" : "", variants[v].label, variants[v].spec,
				run_kind(r), run_number(r), what,
				opt.ignore_status ? " (accepted: --ignore-status)" : "");
		}
	}
	if (isatty(2))
		fprintf(stderr, "\r%*s\r", 30, "");
}

/* --- statistics ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values of @x, which it sorts. */
static double sorted_median(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

static void summarize(const double *x, size_t n, struct summary *s)
{
	double *tmp = xmalloc(n * sizeof(*tmp));

	memcpy(tmp, x, n * sizeof(*tmp));
	s->median = sorted_median(tmp, n);
	s->min = tmp[0];
	s->max = tmp[n - 1];
	free(tmp);
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Median of @n values drawn from @x with replacement (@tmp: @n doubles). */
static double resampled_median(const double *x, size_t n, double *tmp,
			       uint64_t *rng)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = x[(splitmix64(rng) >> 32) * n >> 32];
	return sorted_median(tmp, n);
}

/*
 * median(@b) / median(@a) and its percentile-bootstrap interval, each of
 * @a and @b (@n values) resampled independently, BOOT_RESAMPLES times.
 */
static void ratio_ci(const double *a, const double *b, size_t n, struct ratio *r)
{
	double *ratios = xmalloc(BOOT_RESAMPLES * sizeof(*ratios));
	double *tmp = xmalloc(n * sizeof(*tmp));
	struct summary sa, sb;
	uint64_t rng = BOOT_SEED;

	summarize(a, n, &sa);
	summarize(b, n, &sb);
	*r = (struct ratio){ .valid = sa.min > 0 };
	if (!r->valid)
		goto out;
	r->median = sb.median / sa.median;
	r->lo = r->hi = r->median;
	if (n < MIN_CI_ROUNDS)
		goto out;
	for (size_t i = 0; i < BOOT_RESAMPLES; i++) {
		double ma = resampled_median(a, n, tmp, &rng);

		ratios[i] = resampled_median(b, n, tmp, &rng) / ma;
	}
	qsort(ratios, BOOT_RESAMPLES, sizeof(*ratios), cmp_double);
	r->lo = ratios[BOOT_RESAMPLES * 25 / 1000];
	r->hi = ratios[BOOT_RESAMPLES * 975 / 1000 - 1];
out:
	free(ratios);
	free(tmp);
}

/* --- results -------------------------------------------------------------- */

enum measure { WALL, CPU, RSS, N_MEASURES };

static const char *const measure_names[N_MEASURES] = { "wall", "cpu", "max_rss" };

static double measure(const struct run *r, enum measure m)
{
	return m == WALL ? r->wall : m == CPU ? r->user + r->sys : (double)r->maxrss;
}

struct counter_median {
	const char	*name;
	double		median[MAX_VARIANTS];
	bool		nonzero;
};

struct results {
	struct summary	 stats[MAX_VARIANTS][N_MEASURES];
	struct ratio	 ratio[MAX_VARIANTS][2];	/* WALL, CPU */
	char		 verdict[MAX_VARIANTS][160];
	int		 counted[MAX_VARIANTS];		/* runs with counters */
	const char	 *counters_error[MAX_VARIANTS];	/* the first one */
	struct counter_median *counters;
	size_t		 n_counters;
};

static struct results res;

static const struct run *counted_run(long round, int v)
{
	return &runs[(opt.warmup + round) * opt.n_variants + v];
}

static const char *label(int v)
{
	static char buf[MAX_VARIANTS][64];

	snprintf(buf[v], sizeof(buf[v]), "%c %s", variants[v].label, variants[v].spec);
	return buf[v];
}

static size_t counter_index(const char *name)
{
	for (size_t i = 0; i < res.n_counters; i++)
		if (!strcmp(res.counters[i].name, name))
			return i;
	res.counters = realloc(res.counters, (res.n_counters + 1) * sizeof(*res.counters));
	if (!res.counters)
		exit(1);
	res.counters[res.n_counters] = (struct counter_median){ .name = name };
	return res.n_counters++;
}

/* Median over the rounds whose counters were read, per variant and name. */
static void summarize_counters(void)
{
	double *x = xmalloc(opt.rounds * sizeof(*x));

	for (long round = 0; round < opt.rounds; round++)
		for (int v = 0; v < opt.n_variants; v++) {
			const struct run *r = counted_run(round, v);

			for (size_t c = 0; c < r->n_counters; c++)
				counter_index(r->counters[c].name);
			if (r->counters_read)
				res.counted[v]++;
			else if (!res.counters_error[v])
				res.counters_error[v] = r->counters_error;
		}
	for (size_t c = 0; c < res.n_counters; c++) {
		struct counter_median *cm = &res.counters[c];

		for (int v = 0; v < opt.n_variants; v++) {
			size_t n = 0;

			for (long round = 0; round < opt.rounds; round++) {
				const struct run *r = counted_run(round, v);
				double value = 0;

				if (!r->counters_read)
					continue;
				for (size_t i = 0; i < r->n_counters; i++)
					if (!strcmp(r->counters[i].name, cm->name))
						value = r->counters[i].value;
				x[n++] = value;
			}
			cm->median[v] = n ? sorted_median(x, n) : 0;
			cm->nonzero |= cm->median[v] != 0;
		}
	}
	free(x);
}

static void compute_results(void)
{
	double *x[N_MEASURES];

	for (int m = 0; m < N_MEASURES; m++)
		x[m] = xmalloc(opt.n_variants * opt.rounds * sizeof(double));
	for (int v = 0; v < opt.n_variants; v++)
		for (long round = 0; round < opt.rounds; round++)
			for (int m = 0; m < N_MEASURES; m++)
				x[m][v * opt.rounds + round] = measure(counted_run(round, v), m);
	for (int v = 0; v < opt.n_variants; v++) {
		struct ratio *w = &res.ratio[v][WALL];

		for (int m = 0; m < N_MEASURES; m++)
			summarize(x[m] + v * opt.rounds, opt.rounds, &res.stats[v][m]);
		if (v == 0)
			continue;
		for (int m = WALL; m <= CPU; m++)
			ratio_ci(x[m], x[m] + v * opt.rounds, opt.rounds, &res.ratio[v][m]);
		if (!opt.ignore_status && (variants[v].failures || variants[0].failures))
			snprintf(res.verdict[v], sizeof(res.verdict[v]),
				 "no verdict: %d of %ld runs failed here, %d in %c",
				 variants[v].failures, opt.rounds, variants[0].failures,
				 variants[0].label);
		else if (!w->valid)
			snprintf(res.verdict[v], sizeof(res.verdict[v]),
				 "no verdict: a wall time of 0");
		else if (opt.rounds < MIN_CI_ROUNDS)
			snprintf(res.verdict[v], sizeof(res.verdict[v]),
				 "no winner: no interval can be computed from fewer than %d rounds",
				 MIN_CI_ROUNDS);
		else if (w->hi < 1.0 || w->lo > 1.0)
			snprintf(res.verdict[v], sizeof(res.verdict[v]),
				 "%s than %s: wall %.3fx (CI %.3f-%.3f)",
				 w->hi < 1.0 ? "faster" : "slower", label(0),
				 w->median, w->lo, w->hi);
		else
			snprintf(res.verdict[v], sizeof(res.verdict[v]),
				 "no winner: spread too wide (CI %.3f-%.3f)", w->lo, w->hi);
	}
	for (int m = 0; m < N_MEASURES; m++)
		free(x[m]);
	if (!opt.no_counters)
		summarize_counters();
}

/* @sec as "12.3 ms", in the unit that suits @unit_of. */
static void fmt_time(char *buf, size_t size, double sec, double unit_of)
{
	if (unit_of >= 1)
		snprintf(buf, size, "%.3f", sec);
	else if (unit_of >= 1e-3)
		snprintf(buf, size, "%.1f", sec * 1e3);
	else
		snprintf(buf, size, "%.0f", sec * 1e6);
}

static const char *time_unit(double unit_of)
{
	return unit_of >= 1 ? "s" : unit_of >= 1e-3 ? "ms" : "us";
}

/* "median (min-max)" of @s in @unit_of's unit (times) or MiB (RSS). */
static void summary_cell(char *cell, size_t size, const struct summary *s,
			 enum measure m, double unit_of)
{
	char med[32], lo[32], hi[32];

	if (m == RSS) {
		snprintf(cell, size, "%.1f MiB (%.1f-%.1f)", s->median / 1024,
			 s->min / 1024, s->max / 1024);
		return;
	}
	fmt_time(med, sizeof(med), s->median, unit_of);
	fmt_time(lo, sizeof(lo), s->min, unit_of);
	fmt_time(hi, sizeof(hi), s->max, unit_of);
	snprintf(cell, size, "%s %s (%s-%s)", med, time_unit(unit_of), lo, hi);
}

/* How the counters were read, or why not, in a few words. */
static const char *counters_mode(void)
{
	if (opt.no_counters)
		return "off (--no-counters)";
	if (trace_error)
		return "unavailable (the runs are untraced)";
	if (!stat_path)
		return "unavailable (no vlibc-stat)";
	return "read at the exit stop";
}

static void print_text(FILE *f)
{
	double unit_of[N_MEASURES] = { 0 };
	int width = 8;

	for (int v = 0; v < opt.n_variants; v++)
		if ((int)strlen(label(v)) > width)
			width = strlen(label(v));
	fprintf(f, "vlibc-ab: %ld round%s after %ld warm-up%s; counters: %s\n",
		opt.rounds, opt.rounds == 1 ? "" : "s", opt.warmup,
		opt.warmup == 1 ? "" : "s",
		counters_mode());
	/* one unit per column: the one that suits the smallest median */
	for (int m = WALL; m <= CPU; m++)
		for (int v = 0; v < opt.n_variants; v++)
			if (!v || res.stats[v][m].median < unit_of[m])
				unit_of[m] = res.stats[v][m].median;
	fprintf(f, "%-*s  %-28s  %-28s  %s\n", width, "variant",
		"wall median (min-max)", "cpu median (min-max)", "max RSS median (min-max)");
	for (int v = 0; v < opt.n_variants; v++) {
		fprintf(f, "%-*s", width, label(v));
		for (int m = 0; m < N_MEASURES; m++) {
			char cell[128];

			summary_cell(cell, sizeof(cell), &res.stats[v][m], m, unit_of[m]);
			fprintf(f, m < RSS ? "  %-28s" : "  %s", cell);
		}
		if (variants[v].failures)
			fprintf(f, "  (%d failed)", variants[v].failures);
		fputc('\n', f);
	}
	if (opt.n_variants < 2)
		goto counters;
	if (opt.rounds < MIN_CI_ROUNDS)
		fprintf(f, "\nratio to %s (%s from fewer than %d rounds)\n",
			label(0), "no interval can be computed", MIN_CI_ROUNDS);
	else
		fprintf(f, "\nratio to %s, %s CI (%s, %d resamples)\n", label(0),
			CONFIDENCE, "percentile bootstrap of the ratio of medians",
			BOOT_RESAMPLES);
	fprintf(f, "%-*s  %-28s  %s\n", width, "variant", "wall", "cpu");
	for (int v = 1; v < opt.n_variants; v++) {
		fprintf(f, "%-*s", width, label(v));
		for (int m = WALL; m <= CPU; m++) {
			const struct ratio *r = &res.ratio[v][m];
			char cell[64];

			if (!r->valid)
				snprintf(cell, sizeof(cell), "n/a");
			else if (opt.rounds < MIN_CI_ROUNDS)
				snprintf(cell, sizeof(cell), "%.3f", r->median);
			else
				snprintf(cell, sizeof(cell), "%.3f (%.3f-%.3f)", r->median,
					 r->lo, r->hi);
			fprintf(f, m == WALL ? "  %-28s" : "  %s", cell);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
	for (int v = 1; v < opt.n_variants; v++)
		fprintf(f, "%s: %s\n", label(v), res.verdict[v]);
counters:
	if (opt.no_counters)
		return;
	fprintf(f, "\ncounters at exit (median of %ld rounds, non-zero ones)\n", opt.rounds);
	for (size_t c = 0, shown = 0; c < res.n_counters; c++) {
		if (!res.counters[c].nonzero)
			continue;
		if (!shown++) {
			fprintf(f, "%-32s", "counter");
			for (int v = 0; v < opt.n_variants; v++)
				fprintf(f, "  %12c", variants[v].label);
			fputc('\n', f);
		}
		fprintf(f, "%-32s", res.counters[c].name);
		for (int v = 0; v < opt.n_variants; v++) {
			if (res.counted[v])
				fprintf(f, "  %12.0f", res.counters[c].median[v]);
			else
				fprintf(f, "  %12s", "-");
		}
		fputc('\n', f);
	}
	if (!stat_path || trace_error) {
		/* one reason for every run */
		fprintf(f, "counters unavailable: %s\n", trace_error ?: stat_missing);
		return;
	}
	for (int v = 0; v < opt.n_variants; v++)
		if (res.counters_error[v])
			fprintf(f, "%s: counters unavailable in %ld of %ld rounds: %s\n",
				label(v), opt.rounds - res.counted[v], opt.rounds,
				res.counters_error[v]);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_summary(FILE *f, const struct summary *s)
{
	fprintf(f, "{\"median\": %.9g, \"min\": %.9g, \"max\": %.9g}", s->median,
		s->min, s->max);
}

static void json_ratio(FILE *f, const struct ratio *r)
{
	if (!r->valid)
		fputs("null", f);
	else if (opt.rounds < MIN_CI_ROUNDS)
		fprintf(f, "{\"median\": %.9g, \"ci_low\": null, \"ci_high\": null}", r->median);
	else
		fprintf(f, "{\"median\": %.9g, \"ci_low\": %.9g, \"ci_high\": %.9g}",
			r->median, r->lo, r->hi);
}

static void json_run(FILE *f, const struct run *r)
{
	fprintf(f, "    {\"variant\": \"%c\", \"round\": %d, \"warmup\": %s, ",
		variants[r->variant].label, run_number(r), r->round < 0 ? "true" : "false");
	fprintf(f, "\"wall_s\": %.9g, \"user_s\": %.6f, \"sys_s\": %.6f, ",
		r->wall, r->user, r->sys);
	fprintf(f, "\"cpu_s\": %.6f, \"max_rss_kib\": %ld, ", r->user + r->sys, r->maxrss);
	if (WIFEXITED(r->status))
		fprintf(f, "\"exit\": %d, \"signal\": null, ", WEXITSTATUS(r->status));
	else
		fprintf(f, "\"exit\": null, \"signal\": %d, ", WTERMSIG(r->status));
	fprintf(f, "\"failed\": %s, \"counters\": ", r->failed ? "true" : "false");
	if (r->counters_read) {
		fputc('{', f);
		for (size_t c = 0; c < r->n_counters; c++) {
			fputs(c ? ", " : "", f);
			json_string(f, r->counters[c].name);
			fprintf(f, ": %lld", r->counters[c].value);
		}
		fputs("}, \"counters_error\": null}", f);
	} else {
		fputs("null, \"counters_error\": ", f);
		if (r->counters_error)
			json_string(f, r->counters_error);
		else
			fputs("null", f);
		fputc('}', f);
	}
}

static void print_json(FILE *f)
{
	fputs("{\n  \"command\": [", f);
	for (char **a = opt.cmd; *a; a++) {
		fputs(a == opt.cmd ? "" : ", ", f);
		json_string(f, *a);
	}
	fprintf(f, "],\n  \"rounds\": %ld, \"warmup\": %ld, ", opt.rounds, opt.warmup);
	fprintf(f, "\"confidence\": 0.95, \"resamples\": %d,\n", BOOT_RESAMPLES);
	fputs("  \"counters\": ", f);
	json_string(f, counters_mode());
	fputs(",\n  \"variants\": [\n", f);
	for (int v = 0; v < opt.n_variants; v++) {
		fprintf(f, "    {\"label\": \"%c\", \"spec\": ", variants[v].label);
		json_string(f, variants[v].spec);
		fputs(", \"binder\": ", f);
		if (variants[v].binder)
			json_string(f, variants[v].binder);
		else
			fputs("null", f);
		fprintf(f, ", \"failures\": %d", variants[v].failures);
		for (int m = 0; m < N_MEASURES; m++) {
			fprintf(f, ",\n     \"%s\": ", measure_names[m]);
			json_summary(f, &res.stats[v][m]);
		}
		fputs(",\n     \"ratio_wall\": ", f);
		if (v)
			json_ratio(f, &res.ratio[v][WALL]);
		else
			fputs("null", f);
		fputs(", \"ratio_cpu\": ", f);
		if (v)
			json_ratio(f, &res.ratio[v][CPU]);
		else
			fputs("null", f);
		fputs(",\n     \"verdict\": ", f);
		if (v)
			json_string(f, res.verdict[v]);
		else
			fputs("null", f);
		fputs(",\n     \"counters_median\": ", f);
		if (opt.no_counters || !res.counted[v]) {
			fputs("null", f);
		} else {
			bool first = true;

			fputc('{', f);
			for (size_t c = 0; c < res.n_counters; c++) {
				if (!res.counters[c].nonzero)
					continue;
				fputs(first ? "" : ", ", f);
				first = false;
				json_string(f, res.counters[c].name);
				fprintf(f, ": %.9g", res.counters[c].median[v]);
			}
			fputc('}', f);
		}
		fprintf(f, "}%s\n", v + 1 < opt.n_variants ? "," : "");
	}
	fputs("  ],\n  \"runs\": [\n", f);
	for (size_t i = 0; i < n_runs; i++) {
		json_run(f, &runs[i]);
		fputs(i + 1 < n_runs ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
}

static void print_tsv(FILE *f)
{
	fputs("round\twarmup\tvariant\tspec\twall_s\tuser_s\tsys_s\tcpu_s\t"
	      "max_rss_kib\texit\tsignal\n", f);
	for (size_t i = 0; i < n_runs; i++) {
		const struct run *r = &runs[i];

		fprintf(f, "%d\t%d\t%c\t%s\t%.9g\t%.6f\t%.6f\t%.6f\t%ld\t",
			run_number(r), r->round < 0, variants[r->variant].label,
			variants[r->variant].spec,
			r->wall, r->user, r->sys, r->user + r->sys, r->maxrss);
		if (WIFEXITED(r->status))
			fprintf(f, "%d\t\n", WEXITSTATUS(r->status));
		else
			fprintf(f, "\t%d\n", WTERMSIG(r->status));
	}
}

/* Writes with @print to @path ("-": stdout): 0, or -1 with a message. */
static int write_output(const char *path, void (*print)(FILE *f))
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f) {
		fprintf(stderr, "vlibc-ab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	print(f);
	if (f == stdout ? fflush(f) : fclose(f)) {
		fprintf(stderr, "vlibc-ab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* vlibc-stat next to vlibc-ab, or --stat. */
static void find_stat(void)
{
	char *path = opt.stat ? xstrdup(opt.stat) : xasprintf("%s/vlibc-stat", self_dir);

	if (!access(path, X_OK)) {
		stat_path = path;
		return;
	}
	stat_missing = xasprintf("%s: %s", path, strerror(errno));
	free(path);
}

int main(int argc, char **argv)
{
	int failures = 0, status = 0;
	bool to_stdout;

	parse_args(argc, argv);
	to_stdout = (opt.json && !strcmp(opt.json, "-")) ||
		    (opt.tsv && !strcmp(opt.tsv, "-"));
	self_dir = executable_dir();
	for (int v = 0; v < opt.n_variants; v++)
		setup_variant(&variants[v], v, opt.specs[v]);
	if (!opt.no_counters)
		find_stat();
	run_all();
	compute_results();
	print_text(to_stdout ? stderr : stdout);
	if (opt.json && write_output(opt.json, print_json))
		status = 1;
	if (opt.tsv && write_output(opt.tsv, print_tsv))
		status = 1;
	for (int v = 0; v < opt.n_variants; v++)
		failures += variants[v].failures;
	for (size_t i = 0; i < n_runs; i++)
		failures += runs[i].round < 0 && runs[i].failed;
	if (failures && !opt.ignore_status) {
		fprintf(stderr, "vlibc-ab: %d run%s failed (above); --ignore-status accepts them\n",
			failures, failures == 1 ? "" : "s");
		status = 1;
	}
	return status;
}
