// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shim's table of memfd-backed regions: a fixed array, scanned
 * linearly (the cost of a scan is small beside the memfd_create, ftruncate
 * and mmap that made each entry), and the raw system calls the shim uses
 * for itself.  Every function here runs under sa_lock.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shared_anon.h"

static struct sa_region regions[SA_MAX_REGIONS];
static unsigned int nr_used;	/* slots in use */
static unsigned int hiwat;	/* no slot from here on is in use */
static unsigned int max_regions = SA_MAX_REGIONS;

void *sa_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int sa_sys_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

void *sa_sys_mremap(void *old, size_t oldlen, size_t newlen, int flags,
		    void *new_addr)
{
	return (void *)syscall(SYS_mremap, old, oldlen, newlen, flags, new_addr);
}

int sa_sys_madvise(void *addr, size_t len, int advice)
{
	return (int)syscall(SYS_madvise, addr, len, advice);
}

int sa_sys_mprotect(void *addr, size_t len, int prot)
{
	return (int)syscall(SYS_mprotect, addr, len, prot);
}

void sa_limit_regions(unsigned int n)
{
	if (n >= 1 && n < SA_MAX_REGIONS)
		max_regions = n;
}

unsigned int sa_slots(void)
{
	return hiwat;
}

/* A new region would find a slot (see sa_insert()). */
bool sa_room(void)
{
	unsigned int cap = max_regions;

	cap = cap > SA_SPLIT_RESERVE * 2 ? cap - SA_SPLIT_RESERVE : cap / 2;
	return nr_used < cap;
}

struct sa_region *sa_slot(unsigned int i)
{
	return regions[i].start ? &regions[i] : NULL;
}

struct sa_region *sa_find(uintptr_t addr)
{
	for (unsigned int i = 0; i < hiwat; i++)
		if (regions[i].start && regions[i].start <= addr &&
		    addr < regions[i].end)
			return &regions[i];
	return NULL;
}

bool sa_overlaps(uintptr_t start, uintptr_t end)
{
	if (!nr_used)
		return false;
	for (unsigned int i = 0; i < hiwat; i++)
		if (regions[i].start && regions[i].start < end &&
		    start < regions[i].end)
			return true;
	return false;
}

/* Every byte of [start, end) lies in some region. */
bool sa_covered(uintptr_t start, uintptr_t end)
{
	while (start < end) {
		struct sa_region *r = sa_find(start);

		if (!r)
			return false;
		start = r->end;
	}
	return true;
}

/*
 * A new entry.  A new region (not a piece of one being cut) leaves
 * SA_SPLIT_RESERVE slots free, and none is taken past the configured cap.
 */
int sa_insert(uintptr_t start, uintptr_t end, int prot, unsigned int flags,
	      bool new_region)
{
	if (new_region ? !sa_room() : nr_used >= SA_MAX_REGIONS)
		return -ENOSPC;
	for (unsigned int i = 0; i < SA_MAX_REGIONS; i++)
		if (!regions[i].start) {
			regions[i] = (struct sa_region){ start, end, prot, flags };
			nr_used++;
			if (i >= hiwat)
				hiwat = i + 1;
			return 0;
		}
	return -ENOSPC;
}

/*
 * No region straddles start or end afterwards.  Should no slot be left for
 * the second piece, the piece outside [start, end) is no longer tracked:
 * it stays DMA-able memory, but a child would share it (said in
 * docs/private-memory.md; it takes 64 splits past a full table).
 */
void sa_cut(uintptr_t start, uintptr_t end)
{
	uintptr_t at[2] = { start, end };

	for (int k = 0; k < 2; k++) {
		struct sa_region *r = sa_find(at[k]);

		if (!r || r->start == at[k])
			continue;
		/* On failure the far piece is dropped, see above. */
		(void)sa_insert(at[k], r->end, r->prot, r->flags, false);
		r->end = at[k];
	}
}

/* Drops [start, end) from the table (the memory is the caller's affair). */
void sa_forget(uintptr_t start, uintptr_t end)
{
	if (!sa_overlaps(start, end))
		return;
	sa_cut(start, end);
	for (unsigned int i = 0; i < hiwat; i++)
		if (regions[i].start && start <= regions[i].start &&
		    regions[i].end <= end) {
			memset(&regions[i], 0, sizeof(regions[i]));
			nr_used--;
		}
	while (hiwat && !regions[hiwat - 1].start)
		hiwat--;
}

/*
 * A new memfd holding a copy of the tracked range [src, src + copy): the
 * bytes are written into the file (pages allocated without a fault each,
 * the cost of a copy on a machine whose page faults are slow) and the
 * file mapped shared, read-write, anywhere.  What write() cannot read
 * (memory the program made unreadable) is copied through the mapping.
 */
/* A memfd of len bytes, or -1 with errno. */
static int sized_memfd(size_t len)
{
	int fd = memfd_create("uiommufd-shared-anon", MFD_CLOEXEC), err;

	if (fd >= 0 && ftruncate(fd, (off_t)len) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

void *sa_copy_backing(uintptr_t src, size_t copy, size_t len)
{
	int fd = sized_memfd(len), err;
	size_t done = 0;
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	while (done < copy) {
		ssize_t n = pwrite(fd, (void *)(src + done), copy - done, (off_t)done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	p = sa_sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	errno = err;
	if (p != MAP_FAILED && done < copy)
		sa_copy_from((uint8_t *)p + done, src + done, copy - done);
	return p;
}

void *sa_new_backing(void *addr, size_t len, int prot, int flags)
{
	int fd = sized_memfd(len);
	void *p;
	int err;

	if (fd < 0)
		return MAP_FAILED;
	p = sa_sys_mmap(addr, len, prot, flags | MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	errno = err;
	return p;
}

/*
 * A region the program made unreadable is opened for the copy and given
 * its protection back; another thread touching it meanwhile would not
 * fault, which is the one way this differs from a kernel copy.
 */
void sa_copy_from(void *dst, uintptr_t src, size_t len)
{
	uintptr_t end = src + len;

	while (src < end) {
		struct sa_region *r = sa_find(src);
		uintptr_t stop = r && r->end < end ? r->end : end;

		if (r && !(r->prot & PROT_READ)) {
			sa_sys_mprotect((void *)src, stop - src, r->prot | PROT_READ);
			memcpy(dst, (void *)src, stop - src);
			sa_sys_mprotect((void *)src, stop - src, r->prot);
		} else {
			memcpy(dst, (void *)src, stop - src);
		}
		dst = (char *)dst + (stop - src);
		src = stop;
	}
}
