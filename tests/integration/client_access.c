// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-test accesses over a real node (daemon with --test-interface):
 * CREATE_ACCESS and the fd it returns, software DMA through ACCESS_RW,
 * pins through ACCESS_PAGES and the unmap that takes them back,
 * ACCESS_REPLACE_IOAS, and callers that die in the middle.
 *
 * The access fd needs the fd-passing launcher (docs/fd-passing.md):
 *  - not under it, CREATE_ACCESS must fail with EOPNOTSUPP and leave no
 *    object behind (checked always);
 *  - when UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC (the uiommufd-exec
 *    binary) are set, the client then runs itself under the launcher for
 *    the rest; otherwise those cases print "skip".
 * Under the launcher uiommufd-exec sets UIOMMUFD_EXEC_ACTIVE.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "itest.h"
#include "itest_exec.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define BUF_SIZE (16 * PS)
#define IOVA ((uint64_t)MOCK_APERTURE_START)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static int fd;

static long create_access(uint32_t ioas, uint32_t flags, int *afd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access = { .flags = flags, .out_access_fd = 0xdeadbeef },
	};
	long rc = itest_test_cmd(fd, &cmd);

	*afd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

static long access_rw(int afd, uint64_t iova, void *p, uint64_t len,
		      uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = (uint32_t)afd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)p, .flags = flags },
	};

	return itest_test_cmd(fd, &cmd);
}

static long access_pages(int afd, uint64_t iova, uint64_t len, const void *p,
			 uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = (uint32_t)afd,
		.access_pages = { .iova = iova, .length = len,
				  .uptr = (uintptr_t)p },
	};
	long rc = itest_test_cmd(fd, &cmd);

	if (id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static long destroy_pages(int afd, uint32_t id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = (uint32_t)afd,
		.destroy_access_pages = { .access_pages_id = id },
	};

	return itest_test_cmd(fd, &cmd);
}

static long replace_ioas(int afd, uint32_t ioas)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = (uint32_t)afd,
		.access_replace_ioas = { .ioas_id = ioas },
	};

	return itest_test_cmd(fd, &cmd);
}

/* Not under the launcher: the documented errno, and nothing left behind. */
static void no_launcher(void)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.create_access = { .out_access_fd = 0x12345678 },
	};
	uint32_t ioas = itest_ioas_new(fd);
	int afd;

	cmd.id = ioas;
	CHECK_RC(itest_test_cmd(fd, &cmd), -EOPNOTSUPP);
	/* No fd number was made up: the reply field was not touched. */
	CHECK(cmd.create_access.out_access_fd == 0x12345678);
	CHECK_RC(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
			       &afd), -EOPNOTSUPP);
	/* The access's ID went back and the IOAS holds no user. */
	CHECK(itest_ioas_new(fd) == ioas + 1);
	CHECK_RC(itest_destroy(fd, ioas + 1), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	/* Bad input keeps the kernel's errno. */
	CHECK_RC(create_access(ioas, 0, &afd), -ENOENT);
	CHECK_RC(create_access(ioas, 1u << 4, &afd), -EOPNOTSUPP);
}

static void create_and_close(void)
{
	uint32_t ioas = itest_ioas_new(fd), other = itest_ioas_new(fd);
	struct stat st;
	int afd, afd2;

	CHECK_RC(create_access(ioas, 0, &afd), 0);
	CHECK(afd > 2 && fstat(afd, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK((fcntl(afd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK_RC(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
			       &afd2), 0);
	CHECK(afd2 != afd && afd2 >= 0);
	CHECK_RC(itest_destroy(fd, ioas), -EBUSY);
	/* Access ops name the access by fd; other fds are EBADFD. */
	CHECK_RC(replace_ioas(fd, other), -EBADFD);
	CHECK_RC(replace_ioas(1000, other), -EBADFD);
	CHECK_RC(replace_ioas(afd, 99999), -ENOENT);
	CHECK_RC(replace_ioas(afd, other), 0);
	close(afd2);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	CHECK_RC(itest_destroy(fd, other), -EBUSY);
	close(afd);
	CHECK_RC(itest_destroy(fd, other), 0);
}

/*
 * The kernel reads ioctl's cmd as an unsigned int, so junk in args[1]'s
 * high word changes nothing: the launcher's filter must compare the low
 * word only, or this call would miss the daemon's fd passing (EOPNOTSUPP).
 */
static void cmd_high_word(void)
{
	uint32_t ioas = itest_ioas_new(fd);
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access = { .out_access_fd = 0xdeadbeef },
	};
	unsigned long req = (unsigned long)IOMMU_TEST_CMD | 0xffffffff00000000ul;
	struct stat st;
	int afd;

	CHECK_RC(syscall(SYS_ioctl, fd, req, &cmd) ? -errno : 0, 0);
	afd = (int)cmd.create_access.out_access_fd;
	CHECK(afd > 2 && fstat(afd, &st) == 0 && S_ISSOCK(st.st_mode));
	close(afd);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

/* Software DMA: reads and writes follow the IOAS into the caller's pages. */
static void dma_rw(void)
{
	uint32_t ioas = itest_ioas_new(fd);
	uint8_t *buf = itest_shared_buf(BUF_SIZE), *priv = malloc(BUF_SIZE);
	uint8_t tmp[64], *big = malloc(BUF_SIZE);
	int afd;

	CHECK_RC(create_access(ioas, 0, &afd), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, BUF_SIZE, IOVA), 0);
	for (uint32_t slow = 0; slow <= MOCK_ACCESS_RW_SLOW_PATH;
	     slow += MOCK_ACCESS_RW_SLOW_PATH) {
		bool ok = true;

		for (uint64_t iova = IOVA + PS - 20; iova < IOVA + PS + 20; iova += 3)
			for (uint64_t len = 1; len < sizeof(tmp); len += 7) {
				ok &= access_rw(afd, iova, tmp, len, slow) == 0 &&
				      !memcmp(tmp, buf + (iova - IOVA), len);
				memset(tmp, (int)(iova + len), sizeof(tmp));
				ok &= access_rw(afd, iova, tmp, len,
						slow | MOCK_ACCESS_RW_WRITE) == 0 &&
				      !memcmp(buf + (iova - IOVA), tmp, len);
			}
		CHECK(ok);
	}
	CHECK_RC(access_rw(afd, IOVA, big, BUF_SIZE, 0), 0);
	CHECK(!memcmp(big, buf, BUF_SIZE));
	CHECK_RC(access_rw(afd, IOVA + BUF_SIZE - 8, tmp, 16, 0), -ENOENT);
	CHECK_RC(access_rw(afd, IOVA, NULL, 16, 0), -EFAULT);
	CHECK_RC(itest_unmap(fd, ioas, IOVA, BUF_SIZE, NULL), 0);

	/* Private memory is reached through the mapping process. */
	memset(priv, 0x3c, BUF_SIZE);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, priv, BUF_SIZE, IOVA), 0);
	memset(tmp, 0x77, sizeof(tmp));
	CHECK_RC(access_rw(afd, IOVA + 10, tmp, sizeof(tmp), MOCK_ACCESS_RW_WRITE), 0);
	CHECK(priv[10] == 0x77 && priv[9] == 0x3c);
	CHECK_RC(itest_unmap(fd, ioas, IOVA, BUF_SIZE, NULL), 0);
	close(afd);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(buf, BUF_SIZE);
	free(priv);
	free(big);
}

/* Pins, and the unmap notification that takes them back. */
static void pin_and_unmap(void)
{
	uint32_t ioas = itest_ioas_new(fd), ioas2 = itest_ioas_new(fd), id, id2;
	uint8_t *buf = itest_shared_buf(BUF_SIZE), other[PS];
	int afd;

	CHECK_RC(create_access(ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &afd), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, PS / 2, IOVA), -EINVAL);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, BUF_SIZE, IOVA), 0);
	CHECK_RC(access_pages(afd, IOVA, BUF_SIZE, buf, &id), 0);
	CHECK_RC(access_pages(afd, IOVA, PS, buf, &id2), 0);
	CHECK(id2 == id + 1);
	/* uptr must hold what the pin holds (the kernel: the same pages). */
	memset(other, 0xee, PS);
	CHECK_RC(access_pages(afd, IOVA, PS, other, NULL), -EBADE);
	CHECK_RC(destroy_pages(afd, id2), 0);
	CHECK_RC(destroy_pages(afd, id2), -ENOENT);
	/* The unmap succeeds: the access let go of its pin. */
	CHECK_RC(itest_unmap(fd, ioas, IOVA, BUF_SIZE, NULL), 0);
	CHECK_RC(destroy_pages(afd, id), -ENOENT);

	/* Replace drops the old IOAS's pins. */
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, BUF_SIZE, IOVA), 0);
	CHECK_RC(access_pages(afd, IOVA, PS, buf, &id), 0);
	CHECK_RC(replace_ioas(afd, ioas2), 0);
	CHECK_RC(destroy_pages(afd, id), -ENOENT);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	close(afd);
	CHECK_RC(itest_destroy(fd, ioas2), 0);
	munmap(buf, BUF_SIZE);
}

/*
 * Children share the context and the filter.  One creates accesses in a
 * loop and is SIGKILLed at a random point (maybe while the daemon serves
 * its notification); one exits holding an access.  Nothing may stay busy.
 */
static void dying_callers(void)
{
	uint32_t ioas = itest_ioas_new(fd);
	int status, afd;
	pid_t child;

	for (int round = 0; round < 5; round++) {
		child = fork();
		if (child == 0) {
			for (;;) {
				if (create_access(ioas, 0, &afd) == 0)
					close(afd);
			}
		}
		usleep(20000 + 10000 * round);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	child = fork();
	if (child == 0)
		_exit(create_access(ioas, 0, &afd) ? 1 : 0);
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	/* The daemon still answers. */
	ioas = itest_ioas_new(fd);
	CHECK_RC(create_access(ioas, 0, &afd), 0);
	close(afd);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	fd = itest_open();
	if (getenv("UIOMMUFD_EXEC_ACTIVE")) {
		RUN(create_and_close);
		RUN(cmd_high_word);
		RUN(dma_rw);
		RUN(pin_and_unmap);
		RUN(dying_callers);
		close(fd);
		return itest_finish();
	}
	RUN(no_launcher);
	itest_under_launcher(argv, "create_and_close cmd_high_word dma_rw pin_and_unmap "
				   "dying_callers");
	close(fd);
	return itest_finish();
}
