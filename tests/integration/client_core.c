// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core ABI over a real node: the generic ioctl rules with real caller
 * memory (unmapped and PROT_NONE pages), IOAS alloc/ranges/destroy, the
 * object table per open file, and many clients at once.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "itest.h"
#include "uiommufd/abi.h"

static void alloc_destroy(void)
{
	int fd = itest_open();
	uint32_t a, b, c;

	CHECK_RC(itest_ioas_alloc(fd, &a), 0);
	CHECK_RC(itest_ioas_alloc(fd, &b), 0);
	CHECK(a == 1 && b == 2);
	CHECK_RC(itest_destroy(fd, a), 0);
	CHECK_RC(itest_destroy(fd, a), -ENOENT);
	CHECK_RC(itest_ioas_alloc(fd, &c), 0);
	CHECK(c == 1);
	CHECK_RC(itest_destroy(fd, 99), -ENOENT);
	close(fd);
}

static void generic_rules(void)
{
	int fd = itest_open();
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };
	uint32_t raw[8] = { sizeof(raw) };

	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd), -EOPNOTSUPP);
	cmd = (struct iommu_ioas_alloc){ .size = 8 };
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd), -EINVAL);
	raw[7] = 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, raw), -E2BIG);
	raw[7] = 0;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, raw), 0);
	CHECK(raw[2] == 1 && raw[3] == 0);
	/* Past the v7.3 table, whose last command is 0x95. */
	CHECK_RC(itest_ioctl(fd, _IO(IOMMUFD_TYPE, 0x96), raw), -ENOTTY);
	CHECK_RC(itest_ioctl(fd, _IO('Q', 0x81), raw), -ENOTTY);
	/* An unmapped argument: EFAULT inside the table, ENOTTY outside. */
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, (void *)16), -EFAULT);
	CHECK_RC(itest_ioctl(fd, IOMMU_DESTROY, NULL), -EFAULT);
	CHECK_RC(itest_ioctl(fd, _IO(IOMMUFD_TYPE, 0xb0), (void *)16), -ENOTTY);
	close(fd);
}

static void guarded_pages(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = itest_open();
	struct iommu_ioas_alloc *cmd;

	CHECK(p != MAP_FAILED);
	mprotect(p + pg, pg, PROT_NONE);
	/* The struct fits before the guard page; its declared tail does not. */
	cmd = (void *)(p + pg - sizeof(*cmd));
	*cmd = (struct iommu_ioas_alloc){ .size = sizeof(*cmd) + 4 };
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), -EFAULT);
	cmd->size = sizeof(*cmd);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), 0);
	CHECK(cmd->out_ioas_id == 1);
	/*
	 * A read-only struct: the reply cannot be written, the ID is freed.
	 * Over CUSE retry the copy-out fails after the daemon committed.
	 */
	cmd = (void *)p;
	*cmd = (struct iommu_ioas_alloc){ .size = sizeof(*cmd) };
	mprotect(p, pg, PROT_READ);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), -EFAULT);
	mprotect(p, pg, PROT_READ | PROT_WRITE);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), 0);
	CHECK(cmd->out_ioas_id == (itest_retry_transport() ? 3 : 2));
	munmap(p, 2 * pg);
	close(fd);
}

static void huge_struct(void)
{
	/*
	 * 1 MiB of struct: past CUSE's 128 KiB per-request limit, so the
	 * retry transport must reach the tail another way; never truncate.
	 */
	size_t len = 1 << 20;
	uint8_t *buf = calloc(1, len);
	struct iommu_ioas_alloc *cmd = (void *)buf;
	int fd = itest_open();

	cmd->size = (uint32_t)len;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), 0);
	CHECK(cmd->out_ioas_id == 1);
	buf[len - 1] = 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), -E2BIG);
	buf[len - 1] = 0;
	buf[200 * 1024] = 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, cmd), -E2BIG);
	free(buf);
	close(fd);
}

static void iova_ranges(void)
{
	int fd = itest_open();
	struct iommu_iova_range out[4];
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	uint32_t id;

	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	r.ioas_id = id;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r), -EMSGSIZE);
	CHECK(r.num_iovas == 1);
	r.allowed_iovas = (uintptr_t)out;
	r.num_iovas = 4;
	memset(out, 0xaa, sizeof(out));
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r), 0);
	CHECK(r.num_iovas == 1 && out[0].start == 0 && out[0].last == UINT64_MAX);
	CHECK(out[1].start == 0xaaaaaaaaaaaaaaaaull);
	r.allowed_iovas = 8;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r), -EFAULT);
	r.ioas_id = id + 1;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r), -ENOENT);
	close(fd);
}

static void contexts_isolated(void)
{
	int a = itest_open(), b = itest_open();
	uint32_t ida, idb;

	CHECK_RC(itest_ioas_alloc(a, &ida), 0);
	CHECK_RC(itest_ioas_alloc(b, &idb), 0);
	CHECK(ida == 1 && idb == 1);
	CHECK_RC(itest_destroy(b, 1), 0);
	CHECK_RC(itest_destroy(b, 1), -ENOENT);
	CHECK_RC(itest_destroy(a, 1), 0);
	close(a);
	close(b);
}

static void close_releases(void)
{
	int fd = itest_open();
	uint32_t id;

	for (int i = 0; i < 100; i++)
		CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	close(fd);
	fd = itest_open();
	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	CHECK(id == 1);
	close(fd);
}

static void *hammer(void *arg)
{
	int fd = itest_open();
	long bad = 0;

	(void)arg;
	for (int i = 0; i < 500; i++) {
		uint32_t id;

		if (itest_ioas_alloc(fd, &id) || itest_destroy(fd, id))
			bad++;
	}
	close(fd);
	return (void *)bad;
}

static void many_clients(void)
{
	pthread_t t[8];
	long bad = 0;
	int status, children = 4;

	/* Threads with their own fds, and processes sharing one fd. */
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	int shared = itest_open();
	for (int i = 0; i < children; i++)
		if (fork() == 0) {
			int ok = 1;

			for (int j = 0; j < 200; j++) {
				uint32_t id;

				ok &= itest_ioas_alloc(shared, &id) == 0 &&
				      itest_destroy(shared, id) == 0;
			}
			_exit(ok ? 0 : 1);
		}
	for (int i = 0; i < 8; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	for (int i = 0; i < children; i++) {
		wait(&status);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(bad == 0);
	close(shared);
}

static void dead_client(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int fd = itest_open();
		uint32_t id;

		for (int i = 0; i < 50; i++)
			itest_ioas_alloc(fd, &id);
		raise(SIGKILL);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status));
	/* The daemon goes on serving everyone else. */
	int fd = itest_open();
	uint32_t id;
	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	close(fd);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	RUN(alloc_destroy);
	RUN(generic_rules);
	RUN(guarded_pages);
	RUN(huge_struct);
	RUN(iova_ranges);
	RUN(contexts_isolated);
	RUN(close_releases);
	RUN(many_clients);
	RUN(dead_client);
	return itest_finish();
}
