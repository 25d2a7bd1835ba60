// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The README's demonstration: open the node, allocate an IOAS, ask for its
 * usable IOVA ranges, destroy it, saying what happened at each step.  It
 * uses nothing but the ABI, so it runs the same against the kernel's
 * /dev/iommu.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uiommufd/abi.h"

static int fail(const char *what)
{
	fprintf(stderr, "demo: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *node = argc > 1 ? argv[1] : "/dev/iommu";
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_iova_ranges query = {
		.size = sizeof(query),
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return fail(node);
	printf("opened %s\n", node);
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
		return fail("IOMMU_IOAS_ALLOC");
	printf("IOMMU_IOAS_ALLOC: IOAS id %u\n", alloc.out_ioas_id);
	query.ioas_id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &query))
		return fail("IOMMU_IOAS_IOVA_RANGES");
	printf("IOMMU_IOAS_IOVA_RANGES: %u range(s), IOVA alignment %" PRIu64 "\n",
	       query.num_iovas, (uint64_t)query.out_iova_alignment);
	for (uint32_t i = 0; i < query.num_iovas && i < 8; i++)
		printf("  [0x%016" PRIx64 ", 0x%016" PRIx64 "]\n",
		       (uint64_t)ranges[i].start, (uint64_t)ranges[i].last);
	destroy.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_DESTROY, &destroy))
		return fail("IOMMU_DESTROY");
	printf("IOMMU_DESTROY: IOAS %u destroyed\n", destroy.id);
	if (ioctl(fd, IOMMU_DESTROY, &destroy) == 0 || errno != ENOENT)
		return fail("second IOMMU_DESTROY should be ENOENT");
	printf("IOMMU_DESTROY again: ENOENT, as the kernel answers\n");
	close(fd);
	return 0;
}
