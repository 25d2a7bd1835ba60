// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-test's dma-buf exporter; mirrors iommufd_test_dmabuf_get() and
 * iommufd_test_dmabuf_revoke() of the kernel's drivers/iommu/iommufd/
 * selftest.c, and the importer side that IOMMU_IOAS_MAP_FILE uses
 * (iopt_map_dmabuf(), iopt_revoke_notify() in pages.c there).
 *
 * Theory of operation
 * -------------------
 * The kernel's test dma-buf is a kzalloc()ed buffer behind an anonymous
 * dma-buf file that cannot be mmap()ed or read; its only uses are
 * IOAS_MAP_FILE (which tries every fd as a dma-buf first) and REVOKE.
 *
 * Here the memory is a memfd the daemon creates and keeps; the caller gets
 * one end of a socketpair (struct iommufd_fd_handle), which, like the
 * kernel's file, can be passed around and closed but neither mapped nor
 * read.  MAP_FILE and REVOKE copy the caller's fd with pidfd_getfd() and
 * match the socket's inode against the context's buffers.  A pages object
 * made from a buffer holds a reference, not a descriptor, and is not
 * charged again (the kernel does not account dma-buf pages); pinned, it
 * uses the buffer's one mapping (iommufd_dmabuf_view()).  So the daemon
 * spends one memfd and at most one mapping per buffer, however many
 * MAP_FILEs name it, and those are charged with the buffer: its memory
 * against RLIMIT_MEMLOCK, the memfd (and the handle's socket, fd_handle.h)
 * against --max-fds-per-user.
 *
 * Charging: the kernel's buffer is kernel memory; here it is memory the
 * daemon holds (and mlocks when pinned) for a client, so the whole buffer
 * is charged to its creator at DMABUF_GET like a pin (per user, against
 * its RLIMIT_MEMLOCK, nothing with CAP_IPC_LOCK; ENOMEM over it) and
 * uncharged when the buffer is freed.
 *
 * Lifetime, as the kernel's: one reference while the caller's fd is open
 * (the daemon notices the close as for any fd handle), one per pages
 * object (the kernel's attachment); the memfd goes with the last.
 *
 * Revocation, as the kernel's exporter does it: REVOKE sets the buffer's
 * state for future attaches (ENODEV while revoked) and then always sends
 * a move notification, whatever the new state.  Every pages object of the
 * buffer that is still live leaves every domain, drops its pin and stays
 * revoked for good; its areas stay in their IOAS until unmapped.  So
 * revoking and un-revoking leaves old areas empty, and a new MAP_FILE is
 * needed to see the buffer again (the kernel's self-test does exactly that).
 *
 * Differences from the kernel: a buffer is known to the context that made
 * it only (another iommufd sees a plain socket, which cannot be pinned,
 * EINVAL); closing the iommufd ends its buffers' fd handles, though mapped
 * pages keep the memory until they go; O_CLOEXEC is always set on the fd.
 */
#include "providers/mock/dmabuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/fd_handle.h"
#include "core/io_pagetable.h"
#include "core/ioas.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "core/own_files.h"
#include "core/ucmd_fd.h"
#include "core/user_limits.h"

struct iommufd_dmabuf {
	struct iommufd_fd_handle handle; /* the caller's fd */
	int memfd;
	uint64_t size;
	void *view; /* the whole memfd, mapped at the first pin */
	/* The exporter's priv->revoked: attaches fail with ENODEV. */
	bool revoked;
	/* 1 while the caller's fd is open, +1 per pages object. */
	unsigned int refs;
	/* The creator's RLIMIT_MEMLOCK charge for the whole buffer. */
	struct iommufd_daemon *daemon;
	struct iopt_charge *charge;
	/* The memfd, charged to the creator's --max-fds-per-user. */
	struct user_mem *fd_payer;
};

void iommufd_dmabuf_put(struct iommufd_dmabuf *dmabuf)
{
	if (--dmabuf->refs)
		return;
	iommufd_fd_handle_fini(&dmabuf->handle);
	if (dmabuf->view)
		munmap(dmabuf->view, dmabuf->size);
	if (dmabuf->memfd >= 0)
		close(dmabuf->memfd);
	if (dmabuf->fd_payer)
		user_fds_uncharge(dmabuf->fd_payer, 1);
	iopt_uncharge(dmabuf->daemon, dmabuf->charge);
	free(dmabuf);
}

/* The caller closed its last copy of the fd: the dma_buf file's release. */
static void iommufd_dmabuf_released(struct iommufd_fd_handle *h)
{
	iommufd_dmabuf_put(container_of(h, struct iommufd_dmabuf, handle));
}

struct iommufd_dmabuf *iommufd_dmabuf_find(struct iommufd_ctx *ictx, int dfd,
					   int *err)
{
	struct stat st;

	*err = 0;
	if (!ictx->fd_handles)
		return NULL;
	if (fstat(dfd, &st)) {
		*err = -ENOMEM;
		return NULL;
	}
	for (struct iommufd_fd_handle *h = ictx->fd_handles; h; h = h->next)
		if (h->released == iommufd_dmabuf_released &&
		    iommufd_fd_handle_is(h, &st))
			return container_of(h, struct iommufd_dmabuf, handle);
	return NULL;
}

uint64_t iommufd_dmabuf_size(const struct iommufd_dmabuf *dmabuf)
{
	return dmabuf->size;
}

int iommufd_dmabuf_attach(struct iommufd_dmabuf *dmabuf)
{
	/* iommufd_test_dma_buf_iommufd_map() */
	if (dmabuf->revoked)
		return -ENODEV;
	dmabuf->refs++;
	return 0;
}

void *iommufd_dmabuf_view(struct iommufd_dmabuf *dmabuf, int *err)
{
	void *v;

	if (dmabuf->view)
		return dmabuf->view;
	v = mmap(NULL, dmabuf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dmabuf->memfd, 0);
	if (v == MAP_FAILED) {
		*err = -ENOMEM;
		return NULL;
	}
	/*
	 * Charged whole at DMABUF_GET; the raw syscall because sanitizer
	 * runtimes make mlock() a no-op.  Sealed against shrinking, so
	 * this mapping never loses a page.
	 */
	if (syscall(SYS_mlock, v, dmabuf->size) &&
	    madvise(v, dmabuf->size, MADV_POPULATE_WRITE)) {
		munmap(v, dmabuf->size);
		*err = -EFAULT;
		return NULL;
	}
	dmabuf->view = v;
	return v;
}

/* Mirrors iommufd_test_dmabuf_get(). */
int iommufd_test_dmabuf_get(struct iommufd_ucmd *ucmd, uint32_t open_flags,
			    uint64_t length)
{
	struct iommufd_dmabuf *dmabuf;
	uint64_t len = (length + IOPT_PAGE_SIZE - 1) & ~(IOPT_PAGE_SIZE - 1);
	int client_end, fdno, rc;

	/*
	 * open_flags only choose O_CLOEXEC there (dma_buf_fd()); the fd is
	 * always installed O_CLOEXEC here, see ucmd_fd.h.
	 */
	(void)open_flags;
	if (len == 0 || len > IOPT_PAGE_SIZE * IOMMUFD_DMABUF_MAX_PAGES)
		return -EINVAL;
	dmabuf = calloc(1, sizeof(*dmabuf));
	if (!dmabuf)
		return -ENOMEM;
	dmabuf->refs = 1;
	dmabuf->size = len;
	dmabuf->handle.peer = -1;
	dmabuf->daemon = ucmd->ictx->daemon;
	dmabuf->memfd = -1;
	/* Before any memory exists: a caller over its limit gets none. */
	dmabuf->charge = iopt_charge_caller(ucmd, len / IOPT_PAGE_SIZE, &rc);
	if (!dmabuf->charge)
		goto out_put;
	/*
	 * The memfd lives as long as any MAP_FILE of the buffer, also after
	 * the caller closed its fd (and its handle's charge went with it).
	 * The context's objects, which hold the buffer, go before it.
	 */
	if (user_fds_charge(ucmd->ictx->mem, 1)) {
		rc = -ENOMEM;
		goto out_put;
	}
	dmabuf->fd_payer = ucmd->ictx->mem;
	/* kzalloc(): zero-filled, and the size never changes. */
	dmabuf->memfd = memfd_create("uiommufd-dmabuf",
				     MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (dmabuf->memfd < 0 || ftruncate(dmabuf->memfd, (off_t)len) < 0 ||
	    fcntl(dmabuf->memfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = iommufd_fd_handle_init(&dmabuf->handle, ucmd->ictx,
				    iommufd_dmabuf_released, &client_end);
	if (rc)
		goto out_put;
	/* Consumes client_end: -EOPNOTSUPP outside uiommufd-exec. */
	fdno = iommufd_ucmd_install_fd(ucmd, client_end);
	if (fdno < 0) {
		rc = fdno;
		goto out_put;
	}
	iommufd_fd_handle_publish(&dmabuf->handle);
	return fdno;

out_put:
	iommufd_dmabuf_put(dmabuf);
	return rc;
}

/* Mirrors iommufd_test_dmabuf_revoke(): dma_buf_get(), then move_notify. */
int iommufd_test_dmabuf_revoke(struct iommufd_ucmd *ucmd, int fd,
			       bool revoked)
{
	struct iommufd_dmabuf *dmabuf;
	int dfd, flags, err;

	dfd = iommufd_ucmd_get_fd(ucmd, fd);
	if (dfd < 0)
		return dfd;
	dmabuf = iommufd_dmabuf_find(ucmd->ictx, dfd, &err);
	flags = fcntl(dfd, F_GETFL);
	caller_fd_close(dfd);
	if (err)
		return err;
	if (!dmabuf)
		/* fget() refuses O_PATH (EBADF); any other file is EINVAL. */
		return flags >= 0 && (flags & O_PATH) ? -EBADF : -EINVAL;
	dmabuf->revoked = revoked;
	iommufd_ctx_revoke_dmabuf(ucmd->ictx, dmabuf);
	return 0;
}
