// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for daemon/core/obj_pool.c: objects are zeroed, distinct,
 * aligned and inside their slab; freed objects are reused; a slab whose
 * objects are all freed is unmapped, but one spare per pool stays; counts
 * are right across many slabs and threads; under ASan a freed object is
 * poisoned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/obj_pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

struct obj40 {
	uint64_t a[5];
};

struct obj12 {
	uint32_t a[3];
};

static uintptr_t slab_of(const void *obj)
{
	return (uintptr_t)obj & ~(uintptr_t)(OBJ_POOL_SLAB_SIZE - 1);
}

/* How many objects of 40 bytes one slab holds, found from outside. */
static unsigned int per_slab(void)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	void **o = calloc(OBJ_POOL_SLAB_SIZE / 40 + 1, sizeof(*o));
	unsigned int n = 0;

	assert_non_null(o);
	for (;;) {
		o[n] = obj_pool_alloc(&pool);
		assert_non_null(o[n]);
		if (obj_pool_slabs(&pool) == 2)
			break;
		n++;
	}
	for (unsigned int i = 0; i <= n; i++)
		obj_pool_free(&pool, o[i]);
	free(o);
	/* Nearly all of the slab: the header is small. */
	assert_true(n * 40 + 128 >= OBJ_POOL_SLAB_SIZE);
	return n;
}

static void test_alloc_zeroed_distinct_aligned(void **state)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	struct obj40 *o[100];

	(void)state;
	for (int i = 0; i < 100; i++) {
		o[i] = obj_pool_alloc(&pool);
		assert_non_null(o[i]);
		assert_int_equal((uintptr_t)o[i] % 8, 0);
		for (int j = 0; j < 5; j++)
			assert_int_equal(o[i]->a[j], 0);
		memset(o[i], 0xa5, sizeof(*o[i]));
		for (int j = 0; j < i; j++) {
			uintptr_t x = (uintptr_t)o[i], y = (uintptr_t)o[j];

			assert_true(x >= y + sizeof(*o[j]) || y >= x + sizeof(*o[i]));
		}
	}
	assert_int_equal(obj_pool_in_use(&pool), 100);
	assert_int_equal(obj_pool_slabs(&pool), 1);
	/* A freed object comes back zeroed, at the same place. */
	obj_pool_free(&pool, o[42]);
	assert_int_equal(obj_pool_in_use(&pool), 99);
	assert_ptr_equal(obj_pool_alloc(&pool), o[42]);
	for (int j = 0; j < 5; j++)
		assert_int_equal(o[42]->a[j], 0);
	for (int i = 0; i < 100; i++)
		obj_pool_free(&pool, o[i]);
	obj_pool_free(&pool, NULL);
	assert_int_equal(obj_pool_in_use(&pool), 0);
	/* The last slab stays as the spare. */
	assert_int_equal(obj_pool_slabs(&pool), 1);
}

/* Sizes that are not a multiple of 8 are rounded up: objects stay aligned. */
static void test_small_odd_size(void **state)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj12);
	void *a, *b;

	(void)state;
	a = obj_pool_alloc(&pool);
	b = obj_pool_alloc(&pool);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal((uintptr_t)a % 8, 0);
	assert_int_equal((uintptr_t)b % 8, 0);
	assert_int_equal((uintptr_t)b - (uintptr_t)a, 16);
	obj_pool_free(&pool, a);
	obj_pool_free(&pool, b);
	assert_int_equal(obj_pool_in_use(&pool), 0);
}

/*
 * Many slabs: every object lies inside one aligned slab, slabs fill up
 * before a new one is mapped, and freeing everything unmaps all but one.
 */
static void test_many_slabs_given_back(void **state)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	const unsigned int per = per_slab();
	const unsigned int n = 10 * per + 7;
	struct obj40 **o = calloc(n, sizeof(*o));
	uintptr_t slabs[11];
	unsigned int nslabs = 0;

	(void)state;
	assert_non_null(o);
	for (unsigned int i = 0; i < n; i++) {
		uintptr_t slab;

		o[i] = obj_pool_alloc(&pool);
		assert_non_null(o[i]);
		slab = slab_of(o[i]);
		if (!nslabs || slabs[nslabs - 1] != slab) {
			assert_true(nslabs < 11);
			slabs[nslabs++] = slab;
		}
		assert_true((uintptr_t)o[i] >= slab + 32);
		assert_true((uintptr_t)o[i] + sizeof(*o[i]) <=
			    slab + OBJ_POOL_SLAB_SIZE);
		o[i]->a[0] = i;
	}
	assert_int_equal(obj_pool_in_use(&pool), n);
	assert_int_equal(obj_pool_slabs(&pool), 11);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(o[i]->a[0], i);

	/* Free every other object: no slab empties, all are reused. */
	for (unsigned int i = 0; i < n; i += 2)
		obj_pool_free(&pool, o[i]);
	assert_int_equal(obj_pool_slabs(&pool), 11);
	for (unsigned int i = 0; i < n; i += 2) {
		o[i] = obj_pool_alloc(&pool);
		assert_non_null(o[i]);
	}
	assert_int_equal(obj_pool_slabs(&pool), 11);
	assert_int_equal(obj_pool_in_use(&pool), n);

	/*
	 * Empty slabs 1, 3, 5, 7 and 9 (of 0..10): the first to empty stays
	 * as the spare, the four others go.
	 */
	for (unsigned int i = n; i--;) {
		unsigned int k = 0;

		while (slabs[k] != slab_of(o[i]))
			k++;
		if (k % 2) {
			obj_pool_free(&pool, o[i]);
			o[i] = NULL;
		}
	}
	assert_int_equal(obj_pool_slabs(&pool), 6 + 1);
	for (unsigned int i = n; i--;)
		obj_pool_free(&pool, o[i]);
	assert_int_equal(obj_pool_in_use(&pool), 0);
	assert_int_equal(obj_pool_slabs(&pool), 1);

	/* The spare serves the next allocation: no new slab. */
	o[0] = obj_pool_alloc(&pool);
	assert_non_null(o[0]);
	assert_int_equal(obj_pool_slabs(&pool), 1);
	obj_pool_free(&pool, o[0]);
	free(o);
}

/* A map/unmap loop at a slab boundary does not map a slab per round. */
static void test_no_thrash_at_boundary(void **state)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	const unsigned int per = per_slab();
	struct obj40 **o = calloc(per, sizeof(*o));
	void *extra;

	(void)state;
	assert_non_null(o);
	for (unsigned int i = 0; i < per; i++)
		o[i] = obj_pool_alloc(&pool);
	assert_int_equal(obj_pool_slabs(&pool), 1);
	for (int round = 0; round < 100; round++) {
		extra = obj_pool_alloc(&pool);
		assert_non_null(extra);
		assert_int_equal(obj_pool_slabs(&pool), 2);
		obj_pool_free(&pool, extra);
		assert_int_equal(obj_pool_slabs(&pool), 2);
	}
	for (unsigned int i = 0; i < per; i++)
		obj_pool_free(&pool, o[i]);
	assert_int_equal(obj_pool_slabs(&pool), 1);
	free(o);
}

struct thread_arg {
	struct obj_pool *pool;
	unsigned int seed;
};

static void *churn(void *p)
{
	struct thread_arg *t = p;
	struct obj40 *o[512] = { 0 };

	for (unsigned int i = 0; i < 200000; i++) {
		unsigned int k = (t->seed = t->seed * 1103515245u + 12345u) % 512;

		if (o[k]) {
			if (o[k]->a[0] != (uintptr_t)&o[k] || o[k]->a[1])
				return (void *)1;
			obj_pool_free(t->pool, o[k]);
			o[k] = NULL;
		} else {
			o[k] = obj_pool_alloc(t->pool);
			if (!o[k])
				return (void *)1;
			o[k]->a[0] = (uintptr_t)&o[k];
		}
	}
	for (unsigned int k = 0; k < 512; k++)
		obj_pool_free(t->pool, o[k]);
	return NULL;
}

/* Threads sharing one pool never share an object and lose no count. */
static void test_threads(void **state)
{
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	struct thread_arg args[4];
	pthread_t th[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .pool = &pool, .seed = i + 1 };
		assert_int_equal(pthread_create(&th[i], NULL, churn, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;

		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(obj_pool_in_use(&pool), 0);
	assert_int_equal(obj_pool_slabs(&pool), 1);
}

/* Under ASan a free object may not be touched; a live one may. */
static void test_asan_poison(void **state)
{
#ifdef TEST_ASAN
	struct obj_pool pool = OBJ_POOL_INIT(struct obj40);
	struct obj40 *a = obj_pool_alloc(&pool), *b = obj_pool_alloc(&pool);

	(void)state;
	assert_false(__asan_region_is_poisoned(a, sizeof(*a)));
	/* Not yet handed out: poisoned. */
	assert_true(__asan_address_is_poisoned((char *)b + sizeof(*b)));
	obj_pool_free(&pool, a);
	assert_true(__asan_address_is_poisoned(a));
	assert_true(__asan_address_is_poisoned((char *)a + sizeof(*a) - 1));
	assert_ptr_equal(obj_pool_alloc(&pool), a);
	assert_false(__asan_region_is_poisoned(a, sizeof(*a)));
	obj_pool_free(&pool, a);
	obj_pool_free(&pool, b);
#else
	(void)state;
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_distinct_aligned),
		cmocka_unit_test(test_small_odd_size),
		cmocka_unit_test(test_many_slabs_given_back),
		cmocka_unit_test(test_no_thrash_at_boundary),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_asan_poison),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
