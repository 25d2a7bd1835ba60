// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reliability tests' clients (tests/reliability/ scripts).  Run as root;
 * every client it forks drops to an unprivileged uid first, as a user's
 * program would be.  Three modes:
 *
 *   storm NODE TOTAL PARALLEL MIB UID0 NUIDS SEED MEMLOCK
 *	TOTAL clients, PARALLEL at once, each mapping MIB MiB of shared
 *	memory into an IOAS with a mock domain (so the map pins) and
 *	unmapping it, over and over; each is SIGKILLed at a random point of
 *	one of its first IOAS_MAP calls.  Each has RLIMIT_MEMLOCK MEMLOCK
 *	bytes, or with MEMLOCK 0 the machine's and CAP_IPC_LOCK (pins not
 *	charged: where root cannot raise the hard limit).  Prints one
 *	"storm ..." line.
 *
 *   hold NODE MIB SECONDS
 *	One client (the caller's uid) mapping and unmapping MIB MiB with a
 *	domain, and allocating IOAS between, until an ioctl fails; then says
 *	which errno that call, a later call on the same fd and a new open
 *	got, and exits 0.  Exits 1 when nothing failed within SECONDS.  The
 *	daemon-death test kills the daemon under several of these.
 *
 *   soak NODE PROCS OPS SECONDS UID0 NUIDS SEED
 *	PROCS processes of the fuzz clients' op mix (fuzz_mix.h), OPS calls
 *	each or until SECONDS pass; every result is checked against the
 *	errnos the kernel's iommufd gives.  Prints one "soak ..." line and
 *	the errno histogram.
 *
 * Exit status: 0 when the mode's checks held, 1 otherwise, 2 for usage.
 */
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "../integration/fuzz_mix.h"
#include "../integration/itest_ops.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000u),
			       .tv_nsec = (long)(us % 1000000u) * 1000 };

	nanosleep(&ts, NULL);
}

/* Shared anonymous memory for counters the children and the parent see. */
static void *shared_zeroed(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/*
 * Become uid (and gid uid, no groups) with memlock bytes (0: as it is) of
 * RLIMIT_MEMLOCK and no capability, or only CAP_IPC_LOCK when ipc_lock
 * (then the daemon charges its pins to nobody, as the kernel does).
 * Dumpable again afterwards, as after an exec: the daemon reaches a
 * client's memory as it would any user program's.
 */
static void become_user(uid_t uid, uint64_t memlock, bool ipc_lock)
{
	struct rlimit rl = { memlock, memlock };
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if ((memlock && setrlimit(RLIMIT_MEMLOCK, &rl)) || setgroups(0, NULL) ||
	    prctl(PR_SET_KEEPCAPS, ipc_lock ? 1 : 0, 0, 0, 0) ||
	    setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
		perror("become_user");
		_exit(1);
	}
	if (ipc_lock) {
		data[0].effective = data[0].permitted = 1u << CAP_IPC_LOCK;
		if (syscall(SYS_capset, &hdr, data)) {
			perror("capset");
			_exit(1);
		}
	}
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* ---- storm ------------------------------------------------------------- */

enum slot_state { SLOT_STARTING, SLOT_IN_MAP, SLOT_MAPPED, SLOT_IN_UNMAP,
		  SLOT_FAILED };

struct storm_slot {
	_Atomic int state;
	_Atomic unsigned int maps_started;
	_Atomic int err;	/* errno of a failed call */
	_Atomic int failed_op;	/* 1 setup, 2 map, 3 unmap */
};

/* Completed maps' durations, for where in a map to kill. */
struct storm_shared {
	_Atomic uint64_t map_us_sum;
	_Atomic uint64_t maps_done;
	struct storm_slot slot[];
};

static void storm_child(const char *node, struct storm_shared *sh,
			struct storm_slot *slot, uint64_t len)
{
	uint32_t ioas;
	void *buf;
	int fd;

	fd = open(node, O_RDWR | O_CLOEXEC);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || buf == MAP_FAILED || itest_ioas_alloc(fd, &ioas) ||
	    itest_mock_domain(fd, ioas, NULL, NULL, NULL)) {
		slot->err = errno;
		slot->failed_op = 1;
		slot->state = SLOT_FAILED;
		_exit(1);
	}
	for (;;) {
		uint64_t t0 = now_us();
		long rc;

		slot->state = SLOT_IN_MAP;
		slot->maps_started++;
		rc = itest_map_fixed(fd, ioas, IOMMU_IOAS_MAP_READABLE |
				     IOMMU_IOAS_MAP_WRITEABLE, buf, len,
				     MOCK_APERTURE_START);
		if (rc) {
			slot->err = (int)-rc;
			slot->failed_op = 2;
			slot->state = SLOT_FAILED;
			_exit(1);
		}
		sh->map_us_sum += now_us() - t0;
		sh->maps_done++;
		slot->state = SLOT_MAPPED;
		slot->state = SLOT_IN_UNMAP;
		rc = itest_unmap(fd, ioas, 0, UINT64_MAX, NULL);
		if (rc) {
			slot->err = (int)-rc;
			slot->failed_op = 3;
			slot->state = SLOT_FAILED;
			_exit(1);
		}
	}
}

struct storm_run {
	pid_t pid;
	unsigned int target_maps; /* kill during the map numbered this (1-based) */
	double frac;		  /* how far into that map */
	uint64_t seen_us;	  /* when that map was seen started, or 0 */
	uint64_t started_us;
};

static int storm(int argc, char **argv)
{
	const char *node = argv[2];
	unsigned int total = (unsigned int)atoi(argv[3]);
	unsigned int parallel = (unsigned int)atoi(argv[4]);
	uint64_t len = (uint64_t)atoi(argv[5]) << 20;
	uid_t uid0 = (uid_t)atoi(argv[6]);
	unsigned int nuids = (unsigned int)atoi(argv[7]);
	uint64_t kill_rng = strtoull(argv[8], NULL, 0) | 1;
	uint64_t memlock = strtoull(argv[9], NULL, 0);
	struct storm_shared *sh;
	struct storm_run *run;
	unsigned int started = 0, done = 0, in_map = 0, outside = 0;
	unsigned int failed = 0, stuck = 0, crashed = 0;
	uint64_t t_begin = now_us();

	if (argc != 10 || !total || !parallel || !len || !nuids)
		return 2;
	sh = shared_zeroed(sizeof(*sh) + parallel * sizeof(sh->slot[0]));
	run = calloc(parallel, sizeof(*run));
	if (!run)
		return 1;
	while (done < total) {
		for (unsigned int i = 0; i < parallel; i++) {
			struct storm_slot *slot = &sh->slot[i];
			struct storm_run *r = &run[i];
			uint64_t t = now_us(), est;
			int status;

			if (!r->pid && started < total) {
				memset(slot, 0, sizeof(*slot));
				r->target_maps = 1 + (unsigned int)(test_rng_next(&kill_rng) % 3);
				/* Short of the average, so that most kills land inside. */
				r->frac = (double)(test_rng_next(&kill_rng) % 800) / 1000.0;
				r->seen_us = 0;
				r->started_us = t;
				r->pid = fork();
				if (r->pid < 0) {
					perror("fork");
					return 1;
				}
				if (!r->pid) {
					become_user(uid0 + started % nuids, memlock, !memlock);
					storm_child(node, sh, slot, len);
				}
				started++;
				continue;
			}
			if (!r->pid)
				continue;
			if (slot->state == SLOT_FAILED ||
			    waitpid(r->pid, &status, WNOHANG) == r->pid) {
				/* Ended by itself: a failed call or a crash. */
				if (slot->state == SLOT_FAILED) {
					failed++;
					fprintf(stderr, "storm client %u: %s failed: %s\n",
						done, slot->failed_op == 1 ? "setup" :
						slot->failed_op == 2 ? "IOAS_MAP" : "IOAS_UNMAP",
						strerror(slot->err));
				} else {
					crashed++;
				}
				kill(r->pid, SIGKILL);
				waitpid(r->pid, &status, 0);
				r->pid = 0;
				done++;
				continue;
			}
			/* 60 s without reaching its map: a hang somewhere. */
			if (t - r->started_us > 60000000u) {
				stuck++;
				fprintf(stderr, "storm client %u: no map %u after 60 s (state %d)\n",
					done, r->target_maps, slot->state);
			} else {
				if (slot->state != SLOT_IN_MAP ||
				    slot->maps_started < r->target_maps)
					continue;
				if (!r->seen_us)
					r->seen_us = t;
				est = sh->maps_done ? sh->map_us_sum / sh->maps_done : 20000;
				if (t - r->seen_us < (uint64_t)(r->frac * (double)est))
					continue;
			}
			kill(r->pid, SIGKILL);
			/* Returns once the daemon answered the map under way. */
			waitpid(r->pid, &status, 0);
			if (slot->state == SLOT_IN_MAP &&
			    slot->maps_started == r->target_maps)
				in_map++;
			else
				outside++;
			if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
				crashed++;
			r->pid = 0;
			done++;
		}
		sleep_us(200);
	}
	printf("storm clients=%u parallel=%u mib=%llu killed_in_map=%u killed_after_map=%u failed=%u crashed=%u stuck=%u maps=%llu avg_map_us=%llu seconds=%.1f\n",
	       total, parallel, (unsigned long long)(len >> 20), in_map, outside,
	       failed, crashed, stuck, (unsigned long long)sh->maps_done,
	       (unsigned long long)(sh->maps_done ? sh->map_us_sum / sh->maps_done : 0),
	       (double)(now_us() - t_begin) / 1e6);
	free(run);
	return failed || crashed || stuck ? 1 : 0;
}

/* ---- hold -------------------------------------------------------------- */

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOTCONN: return "ENOTCONN";
	case ECONNABORTED: return "ECONNABORTED";
	case ENODEV: return "ENODEV";
	case EIO: return "EIO";
	case EINTR: return "EINTR";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case EBADFD: return "EBADFD";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "?";
	}
}

static int hold(int argc, char **argv)
{
	uint64_t len, deadline;
	const char *op = "?";
	uint32_t ioas, id;
	int fd, fd2, first = 0, later, reopen;
	void *buf;
	long rc;

	if (argc != 5)
		return 2;
	len = (uint64_t)atoi(argv[3]) << 20;
	deadline = now_us() + (uint64_t)atoi(argv[4]) * 1000000u;
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || buf == MAP_FAILED) {
		perror("hold: setup");
		return 1;
	}
	if (itest_ioas_alloc(fd, &ioas) ||
	    itest_mock_domain(fd, ioas, NULL, NULL, NULL)) {
		perror("hold: IOAS_ALLOC/MOCK_DOMAIN");
		return 1;
	}
	printf("hold ready\n");
	fflush(stdout);
	while (!first && now_us() < deadline) {
		op = "IOAS_MAP";
		rc = itest_map_fixed(fd, ioas, IOMMU_IOAS_MAP_READABLE, buf, len,
				     MOCK_APERTURE_START);
		if (rc)
			break;
		op = "IOAS_ALLOC";
		rc = itest_ioas_alloc(fd, &id);
		if (rc)
			break;
		op = "DESTROY";
		rc = itest_destroy(fd, id);
		if (rc)
			break;
		op = "IOAS_UNMAP";
		rc = itest_unmap(fd, ioas, 0, UINT64_MAX, NULL);
		if (rc)
			break;
	}
	if (now_us() >= deadline) {
		printf("hold no-error\n");
		return 1;
	}
	first = (int)-rc;
	later = (int)-itest_ioas_alloc(fd, &id);
	fd2 = open(argv[2], O_RDWR | O_CLOEXEC);
	reopen = fd2 < 0 ? errno : 0;
	printf("hold first=%s op=%s later=%s open=%s close=%s\n", errname(first),
	       op, errname(later), errname(reopen),
	       close(fd) ? errname(errno) : "0");
	return 0;
}

/* ---- soak -------------------------------------------------------------- */

#define SOAK_ERRNOS 135

struct soak_shared {
	_Atomic uint64_t calls;
	_Atomic uint64_t ok;
	_Atomic uint64_t err[SOAK_ERRNOS];
	_Atomic uint64_t bad;
	_Atomic uint64_t ops;
};

static struct soak_shared *soak_sh;

/*
 * What the kernel's iommufd and VFIO container ioctls answer bad input
 * with.  EIO only from the self-test's check ops (their "mismatch"):
 * elsewhere it is FUSE refusing a reply, i.e. a daemon bug.
 */
static bool kernel_errno(unsigned long cmd, int e)
{
	switch (e) {
	case EINVAL: case ENOENT: case EFAULT: case ENOTTY: case E2BIG:
	case EOPNOTSUPP: case ENOMEM: case ENOSPC: case EBUSY: case EEXIST:
	case EPERM: case EACCES: case EOVERFLOW: case ERANGE: case EDEADLK:
	case EBADF: case ENODEV: case ENXIO: case EAGAIN: case ESRCH:
	/* An alignment an area breaks; not an access fd (self-test). */
	case EADDRINUSE: case EBADFD:
		return true;
	case EIO:
		return cmd == IOMMU_TEST_CMD;
	default:
		return false;
	}
}

static void soak_seen(unsigned long cmd, long rc)
{
	soak_sh->calls++;
	if (rc >= 0) {
		soak_sh->ok++;
		return;
	}
	if (-rc < SOAK_ERRNOS)
		soak_sh->err[-rc]++;
	if (!kernel_errno(cmd, (int)-rc)) {
		/* The first few are worth a line each. */
		if (soak_sh->bad++ < 20)
			fprintf(stderr, "soak: cmd 0x%lx: %s (%s), which the kernel does not give\n",
				cmd, errname((int)-rc), strerror((int)-rc));
	}
}

/* The soak's pins are a few pages: the hard RLIMIT_MEMLOCK is plenty. */
static uint64_t soak_memlock(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_MEMLOCK, &rl) ? 8ull << 20 : rl.rlim_max;
}

static void soak_child(const char *node, uint64_t seed, uint64_t ops,
		       uint64_t deadline)
{
	int fd;

	if (fuzz_arena_init())
		_exit(1);
	fuzz_seen = soak_seen;
	rng = seed;
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("soak: open");
		_exit(1);
	}
	for (uint64_t i = 0; i < ops; i++) {
		unsigned long cmd;

		/* A call that does not return within 60 s is a hang. */
		alarm(60);
		if ((i & 255) == 0 && now_us() >= deadline)
			break;
		if (rnd() % 50 == 0) {
			close(fd);
			fd = open(node, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				perror("soak: reopen");
				_exit(1);
			}
		}
		if (rnd() % 3 == 0)
			structured_call(fd);
		else
			one_call(fd, &cmd);
		soak_sh->ops++;
	}
	close(fd);
	_exit(0);
}

static int soak(int argc, char **argv)
{
	unsigned int procs, nuids, bad_exit = 0;
	uint64_t ops, seed, t0, deadline, secs;
	uid_t uid0;
	double elapsed;
	int status;

	if (argc != 9)
		return 2;
	procs = (unsigned int)atoi(argv[3]);
	ops = strtoull(argv[4], NULL, 0);
	secs = strtoull(argv[5], NULL, 0);
	uid0 = (uid_t)atoi(argv[6]);
	nuids = (unsigned int)atoi(argv[7]);
	seed = strtoull(argv[8], NULL, 0);
	if (!procs || !nuids)
		return 2;
	soak_sh = shared_zeroed(sizeof(*soak_sh));
	t0 = now_us();
	deadline = t0 + secs * 1000000u;
	for (unsigned int p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			become_user(uid0 + p % nuids, soak_memlock(), false);
			soak_child(argv[2], 0x9e3779b97f4a7c15ull * (seed * 256 + p + 1),
				   ops, deadline);
		}
	}
	for (unsigned int p = 0; p < procs; p++) {
		if (wait(&status) < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			bad_exit++;
			if (WIFSIGNALED(status))
				fprintf(stderr, "soak: a client died of signal %d%s\n",
					WTERMSIG(status), WTERMSIG(status) == SIGALRM ?
					" (a call hung)" : "");
		}
	}
	elapsed = (double)(now_us() - t0) / 1e6;
	printf("soak procs=%u ops=%llu calls=%llu ok=%llu bad_errnos=%llu bad_exits=%u seconds=%.1f ops_per_s=%.0f calls_per_s=%.0f complete=%s\n",
	       procs, (unsigned long long)soak_sh->ops,
	       (unsigned long long)soak_sh->calls, (unsigned long long)soak_sh->ok,
	       (unsigned long long)soak_sh->bad, bad_exit, elapsed,
	       (double)soak_sh->ops / elapsed, (double)soak_sh->calls / elapsed,
	       soak_sh->ops == ops * procs ? "yes" : "no (time bound)");
	printf("soak errnos:");
	for (int e = 0; e < SOAK_ERRNOS; e++)
		if (soak_sh->err[e])
			printf(" %s=%llu", errname(e), (unsigned long long)soak_sh->err[e]);
	printf("\n");
	return soak_sh->bad || bad_exit ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "storm"))
		return storm(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return hold(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "soak"))
		return soak(argc, argv);
	fprintf(stderr, "usage: %s storm|hold|soak NODE ...\n", argv[0]);
	return 2;
}
