/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libuiommufd-shared-anon: private anonymous memory backed by memfds mapped
 * MAP_SHARED, so that uiommufd can map the very pages and a hardware
 * backend can pin them (docs/private-memory.md).  Internal interface
 * between the files of the shim; nothing here is exported.
 */
#ifndef UIOMMUFD_SHARED_ANON_H
#define UIOMMUFD_SHARED_ANON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SA_HIDDEN __attribute__((visibility("hidden")))

/* Per-region flags: what madvise asked for fork, and who made it. */
#define SA_DONTFORK	0x1u	/* MADV_DONTFORK: the child has no such VMA */
#define SA_WIPEONFORK	0x2u	/* MADV_WIPEONFORK: the child reads zeros */
#define SA_MALLOC	0x4u	/* a large malloc block (shared_malloc.c) */

/*
 * One memfd mapping (or a piece of one after a split).  The memfd itself
 * is closed at once: the mapping holds the file, and the program's
 * descriptor table and RLIMIT_NOFILE stay its own.
 */
struct sa_region {
	uintptr_t start, end;	/* page aligned, end exclusive; start 0: free */
	int prot;		/* as the program last set it */
	unsigned int flags;
};

/* The hard cap of the table; UIOMMUFD_SHARED_ANON_REGIONS lowers it. */
#define SA_MAX_REGIONS 4096u
/*
 * Slots kept for splits (munmap, mprotect or madvise of a part), so that
 * cutting a region rarely fails when the table is full of new regions.
 */
#define SA_SPLIT_RESERVE 64u

extern pthread_mutex_t sa_lock SA_HIDDEN;
extern size_t sa_threshold SA_HIDDEN;	/* smallest length backed, bytes */
extern bool sa_enabled SA_HIDDEN;

/* Raw system calls: the shim's own symbols shadow the libc wrappers. */
void *sa_sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  long off) SA_HIDDEN;
int sa_sys_munmap(void *addr, size_t len) SA_HIDDEN;
void *sa_sys_mremap(void *old, size_t oldlen, size_t newlen, int flags,
		    void *new_addr) SA_HIDDEN;
int sa_sys_madvise(void *addr, size_t len, int advice) SA_HIDDEN;
int sa_sys_mprotect(void *addr, size_t len, int prot) SA_HIDDEN;

/* region.c; all under sa_lock */
struct sa_region *sa_find(uintptr_t addr) SA_HIDDEN;
bool sa_overlaps(uintptr_t start, uintptr_t end) SA_HIDDEN;
bool sa_covered(uintptr_t start, uintptr_t end) SA_HIDDEN;
int sa_insert(uintptr_t start, uintptr_t end, int prot, unsigned int flags,
	      bool new_region) SA_HIDDEN;
void sa_cut(uintptr_t start, uintptr_t end) SA_HIDDEN;
void sa_forget(uintptr_t start, uintptr_t end) SA_HIDDEN;
unsigned int sa_slots(void) SA_HIDDEN;	/* slots to scan: 0 .. this - 1 */
bool sa_room(void) SA_HIDDEN;
struct sa_region *sa_slot(unsigned int i) SA_HIDDEN;
void sa_limit_regions(unsigned int n) SA_HIDDEN;

/*
 * A fresh zero-filled memfd mapping of len bytes at addr (flags: MAP_FIXED
 * and friends, or 0), or MAP_FAILED with errno; nothing is recorded.
 */
void *sa_new_backing(void *addr, size_t len, int prot, int flags) SA_HIDDEN;
/* A new memfd mapping (read-write, anywhere) holding a copy of a range. */
void *sa_copy_backing(uintptr_t src, size_t copy, size_t len) SA_HIDDEN;
/* Copies len bytes from a tracked range, readable or not. */
void sa_copy_from(void *dst, uintptr_t src, size_t len) SA_HIDDEN;

/* shared_anon.c: the interposed calls, used by shared_malloc.c */
void *sa_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
	SA_HIDDEN;
int sa_munmap(void *addr, size_t len) SA_HIDDEN;
void *sa_mremap_locked(uintptr_t old, size_t oldlen, size_t newlen, int flags,
		       uintptr_t new_addr) SA_HIDDEN;

#endif
