// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "iommufd" way of holding a vfio:BDF device: on a kernel that has its
 * own iommufd, the daemon binds the device's VFIO cdev to a /dev/iommu of
 * its own and mirrors the client's mappings there.
 *
 * Theory of operation
 * -------------------
 * One kernel iommufd per daemon, opened with the first device and closed
 * with the last domain or device: a daemon domain is one kernel IOAS of
 * that file, and a device attaches with VFIO_DEVICE_ATTACH_IOMMUFD_PT to
 * the IOAS of the domain it should follow (the kernel makes and reuses the
 * hardware page table behind it, and a second attach replaces, as the
 * client's own attach does).  One file rather than one per device because
 * a client may attach two real devices to one HWPT: both then follow the
 * same kernel IOAS, as they would the kernel's own; the kernel's ioctls
 * are safe to call from several threads on one file.
 *
 * A domain mirrors every map and unmap at once, attached or not: an IOAS
 * with no device pins nothing in the kernel, so attach is one ioctl and
 * the kernel fills the page table from what the IOAS holds.  A map goes
 * to the kernel at the same IOVA (IOMMU_IOAS_MAP_FIXED_IOVA):
 *  - IOMMU_IOAS_MAP_FILE of the daemon's descriptor when the client gave a
 *    file (IOAS_MAP_FILE of a memfd): the kernel pins the file's pages
 *    itself, independent of any mapping;
 *  - else IOMMU_IOAS_MAP of the daemon's view of the pinned pages (shared
 *    memory the daemon mapped and mlocked, pages.c).  The kernel pins the
 *    view's pages in the daemon's address space; the daemon keeps the view
 *    while any domain maps it (the core unmaps a domain before it unpins),
 *    and a client truncating the file under the view costs the kernel's
 *    pin an -EFAULT, never the daemon a SIGBUS.
 * Private memory never gets here: the pin refuses it for needs_phys.
 *
 * The kernel unmaps only whole areas it mapped (IOAS_UNMAP of a part is
 * ENOENT), while the core may cut an area and unmap one half (the VFIO
 * type1 look-alike does).  So every kernel area is recorded (struct
 * kmap: IOVA range, pages, byte offset, protection), and an unmap that
 * cuts one takes the whole area out and maps the parts that stay back.
 *
 * The aperture and page sizes come from the kernel: at open the device is
 * attached once to an empty probe IOAS, whose IOMMU_IOAS_IOVA_RANGES then
 * says what the IOMMU translates for it: the aperture, and between its
 * ranges the reserved regions (the MSI window), which become the domain's
 * holes, reserved in the client's IOAS while the domain is in it.
 *
 * Which /dev/iommu: only the kernel's misc device (its st_rdev is the one
 * /sys/class/misc/iommu/dev names), never a CUSE node of ours or anybody's
 * that may sit at the same path.
 *
 * Locking: every call runs under the lock of the context the device is
 * bound to (real_backend.h), and a domain belongs to one context.  What
 * is shared between contexts, the daemon's file, the list of devices and
 * which domain each follows (read by status without the context lock),
 * is under kfd_lock, a leaf lock held for a few stores; the counters
 * status reads are atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

#include "log.h"
#include "core/interval_tree.h"
#include "core/pages.h"
#include "providers/domain.h"
#include "providers/vfio_real/real_backend.h"
#include "providers/vfio_real/vfio_real.h"

#define KIOMMUFD_DEV "/dev/iommu"
#define KIOMMUFD_SYS_DEV "/sys/class/misc/iommu/dev"
/* Ranges read from IOVA_RANGES: an Intel IOMMU reports two or three. */
#define KIOMMUFD_MAX_RANGES 64u

/* ---- the daemon's kernel iommufd ---------------------------------------- */

static pthread_mutex_t kfd_lock = PTHREAD_MUTEX_INITIALIZER;
static int kfd = -1;
static unsigned int kfd_refs;

/* The dev_t a "MAJ:MIN" sysfs dev file names, 0 when unreadable. */
static dev_t sysfs_devt(const char *path)
{
	unsigned int maj, min;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	return n == 2 ? makedev(maj, min) : 0;
}

/* Opens path only if it is the character device sysfs_dev names. */
static int open_chr_checked(const char *path, const char *sysfs_dev)
{
	dev_t want = sysfs_devt(sysfs_dev);
	struct stat st;
	int fd;

	if (!want)
		return -ENODEV;
	/* stat before open: opening a look-alike could be a request to us */
	if (stat(path, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != want)
		return -ENODEV;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != want) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

static int kfd_get(void)
{
	int rc = 0;

	pthread_mutex_lock(&kfd_lock);
	if (kfd < 0) {
		rc = open_chr_checked(KIOMMUFD_DEV, KIOMMUFD_SYS_DEV);
		if (rc >= 0) {
			kfd = rc;
			rc = 0;
		}
	}
	if (!rc)
		kfd_refs++;
	pthread_mutex_unlock(&kfd_lock);
	return rc ? rc : kfd;
}

static void kfd_put(void)
{
	pthread_mutex_lock(&kfd_lock);
	if (!--kfd_refs) {
		close(kfd);
		kfd = -1;
	}
	pthread_mutex_unlock(&kfd_lock);
}

/* ioctl with the kernel's errno, negative. */
static int kioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int kioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int rc = kioctl(fd, IOMMU_IOAS_ALLOC, &a);

	if (!rc)
		*id = a.out_ioas_id;
	return rc;
}

static int kdestroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return kioctl(fd, IOMMU_DESTROY, &d);
}

/* IOAS_UNMAP of [iova, iova + length); the bytes unmapped in *done. */
static int kioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t length,
		       uint64_t *done)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = length,
	};
	int rc = kioctl(fd, IOMMU_IOAS_UNMAP, &u);

	*done = rc ? 0 : u.length;
	return rc;
}

static int kdev_attach(int device_fd, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = pt_id,
	};

	return kioctl(device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int kdev_detach(int device_fd)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return kioctl(device_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

/* ---- per device --------------------------------------------------------- */

struct kdomain;

struct kiommufd_dev {
	struct kiommufd_dev *next; /* on kdevs, under kfd_lock */
	/* The domain the device follows, for status: under kfd_lock. */
	struct kdomain *attached;
	int iommufd;	 /* kfd, referenced */
	uint32_t devid;	 /* the device object in it */
	uint64_t aperture_start, aperture_last;
	uint64_t iova_alignment;
	/* Between the kernel's IOVA ranges: reserved regions (MSI window). */
	unsigned int nr_holes;
	struct iommufd_iova_hole holes[KIOMMUFD_MAX_RANGES - 1];
};

/* Every open device, so that a domain going detaches it from status. */
static struct kiommufd_dev *kdevs;

/* The vfioN under /sys/bus/pci/devices/BDF/vfio-dev, or -ENODEV. */
static int bdf_vfio_cdev(const char *bdf, char *name, size_t size)
{
	char path[128];
	int n;

	/* A BDF is hex digits, ':' and '.': nothing that climbs out of sysfs. */
	if (!bdf[0] || strspn(bdf, "0123456789abcdefABCDEF:.") != strlen(bdf))
		return -EINVAL;
	for (unsigned int i = 0; i < 256; i++) {
		struct stat st;

		n = snprintf(path, sizeof(path),
			     "/sys/bus/pci/devices/%s/vfio-dev/vfio%u", bdf, i);
		if (n < 0 || (size_t)n >= sizeof(path))
			return -EINVAL;
		if (stat(path, &st) == 0) {
			n = snprintf(name, size, "vfio%u", i);
			return n > 0 && (size_t)n < size ? 0 : -EINVAL;
		}
	}
	return -ENODEV;
}

static bool kiommufd_usable(const char *bdf)
{
	char name[32];
	int fd;

	if (bdf_vfio_cdev(bdf, name, sizeof(name)))
		return false;
	fd = open_chr_checked(KIOMMUFD_DEV, KIOMMUFD_SYS_DEV);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The IOVA window the IOMMU translates for the device: attach it to an
 * empty IOAS and ask.  The device is left bound and detached (blocked).
 */
static int kiommufd_probe(struct real_dev *rd, struct kiommufd_dev *kd)
{
	struct iommu_iova_range ranges[KIOMMUFD_MAX_RANGES];
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	uint32_t ioas;
	int rc, rc2;

	rc = kioas_alloc(kd->iommufd, &ioas);
	if (rc)
		return rc;
	rc = kdev_attach(rd->device_fd, ioas);
	if (rc)
		goto out_destroy;
	r.ioas_id = ioas;
	r.num_iovas = KIOMMUFD_MAX_RANGES;
	r.allowed_iovas = (uintptr_t)ranges;
	rc = kioctl(kd->iommufd, IOMMU_IOAS_IOVA_RANGES, &r);
	rc2 = kdev_detach(rd->device_fd);
	if (!rc)
		rc = rc2;
	if (rc)
		goto out_destroy;
	if (!r.num_iovas) {
		rc = -ENODEV;
		goto out_destroy;
	}
	kd->aperture_start = ranges[0].start;
	kd->aperture_last = ranges[r.num_iovas - 1].last;
	kd->nr_holes = 0;
	for (unsigned int i = 1; i < r.num_iovas; i++)
		if (ranges[i].start > ranges[i - 1].last + 1)
			kd->holes[kd->nr_holes++] = (struct iommufd_iova_hole){
				.start = ranges[i - 1].last + 1,
				.last = ranges[i].start - 1,
			};
	kd->iova_alignment = r.out_iova_alignment ? r.out_iova_alignment : 4096;
	if (kd->iova_alignment & (kd->iova_alignment - 1)) {
		rc = -EINVAL;
		goto out_destroy;
	}
	log_info("%s: kernel iommufd: IOVA 0x%" PRIx64 "-0x%" PRIx64
		 " with %u reserved hole(s), alignment 0x%" PRIx64,
		 rd->bdf, kd->aperture_start, kd->aperture_last,
		 kd->nr_holes, kd->iova_alignment);
out_destroy:
	rc2 = kdestroy(kd->iommufd, ioas);
	return rc ? rc : rc2;
}

static int kiommufd_open(struct real_dev *rd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char name[32], path[96], sys[160];
	struct kiommufd_dev *kd;
	int rc, group;

	/*
	 * As type1 refuses it: a group's devices share one translation, and
	 * every device the daemon holds is bound to its one kernel iommufd,
	 * so the kernel would not keep two clients' devices of a group apart.
	 */
	if (!real_sysfs_group(rd->bdf, &group) &&
	    real_sysfs_group_devices(group) > 1) {
		log_error("vfio:%s: its IOMMU group %d holds more than one device; only a group of one device can be given to clients (they would share its translation)",
			  rd->bdf, group);
		return -EBUSY;
	}
	rc = bdf_vfio_cdev(rd->bdf, name, sizeof(name));
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s/vfio-dev/%s/dev",
		 rd->bdf, name);
	kd = calloc(1, sizeof(*kd));
	if (!kd)
		return -ENOMEM;
	rc = kfd_get();
	if (rc < 0)
		goto out_free;
	kd->iommufd = rc;
	rc = open_chr_checked(path, sys);
	if (rc < 0)
		goto out_put;
	rd->device_fd = rc;
	bind.iommufd = kd->iommufd;
	rc = kioctl(rd->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (rc) {
		log_error("%s: VFIO_DEVICE_BIND_IOMMUFD: %s", rd->bdf,
			  strerror(-rc));
		goto out_close;
	}
	kd->devid = bind.out_devid;
	rc = kiommufd_probe(rd, kd);
	if (rc) {
		log_error("%s: cannot learn the device's IOVA ranges from the kernel: %s",
			  rd->bdf, strerror(-rc));
		goto out_close;
	}
	pthread_mutex_lock(&kfd_lock);
	kd->next = kdevs;
	kdevs = kd;
	pthread_mutex_unlock(&kfd_lock);
	rd->backend_priv = kd;
	return 0;

out_close:
	close(rd->device_fd);
	rd->device_fd = -1;
out_put:
	kfd_put();
out_free:
	free(kd);
	return rc;
}

static void kiommufd_close(struct real_dev *rd)
{
	struct kiommufd_dev *kd = rd->backend_priv;

	if (!kd)
		return;
	pthread_mutex_lock(&kfd_lock);
	for (struct kiommufd_dev **p = &kdevs; *p; p = &(*p)->next)
		if (*p == kd) {
			*p = kd->next;
			break;
		}
	pthread_mutex_unlock(&kfd_lock);
	/* Closing the device file unbinds it, and with that detaches it. */
	if (rd->device_fd >= 0)
		close(rd->device_fd);
	rd->device_fd = -1;
	kfd_put();
	free(kd);
	rd->backend_priv = NULL;
}

/* ---- domains ------------------------------------------------------------ */

/* One area of the kernel IOAS, as mapped. */
struct kmap {
	struct interval_tree_node node; /* [iova, iova + length - 1] */
	struct iopt_pages *pages;
	uint64_t start_byte;
	int prot;
};

struct kdomain {
	int iommufd; /* kfd, referenced */
	uint32_t ioas;
	struct interval_tree_root maps;
	/* Written under the context lock, read by status without it. */
	_Atomic uint64_t nr_maps, mapped_bytes;
	/* The device's holes, copied: a domain may outlive the device. */
	struct iommufd_iova_hole holes[];
};

static const struct backend_ops kiommufd_domain_ops;

static struct kdomain *to_kdomain(struct iommufd_domain *domain)
{
	return domain->priv;
}

/* Maps [iova, iova + length) onto pages from start_byte in the kernel. */
static int kdomain_map_kernel(struct kdomain *k, uint64_t iova,
			      struct iopt_pages *pages, uint64_t start_byte,
			      uint64_t length, int prot)
{
	uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	uint64_t off;
	void *va;
	int fd;

	if (prot & IOMMU_READ)
		flags |= IOMMU_IOAS_MAP_READABLE;
	if (prot & IOMMU_WRITE)
		flags |= IOMMU_IOAS_MAP_WRITEABLE;
	fd = iopt_pages_file_fd(pages, start_byte, &off);
	if (fd >= 0) {
		struct iommu_ioas_map_file m = {
			.size = sizeof(m), .flags = flags, .ioas_id = k->ioas,
			.fd = fd, .start = off, .length = length, .iova = iova,
		};

		return kioctl(k->iommufd, IOMMU_IOAS_MAP_FILE, &m);
	}
	va = iopt_pages_view_va(pages, start_byte, length);
	if (!va)
		return -EFAULT;
	struct iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = k->ioas,
		.user_va = (uintptr_t)va, .length = length, .iova = iova,
	};

	return kioctl(k->iommufd, IOMMU_IOAS_MAP, &m);
}

/* Maps in the kernel and records the area. */
static int kdomain_add(struct kdomain *k, uint64_t iova,
		       struct iopt_pages *pages, uint64_t start_byte,
		       uint64_t length, int prot)
{
	struct kmap *m;
	int rc;

	if (!length || iova + length - 1 < iova)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	rc = kdomain_map_kernel(k, iova, pages, start_byte, length, prot);
	if (rc) {
		free(m);
		return rc;
	}
	m->node.start = iova;
	m->node.last = iova + length - 1;
	m->pages = pages;
	m->start_byte = start_byte;
	m->prot = prot;
	interval_tree_insert(&m->node, &k->maps);
	k->nr_maps++;
	k->mapped_bytes += length;
	return 0;
}

static int kdomain_map(struct iommufd_domain *domain, uint64_t iova,
		       struct iopt_pages *pages, uint64_t start_byte,
		       uint64_t length, int prot)
{
	return kdomain_add(to_kdomain(domain), iova, pages, start_byte, length,
			   prot);
}

static void kdomain_forget(struct kdomain *k, struct kmap *m)
{
	interval_tree_remove(&m->node, &k->maps);
	k->nr_maps--;
	k->mapped_bytes -= m->node.last - m->node.start + 1;
	free(m);
}

/*
 * Puts back [first, last] of a kernel area the core cut: the area went
 * whole, this part must stay.  Failing leaves the part unmapped in the
 * hardware (its DMA faults), never mapped to anything else.
 */
static void kdomain_map_back(struct kdomain *k, const struct kmap *old,
			     uint64_t first, uint64_t last)
{
	uint64_t sb = old->start_byte + (first - old->node.start);
	int rc;

	rc = kdomain_add(k, first, old->pages, sb, last - first + 1, old->prot);
	if (rc)
		log_error("kernel iommufd: cannot map back IOVA 0x%" PRIx64
			  "-0x%" PRIx64 " after cutting its area: %s; the device's DMA there faults",
			  first, last, strerror(-rc));
}

static void kdomain_unmap(struct iommufd_domain *domain, uint64_t iova,
			  uint64_t length)
{
	struct kdomain *k = to_kdomain(domain);
	uint64_t last = iova + length - 1;
	struct interval_tree_node *node;

	if (!length)
		return;
	while ((node = interval_tree_iter_first(&k->maps, iova, last))) {
		struct kmap *m = interval_tree_entry(node, struct kmap, node);
		struct kmap old = *m;
		uint64_t done;
		int rc;

		rc = kioas_unmap(k->iommufd, k->ioas, old.node.start,
				 old.node.last - old.node.start + 1, &done);
		if (rc)
			log_error("kernel iommufd: IOAS_UNMAP of IOVA 0x%" PRIx64
				  "-0x%" PRIx64 ": %s",
				  old.node.start, old.node.last, strerror(-rc));
		kdomain_forget(k, m);
		if (old.node.start < iova)
			kdomain_map_back(k, &old, old.node.start, iova - 1);
		if (old.node.last > last)
			kdomain_map_back(k, &old, last + 1, old.node.last);
	}
}

static void kdomain_free(struct iommufd_domain *domain)
{
	struct kdomain *k = to_kdomain(domain);
	struct interval_tree_node *node;
	uint64_t left = 0;
	int rc;

	/* The core unmapped everything; the kernel's word on whether it did. */
	rc = kioas_unmap(k->iommufd, k->ioas, 0, UINT64_MAX, &left);
	if ((rc && rc != -ENOENT) || left)
		log_error("kernel iommufd: IOAS %u still mapped %" PRIu64
			  " bytes when its domain went (%s)",
			  k->ioas, left, rc ? strerror(-rc) : "unmapped now");
	rc = kdestroy(k->iommufd, k->ioas);
	if (rc)
		log_error("kernel iommufd: IOMMU_DESTROY of IOAS %u: %s",
			  k->ioas, strerror(-rc));
	while ((node = interval_tree_first(&k->maps)))
		kdomain_forget(k, interval_tree_entry(node, struct kmap, node));
	pthread_mutex_lock(&kfd_lock);
	for (struct kiommufd_dev *kd = kdevs; kd; kd = kd->next)
		if (kd->attached == k)
			kd->attached = NULL;
	pthread_mutex_unlock(&kfd_lock);
	kfd_put();
	free(k);
	free(domain);
}

static const struct backend_ops kiommufd_domain_ops = {
	.name = "kernel-iommufd",
	.map = kdomain_map,
	.unmap = kdomain_unmap,
	.free = kdomain_free,
};

static int kiommufd_domain_alloc(struct real_dev *rd,
				 struct iommufd_domain **out)
{
	struct kiommufd_dev *kd = rd->backend_priv;
	struct iommufd_domain *domain;
	struct kdomain *k;
	int rc;

	if (!kd)
		return -ENODEV;
	domain = calloc(1, sizeof(*domain));
	k = calloc(1, sizeof(*k) + kd->nr_holes * sizeof(k->holes[0]));
	if (!domain || !k) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = kfd_get();
	if (rc < 0)
		goto out_free;
	k->iommufd = rc;
	rc = kioas_alloc(k->iommufd, &k->ioas);
	if (rc) {
		kfd_put();
		goto out_free;
	}
	k->maps = INTERVAL_TREE_ROOT_INIT;
	domain->ops = &kiommufd_domain_ops;
	/* Every power of two from the kernel's IOVA alignment up. */
	domain->pgsize_bitmap = ~(kd->iova_alignment - 1);
	domain->aperture_start = kd->aperture_start;
	domain->aperture_end = kd->aperture_last;
	domain->needs_phys = true;
	if (kd->nr_holes)
		memcpy(k->holes, kd->holes, kd->nr_holes * sizeof(k->holes[0]));
	domain->holes = k->holes;
	domain->nr_holes = kd->nr_holes;
	domain->priv = k;
	*out = domain;
	return 0;

out_free:
	free(k);
	free(domain);
	return rc;
}

static void kiommufd_set_attached(struct kiommufd_dev *kd, struct kdomain *k)
{
	pthread_mutex_lock(&kfd_lock);
	kd->attached = k;
	pthread_mutex_unlock(&kfd_lock);
}

static int kiommufd_attach(struct real_dev *rd, struct iommufd_domain *domain)
{
	struct kiommufd_dev *kd = rd->backend_priv;
	int rc;

	if (!kd || rd->device_fd < 0)
		return -ENODEV;
	if (!domain) {
		rc = kdev_detach(rd->device_fd);
		if (rc)
			log_error("%s: VFIO_DEVICE_DETACH_IOMMUFD_PT: %s",
				  rd->bdf, strerror(-rc));
		else
			kiommufd_set_attached(kd, NULL);
		return rc;
	}
	/* A domain of another backend is another IOMMU driver's. */
	if (domain->ops != &kiommufd_domain_ops)
		return -EINVAL;
	rc = kdev_attach(rd->device_fd, to_kdomain(domain)->ioas);
	if (!rc)
		kiommufd_set_attached(kd, to_kdomain(domain));
	return rc;
}

static void kiommufd_hw_mapped(struct real_dev *rd, struct real_hw_mapped *out)
{
	struct kiommufd_dev *kd = rd->backend_priv;

	out->ranges = out->bytes = 0;
	if (!kd)
		return;
	pthread_mutex_lock(&kfd_lock);
	if (kd->attached) {
		out->ranges = kd->attached->nr_maps;
		out->bytes = kd->attached->mapped_bytes;
	}
	pthread_mutex_unlock(&kfd_lock);
}

const struct real_backend_ops kernel_iommufd_backend = {
	.name = "iommufd",
	.usable = kiommufd_usable,
	.open = kiommufd_open,
	.close = kiommufd_close,
	.domain_alloc = kiommufd_domain_alloc,
	.attach = kiommufd_attach,
	.hw_mapped = kiommufd_hw_mapped,
};
