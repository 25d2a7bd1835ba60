/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices bound to a context and their attachments to HWPTs; mirrors the
 * kernel's drivers/iommu/iommufd/device.c.  A device is of one of two
 * kinds, each in a group of its own, so the kernel's per-group attach table
 * is kept per device here:
 *  - a mock device of the self-test interface (the kernel's struct
 *    mock_dev, sdev == NULL), behind the mock IOMMU driver;
 *  - a served device (sdev != NULL): a device of the daemon's VFIO device
 *    layer (daemon/vfio/device_*.c) bound by VFIO_DEVICE_BIND_IOMMUFD,
 *    behind a plain software IOMMU: 4 KiB pages, a 48-bit aperture, no
 *    dirty tracking, no nesting, no PASID, no driver-specific HW info.
 * Attach, replace, detach and destroy follow the same rules for both; a
 * device attaches only to domains of its own IOMMU driver (EINVAL).
 *
 * A device holds a users count on every HWPT it is attached to (one per
 * PASID).  The binding (the SELFTEST object) holds one on the device, so
 * IOMMU_DESTROY of a bound device is EBUSY; destroying the SELFTEST object
 * detaches, unbinds and destroys the device whatever its users.
 */
#ifndef UIOMMUFD_DEVICE_H
#define UIOMMUFD_DEVICE_H

#include "core/iommufd_private.h"
#include "uiommufd/abi_test.h"

#define IOMMU_NO_PASID 0u

struct iommufd_hw_pagetable;
struct iommufd_viommu;
struct iommufd_vdevice;

struct iommufd_device_attach {
	uint32_t pasid;
	struct iommufd_hw_pagetable *hwpt;
};

/* A resource a client controls: PASID attachments per device. */
#define IOMMUFD_DEVICE_MAX_ATTACH 4096u

struct served_device;

struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* The served device (daemon/vfio/), NULL for a mock device. */
	struct served_device *sdev;
	/* The mock device: MOCK_FLAGS_DEVICE_* and what follows from them. */
	uint32_t dev_flags;
	uint32_t max_pasids;
	uint32_t cache[MOCK_DEV_CACHE_NUM];
	/* mock_domain_set_dev_pasid_nop()'s one-shot failure for PASID 1024. */
	bool pasid_1024_fake_error;
	/* The vIOMMU of the nested domain attached at the RID, and our ID there. */
	struct iommufd_viommu *viommu;
	uint64_t vdev_id;
	/* The vDEVICE made for this device, destroyed with it. */
	struct iommufd_vdevice *vdev;
	/* Attachments by PASID (IOMMU_NO_PASID for the RID). */
	struct iommufd_device_attach *attach;
	unsigned int nr_attach, cap_attach;
	/* Attachments to HWPTs with a fault queue (mock_dev_enable_iopf). */
	unsigned int iopf_refcount;
};

/* iommufd_device_bind() of a new mock device: finalized, busy while bound. */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   uint32_t dev_flags, int *err);
/*
 * iommufd_device_bind() of a served device (VFIO_DEVICE_BIND_IOMMUFD):
 * finalized, busy while bound.  With ictx->lock held.
 */
struct iommufd_device *iommufd_device_bind_served(struct iommufd_ctx *ictx,
						  struct served_device *sdev,
						  int *err);
/* iommufd_device_unbind(): detaches everything, then destroys the device. */
void iommufd_device_unbind(struct iommufd_device *idev);

/*
 * iommufd_device_attach() / _replace() / _detach() of one PASID.  *pt_id
 * names an IOAS (auto domain), a HWPT_PAGING or a HWPT_NESTED; on success
 * it is the HWPT attached.
 */
int iommufd_device_attach(struct iommufd_device *idev, uint32_t pasid,
			  uint32_t *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, uint32_t pasid,
			   uint32_t *pt_id);
void iommufd_device_detach(struct iommufd_device *idev, uint32_t pasid);

/* The HWPT attached at pasid, or NULL. */
struct iommufd_hw_pagetable *
iommufd_device_attached_hwpt(struct iommufd_device *idev, uint32_t pasid);

/* iommufd_hw_pagetable_attach(): used by immediate-attach allocation. */
int iommufd_hw_pagetable_attach(struct iommufd_hw_pagetable *hwpt,
				struct iommufd_device *idev, uint32_t pasid);
/* iommufd_hw_pagetable_detach() without the put; returns the HWPT. */
struct iommufd_hw_pagetable *
iommufd_hw_pagetable_detach(struct iommufd_device *idev, uint32_t pasid);

/* iommufd_get_device(): ENOENT unless id is a device. */
struct iommufd_device *iommufd_get_device(struct iommufd_ucmd *ucmd,
					  uint32_t id, int *err);

/* Whether idev supports dirty tracking (IOMMU_CAP_DIRTY_TRACKING). */
static inline bool iommufd_device_dirty_capable(const struct iommufd_device *idev)
{
	return !idev->sdev && !(idev->dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
}

int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);

/* The served device's software IOMMU: its page sizes and aperture. */
#define SERVED_IOMMU_PGSIZE_BITMAP 4096ull
#define SERVED_IOMMU_APERTURE_LAST ((1ull << 48) - 1)
/*
 * What a provider's real-IOMMU domain costs besides the HWPT object (a
 * kernel IOAS of the daemon's kernel iommufd, or the container's record
 * with its holes), charged to the client with the HWPT.
 */
#define SERVED_HW_DOMAIN_CHARGE 4096u

#endif
