// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/caller_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/caller_mm.h"

int proc_status_read(pid_t tid, struct proc_status *st)
{
	struct caller_creds cr;
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	/* getline: no line is too long (Groups: can be). */
	rc = caller_parse_status(f, &cr);
	fclose(f);
	if (rc)
		return -ESRCH;
	*st = (struct proc_status){
		.tgid = cr.tgid,
		.fsuid = cr.fsuid,
		.fsgid = cr.fsgid,
		.cap_eff = cr.cap_eff,
	};
	caller_creds_fini(&cr);
	return 0;
}

pid_t proc_tgid(pid_t tid)
{
	struct proc_status st;

	return proc_status_read(tid, &st) ? 0 : st.tgid;
}

int proc_vm_rw(pid_t pid, uint64_t uptr, void *buf, size_t len, bool write,
	       int *why)
{
	size_t done = 0;

	if (why)
		*why = pid ? 0 : ESRCH; /* FUSE says 0 for a pid we cannot see */
	if (!pid || uptr + len < uptr)
		return -EFAULT;
	/* A fault part-way returns what was done; go on until it fails. */
	while (done < len) {
		struct iovec l = { (char *)buf + done, len - done };
		struct iovec r = { (void *)(uintptr_t)(uptr + done), len - done };
		ssize_t n = write ? process_vm_writev(pid, &l, 1, &r, 1, 0) :
				    process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (n <= 0) {
			int err = n < 0 ? errno : 0;

			if (why)
				*why = err;
			return err == ENOMEM ? -ENOMEM : -EFAULT;
		}
		done += (size_t)n;
	}
	return 0;
}
