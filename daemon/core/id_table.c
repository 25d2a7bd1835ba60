// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/id_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u * 64u)

void id_table_init(struct id_table *t, uint32_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
}

void id_table_fini(struct id_table *t)
{
	free(t->slots);
	free(t->used);
	free(t->full);
	memset(t, 0, sizeof(*t));
}

static int id_table_grow(struct id_table *t)
{
	uint64_t ncap = t->cap ? (uint64_t)t->cap * 2 : CHUNK;
	void **slots;
	uint64_t *used, *full;

	if (ncap > (uint64_t)ID_TABLE_MAX_ID + 1)
		ncap = (uint64_t)ID_TABLE_MAX_ID + 1;
	if (ncap <= t->cap)
		return -ENOMEM;
	slots = realloc(t->slots, ncap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	t->slots = slots;
	used = realloc(t->used, ncap / 64 * sizeof(*used));
	if (!used)
		return -ENOMEM;
	t->used = used;
	full = realloc(t->full, ncap / CHUNK * sizeof(*full));
	if (!full)
		return -ENOMEM;
	t->full = full;
	memset(slots + t->cap, 0, (ncap - t->cap) * sizeof(*slots));
	memset(used + t->cap / 64, 0, (ncap - t->cap) / 64 * sizeof(*used));
	memset(full + t->cap / CHUNK, 0, (ncap - t->cap) / CHUNK * sizeof(*full));
	if (!t->cap)
		t->used[0] = 1; /* ID 0 is never handed out */
	t->cap = (uint32_t)ncap;
	return 0;
}

static int64_t id_table_find_free(const struct id_table *t)
{
	for (uint32_t f = 0; f < t->cap / CHUNK; f++) {
		uint32_t w;

		if (t->full[f] == ~0ull)
			continue;
		w = f * 64 + (uint32_t)__builtin_ctzll(~t->full[f]);
		return (int64_t)w * 64 + __builtin_ctzll(~t->used[w]);
	}
	return -1;
}

static void id_table_set(struct id_table *t, uint32_t id, int used)
{
	uint32_t w = id / 64;

	if (used) {
		t->used[w] |= 1ull << (id % 64);
		if (t->used[w] == ~0ull)
			t->full[w / 64] |= 1ull << (w % 64);
	} else {
		t->used[w] &= ~(1ull << (id % 64));
		t->full[w / 64] &= ~(1ull << (w % 64));
	}
}

int64_t id_table_alloc(struct id_table *t, void *ptr)
{
	int64_t id;

	if (t->count >= t->limit)
		return -ENOMEM;
	id = id_table_find_free(t);
	if (id < 0) {
		int rc = id_table_grow(t);

		if (rc)
			return rc;
		id = id_table_find_free(t);
	}
	if (id < 0 || id > ID_TABLE_MAX_ID)
		return -ENOMEM;
	id_table_set(t, (uint32_t)id, 1);
	t->slots[id] = ptr;
	t->count++;
	return id;
}

void *id_table_lookup(const struct id_table *t, uint32_t id)
{
	if (id == 0 || id >= t->cap)
		return NULL;
	return t->slots[id];
}

void id_table_remove(struct id_table *t, uint32_t id)
{
	if (id == 0 || id >= t->cap || !t->slots[id])
		return;
	t->slots[id] = NULL;
	id_table_set(t, id, 0);
	t->count--;
}

uint32_t id_table_next(const struct id_table *t, uint32_t from)
{
	if (from == 0)
		from = 1;
	for (uint32_t w = from / 64; w < t->cap / 64; w++) {
		uint64_t bits = t->used[w];

		if (w == from / 64)
			bits &= ~0ull << (from % 64);
		if (w == 0)
			bits &= ~1ull;
		if (bits)
			return w * 64 + (uint32_t)__builtin_ctzll(bits);
	}
	return 0;
}
