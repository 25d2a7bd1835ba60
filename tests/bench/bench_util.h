/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark client needs around its timed loop: a clock, a
 * sort order for samples, and an exit that names the program and the step.
 */
#ifndef UIOMMUFD_BENCH_UTIL_H
#define UIOMMUFD_BENCH_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* For qsort() of doubles, smallest first (medians, percentiles). */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* err: a negative errno returned by the step, or 0 to take errno. */
static inline void bench_die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(err < 0 ? -err : errno));
	exit(1);
}

#endif
