// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO device cdev look-alike's ABI rules, end to end: the daemon
 * started with --device edu, the device node next to the iommufd node
 * (FUSE: DIR/devices/uvfio0; CUSE: /dev/vfio/devices/uvfio0; or argv[2]).
 * Written against the kernel's ABI only: every errno here is what the
 * kernel's vfio cdev with vfio-pci answers for QEMU's edu.
 */
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "itest.h"
#include "uiommufd/vfio_abi.h"

static char dev_path[512];

static int dev_open(void)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", dev_path, strerror(errno));
		exit(1);
	}
	return fd;
}

static long bind_to(int dev, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = iommufd,
	};
	long rc = itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (devid)
		*devid = b.out_devid;
	return rc;
}

static long attach_pt(int dev, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = *pt_id,
	};
	long rc = itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	*pt_id = a.pt_id;
	return rc;
}

static long rw_at(int dev, bool write, void *buf, size_t n, uint64_t off)
{
	ssize_t r = write ? pwrite(dev, buf, n, (off_t)off) :
			    pread(dev, buf, n, (off_t)off);

	return r < 0 ? -errno : r;
}

static void unbound_file_says_einval(void)
{
	int dev = dev_open();
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t v;

	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_RESET, NULL), -EINVAL);
	CHECK_RC(itest_ioctl(dev, 0x3b00 | 0x7e, NULL), -EINVAL);
	CHECK_RC(rw_at(dev, false, &v, 4,
		       UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX)),
		 -EINVAL);
	close(dev);
}

static void bind_argument_rules(void)
{
	int dev = dev_open(), ictx = itest_open();
	struct vfio_device_bind_iommufd b = { .argsz = 15, .iommufd = ictx };
	int pipefd[2];

	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.argsz = sizeof(b);
	b.flags = 2;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.flags = 0;
	b.iommufd = -1;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	/* No VF token for this device: the token is read, then refused. */
	b.iommufd = ictx;
	b.flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b), -EFAULT);
	{
		uint8_t uuid[16] = { 1 };

		b.token_uuid_ptr = (uintptr_t)uuid;
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
		b.token_uuid_ptr = 0;
	}
	/* A nonzero tail past the struct: E2BIG (copy_struct_from_user). */
	{
		struct { struct vfio_device_bind_iommufd b; uint64_t tail; } big = {
			.b = { .argsz = sizeof(big), .iommufd = ictx }, .tail = 1,
		};
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &big), -E2BIG);
	}
	/* iommufd_ctx_from_fd(): not open -> EBADF, not an iommufd -> EBADFD. */
	CHECK_RC(bind_to(dev, 1000, NULL), -EBADF);
	if (pipe2(pipefd, O_CLOEXEC) == 0) {
		CHECK_RC(bind_to(dev, pipefd[0], NULL), -EBADFD);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	CHECK_RC(bind_to(dev, dev, NULL), -EBADFD);
	close(dev);
	close(ictx);
}

static void bind_once_per_device(void)
{
	int dev = dev_open(), dev2 = dev_open(), ictx = itest_open();
	uint32_t devid = 0, devid2;

	CHECK_RC(bind_to(dev, ictx, &devid), 0);
	CHECK(devid != 0);
	/* The same file again, then another file: the device is taken. */
	CHECK_RC(bind_to(dev, ictx, NULL), -EINVAL);
	CHECK_RC(bind_to(dev2, ictx, NULL), -EINVAL);
	/* The device object is busy while bound. */
	CHECK_RC(itest_destroy(ictx, devid), -EBUSY);
	close(dev);
	/* Released: the next file binds, and gets a device again. */
	CHECK_RC(bind_to(dev2, ictx, &devid2), 0);
	close(dev2);
	close(ictx);
}

static void info_rules(void)
{
	int dev = dev_open(), ictx = itest_open();
	struct vfio_device_info info = { .argsz = 15 };
	struct vfio_region_info r = { .argsz = 31 };
	struct vfio_irq_info irq = { .argsz = 15 };

	CHECK_RC(bind_to(dev, ictx, NULL), 0);
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	info.argsz = sizeof(info);
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_INFO, &info), 0);
	CHECK(info.flags & VFIO_DEVICE_FLAGS_PCI);
	CHECK(!(info.flags & VFIO_DEVICE_FLAGS_CAPS));
	CHECK(info.num_regions == VFIO_PCI_NUM_REGIONS);
	CHECK(info.num_irqs == VFIO_PCI_NUM_IRQS);

	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), -EINVAL);
	r.argsz = sizeof(r);
	r.index = VFIO_PCI_NUM_REGIONS;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), -EINVAL);
	r.index = VFIO_PCI_VGA_REGION_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), -EINVAL);
	r.index = VFIO_PCI_BAR0_REGION_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), 0);
	CHECK(r.size == 1u << 20);
	/* The kernel adds MMAP (the daemon cannot): nothing else. */
	CHECK((r.flags & ~VFIO_REGION_INFO_FLAG_MMAP) ==
	      (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE));
	CHECK(r.offset == UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(0));
	r.index = VFIO_PCI_BAR1_REGION_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), 0);
	CHECK(r.size == 0 && r.flags == 0);
	r.index = VFIO_PCI_CONFIG_REGION_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r), 0);
	CHECK(r.size == 256);
	CHECK(r.offset == UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(7));

	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.argsz = sizeof(irq);
	irq.index = VFIO_PCI_NUM_IRQS;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.index = VFIO_PCI_ERR_IRQ_INDEX; /* conventional PCI: no ERR */
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.index = VFIO_PCI_INTX_IRQ_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
	CHECK(irq.count == 1);
	CHECK(irq.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			    VFIO_IRQ_INFO_AUTOMASKED));
	irq.index = VFIO_PCI_MSI_IRQ_INDEX;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
	CHECK(irq.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE));
	/* Unknown command of a bound device: vfio-pci's ENOTTY. */
	CHECK_RC(itest_ioctl(dev, 0x3b00 | 0x7e, NULL), -ENOTTY);
	{
		struct vfio_device_feature f = { .argsz = 7 };

		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_FEATURE, &f), -EINVAL);
		f.argsz = sizeof(f);
		f.flags = 1u << 19;
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_FEATURE, &f), -EINVAL);
		/* GET and SET together without PROBE. */
		f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 1;
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_FEATURE, &f), -EINVAL);
		/* Feature 0xffff exists nowhere. */
		f.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | 0xffff;
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_FEATURE, &f), -ENOTTY);
	}
	{
		/*
		 * Hot reset of a device with no slot or bus reset (the edu on
		 * the root bus): argsz and flags first, then ENODEV; a
		 * cdev-opened device names no group fds.
		 */
		/* Headers and their arrays laid end to end, as the ABI wants. */
		struct vfio_pci_hot_reset_info hi = { .argsz = 11 };
		unsigned char hri[sizeof(hi) +
				  4 * sizeof(struct vfio_pci_dependent_device)] = { 0 };
		struct vfio_pci_hot_reset rh = { .argsz = 11 };
		unsigned char rst[sizeof(rh) + sizeof(int32_t)] = { 0 };
		int32_t fd = dev;

		memcpy(hri, &hi, sizeof(hi));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hri), -EINVAL);
		hi.argsz = sizeof(hi);
		memcpy(hri, &hi, sizeof(hi));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hri), -ENODEV);
		hi.argsz = sizeof(hri);
		memcpy(hri, &hi, sizeof(hi));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hri), -ENODEV);
		memcpy(rst, &rh, sizeof(rh));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, rst), -EINVAL);
		rh.argsz = sizeof(rh);
		rh.flags = 1;
		memcpy(rst, &rh, sizeof(rh));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, rst), -EINVAL);
		rh.flags = 0;
		rh.count = 1;
		rh.argsz = sizeof(rst);
		memcpy(rst, &rh, sizeof(rh));
		memcpy(rst + sizeof(rh), &fd, sizeof(fd));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, rst), -EINVAL);
		rh.count = 0;
		memcpy(rst, &rh, sizeof(rh));
		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, rst), -ENODEV);
	}
	close(dev);
	close(ictx);
}

static void region_access_rules(void)
{
	int dev = dev_open(), ictx = itest_open();
	const uint64_t cfg = UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(7);
	uint32_t v = 0;
	uint8_t b8[8];

	CHECK_RC(bind_to(dev, ictx, NULL), 0);
	CHECK_RC(rw_at(dev, false, &v, 4, cfg), 4);
	CHECK(v == 0x11e81234);
	/* Config: the whole access inside config space, else EFAULT. */
	CHECK_RC(rw_at(dev, false, b8, 8, cfg + 252), -EFAULT);
	CHECK_RC(rw_at(dev, false, b8, 4, cfg + 256), -EFAULT);
	/* BAR: past the end EINVAL; at the end, short. */
	CHECK_RC(rw_at(dev, false, b8, 4, (1u << 20)), -EINVAL);
	CHECK_RC(rw_at(dev, false, b8, 8, (1u << 20) - 4), 4);
	/* No BAR1, no region 9. */
	CHECK_RC(rw_at(dev, false, b8, 4, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(1)),
		 -EINVAL);
	CHECK_RC(rw_at(dev, false, b8, 4, UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(9)),
		 -EINVAL);
	/* The liveness register: a write then its inverse. */
	v = 0x12345678;
	CHECK_RC(rw_at(dev, true, &v, 4, 4), 4);
	CHECK_RC(rw_at(dev, false, &v, 4, 4), 4);
	CHECK(v == ~0x12345678u);
	close(dev);
	close(ictx);
}

static long set_irqs(int dev, uint32_t flags, uint32_t index, uint32_t start,
		     uint32_t count, const void *data, size_t data_len,
		     uint32_t argsz_less)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + 64];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	s->argsz = (uint32_t)(sizeof(*s) + data_len - argsz_less);
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (data_len)
		memcpy(s->data, data, data_len);
	return itest_ioctl(dev, VFIO_DEVICE_SET_IRQS, s);
}

static uint64_t efd_count(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void set_irqs_rules(void)
{
	int dev = dev_open(), ictx = itest_open();
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), pipefd[2];
	const uint32_t eventfd_trig = VFIO_IRQ_SET_DATA_EVENTFD |
				      VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none_trig = VFIO_IRQ_SET_DATA_NONE |
				   VFIO_IRQ_SET_ACTION_TRIGGER;
	int32_t fd = efd;

	CHECK_RC(bind_to(dev, ictx, NULL), 0);
	/* Validation (vfio_set_irqs_validate_and_prepare). */
	CHECK_RC(set_irqs(dev, eventfd_trig, 0, 0, 1, &fd, 4, 1), -EINVAL);
	CHECK_RC(set_irqs(dev, eventfd_trig, VFIO_PCI_NUM_IRQS, 0, 1, &fd, 4, 0),
		 -EINVAL);
	CHECK_RC(set_irqs(dev, eventfd_trig | (1u << 6), 0, 0, 1, &fd, 4, 0),
		 -EINVAL);
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
				       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1, &fd, 4, 0),
		 -EINVAL);
	CHECK_RC(set_irqs(dev, eventfd_trig, 0, 1, 1, &fd, 4, 0), -EINVAL);
	CHECK_RC(set_irqs(dev, eventfd_trig, 0, 0, 2, &fd, 4, 0), -EINVAL);
	CHECK_RC(set_irqs(dev, eventfd_trig, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &fd,
			  4, 0), -EINVAL);
	/* Two actions: no handler (vfio_pci_set_irqs_ioctl's ENOTTY). */
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK |
				       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 1, NULL, 0, 0),
		 -ENOTTY);
	/* MSI masking is not there. */
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			  VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0, 0), -ENOTTY);
	/* INTx not enabled yet: mask and loopback trigger are EINVAL. */
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			  0, 0, 1, NULL, 0, 0), -EINVAL);
	CHECK_RC(set_irqs(dev, none_trig, 0, 0, 1, NULL, 0, 0), -EINVAL);
	/* eventfd_ctx_fdget(): not open EBADF, not an eventfd EINVAL. */
	fd = 1000;
	CHECK_RC(set_irqs(dev, eventfd_trig, 0, 0, 1, &fd, 4, 0), -EBADF);
	if (pipe2(pipefd, O_CLOEXEC) == 0) {
		fd = pipefd[0];
		CHECK_RC(set_irqs(dev, eventfd_trig, 0, 0, 1, &fd, 4, 0), -EINVAL);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	/* INTx on an eventfd; the loopback trigger signals it and automasks. */
	fd = efd;
	CHECK_RC(set_irqs(dev, eventfd_trig, 0, 0, 1, &fd, 4, 0), 0);
	CHECK_RC(set_irqs(dev, none_trig, 0, 0, 1, NULL, 0, 0), 0);
	CHECK(efd_count(efd) == 1);
	/* The loopback signals whatever the mask says. */
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			  0, 0, 1, NULL, 0, 0), 0);
	CHECK_RC(set_irqs(dev, none_trig, 0, 0, 1, NULL, 0, 0), 0);
	CHECK(efd_count(efd) == 1);
	CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			  0, 0, 1, NULL, 0, 0), 0);
	{
		uint8_t yes = 1, no = 0;

		CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_BOOL |
					       VFIO_IRQ_SET_ACTION_TRIGGER,
				  0, 0, 1, &no, 1, 0), 0);
		CHECK(efd_count(efd) == 0);
		CHECK_RC(set_irqs(dev, VFIO_IRQ_SET_DATA_BOOL |
					       VFIO_IRQ_SET_ACTION_TRIGGER,
				  0, 0, 1, &yes, 1, 0), 0);
		CHECK(efd_count(efd) == 1);
	}
	/* MSI while INTx is on: EINVAL; INTx off (count 0), then MSI. */
	CHECK_RC(set_irqs(dev, eventfd_trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &fd,
			  4, 0), -EINVAL);
	CHECK_RC(set_irqs(dev, none_trig, 0, 0, 0, NULL, 0, 0), 0);
	CHECK_RC(set_irqs(dev, eventfd_trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &fd,
			  4, 0), 0);
	CHECK_RC(set_irqs(dev, none_trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0, 0),
		 0);
	CHECK(efd_count(efd) == 1);
	fd = -1;
	CHECK_RC(set_irqs(dev, eventfd_trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &fd,
			  4, 0), 0);
	CHECK_RC(set_irqs(dev, none_trig, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL, 0, 0),
		 0);
	/* REQ: DATA_NONE with no eventfd is EINVAL. */
	CHECK_RC(set_irqs(dev, none_trig, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0, 0),
		 -EINVAL);
	close(efd);
	close(dev);
	close(ictx);
}

static void attach_rules(void)
{
	int dev = dev_open(), ictx = itest_open();
	struct vfio_device_attach_iommufd_pt a = { .argsz = 11 };
	struct vfio_device_detach_iommufd_pt d = { .argsz = 7 };
	struct iommu_hw_info hw = { .size = sizeof(hw) };
	uint8_t data[16];
	uint32_t devid, ioas, pt, pt2;

	/* Unbound: EINVAL before anything is read. */
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	CHECK_RC(bind_to(dev, ictx, &devid), 0);
	ioas = itest_ioas_new(ictx);
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.argsz = sizeof(a);
	a.flags = 2;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.flags = VFIO_DEVICE_ATTACH_PASID;
	a.argsz = 12;
	a.pt_id = ioas;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.argsz = sizeof(a);
	a.pasid = 1;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	pt = 12345;
	CHECK_RC(attach_pt(dev, &pt), -ENOENT);
	pt = devid; /* not a page table */
	CHECK_RC(attach_pt(dev, &pt), -EINVAL);
	pt = ioas;
	CHECK_RC(attach_pt(dev, &pt), 0);
	CHECK(pt != ioas && pt != 0);
	/* The auto domain is busy while attached; replacing is allowed. */
	CHECK_RC(itest_destroy(ictx, pt), -EBUSY);
	pt2 = ioas;
	CHECK_RC(attach_pt(dev, &pt2), 0);
	CHECK(pt2 == pt);
	/* HW info of a device whose IOMMU reports nothing of its own. */
	memset(data, 0xa5, sizeof(data));
	hw.dev_id = devid;
	hw.data_len = sizeof(data);
	hw.data_uptr = (uintptr_t)data;
	CHECK_RC(itest_ioctl(ictx, IOMMU_GET_HW_INFO, &hw), 0);
	/*
	 * The daemon's software IOMMU reports nothing of its own (type NONE,
	 * no data, the buffer zeroed); a real one (VT-d in the reference
	 * guest) its type and data.  Neither has PASID for the edu.
	 */
	if (hw.out_data_type == IOMMU_HW_INFO_TYPE_NONE) {
		CHECK(hw.data_len == 0);
		CHECK(data[0] == 0 && data[15] == 0);
		CHECK(!(hw.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING));
	} else {
		CHECK(hw.data_len != 0);
	}
	CHECK(hw.out_max_pasid_log2 == 0);

	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	d.argsz = sizeof(d);
	d.flags = 2;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	d.flags = 0;
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), 0);
	/* The auto domain went with its last device. */
	CHECK_RC(itest_destroy(ictx, pt), -ENOENT);
	CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), 0);
	CHECK_RC(itest_destroy(ictx, ioas), 0);
	close(dev);
	close(ictx);
}

/* The iommufd closed first: the binding keeps its context, as the kernel's. */
static void iommufd_closed_first(void)
{
	int dev = dev_open(), ictx = itest_open(), other;
	uint32_t ioas, pt;

	CHECK_RC(bind_to(dev, ictx, NULL), 0);
	ioas = itest_ioas_new(ictx);
	pt = ioas;
	CHECK_RC(attach_pt(dev, &pt), 0);
	close(ictx);
	/* Still bound and attached: detach and attach again by the same id. */
	{
		struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), 0);
	}
	pt = ioas;
	CHECK_RC(attach_pt(dev, &pt), 0);
	close(dev);
	/* Everything went: a new client binds at once. */
	dev = dev_open();
	other = itest_open();
	CHECK_RC(bind_to(dev, other, NULL), 0);
	close(dev);
	close(other);
}

/* A client killed while bound and attached leaves the device free. */
static void killed_client_unbinds(void)
{
	int sync[2], dev, ictx;
	pid_t pid;
	char c;

	if (pipe2(sync, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		uint32_t ioas, pt;

		dev = dev_open();
		ictx = itest_open();
		if (bind_to(dev, ictx, NULL))
			_exit(1);
		ioas = itest_ioas_new(ictx);
		pt = ioas;
		if (attach_pt(dev, &pt))
			_exit(1);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	CHECK(read(sync[0], &c, 1) == 1);
	close(sync[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* RELEASE of the dead client's files may trail its exit a little. */
	dev = dev_open();
	ictx = itest_open();
	for (int i = 0; i < 200 && bind_to(dev, ictx, NULL) == -EINVAL; i++)
		usleep(10000);
	{
		struct vfio_device_info info = { .argsz = sizeof(info) };

		CHECK_RC(itest_ioctl(dev, VFIO_DEVICE_GET_INFO, &info), 0);
	}
	close(dev);
	close(ictx);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	if (argc > 2) {
		snprintf(dev_path, sizeof(dev_path), "%s", argv[2]);
	} else if (!strncmp(itest_node, "/dev/", 5)) {
		snprintf(dev_path, sizeof(dev_path), "/dev/vfio/devices/uvfio0");
	} else {
		char *copy = strdup(itest_node);

		snprintf(dev_path, sizeof(dev_path), "%s/devices/uvfio0",
			 dirname(copy));
		free(copy);
	}
	RUN(unbound_file_says_einval);
	RUN(bind_argument_rules);
	RUN(bind_once_per_device);
	RUN(info_rules);
	RUN(region_access_rules);
	RUN(set_irqs_rules);
	RUN(attach_rules);
	RUN(iommufd_closed_first);
	RUN(killed_client_unbinds);
	return itest_finish();
}
