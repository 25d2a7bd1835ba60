/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keeping CUSE nodes' owner, group and mode as their policy says.
 * The kernel creates a CUSE node (devtmpfs) and udev may then apply its
 * rules, on the "add" event after our chown/chmod or on any later event
 * (`udevadm trigger` puts back 0600 root:root where no rule names the
 * node), and may remove and create the node again.  A thread watches the
 * nodes' directories (inotify: IN_ATTRIB, IN_CREATE, IN_MOVED_TO) and puts
 * each node's ids and bits back when they differ, logging it.  It touches
 * only a character device with the numbers the node had at the start:
 * anything else found at the path is left alone.
 *
 * Bounds: at most NODE_WATCH_MAX nodes; one pass over them per batch of
 * events (a pass is a few syscalls per node).
 */
#ifndef UIOMMUFD_NODE_WATCH_H
#define UIOMMUFD_NODE_WATCH_H

#include <sys/types.h>

/* Every served device (SERVED_DEVICES_MAX), /dev/iommu and the vfio node. */
#define NODE_WATCH_MAX 66

struct node_watch_entry {
	const char *path;
	uid_t uid;
	gid_t gid;
	mode_t mode; /* permission bits */
};

struct node_watch;

/*
 * Starts watching n nodes (paths copied), after one pass that puts back
 * what changed since they were set up.  0, -EINVAL (too many, or a node
 * that is not a character device now), -ENOMEM, or inotify's errno.
 */
int node_watch_start(const struct node_watch_entry *e, unsigned int n,
		     struct node_watch **out);
/* Stops the thread and frees everything; NULL is fine. */
void node_watch_stop(struct node_watch *w);

#endif
