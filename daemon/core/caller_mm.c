// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The caller's identity and address space, bound at the call.
 *
 * Theory of operation
 * -------------------
 * Threat model.  The daemon runs as root and serves unprivileged users and
 * processes in unprivileged containers.  A client controls everything it
 * sends (pointers, fds, sizes), its own address space (it can unmap, remap,
 * mprotect at any moment, from another thread, while the daemon works), its
 * process's life (it can exec a setuid binary, or exit and let its PID be
 * reused by someone else's process), and the names of the files it maps
 * (/proc/PID/maps text shows them).  The daemon must never do for it what
 * it could not do itself: touch another address space, or a file with more
 * access than the client's own fd or mapping carries.
 *
 * What the kernel does.  iopt_alloc_pages() takes current->mm (mmgrab) and
 * current->group_leader; every later pin or access of that area goes to
 * that mm and no other.  After exec or exit the old mm is gone: pinning
 * fails, and nothing reaches the new image.
 *
 * What is bound here, and when.  caller_mm_bind() runs while the calling
 * thread TID is known to be in the middle of its ioctl, and opens:
 *  - /proc/TID/status: the thread group, fsuid, fsgid, supplementary groups
 *    and CapEff (parsed with getline: no line-length limit, Groups can be
 *    long), and /proc/TID/ns/user (capabilities count in our namespace);
 *  - /proc/TID/limits: RLIMIT_MEMLOCK, readable without CAP_SYS_RESOURCE;
 *  - /proc/TID/mem (O_RDWR) and /proc/TGID/maps (the group's leader, whose
 *    task outlives a worker thread: the maps text needs its task; same
 *    group, same mm): both files hold the mm they were opened on for good;
 *    after exec or exit they read 0 bytes / fail, never another mm.  Every
 *    later read or write of the caller's private memory goes through this
 *    mem fd, and every VMA lookup through this maps fd (PROCMAP_QUERY,
 *    Linux 6.11+; else its text, with getline);
 *  - a pidfd of the thread group (liveness, pidfd_getfd), and one of the
 *    thread itself where the kernel has PIDFD_THREAD (6.9+).
 *
 * Why a TID number is safe to use during a FUSE/CUSE request: once the
 * daemon has read the request, the kernel's request_wait_answer() keeps
 * the calling thread waiting, uninterruptibly, until the daemon replies (a
 * fatal signal only ends a request that is still queued, not one the
 * daemon has read), and exec's de_thread() waits for every other thread
 * of the group, this one included, to leave.  So for the whole request TID
 * names that thread, its thread group and its mm.  The exception is an
 * aborted connection (fusectl abort, umount -f, or the request timeout of
 * Linux 6.14+, off unless configured), which ends every request of the
 * mount at once, so a request still being served can outlive its caller:
 * a limit of this guarantee, for docs/security.md.  For the fd-passing
 * path (seccomp user notification) the waiting task IS killable: there
 * the files are opened first and SECCOMP_IOCTL_NOTIF_ID_VALID afterwards
 * confirms that the task was still the notifying one (fdpass.c).
 *
 * After the call a process is never found again by its number, except
 * where the result is verified afterwards to belong to the bound identity:
 *  - /proc/<tgid>/limits is re-read at pin time and believed only if the
 *    pidfd is still alive after the read (the number cannot have been
 *    reused while the process lives);
 *  - /proc/<tgid>/map_files/<range> (the only way to the file behind a
 *    shared mapping) is opened with the caller's credentials, set on the
 *    serving thread only (raw setgroups/setfsgid/setfsuid/capset: glibc's
 *    wrappers would change every thread) and restored after, checked, the
 *    pin failing if they cannot be.  Two steps: the lookup, O_PATH (no
 *    device is opened), with the effective capabilities map_files needs,
 *    CAP_SYS_ADMIN/CAP_CHECKPOINT_RESTORE, plus the caller's own permitted
 *    set (ptrace_may_access() wants ours to cover the target's, which are
 *    the caller's: it could raise them itself) when, and only when, the
 *    caller is in the daemon's user namespace (elsewhere its bits are no
 *    power over our objects: none are added), never the daemon's
 *    DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER or SYS_PTRACE beyond that; a
 *    regular file only; then the open, through our own /proc/self/fd, with
 *    the caller's effective capabilities (by the same namespace rule),
 *    O_RDWR only for a writable pin of a writable shared VMA.  The result is then checked: its dev/ino
 *    must be what PROCMAP_QUERY on the BOUND maps fd reports for the same
 *    range, queried after the open (which also proves the bound mm alive),
 *    and the pidfd must still be alive.  Whatever the number named
 *    meanwhile, the file opened is one the caller could open itself with
 *    that access, and the one its bound address space maps there.
 *
 * Per call, or proved to be the same.  An identity is bound at a call and
 * never looked up by number in a cache.  pages.c keeps, per context, the
 * bindings its mappings use, and up to 8 more after their last mapping
 * went (a client that maps and unmaps one buffer at a time would bind
 * itself on every MAP otherwise), and lets a new call use one only when
 * caller_mm_serves() holds, checked during the new call: the same thread
 * (the binding's thread pidfd is alive, so the TID was not reused; without
 * PIDFD_THREAD only for the group leader, whose TID is the pidfd's), the
 * bound mm still alive (an exec or exit drops it), and the same
 * credentials (fsuid and fsgid as FUSE reports them for this request,
 * capabilities by capget(), and, only when the binding holds any
 * capability, the user namespace, by readlink() of its ns link: half
 * what a stat() through it costs).  A kept binding is proved exactly as
 * one in use: keeping it changes how long its descriptors live, not what
 * may use them.  Supplementary groups
 * are not re-read (only /proc/TID/status has them, and it is slow): they
 * only serve caller_mm_open_vma(), whose result must be a file the bound
 * mm maps shared, writable for a writable open, so stale groups open
 * nothing the caller's own mapping does not already reach.  The kernel
 * exports no mm identity, so one case is left: the thread exec'd an image
 * with the same credentials while a CLONE_VM process it made before keeps the old
 * mm alive.  The call then reaches that old mm, whose every task runs code
 * of the caller's own pre-exec image with credentials it had (tasks only
 * join an mm by clone(CLONE_VM) from inside it, and gain privilege only by
 * exec, which leaves it): never another user's or a setuid image's memory.
 *
 * Cheaper proofs considered and not taken.  PIDFD_GET_INFO (6.13+) reports
 * ids but neither capabilities nor the mm; kcmp(KCMP_VM) compares the mms
 * of two live tasks, and no task of the bound mm is known to live; a
 * binding made without capabilities cannot gain one in our namespace
 * without exec, so capget() could be skipped for it, but exec is seen only
 * through the bound mm dying, and with the CLONE_VM case above the call of
 * a file-capability image would then be taken for its unprivileged
 * parent's: capget() stays.  Checking credentials only where files are
 * opened as the caller would leave capable(CAP_IPC_LOCK), which the kernel
 * asks at every map (the charging of its pages), to a stale answer.
 *
 * The file of the last shared VMA a binding opened as the caller is kept
 * (one per binding, a counted descriptor) and a copy of it serves a later
 * caller_mm_open_vma() only when the bound maps fd, asked again then,
 * shows the very same mapping (range, device, inode, offset, shared,
 * writable for a writable open) and the kept open carries the access
 * wanted: what map_files would give after the same checks, without the
 * credential switch and path walk (about 40 µs).  It keeps that file open
 * until the binding goes (the context closes, or newer idle bindings push
 * it out), after the caller may have unmapped and closed it.
 *
 * Cost, measured on the 2-vCPU development machine: a binding about 50-60
 * µs (status and limits reads are 12 µs each, the mem, maps, pidfd opens
 * and the namespace stat 5-7 µs each); a reuse check is three syscalls
 * (pidfd_send_signal, PROCMAP_QUERY, capget), five for a caller holding
 * capabilities (with the namespace readlink), 4-7 µs there; a
 * binding holds five descriptors (pidfd, thread pidfd, mem, maps, the last
 * shared file it opened), and a
 * context at most 128 bindings (pages.c).
 *
 * Differences from the kernel: /proc/PID/mem uses FOLL_FORCE, so the
 * _checked transfers check the VMAs' permissions first (a race with the
 * caller's own mprotect only affects the caller); a shared mapping whose
 * file the caller cannot reopen itself (an fd passed to it by a more
 * privileged process, a non-dumpable caller) is reached by VA, not pinned;
 * a thread's binding is reused only on Linux 6.9+ (PIDFD_THREAD), else
 * only the group leader's.
 */
#include "core/caller_mm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

/* PROCMAP_QUERY (include/uapi/linux/fs.h, Linux 6.11), not in every libc. */
struct caller_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
_Static_assert(sizeof(struct caller_procmap_query) == 104, "procmap_query");
#define CALLER_PROCMAP_QUERY _IOWR('f', 17, struct caller_procmap_query)
#define PMQ_READABLE 0x01u
#define PMQ_WRITABLE 0x02u
#define PMQ_EXECUTABLE 0x04u
#define PMQ_SHARED 0x08u
#define PMQ_COVERING_OR_NEXT 0x10u

#define DEFAULT_MEMLOCK (8ull << 20)

struct caller_mm {
	atomic_uint refs;
	pid_t tid, tgid;
	int pidfd, tpidfd;
	int mem_fd, maps_fd;
	struct caller_creds cr;
	bool own_userns;
	pthread_mutex_t lock;	/* maps_fd's file position, memlock fields */
	bool no_query;		/* PROCMAP_QUERY missing: parse the text */
	bool memlock_known;
	uint64_t memlock;
	/*
	 * The file of the last shared VMA caller_mm_open_vma() opened, and
	 * what the bound mm mapped there then (under lock); fd -1: none.
	 */
	struct {
		int fd;
		bool writable;	/* opened O_RDWR */
		struct caller_vma v;
	} last_vma;
};

/* ---- parsers ------------------------------------------------------------ */

static int parse_ids(const char *s, unsigned long *out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		char *end;

		errno = 0;
		out[i] = strtoul(s, &end, 10);
		if (end == s || errno)
			return -EIO;
		s = end;
	}
	return 0;
}

static int parse_groups(const char *s, struct caller_creds *cr)
{
	size_t cap = 0;

	for (;;) {
		unsigned long g;
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			return 0;
		errno = 0;
		g = strtoul(s, &end, 10);
		if (end == s || errno || g > UINT32_MAX)
			return -EIO;
		s = end;
		if (cr->ngroups == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			gid_t *grown = realloc(cr->groups, ncap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			cr->groups = grown;
			cap = ncap;
		}
		cr->groups[cr->ngroups++] = (gid_t)g;
	}
}

int caller_parse_status(FILE *f, struct caller_creds *cr)
{
	enum { TGID = 1, UID = 2, GID = 4, GROUPS = 8, CAP = 16, PRM = 32,
	       ALL = 63 };
	unsigned int found = 0;
	char *line = NULL;
	size_t sz = 0;
	ssize_t got = 0;
	int rc = 0, err;

	memset(cr, 0, sizeof(*cr));
	while (!rc && found != ALL && (got = getline(&line, &sz, f)) > 0) {
		unsigned long v[4];

		if (!strncmp(line, "Tgid:", 5)) {
			rc = parse_ids(line + 5, v, 1);
			cr->tgid = (pid_t)v[0];
			found |= TGID;
		} else if (!strncmp(line, "Uid:", 4)) {
			rc = parse_ids(line + 4, v, 4);
			cr->fsuid = (uid_t)v[3];
			found |= UID;
		} else if (!strncmp(line, "Gid:", 4)) {
			rc = parse_ids(line + 4, v, 4);
			cr->fsgid = (gid_t)v[3];
			found |= GID;
		} else if (!strncmp(line, "Groups:", 7)) {
			rc = parse_groups(line + 7, cr);
			found |= GROUPS;
		} else if (!strncmp(line, "CapEff:", 7) ||
			   !strncmp(line, "CapPrm:", 7)) {
			bool eff = line[3] == 'E';
			uint64_t *cap = eff ? &cr->cap_eff : &cr->cap_prm;
			char *end;

			errno = 0;
			*cap = strtoull(line + 7, &end, 16);
			if (end == line + 7 || errno)
				rc = -EIO;
			found |= eff ? CAP : PRM;
		}
	}
	err = got < 0 ? errno : 0;
	free(line);
	/* getline() out of memory is the daemon's shortage, not the file's. */
	if (!rc && found != ALL)
		rc = err == ENOMEM ? -ENOMEM : -EIO;
	if (rc)
		caller_creds_fini(cr);
	return rc;
}

void caller_creds_fini(struct caller_creds *cr)
{
	free(cr->groups);
	cr->groups = NULL;
	cr->ngroups = 0;
}

int caller_parse_limits_memlock(FILE *f, uint64_t *bytes)
{
	static const char key[] = "Max locked memory";
	char *line = NULL;
	size_t sz = 0;
	int rc = -EIO;

	while (getline(&line, &sz, f) > 0) {
		const char *s = line + sizeof(key) - 1;
		unsigned long long v;
		char *end;

		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		while (*s == ' ')
			s++;
		if (!strncmp(s, "unlimited", 9)) {
			*bytes = UINT64_MAX;
			rc = 0;
			break;
		}
		errno = 0;
		v = strtoull(s, &end, 10);
		if (end != s && !errno && (*end == ' ' || *end == '\n')) {
			*bytes = v;
			rc = 0;
		}
		break;
	}
	free(line);
	return rc;
}

/*
 * One maps line: the fixed fields only.  The path, the sixth field, may
 * hold spaces and anything but a newline (the kernel escapes those), so
 * only its first bytes are looked at, to recognise the special mappings.
 */
static int parse_maps_line(const char *line, struct caller_vma *v)
{
	unsigned long long start, end, off, ino;
	unsigned int maj, mnr;
	char perms[5];
	int n = -1;

	if (sscanf(line, "%llx-%llx %4c %llx %x:%x %llu%n", &start, &end,
		   perms, &off, &maj, &mnr, &ino, &n) != 7 || n < 0 ||
	    (line[n] != ' ' && line[n] != '\n' && line[n] != 0) ||
	    start >= end)
		return -EIO;
	line += n;
	while (*line == ' ')
		line++;
	*v = (struct caller_vma){
		.start = start,
		.end = end,
		.pgoff = off,
		.dev = makedev(maj, mnr),
		.ino = ino,
		.read = perms[0] == 'r',
		.write = perms[1] == 'w',
		.exec = perms[2] == 'x',
		.shared = perms[3] == 's',
		.special = !ino && (!strncmp(line, "[vvar", 5) ||
				    !strncmp(line, "[vsyscall]", 10)),
	};
	return 0;
}

int caller_parse_maps(FILE *f, uint64_t addr, struct caller_vma *vma)
{
	char *line = NULL;
	size_t sz = 0;
	bool any = false;
	int rc = -ENOENT;

	errno = 0;
	while (getline(&line, &sz, f) > 0) {
		struct caller_vma v;

		any = true;
		if (parse_maps_line(line, &v)) {
			rc = -EIO;
			break;
		}
		if (v.end > addr) {
			*vma = v;
			rc = 0;
			break;
		}
	}
	if (rc == -ENOENT && errno == ENOMEM)
		rc = -ENOMEM;
	else if (rc == -ENOENT && !any)
		rc = -ESRCH;
	free(line);
	return rc;
}

/* ---- binding ------------------------------------------------------------ */

static int open_proc(pid_t pid, const char *name, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return open(path, flags | O_CLOEXEC);
}

static FILE *fopen_proc(pid_t pid, const char *name)
{
	int fd = open_proc(pid, name, O_RDONLY);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "re");
	if (!f)
		close(fd);
	return f;
}

/*
 * The inode number of tid's user namespace, 0 if unknown.  readlink() of
 * the ns link ("user:[INO]") costs about half a stat() through it, which
 * instantiates the namespace's nsfs inode every time.
 */
static uint64_t userns_ino(pid_t tid)
{
	char path[64], link[64], *end;
	unsigned long long ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)tid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 6 || strncmp(link, "user:[", 6))
		return 0;
	link[n] = 0;
	errno = 0;
	ino = strtoull(link + 6, &end, 10);
	if (errno || end == link + 6 || strcmp(end, "]"))
		return 0;
	return ino;
}

uint64_t caller_userns_ino(pid_t tid)
{
	return userns_ino(tid);
}

static int errno_to_bind(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ? -ENOMEM :
								  -ESRCH;
}

static int read_memlock(pid_t pid, uint64_t *bytes)
{
	FILE *f = fopen_proc(pid, "limits");
	int rc;

	if (!f)
		return -errno;
	rc = caller_parse_limits_memlock(f, bytes);
	fclose(f);
	return rc;
}

int caller_mm_bind(pid_t tid, uint64_t own_userns_ino, struct caller_mm **out)
{
	struct caller_mm *mm;
	FILE *f;
	int rc;

	*out = NULL;
	if (tid <= 0)
		return -ESRCH;
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	atomic_init(&mm->refs, 1);
	mm->tid = tid;
	mm->pidfd = mm->tpidfd = mm->mem_fd = mm->maps_fd = -1;
	mm->last_vma.fd = -1;
	pthread_mutex_init(&mm->lock, NULL);

	f = fopen_proc(tid, "status");
	if (!f) {
		rc = errno_to_bind(errno);
		goto err;
	}
	rc = caller_parse_status(f, &mm->cr);
	fclose(f);
	if (rc) {
		rc = rc == -ENOMEM ? -ENOMEM : -ESRCH;
		goto err;
	}
	mm->tgid = mm->cr.tgid;
	mm->mem_fd = open_proc(tid, "mem", O_RDWR);
	/*
	 * The maps text needs the task it was opened on to exist when read
	 * (PROCMAP_QUERY does not): the thread group leader's outlives a
	 * worker thread that maps and exits.  Same group, so the same mm;
	 * a zombie leader has none, and then the thread's own is taken.
	 */
	mm->maps_fd = mm->mem_fd >= 0 ? open_proc(mm->tgid, "maps", O_RDONLY) :
					-1;
	if (mm->mem_fd >= 0 && mm->maps_fd < 0)
		mm->maps_fd = open_proc(tid, "maps", O_RDONLY);
	if (mm->maps_fd < 0) {
		rc = errno_to_bind(errno);
		goto err;
	}
	mm->pidfd = (int)syscall(SYS_pidfd_open, mm->tgid, 0);
	if (mm->pidfd < 0) {
		rc = errno_to_bind(errno);
		goto err;
	}
	mm->tpidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	mm->own_userns = own_userns_ino && userns_ino(tid) == own_userns_ino;
	mm->memlock_known = read_memlock(tid, &mm->memlock) == 0;
	*out = mm;
	return 0;
err:
	caller_mm_put(mm);
	return rc;
}

struct caller_mm *caller_mm_get(struct caller_mm *mm)
{
	if (mm)
		atomic_fetch_add(&mm->refs, 1);
	return mm;
}

void caller_mm_put(struct caller_mm *mm)
{
	if (!mm || atomic_fetch_sub(&mm->refs, 1) != 1)
		return;
	for (int *fd = &mm->pidfd; fd <= &mm->maps_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	if (mm->last_vma.fd >= 0)
		close(mm->last_vma.fd);
	caller_creds_fini(&mm->cr);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

pid_t caller_mm_tid(const struct caller_mm *mm)
{
	return mm->tid;
}

pid_t caller_mm_tgid(const struct caller_mm *mm)
{
	return mm->tgid;
}

int caller_mm_pidfd(const struct caller_mm *mm)
{
	return mm->pidfd;
}

int caller_mm_getfd(struct caller_mm *mm, int fd)
{
	int dfd = -1;

	if (mm->tpidfd >= 0)
		dfd = (int)syscall(SYS_pidfd_getfd, mm->tpidfd, fd, 0);
	if (dfd < 0 && (mm->tpidfd < 0 || errno == ESRCH))
		dfd = (int)syscall(SYS_pidfd_getfd, mm->pidfd, fd, 0);
	return dfd < 0 ? -errno : dfd;
}

const struct caller_creds *caller_mm_creds(const struct caller_mm *mm)
{
	return &mm->cr;
}

bool caller_mm_capable(const struct caller_mm *mm, int cap)
{
	return mm->own_userns && cap >= 0 && cap < 64 &&
	       ((mm->cr.cap_eff >> cap) & 1);
}

bool caller_mm_process_alive(const struct caller_mm *mm)
{
	/* EPERM: alive, but ours to signal only as root. */
	return syscall(SYS_pidfd_send_signal, mm->pidfd, 0, NULL, 0) == 0 ||
	       errno == EPERM;
}

/* ---- memory ------------------------------------------------------------- */

void (*caller_mm_note_hook)(uint64_t uptr);

static int mm_xfer(struct caller_mm *mm, uint64_t uptr, void *buf, size_t len,
		   bool write)
{
	uint64_t end;

	if (!mm || __builtin_add_overflow(uptr, len, &end))
		return -EFAULT;
	if (caller_mm_note_hook)
		caller_mm_note_hook(uptr);
	while (len) {
		/* mem is FMODE_UNSIGNED_OFFSET: any user address is an offset. */
		ssize_t n = write ? pwrite(mm->mem_fd, buf, len, (off_t)uptr) :
				    pread(mm->mem_fd, buf, len, (off_t)uptr);

		/* 0: the mm is gone (exec, exit); EIO: not mapped. */
		if (n <= 0)
			return n < 0 && errno == ENOMEM ? -ENOMEM : -EFAULT;
		buf = (char *)buf + n;
		uptr += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int caller_mm_read(struct caller_mm *mm, uint64_t uptr, void *buf, size_t len)
{
	return mm_xfer(mm, uptr, buf, len, false);
}

int caller_mm_write(struct caller_mm *mm, uint64_t uptr, const void *buf,
		    size_t len)
{
	return mm_xfer(mm, uptr, (void *)buf, len, true);
}

/* Every VMA of the range must allow the access, as copy_*_user() needs. */
static int mm_xfer_checked(struct caller_mm *mm, uint64_t uptr, void *buf,
			   size_t len, bool write)
{
	uint64_t at = uptr, end;

	if (!mm || __builtin_add_overflow(uptr, len, &end))
		return -EFAULT;
	while (at < end) {
		struct caller_vma v;

		if (caller_mm_find_vma(mm, at, &v) || v.start > at ||
		    !(write ? v.write : v.read))
			return -EFAULT;
		at = v.end;
	}
	return mm_xfer(mm, uptr, buf, len, write);
}

int caller_mm_read_checked(struct caller_mm *mm, uint64_t uptr, void *buf,
			   size_t len)
{
	return mm_xfer_checked(mm, uptr, buf, len, false);
}

int caller_mm_write_checked(struct caller_mm *mm, uint64_t uptr,
			    const void *buf, size_t len)
{
	return mm_xfer_checked(mm, uptr, (void *)buf, len, true);
}

/* ---- VMAs --------------------------------------------------------------- */

/* A FILE over the bound maps fd, reading from offset 0 with pread. */
struct maps_cookie {
	int fd;
	off_t pos;
};

static ssize_t maps_cookie_read(void *c, char *buf, size_t len)
{
	struct maps_cookie *mc = c;
	ssize_t n = pread(mc->fd, buf, len, mc->pos);

	if (n > 0)
		mc->pos += n;
	return n;
}

static int find_vma_text(struct caller_mm *mm, uint64_t addr,
			 struct caller_vma *vma)
{
	struct maps_cookie mc = { .fd = mm->maps_fd };
	cookie_io_functions_t io = { .read = maps_cookie_read };
	FILE *f = fopencookie(&mc, "r", io);
	int rc;

	if (!f)
		return -ENOMEM;
	rc = caller_parse_maps(f, addr, vma);
	fclose(f);
	return rc;
}

static int find_vma_query(struct caller_mm *mm, uint64_t addr,
			  struct caller_vma *vma)
{
	struct caller_procmap_query q = {
		.size = sizeof(q),
		.query_flags = PMQ_COVERING_OR_NEXT,
		.query_addr = addr,
	};
	char name[16];

	if (ioctl(mm->maps_fd, CALLER_PROCMAP_QUERY, &q) < 0)
		return -errno;
	*vma = (struct caller_vma){
		.start = q.vma_start,
		.end = q.vma_end,
		.pgoff = q.vma_offset,
		.dev = makedev(q.dev_major, q.dev_minor),
		.ino = q.inode,
		.read = q.vma_flags & PMQ_READABLE,
		.write = q.vma_flags & PMQ_WRITABLE,
		.exec = q.vma_flags & PMQ_EXECUTABLE,
		.shared = q.vma_flags & PMQ_SHARED,
	};
	if (q.inode)
		return 0;
	/* Only an anonymous VMA can be [vvar]; a longer name is not. */
	q = (struct caller_procmap_query){
		.size = sizeof(q),
		.query_addr = vma->start,
		.vma_name_size = sizeof(name),
		.vma_name_addr = (uint64_t)(uintptr_t)name,
	};
	if (ioctl(mm->maps_fd, CALLER_PROCMAP_QUERY, &q) < 0)
		return errno == ENAMETOOLONG ? 0 : -errno;
	name[sizeof(name) - 1] = 0;
	vma->special = q.vma_name_size && (!strncmp(name, "[vvar", 5) ||
					   !strcmp(name, "[vsyscall]"));
	return 0;
}

void caller_mm_use_maps_text(struct caller_mm *mm)
{
	pthread_mutex_lock(&mm->lock);
	mm->no_query = true;
	pthread_mutex_unlock(&mm->lock);
}

int caller_mm_find_vma(struct caller_mm *mm, uint64_t addr,
		       struct caller_vma *vma)
{
	int rc = -ENOTTY;

	pthread_mutex_lock(&mm->lock);
	if (!mm->no_query) {
		rc = find_vma_query(mm, addr, vma);
		/* Linux before 6.11 */
		if (rc == -ENOTTY || rc == -EINVAL)
			mm->no_query = true;
	}
	if (mm->no_query)
		rc = find_vma_text(mm, addr, vma);
	pthread_mutex_unlock(&mm->lock);
	return rc == -ENOENT || rc == -ESRCH || rc == -ENOMEM ? rc :
	       rc ? -EIO : 0;
}

bool caller_mm_alive(struct caller_mm *mm)
{
	struct caller_vma v;
	char c;

	if (!mm)
		return false;
	/* A live mm always has a VMA; a dead one answers ESRCH/empty text. */
	if (!mm->no_query)
		return caller_mm_find_vma(mm, 0, &v) == 0;
	return pread(mm->maps_fd, &c, 1, 0) == 1;
}

bool caller_mm_serves(struct caller_mm *mm, pid_t tid, uid_t fsuid,
		      gid_t fsgid, uint64_t own_userns_ino)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = tid,
	};
	struct __user_cap_data_struct caps[2];

	if (!mm || mm->tid != tid || mm->cr.fsuid != fsuid ||
	    mm->cr.fsgid != fsgid)
		return false;
	/* The very thread of the binding: its pidfd keeps the number. */
	if (mm->tpidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, mm->tpidfd, 0, NULL, 0) &&
		    errno != EPERM)
			return false;
	} else if (tid != mm->tgid || !caller_mm_process_alive(mm)) {
		return false;
	}
	/* exec (or exit) left the bound mm. */
	if (!caller_mm_alive(mm))
		return false;
	/* capable() is per call: the capabilities and namespace of now. */
	if (syscall(SYS_capget, &hdr, caps) ||
	    caps[0].effective != (uint32_t)mm->cr.cap_eff ||
	    caps[1].effective != (uint32_t)(mm->cr.cap_eff >> 32) ||
	    caps[0].permitted != (uint32_t)mm->cr.cap_prm ||
	    caps[1].permitted != (uint32_t)(mm->cr.cap_prm >> 32))
		return false;
	/* Without any capability, no namespace makes capable() true. */
	if (!mm->cr.cap_eff && !mm->cr.cap_prm)
		return true;
	return (own_userns_ino && userns_ino(tid) == own_userns_ino) ==
	       mm->own_userns;
}

/* ---- opening a shared mapping's file as the caller ---------------------- */

struct saved_creds {
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	int ngroups;
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct caps[2];
};

static int creds_save(struct saved_creds *s)
{
	s->fsuid = (uid_t)syscall(SYS_setfsuid, -1);
	s->fsgid = (gid_t)syscall(SYS_setfsgid, -1);
	s->ngroups = (int)syscall(SYS_getgroups, 0, NULL);
	if (s->ngroups < 0)
		return -errno;
	s->groups = calloc((size_t)s->ngroups + 1, sizeof(gid_t));
	if (!s->groups)
		return -ENOMEM;
	if (syscall(SYS_getgroups, s->ngroups, s->groups) != s->ngroups)
		return -EAGAIN;
	s->hdr = (struct __user_cap_header_struct){
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	return syscall(SYS_capget, &s->hdr, s->caps) ? -errno : 0;
}

/*
 * Every call per thread (raw syscalls: glibc's setgroups and capset wrappers
 * would be broadcast to every thread of the daemon).
 */
static int creds_set_caps(const struct saved_creds *s, uint64_t eff)
{
	struct __user_cap_data_struct caps[2];
	struct __user_cap_header_struct hdr = s->hdr;

	/* Never more than the daemon's own permitted set. */
	memcpy(caps, s->caps, sizeof(caps));
	caps[0].effective = caps[0].permitted & (uint32_t)eff;
	caps[1].effective = caps[1].permitted & (uint32_t)(eff >> 32);
	return syscall(SYS_capset, &hdr, caps) ? -errno : 0;
}

static int creds_become(const struct caller_creds *cr,
			const struct saved_creds *s, uint64_t eff)
{
	if (syscall(SYS_setgroups, cr->ngroups, cr->groups))
		return -errno;
	syscall(SYS_setfsgid, cr->fsgid);
	if ((gid_t)syscall(SYS_setfsgid, -1) != cr->fsgid)
		return -EPERM;
	syscall(SYS_setfsuid, cr->fsuid);
	if ((uid_t)syscall(SYS_setfsuid, -1) != cr->fsuid)
		return -EPERM;
	return creds_set_caps(s, eff);
}

/* Puts every credential back; creds_restored() says whether it took. */
static void creds_put_back(const struct saved_creds *s)
{
	struct __user_cap_header_struct hdr = s->hdr;

	/* Capabilities first: the id changes below need CAP_SETUID/SETGID. */
	syscall(SYS_capset, &hdr, s->caps);
	syscall(SYS_setfsuid, s->fsuid);
	syscall(SYS_setfsgid, s->fsgid);
	syscall(SYS_setgroups, s->ngroups, s->groups);
}

static bool creds_restored(const struct saved_creds *s)
{
	struct __user_cap_header_struct hdr = s->hdr;
	struct __user_cap_data_struct now[2];
	gid_t few[64], *g = few;
	int ngroups;
	bool ok;

	ok = (uid_t)syscall(SYS_setfsuid, -1) == s->fsuid &&
	     (gid_t)syscall(SYS_setfsgid, -1) == s->fsgid &&
	     !syscall(SYS_capget, &hdr, now) &&
	     now[0].effective == s->caps[0].effective &&
	     now[1].effective == s->caps[1].effective;
	ngroups = (int)syscall(SYS_getgroups, 0, NULL);
	if (ngroups < 0 || ngroups != s->ngroups)
		return false;
	if ((size_t)ngroups > sizeof(few) / sizeof(few[0]))
		g = calloc((size_t)ngroups, sizeof(*g));
	ok = ok && g && syscall(SYS_getgroups, ngroups, g) == ngroups &&
	     !memcmp(g, s->groups, (size_t)ngroups * sizeof(*g));
	if (g != few)
		free(g);
	return ok;
}

/*
 * Back to the daemon's own credentials; 0 or -EPERM (logged).  A setgroups()
 * or a check that ran short of memory once is tried again: a transient
 * failure must neither leave the thread with the client's groups nor
 * refuse the pin.
 */
static int creds_restore(struct saved_creds *s)
{
	bool ok = false;

	for (int i = 0; i < 3 && !ok; i++) {
		creds_put_back(s);
		ok = creds_restored(s);
	}
	free(s->groups);
	s->groups = NULL;
	if (!ok) {
		log_error("cannot restore the daemon's credentials after opening a client mapping: refusing the pin");
		return -EPERM;
	}
	return 0;
}

/*
 * As the caller: look the mapping up in map_files (O_PATH: no open of a
 * device behind it), check it is a regular file, then open it for the
 * access wanted.  The lookup needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 * (map_files) and, for ptrace_may_access(), effective capabilities that
 * cover the target's permitted ones, which are the caller's own (CapPrm:
 * a caller could raise them itself).  The open itself runs with the
 * caller's effective capabilities only: the access its own open would get.
 *
 * The caller's capabilities count only when it lives in the daemon's own
 * user namespace.  In another one (an unprivileged container) its bits,
 * often all of them, hold only over that namespace's objects; applied to
 * this thread, which is in ours, they would be the daemon's
 * CAP_SYS_PTRACE, CAP_DAC_OVERRIDE and more for the lookup and the open.
 * Such a caller gets no capability beyond what map_files needs; where the
 * lookup then fails, its shared memory is reached by VA (pages.c).
 */
static int open_as_caller(struct caller_mm *mm, const char *path, bool write,
			  struct stat *st)
{
	uint64_t own_eff = mm->own_userns ? mm->cr.cap_eff : 0;
	uint64_t lookup = (1ull << CAP_SYS_ADMIN) |
			  (1ull << CAP_CHECKPOINT_RESTORE) |
			  (mm->own_userns ? mm->cr.cap_prm : 0);
	struct saved_creds saved = { 0 };
	int rc, f = -1, o = -1;
	char self[64];

	rc = creds_save(&saved);
	if (rc) {
		free(saved.groups);
		return rc == -ENOMEM ? -ENOMEM : -EPERM;
	}
	rc = creds_become(&mm->cr, &saved, lookup);
	if (!rc) {
		o = open(path, O_PATH | O_CLOEXEC);
		rc = o < 0 ? -errno : 0;
	}
	if (!rc && (fstat(o, st) || !S_ISREG(st->st_mode)))
		rc = -EACCES;
	if (!rc)
		rc = creds_set_caps(&saved, own_eff);
	if (!rc) {
		/* Our own fd table: reachable whatever the fsuid. */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", o);
		f = open(self, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		rc = f < 0 ? -errno : 0;
	}
	if (o >= 0)
		close(o);
	/* Whatever was changed, all of it goes back, or the pin fails. */
	if (creds_restore(&saved)) {
		if (f >= 0)
			close(f);
		return -EPERM;
	}
	return rc ? rc : f;
}

static bool same_vma(const struct caller_vma *a, const struct caller_vma *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->pgoff == b->pgoff && a->dev == b->dev && a->ino == b->ino &&
	       a->shared == b->shared;
}

/*
 * The file kept from an earlier open, when the bound mm maps it over v's
 * range still (asked now, after v was found): the same range, file and
 * offset, shared, and writable both in the VMA and in the kept open for
 * a writable pin.  Its copy, or -1.
 */
static int open_vma_kept(struct caller_mm *mm, const struct caller_vma *v,
			 bool write)
{
	struct caller_vma kept, now;
	bool writable;
	int fd = -1;

	pthread_mutex_lock(&mm->lock);
	kept = mm->last_vma.v;
	writable = mm->last_vma.writable;
	if (mm->last_vma.fd >= 0 && same_vma(&kept, v) && v->shared &&
	    (!write || writable))
		fd = fcntl(mm->last_vma.fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&mm->lock);
	if (fd < 0)
		return -1;
	if (caller_mm_find_vma(mm, v->start, &now) || !same_vma(&now, &kept) ||
	    (write && !now.write)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void open_vma_keep(struct caller_mm *mm, const struct caller_vma *v,
			  bool write, int f)
{
	int copy = fcntl(f, F_DUPFD_CLOEXEC, 0), old;

	pthread_mutex_lock(&mm->lock);
	old = mm->last_vma.fd;
	mm->last_vma.fd = copy;
	mm->last_vma.writable = write;
	mm->last_vma.v = *v;
	pthread_mutex_unlock(&mm->lock);
	if (old >= 0)
		close(old);
}

int caller_mm_open_vma(struct caller_mm *mm, const struct caller_vma *v,
		       bool write, int *fd)
{
	struct caller_vma now;
	struct stat st;
	char path[96];
	int f;

	*fd = open_vma_kept(mm, v, write);
	if (*fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)mm->tgid, v->start, v->end);
	f = open_as_caller(mm, path, write, &st);
	if (f < 0)
		return f == -EACCES || f == -EPERM ? f :
		       f == -EMFILE || f == -ENFILE || f == -ENOMEM ? -ENOMEM :
									   -ESTALE;
	/*
	 * The number may have named another process meanwhile: the file must
	 * be the one the bound mm maps over exactly this range, now.
	 */
	if (fstat(f, &st) || caller_mm_find_vma(mm, v->start, &now) ||
	    now.start != v->start || now.end != v->end || !now.shared ||
	    (write && !now.write) || now.dev != st.st_dev ||
	    now.ino != (uint64_t)st.st_ino || now.pgoff != v->pgoff ||
	    !caller_mm_process_alive(mm)) {
		close(f);
		return -ESTALE;
	}
	open_vma_keep(mm, &now, write, f);
	*fd = f;
	return 0;
}

/* ---- RLIMIT_MEMLOCK ----------------------------------------------------- */

uint64_t caller_mm_memlock(struct caller_mm *mm)
{
	static atomic_bool told;
	uint64_t bytes;
	int rc = read_memlock(mm->tgid, &bytes);
	bool ok = !rc && caller_mm_process_alive(mm);

	pthread_mutex_lock(&mm->lock);
	if (ok) {
		mm->memlock = bytes;
		mm->memlock_known = true;
	}
	bytes = mm->memlock_known ? mm->memlock : DEFAULT_MEMLOCK;
	pthread_mutex_unlock(&mm->lock);
	/* A process that is gone has no limits to read: nothing to say. */
	if (rc && caller_mm_process_alive(mm) && !atomic_exchange(&told, true))
		log_warning("cannot read /proc/%d/limits (%s): charging pins against the RLIMIT_MEMLOCK read at map time, or 8 MiB",
			    (int)mm->tgid, strerrorname_np(-rc));
	return bytes;
}
