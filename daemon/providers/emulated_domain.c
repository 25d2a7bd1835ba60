// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated backend: a domain whose "page table" is an interval tree of
 * IOVA ranges, each pointing at the pinned pages it maps.  Devices emulated
 * by the daemon (and the self-test interface's mock domain) translate an
 * IOVA by looking it up here and reading the pages through the daemon's
 * view of them.  Mappings are kept per range, not per page: a range splits
 * only when a part of it is unmapped.
 *
 * Each range also records the leaf size a page table would have used for
 * it (domain->leaf_pgsizes: the largest size the IOVA and the memory's
 * address are both aligned to), because dirty tracking is per leaf: the
 * dirty set is a second interval tree holding one node per dirty leaf.
 * The memory's address is its user VA or file offset, which is as aligned
 * as its physical address for the memory that can back a huge leaf
 * (hugetlbfs); for other memory the model assumes contiguity the kernel
 * would only find by chance.
 */
#include <errno.h>
#include <stdlib.h>

#include "providers/domain.h"
#include "core/interval_tree.h"
#include "core/io_pagetable.h"
#include "core/pages.h"

struct emulated_map {
	struct interval_tree_node node;
	struct iopt_pages *pages;
	uint64_t start_byte;
	uint64_t leaf; /* node.start is aligned to it */
	int iommu_prot;
};

struct emulated_dirty {
	struct interval_tree_node node; /* one whole leaf */
};

struct emulated_domain {
	struct iommufd_domain domain;
	struct interval_tree_root itree;
	size_t nr;
	struct interval_tree_root dirty;
};

static struct emulated_domain *to_emulated(struct iommufd_domain *domain)
{
	return (struct emulated_domain *)domain;
}

static int emulated_insert(struct emulated_domain *ed, uint64_t start,
			   uint64_t last, struct iopt_pages *pages,
			   uint64_t start_byte, uint64_t leaf, int iommu_prot)
{
	struct emulated_map *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->node.start = start;
	m->node.last = last;
	m->pages = pages;
	m->start_byte = start_byte;
	m->leaf = leaf;
	m->iommu_prot = iommu_prot;
	interval_tree_insert(&m->node, &ed->itree);
	ed->nr++;
	return 0;
}

static void emulated_forget_dirty(struct emulated_domain *ed, uint64_t start,
				  uint64_t last)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(&ed->dirty, start, last))) {
		interval_tree_remove(node, &ed->dirty);
		free(interval_tree_entry(node, struct emulated_dirty, node));
	}
}

static uint64_t emulated_leaf_sizes(const struct iommufd_domain *domain)
{
	uint64_t lowest = domain->pgsize_bitmap & -domain->pgsize_bitmap;
	uint64_t sizes = domain->leaf_pgsizes ? domain->leaf_pgsizes : lowest;

	if (domain->no_large_pages && *domain->no_large_pages) {
		sizes &= (IOPT_PAGE_SIZE << 1) - 1;
		if (!sizes)
			sizes = lowest;
	}
	return sizes;
}

/* The largest leaf for [iova, iova + len) whose address is addr. */
static uint64_t emulated_pick_leaf(uint64_t sizes, uint64_t iova,
				   uint64_t addr, uint64_t len)
{
	uint64_t best = sizes & -sizes;

	for (uint64_t s = sizes; s; s &= s - 1) {
		uint64_t sz = s & -s;

		if (iova % sz == 0 && addr % sz == 0 && len >= sz && sz > best)
			best = sz;
	}
	return best;
}

/*
 * The range is cut where the leaf size changes (an unaligned head or tail
 * around huge leaves), so every record has one leaf size.
 */
static int emulated_map(struct iommufd_domain *domain, uint64_t iova,
			struct iopt_pages *pages, uint64_t start_byte,
			uint64_t length, int iommu_prot)
{
	struct emulated_domain *ed = to_emulated(domain);
	uint64_t sizes = emulated_leaf_sizes(domain);
	uint64_t done = 0, run_start = 0, run_leaf = 0;
	uint64_t addr = iopt_pages_addr_hint(pages, start_byte);
	int rc;

	if (interval_tree_iter_first(&ed->itree, iova, iova + length - 1))
		return -EEXIST;
	/*
	 * IOVA and address advance together, so a size they are not
	 * congruent modulo can never be used in this range.
	 */
	for (uint64_t s = sizes; s; s &= s - 1)
		if ((iova - addr) % (s & -s) && (s & -s) != (sizes & -sizes))
			sizes &= ~(s & -s);
	while (done < length) {
		uint64_t leaf = emulated_pick_leaf(sizes, iova + done,
						   addr + done, length - done);
		uint64_t bigger = sizes & ~((leaf << 1) - 1), step = leaf;

		if (leaf > length - done)
			leaf = step = length - done;
		else if (bigger) {
			/* Small leaves up to where the next size fits. */
			uint64_t b = bigger & -bigger;
			uint64_t to = b - (iova + done) % b;

			step = to < length - done ? to : length - done;
			step -= step % leaf;
			if (!step)
				step = leaf;
		} else {
			step = (length - done) - (length - done) % leaf;
		}
		if (done && leaf != run_leaf) {
			rc = emulated_insert(ed, iova + run_start,
					     iova + done - 1, pages,
					     start_byte + run_start, run_leaf,
					     iommu_prot);
			if (rc)
				goto err;
			run_start = done;
		}
		run_leaf = leaf;
		done += step;
	}
	rc = emulated_insert(ed, iova + run_start, iova + length - 1, pages,
			     start_byte + run_start, run_leaf, iommu_prot);
	if (!rc)
		return 0;
err:
	if (run_start)
		domain->ops->unmap(domain, iova, run_start);
	return rc;
}

/*
 * Remnants of a partly unmapped range are inserted before the range is
 * freed, so a failed allocation leaves the old range whole (and mapped).
 */
static void emulated_unmap(struct iommufd_domain *domain, uint64_t iova,
			   uint64_t length)
{
	struct emulated_domain *ed = to_emulated(domain);
	uint64_t last = iova + length - 1;
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(&ed->itree, iova, last))) {
		struct emulated_map *m =
			interval_tree_entry(node, struct emulated_map, node);
		struct emulated_map keep = *m;

		interval_tree_remove(node, &ed->itree);
		ed->nr--;
		free(m);
		if (keep.node.start < iova)
			(void)emulated_insert(ed, keep.node.start, iova - 1,
					      keep.pages, keep.start_byte,
					      keep.leaf, keep.iommu_prot);
		if (keep.node.last > last)
			(void)emulated_insert(ed, last + 1, keep.node.last,
					      keep.pages,
					      keep.start_byte +
						      (last + 1 - keep.node.start),
					      keep.leaf, keep.iommu_prot);
	}
	emulated_forget_dirty(ed, iova, last);
}

static void emulated_free(struct iommufd_domain *domain)
{
	struct emulated_domain *ed = to_emulated(domain);
	struct interval_tree_node *node;

	while ((node = ed->itree.node)) {
		interval_tree_remove(node, &ed->itree);
		free(interval_tree_entry(node, struct emulated_map, node));
	}
	emulated_forget_dirty(ed, 0, UINT64_MAX);
	free(ed);
}

static const struct backend_ops emulated_ops = {
	.name = "emulated",
	.map = emulated_map,
	.unmap = emulated_unmap,
	.free = emulated_free,
};

struct iommufd_domain *emulated_domain_alloc(uint64_t pgsize_bitmap,
					     uint64_t aperture_start,
					     uint64_t aperture_end)
{
	struct emulated_domain *ed = calloc(1, sizeof(*ed));

	if (!ed)
		return NULL;
	ed->domain = (struct iommufd_domain){
		.ops = &emulated_ops,
		.pgsize_bitmap = pgsize_bitmap,
		.aperture_start = aperture_start,
		.aperture_end = aperture_end,
		.enforce_cache_coherency = true,
		.priv = ed,
	};
	ed->itree = INTERVAL_TREE_ROOT_INIT;
	ed->dirty = INTERVAL_TREE_ROOT_INIT;
	return &ed->domain;
}

bool emulated_domain_lookup(struct iommufd_domain *domain, uint64_t iova,
			    struct iopt_pages **pages, uint64_t *start_byte,
			    uint64_t *contig)
{
	struct interval_tree_node *node;
	struct emulated_map *m;

	if (domain->ops != &emulated_ops)
		return false;
	node = interval_tree_iter_first(&to_emulated(domain)->itree, iova, iova);
	if (!node)
		return false;
	m = interval_tree_entry(node, struct emulated_map, node);
	*pages = m->pages;
	*start_byte = m->start_byte + (iova - m->node.start);
	*contig = m->node.last - iova + 1;
	return true;
}

int emulated_domain_prot(struct iommufd_domain *domain, uint64_t iova)
{
	struct interval_tree_node *node;

	if (domain->ops != &emulated_ops)
		return -1;
	node = interval_tree_iter_first(&to_emulated(domain)->itree, iova, iova);
	return node ? interval_tree_entry(node, struct emulated_map, node)->iommu_prot :
		      -1;
}

size_t emulated_domain_nr_mappings(struct iommufd_domain *domain)
{
	return domain->ops == &emulated_ops ? to_emulated(domain)->nr : 0;
}

static struct emulated_map *emulated_find(struct iommufd_domain *domain,
					  uint64_t iova)
{
	struct interval_tree_node *node;

	if (domain->ops != &emulated_ops)
		return NULL;
	node = interval_tree_iter_first(&to_emulated(domain)->itree, iova, iova);
	return node ? interval_tree_entry(node, struct emulated_map, node) :
		      NULL;
}

uint64_t emulated_domain_leaf_size(struct iommufd_domain *domain,
				   uint64_t iova)
{
	struct emulated_map *m = emulated_find(domain, iova);

	return m ? m->leaf : 0;
}

bool emulated_domain_set_dirty(struct iommufd_domain *domain, uint64_t iova)
{
	struct emulated_map *m = emulated_find(domain, iova);
	struct emulated_domain *ed;
	struct emulated_dirty *d;
	uint64_t start;

	if (!m)
		return false;
	ed = to_emulated(domain);
	start = m->node.start + (iova - m->node.start) / m->leaf * m->leaf;
	if (interval_tree_iter_first(&ed->dirty, start, start))
		return true;
	d = calloc(1, sizeof(*d));
	/* A page table sets its bit in place; out of memory loses the mark. */
	if (!d)
		return true;
	d->node.start = start;
	d->node.last = start + m->leaf - 1;
	if (d->node.last > m->node.last)
		d->node.last = m->node.last;
	interval_tree_insert(&d->node, &ed->dirty);
	return true;
}

int emulated_domain_read_and_clear_dirty(
	struct iommufd_domain *domain, uint64_t iova, uint64_t length,
	bool no_clear, int (*report)(void *arg, uint64_t iova, uint64_t len),
	void *arg)
{
	struct emulated_domain *ed;
	struct interval_tree_node *node, *next;
	uint64_t last = iova + length - 1;
	int rc;

	if (domain->ops != &emulated_ops || !length)
		return 0;
	ed = to_emulated(domain);
	for (node = interval_tree_iter_first(&ed->dirty, iova, last); node;
	     node = next) {
		next = interval_tree_iter_next(node, iova, last);
		rc = report(arg, node->start, node->last - node->start + 1);
		if (rc)
			return rc;
		if (!no_clear) {
			interval_tree_remove(node, &ed->dirty);
			free(interval_tree_entry(node, struct emulated_dirty,
						 node));
		}
	}
	return 0;
}
