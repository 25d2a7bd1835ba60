/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pages layer: where the memory behind an area comes from, pinning it,
 * and accounting pins against RLIMIT_MEMLOCK.  The userspace counterpart of
 * the kernel's drivers/iommu/iommufd/pages.c; see the theory of operation
 * at the top of pages.c and docs/pinning.md.
 *
 * Locking: an iopt_pages belongs to one context and is only touched under
 * that context's lock.  Accounting state shared between contexts (per user,
 * per process) lives in the daemon and is guarded by daemon->lock.
 */
#ifndef UIOMMUFD_PAGES_H
#define UIOMMUFD_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/iommufd_private.h"

enum iopt_address_type {
	IOPT_ADDRESS_USER,
	IOPT_ADDRESS_FILE,
	/* A self-test dma-buf (dmabuf.c): the daemon's memfd, never charged. */
	IOPT_ADDRESS_DMABUF,
};

struct caller_mm;
struct iommufd_dmabuf;
struct iopt_source;
struct iopt_held_file;
struct iopt_pin_seg;

/*
 * One mapping source, shared by every area that maps a part of it (areas
 * made by IOAS_COPY or cut by the VFIO path).  Bytes are numbered from the
 * first page: byte b lives at uptr + b, or at file offset start + b.
 *
 * There is one of these behind every IOAS_MAP, so it holds only what an
 * unpinned user mapping needs (40 bytes, from a pool: see obj_pool.h);
 * what only a file, a dma-buf or a pin needs lives in ext (pages.c),
 * allocated when the first of them comes (charged to the context's user;
 * -ENOMEM over its limit) and, for user memory, freed again when the pin
 * goes.
 */
struct iopt_pages_ext;

struct iopt_pages {
	unsigned int refs;
	unsigned int type : 2;		/* enum iopt_address_type */
	unsigned int account_mode : 2;	/* enum iopt_pages_account_mode */
	bool writable : 1;
	/*
	 * The kernel's iopt_dmabuf_revoked(): the exporter moved the buffer
	 * once.  The areas stay, in no domain and without a pin, until they
	 * are unmapped; attach and unmap pass them over.  Never undone.
	 */
	bool revoked : 1;
	bool unpinnable : 1;  /* IOPT_ADDRESS_FILE: not shmem/hugetlbfs, no fd */
	unsigned int file_accmode : 2; /* IOPT_ADDRESS_FILE: O_ACCMODE of the caller's fd */
	unsigned int first_byte : 12; /* of the mapped range, inside the first page */
	uint64_t npages;
	union {
		uint64_t uptr;	/* IOPT_ADDRESS_USER: page aligned */
		uint64_t start;	/* FILE, DMABUF: page aligned file offset */
	};
	struct iopt_source *source; /* the process whose memory this is */
	struct iopt_pages_ext *ext; /* file, dma-buf and pin state, or NULL */
};

/*
 * iopt_alloc_user_pages(): a user VA range of the calling process, whose
 * address space is bound now (caller_mm.h).  Nothing is read or pinned:
 * an unmapped uva is fine until a domain needs the pages.  -ENOMEM also
 * when the context has mappings of too many different callers.
 */
struct iopt_pages *iopt_alloc_user_pages(struct iommufd_ucmd *ucmd,
					 uint64_t uva, uint64_t length,
					 bool writable, int *err);
/*
 * iopt_alloc_file_pages(): the caller's fd, duplicated into the daemon with
 * pidfd_getfd on the bound pidfd (EBADF for a bad fd), from byte start.  As
 * iopt_map_file_pages() does, the fd is tried as one of the context's
 * dma-bufs first: EINVAL past its end, ENODEV while revoked
 * (iopt_alloc_dmabuf_pages()).  A file that can never be pinned is not
 * kept (its pin is EINVAL); others count against the context's
 * max_files_per_ctx (ENOMEM), shared per (dev, ino, access mode).
 */
struct iopt_pages *iopt_alloc_file_pages(struct iommufd_ucmd *ucmd, int fd,
					 uint64_t start, uint64_t length,
					 bool writable, int *err);
/* The dma-buf behind IOPT_ADDRESS_DMABUF pages, NULL for the others. */
struct iommufd_dmabuf *iopt_pages_dmabuf(const struct iopt_pages *pages);
/* Pages objects not freed yet, over every context (for tests). */
size_t iopt_pages_in_use(void);
/* Byte offset of the first mapped byte inside the pages (uva % PAGE_SIZE). */
uint64_t iopt_pages_first_byte(const struct iopt_pages *pages);
/* The address used as IOVA alignment hint (user VA or file offset). */
uint64_t iopt_pages_addr_hint(const struct iopt_pages *pages,
			      uint64_t start_byte);

void iopt_get_pages_ref(struct iopt_pages *pages);
void iopt_put_pages(struct iopt_pages *pages);

/*
 * Take one pin user.  The first one maps the caller's pages into the
 * daemon, mlocks them and charges RLIMIT_MEMLOCK; it fails with -EFAULT
 * (unmapped or inaccessible memory, a read-only VMA for a writable pin,
 * or the mapping's address space is gone), -ENOMEM (over the limit) or
 * -EINVAL (a file that cannot be pinned), -EACCES (a writable pin of a
 * MAP_FILE fd not opened O_RDWR: the kernel's memfd pin ignores the
 * mode, we do not), leaving nothing behind.  needs_phys refuses
 * (-EOPNOTSUPP) memory the daemon can only reach through the caller's
 * /proc/PID/mem.
 */
int iopt_pages_pin(struct iopt_pages *pages, bool needs_phys);
void iopt_pages_unpin(struct iopt_pages *pages);
/*
 * Whether the pinned bytes [start_byte, start_byte + len) are physically
 * contiguous, as far as the daemon can know: one page, or one huge page of
 * a hugetlbfs mapping.  Anything else is reported as not contiguous.
 */
bool iopt_pages_phys_contig(const struct iopt_pages *pages, uint64_t start_byte,
			    uint64_t len);

/*
 * Read or write bytes of pinned pages: through the daemon's view, or the
 * VA of the address space bound at the map call for private memory (its
 * /proc/PID/mem: gone after exec or exit, and only as the VMA's protection
 * allows).  0 or -EFAULT, also when the client truncated the file behind a
 * view.  The only way to touch a view: a plain access could take SIGBUS
 * (pages.c, view_copy()), so no view address is handed out for the daemon
 * to touch (iopt_pages_view_va gives one to the kernel only).
 */
int iopt_pages_rw(struct iopt_pages *pages, uint64_t start_byte, void *buf,
		  size_t len, bool write);

/*
 * The daemon's own address of the pinned bytes [start_byte, start_byte +
 * len), for a needs_phys backend to hand to the kernel (VFIO_IOMMU_MAP_DMA
 * of a type1 container, IOMMU_IOAS_MAP of a kernel iommufd), which pins
 * the pages behind it itself.  NULL unless all of it is pinned and in the
 * daemon's view (shared memory, a file, a dma-buf).  The address is good
 * until the pin goes.  Handing a view out is safe for this one use, unlike
 * touching it (see iopt_pages_rw): the kernel's GUP of a page the client
 * truncated away fails the call with EFAULT instead of raising SIGBUS in
 * the daemon, and once pinned the kernel keeps the page.  The backend must
 * never read or write through it itself.
 */
void *iopt_pages_view_va(const struct iopt_pages *pages, uint64_t start_byte,
			 uint64_t len);

/*
 * IOMMU_IOAS_CHANGE_PROCESS for one context: move every FILE pages to the
 * calling process, recharging the pins, all or nothing.  all holds each
 * pages object once (iommufd_ctx_collect_pages).
 */
int iopt_pages_change_process(struct iommufd_ucmd *ucmd,
			      struct iopt_pages **all, size_t num);

/* The calling process (thread group) of ucmd, 0 when unreachable. */
pid_t iopt_caller_tgid(struct iommufd_ucmd *ucmd);
/*
 * The caller's identity for this call (caller_mm.h), a new reference:
 * the one the front end bound, else bound now from the calling thread.
 * NULL when the caller cannot be reached (pid 0, gone, out of fds).
 */
struct caller_mm *iommufd_ucmd_caller_mm(struct iommufd_ucmd *ucmd);
/*
 * Whether pages is pinned and holds the page at va of the caller: the
 * same VA of the mapping process for user pages, the same file page (any
 * mapping of that file offset) for file pages.
 */
bool iopt_pages_pins_user_va(const struct iopt_pages *pages,
			     struct caller_mm *caller, uint64_t va);

/*
 * Charge npages to the caller of ucmd as a pin is charged (per user,
 * against its RLIMIT_MEMLOCK; nothing with CAP_IPC_LOCK), for memory the
 * daemon locks on the caller's behalf outside any pages object (self-test
 * dma-bufs).  The charge, or NULL with *err: -ENOMEM (over the limit, or
 * out of memory).  iopt_uncharge() gives it back (NULL is fine).
 */
struct iopt_charge;
struct iopt_charge *iopt_charge_caller(struct iommufd_ucmd *ucmd,
				       uint64_t npages, int *err);
void iopt_uncharge(struct iommufd_daemon *d, struct iopt_charge *c);

/* Daemon-wide accounting state (per user and per process). */
void iopt_accounts_fini(struct iommufd_daemon *d);
/*
 * The context is going: frees the bindings kept after their last mapping
 * (see IOPT_MAX_IDLE_SOURCES in pages.c) and keeps no more.  ctx->lock held.
 */
void iopt_sources_release_idle(struct iommufd_ctx *ictx);
/* Pages charged to uid now, summed over every context (for tests). */
uint64_t iopt_account_user_pages(struct iommufd_daemon *d, uid_t uid);

/*
 * Every pin account together, for the status socket: the per-user and
 * per-process entries kept and the pages they hold.
 */
struct iopt_account_totals {
	uint64_t users, user_pages;
	uint64_t procs, proc_pages;
};
void iopt_account_totals(struct iommufd_daemon *d, struct iopt_account_totals *t);

#endif
