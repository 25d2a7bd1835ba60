/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IOVA bookkeeping of one IOAS: the userspace counterpart of the kernel's
 * drivers/iommu/iommufd/io_pagetable.c without the page pinning. See the
 * theory of operation at the top of io_pagetable.c.
 *
 * Locking: none inside. Every function expects the caller to hold the lock
 * of the IOAS that embeds the io_pagetable (the kernel's iova_rwsem and
 * domains_rwsem collapse into it). Callbacks run with that lock held.
 *
 * Errors are negative errno values, chosen to match the kernel.
 */
#ifndef UIOMMUFD_IO_PAGETABLE_H
#define UIOMMUFD_IO_PAGETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interval_tree.h"

struct user_mem;

/* The kernel's PAGE_SIZE and THP HPAGE_SIZE on x86-64 / 4K arm64. */
#define IOPT_PAGE_SIZE ((uint64_t)4096)
#define IOPT_HPAGE_SIZE ((uint64_t)2 << 20)
#define IOPT_IOVA_MAX UINT64_MAX

/*
 * What one area costs the daemon, charged to the IOAS owner's user: the
 * area with its tree node (80 bytes) and the pinning layer's object for a
 * map of its own (40), both from pools (obj_pool.h), and the pools' slab
 * headers.  Measured as the daemon's RSS growth over 1,000,000 4 KiB maps
 * (tests/bench/ioas_bench.c), rounded up.
 */
#define IOPT_AREA_CHARGE 128u

/* iopt_alloc_area_pages() / iopt_map_area() flag: choose the IOVA. */
#define IOPT_ALLOC_IOVA 1U

/*
 * One mapped IOVA range [node.start, node.last]. pages == NULL means the
 * area is still being set up (or torn down): it holds its IOVA range but
 * unmap and cut refuse it with -EBUSY. The pinning layer publishes the area
 * by setting pages once it is ready.
 */
struct iopt_area {
	struct interval_tree_node node;
	void *pages;		/* opaque, owned by the pinning layer */
	uint64_t pages_offset;	/* byte in pages backing node.start (start_byte) */
	int iommu_prot;
	uint32_t num_accesses : 31; /* in-kernel style accesses pinning it */
	uint32_t prevent_access : 1;
	/*
	 * Internal accesses (a HW queue's) pinning it: unmap refuses the area
	 * with -EBUSY until the object holding the lock is destroyed.
	 */
	uint32_t num_locks;
};

struct iopt_allowed {
	struct interval_tree_node node;
};

struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

/* Areas and mapped bytes over every table of a context (its figures). */
struct iopt_totals {
	uint64_t areas;
	uint64_t mapped_bytes;
};

struct io_pagetable {
	struct interval_tree_root area_itree;
	struct interval_tree_root allowed_itree;
	struct interval_tree_root reserved_itree;
	uint64_t iova_alignment;
	bool disable_large_pages;
	size_t num_areas;
	uint64_t mapped_bytes;
	/* The context's sums of the two above, kept with them; NULL: none. */
	struct iopt_totals *totals;
	/* Charged per area and per allowed range; NULL charges nobody. */
	struct user_mem *mem;
	size_t num_allowed;
};

struct iopt_iova_range {
	uint64_t start;
	uint64_t last;
};

static inline uint64_t iopt_area_iova(const struct iopt_area *area)
{
	return area->node.start;
}

static inline uint64_t iopt_area_last_iova(const struct iopt_area *area)
{
	return area->node.last;
}

static inline uint64_t iopt_area_length(const struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Byte offset inside area->pages that backs iova (iova inside the area). */
static inline uint64_t iopt_area_start_byte(const struct iopt_area *area,
					    uint64_t iova)
{
	return area->pages_offset + (iova - area->node.start);
}

/* The kernel's area->page_offset: bytes into the first page. */
static inline uint64_t iopt_area_page_offset(const struct iopt_area *area)
{
	return area->pages_offset % IOPT_PAGE_SIZE;
}

#define IOPT_MAKE_ITER(name)                                                   \
	static inline struct iopt_##name *iopt_##name##_iter_first(            \
		const struct io_pagetable *iopt, uint64_t start, uint64_t last) \
	{                                                                      \
		struct interval_tree_node *node = interval_tree_iter_first(    \
			&iopt->name##_itree, start, last);                     \
		return node ? interval_tree_entry(node, struct iopt_##name,    \
						  node) :                      \
			      NULL;                                            \
	}                                                                      \
	static inline struct iopt_##name *iopt_##name##_iter_next(             \
		struct iopt_##name *prev, uint64_t start, uint64_t last)       \
	{                                                                      \
		struct interval_tree_node *node =                              \
			interval_tree_iter_next(&prev->node, start, last);     \
		return node ? interval_tree_entry(node, struct iopt_##name,    \
						  node) :                      \
			      NULL;                                            \
	}

IOPT_MAKE_ITER(area)
IOPT_MAKE_ITER(allowed)
IOPT_MAKE_ITER(reserved)
#undef IOPT_MAKE_ITER

/* The area containing iova, or NULL. */
static inline struct iopt_area *iopt_area_find(const struct io_pagetable *iopt,
					       uint64_t iova)
{
	return iopt_area_iter_first(iopt, iova, iova);
}

/*
 * Walk areas that cover [iova, last_iova] back to back. After the loop,
 * iopt_area_contig_done() says whether the whole range was covered by
 * published (pages != NULL) areas without gaps.
 */
struct iopt_area_contig_iter {
	uint64_t cur_iova;
	uint64_t last_iova;
	struct iopt_area *area;
};

struct iopt_area *iopt_area_contig_init(struct iopt_area_contig_iter *iter,
					struct io_pagetable *iopt,
					uint64_t iova, uint64_t last_iova);
struct iopt_area *iopt_area_contig_next(struct iopt_area_contig_iter *iter);

static inline bool iopt_area_contig_done(const struct iopt_area_contig_iter *iter)
{
	return iter->area && iter->last_iova <= iopt_area_last_iova(iter->area);
}

#define iopt_for_each_contig_area(iter, area, iopt, iova, last_iova)          \
	for (area = iopt_area_contig_init(iter, iopt, iova, last_iova); area; \
	     area = iopt_area_contig_next(iter))

/* Called for each area after it is unlinked; the area is freed afterwards. */
typedef void (*iopt_area_release_fn)(struct io_pagetable *iopt,
				     struct iopt_area *area, void *arg);
/* Ask users of accesses to drop them: they must lower area->num_accesses. */
typedef void (*iopt_access_notify_fn)(struct io_pagetable *iopt, uint64_t iova,
				      uint64_t length, void *arg);
/*
 * Before a split is committed: lhs/rhs are filled in (not yet linked). Take
 * the extra pages reference here; a negative errno aborts the split.
 */
typedef int (*iopt_area_split_fn)(struct io_pagetable *iopt,
				  const struct iopt_area *area,
				  struct iopt_area *lhs, struct iopt_area *rhs,
				  void *arg);

struct iopt_unmap_ops {
	iopt_area_release_fn release;		/* may be NULL */
	iopt_access_notify_fn notify_access;	/* may be NULL */
	void *arg;
};

/* One slice of a mapping for iopt_alloc_area_pages(). */
struct iopt_map_elm {
	uint64_t start_byte;	/* in: offset in the pages object */
	uint64_t length;	/* in: bytes */
	/*
	 * in: IOMMU_WRITE was asked but the pages are read-only; fails the
	 * map with -EPERM at the kernel's point (iopt_insert_area).
	 */
	bool write_denied;
	struct iopt_area *area; /* out: linked area, pages == NULL */
};

/* Areas of every io_pagetable not freed yet (for tests). */
size_t iopt_areas_in_use(void);

void iopt_init_table(struct io_pagetable *iopt);
/* Removes every area (release called on each) and frees allowed/reserved. */
void iopt_destroy_table(struct io_pagetable *iopt,
			const struct iopt_unmap_ops *ops);

int iopt_alloc_iova(struct io_pagetable *iopt, uint64_t *iova, uint64_t addr,
		    uint64_t length);
int iopt_check_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length);

/*
 * The kernel's iopt_alloc_area_pages(): validates length, then allocates
 * (IOPT_ALLOC_IOVA, addr = user VA / file offset of the first byte, used as
 * an alignment hint) or checks *dst_iova, then links one area per element,
 * back to back from *dst_iova. The elements' lengths must add up to length.
 * All-or-nothing: on failure every elms[].area is NULL. The areas are linked
 * with pages == NULL.
 */
int iopt_alloc_area_pages(struct io_pagetable *iopt, struct iopt_map_elm *elms,
			  size_t num_elms, uint64_t length, uint64_t *dst_iova,
			  uint64_t addr, int iommu_prot, unsigned int flags);
/* Single-element form of iopt_alloc_area_pages(). */
int iopt_map_area(struct io_pagetable *iopt, uint64_t *iova, uint64_t addr,
		  uint64_t start_byte, uint64_t length, int iommu_prot,
		  unsigned int flags, struct iopt_area **out_area);
/* Unlink and free an area that failed to be published. */
void iopt_abort_area(struct io_pagetable *iopt, struct iopt_area *area);

int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped, const struct iopt_unmap_ops *ops);
int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped,
		   const struct iopt_unmap_ops *ops);

int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas, iopt_area_split_fn split, void *arg);

int iopt_set_allow_iova(struct io_pagetable *iopt,
			const struct iopt_iova_range *ranges, size_t num);
int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner);

/*
 * IOMMU_IOAS_IOVA_RANGES: the holes of the reserved tree over the whole
 * address space. Fills up to max entries, returns the total number.
 */
size_t iopt_get_iova_ranges(const struct io_pagetable *iopt,
			    struct iopt_iova_range *ranges, size_t max);

int iopt_check_iova_alignment(struct io_pagetable *iopt,
			      uint64_t new_iova_alignment);
int iopt_table_add_domain_alignment(struct io_pagetable *iopt,
				    uint64_t pgsize_bitmap,
				    uint64_t *new_iova_alignment);
int iopt_calculate_iova_alignment(struct io_pagetable *iopt,
				  uint64_t required_alignment);
int iopt_disable_large_pages(struct io_pagetable *iopt, bool has_domains,
			     uint64_t required_alignment);
void iopt_enable_large_pages(struct io_pagetable *iopt,
			     uint64_t required_alignment);

#endif /* UIOMMUFD_IO_PAGETABLE_H */
