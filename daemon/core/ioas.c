// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS ioctls; each handler mirrors the kernel function of the same name in
 * drivers/iommu/iommufd/ioas.c: validate, look the object up, let the
 * io_pagetable do the work, respond.
 */
#include "core/ioas.h"

#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>

#include "providers/domain.h"
#include "core/access.h"
#include "core/pages.h"
#include "uiommufd/abi.h"

/*
 * ---- mapping: areas, domains and pins --------------------------------
 *
 * An area is linked unpublished (pages == NULL) to claim its IOVA, then
 * filled into every attached domain (which pins its pages), and only then
 * published.  Every step that can fail happens before publication, so a
 * failed map leaves no area, no pin and no charge behind.  The same order
 * runs the other way on unmap: unmap from the domains, unpin, drop the
 * pages reference.
 */

uint64_t iommufd_ioas_required_alignment(struct iommufd_ioas *ioas)
{
	uint64_t align = iommufd_access_ioas_alignment(ioas);

	for (unsigned int i = 0; i != ioas->num_domains; i++) {
		uint64_t pgsize = ioas->domains[i]->pgsize_bitmap;
		uint64_t low = pgsize & -pgsize;

		if (low > align)
			align = low;
	}
	return align;
}

static void iommufd_area_unfill_domain(struct iopt_area *area,
				       struct iopt_pages *pages,
				       struct iommufd_domain *domain)
{
	/* A revoked dma-buf left every domain already (iopt_area_unfill_domain). */
	if (pages->revoked)
		return;
	domain->ops->unmap(domain, iopt_area_iova(area), iopt_area_length(area));
	iopt_pages_unpin(pages);
}

static int iommufd_area_fill_domain(struct iopt_area *area,
				    struct iopt_pages *pages,
				    struct iommufd_domain *domain)
{
	int rc;

	/* iopt_area_fill_domain(): a revoked dma-buf maps nothing. */
	if (pages->revoked)
		return 0;
	rc = iopt_pages_pin(pages, domain->needs_phys);
	if (rc)
		return rc;
	rc = domain->ops->map(domain, iopt_area_iova(area), pages,
			      area->pages_offset, iopt_area_length(area),
			      area->iommu_prot);
	if (rc)
		iopt_pages_unpin(pages);
	return rc;
}

/* The kernel's iopt_area_fill_domains(): all domains or none. */
static int iommufd_area_fill_domains(struct iommufd_ioas *ioas,
				     struct iopt_area *area,
				     struct iopt_pages *pages)
{
	unsigned int i;
	int rc;

	for (i = 0; i != ioas->num_domains; i++) {
		rc = iommufd_area_fill_domain(area, pages, ioas->domains[i]);
		if (rc)
			goto err_unfill;
	}
	return 0;
err_unfill:
	while (i--)
		iommufd_area_unfill_domain(area, pages, ioas->domains[i]);
	return rc;
}

static void iommufd_area_unfill_domains(struct iommufd_ioas *ioas,
					struct iopt_area *area,
					struct iopt_pages *pages)
{
	for (unsigned int i = ioas->num_domains; i--;)
		iommufd_area_unfill_domain(area, pages, ioas->domains[i]);
}

static void iommufd_ioas_release_area(struct io_pagetable *iopt,
				      struct iopt_area *area, void *arg)
{
	struct iommufd_ioas *ioas = arg;
	struct iopt_pages *pages = area->pages;

	if (!pages)
		return;
	iommufd_area_unfill_domains(ioas, area, pages);
	area->pages = NULL;
	iopt_put_pages(pages);
}

static struct iopt_unmap_ops iommufd_ioas_unmap_ops(struct iommufd_ioas *ioas)
{
	return (struct iopt_unmap_ops){
		.release = iommufd_ioas_release_area,
		.notify_access = iommufd_access_notify_unmap,
		.arg = ioas,
	};
}

/* One slice of pages to map, as the kernel's struct iopt_pages_list. */
struct iommufd_pages_elm {
	struct iopt_pages *pages; /* a reference, moved into the area */
	uint64_t start_byte;
	uint64_t length;
};

/*
 * The kernel's iopt_map_pages(): claim IOVA for every slice, back to back,
 * fill the domains, publish.  The pages references move into the areas on
 * success and stay with the caller on failure.
 */
static int iommufd_ioas_map_pages(struct iommufd_ioas *ioas,
				  struct iommufd_pages_elm *elms, size_t num,
				  uint64_t length, uint64_t *dst_iova,
				  int iommu_prot, unsigned int flags)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct iopt_map_elm stack_elms[4], *map_elms = stack_elms;
	size_t i, filled = 0;
	int rc;

	if (num > ARRAY_SIZE(stack_elms)) {
		map_elms = calloc(num, sizeof(*map_elms));
		if (!map_elms)
			return -ENOMEM;
	}
	for (i = 0; i != num; i++)
		map_elms[i] = (struct iopt_map_elm){
			.start_byte = elms[i].start_byte,
			.length = elms[i].length,
		};
	rc = iopt_alloc_area_pages(iopt, map_elms, num, length, dst_iova,
				   iopt_pages_addr_hint(elms[0].pages,
							elms[0].start_byte),
				   iommu_prot, flags);
	if (rc)
		goto out_free;

	/* iopt_insert_area(): a read-only source cannot become writable. */
	for (i = 0; i != num; i++)
		if ((iommu_prot & IOMMU_WRITE) && !elms[i].pages->writable) {
			rc = -EPERM;
			goto out_abort;
		}
	for (filled = 0; filled != num; filled++) {
		rc = iommufd_area_fill_domains(ioas, map_elms[filled].area,
					       elms[filled].pages);
		if (rc)
			goto out_abort;
	}
	for (i = 0; i != num; i++) {
		map_elms[i].area->pages = elms[i].pages;
		elms[i].pages = NULL;
	}
	goto out_free;

out_abort:
	for (i = 0; i != num; i++) {
		if (i < filled)
			iommufd_area_unfill_domains(ioas, map_elms[i].area,
						    elms[i].pages);
		iopt_abort_area(iopt, map_elms[i].area);
	}
out_free:
	if (map_elms != stack_elms)
		free(map_elms);
	return rc;
}

/* The kernel's iopt_map_common(): one source, one area. */
static int iommufd_ioas_map_common(struct iommufd_ctx *ictx,
				   struct iommufd_ioas *ioas,
				   struct iopt_pages *pages, uint64_t *iova,
				   uint64_t length, uint64_t start_byte,
				   int iommu_prot, unsigned int flags)
{
	struct iommufd_pages_elm elm = {
		.pages = pages, .start_byte = start_byte, .length = length,
	};
	int rc;

	if (ictx->account_mode == IOPT_PAGES_ACCOUNT_MM &&
	    pages->account_mode == IOPT_PAGES_ACCOUNT_USER)
		pages->account_mode = IOPT_PAGES_ACCOUNT_MM;
	rc = iommufd_ioas_map_pages(ioas, &elm, 1, length, iova, iommu_prot,
				    flags);
	if (elm.pages)
		iopt_put_pages(elm.pages);
	return rc;
}

int iommufd_ioas_map_user(struct iommufd_ucmd *ucmd, struct iommufd_ioas *ioas,
			  uint64_t *iova, uint64_t uva, uint64_t length,
			  int iommu_prot, unsigned int flags)
{
	struct iopt_pages *pages;
	int rc = 0;

	pages = iopt_alloc_user_pages(ucmd, uva, length,
				      iommu_prot & IOMMU_WRITE, &rc);
	if (!pages)
		return rc;
	return iommufd_ioas_map_common(ucmd->ictx, ioas, pages, iova, length,
				       iopt_pages_first_byte(pages), iommu_prot,
				       flags);
}

int iommufd_ioas_unmap_iova(struct iommufd_ioas *ioas, uint64_t iova,
			    uint64_t length, uint64_t *unmapped)
{
	struct iopt_unmap_ops ops = iommufd_ioas_unmap_ops(ioas);

	return iopt_unmap_iova(&ioas->iopt, iova, length, unmapped, &ops);
}

int iommufd_ioas_unmap_all(struct iommufd_ioas *ioas, uint64_t *unmapped)
{
	struct iopt_unmap_ops ops = iommufd_ioas_unmap_ops(ioas);

	return iopt_unmap_all(&ioas->iopt, unmapped, &ops);
}

/*
 * Both halves of a cut area map the same pages and stay filled in every
 * domain, so each holds its own pages reference and its own pin per domain.
 */
static int iommufd_ioas_split(struct io_pagetable *iopt,
			      const struct iopt_area *area,
			      struct iopt_area *lhs, struct iopt_area *rhs,
			      void *arg)
{
	struct iommufd_ioas *ioas = arg;
	struct iopt_pages *pages = area->pages;
	unsigned int i;
	int rc;

	/* iopt_area_split(): the kernel does not track dma-buf halves. */
	if (pages->type == IOPT_ADDRESS_DMABUF)
		return -EOPNOTSUPP;
	for (i = 0; i != ioas->num_domains; i++) {
		rc = iopt_pages_pin(pages, ioas->domains[i]->needs_phys);
		if (rc) {
			while (i--)
				iopt_pages_unpin(pages);
			return rc;
		}
	}
	iopt_get_pages_ref(pages);
	return 0;
}

/*
 * Calls fn on every published area of every IOAS of the context, in ID then
 * IOVA order.  A non-zero return stops the walk and is passed on.
 */
static int iommufd_ctx_for_each_area(struct iommufd_ctx *ictx,
				     int (*fn)(struct iommufd_ioas *ioas,
					       struct iopt_area *area, void *arg),
				     void *arg)
{
	for (uint32_t id = id_table_next(&ictx->objects, 1); id;
	     id = id_table_next(&ictx->objects, id + 1)) {
		struct iommufd_ioas *ioas = iommufd_get_ioas(ictx, id);
		struct iopt_area *area;

		if (!ioas)
			continue;
		for (area = iopt_area_iter_first(&ioas->iopt, 0, IOPT_IOVA_MAX);
		     area; area = iopt_area_iter_next(area, 0, IOPT_IOVA_MAX)) {
			int rc = area->pages ? fn(ioas, area, arg) : 0;

			if (rc)
				return rc;
		}
	}
	return 0;
}

static bool iommufd_area_of_live_dmabuf(const struct iopt_area *area,
					const struct iommufd_dmabuf *dmabuf)
{
	const struct iopt_pages *pages = area->pages;

	return iopt_pages_dmabuf(pages) == dmabuf && !pages->revoked;
}

static int iommufd_revoke_unfill(struct iommufd_ioas *ioas,
				 struct iopt_area *area, void *dmabuf)
{
	if (iommufd_area_of_live_dmabuf(area, dmabuf))
		iommufd_area_unfill_domains(ioas, area, area->pages);
	return 0;
}

static int iommufd_revoke_mark(struct iommufd_ioas *ioas,
			       struct iopt_area *area, void *dmabuf)
{
	(void)ioas;
	if (iommufd_area_of_live_dmabuf(area, dmabuf))
		((struct iopt_pages *)area->pages)->revoked = true;
	return 0;
}

/*
 * The kernel's iopt_revoke_notify() for every live pages object of dmabuf
 * in the context: each of their areas leaves every domain of its IOAS (and
 * the pins go), then the pages are marked revoked so that later attaches,
 * detaches and unmaps pass them over.  Areas made by COPY share the pages,
 * so every area is unfilled before any pages object is marked.
 */
void iommufd_ctx_revoke_dmabuf(struct iommufd_ctx *ictx,
			       const struct iommufd_dmabuf *dmabuf)
{
	iommufd_ctx_for_each_area(ictx, iommufd_revoke_unfill, (void *)dmabuf);
	iommufd_ctx_for_each_area(ictx, iommufd_revoke_mark, (void *)dmabuf);
}

int iommufd_ioas_cut_iova(struct iommufd_ioas *ioas, const uint64_t *iovas,
			  size_t num_iovas)
{
	return iopt_cut_iova(&ioas->iopt, iovas, num_iovas, iommufd_ioas_split,
			     ioas);
}

int iommufd_ioas_disable_large_pages(struct iommufd_ioas *ioas)
{
	return iopt_disable_large_pages(&ioas->iopt, ioas->num_domains != 0,
					iommufd_ioas_required_alignment(ioas));
}

uint64_t iommufd_ioas_pgsize_bitmap(struct iommufd_ioas *ioas)
{
	uint64_t pgsize_bitmap = UINT64_MAX;

	for (unsigned int i = 0; i != ioas->num_domains; i++)
		pgsize_bitmap &= ioas->domains[i]->pgsize_bitmap;
	/* vfio_update_pgsize_bitmap(): nothing below the CPU page size. */
	if (pgsize_bitmap & (IOPT_PAGE_SIZE - 1)) {
		pgsize_bitmap &= ~(IOPT_PAGE_SIZE - 1);
		pgsize_bitmap |= IOPT_PAGE_SIZE;
	}
	if (pgsize_bitmap < ioas->iopt.iova_alignment)
		pgsize_bitmap = ioas->iopt.iova_alignment;
	return pgsize_bitmap;
}

bool iommufd_ioas_enforce_cache_coherency(struct iommufd_ioas *ioas)
{
	for (unsigned int i = 0; i != ioas->num_domains; i++)
		if (!ioas->domains[i]->enforce_cache_coherency)
			return false;
	return true;
}

int iommufd_ioas_add_domain(struct iommufd_ioas *ioas,
			    struct iommufd_domain *domain)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct iommufd_domain **domains;
	uint64_t new_alignment;
	struct iopt_area *area, *done;
	int rc;

	rc = iopt_table_add_domain_alignment(iopt, domain->pgsize_bitmap,
					     &new_alignment);
	if (rc)
		return rc;
	/* No area may exist outside the domain's aperture. */
	if (domain->aperture_start != 0) {
		rc = iopt_reserve_iova(iopt, 0, domain->aperture_start - 1,
				       domain);
		if (rc)
			goto out_reserved;
	}
	if (domain->aperture_end != IOPT_IOVA_MAX) {
		rc = iopt_reserve_iova(iopt, domain->aperture_end + 1,
				       IOPT_IOVA_MAX, domain);
		if (rc)
			goto out_reserved;
	}
	for (unsigned int i = 0; i < domain->nr_holes; i++) {
		rc = iopt_reserve_iova(iopt, domain->holes[i].start,
				       domain->holes[i].last, domain);
		if (rc)
			goto out_reserved;
	}
	domains = realloc(ioas->domains,
			  (ioas->num_domains + 1) * sizeof(*domains));
	if (!domains) {
		rc = -ENOMEM;
		goto out_reserved;
	}
	ioas->domains = domains;

	/* The kernel's iopt_fill_domain(): pin and map every area. */
	for (area = iopt_area_iter_first(iopt, 0, IOPT_IOVA_MAX); area;
	     area = iopt_area_iter_next(area, 0, IOPT_IOVA_MAX)) {
		if (!area->pages)
			continue;
		rc = iommufd_area_fill_domain(area, area->pages, domain);
		if (rc)
			goto out_unfill;
	}
	ioas->domains[ioas->num_domains++] = domain;
	iopt->iova_alignment = new_alignment;
	return 0;

out_unfill:
	for (done = iopt_area_iter_first(iopt, 0, IOPT_IOVA_MAX); done != area;
	     done = iopt_area_iter_next(done, 0, IOPT_IOVA_MAX))
		if (done->pages)
			iommufd_area_unfill_domain(done, done->pages, domain);
out_reserved:
	iopt_remove_reserved_iova(iopt, domain);
	return rc;
}

void iommufd_ioas_remove_domain(struct iommufd_ioas *ioas,
				struct iommufd_domain *domain)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct iopt_area *area;
	unsigned int i;

	for (i = 0; i != ioas->num_domains; i++)
		if (ioas->domains[i] == domain)
			break;
	if (i == ioas->num_domains)
		return;
	ioas->num_domains--;
	for (; i != ioas->num_domains; i++)
		ioas->domains[i] = ioas->domains[i + 1];

	for (area = iopt_area_iter_first(iopt, 0, IOPT_IOVA_MAX); area;
	     area = iopt_area_iter_next(area, 0, IOPT_IOVA_MAX))
		if (area->pages)
			iommufd_area_unfill_domain(area, area->pages, domain);
	iopt_remove_reserved_iova(iopt, domain);
	/* Lowering the alignment cannot fail. */
	(void)iopt_calculate_iova_alignment(iopt,
					    iommufd_ioas_required_alignment(ioas));
}

/* ---- the ioctls -------------------------------------------------------- */

#define IOMMUFD_MAP_FLAGS                                        \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
	 IOMMU_IOAS_MAP_READABLE)

/*
 * conv_iommu_prot(): IOMMU_CACHE always, since no cache maintenance ioctl
 * is offered and attach insists on coherent DMA.
 */
static int conv_iommu_prot(uint32_t map_flags)
{
	int iommu_prot = IOMMU_CACHE;

	if (map_flags & IOMMU_IOAS_MAP_WRITEABLE)
		iommu_prot |= IOMMU_WRITE;
	if (map_flags & IOMMU_IOAS_MAP_READABLE)
		iommu_prot |= IOMMU_READ;
	return iommu_prot;
}

/* The checks IOAS_MAP and IOAS_MAP_FILE share, in the kernel's order. */
static int iommufd_ioas_map_check(struct iommufd_ucmd *ucmd, uint32_t flags,
				  uint64_t iova, uint64_t length,
				  uint32_t ioas_id, struct iommufd_ioas **ioas)
{
	if (flags & ~IOMMUFD_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (iova >= UINT64_MAX || length >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	*ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	return *ioas ? 0 : -ENOENT;
}

/* Mirrors iommufd_ioas_map(). */
int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = iommufd_ioas_map_check(ucmd, cmd->flags, cmd->iova, cmd->length,
				    cmd->ioas_id, &ioas);
	if (rc)
		return rc;
	rc = iommufd_ioas_map_user(ucmd, ioas, &iova, cmd->user_va,
				   cmd->length, conv_iommu_prot(cmd->flags),
				   (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) ?
					   0 : IOPT_ALLOC_IOVA);
	if (rc)
		return rc;
	cmd->iova = iova;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Mirrors iommufd_ioas_map_file() and iopt_map_file_pages(). */
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	struct iopt_pages *pages;
	uint64_t iova = cmd->iova, last;
	int rc;

	rc = iommufd_ioas_map_check(ucmd, cmd->flags, cmd->iova, cmd->length,
				    cmd->ioas_id, &ioas);
	if (rc)
		return rc;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->start, cmd->length - 1, &last))
		return -EOVERFLOW;
	pages = iopt_alloc_file_pages(ucmd, cmd->fd, cmd->start, cmd->length,
				      conv_iommu_prot(cmd->flags) & IOMMU_WRITE,
				      &rc);
	if (!pages)
		return rc;
	rc = iommufd_ioas_map_common(ucmd->ictx, ioas, pages, &iova,
				     cmd->length, iopt_pages_first_byte(pages),
				     conv_iommu_prot(cmd->flags),
				     (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) ?
					     0 : IOPT_ALLOC_IOVA);
	if (rc)
		return rc;
	cmd->iova = iova;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* A limit on what one COPY may gather: the kernel's list is unbounded. */
#define IOMMUFD_COPY_MAX_AREAS (1u << 20)

/*
 * The kernel's iopt_get_pages(): the source range must be covered by
 * published areas without a gap (-ENOENT), and each slice takes a
 * reference on the pages it shares.
 */
static int iommufd_ioas_get_pages(struct io_pagetable *iopt, uint64_t iova,
				  uint64_t length,
				  struct iommufd_pages_elm **out, size_t *num)
{
	struct iommufd_pages_elm *elms = NULL;
	struct iopt_area_contig_iter iter;
	struct iopt_area *area;
	uint64_t last_iova;
	size_t n = 0, cap = 0;
	int rc;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;
	iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
		uint64_t last = iopt_area_last_iova(area) < last_iova ?
					iopt_area_last_iova(area) : last_iova;

		if (n == cap) {
			struct iommufd_pages_elm *grown;

			rc = -ENOMEM;
			if (cap >= IOMMUFD_COPY_MAX_AREAS)
				goto err_put;
			cap = cap ? cap * 2 : 4;
			grown = realloc(elms, cap * sizeof(*elms));
			if (!grown)
				goto err_put;
			elms = grown;
		}
		elms[n++] = (struct iommufd_pages_elm){
			.pages = area->pages,
			.start_byte = iopt_area_start_byte(area, iter.cur_iova),
			.length = last - iter.cur_iova + 1,
		};
		iopt_get_pages_ref(area->pages);
	}
	if (!iopt_area_contig_done(&iter)) {
		rc = -ENOENT;
		goto err_put;
	}
	*out = elms;
	*num = n;
	return 0;
err_put:
	while (n--)
		iopt_put_pages(elms[n].pages);
	free(elms);
	return rc;
}

/* Mirrors iommufd_ioas_copy(): shares the source's pages and their pins. */
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *src_ioas, *dst_ioas;
	struct iommufd_pages_elm *elms = NULL;
	uint64_t iova;
	size_t num = 0;
	int rc;

	if (cmd->flags & ~IOMMUFD_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
	    cmd->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	src_ioas = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (!src_ioas)
		return -ENOENT;
	rc = iommufd_ioas_get_pages(&src_ioas->iopt, cmd->src_iova,
				    cmd->length, &elms, &num);
	if (rc)
		return rc;
	dst_ioas = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (!dst_ioas) {
		rc = -ENOENT;
		goto out_pages;
	}
	iova = cmd->dst_iova;
	rc = iommufd_ioas_map_pages(dst_ioas, elms, num, cmd->length, &iova,
				    conv_iommu_prot(cmd->flags),
				    (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) ?
					    0 : IOPT_ALLOC_IOVA);
	if (rc)
		goto out_pages;
	cmd->dst_iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_pages:
	for (size_t i = 0; i != num; i++)
		if (elms[i].pages)
			iopt_put_pages(elms[i].pages);
	free(elms);
	return rc;
}

/* Mirrors iommufd_ioas_unmap(). */
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = iommufd_ioas_unmap_all(ioas, &unmapped);
		if (rc)
			return rc;
	} else {
		if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX)
			return -EOVERFLOW;
		rc = iommufd_ioas_unmap_iova(ioas, cmd->iova, cmd->length,
					     &unmapped);
		if (rc)
			return rc;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * Mirrors iommufd_ioas_noiommu_get_pa() and iopt_get_phys() (v7.3, built
 * with CONFIG_IOMMUFD_NOIOMMU), check for check.
 *
 * The kernel has an answer only for IOVA whose area a no-IOMMU device's
 * software page table stores: a VFIO device bound through its cdev with no
 * IOMMU behind it.  The daemon serves no such device (every device is a
 * mock one behind the mock IOMMU, and a real VFIO device cannot bind to
 * this file), so no area ever has that storage domain, and a mapped IOVA
 * gets the kernel's answer for an area stored by an IOMMU-backed domain or
 * by none: EOPNOTSUPP.  out_phys is therefore never written, and the daemon
 * never has to name a physical address it cannot know.  Everything before
 * that (permission, reserved fields, length, ID, an unmapped IOVA, a
 * revoked dma-buf) is decided exactly as the kernel decides it.
 */
int iommufd_ioas_noiommu_get_pa(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_noiommu_get_pa *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	struct iopt_area *area;
	struct iopt_pages *pages;
	int rc;

	/* Raw DMA to physical memory: the caller's own CAP_SYS_RAWIO. */
	rc = iommufd_caller_capable_rc(ucmd, CAP_SYS_RAWIO);
	if (rc <= 0)
		return rc ? rc : -EPERM;
	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (cmd->iova >= ULONG_MAX)
		return -EOVERFLOW;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	/* iopt_get_phys(): only the start of the range must be mapped. */
	area = iopt_area_find(&ioas->iopt, cmd->iova);
	if (!area || !area->pages)
		return -ENOENT;
	pages = area->pages;
	if (pages->revoked)
		return -EINVAL;
	/* No area is stored by a no-IOMMU domain here (see above). */
	return -EOPNOTSUPP;
}

/* A limit on one ALLOW_IOVAS list; the kernel's is bounded by memory only. */
#define IOMMUFD_MAX_ALLOWED_IOVAS (1u << 20)

/* Mirrors iommufd_ioas_allow_iovas() and iommufd_ioas_load_iovas(). */
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iopt_iova_range *ranges = NULL;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->num_iovas > IOMMUFD_MAX_ALLOWED_IOVAS)
		return -ENOMEM;
	if (cmd->num_iovas) {
		ranges = calloc(cmd->num_iovas, sizeof(*ranges));
		if (!ranges)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i != cmd->num_iovas; i++) {
		struct iommu_iova_range range;

		rc = ucmd_copy_from_user(ucmd, &range,
					 cmd->allowed_iovas + i * sizeof(range),
					 sizeof(range));
		if (rc)
			goto out;
		ranges[i] = (struct iopt_iova_range){ range.start, range.last };
	}
	rc = iopt_set_allow_iova(&ioas->iopt, ranges, cmd->num_iovas);
out:
	free(ranges);
	return rc;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

struct pages_collector {
	struct iopt_pages **all;
	size_t num, cap;
};

static int iommufd_collect_area_pages(struct iommufd_ioas *ioas,
				      struct iopt_area *area, void *arg)
{
	struct pages_collector *c = arg;

	(void)ioas;
	if (c->num == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct iopt_pages **grown = realloc(c->all, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		c->all = grown;
		c->cap = cap;
	}
	c->all[c->num++] = area->pages;
	return 0;
}

int iommufd_ctx_collect_pages(struct iommufd_ctx *ictx,
			      struct iopt_pages ***out, size_t *num_out)
{
	struct pages_collector c = { 0 };
	size_t n = 0;
	int rc;

	rc = iommufd_ctx_for_each_area(ictx, iommufd_collect_area_pages, &c);
	if (rc) {
		free(c.all);
		return rc;
	}
	/* Areas made by COPY or by cuts share pages: keep each once. */
	if (c.num)
		qsort(c.all, c.num, sizeof(*c.all), cmp_ptr);
	for (size_t i = 0; i < c.num; i++)
		if (!n || c.all[n - 1] != c.all[i])
			c.all[n++] = c.all[i];
	*out = c.all;
	*num_out = n;
	return 0;
}

/*
 * Mirrors iommufd_ioas_change_process(): every area of every IOAS of the
 * context must come from MAP_FILE; the pins move to the caller's process
 * and are recharged there, all or nothing.
 */
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct iopt_pages **all;
	size_t num;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = iommufd_ctx_collect_pages(ucmd->ictx, &all, &num);
	if (rc)
		return rc;
	for (size_t i = 0; i < num; i++)
		if (all[i]->type != IOPT_ADDRESS_FILE)
			rc = -EINVAL;
	if (!rc)
		rc = iopt_pages_change_process(ucmd, all, num);
	free(all);
	return rc;
}

/*
 * Mirrors iommufd_ioas_destroy().  Domains hold a users count on the IOAS,
 * so none is attached by now; the release callback still copes if one is.
 */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);
	struct iopt_unmap_ops ops = iommufd_ioas_unmap_ops(ioas);

	iopt_destroy_table(&ioas->iopt, &ops);
	free(ioas->domains);
	ioas->domains = NULL;
	ioas->num_domains = 0;
}

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);

	return obj ? container_of(obj, struct iommufd_ioas, obj) : NULL;
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx, int *err)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_object_alloc(ictx, ioas, IOMMUFD_OBJ_IOAS, err);
	if (ioas) {
		iopt_init_table(&ioas->iopt);
		ioas->iopt.mem = ictx->mem;
		ioas->iopt.totals = &ictx->iopt_totals;
	}
	return ioas;
}

/* Mirrors iommufd_ioas_alloc_ioctl(). */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = iommufd_ioas_alloc(ucmd->ictx, &rc);
	if (!ioas)
		return rc;
	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;
}

/*
 * Mirrors iommufd_ioas_iova_ranges(): the struct is written back even when
 * the array was too short, so the caller learns the count with EMSGSIZE.
 */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	/*
	 * The kernel walks its ranges without allocating: the usual few
	 * fit here, so only a caller asking for more can see ENOMEM.
	 */
	struct iopt_iova_range few[32];
	struct iopt_iova_range *ranges = few;
	struct iommufd_ioas *ioas;
	uint32_t max_iovas = cmd->num_iovas;
	size_t total, fill;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;

	total = iopt_get_iova_ranges(&ioas->iopt, NULL, 0);
	fill = total < max_iovas ? total : max_iovas;
	if (fill) {
		if (fill > ARRAY_SIZE(few))
			ranges = calloc(fill, sizeof(*ranges));
		if (!ranges)
			return -ENOMEM;
		iopt_get_iova_ranges(&ioas->iopt, ranges, fill);
		for (size_t i = 0; i < fill; i++) {
			struct iommu_iova_range elm = {
				.start = ranges[i].start,
				.last = ranges[i].last,
			};

			rc = ucmd_copy_to_user(ucmd, cmd->allowed_iovas +
					       i * sizeof(elm), &elm, sizeof(elm));
			if (rc) {
				if (ranges != few)
					free(ranges);
				return rc;
			}
		}
		if (ranges != few)
			free(ranges);
	}
	cmd->num_iovas = (uint32_t)total;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		return rc;
	if (total > max_iovas)
		return -EMSGSIZE;
	return 0;
}

/* Mirrors iommufd_ioas_option(): IOMMU_OPTION_HUGE_PAGES on one IOAS. */
int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->object_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->option_id != IOMMU_OPTION_HUGE_PAGES)
		return -EOPNOTSUPP;

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0)
			return iommufd_ioas_disable_large_pages(ioas);
		if (cmd->val64 == 1) {
			iopt_enable_large_pages(
				&ioas->iopt,
				iommufd_ioas_required_alignment(ioas));
			return 0;
		}
		return -EINVAL;
	}
	return -EOPNOTSUPP;
}
