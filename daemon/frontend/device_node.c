// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO device nodes for both front ends: open, release, ioctl, read and
 * write of a served device's node go to the VFIO device layer
 * (vfio/device.h).  A file's fh is its struct vfio_device_file.
 *
 * The kernel's RELEASE comes once the last reference to the open file is
 * gone, which includes the death of the client: the binding, attachment
 * and pins go with it (vfio_device_file_release()).
 */
#include "frontend/request.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/iommufd_private.h"
#include "frontend/serve_loop.h"
#include "log.h"

/* What one read or write may move: FUSE's own max_read/max_write is less. */
#define DEV_RW_MAX (1u << 20)

static struct vfio_device_file *dev_file(struct fuse_file_info *fi)
{
	return (struct vfio_device_file *)(uintptr_t)fi->fh;
}

void fe_dev_open(fuse_req_t req, struct fe_node *node,
		 struct fuse_file_info *fi)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct vfio_device_file *df;
	int rc;

	if (atomic_load(&node->fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	/*
	 * The node's bits again, on our side: an open that got here past
	 * them (another node with these numbers, another mount) is refused
	 * as the kernel refuses it (device_policy.h).
	 */
	rc = served_device_may_open(node->sdev, fc->pid, fi->flags);
	if (!rc)
		rc = vfio_device_file_open(node->sdev, fc->pid, fc->uid, &df);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)df;
	/* Every pread/pwrite reaches us, at its offset (never cached). */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	log_debug("open %s by pid %d uid %u", node->path, (int)fc->pid,
		  (unsigned int)fc->uid);
	if (fuse_reply_open(req, fi) == -ENOENT)
		vfio_device_file_release(df); /* the opener is already gone */
}

void fe_dev_release(fuse_req_t req, struct fuse_file_info *fi)
{
	vfio_device_file_release(dev_file(fi));
	fuse_reply_err(req, 0);
}

void fe_dev_ioctl(fuse_req_t req, struct fe_node *node, unsigned int cmd,
		  void *arg, struct fuse_file_info *fi, unsigned int flags)
{
	if (atomic_load(&node->fe->stopping)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	/*
	 * The daemon's own question "which context?" through a device file
	 * (a client passed a device fd as its iommufd): no context, at once,
	 * before any queue or lock.
	 */
	if (cmd == UIOMMUFD_IOC_CTX_SERIAL &&
	    (uint64_t)(uintptr_t)arg == vfio_ident_secret()) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	if (flags & FUSE_IOCTL_COMPAT) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	fe_dev_admit_ioctl(req, node, dev_file(fi), cmd, arg);
}

void fe_dev_ioctl_serve(fuse_req_t req, struct vfio_device_file *df,
			unsigned int cmd, void *arg)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct iommufd_ucmd ucmd = {
		.tr = &ucmd_pvm_transport,
		.caller = { .pid = fc->pid, .uid = fc->uid, .gid = fc->gid },
		.ubuffer = (uint64_t)(uintptr_t)arg,
	};
	long result;

	serve_loop_note(cmd, fc->pid, fc->uid, ucmd.ubuffer);
	result = vfio_device_file_ioctl(df, &ucmd, cmd);
	fe_trace_named(&ucmd, vfio_device_cmd_name(cmd), result);
	fe_reply_result(req, result);
}

void fe_dev_read(fuse_req_t req, struct fe_node *node, size_t size,
		 uint64_t off, struct fuse_file_info *fi)
{
	fe_dev_admit_rw(req, node, dev_file(fi), NULL, size, off, false);
}

void fe_dev_write(fuse_req_t req, struct fe_node *node, const char *buf,
		  size_t size, uint64_t off, struct fuse_file_info *fi)
{
	if (size > DEV_RW_MAX)
		size = DEV_RW_MAX;
	fe_dev_admit_rw(req, node, dev_file(fi), buf, size, off, true);
}

void fe_dev_read_serve(fuse_req_t req, struct vfio_device_file *df,
		       size_t size, uint64_t off)
{
	void *buf;
	ssize_t n;

	if (size > DEV_RW_MAX)
		size = DEV_RW_MAX;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = vfio_device_file_rw(df, off, buf, size, false);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void fe_dev_write_serve(fuse_req_t req, struct vfio_device_file *df,
			const void *buf, size_t size, uint64_t off)
{
	/* region_rw takes a plain pointer; a write never changes buf. */
	ssize_t n = vfio_device_file_rw(df, off, (void *)buf, size, true);

	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

int fe_dev_cuse_offset(pid_t tid, uint64_t off, uint64_t *out)
{
	char path[64], line[512];
	unsigned long long a[7];
	long nr;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	/*
	 * The caller may not be asleep yet when its request arrives (woken,
	 * the daemon preempted it: seen on one vCPU): the file then says
	 * "running".  It sleeps within a few scheduling rounds.
	 */
	for (int tries = 0;; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -EINVAL;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			return -EINVAL;
		line[n] = 0;
		if (strncmp(line, "running", 7) || tries == 1000)
			break;
		usleep(tries < 10 ? 0 : 100);
	}
	/* "nr arg1 .. arg6 sp pc", the arguments in hex. */
	if (sscanf(line, "%ld %llx %llx %llx %llx %llx %llx", &nr, &a[1], &a[2],
		   &a[3], &a[4], &a[5], &a[6]) != 7)
		return -EINVAL;
	switch (nr) {
	case SYS_read:
	case SYS_write:
	case SYS_readv:
	case SYS_writev:
		/* The file position, which a CUSE file never moves. */
		*out = off;
		return 0;
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_preadv:
	case SYS_pwritev:
	case SYS_preadv2:
	case SYS_pwritev2:
		/* pos (pos_l on 64-bit); preadv2's -1 is the file position. */
		*out = a[4] == ~0ull ? off : a[4] + off;
		return 0;
	default:
		return -EINVAL;
	}
}
