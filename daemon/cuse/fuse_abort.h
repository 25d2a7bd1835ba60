/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stop's last resort for a request stuck in caller memory: if the page
 * it reads belongs to a FUSE mount owned by the caller's own uid, abort
 * that FUSE connection (/sys/fs/fuse/connections/N/abort), which fails the
 * read and frees our worker.  The caller could do the same itself (the
 * abort file belongs to the mount's owner), so this gives no one a lever:
 * a mount of anybody else is never touched.
 */
#ifndef UIOMMUFD_FUSE_ABORT_H
#define UIOMMUFD_FUSE_ABORT_H

#include <stdint.h>
#include <sys/types.h>

/*
 * tid: the caller's thread, still inside its ioctl (so the number cannot
 * have been reused); uid: the caller's uid as the request carried it; addr:
 * the caller address the worker touches.  *conn is the connection's number
 * (/sys/fs/fuse/connections/N) once found.  Returns 0 when an abort was
 * written (or the connection is in done[0..nr_done), already aborted), a
 * negative errno otherwise (-ENOENT: not a FUSE page of uid's).
 */
int fuse_abort_caller_page(pid_t tid, uid_t uid, uint64_t addr,
			   const unsigned int *done, unsigned int nr_done,
			   unsigned int *conn);

#endif
