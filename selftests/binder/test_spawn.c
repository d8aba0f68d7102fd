// SPDX-License-Identifier: GPL-2.0
/*
 * posix_spawn(), vfork() + execve() and fork() from a signal handler in
 * a process where every family is busy: an aio_read in flight on a pipe,
 * another thread holding a mutex and waiting on a semaphore, getrandom()
 * states in use.  The children run (and, being vlibc processes too, use
 * the families themselves), and the parent goes on as if nothing had
 * happened: its request completes with the right bytes, the mutex and the
 * semaphore work, getrandom() answers.  The program runs itself again
 * with the binder preloaded; run without it, it tests plain glibc.
 */
#include <aio.h>
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <sys/random.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"

#define REEXEC_MARK	"SPAWN_SELFTEST_REEXECUTED"
#define CHILD_MODE	"--child"
#define WAIT_MS		10000

extern char **environ;

/* The families at work in a child: 0, or which step failed. */
static int use_families(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	char buf[32], got[4];
	struct aiocb cb;
	int p[2];
	sem_t s;

	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return 1;
	if (pthread_mutex_lock(&m) || pthread_mutex_unlock(&m))
		return 2;
	if (sem_init(&s, 0, 1) || sem_wait(&s) || sem_post(&s))
		return 3;
	if (pipe(p))
		return 4;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = p[0];
	cb.aio_buf = got;
	cb.aio_nbytes = sizeof(got);
	if (aio_read(&cb) || write(p[1], "kid", 4) != 4)
		return 5;
	while (aio_error(&cb) == EINPROGRESS)
		aio_suspend((const struct aiocb *const[]){ &cb }, 1, NULL);
	if (aio_return(&cb) != 4 || strcmp(got, "kid"))
		return 6;
	return 0;
}

/* The busy parent: a request in flight, a thread holding a lock. */
struct busy {
	int		pipe[2];
	char		got[8];
	struct aiocb	cb;
	pthread_mutex_t	held;
	sem_t		go;
	pthread_t	holder;
	volatile int	locked;
};

static void *holder_run(void *arg)
{
	struct busy *b = arg;
	char buf[16];

	pthread_mutex_lock(&b->held);
	__atomic_store_n(&b->locked, 1, __ATOMIC_RELEASE);
	getrandom(buf, sizeof(buf), 0);
	while (sem_wait(&b->go) && errno == EINTR)
		;
	pthread_mutex_unlock(&b->held);
	return NULL;
}

static int busy_start(struct busy *b)
{
	char buf[16];

	memset(b, 0, sizeof(*b));
	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf) || pipe(b->pipe))
		return -1;
	b->cb.aio_fildes = b->pipe[0];
	b->cb.aio_buf = b->got;
	b->cb.aio_nbytes = 6;
	if (aio_read(&b->cb))
		return -1;
	pthread_mutex_init(&b->held, NULL);
	sem_init(&b->go, 0, 0);
	if (pthread_create(&b->holder, NULL, holder_run, b))
		return -1;
	while (!__atomic_load_n(&b->locked, __ATOMIC_ACQUIRE))
		vt_sleep_ms(1);
	return 0;
}

/* Everything the parent had still works: 0, or which step failed. */
static int busy_finish(struct busy *b)
{
	const struct aiocb *list[1] = { &b->cb };
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	double end = vt_now_ms() + WAIT_MS;
	char buf[64];

	if (aio_error(&b->cb) != EINPROGRESS)
		return 1;
	if (write(b->pipe[1], "after", 6) != 6)
		return 2;
	while (aio_error(&b->cb) == EINPROGRESS && vt_now_ms() < end)
		aio_suspend(list, 1, &ts);
	if (aio_error(&b->cb) || aio_return(&b->cb) != 6 || strcmp(b->got, "after"))
		return 3;
	if (pthread_mutex_trylock(&b->held) != EBUSY)
		return 4;
	sem_post(&b->go);
	if (pthread_mutex_lock(&b->held) || pthread_mutex_unlock(&b->held))
		return 5;
	pthread_join(b->holder, NULL);
	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return 6;
	close(b->pipe[0]);
	close(b->pipe[1]);
	return 0;
}

/* This program as a child that uses the families (argv[0] set by main()). */
static char *child_argv[] = { NULL, CHILD_MODE, NULL };

static void *no_work(void *arg)
{
	return arg;
}

/* Under the binder, the families above run on vlibc. */
TEST(families_bound)
{
	const char *names[] = { "aio_read", "pthread_mutex_lock", "sem_wait" };
	char path[PATH_MAX];
	pthread_t t;
	const char *owner;
	size_t i;

	if (!dlsym(RTLD_DEFAULT, "vlibc_binder_bound"))
		SKIP(return, "plain glibc run");
	/* The locks family binds at the process's first thread. */
	ASSERT_EQ(0, pthread_create(&t, NULL, no_work, NULL));
	ASSERT_EQ(0, pthread_join(t, NULL));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		owner = vt_bound_owner(names[i], path, sizeof(path));
		EXPECT_TRUE(!strcmp(owner, "image") || !strcmp(owner, "binder"))
			TH_LOG("%s bound to %s", names[i], owner);
	}
}

TEST(posix_spawn_busy_parent)
{
	struct busy b;
	pid_t pid;

	ASSERT_EQ(0, busy_start(&b));
	ASSERT_EQ(0, posix_spawn(&pid, child_argv[0], NULL, NULL, child_argv, environ));
	EXPECT_EQ(0, vt_wait_child(pid, WAIT_MS));
	EXPECT_EQ(0, busy_finish(&b));
}

TEST(posix_spawn_with_actions)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all;
	struct busy b;
	pid_t pid;

	ASSERT_EQ(0, busy_start(&b));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
	ASSERT_EQ(0, posix_spawn(&pid, child_argv[0], &fa, &attr, child_argv, environ));
	EXPECT_EQ(0, vt_wait_child(pid, WAIT_MS));
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	EXPECT_EQ(0, busy_finish(&b));
}

TEST(posix_spawn_fails_cleanly)
{
	char *argv[] = { "/nonexistent/program", NULL };
	struct busy b;
	pid_t pid;

	ASSERT_EQ(0, busy_start(&b));
	EXPECT_EQ(ENOENT, posix_spawn(&pid, argv[0], NULL, NULL, argv, environ));
	EXPECT_EQ(0, busy_finish(&b));
}

/*
 * From a busy parent, vfork() and execve(@argv) in the child (exit status
 * @failed if that fails): the child ends with status @want, and the
 * parent goes on.
 */
static void vfork_exec(struct __test_metadata *_metadata, char *const argv[],
		       int failed, int want)
{
	struct busy b;
	pid_t pid;

	ASSERT_EQ(0, busy_start(&b));
	fflush(NULL);
	pid = vfork();
	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(failed);
	}
	ASSERT_LT(0, pid);
	EXPECT_EQ(want, vt_wait_child(pid, WAIT_MS));
	EXPECT_EQ(0, busy_finish(&b));
}

TEST(vfork_exec_busy_parent)
{
	vfork_exec(_metadata, child_argv, 127, 0);
}

TEST(vfork_exec_fails)
{
	char *argv[] = { "/nonexistent/program", NULL };

	vfork_exec(_metadata, argv, 42, 42);
}

/* fork() in a signal handler while another thread holds a mutex. */
static volatile pid_t forked = -1;

static void fork_handler(int sig)
{
	forked = fork();
	if (forked == 0)
		_exit(use_families());
}

TEST(fork_in_signal_handler)
{
	struct sigaction sa = { .sa_handler = fork_handler };
	struct busy b;

	ASSERT_EQ(0, busy_start(&b));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fflush(NULL);
	ASSERT_EQ(0, raise(SIGUSR1));
	ASSERT_LT(0, forked);
	EXPECT_EQ(0, vt_wait_child(forked, WAIT_MS));
	EXPECT_EQ(0, busy_finish(&b));
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], CHILD_MODE))
		return use_families();
	child_argv[0] = (char *)vt_self_exe();
	vt_reexec_with_binder(argv, "libvlibc.so", REEXEC_MARK,
			      dlsym(RTLD_DEFAULT, "vlibc_binder_bound") != NULL);
	return test_harness_run(argc, argv);
}
