// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attacker of stall-fuse: maps FILE (the hang_fuse bait, whose READ is
 * never answered) and, from THREADS threads each with its own context on
 * NODE, calls IOMMU_IOAS_ALLOC with the argument pointer inside that
 * mapping.  Whoever reads the argument faults on the bait and waits for
 * ever; the calls never return while the FUSE server lives.
 *
 *   sec_stall_fuse NODE FILE THREADS
 *
 * Prints "started" once every thread is about to call, then sleeps until
 * killed.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

static void *bait;

static void *attack(void *arg)
{
	int node = (int)(intptr_t)arg;
	long rc = itest_ioctl(node, IOMMU_IOAS_ALLOC, bait);

	/* Only once the FUSE server is gone. */
	printf("attacker: a call returned %ld\n", rc);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads, i, fd = -1;
	pthread_t t;

	if (argc != 4)
		return 2;
	threads = atoi(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The server may still be mounting. */
	for (i = 0; i < 100 && fd < 0; i++) {
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			usleep(50000);
	}
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	bait = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (bait == MAP_FAILED) {
		perror("mmap bait");
		return 1;
	}
	for (i = 0; i < threads; i++) {
		int node = open(argv[1], O_RDWR | O_CLOEXEC);

		if (node < 0) {
			perror(argv[1]);
			return 1;
		}
		if (pthread_create(&t, NULL, attack, (void *)(intptr_t)node))
			return 1;
	}
	printf("started\n");
	for (;;)
		pause();
}
