/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive interval tree over closed uint64_t intervals [start, last].
 *
 * An AVL tree ordered by start (equal starts go to the right, so insertion
 * order is kept among duplicates), augmented with the largest `last` of each
 * subtree so that overlap queries prune whole subtrees. Nodes are embedded
 * in their owner and recovered with interval_tree_entry(). The tree never
 * allocates, never recurses, and insert/remove are O(log n).
 *
 * The tree has no lock; its owner serialises access.
 */
#ifndef UIOMMUFD_INTERVAL_TREE_H
#define UIOMMUFD_INTERVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct interval_tree_node {
	struct interval_tree_node *left;
	struct interval_tree_node *right;
	/* Private: parent pointer, AVL balance + 1 in the two low bits. */
	uintptr_t parent_bal;
	uint64_t start;
	uint64_t last;
	/* Private: max(last) over this subtree. */
	uint64_t subtree_last;
};

struct interval_tree_root {
	struct interval_tree_node *node;
};

#define INTERVAL_TREE_ROOT_INIT ((struct interval_tree_root){ NULL })

#define interval_tree_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline bool interval_tree_empty(const struct interval_tree_root *root)
{
	return root->node == NULL;
}

/* node->start and node->last must be set, start <= last. */
void interval_tree_insert(struct interval_tree_node *node,
			  struct interval_tree_root *root);
void interval_tree_remove(struct interval_tree_node *node,
			  struct interval_tree_root *root);

/* Nodes overlapping [start, last], in ascending start order. */
struct interval_tree_node *
interval_tree_iter_first(const struct interval_tree_root *root, uint64_t start,
			 uint64_t last);
struct interval_tree_node *interval_tree_iter_next(struct interval_tree_node *node,
						   uint64_t start, uint64_t last);

/* Every node, in ascending start order. */
struct interval_tree_node *interval_tree_first(const struct interval_tree_root *root);
struct interval_tree_node *interval_tree_next(struct interval_tree_node *node);

/*
 * Walks [first_index, last_index] as alternating spans: a used span is the
 * union of nodes that overlap or touch each other (clipped to the window), a
 * hole is a maximal range covered by no node. Spans are never empty and
 * together tile the window exactly. Requires first_index <= last_index.
 */
struct interval_tree_span_iter {
	uint64_t start; /* current span, inclusive */
	uint64_t last;
	bool is_hole;
	bool done;
	/* Private */
	struct interval_tree_node *next_node;
	uint64_t first_index;
	uint64_t last_index;
};

void interval_tree_span_iter_first(struct interval_tree_span_iter *iter,
				   const struct interval_tree_root *root,
				   uint64_t first_index, uint64_t last_index);
void interval_tree_span_iter_next(struct interval_tree_span_iter *iter);
/* Move forward until the current span contains pos (pos <= last_index). */
void interval_tree_span_iter_advance(struct interval_tree_span_iter *iter,
				     uint64_t pos);

#define interval_tree_for_each_span(iter, root, first, last)             \
	for (interval_tree_span_iter_first(iter, root, first, last);     \
	     !(iter)->done; interval_tree_span_iter_next(iter))

/*
 * Debug/test helper: checks ordering, parent links, AVL balance and the
 * subtree_last augmentation. Returns the tree height (0 when empty) or -1 on
 * corruption; *count receives the number of nodes when non-NULL.
 */
int interval_tree_validate(const struct interval_tree_root *root, size_t *count);

#endif /* UIOMMUFD_INTERVAL_TREE_H */
