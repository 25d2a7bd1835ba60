/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough of a JSON reader for uiommufdctl to render the daemon's reply:
 * a tree of values, numbers kept exactly when they are non-negative
 * integers (byte counts up to 2^64 - 1), a depth limit.  json-c parses; the
 * tree is plain C so that callers need no json-c header.
 */
#ifndef UIOMMUFD_JSON_READ_H
#define UIOMMUFD_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool boolean;
	bool is_u64;  /* a non-negative integer that fits: u64 is exact */
	uint64_t u64;
	double number;
	char *string;
	/* Arrays and objects: n items; objects also have keys[i]. */
	size_t n, cap;
	struct jv *items;
	char **keys;
};

/* 0 and *out (free with jv_free()), or -EINVAL for text that is not JSON. */
int jv_parse(const char *text, size_t len, struct jv **out);
void jv_free(struct jv *v);
/* The member named key of an object, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* Convenience: a member's value or a default when absent or of another type. */
uint64_t jv_get_u64(const struct jv *obj, const char *key, uint64_t def);
const char *jv_get_str(const struct jv *obj, const char *key, const char *def);

#endif
