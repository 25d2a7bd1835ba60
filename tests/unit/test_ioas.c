// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IOAS ioctls and the first self-test ops, through the real dispatcher
 * with the fake transport: every errno rule of IOAS_MAP, MAP_FILE, COPY,
 * UNMAP, IOVA_RANGES, ALLOW_IOVAS, CHANGE_PROCESS and OPTION HUGE_PAGES,
 * lazy pinning, mock domains and the IOMMU_DESTROY order.  The "caller" is
 * this process (fake_caller_pid = getpid()), so pins are real.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_ops.h"
#include "core/ioas.h"
#include "core/pages.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW (MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)

static struct fake_env env;

static int setup(void **state)
{
	fake_env_caller_init(&env, false);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	/* The pools got every area and pages object back. */
	assert_int_equal(iopt_areas_in_use(), 0);
	assert_int_equal(iopt_pages_in_use(), 0);
	return 0;
}

static struct iommufd_ctx *C(void)
{
	return env.ictx;
}

static long add_reserved(uint32_t ioas, uint64_t start, uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_ADD_RESERVED, .id = ioas,
		.add_reserved = { .start = start, .length = len },
	};

	return fake_ioctl(C(), IOMMU_TEST_CMD, &cmd, sizeof(cmd));
}

static void *shared_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static void test_map_flag_and_size_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	struct iommu_ioas_map cmd = { .size = sizeof(cmd), .ioas_id = ioas,
				      .flags = MAP_RW, .user_va = 0x10000,
				      .length = PS };
	uint64_t iova = 0;

	cmd.flags = MAP_RW | 8;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.flags = MAP_RW;
	cmd.__reserved = 1;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.__reserved = 0;
	cmd.length = UINT64_MAX;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EOVERFLOW);
	cmd.length = PS;
	cmd.iova = UINT64_MAX;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EOVERFLOW);
	cmd.iova = 0;
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EINVAL);
	cmd.flags = MAP_RW;
	cmd.ioas_id = ioas + 100;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -ENOENT);
	cmd.ioas_id = ioas;
	cmd.length = 0;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EINVAL);
	/* user_va + length wraps */
	assert_int_equal(fake_map(C(), ioas, MAP_RW,
				  (void *)(UINT64_MAX - PS + 1), 2 * PS, &iova),
			 -EOVERFLOW);
	/* iova + length wraps */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x10000,
					2 * PS, UINT64_MAX - PS + 1),
			 -EOVERFLOW);
	/* A short struct: below min_size is EINVAL, the dispatcher's rule. */
	cmd.size = offsetof(struct iommu_ioas_map, iova);
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP, &cmd, sizeof(cmd)), -EINVAL);
}

/* Without a domain, MAP is bookkeeping: even an unmapped VA succeeds. */
static void test_map_lazy_no_domain(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t iova = 0, n;

	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x1000, 64 * PS,
				  &iova), 0);
	assert_true(iova != 0);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_unmap(C(), ioas, iova, 64 * PS, &n), 0);
	assert_int_equal(n, 64 * PS);
}

static void test_map_fixed_overlap_and_unmap_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t n;

	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x100000,
					4 * PS, 0x100000), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x100000, PS,
					0x103000), -EEXIST);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x100000,
					8 * PS, 0xfe000), -EEXIST);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x200000,
					4 * PS, 0x200000), 0);
	/* A cut through an area: nothing unmapped, ENOENT. */
	assert_int_equal(fake_unmap(C(), ioas, 0x101000, PS, NULL), -ENOENT);
	assert_int_equal(fake_unmap(C(), ioas, 0x100000, PS, NULL), -ENOENT);
	/* Nothing in the range. */
	assert_int_equal(fake_unmap(C(), ioas, 0x500000, PS, NULL), -ENOENT);
	assert_int_equal(fake_unmap(C(), ioas, 0x500000, 0, NULL), -EINVAL);
	assert_int_equal(fake_unmap(C(), ioas, 1, UINT64_MAX, NULL),
			 -EOVERFLOW);
	assert_int_equal(fake_unmap(C(), ioas, UINT64_MAX, 1, NULL),
			 -EOVERFLOW);
	assert_int_equal(fake_unmap(C(), ioas + 50, 0, UINT64_MAX, NULL),
			 -ENOENT);
	/* Whole area. */
	assert_int_equal(fake_unmap(C(), ioas, 0x100000, 4 * PS, &n), 0);
	assert_int_equal(n, 4 * PS);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x100000,
					4 * PS, 0x100000), 0);
	/* 0..U64_MAX: everything. */
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(n, 8 * PS);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(n, 0);
}

static void test_map_alloc_iova_alignment(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t iova = 0;

	/* The size class: 2 MiB at a 2 MiB-aligned VA lands 2 MiB-aligned. */
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x40000000,
				  2 << 20, &iova), 0);
	assert_int_equal(iova % (2 << 20), 0);
	/* A VA with a sub-page offset keeps it in the IOVA. */
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x50000123, PS,
				  &iova), 0);
	assert_int_equal(iova % PS, 0x123);
	/* The top of the address space is never handed out. */
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x1000,
				  UINT64_MAX / 2, &iova), -EOVERFLOW);
}

static void test_allow_iovas(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	struct iommu_iova_range r[2] = { { 0x100000, 0x1fffff }, { 0x180000, 0x2fffff } };
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .num_iovas = 2,
		.allowed_iovas = (uintptr_t)r,
	};
	uint64_t iova = 0;

	fake_user_add(r, sizeof(r));
	/* Overlapping ranges. */
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), -EINVAL);
	/* start >= last */
	r[1] = (struct iommu_iova_range){ 0x400000, 0x400000 };
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), -EINVAL);
	r[1] = (struct iommu_iova_range){ 0x400000, 0x4fffff };
	cmd.__reserved = 1;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.__reserved = 0;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), 0);
	/* Allocation honours the allowed ranges. */
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x10000000,
				  0x100000, &iova), 0);
	assert_int_equal(iova, 0x100000);
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x10000000,
				  0x100000, &iova), 0);
	assert_int_equal(iova, 0x400000);
	assert_int_equal(fake_map(C(), ioas, MAP_RW, (void *)0x10000000,
				  0x100000, &iova), -ENOSPC);
	/* A reserved range may not meet an allowed one, either way. */
	assert_int_equal(add_reserved(ioas, 0x480000, PS), -EADDRINUSE);
	assert_int_equal(add_reserved(ioas, 0x800000, PS), 0);
	r[0] = (struct iommu_iova_range){ 0x700000, 0x8fffff };
	cmd.num_iovas = 1;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), -EADDRINUSE);
	/* An unreadable array. */
	cmd.allowed_iovas = 8;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), -EFAULT);
	/* num_iovas 0 clears the list. */
	cmd.num_iovas = 0;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_ALLOW_IOVAS, &cmd, sizeof(cmd)), 0);
	fake_user_reset();
}

static void test_reserved_and_ranges(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	struct iommu_iova_range out[3];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r), .ioas_id = ioas, .num_iovas = 1,
		.allowed_iovas = (uintptr_t)out,
	};

	assert_int_equal(add_reserved(ioas, 0x10000, 0), -EINVAL);
	assert_int_equal(add_reserved(ioas, UINT64_MAX, 2), -EOVERFLOW);
	assert_int_equal(add_reserved(ioas + 9, 0x10000, PS), -ENOENT);
	assert_int_equal(add_reserved(ioas, 0x10000, PS), 0);
	/* A fixed map into a reserved range is EINVAL. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x10000, PS,
					0x10000), -EINVAL);
	fake_user_add(out, sizeof(out));
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -EMSGSIZE);
	assert_int_equal(r.num_iovas, 2);
	r.num_iovas = 3;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), 0);
	assert_int_equal(out[0].last, 0xffff);
	assert_int_equal(out[1].start, 0x11000);
	fake_user_reset();
}

static void test_mock_domain_pins_and_checks(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), stdev, hwpt, idev;
	size_t len = 16 * PS;
	uint8_t *buf = shared_buf(len), *copy = aligned_alloc(PS, len);
	struct iommu_iova_range out[2];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r), .ioas_id = ioas, .num_iovas = 2,
		.allowed_iovas = (uintptr_t)out,
	};
	uint64_t iova = MOCK_APERTURE_START, n;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memcpy(copy, buf, len);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, &hwpt, &idev), 0);
	assert_true(stdev && hwpt && idev && stdev != hwpt);
	/* The IOAS narrowed to the mock aperture, 2 KiB aligned. */
	fake_user_add(out, sizeof(out));
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), 0);
	fake_user_reset();
	assert_int_equal(r.num_iovas, 1);
	assert_int_equal(out[0].start, MOCK_APERTURE_START);
	assert_int_equal(out[0].last, MOCK_APERTURE_LAST);
	assert_int_equal(r.out_iova_alignment, MOCK_PAGE_SIZE);
	/* Outside the aperture is reserved now. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, len, 0x1000),
			 -EINVAL);

	/* With a domain, MAP pins, and an unmapped VA is EFAULT. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x1000, PS,
					iova), -EFAULT);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, len, iova), 0);
	assert_int_equal(C()->pinned_bytes, len);
	assert_int_equal(fake_check_map(C(), hwpt, iova, copy, len), 0);
	/* Misaligned to the mock page, or an IOVA the domain lacks. */
	assert_int_equal(fake_check_map(C(), hwpt, iova + 1, copy,
					MOCK_PAGE_SIZE), -EINVAL);
	assert_int_equal(fake_check_map(C(), hwpt, iova + len, copy,
					MOCK_PAGE_SIZE), -EINVAL);
	assert_int_equal(fake_check_map(C(), ioas, iova, copy, MOCK_PAGE_SIZE),
			 -ENOENT);
	/* The pin holds the pages after the VA is gone. */
	munmap(buf, len);
	assert_int_equal(fake_check_map(C(), hwpt, iova, copy, len), 0);
	copy[5] ^= 1;
	assert_int_equal(fake_check_map(C(), hwpt, iova, copy, len), -EINVAL);

	/* Huge pages cannot be turned off with domains and areas. */
	{
		struct iommu_option o = { .size = sizeof(o),
			.option_id = IOMMU_OPTION_HUGE_PAGES,
			.op = IOMMU_OPTION_OP_SET, .object_id = ioas, .val64 = 0 };

		assert_int_equal(fake_ioctl(C(), IOMMU_OPTION, &o, sizeof(o)), -EINVAL);
	}

	/* Destroy order: everything in use is EBUSY. */
	assert_int_equal(fake_destroy(C(), ioas), -EBUSY);
	assert_int_equal(fake_destroy(C(), hwpt), -EBUSY);
	assert_int_equal(fake_destroy(C(), idev), -EBUSY);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	assert_int_equal(fake_destroy(C(), hwpt), -ENOENT);
	assert_int_equal(fake_destroy(C(), idev), -ENOENT);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	free(copy);
}

static void test_mock_domain_attach_refused(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), stdev, hwpt, hwpt2, stdev2;
	uint8_t *buf = shared_buf(4 * PS);

	/* An area outside the mock aperture makes the attach fail whole. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, 4 * PS, 0x1000),
			 0);
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL),
			 -EADDRINUSE);
	assert_int_equal(C()->pinned_bytes, 0);
	/* An area the domain cannot pin: rolled back, nothing left. */
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, 4 * PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x2000, PS,
					MOCK_APERTURE_START + 0x10000), 0);
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL),
			 -EFAULT);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_unmap(C(), ioas, MOCK_APERTURE_START + 0x10000,
				    PS, NULL), 0);
	/* Two mock devices share the IOAS's auto domain; the pin is one. */
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, &hwpt, NULL), 0);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev2, &hwpt2, NULL), 0);
	assert_int_equal(hwpt, hwpt2);
	assert_int_equal(C()->pinned_bytes, 4 * PS);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	assert_int_equal(fake_destroy(C(), ioas), -EBUSY);
	assert_int_equal(fake_destroy(C(), stdev2), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	munmap(buf, 4 * PS);
}

static void test_private_memory_emulated(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), stdev, hwpt;
	uint8_t *buf = malloc(8 * PS), *p = (uint8_t *)(((uintptr_t)buf + PS - 1) & ~(PS - 1));

	memset(p, 0x5a, 4 * PS);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, &hwpt, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, p, 4 * PS,
					MOCK_APERTURE_START), 0);
	/* Private memory is followed by VA: a later write is seen. */
	p[100] = 0x11;
	assert_int_equal(fake_check_map(C(), hwpt, MOCK_APERTURE_START, p,
					4 * PS), 0);
	assert_int_equal(C()->pinned_bytes, 4 * PS);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	free(buf);
}

static void test_copy_shares_pins(void **state)
{
	uint32_t a = fake_ioas_new(C()), b = fake_ioas_new(C()), stdev, hwpt;
	uint8_t *buf = shared_buf(8 * PS);
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = MAP_FIXED_RW, .dst_ioas_id = b,
		.src_ioas_id = a, .length = 4 * PS,
		.dst_iova = MOCK_APERTURE_START, .src_iova = MOCK_APERTURE_START,
	};

	memset(buf, 0x77, 8 * PS);
	assert_int_equal(fake_mock_domain(C(), a, &stdev, NULL, NULL), 0);
	assert_int_equal(fake_mock_domain(C(), b, NULL, &hwpt, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), a, MAP_RW, buf, 8 * PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(C()->pinned_bytes, 8 * PS);
	/* Unmapped source, gaps and flags. */
	cmd.src_iova = 0x1000;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -ENOENT);
	cmd.src_iova = MOCK_APERTURE_START;
	cmd.length = 16 * PS;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -ENOENT);
	cmd.length = 0;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -EINVAL);
	cmd.length = 4 * PS;
	cmd.flags = 0x80;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.flags = MAP_FIXED_RW;
	cmd.dst_ioas_id = 77;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -ENOENT);
	cmd.dst_ioas_id = b;
	/* A sub-range of an area, into another IOAS with its own domain. */
	cmd.src_iova = MOCK_APERTURE_START + 2 * PS;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), 0);
	assert_int_equal(C()->pinned_bytes, 8 * PS);
	assert_int_equal(fake_check_map(C(), hwpt, MOCK_APERTURE_START,
					buf + 2 * PS, 4 * PS), 0);
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_COPY, &cmd, sizeof(cmd)), -EEXIST);
	/* The pin lives while either IOAS maps the pages. */
	assert_int_equal(fake_unmap(C(), a, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 8 * PS);
	assert_int_equal(fake_unmap(C(), b, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	munmap(buf, 8 * PS);
}

static void test_map_file_and_change_process(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), stdev, hwpt;
	int mfd = memfd_create("t", MFD_CLOEXEC);
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = MAP_FIXED_RW, .ioas_id = ioas,
		.fd = mfd, .start = PS, .length = 4 * PS,
		.iova = MOCK_APERTURE_START,
	};
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	static uint8_t data[4 * PS] __attribute__((aligned(4096)));
	uint64_t iova = 0;

	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 8 * PS), 0);
	memset(data, 0x3c, sizeof(data));
	assert_int_equal(pwrite(mfd, data, sizeof(data), PS), (ssize_t)sizeof(data));

	cmd.fd = -1;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EBADF);
	cmd.fd = 100000;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EBADF);
	cmd.fd = mfd;
	cmd.length = 0;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EINVAL);
	cmd.length = 4 * PS;
	cmd.flags = 0x10;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.flags = MAP_FIXED_RW;
	cmd.start = UINT64_MAX - PS;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EOVERFLOW);
	cmd.start = PS;

	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_CHANGE_PROCESS, &cp, sizeof(cp)), 0);
	cp.__reserved = 1;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_CHANGE_PROCESS, &cp, sizeof(cp)), -EOPNOTSUPP);
	cp.__reserved = 0;
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, &hwpt, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 4 * PS);
	assert_int_equal(fake_check_map(C(), hwpt, MOCK_APERTURE_START, data,
					sizeof(data)), 0);
	/* Past the end of the file cannot be pinned. */
	cmd.start = 6 * PS;
	cmd.iova = MOCK_APERTURE_START + 0x100000;
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd)), -EINVAL);
	assert_int_equal(C()->pinned_bytes, 4 * PS);
	/* A VA-based area makes CHANGE_PROCESS EINVAL. */
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_CHANGE_PROCESS, &cp, sizeof(cp)), 0);
	assert_int_equal(fake_map(C(), ioas, MAP_RW, data, PS, &iova), 0);
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_CHANGE_PROCESS, &cp, sizeof(cp)), -EINVAL);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	close(mfd);
}

static void test_cut_iova(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), stdev, hwpt;
	uint8_t *buf = shared_buf(8 * PS);
	uint64_t cuts[] = { MOCK_APERTURE_START + 2 * PS - 1 }, n;

	memset(buf, 0x42, 8 * PS);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, &hwpt, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, 8 * PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(iommufd_ioas_cut_iova(iommufd_get_ioas(C(), ioas), cuts, 1), 0);
	assert_int_equal(fake_unmap(C(), ioas, MOCK_APERTURE_START, 2 * PS, &n),
			 0);
	assert_int_equal(n, 2 * PS);
	assert_int_equal(fake_check_map(C(), hwpt, MOCK_APERTURE_START + 2 * PS,
					buf, 6 * PS), 0);
	assert_int_equal(fake_check_map(C(), hwpt, MOCK_APERTURE_START, buf,
					PS), -EINVAL);
	assert_int_equal(C()->pinned_bytes, 8 * PS);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	munmap(buf, 8 * PS);
}

static void test_test_cmd_misc(void **state)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT };

	cmd.memory_limit.limit = 4;
	assert_int_equal(fake_ioctl(C(), IOMMU_TEST_CMD, &cmd, sizeof(cmd)), -EINVAL);
	cmd.memory_limit.limit = 65536;
	assert_int_equal(fake_ioctl(C(), IOMMU_TEST_CMD, &cmd, sizeof(cmd)), 0);
	cmd.op = 999;
	assert_int_equal(fake_ioctl(C(), IOMMU_TEST_CMD, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	cmd.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	cmd.id = 4242;
	assert_int_equal(fake_ioctl(C(), IOMMU_TEST_CMD, &cmd, sizeof(cmd)), -ENOENT);
	/* Nothing is left of the failed mock domain: the next ID is 1. */
	assert_int_equal(fake_ioas_new(C()), 1);
}

static void test_huge_pages_option(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	struct iommu_option o = { .size = sizeof(o),
		.option_id = IOMMU_OPTION_HUGE_PAGES, .op = IOMMU_OPTION_OP_SET,
		.object_id = ioas, .val64 = 0 };
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = ioas };

	assert_int_equal(fake_ioctl(C(), IOMMU_OPTION, &o, sizeof(o)), 0);
	fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r));
	assert_int_equal(r.out_iova_alignment, PS);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, (void *)0x10000,
					0x800, 0x10000), -EINVAL);
	o.val64 = 1;
	assert_int_equal(fake_ioctl(C(), IOMMU_OPTION, &o, sizeof(o)), 0);
	r.num_iovas = 0;
	fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r));
	assert_int_equal(r.out_iova_alignment, 1);
}

static struct iopt_pages *pages_at(uint32_t ioas, uint64_t iova)
{
	struct iopt_area *area =
		iopt_area_find(&iommufd_get_ioas(C(), ioas)->iopt, iova);

	assert_non_null(area);
	assert_non_null(area->pages);
	return area->pages;
}

/*
 * A pages object keeps the file, dma-buf and pin parts in ext: none for
 * an unpinned user map, made by the first pin and gone with the last.
 */
static void test_pages_ext_lifecycle(void **state)
{
	/* Offsets of 2 KiB: the mock domains below want their page size. */
	uint32_t ioas = fake_ioas_new(C()), stdev, stdev2;
	uint64_t iova = MOCK_APERTURE_START, n;
	uint8_t *buf = shared_buf(4 * PS);
	int mfd = memfd_create("t", MFD_CLOEXEC);
	struct iommu_ioas_map_file mf = {
		.size = sizeof(mf), .flags = MAP_FIXED_RW, .ioas_id = ioas,
		.fd = mfd, .start = PS + 2048, .length = PS,
		.iova = MOCK_APERTURE_START + 0x100000 + 2048,
	};
	struct iopt_pages *pages;

	(void)state;
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 4 * PS), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf + 2048, 2 * PS,
					iova + 2048), 0);
	pages = pages_at(ioas, iova + 2048);
	assert_null(pages->ext);
	assert_int_equal(pages->type, IOPT_ADDRESS_USER);
	assert_int_equal(pages->first_byte, 2048);
	assert_int_equal(pages->npages, 3);
	assert_int_equal(pages->uptr, (uintptr_t)buf);
	assert_true(pages->writable);
	assert_int_equal(iopt_pages_in_use(), 1);

	/* A file always has its ext: it holds the file. */
	assert_int_equal(fake_ioctl(C(), IOMMU_IOAS_MAP_FILE, &mf, sizeof(mf)), 0);
	pages = pages_at(ioas, mf.iova);
	assert_non_null(pages->ext);
	assert_int_equal(pages->type, IOPT_ADDRESS_FILE);
	assert_int_equal(pages->first_byte, 2048);
	assert_int_equal(pages->start, PS);
	assert_int_equal(pages->file_accmode, O_RDWR);
	assert_false(pages->unpinnable);
	assert_int_equal(iopt_pages_in_use(), 2);

	/* Two domains pin once; the ext goes with the last of them. */
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, NULL, NULL), 0);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev2, NULL, NULL), 0);
	pages = pages_at(ioas, iova + 2048);
	assert_non_null(pages->ext);
	assert_int_equal(C()->pinned_bytes, 3 * PS + 2 * PS);
	assert_int_equal(fake_destroy(C(), stdev), 0);
	assert_non_null(pages->ext);
	assert_int_equal(fake_destroy(C(), stdev2), 0);
	assert_null(pages->ext);
	assert_int_equal(C()->pinned_bytes, 0);
	assert_non_null(pages_at(ioas, mf.iova)->ext);

	/* A failed pin leaves no ext behind. */
	munmap(buf, 4 * PS);
	assert_int_equal(fake_mock_domain(C(), ioas, &stdev, NULL, NULL),
			 -EFAULT);
	assert_null(pages_at(ioas, iova + 2048)->ext);

	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(n, 2 * PS + PS);
	assert_int_equal(iopt_pages_in_use(), 0);
	assert_int_equal(iopt_areas_in_use(), 0);
	close(mfd);
}

/* One IOAS holds a million areas; map and unmap stay O(log n). */
static void test_million_areas(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t n;

	for (uint64_t i = 0; i < 1000000; i++)
		assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW,
						(void *)0x10000, PS,
						(i + 1) * 2 * PS), 0);
	assert_int_equal(iommufd_get_ioas(C(), ioas)->iopt.num_areas, 1000000);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(n, 1000000 * PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_map_flag_and_size_rules),
		T(test_map_lazy_no_domain),
		T(test_map_fixed_overlap_and_unmap_rules),
		T(test_map_alloc_iova_alignment),
		T(test_allow_iovas),
		T(test_reserved_and_ranges),
		T(test_mock_domain_pins_and_checks),
		T(test_mock_domain_attach_refused),
		T(test_private_memory_emulated),
		T(test_copy_shares_pins),
		T(test_map_file_and_change_process),
		T(test_cut_iova),
		T(test_test_cmd_misc),
		T(test_huge_pages_option),
		T(test_pages_ext_lifecycle),
		T(test_million_areas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
