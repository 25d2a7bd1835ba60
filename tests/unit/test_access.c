// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-test access ops (CREATE_ACCESS, ACCESS_RW, ACCESS_PAGES,
 * DESTROY_ACCESS_PAGES, ACCESS_REPLACE_IOAS) through the real dispatcher
 * with the fake transport.  The "caller" is this process, so the access fd
 * the transport installs is the daemon's own descriptor (fake_install_fd),
 * lookups by fd number are real pidfd_getfd() copies, and pins are real.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_ops.h"
#include "core/fd_handle.h"
#include "core/ucmd_fd.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF_SIZE (4 * PS)
#define IOVA ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static struct fake_env env;
static uint8_t *buf;

static int setup(void **state)
{
	fake_env_caller_init(&env, true);
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < BUF_SIZE; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	munmap(buf, BUF_SIZE);
	return 0;
}

static struct iommufd_ctx *C(void)
{
	return env.ictx;
}

static long create_access(uint32_t ioas, uint32_t flags, int *fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access = { .flags = flags },
	};
	long rc = fake_test_cmd(C(), &cmd);

	*fd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

static long access_rw(int fd, uint64_t iova, void *p, uint64_t len,
		      uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = (uint32_t)fd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)p, .flags = flags },
	};
	long rc;

	fake_user_add(p, len);
	rc = fake_test_cmd(C(), &cmd);
	fake_user_reset();
	return rc;
}

static long access_pages(int fd, uint64_t iova, uint64_t len, const void *uptr,
			 uint32_t flags, uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = (uint32_t)fd,
		.access_pages = { .iova = iova, .length = len,
				  .uptr = (uintptr_t)uptr, .flags = flags },
	};
	long rc;

	if (uptr)
		fake_user_add(uptr, len);
	rc = fake_test_cmd(C(), &cmd);
	fake_user_reset();
	if (id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static long destroy_pages(int fd, uint32_t id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = (uint32_t)fd,
		.destroy_access_pages = { .access_pages_id = id },
	};

	return fake_test_cmd(C(), &cmd);
}

static long replace_ioas(int fd, uint32_t ioas)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = (uint32_t)fd,
		.access_replace_ioas = { .ioas_id = ioas },
	};

	return fake_test_cmd(C(), &cmd);
}

static uint64_t iova_alignment(uint32_t ioas)
{
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd), .ioas_id = ioas };

	fake_ioctl(C(), IOMMU_IOAS_IOVA_RANGES, &cmd, sizeof(cmd));
	return cmd.out_iova_alignment;
}

/* Without a transport that installs fds: EOPNOTSUPP and nothing left. */
static void test_create_without_launcher(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	int fd;

	fake_install_fd = false;
	assert_int_equal(create_access(ioas, 0, &fd), -EOPNOTSUPP);
	assert_int_equal(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd), -EOPNOTSUPP);
	/* The access's ID went back; the IOAS is free and its alignment too. */
	assert_int_equal(fake_ioas_new(C()), ioas + 1);
	assert_int_equal(iova_alignment(ioas), 1);
	assert_null(C()->fd_handles);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	/* Bad input is refused before the fd question, as in the kernel. */
	assert_int_equal(create_access(ioas, 0, &fd), -ENOENT);
	assert_int_equal(create_access(ioas, 2, &fd), -EOPNOTSUPP);

	/* install_fd itself: the fd is consumed, the errno is EOPNOTSUPP. */
	{
		struct iommufd_ucmd ucmd = { .ictx = C() };
		struct ucmd_transport none = { 0 };
		int p[2];

		ucmd.tr = &none;
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		assert_int_equal(iommufd_ucmd_install_fd(&ucmd, p[0]), -EOPNOTSUPP);
		assert_int_equal(fcntl(p[0], F_GETFD), -1);
		close(p[1]);
	}
}

static void test_create_and_close(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), ioas2;
	struct stat st;
	int fd;

	assert_int_equal(create_access(ioas, 0, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The access holds the IOAS, and its own ID is not destroyable. */
	assert_int_equal(fake_destroy(C(), ioas), -EBUSY);
	assert_int_equal(fake_destroy(C(), ioas + 1), -EBUSY);
	/* A non-pinning access leaves the alignment alone. */
	assert_int_equal(iova_alignment(ioas), 1);

	/* Closing the fd releases it before the next ioctl. */
	close(fd);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	assert_null(C()->fd_handles);

	/* Replace moves the users count. */
	ioas = fake_ioas_new(C());
	ioas2 = fake_ioas_new(C());
	assert_int_equal(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd), 0);
	assert_int_equal(iova_alignment(ioas), PS);
	assert_int_equal(replace_ioas(fd, ioas2), 0);
	assert_int_equal(replace_ioas(fd, ioas2), 0);
	assert_int_equal(replace_ioas(fd, 999), -ENOENT);
	assert_int_equal(iova_alignment(ioas), 1);
	assert_int_equal(iova_alignment(ioas2), PS);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	assert_int_equal(fake_destroy(C(), ioas2), -EBUSY);
	/* An fd that is not an access, and one that is not open. */
	assert_int_equal(replace_ioas(0, ioas2), -EBADFD);
	assert_int_equal(replace_ioas(1 << 20, ioas2), -EBADFD);
	assert_int_equal(replace_ioas(-1, ioas2), -EBADFD);
	/* The context goes with the access still open: released first. */
	(void)fd;
}

static void test_access_rw(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint8_t tmp[200], big[BUF_SIZE];
	int fd;

	assert_int_equal(create_access(ioas, 0, &fd), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, BUF_SIZE, IOVA),
			 0);

	for (uint32_t slow = 0; slow <= MOCK_ACCESS_RW_SLOW_PATH;
	     slow += MOCK_ACCESS_RW_SLOW_PATH) {
		/* Across a page boundary, both ways. */
		assert_int_equal(access_rw(fd, IOVA + PS - 50, tmp, 100, slow), 0);
		assert_memory_equal(tmp, buf + PS - 50, 100);
		memset(tmp, 0xa5 ^ slow, sizeof(tmp));
		assert_int_equal(access_rw(fd, IOVA + PS - 50, tmp, 100,
					   slow | MOCK_ACCESS_RW_WRITE), 0);
		assert_memory_equal(buf + PS - 50, tmp, 100);
	}
	assert_int_equal(access_rw(fd, IOVA, big, BUF_SIZE, 0), 0);
	assert_memory_equal(big, buf, BUF_SIZE);

	/* The kernel's errnos, in its order. */
	assert_int_equal(access_rw(fd, IOVA, tmp, 0, 0), -EINVAL);
	assert_int_equal(access_rw(fd, IOVA, tmp, (16 << 20) + 1, 0), -ENOMEM);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, 1 << 3), -EOPNOTSUPP);
	assert_int_equal(access_rw(fd + 100, IOVA, tmp, 8, 0), -EBADFD);
	assert_int_equal(access_rw(fd, IOVA + BUF_SIZE - 4, tmp, 8, 0), -ENOENT);
	assert_int_equal(access_rw(fd, 0, tmp, 8, 0), -ENOENT);
	assert_int_equal(access_rw(fd, UINT64_MAX - 2, tmp, 8, 0), -EOVERFLOW);
	/* Bad user memory: EFAULT on the copy in (write) or out (read). */
	{
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_ACCESS_RW, .id = (uint32_t)fd,
			.access_rw = { .iova = IOVA, .length = 8, .uptr = 16,
				       .flags = MOCK_ACCESS_RW_WRITE },
		};

		assert_int_equal(fake_test_cmd(C(), &cmd), -EFAULT);
		cmd.access_rw.flags = 0;
		assert_int_equal(fake_test_cmd(C(), &cmd), -EFAULT);
	}

	/* A read-only map refuses writes (EPERM), reads work. */
	assert_int_equal(fake_unmap(C(), ioas, IOVA, BUF_SIZE, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, IOMMU_IOAS_MAP_READABLE, buf,
					BUF_SIZE, IOVA), 0);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, 0), 0);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, MOCK_ACCESS_RW_WRITE), -EPERM);
	close(fd);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, 0), -EBADFD);
}

static void test_access_pages(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), id0, id1, id2;
	uint8_t other[PS];
	int fd, nopin;

	assert_int_equal(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd), 0);
	assert_int_equal(create_access(ioas, 0, &nopin), 0);
	/* A pinning access makes the IOAS page aligned. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, PS / 2, IOVA),
			 -EINVAL);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, BUF_SIZE, IOVA),
			 0);

	assert_int_equal(access_pages(nopin, IOVA, PS, buf, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(access_pages(fd, IOVA, PS, buf, 1 << 3, NULL), -EOPNOTSUPP);
	assert_int_equal(access_pages(fd, IOVA, (16 << 20) + 1, NULL, 0, NULL),
			 -ENOMEM);
	assert_int_equal(access_pages(fd, IOVA, 0, NULL, 0, NULL), -EINVAL);
	assert_int_equal(access_pages(fd, IOVA + 100, PS, NULL, 0, NULL), -EINVAL);
	assert_int_equal(access_pages(fd, IOVA, BUF_SIZE + PS, NULL, 0, NULL),
			 -ENOENT);
	/* uptr must hold what the pin holds. */
	memset(other, 0x5a, sizeof(other));
	assert_int_equal(access_pages(fd, IOVA, PS, other, 0, NULL), -EBADE);

	assert_int_equal(access_pages(fd, IOVA, BUF_SIZE, buf, 0, &id0), 0);
	assert_int_equal(access_pages(fd, IOVA, PS, buf, MOCK_FLAGS_ACCESS_WRITE,
				      &id1), 0);
	assert_int_equal(id0, 0);
	assert_int_equal(id1, 1);
	assert_true(C()->pinned_bytes >= BUF_SIZE);
	assert_int_equal(destroy_pages(fd, id0), 0);
	assert_int_equal(destroy_pages(fd, id0), -ENOENT);
	assert_int_equal(destroy_pages(nopin, id1), -ENOENT);

	/* Unmap asks the access to let go: the item is gone afterwards. */
	assert_int_equal(access_pages(fd, IOVA + PS, PS, buf + PS, 0, &id2), 0);
	assert_int_equal(fake_unmap(C(), ioas, IOVA, BUF_SIZE, NULL), 0);
	assert_int_equal(destroy_pages(fd, id1), -ENOENT);
	assert_int_equal(destroy_pages(fd, id2), -ENOENT);
	assert_int_equal(C()->pinned_bytes, 0);

	/* A read-only map cannot be pinned for write. */
	assert_int_equal(fake_map_fixed(C(), ioas, IOMMU_IOAS_MAP_READABLE, buf,
					BUF_SIZE, IOVA), 0);
	assert_int_equal(access_pages(fd, IOVA, PS, buf, MOCK_FLAGS_ACCESS_WRITE,
				      NULL), -EPERM);
	/* Pins held at close are released with the access. */
	assert_int_equal(access_pages(fd, IOVA, PS, buf, 0, NULL), 0);
	assert_true(C()->pinned_bytes > 0);
	close(fd);
	assert_int_equal(fake_unmap(C(), ioas, IOVA, BUF_SIZE, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	close(nopin);
	assert_int_equal(fake_destroy(C(), ioas), 0);
}

/* Replacing the IOAS drops every pin of the old one (the unmap callback). */
static void test_replace_unpins(void **state)
{
	uint32_t ioas = fake_ioas_new(C()), ioas2 = fake_ioas_new(C()), id;
	int fd;

	assert_int_equal(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &fd), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, BUF_SIZE, IOVA),
			 0);
	assert_int_equal(fake_map_fixed(C(), ioas2, MAP_RW, buf, BUF_SIZE,
					IOVA), 0);
	assert_int_equal(access_pages(fd, IOVA, PS, buf, 0, &id), 0);
	assert_int_equal(replace_ioas(fd, ioas2), 0);
	assert_int_equal(destroy_pages(fd, id), -ENOENT);
	assert_int_equal(fake_unmap(C(), ioas, IOVA, BUF_SIZE, NULL), 0);
	assert_int_equal(access_pages(fd, IOVA, PS, buf, 0, &id), 0);
	/* Left pinned and open: the context's release cleans up. */
}

/* A peer that is not ours, shut down or with data written, is harmless. */
static void test_fd_games(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint8_t tmp[8];
	int fd, sv[2];

	assert_int_equal(create_access(ioas, 0, &fd), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, buf, BUF_SIZE, IOVA),
			 0);
	/* Writing into the access fd is refused; it keeps working. */
	assert_true(send(fd, "x", 1, MSG_DONTWAIT) < 0);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, 0), 0);
	/* Another socket is not an access. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(access_rw(sv[0], IOVA, tmp, 8, 0), -EBADFD);
	close(sv[0]);
	close(sv[1]);
	/* shutdown() is a close as far as the access is concerned. */
	shutdown(fd, SHUT_RDWR);
	assert_int_equal(access_rw(fd, IOVA, tmp, 8, 0), -EBADFD);
	assert_int_equal(fake_unmap(C(), ioas, IOVA, BUF_SIZE, NULL), 0);
	assert_int_equal(fake_destroy(C(), ioas), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_without_launcher,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_and_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_access_rw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replace_unpins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fd_games, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
