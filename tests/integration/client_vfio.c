// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a legacy VFIO type1 user does (open, API version, extensions,
 * SET_IOMMU, GET_INFO with its capability chain, MAP_DMA, UNMAP_DMA,
 * unmap-all), against a real daemon:
 *  - on the iommufd node (argv[1]) after IOMMU_VFIO_IOAS SET, mixing both
 *    ABIs on one fd as the kernel allows;
 *  - on the /dev/vfio/vfio look-alike (argv[2], optional: a path, or a name
 *    relative to argv[1]'s directory, e.g. "vfio" for the FUSE mount's
 *    DIR/vfio), which needs the daemon's --vfio-node and starts in compat.
 * With --test-interface it also runs the kernel selftest's
 * vfio_compat_mock_domain fixture: a mock domain under the compat IOAS.
 */
#include <libgen.h>
#include <sys/mman.h>

#include "itest.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"

#define PAGE 4096ul
#define NPAGES 16

static const char *vfio_node;
static uint8_t *buf; /* NPAGES pages to map */

static int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static long vfio_int(int fd, unsigned long cmd, unsigned long arg)
{
	long rc = ioctl(fd, cmd, arg);

	return rc < 0 ? -errno : rc;
}

static long vfio_ioas(int fd, uint16_t op, uint32_t *id)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .op = op,
				       .ioas_id = *id };
	long rc = itest_ioctl(fd, IOMMU_VFIO_IOAS, &cmd);

	*id = cmd.ioas_id;
	return rc;
}

static long map_dma(int fd, uint32_t flags, const void *va, uint64_t iova,
		    uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return itest_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

static long unmap_dma(int fd, uint32_t flags, uint64_t iova, uint64_t *size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .flags = flags, .iova = iova,
		.size = *size,
	};
	long rc = itest_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	*size = unmap.size;
	return rc;
}

/*
 * GET_INFO the way QEMU does it: ask with the bare struct, learn argsz,
 * ask again with that much, walk the chain.  Returns the first usable IOVA.
 */
static uint64_t get_info(int fd)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	const struct vfio_iommu_type1_info_cap_iova_range *iovas = NULL;
	const struct vfio_iommu_type1_info_dma_avail *dma = NULL;
	uint8_t *full;
	uint32_t off, need;
	uint64_t iova = 0;

	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, &info), 0);
	CHECK(info.flags == (VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS));
	CHECK(info.iova_pgsizes & PAGE);
	CHECK(info.cap_offset == 0);
	CHECK(info.argsz > sizeof(info));
	need = info.argsz;

	/* One byte more than needed stays untouched. */
	full = malloc(need + 1);
	memset(full, 0xaa, need + 1);
	info = (struct vfio_iommu_type1_info){ .argsz = need };
	memcpy(full, &info, sizeof(info));
	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, full), 0);
	memcpy(&info, full, sizeof(info));
	CHECK(info.argsz == need);
	CHECK(info.cap_offset == sizeof(info));
	CHECK(full[need] == 0xaa);
	for (off = info.cap_offset; off && off + 8 <= need;) {
		const struct vfio_info_cap_header *h = (const void *)(full + off);

		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			iovas = (const void *)h;
		else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
			dma = (const void *)h;
		CHECK(h->version == 1);
		CHECK(h->next == 0 || h->next > off);
		off = h->next;
	}
	CHECK(iovas && dma);
	if (dma)
		CHECK(dma->avail == UINT32_MAX);
	if (iovas) {
		CHECK(iovas->nr_iovas >= 1);
		/*
		 * 1 MiB if usable (always, without reserved regions), else
		 * the first 1 MiB boundary of a range long enough.
		 */
		for (uint32_t i = 0; i < iovas->nr_iovas && !iova; i++) {
			const struct vfio_iova_range *r = &iovas->iova_ranges[i];
			uint64_t start = r->start > 0x100000 ?
				(r->start + 0xfffff) & ~0xffffful : 0x100000;

			if (start >= r->start && r->end > start &&
			    r->end - start >= 0x400000)
				iova = start;
		}
	}
	free(full);
	return iova ? iova : 0x100000;
}

/* The legacy sequence on an fd whose compat IOAS is set. */
static void legacy_user(int fd, unsigned long type)
{
	uint64_t iova, size;

	CHECK_RC(vfio_int(fd, VFIO_GET_API_VERSION, 0), VFIO_API_VERSION);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU), 1);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL), 1);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR), 0);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_NESTING_IOMMU), 0);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), 1);
	CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_IOMMU), -EINVAL);
	CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, type), 0);
	iova = get_info(fd);

	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			 buf, iova, NPAGES * PAGE), 0);
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf, iova, PAGE), -EEXIST);
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_VADDR, buf, iova, PAGE), -EINVAL);
	/* Part of a mapping: type1v2 refuses, type1 cuts. */
	size = 2 * PAGE;
	if (type == VFIO_TYPE1v2_IOMMU) {
		CHECK_RC(unmap_dma(fd, 0, iova + 4 * PAGE, &size), -ENOENT);
		CHECK(size == 0);
		size = NPAGES * PAGE;
		CHECK_RC(unmap_dma(fd, 0, iova, &size), 0);
		CHECK(size == NPAGES * PAGE);
	} else {
		CHECK_RC(unmap_dma(fd, 0, iova + 4 * PAGE, &size), 0);
		CHECK(size == 2 * PAGE);
		size = NPAGES * PAGE;
		CHECK_RC(unmap_dma(fd, 0, iova, &size), 0);
		CHECK(size == (NPAGES - 2) * PAGE);
	}
	/* Unmapping nothing succeeds with size 0. */
	size = NPAGES * PAGE;
	CHECK_RC(unmap_dma(fd, 0, iova, &size), 0);
	CHECK(size == 0);

	/* Unmap-all: iova and size must be 0, the total comes back. */
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf, iova, 4 * PAGE), 0);
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_WRITE, buf + 4 * PAGE,
			 iova + 0x100000, 2 * PAGE), 0);
	size = 0;
	CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, iova, &size), -EINVAL);
	size = 0;
	CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	CHECK(size == 6 * PAGE);
	size = 0;
	CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, iova, &size),
		 -EINVAL);

	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, buf), -ENOTTY);
	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_MAP_DMA, (void *)16), -EFAULT);
	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, NULL), -EFAULT);
}

/* A GET_INFO buffer that ends at a guard page: the chain faults. */
static void get_info_guard_page(int fd)
{
	uint8_t *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vfio_iommu_type1_info *info;

	CHECK(p != MAP_FAILED);
	mprotect(p + PAGE, PAGE, PROT_NONE);
	info = (void *)(p + PAGE - sizeof(*info));
	*info = (struct vfio_iommu_type1_info){ .argsz = 256 };
	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, info), -EFAULT);
	/* With an honest argsz the same place works. */
	*info = (struct vfio_iommu_type1_info){ .argsz = sizeof(*info) };
	CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, info), 0);
	CHECK(info->argsz > sizeof(*info));
	munmap(p, 2 * PAGE);
}

static void iommu_no_compat(void)
{
	int fd = itest_open();
	uint32_t id = 0;
	uint64_t size = 0;

	/* /dev/iommu has no compat IOAS until one is set. */
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	CHECK_RC(vfio_int(fd, VFIO_GET_API_VERSION, 0), VFIO_API_VERSION);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
	CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), -ENODEV);
	CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -ENODEV);
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf, 0x100000, PAGE), -ENODEV);
	CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), -ENODEV);
	id = 5;
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), -ENOENT);
	close(fd);
}

static void iommu_after_set(void)
{
	unsigned long types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };

	for (unsigned int i = 0; i < 2; i++) {
		int fd = itest_open();
		uint32_t id, got = 0;

		CHECK_RC(itest_ioas_alloc(fd, &id), 0);
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0);
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &got), 0);
		CHECK(got == id);
		legacy_user(fd, types[i]);
		get_info_guard_page(fd);
		/* CLEAR destroys nothing; the container ioctls lose it. */
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &got), 0);
		CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, types[i]), -ENODEV);
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0);
		CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, types[i]), 0);
		close(fd);
	}
}

/* Map through VFIO, see it through IOAS_UNMAP; and the other way. */
static void iommu_mixed_abis(void)
{
	int fd = itest_open();
	struct iommu_ioas_unmap un = { .size = sizeof(un) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	uint32_t id, got = 0;
	uint64_t size;

	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0);
	CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf, 0x100000, 4 * PAGE), 0);
	un.ioas_id = id;
	un.iova = 0x100000;
	un.length = 4 * PAGE;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_UNMAP, &un), 0);
	CHECK(un.length == 4 * PAGE);
	size = 4 * PAGE;
	CHECK_RC(unmap_dma(fd, 0, 0x100000, &size), 0);
	CHECK(size == 0);

	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;
	map.ioas_id = id;
	map.user_va = (uintptr_t)buf;
	map.length = 2 * PAGE;
	map.iova = 0x200000;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP, &map), 0);
	size = 0;
	CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	CHECK(size == 2 * PAGE);

	/* Destroying the compat IOAS clears it. */
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &got), 0);
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0);
	{
		struct iommu_destroy d = { .size = sizeof(d), .id = id };

		CHECK_RC(itest_ioctl(fd, IOMMU_DESTROY, &d), 0);
	}
	CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &got), -ENODEV);
	close(fd);
}

static long huge_pages(int fd, uint32_t id)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET, .object_id = id, .val64 = 3,
	};
	long rc = itest_ioctl(fd, IOMMU_OPTION, &cmd);

	return rc ? rc : (long)cmd.val64;
}

/*
 * The kernel selftest's vfio_compat_mock_domain, both variants: what VFIO
 * would consider a group is a mock device on the IOAS, so the domain's
 * aperture and page sizes show through GET_INFO and pages really pin.
 */
static void iommu_mock_domain(void)
{
	unsigned long types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };

	for (unsigned int i = 0; i < 2; i++) {
		struct iommu_test_cmd mock = { .size = sizeof(mock),
					       .op = IOMMU_TEST_OP_MOCK_DOMAIN };
		struct vfio_iommu_type1_info_cap_iova_range *iovas;
		struct vfio_iommu_type1_info *info;
		uint8_t full[256];
		int fd = itest_open();
		uint64_t size;
		uint32_t id;
		long rc;

		CHECK_RC(itest_ioas_alloc(fd, &id), 0);
		mock.id = id;
		rc = itest_ioctl(fd, IOMMU_TEST_CMD, &mock);
		if (rc == -ENOTTY) {
			printf("skip iommu_mock_domain: no --test-interface\n");
			close(fd);
			return;
		}
		CHECK_RC(rc, 0);
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0);
		CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, types[i]), 0);
		CHECK_RC(huge_pages(fd, id), types[i] == VFIO_TYPE1_IOMMU ? 0 : 1);
		CHECK_RC(vfio_int(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), 1);

		/* One range: exactly the mock aperture. */
		memset(full, 0, sizeof(full));
		info = (void *)full;
		info->argsz = sizeof(full);
		CHECK_RC(itest_ioctl(fd, VFIO_IOMMU_GET_INFO, full), 0);
		CHECK(info->argsz == 72 && info->cap_offset == 24);
		/* The mock's 2 KiB pages show as 4 KiB and up, as in vfio. */
		CHECK((info->iova_pgsizes & (2 * PAGE - 1)) == PAGE);
		iovas = (void *)(full + 40);
		CHECK(iovas->header.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
		CHECK(iovas->nr_iovas == 1);
		CHECK(iovas->iova_ranges[0].start == MOCK_APERTURE_START);
		CHECK(iovas->iova_ranges[0].end == MOCK_APERTURE_LAST);

		/* The selftest's map: simple, unmap of empty, ALL, small pages. */
		CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				 buf, MOCK_APERTURE_START, NPAGES * PAGE), 0);
		size = NPAGES * PAGE;
		CHECK_RC(unmap_dma(fd, 0, MOCK_APERTURE_START, &size), 0);
		CHECK(size == NPAGES * PAGE);
		CHECK_RC(unmap_dma(fd, 0, MOCK_APERTURE_START, &size), 0);
		CHECK(size == 0);
		/* Outside the aperture nothing maps. */
		CHECK(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf, 0, PAGE) < 0);
		for (unsigned int p = 0; p < NPAGES; p++)
			CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf + p * PAGE,
					 MOCK_APERTURE_START + p * PAGE, PAGE), 0);
		/* A domain holds pages now: TYPE1 cannot be turned on. */
		if (types[i] == VFIO_TYPE1v2_IOMMU)
			CHECK_RC(vfio_int(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU),
				 -EINVAL);
		for (unsigned int p = NPAGES; p--;) {
			size = PAGE;
			CHECK_RC(unmap_dma(fd, 0, MOCK_APERTURE_START + p * PAGE,
					   &size), 0);
			CHECK(size == PAGE);
		}
		/* huge_map, scaled down: only TYPE1 may cut a mapping. */
		CHECK_RC(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, buf,
				 MOCK_APERTURE_START, NPAGES * PAGE), 0);
		size = PAGE;
		CHECK_RC(unmap_dma(fd, 0, MOCK_APERTURE_START + 3 * PAGE, &size),
			 types[i] == VFIO_TYPE1_IOMMU ? 0 : -ENOENT);
		size = 0;
		CHECK_RC(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
		CHECK(size == (types[i] == VFIO_TYPE1_IOMMU ? NPAGES - 1 : NPAGES) *
			      PAGE);
		close(fd);
	}
}

/* The look-alike: a program that hard-codes /dev/vfio/vfio. */
static void vfio_node_legacy(void)
{
	unsigned long types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };

	for (unsigned int i = 0; i < 2; i++) {
		int fd = open_node(vfio_node);
		uint32_t id = 0;

		legacy_user(fd, types[i]);
		/* The compat IOAS it started with is object 1. */
		CHECK_RC(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), 0);
		CHECK(id == 1);
		CHECK_RC(itest_ioas_alloc(fd, &id), 0);
		CHECK(id == 2);
		close(fd);
	}
}

static void vfio_node_separate_containers(void)
{
	int a = open_node(vfio_node), b = open_node(vfio_node);
	uint64_t size = 0;

	/* Each open is its own container. */
	CHECK_RC(vfio_int(a, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	CHECK_RC(vfio_int(b, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	CHECK_RC(map_dma(a, VFIO_DMA_MAP_FLAG_READ, buf, 0x100000, PAGE), 0);
	CHECK_RC(map_dma(b, VFIO_DMA_MAP_FLAG_READ, buf, 0x100000, PAGE), 0);
	close(a);
	CHECK_RC(unmap_dma(b, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	CHECK(size == PAGE);
	close(b);
}

int main(int argc, char **argv)
{
	static char path[4096];

	itest_init(argc, argv);
	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0x5a, NPAGES * PAGE);
	if (argc > 2) {
		if (argv[2][0] == '/') {
			vfio_node = argv[2];
		} else {
			char *node = strdup(argv[1]);

			snprintf(path, sizeof(path), "%s/%s", dirname(node),
				 argv[2]);
			free(node);
			vfio_node = path;
		}
	}

	RUN(iommu_no_compat);
	RUN(iommu_after_set);
	RUN(iommu_mixed_abis);
	RUN(iommu_mock_domain);
	if (vfio_node) {
		RUN(vfio_node_legacy);
		RUN(vfio_node_separate_containers);
	}
	return itest_finish();
}
