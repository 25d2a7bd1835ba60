/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The self-test's dma-buf (IOMMU_TEST_OP_DMABUF_GET / DMABUF_REVOKE) and
 * the way IOMMU_IOAS_MAP_FILE recognises one.  See the theory of operation
 * in dmabuf.c and docs/pinning.md.
 *
 * Locking: under the owning context's lock, like everything of a context.
 */
#ifndef UIOMMUFD_DMABUF_H
#define UIOMMUFD_DMABUF_H

#include <stdbool.h>
#include <stdint.h>

struct iommufd_ctx;
struct iommufd_dmabuf;
struct iommufd_ucmd;

/* A limit on one buffer: the kernel's test exporter's 512 pages. */
#define IOMMUFD_DMABUF_MAX_PAGES 512u

/* Mirrors iommufd_test_dmabuf_get(): the caller's new fd, or -errno. */
int iommufd_test_dmabuf_get(struct iommufd_ucmd *ucmd, uint32_t open_flags,
			    uint64_t length);
/* Mirrors iommufd_test_dmabuf_revoke(). */
int iommufd_test_dmabuf_revoke(struct iommufd_ucmd *ucmd, int fd,
			       bool revoked);

/*
 * dma_buf_get() for a descriptor the daemon copied from the caller (dfd):
 * the context's dma-buf it names, or NULL when it is no dma-buf of ours
 * (*err 0) or the daemon could not tell (*err -ENOMEM: fstat() of its own
 * copy failed).  No reference is taken.
 */
struct iommufd_dmabuf *iommufd_dmabuf_find(struct iommufd_ctx *ictx, int dfd,
					   int *err);
/* The buffer's size in bytes (page aligned). */
uint64_t iommufd_dmabuf_size(const struct iommufd_dmabuf *dmabuf);
/*
 * iopt_map_dmabuf(): an importer (a pages object) attaches, taking a
 * reference that iommufd_dmabuf_put() drops: 0, or -ENODEV while the
 * exporter has it revoked.  No descriptor is made: importers reach the
 * memory through iommufd_dmabuf_view() and their reference.
 */
int iommufd_dmabuf_attach(struct iommufd_dmabuf *dmabuf);
/*
 * The whole buffer mapped (read/write, shared, locked) in the daemon, made
 * at the first call and kept until the buffer goes: one mapping however
 * many pages objects pin it.  NULL with *err -ENOMEM or -EFAULT.
 */
void *iommufd_dmabuf_view(struct iommufd_dmabuf *dmabuf, int *err);
void iommufd_dmabuf_put(struct iommufd_dmabuf *dmabuf);

#endif
