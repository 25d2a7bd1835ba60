// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU_TEST_CMD, the kernel's CONFIG_IOMMUFD_TEST interface; mirrors
 * drivers/iommu/iommufd/selftest.c for the ops served so far (MOCK_DOMAIN,
 * MD_CHECK_MAP, MD_CHECK_REFS, SET_TEMP_MEMORY_LIMIT, ADD_RESERVED).
 *
 * A mock domain is three objects, allocated in the kernel's order: the
 * SELFTEST object the caller destroys (out_stdev_id), the DEVICE it binds
 * (out_idev_id, held busy by the binding) and the auto-domain HWPT_PAGING
 * of the IOAS (out_hwpt_id, shared by every mock device of that IOAS).  The
 * domain is an emulated one with the mock's geometry: 2 KiB pages and the
 * [MOCK_APERTURE_START, MOCK_APERTURE_LAST] window.  Checks are answered
 * from the daemon's real state: the emulated domain's IOVA map and the
 * pinned pages it points at.
 */
#include "objects/iommufd_private.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "objects/hw_pagetable.h"
#include "objects/ioas.h"
#include "objects/pages.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/* Every size from the mock's 2 KiB page up, as its AMDv1-format table. */
#define MOCK_PGSIZE_BITMAP (~((uint64_t)MOCK_PAGE_SIZE - 1) & ((1ull << 56) - 1))

/* The kernel's iommufd_test_memory_limit: global, as there. */
static _Atomic uint32_t iommufd_test_memory_limit = 65536;

struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hwpt_paging *hwpt;
};

struct selftest_obj {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_device *idev;
};

/* iommufd_device_detach(). */
static void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hwpt_paging *hwpt = idev->hwpt;

	if (!hwpt)
		return;
	idev->hwpt = NULL;
	iommufd_hwpt_paging_put(hwpt);
}

void iommufd_device_destroy(struct iommufd_object *obj)
{
	iommufd_device_detach(container_of(obj, struct iommufd_device, obj));
}

/* iommufd_device_unbind(): the binding's users count goes with it. */
static void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_device_detach(idev);
	iommufd_object_destroy_user(idev->ictx, &idev->obj);
}

void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

	if (sobj->idev)
		iommufd_device_unbind(sobj->idev);
	sobj->idev = NULL;
}

/*
 * iommufd_device_attach() to an IOAS (sharing or making its auto domain)
 * or to a paging HWPT.
 */
static int iommufd_device_attach(struct iommufd_device *idev, uint32_t *pt_id)
{
	struct iommufd_ctx *ictx = idev->ictx;
	struct iommufd_object *pt = iommufd_get_object(ictx, *pt_id,
						       IOMMUFD_OBJ_ANY);
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_domain *domain;
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (!pt)
		return -ENOENT;
	if (pt->type == IOMMUFD_OBJ_HWPT_PAGING) {
		hwpt = container_of(pt, struct iommufd_hwpt_paging, obj);
		goto attach;
	}
	if (pt->type != IOMMUFD_OBJ_IOAS)
		return -EINVAL;
	ioas = container_of(pt, struct iommufd_ioas, obj);
	hwpt = iommufd_hwpt_find_auto(ictx, ioas);
	if (hwpt)
		goto attach;

	domain = emulated_domain_alloc(MOCK_PGSIZE_BITMAP, MOCK_APERTURE_START,
				       MOCK_APERTURE_LAST);
	if (!domain)
		return -ENOMEM;
	hwpt = iommufd_hwpt_paging_alloc(ictx, ioas, domain, true, &rc);
	if (!hwpt)
		return rc;
	hwpt->mock = true;
	iommufd_object_finalize(ictx, &hwpt->obj);
attach:
	iommufd_object_get_user(&hwpt->obj);
	idev->hwpt = hwpt;
	*pt_id = hwpt->obj.id;
	return 0;
}

/* Mirrors iommufd_test_mock_domain(). */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_device *idev;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->id;
	int rc = 0;

	sobj = iommufd_object_alloc(ictx, sobj, IOMMUFD_OBJ_SELFTEST, &rc);
	if (!sobj)
		return rc;
	sobj->ictx = ictx;

	/* iommufd_device_bind(): published at once, busy while bound. */
	idev = iommufd_object_alloc(ictx, idev, IOMMUFD_OBJ_DEVICE, &rc);
	if (!idev)
		goto out_sobj;
	idev->ictx = ictx;
	iommufd_object_get_user(&idev->obj);
	iommufd_object_finalize(ictx, &idev->obj);
	sobj->idev = idev;

	rc = iommufd_device_attach(idev, &pt_id);
	if (rc)
		goto out_unbind;

	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_unbind;
	iommufd_object_finalize(ictx, &sobj->obj);
	return 0;

out_unbind:
	iommufd_device_unbind(idev);
	sobj->idev = NULL;
out_sobj:
	iommufd_object_abort(ictx, &sobj->obj);
	return rc;
}

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

static struct iommufd_hwpt_paging *get_md_pagetable(struct iommufd_ucmd *ucmd,
						    uint32_t id, int *err)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_PAGING);
	struct iommufd_hwpt_paging *hwpt;

	if (!obj) {
		*err = -ENOENT;
		return NULL;
	}
	hwpt = container_of(obj, struct iommufd_hwpt_paging, obj);
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
	page_size = hwpt->domain->pgsize_bitmap & -hwpt->domain->pgsize_bitmap;
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

		if (!emulated_domain_lookup(hwpt->domain, iova, &pages,
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
	pid_t tgid = iopt_caller_tgid(ucmd);
	uint64_t end;
	int rc = 0;

	if (length % IOPT_PAGE_SIZE || uptr % IOPT_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;

	rc = iommufd_ctx_collect_pages(ucmd->ictx, &all, &n);
	if (rc)
		return rc;

	for (; length; length -= IOPT_PAGE_SIZE, uptr += IOPT_PAGE_SIZE) {
		uint32_t count = 0;
		uint8_t probe;

		/* get_user_pages_fast(): the page must be there. */
		rc = ucmd_copy_from_user(ucmd, &probe, uptr, 1);
		if (rc)
			goto out;
		for (size_t i = 0; i < n; i++)
			count += iopt_pages_pins_user_va(all[i], tgid, uptr);
		if (count != refs) {
			rc = -EIO;
			goto out;
		}
	}
out:
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
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id,
						cmd->check_map.iova,
						cmd->check_map.length,
						cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, cmd->check_refs.uptr,
						  cmd->check_refs.length,
						  cmd->check_refs.refs);
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
