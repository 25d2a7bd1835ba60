// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What one IOAS_MAP costs, call by call, against a daemon started with
 * --test-interface:
 *   map_cost NODE [--iters N] [--only PREFIX]
 * Each figure is the median of N timed calls (4 KiB each, MAP and UNMAP
 * timed separately), printed as "RESULT <name> <median_us> us".  The
 * minimal call (IOAS_IOVA_RANGES on an ID that does not exist: the
 * argument is read and the call fails at once) is the yardstick: a MAP
 * costs that plus whatever the daemon does for the map.  Run it against
 * two builds of the daemon in one run to see what a change costs.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "itest_ops.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static int node_fd;
static unsigned int iters = 5000;
static const char *only; /* --only PREFIX: just the figures named so */

static bool wanted(const char *name)
{
	return !only || !strncmp(name, only, strlen(only));
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static void die(const char *what)
{
	fprintf(stderr, "map_cost: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

enum src { SRC_SHARED, SRC_PRIVATE, SRC_FILE };

/* MAP then UNMAP 4 KiB, iters times; medians of each call. */
static void map_unmap(const char *name, uint32_t ioas, enum src src, void *va,
		      int memfd)
{
	double *tm = calloc(iters, sizeof(double));
	double *tu = calloc(iters, sizeof(double));
	const uint64_t at = MOCK_APERTURE_START;

	if (!wanted(name)) {
		free(tm);
		free(tu);
		return;
	}
	if (!tm || !tu)
		die("calloc");
	for (unsigned int i = 0; i < iters; i++) {
		uint64_t iova = at;
		double t0 = now_us(), t1;
		long rc = src == SRC_FILE ?
			itest_map_file(node_fd, ioas, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
				       memfd, 0, 4096, &iova) :
			itest_map_fixed(node_fd, ioas, MAP_RW, va, 4096, at);

		t1 = now_us();
		if (rc)
			die(name);
		if (itest_unmap(node_fd, ioas, at, 4096, NULL))
			die("IOAS_UNMAP");
		tm[i] = t1 - t0;
		tu[i] = now_us() - t1;
	}
	printf("RESULT %s_map %.2f us\n", name, median(tm, iters));
	printf("RESULT %s_unmap %.2f us\n", name, median(tu, iters));
	free(tm);
	free(tu);
}

static void minimal_call(void)
{
	double *t = calloc(iters, sizeof(double));
	struct iommu_ioas_iova_ranges cmd;

	if (!wanted("minimal_call")) {
		free(t);
		return;
	}
	if (!t)
		die("calloc");
	for (unsigned int i = 0; i < iters; i++) {
		double t0;

		memset(&cmd, 0, sizeof(cmd));
		cmd.size = sizeof(cmd);
		cmd.ioas_id = 0xfffffff0u;
		t0 = now_us();
		if (ioctl(node_fd, IOMMU_IOAS_IOVA_RANGES, &cmd) != -1 ||
		    errno != ENOENT)
			die("IOAS_IOVA_RANGES on a missing ID");
		t[i] = now_us() - t0;
	}
	printf("RESULT minimal_call %.2f us\n", median(t, iters));
	free(t);
}

int main(int argc, char **argv)
{
	uint32_t ioas, stdev;
	void *shared, *priv;
	int memfd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s NODE [--iters N] [--only PREFIX]\n",
			argv[0]);
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--iters"))
			iters = (unsigned int)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--only"))
			only = argv[i + 1];
	}
	if (!iters)
		iters = 1;
	node_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (node_fd < 0)
		die(argv[1]);
	memfd = memfd_create("map_cost", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 4096))
		die("memfd");
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		die("mmap");
	memset(shared, 1, 4096);
	memset(priv, 2, 4096);

	minimal_call();
	if (itest_ioas_alloc(node_fd, &ioas))
		die("IOAS_ALLOC");
	map_unmap("nodomain_shared", ioas, SRC_SHARED, shared, memfd);
	map_unmap("nodomain_private", ioas, SRC_PRIVATE, priv, memfd);
	map_unmap("nodomain_file", ioas, SRC_FILE, NULL, memfd);
	if (itest_mock_domain(node_fd, ioas, &stdev, NULL, NULL))
		die("MOCK_DOMAIN (is the daemon running with --test-interface?)");
	map_unmap("pinned_shared", ioas, SRC_SHARED, shared, memfd);
	map_unmap("pinned_private", ioas, SRC_PRIVATE, priv, memfd);
	map_unmap("pinned_file", ioas, SRC_FILE, NULL, memfd);
	return 0;
}
