// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Large allocations of the malloc family served from memfd regions.
 * glibc's malloc maps its large chunks with an internal mmap that an
 * LD_PRELOAD library cannot interpose, so a block of at least
 * UIOMMUFD_SHARED_ANON_MIN bytes is a region of its own here; everything
 * smaller, and what cannot be a region, goes to the next malloc (glibc's,
 * or a sanitizer's) found with dlsym(RTLD_NEXT).
 *
 * A block: its region's first page holds the mapping's length; the user
 * pointer follows at SA_HDR (or the alignment asked for, up to a page),
 * preceded by a tag (a constant mixed with the pointer) and the region's
 * start.  free() reads the 16 bytes before any pointer (glibc's chunk
 * header is there for its own blocks) and asks the table only when the
 * tag matches, so small frees cost one compare.
 *
 * Freed blocks of up to SA_CACHE_BLOCK are kept, up to SA_CACHE_SLOTS of
 * them and SA_CACHE_BYTES in all, for the next allocation of about their
 * size, as glibc keeps freed memory in its heap: a new memfd's pages cost
 * a fault each where reused ones cost nothing.  As with glibc's reuse, a
 * block freed while still mapped into an IOAS may then hold new data.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared_anon.h"

#define SA_HDR 64u
#define SA_TAG 0x75696f6d6d75ULL	/* "uiommu" */

struct sa_head {
	size_t map_len;
	size_t off;	/* of the user pointer from the region's start */
};

#define SA_CACHE_SLOTS 8u
#define SA_CACHE_BLOCK (32u << 20)
#define SA_CACHE_BYTES (64u << 20)

/* Freed blocks kept for reuse, under sa_lock; NULL: an empty slot. */
static struct sa_head *cache[SA_CACHE_SLOTS];
static size_t cache_bytes;

/*
 * A kept block is MADV_DONTFORK, so a fork neither copies it nor leaves
 * the child sharing it; the child's handler forgets the child's list.
 */
static void cache_fork_mark(struct sa_head *h, bool keep)
{
	uintptr_t start = (uintptr_t)h, end = start + h->map_len;

	if (sa_sys_madvise(h, h->map_len, keep ? MADV_DONTFORK : MADV_DOFORK))
		return;
	for (unsigned int i = 0; i < sa_slots(); i++) {
		struct sa_region *r = sa_slot(i);

		if (r && start <= r->start && r->end <= end)
			r->flags = keep ? (r->flags | SA_DONTFORK) :
					  (r->flags & ~SA_DONTFORK);
	}
}

static void cache_fork_child(void)
{
	memset(cache, 0, sizeof(cache));
	cache_bytes = 0;
}

__attribute__((constructor)) static void cache_init(void)
{
	pthread_atfork(NULL, NULL, cache_fork_child);
}

/* The smallest kept block of len to 2 * len bytes, taken out; or NULL. */
static struct sa_head *cache_take(size_t len)
{
	unsigned int best = SA_CACHE_SLOTS;

	pthread_mutex_lock(&sa_lock);
	for (unsigned int i = 0; i < SA_CACHE_SLOTS; i++)
		if (cache[i] && cache[i]->map_len >= len &&
		    cache[i]->map_len / 2 <= len &&
		    (best == SA_CACHE_SLOTS || cache[i]->map_len < cache[best]->map_len))
			best = i;
	if (best == SA_CACHE_SLOTS) {
		pthread_mutex_unlock(&sa_lock);
		return NULL;
	}
	{
		struct sa_head *h = cache[best];

		cache[best] = NULL;
		cache_bytes -= h->map_len;
		cache_fork_mark(h, false);
		pthread_mutex_unlock(&sa_lock);
		return h;
	}
}

/* Keeps a freed block if there is room; false: unmap it. */
static bool cache_put(struct sa_head *h)
{
	bool kept = false;

	if (h->map_len > SA_CACHE_BLOCK)
		return false;
	pthread_mutex_lock(&sa_lock);
	for (unsigned int i = 0; i < SA_CACHE_SLOTS && !kept; i++)
		if (!cache[i] && cache_bytes + h->map_len <= SA_CACHE_BYTES) {
			cache[i] = h;
			cache_bytes += h->map_len;
			cache_fork_mark(h, true);
			kept = true;
		}
	pthread_mutex_unlock(&sa_lock);
	return kept;
}

static void *(*next_malloc)(size_t);
static void (*next_free)(void *);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static void *(*next_memalign)(size_t, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static size_t (*next_usable)(void *);

/*
 * dlsym() may allocate: what it asks for while the pointers are being
 * found comes from here and is never freed.
 */
static _Alignas(16) unsigned char boot_heap[16384];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(boot_heap) - boot_used)
		return NULL;
	p = boot_heap + boot_used;
	boot_used += n;
	return p;
}

static bool in_boot(void *p)
{
	return (unsigned char *)p >= boot_heap &&
	       (unsigned char *)p < boot_heap + sizeof(boot_heap);
}

static void resolve(void)
{
	if (next_malloc || __atomic_exchange_n(&resolving, 1, __ATOMIC_ACQ_REL))
		return;
	next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	next_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	next_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT,
								  "posix_memalign");
	next_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT,
							     "aligned_alloc");
	next_usable = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	__atomic_store_n(&next_malloc,
			 (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc"),
			 __ATOMIC_RELEASE);
}

static bool ready(void)
{
	if (!__atomic_load_n(&next_malloc, __ATOMIC_ACQUIRE))
		resolve();
	return __atomic_load_n(&next_malloc, __ATOMIC_ACQUIRE) != NULL;
}

static uint64_t *tag_of(void *p)
{
	return (uint64_t *)p - 2;
}

static void *block_init(struct sa_head *h, size_t len, size_t off)
{
	uint8_t *p = (uint8_t *)h + off;

	h->map_len = len;
	h->off = off;
	tag_of(p)[0] = SA_TAG ^ (uintptr_t)p;
	tag_of(p)[1] = (uintptr_t)h;
	return p;
}

/*
 * The 16 bytes before a pointer of the next malloc are its chunk header
 * (glibc) or redzone (a sanitizer's): read, never written.
 */
__attribute__((no_sanitize("address")))
static bool tag_matches(void *p, uintptr_t *base)
{
	volatile uint64_t *t = tag_of(p);

	if (t[0] != (SA_TAG ^ (uintptr_t)p))
		return false;
	*base = (uintptr_t)t[1];
	return true;
}

/* A block of n bytes at alignment align (<= a page), or NULL. */
static void *sa_alloc(size_t n, size_t align, bool zero)
{
	size_t off = align > SA_HDR ? align : SA_HDR, pg = (size_t)getpagesize();
	size_t len;
	struct sa_head *h;
	struct sa_region *r;
	uint8_t *base;

	if (!sa_enabled || n < sa_threshold || align > pg || n > SIZE_MAX / 2)
		return NULL;
	len = (off + n + pg - 1) & ~(pg - 1);
	h = cache_take(len);
	if (h) {
		uint8_t *p = block_init(h, h->map_len, off);

		if (zero)
			memset(p, 0, n);
		return p;
	}
	base = sa_mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	pthread_mutex_lock(&sa_lock);
	r = sa_find((uintptr_t)base);
	if (r && r->start == (uintptr_t)base)
		r->flags |= SA_MALLOC;
	pthread_mutex_unlock(&sa_lock);
	if (!r) {	/* the private fallback: the next malloc serves it */
		sa_munmap(base, len);
		return NULL;
	}
	return block_init((struct sa_head *)base, len, off);
}

/* The block's head if p is one of ours. */
static struct sa_head *sa_block(void *p)
{
	struct sa_region *r;
	uintptr_t base;

	if (!p || in_boot(p) || ((uintptr_t)p & 15) || !tag_matches(p, &base))
		return NULL;
	pthread_mutex_lock(&sa_lock);
	r = sa_find(base);
	if (!r || r->start != base || !(r->flags & SA_MALLOC) ||
	    base + ((struct sa_head *)base)->off != (uintptr_t)p)
		r = NULL;
	pthread_mutex_unlock(&sa_lock);
	return r ? (struct sa_head *)base : NULL;
}

void *malloc(size_t n)
{
	void *p;

	if (!ready())
		return boot_alloc(n);
	p = sa_alloc(n, 16, false);
	return p ? p : next_malloc(n);
}

void free(void *p)
{
	struct sa_head *h;

	if (!p || in_boot(p))
		return;
	h = sa_block(p);
	if (h) {
		tag_of(p)[0] = 0;	/* no longer a block until handed out again */
		if (!cache_put(h))
			sa_munmap(h, h->map_len);
	} else if (ready())
		next_free(p);
}

void *calloc(size_t n, size_t m)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, m, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!ready()) {	/* boot_heap is zero and never reused */
		return boot_alloc(bytes);
	}
	p = sa_alloc(bytes, 16, true);
	return p ? p : next_calloc(n, m);
}

static size_t usable(void *p)
{
	struct sa_head *h = sa_block(p);

	if (h)
		return h->map_len - h->off;
	return next_usable ? next_usable(p) : 0;
}

size_t malloc_usable_size(void *p)
{
	if (!p || in_boot(p) || !ready())
		return 0;
	return usable(p);
}

/* One of ours to n bytes, still ours: the region follows by mremap. */
static void *grow_ours(struct sa_head *h, size_t n)
{
	size_t pg = (size_t)getpagesize(), off = h->off;
	size_t len = (off + n + pg - 1) & ~(pg - 1);
	uint8_t *base;

	if (n > SIZE_MAX / 2)
		return NULL;
	pthread_mutex_lock(&sa_lock);
	base = sa_mremap_locked((uintptr_t)h, h->map_len, len, MREMAP_MAYMOVE, 0);
	pthread_mutex_unlock(&sa_lock);
	if (base == MAP_FAILED)
		return NULL;
	((struct sa_head *)base)->map_len = len;
	tag_of(base + off)[0] = SA_TAG ^ (uintptr_t)(base + off);
	tag_of(base + off)[1] = (uintptr_t)base;
	return base + off;
}

void *realloc(void *p, size_t n)
{
	struct sa_head *h;
	void *q;
	size_t keep;

	if (!p || in_boot(p)) {
		q = malloc(n);
		if (q && p) {	/* out of the boot heap: copy what it can hold */
			size_t room = (size_t)(boot_heap + sizeof(boot_heap) -
					       (unsigned char *)p);

			memcpy(q, p, n < room ? n : room);
		}
		return q;
	}
	if (!n) {
		free(p);
		return NULL;
	}
	if (!ready())
		return NULL;
	h = sa_block(p);
	if (h && n >= sa_threshold && sa_enabled) {
		q = grow_ours(h, n);
		if (!q)
			errno = ENOMEM;
		return q;
	}
	q = h ? next_malloc(n) : sa_alloc(n, 16, false);
	if (!q)
		return h ? NULL : next_realloc(p, n);
	keep = usable(p);
	memcpy(q, p, keep < n ? keep : n);
	free(p);
	return q;
}

void *reallocarray(void *p, size_t n, size_t m)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, m, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

void *memalign(size_t align, size_t n)
{
	void *p;

	if (!ready())
		return NULL;
	p = (align & (align - 1)) ? NULL : sa_alloc(n, align, false);
	return p ? p : next_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (!ready())
		return ENOMEM;
	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return next_posix_memalign(out, align, n);
	p = sa_alloc(n, align, false);
	if (!p)
		return next_posix_memalign(out, align, n);
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	void *p;

	if (!ready())
		return NULL;
	p = (align & (align - 1)) ? NULL : sa_alloc(n, align, false);
	return p ? p : next_aligned_alloc(align, n);
}
