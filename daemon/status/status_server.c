// SPDX-License-Identifier: GPL-2.0-or-later
/* See status_server.h for the protocol, who is answered, and the limits. */
#include "status/status_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "core/stats.h"
#include "core/user_limits.h"
#include "private_socket.h"
#include "status/json.h"
#include "status/status_devices.h"

#define STATUS_REQUEST_MAX 256
#define STATUS_REPLY_MAX (16u << 20)
#define STATUS_IO_TIMEOUT_MS 1000
#define STATUS_MAX_GROUPS 65536

struct status_server {
	struct iommufd_daemon *daemon;
	struct status_info info;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino; /* the socket file we created, to remove only ours */
	dev_t dev;
	gid_t group;
	int listen_fd;
	int stop_pipe[2];
	pthread_t thread;
	bool thread_started;
};

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

int status_socket_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (geteuid() == 0)
		n = snprintf(buf, len, "/run/uiommufd/status.sock");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/uiommufd/status.sock", xdg);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

uint64_t status_locked_bytes(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024u;
}

/* /proc/PID/comm, or "?" once the process is gone. */
static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Per-client or total sums over contexts. */
struct status_sum {
	uint64_t contexts, nr_objects, areas, mapped_bytes, pinned_bytes;
	uint64_t objects[IOMMUFD_OBJ_MAX];
};

static void sum_add(struct status_sum *s, const struct iommufd_ctx_stats *c)
{
	s->contexts++;
	s->nr_objects += c->nr_objects;
	s->areas += c->areas;
	s->mapped_bytes += c->mapped_bytes;
	s->pinned_bytes += c->pinned_bytes;
	for (unsigned int t = 0; t < IOMMUFD_OBJ_MAX; t++)
		s->objects[t] += c->objects[t];
}

static void render_sum(struct json_writer *w, const struct status_sum *s)
{
	json_key(w, "contexts");
	json_u64(w, s->contexts);
	json_key(w, "objects");
	json_object_begin(w);
	for (unsigned int t = 0; t < IOMMUFD_OBJ_MAX; t++) {
		const char *name = iommufd_stats_type_name(t);

		if (name && s->objects[t]) {
			json_key(w, name);
			json_u64(w, s->objects[t]);
		}
	}
	json_object_end(w);
	json_key(w, "nr_objects");
	json_u64(w, s->nr_objects);
	json_key(w, "ioas");
	json_u64(w, s->objects[IOMMUFD_OBJ_IOAS]);
	json_key(w, "areas");
	json_u64(w, s->areas);
	json_key(w, "mapped_bytes");
	json_u64(w, s->mapped_bytes);
	json_key(w, "pinned_bytes");
	json_u64(w, s->pinned_bytes);
}

/*
 * What every user is charged: daemon memory, contexts and descriptors
 * (user_limits.h) and pinned pages (pages.c).  Each entry goes with its
 * last charge, so an idle daemon shows zeros: the reliability tests read
 * this after their clients are gone.
 */
static void render_accounts(struct iommufd_daemon *d, struct json_writer *w)
{
	struct user_limits_totals u;
	struct iopt_account_totals p;

	user_limits_totals(&d->user_limits, &u);
	iopt_account_totals(d, &p);
	json_key(w, "accounts");
	json_object_begin(w);
	json_key(w, "users");
	json_u64(w, u.users);
	json_key(w, "user_contexts");
	json_u64(w, u.contexts);
	json_key(w, "user_bytes");
	json_u64(w, u.bytes);
	json_key(w, "user_fds");
	json_u64(w, u.fds);
	json_key(w, "pin_users");
	json_u64(w, p.users);
	json_key(w, "pin_user_pages");
	json_u64(w, p.user_pages);
	json_key(w, "pin_procs");
	json_u64(w, p.procs);
	json_key(w, "pin_proc_pages");
	json_u64(w, p.proc_pages);
	json_object_end(w);
}

int status_render(struct iommufd_daemon *d, const struct status_info *info,
		  struct json_writer *w)
{
	struct iommufd_stats st;
	struct status_sum total = { 0 };
	uint64_t clients = 0;
	int rc = iommufd_stats_snapshot(d, &st);

	if (rc)
		return rc;
	json_object_begin(w);
	json_key(w, "version");
	json_u64(w, 1);
	json_key(w, "daemon");
	json_object_begin(w);
	json_key(w, "pid");
	json_i64(w, getpid());
	json_key(w, "version");
	json_string(w, UIOMMUFD_VERSION);
	json_key(w, "frontend");
	json_string(w, info->frontend);
	json_key(w, "nodes");
	json_array_begin(w);
	for (unsigned int i = 0; i < 2; i++)
		if (info->nodes[i])
			json_string(w, info->nodes[i]);
	json_array_end(w);
	json_key(w, "uptime_s");
	json_u64(w, (monotonic_us() - info->started_us) / 1000000u);
	json_key(w, "locked_bytes");
	json_u64(w, status_locked_bytes());
	json_object_end(w);

	/* The snapshot is sorted by (pid, uid): one client is one run. */
	json_key(w, "clients");
	json_array_begin(w);
	for (size_t i = 0; i < st.nr_ctx;) {
		struct status_sum sum = { 0 };
		const struct iommufd_ctx_stats *c = &st.ctx[i];
		char comm[64];
		size_t j = i;

		while (j < st.nr_ctx && st.ctx[j].pid == c->pid &&
		       st.ctx[j].uid == c->uid)
			sum_add(&sum, &st.ctx[j++]);
		read_comm(c->pid, comm, sizeof(comm));
		json_object_begin(w);
		json_key(w, "pid");
		json_i64(w, c->pid);
		json_key(w, "uid");
		json_u64(w, c->uid);
		json_key(w, "comm");
		json_string(w, comm);
		render_sum(w, &sum);
		json_object_end(w);
		for (; i < j; i++)
			sum_add(&total, &st.ctx[i]);
		clients++;
	}
	json_array_end(w);
	json_key(w, "contexts_omitted");
	json_u64(w, st.nr_ctx_omitted);
	json_key(w, "totals");
	json_object_begin(w);
	json_key(w, "clients");
	json_u64(w, clients);
	render_sum(w, &total);
	json_object_end(w);
	status_render_devices(d, w);
	render_accounts(d, w);
	json_object_end(w);
	iommufd_stats_free(&st);
	return 0;
}

/* root, the daemon's own user, or a member (primary or supplementary) of the group. */
static bool peer_allowed(const struct status_server *s, int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	_cleanup_free_ gid_t *groups = NULL;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0)
		return false;
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (s->group == (gid_t)-1)
		return false;
	if (cred->gid == s->group)
		return true;
	/* SO_PEERGROUPS says how much room it needs with ERANGE. */
	len = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, NULL, &len) < 0 &&
	    errno != ERANGE)
		return false;
	if (!len || len > STATUS_MAX_GROUPS * sizeof(gid_t))
		return false;
	groups = malloc(len);
	if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->group)
			return true;
	return false;
}

/*
 * Sends all of buf; errors are dropped.  A peer that reads slowly gets the
 * socket's send timeout per call and twice that in all, so it cannot hold
 * the (single) status thread.
 */
static void send_all(int fd, const char *buf, size_t len)
{
	uint64_t deadline = monotonic_us() + 2u * STATUS_IO_TIMEOUT_MS * 1000u;

	while (len && monotonic_us() < deadline) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void send_error(int fd, const char *msg)
{
	struct json_writer w;

	json_init(&w, 4096);
	json_object_begin(&w);
	json_key(&w, "error");
	json_string(&w, msg);
	json_object_end(&w);
	if (!json_finish(&w)) {
		send_all(fd, w.buf, w.len);
		send_all(fd, "\n", 1);
	}
	json_free(&w);
}

/* Reads one request line; the whole request must arrive within the timeout. */
static int read_request(int fd, char *buf, size_t len)
{
	uint64_t deadline = monotonic_us() + STATUS_IO_TIMEOUT_MS * 1000u;
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = monotonic_us();
		ssize_t n;
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		n = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
		buf[got] = '\0';
		if (n == 0 || memchr(buf, '\n', got))
			break;
		if (got == len - 1)
			return -EMSGSIZE;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static void serve_one(struct status_server *s, int fd)
{
	struct timeval tv = { .tv_sec = STATUS_IO_TIMEOUT_MS / 1000 };
	char req[STATUS_REQUEST_MAX];
	struct ucred cred = { 0 };
	struct json_writer w;
	int rc;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * The request is read even from a peer about to be refused: closing
	 * with its bytes unread would reset the connection, and the peer would
	 * see ECONNRESET instead of the reason.
	 */
	rc = read_request(fd, req, sizeof(req));
	if (!peer_allowed(s, fd, &cred)) {
		char msg[128];

		log_notice("status socket: refused pid %d uid %u", (int)cred.pid,
			   (unsigned int)cred.uid);
		snprintf(msg, sizeof(msg),
			 "permission denied: uid %u is not root or in the status group",
			 (unsigned int)cred.uid);
		send_error(fd, msg);
		return;
	}
	if (rc) {
		send_error(fd, rc == -EMSGSIZE ? "request too long" : "no request");
		return;
	}
	if (req[0] && strcmp(req, "status")) {
		send_error(fd, "unknown request (try \"status\")");
		return;
	}
	json_init(&w, STATUS_REPLY_MAX);
	rc = status_render(s->daemon, &s->info, &w);
	if (!rc)
		rc = json_finish(&w);
	if (rc) {
		send_error(fd, rc == -E2BIG ? "reply too large" : "out of memory");
	} else {
		send_all(fd, w.buf, w.len);
		send_all(fd, "\n", 1);
	}
	json_free(&w);
}

/*
 * When the daemon's fds run out, accept() fails with the connection still
 * queued, so the listen socket stays readable: polling it again at once
 * would spin.  Leave it alone for a while instead, and say so once.
 */
#define STATUS_ACCEPT_PAUSE_MS 100

static bool accept_error_is_resource(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static void *status_thread(void *arg)
{
	struct status_server *s = arg;
	uint64_t paused_until = 0;
	bool told = false;

	for (;;) {
		uint64_t now = monotonic_us();
		bool paused = paused_until > now;
		struct pollfd p[2] = {
			{ .fd = paused ? -1 : s->listen_fd, .events = POLLIN },
			{ .fd = s->stop_pipe[0], .events = POLLIN },
		};
		int fd;

		if (poll(p, 2, paused ? (int)((paused_until - now + 999) / 1000) : -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("status socket: poll: %m");
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (accept_error_is_resource(errno)) {
				if (!told)
					log_warning("status socket: accept: %m; pausing accepts for %d ms at a time",
						    STATUS_ACCEPT_PAUSE_MS);
				told = true;
				paused_until = monotonic_us() + STATUS_ACCEPT_PAUSE_MS * 1000u;
			}
			continue; /* otherwise the peer went away: next one */
		}
		serve_one(s, fd);
		close(fd);
	}
}

int status_server_start(struct iommufd_daemon *d, const struct status_info *info,
			const char *path, gid_t group, struct status_server **out)
{
	struct status_server *s;
	int rc;

	if (strlen(path) >= sizeof(s->path))
		return log_error_errno(-ENAMETOOLONG, "status socket path too long: %s", path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->daemon = d;
	s->info = *info;
	s->group = group;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0) {
		rc = log_error_errno(-errno, "status socket: %m");
		goto fail;
	}
	/* 0660 root:GROUP with a group, else owner-only: the peer check is the real fence. */
	rc = private_socket_bind(s->listen_fd, path, "--status-socket",
				 group != (gid_t)-1 ? 0660 : 0600, group,
				 &s->dev, &s->ino);
	if (rc)
		goto fail;
	if (listen(s->listen_fd, 16) < 0 || pipe2(s->stop_pipe, O_CLOEXEC) < 0) {
		rc = log_error_errno(-errno, "status socket: %m");
		goto fail;
	}
	rc = -pthread_create(&s->thread, NULL, status_thread, s);
	if (rc) {
		log_error("status socket: cannot start its thread: %s", strerror(-rc));
		goto fail;
	}
	s->thread_started = true;
	*out = s;
	return 0;
fail:
	status_server_stop(s);
	return rc;
}

void status_server_stop(struct status_server *s)
{
	struct stat st;

	if (!s)
		return;
	if (s->thread_started) {
		(void)!write(s->stop_pipe[1], "x", 1);
		pthread_join(s->thread, NULL);
	}
	/* Another daemon may have replaced a socket we lost; leave that one. */
	if (s->ino && stat(s->path, &st) == 0 && st.st_ino == s->ino &&
	    st.st_dev == s->dev)
		unlink(s->path);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	for (int i = 0; i < 2; i++)
		if (s->stop_pipe[i] >= 0)
			close(s->stop_pipe[i]);
	free(s);
}
