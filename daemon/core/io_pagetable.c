// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOVA bookkeeping of one IOAS.
 *
 * Theory of operation
 * -------------------
 * The kernel's io_pagetable keeps three interval trees, and so do we:
 *
 *  - area_itree: the mapped IOVA ranges (struct iopt_area). Areas never
 *    overlap. Each one points, through the opaque `pages`, at the pinning
 *    layer's object and at a byte offset inside it (pages_offset, the
 *    kernel's start_byte). This module never looks inside `pages`.
 *  - reserved_itree: ranges nobody may map (domain apertures, device
 *    reserved regions, MSI windows), tagged with an owner so that a domain
 *    or device removes exactly what it added. Reserved ranges may overlap
 *    each other but never an area or an allowed range.
 *  - allowed_itree: the optional IOMMU_IOAS_ALLOW_IOVAS set. It only steers
 *    automatic IOVA allocation; like the kernel, fixed-IOVA maps ignore it
 *    and IOMMU_IOAS_IOVA_RANGES does not report it.
 *
 * Invariants kept here (all checked by the kernel at the same points):
 *  - areas are disjoint and every area start/length is a multiple of
 *    iova_alignment as it was when the area was made; raising the
 *    alignment is refused (-EADDRINUSE) while an area would break it;
 *  - no reserved range intersects an area or an allowed range.
 *
 * What we mirror from the kernel, errno for errno:
 *  - iopt_alloc_iova(): alignment = roundup_pow_of_two(length), lowered to
 *    the lowest set bit of the address hint, capped at HPAGE_SIZE; the
 *    sub-page offset of the hint is kept in the IOVA; lowest fit first in
 *    [PAGE_SIZE, U64_MAX - PAGE_SIZE], per allowed span, avoiding reserved
 *    ranges and areas. Only the first aligned address of each hole is
 *    tried, exactly as the kernel does.
 *  - unmap removes whole areas only, walking up from the lowest one; an
 *    area sticking out of the range stops the walk with -ENOENT, but areas
 *    removed before it stay removed and are counted in *unmapped. An empty
 *    range succeeds with 0 bytes (the ioctl layer turns that into -ENOENT
 *    for IOMMU_IOAS_UNMAP, vfio compat keeps 0).
 *  - the vfio type1 (v1) compat path may cut areas at page boundaries
 *    (iopt_cut_iova) so that partial unmaps become whole-area unmaps.
 *
 * What we leave to callers: pinning, domain filling, and publishing an
 * area (setting area->pages). Areas are created unpublished so the IOVA is
 * claimed before slow pinning work, as in the kernel.
 *
 * Locking: none. The caller holds its IOAS lock around every call,
 * including while callbacks run.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "io_pagetable.h"
#include "obj_pool.h"
#include "user_limits.h"

#define IOPT_ACCESS_NOTIFY_TRIES 100
/* An allowed range and malloc's header on it. */
#define IOPT_ALLOWED_CHARGE (sizeof(struct iopt_allowed) + 16)

static inline uint64_t iopt_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t iopt_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Only for 1 <= v <= 2^63. */
static inline uint64_t iopt_roundup_pow_of_two(uint64_t v)
{
	return v <= 1 ? 1 : (uint64_t)1 << (64 - __builtin_clzll(v - 1));
}

static inline uint64_t iopt_lowest_bit(uint64_t v)
{
	return (uint64_t)1 << __builtin_ctzll(v);
}

void iopt_init_table(struct io_pagetable *iopt)
{
	iopt->area_itree = INTERVAL_TREE_ROOT_INIT;
	iopt->allowed_itree = INTERVAL_TREE_ROOT_INIT;
	iopt->reserved_itree = INTERVAL_TREE_ROOT_INIT;
	/* As in the kernel: a table without domains has no alignment rule. */
	iopt->iova_alignment = 1;
	iopt->disable_large_pages = false;
	iopt->num_areas = 0;
	iopt->mapped_bytes = 0;
	iopt->totals = NULL;
	iopt->mem = NULL;
	iopt->num_allowed = 0;
}

/*
 * Areas come from one pool shared by every IOAS (obj_pool.h): a million
 * of them cost sizeof(struct iopt_area) each, not malloc's rounded chunk.
 */
static_assert(_Alignof(struct iopt_area) <= 8, "obj_pool aligns to 8");
static struct obj_pool iopt_area_pool = OBJ_POOL_INIT(struct iopt_area);

size_t iopt_areas_in_use(void)
{
	return obj_pool_in_use(&iopt_area_pool);
}

/* Every area is made and freed here, so that each one is charged once. */
static struct iopt_area *iopt_area_new(struct io_pagetable *iopt)
{
	struct iopt_area *area;

	if (user_mem_charge(iopt->mem, IOPT_AREA_CHARGE))
		return NULL;
	area = obj_pool_alloc(&iopt_area_pool);
	if (!area)
		user_mem_uncharge(iopt->mem, IOPT_AREA_CHARGE);
	return area;
}

static void iopt_area_free(struct io_pagetable *iopt, struct iopt_area *area)
{
	if (!area)
		return;
	obj_pool_free(&iopt_area_pool, area);
	user_mem_uncharge(iopt->mem, IOPT_AREA_CHARGE);
}

static void iopt_free_itree(struct interval_tree_root *root, size_t offset)
{
	struct interval_tree_node *node;

	while ((node = root->node)) {
		interval_tree_remove(node, root);
		free((char *)node - offset);
	}
}

void iopt_destroy_table(struct io_pagetable *iopt,
			const struct iopt_unmap_ops *ops)
{
	struct iopt_area *area;

	while ((area = iopt_area_iter_first(iopt, 0, IOPT_IOVA_MAX))) {
		interval_tree_remove(&area->node, &iopt->area_itree);
		if (ops && ops->release)
			ops->release(iopt, area, ops->arg);
		iopt_area_free(iopt, area);
	}
	if (iopt->totals) {
		iopt->totals->areas -= iopt->num_areas;
		iopt->totals->mapped_bytes -= iopt->mapped_bytes;
	}
	iopt->num_areas = 0;
	iopt->mapped_bytes = 0;
	iopt_free_itree(&iopt->allowed_itree,
			offsetof(struct iopt_allowed, node));
	user_mem_uncharge(iopt->mem, iopt->num_allowed * IOPT_ALLOWED_CHARGE);
	iopt->num_allowed = 0;
	iopt_free_itree(&iopt->reserved_itree,
			offsetof(struct iopt_reserved, node));
}

/*
 * Holes of (reserved ∪ areas) over a window, lowest first: the kernel's
 * interval_tree_double_span_iter restricted to the holes we need.
 */
struct iopt_hole_iter {
	struct interval_tree_span_iter reserved;
	struct interval_tree_span_iter areas;
	uint64_t start;
	uint64_t last;
	uint64_t last_index;
	bool done;
};

static void iopt_hole_seek(struct iopt_hole_iter *h, uint64_t pos)
{
	for (;;) {
		uint64_t used_last;

		interval_tree_span_iter_advance(&h->reserved, pos);
		interval_tree_span_iter_advance(&h->areas, pos);
		if (h->reserved.is_hole && h->areas.is_hole) {
			h->start = pos;
			h->last = iopt_min(h->reserved.last, h->areas.last);
			return;
		}
		used_last = h->reserved.is_hole ? h->areas.last :
						  h->reserved.last;
		if (used_last == h->last_index) {
			h->done = true;
			return;
		}
		pos = used_last + 1;
	}
}

static void iopt_hole_first(struct iopt_hole_iter *h, struct io_pagetable *iopt,
			    uint64_t first, uint64_t last)
{
	interval_tree_span_iter_first(&h->reserved, &iopt->reserved_itree,
				      first, last);
	interval_tree_span_iter_first(&h->areas, &iopt->area_itree, first,
				      last);
	h->last_index = last;
	h->done = false;
	iopt_hole_seek(h, first);
}

static void iopt_hole_next(struct iopt_hole_iter *h)
{
	if (h->last == h->last_index)
		h->done = true;
	else
		iopt_hole_seek(h, h->last + 1);
}

/*
 * Can [start, last] hold length bytes at the first address aligned up from
 * start carrying page_offset? Mirrors the kernel's __alloc_iova_check_range,
 * including its refusal when the aligned start equals last.
 */
static bool iopt_alloc_check_range(uint64_t *start, uint64_t last,
				   uint64_t length, uint64_t alignment,
				   uint64_t page_offset)
{
	uint64_t aligned;

	if (__builtin_add_overflow(*start, alignment - 1, &aligned))
		return false;
	aligned &= ~(alignment - 1);
	aligned |= page_offset;
	if (aligned >= last || last - aligned < length - 1)
		return false;
	*start = aligned;
	return true;
}

static bool iopt_alloc_in_span(struct io_pagetable *iopt, uint64_t *iova,
			       uint64_t start, uint64_t last, uint64_t length,
			       uint64_t alignment, uint64_t page_offset)
{
	struct iopt_hole_iter hole;

	if (!iopt_alloc_check_range(&start, last, length, alignment,
				    page_offset))
		return false;

	for (iopt_hole_first(&hole, iopt, start, last); !hole.done;
	     iopt_hole_next(&hole)) {
		uint64_t hole_start = hole.start;

		if (iopt_alloc_check_range(&hole_start, hole.last, length,
					   alignment, page_offset)) {
			*iova = hole_start;
			return true;
		}
	}
	return false;
}

/*
 * Pick the lowest free IOVA for length bytes, never 0 (the window starts at
 * PAGE_SIZE). addr is the user VA (or file offset) to be mapped, 0 if none.
 */
int iopt_alloc_iova(struct io_pagetable *iopt, uint64_t *iova, uint64_t addr,
		    uint64_t length)
{
	const uint64_t win_first = IOPT_PAGE_SIZE;
	const uint64_t win_last = IOPT_IOVA_MAX - IOPT_PAGE_SIZE;
	uint64_t page_offset = addr % IOPT_PAGE_SIZE;
	struct interval_tree_span_iter span;
	uint64_t alignment;

	if (length == 0 || length >= IOPT_IOVA_MAX / 2)
		return -EOVERFLOW;

	alignment = iopt_roundup_pow_of_two(length);
	if (addr)
		alignment = iopt_min(alignment, iopt_lowest_bit(addr));
	if (alignment >= IOPT_HPAGE_SIZE)
		alignment = IOPT_HPAGE_SIZE;
	if (alignment < iopt->iova_alignment)
		return -EINVAL;

	if (interval_tree_empty(&iopt->allowed_itree))
		return iopt_alloc_in_span(iopt, iova, win_first, win_last,
					  length, alignment, page_offset) ?
			       0 :
			       -ENOSPC;

	interval_tree_for_each_span(&span, &iopt->allowed_itree, win_first,
				    win_last) {
		if (span.is_hole)
			continue;
		if (iopt_alloc_in_span(iopt, iova, span.start, span.last,
				       length, alignment, page_offset))
			return 0;
	}
	return -ENOSPC;
}

/* The IOMMU_IOAS_MAP_FIXED_IOVA checks. Allowed ranges are not consulted. */
int iopt_check_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (iopt_reserved_iter_first(iopt, iova, last))
		return -EINVAL;
	if (iopt_area_iter_first(iopt, iova, last))
		return -EEXIST;
	return 0;
}

static void iopt_link_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	interval_tree_insert(&area->node, &iopt->area_itree);
	iopt->num_areas++;
	iopt->mapped_bytes += iopt_area_length(area);
	if (iopt->totals) {
		iopt->totals->areas++;
		iopt->totals->mapped_bytes += iopt_area_length(area);
	}
}

static void iopt_unlink_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt->num_areas--;
	iopt->mapped_bytes -= iopt_area_length(area);
	if (iopt->totals) {
		iopt->totals->areas--;
		iopt->totals->mapped_bytes -= iopt_area_length(area);
	}
}

/* The kernel's iopt_insert_area(). */
static int iopt_insert_area(struct io_pagetable *iopt,
			    const struct iopt_map_elm *elm, uint64_t iova,
			    int iommu_prot)
{
	struct iopt_area *area = elm->area;
	uint64_t start_byte = elm->start_byte;
	uint64_t length = elm->length;
	uint64_t last, last_byte;

	if (elm->write_denied)
		return -EPERM;
	area->iommu_prot = iommu_prot;
	if ((start_byte % IOPT_PAGE_SIZE) & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (__builtin_add_overflow(start_byte, length - 1, &last_byte))
		return -EOVERFLOW;

	area->node.start = iova;
	area->node.last = last;
	area->pages = NULL;
	area->pages_offset = start_byte;
	iopt_link_area(iopt, area);
	return 0;
}

static void iopt_free_elm_areas(struct io_pagetable *iopt,
				struct iopt_map_elm *elms, size_t num_elms,
				size_t num_linked)
{
	for (size_t i = 0; i != num_elms; i++) {
		if (i < num_linked)
			iopt_unlink_area(iopt, elms[i].area);
		iopt_area_free(iopt, elms[i].area);
		elms[i].area = NULL;
	}
}

static int iopt_pick_iova(struct io_pagetable *iopt, uint64_t length,
			  uint64_t *dst_iova, uint64_t addr, unsigned int flags)
{
	if ((length & (iopt->iova_alignment - 1)) || !length)
		return -EINVAL;
	if (flags & IOPT_ALLOC_IOVA)
		return iopt_alloc_iova(iopt, dst_iova, addr, length);
	return iopt_check_iova(iopt, *dst_iova, length);
}

int iopt_alloc_area_pages(struct io_pagetable *iopt, struct iopt_map_elm *elms,
			  size_t num_elms, uint64_t length, uint64_t *dst_iova,
			  uint64_t addr, int iommu_prot, unsigned int flags)
{
	uint64_t iova;
	size_t i;
	int rc;

	if (!num_elms)
		return -EINVAL;
	for (i = 0; i != num_elms; i++)
		elms[i].area = NULL;
	for (i = 0; i != num_elms; i++) {
		elms[i].area = iopt_area_new(iopt);
		if (!elms[i].area) {
			iopt_free_elm_areas(iopt, elms, num_elms, 0);
			return -ENOMEM;
		}
	}

	rc = iopt_pick_iova(iopt, length, dst_iova, addr, flags);
	if (rc) {
		iopt_free_elm_areas(iopt, elms, num_elms, 0);
		return rc;
	}

	iova = *dst_iova;
	for (i = 0; i != num_elms; i++) {
		rc = iopt_insert_area(iopt, &elms[i], iova, iommu_prot);
		if (rc) {
			iopt_free_elm_areas(iopt, elms, num_elms, i);
			return rc;
		}
		iova += elms[i].length;
	}
	return 0;
}

int iopt_map_area(struct io_pagetable *iopt, uint64_t *iova, uint64_t addr,
		  uint64_t start_byte, uint64_t length, int iommu_prot,
		  unsigned int flags, struct iopt_area **out_area)
{
	struct iopt_map_elm elm = { .start_byte = start_byte, .length = length };
	int rc;

	rc = iopt_alloc_area_pages(iopt, &elm, 1, length, iova, addr,
				   iommu_prot, flags);
	if (!rc)
		*out_area = elm.area;
	return rc;
}

void iopt_abort_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	iopt_unlink_area(iopt, area);
	iopt_area_free(iopt, area);
}

static void iopt_release_area(struct io_pagetable *iopt, struct iopt_area *area,
			      const struct iopt_unmap_ops *ops)
{
	iopt_unlink_area(iopt, area);
	if (ops && ops->release)
		ops->release(iopt, area, ops->arg);
	iopt_area_free(iopt, area);
}

/*
 * The kernel's iopt_unmap_iova_range(). Not all-or-nothing: areas removed
 * before an error stay removed and are reported in *unmapped.
 */
static int iopt_unmap_iova_range(struct io_pagetable *iopt, uint64_t start,
				 uint64_t last, uint64_t *unmapped,
				 const struct iopt_unmap_ops *ops)
{
	uint64_t unmapped_bytes = 0;
	unsigned int tries = 0;
	struct iopt_area *area;
	int rc = 0;

	while ((area = iopt_area_iter_first(iopt, start, last))) {
		uint64_t area_first = iopt_area_iova(area);
		uint64_t area_last = iopt_area_last_iova(area);

		if (!area->pages) {
			rc = -EBUSY;
			break;
		}
		/* Locked by an object that has not been destroyed yet. */
		if (area->num_locks) {
			rc = -EBUSY;
			break;
		}
		if (area_first < start || area_last > last) {
			rc = -ENOENT;
			break;
		}
		if (area_first != start)
			tries = 0;
		if (area->num_accesses) {
			start = area_first;
			area->prevent_access = true;
			if (ops && ops->notify_access)
				ops->notify_access(iopt, area_first,
						   iopt_area_length(area),
						   ops->arg);
			if (++tries > IOPT_ACCESS_NOTIFY_TRIES) {
				rc = -EDEADLOCK;
				break;
			}
			continue;
		}
		iopt_release_area(iopt, area, ops);
		unmapped_bytes += area_last - area_first + 1;
	}
	if (unmapped)
		*unmapped = unmapped_bytes;
	return rc;
}

int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped, const struct iopt_unmap_ops *ops)
{
	uint64_t last;

	if (unmapped)
		*unmapped = 0;
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_iova_range(iopt, iova, last, unmapped, ops);
}

int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped,
		   const struct iopt_unmap_ops *ops)
{
	return iopt_unmap_iova_range(iopt, 0, IOPT_IOVA_MAX, unmapped, ops);
}

static void iopt_fill_half(struct iopt_area *half, const struct iopt_area *area,
			   uint64_t start, uint64_t last)
{
	half->node.start = start;
	half->node.last = last;
	half->pages = area->pages;
	half->pages_offset = iopt_area_start_byte(area, start);
	half->iommu_prot = area->iommu_prot;
}

/* The kernel's iopt_area_split(): iova becomes the last byte of lhs. */
static int iopt_area_split(struct io_pagetable *iopt, struct iopt_area *area,
			   uint64_t iova, iopt_area_split_fn split, void *arg)
{
	uint64_t align_mask = iopt->iova_alignment - 1;
	uint64_t start = iopt_area_iova(area);
	uint64_t last = iopt_area_last_iova(area);
	uint64_t new_start = iova + 1;
	struct iopt_area *lhs, *rhs;
	int rc = 0;

	if (iova == start || iova == last)
		return 0;
	if (!area->pages || area->prevent_access)
		return -EBUSY;
	if ((new_start & align_mask) ||
	    (iopt_area_start_byte(area, new_start) & align_mask))
		return -EINVAL;

	lhs = iopt_area_new(iopt);
	rhs = iopt_area_new(iopt);
	if (!lhs || !rhs) {
		rc = -ENOMEM;
		goto out_free;
	}
	/* Accesses cannot be split: not enough is tracked to divide them. */
	if (area->num_accesses) {
		rc = -EINVAL;
		goto out_free;
	}
	iopt_fill_half(lhs, area, start, iova);
	iopt_fill_half(rhs, area, new_start, last);
	if (split) {
		rc = split(iopt, area, lhs, rhs, arg);
		if (rc)
			goto out_free;
	}

	iopt_unlink_area(iopt, area);
	iopt_link_area(iopt, lhs);
	iopt_link_area(iopt, rhs);
	iopt_area_free(iopt, area);
	return 0;

out_free:
	iopt_area_free(iopt, lhs);
	iopt_area_free(iopt, rhs);
	return rc;
}

/* Stops at the first failure; cuts already made stay. */
int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas, iopt_area_split_fn split, void *arg)
{
	for (size_t i = 0; i != num_iovas; i++) {
		struct iopt_area *area = iopt_area_find(iopt, iovas[i]);
		int rc;

		if (!area)
			continue;
		rc = iopt_area_split(iopt, area, iovas[i], split, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* The kernel's iommufd_ioas_load_iovas() into a private tree. */
static int iopt_load_allowed(struct interval_tree_root *itree,
			     const struct iopt_iova_range *ranges, size_t num)
{
	for (size_t i = 0; i != num; i++) {
		struct iopt_allowed *allowed;

		if (ranges[i].start >= ranges[i].last)
			return -EINVAL;
		if (interval_tree_iter_first(itree, ranges[i].start,
					     ranges[i].last))
			return -EINVAL;
		allowed = calloc(1, sizeof(*allowed));
		if (!allowed)
			return -ENOMEM;
		allowed->node.start = ranges[i].start;
		allowed->node.last = ranges[i].last;
		interval_tree_insert(&allowed->node, itree);
	}
	return 0;
}

static bool iopt_allowed_hits_reserved(struct io_pagetable *iopt,
				       const struct interval_tree_root *itree)
{
	struct interval_tree_node *node;

	for (node = interval_tree_first(itree); node;
	     node = interval_tree_next(node))
		if (iopt_reserved_iter_first(iopt, node->start, node->last))
			return true;
	return false;
}

/* Replaces the allowed set, all-or-nothing. num == 0 clears it. */
int iopt_set_allow_iova(struct io_pagetable *iopt,
			const struct iopt_iova_range *ranges, size_t num)
{
	struct interval_tree_root itree = INTERVAL_TREE_ROOT_INIT;
	struct interval_tree_root old;
	int rc;

	/* The new set is charged in full while the old one still exists. */
	rc = user_mem_charge(iopt->mem, num * IOPT_ALLOWED_CHARGE);
	if (rc)
		return rc;
	rc = iopt_load_allowed(&itree, ranges, num);
	if (!rc && iopt_allowed_hits_reserved(iopt, &itree))
		rc = -EADDRINUSE;
	if (rc) {
		iopt_free_itree(&itree, offsetof(struct iopt_allowed, node));
		user_mem_uncharge(iopt->mem, num * IOPT_ALLOWED_CHARGE);
		return rc;
	}
	old = iopt->allowed_itree;
	iopt->allowed_itree = itree;
	iopt_free_itree(&old, offsetof(struct iopt_allowed, node));
	user_mem_uncharge(iopt->mem, iopt->num_allowed * IOPT_ALLOWED_CHARGE);
	iopt->num_allowed = num;
	return 0;
}

int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      void *owner)
{
	struct iopt_reserved *reserved;

	if (start > last)
		return -EINVAL;
	if (iopt_area_iter_first(iopt, start, last) ||
	    iopt_allowed_iter_first(iopt, start, last))
		return -EADDRINUSE;

	reserved = calloc(1, sizeof(*reserved));
	if (!reserved)
		return -ENOMEM;
	reserved->node.start = start;
	reserved->node.last = last;
	reserved->owner = owner;
	interval_tree_insert(&reserved->node, &iopt->reserved_itree);
	return 0;
}

void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	struct interval_tree_node *node, *next;

	for (node = interval_tree_first(&iopt->reserved_itree); node;
	     node = next) {
		struct iopt_reserved *reserved =
			interval_tree_entry(node, struct iopt_reserved, node);

		next = interval_tree_next(node);
		if (reserved->owner == owner) {
			interval_tree_remove(node, &iopt->reserved_itree);
			free(reserved);
		}
	}
}

size_t iopt_get_iova_ranges(const struct io_pagetable *iopt,
			    struct iopt_iova_range *ranges, size_t max)
{
	struct interval_tree_span_iter span;
	size_t num = 0;

	interval_tree_for_each_span(&span, &iopt->reserved_itree, 0,
				    IOPT_IOVA_MAX) {
		if (!span.is_hole)
			continue;
		if (num < max) {
			ranges[num].start = span.start;
			ranges[num].last = span.last;
		}
		num++;
	}
	return num;
}

struct iopt_area *iopt_area_contig_init(struct iopt_area_contig_iter *iter,
					struct io_pagetable *iopt,
					uint64_t iova, uint64_t last_iova)
{
	iter->cur_iova = iova;
	iter->last_iova = last_iova;
	iter->area = iopt_area_find(iopt, iova);
	if (iter->area && !iter->area->pages)
		iter->area = NULL;
	return iter->area;
}

struct iopt_area *iopt_area_contig_next(struct iopt_area_contig_iter *iter)
{
	uint64_t last_iova;

	if (!iter->area)
		return NULL;
	last_iova = iopt_area_last_iova(iter->area);
	if (iter->last_iova <= last_iova)
		return NULL;

	iter->cur_iova = last_iova + 1;
	iter->area = iopt_area_iter_next(iter->area, iter->cur_iova,
					 iter->last_iova);
	if (iter->area && (iter->cur_iova != iopt_area_iova(iter->area) ||
			   !iter->area->pages))
		iter->area = NULL;
	return iter->area;
}

/* -EADDRINUSE when an area could not live under new_iova_alignment. */
int iopt_check_iova_alignment(struct io_pagetable *iopt,
			      uint64_t new_iova_alignment)
{
	uint64_t mask = new_iova_alignment - 1;
	struct iopt_area *area;

	for (area = iopt_area_iter_first(iopt, 0, IOPT_IOVA_MAX); area;
	     area = iopt_area_iter_next(area, 0, IOPT_IOVA_MAX))
		if ((iopt_area_iova(area) & mask) ||
		    (iopt_area_length(area) & mask) ||
		    (iopt_area_page_offset(area) & mask))
			return -EADDRINUSE;
	return 0;
}

/*
 * The alignment part of the kernel's iopt_table_add_domain(): the domain's
 * smallest page size must not exceed PAGE_SIZE (-EINVAL) and existing areas
 * must fit the new alignment (-EADDRINUSE). Nothing changes here; once the
 * domain is fully attached the caller stores *new_iova_alignment into
 * iopt->iova_alignment.
 */
int iopt_table_add_domain_alignment(struct io_pagetable *iopt,
				    uint64_t pgsize_bitmap,
				    uint64_t *new_iova_alignment)
{
	uint64_t new_alignment;
	int rc;

	if (!pgsize_bitmap)
		return -EINVAL;
	new_alignment = iopt_max(iopt_lowest_bit(pgsize_bitmap),
				 iopt->iova_alignment);
	if (new_alignment > IOPT_PAGE_SIZE)
		return -EINVAL;
	if (new_alignment != iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, new_alignment);
		if (rc)
			return rc;
	}
	*new_iova_alignment = new_alignment;
	return 0;
}

/*
 * The kernel's iopt_calculate_iova_alignment(). required_alignment is the
 * largest of the attached domains' smallest page sizes and the accesses'
 * alignments, 1 when there are none. Lowering never fails.
 */
int iopt_calculate_iova_alignment(struct io_pagetable *iopt,
				  uint64_t required_alignment)
{
	uint64_t new_alignment = iopt->disable_large_pages ? IOPT_PAGE_SIZE : 1;
	int rc;

	new_alignment = iopt_max(new_alignment, required_alignment);
	if (new_alignment > iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, new_alignment);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = new_alignment;
	return 0;
}

int iopt_disable_large_pages(struct io_pagetable *iopt, bool has_domains,
			     uint64_t required_alignment)
{
	int rc;

	if (iopt->disable_large_pages)
		return 0;
	/* Domains may already hold large IOPTEs for existing areas. */
	if (has_domains && !interval_tree_empty(&iopt->area_itree))
		return -EINVAL;

	iopt->disable_large_pages = true;
	rc = iopt_calculate_iova_alignment(iopt, required_alignment);
	if (rc)
		iopt->disable_large_pages = false;
	return rc;
}

void iopt_enable_large_pages(struct io_pagetable *iopt,
			     uint64_t required_alignment)
{
	iopt->disable_large_pages = false;
	(void)iopt_calculate_iova_alignment(iopt, required_alignment);
}
