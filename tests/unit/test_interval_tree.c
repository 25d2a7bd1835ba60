// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for daemon/core/interval_tree.c */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/interval_tree.h"
#include "tests/test_rng.h"

#define U64_MAX UINT64_MAX

struct item {
	struct interval_tree_node node;
	uint64_t seq;
	bool linked;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	return test_rng_next(&rng_state);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void insert_item(struct interval_tree_root *root, struct item *it,
			uint64_t start, uint64_t last)
{
	it->node.start = start;
	it->node.last = last;
	it->linked = true;
	interval_tree_insert(&it->node, root);
}

static void expect_span(struct interval_tree_span_iter *span, bool is_hole,
			uint64_t start, uint64_t last)
{
	assert_false(span->done);
	assert_int_equal(span->is_hole, is_hole);
	assert_int_equal(span->start, start);
	assert_int_equal(span->last, last);
	interval_tree_span_iter_next(span);
}

static void test_empty(void **state)
{
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct interval_tree_span_iter span;
	size_t count = 1;

	(void)state;
	assert_true(interval_tree_empty(&root));
	assert_null(interval_tree_iter_first(&root, 0, U64_MAX));
	assert_null(interval_tree_first(&root));
	assert_int_equal(interval_tree_validate(&root, &count), 0);
	assert_int_equal(count, 0);

	interval_tree_span_iter_first(&span, &root, 0, U64_MAX);
	expect_span(&span, true, 0, U64_MAX);
	assert_true(span.done);
}

static void test_overlap_order(void **state)
{
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct item it[6] = { 0 };
	struct interval_tree_node *n;

	(void)state;
	insert_item(&root, &it[0], 40, 50);
	insert_item(&root, &it[1], 10, 20);
	insert_item(&root, &it[2], 15, 30);
	insert_item(&root, &it[3], 5, 5);
	insert_item(&root, &it[4], 100, U64_MAX);
	insert_item(&root, &it[5], 10, 12);
	assert_true(interval_tree_validate(&root, NULL) > 0);

	n = interval_tree_iter_first(&root, 18, 41);
	assert_ptr_equal(n, &it[1].node);
	n = interval_tree_iter_next(n, 18, 41);
	assert_ptr_equal(n, &it[2].node);
	n = interval_tree_iter_next(n, 18, 41);
	assert_ptr_equal(n, &it[0].node);
	assert_null(interval_tree_iter_next(n, 18, 41));

	/* duplicates of start keep insertion order */
	n = interval_tree_iter_first(&root, 10, 10);
	assert_ptr_equal(n, &it[1].node);
	assert_ptr_equal(interval_tree_iter_next(n, 10, 10), &it[5].node);

	assert_null(interval_tree_iter_first(&root, 0, 4));
	assert_null(interval_tree_iter_first(&root, 51, 99));
	assert_ptr_equal(interval_tree_iter_first(&root, U64_MAX, U64_MAX),
			 &it[4].node);
	assert_ptr_equal(interval_tree_iter_first(&root, 0, U64_MAX),
			 &it[3].node);

	interval_tree_remove(&it[4].node, &root);
	assert_null(interval_tree_iter_first(&root, U64_MAX, U64_MAX));
	assert_true(interval_tree_validate(&root, NULL) > 0);
	for (int i = 0; i != 4; i++)
		interval_tree_remove(&it[i].node, &root);
	interval_tree_remove(&it[5].node, &root);
	assert_true(interval_tree_empty(&root));
}

static void test_span(void **state)
{
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct interval_tree_span_iter span;
	struct item it[6] = { 0 };

	(void)state;
	insert_item(&root, &it[0], 10, 20);
	insert_item(&root, &it[1], 21, 25); /* touches: merged */
	insert_item(&root, &it[2], 23, 24); /* nested */
	insert_item(&root, &it[3], 30, 40);
	insert_item(&root, &it[4], U64_MAX - 5, U64_MAX);
	insert_item(&root, &it[5], 11, 11);

	interval_tree_span_iter_first(&span, &root, 0, U64_MAX);
	expect_span(&span, true, 0, 9);
	expect_span(&span, false, 10, 25);
	expect_span(&span, true, 26, 29);
	expect_span(&span, false, 30, 40);
	expect_span(&span, true, 41, U64_MAX - 6);
	expect_span(&span, false, U64_MAX - 5, U64_MAX);
	assert_true(span.done);

	interval_tree_span_iter_first(&span, &root, 12, 35);
	expect_span(&span, false, 12, 25);
	expect_span(&span, true, 26, 29);
	expect_span(&span, false, 30, 35);
	assert_true(span.done);

	interval_tree_span_iter_first(&span, &root, 0, 0);
	expect_span(&span, true, 0, 0);
	assert_true(span.done);
	interval_tree_span_iter_first(&span, &root, U64_MAX, U64_MAX);
	expect_span(&span, false, U64_MAX, U64_MAX);
	assert_true(span.done);

	interval_tree_span_iter_first(&span, &root, 0, U64_MAX);
	interval_tree_span_iter_advance(&span, 28);
	assert_true(span.is_hole);
	assert_int_equal(span.start, 26);
	interval_tree_span_iter_advance(&span, U64_MAX);
	assert_false(span.is_hole);
	assert_int_equal(span.start, U64_MAX - 5);
}

/* Sorted (start, seq) order of the linked items overlapping [a, b]. */
static size_t model_query(struct item *items, size_t n, uint64_t a, uint64_t b,
			  struct item **out)
{
	size_t cnt = 0;

	for (size_t i = 0; i != n; i++) {
		struct item *it = &items[i];
		size_t j;

		if (!it->linked || it->node.start > b || it->node.last < a)
			continue;
		for (j = cnt; j > 0; j--) {
			struct item *o = out[j - 1];

			if (o->node.start < it->node.start ||
			    (o->node.start == it->node.start && o->seq < it->seq))
				break;
			out[j] = o;
		}
		out[j] = it;
		cnt++;
	}
	return cnt;
}

#define UNIVERSE 2048

static void check_spans(struct interval_tree_root *root, struct item *items,
			size_t n, uint64_t a, uint64_t b)
{
	static bool covered[UNIVERSE];
	struct interval_tree_span_iter span;
	uint64_t pos = a;

	memset(covered, 0, sizeof(covered));
	for (size_t i = 0; i != n; i++) {
		if (!items[i].linked)
			continue;
		for (uint64_t x = items[i].node.start; x <= items[i].node.last;
		     x++)
			covered[x] = true;
	}
	interval_tree_for_each_span(&span, root, a, b) {
		assert_int_equal(span.start, pos);
		assert_true(span.last >= span.start && span.last <= b);
		for (uint64_t x = span.start; x <= span.last; x++)
			assert_int_equal(covered[x], !span.is_hole);
		/* maximal: the next position has the other state */
		if (span.last < b)
			assert_int_equal(covered[span.last + 1], span.is_hole);
		pos = span.last + 1;
	}
	assert_int_equal(pos, b + 1);
}

static void test_random_vs_model(void **state)
{
	enum { NITEMS = 600, NOPS = 60000 };
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct item *items = calloc(NITEMS, sizeof(*items));
	struct item **expect = calloc(NITEMS, sizeof(*expect));
	uint64_t seq = 0;
	size_t linked = 0;

	(void)state;
	assert_non_null(items);
	assert_non_null(expect);
	rng_state = 0x9e3779b97f4a7c15ULL;

	for (int op = 0; op != NOPS; op++) {
		struct item *it = &items[rng() % NITEMS];
		uint64_t a = rng() % UNIVERSE;
		uint64_t b = a + rng() % 200;
		struct interval_tree_node *n;
		size_t cnt, i;

		if (b >= UNIVERSE)
			b = UNIVERSE - 1;
		if (!it->linked) {
			uint64_t s = rng() % UNIVERSE;
			uint64_t len = rng() % 8 ? rng() % 16 : rng() % 400;
			uint64_t l = s + len >= UNIVERSE ? UNIVERSE - 1 : s + len;

			it->seq = seq++;
			insert_item(&root, it, s, l);
			linked++;
		} else {
			interval_tree_remove(&it->node, &root);
			it->linked = false;
			linked--;
		}

		cnt = model_query(items, NITEMS, a, b, expect);
		for (n = interval_tree_iter_first(&root, a, b), i = 0; n;
		     n = interval_tree_iter_next(n, a, b), i++) {
			assert_true(i < cnt);
			assert_ptr_equal(n, &expect[i]->node);
		}
		assert_int_equal(i, cnt);

		if (op % 64 == 0) {
			size_t count;

			assert_true(interval_tree_validate(&root, &count) >= 0);
			assert_int_equal(count, linked);
			check_spans(&root, items, NITEMS, a, b);
			check_spans(&root, items, NITEMS, 0, UNIVERSE - 1);
		}
	}
	free(expect);
	free(items);
}

static void test_million_sequential(void **state)
{
	enum { N = 1000000 };
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct item *items = calloc(N, sizeof(*items));
	double t0, t1, t2;
	size_t count;
	int height;

	(void)state;
	assert_non_null(items);
	t0 = now_sec();
	for (uint64_t i = 0; i != N; i++)
		insert_item(&root, &items[i], i * 8192, i * 8192 + 4095);
	t1 = now_sec();
	height = interval_tree_validate(&root, &count);
	assert_int_equal(count, N);
	/* AVL bound: h < 1.4405 log2(n + 2); log2 rounded up here */
	assert_true(height > 0 &&
		    height < 1.4405 * (64 - __builtin_clzll(N + 2)));
	for (uint64_t i = 0; i < N; i += 2)
		interval_tree_remove(&items[i].node, &root);
	assert_true(interval_tree_validate(&root, &count) > 0);
	assert_int_equal(count, N / 2);
	for (uint64_t i = 1; i < N; i += 2)
		interval_tree_remove(&items[i].node, &root);
	t2 = now_sec();
	assert_true(interval_tree_empty(&root));
	print_message("interval_tree: 1M inserts %.3fs, 1M removes %.3fs, height %d\n",
		      t1 - t0, t2 - t1, height);
	free(items);
}

static void test_validate_detects_corruption(void **state)
{
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct item it[3] = { 0 };
	uint64_t saved;

	(void)state;
	insert_item(&root, &it[0], 10, 20);
	insert_item(&root, &it[1], 30, 40);
	insert_item(&root, &it[2], 50, 60);
	assert_int_equal(interval_tree_validate(&root, NULL), 2);
	saved = root.node->subtree_last;
	root.node->subtree_last = 0;
	assert_int_equal(interval_tree_validate(&root, NULL), -1);
	root.node->subtree_last = saved;
	root.node->left->start = 45;
	assert_int_equal(interval_tree_validate(&root, NULL), -1);
}

/* Wide random keys, removal in random order: exercises every rotation. */
static void test_random_remove_order(void **state)
{
	enum { N = 50000 };
	struct interval_tree_root root = INTERVAL_TREE_ROOT_INIT;
	struct item *items = calloc(N, sizeof(*items));
	size_t *perm = calloc(N, sizeof(*perm));
	size_t count;

	(void)state;
	assert_non_null(items);
	assert_non_null(perm);
	rng_state = 42;
	for (size_t i = 0; i != N; i++) {
		uint64_t s = rng() % 4 ? rng() : rng() % 64;
		uint64_t len = rng() % 1000;

		insert_item(&root, &items[i], s,
			    s > U64_MAX - len ? U64_MAX : s + len);
		perm[i] = i;
	}
	assert_true(interval_tree_validate(&root, &count) > 0);
	assert_int_equal(count, N);
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = rng() % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i != N; i++) {
		interval_tree_remove(&items[perm[i]].node, &root);
		if (i % 4999 == 0) {
			assert_true(interval_tree_validate(&root, &count) >= 0);
			assert_int_equal(count, N - i - 1);
		}
	}
	assert_true(interval_tree_empty(&root));
	free(perm);
	free(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_overlap_order),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_million_sequential),
		cmocka_unit_test(test_validate_detects_corruption),
		cmocka_unit_test(test_random_remove_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
