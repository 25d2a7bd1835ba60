// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * edu DMA round trips per second through a VFIO device cdev bound to an
 * iommufd (the daemon's software edu, --device edu):
 *   edu_bench IOMMUFD DEVICE [--secs S]
 * A round trip of a size moves that many bytes RAM -> device -> RAM
 * through an IOAS: 4 KiB is one transfer each way of the device's whole
 * buffer, 64 KiB sixteen of them each way.  A transfer is what a driver
 * does: write source, destination, count and command to BAR0, read the
 * command back until it completes (the software device completes in the
 * write: one read), five pread/pwrite calls.  Prints
 *   RESULT edu_rt_<size> <round trips/s> <us per round trip>
 *   RESULT edu_bar_read <reads/s> <us per read>
 * the last being one BAR0 register read, the unit all of this costs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench_edu.h"

#define IOVA_SRC 0x100000
#define IOVA_DST 0x1000000

static int map(int fd, uint32_t ioas, void *va, size_t len, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = ioas, .user_va = (uintptr_t)va,
		.length = len, .iova = iova,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	return edu_ioctl(fd, IOMMU_IOAS_MAP, &m);
}

#define MAX_SAMPLES 1000000
static double samples[MAX_SAMPLES];

/*
 * RESULT NAME PER_S MEDIAN_US MEAN_US: the rate is the median's (one
 * figure a loaded machine's stalls do not drag down), the mean beside it.
 */
static void report(const char *name, size_t kib, size_t n)
{
	double sum = 0, med;

	for (size_t i = 0; i < n; i++)
		sum += samples[i];
	qsort(samples, n, sizeof(samples[0]), bench_cmp_double);
	med = samples[n / 2];
	if (kib)
		printf("RESULT %s%zuk %.0f %.2f %.2f\n", name, kib, 1e6 / med, med, sum / n);
	else
		printf("RESULT %s %.0f %.2f %.2f\n", name, 1e6 / med, med, sum / n);
}

/* Each 4 KiB pair of the 64 KiB round trips, timed on its own. */
static double pairs[MAX_SAMPLES];
static size_t nr_pairs;

static int roundtrip(struct edu_handle *d, size_t len)
{
	for (size_t off = 0; off < len; off += EDU_BUF_SIZE) {
		double s0 = bench_now_s();
		int rc = edu_dma(d, IOVA_SRC + off, 0, EDU_BUF_SIZE, false, false);

		if (!rc)
			rc = edu_dma(d, IOVA_DST + off, 0, EDU_BUF_SIZE, true, false);
		if (rc)
			return rc;
		if (len > EDU_BUF_SIZE && nr_pairs < MAX_SAMPLES)
			pairs[nr_pairs++] = (bench_now_s() - s0) * 1e6;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t ioas;
	static const size_t sizes[] = { 4096, 65536 };
	struct edu_handle dev;
	double secs = 2, t0, t = 0;
	uint8_t *src, *dst;
	uint32_t v;
	int fd, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s IOMMUFD DEVICE [--secs S]\n", argv[0]);
		return 2;
	}
	if (argc > 4 && !strcmp(argv[3], "--secs"))
		secs = atof(argv[4]);
	ioas = bench_edu_open(argv[1], argv[2], &fd, &dev);
	src = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		bench_die("mmap", 0);
	for (int i = 0; i < 65536; i++)
		src[i] = (uint8_t)(i * 31 + 7);
	if ((rc = map(fd, ioas, src, 65536, IOVA_SRC)) ||
	    (rc = map(fd, ioas, dst, 65536, IOVA_DST)))
		bench_die("IOAS_MAP", rc);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = 0;

		memset(dst, 0, 65536);
		t0 = bench_now_s();
		do {
			double s0 = bench_now_s();

			if ((rc = roundtrip(&dev, sizes[i])))
				bench_die("DMA", rc);
			t = bench_now_s();
			if (n < MAX_SAMPLES)
				samples[n++] = (t - s0) * 1e6;
		} while (t - t0 < secs);
		if (memcmp(src, dst, sizes[i]))
			bench_die("the bytes did not come back", -EIO);
		report("edu_rt_", sizes[i] / 1024, n);
	}
	/*
	 * 64 KiB from its pairs' median: what a round trip costs when nothing
	 * else takes the CPU in the middle of it (a 64 KiB round trip is long
	 * enough that on a loaded machine most of them are preempted).
	 */
	if (nr_pairs) {
		qsort(pairs, nr_pairs, sizeof(pairs[0]), bench_cmp_double);
		printf("RESULT edu_rt_64k_from_pairs %.0f %.2f %.2f\n",
		       1e6 / (16 * pairs[nr_pairs / 2]), 16 * pairs[nr_pairs / 2],
		       16 * pairs[nr_pairs / 2]);
	}
	{
		size_t n = 0;

		t0 = bench_now_s();
		do {
			double s0 = bench_now_s();

			if ((rc = edu_read32(&dev, EDU_ID_REG, &v)))
				bench_die("BAR read", rc);
			t = bench_now_s();
			if (n < MAX_SAMPLES)
				samples[n++] = (t - s0) * 1e6;
		} while (t - t0 < secs / 2 && n < MAX_SAMPLES);
		report("edu_bar_read", 0, n);
	}
	close(dev.fd);
	close(fd);
	return 0;
}
