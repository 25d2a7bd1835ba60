// SPDX-License-Identifier: GPL-2.0-or-later
/* See caller_creds.h. */
#include "core/caller_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * A pidfd of the thread itself (Linux 6.9+), else of its process when tid
 * is the group leader; -1 when neither can be had (a worker thread before
 * 6.9: then the number is trusted for the call, as everywhere else).
 */
static int thread_pidfd(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, tid, 0);
	return fd;
}

/* An exited task's pidfd polls readable. */
static bool pidfd_alive(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

int caller_creds_read(pid_t tid, uint64_t own_userns_ino,
		      struct caller_creds *cr, bool *own_userns)
{
	char path[64];
	int pidfd, fd, rc;
	FILE *f;

	if (tid <= 0)
		return -ESRCH;
	pidfd = thread_pidfd(tid);
	if (pidfd < 0 && (errno == ENOMEM || errno == EMFILE || errno == ENFILE))
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	f = fd >= 0 ? fdopen(fd, "re") : NULL;
	if (!f) {
		rc = errno == ENOMEM || errno == EMFILE || errno == ENFILE ?
			     -ENOMEM : -ESRCH;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	rc = caller_parse_status(f, cr);
	fclose(f);
	if (rc) {
		rc = rc == -ENOMEM ? -ENOMEM : -ESRCH;
		goto out;
	}
	*own_userns = own_userns_ino && caller_userns_ino(tid) == own_userns_ino;
	if (pidfd >= 0 && !pidfd_alive(pidfd)) {
		caller_creds_fini(cr);
		rc = -ESRCH;
	}
out:
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}
