/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A ucmd is one ioctl in flight.  The caller's memory is only reachable
 * through the transport vtable, because where it lives depends on the front
 * end: bytes that CUSE's retry protocol already copied into the request, or
 * the caller's address space through process_vm_readv/writev.  Unit tests
 * plug in a transport that reads a local buffer.
 */
#ifndef UIOMMUFD_UCMD_H
#define UIOMMUFD_UCMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iommufd_ctx;
struct iommufd_ucmd;

struct ucmd_transport {
	/* Both return 0 or -EFAULT (a range the caller cannot access). */
	int (*read)(struct iommufd_ucmd *ucmd, uint64_t uptr, void *dst,
		    size_t len);
	int (*write)(struct iommufd_ucmd *ucmd, uint64_t uptr, const void *src,
		     size_t len);
	/*
	 * Optional: the dispatcher will soon read up to len bytes at uptr.
	 * A transport whose every access costs a syscall may fetch them at
	 * once; a failure here is silent, the later read reports it.
	 */
	void (*prefetch)(struct iommufd_ucmd *ucmd, uint64_t uptr, size_t len);
	/*
	 * Optional: put the daemon's fd into the caller's fd table (O_CLOEXEC)
	 * and return its number there.  Only a transport that can reach the
	 * caller's fd table has it (daemon/fdpass/); see ucmd_fd.h.
	 */
	int (*install_fd)(struct iommufd_ucmd *ucmd, int fd);
};

/* What a prefetching transport keeps of the caller's struct. */
#define UCMD_PREFETCH_MAX 128

struct caller_mm;

struct ucmd_caller {
	pid_t pid; /* the calling thread, as the front end reports it */
	uid_t uid;
	gid_t gid;
	/*
	 * The caller's identity when a front end bound it already (fdpass.c:
	 * before confirming the notification), else NULL and the object
	 * layer binds pid during the call (iommufd_ucmd_bind_caller()).
	 * Borrowed: the front end keeps the reference.
	 */
	struct caller_mm *mm;
};

struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	const struct ucmd_transport *tr;
	void *tr_priv;
	struct ucmd_caller caller;
	uint64_t ubuffer;
	uint32_t user_size;
	void *cmd;
	/* Bytes a transport prefetched at pf_uptr; pf_len 0 when none. */
	uint64_t pf_uptr;
	size_t pf_len;
	uint8_t pf_buf[UCMD_PREFETCH_MAX];
};

static inline int ucmd_copy_from_user(struct iommufd_ucmd *ucmd, void *dst,
				      uint64_t uptr, size_t len)
{
	return len ? ucmd->tr->read(ucmd, uptr, dst, len) : 0;
}

static inline int ucmd_copy_to_user(struct iommufd_ucmd *ucmd, uint64_t uptr,
				    const void *src, size_t len)
{
	return len ? ucmd->tr->write(ucmd, uptr, src, len) : 0;
}

/* Mirrors iommufd_ucmd_respond(): copy back min(user size, cmd_len). */
int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len);

/*
 * Mirrors copy_struct_from_user(): a shorter user struct is zero-extended,
 * a longer one must be zero past ksize (E2BIG otherwise).  Unlike the
 * kernel, a tail longer than the daemon's max_arg_bytes is E2BIG without
 * being read (a client must not buy seconds of daemon time with one word).
 */
int ucmd_copy_struct_from_user(struct iommufd_ucmd *ucmd, void *dst,
			       size_t ksize, uint64_t src, size_t usize);

/*
 * A region of caller memory a command will touch beyond its own struct
 * (arrays behind pointers).  Front ends that must fetch memory ahead of the
 * handler (CUSE retry) ask the dispatcher for this list.
 */
struct ucmd_region {
	uint64_t uptr;
	uint64_t len;
	unsigned int dir; /* UCMD_IN and/or UCMD_OUT */
};
#define UCMD_IN 1u
#define UCMD_OUT 2u
#define UCMD_MAX_REGIONS 4

/* Outcome of iommufd_dispatch_plan(). */
struct ucmd_plan {
	/* The command's own struct: how much of it to fetch. */
	uint64_t struct_len;
	unsigned int nr_regions;
	struct ucmd_region regions[UCMD_MAX_REGIONS];
};

struct iommufd_daemon;
/* A command's name for logs ("IOAS_ALLOC", "VFIO_IOMMU_MAP_DMA", "0x3bff"). */
const char *iommufd_cmd_name(unsigned int cmd);
const char *iommufd_vfio_cmd_name(unsigned int cmd);
/*
 * The ioctl entry point every front end calls; takes the context's lock.
 * Returns the ioctl's result (>= 0) or a negative errno.
 */
long iommufd_dispatch(struct iommufd_ucmd *ucmd, unsigned int cmd);
/*
 * For front ends that prefetch: given the first bytes of the user struct
 * (head, head_len >= 4 or 0), say which regions the command will touch.
 * Returns 0 with the plan filled, or 1 when no prefetch is needed (the
 * command is answered without touching caller memory, or the struct is
 * not known yet: head_len == 0 means "fetch the size word first").
 */
int iommufd_dispatch_plan(struct iommufd_daemon *d, unsigned int cmd,
			  const void *head, size_t head_len,
			  struct ucmd_plan *plan);

#endif
