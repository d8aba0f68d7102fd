// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-stat: a process's vlibc counters, read from outside with
 * process_vm_readv(2) (stat-read.c).  Usage in usage() below and in
 * Documentation/userspace-api/vlibc-stat.rst.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stat-read.h"

static struct {
	int	all;		/* -A: zero counters too */
	int	json;
	int	verbose;
	double	interval;	/* -i, seconds; 0: once */
	long	count;		/* -c, lines; 0: until the process exits */
} opt;

static volatile sig_atomic_t interrupted;

static void usage(FILE *f)
{
	fprintf(f,
"usage: vlibc-stat [-A] [--json] PID\n"
"       vlibc-stat [-A] [--json] -i SECONDS [-c COUNT] PID\n"
"       vlibc-stat -a [-v] [--json]\n"
"Prints the vlibc counters of process PID, read with process_vm_readv(2).\n"
"  -A, --all          show counters that are zero too\n"
"  -i, --interval S   every S seconds, the rates per second of the counters\n"
"                     that changed (the first line: the totals), until the\n"
"                     process exits or SIGINT\n"
"  -c, --count N      stop after N lines of -i\n"
"  -a, --processes    every process with vlibc mapped: PID, command, families\n"
"                     bound, calls counted\n"
"  -v, --verbose      with -a, say which processes could not be looked at\n"
"      --json         JSON (an object; an array with -a; one per line with -i)\n"
"Exit status: 0 ok, 1 other error, 2 usage, 3 no such process, 4 not a vlibc\n"
"process, 5 counters not set up (no bound call yet, VLIBC=off or no binder),\n"
"6 permission denied (ptrace access needed), 7 counter layout of another\n"
"version, 8 the process exited while being read, 9 invalid image or counters.\n");
}

static void on_sigint(int sig)
{
	interrupted = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The command name of @pid in @buf ("?" if gone). */
static const char *comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, size, f))
		snprintf(buf, size, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/*
 * @s for a terminal, in @buf: the process chose these bytes (its command
 * name, the reasons in its counter header), so no control characters.
 */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i < size - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = 0;
	return buf;
}

/* @s as a JSON string: every byte a process may have chosen escaped. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *family_name(unsigned int f, char *buf, size_t size)
{
	if (f < VLIBC_STAT_FAMILIES)
		return stat_families[f];
	snprintf(buf, size, "family%u", f);
	return buf;
}

/* Families known here, and any other the process decided. */
static int family_shown(const struct stat_snapshot *s, unsigned int f)
{
	return f < VLIBC_STAT_FAMILIES || (s->families_decided >> f & 1);
}

/* Sum of the counters of calls into entry points. */
static unsigned long long calls_counted(const struct stat_snapshot *s)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < s->nr_known; i++)
		if (stat_counter_is_call(i))
			sum += s->count[i];
	return sum;
}

/*
 * Gauges: counter @a minus the others, when the process has them all (an
 * @less counter this reader does not know is left out: an older list).
 */
static const struct {
	const char *name, *a, *less[2], *what;
} gauges[] = {
	{ "aio_in_flight", "aio_submitted", { "aio_completed", "aio_withdrawn" },
	  "AIO requests in flight" },
	{ "aio_on_ring", "aio_ring", { "aio_ring_reaped" }, "AIO requests on the io_uring" },
};

#define NR_GAUGES	(sizeof(gauges) / sizeof(gauges[0]))

/* The process's count of counter @name into @v: 1, or 0 if it has none. */
static int count_of(const struct stat_snapshot *s, const char *name, __u64 *v)
{
	int i = stat_counter_index(name);

	if (i < 0 || (unsigned int)i >= s->nr_known)
		return 0;
	*v = s->count[i];
	return 1;
}

/* Gauge @g into @v, and its formula into @how: 1, or 0 if it has none. */
static int gauge(const struct stat_snapshot *s, unsigned int g, long long *v,
		 char *how, size_t size)
{
	__u64 a, b;
	unsigned int k;

	if (!count_of(s, gauges[g].a, &a) || !count_of(s, gauges[g].less[0], &b))
		return 0;
	snprintf(how, size, "%s", gauges[g].a);
	for (k = 0; k < 2 && gauges[g].less[k]; k++) {
		if (stat_counter_index(gauges[g].less[k]) < 0)
			continue;
		if (!count_of(s, gauges[g].less[k], &b))
			return 0;
		a -= b;
		snprintf(how + strlen(how), size - strlen(how), " - %s", gauges[g].less[k]);
	}
	*v = (long long)a;
	return 1;
}

/* --- one process, text and JSON ------------------------------------------ */

static void print_families_text(const struct stat_snapshot *s)
{
	char buf[32], why[VLIBC_STAT_WHY_LEN];
	unsigned int f;

	printf("families:");
	for (f = 0; f < 64; f++) {
		if (!family_shown(s, f))
			continue;
		printf(" %s=", family_name(f, buf, sizeof(buf)));
		if (!(s->families_decided >> f & 1))
			printf("undecided");
		else if (s->families_bound >> f & 1)
			printf("vlibc");
		else if (f < VLIBC_STAT_MAX_FAMILIES && s->why[f][0])
			printf("glibc(%s)", printable(s->why[f], why, sizeof(why)));
		else
			printf("glibc");
	}
	putchar('\n');
}

static void print_text(const struct stat_target *t, const struct stat_snapshot *s)
{
	char comm[64], shown[64];
	unsigned int i;
	char how[128];
	long long v;

	printf("pid %d (%s): %s image at 0x%lx, counter layout version %u, "
	       "%u blocks (%u owned)\n", (int)t->pid,
	       printable(comm_of(t->pid, comm, sizeof(comm)), shown, sizeof(shown)),
	       t->kernel ? "kernel [vlibc]" : "file", t->base, s->version,
	       s->nr_blocks, s->nr_owned);
	print_families_text(s);
	printf("%-10s %-20s %20s  %s\n", "FAMILY", "COUNTER", "VALUE", "WHAT");
	for (i = 0; i < s->nr_known; i++)
		if (opt.all || s->count[i])
			printf("%-10s %-20s %20llu  %s\n", stat_counters[i].family,
			       stat_counters[i].name, (unsigned long long)s->count[i],
			       stat_counters[i].what);
	for (i = 0; i < NR_GAUGES; i++)
		if (gauge(s, i, &v, how, sizeof(how)) && (opt.all || v))
			printf("%-10s %-20s %20lld  %s (%s)\n", "gauge", gauges[i].name,
			       v, gauges[i].what, how);
	if (s->nr_counters > s->nr_known)
		printf("(%u more counters this vlibc-stat does not know: a newer vlibc)\n",
		       s->nr_counters - s->nr_known);
}

static void print_families_json(const struct stat_snapshot *s)
{
	unsigned int f;
	char buf[32];
	int first = 1;

	printf("\"families\":{");
	for (f = 0; f < 64; f++) {
		int decided = s->families_decided >> f & 1;

		if (!family_shown(s, f))
			continue;
		printf("%s\"%s\":{\"decided\":%s,\"bound\":%s,\"why\":", first ? "" : ",",
		       family_name(f, buf, sizeof(buf)), decided ? "true" : "false",
		       s->families_bound >> f & 1 ? "true" : "false");
		json_string(f < VLIBC_STAT_MAX_FAMILIES && decided ? s->why[f] : "");
		putchar('}');
		first = 0;
	}
	putchar('}');
}

/* "counters":{"name":value,...}: every counter the process has, zeros too. */
static void print_counters_json(const struct stat_snapshot *s)
{
	unsigned int i;

	printf("\"counters\":{");
	for (i = 0; i < s->nr_known; i++)
		printf("%s\"%s\":%llu", i ? "," : "", stat_counters[i].name,
		       (unsigned long long)s->count[i]);
	putchar('}');
}

static void print_json(const struct stat_target *t, const struct stat_snapshot *s)
{
	char comm[64];
	unsigned int i;
	char how[128];
	long long v;
	int first = 1;

	printf("{\"pid\":%d,\"comm\":", (int)t->pid);
	json_string(comm_of(t->pid, comm, sizeof(comm)));
	printf(",\"version\":%u,\"image\":\"%s\",\"blocks\":%u,\"blocks_owned\":%u,",
	       s->version, t->kernel ? "kernel" : "file", s->nr_blocks, s->nr_owned);
	print_families_json(s);
	putchar(',');
	print_counters_json(s);
	printf(",\"gauges\":{");
	for (i = 0; i < NR_GAUGES; i++)
		if (gauge(s, i, &v, how, sizeof(how))) {
			printf("%s\"%s\":%lld", first ? "" : ",", gauges[i].name, v);
			first = 0;
		}
	printf("},\"calls\":%llu,\"unknown_counters\":%u}\n", calls_counted(s),
	       s->nr_counters - s->nr_known);
}

static int error(int status, const char *msg)
{
	fprintf(stderr, "vlibc-stat: %s\n", msg);
	return status;
}

static int one_process(pid_t pid)
{
	struct stat_snapshot s;
	struct stat_target t;
	char msg[512];
	int r = stat_read_pid(pid, &t, &s, msg, sizeof(msg));

	if (r)
		return error(r, msg);
	if (opt.json)
		print_json(&t, &s);
	else
		print_text(&t, &s);
	return 0;
}

/* --- -i: rates ------------------------------------------------------------ */

/* One -i line: the totals (@prev NULL) or the rates since @prev. */
static void print_line(const struct stat_target *t, const struct stat_snapshot *s,
		       const struct stat_snapshot *prev, double elapsed, double dt)
{
	unsigned int i;
	int any = 0;

	if (opt.json) {
		printf("{\"pid\":%d,\"time\":%.3f,", (int)t->pid, elapsed);
		print_counters_json(s);
		printf(",\"rates\":{");
		for (i = 0; prev && i < s->nr_known; i++)
			if (s->count[i] != prev->count[i]) {
				printf("%s\"%s\":%.1f", any ? "," : "", stat_counters[i].name,
				       (s->count[i] - prev->count[i]) / dt);
				any = 1;
			}
		printf("}}\n");
	} else if (!prev) {
		printf("%9s", "total");
		for (i = 0; i < s->nr_known; i++)
			if (opt.all || s->count[i]) {
				printf("  %s %llu", stat_counters[i].name,
				       (unsigned long long)s->count[i]);
				any = 1;
			}
		printf("%s\n", any ? "" : "  (all zero)");
	} else {
		printf("%8.2fs", elapsed);
		for (i = 0; i < s->nr_known; i++)
			if (s->count[i] != prev->count[i]) {
				printf("  %s %.1f/s", stat_counters[i].name,
				       (s->count[i] - prev->count[i]) / dt);
				any = 1;
			}
		printf("%s\n", any ? "" : "  (no change)");
	}
	fflush(stdout);
}

/* Did a counter go down: the process exec'd (or its image was replaced)? */
static int restarted(const struct stat_snapshot *s, const struct stat_snapshot *prev)
{
	unsigned int i;

	for (i = 0; i < s->nr_known; i++)
		if (s->count[i] < prev->count[i])
			return 1;
	return s->nr_known != prev->nr_known;
}

/*
 * A reading between two lines of -i: found again each time (an exec
 * moves the image); a process that exec'd may have no counters for a
 * while, and one caught in the middle of its exec reads as invalid once.
 */
static int reread(pid_t pid, struct stat_target *t, struct stat_snapshot *s,
		  char *msg, size_t size)
{
	int r = stat_read_pid(pid, t, s, msg, size);

	if (r == STAT_READ_INVALID) {
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
		r = stat_read_pid(pid, t, s, msg, size);
	}
	return r;
}

static int repeat(pid_t pid)
{
	struct stat_snapshot s[2];
	struct stat_target t;
	struct sigaction sa = { .sa_handler = on_sigint };
	double start = now(), last = start, t_now;
	char msg[512];
	long n;
	int r, cur = 0, have_prev = 0;

	sigaction(SIGINT, &sa, NULL);
	for (n = 0; !opt.count || n < opt.count; n++) {
		if (n) {
			double wait = last + opt.interval - now();
			struct timespec ts = { (time_t)wait,
					       (long)((wait - (time_t)wait) * 1e9) };

			while (wait > 0 && !interrupted && nanosleep(&ts, &ts) && errno == EINTR)
				;
			if (interrupted)
				break;
		}
		r = n ? reread(pid, &t, &s[cur], msg, sizeof(msg)) :
			stat_read_pid(pid, &t, &s[cur], msg, sizeof(msg));
		if (n && (r == STAT_READ_EXITED || r == STAT_READ_NO_PROCESS)) {
			fprintf(stderr, "vlibc-stat: process %d exited\n", (int)pid);
			return 0;
		}
		t_now = now();
		if (n && (r == STAT_READ_NOT_SET_UP || r == STAT_READ_NOT_VLIBC ||
			  r == STAT_READ_INVALID)) {
			/*
			 * After an exec: say so, and start again from the
			 * totals.  An exec under way can read as invalid for
			 * longer than reread() waits (seen emulated, in QEMU).
			 */
			if (opt.json)
				printf("{\"pid\":%d,\"time\":%.3f,\"status\":%d}\n", (int)pid,
				       t_now - start, r);
			else
				printf("%8.2fs  (%s)\n", t_now - start, msg);
			fflush(stdout);
			have_prev = 0;
			last = t_now;
			continue;
		}
		if (r)
			return error(r, msg);
		if (have_prev && restarted(&s[cur], &s[!cur])) {
			if (!opt.json)
				printf("(counters restarted: the process exec'd)\n");
			have_prev = 0;
		}
		print_line(&t, &s[cur], have_prev ? &s[!cur] : NULL, t_now - start,
			   t_now - last);
		if (ferror(stdout))
			return STAT_READ_ERROR;	/* main() says why */
		have_prev = 1;
		last = t_now;
		cur = !cur;
	}
	return 0;
}

/* --- -a: every process ------------------------------------------------------ */

static int all_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int first = 1;

	if (!d)
		return error(STAT_READ_ERROR, "cannot open /proc");
	if (opt.json)
		putchar('[');
	else
		printf("%8s  %-16s %-24s %s\n", "PID", "COMMAND", "FAMILIES", "CALLS");
	while ((e = readdir(d))) {
		struct stat_target t = { 0 };
		struct stat_snapshot s;
		char comm[64], shown[64], fam[128] = "", msg[512], *end;
		const char *status = "ok";
		long pid = strtol(e->d_name, &end, 10);
		unsigned int f;
		int r;

		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		r = stat_read_pid(pid, &t, &s, msg, sizeof(msg));
		if (r == STAT_READ_NOT_VLIBC || r == STAT_READ_NO_PROCESS ||
		    r == STAT_READ_EXITED || (r == STAT_READ_PERMISSION && !t.base)) {
			if (opt.verbose && r == STAT_READ_PERMISSION) {
				fflush(stdout);
				fprintf(stderr, "vlibc-stat: process %ld: maps unreadable "
					"(permission denied)\n", pid);
			}
			continue;
		}
		if (r == STAT_READ_PERMISSION)
			status = "no access";
		else if (r == STAT_READ_NOT_SET_UP)
			status = "not set up";
		else if (r == STAT_READ_VERSION)
			status = "other version";
		else if (r)
			status = "invalid";
		if (r && opt.verbose) {
			fflush(stdout);
			fprintf(stderr, "vlibc-stat: %s\n", msg);
		}
		comm_of(pid, comm, sizeof(comm));
		if (opt.json) {
			printf("%s{\"pid\":%ld,\"comm\":", first ? "" : ",", pid);
			json_string(comm);
			printf(",\"status\":\"%s\"", status);
			if (!r) {
				putchar(',');
				print_families_json(&s);
				printf(",\"calls\":%llu", calls_counted(&s));
			}
			putchar('}');
		} else {
			for (f = 0; !r && f < 64; f++) {
				char buf[32];

				if (s.families_bound >> f & 1)
					snprintf(fam + strlen(fam), sizeof(fam) - strlen(fam),
						 "%s%s", *fam ? "," : "", family_name(f, buf, sizeof(buf)));
			}
			if (!r && !*fam)
				snprintf(fam, sizeof(fam), s.families_decided ? "none" : "-");
			printable(comm, shown, sizeof(shown));
			if (r)
				printf("%8ld  %-16s %-24s %s\n", pid, shown, "-", status);
			else
				printf("%8ld  %-16s %-24s %llu\n", pid, shown, fam,
				       calls_counted(&s));
		}
		first = 0;
	}
	closedir(d);
	if (opt.json)
		printf("]\n");
	return 0;
}

/* @status, or 1 when stdout could not be written (a full disk, ...). */
static int written(int status)
{
	if ((fflush(stdout) || ferror(stdout)) && !status) {
		fprintf(stderr, "vlibc-stat: write error on stdout: %s\n", strerror(errno));
		return STAT_READ_ERROR;
	}
	if (ferror(stdout))
		fprintf(stderr, "vlibc-stat: write error on stdout\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "processes", no_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, every = 0;
	char *end;
	long pid;

	while ((c = getopt_long(argc, argv, "Aai:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			opt.all = 1;
			break;
		case 'a':
			every = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'j':
			opt.json = 1;
			break;
		case 'i':
			opt.interval = strtod(optarg, &end);
			if (*end || !(opt.interval > 0 && opt.interval < 1e6)) {
				fprintf(stderr, "vlibc-stat: -i wants seconds > 0, not '%s'\n", optarg);
				return STAT_READ_USAGE;
			}
			break;
		case 'c':
			opt.count = strtol(optarg, &end, 10);
			if (*end || opt.count <= 0) {
				fprintf(stderr, "vlibc-stat: -c wants a count > 0, not '%s'\n", optarg);
				return STAT_READ_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return STAT_READ_USAGE;
		}
	}
	if (every) {
		if (optind != argc || opt.interval) {
			usage(stderr);
			return STAT_READ_USAGE;
		}
		return written(all_processes());
	}
	if (optind != argc - 1 || (opt.count && !opt.interval)) {
		usage(stderr);
		return STAT_READ_USAGE;
	}
	pid = strtol(argv[optind], &end, 10);
	if (*end || !*argv[optind] || pid <= 0 || pid > INT_MAX) {
		fprintf(stderr, "vlibc-stat: '%s' is not a process id\n", argv[optind]);
		return STAT_READ_USAGE;
	}
	return written(opt.interval ? repeat(pid) : one_process(pid));
}
