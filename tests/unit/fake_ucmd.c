// SPDX-License-Identifier: GPL-2.0-or-later
#include "fake_ucmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX_REGIONS 32

struct fake_region {
	uintptr_t start;
	size_t len;
};
static struct fake_region regions[FAKE_MAX_REGIONS];
static unsigned int nr_regions;
size_t fake_bytes_written;
bool fake_install_fd;
pid_t fake_caller_pid;

void fake_user_add(const void *p, size_t len)
{
	if (nr_regions < FAKE_MAX_REGIONS)
		regions[nr_regions++] = (struct fake_region){ (uintptr_t)p, len };
}

void fake_user_reset(void)
{
	nr_regions = 0;
}

static bool fake_reachable(uint64_t uptr, size_t len)
{
	for (unsigned int i = 0; i < nr_regions; i++)
		if (uptr >= regions[i].start &&
		    uptr - regions[i].start <= regions[i].len &&
		    len <= regions[i].len - (uptr - regions[i].start))
			return true;
	return false;
}

static int fake_read(struct iommufd_ucmd *ucmd, uint64_t uptr, void *dst,
		     size_t len)
{
	if (!fake_reachable(uptr, len))
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)uptr, len);
	return 0;
}

static int fake_write(struct iommufd_ucmd *ucmd, uint64_t uptr,
		      const void *src, size_t len)
{
	if (!fake_reachable(uptr, len))
		return -EFAULT;
	memcpy((void *)(uintptr_t)uptr, src, len);
	fake_bytes_written += len;
	return 0;
}

static int fake_install(struct iommufd_ucmd *ucmd, int fd)
{
	return fd;
}

static const struct ucmd_transport fake_transport = {
	.read = fake_read,
	.write = fake_write,
};

/* The same, for a caller started under uiommufd-exec (fake_install_fd). */
static const struct ucmd_transport fake_transport_fd = {
	.read = fake_read,
	.write = fake_write,
	.install_fd = fake_install,
};

void fake_env_init(struct fake_env *env, bool test_interface)
{
	iommufd_daemon_init(&env->daemon);
	env->daemon.test_interface = test_interface;
	if (iommufd_ctx_open(&env->daemon, 0, 0, false, &env->ictx))
		abort();
	fake_user_reset();
}

void fake_env_fini(struct fake_env *env)
{
	iommufd_ctx_release(env->ictx);
	iommufd_daemon_fini(&env->daemon);
	fake_user_reset();
}

void fake_ucmd_prepare(struct iommufd_ucmd *ucmd, uint64_t arg)
{
	*ucmd = (struct iommufd_ucmd){
		.tr = fake_install_fd ? &fake_transport_fd : &fake_transport,
		.caller = { .pid = fake_caller_pid, .uid = 0, .gid = 0 },
		.ubuffer = arg,
	};
}

long fake_ioctl_ptr(struct iommufd_ctx *ictx, unsigned int cmd, uint64_t arg)
{
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.tr = fake_install_fd ? &fake_transport_fd : &fake_transport,
		/* pid 0 with uid 0: the fake caller is privileged */
		.caller = { .pid = fake_caller_pid, .uid = 0, .gid = 0 },
		.ubuffer = arg,
	};

	return iommufd_dispatch(&ucmd, cmd);
}

long fake_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *buf,
		size_t len)
{
	long rc;

	fake_user_add(buf, len);
	rc = fake_ioctl_ptr(ictx, cmd, (uint64_t)(uintptr_t)buf);
	nr_regions--;
	return rc;
}
