/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UIOMMUFD_IOAS_H
#define UIOMMUFD_IOAS_H

#include "core/io_pagetable.h"
#include "core/iommufd_private.h"

struct iommufd_access;
struct iommufd_domain;

/* An IO address space: the IOVA -> memory map that domains follow. */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	/*
	 * The kernel's iopt->domains: every domain here holds every published
	 * area, pinned.  Owned by the HWPT_PAGING objects that attached them.
	 */
	struct iommufd_domain **domains;
	unsigned int num_domains;
	/* The kernel's iopt->access_list: attached accesses (access.c). */
	struct iommufd_access *accesses;
};

/* Mirrors iommufd_ioas_alloc(): reserved, not yet finalized. */
struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx, int *err);

/*
 * The IOAS operations shared by the iommufd ioctls and the VFIO container
 * ioctls (vfio_compat.c).  Each mirrors the kernel's io_pagetable function
 * named beside it, including errnos; they pin when the IOAS has domains.
 * The caller holds the context lock.
 */
/* iopt_map_user_pages(); flags: IOPT_ALLOC_IOVA to choose *iova. */
int iommufd_ioas_map_user(struct iommufd_ucmd *ucmd, struct iommufd_ioas *ioas,
			  uint64_t *iova, uint64_t uva, uint64_t length,
			  int iommu_prot, unsigned int flags);
/* iopt_unmap_iova(): whole areas only. */
int iommufd_ioas_unmap_iova(struct iommufd_ioas *ioas, uint64_t iova,
			    uint64_t length, uint64_t *unmapped);
/* iopt_unmap_all(). */
int iommufd_ioas_unmap_all(struct iommufd_ioas *ioas, uint64_t *unmapped);
/* iopt_cut_iova(): split areas after each given IOVA (VFIO TYPE1 unmap). */
int iommufd_ioas_cut_iova(struct iommufd_ioas *ioas, const uint64_t *iovas,
			  size_t num_iovas);
/* The largest smallest page size of the domains and alignment of the accesses. */
uint64_t iommufd_ioas_required_alignment(struct iommufd_ioas *ioas);
/* iopt_disable_large_pages() with the IOAS's domains considered. */
int iommufd_ioas_disable_large_pages(struct iommufd_ioas *ioas);
/* vfio_compat's iommufd_get_pagesizes(): AND of the domains' page sizes. */
uint64_t iommufd_ioas_pgsize_bitmap(struct iommufd_ioas *ioas);
/*
 * The distinct pages objects behind every published area of every IOAS of
 * the context (COPY and cuts share them).  The caller frees *out.
 */
struct iopt_pages;
int iommufd_ctx_collect_pages(struct iommufd_ctx *ictx,
			      struct iopt_pages ***out, size_t *num);
/*
 * The exporter revoked (or re-validated) dmabuf: every pages object of it
 * in the context leaves its domains for good (iopt_revoke_notify()).
 */
struct iommufd_dmabuf;
void iommufd_ctx_revoke_dmabuf(struct iommufd_ctx *ictx,
			       const struct iommufd_dmabuf *dmabuf);
/* Whether every attached domain enforces cache coherency (VFIO_DMA_CC_IOMMU). */
bool iommufd_ioas_enforce_cache_coherency(struct iommufd_ioas *ioas);

/*
 * iopt_table_add_domain(): narrow the IOAS to the domain's aperture, raise
 * the IOVA alignment to its smallest page, pin and map every area into it.
 * All or nothing.  iopt_table_remove_domain() undoes it.
 */
int iommufd_ioas_add_domain(struct iommufd_ioas *ioas,
			    struct iommufd_domain *domain);
void iommufd_ioas_remove_domain(struct iommufd_ioas *ioas,
				struct iommufd_domain *domain);

/* IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_COPY: iopt_map_file_pages(), iopt_map_pages(). */
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd);
/* IOMMU_IOAS_NOIOMMU_GET_PA (v7.3): iopt_get_phys(). */
int iommufd_ioas_noiommu_get_pa(struct iommufd_ucmd *ucmd);

#endif
