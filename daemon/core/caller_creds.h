/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The credentials of a caller during its call, without its address space:
 * what an open is judged by (vfio/device_policy.c).  caller_mm_bind() reads
 * the same and also opens the caller's memory and maps, which a permission
 * check needs not: that open is a ptrace attach check (Yama's
 * ptrace_scope 1 refuses it to a daemon of the caller's own uid) and costs
 * three more descriptors.
 */
#ifndef UIOMMUFD_CALLER_CREDS_H
#define UIOMMUFD_CALLER_CREDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/caller_mm.h"

/*
 * Thread tid, in the middle of its call (see caller_mm.c for why its
 * number is safe then): fsuid, fsgid, supplementary groups and effective
 * capabilities from /proc/TID/status, and whether they count in the
 * daemon's user namespace (own_userns_ino).  A pidfd of the thread (of the
 * group leader before Linux 6.9) is opened before the read and must still
 * be alive after it: what was read is that thread's.  cr is freed with
 * caller_creds_fini().  0, -ESRCH (gone, or not provably the same), -ENOMEM.
 */
int caller_creds_read(pid_t tid, uint64_t own_userns_ino,
		      struct caller_creds *cr, bool *own_userns);

#endif
