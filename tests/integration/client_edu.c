// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * client_edu IOMMUFD DEVICE [loop]: an edu PCI device (vendor 1234, device
 * 11e8) put into an IOAS through its VFIO device cdev, written against the
 * kernel's ABI only.  The same binary runs against the kernel's own
 * /dev/iommu and vfio-pci with QEMU's edu (tests/vm/edu-ref.sh), against
 * the daemon's software edu on a FUSE mount (tests/integration) and on its
 * CUSE nodes (tests/vm/edu-cuse.sh).
 *
 * The cases: bind and attach; the config space (identity, BAR sizing, bus
 * mastering); the registers; DMA RAM -> device -> RAM through the IOAS;
 * the source munmap()ed and still read from its pinned pages; the
 * destination IOAS_UNMAPped and no longer written; bus mastering off and
 * nothing written; an interrupt (MSI, then INTx) reaching an eventfd; and
 * teardown.  "loop" sets up and then does DMA round trips until killed
 * (for the killed-mid-DMA test).
 */
#include <sys/eventfd.h>
#include <time.h>

#include "itest.h"
#include "edu_ops.h"

#define IOVA_SRC 0x100000
#define IOVA_DST 0x200000

static const char *dev_path;
static int iommufd = -1;
static uint32_t ioas;
static struct edu_handle dev = { .fd = -1 };
static uint8_t *src, *dst;	/* two pages of one memfd */
static long page;
static int loop_mode;

static void fill(uint8_t *p, uint8_t seed)
{
	for (long i = 0; i < page; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * A page RAM -> device -> RAM in two halves through the first half of the
 * device's buffer: QEMU's edu up to 7.2 (Debian 12's) stops the whole VM
 * for a transfer that ends at the buffer's last byte (an off-by-one in
 * its range check), so no transfer here touches it.
 */
#define HALF 2048
static int roundtrip(uint64_t from, uint64_t to)
{
	for (long off = 0; off < page; off += HALF) {
		int rc = edu_dma(&dev, from + off, 0, HALF, false, false);

		if (!rc)
			rc = edu_dma(&dev, to + off, 0, HALF, true, false);
		if (rc)
			return rc;
	}
	return 0;
}

/* The whole page device -> RAM, from the buffer's first half twice. */
static int to_ram(uint64_t to)
{
	int rc = edu_dma(&dev, to, 0, HALF, true, false);

	return rc ? rc : edu_dma(&dev, to + HALF, 0, HALF, true, false);
}

static void dump_config(const char *when)
{
	uint8_t cfg[256];

	if (edu_rw(dev.fd, dev.config, cfg, sizeof(cfg), false))
		return;
	for (int i = 0; i < 256; i += 16) {
		printf("config %s %02x:", when, i);
		for (int j = 0; j < 16; j++)
			printf(" %02x", cfg[i + j]);
		printf("\n");
	}
}

static void test_bind_attach(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };

	dev.fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev.fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", dev_path, strerror(errno));
		exit(1);
	}
	iommufd = itest_open();
	/* an unbound cdev answers nothing but BIND */
	CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	ioas = itest_ioas_new(iommufd);
	CHECK_RC(edu_bind_attach(&dev, iommufd, ioas), 0);
	CHECK(dev.devid != 0);
	CHECK(dev.hwpt != 0 && dev.hwpt != ioas);
	CHECK(dev.bar0_size == 1 << 20);
	CHECK(dev.config_size == 256);

	CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_INFO, &info), 0);
	CHECK(info.flags & VFIO_DEVICE_FLAGS_PCI);
	CHECK(info.num_regions >= VFIO_PCI_NUM_REGIONS);
	CHECK(info.num_irqs >= VFIO_PCI_NUM_IRQS);
	printf("device info: flags %#x regions %u irqs %u\n", info.flags,
	       info.num_regions, info.num_irqs);
	for (uint32_t i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		ri.argsz = sizeof(ri);
		ri.index = i;
		/* no VGA: vfio-pci says EINVAL, where absent BARs have size 0 */
		if (i == VFIO_PCI_VGA_REGION_INDEX) {
			CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_REGION_INFO, &ri),
				 -EINVAL);
			continue;
		}
		CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
		printf("region %u: size %#llx flags %#x\n", i,
		       (unsigned long long)ri.size, ri.flags);
		if (i == VFIO_PCI_BAR0_REGION_INDEX || i == VFIO_PCI_CONFIG_REGION_INDEX)
			CHECK((ri.flags & 3) == 3);
		else
			CHECK(ri.size == 0);
	}
	for (uint32_t i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		ii.argsz = sizeof(ii);
		ii.index = i;
		/* the error interrupt is PCIe's: EINVAL for conventional edu */
		if (i == VFIO_PCI_ERR_IRQ_INDEX) {
			CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii),
				 -EINVAL);
			continue;
		}
		CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0);
		printf("irq %u: count %u flags %#x\n", i, ii.count, ii.flags);
	}
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	CHECK_RC(edu_ioctl(dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0);
	CHECK(ii.count == 1 && (ii.flags & VFIO_IRQ_INFO_EVENTFD));
}

/*
 * Writes that show how config space takes them, printed rather than
 * checked (tests/vm/edu-ref.sh keeps the reference's answers), each undone.
 */
static void probe_config(void)
{
	static const struct { uint16_t off, len; uint32_t val; } probes[] = {
		{ 0x06, 2, 0xffff },		/* status: write-1-to-clear */
		{ 0x0c, 1, 0x10 },		/* cache line size */
		{ 0x0d, 1, 0x40 },		/* latency timer */
		{ 0x14, 4, 0xffffffff },	/* BAR1: absent */
		{ 0x30, 4, 0xffffffff },	/* expansion ROM: absent */
		{ 0x3c, 1, 0x5b },		/* interrupt line */
		{ 0x3d, 1, 0x03 },		/* interrupt pin */
		{ 0x42, 2, 0x0071 },		/* MSI flags: enable, 8 vectors */
		{ 0x44, 4, 0xfee00003 },	/* MSI address */
		{ 0x4c, 2, 0xbeef },		/* MSI data */
		{ 0x4e, 2, 0xa5a5 },		/* after the capability */
		{ 0x80, 4, 0x12345678 },	/* far after it */
		{ 0xfc, 4, 0x87654321 },	/* the last dword */
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint32_t old = 0, got = 0, val = probes[i].val;
		uint64_t at = dev.config + probes[i].off;

		if (edu_rw(dev.fd, at, &old, probes[i].len, false) ||
		    edu_rw(dev.fd, at, &val, probes[i].len, true) ||
		    edu_rw(dev.fd, at, &got, probes[i].len, false)) {
			printf("probe %#x: error %s\n", probes[i].off, strerror(errno));
			continue;
		}
		printf("probe %#04x/%u: was %#x wrote %#x read %#x\n",
		       probes[i].off, probes[i].len, old, probes[i].val, got);
		edu_rw(dev.fd, at, &old, probes[i].len, true);
	}
}

static void test_config(void)
{
	uint16_t v16, cmd;
	uint32_t bar, sized, ones = 0xffffffff;
	uint8_t cls[4];

	dump_config("open");
	/*
	 * Every binding finds bus mastering off, whatever the last client
	 * left: the kernel's close of vfio-pci turns it off (a DMA of a gone
	 * client must not reach the next one's memory).
	 */
	CHECK_RC(edu_cfg_read16(&dev, 0x04, &cmd), 0);
	CHECK(!(cmd & PCI_CMD_MASTER));
	CHECK_RC(edu_cfg_read16(&dev, 0x00, &v16), 0);
	CHECK(v16 == 0x1234);
	CHECK_RC(edu_cfg_read16(&dev, 0x02, &v16), 0);
	CHECK(v16 == 0x11e8);
	/* identity is read-only */
	CHECK_RC(edu_cfg_write16(&dev, 0x00, 0xabcd), 0);
	CHECK_RC(edu_cfg_read16(&dev, 0x00, &v16), 0);
	CHECK(v16 == 0x1234);
	CHECK_RC(edu_rw(dev.fd, dev.config + 0x08, cls, 4, false), 0);
	/* revision 0x10, class 0x00ff (QEMU's PCI_CLASS_OTHERS) */
	CHECK(cls[0] == 0x10 && cls[1] == 0 && cls[2] == 0xff && cls[3] == 0);

	/* BAR0 sizing: all ones reads back the 1 MiB size mask */
	CHECK_RC(edu_rw(dev.fd, dev.config + 0x10, &bar, 4, false), 0);
	CHECK_RC(edu_rw(dev.fd, dev.config + 0x10, &ones, 4, true), 0);
	CHECK_RC(edu_rw(dev.fd, dev.config + 0x10, &sized, 4, false), 0);
	CHECK(sized == 0xfff00000);
	CHECK_RC(edu_rw(dev.fd, dev.config + 0x10, &bar, 4, true), 0);

	/* memory decoding off: vfio-pci refuses BAR access */
	CHECK_RC(edu_command(&dev, 0, PCI_CMD_MEMORY), 0);
	CHECK_RC(edu_rw(dev.fd, dev.bar0, &bar, 4, false), -EIO);
	CHECK_RC(edu_command(&dev, PCI_CMD_MEMORY | PCI_CMD_MASTER, 0), 0);
	CHECK_RC(edu_cfg_read16(&dev, 0x04, &cmd), 0);
	CHECK((cmd & (PCI_CMD_MEMORY | PCI_CMD_MASTER)) ==
	      (PCI_CMD_MEMORY | PCI_CMD_MASTER));
	dump_config("master");
	probe_config();
}

static void test_registers(void)
{
	uint32_t v;
	uint64_t v64;

	CHECK_RC(edu_read32(&dev, EDU_ID_REG, &v), 0);
	CHECK(v == 0x010000ed);
	CHECK_RC(edu_write32(&dev, EDU_LIVE_REG, 0x12345678), 0);
	CHECK_RC(edu_read32(&dev, EDU_LIVE_REG, &v), 0);
	CHECK(v == ~0x12345678u);
	CHECK_RC(edu_write32(&dev, EDU_FACT_REG, 10), 0);
	CHECK_RC(edu_wait_clear(&dev, EDU_STATUS_REG, 0x01), 0);
	CHECK_RC(edu_read32(&dev, EDU_FACT_REG, &v), 0);
	CHECK(v == 3628800);
	/* below 0x80 the device answers 4 byte accesses only */
	CHECK_RC(edu_rw(dev.fd, dev.bar0 + EDU_ID_REG, &v64, 8, false), 0);
	printf("8-byte read of the ID register: %#llx\n", (unsigned long long)v64);
	CHECK_RC(edu_write32(&dev, EDU_DMA_CNT, 0x1000), 0);
	CHECK_RC(edu_read32(&dev, EDU_DMA_CNT, &v), 0);
	CHECK(v == 0x1000);
}

static void map_pages(void)
{
	int mfd = memfd_create("client_edu", MFD_CLOEXEC);
	uint8_t *p;

	if (mfd < 0 || ftruncate(mfd, 2 * page)) {
		perror("memfd");
		exit(1);
	}
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	close(mfd);
	src = p;
	dst = p + page;
	fill(src, 1);
	memset(dst, 0, page);
	CHECK_RC(itest_map_fixed(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE, src, page, IOVA_SRC), 0);
	CHECK_RC(itest_map_fixed(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE, dst, page, IOVA_DST), 0);
}

static void test_dma_roundtrip(void)
{
	map_pages();
	CHECK_RC(roundtrip(IOVA_SRC, IOVA_DST), 0);
	CHECK(!memcmp(src, dst, page));
	/* a part of the buffer, at an offset, to an offset of the page */
	memset(dst, 0, page);
	CHECK_RC(edu_dma(&dev, IOVA_DST + 100, 8, 200, true, false), 0);
	CHECK(!memcmp(dst + 100, src + HALF + 8, 200));
	CHECK(all_bytes(dst, 100, 0) && all_bytes(dst + 300, page - 300, 0));
}

/* munmap()ed by the client, the source stays pinned: the device reads it. */
static void test_dma_after_munmap(void)
{
	uint8_t *want = malloc(page);

	fill(want, 77);
	fill(src, 77);
	CHECK(munmap(src, page) == 0);
	src = NULL;
	memset(dst, 0, page);
	CHECK_RC(roundtrip(IOVA_SRC, IOVA_DST), 0);
	CHECK(!memcmp(dst, want, page));
	free(want);
}

/* Bus mastering off: the device's transfer completes, nothing is written. */
static void test_no_bus_master(void)
{
	CHECK_RC(edu_command(&dev, 0, PCI_CMD_MASTER), 0);
	memset(dst, 0x33, page);
	CHECK_RC(to_ram(IOVA_DST), 0);
	CHECK(all_bytes(dst, page, 0x33));
	CHECK_RC(edu_command(&dev, PCI_CMD_MASTER, 0), 0);
	CHECK_RC(to_ram(IOVA_DST), 0);
	CHECK(!all_bytes(dst, page, 0x33));
}

static void test_interrupts(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint32_t v;

	CHECK(efd >= 0);
	/* MSI: each raise is one message */
	CHECK_RC(edu_irq_eventfd(&dev, VFIO_PCI_MSI_IRQ_INDEX, efd), 0);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_RAISE, 0x1000), 0);
	CHECK(edu_eventfd_wait(efd, 5000) >= 1);
	CHECK_RC(edu_read32(&dev, EDU_ISR_REG, &v), 0);
	CHECK(v == 0x1000);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_ACK, 0x1000), 0);
	CHECK_RC(edu_read32(&dev, EDU_ISR_REG, &v), 0);
	CHECK(v == 0);
	/* the DMA completion interrupt */
	CHECK_RC(edu_dma(&dev, IOVA_DST, 0, 64, true, true), 0);
	CHECK(edu_eventfd_wait(efd, 5000) >= 1);
	CHECK_RC(edu_read32(&dev, EDU_ISR_REG, &v), 0);
	CHECK(v == 0x100);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_ACK, 0x100), 0);
	CHECK_RC(edu_irq_none(&dev, VFIO_PCI_MSI_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_TRIGGER, 0), 0);

	/* INTx: level, masked when signalled, unmasked by the client */
	CHECK_RC(edu_irq_eventfd(&dev, VFIO_PCI_INTX_IRQ_INDEX, efd), 0);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_RAISE, 0x2), 0);
	CHECK(edu_eventfd_wait(efd, 5000) >= 1);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_ACK, 0x2), 0);
	CHECK_RC(edu_irq_none(&dev, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_UNMASK, 1), 0);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_RAISE, 0x4), 0);
	CHECK(edu_eventfd_wait(efd, 5000) >= 1);
	CHECK_RC(edu_write32(&dev, EDU_IRQ_ACK, 0x4), 0);
	CHECK_RC(edu_irq_none(&dev, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_TRIGGER, 0), 0);
	close(efd);
}

/* IOAS_UNMAP of the destination: the device can no longer write it. */
static void test_dma_after_unmap(void)
{
	uint64_t len = 0;

	CHECK_RC(itest_unmap(iommufd, ioas, IOVA_DST, page, &len), 0);
	CHECK(len == (uint64_t)page);
	memset(dst, 0x5a, page);
	CHECK_RC(to_ram(IOVA_DST), 0);
	CHECK(all_bytes(dst, page, 0x5a));
}

static void test_teardown(void)
{
	/* the IOAS is in use while the device is attached to it */
	CHECK_RC(itest_destroy(iommufd, ioas), -EBUSY);
	CHECK(close(dev.fd) == 0);
	dev.fd = -1;
	CHECK_RC(itest_unmap(iommufd, ioas, IOVA_SRC, page, NULL), 0);
	/*
	 * A FUSE file's RELEASE comes after close() returned (docs/devices.md):
	 * the device may hold the IOAS a moment longer there, never with the
	 * kernel's cdev or a CUSE node.
	 */
	for (int i = 0; i < 100 && itest_destroy(iommufd, ioas) == -EBUSY; i++) {
		struct timespec pause = { 0, 10000000 };

		nanosleep(&pause, NULL);
	}
	CHECK_RC(itest_destroy(iommufd, ioas), -ENOENT);
	CHECK(munmap(dst, page) == 0);
	CHECK(close(iommufd) == 0);
}

/* Round trips until killed: the killed-mid-DMA test. */
static void dma_forever(void)
{
	uint64_t n = 0;

	CHECK_RC(edu_command(&dev, PCI_CMD_MEMORY | PCI_CMD_MASTER, 0), 0);
	map_pages();
	if (itest_failed)
		exit(1);
	for (;;) {
		if (roundtrip(IOVA_SRC, IOVA_DST)) {
			fprintf(stderr, "DMA failed\n");
			exit(1);
		}
		if (!n++)
			printf("looping\n");
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s IOMMUFD DEVICE [loop]\n", argv[0]);
		return 2;
	}
	itest_init(argc, argv);
	dev_path = argv[2];
	loop_mode = argc > 3 && !strcmp(argv[3], "loop");
	page = sysconf(_SC_PAGESIZE);

	RUN(test_bind_attach);
	if (loop_mode)
		dma_forever();
	RUN(test_config);
	RUN(test_registers);
	RUN(test_dma_roundtrip);
	RUN(test_dma_after_munmap);
	RUN(test_no_bus_master);
	RUN(test_interrupts);
	RUN(test_dma_after_unmap);
	RUN(test_teardown);
	return itest_finish();
}
