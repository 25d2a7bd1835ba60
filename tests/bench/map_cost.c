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
 * floor_pin_4k is the pinning work of one pinned MAP+UNMAP done in this
 * process (mmap of the memfd page, mlock, munmap): what a pinned pair
 * costs beyond a no-domain one, at the least; pinned_shared_2m and
 * floor_pin_2m the same for 2 MiB (iters / 10 calls).  floor_pin_switched_*
 * is that work right after a switch from another process (a pipe round
 * trip, reported as *_roundtrip and not counted), as in the daemon.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
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

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

enum src { SRC_SHARED, SRC_PRIVATE, SRC_FILE };

/* MAP then UNMAP len bytes, n times; medians of each call. */
static void map_unmap_len(const char *name, uint32_t ioas, enum src src,
			  void *va, int memfd, uint64_t len, unsigned int n)
{
	double *tm, *tu;
	const uint64_t at = MOCK_APERTURE_START;

	if (!wanted(name))
		return;
	tm = calloc(n, sizeof(double));
	tu = calloc(n, sizeof(double));
	if (!tm || !tu)
		bench_die("calloc", 0);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t iova = at;
		double t0 = now_us(), t1;
		long rc = src == SRC_FILE ?
			itest_map_file(node_fd, ioas, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
				       memfd, 0, len, &iova) :
			itest_map_fixed(node_fd, ioas, MAP_RW, va, len, at);

		t1 = now_us();
		if (rc)
			bench_die(name, 0);
		if (itest_unmap(node_fd, ioas, at, len, NULL))
			bench_die("IOAS_UNMAP", 0);
		tm[i] = t1 - t0;
		tu[i] = now_us() - t1;
	}
	printf("RESULT %s_map %.2f us\n", name, median(tm, n));
	printf("RESULT %s_unmap %.2f us\n", name, median(tu, n));
	free(tm);
	free(tu);
}

/* 4 KiB, iters times. */
static void map_unmap(const char *name, uint32_t ioas, enum src src, void *va,
		      int memfd)
{
	map_unmap_len(name, ioas, src, va, memfd, 4096, iters);
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
		bench_die("calloc", 0);
	for (unsigned int i = 0; i < iters; i++) {
		double t0;

		memset(&cmd, 0, sizeof(cmd));
		cmd.size = sizeof(cmd);
		cmd.ioas_id = 0xfffffff0u;
		t0 = now_us();
		if (ioctl(node_fd, IOMMU_IOAS_IOVA_RANGES, &cmd) != -1 ||
		    errno != ENOENT)
			bench_die("IOAS_IOVA_RANGES on a missing ID", 0);
		t[i] = now_us() - t0;
	}
	printf("RESULT minimal_call %.2f us\n", median(t, iters));
	free(t);
}

/*
 * The pinning work of one pinned MAP+UNMAP of len bytes done here, without
 * the daemon: mmap of the same memfd range, mlock (faults it in), munmap.
 * A pinned MAP+UNMAP costs a no-domain one plus about this.
 */
static void floor_pin(const char *name, int memfd, uint64_t len,
		      unsigned int n)
{
	double *t;

	if (!wanted(name))
		return;
	t = calloc(n, sizeof(double));
	if (!t)
		bench_die("calloc", 0);
	for (unsigned int i = 0; i < n; i++) {
		double t0 = now_us();
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       memfd, 0);

		if (p == MAP_FAILED || mlock(p, len))
			bench_die("mmap+mlock", 0);
		munmap(p, len);
		t[i] = now_us() - t0;
	}
	printf("RESULT %s %.2f us\n", name, median(t, n));
	free(t);
}

/*
 * The same pinning work, each time right after a round trip to another
 * process through a pipe, as the daemon does it after the client's call
 * switched to it: on some hosts (a guest whose hypervisor shadows page
 * tables) the page-table work then costs several times what it costs in
 * a tight loop.  The round trip alone is measured too and taken off.
 */
static void floor_pin_switched(const char *name, int memfd, uint64_t len,
			       unsigned int n)
{
	double *t, *r;
	int a[2], b[2];
	pid_t child;
	char c = 0;

	if (!wanted(name))
		return;
	t = calloc(n, sizeof(double));
	r = calloc(n, sizeof(double));
	if (!t || !r || pipe2(a, O_CLOEXEC) || pipe2(b, O_CLOEXEC))
		bench_die("floor_pin_switched", 0);
	child = fork();
	if (child < 0)
		bench_die("fork", 0);
	if (!child) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1 && write(b[1], &c, 1) == 1)
			;
		_exit(0);
	}
	for (unsigned int i = 0; i < n; i++) {
		double t0 = now_us(), t1;
		void *p;

		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			bench_die("pipe", 0);
		t1 = now_us();
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		if (p == MAP_FAILED || mlock(p, len))
			bench_die("mmap+mlock", 0);
		munmap(p, len);
		t[i] = now_us() - t1;
		r[i] = t1 - t0;
	}
	close(a[1]);
	waitpid(child, NULL, 0);
	close(a[0]);
	close(b[0]);
	close(b[1]);
	printf("RESULT %s %.2f us\n", name, median(t, n));
	printf("RESULT %s_roundtrip %.2f us\n", name, median(r, n));
	free(t);
	free(r);
}

int main(int argc, char **argv)
{
	uint32_t ioas, stdev;
	void *shared, *priv, *shared2m;
	int memfd, memfd2m;

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
		bench_die(argv[1], 0);
	memfd = memfd_create("map_cost", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 4096))
		bench_die("memfd", 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		bench_die("mmap", 0);
	memfd2m = memfd_create("map_cost_2m", MFD_CLOEXEC);
	if (memfd2m < 0 || ftruncate(memfd2m, 2u << 20))
		bench_die("memfd", 0);
	shared2m = mmap(NULL, 2u << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
			memfd2m, 0);
	if (shared2m == MAP_FAILED)
		bench_die("mmap", 0);
	memset(shared2m, 3, 2u << 20);
	memset(shared, 1, 4096);
	memset(priv, 2, 4096);

	minimal_call();
	floor_pin("floor_pin_4k", memfd, 4096, iters);
	floor_pin("floor_pin_2m", memfd2m, 2u << 20, iters / 10 + 1);
	floor_pin_switched("floor_pin_switched_4k", memfd, 4096, iters);
	floor_pin_switched("floor_pin_switched_2m", memfd2m, 2u << 20,
			   iters / 10 + 1);
	if (itest_ioas_alloc(node_fd, &ioas))
		bench_die("IOAS_ALLOC", 0);
	map_unmap("nodomain_shared", ioas, SRC_SHARED, shared, memfd);
	map_unmap("nodomain_private", ioas, SRC_PRIVATE, priv, memfd);
	map_unmap("nodomain_file", ioas, SRC_FILE, NULL, memfd);
	if (itest_mock_domain(node_fd, ioas, &stdev, NULL, NULL))
		bench_die("MOCK_DOMAIN (is the daemon running with --test-interface?)", 0);
	map_unmap("pinned_shared", ioas, SRC_SHARED, shared, memfd);
	map_unmap("pinned_private", ioas, SRC_PRIVATE, priv, memfd);
	map_unmap("pinned_file", ioas, SRC_FILE, NULL, memfd);
	map_unmap_len("pinned_shared_2m", ioas, SRC_SHARED, shared2m, memfd2m,
		      2u << 20, iters / 10 + 1);
	return 0;
}
