// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which context is the iommufd a client hands VFIO_DEVICE_BIND_IOMMUFD?
 *
 * The daemon holds a copy of the caller's file (pidfd_getfd) and can tell
 * one of its own nodes without asking anybody (own_file(): statx with
 * AT_STATX_DONT_SYNC), but FUSE and CUSE give no way to map a file to the
 * fh of its open except a request made through that file.  So the daemon
 * asks: an ioctl UIOMMUFD_IOC_CTX_SERIAL through the copy, whose argument
 * is a per-daemon random secret; the worker that gets it answers with the
 * context's serial (request.c: before any lock or queue), everybody else
 * gets the ENOTTY of an unknown command.
 *
 * The request goes to ourselves, and a FUSE request can only be aborted by
 * a fatal signal (and only while no worker has read it yet): on a serving
 * thread, with no other worker free to read it (the pool at --max-threads,
 * or the io_uring queue of this CPU whose only thread is us) it would wait
 * for ever.  So it is made by a short-lived process of its own sharing our
 * memory and fd table (clone CLONE_VM | CLONE_FILES, nothing but system
 * calls), steered to another CPU than ours (another ring queue), and
 * SIGKILLed after IDENT_DEADLINE_MS; the serving thread waits on its pidfd
 * with that deadline and says EAGAIN when it passed.  The worker that reads
 * the request answers it at once, so once read it never holds the child.
 */
#include "vfio/device.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/iommufd_private.h"
#include "core/own_files.h"
#include "log.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Long enough for a loaded machine (2 s missed once at load 10 on 2 vCPUs). */
#define IDENT_DEADLINE_MS 5000
#define IDENT_STACK_BYTES (64 * 1024)

static uint64_t ident_secret;
static pthread_once_t ident_once = PTHREAD_ONCE_INIT;

static void ident_secret_init(void)
{
	while (!ident_secret) {
		if (getrandom(&ident_secret, sizeof(ident_secret), 0) !=
		    sizeof(ident_secret)) {
			log_warning("getrandom: %m; BIND_IOMMUFD is refused");
			ident_secret = 0;
			return;
		}
	}
}

uint64_t vfio_ident_secret(void)
{
	pthread_once(&ident_once, ident_secret_init);
	return ident_secret;
}

struct ident_job {
	int fd;
	uint64_t secret;
	bool steer;
	cpu_set_t cpus;
	long result; /* the serial, or -1 */
};

/*
 * The child: system calls only, on a stack of its own in shared memory
 * (so no sanitizer bookkeeping either).  errno, which syscall() sets, is
 * the parent thread's TLS: never read here.
 */
__attribute__((no_sanitize("address", "undefined")))
static int ident_child(void *arg)
{
	struct ident_job *j = arg;
	long r;

	if (j->steer)
		syscall(SYS_sched_setaffinity, 0, sizeof(j->cpus), &j->cpus);
	r = syscall(SYS_ioctl, j->fd, (unsigned long)UIOMMUFD_IOC_CTX_SERIAL,
		    (unsigned long)j->secret);
	__atomic_store_n(&j->result, r, __ATOMIC_RELEASE);
	syscall(SYS_exit, 0);
	return 0;
}

/* Every CPU we may run on but the current one (false: no other). */
static bool ident_other_cpus(cpu_set_t *set)
{
	int cpu = sched_getcpu();

	if (sched_getaffinity(0, sizeof(*set), set) || cpu < 0)
		return false;
	CPU_CLR(cpu, set);
	return CPU_COUNT(set) > 0;
}

/* The serial the file's open answers, 0 when it answers none. */
static int ident_ask(int fd, uint32_t *serial)
{
	struct ident_job *j = calloc(1, sizeof(*j));
	char *stack = malloc(IDENT_STACK_BYTES);
	int pidfd = -1, rc = 0;
	siginfo_t si;
	pid_t pid;

	if (!j || !stack) {
		free(j);
		free(stack);
		return -ENOMEM;
	}
	j->fd = fd;
	j->secret = vfio_ident_secret();
	j->result = -1;
	j->steer = ident_other_cpus(&j->cpus);
	pid = clone(ident_child, stack + IDENT_STACK_BYTES,
		    CLONE_VM | CLONE_FILES | CLONE_PIDFD, j, &pidfd);
	if (pid < 0) {
		rc = errno == ENOMEM || errno == EAGAIN ? -ENOMEM : -EAGAIN;
		goto out;
	}
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, IDENT_DEADLINE_MS);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		/* Unread by any worker: the fatal signal aborts the request. */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		rc = -EAGAIN;
		log_warning("BIND_IOMMUFD: no worker answered the daemon's own request within %d ms",
			    IDENT_DEADLINE_MS);
	}
	/* The stack is ours again only once the child is gone. */
	while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 &&
	       errno == EINTR)
		;
	close(pidfd);
	if (!rc) {
		long r = __atomic_load_n(&j->result, __ATOMIC_ACQUIRE);

		*serial = r > 0 && r <= 0x7fffffff ? (uint32_t)r : 0;
	}
out:
	free(stack);
	free(j);
	return rc;
}

int vfio_ident_ctx_from_file(struct iommufd_daemon *d, int fd,
			     struct iommufd_ctx **out)
{
	uint32_t serial = 0;
	int rc;

	/* Not a file of ours: never an iommufd of this daemon. */
	if (!own_file(fd) || !vfio_ident_secret())
		return -EBADFD;
	rc = ident_ask(fd, &serial);
	if (rc)
		return rc;
	/* A device node, the mount's directory: ours, but no iommufd. */
	if (!serial)
		return -EBADFD;
	*out = iommufd_ctx_get_by_serial(d, serial);
	return *out ? 0 : -EBADFD;
}
