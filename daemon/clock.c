// SPDX-License-Identifier: GPL-2.0-or-later
#include "clock.h"

unsigned long long monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull +
	       (unsigned long long)ts.tv_nsec / 1000;
}

void clock_deadline(clockid_t clk, unsigned long long us, struct timespec *ts)
{
	clock_gettime(clk, ts);
	ts->tv_sec += (time_t)(us / 1000000ull);
	ts->tv_nsec += (long)(us % 1000000ull * 1000);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
