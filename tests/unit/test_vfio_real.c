// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A provider with a real IOMMU, without hardware: the core's hooks for it
 * (sdev_ops domain_alloc/attach: its errno fails the ioctl and nothing
 * changes; detach and unbind block its DMA), iopt_pages_view_va(), and the
 * vfio:BDF provider's start-up checks against a sysfs tree of the test's
 * own (options, a device not on vfio-pci, a group of two devices).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/hw_pagetable.h"
#include "core/pages.h"
#include "fake_ops.h"
#include "fake_ucmd.h"
#include "fake_vdev.h"
#include "providers/domain.h"
#include "providers/vfio_real/vfio_real.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/device_priv.h"

/* ---- a provider whose IOMMU the test controls ------------------------- */

#define HW_MAX_DOMAINS 16

static struct iommufd_domain *mine[HW_MAX_DOMAINS];
static unsigned int nr_mine;
static struct iommufd_domain *hw_attached;
static int fail_alloc, fail_attach;
static unsigned int attach_calls;

/* An MSI window the hardware cannot translate. */
static const struct iommufd_iova_hole hw_holes[] = {
	{ 0xfee00000, 0xfeefffff },
};

static int hw_domain_alloc(struct served_device *sd, struct iommufd_domain **out)
{
	struct iommufd_domain *d;

	(void)sd;
	if (fail_alloc)
		return fail_alloc;
	assert_true(nr_mine < HW_MAX_DOMAINS);
	d = emulated_domain_alloc(4096, 0, (1ull << 48) - 1);
	assert_non_null(d);
	d->needs_phys = true;
	d->holes = hw_holes;
	d->nr_holes = 1;
	mine[nr_mine++] = d;
	*out = d;
	return 0;
}

static bool is_mine(struct iommufd_domain *d)
{
	for (unsigned int i = 0; i < nr_mine; i++)
		if (mine[i] == d)
			return true;
	return false;
}

static int hw_attach(struct served_device *sd, struct iommufd_domain *d)
{
	(void)sd;
	attach_calls++;
	if (d && !is_mine(d))
		return -EINVAL;
	if (d && fail_attach)
		return fail_attach;
	hw_attached = d;
	return 0;
}

static void hw_region_desc(struct served_device *sd, uint32_t index,
			   struct sdev_region_desc *out)
{
	(void)sd;
	(void)index;
	memset(out, 0, sizeof(*out));
}

static const struct sdev_ops hw_ops = {
	.kind = "hw",
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = hw_region_desc,
	.domain_alloc = hw_domain_alloc,
	.attach = hw_attach,
};

/* A software served device (no hooks) next to it. */
static const struct sdev_ops soft_ops = {
	.kind = "soft",
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = hw_region_desc,
};

/* ---- the fixture ------------------------------------------------------ */

static struct fake_vdev vdev;
static struct served_device *sd;

static int setup(void **state)
{
	(void)state;
	fake_vdev_init(&vdev);
	assert_int_equal(served_device_create_ops(&vdev.env.daemon, &hw_ops, "hw0",
						  "", &sd), 0);
	nr_mine = 0;
	hw_attached = NULL;
	fail_alloc = fail_attach = 0;
	attach_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	served_device_destroy(sd);
	assert_int_equal(atomic_load(&vdev.env.ictx->refs), 1);
	fake_vdev_fini(&vdev);
	return 0;
}

static long hwpt_alloc(uint32_t devid, uint32_t ioas, uint32_t *out)
{
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = devid,
				      .pt_id = ioas };
	long rc = fake_ioctl(vdev.env.ictx, IOMMU_HWPT_ALLOC, &h, sizeof(h));

	*out = h.out_hwpt_id;
	return rc;
}

/* ---- the core's hooks -------------------------------------------------- */

/* The provider's domain and its errno, for HWPT_ALLOC and auto domains. */
static void test_domain_alloc_hook(void **state)
{
	uint32_t devid, ioas = fake_ioas_new(vdev.env.ictx), hwpt, pt = ioas;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, &devid);

	(void)state;
	fail_alloc = -ENOSPC;
	assert_int_equal(hwpt_alloc(devid, ioas, &hwpt), -ENOSPC);
	assert_int_equal(fake_vdev_attach(df, &pt), -ENOSPC);
	assert_false(sd->attached);
	fail_alloc = 0;
	assert_int_equal(hwpt_alloc(devid, ioas, &hwpt), 0);
	assert_int_equal(nr_mine, 1);
	/* Nothing attached by an allocation. */
	assert_null(hw_attached);
	pt = hwpt;
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_ptr_equal(hw_attached, mine[0]);
	vfio_device_file_release(df);
	/* Unbinding blocked the device's DMA. */
	assert_null(hw_attached);
	assert_int_equal(fake_destroy(vdev.env.ictx, hwpt), 0);
	assert_int_equal(fake_destroy(vdev.env.ictx, ioas), 0);
}

/* A refused attach: its errno, no attachment, the auto domain gone. */
static void test_attach_fails_rolls_back(void **state)
{
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt = ioas;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);

	(void)state;
	fail_attach = -EIO;
	assert_int_equal(fake_vdev_attach(df, &pt), -EIO);
	assert_false(sd->attached);
	assert_null(hw_attached);
	/* No auto domain was left holding the IOAS. */
	assert_int_equal(fake_destroy(vdev.env.ictx, ioas), 0);
	vfio_device_file_release(df);
}

/* A refused replace keeps the old domain attached, in the core and below. */
static void test_replace_fails_keeps_old(void **state)
{
	uint32_t devid, ioas = fake_ioas_new(vdev.env.ictx), a, b, pt;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, &devid);

	(void)state;
	assert_int_equal(hwpt_alloc(devid, ioas, &a), 0);
	assert_int_equal(hwpt_alloc(devid, ioas, &b), 0);
	pt = a;
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_ptr_equal(hw_attached, mine[0]);
	fail_attach = -ENOMEM;
	pt = b;
	assert_int_equal(fake_vdev_attach(df, &pt), -ENOMEM);
	assert_ptr_equal(hw_attached, mine[0]);
	assert_true(sd->attached && sd->pt_id == a);
	/* b is free: nothing holds it. */
	assert_int_equal(fake_destroy(vdev.env.ictx, b), 0);
	fail_attach = 0;
	assert_int_equal(fake_vdev_detach(df), 0);
	assert_null(hw_attached);
	assert_int_equal(fake_destroy(vdev.env.ictx, a), 0);
	vfio_device_file_release(df);
}

/* A software served device refuses a domain that needs physical pages. */
static void test_soft_device_refuses_hw_domain(void **state)
{
	uint32_t devid, ioas = fake_ioas_new(vdev.env.ictx), hwpt, pt;
	struct served_device *soft;
	struct vfio_device_file *hw_df = fake_vdev_bound(&vdev, sd, &devid), *soft_df;

	(void)state;
	assert_int_equal(served_device_create_ops(&vdev.env.daemon, &soft_ops,
						  "soft0", "", &soft), 0);
	soft_df = fake_vdev_bound(&vdev, soft, NULL);
	assert_int_equal(hwpt_alloc(devid, ioas, &hwpt), 0);
	pt = hwpt;
	assert_int_equal(fake_vdev_attach(soft_df, &pt), -EINVAL);
	/* And the hardware device refuses the software one's domain. */
	pt = ioas;
	assert_int_equal(fake_vdev_attach(soft_df, &pt), 0);
	pt = ioas;
	assert_int_equal(fake_vdev_attach(hw_df, &pt), 0);
	assert_true(pt != hwpt);
	assert_non_null(hw_attached);
	vfio_device_file_release(soft_df);
	vfio_device_file_release(hw_df);
	served_device_destroy(soft);
	assert_int_equal(fake_destroy(vdev.env.ictx, hwpt), 0);
}

/* The domain's holes are reserved in the IOAS while it is there. */
static void test_holes_reserved(void **state)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt = ioas;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *mem = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

	(void)state;
	assert_true(mem != MAP_FAILED);
	mem[0] = 1;
	/* A mapping in the hole first: the attach cannot reserve it. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, rw, mem, pg, 0xfee01000), 0);
	assert_int_equal(fake_vdev_attach(df, &pt), -EADDRINUSE);
	assert_int_equal(fake_unmap(vdev.env.ictx, ioas, 0xfee01000, pg, NULL), 0);
	pt = ioas;
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	/* iopt_check_iova(): a reserved IOVA is EINVAL for a fixed map. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, rw, mem, pg, 0xfee01000),
			 -EINVAL);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, rw, mem, pg, 0xfef00000), 0);
	assert_int_equal(fake_vdev_detach(df), 0);
	/* Gone with the domain. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, rw, mem, pg, 0xfee01000), 0);
	vfio_device_file_release(df);
	munmap(mem, pg);
}

/* The daemon's view of pinned shared memory; private memory is refused. */
static void test_view_va(void **state)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt = ioas;
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	uint8_t *shared = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iopt_pages *pages;
	uint64_t start_byte, contig;
	uint8_t *va;

	(void)state;
	assert_true(shared != MAP_FAILED && priv != MAP_FAILED);
	memset(shared, 0x11, pg);
	memset(shared + pg, 0x22, pg);
	priv[0] = 1;
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, IOMMU_IOAS_MAP_READABLE |
					IOMMU_IOAS_MAP_WRITEABLE, shared, 2 * pg,
					0x10000), 0);
	assert_true(emulated_domain_lookup(hw_attached, 0x10000 + pg, &pages,
					   &start_byte, &contig));
	va = iopt_pages_view_va(pages, start_byte, pg);
	assert_non_null(va);
	assert_true(va != shared + pg); /* the daemon's own mapping */
	assert_int_equal(va[0], 0x22);
	shared[pg + 1] = 0x33;
	assert_int_equal(va[1], 0x33);
	/* Out of the pages, or empty: nothing. */
	assert_null(iopt_pages_view_va(pages, start_byte, 2 * pg));
	assert_null(iopt_pages_view_va(pages, 0, 0));
	/* Private memory cannot reach a domain that needs physical pages. */
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, IOMMU_IOAS_MAP_READABLE,
					priv, pg, 0x40000), -EOPNOTSUPP);
	assert_int_equal(fake_unmap(vdev.env.ictx, ioas, 0x10000, 2 * pg, NULL), 0);
	vfio_device_file_release(df);
	munmap(shared, 2 * pg);
	munmap(priv, pg);
}

/* ---- the vfio:BDF provider's start-up ---------------------------------- */

static void test_opts(void **state)
{
	struct real_opts o;
	char err[160];

	(void)state;
	assert_int_equal(real_opts_parse("0000:00:03.0", &o, err, sizeof(err)), 0);
	assert_string_equal(o.bdf, "0000:00:03.0");
	assert_int_equal(o.backend, REAL_BACKEND_AUTO);
	assert_int_equal(real_opts_parse("00:1F.7,backend=type1", &o, err,
					 sizeof(err)), 0);
	assert_string_equal(o.bdf, "0000:00:1f.7");
	assert_int_equal(o.backend, REAL_BACKEND_TYPE1);
	assert_int_equal(real_opts_parse("0001:02:03.4,backend=iommufd", &o, err,
					 sizeof(err)), 0);
	assert_int_equal(o.backend, REAL_BACKEND_IOMMUFD);
	assert_string_equal(o.bdf, "0001:02:03.4");
	/* What could climb out of /sys/bus/pci/devices never gets there. */
	static const char *const bad[] = {
		"", ",backend=type1", "0000:00:03", "0000:00:03.8", "0000:00:20.0",
		"../../../x.0", "0000:00:03.0/", "0:03.0", "0000:00:03.0x",
		"0000:0g:03.0", "0000:00:03.0,backend=vfio",
		"0000:00:03.0,name=x", "0000-00:03.0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(real_opts_parse(bad[i], &o, err, sizeof(err)),
				 -EINVAL);
		assert_true(err[0] != 0);
	}
}

static char sysroot[128];

static void mk(const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "mkdir -p '%s/%s'", sysroot, rel);
	assert_int_equal(system(p), 0);
}

static void ln(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", sysroot, rel);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

/* A sysfs with 0000:00:03.0 on driver drv in group 7 of ndev devices. */
static void fake_sysfs(const char *drv, int ndev)
{
	char p[256];

	snprintf(sysroot, sizeof(sysroot), "/tmp/uiommufd-sysfs.%d", getpid());
	snprintf(p, sizeof(p), "rm -rf '%s'", sysroot);
	assert_int_equal(system(p), 0);
	mk("bus/pci/devices/0000:00:03.0");
	mk("bus/pci/drivers/vfio-pci");
	mk("bus/pci/drivers/e1000");
	mk("kernel/iommu_groups/7/devices");
	if (drv) {
		snprintf(p, sizeof(p), "../../../../bus/pci/drivers/%s", drv);
		ln(p, "bus/pci/devices/0000:00:03.0/driver");
	}
	ln("../../../../kernel/iommu_groups/7",
	   "bus/pci/devices/0000:00:03.0/iommu_group");
	for (int i = 0; i < ndev; i++) {
		snprintf(p, sizeof(p), "kernel/iommu_groups/7/devices/0000:00:0%d.0",
			 3 + i);
		mk(p);
	}
	real_sysfs_root = sysroot;
}

static void sysfs_gone(void)
{
	char p[512];

	snprintf(p, sizeof(p), "rm -rf '%s'", sysroot);
	assert_int_equal(system(p), 0);
	real_sysfs_root = "/sys";
}

static void test_sysfs(void **state)
{
	char drv[64];
	int group;

	(void)state;
	fake_sysfs("e1000", 2);
	assert_int_equal(real_sysfs_driver("0000:00:03.0", drv, sizeof(drv)), 0);
	assert_string_equal(drv, "e1000");
	assert_int_equal(real_sysfs_driver("0000:00:04.0", drv, sizeof(drv)),
			 -ENODEV);
	assert_int_equal(real_sysfs_group("0000:00:03.0", &group), 0);
	assert_int_equal(group, 7);
	assert_int_equal(real_sysfs_group_devices(7), 2);
	sysfs_gone();
	fake_sysfs(NULL, 1);
	assert_int_equal(real_sysfs_driver("0000:00:03.0", drv, sizeof(drv)), 0);
	assert_string_equal(drv, "");
	sysfs_gone();
}

/* The daemon refuses to start: no device, a bad address, not vfio-pci. */
static void test_create_refusals(void **state)
{
	struct served_device *x = NULL;

	(void)state;
	fake_sysfs("e1000", 1);
	assert_int_equal(served_device_create(&vdev.env.daemon, "vfio:0000:00:03.0",
					      1, false, &x), -ENODEV);
	assert_int_equal(served_device_create(&vdev.env.daemon, "vfio:0000:00:09.0",
					      1, false, &x), -ENODEV);
	assert_int_equal(served_device_create(&vdev.env.daemon, "vfio:bogus",
					      1, false, &x), -EINVAL);
	assert_int_equal(served_device_create(&vdev.env.daemon,
					      "vfio:0000:00:03.0,backend=both",
					      1, false, &x), -EINVAL);
	sysfs_gone();
	fake_sysfs(NULL, 1);
	assert_int_equal(served_device_create(&vdev.env.daemon, "vfio:0000:00:03.0",
					      1, false, &x), -ENODEV);
	sysfs_gone();
	/* The stand-in kernel-iommufd backend is never usable. */
	fake_sysfs("vfio-pci", 1);
	assert_int_equal(served_device_create(&vdev.env.daemon,
					      "vfio:0000:00:03.0,backend=iommufd",
					      1, false, &x), -EOPNOTSUPP);
	sysfs_gone();
	assert_null(x);
}

/* A group of two devices is refused before any VFIO file is opened. */
static void test_type1_group_of_two(void **state)
{
	struct real_dev rd = { .device_fd = -1 };

	(void)state;
	fake_sysfs("vfio-pci", 2);
	snprintf(rd.bdf, sizeof(rd.bdf), "0000:00:03.0");
	rd.backend = &vfio_type1_backend;
	assert_int_equal(vfio_type1_backend.open(&rd), -EBUSY);
	assert_null(rd.backend_priv);
	assert_int_equal(rd.device_fd, -1);
	sysfs_gone();
}

/* The kernel-iommufd backend refuses such a group too, before any open. */
static void test_kiommufd_group_of_two(void **state)
{
	struct real_dev rd = { .device_fd = -1 };

	(void)state;
	fake_sysfs("vfio-pci", 2);
	snprintf(rd.bdf, sizeof(rd.bdf), "0000:00:03.0");
	rd.backend = &kernel_iommufd_backend;
	assert_int_equal(kernel_iommufd_backend.open(&rd), -EBUSY);
	assert_null(rd.backend_priv);
	assert_int_equal(rd.device_fd, -1);
	sysfs_gone();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_domain_alloc_hook),
		T(test_attach_fails_rolls_back),
		T(test_replace_fails_keeps_old),
		T(test_soft_device_refuses_hw_domain),
		T(test_holes_reserved),
		T(test_view_va),
		T(test_opts),
		T(test_sysfs),
		T(test_create_refusals),
		T(test_type1_group_of_two),
		T(test_kiommufd_group_of_two),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
