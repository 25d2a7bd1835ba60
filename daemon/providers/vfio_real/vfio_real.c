// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A real PCI device bound to vfio-pci, served as --device vfio:BDF: the
 * client sees the device through the daemon's VFIO device look-alike
 * (daemon/vfio/), and its DMA goes through the real IOMMU.
 *
 * Theory of operation
 * -------------------
 * At start the daemon opens the device through a backend (real_backend.h:
 * its group in a type1 container of ours, or the kernel's iommufd) and
 * keeps that device fd for its whole life; clients never get it.  Region
 * access, interrupt information and reset are the real device's, at the
 * offsets the real fd has (a client's offsets are the layer's own).  The
 * client's SET_IRQS stays with the layer, which routes the line; the same
 * index is armed on the real device with our eventfd (real_irq.c).
 *
 * DMA: an HWPT of the device gets a domain of the backend, which holds
 * the IOAS's mappings and puts those of the attached domain on the
 * hardware; attach, replace and detach go to the backend, whose errno
 * fails the client's ioctl with nothing changed.  With no domain attached
 * the device's DMA is blocked: the hardware maps nothing for it.  The
 * pages the hardware reads are the daemon's view of the client's shared
 * memory (iopt_pages_view_va), so they outlive the client's munmap for as
 * long as the IOAS maps them, and private memory is refused (EOPNOTSUPP).
 *
 * What stays with the previous client: a device without a reset method
 * (QEMU's edu) keeps its registers and buffer across bindings, as it
 * would across opens of the kernel's vfio-pci.  What does not: bus
 * mastering and the rest of the command register, which the kernel's
 * close puts back and so does the end of a binding here (real_close).
 */
#include "providers/vfio_real/vfio_real.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "providers/vfio_provider.h"
#include "uiommufd/vfio_abi.h"

static struct vfio_real *to_real(struct served_device *sd)
{
	return sdev_priv(sd);
}

static const struct real_backend_ops *
pick_backend(const struct real_opts *o, char *why, size_t whylen)
{
	const struct real_backend_ops *iommufd = &kernel_iommufd_backend;
	const struct real_backend_ops *type1 = &vfio_type1_backend;

	switch (o->backend) {
	case REAL_BACKEND_IOMMUFD:
		if (iommufd->usable && iommufd->usable(o->bdf))
			return iommufd;
		snprintf(why, whylen, "backend=iommufd: this kernel has no iommufd for it (/dev/iommu and the device's cdev)");
		return NULL;
	case REAL_BACKEND_TYPE1:
		if (type1->usable(o->bdf))
			return type1;
		snprintf(why, whylen, "backend=type1: no VFIO container here (/dev/vfio/vfio) or no IOMMU group for the device");
		return NULL;
	default:
		if (iommufd->usable && iommufd->usable(o->bdf))
			return iommufd;
		if (type1->usable(o->bdf))
			return type1;
		snprintf(why, whylen, "neither the kernel's iommufd nor a VFIO type1 container can hold it (is vfio_iommu_type1 loaded, is the IOMMU on?)");
		return NULL;
	}
}

/* The real device's regions, where they are on its fd. */
static int read_regions(struct vfio_real *vr)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(vr->rd.device_fd, VFIO_DEVICE_GET_INFO, &info))
		return -errno;
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return -ENODEV;
	vr->device_flags = VFIO_DEVICE_FLAGS_PCI |
			   (info.flags & VFIO_DEVICE_FLAGS_RESET);
	vr->num_regions = info.num_regions < REAL_MAX_REGIONS ?
				  info.num_regions : REAL_MAX_REGIONS;
	vr->num_irqs = info.num_irqs < REAL_MAX_IRQS ? info.num_irqs :
						       REAL_MAX_IRQS;
	for (uint32_t i = 0; i < vr->num_regions; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };

		/* A region the device lacks is EINVAL: size 0 then. */
		if (ioctl(vr->rd.device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
			continue;
		vr->regions[i].offset = ri.offset;
		vr->regions[i].size = ri.size;
		vr->regions[i].flags = ri.flags & (VFIO_REGION_INFO_FLAG_READ |
						   VFIO_REGION_INFO_FLAG_WRITE);
	}
	return 0;
}

/* Region index of the real device at off: bytes done or a negative errno. */
static ssize_t device_rw(struct vfio_real *vr, uint32_t index, uint64_t off,
			 void *buf, size_t len, bool write)
{
	off_t at;
	ssize_t n;

	if (index >= vr->num_regions)
		return -EINVAL;
	at = (off_t)(vr->regions[index].offset + off);
	n = write ? pwrite(vr->rd.device_fd, buf, len, at) :
		    pread(vr->rd.device_fd, buf, len, at);
	return n < 0 ? -errno : n;
}

/* All of len bytes of config space, or a negative errno. */
static int config_rw(struct vfio_real *vr, uint64_t off, void *buf,
		     size_t len, bool write)
{
	ssize_t n = device_rw(vr, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len,
			      write);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * The command register as vfio-pci shows it at our open, mastering off:
 * what the kernel's close of the device restores (vfio_pci_core_disable()
 * clears mastering and loads the state saved at open), so what every
 * client finds at bind, as it would on the kernel.
 */
static int save_command(struct vfio_real *vr)
{
	uint16_t cmd;
	int rc;

	rc = config_rw(vr, PCI_COMMAND, &cmd, sizeof(cmd), false);
	if (rc)
		return rc;
	vr->open_command = cmd & (uint16_t)~PCI_COMMAND_MASTER;
	return 0;
}

static int real_create(struct served_device *sd, const char *options)
{
	char err[160], driver[64];
	struct real_opts o;
	struct vfio_real *vr;
	int rc;

	rc = real_opts_parse(options, &o, err, sizeof(err));
	if (rc)
		return log_error_errno(rc, "--device vfio:%s: %s", options, err);
	rc = real_sysfs_driver(o.bdf, driver, sizeof(driver));
	if (rc == -ENODEV)
		return log_error_errno(rc, "--device vfio:%s: no such PCI device",
				       o.bdf);
	if (rc)
		return log_error_errno(rc, "--device vfio:%s: its driver: %s",
				       o.bdf, strerror(-rc));
	if (strcmp(driver, "vfio-pci"))
		return log_error_errno(-ENODEV,
			"--device vfio:%s: the device is bound to %s, not vfio-pci; bind it first (docs/devices.md, \"Giving a real device to clients\"): echo vfio-pci > /sys/bus/pci/devices/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe (after unbinding it from its driver)",
			o.bdf, driver[0] ? driver : "no driver", o.bdf, o.bdf);
	vr = calloc(1, sizeof(*vr));
	if (!vr)
		return -ENOMEM;
	snprintf(vr->rd.bdf, sizeof(vr->rd.bdf), "%s", o.bdf);
	vr->rd.device_fd = -1;
	vr->irq.efd = vr->irq.stop_fd = -1;
	vr->rd.backend = pick_backend(&o, err, sizeof(err));
	if (!vr->rd.backend) {
		free(vr);
		return log_error_errno(-EOPNOTSUPP, "--device vfio:%s: %s", o.bdf,
				       err);
	}
	rc = vr->rd.backend->open(&vr->rd);
	if (rc) {
		log_error("--device vfio:%s: the %s backend cannot hold it: %s",
			  o.bdf, vr->rd.backend->name, strerror(-rc));
		free(vr);
		return rc;
	}
	rc = read_regions(vr);
	if (rc) {
		log_error("--device vfio:%s: not a PCI device of vfio-pci: %s",
			  o.bdf, strerror(-rc));
		goto err_close;
	}
	rc = save_command(vr);
	if (rc) {
		log_error("--device vfio:%s: its command register: %s", o.bdf,
			  strerror(-rc));
		goto err_close;
	}
	rc = real_irq_start(&vr->irq, sd, vr->rd.device_fd);
	if (rc) {
		log_error("--device vfio:%s: interrupt thread: %s", o.bdf,
			  strerror(-rc));
		goto err_close;
	}
	sdev_set_priv(sd, vr);
	log_info("vfio:%s served through the %s backend", o.bdf,
		 vr->rd.backend->name);
	return 0;

err_close:
	vr->rd.backend->close(&vr->rd);
	free(vr);
	return rc;
}

static void real_destroy(struct served_device *sd)
{
	struct vfio_real *vr = to_real(sd);

	if (!vr)
		return;
	real_irq_stop(&vr->irq);
	if (vr->rd.attached)
		(void)vr->rd.backend->attach(&vr->rd, NULL);
	vr->rd.attached = NULL;
	vr->rd.backend->close(&vr->rd);
	free(vr);
	sdev_set_priv(sd, NULL);
}

static void real_region_desc(struct served_device *sd, uint32_t index,
			     struct sdev_region_desc *out)
{
	struct vfio_real *vr = to_real(sd);

	memset(out, 0, sizeof(*out));
	if (index >= vr->num_regions)
		return;
	out->size = vr->regions[index].size;
	out->flags = vr->regions[index].flags;
}

static void real_irq_desc(struct served_device *sd, uint32_t index,
			  struct sdev_irq_desc *out)
{
	struct vfio_real *vr = to_real(sd);
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = index };

	memset(out, 0, sizeof(*out));
	/*
	 * MSI-X is never routed (real_irq.c arms INTx or MSI only) and the
	 * layer's SET_IRQS has no MSI-X: offering the real device's vectors
	 * would send a client to an index that answers ENOTTY.  None, as for
	 * a device without the capability.  Of MSI, one vector: the one line
	 * real_irq.c passes on is vector 0's, and a client that enabled more
	 * would wait for interrupts of the others that never come.
	 */
	if (index >= vr->num_irqs || index == VFIO_PCI_MSIX_IRQ_INDEX ||
	    ioctl(vr->rd.device_fd, VFIO_DEVICE_GET_IRQ_INFO, &ii))
		return;
	out->count = index == VFIO_PCI_MSI_IRQ_INDEX && ii.count > 1 ? 1 : ii.count;
	out->flags = ii.flags;
}

static ssize_t real_region_rw(struct served_device *sd, uint32_t index,
			      uint64_t off, void *buf, size_t len, bool write)
{
	return device_rw(to_real(sd), index, off, buf, len, write);
}

/*
 * VFIO_DEVICE_RESET (offered only where the real device has a reset
 * method), and the reset the layer asks at bind and unbind, tried
 * whatever the flags say: a device without one answers EINVAL, ignored.
 */
static int real_reset(struct served_device *sd)
{
	struct vfio_real *vr = to_real(sd);

	return ioctl(vr->rd.device_fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

/*
 * The end of a binding.  The device keeps its fd (ours), so the kernel's
 * close never runs: do its part that the next client would notice.  The
 * layer calls this before it unmaps anything, so that a DMA the gone
 * client started (edu's runs on a 100 ms timer) is dropped by the device
 * rather than landing where the next client maps the same IOVA.
 */
static void real_close(struct served_device *sd)
{
	struct vfio_real *vr = to_real(sd);
	uint16_t cmd = vr->open_command;
	int rc = config_rw(vr, PCI_COMMAND, &cmd, sizeof(cmd), true);

	if (rc)
		log_warning("vfio:%s: bus mastering could not be turned off at the end of a binding: %s",
			    vr->rd.bdf, strerror(-rc));
}

static uint32_t real_device_flags(struct served_device *sd)
{
	return to_real(sd)->device_flags;
}

static int real_domain_alloc(struct served_device *sd,
			     struct iommufd_domain **out)
{
	struct vfio_real *vr = to_real(sd);

	return vr->rd.backend->domain_alloc(&vr->rd, out);
}

static int real_attach(struct served_device *sd, struct iommufd_domain *domain)
{
	struct vfio_real *vr = to_real(sd);
	int rc;

	if (vr->rd.attached == domain)
		return 0;
	rc = vr->rd.backend->attach(&vr->rd, domain);
	if (rc && domain)
		return rc;
	if (rc)
		log_error("vfio:%s: blocking DMA failed (%s): the hardware may still map the old domain",
			  vr->rd.bdf, strerror(-rc));
	vr->rd.attached = domain;
	atomic_store(&vr->attached, domain != NULL);
	return 0;
}

static void real_hw_status(struct served_device *sd, struct sdev_hw_status *out)
{
	struct vfio_real *vr = to_real(sd);
	struct real_hw_mapped m = { 0 };

	if (vr->rd.backend->hw_mapped)
		vr->rd.backend->hw_mapped(&vr->rd, &m);
	out->address = vr->rd.bdf;
	out->backend = vr->rd.backend->name;
	out->attached = atomic_load(&vr->attached);
	out->mapped_ranges = m.ranges;
	out->mapped_bytes = m.bytes;
}

static int real_irq_route_op(struct served_device *sd, int index)
{
	return real_irq_route(&to_real(sd)->irq, index);
}

static void real_intx_mask_op(struct served_device *sd, bool masked)
{
	real_irq_intx_mask(&to_real(sd)->irq, masked);
}

const struct sdev_ops vfio_real_sdev_ops = {
	.kind = "vfio",
	.create = real_create,
	.destroy = real_destroy,
	.device_flags = VFIO_DEVICE_FLAGS_PCI,
	.device_flags_get = real_device_flags,
	.num_regions = VFIO_PCI_NUM_REGIONS,
	.num_irqs = VFIO_PCI_NUM_IRQS,
	.region_desc = real_region_desc,
	.irq_desc = real_irq_desc,
	.region_rw = real_region_rw,
	.reset = real_reset,
	.close_device = real_close,
	.domain_alloc = real_domain_alloc,
	.attach = real_attach,
	.hw_status = real_hw_status,
	.irq_route = real_irq_route_op,
	.intx_mask = real_intx_mask_op,
};
