// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS MAP+UNMAP throughput with a real device attached, written against
 * the kernel's ABI only, so that one binary measures the kernel's own
 * /dev/iommu with vfio-pci's cdev and the daemon's nodes with
 * --device vfio:BDF (tests/vm/vfio-kiommufd-bench.sh):
 *   real_map_bench IOMMUFD DEVICE [--secs S] [--check-file]
 * The device (QEMU's edu) is bound and attached to a fresh IOAS, so every
 * map goes to its IOMMU page table.  For 4 KiB, 2 MiB and 64 MiB of one
 * shared memfd, MAP (by VA) and MAP_FILE (by fd) pairs with UNMAP at a
 * fixed IOVA are timed for S seconds each (at least three pairs):
 *   RESULT map_<va|file>_<size> <pairs/s> <median us> <MiB/s>
 * --check-file first moves a page through the device from an IOAS_MAP_FILE
 * mapping and back, then checks that after IOAS_UNMAP the device's write
 * no longer lands ("RESULT check_map_file ok"), after checking that the
 * IOAS's usable ranges leave out the MSI window ("RESULT check_msi_window
 * ok"); exit 1 otherwise.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench_edu.h"

#define IOVA_BENCH 0x10000000ull
#define IOVA_CHECK 0x100000ull
#define MAX_SAMPLES 200000

static double samples[MAX_SAMPLES];

#define RW_FLAGS \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static int map_va(int fd, uint32_t ioas, void *va, size_t len, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .flags = RW_FLAGS, .ioas_id = ioas,
		.user_va = (uintptr_t)va, .length = len, .iova = iova,
	};

	return edu_ioctl(fd, IOMMU_IOAS_MAP, &m);
}

static int map_file(int fd, uint32_t ioas, int mfd, size_t len, uint64_t iova)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = RW_FLAGS, .ioas_id = ioas,
		.fd = mfd, .start = 0, .length = len, .iova = iova,
	};

	return edu_ioctl(fd, IOMMU_IOAS_MAP_FILE, &m);
}

static int unmap(int fd, uint32_t ioas, size_t len, uint64_t iova)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len,
	};

	return edu_ioctl(fd, IOMMU_IOAS_UNMAP, &u);
}

/* A shared memfd of len bytes, mapped and written (so it is all there). */
static uint8_t *new_memfd(size_t len, int *mfd)
{
	uint8_t *p;

	*mfd = memfd_create("real_map_bench", MFD_CLOEXEC);
	if (*mfd < 0 || ftruncate(*mfd, (off_t)len))
		bench_die("memfd", 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *mfd, 0);
	if (p == MAP_FAILED)
		bench_die("mmap", 0);
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (uint8_t)(i >> 12);
	return p;
}

/*
 * Page 0 -> device -> page 1 of a MAP_FILE mapping, in 2 KiB halves (an
 * old QEMU's edu stops the VM for a transfer ending at its buffer's last
 * byte); then page 1 unmapped and the device's write must not land.
 */
static void check_map_file(int fd, uint32_t ioas, struct edu_handle *dev)
{
	long page = sysconf(_SC_PAGESIZE);
	int mfd, rc;
	uint8_t *p = new_memfd(2 * page, &mfd);

	for (long i = 0; i < page; i++)
		p[i] = (uint8_t)(i * 13 + 5);
	memset(p + page, 0, page);
	if ((rc = map_file(fd, ioas, mfd, 2 * page, IOVA_CHECK)))
		bench_die("IOAS_MAP_FILE", rc);
	for (long off = 0; off < page; off += 2048) {
		if ((rc = edu_dma(dev, IOVA_CHECK + off, 0, 2048, false, false)) ||
		    (rc = edu_dma(dev, IOVA_CHECK + page + off, 0, 2048, true, false)))
			bench_die("DMA", rc);
	}
	if (memcmp(p, p + page, page)) {
		fprintf(stderr, "real_map_bench: the page did not come back through the MAP_FILE mapping\n");
		exit(1);
	}
	if ((rc = unmap(fd, ioas, 2 * page, IOVA_CHECK)))
		bench_die("IOAS_UNMAP", rc);
	memset(p + page, 0, page);
	/* the IOMMU faults it: edu completes the command all the same */
	if ((rc = edu_dma(dev, IOVA_CHECK + page, 0, 2048, true, false)))
		bench_die("DMA after unmap", rc);
	for (long i = 0; i < page; i++)
		if (p[page + i]) {
			fprintf(stderr, "real_map_bench: the device wrote after IOAS_UNMAP\n");
			exit(1);
		}
	munmap(p, 2 * page);
	close(mfd);
	printf("RESULT check_map_file ok\n");
}

/*
 * With the device attached, the IOAS's usable ranges leave out what its
 * IOMMU cannot translate: on an Intel IOMMU the MSI window at 0xfee00000,
 * which the kernel reserves for an attached device (and the daemon as its
 * domain's hole).
 */
static void check_msi_window(int fd, uint32_t ioas)
{
	struct iommu_iova_range r[16];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ioas, .num_iovas = 16,
		.allowed_iovas = (uintptr_t)r,
	};
	int rc = edu_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q);

	if (rc)
		bench_die("IOAS_IOVA_RANGES", rc);
	for (uint32_t i = 0; i < q.num_iovas && i < 16; i++)
		if (r[i].start <= 0xfee00000ull && 0xfee00000ull <= r[i].last) {
			fprintf(stderr, "real_map_bench: the MSI window is in usable range %#llx-%#llx\n",
				(unsigned long long)r[i].start, (unsigned long long)r[i].last);
			exit(1);
		}
	printf("RESULT check_msi_window ok (%u ranges)\n", q.num_iovas);
}

static void bench(int fd, uint32_t ioas, size_t len, bool by_file, double secs)
{
	double t0, t = 0, med, sum = 0;
	size_t n = 0;
	int mfd, rc;
	uint8_t *p = new_memfd(len, &mfd);

	t0 = bench_now_s();
	do {
		double s0 = bench_now_s();

		rc = by_file ? map_file(fd, ioas, mfd, len, IOVA_BENCH) :
			       map_va(fd, ioas, p, len, IOVA_BENCH);
		if (rc)
			bench_die(by_file ? "IOAS_MAP_FILE" : "IOAS_MAP", rc);
		if ((rc = unmap(fd, ioas, len, IOVA_BENCH)))
			bench_die("IOAS_UNMAP", rc);
		t = bench_now_s();
		samples[n++] = (t - s0) * 1e6;
	} while ((t - t0 < secs || n < 3) && n < MAX_SAMPLES);
	for (size_t i = 0; i < n; i++)
		sum += samples[i];
	qsort(samples, n, sizeof(samples[0]), bench_cmp_double);
	med = samples[n / 2];
	printf("RESULT map_%s_%zu%s %.0f %.2f %.1f (%zu pairs, mean %.2f us)\n",
	       by_file ? "file" : "va", len >= (1u << 20) ? len >> 20 : len >> 10,
	       len >= (1u << 20) ? "m" : "k", 1e6 / med, med,
	       (double)len / (1 << 20) * 1e6 / med, n, sum / n);
	munmap(p, len);
	close(mfd);
}

int main(int argc, char **argv)
{
	uint32_t ioas;
	static const size_t sizes[] = { 4096, 2u << 20, 64u << 20 };
	struct edu_handle dev = { .fd = -1 };
	bool check = false;
	double secs = 1;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s IOMMUFD DEVICE [--secs S] [--check-file]\n",
			argv[0]);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--check-file"))
			check = true;
		else
			return 2;
	}
	ioas = bench_edu_open(argv[1], argv[2], &fd, &dev);
	if (check) {
		check_msi_window(fd, ioas);
		check_map_file(fd, ioas, &dev);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bench(fd, ioas, sizes[i], false, secs);
		bench(fd, ioas, sizes[i], true, secs);
	}
	close(dev.fd);
	close(fd);
	return 0;
}
