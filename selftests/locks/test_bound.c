// SPDX-License-Identifier: GPL-2.0
/*
 * Where the binder binds the locks family, under each toggle, and a short
 * functional run on each binding.
 *
 * Default (and VLIBC_LOCKS=futex, an unknown variant): pthread_mutex_lock,
 * unlock and trylock bound straight into the image (no call layer: the
 * uncontended lock must cost what glibc's costs), every other name of the
 * family into the image or to a binder veneer, never to glibc.
 * VLIBC_LOCKS=nospin and spinN: the same family on vlibc.
 * VLIBC_LOCKS=glibc, VLIBC_DISABLE=locks, VLIBC=off: every name to glibc.
 * sem_init and sem_destroy may stay glibc's: not checked.
 *
 * "test_bound --mini MODE" is the reduced run a case starts with the
 * toggle set in its environment; MODE names the binding expected: vlibc
 * (lock, unlock, trylock in the image), vlibc-any (image or binder) or
 * glibc.  Without the binder (LOCKS_SELFTEST_REEXECUTED=1 on plain glibc)
 * the cases are skipped: there is no binding to check.
 */
#include "kselftest_harness.h"
#include "locks_test.h"

static const char *const direct[] = {
	"pthread_mutex_lock", "pthread_mutex_unlock", "pthread_mutex_trylock",
};

static const char *const others[] = {
	"pthread_mutex_timedlock", "pthread_mutex_clocklock", "pthread_mutex_init",
	"pthread_mutex_destroy", "pthread_mutex_consistent",
	"sem_wait", "sem_trywait", "sem_timedwait", "sem_clockwait", "sem_post",
	"sem_getvalue",
	"pthread_spin_init", "pthread_spin_destroy", "pthread_spin_lock",
	"pthread_spin_trylock", "pthread_spin_unlock",
	"pthread_once",
};

static int is_vlibc(const char *owner)
{
	return !strcmp(owner, "image") || !strcmp(owner, "binder");
}

/* Does every name sit where @mode says?  Prints each misplaced one. */
static int check_binding(const char *mode)
{
	int glibc = !strcmp(mode, "glibc"), strict = !strcmp(mode, "vlibc");
	const char *owner;
	int failed = 0;
	size_t i;

	if (!lt_binder_loaded()) {
		printf("# %s: binder not loaded\n", mode);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(direct); i++) {
		owner = lt_owner(direct[i]);
		if (glibc ? strcmp(owner, "glibc") :
		    strict ? strcmp(owner, "image") : !is_vlibc(owner)) {
			printf("# %s: %s bound to %s, expected %s\n", mode, direct[i],
			       owner, glibc ? "glibc" : strict ? "image" : "image or binder");
			failed++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		owner = lt_owner(others[i]);
		if (glibc ? strcmp(owner, "glibc") : !is_vlibc(owner)) {
			printf("# %s: %s bound to %s, expected %s\n", mode, others[i],
			       owner, glibc ? "glibc" : "image or binder");
			failed++;
		}
	}
	return failed;
}

/* --- a short functional run ------------------------------------------------------ */

struct mini {
	pthread_mutex_t	m;
	pthread_spinlock_t spin;
	sem_t		ping, pong;
	long		counter, spin_counter;
	int		errors;
};

static pthread_once_t mini_once = PTHREAD_ONCE_INIT;
static int mini_once_runs;

static void mini_once_fn(void)
{
	mini_once_runs++;
}

static int trylock_spinning(pthread_mutex_t *m)
{
	int r;

	while ((r = pthread_mutex_trylock(m)) == EBUSY)
		sched_yield();
	return r;
}

static void *mini_adder(void *arg)
{
	struct mini *s = arg;
	struct timespec ts;
	long i;

	pthread_once(&mini_once, mini_once_fn);
	for (i = 0; i < 50000; i++) {
		int r = i % 3 == 0 ? pthread_mutex_lock(&s->m) :
			i % 3 == 1 ? (ts = lt_abs(CLOCK_REALTIME, 10000),
				      pthread_mutex_timedlock(&s->m, &ts)) :
			trylock_spinning(&s->m);

		if (r) {
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		(*(volatile long *)&s->counter)++;
		pthread_mutex_unlock(&s->m);
		pthread_spin_lock(&s->spin);
		(*(volatile long *)&s->spin_counter)++;
		pthread_spin_unlock(&s->spin);
	}
	return NULL;
}

static void *mini_pong(void *arg)
{
	struct mini *s = arg;
	struct timespec ts;
	int i;

	for (i = 0; i < 5000; i++) {
		ts = lt_abs(CLOCK_MONOTONIC, 5000);
		if (sem_clockwait(&s->ping, CLOCK_MONOTONIC, &ts) || sem_post(&s->pong)) {
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

static int check_works(const char *mode)
{
	struct mini s = { 0 };
	pthread_t t[4];
	struct timespec ts;
	int failed = 0, i, v = -1;

	lt_mutex_init(&s.m, PTHREAD_MUTEX_NORMAL, 0, 0, 0);
	pthread_spin_init(&s.spin, 0);
	sem_init(&s.ping, 0, 0);
	sem_init(&s.pong, 0, 0);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, mini_adder, &s);
	for (i = 0; i < 4; i++)
		if (lt_join(t[i], NULL, 20000)) {
			printf("# %s: a mutex thread hangs\n", mode);
			return 1;
		}
	if (s.errors || s.counter != 200000 || s.spin_counter != 200000 ||
	    mini_once_runs != 1) {
		printf("# %s: errors %d, counter %ld, spin counter %ld of 200000, once ran %d times\n",
		       mode, s.errors, s.counter, s.spin_counter, mini_once_runs);
		failed++;
	}
	pthread_create(&t[0], NULL, mini_pong, &s);
	for (i = 0; i < 5000; i++) {
		ts = lt_abs(CLOCK_REALTIME, 5000);
		if (sem_post(&s.ping) || sem_timedwait(&s.pong, &ts)) {
			printf("# %s: sem ping-pong stopped at %d: %s\n", mode, i,
			       strerror(errno));
			failed++;
			break;
		}
	}
	if (lt_join(t[0], NULL, 10000)) {
		printf("# %s: the sem thread hangs\n", mode);
		return failed + 1;
	}
	sem_getvalue(&s.ping, &v);
	if (s.errors || v) {
		printf("# %s: sem errors %d, value %d\n", mode, s.errors, v);
		failed++;
	}
	{
		pthread_mutex_t e = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

		if (pthread_mutex_lock(&e) || pthread_mutex_lock(&e) != EDEADLK ||
		    pthread_mutex_unlock(&e) || pthread_mutex_unlock(&e) != EPERM) {
			printf("# %s: errorcheck mutex answers wrong\n", mode);
			failed++;
		}
	}
	return failed;
}

static int mini_main(const char *mode)
{
	int failed;

	lt_threads_start();	/* the family binds at the first thread */
	failed = check_binding(mode);

	failed += check_works(mode);
	printf("mini %s: %s\n", mode, failed ? "FAILED" : "ok");
	return failed ? 1 : 0;
}

/* --- the cases -------------------------------------------------------------------- */

/* Run "this --mini @mode" with @var=@value set (NULL: none): it must say ok. */
static void expect_mini(struct __test_metadata *_metadata, const char *mode,
			const char *var, const char *value)
{
	char *args[] = { "--mini", (char *)mode, NULL };
	struct vt_self s = { .args = args };
	char *set, *done;

	if (!lt_binder_loaded())
		SKIP(return, "no binder loaded (plain glibc run): no binding to check");
	set = var ? vt_strf("%s=%s", var, value) : NULL;
	done = vt_strf("mini %s: ok", mode);
	s.set[0] = set;
	EXPECT_EQ(0, vt_run_self_ok(&s, done));
	free(done);
	free(set);
}

TEST(bound_default)
{
	expect_mini(_metadata, "vlibc", NULL, NULL);
}

TEST(bound_futex)
{
	expect_mini(_metadata, "vlibc", "VLIBC_LOCKS", "futex");
}

TEST(bound_unknown_variant)
{
	expect_mini(_metadata, "vlibc", "VLIBC_LOCKS", "no-such-variant");
}

TEST(bound_nospin)
{
	expect_mini(_metadata, "vlibc-any", "VLIBC_LOCKS", "nospin");
}

TEST(bound_spin10)
{
	expect_mini(_metadata, "vlibc-any", "VLIBC_LOCKS", "spin10");
}

TEST(bound_glibc)
{
	expect_mini(_metadata, "glibc", "VLIBC_LOCKS", "glibc");
}

TEST(bound_disabled)
{
	expect_mini(_metadata, "glibc", "VLIBC_DISABLE", "locks");
}

TEST(bound_off)
{
	expect_mini(_metadata, "glibc", "VLIBC", "off");
}

int main(int argc, char **argv)
{
	lt_reexec(argv);
	if (argc == 3 && !strcmp(argv[1], "--mini"))
		return mini_main(argv[2]);
	fprintf(stderr, "# locks on %s\n", lt_running_on());
	return test_harness_run(argc, argv);
}
