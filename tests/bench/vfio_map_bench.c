// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MAP+UNMAP throughput onto a real device's IOMMU, two ways in the same
 * guest:
 *   vfio_map_bench iommufd IOMMUFD DEVICE [--secs S]
 *       through an iommufd (the daemon's /dev/iommu, a vfio:BDF device
 *       node attached to the IOAS): IOMMU_IOAS_MAP + IOMMU_IOAS_UNMAP;
 *   vfio_map_bench type1 GROUP BDF [--secs S]
 *       the kernel's VFIO type1 container directly: VFIO_IOMMU_MAP_DMA +
 *       VFIO_IOMMU_UNMAP_DMA.
 * The memory is one memfd, MAP_SHARED and faulted in before timing, so
 * each pair pins and unpins: the work a driver's map costs.  For each of
 * 4 KiB, 2 MiB and 64 MiB, pairs are timed for S seconds (at least 3)
 * and the median pair reported:
 *   RESULT <way>_<size> <pairs/s> <median us> <MiB/s>
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "edu_ops.h"

#define IOVA 0x1000000ull
#define BIG (64ull << 20)
#define MAX_SAMPLES 200000

static double samples[MAX_SAMPLES];

struct way {
	const char *name;
	int fd;
	uint32_t ioas;
	int (*map)(struct way *w, void *va, uint64_t len);
	int (*unmap)(struct way *w, uint64_t len);
};

static int iommufd_map(struct way *w, void *va, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = w->ioas, .user_va = (uintptr_t)va,
		.length = len, .iova = IOVA,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	return edu_ioctl(w->fd, IOMMU_IOAS_MAP, &m);
}

static int iommufd_unmap(struct way *w, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = w->ioas, .iova = IOVA, .length = len,
	};

	return edu_ioctl(w->fd, IOMMU_IOAS_UNMAP, &u);
}

static int type1_map(struct way *w, void *va, uint64_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = IOVA, .size = len,
	};

	return edu_ioctl(w->fd, VFIO_IOMMU_MAP_DMA, &m);
}

static int type1_unmap(struct way *w, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = IOVA, .size = len,
	};

	return edu_ioctl(w->fd, VFIO_IOMMU_UNMAP_DMA, &u);
}

static void measure(struct way *w, void *mem, uint64_t len, double secs)
{
	double t0 = bench_now_s(), med;
	size_t n = 0;
	int rc;

	while (n < MAX_SAMPLES && (n < 3 || bench_now_s() - t0 < secs)) {
		double a = bench_now_s();

		rc = w->map(w, mem, len);
		if (rc)
			bench_die("map", rc);
		rc = w->unmap(w, len);
		if (rc)
			bench_die("unmap", rc);
		samples[n++] = (bench_now_s() - a) * 1e6;
	}
	qsort(samples, n, sizeof(samples[0]), bench_cmp_double);
	med = samples[n / 2];
	printf("RESULT %s_%llu%s %.0f %.1f %.1f\n", w->name,
	       (unsigned long long)(len >= (1 << 20) ? len >> 20 : len >> 10),
	       len >= (1 << 20) ? "m" : "k", 1e6 / med, med,
	       (double)len / (1 << 20) / (med * 1e-6));
	fflush(stdout);
}

static void open_iommufd(struct way *w, const char *iommufd, const char *dev)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct edu_handle d = { .fd = -1 };
	int rc;

	w->fd = open(iommufd, O_RDWR | O_CLOEXEC);
	d.fd = open(dev, O_RDWR | O_CLOEXEC);
	if (w->fd < 0 || d.fd < 0)
		bench_die("open", 0);
	rc = edu_ioctl(w->fd, IOMMU_IOAS_ALLOC, &a);
	if (rc)
		bench_die("IOAS_ALLOC", rc);
	w->ioas = a.out_ioas_id;
	/* The device attached: every map reaches the hardware. */
	rc = edu_bind_attach(&d, w->fd, w->ioas);
	if (rc)
		bench_die("bind/attach", rc);
	w->map = iommufd_map;
	w->unmap = iommufd_unmap;
}

static void open_type1(struct way *w, const char *group, const char *bdf)
{
	char path[64];
	int gfd, dfd;

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	w->fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	gfd = open(path, O_RDWR | O_CLOEXEC);
	if (w->fd < 0 || gfd < 0)
		bench_die("open container/group", 0);
	if (ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &w->fd) ||
	    ioctl(w->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		bench_die("container", 0);
	dfd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dfd < 0)
		bench_die("device fd", 0);
	w->map = type1_map;
	w->unmap = type1_unmap;
}

int main(int argc, char **argv)
{
	static const uint64_t sizes[] = { 4096, 2ull << 20, BIG };
	struct way w = { 0 };
	double secs = 2;
	uint8_t *mem;
	int mfd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s iommufd IOMMUFD DEVICE | type1 GROUP BDF [--secs S]\n",
			argv[0]);
		return 2;
	}
	if (argc > 5 && !strcmp(argv[4], "--secs"))
		secs = atof(argv[5]);
	if (!strcmp(argv[1], "iommufd")) {
		w.name = "daemon";
		open_iommufd(&w, argv[2], argv[3]);
	} else if (!strcmp(argv[1], "type1")) {
		w.name = "kernel";
		open_type1(&w, argv[2], argv[3]);
	} else {
		return 2;
	}
	mfd = memfd_create("vfio_map_bench", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, BIG))
		bench_die("memfd", 0);
	mem = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mem == MAP_FAILED)
		bench_die("mmap", 0);
	memset(mem, 1, BIG);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		measure(&w, mem, sizes[i], secs);
	return 0;
}
