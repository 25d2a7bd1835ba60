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
 *    hugetlbfs) is opened through /proc/PID/map_files/<vma> with the
 *    caller's credentials and checked to be the file the bound address
 *    space maps there (caller_mm_open_vma()), or is the caller's own fd for
 *    MAP_FILE, and mapped MAP_SHARED at the matching file offset, so the
 *    daemon keeps the pages, and their contents, after the client unmaps
 *    or replaces its VA, like a kernel pin.  Nothing is ever reopened with
 *    the daemon's rights: a writable pin needs a writable shared VMA, or a
 *    MAP_FILE fd opened for writing (EACCES otherwise, where the kernel's
 *    memfd pin ignores the file's mode);
 *  - private memory cannot be shared between processes.  For emulated
 *    domains it is reached by VA through the /proc/TID/mem fd bound at the
 *    map call: the VA of THAT address space is followed, not the page, and
 *    after exec or exit it reads nothing (EFAULT).  A backend that needs
 *    physical pages (needs_phys) refuses it with EOPNOTSUPP;
 *  - when the caller's credentials cannot open map_files (a plain-user
 *    FUSE daemon, a file the caller may not open itself), the shared parts
 *    fall back to the private rule, said once in the log.
 * Which part is reached how is recorded in segments (iopt_pin_seg).
 * A self-test dma-buf's pages use the buffer's one mapping (dmabuf.c), so
 * any number of MAP_FILEs of a buffer cost no descriptor and no mapping.
 *
 * Touching the memory (iopt_pages_rw) cannot hurt the daemon or reach past
 * what the client has: a view is copied only under a SIGBUS recovery (the
 * client may truncate the file: view_copy()), memory reached by VA only as
 * its VMA's protection allows (the _checked transfers), and an unpinned
 * file only inside its current size (no pwrite() grows it for the client).
 *
 * Accounting mirrors the kernel's: at pin time npages are charged against
 * the mapping process's RLIMIT_MEMLOCK (/proc/<tgid>/limits re-read at pin
 * time and believed while the pidfd lives; no CAP_SYS_RESOURCE needed), per
 * user (IOPT_PAGES_ACCOUNT_USER, one counter per uid shared by every
 * context and process) or per process (IOPT_PAGES_ACCOUNT_MM); a caller
 * with CAP_IPC_LOCK is not charged.  The counters live in the daemon
 * (struct iopt_accounts) under daemon->lock.
 *
 * Differences from the kernel, on purpose: a pages object is pinned whole,
 * not per page index, so a VFIO-cut area whose other half was unmapped
 * keeps the whole source pinned until its last area goes.  The process and
 * its address space are bound at the map call (struct caller_mm, see
 * caller_mm.c; a context reuses a binding for a later call only when it
 * proves it may, see caller_mm_serves()); per-process (MM) accounting is
 * kept per process, so it also counts pins of an address space the
 * process exec'd away from.
 *
 * MAP_FILE: the caller's fd is copied with the bound pidfd.  A file that
 * can never be pinned (not tmpfs/hugetlbfs, memfd_pin_folios()'s rule) is
 * closed at once and its pages refuse pins (EINVAL); the others are held
 * once per (dev, ino, access mode) and context, at most
 * daemon->max_files_per_ctx of them (ENOMEM beyond).
 */
#include "core/own_files.h"
#include "core/pages.h"
#include "core/user_limits.h"

#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
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
#include "providers/mock/dmabuf.h"
#include "core/io_pagetable.h"
#include "core/obj_pool.h"
#include "core/caller_mm.h"
#include "core/caller_proc.h"

#define PAGE_SZ IOPT_PAGE_SIZE

/*
 * A process's IOPT_PAGES_ACCOUNT_MM counter, shared by every source of
 * that process: found by tgid, and the same process only while its pidfd
 * is alive (two live processes never share a number).
 */
struct iopt_proc_account {
	struct iopt_proc_account *next;
	unsigned int refs;
	pid_t tgid;
	struct caller_mm *mm; /* the first binding: its pidfd names the process */
	uint64_t locked_pages;
};

/* The caller of one map call: whose memory and RLIMIT_MEMLOCK count. */
struct iopt_source {
	unsigned int refs;
	/* On ictx->sources, under the context's lock, while referenced. */
	struct iommufd_ctx *ictx;
	struct iopt_source *next, **pprev;
	struct caller_mm *mm;	/* NULL: not reachable (pid 0) */
	uid_t uid;
	bool cap_ipc_lock;
	struct iopt_proc_account *proc; /* NULL without mm */
	uint64_t locked_pages;	/* the MM charge when proc is NULL */
	unsigned int fds;	/* descriptors charged to the context's user */
	/*
	 * No pages use it any more, but its binding stays for the next call
	 * of the same thread (a MAP after an UNMAP), on ictx->sources, until
	 * IOPT_MAX_IDLE_SOURCES newer idle ones push it out or the context
	 * goes.  idle_seq orders them (larger: idle since later).
	 */
	bool idle;
	uint64_t idle_seq;
};

/*
 * What one binding holds: two pidfds, /proc/TID/mem and /proc/TID/maps,
 * and the file of the last shared mapping it opened (caller_mm.c).
 */
#define IOPT_SOURCE_FDS 5u

/* A MAP_FILE descriptor held for a context, shared by (dev, ino, mode). */
struct iopt_held_file {
	struct iopt_held_file *next;
	unsigned int refs;
	dev_t dev;
	ino_t ino;
	bool writable;
	int fd;
};

struct iopt_user_account {
	struct iopt_user_account *next;
	uid_t uid;
	uint64_t locked_pages;
};

struct iopt_accounts {
	struct iopt_proc_account *procs;
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

/*
 * What only some pages objects need: the file or dma-buf they map, and
 * the pin.  Made with the first of them (pages_ext()), freed with the
 * pages, or when the pin of memory that needs no ext otherwise goes
 * (pages_ext_trim()).
 */
struct iopt_pages_ext {
	struct iopt_held_file *held;	/* FILE that can be pinned: its fd */
	struct iommufd_dmabuf *dmabuf;	/* DMABUF: a reference */
	/* Pin state: pin_users counts (area, domain) pairs holding the pin. */
	unsigned int pin_users;
	unsigned int nr_segs;
	uint64_t npinned; /* pages accounted while pinned */
	void *view_base;  /* reservation holding the daemon's view */
	size_t view_len;
	uint8_t *view;	  /* byte 0 of the pages in the daemon, or NULL */
	struct iopt_pin_seg *segs; /* how each part is reached */
};

/*
 * One pages object per IOAS_MAP: a million maps cost 40 MB from a pool,
 * against 176 MB from malloc before the rarely used parts moved to ext.
 */
static_assert(sizeof(struct iopt_pages) <= 40, "see obj_pool.h");
static_assert(_Alignof(struct iopt_pages) <= 8, "obj_pool aligns to 8");
static struct obj_pool iopt_pages_pool = OBJ_POOL_INIT(struct iopt_pages);

size_t iopt_pages_in_use(void)
{
	return obj_pool_in_use(&iopt_pages_pool);
}

static inline struct iommufd_ctx *pages_ictx(const struct iopt_pages *pages)
{
	return pages->source->ictx;
}

/* The daemon's descriptor of a FILE's file, or -1. */
static inline int pages_fd(const struct iopt_pages *pages)
{
	return pages->ext && pages->ext->held ? pages->ext->held->fd : -1;
}

static inline bool pages_pinned(const struct iopt_pages *pages)
{
	return pages->ext && pages->ext->pin_users;
}

static inline uint64_t pages_npinned(const struct iopt_pages *pages)
{
	return pages->ext ? pages->ext->npinned : 0;
}

/* An ext and malloc's header on it, charged to the context's user. */
#define IOPT_PAGES_EXT_CHARGE (sizeof(struct iopt_pages_ext) + 16)

/* The ext of pages, made now if need be; NULL when out of memory. */
static struct iopt_pages_ext *pages_ext(struct iopt_pages *pages)
{
	struct user_mem *mem = pages_ictx(pages)->mem;

	if (pages->ext)
		return pages->ext;
	if (user_mem_charge(mem, IOPT_PAGES_EXT_CHARGE))
		return NULL;
	pages->ext = calloc(1, sizeof(*pages->ext));
	if (!pages->ext)
		user_mem_uncharge(mem, IOPT_PAGES_EXT_CHARGE);
	return pages->ext;
}

static void pages_ext_free(struct iopt_pages *pages)
{
	if (!pages->ext)
		return;
	free(pages->ext);
	pages->ext = NULL;
	user_mem_uncharge(pages_ictx(pages)->mem, IOPT_PAGES_EXT_CHARGE);
}

/* Frees an ext that holds nothing any more. */
static void pages_ext_trim(struct iopt_pages *pages)
{
	struct iopt_pages_ext *ext = pages->ext;

	if (ext && !ext->held && !ext->dmabuf && !ext->pin_users &&
	    !ext->npinned && !ext->segs && !ext->view_base)
		pages_ext_free(pages);
}

struct iommufd_dmabuf *iopt_pages_dmabuf(const struct iopt_pages *pages)
{
	return pages->ext ? pages->ext->dmabuf : NULL;
}

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
	while (a->procs) {
		struct iopt_proc_account *p = a->procs;

		a->procs = p->next;
		caller_mm_put(p->mm);
		free(p);
	}
	free(a);
	d->accounts = NULL;
}

/*
 * Distinct callers (bindings) one context may have mappings of: each
 * holds five descriptors.  Threads of one process that map in turn each
 * count; a thread that keeps its address space and credentials counts once.
 */
#define IOPT_MAX_SOURCES_PER_CTX 128

/*
 * Bindings a context keeps after their last mapping went: a client that
 * maps and unmaps in turn (the common case: one buffer at a time) would
 * otherwise bind itself anew on every MAP, which opens five files and
 * reads two /proc texts.  Kept idle, a binding is still only used again
 * after caller_mm_serves() proves it may, exactly as one still in use.
 */
#define IOPT_MAX_IDLE_SOURCES 8

struct caller_mm *iommufd_ucmd_caller_mm(struct iommufd_ucmd *ucmd)
{
	struct caller_mm *mm = NULL;

	if (ucmd->caller.mm)
		return caller_mm_get(ucmd->caller.mm);
	/* During the call: the thread waits for our reply (caller_mm.c). */
	if (ucmd->caller.pid)
		caller_mm_bind(ucmd->caller.pid,
			       ucmd->ictx->daemon->own_userns_ino, &mm);
	return mm;
}

/* daemon->lock held. */
static struct iopt_proc_account *proc_account_get(struct iopt_accounts *a,
						  struct caller_mm *mm)
{
	struct iopt_proc_account *p, **pp;

	for (pp = &a->procs; (p = *pp);) {
		if (!caller_mm_process_alive(p->mm) && !p->locked_pages &&
		    !p->refs) {
			*pp = p->next;
			caller_mm_put(p->mm);
			free(p);
			continue;
		}
		if (p->tgid == caller_mm_tgid(mm) &&
		    caller_mm_process_alive(p->mm) &&
		    caller_mm_process_alive(mm)) {
			p->refs++;
			return p;
		}
		pp = &p->next;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 1;
	p->tgid = caller_mm_tgid(mm);
	p->mm = caller_mm_get(mm);
	p->next = a->procs;
	a->procs = p;
	return p;
}

/* daemon->lock held. */
static void proc_account_put(struct iopt_accounts *a,
			     struct iopt_proc_account *p)
{
	struct iopt_proc_account **pp;

	if (!p || --p->refs || p->locked_pages)
		return;
	for (pp = &a->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	caller_mm_put(p->mm);
	free(p);
}

/* Off the context's list and gone.  daemon->lock held. */
static void source_free(struct iopt_accounts *a, struct iopt_source *s)
{
	if (s->pprev) {
		*s->pprev = s->next;
		if (s->next)
			s->next->pprev = s->pprev;
		s->ictx->nr_sources--;
		if (s->idle)
			s->ictx->nr_idle_sources--;
	}
	proc_account_put(a, s->proc);
	if (s->fds)
		user_fds_uncharge(s->ictx->mem, s->fds);
	caller_mm_put(s->mm);
	free(s);
}

/* The idle source idle the longest, or NULL.  Context lock held. */
static struct iopt_source *source_oldest_idle(struct iommufd_ctx *ictx)
{
	struct iopt_source *s, *old = NULL;

	for (s = ictx->sources; s; s = s->next)
		if (s->idle && (!old || s->idle_seq < old->idle_seq))
			old = s;
	return old;
}

/*
 * A source for this call: a binding of this context that provably serves
 * the caller (one in use, or one kept idle), else the caller bound now;
 * never one found by number alone (caller_mm.c).  NULL for out of memory only;
 * an unreachable caller (pid 0) gets a source without an address space,
 * whose user memory cannot be pinned (EFAULT).
 */
static struct iopt_source *source_new(struct iommufd_ucmd *ucmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_daemon *d = ictx->daemon;
	struct iopt_source *s, *next;
	struct iopt_accounts *a;
	int rc = -ESRCH;

	/* An earlier caller's binding, if it provably serves this call too. */
	for (s = ictx->sources; s; s = next) {
		bool serves;

		next = s->next;
		if (s->uid != ucmd->caller.uid)
			continue;
		/* Unreachable callers (pid 0) have nothing bound to tell apart. */
		if (!s->mm)
			serves = !ucmd->caller.mm && !ucmd->caller.pid;
		else if (ucmd->caller.mm)
			serves = s->mm == ucmd->caller.mm;
		else if (caller_mm_tid(s->mm) != ucmd->caller.pid)
			continue;
		else
			serves = caller_mm_serves(s->mm, ucmd->caller.pid,
						  ucmd->caller.uid,
						  ucmd->caller.gid,
						  d->own_userns_ino);
		pthread_mutex_lock(&d->lock);
		if (serves) {
			if (s->idle) {
				s->idle = false;
				ictx->nr_idle_sources--;
			}
			s->refs++;
			pthread_mutex_unlock(&d->lock);
			return s;
		}
		/*
		 * This thread's number, but not provably this thread, its
		 * address space or its credentials: an idle binding of it
		 * can never serve again.
		 */
		if (s->idle && s->mm && !ucmd->caller.mm)
			source_free(d->accounts, s);
		pthread_mutex_unlock(&d->lock);
	}
	/* Each binding holds five descriptors: a bound number of them. */
	if (ictx->nr_sources >= IOPT_MAX_SOURCES_PER_CTX &&
	    ictx->nr_idle_sources) {
		pthread_mutex_lock(&d->lock);
		source_free(d->accounts, source_oldest_idle(ictx));
		pthread_mutex_unlock(&d->lock);
	}
	if (ictx->nr_sources >= IOPT_MAX_SOURCES_PER_CTX) {
		if (!ictx->told_max_sources) {
			ictx->told_max_sources = true;
			log_warning("a context of pid %d holds mappings of %u different callers (threads, or one thread across exec or credential changes): refusing more with ENOMEM",
				    (int)ictx->opener_pid, ictx->nr_sources);
		}
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->refs = 1;
	s->uid = ucmd->caller.uid;
	if (ucmd->caller.mm)
		s->mm = caller_mm_get(ucmd->caller.mm);
	else if (ucmd->caller.pid)
		/* During the call: the thread waits for our reply. */
		rc = caller_mm_bind(ucmd->caller.pid, d->own_userns_ino,
				    &s->mm);
	if (!rc && !ucmd->caller.mm)
		ictx->nr_binds++;
	/* Out of descriptors is ours to report, not an unreachable caller. */
	if (rc == -ENOMEM) {
		free(s);
		return NULL;
	}
	/* A binding of our own holds descriptors: the user pays for them. */
	if (!rc) {
		if (user_fds_charge(ictx->mem, IOPT_SOURCE_FDS)) {
			caller_mm_put(s->mm);
			free(s);
			return NULL;
		}
		s->fds = IOPT_SOURCE_FDS;
	}
	/* The kernel's capable(CAP_IPC_LOCK) in iopt_alloc_pages(). */
	s->cap_ipc_lock = s->mm ? caller_mm_capable(s->mm, CAP_IPC_LOCK) :
				  iommufd_caller_capable(ucmd, CAP_IPC_LOCK);
	if (s->mm) {
		pthread_mutex_lock(&d->lock);
		a = iopt_accounts(d);
		s->proc = a ? proc_account_get(a, s->mm) : NULL;
		pthread_mutex_unlock(&d->lock);
		if (!s->proc) {
			user_fds_uncharge(ictx->mem, s->fds);
			caller_mm_put(s->mm);
			free(s);
			return NULL;
		}
	}
	s->ictx = ictx;
	s->next = ictx->sources;
	if (s->next)
		s->next->pprev = &s->next;
	s->pprev = &ictx->sources;
	ictx->sources = s;
	ictx->nr_sources++;
	return s;
}

/* Called with daemon->lock held. */
static void source_put(struct iopt_accounts *a, struct iopt_source *s)
{
	struct iommufd_ctx *ictx = s->ictx;

	if (--s->refs)
		return;
	/* Only a binding is worth keeping: it is what costs to make. */
	if (!s->mm || !s->pprev || ictx->sources_closing) {
		source_free(a, s);
		return;
	}
	s->idle = true;
	s->idle_seq = ++ictx->idle_seq;
	if (++ictx->nr_idle_sources > IOPT_MAX_IDLE_SOURCES)
		source_free(a, source_oldest_idle(ictx));
}

void iopt_sources_release_idle(struct iommufd_ctx *ictx)
{
	struct iommufd_daemon *d = ictx->daemon;
	struct iopt_source *s, *next;

	pthread_mutex_lock(&d->lock);
	ictx->sources_closing = true;
	for (s = ictx->sources; s; s = next) {
		next = s->next;
		if (s->idle)
			source_free(d->accounts, s);
	}
	pthread_mutex_unlock(&d->lock);
}

/* RLIMIT_MEMLOCK in pages; reads /proc, so never under daemon->lock. */
static uint64_t source_limit_pages(struct iopt_source *s)
{
	uint64_t bytes = s->mm ? caller_mm_memlock(s->mm) : 8ull << 20;

	return bytes == UINT64_MAX ? UINT64_MAX : bytes / PAGE_SZ;
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
			  bool inc, uint64_t limit)
{
	struct iopt_user_account *u;
	uint64_t *counter;

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
		counter = s->proc ? &s->proc->locked_pages : &s->locked_pages;
		break;
	}
	if (!inc) {
		*counter -= npages < *counter ? npages : *counter;
		if (mode == IOPT_PAGES_ACCOUNT_USER)
			user_account_drop_empty(a);
		return 0;
	}
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
	struct iopt_pages *pages;

	/* The iommu API's size_t lengths, and DIV_ROUND_UP below. */
	if (length > SIZE_MAX - PAGE_SZ || length == 0) {
		*err = -EINVAL;
		return NULL;
	}
	pages = obj_pool_alloc(&iopt_pages_pool);
	if (!pages) {
		*err = -ENOMEM;
		return NULL;
	}
	pages->source = source_new(ucmd);
	if (!pages->source) {
		obj_pool_free(&iopt_pages_pool, pages);
		*err = -ENOMEM;
		return NULL;
	}
	pages->refs = 1;
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
 * one.  The pages then use the buffer's own mapping (iommufd_dmabuf_view())
 * through their reference, and are not charged: however many areas map a
 * buffer, the daemon keeps one descriptor and one mapping for it, both
 * charged with the buffer at DMABUF_GET.
 */
static int iopt_alloc_dmabuf_pages(struct iopt_pages *pages,
				   struct iommufd_dmabuf *dmabuf,
				   uint64_t start, uint64_t length)
{
	int rc;

	if (start + (length - 1) >= iommufd_dmabuf_size(dmabuf))
		return -EINVAL;
	if (!pages_ext(pages))
		return -ENOMEM;
	rc = iommufd_dmabuf_attach(dmabuf);
	if (rc)
		return rc;
	pages->ext->dmabuf = dmabuf;
	pages->type = IOPT_ADDRESS_DMABUF;
	pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	pages->start = start - start % PAGE_SZ;
	pages->first_byte = start % PAGE_SZ;
	return 0;
}

/* Context lock held. */
static void held_file_put(struct iommufd_ctx *ictx, struct iopt_held_file *h)
{
	struct iopt_held_file **pp;

	if (--h->refs)
		return;
	for (pp = &ictx->held_files; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	ictx->nr_held_files--;
	user_fds_uncharge(ictx->mem, 1);
	close(h->fd);
	free(h);
}

/*
 * Keep dfd for the context: one descriptor per (dev, ino, access mode),
 * at most max_files_per_ctx of them.  Consumes dfd.  Context lock held.
 */
static struct iopt_held_file *held_file_get(struct iommufd_ctx *ictx, int dfd,
					    const struct stat *st,
					    bool writable, int *err)
{
	struct iommufd_daemon *d = ictx->daemon;
	struct iopt_held_file *h;

	for (h = ictx->held_files; h; h = h->next)
		if (h->dev == st->st_dev && h->ino == st->st_ino &&
		    h->writable == writable) {
			close(dfd);
			h->refs++;
			return h;
		}
	if (ictx->nr_held_files >= d->max_files_per_ctx) {
		close(dfd);
		if (!ictx->told_max_files) {
			ictx->told_max_files = true;
			log_warning("a context of pid %d holds %u files for IOAS_MAP_FILE (--max-files-per-context): refusing more with ENOMEM",
				    (int)ictx->opener_pid, ictx->nr_held_files);
		}
		*err = -ENOMEM;
		return NULL;
	}
	if (user_fds_charge(ictx->mem, 1)) {
		close(dfd);
		*err = -ENOMEM;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		user_fds_uncharge(ictx->mem, 1);
		close(dfd);
		*err = -ENOMEM;
		return NULL;
	}
	*h = (struct iopt_held_file){
		.next = ictx->held_files,
		.refs = 1,
		.dev = st->st_dev,
		.ino = st->st_ino,
		.writable = writable,
		.fd = dfd,
	};
	ictx->held_files = h;
	ictx->nr_held_files++;
	return h;
}

struct iopt_pages *iopt_alloc_file_pages(struct iommufd_ucmd *ucmd, int fd,
					 uint64_t start, uint64_t length,
					 bool writable, int *err)
{
	struct iommufd_dmabuf *dmabuf;
	struct iopt_pages *pages;
	struct statfs sfs;
	struct stat st;
	int dfd, rc, fl;

	/* fget(): the fd is looked up in the caller's table. */
	if (fd < 0) {
		*err = -EBADF;
		return NULL;
	}
	pages = iopt_alloc_pages(ucmd, start % PAGE_SZ, length, writable, err);
	if (!pages)
		return NULL;
	dfd = pages->source->mm ? caller_mm_getfd(pages->source->mm, fd) :
				  -EBADF;
	if (dfd < 0) {
		/* Running out of our own fds is not the caller's bad fd. */
		*err = dfd == -EMFILE || dfd == -ENFILE || dfd == -ENOMEM ?
			       -ENOMEM : -EBADF;
		iopt_put_pages(pages);
		return NULL;
	}
	/* dma_buf_get() before fget(), as iopt_map_file_pages() does. */
	dmabuf = iommufd_dmabuf_find(ucmd->ictx, dfd, &rc);
	if (rc) {
		caller_fd_close(dfd);
		*err = rc;
		iopt_put_pages(pages);
		return NULL;
	}
	if (dmabuf) {
		caller_fd_close(dfd);
		rc = iopt_alloc_dmabuf_pages(pages, dmabuf, start, length);
		if (rc) {
			*err = rc;
			iopt_put_pages(pages);
			return NULL;
		}
		return pages;
	}
	/* fget() refuses an O_PATH descriptor: it opens no file. */
	fl = fcntl(dfd, F_GETFL);
	if (fl < 0 || (fl & O_PATH)) {
		caller_fd_close(dfd);
		*err = -EBADF;
		iopt_put_pages(pages);
		return NULL;
	}
	pages->type = IOPT_ADDRESS_FILE;
	pages->start = start - start % PAGE_SZ;
	pages->first_byte = start % PAGE_SZ;
	/*
	 * Our own node or mount: never pinnable, and asking its filesystem
	 * anything (fstatfs, fstat) or closing it here would wait for a
	 * worker of our own (own_files.h).
	 */
	if (own_file(dfd)) {
		caller_fd_close(dfd);
		pages->unpinnable = true;
		return pages;
	}
	/*
	 * What memfd_pin_folios() could never pin (a regular file of shmem or
	 * hugetlbfs) is not kept: the kernel takes such a MAP_FILE and fails
	 * its pin (EINVAL), and so do we, without holding the file (a file of
	 * the daemon's own mount, or the node itself, a character device on
	 * devtmpfs, would otherwise keep its context alive for ever).
	 */
	if (fstatfs(dfd, &sfs) || fstat(dfd, &st) || !S_ISREG(st.st_mode) ||
	    (sfs.f_type != (__fsword_t)TMPFS_MAGIC &&
	     sfs.f_type != (__fsword_t)HUGETLBFS_MAGIC)) {
		caller_fd_close(dfd);
		pages->unpinnable = true;
		return pages;
	}
	/* The access the caller's file carries, never more (O_ACCMODE). */
	pages->file_accmode = fl & O_ACCMODE;
	if (!pages_ext(pages)) {
		close(dfd);
		*err = -ENOMEM;
		iopt_put_pages(pages);
		return NULL;
	}
	pages->ext->held = held_file_get(ucmd->ictx, dfd, &st,
					 pages->file_accmode == O_RDWR, err);
	if (!pages->ext->held) {
		iopt_put_pages(pages);
		return NULL;
	}
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
	struct iommufd_daemon *d = pages_ictx(pages)->daemon;
	struct iopt_pages_ext *ext = pages->ext;

	if (--pages->refs)
		return;
	if (ext && ext->pin_users) {
		/* A leak of pin users must not leak the pin itself. */
		ext->pin_users = 0;
		iopt_pages_release_pin(pages);
	}
	if (ext && ext->held)
		held_file_put(pages_ictx(pages), ext->held);
	if (ext && ext->dmabuf)
		iommufd_dmabuf_put(ext->dmabuf);
	pages_ext_free(pages);
	pthread_mutex_lock(&d->lock);
	source_put(d->accounts, pages->source);
	pthread_mutex_unlock(&d->lock);
	obj_pool_free(&iopt_pages_pool, pages);
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
		log_warning("cannot open a client's shared mapping through /proc/PID/map_files with the client's credentials (%s: a non-dumpable client, a file it may not open itself, or a daemon without CAP_SYS_ADMIN and CAP_SETUID/SETGID): such memory is reached through the client's /proc/PID/mem and is not pinned",
			    strerrorname_np(err));
}

/*
 * Walk the bound address space's VMAs over [uptr, uptr + len): any gap, or
 * a VMA without the access the pin needs, is EFAULT as it is for
 * pin_user_pages(); an address space gone since the map call too.
 */
static int pin_plan_user(struct iopt_pages *pages, struct pin_plan *plan)
{
	uint64_t first = pages->uptr, end = pages->uptr + pages->npages * PAGE_SZ;
	uint64_t next = first;
	struct caller_mm *mm = pages->source->mm;
	bool may_map_files = true;
	int rc = 0;

	if (!mm)
		return -EFAULT;
	while (next < end) {
		struct pin_vma v = { .fd = -1 };
		struct caller_vma cv;

		rc = caller_mm_find_vma(mm, next, &cv);
		if (rc) {
			rc = rc == -ENOMEM ? -ENOMEM : -EFAULT;
			break;
		}
		/* A hole in the range, or FOLL_WRITE on a read-only VMA. */
		if (cv.start > next || !cv.read || cv.special ||
		    (pages->writable && !cv.write)) {
			rc = -EFAULT;
			break;
		}
		v.start = cv.start;
		v.end = cv.end;
		v.seg_start = next;
		v.seg_end = cv.end < end ? cv.end : end;
		v.file_off = cv.pgoff + (next - cv.start);
		v.shared = cv.shared;
		if (v.shared && may_map_files) {
			rc = caller_mm_open_vma(mm, &cv,
						pages->writable && cv.write,
						&v.fd);
			if (rc == -EACCES || rc == -EPERM) {
				explain_no_map_files(pages_ictx(pages)->daemon, -rc);
				may_map_files = false;
			} else if (rc == -ENOMEM) {
				break;
			}
			/* -ESTALE: changed under us; follow the VA instead. */
			rc = 0;
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
	return rc;
}

/*
 * memfd_pin_folios(): shmem or hugetlbfs only, and not past the end.  The
 * kernel's pin ignores the file's mode; here the caller's access counts:
 * a writable pin needs an fd opened for reading and writing (EACCES).
 */
static int pin_plan_file(struct iopt_pages *pages, struct pin_plan *plan)
{
	uint64_t len = pages->npages * PAGE_SZ;
	struct pin_vma v = { .fd = -1, .shared = true };
	struct stat st;

	if (pages->unpinnable || pages_fd(pages) < 0)
		return -EINVAL;
	if (fstat(pages_fd(pages), &st))
		return -EINVAL;
	if (pages->start + len < pages->start ||
	    pages->start + len > (uint64_t)st.st_size + PAGE_SZ - 1)
		return -EINVAL;
	if (pages->type == IOPT_ADDRESS_FILE &&
	    (pages->file_accmode == O_WRONLY ||
	     (pages->writable && pages->file_accmode != O_RDWR)))
		return -EACCES;
	v.fd = fcntl(pages_fd(pages), F_DUPFD_CLOEXEC, 0);
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
	void *want = pages->ext->view + (int64_t)(ms - origin);
	void *got;

	/* Only with the access v->fd carries: never reopened (EACCES). */
	got = mmap(want, me - ms, prot, MAP_SHARED | MAP_FIXED, v->fd,
		   (off_t)off);
	if (got == MAP_FAILED)
		return errno == EACCES ? -EACCES : -EFAULT;
	return 0;
}

static void view_guard_init(void);

/* A dma-buf's pages: a window on the buffer's one mapping, nothing new. */
static int iopt_pages_pin_dmabuf(struct iopt_pages *pages)
{
	uint8_t *view;
	int rc;

	view = iommufd_dmabuf_view(pages->ext->dmabuf, &rc);
	if (!view)
		return rc;
	pages->ext->segs = calloc(1, sizeof(*pages->ext->segs));
	if (!pages->ext->segs)
		return -ENOMEM;
	pages->ext->segs[0] = (struct iopt_pin_seg){
		.off = 0,
		.len = pages->npages * PAGE_SZ,
		.shared = true,
	};
	pages->ext->nr_segs = 1;
	pages->ext->view_base = NULL; /* the buffer's: never unmapped here */
	pages->ext->view = view + pages->start;
	pages->ext->npinned = pages->npages;
	pages_ictx(pages)->pinned_bytes += pages->npages * PAGE_SZ;
	return 0;
}

/* Unmaps the daemon's view of pinned pages and forgets its segments. */
static void pages_view_free(struct iopt_pages *pages)
{
	if (pages->ext->view_base)
		munmap(pages->ext->view_base, pages->ext->view_len);
	pages->ext->view_base = NULL;
	pages->ext->view = NULL;
	free(pages->ext->segs);
	pages->ext->segs = NULL;
	pages->ext->nr_segs = 0;
}

static int iopt_pages_do_pin(struct iopt_pages *pages, bool needs_phys)
{
	struct iommufd_daemon *d = pages_ictx(pages)->daemon;
	uint64_t len = pages->npages * PAGE_SZ, align = PAGE_SZ, slack;
	uint64_t origin, cong, limit;
	struct pin_plan plan = { 0 };
	unsigned int nseg = 0;
	bool charged = false;
	int rc;

	/* Before the first view: see view_copy(). */
	view_guard_init();
	if (pages->type == IOPT_ADDRESS_DMABUF)
		return iopt_pages_pin_dmabuf(pages);
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
	limit = pages->account_mode == IOPT_PAGES_ACCOUNT_NONE ?
			UINT64_MAX : source_limit_pages(pages->source);
	pthread_mutex_lock(&d->lock);
	rc = account_update(d->accounts, pages->source, pages->account_mode,
			    pages->npages, true, limit);
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
	pages->ext->view_len = len + slack;
	pages->ext->view_base = mmap(NULL, pages->ext->view_len, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	if (pages->ext->view_base == MAP_FAILED) {
		pages->ext->view_base = NULL;
		rc = -ENOMEM;
		goto out;
	}
	if (slack) {
		uintptr_t v = (uintptr_t)pages->ext->view_base + 2 * align;

		v = (v - (v % align)) + (cong % align);
		pages->ext->view = (uint8_t *)v;
	} else {
		pages->ext->view = pages->ext->view_base;
	}

	pages->ext->segs = calloc(plan.n, sizeof(*pages->ext->segs));
	if (!pages->ext->segs) {
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
			if (syscall(SYS_mlock, pages->ext->view + soff,
				    v->seg_end - v->seg_start)) {
				int mlock_err = errno;

				if (madvise(pages->ext->view + soff,
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
		pages->ext->segs[nseg++] = (struct iopt_pin_seg){
			.off = soff,
			.len = v->seg_end - v->seg_start,
			.shared = v->shared,
			.hpage = v->shared ? v->hpage : 0,
		};
	}
	pages->ext->nr_segs = nseg;
	pages->ext->npinned = pages->npages;
	pages_ictx(pages)->pinned_bytes += pages->npages * PAGE_SZ;
	pin_plan_free(&plan);
	return 0;

out_unmap:
	pages_view_free(pages);
out:
	if (charged) {
		pthread_mutex_lock(&d->lock);
		account_update(d->accounts, pages->source, pages->account_mode,
			       pages->npages, false, 0);
		pthread_mutex_unlock(&d->lock);
	}
	pin_plan_free(&plan);
	return rc;
}

static void iopt_pages_release_pin(struct iopt_pages *pages)
{
	struct iommufd_daemon *d = pages_ictx(pages)->daemon;

	pages_view_free(pages);
	pthread_mutex_lock(&d->lock);
	account_update(d->accounts, pages->source, pages->account_mode,
		       pages->ext->npinned, false, 0);
	pthread_mutex_unlock(&d->lock);
	pages_ictx(pages)->pinned_bytes -= pages->ext->npinned * PAGE_SZ;
	pages->ext->npinned = 0;
}

int iopt_pages_pin(struct iopt_pages *pages, bool needs_phys)
{
	struct iopt_pages_ext *ext;
	int rc;

	if (pages_pinned(pages)) {
		ext = pages->ext;
		/* Already pinned; a hardware domain still needs real pages. */
		if (needs_phys)
			for (unsigned int i = 0; i < ext->nr_segs; i++)
				if (!ext->segs[i].shared)
					return -EOPNOTSUPP;
		ext->pin_users++;
		return 0;
	}
	ext = pages_ext(pages);
	if (!ext)
		return -ENOMEM;
	rc = iopt_pages_do_pin(pages, needs_phys);
	if (rc) {
		pages_ext_trim(pages);
		return rc;
	}
	ext->pin_users = 1;
	return 0;
}

void iopt_pages_unpin(struct iopt_pages *pages)
{
	if (!pages_pinned(pages) || --pages->ext->pin_users)
		return;
	iopt_pages_release_pin(pages);
	pages_ext_trim(pages);
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
	if (!pages->ext)
		return false;
	for (unsigned int i = 0; i < pages->ext->nr_segs; i++) {
		const struct iopt_pin_seg *sg = &pages->ext->segs[i];
		uintptr_t first, last;

		if (!sg->shared || !sg->hpage || start_byte < sg->off ||
		    start_byte + len > sg->off + sg->len)
			continue;
		first = (uintptr_t)(pages->ext->view + start_byte);
		last = first + (len - 1);
		return first / sg->hpage == last / sg->hpage;
	}
	return false;
}

void *iopt_pages_view_va(const struct iopt_pages *pages, uint64_t start_byte,
			 uint64_t len)
{
	uint64_t end, covered = start_byte;

	if (!len || __builtin_add_overflow(start_byte, len, &end) ||
	    end > pages->npages * PAGE_SZ || !pages->ext ||
	    !pages->ext->nr_segs || !pages->ext->view)
		return NULL;
	/* Segments are in byte order; all of the range must be in the view. */
	for (unsigned int i = 0; i < pages->ext->nr_segs && covered < end; i++) {
		const struct iopt_pin_seg *sg = &pages->ext->segs[i];

		if (covered >= sg->off + sg->len)
			continue;
		if (!sg->shared || sg->off > covered)
			return NULL;
		covered = sg->off + sg->len;
	}
	if (covered < end)
		return NULL;
	return pages->ext->view + start_byte;
}

/* ---- access ------------------------------------------------------------- */

/*
 * Touching a view.  A view maps the client's own file MAP_SHARED, and the
 * client may ftruncate() that file at any moment.  The kernel's pin keeps
 * its folios after a truncation; a mapping does not: the next touch of a
 * page past the new end raises SIGBUS, whose default action would end the
 * daemon and every client's state with it.  So every copy to or from a
 * view runs armed: a per-thread jump buffer and the range it covers.  A
 * SIGBUS on the armed range of the faulting thread jumps back and the copy
 * answers EFAULT, as a kernel copy from a page it could not reach would.
 * Any other SIGBUS (a bug of ours, or one sent by kill) keeps its default
 * action.  SA_NODEFER: the jump leaves the handler without restoring the
 * signal mask (no syscall per copy), so SIGBUS must not stay blocked; a
 * fault on a blocked SIGBUS would make the kernel reset the handler.
 * The handler is installed once, before the first view exists.
 */
static __thread sigjmp_buf *view_jmp;
static __thread uintptr_t view_lo, view_hi;
static pthread_once_t view_guard_once = PTHREAD_ONCE_INIT;

static void view_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = view_jmp;
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)uc;
	if (jb && si->si_code > 0 && a >= view_lo && a < view_hi) {
		view_jmp = NULL;
		siglongjmp(*jb, 1);
	}
	/* Not ours: the default action, on return (a fault) or at once. */
	signal(sig, SIG_DFL);
	if (si->si_code <= 0)
		raise(sig);
}

static void view_guard_install(void)
{
	struct sigaction sa = {
		.sa_sigaction = view_sigbus,
		.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART,
	};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		log_error("cannot install the SIGBUS handler (%s): a client that truncates its pinned file can end the daemon",
			  strerror(errno));
}

/* Called before any view is made; cheap after the first time. */
static void view_guard_init(void)
{
	pthread_once(&view_guard_once, view_guard_install);
}

/*
 * memcpy() where [lo, lo + len) is the part of a view being touched: 0, or
 * -EFAULT when a page of it is gone (the client truncated its file).
 */
static int view_copy(void *dst, const void *src, size_t n, const void *lo,
		     size_t len)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		atomic_signal_fence(memory_order_seq_cst);
		return -EFAULT;
	}
	view_lo = (uintptr_t)lo;
	view_hi = (uintptr_t)lo + len;
	atomic_signal_fence(memory_order_seq_cst);
	view_jmp = &jb;
	atomic_signal_fence(memory_order_seq_cst);
	memcpy(dst, src, n);
	atomic_signal_fence(memory_order_seq_cst);
	view_jmp = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	return 0;
}

/*
 * A file area nobody pinned: read or write the held file, inside its
 * current size only.  Past the end the kernel has no page to pin (EFAULT),
 * and a pwrite() there would grow the file with memory the daemon, not the
 * client, allocates and nobody is charged for.
 */
static int unpinned_file_rw(struct iopt_pages *pages, uint64_t off, void *buf,
			    size_t len, bool write)
{
	uint64_t pos = pages->start + off, end;
	struct stat st;

	if (pages_fd(pages) < 0 || fstat(pages_fd(pages), &st) ||
	    __builtin_add_overflow(pos, (uint64_t)len, &end) ||
	    end > (uint64_t)st.st_size)
		return -EFAULT;
	/* What a writable pin would need: an fd opened for writing. */
	if (write && pages->file_accmode != O_RDWR)
		return -EFAULT;
	while (len) {
		ssize_t n = write ? pwrite(pages_fd(pages), buf, len, (off_t)pos) :
				    pread(pages_fd(pages), buf, len, (off_t)pos);

		if (n <= 0)
			return -EFAULT;
		buf = (char *)buf + n;
		pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int unpinned_rw(struct iopt_pages *pages, uint64_t off, void *buf,
		       size_t len, bool write)
{
	/*
	 * The address space bound at the map call, and no other, with the
	 * VMAs' own permissions: /proc/TID/mem alone would write read-only
	 * and read PROT_NONE memory (FOLL_FORCE); copy_to_user() would not.
	 */
	if (pages->type == IOPT_ADDRESS_USER)
		return write ? caller_mm_write_checked(pages->source->mm,
						       pages->uptr + off, buf,
						       len) :
			       caller_mm_read_checked(pages->source->mm,
						      pages->uptr + off, buf,
						      len);
	/* A dma-buf has no CPU access but through its pin. */
	if (pages->type != IOPT_ADDRESS_FILE)
		return -EFAULT;
	return unpinned_file_rw(pages, off, buf, len, write);
}

int iopt_pages_rw(struct iopt_pages *pages, uint64_t start_byte, void *buf,
		  size_t len, bool write)
{
	uint64_t end;

	if (__builtin_add_overflow(start_byte, len, &end) ||
	    end > pages->npages * PAGE_SZ)
		return -EFAULT;
	if (!pages->ext || !pages->ext->nr_segs)
		return unpinned_rw(pages, start_byte, buf, len, write);
	for (unsigned int i = 0; i < pages->ext->nr_segs && len; i++) {
		const struct iopt_pin_seg *sg = &pages->ext->segs[i];
		uint64_t n;
		int rc;

		if (start_byte >= sg->off + sg->len)
			continue;
		n = sg->off + sg->len - start_byte;
		if (n > len)
			n = len;
		if (sg->shared) {
			uint8_t *v = pages->ext->view + start_byte;

			rc = write ? view_copy(v, buf, n, v, n) :
				     view_copy(buf, v, n, v, n);
			if (rc)
				return rc;
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

/* ---- IOMMU_IOAS_CHANGE_PROCESS ----------------------------------------- */

/*
 * Pins already charged where src would charge them: the same user and the
 * same live process (its MM counter is shared, see iopt_proc_account).
 */
static bool same_payer(const struct iopt_source *old,
		       const struct iopt_source *src)
{
	return old == src || (old->uid == src->uid && old->proc &&
			      old->proc == src->proc);
}

int iopt_pages_change_process(struct iommufd_ucmd *ucmd,
			      struct iopt_pages **all, size_t num)
{
	struct iommufd_daemon *d = ucmd->ictx->daemon;
	uint64_t charge[IOPT_PAGES_ACCOUNT_MM + 1] = { 0 };
	struct iopt_accounts *a;
	struct iopt_source *src;
	uint64_t limit;
	int rc = 0, mode;

	src = source_new(ucmd);
	if (!src)
		return -ENOMEM;
	limit = source_limit_pages(src);
	pthread_mutex_lock(&d->lock);
	a = iopt_accounts(d);
	if (!a) {
		source_put(a, src);
		pthread_mutex_unlock(&d->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < num; i++)
		if (!same_payer(all[i]->source, src))
			charge[all[i]->account_mode] += pages_npinned(all[i]);
	for (mode = 0; mode <= IOPT_PAGES_ACCOUNT_MM; mode++) {
		rc = account_update(a, src, mode, charge[mode], true, limit);
		if (rc)
			break;
	}
	if (rc) {
		while (mode--)
			account_update(a, src, mode, charge[mode], false, 0);
		source_put(a, src);
		pthread_mutex_unlock(&d->lock);
		return rc;
	}
	for (size_t i = 0; i < num; i++) {
		struct iopt_pages *pages = all[i];

		if (same_payer(pages->source, src))
			continue;
		account_update(a, pages->source, pages->account_mode,
			       pages_npinned(pages), false, 0);
		source_put(a, pages->source);
		src->refs++;
		pages->source = src;
	}
	source_put(a, src);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

struct iopt_charge {
	struct iopt_source *source;
	enum iopt_pages_account_mode mode;
	uint64_t npages;
};

struct iopt_charge *iopt_charge_caller(struct iommufd_ucmd *ucmd,
				       uint64_t npages, int *err)
{
	struct iommufd_daemon *d = ucmd->ictx->daemon;
	struct iopt_charge *c = calloc(1, sizeof(*c));
	uint64_t limit;

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->source = source_new(ucmd);
	if (!c->source) {
		free(c);
		*err = -ENOMEM;
		return NULL;
	}
	/* The kernel's capable(CAP_IPC_LOCK): not charged. */
	c->mode = c->source->cap_ipc_lock ? IOPT_PAGES_ACCOUNT_NONE :
					    IOPT_PAGES_ACCOUNT_USER;
	c->npages = npages;
	limit = c->mode == IOPT_PAGES_ACCOUNT_NONE ?
			UINT64_MAX : source_limit_pages(c->source);
	pthread_mutex_lock(&d->lock);
	*err = iopt_accounts(d) ? account_update(d->accounts, c->source,
						 c->mode, npages, true, limit) :
				  -ENOMEM;
	if (*err) {
		source_put(d->accounts, c->source);
		pthread_mutex_unlock(&d->lock);
		free(c);
		return NULL;
	}
	pthread_mutex_unlock(&d->lock);
	return c;
}

void iopt_uncharge(struct iommufd_daemon *d, struct iopt_charge *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	account_update(d->accounts, c->source, c->mode, c->npages, false, 0);
	source_put(d->accounts, c->source);
	pthread_mutex_unlock(&d->lock);
	free(c);
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

void iopt_account_totals(struct iommufd_daemon *d, struct iopt_account_totals *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&d->lock);
	if (d->accounts) {
		for (struct iopt_user_account *u = d->accounts->users; u; u = u->next) {
			t->users++;
			t->user_pages += u->locked_pages;
		}
		for (struct iopt_proc_account *p = d->accounts->procs; p; p = p->next) {
			t->procs++;
			t->proc_pages += p->locked_pages;
		}
	}
	pthread_mutex_unlock(&d->lock);
}

pid_t iopt_caller_tgid(struct iommufd_ucmd *ucmd)
{
	if (ucmd->caller.mm)
		return caller_mm_tgid(ucmd->caller.mm);
	/* During the call only: the thread waits for our reply. */
	return ucmd->caller.pid ? proc_tgid(ucmd->caller.pid) : 0;
}

bool iopt_pages_pins_user_va(const struct iopt_pages *pages,
			     struct caller_mm *caller, uint64_t va)
{
	struct caller_mm *mm = pages->source->mm;
	struct caller_vma v;
	struct stat st;
	uint64_t off;

	if (!pages_pinned(pages) || !caller)
		return false;
	/*
	 * The same process, and the address space bound at the map call is
	 * still there: no exact mm identity is exported, so a process that
	 * exec'd while a CLONE_VM sibling keeps the old mm alive would count
	 * (this only feeds the self-test's refcount check).
	 */
	if (pages->type == IOPT_ADDRESS_USER)
		return mm && caller_mm_tgid(mm) == caller_mm_tgid(caller) &&
		       caller_mm_process_alive(mm) && caller_mm_alive(mm) &&
		       va >= pages->uptr &&
		       va - pages->uptr < pages->npages * PAGE_SZ;
	/*
	 * A pinned file page is the page cache page every mapping of that
	 * file offset shows, in any process, as the kernel's page refcount
	 * sees it.  The caller's VMA comes from its bound maps fd.
	 */
	if (pages_fd(pages) < 0 || fstat(pages_fd(pages), &st) ||
	    caller_mm_find_vma(caller, va, &v) || v.start > va || !v.ino)
		return false;
	off = v.pgoff + (va - va % PAGE_SZ - v.start);
	return v.dev == st.st_dev && v.ino == (uint64_t)st.st_ino &&
	       off >= pages->start &&
	       off - pages->start < pages->npages * PAGE_SZ;
}
