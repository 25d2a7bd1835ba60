// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO_DEVICE_GET_INFO, GET_REGION_INFO and region access by pread/pwrite
 * of a served device; mirrors vfio-pci (vfio_pci_ioctl_get_info(),
 * vfio_get_region_info() with vfio_pci_ioctl_get_region_info(),
 * vfio_pci_rw(), vfio_pci_bar_rw(), vfio_pci_config_rw()).
 *
 * The region contents are the provider's; the layer owns the offsets
 * (VFIO_PCI_INDEX_TO_OFFSET), the bounds and the flags.  No region is ever
 * MMAP: a CUSE or FUSE file cannot map device memory.  No capability is
 * reported: the standard vfio-pci regions of a device without MSI-X, VGA
 * or device-specific regions have none, and neither has GET_INFO for a
 * device with no zPCI and no AtomicOps completer.
 */
#include "vfio/device_priv.h"

#include <errno.h>
#include <string.h>

#include "core/iommufd_private.h"
#include "uiommufd/vfio_abi.h"

long sdev_ioctl_get_info(struct served_device *sd, struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info = { 0 };
	size_t out;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &info, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	if (info.argsz < minsz)
		return -EINVAL;
	out = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	info.flags = sdev_device_flags(sd) & ~VFIO_DEVICE_FLAGS_CAPS;
	info.num_regions = sd->ops->num_regions;
	info.num_irqs = sd->ops->num_irqs;
	info.cap_offset = 0;
	info.pad = 0;
	return ucmd_copy_to_user(ucmd, ucmd->ubuffer, &info, out);
}

/* The region's size and flags, as vfio_pci_ioctl_get_region_info(). */
static int region_describe(struct served_device *sd, uint32_t index,
			   struct sdev_region_desc *desc)
{
	memset(desc, 0, sizeof(*desc));
	if (index >= sd->ops->num_regions)
		return -EINVAL;
	sd->ops->region_desc(sd, index, desc);
	/* An absent VGA region is EINVAL, an absent BAR or ROM is size 0. */
	if (index == VFIO_PCI_VGA_REGION_INDEX && !desc->size)
		return -EINVAL;
	desc->flags &= VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (!desc->size)
		desc->flags = 0;
	return 0;
}

long sdev_ioctl_get_region_info(struct served_device *sd,
				struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = { 0 };
	struct sdev_region_desc desc;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &info, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	if (info.argsz < minsz)
		return -EINVAL;
	pthread_mutex_lock(&sd->lock);
	rc = region_describe(sd, info.index, &desc);
	pthread_mutex_unlock(&sd->lock);
	if (rc)
		return rc;
	info.offset = UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(info.index);
	info.size = desc.size;
	info.flags = desc.flags;
	info.cap_offset = 0;
	/* Only minsz is written back, argsz included (no caps to size). */
	return ucmd_copy_to_user(ucmd, ucmd->ubuffer, &info, minsz);
}

ssize_t sdev_region_rw(struct served_device *sd, uint64_t off, void *buf,
		       size_t len, bool write)
{
	uint64_t index = UIOMMUFD_VFIO_PCI_OFFSET_TO_INDEX(off);
	uint64_t pos = off & UIOMMUFD_VFIO_PCI_OFFSET_MASK;
	struct sdev_region_desc desc;

	if (index >= sd->ops->num_regions)
		return -EINVAL;
	if (region_describe(sd, (uint32_t)index, &desc))
		return -EINVAL;
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		/* vfio_config_do_rw(): all of it inside config space. */
		if (pos >= desc.size || len > desc.size - pos)
			return -EFAULT;
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		if (write)
			return -EINVAL;
		/* fallthrough */
	default:
		/* vfio_pci_bar_rw(): no BAR, or past its end; short at the end. */
		if (!desc.size || pos >= desc.size)
			return -EINVAL;
		if (len > desc.size - pos)
			len = desc.size - pos;
		break;
	}
	if (!(desc.flags & (write ? VFIO_REGION_INFO_FLAG_WRITE :
				    VFIO_REGION_INFO_FLAG_READ)))
		return -EINVAL;
	return sd->ops->region_rw(sd, (uint32_t)index, pos, buf, len, write);
}
