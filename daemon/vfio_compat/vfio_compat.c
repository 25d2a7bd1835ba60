// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO type1 container ioctls on an iommufd context; mirrors the
 * kernel's drivers/iommu/iommufd/vfio_compat.c.  Command numbers outside
 * iommufd's own table land here.
 */
#include "objects/iommufd_private.h"

#include <stdio.h>

#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

long iommufd_vfio_ioctl(struct iommufd_ucmd *ucmd, unsigned int cmd,
			uint64_t arg)
{
	(void)ucmd;
	(void)cmd;
	(void)arg;
	/* The container ioctls are not served yet; ENOTTY, like any unknown. */
	return -ENOTTY;
}

const char *iommufd_vfio_cmd_name(unsigned int cmd)
{
	static __thread char buf[16];

	switch (cmd) {
	case VFIO_GET_API_VERSION: return "VFIO_GET_API_VERSION";
	case VFIO_CHECK_EXTENSION: return "VFIO_CHECK_EXTENSION";
	case VFIO_SET_IOMMU: return "VFIO_SET_IOMMU";
	case VFIO_IOMMU_GET_INFO: return "VFIO_IOMMU_GET_INFO";
	case VFIO_IOMMU_MAP_DMA: return "VFIO_IOMMU_MAP_DMA";
	case VFIO_IOMMU_UNMAP_DMA: return "VFIO_IOMMU_UNMAP_DMA";
	case VFIO_IOMMU_DIRTY_PAGES: return "VFIO_IOMMU_DIRTY_PAGES";
	}
	snprintf(buf, sizeof(buf), "0x%x", cmd);
	return buf;
}
