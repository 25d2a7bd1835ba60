// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open, release and ioctl for both front ends.  A context lives in
 * fi->fh from open to release; the kernel sends release once the last file
 * reference is gone, which is also what happens when a client dies, so a
 * dead client's objects and pins go away with it.
 */
#include "cuse/request.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fdpass/fdpass.h"
#include "log.h"
#include "objects/iommufd_private.h"

void fe_open(fuse_req_t req, struct fe_node *node, struct fuse_file_info *fi)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct iommufd_ctx *ictx;
	int rc;

	if (atomic_load(&node->fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	rc = iommufd_ctx_open(node->fe->daemon, fc->pid, fc->uid, node->vfio,
			      &ictx);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)ictx;
	fi->direct_io = 1;
	fi->nonseekable = 1;
	log_debug("open %s by pid %d uid %u", node->path, (int)fc->pid,
		  (unsigned int)fc->uid);
	if (fuse_reply_open(req, fi) == -ENOENT)
		iommufd_ctx_release(ictx); /* the opener is already gone */
}

void fe_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)(uintptr_t)fi->fh;

	if (ictx)
		iommufd_ctx_release(ictx);
	fuse_reply_err(req, 0);
}

void fe_reply_result(fuse_req_t req, long result)
{
	if (result < 0)
		fuse_reply_err(req, (int)-result);
	else
		fuse_reply_ioctl(req, (int)result, NULL, 0);
}

void fe_trace(const struct iommufd_ucmd *ucmd, unsigned int cmd, long result)
{
	if (log_max_level < LOG_DEBUG)
		return;
	if (result < 0)
		log_debug("%s pid %d: %s", iommufd_cmd_name(cmd),
			  (int)ucmd->caller.pid, strerrorname_np((int)-result));
	else
		log_debug("%s pid %d: %ld", iommufd_cmd_name(cmd),
			  (int)ucmd->caller.pid, result);
}

void fe_ioctl(fuse_req_t req, struct fe_node *node, unsigned int cmd,
	      void *arg, struct fuse_file_info *fi, unsigned int flags,
	      const void *in_buf, size_t in_bufsz, size_t out_bufsz,
	      bool can_retry)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct iommufd_ucmd ucmd = {
		.ictx = (struct iommufd_ctx *)(uintptr_t)fi->fh,
		.tr = &ucmd_pvm_transport,
		.caller = { .pid = fc->pid, .uid = fc->uid, .gid = fc->gid },
		.ubuffer = (uint64_t)(uintptr_t)arg,
	};
	long result;
	int refuse;

	if (atomic_load(&node->fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	/* The daemon's own ioctl for a caller waiting in seccomp (fdpass.c). */
	if (fdpass_claim(fc->pid, &ucmd, &refuse)) {
		if (refuse) {
			fuse_reply_err(req, -refuse);
			return;
		}
		result = iommufd_dispatch(&ucmd, cmd);
		fe_trace(&ucmd, cmd, result);
		fe_reply_result(req, result);
		return;
	}
	/* 32-bit callers would need pointer translation we do not do. */
	if (flags & FUSE_IOCTL_COMPAT) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	if (can_retry && node->fe->opt.arg_transport == ARG_TRANSPORT_RETRY) {
		fe_ioctl_retry(req, &ucmd, cmd, in_buf, in_bufsz, out_bufsz);
		return;
	}
	result = iommufd_dispatch(&ucmd, cmd);
	fe_trace(&ucmd, cmd, result);
	fe_reply_result(req, result);
}
