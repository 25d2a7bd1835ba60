/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A descriptor the daemon hands to a caller (through
 * iommufd_ucmd_install_fd()) whose closing the daemon must notice, as the
 * kernel notices the release of a file it installed: the self-test access
 * fd of IOMMU_TEST_OP_CREATE_ACCESS is the example.
 *
 * The caller gets one end of a SOCK_SEQPACKET socketpair; the daemon keeps
 * the other.  When every copy of the caller's end is closed (close(), exit,
 * SIGKILL; a fork()ed child's copy counts too, as a kernel file reference
 * would) the daemon's end reports POLLHUP.  Handles live on their context's
 * list and are checked at the start of every ioctl of that context, so a
 * close() is seen before any later ioctl in program order, as the kernel's
 * synchronous release is.  Closing the context releases them all first.
 *
 * The caller names the descriptor by its own fd number in later ioctls; the
 * daemon takes a copy with pidfd_getfd() and matches the socket's inode.
 *
 * Locking: under the owning context's lock.
 */
#ifndef UIOMMUFD_FD_HANDLE_H
#define UIOMMUFD_FD_HANDLE_H

#include <stdbool.h>
#include <sys/types.h>

struct iommufd_ctx;
struct iommufd_ucmd;

struct iommufd_fd_handle {
	struct iommufd_ctx *ictx;
	int peer;	/* the daemon's end; -1 once closed */
	dev_t dev;	/* identity of the caller's end */
	ino_t ino;
	/* The caller closed its end; the owner tears its object down. */
	void (*released)(struct iommufd_fd_handle *h);
	/*
	 * Optional (stream handles): the caller wrote to its end.  Called by
	 * the reap before released(), so what was written before a close()
	 * is still read.
	 */
	void (*readable)(struct iommufd_fd_handle *h);
	struct iommufd_fd_handle *next, **pprev; /* on ictx->fd_handles */
};

/* A limit on handles per context: each costs the daemon a descriptor. */
#define IOMMUFD_MAX_FD_HANDLES 1024

/*
 * Makes the socketpair; *client_end is the end to install in the caller
 * (O_CLOEXEC).  The handle is not on the context's list yet.  0, -ENOMEM.
 */
int iommufd_fd_handle_init(struct iommufd_fd_handle *h, struct iommufd_ctx *ictx,
			   void (*released)(struct iommufd_fd_handle *h),
			   int *client_end);
/*
 * The same with a SOCK_STREAM pair whose two ends are O_NONBLOCK, for fds
 * the caller reads records from and may write to (the event queues,
 * eventq.c); readable may be NULL.
 */
int iommufd_fd_handle_init_stream(struct iommufd_fd_handle *h,
				  struct iommufd_ctx *ictx,
				  void (*released)(struct iommufd_fd_handle *h),
				  void (*readable)(struct iommufd_fd_handle *h),
				  int *client_end);
/* Puts the handle on its context's list: from now on it is watched. */
void iommufd_fd_handle_publish(struct iommufd_fd_handle *h);
/* Unlinks (if linked) and closes the daemon's end.  Accepts a zeroed handle. */
void iommufd_fd_handle_fini(struct iommufd_fd_handle *h);
/*
 * Whether the descriptor the daemon holds (from pidfd_getfd), whose fstat()
 * is st, is h's.  The caller stats it once: a failed fstat() of our own
 * copy is the daemon running short (ENOMEM), not another file.
 */
struct stat;
bool iommufd_fd_handle_is(const struct iommufd_fd_handle *h,
			  const struct stat *st);

/*
 * A copy of the caller's descriptor fd in the daemon (pidfd_getfd, which
 * needs the ptrace rights process_vm_* already need), O_CLOEXEC.  -EBADF
 * for a number that is not open in the caller, -ENOMEM when the daemon is
 * out of descriptors.
 */
int iommufd_ucmd_get_fd(struct iommufd_ucmd *ucmd, int fd);

/* Called by the dispatcher with the context locked: handles whose caller end is gone. */
void iommufd_fd_handles_reap(struct iommufd_ctx *ictx);
/* At context release: every handle is released first, as if closed. */
void iommufd_fd_handles_release_all(struct iommufd_ctx *ictx);

#endif
