// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The served device's DMA: its requests go through the IOMMU domain the
 * device is attached to, as a real device's would.  The domain is an
 * emulated one (core/device.h: the served device's software IOMMU): its
 * IOVA -> pinned pages map is read under the context's lock, and the bytes
 * move through the daemon's pin (iopt_pages_rw: the shared view, or the
 * mapper's memory for private mappings).
 *
 * Refused with -EFAULT where an IOMMU faults: not bound, not attached
 * (blocking domain), an unmapped byte, a write to a read-only mapping or a
 * read of a write-only one.  The whole range is translated before a byte
 * moves, so a refused request transfers nothing.
 *
 * Runs under sd->lock (a provider op), takes ctx->lock inside it.
 */
#include "vfio/device_priv.h"

#include <errno.h>

#include "core/device.h"
#include "core/hw_pagetable.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "providers/domain.h"

/* Every byte of [iova, iova + len) mapped with prot. */
static bool dma_range_ok(struct iommufd_domain *domain, uint64_t iova,
			 size_t len, int prot)
{
	uint64_t last;

	if (!len)
		return true;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return false;
	for (;;) {
		struct iopt_pages *pages;
		uint64_t start_byte, contig;
		int have = emulated_domain_prot(domain, iova);

		if (have < 0 || (have & prot) != prot ||
		    !emulated_domain_lookup(domain, iova, &pages, &start_byte,
					    &contig))
			return false;
		if (contig == 0 || last - iova < contig)
			return true;
		iova += contig;
	}
}

int sdev_dma_rw(struct served_device *sd, uint64_t iova, void *buf,
		size_t len, bool write)
{
	int prot = write ? IOMMU_WRITE : IOMMU_READ;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_domain *domain;
	struct iommufd_ctx *ictx = sd->ictx;
	uint8_t *p = buf;
	int rc = 0;

	if (!ictx || !sd->attached)
		return -EFAULT;
	pthread_mutex_lock(&ictx->lock);
	hwpt = iommufd_device_attached_hwpt(sd->idev, IOMMU_NO_PASID);
	domain = hwpt ? hwpt->domain : NULL;
	if (!domain || !dma_range_ok(domain, iova, len, prot)) {
		rc = -EFAULT;
		goto out;
	}
	while (len) {
		struct iopt_pages *pages;
		uint64_t start_byte, contig;
		size_t n;

		if (!emulated_domain_lookup(domain, iova, &pages, &start_byte,
					    &contig)) {
			rc = -EFAULT;
			break;
		}
		n = contig < len ? (size_t)contig : len;
		rc = iopt_pages_rw(pages, start_byte, p, n, write);
		if (rc) {
			rc = -EFAULT;
			break;
		}
		iova += n;
		p += n;
		len -= n;
	}
out:
	pthread_mutex_unlock(&ictx->lock);
	return rc;
}
