/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Thin wrappers for the /dev/iommu ioctls the clients repeat, on an
 * explicit fd.  Each returns the ioctl's outcome in the kernel's
 * convention (result, or -errno, with errno left as the ioctl set it) and
 * checks nothing itself, so that plain programs (tests/bench/ioas_bench.c)
 * share them with the itest clients.  Output pointers may be NULL where
 * noted.
 */
#ifndef UIOMMUFD_ITEST_OPS_H
#define UIOMMUFD_ITEST_OPS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/* An ioctl's outcome as the kernel's convention: result, or -errno. */
static inline long itest_ioctl(int fd, unsigned long cmd, void *arg)
{
	long rc = ioctl(fd, cmd, arg);

	return rc < 0 ? -errno : rc;
}

static inline long itest_ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	long rc = itest_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	*id = cmd.out_ioas_id;
	return rc;
}

static inline long itest_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return itest_ioctl(fd, IOMMU_DESTROY, &cmd);
}

/* IOMMU_TEST_CMD, with cmd->size filled in. */
static inline long itest_test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return itest_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* IOAS_MAP; *iova is the IOVA asked for and the one the map got. */
static inline long itest_map(int fd, uint32_t ioas, uint32_t flags,
			     const void *va, uint64_t len, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.user_va = (uintptr_t)va, .length = len, .iova = *iova,
	};
	long rc = itest_ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

/* IOAS_MAP at iova, with IOMMU_IOAS_MAP_FIXED_IOVA added to flags. */
static inline long itest_map_fixed(int fd, uint32_t ioas, uint32_t flags,
				   const void *va, uint64_t len, uint64_t iova)
{
	return itest_map(fd, ioas, flags | IOMMU_IOAS_MAP_FIXED_IOVA, va, len,
			 &iova);
}

/* IOAS_UNMAP; *out (if out) gets the length unmapped. */
static inline long itest_unmap(int fd, uint32_t ioas, uint64_t iova,
			       uint64_t len, uint64_t *out)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = len,
	};
	long rc = itest_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (out)
		*out = cmd.length;
	return rc;
}

/* IOAS_MAP_FILE; *iova is the IOVA asked for and the one the map got. */
static inline long itest_map_file(int fd, uint32_t ioas, uint32_t flags,
				  int mfd, uint64_t start, uint64_t len,
				  uint64_t *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.fd = mfd, .start = start, .length = len, .iova = *iova,
	};
	long rc = itest_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	*iova = cmd.iova;
	return rc;
}

/* TEST_OP_MOCK_DOMAIN on ioas; each output (if given) gets its ID. */
static inline long itest_mock_domain(int fd, uint32_t ioas, uint32_t *stdev,
				     uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas,
	};
	long rc = itest_test_cmd(fd, &cmd);

	if (stdev)
		*stdev = cmd.mock_domain.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	return rc;
}

/* TEST_OP_MD_CHECK_MAP: hwpt maps [iova, iova+len) to the bytes at p. */
static inline long itest_check_map(int fd, uint32_t hwpt, uint64_t iova,
				   const void *p, uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)p },
	};

	return itest_test_cmd(fd, &cmd);
}

/*
 * A "Name:  N kB" figure (key "VmLck", "VmRSS", ...) from
 * /proc/PID/status, or -1 when pid is NULL or the figure is not there.
 */
static inline long itest_proc_status_kb(const char *pid, const char *key)
{
	char path[64], line[256], fmt[48];
	long kb = -1;
	FILE *f;

	if (!pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	snprintf(fmt, sizeof(fmt), "%s: %%ld", key);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif
