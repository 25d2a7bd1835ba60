/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A served VFIO device bound to a fake iommufd context, shared by the
 * cmocka tests of the device layer (vfio_device, vfio_real, vfio_type1).
 * The daemon learns a client's iommufd from the fd it passes in
 * VFIO_DEVICE_BIND_IOMMUFD; here one memfd of this process stands for the
 * file of env's context, recognised by its inode.
 */
#ifndef UIOMMUFD_TEST_FAKE_VDEV_H
#define UIOMMUFD_TEST_FAKE_VDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fake_ucmd.h"

struct served_device;
struct vfio_device_file;

struct fake_vdev {
	struct fake_env env;
	/* The memfd that binds to env's context, and its inode. */
	int iommufd_memfd;
	ino_t iommufd_ino;
};

/*
 * fake_env_caller_init() of v->env, with the memfd as its iommufd
 * (asserted); _fini closes the memfd and undoes the env.
 */
void fake_vdev_init(struct fake_vdev *v);
void fake_vdev_fini(struct fake_vdev *v);

/* One ioctl of df with arg pointing at buf (registered for len bytes). */
long fake_vdev_ioctl(struct vfio_device_file *df, unsigned int cmd,
		     void *buf, size_t len);
/* An open of sd's node by this process, asserted to succeed. */
struct vfio_device_file *fake_vdev_open(struct served_device *sd);
/* VFIO_DEVICE_BIND_IOMMUFD with fd; *devid (if devid) gets the device ID. */
long fake_vdev_bind(struct vfio_device_file *df, int fd, uint32_t *devid);
/* fake_vdev_open() then a bind to v's context, asserted to succeed. */
struct vfio_device_file *fake_vdev_bound(struct fake_vdev *v,
					 struct served_device *sd,
					 uint32_t *devid);
/* VFIO_DEVICE_ATTACH_IOMMUFD_PT to *pt; *pt gets the ID the reply holds. */
long fake_vdev_attach(struct vfio_device_file *df, uint32_t *pt);
long fake_vdev_detach(struct vfio_device_file *df);

#endif
