// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What sysfs says of a PCI device: the driver it is bound to and its IOMMU
 * group.  The BDF was checked by real_opts_parse(), so the paths built
 * here cannot leave /sys/bus/pci/devices.
 */
#include "providers/vfio_real/vfio_real.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *real_sysfs_root = "/sys";

/* The last component of the symlink at path. */
static int link_base(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

int real_sysfs_driver(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", real_sysfs_root, bdf);
	if (access(path, F_OK))
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
		 real_sysfs_root, bdf);
	rc = link_base(path, out, len);
	if (rc == -ENOENT) {
		out[0] = 0; /* no driver bound */
		return 0;
	}
	return rc;
}

int real_sysfs_group(const char *bdf, int *group)
{
	char path[PATH_MAX], name[32], *end;
	long g;
	int rc;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group",
		 real_sysfs_root, bdf);
	rc = link_base(path, name, sizeof(name));
	if (rc)
		return rc == -ENOENT ? -ENODEV : rc;
	errno = 0;
	g = strtol(name, &end, 10);
	if (errno || *end || end == name || g < 0 || g > INT_MAX)
		return -EINVAL;
	*group = (int)g;
	return 0;
}

int real_sysfs_group_devices(int group)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
		 real_sysfs_root, group);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
