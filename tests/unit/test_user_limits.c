// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for daemon/core/user_limits.c and the places that charge it:
 * context open/close and objects (object.c), IOVA areas (io_pagetable.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include "core/io_pagetable.h"
#include "core/ioas.h"
#include "core/iommufd_private.h"
#include "core/user_limits.h"

static int pages_obj;

static void test_charge_up_to_limit(void **state)
{
	struct user_limits l;
	struct user_mem *um;

	(void)state;
	user_limits_init(&l);
	l.max_bytes = 1000;
	assert_int_equal(user_mem_open(&l, 1000, 100, &um), 0);
	assert_int_equal(user_limits_bytes(&l, 1000), 100);
	assert_int_equal(user_mem_charge(um, 900), 0);
	assert_int_equal(user_mem_charge(um, 1), -ENOMEM);
	/* A failed charge takes nothing. */
	assert_int_equal(user_limits_bytes(&l, 1000), 1000);
	user_mem_uncharge(um, 500);
	assert_int_equal(user_mem_charge(um, 500), 0);
	assert_int_equal(user_mem_charge(um, UINT64_MAX), -ENOMEM);
	user_mem_uncharge(um, 900);
	user_mem_close(um, 100);
	/* The last context gone with nothing charged: the entry is gone. */
	assert_int_equal(user_limits_bytes(&l, 1000), 0);
	assert_null(l.buckets[1000 % USER_LIMITS_BUCKETS]);
	user_limits_fini(&l);
}

static void test_users_are_separate(void **state)
{
	struct user_limits l;
	struct user_mem *a, *b, *a2, *root;

	(void)state;
	user_limits_init(&l);
	l.max_bytes = 1000;
	assert_int_equal(user_mem_open(&l, 1000, 600, &a), 0);
	/* Same bucket, other uid. */
	assert_int_equal(user_mem_open(&l, 1000 + USER_LIMITS_BUCKETS, 600, &b), 0);
	assert_ptr_not_equal(a, b);
	/* A second context of the same uid shares the account. */
	assert_int_equal(user_mem_open(&l, 1000, 600, &a2), -ENOMEM);
	assert_int_equal(user_mem_open(&l, 1000, 400, &a2), 0);
	assert_ptr_equal(a, a2);
	/* Root is charged like anyone. */
	assert_int_equal(user_mem_open(&l, 0, 1001, &root), -ENOMEM);
	user_mem_close(a2, 400);
	user_mem_close(a, 600);
	user_mem_close(b, 600);
	user_limits_fini(&l);
}

static void test_context_limit(void **state)
{
	struct user_limits l;
	struct user_mem *um[4], *other;

	(void)state;
	user_limits_init(&l);
	l.max_contexts = 3;
	for (int i = 0; i < 3; i++)
		assert_int_equal(user_mem_open(&l, 7, 10, &um[i]), 0);
	assert_int_equal(user_mem_open(&l, 7, 10, &um[3]), -ENOMEM);
	assert_int_equal(user_limits_bytes(&l, 7), 30);
	assert_int_equal(user_mem_open(&l, 8, 10, &other), 0);
	user_mem_close(um[0], 10);
	assert_int_equal(user_mem_open(&l, 7, 10, &um[0]), 0);
	for (int i = 0; i < 3; i++)
		user_mem_close(um[i], 10);
	user_mem_close(other, 10);
	assert_null(l.buckets[7]);
	user_limits_fini(&l);
}

/* Descriptors: per user, and all users within RLIMIT_NOFILE less a reserve. */
static void test_fds_charged(void **state)
{
	struct user_limits l;
	struct user_mem *a, *b;
	struct rlimit old, low;

	(void)state;
	user_limits_init(&l);
	l.max_fds = 8;
	assert_int_equal(user_mem_open(&l, 7, 0, &a), 0);
	assert_int_equal(user_mem_open(&l, 8, 0, &b), 0);
	assert_int_equal(user_fds_charge(a, 4), 0);
	assert_int_equal(user_fds_charge(a, 4), 0);
	assert_int_equal(user_fds_charge(a, 1), -ENOMEM);
	/* Another user is not affected by the first one's charge. */
	assert_int_equal(user_fds_charge(b, 8), 0);
	user_fds_uncharge(a, 4);
	assert_int_equal(user_fds_charge(a, 4), 0);
	user_fds_uncharge(a, 8);
	user_fds_uncharge(b, 8);
	assert_int_equal(atomic_load(&l.fds), 0);

	/* 600 descriptors leave room for 344 past the reserve of 256. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 600;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	l.max_fds = 1000;
	assert_int_equal(user_fds_charge(a, 300), 0);
	assert_int_equal(user_fds_charge(b, 100), -ENOMEM);
	assert_int_equal(user_fds_charge(b, 44), 0);
	assert_int_equal(atomic_load(&b->fds), 44);
	user_fds_uncharge(a, 300);
	user_fds_uncharge(b, 44);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);

	/* An entry with descriptors charged outlives its last context. */
	assert_int_equal(user_fds_charge(a, 1), 0);
	user_mem_close(a, 0);
	assert_non_null(l.buckets[7]);
	user_fds_uncharge(a, 1);
	user_mem_close(b, 0);
	user_limits_fini(&l);
}

static void test_null_account_charges_nobody(void **state)
{
	(void)state;
	assert_int_equal(user_mem_charge(NULL, UINT64_MAX), 0);
	user_mem_uncharge(NULL, 1);
	user_mem_close(NULL, 1);
}

/* Areas: a bounded number fits, unmapping gives the budget back. */
static void test_areas_charged(void **state)
{
	const unsigned int fit = 10;
	struct user_limits l;
	struct io_pagetable iopt;
	struct iopt_area *area, *lhs;
	struct user_mem *um;
	uint64_t iova, unmapped, cut;
	unsigned int n;

	(void)state;
	user_limits_init(&l);
	l.max_bytes = 100 + fit * IOPT_AREA_CHARGE;
	assert_int_equal(user_mem_open(&l, 5, 100, &um), 0);
	iopt_init_table(&iopt);
	iopt.mem = um;
	for (n = 0;; n++) {
		iova = (uint64_t)(n + 1) << 20;
		if (iopt_map_area(&iopt, &iova, 0, 0, 2 * IOPT_PAGE_SIZE, 3, 0,
				  &area))
			break;
		area->pages = &pages_obj;
	}
	assert_int_equal(n, fit);
	iova = (uint64_t)(n + 1) << 20;
	assert_int_equal(iopt_map_area(&iopt, &iova, 0, 0, IOPT_PAGE_SIZE, 3,
				       0, &area), -ENOMEM);
	assert_int_equal(user_limits_bytes(&l, 5), l.max_bytes);

	/*
	 * A cut makes one more area (two new ones replace one): refused at
	 * the limit, allowed once two areas are unmapped.
	 */
	cut = (1ull << 20) + IOPT_PAGE_SIZE - 1;
	assert_int_equal(iopt_cut_iova(&iopt, &cut, 1, NULL, NULL), -ENOMEM);
	for (uint64_t i = 2; i <= 3; i++)
		assert_int_equal(iopt_unmap_iova(&iopt, i << 20,
						 2 * IOPT_PAGE_SIZE, &unmapped,
						 NULL), 0);
	assert_int_equal(iopt_cut_iova(&iopt, &cut, 1, NULL, NULL), 0);
	lhs = iopt_area_find(&iopt, 1ull << 20);
	assert_non_null(lhs);
	assert_int_equal(iopt_area_length(lhs), IOPT_PAGE_SIZE);
	assert_int_equal(user_limits_bytes(&l, 5),
			 l.max_bytes - IOPT_AREA_CHARGE);

	assert_int_equal(iopt_unmap_all(&iopt, &unmapped, NULL), 0);
	assert_int_equal(user_limits_bytes(&l, 5), 100);
	iova = 1ull << 20;
	assert_int_equal(iopt_map_area(&iopt, &iova, 0, 0, IOPT_PAGE_SIZE, 3,
				       0, &area), 0);
	area->pages = &pages_obj;
	iopt_destroy_table(&iopt, NULL);
	assert_int_equal(user_limits_bytes(&l, 5), 100);
	user_mem_close(um, 100);
	user_limits_fini(&l);
}

/* IOAS_ALLOW_IOVAS ranges: charged while set, all-or-nothing. */
static void test_allowed_charged(void **state)
{
	struct iopt_iova_range r[64];
	struct user_limits l;
	struct io_pagetable iopt;
	struct user_mem *um;
	uint64_t one;

	(void)state;
	for (unsigned int i = 0; i < 64; i++)
		r[i] = (struct iopt_iova_range){ (i + 1) << 20, ((i + 1) << 20) + 4095 };
	user_limits_init(&l);
	assert_int_equal(user_mem_open(&l, 9, 0, &um), 0);
	iopt_init_table(&iopt);
	iopt.mem = um;
	assert_int_equal(iopt_set_allow_iova(&iopt, r, 1), 0);
	one = user_limits_bytes(&l, 9);
	assert_true(one > 0);
	/* Room for 32 at a time: 64 is refused, the old set stays charged. */
	l.max_bytes = 33 * one;
	assert_int_equal(iopt_set_allow_iova(&iopt, r, 64), -ENOMEM);
	assert_int_equal(user_limits_bytes(&l, 9), one);
	assert_int_equal(iopt_set_allow_iova(&iopt, r, 32), 0);
	assert_int_equal(user_limits_bytes(&l, 9), 32 * one);
	assert_int_equal(iopt_set_allow_iova(&iopt, r, 0), 0);
	assert_int_equal(user_limits_bytes(&l, 9), 0);
	assert_int_equal(iopt_set_allow_iova(&iopt, r, 2), 0);
	iopt_destroy_table(&iopt, NULL);
	assert_int_equal(user_limits_bytes(&l, 9), 0);
	user_mem_close(um, 0);
	user_limits_fini(&l);
}

/* Contexts and objects through the object layer, charged to the opener. */
static void test_contexts_and_objects_charged(void **state)
{
	struct iommufd_daemon d;
	struct iommufd_ctx *a, *b, *c;
	struct iommufd_ioas *ioas;
	uint64_t ctx_cost, with_ioas;
	int err = 0;

	(void)state;
	iommufd_daemon_init(&d);
	d.user_limits.max_contexts = 2;
	assert_int_equal(iommufd_ctx_open(&d, 0, 1000, false, &a), 0);
	ctx_cost = user_limits_bytes(&d.user_limits, 1000);
	assert_true(ctx_cost >= sizeof(struct iommufd_ctx));
	assert_int_equal(iommufd_ctx_open(&d, 0, 1000, false, &b), 0);
	assert_int_equal(iommufd_ctx_open(&d, 0, 1000, false, &c), -ENOMEM);
	/* Another user is not affected. */
	assert_int_equal(iommufd_ctx_open(&d, 0, 1001, false, &c), 0);
	iommufd_ctx_release(c);
	iommufd_ctx_release(b);

	ioas = iommufd_ioas_alloc(a, &err);
	assert_non_null(ioas);
	iommufd_object_finalize(a, &ioas->obj);
	with_ioas = user_limits_bytes(&d.user_limits, 1000);
	assert_true(with_ioas >= ctx_cost + sizeof(*ioas));

	/* Just enough left for nothing: objects fail with ENOMEM. */
	d.user_limits.max_bytes = with_ioas;
	assert_null(iommufd_ioas_alloc(a, &err));
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(user_limits_bytes(&d.user_limits, 1000), with_ioas);
	assert_int_equal(iommufd_object_remove(a, ioas->obj.id), 0);
	assert_int_equal(user_limits_bytes(&d.user_limits, 1000), ctx_cost);
	d.user_limits.max_bytes = USER_LIMITS_DEFAULT_MAX_BYTES;
	ioas = iommufd_ioas_alloc(a, &err);
	assert_non_null(ioas);
	iommufd_object_finalize(a, &ioas->obj);
	iommufd_ctx_release(a);
	assert_int_equal(user_limits_bytes(&d.user_limits, 1000), 0);
	iommufd_daemon_fini(&d);
}
/* The status socket's "accounts": every entry's charges, 0 once all went. */
static void test_totals(void **state)
{
	struct user_limits l;
	struct user_limits_totals t;
	struct user_mem *a, *a2, *b;

	(void)state;
	user_limits_init(&l);
	user_limits_totals(&l, &t);
	assert_int_equal(t.users + t.contexts + t.bytes + t.fds, 0);
	assert_int_equal(user_mem_open(&l, 7, 100, &a), 0);
	assert_int_equal(user_mem_open(&l, 7, 10, &a2), 0);
	assert_int_equal(user_mem_open(&l, 7 + USER_LIMITS_BUCKETS, 5, &b), 0);
	assert_int_equal(user_fds_charge(b, 3), 0);
	user_limits_totals(&l, &t);
	assert_int_equal(t.users, 2);
	assert_int_equal(t.contexts, 3);
	assert_int_equal(t.bytes, 115);
	assert_int_equal(t.fds, 3);
	user_fds_uncharge(b, 3);
	user_mem_close(b, 5);
	user_mem_close(a2, 10);
	user_mem_close(a, 100);
	user_limits_totals(&l, &t);
	assert_int_equal(t.users + t.contexts + t.bytes + t.fds, 0);
	user_limits_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charge_up_to_limit),
		cmocka_unit_test(test_users_are_separate),
		cmocka_unit_test(test_context_limit),
		cmocka_unit_test(test_fds_charged),
		cmocka_unit_test(test_null_account_charges_nobody),
		cmocka_unit_test(test_areas_charged),
		cmocka_unit_test(test_allowed_charged),
		cmocka_unit_test(test_contexts_and_objects_charged),
		cmocka_unit_test(test_totals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
