// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fault-injection sweep in one process, through the real dispatcher
 * and the fake transport (no FUSE): the regression tests of what the
 * integration sweep (fault_shim.c) found, each failing if its rule breaks.
 *  - IOAS_IOVA_RANGES allocates nothing for a few ranges (the kernel's
 *    walk does not: ENOMEM there is not its answer);
 *  - OPTION's SET and NOIOMMU_GET_PA, whose capable() reads /proc: a
 *    failure to read is ENOMEM, never EPERM for a privileged caller;
 *  - IOAS_ALLOC, IOAS_MAP and DESTROY: every failure point leaves the
 *    state exactly as before, with an errno from the kernel's set.
 * The caller is this process.
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
#include "uiommufd/abi_fault.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF (8 * PS)
#define SNAP (256u << 10)

static struct fake_env env;
static uint8_t *buf;
static char snap_before[SNAP], snap_after[SNAP];
static struct iommu_iova_range ranges[4];

static int setup(void **state)
{
	fake_env_caller_init(&env, false);
	buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	memset(buf, 1, BUF);
	/* Registered once: the fake transport holds 32 regions. */
	fake_user_add(buf, BUF);
	fake_user_add(snap_before, SNAP);
	fake_user_add(snap_after, SNAP);
	fake_user_add(ranges, sizeof(ranges));
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	munmap(buf, BUF);
	return 0;
}

static long fault_op(struct uiommufd_fault_cmd *c)
{
	c->size = sizeof(*c);
	return fake_ioctl(env.ictx, UIOMMUFD_FAULT_CMD, c, sizeof(*c));
}

/* The context's state, the part a failed call must leave alone. */
static void snapshot(char *out)
{
	struct uiommufd_fault_cmd c = {
		.op = UIOMMUFD_FAULT_SNAPSHOT,
		.buf_uptr = (uintptr_t)out,
		.buf_len = SNAP,
	};

	assert_int_equal(fault_op(&c), 0);
	/* Heap and descriptors are daemon-wide: compared in the shim. */
	*strstr(out, "\nwarm:") = 0;
}

/* One armed call: its result, and whether the nth point fired. */
static long armed(unsigned int cmd, void *arg, size_t len, uint64_t nth,
		  struct uiommufd_fault_cmd *res)
{
	struct uiommufd_fault_cmd arm = { .op = UIOMMUFD_FAULT_ARM, .nth = nth };
	long rc;

	assert_int_equal(fault_op(&arm), 0);
	rc = fake_ioctl(env.ictx, cmd, arg, len);
	*res = (struct uiommufd_fault_cmd){ .op = UIOMMUFD_FAULT_RESULT };
	assert_int_equal(fault_op(res), 0);
	return rc;
}

/*
 * Sweeps cmd: each failure must give one of allowed (0-terminated) and
 * leave the state as it was; returns the result of the unharmed call.
 */
static long sweep(unsigned int cmd, void *arg, size_t len, const int *allowed,
		  unsigned int *points)
{
	uint8_t saved[512];
	struct uiommufd_fault_cmd res;
	long rc;

	assert_true(len <= sizeof(saved));
	memcpy(saved, arg, len);
	*points = 0;
	for (uint64_t n = 1;; n++) {
		bool ok = false;

		snapshot(snap_before);
		memcpy(arg, saved, len);
		rc = armed(cmd, arg, len, n, &res);
		if (!res.out_fired || rc >= 0)
			return rc;
		(*points)++;
		for (const int *e = allowed; *e; e++)
			ok |= rc == -*e;
		if (!ok)
			print_error("point %lu (%s): rc %ld\n", (unsigned long)n,
				    res.out_what, rc);
		assert_true(ok);
		snapshot(snap_after);
		if (strcmp(snap_before, snap_after))
			print_error("point %lu (%s):\n%s\n---\n%s\n",
				    (unsigned long)n, res.out_what,
				    snap_before, snap_after);
		assert_string_equal(snap_before, snap_after);
	}
}

static void test_iova_ranges_allocates_nothing(void **state)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = fake_ioas_new(env.ictx),
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct uiommufd_fault_cmd res;

	assert_int_equal(armed(IOMMU_IOAS_IOVA_RANGES, &cmd, sizeof(cmd), 1,
			       &res), 0);
	assert_int_equal(res.out_fired, 0);
	assert_int_equal(res.out_hooks, 0);
	fake_destroy(env.ictx, cmd.ioas_id);
}

static void test_capable_unreadable_is_enomem(void **state)
{
	static const int enomem[] = { ENOMEM, 0 };
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = 1,
	};
	unsigned int points;
	long rc;

	/*
	 * The unharmed call says what this process may (containers drop
	 * CAP_SYS_RESOURCE); every failed read before it must be ENOMEM.
	 */
	rc = sweep(IOMMU_OPTION, &opt, sizeof(opt), enomem, &points);
	assert_true(rc == 0 || rc == -EPERM);
	/* /proc/PID/ns/user and /proc/PID/status: several points. */
	assert_true(points >= 2);
	if (!rc) {
		opt.val64 = 0;
		assert_int_equal(fake_ioctl(env.ictx, IOMMU_OPTION, &opt,
					    sizeof(opt)), 0);
	}
}

static void test_noiommu_get_pa_unreadable_is_enomem(void **state)
{
	static const int enomem_efault[] = { ENOMEM, EFAULT, 0 };
	uint32_t ioas = fake_ioas_new(env.ictx);
	struct iommu_ioas_noiommu_get_pa cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = 0x100000,
		.length = PS,
	};
	unsigned int points;
	long rc;

	/* Nothing mapped there: after the capability, ENOENT. */
	rc = sweep(IOMMU_IOAS_NOIOMMU_GET_PA, &cmd, sizeof(cmd), enomem_efault,
		   &points);
	assert_true(rc == -ENOENT || rc == -EPERM);
	assert_true(points >= 2);
	fake_destroy(env.ictx, ioas);
}

static void test_alloc_map_destroy_unwind(void **state)
{
	static const int alloc_errs[] = { ENOMEM, EFAULT, 0 };
	static const int pin_errs[] = { ENOMEM, EFAULT, EAGAIN, 0 };
	static const int destroy_errs[] = { EFAULT, 0 };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf,
		.length = BUF,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	unsigned int points, total = 0;

	assert_int_equal(sweep(IOMMU_IOAS_ALLOC, &alloc, sizeof(alloc),
			       alloc_errs, &points), 0);
	total += points;
	/* A domain attached: the map pins, through the caller's memory. */
	mock.id = alloc.out_ioas_id;
	assert_int_equal(sweep(IOMMU_TEST_CMD, &mock, sizeof(mock), pin_errs,
			       &points), 0);
	total += points;
	map.ioas_id = alloc.out_ioas_id;
	assert_int_equal(sweep(IOMMU_IOAS_MAP, &map, sizeof(map), pin_errs,
			       &points), 0);
	total += points;
	assert_true(points > 0);
	destroy.id = mock.mock_domain.out_stdev_id;
	assert_int_equal(sweep(IOMMU_DESTROY, &destroy, sizeof(destroy),
			       destroy_errs, &points), 0);
	destroy.id = alloc.out_ioas_id;
	assert_int_equal(sweep(IOMMU_DESTROY, &destroy, sizeof(destroy),
			       destroy_errs, &points), 0);
	total += points;
	print_message("%u failure points swept\n", total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iova_ranges_allocates_nothing),
		cmocka_unit_test(test_capable_unreadable_is_enomem),
		cmocka_unit_test(test_noiommu_get_pa_unreadable_is_enomem),
		cmocka_unit_test(test_alloc_map_destroy_unwind),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
