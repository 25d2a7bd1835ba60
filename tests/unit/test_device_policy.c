// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-device access policy (daemon/vfio/device_policy.c): the --device
 * options owner=, group=, mode= (each bad value refused), the defaults
 * from the node's options, the kernel's permission rule, and the check at
 * open with the credentials /proc shows of a real process of another
 * uid with a supplementary group, and of a zombie (refused: its pidfd
 * says it is gone) (as root; skipped otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/caller_mm.h"
#include "core/iommufd_private.h"
#include "vfio/device.h"
#include "vfio/device_policy.h"

static struct iommufd_daemon daemon_;

static int setup(void **state)
{
	(void)state;
	iommufd_daemon_init(&daemon_);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	iommufd_daemon_fini(&daemon_);
	return 0;
}

static int create(const char *arg, struct served_device **out)
{
	*out = NULL;
	return served_device_create(&daemon_, arg, 0, false, out);
}

static void test_parse_good(void **state)
{
	struct served_device *sd;
	struct sdev_policy p;

	(void)state;
	/* edu takes no options: it never saw these (else -EINVAL). */
	assert_int_equal(create("edu,owner=root,group=0,mode=0640,name=d", &sd), 0);
	served_device_access(sd, &p);
	assert_int_equal(p.owner, 0);
	assert_int_equal(p.group, 0);
	assert_int_equal(p.mode, 0640);
	assert_string_equal(served_device_name(sd), "d");
	/* Given values stay, the rest comes from the node's options. */
	served_device_set_default_access(sd, 7, 8, 0666);
	served_device_access(sd, &p);
	assert_int_equal(p.owner, 0);
	assert_int_equal(p.mode, 0640);
	served_device_destroy(sd);

	assert_int_equal(create("edu,group=4242", &sd), 0);
	served_device_set_default_access(sd, 7, 8, 04660);
	served_device_access(sd, &p);
	assert_int_equal(p.owner, 7);
	assert_int_equal(p.group, 4242);
	assert_int_equal(p.mode, 0660); /* permission bits only */
	served_device_destroy(sd);

	assert_int_equal(create("edu,owner=1000,mode=0", &sd), 0);
	served_device_access(sd, &p);
	assert_int_equal(p.owner, 1000);
	assert_int_equal(p.mode, 0);
	assert_int_equal(p.group, SDEV_POLICY_NO_GID);
	served_device_destroy(sd);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"edu,owner=no-such-user-here",
		"edu,owner=",
		"edu,owner=-1",
		"edu,owner=4294967295", /* the "not given" value */
		"edu,owner=12x",
		"edu,group=no-such-group-here",
		"edu,group=",
		"edu,mode=0888",
		"edu,mode=01777", /* no sticky, setuid or setgid bits */
		"edu,mode=1000",
		"edu,mode=rw",
		"edu,mode=",
		"edu,mode=0600,mode=0600",
		"edu,owner=0,owner=0",
		"edu,group=0,group=1",
		"edu,owner=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		/* A typo is the provider's to refuse, not silently a policy. */
		"edu,mdoe=0600",
	};
	struct served_device *sd;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = create(bad[i], &sd);

		if (rc != -EINVAL)
			fail_msg("%s: %d, not -EINVAL", bad[i], rc);
		assert_null(sd);
	}
}

static void test_permission_rule(void **state)
{
	gid_t groups[] = { 50, 60 };
	struct caller_creds cr = { .fsuid = 1000, .fsgid = 1000,
				   .groups = groups, .ngroups = 2 };
	struct sdev_policy p = { .owner = 1000, .group = 60, .mode = 0066 };

	(void)state;
	/* The owner gets the owner's bits only, even where the group's allow. */
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), -EACCES);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDONLY), -EACCES);
	p.mode = 0600;
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), 0);
	p.mode = 0400;
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDONLY), 0);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_WRONLY), -EACCES);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), -EACCES);
	/* O_ACCMODE (3) wants both, as the kernel's ACC_MODE. */
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_ACCMODE), -EACCES);

	/* Group through a supplementary group, then through fsgid. */
	p = (struct sdev_policy){ .owner = 0, .group = 60, .mode = 0660 };
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), 0);
	p.group = 1000;
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), 0);
	p.group = 70;
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), -EACCES);
	/* A member gets the group's bits only. */
	p = (struct sdev_policy){ .owner = 0, .group = 50, .mode = 0606 };
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), -EACCES);
	/* Others. */
	p = (struct sdev_policy){ .owner = 0, .group = 0, .mode = 0606 };
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), 0);
	p.mode = 0604;
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDWR), -EACCES);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, false, O_RDONLY), 0);

	/* Capabilities: DAC_OVERRIDE any open, DAC_READ_SEARCH a read. */
	p.mode = 0;
	assert_int_equal(sdev_policy_permission(&p, &cr, true, false, O_RDWR), 0);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, true, O_RDONLY), 0);
	assert_int_equal(sdev_policy_permission(&p, &cr, false, true, O_RDWR), -EACCES);
}

/* Whether pid became a zombie (exited, not reaped) within 10 s. */
static bool wait_zombie(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A process of uid 1000 with supplementary group 1001 waits on a pipe; the
 * check reads who it is from /proc, as at an open.
 */
static void test_may_open_real_caller(void **state)
{
	int ready[2], hold[2];
	struct served_device *sd;
	pid_t child;
	char c;

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		gid_t g = 1001;

		close(hold[1]); /* the parent's close is our EOF */
		if (setgroups(1, &g) || setgid(1000) || setuid(1000))
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);

	assert_int_equal(create("edu,owner=0,group=1001,mode=0660", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDWR), 0);
	served_device_destroy(sd);
	assert_int_equal(create("edu,owner=0,group=1001,mode=0640", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDONLY), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDWR), -EACCES);
	served_device_destroy(sd);
	assert_int_equal(create("edu,owner=0,group=0,mode=0660", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDWR), -EACCES);
	/* Root (CAP_DAC_OVERRIDE in our namespace) passes, as on a node. */
	assert_int_equal(served_device_may_open(sd, (pid_t)syscall(SYS_gettid),
						O_RDWR), 0);
	served_device_destroy(sd);
	assert_int_equal(create("edu,owner=1000,group=0,mode=0600", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDWR), 0);
	served_device_destroy(sd);
	assert_int_equal(create("edu,owner=0,group=0,mode=0000", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDONLY), -EACCES);
	served_device_destroy(sd);
	/* Not given at all (no front end yet): nobody. */
	assert_int_equal(create("edu", &sd), 0);
	assert_int_equal(served_device_may_open(sd, (pid_t)syscall(SYS_gettid),
						O_RDWR), -EACCES);
	served_device_destroy(sd);

	/*
	 * A zombie still has a /proc/PID/status, but its pidfd says it is
	 * gone: what was read is no caller's (refused, even by a 0666 policy).
	 */
	close(hold[1]);
	assert_true(wait_zombie(child));
	assert_int_equal(create("edu,owner=0,group=0,mode=0666", &sd), 0);
	assert_int_equal(served_device_may_open(sd, child, O_RDWR), -EACCES);
	served_device_destroy(sd);
	close(ready[0]);
	{
		int status;

		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_parse_good),
		T(test_parse_bad),
		T(test_permission_rule),
		T(test_may_open_real_caller),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
