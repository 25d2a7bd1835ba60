/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UIOMMUFD_IOAS_H
#define UIOMMUFD_IOAS_H

#include "objects/io_pagetable.h"
#include "objects/iommufd_private.h"

/* An IO address space: the IOVA -> memory map that domains follow. */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
};

#endif
