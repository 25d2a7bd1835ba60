// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HWPTs, mock devices, vIOMMUs and the self-test ops on them, through the
 * real dispatcher with the fake transport: the errno rules of HWPT_ALLOC,
 * GET_HW_INFO, SET_DIRTY_TRACKING, GET_DIRTY_BITMAP, HWPT_INVALIDATE,
 * VIOMMU_ALLOC and VDEVICE_ALLOC; attach and replace across auto and
 * manual domains; the order IOMMU_DESTROY enforces; dirty bits per leaf.
 * The caller is this process, so the domains pin real memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "providers/domain.h"
#include "fake_ops.h"
#include "core/hw_pagetable.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define MAP_FIXED_RW                                            \
	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE | \
	 IOMMU_IOAS_MAP_FIXED_IOVA)
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

static struct fake_env env;

static int setup(void **state)
{
	fake_env_caller_init(&env, false);
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	return 0;
}

static long io(unsigned int cmd, void *arg, size_t len)
{
	return fake_ioctl(env.ictx, cmd, arg, len);
}

static long hwpt_alloc_data(uint32_t idev, uint32_t pt, uint32_t flags,
			    uint32_t type, void *data, uint32_t len,
			    uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = idev,
		.pt_id = pt, .data_type = type, .data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	long rc;

	if (data)
		fake_user_add(data, len);
	rc = io(IOMMU_HWPT_ALLOC, &cmd, sizeof(cmd));
	fake_user_reset();
	if (out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static long hwpt_alloc(uint32_t idev, uint32_t pt, uint32_t flags,
		       uint32_t *out)
{
	return hwpt_alloc_data(idev, pt, flags, IOMMU_HWPT_DATA_NONE, NULL, 0,
			       out);
}

static long hwpt_alloc_type(uint32_t idev, uint32_t pt, uint32_t flags,
			    uint32_t pagetable_type, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .pagetable_type = pagetable_type };

	return hwpt_alloc_data(idev, pt, flags, IOMMU_HWPT_DATA_SELFTEST,
			       &data, sizeof(data), out);
}

static long nested_alloc(uint32_t idev, uint32_t parent, uint32_t iotlb,
			 uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = iotlb };

	return hwpt_alloc_data(idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
			       &data, sizeof(data), out);
}

static long check_iotlb(uint32_t hwpt, uint32_t slot, uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt, .check_iotlb = { .id = slot, .iotlb = val },
	};

	return io(IOMMU_TEST_CMD, &cmd, sizeof(cmd));
}

static long invalidate(uint32_t id, uint32_t type, void *data,
		       uint32_t entry_len, uint32_t *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = id,
		.data_uptr = (uintptr_t)data, .data_type = type,
		.entry_len = entry_len, .entry_num = *entry_num,
	};
	long rc;

	if (data)
		fake_user_add(data, (size_t)entry_len * *entry_num);
	rc = io(IOMMU_HWPT_INVALIDATE, &cmd, sizeof(cmd));
	fake_user_reset();
	*entry_num = cmd.entry_num;
	return rc;
}

static void *shared_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	memset(p, 0x5a, len);
	return p;
}

static struct iommufd_domain *domain_of(uint32_t hwpt_id)
{
	struct iommufd_object *obj = iommufd_get_object(
		env.ictx, hwpt_id, IOMMUFD_OBJ_HWPT_PAGING);

	assert_non_null(obj);
	return iommufd_hwpt_from_obj(obj)->domain;
}

static void test_hwpt_alloc_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, hwpt, idev, out;
	struct iommu_hwpt_alloc cmd = { .size = sizeof(cmd) };
	uint32_t big[4] = { 0 };

	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev,
						&hwpt, &idev), 0);
	cmd.__reserved = 1;
	assert_int_equal(io(IOMMU_HWPT_ALLOC, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	/* A type needs data, no type wants none. */
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0, IOMMU_HWPT_DATA_NONE,
					 big, 8, NULL), -EINVAL);
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0,
					 IOMMU_HWPT_DATA_SELFTEST, NULL, 0,
					 NULL), -EINVAL);
	assert_int_equal(hwpt_alloc(99, ioas, 0, NULL), -ENOENT);
	assert_int_equal(hwpt_alloc(ioas, ioas, 0, NULL), -ENOENT);
	/* A pt_id naming nothing, or not a page table, is EINVAL. */
	assert_int_equal(hwpt_alloc(idev, 99, 0, NULL), -EINVAL);
	assert_int_equal(hwpt_alloc(idev, idev, 0, NULL), -EINVAL);
	assert_int_equal(hwpt_alloc(idev, ioas, 1u << 31, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(idev, ioas,
				    IOMMU_HWPT_ALLOC_NEST_PARENT |
					    IOMMU_HWPT_FAULT_ID_VALID,
				    NULL), -EOPNOTSUPP);
	/* Driver data: a foreign type, too short, too long, a bad pointer. */
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0, IOMMU_HWPT_DATA_VTD_S1,
					 big, 8, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0,
					 IOMMU_HWPT_DATA_SELFTEST, big, 2,
					 NULL), -EINVAL);
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0,
					 IOMMU_HWPT_DATA_SELFTEST, big, 12,
					 NULL), -EINVAL);
	cmd = (struct iommu_hwpt_alloc){
		.size = sizeof(cmd), .dev_id = idev, .pt_id = ioas,
		.data_type = IOMMU_HWPT_DATA_SELFTEST, .data_len = 8,
		.data_uptr = 8,
	};
	assert_int_equal(io(IOMMU_HWPT_ALLOC, &cmd, sizeof(cmd)), -EFAULT);
	assert_int_equal(hwpt_alloc_type(idev, ioas, 0, 7, NULL), -EOPNOTSUPP);
	/* A fault queue that does not exist. */
	cmd = (struct iommu_hwpt_alloc){
		.size = sizeof(cmd), .flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = idev, .pt_id = ioas, .fault_id = 99,
	};
	assert_int_equal(io(IOMMU_HWPT_ALLOC, &cmd, sizeof(cmd)), -ENOENT);
	/* A 4-byte (pre-6.19) payload reads as the default table. */
	assert_int_equal(hwpt_alloc_data(idev, ioas, 0,
					 IOMMU_HWPT_DATA_SELFTEST, big, 4,
					 &out), 0);
	assert_int_equal(fake_destroy(env.ictx, out), 0);
	/* Nothing was left behind by the failures: the IDs are reused. */
	assert_int_equal(hwpt_alloc(idev, ioas, 0, &out), 0);
	assert_int_equal(out, hwpt + 1);
	assert_int_equal(fake_destroy(env.ictx, ioas), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, out), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

static void test_manual_hwpt_attach_replace(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), ioas2 = fake_ioas_new(env.ictx);
	uint32_t stdev, stdev2, auto_hwpt, idev, hwpt, pt;
	size_t len = 8 * PS;
	uint8_t *buf = shared_buf(len);

	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_FIXED_RW, buf, len,
					APERTURE), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev,
						&auto_hwpt, &idev), 0);
	/* A manual domain receives every existing mapping of its IOAS. */
	assert_int_equal(hwpt_alloc(idev, ioas, 0, &hwpt), 0);
	assert_int_equal(emulated_domain_nr_mappings(domain_of(hwpt)), 1);
	/* Attach a second device to it by HWPT ID. */
	assert_int_equal(fake_mock_domain_flags(env.ictx, hwpt, 0, &stdev2, &pt,
						NULL), 0);
	assert_int_equal(pt, hwpt);
	assert_int_equal(fake_destroy(env.ictx, hwpt), -EBUSY);
	/* Replace auto -> manual: the auto domain goes with its last device. */
	pt = hwpt;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	assert_int_equal(pt, hwpt);
	assert_null(iommufd_get_object(env.ictx, auto_hwpt, IOMMUFD_OBJ_ANY));
	/* Replace by the same HWPT is a no-op success. */
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	/* Replace with an IOAS: a new auto domain of that IOAS. */
	pt = ioas2;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	assert_true(pt != hwpt && pt != ioas2);
	assert_int_equal(fake_destroy(env.ictx, ioas2), -EBUSY);
	/* Replace with nothing, or not a page table. */
	pt = 99;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), -ENOENT);
	pt = idev;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), -EINVAL);
	pt = hwpt;
	assert_int_equal(fake_replace(env.ictx, idev, &pt), -ENOENT);
	/* Back to the manual domain; the auto domain of ioas2 goes. */
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas2), 0);
	/* Unmapping empties every domain of the IOAS. */
	struct iommu_ioas_unmap un = {
		.size = sizeof(un), .ioas_id = ioas, .iova = APERTURE,
		.length = len,
	};
	assert_int_equal(io(IOMMU_IOAS_UNMAP, &un, sizeof(un)), 0);
	assert_int_equal(emulated_domain_nr_mappings(domain_of(hwpt)), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev2), 0);
	assert_int_equal(fake_destroy(env.ictx, hwpt), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
	munmap(buf, len);
}

static void test_nested_and_invalidate(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, auto_hwpt, idev, parent, nested;
	uint32_t nested2, stdev2, pt, n;
	struct iommu_hwpt_invalidate_selftest inv[3];

	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev,
						&auto_hwpt, &idev), 0);
	/* A nested HWPT needs a nest parent that is not an auto domain. */
	assert_int_equal(nested_alloc(idev, auto_hwpt, 7, NULL), -EINVAL);
	assert_int_equal(hwpt_alloc(idev, ioas, 0, &parent), 0);
	assert_int_equal(nested_alloc(idev, parent, 7, NULL), -EINVAL);
	assert_int_equal(fake_destroy(env.ictx, parent), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				    &parent), 0);
	/* No data is EOPNOTSUPP for a nested table, unlike a paging one. */
	assert_int_equal(hwpt_alloc(idev, parent, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc_data(idev, parent, 0,
					 IOMMU_HWPT_DATA_VTD_S1, inv, 8, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(nested_alloc(idev, parent, 7, &nested), 0);
	assert_int_equal(nested_alloc(idev, parent, 9, &nested2), 0);
	for (uint32_t i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		assert_int_equal(check_iotlb(nested, i, 7), 0);
	assert_int_equal(check_iotlb(nested, 4, 7), -EINVAL);
	assert_int_equal(check_iotlb(parent, 0, 7), -ENOENT);
	/* The parent is held by its nested HWPTs. */
	assert_int_equal(fake_destroy(env.ictx, parent), -EBUSY);

	/* Attach through a nested HWPT; replace between two. */
	assert_int_equal(fake_mock_domain_flags(env.ictx, nested, 0, &stdev2,
						&pt, NULL), 0);
	assert_int_equal(pt, nested);
	pt = nested2;
	assert_int_equal(fake_replace(env.ictx, stdev2, &pt), 0);
	assert_int_equal(fake_destroy(env.ictx, nested2), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, nested), 0);

	/* Invalidation: the count handled comes back in entry_num. */
	n = 0;
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    NULL, 0, &n), 0);
	n = 1;
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    NULL, sizeof(inv[0]), &n), -EINVAL);
	n = 1;
	inv[0] = (struct iommu_hwpt_invalidate_selftest){ .iotlb_id = 1 };
	assert_int_equal(invalidate(nested2,
				    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
				    inv, sizeof(inv[0]), &n), -EINVAL);
	assert_int_equal(n, 0);
	n = 1;
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]) + 4, &n), -EINVAL);
	n = 3;
	inv[1] = (struct iommu_hwpt_invalidate_selftest){ .iotlb_id = 2 };
	inv[2] = (struct iommu_hwpt_invalidate_selftest){ .iotlb_id = 4 };
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]), &n), -EINVAL);
	assert_int_equal(n, 2);
	assert_int_equal(check_iotlb(nested2, 0, 9), 0);
	assert_int_equal(check_iotlb(nested2, 1, 0), 0);
	assert_int_equal(check_iotlb(nested2, 2, 0), 0);
	assert_int_equal(check_iotlb(nested2, 3, 9), 0);
	inv[0] = (struct iommu_hwpt_invalidate_selftest){ .flags = 2 };
	n = 1;
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]), &n), -EOPNOTSUPP);
	assert_int_equal(n, 0);
	inv[0] = (struct iommu_hwpt_invalidate_selftest){
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL, .iotlb_id = 3,
	};
	n = 1;
	assert_int_equal(invalidate(nested2, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(check_iotlb(nested2, 3, 0), 0);
	/* A paging HWPT takes no invalidation. */
	n = 0;
	assert_int_equal(invalidate(parent, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    NULL, 0, &n), -EINVAL);
	n = 0;
	assert_int_equal(invalidate(99, 0, NULL, 0, &n), -ENOENT);

	assert_int_equal(fake_destroy(env.ictx, stdev2), 0);
	assert_int_equal(fake_destroy(env.ictx, nested2), 0);
	assert_int_equal(fake_destroy(env.ictx, parent), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

static void test_get_hw_info(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, idev, stdev2, idev2;
	uint8_t data[16];
	struct iommu_hw_info cmd;

	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev, NULL,
						&idev), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas,
						MOCK_FLAGS_DEVICE_NO_DIRTY |
						MOCK_FLAGS_DEVICE_PASID,
						&stdev2, NULL, &idev2), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 1u << 1, NULL,
						NULL, NULL),
			 -EINVAL);
	memset(data, 0xff, sizeof(data));
	cmd = (struct iommu_hw_info){
		.size = sizeof(cmd), .dev_id = idev, .data_len = sizeof(data),
		.data_uptr = (uintptr_t)data,
	};
	fake_user_add(data, sizeof(data));
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), 0);
	assert_int_equal(cmd.data_len, sizeof(struct iommu_test_hw_info));
	assert_int_equal(cmd.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	assert_int_equal(((struct iommu_test_hw_info *)data)->test_reg,
			 IOMMU_HW_INFO_SELFTEST_REGVAL);
	/* The rest of a longer buffer is zeroed. */
	for (size_t i = 8; i < sizeof(data); i++)
		assert_int_equal(data[i], 0);
	/* v7.3: the mock device also says ATS cannot be used. */
	assert_int_equal(cmd.out_capabilities,
			 IOMMU_HW_CAP_DIRTY_TRACKING |
				 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_int_equal(cmd.out_max_pasid_log2, 0);
	cmd = (struct iommu_hw_info){
		.size = sizeof(cmd), .dev_id = idev2, .data_len = 4,
		.data_uptr = (uintptr_t)data,
	};
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), 0);
	assert_int_equal(cmd.data_len, 8);
	assert_int_equal(cmd.out_capabilities,
			 IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_int_equal(cmd.out_max_pasid_log2, MOCK_PASID_WIDTH);
	/* Type input: the mock's own type or DEFAULT only. */
	cmd = (struct iommu_hw_info){
		.size = sizeof(cmd), .flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE,
		.dev_id = idev, .in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD,
	};
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	/* Without the flag a type word is ignored. */
	cmd.flags = 0;
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), 0);
	cmd.flags = 2;
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.__reserved[1] = 0;
	cmd.dev_id = ioas;
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), -ENOENT);
	cmd = (struct iommu_hw_info){
		.size = sizeof(cmd), .dev_id = idev, .data_len = 8,
		.data_uptr = 8,
	};
	assert_int_equal(io(IOMMU_GET_HW_INFO, &cmd, sizeof(cmd)), -EFAULT);
	fake_user_reset();
	/* A device without dirty tracking: no dirty HWPT, EOPNOTSUPP. */
	assert_int_equal(hwpt_alloc(idev2, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				    NULL), -EOPNOTSUPP);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev2), 0);
}

static long set_dirty_tracking(uint32_t hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt,
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return io(IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd, sizeof(cmd));
}

static long test_dirty(uint32_t hwpt, uint64_t iova, uint64_t len,
		       uint64_t page_size, uint64_t *bitmap, uint64_t *nr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = len, .page_size = page_size,
			   .uptr = (uintptr_t)bitmap },
	};
	long rc;

	fake_user_add(bitmap, page_size ? (len / page_size + 7) / 8 : 8);
	rc = io(IOMMU_TEST_CMD, &cmd, sizeof(cmd));
	fake_user_reset();
	*nr = cmd.dirty.out_nr_dirty;
	return rc;
}

static long get_dirty(uint32_t hwpt, uint64_t iova, uint64_t len,
		      uint64_t page_size, uint64_t *bitmap, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt, .flags = flags,
		.iova = iova, .length = len, .page_size = page_size,
		.data = (uintptr_t)bitmap,
	};
	long rc;

	fake_user_add(bitmap, page_size ? (len / page_size + 7) / 8 : 8);
	rc = io(IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd, sizeof(cmd));
	fake_user_reset();
	return rc;
}

static void test_dirty_tracking(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, auto_hwpt, idev, hwpt, stdev2;
	size_t len = 32 * PS; /* 64 mock pages */
	uint8_t *buf = shared_buf(len);
	uint64_t bitmap[2], nr;
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = ioas, .val64 = 0,
	};

	assert_int_equal(io(IOMMU_OPTION, &opt, sizeof(opt)), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev,
						&auto_hwpt, &idev), 0);
	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_FIXED_RW, buf, len,
					APERTURE), 0);
	/* Without the flag: no dirty ops. */
	assert_int_equal(set_dirty_tracking(auto_hwpt, true), -EOPNOTSUPP);
	assert_int_equal(get_dirty(auto_hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				   bitmap, 0), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				    &hwpt), 0);
	/* A device without dirty tracking cannot attach to it. */
	assert_int_equal(fake_mock_domain_flags(env.ictx, hwpt,
						MOCK_FLAGS_DEVICE_NO_DIRTY,
						NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fake_mock_domain_flags(env.ictx, hwpt, 0, &stdev2,
						NULL, NULL), 0);
	assert_int_equal(set_dirty_tracking(99, true), -ENOENT);
	struct iommu_hwpt_set_dirty_tracking sdt = {
		.size = sizeof(sdt), .hwpt_id = hwpt, .flags = 2,
	};
	assert_int_equal(io(IOMMU_HWPT_SET_DIRTY_TRACKING, &sdt, sizeof(sdt)),
			 -EOPNOTSUPP);

	/* The DIRTY op needs tracking on. */
	bitmap[0] = 1;
	assert_int_equal(test_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				    bitmap, &nr), -EINVAL);
	assert_int_equal(set_dirty_tracking(hwpt, true), 0);
	assert_int_equal(test_dirty(hwpt, APERTURE, len, 0, bitmap, &nr),
			 -EINVAL);
	assert_int_equal(test_dirty(auto_hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				    bitmap, &nr), -EINVAL);
	/* Mark every fourth 2 KiB page. */
	bitmap[0] = bitmap[1] = 0x1111111111111111ull;
	assert_int_equal(test_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				    bitmap, &nr), 0);
	assert_int_equal(nr, 16); /* only the first word is in range */
	/*
	 * Leaves are CPU pages with large pages off (v7.3's mock format): a
	 * dirty 2 KiB half reports its whole 4 KiB leaf, both bits.
	 */
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(get_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE, bitmap,
				   IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), 0);
	assert_true(bitmap[0] == 0x3333333333333333ull && bitmap[1] == 0);
	/* At 4 KiB granularity every other bit; read and clear. */
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(get_dirty(hwpt, APERTURE, len, PS, bitmap, 0), 0);
	assert_true(bitmap[0] == 0x55555555ull);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(get_dirty(hwpt, APERTURE, len, PS, bitmap, 0), 0);
	assert_true(bitmap[0] == 0);
	/* The range rules. */
	assert_int_equal(get_dirty(hwpt, APERTURE + 1, len, PS, bitmap, 0),
			 -EINVAL);
	assert_int_equal(get_dirty(hwpt, APERTURE, len, 0, bitmap, 0), -EINVAL);
	assert_int_equal(get_dirty(hwpt, APERTURE + PS, len, 2 * PS, bitmap, 0),
			 -EINVAL);
	assert_int_equal(get_dirty(hwpt, 2 * PS, UINT64_MAX, PS, bitmap, 0),
			 -EOVERFLOW);
	/* v7.3: an empty range, even at IOVA 0 where it used to wrap. */
	assert_int_equal(get_dirty(hwpt, 0, 0, PS, bitmap, 0), -EINVAL);
	assert_int_equal(get_dirty(hwpt, APERTURE, 0, PS, bitmap, 0), -EINVAL);
	assert_int_equal(get_dirty(hwpt, APERTURE, len, PS, bitmap, 2),
			 -EOPNOTSUPP);
	/* An unwritable bitmap: the kernel's walk stops quietly. */
	struct iommu_hwpt_get_dirty_bitmap gdb = {
		.size = sizeof(gdb), .hwpt_id = hwpt, .iova = APERTURE,
		.length = len, .page_size = PS, .data = 8,
	};
	bitmap[0] = 1;
	assert_int_equal(test_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				    bitmap, &nr), 0);
	assert_int_equal(io(IOMMU_HWPT_GET_DIRTY_BITMAP, &gdb, sizeof(gdb)), 0);
	/* ... and the bit stays dirty for the next read. */
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(get_dirty(hwpt, APERTURE, len, PS, bitmap, 0), 0);
	assert_true(bitmap[0] == 1);
	assert_int_equal(set_dirty_tracking(hwpt, false), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev2), 0);
	assert_int_equal(fake_destroy(env.ictx, hwpt), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	munmap(buf, len);
}

static void test_dirty_huge_leaves(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, idev, hwpt;
	size_t len = 4u << 20;
	uint8_t *raw = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *buf = (uint8_t *)(((uintptr_t)raw + len - 1) & ~(len - 1));
	uint64_t bitmap[32] = { 0 }, nr;
	uint64_t mock_pages = len / MOCK_PAGE_SIZE;

	assert_true(raw != MAP_FAILED);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev, NULL,
						&idev), 0);
	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_FIXED_RW, buf, len,
					APERTURE), 0);
	assert_int_equal(hwpt_alloc_type(idev, ioas,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 MOCK_IOMMUPT_HUGE, &hwpt), 0);
	assert_int_equal(emulated_domain_leaf_size(domain_of(hwpt), APERTURE),
			 MOCK_HUGE_PAGE_SIZE);
	assert_int_equal(set_dirty_tracking(hwpt, true), 0);
	/* One 2 KiB page marked makes its whole 1 MiB leaf dirty. */
	bitmap[0] = 1;
	assert_int_equal(test_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE,
				    bitmap, &nr), 0);
	assert_int_equal(nr, 1);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(get_dirty(hwpt, APERTURE, len, MOCK_PAGE_SIZE, bitmap,
				   0), 0);
	for (uint64_t i = 0; i < mock_pages; i++)
		assert_int_equal(!!(bitmap[i / 64] & (1ull << (i % 64))),
				 i < MOCK_HUGE_PAGE_SIZE / MOCK_PAGE_SIZE);
	assert_int_equal(fake_destroy(env.ictx, hwpt), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	munmap(raw, 2 * len);
}

static long viommu_alloc(uint32_t idev, uint32_t hwpt, uint32_t type,
			 void *data, uint32_t len, uint32_t *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd), .type = type, .dev_id = idev,
		.hwpt_id = hwpt, .data_len = len, .data_uptr = (uintptr_t)data,
	};
	long rc;

	if (data)
		fake_user_add(data, len);
	rc = io(IOMMU_VIOMMU_ALLOC, &cmd, sizeof(cmd));
	fake_user_reset();
	if (out)
		*out = cmd.out_viommu_id;
	return rc;
}

static long vdevice_alloc(uint32_t viommu, uint32_t idev, uint64_t virt_id,
			  uint32_t *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu, .dev_id = idev,
		.virt_id = virt_id,
	};
	long rc = io(IOMMU_VDEVICE_ALLOC, &cmd, sizeof(cmd));

	if (out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static long check_cache(uint32_t idev, uint32_t slot, uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev, .check_dev_cache = { .id = slot, .cache = val },
	};

	return io(IOMMU_TEST_CMD, &cmd, sizeof(cmd));
}

static void test_viommu_vdevice(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, auto_hwpt, idev, parent, viommu;
	uint32_t vdev, nested, pt, n, stdev2, idev2;
	struct iommu_viommu_selftest data = { .in_data = 0xcafe };
	struct iommu_viommu_invalidate_selftest inv[2];
	struct iommu_test_cmd ev = {
		.size = sizeof(ev), .op = IOMMU_TEST_OP_TRIGGER_VEVENT,
	};

	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev,
						&auto_hwpt, &idev), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev2,
						NULL, &idev2), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				    &parent), 0);
	assert_int_equal(viommu_alloc(idev, parent, 0, NULL, 0, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(viommu_alloc(idev, parent, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				      NULL, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(viommu_alloc(99, parent, IOMMU_VIOMMU_TYPE_SELFTEST,
				      NULL, 0, NULL), -ENOENT);
	assert_int_equal(viommu_alloc(idev, 99, IOMMU_VIOMMU_TYPE_SELFTEST,
				      NULL, 0, NULL), -ENOENT);
	assert_int_equal(viommu_alloc(idev, auto_hwpt,
				      IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				      NULL), -EINVAL);
	assert_int_equal(viommu_alloc(idev, parent, IOMMU_VIOMMU_TYPE_SELFTEST,
				      &data, 4, NULL), -EINVAL);
	assert_int_equal(viommu_alloc(idev, parent, IOMMU_VIOMMU_TYPE_SELFTEST,
				      &data, sizeof(data), &viommu), 0);
	assert_int_equal(data.out_data, 0xcafe);
	assert_int_equal(fake_destroy(env.ictx, parent), -EBUSY);

	/* vDEVICEs: one per device, one per virt_id. */
	assert_int_equal(vdevice_alloc(99, idev, 0x10, NULL), -ENOENT);
	assert_int_equal(vdevice_alloc(viommu, 99, 0x10, NULL), -ENOENT);
	assert_int_equal(vdevice_alloc(viommu, idev, 0x10, &vdev), 0);
	assert_int_equal(vdevice_alloc(viommu, idev, 0x11, NULL), -EEXIST);
	assert_int_equal(vdevice_alloc(viommu, idev2, 0x10, NULL), -EEXIST);
	assert_int_equal(fake_destroy(env.ictx, viommu), -EBUSY);

	/* A nested HWPT through the vIOMMU; attaching it needs a vDEVICE. */
	assert_int_equal(nested_alloc(idev, viommu, 5, &nested), 0);
	pt = nested;
	assert_int_equal(fake_replace(env.ictx, stdev2, &pt), -ENOENT);
	ev.trigger_vevent.dev_id = idev;
	assert_int_equal(io(IOMMU_TEST_CMD, &ev, sizeof(ev)), -ENOENT);
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	/* Attached behind the vIOMMU with a vDEVICE: no vEVENTQ to report to. */
	assert_int_equal(io(IOMMU_TEST_CMD, &ev, sizeof(ev)), -EOPNOTSUPP);

	/* Device cache invalidation through the vIOMMU. */
	for (uint32_t i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		assert_int_equal(check_cache(idev, i,
					     IOMMU_TEST_DEV_CACHE_DEFAULT), 0);
	inv[0] = (struct iommu_viommu_invalidate_selftest){
		.vdev_id = 0x10, .cache_id = 1,
	};
	inv[1] = (struct iommu_viommu_invalidate_selftest){
		.vdev_id = 0x99, .cache_id = 2,
	};
	n = 0;
	assert_int_equal(invalidate(viommu, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    NULL, 0, &n), 0);
	n = 2;
	assert_int_equal(invalidate(viommu, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]), &n), -EINVAL);
	assert_int_equal(n, 1);
	assert_int_equal(check_cache(idev, 1, 0), 0);
	assert_int_equal(check_cache(idev, 2, IOMMU_TEST_DEV_CACHE_DEFAULT), 0);
	assert_int_equal(check_cache(idev, 4, 0), -EINVAL);
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	n = 1;
	assert_int_equal(invalidate(viommu, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    inv, sizeof(inv[0]), &n), 0);
	assert_int_equal(check_cache(idev, 3, 0), 0);
	n = 1;
	assert_int_equal(invalidate(viommu,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				    inv, sizeof(inv[0]), &n), -EINVAL);
	assert_int_equal(n, 0);
	/* Too many records for the kernel's allocation: count unchanged. */
	n = 1u << 19;
	assert_int_equal(invalidate(viommu, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    NULL, sizeof(inv[0]), &n), -EINVAL);
	struct iommu_hwpt_invalidate big = {
		.size = sizeof(big), .hwpt_id = viommu, .data_uptr = 8,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv[0]), .entry_num = 1u << 19,
	};
	assert_int_equal(io(IOMMU_HWPT_INVALIDATE, &big, sizeof(big)), -ENOMEM);
	assert_int_equal(big.entry_num, 1u << 19);
	/* v7.3: past 2^19 records, or a record past a page, EINVAL and 0. */
	big.entry_num = (1u << 19) + 1;
	assert_int_equal(io(IOMMU_HWPT_INVALIDATE, &big, sizeof(big)), -EINVAL);
	assert_int_equal(big.entry_num, 0);
	big.entry_num = 1;
	big.entry_len = 4097;
	assert_int_equal(io(IOMMU_HWPT_INVALIDATE, &big, sizeof(big)), -EINVAL);
	assert_int_equal(big.entry_num, 0);

	/* Destroying the device leaves the vDEVICE ID a tombstone. */
	pt = auto_hwpt;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, vdev), -ENOENT);
	assert_int_equal(vdevice_alloc(viommu, idev2, 0x10, &pt), 0);
	assert_true(pt != vdev);
	assert_int_equal(fake_destroy(env.ictx, pt), 0);
	assert_int_equal(fake_destroy(env.ictx, nested), 0);
	assert_int_equal(fake_destroy(env.ictx, viommu), 0);
	assert_int_equal(fake_destroy(env.ictx, parent), 0);
	assert_int_equal(fake_destroy(env.ictx, stdev2), 0);
}

static long pasid_op(uint32_t op, uint32_t stdev, uint32_t pasid,
		     uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = op, .id = stdev,
		.pasid_attach = { .pasid = pasid, .pt_id = pt },
	};

	return io(IOMMU_TEST_CMD, &cmd, sizeof(cmd));
}

static void test_pasid(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, auto_hwpt, idev, hwpt, hwpt2;
	uint32_t plain, rid;

	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas,
						MOCK_FLAGS_DEVICE_PASID, &stdev,
						&auto_hwpt, &idev), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_PASID,
				    &hwpt), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_PASID,
				    &hwpt2), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, 0, &plain), 0);
	/* The RID's auto domain is not PASID-compatible. */
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  hwpt), -EINVAL);
	rid = hwpt;
	assert_int_equal(fake_replace(env.ictx, stdev, &rid), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  plain), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev,
				  1u << MOCK_PASID_WIDTH, hwpt), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  hwpt), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev, 100,
				  hwpt2), -EBUSY);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, 100,
				  hwpt), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, 100,
				  hwpt2), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, 100,
				  0), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, 101,
				  0), 0);
	/* With a PASID in use the RID cannot move to a non-PASID table. */
	rid = plain;
	assert_int_equal(fake_replace(env.ictx, stdev, &rid), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_REPLACE, stdev, 101,
				  hwpt2), -EINVAL);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_REPLACE, stdev, 100,
				  hwpt2), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, 100,
				  hwpt2), 0);
	assert_int_equal(fake_destroy(env.ictx, hwpt2), -EBUSY);
	/* The mock fails every second attach of PASID 1024. */
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev,
				  IOMMU_TEST_PASID_RESERVED, hwpt), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_REPLACE, stdev,
				  IOMMU_TEST_PASID_RESERVED, hwpt2), -ENOMEM);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev,
				  IOMMU_TEST_PASID_RESERVED, hwpt), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_DETACH, stdev,
				  IOMMU_TEST_PASID_RESERVED, 0), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_DETACH, stdev, 100, 0),
			 0);
	assert_int_equal(fake_destroy(env.ictx, hwpt2), 0);
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, 99, 100, hwpt),
			 -ENOENT);
	/* A PASID left attached is detached with the device. */
	assert_int_equal(pasid_op(IOMMU_TEST_OP_PASID_ATTACH, stdev, 7, hwpt),
			 0);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, hwpt), 0);
	assert_int_equal(fake_destroy(env.ictx, plain), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/* Closing with everything still linked frees it all (ASan checks). */
static void test_close_with_everything(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev, idev, parent, viommu, nested;
	size_t len = 4 * PS;
	uint8_t *buf = shared_buf(len);

	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_FIXED_RW, buf, len,
					APERTURE), 0);
	assert_int_equal(fake_mock_domain_flags(env.ictx, ioas, 0, &stdev, NULL,
						&idev), 0);
	assert_int_equal(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT |
						   IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				    &parent), 0);
	assert_int_equal(viommu_alloc(idev, parent, IOMMU_VIOMMU_TYPE_SELFTEST,
				      NULL, 0, &viommu), 0);
	assert_int_equal(vdevice_alloc(viommu, idev, 3, NULL), 0);
	assert_int_equal(nested_alloc(idev, viommu, 1, &nested), 0);
	uint32_t pt = nested;
	assert_int_equal(fake_replace(env.ictx, stdev, &pt), 0);
	assert_int_equal(set_dirty_tracking(parent, true), 0);
	teardown(state);
	setup(state);
	munmap(buf, len);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hwpt_alloc_rules),
		T(test_manual_hwpt_attach_replace),
		T(test_nested_and_invalidate),
		T(test_get_hw_info),
		T(test_dirty_tracking),
		T(test_dirty_huge_leaves),
		T(test_viommu_vdevice),
		T(test_pasid),
		T(test_close_with_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
