// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Accesses; mirrors the access half of the kernel's drivers/iommu/iommufd/
 * device.c (iommufd_access_*) and io_pagetable.c (iopt_add_access,
 * iopt_remove_access).  See access.h.
 *
 * Pins: the kernel tracks access pins per page index range inside the
 * pages object.  Here an access pin takes one pin user of each area's pages
 * object it covers (iopt_pages_pin, the same pin a domain takes: mapped
 * into the daemon, mlocked, charged), and area->num_accesses counts them so
 * that unmap first asks the accesses to let go and split refuses.  The
 * driver must unpin exactly the range it pinned, as in the kernel.
 */
#include "core/access.h"

#include "core/io_pagetable.h"
#include "core/ioas.h"
#include "core/pages.h"
#include "providers/domain.h"

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, uint32_t *id, int *err)
{
	struct iommufd_access *access;

	access = iommufd_object_alloc(ictx, access, IOMMUFD_OBJ_ACCESS, err);
	if (!access)
		return NULL;
	/* The calling driver is a user until iommufd_access_destroy(). */
	iommufd_object_get_user(&access->obj);
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	access->iova_alignment = ops->needs_pin_pages ? IOPT_PAGE_SIZE : 1;
	iommufd_object_finalize(ictx, &access->obj);
	*id = access->obj.id;
	return access;
}

/* Mirrors iommufd_access_create_internal(). */
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx,
						      int *err)
{
	static const struct iommufd_access_ops internal_ops = {
		.needs_pin_pages = true,
	};
	struct iommufd_access *access;
	uint32_t id;

	access = iommufd_access_create(ictx, &internal_ops, NULL, &id, err);
	if (access)
		access->internal = true;
	return access;
}

static void ioas_unlink_access(struct iommufd_ioas *ioas,
			       struct iommufd_access *access)
{
	for (struct iommufd_access **pp = &ioas->accesses; *pp;
	     pp = &(*pp)->ioas_next)
		if (*pp == access) {
			*pp = access->ioas_next;
			access->ioas_next = NULL;
			return;
		}
}

/* iopt_add_access(): the IOAS's alignment grows to the access's, or -EADDRINUSE. */
static int iopt_add_access(struct iommufd_ioas *ioas,
			   struct iommufd_access *access)
{
	int rc;

	access->ioas_next = ioas->accesses;
	ioas->accesses = access;
	rc = iopt_calculate_iova_alignment(&ioas->iopt,
					   iommufd_ioas_required_alignment(ioas));
	if (rc)
		ioas_unlink_access(ioas, access);
	return rc;
}

/* iopt_remove_access(): lowering the alignment cannot fail. */
static void iopt_remove_access(struct iommufd_ioas *ioas,
			       struct iommufd_access *access)
{
	ioas_unlink_access(ioas, access);
	(void)iopt_calculate_iova_alignment(&ioas->iopt,
					    iommufd_ioas_required_alignment(ioas));
}

/* Mirrors iommufd_access_change_ioas(). */
static int iommufd_access_change_ioas(struct iommufd_access *access,
				      struct iommufd_ioas *new_ioas)
{
	struct iommufd_ioas *cur_ioas = access->ioas;
	int rc;

	if (cur_ioas == new_ioas)
		return 0;
	/* No pin_pages while changing; unpin_pages still uses ioas_unpin. */
	access->ioas = NULL;
	if (new_ioas) {
		rc = iopt_add_access(new_ioas, access);
		if (rc) {
			access->ioas = cur_ioas;
			return rc;
		}
		iommufd_object_get_user(&new_ioas->obj);
	}
	if (cur_ioas) {
		if (access->ops->unmap)
			access->ops->unmap(access->data, 0, UINT64_MAX);
		iopt_remove_access(cur_ioas, access);
		iommufd_object_put_user(&cur_ioas->obj);
	}
	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;
	return 0;
}

static int iommufd_access_change_ioas_id(struct iommufd_access *access,
					 uint32_t id)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(access->ictx, id);

	if (!ioas)
		return -ENOENT;
	return iommufd_access_change_ioas(access, ioas);
}

void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	if (access->ioas)
		(void)iommufd_access_change_ioas(access, NULL);
}

void iommufd_access_destroy(struct iommufd_access *access)
{
	iommufd_object_destroy_user(access->ictx, &access->obj);
}

int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id)
{
	if (access->ioas)
		return -EINVAL;
	return iommufd_access_change_ioas_id(access, ioas_id);
}

int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id)
{
	if (!access->ioas)
		return -ENOENT;
	return iommufd_access_change_ioas_id(access, ioas_id);
}

void iommufd_access_detach(struct iommufd_access *access)
{
	if (access->ioas)
		(void)iommufd_access_change_ioas(access, NULL);
}

void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length, void *arg)
{
	struct iommufd_ioas *ioas = arg;
	struct iommufd_access *access, *next;

	for (access = ioas->accesses; access; access = next) {
		/* unmap() drops pins; it does not detach, but be safe. */
		next = access->ioas_next;
		if (access->ops->unmap)
			access->ops->unmap(access->data, iova, length);
	}
}

uint64_t iommufd_access_ioas_alignment(const struct iommufd_ioas *ioas)
{
	uint64_t align = 1;

	for (const struct iommufd_access *a = ioas->accesses; a; a = a->ioas_next)
		if (a->iova_alignment > align)
			align = a->iova_alignment;
	return align;
}

static uint64_t umin(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void iopt_area_remove_access(struct iopt_area *area, bool unlock_area)
{
	if (area->num_accesses)
		area->num_accesses--;
	if (unlock_area && area->num_locks)
		area->num_locks--;
	iopt_pages_unpin(area->pages);
}

/* Mirrors iommufd_access_unpin_pages(). */
void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length)
{
	struct iopt_area_contig_iter iter;
	struct iopt_area *area;
	uint64_t last_iova;

	if (!length || __builtin_add_overflow(iova, length - 1, &last_iova) ||
	    !access->ioas_unpin)
		return;
	iopt_for_each_contig_area(&iter, area, &access->ioas_unpin->iopt, iova,
				  last_iova)
		iopt_area_remove_access(area, access->internal);
}

/* iopt_area_contig_is_aligned(): every area joins the next at a page boundary. */
static bool iopt_area_contig_is_aligned(struct iopt_area_contig_iter *iter)
{
	if (iopt_area_start_byte(iter->area, iter->cur_iova) % IOPT_PAGE_SIZE)
		return false;
	if (!iopt_area_contig_done(iter) &&
	    (iopt_area_start_byte(iter->area, iopt_area_last_iova(iter->area)) %
	     IOPT_PAGE_SIZE) != IOPT_PAGE_SIZE - 1)
		return false;
	return true;
}

static bool check_area_prot(const struct iopt_area *area, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		return area->iommu_prot & IOMMU_WRITE;
	return area->iommu_prot & IOMMU_READ;
}

/* The checks pin_pages and rw both start with, in the kernel's order. */
static int iommufd_access_range(const struct iommufd_access *access,
				uint64_t iova, uint64_t length,
				uint64_t *last_iova)
{
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, last_iova))
		return -EOVERFLOW;
	return access->ioas ? 0 : -ENOENT;
}

/* Mirrors iommufd_access_pin_pages(). */
int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, unsigned int flags)
{
	struct iopt_area_contig_iter iter;
	struct iopt_area *area;
	uint64_t last_iova;
	int rc = 0;

	/* The kernel WARNs: the driver's ops cannot take pin_pages. */
	if (access->iova_alignment != IOPT_PAGE_SIZE ||
	    (!access->internal && !access->ops->unmap))
		return -EINVAL;
	rc = iommufd_access_range(access, iova, length, &last_iova);
	if (rc)
		return rc;

	iopt_for_each_contig_area(&iter, area, &access->ioas->iopt, iova,
				  last_iova) {
		struct iopt_pages *pages = area->pages;

		if (area->prevent_access || !iopt_area_contig_is_aligned(&iter)) {
			rc = -EINVAL;
			goto err_remove;
		}
		if (!check_area_prot(area, flags)) {
			rc = -EPERM;
			goto err_remove;
		}
		/* iopt_area_add_access() */
		if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable) {
			rc = -EPERM;
			goto err_remove;
		}
		/*
		 * The kernel has no page array for dma-buf memory (its pin
		 * path reads it as user memory); refuse it as rw does.
		 */
		if (pages->type == IOPT_ADDRESS_DMABUF) {
			rc = -EINVAL;
			goto err_remove;
		}
		rc = iopt_pages_pin(pages, false);
		if (rc)
			goto err_remove;
		area->num_accesses++;
		if (access->internal)
			area->num_locks++;
	}
	if (!iopt_area_contig_done(&iter)) {
		rc = -ENOENT;
		goto err_remove;
	}
	return 0;

err_remove:
	if (iova < iter.cur_iova) {
		last_iova = iter.cur_iova - 1;
		iopt_for_each_contig_area(&iter, area, &access->ioas->iopt,
					  iova, last_iova)
			iopt_area_remove_access(area, access->internal);
	}
	return rc;
}

/*
 * Mirrors iommufd_access_rw() and iopt_pages_rw_access().  The kernel's
 * fast path copies through the mapping process's VA and its slow path
 * through pinned pages (MOCK_ACCESS_RW_SLOW_PATH forces it); here one path
 * serves both: iopt_pages_rw() reads the daemon's pin when there is one and
 * the memory's source (VA of the mapping process, or the file) otherwise.
 */
int iommufd_access_rw(struct iommufd_access *access, uint64_t iova, void *data,
		      uint64_t length, unsigned int flags)
{
	struct iopt_area_contig_iter iter;
	struct iopt_area *area;
	uint64_t last_iova;
	int rc;

	rc = iommufd_access_range(access, iova, length, &last_iova);
	if (rc)
		return rc;

	iopt_for_each_contig_area(&iter, area, &access->ioas->iopt, iova,
				  last_iova) {
		uint64_t last = umin(last_iova, iopt_area_last_iova(area));
		uint64_t bytes = last - iter.cur_iova + 1;
		struct iopt_pages *pages = area->pages;

		if (area->prevent_access)
			return -EINVAL;
		if (!(flags & IOMMUFD_ACCESS_RW_PINNED_READ) &&
		    !check_area_prot(area, flags))
			return -EPERM;
		if (flags & IOMMUFD_ACCESS_RW_PINNED_READ)
			flags = IOMMUFD_ACCESS_RW_PINNED_READ;
		if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable)
			return -EPERM;
		/* iopt_pages_rw_access(): no CPU access to a dma-buf. */
		if (pages->type == IOPT_ADDRESS_DMABUF)
			return -EINVAL;
		rc = iopt_pages_rw(pages, iopt_area_start_byte(area, iter.cur_iova),
				   data, bytes, flags & IOMMUFD_ACCESS_RW_WRITE);
		if (rc)
			return rc;
		data = (char *)data + bytes;
	}
	if (!iopt_area_contig_done(&iter))
		rc = -ENOENT;
	return rc;
}
