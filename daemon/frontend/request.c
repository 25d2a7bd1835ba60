// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open, release and ioctl for both front ends.  A context lives in
 * fi->fh from open to release; the kernel sends release once the last file
 * reference is gone, which is also what happens when a client dies, so a
 * dead client's objects and pins go away with it.  Release only drops the
 * file's reference on the context: a request of it still in flight (stuck
 * in caller memory, say) keeps it, and nothing here waits for that.
 */
#include "frontend/request.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/serve_loop.h"
#include "fdpass/fdpass.h"
#include "log.h"
#include "core/iommufd_private.h"

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
	fe_trace_named(ucmd, iommufd_cmd_name(cmd), result);
}

void fe_trace_named(const struct iommufd_ucmd *ucmd, const char *name,
		    long result)
{
	if (log_max_level < LOG_DEBUG)
		return;
	if (result < 0)
		log_debug("%s pid %d: %s", name, (int)ucmd->caller.pid,
			  strerrorname_np((int)-result));
	else
		log_debug("%s pid %d: %ld", name, (int)ucmd->caller.pid, result);
}

/*
 * A request that takes a per-uid admission slot (admit.h): an ioctl of an
 * iommufd node, or an ioctl, read or write of a VFIO device node.  Served
 * at once, or queued behind the caller uid's requests in flight and
 * served later by the worker that finishes one.
 */
enum fe_op { FE_OP_IOCTL, FE_OP_DEV_IOCTL, FE_OP_DEV_READ, FE_OP_DEV_WRITE };

struct fe_deferred {
	struct admit_item item; /* first */
	enum fe_op op;
	fuse_req_t req;
	struct fe_node *node;
	struct iommufd_ctx *ictx; /* a reference (FE_OP_IOCTL) */
	struct vfio_device_file *df; /* the device file (FE_OP_DEV_*) */
	unsigned int cmd, flags;
	void *arg;
	uint64_t off; /* reads and writes */
	size_t size;
	const void *in_buf; /* in_copy when queued, else the request's */
	size_t in_bufsz, out_bufsz;
	bool can_retry;
	unsigned char in_copy[];
};

/* One admitted ioctl; the context's reference is held for its duration. */
static void fe_ioctl_serve(fuse_req_t req, struct fe_node *node,
			   struct iommufd_ctx *ictx, unsigned int cmd,
			   void *arg, const void *in_buf, size_t in_bufsz,
			   size_t out_bufsz, bool can_retry)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.tr = &ucmd_pvm_transport,
		.caller = { .pid = fc->pid, .uid = fc->uid, .gid = fc->gid },
		.ubuffer = (uint64_t)(uintptr_t)arg,
	};
	long result;

	if (atomic_load(&node->fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	serve_loop_note(cmd, fc->pid, fc->uid, (uint64_t)(uintptr_t)arg);
	iommufd_ctx_get(ictx);
	if (can_retry && node->fe->opt.arg_transport == ARG_TRANSPORT_RETRY) {
		fe_ioctl_retry(req, &ucmd, cmd, in_buf, in_bufsz, out_bufsz);
	} else {
		result = iommufd_dispatch(&ucmd, cmd);
		fe_trace(&ucmd, cmd, result);
		fe_reply_result(req, result);
	}
	iommufd_ctx_put(ictx);
}

static void fe_serve(struct fe_deferred *d)
{
	if (d->op != FE_OP_IOCTL && atomic_load(&d->node->fe->stopping)) {
		fuse_reply_err(d->req, ENODEV);
		return;
	}
	switch (d->op) {
	case FE_OP_IOCTL:
		fe_ioctl_serve(d->req, d->node, d->ictx, d->cmd, d->arg,
			       d->in_buf, d->in_bufsz, d->out_bufsz,
			       d->can_retry);
		break;
	case FE_OP_DEV_IOCTL:
		fe_dev_ioctl_serve(d->req, d->df, d->cmd, d->arg);
		break;
	case FE_OP_DEV_READ:
		fe_dev_read_serve(d->req, d->df, d->size, d->off);
		break;
	case FE_OP_DEV_WRITE:
		fe_dev_write_serve(d->req, d->df, d->in_buf, d->size, d->off);
		break;
	}
}

/* A copy of *d to keep in the uid's queue, or NULL. */
static struct fe_deferred *fe_defer(const struct fe_deferred *d)
{
	struct fe_deferred *q = malloc(sizeof(*q) + d->in_bufsz);

	if (!q)
		return NULL;
	*q = *d;
	if (d->in_bufsz)
		memcpy(q->in_copy, d->in_buf, d->in_bufsz);
	q->in_buf = q->in_copy;
	if (q->ictx)
		iommufd_ctx_get(q->ictx);
	return q;
}

static void fe_deferred_free(struct fe_deferred *d)
{
	if (d->ictx)
		iommufd_ctx_put(d->ictx);
	free(d);
}

/* Serves d now, or queues it behind the uid's requests in flight. */
static void fe_admitted(struct fe_deferred *d, uid_t uid)
{
	struct frontend *fe = d->node->fe;
	struct admit_item *next;
	int rc;

	if (admit_try(&fe->admit, uid)) {
		struct fe_deferred *q = fe_defer(d);

		if (!q) {
			fuse_reply_err(d->req, ENOMEM);
			return;
		}
		rc = admit_queue(&fe->admit, uid, &q->item);
		if (rc == 0)
			return; /* this worker is free for anybody's next request */
		fe_deferred_free(q);
		if (rc < 0) {
			fuse_reply_err(d->req, -rc);
			return;
		}
	}
	fe_serve(d);
	/* Our slot passes to the uid's next waiting request, if any. */
	while ((next = admit_done(&fe->admit, uid))) {
		struct fe_deferred *q = (struct fe_deferred *)next;

		fe_serve(q);
		fe_deferred_free(q);
	}
}

void fe_dev_admit_ioctl(fuse_req_t req, struct fe_node *node,
			struct vfio_device_file *df, unsigned int cmd,
			void *arg)
{
	struct fe_deferred d = {
		.op = FE_OP_DEV_IOCTL, .req = req, .node = node, .df = df,
		.cmd = cmd, .arg = arg,
	};

	fe_admitted(&d, fuse_req_ctx(req)->uid);
}

void fe_dev_admit_rw(fuse_req_t req, struct fe_node *node,
		     struct vfio_device_file *df, const void *buf, size_t size,
		     uint64_t off, bool write)
{
	struct fe_deferred d = {
		.op = write ? FE_OP_DEV_WRITE : FE_OP_DEV_READ, .req = req,
		.node = node, .df = df, .off = off, .size = size,
		.in_buf = buf, .in_bufsz = write ? size : 0,
	};

	fe_admitted(&d, fuse_req_ctx(req)->uid);
}

void fe_ioctl(fuse_req_t req, struct fe_node *node, unsigned int cmd,
	      void *arg, struct fuse_file_info *fi, unsigned int flags,
	      const void *in_buf, size_t in_bufsz, size_t out_bufsz,
	      bool can_retry)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)(uintptr_t)fi->fh;
	struct frontend *fe = node->fe;
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.tr = &ucmd_pvm_transport,
		.caller = { .pid = fc->pid, .uid = fc->uid, .gid = fc->gid },
		.ubuffer = (uint64_t)(uintptr_t)arg,
	};
	struct fe_deferred d = {
		.op = FE_OP_IOCTL, .req = req, .node = node, .ictx = ictx,
		.cmd = cmd, .arg = arg, .in_buf = in_buf, .in_bufsz = in_bufsz,
		.out_bufsz = out_bufsz, .can_retry = can_retry,
	};
	long result;
	int refuse;

	if (atomic_load(&fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	/*
	 * The daemon asking which context this file is (vfio/device_ident.c):
	 * answered at once, before any lock or queue, so that it never waits.
	 */
	if (cmd == UIOMMUFD_IOC_CTX_SERIAL && vfio_ident_secret() &&
	    (uint64_t)(uintptr_t)arg == vfio_ident_secret()) {
		fuse_reply_ioctl(req, (int)ictx->serial, NULL, 0);
		return;
	}
	/*
	 * The daemon's own ioctl for a caller waiting in seccomp (fdpass.c):
	 * one at a time from one thread, so it needs no admission.
	 */
	if (fdpass_claim(fc->pid, &ucmd, &refuse)) {
		if (refuse) {
			fuse_reply_err(req, -refuse);
			return;
		}
		serve_loop_note(cmd, ucmd.caller.pid, ucmd.caller.uid,
				ucmd.ubuffer);
		iommufd_ctx_get(ictx);
		result = iommufd_dispatch(&ucmd, cmd);
		fe_trace(&ucmd, cmd, result);
		fe_reply_result(req, result);
		iommufd_ctx_put(ictx);
		return;
	}
	/* 32-bit callers would need pointer translation we do not do. */
	if (flags & FUSE_IOCTL_COMPAT) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	fe_admitted(&d, fc->uid);
}

void fe_ioctl_drain(struct frontend *fe)
{
	struct admit_item *list = admit_drain(&fe->admit);

	while (list) {
		struct fe_deferred *d = (struct fe_deferred *)list;

		list = list->next;
		fuse_reply_err(d->req, ENODEV);
		fe_deferred_free(d);
	}
}
