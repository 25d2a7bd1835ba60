// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HWPT objects and their ioctls; mirrors the kernel's
 * drivers/iommu/iommufd/hw_pagetable.c, the dirty-bitmap half of
 * io_pagetable.c, and the mock driver's domain callbacks from selftest.c
 * (mock_domain_alloc_paging_flags(), mock_domain_alloc_nested(),
 * mock_domain_cache_invalidate_user()).
 *
 * A paging domain of the mock driver is an emulated domain
 * (daemon/providers/emulated_domain.c) with the geometry of the requested mock page-table
 * format; the IOAS fills it like any other domain.  Dirty bits live in the
 * emulated domain, one per leaf, so GET_DIRTY_BITMAP reports what
 * IOMMU_TEST_OP_DIRTY marked at the granularity the domain really mapped.
 */
#include "core/hw_pagetable.h"

#include <stdlib.h>
#include <string.h>

#include "providers/domain.h"
#include "providers/vfio_provider.h"
#include "core/device.h"
#include "core/ioas.h"
#include "core/viommu.h"
#include "uiommufd/abi.h"

/* ---- the mock driver's paging domains ------------------------------- */

/* The mock AMDv1 format with a 2 KiB granule: every size from there up. */
#define MOCK_PGSIZE_BITMAP (~((uint64_t)MOCK_PAGE_SIZE - 1) & ((1ull << 56) - 1))
/* MOCK_IOMMUPT_HUGE: huge pages only, plus the CPU page so iommufd accepts it. */
#define MOCK_HUGE_PGSIZE_BITMAP ((uint64_t)MOCK_HUGE_PAGE_SIZE | IOPT_PAGE_SIZE)

int iommu_copy_struct_from_user(void *dst, size_t ksize, size_t min_len,
				const struct iommu_user_data *src,
				uint32_t type)
{
	if (src->type != type)
		return -EINVAL;
	if (src->len < min_len || src->len > ksize)
		return -EINVAL;
	return ucmd_copy_struct_from_user(src->ucmd, dst, ksize, src->uptr,
					  src->len);
}

/* mock_domain_alloc_pgtable(): the emulated domain of one format. */
static int mock_domain_alloc_pgtable(uint32_t pagetable_type, uint32_t flags,
				     struct iommufd_domain **out)
{
	struct iommufd_domain *domain;

	switch (pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
		domain = emulated_domain_alloc(MOCK_PGSIZE_BITMAP,
					       MOCK_APERTURE_START,
					       MOCK_APERTURE_LAST);
		/*
		 * v7.3's format makes a CPU page one leaf (contiguous mock
		 * entries that share their dirty bit), so a write to any
		 * 2 KiB of it reports the whole page; v6.19's reported each
		 * 2 KiB entry alone.  Bigger leaves need physically
		 * contiguous memory, which the daemon cannot see for
		 * ordinary memory, so none are made.
		 */
		if (domain)
			domain->leaf_pgsizes = MOCK_PAGE_SIZE | IOPT_PAGE_SIZE;
		break;
	case MOCK_IOMMUPT_HUGE:
		/* A 56-bit table from 0: only DEFAULT narrows the aperture. */
		domain = emulated_domain_alloc(MOCK_HUGE_PGSIZE_BITMAP, 0,
					       (1ull << 56) - 1);
		if (domain)
			domain->leaf_pgsizes = MOCK_HUGE_PGSIZE_BITMAP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!domain)
		return -ENOMEM;
	domain->dirty_ops = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	*out = domain;
	return 0;
}

/* mock_domain_alloc_paging_flags(). */
static int mock_domain_alloc_paging_flags(struct iommufd_device *idev,
					  uint32_t flags,
					  const struct iommu_user_data *user_data,
					  struct iommufd_hwpt_paging *hwpt)
{
	const uint32_t paging_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				      IOMMU_HWPT_ALLOC_NEST_PARENT |
				      IOMMU_HWPT_ALLOC_PASID;
	struct iommu_hwpt_selftest user_cfg = { 0 };
	int rc;

	if ((flags & ~paging_flags) ||
	    ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	     !iommufd_device_dirty_capable(idev)))
		return -EOPNOTSUPP;
	if (user_data && user_data->type != IOMMU_HWPT_DATA_SELFTEST &&
	    user_data->type != IOMMU_HWPT_DATA_NONE)
		return -EOPNOTSUPP;
	if (user_data) {
		rc = iommu_copy_struct_from_user(
			&user_cfg, sizeof(user_cfg),
			offsetofend(struct iommu_hwpt_selftest, iotlb),
			user_data, IOMMU_HWPT_DATA_SELFTEST);
		if (rc)
			return rc;
	}
	rc = mock_domain_alloc_pgtable(user_cfg.pagetable_type, flags,
				       &hwpt->common.domain);
	if (rc)
		return rc;
	hwpt->pagetable_type = user_cfg.pagetable_type;
	hwpt->mock = true;
	return 0;
}

/*
 * The served device's software IOMMU (core/device.h): one page size, a
 * 48-bit aperture, no dirty tracking, no nesting, no driver data.  PASID
 * capable domains are refused too: the device has no PASID.
 */
static int served_domain_alloc_paging_flags(struct iommufd_device *idev,
					    uint32_t flags,
					    const struct iommu_user_data *user_data,
					    struct iommufd_hwpt_paging *hwpt)
{
	const struct sdev_ops *ops = sdev_get_ops(idev->sdev);
	struct iommufd_domain *domain;

	if (flags || (user_data && user_data->type != IOMMU_HWPT_DATA_NONE))
		return -EOPNOTSUPP;
	if (ops->domain_alloc) {
		/*
		 * A real IOMMU behind the provider: its domain, its errno.
		 * Charged with the HWPT (its object's charge goes with it):
		 * a kernel IOAS is the daemon's kernel memory otherwise.
		 */
		int rc = user_mem_charge(idev->ictx->mem, SERVED_HW_DOMAIN_CHARGE);

		if (rc)
			return rc;
		rc = ops->domain_alloc(idev->sdev, &domain);
		if (rc) {
			user_mem_uncharge(idev->ictx->mem, SERVED_HW_DOMAIN_CHARGE);
			return rc;
		}
		hwpt->common.obj.charged += SERVED_HW_DOMAIN_CHARGE;
	} else {
		domain = emulated_domain_alloc(SERVED_IOMMU_PGSIZE_BITMAP, 0,
					       SERVED_IOMMU_APERTURE_LAST);
		if (!domain)
			return -ENOMEM;
		domain->leaf_pgsizes = SERVED_IOMMU_PGSIZE_BITMAP;
	}
	hwpt->common.domain = domain;
	hwpt->mock = false;
	return 0;
}

/* ---- HWPT objects ----------------------------------------------------- */

/* iommufd_object_alloc() for the HWPT kinds, whose header is common.obj. */
#define hwpt_object_alloc(ictx, ptr, type, err)                               \
	({                                                                    \
		struct iommufd_object *_o = _iommufd_object_alloc(            \
			ictx, sizeof(*(ptr)), type, err);                     \
		_o ? container_of(_o, __typeof__(*(ptr)), common.obj) : NULL; \
	})

struct iommufd_hw_pagetable *iommufd_hwpt_from_obj(struct iommufd_object *obj)
{
	if (obj->type != IOMMUFD_OBJ_HWPT_PAGING &&
	    obj->type != IOMMUFD_OBJ_HWPT_NESTED)
		return NULL;
	return container_of(obj, struct iommufd_hw_pagetable, obj);
}

struct iommufd_hwpt_paging *find_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	switch (hwpt->obj.type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
		return to_hwpt_paging(hwpt);
	case IOMMUFD_OBJ_HWPT_NESTED:
		return to_hwpt_nested(hwpt)->parent;
	default:
		return NULL;
	}
}

/* __iommufd_hwpt_destroy(). */
static void hwpt_destroy_common(struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
	hwpt->domain = NULL;
	if (hwpt->fault)
		iommufd_object_put_user((struct iommufd_object *)hwpt->fault);
	hwpt->fault = NULL;
}

/* Mirrors iommufd_hwpt_paging_destroy(); also its abort. */
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt_paging =
		to_hwpt_paging(iommufd_hwpt_from_obj(obj));
	struct iommufd_ioas *ioas = hwpt_paging->ioas;

	if (ioas && hwpt_paging->common.domain)
		iommufd_ioas_remove_domain(ioas, hwpt_paging->common.domain);
	hwpt_destroy_common(&hwpt_paging->common);
	if (ioas)
		iommufd_object_put_user(&ioas->obj);
	hwpt_paging->ioas = NULL;
}

/* Mirrors iommufd_hwpt_nested_destroy(). */
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt_nested =
		to_hwpt_nested(iommufd_hwpt_from_obj(obj));

	hwpt_destroy_common(&hwpt_nested->common);
	if (hwpt_nested->viommu)
		iommufd_object_put_user(&hwpt_nested->viommu->obj);
	else if (hwpt_nested->parent)
		iommufd_object_put_user(&hwpt_nested->parent->common.obj);
	hwpt_nested->viommu = NULL;
	hwpt_nested->parent = NULL;
}

void iommufd_hw_pagetable_put(struct iommufd_hw_pagetable *hwpt)
{
	iommufd_object_put_user(&hwpt->obj);
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING &&
	    to_hwpt_paging(hwpt)->auto_domain && hwpt->obj.users == 1)
		iommufd_object_destroy_user(hwpt->ictx, &hwpt->obj);
}

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, uint32_t pasid,
			  uint32_t flags, bool immediate_attach,
			  const struct iommu_user_data *user_data, int *err)
{
	const uint32_t valid_flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				     IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				     IOMMU_HWPT_FAULT_ID_VALID |
				     IOMMU_HWPT_ALLOC_PASID;
	struct iommufd_hwpt_paging *hwpt_paging;
	int rc = 0;

	if (flags & ~valid_flags) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !iommufd_device_dirty_capable(idev)) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if ((flags & IOMMU_HWPT_FAULT_ID_VALID) &&
	    (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	hwpt_paging = hwpt_object_alloc(ictx, hwpt_paging,
					IOMMUFD_OBJ_HWPT_PAGING, &rc);
	if (!hwpt_paging) {
		*err = rc;
		return NULL;
	}
	hwpt_paging->common.ictx = ictx;
	hwpt_paging->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	hwpt_paging->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	/* Pairs with iommufd_hwpt_paging_destroy(). */
	iommufd_object_get_user(&ioas->obj);
	hwpt_paging->ioas = ioas;

	if (idev->sdev)
		rc = served_domain_alloc_paging_flags(
			idev, flags & ~IOMMU_HWPT_FAULT_ID_VALID, user_data,
			hwpt_paging);
	else
		rc = mock_domain_alloc_paging_flags(
			idev, flags & ~IOMMU_HWPT_FAULT_ID_VALID, user_data,
			hwpt_paging);
	if (rc)
		goto out_abort;
	/* The kernel fills large-page-free IOAS in CPU pages (see backend.h). */
	hwpt_paging->common.domain->no_large_pages =
		&ioas->iopt.disable_large_pages;

	if (immediate_attach) {
		rc = iommufd_hw_pagetable_attach(&hwpt_paging->common, idev,
						 pasid);
		if (rc)
			goto out_abort;
	}
	rc = iommufd_ioas_add_domain(ioas, hwpt_paging->common.domain);
	if (rc)
		goto out_detach;
	return hwpt_paging;

out_detach:
	if (immediate_attach) {
		(void)iommufd_hw_pagetable_detach(idev, pasid);
		iommufd_object_put_user(&hwpt_paging->common.obj);
	}
out_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt_paging->common.obj);
	*err = rc;
	return NULL;
}

/* __mock_domain_alloc_nested(): the IOTLB starts filled with cfg.iotlb. */
static int mock_domain_alloc_nested(const struct iommu_user_data *user_data,
				    struct iommufd_hwpt_nested *hwpt_nested)
{
	struct iommu_hwpt_selftest user_cfg;
	int rc;

	if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	rc = iommu_copy_struct_from_user(
		&user_cfg, sizeof(user_cfg),
		offsetofend(struct iommu_hwpt_selftest, iotlb), user_data,
		IOMMU_HWPT_DATA_SELFTEST);
	if (rc)
		return rc;
	for (unsigned int i = 0; i != MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		hwpt_nested->iotlb[i] = user_cfg.iotlb;
	return 0;
}

/*
 * Mirrors iommufd_hwpt_nested_alloc() (parent given) and
 * iommufd_viommu_alloc_hwpt_nested() (viommu given).
 */
static struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ctx *ictx,
			  struct iommufd_hwpt_paging *parent,
			  struct iommufd_viommu *viommu, uint32_t flags,
			  const struct iommu_user_data *user_data, int *err)
{
	struct iommufd_hwpt_nested *hwpt_nested;
	int rc = 0;

	if ((flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)) ||
	    !user_data->len) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (!viommu && (parent->auto_domain || !parent->nest_parent)) {
		*err = -EINVAL;
		return NULL;
	}
	hwpt_nested = hwpt_object_alloc(ictx, hwpt_nested,
					IOMMUFD_OBJ_HWPT_NESTED, &rc);
	if (!hwpt_nested) {
		*err = rc;
		return NULL;
	}
	hwpt_nested->common.ictx = ictx;
	hwpt_nested->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	if (viommu) {
		hwpt_nested->viommu = viommu;
		iommufd_object_get_user(&viommu->obj);
		hwpt_nested->parent = viommu->hwpt;
	} else {
		hwpt_nested->parent = parent;
		iommufd_object_get_user(&parent->common.obj);
	}
	rc = mock_domain_alloc_nested(user_data, hwpt_nested);
	if (rc) {
		iommufd_object_abort_and_destroy(ictx, &hwpt_nested->common.obj);
		*err = rc;
		return NULL;
	}
	return hwpt_nested;
}

/* Mirrors iommufd_hwpt_alloc(). */
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct iommu_user_data user_data = {
		.ucmd = ucmd,
		.type = cmd->data_type,
		.uptr = cmd->data_uptr,
		.len = cmd->data_len,
	};
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *pt_obj;
	struct iommufd_device *idev;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = iommufd_get_device(ucmd, cmd->dev_id, &rc);
	if (!idev)
		return rc;
	/* A pt_id that names nothing is EINVAL here, not ENOENT. */
	pt_obj = iommufd_get_object(ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (!pt_obj)
		return -EINVAL;

	if (pt_obj->type == IOMMUFD_OBJ_IOAS) {
		struct iommufd_hwpt_paging *hwpt_paging = iommufd_hwpt_paging_alloc(
			ictx, container_of(pt_obj, struct iommufd_ioas, obj),
			idev, IOMMU_NO_PASID, cmd->flags, false,
			user_data.len ? &user_data : NULL, &rc);

		if (!hwpt_paging)
			return rc;
		hwpt = &hwpt_paging->common;
	} else if (pt_obj->type == IOMMUFD_OBJ_HWPT_PAGING) {
		struct iommufd_hwpt_nested *hwpt_nested = iommufd_hwpt_nested_alloc(
			ictx, to_hwpt_paging(iommufd_hwpt_from_obj(pt_obj)),
			NULL, cmd->flags, &user_data, &rc);

		if (!hwpt_nested)
			return rc;
		hwpt = &hwpt_nested->common;
	} else if (pt_obj->type == IOMMUFD_OBJ_VIOMMU) {
		struct iommufd_hwpt_nested *hwpt_nested = iommufd_hwpt_nested_alloc(
			ictx, NULL,
			container_of(pt_obj, struct iommufd_viommu, obj),
			cmd->flags, &user_data, &rc);

		if (!hwpt_nested)
			return rc;
		hwpt = &hwpt_nested->common;
	} else {
		return -EINVAL;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		struct iommufd_object *fault = iommufd_get_object(
			ictx, cmd->fault_id, IOMMUFD_OBJ_FAULT);

		if (!fault) {
			rc = -ENOENT;
			goto out_hwpt;
		}
		hwpt->fault = (struct iommufd_fault *)fault;
		iommufd_object_get_user(fault);
	}

	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_hwpt;
	iommufd_object_finalize(ictx, &hwpt->obj);
	return 0;
out_hwpt:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return rc;
}

static struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ucmd *ucmd, uint32_t id, int *err)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_PAGING);

	if (!obj) {
		*err = -ENOENT;
		return NULL;
	}
	return to_hwpt_paging(iommufd_hwpt_from_obj(obj));
}

static int dirty_discard(void *arg, uint64_t iova, uint64_t len)
{
	return 0;
}

/* Mirrors iommufd_hwpt_set_dirty_tracking() and iopt_set_dirty_tracking(). */
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_domain *domain;
	bool enable;
	int rc = 0;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id, &rc);
	if (!hwpt_paging)
		return rc;
	domain = hwpt_paging->common.domain;
	if (!domain->dirty_ops)
		return -EOPNOTSUPP;
	enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	/* iopt_clear_dirty_data(): tracking starts from a clean snapshot. */
	if (enable)
		(void)emulated_domain_read_and_clear_dirty(
			domain, 0, UINT64_MAX, false, dirty_discard, NULL);
	domain->dirty_tracking = enable;
	return 0;
}

/* The caller's bitmap (the kernel's struct iova_bitmap). */
struct dirty_bitmap {
	struct iommufd_ucmd *ucmd;
	uint64_t iova, last, data;
	unsigned int pgshift;
};

/* Bitmap bytes read-modified-written per step. */
#define DIRTY_RMW_CHUNK 4096u

/*
 * iova_bitmap_set(): OR the bits of [iova, iova + len), clipped to the
 * bitmap's range, into the caller's bitmap (64-bit little-endian words,
 * so bit n is bit n % 8 of byte n / 8).
 */
static int dirty_bitmap_set(void *arg, uint64_t iova, uint64_t len)
{
	struct dirty_bitmap *b = arg;
	uint64_t last = iova + len - 1, first_bit, last_bit;
	uint8_t buf[DIRTY_RMW_CHUNK];

	if (iova < b->iova)
		iova = b->iova;
	if (last > b->last)
		last = b->last;
	if (iova > last)
		return 0;
	first_bit = (iova - b->iova) >> b->pgshift;
	last_bit = (last - b->iova) >> b->pgshift;
	for (uint64_t byte = first_bit / 8; byte <= last_bit / 8;) {
		uint64_t n = last_bit / 8 - byte + 1;
		int rc;

		if (n > sizeof(buf))
			n = sizeof(buf);
		rc = ucmd_copy_from_user(b->ucmd, buf, b->data + byte, n);
		if (rc)
			return rc;
		for (uint64_t i = 0; i != n; i++)
			for (unsigned int bit = 0; bit != 8; bit++) {
				uint64_t nr = (byte + i) * 8 + bit;

				if (nr >= first_bit && nr <= last_bit)
					buf[i] |= 1u << bit;
			}
		rc = ucmd_copy_to_user(b->ucmd, b->data + byte, buf, n);
		if (rc)
			return rc;
		byte += n;
	}
	return 0;
}

/* iommufd_check_iova_range(). */
static int iommufd_check_iova_range(struct io_pagetable *iopt,
				    const struct iommu_hwpt_get_dirty_bitmap *bitmap)
{
	uint64_t iommu_pgsize = iopt->iova_alignment;
	uint64_t last_iova;

	/* v7.3: an empty range is EINVAL (6.19 let iova 0 wrap to all). */
	if (!bitmap->length)
		return -EINVAL;
	if (__builtin_add_overflow(bitmap->iova, bitmap->length - 1,
				   &last_iova))
		return -EOVERFLOW;
	if ((bitmap->iova & (iommu_pgsize - 1)) ||
	    ((last_iova + 1) & (iommu_pgsize - 1)))
		return -EINVAL;
	if (!bitmap->page_size)
		return -EINVAL;
	if ((bitmap->iova & (bitmap->page_size - 1)) ||
	    ((last_iova + 1) & (bitmap->page_size - 1)))
		return -EINVAL;
	return 0;
}

/*
 * Mirrors iommufd_hwpt_get_dirty_bitmap() and
 * iopt_read_and_clear_dirty_data().  As in the kernel, the walk over the
 * areas stops quietly at the first IOVA hole or at a bitmap the caller
 * cannot write, and the ioctl still succeeds: iova_bitmap_for_each()'s
 * result is not returned there.
 */
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iopt_area_contig_iter iter;
	struct iommufd_domain *domain;
	struct io_pagetable *iopt;
	struct dirty_bitmap b;
	struct iopt_area *area;
	int rc = 0;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id, &rc);
	if (!hwpt_paging)
		return rc;
	iopt = &hwpt_paging->ioas->iopt;
	rc = iommufd_check_iova_range(iopt, cmd);
	if (rc)
		return rc;
	domain = hwpt_paging->common.domain;
	if (!domain->dirty_ops)
		return -EOPNOTSUPP;

	b = (struct dirty_bitmap){
		.ucmd = ucmd,
		.iova = cmd->iova,
		.last = cmd->iova + cmd->length - 1,
		.data = cmd->data,
		.pgshift = (unsigned int)__builtin_ctzll(cmd->page_size),
	};
	iopt_for_each_contig_area(&iter, area, iopt, b.iova, b.last) {
		uint64_t last = iopt_area_last_iova(area) < b.last ?
					iopt_area_last_iova(area) : b.last;

		if (emulated_domain_read_and_clear_dirty(
			    domain, iter.cur_iova, last - iter.cur_iova + 1,
			    cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			    dirty_bitmap_set, &b))
			break;
	}
	return 0;
}

/*
 * Entries read from the caller per step; a read that fails is retried
 * entry by entry so the count of entries handled stays exact.
 */
#define INVALIDATE_BATCH 512u

/* mock_domain_cache_invalidate_user(). */
static int mock_nested_cache_invalidate(struct iommufd_hwpt_nested *nested,
					struct iommu_user_data_array *array)
{
	struct iommu_hwpt_invalidate_selftest batch[INVALIDATE_BATCH];
	uint32_t processed = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	/* iommu_copy_struct_from_user_array(): exact size only, here. */
	if (array->entry_num &&
	    (array->entry_len <
		     offsetofend(struct iommu_hwpt_invalidate_selftest, iotlb_id) ||
	     array->entry_len > sizeof(batch[0]))) {
		rc = -EINVAL;
		goto out;
	}
	while (processed < array->entry_num) {
		uint32_t n = array->entry_num - processed;

		if (n > INVALIDATE_BATCH)
			n = INVALIDATE_BATCH;
		rc = ucmd_copy_from_user(array->ucmd, batch,
					 array->uptr + (uint64_t)processed *
							       array->entry_len,
					 (size_t)n * array->entry_len);
		if (rc) {
			/* Find the first entry that cannot be read. */
			uint32_t ok = 0;

			while (ok < n &&
			       !ucmd_copy_from_user(
				       array->ucmd, &batch[ok],
				       array->uptr + ((uint64_t)processed + ok) *
							     array->entry_len,
				       array->entry_len))
				ok++;
			n = ok;
		}
		for (uint32_t i = 0; i != n; i++) {
			const struct iommu_hwpt_invalidate_selftest *inv =
				&batch[i];

			if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
				rc = -EOPNOTSUPP;
				goto out;
			}
			if (inv->iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
				rc = -EINVAL;
				goto out;
			}
			if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
				memset(nested->iotlb, 0, sizeof(nested->iotlb));
			else
				nested->iotlb[inv->iotlb_id] = 0;
			processed++;
		}
		if (rc)
			break;
	}
out:
	array->entry_num = processed;
	return rc;
}

/*
 * v7.3 bounds one call's work: at most this many records, none longer than
 * a page (the kernel's IOMMU_HWPT_INVALIDATE_ENTRY_NUM_MAX and PAGE_SIZE).
 */
#define HWPT_INVALIDATE_ENTRY_NUM_MAX (1u << 19)
#define HWPT_INVALIDATE_ENTRY_LEN_MAX 4096u

/* Mirrors iommufd_hwpt_invalidate(): entry_num says how many were done. */
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommu_user_data_array data_array = {
		.ucmd = ucmd,
		.type = cmd->data_type,
		.uptr = cmd->data_uptr,
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct iommufd_object *pt_obj;
	uint32_t done_num = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len ||
	     cmd->entry_len > HWPT_INVALIDATE_ENTRY_LEN_MAX ||
	     cmd->entry_num > HWPT_INVALIDATE_ENTRY_NUM_MAX)) {
		rc = -EINVAL;
		goto out;
	}
	pt_obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (!pt_obj) {
		rc = -ENOENT;
		goto out;
	}
	if (pt_obj->type == IOMMUFD_OBJ_HWPT_NESTED) {
		rc = mock_nested_cache_invalidate(
			to_hwpt_nested(iommufd_hwpt_from_obj(pt_obj)),
			&data_array);
	} else if (pt_obj->type == IOMMUFD_OBJ_VIOMMU) {
		rc = iommufd_viommu_cache_invalidate(
			ucmd, container_of(pt_obj, struct iommufd_viommu, obj),
			&data_array);
	} else {
		rc = -EINVAL;
		goto out;
	}
	done_num = data_array.entry_num;
out:
	cmd->entry_num = done_num;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}
