/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handing a new file descriptor to the caller of an ioctl, for the commands
 * whose reply carries one (IOMMU_TEST_OP_CREATE_ACCESS, FAULT_QUEUE_ALLOC,
 * VEVENTQ_ALLOC, DMABUF_GET).  A CUSE or FUSE server cannot put an fd into
 * its caller by itself; see daemon/fdpass/ for how it is done and when it
 * is possible.
 */
#ifndef UIOMMUFD_UCMD_FD_H
#define UIOMMUFD_UCMD_FD_H

struct iommufd_ucmd;

/*
 * Installs fd (a descriptor of the daemon's, always consumed: closed on
 * every path) in the caller's fd table with O_CLOEXEC as the kernel does.
 * Returns the caller's fd number (>= 0); -EOPNOTSUPP when this caller
 * cannot be given descriptors (not started under uiommufd-exec); another
 * negative errno on failure.
 */
int iommufd_ucmd_install_fd(struct iommufd_ucmd *ucmd, int fd);

#endif
