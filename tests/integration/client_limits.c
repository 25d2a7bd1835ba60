// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's per-user limits (--max-user-memory, --max-contexts-per-user)
 * seen from a client: IOAS_MAP fails with ENOMEM after a bounded number of
 * areas, UNMAP gives the budget back, and opens beyond the context limit
 * fail with ENOMEM.
 *
 *   client_limits NODE MAX_USER_MEMORY_BYTES MAX_CONTEXTS_PER_USER
 *
 * The daemon must run with exactly those two options; this client must be
 * the only user of its uid on the node.
 */
#include "itest.h"

#define PS 4096u
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
/* The daemon's charge per area (daemon/core/io_pagetable.h). */
#define AREA_CHARGE 128u

static unsigned long max_bytes, max_contexts;

/* Maps one page at fresh IOVAs until the daemon says no; returns the count. */
static unsigned long map_until_refused(int fd, uint32_t ioas, void *page,
				       long *last_rc)
{
	unsigned long n = 0, cap = max_bytes / AREA_CHARGE + 16;
	long rc = 0;

	while (n < cap) {
		rc = itest_map_fixed(fd, ioas, MAP_RW, page, PS,
				     (uint64_t)(n + 1) * 2 * PS);
		if (rc)
			break;
		n++;
	}
	*last_rc = rc;
	return n;
}

static void areas_bounded_and_given_back(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd);
	void *page = itest_shared_buf(PS);
	unsigned long first, second;
	uint64_t unmapped;
	long rc;

	first = map_until_refused(fd, ioas, page, &rc);
	CHECK_RC(rc, -ENOMEM);
	/* The context and the IOAS take a little; areas take the rest. */
	CHECK(first <= max_bytes / AREA_CHARGE);
	CHECK(first >= max_bytes / AREA_CHARGE / 2);
	/* Other ioctls still work at the limit. */
	CHECK_RC(itest_unmap(fd, ioas, 2 * PS, PS, &unmapped), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, page, PS, 2 * PS), 0);
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	CHECK(unmapped == (uint64_t)first * PS);
	/* All of it came back. */
	second = map_until_refused(fd, ioas, page, &rc);
	CHECK_RC(rc, -ENOMEM);
	CHECK(second == first);
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(page, PS);
	close(fd);
}

/*
 * FUSE sends RELEASE after close(2) has returned, so a context just closed
 * (by this test or the one before) may still count for a moment: an open
 * refused with ENOMEM is tried again, for up to 5 s.
 */
static int open_after_releases(void)
{
	for (int tries = 0;; tries++) {
		int fd = open(itest_node, O_RDWR | O_CLOEXEC);

		if (fd >= 0 || errno != ENOMEM || tries == 5000)
			return fd;
		usleep(1000);
	}
}

static void contexts_bounded(void)
{
	int fds[64], extra;
	unsigned long n;

	if (max_contexts >= 64) {
		fprintf(stderr, "contexts_bounded needs a limit below 64\n");
		CHECK(0);
		return;
	}
	for (n = 0; n < max_contexts; n++) {
		fds[n] = open_after_releases();
		CHECK(fds[n] >= 0);
	}
	extra = open(itest_node, O_RDWR | O_CLOEXEC);
	CHECK(extra < 0 && errno == ENOMEM);
	if (extra >= 0)
		close(extra);
	/* A closed context gives its slot back. */
	close(fds[0]);
	fds[0] = open_after_releases();
	CHECK(fds[0] >= 0);
	for (n = 0; n < max_contexts; n++)
		if (fds[n] >= 0)
			close(fds[n]);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s NODE MAX_USER_MEMORY MAX_CONTEXTS\n",
			argv[0]);
		return 2;
	}
	itest_init(argc, argv);
	max_bytes = strtoul(argv[2], NULL, 0);
	max_contexts = strtoul(argv[3], NULL, 0);
	RUN(areas_bounded_and_given_back);
	RUN(contexts_bounded);
	return itest_finish();
}
