/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reaching a calling thread DURING its call (the thread is known to wait
 * for the reply, see caller_mm.c): its /proc/TID/status (thread group,
 * filesystem ids, effective capabilities) and its memory through
 * process_vm_readv/writev.  Never for a process found again after the
 * call: that is what struct caller_mm (caller_mm.h) is for.
 */
#ifndef UIOMMUFD_CALLER_PROC_H
#define UIOMMUFD_CALLER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_status {
	pid_t tgid;
	uid_t fsuid;
	gid_t fsgid;
	uint64_t cap_eff;
};

/* 0, or -ESRCH when the thread is gone or a field is missing. */
int proc_status_read(pid_t tid, struct proc_status *st);
/* The thread group of tid, or 0 when it is gone. */
pid_t proc_tgid(pid_t tid);
/*
 * Copies len bytes between buf and the process's memory at uptr, all or
 * nothing as far as the caller can tell: 0, -ENOMEM, or -EFAULT for memory
 * the process does not have or the daemon may not reach.  *why (if not
 * NULL) gets the system's errno of a failure, 0 for a short transfer.
 */
int proc_vm_rw(pid_t pid, uint64_t uptr, void *buf, size_t len, bool write,
	       int *why);

#endif
