// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Starting and stopping the front ends.  "Started" means the node exists and
 * an open of it is answered, which is what readiness promises to a service
 * manager.
 */
#include "frontend/session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend/fuse_abort.h"
#include "frontend/node_watch.h"
#include "log.h"
#include "core/own_files.h"
#include "core/iommufd_private.h"

void fe_session_free(struct fe_session *s)
{
	if (!s)
		return;
	serve_loop_fini(&s->loop);
	uring_loop_free(s->uring);
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

/*
 * owner, group (uid_t)-1, (gid_t)-1: left as devtmpfs or udev made them.
 * The mode before the owner: the service has no CAP_FOWNER, so a chmod
 * needs the node still to be ours.
 */
static int apply_node_permissions(const struct fe_node *node, mode_t mode,
				  uid_t owner, gid_t group)
{
	if (chmod(node->path, mode) < 0)
		return log_error_errno(-errno, "chmod %s: %m", node->path);
	if ((owner != (uid_t)-1 || group != (gid_t)-1) &&
	    chown(node->path, owner, group) < 0)
		return log_error_errno(-errno, "chown %s: %m", node->path);
	return 0;
}

/*
 * The ring loop where asked for and possible; before the classic loop reads
 * anything, since it must see INIT.  Falls back to the classic loop alone,
 * saying why: --loop uring warns, --loop auto only tells.
 */
static void frontend_add_uring(struct frontend *fe, struct fe_session *s,
			       bool is_cuse)
{
	const char *why = NULL;
	int rc;

	if (fe->opt.loop == LOOP_CLASSIC)
		return;
	if (!uring_loop_possible(&why)) {
		log_printf(fe->opt.loop == LOOP_URING ? LOG_WARNING : LOG_INFO,
			   "--loop %s: %s: serving with the classic loop",
			   loop_kind_name(fe->opt.loop), why);
		return;
	}
	rc = uring_loop_new(s->se, is_cuse, fe->opt.threads,
			    fe->opt.max_threads, &s->uring);
	if (rc) {
		s->uring = NULL;
		log_warning("--loop %s: cannot set up io_uring (%s): serving with the classic loop",
			    loop_kind_name(fe->opt.loop), strerror(-rc));
	}
}

static int frontend_add(struct frontend *fe, struct fe_session *s, bool is_cuse)
{
	int rc;

	frontend_add_uring(fe, s, is_cuse);
	rc = serve_loop_start(&s->loop, s->se, fe->opt.threads,
			      fe->opt.max_threads);
	if (rc) {
		fe_session_free(s);
		return log_error_errno(rc, "cannot start worker threads");
	}
	fe->sessions[fe->nr_sessions++] = s;
	return 0;
}

/*
 * Remembers the node (CUSE: its device number; FUSE: its filesystem) so
 * that a caller's copy of it is never closed on a serving thread.
 */
static void frontend_own_node(const char *path, bool chr)
{
	struct statx stx;

	/* DONT_SYNC: no GETATTR to ourselves. */
	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE, &stx)) {
		log_warning("cannot stat %s: %m", path);
		return;
	}
	if (chr)
		own_files_add_chr(stx.stx_rdev_major, stx.stx_rdev_minor);
	else
		own_files_add_fs(stx.stx_dev_major, stx.stx_dev_minor);
}

static void frontend_tell_loop(struct fe_session *s, const char *path)
{
	s->on_ring = s->uring && uring_loop_wait_ready(s->uring, 2000);
	if (s->on_ring) {
		uring_loop_set_node(s->uring, path);
		log_info("%s: serving with FUSE-over-io_uring", path);
	} else if (s->uring) {
		log_info("%s: the ring is not in use: serving by read(2)", path);
	}
}

static int frontend_start_cuse(struct frontend *fe, struct fe_node *node,
			       const char *name, mode_t mode)
{
	struct fe_session *s;
	int rc = cuse_session_new(fe, node, name, &s);

	if (rc)
		return rc;
	rc = frontend_add(fe, s, true);
	if (rc)
		return rc;
	rc = wait_for_node(node->path, 5000);
	if (rc)
		return log_error_errno(rc, "%s did not appear: %s", node->path,
				       strerror(-rc));
	frontend_own_node(node->path, true);
	frontend_tell_loop(s, node->path);
	if (node->sdev) {
		struct sdev_policy p;

		/* A device node carries its own policy (device_policy.h). */
		served_device_access(node->sdev, &p);
		return apply_node_permissions(node, p.mode, p.owner, p.group);
	}
	return apply_node_permissions(node, mode, fe->opt.owner, fe->opt.group);
}

/*
 * The iommufd node and the vfio look-alike: --mode, and --owner/--group
 * where given, else the ids the node has now (devtmpfs's or a udev
 * rule's, which the start left alone): the watch then keeps what the
 * start set up.
 */
static bool plain_node_entry(const struct frontend *fe, const struct fe_node *n,
			     struct node_watch_entry *e)
{
	struct stat st;

	if (!n->path[0] || lstat(n->path, &st) || !S_ISCHR(st.st_mode))
		return false;
	*e = (struct node_watch_entry){ .path = n->path,
		.uid = fe->opt.owner != (uid_t)-1 ? fe->opt.owner : st.st_uid,
		.gid = fe->opt.group != (gid_t)-1 ? fe->opt.group : st.st_gid,
		.mode = fe->opt.mode };
	return true;
}

/*
 * udev may change a CUSE node after we set it up, or make it again
 * (`udevadm trigger` puts back 0600 root:root where no rule names it, and
 * a rule meant for the kernel's /dev/iommu may name ours): a watcher puts
 * its policy back.  Without one (no inotify) a node keeps what the start
 * set; device nodes' opens are checked by us anyway.
 */
static void frontend_watch_nodes(struct frontend *fe)
{
	struct node_watch_entry e[SERVED_DEVICES_MAX + 2];
	unsigned int n = 0;
	int rc;

	if (plain_node_entry(fe, &fe->iommu_node, &e[n]))
		n++;
	if (plain_node_entry(fe, &fe->vfio_node, &e[n]))
		n++;
	for (unsigned int i = 0; i < fe->nr_dev_nodes; i++) {
		struct sdev_policy p;

		served_device_access(fe->dev_nodes[i].sdev, &p);
		e[n++] = (struct node_watch_entry){ .path = fe->dev_nodes[i].path,
			.uid = p.owner, .gid = p.group, .mode = p.mode };
	}
	if (!n)
		return;
	rc = node_watch_start(e, n, &fe->watch);
	if (rc)
		log_warning("the CUSE nodes are not watched (%s): a change of their owner or mode by udev stays",
			    strerror(-rc));
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
	admit_init(&fe->admit, o->max_requests_per_user);
	if (!fe->opt.threads)
		fe->opt.threads = 1;
	fe->vfio_node.vfio = true;
	if (d->nr_served) {
		fe->dev_nodes = calloc(d->nr_served, sizeof(*fe->dev_nodes));
		if (!fe->dev_nodes) {
			free(fe);
			return -ENOMEM;
		}
		for (unsigned int i = 0; i < d->nr_served; i++) {
			fe->dev_nodes[i].fe = fe;
			fe->dev_nodes[i].sdev = d->served[i];
			/*
			 * What --device did not say: the iommufd node's
			 * --owner, --group and --mode, as before per-device
			 * policy (the files FUSE shows have our ids then).
			 */
			served_device_set_default_access(d->served[i],
				o->owner != (uid_t)-1 ? o->owner : getuid(),
				o->group != (gid_t)-1 ? o->group : getgid(),
				o->mode);
		}
		fe->nr_dev_nodes = d->nr_served;
	}

	if (o->fuse_dir) {
		/* Resolved before mounting: after, that would ask ourselves. */
		char *own = realpath(o->fuse_dir, NULL);
		struct fe_session *s;

		rc = fuse_file_session_new(fe, o->fuse_dir, &s);
		if (!rc)
			fuse_abort_init(own ? own : o->fuse_dir);
		free(own);
		if (!rc)
			rc = frontend_add(fe, s, false);
		if (!rc)
			rc = wait_for_node(fe->iommu_node.path, 5000);
		if (!rc)
			frontend_own_node(fe->iommu_node.path, false);
		if (!rc)
			frontend_tell_loop(s, fe->iommu_node.path);
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
		/* One CUSE device per served device, with its own policy. */
		for (unsigned int i = 0; !rc && i < fe->nr_dev_nodes; i++) {
			struct fe_node *n = &fe->dev_nodes[i];

			rc = frontend_start_cuse(fe, n,
						 served_device_name(n->sdev),
						 o->mode);
			if (!rc)
				served_device_set_path(n->sdev, n->path);
		}
		if (!rc)
			frontend_watch_nodes(fe);
		if (!rc)
			fuse_abort_init(NULL);
	}
	if (rc) {
		frontend_stop(fe);
		return rc;
	}
	*out = fe;
	return 0;
}

/*
 * What the stop keeps, out of --stop-timeout, for its last resort: a pass
 * aborting the FUSE pages the stuck requests read, a moment for them to
 * return, a pass aborting every waiting connection of the stuck callers'
 * uids, and a last wait.  Each pass is bounded (fuse_abort.h).
 */
#define STOP_PASS_US 150000ull
#define STOP_ABORT_US (4 * STOP_PASS_US)
/* At most this many stuck requests are looked at by the abort. */
#define STOP_STUCK_MAX 64

static unsigned long long stop_first_deadline(unsigned long long deadline_us)
{
	unsigned long long now = monotonic_us();

	if (!deadline_us)
		return 0;
	if (deadline_us <= now + STOP_ABORT_US)
		return now + 1; /* no time left to wait: look once */
	return deadline_us - STOP_ABORT_US;
}

/* now + us, but not past deadline_us. */
static unsigned long long stop_step(unsigned long long us,
				    unsigned long long deadline_us)
{
	unsigned long long t = monotonic_us() + us;

	return t < deadline_us ? t : deadline_us;
}

static unsigned int fe_wait(struct frontend *fe, unsigned long long until)
{
	unsigned int stuck = 0;

	for (unsigned int i = 0; i < fe->nr_sessions; i++) {
		stuck += uring_loop_stop(fe->sessions[i]->uring, until);
		stuck += serve_loop_stop(&fe->sessions[i]->loop, until);
	}
	return stuck;
}

/*
 * One pass of the stop's abort over every request still stuck; then, if
 * something was (or may yet be) aborted, waits for them wait_us (0: until
 * deadline_us).  Returns how many are still stuck.
 */
static unsigned int fe_abort_pass(struct frontend *fe, bool every_waiting,
				  unsigned long long deadline_us,
				  unsigned long long wait_us)
{
	struct fuse_abort_stuck s[STOP_STUCK_MAX];
	unsigned int n = 0;
	int rc;

	for (unsigned int i = 0; i < fe->nr_sessions && n < STOP_STUCK_MAX; i++) {
		n += serve_loop_stuck(&fe->sessions[i]->loop, s + n,
				      STOP_STUCK_MAX - n);
		n += uring_loop_stuck(fe->sessions[i]->uring, s + n,
				      STOP_STUCK_MAX - n);
	}
	rc = fuse_abort_stuck(s, n, every_waiting,
			      stop_step(STOP_PASS_US, deadline_us));
	if (rc == -ETIMEDOUT)
		log_warning("stop: looking for the FUSE connections of %u stuck request%s did not end in time",
			    n, n == 1 ? "" : "s");
	if (rc <= 0 && rc != -ETIMEDOUT)
		return fe_wait(fe, monotonic_us()); /* look once */
	return fe_wait(fe, wait_us ? stop_step(wait_us, deadline_us) :
				     deadline_us);
}

unsigned int frontend_stop_until(struct frontend *fe,
				 unsigned long long deadline_us)
{
	struct iommufd_daemon *d;
	unsigned int stuck = 0, held;
	char busy[1024];
	size_t used = 0;

	if (!fe)
		return 0;
	d = fe->daemon;
	atomic_store(&fe->stopping, true);
	/* Before the nodes go: their removal is nothing to put back. */
	node_watch_stop(fe->watch);
	fe->watch = NULL;
	/* Waiting ones would never get their turn behind a stuck one. */
	fe_ioctl_drain(fe);
	stuck = fe_wait(fe, stop_first_deadline(deadline_us));
	/*
	 * Still stuck: the request may wait on its caller's FUSE server, in
	 * the kernel and perhaps uninterruptibly (a FLUSH at close, a page
	 * read through /proc/PID/mem), which not even our exit would end.
	 * First the connection of the page it last said it touches; if that
	 * is not it, every connection of that caller's uid with requests
	 * waiting (never another uid's, never our own).
	 */
	if (stuck && deadline_us) {
		stuck = fe_abort_pass(fe, false, deadline_us, STOP_PASS_US);
		if (stuck)
			stuck = fe_abort_pass(fe, true, deadline_us, 0);
	}
	if (!stuck) {
		for (unsigned int i = 0; i < fe->nr_sessions; i++)
			fe_session_free(fe->sessions[i]);
		/* No request can arrive any more: release what clients still hold. */
		iommufd_ctx_release_all(d);
		admit_fini(&fe->admit);
		free(fe->dev_nodes);
		free(fe);
		return 0;
	}
	/*
	 * Workers stuck in caller memory still use their session, the
	 * front end and the contexts they hold: keep all of it, release
	 * every other context (their pins go), take the FUSE mounts away,
	 * and let the caller exit the process, which ends the rest.
	 */
	fe_ioctl_drain(fe);
	held = iommufd_ctx_release_all(d);
	for (unsigned int i = 0; i < fe->nr_sessions; i++) {
		struct fe_session *s = fe->sessions[i];

		serve_loop_describe_busy(&s->loop, busy, sizeof(busy), &used);
		uring_loop_describe_busy(s->uring, busy, sizeof(busy), &used);
		if (s->mounted)
			fuse_session_unmount(s->se);
	}
	log_warning("stopped with %u request%s stuck in caller memory, abandoned: %s; %u context%s stay with them",
		    stuck, stuck == 1 ? "" : "s", used ? busy : "?", held,
		    held == 1 ? "" : "s");
	return stuck;
}

void frontend_stop(struct frontend *fe)
{
	frontend_stop_until(fe, 0);
}

bool frontend_stalled(struct frontend *fe, unsigned long long max_us)
{
	for (unsigned int i = 0; i < fe->nr_sessions; i++)
		if (serve_loop_stalled(&fe->sessions[i]->loop, max_us) ||
		    uring_loop_stalled(fe->sessions[i]->uring, max_us))
			return true;
	return false;
}

const char *frontend_loop_name(const struct frontend *fe)
{
	for (unsigned int i = 0; i < fe->nr_sessions; i++)
		if (fe->sessions[i]->on_ring)
			return "uring";
	return "classic";
}

const char *frontend_node_path(const struct frontend *fe)
{
	return fe->iommu_node.path[0] ? fe->iommu_node.path : fe->vfio_node.path;
}
