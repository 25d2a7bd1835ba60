// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fd passing: giving an ioctl's caller a new file descriptor.
 *
 * Theory of operation
 * -------------------
 * A few iommufd ioctls create a file and install it in the caller's fd
 * table (IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_DMABUF_GET,
 * IOMMU_FAULT_QUEUE_ALLOC, IOMMU_VEVENTQ_ALLOC).  A CUSE/FUSE server only
 * sees a request; it has no way into the caller's fd table.  The one
 * kernel interface that lets another process add an fd to a task in the
 * middle of a system call is seccomp user notification
 * (SECCOMP_IOCTL_NOTIF_ADDFD), and it needs the caller's cooperation: the
 * caller must run under a seccomp filter whose listener the daemon holds.
 *
 * uiommufd-exec (tools/uiommufd-exec.c) sets that up and execs the program:
 * a filter that sends exactly ioctl(2)s with those three command numbers
 * to a listener, everything else allowed, the listener handed to the
 * daemon over a unix socket (SCM_RIGHTS).
 *
 * One thread, the poll thread, accepts launchers, receives notifications
 * and answers the ones it can answer at once.  It never touches anything a
 * client controls: no caller memory, no stat or close of a client's file,
 * no nested ioctl.  Those can wait for ever (a page of the caller's own
 * FUSE file that is never read in, a FLUSH never answered), and this
 * thread is shared by every user.  So:
 *
 *  - a launcher's message is received by a child process (broker.c), which
 *    forwards only a seccomp listener: no other client file ever enters
 *    the daemon's fd table.  One uid has at most FDPASS_CONNS_PER_UID
 *    handshakes open, all uids FDPASS_MAX_CONNS, each for FDPASS_CONN_MS.
 *  - a notification that may return an fd is served by a detached worker
 *    thread of its own (a "job"); at most FDPASS_JOBS_PER_UID per launcher
 *    uid and FDPASS_MAX_JOBS in all run at once, and the poll thread keeps
 *    up to FDPASS_QUEUED_PER_UID (FDPASS_MAX_QUEUED in all) more waiting,
 *    in order, for their uid's next slot.  Beyond that, and for everything
 *    that cannot return an fd, the answer is SECCOMP_USER_NOTIF_FLAG_CONTINUE:
 *    the kernel runs the ioctl through the normal FUSE/CUSE path, which
 *    serves every op but the fd-returning ones (EOPNOTSUPP there, as
 *    without fd passing).  CONTINUE is unfit for security decisions; none
 *    is made here.
 *
 * A job:
 *  1. for IOMMU_TEST_CMD, peeks at the op with process_vm_readv() (a wait
 *     there is killable, unlike one in a /proc/PID/mem read: a stuck peek
 *     never keeps the process from exiting).  The peek goes by number and
 *     only decides whether to go on; a wrong answer (the TID reused) is
 *     thrown away by step 2 or is a harmless CONTINUE.
 *  2. binds the caller's identity (caller_mm.h: its pidfd, /proc/TID/mem
 *     and maps, credentials), THEN confirms with
 *     SECCOMP_IOCTL_NOTIF_ID_VALID that the TID still named the notifying
 *     task when all of that was open.
 *  3. checks that the caller's fd is one of our nodes through
 *     /proc/TID/fd/N (statx, AT_STATX_DONT_SYNC: no request to a FUSE
 *     server), takes a copy with pidfd_getfd() on the bound pidfd (same open
 *     file description, so the same context) and checks the copy again.
 *  4. makes the ioctl itself on that copy.  The front end sees the request
 *     come from the job's thread, claims it (fdpass_claim, matched by
 *     that thread's TID) and serves it with the bound identity: its memory
 *     only through the bound mem fd, never by TID, and a transport whose
 *     install_fd does ADDFD into the waiting caller.  The caller's syscall
 *     is then answered with the ioctl's result, by the job.
 *
 * Filters are installed with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV where
 * the kernel has it (5.19+): once received, a notification is only ended by
 * a fatal signal, so an fd added by ADDFD is never left behind by a syscall
 * that a signal interrupted and restarted.
 *
 * Stop: the poll thread is joined with a deadline; jobs still running are
 * given FDPASS_STOP_MS and then abandoned (they are detached, their state
 * is left allocated, and the process's exit ends them).
 *
 * Limits: at most FDPASS_MAX_LISTENERS launched programs at once (each
 * listener lasts while any process under that filter lives),
 * FDPASS_MAX_LISTENERS_PER_UID of them for one launcher's uid.
 *
 * Rights: pidfd_getfd(), ADDFD and process_vm_* need ptrace rights over the
 * caller (root, CAP_SYS_PTRACE, or the same uid with Yama scope 0), as the
 * default argument transport does.  The socket takes listeners from the
 * daemon's own uid, or from anyone when the daemon runs as root.
 */
#include "fdpass/fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdpass/broker.h"
#include "clock.h"
#include "log.h"
#include "core/iommufd_private.h"
#include "core/caller_mm.h"
#include "core/ucmd.h"
#include "private_socket.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#if defined(__x86_64__)
#define FDPASS_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FDPASS_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "fdpass: add this architecture's AUDIT_ARCH"
#endif

#define FDPASS_MAX_LISTENERS 256
/* So that one user cannot take every slot. */
#define FDPASS_MAX_LISTENERS_PER_UID 16
#define FDPASS_MAX_CONNS 16
#define FDPASS_CONNS_PER_UID 2
/* A launcher sends its listener right after connecting. */
#define FDPASS_CONN_MS 2000
/* Notifications in service (a worker thread each). */
#define FDPASS_MAX_JOBS 64
#define FDPASS_JOBS_PER_UID 4
/* Notifications waiting for a slot, held by the poll thread. */
#define FDPASS_MAX_QUEUED 64
#define FDPASS_QUEUED_PER_UID 16
/* How long the stop waits for the poll thread and then for jobs. */
#define FDPASS_STOP_MS 1000
#define FDPASS_NODES 2

/* One notification in service, owned by its worker thread. */
struct fdpass_job {
	struct fdpass_job *next;
	struct fdpass *fp;
	int listener;		/* a dup: the poll thread may drop its own */
	uid_t owner;		/* the launcher's uid: what the caps count */
	uint64_t own_userns_ino;
	pid_t worker_tid;	/* set by the worker before any ioctl */
	/* Filled while the nested ioctl runs (claimable), under fp->lock. */
	bool claimable;
	uint64_t id;		/* the notification */
	pid_t tid;		/* the caller */
	uid_t uid;
	gid_t gid;
	uint64_t uptr;
	struct caller_mm *mm;	/* bound before ID_VALID confirmed it */
	struct seccomp_notif req;
};

struct fdpass_conn {
	int conn;		/* the launcher */
	int reply;		/* the broker child's answer */
	uid_t uid;		/* SO_PEERCRED */
	pid_t pid;
	uint64_t deadline;	/* ms, CLOCK_MONOTONIC */
};

struct fdpass {
	struct iommufd_daemon *d;
	int sock, stop_fd, broker;
	char path[108];
	pthread_t thread;
	pid_t thread_tid;
	struct stat nodes[FDPASS_NODES];
	unsigned int nr_nodes;
	int listeners[FDPASS_MAX_LISTENERS];
	uid_t listener_uids[FDPASS_MAX_LISTENERS]; /* the launcher's, SO_PEERCRED */
	unsigned int nr_listeners;
	struct fdpass_conn conns[FDPASS_MAX_CONNS];
	unsigned int nr_conns;
	/* Under lock: */
	pthread_mutex_t lock;
	pthread_cond_t jobs_done;
	struct fdpass_job *jobs;
	unsigned int nr_jobs;
	int wake_fd;		/* a job ended: start queued ones */
	/* Poll thread only: */
	struct fdpass_job *queue, **queue_tail;
	unsigned int nr_queued;
	bool stopped;		/* no nested ioctl may start any more */
	bool thread_done;
};

/* One daemon, one fdpass: the front end finds it here. */
static struct fdpass *fdpass_active;
static pthread_mutex_t fdpass_active_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the transport of a claimed request -------------------------------- */

/*
 * Reads by number with process_vm_readv, which a stuck page cannot hold
 * for ever (its waits are killable; a /proc/PID/mem read's are not), then
 * proof that the number named the caller all along: a notification stays
 * valid only while its task lives, in the call, with the same mm (an exec
 * by another thread kills it first).  process_vm_readv honours PROT_READ
 * as copy_from_user() does.
 */
static int fp_vm_read(const struct fdpass_job *j, uint64_t uptr, void *dst,
		      size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local = { (char *)dst + done, len - done };
		struct iovec remote = { (void *)(uintptr_t)(uptr + done), len - done };
		ssize_t n = process_vm_readv(j->tid, &local, 1, &remote, 1, 0);

		if (n <= 0)
			return n < 0 && errno == ENOMEM ? -ENOMEM : -EFAULT;
		done += (size_t)n;
	}
	if (seccomp_notify_id_valid(j->listener, j->id))
		return -EFAULT;	/* read from whoever has the number now */
	return 0;
}

static int fp_read(struct iommufd_ucmd *ucmd, uint64_t uptr, void *dst,
		   size_t len)
{
	return fp_vm_read(ucmd->tr_priv, uptr, dst, len);
}

/*
 * Writes go through the bound mem fd only: a write by number could reach
 * a stranger that got the number after the caller died.  The range is
 * first read as above so that its pages are in (a /proc/PID/mem write
 * faulting on a page that never arrives would wait uninterruptibly).
 */
static int fp_write(struct iommufd_ucmd *ucmd, uint64_t uptr, const void *src,
		    size_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint8_t byte;

	/* One byte of each page brings it in. */
	for (uint64_t at = uptr; len && at < uptr + len; at = (at | (page - 1)) + 1) {
		int rc = fp_vm_read(ucmd->tr_priv, at, &byte, 1);

		if (rc)
			return rc;
	}
	return caller_mm_write_checked(ucmd->caller.mm, uptr, src, len);
}

/* iommufd_ucmd_install_fd() for a caller waiting in a notification. */
static int fp_install_fd(struct iommufd_ucmd *ucmd, int fd)
{
	const struct fdpass_job *j = ucmd->tr_priv;
	struct seccomp_notif_addfd addfd = {
		.id = j->id,
		.srcfd = (uint32_t)fd,
		.newfd_flags = O_CLOEXEC,
	};
	int rc = ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
	int err = errno;

	close(fd);
	if (rc >= 0)
		return rc;
	/* ENOENT: the caller is gone; EMFILE: its table is full (get_unused_fd). */
	return err == EMFILE || err == ENOMEM ? -ENOMEM :
	       err == ENOENT || err == EINPROGRESS ? -ESRCH : -err;
}

static const struct ucmd_transport fdpass_transport = {
	.read = fp_read,
	.write = fp_write,
	.install_fd = fp_install_fd,
};

bool fdpass_claim(pid_t req_pid, struct iommufd_ucmd *ucmd, int *refuse)
{
	struct fdpass *fp;
	bool mine = false;

	*refuse = 0;
	if (!req_pid)
		return false;
	pthread_mutex_lock(&fdpass_active_lock);
	fp = fdpass_active;
	if (fp) {
		pthread_mutex_lock(&fp->lock);
		mine = req_pid == fp->thread_tid;
		for (struct fdpass_job *j = fp->jobs; j && !mine; j = j->next) {
			if (j->worker_tid != req_pid)
				continue;
			mine = true;
			if (!j->claimable || fp->stopped)
				break;
			ucmd->tr = &fdpass_transport;
			/* Stable: the job's thread waits for this request. */
			ucmd->tr_priv = j;
			ucmd->caller = (struct ucmd_caller){
				.pid = j->tid,
				.uid = j->uid,
				.gid = j->gid,
				.mm = j->mm,
			};
			ucmd->ubuffer = j->uptr;
			pthread_mutex_unlock(&fp->lock);
			pthread_mutex_unlock(&fdpass_active_lock);
			return true;
		}
		/* Ours, with nothing to claim: never serve the daemon itself. */
		if (mine)
			*refuse = -EPERM;
		pthread_mutex_unlock(&fp->lock);
	}
	pthread_mutex_unlock(&fdpass_active_lock);
	return mine;
}

/* ---- one notification, on its own thread -------------------------------- */

static bool fp_stx_is_node(const struct fdpass *fp, const struct statx *sx)
{
	dev_t dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	dev_t rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);

	for (unsigned int i = 0; i < fp->nr_nodes; i++) {
		const struct stat *n = &fp->nodes[i];

		if (S_ISCHR(n->st_mode) ? S_ISCHR(sx->stx_mode) && rdev == n->st_rdev :
					  dev == n->st_dev && sx->stx_ino == n->st_ino)
			return true;
	}
	return false;
}

/*
 * statx without asking anyone: AT_STATX_DONT_SYNC makes FUSE answer from
 * its cache instead of sending GETATTR to a server that may never answer.
 * Type, device and inode number never need a round trip.
 */
static bool fp_path_is_node(const struct fdpass *fp, int dirfd,
			    const char *path, int flags)
{
	struct statx sx;

	if (statx(dirfd, path, flags | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO, &sx) < 0)
		return false;
	return fp_stx_is_node(fp, &sx);
}

/*
 * The caller's fd fdnum as our own, if it is one of our nodes; else -1.
 * It is looked at through /proc before it is taken: a file that is not a
 * node never enters our table (its close could wait for ever on a FLUSH).
 * The copy is checked again, for a caller that swapped the fd meanwhile.
 */
static int fp_take_node(const struct fdpass *fp, struct caller_mm *mm,
			pid_t tid, int fdnum)
{
	pid_t tgid = caller_mm_tgid(mm);
	char path[64];
	int dfd;

	if (fdnum < 0)
		return -1;
	/*
	 * The thread's table and its process's: pidfd_getfd() reads the
	 * first where the kernel has PIDFD_THREAD (6.9+), else the second,
	 * and they differ after an unshare(CLONE_FILES).
	 */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fdnum);
	if (!fp_path_is_node(fp, AT_FDCWD, path, 0))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tgid, fdnum);
	if (tgid != tid && !fp_path_is_node(fp, AT_FDCWD, path, 0))
		return -1;
	dfd = caller_mm_getfd(mm, fdnum);
	if (dfd < 0)
		return -1;
	if (!fp_path_is_node(fp, dfd, "", AT_EMPTY_PATH)) {
		/*
		 * The caller won a race with a dup2().  Only this job's
		 * thread can wait in this close (docs/fd-passing.md).
		 */
		log_warning("fdpass: pid %d swapped fd %d while it was taken",
			    (int)tid, fdnum);
		close(dfd);
		return -1;
	}
	return dfd;
}

/* Whether this ioctl may hand back an fd: the rest are let through. */
static bool fp_may_return_fd(const struct seccomp_notif *req)
{
	unsigned int cmd = (unsigned int)req->data.args[1];

	return cmd == IOMMU_FAULT_QUEUE_ALLOC || cmd == IOMMU_VEVENTQ_ALLOC ||
	       cmd == IOMMU_TEST_CMD;
}

/*
 * The same, looking at the test op.  process_vm_readv, by number: its
 * waits are killable (a /proc/PID/mem read of a page that never arrives is
 * not), and the answer only decides whether to go on (see the top).
 * Unreadable: CONTINUE, and the normal path answers EFAULT.
 */
static bool fp_returns_fd(const struct seccomp_notif *req)
{
	unsigned int cmd = (unsigned int)req->data.args[1];
	uint32_t op;
	struct iovec local = { &op, sizeof(op) };
	struct iovec remote = {
		(void *)(uintptr_t)(req->data.args[2] +
				    offsetof(struct iommu_test_cmd, op)),
		sizeof(op),
	};

	if (cmd != IOMMU_TEST_CMD)
		return true;
	if (process_vm_readv(req->pid, &local, 1, &remote, 1, 0) != sizeof(op))
		return false;
	return op == IOMMU_TEST_OP_CREATE_ACCESS ||
	       op == IOMMU_TEST_OP_DMABUF_GET;
}

/*
 * Serves the job's notification; fills resp (CONTINUE unless the daemon
 * made the ioctl).  Returns false when no answer must be sent (the target
 * died).
 */
static bool fp_serve_job(struct fdpass_job *j, struct seccomp_notif_resp *resp)
{
	struct fdpass *fp = j->fp;
	const struct seccomp_notif *req = &j->req;
	unsigned int cmd = (unsigned int)req->data.args[1];
	const struct caller_creds *cr;
	struct caller_mm *mm = NULL;
	bool stopped;
	int dfd;
	long r;
	int err;

	if (!fp_returns_fd(req))
		return true;
	/* Everything of the caller first, by its number... */
	if (caller_mm_bind(req->pid, j->own_userns_ino, &mm))
		return true;
	/* ...then proof that the number was the notifying task's meanwhile. */
	if (seccomp_notify_id_valid(j->listener, req->id)) {
		caller_mm_put(mm);
		return false;
	}
	dfd = fp_take_node(fp, mm, req->pid, (int)req->data.args[0]);
	if (dfd < 0) {
		caller_mm_put(mm);
		return true;
	}
	cr = caller_mm_creds(mm);

	pthread_mutex_lock(&fp->lock);
	stopped = fp->stopped;
	if (!stopped) {
		j->claimable = true;
		j->id = req->id;
		j->tid = req->pid;
		/* the fs ids, which is what FUSE reports for a request */
		j->uid = cr->fsuid;
		j->gid = cr->fsgid;
		j->uptr = req->data.args[2];
		j->mm = mm;
	}
	pthread_mutex_unlock(&fp->lock);
	if (stopped) {
		close(dfd);
		caller_mm_put(mm);
		return true;
	}
	/* The argument is the caller's pointer; fdpass_claim() says whose. */
	r = ioctl(dfd, cmd, (void *)(uintptr_t)req->data.args[2]);
	err = errno;
	pthread_mutex_lock(&fp->lock);
	j->claimable = false;
	j->mm = NULL;
	pthread_mutex_unlock(&fp->lock);
	/* Our copy may be the context's last reference (the caller died). */
	close(dfd);
	caller_mm_put(mm);

	resp->flags = 0;
	resp->val = r < 0 ? 0 : r;
	resp->error = r < 0 ? -err : 0;
	return true;
}

static void fp_free_job(struct fdpass_job *j)
{
	close(j->listener);	/* a seccomp listener: never waits */
	free(j);
}

/* ENOENT: the task was interrupted or has gone; nothing waits for us. */
static void fp_respond(int listener, struct seccomp_notif_resp *resp, pid_t pid)
{
	int rc = seccomp_notify_respond(listener, resp);

	if (rc && !(rc == -ECANCELED && errno == ENOENT))
		log_debug("fdpass: answering pid %d: %s", (int)pid,
			  strerror(rc == -ECANCELED ? errno : -rc));
}

static void *fp_job_thread(void *arg)
{
	struct fdpass_job *j = arg;
	struct fdpass *fp = j->fp;
	union {
		struct seccomp_notif_resp r;
		uint8_t pad[512];
	} resp;
	/* Before any request of ours can reach the front end. */
	pthread_mutex_lock(&fp->lock);
	j->worker_tid = gettid();
	pthread_mutex_unlock(&fp->lock);

	memset(&resp, 0, sizeof(resp));
	resp.r.id = j->req.id;
	resp.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (fp_serve_job(j, &resp.r))
		fp_respond(j->listener, &resp.r, j->req.pid);

	pthread_mutex_lock(&fp->lock);
	for (struct fdpass_job **pp = &fp->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	fp->nr_jobs--;
	/* Under the lock: once it is dropped, the stop may free fp. */
	(void)!write(fp->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
	pthread_cond_broadcast(&fp->jobs_done);
	pthread_mutex_unlock(&fp->lock);
	fp_free_job(j);
	return NULL;
}

/* ---- the poll thread: notifications -------------------------------------- */

static void fp_answer_continue(int listener, const struct seccomp_notif *req)
{
	union {
		struct seccomp_notif_resp r;
		uint8_t pad[512];
	} resp;

	memset(&resp, 0, sizeof(resp));
	resp.r.id = req->id;
	resp.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	fp_respond(listener, &resp.r, req->pid);
}

static unsigned int fp_running(struct fdpass *fp, uid_t owner)
{
	unsigned int same = 0;

	pthread_mutex_lock(&fp->lock);
	for (const struct fdpass_job *j = fp->jobs; j; j = j->next)
		same += j->owner == owner;
	if (fp->nr_jobs >= FDPASS_MAX_JOBS)
		same = FDPASS_JOBS_PER_UID;
	pthread_mutex_unlock(&fp->lock);
	return same;
}

/* Starts j's worker thread; false (j untouched, not listed) on failure. */
static bool fp_run_job(struct fdpass *fp, struct fdpass_job *j)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_mutex_lock(&fp->lock);
	j->next = fp->jobs;
	fp->jobs = j;
	fp->nr_jobs++;
	pthread_mutex_unlock(&fp->lock);

	rc = pthread_attr_init(&attr);
	if (!rc) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&t, &attr, fp_job_thread, j);
		pthread_attr_destroy(&attr);
	}
	if (!rc)
		return true;
	pthread_mutex_lock(&fp->lock);
	for (struct fdpass_job **pp = &fp->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	fp->nr_jobs--;
	pthread_mutex_unlock(&fp->lock);
	log_debug("fdpass: no thread for a notification: %s", strerror(rc));
	return false;
}

/*
 * Hands a notification to a job of its own, now or when its uid has a
 * slot again (in order); false: answer it here.
 */
static bool fp_start_job(struct fdpass *fp, int listener, uid_t owner,
			 const struct seccomp_notif *req)
{
	static bool told;
	unsigned int queued = 0;
	bool now = false;
	struct fdpass_job *j;

	for (j = fp->queue; j; j = j->next)
		queued += j->owner == owner;
	/* Behind its own queued calls, never ahead of them. */
	if (!queued)
		now = fp_running(fp, owner) < FDPASS_JOBS_PER_UID;
	if (!now && (queued >= FDPASS_QUEUED_PER_UID ||
		     fp->nr_queued >= FDPASS_MAX_QUEUED)) {
		if (!told)
			log_warning("fdpass: uid %u has too many fd-passing calls waiting; more are passed to the normal path",
				    (unsigned int)owner);
		told = true;
		return false;
	}

	j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	j->fp = fp;
	j->owner = owner;
	j->own_userns_ino = fp->d->own_userns_ino;
	j->req = *req;
	/* Our own copy: the poll thread may drop its listener meanwhile. */
	j->listener = fcntl(listener, F_DUPFD_CLOEXEC, 3);
	if (j->listener < 0) {
		free(j);
		return false;
	}
	if (now) {
		if (fp_run_job(fp, j))
			return true;
		fp_free_job(j);
		return false;
	}
	*fp->queue_tail = j;
	fp->queue_tail = &j->next;
	fp->nr_queued++;
	return true;
}

/* A job ended: start the queued calls whose uid has a slot now. */
static void fp_run_queue(struct fdpass *fp)
{
	struct fdpass_job **pp = &fp->queue, *j;
	uint64_t n;

	(void)!read(fp->wake_fd, &n, sizeof(n));
	while ((j = *pp)) {
		bool blocked = false;

		/* An earlier call of the same uid still waits: keep the order. */
		for (struct fdpass_job *k = fp->queue; k != j && !blocked; k = k->next)
			blocked = k->owner == j->owner;
		if (blocked || fp_running(fp, j->owner) >= FDPASS_JOBS_PER_UID) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		fp->nr_queued--;
		if (!fp_run_job(fp, j)) {
			fp_answer_continue(j->listener, &j->req);
			fp_free_job(j);
		}
	}
	fp->queue_tail = pp;
}

static void fp_drop_listener(struct fdpass *fp, unsigned int i)
{
	/* A seccomp listener: its close never waits. */
	close(fp->listeners[i]);
	fp->listeners[i] = fp->listeners[--fp->nr_listeners];
	fp->listener_uids[i] = fp->listener_uids[fp->nr_listeners];
}

static void fp_serve_listener(struct fdpass *fp, unsigned int i, short revents)
{
	int listener = fp->listeners[i];
	union {
		struct seccomp_notif n;
		uint8_t pad[512];
	} req;
	int rc;

	if (revents & POLLIN) {
		memset(&req, 0, sizeof(req));
		rc = seccomp_notify_receive(listener, &req.n);
		if (rc) {
			/* ENOENT: the task was interrupted first; fine. */
			if (rc != -ECANCELED || (errno != ENOENT && errno != EINTR)) {
				log_debug("fdpass: dropping a listener: %s",
					  strerror(rc == -ECANCELED ? errno : -rc));
				fp_drop_listener(fp, i);
			}
			return;
		}
		if (req.n.data.nr != __NR_ioctl ||
		    req.n.data.arch != FDPASS_AUDIT_ARCH || !req.n.pid ||
		    !fp_may_return_fd(&req.n) ||
		    !fp_start_job(fp, listener, fp->listener_uids[i], &req.n))
			fp_answer_continue(listener, &req.n);
		return;
	}
	/* POLLHUP: every process under that filter has exited. */
	fp_drop_listener(fp, i);
}

/* ---- the poll thread: launchers ------------------------------------------ */

static bool fp_is_listener(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return !strcmp(target, "anon_inode:seccomp notify");
}

static uint64_t fp_now_ms(void)
{
	return monotonic_us() / 1000;
}

/* Sockets only: nothing here waits on a client. */
static void fp_drop_conn(struct fdpass *fp, unsigned int i)
{
	close(fp->conns[i].conn);
	close(fp->conns[i].reply);
	fp->conns[i] = fp->conns[--fp->nr_conns];
}

static unsigned int fp_uid_listeners(const struct fdpass *fp, uid_t uid)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fp->nr_listeners; i++)
		n += fp->listener_uids[i] == uid;
	return n;
}

/*
 * The broker child's answer for conn i: a status byte and, when it is 0,
 * the launcher's listener (checked by the child to be one).  End of file:
 * the broker refused the job or the child died.  The launcher gets an
 * errno byte.
 */
static void fp_serve_conn(struct fdpass *fp, unsigned int i)
{
	struct fdpass_conn *c = &fp->conns[i];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	uint8_t byte = EAGAIN, status;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	int fd = -1;
	ssize_t n;

	n = recvmsg(c->reply, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		struct cmsghdr *h = CMSG_FIRSTHDR(&msg);

		if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
		    h->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
	}
	status = n <= 0 ? EAGAIN : byte;
	/* From our own child, which forwards listeners only; checked anyway. */
	if (!status && (fd < 0 || !fp_is_listener(fd)))
		status = EINVAL;
	else if (!status && geteuid() != 0 && c->uid != geteuid())
		status = EPERM;
	else if (!status && (fp->nr_listeners == FDPASS_MAX_LISTENERS ||
			     fp_uid_listeners(fp, c->uid) >= FDPASS_MAX_LISTENERS_PER_UID))
		status = EMFILE;
	if (!status) {
		fp->listener_uids[fp->nr_listeners] = c->uid;
		fp->listeners[fp->nr_listeners++] = fd;
		log_debug("fdpass: serving programs launched by pid %d", (int)c->pid);
	} else if (fd >= 0 && fp_is_listener(fd)) {
		close(fd);
	}
	/* (Anything else is left open rather than risk a close that waits.) */
	(void)send(c->conn, &status, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	fp_drop_conn(fp, i);
}

/* How long the listen socket is left alone after running out of fds. */
#define FP_ACCEPT_PAUSE_MS 100
/* Connections taken per poll round: keeps the backlog drained. */
#define FP_ACCEPT_BATCH 32

/*
 * One connection.  Returns 0 (taken or refused), -EAGAIN (nothing queued),
 * or -EMFILE when accept() failed for want of fds or memory: the connection
 * stays queued and the socket readable, so the caller must stop polling it
 * for a while or spin.
 */
static int fp_accept_one(struct fdpass *fp)
{
	static bool told;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	unsigned int same = 0;
	int conn = accept4(fp->sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int sv[2], rc;

	if (conn < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
		    errno != ENOMEM)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : 0;
		if (!told)
			log_warning("fd-passing socket: accept: %m; pausing accepts for %d ms at a time",
				    FP_ACCEPT_PAUSE_MS);
		told = true;
		return -EMFILE;
	}
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		close(conn);
		return 0;
	}
	for (unsigned int i = 0; i < fp->nr_conns; i++)
		same += fp->conns[i].uid == cred.uid;
	/* One user's silent connections cannot hold another's slot. */
	if (fp->nr_conns == FDPASS_MAX_CONNS || same >= FDPASS_CONNS_PER_UID ||
	    fp->broker < 0) {
		close(conn);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0, sv) < 0) {
		close(conn);
		return 0;
	}
	rc = broker_submit(fp->broker, conn, sv[1], cred.uid);
	close(sv[1]);
	if (rc) {
		if (rc == -EPIPE || rc == -ECONNRESET) {
			log_error("fdpass: the handshake broker is gone; no more launchers");
			close(fp->broker);
			fp->broker = -1;
		}
		close(conn);
		close(sv[0]);
		return 0;
	}
	fp->conns[fp->nr_conns++] = (struct fdpass_conn){
		.conn = conn, .reply = sv[0], .uid = cred.uid, .pid = cred.pid,
		.deadline = fp_now_ms() + FDPASS_CONN_MS,
	};
	return 0;
}

static bool fp_accept(struct fdpass *fp)
{
	for (int n = 0; n < FP_ACCEPT_BATCH; n++) {
		int rc = fp_accept_one(fp);

		if (rc == -EMFILE)
			return false;
		if (rc == -EAGAIN)
			break;
	}
	return true;
}

static void *fp_thread(void *arg)
{
	struct fdpass *fp = arg;
	struct pollfd pfds[3 + FDPASS_MAX_CONNS + FDPASS_MAX_LISTENERS];
	uint64_t accept_paused_until = 0;

	pthread_mutex_lock(&fp->lock);
	fp->thread_tid = gettid();
	pthread_mutex_unlock(&fp->lock);
	for (;;) {
		unsigned int n = 0, nc = fp->nr_conns, nl = fp->nr_listeners;
		uint64_t now = fp_now_ms();
		bool paused = accept_paused_until > now;
		int timeout = nc ? 250 : -1;

		if (paused && (timeout < 0 || accept_paused_until - now < (uint64_t)timeout))
			timeout = (int)(accept_paused_until - now);
		pfds[n++] = (struct pollfd){ .fd = fp->stop_fd, .events = POLLIN };
		/* poll() ignores a negative fd: the socket rests while paused. */
		pfds[n++] = (struct pollfd){ .fd = paused ? -1 : fp->sock, .events = POLLIN };
		pfds[n++] = (struct pollfd){ .fd = fp->wake_fd, .events = POLLIN };
		for (unsigned int i = 0; i < nc; i++)
			pfds[n++] = (struct pollfd){ .fd = fp->conns[i].reply, .events = POLLIN };
		for (unsigned int i = 0; i < nl; i++)
			pfds[n++] = (struct pollfd){ .fd = fp->listeners[i], .events = POLLIN };
		if (poll(pfds, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfds[0].revents)
			break;
		/* Walk backwards: serving may move the last entry into slot i. */
		for (unsigned int i = nl; i--;)
			if (pfds[3 + nc + i].revents)
				fp_serve_listener(fp, i, pfds[3 + nc + i].revents);
		for (unsigned int i = nc; i--;) {
			if (pfds[3 + i].revents)
				fp_serve_conn(fp, i);
			else if (fp_now_ms() > fp->conns[i].deadline)
				fp_drop_conn(fp, i);
		}
		if (pfds[2].revents)
			fp_run_queue(fp);
		if (pfds[1].revents && !fp_accept(fp))
			accept_paused_until = fp_now_ms() + FP_ACCEPT_PAUSE_MS;
	}
	pthread_mutex_lock(&fp->lock);
	fp->thread_done = true;
	pthread_cond_broadcast(&fp->jobs_done);
	pthread_mutex_unlock(&fp->lock);
	return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

static int fp_bind(struct fdpass *fp, const char *path)
{
	int s, rc;

	snprintf(fp->path, sizeof(fp->path), "%s", path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return log_error_errno(-errno, "fdpass socket: %m");
	/*
	 * Who may connect is decided by SO_PEERCRED, not the file mode: a
	 * root daemon takes launchers of every user, so its socket is 0666;
	 * any other takes only its own uid's, and its socket is 0600.
	 */
	rc = private_socket_bind(s, path, "--fdpass-socket",
				 geteuid() == 0 ? 0666 : 0600, (gid_t)-1, NULL,
				 NULL);
	if (rc == -EADDRINUSE)
		rc = log_error_errno(rc, "another daemon serves --fdpass-socket %s", path);
	if (!rc && listen(s, 64) < 0)
		rc = log_error_errno(-errno, "--fdpass-socket %s: %m", path);
	if (rc) {
		close(s);
		fp->path[0] = 0;
		return rc;
	}
	fp->sock = s;
	return 0;
}

int fdpass_start(struct iommufd_daemon *d, const char *socket_path,
		 const char *const *nodes, unsigned int nr_nodes,
		 struct fdpass **out)
{
	struct fdpass *fp = calloc(1, sizeof(*fp));
	int rc;

	*out = NULL;
	if (!fp)
		return -ENOMEM;
	/*
	 * libseccomp's seccomp_notify_*() work only once it has found user
	 * notification (API level 5) by probing the kernel with seccomp(2).  A
	 * service manager's syscall filter may refuse that probe (systemd's
	 * @system-service has no seccomp) although the notification ioctls
	 * work: the level is then set, since every listener the daemon serves
	 * was made by this kernel (the broker checks it is one).
	 */
	if (seccomp_api_get() < 5 && seccomp_api_set(5))
		log_debug("fdpass: libseccomp refused API level 5");
	fp->d = d;
	fp->sock = fp->stop_fd = fp->broker = fp->wake_fd = -1;
	fp->queue_tail = &fp->queue;
	pthread_mutex_init(&fp->lock, NULL);
	pthread_cond_init(&fp->jobs_done, NULL);
	for (unsigned int i = 0; i < nr_nodes && fp->nr_nodes < FDPASS_NODES; i++)
		if (nodes[i] && stat(nodes[i], &fp->nodes[fp->nr_nodes]) == 0)
			fp->nr_nodes++;
	if (!fp->nr_nodes) {
		rc = log_error_errno(-ENOENT, "fdpass: cannot stat the served node");
		goto err;
	}
	fp->stop_fd = eventfd(0, EFD_CLOEXEC);
	fp->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fp->stop_fd < 0 || fp->wake_fd < 0) {
		rc = log_error_errno(-errno, "fdpass: eventfd: %m");
		goto err;
	}
	/* Before the socket exists: no client file can be in our table yet. */
	rc = broker_start(&fp->broker);
	if (rc) {
		log_error_errno(rc, "fdpass: cannot start the handshake broker: %m");
		goto err;
	}
	rc = fp_bind(fp, socket_path);
	if (rc)
		goto err;
	pthread_mutex_lock(&fdpass_active_lock);
	fdpass_active = fp;
	pthread_mutex_unlock(&fdpass_active_lock);
	rc = -pthread_create(&fp->thread, NULL, fp_thread, fp);
	if (rc) {
		pthread_mutex_lock(&fdpass_active_lock);
		fdpass_active = NULL;
		pthread_mutex_unlock(&fdpass_active_lock);
		unlink(fp->path);
		log_error_errno(rc, "fdpass: thread: %m");
		goto err;
	}
	log_info("fd passing on %s (start clients with uiommufd-exec --socket %s)",
		 socket_path, socket_path);
	*out = fp;
	return 0;
err:
	if (fp->sock >= 0)
		close(fp->sock);
	if (fp->stop_fd >= 0)
		close(fp->stop_fd);
	if (fp->wake_fd >= 0)
		close(fp->wake_fd);
	if (fp->broker >= 0)
		close(fp->broker);	/* the broker sees end of file and exits */
	pthread_cond_destroy(&fp->jobs_done);
	pthread_mutex_destroy(&fp->lock);
	free(fp);
	return rc;
}

static void fp_free(struct fdpass *fp)
{
	for (unsigned int i = 0; i < fp->nr_listeners; i++)
		close(fp->listeners[i]);
	for (unsigned int i = 0; i < fp->nr_conns; i++) {
		close(fp->conns[i].conn);
		close(fp->conns[i].reply);
	}
	if (fp->broker >= 0)
		close(fp->broker);
	while (fp->queue) {
		struct fdpass_job *j = fp->queue;

		fp->queue = j->next;
		fp_free_job(j);
	}
	close(fp->sock);
	close(fp->stop_fd);
	close(fp->wake_fd);
	pthread_cond_destroy(&fp->jobs_done);
	pthread_mutex_destroy(&fp->lock);
	free(fp);
}

void fdpass_stop(struct fdpass *fp)
{
	struct timespec until;
	uint64_t one = 1;
	bool joined, idle;
	int rc = 0;

	if (!fp)
		return;
	if (write(fp->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warning("fdpass: cannot stop the thread: %m");
	unlink(fp->path);
	clock_deadline(CLOCK_REALTIME, FDPASS_STOP_MS * 1000ull, &until);
	/*
	 * The poll thread never blocks on a client, so it ends at once; jobs
	 * may be stuck in a caller's memory.  Those still running at the
	 * deadline are abandoned with everything they use (the process is
	 * about to exit); none starts its nested ioctl after this.
	 */
	pthread_mutex_lock(&fp->lock);
	fp->stopped = true;
	while ((!fp->thread_done || fp->nr_jobs) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&fp->jobs_done, &fp->lock, &until);
	joined = fp->thread_done;
	idle = joined && !fp->nr_jobs;
	if (!idle)
		log_warning("fdpass: %u fd-passing calls stuck in their callers; abandoning them",
			    fp->nr_jobs);
	pthread_mutex_unlock(&fp->lock);
	if (joined)
		pthread_join(fp->thread, NULL);
	else
		pthread_detach(fp->thread);
	if (!idle)
		return;
	pthread_mutex_lock(&fdpass_active_lock);
	fdpass_active = NULL;
	pthread_mutex_unlock(&fdpass_active_lock);
	fp_free(fp);
}
