// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU_IOAS_NOIOMMU_GET_PA (Linux 7.3): the errno of every rule of the
 * kernel's iommufd_ioas_noiommu_get_pa() and iopt_get_phys(), in the
 * kernel's order, through the real dispatcher.  The caller is this process
 * (so maps pin and its capabilities are read from /proc), and fds are
 * installed in it, for the revoked dma-buf case.
 *
 * The daemon serves no device without an IOMMU, so the kernel's only
 * successful path (an area stored by a no-IOMMU domain) never exists here:
 * a mapped IOVA answers EOPNOTSUPP and the reply is never written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake_ops.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF (4 * PS)
#define IOVA ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
/* Written nowhere by a failing call: shows the reply was not sent. */
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

static struct fake_env env;
static uint8_t *buf;

static int setup(void **state)
{
	fake_env_caller_init(&env, true);
	buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	memset(buf, 1, BUF);
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	munmap(buf, BUF);
	return 0;
}

/* Turns one capability of this thread's effective set on or off. */
static bool set_effective(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	if (on)
		data[cap / 32].effective |= 1u << (cap % 32);
	else
		data[cap / 32].effective &= ~(1u << (cap % 32));
	return !syscall(SYS_capset, &hdr, data);
}

static bool have_effective(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	return !syscall(SYS_capget, &hdr, data) &&
	       (data[cap / 32].effective >> (cap % 32)) & 1;
}

static struct iommu_ioas_noiommu_get_pa get_pa(uint32_t ioas, uint64_t iova,
					       uint64_t length)
{
	return (struct iommu_ioas_noiommu_get_pa){
		.size = sizeof(struct iommu_ioas_noiommu_get_pa),
		.ioas_id = ioas, .iova = iova, .length = length,
		.out_phys = SENTINEL,
	};
}

static long call(struct iommu_ioas_noiommu_get_pa *cmd)
{
	return fake_ioctl(env.ictx, IOMMU_IOAS_NOIOMMU_GET_PA, cmd,
			  sizeof(*cmd));
}

/* The generic prologue applies: minimum size 40, a zero tail past it. */
static void test_size_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx);
	struct iommu_ioas_noiommu_get_pa c = get_pa(ioas, IOVA, PS);
	uint8_t big[48] = { 0 };

	c.size = offsetof(struct iommu_ioas_noiommu_get_pa, out_phys) + 7;
	assert_int_equal(call(&c), -EINVAL);
	memcpy(big, &c, sizeof(c));
	((struct iommu_ioas_noiommu_get_pa *)big)->size = sizeof(big);
	big[47] = 1;
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_IOAS_NOIOMMU_GET_PA, big,
				    sizeof(big)), -E2BIG);
	/* A zero tail is fine: the answer is then the handler's. */
	big[47] = 0;
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_IOAS_NOIOMMU_GET_PA, big,
				    sizeof(big)),
			 have_effective(CAP_SYS_RAWIO) ? -ENOENT : -EPERM);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/* capable(CAP_SYS_RAWIO) comes before any field is looked at. */
static void test_eperm_first(void **state)
{
	struct iommu_ioas_noiommu_get_pa c = get_pa(0, UINT64_MAX, 0);

	if (!have_effective(CAP_SYS_RAWIO))
		skip();
	c.flags = 1;
	assert_true(set_effective(CAP_SYS_RAWIO, false));
	assert_int_equal(call(&c), -EPERM);
	assert_true(set_effective(CAP_SYS_RAWIO, true));
	assert_int_equal(call(&c), -EOPNOTSUPP);
}

/* Then, in order: flags/__reserved, length, iova, the IOAS. */
static void test_field_order(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx);
	struct iommu_ioas_noiommu_get_pa c;

	if (!have_effective(CAP_SYS_RAWIO))
		skip();
	/* Reserved bits before a zero length and a bad ID. */
	c = get_pa(ioas + 100, UINT64_MAX, 0);
	c.flags = 1u << 31;
	assert_int_equal(call(&c), -EOPNOTSUPP);
	c.flags = 0;
	c.__reserved = 1;
	assert_int_equal(call(&c), -EOPNOTSUPP);
	/* A zero length before an iova that overflows. */
	c.__reserved = 0;
	assert_int_equal(call(&c), -EINVAL);
	/* iova == ULONG_MAX before the ID. */
	c.length = 1;
	assert_int_equal(call(&c), -EOVERFLOW);
	c.iova = UINT64_MAX - 1;
	assert_int_equal(call(&c), -ENOENT);
	assert_true(c.out_phys == SENTINEL && c.length == 1);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/* The ID must name an IOAS; any other object is ENOENT, as a missing one. */
static void test_ioas_lookup(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), hwpt, stdev;
	struct iommu_ioas_noiommu_get_pa c;

	if (!have_effective(CAP_SYS_RAWIO))
		skip();
	assert_int_equal(fake_mock_domain(env.ictx, ioas, &stdev, &hwpt, NULL),
			 0);
	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_RW, buf, BUF, IOVA),
			 0);
	c = get_pa(hwpt, IOVA, PS);
	assert_int_equal(call(&c), -ENOENT);
	c = get_pa(stdev, IOVA, PS);
	assert_int_equal(call(&c), -ENOENT);
	c = get_pa(0, IOVA, PS);
	assert_int_equal(call(&c), -ENOENT);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/*
 * Only the first byte of the range must be mapped: an unmapped start is
 * ENOENT whatever follows; a mapped one is EOPNOTSUPP, with or without a
 * domain, and the reply (out_phys, length) stays unwritten.
 */
static void test_mapped_and_unmapped(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev;
	struct iommu_ioas_noiommu_get_pa c;

	if (!have_effective(CAP_SYS_RAWIO))
		skip();
	assert_int_equal(fake_map_fixed(env.ictx, ioas, MAP_RW, buf, BUF, IOVA),
			 0);
	/* Before the area, and just past it, with the range reaching in. */
	c = get_pa(ioas, IOVA - PS, 2 * PS);
	assert_int_equal(call(&c), -ENOENT);
	c = get_pa(ioas, IOVA + BUF, PS);
	assert_int_equal(call(&c), -ENOENT);
	/* No domain at all: the area has no storage domain. */
	c = get_pa(ioas, IOVA, BUF);
	assert_int_equal(call(&c), -EOPNOTSUPP);
	/* The last byte, a length past the area, an unaligned iova. */
	c = get_pa(ioas, IOVA + BUF - 1, UINT64_MAX);
	assert_int_equal(call(&c), -EOPNOTSUPP);
	c = get_pa(ioas, IOVA + 5, 3);
	assert_int_equal(call(&c), -EOPNOTSUPP);
	assert_true(c.out_phys == SENTINEL && c.length == 3);
	/* A mock domain stores it now: an IOMMU-backed one, still no PA. */
	assert_int_equal(fake_mock_domain(env.ictx, ioas, &stdev, NULL, NULL),
			 0);
	c = get_pa(ioas, IOVA + PS, PS);
	assert_int_equal(call(&c), -EOPNOTSUPP);
	assert_true(c.out_phys == SENTINEL && c.length == PS);
	/* Unmapped again: ENOENT. */
	assert_int_equal(fake_unmap(env.ictx, ioas, IOVA, BUF, NULL), 0);
	assert_int_equal(call(&c), -ENOENT);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/* iopt_get_phys() looks at a revoked dma-buf before the storage domain. */
static void test_revoked_dmabuf(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), stdev;
	struct iommu_test_cmd get = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = BUF, .open_flags = O_CLOEXEC },
	};
	struct iommu_test_cmd revoke = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
	};
	struct iommu_ioas_noiommu_get_pa c;
	uint64_t iova = IOVA;
	int dfd;

	if (!have_effective(CAP_SYS_RAWIO))
		skip();
	assert_int_equal(fake_mock_domain(env.ictx, ioas, &stdev, NULL, NULL),
			 0);
	dfd = (int)fake_test_cmd(env.ictx, &get);
	assert_true(dfd >= 0);
	assert_int_equal(fake_map_file(env.ictx, ioas,
				       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA, dfd,
				       0, BUF, &iova), 0);
	c = get_pa(ioas, IOVA, PS);
	assert_int_equal(call(&c), -EOPNOTSUPP);
	revoke.dmabuf_revoke.dmabuf_fd = dfd;
	revoke.dmabuf_revoke.revoked = true;
	assert_int_equal(fake_test_cmd(env.ictx, &revoke), 0);
	assert_int_equal(call(&c), -EINVAL);
	/* The area stays revoked until it is unmapped. */
	revoke.dmabuf_revoke.revoked = false;
	assert_int_equal(fake_test_cmd(env.ictx, &revoke), 0);
	assert_int_equal(call(&c), -EINVAL);
	assert_int_equal(fake_unmap(env.ictx, ioas, IOVA, BUF, NULL), 0);
	assert_int_equal(call(&c), -ENOENT);
	close(dfd);
	assert_int_equal(fake_destroy(env.ictx, stdev), 0);
	assert_int_equal(fake_destroy(env.ictx, ioas), 0);
}

/* Served without the test interface too: the table is 7.3's. */
static void test_served_without_test_interface(void **state)
{
	struct fake_env plain;
	struct iommu_ioas_noiommu_get_pa c = get_pa(1, IOVA, 0);

	fake_env_init(&plain, false);
	assert_int_equal(fake_ioctl(plain.ictx, IOMMU_IOAS_NOIOMMU_GET_PA, &c,
				    sizeof(c)),
			 have_effective(CAP_SYS_RAWIO) ? -EINVAL : -EPERM);
	fake_env_fini(&plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_rules),
		cmocka_unit_test(test_eperm_first),
		cmocka_unit_test(test_field_order),
		cmocka_unit_test(test_ioas_lookup),
		cmocka_unit_test(test_mapped_and_unmapped),
		cmocka_unit_test(test_revoked_dmabuf),
		cmocka_unit_test(test_served_without_test_interface),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
