// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HWPTs over a real node (daemon started with --test-interface): paging
 * and nested HWPT allocation, attach and replace between them, several
 * domains on one IOAS receiving its mappings, GET_HW_INFO, dirty tracking
 * end to end with real caller memory, vIOMMU/vDEVICE cache invalidation,
 * HW queues locking their memory against unmap, and the destroy order.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

#include "itest.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define MAP_FIXED_RW                                            \
	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE | \
	 IOMMU_IOAS_MAP_FIXED_IOVA)
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

static int fd;

static long mock_domain(uint32_t pt, uint32_t flags, uint32_t *stdev,
			uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt, .mock_domain_flags = { .dev_flags = flags },
	};
	long rc = itest_ioctl(fd, IOMMU_TEST_CMD, &cmd);

	if (stdev)
		*stdev = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain_flags.out_idev_id;
	return rc;
}

static long replace(uint32_t stdev, uint32_t *pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev, .mock_domain_replace = { .pt_id = *pt },
	};
	long rc = itest_ioctl(fd, IOMMU_TEST_CMD, &cmd);

	*pt = cmd.mock_domain_replace.pt_id;
	return rc;
}

static long hwpt_alloc(uint32_t idev, uint32_t pt, uint32_t flags,
		       uint32_t type, void *data, uint32_t len, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = idev,
		.pt_id = pt, .data_type = type, .data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	long rc = itest_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static void *shared_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	for (size_t i = 0; i < len; i++)
		((uint8_t *)p)[i] = (uint8_t)(i * 13 + 1);
	return p;
}

/* Two manual domains and an auto domain all receive the IOAS's maps. */
static void several_domains_one_ioas(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, auto_hwpt, idev, h1, h2, pt;
	size_t len = 16 * PS;
	uint8_t *buf = shared_buf(len);
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = MAP_FIXED_RW, .ioas_id = ioas,
		.user_va = (uintptr_t)buf, .length = len / 2, .iova = APERTURE,
	};

	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP, &map), 0);
	CHECK_RC(mock_domain(ioas, 0, &stdev, &auto_hwpt, &idev), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, 0, 0, NULL, 0, &h1), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, 0, 0, NULL, 0, &h2), 0);
	/* A mapping made after the domains exist reaches all of them. */
	map.user_va += len / 2;
	map.iova += len / 2;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP, &map), 0);
	CHECK_RC(itest_check_map(fd, auto_hwpt, APERTURE, buf, len), 0);
	CHECK_RC(itest_check_map(fd, h1, APERTURE, buf, len), 0);
	CHECK_RC(itest_check_map(fd, h2, APERTURE, buf, len), 0);
	/* Move the device to h1: the auto domain goes. */
	pt = h1;
	CHECK_RC(replace(stdev, &pt), 0);
	CHECK_RC(itest_check_map(fd, auto_hwpt, APERTURE, buf, len), -ENOENT);
	CHECK_RC(itest_destroy(fd, h1), -EBUSY);
	CHECK_RC(itest_destroy(fd, h2), 0);
	CHECK_RC(itest_destroy(fd, ioas), -EBUSY);
	/* Unmapped memory leaves the domain. */
	struct iommu_ioas_unmap un = {
		.size = sizeof(un), .ioas_id = ioas, .iova = APERTURE,
		.length = len / 2,
	};
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_UNMAP, &un), 0);
	CHECK_RC(itest_check_map(fd, h1, APERTURE, buf, PS), -EINVAL);
	CHECK_RC(itest_check_map(fd, h1, APERTURE + len / 2, buf + len / 2,
				 len / 2), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, h1), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(buf, len);
}

static void hw_info_and_flags(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, idev;
	struct iommu_test_hw_info info = { 0 };
	struct iommu_hw_info cmd;

	CHECK_RC(mock_domain(ioas, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev, NULL,
			     &idev), 0);
	cmd = (struct iommu_hw_info){
		.size = sizeof(cmd), .dev_id = idev, .data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};
	CHECK_RC(itest_ioctl(fd, IOMMU_GET_HW_INFO, &cmd), 0);
	CHECK(info.test_reg == IOMMU_HW_INFO_SELFTEST_REGVAL);
	CHECK(cmd.out_data_type == IOMMU_HW_INFO_TYPE_SELFTEST);
	CHECK(cmd.out_capabilities == IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0,
			    NULL, 0, NULL), -EOPNOTSUPP);
	CHECK_RC(mock_domain(ioas, 1u << 1, NULL, NULL, NULL), -EINVAL);
	/* A struct from before out_capabilities existed still works. */
	cmd.size = offsetof(struct iommu_hw_info, out_capabilities);
	CHECK_RC(itest_ioctl(fd, IOMMU_GET_HW_INFO, &cmd), 0);
	cmd.size = 16;
	CHECK_RC(itest_ioctl(fd, IOMMU_GET_HW_INFO, &cmd), -EINVAL);
	CHECK_RC(itest_destroy(fd, idev), -EBUSY);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

static void dirty_end_to_end(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, idev, hwpt, stdev2;
	size_t len = 64 * PS;
	uint8_t *buf = shared_buf(len);
	uint64_t bitmap[4] = { 0 };
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = ioas, .val64 = 0,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = MAP_FIXED_RW, .ioas_id = ioas,
		.user_va = (uintptr_t)buf, .length = len, .iova = APERTURE,
	};
	struct iommu_hwpt_set_dirty_tracking sdt = {
		.size = sizeof(sdt), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_test_cmd mark = {
		.size = sizeof(mark), .op = IOMMU_TEST_OP_DIRTY,
		.dirty = { .iova = APERTURE, .length = len,
			   .page_size = MOCK_PAGE_SIZE,
			   .uptr = (uintptr_t)bitmap },
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .iova = APERTURE, .length = len,
		.page_size = MOCK_PAGE_SIZE, .data = (uintptr_t)bitmap,
	};

	CHECK_RC(itest_ioctl(fd, IOMMU_OPTION, &opt), 0);
	CHECK_RC(mock_domain(ioas, 0, &stdev, NULL, &idev), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP, &map), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0,
			    NULL, 0, &hwpt), 0);
	CHECK_RC(mock_domain(hwpt, 0, &stdev2, NULL, NULL), 0);
	sdt.hwpt_id = mark.id = get.hwpt_id = hwpt;
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &sdt), 0);
	bitmap[0] = 0x8000000000000001ull;
	bitmap[1] = 0x10; /* 128 mock pages: two words */
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, &mark), 0);
	CHECK(mark.dirty.out_nr_dirty == 3);
	memset(bitmap, 0, sizeof(bitmap));
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get), 0);
	/* v7.3: each 2 KiB mark reports its whole CPU-page leaf. */
	CHECK(bitmap[0] == 0xc000000000000003ull && bitmap[1] == 0x30 &&
	      bitmap[2] == 0);
	memset(bitmap, 0, sizeof(bitmap));
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get), 0);
	CHECK(bitmap[0] == 0 && bitmap[1] == 0);
	get.page_size = 0;
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get), -EINVAL);
	sdt.flags = 0;
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &sdt), 0);
	bitmap[0] = 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, &mark), -EINVAL);
	CHECK_RC(itest_destroy(fd, stdev2), 0);
	CHECK_RC(itest_destroy(fd, hwpt), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(buf, len);
}

static void nested_viommu(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, idev, parent, viommu, nested;
	uint32_t vdev, pt, auto_hwpt;
	struct iommu_hwpt_selftest data = { .iotlb = 0x1234 };
	struct iommu_viommu_selftest vdata = { .in_data = 77 };
	struct iommu_viommu_alloc va = { .size = sizeof(va) };
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd) };
	struct iommu_viommu_invalidate_selftest inv = {
		.vdev_id = 5, .cache_id = 2,
	};
	struct iommu_hwpt_invalidate hi = {
		.size = sizeof(hi), .data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv), .entry_num = 1,
	};
	struct iommu_test_cmd cache = {
		.size = sizeof(cache), .op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
	};

	CHECK_RC(mock_domain(ioas, 0, &stdev, &auto_hwpt, &idev), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL,
			    0, &parent), 0);
	va = (struct iommu_viommu_alloc){
		.size = sizeof(va), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = idev, .hwpt_id = parent, .data_len = sizeof(vdata),
		.data_uptr = (uintptr_t)&vdata,
	};
	CHECK_RC(itest_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	viommu = va.out_viommu_id;
	CHECK(vdata.out_data == 77);
	/* A 24-byte (6.13) struct: no driver data. */
	va.size = 24;
	CHECK_RC(itest_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	CHECK_RC(itest_destroy(fd, va.out_viommu_id), 0);
	vd = (struct iommu_vdevice_alloc){
		.size = sizeof(vd), .viommu_id = viommu, .dev_id = idev,
		.virt_id = 5,
	};
	CHECK_RC(itest_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd), 0);
	vdev = vd.out_vdevice_id;
	CHECK_RC(hwpt_alloc(idev, viommu, 0, IOMMU_HWPT_DATA_SELFTEST, &data,
			    sizeof(data), &nested), 0);
	pt = nested;
	CHECK_RC(replace(stdev, &pt), 0);
	hi.hwpt_id = viommu;
	CHECK_RC(itest_ioctl(fd, IOMMU_HWPT_INVALIDATE, &hi), 0);
	CHECK(hi.entry_num == 1);
	cache.id = idev;
	cache.check_dev_cache.id = 2;
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, &cache), 0);
	cache.check_dev_cache.id = 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, &cache), -EINVAL);
	cache.check_dev_cache.cache = IOMMU_TEST_DEV_CACHE_DEFAULT;
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, &cache), 0);
	/* Destroy order: each holder first. */
	CHECK_RC(itest_destroy(fd, parent), -EBUSY);
	CHECK_RC(itest_destroy(fd, viommu), -EBUSY);
	CHECK_RC(itest_destroy(fd, nested), -EBUSY);
	pt = ioas;
	CHECK_RC(replace(stdev, &pt), 0);
	CHECK_RC(itest_destroy(fd, nested), 0);
	CHECK_RC(itest_destroy(fd, vdev), 0);
	CHECK_RC(itest_destroy(fd, viommu), 0);
	CHECK_RC(itest_destroy(fd, parent), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

static long hw_queue_alloc(uint32_t viommu, uint32_t index, uint64_t base,
			   uint64_t len, uint32_t *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu,
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST, .index = index,
		.nesting_parent_iova = base, .length = len,
	};
	long rc = itest_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/*
 * HW queues pin their guest memory in the parent IOAS and lock it: while
 * a queue lives, IOAS_UNMAP of its page is EBUSY (and the memory stays
 * mapped in the parent domain); queues go in descending order.
 */
static void hw_queue_locks_unmap(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, idev, parent, q0, q1;
	uint8_t *buf = shared_buf(2 * PS);
	struct iommu_viommu_alloc va = {
		.size = sizeof(va), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = MAP_FIXED_RW, .ioas_id = ioas,
		.user_va = (uintptr_t)buf, .length = 2 * PS, .iova = APERTURE,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = ioas, .iova = APERTURE,
		.length = 2 * PS,
	};

	CHECK_RC(mock_domain(ioas, 0, &stdev, NULL, &idev), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL,
			    0, &parent), 0);
	va.dev_id = idev;
	va.hwpt_id = parent;
	CHECK_RC(itest_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	CHECK_RC(hw_queue_alloc(va.out_viommu_id, 0, APERTURE, PS, &q0),
		 -ENOENT);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP, &map), 0);
	CHECK_RC(hw_queue_alloc(va.out_viommu_id, 1, APERTURE, PS, NULL), -EIO);
	CHECK_RC(hw_queue_alloc(va.out_viommu_id, 0, APERTURE, PS, &q0), 0);
	CHECK_RC(hw_queue_alloc(va.out_viommu_id, 1, APERTURE + PS + 8, 8,
				&q1), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap), -EBUSY);
	CHECK_RC(itest_check_map(fd, parent, APERTURE, buf, 2 * PS), 0);
	CHECK_RC(itest_destroy(fd, q0), -EBUSY);
	CHECK_RC(itest_destroy(fd, va.out_viommu_id), -EBUSY);
	CHECK_RC(itest_destroy(fd, q1), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap), -EBUSY);
	CHECK_RC(itest_destroy(fd, q0), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap), 0);
	CHECK(unmap.length == 2 * PS);
	CHECK_RC(itest_destroy(fd, va.out_viommu_id), 0);
	CHECK_RC(itest_destroy(fd, parent), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(buf, 2 * PS);
}

/* A client that closes with everything linked: the daemon frees it all. */
static void close_with_objects(void)
{
	int fd2 = itest_open(), save = fd;
	uint32_t ioas, stdev, idev, parent;
	struct iommu_hwpt_selftest data = { .iotlb = 1 };

	fd = fd2;
	ioas = itest_ioas_new(fd);
	CHECK_RC(mock_domain(ioas, 0, &stdev, NULL, &idev), 0);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL,
			    0, &parent), 0);
	CHECK_RC(hwpt_alloc(idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST, &data,
			    sizeof(data), NULL), 0);
	fd = save;
	close(fd2);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	fd = itest_open();
	RUN(several_domains_one_ioas);
	RUN(hw_info_and_flags);
	RUN(dirty_end_to_end);
	RUN(nested_viommu);
	RUN(hw_queue_locks_unmap);
	RUN(close_with_objects);
	close(fd);
	return itest_finish();
}
