// SPDX-License-Identifier: GPL-2.0-or-later
/* See node_watch.h. */
#include "frontend/node_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct watched_node {
	char path[PATH_MAX];
	uid_t uid;
	gid_t gid;
	mode_t mode;
	dev_t rdev; /* the node's numbers at the start: only that is ours */
};

struct node_watch {
	pthread_t thread;
	int ino_fd, stop_fd;
	unsigned int n;
	struct watched_node nodes[];
};

/* Puts one node's ids and bits back if they changed. */
static void node_fix(const struct watched_node *wn)
{
	char self[64];
	struct stat st;
	int fd;

	/* O_PATH: no open of the device, so no request to ourselves. */
	fd = open(wn->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return; /* gone for now: IN_CREATE brings us back */
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != wn->rdev) {
		close(fd);
		return;
	}
	if (st.st_uid == wn->uid && st.st_gid == wn->gid &&
	    (st.st_mode & 07777) == wn->mode) {
		close(fd);
		return;
	}
	log_notice("%s: %u:%u %04o, changed by someone else (udev?): back to its policy %u:%u %04o",
		   wn->path, (unsigned int)st.st_uid, (unsigned int)st.st_gid,
		   (unsigned int)(st.st_mode & 07777), (unsigned int)wn->uid,
		   (unsigned int)wn->gid, (unsigned int)wn->mode);
	/*
	 * The service has CAP_CHOWN but not CAP_FOWNER: a chmod needs the
	 * node to be ours, so it is made ours first, then given its mode,
	 * then its owner.  Through the O_PATH fd: the inode checked above is
	 * the one changed.
	 */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (fchownat(fd, "", geteuid(), wn->gid, AT_EMPTY_PATH) ||
	    chmod(self, wn->mode) ||
	    fchownat(fd, "", wn->uid, wn->gid, AT_EMPTY_PATH))
		log_warning("%s: cannot put its policy back: %m", wn->path);
	close(fd);
}

static void node_watch_pass(struct node_watch *w)
{
	for (unsigned int i = 0; i < w->n; i++)
		node_fix(&w->nodes[i]);
}

static void *node_watch_thread(void *arg)
{
	struct node_watch *w = arg;
	/* Events are only a reason to look: their contents are not needed. */
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd p[2] = { { .fd = w->ino_fd, .events = POLLIN },
				       { .fd = w->stop_fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warning("node watch: poll: %m: device nodes are no longer watched");
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		while (read(w->ino_fd, buf, sizeof(buf)) > 0)
			;
		node_watch_pass(w);
	}
}

/* The directory part of path, watched for its entries' changes. */
static int watch_dir(int ino_fd, const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	if (inotify_add_watch(ino_fd, dir, IN_ATTRIB | IN_CREATE | IN_MOVED_TO) < 0)
		return log_error_errno(-errno, "node watch: %s: %m", dir);
	return 0;
}

int node_watch_start(const struct node_watch_entry *e, unsigned int n,
		     struct node_watch **out)
{
	struct node_watch *w;
	int rc;

	*out = NULL;
	if (n > NODE_WATCH_MAX)
		return -EINVAL;
	w = calloc(1, sizeof(*w) + n * sizeof(w->nodes[0]));
	if (!w)
		return -ENOMEM;
	w->n = n;
	w->stop_fd = -1;
	w->ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->ino_fd < 0) {
		rc = -errno;
		goto err;
	}
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->stop_fd < 0) {
		rc = -errno;
		goto err;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct watched_node *wn = &w->nodes[i];
		struct stat st;

		if (strlen(e[i].path) >= sizeof(wn->path) ||
		    lstat(e[i].path, &st) || !S_ISCHR(st.st_mode)) {
			rc = log_error_errno(-EINVAL, "node watch: %s is not a character device",
					     e[i].path);
			goto err;
		}
		snprintf(wn->path, sizeof(wn->path), "%s", e[i].path);
		wn->uid = e[i].uid;
		wn->gid = e[i].gid;
		wn->mode = e[i].mode & 07777;
		wn->rdev = st.st_rdev;
		rc = watch_dir(w->ino_fd, wn->path);
		if (rc)
			goto err;
	}
	/* What changed before the watches were there. */
	node_watch_pass(w);
	rc = -pthread_create(&w->thread, NULL, node_watch_thread, w);
	if (rc)
		goto err;
	*out = w;
	return 0;
err:
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	if (w->ino_fd >= 0)
		close(w->ino_fd);
	free(w);
	return rc;
}

void node_watch_stop(struct node_watch *w)
{
	uint64_t one = 1;

	if (!w)
		return;
	/* An eventfd write of 1 fails only at a counter of 2^64-2. */
	(void)!write(w->stop_fd, &one, sizeof(one));
	pthread_join(w->thread, NULL);
	close(w->stop_fd);
	close(w->ino_fd);
	free(w);
}
