/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Accesses: a "driver" reading and writing an IOAS by IOVA without a
 * domain, the kernel's in-kernel access API (drivers/iommu/iommufd/
 * device.c, iommufd_access_*).  The daemon is the driver here: the
 * self-test's CREATE_ACCESS objects use it, and so can any emulated device
 * that does DMA through the daemon (software DMA: reads and writes follow
 * the IOAS's translation into the caller's pages).
 *
 * An access is attached to one IOAS and holds a users count on it.  An
 * access that pins (ops->needs_pin_pages) raises the IOAS's IOVA alignment
 * to PAGE_SIZE and must give up its pins when told: an unmap of a range it
 * pins calls ops->unmap() before the area goes, as the kernel's
 * iommufd_access_notify_unmap() does.
 *
 * Locking: everything under the owning context's lock, callbacks included.
 */
#ifndef UIOMMUFD_ACCESS_H
#define UIOMMUFD_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/iommufd_private.h"

struct io_pagetable;
struct iommufd_ioas;

/* The kernel's IOMMUFD_ACCESS_RW_* flags. */
#define IOMMUFD_ACCESS_RW_READ 0
#define IOMMUFD_ACCESS_RW_WRITE (1u << 0)
#define IOMMUFD_ACCESS_RW_KTHREAD (1u << 1)
#define IOMMUFD_ACCESS_RW_SLOW_PATH (1u << 2)
/* The daemon's own: read what a pin holds, whatever the area's protection. */
#define IOMMUFD_ACCESS_RW_PINNED_READ (1u << 31)

struct iommufd_access_ops {
	bool needs_pin_pages;
	/* Drop every pin intersecting [iova, iova + length). */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* NULL while detached; pins are undone against ioas_unpin. */
	struct iommufd_ioas *ioas;
	struct iommufd_ioas *ioas_unpin;
	const struct iommufd_access_ops *ops;
	void *data;
	uint64_t iova_alignment;
	struct iommufd_access *ioas_next; /* on ioas->accesses */
	/*
	 * The kernel's iommufd_access_is_internal(): made by the core for an
	 * object (a HW queue), never told to unmap; its pins lock their
	 * areas against IOAS_UNMAP (area->num_locks).
	 */
	bool internal;
};

/* iommufd_access_create(): published at once, one users count for the driver. */
struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, uint32_t *id, int *err);
void iommufd_access_destroy(struct iommufd_access *access);
/* iommufd_access_create_internal(): PAGE_SIZE aligned, no ops to call. */
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx,
						      int *err);
int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id);
int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id);
void iommufd_access_detach(struct iommufd_access *access);

/*
 * iommufd_access_pin_pages() without the page array: the pages behind
 * [iova, iova + length) are pinned (and charged) until the matching
 * iommufd_access_unpin_pages(); read them with iommufd_access_rw().
 */
int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length);
/* iommufd_access_rw(): copy to or from the memory the IOVA range maps. */
int iommufd_access_rw(struct iommufd_access *access, uint64_t iova, void *data,
		      uint64_t length, unsigned int flags);

/* io_pagetable's notify_access hook for an IOAS (arg is the ioas). */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length, void *arg);
/* The largest iova_alignment of the accesses attached to ioas, or 1. */
uint64_t iommufd_access_ioas_alignment(const struct iommufd_ioas *ioas);

#endif
