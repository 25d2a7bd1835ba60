// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HW queues of a vIOMMU (IOMMU_HW_QUEUE_ALLOC); mirrors the hw_queue part
 * of the kernel's drivers/iommu/iommufd/viommu.c, with the self-test mock
 * vIOMMU's queue ops (mock_viommu_get_hw_queue_size(),
 * mock_hw_queue_init_phys(), mock_hw_queue_destroy() in selftest.c).
 *
 * A HW queue is guest memory that hardware reads by physical address, so
 * the core pins it through an internal access on the vIOMMU's nesting
 * parent IOAS: the pin *locks* the areas (area->num_locks), and
 * IOAS_UNMAP of them answers EBUSY until the queue is destroyed.  The
 * queue holds a users count on its vIOMMU; the mock also makes the queue
 * at index i depend on the one at i - 1 (users count), so queues go in
 * descending order.  The internal access is an object with an ID of its
 * own, taken right after the queue's, as in the kernel.
 *
 * The physical contiguity the kernel checks is answered from what the
 * daemon can know (iopt_pages_phys_contig()): a queue inside one page, or
 * inside one hugetlbfs huge page.  Other multi-page queues fail with
 * EFAULT, where the kernel would accept memory that happens to be
 * physically contiguous.
 */
#include <stdlib.h>

#include "providers/domain.h"
#include "core/access.h"
#include "core/io_pagetable.h"
#include "core/ioas.h"
#include "core/pages.h"
#include "core/viommu.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

_Static_assert(IOMMUFD_MOCK_HW_QUEUE_MAX == IOMMU_TEST_HW_QUEUE_MAX,
	       "mock HW queue indexes");

/* kvcalloc() of the kernel's page array gives up past INT_MAX bytes. */
#define HW_QUEUE_MAX_NPAGES ((uint64_t)INT32_MAX / sizeof(void *))

struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_access *access;
	uint32_t type;
	uint32_t index;
	uint64_t length;
	uint64_t base_addr;
	/* mock_hw_queue: registered at index, depending on prev. */
	bool registered;
	struct iommufd_hw_queue *prev;
};

/* iommufd_hw_queue_destroy_access(): unpin (unlocking), detach, destroy. */
static void iommufd_hw_queue_destroy_access(struct iommufd_access *access,
					    uint64_t base_iova, uint64_t length)
{
	uint64_t aligned_iova = base_iova & ~(IOPT_PAGE_SIZE - 1);
	uint64_t offset = base_iova - aligned_iova;

	iommufd_access_unpin_pages(
		access, aligned_iova,
		(length + offset + IOPT_PAGE_SIZE - 1) & ~(IOPT_PAGE_SIZE - 1));
	iommufd_access_detach(access);
	iommufd_access_destroy(access);
}

/* Mirrors iommufd_hw_queue_destroy() with mock_hw_queue_destroy(). */
void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *hw_queue =
		container_of(obj, struct iommufd_hw_queue, obj);

	if (hw_queue->registered) {
		hw_queue->viommu->hw_queue[hw_queue->index] = NULL;
		if (hw_queue->prev)
			iommufd_object_put_user(&hw_queue->prev->obj);
		hw_queue->registered = false;
		hw_queue->prev = NULL;
	}
	if (hw_queue->access)
		iommufd_hw_queue_destroy_access(hw_queue->access,
						hw_queue->base_addr,
						hw_queue->length);
	hw_queue->access = NULL;
	if (hw_queue->viommu)
		iommufd_object_put_user(&hw_queue->viommu->obj);
	hw_queue->viommu = NULL;
}

/*
 * Mirrors iommufd_hw_queue_alloc_phys(): pin the page-aligned cover of the
 * queue through an internal access on the parent IOAS (locking its areas),
 * and insist that it is physically contiguous.  *area_out and *byte_out
 * say what base_addr maps to, the daemon's stand-in for base_pa.
 */
static struct iommufd_access *
iommufd_hw_queue_alloc_phys(struct iommufd_ctx *ictx,
			    const struct iommu_hw_queue_alloc *cmd,
			    struct iommufd_viommu *viommu,
			    struct iopt_pages **pages_out, uint64_t *byte_out,
			    int *err)
{
	uint64_t aligned_iova = cmd->nesting_parent_iova & ~(IOPT_PAGE_SIZE - 1);
	uint64_t offset = cmd->nesting_parent_iova - aligned_iova;
	struct iommufd_ioas *ioas = viommu->hwpt->ioas;
	struct iommufd_access *access;
	struct iopt_area *area;
	uint64_t length, max_npages;
	int rc;

	if (__builtin_add_overflow(offset, cmd->length, &length) ||
	    __builtin_add_overflow(length, IOPT_PAGE_SIZE - 1, &length)) {
		*err = -ERANGE;
		return NULL;
	}
	max_npages = length / IOPT_PAGE_SIZE;
	length = max_npages * IOPT_PAGE_SIZE;
	if (max_npages > HW_QUEUE_MAX_NPAGES) {
		*err = -ENOMEM;
		return NULL;
	}

	access = iommufd_access_create_internal(ictx, &rc);
	if (!access) {
		*err = rc;
		return NULL;
	}
	rc = iommufd_access_attach(access, ioas->obj.id);
	if (rc)
		goto out_destroy;
	rc = iommufd_access_pin_pages(access, aligned_iova, length, 0);
	if (rc)
		goto out_detach;

	/* Validate that the pinned pages are physically contiguous. */
	area = iopt_area_find(&ioas->iopt, aligned_iova);
	if (!area || iopt_area_last_iova(area) < aligned_iova + (length - 1) ||
	    !iopt_pages_phys_contig(area->pages,
				    iopt_area_start_byte(area, aligned_iova),
				    length)) {
		rc = -EFAULT;
		goto out_unpin;
	}
	*pages_out = area->pages;
	*byte_out = iopt_area_start_byte(area, cmd->nesting_parent_iova);
	return access;

out_unpin:
	iommufd_access_unpin_pages(access, aligned_iova, length);
out_detach:
	iommufd_access_detach(access);
out_destroy:
	iommufd_access_destroy(access);
	*err = rc;
	return NULL;
}

/* Mirrors mock_hw_queue_init_phys(): indexes in order, base_pa checked. */
static int mock_hw_queue_init_phys(struct iommufd_hw_queue *hw_queue,
				   uint32_t index, struct iopt_pages *pages,
				   uint64_t start_byte)
{
	struct iommufd_viommu *viommu = hw_queue->viommu;
	struct iommufd_hw_queue *prev = NULL;
	struct iopt_pages *dpages;
	uint64_t dbyte, contig;

	if (index >= IOMMUFD_MOCK_HW_QUEUE_MAX)
		return -EINVAL;
	if (viommu->hw_queue[index])
		return -EEXIST;
	if (index) {
		prev = viommu->hw_queue[index - 1];
		if (!prev)
			return -EIO;
	}
	/*
	 * base_pa must be what the nesting parent's domain translates
	 * base_addr to (iommu_iova_to_phys()): the same byte of the same
	 * pinned pages here.
	 */
	if (!emulated_domain_lookup(viommu->hwpt->common.domain,
				    hw_queue->base_addr, &dpages, &dbyte,
				    &contig) ||
	    dpages != pages || dbyte != start_byte)
		return -EFAULT;
	/* iommufd_hw_queue_depend() */
	if (prev)
		iommufd_object_get_user(&prev->obj);
	hw_queue->prev = prev;
	hw_queue->index = index;
	hw_queue->registered = true;
	viommu->hw_queue[index] = hw_queue;
	return 0;
}

/* Mirrors iommufd_hw_queue_alloc_ioctl(). */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hw_queue *hw_queue;
	struct iommufd_viommu *viommu;
	struct iommufd_access *access;
	struct iommufd_object *obj;
	struct iopt_pages *pages = NULL;
	uint64_t last, start_byte = 0;
	int rc = 0;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
				   &last))
		return -EOVERFLOW;
	obj = iommufd_get_object(ictx, cmd->viommu_id, IOMMUFD_OBJ_VIOMMU);
	if (!obj)
		return -ENOENT;
	viommu = container_of(obj, struct iommufd_viommu, obj);
	/* mock_viommu_get_hw_queue_size(): the mock knows only its own type. */
	if (cmd->type != IOMMU_HW_QUEUE_TYPE_SELFTEST)
		return -EOPNOTSUPP;

	hw_queue = iommufd_object_alloc(ictx, hw_queue, IOMMUFD_OBJ_HW_QUEUE,
					&rc);
	if (!hw_queue)
		return rc;
	access = iommufd_hw_queue_alloc_phys(ictx, cmd, viommu, &pages,
					     &start_byte, &rc);
	if (!access)
		goto out_abort;
	hw_queue->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	hw_queue->access = access;
	hw_queue->type = cmd->type;
	hw_queue->length = cmd->length;
	hw_queue->base_addr = cmd->nesting_parent_iova;

	rc = mock_hw_queue_init_phys(hw_queue, cmd->index, pages, start_byte);
	if (rc)
		goto out_abort;
	cmd->out_hw_queue_id = hw_queue->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ictx, &hw_queue->obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ictx, &hw_queue->obj);
	return rc;
}
