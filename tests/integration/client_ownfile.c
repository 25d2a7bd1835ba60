// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A copy of the daemon's own node handed back to it: an fd of NODE given
 * to IOAS_MAP_FILE.  The daemon takes a copy of it; asking that file's
 * filesystem anything, or closing the copy, talks to the daemon itself
 * (FLUSH, RELEASE, STATFS), which on the thread serving the call waits for
 * another worker.  Run with --threads 1 --max-threads 1 (meson does): if
 * the serving thread did that, there would be none, and the call would
 * never return (SIGALRM ends this client then, and the test fails).
 * Either loop (--loop classic or uring) must pass.
 *
 *   client_ownfile NODE
 */
#include <signal.h>

#include "itest.h"

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static void map_file_of_own_node(void)
{
	int fd = itest_open(), own = itest_open();
	uint32_t ioas = itest_ioas_new(fd), id;
	uint64_t iova = 0;
	long rc;

	/*
	 * No domain: the kernel takes a file it cannot pin and fails only
	 * its pin; the daemon may refuse it at once.  Either way it returns.
	 */
	rc = itest_map_file(fd, ioas, MAP_RW, own, 0, 4096, &iova);
	CHECK(rc == 0 || rc == -EINVAL);
	/* A domain needs the pin now: EINVAL, as memfd_pin_folios() says. */
	if (itest_mock_domain(fd, ioas, NULL, NULL, NULL) == 0) {
		iova = 0;
		CHECK_RC(itest_map_file(fd, ioas, MAP_RW, own, 0, 4096, &iova),
			 -EINVAL);
	}
	/* The daemon still answers, on the same single worker. */
	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	close(own);
	close(fd);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	alarm(20);
	RUN(map_file_of_own_node);
	return itest_finish();
}
