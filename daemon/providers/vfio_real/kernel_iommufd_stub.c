// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stand-in for the kernel-iommufd backend until its own file
 * (kernel_iommufd*.c) replaces this one: never usable, so every vfio:BDF
 * device goes through the type1 backend.  Remove this file (and its line
 * in daemon/meson.build) when the real backend lands.
 */
#include "providers/vfio_real/real_backend.h"

#include <errno.h>

static bool stub_usable(const char *bdf)
{
	(void)bdf;
	return false;
}

const struct real_backend_ops kernel_iommufd_backend = {
	.name = "iommufd",
	.usable = stub_usable,
};
