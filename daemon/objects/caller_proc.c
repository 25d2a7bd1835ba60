// SPDX-License-Identifier: GPL-2.0-or-later
#include "objects/caller_proc.h"

#include <errno.h>
#include <stdio.h>
#include <sys/uio.h>

int proc_status_read(pid_t tid, struct proc_status *st)
{
	enum { TGID = 1, UID = 2, GID = 4, CAP = 8, ALL = 15 };
	unsigned int u[4], g[4], found = 0;
	unsigned long long cap;
	char path[64], line[256];
	int tgid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (found != ALL && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Tgid: %d", &tgid) == 1) {
			st->tgid = tgid;
			found |= TGID;
		} else if (sscanf(line, "Uid: %u %u %u %u", &u[0], &u[1], &u[2],
				  &u[3]) == 4) {
			st->fsuid = u[3];
			found |= UID;
		} else if (sscanf(line, "Gid: %u %u %u %u", &g[0], &g[1], &g[2],
				  &g[3]) == 4) {
			st->fsgid = g[3];
			found |= GID;
		} else if (sscanf(line, "CapEff: %llx", &cap) == 1) {
			st->cap_eff = cap;
			found |= CAP;
		}
	}
	fclose(f);
	return found == ALL ? 0 : -ESRCH;
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
