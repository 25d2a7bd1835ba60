// SPDX-License-Identifier: GPL-2.0-or-later
/* HWPT_PAGING objects; mirrors the kernel's iommufd_hwpt_paging_alloc(). */
#include "objects/hw_pagetable.h"

#include "backend/backend.h"
#include "objects/ioas.h"

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_domain *domain, bool auto_domain,
			  int *err)
{
	struct iommufd_hwpt_paging *hwpt;
	int rc = 0;

	hwpt = iommufd_object_alloc(ictx, hwpt, IOMMUFD_OBJ_HWPT_PAGING, &rc);
	if (!hwpt) {
		domain->ops->free(domain);
		*err = rc;
		return NULL;
	}
	hwpt->ictx = ictx;
	hwpt->domain = domain;
	hwpt->auto_domain = auto_domain;
	rc = iommufd_ioas_add_domain(ioas, domain);
	if (rc) {
		/* Nothing attached yet: abort frees the domain only. */
		iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
		*err = rc;
		return NULL;
	}
	hwpt->ioas = ioas;
	iommufd_object_get_user(&ioas->obj);
	return hwpt;
}

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, obj);

	if (hwpt->ioas) {
		iommufd_ioas_remove_domain(hwpt->ioas, hwpt->domain);
		iommufd_object_put_user(&hwpt->ioas->obj);
		hwpt->ioas = NULL;
	}
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
	hwpt->domain = NULL;
}

struct iommufd_hwpt_paging *
iommufd_hwpt_find_auto(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas)
{
	for (uint32_t id = id_table_next(&ictx->objects, 1); id;
	     id = id_table_next(&ictx->objects, id + 1)) {
		struct iommufd_object *obj = iommufd_get_object(
			ictx, id, IOMMUFD_OBJ_HWPT_PAGING);
		struct iommufd_hwpt_paging *hwpt;

		if (!obj)
			continue;
		hwpt = container_of(obj, struct iommufd_hwpt_paging, obj);
		if (hwpt->auto_domain && hwpt->ioas == ioas)
			return hwpt;
	}
	return NULL;
}

void iommufd_hwpt_paging_put(struct iommufd_hwpt_paging *hwpt)
{
	iommufd_object_put_user(&hwpt->obj);
	if (hwpt->auto_domain && hwpt->obj.users == 1)
		iommufd_object_destroy_user(hwpt->ictx, &hwpt->obj);
}
