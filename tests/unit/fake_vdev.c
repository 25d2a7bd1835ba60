// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_ops.h"
#include "fake_vdev.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/device.h"

/*
 * The daemon's ctx_from_file: the fixture's memfd is the iommufd of its
 * env's context, any other fd is not an iommufd.
 */
static int fake_vdev_ctx_from_file(struct iommufd_daemon *d, int fd,
				   struct iommufd_ctx **out)
{
	struct fake_vdev *v = container_of(d, struct fake_vdev, env.daemon);
	struct stat st;

	if (fstat(fd, &st) || st.st_ino != v->iommufd_ino)
		return -EBADFD;
	iommufd_ctx_get(v->env.ictx);
	*out = v->env.ictx;
	return 0;
}

void fake_vdev_init(struct fake_vdev *v)
{
	struct stat st;

	fake_env_caller_init(&v->env, false);
	v->env.daemon.ctx_from_file = fake_vdev_ctx_from_file;
	v->iommufd_memfd = memfd_create("iommufd", MFD_CLOEXEC);
	assert_true(v->iommufd_memfd >= 0);
	assert_int_equal(fstat(v->iommufd_memfd, &st), 0);
	v->iommufd_ino = st.st_ino;
}

void fake_vdev_fini(struct fake_vdev *v)
{
	close(v->iommufd_memfd);
	v->iommufd_memfd = -1;
	fake_env_caller_fini(&v->env);
}

long fake_vdev_ioctl(struct vfio_device_file *df, unsigned int cmd,
		     void *buf, size_t len)
{
	struct iommufd_ucmd ucmd;
	long rc;

	if (buf)
		fake_user_add(buf, len);
	fake_ucmd_prepare(&ucmd, (uint64_t)(uintptr_t)buf);
	rc = vfio_device_file_ioctl(df, &ucmd, cmd);
	fake_user_reset();
	return rc;
}

struct vfio_device_file *fake_vdev_open(struct served_device *sd)
{
	struct vfio_device_file *df;

	assert_int_equal(vfio_device_file_open(sd, getpid(), 0, &df), 0);
	return df;
}

long fake_vdev_bind(struct vfio_device_file *df, int fd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = fd };
	long rc = fake_vdev_ioctl(df, VFIO_DEVICE_BIND_IOMMUFD, &b, sizeof(b));

	if (devid)
		*devid = b.out_devid;
	return rc;
}

struct vfio_device_file *fake_vdev_bound(struct fake_vdev *v,
					 struct served_device *sd,
					 uint32_t *devid)
{
	struct vfio_device_file *df = fake_vdev_open(sd);

	assert_int_equal(fake_vdev_bind(df, v->iommufd_memfd, devid), 0);
	return df;
}

long fake_vdev_attach(struct vfio_device_file *df, uint32_t *pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt };
	long rc = fake_vdev_ioctl(df, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, sizeof(a));

	*pt = a.pt_id;
	return rc;
}

long fake_vdev_detach(struct vfio_device_file *df)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return fake_vdev_ioctl(df, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, sizeof(d));
}
