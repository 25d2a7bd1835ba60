/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a device provider (the software edu device today, a real device held
 * through the kernel's VFIO next) gives the VFIO device layer (daemon/vfio/),
 * and what that layer gives back.  The layer owns everything a client sees
 * of the VFIO device ABI: the node, the open files, BIND/ATTACH/DETACH, the
 * region offsets, the eventfds of SET_IRQS.  A provider only models the
 * device: its regions' contents, its interrupt line, its DMA.
 *
 * Region and IRQ indexes are VFIO's (VFIO_PCI_BAR0_REGION_INDEX ...,
 * VFIO_PCI_INTX_IRQ_INDEX ...).  PCI config space (VFIO_PCI_CONFIG_REGION_
 * INDEX) is the provider's own, virtualized the way the kernel's vfio-pci
 * presents it to userspace.
 *
 * Locking: every op runs with the served device's lock held, so a provider
 * needs no lock of its own for state only its ops touch.
 */
#ifndef UIOMMUFD_VFIO_PROVIDER_H
#define UIOMMUFD_VFIO_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct served_device;
struct iommufd_domain;

struct sdev_region_desc {
	uint64_t size;	/* 0: the region does not exist */
	uint32_t flags; /* VFIO_REGION_INFO_FLAG_READ / _WRITE (never _MMAP) */
};

struct sdev_irq_desc {
	uint32_t count; /* vectors; 0: the IRQ index does not exist */
	uint32_t flags; /* VFIO_IRQ_INFO_EVENTFD, _MASKABLE, _AUTOMASKED, ... */
};

/* A provider's real device, as uiommufdctl status shows it. */
struct sdev_hw_status {
	const char *address;	/* "0000:00:03.0" */
	const char *backend;	/* "vfio-type1", "iommufd" */
	bool attached;		/* DMA through a domain (else blocked) */
	uint64_t mapped_ranges;	/* IOVA ranges the hardware maps */
	uint64_t mapped_bytes;
};

struct sdev_ops {
	const char *kind; /* "edu": shown by uiommufdctl status */
	/* Allocates provider state from the --device argument's options. */
	int (*create)(struct served_device *sd, const char *options);
	void (*destroy)(struct served_device *sd);

	uint32_t device_flags; /* VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET ... */
	uint32_t num_regions, num_irqs;
	void (*region_desc)(struct served_device *sd, uint32_t index,
			    struct sdev_region_desc *out);
	void (*irq_desc)(struct served_device *sd, uint32_t index,
			 struct sdev_irq_desc *out);
	/*
	 * pread/pwrite at offset off of region index (bounds already checked
	 * against the region's size and flags by the layer).  Returns bytes
	 * done or a negative errno, as the kernel's vfio-pci would.  A write
	 * may start DMA (sdev_dma_rw) and raise the interrupt before it
	 * returns.
	 */
	ssize_t (*region_rw)(struct served_device *sd, uint32_t index,
			     uint64_t off, void *buf, size_t len, bool write);
	/* VFIO_DEVICE_RESET, and the reset at open of a fresh binding. */
	int (*reset)(struct served_device *sd);
	/*
	 * Optional: the binding went (its client closed the device or died),
	 * under sd->lock, before its interrupts and mappings go.  The device
	 * is left as the kernel's close of it would leave it for the next
	 * opener (a real device: bus mastering off).
	 */
	void (*close_device)(struct served_device *sd);

	/*
	 * Optional: the device's DMA goes through a real IOMMU the provider
	 * holds (vfio_real/).  Without them the device is behind the
	 * daemon's software IOMMU (core/device.h) and refuses domains that
	 * need physical pages.  Called by the core (hw_pagetable.c,
	 * device.c) under the bound context's lock, possibly without
	 * sd->lock: they must not take it (see vfio/device.h's lock order).
	 *
	 * domain_alloc: the paging domain of an HWPT of this device (the
	 * core has checked that no flag and no driver data were asked).
	 * attach: DMA now goes through domain, which replaces whatever was
	 * attached (attach or replace), or is blocked (domain NULL: never
	 * fails).  -EINVAL for a domain the provider did not make for this
	 * device, so the core tries the next auto domain.  On failure the
	 * old attachment must still be in force.
	 */
	int (*domain_alloc)(struct served_device *sd,
			    struct iommufd_domain **out);
	int (*attach)(struct served_device *sd, struct iommufd_domain *domain);
	/*
	 * Optional, for uiommufdctl status: the real device behind sd and
	 * what its IOMMU maps now.  Never waits on a lock (figures may be a
	 * moment old).
	 */
	void (*hw_status)(struct served_device *sd, struct sdev_hw_status *out);
	/*
	 * Optional, for a provider whose interrupts come from a real device
	 * (under sd->lock): irq_route when the client's SET_IRQS routes the
	 * line to index (VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX) or
	 * to nothing (-1); a refusal fails that SET_IRQS with its errno.
	 * intx_mask when the client masks or unmasks INTx (the automask is
	 * the real device's: its kernel masks the line when it fires).
	 */
	int (*irq_route)(struct served_device *sd, int index);
	/*
	 * Optional: the device's VFIO_DEVICE_FLAGS_* when they are not known
	 * before create() (a real device: RESET only where its vfio-pci has a
	 * reset method); device_flags otherwise.  Fixed once created.
	 */
	uint32_t (*device_flags_get)(struct served_device *sd);
	void (*intx_mask)(struct served_device *sd, bool masked);
};

/* The provider serving sd (for the core's hooks above). */
const struct sdev_ops *sdev_get_ops(struct served_device *sd);

/* The provider's private state (set by ops->create). */
void *sdev_priv(struct served_device *sd);
void sdev_set_priv(struct served_device *sd, void *priv);

/*
 * DMA by the device: len bytes at iova through the IOMMU translation of
 * whatever the device is attached to, exactly as a real device's requests
 * would go.  Returns 0, or -EFAULT where a real IOMMU would fault the
 * request: the device is not bound or not attached, any byte is unmapped,
 * or mapped without the permission the direction needs.  Nothing is
 * transferred on failure.
 */
int sdev_dma_rw(struct served_device *sd, uint64_t iova, void *buf,
		size_t len, bool write);

/*
 * The device's interrupt: an edge (MSI message, or INTx asserted) to the
 * eventfd SET_IRQS gave the index the layer routes it to (MSI vector 0 when
 * the client enabled MSI, else INTx, which automasks as vfio-pci's does).
 * irq_lower deasserts INTx (the device's status was acknowledged).
 */
void sdev_irq_raise(struct served_device *sd);
void sdev_irq_lower(struct served_device *sd);
/*
 * From a provider's own thread (not under sd->lock): one interrupt of a
 * real device, raised and lowered at once under sd->lock.  A level INTx
 * that is still asserted fires again at the real device's unmask, which
 * intx_mask passes on.  The lock is only tried, and *cancel looked at in
 * between, because the provider's destroy runs under it and waits for
 * the thread.  0, or -ECANCELED.
 */
int sdev_irq_pulse(struct served_device *sd, const _Atomic bool *cancel);

/* Providers, by kind (daemon/providers/<kind>/). */
extern const struct sdev_ops edu_sdev_ops;
/* A real device bound to vfio-pci: "vfio:BDF" (vfio_real/). */
extern const struct sdev_ops vfio_real_sdev_ops;

#endif
