// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU_TEST_CMD, the kernel's CONFIG_IOMMUFD_TEST interface; mirrors
 * drivers/iommu/iommufd/selftest.c.  This file keeps the op switch and the
 * IOAS-side checks (ADD_RESERVED, MD_CHECK_MAP, MD_CHECK_REFS,
 * SET_TEMP_MEMORY_LIMIT); the mock devices and the ops on devices and HWPTs
 * are in selftest_hwpt.c, the access ops in selftest_access.c.
 *
 * Checks are answered from the daemon's real state: the emulated domain's
 * IOVA map and the pinned pages it points at.
 */
#include "core/iommufd_private.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "providers/domain.h"
#include "providers/mock/dmabuf.h"
#include "core/hw_pagetable.h"
#include "core/ioas.h"
#include "core/caller_mm.h"
#include "core/pages.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/* The kernel's iommufd_test_memory_limit: global, as there. */
static _Atomic uint32_t iommufd_test_memory_limit = 65536;

/* Mirrors iommufd_test_add_reserved(). */
static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd, uint32_t id,
				     uint64_t start, uint64_t length)
{
	struct iommufd_ioas *ioas;
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;
	ioas = iommufd_get_ioas(ucmd->ictx, id);
	if (!ioas)
		return -ENOENT;
	return iopt_reserve_iova(&ioas->iopt, start, last, NULL);
}

struct iommufd_hwpt_paging *get_md_pagetable(struct iommufd_ucmd *ucmd,
					     uint32_t id, int *err)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_PAGING);
	struct iommufd_hwpt_paging *hwpt;

	if (!obj) {
		*err = -ENOENT;
		return NULL;
	}
	hwpt = to_hwpt_paging(iommufd_hwpt_from_obj(obj));
	if (!hwpt->mock) {
		*err = -EINVAL;
		return NULL;
	}
	return hwpt;
}

#define CHECK_CHUNK ((uint64_t)64 * 1024)

/*
 * Mirrors iommufd_test_md_check_pa().  The kernel compares page frames;
 * here the domain's bytes (read through the daemon's pin of the pages) are
 * compared with the caller's bytes at uptr, which is what a device would
 * observe.  An unmapped IOVA or a difference is EINVAL, as there.
 */
static int iommufd_test_md_check_pa(struct iommufd_ucmd *ucmd, uint32_t id,
				    uint64_t iova, uint64_t length,
				    uint64_t uptr)
{
	struct iommufd_hwpt_paging *hwpt;
	uint8_t *ubuf = NULL, *dbuf = NULL;
	uint64_t page_size, end;
	int rc = 0;

	hwpt = get_md_pagetable(ucmd, id, &rc);
	if (!hwpt)
		return rc;
	page_size = hwpt->common.domain->pgsize_bitmap & -hwpt->common.domain->pgsize_bitmap;
	if (iova % page_size || length % page_size || uptr % page_size ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	ubuf = malloc(CHECK_CHUNK);
	dbuf = malloc(CHECK_CHUNK);
	if (!ubuf || !dbuf) {
		rc = -ENOMEM;
		goto out;
	}
	while (length) {
		struct iopt_pages *pages;
		uint64_t start_byte, contig, n;

		if (!emulated_domain_lookup(hwpt->common.domain, iova, &pages,
					    &start_byte, &contig)) {
			rc = -EINVAL;
			goto out;
		}
		n = contig < length ? contig : length;
		if (n > CHECK_CHUNK)
			n = CHECK_CHUNK;
		rc = ucmd_copy_from_user(ucmd, ubuf, uptr, n);
		if (rc)
			goto out;
		rc = iopt_pages_rw(pages, start_byte, dbuf, n, false);
		if (rc)
			goto out;
		if (memcmp(ubuf, dbuf, n)) {
			rc = -EINVAL;
			goto out;
		}
		iova += n;
		uptr += n;
		length -= n;
	}
out:
	free(ubuf);
	free(dbuf);
	return rc;
}


/*
 * Mirrors iommufd_test_md_check_refs(): each page at uptr must be pinned
 * exactly refs times (EIO otherwise).  A pin here is a pinned pages object
 * of this context that maps that page of the caller's process.
 */
static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd, uint64_t uptr,
				      uint64_t length, uint32_t refs)
{
	struct iopt_pages **all;
	size_t n;
	struct caller_mm *caller;
	uint64_t end;
	int rc = 0;

	if (length % IOPT_PAGE_SIZE || uptr % IOPT_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;

	rc = iommufd_ctx_collect_pages(ucmd->ictx, &all, &n);
	if (rc)
		return rc;
	caller = iommufd_ucmd_caller_mm(ucmd);
	/* The caller waits in its call: not binding it is our own shortage. */
	if (!caller && ucmd->caller.pid) {
		free(all);
		return -ENOMEM;
	}

	for (; length; length -= IOPT_PAGE_SIZE, uptr += IOPT_PAGE_SIZE) {
		uint32_t count = 0;
		uint8_t probe;

		/* get_user_pages_fast(): the page must be there. */
		rc = ucmd_copy_from_user(ucmd, &probe, uptr, 1);
		if (rc)
			goto out;
		for (size_t i = 0; i < n; i++)
			count += iopt_pages_pins_user_va(all[i], caller, uptr);
		if (count != refs) {
			rc = -EIO;
			goto out;
		}
	}
out:
	caller_mm_put(caller);
	free(all);
	return rc;
}

/* Mirrors iommufd_test(): EOPNOTSUPP for an op not served. */
int iommufd_test(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
	case IOMMU_TEST_OP_DIRTY:
	case IOMMU_TEST_OP_TRIGGER_IOPF:
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return iommufd_test_hwpt_op(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id,
						cmd->check_map.iova,
						cmd->check_map.length,
						cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, cmd->check_refs.uptr,
						  cmd->check_refs.length,
						  cmd->check_refs.refs);
	case IOMMU_TEST_OP_CREATE_ACCESS:
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
	case IOMMU_TEST_OP_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_RW:
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_op(ucmd);
	case IOMMU_TEST_OP_DMABUF_GET:
		return iommufd_test_dmabuf_get(ucmd, cmd->dmabuf_get.open_flags,
					       cmd->dmabuf_get.length);
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return iommufd_test_dmabuf_revoke(ucmd,
						  cmd->dmabuf_revoke.dmabuf_fd,
						  cmd->dmabuf_revoke.revoked);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* The kernel's _batch_init() needs room for one element. */
		if (cmd->memory_limit.limit <
		    sizeof(unsigned long) + sizeof(uint32_t))
			return -EINVAL;
		atomic_store(&iommufd_test_memory_limit,
			     cmd->memory_limit.limit);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
