/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A domain is the kernel's iommu_domain: the translation a device follows.
 * The io_pagetable fills every domain attached to an IOAS with every area,
 * so a backend only has to map and unmap IOVA ranges onto pinned pages.
 *
 * Backends: "emulated" (backend/emulated.c) keeps the IOVA -> page map in
 * the daemon; it backs the mock domains of the self-test interface and any
 * device model that reads memory through the daemon.  A hardware backend
 * (VFIO container, kernel iommufd) would hand physical pages to the real
 * IOMMU and so sets needs_phys: memory that cannot be shared with the daemon
 * (MAP_PRIVATE) is refused for it.
 *
 * All calls run under the owning context's lock.
 */
#ifndef UIOMMUFD_BACKEND_H
#define UIOMMUFD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iopt_pages;
struct iommufd_domain;

struct backend_ops {
	const char *name;
	/*
	 * Map [iova, iova + length) onto pages from start_byte on.  The
	 * pages are pinned by the caller for as long as the mapping exists.
	 * Returns 0 or a negative errno; nothing is left mapped on failure.
	 */
	int (*map)(struct iommufd_domain *domain, uint64_t iova,
		   struct iopt_pages *pages, uint64_t start_byte,
		   uint64_t length, int iommu_prot);
	/* Unmap exactly a range that was mapped (possibly a part of one). */
	void (*unmap)(struct iommufd_domain *domain, uint64_t iova,
		      uint64_t length);
	void (*free)(struct iommufd_domain *domain);
};

/* The kernel's struct iommu_domain, reduced to what the core consults. */
struct iommufd_domain {
	const struct backend_ops *ops;
	uint64_t pgsize_bitmap;
	/* geometry: the IOVA window the domain can translate, inclusive */
	uint64_t aperture_start;
	uint64_t aperture_end;
	bool enforce_cache_coherency;
	/* The backend hands physical pages to hardware. */
	bool needs_phys;
	void *priv;
};

/* The IOMMU_* protection bits areas carry (the kernel's values). */
#define IOMMU_READ (1 << 0)
#define IOMMU_WRITE (1 << 1)
#define IOMMU_CACHE (1 << 2)

/* backend/emulated.c */
struct iommufd_domain *emulated_domain_alloc(uint64_t pgsize_bitmap,
					     uint64_t aperture_start,
					     uint64_t aperture_end);
/*
 * The emulated domain's translation of iova: the pages and byte offset it
 * maps to, and how many bytes from there stay contiguous in the same pages.
 * Returns false when iova is not mapped.
 */
bool emulated_domain_lookup(struct iommufd_domain *domain, uint64_t iova,
			    struct iopt_pages **pages, uint64_t *start_byte,
			    uint64_t *contig);
/* Number of IOVA ranges mapped (for tests). */
size_t emulated_domain_nr_mappings(struct iommufd_domain *domain);

#endif
