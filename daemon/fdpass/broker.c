// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fd-passing handshake's receiver, in a process of its own.
 *
 * A launcher sends its seccomp listener with SCM_RIGHTS, and anyone may
 * connect to a root daemon's socket: what arrives can be any file,
 * including one on the sender's own FUSE mount.  Every close() of such a
 * file sends FUSE_FLUSH and waits for the answer uninterruptibly; a hostile
 * server never answers.  Once a file is in a process's fd table nothing
 * removes it without that close, not even the process's exit, so a daemon
 * that received one could neither drop it nor exit.  The message is
 * therefore received here: the broker, forked at start before any client
 * could have handed the daemon a file, forks one short-lived child per
 * handshake; the child receives, checks that the file is a seccomp
 * listener (readlink of its own /proc/self/fd entry: nobody else changes a
 * root process's table) and forwards only a listener to the daemon.  A
 * child stuck closing something else is a process of its own: the daemon's
 * exit never waits for it, and it ends when its FUSE server does.
 *
 * Both processes are made with the raw clone system call and use only
 * system calls afterwards: the daemon is multithreaded (and may run under
 * a sanitizer), so no library state is trusted in a forked child.
 *
 * Limits: BROKER_MAX_KIDS children at once, BROKER_KIDS_PER_UID of them
 * for one launcher uid (a child stuck for ever counts for ever); beyond
 * them the job is refused (the daemon's reply socket reads end of file).
 */
#include "fdpass/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BROKER_MAX_KIDS 32
#define BROKER_KIDS_PER_UID 2
/* How long a child waits for the launcher's message. */
#define BROKER_RECV_MS 1500

static pid_t broker_fork(void)
{
	/* No atfork handlers, no allocator locks: a bare copy of the caller. */
	return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

/* Closes every fd but keep (no library call: see above). */
static void broker_close_all_but(int keep)
{
	if (keep > 0)
		syscall(SYS_close_range, 0U, (unsigned int)keep - 1, 0U);
	if (syscall(SYS_close_range, (unsigned int)keep + 1, ~0U, 0U) < 0)
		for (int fd = keep + 1; fd < 65536; fd++)
			close(fd);
}

static int broker_is_listener(int fd)
{
	char path[32] = "/proc/self/fd/", digits[12], target[64];
	size_t at = strlen(path);
	int nd = 0;
	ssize_t n;

	do {
		digits[nd++] = (char)('0' + fd % 10);
		fd /= 10;
	} while (fd && nd < (int)sizeof(digits));
	while (nd)
		path[at++] = digits[--nd];
	path[at] = 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = 0;
	return !strcmp(target, "anon_inode:seccomp notify");
}

/* One handshake, in a child of the broker; never returns. */
static void __attribute__((noreturn)) broker_handshake(int conn, int reply)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf, obuf;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct pollfd p = { .fd = conn, .events = POLLIN };
	uint8_t status = EINVAL;
	int fd = -1;
	ssize_t n = -1;

	if (poll(&p, 1, BROKER_RECV_MS) == 1)
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n > 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	}
	if (fd >= 0 && broker_is_listener(fd))
		status = 0;
	if (n > 0) {
		struct iovec oiov = { &status, 1 };
		struct msghdr out = { .msg_iov = &oiov, .msg_iovlen = 1 };

		if (!status) {
			struct cmsghdr *c;

			memset(&obuf, 0, sizeof(obuf));
			out.msg_control = obuf.buf;
			out.msg_controllen = sizeof(obuf.buf);
			c = CMSG_FIRSTHDR(&out);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		(void)sendmsg(reply, &out, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	/* A file that is not a listener may wait in its FLUSH here, alone. */
	_exit(0);
}

struct broker_kid {
	pid_t pid;
	uid_t uid;
};

static void __attribute__((noreturn)) broker_main(int s, pid_t parent)
{
	struct broker_kid kids[BROKER_MAX_KIDS];
	unsigned int nr = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	broker_close_all_but(s);
	signal(SIGCHLD, SIG_DFL);
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(2 * sizeof(int))];
		} cbuf;
		uid_t uid;
		struct iovec iov = { &uid, sizeof(uid) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
		};
		int fds[2] = { -1, -1 }, status;
		unsigned int same = 0;
		ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
		struct cmsghdr *c;
		pid_t pid;

		if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);	/* the daemon is gone */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (unsigned int i = 0; i < nr; i++)
				if (kids[i].pid == pid) {
					kids[i] = kids[--nr];
					break;
				}
		c = n == sizeof(uid) ? CMSG_FIRSTHDR(&msg) : NULL;
		if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len != CMSG_LEN(2 * sizeof(int)))
			continue;	/* from the daemon: cannot happen */
		memcpy(fds, CMSG_DATA(c), sizeof(fds));
		for (unsigned int i = 0; i < nr; i++)
			same += kids[i].uid == uid;
		pid = nr < BROKER_MAX_KIDS && same < BROKER_KIDS_PER_UID ?
			      broker_fork() : -1;
		if (pid == 0) {
			close(s);
			broker_handshake(fds[0], fds[1]);
		}
		if (pid > 0)
			kids[nr++] = (struct broker_kid){ pid, uid };
		/* Sockets only: nothing here can wait on a client's server. */
		close(fds[0]);
		close(fds[1]);
	}
}

int broker_start(int *sock)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	*sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = broker_fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0)
		broker_main(sv[1], parent);
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
		int err = -errno;

		close(sv[0]);
		return err;
	}
	*sock = sv[0];
	return 0;
}

int broker_submit(int sock, int conn, int reply, uid_t uid)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cbuf;
	int fds[2] = { conn, reply };
	struct iovec iov = { &uid, sizeof(uid) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c;

	memset(&cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}
