/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pool of fixed-size objects for what the daemon makes by the million:
 * IOVA areas (io_pagetable.c) and the pages objects behind them (pages.c).
 *
 * malloc adds 8 bytes of header to every chunk and rounds it up to 16, so
 * an 80-byte area costs 96 bytes and a 40-byte pages object 48.  A pool
 * hands out objects of exactly obj_size bytes (a multiple of 8, aligned to
 * 8) from 1 MiB slabs it maps itself, so a million objects cost what they
 * are, plus one slab header per MiB.
 *
 * Memory goes back: a freed object is reused by the next allocation from
 * its slab; a slab whose last object is freed is unmapped, except one
 * empty slab per pool kept so that a map/unmap loop does not mmap and
 * munmap each time.  Objects of a slab are carved on first use, so a pool
 * that holds a few objects touches one page.  Slabs are large because
 * each munmap costs a TLB shootdown: with 64 KiB slabs, unmapping a
 * million areas took 2 s instead of 0.3 s (1,800 munmaps).
 *
 * Under AddressSanitizer every free object is poisoned: a use after free
 * or a double free is reported as it is for malloc (the double free by
 * obj_pool_free() itself).  LeakSanitizer does not see pool objects;
 * obj_pool_in_use() lets tests check that everything came back.
 *
 * Locking: each pool has its own mutex, a leaf lock held only inside
 * obj_pool_alloc() and obj_pool_free(), so pools may be shared by every
 * context and thread.
 */
#ifndef UIOMMUFD_OBJ_POOL_H
#define UIOMMUFD_OBJ_POOL_H

#include <pthread.h>
#include <stddef.h>

/* Size and alignment of a slab; a power of two. */
#define OBJ_POOL_SLAB_SIZE ((size_t)1 << 20)

struct obj_slab;

struct obj_pool {
	pthread_mutex_t lock;
	size_t obj_size;	/* as asked, rounded up to 8 by the first use */
	unsigned int per_slab;	/* objects in one slab, 0 until first use */
	struct obj_slab *partial; /* slabs with at least one free object */
	struct obj_slab *spare;	/* one slab with nothing in use, or NULL */
	size_t in_use;		/* objects handed out */
	size_t nr_slabs;	/* mapped, the spare included */
};

/* A static pool for objects of type; alignof(type) must not exceed 8. */
#define OBJ_POOL_INIT(type)                                                   \
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .obj_size = sizeof(type) }

/* A zeroed object, or NULL when out of memory. */
void *obj_pool_alloc(struct obj_pool *pool);
/* Gives obj (from this pool) back; NULL is fine. */
void obj_pool_free(struct obj_pool *pool, void *obj);

/* Objects handed out and not freed (for tests and statistics). */
size_t obj_pool_in_use(struct obj_pool *pool);
/* Slabs mapped now, the spare one included (for tests). */
size_t obj_pool_slabs(struct obj_pool *pool);

#endif /* UIOMMUFD_OBJ_POOL_H */
