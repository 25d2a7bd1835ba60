// SPDX-License-Identifier: GPL-2.0-or-later
/* Sockets in a directory only the daemon writes; see private_socket.h. */
#include "private_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* Opens path's directory, creating its last component when missing. */
static int open_socket_dir(const char *dir, const char *what)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return log_error_errno(-errno, "%s: cannot create %s: %m",
					       what, dir);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return log_error_errno(-errno, "%s: cannot open %s: %m", what, dir);
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return log_error_errno(err, "%s: %s: %m", what, dir);
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return log_error_errno(-EPERM,
				       "%s: %s is %s; put the socket in a directory only uid %u writes (e.g. /run/uiommufd)",
				       what, dir,
				       st.st_uid != geteuid() ? "owned by another user" :
								"writable by group or others",
				       (unsigned int)geteuid());
	}
	return fd;
}

/* 0 when nothing (or a dead socket, now removed) is at name; -EADDRINUSE when alive. */
static int remove_stale(int dirfd, const char *name, const char *path,
			const struct sockaddr_un *sa, int type, const char *what)
{
	struct stat st;
	int fd, alive;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : log_error_errno(-errno, "%s %s: %m", what, path);
	if (!S_ISSOCK(st.st_mode))
		return log_error_errno(-EEXIST, "%s: %s exists and is not a socket",
				       what, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(-errno, "%s: socket: %m", what);
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (alive)
		return -EADDRINUSE;
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return log_error_errno(-errno, "%s: cannot remove stale %s: %m",
				       what, path);
	return 0;
}

int private_socket_bind(int sock, const char *path, const char *what,
			mode_t mode, gid_t group, dev_t *dev, ino_t *ino)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	const char *name;
	socklen_t tlen = sizeof(int);
	struct stat st;
	mode_t old_umask;
	int dirfd, type, rc, n;

	if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG,
				       "%s %s: not an absolute path shorter than %zu bytes",
				       what, path, sizeof(sa.sun_path));
	name = strrchr(path, '/') + 1;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return log_error_errno(-EINVAL, "%s %s: not a file name", what, path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(name - path > 1 ? name - path - 1 : 1),
		 path);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0)
		return log_error_errno(-errno, "%s: %m", what);

	dirfd = open_socket_dir(dir, what);
	if (dirfd < 0)
		return dirfd;
	/* Through the checked directory, unless that name does not fit. */
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s",
		     dirfd, name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = remove_stale(dirfd, name, path, &sa, type, what);
	if (rc)
		goto out;

	/*
	 * The socket file is born with its final mode.  The umask is
	 * process-wide; no other thread of the daemon creates files.
	 */
	old_umask = umask(~mode & 0777);
	rc = bind(sock, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc < 0) {
		rc = log_error_errno(-errno, "%s %s: %m", what, path);
		goto out;
	}
	if (group != (gid_t)-1 &&
	    fchownat(dirfd, name, (uid_t)-1, group, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = log_error_errno(-errno, "%s: cannot give %s to group %u: %m",
				     what, path, (unsigned int)group);
		unlinkat(dirfd, name, 0);
		goto out;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && dev && ino) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	rc = 0;
out:
	close(dirfd);
	return rc;
}
