// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO type1 container ioctls on an iommufd context; mirrors the second
 * half of the kernel's drivers/iommu/iommufd/vfio_compat.c.  Command numbers
 * outside iommufd's own table land here (dispatch.c), on /dev/iommu as on
 * the /dev/vfio/vfio look-alike, and act on the compat IOAS (compat_ioas.c)
 * through the IOAS operations of core/ioas.h.
 *
 * The ABI differs from iommufd's in ways the handlers keep: the argument is
 * the raw ioctl argument (an integer for SET_IOMMU and CHECK_EXTENSION);
 * structs carry argsz but exactly offsetofend(last mandatory field) bytes
 * are read whatever argsz says, so a short argsz is EINVAL only after that
 * read (EFAULT first), and bytes past the minimum are ignored, never E2BIG;
 * unknown flags are EINVAL, not EOPNOTSUPP.
 */
#include "vfio/vfio_compat.h"

#include <stdio.h>
#include <string.h>

#include "providers/domain.h" /* IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE */
#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

/* Mirrors iommufd_vfio_map_dma(). */
static long iommufd_vfio_map_dma(struct iommufd_ucmd *ucmd, uint64_t arg)
{
	const uint32_t supported_flags =
		VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	int iommu_prot = IOMMU_CACHE;
	struct iommufd_ioas *ioas;
	uint64_t iova;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &map, arg, minsz);
	if (rc)
		return rc;
	/* VFIO_DMA_MAP_FLAG_VADDR is refused here: see CHECK_EXTENSION. */
	if (map.argsz < minsz || map.flags & ~supported_flags)
		return -EINVAL;
	/*
	 * Unlike type1, flags 0 (neither READ nor WRITE) is not refused: the
	 * kernel's iommufd maps with the bare IOMMU_CACHE, and so do we.
	 */
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		iommu_prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		iommu_prot |= IOMMU_WRITE;

	ioas = get_compat_ioas(ucmd->ictx);
	if (!ioas)
		return -ENODEV;
	/* Type1 maps at the caller's IOVA, never an allocated one. */
	iova = map.iova;
	return iommufd_ioas_map_user(ucmd, ioas, &iova, map.vaddr, map.size,
				     iommu_prot, 0);
}

/* Mirrors iommufd_vfio_unmap_dma(). */
static long iommufd_vfio_unmap_dma(struct iommufd_ucmd *ucmd, uint64_t arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	/*
	 * GET_DIRTY_BITMAP is refused (dirty tracking moved to
	 * IOMMU_HWPT_GET_DIRTY_BITMAP), and so is VADDR.
	 */
	const uint32_t supported_flags = VFIO_DMA_UNMAP_FLAG_ALL;
	struct vfio_iommu_type1_dma_unmap unmap;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &unmap, arg, minsz);
	if (rc)
		return rc;
	if (unmap.argsz < minsz || unmap.flags & ~supported_flags)
		return -EINVAL;

	ioas = get_compat_ioas(ucmd->ictx);
	if (!ioas)
		return -ENODEV;

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova != 0 || unmap.size != 0)
			return -EINVAL;
		rc = iommufd_ioas_unmap_all(ioas, &unmapped);
	} else {
		if (ioas->iopt.disable_large_pages) {
			/*
			 * TYPE1 may unmap part of a mapping.  With large pages
			 * off (VFIO_SET_IOMMU(TYPE1), or IOMMU_OPTION) areas
			 * can be split anywhere, so cut them at the edges of
			 * the range and unmap whole areas.  The values wrap on
			 * purpose: iova 0 needs no cut before it, and a range
			 * that overflows is refused by the unmap after the cut,
			 * as in the kernel.
			 */
			uint64_t iovas[] = { unmap.iova + unmap.size - 1,
					     unmap.iova - 1 };

			rc = iommufd_ioas_cut_iova(ioas, iovas,
						   unmap.iova ? 2 : 1);
			if (rc)
				return rc;
		}
		rc = iommufd_ioas_unmap_iova(ioas, unmap.iova, unmap.size,
					     &unmapped);
	}
	/* The struct goes back even when the unmap failed part way. */
	unmap.size = unmapped;
	if (ucmd_copy_to_user(ucmd, arg, &unmap, minsz))
		rc = -EFAULT;
	return rc;
}

/* Mirrors iommufd_vfio_cc_iommu(). */
static long iommufd_vfio_cc_iommu(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas = get_compat_ioas(ictx);

	if (!ioas)
		return -ENODEV;
	return iommufd_ioas_enforce_cache_coherency(ioas);
}

/* Mirrors iommufd_vfio_check_extension(). */
static long iommufd_vfio_check_extension(struct iommufd_ctx *ictx,
					 uint64_t type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_NOIOMMU_IOMMU:
		/*
		 * The kernel says IS_ENABLED(CONFIG_VFIO_NOIOMMU).  No-iommu
		 * mode needs a no-iommu group, which cannot exist here, so we
		 * answer as a kernel built without it.
		 */
		return 0;
	case VFIO_DMA_CC_IOMMU:
		return iommufd_vfio_cc_iommu(ictx);
	case __VFIO_RESERVED_TYPE1_NESTING_IOMMU:
		return 0;
	case VFIO_UPDATE_VADDR:
		/* Swapping the VA under a pinned mapping cannot be made safe. */
	default:
		return 0;
	}
}

/* Mirrors iommufd_vfio_set_iommu(); never in no-iommu mode here. */
static long iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, uint64_t type)
{
	struct iommufd_ioas *ioas;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	/* VFIO refuses SET_IOMMU before a group joined the container. */
	ioas = get_compat_ioas(ictx);
	if (!ioas)
		return -ENODEV;
	/*
	 * TYPE1, unlike v2, may unmap inside a mapping.  A large IOPTE cannot
	 * be split, so TYPE1 turns large pages off for the IOAS and unmap then
	 * cuts areas at the range's edges (iommufd_vfio_unmap_dma()).
	 */
	if (type == VFIO_TYPE1_IOMMU)
		return iommufd_ioas_disable_large_pages(ioas);
	return 0;
}

/*
 * Mirrors the kernel's iommufd_vfio_ioctl(); its -ENOIOCTLCMD reaches the
 * caller as ENOTTY.  VFIO_IOMMU_DIRTY_PAGES is deliberately unserved.
 */
long iommufd_vfio_ioctl(struct iommufd_ucmd *ucmd, unsigned int cmd,
			uint64_t arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ucmd->ictx, arg);
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(ucmd->ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ucmd, arg);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ucmd, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ucmd, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
	default:
		return -ENOTTY;
	}
}

/*
 * What each container ioctl reads and writes, for iommufd_dispatch_plan().
 * MAP_DMA and UNMAP_DMA read exactly their minimum whatever argsz says, so
 * they need no size round; GET_INFO needs argsz first, then treats the
 * caller's whole argsz buffer (struct and capability chain) as its struct.
 */
int iommufd_vfio_plan(unsigned int cmd, const void *head, size_t head_len,
		      struct ucmd_plan *plan)
{
	const size_t info_minsz =
		offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	uint32_t argsz;

	switch (cmd) {
	case VFIO_IOMMU_MAP_DMA:
		plan->struct_len =
			offsetofend(struct vfio_iommu_type1_dma_map, size);
		return 0;
	case VFIO_IOMMU_UNMAP_DMA:
		plan->struct_len =
			offsetofend(struct vfio_iommu_type1_dma_unmap, size);
		return 0;
	case VFIO_IOMMU_GET_INFO:
		if (head_len < sizeof(argsz)) {
			plan->struct_len = sizeof(argsz);
			return 0;
		}
		memcpy(&argsz, head, sizeof(argsz));
		plan->struct_len = argsz < info_minsz ? info_minsz : argsz;
		return 0;
	default:
		/* Integer arguments, or answered without touching memory. */
		return 1;
	}
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
