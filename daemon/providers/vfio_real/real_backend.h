/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a real device (--device vfio:BDF) is held, apart from the provider
 * that serves it (vfio_real.c).  The provider forwards regions, interrupts
 * and reset to device_fd whichever backend opened it; the backend owns the
 * way the device's DMA reaches memory:
 *  - "vfio-type1" (vfio_type1.c): the device's group in a type1v2
 *    container of the daemon's, every mapping of the attached domain
 *    mirrored with VFIO_IOMMU_MAP_DMA;
 *  - "iommufd" (kernel_iommufd*.c): the device's cdev bound to a kernel
 *    iommufd of the daemon's, where the kernel has one.
 *
 * The provider keeps rd->attached: attach() still sees the old domain
 * there and the provider records the new one once attach() succeeded.
 * Every call but usable() runs under the context lock of the context the
 * device is bound to (or at start and stop, with no client), never under
 * a lock the backend takes itself.  Errors are negative errnos; the core
 * rolls the client's ioctl back and returns them.
 */
#ifndef UIOMMUFD_VFIO_REAL_BACKEND_H
#define UIOMMUFD_VFIO_REAL_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct iommufd_domain;
struct real_backend_ops;

struct real_dev {                 /* one vfio:BDF device */
	char bdf[32];
	int device_fd;                /* the real VFIO device fd, O_CLOEXEC */
	const struct real_backend_ops *backend;
	void *backend_priv;
	struct iommufd_domain *attached; /* NULL: blocked (no DMA) */
};

/* What the hardware holds now, for uiommufdctl status. */
struct real_hw_mapped {
	uint64_t ranges;
	uint64_t bytes;
};

struct real_backend_ops {
	const char *name;             /* "vfio-type1" | "iommufd": uiommufdctl status */
	/* Whether this backend can hold bdf on this kernel (e.g. /dev/iommu + cdev exist). */
	bool (*usable)(const char *bdf);
	int (*open)(struct real_dev *rd);          /* fills device_fd, backend_priv */
	void (*close)(struct real_dev *rd);
	/* A domain for an HWPT_PAGING of this device; needs_phys set; its map/unmap
	 * mirror to the hardware only while attached (or always: backend's choice). */
	int (*domain_alloc)(struct real_dev *rd, struct iommufd_domain **out);
	/* DMA now goes through domain (attach or replace); NULL: blocked. */
	int (*attach)(struct real_dev *rd, struct iommufd_domain *domain);
	/*
	 * Optional (added for status): what the hardware maps for this
	 * device now.  Read without the context lock: figures may be a
	 * moment old, never torn.
	 */
	void (*hw_mapped)(struct real_dev *rd, struct real_hw_mapped *out);
};

extern const struct real_backend_ops vfio_type1_backend, kernel_iommufd_backend;

#endif
