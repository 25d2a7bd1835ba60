// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * See fuse_abort.h.  The mapping is found in the text of /proc/TID/maps
 * (read with getline(), so no line length limit), the mount in
 * /proc/TID/mountinfo (the caller's mount namespace, where its mount is),
 * by the device number and a FUSE type whose user_id is the caller's uid.
 * This runs once, at the stop, for the few stuck requests: PROCMAP_QUERY
 * would save a little parsing and is not worth a second code path here.
 */
#include "cuse/fuse_abort.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUSECTL_DIR "/sys/fs/fuse/connections"

/* The device (major, minor) of the mapping holding addr in tid's maps. */
static int maps_dev_of(pid_t tid, uint64_t addr, unsigned int *maj,
		       unsigned int *min)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		uint64_t start, end;

		/* start-end perms offset major:minor inode [path] */
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %x:%x", &start,
			   &end, maj, min) != 4)
			continue;
		if (addr >= start && addr < end) {
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* Whether the super options (comma-separated) hold user_id=uid. */
static bool superopts_owner_is(const char *opts, uid_t uid)
{
	char want[32];
	size_t n = (size_t)snprintf(want, sizeof(want), "user_id=%u",
				    (unsigned int)uid);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, want, n) && (p[n] == ',' || p[n] == '\0' ||
					     p[n] == '\n'))
			return true;
	return false;
}

/* Whether tid's namespace has a FUSE mount of device maj:min owned by uid. */
static int mount_is_users_fuse(pid_t tid, unsigned int maj, unsigned int min,
			       uid_t uid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned int ma, mi;
		char *sep, fstype[64], *opts;

		/* id parent maj:min root mountpoint opts [tags] - type source superopts */
		if (sscanf(line, "%*u %*u %u:%u", &ma, &mi) != 2 || ma != maj ||
		    mi != min)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "fuse") && strncmp(fstype, "fuse.", 5) &&
		    strcmp(fstype, "fuseblk") && strncmp(fstype, "fuseblk.", 8))
			continue;
		/* Past the type and the source: the super options. */
		opts = strchr(sep + 3, ' ');
		opts = opts ? strchr(opts + 1, ' ') : NULL;
		if (opts && superopts_owner_is(opts + 1, uid)) {
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int fuse_abort_caller_page(pid_t tid, uid_t uid, uint64_t addr,
			   const unsigned int *done, unsigned int nr_done,
			   unsigned int *conn)
{
	unsigned int maj, min;
	char path[96];
	int fd, rc;

	if (tid <= 0)
		return -ESRCH;
	rc = maps_dev_of(tid, addr, &maj, &min);
	if (!rc)
		rc = mount_is_users_fuse(tid, maj, min, uid);
	if (rc)
		return rc;
	/* The connection is named by the kernel's dev_t of the super block. */
	*conn = (maj << 20) | min;
	for (unsigned int i = 0; i < nr_done; i++)
		if (done[i] == *conn)
			return 0;
	snprintf(path, sizeof(path), FUSECTL_DIR "/%u/abort", *conn);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	rc = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	return rc;
}
