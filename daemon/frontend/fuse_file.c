// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FUSE-file front end, for kernels without CUSE and for plain users:
 * DIR/iommu (and DIR/vfio with --vfio-node) in a FUSE mount behave like the
 * device.  FUSE passes ioctls on regular files in "restricted" mode, where
 * the kernel copies what _IOC_SIZE says, nothing for the _IO() numbers of
 * iommufd and VFIO; so these files always use process_vm_* for arguments.
 */
#include "frontend/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend/fuse_stale.h"
#include "log.h"

enum { INO_ROOT = 1, INO_IOMMU = 2, INO_VFIO = 3, INO_DEVICES = 4,
       INO_DEV0 = 16 /* DIR/devices/NAME of served device i: INO_DEV0 + i */ };

/* The node of a device file, or NULL. */
static struct fe_node *fuse_dev_node(struct frontend *fe, fuse_ino_t ino)
{
	if (ino < INO_DEV0 || ino - INO_DEV0 >= fe->nr_dev_nodes)
		return NULL;
	return &fe->dev_nodes[ino - INO_DEV0];
}

static struct fe_node *fuse_node(struct frontend *fe, fuse_ino_t ino)
{
	if (ino == INO_IOMMU)
		return &fe->iommu_node;
	if (ino == INO_VFIO && fe->opt.vfio_name)
		return &fe->vfio_node;
	return NULL;
}

static int fuse_fill_attr(struct frontend *fe, fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = fe->opt.owner != (uid_t)-1 ? fe->opt.owner : getuid();
	st->st_gid = fe->opt.group != (gid_t)-1 ? fe->opt.group : getgid();
	if (ino == INO_ROOT || (ino == INO_DEVICES && fe->nr_dev_nodes)) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (fuse_dev_node(fe, ino)) {
		struct sdev_policy p;

		/* default_permissions makes the kernel check these. */
		served_device_access(fuse_dev_node(fe, ino)->sdev, &p);
		st->st_uid = p.owner;
		st->st_gid = p.group;
		st->st_mode = S_IFREG | p.mode;
		st->st_nlink = 1;
		return 0;
	}
	if (!fuse_node(fe, ino))
		return -ENOENT;
	/* Both files serve the full ABI: same mode, owner and group. */
	st->st_mode = S_IFREG | fe->opt.mode;
	st->st_nlink = 1;
	return 0;
}

static void ff_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int rc = fuse_fill_attr(fuse_req_userdata(req), ino, &st);

	(void)fi;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, 1.0);
}

static void ff_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct frontend *fe = fuse_req_userdata(req);
	struct fuse_entry_param e = { .attr_timeout = 1.0, .entry_timeout = 1.0 };

	if (parent == INO_ROOT && !strcmp(name, "iommu"))
		e.ino = INO_IOMMU;
	else if (parent == INO_ROOT && !strcmp(name, "vfio") && fe->opt.vfio_name)
		e.ino = INO_VFIO;
	else if (parent == INO_ROOT && !strcmp(name, "devices") && fe->nr_dev_nodes)
		e.ino = INO_DEVICES;
	else if (parent == INO_DEVICES)
		for (unsigned int i = 0; i < fe->nr_dev_nodes; i++)
			if (!strcmp(name, served_device_name(fe->dev_nodes[i].sdev)))
				e.ino = INO_DEV0 + i;
	if (!e.ino || fuse_fill_attr(fe, e.ino, &e.attr)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fuse_reply_entry(req, &e);
}

/* DIR/devices: ".", "..", then one file per served device. */
static void ff_readdir_devices(fuse_req_t req, struct frontend *fe,
			       size_t size, off_t off)
{
	char *buf = malloc(size ? size : 1);
	size_t used = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (off_t i = off; i < (off_t)fe->nr_dev_nodes + 2; i++) {
		struct stat st = { .st_mode = i < 2 ? S_IFDIR : S_IFREG };
		const char *name = i == 0 ? "." : i == 1 ? ".." :
				   served_device_name(fe->dev_nodes[i - 2].sdev);
		size_t n;

		st.st_ino = i == 0 ? INO_DEVICES : i == 1 ? INO_ROOT :
				     INO_DEV0 + (fuse_ino_t)(i - 2);
		n = fuse_add_direntry(req, buf + used, size - used, name, &st,
				      i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void ff_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct frontend *fe = fuse_req_userdata(req);
	static const char *const names[] = { ".", "..", "iommu", "vfio", "devices" };
	static const fuse_ino_t inos[] = { INO_ROOT, INO_ROOT, INO_IOMMU, INO_VFIO,
					   INO_DEVICES };
	char buf[512];
	size_t used = 0;

	(void)fi;
	if (ino == INO_DEVICES && fe->nr_dev_nodes) {
		ff_readdir_devices(req, fe, size, off);
		return;
	}
	if (ino != INO_ROOT) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	for (off_t i = off; i < (off_t)(sizeof(names) / sizeof(names[0])); i++) {
		struct stat st = { .st_ino = inos[i] };
		size_t n;

		if (inos[i] == INO_VFIO && !fe->opt.vfio_name)
			continue;
		if (inos[i] == INO_DEVICES && !fe->nr_dev_nodes)
			continue;
		st.st_mode = inos[i] == INO_ROOT || inos[i] == INO_DEVICES ?
				     S_IFDIR : S_IFREG;
		n = fuse_add_direntry(req, buf + used, sizeof(buf) - used,
				      names[i], &st, i + 1);
		if (n > sizeof(buf) - used || used + n > size)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void ff_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct frontend *fe = fuse_req_userdata(req);
	struct fe_node *node = fuse_node(fe, ino);

	if (fuse_dev_node(fe, ino)) {
		fe_dev_open(req, fuse_dev_node(fe, ino), fi);
		return;
	}
	if (!node) {
		fuse_reply_err(req, ino == INO_ROOT || ino == INO_DEVICES ?
					    EISDIR : ENOENT);
		return;
	}
	fe_open(req, node, fi);
}

static void ff_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (fuse_dev_node(fuse_req_userdata(req), ino))
		fe_dev_release(req, fi);
	else
		fe_release(req, fi);
}

static void ff_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	if (!fuse_dev_node(fuse_req_userdata(req), ino)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fe_dev_read(req, fuse_dev_node(fuse_req_userdata(req), ino), size,
		    (uint64_t)off, fi);
}

static void ff_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	if (!fuse_dev_node(fuse_req_userdata(req), ino)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fe_dev_write(req, fuse_dev_node(fuse_req_userdata(req), ino), buf,
		     size, (uint64_t)off, fi);
}

static void ff_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		     void *arg, struct fuse_file_info *fi, unsigned int flags,
		     const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct frontend *fe = fuse_req_userdata(req);
	struct fe_node *node = fuse_node(fe, ino);

	if (fuse_dev_node(fe, ino)) {
		fe_dev_ioctl(req, fuse_dev_node(fe, ino), cmd, arg, fi, flags);
		return;
	}
	if (!node) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	fe_ioctl(req, node, cmd, arg, fi, flags, in_buf, in_bufsz, out_bufsz,
		 false);
}

static const struct fuse_lowlevel_ops fuse_file_ops = {
	.lookup = ff_lookup,
	.getattr = ff_getattr,
	.readdir = ff_readdir,
	.open = ff_open,
	.release = ff_release,
	.read = ff_read,
	.write = ff_write,
	.ioctl = ff_ioctl,
};

int fuse_file_session_new(struct frontend *fe, const char *dir,
			  struct fe_session **out)
{
	/*
	 * As root, other users may open the files (allow_other) and the kernel
	 * enforces the files' modes (default_permissions).  A plain user's
	 * mount serves only that user, which is FUSE's default.
	 */
	char *argv_root[] = { "uiommufd", "-o",
		"fsname=uiommufd,subtype=uiommufd,default_permissions,allow_other",
		NULL };
	char *argv_user[] = { "uiommufd", "-o",
		"fsname=uiommufd,subtype=uiommufd,default_permissions", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, geteuid() == 0 ? argv_root : argv_user);
	struct fe_session *s;

	snprintf(fe->iommu_node.path, sizeof(fe->iommu_node.path), "%s/iommu", dir);
	fe->iommu_node.fe = fe;
	if (fe->opt.vfio_name) {
		snprintf(fe->vfio_node.path, sizeof(fe->vfio_node.path), "%s/vfio", dir);
		fe->vfio_node.fe = fe;
		fe->vfio_node.vfio = true;
	}
	for (unsigned int i = 0; i < fe->nr_dev_nodes; i++) {
		struct fe_node *n = &fe->dev_nodes[i];

		snprintf(n->path, sizeof(n->path), "%s/devices/%s", dir,
			 served_device_name(n->sdev));
		served_device_set_path(n->sdev, n->path);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->se = fuse_session_new(&args, &fuse_file_ops, sizeof(fuse_file_ops), fe);
	/* fuse_session_new() may copy args onto the heap (fuse_opt_add_arg). */
	fuse_opt_free_args(&args);
	if (!s->se) {
		free(s);
		return log_error_errno(-EINVAL, "cannot create the FUSE session");
	}
	/* A killed daemon's mount would make the mount fail. */
	if (fuse_stale_mount_clear(dir) || fuse_session_mount(s->se, dir)) {
		fe_session_free(s);
		return log_error_errno(-EIO, "cannot mount FUSE at %s (is /dev/fuse there, and the directory?)", dir);
	}
	s->mounted = true;
	*out = s;
	return 0;
}
