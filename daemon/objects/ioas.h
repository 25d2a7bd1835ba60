/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UIOMMUFD_IOAS_H
#define UIOMMUFD_IOAS_H

#include "objects/io_pagetable.h"
#include "objects/iommufd_private.h"

/* An IO address space: the IOVA -> memory map that domains follow. */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
};

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
/* iopt_disable_large_pages() with the IOAS's domains considered. */
int iommufd_ioas_disable_large_pages(struct iommufd_ioas *ioas);
/* vfio_compat's iommufd_get_pagesizes(): AND of the domains' page sizes. */
uint64_t iommufd_ioas_pgsize_bitmap(struct iommufd_ioas *ioas);
/* Whether every attached domain enforces cache coherency (VFIO_DMA_CC_IOMMU). */
bool iommufd_ioas_enforce_cache_coherency(struct iommufd_ioas *ioas);

#endif
