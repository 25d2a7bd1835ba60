// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-device access policy: parsing, the permission rule, and the check at
 * every open of a device node.  See device_policy.h.
 *
 * Why the daemon checks too, when the node already carries the bits: the
 * node is only one way to reach us.  A CUSE device can be opened through
 * any node with its numbers (one made in a container's /dev, a copy whose
 * bits someone changed), and the front ends hand us every open that got
 * there.  The kernel's own check is generic_permission() on the inode
 * opened; ours is the same rule on the policy, with the credentials the
 * caller has during its open, read from /proc/TID/status as the binding
 * every map uses reads them (the same parser; core/caller_creds.h: fsuid,
 * fsgid, supplementary groups, effective capabilities and whether they
 * count in our user namespace), under a pidfd of the thread.
 */
#include "vfio/device_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/caller_creds.h"
#include "core/iommufd_private.h"
#include "log.h"
#include "vfio/device_priv.h"

void sdev_policy_init(struct sdev_policy *p)
{
	p->owner = SDEV_POLICY_NO_UID;
	p->group = SDEV_POLICY_NO_GID;
	p->mode = SDEV_POLICY_NO_MODE;
}

/* A decimal id below the "none" value (-1), the whole string. */
static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out >= 0xffffffffUL)
		return -EINVAL;
	return 0;
}

/* A name first (as --owner/--group), then a number. */
static int parse_user(const char *s, uid_t *out)
{
	struct passwd *pw = getpwnam(s);
	unsigned long v;

	if (pw) {
		*out = pw->pw_uid;
		return 0;
	}
	if (parse_id(s, &v))
		return -EINVAL;
	*out = (uid_t)v;
	return 0;
}

static int parse_group(const char *s, gid_t *out)
{
	struct group *gr = getgrnam(s);
	unsigned long v;

	if (gr) {
		*out = gr->gr_gid;
		return 0;
	}
	if (parse_id(s, &v))
		return -EINVAL;
	*out = (gid_t)v;
	return 0;
}

/* Octal permission bits only: no file type, no setuid/setgid/sticky. */
static int parse_mode(const char *s, mode_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '7')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		return -EINVAL;
	*out = (mode_t)v;
	return 0;
}

int sdev_policy_parse_opt(struct sdev_policy *p, const char *opt, size_t len,
			  const char *arg)
{
	static const char *const keys[] = { "owner=", "group=", "mode=" };
	char val[64];
	size_t klen;
	unsigned int k;
	bool twice;

	for (k = 0; k < 3; k++) {
		klen = strlen(keys[k]);
		if (len >= klen && !strncmp(opt, keys[k], klen))
			break;
	}
	if (k == 3)
		return 0;
	if (len - klen >= sizeof(val))
		return log_error_errno(-EINVAL, "--device %s: %.*s is too long",
				       arg, (int)klen - 1, keys[k]);
	memcpy(val, opt + klen, len - klen);
	val[len - klen] = 0;
	switch (k) {
	case 0:
		twice = p->owner != SDEV_POLICY_NO_UID;
		if (!twice && parse_user(val, &p->owner))
			return log_error_errno(-EINVAL, "--device %s: unknown user '%s'",
					       arg, val);
		break;
	case 1:
		twice = p->group != SDEV_POLICY_NO_GID;
		if (!twice && parse_group(val, &p->group))
			return log_error_errno(-EINVAL, "--device %s: unknown group '%s'",
					       arg, val);
		break;
	default:
		twice = p->mode != SDEV_POLICY_NO_MODE;
		if (!twice && parse_mode(val, &p->mode))
			return log_error_errno(-EINVAL, "--device %s: bad mode '%s' (octal permission bits, 0 to 0777)",
					       arg, val);
		break;
	}
	if (twice)
		return log_error_errno(-EINVAL, "--device %s: %.*s given twice",
				       arg, (int)klen - 1, keys[k]);
	return 1;
}

void sdev_policy_default(struct sdev_policy *p, uid_t owner, gid_t group,
			 mode_t mode)
{
	if (p->owner == SDEV_POLICY_NO_UID)
		p->owner = owner;
	if (p->group == SDEV_POLICY_NO_GID)
		p->group = group;
	if (p->mode == SDEV_POLICY_NO_MODE)
		p->mode = mode & 0777;
}

static bool in_group(const struct caller_creds *cr, gid_t g)
{
	if (cr->fsgid == g)
		return true;
	for (size_t i = 0; i < cr->ngroups; i++)
		if (cr->groups[i] == g)
			return true;
	return false;
}

int sdev_policy_permission(const struct sdev_policy *p,
			   const struct caller_creds *cr, bool dac_override,
			   bool dac_read_search, int open_flags)
{
	int acc = open_flags & O_ACCMODE;
	unsigned int want = 0, have;

	if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
		want |= 4;
	if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE)
		want |= 2;
	/* One class only: an owner is not helped by the group's bits. */
	if (cr->fsuid == p->owner)
		have = (p->mode >> 6) & 7;
	else if (in_group(cr, p->group))
		have = (p->mode >> 3) & 7;
	else
		have = p->mode & 7;
	if ((have & want) == want)
		return 0;
	if (dac_override)
		return 0;
	if (dac_read_search && want == 4)
		return 0;
	return -EACCES;
}

/* ---- the served device's side ------------------------------------------- */

/* Before serving begins; the policy never changes after (no lock). */
void served_device_set_default_access(struct served_device *sd, uid_t owner,
				      gid_t group, mode_t mode)
{
	sdev_policy_default(&sd->policy, owner, group, mode);
}

void served_device_access(const struct served_device *sd,
			  struct sdev_policy *out)
{
	*out = sd->policy;
}

int served_device_may_open(struct served_device *sd, pid_t tid, int open_flags)
{
	static atomic_bool told;
	struct caller_creds cr;
	struct sdev_policy p;
	bool own_userns;
	int rc;

	served_device_access(sd, &p);
	/* The front end has not said yet: nobody. */
	if (p.owner == SDEV_POLICY_NO_UID || p.mode == SDEV_POLICY_NO_MODE)
		return -EACCES;
	rc = caller_creds_read(tid, sd->daemon->own_userns_ino, &cr, &own_userns);
	if (rc == -ENOMEM)
		return rc;
	/*
	 * The opener waits in its open, so its /proc files are there: what
	 * cannot be read refuses (an open we cannot judge is not granted).
	 */
	if (rc)
		return -EACCES;
	rc = sdev_policy_permission(&p, &cr,
				    own_userns && ((cr.cap_eff >> CAP_DAC_OVERRIDE) & 1),
				    own_userns && ((cr.cap_eff >> CAP_DAC_READ_SEARCH) & 1),
				    open_flags);
	if (rc && !atomic_exchange(&told, true))
		log_notice("%s: open by pid %d uid %u refused (EACCES): the device's policy is %u:%u %04o (logged once)",
			   sd->path, (int)cr.tgid, (unsigned int)cr.fsuid,
			   (unsigned int)p.owner, (unsigned int)p.group,
			   (unsigned int)p.mode);
	else if (rc)
		log_debug("%s: open by pid %d uid %u refused (EACCES)", sd->path,
			  (int)cr.tgid, (unsigned int)cr.fsuid);
	caller_creds_fini(&cr);
	return rc;
}
