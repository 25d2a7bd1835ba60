// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-uid admission of the front end (daemon/frontend/admit.c): at most
 * max_active requests of one uid at once, the rest queued in order and each
 * handed the slot of a finishing request; other uids are never affected;
 * the queue is bounded and the stop drains it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "frontend/admit.h"

struct item {
	struct admit_item a; /* first */
	int n;
};

static void limit_and_fifo(void **state)
{
	struct admit adm;
	struct item it[5];
	struct admit_item *next;

	(void)state;
	admit_init(&adm, 2);
	assert_int_equal(admit_try(&adm, 1000), 0);
	assert_int_equal(admit_try(&adm, 1000), 0);
	assert_int_equal(admit_try(&adm, 1000), 1); /* third: queue */
	for (int i = 0; i < 3; i++) {
		it[i].n = i;
		assert_int_equal(admit_queue(&adm, 1000, &it[i].a), 0);
	}
	/* Another uid is untouched by uid 1000's queue. */
	assert_int_equal(admit_try(&adm, 0), 0);
	assert_int_equal(admit_try(&adm, 0), 0);
	assert_null(admit_done(&adm, 0));
	assert_null(admit_done(&adm, 0));
	/* A finishing request of 1000 hands its slot on, oldest first. */
	for (int i = 0; i < 3; i++) {
		next = admit_done(&adm, 1000);
		assert_non_null(next);
		assert_int_equal(((struct item *)next)->n, i);
	}
	/* A newcomer while the queue is empty but both slots busy: queue. */
	assert_int_equal(admit_try(&adm, 1000), 1);
	it[3].n = 3;
	assert_int_equal(admit_queue(&adm, 1000, &it[3].a), 0);
	next = admit_done(&adm, 1000);
	assert_ptr_equal(next, &it[3].a);
	assert_null(admit_done(&adm, 1000));
	assert_null(admit_done(&adm, 1000));
	/* All free again: the bookkeeping is gone. */
	assert_null(adm.uids);
	admit_fini(&adm);
}

/* A slot freed between admit_try() and admit_queue() is taken, not lost. */
static void slot_freed_before_queue(void **state)
{
	struct admit adm;
	struct item it = { .n = 1 };

	(void)state;
	admit_init(&adm, 1);
	assert_int_equal(admit_try(&adm, 7), 0);
	assert_int_equal(admit_try(&adm, 7), 1);
	assert_null(admit_done(&adm, 7));
	assert_int_equal(admit_queue(&adm, 7, &it.a), 1);
	assert_null(admit_done(&adm, 7));
	assert_null(adm.uids);
	admit_fini(&adm);
}

static void queue_bound_and_drain(void **state)
{
	static struct item it[ADMIT_MAX_QUEUED_PER_UID + 1];
	struct admit adm;
	struct admit_item *list;
	unsigned int n = 0;

	(void)state;
	admit_init(&adm, 1);
	assert_int_equal(admit_try(&adm, 5), 0);
	for (unsigned int i = 0; i < ADMIT_MAX_QUEUED_PER_UID; i++)
		assert_int_equal(admit_queue(&adm, 5, &it[i].a), 0);
	assert_int_equal(admit_queue(&adm, 5, &it[ADMIT_MAX_QUEUED_PER_UID].a),
			 -EAGAIN);
	/* Another uid still gets its turn. */
	assert_int_equal(admit_try(&adm, 6), 0);
	for (list = admit_drain(&adm); list; list = list->next)
		n++;
	assert_int_equal(n, ADMIT_MAX_QUEUED_PER_UID);
	assert_int_equal(adm.nr_queued, 0);
	assert_null(admit_done(&adm, 5));
	assert_null(admit_done(&adm, 6));
	assert_null(adm.uids);
	admit_fini(&adm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limit_and_fifo),
		cmocka_unit_test(slot_freed_before_queue),
		cmocka_unit_test(queue_bound_and_drain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
