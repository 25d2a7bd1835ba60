// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptors crossing between the daemon and its callers: handing one to
 * the caller of an ioctl (iommufd_ucmd_install_fd, through the transport's
 * install_fd, which only the fdpass transport has), taking a copy of one of
 * the caller's (iommufd_ucmd_get_fd), and noticing that the caller closed
 * one the daemon gave it (struct iommufd_fd_handle).  See fd_handle.h and
 * docs/fd-passing.md.
 */
#include "core/fd_handle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/caller_mm.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "core/ucmd_fd.h"
#include "core/user_limits.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int iommufd_ucmd_install_fd(struct iommufd_ucmd *ucmd, int fd)
{
	if (fd < 0)
		return -EBADF;
	if (!ucmd->tr->install_fd) {
		close(fd);
		return -EOPNOTSUPP;
	}
	return ucmd->tr->install_fd(ucmd, fd);
}

int iommufd_ucmd_get_fd(struct iommufd_ucmd *ucmd, int fd)
{
	int pidfd, dfd, err;

	if (fd < 0)
		return -EBADF;
	/* A front end that bound the caller already (fdpass.c): its pidfd. */
	if (ucmd->caller.mm) {
		dfd = caller_mm_getfd(ucmd->caller.mm, fd);
		return dfd >= 0 ? dfd :
		       dfd == -EMFILE || dfd == -ENFILE || dfd == -ENOMEM ?
				  -ENOMEM : -EBADF;
	}
	if (!ucmd->caller.pid)
		return -EBADF;
	/* The calling thread's own table first (Linux 6.9+), else its process's. */
	pidfd = (int)syscall(SYS_pidfd_open, ucmd->caller.pid, PIDFD_THREAD);
	if (pidfd < 0) {
		pid_t tgid = iopt_caller_tgid(ucmd);

		pidfd = tgid ? (int)syscall(SYS_pidfd_open, tgid, 0) : -1;
	}
	if (pidfd < 0)
		return errno == EMFILE || errno == ENFILE ? -ENOMEM : -EBADF;
	dfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	err = errno;
	close(pidfd);
	if (dfd < 0)
		return err == EMFILE || err == ENFILE || err == ENOMEM ? -ENOMEM :
									  -EBADF;
	return dfd;
}

static int fd_handle_make(struct iommufd_fd_handle *h, struct iommufd_ctx *ictx,
			  int type, void (*released)(struct iommufd_fd_handle *h),
			  void (*readable)(struct iommufd_fd_handle *h),
			  int *client_end)
{
	unsigned int n = 0;
	struct stat st;
	int sv[2];

	for (struct iommufd_fd_handle *i = ictx->fd_handles; i; i = i->next)
		n++;
	if (n >= IOMMUFD_MAX_FD_HANDLES)
		return -ENOMEM;
	/*
	 * Our end stays open for the handle's life: a descriptor kept for
	 * the context's user, charged like a MAP_FILE file or a binding
	 * (--max-fds-per-user), released in iommufd_fd_handle_fini().
	 */
	if (user_fds_charge(ictx->mem, 1))
		return -ENOMEM;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
		user_fds_uncharge(ictx->mem, 1);
		return -ENOMEM;
	}
	if (fstat(sv[1], &st) < 0) {
		close(sv[0]);
		close(sv[1]);
		user_fds_uncharge(ictx->mem, 1);
		return -ENOMEM;
	}
	/* No reader on our end (the access fd): the caller's sends are refused. */
	if (!readable && type == SOCK_SEQPACKET)
		shutdown(sv[0], SHUT_RD);
	*h = (struct iommufd_fd_handle){
		.ictx = ictx,
		.peer = sv[0],
		.dev = st.st_dev,
		.ino = st.st_ino,
		.released = released,
		.readable = readable,
	};
	*client_end = sv[1];
	return 0;
}

int iommufd_fd_handle_init(struct iommufd_fd_handle *h, struct iommufd_ctx *ictx,
			   void (*released)(struct iommufd_fd_handle *h),
			   int *client_end)
{
	return fd_handle_make(h, ictx, SOCK_SEQPACKET, released, NULL,
			      client_end);
}

int iommufd_fd_handle_init_stream(struct iommufd_fd_handle *h,
				  struct iommufd_ctx *ictx,
				  void (*released)(struct iommufd_fd_handle *h),
				  void (*readable)(struct iommufd_fd_handle *h),
				  int *client_end)
{
	/* The daemon never waits on a caller; see eventq.c for the caller's end. */
	return fd_handle_make(h, ictx, SOCK_STREAM | SOCK_NONBLOCK, released,
			      readable, client_end);
}

void iommufd_fd_handle_publish(struct iommufd_fd_handle *h)
{
	struct iommufd_ctx *ictx = h->ictx;

	h->next = ictx->fd_handles;
	if (h->next)
		h->next->pprev = &h->next;
	h->pprev = &ictx->fd_handles;
	ictx->fd_handles = h;
}

void iommufd_fd_handle_fini(struct iommufd_fd_handle *h)
{
	if (h->pprev) {
		*h->pprev = h->next;
		if (h->next)
			h->next->pprev = h->pprev;
		h->pprev = NULL;
		h->next = NULL;
	}
	if (h->peer >= 0) {
		close(h->peer);
		/* Charged by fd_handle_make(), the only maker of a peer. */
		if (h->ictx)
			user_fds_uncharge(h->ictx->mem, 1);
	}
	h->peer = -1;
}

bool iommufd_fd_handle_is(const struct iommufd_fd_handle *h,
			  const struct stat *st)
{
	return h->peer >= 0 && S_ISSOCK(st->st_mode) &&
	       st->st_dev == h->dev && st->st_ino == h->ino;
}

/* Calls released() on every handle of ictx for which gone() says so. */
static void fd_handles_release_if(struct iommufd_ctx *ictx, bool all)
{
	struct iommufd_fd_handle *stack[16], **hs = stack, *h;
	struct pollfd pstack[16], *pfds = pstack;
	unsigned int n = 0, i;

	for (h = ictx->fd_handles; h; h = h->next)
		n++;
	if (!n)
		return;
	if (n > ARRAY_SIZE(stack)) {
		hs = calloc(n, sizeof(*hs));
		pfds = calloc(n, sizeof(*pfds));
		if (!hs || !pfds) {
			/* Try again at the next ioctl; release must not fail. */
			free(hs);
			free(pfds);
			if (!all)
				return;
			while ((h = ictx->fd_handles)) {
				iommufd_fd_handle_fini(h);
				h->released(h);
			}
			return;
		}
	}
	for (h = ictx->fd_handles, i = 0; h; h = h->next, i++) {
		hs[i] = h;
		pfds[i] = (struct pollfd){
			.fd = h->peer, .events = h->readable ? POLLIN : 0,
		};
	}
	if (!all && poll(pfds, n, 0) <= 0)
		goto out;
	/*
	 * released() destroys only its own handle's object, so the array
	 * stays valid; each handle leaves the list before its owner runs.
	 */
	for (i = 0; i < n; i++) {
		if (!all && hs[i]->readable && (pfds[i].revents & POLLIN))
			hs[i]->readable(hs[i]);
		if (!all && !(pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL)))
			continue;
		iommufd_fd_handle_fini(hs[i]);
		hs[i]->released(hs[i]);
	}
out:
	if (hs != stack) {
		free(hs);
		free(pfds);
	}
}

void iommufd_fd_handles_reap(struct iommufd_ctx *ictx)
{
	fd_handles_release_if(ictx, false);
}

void iommufd_fd_handles_release_all(struct iommufd_ctx *ictx)
{
	fd_handles_release_if(ictx, true);
}
