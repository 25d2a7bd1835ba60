// SPDX-License-Identifier: GPL-2.0-or-later
/* See own_files.h. */
#include "core/own_files.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define OWN_MAX 8
/* Copies waiting to be closed; past this, closed in place (told once). */
#define OWN_CLOSE_MAX 256

struct own_id {
	unsigned int major, minor;
	bool chr;
};

static struct own_id own[OWN_MAX];
static atomic_uint nr_own;
static pthread_mutex_t own_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t own_cv = PTHREAD_COND_INITIALIZER;
static int to_close[OWN_CLOSE_MAX];
static unsigned int nr_to_close;
static bool closer_started, told_full;

static void own_add(unsigned int major, unsigned int minor, bool chr)
{
	pthread_mutex_lock(&own_lock);
	if (atomic_load(&nr_own) < OWN_MAX) {
		own[atomic_load(&nr_own)] = (struct own_id){ major, minor, chr };
		atomic_fetch_add(&nr_own, 1);
	}
	pthread_mutex_unlock(&own_lock);
}

void own_files_add_fs(unsigned int major, unsigned int minor)
{
	own_add(major, minor, false);
}

void own_files_add_chr(unsigned int major, unsigned int minor)
{
	own_add(major, minor, true);
}

static bool own_stx(const struct statx *stx);

bool own_file(int fd)
{
	struct statx stx;

	if (!atomic_load(&nr_own))
		return false;
	/* DONT_SYNC: no GETATTR to whatever FUSE server holds this file. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &stx))
		return false;
	return own_stx(&stx);
}

int own_file_path(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE, &stx))
		return -errno;
	return own_stx(&stx);
}

static bool own_stx(const struct statx *stxp)
{
	const struct statx stx = *stxp;
	unsigned int n = atomic_load(&nr_own);

	for (unsigned int i = 0; i < n; i++) {
		if (own[i].chr && S_ISCHR(stx.stx_mode) &&
		    stx.stx_rdev_major == own[i].major &&
		    stx.stx_rdev_minor == own[i].minor)
			return true;
		if (!own[i].chr && stx.stx_dev_major == own[i].major &&
		    stx.stx_dev_minor == own[i].minor)
			return true;
	}
	return false;
}

static void *closer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&own_lock);
	for (;;) {
		while (!nr_to_close)
			pthread_cond_wait(&own_cv, &own_lock);
		int fd = to_close[--nr_to_close];

		pthread_mutex_unlock(&own_lock);
		close(fd);
		pthread_mutex_lock(&own_lock);
	}
	return NULL;
}

void caller_fd_close(int fd)
{
	pthread_t t;
	bool queued = false;

	if (fd < 0)
		return;
	if (!own_file(fd)) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&own_lock);
	if (!closer_started) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		closer_started = !pthread_create(&t, &attr, closer_main, NULL);
		pthread_attr_destroy(&attr);
	}
	if (closer_started && nr_to_close < OWN_CLOSE_MAX) {
		to_close[nr_to_close++] = fd;
		pthread_cond_signal(&own_cv);
		queued = true;
	} else if (!told_full) {
		told_full = true;
		log_warning("closing a caller's copy of our own node on a serving thread (%s)",
			    closer_started ? "too many waiting" : "no closing thread");
	}
	pthread_mutex_unlock(&own_lock);
	if (!queued)
		close(fd);
}
