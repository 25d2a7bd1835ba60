/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A domain is the kernel's iommu_domain: the translation a device follows.
 * The io_pagetable fills every domain attached to an IOAS with every area,
 * so a backend only has to map and unmap IOVA ranges onto pinned pages.
 *
 * Backends: "emulated" (daemon/providers/emulated_domain.c) keeps the IOVA -> page map in
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

struct iommufd_iova_hole {
	uint64_t start, last;
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
	/*
	 * Page sizes the backend installs as one leaf entry, a subset of
	 * pgsize_bitmap (0: the smallest only).  Dirty state is kept per
	 * leaf, as a page table's dirty bit is, so a write to one byte of a
	 * huge leaf reports the whole leaf dirty.
	 */
	uint64_t leaf_pgsizes;
	/*
	 * The IOAS's IOMMU_OPTION_HUGE_PAGES switch (NULL: large pages
	 * allowed).  While it is off the kernel fills domains in CPU-page
	 * pieces, so no leaf larger than a CPU page is made.
	 */
	const bool *no_large_pages;
	/*
	 * IOVA ranges inside the aperture the domain cannot translate
	 * (inclusive): a real IOMMU's reserved regions, such as the MSI
	 * window.  The IOAS reserves them while the domain is in it, as the
	 * kernel reserves an attached device's reserved regions, so they are
	 * left out of IOMMU_IOAS_IOVA_RANGES and never allocated.
	 */
	const struct iommufd_iova_hole *holes;
	unsigned int nr_holes;
	/* The kernel's domain->dirty_ops: dirty tracking can be enabled. */
	bool dirty_ops;
	/* Tracking enabled (the mock driver's MOCK_DIRTY_TRACK flag). */
	bool dirty_tracking;
	void *priv;
};

/* The IOMMU_* protection bits areas carry (the kernel's values). */
#define IOMMU_READ (1 << 0)
#define IOMMU_WRITE (1 << 1)
#define IOMMU_CACHE (1 << 2)

/* daemon/providers/emulated_domain.c */
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
/* The IOMMU_* protection iova is mapped with, -1 when unmapped. */
int emulated_domain_prot(struct iommufd_domain *domain, uint64_t iova);
/* Number of IOVA ranges mapped (for tests). */
size_t emulated_domain_nr_mappings(struct iommufd_domain *domain);

/*
 * Dirty tracking of an emulated domain, as a page table's dirty bits:
 * set_dirty marks the leaf that maps iova (false when nothing maps it);
 * read_and_clear reports every dirty leaf overlapping [iova, iova + length)
 * in IOVA order through report(), whole, and clears it unless no_clear.  A
 * report() that fails stops the walk with that leaf still dirty; its error
 * is returned.  Unmapping a range forgets its dirty state.
 */
bool emulated_domain_set_dirty(struct iommufd_domain *domain, uint64_t iova);
int emulated_domain_read_and_clear_dirty(
	struct iommufd_domain *domain, uint64_t iova, uint64_t length,
	bool no_clear, int (*report)(void *arg, uint64_t iova, uint64_t len),
	void *arg);
/* The leaf size mapping iova, 0 when unmapped (for tests). */
uint64_t emulated_domain_leaf_size(struct iommufd_domain *domain,
				   uint64_t iova);

#endif
