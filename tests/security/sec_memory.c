// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The programs of the memory test.  Each prints one line "WHAT ok=N
 * errno=E" (E: the first failure's errno, 0 when none).
 *
 *   sec_memory areas NODE MAX
 * Maps one 4 KiB page at distinct IOVAs (IOAS_MAP, no domain: nothing is
 * pinned, each map costs only the daemon's memory) until a map fails or MAX
 * worked.  Then, holding everything, reads stdin: on a line "unmap" it
 * unmaps every area, maps one again and prints "remap ok=1 errno=0" on
 * success; it exits at the end of stdin.
 *
 *   sec_memory map1 NODE
 * The legitimate client: one 4 KiB IOAS_MAP in a new IOAS.  Exit 0 when it
 * works.
 *
 *   sec_memory dmabuf NODE MAX
 * Under uiommufd-exec: self-test dma-bufs of 1 MiB each (DMABUF_GET, kept
 * open) until one fails or MAX were made.
 *
 *   sec_memory selfmap NODE
 * IOAS_MAP_FILE of the node's own fd into its own IOAS, then exit: the
 * context must not outlive the process.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

#define PS 4096
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
/* Areas one page apart never touch, so none can be merged. */
#define IOVA(i) (((uint64_t)1 << 20) + (uint64_t)(i) * 2 * PS)

static int open_ioas(const char *node, uint32_t *ioas)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror(node);
		exit(1);
	}
	if (itest_ioas_alloc(fd, ioas)) {
		perror("IOAS_ALLOC");
		exit(1);
	}
	return fd;
}

static void *page(void)
{
	void *p = mmap(NULL, PS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	memset(p, 1, PS);
	return p;
}

static void report(const char *what, long ok, int err)
{
	printf("%s ok=%ld errno=%d\n", what, ok, err);
	fflush(stdout);
}

static int areas(const char *node, long max)
{
	uint32_t ioas;
	int fd = open_ioas(node, &ioas), err = 0;
	void *p = page();
	char line[64];
	long ok = 0, rc;

	for (; ok < max; ok++) {
		rc = itest_map_fixed(fd, ioas, MAP_RW, p, PS, IOVA(ok));
		if (rc) {
			err = (int)-rc;
			break;
		}
	}
	report("areas", ok, err);
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "unmap\n"))
			continue;
		rc = itest_unmap(fd, ioas, 0, UINT64_MAX, NULL);
		if (!rc)
			rc = itest_map_fixed(fd, ioas, MAP_RW, p, PS, IOVA(0));
		report("remap", !rc, rc ? (int)-rc : 0);
	}
	return 0;
}

static int map1(const char *node)
{
	uint32_t ioas;
	int fd = open_ioas(node, &ioas);
	long rc = itest_map_fixed(fd, ioas, MAP_RW, page(), PS, IOVA(0));

	report("map1", !rc, rc ? (int)-rc : 0);
	return rc ? 1 : 0;
}

static int dmabufs(const char *node, long max)
{
	int fd = open(node, O_RDWR | O_CLOEXEC), err = 0;
	long ok = 0;

	if (fd < 0) {
		perror(node);
		return 1;
	}
	for (; ok < max; ok++) {
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_DMABUF_GET,
			.dmabuf_get = { .length = 1 << 20,
					.open_flags = O_CLOEXEC },
		};
		long rc = itest_test_cmd(fd, &cmd);

		if (rc < 0) {
			err = (int)-rc;
			break;
		}
	}
	report("dmabuf", ok, err);
	return 0;
}

static int selfmap(const char *node)
{
	uint32_t ioas;
	int fd = open_ioas(node, &ioas);
	uint64_t iova = 0;
	long rc = itest_map_file(fd, ioas, MAP_RW, fd, 0, PS, &iova);

	report("selfmap", !rc, rc ? (int)-rc : 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "areas") && argc == 4)
		return areas(argv[2], atol(argv[3]));
	if (!strcmp(argv[1], "map1"))
		return map1(argv[2]);
	if (!strcmp(argv[1], "dmabuf") && argc == 4)
		return dmabufs(argv[2], atol(argv[3]));
	if (!strcmp(argv[1], "selfmap"))
		return selfmap(argv[2]);
	return 2;
}
