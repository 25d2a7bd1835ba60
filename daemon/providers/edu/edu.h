/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software edu device: QEMU's educational PCI device (hw/misc/edu.c,
 * docs/specs/edu.rst) as a device provider (vfio_provider.h).  edu.c holds
 * the BAR0 registers and the DMA engine, edu_config.c the PCI config space
 * as the kernel's vfio-pci shows QEMU's edu to userspace.  What differs
 * from QEMU's device is listed in docs/devices.md ("The software edu
 * device").
 */
#ifndef UIOMMUFD_PROVIDERS_EDU_H
#define UIOMMUFD_PROVIDERS_EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* BAR0 layout (docs/specs/edu.rst) */
#define EDU_BAR0_SIZE		(1u << 20)
#define EDU_REG_ID		0x00	/* RO: 0x010000ed */
#define EDU_REG_LIVENESS	0x04	/* RW: reads the inverse of the last write */
#define EDU_REG_FACT		0x08	/* RW: write n, read n! (32 bits) */
#define EDU_REG_STATUS		0x20	/* RW: computing (RO), irq after factorial */
#define EDU_REG_IRQ_STATUS	0x24	/* RO: what raised the interrupt */
#define EDU_REG_IRQ_RAISE	0x60	/* WO: OR into the interrupt status */
#define EDU_REG_IRQ_ACK		0x64	/* WO: clear from the interrupt status */
#define EDU_REG_DMA_SRC		0x80	/* RW, 64 bits */
#define EDU_REG_DMA_DST		0x88	/* RW, 64 bits */
#define EDU_REG_DMA_CNT		0x90	/* RW, 64 bits */
#define EDU_REG_DMA_CMD		0x98	/* RW, 64 bits */

#define EDU_ID			0x010000edu
#define EDU_STATUS_COMPUTING	0x01
#define EDU_STATUS_IRQFACT	0x80
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2	/* direction: 0 RAM -> device, 1 device -> RAM */
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_FACT		0x00000001
#define EDU_IRQ_DMA		0x00000100

/* The device's own buffer, at this address of the device's DMA space. */
#define EDU_DMA_BUF_ADDR	0x40000
#define EDU_DMA_BUF_SIZE	4096
/* QEMU's default dma_mask property: addresses are cut to 28 bits. */
#define EDU_DMA_MASK		((UINT64_C(1) << 28) - 1)

/* PCI identity, as QEMU gives it */
#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_REVISION		0x10
#define EDU_CONFIG_SIZE		256

/* The config space as vfio-pci shows it (edu_config.c). */
struct edu_config {
	uint8_t bytes[EDU_CONFIG_SIZE];
};

struct edu_dev {
	uint32_t liveness;	/* already inverted */
	uint32_t fact;
	uint32_t status;
	uint32_t irq_status;
	uint64_t dma_src, dma_dst, dma_cnt, dma_cmd;
	uint8_t dma_buf[EDU_DMA_BUF_SIZE];
	/* Counters for status and tests; the device itself shows neither. */
	uint64_t dmas_done;
	uint64_t dmas_refused;	/* faulted, bus mastering off, or bad range */
	struct edu_config cfg;
};

/* edu_config.c */
void edu_config_reset(struct edu_config *cfg);
void edu_config_rw(struct edu_config *cfg, uint64_t off, void *buf,
		   size_t len, bool write);
bool edu_config_bus_master(const struct edu_config *cfg);
bool edu_config_memory_enabled(const struct edu_config *cfg);
/* Reflects the INTx line in the status register's interrupt bit. */
void edu_config_set_intx(struct edu_config *cfg, bool asserted);

#endif
