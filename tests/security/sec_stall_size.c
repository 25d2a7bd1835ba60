// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attacker of stall-size: THREADS threads call IOMMU_IOAS_ALLOC for
 * SECONDS with a size word of 0xffffffff whose tail is zero and readable
 * (a 4 GiB anonymous MAP_NORESERVE region, the struct at its start).  A
 * daemon that checks the tail byte by byte spends seconds per call; the
 * kernel's bound (and ours) answers E2BIG without reading.
 *
 *   sec_stall_size NODE THREADS SECONDS LIMIT
 *
 * Prints one summary line ending in "PASS" when every call returned E2BIG
 * within LIMIT seconds, "FAIL" otherwise, also when a call is still running
 * LIMIT seconds after SECONDS, and exits with 0 or 1.  The exit itself may
 * take long: a thread in a FUSE request the daemon already read cannot be
 * killed before the daemon answers, so callers read the line, not the status.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

#define HUGE_LEN ((size_t)1 << 32)

static int node;
static void *arg;
static double end_at, limit;
static atomic_int running;
static atomic_long calls, bad_calls, slow_calls;
static atomic_int bad_errno;
static _Atomic double worst;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *attack(void *unused)
{
	(void)unused;
	while (now() < end_at) {
		double t0 = now(), dt;
		long rc = itest_ioctl(node, IOMMU_IOAS_ALLOC, arg);

		dt = now() - t0;
		calls++;
		if (dt > worst)
			worst = dt;
		if (dt > limit)
			slow_calls++;
		if (rc != -E2BIG) {
			bad_calls++;
			bad_errno = (int)-rc;
		}
	}
	running--;
	return NULL;
}

int main(int argc, char **argv)
{
	struct iommu_ioas_alloc *cmd;
	int threads, i;
	pthread_t t;
	double stop;

	if (argc != 5)
		return 2;
	threads = atoi(argv[2]);
	limit = atof(argv[4]);
	node = open(argv[1], O_RDWR | O_CLOEXEC);
	if (node < 0) {
		perror(argv[1]);
		return 1;
	}
	/* The struct plus a zero tail reaching 0xffffffff bytes. */
	arg = mmap(NULL, HUGE_LEN + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arg == MAP_FAILED) {
		perror("mmap 4 GiB");
		return 1;
	}
	cmd = arg;
	cmd->size = 0xffffffffu;
	end_at = now() + atof(argv[3]);
	running = threads;
	for (i = 0; i < threads; i++)
		if (pthread_create(&t, NULL, attack, NULL) == 0)
			pthread_detach(t);
		else
			running--;
	stop = end_at + limit;
	while (running > 0 && now() < stop)
		usleep(20000);
	i = running || bad_calls || slow_calls || !calls;
	printf("attacker: %ld calls, %ld not E2BIG (last errno %d), %ld over %.1f s, slowest %.2f s, %d still in a call: %s\n",
	       (long)calls, (long)bad_calls, (int)bad_errno, (long)slow_calls,
	       limit, (double)worst, (int)running, i ? "FAIL" : "PASS");
	fflush(stdout);
	_exit(i);
}
