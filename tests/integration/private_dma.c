// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * private_dma IOMMUFD DEVICE [--unmap-source] [--rounds N]: a DMA program
 * that, like libvfn's pgmap() and QEMU's default RAM, allocates its DMA
 * memory with mmap(MAP_PRIVATE|MAP_ANONYMOUS), maps it into an IOAS with
 * IOMMU_IOAS_MAP and moves data through an edu device (RAM -> device ->
 * RAM).  Kernel ABI only; it knows nothing of uiommufd or of the
 * shared-anon shim, so the same binary shows what the shim changes
 * (tests/integration/private_dma.sh, tests/vm/private-memory.sh).
 *
 * --unmap-source: after the map, the source buffer is munmap()ed (as a
 * free() would) and then read by the device: a pin keeps the pages (the
 * kernel's, and uiommufd's for shared memory), memory reached by VA does
 * not.  --fork: after the map the program forks a child that scribbles
 * over its copy of the source and exits; the device must still read the
 * parent's memory, before and after the parent writes it again (the
 * parent keeps the pages the IOAS maps; the child's are its own).
 * --rounds N: N round trips, the time printed (scripts/bench.sh).
 *
 * Exit: 0 done and compared equal; 2 IOAS_MAP refused with EOPNOTSUPP
 * (private memory on a hardware domain of uiommufd); 3 the unmapped
 * source was not kept; 4 after fork the device missed the parent's
 * memory; 1 anything else.
 */
#include <libgen.h>
#include <sys/wait.h>
#include <time.h>

#include "itest.h"
#include "edu_ops.h"

#define IOVA_SRC 0x100000ull
#define IOVA_DST 0x200000ull
#define BUF_LEN (256 * 1024ul)	/* a queue's worth, as libvfn maps */
#define XFER 2048u		/* half the device's buffer, see client_edu.c */

static void *pgmap(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("private_dma: mmap");
		exit(1);
	}
	return p;
}

static int map(int iommufd, uint32_t ioas, void *va, uint64_t iova)
{
	long rc = itest_map_fixed(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				  IOMMU_IOAS_MAP_WRITEABLE, va, BUF_LEN, iova);

	if (rc) {
		fprintf(stderr, "private_dma: IOMMU_IOAS_MAP: %s\n", strerror((int)-rc));
		exit(rc == -EOPNOTSUPP ? 2 : 1);
	}
	return 0;
}

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "private_dma: %s: %s\n", what, strerror(-rc));
		exit(1);
	}
}

/* XFER bytes from IOVA from to IOVA to through the device. */
static void copy(struct edu_handle *d, uint64_t from, uint64_t to)
{
	must(edu_dma(d, from, 0, XFER, false, false), "DMA to the device");
	must(edu_dma(d, to, 0, XFER, true, false), "DMA to RAM");
}

static bool dst_holds(const uint8_t *dst, uint8_t seed)
{
	for (unsigned int i = 0; i < XFER; i++)
		if (dst[i] != (uint8_t)(i * 7 + seed))
			return false;
	return true;
}

/* A child scribbles over its copy; the device reads the parent's. */
static int fork_check(struct edu_handle *d, uint8_t *src, uint8_t *dst)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		memset(src, 0xee, BUF_LEN);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	memset(dst, 0, XFER);
	copy(d, IOVA_SRC, IOVA_DST);
	if (!dst_holds(dst, 3)) {
		fprintf(stderr, "private_dma: after fork the device reads %#x, not the parent's bytes\n",
			dst[0]);
		return -1;
	}
	for (unsigned int i = 0; i < XFER; i++)
		src[i] = (uint8_t)(i * 7 + 5);
	copy(d, IOVA_SRC, IOVA_DST);
	if (!dst_holds(dst, 5)) {
		fprintf(stderr, "private_dma: after fork the device misses the parent's new bytes (%#x)\n",
			dst[0]);
		return -1;
	}
	for (unsigned int i = 0; i < XFER; i++)	/* as the rounds expect */
		src[i] = (uint8_t)(i * 7 + 3);
	printf("private_dma: after fork the device reads the parent's memory\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct edu_handle dev = { .fd = -1 };
	bool unmap_source = false, do_fork = false;
	long rounds = 1;
	char dev_path[4096];
	uint8_t *src, *dst;
	struct timespec t0, t1;
	uint32_t ioas;
	int iommufd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: private_dma IOMMUFD DEVICE|- [--unmap-source] [--rounds N]\n");
		return 1;
	}
	itest_node = argv[1];
	if (strcmp(argv[2], "-")) {
		snprintf(dev_path, sizeof(dev_path), "%s", argv[2]);
	} else {	/* FUSE: DIR/devices/uvfio0 beside DIR/iommu */
		char copy_of[4096];

		snprintf(copy_of, sizeof(copy_of), "%s", argv[1]);
		snprintf(dev_path, sizeof(dev_path), "%s/devices/uvfio0",
			 dirname(copy_of));
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--unmap-source"))
			unmap_source = true;
		else if (!strcmp(argv[i], "--fork"))
			do_fork = true;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atol(argv[++i]);
	}

	dev.fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev.fd < 0) {
		fprintf(stderr, "private_dma: %s: %s\n", dev_path, strerror(errno));
		return 1;
	}
	iommufd = itest_open();
	must((int)itest_ioas_alloc(iommufd, &ioas), "IOMMU_IOAS_ALLOC");
	must(edu_bind_attach(&dev, iommufd, ioas), "bind and attach");
	must(edu_command(&dev, PCI_CMD_MEMORY | PCI_CMD_MASTER, 0), "bus mastering");

	src = pgmap(BUF_LEN);
	dst = pgmap(BUF_LEN);
	/* attached first, so the map pins at once, as libvfn's queues are */
	map(iommufd, ioas, src, IOVA_SRC);
	map(iommufd, ioas, dst, IOVA_DST);

	for (unsigned int i = 0; i < XFER; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	/* the device's buffer starts as zeros: a refused read leaves them */
	copy(&dev, IOVA_DST + XFER, IOVA_DST + XFER);
	if (unmap_source)
		munmap(src, BUF_LEN);
	if (do_fork && fork_check(&dev, src, dst))
		return 4;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long r = 0; r < rounds; r++) {
		memset(dst, 0, XFER);
		copy(&dev, IOVA_SRC, IOVA_DST);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (unsigned int i = 0; i < XFER; i++)
		if (dst[i] != (uint8_t)(i * 7 + 3)) {
			fprintf(stderr, "private_dma: byte %u reads %#x after DMA%s\n",
				i, dst[i], unmap_source ?
				" from the unmapped source (its pages were not kept)" : "");
			return unmap_source ? 3 : 1;
		}
	printf("private_dma: %ld round trips of %u bytes in %.3f ms%s\n", rounds,
	       XFER, ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6),
	       unmap_source ? ", the unmapped source's pages kept" : "");
	return 0;
}
