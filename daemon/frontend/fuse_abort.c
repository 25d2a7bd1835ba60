// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * See fuse_abort.h.  A connection is named by the kernel's dev_t of its
 * super block ((major << 20) | minor, the number under
 * /sys/fs/fuse/connections), which is also the device of its files in
 * /proc/TID/maps.  The mapping is found in the text of /proc/TID/maps
 * (read with getline(), so no line length limit): this runs once, at the
 * stop, for the few stuck requests, and PROCMAP_QUERY would save a little
 * parsing for a second code path.
 */
#include "frontend/fuse_abort.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

#define FUSECTL_DIR "/sys/fs/fuse/connections"
#define FUSECTL_MAGIC 0x65735543
/* The daemon's own mounts: one --fuse directory today. */
#define OWN_MAX 4
/* Connections aborted by this process, so that each is logged once. */
#define DONE_MAX 128

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctl_fd = -1; /* the fusectl directory, under state_lock */
static unsigned int own[OWN_MAX], nr_own;
static unsigned int done[DONE_MAX], nr_done;

/* ---- the daemon's own mount --------------------------------------------- */

/* mountinfo escapes blanks and backslashes as \ooo; in place. */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* The connection of the topmost FUSE mount at dir in our namespace. */
static int own_mount_conn(const char *dir, unsigned int *conn)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	/* Later lines are mounted on top of earlier ones: keep the last. */
	while (getline(&line, &cap, f) > 0) {
		unsigned int ma, mi;
		int at = 0;
		char *mnt, *sep;

		/* id parent maj:min root mountpoint opts [tags] - type ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %n", &ma, &mi, &at) != 2 ||
		    !at)
			continue;
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "fuse", 4))
			continue;
		mnt = line + at;
		mnt[strcspn(mnt, " ")] = '\0';
		unescape_octal(mnt);
		if (!strcmp(mnt, dir)) {
			*conn = (ma << 20) | mi;
			rc = 0;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* Where fusectl is not mounted: a mount of it only this thread sees. */
static void *private_fusectl(void *arg)
{
	int *out = arg;

	/* Our copy of the mounts must not pass the new one back. */
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("fusectl", FUSECTL_DIR, "fusectl",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		*out = -errno;
		return NULL;
	}
	/* The fd keeps that mount (and fusectl's super block) alive. */
	*out = open(FUSECTL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*out < 0)
		*out = -errno;
	return NULL;
}

static bool is_fusectl(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == FUSECTL_MAGIC;
}

static int open_fusectl(void)
{
	int fd = open(FUSECTL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pthread_t t;

	if (fd >= 0 && is_fusectl(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	fd = -ENOSYS;
	/* unshare() changes the thread's namespace: not ours, a throwaway's. */
	if (pthread_create(&t, NULL, private_fusectl, &fd))
		return -EAGAIN;
	pthread_join(t, NULL);
	if (fd >= 0 && !is_fusectl(fd)) {
		close(fd);
		fd = -ENOTDIR;
	}
	return fd;
}

void fuse_abort_init(const char *dir)
{
	unsigned int conn = 0;
	int fd = open_fusectl();

	pthread_mutex_lock(&state_lock);
	if (dir && nr_own < OWN_MAX) {
		if (!own_mount_conn(dir, &conn))
			own[nr_own++] = conn;
		else
			log_warning("cannot find our own FUSE mount at %s in /proc/self/mountinfo", dir);
	}
	if (ctl_fd < 0 && fd >= 0) {
		ctl_fd = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&state_lock);
	if (fd >= 0)
		close(fd);
	else if (fd < 0 && ctl_fd < 0)
		log_notice("no fusectl at " FUSECTL_DIR " (%s): a stop cannot abort a client's FUSE connection that a request is stuck on",
			   strerror(-fd));
}

/* ---- one connection ----------------------------------------------------- */

static bool conn_is_own(unsigned int conn)
{
	bool r = false;

	pthread_mutex_lock(&state_lock);
	for (unsigned int i = 0; i < nr_own; i++)
		r |= own[i] == conn;
	pthread_mutex_unlock(&state_lock);
	return r;
}

/* Claims conn for an abort; false if this process aborted it already. */
static bool conn_claim(unsigned int conn)
{
	bool fresh = true;

	pthread_mutex_lock(&state_lock);
	for (unsigned int i = 0; i < nr_done; i++)
		fresh &= done[i] != conn;
	if (fresh && nr_done < DONE_MAX)
		done[nr_done++] = conn;
	pthread_mutex_unlock(&state_lock);
	return fresh;
}

/* The owner of connection conn, or -ENOENT: not a FUSE connection. */
static int conn_owner(int dfd, unsigned int conn, uid_t *uid)
{
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "%u/abort", conn);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	*uid = st.st_uid;
	return 0;
}

static long conn_waiting(int dfd, unsigned int conn)
{
	char name[32], buf[32];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "%u/waiting", conn);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int conn_abort(int dfd, unsigned int conn)
{
	char name[32];
	int fd, rc;

	snprintf(name, sizeof(name), "%u/abort", conn);
	fd = openat(dfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	rc = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	return rc;
}

/* ---- the two passes ----------------------------------------------------- */

/* The device (major, minor) of the mapping holding addr in tid's maps. */
static int maps_dev_of(pid_t tid, uint64_t addr, unsigned int *maj,
		       unsigned int *min)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		uint64_t start, end;

		/* start-end perms offset major:minor inode [path] */
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %x:%x", &start,
			   &end, maj, min) != 4)
			continue;
		if (addr >= start && addr < end) {
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* The connection of the page at s->addr, if s->uid owns it. */
static int abort_page(int dfd, const struct fuse_abort_stuck *s)
{
	unsigned int maj, min, conn;
	uid_t owner;
	int rc;

	if (s->tid <= 0 || !s->addr)
		return -ESRCH;
	rc = maps_dev_of(s->tid, s->addr, &maj, &min);
	if (rc)
		return rc;
	conn = (maj << 20) | min;
	/* No fusectl entry: not a FUSE page (a device's dev_t is never one). */
	rc = conn_owner(dfd, conn, &owner);
	if (rc)
		return rc;
	if (owner != s->uid || conn_is_own(conn))
		return -EPERM;
	if (!conn_claim(conn))
		return 0;
	rc = conn_abort(dfd, conn);
	if (rc)
		return rc;
	log_notice("stop: aborted FUSE connection %u, owned by uid %u, whose page at 0x%" PRIx64 " a request of pid %d waited on",
		   conn, (unsigned int)owner, s->addr, (int)s->tid);
	return 1;
}

/*
 * Whether uid is a stuck caller's.  Never root: root's FUSE mounts are the
 * system's (lxcfs, other services, other instances of this daemon), busy
 * as a matter of course, and a root client is no attacker to defeat; its
 * exact page is still aborted by the first pass.
 */
static bool uid_listed(const struct fuse_abort_stuck *s, unsigned int n,
		       uid_t uid)
{
	if (uid == 0)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (s[i].uid == uid)
			return true;
	return false;
}

/* Every connection of a stuck uid with requests waiting. */
static int abort_waiting(int dfd, const struct fuse_abort_stuck *s,
			 unsigned int n)
{
	int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int aborted = 0;
	DIR *dir;

	if (lfd < 0)
		return -errno;
	dir = fdopendir(lfd);
	if (!dir) {
		close(lfd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		unsigned long v;
		unsigned int conn;
		long waiting;
		uid_t owner;
		char *end;

		errno = 0;
		v = strtoul(de->d_name, &end, 10);
		if (errno || *end || end == de->d_name || v > UINT_MAX)
			continue;
		conn = (unsigned int)v;
		if (conn_owner(dfd, conn, &owner) || !uid_listed(s, n, owner) ||
		    conn_is_own(conn))
			continue;
		waiting = conn_waiting(dfd, conn);
		if (waiting <= 0 || !conn_claim(conn))
			continue;
		if (conn_abort(dfd, conn)) {
			log_warning("stop: cannot abort FUSE connection %u of uid %u: %m",
				    conn, (unsigned int)owner);
			continue;
		}
		log_notice("stop: aborted FUSE connection %u, owned by uid %u, with %ld request%s waiting: a request of that uid is still stuck",
			   conn, (unsigned int)owner, waiting,
			   waiting == 1 ? "" : "s");
		aborted++;
	}
	closedir(dir);
	return aborted;
}

/* ---- the helper thread -------------------------------------------------- */

struct abort_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int refs; /* the waiter and the helper; under lock */
	bool finished;
	int result;
	bool every_waiting;
	int dfd;
	unsigned int n;
	struct fuse_abort_stuck s[];
};

static void job_put(struct abort_job *job)
{
	bool last;

	pthread_mutex_lock(&job->lock);
	last = --job->refs == 0;
	pthread_mutex_unlock(&job->lock);
	if (!last)
		return;
	pthread_cond_destroy(&job->cond);
	pthread_mutex_destroy(&job->lock);
	close(job->dfd);
	free(job);
}

static void *abort_helper(void *arg)
{
	struct abort_job *job = arg;
	int result = 0;

	if (job->every_waiting) {
		result = abort_waiting(job->dfd, job->s, job->n);
	} else {
		for (unsigned int i = 0; i < job->n; i++) {
			int rc = abort_page(job->dfd, &job->s[i]);

			if (rc > 0)
				result += rc;
			else if (rc < 0)
				log_debug("stop: no FUSE page of pid %d to abort: %s",
					  (int)job->s[i].tid, strerror(-rc));
		}
	}
	pthread_mutex_lock(&job->lock);
	job->result = result;
	job->finished = true;
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return NULL;
}

int fuse_abort_stuck(const struct fuse_abort_stuck *s, unsigned int n,
		     bool every_waiting, unsigned long long deadline_us)
{
	struct abort_job *job;
	pthread_condattr_t ca;
	pthread_attr_t attr;
	int rc, dfd;

	if (!n)
		return 0;
	pthread_mutex_lock(&state_lock);
	dfd = ctl_fd >= 0 ? fcntl(ctl_fd, F_DUPFD_CLOEXEC, 0) : -ENOENT;
	pthread_mutex_unlock(&state_lock);
	if (dfd < 0)
		return dfd == -ENOENT ? -ENOENT : -errno;
	job = calloc(1, sizeof(*job) + n * sizeof(*s));
	if (!job) {
		close(dfd);
		return -ENOMEM;
	}
	pthread_mutex_init(&job->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&job->cond, &ca);
	pthread_condattr_destroy(&ca);
	job->refs = 2;
	job->every_waiting = every_waiting;
	job->dfd = dfd;
	job->n = n;
	memcpy(job->s, s, n * sizeof(*s));

	/* Detached: one stuck in a lookup must not hold up the stop. */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	{
		pthread_t t;

		rc = pthread_create(&t, &attr, abort_helper, job);
	}
	pthread_attr_destroy(&attr);
	if (rc) {
		job->refs = 1;
		job_put(job);
		return -rc;
	}

	pthread_mutex_lock(&job->lock);
	while (!job->finished) {
		unsigned long long now = monotonic_us();
		struct timespec ts;

		if (now >= deadline_us)
			break;
		clock_deadline(CLOCK_MONOTONIC, deadline_us - now, &ts);
		pthread_cond_timedwait(&job->cond, &job->lock, &ts);
	}
	rc = job->finished ? job->result : -ETIMEDOUT;
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return rc;
}
