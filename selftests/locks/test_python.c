// SPDX-License-Identifier: GPL-2.0
/*
 * An unmodified client of the locks family: CPython's own thread tests
 * (python3 -m test test_threading test_thread) under vlibc-run.  CPython
 * builds its locks on sem_wait, sem_clockwait, sem_trywait, sem_post
 * (threading.Lock, with timeouts) and pthread mutexes (the GIL, RLock).
 *
 * First a probe under vlibc-run with VLIBC_DEBUG=1 checks that the
 * binder put the family on vlibc in the Python process (its "family
 * locks -> vlibc" and "bind NAME -> vlibc" lines for the names Python
 * uses), so that glibc is not tested silently in vlibc's place.  Then the
 * test run, without VLIBC_DEBUG (the tests compare some children's
 * stderr), within 600 s.
 *
 * PYTHON=path chooses the interpreter; default /usr/bin/python3 (Debian's,
 * whose test package libpython3.11-testsuite scripts/bootstrap installs),
 * else python3 in $PATH.  Skipped when the interpreter or its test
 * package (module test.test_threading) is missing.
 */
#include "kselftest_harness.h"
#include "locks_test.h"

#define PY_TEST_SECONDS	600
#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

static char *find_python(void)
{
	const char *p = getenv("PYTHON"), *path, *dir, *end;

	if (p && *p)
		return access(p, X_OK) ? NULL : vt_strf("%s", p);
	if (!access("/usr/bin/python3", X_OK))
		return vt_strf("/usr/bin/python3");
	path = getenv("PATH");
	for (dir = path && *path ? path : DEFAULT_PATH; dir; dir = end ? end + 1 : NULL) {
		char *c;

		end = strchr(dir, ':');
		c = vt_strf("%.*s/python3", (int)(end ? end - dir : (long)strlen(dir)), dir);
		if (!access(c, X_OK))
			return c;
		free(c);
	}
	return NULL;
}

/*
 * The environment for Python: ours without the preload, the re-exec mark
 * and any VLIBC_* toggle, plus @extra (NULL-terminated).
 */
static char **py_env(const char *const *extra)
{
	extern char **environ;
	char **env;
	int n = 0, i;

	for (i = 0; environ[i]; i++)
		n++;
	for (i = 0; extra && extra[i]; i++)
		n++;
	env = vt_nonnull(calloc(n + 1, sizeof(*env)));
	n = 0;
	for (i = 0; environ[i]; i++) {
		const char *e = environ[i];

		if (!strncmp(e, "LD_PRELOAD=", 11) || !strncmp(e, LT_REEXEC_MARK "=",
							       strlen(LT_REEXEC_MARK) + 1))
			continue;
		if (!strncmp(e, "VLIBC", 5) && strncmp(e, "VLIBC_BUILD=", 12) &&
		    strncmp(e, "VLIBC_SRC=", 10))
			continue;
		if (!strncmp(e, "PYTHON", 6))	/* PYTHONPATH etc.: not ours */
			continue;
		env[n++] = (char *)e;
	}
	for (i = 0; extra && extra[i]; i++)
		env[n++] = (char *)extra[i];
	return env;
}

static void show_tail(const char *what, const char *text, size_t max)
{
	size_t len = strlen(text);
	const char *p = len > max ? text + len - max : text, *nl;

	fprintf(stderr, "# --- %s (last %zu bytes) ---\n", what, len > max ? max : len);
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(stderr, "#  %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
		if (!nl)
			break;
	}
}

FIXTURE(python) {
	char	*python;
	char	*run;
};

FIXTURE_SETUP(python)
{
	char *argv[4];
	char **env = py_env(NULL);
	struct vt_result r;

	self->run = vt_build_path("vlibc-run");
	self->python = find_python();
	if (!self->python)
		SKIP(return, "python3 not found (PYTHON=path chooses one)");
	argv[0] = self->python;
	argv[1] = "-c";
	argv[2] = "import test.test_threading, test.test_thread";
	argv[3] = NULL;
	vt_run(&r, argv, env);
	free(env);
	if (r.status) {
		vt_result_free(&r);
		SKIP(return, "%s has no test package (module test.test_threading: "
		     "Debian package libpython3.11-testsuite; scripts/bootstrap installs it)",
		     self->python);
	}
	vt_result_free(&r);
	ASSERT_EQ(0, access(self->run, X_OK)) TH_LOG("%s: build it first", self->run);
}

FIXTURE_TEARDOWN(python)
{
	free(self->python);
	free(self->run);
}

/* A line of @text that starts with @prefix, or NULL. */
static const char *find_line(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, len))
			return p;
	return NULL;
}

TEST_F(python, locks_bound_in_python)
{
	static const char code[] =
		"import threading, _thread\n"
		"l = threading.Lock(); l.acquire()\n"
		"assert not l.acquire(timeout=0.01)\n"
		"r = threading.RLock(); r.acquire(); r.acquire(); r.release(); r.release()\n"
		"c = threading.Condition(); c.acquire(); c.wait(0.01); c.release()\n"
		"print('probe ok')\n";
	static const char *const names[] = {
		"sem_clockwait", "sem_wait", "sem_post", "pthread_mutex_lock",
		"pthread_mutex_unlock",
	};
	char *image = vt_build_path("linux-vlibc.so.1");
	char *image_var = vt_strf("VLIBC_IMAGE=%s", image);
	const char *extra[] = { "VLIBC_DEBUG=1", image_var, NULL };
	char *argv[] = { self->run, self->python, "-c", (char *)code, NULL };
	char **env = py_env(extra);
	struct vt_result r;
	const char *family;
	size_t i;

	vt_run(&r, argv, env);
	if (r.status || !strstr(r.out, "probe ok")) {
		show_tail("probe stdout", r.out, 2000);
		show_tail("probe stderr", r.err, 4000);
	}
	ASSERT_EQ(0, r.status) TH_LOG("the probe failed under %s", self->run);
	family = find_line(r.err, "vlibc: family locks");
	ASSERT_NE(NULL, family) TH_LOG("the binder did not report the locks family");
	EXPECT_EQ(0, strncmp(family, "vlibc: family locks -> vlibc", 28))
		TH_LOG("%.*s", (int)strcspn(family, "\n"), family);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *want = vt_strf("vlibc: bind %s -> vlibc", names[i]);

		EXPECT_NE(NULL, find_line(r.err, want))
			TH_LOG("no \"%s\" line: Python did not get vlibc's %s", want, names[i]);
		free(want);
	}
	vt_result_free(&r);
	free(env);
	free(image_var);
	free(image);
}

TEST_F_TIMEOUT(python, test_threading, PY_TEST_SECONDS + 30)
{
	char *image = vt_build_path("linux-vlibc.so.1");
	char *image_var = vt_strf("VLIBC_IMAGE=%s", image);
	const char *extra[] = { image_var, NULL };
	char *argv[] = { self->run, self->python, "-m", "test",
			 "test_threading", "test_thread", NULL };
	char **env = py_env(extra);
	struct vt_spawn sp = { .argv = argv, .envp = env, .timeout = PY_TEST_SECONDS };
	double t0 = vt_now_ms();
	struct vt_result r;

	vt_spawn_run(&sp, &r);
	fprintf(stderr, "# %s -m test test_threading test_thread under vlibc-run: status %d, %.1f s\n",
		self->python, r.status, (vt_now_ms() - t0) / 1000);
	if (r.status) {
		show_tail("stdout", r.out, 6000);
		show_tail("stderr", r.err, 3000);
	}
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.status == 128 + SIGALRM ?
				     "killed after 600 s" : "Python's thread tests failed");
	EXPECT_NE(NULL, strstr(r.out, "Tests result: SUCCESS"));
	vt_result_free(&r);
	free(env);
	free(image_var);
	free(image);
}

LOCKS_TEST_MAIN
