/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VFIO device layer's own state, shared by its files: device_file.c
 * (nodes, files, ioctl dispatch), device_bind.c (BIND/ATTACH/DETACH),
 * device_regions.c (INFO, regions, pread/pwrite), device_irqs.c (IRQ info,
 * SET_IRQS, the interrupt line), device_dma.c (the device's DMA).
 * Everything here is under sd->lock (see device.h for the lock order).
 */
#ifndef UIOMMUFD_VFIO_DEVICE_PRIV_H
#define UIOMMUFD_VFIO_DEVICE_PRIV_H

#include <pthread.h>

#include "providers/vfio_provider.h"
#include "vfio/device.h"

/* Eventfds one SET_IRQS index may hold: MSI vectors at most. */
#define SDEV_MAX_MSI 32
/* Open files of one node at a time (each costs the daemon memory). */
#define SDEV_MAX_OPEN_FILES 256

enum sdev_irq_type { SDEV_IRQ_NONE = -1 }; /* else a VFIO_PCI_*_IRQ_INDEX */

/*
 * How long a BIND waits for another file's binding to go.  A FUSE file's
 * RELEASE is sent after close() returned (the kernel queues it), so a
 * client that closes its device fd and binds a new one at once would
 * otherwise find the device still bound; CUSE releases synchronously.
 */
#define SDEV_BIND_WAIT_US 500000ull

struct served_device {
	pthread_mutex_t lock;
	pthread_cond_t unbound; /* signalled under lock when a binding goes */
	struct iommufd_daemon *daemon;
	const struct sdev_ops *ops;
	void *priv;
	char name[200];
	char path[288];
	unsigned int open_files;

	/* The binding (BIND_IOMMUFD .. release of that file). */
	struct vfio_device_file *bound;
	struct iommufd_ctx *ictx;	/* a reference, for as long as bound */
	struct iommufd_device *idev;	/* in ictx, under ictx->lock */
	uint32_t devid;
	bool attached;
	uint32_t pt_id;
	pid_t bind_pid;
	uid_t bind_uid;

	/* Interrupts (device_irqs.c); fds are the daemon's copies, -1: none. */
	int irq_type;
	int intx_fd;
	bool intx_masked;	/* by the user or automasked */
	bool intx_asserted;	/* the line is up (the device did not lower it) */
	int msi_fds[SDEV_MAX_MSI];
	unsigned int msi_nvec;	/* vectors enabled */
	int err_fd, req_fd;
};

struct vfio_device_file {
	struct served_device *sd;
	bool access_granted;	/* this file holds the binding */
	pid_t opener_pid;
	uid_t opener_uid;
};

/* The device's VFIO_DEVICE_FLAGS_* (the provider's, fixed once created). */
static inline uint32_t sdev_device_flags(struct served_device *sd)
{
	return sd->ops->device_flags_get ? sd->ops->device_flags_get(sd) :
					   sd->ops->device_flags;
}

/* device_bind.c; BIND takes sd->lock itself, the rest run under it. */
long sdev_ioctl_bind(struct vfio_device_file *df, struct iommufd_ucmd *ucmd);
long sdev_ioctl_attach(struct served_device *sd, struct iommufd_ucmd *ucmd);
long sdev_ioctl_detach(struct served_device *sd, struct iommufd_ucmd *ucmd);
void sdev_unbind(struct served_device *sd);

/* device_regions.c */
long sdev_ioctl_get_info(struct served_device *sd, struct iommufd_ucmd *ucmd);
long sdev_ioctl_get_region_info(struct served_device *sd,
				struct iommufd_ucmd *ucmd);
ssize_t sdev_region_rw(struct served_device *sd, uint64_t off, void *buf,
		       size_t len, bool write);

/* device_irqs.c */
void sdev_irqs_init(struct served_device *sd);
long sdev_ioctl_get_irq_info(struct served_device *sd,
			     struct iommufd_ucmd *ucmd);
long sdev_ioctl_set_irqs(struct served_device *sd, struct iommufd_ucmd *ucmd);
/* Every eventfd dropped, interrupts off (unbind, reset of the binding). */
void sdev_irqs_teardown(struct served_device *sd);

#endif
