// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The small clients of sec-access-nodes (attack class 6):
 *   sec_node_client open NODE     open NODE O_RDWR; prints "opened" or the
 *                                 errno's name; exit 0 when it opened
 *   sec_node_client access NODE   IOAS_ALLOC + CREATE_ACCESS (under
 *                                 uiommufd-exec); exit 0 when both worked
 *   sec_node_client memlock NODE  with RLIMIT_MEMLOCK L (2 MiB or more,
 *                                 finite) and no CAP_IPC_LOCK: a 1 MiB pin
 *                                 must work, L more on top must be ENOMEM
 */
#include <sys/mman.h>
#include <sys/resource.h>

#include "sec_ops.h"

#define MiB (1024ul * 1024)

/* A writeable IOAS_MAP (pinned at once: the IOAS has a domain) of len
 * bytes of a fresh shared memfd. */
static long pin_memfd(int fd, uint32_t ioas, size_t len, uint64_t iova)
{
	int mfd = memfd_create("sec-pin", MFD_CLOEXEC);
	void *p;

	sec_need(mfd >= 0 && ftruncate(mfd, (off_t)len) == 0, "memfd");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	sec_need(p != MAP_FAILED, "mmap memfd");
	close(mfd);
	return itest_map_fixed(fd, ioas, SEC_MAP_RW, p, len, iova);
}

static int memlock(int fd)
{
	uint32_t ioas = sec_ioas_with_domain(fd);
	struct rlimit rl;
	long rc;

	sec_need(getrlimit(RLIMIT_MEMLOCK, &rl) == 0, "getrlimit");
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < 2 * MiB) {
		printf("FAIL: setup: RLIMIT_MEMLOCK must be finite and at least 2 MiB\n");
		return 1;
	}
	rc = pin_memfd(fd, ioas, MiB, SEC_IOVA);
	sec_say(rc == 0, "a 1 MiB pin within the caller's RLIMIT_MEMLOCK of %llu MiB: %s",
		(unsigned long long)(rl.rlim_cur / MiB), sec_err(rc));
	rc = pin_memfd(fd, ioas, rl.rlim_cur & ~(MiB - 1), SEC_IOVA + 2 * MiB);
	sec_say(rc == -ENOMEM, "%llu MiB more, over the limit: %s (want ENOMEM)",
		(unsigned long long)(rl.rlim_cur / MiB), sec_err(rc));
	return sec_failed;
}

int main(int argc, char **argv)
{
	uint32_t ioas;
	int fd, afd;
	long rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s open|access|memlock NODE\n", argv[0]);
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (!strcmp(argv[1], "open")) {
		printf("%s\n", fd >= 0 ? "opened" : strerrorname_np(errno));
		return fd < 0;
	}
	sec_need(fd >= 0, argv[2]);
	if (!strcmp(argv[1], "memlock"))
		return memlock(fd);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	rc = sec_create_access(fd, ioas, &afd);
	sec_say(rc == 0, "CREATE_ACCESS under uiommufd-exec: %s", sec_err(rc));
	return sec_failed;
}
