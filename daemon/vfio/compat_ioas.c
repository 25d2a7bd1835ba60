// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which IOAS the VFIO container ioctls act on: IOMMU_VFIO_IOAS and the
 * compat IOAS a context starts with; mirrors the first half of the kernel's
 * drivers/iommu/iommufd/vfio_compat.c.
 *
 * The container ABI has no IOAS ID, so a context points at one IOAS
 * (ictx->vfio_ioas) and the container ioctls use that.  The pointer is not a
 * reference: SET and CLEAR never destroy anything, and destroying the IOAS
 * (IOMMU_DESTROY, or release) clears the pointer (object.c), after which the
 * container ioctls answer ENODEV as if no group had ever been attached.
 *
 * In the kernel the compat IOAS is created when VFIO_GROUP_SET_CONTAINER
 * attaches the first group.  Legacy clients of this daemon have no group to
 * attach, so a context of the /dev/vfio/vfio look-alike, and every context
 * under --vfio-compat-default, gets it at open instead (docs/vfio-compat.md).
 */
#include "vfio/vfio_compat.h"

#include "uiommufd/abi.h"

/*
 * Mirrors iommufd_vfio_compat_ioas_create(), run at open rather than at
 * group attach.  The context is empty then, so the IOAS takes ID 1, and like
 * the kernel's automatic one it is an ordinary user-visible object: GET
 * reports it, IOMMU_DESTROY removes it, release frees it.
 */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (ictx->vfio_ioas)
		return 0;
	ioas = iommufd_ioas_alloc(ictx, &rc);
	if (!ioas)
		return rc;
	ictx->vfio_ioas = ioas;
	iommufd_object_finalize(ictx, &ioas->obj);
	return 0;
}

/* Mirrors iommufd_vfio_ioas(). */
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ucmd->ictx);
		if (!ioas)
			return -ENODEV;
		cmd->ioas_id = ioas->obj.id;
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
		if (!ioas)
			return -ENOENT;
		ucmd->ictx->vfio_ioas = ioas;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
