// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD into an unchanged client: every ioctl() the client makes on
 * the daemon's FUSE mount is first swept, as the kernel's iommufd_fail_nth
 * sweeps its calls: for N = 1, 2, ... the daemon (a -Dfault_injection=true
 * build) is armed to fail the Nth allocation or syscall of the call, the
 * call is made, and, when the failure fired, the shim checks that
 *  1. the call failed with an errno the kernel could give for it
 *     (fault_errno.c: the allowed set per command, and why);
 *  2. the daemon still serves (the snapshot after it is an ioctl);
 *  3. the state is exactly as before: objects, areas, pins, accounting
 *     (the "strict" part of the snapshot), and the heap bytes and
 *     descriptors (the "warm" part) once caches are warm: the same failure
 *     is made twice and the second must leave exactly what the first did.
 * The first N whose failure does not fire ran the call unharmed: that is
 * the client's call, and its result goes back to the client.
 *
 * While a sweep runs the daemon serves no other thread (the control
 * ioctl's exclusivity).  Growth of the heap or descriptors is confirmed
 * by sweeping the same N twice more (a close by another process is
 * released while we look; a leak repeats every time).
 *
 * The daemon's node is any FUSE file (the daemon serves the only one a
 * test client opens).  Environment: UIOMMUFD_FAULT_LOG (a file
 * every finding and a per-process summary are appended to),
 * UIOMMUFD_FAULT_PER_CMD (sweep only the first K calls of each command
 * number per process; 0 or unset: all), UIOMMUFD_FAULT_MAX_N (default
 * 2000).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fault_errno.h"
#include "uiommufd/abi_fault.h"

#define SNAP_LEN (1u << 20)
#define ARG_SAVE_MAX 4096u
#define CONFIRM_TRIES 3

int ioctl(int fd, unsigned long req, ...);

static int (*real_ioctl)(int, unsigned long, ...);
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static bool shim_ready, shim_off;
/* statfs(2)'s f_type of a FUSE file system */
#define FUSE_FS_MAGIC 0x65735546
static unsigned int per_cmd, max_n = 2000;
static unsigned int seen[256];
/*
 * Per command number, the points (1-64) whose failure a call absorbed
 * (it succeeded: the prefetch of the struct is point 1 of most calls).
 * That call took effect and cannot be swept further; later calls of the
 * command pass those points and sweep the rest.
 */
static uint64_t absorbed_points[256];
static char *snap[3];
static int log_fd = -1;
/* Per process: calls swept, failure points injected, findings. */
static unsigned long nr_swept, nr_points, nr_findings, nr_absorbed;

static void shim_log(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (write(log_fd >= 0 ? log_fd : 2, line, (size_t)n) < 0)
		return;
}

/* A fork() while another thread sweeps would give the child a held lock. */
static void shim_fork_prepare(void)
{
	pthread_mutex_lock(&shim_lock);
}

static void shim_fork_done(void)
{
	pthread_mutex_unlock(&shim_lock);
}

__attribute__((constructor)) static void shim_atfork(void)
{
	pthread_atfork(shim_fork_prepare, shim_fork_done, shim_fork_done);
}

static void shim_init(void)
{
	const char *s;

	shim_ready = true;
	real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!real_ioctl) {
		shim_off = true;
		return;
	}
	if ((s = getenv("UIOMMUFD_FAULT_PER_CMD")))
		per_cmd = (unsigned int)strtoul(s, NULL, 0);
	if ((s = getenv("UIOMMUFD_FAULT_MAX_N")))
		max_n = (unsigned int)strtoul(s, NULL, 0);
	if ((s = getenv("UIOMMUFD_FAULT_LOG")))
		log_fd = open(s, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	for (int i = 0; i < 3; i++)
		if (!(snap[i] = malloc(SNAP_LEN)))
			shim_off = true;
}

__attribute__((destructor)) static void shim_summary(void)
{
	if (!nr_swept)
		return;
	shim_log("SUMMARY pid %d swept %lu points %lu absorbed %lu findings %lu\n",
		 (int)getpid(), nr_swept, nr_points, nr_absorbed, nr_findings);
}

static int fault_cmd(int fd, struct uiommufd_fault_cmd *c)
{
	c->size = sizeof(*c);
	return real_ioctl(fd, UIOMMUFD_FAULT_CMD, c);
}

static int take_one_snapshot(int fd, char *buf)
{
	struct uiommufd_fault_cmd c = {
		.op = UIOMMUFD_FAULT_SNAPSHOT,
		.buf_uptr = (uintptr_t)buf,
		.buf_len = SNAP_LEN,
	};

	buf[0] = 0;
	return fault_cmd(fd, &c) ? -errno : 0;
}

/*
 * A snapshot the daemon's figures have settled for: the fd-passing job
 * that answered the last call frees its descriptor and memory just after
 * the caller is woken, so a snapshot is taken until two agree.
 */
static int take_snapshot(int fd, char *buf)
{
	static char again[SNAP_LEN];
	int rc = take_one_snapshot(fd, buf);

	for (int i = 0; !rc && i < 20; i++) {
		rc = take_one_snapshot(fd, again);
		if (rc || !strcmp(buf, again))
			break;
		memcpy(buf, again, strlen(again) + 1);
		usleep(1000);
	}
	return rc;
}

/* Reads our own memory without faulting: the client's pointers may be bad. */
static bool safe_copy(void *dst, const void *src, size_t len, bool to_src)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)src, .iov_len = len };
	ssize_t n = to_src ?
		process_vm_writev(getpid(), &local, 1, &remote, 1, 0) :
		process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	return n == (ssize_t)len;
}

/* The part of a snapshot that must never change: up to the "warm:" line. */
static size_t strict_len(const char *s)
{
	const char *w = strstr(s, "\nwarm:");

	return w ? (size_t)(w - s) : strlen(s);
}

static bool strict_same(const char *a, const char *b)
{
	size_t la = strict_len(a);

	return la == strict_len(b) && !memcmp(a, b, la);
}

/* The context's part: up to the "user" line. */
static bool ctx_same(const char *a, const char *b)
{
	const char *ua = strstr(a, "\nuser "), *ub = strstr(b, "\nuser ");
	size_t la = ua ? (size_t)(ua - a) : strlen(a);

	return ub && la == (size_t)(ub - b) && !memcmp(a, b, la);
}

/* Which snapshot differs from snap[0] (1 or 2); 2 vs 1 for growth. */
static int diff_pair;

static void log_diff(const char *what, const char *a, const char *b)
{
	shim_log("  %s before:\n%s\n  %s after:\n%s\n", what, a, what, b);
}

struct attempt {
	int rc, err;
	struct uiommufd_fault_cmd res;
};

/*
 * One armed call; false when the daemon would not arm or report (then
 * the caller just makes the call).
 */
static bool armed_call(int fd, unsigned long req, void *arg, uint64_t n,
		       struct attempt *a)
{
	struct uiommufd_fault_cmd arm = { .op = UIOMMUFD_FAULT_ARM, .nth = n };

	if (fault_cmd(fd, &arm))
		return false;
	a->rc = real_ioctl(fd, req, arg);
	a->err = errno;
	memset(&a->res, 0, sizeof(a->res));
	a->res.op = UIOMMUFD_FAULT_RESULT;
	return fault_cmd(fd, &a->res) == 0;
}

enum verdict { V_CLEAN, V_DONE, V_MISMATCH, V_ERROR };

/*
 * Sweep point n: S0, failing call, S1, the same failing call, S2.
 * V_DONE: the call ran (no failure fired, or one was absorbed): *final
 * holds its result.
 */
static enum verdict sweep_point(int fd, unsigned long req, void *arg,
				const uint8_t *saved, size_t saved_len,
				uint64_t n, struct attempt *final,
				char *why, size_t why_len)
{
	struct attempt a;

	if (take_snapshot(fd, snap[0]))
		return V_ERROR;
	for (int rep = 0; rep < 2; rep++) {
		if (saved_len)
			safe_copy((void *)saved, arg, saved_len, true);
		if (!armed_call(fd, req, arg, n, &a))
			return V_ERROR;
		if (!a.res.out_fired || a.rc >= 0) {
			*final = a;
			if (a.res.out_fired) {
				nr_absorbed++;
				if (n <= 64)
					absorbed_points[_IOC_NR(req)] |= 1ull << (n - 1);
				shim_log("ABSORBED %s point %lu (%s): the call "
					 "succeeded\n", fault_cmd_name(req),
					 (unsigned long)n, a.res.out_what);
			}
			return V_DONE;
		}
		nr_points++;
		*final = a;
		if (take_snapshot(fd, snap[rep + 1])) {
			snprintf(why, why_len, "the daemon stopped serving "
				 "after %s failed", a.res.out_what);
			return V_ERROR;
		}
		if (!strict_same(snap[0], snap[rep + 1])) {
			/*
			 * The context's own part is the call's doing; the
			 * user's and daemon's may be another file's release.
			 */
			snprintf(why, why_len, ctx_same(snap[0], snap[rep + 1]) ?
				 "user or daemon-wide state changed" :
				 "state changed");
			diff_pair = rep + 1;
			return V_MISMATCH;
		}
	}
	diff_pair = 0;
	/*
	 * An fd-passing job frees its listener copy and itself after waking
	 * the caller; on a loaded machine that can take a while: growth is
	 * looked at again after pauses (20 ms doubling, 1.3 s in all: a
	 * worker thread's start or exit on a busy machine is that slow)
	 * before it counts.  A leak stays.
	 */
	for (unsigned int us = 20000; us <= 640000 && strcmp(snap[1], snap[2]);
	     us *= 2) {
		usleep(us);
		if (take_snapshot(fd, snap[2]))
			return V_ERROR;
	}
	if (strcmp(snap[1], snap[2])) {
		long long h1 = 0, h2 = 0;
		unsigned int f1 = 0, f2 = 0;
		const char *w1 = strstr(snap[1], "\nwarm:");
		const char *w2 = strstr(snap[2], "\nwarm:");

		/* Less is another context's release meanwhile: look again. */
		if (w1 && w2 &&
		    sscanf(w1, "\nwarm: heap %lld fds %u", &h1, &f1) == 2 &&
		    sscanf(w2, "\nwarm: heap %lld fds %u", &h2, &f2) == 2 &&
		    h2 <= h1 && f2 <= f1) {
			snprintf(why, why_len, "daemon-wide figures shrank");
			return V_MISMATCH;
		}
		snprintf(why, why_len, "heap bytes or descriptors grow with "
			 "each failure");
		return V_MISMATCH;
	}
	return V_CLEAN;
}

static int sweep(int fd, unsigned long req, void *arg)
{
	const char *name = fault_cmd_name(req);
	uint8_t saved[ARG_SAVE_MAX];
	size_t saved_len = 0;
	uint32_t size_word;
	struct attempt final = { 0 };
	/* errnos the failures gave that the allowed set does not hold */
	int odd_err[8];
	unsigned int nr_odd = 0;
	char odd_what[8][48];
	char why[128];
	unsigned long points_before = nr_points;
	uint64_t n;

	/* Each failure may have written to the struct: give each the same. */
	if ((uintptr_t)arg >= 4096 && safe_copy(&size_word, arg, 4, false) &&
	    size_word >= 4 && size_word <= ARG_SAVE_MAX &&
	    safe_copy(saved, arg, size_word, false))
		saved_len = size_word;
	nr_swept++;
	for (n = 1; n <= max_n; n++) {
		enum verdict v = V_MISMATCH;

		if (n <= 64 && (absorbed_points[_IOC_NR(req)] >> (n - 1)) & 1)
			continue;

		/*
		 * Only growth is confirmed: a changed state is final (the
		 * call cannot be repeated on the state it left).
		 */
		for (int t = 0; t < CONFIRM_TRIES && v == V_MISMATCH &&
				(t == 0 || strcmp(why, "state changed")); t++)
			v = sweep_point(fd, req, arg, saved, saved_len, n,
					&final, why, sizeof(why));
		if (v == V_DONE)
			break;
		if (v == V_MISMATCH && !strcmp(why, "daemon-wide figures shrank"))
			v = V_CLEAN;
		if (v == V_ERROR && !final.res.out_fired) {
			/* Not a fault build, or the node went away: plain call. */
			struct uiommufd_fault_cmd rel = { .op = UIOMMUFD_FAULT_RELEASE };

			fault_cmd(fd, &rel);
			if (saved_len)
				safe_copy(saved, arg, saved_len, true);
			return real_ioctl(fd, req, arg);
		}
		if (v != V_CLEAN) {
			nr_findings++;
			shim_log("FINDING %s point %lu (%s -> %s): %s (call: rc %d %s)\n",
				 name, (unsigned long)n, final.res.out_what,
				 strerrorname_np(final.res.out_errno), why,
				 final.rc, strerrorname_np(final.err));
			if (v == V_MISMATCH && diff_pair)
				log_diff("state", snap[0], snap[diff_pair]);
			else if (v == V_MISMATCH)
				log_diff("state", snap[1], snap[2]);
			if (v == V_ERROR)
				break;
		}
		if (!fault_errno_allowed(req, arg, final.err) && nr_odd < 8) {
			odd_err[nr_odd] = final.err;
			snprintf(odd_what[nr_odd], sizeof(odd_what[0]), "%s#%lu",
				 final.res.out_what, (unsigned long)n);
			nr_odd++;
		}
	}
	if (n > max_n)
		shim_log("NOTE %s: more than %u failure points, sweep cut\n",
			 name, max_n);
	/* An errno the kernel would not give, unless the call gives it anyway. */
	for (unsigned int i = 0; i < nr_odd; i++) {
		if (odd_err[i] == final.err && final.rc < 0)
			continue;
		nr_findings++;
		shim_log("FINDING %s point %s: errno %s, not one the kernel gives "
			 "for it (the call itself: rc %d %s)\n", name, odd_what[i],
			 strerrorname_np(odd_err[i]), final.rc,
			 final.rc < 0 ? strerrorname_np(final.err) : "ok");
	}
	{
		struct uiommufd_fault_cmd rel = { .op = UIOMMUFD_FAULT_RELEASE };

		fault_cmd(fd, &rel);
	}
	/* Per call, not only at exit: a process may end by _exit(). */
	shim_log("SWEPT %s %lu\n", name, nr_points - points_before);
	errno = final.err;
	return final.rc;
}

int ioctl(int fd, unsigned long req, ...)
{
	struct statfs st;
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	pthread_mutex_lock(&shim_lock);
	if (!shim_ready)
		shim_init();
	if (shim_off || req == UIOMMUFD_FAULT_CMD || _IOC_TYPE(req) != ';' ||
	    fstatfs(fd, &st) || st.f_type != FUSE_FS_MAGIC ||
	    (per_cmd && seen[_IOC_NR(req)]++ >= per_cmd) ||
	    fault_cmd_best_effort(req, arg)) {
		pthread_mutex_unlock(&shim_lock);
		return real_ioctl ? real_ioctl(fd, req, arg) :
				    (errno = ENOSYS, -1);
	}
	rc = sweep(fd, req, arg);
	pthread_mutex_unlock(&shim_lock);
	return rc;
}
