// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The software edu device (daemon/providers/edu/) on its own: its ops
 * driven directly, with a fake VFIO layer whose sdev_dma_rw() translates
 * one two-page IOVA window onto a buffer, faults everything else, and
 * counts the interrupt line's edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "uiommufd/vfio_abi.h"
#include "providers/vfio_provider.h"
#include "providers/edu/edu.h"

/* ------------------------------------------------------------ the fake -- */
struct served_device {
	void *priv;
};

#define WIN_IOVA 0x100000
#define WIN_SIZE 8192

static uint8_t ram[WIN_SIZE];
static bool attached, read_only;
static unsigned int raises, lowers, dma_calls;

void *sdev_priv(struct served_device *sd)
{
	return sd->priv;
}

void sdev_set_priv(struct served_device *sd, void *priv)
{
	sd->priv = priv;
}

int sdev_dma_rw(struct served_device *sd, uint64_t iova, void *buf,
		size_t len, bool write)
{
	(void)sd;
	dma_calls++;
	if (!attached || iova < WIN_IOVA || len > WIN_SIZE ||
	    iova - WIN_IOVA > WIN_SIZE - len || (write && read_only))
		return -EFAULT;
	if (write)
		memcpy(ram + (iova - WIN_IOVA), buf, len);
	else
		memcpy(buf, ram + (iova - WIN_IOVA), len);
	return 0;
}

void sdev_irq_raise(struct served_device *sd)
{
	(void)sd;
	raises++;
}

void sdev_irq_lower(struct served_device *sd)
{
	(void)sd;
	lowers++;
}

/* ------------------------------------------------------------ helpers -- */
static const struct sdev_ops *ops = &edu_sdev_ops;

static int setup(void **state)
{
	static struct served_device sd;

	memset(&sd, 0, sizeof(sd));
	memset(ram, 0, sizeof(ram));
	attached = true;
	read_only = false;
	raises = lowers = dma_calls = 0;
	assert_int_equal(ops->create(&sd, NULL), 0);
	*state = &sd;
	return 0;
}

static int teardown(void **state)
{
	ops->destroy(*state);
	return 0;
}

static uint64_t bar_read(struct served_device *sd, uint64_t off, size_t len)
{
	uint64_t v = 0;

	assert_int_equal(ops->region_rw(sd, VFIO_PCI_BAR0_REGION_INDEX, off,
					&v, len, false), (ssize_t)len);
	return v;
}

static void bar_write(struct served_device *sd, uint64_t off, uint64_t v,
		      size_t len)
{
	assert_int_equal(ops->region_rw(sd, VFIO_PCI_BAR0_REGION_INDEX, off,
					&v, len, true), (ssize_t)len);
}

static uint32_t cfg_read(struct served_device *sd, uint64_t off, size_t len)
{
	uint32_t v = 0;

	assert_int_equal(ops->region_rw(sd, VFIO_PCI_CONFIG_REGION_INDEX, off,
					&v, len, false), (ssize_t)len);
	return v;
}

static void cfg_write(struct served_device *sd, uint64_t off, uint32_t v,
		      size_t len)
{
	assert_int_equal(ops->region_rw(sd, VFIO_PCI_CONFIG_REGION_INDEX, off,
					&v, len, true), (ssize_t)len);
}

static void bus_master(struct served_device *sd, bool on)
{
	uint32_t cmd = cfg_read(sd, 0x04, 2);

	cfg_write(sd, 0x04, on ? cmd | 0x4 : cmd & ~0x4u, 2);
}

static void dma(struct served_device *sd, uint64_t src, uint64_t dst,
		uint64_t cnt, uint64_t cmd)
{
	bar_write(sd, EDU_REG_DMA_SRC, src, 8);
	bar_write(sd, EDU_REG_DMA_DST, dst, 8);
	bar_write(sd, EDU_REG_DMA_CNT, cnt, 8);
	bar_write(sd, EDU_REG_DMA_CMD, cmd, 8);
	/* done in the write: RUN reads back clear at once */
	assert_int_equal(bar_read(sd, EDU_REG_DMA_CMD, 8) & EDU_DMA_RUN, 0);
}

/* -------------------------------------------------------------- cases -- */
static void registers(void **state)
{
	struct served_device *sd = *state;

	assert_int_equal(bar_read(sd, EDU_REG_ID, 4), 0x010000ed);
	bar_write(sd, EDU_REG_LIVENESS, 0x0f0f1234, 4);
	assert_int_equal(bar_read(sd, EDU_REG_LIVENESS, 4), (uint32_t)~0x0f0f1234u);
	bar_write(sd, EDU_REG_FACT, 12, 4);
	assert_int_equal(bar_read(sd, EDU_REG_STATUS, 4) & EDU_STATUS_COMPUTING, 0);
	assert_int_equal(bar_read(sd, EDU_REG_FACT, 4), 479001600);
	bar_write(sd, EDU_REG_FACT, 0, 4);
	assert_int_equal(bar_read(sd, EDU_REG_FACT, 4), 1);
	bar_write(sd, EDU_REG_FACT, 13, 4);	/* 13! wraps at 32 bits, as QEMU's */
	assert_int_equal(bar_read(sd, EDU_REG_FACT, 4), (uint32_t)6227020800u);
	/* unknown registers read all ones and take no write */
	assert_int_equal(bar_read(sd, 0x10, 4), 0xffffffff);
	assert_int_equal(bar_read(sd, 0x50000, 4), 0xffffffff);
	bar_write(sd, 0x10, 5, 4);
	assert_int_equal(bar_read(sd, 0x10, 4), 0xffffffff);
	/* the ID is read-only */
	bar_write(sd, EDU_REG_ID, 0, 4);
	assert_int_equal(bar_read(sd, EDU_REG_ID, 4), 0x010000ed);
}

/* vfio-pci's access sizes, QEMU's edu's valid sizes */
static void access_sizes(void **state)
{
	struct served_device *sd = *state;
	uint8_t b[16];

	assert_int_equal(bar_read(sd, EDU_REG_ID, 8), UINT64_MAX);
	assert_int_equal(bar_read(sd, EDU_REG_ID, 2), 0xffff);
	assert_int_equal(bar_read(sd, EDU_REG_ID + 1, 1), 0xff);
	bar_write(sd, EDU_REG_LIVENESS, 0x1234, 2);	/* ignored */
	assert_int_equal(bar_read(sd, EDU_REG_LIVENESS, 4), 0);
	/* from 0x80 both 4 and 8 byte accesses work */
	bar_write(sd, EDU_REG_DMA_SRC, 0x1122334455667788ull, 8);
	assert_int_equal(bar_read(sd, EDU_REG_DMA_SRC, 8), 0x1122334455667788ull);
	assert_int_equal(bar_read(sd, EDU_REG_DMA_SRC, 4), 0x55667788);
	assert_int_equal(bar_read(sd, EDU_REG_DMA_SRC + 4, 4), 0xffffffff);
	bar_write(sd, EDU_REG_DMA_SRC, 0xabcd, 4);	/* zero-extends */
	assert_int_equal(bar_read(sd, EDU_REG_DMA_SRC, 8), 0xabcd);
	/* a 16 byte read at 0 is two 8 byte accesses: all ones */
	assert_int_equal(ops->region_rw(sd, VFIO_PCI_BAR0_REGION_INDEX, 0, b,
					16, false), 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(b[i], 0xff);
	/* 12 bytes at 0: 8 + 4, so the last 4 are the factorial register */
	bar_write(sd, EDU_REG_FACT, 4, 4);
	assert_int_equal(ops->region_rw(sd, VFIO_PCI_BAR0_REGION_INDEX, 0, b,
					12, false), 12);
	assert_int_equal(b[8], 24);
	assert_int_equal(b[9] | b[10] | b[11], 0);
	assert_int_equal(b[0], 0xff);
}

static void dma_both_directions(void **state)
{
	struct served_device *sd = *state;

	for (int i = 0; i < 4096; i++)
		ram[i] = (uint8_t)(i * 13 + 5);
	bus_master(sd, true);
	/* RAM -> device: the whole 4 KiB buffer */
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR, 4096, EDU_DMA_RUN);
	/* device -> RAM, the second page */
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA + 4096, 4096, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_memory_equal(ram, ram + 4096, 4096);
	/* a part: buffer bytes 100..149 to RAM offset 4096+7 */
	memset(ram + 4096, 0, 4096);
	dma(sd, EDU_DMA_BUF_ADDR + 100, WIN_IOVA + 4096 + 7, 50,
	    EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_memory_equal(ram + 4096 + 7, ram + 100, 50);
	assert_int_equal(ram[4096 + 6], 0);
	assert_int_equal(ram[4096 + 57], 0);
	assert_int_equal(raises, 0);
	assert_int_equal(bar_read(sd, EDU_REG_DMA_CNT, 8), 50);
}

/* QEMU's 28-bit DMA mask: the RAM side's address is cut, not refused */
static void dma_mask(void **state)
{
	struct served_device *sd = *state;

	ram[0] = 0x42;
	bus_master(sd, true);
	dma(sd, WIN_IOVA | (UINT64_C(0xab) << 28), EDU_DMA_BUF_ADDR, 1, EDU_DMA_RUN);
	dma(sd, EDU_DMA_BUF_ADDR, (WIN_IOVA + 4096) | (UINT64_C(1) << 40), 1,
	    EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_int_equal(ram[4096], 0x42);
}

static void no_bus_master(void **state)
{
	struct served_device *sd = *state;

	memset(ram, 0x11, 4096);
	/* off after open: nothing moves, the command completes */
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR, 4096, EDU_DMA_RUN | EDU_DMA_IRQ);
	assert_int_equal(dma_calls, 0);
	assert_int_equal(raises, 1);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA + 4096, 4096, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_int_equal(dma_calls, 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(ram[4096 + i], 0);
}

/* Outside the buffer, or empty: ignored, no transfer and no interrupt */
static void out_of_range(void **state)
{
	struct served_device *sd = *state;
	static const struct { uint64_t addr, cnt; } bad[] = {
		{ EDU_DMA_BUF_ADDR - 1, 16 },
		{ EDU_DMA_BUF_ADDR, 0 },
		{ EDU_DMA_BUF_ADDR, 4097 },
		{ EDU_DMA_BUF_ADDR + 1, 4096 },
		{ EDU_DMA_BUF_ADDR + 4096, 1 },
		{ EDU_DMA_BUF_ADDR + 8, UINT64_MAX - 4 },	/* wraps */
		{ 0, 16 },
	};

	bus_master(sd, true);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dma(sd, WIN_IOVA, bad[i].addr, bad[i].cnt, EDU_DMA_RUN | EDU_DMA_IRQ);
		dma(sd, bad[i].addr, WIN_IOVA, bad[i].cnt,
		    EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	}
	assert_int_equal(dma_calls, 0);
	assert_int_equal(raises, 0);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), 0);
	/* the buffer's last byte is reachable (QEMU 7.2 stopped the VM) */
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR + 4095, 1, EDU_DMA_RUN);
	assert_int_equal(dma_calls, 1);
}

/* Where the IOMMU refuses: nothing moves, the transfer still completes */
static void dma_fault(void **state)
{
	struct served_device *sd = *state;

	bus_master(sd, true);
	memset(ram, 0x77, sizeof(ram));
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR, 4096, EDU_DMA_RUN);	/* buffer = 0x77 */
	read_only = true;
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA, 16, EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	assert_int_equal(raises, 1);
	read_only = false;
	attached = false;
	memset(ram, 0, sizeof(ram));
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA, 16, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_int_equal(ram[0], 0);
	/* a faulted read leaves the buffer as it was */
	attached = true;
	dma(sd, WIN_IOVA + WIN_SIZE, EDU_DMA_BUF_ADDR, 16, EDU_DMA_RUN);
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA, 16, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_int_equal(ram[0], 0x77);
}

static void interrupts(void **state)
{
	struct served_device *sd = *state;

	bar_write(sd, EDU_REG_IRQ_RAISE, 0x30, 4);
	assert_int_equal(raises, 1);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), 0x30);
	assert_int_equal(cfg_read(sd, 0x06, 2) & 0x08, 0x08);	/* INTx status */
	bar_write(sd, EDU_REG_IRQ_RAISE, 0x01, 4);		/* each raise: an edge */
	assert_int_equal(raises, 2);
	bar_write(sd, EDU_REG_IRQ_ACK, 0x10, 4);
	assert_int_equal(lowers, 0);				/* still 0x21 */
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), 0x21);
	bar_write(sd, EDU_REG_IRQ_ACK, 0x21, 4);
	assert_int_equal(lowers, 1);
	assert_int_equal(cfg_read(sd, 0x06, 2) & 0x08, 0);
	bar_write(sd, EDU_REG_IRQ_RAISE, 0, 4);			/* nothing to raise */
	assert_int_equal(raises, 2);
	/* factorial with its interrupt bit */
	bar_write(sd, EDU_REG_STATUS, EDU_STATUS_IRQFACT | EDU_STATUS_COMPUTING, 4);
	assert_int_equal(bar_read(sd, EDU_REG_STATUS, 4), EDU_STATUS_IRQFACT);
	bar_write(sd, EDU_REG_FACT, 3, 4);
	assert_int_equal(raises, 3);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), EDU_IRQ_FACT);
	bar_write(sd, EDU_REG_STATUS, 0, 4);
	assert_int_equal(bar_read(sd, EDU_REG_STATUS, 4), 0);
	/* DMA completion */
	bus_master(sd, true);
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR, 8, EDU_DMA_RUN | EDU_DMA_IRQ);
	assert_int_equal(raises, 4);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), EDU_IRQ_FACT | EDU_IRQ_DMA);
}

static void config_space(void **state)
{
	struct served_device *sd = *state;

	assert_int_equal(cfg_read(sd, 0, 4), 0x11e81234);
	assert_int_equal(cfg_read(sd, 0x04, 4), 0x00100103);
	assert_int_equal(cfg_read(sd, 0x08, 4), 0x00ff0010);
	assert_int_equal(cfg_read(sd, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_read(sd, 0x34, 1), 0x40);
	assert_int_equal(cfg_read(sd, 0x3c, 2), 0x010a);
	assert_int_equal(cfg_read(sd, 0x40, 4), 0x00800005);
	/* read-only identity */
	cfg_write(sd, 0, 0xffffffff, 4);
	assert_int_equal(cfg_read(sd, 0, 4), 0x11e81234);
	/* BAR0 sizing, BAR1 and ROM absent */
	cfg_write(sd, 0x10, 0xffffffff, 4);
	assert_int_equal(cfg_read(sd, 0x10, 4), 0xfff00000);
	cfg_write(sd, 0x14, 0xffffffff, 4);
	assert_int_equal(cfg_read(sd, 0x14, 4), 0);
	cfg_write(sd, 0x30, 0xffffffff, 4);
	assert_int_equal(cfg_read(sd, 0x30, 4), 0);
	/* vfio-pci's MSI flags: enable dropped, vectors cut to one */
	cfg_write(sd, 0x42, 0x0071, 2);
	assert_int_equal(cfg_read(sd, 0x42, 2), 0);
	cfg_write(sd, 0x44, 0xfee00003, 4);
	assert_int_equal(cfg_read(sd, 0x44, 4), 0xfee00003);
	/* status is write-1-to-clear with nothing to clear; pin read-only */
	cfg_write(sd, 0x06, 0xffff, 2);
	assert_int_equal(cfg_read(sd, 0x06, 2), 0x0010);
	cfg_write(sd, 0x3d, 3, 1);
	assert_int_equal(cfg_read(sd, 0x3d, 1), 1);
	/* after the capability QEMU keeps plain writable bytes */
	cfg_write(sd, 0x80, 0x12345678, 4);
	assert_int_equal(cfg_read(sd, 0x80, 4), 0x12345678);
	/* memory decoding off: BAR access is EIO, as vfio-pci's */
	cfg_write(sd, 0x04, 0x0101, 2);
	{
		uint32_t v;

		assert_int_equal(ops->region_rw(sd, VFIO_PCI_BAR0_REGION_INDEX,
						0, &v, 4, false), -EIO);
	}
}

static void regions_and_irqs(void **state)
{
	struct served_device *sd = *state;
	struct sdev_region_desc r;
	struct sdev_irq_desc q;

	ops->region_desc(sd, VFIO_PCI_BAR0_REGION_INDEX, &r);
	assert_int_equal(r.size, 1 << 20);
	assert_int_equal(r.flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
	ops->region_desc(sd, VFIO_PCI_CONFIG_REGION_INDEX, &r);
	assert_int_equal(r.size, 256);
	ops->region_desc(sd, VFIO_PCI_BAR1_REGION_INDEX, &r);
	assert_int_equal(r.size, 0);
	ops->irq_desc(sd, VFIO_PCI_INTX_IRQ_INDEX, &q);
	assert_int_equal(q.count, 1);
	assert_int_equal(q.flags, 0x7);
	ops->irq_desc(sd, VFIO_PCI_MSI_IRQ_INDEX, &q);
	assert_int_equal(q.count, 1);
	assert_int_equal(q.flags, 0x9);
	ops->irq_desc(sd, VFIO_PCI_MSIX_IRQ_INDEX, &q);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.flags, 0x9);
	ops->irq_desc(sd, VFIO_PCI_ERR_IRQ_INDEX, &q);
	assert_int_equal(q.flags, 0);
	ops->irq_desc(sd, VFIO_PCI_REQ_IRQ_INDEX, &q);
	assert_int_equal(q.count, 1);
	assert_int_equal(ops->device_flags, VFIO_DEVICE_FLAGS_PCI);
}

/* A reset (a fresh binding) leaves nothing of the last client */
static void reset_clears(void **state)
{
	struct served_device *sd = *state;

	memset(ram, 0x99, 4096);
	bus_master(sd, true);
	dma(sd, WIN_IOVA, EDU_DMA_BUF_ADDR, 4096, EDU_DMA_RUN);
	bar_write(sd, EDU_REG_LIVENESS, 1, 4);
	bar_write(sd, EDU_REG_IRQ_RAISE, 4, 4);
	assert_int_equal(ops->reset(sd), 0);
	assert_int_equal(bar_read(sd, EDU_REG_LIVENESS, 4), 0);
	assert_int_equal(bar_read(sd, EDU_REG_IRQ_STATUS, 4), 0);
	assert_int_equal(cfg_read(sd, 0x04, 2), 0x0103);	/* master off again */
	bus_master(sd, true);
	memset(ram, 0, sizeof(ram));
	dma(sd, EDU_DMA_BUF_ADDR, WIN_IOVA, 4096, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(ram[i], 0);
}

static void options(void **state)
{
	struct served_device sd = { 0 };

	(void)state;
	assert_int_equal(ops->create(&sd, "bogus=1"), -EINVAL);
	assert_int_equal(ops->create(&sd, "name=edu7"), 0);
	ops->destroy(&sd);
	assert_int_equal(ops->create(&sd, ""), 0);
	ops->destroy(&sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(registers, setup, teardown),
		cmocka_unit_test_setup_teardown(access_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(dma_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(dma_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(no_bus_master, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(dma_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(regions_and_irqs, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_clears, setup, teardown),
		cmocka_unit_test(options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
