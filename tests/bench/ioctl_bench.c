// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl_bench: time iommufd-style ioctls on a /dev/iommu-like node.
 *
 * usage: ioctl_bench PATH [--iters N] [--warmup N]
 *                         [--cmd empty|alloc-destroy|minimal] [--label LABEL]
 *
 *   empty          ioctl(fd, _IO(';', 0x80 + 0x7f), &buf) with a 16-byte buf
 *                  whose first u32 is 16: a command number iommufd does not
 *                  define, for floor_server, which answers anything
 *   alloc-destroy  IOMMU_IOAS_ALLOC then IOMMU_DESTROY of the returned id;
 *                  one sample is the pair
 *   minimal        IOMMU_IOAS_IOVA_RANGES on an ID that does not exist: a
 *                  daemon reads the argument and fails it with ENOENT (the
 *                  cheapest call that reads its argument); floor_server
 *                  answers it like any other, so both can be timed
 *
 * Each sample is timed on its own with CLOCK_MONOTONIC so the median is
 * available (TCG guests have long, erratic tails that a mean alone hides).
 * Output: a human line, then
 *   RESULT <label> <iters> <mean_us> <median_us>
 * Exit status 0, or 1 as soon as any ioctl fails (the failure is printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "uiommufd/abi.h"

/* A command number iommufd leaves unused (the last one _IOC_NR allows above
 * the base): floor_server answers it, a real daemon fails it with ENOTTY. */
#define BENCH_IOMMU_EMPTY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 0x7f)

/* floor_server --arg retry|pvm copies 16 bytes at arg: the buffer must be
 * that big, and its size field says so to a real daemon */
struct bench_empty {
	uint32_t size;
	uint32_t pad[3];
};

enum bench_cmd { CMD_EMPTY, CMD_ALLOC_DESTROY, CMD_MINIMAL };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One sample.  Returns 0 or a negative errno; *what names the failing call. */
static int one_sample(int fd, enum bench_cmd cmd, const char **what)
{
	if (cmd == CMD_EMPTY) {
		struct bench_empty e = { .size = sizeof(e) };

		*what = "empty ioctl";
		return ioctl(fd, BENCH_IOMMU_EMPTY, &e) < 0 ? -errno : 0;
	}
	if (cmd == CMD_MINIMAL) {
		struct iommu_ioas_iova_ranges r = {
			.size = sizeof(r),
			.ioas_id = 0xfffffff0u,
		};

		*what = "IOMMU_IOAS_IOVA_RANGES on a missing ID";
		return ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == 0 || errno == ENOENT ?
			0 : -errno;
	}

	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };

	*what = "IOMMU_IOAS_ALLOC";
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &a) < 0)
		return -errno;
	d.id = a.out_ioas_id;
	*what = "IOMMU_DESTROY";
	return ioctl(fd, IOMMU_DESTROY, &d) < 0 ? -errno : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Parse a count >= min; returns it, or -EINVAL. */
static long parse_count(const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min)
		return -EINVAL;
	return v;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ioctl_bench PATH [--iters N] [--warmup N] "
		   "[--cmd empty|alloc-destroy|minimal] [--label LABEL]\n");
}

int main(int argc, char **argv)
{
	const char *path = NULL, *label = NULL, *what = "";
	enum bench_cmd cmd = CMD_EMPTY;
	long iters = 10000, warmup = -1; /* -1: pick below */
	uint64_t *ns, sum = 0;
	int fd, err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--iters") && v) {
			if ((iters = parse_count(v, 1)) < 0) {
				fprintf(stderr, "ioctl_bench: bad --iters %s\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--warmup") && v) {
			if ((warmup = parse_count(v, 0)) < 0) {
				fprintf(stderr, "ioctl_bench: bad --warmup %s\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--cmd") && v) {
			if (!strcmp(v, "empty"))
				cmd = CMD_EMPTY;
			else if (!strcmp(v, "alloc-destroy"))
				cmd = CMD_ALLOC_DESTROY;
			else if (!strcmp(v, "minimal"))
				cmd = CMD_MINIMAL;
			else {
				fprintf(stderr, "ioctl_bench: --cmd empty|alloc-destroy|minimal\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--label") && v) {
			label = v;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] != '-' && !path) {
			path = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	if (!label)
		label = cmd == CMD_EMPTY ? "empty" :
			cmd == CMD_MINIMAL ? "minimal" : "alloc-destroy";
	/* warm caches, fault in the server's stacks, wake its threads */
	if (warmup < 0)
		warmup = iters / 10 < 100 ? iters / 10 : 100;

	ns = calloc((size_t)iters, sizeof(*ns));
	if (!ns) {
		perror("ioctl_bench: calloc");
		return 1;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ioctl_bench: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (long i = 0; i < warmup; i++) {
		err = one_sample(fd, cmd, &what);
		if (err) {
			fprintf(stderr, "ioctl_bench: %s: %s (warm-up %ld)\n", what, strerror(-err), i);
			return 1;
		}
	}
	for (long i = 0; i < iters; i++) {
		uint64_t t0 = now_ns();

		err = one_sample(fd, cmd, &what);
		ns[i] = now_ns() - t0;
		if (err) {
			fprintf(stderr, "ioctl_bench: %s: %s (iteration %ld)\n", what, strerror(-err), i);
			return 1;
		}
		sum += ns[i];
	}
	close(fd);

	qsort(ns, (size_t)iters, sizeof(*ns), cmp_u64);
	double mean = (double)sum / (double)iters / 1e3;
	double median = (iters % 2 ? (double)ns[iters / 2]
			 : ((double)ns[iters / 2 - 1] + (double)ns[iters / 2]) / 2) / 1e3;
	double p99 = (double)ns[(size_t)((double)(iters - 1) * 0.99)] / 1e3;

	printf("%s: %ld %s on %s: mean %.2f us, median %.2f us, min %.2f, p99 %.2f, max %.2f us\n",
	       label, iters, cmd == CMD_ALLOC_DESTROY ? "ALLOC+DESTROY pairs" : "ioctls", path,
	       mean, median, (double)ns[0] / 1e3, p99, (double)ns[iters - 1] / 1e3);
	printf("RESULT %s %ld %.2f %.2f\n", label, iters, mean, median);
	free(ns);
	return 0;
}
