/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may open a served device's node: an owner, a group and permission
 * bits, as a device node carries them.  Given per device (--device
 * KIND,owner=..,group=..,mode=..); what is not given comes from the front
 * end's --owner/--group/--mode, as it did before the policy existed.
 *
 * Enforced twice: on the node (CUSE: chown/chmod of /dev/NAME; FUSE: the
 * attributes getattr reports, which default_permissions makes the kernel
 * check), and by the daemon at every open with the opener's credentials
 * read during the call, so an open that reaches us past the node (a node
 * made elsewhere with other bits, a mount the node's checks do not cover)
 * is refused with the kernel's EACCES all the same.  Only the open is
 * checked: an fd passed on works for whoever holds it, as a real node's.
 */
#ifndef UIOMMUFD_VFIO_DEVICE_POLICY_H
#define UIOMMUFD_VFIO_DEVICE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct caller_creds;

#define SDEV_POLICY_NO_UID ((uid_t)-1)
#define SDEV_POLICY_NO_GID ((gid_t)-1)
#define SDEV_POLICY_NO_MODE ((mode_t)-1)

struct sdev_policy {
	uid_t owner;	/* SDEV_POLICY_NO_UID: not given (yet) */
	gid_t group;	/* SDEV_POLICY_NO_GID: not given (yet) */
	mode_t mode;	/* permission bits only; SDEV_POLICY_NO_MODE: not given */
};

/* Nothing given. */
void sdev_policy_init(struct sdev_policy *p);
/*
 * One "key=value" option of a --device argument (opt, len bytes, not
 * NUL-terminated; arg is the whole argument, for messages).  1: it was
 * owner=, group= or mode= and is now in p; 0: another option (the
 * provider's); -EINVAL: a policy option with a bad value (logged: unknown
 * user or group, a mode that is not octal permission bits, given twice).
 */
int sdev_policy_parse_opt(struct sdev_policy *p, const char *opt, size_t len,
			  const char *arg);
/* Fills what was not given. */
void sdev_policy_default(struct sdev_policy *p, uid_t owner, gid_t group,
			 mode_t mode);
/*
 * The kernel's permission check of an open with these flags (O_ACCMODE:
 * read, write, both; 3 wants both) by a caller with credentials cr on a
 * node with policy p: the owner's bits for the owner, else the group's
 * for a member (fsgid or a supplementary group), else the others'; a
 * caller with CAP_DAC_OVERRIDE passes, one with CAP_DAC_READ_SEARCH
 * passes a read-only open.  0 or -EACCES.
 */
int sdev_policy_permission(const struct sdev_policy *p,
			   const struct caller_creds *cr, bool dac_override,
			   bool dac_read_search, int open_flags);

#endif
