/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd-passing handshake's receiver: a small child process that takes a
 * launcher's SCM_RIGHTS message in a process of its own, so that a file
 * which is not a seccomp listener never enters the daemon's fd table (its
 * close would send FUSE_FLUSH, which a hostile FUSE server never answers,
 * and an fd table is closed at exit too).  See fdpass.c.
 */
#ifndef UIOMMUFD_FDPASS_BROKER_H
#define UIOMMUFD_FDPASS_BROKER_H

#include <sys/types.h>

/*
 * Forks the broker (before clients can have handed the daemon anything);
 * *sock is the daemon's end.  0 or a negative errno.
 */
int broker_start(int *sock);

/*
 * Asks the broker to receive the launcher's message on conn (uid: the
 * launcher's, for the broker's own per-uid cap).  The answer arrives on
 * reply's peer: one status byte (0: the listener is attached, checked to
 * be one; else an errno) or end of file when the broker refused the job.
 * conn and reply stay the caller's.  0 or a negative errno.
 */
int broker_submit(int sock, int conn, int reply, uid_t uid);

#endif
