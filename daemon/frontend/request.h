/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Glue between libfuse requests and the object layer, shared by both front ends. */
#ifndef UIOMMUFD_REQUEST_H
#define UIOMMUFD_REQUEST_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "frontend/admit.h"
#include "frontend/frontend.h"
#include "vfio/device.h"

struct iommufd_daemon;
struct iommufd_ucmd;

struct fe_node {
	struct frontend *fe;
	bool vfio;		/* the VFIO look-alike: contexts start in compat */
	char path[256];		/* /dev/NAME, or DIR/iommu */
	/* A VFIO device node (device_node.c): files are device files. */
	struct served_device *sdev;
};

struct frontend {
	struct iommufd_daemon *daemon;
	struct frontend_options opt;
	struct fe_node iommu_node, vfio_node;
	/* One per served device (daemon->served), in that order. */
	struct fe_node *dev_nodes;
	unsigned int nr_dev_nodes;
	struct fe_session *sessions[2 + SERVED_DEVICES_MAX];
	unsigned int nr_sessions;
	atomic_bool stopping;
	/* Ioctls per uid served at once, and those waiting (admit.h). */
	struct admit admit;
	/* CUSE device nodes kept to their policy (node_watch.h); or NULL. */
	struct node_watch *watch;
};

void fe_open(fuse_req_t req, struct fe_node *node, struct fuse_file_info *fi);
void fe_release(fuse_req_t req, struct fuse_file_info *fi);
/*
 * An ioctl: served now, or queued behind the caller uid's requests in
 * flight (admit.h) and served later by the worker that finishes one.
 */
void fe_ioctl(fuse_req_t req, struct fe_node *node, unsigned int cmd,
	      void *arg, struct fuse_file_info *fi, unsigned int flags,
	      const void *in_buf, size_t in_bufsz, size_t out_bufsz,
	      bool can_retry);
/*
 * Device requests take a per-uid admission slot like ioctls (request.c):
 * served now or queued; the _serve functions (device_node.c) do the work.
 */
void fe_dev_admit_ioctl(fuse_req_t req, struct fe_node *node,
			struct vfio_device_file *df, unsigned int cmd,
			void *arg);
void fe_dev_admit_rw(fuse_req_t req, struct fe_node *node,
		     struct vfio_device_file *df, const void *buf, size_t size,
		     uint64_t off, bool write);
void fe_dev_ioctl_serve(fuse_req_t req, struct vfio_device_file *df,
			unsigned int cmd, void *arg);
void fe_dev_read_serve(fuse_req_t req, struct vfio_device_file *df,
		       size_t size, uint64_t off);
void fe_dev_write_serve(fuse_req_t req, struct vfio_device_file *df,
			const void *buf, size_t size, uint64_t off);

/* VFIO device nodes (device_node.c); fi->fh is the device file. */
void fe_dev_open(fuse_req_t req, struct fe_node *node,
		 struct fuse_file_info *fi);
void fe_dev_release(fuse_req_t req, struct fuse_file_info *fi);
void fe_dev_ioctl(fuse_req_t req, struct fe_node *node, unsigned int cmd,
		  void *arg, struct fuse_file_info *fi, unsigned int flags);
/* off: the file offset (FUSE), or the caller's from its syscall (CUSE). */
void fe_dev_read(fuse_req_t req, struct fe_node *node, size_t size,
		 uint64_t off, struct fuse_file_info *fi);
void fe_dev_write(fuse_req_t req, struct fe_node *node, const char *buf,
		  size_t size, uint64_t off, struct fuse_file_info *fi);
/*
 * CUSE passes no file offset to read/write: the position the calling
 * thread gave its pread/pwrite (its /proc/TID/syscall), plus off (bytes
 * of the same call already served).  0 or -EINVAL when the thread is in
 * no pread/pwrite/read/write call of its own (io_uring, aio).
 */
int fe_dev_cuse_offset(pid_t tid, uint64_t off, uint64_t *out);

/* The stop: answers every queued ioctl with ENODEV. */
void fe_ioctl_drain(struct frontend *fe);

/* Transports (ucmd_pvm.c, ucmd_retry.c). */
extern const struct ucmd_transport ucmd_pvm_transport;
int pvm_read(pid_t pid, uint64_t uptr, void *dst, size_t len);
int pvm_write(pid_t pid, uint64_t uptr, const void *src, size_t len);

/*
 * Runs one ioctl over the CUSE retry protocol.  Replies to req itself
 * (either a retry request or the final answer).
 */
void fe_ioctl_retry(fuse_req_t req, struct iommufd_ucmd *ucmd, unsigned int cmd,
		    const void *in_buf, size_t in_bufsz, size_t out_bufsz);
/* Sends the final reply for a dispatched ioctl that wrote nothing itself. */
void fe_reply_result(fuse_req_t req, long result);
void fe_trace(const struct iommufd_ucmd *ucmd, unsigned int cmd, long result);
/* the same for a command whose name the caller knows (a device node's) */
void fe_trace_named(const struct iommufd_ucmd *ucmd, const char *name,
		    long result);

#endif
