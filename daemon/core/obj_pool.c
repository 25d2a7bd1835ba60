// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fixed-size object pool; see obj_pool.h for what it is for.
 *
 * A slab is OBJ_POOL_SLAB_SIZE bytes mapped at an address aligned to its
 * size, so the slab of any object is found by masking the object's
 * address.  It starts with its header; objects follow back to back.  Free
 * objects of a slab are a list linked through their first word; objects
 * never handed out are carved from `fresh` onwards instead, so that a new
 * slab is not written all over before it is needed.  Slabs that have a
 * free object sit on the pool's partial list (doubly linked, so a slab
 * leaves it in O(1) when it fills up or empties).
 */
#include "core/obj_pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define OBJ_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBJ_POOL_ASAN 1
#endif
#endif

#ifdef OBJ_POOL_ASAN
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#define pool_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define pool_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define pool_poison(p, n) ((void)(p), (void)(n))
#define pool_unpoison(p, n) ((void)(p), (void)(n))
#endif

struct obj_slab {
	struct obj_slab *next, *prev; /* on pool->partial */
	void *free;		/* first free object, or NULL */
	unsigned int used;	/* objects handed out */
	unsigned int fresh;	/* objects from here on were never handed out */
	unsigned int on_partial;
};

#define OBJ_POOL_ALIGN 8u
#define OBJ_POOL_FIRST \
	((sizeof(struct obj_slab) + OBJ_POOL_ALIGN - 1) & ~(size_t)(OBJ_POOL_ALIGN - 1))

static char *slab_obj(struct obj_pool *pool, struct obj_slab *slab,
		      unsigned int i)
{
	return (char *)slab + OBJ_POOL_FIRST + (size_t)i * pool->obj_size;
}

static struct obj_slab *obj_slab_of(const void *obj)
{
	return (struct obj_slab *)((uintptr_t)obj &
				   ~(uintptr_t)(OBJ_POOL_SLAB_SIZE - 1));
}

static void pool_setup(struct obj_pool *pool)
{
	size_t size = pool->obj_size;

	if (pool->per_slab)
		return;
	if (size < sizeof(void *))
		size = sizeof(void *);
	size = (size + OBJ_POOL_ALIGN - 1) & ~(size_t)(OBJ_POOL_ALIGN - 1);
	pool->obj_size = size;
	pool->per_slab = (OBJ_POOL_SLAB_SIZE - OBJ_POOL_FIRST) / size;
}

/* A new slab mapped at an address aligned to its size, or NULL. */
static struct obj_slab *slab_map(struct obj_pool *pool)
{
	const size_t sz = OBJ_POOL_SLAB_SIZE;
	struct obj_slab *slab;
	uintptr_t raw, start;
	void *p;

	/* Twice the size, then the unaligned ends go back. */
	p = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	raw = (uintptr_t)p;
	start = (raw + sz - 1) & ~(uintptr_t)(sz - 1);
	if (start > raw)
		munmap(p, start - raw);
	munmap((void *)(start + sz), raw + sz - start);
	slab = (struct obj_slab *)start;
	/* mmap gave zeroes: no list, nothing used, nothing carved. */
	pool_poison(slab_obj(pool, slab, 0), sz - OBJ_POOL_FIRST);
	pool->nr_slabs++;
	return slab;
}

static void slab_unmap(struct obj_pool *pool, struct obj_slab *slab)
{
	/* The shadow must not stay poisoned for whoever maps here next. */
	pool_unpoison(slab, OBJ_POOL_SLAB_SIZE);
	munmap(slab, OBJ_POOL_SLAB_SIZE);
	pool->nr_slabs--;
}

static void partial_add(struct obj_pool *pool, struct obj_slab *slab)
{
	slab->prev = NULL;
	slab->next = pool->partial;
	if (slab->next)
		slab->next->prev = slab;
	pool->partial = slab;
	slab->on_partial = 1;
}

static void partial_del(struct obj_pool *pool, struct obj_slab *slab)
{
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		pool->partial = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	slab->next = slab->prev = NULL;
	slab->on_partial = 0;
}

void *obj_pool_alloc(struct obj_pool *pool)
{
	struct obj_slab *slab;
	char *obj;

	pthread_mutex_lock(&pool->lock);
	pool_setup(pool);
	slab = pool->partial;
	if (!slab) {
		slab = pool->spare;
		pool->spare = NULL;
		if (!slab)
			slab = slab_map(pool);
		if (!slab) {
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		partial_add(pool, slab);
	}
	if (slab->free) {
		obj = slab->free;
		pool_unpoison(obj, pool->obj_size);
		memcpy(&slab->free, obj, sizeof(void *));
	} else {
		obj = slab_obj(pool, slab, slab->fresh++);
		pool_unpoison(obj, pool->obj_size);
	}
	slab->used++;
	if (!slab->free && slab->fresh == pool->per_slab)
		partial_del(pool, slab);
	pool->in_use++;
	pthread_mutex_unlock(&pool->lock);
	memset(obj, 0, pool->obj_size);
	return obj;
}

void obj_pool_free(struct obj_pool *pool, void *obj)
{
	struct obj_slab *slab;

	if (!obj)
		return;
	slab = obj_slab_of(obj);
#ifdef OBJ_POOL_ASAN
	/* What ASan would say for free(): the object is free already. */
	if (__asan_address_is_poisoned(obj)) {
		fprintf(stderr, "obj_pool: double free of %p\n", obj);
		/* Let ASan report the poisoned access with its stack. */
		(void)*(volatile char *)obj;
		abort();
	}
#endif
	pthread_mutex_lock(&pool->lock);
	memcpy(obj, &slab->free, sizeof(void *));
	slab->free = obj;
	pool_poison(obj, pool->obj_size);
	slab->used--;
	pool->in_use--;
	if (!slab->on_partial)
		partial_add(pool, slab);
	if (!slab->used) {
		/* Start over from the first object when it is used again. */
		partial_del(pool, slab);
		slab->free = NULL;
		slab->fresh = 0;
		if (pool->spare)
			slab_unmap(pool, slab);
		else
			pool->spare = slab;
	}
	pthread_mutex_unlock(&pool->lock);
}

size_t obj_pool_in_use(struct obj_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->in_use;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

size_t obj_pool_slabs(struct obj_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->nr_slabs;
	pthread_mutex_unlock(&pool->lock);
	return n;
}
