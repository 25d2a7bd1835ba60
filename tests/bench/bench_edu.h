/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where every edu benchmark starts: its iommufd and device node open, an
 * IOAS, the device bound and attached to it, memory decoding and bus
 * mastering on.
 */
#ifndef UIOMMUFD_BENCH_EDU_H
#define UIOMMUFD_BENCH_EDU_H

#include <fcntl.h>
#include <sys/ioctl.h>

#include "bench_util.h"
#include "edu_ops.h"

/* The IOAS's ID; *fd is the iommufd.  Exits naming the step that failed. */
static inline uint32_t bench_edu_open(const char *iommufd_path,
				      const char *dev_path, int *fd,
				      struct edu_handle *dev)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int rc;

	*fd = open(iommufd_path, O_RDWR | O_CLOEXEC);
	dev->fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (*fd < 0 || dev->fd < 0)
		bench_die("open", 0);
	if (ioctl(*fd, IOMMU_IOAS_ALLOC, &alloc))
		bench_die("IOAS_ALLOC", 0);
	if ((rc = edu_bind_attach(dev, *fd, alloc.out_ioas_id)) ||
	    (rc = edu_command(dev, PCI_CMD_MEMORY | PCI_CMD_MASTER, 0)))
		bench_die("bind/attach", rc);
	return alloc.out_ioas_id;
}

#endif
