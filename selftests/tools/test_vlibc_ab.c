// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-ab, the A/B runner: its argument errors (exit 2), a command that
 * cannot be executed (127), a command that fails in one variant (reported,
 * exit 1), the order of the runs (A B C, A B C ...) and each variant's
 * environment, wait4()'s numbers (CPU time, children's included, and max
 * RSS), the verdicts ("slower" on a clear difference, "no winner" on the
 * same command twice), the counters read at the exit stop (through a
 * stand-in for vlibc-stat, and unavailable), and the command's own
 * signals and stops under ptrace.
 *
 * The command is mostly this program again (--child MODE ...), and the
 * stand-in vlibc-stat is this program under the name fake-vlibc-stat.
 */
#include <ctype.h>
#include <pthread.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"

#define CHILD_MODE	"--child"
#define FAKE_STAT	"fake-vlibc-stat"
#define AB_TIMEOUT	20	/* seconds for one vlibc-ab run */
#define MAX_ARGS	32
#define STRACE		"/usr/bin/strace"

/* --- the command: this program as --child MODE ----------------------------- */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void burn(double seconds)
{
	double until = cpu_seconds() + seconds;

	while (cpu_seconds() < until)
		;
}

/* Appends "AB_NAME binder VLIBC VLIBC_LOCKS" (- when unset) to @path. */
static int log_env(const char *path)
{
	const char *preload = getenv("LD_PRELOAD");
	FILE *f = fopen(path, "a");

	if (!f)
		return 1;
	fprintf(f, "%s %s %s %s\n", getenv("AB_NAME") ?: "-",
		preload && strstr(preload, "libvlibc") ? "binder" : "none",
		getenv("VLIBC") ?: "-", getenv("VLIBC_LOCKS") ?: "-");
	return fclose(f) ? 1 : 0;
}

/*
 * Sleeps as the @k-th run (counted in the file @path) of two variants
 * in alternation: A sleeps 10, 40, 20, 30 ms, B 30, 20, 40, 10 ms, the
 * same times in another order, so their medians are the same.
 */
static int scheduled_sleep(const char *path)
{
	static const int ms[] = { 10, 30, 40, 20, 20, 40, 30, 10 };
	char *text = vt_read_file(path, NULL);
	FILE *f = fopen(path, "a");
	size_t k = 0;

	for (char *p = text; p && *p; p++)
		k += *p == '\n';
	free(text);
	if (!f || fputs("x\n", f) < 0 || fclose(f))
		return 1;
	vt_sleep_ms(k < ARRAY_SIZE(ms) ? ms[k] : 0);
	return 0;
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

static void *stop_process(void *arg)
{
	kill(getpid(), SIGSTOP);
	return NULL;
}

/*
 * A handled signal, an ignored SIGTSTP, a SIGSTOP from itself and one
 * from another thread: it must get its handler run and go on.
 */
static int signals(void)
{
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	signal(SIGTSTP, SIG_IGN);
	raise(SIGTSTP);
	raise(SIGSTOP);
	if (pthread_create(&t, NULL, stop_process, NULL) || pthread_join(t, NULL))
		return 2;
	return got_usr1 ? 0 : 3;
}

static void *sleep_then_exit(void *arg)
{
	vt_sleep_ms(*(double *)arg);
	exit(0);
}

/* The main thread ends at once; another sleeps @ms, then the process exits. */
static int main_thread_exits(double ms)
{
	static double sleep_ms;
	pthread_t t;

	sleep_ms = ms;
	if (pthread_create(&t, NULL, sleep_then_exit, &sleep_ms))
		return 2;
	pthread_exit(NULL);
}

static int child_main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	double arg = argc > 3 ? atof(argv[3]) : 0;
	pid_t pid;
	char *p;

	if (!strcmp(mode, "burn")) {		/* CPU seconds */
		burn(arg);
	} else if (!strcmp(mode, "burn-in-child")) {
		pid = fork();
		if (pid == 0) {
			burn(arg);
			_exit(0);
		}
		return pid < 0 || vt_wait_child(pid, 10000);
	} else if (!strcmp(mode, "alloc")) {	/* MiB, touched */
		p = malloc((size_t)arg << 20);
		if (!p)
			return 1;
		memset(p, 1, (size_t)arg << 20);
		return p[12345] != 1;
	} else if (!strcmp(mode, "sleep-ms-env")) {
		vt_sleep_ms(atof(getenv("AB_SLEEP_MS") ?: "0"));
	} else if (!strcmp(mode, "fail-if-env")) {
		return getenv("AB_FAIL") ? atoi(getenv("AB_FAIL")) : 0;
	} else if (!strcmp(mode, "log-env")) {
		return log_env(argv[3]);
	} else if (!strcmp(mode, "schedule")) {
		return scheduled_sleep(argv[3]);
	} else if (!strcmp(mode, "signals")) {
		return signals();
	} else if (!strcmp(mode, "main-thread-exits")) {
		return main_thread_exits(arg);
	} else if (!strcmp(mode, "raise")) {
		raise((int)arg);
		return 0;
	} else {
		return 100;
	}
	return 0;
}

/*
 * The stand-in for `vlibc-stat --json PID`: the process must be in a
 * tracing stop (its exit stop); one with AB_COUNTERS=N in its environment
 * gets counters (N calls, nested and non-integer values too), others are
 * "not a vlibc process".
 */
static int fake_stat(int argc, char **argv)
{
	char *path, *text, *state, *env;
	size_t len;
	long n = -1;

	if (argc != 3 || strcmp(argv[1], "--json"))
		return 2;
	path = vt_strf("/proc/%s/stat", argv[2]);
	text = vt_read_file(path, NULL);
	state = text ? strrchr(text, ')') : NULL;
	if (!state || state[1] != ' ' || state[2] != 't') {
		fprintf(stderr, "%s: not stopped for tracing\n", argv[2]);
		return 1;
	}
	path = vt_strf("/proc/%s/environ", argv[2]);
	env = vt_read_file(path, &len);
	for (size_t i = 0; env && i < len; i += strlen(env + i) + 1)
		if (!strncmp(env + i, "AB_COUNTERS=", 12))
			n = atol(env + i + 12);
	if (n < 0) {
		fprintf(stderr, "fake-vlibc-stat: %s: not a vlibc process\n", argv[2]);
		return 1;
	}
	printf("{\"version\": 1, \"pid\": %s, \"families\": [\"locks\", \"aio\"],\n"
	       " \"counters\": {\"locks.calls\": %ld, \"locks.zero\": 0,\n"
	       "  \"aio\": {\"submitted\": 7, \"note\": \"x, y}\"}, \"ratio\": 1.5,\n"
	       "  \"list\": [1, 2]}}\n", argv[2], n);
	return 0;
}

/* --- running vlibc-ab ------------------------------------------------------ */

static char *ab_path;

/*
 * vlibc-ab with @args (NULL-terminated), in an environment of PATH and
 * @env (NULL-terminated, may be NULL).  "SELF" in @args is this program.
 */
static void ab_run(struct vt_result *r, const char *const *args,
		   const char *const *env)
{
	char *argv[MAX_ARGS], *envp[MAX_ARGS];
	size_t n = 0, e = 0;
	struct vt_spawn sp = { .argv = argv, .envp = envp, .timeout = AB_TIMEOUT };

	argv[n++] = ab_path;
	for (; *args && n < MAX_ARGS - 1; args++)
		argv[n++] = strcmp(*args, "SELF") ? (char *)*args : (char *)vt_self_exe();
	argv[n] = NULL;
	envp[e++] = vt_strf("PATH=%s", getenv("PATH") ?: "/usr/bin:/bin");
	for (; env && *env && e < MAX_ARGS - 1; env++)
		envp[e++] = (char *)*env;
	envp[e] = NULL;
	vt_spawn_run(&sp, r);
	free(envp[0]);
}

/* The @col-th tab-separated field (0-based) of @line, as a number. */
static double tsv_field(const char *line, int col)
{
	while (col-- > 0 && line)
		line = (line = strchr(line, '\t')) ? line + 1 : NULL;
	return line ? atof(line) : -1;
}

/* Columns of vlibc-ab --tsv. */
enum {
	T_ROUND, T_WARMUP, T_VARIANT, T_SPEC, T_WALL, T_USER, T_SYS, T_CPU,
	T_RSS, T_EXIT, T_SIGNAL
};

/* The first counted row of the TSV file @path (malloc'd), or NULL. */
static char *first_counted_row(const char *path)
{
	char *text = vt_read_file(path, NULL), *line, *save = NULL, *row = NULL;

	if (!text)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line && !row;
	     line = strtok_r(NULL, "\n", &save))
		if (isdigit((unsigned char)line[0]) && tsv_field(line, T_WARMUP) == 0)
			row = vt_nonnull(strdup(line));
	free(text);
	return row;
}

FIXTURE(ab)
{
	char *dir;
};

FIXTURE_SETUP(ab)
{
	ab_path = vt_build_path("vlibc-ab");
	if (access(ab_path, X_OK))
		SKIP(return, "%s is not there (built by make; not in the QEMU guest)",
		     ab_path);
	self->dir = vt_mkdtemp(NULL);
	ASSERT_NE(NULL, self->dir);
}

FIXTURE_TEARDOWN(ab)
{
	vt_rm_rf(self->dir);
	free(self->dir);
}

/* Each of these is a usage error: exit 2, the usage line on stderr. */
TEST_F(ab, argument_errors)
{
	static const char *const bad[][8] = {
		{ NULL },
		{ "plain", NULL },				/* no -- */
		{ "--", "true", NULL },				/* no variant */
		{ "plain", "--", NULL },			/* no command */
		{ "plain", "--", "", NULL },			/* empty command */
		{ "-n", "0", "plain", "--", "true", NULL },
		{ "-n", "1000001", "plain", "--", "true", NULL },
		{ "-n", "5x", "plain", "--", "true", NULL },
		{ "-w", "-1", "plain", "--", "true", NULL },
		{ "--rounds", NULL },				/* no value */
		{ "-n", "--", "true", NULL },			/* no value */
		{ "--bogus", "plain", "--", "true", NULL },
		{ "fast", "--", "true", NULL },			/* no such variant */
		{ "VLIBC_LOCKS=futex,", "--", "true", NULL },
		{ "=x", "--", "true", NULL },
		{ "--json", "-", "--tsv", "-", "plain", "--", "true", NULL },
		{ "--binder", "/nonexistent/libvlibc.so", "vlibc", "--", "true", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vt_result r;

		ab_run(&r, bad[i], NULL);
		EXPECT_EQ(2, r.status) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE(NULL, strstr(r.err, "usage: vlibc-ab")) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_EQ(0, r.out_len) TH_LOG("case %zu: %s", i, r.out);
		vt_result_free(&r);
	}
}

TEST_F(ab, help)
{
	const char *const args[] = { "--help", NULL };
	struct vt_result r;

	ab_run(&r, args, NULL);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "percentile bootstrap"));
	vt_result_free(&r);
}

/* Not found: 127 as from a shell; found but not executable: 126. */
TEST_F(ab, command_not_executable)
{
	const char *const missing[] = { "plain", "--", "vlibc-ab-no-such-command", NULL };
	const char *const absent[] = { "plain", "vlibc", "--", "/nonexistent/cmd", NULL };
	const char *const not_exec[] = { "plain", "--", "/dev/null", NULL };
	struct vt_result r;

	ab_run(&r, missing, NULL);
	EXPECT_EQ(127, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot execute vlibc-ab-no-such-command")) TH_LOG("%s", r.err);
	vt_result_free(&r);
	ab_run(&r, absent, NULL);
	EXPECT_EQ(127, r.status);
	vt_result_free(&r);
	ab_run(&r, not_exec, NULL);
	EXPECT_EQ(126, r.status) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

/* Fails only as variant B: each failure reported, exit 1, no verdict. */
TEST_F(ab, failure_in_one_variant)
{
	const char *const args[] = { "-n", "3", "-w", "0", "--no-counters", "plain",
				     "AB_FAIL=3", "--", "SELF", CHILD_MODE,
				     "fail-if-env", NULL };
	const char *const accepted[] = { "--ignore-status", "-n", "3", "-w", "0",
					 "--no-counters", "plain", "AB_FAIL=3", "--",
					 "SELF", CHILD_MODE, "fail-if-env", NULL };
	const char *const killed[] = { "-n", "1", "-w", "0", "plain", "--", "SELF",
				       CHILD_MODE, "raise", "15", NULL };
	struct vt_result r;

	ab_run(&r, args, NULL);
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
	for (int round = 1; round <= 3; round++) {
		char *want = vt_strf("vlibc-ab: variant B (AB_FAIL=3), round %d: the command exited with status 3",
				     round);

		EXPECT_TRUE(vt_has_line(r.err, want)) TH_LOG("%s", r.err);
		free(want);
	}
	EXPECT_EQ(NULL, strstr(r.err, "variant A")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "no verdict: 3 of 3 runs failed")) TH_LOG("%s", r.out);
	vt_result_free(&r);

	ab_run(&r, accepted, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "accepted")) TH_LOG("%s", r.err);
	vt_result_free(&r);

	ab_run(&r, killed, NULL);
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "round 1: the command was killed by signal 15")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

/*
 * Runs in alternation, warm-up first, each variant in its environment:
 * plain without the binder (though the caller has it preloaded) and
 * without the caller's VLIBC_*, off with VLIBC=off, assignments over vlibc.
 */
TEST_F(ab, alternation_and_environments)
{
	char *log = vt_strf("%s/log", self->dir);
	char *caller_preload = vt_strf("LD_PRELOAD=%s", vt_build_path("libvlibc.so"));
	const char *const env[] = { caller_preload, "VLIBC_LOCKS=futex", NULL };
	const char *const args[] = { "-n", "2", "-w", "1", "--no-counters", "plain", "off",
				     "vlibc", "AB_NAME=d,VLIBC_LOCKS=glibc", "--", "SELF",
				     CHILD_MODE, "log-env", log, NULL };
	static const char round[] = "- none - -\n- binder off -\n- binder - -\nd binder - glibc\n";
	char *want = vt_strf("%s%s%s", round, round, round);
	char *got;
	struct vt_result r;

	ab_run(&r, args, env);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	got = vt_read_file(log, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ(want, got);
	free(got);
	free(want);
	free(log);
	free(caller_preload);
	vt_result_free(&r);
}

/* CPU time, with a waited-for child's, and max RSS from wait4(). */
TEST_F(ab, rusage)
{
	char *tsv = vt_strf("%s/runs.tsv", self->dir);
	static const char *const modes[][2] = {
		{ "burn", "0.2" }, { "burn-in-child", "0.2" }, { "alloc", "100" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		const char *const args[] = { "-n", "1", "-w", "0", "--tsv", tsv, "plain",
					     "--", "SELF", CHILD_MODE, modes[i][0],
					     modes[i][1], NULL };
		struct vt_result r;
		char *row;

		ab_run(&r, args, NULL);
		EXPECT_EQ(0, r.status) TH_LOG("%s: %s", modes[i][0], r.err);
		row = first_counted_row(tsv);
		ASSERT_NE(NULL, row);
		if (i < 2) {
			EXPECT_GE(tsv_field(row, T_CPU), 0.2) TH_LOG("%s: %s", modes[i][0], row);
			EXPECT_GE(tsv_field(row, T_WALL), tsv_field(row, T_CPU) * 0.95)
				TH_LOG("%s", row);
		} else {
			EXPECT_GE(tsv_field(row, T_RSS), 100 * 1024) TH_LOG("%s", row);
		}
		free(row);
		vt_result_free(&r);
	}
	free(tsv);
}

/*
 * A main thread that ends early (pthread_exit()) stops for its counters
 * then; the wall time runs on to the process's end, traced or not.
 */
TEST_F(ab, main_thread_ends_first)
{
	char *tsv = vt_strf("%s/runs.tsv", self->dir);
	const char *const args[][14] = {
		{ "-n", "1", "-w", "0", "--tsv", tsv, "--stat", "/nonexistent", "plain",
		  "--", "SELF", CHILD_MODE, "main-thread-exits", "300" },
		{ "-n", "1", "-w", "0", "--tsv", tsv, "--no-counters", "plain",
		  "--", "SELF", CHILD_MODE, "main-thread-exits", "300" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(args); i++) {
		const char *argv[ARRAY_SIZE(args[i]) + 1] = { NULL };
		struct vt_result r;
		char *row;

		memcpy(argv, args[i], sizeof(args[i]));
		ab_run(&r, argv, NULL);
		EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
		row = first_counted_row(tsv);
		ASSERT_NE(NULL, row);
		EXPECT_GE(tsv_field(row, T_WALL), 0.3) TH_LOG("%s: %s", args[i][6], row);
		free(row);
		vt_result_free(&r);
	}
	free(tsv);
}

/* 0.2 s more in B: "slower", the interval above 1; in the JSON too. */
TEST_F(ab, verdict_slower)
{
	char *json = vt_strf("%s/out.json", self->dir);
	const char *const args[] = { "-n", "3", "-w", "0", "--json", json, "plain",
				     "AB_SLEEP_MS=200", "--", "SELF", CHILD_MODE,
				     "sleep-ms-env", NULL };
	struct vt_result r;
	char *text;

	ab_run(&r, args, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "B AB_SLEEP_MS=200: slower than A plain: wall "))
		TH_LOG("%s", r.out);
	text = vt_read_file(json, NULL);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\"verdict\": \"slower than A plain"));
	EXPECT_NE(NULL, strstr(text, "\"runs\": ["));
	free(text);
	if (!access("/usr/bin/python3", X_OK)) {
		const char *const check[] = { "/usr/bin/python3", "-c",
			"import json, sys; d = json.load(open(sys.argv[1]));"
			"assert len(d['runs']) == 6, d['runs'];"
			"assert d['variants'][1]['ratio_wall']['ci_low'] > 1.0", json, NULL };
		struct vt_result p;

		vt_run(&p, (char *const *)check, NULL);
		EXPECT_EQ(0, p.status) TH_LOG("%s", p.err);
		vt_result_free(&p);
	}
	free(json);
	vt_result_free(&r);
}

/*
 * The same command twice, the same times in another order: no winner.
 * With 2 rounds: no interval at all.
 */
TEST_F(ab, verdict_no_winner)
{
	char *count = vt_strf("%s/count", self->dir);
	const char *const args[] = { "-n", "4", "-w", "0", "--no-counters", "plain",
				     "plain", "--", "SELF", CHILD_MODE, "schedule",
				     count, NULL };
	const char *const two[] = { "-n", "2", "--no-counters", "plain", "plain", "--",
				    "true", NULL };
	struct vt_result r;

	ab_run(&r, args, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "B plain: no winner: spread too wide (CI "))
		TH_LOG("%s", r.out);
	vt_result_free(&r);
	ab_run(&r, two, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "no interval can be computed")) TH_LOG("%s", r.out);
	vt_result_free(&r);
	free(count);
}

/*
 * Counters read at the exit stop: the stand-in sees the command stopped,
 * its integer counters are summarised (the zero one left out), and
 * "not a vlibc process" is reported for the variant that is not one.
 */
TEST_F(ab, counters_at_exit)
{
	char *stat = vt_strf("%s/" FAKE_STAT, self->dir);
	char *json = vt_strf("%s/out.json", self->dir);
	const char *const args[] = { "-n", "3", "-w", "0", "--stat", stat, "--json",
				     json, "plain", "AB_COUNTERS=5", "--", "SELF",
				     CHILD_MODE, "burn", "0", NULL };
	char *calls = vt_strf("%-32s  %12s  %12s", "locks.calls", "-", "5");
	char *submitted = vt_strf("%-32s  %12s  %12s", "aio.submitted", "-", "7");
	struct vt_result r;
	char *text;

	ASSERT_EQ(0, symlink(vt_self_exe(), stat));
	ab_run(&r, args, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "counters: read at the exit stop")) TH_LOG("%s", r.out);
	EXPECT_TRUE(vt_has_line(r.out, calls)) TH_LOG("%s", r.out);
	EXPECT_TRUE(vt_has_line(r.out, submitted)) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "locks.zero")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "A plain: counters unavailable in 3 of 3 rounds: fake-vlibc-stat: "))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "not a vlibc process")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "B AB_COUNTERS=5: counters unavailable")) TH_LOG("%s", r.out);
	text = vt_read_file(json, NULL);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\"counters\": {\"locks.calls\": 5, \"locks.zero\": 0, \"aio.submitted\": 7}"))
		TH_LOG("%s", text);
	free(text);
	vt_result_free(&r);
	free(calls);
	free(submitted);
	free(stat);
	free(json);
}

/* Without a counter reader, or without counters at all, it still runs. */
TEST_F(ab, counters_unavailable)
{
	const char *const missing[] = { "-n", "2", "-w", "0", "--stat", "/nonexistent/vlibc-stat",
					"plain", "vlibc", "--", "true", NULL };
	const char *const none[] = { "-n", "2", "-w", "0", "--no-counters", "plain",
				     "vlibc", "--", "true", NULL };
	struct vt_result r;

	ab_run(&r, missing, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "counters: unavailable (no vlibc-stat)")) TH_LOG("%s", r.out);
	EXPECT_TRUE(vt_has_line(r.out, "counters unavailable: /nonexistent/vlibc-stat: No such file or directory"))
		TH_LOG("%s", r.out);
	vt_result_free(&r);
	ab_run(&r, none, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "counters: off")) TH_LOG("%s", r.out);
	vt_result_free(&r);
}

/*
 * Under ptrace and without: a handled signal reaches its handler, an
 * ignored SIGTSTP is ignored, SIGSTOPs from the command (main thread and
 * another) leave it continued, not the runner hung (ab_run's timeout).
 */
TEST_F(ab, signals_and_stops)
{
	const char *const traced[] = { "-n", "2", "-w", "0", "--stat", "/nonexistent",
				       "plain", "vlibc", "--", "SELF", CHILD_MODE,
				       "signals", NULL };
	const char *const untraced[] = { "-n", "2", "-w", "0", "--no-counters", "plain",
					 "--", "SELF", CHILD_MODE, "signals", NULL };
	const char *const shell[] = { "-n", "2", "-w", "0", "--stat", "/nonexistent",
				      "plain", "--", "sh", "-c",
				      "trap 'exit 7' USR1; kill -USR1 $$; sleep 5", NULL };
	struct vt_result r;
	double t0 = vt_now_ms();

	ab_run(&r, traced, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "variant B, round 2: the command stopped itself"))
		TH_LOG("%s", r.err);
	vt_result_free(&r);
	ab_run(&r, untraced, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	vt_result_free(&r);
	ab_run(&r, shell, NULL);
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "round 2: the command exited with status 7"))
		TH_LOG("%s", r.err);
	vt_result_free(&r);
	EXPECT_LT(vt_now_ms() - t0, 5000);
}

/*
 * SIGTERM to vlibc-ab is passed on to the command; a command that
 * ignores it is killed by a second one, and vlibc-ab exits at once
 * (128 + 15), not when the command would have ended.
 */
TEST_F(ab, interrupted_twice)
{
	char *const args[] = { ab_path, "-n", "3", "-w", "0", "plain", "--", "sh", "-c",
			       "trap '' INT TERM; sleep 8", NULL };
	double t0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execv(ab_path, args);
		_exit(127);
	}
	ASSERT_LT(0, pid);
	vt_sleep_ms(500);
	t0 = vt_now_ms();
	kill(pid, SIGTERM);
	vt_sleep_ms(200);
	kill(pid, SIGTERM);
	EXPECT_EQ(128 + SIGTERM, vt_wait_child(pid, 15000));
	EXPECT_LT(vt_now_ms() - t0, 3000);
}

/*
 * Run under strace -f, which attaches to vlibc-ab's children first:
 * PTRACE_SEIZE fails, the runs go on untraced (stops still continued).
 */
TEST_F(ab, ptrace_refused)
{
	const char *const args[] = { "-f", "-qq", "-e", "trace=none", "-o", "/dev/null",
				     ab_path, "-n", "2", "-w", "0", "plain", "--", "SELF",
				     CHILD_MODE, "signals", NULL };
	struct vt_result r;

	if (access(STRACE, X_OK))
		SKIP(return, STRACE " is not installed");
	ab_path = STRACE;	/* ab_run() runs it; vlibc-ab is in @args */
	ab_run(&r, args, NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "counters: unavailable (the runs are untraced)"))
		TH_LOG("%s", r.out);
	EXPECT_TRUE(vt_has_line(r.out, "counters unavailable: ptrace: Operation not permitted"))
		TH_LOG("%s", r.out);
	vt_result_free(&r);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	if (!strcmp(name ? name + 1 : argv[0], FAKE_STAT))
		return fake_stat(argc, argv);
	if (argc > 1 && !strcmp(argv[1], CHILD_MODE))
		return child_main(argc, argv);
	return test_harness_run(argc, argv);
}
