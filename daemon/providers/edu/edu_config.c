// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The software edu device's PCI config space, as the kernel's vfio-pci
 * shows QEMU's edu device to userspace through the config region.
 *
 * Theory of operation
 * -------------------
 * vfio-pci keeps a virtual copy of parts of config space (the command
 * register's decode bits, the BARs, the interrupt line, the MSI
 * capability) and passes the rest to the device, which for QEMU's edu is
 * QEMU's emulated config space with its write masks.  Here both are one
 * array: each byte has a write mask (what either vfio-pci's virtual copy
 * or QEMU's device lets a write change), the BAR reads back through its
 * size mask as vfio-pci's does after a sizing write, and the INTx status
 * bit follows the device's line.  Every byte and every write was compared
 * with QEMU's edu under vfio-pci in the reference guest (tests/vm/
 * edu-ref.sh prints both); what differs is listed in docs/devices.md.
 */
#include <string.h>

#include "providers/edu/edu.h"

#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_SERR	0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_HEADER_SIZE		0x40

/* The MSI capability QEMU's msi_init() puts first: 64-bit, one vector. */
#define EDU_MSI_CAP		0x40
#define  PCI_CAP_ID_MSI		0x05
#define  PCI_MSI_FLAGS		2
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_QSIZE	0x0070
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  EDU_MSI_CAP_LEN	14	/* id, next, flags, address lo/hi, data */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Which bits of byte off a write may change. */
static uint8_t edu_config_wmask(unsigned int off)
{
	static const uint16_t command_wmask =
		PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;

	switch (off) {
	case PCI_COMMAND:
		return command_wmask & 0xff;
	case PCI_COMMAND + 1:
		return command_wmask >> 8;
	case PCI_CACHE_LINE_SIZE:
	case PCI_INTERRUPT_LINE:
		return 0xff;
	case PCI_BASE_ADDRESS_0 ... PCI_BASE_ADDRESS_0 + 3:
		return 0xff;	/* read back through the size mask */
	case EDU_MSI_CAP + PCI_MSI_FLAGS:
	case EDU_MSI_CAP + PCI_MSI_FLAGS + 1:
		return 0xff;	/* vfio-pci's virtual flags, fixed up below */
	case EDU_MSI_CAP + 4 ... EDU_MSI_CAP + EDU_MSI_CAP_LEN - 1:
		return 0xff;	/* message address and data */
	}
	/* QEMU leaves the space after the capabilities writable */
	if (off >= EDU_MSI_CAP + EDU_MSI_CAP_LEN)
		return 0xff;
	return 0;
}

void edu_config_reset(struct edu_config *cfg)
{
	uint8_t *c = cfg->bytes;

	memset(cfg, 0, sizeof(*cfg));
	put16(c + 0, EDU_VENDOR_ID);
	put16(c + 2, EDU_DEVICE_ID);
	/*
	 * As the reference guest shows QEMU's edu after vfio-pci's open:
	 * decoding and SERR on, bus mastering off.
	 */
	put16(c + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_SERR);
	put16(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = EDU_REVISION;
	c[PCI_CLASS_PROG] = 0;
	put16(c + PCI_CLASS_DEVICE, 0x00ff);	/* PCI_CLASS_OTHERS */
	put16(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	put16(c + PCI_SUBSYSTEM_ID, 0x1100);
	/*
	 * The BAR's address and the interrupt line are the platform's; these
	 * are the ones the reference guest's firmware gives QEMU's edu, so
	 * that a fresh config space reads the same byte for byte.  Nothing
	 * decodes that address: a client reaches BAR0 through the region.
	 */
	put32(c + PCI_BASE_ADDRESS_0, 0xfea00000);
	c[PCI_INTERRUPT_LINE] = 0x0a;
	c[PCI_CAPABILITY_LIST] = EDU_MSI_CAP;
	c[PCI_INTERRUPT_PIN] = 1;
	c[EDU_MSI_CAP] = PCI_CAP_ID_MSI;
	put16(c + EDU_MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
}

/* As vfio-pci's BAR fixup: the written value through the size mask. */
static void edu_config_bar_fixup(struct edu_config *cfg)
{
	uint8_t *bar = cfg->bytes + PCI_BASE_ADDRESS_0;

	put32(bar, get32(bar) & ~(EDU_BAR0_SIZE - 1));
}

/*
 * vfio-pci keeps the whole MSI flags word virtual and writable, then drops
 * the enable bit (MSI is enabled by SET_IRQS, not by config space) and
 * cuts the vector count to what the capability offers (one): so writing
 * 0x71 reads back 0, even the 64-bit bit goes.  Measured in the reference
 * guest; copied here.
 */
static void edu_config_msi_fixup(struct edu_config *cfg)
{
	uint8_t *flags = cfg->bytes + EDU_MSI_CAP + PCI_MSI_FLAGS;

	put16(flags, get16(flags) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
}

void edu_config_rw(struct edu_config *cfg, uint64_t off, void *buf,
		   size_t len, bool write)
{
	uint8_t *b = buf;

	if (!write) {
		memcpy(b, cfg->bytes + off, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t m = edu_config_wmask(off + i);
		uint8_t *c = &cfg->bytes[off + i];

		*c = (*c & ~m) | (b[i] & m);
	}
	edu_config_bar_fixup(cfg);
	edu_config_msi_fixup(cfg);
}

bool edu_config_bus_master(const struct edu_config *cfg)
{
	return get16(cfg->bytes + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

bool edu_config_memory_enabled(const struct edu_config *cfg)
{
	return get16(cfg->bytes + PCI_COMMAND) & PCI_COMMAND_MEMORY;
}

void edu_config_set_intx(struct edu_config *cfg, bool asserted)
{
	uint8_t *status = cfg->bytes + PCI_STATUS;
	uint16_t v = get16(status) & ~PCI_STATUS_INTERRUPT;

	put16(status, v | (asserted ? PCI_STATUS_INTERRUPT : 0));
}
