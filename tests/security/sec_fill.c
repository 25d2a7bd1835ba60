// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client that takes all the daemon memory it is allowed: maps one page at
 * fresh IOVAs until IOAS_MAP fails, prints "COUNT ERRNO-NAME", then holds
 * everything until its stdin closes (or for SECONDS, argv[2]).
 *
 *   sec_fill NODE [SECONDS] [MAX_MAPS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

int main(int argc, char **argv)
{
	unsigned long max = argc > 3 ? strtoul(argv[3], NULL, 0) : 1ul << 22;
	unsigned int secs = argc > 2 ? (unsigned int)atoi(argv[2]) : 30;
	unsigned long n = 0;
	long rc = 0;
	uint32_t ioas;
	void *page;
	int fd;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("0 %s\n", strerrorname_np(errno));
		return 0;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || itest_ioas_alloc(fd, &ioas))
		return 1;
	for (; n < max; n++) {
		uint64_t iova = (n + 1) * 8192;

		rc = itest_map(fd, ioas, IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_FIXED_IOVA, page, 4096, &iova);
		if (rc)
			break;
	}
	printf("%lu %s\n", n, rc ? strerrorname_np((int)-rc) : "none");
	fflush(stdout);
	sleep(secs);
	return 0;
}
