// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clients_bench: many clients at once on one /dev/iommu-like node.
 *
 * usage: clients_bench NODE [--clients N] [--seconds S] [--label LABEL]
 *
 * N client processes (default 1) each open NODE, so each has a context of
 * its own, warm up, wait for the others, then make the minimal call for S
 * seconds (default 1): IOMMU_IOAS_IOVA_RANGES on an ID that does not exist,
 * which a daemon reads and fails at once with ENOENT and floor_server
 * answers with 0 (with --arg pvm after copying 16 bytes of it in and out).
 * Nothing is pinned to a CPU: where the clients and the servers' threads
 * run is the scheduler's choice, as it is for real clients.
 *
 * Every call is timed on its own; the samples of all clients are merged for
 * the percentiles, and the throughput is all calls over the time from the
 * common start to the last client's last call.  Output: a human line, then
 *   RESULT <label> <clients> <calls> <seconds> <calls_per_s> <p50_us> <p99_us> <mean_us>
 * Exit status 0, or 1 if a client failed (its error is printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uiommufd/abi.h"

#define MAX_CLIENTS 256
#define WARMUP_CALLS 200
/* Samples kept per client and second: a call takes a microsecond at the
 * very least (two context switches), so this never runs out in practice;
 * if it does, the client stops early and says so. */
#define SAMPLES_PER_SEC 1000000u
#define MISSING_IOAS 0xfffffff0u

/* One client's results, in memory shared with the parent. */
struct client_slot {
	uint64_t calls;
	uint64_t end_ns;	/* when its last call returned */
	int err;		/* positive errno of a failed call, or 0 */
	int full;		/* stopped because its sample buffer was full */
};

/* Shared between the parent and every client. */
struct shared {
	uint64_t start_ns;	/* set by the parent before it lets them go */
	uint64_t stop_ns;
	struct client_slot slot[MAX_CLIENTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The minimal call: 0 for a success or the ENOENT a daemon answers. */
static int minimal_call(int fd)
{
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = MISSING_IOAS,
	};

	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == 0 || errno == ENOENT)
		return 0;
	return errno;
}

/*
 * One client: open, warm up, report ready, wait for the go (the write end
 * of go_fd closing), then call until stop_ns.  Never returns.
 */
static void client(const char *node, unsigned int idx, struct shared *sh,
		   uint32_t *samples, uint64_t max_samples, int ready_fd, int go_fd)
{
	struct client_slot *me = &sh->slot[idx];
	uint64_t n = 0, t0, t1 = 0, stop;
	char c = 1;
	int fd, err = 0;

	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		me->err = errno;
		_exit(1);
	}
	for (int i = 0; i < WARMUP_CALLS && !err; i++)
		err = minimal_call(fd);
	if (err) {
		me->err = err;
		_exit(1);
	}
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	close(ready_fd);
	/* EOF once the parent closes its end: everyone starts together */
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	close(go_fd);
	stop = sh->stop_ns;

	t0 = now_ns();
	while (t0 < stop) {
		err = minimal_call(fd);
		t1 = now_ns();
		if (err)
			break;
		samples[n] = t1 - t0 > UINT32_MAX ? UINT32_MAX : (uint32_t)(t1 - t0);
		if (++n == max_samples) {
			me->full = 1;
			break;
		}
		t0 = t1;
	}
	me->calls = n;
	me->end_ns = t1;
	me->err = err;
	close(fd);
	_exit(err ? 1 : 0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Parse a number >= min (a double, for --seconds); -1 when bad. */
static double parse_num(const char *s, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min)
		return -1;
	return v;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: clients_bench NODE [--clients N] [--seconds S] [--label LABEL]\n");
}

int main(int argc, char **argv)
{
	const char *node = NULL, *label = "clients";
	double seconds = 1, v;
	unsigned int nclients = 1, started = 0;
	uint64_t per_client, total = 0, last_end = 0;
	int ready[2], go[2], failed = 0;
	struct shared *sh;
	uint32_t *samples;
	pid_t pids[MAX_CLIENTS];
	char c;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--clients") && val) {
			v = parse_num(val, 1);
			if (v < 1 || v > MAX_CLIENTS || v != (unsigned int)v) {
				fprintf(stderr, "clients_bench: --clients 1..%d\n", MAX_CLIENTS);
				return 2;
			}
			nclients = (unsigned int)v;
			i++;
		} else if (!strcmp(a, "--seconds") && val) {
			seconds = parse_num(val, 0.01);
			if (seconds < 0 || seconds > 600) {
				fprintf(stderr, "clients_bench: --seconds 0.01..600\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--label") && val) {
			label = val;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] != '-' && !node) {
			node = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!node) {
		usage(stderr);
		return 2;
	}

	per_client = (uint64_t)(seconds * SAMPLES_PER_SEC) + 1;
	/* MAP_NORESERVE: only the pages a client fills are ever touched */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	samples = mmap(NULL, nclients * per_client * sizeof(*samples),
		       PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sh == MAP_FAILED || samples == MAP_FAILED) {
		perror("clients_bench: mmap");
		return 1;
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		perror("clients_bench: pipe2");
		return 1;
	}
	sh->stop_ns = UINT64_MAX;
	for (; started < nclients; started++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("clients_bench: fork");
			break;
		}
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			client(node, started, sh, samples + started * per_client,
			       per_client, ready[1], go[0]);
		}
		pids[started] = pid;
	}
	close(ready[1]);
	close(go[0]);
	/* one byte per client that is ready; EOF early if one died */
	for (unsigned int i = 0; i < started; i++) {
		if (read(ready[0], &c, 1) != 1) {
			failed = 1;
			break;
		}
	}
	if (failed || started < nclients) {
		for (unsigned int i = 0; i < started; i++)
			kill(pids[i], SIGKILL);
		failed = 1;
	}
	sh->start_ns = now_ns();
	sh->stop_ns = sh->start_ns + (uint64_t)(seconds * 1e9);
	close(go[1]);
	for (unsigned int i = 0; i < started; i++)
		waitpid(pids[i], NULL, 0);
	close(ready[0]);

	for (unsigned int i = 0; i < started; i++) {
		struct client_slot *s = &sh->slot[i];

		if (s->err) {
			fprintf(stderr, "clients_bench: client %u: %s\n", i, strerror(s->err));
			failed = 1;
		}
		if (s->full)
			fprintf(stderr, "clients_bench: client %u: sample buffer full, stopped early\n", i);
		/* pack the samples of every client behind each other */
		memmove(samples + total, samples + i * per_client,
			s->calls * sizeof(*samples));
		total += s->calls;
		if (s->end_ns > last_end)
			last_end = s->end_ns;
	}
	if (failed || !total) {
		fprintf(stderr, "clients_bench: %s: no result\n", label);
		return 1;
	}

	double sum = 0;

	for (uint64_t i = 0; i < total; i++)
		sum += samples[i];
	qsort(samples, total, sizeof(*samples), cmp_u32);

	double wall = (double)(last_end - sh->start_ns) / 1e9;
	double rate = (double)total / wall;
	double p50 = samples[total / 2] / 1e3;
	double p99 = samples[(uint64_t)((double)(total - 1) * 0.99)] / 1e3;
	double mean = sum / (double)total / 1e3;

	printf("%s: %u clients on %s, %llu calls in %.3f s: %.0f calls/s, "
	       "p50 %.2f us, p99 %.2f us, mean %.2f us, max %.2f us\n",
	       label, nclients, node, (unsigned long long)total, wall, rate,
	       p50, p99, mean, samples[total - 1] / 1e3);
	printf("RESULT %s %u %llu %.3f %.0f %.2f %.2f %.2f\n", label, nclients,
	       (unsigned long long)total, wall, rate, p50, p99, mean);
	return 0;
}
