/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving an edu device (QEMU's, behind the kernel's vfio-pci, or the
 * daemon's software one) through a VFIO device cdev bound to an iommufd,
 * with the kernel's ABI only: shared by tests/integration/client_edu.c,
 * tests/bench/edu_bench.c and examples/demo_client.c.  Every helper
 * returns 0 or -errno.
 */
#ifndef UIOMMUFD_EDU_OPS_H
#define UIOMMUFD_EDU_OPS_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

/* edu's registers (QEMU docs/specs/edu.rst) */
#define EDU_ID_REG	0x00
#define EDU_LIVE_REG	0x04
#define EDU_FACT_REG	0x08
#define EDU_STATUS_REG	0x20
#define EDU_ISR_REG	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_CMD_IRQ	0x4
#define EDU_BUF		0x40000	/* the device's 4 KiB buffer, in its DMA space */
#define EDU_BUF_SIZE	4096

struct edu_handle {
	int fd;			/* the device cdev */
	uint64_t bar0, config;	/* region offsets in fd */
	uint64_t bar0_size, config_size;
	uint32_t devid, hwpt;
};

static inline int edu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int edu_region(struct edu_handle *d, uint32_t index,
			     uint64_t *off, uint64_t *size)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };
	int rc = edu_ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri);

	*off = ri.offset;
	*size = ri.size;
	return rc;
}

/* BIND to iommufd, ATTACH to ioas, and find BAR0 and config space. */
static inline int edu_bind_attach(struct edu_handle *d, int iommufd,
				  uint32_t ioas)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .pt_id = ioas,
	};
	int rc = edu_ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (rc)
		return rc;
	d->devid = bind.out_devid;
	rc = edu_ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc)
		return rc;
	d->hwpt = at.pt_id;
	rc = edu_region(d, VFIO_PCI_BAR0_REGION_INDEX, &d->bar0, &d->bar0_size);
	if (rc)
		return rc;
	return edu_region(d, VFIO_PCI_CONFIG_REGION_INDEX, &d->config,
			  &d->config_size);
}

static inline int edu_rw(int fd, uint64_t off, void *buf, size_t len,
			 bool write)
{
	ssize_t n = write ? pwrite(fd, buf, len, (off_t)off) :
			    pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static inline int edu_read32(struct edu_handle *d, uint32_t reg, uint32_t *val)
{
	return edu_rw(d->fd, d->bar0 + reg, val, 4, false);
}

static inline int edu_write32(struct edu_handle *d, uint32_t reg, uint32_t val)
{
	return edu_rw(d->fd, d->bar0 + reg, &val, 4, true);
}

static inline int edu_cfg_read16(struct edu_handle *d, uint32_t off, uint16_t *v)
{
	return edu_rw(d->fd, d->config + off, v, 2, false);
}

static inline int edu_cfg_write16(struct edu_handle *d, uint32_t off, uint16_t v)
{
	return edu_rw(d->fd, d->config + off, &v, 2, true);
}

/* Sets (or clears) bits of the command register, memory decoding kept. */
static inline int edu_command(struct edu_handle *d, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	int rc = edu_cfg_read16(d, 0x04, &cmd);

	if (rc)
		return rc;
	return edu_cfg_write16(d, 0x04, (uint16_t)((cmd | set) & ~clear));
}
#define PCI_CMD_MEMORY	0x0002
#define PCI_CMD_MASTER	0x0004

/*
 * Waits until the register's busy bits clear (QEMU's edu completes DMA on
 * a timer, 100 ms of guest time; the software one at once).
 */
static inline int edu_wait_clear(struct edu_handle *d, uint32_t reg, uint32_t busy)
{
	for (int i = 0; i < 20000; i++) {
		uint32_t v;
		int rc = edu_read32(d, reg, &v);

		if (rc)
			return rc;
		if (!(v & busy))
			return 0;
		usleep(i < 100 ? 0 : 500);
	}
	return -ETIMEDOUT;
}

/*
 * One transfer of len bytes (<= 4 KiB) between IOVA iova and the device's
 * buffer at buf_off; to_ram: device -> RAM.  Waits for completion.  The
 * addresses fit 32 bits (edu cuts DMA addresses to 28), so 4 byte
 * register writes do, whatever size vfio-pci's BAR access supports.
 */
static inline int edu_dma(struct edu_handle *d, uint64_t iova, uint32_t buf_off,
			  uint32_t len, bool to_ram, bool irq)
{
	uint32_t buf = EDU_BUF + buf_off;
	int rc;

	rc = edu_write32(d, EDU_DMA_SRC, to_ram ? buf : (uint32_t)iova);
	if (!rc)
		rc = edu_write32(d, EDU_DMA_DST, to_ram ? (uint32_t)iova : buf);
	if (!rc)
		rc = edu_write32(d, EDU_DMA_CNT, len);
	if (!rc)
		rc = edu_write32(d, EDU_DMA_CMD, EDU_CMD_RUN |
				 (to_ram ? EDU_CMD_TO_RAM : 0) |
				 (irq ? EDU_CMD_IRQ : 0));
	if (!rc)
		rc = edu_wait_clear(d, EDU_DMA_CMD, EDU_CMD_RUN);
	return rc;
}

/* SET_IRQS: one eventfd (or -1 to tear it down) on vector 0 of index. */
static inline int edu_irq_eventfd(struct edu_handle *d, uint32_t index, int efd)
{
	/* The header and its one eventfd, laid end to end as the ABI wants. */
	struct vfio_irq_set s = {
		.argsz = sizeof(s) + sizeof(int32_t), .index = index,
		.start = 0, .count = 1,
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	unsigned char set[sizeof(s) + sizeof(int32_t)];
	int32_t fd = efd;

	memcpy(set, &s, sizeof(s));
	memcpy(set + sizeof(s), &fd, sizeof(fd));
	return edu_ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
}

/* SET_IRQS with DATA_NONE: action on vector 0 of index (count 0: disable). */
static inline int edu_irq_none(struct edu_handle *d, uint32_t index,
			       uint32_t action, uint32_t count)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s), .index = index, .start = 0, .count = count,
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
	};

	return edu_ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &s);
}

/* Waits up to ms for the eventfd; returns its count, 0 on timeout. */
static inline uint64_t edu_eventfd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

#endif
