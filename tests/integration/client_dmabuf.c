// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-test dma-buf over a real node (daemon with --test-interface):
 * DMABUF_GET and the fd it returns, IOAS_MAP_FILE of that fd into an IOAS
 * with mock domains, DMABUF_REVOKE and what the domains then hold, and
 * closing the fd while its memory is mapped.
 *
 * DMABUF_GET returns a new fd, so it needs the fd-passing launcher
 * (docs/fd-passing.md):
 *  - not under it, DMABUF_GET must fail with EOPNOTSUPP and leave nothing
 *    behind (checked always);
 *  - when UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC (the uiommufd-exec
 *    binary) are set, the client then runs itself under the launcher for
 *    the rest; otherwise those cases print "skip".
 */
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "itest.h"
#include "itest_exec.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF (4 * PS)
#define IOVA ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static int fd;
/* A fresh dma-buf is zero-filled: what MD_CHECK_MAP compares against. */
static uint8_t *zeros;

static long dmabuf_get(uint32_t length)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = O_CLOEXEC },
	};

	return itest_test_cmd(fd, &cmd);
}

static long dmabuf_revoke(int dfd, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dfd, .revoked = revoked },
	};

	return itest_test_cmd(fd, &cmd);
}

static long map_file(uint32_t ioas, int mfd, uint64_t start, uint64_t len,
		     uint64_t *iova, bool fixed)
{
	return itest_map_file(fd, ioas,
			      MAP_RW | (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
			      mfd, start, len, iova);
}

static uint32_t mock_domain(uint32_t ioas, uint32_t *stdev)
{
	uint32_t hwpt;

	CHECK_RC(itest_mock_domain(fd, ioas, stdev, &hwpt, NULL), 0);
	return hwpt;
}

static long check_map(uint32_t hwpt, uint64_t iova, uint64_t len)
{
	return itest_check_map(fd, hwpt, iova, zeros, len);
}

/* Without the launcher: EOPNOTSUPP, and no ID was taken. */
static void no_launcher(void)
{
	uint32_t a = itest_ioas_new(fd), b;

	CHECK_RC(dmabuf_get(BUF), -EOPNOTSUPP);
	CHECK_RC(dmabuf_get(0), -EINVAL);
	b = itest_ioas_new(fd);
	CHECK(b == a + 1);
	CHECK_RC(itest_destroy(fd, a), 0);
	CHECK_RC(itest_destroy(fd, b), 0);
}

/* The fd is a handle, not memory: no mmap, no read, O_CLOEXEC. */
static void get_and_map(void)
{
	uint32_t ioas = itest_ioas_new(fd);
	uint64_t iova = 0;
	long dfd = dmabuf_get(BUF);
	struct stat st;

	CHECK(dfd >= 0);
	if (dfd < 0)
		return;
	CHECK(fstat((int)dfd, &st) == 0 && !S_ISREG(st.st_mode));
	CHECK(mmap(NULL, PS, PROT_READ, MAP_SHARED, (int)dfd, 0) == MAP_FAILED);
	CHECK(fcntl((int)dfd, F_GETFD) & FD_CLOEXEC);
	CHECK_RC(map_file(ioas, (int)dfd, 0, 0, &iova, false), -EINVAL);
	CHECK_RC(map_file(ioas, (int)dfd, BUF, BUF, &iova, false), -EINVAL);
	CHECK_RC(map_file(ioas, (int)dfd, 0, BUF + 1, &iova, false), -EINVAL);
	CHECK_RC(map_file(ioas, (int)dfd, 0, BUF, &iova, false), 0);
	CHECK_RC(itest_unmap(fd, ioas, iova, BUF, NULL), 0);
	close((int)dfd);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

/* Revoke empties the domains for good; a new map sees the buffer again. */
static void revoke_and_remap(void)
{
	uint32_t ioas = itest_ioas_new(fd), stdev, stdev2;
	uint32_t hwpt = mock_domain(ioas, &stdev), hwpt2;
	uint64_t iova = 0, iova2 = 0;
	int dfd = (int)dmabuf_get(BUF);

	CHECK(dfd >= 0);
	CHECK_RC(map_file(ioas, dfd, 0, BUF, &iova, false), 0);
	CHECK_RC(check_map(hwpt, iova, BUF), 0);
	CHECK_RC(dmabuf_revoke(dfd, true), 0);
	CHECK_RC(check_map(hwpt, iova, BUF), -EINVAL);
	hwpt2 = mock_domain(ioas, &stdev2);
	CHECK_RC(check_map(hwpt2, iova, BUF), -EINVAL);
	CHECK_RC(map_file(ioas, dfd, 0, BUF, &iova2, false), -ENODEV);
	CHECK_RC(dmabuf_revoke(dfd, false), 0);
	CHECK_RC(map_file(ioas, dfd, 0, BUF, &iova2, false), 0);
	CHECK_RC(check_map(hwpt, iova2, BUF), 0);
	CHECK_RC(check_map(hwpt2, iova2, BUF), 0);
	CHECK_RC(check_map(hwpt, iova, BUF), -EINVAL);
	CHECK_RC(itest_unmap(fd, ioas, iova, BUF, NULL), 0);
	CHECK_RC(map_file(ioas, dfd, 0, BUF, &iova, true), 0);
	CHECK_RC(check_map(hwpt, iova, BUF), 0);
	/* A plain memfd is EINVAL for REVOKE, a closed number EBADF. */
	int mfd = memfd_create("plain", MFD_CLOEXEC);
	CHECK_RC(dmabuf_revoke(mfd, true), -EINVAL);
	close(mfd);
	close(dfd);
	CHECK_RC(dmabuf_revoke(dfd, true), -EBADF);
	/* The areas keep the memory after the fd is gone. */
	CHECK_RC(check_map(hwpt, iova, BUF), 0);
	CHECK_RC(itest_destroy(fd, stdev2), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

/*
 * A child inherits the fd (and the iommufd): the buffer lives while any
 * copy is open, as a dma_buf file does, so the child can still map it
 * after the parent closed its own.
 */
static void fork_shares_fd(void)
{
	uint32_t ioas = itest_ioas_new(fd);
	uint64_t iova = 0;
	int dfd = (int)dmabuf_get(BUF), status, go[2];
	pid_t child;
	char c;

	CHECK(dfd >= 0 && pipe(go) == 0);
	child = fork();
	if (child == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(map_file(ioas, dfd, 0, BUF, &iova, false) ? 1 : 0);
	}
	close(go[0]);
	close(dfd);
	CHECK_RC(map_file(ioas, dfd, 0, BUF, &iova, false), -EBADF);
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	/* Every copy is closed now; the area made by the child stays. */
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	fd = itest_open();
	zeros = mmap(NULL, BUF, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zeros == MAP_FAILED)
		return 1;
	if (getenv("UIOMMUFD_EXEC_ACTIVE")) {
		RUN(get_and_map);
		RUN(revoke_and_remap);
		RUN(fork_shares_fd);
		close(fd);
		return itest_finish();
	}
	RUN(no_launcher);
	itest_under_launcher(argv, "get_and_map revoke_and_remap fork_shares_fd");
	close(fd);
	return itest_finish();
}
