/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tests' random numbers: xorshift64*, so a seed gives the same sequence
 * on every libc and a failure can be replayed from the seed alone.
 */
#ifndef UIOMMUFD_TEST_RNG_H
#define UIOMMUFD_TEST_RNG_H

#include <stdint.h>

static inline uint64_t test_rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

#endif
