// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libuiommufd-shared-anon: run a program unchanged with its large private
 * anonymous memory backed by memfds mapped MAP_SHARED, so that uiommufd
 * can map the same pages into itself and a hardware backend (needs_phys:
 * a VFIO type1 container, the kernel's iommufd) can pin them.  The kernel
 * pins only the calling process's own pages; the daemon is another
 * process and can share only shared memory (docs/private-memory.md).
 *
 * Theory of operation
 * -------------------
 * mmap(MAP_PRIVATE|MAP_ANONYMOUS) of at least UIOMMUFD_SHARED_ANON_MIN
 * bytes (64 KiB), not PROT_NONE (an address space reservation), not
 * MAP_STACK, MAP_GROWSDOWN, MAP_HUGETLB or MAP_NORESERVE, becomes a fresh
 * memfd of that size mapped MAP_SHARED at the same place, its fd closed at
 * once (the program's descriptor table and RLIMIT_NOFILE stay its own).
 * The region is recorded in a fixed table (region.c); whenever anything
 * fails (memfd_create, ftruncate, the table full) the program gets the
 * real private mapping, so the shim never makes a call fail that would
 * have worked.  glibc's malloc maps its large chunks with an internal
 * mmap nobody can interpose, so shared_malloc.c serves large malloc,
 * calloc, realloc and aligned allocations itself from such regions.
 *
 * What a private anonymous mapping promises, kept:
 *  - zero fill: a new memfd reads zero;
 *  - MADV_DONTNEED / MADV_FREE / MADV_REMOVE read back zero: the range's
 *    part in a region is punched out of its file (MADV_REMOVE);
 *  - mremap: shrinking and moving are the kernel's (a shared mapping moves
 *    as well as a private one); growing copies into a new memfd, in place
 *    (the pages after the region reserved first) or moved as the flags
 *    allow, contents kept; MREMAP_DONTUNMAP leaves zeros behind;
 *  - munmap of a part, mprotect of a part, MAP_FIXED over a region: the
 *    table is cut to match;
 *  - fork: the child gets a private copy.  The copy is taken in the
 *    pthread_atfork prepare handler, while the forking thread waits, into
 *    new memfds, and the child's handler moves them over its regions, so
 *    the child's memory is again shared memory of its own and the
 *    parent's DMA-able pages stay the parent's alone (the kernel gives a
 *    child a copy of pages pinned for DMA at fork too).  MADV_DONTFORK
 *    regions are not in the child, MADV_WIPEONFORK ones read zero there;
 *  - exec drops everything, as for private memory.
 * vfork and posix_spawn run no fork handlers and share the memory until
 * the child execs, as they do with private memory.  A raw clone(2) or
 * _Fork() without CLONE_VM runs no handlers either: that child shares the
 * regions with its parent.
 *
 * Locking: sa_lock guards the table and is held across every system call
 * that changes a region, so the table and the address space agree for
 * every other thread of the shim; fork holds it from prepare to the
 * parent's and the child's handlers.
 */
/* Both mmap and mmap64 are defined here, so neither may alias the other. */
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared_anon.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif

pthread_mutex_t sa_lock = PTHREAD_MUTEX_INITIALIZER;
size_t sa_threshold = 64u << 10;
bool sa_enabled = true;
static uintptr_t page_mask = 4095;

static uintptr_t page_up(uintptr_t len)
{
	return (len + page_mask) & ~page_mask;
}

static bool backs(size_t len, int prot, int flags)
{
	if (!sa_enabled || len < sa_threshold || prot == PROT_NONE)
		return false;
	if ((flags & MAP_TYPE) != MAP_PRIVATE || !(flags & MAP_ANONYMOUS))
		return false;
	return !(flags & (MAP_STACK | MAP_GROWSDOWN | MAP_HUGETLB | MAP_NORESERVE));
}

void *sa_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	bool replaces = (flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE);
	uintptr_t plen = page_up(len);
	void *p;

	pthread_mutex_lock(&sa_lock);
	if (!len || !backs(len, prot, flags) || ((uintptr_t)addr & page_mask) ||
	    !sa_room()) {
		p = sa_sys_mmap(addr, len, prot, flags, fd, off);
		if (p != MAP_FAILED && replaces)
			sa_forget((uintptr_t)p, (uintptr_t)p + plen);
		goto out;
	}
	p = sa_new_backing(addr, plen, prot, flags & ~(MAP_TYPE | MAP_ANONYMOUS));
	if (p == MAP_FAILED) {
		p = sa_sys_mmap(addr, len, prot, flags, fd, off);
		goto out;
	}
	if (replaces)
		sa_forget((uintptr_t)p, (uintptr_t)p + plen);
	if (sa_insert((uintptr_t)p, (uintptr_t)p + plen, prot, 0, true) < 0) {
		/* Table full: the same place, as the private memory asked for. */
		int f = (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED;

		p = sa_sys_mmap(p, plen, prot, f, -1, 0);
	}
out:
	pthread_mutex_unlock(&sa_lock);
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return sa_mmap(addr, len, prot, flags, fd, (long)off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return sa_mmap(addr, len, prot, flags, fd, (long)off);
}

int sa_munmap(void *addr, size_t len)
{
	int rc;

	pthread_mutex_lock(&sa_lock);
	rc = sa_sys_munmap(addr, len);
	/*
	 * Nothing is punched out of the file: pages the daemon pinned stay
	 * as they were, as a kernel pin keeps them after munmap.  A region's
	 * file goes with its last mapping.
	 */
	if (!rc)
		sa_forget((uintptr_t)addr, (uintptr_t)addr + page_up(len));
	pthread_mutex_unlock(&sa_lock);
	return rc;
}

int munmap(void *addr, size_t len)
{
	return sa_munmap(addr, len);
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t start = (uintptr_t)addr, end = start + page_up(len);
	int rc;

	pthread_mutex_lock(&sa_lock);
	rc = sa_sys_mprotect(addr, len, prot);
	if (!rc && sa_overlaps(start, end)) {
		sa_cut(start, end);
		for (unsigned int i = 0; i < sa_slots(); i++) {
			struct sa_region *r = sa_slot(i);

			if (r && start <= r->start && r->end <= end)
				r->prot = prot;
		}
	}
	pthread_mutex_unlock(&sa_lock);
	return rc;
}

/* The first region starting in (pos, end), or end. */
static uintptr_t next_region(uintptr_t pos, uintptr_t end)
{
	for (unsigned int i = 0; i < sa_slots(); i++) {
		struct sa_region *r = sa_slot(i);

		if (r && r->start > pos && r->start < end)
			end = r->start;
	}
	return end;
}

/* A region's part reads zero afterwards: its pages leave the file. */
static int zero_part(struct sa_region *r, uintptr_t start, uintptr_t end)
{
	int rc = sa_sys_madvise((void *)start, end - start, MADV_REMOVE);

	if (rc && errno == EACCES) {
		/* MADV_REMOVE wants a writable mapping; the memfd is one. */
		sa_sys_mprotect((void *)start, end - start, r->prot | PROT_WRITE);
		rc = sa_sys_madvise((void *)start, end - start, MADV_REMOVE);
		sa_sys_mprotect((void *)start, end - start, r->prot);
	}
	return rc;
}

/*
 * madvise over a range that touches regions: the regions' parts get what
 * private memory would, the rest the kernel's own answer.
 */
static int advise_mixed(uintptr_t start, uintptr_t end, int advice)
{
	unsigned int set = 0, clear = 0;
	bool zero = false, to_kernel = true;
	int rc = 0, err = 0;

	switch (advice) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_REMOVE:
		zero = true;
		break;
	case MADV_DONTFORK:
		set = SA_DONTFORK;
		break;
	case MADV_DOFORK:
		clear = SA_DONTFORK;
		break;
	case MADV_WIPEONFORK:	/* the kernel allows it on private memory only */
		set = SA_WIPEONFORK;
		to_kernel = false;
		break;
	case MADV_KEEPONFORK:
		clear = SA_WIPEONFORK;
		to_kernel = false;
		break;
	default:
		return sa_sys_madvise((void *)start, end - start, advice);
	}
	if (set || clear)
		sa_cut(start, end);
	for (uintptr_t pos = start; pos < end;) {
		struct sa_region *r = sa_find(pos);
		uintptr_t stop;

		if (!r) {
			stop = next_region(pos, end);
			if (sa_sys_madvise((void *)pos, stop - pos, advice)) {
				rc = -1;
				err = errno;
			}
			pos = stop;
			continue;
		}
		stop = r->end < end ? r->end : end;
		if (zero) {
			if (zero_part(r, pos, stop)) {
				rc = -1;
				err = errno;
			}
		} else if (!to_kernel ||
			   !sa_sys_madvise((void *)pos, stop - pos, advice)) {
			r->flags = (r->flags | set) & ~clear;
		} else {
			rc = -1;
			err = errno;
		}
		pos = stop;
	}
	if (rc)
		errno = err;
	return rc;
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t start = (uintptr_t)addr, end = start + page_up(len);
	int rc;

	pthread_mutex_lock(&sa_lock);
	if (!len || (start & page_mask) || end < start || !sa_overlaps(start, end))
		rc = sa_sys_madvise(addr, len, advice);
	else
		rc = advise_mixed(start, end, advice);
	pthread_mutex_unlock(&sa_lock);
	return rc;
}

static void *fail_with(int err)
{
	errno = err;
	return MAP_FAILED;
}

/*
 * A grown or moved copy of [old, old + olen) that spans regions: a new
 * memfd, filled, moved onto its place (target 0: where the kernel put it).
 * A reservation of the grown part in place, made by the caller, is
 * replaced by the move.
 */
static void *remap_copy(uintptr_t old, uintptr_t olen, uintptr_t nlen,
			int flags, uintptr_t target)
{
	struct sa_region *r = sa_find(old);
	int prot = r->prot;
	unsigned int rflags = r->flags;
	bool tracked = true;
	void *tmp, *p;

	tmp = sa_copy_backing(old, olen < nlen ? olen : nlen, nlen);
	if (tmp == MAP_FAILED) {
		tracked = false;
		tmp = sa_sys_mmap(NULL, nlen, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tmp == MAP_FAILED)
			return fail_with(ENOMEM);
		sa_copy_from(tmp, old, olen < nlen ? olen : nlen);
	}
	if (prot != (PROT_READ | PROT_WRITE))
		sa_sys_mprotect(tmp, nlen, prot);
	p = tmp;
	if (target) {
		p = sa_sys_mremap(tmp, nlen, nlen, MREMAP_MAYMOVE | MREMAP_FIXED,
				  (void *)target);
		if (p == MAP_FAILED) {
			int err = errno;

			sa_sys_munmap(tmp, nlen);
			return fail_with(err);
		}
	}
	if ((uintptr_t)p != old) {
		if (flags & MREMAP_DONTUNMAP) {
			/* The old range stays, empty, as moved private memory leaves it. */
			void *z = sa_new_backing((void *)old, olen, prot, MAP_FIXED);

			if (z == MAP_FAILED)
				z = sa_sys_mmap((void *)old, olen, prot, MAP_PRIVATE |
						MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			sa_forget(old, old + olen);
			if (z != MAP_FAILED)
				(void)sa_insert(old, old + olen, prot, rflags, false);
		} else {
			sa_sys_munmap((void *)old, olen);
			sa_forget(old, old + olen);
		}
	} else {
		sa_forget(old, old + olen);
	}
	sa_forget((uintptr_t)p, (uintptr_t)p + nlen);
	if (tracked)
		(void)sa_insert((uintptr_t)p, (uintptr_t)p + nlen, prot, rflags, false);
	return p;
}

void *sa_mremap_locked(uintptr_t old, size_t oldlen, size_t newlen, int flags,
		       uintptr_t new_addr)
{
	uintptr_t olen = page_up(oldlen), nlen = page_up(newlen), target = 0;
	struct sa_region *r;
	void *p;

	if (!sa_overlaps(old, old + (olen ? olen : 1))) {
		p = sa_sys_mremap((void *)old, oldlen, newlen, flags, (void *)new_addr);
		if (p != MAP_FAILED && (flags & MREMAP_FIXED))
			sa_forget(new_addr, new_addr + nlen);
		return p;
	}
	/* old_size 0 duplicates a shared mapping; private memory refuses it. */
	if (!oldlen || !newlen || (old & page_mask) ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE)) ||
	    ((flags & MREMAP_DONTUNMAP) && olen != nlen))
		return fail_with(EINVAL);
	if (flags & MREMAP_FIXED) {
		if ((new_addr & page_mask) ||
		    (new_addr < old + olen && old < new_addr + nlen))
			return fail_with(EINVAL);
		target = new_addr;
	}
	if (!sa_covered(old, old + olen))
		return fail_with(EFAULT);
	r = sa_find(old);

	/* Shrinking in place, or moving one region: the kernel's own. */
	if (nlen <= olen && !(flags & MREMAP_DONTUNMAP) &&
	    (!target || old + olen <= r->end)) {
		int prot = r->prot;
		unsigned int rflags = r->flags;

		p = sa_sys_mremap((void *)old, oldlen, newlen, flags, (void *)new_addr);
		if (p == MAP_FAILED)
			return p;
		sa_forget(old + nlen, old + olen);
		if (target) {
			sa_forget(old, old + nlen);
			sa_forget(target, target + nlen);
			(void)sa_insert(target, target + nlen, prot, rflags, false);
		}
		return p;
	}
	if (!(flags & MREMAP_MAYMOVE)) {
		void *hole = sa_sys_mmap((void *)(old + olen), nlen - olen, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_FIXED_NOREPLACE, -1, 0);

		if (hole == MAP_FAILED)
			return fail_with(ENOMEM);
		if ((uintptr_t)hole != old + olen) {	/* a kernel before 4.17 */
			sa_sys_munmap(hole, nlen - olen);
			return fail_with(ENOMEM);
		}
		p = remap_copy(old, olen, nlen, flags, old);
		if (p == MAP_FAILED)
			sa_sys_munmap(hole, nlen - olen);
		return p;
	}
	return remap_copy(old, olen, nlen, flags, target);
}

void *mremap(void *old, size_t oldlen, size_t newlen, int flags, ...)
{
	uintptr_t new_addr = 0;
	void *p;

	if (flags & MREMAP_FIXED) {
		va_list ap;

		va_start(ap, flags);
		new_addr = (uintptr_t)va_arg(ap, void *);
		va_end(ap);
	}
	pthread_mutex_lock(&sa_lock);
	p = sa_mremap_locked((uintptr_t)old, oldlen, newlen, flags, new_addr);
	pthread_mutex_unlock(&sa_lock);
	return p;
}

/*
 * fork.  snap[i]: the copy of slot i taken in prepare (NULL: none taken,
 * the child copies for itself); snap_private[i]: that copy is private
 * memory, as the fallback when no memfd could be had.
 */
static void *snap[SA_MAX_REGIONS];
static bool snap_private[SA_MAX_REGIONS];

static void fork_prepare(void)
{
	pthread_mutex_lock(&sa_lock);
	for (unsigned int i = 0; i < sa_slots(); i++) {
		struct sa_region *r = sa_slot(i);
		size_t len;
		void *p;

		snap[i] = NULL;
		if (!r || (r->flags & (SA_DONTFORK | SA_WIPEONFORK)))
			continue;
		len = r->end - r->start;
		snap_private[i] = false;
		p = sa_copy_backing(r->start, len, len);
		if (p == MAP_FAILED) {
			snap_private[i] = true;
			p = sa_sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				continue;
			sa_copy_from(p, r->start, len);
		}
		snap[i] = p;
	}
}

static void fork_parent(void)
{
	for (unsigned int i = 0; i < sa_slots(); i++) {
		struct sa_region *r = sa_slot(i);

		if (r && snap[i])
			sa_sys_munmap(snap[i], r->end - r->start);
		snap[i] = NULL;
	}
	pthread_mutex_unlock(&sa_lock);
}

/* The child's copy of r, or private memory where none could be had. */
static void child_own(struct sa_region *r, unsigned int i)
{
	size_t len = r->end - r->start;
	void *p = snap[i];
	bool tracked = p && !snap_private[i];

	if (r->flags & SA_WIPEONFORK) {
		p = sa_new_backing((void *)r->start, len, r->prot, MAP_FIXED);
		if (p == MAP_FAILED)
			sa_sys_mmap((void *)r->start, len, r->prot, MAP_PRIVATE |
				    MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		tracked = p != MAP_FAILED;
	} else {
		if (!p) {
			/* Copied now: the parent may have moved on meanwhile. */
			p = sa_sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				abort();	/* no memory to make the child's copy */
			sa_copy_from(p, r->start, len);
		}
		sa_sys_mprotect(p, len, r->prot);
		if (sa_sys_mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				  (void *)r->start) == MAP_FAILED)
			abort();	/* the child would share its parent's memory */
	}
	snap[i] = NULL;
	if (!tracked)
		sa_forget(r->start, r->end);
}

static void fork_child(void)
{
	for (unsigned int i = 0; i < sa_slots(); i++) {
		struct sa_region *r = sa_slot(i);

		if (!r)
			continue;
		if (r->flags & SA_DONTFORK)	/* the kernel did not copy it */
			sa_forget(r->start, r->end);
		else
			child_own(r, i);
	}
	pthread_mutex_unlock(&sa_lock);
}

static size_t parse_size(const char *s, size_t dflt)
{
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return dflt;
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	return (size_t)v;
}

__attribute__((constructor)) static void sa_init(void)
{
	const char *off = getenv("UIOMMUFD_SHARED_ANON");
	long pg = sysconf(_SC_PAGESIZE);

	if (pg > 0)
		page_mask = (uintptr_t)pg - 1;
	if (off && !strcmp(off, "0"))
		sa_enabled = false;
	sa_threshold = parse_size(getenv("UIOMMUFD_SHARED_ANON_MIN"), sa_threshold);
	if (sa_threshold < page_mask + 1)
		sa_threshold = page_mask + 1;
	sa_limit_regions((unsigned int)parse_size(
		getenv("UIOMMUFD_SHARED_ANON_REGIONS"), SA_MAX_REGIONS));
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
