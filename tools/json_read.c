// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader behind json_read.h: json-c parses (strict RFC 8259, with a
 * depth limit), then the tree is copied into struct jv so that callers keep
 * plain C structs and never see json-c's reference counts.
 */
#include "json_read.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* Containers nested deeper than this are refused. */
#define JV_MAX_DEPTH 32

static int jv_from_json(struct json_object *o, struct jv *v);

static int jv_fill_array(struct json_object *o, struct jv *v)
{
	size_t n = json_object_array_length(o);

	v->type = JV_ARRAY;
	if (!n)
		return 0;
	v->items = calloc(n, sizeof(*v->items));
	if (!v->items)
		return -ENOMEM;
	v->cap = n;
	for (size_t i = 0; i < n; i++) {
		int rc = jv_from_json(json_object_array_get_idx(o, i), &v->items[v->n++]);

		if (rc)
			return rc;
	}
	return 0;
}

static int jv_fill_object(struct json_object *o, struct jv *v)
{
	size_t n = (size_t)json_object_object_length(o);

	v->type = JV_OBJECT;
	if (!n)
		return 0;
	v->items = calloc(n, sizeof(*v->items));
	v->keys = calloc(n, sizeof(*v->keys));
	if (!v->items || !v->keys)
		return -ENOMEM;
	v->cap = n;
	/* json-c keeps members in document order (a repeated key: the last). */
	json_object_object_foreach(o, key, val) {
		int rc;

		v->keys[v->n] = strdup(key);
		if (!v->keys[v->n])
			return -ENOMEM;
		rc = jv_from_json(val, &v->items[v->n++]);
		if (rc)
			return rc;
	}
	return 0;
}

static int jv_from_json(struct json_object *o, struct jv *v)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		v->type = JV_NULL;
		return 0;
	case json_type_boolean:
		v->type = JV_BOOL;
		v->boolean = json_object_get_boolean(o);
		return 0;
	case json_type_double:
		v->type = JV_NUMBER;
		v->number = json_object_get_double(o);
		return 0;
	case json_type_int:
		/* json-c holds an integer as int64 or, above INT64_MAX, uint64. */
		v->type = JV_NUMBER;
		if (json_object_get_int64(o) < 0) {
			v->number = (double)json_object_get_int64(o);
		} else {
			v->is_u64 = true;
			v->u64 = json_object_get_uint64(o);
			v->number = (double)v->u64;
		}
		return 0;
	case json_type_string: {
		size_t len = (size_t)json_object_get_string_len(o);

		v->type = JV_STRING;
		v->string = malloc(len + 1);
		if (!v->string)
			return -ENOMEM;
		memcpy(v->string, json_object_get_string(o), len);
		v->string[len] = '\0';
		return 0;
	}
	case json_type_array:
		return jv_fill_array(o, v);
	case json_type_object:
		return jv_fill_object(o, v);
	}
	return -EINVAL;
}

/*
 * json-c takes raw control bytes inside strings, which RFC 8259 does not:
 * outside the four whitespace bytes no byte below 0x20 is valid anywhere.
 */
static bool jv_has_control_bytes(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return true;
	}
	return false;
}

static void jv_clear(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jv_clear(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	jv_clear(v);
	free(v);
}

int jv_parse(const char *text, size_t len, struct jv **out)
{
	struct json_tokener *tok;
	struct json_object *root;
	struct jv *v;
	char *copy;
	int rc;

	if (len >= INT32_MAX || jv_has_control_bytes(text, len))
		return -EINVAL;
	/* Its NUL ends the input, so a number at the very end is complete. */
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	tok = json_tokener_new_ex(JV_MAX_DEPTH + 1);
	if (!tok) {
		free(copy);
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, copy, (int)len + 1);
	rc = json_tokener_get_error(tok) == json_tokener_success &&
			     json_tokener_get_parse_end(tok) == len ?
		     0 : -EINVAL;
	json_tokener_free(tok);
	free(copy);
	if (rc) {
		json_object_put(root);
		return rc;
	}
	v = calloc(1, sizeof(*v));
	rc = v ? jv_from_json(root, v) : -ENOMEM;
	json_object_put(root);
	if (rc) {
		jv_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

uint64_t jv_get_u64(const struct jv *obj, const char *key, uint64_t def)
{
	const struct jv *v = jv_get(obj, key);

	if (!v || v->type != JV_NUMBER)
		return def;
	if (v->is_u64)
		return v->u64;
	return v->number >= 0 && v->number < 18446744073709551616.0 ?
		       (uint64_t)v->number : def;
}

const char *jv_get_str(const struct jv *obj, const char *key, const char *def)
{
	const struct jv *v = jv_get(obj, key);

	return v && v->type == JV_STRING ? v->string : def;
}
