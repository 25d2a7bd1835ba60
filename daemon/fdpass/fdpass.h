/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handing new descriptors to ioctl callers (CREATE_ACCESS, DMABUF_GET,
 * FAULT_QUEUE_ALLOC, VEVENTQ_ALLOC) through seccomp user notification.
 * The theory of operation is at the top of fdpass.c and in
 * docs/fd-passing.md.
 */
#ifndef UIOMMUFD_FDPASS_H
#define UIOMMUFD_FDPASS_H

#include <stdbool.h>
#include <sys/types.h>

struct iommufd_daemon;
struct iommufd_ucmd;
struct fdpass;

/*
 * Listens on socket_path for uiommufd-exec and serves the seccomp listeners
 * it sends.  nodes are the paths of the nodes being served (ioctls on other
 * files are left alone).  Logs and returns a negative errno on failure.
 */
int fdpass_start(struct iommufd_daemon *d, const char *socket_path,
		 const char *const *nodes, unsigned int nr_nodes,
		 struct fdpass **out);
/*
 * Stops serving, waiting at most about a second for the fd-passing thread
 * and the calls in service; calls still stuck in their callers' memory are
 * abandoned (their threads are detached and end with the process).
 * Callers blocked in a notification get ENOSYS once the daemon is gone.
 * NULL is fine.
 */
void fdpass_stop(struct fdpass *fp);

/*
 * For the front end, before anything else: is this request the daemon's
 * own ioctl on a caller's node, made by the worker thread serving a
 * notification (matched by that thread's TID, req_pid)?  If so (true)
 * and the worker is making its nested ioctl, *ucmd now reads and writes
 * the caller's memory, carries the caller's identity and can install fds;
 * *refuse is 0.  A request from an fd-passing thread with nothing to claim
 * gets *refuse = -EPERM: the daemon must never serve itself with its own
 * memory as the argument.
 */
bool fdpass_claim(pid_t req_pid, struct iommufd_ucmd *ucmd, int *refuse);

#endif
