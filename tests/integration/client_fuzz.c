// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random op sequences with hostile arguments: random command numbers near
 * iommufd's and VFIO's, random sizes, IDs, IOVAs, lengths, flags and
 * pointers (valid, unmapped, read-only, straddling a guard page), from
 * several processes at once, some of which die mid-sequence.  The checks
 * are the brief's promises for bad input: every call returns (SIGALRM
 * would end the client), errors are plain errnos, and afterwards the daemon
 * still serves a fresh context exactly as before.  Run under the sanitizer
 * build, this is also how memory errors on error paths get caught.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fuzz_mix.h"
#include "itest.h"

static void checked_call(int fd)
{
	unsigned long cmd;
	long rc = one_call(fd, &cmd);

	/*
	 * ENOTCONN means the daemon went away.  EIO is FUSE refusing a
	 * malformed reply, except from the self-test's check ops, whose
	 * "mismatch" answer it is.
	 */
	if (rc == -ENOTCONN || rc == -ECONNABORTED ||
	    (rc == -EIO && cmd != IOMMU_TEST_CMD)) {
		fprintf(stderr, "cmd 0x%lx: daemon connection lost or bad reply: %s\n",
			cmd, strerror((int)-rc));
		exit(3);
	}
}

static void worker(uint64_t seed, int calls, int die)
{
	int fd = itest_open();

	fuzz_arena_unshare();
	rng = seed;
	for (int i = 0; i < calls; i++) {
		/* A call that does not return within 20 s is a hang. */
		alarm(20);
		if (rnd() % 50 == 0) {
			close(fd);
			fd = itest_open();
		}
		if (rnd() % 3 == 0)
			structured_call(fd);
		else
			checked_call(fd);
		if (die && i == calls / 2)
			raise(SIGKILL);
	}
	close(fd);
	exit(0);
}

static void random_sequences(void)
{
	/* UIOMMUFD_FUZZ_SEED explores other sequences; CI uses the default. */
	const char *env = getenv("UIOMMUFD_FUZZ_SEED");
	uint64_t base = env ? strtoull(env, NULL, 0) : 1;
	/* UIOMMUFD_FUZZ_CALLS: fewer where every call is slow (TCG guest). */
	const char *n = getenv("UIOMMUFD_FUZZ_CALLS");
	int calls = n ? atoi(n) : 20000;
	int procs = 6, status;

	for (int p = 0; p < procs; p++)
		if (fork() == 0)
			worker(0x9e3779b97f4a7c15ull * (base * 8 + p + 1), calls, p % 3 == 2);
	for (int p = 0; p < procs; p++) {
		wait(&status);
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			fprintf(stderr, "worker killed by signal %d%s\n", WTERMSIG(status),
				WTERMSIG(status) == SIGALRM ? " (a call hung)" : "");
		CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		      (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
	}
}

static void still_serving(void)
{
	int fd = itest_open();
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };

	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, &a), 0);
	CHECK(a.out_ioas_id == 1);
	d.id = a.out_ioas_id;
	CHECK_RC(itest_ioctl(fd, IOMMU_DESTROY, &d), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_DESTROY, &d), -ENOENT);
	close(fd);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	if (fuzz_arena_init())
		return 1;
	RUN(random_sequences);
	RUN(still_serving);
	return itest_finish();
}
