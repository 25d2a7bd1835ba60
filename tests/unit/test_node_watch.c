// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CUSE node watcher (daemon/frontend/node_watch.c) on character
 * devices made here with mknod (root only; skipped otherwise): it puts a
 * node's owner, group and mode back after a chmod or chown by someone
 * else and after the node was made again, and never touches what is not
 * the node (a file of another type or another device at the path); all of
 * it without CAP_FOWNER, as in the service.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/node_watch.h"

static char dir[64], node[96], node2[96];

/* Waits (up to 10 s: a behaviour bound, not a speed one) for path to be so. */
static bool path_becomes(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	for (int i = 0; i < 1000; i++) {
		struct stat st;

		if (!lstat(path, &st) && st.st_uid == uid && st.st_gid == gid &&
		    (st.st_mode & 07777) == mode)
			return true;
		usleep(10000);
	}
	return false;
}

static bool node_becomes(uid_t uid, gid_t gid, mode_t mode)
{
	return path_becomes(node, uid, gid, mode);
}

/*
 * A change of the other node, once put back, proves a pass ran after
 * whatever was done before it.
 */
static void pass_done(void)
{
	assert_int_equal(chmod(node2, 0666), 0);
	assert_true(path_becomes(node2, 0, 0, 0600));
}

/*
 * The service's bounding set has CAP_CHOWN but neither CAP_FOWNER nor
 * CAP_DAC_OVERRIDE: the watcher is started from a thread without them
 * (its own thread inherits that), while this one keeps them to play udev.
 */
struct start_args {
	struct node_watch_entry *e;
	unsigned int n;
	struct node_watch *w;
	int rc;
};

static void *start_without_fowner(void *arg)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct start_args *a = arg;

	if (syscall(SYS_capget, &h, d)) {
		a->rc = -errno;
		return NULL;
	}
	d[0].effective &= ~((1u << CAP_FOWNER) | (1u << CAP_DAC_OVERRIDE));
	if (syscall(SYS_capset, &h, d)) {
		a->rc = -errno;
		return NULL;
	}
	a->rc = node_watch_start(a->e, a->n, &a->w);
	return NULL;
}

static int start_watch(struct node_watch_entry *e, unsigned int n,
		       struct node_watch **w)
{
	struct start_args a = { .e = e, .n = n };
	pthread_t t;

	if (pthread_create(&t, NULL, start_without_fowner, &a))
		return -EAGAIN;
	pthread_join(t, NULL);
	*w = a.w;
	return a.rc;
}

static void test_puts_back(void **state)
{
	struct node_watch_entry e[2];
	struct node_watch *w = NULL;
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/uiommufd-nw.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(node, sizeof(node), "%s/uvfio0", dir);
	snprintf(node2, sizeof(node2), "%s/uvfio1", dir);
	assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
	assert_int_equal(mknod(node2, S_IFCHR | 0600, makedev(1, 7)), 0);
	e[0] = (struct node_watch_entry){ .path = node, .uid = 1000, .gid = 4242,
					  .mode = 0640 };
	e[1] = (struct node_watch_entry){ .path = node2, .mode = 0600 };
	/* The first pass puts the policy on at once. */
	assert_int_equal(start_watch(e, 2, &w), 0);
	assert_int_equal(lstat(node, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 4242);
	assert_int_equal(st.st_mode & 07777, 0640);

	/* What udev does: a mode, an owner, a node made again. */
	assert_int_equal(chmod(node, 0666), 0);
	assert_true(node_becomes(1000, 4242, 0640));
	assert_int_equal(chown(node, 0, 0), 0);
	assert_true(node_becomes(1000, 4242, 0640));
	assert_int_equal(unlink(node), 0);
	assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
	assert_true(node_becomes(1000, 4242, 0640));

	/* Not ours: another device, then a regular file at the path. */
	assert_int_equal(unlink(node), 0);
	assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 5)), 0);
	assert_int_equal(chmod(node, 0604), 0);
	pass_done();
	assert_int_equal(lstat(node, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	assert_int_equal(unlink(node), 0);
	{
		FILE *f = fopen(node, "we");

		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(chmod(node, 0666), 0);
	pass_done();
	assert_int_equal(lstat(node, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0666);

	node_watch_stop(w);
	/* Stopped: nothing is put back any more. */
	assert_int_equal(chmod(node2, 0644), 0);
	usleep(100000);
	assert_int_equal(lstat(node2, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(unlink(node), 0);
	assert_int_equal(unlink(node2), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_refuses_non_device(void **state)
{
	struct node_watch_entry e = { .path = "/etc/hostname", .mode = 0600 };
	struct node_watch *w;

	(void)state;
	assert_int_equal(node_watch_start(&e, 1, &w), -EINVAL);
	assert_null(w);
	assert_int_equal(node_watch_start(&e, NODE_WATCH_MAX + 1, &w), -EINVAL);
	node_watch_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_puts_back),
		cmocka_unit_test(test_refuses_non_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
