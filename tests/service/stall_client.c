// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client whose ioctls never finish, for the pool and queue tests: the
 * argument lies in a page registered with userfaultfd whose faults nobody
 * resolves, so the daemon's read of it waits (killably) for ever, as it
 * would on a page of a FUSE mount that never answers.
 *
 *   stall_client NODE THREADS [UID [FILE]]
 *
 * With FILE the argument is the first page of FILE, mapped shared and
 * read-only (a file on a FUSE mount that never answers) instead of the
 * userfaultfd page.
 *
 * With UID it sets the page up, then becomes UID (real, effective, saved,
 * groups cleared) before it opens NODE: an unprivileged client whose
 * userfaultfd was made by root, since an unprivileged one would not hold
 * kernel-mode faults (vm.unprivileged_userfaultfd=0).  Opens NODE, starts THREADS threads each calling IOMMU_IOAS_ALLOC with its
 * argument in that page, prints "stalling pid=P" and waits for stdin to
 * close; then it exits (the kernel ends the ioctls with the process).
 * Needs a userfaultfd that handles kernel-mode faults (root, or
 * vm.unprivileged_userfaultfd=1): it prints "skip: ..." and exits 77
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uiommufd/abi.h"

static int node_fd;
static void *stuck_page;

static void *stall(void *arg)
{
	(void)arg;
	ioctl(node_fd, IOMMU_IOAS_ALLOC, stuck_page);
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long page = sysconf(_SC_PAGESIZE);
	char buf[16];
	int uffd, n;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s NODE THREADS [UID [FILE]]\n", argv[0]);
		return 2;
	}
	n = atoi(argv[2]);
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0) {
		printf("skip: userfaultfd: %s\n", strerror(errno));
		return 77;
	}
	stuck_page = mmap(NULL, page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stuck_page == MAP_FAILED)
		return 1;
	reg.range.start = (uintptr_t)stuck_page;
	reg.range.len = page;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		printf("skip: UFFDIO_REGISTER: %s\n", strerror(errno));
		return 77;
	}
	if (argc >= 4) {
		uid_t uid = (uid_t)atoi(argv[3]);

		if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			perror("dropping to UID");
			return 1;
		}
	}
	if (argc == 5) {
		int fd = open(argv[4], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[4]);
			return 1;
		}
		stuck_page = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
		if (stuck_page == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	node_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (node_fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, stall, NULL))
			return 1;
		pthread_detach(t);
	}
	printf("stalling pid=%d\n", (int)getpid());
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}
