/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The identity of an ioctl's caller, bound during the call: its process
 * (a pidfd), its address space (/proc/TID/mem and /proc/TID/maps opened
 * during the call), its credentials and its RLIMIT_MEMLOCK.  The userspace
 * counterpart of the kernel's mmgrab(current->mm) and get_task_struct(
 * current->group_leader) in iopt_alloc_pages().  See the theory of
 * operation at the top of caller_mm.c.
 *
 * Locking: a caller_mm is refcounted (atomic) and may be shared between
 * threads; its maps descriptor is used under its own mutex.
 */
#ifndef UIOMMUFD_CALLER_MM_H
#define UIOMMUFD_CALLER_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct caller_mm;

/* One VMA as PROCMAP_QUERY (or the text of /proc/PID/maps) describes it. */
struct caller_vma {
	uint64_t start, end;
	uint64_t pgoff;	/* file offset of start, bytes */
	dev_t dev;
	uint64_t ino;	/* 0: anonymous */
	bool read, write, exec, shared;
	bool special;	/* [vvar], [vsyscall]: no pages to pin */
};

/* What /proc/TID/status says of the caller's credentials. */
struct caller_creds {
	pid_t tgid;
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;	/* malloc()ed, ngroups entries */
	size_t ngroups;
	uint64_t cap_eff;
	uint64_t cap_prm;
};

/*
 * Bind the calling thread tid.  Only valid while tid is known to be in the
 * middle of the call (see caller_mm.c): a FUSE/CUSE request being served,
 * or a seccomp notification that the caller confirms with
 * SECCOMP_IOCTL_NOTIF_ID_VALID after this returns.  own_userns_ino: the
 * daemon's user namespace (capabilities count only there).
 * 0, -ESRCH (the thread is gone or not visible), -ENOMEM/-EMFILE.
 */
int caller_mm_bind(pid_t tid, uint64_t own_userns_ino, struct caller_mm **out);
struct caller_mm *caller_mm_get(struct caller_mm *mm);
void caller_mm_put(struct caller_mm *mm); /* NULL is fine */

/*
 * Whether mm, bound by an earlier call, may serve a new call of thread tid
 * (tid in the middle of its call): the same thread (its pidfd alive, so
 * the number was not reused), its bound address space still alive, and
 * the same fsuid/fsgid (as the front end reports them), capabilities and
 * user namespace now.  What this cannot exclude:
 * the thread exec'd an image with the same credentials while a CLONE_VM
 * process it made before keeps the old mm alive; the call then reaches
 * that old mm, which only ever ran code of the caller's own (see the
 * theory of operation in caller_mm.c).
 */
bool caller_mm_serves(struct caller_mm *mm, pid_t tid, uid_t fsuid,
		      gid_t fsgid, uint64_t own_userns_ino);

pid_t caller_mm_tid(const struct caller_mm *mm); /* the bound thread */
pid_t caller_mm_tgid(const struct caller_mm *mm);
/* The thread group's pidfd (for liveness and pidfd_getfd). */
int caller_mm_pidfd(const struct caller_mm *mm);
/* The caller's own table first (Linux 6.9+), else its process's. */
int caller_mm_getfd(struct caller_mm *mm, int fd);
const struct caller_creds *caller_mm_creds(const struct caller_mm *mm);
/* capable(cap) in the daemon's user namespace, as taken at bind time. */
bool caller_mm_capable(const struct caller_mm *mm, int cap);
/* The inode number of tid's user namespace (its ns link), 0 if unknown. */
uint64_t caller_userns_ino(pid_t tid);

/* The process still runs (not reaped; a zombie still counts as alive). */
bool caller_mm_process_alive(const struct caller_mm *mm);
/* The bound address space still exists (not exec'd away, not exited). */
bool caller_mm_alive(struct caller_mm *mm);

/*
 * Called with the caller address each read or write below is about to
 * touch, on the thread doing it: the front end records it, so that a stop
 * finding that thread stuck knows which page it waits on.  NULL: none.
 */
extern void (*caller_mm_note_hook)(uint64_t uptr);

/*
 * Copy between buf and the bound address space at uptr, through the bound
 * /proc/TID/mem: 0, -EFAULT (unmapped, or the address space is gone),
 * -ENOMEM.  The _checked forms additionally require every VMA of the
 * range to be readable / writable, as copy_from_user()/copy_to_user() do
 * (/proc/PID/mem uses FOLL_FORCE: it reads PROT_NONE memory and writes
 * a read-only private page through COW).
 */
int caller_mm_read(struct caller_mm *mm, uint64_t uptr, void *buf, size_t len);
int caller_mm_write(struct caller_mm *mm, uint64_t uptr, const void *buf,
		    size_t len);
int caller_mm_read_checked(struct caller_mm *mm, uint64_t uptr, void *buf,
			   size_t len);
int caller_mm_write_checked(struct caller_mm *mm, uint64_t uptr,
			    const void *buf, size_t len);

/*
 * The VMA containing addr, or the first one above it: 0, -ENOENT (none),
 * -ESRCH (the address space is gone), -EIO (unreadable maps text),
 * -ENOMEM.
 */
int caller_mm_find_vma(struct caller_mm *mm, uint64_t addr,
		       struct caller_vma *vma);

/*
 * Open the file behind the shared VMA v (as found by caller_mm_find_vma)
 * through /proc/<tgid>/map_files with the caller's credentials, O_RDWR
 * when write.  On 0, *fd is the file, checked to be the very object the
 * bound address space maps at v's range.  -EACCES/-EPERM: the caller's
 * credentials do not reach it (the private rule applies); -ESTALE: the
 * mapping changed or the process is gone; -ENOMEM/-EMFILE.
 */
int caller_mm_open_vma(struct caller_mm *mm, const struct caller_vma *v,
		       bool write, int *fd);

/*
 * RLIMIT_MEMLOCK (soft, bytes, UINT64_MAX for unlimited) of the bound
 * process now: /proc/<tgid>/limits, believed only if the pidfd is still
 * alive afterwards; else the last value read; 8 MiB (the kernel's default)
 * if it was never readable.
 */
uint64_t caller_mm_memlock(struct caller_mm *mm);

/*
 * Look VMAs up in the maps text even where PROCMAP_QUERY exists: what a
 * kernel before 6.11 makes every binding do (for the tests).
 */
void caller_mm_use_maps_text(struct caller_mm *mm);

/* ---- parsers, exposed for the unit tests -------------------------------- */

/* /proc/PID/status: 0, -EIO when a field is missing, -ENOMEM out of memory. */
int caller_parse_status(FILE *f, struct caller_creds *cr);
void caller_creds_fini(struct caller_creds *cr);
/* "Max locked memory" soft limit of /proc/PID/limits: 0 or -EIO. */
int caller_parse_limits_memlock(FILE *f, uint64_t *bytes);
/*
 * /proc/PID/maps text: the VMA containing addr or the first above it.
 * 0, -ENOENT (none), -ESRCH (empty text: the mm is gone), -EIO (a line
 * that is not a maps line), -ENOMEM.
 */
int caller_parse_maps(FILE *f, uint64_t addr, struct caller_vma *vma);

#endif
