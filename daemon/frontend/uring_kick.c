// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kicks for the ring queues: after a queue registered a new entry, one
 * cheap request of our own, made from that queue's CPU, so that a request
 * which went pending meanwhile is handed to an entry.
 *
 * Why (fs/fuse/dev_uring.c, Linux 6.14 to 6.19): a request that finds no
 * available entry on its CPU's queue is put on that queue's list of
 * pending requests, and only COMMIT_AND_FETCH on that queue takes from the
 * list; a REGISTER merely makes its entry available to the next request
 * that arrives.  So when a queue's last available entry takes a request
 * that never finishes (a caller's argument in a page of its own stuck FUSE
 * mount), another caller's request arriving before the replacement worker
 * registered waits until some other request of that CPU is committed:
 * on a quiet CPU, for ever.  Our kick is a request that arrives after the
 * registration: it takes the new entry (the kernel hands a new request to
 * an available entry before looking at the list) and is answered at once,
 * and the commit of its reply takes the oldest pending request, whose
 * commit takes the next one.
 *
 * The kick is statfs(2) on the FUSE file (STATFS, answered by libfuse
 * itself, no file held) or an open and close of the CUSE node (OPEN and a
 * synchronous RELEASE: CUSE has nothing lighter).  It runs on kick threads
 * pinned to the queue's CPU, never on a serving thread: a serving thread
 * waiting for a request of its own would wait for a worker like itself.
 * A kick may itself go pending (the new entry taken by another stuck
 * request before the kick arrived); the next registration then kicks from
 * another kick thread, up to URING_KICKERS per queue, after which further
 * kicks wait for one to come back.  Kick threads are detached and hold a
 * reference to this state: one whose request waits when the loop is freed
 * returns when the session ends (the kernel ends every request of a
 * closed connection).
 */
#include "frontend/uring_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"

/* Kick threads of one queue at most (see the top). */
#define URING_KICKERS 4u

struct uring_kick {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	atomic_uint refs;
	unsigned int cpu;
	bool cuse;
	bool stop;		    /* under lock */
	unsigned long long wanted;  /* kicks asked for, under lock */
	unsigned long long started; /* the wanted a kick last began for */
	unsigned int nr_threads, nr_busy;
	bool told_full, told_unpinned;
	atomic_ullong done; /* kicks made (the log line at the stop) */
	char path[];
};

static void kick_put(struct uring_kick *k)
{
	if (atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* One request to ourselves from this CPU; its result does not matter. */
static void kick_once(struct uring_kick *k)
{
	if (k->cuse) {
		int fd = open(k->path, O_RDWR | O_CLOEXEC | O_NOCTTY);

		if (fd >= 0)
			close(fd);
	} else {
		struct statfs sfs;

		(void)statfs(k->path, &sfs);
	}
	atomic_fetch_add(&k->done, 1);
}

static void *kick_main(void *arg)
{
	struct uring_kick *k = arg;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		while (!k->stop && k->started >= k->wanted)
			pthread_cond_wait(&k->cv, &k->lock);
		if (k->stop)
			break;
		/* This kick comes after every registration asked so far. */
		k->started = k->wanted;
		k->nr_busy++;
		pthread_mutex_unlock(&k->lock);
		kick_once(k);
		pthread_mutex_lock(&k->lock);
		k->nr_busy--;
		pthread_cond_broadcast(&k->cv);
	}
	k->nr_threads--;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->lock);
	kick_put(k);
	return NULL;
}

/* Under k->lock: one more kick thread, pinned to k->cpu; 0 or -errno. */
static int kick_spawn_locked(struct uring_kick *k)
{
	pthread_attr_t attr;
	pthread_t t;
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	CPU_ZERO(&set);
	CPU_SET(k->cpu, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	atomic_fetch_add(&k->refs, 1);
	rc = pthread_create(&t, &attr, kick_main, k);
	pthread_attr_destroy(&attr);
	if (rc) {
		atomic_fetch_sub(&k->refs, 1);
		/*
		 * EINVAL: that CPU is not ours.  Requests from it come only
		 * from callers running there; an unpinned kick would reach
		 * another queue, so there is nothing to do for it.
		 */
		if (rc == EINVAL && !k->told_unpinned)
			log_notice("io_uring queue %u: cannot run on CPU %u: no kicks for it",
				   k->cpu, k->cpu);
		if (rc == EINVAL)
			k->told_unpinned = true;
		return -rc;
	}
	k->nr_threads++;
	return 0;
}

int uring_kick_new(unsigned int cpu, bool cuse, const char *path,
		   struct uring_kick **out)
{
	size_t len = strlen(path);
	struct uring_kick *k = calloc(1, sizeof(*k) + len + 1);

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cv, NULL);
	atomic_init(&k->refs, 1);
	k->cpu = cpu;
	k->cuse = cuse;
	memcpy(k->path, path, len + 1);
	*out = k;
	return 0;
}

void uring_kick(struct uring_kick *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	if (k->stop)
		goto out;
	k->wanted++;
	/* A thread that is not inside a kick takes it. */
	if (k->nr_busy < k->nr_threads) {
		pthread_cond_signal(&k->cv);
		goto out;
	}
	if (k->nr_threads >= URING_KICKERS) {
		/* Taken by the first one back (it sees wanted > started). */
		if (!k->told_full)
			log_warning("io_uring queue %u: %u kicks wait in the kernel; more wait for them",
				    k->cpu, k->nr_threads);
		k->told_full = true;
		goto out;
	}
	if (kick_spawn_locked(k) == 0)
		pthread_cond_signal(&k->cv);
out:
	pthread_mutex_unlock(&k->lock);
}

bool uring_kick_stop(struct uring_kick *k, unsigned long long until_us)
{
	bool idle;

	if (!k)
		return true;
	pthread_mutex_lock(&k->lock);
	/* Waited for once: a kick still out then waits in the kernel. */
	if (k->stop)
		until_us = 0;
	k->stop = true;
	pthread_cond_broadcast(&k->cv);
	/*
	 * A kick inside its request is served by the fast workers, which
	 * still run: let it come back before they stop, so that no request
	 * of ours is left in an entry nobody serves.
	 */
	while (k->nr_busy && monotonic_us() < until_us) {
		pthread_mutex_unlock(&k->lock);
		usleep(2000);
		pthread_mutex_lock(&k->lock);
	}
	idle = !k->nr_busy;
	pthread_mutex_unlock(&k->lock);
	return idle;
}

unsigned long long uring_kick_done(struct uring_kick *k)
{
	return k ? atomic_load(&k->done) : 0;
}

void uring_kick_free(struct uring_kick *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->lock);
	kick_put(k);
}
