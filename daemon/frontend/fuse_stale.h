/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A daemon that died without unmounting (SIGKILL, a crash) leaves its FUSE
 * mount behind with no server: every stat of the directory then fails with
 * ENOTCONN, and libfuse refuses to mount over it, so the restarted daemon
 * (by hand or by systemd's Restart=) could not serve the same path again.
 * Before mounting, such a dead mount of a previous uiommufd (fstype
 * fuse.uiommufd, exactly at DIR) is detached, and so is every dead one of
 * ours stacked under it.  Nothing else is touched: a live mount, or a dead
 * one of another file system, stays and the mount fails as before.
 */
#ifndef UIOMMUFD_FUSE_STALE_H
#define UIOMMUFD_FUSE_STALE_H

/*
 * 0 when dir is usable as a mount point (a stale uiommufd mount there was
 * detached), else -errno of what stands in the way; logs what it did.
 */
int fuse_stale_mount_clear(const char *dir);

#endif
