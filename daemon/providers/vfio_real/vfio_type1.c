// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "vfio-type1" backend: a real device held through the kernel's VFIO
 * group and type1v2 container, for kernels without iommufd (every Debian
 * kernel so far).
 *
 * Theory of operation
 * -------------------
 * The daemon opens the device's group (/dev/vfio/GROUP, from sysfs) and a
 * container of its own, sets TYPE1v2 and takes the device fd from the
 * group.  A group lives in one container, so that container IS the
 * device's IOMMU: what it maps, the device can reach.  A group with other
 * devices in it is refused (EBUSY): they would share the translation.
 *
 * A domain of this backend records its mappings (IOVA -> pinned pages) in
 * an interval tree whether attached or not.  While it is the attached one
 * (on_hw) every mapping is also in the container, one VFIO_IOMMU_MAP_DMA
 * per recorded range, from the daemon's own view of the pinned pages
 * (iopt_pages_view_va): the kernel pins those pages again for the device.
 * Attach or replace unmaps everything of the old domain and maps
 * everything of the new one; if a map fails, what was done is undone and
 * the old domain mapped again, so the client's ioctl fails with the
 * kernel's errno and nothing changed.  Detach unmaps everything: with an
 * empty container the device's DMA faults in the IOMMU.
 *
 * Type1v2 unmaps whole mappings only, so a partial unmap (VFIO compat
 * cuts, or an unmap of a part of an area) unmaps the recorded range and
 * maps back what remains on either side.
 *
 * The container's usable IOVA ranges (reserved regions, such as the MSI
 * window, already taken out) give the domain's aperture, from the first
 * range's start to the last one's end, and its holes (domain.h), which
 * the IOAS reserves as the kernel reserves a device's reserved regions.
 * Its page sizes give pgsize_bitmap.  The kernel's own limit on mappings
 * per container (vfio_iommu_type1 dma_entry_limit, ENOSPC) bounds what a
 * client can make the daemon ask of it.
 */
#include "providers/vfio_real/vfio_real.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/interval_tree.h"
#include "core/pages.h"
#include "log.h"
#include "providers/domain.h"
#include "uiommufd/vfio_abi.h"

struct type1_hold {
	int container_fd, group_fd, group;
	uint64_t pgsize_bitmap;
	uint64_t aperture_start, aperture_end;
	/* Between the usable ranges: reserved (the MSI window...). */
	struct iommufd_iova_hole *holes;
	unsigned int nr_holes;
	/* What the container maps now (status reads these without a lock). */
	_Atomic uint64_t hw_ranges, hw_bytes;
};

struct type1_map {
	struct interval_tree_node node;
	struct iopt_pages *pages;
	uint64_t start_byte;
	int prot;
};

struct type1_domain {
	struct iommufd_domain domain;
	struct real_dev *rd;
	struct interval_tree_root maps;
	bool on_hw;
	struct iommufd_iova_hole holes[]; /* the container's, copied */
};

/* More usable ranges than this is no IOMMU we know of: refused. */
#define TYPE1_MAX_RANGES 64

static const struct backend_ops type1_domain_ops;

static struct type1_hold *to_hold(struct real_dev *rd)
{
	return rd->backend_priv;
}

static struct type1_domain *to_t1(struct iommufd_domain *domain)
{
	return (struct type1_domain *)domain;
}

/* ---- the container ---------------------------------------------------- */

static int hw_map(struct type1_hold *h, const struct type1_map *m)
{
	uint64_t len = m->node.last - m->node.start + 1;
	void *va = iopt_pages_view_va(m->pages, m->start_byte, len);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.iova = m->node.start,
		.size = len,
	};

	/* Only shared memory reaches a needs_phys domain: pinned, viewed. */
	if (!va)
		return -EFAULT;
	map.vaddr = (uintptr_t)va;
	if (m->prot & IOMMU_READ)
		map.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (m->prot & IOMMU_WRITE)
		map.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(h->container_fd, VFIO_IOMMU_MAP_DMA, &map))
		return -errno;
	atomic_fetch_add(&h->hw_ranges, 1);
	atomic_fetch_add(&h->hw_bytes, len);
	return 0;
}

static void hw_unmap(struct type1_hold *h, const struct type1_map *m)
{
	uint64_t len = m->node.last - m->node.start + 1;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = m->node.start,
		.size = len,
	};

	if (ioctl(h->container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
	    unmap.size != len)
		/* Only a kernel bug gets here: the range was mapped as is. */
		log_error("vfio-type1: unmapping IOVA %#llx+%#llx: %s",
			  (unsigned long long)m->node.start,
			  (unsigned long long)len, strerror(errno));
	atomic_fetch_sub(&h->hw_ranges, 1);
	atomic_fetch_sub(&h->hw_bytes, len);
}

/* Every mapping of d into the container, or none (the first error). */
static int hw_map_all(struct type1_domain *d)
{
	struct type1_hold *h = to_hold(d->rd);
	struct interval_tree_node *n, *undo;
	int rc;

	for (n = interval_tree_first(&d->maps); n; n = interval_tree_next(n)) {
		rc = hw_map(h, interval_tree_entry(n, struct type1_map, node));
		if (rc)
			goto err;
	}
	d->on_hw = true;
	return 0;
err:
	for (undo = interval_tree_first(&d->maps); undo != n;
	     undo = interval_tree_next(undo))
		hw_unmap(h, interval_tree_entry(undo, struct type1_map, node));
	return rc;
}

static void hw_unmap_all(struct type1_domain *d)
{
	struct type1_hold *h = to_hold(d->rd);

	for (struct interval_tree_node *n = interval_tree_first(&d->maps); n;
	     n = interval_tree_next(n))
		hw_unmap(h, interval_tree_entry(n, struct type1_map, node));
	d->on_hw = false;
}

/* ---- the domain ------------------------------------------------------- */

static struct type1_map *map_insert(struct type1_domain *d, uint64_t start,
				    uint64_t last, struct iopt_pages *pages,
				    uint64_t start_byte, int prot)
{
	struct type1_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->node.start = start;
	m->node.last = last;
	m->pages = pages;
	m->start_byte = start_byte;
	m->prot = prot;
	interval_tree_insert(&m->node, &d->maps);
	return m;
}

static int type1_map(struct iommufd_domain *domain, uint64_t iova,
		     struct iopt_pages *pages, uint64_t start_byte,
		     uint64_t length, int iommu_prot)
{
	struct type1_domain *d = to_t1(domain);
	uint64_t page = domain->pgsize_bitmap & -domain->pgsize_bitmap;
	struct type1_map *m;
	int rc;

	/* The kernel maps whole pages, from a page-aligned address. */
	if (!length || (iova | start_byte | length) & (page - 1))
		return -EINVAL;
	if (interval_tree_iter_first(&d->maps, iova, iova + length - 1))
		return -EEXIST;
	m = map_insert(d, iova, iova + length - 1, pages, start_byte, iommu_prot);
	if (!m)
		return -ENOMEM;
	if (d->on_hw) {
		rc = hw_map(to_hold(d->rd), m);
		if (rc) {
			interval_tree_remove(&m->node, &d->maps);
			free(m);
			return rc;
		}
	}
	return 0;
}

/*
 * What remains of a partly unmapped range is recorded (and mapped) before
 * the range goes; a remnant the kernel refuses to map again stays
 * recorded but off the hardware, said in the log (the device faults
 * there, never reaches memory it should not).
 */
static void type1_unmap(struct iommufd_domain *domain, uint64_t iova,
			uint64_t length)
{
	struct type1_domain *d = to_t1(domain);
	struct type1_hold *h = d->on_hw ? to_hold(d->rd) : NULL;
	uint64_t last = iova + length - 1;
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(&d->maps, iova, last))) {
		struct type1_map *m = interval_tree_entry(node, struct type1_map,
							  node);
		struct type1_map keep = *m, *rest[2] = { NULL, NULL };

		if (d->on_hw)
			hw_unmap(h, m);
		interval_tree_remove(node, &d->maps);
		free(m);
		if (keep.node.start < iova)
			rest[0] = map_insert(d, keep.node.start, iova - 1,
					     keep.pages, keep.start_byte,
					     keep.prot);
		if (keep.node.last > last)
			rest[1] = map_insert(d, last + 1, keep.node.last,
					     keep.pages,
					     keep.start_byte +
						     (last + 1 - keep.node.start),
					     keep.prot);
		for (int i = 0; i < 2; i++) {
			int rc;

			if (!rest[i] || !d->on_hw)
				continue;
			rc = hw_map(h, rest[i]);
			if (rc)
				log_error("vfio-type1 %s: mapping back IOVA %#llx..%#llx after a partial unmap: %s; the device faults there",
					  d->rd->bdf,
					  (unsigned long long)rest[i]->node.start,
					  (unsigned long long)rest[i]->node.last,
					  strerror(-rc));
		}
	}
}

static void type1_free(struct iommufd_domain *domain)
{
	struct type1_domain *d = to_t1(domain);
	struct interval_tree_node *node;

	/* The core detaches before it frees; never leave the hardware mapped. */
	if (d->on_hw)
		hw_unmap_all(d);
	while ((node = d->maps.node)) {
		interval_tree_remove(node, &d->maps);
		free(interval_tree_entry(node, struct type1_map, node));
	}
	free(d);
}

static const struct backend_ops type1_domain_ops = {
	.name = "vfio-type1",
	.map = type1_map,
	.unmap = type1_unmap,
	.free = type1_free,
};

static int type1_domain_alloc(struct real_dev *rd, struct iommufd_domain **out)
{
	struct type1_hold *h = to_hold(rd);
	struct type1_domain *d = calloc(1, sizeof(*d) + h->nr_holes *
						     sizeof(d->holes[0]));

	if (!d)
		return -ENOMEM;
	if (h->nr_holes)
		memcpy(d->holes, h->holes, h->nr_holes * sizeof(d->holes[0]));
	d->domain = (struct iommufd_domain){
		.ops = &type1_domain_ops,
		.pgsize_bitmap = h->pgsize_bitmap,
		.aperture_start = h->aperture_start,
		.aperture_end = h->aperture_end,
		.holes = d->holes,
		.nr_holes = h->nr_holes,
		.enforce_cache_coherency = true,
		.needs_phys = true,
		.priv = d,
	};
	d->rd = rd;
	d->maps = INTERVAL_TREE_ROOT_INIT;
	*out = &d->domain;
	return 0;
}

static int type1_attach(struct real_dev *rd, struct iommufd_domain *domain)
{
	struct type1_domain *old = rd->attached ? to_t1(rd->attached) : NULL;
	struct type1_domain *new;
	int rc;

	if (domain && (domain->ops != &type1_domain_ops ||
		       to_t1(domain)->rd != rd))
		return -EINVAL;
	new = domain ? to_t1(domain) : NULL;
	if (old == new)
		return 0;
	/* Off the hardware already when a failed replace could not restore it. */
	if (old && old->on_hw)
		hw_unmap_all(old);
	if (!new)
		return 0;
	rc = hw_map_all(new);
	if (rc && old && hw_map_all(old))
		log_error("vfio-type1 %s: the old domain could not be mapped back after a failed replace; DMA is blocked",
			  rd->bdf);
	return rc;
}

/* ---- holding the device ------------------------------------------------ */

static bool type1_usable(const char *bdf)
{
	int group;

	return !access("/dev/vfio/vfio", R_OK | W_OK) &&
	       !real_sysfs_group(bdf, &group);
}

/* The gaps between n usable ranges (in IOVA order) at p. */
static int type1_read_holes(struct type1_hold *h, const uint8_t *p, uint32_t n)
{
	struct vfio_iova_range prev, cur;

	h->holes = n > 1 ? calloc(n - 1, sizeof(*h->holes)) : NULL;
	if (n > 1 && !h->holes)
		return -ENOMEM;
	memcpy(&prev, p, sizeof(prev));
	for (uint32_t i = 1; i < n; i++) {
		memcpy(&cur, p + i * sizeof(cur), sizeof(cur));
		if (cur.start <= prev.end + 1 || prev.end == UINT64_MAX)
			return -EINVAL; /* not in order, or touching */
		h->holes[h->nr_holes++] = (struct iommufd_iova_hole){
			.start = prev.end + 1,
			.last = cur.start - 1,
		};
		prev = cur;
	}
	return 0;
}

/* Page sizes and usable IOVA ranges of the container. */
static int type1_read_info(struct type1_hold *h)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;
	uint32_t size;
	int rc = 0;

	if (ioctl(h->container_fd, VFIO_IOMMU_GET_INFO, &probe))
		return -errno;
	if (!(probe.flags & VFIO_IOMMU_INFO_PGSIZES) || !probe.iova_pgsizes)
		return -ENODEV;
	h->pgsize_bitmap = probe.iova_pgsizes;
	h->aperture_start = 0;
	h->aperture_end = UINT64_MAX;
	size = probe.argsz;
	if (!(probe.flags & VFIO_IOMMU_INFO_CAPS) || size <= sizeof(probe) ||
	    size > 65536)
		return 0;
	info = calloc(1, size);
	if (!info)
		return -ENOMEM;
	info->argsz = size;
	if (ioctl(h->container_fd, VFIO_IOMMU_GET_INFO, info)) {
		rc = -errno;
		goto out;
	}
	for (uint32_t off = info->cap_offset; off && off + 8 <= size;) {
		struct vfio_info_cap_header hdr;

		memcpy(&hdr, (uint8_t *)info + off, sizeof(hdr));
		if (hdr.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
		    off + sizeof(struct vfio_iommu_type1_info_cap_iova_range) <= size) {
			struct vfio_iommu_type1_info_cap_iova_range cap;
			struct vfio_iova_range first, last;
			size_t at = off + sizeof(cap);

			memcpy(&cap, (uint8_t *)info + off, sizeof(cap));
			if (!cap.nr_iovas ||
			    at + (size_t)cap.nr_iovas * sizeof(first) > size)
				break;
			if (cap.nr_iovas > TYPE1_MAX_RANGES) {
				rc = -E2BIG;
				goto out;
			}
			memcpy(&first, (uint8_t *)info + at, sizeof(first));
			memcpy(&last, (uint8_t *)info + at +
					      (cap.nr_iovas - 1) * sizeof(last),
			       sizeof(last));
			h->aperture_start = first.start;
			h->aperture_end = last.end;
			rc = type1_read_holes(h, (uint8_t *)info + at,
					      cap.nr_iovas);
			break;
		}
		if (hdr.next <= off)
			break;
		off = hdr.next;
	}
out:
	free(info);
	return rc;
}

int vfio_type1_adopt(struct real_dev *rd, int container_fd)
{
	struct type1_hold *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	h->container_fd = container_fd;
	h->group_fd = -1;
	rc = type1_read_info(h);
	if (rc) {
		free(h->holes);
		free(h);
		return rc;
	}
	rd->backend = &vfio_type1_backend;
	rd->backend_priv = h;
	return 0;
}

static void type1_close(struct real_dev *rd)
{
	struct type1_hold *h = to_hold(rd);

	if (rd->device_fd >= 0)
		close(rd->device_fd);
	rd->device_fd = -1;
	if (!h)
		return;
	/* Closing the group and the container unmaps whatever is left. */
	if (h->group_fd >= 0)
		close(h->group_fd);
	if (h->container_fd >= 0)
		close(h->container_fd);
	free(h->holes);
	free(h);
	rd->backend_priv = NULL;
}

static int type1_open(struct real_dev *rd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct type1_hold *h;
	char path[64];
	int rc, n, fd;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->container_fd = h->group_fd = -1;
	rd->backend_priv = h;
	rd->device_fd = -1;
	rc = real_sysfs_group(rd->bdf, &h->group);
	if (rc) {
		log_error("vfio:%s has no IOMMU group (is the IOMMU on? intel_iommu=on / amd_iommu=on)",
			  rd->bdf);
		goto err;
	}
	n = real_sysfs_group_devices(h->group);
	if (n > 1) {
		log_error("vfio:%s: its IOMMU group %d holds %d devices; only a group of one device can be given to clients (they would share its translation)",
			  rd->bdf, h->group, n);
		rc = -EBUSY;
		goto err;
	}
	h->container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (h->container_fd < 0) {
		rc = -errno;
		goto err;
	}
	if (ioctl(h->container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(h->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		log_error("vfio:%s: the kernel's VFIO has no type1v2 IOMMU (modprobe vfio_iommu_type1)",
			  rd->bdf);
		rc = -ENODEV;
		goto err;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", h->group);
	h->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (h->group_fd < 0) {
		rc = -errno;
		log_error("vfio:%s: opening %s: %s%s", rd->bdf, path,
			  strerror(-rc), rc == -EBUSY ? " (another program holds the group)" : "");
		goto err;
	}
	if (ioctl(h->group_fd, VFIO_GROUP_GET_STATUS, &status)) {
		rc = -errno;
		goto err;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		log_error("vfio:%s: IOMMU group %d is not viable (every device in it must be bound to vfio-pci)",
			  rd->bdf, h->group);
		rc = -EBUSY;
		goto err;
	}
	if (ioctl(h->group_fd, VFIO_GROUP_SET_CONTAINER, &h->container_fd) ||
	    ioctl(h->container_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		rc = -errno;
		goto err;
	}
	rc = type1_read_info(h);
	if (rc)
		goto err;
	log_info("vfio:%s: group %d, type1v2 container: page sizes %#llx, IOVA %#llx..%#llx with %u reserved holes",
		 rd->bdf, h->group, (unsigned long long)h->pgsize_bitmap,
		 (unsigned long long)h->aperture_start,
		 (unsigned long long)h->aperture_end, h->nr_holes);
	fd = ioctl(h->group_fd, VFIO_GROUP_GET_DEVICE_FD, rd->bdf);
	if (fd < 0) {
		rc = -errno;
		goto err;
	}
	/* The kernel gives it O_CLOEXEC; say so whatever the kernel. */
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	rd->device_fd = fd;
	return 0;
err:
	type1_close(rd);
	return rc;
}

static void type1_hw_mapped(struct real_dev *rd, struct real_hw_mapped *out)
{
	struct type1_hold *h = to_hold(rd);

	out->ranges = atomic_load(&h->hw_ranges);
	out->bytes = atomic_load(&h->hw_bytes);
}

const struct real_backend_ops vfio_type1_backend = {
	.name = "vfio-type1",
	.usable = type1_usable,
	.open = type1_open,
	.close = type1_close,
	.domain_alloc = type1_domain_alloc,
	.attach = type1_attach,
	.hw_mapped = type1_hw_mapped,
};
