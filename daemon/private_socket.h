/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unix sockets of the daemon (--status-socket, --fdpass-socket) in a
 * directory nobody else can write.
 *
 * A root daemon that binds, chmods or chowns a path in a directory others
 * write (/tmp) can be made to act on whatever they put there in between:
 * a symlink turns the chmod into one of /etc/shadow.  So the socket's
 * directory must be owned by the daemon's euid and writable by nobody
 * else; it is created (0755) when missing and refused, with one line, when
 * it is not.  The checked directory is then used through its fd, never by
 * its path again: the socket is bound as /proc/self/fd/N/NAME under a
 * umask that gives it its final mode at birth, a group is applied with
 * fchownat() on that directory fd, and a stale socket is removed with
 * unlinkat() there.
 */
#ifndef UIOMMUFD_PRIVATE_SOCKET_H
#define UIOMMUFD_PRIVATE_SOCKET_H

#include <sys/types.h>

/*
 * Binds the AF_UNIX socket sock at path with permissions mode (and group,
 * unless (gid_t)-1), replacing a stale socket nobody answers on.  what
 * names the option in messages.  Returns 0 and the socket file's identity
 * in *dev and *ino (when both are given); -EADDRINUSE, not logged, when a live socket answers there;
 * another negative errno, logged in one line, otherwise.
 */
int private_socket_bind(int sock, const char *path, const char *what,
			mode_t mode, gid_t group, dev_t *dev, ino_t *ino);

#endif
