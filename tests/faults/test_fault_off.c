// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A daemon built without -Dfault_injection has no fault hook: the control
 * ioctl is ENOTTY like any unknown number, and arming is impossible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_ops.h"
#include "uiommufd/abi_fault.h"

static void test_control_is_enotty(void **state)
{
	struct fake_env env;
	struct uiommufd_fault_cmd c = {
		.size = sizeof(c),
		.op = UIOMMUFD_FAULT_ARM,
		.nth = 1,
	};

	fake_env_init(&env, true);
	assert_int_equal(fake_ioctl(env.ictx, UIOMMUFD_FAULT_CMD, &c, sizeof(c)),
			 -ENOTTY);
	c.op = UIOMMUFD_FAULT_SNAPSHOT;
	assert_int_equal(fake_ioctl(env.ictx, UIOMMUFD_FAULT_CMD, &c, sizeof(c)),
			 -ENOTTY);
	fake_env_fini(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_is_enotty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
