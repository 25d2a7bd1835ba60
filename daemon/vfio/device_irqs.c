// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interrupts of a served device: VFIO_DEVICE_GET_IRQ_INFO and SET_IRQS
 * (vfio_pci_ioctl_get_irq_info(), vfio_set_irqs_validate_and_prepare(),
 * vfio_pci_set_irqs_ioctl() and the INTx/MSI/ERR/REQ handlers of
 * vfio_pci_intrs.c), and the line the provider raises.
 *
 * Eventfds come from the caller's fd table (a copy through the caller's
 * pidfd); the daemon keeps its copy until the vector is torn down (-1,
 * count 0, unbind).  At most SDEV_MAX_MSI MSI vectors, one INTx, one ERR
 * and one REQ eventfd per device.
 *
 * Signalling writes 1 to the eventfd.  The kernel's eventfd_signal()
 * saturates instead of blocking; a write(2) blocks when the counter is
 * full, so the daemon writes only when poll says it would not block, and
 * bounds the write for a client that fills the counter in between
 * (eventfd_signal.h).  A client that fills its own counter loses
 * interrupts, as it would lose count with the kernel.
 */
#include "vfio/device_priv.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fd_handle.h"
#include "core/own_files.h"
#include "core/iommufd_private.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/eventfd_signal.h"

void sdev_irqs_init(struct served_device *sd)
{
	sd->irq_type = SDEV_IRQ_NONE;
	sd->intx_fd = sd->err_fd = sd->req_fd = -1;
	for (unsigned int i = 0; i < SDEV_MAX_MSI; i++)
		sd->msi_fds[i] = -1;
}

static void fd_drop(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void eventfd_signal_fd(int fd)
{
	/* A dropped event has nobody to tell: the counter is the client's. */
	if (fd >= 0)
		(void)eventfd_signal_nowait(fd);
}

/* A provider with a real device's line routes it as the client does. */
static int irq_route(struct served_device *sd, int index)
{
	if (!sd->ops->irq_route)
		return 0;
	return sd->ops->irq_route(sd, index);
}

static void intx_disable(struct served_device *sd)
{
	if (sd->irq_type == VFIO_PCI_INTX_IRQ_INDEX)
		(void)irq_route(sd, SDEV_IRQ_NONE);
	fd_drop(&sd->intx_fd);
	sd->intx_masked = false;
	sd->irq_type = SDEV_IRQ_NONE;
}

static void msi_disable(struct served_device *sd)
{
	if (sd->irq_type == VFIO_PCI_MSI_IRQ_INDEX)
		(void)irq_route(sd, SDEV_IRQ_NONE);
	for (unsigned int i = 0; i < SDEV_MAX_MSI; i++)
		fd_drop(&sd->msi_fds[i]);
	sd->msi_nvec = 0;
	sd->irq_type = SDEV_IRQ_NONE;
}

void sdev_irqs_teardown(struct served_device *sd)
{
	intx_disable(sd);
	msi_disable(sd);
	fd_drop(&sd->err_fd);
	fd_drop(&sd->req_fd);
	sd->intx_asserted = false;
}

/* The vectors of an index (vfio_pci_get_irq_count()). */
static uint32_t irq_count(struct served_device *sd, uint32_t index)
{
	struct sdev_irq_desc desc = { 0 };

	if (index >= sd->ops->num_irqs || !sd->ops->irq_desc)
		return 0;
	sd->ops->irq_desc(sd, index, &desc);
	if (index == VFIO_PCI_MSI_IRQ_INDEX && desc.count > SDEV_MAX_MSI)
		desc.count = SDEV_MAX_MSI;
	return desc.count;
}

long sdev_ioctl_get_irq_info(struct served_device *sd,
			     struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &info, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS ||
	    info.index >= sd->ops->num_irqs)
		return -EINVAL;
	pthread_mutex_lock(&sd->lock);
	info.count = irq_count(sd, info.index);
	pthread_mutex_unlock(&sd->lock);
	/* ERR exists only for PCIe devices: a provider gives it a count. */
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !info.count)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		info.flags |= VFIO_IRQ_INFO_NORESIZE; /* no dynamic MSI-X */
	return ucmd_copy_to_user(ucmd, ucmd->ubuffer, &info, minsz);
}

/* 1: an eventfd, 0: something else, -ENOENT: no such fd (readlink only). */
static int link_is_eventfd(const char *path)
{
	static const char want[] = "anon_inode:[eventfd]";
	char target[64];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return errno == ENOENT ? -ENOENT : 0;
	return n == (ssize_t)strlen(want) && !memcmp(target, want, (size_t)n);
}

/*
 * eventfd_ctx_fdget() on the caller's fd: EBADF when it is not open there,
 * EINVAL when it is no eventfd.  *out is the daemon's copy.  The caller's
 * file is looked at through /proc/TID/fd first (readlink, no request to
 * any filesystem), so that no other file of the client (one on its own
 * FUSE mount, whose FLUSH may never be answered) enters our fd table.
 */
static int eventfd_from_caller(struct iommufd_ucmd *ucmd, int fd, int *out)
{
	char path[64];
	int copy, rc;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)ucmd->caller.pid, fd);
	rc = link_is_eventfd(path);
	if (rc < 0)
		return -EBADF;
	if (!rc)
		return -EINVAL;
	copy = iommufd_ucmd_get_fd(ucmd, fd);
	if (copy < 0)
		return copy == -ENOMEM ? -ENOMEM : -EBADF;
	/* Swapped since (dup2): check the copy itself too. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", copy);
	if (link_is_eventfd(path) != 1) {
		caller_fd_close(copy);
		return -EINVAL;
	}
	*out = copy;
	return 0;
}

static void intx_send(struct served_device *sd)
{
	/* vfio_send_intx_eventfd(): the line masks itself (AUTOMASKED). */
	if (sd->intx_masked)
		return;
	sd->intx_masked = true;
	eventfd_signal_fd(sd->intx_fd);
}

static void intx_unmask(struct served_device *sd)
{
	sd->intx_masked = false;
	/* Still asserted: a level interrupt fires again at once. */
	if (sd->intx_asserted)
		intx_send(sd);
}

static int set_intx(struct served_device *sd, struct iommufd_ucmd *ucmd,
		    uint32_t action, uint32_t dtype, uint32_t start,
		    uint32_t count, const uint8_t *data)
{
	bool is_intx = sd->irq_type == VFIO_PCI_INTX_IRQ_INDEX;
	bool none = sd->irq_type == SDEV_IRQ_NONE;
	int32_t fd;
	int copy, rc;

	switch (action) {
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (!is_intx || start != 0 || count != 1)
			return -EINVAL;
		if (dtype == VFIO_IRQ_SET_DATA_EVENTFD)
			/* An unmask irqfd the daemon does not serve (docs). */
			return -ENOTTY;
		if (dtype == VFIO_IRQ_SET_DATA_BOOL && !data[0])
			return 0;
		if (action == VFIO_IRQ_SET_ACTION_MASK)
			sd->intx_masked = true;
		else
			intx_unmask(sd);
		if (sd->ops->intx_mask)
			sd->ops->intx_mask(sd, action == VFIO_IRQ_SET_ACTION_MASK);
		return 0;
	default: /* TRIGGER */
		break;
	}
	if (is_intx && !count && dtype == VFIO_IRQ_SET_DATA_NONE) {
		intx_disable(sd);
		return 0;
	}
	if (!(is_intx || none) || start != 0 || count != 1)
		return -EINVAL;
	if (dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
		memcpy(&fd, data, sizeof(fd));
		copy = -1;
		if (fd >= 0) {
			rc = eventfd_from_caller(ucmd, fd, &copy);
			if (rc)
				return rc;
		}
		if (is_intx) {
			/* vfio_intx_set_signal(): swap (or drop) the trigger. */
			fd_drop(&sd->intx_fd);
			sd->intx_fd = copy;
			return 0;
		}
		/* vfio_intx_enable(): a -1 enables INTx with no trigger. */
		rc = irq_route(sd, VFIO_PCI_INTX_IRQ_INDEX);
		if (rc) {
			fd_drop(&copy);
			return rc;
		}
		sd->intx_fd = copy;
		sd->intx_masked = false;
		sd->irq_type = VFIO_PCI_INTX_IRQ_INDEX;
		if (sd->intx_asserted)
			intx_send(sd);
		return 0;
	}
	if (!is_intx)
		return -EINVAL;
	/*
	 * The loopback trigger signals whatever the mask says and masks
	 * nothing (vfio_send_intx_eventfd() is called directly, not from the
	 * interrupt handler that automasks); measured in the reference guest.
	 */
	if (dtype == VFIO_IRQ_SET_DATA_NONE ||
	    (dtype == VFIO_IRQ_SET_DATA_BOOL && data[0]))
		eventfd_signal_fd(sd->intx_fd);
	return 0;
}

static int set_msi(struct served_device *sd, struct iommufd_ucmd *ucmd,
		   uint32_t action, uint32_t dtype, uint32_t start,
		   uint32_t count, const uint8_t *data)
{
	bool is_msi = sd->irq_type == VFIO_PCI_MSI_IRQ_INDEX;
	int copies[SDEV_MAX_MSI];
	int rc = 0;

	/* vfio_pci_set_irqs_ioctl(): no MSI masking ("need masking support"). */
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	if (is_msi && !count && dtype == VFIO_IRQ_SET_DATA_NONE) {
		msi_disable(sd);
		return 0;
	}
	if (!(is_msi || sd->irq_type == SDEV_IRQ_NONE))
		return -EINVAL;
	if (dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
		uint32_t nvec = is_msi ? sd->msi_nvec : start + count;

		/* vfio_msi_set_block(): inside the vectors enabled. */
		if (start + count > nvec || nvec > SDEV_MAX_MSI)
			return -EINVAL;
		/* All or nothing: every fd is checked before any changes. */
		for (uint32_t i = 0; i < count; i++) {
			int32_t fd;

			memcpy(&fd, data + i * sizeof(fd), sizeof(fd));
			copies[i] = -1;
			if (fd >= 0)
				rc = eventfd_from_caller(ucmd, fd, &copies[i]);
			if (rc) {
				while (i--)
					fd_drop(&copies[i]);
				/* A fresh enable fails whole (vfio_msi_disable). */
				return rc;
			}
		}
		if (!is_msi) {
			rc = irq_route(sd, VFIO_PCI_MSI_IRQ_INDEX);
			if (rc) {
				for (uint32_t i = 0; i < count; i++)
					fd_drop(&copies[i]);
				return rc;
			}
		}
		for (uint32_t i = 0; i < count; i++) {
			fd_drop(&sd->msi_fds[start + i]);
			sd->msi_fds[start + i] = copies[i];
		}
		if (!is_msi) {
			sd->msi_nvec = nvec;
			sd->irq_type = VFIO_PCI_MSI_IRQ_INDEX;
		}
		return 0;
	}
	if (!is_msi)
		return -EINVAL;
	for (uint32_t i = start; i < start + count && i < sd->msi_nvec; i++)
		if (dtype == VFIO_IRQ_SET_DATA_NONE || data[i - start])
			eventfd_signal_fd(sd->msi_fds[i]);
	return 0;
}

/* vfio_pci_set_ctx_trigger_single() for ERR and REQ. */
static int set_single(struct iommufd_ucmd *ucmd, int *slot, uint32_t action,
		      uint32_t dtype, uint32_t start, uint32_t count,
		      const uint8_t *data)
{
	int32_t fd;
	int copy, rc;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	if (start != 0 || count > 1)
		return -EINVAL;
	switch (dtype) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (*slot < 0)
			return -EINVAL;
		if (count)
			eventfd_signal_fd(*slot);
		else
			fd_drop(slot);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!count)
			return -EINVAL;
		if (data[0])
			eventfd_signal_fd(*slot);
		return 0;
	default:
		if (!count)
			return -EINVAL;
		memcpy(&fd, data, sizeof(fd));
		if (fd == -1) {
			fd_drop(slot);
			return 0;
		}
		if (fd < 0)
			return -EINVAL;
		rc = eventfd_from_caller(ucmd, fd, &copy);
		if (rc)
			return rc;
		fd_drop(slot);
		*slot = copy;
		return 0;
	}
}

long sdev_ioctl_set_irqs(struct served_device *sd, struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	uint8_t data[SDEV_MAX_MSI * sizeof(int32_t)];
	struct vfio_irq_set hdr;
	uint32_t max, action, dtype;
	size_t size = 0;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &hdr, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	/* vfio_set_irqs_validate_and_prepare(). */
	if (hdr.argsz < minsz || hdr.index >= VFIO_PCI_NUM_IRQS ||
	    hdr.count >= UINT32_MAX - hdr.start ||
	    hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			  VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	/* The data is read before the lock (see device_file.c). */
	pthread_mutex_lock(&sd->lock);
	max = irq_count(sd, hdr.index);
	pthread_mutex_unlock(&sd->lock);
	if (hdr.start >= max || hdr.start + hdr.count > max)
		return -EINVAL;
	dtype = hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	switch (dtype) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if (size) {
		if (hdr.argsz - minsz < (uint64_t)hdr.count * size)
			return -EINVAL;
		/* max <= SDEV_MAX_MSI for every index: data fits. */
		if ((uint64_t)hdr.count * size > sizeof(data))
			return -EINVAL;
		rc = ucmd_copy_from_user(ucmd, data, ucmd->ubuffer + minsz,
					 hdr.count * size);
		if (rc)
			return rc;
	}
	action = hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (action != VFIO_IRQ_SET_ACTION_MASK &&
	    action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	pthread_mutex_lock(&sd->lock);
	switch (hdr.index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		rc = set_intx(sd, ucmd, action, dtype, hdr.start, hdr.count,
			      data);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		rc = set_msi(sd, ucmd, action, dtype, hdr.start, hdr.count,
			     data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		rc = set_single(ucmd, &sd->err_fd, action, dtype, hdr.start,
				hdr.count, data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		rc = set_single(ucmd, &sd->req_fd, action, dtype, hdr.start,
				hdr.count, data);
		break;
	default: /* MSI-X: no vectors, refused above */
		rc = -ENOTTY;
		break;
	}
	pthread_mutex_unlock(&sd->lock);
	return rc;
}

void sdev_irq_raise(struct served_device *sd)
{
	if (sd->irq_type == VFIO_PCI_MSI_IRQ_INDEX) {
		eventfd_signal_fd(sd->msi_fds[0]);
		return;
	}
	sd->intx_asserted = true;
	if (sd->irq_type == VFIO_PCI_INTX_IRQ_INDEX)
		intx_send(sd);
}

void sdev_irq_lower(struct served_device *sd)
{
	sd->intx_asserted = false;
}

int sdev_irq_pulse(struct served_device *sd, const _Atomic bool *cancel)
{
	const struct timespec pause = { 0, 100000 };

	while (pthread_mutex_trylock(&sd->lock)) {
		if (atomic_load(cancel))
			return -ECANCELED;
		nanosleep(&pause, NULL);
	}
	sdev_irq_raise(sd);
	sdev_irq_lower(sd);
	pthread_mutex_unlock(&sd->lock);
	return 0;
}
