// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU_HW_QUEUE_ALLOC on the mock vIOMMU: the errno of every check in the
 * kernel's order, the lock its pin puts on the parent IOAS's areas (unmap
 * answers EBUSY while a queue lives), the IDs it takes, and the destroy
 * order that the vIOMMU and queue dependencies enforce.
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

#include "fake_ops.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define APERTURE ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define SELFTEST IOMMU_HW_QUEUE_TYPE_SELFTEST

static struct fake_env env;
static uint8_t *buf;
static uint32_t ioas, viommu, parent;

static long io(unsigned int cmd, void *arg, size_t len)
{
	return fake_ioctl(env.ictx, cmd, arg, len);
}

/* Fixed IOVAs, so that neighbouring maps are back to back. */
static long map(const void *va, uint64_t len, uint64_t *iova)
{
	*iova = APERTURE + ((const uint8_t *)va - buf);
	return fake_map(env.ictx, ioas, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA, va,
			len, iova);
}

static long unmap(uint64_t iova, uint64_t len)
{
	return fake_unmap(env.ictx, ioas, iova, len, NULL);
}

static long hw_queue_alloc(uint32_t vid, uint32_t type, uint32_t index,
			   uint64_t base, uint64_t len, uint32_t *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = vid, .type = type,
		.index = index, .nesting_parent_iova = base, .length = len,
	};
	long rc = io(IOMMU_HW_QUEUE_ALLOC, &cmd, sizeof(cmd));

	if (out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/* The iommufd_viommu fixture: mock device, nesting parent, vIOMMU. */
static int setup(void **state)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct iommu_test_cmd md = {
		.size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_hwpt_alloc ha = {
		.size = sizeof(ha), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_viommu_alloc va = {
		.size = sizeof(va), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};

	fake_env_caller_init(&env, false);
	buf = mmap(NULL, 16 * PS, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	assert_int_equal(io(IOMMU_IOAS_ALLOC, &ia, sizeof(ia)), 0);
	ioas = ia.out_ioas_id;
	md.id = ioas;
	assert_int_equal(io(IOMMU_TEST_CMD, &md, sizeof(md)), 0);
	ha.dev_id = md.mock_domain.out_idev_id;
	ha.pt_id = ioas;
	assert_int_equal(io(IOMMU_HWPT_ALLOC, &ha, sizeof(ha)), 0);
	parent = ha.out_hwpt_id;
	va.dev_id = md.mock_domain.out_idev_id;
	va.hwpt_id = parent;
	assert_int_equal(io(IOMMU_VIOMMU_ALLOC, &va, sizeof(va)), 0);
	viommu = va.out_viommu_id;
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	munmap(buf, 16 * PS);
	return 0;
}

/* Each check of iommufd_hw_queue_alloc_ioctl() and the mock, in order. */
static void test_alloc_rules(void **state)
{
	uint64_t iova, iova2;
	uint32_t q;

	/* Type and flags before anything else, even a bad vIOMMU. */
	assert_int_equal(hw_queue_alloc(999, IOMMU_HW_QUEUE_TYPE_DEFAULT, 0,
					APERTURE, PS, &q), -EOPNOTSUPP);
	struct iommu_hw_queue_alloc f = {
		.size = sizeof(f), .flags = 1, .viommu_id = 999,
		.type = SELFTEST, .length = PS,
	};
	assert_int_equal(io(IOMMU_HW_QUEUE_ALLOC, &f, sizeof(f)), -EOPNOTSUPP);
	assert_int_equal(hw_queue_alloc(999, SELFTEST, 0, APERTURE, 0, &q),
			 -EINVAL);
	assert_int_equal(hw_queue_alloc(999, SELFTEST, 0, UINT64_MAX, PS, &q),
			 -EOVERFLOW);
	assert_int_equal(hw_queue_alloc(999, SELFTEST, 0, APERTURE, PS, &q),
			 -ENOENT);
	assert_int_equal(hw_queue_alloc(parent, SELFTEST, 0, APERTURE, PS, &q),
			 -ENOENT);
	/* The mock offers its own type only. */
	assert_int_equal(hw_queue_alloc(viommu, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
					0, APERTURE, PS, &q), -EOPNOTSUPP);
	/* Nothing mapped there yet: the pin finds no area. */
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 0, APERTURE, PS, &q),
			 -ENOENT);
	assert_int_equal(map(buf, PS, &iova), 0);
	assert_int_equal(map(buf + PS, PS, &iova2), 0);
	/* Indexes start at 0 and stop below IOMMU_TEST_HW_QUEUE_MAX. */
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 1, iova, PS, &q),
			 -EIO);
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST,
					IOMMU_TEST_HW_QUEUE_MAX, iova, PS, &q),
			 -EINVAL);
	/* Two back-to-back areas of ordinary pages: not known contiguous. */
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 0, iova, 2 * PS, &q),
			 -EFAULT);
	/* Failed attempts leave no object and no lock. */
	assert_int_equal(unmap(iova2, PS), 0);
	assert_int_equal(map(buf + PS, PS, &iova2), 0);
}

/*
 * iommufd_viommu.mock_viommu.hw_queue: the pinned range is locked against
 * IOAS_UNMAP (a daemon that ignored area->num_locks would unmap it here),
 * queues depend on the one below, and the vIOMMU on its queues.
 */
static void test_lock_and_destroy_order(void **state)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	uint64_t iova, iova2;
	uint32_t q0, q1;

	assert_int_equal(map(buf, PS, &iova), 0);
	assert_int_equal(map(buf + PS, PS, &iova2), 0);
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 0, iova, PS, &q0), 0);
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 0, iova, PS, NULL),
			 -EEXIST);
	/* The internal access took the ID after the queue's. */
	assert_int_equal(io(IOMMU_IOAS_ALLOC, &ia, sizeof(ia)), 0);
	assert_int_equal(ia.out_ioas_id, q0 + 2);
	assert_int_equal(fake_destroy(env.ictx, q0 + 1), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, ia.out_ioas_id), 0);

	assert_int_equal(unmap(iova, PS), -EBUSY);
	struct iommu_ioas_unmap all = {
		.size = sizeof(all), .ioas_id = ioas, .length = UINT64_MAX,
	};
	/* Unmap-all stops at the locked (lowest) area, before the next. */
	assert_int_equal(io(IOMMU_IOAS_UNMAP, &all, sizeof(all)), -EBUSY);
	assert_int_equal(unmap(iova2, PS), 0);
	/* An unaligned queue inside the same page. */
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 1, iova + PS / 2,
					PS / 2, &q1), 0);
	assert_int_equal(fake_destroy(env.ictx, q0), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, viommu), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, q1), 0);
	/* One queue still locks the page. */
	assert_int_equal(unmap(iova, PS), -EBUSY);
	assert_int_equal(fake_destroy(env.ictx, q0), 0);
	assert_int_equal(unmap(iova, PS), 0);
	assert_int_equal(fake_destroy(env.ictx, viommu), 0);
}

/* Closing the file with queues alive releases everything (ASan watches). */
static void test_close_with_queues(void **state)
{
	uint64_t iova;
	uint32_t q0, q1;

	assert_int_equal(map(buf, 4 * PS, &iova), 0);
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 0, iova, PS, &q0), 0);
	assert_int_equal(hw_queue_alloc(viommu, SELFTEST, 1, iova + PS, 64, &q1),
			 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_rules),
		T(test_lock_and_destroy_order),
		T(test_close_with_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
