// SPDX-License-Identifier: GPL-2.0-or-later
/* See fuse_stale.h for when a mount is detached and when it is left. */
#include "frontend/fuse_stale.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "log.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* Whether the topmost mount at path is a uiommufd FUSE mount. */
static bool top_mount_is_ours(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	bool ours = false;

	if (!f)
		return false;
	/* Later lines are mounted later: the last match is on top. */
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *mnt, *sep, *fstype;

		strtok_r(line, " ", &save);		/* mount ID */
		strtok_r(NULL, " ", &save);		/* parent ID */
		strtok_r(NULL, " ", &save);		/* major:minor */
		strtok_r(NULL, " ", &save);		/* root */
		mnt = strtok_r(NULL, " ", &save);
		sep = save ? strstr(save, " - ") : NULL;
		if (!mnt || !sep)
			continue;
		unescape_octal(mnt);
		if (strcmp(mnt, path))
			continue;
		fstype = strtok_r(sep + 3, " ", &save);
		ours = fstype && !strcmp(fstype, "fuse.uiommufd");
	}
	free(line);
	fclose(f);
	return ours;
}

/*
 * Whether dir is a FUSE mount whose server is gone.  statfs always asks
 * the server; a stat may be answered from the attribute cache for a while
 * after the server died, and a daemon that believed it then mounted on
 * top of the dead mount, hiding it until the next restart.
 */
static bool dir_is_dead(const char *dir)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(dir, &sfs) && errno == ENOTCONN)
		return true;
	return stat(dir, &st) && errno == ENOTCONN;
}

/* Dead mounts of ours detached at one path before giving up. */
#define STALE_MAX_LAYERS 16

int fuse_stale_mount_clear(const char *dir)
{
	char parent[PATH_MAX], real[PATH_MAX], copy1[PATH_MAX], copy2[PATH_MAX];
	unsigned int layers;

	if (!dir_is_dead(dir))
		return 0;
	/* The directory itself cannot be resolved: resolve its parent. */
	if (snprintf(copy1, sizeof(copy1), "%s", dir) >= (int)sizeof(copy1) ||
	    snprintf(copy2, sizeof(copy2), "%s", dir) >= (int)sizeof(copy2))
		return -ENAMETOOLONG;
	if (!realpath(dirname(copy1), parent))
		return log_error_errno(-errno, "%s: cannot resolve its parent: %m", dir);
	if (snprintf(real, sizeof(real), "%s/%s", strcmp(parent, "/") ? parent : "",
		     basename(copy2)) >= (int)sizeof(real))
		return -ENAMETOOLONG;
	/* Dead mounts may be stacked (one mounted over another still dying). */
	layers = 0;
	do {
		if (layers == STALE_MAX_LAYERS)
			return log_error_errno(-ENOTCONN, "%s: still a dead mount after detaching %u; fusermount3 -uz %s detaches one",
					       dir, layers, dir);
		if (!top_mount_is_ours(real))
			return log_error_errno(-ENOTCONN, "%s: a dead FUSE mount that is not uiommufd's is in the way",
					       dir);
		if (umount2(real, MNT_DETACH | UMOUNT_NOFOLLOW))
			return log_error_errno(-errno, "%s: cannot detach the dead mount a previous uiommufd left (%m); fusermount3 -uz %s does",
					       dir, dir);
		layers++;
	} while (dir_is_dead(dir));
	log_info("%s: detached %u dead mount%s a previous uiommufd left", dir,
		 layers, layers == 1 ? "" : "s");
	return 0;
}
