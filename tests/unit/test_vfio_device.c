// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO device layer (daemon/vfio/device_*.c) with a fake provider and
 * the fake transport: one test per errno rule of the device cdev, each
 * failing if its rule broke.  The iommufd is recognised by a fake
 * ctx_from_file: one memfd of this process stands for the context's file
 * (tests/unit/fake_vdev.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/hw_pagetable.h"
#include "fake_ops.h"
#include "fake_ucmd.h"
#include "fake_vdev.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/device_priv.h"
#include "vfio/eventfd_signal.h"

/* ---- the fake provider ------------------------------------------------ */

#define FAKE_BAR0 4096u
#define FAKE_BAR2 16u /* read-only */
#define FAKE_MSI 4u

static uint8_t bar0[FAKE_BAR0], bar2[FAKE_BAR2], cfg[256];
static unsigned int resets;

static void fake_region_desc(struct served_device *sd, uint32_t index,
			     struct sdev_region_desc *out)
{
	(void)sd;
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		*out = (struct sdev_region_desc){ FAKE_BAR0, VFIO_REGION_INFO_FLAG_READ |
						 VFIO_REGION_INFO_FLAG_WRITE |
						 VFIO_REGION_INFO_FLAG_MMAP };
	else if (index == VFIO_PCI_BAR2_REGION_INDEX)
		*out = (struct sdev_region_desc){ FAKE_BAR2, VFIO_REGION_INFO_FLAG_READ };
	else if (index == VFIO_PCI_ROM_REGION_INDEX)
		*out = (struct sdev_region_desc){ FAKE_BAR2, VFIO_REGION_INFO_FLAG_READ };
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		*out = (struct sdev_region_desc){ 256, VFIO_REGION_INFO_FLAG_READ |
						  VFIO_REGION_INFO_FLAG_WRITE };
}

static void fake_irq_desc(struct served_device *sd, uint32_t index,
			  struct sdev_irq_desc *out)
{
	(void)sd;
	out->count = index == VFIO_PCI_INTX_IRQ_INDEX ? 1 :
		     index == VFIO_PCI_MSI_IRQ_INDEX ? FAKE_MSI :
		     index == VFIO_PCI_REQ_IRQ_INDEX ? 1 : 0;
}

static ssize_t fake_region_rw(struct served_device *sd, uint32_t index,
			      uint64_t off, void *buf, size_t len, bool write)
{
	uint8_t *r = index == VFIO_PCI_BAR0_REGION_INDEX ? bar0 :
		     index == VFIO_PCI_CONFIG_REGION_INDEX ? cfg : bar2;

	(void)sd;
	if (write)
		memcpy(r + off, buf, len);
	else
		memcpy(buf, r + off, len);
	return (ssize_t)len;
}

static int fake_reset(struct served_device *sd)
{
	(void)sd;
	resets++;
	return 0;
}

static const struct sdev_ops fake_sdev_ops = {
	.kind = "fake",
	.device_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = fake_region_desc,
	.irq_desc = fake_irq_desc,
	.region_rw = fake_region_rw,
	.reset = fake_reset,
};

static const struct sdev_ops fake_noreset_ops = {
	.kind = "fake-noreset",
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = fake_region_desc,
	.irq_desc = fake_irq_desc,
	.region_rw = fake_region_rw,
};

/* ---- the fixture ------------------------------------------------------ */

static struct fake_vdev vdev;
static struct served_device *sd;
/* A file that is not an iommufd. */
static int other_memfd = -1;

static int setup(void **state)
{
	(void)state;
	fake_vdev_init(&vdev);
	other_memfd = memfd_create("other", MFD_CLOEXEC);
	assert_true(other_memfd >= 0);
	assert_int_equal(served_device_create_ops(&vdev.env.daemon, &fake_sdev_ops,
						  "uvfio0", "", &sd), 0);
	resets = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	served_device_destroy(sd);
	close(other_memfd);
	/* Every binding's reference is back: the file's alone is left. */
	assert_int_equal(atomic_load(&vdev.env.ictx->refs), 1);
	fake_vdev_fini(&vdev);
	return 0;
}

/* ---- before BIND -------------------------------------------------------- */

static void test_unbound_only_bind(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint8_t b[4];

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_INFO, &info, sizeof(info)),
			 -EINVAL);
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_RESET, NULL, 0), -EINVAL);
	assert_int_equal(fake_vdev_ioctl(df, 0x3b7e, NULL, 0), -EINVAL);
	assert_int_equal(vfio_device_file_rw(df, 0, b, 4, false), -EINVAL);
	vfio_device_file_release(df);
}

/* ---- BIND --------------------------------------------------------------- */

static void test_bind_argsz(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	struct vfio_device_bind_iommufd b = { .argsz = 15, .iommufd = vdev.iommufd_memfd };

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b, sizeof(b)),
			 -EINVAL);
	vfio_device_file_release(df);
}

static void test_bind_tail_e2big(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	struct { struct vfio_device_bind_iommufd b; uint64_t tail; } big = {
		.b = { .argsz = sizeof(big), .iommufd = vdev.iommufd_memfd }, .tail = 1,
	};

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &big,
					 sizeof(big)), -E2BIG);
	big.tail = 0;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &big,
					 sizeof(big)), 0);
	vfio_device_file_release(df);
}

static void test_bind_flags_and_fd(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = -1 };

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b, sizeof(b)),
			 -EINVAL);
	b.iommufd = vdev.iommufd_memfd;
	b.flags = 2;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b, sizeof(b)),
			 -EINVAL);
	/*
	 * No VF token: the token is read (EFAULT), then refused (EINVAL),
	 * before the fd is looked at.
	 */
	b.flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	b.iommufd = 100000;
	b.token_uuid_ptr = 0x1000;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b, sizeof(b)),
			 -EFAULT);
	{
		uint8_t uuid[16] = { 1 };

		fake_user_add(uuid, sizeof(uuid));
		b.token_uuid_ptr = (uintptr_t)uuid;
		assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b,
						 sizeof(b)), -EINVAL);
	}
	vfio_device_file_release(df);
}

static void test_bind_ebadf_ebadfd(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);

	(void)state;
	assert_int_equal(fake_vdev_bind(df, 100000, NULL), -EBADF);
	assert_int_equal(fake_vdev_bind(df, other_memfd, NULL), -EBADFD);
	vfio_device_file_release(df);
}

static void test_bind_makes_device_object(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	uint32_t devid = 0;

	(void)state;
	assert_int_equal(fake_vdev_bind(df, vdev.iommufd_memfd, &devid), 0);
	assert_true(devid != 0);
	assert_int_equal(resets, 1); /* a fresh binding starts reset */
	/* Busy while bound. */
	assert_int_equal(fake_destroy(vdev.env.ictx, devid), -EBUSY);
	/* Bound twice by the same file. */
	assert_int_equal(fake_vdev_bind(df, vdev.iommufd_memfd, NULL), -EINVAL);
	vfio_device_file_release(df);
	/* Released: the object is gone. */
	assert_int_equal(fake_destroy(vdev.env.ictx, devid), -ENOENT);
}

static void test_bind_second_file_einval(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL), *df2 = fake_vdev_open(sd);

	(void)state;
	assert_int_equal(fake_vdev_bind(df2, vdev.iommufd_memfd, NULL), -EINVAL);
	vfio_device_file_release(df);
	assert_int_equal(fake_vdev_bind(df2, vdev.iommufd_memfd, NULL), 0);
	vfio_device_file_release(df2);
}

static void test_bind_unreachable_arg_efault(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	struct iommufd_ucmd ucmd;

	(void)state;
	fake_ucmd_prepare(&ucmd, 0x1000);
	assert_int_equal(vfio_device_file_ioctl(df, &ucmd,
						VFIO_DEVICE_BIND_IOMMUFD),
			 -EFAULT);
	vfio_device_file_release(df);
}

/* ---- INFO and regions --------------------------------------------------- */

static void test_get_info(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_device_info info = { .argsz = 15 };

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_INFO, &info, sizeof(info)),
			 -EINVAL);
	/* argsz 16: only the first 16 bytes come back. */
	info.argsz = 16;
	info.cap_offset = 0xdead;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_INFO, &info, sizeof(info)),
			 0);
	assert_int_equal(info.cap_offset, 0xdead);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, VFIO_PCI_NUM_IRQS);
	info.argsz = sizeof(info);
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_INFO, &info, sizeof(info)),
			 0);
	assert_int_equal(info.cap_offset, 0);
	vfio_device_file_release(df);
}

static void test_region_info(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_region_info r = { .argsz = 31 };

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_REGION_INFO, &r, sizeof(r)),
			 -EINVAL);
	r.argsz = sizeof(r);
	r.index = VFIO_PCI_NUM_REGIONS;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_REGION_INFO, &r, sizeof(r)),
			 -EINVAL);
	r.index = VFIO_PCI_VGA_REGION_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_REGION_INFO, &r, sizeof(r)),
			 -EINVAL);
	/* The provider's MMAP flag never reaches the client. */
	r.index = VFIO_PCI_BAR0_REGION_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_REGION_INFO, &r, sizeof(r)),
			 0);
	assert_int_equal(r.flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
	assert_int_equal(r.size, FAKE_BAR0);
	assert_true(r.offset == 0);
	r.index = VFIO_PCI_BAR1_REGION_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_REGION_INFO, &r, sizeof(r)),
			 0);
	assert_int_equal(r.size, 0);
	assert_int_equal(r.flags, 0);
	assert_true(r.offset == UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(1));
	vfio_device_file_release(df);
}

static void test_region_rw_bounds(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	const uint64_t cfg_off = UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(7);
	uint8_t b[8] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(vfio_device_file_rw(df, 0, b, 0, false), 0);
	assert_int_equal(vfio_device_file_rw(df, 8, b, 4, true), 4);
	assert_int_equal(bar0[8], 1);
	/* BAR: past the end EINVAL, at the end short. */
	assert_int_equal(vfio_device_file_rw(df, FAKE_BAR0, b, 4, false), -EINVAL);
	assert_int_equal(vfio_device_file_rw(df, FAKE_BAR0 - 2, b, 8, false), 2);
	/* No BAR1; no region 9. */
	assert_int_equal(vfio_device_file_rw(df, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(1),
					     b, 4, false), -EINVAL);
	assert_int_equal(vfio_device_file_rw(df, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(9),
					     b, 4, false), -EINVAL);
	/* Read-only BAR and the ROM refuse writes. */
	assert_int_equal(vfio_device_file_rw(df, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(2),
					     b, 4, true), -EINVAL);
	assert_int_equal(vfio_device_file_rw(df, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(6),
					     b, 4, true), -EINVAL);
	assert_int_equal(vfio_device_file_rw(df, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(2),
					     b, 4, false), 4);
	/* Config space: all inside or EFAULT. */
	assert_int_equal(vfio_device_file_rw(df, cfg_off + 252, b, 8, false), -EFAULT);
	assert_int_equal(vfio_device_file_rw(df, cfg_off + 256, b, 1, false), -EFAULT);
	assert_int_equal(vfio_device_file_rw(df, cfg_off + 252, b, 4, false), 4);
	vfio_device_file_release(df);
}

static void test_reset(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct served_device *nr;
	struct vfio_device_file *df2;

	(void)state;
	resets = 0;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_RESET, NULL, 0), 0);
	assert_int_equal(resets, 1);
	assert_int_equal(fake_vdev_ioctl(df, 0x3b7e, NULL, 0), -ENOTTY);
	/* VFIO_DEVICE_FEATURE: the argument checks, then no such feature. */
	{
		struct vfio_device_feature f = { .argsz = 7 };

		assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_FEATURE, &f, sizeof(f)),
				 -EINVAL);
		f.argsz = sizeof(f);
		f.flags = 1u << 19;
		assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_FEATURE, &f, sizeof(f)),
				 -EINVAL);
		f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 1;
		assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_FEATURE, &f, sizeof(f)),
				 -EINVAL);
		f.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | 1;
		assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_FEATURE, &f, sizeof(f)),
				 -ENOTTY);
	}
	vfio_device_file_release(df);
	/* A device without FLAGS_RESET: EINVAL. */
	assert_int_equal(served_device_create_ops(&vdev.env.daemon, &fake_noreset_ops,
						  "uvfio1", "", &nr), 0);
	assert_int_equal(vfio_device_file_open(nr, getpid(), 0, &df2), 0);
	assert_int_equal(fake_vdev_bind(df2, vdev.iommufd_memfd, NULL), 0);
	assert_int_equal(fake_vdev_ioctl(df2, VFIO_DEVICE_RESET, NULL, 0), -EINVAL);
	vfio_device_file_release(df2);
	served_device_destroy(nr);
}

/* ---- IRQs --------------------------------------------------------------- */

static void test_irq_info(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_irq_info irq = { .argsz = 15 };

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)),
			 -EINVAL);
	irq.argsz = sizeof(irq);
	irq.index = VFIO_PCI_NUM_IRQS;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)),
			 -EINVAL);
	irq.index = VFIO_PCI_ERR_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)),
			 -EINVAL);
	irq.index = VFIO_PCI_INTX_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)),
			 0);
	assert_int_equal(irq.flags, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
					    VFIO_IRQ_INFO_AUTOMASKED);
	irq.index = VFIO_PCI_MSI_IRQ_INDEX;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)),
			 0);
	assert_int_equal(irq.flags, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);
	assert_int_equal(irq.count, FAKE_MSI);
	vfio_device_file_release(df);
}

static long set_irqs(struct vfio_device_file *df, uint32_t flags,
		     uint32_t index, uint32_t start, uint32_t count,
		     const void *data, size_t data_len, uint32_t argsz)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + 64] = { 0 };
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	s->argsz = argsz ? argsz : (uint32_t)(sizeof(*s) + data_len);
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (data_len)
		memcpy(s->data, data, data_len);
	return fake_vdev_ioctl(df, VFIO_DEVICE_SET_IRQS, buf, sizeof(buf));
}

#define EFD_TRIG (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE_TRIG (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

static void test_set_irqs_validate(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	int32_t fd = -1;

	(void)state;
	assert_int_equal(set_irqs(df, EFD_TRIG, 0, 0, 1, &fd, 4, 19), -EINVAL);
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_NUM_IRQS, 0, 1, &fd, 4, 0),
			 -EINVAL);
	assert_int_equal(set_irqs(df, EFD_TRIG, 1, 1, UINT32_MAX - 1, &fd, 4, 0),
			 -EINVAL);
	assert_int_equal(set_irqs(df, EFD_TRIG | (1u << 6), 0, 0, 1, &fd, 4, 0),
			 -EINVAL);
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
					      VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1, &fd, 4, 0),
			 -EINVAL);
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 2, 3, &fd,
				  4, 0), -EINVAL);
	/* argsz too small for count eventfds. */
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, &fd,
				  4, 0), -EINVAL);
	/* Two actions, MSI masking: no handler. */
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK |
					      VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1, NULL, 0, 0),
			 -ENOTTY);
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
				  VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0, 0), -ENOTTY);
	/* INTx not enabled: mask and loopback are EINVAL. */
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
				  0, 0, 1, NULL, 0, 0), -EINVAL);
	assert_int_equal(set_irqs(df, NONE_TRIG, 0, 0, 1, NULL, 0, 0), -EINVAL);
	vfio_device_file_release(df);
}

static uint64_t efd_take(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void test_set_irqs_eventfd_errnos(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	int32_t fd = 100000;

	(void)state;
	assert_int_equal(set_irqs(df, EFD_TRIG, 0, 0, 1, &fd, 4, 0), -EBADF);
	fd = other_memfd;
	assert_int_equal(set_irqs(df, EFD_TRIG, 0, 0, 1, &fd, 4, 0), -EINVAL);
	/* A bad fd in an MSI block: nothing is enabled. */
	{
		int32_t fds[2] = { eventfd(0, EFD_CLOEXEC), 100000 };

		assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 0, 2,
					  fds, 8, 0), -EBADF);
		assert_int_equal(sd->irq_type, SDEV_IRQ_NONE);
		close(fds[0]);
	}
	vfio_device_file_release(df);
}

static void test_intx_automask(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int32_t fd = efd;
	uint8_t yes = 1;

	(void)state;
	assert_int_equal(set_irqs(df, EFD_TRIG, 0, 0, 1, &fd, 4, 0), 0);
	sdev_irq_raise(sd);
	assert_int_equal(efd_take(efd), 1);
	/* Masked by the signal itself: the line stays up, nothing more. */
	sdev_irq_raise(sd);
	assert_int_equal(efd_take(efd), 0);
	/* Unmask while asserted: fires again at once. */
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_UNMASK,
				  0, 0, 1, &yes, 1, 0), 0);
	assert_int_equal(efd_take(efd), 1);
	sdev_irq_lower(sd);
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
				  0, 0, 1, NULL, 0, 0), 0);
	assert_int_equal(efd_take(efd), 0);
	/* The loopback trigger signals even while masked, and masks nothing. */
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
				  0, 0, 1, NULL, 0, 0), 0);
	assert_int_equal(set_irqs(df, NONE_TRIG, 0, 0, 1, NULL, 0, 0), 0);
	assert_int_equal(efd_take(efd), 1);
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
				  0, 0, 1, NULL, 0, 0), 0);
	/* An unmask eventfd (irqfd) is not served. */
	assert_int_equal(set_irqs(df, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
				  0, 0, 1, &fd, 4, 0), -ENOTTY);
	/* MSI while INTx is on; INTx off, then MSI is allowed. */
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &fd,
				  4, 0), -EINVAL);
	assert_int_equal(set_irqs(df, NONE_TRIG, 0, 0, 0, NULL, 0, 0), 0);
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &fd,
				  4, 0), 0);
	sdev_irq_raise(sd);
	assert_int_equal(efd_take(efd), 1);
	/* Beyond the vectors enabled: EINVAL. */
	assert_int_equal(set_irqs(df, EFD_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 1, 1, &fd,
				  4, 0), -EINVAL);
	vfio_device_file_release(df);
	/* Unbinding dropped the eventfd: nothing signals it any more. */
	assert_int_equal(sd->msi_fds[0], -1);
	close(efd);
}

/* ---- ATTACH / DETACH and DMA ------------------------------------------- */

static void test_attach_rules(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_device_attach_iommufd_pt a = { .argsz = 11 };
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt, mock_hwpt;

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, sizeof(a)),
			 -EINVAL);
	a.argsz = sizeof(a);
	a.flags = 2;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, sizeof(a)),
			 -EINVAL);
	a.flags = VFIO_DEVICE_ATTACH_PASID;
	a.argsz = 12;
	a.pt_id = ioas;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, sizeof(a)),
			 -EINVAL);
	a.argsz = sizeof(a);
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, sizeof(a)),
			 -EINVAL);
	pt = 4242;
	assert_int_equal(fake_vdev_attach(df, &pt), -ENOENT);
	/* A domain of the mock IOMMU driver: EINVAL. */
	assert_int_equal(fake_mock_domain(vdev.env.ictx, ioas, NULL, &mock_hwpt, NULL), 0);
	pt = mock_hwpt;
	assert_int_equal(fake_vdev_attach(df, &pt), -EINVAL);
	pt = ioas;
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_true(pt != ioas && pt != mock_hwpt);
	assert_true(sd->attached && sd->pt_id == pt);
	vfio_device_file_release(df);
	/* The auto domain went with the binding. */
	assert_int_equal(fake_destroy(vdev.env.ictx, pt), -ENOENT);
}

static void test_detach_rules(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	struct vfio_device_detach_iommufd_pt d = { .argsz = 7 };
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt = ioas;

	(void)state;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d)),
			 -EINVAL);
	d.argsz = sizeof(d);
	d.flags = 2;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d)),
			 -EINVAL);
	d.flags = VFIO_DEVICE_DETACH_PASID;
	d.argsz = 8;
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d)),
			 -EINVAL);
	d.flags = 0;
	/* Not attached: a no-op. */
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d)),
			 0);
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_int_equal(fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d)),
			 0);
	assert_false(sd->attached);
	assert_int_equal(fake_destroy(vdev.env.ictx, pt), -ENOENT);
	vfio_device_file_release(df);
}

static void test_hw_info_none(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	uint8_t data[32];
	struct iommu_hw_info hw = { .size = sizeof(hw), .data_len = sizeof(data),
				    .data_uptr = (uintptr_t)data };
	uint32_t devid;

	(void)state;
	assert_int_equal(fake_vdev_bind(df, vdev.iommufd_memfd, &devid), 0);
	memset(data, 0xa5, sizeof(data));
	fake_user_add(data, sizeof(data));
	hw.dev_id = devid;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_GET_HW_INFO, &hw, sizeof(hw)), 0);
	assert_int_equal(hw.out_data_type, IOMMU_HW_INFO_TYPE_NONE);
	assert_int_equal(hw.data_len, 0);
	for (size_t i = 0; i < sizeof(data); i++)
		assert_int_equal(data[i], 0);
	assert_int_equal(hw.out_max_pasid_log2, 0);
	assert_false(hw.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	vfio_device_file_release(df);
}

static void test_hwpt_alloc_no_dirty_no_nesting(void **state)
{
	struct vfio_device_file *df = fake_vdev_open(sd);
	uint32_t devid, ioas = fake_ioas_new(vdev.env.ictx);
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .pt_id = ioas };

	(void)state;
	assert_int_equal(fake_vdev_bind(df, vdev.iommufd_memfd, &devid), 0);
	h.dev_id = devid;
	h.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_HWPT_ALLOC, &h, sizeof(h)),
			 -EOPNOTSUPP);
	h.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_HWPT_ALLOC, &h, sizeof(h)),
			 -EOPNOTSUPP);
	h.flags = 0;
	assert_int_equal(fake_ioctl(vdev.env.ictx, IOMMU_HWPT_ALLOC, &h, sizeof(h)), 0);
	/* A HWPT allocated for the device attaches, by id. */
	{
		uint32_t pt = h.out_hwpt_id;

		assert_int_equal(fake_vdev_attach(df, &pt), 0);
		assert_int_equal(pt, h.out_hwpt_id);
	}
	vfio_device_file_release(df);
	assert_int_equal(fake_destroy(vdev.env.ictx, h.out_hwpt_id), 0);
}

static void test_dma_through_domain(void **state)
{
	struct vfio_device_file *df = fake_vdev_bound(&vdev, sd, NULL);
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t ioas = fake_ioas_new(vdev.env.ictx), pt = ioas;
	uint8_t *mem = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t buf[16];

	(void)state;
	assert_true(mem != MAP_FAILED);
	memset(mem, 0x5a, 2 * pg);
	/* Not attached: the blocking domain faults everything. */
	assert_int_equal(sdev_dma_rw(sd, 0x10000, buf, 4, false), -EFAULT);
	assert_int_equal(fake_vdev_attach(df, &pt), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, IOMMU_IOAS_MAP_READABLE |
					IOMMU_IOAS_MAP_WRITEABLE, mem, pg, 0x10000), 0);
	assert_int_equal(fake_map_fixed(vdev.env.ictx, ioas, IOMMU_IOAS_MAP_READABLE,
					mem + pg, pg, 0x20000), 0);
	assert_int_equal(sdev_dma_rw(sd, 0x10000, buf, sizeof(buf), false), 0);
	assert_int_equal(buf[0], 0x5a);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(sdev_dma_rw(sd, 0x10008, buf, sizeof(buf), true), 0);
	assert_int_equal(mem[8], 0x11);
	/* Unmapped, crossing into unmapped, read-only: EFAULT, nothing moved. */
	assert_int_equal(sdev_dma_rw(sd, 0x30000, buf, 4, false), -EFAULT);
	assert_int_equal(sdev_dma_rw(sd, 0x10000 + pg - 4, buf, 8, true), -EFAULT);
	assert_int_equal(mem[pg - 4], 0x5a);
	assert_int_equal(sdev_dma_rw(sd, 0x20000, buf, 4, true), -EFAULT);
	assert_int_equal(sdev_dma_rw(sd, 0x20000, buf, 4, false), 0);
	/* IOAS_UNMAP: the device can no longer reach it. */
	assert_int_equal(fake_unmap(vdev.env.ictx, ioas, 0x10000, pg, NULL), 0);
	assert_int_equal(sdev_dma_rw(sd, 0x10000, buf, 4, false), -EFAULT);
	/* The auto domain pins what is mapped; unbinding drops it all. */
	assert_int_equal(vdev.env.ictx->pinned_bytes, pg);
	vfio_device_file_release(df);
	assert_int_equal(vdev.env.ictx->pinned_bytes, 0);
	/* Unbound: nothing at all. */
	assert_int_equal(sdev_dma_rw(sd, 0x20000, buf, 4, false), -EFAULT);
	assert_int_equal(fake_destroy(vdev.env.ictx, ioas), 0);
	munmap(mem, 2 * pg);
}

static void test_create_names(void **state)
{
	struct served_device *x = NULL;

	(void)state;
	assert_int_equal(served_device_create(&vdev.env.daemon, "nosuch", 0, true, &x),
			 -EINVAL);
	assert_int_equal(served_device_create(&vdev.env.daemon, "edu,name=vfio/devices/vfio0",
					      0, true, &x), -EINVAL);
	assert_int_equal(served_device_create(&vdev.env.daemon, "edu,name=../x", 0,
					      true, &x), -EINVAL);
	assert_int_equal(served_device_create(&vdev.env.daemon, "edu,name=a/b", 0,
					      false, &x), -EINVAL);
	assert_int_equal(served_device_create(&vdev.env.daemon, "edu", 3, true, &x), 0);
	assert_string_equal(served_device_name(x), "vfio/devices/uvfio3");
	served_device_destroy(x);
	assert_int_equal(served_device_create(&vdev.env.daemon, "edu,name=mine", 3,
					      false, &x), 0);
	assert_string_equal(served_device_name(x), "mine");
	served_device_destroy(x);
}

/*
 * An interrupt must never wait on a client's full counter: the kernel's
 * eventfd_signal() saturates, a write(2) would block the device for good.
 * The counter is filled before the write here, as a racing client would
 * fill it between the daemon's poll and its write.
 */
static void test_irq_full_counter_never_blocks(void **state)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 0xfffffffffffffffeull;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(eventfd_write_bounded(fd, 1, 20 * 1000 * 1000L), -EINTR);
	assert_int_equal(eventfd_signal_nowait(fd), -EAGAIN);
	/* The client read it: the next event is added. */
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(eventfd_signal_nowait(fd), 0);
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_unbound_only_bind),
		T(test_bind_argsz),
		T(test_bind_tail_e2big),
		T(test_bind_flags_and_fd),
		T(test_bind_ebadf_ebadfd),
		T(test_bind_makes_device_object),
		T(test_bind_second_file_einval),
		T(test_bind_unreachable_arg_efault),
		T(test_get_info),
		T(test_region_info),
		T(test_region_rw_bounds),
		T(test_reset),
		T(test_irq_info),
		T(test_set_irqs_validate),
		T(test_set_irqs_eventfd_errnos),
		T(test_intx_automask),
		T(test_attach_rules),
		T(test_detach_rules),
		T(test_hw_info_none),
		T(test_hwpt_alloc_no_dirty_no_nesting),
		T(test_dma_through_domain),
		T(test_create_names),
#undef T
		cmocka_unit_test(test_irq_full_counter_never_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
