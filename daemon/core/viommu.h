/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vIOMMU and vDEVICE objects; mirrors the kernel's
 * drivers/iommu/iommufd/viommu.c with the self-test's mock vIOMMU.
 *
 * A vIOMMU holds a users count on its nest-parent HWPT_PAGING.  A vDEVICE
 * holds one on its vIOMMU and names a device by a guest-visible virt_id;
 * it does not keep the device alive: destroying the device destroys the
 * vDEVICE and leaves its ID unusable until the file is closed (the
 * kernel's tombstone).
 */
#ifndef UIOMMUFD_VIOMMU_H
#define UIOMMUFD_VIOMMU_H

#include "core/hw_pagetable.h"
#include "core/iommufd_private.h"

struct iommufd_hwpt_paging;
struct iommufd_device;
struct iommufd_vdevice;
struct iommufd_veventq;

struct iommufd_hw_queue;
/* The mock vIOMMU's queue indexes (IOMMU_TEST_HW_QUEUE_MAX). */
#define IOMMUFD_MOCK_HW_QUEUE_MAX 2

/* A resource a client controls: vDEVICEs per vIOMMU. */
#define IOMMUFD_VIOMMU_MAX_VDEVS 65536u

struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hwpt_paging *hwpt;
	uint32_t type;
	struct iommufd_vdevice **vdevs;
	unsigned int nr_vdevs, cap_vdevs;
	/* Its vEVENTQs, one per type (eventq.c); each holds a users count. */
	struct iommufd_veventq *veventqs;
	/* The mock vIOMMU's HW queues by index (hw_queue.c). */
	struct iommufd_hw_queue *hw_queue[IOMMUFD_MOCK_HW_QUEUE_MAX];
};

struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	uint64_t virt_id;
};

int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_viommu_destroy(struct iommufd_object *obj);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
/* iommufd_viommu_get_vdev_id(): ENOENT when idev has no vDEVICE there. */
int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu,
			       struct iommufd_device *idev, uint64_t *vdev_id);
/* iommufd_viommu_find_dev(): the device behind virt_id, or NULL. */
struct iommufd_device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
					       uint64_t virt_id);
/* The vIOMMU's IOMMU_HWPT_INVALIDATE (mock_viommu_cache_invalidate). */
int iommufd_viommu_cache_invalidate(struct iommufd_ucmd *ucmd,
				    struct iommufd_viommu *viommu,
				    struct iommu_user_data_array *array);
/*
 * Called when idev goes: destroys its vDEVICE and leaves the ID as a
 * tombstone (iommufd_device_remove_vdev()).
 */
void iommufd_device_remove_vdev(struct iommufd_device *idev);

/* IOMMU_HW_QUEUE_ALLOC and its object (hw_queue.c). */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_hw_queue_destroy(struct iommufd_object *obj);

#endif
