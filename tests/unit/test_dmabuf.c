// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-test dma-buf: DMABUF_GET and DMABUF_REVOKE, IOAS_MAP_FILE of a
 * dma-buf fd, and what revocation does to areas, domains and pins.  The
 * fake transport "installs" an fd by leaving the daemon's own descriptor
 * with the test (fake_install_fd), and the caller is this process, so
 * MAP_FILE and REVOKE find it again through pidfd_getfd() as they would
 * for a real client.
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
#include "core/pages.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF (4 * PS)
#define IOVA ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static struct fake_env env;
/* What a fresh buffer holds, for MD_CHECK_MAP (page aligned). */
static uint8_t *zeros;

static int setup(void **state)
{
	fake_env_caller_init(&env, true);
	zeros = mmap(NULL, 512 * PS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(zeros != MAP_FAILED);
	return 0;
}

static int teardown(void **state)
{
	fake_env_caller_fini(&env);
	munmap(zeros, 512 * PS);
	return 0;
}

static long io(unsigned int cmd, void *arg, size_t len)
{
	return fake_ioctl(env.ictx, cmd, arg, len);
}

static long dmabuf_get(uint32_t length)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = O_CLOEXEC },
	};

	return fake_test_cmd(env.ictx, &cmd);
}

static long dmabuf_revoke(int dfd, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dfd, .revoked = revoked },
	};

	return fake_test_cmd(env.ictx, &cmd);
}

static long map_file(uint32_t ioas, int mfd, uint64_t start, uint64_t len,
		     uint64_t *iova, bool fixed)
{
	return fake_map_file(env.ictx, ioas,
			     MAP_RW | (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
			     mfd, start, len, iova);
}

static uint32_t mock_domain(uint32_t ioas)
{
	uint32_t hwpt;

	assert_int_equal(fake_mock_domain(env.ictx, ioas, NULL, &hwpt, NULL),
			 0);
	return hwpt;
}

static long check_map(uint32_t hwpt, uint64_t iova, uint64_t len)
{
	return fake_check_map(env.ictx, hwpt, iova, zeros, len);
}

static void test_get_needs_launcher(void **state)
{
	fake_install_fd = false;
	assert_int_equal(dmabuf_get(BUF), -EOPNOTSUPP);
	/* Nothing left behind: no handle, no memfd. */
	assert_null(env.ictx->fd_handles);
	/* The length rules come first, as in the kernel. */
	assert_int_equal(dmabuf_get(0), -EINVAL);
}

static void test_get_length_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx);
	uint64_t iova = 0;
	long dfd;
	struct stat st;

	assert_int_equal(dmabuf_get(0), -EINVAL);
	assert_int_equal(dmabuf_get(513 * PS), -EINVAL);
	/* 512 pages is the exporter's limit; the last byte may be used. */
	dfd = dmabuf_get(512 * PS);
	assert_true(dfd >= 0);
	assert_int_equal(map_file(ioas, (int)dfd, 512 * PS - 1, 1, &iova, false), 0);
	close((int)dfd);
	/* The fd is no file of memory: it cannot be mapped or read. */
	dfd = dmabuf_get(PS + 1); /* rounded up to two pages */
	assert_true(dfd >= 0);
	assert_int_equal(fstat((int)dfd, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_true(mmap(NULL, PS, PROT_READ, MAP_SHARED, (int)dfd, 0) ==
		    MAP_FAILED);
	assert_true(fcntl((int)dfd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(map_file(ioas, (int)dfd, 0, 2 * PS, &iova, false), 0);
	assert_int_equal(map_file(ioas, (int)dfd, 0, 2 * PS + 1, &iova, false),
			 -EINVAL);
	close((int)dfd);
}

/* The dma-buf cases of iommufd_ioas.*.dmabuf_simple, and accounting. */
static void test_map_file_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), hwpt = mock_domain(ioas);
	uint64_t iova = 0;
	int dfd = (int)dmabuf_get(BUF);

	assert_true(dfd >= 0);
	assert_int_equal(map_file(ioas, dfd, 0, 0, &iova, false), -EINVAL);
	assert_int_equal(map_file(ioas, dfd, BUF, BUF, &iova, false), -EINVAL);
	assert_int_equal(map_file(ioas, dfd, 0, BUF + 1, &iova, false), -EINVAL);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	assert_int_equal(check_map(hwpt, iova, BUF), 0);
	/* Pinned into the domain, yet never charged (no dma-buf accounting). */
	assert_int_equal(env.ictx->pinned_bytes, BUF);
	assert_int_equal(iopt_account_user_pages(&env.daemon, 0), 0);
	/* IOAS_CHANGE_PROCESS takes MAP_FILE memory, not dma-bufs. */
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	assert_int_equal(io(IOMMU_IOAS_CHANGE_PROCESS, &cp, sizeof(cp)), -EINVAL);
	close(dfd);
}

/*
 * iommufd_ioas.mock_domain.dmabuf_revoke, with what the test cannot see:
 * the domain's contents and the pins after each step.
 */
static void test_revoke(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), hwpt = mock_domain(ioas), hwpt2;
	uint64_t iova = 0, iova2 = 0;
	int dfd = (int)dmabuf_get(BUF);

	assert_true(dfd >= 0);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	assert_int_equal(check_map(hwpt, iova, BUF), 0);
	assert_int_equal(dmabuf_revoke(dfd, true), 0);
	/* The area stays, but the domain maps nothing and nothing is pinned. */
	assert_int_equal(check_map(hwpt, iova, BUF), -EINVAL);
	assert_int_equal(env.ictx->pinned_bytes, 0);
	/* A domain attached now is not filled with it either. */
	hwpt2 = mock_domain(ioas);
	assert_int_equal(check_map(hwpt2, iova, BUF), -EINVAL);
	/* The exporter refuses new importers while revoked. */
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova2, false), -ENODEV);
	assert_int_equal(dmabuf_revoke(dfd, false), 0);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova2, false), 0);
	assert_int_equal(check_map(hwpt, iova2, BUF), 0);
	assert_int_equal(check_map(hwpt2, iova2, BUF), 0);
	/* The old area is still revoked; it unmaps and the IOVA is reusable. */
	assert_int_equal(check_map(hwpt, iova, BUF), -EINVAL);
	assert_int_equal(fake_unmap(env.ictx, ioas, iova, BUF, NULL), 0);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, true), 0);
	assert_int_equal(check_map(hwpt2, iova, BUF), 0);
	assert_int_equal(env.ictx->pinned_bytes, 2 * BUF);
	close(dfd);
}

/*
 * The exporter sends its move notification whatever the new state: an
 * "un-revoke" of a live buffer still takes it out of every domain, and
 * areas made by COPY share the fate of their source.
 */
static void test_unrevoke_moves_live_mappings(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), hwpt = mock_domain(ioas);
	uint32_t ioas2 = fake_ioas_new(env.ictx), hwpt2 = mock_domain(ioas2);
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy), .dst_ioas_id = ioas2, .src_ioas_id = ioas,
		.flags = MAP_RW,
	};
	uint64_t iova = 0;
	int dfd = (int)dmabuf_get(BUF);

	assert_true(dfd >= 0);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	copy.src_iova = iova;
	copy.length = BUF;
	assert_int_equal(io(IOMMU_IOAS_COPY, &copy, sizeof(copy)), 0);
	assert_int_equal(check_map(hwpt2, copy.dst_iova, BUF), 0);
	assert_int_equal(dmabuf_revoke(dfd, false), 0);
	assert_int_equal(check_map(hwpt, iova, BUF), -EINVAL);
	assert_int_equal(check_map(hwpt2, copy.dst_iova, BUF), -EINVAL);
	assert_int_equal(env.ictx->pinned_bytes, 0);
	/* Not revoked for new importers. */
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	assert_int_equal(check_map(hwpt, iova, BUF), 0);
	close(dfd);
}

/* dma_buf_get()'s answers for what is not one of our dma-bufs. */
static void test_fd_rules(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx);
	uint64_t iova = 0;
	int mfd = memfd_create("plain", MFD_CLOEXEC);
	int pfd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	/*
	 * A number nothing is open at.  Not a just-closed one: the daemon
	 * is this process here, and its own pidfd would take that number.
	 */
	int nfd = 1 << 20;

	assert_true(mfd >= 0 && pfd >= 0);
	assert_int_equal(dmabuf_revoke(-1, true), -EBADF);
	assert_int_equal(dmabuf_revoke(nfd, true), -EBADF);
	assert_int_equal(dmabuf_revoke(mfd, true), -EINVAL);
	assert_int_equal(dmabuf_revoke(pfd, true), -EBADF);
	/* fget() refuses O_PATH for MAP_FILE too. */
	assert_int_equal(map_file(ioas, pfd, 0, PS, &iova, false), -EBADF);
	assert_int_equal(ftruncate(mfd, PS), 0);
	assert_int_equal(map_file(ioas, mfd, 0, PS, &iova, false), 0);
	close(mfd);
	close(pfd);
}

/*
 * Closing the fd ends the caller's reference only: areas keep the memory
 * mapped (the kernel's attachment holds the dma-buf), and the number no
 * longer names a dma-buf.
 */
static void test_close_keeps_mappings(void **state)
{
	uint32_t ioas = fake_ioas_new(env.ictx), hwpt = mock_domain(ioas);
	uint64_t iova = 0;
	int dfd = (int)dmabuf_get(BUF);

	assert_true(dfd >= 0);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	close(dfd);
	assert_int_equal(dmabuf_revoke(dfd, true), -EBADF);
	assert_null(env.ictx->fd_handles);
	assert_int_equal(check_map(hwpt, iova, BUF), 0);
	assert_int_equal(fake_unmap(env.ictx, ioas, iova, BUF, NULL), 0);
	assert_int_equal(env.ictx->pinned_bytes, 0);
	/* And one left mapped goes with the context (ASan checks the rest). */
	dfd = (int)dmabuf_get(BUF);
	assert_int_equal(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	close(dfd);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_get_needs_launcher),
		T(test_get_length_rules),
		T(test_map_file_rules),
		T(test_revoke),
		T(test_unrevoke_moves_live_mappings),
		T(test_fd_rules),
		T(test_close_keeps_mappings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
