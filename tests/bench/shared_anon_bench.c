// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shared_anon_bench: what libuiommufd-shared-anon.so costs a program.  Run
 * the same binary with and without the shim in LD_PRELOAD
 * (scripts/bench-private-memory.sh); each line is
 *   RESULT <label> <iterations> <median ns per operation>
 * the median of 5 batches.  Every mapping and block is touched (one write
 * per page) as a program would, since a memfd page costs its fault too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024ul * 1024)
#define KiB 1024ul
#define BATCHES 5

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void touch(volatile uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

typedef void (*op_fn)(size_t len);

static void op_mmap(size_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	touch(p, len);
	munmap(p, len);
}

static void op_mmap_untouched(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	munmap(p, len);
}

static void op_malloc(size_t len)
{
	uint8_t *p = malloc(len);

	if (!p)
		exit(1);
	touch(p, len);
	free(p);
}

/* realloc from 64 KiB doubling up to len, touching each new part */
static void op_realloc(size_t len)
{
	size_t n = 64 * KiB;
	uint8_t *p = malloc(n);

	touch(p, n);
	while (n < len) {
		p = realloc(p, n * 2);
		if (!p)
			exit(1);
		touch(p + n, n);
		n *= 2;
	}
	free(p);
}

static uint8_t *fork_mem;

/* fork and wait for a child that exits at once */
static void op_fork(size_t len)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		_exit(fork_mem[len - 1]);
	waitpid(pid, &st, 0);
}

static void measure(const char *label, op_fn fn, size_t len, int iters)
{
	double t[BATCHES];

	fn(len);	/* warm up */
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();

		for (int i = 0; i < iters; i++)
			fn(len);
		t[b] = (now_ns() - t0) / iters;
	}
	qsort(t, BATCHES, sizeof(t[0]), cmp);
	printf("RESULT %s %d %.0f\n", label, iters, t[BATCHES / 2]);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;

	measure("mmap+munmap-1MiB-untouched", op_mmap_untouched, MiB, 100 * scale);
	measure("mmap+touch+munmap-1MiB", op_mmap, MiB, 20 * scale);
	measure("mmap+touch+munmap-64MiB", op_mmap, 64 * MiB, 1 * scale);
	measure("malloc+touch+free-256KiB", op_malloc, 256 * KiB, 50 * scale);
	measure("malloc+touch+free-4MiB", op_malloc, 4 * MiB, 10 * scale);
	measure("realloc-64KiB-to-64MiB", op_realloc, 64 * MiB, 1 * scale);
	for (size_t mib = 16; mib <= 64; mib *= 4) {
		char label[64];

		/* the memory the child must get a copy of, in 4 MiB blocks */
		fork_mem = mmap(NULL, mib * MiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fork_mem == MAP_FAILED)
			return 1;
		touch(fork_mem, mib * MiB);
		snprintf(label, sizeof(label), "fork+exit-%zuMiB", mib);
		measure(label, op_fork, mib * MiB, 2 * scale);
		munmap(fork_mem, mib * MiB);
	}
	return 0;
}
