// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up cost with the binder at work: one getrandom() call, so the
 * getrandom family binds and the image is set up, then exit.
 */
#include <sys/random.h>

int main(void)
{
	unsigned char buf[16];

	return getrandom(buf, sizeof(buf), 0) == sizeof(buf) ? 0 : 1;
}
