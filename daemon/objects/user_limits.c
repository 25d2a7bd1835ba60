// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-user memory accounting; see user_limits.h for what and why. */
#include "objects/user_limits.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

void user_limits_init(struct user_limits *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->max_bytes = USER_LIMITS_DEFAULT_MAX_BYTES;
	l->max_contexts = USER_LIMITS_DEFAULT_MAX_CONTEXTS;
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
static void user_mem_say_over(struct user_mem *um, bool contexts)
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
	if (contexts)
		log_warning("uid %u: over --max-contexts-per-user %u: opens fail with ENOMEM",
			    (unsigned int)um->uid, um->limits->max_contexts);
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
			user_mem_say_over(um, false);
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
		user_mem_say_over(um, true);
		rc = -ENOMEM;
	} else {
		rc = user_mem_charge(um, cost);
	}
	if (!rc)
		um->contexts++;
	else if (!um->contexts && !atomic_load(&um->bytes)) {
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
	if (!--um->contexts && !atomic_load(&um->bytes)) {
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
