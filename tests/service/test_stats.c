// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The status snapshot (core/stats.c) and its JSON (status/), on the real
 * object layer with the fake transport: counts per context, sorted by pid;
 * contexts released while snapshots run (the snapshot's reference must keep
 * a context alive until it is done with it); a context whose lock a stuck
 * request holds is reported with its last figures, and its release neither
 * waits nor frees it under the request; and the JSON read back with
 * uiommufdctl's own reader.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/json_read.h"
#include "../unit/fake_ucmd.h"
#include "core/stats.h"
#include "status/json.h"
#include "status/status_server.h"
#include "uiommufd/abi.h"

static uint32_t ioas_alloc(struct iommufd_ctx *ictx)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(fake_ioctl(ictx, IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), 0);
	return cmd.out_ioas_id;
}

static void counts_per_context(void **state)
{
	struct fake_env env;
	struct iommufd_ctx *other;
	struct iommufd_stats st;

	(void)state;
	fake_env_init(&env, false);
	assert_int_equal(iommufd_ctx_open(&env.daemon, 4242, 1000, false, &other), 0);
	ioas_alloc(other);
	ioas_alloc(other);
	ioas_alloc(env.ictx);

	assert_int_equal(iommufd_stats_snapshot(&env.daemon, &st), 0);
	assert_int_equal(st.nr_ctx, 2);
	assert_int_equal(st.nr_ctx_omitted, 0);
	/* Sorted by pid: the fake env's context (pid 0) first. */
	assert_int_equal(st.ctx[0].pid, 0);
	assert_int_equal(st.ctx[0].objects[IOMMUFD_OBJ_IOAS], 1);
	assert_int_equal(st.ctx[1].pid, 4242);
	assert_int_equal(st.ctx[1].uid, 1000);
	assert_false(st.ctx[1].vfio_node);
	assert_int_equal(st.ctx[1].nr_objects, 2);
	assert_int_equal(st.ctx[1].objects[IOMMUFD_OBJ_IOAS], 2);
	assert_int_equal(st.ctx[1].areas, 0);
	assert_int_equal(st.ctx[1].mapped_bytes, 0);
	iommufd_stats_free(&st);
	assert_string_equal(iommufd_stats_type_name(IOMMUFD_OBJ_IOAS), "ioas");
	assert_null(iommufd_stats_type_name(IOMMUFD_OBJ_NONE));

	iommufd_ctx_release(other);
	assert_int_equal(iommufd_stats_snapshot(&env.daemon, &st), 0);
	assert_int_equal(st.nr_ctx, 1);
	iommufd_stats_free(&st);
	fake_env_fini(&env);
}

/* One snapshot of the fake env's context (the only one). */
static struct iommufd_ctx_stats one_snapshot(struct fake_env *env)
{
	struct iommufd_ctx_stats c;
	struct iommufd_stats st;

	assert_int_equal(iommufd_stats_snapshot(&env->daemon, &st), 0);
	assert_int_equal(st.nr_ctx, 1);
	c = st.ctx[0];
	iommufd_stats_free(&st);
	return c;
}

static long map_at(struct iommufd_ctx *ictx, uint32_t ioas, void *va,
		   uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return fake_ioctl(ictx, IOMMU_IOAS_MAP, &cmd, sizeof(cmd));
}

/*
 * The figures are counted as objects and areas come and go, not by a
 * walk: they must match what a walk would find after maps, unmaps and
 * destroys over two IOAS.
 */
static void figures_kept_as_they_change(void **state)
{
	static uint8_t buf[4 * 4096] __attribute__((aligned(4096)));
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap),
					  .length = UINT64_MAX };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct iommufd_ctx_stats c;
	struct fake_env env;
	uint32_t a, b;

	(void)state;
	fake_env_init(&env, false);
	a = ioas_alloc(env.ictx);
	b = ioas_alloc(env.ictx);
	assert_int_equal(map_at(env.ictx, a, buf, 4096, 1 << 20), 0);
	assert_int_equal(map_at(env.ictx, a, buf, 2 * 4096, 2 << 20), 0);
	assert_int_equal(map_at(env.ictx, b, buf, 4 * 4096, 1 << 20), 0);
	c = one_snapshot(&env);
	assert_int_equal(c.nr_objects, 2);
	assert_int_equal(c.objects[IOMMUFD_OBJ_IOAS], 2);
	assert_int_equal(c.areas, 3);
	assert_int_equal(c.mapped_bytes, 7 * 4096);
	/* A failed map changes nothing. */
	assert_int_not_equal(map_at(env.ictx, a, buf, 4096, 1 << 20), 0);
	unmap.ioas_id = a;
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_IOAS_UNMAP, &unmap,
				    sizeof(unmap)), 0);
	c = one_snapshot(&env);
	assert_int_equal(c.areas, 1);
	assert_int_equal(c.mapped_bytes, 4 * 4096);
	/* Destroying an IOAS with areas takes them from the figures too. */
	destroy.id = b;
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), 0);
	c = one_snapshot(&env);
	assert_int_equal(c.nr_objects, 1);
	assert_int_equal(c.objects[IOMMUFD_OBJ_IOAS], 1);
	assert_int_equal(c.areas, 0);
	assert_int_equal(c.mapped_bytes, 0);
	fake_env_fini(&env);
}

static void *churn(void *arg)
{
	struct iommufd_daemon *d = arg;

	for (int i = 0; i < 3000; i++) {
		struct iommufd_ctx *c;

		if (iommufd_ctx_open(d, 100 + i % 7, 0, false, &c))
			return (void *)1;
		iommufd_ctx_release(c);
	}
	return NULL;
}

static void release_during_snapshot(void **state)
{
	struct fake_env env;
	pthread_t t[2];
	void *r;

	(void)state;
	fake_env_init(&env, false);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, &env.daemon), 0);
	for (int i = 0; i < 3000; i++) {
		struct iommufd_stats st;

		assert_int_equal(iommufd_stats_snapshot(&env.daemon, &st), 0);
		assert_true(st.nr_ctx >= 1 && st.nr_ctx <= 3);
		iommufd_stats_free(&st);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	fake_env_fini(&env);
}

static void json_round_trip(void **state)
{
	struct status_info info = { .frontend = "fuse", .nodes = { "/x/\"iommu\"\n" } };
	struct fake_env env;
	struct json_writer w;
	struct jv *root;
	const struct jv *clients, *totals;

	(void)state;
	fake_env_init(&env, false);
	ioas_alloc(env.ictx);
	ioas_alloc(env.ictx);
	json_init(&w, 1 << 20);
	assert_int_equal(status_render(&env.daemon, &info, &w), 0);
	assert_int_equal(json_finish(&w), 0);
	assert_int_equal(jv_parse(w.buf, w.len, &root), 0);
	assert_string_equal(jv_get_str(jv_get(root, "daemon"), "frontend", ""), "fuse");
	assert_string_equal(jv_get(jv_get(root, "daemon"), "nodes")->items[0].string,
			    "/x/\"iommu\"\n");
	clients = jv_get(root, "clients");
	assert_int_equal(clients->n, 1);
	assert_int_equal(jv_get_u64(&clients->items[0], "ioas", 99), 2);
	assert_int_equal(jv_get_u64(jv_get(&clients->items[0], "objects"), "ioas", 99), 2);
	totals = jv_get(root, "totals");
	assert_int_equal(jv_get_u64(totals, "clients", 99), 1);
	assert_int_equal(jv_get_u64(totals, "contexts", 99), 1);
	jv_free(root);
	json_free(&w);

	/* The size limit sticks as an error instead of a cut-off document. */
	json_init(&w, 64);
	assert_int_equal(status_render(&env.daemon, &info, &w), 0);
	assert_int_equal(json_finish(&w), -E2BIG);
	json_free(&w);
	fake_env_fini(&env);
}

static void json_reader_rejects(void **state)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "\"\\x\"", "\"abc", "01x", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		"{\"a\":1} x",
	};
	struct jv *v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(jv_parse(bad[i], strlen(bad[i]), &v), 0);
	const char *good = "{\"n\":18446744073709551615,\"s\":\"\\u00e9\"}";

	assert_int_equal(jv_parse(good, strlen(good), &v), 0);
	assert_true(jv_get_u64(v, "n", 0) == UINT64_MAX);
	assert_string_equal(jv_get_str(v, "s", ""), "\xc3\xa9");
	jv_free(v);
}

/* The writer's text, byte for byte, and its error rules. */
static void json_writer_text(void **state)
{
	struct json_writer w;
	struct jv *v;

	(void)state;
	json_init(&w, 4096);
	json_object_begin(&w);
	json_key(&w, "n");
	json_u64(&w, UINT64_MAX);
	json_key(&w, "i");
	json_i64(&w, -2);
	json_key(&w, "a");
	json_array_begin(&w);
	json_bool(&w, true);
	json_string(&w, "p/q\"\n");
	json_array_end(&w);
	json_key(&w, "o");
	json_object_begin(&w);
	json_object_end(&w);
	json_object_end(&w);
	assert_int_equal(json_finish(&w), 0);
	assert_string_equal(w.buf, "{\"n\":18446744073709551615,\"i\":-2,"
			    "\"a\":[true,\"p/q\\\"\\n\"],\"o\":{}}");
	assert_int_equal(w.len, strlen(w.buf));
	json_free(&w);

	/* Any bytes in a string (a process name): valid UTF-8, U+0080..U+00FF. */
	json_init(&w, 4096);
	json_string(&w, "\xe9\x01\xff");
	assert_int_equal(json_finish(&w), 0);
	assert_string_equal(w.buf, "\"\xc3\xa9\\u0001\xc3\xbf\"");
	assert_int_equal(jv_parse(w.buf, w.len, &v), 0);
	assert_string_equal(v->string, "\xc3\xa9\x01\xc3\xbf");
	jv_free(v);
	json_free(&w);

	/* Nothing written: an empty text. */
	json_init(&w, 16);
	assert_int_equal(json_finish(&w), 0);
	assert_string_equal(w.buf, "");
	json_free(&w);

	/* Unclosed, a key without a value, a value without a key: EINVAL. */
	json_init(&w, 4096);
	json_array_begin(&w);
	assert_int_equal(json_finish(&w), -EINVAL);
	json_free(&w);
	json_init(&w, 4096);
	json_object_begin(&w);
	json_key(&w, "k");
	json_object_end(&w);
	assert_int_equal(json_finish(&w), -EINVAL);
	json_free(&w);
	json_init(&w, 4096);
	json_object_begin(&w);
	json_u64(&w, 1);
	json_object_end(&w);
	assert_int_equal(json_finish(&w), -EINVAL);
	json_free(&w);

	/* Nesting past JSON_MAX_DEPTH, and a text past max: E2BIG. */
	json_init(&w, 4096);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&w);
	assert_int_equal(json_finish(&w), -E2BIG);
	json_free(&w);
	json_init(&w, 8);
	json_string(&w, "12345");
	assert_int_equal(json_finish(&w), 0);
	json_free(&w);
	json_init(&w, 8);
	json_string(&w, "123456");
	assert_int_equal(json_finish(&w), -E2BIG);
	json_free(&w);
}

/* The reader refuses what RFC 8259 refuses, even where json-c would not. */
static void json_reader_strict(void **state)
{
	static const char *const bad[] = {
		"\"a\x01b\"", "'a'", "[1 2]", "{\"a\":1,}", "nul", "1 2",
	};
	struct jv *v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(jv_parse(bad[i], strlen(bad[i]), &v), 0);
	/* an embedded NUL ends nothing: the rest is still there */
	assert_int_not_equal(jv_parse("1\0", 2, &v), 0);
	/* 32 levels are fine, 33 are not */
	{
		char deep[80];

		memset(deep, '[', 32);
		deep[32] = '1';
		memset(deep + 33, ']', 32);
		assert_int_equal(jv_parse(deep, 65, &v), 0);
		jv_free(v);
		memset(deep, '[', 33);
		deep[33] = '1';
		memset(deep + 34, ']', 33);
		assert_int_not_equal(jv_parse(deep, 67, &v), 0);
	}
	/* numbers: exact u64, negative, fraction; member order kept */
	{
		const char *doc = " {\"b\":-3,\"a\":2.5,\"c\":7} ";

		assert_int_equal(jv_parse(doc, strlen(doc), &v), 0);
	}
	assert_string_equal(v->keys[0], "b");
	assert_false(v->items[0].is_u64);
	assert_true(v->items[0].number == -3);
	assert_false(v->items[1].is_u64);
	assert_true(jv_get_u64(v, "c", 0) == 7);
	jv_free(v);
}

/* A request stuck in caller memory holds ctx->lock: the snapshot goes on. */
static void busy_context_reported_stale(void **state)
{
	struct fake_env env;
	struct iommufd_stats st;

	(void)state;
	fake_env_init(&env, false);
	ioas_alloc(env.ictx);
	pthread_mutex_lock(&env.ictx->lock);
	assert_int_equal(iommufd_stats_snapshot(&env.daemon, &st), 0);
	assert_int_equal(st.nr_ctx, 1);
	assert_true(st.ctx[0].stale);
	assert_int_equal(st.ctx[0].objects[IOMMUFD_OBJ_IOAS], 1);
	iommufd_stats_free(&st);
	pthread_mutex_unlock(&env.ictx->lock);
	assert_int_equal(iommufd_stats_snapshot(&env.daemon, &st), 0);
	assert_false(st.ctx[0].stale);
	iommufd_stats_free(&st);
	fake_env_fini(&env);
}

/*
 * Release (the kernel's RELEASE, or the daemon's stop) of a context a
 * request still holds returns at once; the request's put tears it down.
 */
static void release_with_request_in_flight(void **state)
{
	struct iommufd_daemon d;
	struct iommufd_ctx *a, *b;
	struct iommufd_stats st;

	(void)state;
	iommufd_daemon_init(&d);
	assert_int_equal(iommufd_ctx_open(&d, 1, 1000, false, &a), 0);
	assert_int_equal(iommufd_ctx_open(&d, 2, 1000, false, &b), 0);
	ioas_alloc(a);
	iommufd_ctx_get(a); /* a request in flight ... */
	pthread_mutex_lock(&a->lock); /* ... stuck in caller memory */
	iommufd_ctx_release(a);
	iommufd_ctx_release(a); /* idempotent */
	assert_int_equal(iommufd_stats_snapshot(&d, &st), 0);
	assert_int_equal(st.nr_ctx, 2);
	iommufd_stats_free(&st);
	/* The stop: b goes, a stays with its request. */
	assert_int_equal(iommufd_ctx_release_all(&d), 1);
	assert_int_equal(d.nr_contexts, 1);
	pthread_mutex_unlock(&a->lock);
	iommufd_ctx_put(a);
	assert_int_equal(d.nr_contexts, 0);
	assert_null(d.contexts);
	iommufd_daemon_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_per_context),
		cmocka_unit_test(release_during_snapshot),
		cmocka_unit_test(busy_context_reported_stale),
		cmocka_unit_test(figures_kept_as_they_change),
		cmocka_unit_test(release_with_request_in_flight),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(json_reader_rejects),
		cmocka_unit_test(json_writer_text),
		cmocka_unit_test(json_reader_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
