// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated backend: a domain whose "page table" is an interval tree of
 * IOVA ranges, each pointing at the pinned pages it maps.  Devices emulated
 * by the daemon (and the self-test interface's mock domain) translate an
 * IOVA by looking it up here and reading the pages through the daemon's
 * view of them.  Mappings are kept per range, not per page: a range splits
 * only when a part of it is unmapped.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend/backend.h"
#include "objects/interval_tree.h"

struct emulated_map {
	struct interval_tree_node node;
	struct iopt_pages *pages;
	uint64_t start_byte;
	int iommu_prot;
};

struct emulated_domain {
	struct iommufd_domain domain;
	struct interval_tree_root itree;
	size_t nr;
};

static struct emulated_domain *to_emulated(struct iommufd_domain *domain)
{
	return (struct emulated_domain *)domain;
}

static int emulated_insert(struct emulated_domain *ed, uint64_t start,
			   uint64_t last, struct iopt_pages *pages,
			   uint64_t start_byte, int iommu_prot)
{
	struct emulated_map *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->node.start = start;
	m->node.last = last;
	m->pages = pages;
	m->start_byte = start_byte;
	m->iommu_prot = iommu_prot;
	interval_tree_insert(&m->node, &ed->itree);
	ed->nr++;
	return 0;
}

static int emulated_map(struct iommufd_domain *domain, uint64_t iova,
			struct iopt_pages *pages, uint64_t start_byte,
			uint64_t length, int iommu_prot)
{
	struct emulated_domain *ed = to_emulated(domain);

	if (interval_tree_iter_first(&ed->itree, iova, iova + length - 1))
		return -EEXIST;
	return emulated_insert(ed, iova, iova + length - 1, pages, start_byte,
			       iommu_prot);
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
					      keep.iommu_prot);
		if (keep.node.last > last)
			(void)emulated_insert(ed, last + 1, keep.node.last,
					      keep.pages,
					      keep.start_byte +
						      (last + 1 - keep.node.start),
					      keep.iommu_prot);
	}
}

static void emulated_free(struct iommufd_domain *domain)
{
	struct emulated_domain *ed = to_emulated(domain);
	struct interval_tree_node *node;

	while ((node = ed->itree.node)) {
		interval_tree_remove(node, &ed->itree);
		free(interval_tree_entry(node, struct emulated_map, node));
	}
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

size_t emulated_domain_nr_mappings(struct iommufd_domain *domain)
{
	return domain->ops == &emulated_ops ? to_emulated(domain)->nr : 0;
}
