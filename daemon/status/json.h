/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status socket's JSON writer: a stream of calls (begin, key, value,
 * end) builds a json-c tree, which json_finish() prints.  Strings are any
 * bytes (a process name is client-controlled): they always come out as one
 * valid JSON string.  Errors (no memory, over the size limit, nesting too
 * deep) stick until the end: check json_finish() once instead of every call.
 */
#ifndef UIOMMUFD_STATUS_JSON_H
#define UIOMMUFD_STATUS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json_object;

struct json_writer {
	char *buf;		/* after json_finish(): the text, NUL-terminated */
	size_t len;		/* its length */
	size_t max;
	size_t est;		/* bytes so far, a lower bound on the text's length */
	int err;		/* first error, negative errno */
	unsigned int depth;
	struct json_object *root;
	struct json_object *open[JSON_MAX_DEPTH];	/* open containers */
	char *key;		/* the member name waiting for its value */
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
