// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json-c names a type json_bool, and json.h's API (older than this use of
 * json-c) has a function of that name: json-c's type is renamed here.
 */
#define json_bool json_c_bool
#include <json-c/json.h>
#undef json_bool

#include "status/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json_writer *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void json_free(struct json_writer *w)
{
	json_object_put(w->root);
	free(w->key);
	free(w->buf);
	memset(w->open, 0, sizeof(w->open));
	w->root = NULL;
	w->key = w->buf = NULL;
	w->len = w->est = 0;
	w->depth = 0;
}

static void fail(struct json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

/*
 * The tree is bounded while it grows, not only once printed: est counts
 * the bytes each call adds to the text at the least (no commas, no escapes),
 * so a reply refused here would never have fitted.
 */
static bool charge(struct json_writer *w, size_t bytes)
{
	if (w->err)
		return false;
	if (bytes >= w->max || w->est + bytes + 1 > w->max) {
		fail(w, -E2BIG);
		return false;
	}
	w->est += bytes;
	return true;
}

/* Places a new value (its reference is ours) at the current position. */
static void add(struct json_writer *w, struct json_object *v)
{
	struct json_object *parent = w->depth ? w->open[w->depth - 1] : NULL;
	int rc;

	if (!v) {
		fail(w, -ENOMEM);
		return;
	}
	if (w->err) {
		json_object_put(v);
		return;
	}
	if (!parent) {
		/* one top-level value only */
		if (w->root) {
			json_object_put(v);
			fail(w, -EINVAL);
			return;
		}
		w->root = v;
		return;
	}
	if (json_object_is_type(parent, json_type_object)) {
		if (!w->key) {
			json_object_put(v);
			fail(w, -EINVAL);
			return;
		}
		rc = json_object_object_add(parent, w->key, v);
		free(w->key);
		w->key = NULL;
	} else {
		rc = json_object_array_add(parent, v);
	}
	if (rc) {
		json_object_put(v);
		fail(w, -ENOMEM);
	}
}

static void open_nested(struct json_writer *w, struct json_object *c)
{
	if (!charge(w, 2)) {
		json_object_put(c);
		return;
	}
	if (w->depth + 1 >= JSON_MAX_DEPTH) {
		json_object_put(c);
		fail(w, -E2BIG);
		return;
	}
	add(w, c);
	if (!w->err)
		w->open[w->depth++] = c;	/* borrowed: the parent holds it */
}

static void close_nested(struct json_writer *w, enum json_type type)
{
	if (w->err)
		return;
	if (!w->depth || !json_object_is_type(w->open[w->depth - 1], type) || w->key) {
		fail(w, -EINVAL);
		return;
	}
	w->open[--w->depth] = NULL;
}

void json_object_begin(struct json_writer *w) { open_nested(w, json_object_new_object()); }
void json_object_end(struct json_writer *w) { close_nested(w, json_type_object); }
void json_array_begin(struct json_writer *w) { open_nested(w, json_object_new_array()); }
void json_array_end(struct json_writer *w) { close_nested(w, json_type_array); }

void json_key(struct json_writer *w, const char *key)
{
	struct json_object *parent = w->depth ? w->open[w->depth - 1] : NULL;

	if (!charge(w, strlen(key) + 3))
		return;
	if (!parent || !json_object_is_type(parent, json_type_object) || w->key) {
		fail(w, -EINVAL);
		return;
	}
	w->key = strdup(key);
	if (!w->key)
		fail(w, -ENOMEM);
}

/*
 * A byte above 0x7f becomes the character U+0080..U+00FF, the same
 * character the old writer's "\u00XX" escape named: the text json-c
 * prints is then valid UTF-8 whatever bytes a process name held.
 */
static char *latin1_to_utf8(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += *p >= 0x80 ? 2 : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			*o++ = (char)(0xc0 | *p >> 6);
			*o++ = (char)(0x80 | (*p & 0x3f));
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

void json_string(struct json_writer *w, const char *s)
{
	char *utf8;

	if (!s)
		s = "";
	if (!charge(w, strlen(s) + 2))
		return;
	utf8 = latin1_to_utf8(s);
	if (!utf8) {
		fail(w, -ENOMEM);
		return;
	}
	add(w, json_object_new_string(utf8));
	free(utf8);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	if (charge(w, 1))
		add(w, json_object_new_uint64(v));
}

void json_i64(struct json_writer *w, int64_t v)
{
	if (charge(w, 1))
		add(w, json_object_new_int64(v));
}

void json_bool(struct json_writer *w, bool v)
{
	if (charge(w, 4))
		add(w, json_object_new_boolean(v));
}

int json_finish(struct json_writer *w)
{
	const char *text = "";
	size_t len = 0;

	if (w->buf)
		return w->err;
	if (!w->err && (w->depth || w->key))
		fail(w, -EINVAL);
	if (!w->err && w->root) {
		text = json_object_to_json_string_length(w->root,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (!text)
			fail(w, -ENOMEM);
		else if (len + 1 > w->max)
			fail(w, -E2BIG);
	}
	if (!w->err) {
		w->buf = malloc(len + 1);
		if (w->buf) {
			memcpy(w->buf, text, len + 1);
			w->len = len;
		} else {
			fail(w, -ENOMEM);
		}
	}
	/* The text is all that is needed from here on. */
	json_object_put(w->root);
	w->root = NULL;
	memset(w->open, 0, sizeof(w->open));
	w->depth = 0;
	return w->err;
}
