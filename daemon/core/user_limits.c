// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-user memory accounting; see user_limits.h for what and why. */
#include "core/user_limits.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "log.h"

void user_limits_init(struct user_limits *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->max_bytes = USER_LIMITS_DEFAULT_MAX_BYTES;
	l->max_contexts = USER_LIMITS_DEFAULT_MAX_CONTEXTS;
	l->max_fds = USER_LIMITS_DEFAULT_MAX_FDS;
}

void user_limits_fini(struct user_limits *l)
{
	for (unsigned int b = 0; b < USER_LIMITS_BUCKETS; b++) {
		while (l->buckets[b]) {
			struct user_mem *um = l->buckets[b];

			l->buckets[b] = um->next;
			free(um);
		}
	}
	pthread_mutex_destroy(&l->lock);
}

static struct user_mem **user_mem_slot(struct user_limits *l, uid_t uid)
{
	struct user_mem **p = &l->buckets[uid % USER_LIMITS_BUCKETS];

	while (*p && (*p)->uid != uid)
		p = &(*p)->next;
	return p;
}

/* One line per uid and minute: a client retrying in a loop must not flood the log. */
enum user_over { OVER_BYTES, OVER_CONTEXTS, OVER_FDS, OVER_ALL_FDS };

static void user_mem_say_over(struct user_mem *um, enum user_over what)
{
	struct timespec ts;
	int64_t now, last;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec + 1; /* never 0, which means "never said" */
	last = atomic_load(&um->last_log_s);
	if (last && now - last < USER_LIMITS_LOG_INTERVAL)
		return;
	if (!atomic_compare_exchange_strong(&um->last_log_s, &last, now))
		return;
	if (what == OVER_CONTEXTS)
		log_warning("uid %u: over --max-contexts-per-user %u: opens fail with ENOMEM",
			    (unsigned int)um->uid, um->limits->max_contexts);
	else if (what == OVER_FDS)
		log_warning("uid %u: over --max-fds-per-user %u descriptors held for it: maps fail with ENOMEM",
			    (unsigned int)um->uid, um->limits->max_fds);
	else if (what == OVER_ALL_FDS)
		log_warning("uid %u: the daemon's descriptors for clients are used up (RLIMIT_NOFILE less %u kept for itself): maps fail with ENOMEM",
			    (unsigned int)um->uid, USER_LIMITS_FD_RESERVE);
	else
		log_warning("uid %u: over --max-user-memory %llu bytes of daemon memory: allocations fail with ENOMEM",
			    (unsigned int)um->uid,
			    (unsigned long long)um->limits->max_bytes);
}

int user_mem_charge(struct user_mem *um, uint64_t bytes)
{
	uint64_t old;

	if (!um || !bytes)
		return 0;
	old = atomic_load(&um->bytes);
	do {
		if (old + bytes < old || old + bytes > um->limits->max_bytes) {
			user_mem_say_over(um, OVER_BYTES);
			return -ENOMEM;
		}
	} while (!atomic_compare_exchange_weak(&um->bytes, &old, old + bytes));
	return 0;
}

void user_mem_uncharge(struct user_mem *um, uint64_t bytes)
{
	if (um && bytes)
		atomic_fetch_sub(&um->bytes, bytes);
}

/* The descriptors all clients together may hold: RLIMIT_NOFILE less a reserve. */
static unsigned int user_fds_room(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > (1u << 30))
		return 1u << 30;
	if (rl.rlim_cur < 2 * USER_LIMITS_FD_RESERVE)
		return (unsigned int)rl.rlim_cur / 2;
	return (unsigned int)rl.rlim_cur - USER_LIMITS_FD_RESERVE;
}

int user_fds_charge(struct user_mem *um, unsigned int n)
{
	struct user_limits *l;
	unsigned int old, room;

	if (!um || !n)
		return 0;
	l = um->limits;
	old = atomic_load(&um->fds);
	do {
		if (old + n > l->max_fds) {
			user_mem_say_over(um, OVER_FDS);
			return -ENOMEM;
		}
	} while (!atomic_compare_exchange_weak(&um->fds, &old, old + n));
	room = user_fds_room();
	old = atomic_load(&l->fds);
	do {
		if (old + n > room) {
			atomic_fetch_sub(&um->fds, n);
			user_mem_say_over(um, OVER_ALL_FDS);
			return -ENOMEM;
		}
	} while (!atomic_compare_exchange_weak(&l->fds, &old, old + n));
	return 0;
}

void user_fds_uncharge(struct user_mem *um, unsigned int n)
{
	if (um && n) {
		atomic_fetch_sub(&um->fds, n);
		atomic_fetch_sub(&um->limits->fds, n);
	}
}

int user_mem_open(struct user_limits *l, uid_t uid, uint64_t cost,
		  struct user_mem **out)
{
	struct user_mem **slot, *um;
	int rc;

	pthread_mutex_lock(&l->lock);
	slot = user_mem_slot(l, uid);
	um = *slot;
	if (!um) {
		um = calloc(1, sizeof(*um));
		if (!um) {
			pthread_mutex_unlock(&l->lock);
			return -ENOMEM;
		}
		um->limits = l;
		um->uid = uid;
		*slot = um;
	}
	if (um->contexts >= l->max_contexts) {
		user_mem_say_over(um, OVER_CONTEXTS);
		rc = -ENOMEM;
	} else {
		rc = user_mem_charge(um, cost);
	}
	if (!rc)
		um->contexts++;
	else if (!um->contexts && !atomic_load(&um->bytes) &&
		 !atomic_load(&um->fds)) {
		*slot = um->next;
		free(um);
	}
	pthread_mutex_unlock(&l->lock);
	if (!rc)
		*out = um;
	return rc;
}

void user_mem_close(struct user_mem *um, uint64_t cost)
{
	struct user_limits *l;

	if (!um)
		return;
	l = um->limits;
	user_mem_uncharge(um, cost);
	pthread_mutex_lock(&l->lock);
	/*
	 * The last context gone and nothing charged: forget the user.  An
	 * entry still charged stays (and is found again) until it drains.
	 */
	if (!--um->contexts && !atomic_load(&um->bytes) &&
	    !atomic_load(&um->fds)) {
		struct user_mem **slot = user_mem_slot(l, um->uid);

		*slot = um->next;
		free(um);
	}
	pthread_mutex_unlock(&l->lock);
}

uint64_t user_limits_bytes(struct user_limits *l, uid_t uid)
{
	struct user_mem *um;
	uint64_t bytes = 0;

	pthread_mutex_lock(&l->lock);
	um = *user_mem_slot(l, uid);
	if (um)
		bytes = atomic_load(&um->bytes);
	pthread_mutex_unlock(&l->lock);
	return bytes;
}

void user_limits_totals(struct user_limits *l, struct user_limits_totals *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&l->lock);
	for (unsigned int b = 0; b < USER_LIMITS_BUCKETS; b++) {
		for (struct user_mem *um = l->buckets[b]; um; um = um->next) {
			t->users++;
			t->contexts += um->contexts;
			t->bytes += atomic_load(&um->bytes);
			t->fds += atomic_load(&um->fds);
		}
	}
	pthread_mutex_unlock(&l->lock);
}
