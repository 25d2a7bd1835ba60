/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON writer for the status socket's replies: values go into a
 * growable buffer with commas placed automatically, strings are escaped so
 * that anything a client controls (a process name) stays inside its string.
 * Errors (no memory, over the size limit) stick until the end: check
 * json_finish() once instead of every call.
 */
#ifndef UIOMMUFD_STATUS_JSON_H
#define UIOMMUFD_STATUS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	char *buf;
	size_t len, cap, max;
	int err; /* first error, negative errno */
	unsigned int depth;
	bool first[JSON_MAX_DEPTH]; /* no element yet at this depth */
	bool after_key;
};

/* max: the reply may not grow beyond this many bytes (-E2BIG). */
void json_init(struct json_writer *w, size_t max);
void json_free(struct json_writer *w);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_u64(struct json_writer *w, uint64_t v);
void json_i64(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
/* 0 with the text NUL-terminated in w->buf (length w->len), or the error. */
int json_finish(struct json_writer *w);

#endif
