/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HWPT objects: a domain as an object.  Mirrors the kernel's
 * drivers/iommu/iommufd/hw_pagetable.c.
 *
 * A HWPT_PAGING owns a domain that the IOAS fills with every area (see
 * iommufd_ioas_add_domain()); it holds a users count on its IOAS.  A
 * HWPT_NESTED is a stage-1 table owned by the user: it holds a users count
 * on its parent HWPT_PAGING (the stage 2), or on the vIOMMU it was made
 * through.  Every device attachment holds a users count on the HWPT it is
 * attached to, which is what orders IOMMU_DESTROY (EBUSY).
 *
 * The only IOMMU driver is the self-test's mock (mock_iommu.c): a paging
 * domain is an emulated domain (daemon/providers/emulated_domain.c) with the mock's
 * geometry, a nested domain is the mock's four-slot IOTLB.
 */
#ifndef UIOMMUFD_HW_PAGETABLE_H
#define UIOMMUFD_HW_PAGETABLE_H

#include "core/iommufd_private.h"
#include "uiommufd/abi_test.h"

struct iommufd_domain;
struct iommufd_device;
struct iommufd_fault;
struct iommufd_viommu;

/* The kernel's struct iommufd_hw_pagetable: what both kinds share. */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* Paging: the domain the IOAS fills.  Nested: NULL. */
	struct iommufd_domain *domain;
	/* IOMMU_HWPT_FAULT_ID_VALID: the queue its faults go to (held). */
	struct iommufd_fault *fault;
	/* IOMMU_HWPT_ALLOC_PASID: may sit beside PASID attachments. */
	bool pasid_compat;
};

struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
	/* Made by a device attach to an IOAS; goes with its last device. */
	bool auto_domain;
	bool nest_parent;
	/* A domain of the mock driver (MD_CHECK_* and DIRTY accept it). */
	bool mock;
	uint32_t pagetable_type; /* MOCK_IOMMUPT_* */
};

struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;
	/* Made through a vIOMMU (held instead of parent). */
	struct iommufd_viommu *viommu;
	/* The mock nested domain's IOTLB, invalidated by HWPT_INVALIDATE. */
	uint32_t iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

/* The driver data of an allocation (the kernel's struct iommu_user_data). */
struct iommu_user_data {
	struct iommufd_ucmd *ucmd; /* whose memory uptr is in */
	uint32_t type;
	uint64_t uptr;
	uint64_t len;
};

/* An array of records in caller memory (struct iommu_user_data_array). */
struct iommu_user_data_array {
	struct iommufd_ucmd *ucmd;
	uint32_t type;
	uint64_t uptr;
	uint32_t entry_len;
	uint32_t entry_num;
};

/*
 * __iommu_copy_struct_from_user(): type must match (EINVAL), min_len <=
 * len <= ksize (EINVAL), a shorter struct is zero-extended.
 */
int iommu_copy_struct_from_user(void *dst, size_t ksize, size_t min_len,
				const struct iommu_user_data *src,
				uint32_t type);

static inline struct iommufd_hwpt_paging *
to_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_paging, common);
}

static inline struct iommufd_hwpt_nested *
to_hwpt_nested(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_nested, common);
}

/* find_hwpt_paging(): the stage that holds the IOVA map, or NULL. */
struct iommufd_hwpt_paging *find_hwpt_paging(struct iommufd_hw_pagetable *hwpt);

/*
 * iommufd_hwpt_paging_alloc(): a reserved (unfinalized) HWPT_PAGING whose
 * domain the IOAS has filled (pinning its areas).  immediate_attach
 * attaches idev before the fill, as the kernel does for auto domains.
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, uint32_t pasid,
			  uint32_t flags, bool immediate_attach,
			  const struct iommu_user_data *user_data, int *err);
/* The kernel's iommufd_hw_pagetable_put(): an auto domain goes with its last user. */
void iommufd_hw_pagetable_put(struct iommufd_hw_pagetable *hwpt);

/* A HWPT_PAGING or HWPT_NESTED object, or NULL. */
struct iommufd_hw_pagetable *iommufd_hwpt_from_obj(struct iommufd_object *obj);

/* HWPT ioctls (hw_pagetable.c). */
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);

/* The self-test's mock paging HWPT id (selftest.c): ENOENT, EINVAL. */
struct iommufd_hwpt_paging *get_md_pagetable(struct iommufd_ucmd *ucmd,
					     uint32_t id, int *err);
/* IOMMU_TEST_CMD ops on mock devices and HWPTs (selftest_hwpt.c). */
int iommufd_test_hwpt_op(struct iommufd_ucmd *ucmd);

#endif
