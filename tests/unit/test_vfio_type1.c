// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The type1 backend's domains against a fake container (ioctl() wrapped:
 * -Wl,--wrap=ioctl; every other fd reaches the kernel): what the
 * container maps while a domain is attached, from the daemon's view and
 * never the client's address; replace and its rollback when the kernel
 * refuses a map; a partial unmap (VFIO v1 compat cut) mapping back what
 * remains; detach leaving nothing mapped; the container's IOVA holes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/device.h"
#include "core/hw_pagetable.h"
#include "core/user_limits.h"
#include "fake_ops.h"
#include "fake_ucmd.h"
#include "fake_vdev.h"
#include "providers/domain.h"
#include "providers/vfio_real/vfio_real.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/device_priv.h"

/* ---- the fake container ------------------------------------------------ */

#define MAX_HW 64

struct hw_map {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

static int container_fd = -1;
static struct hw_map hw[MAX_HW];
static unsigned int nr_hw, maps_done, fail_map_after;
static bool bad_unmap, fail_always;

/* A device's config space (a memfd) and its command register at an unmap. */
#define CFG_OFFSET 0x70000ull
#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
static int cfg_fd = -1;
static uint16_t cmd_at_unmap;

static uint16_t cfg_command(void)
{
	uint16_t cmd = 0xffff;

	assert_int_equal(pread(cfg_fd, &cmd, 2, CFG_OFFSET + 4), 2);
	return cmd;
}

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

static int fake_get_info(void *arg)
{
	struct vfio_iommu_type1_info *info = arg;
	const uint32_t need = sizeof(*info) +
		sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		2 * sizeof(struct vfio_iova_range);
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1 },
		.nr_iovas = 2,
	};
	const struct vfio_iova_range r[2] = {
		{ 0, 0xfedfffff }, { 0xfef00000, (1ull << 39) - 1 },
	};
	uint32_t argsz = info->argsz;

	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = 4096 | (2u << 20);
	if (argsz < need) {
		info->argsz = need;
		info->cap_offset = 0;
		return 0;
	}
	info->cap_offset = sizeof(*info);
	memcpy((uint8_t *)info + sizeof(*info), &cap, sizeof(cap));
	memcpy((uint8_t *)info + sizeof(*info) + sizeof(cap), r, sizeof(r));
	return 0;
}

static int container_map(const struct vfio_iommu_type1_dma_map *m)
{
	for (unsigned int i = 0; i < nr_hw; i++)
		if (m->iova <= hw[i].iova + hw[i].size - 1 &&
		    hw[i].iova <= m->iova + m->size - 1)
			return -EEXIST;
	if (fail_always || (fail_map_after && maps_done + 1 == fail_map_after)) {
		fail_map_after = 0;
		errno = ENOSPC;
		return -1;
	}
	assert_true(nr_hw < MAX_HW);
	hw[nr_hw++] = (struct hw_map){ m->iova, m->size, m->vaddr, m->flags };
	maps_done++;
	return 0;
}

/* Type1v2: exactly one whole mapping, never a part. */
static int container_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	if (cfg_fd >= 0)
		cmd_at_unmap = cfg_command();
	for (unsigned int i = 0; i < nr_hw; i++)
		if (hw[i].iova == u->iova && hw[i].size == u->size) {
			hw[i] = hw[--nr_hw];
			return 0;
		}
	bad_unmap = true;
	errno = EINVAL;
	return -1;
}

/* A real device's fd: INTx, 4 MSI and 8 MSI-X vectors, ERR and REQ. */
static int fake_dev_fd = -1;

static int fake_dev_irq_info(struct vfio_irq_info *ii)
{
	static const uint32_t counts[VFIO_PCI_NUM_IRQS] = { 1, 4, 8, 1, 1 };

	if (ii->index >= VFIO_PCI_NUM_IRQS) {
		errno = EINVAL;
		return -1;
	}
	ii->count = counts[ii->index];
	ii->flags = VFIO_IRQ_INFO_EVENTFD;
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == fake_dev_fd && fake_dev_fd >= 0 &&
	    req == VFIO_DEVICE_GET_IRQ_INFO)
		return fake_dev_irq_info(arg);
	if (fd != container_fd || container_fd < 0)
		return __real_ioctl(fd, req, arg);
	switch (req) {
	case VFIO_IOMMU_GET_INFO:
		return fake_get_info(arg);
	case VFIO_IOMMU_MAP_DMA: {
		int rc = container_map(arg);

		if (rc == -EEXIST) {
			errno = EEXIST;
			return -1;
		}
		return rc;
	}
	case VFIO_IOMMU_UNMAP_DMA:
		return container_unmap(arg);
	default:
		errno = ENOTTY;
		return -1;
	}
}

static const struct hw_map *hw_at(uint64_t iova)
{
	for (unsigned int i = 0; i < nr_hw; i++)
		if (hw[i].iova == iova)
			return &hw[i];
	return NULL;
}

/* ---- a provider on the type1 backend ----------------------------------- */

static struct real_dev rd;

static int t1_domain_alloc(struct served_device *sd, struct iommufd_domain **out)
{
	(void)sd;
	return vfio_type1_backend.domain_alloc(&rd, out);
}

static int t1_attach(struct served_device *sd, struct iommufd_domain *d)
{
	int rc = vfio_type1_backend.attach(&rd, d);

	(void)sd;
	if (!rc || !d)
		rd.attached = d;
	return d ? rc : 0;
}

static void t1_region_desc(struct served_device *sd, uint32_t index,
			   struct sdev_region_desc *out)
{
	(void)sd;
	(void)index;
	memset(out, 0, sizeof(*out));
}

/* The vfio:BDF provider's answer when a test set a struct vfio_real. */
static void t1_irq_desc(struct served_device *sd, uint32_t index,
			struct sdev_irq_desc *out)
{
	memset(out, 0, sizeof(*out));
	if (sdev_priv(sd))
		vfio_real_sdev_ops.irq_desc(sd, index, out);
}

static void t1_close_device(struct served_device *sd)
{
	if (sdev_priv(sd))
		vfio_real_sdev_ops.close_device(sd);
}

static const struct sdev_ops t1_ops = {
	.kind = "t1",
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = t1_region_desc,
	.irq_desc = t1_irq_desc,
	.close_device = t1_close_device,
	.domain_alloc = t1_domain_alloc,
	.attach = t1_attach,
};

static struct fake_vdev vdev;
static struct served_device *sd;
static long pg;

static int setup(void **state)
{
	(void)state;
	pg = sysconf(_SC_PAGESIZE);
	fake_vdev_init(&vdev);
	memset(&rd, 0, sizeof(rd));
	rd.device_fd = -1;
	snprintf(rd.bdf, sizeof(rd.bdf), "0000:00:03.0");
	container_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(container_fd >= 0);
	assert_int_equal(vfio_type1_adopt(&rd, container_fd), 0);
	nr_hw = maps_done = fail_map_after = 0;
	bad_unmap = fail_always = false;
	assert_int_equal(served_device_create_ops(&vdev.env.daemon, &t1_ops, "t1",
						  "", &sd), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	served_device_destroy(sd);
	fake_vdev_fini(&vdev);
	vfio_type1_backend.close(&rd); /* closes container_fd */
	container_fd = -1;
	assert_false(bad_unmap);
	return 0;
}

/*
 * By value: an IOAS's attach replies with its domain's HWPT ID, and the
 * tests go on naming the IOAS.
 */
static long attach(struct vfio_device_file *df, uint32_t pt)
{
	return fake_vdev_attach(df, &pt);
}

static uint32_t hwpt_new(uint32_t devid, uint32_t ioas)
{
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = devid,
				      .pt_id = ioas };

	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_HWPT_ALLOC, &h, sizeof(h)), 0);
	return h.out_hwpt_id;
}

static uint8_t *shared_pages(size_t n, uint8_t fill)
{
	uint8_t *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	memset(p, fill, n * pg);
	return p;
}

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/* ---- the tests --------------------------------------------------------- */

/* Maps reach the container while attached, from the daemon's view. */
static void test_attach_mirrors(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx);
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *a = shared_pages(2, 0x11), *b = shared_pages(1, 0x22);
	const struct hw_map *m;
	struct real_hw_mapped st;

	(void)state;
	/* Mapped before the attach: the attach puts it on the hardware. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, RW, a, 2 * pg, 0x100000), 0);
	assert_int_equal(nr_hw, 0);
	assert_int_equal(attach(df, ioas), 0);
	assert_int_equal(nr_hw, 1);
	m = hw_at(0x100000);
	assert_non_null(m);
	assert_int_equal(m->size, 2 * pg);
	assert_int_equal(m->flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	assert_true(m->vaddr != (uintptr_t)a);
	assert_int_equal(((uint8_t *)(uintptr_t)m->vaddr)[pg + 5], 0x11);
	/* Mapped while attached: at once, read-only as asked. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, IOMMU_IOAS_MAP_READABLE,
					b, pg, 0x300000), 0);
	m = hw_at(0x300000);
	assert_non_null(m);
	assert_int_equal(m->flags, VFIO_DMA_MAP_FLAG_READ);
	vfio_type1_backend.hw_mapped(&rd, &st);
	assert_int_equal(st.ranges, 2);
	assert_int_equal(st.bytes, 3 * pg);
	/* The container's hole is reserved in the IOAS. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, RW, b, pg, 0xfee00000),
			 -EINVAL);
	assert_int_equal(fake_unmap(vdev.env.ictx, ioas, 0x300000, pg, NULL), 0);
	assert_null(hw_at(0x300000));
	assert_int_equal(fake_vdev_detach(df), 0);
	assert_int_equal(nr_hw, 0);
	vfio_type1_backend.hw_mapped(&rd, &st);
	assert_int_equal(st.ranges, 0);
	assert_int_equal(st.bytes, 0);
	vfio_device_file_release(df);
	munmap(a, 2 * pg);
	munmap(b, pg);
}

/* The kernel refuses a map in a replace: the old domain is back, whole. */
static void test_replace_rollback(void **state)
{
	uint32_t devid, ioas1 = fake_ioas_new(vdev.env.ictx), ioas2 = fake_ioas_new(vdev.env.ictx);
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, &devid);
	uint8_t *a = shared_pages(3, 0x33);
	uint32_t h1 = hwpt_new(devid, ioas1), h2 = hwpt_new(devid, ioas2);

	(void)state;
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas1, RW, a, pg, 0x100000), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas1, RW, a + pg, pg, 0x200000), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas2, RW, a, pg, 0x500000), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas2, RW, a + 2 * pg, pg, 0x600000), 0);
	assert_int_equal(attach(df, h1), 0);
	assert_int_equal(nr_hw, 2);
	/* The second map of the new domain fails. */
	fail_map_after = maps_done + 2;
	assert_int_equal(attach(df, h2), -ENOSPC);
	fail_map_after = 0;
	assert_int_equal(nr_hw, 2);
	assert_non_null(hw_at(0x100000));
	assert_non_null(hw_at(0x200000));
	assert_true(sd->pt_id == h1);
	/* And a replace that works swaps them. */
	assert_int_equal(attach(df, h2), 0);
	assert_int_equal(nr_hw, 2);
	assert_non_null(hw_at(0x500000));
	assert_non_null(hw_at(0x600000));
	/* Mapping into the detached domain does not reach the hardware. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas1, RW, a + 2 * pg, pg, 0x700000), 0);
	assert_null(hw_at(0x700000));
	/*
	 * Neither the new nor the old domain can be mapped: the replace
	 * fails, the device is blocked (nothing mapped), and what follows
	 * unmaps nothing that is not there.
	 */
	fail_always = true;
	assert_int_equal(attach(df, h1), -ENOSPC);
	assert_int_equal(nr_hw, 0);
	fail_always = false;
	assert_int_equal(fake_vdev_detach(df), 0);
	assert_int_equal(attach(df, h1), 0);
	assert_int_equal(nr_hw, 3);
	vfio_device_file_release(df);
	assert_int_equal(nr_hw, 0);
	assert_int_equal(fake_destroy(vdev.env.ictx, h1), 0);
	assert_int_equal(fake_destroy(vdev.env.ictx, h2), 0);
	munmap(a, 3 * pg);
}

static long vfio_int(unsigned int cmd, uint64_t arg)
{
	return fake_ioctl_ptr(vdev.env.ictx, cmd, arg);
}

/* VFIO v1 unmaps a part of a mapping: the rest is mapped back. */
static void test_partial_unmap_maps_back(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx);
	struct iommu_vfio_ioas set = { .size = sizeof(set), .ioas_id = ioas,
				       .op = IOMMU_VFIO_IOAS_SET };
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *a = shared_pages(4, 0x44);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)a, .iova = 0x100000, .size = 4 * pg,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = 0x100000 + pg, .size = pg,
	};
	const struct hw_map *lo, *hi;

	(void)state;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_VFIO_IOAS, &set, sizeof(set)), 0);
	assert_int_equal(vfio_int(VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(attach(df, ioas), 0);
	assert_int_equal(fake_ioctl(vdev.env.ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map)), 0);
	assert_int_equal(nr_hw, 1);
	assert_int_equal(fake_ioctl(vdev.env.ictx, VFIO_IOMMU_UNMAP_DMA, &unmap,
				    sizeof(unmap)), 0);
	assert_int_equal(nr_hw, 2);
	lo = hw_at(0x100000);
	hi = hw_at(0x100000 + 2 * pg);
	assert_non_null(lo);
	assert_non_null(hi);
	assert_int_equal(lo->size, pg);
	assert_int_equal(hi->size, 2 * pg);
	assert_int_equal(hi->vaddr, lo->vaddr + 2 * pg);
	vfio_device_file_release(df);
	assert_int_equal(nr_hw, 0);
	munmap(a, 4 * pg);
}

/* Private memory never reaches the container. */
static void test_private_refused(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx);
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(p != MAP_FAILED);
	p[0] = 1;
	assert_int_equal(attach(df, ioas), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, RW, p, pg, 0x100000),
			 -EOPNOTSUPP);
	assert_int_equal(nr_hw, 0);
	vfio_device_file_release(df);
	munmap(p, pg);
}

/*
 * A real IOMMU's domain (a kernel IOAS on the iommufd backend) is charged
 * to the client with its HWPT and uncharged with it, so --max-user-memory
 * bounds how many a client makes.
 */
static void test_hw_domain_charged(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), devid, hwpt;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, &devid);
	struct iommu_destroy d = { .size = sizeof(d) };
	uint64_t before = user_limits_bytes(&vdev.env.daemon.user_limits, 0);

	(void)state;
	hwpt = hwpt_new(devid, ioas);
	assert_true(user_limits_bytes(&vdev.env.daemon.user_limits, 0) >=
		    before + SERVED_HW_DOMAIN_CHARGE);
	d.id = hwpt;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_DESTROY, &d, sizeof(d)), 0);
	assert_int_equal(user_limits_bytes(&vdev.env.daemon.user_limits, 0), before);
	vfio_device_file_release(df);
}

/*
 * A real device's interrupt indexes through the layer: what GET_IRQ_INFO
 * offers, SET_IRQS takes.  INTx is the real device's, MSI one vector of
 * it (the one line passed on); MSI-X, which nothing routes, has no
 * vectors (the kernel's answer for a device without it), so a SET_IRQS of
 * it is EINVAL rather than ENOTTY after GET_IRQ_INFO promised 8 vectors.
 */
static void test_real_irq_indexes(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	/* A header and two eventfds; clang refuses the header inside a struct. */
	_Alignas(struct vfio_irq_set) uint8_t buf[sizeof(struct vfio_irq_set) +
						 2 * sizeof(int32_t)] = { 0 };
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	const int32_t no_fds[2] = { -1, -1 };
	struct vfio_real *vr = calloc(1, sizeof(*vr));

	(void)state;
	assert_non_null(vr);
	fake_dev_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(fake_dev_fd >= 0);
	vr->rd.device_fd = fake_dev_fd;
	vr->num_irqs = VFIO_PCI_NUM_IRQS;
	sdev_set_priv(sd, vr);

	ii.index = VFIO_PCI_INTX_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii)), 0);
	assert_int_equal(ii.count, 1);
	/* Of the real device's 4 MSI vectors, the one the daemon passes on. */
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii)), 0);
	assert_int_equal(ii.count, 1);
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii)), 0);
	assert_int_equal(ii.count, 0);
	*set = (struct vfio_irq_set){
		.argsz = sizeof(buf),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSIX_IRQ_INDEX, .count = 1 };
	memcpy(set->data, no_fds, sizeof(no_fds));
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_SET_IRQS, buf, sizeof(buf)),
			 -EINVAL);
	/* Two MSI vectors are more than offered: EINVAL, as past a count. */
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->count = 2;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_SET_IRQS, buf, sizeof(buf)),
			 -EINVAL);

	sdev_set_priv(sd, NULL);
	vfio_device_file_release(df);
	close(fake_dev_fd);
	fake_dev_fd = -1;
	free(vr);
}

/*
 * The end of a binding leaves a real device as the kernel's close would:
 * the command register of open, bus mastering off, and off before the
 * container unmaps what the device could still write.
 */
static void test_close_stops_mastering_first(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx);
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *mem = shared_pages(1, 0x33);
	struct vfio_real *vr = calloc(1, sizeof(*vr));
	uint16_t cmd = PCI_CMD_MEMORY | PCI_CMD_MASTER;

	(void)state;
	assert_non_null(vr);
	cfg_fd = memfd_create("config", MFD_CLOEXEC);
	assert_true(cfg_fd >= 0);
	vr->rd.device_fd = cfg_fd;
	vr->num_regions = VFIO_PCI_NUM_REGIONS;
	vr->regions[VFIO_PCI_CONFIG_REGION_INDEX].offset = CFG_OFFSET;
	vr->regions[VFIO_PCI_CONFIG_REGION_INDEX].size = 256;
	vr->open_command = PCI_CMD_MEMORY;
	sdev_set_priv(sd, vr);
	/* The client turned mastering on and has a page on the hardware. */
	assert_int_equal(pwrite(cfg_fd, &cmd, 2, CFG_OFFSET + 4), 2);
	assert_int_equal(attach(df, ioas), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, RW, mem, pg, 0x100000), 0);
	assert_int_equal(nr_hw, 1);
	cmd_at_unmap = 0xffff;

	vfio_device_file_release(df);
	assert_int_equal(nr_hw, 0);
	assert_int_equal(cmd_at_unmap, PCI_CMD_MEMORY);
	assert_int_equal(cfg_command(), PCI_CMD_MEMORY);

	/* The next binding finds it so; its own end puts the same back. */
	df = fake_vdev_bound(&vdev, sd, NULL);
	cmd = PCI_CMD_MASTER;
	assert_int_equal(pwrite(cfg_fd, &cmd, 2, CFG_OFFSET + 4), 2);
	vfio_device_file_release(df);
	assert_int_equal(cfg_command(), PCI_CMD_MEMORY);

	sdev_set_priv(sd, NULL);
	close(cfg_fd);
	cfg_fd = -1;
	free(vr);
	assert_int_equal(fake_destroy(vdev.env.ictx, ioas), 0);
	munmap(mem, pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_attach_mirrors),
		T(test_replace_rollback),
		T(test_partial_unmap_maps_back),
		T(test_private_refused),
		T(test_real_irq_indexes),
		T(test_hw_domain_charged),
		T(test_close_stops_mastering_first),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
