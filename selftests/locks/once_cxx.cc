// SPDX-License-Identifier: GPL-2.0
/*
 * A C++ program whose pthread_once() routine throws the first time, and a
 * std::call_once() whose callable throws the first time: the exception
 * must leave the once reusable (glibc's pthread_once is exception-safe;
 * so must be vlibc's, which runs the routine from the binder).  Exit 0 when
 * the second call ran the routine again and the third did not; prints
 * what it saw.
 */
#include <cstdio>
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
	return runs == 2 && calls == 2 && caught == 2 ? 0 : 1;
}
