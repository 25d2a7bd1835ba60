/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time for the daemon's bookkeeping: monotonic microseconds (watchdog,
 * stop deadlines, busy requests) and the absolute time a timed wait on a
 * condition variable takes.
 */
#ifndef UIOMMUFD_CLOCK_H
#define UIOMMUFD_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC in microseconds. */
unsigned long long monotonic_us(void);

/*
 * *ts = now on clk plus us microseconds: the deadline of a timed wait on a
 * condition variable whose clock is clk.
 */
void clock_deadline(clockid_t clk, unsigned long long us, struct timespec *ts);

#endif
