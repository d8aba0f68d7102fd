// SPDX-License-Identifier: GPL-2.0
/*
 * A C++ program whose pthread_once() routine throws the first time, and a
 * std::call_once() whose callable throws the first time: the exception
 * must leave the once reusable (glibc's pthread_once is exception-safe;
 * so must be vlibc's, which runs the routine from the binder).  Exit 0 when
 * the second call ran the routine again and the third did not; prints
 * what it saw.
 *
 * Run before the process's first thread, the pthread_once() calls are
 * glibc's, counted by the binder while under way: the exception must
 * count the call out too, or pthread_once would stay on glibc for good
 * at the first thread.  A thread is created last to check that.
 */
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <pthread.h>
#include <stdexcept>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int runs;

static void routine()
{
	if (++runs == 1)
		throw std::runtime_error("first run");
}

/* The file of the object holding @addr, or "". */
static const char *object_of(void *addr)
{
	Dl_info info;

	return addr && dladdr(addr, &info) && info.dli_fname ? info.dli_fname : "";
}

static void *no_work(void *arg)
{
	return arg;
}

/*
 * After the first thread, under a binder whose locks family runs on
 * vlibc, pthread_once is the binder's (no glibc once was left counted).
 */
static bool once_bound_after_thread()
{
	void *(*bound)(const char *) = (void *(*)(const char *))
		dlsym(RTLD_DEFAULT, "vlibc_binder_bound");
	pthread_t t;

	if (pthread_create(&t, NULL, no_work, NULL) || pthread_join(t, NULL))
		return false;
	if (!bound || std::strstr(object_of(bound("pthread_mutex_lock")), "libc.so"))
		return true;	/* no binder, or the family on glibc */
	std::printf("pthread_once after the first thread: %s\n",
		    object_of(bound("pthread_once")));
	return std::strstr(object_of(bound("pthread_once")), "libvlibc") != NULL;
}

int main()
{
	std::once_flag flag;
	int calls = 0, caught = 0;

	for (int i = 0; i < 3; i++) {
		try {
			pthread_once(&once, routine);
		} catch (const std::exception &) {
			caught++;
		}
		try {
			std::call_once(flag, [&] {
				if (++calls == 1)
					throw 1;
			});
		} catch (int) {
			caught++;
		}
	}
	std::printf("pthread_once runs=%d call_once calls=%d caught=%d\n",
		    runs, calls, caught);
	if (runs != 2 || calls != 2 || caught != 2)
		return 1;
	return once_bound_after_thread() ? 0 : 1;
}
