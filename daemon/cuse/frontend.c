// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Starting and stopping the front ends.  "Started" means the node exists and
 * an open of it is answered, which is what readiness promises to a service
 * manager.
 */
#include "cuse/session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "objects/iommufd_private.h"

void fe_session_free(struct fe_session *s)
{
	if (!s)
		return;
	if (s->se) {
		if (s->mounted)
			fuse_session_unmount(s->se);
		fuse_session_destroy(s->se);
	}
	free(s);
}

static bool node_is_chardev(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

/* devtmpfs (or udev) creates a CUSE node shortly after INIT; wait for it. */
static int wait_for_node(const char *path, unsigned int ms)
{
	for (unsigned int waited = 0;; waited += 10) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		/*
		 * EPERM on a char device is the device cgroup (systemd's
		 * DevicePolicy=closed allows us only /dev/cuse): the node
		 * exists, and it answers, since CUSE creates it only after our
		 * worker completed INIT.
		 */
		if (errno == EPERM && node_is_chardev(path))
			return 0;
		if (waited >= ms)
			return -errno;
		usleep(10 * 1000);
	}
}

static int apply_node_permissions(const struct frontend *fe,
				  const struct fe_node *node, mode_t mode)
{
	if (chmod(node->path, mode) < 0)
		return log_error_errno(-errno, "chmod %s: %m", node->path);
	if ((fe->opt.owner != (uid_t)-1 || fe->opt.group != (gid_t)-1) &&
	    chown(node->path, fe->opt.owner, fe->opt.group) < 0)
		return log_error_errno(-errno, "chown %s: %m", node->path);
	return 0;
}

static int frontend_add(struct frontend *fe, struct fe_session *s)
{
	int rc = serve_loop_start(&s->loop, s->se, fe->opt.threads);

	if (rc) {
		fe_session_free(s);
		return log_error_errno(rc, "cannot start worker threads");
	}
	fe->sessions[fe->nr_sessions++] = s;
	return 0;
}

static int frontend_start_cuse(struct frontend *fe, struct fe_node *node,
			       const char *name, mode_t mode)
{
	struct fe_session *s;
	int rc = cuse_session_new(fe, node, name, &s);

	if (rc)
		return rc;
	rc = frontend_add(fe, s);
	if (rc)
		return rc;
	rc = wait_for_node(node->path, 5000);
	if (rc)
		return log_error_errno(rc, "%s did not appear: %s", node->path,
				       strerror(-rc));
	return apply_node_permissions(fe, node, mode);
}

int frontend_start(struct iommufd_daemon *d, const struct frontend_options *o,
		   struct frontend **out)
{
	struct frontend *fe = calloc(1, sizeof(*fe));
	int rc = 0;

	if (!fe)
		return -ENOMEM;
	fe->daemon = d;
	fe->opt = *o;
	if (!fe->opt.threads)
		fe->opt.threads = 1;
	fe->vfio_node.vfio = true;

	if (o->fuse_dir) {
		struct fe_session *s;

		rc = fuse_file_session_new(fe, o->fuse_dir, &s);
		if (!rc)
			rc = frontend_add(fe, s);
		if (!rc)
			rc = wait_for_node(fe->iommu_node.path, 5000);
	} else {
		if (o->cuse_name)
			rc = frontend_start_cuse(fe, &fe->iommu_node, o->cuse_name,
						 o->mode);
		/*
		 * The kernel's /dev/vfio/vfio is world-accessible, but ours
		 * serves the whole iommufd ABI (test interface, fd passing
		 * included): it gets the same --mode/--owner/--group as the
		 * iommufd node, so it opens no door that node keeps shut.
		 */
		if (!rc && o->vfio_name)
			rc = frontend_start_cuse(fe, &fe->vfio_node, o->vfio_name,
						 o->mode);
	}
	if (rc) {
		frontend_stop(fe);
		return rc;
	}
	*out = fe;
	return 0;
}

void frontend_stop(struct frontend *fe)
{
	struct iommufd_daemon *d;

	if (!fe)
		return;
	d = fe->daemon;
	atomic_store(&fe->stopping, true);
	for (unsigned int i = 0; i < fe->nr_sessions; i++)
		serve_loop_stop(&fe->sessions[i]->loop);
	for (unsigned int i = 0; i < fe->nr_sessions; i++)
		fe_session_free(fe->sessions[i]);
	/* No request can arrive any more: release what clients still hold. */
	for (;;) {
		struct iommufd_ctx *ictx;

		pthread_mutex_lock(&d->lock);
		ictx = d->contexts;
		pthread_mutex_unlock(&d->lock);
		if (!ictx)
			break;
		iommufd_ctx_release(ictx);
	}
	free(fe);
}

bool frontend_stalled(struct frontend *fe, unsigned long long max_us)
{
	for (unsigned int i = 0; i < fe->nr_sessions; i++)
		if (serve_loop_stalled(&fe->sessions[i]->loop, max_us))
			return true;
	return false;
}

const char *frontend_node_path(const struct frontend *fe)
{
	return fe->iommu_node.path[0] ? fe->iommu_node.path : fe->vfio_node.path;
}
