// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS map/unmap throughput against a daemon started with --test-interface.
 *   ioas_bench [--areas-only[=N]] NODE [DAEMON_PID]
 * DAEMON_PID (or $UIOMMUFD_DAEMON_PID) enables the resident-memory figure.
 * --areas-only runs only the many-areas part (N areas, default 1,000,000),
 * so that two daemons can be compared back to back in one run.
 *
 * For 4 KiB, 2 MiB, 64 MiB and 1 GiB of shared memory (a memfd mapped
 * MAP_SHARED): MAP+UNMAP pairs into an IOAS with a mock domain (so every
 * MAP pins), the same without a domain (bookkeeping only), and the floor of
 * the pinning work done directly in one process (mmap of the same memfd +
 * mlock + munlock + munmap), all in GiB/s of memory mapped.  Then one
 * million 4 KiB areas: time to map them all, to unmap them all, and the
 * daemon's resident memory per area.
 *
 * Output: one "RESULT <name> <value> <unit>" line per figure, then a table.
 * Pin the benchmark and the daemon to one CPU (taskset) when measuring.
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

#include "bench_util.h"
#include "itest_ops.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE | \
		IOMMU_IOAS_MAP_FIXED_IOVA)

static int node_fd;

static uint32_t ioas_alloc(void)
{
	uint32_t id;

	if (itest_ioas_alloc(node_fd, &id))
		bench_die("IOAS_ALLOC", 0);
	return id;
}

static void destroy(uint32_t id)
{
	if (itest_destroy(node_fd, id))
		bench_die("DESTROY", 0);
}

static uint32_t mock_domain(uint32_t ioas)
{
	uint32_t stdev;

	if (itest_mock_domain(node_fd, ioas, &stdev, NULL, NULL))
		bench_die("MOCK_DOMAIN (is the daemon running with --test-interface?)", 0);
	return stdev;
}

static void map(uint32_t ioas, void *va, uint64_t len, uint64_t iova)
{
	if (itest_map_fixed(node_fd, ioas, MAP_RW, va, len, iova))
		bench_die("IOAS_MAP", 0);
}

static void unmap(uint32_t ioas, uint64_t iova, uint64_t len)
{
	if (itest_unmap(node_fd, ioas, iova, len, NULL))
		bench_die("IOAS_UNMAP", 0);
}

/* Enough iterations for ~0.5 s or 16 GiB, at least 3. */
static unsigned int iters_for(uint64_t len, double one)
{
	double by_time = 0.5 / (one > 1e-7 ? one : 1e-7);
	double by_bytes = (16.0 * (1ull << 30)) / (double)len;
	double n = by_time < by_bytes ? by_time : by_bytes;

	return n < 3 ? 3 : n > 200000 ? 200000 : (unsigned int)n;
}

static double bench_ioas(uint32_t ioas, void *va, uint64_t len)
{
	const uint64_t iova = MOCK_APERTURE_START;
	double t0 = bench_now_s(), t1;
	unsigned int n;

	map(ioas, va, len, iova);
	unmap(ioas, iova, len);
	n = iters_for(len, bench_now_s() - t0);
	t0 = bench_now_s();
	for (unsigned int i = 0; i < n; i++) {
		map(ioas, va, len, iova);
		unmap(ioas, iova, len);
	}
	t1 = bench_now_s();
	return (double)len * n / (t1 - t0) / (1ull << 30);
}

/* The floor: the daemon's pinning work done here, without the daemon. */
static double bench_floor(int memfd, uint64_t len)
{
	double t0 = bench_now_s(), t1;
	unsigned int n = 1;

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			t0 = bench_now_s();
		for (unsigned int i = 0; i < n; i++) {
			void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, memfd, 0);

			if (p == MAP_FAILED || mlock(p, len))
				bench_die("floor mmap/mlock", 0);
			munlock(p, len);
			munmap(p, len);
		}
		if (!pass)
			n = iters_for(len, bench_now_s() - t0);
	}
	t1 = bench_now_s();
	return (double)len * n / (t1 - t0) / (1ull << 30);
}

static long rss_kb(const char *pid)
{
	return itest_proc_status_kb(pid, "VmRSS");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; uint64_t len; } sizes[] = {
		{ "4K", 4096 }, { "2M", 2ull << 20 },
		{ "64M", 64ull << 20 }, { "1G", 1ull << 30 },
	};
	const char *dpid;
	double dom[4], bare[4], floor_[4];
	unsigned int nareas = 1000000;
	bool areas_only = false;
	double t_map, t_unmap;
	long rss0, rss1;
	uint32_t ioas, stdev;
	int memfd;
	void *va;

	if (argc > 1 && !strncmp(argv[1], "--areas-only", 12)) {
		areas_only = true;
		if (argv[1][12] == '=')
			nareas = strtoul(argv[1] + 13, NULL, 0);
		argv++;
		argc--;
	}
	if (argc < 2 || !nareas) {
		fprintf(stderr, "usage: %s [--areas-only[=N]] NODE [DAEMON_PID]\n",
			argv[0]);
		return 2;
	}
	dpid = argc > 2 ? argv[2] : getenv("UIOMMUFD_DAEMON_PID");
	node_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (node_fd < 0)
		bench_die(argv[1], 0);
	memfd = memfd_create("ioas_bench", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 1ull << 30))
		bench_die("memfd", 0);
	va = mmap(NULL, 1ull << 30, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (va == MAP_FAILED)
		bench_die("mmap", 0);
	memset(va, 1, areas_only ? 4096 : 1ull << 30);

	for (unsigned int i = 0; i < 4 && !areas_only; i++) {
		ioas = ioas_alloc();
		stdev = mock_domain(ioas);
		dom[i] = bench_ioas(ioas, va, sizes[i].len);
		destroy(stdev);
		bare[i] = bench_ioas(ioas, va, sizes[i].len);
		destroy(ioas);
		floor_[i] = bench_floor(memfd, sizes[i].len);
		printf("RESULT ioas_map_unmap_pinned_%s %.3f GiB/s\n", sizes[i].name, dom[i]);
		printf("RESULT ioas_map_unmap_bookkeeping_%s %.3f GiB/s\n", sizes[i].name, bare[i]);
		printf("RESULT floor_mmap_mlock_%s %.3f GiB/s\n", sizes[i].name, floor_[i]);
	}

	/* Many areas, bookkeeping only (pins would be 4 GiB per million). */
	ioas = ioas_alloc();
	rss0 = rss_kb(dpid);
	t_map = bench_now_s();
	for (unsigned int i = 0; i < nareas; i++)
		map(ioas, va, 4096, (uint64_t)(i + 1) * 8192);
	t_map = bench_now_s() - t_map;
	rss1 = rss_kb(dpid);
	t_unmap = bench_now_s();
	unmap(ioas, 0, UINT64_MAX);
	t_unmap = bench_now_s() - t_unmap;
	destroy(ioas);
	printf("RESULT ioas_1M_areas_map_all %.3f s\n", t_map);
	printf("RESULT ioas_1M_areas_unmap_all %.3f s\n", t_unmap);
	if (rss0 >= 0 && rss1 >= 0)
		printf("RESULT ioas_rss_per_area %.1f bytes\n",
		       (rss1 - rss0) * 1024.0 / nareas);

	printf("\n%-6s %14s %14s %14s\n", "size", "pinned GiB/s",
	       "no-domain GiB/s", "floor GiB/s");
	for (unsigned int i = 0; i < 4 && !areas_only; i++)
		printf("%-6s %14.3f %14.3f %14.3f\n", sizes[i].name, dom[i],
		       bare[i], floor_[i]);
	printf("%u areas: map all %.2f s (%.2f us/map), unmap all %.2f s",
	       nareas, t_map, t_map * 1e6 / nareas, t_unmap);
	if (rss0 >= 0 && rss1 >= 0)
		printf(", daemon RSS %.0f bytes/area", (rss1 - rss0) * 1024.0 / nareas);
	printf("\n");
	return 0;
}
