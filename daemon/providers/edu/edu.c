// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The software edu device's BAR0 and DMA engine (a provider for the VFIO
 * device layer, vfio_provider.h), with the register interface of QEMU's
 * hw/misc/edu.c as its docs/specs/edu.rst describes it.
 *
 * Theory of operation
 * -------------------
 * A client reaches BAR0 with pread/pwrite on the device file.  The kernel's
 * vfio-pci cuts such a transfer into naturally aligned 8, 4, 2 and 1 byte
 * accesses and hands each to the device; QEMU's edu answers only 4 byte
 * accesses below 0x80 and 4 or 8 byte ones from 0x80 (anything else reads
 * all ones and writes nothing).  edu_bar0_rw() cuts the same way and
 * answers the same way, so a client sees what it would see on QEMU's edu
 * behind vfio-pci.
 *
 * DMA and factorial are done in the write that starts them, so the status
 * bits read back complete at once (QEMU finishes DMA from a timer 100 ms
 * later and factorial on a thread; a correct driver polls or waits for the
 * interrupt and sees no difference).  The device's DMA goes through
 * sdev_dma_rw(): the IOAS translation of whatever the device is attached
 * to, refused where an IOMMU would fault.  With bus mastering off nothing
 * reaches memory.  A transfer that faults or is blocked still completes
 * (RUN clears, the interrupt is raised if asked), as a real device's
 * transfer does when the IOMMU drops it.  A command whose range does not
 * fit the 4 KiB buffer is ignored: QEMU logs it and used to stop the VM;
 * here RUN clears, nothing moves and no interrupt is raised.
 *
 * Registers and buffer are cleared by reset (VFIO_DEVICE_RESET and each
 * fresh binding), so one client's bytes never reach the next; QEMU's edu
 * has no reset and keeps them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uiommufd/vfio_abi.h"
#include "providers/vfio_provider.h"
#include "providers/edu/edu.h"

static struct edu_dev *to_edu(struct served_device *sd)
{
	return sdev_priv(sd);
}

static void edu_raise_irq(struct served_device *sd, struct edu_dev *e,
			  uint32_t val)
{
	e->irq_status |= val;
	if (e->irq_status) {
		edu_config_set_intx(&e->cfg, true);
		sdev_irq_raise(sd);
	}
}

static void edu_lower_irq(struct served_device *sd, struct edu_dev *e,
			  uint32_t val)
{
	e->irq_status &= ~val;
	if (!e->irq_status) {
		edu_config_set_intx(&e->cfg, false);
		sdev_irq_lower(sd);
	}
}

/* The transfer must lie inside the buffer, and move at least one byte. */
static bool edu_buf_range_ok(uint64_t addr, uint64_t cnt)
{
	return addr >= EDU_DMA_BUF_ADDR && cnt > 0 &&
	       cnt <= EDU_DMA_BUF_SIZE &&
	       addr - EDU_DMA_BUF_ADDR <= EDU_DMA_BUF_SIZE - cnt;
}

static void edu_dma_run(struct served_device *sd, struct edu_dev *e)
{
	bool to_ram = e->dma_cmd & EDU_DMA_TO_RAM;
	uint64_t buf_addr = to_ram ? e->dma_src : e->dma_dst;
	uint64_t ram_addr = (to_ram ? e->dma_dst : e->dma_src) & EDU_DMA_MASK;
	uint64_t cnt = e->dma_cnt;

	e->dma_cmd &= ~(uint64_t)EDU_DMA_RUN;
	if (!edu_buf_range_ok(buf_addr, cnt)) {
		e->dmas_refused++;
		return;
	}
	if (!edu_config_bus_master(&e->cfg) ||
	    sdev_dma_rw(sd, ram_addr, e->dma_buf + (buf_addr - EDU_DMA_BUF_ADDR),
			cnt, to_ram))
		e->dmas_refused++;
	else
		e->dmas_done++;
	if (e->dma_cmd & EDU_DMA_IRQ)
		edu_raise_irq(sd, e, EDU_IRQ_DMA);
}

static uint32_t factorial32(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

/* One access as QEMU's edu_mmio_read() answers it. */
static uint64_t edu_mmio_read(struct edu_dev *e, uint64_t addr, unsigned int size)
{
	if (size != 4 && (addr < 0x80 || size != 8))
		return ~UINT64_C(0);

	switch (addr) {
	case EDU_REG_ID:
		return EDU_ID;
	case EDU_REG_LIVENESS:
		return e->liveness;
	case EDU_REG_FACT:
		return e->fact;
	case EDU_REG_STATUS:
		return e->status;
	case EDU_REG_IRQ_STATUS:
		return e->irq_status;
	case EDU_REG_DMA_SRC:
		return e->dma_src;
	case EDU_REG_DMA_DST:
		return e->dma_dst;
	case EDU_REG_DMA_CNT:
		return e->dma_cnt;
	case EDU_REG_DMA_CMD:
		return e->dma_cmd;
	}
	return ~UINT64_C(0);
}

static void edu_dma_reg_write(struct edu_dev *e, uint64_t *reg, uint64_t val)
{
	/* QEMU ignores the DMA registers while a transfer runs */
	if (!(e->dma_cmd & EDU_DMA_RUN))
		*reg = val;
}

/* One access as QEMU's edu_mmio_write() takes it. */
static void edu_mmio_write(struct served_device *sd, struct edu_dev *e,
			   uint64_t addr, uint64_t val, unsigned int size)
{
	if (size != 4 && (addr < 0x80 || size != 8))
		return;

	switch (addr) {
	case EDU_REG_LIVENESS:
		e->liveness = ~(uint32_t)val;
		break;
	case EDU_REG_FACT:
		if (e->status & EDU_STATUS_COMPUTING)
			break;
		e->fact = factorial32((uint32_t)val);
		if (e->status & EDU_STATUS_IRQFACT)
			edu_raise_irq(sd, e, EDU_IRQ_FACT);
		break;
	case EDU_REG_STATUS:
		if (val & EDU_STATUS_IRQFACT)
			e->status |= EDU_STATUS_IRQFACT;
		else
			e->status &= ~(uint32_t)EDU_STATUS_IRQFACT;
		break;
	case EDU_REG_IRQ_RAISE:
		edu_raise_irq(sd, e, (uint32_t)val);
		break;
	case EDU_REG_IRQ_ACK:
		edu_lower_irq(sd, e, (uint32_t)val);
		break;
	case EDU_REG_DMA_SRC:
		edu_dma_reg_write(e, &e->dma_src, val);
		break;
	case EDU_REG_DMA_DST:
		edu_dma_reg_write(e, &e->dma_dst, val);
		break;
	case EDU_REG_DMA_CNT:
		edu_dma_reg_write(e, &e->dma_cnt, val);
		break;
	case EDU_REG_DMA_CMD:
		if (!(val & EDU_DMA_RUN) || (e->dma_cmd & EDU_DMA_RUN))
			break;
		e->dma_cmd = val;
		edu_dma_run(sd, e);
		break;
	}
}

/* The access size vfio-pci would use next at off for len bytes. */
static unsigned int vfio_access_size(uint64_t off, size_t len)
{
	if (len >= 8 && !(off % 8))
		return 8;
	if (len >= 4 && !(off % 4))
		return 4;
	if (len >= 2 && !(off % 2))
		return 2;
	return 1;
}

static ssize_t edu_bar0_rw(struct served_device *sd, struct edu_dev *e,
			   uint64_t off, uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	/* vfio-pci refuses BAR access while memory decoding is off */
	if (!edu_config_memory_enabled(&e->cfg))
		return -EIO;

	while (done < len) {
		unsigned int size = vfio_access_size(off + done, len - done);
		uint64_t val = 0;

		if (write) {
			memcpy(&val, buf + done, size);	/* little endian host */
			edu_mmio_write(sd, e, off + done, val, size);
		} else {
			val = edu_mmio_read(e, off + done, size);
			memcpy(buf + done, &val, size);
		}
		done += size;
	}
	return (ssize_t)len;
}

static ssize_t edu_region_rw(struct served_device *sd, uint32_t index,
			     uint64_t off, void *buf, size_t len, bool write)
{
	struct edu_dev *e = to_edu(sd);

	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		if (off > EDU_BAR0_SIZE || len > EDU_BAR0_SIZE - off)
			return -EINVAL;
		return edu_bar0_rw(sd, e, off, buf, len, write);
	case VFIO_PCI_CONFIG_REGION_INDEX:
		if (off > EDU_CONFIG_SIZE || len > EDU_CONFIG_SIZE - off)
			return -EINVAL;
		edu_config_rw(&e->cfg, off, buf, len, write);
		return (ssize_t)len;
	}
	return -EINVAL;
}

/*
 * BAR0 and config space; every other BAR and the ROM exist with size 0, as
 * vfio-pci answers them.  The VGA region does not exist (vfio-pci says
 * EINVAL for it, where an absent BAR gets size 0).
 */
static void edu_region_desc(struct served_device *sd, uint32_t index,
			    struct sdev_region_desc *out)
{
	(void)sd;
	out->size = 0;
	out->flags = 0;
	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		out->size = EDU_BAR0_SIZE;
		out->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	} else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		out->size = EDU_CONFIG_SIZE;
		out->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	}
}

/*
 * As vfio-pci counts QEMU's edu: one INTx line (pin A), one MSI vector
 * (its capability has no multiple-message support), no MSI-X (an index
 * with no vectors), no error interrupt (not PCIe: the index does not
 * exist, flags 0), the request interrupt.
 */
static void edu_irq_desc(struct served_device *sd, uint32_t index,
			 struct sdev_irq_desc *out)
{
	(void)sd;
	out->count = 0;
	out->flags = VFIO_IRQ_INFO_EVENTFD;
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		out->count = 1;
		out->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		out->count = 1;
		out->flags |= VFIO_IRQ_INFO_NORESIZE;
		break;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		out->flags |= VFIO_IRQ_INFO_NORESIZE;
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		/* PCIe only: vfio-pci says EINVAL for this index (flags 0) */
		out->flags = 0;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		out->count = 1;
		out->flags |= VFIO_IRQ_INFO_NORESIZE;
		break;
	}
}

static int edu_reset(struct served_device *sd)
{
	struct edu_dev *e = to_edu(sd);

	memset(e, 0, sizeof(*e));
	edu_config_reset(&e->cfg);
	sdev_irq_lower(sd);
	return 0;
}

/* Options: none of the device's own; a name= is the layer's. */
static int edu_check_options(const char *options)
{
	const char *p = options;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n && strncmp(p, "name=", 5))
			return -EINVAL;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int edu_create(struct served_device *sd, const char *options)
{
	struct edu_dev *e;
	int ret = edu_check_options(options);

	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	edu_config_reset(&e->cfg);
	sdev_set_priv(sd, e);
	return 0;
}

static void edu_destroy(struct served_device *sd)
{
	free(sdev_priv(sd));
	sdev_set_priv(sd, NULL);
}

const struct sdev_ops edu_sdev_ops = {
	.kind = "edu",
	.create = edu_create,
	.destroy = edu_destroy,
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = edu_region_desc,
	.irq_desc = edu_irq_desc,
	.region_rw = edu_region_rw,
	.reset = edu_reset,
};
