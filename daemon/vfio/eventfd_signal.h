/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signalling a client's eventfd (VFIO interrupts) without ever blocking.
 *
 * The kernel's eventfd_signal() saturates the counter and never waits; a
 * write(2) from userspace waits while the counter is full.  The daemon
 * writes to the client's own open file (a duplicate of its fd), so the
 * client can fill the counter between the daemon's poll and its write:
 * the daemon's thread would then wait, holding the device's lock, until
 * somebody reads the counter, which nobody does once the client is gone.
 */
#ifndef UIOMMUFD_EVENTFD_SIGNAL_H
#define UIOMMUFD_EVENTFD_SIGNAL_H

#include <stdint.h>

/*
 * Add one to the eventfd fd.  A full counter drops the event (the client
 * made it full: the kernel would leave it at its maximum too).  Returns 0
 * when the event was added, -EAGAIN when the counter was full, or another
 * negative errno.  Never waits longer than a few milliseconds.
 */
int eventfd_signal_nowait(int fd);

/*
 * The write behind it, for tests: write val to fd, interrupted after
 * limit_ns by a one-shot timer of the calling thread (-EINTR then).
 */
int eventfd_write_bounded(int fd, uint64_t val, long limit_ns);

#endif
