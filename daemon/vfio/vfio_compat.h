/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the files of daemon/vfio/ only; the rest of the daemon
 * reaches this layer through the prototypes in core/iommufd_private.h.
 */
#ifndef UIOMMUFD_VFIO_COMPAT_H
#define UIOMMUFD_VFIO_COMPAT_H

#include "core/ioas.h"

/*
 * Mirrors get_compat_ioas(): the IOAS the container ioctls act on, or NULL
 * (the kernel's -ENODEV) when none is set.  Called under the context lock,
 * which keeps the IOAS alive for the whole ioctl.
 */
static inline struct iommufd_ioas *get_compat_ioas(struct iommufd_ctx *ictx)
{
	return ictx->vfio_ioas;
}

long iommufd_vfio_iommu_get_info(struct iommufd_ucmd *ucmd, uint64_t arg);

#endif
