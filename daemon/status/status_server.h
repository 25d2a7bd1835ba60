/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status socket: a unix stream socket (default /run/uiommufd/status.sock)
 * where uiommufdctl asks what the daemon holds.  One thread accepts one
 * connection at a time; each connection carries one short request line
 * ("status") and gets one JSON document back, then is closed.
 *
 * Who may ask: the kernel tells us the peer's credentials (SO_PEERCRED,
 * SO_PEERGROUPS); root, the daemon's own user, and members of the status
 * group are answered, anyone else gets {"error": ...}.  The socket file is
 * 0660 root:GROUP as a second fence, not the only one.
 *
 * Limits, since a peer controls the connection: one connection at a time,
 * a request of at most 256 bytes, one second to send it and one to take the
 * reply, and a reply of at most 16 MiB (contexts beyond the stats limit are
 * counted, not listed).
 */
#ifndef UIOMMUFD_STATUS_SERVER_H
#define UIOMMUFD_STATUS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iommufd_daemon;
struct json_writer;
struct status_server;

/* What the daemon says about itself in every reply. */
struct status_info {
	const char *frontend;  /* "cuse" or "fuse" */
	const char *nodes[2];  /* node paths, NULL when absent */
	uint64_t started_us;   /* CLOCK_MONOTONIC µs at start */
};

/*
 * The default socket path for this user: /run/uiommufd/status.sock for root,
 * $XDG_RUNTIME_DIR/uiommufd/status.sock for anyone else.  -ENOENT when a
 * plain user has no XDG_RUNTIME_DIR (the socket is then disabled).
 */
int status_socket_default_path(char *buf, size_t len);

/*
 * Creates the socket (and its directory's last component) and starts the
 * thread.  group (gid_t)-1: only root and the daemon's user are answered.
 * -EADDRINUSE when another live daemon answers on path.
 */
int status_server_start(struct iommufd_daemon *d, const struct status_info *info,
			const char *path, gid_t group, struct status_server **out);
/* Stops the thread and removes the socket file if it is still ours. */
void status_server_stop(struct status_server *s);

/* The reply to "status", exported for tests and the STATUS= line's sibling. */
int status_render(struct iommufd_daemon *d, const struct status_info *info,
		  struct json_writer *w);
/* This process's VmLck in bytes (0 when unknown). */
uint64_t status_locked_bytes(void);

#endif
