// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Devices and their attachments; mirrors the kernel's
 * drivers/iommu/iommufd/device.c, with the mock driver's attach callbacks
 * (mock_domain_nop_attach(), mock_domain_set_dev_pasid_nop()) inline.
 *
 * Theory of operation
 * -------------------
 * Each mock device is alone in its group, so the kernel's per-group table
 * of PASID -> (HWPT, devices) becomes a per-device table of PASID -> HWPT.
 * An attachment holds a users count on its HWPT and one on the device.
 * Attaching to an IOAS reuses the first auto domain of that IOAS the
 * device can attach to (EINVAL from the driver means "try the next one"),
 * else makes one; an auto domain goes with its last attachment.  Replace
 * swaps the HWPT of an existing attachment in one step: on failure the old
 * attachment is untouched.
 *
 * Every step that can fail runs before the attachment is recorded, so an
 * error leaves nothing behind.
 */
#include "core/device.h"

#include <stdlib.h>
#include <string.h>

#include "providers/domain.h"
#include "providers/vfio_provider.h"
#include "core/eventq.h"
#include "core/hw_pagetable.h"
#include "core/ioas.h"
#include "core/viommu.h"
#include "uiommufd/abi.h"

static struct iommufd_device_attach *find_attach(struct iommufd_device *idev,
						 uint32_t pasid)
{
	for (unsigned int i = 0; i != idev->nr_attach; i++)
		if (idev->attach[i].pasid == pasid)
			return &idev->attach[i];
	return NULL;
}

struct iommufd_hw_pagetable *
iommufd_device_attached_hwpt(struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_device_attach *a = find_attach(idev, pasid);

	return a ? a->hwpt : NULL;
}

/*
 * A served device's RID attach (or replace): a provider with a real IOMMU
 * (sdev_ops->attach) puts its DMA through domain and may refuse with its
 * own errno; the software IOMMU of the others cannot give a domain that
 * needs physical pages to anything (nor would it be one of its own).
 * Nothing is recorded before this succeeds, so a refusal leaves the old
 * attachment in force.
 */
static int served_attach_rid(struct iommufd_device *idev,
			     struct iommufd_domain *domain)
{
	const struct sdev_ops *ops = sdev_get_ops(idev->sdev);

	if (ops->attach)
		return ops->attach(idev->sdev, domain);
	return domain && domain->needs_phys ? -EINVAL : 0;
}

/* The blocking domain takes a served device's RID (detach: never fails). */
static void served_block_rid(struct iommufd_device *idev)
{
	const struct sdev_ops *ops = sdev_get_ops(idev->sdev);

	if (ops->attach)
		(void)ops->attach(idev->sdev, NULL);
}

/* mock_domain_nop_attach() for the RID: what the driver refuses. */
static int mock_attach_rid(struct iommufd_device *idev,
			   struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_viommu *viommu = NULL;
	uint64_t vdev_id = 0;
	int rc;

	/*
	 * A domain of the other IOMMU driver (mock vs the served device's
	 * software IOMMU): the iommu core's domain ops check says EINVAL.
	 */
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED) {
		if (idev->sdev)
			return -EINVAL;
	} else if (to_hwpt_paging(hwpt)->mock == !!idev->sdev) {
		return -EINVAL;
	}
	if (hwpt->domain && hwpt->domain->dirty_ops &&
	    !iommufd_device_dirty_capable(idev))
		return -EINVAL;
	if (idev->sdev)
		return served_attach_rid(idev, hwpt->domain);
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED) {
		viommu = to_hwpt_nested(hwpt)->viommu;
		if (viommu) {
			rc = iommufd_viommu_get_vdev_id(viommu, idev, &vdev_id);
			if (rc)
				return rc;
		}
	}
	idev->viommu = viommu;
	idev->vdev_id = vdev_id;
	return 0;
}

/*
 * mock_domain_set_dev_pasid_nop(): the mock fails every second attach of
 * PASID 1024 with ENOMEM so the core's rollback on replace can be tested;
 * attaching the blocking domain (a detach) re-arms it.
 */
static int mock_set_dev_pasid(struct iommufd_device *idev, uint32_t pasid,
			      bool blocked)
{
	if (pasid != IOMMU_TEST_PASID_RESERVED)
		return 0;
	if (blocked) {
		idev->pasid_1024_fake_error = false;
	} else if (idev->pasid_1024_fake_error) {
		idev->pasid_1024_fake_error = false;
		return -ENOMEM;
	} else {
		idev->pasid_1024_fake_error = true;
	}
	return 0;
}

/* iommufd_hwpt_pasid_compat(). */
static int hwpt_pasid_compat(struct iommufd_hw_pagetable *hwpt,
			     struct iommufd_device *idev, uint32_t pasid)
{
	if (pasid == IOMMU_NO_PASID) {
		if (hwpt->pasid_compat)
			return 0;
		for (unsigned int i = 0; i != idev->nr_attach; i++)
			if (idev->attach[i].pasid != IOMMU_NO_PASID)
				return -EINVAL;
		return 0;
	}
	if (!hwpt->pasid_compat)
		return -EINVAL;
	struct iommufd_hw_pagetable *rid = iommufd_device_attached_hwpt(
		idev, IOMMU_NO_PASID);
	if (rid && !rid->pasid_compat)
		return -EINVAL;
	return 0;
}

/* The iommu core's attach of hwpt's domain to the device or one PASID. */
static int hwpt_attach_device(struct iommufd_hw_pagetable *hwpt,
			      struct iommufd_device *idev, uint32_t pasid)
{
	if (pasid == IOMMU_NO_PASID)
		return mock_attach_rid(idev, hwpt);
	/* iommu_attach_device_pasid(): beyond the device's PASID width. */
	if (idev->max_pasids && pasid >= idev->max_pasids)
		return -EINVAL;
	/* The served device's IOMMU has no PASID support at all. */
	if (idev->sdev)
		return -EINVAL;
	return mock_set_dev_pasid(idev, pasid, false);
}

int iommufd_hw_pagetable_attach(struct iommufd_hw_pagetable *hwpt,
				struct iommufd_device *idev, uint32_t pasid)
{
	int rc;

	if (find_attach(idev, pasid))
		return -EBUSY;
	rc = hwpt_pasid_compat(hwpt, idev, pasid);
	if (rc)
		return rc;
	if (idev->nr_attach == idev->cap_attach) {
		unsigned int cap = idev->cap_attach ? idev->cap_attach * 2 : 2;
		struct iommufd_device_attach *grown;

		if (idev->nr_attach >= IOMMUFD_DEVICE_MAX_ATTACH)
			return -ENOMEM;
		grown = realloc(idev->attach, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		idev->attach = grown;
		idev->cap_attach = cap;
	}
	rc = hwpt_attach_device(hwpt, idev, pasid);
	if (rc)
		return rc;
	if (hwpt->fault)
		idev->iopf_refcount++;
	idev->attach[idev->nr_attach++] = (struct iommufd_device_attach){
		.pasid = pasid, .hwpt = hwpt,
	};
	iommufd_object_get_user(&hwpt->obj);
	return 0;
}

struct iommufd_hw_pagetable *
iommufd_hw_pagetable_detach(struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_device_attach *a = find_attach(idev, pasid);
	struct iommufd_hw_pagetable *hwpt;

	if (!a)
		return NULL;
	hwpt = a->hwpt;
	*a = idev->attach[--idev->nr_attach];
	/* The blocking domain takes the place of the detached one. */
	if (pasid == IOMMU_NO_PASID) {
		idev->viommu = NULL;
		idev->vdev_id = 0;
		if (idev->sdev)
			served_block_rid(idev);
	} else {
		(void)mock_set_dev_pasid(idev, pasid, true);
	}
	if (hwpt->fault) {
		/* iommufd_hwpt_detach_device(): its pending faults are answered. */
		iommufd_auto_response_faults(hwpt, idev, pasid);
		idev->iopf_refcount--;
	}
	return hwpt;
}

/* iommufd_device_do_replace() for a group of one device. */
static int device_do_replace(struct iommufd_device *idev, uint32_t pasid,
			     struct iommufd_hw_pagetable *hwpt,
			     struct iommufd_hw_pagetable **old_out)
{
	struct iommufd_device_attach *a = find_attach(idev, pasid);
	int rc;

	*old_out = NULL;
	if (!a)
		return -EINVAL;
	if (a->hwpt == hwpt)
		return 0;
	rc = hwpt_pasid_compat(hwpt, idev, pasid);
	if (rc)
		return rc;
	rc = hwpt_attach_device(hwpt, idev, pasid);
	if (rc)
		return rc;
	if (hwpt->fault)
		idev->iopf_refcount++;
	if (a->hwpt->fault) {
		/* iommufd_hwpt_replace_device(): so are the old HWPT's. */
		iommufd_auto_response_faults(a->hwpt, idev, pasid);
		idev->iopf_refcount--;
	}
	*old_out = a->hwpt;
	a->hwpt = hwpt;
	iommufd_object_get_user(&hwpt->obj);
	return 0;
}

static int device_do_attach(struct iommufd_device *idev, uint32_t pasid,
			    struct iommufd_hw_pagetable *hwpt,
			    struct iommufd_hw_pagetable **old_out)
{
	*old_out = NULL;
	return iommufd_hw_pagetable_attach(hwpt, idev, pasid);
}

typedef int (*attach_fn)(struct iommufd_device *idev, uint32_t pasid,
			 struct iommufd_hw_pagetable *hwpt,
			 struct iommufd_hw_pagetable **old_out);

/*
 * iommufd_device_auto_get_domain(): the auto domains of the IOAS in the
 * order they were made, then a new one.  A new one for an attach is
 * attached before the IOAS fills it (immediate_attach), as in the kernel.
 */
static int device_auto_get_domain(struct iommufd_device *idev, uint32_t pasid,
				  struct iommufd_ioas *ioas, uint32_t *pt_id,
				  attach_fn do_attach)
{
	bool immediate_attach = do_attach == device_do_attach;
	struct iommufd_ctx *ictx = idev->ictx;
	struct iommufd_hw_pagetable *old = NULL;
	struct iommufd_hwpt_paging *hwpt_paging;
	int rc = 0;

	for (uint32_t id = id_table_next(&ictx->objects, 1); id;
	     id = id_table_next(&ictx->objects, id + 1)) {
		struct iommufd_object *obj = iommufd_get_object(
			ictx, id, IOMMUFD_OBJ_HWPT_PAGING);

		if (!obj)
			continue;
		hwpt_paging = to_hwpt_paging(iommufd_hwpt_from_obj(obj));
		if (!hwpt_paging->auto_domain || hwpt_paging->ioas != ioas)
			continue;
		rc = do_attach(idev, pasid, &hwpt_paging->common, &old);
		if (rc == -EINVAL)
			continue;
		if (rc)
			return rc;
		*pt_id = id;
		if (old)
			iommufd_hw_pagetable_put(old);
		return 0;
	}

	hwpt_paging = iommufd_hwpt_paging_alloc(ictx, ioas, idev, pasid, 0,
						immediate_attach, NULL, &rc);
	if (!hwpt_paging)
		return rc;
	if (!immediate_attach) {
		rc = do_attach(idev, pasid, &hwpt_paging->common, &old);
		if (rc) {
			iommufd_object_abort_and_destroy(
				ictx, &hwpt_paging->common.obj);
			return rc;
		}
	}
	hwpt_paging->auto_domain = true;
	*pt_id = hwpt_paging->common.obj.id;
	iommufd_object_finalize(ictx, &hwpt_paging->common.obj);
	if (old)
		iommufd_hw_pagetable_put(old);
	return 0;
}

/* iommufd_device_change_pt(). */
static int device_change_pt(struct iommufd_device *idev, uint32_t pasid,
			    uint32_t *pt_id, attach_fn do_attach)
{
	struct iommufd_object *pt_obj =
		iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	struct iommufd_hw_pagetable *hwpt, *old = NULL;
	int rc;

	if (!pt_obj)
		return -ENOENT;
	switch (pt_obj->type) {
	case IOMMUFD_OBJ_HWPT_NESTED:
	case IOMMUFD_OBJ_HWPT_PAGING:
		hwpt = iommufd_hwpt_from_obj(pt_obj);
		rc = do_attach(idev, pasid, hwpt, &old);
		if (rc)
			return rc;
		break;
	case IOMMUFD_OBJ_IOAS:
		return device_auto_get_domain(
			idev, pasid, container_of(pt_obj, struct iommufd_ioas, obj),
			pt_id, do_attach);
	default:
		return -EINVAL;
	}
	if (old)
		iommufd_hw_pagetable_put(old);
	return 0;
}

int iommufd_device_attach(struct iommufd_device *idev, uint32_t pasid,
			  uint32_t *pt_id)
{
	int rc = device_change_pt(idev, pasid, pt_id, device_do_attach);

	if (rc)
		return rc;
	/* Pairs with iommufd_device_detach(). */
	iommufd_object_get_user(&idev->obj);
	return 0;
}

int iommufd_device_replace(struct iommufd_device *idev, uint32_t pasid,
			   uint32_t *pt_id)
{
	return device_change_pt(idev, pasid, pt_id, device_do_replace);
}

void iommufd_device_detach(struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_hw_pagetable *hwpt =
		iommufd_hw_pagetable_detach(idev, pasid);

	if (!hwpt)
		return;
	iommufd_hw_pagetable_put(hwpt);
	iommufd_object_put_user(&idev->obj);
}

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   uint32_t dev_flags, int *err)
{
	const uint32_t valid = MOCK_FLAGS_DEVICE_NO_DIRTY |
			       MOCK_FLAGS_DEVICE_PASID;
	struct iommufd_device *idev;

	/* mock_dev_create(): an unknown flag (incl. the old HUGE_IOVA). */
	if (dev_flags & ~valid) {
		*err = -EINVAL;
		return NULL;
	}
	idev = iommufd_object_alloc(ictx, idev, IOMMUFD_OBJ_DEVICE, err);
	if (!idev)
		return NULL;
	idev->ictx = ictx;
	idev->dev_flags = dev_flags;
	if (dev_flags & MOCK_FLAGS_DEVICE_PASID)
		idev->max_pasids = 1u << MOCK_PASID_WIDTH;
	for (unsigned int i = 0; i != MOCK_DEV_CACHE_NUM; i++)
		idev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	/* The binding is a user until iommufd_device_unbind(). */
	iommufd_object_get_user(&idev->obj);
	iommufd_object_finalize(ictx, &idev->obj);
	return idev;
}

struct iommufd_device *iommufd_device_bind_served(struct iommufd_ctx *ictx,
						  struct served_device *sdev,
						  int *err)
{
	struct iommufd_device *idev;

	idev = iommufd_object_alloc(ictx, idev, IOMMUFD_OBJ_DEVICE, err);
	if (!idev)
		return NULL;
	idev->ictx = ictx;
	idev->sdev = sdev;
	iommufd_object_get_user(&idev->obj);
	iommufd_object_finalize(ictx, &idev->obj);
	return idev;
}

void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_object_destroy_user(idev->ictx, &idev->obj);
}

/*
 * iommufd_device_pre_destroy() + iommufd_device_destroy().  The kernel
 * expects every PASID to be detached by now; detaching what is left keeps
 * a careless client from leaking HWPTs.
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	iommufd_device_remove_vdev(idev);
	while (idev->nr_attach) {
		struct iommufd_hw_pagetable *hwpt = iommufd_hw_pagetable_detach(
			idev, idev->attach[idev->nr_attach - 1].pasid);

		iommufd_hw_pagetable_put(hwpt);
	}
	free(idev->attach);
	idev->attach = NULL;
	idev->cap_attach = 0;
}

struct iommufd_device *iommufd_get_device(struct iommufd_ucmd *ucmd,
					  uint32_t id, int *err)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_DEVICE);

	if (!obj) {
		*err = -ENOENT;
		return NULL;
	}
	return container_of(obj, struct iommufd_device, obj);
}

/* Bytes of zeroes written per step when clearing the caller's buffer. */
#define HW_INFO_ZERO_CHUNK 4096u

/* Writes len zero bytes at uptr, as clear_user(). */
static int hw_info_clear(struct iommufd_ucmd *ucmd, uint64_t uptr, uint64_t len)
{
	static const uint8_t zeroes[HW_INFO_ZERO_CHUNK];

	for (uint64_t off = 0; off < len;) {
		uint64_t n = len - off;
		int rc;

		if (n > sizeof(zeroes))
			n = sizeof(zeroes);
		rc = ucmd_copy_to_user(ucmd, uptr + off, zeroes, n);
		if (rc)
			return rc;
		off += n;
	}
	return 0;
}

/*
 * iommufd_get_hw_info() for a device whose IOMMU driver has no hw_info op
 * (the served device's software IOMMU): type NONE, no data (the whole
 * buffer zeroed, data_len 0), whatever in_data_type asked for; no dirty
 * tracking, no PASID; ATS is not supported (the v7.3 bit the mock sets too).
 */
static int served_get_hw_info(struct iommufd_ucmd *ucmd,
			      struct iommufd_device *idev)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	int rc;

	(void)idev;
	cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
	rc = hw_info_clear(ucmd, cmd->data_uptr, cmd->data_len);
	if (rc)
		return rc;
	cmd->data_len = 0;
	cmd->out_capabilities = IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	cmd->out_max_pasid_log2 = 0;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Mirrors iommufd_get_hw_info() with mock_domain_hw_info(). */
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd)
{
	static const uint8_t zeroes[HW_INFO_ZERO_CHUNK];
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct iommu_test_hw_info info = {
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};
	struct iommufd_device *idev;
	uint32_t copy_len;
	int rc = 0;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	/* Without the flag the type word is output only. */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	idev = iommufd_get_device(ucmd, cmd->dev_id, &rc);
	if (!idev)
		return rc;
	if (idev->sdev)
		return served_get_hw_info(ucmd, idev);
	if (cmd->in_data_type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    cmd->in_data_type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	cmd->out_data_type = IOMMU_HW_INFO_TYPE_SELFTEST;

	copy_len = cmd->data_len < sizeof(info) ? cmd->data_len : sizeof(info);
	rc = ucmd_copy_to_user(ucmd, cmd->data_uptr, &info, copy_len);
	if (rc)
		return rc;
	/* A longer buffer is zero-filled past the data, as clear_user(). */
	for (uint64_t off = copy_len; off < cmd->data_len;) {
		uint64_t n = cmd->data_len - off;

		if (n > sizeof(zeroes))
			n = sizeof(zeroes);
		rc = ucmd_copy_to_user(ucmd, cmd->data_uptr + off, zeroes, n);
		if (rc)
			return rc;
		off += n;
	}
	cmd->data_len = sizeof(info);
	cmd->out_capabilities = 0;
	if (iommufd_device_dirty_capable(idev))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* v7.3: the mock driver has no IOMMU_CAP_PCI_ATS_SUPPORTED. */
	cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	cmd->out_max_pasid_log2 = 0;
	if (idev->max_pasids)
		cmd->out_max_pasid_log2 = MOCK_PASID_WIDTH;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}
