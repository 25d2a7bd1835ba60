// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CUSE front end: /dev/NAME is a real character device whose ioctls the
 * kernel forwards to us.  CUSE_UNRESTRICTED_IOCTL lets us see the raw
 * argument pointer (iommufd commands are _IO() and carry no size), and lets
 * the retry transport ask the kernel to copy caller memory.
 */
#include "frontend/session.h"

#include <cuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void cuse_open(fuse_req_t req, struct fuse_file_info *fi)
{
	fe_open(req, fuse_req_userdata(req), fi);
}

static void cuse_release(fuse_req_t req, struct fuse_file_info *fi)
{
	fe_release(req, fi);
}

static void cuse_ioctl(fuse_req_t req, int cmd, void *arg,
		       struct fuse_file_info *fi, unsigned int flags,
		       const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	fe_ioctl(req, fuse_req_userdata(req), (unsigned int)cmd, arg, fi, flags,
		 in_buf, in_bufsz, out_bufsz, true);
}

static const struct cuse_lowlevel_ops cuse_ops = {
	.open = cuse_open,
	.release = cuse_release,
	.ioctl = cuse_ioctl,
};

/* A VFIO device node (device_node.c). */
static void cuse_dev_open(fuse_req_t req, struct fuse_file_info *fi)
{
	fe_dev_open(req, fuse_req_userdata(req), fi);
}

static void cuse_dev_release(fuse_req_t req, struct fuse_file_info *fi)
{
	fe_dev_release(req, fi);
}

static void cuse_dev_ioctl(fuse_req_t req, int cmd, void *arg,
			   struct fuse_file_info *fi, unsigned int flags,
			   const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	(void)in_buf;
	(void)in_bufsz;
	(void)out_bufsz;
	fe_dev_ioctl(req, fuse_req_userdata(req), (unsigned int)cmd, arg, fi,
		     flags);
}

/* CUSE's off counts from 0 in each call: the caller's own pos comes first. */
static void cuse_dev_read(fuse_req_t req, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	uint64_t pos;

	if (fe_dev_cuse_offset(fuse_req_ctx(req)->pid, (uint64_t)off, &pos)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fe_dev_read(req, fuse_req_userdata(req), size, pos, fi);
}

static void cuse_dev_write(fuse_req_t req, const char *buf, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	uint64_t pos;

	if (fe_dev_cuse_offset(fuse_req_ctx(req)->pid, (uint64_t)off, &pos)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fe_dev_write(req, fuse_req_userdata(req), buf, size, pos, fi);
}

static const struct cuse_lowlevel_ops cuse_dev_ops = {
	.open = cuse_dev_open,
	.release = cuse_dev_release,
	.read = cuse_dev_read,
	.write = cuse_dev_write,
	.ioctl = cuse_dev_ioctl,
};

int cuse_session_new(struct frontend *fe, struct fe_node *node,
		     const char *name, struct fe_session **out)
{
	char devname[280], mnt[32];
	const char *dev_info[] = { devname };
	struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info,
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	char *argv[] = { "uiommufd", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fe_session *s;
	int fd;

	if (access("/dev/cuse", F_OK) < 0)
		return log_error_errno(-ENODEV,
				       "/dev/cuse is missing: this kernel has no CUSE (try 'modprobe cuse'); use --fuse DIR to serve a file in a FUSE mount instead");
	if (strlen(name) > 200 || strstr(name, ".."))
		return log_error_errno(-EINVAL, "bad device name '%s'", name);
	snprintf(devname, sizeof(devname), "DEVNAME=%s", name);
	snprintf(node->path, sizeof(node->path), "/dev/%s", name);
	node->fe = fe;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->node = node;
	s->se = cuse_lowlevel_new(&args, &ci, node->sdev ? &cuse_dev_ops : &cuse_ops,
				  node);
	/* cuse_lowlevel_new() may copy args onto the heap (fuse_opt_add_arg). */
	fuse_opt_free_args(&args);
	if (!s->se) {
		free(s);
		return log_error_errno(-EINVAL, "cannot create the CUSE session");
	}
	fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		fe_session_free(s);
		return log_error_errno(-err, "cannot open /dev/cuse: %s",
				       strerror(err));
	}
	/* libfuse takes an already open device as the mount point /dev/fd/N. */
	snprintf(mnt, sizeof(mnt), "/dev/fd/%d", fd);
	if (fuse_session_mount(s->se, mnt)) {
		close(fd);
		fe_session_free(s);
		return log_error_errno(-EIO, "cannot attach to /dev/cuse");
	}
	*out = s;
	return 0;
}
