/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VFIO device cdev look-alike: one served device per --device, one
 * node per served device, any number of open files of it.  A file starts
 * unbound (only VFIO_DEVICE_BIND_IOMMUFD is answered); BIND puts the
 * device into the context of an iommufd file of this daemon as a device
 * object; closing the file (release) unbinds.  One file at a time may hold
 * the binding, as the kernel's cdev allows.  See docs/devices.md.
 *
 * Locking: each served device has a lock (sd->lock) taken by every call
 * below and by the provider's callbacks (sdev_dma_rw runs under it).  A
 * call that reaches the bound context takes its ctx->lock inside sd->lock:
 * the order is always sd->lock -> ctx->lock, never the reverse (nothing
 * under a ctx->lock calls into a served device: the device object only
 * points back at it).
 */
#ifndef UIOMMUFD_VFIO_DEVICE_H
#define UIOMMUFD_VFIO_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "providers/vfio_provider.h"

struct iommufd_daemon;
struct iommufd_ctx;
struct iommufd_ucmd;
struct served_device;
struct vfio_device_file;
struct sdev_ops;

/* At most this many --device options. */
#define SERVED_DEVICES_MAX 64

/*
 * A served device from a --device argument "KIND[,name=NAME][,OPTS]":
 * KIND picks the provider, name= the node name (default
 * "vfio/devices/uvfio<index>" for CUSE, "uvfio<index>" in FUSE's devices
 * directory), the rest goes to the provider's create().  0 or -EINVAL
 * (unknown kind, bad name: logged), -ENOMEM.
 */
int served_device_create(struct iommufd_daemon *d, const char *arg,
			 unsigned int index, bool cuse,
			 struct served_device **out);
/* Same with the provider given (unit tests). */
int served_device_create_ops(struct iommufd_daemon *d,
			     const struct sdev_ops *ops, const char *name,
			     const char *options, struct served_device **out);
/* At the stop, once no file is open any more. */
void served_device_destroy(struct served_device *sd);
/* The node name (CUSE: under /dev; FUSE: under DIR/devices). */
const char *served_device_name(const struct served_device *sd);
/* The node's path, once the front end made it (status and logs). */
void served_device_set_path(struct served_device *sd, const char *path);
const char *served_device_path(const struct served_device *sd);
const char *served_device_kind(const struct served_device *sd);

/* An open of the node.  0, -ENOMEM, -ENODEV. */
int vfio_device_file_open(struct served_device *sd, pid_t pid, uid_t uid,
			  struct vfio_device_file **out);
/* The last close of that open file: unbinds, as the kernel's release. */
void vfio_device_file_release(struct vfio_device_file *df);
/*
 * An ioctl of the file; ucmd carries the caller and its memory (ictx is
 * not used).  The kernel's result: >= 0 or a negative errno.
 */
/*
 * A device node's command for the -v trace: VFIO_DEVICE_* numbers share
 * the ';' type with the container's and overlap them (112 is both
 * VFIO_IOMMU_GET_INFO and VFIO_DEVICE_GET_PCI_HOT_RESET_INFO).
 */
const char *vfio_device_cmd_name(unsigned int cmd);
long vfio_device_file_ioctl(struct vfio_device_file *df,
			    struct iommufd_ucmd *ucmd, unsigned int cmd);
/*
 * pread/pwrite at file offset off (VFIO_PCI_INDEX_TO_OFFSET of a region
 * plus the offset in it).  Bytes done or a negative errno, as vfio-pci.
 */
ssize_t vfio_device_file_rw(struct vfio_device_file *df, uint64_t off,
			    void *buf, size_t len, bool write);

/*
 * Recognising an iommufd (device_ident.c).  The daemon answers the
 * private ioctl UIOMMUFD_IOC_CTX_SERIAL with the context's serial, but
 * only when arg is the daemon's secret (vfio_ident_secret()): every other
 * caller gets what any unknown command gets.
 */
#define UIOMMUFD_IOC_CTX_SERIAL 0x3b7f /* _IO(';', 0x7f): no VFIO command */
uint64_t vfio_ident_secret(void);
/*
 * The default ctx_from_file (struct iommufd_daemon): fd is the daemon's
 * copy of a caller's fd.  A file that is not one of ours is -EBADFD
 * without a word to it; ours is asked for its serial from a short-lived
 * process of its own, killed after a deadline (-EAGAIN then).
 */
int vfio_ident_ctx_from_file(struct iommufd_daemon *d, int fd,
			     struct iommufd_ctx **out);
/* The open context with that serial, with a new reference, or NULL. */
struct iommufd_ctx *iommufd_ctx_get_by_serial(struct iommufd_daemon *d,
					      uint32_t serial);

/* What uiommufdctl status shows of one served device. */
struct served_device_status {
	char path[288];
	const char *kind;
	unsigned int open_files;
	bool bound;
	pid_t bind_pid;
	uid_t bind_uid;
	uint32_t devid;
	bool attached;
	uint32_t pt_id;
	uint64_t ctx_pinned_bytes; /* of the bound context (its last figures) */
	bool stale;		  /* the device was busy: figures not fresh */
	/* A real device behind the provider (sdev_ops->hw_status), else not. */
	bool real;
	struct sdev_hw_status hw;
};
/* Never waits on a busy device (a trylock; stale then). */
void served_device_status_get(struct served_device *sd,
			      struct served_device_status *st);

#endif
