/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files of the daemon's own front end: the FUSE mount (every file on it)
 * and the CUSE nodes.  A request may be handed one by a caller (an fd
 * given to IOAS_MAP_FILE, a dma-buf or access fd), and closing our copy
 * talks to ourselves: FUSE sends FLUSH, CUSE waits for RELEASE.  On a
 * serving thread that wait needs another free worker of the same queue,
 * and with none (the pool at --max-threads, or a ring thread that serves)
 * it never ends.  So such a copy is closed on a thread of its own that
 * never serves: caller_fd_close().
 *
 * Telling one apart reads no FUSE attribute (statx with
 * AT_STATX_DONT_SYNC), so a caller's own FUSE file is never asked
 * anything here.
 */
#ifndef UIOMMUFD_OWN_FILES_H
#define UIOMMUFD_OWN_FILES_H

#include <stdbool.h>

/* Every file on the filesystem whose st_dev is major:minor (a FUSE mount). */
void own_files_add_fs(unsigned int major, unsigned int minor);
/* A character device node (a CUSE node) with that st_rdev. */
void own_files_add_chr(unsigned int major, unsigned int minor);
/* Whether fd is one of them. */
bool own_file(int fd);
/*
 * The same for the file a path names, magic links of /proc/PID/fd
 * followed (so a caller's fd is looked at without a reference to it
 * entering our fd table).  1 or 0, or statx's -errno: -ENOENT when
 * nothing is there, -EACCES for another user's FUSE mount without
 * allow_other (which is never ours).
 */
int own_file_path(const char *path);
/*
 * Closes a copy of a caller's fd: at once, or, for one of our own files,
 * on the closing thread (never on the caller's serving thread).
 */
void caller_fd_close(int fd);

#endif
