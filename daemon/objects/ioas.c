// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS ioctls; each handler mirrors the kernel function of the same name in
 * drivers/iommu/iommufd/ioas.c: validate, look the object up, let the
 * io_pagetable do the work, respond.
 */
#include "objects/ioas.h"

#include <stdlib.h>

#include "uiommufd/abi.h"

static void iommufd_ioas_release_area(struct io_pagetable *iopt,
				      struct iopt_area *area, void *arg)
{
	(void)iopt;
	(void)area;
	(void)arg;
}

static const struct iopt_unmap_ops iommufd_ioas_unmap_ops = {
	.release = iommufd_ioas_release_area,
};

void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	iopt_destroy_table(&ioas->iopt, &iommufd_ioas_unmap_ops);
}

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);

	return obj ? container_of(obj, struct iommufd_ioas, obj) : NULL;
}

/* Mirrors iommufd_ioas_alloc_ioctl(). */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = iommufd_object_alloc(ucmd->ictx, ioas, IOMMUFD_OBJ_IOAS, &rc);
	if (!ioas)
		return rc;
	iopt_init_table(&ioas->iopt);
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
	struct iopt_iova_range *ranges = NULL;
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
				free(ranges);
				return rc;
			}
		}
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
			return iopt_disable_large_pages(&ioas->iopt, false,
							IOPT_PAGE_SIZE);
		if (cmd->val64 == 1) {
			iopt_enable_large_pages(&ioas->iopt, IOPT_PAGE_SIZE);
			return 0;
		}
		return -EINVAL;
	}
	return -EOPNOTSUPP;
}
