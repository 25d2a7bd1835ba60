// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Closing a context destroys dependents before what they depend on.  The
 * IOAS destroy op is wrapped (-Wl,--wrap) to record the order and to let go
 * of the dependency the way a real dependent object's destroy does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_ucmd.h"
#include "core/ioas.h"
#include "uiommufd/abi.h"

void __real_iommufd_ioas_destroy(struct iommufd_object *obj);
void __wrap_iommufd_ioas_destroy(struct iommufd_object *obj);

static struct iommufd_object *chain[3];
static uint32_t seen[8];
static unsigned int nr_seen;

void __wrap_iommufd_ioas_destroy(struct iommufd_object *obj)
{
	seen[nr_seen++] = obj->id;
	for (unsigned int i = 1; i < 3; i++)
		if (chain[i] == obj)
			iommufd_object_put_user(chain[i - 1]);
	__real_iommufd_ioas_destroy(obj);
}

static void test_release_order(void **state)
{
	struct fake_env env;

	(void)state;
	fake_env_init(&env, false);
	for (unsigned int i = 0; i < 3; i++) {
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

		assert_int_equal(fake_ioctl(env.ictx, IOMMU_IOAS_ALLOC, &cmd, sizeof(cmd)), 0);
		chain[i] = iommufd_get_object(env.ictx, cmd.out_ioas_id, IOMMUFD_OBJ_IOAS);
	}
	/* 1 <- 3 <- 2: the dependency order differs from the ID order. */
	struct iommufd_object *tmp = chain[1];
	chain[1] = chain[2];
	chain[2] = tmp;
	iommufd_object_get_user(chain[0]);
	iommufd_object_get_user(chain[1]);

	struct iommu_destroy d = { .size = sizeof(d), .id = chain[0]->id };
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_DESTROY, &d, sizeof(d)), -EBUSY);
	d.id = chain[1]->id;
	assert_int_equal(fake_ioctl(env.ictx, IOMMU_DESTROY, &d, sizeof(d)), -EBUSY);

	nr_seen = 0;
	fake_env_fini(&env);
	assert_int_equal(nr_seen, 3);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 3);
	assert_int_equal(seen[2], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_order),
	};

	return cmocka_run_group_tests_name("object_release", tests, NULL, NULL);
}
