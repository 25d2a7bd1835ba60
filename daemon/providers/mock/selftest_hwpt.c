// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU_TEST_CMD ops on mock devices and HWPTs; mirrors the device half of
 * the kernel's drivers/iommu/iommufd/selftest.c.
 *
 * A mock domain (MOCK_DOMAIN, MOCK_DOMAIN_FLAGS) is three objects made in
 * the kernel's order: the SELFTEST object the caller destroys
 * (out_stdev_id), the DEVICE it binds (out_idev_id, busy while bound) and
 * the HWPT the device is attached to (out_hwpt_id: an IOAS's auto domain,
 * or the HWPT the caller named).  Every check op reads the state the real
 * ioctls changed: a nested HWPT's IOTLB, a device's cache, the domain's
 * dirty leaves, a device's PASID attachments.
 */
#include "core/iommufd_private.h"

#include <stdlib.h>
#include <string.h>

#include "providers/domain.h"
#include "core/device.h"
#include "core/eventq.h"
#include "core/hw_pagetable.h"
#include "core/viommu.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

struct selftest_obj {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_device *idev;
};

/* Mirrors iommufd_selftest_destroy(). */
void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

	if (!sobj->idev)
		return;
	iommufd_device_detach(sobj->idev, IOMMU_NO_PASID);
	iommufd_device_unbind(sobj->idev);
	sobj->idev = NULL;
}

/* Mirrors iommufd_test_mock_domain(). */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_device *idev;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->id;
	uint32_t dev_flags = 0;
	int rc = 0;

	sobj = iommufd_object_alloc(ictx, sobj, IOMMUFD_OBJ_SELFTEST, &rc);
	if (!sobj)
		return rc;
	sobj->ictx = ictx;
	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	idev = iommufd_device_bind(ictx, dev_flags, &rc);
	if (!idev)
		goto out_sobj;
	rc = iommufd_device_attach(idev, IOMMU_NO_PASID, &pt_id);
	if (rc)
		goto out_unbind;

	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_detach;
	sobj->idev = idev;
	iommufd_object_finalize(ictx, &sobj->obj);
	return 0;

out_detach:
	iommufd_device_detach(idev, IOMMU_NO_PASID);
out_unbind:
	iommufd_device_unbind(idev);
out_sobj:
	iommufd_object_abort(ictx, &sobj->obj);
	return rc;
}

/* iommufd_test_get_selftest_obj(). */
static struct selftest_obj *get_selftest_obj(struct iommufd_ctx *ictx,
					     uint32_t id, int *err)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_SELFTEST);

	if (!obj) {
		*err = -ENOENT;
		return NULL;
	}
	return container_of(obj, struct selftest_obj, obj);
}

/* Mirrors iommufd_test_mock_domain_replace(). */
static int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
					    struct iommu_test_cmd *cmd)
{
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	struct selftest_obj *sobj;
	int rc = 0;

	sobj = get_selftest_obj(ucmd->ictx, cmd->id, &rc);
	if (!sobj)
		return rc;
	rc = iommufd_device_replace(sobj->idev, IOMMU_NO_PASID, &pt_id);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = pt_id;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Mirrors iommufd_test_md_check_iotlb(). */
static int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, uint32_t id,
				       uint32_t iotlb_id, uint32_t iotlb)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_NESTED);
	struct iommufd_hwpt_nested *nested;

	if (!obj)
		return -ENOENT;
	nested = to_hwpt_nested(iommufd_hwpt_from_obj(obj));
	if (iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    nested->iotlb[iotlb_id] != iotlb)
		return -EINVAL;
	return 0;
}

/* Mirrors iommufd_test_dev_check_cache(). */
static int iommufd_test_dev_check_cache(struct iommufd_ucmd *ucmd,
					uint32_t id, uint32_t cache_id,
					uint32_t cache)
{
	struct iommufd_device *idev;
	int rc = 0;

	idev = iommufd_get_device(ucmd, id, &rc);
	if (!idev)
		return rc;
	if (cache_id > MOCK_DEV_CACHE_ID_MAX || idev->cache[cache_id] != cache)
		return -EINVAL;
	return 0;
}

/*
 * The bitmap IOMMU_TEST_OP_DIRTY reads at once, in bits: v7.3 refuses more
 * than 16 MiB of bitmap with EOVERFLOW before it looks at the HWPT (v6.19
 * had no bound and failed the allocation instead).
 */
#define TEST_DIRTY_MAX_BITS ((uint64_t)16 << 20 << 3)

/*
 * Mirrors iommufd_test_dirty(): every set bit marks the leaf mapping
 * iova + bit * page_size dirty, as a device write would; out_nr_dirty
 * counts the set bits.
 */
static int iommufd_test_dirty(struct iommufd_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length;
	uint64_t page_size = cmd->dirty.page_size, uptr = cmd->dirty.uptr;
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_domain *domain;
	uint64_t max, bytes, count = 0;
	uint8_t *bits;
	int rc = 0;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return -EINVAL;
	max = length / page_size;
	if (max > TEST_DIRTY_MAX_BITS)
		return -EOVERFLOW;
	hwpt = get_md_pagetable(ucmd, cmd->id, &rc);
	if (!hwpt)
		return rc;
	domain = hwpt->common.domain;
	if (!domain->dirty_tracking)
		return -EINVAL;
	bytes = (max + 7) / 8;
	bits = malloc(bytes);
	if (!bits)
		return -ENOMEM;
	rc = ucmd_copy_from_user(ucmd, bits, uptr, bytes);
	if (rc)
		goto out;
	for (uint64_t i = 0; i < max; i++) {
		if (!(i % 8) && !bits[i / 8]) {
			i += 7;
			continue;
		}
		if (!(bits[i / 8] & (1u << (i % 8))))
			continue;
		(void)emulated_domain_set_dirty(domain, iova + i * page_size);
		count++;
	}
	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out:
	free(bits);
	return rc;
}

/*
 * Mirrors iommufd_test_trigger_iopf(): one fault that ends its group.  As
 * in the kernel, a fault no HWPT with a fault queue takes is answered to
 * the device and the op still succeeds.
 */
static int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd,
				     struct iommu_test_cmd *cmd)
{
	struct iommu_hwpt_pgfault fault = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.pasid = cmd->trigger_iopf.pasid,
		.grpid = cmd->trigger_iopf.grpid,
		.perm = cmd->trigger_iopf.perm,
		.addr = cmd->trigger_iopf.addr,
	};
	struct iommufd_device *idev;
	int rc = 0;

	idev = iommufd_get_device(ucmd, cmd->trigger_iopf.dev_id, &rc);
	if (!idev)
		return rc;
	if (fault.pasid != IOMMU_NO_PASID)
		fault.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	(void)iommu_report_device_fault(idev, &fault);
	return 0;
}

/*
 * Mirrors iommufd_test_trigger_vevent(): ENOENT unless the device sits
 * behind a vIOMMU with a vDEVICE ID; then iommufd_viommu_report_event()'s
 * answer (EOPNOTSUPP without a vEVENTQ of the self-test type).
 */
static int iommufd_test_trigger_vevent(struct iommufd_ucmd *ucmd,
				       struct iommu_test_cmd *cmd)
{
	struct iommu_viommu_event_selftest test = { 0 };
	struct iommufd_device *idev;
	int rc = 0;

	idev = iommufd_get_device(ucmd, cmd->trigger_vevent.dev_id, &rc);
	if (!idev)
		return rc;
	if (!idev->viommu || !idev->vdev_id)
		return -ENOENT;
	test.virt_id = (uint32_t)idev->vdev_id;
	return iommufd_viommu_report_event(idev->viommu,
					   IOMMU_VEVENTQ_TYPE_SELFTEST, &test,
					   sizeof(test));
}

/* Mirrors iommufd_test_pasid_check_hwpt(): hwpt_id 0 checks "detached". */
static int iommufd_test_pasid_check_hwpt(struct iommufd_ucmd *ucmd,
					 struct iommu_test_cmd *cmd)
{
	struct iommufd_hw_pagetable *attached, *hwpt;
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	int rc = 0;

	sobj = get_selftest_obj(ucmd->ictx, cmd->id, &rc);
	if (!sobj)
		return rc;
	attached = iommufd_device_attached_hwpt(sobj->idev,
						cmd->pasid_check.pasid);
	if (!cmd->pasid_check.hwpt_id)
		return attached ? -EINVAL : 0;
	obj = iommufd_get_object(ucmd->ictx, cmd->pasid_check.hwpt_id,
				 IOMMUFD_OBJ_ANY);
	if (!obj)
		return -ENOENT;
	hwpt = iommufd_hwpt_from_obj(obj);
	if (!hwpt || attached != hwpt)
		return -EINVAL;
	return 0;
}

/* Mirrors iommufd_test_pasid_attach() / _replace() / _detach(). */
static int iommufd_test_pasid_op(struct iommufd_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj;
	int rc = 0;

	sobj = get_selftest_obj(ucmd->ictx, cmd->id, &rc);
	if (!sobj)
		return rc;
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		rc = iommufd_device_attach(sobj->idev, cmd->pasid_attach.pasid,
					   &cmd->pasid_attach.pt_id);
		if (rc)
			return rc;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
		if (rc)
			iommufd_device_detach(sobj->idev,
					      cmd->pasid_attach.pasid);
		return rc;
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = iommufd_device_replace(sobj->idev,
					    cmd->pasid_replace.pasid,
					    &cmd->pasid_replace.pt_id);
		if (rc)
			return rc;
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	default:
		iommufd_device_detach(sobj->idev, cmd->pasid_detach.pasid);
		return 0;
	}
}

int iommufd_test_hwpt_op(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return iommufd_test_md_check_iotlb(ucmd, cmd->id,
						   cmd->check_iotlb.id,
						   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return iommufd_test_dev_check_cache(ucmd, cmd->id,
						    cmd->check_dev_cache.id,
						    cmd->check_dev_cache.cache);
	case IOMMU_TEST_OP_DIRTY:
		return iommufd_test_dirty(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return iommufd_test_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return iommufd_test_trigger_vevent(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
		return iommufd_test_pasid_op(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return iommufd_test_pasid_check_hwpt(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
