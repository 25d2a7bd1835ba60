// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Augmented AVL interval tree, see interval_tree.h.
 *
 * Balance is right height minus left height, kept in {-1, 0, +1}; it is
 * stored as balance + 1 in the low two bits of parent_bal (nodes are at least
 * 4-byte aligned). Transient +-2 states are never stored: the retracing loops
 * hand them to it_rebalance() directly.
 *
 * The subtree_last augmentation is fixed up along the modified path first,
 * and only then are rotations done; a rotation keeps the node set of the
 * rotated subtree, so it only needs to recompute the two nodes it moves.
 */
#include "interval_tree.h"

#define IT_BAL_MASK ((uintptr_t)3)

_Static_assert(_Alignof(struct interval_tree_node) >= 4,
	       "parent_bal needs two free low bits");

static inline struct interval_tree_node *it_parent(const struct interval_tree_node *n)
{
	return (struct interval_tree_node *)(n->parent_bal & ~IT_BAL_MASK);
}

static inline int it_bal(const struct interval_tree_node *n)
{
	return (int)(n->parent_bal & IT_BAL_MASK) - 1;
}

static inline void it_set_parent(struct interval_tree_node *n,
				 struct interval_tree_node *parent)
{
	n->parent_bal = (uintptr_t)parent | (n->parent_bal & IT_BAL_MASK);
}

static inline void it_set_bal(struct interval_tree_node *n, int bal)
{
	n->parent_bal = (n->parent_bal & ~IT_BAL_MASK) | (uintptr_t)(bal + 1);
}

static inline uint64_t it_compute_last(const struct interval_tree_node *n)
{
	uint64_t max = n->last;

	if (n->left && n->left->subtree_last > max)
		max = n->left->subtree_last;
	if (n->right && n->right->subtree_last > max)
		max = n->right->subtree_last;
	return max;
}

static void it_replace_child(struct interval_tree_root *root,
			     struct interval_tree_node *parent,
			     struct interval_tree_node *old,
			     struct interval_tree_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/* Pointer and augmentation work only; balances are set by the caller. */
static struct interval_tree_node *it_rotate_left(struct interval_tree_root *root,
						 struct interval_tree_node *x)
{
	struct interval_tree_node *y = x->right;
	struct interval_tree_node *parent = it_parent(x);

	x->right = y->left;
	if (x->right)
		it_set_parent(x->right, x);
	y->left = x;
	it_replace_child(root, parent, x, y);
	it_set_parent(y, parent);
	it_set_parent(x, y);
	x->subtree_last = it_compute_last(x);
	y->subtree_last = it_compute_last(y);
	return y;
}

static struct interval_tree_node *it_rotate_right(struct interval_tree_root *root,
						  struct interval_tree_node *x)
{
	struct interval_tree_node *y = x->left;
	struct interval_tree_node *parent = it_parent(x);

	x->left = y->right;
	if (x->left)
		it_set_parent(x->left, x);
	y->right = x;
	it_replace_child(root, parent, x, y);
	it_set_parent(y, parent);
	it_set_parent(x, y);
	x->subtree_last = it_compute_last(x);
	y->subtree_last = it_compute_last(y);
	return y;
}

/*
 * x has logical balance +2 or -2. Restores the AVL property below x's parent
 * and returns the new subtree root. A new root balance of 0 means the subtree
 * got one level shorter than before the rotation.
 */
static struct interval_tree_node *it_rebalance(struct interval_tree_root *root,
					       struct interval_tree_node *x,
					       int xbal)
{
	struct interval_tree_node *y, *z;
	int ybal, zbal;

	if (xbal > 0) {
		y = x->right;
		ybal = it_bal(y);
		if (ybal >= 0) {
			it_rotate_left(root, x);
			it_set_bal(x, ybal == 0 ? 1 : 0);
			it_set_bal(y, ybal == 0 ? -1 : 0);
			return y;
		}
		z = y->left;
		zbal = it_bal(z);
		it_rotate_right(root, y);
		it_rotate_left(root, x);
		it_set_bal(x, zbal > 0 ? -1 : 0);
		it_set_bal(y, zbal < 0 ? 1 : 0);
		it_set_bal(z, 0);
		return z;
	}

	y = x->left;
	ybal = it_bal(y);
	if (ybal <= 0) {
		it_rotate_right(root, x);
		it_set_bal(x, ybal == 0 ? -1 : 0);
		it_set_bal(y, ybal == 0 ? 1 : 0);
		return y;
	}
	z = y->right;
	zbal = it_bal(z);
	it_rotate_left(root, y);
	it_rotate_right(root, x);
	it_set_bal(x, zbal < 0 ? 1 : 0);
	it_set_bal(y, zbal > 0 ? -1 : 0);
	it_set_bal(z, 0);
	return z;
}

static void it_insert_retrace(struct interval_tree_root *root,
			      struct interval_tree_node *n)
{
	struct interval_tree_node *parent;

	while ((parent = it_parent(n))) {
		int bal = it_bal(parent) + (parent->left == n ? -1 : 1);

		if (bal == 0) {
			it_set_bal(parent, 0);
			return;
		}
		if (bal == 2 || bal == -2) {
			it_rebalance(root, parent, bal);
			return;
		}
		it_set_bal(parent, bal);
		n = parent;
	}
}

void interval_tree_insert(struct interval_tree_node *node,
			  struct interval_tree_root *root)
{
	struct interval_tree_node **link = &root->node;
	struct interval_tree_node *parent = NULL;

	while (*link) {
		parent = *link;
		if (parent->subtree_last < node->last)
			parent->subtree_last = node->last;
		link = node->start < parent->start ? &parent->left :
						     &parent->right;
	}
	node->left = NULL;
	node->right = NULL;
	node->parent_bal = (uintptr_t)parent;
	it_set_bal(node, 0);
	node->subtree_last = node->last;
	*link = node;
	it_insert_retrace(root, node);
}

/* n's subtree on side `left_shorter` lost one level of height. */
static void it_remove_retrace(struct interval_tree_root *root,
			      struct interval_tree_node *n, bool left_shorter)
{
	while (n) {
		int bal = it_bal(n) + (left_shorter ? 1 : -1);
		struct interval_tree_node *parent;

		if (bal == 1 || bal == -1) {
			it_set_bal(n, bal);
			return;
		}
		if (bal == 0) {
			it_set_bal(n, 0);
		} else {
			n = it_rebalance(root, n, bal);
			if (it_bal(n) != 0)
				return;
		}
		parent = it_parent(n);
		if (parent)
			left_shorter = parent->left == n;
		n = parent;
	}
}

static void it_fix_last_upwards(struct interval_tree_node *n)
{
	for (; n; n = it_parent(n))
		n->subtree_last = it_compute_last(n);
}

void interval_tree_remove(struct interval_tree_node *node,
			  struct interval_tree_root *root)
{
	struct interval_tree_node *parent = it_parent(node);
	struct interval_tree_node *retrace;
	bool left_shorter;

	if (node->left && node->right) {
		struct interval_tree_node *succ = node->right;

		while (succ->left)
			succ = succ->left;

		if (succ == node->right) {
			retrace = succ;
			left_shorter = false;
		} else {
			retrace = it_parent(succ);
			left_shorter = true;
			retrace->left = succ->right;
			if (succ->right)
				it_set_parent(succ->right, retrace);
			succ->right = node->right;
			it_set_parent(succ->right, succ);
		}
		succ->left = node->left;
		it_set_parent(succ->left, succ);
		succ->parent_bal = node->parent_bal;
		it_replace_child(root, parent, node, succ);
	} else {
		struct interval_tree_node *child = node->left ? node->left :
								node->right;

		retrace = parent;
		left_shorter = parent && parent->left == node;
		it_replace_child(root, parent, node, child);
		if (child)
			it_set_parent(child, parent);
	}

	it_fix_last_upwards(retrace);
	it_remove_retrace(root, retrace, left_shorter);
	node->left = node->right = NULL;
	node->parent_bal = 0;
}

/* First node, in order, of n's subtree overlapping [start, last]. */
static struct interval_tree_node *it_subtree_first(struct interval_tree_node *n,
						   uint64_t start, uint64_t last)
{
	while (n && n->subtree_last >= start) {
		if (n->left && n->left->subtree_last >= start) {
			n = n->left;
			continue;
		}
		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
		n = n->right;
	}
	return NULL;
}

struct interval_tree_node *
interval_tree_iter_first(const struct interval_tree_root *root, uint64_t start,
			 uint64_t last)
{
	return it_subtree_first(root->node, start, last);
}

struct interval_tree_node *interval_tree_iter_next(struct interval_tree_node *node,
						   uint64_t start, uint64_t last)
{
	struct interval_tree_node *n = node;

	for (;;) {
		struct interval_tree_node *prev;

		if (n->right && n->right->subtree_last >= start)
			return it_subtree_first(n->right, start, last);
		do {
			prev = n;
			n = it_parent(n);
			if (!n)
				return NULL;
		} while (n->right == prev);

		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
	}
}

struct interval_tree_node *interval_tree_first(const struct interval_tree_root *root)
{
	struct interval_tree_node *n = root->node;

	while (n && n->left)
		n = n->left;
	return n;
}

struct interval_tree_node *interval_tree_next(struct interval_tree_node *node)
{
	struct interval_tree_node *prev;

	if (node->right) {
		node = node->right;
		while (node->left)
			node = node->left;
		return node;
	}
	do {
		prev = node;
		node = it_parent(node);
	} while (node && node->right == prev);
	return node;
}

/* Used span starting at pos = next_node->start, or at first_index. */
static void span_fill_used(struct interval_tree_span_iter *iter, uint64_t pos)
{
	struct interval_tree_node *n = iter->next_node;
	uint64_t end = n->last;

	for (n = interval_tree_iter_next(n, iter->first_index, iter->last_index);
	     n && (n->start <= end || n->start - 1 == end);
	     n = interval_tree_iter_next(n, iter->first_index, iter->last_index)) {
		if (n->last > end)
			end = n->last;
	}
	iter->next_node = n;
	iter->is_hole = false;
	iter->start = pos;
	iter->last = end < iter->last_index ? end : iter->last_index;
}

static void span_fill_hole(struct interval_tree_span_iter *iter, uint64_t pos)
{
	iter->is_hole = true;
	iter->start = pos;
	iter->last = iter->next_node ? iter->next_node->start - 1 :
				       iter->last_index;
}

void interval_tree_span_iter_first(struct interval_tree_span_iter *iter,
				   const struct interval_tree_root *root,
				   uint64_t first_index, uint64_t last_index)
{
	iter->first_index = first_index;
	iter->last_index = last_index;
	iter->done = false;
	iter->next_node = interval_tree_iter_first(root, first_index, last_index);
	if (iter->next_node && iter->next_node->start <= first_index)
		span_fill_used(iter, first_index);
	else
		span_fill_hole(iter, first_index);
}

void interval_tree_span_iter_next(struct interval_tree_span_iter *iter)
{
	if (iter->done)
		return;
	if (iter->last == iter->last_index) {
		iter->done = true;
		return;
	}
	if (iter->is_hole)
		span_fill_used(iter, iter->last + 1);
	else
		span_fill_hole(iter, iter->last + 1);
}

void interval_tree_span_iter_advance(struct interval_tree_span_iter *iter,
				     uint64_t pos)
{
	while (!iter->done && iter->last < pos)
		interval_tree_span_iter_next(iter);
}

struct it_frame {
	const struct interval_tree_node *node;
	int stage;
	int left_height;
};

static bool it_node_ok(const struct interval_tree_node *n,
		       const struct interval_tree_node *parent, int lh, int rh)
{
	if (it_parent(n) != parent || n->start > n->last)
		return false;
	if (rh - lh != it_bal(n) || rh - lh > 1 || lh - rh > 1)
		return false;
	if (n->left && n->left->start > n->start)
		return false;
	if (n->right && n->right->start < n->start)
		return false;
	return n->subtree_last == it_compute_last(n);
}

static bool it_inorder_ok(const struct interval_tree_root *root, size_t nodes)
{
	struct interval_tree_node *n = interval_tree_first(root);
	size_t seen = 0;

	for (; n; n = interval_tree_next(n)) {
		struct interval_tree_node *next = interval_tree_next(n);

		if (++seen > nodes || (next && next->start < n->start))
			return false;
	}
	return seen == nodes;
}

int interval_tree_validate(const struct interval_tree_root *root, size_t *count)
{
	struct it_frame stack[128];
	const struct interval_tree_node *parent_of[128];
	size_t sp = 0, nodes = 0;
	int height = 0;

	if (count)
		*count = 0;
	stack[sp] = (struct it_frame){ root->node, 0, 0 };
	parent_of[sp++] = NULL;
	while (sp) {
		struct it_frame *f = &stack[sp - 1];
		const struct interval_tree_node *child;

		if (!f->node) {
			height = 0;
			sp--;
			continue;
		}
		if (f->stage == 2) {
			if (!it_node_ok(f->node, parent_of[sp - 1],
					f->left_height, height))
				return -1;
			if (f->left_height > height)
				height = f->left_height;
			height++;
			nodes++;
			sp--;
			continue;
		}
		if (f->stage == 1)
			f->left_height = height;
		child = f->stage == 0 ? f->node->left : f->node->right;
		f->stage++;
		if (sp == sizeof(stack) / sizeof(stack[0]))
			return -1;
		stack[sp] = (struct it_frame){ child, 0, 0 };
		parent_of[sp++] = f->node;
	}
	if (!it_inorder_ok(root, nodes))
		return -1;
	if (count)
		*count = nodes;
	return height;
}
