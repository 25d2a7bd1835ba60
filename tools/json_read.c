// SPDX-License-Identifier: GPL-2.0-or-later
/* A recursive-descent JSON parser (RFC 8259) for replies we asked for. */
#include "json_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JV_MAX_DEPTH 32

struct parser {
	const char *p, *end;
	unsigned int depth;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n))
		return false;
	ps->p += n;
	return true;
}

static void put_utf8(char **o, unsigned int cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*q++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

static int hex4(const char *p, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* At the opening quote; the decoded string never outgrows its source. */
static int parse_string(struct parser *ps, char **out)
{
	const char *start = ++ps->p;
	char *buf, *o;

	while (ps->p < ps->end && *ps->p != '"') {
		if (*ps->p == '\\' && ps->end - ps->p < 2)
			return -EINVAL;
		ps->p += *ps->p == '\\' ? 2 : 1;
	}
	if (ps->p >= ps->end)
		return -EINVAL;
	buf = o = malloc((size_t)(ps->p - start) + 1);
	if (!buf)
		return -ENOMEM;
	for (const char *s = start; s < ps->p; s++) {
		unsigned int cp;

		if ((unsigned char)*s < 0x20)
			goto bad;
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case '"': case '\\': case '/': *o++ = *s; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			/* 6 source bytes become at most 4 (a lone surrogate: 3). */
			if (ps->p - s < 5 || hex4(s + 1, &cp))
				goto bad;
			s += 4;
			put_utf8(&o, cp);
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	ps->p++;
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

static int parse_number(struct parser *ps, struct jv *v)
{
	const char *s = ps->p;
	char *end;
	bool integer = true;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	while (ps->p < ps->end && strchr("0123456789.eE+-", *ps->p)) {
		if (!strchr("0123456789", *ps->p))
			integer = false;
		ps->p++;
	}
	if (ps->p == s)
		return -EINVAL;
	v->type = JV_NUMBER;
	{
		char tmp[64];
		size_t n = (size_t)(ps->p - s);

		if (n >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		v->number = strtod(tmp, &end);
		if (*end)
			return -EINVAL;
		if (integer && tmp[0] != '-') {
			errno = 0;
			v->u64 = strtoull(tmp, &end, 10);
			v->is_u64 = !errno && !*end;
		}
	}
	return 0;
}

static int parse_value(struct parser *ps, struct jv *v);

static int grow(struct jv *v, bool object)
{
	size_t cap = v->cap ? v->cap * 2 : 8;
	struct jv *items;

	if (v->n < v->cap)
		return 0;
	items = realloc(v->items, cap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	v->items = items;
	if (object) {
		char **keys = realloc(v->keys, cap * sizeof(*keys));

		if (!keys)
			return -ENOMEM;
		v->keys = keys;
	}
	v->cap = cap;
	return 0;
}

static int parse_container(struct parser *ps, struct jv *v, bool object)
{
	char close = object ? '}' : ']';
	int rc;

	if (++ps->depth > JV_MAX_DEPTH)
		return -EINVAL;
	v->type = object ? JV_OBJECT : JV_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return -EINVAL;
			rc = parse_string(ps, &key);
			if (rc)
				return rc;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return -EINVAL;
			}
			ps->p++;
		}
		rc = grow(v, object);
		if (rc) {
			free(key);
			return rc;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
		if (object)
			v->keys[v->n] = key;
		v->n++;
		rc = parse_value(ps, &v->items[v->n - 1]);
		if (rc)
			return rc;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return -EINVAL;
	}
}

static int parse_value(struct parser *ps, struct jv *v)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return -EINVAL;
	switch (*ps->p) {
	case '{':
		return parse_container(ps, v, true);
	case '[':
		return parse_container(ps, v, false);
	case '"':
		v->type = JV_STRING;
		return parse_string(ps, &v->string);
	case 't':
		v->type = JV_BOOL;
		v->boolean = true;
		return literal(ps, "true") ? 0 : -EINVAL;
	case 'f':
		v->type = JV_BOOL;
		return literal(ps, "false") ? 0 : -EINVAL;
	case 'n':
		v->type = JV_NULL;
		return literal(ps, "null") ? 0 : -EINVAL;
	default:
		return parse_number(ps, v);
	}
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
	struct parser ps = { .p = text, .end = text + len };
	struct jv *v = calloc(1, sizeof(*v));
	int rc;

	if (!v)
		return -ENOMEM;
	rc = parse_value(&ps, v);
	skip_ws(&ps);
	if (!rc && ps.p != ps.end)
		rc = -EINVAL;
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
