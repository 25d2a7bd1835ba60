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
 * to a listener, everything else allowed, the listener handed to this
 * thread over a unix socket (SCM_RIGHTS).  For each notification:
 *
 *  1. commands that cannot return an fd (IOMMU_TEST_CMD's other ops), fds
 *     that are not one of our nodes, callers we cannot reach: answered
 *     SECCOMP_USER_NOTIF_FLAG_CONTINUE, so the kernel runs the ioctl as if
 *     nothing had happened (through the normal FUSE/CUSE path).  CONTINUE
 *     is unfit for security decisions; none is made here.
 *  2. otherwise the daemon binds the caller's identity (caller_mm.h: its
 *     pidfd, /proc/TID/mem and maps, credentials), THEN confirms with
 *     SECCOMP_IOCTL_NOTIF_ID_VALID that the TID still named the notifying
 *     task when all of that was open (the waiting task is killable, and
 *     its number could be reused by then), takes a copy of the caller's
 *     node fd with pidfd_getfd() on the bound pidfd (same open file
 *     description, so the same context), and makes the ioctl itself on
 *     that copy.  The front end sees the request come from this thread,
 *     claims it (fdpass_claim) and serves it with the bound identity: its
 *     memory only through the bound mem fd, never by TID, and a transport
 *     whose install_fd does ADDFD into the waiting caller.  The caller's
 *     syscall is then answered with the ioctl's result.
 *
 * Filters are installed with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV where
 * the kernel has it (5.19+): once received, a notification is only ended by
 * a fatal signal, so an fd added by ADDFD is never left behind by a syscall
 * that a signal interrupted and restarted.
 *
 * Limits: at most FDPASS_MAX_LISTENERS launched programs at once (each
 * listener lasts while any process under that filter lives),
 * FDPASS_MAX_LISTENERS_PER_UID of them for one launcher's uid, and
 * FDPASS_MAX_CONNS launchers handshaking.  Notifications are served one at
 * a time by this thread; a nested ioctl never waits for this thread.
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
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "objects/iommufd_private.h"
#include "objects/caller_mm.h"
#include "objects/ucmd.h"
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
#define FDPASS_NODES 2

struct fdpass_pending {
	bool active;
	pid_t daemon_tid;	/* the thread making the nested ioctl */
	int listener;
	uint64_t id;		/* the notification */
	pid_t tid;		/* the caller */
	uid_t uid;
	gid_t gid;
	uint64_t uptr;
	struct caller_mm *mm;	/* bound before ID_VALID confirmed it */
};

struct fdpass {
	struct iommufd_daemon *d;
	int sock, stop_fd;
	char path[108];
	pthread_t thread;
	pid_t thread_tid;
	struct stat nodes[FDPASS_NODES];
	unsigned int nr_nodes;
	int listeners[FDPASS_MAX_LISTENERS];
	uid_t listener_uids[FDPASS_MAX_LISTENERS]; /* the launcher's, SO_PEERCRED */
	unsigned int nr_listeners;
	int conns[FDPASS_MAX_CONNS];
	uint64_t conn_deadline[FDPASS_MAX_CONNS]; /* ms, CLOCK_MONOTONIC */
	unsigned int nr_conns;
	size_t notif_size, resp_size;
	pthread_mutex_t lock;
	struct fdpass_pending pending;
};

/* One daemon, one fdpass: the front end finds it here. */
static struct fdpass *fdpass_active;
static pthread_mutex_t fdpass_active_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the transport of a claimed request -------------------------------- */

/* The bound mem fd: a killed and reused TID reaches nothing. */
static int fp_read(struct iommufd_ucmd *ucmd, uint64_t uptr, void *dst,
		   size_t len)
{
	return caller_mm_read_checked(ucmd->caller.mm, uptr, dst, len);
}

static int fp_write(struct iommufd_ucmd *ucmd, uint64_t uptr, const void *src,
		    size_t len)
{
	return caller_mm_write_checked(ucmd->caller.mm, uptr, src, len);
}

/* iommufd_ucmd_install_fd() for a caller waiting in a notification. */
static int fp_install_fd(struct iommufd_ucmd *ucmd, int fd)
{
	const struct fdpass_pending *p = ucmd->tr_priv;
	struct seccomp_notif_addfd addfd = {
		.id = p->id,
		.srcfd = (uint32_t)fd,
		.newfd_flags = O_CLOEXEC,
	};
	int rc = ioctl(p->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
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
	pthread_mutex_lock(&fdpass_active_lock);
	fp = fdpass_active;
	if (fp && req_pid && req_pid == fp->thread_tid) {
		mine = true;
		pthread_mutex_lock(&fp->lock);
		if (fp->pending.active && fp->pending.daemon_tid == req_pid) {
			ucmd->tr = &fdpass_transport;
			/* Stable: the fdpass thread waits for this request. */
			ucmd->tr_priv = &fp->pending;
			ucmd->caller = (struct ucmd_caller){
				.pid = fp->pending.tid,
				.uid = fp->pending.uid,
				.gid = fp->pending.gid,
				.mm = fp->pending.mm,
			};
			ucmd->ubuffer = fp->pending.uptr;
		} else {
			*refuse = -EPERM;
		}
		pthread_mutex_unlock(&fp->lock);
	}
	pthread_mutex_unlock(&fdpass_active_lock);
	return mine;
}

/* ---- notifications ------------------------------------------------------ */

static bool fp_is_node(const struct fdpass *fp, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	for (unsigned int i = 0; i < fp->nr_nodes; i++) {
		const struct stat *n = &fp->nodes[i];

		if (S_ISCHR(n->st_mode) ? S_ISCHR(st.st_mode) &&
						  st.st_rdev == n->st_rdev :
					  st.st_dev == n->st_dev &&
						  st.st_ino == n->st_ino)
			return true;
	}
	return false;
}

/* Whether this ioctl may hand back an fd: the rest are let through. */
static bool fp_may_return_fd(const struct seccomp_notif *req)
{
	unsigned int cmd = (unsigned int)req->data.args[1];

	return cmd == IOMMU_FAULT_QUEUE_ALLOC || cmd == IOMMU_VEVENTQ_ALLOC ||
	       cmd == IOMMU_TEST_CMD;
}

/*
 * The same, looking at the test op through the bound mem fd.  Read before
 * ID_VALID: if the TID was reused meanwhile, the answer is thrown away.
 */
static bool fp_returns_fd(const struct seccomp_notif *req,
			  struct caller_mm *mm)
{
	unsigned int cmd = (unsigned int)req->data.args[1];
	uint32_t op;

	if (cmd != IOMMU_TEST_CMD)
		return true;
	/* An unreadable struct is the normal path's EFAULT. */
	if (caller_mm_read_checked(mm,
				   req->data.args[2] +
					   offsetof(struct iommu_test_cmd, op),
				   &op, sizeof(op)))
		return false;
	return op == IOMMU_TEST_OP_CREATE_ACCESS ||
	       op == IOMMU_TEST_OP_DMABUF_GET;
}

/*
 * Serves one notification; fills resp (CONTINUE unless the daemon made
 * the ioctl).  Returns false when no answer must be sent (the target died).
 */
static bool fp_handle(struct fdpass *fp, int listener,
		      const struct seccomp_notif *req,
		      struct seccomp_notif_resp *resp)
{
	unsigned int cmd = (unsigned int)req->data.args[1];
	const struct caller_creds *cr;
	struct caller_mm *mm = NULL;
	int dfd = -1;
	long r;
	int err;

	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	resp->val = 0;
	resp->error = 0;
	if (req->data.nr != __NR_ioctl || req->data.arch != FDPASS_AUDIT_ARCH ||
	    !req->pid || !fp_may_return_fd(req))
		return true;

	/* Everything of the caller first, by its number... */
	if (caller_mm_bind(req->pid, fp->d->own_userns_ino, &mm))
		return true;
	if (!fp_returns_fd(req, mm)) {
		caller_mm_put(mm);
		return true;
	}
	/* ...then proof that the number was the notifying task's meanwhile. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) {
		caller_mm_put(mm);
		return false;
	}
	dfd = caller_mm_getfd(mm, (int)req->data.args[0]);
	if (dfd < 0 || !fp_is_node(fp, dfd)) {
		if (dfd >= 0)
			close(dfd);
		caller_mm_put(mm);
		return true;
	}
	cr = caller_mm_creds(mm);

	pthread_mutex_lock(&fp->lock);
	fp->pending = (struct fdpass_pending){
		.active = true,
		.daemon_tid = fp->thread_tid,
		.listener = listener,
		.id = req->id,
		.tid = req->pid,
		/* the fs ids, which is what FUSE reports for a request */
		.uid = cr->fsuid,
		.gid = cr->fsgid,
		.uptr = req->data.args[2],
		.mm = mm,
	};
	pthread_mutex_unlock(&fp->lock);
	/* The argument is the caller's pointer; fdpass_claim() says whose. */
	r = ioctl(dfd, cmd, (void *)(uintptr_t)req->data.args[2]);
	err = errno;
	pthread_mutex_lock(&fp->lock);
	fp->pending.active = false;
	fp->pending.mm = NULL;
	pthread_mutex_unlock(&fp->lock);
	/* Our copy may be the context's last reference (the caller died). */
	close(dfd);
	caller_mm_put(mm);

	resp->flags = 0;
	resp->val = r < 0 ? 0 : r;
	resp->error = r < 0 ? -err : 0;
	return true;
}

static void fp_drop_listener(struct fdpass *fp, unsigned int i)
{
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
	union {
		struct seccomp_notif_resp r;
		uint8_t pad[512];
	} resp;

	if (revents & POLLIN) {
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req.n) < 0) {
			/* ENOENT: the task was interrupted first; fine. */
			if (errno != ENOENT && errno != EINTR) {
				log_debug("fdpass: dropping a listener: %m");
				fp_drop_listener(fp, i);
			}
			return;
		}
		memset(&resp, 0, sizeof(resp));
		if (fp_handle(fp, listener, &req.n, &resp.r) &&
		    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp.r) < 0 &&
		    errno != ENOENT)
			log_debug("fdpass: answering pid %d: %m", (int)req.n.pid);
		return;
	}
	/* POLLHUP: every process under that filter has exited. */
	fp_drop_listener(fp, i);
}

/* ---- the socket uiommufd-exec talks to --------------------------------- */

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
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fp_drop_conn(struct fdpass *fp, unsigned int i)
{
	close(fp->conns[i]);
	fp->nr_conns--;
	fp->conns[i] = fp->conns[fp->nr_conns];
	fp->conn_deadline[i] = fp->conn_deadline[fp->nr_conns];
}

static unsigned int fp_uid_listeners(const struct fdpass *fp, uid_t uid)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fp->nr_listeners; i++)
		n += fp->listener_uids[i] == uid;
	return n;
}

/* A launcher's message: one byte and the listener; answered with an errno byte. */
static void fp_serve_conn(struct fdpass *fp, unsigned int i)
{
	int conn = fp->conns[i], fd = -1;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uint8_t status = 0;
	ssize_t n;

	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	}
	if (fd < 0 || !fp_is_listener(fd))
		status = EINVAL;
	else if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
		 (geteuid() != 0 && cred.uid != geteuid()))
		status = EPERM;
	else if (fp->nr_listeners == FDPASS_MAX_LISTENERS ||
		 fp_uid_listeners(fp, cred.uid) >= FDPASS_MAX_LISTENERS_PER_UID)
		status = EMFILE;
	if (!status) {
		fp->listener_uids[fp->nr_listeners] = cred.uid;
		fp->listeners[fp->nr_listeners++] = fd;
		log_debug("fdpass: serving programs launched by pid %d", (int)cred.pid);
	} else if (fd >= 0) {
		close(fd);
	}
	if (n > 0)
		(void)send(conn, &status, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	fp_drop_conn(fp, i);
}

/* How long the listen socket is left alone after running out of fds. */
#define FP_ACCEPT_PAUSE_MS 100

/*
 * Returns false when accept() failed for want of fds or memory: the
 * connection stays queued and the socket readable, so the caller must stop
 * polling it for a while or spin.
 */
static bool fp_accept(struct fdpass *fp)
{
	static bool told;
	int conn = accept4(fp->sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (conn < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
		    errno != ENOMEM)
			return true;
		if (!told)
			log_warning("fd-passing socket: accept: %m; pausing accepts for %d ms at a time",
				    FP_ACCEPT_PAUSE_MS);
		told = true;
		return false;
	}
	if (fp->nr_conns == FDPASS_MAX_CONNS) {
		close(conn);
		return true;
	}
	/* A launcher that connects and says nothing is dropped. */
	fp->conn_deadline[fp->nr_conns] = fp_now_ms() + 2000;
	fp->conns[fp->nr_conns++] = conn;
	return true;
}

static void *fp_thread(void *arg)
{
	struct fdpass *fp = arg;
	struct pollfd pfds[2 + FDPASS_MAX_CONNS + FDPASS_MAX_LISTENERS];
	uint64_t accept_paused_until = 0;

	pthread_mutex_lock(&fdpass_active_lock);
	fp->thread_tid = gettid();
	pthread_mutex_unlock(&fdpass_active_lock);
	for (;;) {
		unsigned int n = 0, nc = fp->nr_conns, nl = fp->nr_listeners;
		uint64_t now = fp_now_ms();
		bool paused = accept_paused_until > now;
		int timeout = nc ? 500 : -1;

		if (paused && (timeout < 0 || accept_paused_until - now < (uint64_t)timeout))
			timeout = (int)(accept_paused_until - now);
		pfds[n++] = (struct pollfd){ .fd = fp->stop_fd, .events = POLLIN };
		/* poll() ignores a negative fd: the socket rests while paused. */
		pfds[n++] = (struct pollfd){ .fd = paused ? -1 : fp->sock, .events = POLLIN };
		for (unsigned int i = 0; i < nc; i++)
			pfds[n++] = (struct pollfd){ .fd = fp->conns[i], .events = POLLIN };
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
			if (pfds[2 + nc + i].revents)
				fp_serve_listener(fp, i, pfds[2 + nc + i].revents);
		for (unsigned int i = nc; i--;) {
			if (pfds[2 + i].revents)
				fp_serve_conn(fp, i);
			else if (fp_now_ms() > fp->conn_deadline[i])
				fp_drop_conn(fp, i);
		}
		if (pfds[1].revents && !fp_accept(fp))
			accept_paused_until = fp_now_ms() + FP_ACCEPT_PAUSE_MS;
	}
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
	if (!rc && listen(s, 16) < 0)
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
	fp->d = d;
	fp->sock = fp->stop_fd = -1;
	pthread_mutex_init(&fp->lock, NULL);
	for (unsigned int i = 0; i < nr_nodes && fp->nr_nodes < FDPASS_NODES; i++)
		if (nodes[i] && stat(nodes[i], &fp->nodes[fp->nr_nodes]) == 0)
			fp->nr_nodes++;
	if (!fp->nr_nodes) {
		rc = log_error_errno(-ENOENT, "fdpass: cannot stat the served node");
		goto err;
	}
	fp->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (fp->stop_fd < 0) {
		rc = log_error_errno(-errno, "fdpass: eventfd: %m");
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
	pthread_mutex_destroy(&fp->lock);
	free(fp);
	return rc;
}

void fdpass_stop(struct fdpass *fp)
{
	uint64_t one = 1;

	if (!fp)
		return;
	if (write(fp->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warning("fdpass: cannot stop the thread: %m");
	pthread_join(fp->thread, NULL);
	pthread_mutex_lock(&fdpass_active_lock);
	fdpass_active = NULL;
	pthread_mutex_unlock(&fdpass_active_lock);
	for (unsigned int i = 0; i < fp->nr_listeners; i++)
		close(fp->listeners[i]);
	for (unsigned int i = 0; i < fp->nr_conns; i++)
		close(fp->conns[i]);
	close(fp->sock);
	unlink(fp->path);
	close(fp->stop_fd);
	pthread_mutex_destroy(&fp->lock);
	free(fp);
}
