// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where an area's memory comes from, pinning it, and accounting the pins;
 * the userspace counterpart of the kernel's drivers/iommu/iommufd/pages.c.
 *
 * Theory of operation
 * -------------------
 * An iopt_pages names memory without touching it: a page-aligned VA range
 * of the mapping process, or a file the daemon holds (taken from the caller
 * with pidfd_getfd).  As in the kernel, nothing is pinned at IOAS_MAP time;
 * pinning happens when a domain needs the pages (a domain attached to the
 * IOAS, or an area mapped into an IOAS that has one).  pin_users counts the
 * (area, domain) pairs that hold the pin; the first pins, the last releases.
 *
 * Pinning maps the very same pages into the daemon and mlocks them:
 *  - shared memory (shmem, memfd, MAP_SHARED|MAP_ANONYMOUS, shared files,
 *    hugetlbfs) is reopened through /proc/PID/map_files/<vma> (or the fd
 *    for MAP_FILE) and mapped MAP_SHARED at the matching file offset, so
 *    the daemon keeps the pages, and their contents, after the client
 *    unmaps or replaces its VA, like a kernel pin;
 *  - private memory cannot be shared between processes.  For emulated
 *    domains it is reached by VA through process_vm_readv/writev on the
 *    mapping process: the VA is followed, not the page.  A backend that
 *    needs physical pages (needs_phys) refuses it with EOPNOTSUPP;
 *  - when the daemon may not open map_files (a plain-user FUSE daemon), the
 *    shared parts fall back to the private rule, said once in the log.
 * Which part is reached how is recorded in segments (iopt_pin_seg).
 *
 * Accounting mirrors the kernel's: at pin time npages are charged against
 * the mapping process's RLIMIT_MEMLOCK, per user (IOPT_PAGES_ACCOUNT_USER,
 * one counter per uid shared by every context and process) or per process
 * (IOPT_PAGES_ACCOUNT_MM); a caller with CAP_IPC_LOCK is not charged.  The
 * counters live in the daemon (struct iopt_accounts) under daemon->lock.
 *
 * Differences from the kernel, on purpose: a pages object is pinned whole,
 * not per page index, so a VFIO-cut area whose other half was unmapped
 * keeps the whole source pinned until its last area goes; the process is
 * identified by its thread ID at map time (cached while it lives).
 */
#include "objects/pages.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "objects/dmabuf.h"
#include "objects/io_pagetable.h"
#include "objects/caller_proc.h"

#define PAGE_SZ IOPT_PAGE_SIZE

/* The process whose memory (and RLIMIT_MEMLOCK) a pages object uses. */
struct iopt_source {
	struct iopt_source *next;
	unsigned int refs;
	pid_t tid;	/* the thread that mapped, for the lookup cache */
	pid_t tgid;	/* 0: not reachable (outside our pid namespace) */
	int pidfd;
	uid_t uid;
	bool cap_ipc_lock;
	uint64_t rlimit_pages; /* last RLIMIT_MEMLOCK read, in pages */
	uint64_t locked_pages; /* IOPT_PAGES_ACCOUNT_MM charge */
};

struct iopt_user_account {
	struct iopt_user_account *next;
	uid_t uid;
	uint64_t locked_pages;
};

struct iopt_accounts {
	struct iopt_source *sources;
	struct iopt_user_account *users;
	bool told_no_map_files;
	bool told_private_phys;
	bool told_no_mlock;
};

/* How one part of a pinned pages object is reached. */
struct iopt_pin_seg {
	uint64_t off; /* bytes from byte 0 of the pages */
	uint64_t len;
	bool shared;  /* in the daemon's view; else by VA in the source */
	uint64_t hpage; /* hugetlbfs page size of a shared part, or 0 */
};

static struct iopt_accounts *iopt_accounts(struct iommufd_daemon *d)
{
	if (!d->accounts)
		d->accounts = calloc(1, sizeof(*d->accounts));
	return d->accounts;
}

void iopt_accounts_fini(struct iommufd_daemon *d)
{
	struct iopt_accounts *a = d->accounts;

	if (!a)
		return;
	while (a->users) {
		struct iopt_user_account *u = a->users;

		a->users = u->next;
		free(u);
	}
	while (a->sources) {
		struct iopt_source *s = a->sources;

		a->sources = s->next;
		if (s->pidfd >= 0)
			close(s->pidfd);
		free(s);
	}
	free(a);
	d->accounts = NULL;
}

static bool source_alive(const struct iopt_source *s)
{
	return s->pidfd >= 0 &&
	       syscall(SYS_pidfd_send_signal, s->pidfd, 0, NULL, 0) == 0;
}

static uint64_t source_rlimit_pages(struct iopt_source *s)
{
	struct rlimit rl;

	if (s->tgid && prlimit(s->tgid, RLIMIT_MEMLOCK, NULL, &rl) == 0)
		s->rlimit_pages = rl.rlim_cur == RLIM_INFINITY ?
					  UINT64_MAX :
					  rl.rlim_cur / PAGE_SZ;
	return s->rlimit_pages;
}

/* Called with daemon->lock held. */
static struct iopt_source *source_get(struct iommufd_ucmd *ucmd,
				      struct iopt_accounts *a)
{
	pid_t tid = ucmd->caller.pid;
	struct iopt_source *s, **pp;

	for (pp = &a->sources; (s = *pp); pp = &s->next) {
		if (s->tid != tid || s->uid != ucmd->caller.uid)
			continue;
		if (tid && !source_alive(s))
			continue;
		s->refs++;
		return s;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->refs = 1;
	s->tid = tid;
	s->uid = ucmd->caller.uid;
	s->pidfd = -1;
	s->tgid = tid ? proc_tgid(tid) : 0;
	if (s->tgid)
		s->pidfd = pidfd_open(s->tgid, 0);
	if (s->pidfd < 0)
		s->tgid = 0;
	/* The kernel's capable(CAP_IPC_LOCK) in iopt_alloc_pages(). */
	s->cap_ipc_lock = iommufd_caller_capable(ucmd, CAP_IPC_LOCK);
	source_rlimit_pages(s);
	s->next = a->sources;
	a->sources = s;
	return s;
}

/* Called with daemon->lock held. */
static void source_put(struct iopt_accounts *a, struct iopt_source *s)
{
	struct iopt_source **pp;

	if (--s->refs)
		return;
	for (pp = &a->sources; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->pidfd >= 0)
		close(s->pidfd);
	free(s);
}

static struct iopt_user_account *user_account(struct iopt_accounts *a,
					      uid_t uid, bool create)
{
	struct iopt_user_account *u;

	for (u = a->users; u; u = u->next)
		if (u->uid == uid)
			return u;
	if (!create)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->next = a->users;
	a->users = u;
	return u;
}

static void user_account_drop_empty(struct iopt_accounts *a)
{
	struct iopt_user_account **pp = &a->users, *u;

	while ((u = *pp)) {
		if (!u->locked_pages) {
			*pp = u->next;
			free(u);
		} else {
			pp = &u->next;
		}
	}
}

/*
 * The kernel's iopt_pages_update_pinned(): incr_user_locked_vm() or
 * update_mm_locked_vm(), ENOMEM past RLIMIT_MEMLOCK.  daemon->lock held.
 */
static int account_update(struct iopt_accounts *a, struct iopt_source *s,
			  enum iopt_pages_account_mode mode, uint64_t npages,
			  bool inc)
{
	struct iopt_user_account *u;
	uint64_t *counter, limit;

	if (!npages)
		return 0;
	switch (mode) {
	case IOPT_PAGES_ACCOUNT_NONE:
		return 0;
	case IOPT_PAGES_ACCOUNT_USER:
		u = user_account(a, s->uid, inc);
		if (!u)
			return inc ? -ENOMEM : 0;
		counter = &u->locked_pages;
		break;
	case IOPT_PAGES_ACCOUNT_MM:
	default:
		counter = &s->locked_pages;
		break;
	}
	if (!inc) {
		*counter -= npages < *counter ? npages : *counter;
		if (mode == IOPT_PAGES_ACCOUNT_USER)
			user_account_drop_empty(a);
		return 0;
	}
	limit = source_rlimit_pages(s);
	if (*counter + npages < *counter || *counter + npages > limit) {
		if (mode == IOPT_PAGES_ACCOUNT_USER)
			user_account_drop_empty(a);
		return -ENOMEM;
	}
	*counter += npages;
	return 0;
}

static struct iopt_pages *iopt_alloc_pages(struct iommufd_ucmd *ucmd,
					   uint64_t start_byte, uint64_t length,
					   bool writable, int *err)
{
	struct iommufd_daemon *d = ucmd->ictx->daemon;
	struct iopt_accounts *a;
	struct iopt_pages *pages;

	/* The iommu API's size_t lengths, and DIV_ROUND_UP below. */
	if (length > SIZE_MAX - PAGE_SZ || length == 0) {
		*err = -EINVAL;
		return NULL;
	}
	pages = calloc(1, sizeof(*pages));
	if (!pages) {
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	a = iopt_accounts(d);
	pages->source = a ? source_get(ucmd, a) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (!pages->source) {
		free(pages);
		*err = -ENOMEM;
		return NULL;
	}
	pages->refs = 1;
	pages->fd = -1;
	pages->ictx = ucmd->ictx;
	pages->writable = writable;
	pages->npages = (length + start_byte + PAGE_SZ - 1) / PAGE_SZ;
	pages->account_mode = pages->source->cap_ipc_lock ?
				      IOPT_PAGES_ACCOUNT_NONE :
				      IOPT_PAGES_ACCOUNT_USER;
	return pages;
}

struct iopt_pages *iopt_alloc_user_pages(struct iommufd_ucmd *ucmd,
					 uint64_t uva, uint64_t length,
					 bool writable, int *err)
{
	struct iopt_pages *pages;
	uint64_t end;

	if (__builtin_add_overflow(uva, length, &end)) {
		*err = -EOVERFLOW;
		return NULL;
	}
	pages = iopt_alloc_pages(ucmd, uva % PAGE_SZ, length, writable, err);
	if (!pages)
		return NULL;
	pages->type = IOPT_ADDRESS_USER;
	pages->uptr = uva - uva % PAGE_SZ;
	pages->first_byte = uva % PAGE_SZ;
	return pages;
}

/*
 * The kernel's iopt_alloc_dmabuf_pages() on pages already made for the
 * range: the buffer must hold it, and iopt_map_dmabuf() refuses a revoked
 * one.  The pages then read the buffer's memfd and are not charged.
 */
static int iopt_alloc_dmabuf_pages(struct iopt_pages *pages,
				   struct iommufd_dmabuf *dmabuf,
				   uint64_t start, uint64_t length)
{
	int memfd;

	if (start + (length - 1) >= iommufd_dmabuf_size(dmabuf))
		return -EINVAL;
	memfd = iommufd_dmabuf_attach(dmabuf);
	if (memfd < 0)
		return memfd;
	pages->dmabuf = dmabuf;
	pages->fd = memfd;
	pages->type = IOPT_ADDRESS_DMABUF;
	pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	pages->start = start - start % PAGE_SZ;
	pages->first_byte = start % PAGE_SZ;
	return 0;
}

struct iopt_pages *iopt_alloc_file_pages(struct iommufd_ucmd *ucmd, int fd,
					 uint64_t start, uint64_t length,
					 bool writable, int *err)
{
	struct iommufd_dmabuf *dmabuf;
	struct iopt_pages *pages;
	int pidfd, dfd, rc;

	/* fget(): the fd is looked up in the caller's table. */
	if (fd < 0) {
		*err = -EBADF;
		return NULL;
	}
	pages = iopt_alloc_pages(ucmd, start % PAGE_SZ, length, writable, err);
	if (!pages)
		return NULL;
	pidfd = pages->source->pidfd;
	dfd = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0) : -1;
	if (dfd < 0) {
		/* Running out of our own fds is not the caller's bad fd. */
		*err = (pidfd >= 0 && (errno == EMFILE || errno == ENFILE ||
				       errno == ENOMEM)) ? -ENOMEM : -EBADF;
		iopt_put_pages(pages);
		return NULL;
	}
	/* dma_buf_get() before fget(), as iopt_map_file_pages() does. */
	dmabuf = iommufd_dmabuf_find(ucmd->ictx, dfd);
	if (dmabuf) {
		close(dfd);
		rc = iopt_alloc_dmabuf_pages(pages, dmabuf, start, length);
		if (rc) {
			*err = rc;
			iopt_put_pages(pages);
			return NULL;
		}
		return pages;
	}
	/* fget() refuses an O_PATH descriptor: it opens no file. */
	if (fcntl(dfd, F_GETFL) & O_PATH) {
		close(dfd);
		*err = -EBADF;
		iopt_put_pages(pages);
		return NULL;
	}
	/* pidfd_getfd() sets O_CLOEXEC on the new descriptor. */
	pages->fd = dfd;
	pages->type = IOPT_ADDRESS_FILE;
	pages->start = start - start % PAGE_SZ;
	pages->first_byte = start % PAGE_SZ;
	return pages;
}

uint64_t iopt_pages_first_byte(const struct iopt_pages *pages)
{
	return pages->first_byte;
}

uint64_t iopt_pages_addr_hint(const struct iopt_pages *pages,
			      uint64_t start_byte)
{
	return start_byte +
	       (pages->type == IOPT_ADDRESS_USER ? pages->uptr : pages->start);
}

void iopt_get_pages_ref(struct iopt_pages *pages)
{
	pages->refs++;
}

static void iopt_pages_release_pin(struct iopt_pages *pages);

void iopt_put_pages(struct iopt_pages *pages)
{
	struct iommufd_daemon *d = pages->ictx->daemon;

	if (--pages->refs)
		return;
	if (pages->pin_users) {
		/* A leak of pin users must not leak the pin itself. */
		pages->pin_users = 0;
		iopt_pages_release_pin(pages);
	}
	pthread_mutex_lock(&d->lock);
	source_put(d->accounts, pages->source);
	pthread_mutex_unlock(&d->lock);
	if (pages->fd >= 0)
		close(pages->fd);
	if (pages->dmabuf)
		iommufd_dmabuf_put(pages->dmabuf);
	free(pages);
}

/* ---- pinning ------------------------------------------------------------ */

struct pin_vma {
	uint64_t start, end; /* of the whole VMA */
	uint64_t seg_start, seg_end; /* the part inside the pages */
	uint64_t file_off; /* file offset of seg_start */
	bool shared;
	int fd;
	uint64_t hpage; /* hugetlbfs page size, 0 if not hugetlbfs */
};

struct pin_plan {
	struct pin_vma *v;
	unsigned int n, cap;
};

static void pin_plan_free(struct pin_plan *p)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (p->v[i].fd >= 0)
			close(p->v[i].fd);
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static int pin_plan_add(struct pin_plan *p, const struct pin_vma *v)
{
	if (p->n == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 4;
		struct pin_vma *grown = realloc(p->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		p->v = grown;
		p->cap = cap;
	}
	p->v[p->n++] = *v;
	return 0;
}

static uint64_t fd_hugetlb_page(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == (__fsword_t)HUGETLBFS_MAGIC)
		return (uint64_t)sfs.f_bsize;
	return 0;
}

/* True once per daemon for each *told: what is worth one log line. */
static bool say_once(struct iommufd_daemon *d, bool *told)
{
	bool first;

	pthread_mutex_lock(&d->lock);
	first = !*told;
	*told = true;
	pthread_mutex_unlock(&d->lock);
	return first;
}

static void explain_no_map_files(struct iommufd_daemon *d, int err)
{
	struct iopt_accounts *a = d->accounts;

	if (a && say_once(d, &a->told_no_map_files))
		log_warning("cannot open /proc/PID/map_files (%s): shared client memory is reached by copy through process_vm_* and is not pinned; run the daemon as root (CAP_SYS_ADMIN) for real pins",
			    strerrorname_np(err));
}

/*
 * Walk the source's VMAs over [uptr, uptr + len): any gap, or a VMA without
 * the access the pin needs, is EFAULT as it is for pin_user_pages().
 */
static int pin_plan_user(struct iopt_pages *pages, struct pin_plan *plan)
{
	uint64_t first = pages->uptr, end = pages->uptr + pages->npages * PAGE_SZ;
	uint64_t next = first;
	struct iopt_source *s = pages->source;
	char path[64], line[512];
	bool may_map_files = true;
	int rc = 0;
	FILE *f;

	if (!s->tgid)
		return -EFAULT;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->tgid);
	f = fopen(path, "re");
	if (!f)
		return -EFAULT;
	while (next < end && fgets(line, sizeof(line), f)) {
		unsigned long long vs, ve, off, ino;
		char perms[8], name[256] = "";
		unsigned int maj, mnr;
		struct pin_vma v = { .fd = -1 };

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %255[^\n]", &vs,
			   &ve, perms, &off, &maj, &mnr, &ino, name) < 7)
			continue;
		if (ve <= next)
			continue;
		if (vs > next) /* a hole in the range */
			break;
		if (perms[0] != 'r' || (pages->writable && perms[1] != 'w') ||
		    strstr(name, "[vvar") || strstr(name, "[vsyscall]")) {
			rc = -EFAULT;
			break;
		}
		v.start = vs;
		v.end = ve;
		v.seg_start = next;
		v.seg_end = ve < end ? ve : end;
		v.file_off = off + (next - vs);
		v.shared = perms[3] == 's';
		if (v.shared && may_map_files) {
			snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx",
				 (int)s->tgid, vs, ve);
			v.fd = open(path, (pages->writable ? O_RDWR : O_RDONLY) |
						  O_CLOEXEC);
			if (v.fd < 0 && (errno == EPERM || errno == EACCES)) {
				explain_no_map_files(pages->ictx->daemon, errno);
				may_map_files = false;
			}
			if (v.fd < 0)
				v.shared = false;
			else
				v.hpage = fd_hugetlb_page(v.fd);
		}
		rc = pin_plan_add(plan, &v);
		if (rc) {
			if (v.fd >= 0)
				close(v.fd);
			break;
		}
		next = v.seg_end;
	}
	fclose(f);
	if (!rc && next < end)
		rc = -EFAULT;
	return rc;
}

/* memfd_pin_folios(): shmem or hugetlbfs only, and not past the end. */
static int pin_plan_file(struct iopt_pages *pages, struct pin_plan *plan)
{
	uint64_t len = pages->npages * PAGE_SZ;
	struct pin_vma v = { .fd = -1, .shared = true };
	struct statfs sfs;
	struct stat st;

	if (fstatfs(pages->fd, &sfs) || fstat(pages->fd, &st))
		return -EINVAL;
	if (sfs.f_type != (__fsword_t)TMPFS_MAGIC &&
	    sfs.f_type != (__fsword_t)HUGETLBFS_MAGIC)
		return -EINVAL;
	if (pages->start + len < pages->start ||
	    pages->start + len > (uint64_t)st.st_size + PAGE_SZ - 1)
		return -EINVAL;
	v.fd = fcntl(pages->fd, F_DUPFD_CLOEXEC, 0);
	if (v.fd < 0)
		return -ENOMEM;
	v.hpage = fd_hugetlb_page(v.fd);
	v.start = v.seg_start = 0;
	v.end = v.seg_end = len;
	v.file_off = pages->start;
	return pin_plan_add(plan, &v);
}

/*
 * Map one shared part into the view.  hugetlbfs wants both the address and
 * the file offset aligned to its page, so the part is widened to whole huge
 * pages; the view is placed congruent to the file position (see below), so
 * the widened address is aligned too.  origin is the coordinate of view[0].
 */
static int pin_map_vma(struct iopt_pages *pages, struct pin_vma *v,
		       uint64_t origin)
{
	uint64_t a = v->hpage ? v->hpage : PAGE_SZ;
	uint64_t fp_end = v->file_off + (v->seg_end - v->seg_start);
	uint64_t ms = v->seg_start - v->file_off % a;
	uint64_t me = v->seg_end + (a - fp_end % a) % a;
	uint64_t off = v->file_off - v->file_off % a;
	int prot = PROT_READ | (pages->writable ? PROT_WRITE : 0);
	void *want = pages->view + (int64_t)(ms - origin);
	void *got;

	got = mmap(want, me - ms, prot, MAP_SHARED | MAP_FIXED, v->fd,
		   (off_t)off);
	if (got == MAP_FAILED && errno == EACCES && pages->writable) {
		/* A read-only fd: the kernel's pin ignores the file mode. */
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", v->fd);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			got = mmap(want, me - ms, prot, MAP_SHARED | MAP_FIXED,
				   fd, (off_t)off);
			close(fd);
		}
	}
	return got == MAP_FAILED ? -EFAULT : 0;
}

static int iopt_pages_do_pin(struct iopt_pages *pages, bool needs_phys)
{
	struct iommufd_daemon *d = pages->ictx->daemon;
	uint64_t len = pages->npages * PAGE_SZ, align = PAGE_SZ, slack;
	uint64_t origin, cong;
	struct pin_plan plan = { 0 };
	unsigned int nseg = 0;
	bool charged = false;
	int rc;

	rc = pages->type == IOPT_ADDRESS_USER ? pin_plan_user(pages, &plan) :
						pin_plan_file(pages, &plan);
	if (rc)
		goto out;
	for (unsigned int i = 0; i < plan.n; i++) {
		if (!plan.v[i].shared && needs_phys) {
			if (say_once(d, &d->accounts->told_private_phys))
				log_warning("private (MAP_PRIVATE) memory cannot be given to a hardware domain: the daemon cannot reach its physical pages; map shared memory (memfd, shm, MAP_SHARED) instead");
			rc = -EOPNOTSUPP;
			goto out;
		}
		if (plan.v[i].hpage > align)
			align = plan.v[i].hpage;
	}

	/*
	 * Charge before faulting anything in, so that a client over its limit
	 * cannot make the daemon populate memory it will not be allowed to
	 * keep.  (The kernel pins, then charges; the errno is the same.)
	 */
	pthread_mutex_lock(&d->lock);
	rc = account_update(d->accounts, pages->source, pages->account_mode,
			    pages->npages, true);
	pthread_mutex_unlock(&d->lock);
	if (rc)
		goto out;
	charged = true;

	/*
	 * Reserve address space for the view.  view[0] is the pages' byte 0,
	 * placed congruent to its file position (the source VA for user
	 * memory, whose huge VMAs are aligned like their files) modulo the
	 * largest huge page involved, with room to widen parts to huge pages.
	 */
	origin = pages->type == IOPT_ADDRESS_USER ? pages->uptr : 0;
	cong = pages->type == IOPT_ADDRESS_USER ? pages->uptr : pages->start;
	slack = align > PAGE_SZ ? 4 * align : 0;
	pages->view_len = len + slack;
	pages->view_base = mmap(NULL, pages->view_len, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	if (pages->view_base == MAP_FAILED) {
		pages->view_base = NULL;
		rc = -ENOMEM;
		goto out;
	}
	if (slack) {
		uintptr_t v = (uintptr_t)pages->view_base + 2 * align;

		v = (v - (v % align)) + (cong % align);
		pages->view = (uint8_t *)v;
	} else {
		pages->view = pages->view_base;
	}

	pages->segs = calloc(plan.n, sizeof(*pages->segs));
	if (!pages->segs) {
		rc = -ENOMEM;
		goto out_unmap;
	}
	for (unsigned int i = 0; i < plan.n; i++) {
		struct pin_vma *v = &plan.v[i];
		uint64_t soff = v->seg_start - origin;

		if (v->shared) {
			rc = pin_map_vma(pages, v, origin);
			if (rc)
				goto out_unmap;
			/*
			 * Fault everything in now: what cannot be is EFAULT.
			 * The raw syscall, because sanitizer runtimes turn
			 * mlock() into a no-op and the pin must be real.
			 */
			if (syscall(SYS_mlock, pages->view + soff,
				    v->seg_end - v->seg_start)) {
				int mlock_err = errno;

				if (madvise(pages->view + soff,
					    v->seg_end - v->seg_start,
					    pages->writable ? MADV_POPULATE_WRITE :
							      MADV_POPULATE_READ)) {
					rc = -EFAULT;
					goto out_unmap;
				}
				if (say_once(d, &d->accounts->told_no_mlock))
					log_warning("mlock failed (%s): pinned client memory stays mapped but may be swapped; give the daemon CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK",
						    strerror(mlock_err));
			}
		}
		pages->segs[nseg++] = (struct iopt_pin_seg){
			.off = soff,
			.len = v->seg_end - v->seg_start,
			.shared = v->shared,
			.hpage = v->shared ? v->hpage : 0,
		};
	}
	pages->nr_segs = nseg;
	pages->npinned = pages->npages;
	pages->ictx->pinned_bytes += pages->npages * PAGE_SZ;
	pin_plan_free(&plan);
	return 0;

out_unmap:
	munmap(pages->view_base, pages->view_len);
	pages->view_base = NULL;
	pages->view = NULL;
	free(pages->segs);
	pages->segs = NULL;
	pages->nr_segs = 0;
out:
	if (charged) {
		pthread_mutex_lock(&d->lock);
		account_update(d->accounts, pages->source, pages->account_mode,
			       pages->npages, false);
		pthread_mutex_unlock(&d->lock);
	}
	pin_plan_free(&plan);
	return rc;
}

static void iopt_pages_release_pin(struct iopt_pages *pages)
{
	struct iommufd_daemon *d = pages->ictx->daemon;

	if (pages->view_base)
		munmap(pages->view_base, pages->view_len);
	pages->view_base = NULL;
	pages->view = NULL;
	free(pages->segs);
	pages->segs = NULL;
	pages->nr_segs = 0;
	pthread_mutex_lock(&d->lock);
	account_update(d->accounts, pages->source, pages->account_mode,
		       pages->npinned, false);
	pthread_mutex_unlock(&d->lock);
	pages->ictx->pinned_bytes -= pages->npinned * PAGE_SZ;
	pages->npinned = 0;
}

int iopt_pages_pin(struct iopt_pages *pages, bool needs_phys)
{
	int rc;

	if (pages->pin_users) {
		/* Already pinned; a hardware domain still needs real pages. */
		if (needs_phys)
			for (unsigned int i = 0; i < pages->nr_segs; i++)
				if (!pages->segs[i].shared)
					return -EOPNOTSUPP;
		pages->pin_users++;
		return 0;
	}
	rc = iopt_pages_do_pin(pages, needs_phys);
	if (rc)
		return rc;
	pages->pin_users = 1;
	return 0;
}

void iopt_pages_unpin(struct iopt_pages *pages)
{
	if (!pages->pin_users || --pages->pin_users)
		return;
	iopt_pages_release_pin(pages);
}

/*
 * The daemon sees no page frames.  What it can vouch for: a single page,
 * and a range inside one huge page of hugetlbfs (its view is placed
 * congruent to the file position, so view addresses show the huge page
 * boundaries).  Transparent huge pages may be contiguous in the kernel too;
 * they are not recognised here.
 */
bool iopt_pages_phys_contig(const struct iopt_pages *pages, uint64_t start_byte,
			    uint64_t len)
{
	if (!len || (start_byte % PAGE_SZ) + len <= PAGE_SZ)
		return true;
	for (unsigned int i = 0; i < pages->nr_segs; i++) {
		const struct iopt_pin_seg *sg = &pages->segs[i];
		uintptr_t first, last;

		if (!sg->shared || !sg->hpage || start_byte < sg->off ||
		    start_byte + len > sg->off + sg->len)
			continue;
		first = (uintptr_t)(pages->view + start_byte);
		last = first + (len - 1);
		return first / sg->hpage == last / sg->hpage;
	}
	return false;
}

/* ---- access ------------------------------------------------------------- */

static int unpinned_rw(struct iopt_pages *pages, uint64_t off, void *buf,
		       size_t len, bool write)
{
	if (pages->type == IOPT_ADDRESS_USER)
		return proc_vm_rw(pages->source->tgid, pages->uptr + off, buf,
				  len, write, NULL);
	while (len) {
		ssize_t n = write ? pwrite(pages->fd, buf, len,
					   (off_t)(pages->start + off)) :
				    pread(pages->fd, buf, len,
					  (off_t)(pages->start + off));

		if (n <= 0)
			return -EFAULT;
		buf = (char *)buf + n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int iopt_pages_rw(struct iopt_pages *pages, uint64_t start_byte, void *buf,
		  size_t len, bool write)
{
	uint64_t end;

	if (__builtin_add_overflow(start_byte, len, &end) ||
	    end > pages->npages * PAGE_SZ)
		return -EFAULT;
	if (!pages->nr_segs)
		return unpinned_rw(pages, start_byte, buf, len, write);
	for (unsigned int i = 0; i < pages->nr_segs && len; i++) {
		const struct iopt_pin_seg *sg = &pages->segs[i];
		uint64_t n;
		int rc;

		if (start_byte >= sg->off + sg->len)
			continue;
		n = sg->off + sg->len - start_byte;
		if (n > len)
			n = len;
		if (sg->shared) {
			if (write)
				memcpy(pages->view + start_byte, buf, n);
			else
				memcpy(buf, pages->view + start_byte, n);
		} else {
			rc = unpinned_rw(pages, start_byte, buf, n, write);
			if (rc)
				return rc;
		}
		buf = (char *)buf + n;
		start_byte += n;
		len -= n;
	}
	return 0;
}

void *iopt_pages_view(struct iopt_pages *pages, uint64_t start_byte,
		      size_t len)
{
	for (unsigned int i = 0; i < pages->nr_segs; i++) {
		const struct iopt_pin_seg *sg = &pages->segs[i];

		if (sg->shared && start_byte >= sg->off &&
		    start_byte + len <= sg->off + sg->len)
			return pages->view + start_byte;
	}
	return NULL;
}

/* ---- IOMMU_IOAS_CHANGE_PROCESS ----------------------------------------- */

int iopt_pages_change_process(struct iommufd_ucmd *ucmd,
			      struct iopt_pages **all, size_t num)
{
	struct iommufd_daemon *d = ucmd->ictx->daemon;
	uint64_t charge[IOPT_PAGES_ACCOUNT_MM + 1] = { 0 };
	struct iopt_accounts *a;
	struct iopt_source *src;
	int rc = 0, mode;

	pthread_mutex_lock(&d->lock);
	a = iopt_accounts(d);
	src = a ? source_get(ucmd, a) : NULL;
	if (!src) {
		pthread_mutex_unlock(&d->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < num; i++)
		if (all[i]->source != src)
			charge[all[i]->account_mode] += all[i]->npinned;
	for (mode = 0; mode <= IOPT_PAGES_ACCOUNT_MM; mode++) {
		rc = account_update(a, src, mode, charge[mode], true);
		if (rc)
			break;
	}
	if (rc) {
		while (mode--)
			account_update(a, src, mode, charge[mode], false);
		source_put(a, src);
		pthread_mutex_unlock(&d->lock);
		return rc;
	}
	for (size_t i = 0; i < num; i++) {
		struct iopt_pages *pages = all[i];

		if (pages->source == src)
			continue;
		account_update(a, pages->source, pages->account_mode,
			       pages->npinned, false);
		source_put(a, pages->source);
		src->refs++;
		pages->source = src;
	}
	source_put(a, src);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

uint64_t iopt_account_user_pages(struct iommufd_daemon *d, uid_t uid)
{
	struct iopt_user_account *u;
	uint64_t n = 0;

	pthread_mutex_lock(&d->lock);
	if (d->accounts && (u = user_account(d->accounts, uid, false)))
		n = u->locked_pages;
	pthread_mutex_unlock(&d->lock);
	return n;
}

pid_t iopt_caller_tgid(struct iommufd_ucmd *ucmd)
{
	return ucmd->caller.pid ? proc_tgid(ucmd->caller.pid) : 0;
}

/*
 * The file page behind va in process tgid, from /proc/PID/maps: the
 * mapping's device, inode and the file offset of va's page.  false for
 * anonymous memory or an unmapped va.
 */
static bool va_file_page(pid_t tgid, uint64_t va, dev_t *dev, ino_t *ino,
			 uint64_t *off)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, inode;
		unsigned int maj, min;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end,
			   &pgoff, &maj, &min, &inode) != 6)
			continue;
		if (va < start || va >= end)
			continue;
		if (inode) {
			*dev = makedev(maj, min);
			*ino = (ino_t)inode;
			*off = pgoff + (va - va % PAGE_SZ - start);
			found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

bool iopt_pages_pins_user_va(const struct iopt_pages *pages, pid_t tgid,
			     uint64_t va)
{
	struct stat st;
	uint64_t off;
	dev_t dev;
	ino_t ino;

	if (!pages->pin_users || !tgid)
		return false;
	if (pages->type == IOPT_ADDRESS_USER)
		return pages->source->tgid == tgid && va >= pages->uptr &&
		       va - pages->uptr < pages->npages * PAGE_SZ;
	/*
	 * A pinned file page is the page cache page every mapping of that
	 * file offset shows, in any process, as the kernel's page refcount
	 * sees it.
	 */
	if (pages->fd < 0 || fstat(pages->fd, &st) ||
	    !va_file_page(tgid, va, &dev, &ino, &off))
		return false;
	return dev == st.st_dev && ino == st.st_ino && off >= pages->start &&
	       off - pages->start < pages->npages * PAGE_SZ;
}
