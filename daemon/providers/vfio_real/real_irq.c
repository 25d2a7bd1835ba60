// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real device's interrupt line, passed on to the client through the
 * VFIO device layer.  The layer decides where a client's interrupt goes
 * (its SET_IRQS: INTx or MSI vector 0, see device_irqs.c); irq_route arms
 * the same index on the real device with one eventfd of ours, and a
 * thread turns each count on it into one sdev_irq_pulse().
 *
 * INTx: the real device's kernel masks the line when it fires (vfio-pci's
 * automask), so every count is one edge; the layer's automask of the
 * client's line matches it, and the client's UNMASK goes on to the real
 * device, whose kernel fires again if the line is still up.  The layer's
 * own mask (intx_masked) and the real one are therefore always the same.
 */
#include "providers/vfio_real/vfio_real.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "providers/vfio_provider.h"
#include "uiommufd/vfio_abi.h"

static void *real_irq_thread(void *arg)
{
	struct real_irq *irq = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = irq->efd, .events = POLLIN },
			{ .fd = irq->stop_fd, .events = POLLIN },
		};
		uint64_t count;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("vfio: interrupt poll: %s", strerror(errno));
			return NULL;
		}
		if (atomic_load(&irq->stopping) || (p[1].revents & POLLIN))
			return NULL;
		if (!(p[0].revents & POLLIN) ||
		    read(irq->efd, &count, sizeof(count)) != sizeof(count))
			continue;
		if (sdev_irq_pulse(irq->sd, &irq->stopping))
			return NULL;
	}
}

int real_irq_start(struct real_irq *irq, struct served_device *sd,
		   int device_fd)
{
	int rc;

	memset(irq, 0, sizeof(*irq));
	irq->routed = -1;
	irq->sd = sd;
	irq->device_fd = device_fd;
	irq->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	irq->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (irq->efd < 0 || irq->stop_fd < 0) {
		rc = -errno;
		goto err;
	}
	rc = -pthread_create(&irq->thread, NULL, real_irq_thread, irq);
	if (rc)
		goto err;
	irq->thread_started = true;
	return 0;
err:
	if (irq->efd >= 0)
		close(irq->efd);
	if (irq->stop_fd >= 0)
		close(irq->stop_fd);
	irq->efd = irq->stop_fd = -1;
	return rc;
}

void real_irq_stop(struct real_irq *irq)
{
	uint64_t one = 1;

	(void)real_irq_route(irq, -1);
	if (irq->thread_started) {
		atomic_store(&irq->stopping, true);
		if (write(irq->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_warning("vfio: cannot wake the interrupt thread");
		pthread_join(irq->thread, NULL);
		irq->thread_started = false;
	}
	if (irq->efd >= 0)
		close(irq->efd);
	if (irq->stop_fd >= 0)
		close(irq->stop_fd);
	irq->efd = irq->stop_fd = -1;
}

/*
 * VFIO_DEVICE_SET_IRQS with no data or one eventfd, built as header bytes
 * then the fd (a struct with a flexible array before another member is
 * refused by clang).
 */
static int set_irqs(int device_fd, uint32_t index, uint32_t flags,
		    uint32_t count, int fd)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set hdr = {
		.argsz = sizeof(struct vfio_irq_set),
		.flags = flags,
		.index = index,
		.start = 0,
		.count = count,
	};
	int32_t fd32 = fd;

	if ((flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD)
		hdr.argsz += sizeof(fd32);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &fd32, sizeof(fd32));
	return ioctl(device_fd, VFIO_DEVICE_SET_IRQS, buf) ? -errno : 0;
}

int real_irq_route(struct real_irq *irq, int index)
{
	int rc;

	if (irq->device_fd < 0 || irq->routed == index)
		return 0;
	if (irq->routed >= 0) {
		rc = set_irqs(irq->device_fd, (uint32_t)irq->routed,
			      VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			      0, -1);
		if (rc)
			log_warning("vfio: disabling interrupt index %d: %s",
				    irq->routed, strerror(-rc));
		irq->routed = -1;
	}
	if (index < 0)
		return 0;
	rc = set_irqs(irq->device_fd, (uint32_t)index,
		      VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 1,
		      irq->efd);
	if (rc)
		return rc;
	irq->routed = index;
	return 0;
}

void real_irq_intx_mask(struct real_irq *irq, bool masked)
{
	int rc;

	if (irq->routed != VFIO_PCI_INTX_IRQ_INDEX)
		return;
	rc = set_irqs(irq->device_fd, VFIO_PCI_INTX_IRQ_INDEX,
		      VFIO_IRQ_SET_DATA_NONE |
			      (masked ? VFIO_IRQ_SET_ACTION_MASK :
					VFIO_IRQ_SET_ACTION_UNMASK),
		      1, -1);
	if (rc)
		log_warning("vfio: INTx %s: %s", masked ? "mask" : "unmask",
			    strerror(-rc));
}
