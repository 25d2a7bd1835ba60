// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO_IOMMU_GET_INFO and its capability chain; mirrors
 * iommufd_vfio_iommu_get_info() and the iommufd_fill_cap_*() helpers of the
 * kernel's drivers/iommu/iommufd/vfio_compat.c.
 *
 * The reply is struct vfio_iommu_type1_info (24 bytes) followed by the
 * capabilities, each padded to 8 bytes and linked through header.next, an
 * offset from the start of the caller's buffer.  The kernel's order is
 * DMA_AVAIL (at 24) then IOVA_RANGE (at 40); a client walks the chain by
 * id, but byte-exact replies need the same order.
 *
 * The caller's argsz bounds every write.  Each capability is written only
 * when it fits whole (IOVA_RANGE writes the ranges that fit even when its
 * header does not, as the kernel does), a link only when the capability it
 * points at starts inside argsz, and cap_offset only when the whole chain
 * fits.  argsz always comes back as the size of the whole chain, so a caller
 * with a 24-byte buffer learns how much to ask for and retries.
 */
#include "vfio/vfio_compat.h"

#include <stdlib.h>

#include "uiommufd/vfio_abi.h"

#define VFIO_CAP_ALIGN 8u

/* 0 for cur with avail 0: the capability is only measured. */
typedef long (*fill_cap_fn)(struct iommufd_ucmd *ucmd,
			    struct iommufd_ioas *ioas, uint64_t cur,
			    uint64_t avail);

static uint64_t cap_iova_size(uint64_t nr_iovas)
{
	return sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
	       nr_iovas * sizeof(struct vfio_iova_range);
}

/* Mirrors iommufd_fill_cap_iova(): the holes of the reserved ranges. */
static long iommufd_fill_cap_iova(struct iommufd_ucmd *ucmd,
				  struct iommufd_ioas *ioas, uint64_t cur,
				  uint64_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap_iovas = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			.version = 1,
		},
	};
	size_t nr = iopt_get_iova_ranges(&ioas->iopt, NULL, 0);
	struct iopt_iova_range *ranges = calloc(nr ? nr : 1, sizeof(*ranges));
	long rc = 0;

	if (!ranges)
		return -ENOMEM;
	nr = iopt_get_iova_ranges(&ioas->iopt, ranges, nr);
	for (size_t i = 0; i != nr; i++) {
		struct vfio_iova_range range = {
			.start = ranges[i].start,
			.end = ranges[i].last,
		};

		if (avail >= cap_iova_size(i + 1)) {
			rc = ucmd_copy_to_user(ucmd, cur + cap_iova_size(i),
					       &range, sizeof(range));
			if (rc)
				goto out;
		}
	}
	cap_iovas.nr_iovas = (uint32_t)nr;
	if (avail >= cap_iova_size(nr)) {
		rc = ucmd_copy_to_user(ucmd, cur, &cap_iovas, sizeof(cap_iovas));
		if (rc)
			goto out;
	}
	rc = (long)cap_iova_size(nr);
out:
	free(ranges);
	return rc;
}

/* Mirrors iommufd_fill_cap_dma_avail(). */
static long iommufd_fill_cap_dma_avail(struct iommufd_ucmd *ucmd,
				       struct iommufd_ioas *ioas, uint64_t cur,
				       uint64_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap_dma = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			.version = 1,
		},
		/*
		 * Pinning is bounded by the accounting limits, not by a count
		 * of mappings.  VFIO's own default is U16_MAX, but the kernel's
		 * iommufd says U32_MAX because s390 QEMU needs more than that.
		 */
		.avail = UINT32_MAX,
	};

	(void)ioas;
	if (avail >= sizeof(cap_dma)) {
		int rc = ucmd_copy_to_user(ucmd, cur, &cap_dma, sizeof(cap_dma));

		if (rc)
			return rc;
	}
	return sizeof(cap_dma);
}

/* Mirrors iommufd_vfio_iommu_get_info(). */
long iommufd_vfio_iommu_get_info(struct iommufd_ucmd *ucmd, uint64_t arg)
{
	static const fill_cap_fn fill_fns[] = {
		iommufd_fill_cap_dma_avail,
		iommufd_fill_cap_iova,
	};
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = { 0 };
	uint64_t last_cap = 0, total_cap_size;
	bool have_last_cap = false;
	struct iommufd_ioas *ioas;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &info, arg, minsz);
	if (rc)
		return rc;
	if (info.argsz < minsz)
		return -EINVAL;
	/* A pre-capability caller (argsz 16) gets only what it asked for. */
	if (info.argsz < sizeof(info))
		minsz = info.argsz;
	else
		minsz = sizeof(info);

	ioas = get_compat_ioas(ucmd->ictx);
	if (!ioas)
		return -ENODEV;

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iommufd_ioas_pgsize_bitmap(ioas);
	info.cap_offset = 0;

	total_cap_size = sizeof(info);
	for (size_t i = 0; i != ARRAY_SIZE(fill_fns); i++) {
		long cap_size;

		if (info.argsz > total_cap_size)
			cap_size = fill_fns[i](ucmd, ioas, arg + total_cap_size,
					       info.argsz - total_cap_size);
		else
			cap_size = fill_fns[i](ucmd, ioas, 0, 0);
		if (cap_size < 0)
			return cap_size;
		cap_size = (cap_size + VFIO_CAP_ALIGN - 1) &
			   ~(long)(VFIO_CAP_ALIGN - 1);

		/* Link the previous capability only if this one starts in. */
		if (have_last_cap && info.argsz >= total_cap_size) {
			uint32_t next = (uint32_t)total_cap_size;

			rc = ucmd_copy_to_user(
				ucmd,
				last_cap + offsetof(struct vfio_info_cap_header,
						    next),
				&next, sizeof(next));
			if (rc)
				return rc;
		}
		last_cap = arg + total_cap_size;
		have_last_cap = true;
		total_cap_size += (uint64_t)cap_size;
	}

	if (info.argsz >= total_cap_size)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total_cap_size;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	return ucmd_copy_to_user(ucmd, arg, &info, minsz);
}
