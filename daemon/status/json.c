// SPDX-License-Identifier: GPL-2.0-or-later
#include "status/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json_writer *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	w->first[0] = true;
}

void json_free(struct json_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (w->len + n + 1 > w->max) {
		w->err = -E2BIG;
		return;
	}
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		char *p;

		while (cap < w->len + n + 1)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before any value or key: the comma that separates it from the last one. */
static void element(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = false;
}

static void open_nested(struct json_writer *w, char c)
{
	element(w);
	put(w, &c, 1);
	if (w->depth + 1 >= JSON_MAX_DEPTH) {
		w->err = w->err ? w->err : -E2BIG;
		return;
	}
	w->first[++w->depth] = true;
}

static void close_nested(struct json_writer *w, char c)
{
	put(w, &c, 1);
	if (w->depth)
		w->depth--;
}

void json_object_begin(struct json_writer *w) { open_nested(w, '{'); }
void json_object_end(struct json_writer *w) { close_nested(w, '}'); }
void json_array_begin(struct json_writer *w) { open_nested(w, '['); }
void json_array_end(struct json_writer *w) { close_nested(w, ']'); }

static void put_string(struct json_writer *w, const char *s)
{
	put(w, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(w, esc, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			/*
			 * Bytes outside printable ASCII (a process name is any
			 * bytes) become \u00XX: always valid JSON, never a
			 * broken UTF-8 sequence.
			 */
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(w, esc, 6);
		} else {
			put(w, (const char *)p, 1);
		}
	}
	put(w, "\"", 1);
}

void json_key(struct json_writer *w, const char *key)
{
	element(w);
	put_string(w, key);
	put(w, ":", 1);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	element(w);
	put_string(w, s ? s : "");
}

void json_u64(struct json_writer *w, uint64_t v)
{
	char num[24];

	element(w);
	put(w, num, (size_t)snprintf(num, sizeof(num), "%" PRIu64, v));
}

void json_i64(struct json_writer *w, int64_t v)
{
	char num[24];

	element(w);
	put(w, num, (size_t)snprintf(num, sizeof(num), "%" PRId64, v));
}

void json_bool(struct json_writer *w, bool v)
{
	element(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

int json_finish(struct json_writer *w)
{
	if (!w->err && (w->depth || w->after_key))
		w->err = -EINVAL;
	if (!w->err && !w->buf)
		put(w, "", 0);
	return w->err;
}
