/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture and ioctl wrappers the cmocka tests share, on top of the fake
 * transport (fake_ucmd.h).  The wrappers run one ioctl through fake_ioctl()
 * and return its result (0 or -errno); output pointers may be NULL where
 * noted.  Only fake_ioas_new() asserts.
 */
#ifndef UIOMMUFD_TEST_FAKE_OPS_H
#define UIOMMUFD_TEST_FAKE_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_ucmd.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/*
 * A context with the test interface whose caller is this process (so maps
 * pin), installing fds in it when install_fd; _fini undoes both.
 */
void fake_env_caller_init(struct fake_env *env, bool install_fd);
void fake_env_caller_fini(struct fake_env *env);

long fake_ioas_alloc(struct iommufd_ctx *ictx, uint32_t *id);
/* IOAS_ALLOC, asserted to succeed; returns the new IOAS's ID. */
uint32_t fake_ioas_new(struct iommufd_ctx *ictx);
long fake_destroy(struct iommufd_ctx *ictx, uint32_t id);
/* IOMMU_TEST_CMD, with cmd->size filled in. */
long fake_test_cmd(struct iommufd_ctx *ictx, struct iommu_test_cmd *cmd);

/* IOAS_MAP; *iova is the IOVA asked for and the one the map got. */
long fake_map(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
	      const void *va, uint64_t len, uint64_t *iova);
/* IOAS_MAP at iova, with IOMMU_IOAS_MAP_FIXED_IOVA added to flags. */
long fake_map_fixed(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
		    const void *va, uint64_t len, uint64_t iova);
/* IOAS_UNMAP; *out (if out) gets the length unmapped. */
long fake_unmap(struct iommufd_ctx *ictx, uint32_t ioas, uint64_t iova,
		uint64_t len, uint64_t *out);
/* IOAS_MAP_FILE; *iova is the IOVA asked for and the one the map got. */
long fake_map_file(struct iommufd_ctx *ictx, uint32_t ioas, uint32_t flags,
		   int mfd, uint64_t start, uint64_t len, uint64_t *iova);

/* TEST_OP_MOCK_DOMAIN on ioas; each output (if given) gets its ID. */
long fake_mock_domain(struct iommufd_ctx *ictx, uint32_t ioas,
		      uint32_t *stdev, uint32_t *hwpt, uint32_t *idev);
/* TEST_OP_MOCK_DOMAIN_FLAGS on pt; each output (if given) gets its ID. */
long fake_mock_domain_flags(struct iommufd_ctx *ictx, uint32_t pt,
			    uint32_t flags, uint32_t *stdev, uint32_t *hwpt,
			    uint32_t *idev);
/* TEST_OP_MOCK_DOMAIN_REPLACE of stdev's attachment by *pt; *pt gets the
 * ID the reply holds. */
long fake_replace(struct iommufd_ctx *ictx, uint32_t stdev, uint32_t *pt);
/* TEST_OP_MD_CHECK_MAP: hwpt maps [iova, iova+len) to the bytes at p (which
 * is registered as caller memory for the call). */
long fake_check_map(struct iommufd_ctx *ictx, uint32_t hwpt, uint64_t iova,
		    const void *p, uint64_t len);

#endif
