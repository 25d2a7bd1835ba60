// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic ioctl rules of the dispatcher and the object table, driven
 * through the real dispatcher with a fake transport.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_ops.h"
#include "core/ioas.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"

static int setup(void **state)
{
	static struct fake_env env;

	fake_env_init(&env, false);
	*state = &env;
	return 0;
}

static int setup_test_if(void **state)
{
	static struct fake_env env;

	fake_env_init(&env, true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	fake_env_fini(*state);
	return 0;
}

static struct iommufd_ctx *ctx(void **state)
{
	return ((struct fake_env *)*state)->ictx;
}

static void test_unknown_command_enotty(void **state)
{
	uint32_t buf[4] = { sizeof(buf) };

	/* The slot past the v7.3 table (0x95 is its last), another type. */
	assert_int_equal(fake_ioctl(ctx(state), _IO(IOMMUFD_TYPE, 0x96), buf, sizeof(buf)), -ENOTTY);
	assert_int_equal(fake_ioctl(ctx(state), _IO(IOMMUFD_TYPE, 0xff), buf, sizeof(buf)), -ENOTTY);
	assert_int_equal(fake_ioctl(ctx(state), _IO('x', 0x81), buf, sizeof(buf)), -ENOTTY);
	/* The right number with a direction encoded is a different command. */
	assert_int_equal(fake_ioctl(ctx(state), _IOW(IOMMUFD_TYPE, 0x81, uint32_t), buf, sizeof(buf)), -ENOTTY);
	/* IOMMU_TEST_CMD does not exist without --test-interface. */
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_TEST_CMD, buf, sizeof(buf)), -ENOTTY);
}

static void test_size_word_unreadable_efault(void **state)
{
	/* Inside the table the size word is read first, even for a hole. */
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC, 0x1000), -EFAULT);
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_HW_QUEUE_ALLOC, 0x1000), -EFAULT);
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_NOIOMMU_GET_PA, 0x1000), -EFAULT);
	/* Outside it, nothing is read: an unknown number stays ENOTTY. */
	assert_int_equal(fake_ioctl_ptr(ctx(state), _IO(IOMMUFD_TYPE, 0x96), 0x1000), -ENOTTY);
	assert_int_equal(fake_ioctl_ptr(ctx(state), _IO(IOMMUFD_TYPE, 0xa0), 0x1000), -ENOTTY);
}

static void test_test_cmd_slot_reads_size(void **state)
{
	/* With the test interface the table reaches IOMMU_TEST_CMD. */
	assert_int_equal(fake_ioctl_ptr(ctx(state), _IO(IOMMUFD_TYPE, 0x9f), 0x1000), -EFAULT);
	assert_int_equal(fake_ioctl_ptr(ctx(state), _IO(IOMMUFD_TYPE, 0xa1), 0x1000), -ENOTTY);
}

static void test_below_min_size_einval(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = offsetof(struct iommu_ioas_alloc, out_ioas_id) };

	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), -EINVAL);
	cmd.size = 0;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), -EINVAL);
}

static void test_nonzero_tail_e2big(void **state)
{
	struct {
		struct iommu_ioas_alloc cmd;
		uint8_t tail[600];
	} big = { .cmd = { .size = sizeof(big) } };

	big.tail[599] = 1; /* past the first 512-byte chunk of the check */
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &big, sizeof(big)), -E2BIG);
	big.tail[599] = 0;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &big, sizeof(big)), 0);
	assert_int_equal(big.cmd.out_ioas_id, 1);
	/* The reply covers our struct only; the caller's tail stays zero. */
	for (size_t i = 0; i < sizeof(big.tail); i++)
		assert_int_equal(big.tail[i], 0);
}

static void test_tail_unreadable_efault(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) + 8 };

	/* Only sizeof(cmd) bytes are registered: the tail check faults. */
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), -EFAULT);
}

/*
 * The kernel's check_zeroed_user() reads the tail in order: a nonzero byte
 * seen before the first unreadable page is E2BIG, even when the same
 * 512-byte stretch runs into that page.
 */
static void test_tail_nonzero_before_fault_e2big(void **state)
{
	static uint8_t pages[3 * 4096] __attribute__((aligned(4096)));
	uint8_t *page_end = pages + 4096;
	struct iommu_ioas_alloc *cmd =
		(struct iommu_ioas_alloc *)(page_end - sizeof(*cmd) - 16);

	memset(pages, 0, sizeof(pages));
	cmd->size = sizeof(*cmd) + 16 + 256; /* the tail crosses into page 2 */
	page_end[-1] = 1;
	fake_user_reset();
	fake_user_add(pages, 4096); /* page 2 is unreadable */
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC,
					(uintptr_t)cmd), -E2BIG);
	/* All zero up to the fault: the fault decides. */
	page_end[-1] = 0;
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC,
					(uintptr_t)cmd), -EFAULT);
}

/* A tail longer than one 64 KiB chunk: the second chunk holds the byte. */
static void test_tail_chunks_e2big(void **state)
{
	static uint8_t buf[200 * 1024] __attribute__((aligned(4096)));
	struct iommu_ioas_alloc *cmd = (struct iommu_ioas_alloc *)buf;

	memset(buf, 0, sizeof(buf));
	cmd->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 1;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), -E2BIG);
	buf[sizeof(buf) - 1] = 0;
	buf[70 * 1024] = 1;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), -E2BIG);
	buf[70 * 1024] = 0;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), 0);
}

/*
 * The check_zeroed_user() rule inside one large chunk: the chunk's read
 * faults as a whole, yet a nonzero byte pages before the hole is E2BIG,
 * and a zero stretch up to the hole is EFAULT.
 */
static void test_tail_chunk_fault_ordering(void **state)
{
	static uint8_t pages[40 * 4096] __attribute__((aligned(4096)));
	struct iommu_ioas_alloc *cmd = (struct iommu_ioas_alloc *)pages;

	memset(pages, 0, sizeof(pages));
	cmd->size = sizeof(pages);
	fake_user_reset();
	fake_user_add(pages, 10 * 4096); /* pages 10.. are unreadable */
	pages[3 * 4096 + 5] = 1;
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC,
					(uintptr_t)cmd), -E2BIG);
	pages[3 * 4096 + 5] = 0;
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC,
					(uintptr_t)cmd), -EFAULT);
	/* A nonzero byte past the hole is never reached. */
	pages[20 * 4096] = 1;
	assert_int_equal(fake_ioctl_ptr(ctx(state), IOMMU_IOAS_ALLOC,
					(uintptr_t)cmd), -EFAULT);
}

/*
 * Past the bound (struct size + max_arg_bytes) the size alone is E2BIG:
 * nothing of the tail is read, so an unreadable tail is E2BIG, not EFAULT.
 */
static void test_tail_bound_e2big_unread(void **state)
{
	struct iommufd_daemon *d = &((struct fake_env *)*state)->daemon;
	static uint8_t buf[64 * 1024];
	struct iommu_ioas_alloc *cmd = (struct iommu_ioas_alloc *)buf;
	uint64_t saved = d->max_arg_bytes;

	assert_int_equal(saved, 16u << 20);
	memset(buf, 0, sizeof(buf));
	/* 4 GiB - 1, with only 64 KiB readable: the kernel would fault. */
	cmd->size = 0xffffffffu;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), -E2BIG);
	/* At the bound exactly the tail is still read (and faults here). */
	cmd->size = sizeof(*cmd) + (16u << 20);
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), -EFAULT);
	/* A smaller bound: 1 KiB of zero tail is fine, 1 KiB + 1 is not. */
	d->max_arg_bytes = 1024;
	cmd->size = sizeof(*cmd) + 1024;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), 0);
	cmd->size = sizeof(*cmd) + 1025;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, buf, sizeof(buf)), -E2BIG);
	d->max_arg_bytes = saved;
}

static void test_short_struct_zero_extended(void **state)
{
	/* IOMMU_OPTION at exactly min_size; HUGE_PAGES GET on an IOAS. */
	struct iommu_ioas_iova_ranges r = {
		.size = offsetofend(struct iommu_ioas_iova_ranges, out_iova_alignment),
	};
	uint32_t id;

	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	r.ioas_id = id;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -EMSGSIZE);
	assert_int_equal(r.num_iovas, 1);
}

static void test_reply_truncated_to_user_size(void **state)
{
	/*
	 * A caller whose struct ends at min_size gets exactly min_size bytes
	 * back, never more: the byte after it must stay untouched.
	 */
	struct {
		struct iommu_ioas_alloc cmd;
		uint32_t canary;
	} b = { .cmd = { .size = sizeof(b.cmd) }, .canary = 0xdeadbeef };

	fake_bytes_written = 0;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &b, sizeof(b)), 0);
	assert_int_equal(fake_bytes_written, sizeof(b.cmd));
	assert_int_equal(b.canary, 0xdeadbeef);
}

static void test_ioas_alloc_flags_eopnotsupp(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), -EOPNOTSUPP);
	/* The refused call took no ID. */
	uint32_t id;
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 1);
}

static void test_ioas_alloc_respond_fault_frees_id(void **state)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct iommufd_ucmd_probe;
	uint32_t id;

	/* Readable size word and struct, but the reply cannot be written. */
	(void)cmd;
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(fake_destroy(ctx(state), id), 0);
	/* The ID comes back: lowest free again. */
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 1);
}

static void test_ids_lowest_free(void **state)
{
	uint32_t id;

	for (uint32_t i = 1; i <= 5; i++) {
		assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(fake_destroy(ctx(state), 2), 0);
	assert_int_equal(fake_destroy(ctx(state), 4), 0);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 4);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 6);
}

static void test_ids_many(void **state)
{
	uint32_t id;

	for (uint32_t i = 1; i <= 10000; i++) {
		assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(fake_destroy(ctx(state), 4097), 0);
	assert_int_equal(fake_destroy(ctx(state), 64), 0);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 64);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 4097);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(id, 10001);
}

static void test_destroy_enoent(void **state)
{
	uint32_t id;

	assert_int_equal(fake_destroy(ctx(state), 0), -ENOENT);
	assert_int_equal(fake_destroy(ctx(state), 1), -ENOENT);
	assert_int_equal(fake_destroy(ctx(state), 0xffffffff), -ENOENT);
	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	assert_int_equal(fake_destroy(ctx(state), id), 0);
	assert_int_equal(fake_destroy(ctx(state), id), -ENOENT);
}

static void test_destroy_ebusy(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct iommufd_object *obj;
	uint32_t id;

	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);
	/* What a dependent (an HWPT, an access) does to the IOAS it uses. */
	iommufd_object_get_user(obj);
	assert_int_equal(fake_destroy(ictx, id), -EBUSY);
	assert_non_null(iommufd_get_ioas(ictx, id));
	iommufd_object_put_user(obj);
	assert_int_equal(fake_destroy(ictx, id), 0);
	assert_null(iommufd_get_ioas(ictx, id));
}

static void test_unfinalized_invisible(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct iommufd_object *obj;
	int err = 0;

	obj = _iommufd_object_alloc(ictx, sizeof(struct iommufd_ioas), IOMMUFD_OBJ_IOAS, &err);
	assert_non_null(obj);
	assert_int_equal(obj->id, 1);
	assert_null(iommufd_get_object(ictx, 1, IOMMUFD_OBJ_ANY));
	assert_int_equal(fake_destroy(ictx, 1), -ENOENT);
	iommufd_object_abort(ictx, obj);
	uint32_t id;
	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	assert_int_equal(id, 1);
}

static void test_wrong_type_enoent(void **state)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = 7 };

	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -ENOENT);
}

static void test_iova_ranges(void **state)
{
	struct iommu_iova_range out[2] = { { 1, 1 }, { 2, 2 } };
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	uint32_t id;

	assert_int_equal(fake_ioas_alloc(ctx(state), &id), 0);
	r.ioas_id = id;
	r.__reserved = 1;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -EOPNOTSUPP);
	r.__reserved = 0;
	/* Too short: EMSGSIZE, yet the count and alignment are written. */
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -EMSGSIZE);
	assert_int_equal(r.num_iovas, 1);
	/* A table with no domain has no alignment restriction. */
	assert_int_equal(r.out_iova_alignment, 1);
	/* An array the caller cannot write: EFAULT. */
	r.num_iovas = 2;
	r.allowed_iovas = 0x1000;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), -EFAULT);
	/* Big enough: the whole space, one range; untouched entries stay. */
	fake_user_add(out, sizeof(out));
	r.allowed_iovas = (uintptr_t)out;
	r.num_iovas = 2;
	assert_int_equal(fake_ioctl(ctx(state), IOMMU_IOAS_IOVA_RANGES, &r, sizeof(r)), 0);
	assert_int_equal(r.num_iovas, 1);
	assert_true(out[0].start == 0 && out[0].last == UINT64_MAX);
	assert_true(out[1].start == 2 && out[1].last == 2);
}

static long option(struct iommufd_ctx *ictx, struct iommu_option *o)
{
	o->size = sizeof(*o);
	return fake_ioctl(ictx, IOMMU_OPTION, o, sizeof(*o));
}

static void test_option_rules(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct iommu_option o = { .option_id = IOMMU_OPTION_RLIMIT_MODE, .op = IOMMU_OPTION_OP_GET };
	uint32_t id;

	assert_int_equal(option(ictx, &o), 0);
	assert_int_equal(o.val64, 0);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .op = IOMMU_OPTION_OP_SET, .val64 = 1 };
	assert_int_equal(option(ictx, &o), 0);
	o.op = IOMMU_OPTION_OP_GET;
	assert_int_equal(option(ictx, &o), 0);
	assert_int_equal(o.val64, 1);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .op = IOMMU_OPTION_OP_SET, .val64 = 2 };
	assert_int_equal(option(ictx, &o), -EINVAL);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .op = 7 };
	assert_int_equal(option(ictx, &o), -EOPNOTSUPP);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .object_id = 1 };
	assert_int_equal(option(ictx, &o), -EOPNOTSUPP);
	o = (struct iommu_option){ .option_id = 99 };
	assert_int_equal(option(ictx, &o), -EOPNOTSUPP);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .__reserved = 1 };
	assert_int_equal(option(ictx, &o), -EOPNOTSUPP);
	/* Objects exist: the mode can no longer change. */
	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_RLIMIT_MODE, .op = IOMMU_OPTION_OP_SET, .val64 = 0 };
	assert_int_equal(option(ictx, &o), -EBUSY);
	/* HUGE_PAGES is per IOAS. */
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_HUGE_PAGES, .op = IOMMU_OPTION_OP_GET, .object_id = id };
	assert_int_equal(option(ictx, &o), 0);
	assert_int_equal(o.val64, 1);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_HUGE_PAGES, .op = IOMMU_OPTION_OP_SET, .object_id = id };
	assert_int_equal(option(ictx, &o), 0);
	o.op = IOMMU_OPTION_OP_GET;
	o.val64 = 7;
	assert_int_equal(option(ictx, &o), 0);
	assert_int_equal(o.val64, 0);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_HUGE_PAGES, .op = IOMMU_OPTION_OP_SET, .object_id = id, .val64 = 3 };
	assert_int_equal(option(ictx, &o), -EINVAL);
	o = (struct iommu_option){ .option_id = IOMMU_OPTION_HUGE_PAGES, .op = IOMMU_OPTION_OP_GET, .object_id = id + 1 };
	assert_int_equal(option(ictx, &o), -ENOENT);
}

static void test_contexts_isolated(void **state)
{
	struct fake_env *env = *state;
	struct iommufd_ctx *other;
	uint32_t id, id2;

	assert_int_equal(iommufd_ctx_open(&env->daemon, 0, 0, false, &other), 0);
	assert_int_equal(fake_ioas_alloc(env->ictx, &id), 0);
	assert_int_equal(fake_destroy(other, id), -ENOENT);
	assert_int_equal(fake_ioas_alloc(other, &id2), 0);
	assert_int_equal(id2, 1);
	iommufd_ctx_release(other);
	assert_non_null(iommufd_get_ioas(env->ictx, id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_command_enotty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_word_unreadable_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_cmd_slot_reads_size, setup_test_if, teardown),
		cmocka_unit_test_setup_teardown(test_below_min_size_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonzero_tail_e2big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_chunks_e2big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_chunk_fault_ordering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_bound_e2big_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_nonzero_before_fault_e2big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_unreadable_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_struct_zero_extended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_truncated_to_user_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioas_alloc_flags_eopnotsupp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioas_alloc_respond_fault_frees_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_lowest_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_ebusy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfinalized_invisible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iova_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_option_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contexts_isolated, setup, teardown),
	};

	return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
