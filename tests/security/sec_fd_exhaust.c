// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The programs of fd-exhaust.
 *
 *   sec_fd_exhaust attack NODE
 * The attacker: reads commands on stdin, one a line, and answers each with
 * one line "PHASE ok=N errno=E" (E: the first failure's errno, 0 when none),
 * holding everything it made until stdin ends:
 *   same N         a new context, one memfd, IOAS_MAP_FILE of it N times
 *   many N         a new context, N different memfds, MAP_FILE of each once
 *                  (its own copy closed after the map)
 *   nonpin PATH N  a new context, MAP_FILE of the file PATH (one that can
 *                  never be pinned: ext4, overlayfs) N times
 *   ctx N          open NODE N times
 * No domain is attached, so nothing is pinned: each costs only what the
 * daemon keeps for it.
 *
 *   sec_fd_exhaust legit NODE
 * The legitimate client: a writable MAP_FILE of its own O_RDWR memfd into an
 * IOAS with a mock domain, the domain checked to hold the memfd's bytes.
 * Exit 0 when it all works.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

#define PS 4096
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static const char *node_path;

static int memfd_page(void)
{
	int mfd = memfd_create("sec-fd", MFD_CLOEXEC);

	if (mfd >= 0 && ftruncate(mfd, PS) < 0) {
		close(mfd);
		return -1;
	}
	return mfd;
}

/* A fresh context with one IOAS, or -1. */
static int new_ctx(uint32_t *ioas)
{
	int fd = open(node_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (itest_ioas_alloc(fd, ioas)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void report(const char *phase, long ok, int err)
{
	printf("%s ok=%ld errno=%d\n", phase, ok, err);
	fflush(stdout);
}

/* MAP_FILE of mfd (or of a new memfd each time when mfd < 0) n times. */
static void map_files(const char *phase, int mfd, long n)
{
	uint32_t ioas;
	int fd = new_ctx(&ioas), err = 0;
	long ok = 0;

	if (fd < 0) {
		report(phase, 0, errno);
		return;
	}
	for (long i = 0; i < n; i++) {
		int f = mfd >= 0 ? mfd : memfd_page();
		uint64_t iova = 0;
		long rc;

		if (f < 0) {
			err = errno;
			break;
		}
		rc = itest_map_file(fd, ioas, MAP_RW, f, 0, PS, &iova);
		if (f != mfd)
			close(f);
		if (rc) {
			err = (int)-rc;
			break;
		}
		ok++;
	}
	report(phase, ok, err);
}

static void open_contexts(long n)
{
	int err = 0;
	long ok = 0;

	for (; ok < n; ok++)
		if (open(node_path, O_RDWR | O_CLOEXEC) < 0) {
			err = errno;
			break;
		}
	report("ctx", ok, err);
}

static int attack(void)
{
	char line[4096], path[4096];
	struct rlimit rl;
	long n;

	/* Room for the contexts: the attacker's own limit is not the point. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "same %ld", &n) == 1) {
			int mfd = memfd_page();

			if (mfd < 0)
				report("same", 0, errno);
			else
				map_files("same", mfd, n);
		} else if (sscanf(line, "many %ld", &n) == 1) {
			map_files("many", -1, n);
		} else if (sscanf(line, "nonpin %4095s %ld", path, &n) == 2) {
			int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

			if (f < 0 || ftruncate(f, PS) < 0)
				report("nonpin", 0, errno);
			else
				map_files("nonpin", f, n);
		} else if (sscanf(line, "ctx %ld", &n) == 1) {
			open_contexts(n);
		} else {
			report("unknown", 0, EINVAL);
		}
	}
	return 0;
}

static int legit(void)
{
	uint32_t ioas, stdev, hwpt;
	uint64_t iova = 0;
	int fd = new_ctx(&ioas), mfd = memfd_page();
	uint8_t *p;

	if (fd < 0 || mfd < 0) {
		perror("legit: open");
		return 1;
	}
	p = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED)
		return 1;
	memset(p, 0x5a, PS);
	if (itest_mock_domain(fd, ioas, &stdev, &hwpt, NULL)) {
		perror("legit: mock domain");
		return 1;
	}
	if (itest_map_file(fd, ioas, MAP_RW, mfd, 0, PS, &iova)) {
		perror("legit: IOAS_MAP_FILE of an O_RDWR memfd");
		return 1;
	}
	if (itest_check_map(fd, hwpt, iova, p, PS)) {
		perror("legit: the domain does not hold the memfd");
		return 1;
	}
	if (itest_unmap(fd, ioas, iova, PS, NULL) ||
	    itest_destroy(fd, stdev) || itest_destroy(fd, ioas)) {
		perror("legit: unmap/destroy");
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	node_path = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "attack"))
		return attack();
	if (!strcmp(argv[1], "legit"))
		return legit();
	return 2;
}
