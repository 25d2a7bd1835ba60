/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Object IDs, handed out like the kernel's xa_alloc() on an XA_FLAGS_ALLOC1
 * xarray: always the lowest free ID, starting at 1, up to 2^31 - 1.  A bitmap
 * with a second level that marks full words keeps "lowest free" cheap even
 * with many objects and a churn of frees in the middle.
 */
#ifndef UIOMMUFD_ID_TABLE_H
#define UIOMMUFD_ID_TABLE_H

#include <stdint.h>

#define ID_TABLE_MAX_ID 0x7fffffffu

struct id_table {
	void **slots;
	uint64_t *used;
	uint64_t *full;
	uint32_t cap; /* slots; a multiple of 64 * 64 */
	uint32_t count;
	uint32_t limit; /* at most this many entries */
};

void id_table_init(struct id_table *t, uint32_t limit);
void id_table_fini(struct id_table *t);
/* Returns the new ID (>= 1) or -ENOMEM when the limit or memory runs out. */
int64_t id_table_alloc(struct id_table *t, void *ptr);
void *id_table_lookup(const struct id_table *t, uint32_t id);
void id_table_remove(struct id_table *t, uint32_t id);
/* The smallest used ID >= from, or 0 when there is none. */
uint32_t id_table_next(const struct id_table *t, uint32_t from);

#endif
