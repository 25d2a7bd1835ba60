/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stop's last resort for requests stuck on a client's FUSE server: a
 * worker that reads a page of a FUSE file, closes an fd on a FUSE mount
 * (FLUSH), or stats one, sleeps until that server answers, in some of
 * these cases uninterruptibly, so that not even the exit of the process
 * ends it.  Aborting the FUSE connection (/sys/fs/fuse/connections/N/abort)
 * fails those requests and frees the worker.  Only connections owned by
 * the stuck caller's own uid are aborted: that user could write the same
 * abort file itself, so this gives no one a lever.  A connection of any
 * other uid, and the daemon's own mount, are never touched.
 *
 * Ownership is the owner of the connection's fusectl files, which the
 * kernel sets to the mount's user_id as a real (initial namespace) uid,
 * so it holds for mounts made in user namespaces and for mounts already
 * detached (umount -l) whose files are still open, where mountinfo either
 * shows a namespace's number or nothing at all.
 *
 * Every lookup runs on a helper thread that the caller waits for only
 * until a deadline: reading another process's /proc/PID/maps waits for its
 * mmap lock, which a stuck request may keep busy.
 */
#ifndef UIOMMUFD_FUSE_ABORT_H
#define UIOMMUFD_FUSE_ABORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A request still running at the stop, as serve_loop_note() recorded it. */
struct fuse_abort_stuck {
	pid_t tid; /* the caller's thread, still inside its ioctl */
	uid_t uid; /* the caller's uid as the request carried it */
	uint64_t addr; /* the caller address last touched, 0 if none */
};

/*
 * At start, once the daemon's own FUSE mount (if any) is at dir, a path
 * resolved before mounting (NULL for CUSE): remembers that connection so
 * that it is never aborted, and opens the fusectl directory (when it is
 * not mounted, a private fusectl mount on a throwaway thread, which needs
 * CAP_SYS_ADMIN).  Failing to reach fusectl is logged once; the stop then
 * has no abort to offer.
 */
void fuse_abort_init(const char *dir);

/*
 * The stop's two passes over n stuck requests.  every_waiting false: abort
 * the connection of the page at each one's addr if the caller's uid owns
 * it.  every_waiting true: abort every connection owned by one of their
 * uids that has requests waiting (/sys/fs/fuse/connections/N/waiting),
 * root's excepted (the system's mounts).
 * One log line per connection aborted.  Returns how many were aborted, or
 * -ETIMEDOUT if the lookups did not end by deadline_us (CLOCK_MONOTONIC
 * µs); the helper then finishes alone, and still logs what it aborts.
 */
int fuse_abort_stuck(const struct fuse_abort_stuck *s, unsigned int n,
		     bool every_waiting, unsigned long long deadline_us);

#endif
