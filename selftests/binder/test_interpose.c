// SPDX-License-Identifier: GPL-2.0
/*
 * The binder's prctl() and syscall() (binder/sandbox.c): bound ahead of
 * glibc's, always ending in glibc's own function, and indistinguishable
 * from it: the same result and errno for a spread of calls, with every
 * argument (syscall()'s sixth system call argument travels on the stack),
 * on the fast way (any other call) and on the slow way (a call that may
 * install a seccomp filter, which the binder announces to the families
 * first).  The program runs itself again with the binder preloaded.
 */
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "vlibc_test.h"

#define REEXEC_MARK	"INTERPOSE_SELFTEST_REEXECUTED"
#define PAGE		4096

typedef long (*syscall_fn)(long, ...);
typedef int (*prctl_fn)(int, ...);

/* glibc's own definition of @name, from libc.so.6 itself. */
static void *glibc_own(const char *name)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

	return libc ? dlsym(libc, name) : NULL;
}

/* A call's outcome: the value and errno (errno is set to 12345 before). */
struct outcome {
	long	ret;
	int	err;
};

#define ERRNO_MARK	12345
#define OUTCOME(expr)	({ struct outcome __o; errno = ERRNO_MARK;	\
			   __o.ret = (long)(expr); __o.err = errno; __o; })

#define EXPECT_SAME(a, b) do {						\
		struct outcome __a = (a), __b = (b);			\
		EXPECT_EQ(__a.ret, __b.ret);				\
		EXPECT_EQ(__a.err, __b.err);				\
	} while (0)

TEST(bound_ahead_of_glibc)
{
	void *(*bound)(const char *) = dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	char path[4096];
	void *ours = dlsym(RTLD_DEFAULT, "syscall");

	ASSERT_NE(NULL, ours);
	ASSERT_EQ(0, vt_mapping_path((unsigned long)ours, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(path, "libvlibc")) TH_LOG("syscall in %s", path);
	ours = dlsym(RTLD_DEFAULT, "prctl");
	ASSERT_NE(NULL, ours);
	ASSERT_EQ(0, vt_mapping_path((unsigned long)ours, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(path, "libvlibc")) TH_LOG("prctl in %s", path);
	/* Whatever the families decided, the target is glibc's own. */
	EXPECT_STREQ("glibc", vt_bound_owner("syscall", path, sizeof(path)));
	EXPECT_STREQ("glibc", vt_bound_owner("prctl", path, sizeof(path)));
	ASSERT_NE(NULL, bound);
	EXPECT_EQ(glibc_own("syscall"), bound("syscall"));
	EXPECT_EQ(glibc_own("prctl"), bound("prctl"));
}

/* The fast way: results, errno, and arguments up to the sixth. */
TEST(syscall_forwards_like_glibc)
{
	syscall_fn own = glibc_own("syscall");
	uint32_t word = 7;
	struct timespec past = { 0, 0 };
	unsigned char *p;
	char file[] = "/tmp/vlibc-interpose.XXXXXX";
	unsigned char page[PAGE];
	int fd;

	ASSERT_NE(NULL, own);
	ASSERT_NE((void *)own, (void *)syscall);
	EXPECT_SAME(OUTCOME(syscall(SYS_getpid)), OUTCOME(own(SYS_getpid)));
	EXPECT_EQ(getpid(), syscall(SYS_getpid));
	/* Success leaves errno alone, as glibc's does. */
	EXPECT_EQ(ERRNO_MARK, OUTCOME(syscall(SYS_getppid)).err);
	/* A failure: -1 and the kernel's error in errno. */
	EXPECT_SAME(OUTCOME(syscall(SYS_close, -1)), OUTCOME(own(SYS_close, -1)));
	EXPECT_EQ(EBADF, OUTCOME(syscall(SYS_close, -1)).err);
	/*
	 * futex(FUTEX_WAIT_BITSET) with a deadline already past: the bitset
	 * is the sixth argument, on the stack.  0 is invalid (EINVAL), any
	 * other value waits until the deadline (ETIMEDOUT).
	 */
	EXPECT_SAME(OUTCOME(syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE,
				    7, &past, NULL, 0)),
		    OUTCOME(own(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE,
				7, &past, NULL, 0)));
	EXPECT_EQ(EINVAL, OUTCOME(syscall(SYS_futex, &word,
					  FUTEX_WAIT_BITSET_PRIVATE, 7, &past,
					  NULL, 0)).err);
	EXPECT_EQ(ETIMEDOUT, OUTCOME(syscall(SYS_futex, &word,
					     FUTEX_WAIT_BITSET_PRIVATE, 7,
					     &past, NULL, FUTEX_BITSET_MATCH_ANY)).err);
	/* mmap's offset, the sixth argument: the second page of a file. */
	fd = mkstemp(file);
	ASSERT_LE(0, fd);
	unlink(file);
	memset(page, 'a', sizeof(page));
	ASSERT_EQ(0, vt_write_full(fd, page, sizeof(page)));
	memset(page, 'b', sizeof(page));
	ASSERT_EQ(0, vt_write_full(fd, page, sizeof(page)));
	p = (void *)syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	ASSERT_NE(MAP_FAILED, (void *)p);
	EXPECT_EQ('b', p[0]);
	EXPECT_EQ('b', p[PAGE - 1]);
	munmap(p, PAGE);
	close(fd);
}

TEST(prctl_forwards_like_glibc)
{
	prctl_fn own = glibc_own("prctl");
	char name[16] = "", old[16] = "";

	ASSERT_NE(NULL, own);
	ASSERT_NE((void *)own, (void *)prctl);
	ASSERT_EQ(0, prctl(PR_GET_NAME, old));
	EXPECT_SAME(OUTCOME(prctl(PR_SET_NAME, "vlibc-ipose")),
		    OUTCOME(own(PR_SET_NAME, "vlibc-ipose")));
	EXPECT_EQ(0, prctl(PR_GET_NAME, name));
	EXPECT_STREQ("vlibc-ipose", name);
	EXPECT_EQ(ERRNO_MARK, OUTCOME(prctl(PR_GET_NAME, name)).err);
	prctl(PR_SET_NAME, old);
	/* An option no kernel has: EINVAL. */
	EXPECT_SAME(OUTCOME(prctl(0x7ffffff0, 1, 2, 3, 4)),
		    OUTCOME(own(0x7ffffff0, 1, 2, 3, 4)));
	EXPECT_EQ(EINVAL, OUTCOME(prctl(0x7ffffff0, 1, 2, 3, 4)).err);
}

/*
 * The slow way: calls that may install a filter, failing here (a bad
 * mode, bad flags, no program), reach glibc with their arguments and
 * give glibc's errno.
 */
TEST(sandbox_calls_forward_like_glibc)
{
	prctl_fn own_prctl = glibc_own("prctl");
	syscall_fn own = glibc_own("syscall");

	ASSERT_NE(NULL, own_prctl);
	ASSERT_NE(NULL, own);
	EXPECT_SAME(OUTCOME(prctl(PR_SET_SECCOMP, 999)),
		    OUTCOME(own_prctl(PR_SET_SECCOMP, 999)));
	EXPECT_EQ(EINVAL, OUTCOME(prctl(PR_SET_SECCOMP, 999)).err);
	/* No program: EFAULT (as root), or EACCES without NO_NEW_PRIVS. */
	EXPECT_SAME(OUTCOME(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL)),
		    OUTCOME(own_prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL)));
	EXPECT_NE(ERRNO_MARK, OUTCOME(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
					    NULL)).err);
	EXPECT_SAME(OUTCOME(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				    0x7fff0000, NULL)),
		    OUTCOME(own(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				0x7fff0000, NULL)));
	EXPECT_EQ(EINVAL, OUTCOME(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					  0x7fff0000, NULL)).err);
	/* Strict mode takes no flags. */
	EXPECT_EQ(EINVAL, OUTCOME(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT,
					  1, NULL)).err);
	EXPECT_SAME(OUTCOME(syscall(SYS_prctl, PR_SET_SECCOMP, 999, 0, 0, 0, 0)),
		    OUTCOME(own(SYS_prctl, PR_SET_SECCOMP, 999, 0, 0, 0, 0)));
	/* Another seccomp operation: the fast way's compare, then glibc. */
	EXPECT_SAME(OUTCOME(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
				    NULL)),
		    OUTCOME(own(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, NULL)));
}

/* Install a filter that allows everything, through prctl or syscall. */
static int allow_all_child(void *via_syscall)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, code };
	long r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 1;
	errno = ERRNO_MARK;
	if (via_syscall)
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_TSYNC, &prog);
	else
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
	if (r || errno != ERRNO_MARK)
		return 2;
	/* The binder's families still work under it. */
	{
		unsigned char b[16];
		pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

		if (getrandom(b, sizeof(b), 0) != sizeof(b) ||
		    pthread_mutex_lock(&m) || pthread_mutex_unlock(&m))
			return 3;
	}
	return 0;
}

/* A filter that goes in: 0 returned, errno untouched, as from glibc. */
TEST(filter_installed_through_either)
{
	EXPECT_EQ(0, vt_run_child(allow_all_child, NULL, 5000));
	EXPECT_EQ(0, vt_run_child(allow_all_child, (void *)1, 5000));
}

int main(int argc, char **argv)
{
	vt_reexec_with_binder(argv, "libvlibc.so", REEXEC_MARK, 0);
	return test_harness_run(argc, argv);
}
