/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The front ends: a CUSE character device, or a file in a FUSE mount.  This
 * directory is the only code that includes libfuse.  Both front ends hand
 * every ioctl to iommufd_dispatch() through a ucmd whose transport reaches
 * the caller's memory, and turn the result into a FUSE reply.
 */
#ifndef UIOMMUFD_FRONTEND_H
#define UIOMMUFD_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "frontend/uring_loop.h"

struct iommufd_daemon;

/* How a CUSE ioctl reaches its argument in the caller's memory. */
enum arg_transport {
	ARG_TRANSPORT_PVM,   /* process_vm_readv/writev on the calling thread */
	ARG_TRANSPORT_RETRY, /* CUSE's ioctl retry protocol (kernel copies) */
};

struct frontend_options {
	const char *cuse_name;	 /* NULL: no CUSE node */
	const char *vfio_name;	 /* NULL: no VFIO look-alike node */
	const char *fuse_dir;	 /* NULL: no FUSE mount */
	enum arg_transport arg_transport;
	enum loop_kind loop;	  /* --loop (frontend/uring_loop.h) */
	unsigned int threads;	  /* workers per node kept waiting */
	unsigned int max_threads; /* workers per node at most (>= threads) */
	/* Ioctls of one uid served at once; the rest wait (frontend/admit.h). */
	unsigned int max_requests_per_user;
	mode_t mode;
	uid_t owner; /* (uid_t)-1: leave as is */
	gid_t group; /* (gid_t)-1: leave as is */
	bool trace;  /* log every ioctl at debug level */
};

struct frontend;

/* Creates the node(s) and starts serving; returns once they answer. */
int frontend_start(struct iommufd_daemon *d, const struct frontend_options *o,
		   struct frontend **out);
/*
 * Stops taking requests, lets requests in flight finish, removes the nodes,
 * and releases every context still open.
 */
void frontend_stop(struct frontend *fe);
/*
 * The same, but waits for requests in flight only until deadline_us
 * (CLOCK_MONOTONIC µs, 0: for ever).  Returns how many requests are still
 * stuck then (in caller memory that never answers); it has logged them, and
 * released every context they do not hold.  With a nonzero return nothing
 * is freed (those workers still use it): the caller must exit the process.
 */
unsigned int frontend_stop_until(struct frontend *fe,
				 unsigned long long deadline_us);
/*
 * Whether the service is wedged: every worker a node may have has been busy
 * for longer than max_us (one slow or stuck client never is).
 */
bool frontend_stalled(struct frontend *fe, unsigned long long max_us);
/* "uring" when a node is served by the ring, else "classic". */
const char *frontend_loop_name(const struct frontend *fe);
/* The path of the first node, for messages. */
const char *frontend_node_path(const struct frontend *fe);

#endif
