/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake transport for unit tests: the "caller" is this test process, and
 * only memory registered with fake_user_add() is reachable; anything else is
 * EFAULT, as an unmapped pointer would be for a real client.  Tests call the
 * real dispatcher with it, so the ABI rules are tested without FUSE.
 */
#ifndef UIOMMUFD_TEST_FAKE_UCMD_H
#define UIOMMUFD_TEST_FAKE_UCMD_H

#include <stddef.h>
#include <stdint.h>

#include "core/iommufd_private.h"

struct fake_env {
	struct iommufd_daemon daemon;
	struct iommufd_ctx *ictx;
};

/* Registers [p, p+len) as readable and writable caller memory. */
void fake_user_add(const void *p, size_t len);
void fake_user_reset(void);
/*
 * The caller's pid as the front end would report it: 0 (the default) is a
 * caller the daemon cannot reach; tests that pin set it to getpid().
 */
extern pid_t fake_caller_pid;
/* Counts the bytes the dispatcher wrote back through the transport. */
extern size_t fake_bytes_written;
/*
 * Whether the transport can install fds in the caller (a client under
 * uiommufd-exec).  The fake caller is this process, so installing is
 * keeping the daemon's fd: its number is the caller's.  Off by default.
 */
extern bool fake_install_fd;

void fake_env_init(struct fake_env *env, bool test_interface);
void fake_env_fini(struct fake_env *env);
/* Runs one ioctl with arg pointing at buf (registered for len bytes). */
long fake_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *buf,
		size_t len);
/*
 * A ucmd on the fake transport for a handler outside the dispatcher (the
 * VFIO device layer); arg as for fake_ioctl_ptr().
 */
void fake_ucmd_prepare(struct iommufd_ucmd *ucmd, uint64_t arg);
/* Same, with arg as a raw pointer value (which may be unregistered). */
long fake_ioctl_ptr(struct iommufd_ctx *ictx, unsigned int cmd, uint64_t arg);

#endif
