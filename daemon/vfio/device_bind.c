// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO_DEVICE_BIND_IOMMUFD, ATTACH_IOMMUFD_PT and DETACH_IOMMUFD_PT of a
 * served device, and its unbind; mirrors the kernel's device_cdev.c and
 * vfio/iommufd.c (the "physical" ops vfio-pci uses).
 *
 * A binding holds a reference on its context, as the kernel's holds the
 * iommufd file: closing the iommufd first keeps the context (and the
 * device's attachment, mappings and pins) until the device file closes.
 * The device object lives in the context's table and is busy while bound
 * (IOMMU_DESTROY says EBUSY); unbind detaches it and destroys it, and an
 * auto domain goes with its last attachment, which unpins what only that
 * domain pinned.
 */
#include "vfio/device_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "core/device.h"
#include "core/fd_handle.h"
#include "core/hw_pagetable.h"
#include "core/iommufd_private.h"
#include "core/own_files.h"
#include "uiommufd/vfio_abi.h"

/*
 * The kernel's iommufd_ctx_from_fd() on the caller's fd number, without
 * sd->lock (it may take IDENT_DEADLINE_MS).  The caller's fd is first
 * looked at through /proc/TID/fd (statx, no FUSE request): a file that is
 * not one of ours never enters the daemon's fd table, so no close of a
 * client's FUSE file (whose FLUSH may never be answered) ever happens here.
 */
static int ctx_from_caller_fd(struct served_device *sd,
			      struct iommufd_ucmd *ucmd, int fd,
			      struct iommufd_ctx **out)
{
	struct iommufd_daemon *d = sd->daemon;
	char path[64];
	int copy, rc;

	if (!d->ctx_from_file) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d",
			 (int)ucmd->caller.pid, fd);
		rc = own_file_path(path);
		if (rc == -ENOENT)
			return -EBADF;
		if (rc <= 0)
			return -EBADFD;
	}
	copy = iommufd_ucmd_get_fd(ucmd, fd);
	if (copy < 0)
		return copy == -ENOMEM ? -ENOMEM : -EBADF;
	rc = d->ctx_from_file ? d->ctx_from_file(d, copy, out) :
				vfio_ident_ctx_from_file(d, copy, out);
	/* A copy of our own node must not be closed on this thread. */
	caller_fd_close(copy);
	return rc;
}

static long sdev_bind_locked(struct vfio_device_file *df,
			     struct iommufd_ucmd *ucmd, struct iommufd_ctx *ictx);

long sdev_ioctl_bind(struct vfio_device_file *df, struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_device_bind_iommufd,
					 out_devid);
	struct served_device *sd = df->sd;
	struct vfio_device_bind_iommufd bind;
	struct iommufd_ctx *ictx;
	uint32_t user_size, devid;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &user_size, ucmd->ubuffer,
				 sizeof(user_size));
	if (rc)
		return rc;
	if (user_size < minsz)
		return -EINVAL;
	rc = ucmd_copy_struct_from_user(ucmd, &bind, sizeof(bind),
					ucmd->ubuffer, user_size);
	if (rc)
		return rc;
	if (bind.iommufd < 0 || bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN)
		return -EINVAL;
	/* One file cannot bind twice. */
	pthread_mutex_lock(&sd->lock);
	rc = df->access_granted ? -EINVAL : 0;
	pthread_mutex_unlock(&sd->lock);
	if (rc)
		return rc;
	/*
	 * vfio_df_check_token() with vfio-pci's match_token_uuid: the token
	 * is read, then refused (the device is no SR-IOV PF or VF).
	 */
	if (bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
		uint8_t uuid[16];

		rc = ucmd_copy_from_user(ucmd, uuid, bind.token_uuid_ptr,
					 sizeof(uuid));
		return rc ? rc : -EINVAL;
	}
	rc = ctx_from_caller_fd(sd, ucmd, bind.iommufd, &ictx);
	if (rc)
		return rc;
	pthread_mutex_lock(&sd->lock);
	rc = sdev_bind_locked(df, ucmd, ictx);
	devid = sd->devid;
	pthread_mutex_unlock(&sd->lock);
	if (rc)
		return rc;
	/* The answer is written without the lock (see device_file.c). */
	rc = ucmd_copy_to_user(ucmd,
			       ucmd->ubuffer +
				       offsetof(struct vfio_device_bind_iommufd,
						out_devid),
			       &devid, sizeof(devid));
	if (rc) {
		/* vfio_df_ioctl_bind_iommufd(): out_close_device. */
		pthread_mutex_lock(&sd->lock);
		if (sd->bound == df)
			sdev_unbind(sd);
		pthread_mutex_unlock(&sd->lock);
	}
	return rc;
}

unsigned long long sdev_bind_wait_us = 500000;

/* The rest of BIND, under sd->lock; consumes the ictx reference. */
static long sdev_bind_locked(struct vfio_device_file *df,
			     struct iommufd_ucmd *ucmd, struct iommufd_ctx *ictx)
{
	struct served_device *sd = df->sd;
	struct iommufd_device *idev;
	int rc;

	/*
	 * vfio_df_open(): a cdev device is opened by one file at a time.  A
	 * binding whose file is already closed may still await its RELEASE
	 * (sdev_bind_wait_us): give it that long.
	 */
	if (sd->bound) {
		struct timespec until;

		clock_deadline(CLOCK_MONOTONIC, sdev_bind_wait_us, &until);
		while (sd->bound && !df->access_granted &&
		       pthread_cond_timedwait(&sd->unbound, &sd->lock, &until) !=
			       ETIMEDOUT)
			;
	}
	if (sd->bound || df->access_granted) {
		iommufd_ctx_put(ictx);
		return -EINVAL;
	}

	pthread_mutex_lock(&ictx->lock);
	idev = iommufd_device_bind_served(ictx, sd, &rc);
	if (idev)
		iommufd_ctx_figures_update(ictx);
	pthread_mutex_unlock(&ictx->lock);
	if (!idev) {
		iommufd_ctx_put(ictx);
		return rc;
	}
	/* A fresh binding starts from a reset device, as the first open. */
	if (sd->ops->reset)
		(void)sd->ops->reset(sd);
	sd->ictx = ictx;
	sd->idev = idev;
	sd->devid = idev->obj.id;
	sd->bound = df;
	sd->attached = false;
	sd->bind_pid = ucmd->caller.pid;
	sd->bind_uid = ucmd->caller.uid;
	df->access_granted = true;
	return 0;
}

void sdev_unbind(struct served_device *sd)
{
	struct iommufd_ctx *ictx = sd->ictx;

	if (!ictx)
		return;
	/* The device stops before what it could still write is unmapped. */
	if (sd->ops->close_device)
		sd->ops->close_device(sd);
	/* Interrupts stop next: nothing may signal a client that is gone. */
	sdev_irqs_teardown(sd);
	if (sd->ops->reset)
		(void)sd->ops->reset(sd);
	pthread_mutex_lock(&ictx->lock);
	if (sd->attached)
		iommufd_device_detach(sd->idev, IOMMU_NO_PASID);
	iommufd_device_unbind(sd->idev);
	iommufd_ctx_figures_update(ictx);
	pthread_mutex_unlock(&ictx->lock);
	if (sd->bound)
		sd->bound->access_granted = false;
	sd->bound = NULL;
	sd->idev = NULL;
	sd->ictx = NULL;
	sd->devid = 0;
	sd->attached = false;
	sd->pt_id = 0;
	sd->bind_pid = 0;
	sd->bind_uid = 0;
	pthread_cond_broadcast(&sd->unbound);
	/* The last reference tears the context down (sd->lock -> ctx->lock). */
	iommufd_ctx_put(ictx);
}

/*
 * ATTACH and DETACH's shared argument rules (vfio_df_ioctl_attach_pt() /
 * _detach_pt()): argsz and flags first, the PASID flag alone allowed, and
 * with it a PASID right after the minimal struct.  *arg starts with argsz
 * and flags, as both structs do.
 */
static int sdev_read_pt_args(struct iommufd_ucmd *ucmd, void *arg,
			     size_t minsz, size_t fullsz, uint32_t pasid_flag,
			     uint32_t *pasid)
{
	uint32_t argsz, flags;
	int rc;

	rc = ucmd_copy_from_user(ucmd, arg, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	memcpy(&argsz, arg, sizeof(argsz));
	memcpy(&flags, (uint8_t *)arg + sizeof(argsz), sizeof(flags));
	if (argsz < minsz || (flags & ~pasid_flag))
		return -EINVAL;
	if (!(flags & pasid_flag))
		return 0;
	if (argsz < fullsz)
		return -EINVAL;
	return ucmd_copy_from_user(ucmd, pasid, ucmd->ubuffer + minsz,
				   sizeof(*pasid));
}

/* Detaches the RID; sd->lock held (sd->lock -> ctx->lock). */
static void sdev_detach_locked(struct served_device *sd)
{
	struct iommufd_ctx *ictx = sd->ictx;

	pthread_mutex_lock(&ictx->lock);
	iommufd_device_detach(sd->idev, IOMMU_NO_PASID);
	iommufd_ctx_figures_update(ictx);
	pthread_mutex_unlock(&ictx->lock);
	sd->attached = false;
	sd->pt_id = 0;
}

long sdev_ioctl_attach(struct served_device *sd, struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_device_attach_iommufd_pt,
					 pt_id);
	struct vfio_device_attach_iommufd_pt attach = { 0 };
	struct iommufd_ctx *ictx;
	uint32_t pt_id;
	int rc;

	/*
	 * vfio-pci has pasid_attach_ioas: the argsz and copy rules apply to a
	 * PASID, then the IOMMU refuses it (the device has no PASID).
	 */
	rc = sdev_read_pt_args(ucmd, &attach, minsz, sizeof(attach),
			       VFIO_DEVICE_ATTACH_PASID, &attach.pasid);
	if (rc)
		return rc;

	pthread_mutex_lock(&sd->lock);
	ictx = sd->ictx;
	pt_id = attach.pt_id;
	pthread_mutex_lock(&ictx->lock);
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID) {
		/* A PASID of IOMMU_NO_PASID included: the IOMMU says EINVAL. */
		rc = -EINVAL;
	} else if (sd->attached) {
		rc = iommufd_device_replace(sd->idev, IOMMU_NO_PASID, &pt_id);
	} else {
		rc = iommufd_device_attach(sd->idev, IOMMU_NO_PASID, &pt_id);
	}
	if (!rc) {
		sd->attached = true;
		sd->pt_id = pt_id;
	}
	iommufd_ctx_figures_update(ictx);
	pthread_mutex_unlock(&ictx->lock);
	pthread_mutex_unlock(&sd->lock);
	if (rc)
		return rc;
	/* The answer is written without the lock (see device_file.c). */
	rc = ucmd_copy_to_user(ucmd,
			       ucmd->ubuffer +
				       offsetof(struct vfio_device_attach_iommufd_pt,
						pt_id),
			       &pt_id, sizeof(pt_id));
	if (rc) {
		/* vfio_df_ioctl_attach_pt(): out_detach, if still ours. */
		pthread_mutex_lock(&sd->lock);
		if (sd->ictx == ictx && sd->attached && sd->pt_id == pt_id)
			sdev_detach_locked(sd);
		pthread_mutex_unlock(&sd->lock);
	}
	return rc;
}

long sdev_ioctl_detach(struct served_device *sd, struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_device_detach_iommufd_pt,
					 flags);
	struct vfio_device_detach_iommufd_pt detach = { 0 };
	int rc;

	rc = sdev_read_pt_args(ucmd, &detach, minsz, sizeof(detach),
			       VFIO_DEVICE_DETACH_PASID, &detach.pasid);
	/* No PASID was ever attached: nothing to do, 0 as there. */
	if (rc || (detach.flags & VFIO_DEVICE_DETACH_PASID))
		return rc;
	/* vfio_iommufd_physical_detach_ioas(): not attached is a no-op. */
	pthread_mutex_lock(&sd->lock);
	if (sd->attached)
		sdev_detach_locked(sd);
	pthread_mutex_unlock(&sd->lock);
	return 0;
}

struct iommufd_ctx *iommufd_ctx_get_by_serial(struct iommufd_daemon *d,
					      uint32_t serial)
{
	struct iommufd_ctx *found = NULL;

	pthread_mutex_lock(&d->lock);
	for (struct iommufd_ctx *c = d->contexts; c; c = c->next) {
		if (c->serial != serial)
			continue;
		if (iommufd_ctx_tryget(c))
			found = c;
		break;
	}
	pthread_mutex_unlock(&d->lock);
	return found;
}

void served_device_status_get(struct served_device *sd,
			      struct served_device_status *st)
{
	*st = (struct served_device_status){ .kind = sd->ops->kind };
	/* Set before serving began, never changed since. */
	snprintf(st->path, sizeof(st->path), "%s", sd->path);
	st->access = sd->policy;
	/* Never waits: the provider reads its own figures without a lock. */
	if (sd->ops->hw_status && sd->priv) {
		st->real = true;
		sd->ops->hw_status(sd, &st->hw);
	}
	if (pthread_mutex_trylock(&sd->lock)) {
		/* Busy (a DMA, a bind waiting for its answer): say so. */
		st->stale = true;
		return;
	}
	st->open_files = sd->open_files;
	st->bound = sd->ictx != NULL;
	st->bind_pid = sd->bind_pid;
	st->bind_uid = sd->bind_uid;
	st->devid = sd->devid;
	st->attached = sd->attached;
	st->pt_id = sd->pt_id;
	if (sd->ictx) {
		pthread_mutex_lock(&sd->ictx->figures_lock);
		st->ctx_pinned_bytes = sd->ictx->figures.pinned_bytes;
		pthread_mutex_unlock(&sd->ictx->figures_lock);
	}
	pthread_mutex_unlock(&sd->lock);
}
