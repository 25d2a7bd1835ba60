// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Caller memory through process_vm_readv/writev on the calling thread: one
 * FUSE round trip per ioctl, whatever the struct holds.  It needs ptrace
 * rights over the caller (same uid with Yama scope 0, or CAP_SYS_PTRACE),
 * and the caller must be visible in the daemon's pid namespace.
 *
 * Using the TID number is safe here, and only here: these transfers happen
 * while the request is being served, and until the daemon replies the
 * kernel keeps the calling thread waiting in the request (exec waits for
 * it too), so the number names that thread and its address space.
 * Anything reached after the reply goes through the identity bound during
 * the call (core/caller_mm.h), never through this number.
 */
#include "frontend/request.h"
#include "frontend/serve_loop.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

#include "log.h"
#include "core/caller_proc.h"
#include "core/ucmd.h"

static void pvm_explain(int err, pid_t pid)
{
	static atomic_bool told;

	if (atomic_exchange(&told, true))
		return;
	if (err == EPERM)
		log_warning("cannot reach the memory of pid %d (EPERM): the daemon needs ptrace rights over its clients (root or CAP_SYS_PTRACE, or the same uid with kernel.yama.ptrace_scope=0)",
			    (int)pid);
	else if (err == ESRCH && pid == 0)
		log_warning("a client outside the daemon's pid namespace cannot be served (FUSE reported pid 0)");
}

static int pvm_xfer(pid_t pid, uint64_t uptr, void *local, size_t len,
		    bool write)
{
	int why, rc = proc_vm_rw(pid, uptr, local, len, write, &why);

	if (rc == -EFAULT && why)
		pvm_explain(why, pid);
	return rc;
}

int pvm_read(pid_t pid, uint64_t uptr, void *dst, size_t len)
{
	return pvm_xfer(pid, uptr, dst, len, false);
}

int pvm_write(pid_t pid, uint64_t uptr, const void *src, size_t len)
{
	return pvm_xfer(pid, uptr, (void *)src, len, true);
}

/* Whether [uptr, uptr + len) lies inside the prefetched bytes. */
static bool pvm_prefetched(const struct iommufd_ucmd *ucmd, uint64_t uptr,
			   size_t len)
{
	return ucmd->pf_len && uptr >= ucmd->pf_uptr &&
	       uptr - ucmd->pf_uptr <= ucmd->pf_len &&
	       len <= ucmd->pf_len - (uptr - ucmd->pf_uptr);
}

static int ucmd_pvm_read(struct iommufd_ucmd *ucmd, uint64_t uptr, void *dst,
			 size_t len)
{
	if (pvm_prefetched(ucmd, uptr, len)) {
		memcpy(dst, ucmd->pf_buf + (uptr - ucmd->pf_uptr), len);
		return 0;
	}
	/* If this read never returns, the stop knows where it is stuck. */
	serve_loop_note_addr(uptr);
	/*
	 * The transport's contract (ucmd.h) is the kernel's copy_from_user():
	 * 0 or EFAULT.  process_vm_readv's own ENOMEM (its page array) is
	 * not an answer the kernel gives DESTROY or UNMAP.
	 */
	return pvm_read(ucmd->caller.pid, uptr, dst, len) ? -EFAULT : 0;
}

static int ucmd_pvm_write(struct iommufd_ucmd *ucmd, uint64_t uptr,
			  const void *src, size_t len)
{
	int rc;

	serve_loop_note_addr(uptr);
	rc = pvm_write(ucmd->caller.pid, uptr, src, len) ? -EFAULT : 0;
	/* A later read of what was just written must see the new bytes. */
	if (!rc && pvm_prefetched(ucmd, uptr, len))
		memcpy(ucmd->pf_buf + (uptr - ucmd->pf_uptr), src, len);
	return rc;
}

/*
 * Each process_vm_* call costs a few µs, as much as the rest of a small
 * ioctl: fetch the size word and a struct of our size in one call.  The
 * caller's struct may be shorter and end before a hole, so a fault here
 * only shortens what is kept; the precise reads that follow decide.
 */
static void ucmd_pvm_prefetch(struct iommufd_ucmd *ucmd, uint64_t uptr,
			      size_t len)
{
	struct iovec l = { ucmd->pf_buf, len < UCMD_PREFETCH_MAX ? len : UCMD_PREFETCH_MAX };
	struct iovec r = { (void *)(uintptr_t)uptr, l.iov_len };
	ssize_t n;

	ucmd->pf_len = 0;
	if (uptr + l.iov_len < uptr)
		return;
	n = process_vm_readv(ucmd->caller.pid, &l, 1, &r, 1, 0);
	if (n > 0) {
		ucmd->pf_uptr = uptr;
		ucmd->pf_len = (size_t)n;
	}
}

const struct ucmd_transport ucmd_pvm_transport = {
	.read = ucmd_pvm_read,
	.write = ucmd_pvm_write,
	.prefetch = ucmd_pvm_prefetch,
};
