// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for daemon/core/io_pagetable.c. Expected errnos follow the
 * kernel's io_pagetable.c / ioas.c and tools/testing/selftests/iommu.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/io_pagetable.h"
#include "tests/test_rng.h"

#define PAGE IOPT_PAGE_SIZE
#define U64_MAX UINT64_MAX

static int pages_obj;
#define PAGES ((void *)&pages_obj)

struct release_log {
	size_t count;
	uint64_t bytes;
	uint64_t first_iova;
};

static void log_release(struct io_pagetable *iopt, struct iopt_area *area,
			void *arg)
{
	struct release_log *log = arg;

	(void)iopt;
	assert_ptr_equal(area->pages, PAGES);
	/* already unlinked */
	assert_true(iopt_area_find(iopt, iopt_area_iova(area)) != area);
	if (!log->count)
		log->first_iova = iopt_area_iova(area);
	log->count++;
	log->bytes += iopt_area_length(area);
}

static int setup(void **state)
{
	struct io_pagetable *iopt = malloc(sizeof(*iopt));

	if (!iopt)
		return -1;
	iopt_init_table(iopt);
	*state = iopt;
	return 0;
}

static int teardown(void **state)
{
	iopt_destroy_table(*state, NULL);
	free(*state);
	/* Every area went back to the pool. */
	assert_int_equal(iopt_areas_in_use(), 0);
	return 0;
}

static int map_fixed_sb(struct io_pagetable *iopt, uint64_t iova,
			uint64_t length, uint64_t start_byte)
{
	struct iopt_area *area;
	int rc;

	rc = iopt_map_area(iopt, &iova, 0, start_byte, length, 3, 0, &area);
	if (!rc)
		area->pages = PAGES;
	return rc;
}

static int map_fixed(struct io_pagetable *iopt, uint64_t iova, uint64_t length)
{
	return map_fixed_sb(iopt, iova, length, 0);
}

static int map_auto(struct io_pagetable *iopt, uint64_t *iova, uint64_t addr,
		    uint64_t length)
{
	struct iopt_area *area;
	int rc;

	rc = iopt_map_area(iopt, iova, addr, addr % PAGE, length, 3,
			   IOPT_ALLOC_IOVA, &area);
	if (!rc)
		area->pages = PAGES;
	return rc;
}

static int unmap(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		 uint64_t *unmapped)
{
	return iopt_unmap_iova(iopt, iova, length, unmapped, NULL);
}

static void test_defaults(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_iova_range r[2];

	assert_int_equal(iopt->iova_alignment, 1);
	assert_int_equal(iopt->num_areas, 0);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 2), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, U64_MAX);
	print_message("sizeof(struct iopt_area) = %zu\n",
		      sizeof(struct iopt_area));
}

static void test_alloc_lowest_first(void **state)
{
	struct io_pagetable *iopt = *state;
	uint64_t iova, unmapped;

	/* Never IOVA 0: the window starts at PAGE_SIZE */
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, PAGE);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, 2 * PAGE);
	/* length 3 pages rounds to 16K alignment */
	assert_int_equal(map_auto(iopt, &iova, 0, 3 * PAGE), 0);
	assert_int_equal(iova, 4 * PAGE);
	/* the hole at 3 * PAGE is reused */
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, 3 * PAGE);
	assert_int_equal(unmap(iopt, 2 * PAGE, PAGE, &unmapped), 0);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, 2 * PAGE);
	/* byte-sized lengths work without a domain (selftest ioas_iova_alloc) */
	for (uint64_t len = 1; len < 2 * PAGE; len += 511) {
		assert_int_equal(map_auto(iopt, &iova, 0x40000000, len), 0);
		assert_int_equal(unmap(iopt, iova, len, &unmapped), 0);
		assert_int_equal(unmapped, len);
	}
}

static void test_alloc_alignment_classes(void **state)
{
	struct io_pagetable *iopt = *state;
	uint64_t iovas[10], unmapped;

	/* selftest area_auto_iova: iova aligned to ffs(length) */
	for (int i = 0; i != 10; i++) {
		uint64_t length = PAGE * (i + 1);

		assert_int_equal(map_auto(iopt, &iovas[i], 1ULL << 31, length),
				 0);
		assert_int_equal(iovas[i] % (length & -length), 0);
		assert_int_equal(iovas[i] % 4096, 0);
	}
	for (int i = 0; i != 10; i++)
		assert_int_equal(unmap(iopt, iovas[i], PAGE * (i + 1),
				       &unmapped),
				 0);

	/* alignment limited by the user VA's lowest set bit */
	assert_int_equal(map_auto(iopt, &iovas[0], 0x7f0000003000, 16 * PAGE), 0);
	assert_int_equal(iovas[0], PAGE);
	/* sub-page offset of the VA is kept in the IOVA */
	assert_int_equal(map_auto(iopt, &iovas[1], 0x1234, PAGE), 0);
	assert_int_equal(iovas[1], 17 * PAGE + 0x234);
	/* capped at HPAGE_SIZE even for a 1 GiB aligned length and VA */
	assert_int_equal(map_auto(iopt, &iovas[2], 1ULL << 40, 1ULL << 30), 0);
	assert_int_equal(iovas[2], IOPT_HPAGE_SIZE);
	/* no VA hint: alignment is the rounded-up length, capped */
	assert_int_equal(map_auto(iopt, &iovas[3], 0, 3 * PAGE), 0);
	assert_int_equal(iovas[3], 20 * PAGE);
}

static void test_alloc_errors(void **state)
{
	struct io_pagetable *iopt = *state;
	uint64_t iova = 0;

	assert_int_equal(iopt_alloc_iova(iopt, &iova, 0, 0), -EOVERFLOW);
	assert_int_equal(iopt_alloc_iova(iopt, &iova, 0, U64_MAX / 2),
			 -EOVERFLOW);
	/* the length check comes first on the map path */
	assert_int_equal(map_auto(iopt, &iova, 0, 0), -EINVAL);

	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE), 0);
	assert_int_equal(iopt->iova_alignment, PAGE);
	/* VA only 2K aligned: alignment 2K < iova_alignment */
	assert_int_equal(iopt_alloc_iova(iopt, &iova, 0x800, PAGE), -EINVAL);
	/* length not a multiple of iova_alignment */
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE / 2), -EINVAL);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, PAGE);
	assert_int_equal(iopt->num_areas, 1);
}

static void test_alloc_reserved_allowed(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_iova_range allow = { PAGE * 200, PAGE * 600 - 1 };
	uint64_t iovas[10], unmapped;
	int owner;

	/* selftest area_auto_iova: avoids a reserved region */
	assert_int_equal(iopt_reserve_iova(iopt, PAGE * 4, PAGE * 104 - 1,
					   &owner),
			 0);
	for (int i = 0; i != 10; i++) {
		uint64_t length = PAGE * (i + 1);

		assert_int_equal(map_auto(iopt, &iovas[i], 0, length), 0);
		assert_false(iovas[i] + length > PAGE * 4 &&
			     iovas[i] < PAGE * 104);
	}
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, NULL), 0);
	assert_int_equal(unmapped, PAGE * 55);

	/* allocate from an allowed region */
	assert_int_equal(iopt_set_allow_iova(iopt, &allow, 1), 0);
	for (int i = 0; i != 10; i++) {
		uint64_t length = PAGE * (i + 1);

		assert_int_equal(map_auto(iopt, &iovas[i], 0, length), 0);
		assert_true(iovas[i] >= allow.start);
		assert_true(iovas[i] + length - 1 <= allow.last);
	}
	assert_int_equal(iovas[0], allow.start);
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, NULL), 0);

	/* fixed maps ignore the allowed ranges, like the kernel */
	assert_int_equal(map_fixed(iopt, PAGE * 1000, PAGE), 0);
}

static void test_alloc_enospc(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_iova_range allow = { PAGE * 200, PAGE * 201 - 1 };
	uint64_t iova;
	int owner;

	assert_int_equal(iopt_set_allow_iova(iopt, &allow, 1), 0);
	assert_int_equal(map_auto(iopt, &iova, 0, 2 * PAGE), -ENOSPC);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, PAGE * 200);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), -ENOSPC);
	assert_int_equal(iopt->num_areas, 1);

	/* allowed ranges outside the [PAGE_SIZE, MAX - PAGE_SIZE] window */
	allow = (struct iopt_iova_range){ 0, PAGE - 1 };
	assert_int_equal(iopt_set_allow_iova(iopt, &allow, 1), 0);
	assert_int_equal(map_auto(iopt, &iova, 0, 16), -ENOSPC);
	allow = (struct iopt_iova_range){ U64_MAX - PAGE + 1, U64_MAX };
	assert_int_equal(iopt_set_allow_iova(iopt, &allow, 1), 0);
	assert_int_equal(map_auto(iopt, &iova, 0, 16), -ENOSPC);

	/* everything reserved */
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);
	assert_int_equal(iopt_unmap_all(iopt, NULL, NULL), 0);
	assert_int_equal(iopt_reserve_iova(iopt, 0, U64_MAX, &owner), 0);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), -ENOSPC);
	assert_int_equal(iopt_get_iova_ranges(iopt, NULL, 0), 0);
}

static void test_fixed_checks(void **state)
{
	struct io_pagetable *iopt = *state;
	uint64_t base = PAGE * 16;
	int owner;

	/* selftest "Over map fails" */
	assert_int_equal(map_fixed(iopt, base + 16 * PAGE, 2 * PAGE), 0);
	assert_int_equal(map_fixed(iopt, base + 16 * PAGE, 2 * PAGE), -EEXIST);
	assert_int_equal(map_fixed(iopt, base + 16 * PAGE, PAGE), -EEXIST);
	assert_int_equal(map_fixed(iopt, base + 17 * PAGE, PAGE), -EEXIST);
	assert_int_equal(map_fixed(iopt, base + 15 * PAGE, 2 * PAGE), -EEXIST);
	assert_int_equal(map_fixed(iopt, base + 15 * PAGE, 3 * PAGE), -EEXIST);
	assert_int_equal(map_fixed(iopt, base + 15 * PAGE, PAGE), 0);
	assert_int_equal(map_fixed(iopt, base + 18 * PAGE, PAGE), 0);

	/* reserved overlap is EINVAL, and wins over EEXIST */
	assert_int_equal(iopt_reserve_iova(iopt, base, base + PAGE - 1, &owner),
			 0);
	assert_int_equal(map_fixed(iopt, base, PAGE), -EINVAL);
	assert_int_equal(iopt_check_iova(iopt, base, 20 * PAGE), -EINVAL);

	/* alignment */
	assert_int_equal(map_fixed(iopt, base + 100 * PAGE + 1, PAGE), 0);
	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE),
			 -EADDRINUSE);
	assert_int_equal(iopt_unmap_all(iopt, NULL, NULL), 0);
	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE), 0);
	assert_int_equal(map_fixed(iopt, base + 100 * PAGE + 1, PAGE), -EINVAL);
	assert_int_equal(map_fixed(iopt, base + 100 * PAGE, PAGE + 1), -EINVAL);
	/* page offset of the backing must be aligned too */
	assert_int_equal(map_fixed_sb(iopt, base + 100 * PAGE, PAGE, 2048),
			 -EINVAL);
	assert_int_equal(map_fixed_sb(iopt, base + 100 * PAGE, PAGE, 2 * PAGE),
			 0);
	assert_int_equal(iopt->num_areas, 1);
}

static void test_top_of_address_space(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_area *area;
	uint64_t unmapped, iova;

	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE), 0);
	assert_int_equal(iopt_check_iova(iopt, U64_MAX - PAGE + 1, 2 * PAGE),
			 -EOVERFLOW);
	assert_int_equal(map_fixed(iopt, U64_MAX - PAGE + 1, 2 * PAGE),
			 -EOVERFLOW);
	/* ending exactly at U64_MAX is fine */
	assert_int_equal(map_fixed(iopt, U64_MAX - PAGE + 1, PAGE), 0);
	area = iopt_area_find(iopt, U64_MAX);
	assert_non_null(area);
	assert_int_equal(iopt_area_last_iova(area), U64_MAX);
	assert_int_equal(iopt_area_length(area), PAGE);
	/* the allocator never hands out the last page */
	assert_int_equal(iopt_check_iova(iopt, U64_MAX - 2 * PAGE + 1, PAGE), 0);

	assert_int_equal(unmap(iopt, U64_MAX - PAGE + 1, 2 * PAGE, &unmapped),
			 -EOVERFLOW);
	assert_int_equal(unmap(iopt, 0, 0, &unmapped), -EINVAL);
	assert_int_equal(unmap(iopt, U64_MAX - PAGE + 1, PAGE, &unmapped), 0);
	assert_int_equal(unmapped, PAGE);

	/* a hole at the top of the allowed window, reached by alloc */
	assert_int_equal(iopt_reserve_iova(iopt, 0, U64_MAX - 3 * PAGE, NULL),
			 0);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, U64_MAX - 3 * PAGE + 1);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, U64_MAX - 2 * PAGE + 1);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), -ENOSPC);
}

static void test_unmap_semantics(void **state)
{
	struct io_pagetable *iopt = *state;
	struct release_log log = { 0 };
	struct iopt_unmap_ops ops = { .release = log_release, .arg = &log };
	uint64_t base = PAGE * 64, unmapped = 123;

	/* empty range: success, 0 bytes (IOAS_UNMAP turns it into ENOENT) */
	for (int i = 0; i != 10; i++) {
		assert_int_equal(unmap(iopt, i * PAGE, PAGE, &unmapped), 0);
		assert_int_equal(unmapped, 0);
	}
	/* unmap all of nothing succeeds */
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, &ops), 0);
	assert_int_equal(unmapped, 0);

	/* a cut at either end of an area is refused, nothing removed */
	assert_int_equal(map_fixed(iopt, base + 16 * PAGE, 2 * PAGE), 0);
	assert_int_equal(unmap(iopt, base + 16 * PAGE, PAGE, &unmapped),
			 -ENOENT);
	assert_int_equal(unmapped, 0);
	assert_int_equal(unmap(iopt, base + 17 * PAGE, PAGE, &unmapped),
			 -ENOENT);
	assert_int_equal(unmap(iopt, base + 15 * PAGE, 2 * PAGE, &unmapped),
			 -ENOENT);
	assert_int_equal(iopt->num_areas, 1);

	/* selftest unmap_fully_contained_areas */
	assert_int_equal(unmap(iopt, 0, U64_MAX, NULL), 0);
	for (int i = 0; i != 4; i++)
		assert_int_equal(map_fixed(iopt, base + i * 16 * PAGE, 8 * PAGE),
				 0);
	assert_int_equal(unmap(iopt, base - 4 * PAGE, 8 * PAGE, &unmapped),
			 -ENOENT);
	assert_int_equal(unmap(iopt, base + 3 * 16 * PAGE + 4 * PAGE, 8 * PAGE,
			       &unmapped),
			 -ENOENT);
	assert_int_equal(iopt_unmap_iova(iopt, base - 4 * PAGE,
					 3 * 16 * PAGE + 12 * PAGE, &unmapped,
					 &ops),
			 0);
	assert_int_equal(unmapped, 32 * PAGE);
	assert_int_equal(log.count, 4);
	assert_int_equal(log.bytes, 32 * PAGE);
	assert_int_equal(log.first_iova, base);
	assert_int_equal(iopt->num_areas, 0);
	assert_int_equal(iopt->mapped_bytes, 0);

	/*
	 * A cut at the end: areas below it are already gone when the walk
	 * meets it, and they are reported.
	 */
	assert_int_equal(map_fixed(iopt, base, PAGE), 0);
	assert_int_equal(map_fixed(iopt, base + 2 * PAGE, PAGE), 0);
	assert_int_equal(map_fixed(iopt, base + 4 * PAGE, 2 * PAGE), 0);
	assert_int_equal(unmap(iopt, base, 5 * PAGE, &unmapped), -ENOENT);
	assert_int_equal(unmapped, 2 * PAGE);
	assert_int_equal(iopt->num_areas, 1);
	assert_non_null(iopt_area_find(iopt, base + 5 * PAGE));

	/* unmap all reports the total */
	assert_int_equal(map_fixed(iopt, U64_MAX - PAGE + 1, PAGE), 0);
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, NULL), 0);
	assert_int_equal(unmapped, 3 * PAGE);
}

static void test_unmap_busy(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_area *area;
	uint64_t iova = PAGE, unmapped;

	/* unpublished area (pages == NULL): EBUSY, like a racing map */
	assert_int_equal(iopt_map_area(iopt, &iova, 0, 0, PAGE, 3, 0, &area),
			 0);
	assert_int_equal(unmap(iopt, PAGE, PAGE, &unmapped), -EBUSY);
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, NULL), -EBUSY);
	/* and its IOVA is already claimed */
	assert_int_equal(map_fixed(iopt, PAGE, PAGE), -EEXIST);
	iopt_abort_area(iopt, area);
	assert_int_equal(iopt->num_areas, 0);
	assert_int_equal(map_fixed(iopt, PAGE, PAGE), 0);
}

struct access_state {
	struct iopt_area *area;
	int notified;
	bool respond;
};

static void drop_accesses(struct io_pagetable *iopt, uint64_t iova,
			  uint64_t length, void *arg)
{
	struct access_state *as = arg;

	(void)iopt;
	assert_int_equal(iova, iopt_area_iova(as->area));
	assert_int_equal(length, iopt_area_length(as->area));
	assert_true(as->area->prevent_access);
	as->notified++;
	if (as->respond)
		as->area->num_accesses = 0;
}

static void test_unmap_accesses(void **state)
{
	struct io_pagetable *iopt = *state;
	struct access_state as = { 0 };
	struct iopt_unmap_ops ops = { .notify_access = drop_accesses,
				      .arg = &as };
	uint64_t unmapped;

	assert_int_equal(map_fixed(iopt, PAGE, PAGE), 0);
	assert_int_equal(map_fixed(iopt, 2 * PAGE, PAGE), 0);
	as.area = iopt_area_find(iopt, 2 * PAGE);
	as.area->num_accesses = 2;
	as.respond = true;
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, &ops), 0);
	assert_int_equal(as.notified, 1);
	assert_int_equal(unmapped, 2 * PAGE);

	/* an access that never lets go */
	assert_int_equal(map_fixed(iopt, PAGE, PAGE), 0);
	assert_int_equal(map_fixed(iopt, 2 * PAGE, PAGE), 0);
	as.area = iopt_area_find(iopt, 2 * PAGE);
	as.area->num_accesses = 1;
	as.respond = false;
	as.notified = 0;
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, &ops), -EDEADLOCK);
	assert_int_equal(as.notified, 101);
	assert_int_equal(unmapped, PAGE);
	assert_int_equal(iopt->num_areas, 1);
	as.area->num_accesses = 0;
}

static void test_allowed_reserved(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_iova_range ranges[3];
	uint64_t base = PAGE * 16;
	int owner_a, owner_b;
	uint64_t iova;

	/* ioas.c: start >= last is EINVAL (so is a single byte range) */
	ranges[0] = (struct iopt_iova_range){ base, base };
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 1), -EINVAL);
	ranges[0] = (struct iopt_iova_range){ base + 1, base };
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 1), -EINVAL);
	/* overlapping given ranges: EINVAL */
	ranges[0] = (struct iopt_iova_range){ base, base + 2 * PAGE };
	ranges[1] = (struct iopt_iova_range){ base + 2 * PAGE, base + 3 * PAGE };
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 2), -EINVAL);
	/* touching ranges are fine, no alignment demanded */
	ranges[1].start++;
	ranges[2] = (struct iopt_iova_range){ 7, 9 };
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 3), 0);

	/* selftest area_allowed: reserved intersects an allowed */
	assert_int_equal(iopt_reserve_iova(iopt, base + PAGE, base + 2 * PAGE - 1,
					   &owner_a),
			 -EADDRINUSE);
	assert_int_equal(iopt_reserve_iova(iopt, 8, 8, &owner_a), -EADDRINUSE);
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);

	/* allowed intersects a reserved: EADDRINUSE, old set kept */
	ranges[0] = (struct iopt_iova_range){ base, base + PAGE * 600 };
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 1), 0);
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);
	assert_int_equal(iopt_reserve_iova(iopt, base + PAGE, base + 2 * PAGE - 1,
					   &owner_a),
			 0);
	ranges[1] = (struct iopt_iova_range){ base + PAGE * 1000,
					      base + PAGE * 2000 - 1 };
	assert_int_equal(iopt_set_allow_iova(iopt, &ranges[1], 1), 0);
	assert_int_equal(iopt_set_allow_iova(iopt, ranges, 1), -EADDRINUSE);
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, ranges[1].start);

	/* reserving over an area: EADDRINUSE */
	assert_int_equal(iopt_reserve_iova(iopt, iova, iova, &owner_b),
			 -EADDRINUSE);
	assert_int_equal(iopt_reserve_iova(iopt, 3, 2, &owner_b), -EINVAL);
	/* the allowed set is not checked against existing areas (kernel) */
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);
	ranges[2] = (struct iopt_iova_range){ PAGE * 100000, PAGE * 100001 };
	assert_int_equal(iopt_set_allow_iova(iopt, &ranges[2], 1), 0);
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);
}

static void test_reserved_owner_and_ranges(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_iova_range r[4];
	int owner_a, owner_b;

	/* selftest iova_ranges */
	assert_int_equal(iopt_reserve_iova(iopt, PAGE, 2 * PAGE - 1, &owner_a),
			 0);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 4), 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, PAGE - 1);
	assert_int_equal(r[1].start, 2 * PAGE);
	assert_int_equal(r[1].last, U64_MAX);
	memset(r, 0, sizeof(r));
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 1), 2);
	assert_int_equal(r[0].last, PAGE - 1);
	assert_int_equal(r[1].start, 0);

	/* a domain aperture, overlapping another owner's range */
	assert_int_equal(iopt_reserve_iova(iopt, 0, PAGE * 4 - 1, &owner_b), 0);
	assert_int_equal(iopt_reserve_iova(iopt, 1ULL << 48, U64_MAX, &owner_b),
			 0);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 4), 1);
	assert_int_equal(r[0].start, PAGE * 4);
	assert_int_equal(r[0].last, (1ULL << 48) - 1);
	/* allowed ranges are not reported */
	r[3] = (struct iopt_iova_range){ PAGE * 8, PAGE * 9 };
	assert_int_equal(iopt_set_allow_iova(iopt, &r[3], 1), 0);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 4), 1);
	assert_int_equal(iopt_set_allow_iova(iopt, NULL, 0), 0);

	iopt_remove_reserved_iova(iopt, &owner_b);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 4), 2);
	assert_int_equal(r[1].start, 2 * PAGE);
	iopt_remove_reserved_iova(iopt, &owner_b);
	iopt_remove_reserved_iova(iopt, &owner_a);
	assert_int_equal(iopt_get_iova_ranges(iopt, r, 4), 1);
	assert_true(interval_tree_empty(&iopt->reserved_itree));
}

static void test_iova_alignment(void **state)
{
	struct io_pagetable *iopt = *state;
	uint64_t new_align = 0, unmapped;

	/* a domain page size above PAGE_SIZE is refused */
	assert_int_equal(iopt_table_add_domain_alignment(iopt, 0x2000, &new_align),
			 -EINVAL);
	assert_int_equal(iopt_table_add_domain_alignment(iopt, 0, &new_align),
			 -EINVAL);

	/* selftest ioas_align_change */
	assert_int_equal(map_fixed(iopt, PAGE * 16, PAGE), 0);
	assert_int_equal(iopt_disable_large_pages(iopt, false, 1), 0);
	assert_int_equal(iopt->iova_alignment, PAGE);
	assert_int_equal(map_fixed_sb(iopt, PAGE * 17, PAGE, PAGE / 2),
			 -EINVAL);
	iopt_enable_large_pages(iopt, 1);
	assert_int_equal(iopt->iova_alignment, 1);
	assert_int_equal(map_fixed_sb(iopt, PAGE * 17, PAGE, PAGE / 2), 0);
	assert_int_equal(iopt_disable_large_pages(iopt, false, 1), -EADDRINUSE);
	assert_false(iopt->disable_large_pages);
	assert_int_equal(iopt->iova_alignment, 1);
	assert_int_equal(iopt_table_add_domain_alignment(iopt, 0xfffff000,
							 &new_align),
			 -EADDRINUSE);
	/* a 2K-page domain is fine with a 2K page offset */
	assert_int_equal(iopt_table_add_domain_alignment(iopt, 0xfffff800,
							 &new_align),
			 0);
	assert_int_equal(new_align, PAGE / 2);
	assert_int_equal(iopt->iova_alignment, 1);

	/* odd length also blocks raising */
	assert_int_equal(unmap(iopt, PAGE * 17, PAGE, &unmapped), 0);
	assert_int_equal(map_fixed(iopt, PAGE * 20, PAGE + 512), 0);
	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE),
			 -EADDRINUSE);
	assert_int_equal(unmap(iopt, PAGE * 20, PAGE + 512, &unmapped), 0);
	assert_int_equal(iopt_table_add_domain_alignment(iopt, 0xfffff000,
							 &new_align),
			 0);
	iopt->iova_alignment = new_align;

	/* domains plus areas: huge pages cannot be turned off */
	assert_int_equal(iopt_disable_large_pages(iopt, true, PAGE), -EINVAL);
	assert_int_equal(iopt_disable_large_pages(iopt, false, PAGE), 0);
	/* already disabled: nothing to do */
	assert_int_equal(iopt_disable_large_pages(iopt, true, PAGE), 0);
	/* domain leaves: back to PAGE_SIZE because large pages are off */
	assert_int_equal(iopt_calculate_iova_alignment(iopt, 1), 0);
	assert_int_equal(iopt->iova_alignment, PAGE);
}

struct split_log {
	int calls;
	int fail_with;
};

static int on_split(struct io_pagetable *iopt, const struct iopt_area *area,
		    struct iopt_area *lhs, struct iopt_area *rhs, void *arg)
{
	struct split_log *log = arg;

	(void)iopt;
	assert_int_equal(iopt_area_iova(lhs), iopt_area_iova(area));
	assert_int_equal(iopt_area_last_iova(lhs) + 1, iopt_area_iova(rhs));
	assert_int_equal(iopt_area_last_iova(rhs), iopt_area_last_iova(area));
	assert_int_equal(rhs->pages_offset,
			 iopt_area_start_byte(area, iopt_area_iova(rhs)));
	assert_ptr_equal(lhs->pages, area->pages);
	assert_ptr_equal(rhs->pages, area->pages);
	log->calls++;
	return log->fail_with;
}

static void test_cut(void **state)
{
	struct io_pagetable *iopt = *state;
	struct split_log log = { 0 };
	uint64_t base = PAGE * 32, unmapped, cuts[2];
	struct iopt_area *area;

	assert_int_equal(iopt_disable_large_pages(iopt, false, 1), 0);
	assert_int_equal(map_fixed_sb(iopt, base, 8 * PAGE, 5 * PAGE), 0);

	/* vfio type1 unmap of pages 2..3: cut at last and at iova - 1 */
	cuts[0] = base + 4 * PAGE - 1;
	cuts[1] = base + 2 * PAGE - 1;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 2, on_split, &log), 0);
	assert_int_equal(log.calls, 2);
	assert_int_equal(iopt->num_areas, 3);
	assert_int_equal(iopt->mapped_bytes, 8 * PAGE);
	area = iopt_area_find(iopt, base + 2 * PAGE);
	assert_int_equal(iopt_area_iova(area), base + 2 * PAGE);
	assert_int_equal(iopt_area_length(area), 2 * PAGE);
	assert_int_equal(area->pages_offset, 7 * PAGE);
	assert_int_equal(unmap(iopt, base + 2 * PAGE, 2 * PAGE, &unmapped), 0);
	assert_int_equal(unmapped, 2 * PAGE);

	/* cutting at an area edge or in a hole does nothing */
	cuts[0] = base + 2 * PAGE - 1;
	cuts[1] = base + 2 * PAGE;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 2, on_split, &log), 0);
	assert_int_equal(log.calls, 2);

	/* misaligned cut: EINVAL */
	cuts[0] = base + 4 * PAGE + 100;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 1, on_split, &log), -EINVAL);
	/* the pages layer can refuse (kernel: domain with huge pages) */
	log.fail_with = -EINVAL;
	cuts[0] = base + 5 * PAGE - 1;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 1, on_split, &log), -EINVAL);
	assert_int_equal(iopt->num_areas, 2);
	log.fail_with = 0;
	/* accesses cannot be split */
	area = iopt_area_find(iopt, cuts[0]);
	area->num_accesses = 1;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 1, on_split, &log), -EINVAL);
	area->num_accesses = 0;
	area->prevent_access = 1;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 1, on_split, &log), -EBUSY);
	area->prevent_access = 0;
	area->pages = NULL;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 1, on_split, &log), -EBUSY);
	area->pages = PAGES;
	/* first failure stops, earlier cuts stay */
	cuts[1] = cuts[0] + 2;
	assert_int_equal(iopt_cut_iova(iopt, cuts, 2, NULL, NULL), -EINVAL);
	assert_int_equal(iopt->num_areas, 3);
}

static void test_contig_iter(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_area_contig_iter iter;
	struct iopt_area *area;
	int n = 0;

	assert_int_equal(map_fixed(iopt, PAGE, PAGE), 0);
	assert_int_equal(map_fixed(iopt, 2 * PAGE, 2 * PAGE), 0);
	assert_int_equal(map_fixed(iopt, 5 * PAGE, PAGE), 0);
	iopt_for_each_contig_area(&iter, area, iopt, PAGE + 10, 4 * PAGE - 1)
		n++;
	assert_int_equal(n, 2);
	assert_true(iopt_area_contig_done(&iter));
	n = 0;
	iopt_for_each_contig_area(&iter, area, iopt, PAGE, 5 * PAGE)
		n++;
	assert_int_equal(n, 2);
	assert_false(iopt_area_contig_done(&iter));
	iopt_for_each_contig_area(&iter, area, iopt, 0, PAGE)
		;
	assert_false(iopt_area_contig_done(&iter));
}

static void test_multi_elm_map(void **state)
{
	struct io_pagetable *iopt = *state;
	struct iopt_map_elm elms[3] = {
		{ .start_byte = 0, .length = PAGE },
		{ .start_byte = 3 * PAGE, .length = 2 * PAGE },
		{ .start_byte = 0, .length = PAGE },
	};
	uint64_t iova = 0;

	assert_int_equal(iopt_alloc_area_pages(iopt, elms, 3, 4 * PAGE, &iova,
					       0, 3, IOPT_ALLOC_IOVA),
			 0);
	assert_int_equal(iova, 4 * PAGE);
	assert_int_equal(iopt_area_iova(elms[1].area), 5 * PAGE);
	assert_int_equal(elms[1].area->pages_offset, 3 * PAGE);
	assert_int_equal(iopt_area_iova(elms[2].area), 7 * PAGE);
	assert_int_equal(iopt->num_areas, 3);

	/* read-only pages asked for write: EPERM, after the IOVA checks */
	elms[1].write_denied = true;
	iova = 4 * PAGE;
	assert_int_equal(iopt_alloc_area_pages(iopt, elms, 3, 4 * PAGE, &iova,
					       0, 3, 0),
			 -EEXIST);
	iova = 16 * PAGE;
	assert_int_equal(iopt_alloc_area_pages(iopt, elms, 3, 4 * PAGE, &iova,
					       0, 3, 0),
			 -EPERM);
	assert_null(elms[0].area);
	elms[1].write_denied = false;

	/* failure in the middle links nothing */
	assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE / 2), 0);
	elms[1].start_byte = 3 * PAGE + 256;
	iova = 16 * PAGE;
	assert_int_equal(iopt_alloc_area_pages(iopt, elms, 3, 4 * PAGE, &iova,
					       0, 3, 0),
			 -EINVAL);
	assert_null(elms[0].area);
	assert_int_equal(iopt->num_areas, 3);
	assert_int_equal(iopt->mapped_bytes, 4 * PAGE);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_million_areas(void **state)
{
	enum { N = 1000000 };
	struct io_pagetable *iopt = *state;
	struct release_log log = { 0 };
	struct iopt_unmap_ops ops = { .release = log_release, .arg = &log };
	struct mallinfo2 before, after;
	double t0, t1, t2, t3;
	uint64_t unmapped, iova;
	struct iopt_area *area;

	before = mallinfo2();
	t0 = now_sec();
	for (uint64_t i = 0; i != N; i++)
		assert_int_equal(map_fixed(iopt, PAGE + i * 2 * PAGE, PAGE), 0);
	t1 = now_sec();
	after = mallinfo2();
	assert_int_equal(iopt->num_areas, N);
	assert_int_equal(iopt->mapped_bytes, N * PAGE);
	for (uint64_t i = 0; i < N; i += 9973) {
		area = iopt_area_find(iopt, PAGE + i * 2 * PAGE + 100);
		assert_non_null(area);
		assert_null(iopt_area_find(iopt, 2 * PAGE + i * 2 * PAGE));
	}
	assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
	assert_int_equal(iova, 2 * PAGE);
	t2 = now_sec();
	for (uint64_t i = 0; i != N / 2; i++)
		assert_int_equal(iopt_unmap_iova(iopt, PAGE + i * 2 * PAGE,
						 PAGE, &unmapped, &ops),
				 0);
	assert_int_equal(iopt_unmap_all(iopt, &unmapped, &ops), 0);
	t3 = now_sec();
	assert_int_equal(unmapped, (N / 2 + 1) * PAGE);
	assert_int_equal(log.count, N + 1);
	assert_int_equal(iopt->num_areas, 0);

	area = malloc(sizeof(*area));
	print_message("1M areas: insert %.3fs, unmap %.3fs; sizeof(iopt_area) %zu, "
		      "malloc usable %zu, heap bytes/area %.1f\n",
		      t1 - t0, t3 - t2, sizeof(struct iopt_area),
		      malloc_usable_size(area),
		      ((double)after.uordblks - (double)before.uordblks) / N);
	free(area);
}

static void test_alloc_packed_timing(void **state)
{
	enum { N = 10000 };
	struct io_pagetable *iopt = *state;
	double t0, t1;
	uint64_t iova;

	t0 = now_sec();
	for (uint64_t i = 0; i != N; i++) {
		assert_int_equal(map_auto(iopt, &iova, 0, PAGE), 0);
		assert_int_equal(iova, PAGE + i * PAGE);
	}
	t1 = now_sec();
	print_message("%d packed auto allocations: %.3fs (O(n) each, as the kernel)\n",
		      N, t1 - t0);
}

/* ------------------------------------------------------------------ */
/* Randomized comparison against a brute-force model                  */

#define MAX_MODEL 4096
#define UNIV (1024 * PAGE)

struct range_owner {
	uint64_t start, last;
	int owner;
};

struct model {
	struct iopt_iova_range areas[MAX_MODEL];
	size_t nareas;
	struct range_owner reserved[MAX_MODEL];
	size_t nreserved;
	struct iopt_iova_range allowed[8];
	size_t nallowed;
	uint64_t alignment;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	return test_rng_next(&rng_state);
}

static bool overlaps(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a <= d && c <= b;
}

static bool model_hits_area(const struct model *m, uint64_t a, uint64_t b)
{
	for (size_t i = 0; i != m->nareas; i++)
		if (overlaps(a, b, m->areas[i].start, m->areas[i].last))
			return true;
	return false;
}

static bool model_hits_reserved(const struct model *m, uint64_t a, uint64_t b)
{
	for (size_t i = 0; i != m->nreserved; i++)
		if (overlaps(a, b, m->reserved[i].start, m->reserved[i].last))
			return true;
	return false;
}

static bool model_hits_allowed(const struct model *m, uint64_t a, uint64_t b)
{
	for (size_t i = 0; i != m->nallowed; i++)
		if (overlaps(a, b, m->allowed[i].start, m->allowed[i].last))
			return true;
	return false;
}

/* Is every byte of [a, b] inside the union of the allowed ranges? */
static bool model_allowed_covers(const struct model *m, uint64_t a, uint64_t b)
{
	uint64_t pos = a;
	bool progress = true;

	while (progress) {
		progress = false;
		for (size_t i = 0; i != m->nallowed; i++) {
			if (m->allowed[i].start <= pos &&
			    m->allowed[i].last >= pos) {
				if (m->allowed[i].last >= b)
					return true;
				pos = m->allowed[i].last + 1;
				progress = true;
			}
		}
	}
	return false;
}

static int model_alloc(const struct model *m, uint64_t addr, uint64_t length,
		       uint64_t *iova)
{
	uint64_t align = 1, limit = UNIV + IOPT_HPAGE_SIZE * 2;

	while (align < length)
		align <<= 1;
	if (addr && (addr & -addr) < align)
		align = addr & -addr;
	if (align > IOPT_HPAGE_SIZE)
		align = IOPT_HPAGE_SIZE;
	if (align < m->alignment)
		return -EINVAL;
	for (uint64_t x = (PAGE + align - 1) & ~(align - 1); x < limit;
	     x += align) {
		uint64_t last = x + length - 1;

		if (m->nallowed && !model_allowed_covers(m, x, last))
			continue;
		if (model_hits_area(m, x, last) ||
		    model_hits_reserved(m, x, last))
			continue;
		*iova = x;
		return 0;
	}
	return -ENOSPC;
}

static int model_map_fixed(struct model *m, uint64_t iova, uint64_t length)
{
	if (iova & (m->alignment - 1) || length & (m->alignment - 1))
		return -EINVAL;
	if (model_hits_reserved(m, iova, iova + length - 1))
		return -EINVAL;
	if (model_hits_area(m, iova, iova + length - 1))
		return -EEXIST;
	return 0;
}

static void model_add_area(struct model *m, uint64_t iova, uint64_t length)
{
	assert_true(m->nareas < MAX_MODEL);
	m->areas[m->nareas++] = (struct iopt_iova_range){ iova,
							  iova + length - 1 };
}

static int model_unmap(struct model *m, uint64_t start, uint64_t last,
		       uint64_t *unmapped)
{
	*unmapped = 0;
	for (;;) {
		size_t lowest = SIZE_MAX;

		for (size_t i = 0; i != m->nareas; i++)
			if (overlaps(start, last, m->areas[i].start,
				     m->areas[i].last) &&
			    (lowest == SIZE_MAX ||
			     m->areas[i].start < m->areas[lowest].start))
				lowest = i;
		if (lowest == SIZE_MAX)
			return 0;
		if (m->areas[lowest].start < start ||
		    m->areas[lowest].last > last)
			return -ENOENT;
		*unmapped += m->areas[lowest].last - m->areas[lowest].start + 1;
		m->areas[lowest] = m->areas[--m->nareas];
	}
}

static int model_set_allowed(struct model *m,
			     const struct iopt_iova_range *r, size_t n)
{
	for (size_t i = 0; i != n; i++) {
		if (r[i].start >= r[i].last)
			return -EINVAL;
		for (size_t j = 0; j != i; j++)
			if (overlaps(r[i].start, r[i].last, r[j].start,
				     r[j].last))
				return -EINVAL;
	}
	for (size_t i = 0; i != n; i++)
		if (model_hits_reserved(m, r[i].start, r[i].last))
			return -EADDRINUSE;
	memcpy(m->allowed, r, n * sizeof(*r));
	m->nallowed = n;
	return 0;
}

static void compare_areas(struct io_pagetable *iopt, const struct model *m)
{
	uint64_t prev_last = 0, bytes = 0;
	struct iopt_area *area;
	size_t n = 0;

	for (area = iopt_area_iter_first(iopt, 0, U64_MAX); area;
	     area = iopt_area_iter_next(area, 0, U64_MAX)) {
		bool found = false;

		if (n)
			assert_true(iopt_area_iova(area) > prev_last);
		prev_last = iopt_area_last_iova(area);
		for (size_t i = 0; i != m->nareas && !found; i++)
			found = m->areas[i].start == iopt_area_iova(area) &&
				m->areas[i].last == iopt_area_last_iova(area);
		assert_true(found);
		bytes += iopt_area_length(area);
		n++;
	}
	assert_int_equal(n, m->nareas);
	assert_int_equal(iopt->num_areas, n);
	assert_int_equal(iopt->mapped_bytes, bytes);
	assert_true(interval_tree_validate(&iopt->area_itree, NULL) >= 0);
}

static uint64_t rand_addr(void)
{
	uint64_t addr = (rng() % 4096) * PAGE;

	if (rng() % 3 == 0)
		addr <<= rng() % 20;
	return addr;
}

static void test_random_vs_model(void **state)
{
	static struct model m;
	static int owners[3];
	struct io_pagetable *iopt = *state;
	/* outcome counts per op kind: 0 = success, 1 = first errno, 2 = other */
	unsigned int stats[6][3] = { 0 };

	memset(&m, 0, sizeof(m));
	m.alignment = 1;
	rng_state = 0x5eed1234abcdULL;
	for (int op = 0; op != 6000; op++) {
		uint64_t kind = rng() % 100, iova, miova = 0, unmapped, munmapped;
		uint64_t length = (1 + rng() % 16) * PAGE;
		int rc, mrc;

		if (op == 3000) {
			assert_int_equal(iopt_unmap_all(iopt, NULL, NULL), 0);
			m.nareas = 0;
			assert_int_equal(iopt_calculate_iova_alignment(iopt, PAGE),
					 0);
			m.alignment = PAGE;
		}
		if (kind < 25) {
			iova = (rng() % 1024) * PAGE;
			if (m.alignment == 1 && rng() % 4 == 0)
				iova += rng() % PAGE;
			mrc = model_map_fixed(&m, iova, length);
			rc = map_fixed(iopt, iova, length);
			assert_int_equal(rc, mrc);
			stats[0][rc == 0 ? 0 : rc == -EEXIST ? 1 : 2]++;
			if (!rc)
				model_add_area(&m, iova, length);
		} else if (kind < 50) {
			uint64_t addr = rand_addr();

			mrc = model_alloc(&m, addr, length, &miova);
			rc = map_auto(iopt, &iova, addr, length);
			assert_int_equal(rc, mrc);
			stats[1][rc == 0 ? 0 : rc == -ENOSPC ? 1 : 2]++;
			if (!rc) {
				assert_int_equal(iova, miova);
				model_add_area(&m, iova, length);
			}
		} else if (kind < 90) {
			iova = (rng() % 1100) * PAGE;
			length = (1 + rng() % 64) * PAGE;
			mrc = model_unmap(&m, iova, iova + length - 1,
					  &munmapped);
			rc = unmap(iopt, iova, length, &unmapped);
			assert_int_equal(rc, mrc);
			stats[2][rc ? 1 : unmapped ? 0 : 2]++;
			assert_int_equal(unmapped, munmapped);
		} else if (kind < 95) {
			uint64_t start = (rng() % 1024) * PAGE;
			uint64_t last = start + (1 + rng() % 8) * PAGE - 1;
			int *owner = &owners[rng() % 3];

			mrc = model_hits_area(&m, start, last) ||
					      model_hits_allowed(&m, start, last) ?
				      -EADDRINUSE :
				      0;
			rc = iopt_reserve_iova(iopt, start, last, owner);
			assert_int_equal(rc, mrc);
			stats[3][rc ? 1 : 0]++;
			if (!rc) {
				assert_true(m.nreserved < MAX_MODEL);
				m.reserved[m.nreserved++] = (struct range_owner){
					start, last, (int)(owner - owners)
				};
			}
		} else if (kind < 97) {
			int who = (int)(rng() % 3);

			iopt_remove_reserved_iova(iopt, &owners[who]);
			for (size_t i = 0; i < m.nreserved;) {
				if (m.reserved[i].owner == who)
					m.reserved[i] = m.reserved[--m.nreserved];
				else
					i++;
			}
		} else {
			struct iopt_iova_range r[3];
			size_t n = rng() % 4;

			for (size_t i = 0; i != n; i++) {
				r[i].start = (rng() % 1200) * PAGE;
				r[i].last = r[i].start + (rng() % 200) * PAGE +
					    PAGE - 1;
			}
			mrc = model_set_allowed(&m, r, n);
			rc = iopt_set_allow_iova(iopt, r, n);
			assert_int_equal(rc, mrc);
			stats[5][rc == 0 ? 0 : rc == -EINVAL ? 1 : 2]++;
		}
		compare_areas(iopt, &m);
	}
	print_message("model: fixed ok/EEXIST/EINVAL %u/%u/%u, alloc ok/ENOSPC %u/%u, "
		      "unmap ok/ENOENT/empty %u/%u/%u, reserve ok/EADDRINUSE %u/%u, "
		      "allow ok/EINVAL/EADDRINUSE %u/%u/%u\n",
		      stats[0][0], stats[0][1], stats[0][2], stats[1][0],
		      stats[1][1], stats[2][0], stats[2][1], stats[2][2],
		      stats[3][0], stats[3][1], stats[5][0], stats[5][1],
		      stats[5][2]);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_alloc_lowest_first),
		T(test_alloc_alignment_classes),
		T(test_alloc_errors),
		T(test_alloc_reserved_allowed),
		T(test_alloc_enospc),
		T(test_fixed_checks),
		T(test_top_of_address_space),
		T(test_unmap_semantics),
		T(test_unmap_busy),
		T(test_unmap_accesses),
		T(test_allowed_reserved),
		T(test_reserved_owner_and_ranges),
		T(test_iova_alignment),
		T(test_cut),
		T(test_contig_iter),
		T(test_multi_elm_map),
		T(test_million_areas),
		T(test_alloc_packed_timing),
		T(test_random_vs_model),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
