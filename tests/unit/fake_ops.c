// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "fake_ops.h"

void fake_env_caller_init(struct fake_env *env, bool install_fd)
{
	fake_env_init(env, true);
	fake_caller_pid = getpid();
	fake_install_fd = install_fd;
}

void fake_env_caller_fini(struct fake_env *env)
{
	fake_env_fini(env);
	fake_caller_pid = 0;
	fake_install_fd = false;
}

long fake_ioas_alloc(struct iommufd_ctx *ictx, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	long rc = fake_ioctl(ictx, IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd));

	*id = cmd.out_ioas_id;
	return rc;
}

uint32_t fake_ioas_new(struct iommufd_ctx *ictx)
{
	uint32_t id;

	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	return id;
}

long fake_destroy(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return fake_ioctl(ictx, IOMMU_DESTROY, &cmd, sizeof(cmd));
}

long fake_test_cmd(struct iommufd_ctx *ictx, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return fake_ioctl(ictx, IOMMU_TEST_CMD, cmd, sizeof(*cmd));
}

long fake_map(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
	      const void *va, uint64_t len, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.user_va = (uintptr_t)va, .length = len, .iova = *iova,
	};
	long rc = fake_ioctl(ictx, IOMMU_IOAS_MAP, &cmd, sizeof(cmd));

	*iova = cmd.iova;
	return rc;
}

long fake_map_fixed(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
		    const void *va, uint64_t len, uint64_t iova)
{
	return fake_map(ictx, ioas, flags | IOMMU_IOAS_MAP_FIXED_IOVA, va, len,
			&iova);
}

long fake_unmap(struct iommufd_ctx *ictx, uint32_t ioas, uint64_t iova,
		uint64_t len, uint64_t *out)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = len,
	};
	long rc = fake_ioctl(ictx, IOMMU_IOAS_UNMAP, &cmd, sizeof(cmd));

	if (out)
		*out = cmd.length;
	return rc;
}

long fake_map_file(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
		   int mfd, uint64_t start, uint64_t len, uint64_t *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas, .fd = mfd,
		.start = start, .length = len, .iova = *iova,
	};
	long rc = fake_ioctl(ictx, IOMMU_IOAS_MAP_FILE, &cmd, sizeof(cmd));

	*iova = cmd.iova;
	return rc;
}

long fake_mock_domain(struct iommufd_ctx *ictx, uint32_t ioas,
		      uint32_t *stdev, uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas,
	};
	long rc = fake_test_cmd(ictx, &cmd);

	if (stdev)
		*stdev = cmd.mock_domain.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	return rc;
}

long fake_mock_domain_flags(struct iommufd_ctx *ictx, uint32_t pt,
			    uint32_t flags, uint32_t *stdev, uint32_t *hwpt,
			    uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = pt,
		.mock_domain_flags = { .dev_flags = flags },
	};
	long rc = fake_test_cmd(ictx, &cmd);

	if (stdev)
		*stdev = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain_flags.out_idev_id;
	return rc;
}

long fake_replace(struct iommufd_ctx *ictx, uint32_t stdev, uint32_t *pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace = { .pt_id = *pt },
	};
	long rc = fake_test_cmd(ictx, &cmd);

	*pt = cmd.mock_domain_replace.pt_id;
	return rc;
}

long fake_check_map(struct iommufd_ctx *ictx, uint32_t hwpt, uint64_t iova,
		    const void *p, uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)p },
	};
	long rc;

	fake_user_add(p, len);
	rc = fake_test_cmd(ictx, &cmd);
	fake_user_reset();
	return rc;
}
