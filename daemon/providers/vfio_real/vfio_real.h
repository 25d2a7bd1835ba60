/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real-device provider's own state (vfio_real.c: the sdev_ops;
 * real_opts.c: its --device options; real_irq.c: the interrupt line;
 * real_sysfs.c: what sysfs says of the device).
 */
#ifndef UIOMMUFD_VFIO_REAL_H
#define UIOMMUFD_VFIO_REAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/vfio_real/real_backend.h"

struct served_device;

/* Which backend --device vfio:BDF,backend= asked for. */
enum real_backend_choice {
	REAL_BACKEND_AUTO,	/* the kernel's iommufd where usable, else type1 */
	REAL_BACKEND_TYPE1,
	REAL_BACKEND_IOMMUFD,
};

struct real_opts {
	char bdf[32];		/* canonical: DDDD:BB:SS.F, lower case */
	enum real_backend_choice backend;
};

/*
 * Parses the provider's options "BDF[,backend=type1|iommufd]" (the layer
 * took name= and the "vfio:" away).  A BDF without its domain gets
 * "0000:".  0 or -EINVAL with a message in err.
 */
int real_opts_parse(const char *options, struct real_opts *out, char *err,
		    size_t errlen);

/* The interrupt line of the real device (real_irq.c). */
struct real_irq {
	int efd;		/* the real device's trigger, ours */
	int stop_fd;		/* wakes the thread to end */
	_Atomic bool stopping;
	bool thread_started;
	pthread_t thread;
	int routed;		/* VFIO_PCI_*_IRQ_INDEX armed on the device, or -1 */
	struct served_device *sd;
	int device_fd;
};

int real_irq_start(struct real_irq *irq, struct served_device *sd,
		   int device_fd);
void real_irq_stop(struct real_irq *irq);
/* Arms index (-1: nothing) on the real device with our eventfd. */
int real_irq_route(struct real_irq *irq, int index);
void real_irq_intx_mask(struct real_irq *irq, bool masked);

/* Region offsets and sizes of the real device, read at start. */
#define REAL_MAX_REGIONS 9	/* VFIO_PCI_NUM_REGIONS */
#define REAL_MAX_IRQS 5		/* VFIO_PCI_NUM_IRQS */

struct vfio_real {
	struct real_dev rd;
	struct real_irq irq;
	_Atomic bool attached;	/* rd.attached != NULL, for status */
	uint32_t num_regions, num_irqs;
	uint32_t device_flags;	/* PCI, and the real device's RESET */
	uint16_t open_command;	/* PCI command register at open, not mastering */
	struct {
		uint64_t offset, size;
		uint32_t flags;
	} regions[REAL_MAX_REGIONS];
};

/* real_sysfs.c: the device's driver name and IOMMU group, from sysfs. */
int real_sysfs_driver(const char *bdf, char *out, size_t len);
int real_sysfs_group(const char *bdf, int *group);
/* Devices in the group (its devices/ directory), or a negative errno. */
int real_sysfs_group_devices(int group);

/*
 * vfio_type1.c: hold an already set-up type1 container (tests: a fake
 * one), reading its page sizes and IOVA ranges; close() closes it.
 */
int vfio_type1_adopt(struct real_dev *rd, int container_fd);

/* The sysfs root (tests point it at a tree of their own). */
extern const char *real_sysfs_root;

#endif
