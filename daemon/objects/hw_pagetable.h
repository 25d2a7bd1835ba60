/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HWPT_PAGING: a domain attached to an IOAS, as an object.  Mirrors the
 * paging half of the kernel's drivers/iommu/iommufd/hw_pagetable.c.  The
 * HWPT holds a users count on its IOAS, and every device attached to it
 * holds one on the HWPT, which is what orders IOMMU_DESTROY (EBUSY).
 */
#ifndef UIOMMUFD_HW_PAGETABLE_H
#define UIOMMUFD_HW_PAGETABLE_H

#include "objects/iommufd_private.h"

struct iommufd_domain;

struct iommufd_hwpt_paging {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;
	struct iommufd_domain *domain;
	/* Made by a device attach to an IOAS; goes with its last device. */
	bool auto_domain;
	/* The self-test interface's mock domain (MD_CHECK_* accept it). */
	bool mock;
};

/*
 * iommufd_hwpt_paging_alloc(): a reserved (unfinalized) HWPT whose domain
 * is filled with every area of ioas (pinning them).  Takes the domain.
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_domain *domain, bool auto_domain,
			  int *err);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
/* The auto-domain HWPT of ioas a new device may share, or NULL. */
struct iommufd_hwpt_paging *
iommufd_hwpt_find_auto(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas);
/* Drop a device's users count; an auto domain goes with the last one. */
void iommufd_hwpt_paging_put(struct iommufd_hwpt_paging *hwpt);

#endif
