// SPDX-License-Identifier: GPL-2.0-or-later
/* See admit.h. */
#include "frontend/admit.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

struct admit_uid {
	struct admit_uid *next;
	uid_t uid;
	unsigned int active;
	unsigned int queued;
	struct admit_item *head, **tail;
};

void admit_init(struct admit *a, unsigned int max_active)
{
	pthread_mutex_init(&a->lock, NULL);
	a->max_active = max_active ? max_active : 1;
	a->nr_queued = 0;
	a->uids = NULL;
	a->spare = NULL;
	a->told_full = false;
}

void admit_fini(struct admit *a)
{
	while (a->uids) {
		struct admit_uid *u = a->uids;

		a->uids = u->next;
		free(u);
	}
	free(a->spare);
	pthread_mutex_destroy(&a->lock);
}

/*
 * The list holds only uids with requests in flight or waiting: as many as
 * there are workers plus queued items, so a walk is short.
 */
static struct admit_uid **admit_find(struct admit *a, uid_t uid)
{
	struct admit_uid **pu = &a->uids;

	while (*pu && (*pu)->uid != uid)
		pu = &(*pu)->next;
	return pu;
}

/* uid's entry, made if missing; *result NULL when out of memory. */
static struct admit_uid **admit_get_locked(struct admit *a, uid_t uid)
{
	struct admit_uid **pu = admit_find(a, uid);

	if (!*pu) {
		struct admit_uid *u = a->spare ? a->spare : malloc(sizeof(*u));

		a->spare = NULL;
		if (u) {
			*u = (struct admit_uid){ .uid = uid };
			u->tail = &u->head;
			*pu = u;
		}
	}
	return pu;
}

static void admit_put_locked(struct admit *a, struct admit_uid **pu)
{
	struct admit_uid *u = *pu;

	if (u->active || u->queued)
		return;
	*pu = u->next;
	if (a->spare)
		free(u);
	else
		a->spare = u;
}

/*
 * Takes one of u's slots if one is free and none of its requests waits
 * (a newcomer must not overtake them); under a->lock.
 */
static bool admit_take_locked(const struct admit *a, struct admit_uid *u)
{
	if (u->active >= a->max_active || u->queued)
		return false;
	u->active++;
	return true;
}

int admit_try(struct admit *a, uid_t uid)
{
	struct admit_uid *u;
	int rc;

	pthread_mutex_lock(&a->lock);
	u = *admit_get_locked(a, uid);
	/* Without memory for the bookkeeping: serve, uncounted. */
	rc = u && !admit_take_locked(a, u);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int admit_queue(struct admit *a, uid_t uid, struct admit_item *item)
{
	struct admit_uid **pu, *u;
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	u = *(pu = admit_get_locked(a, uid));
	if (!u) {
		pthread_mutex_unlock(&a->lock);
		return -EAGAIN;
	}
	if (admit_take_locked(a, u)) {
		rc = 1;
	} else if (u->queued >= ADMIT_MAX_QUEUED_PER_UID ||
		   a->nr_queued >= ADMIT_MAX_QUEUED) {
		if (!a->told_full)
			log_warning("uid %u: %u requests waiting (%u in all): refusing more with EAGAIN",
				    (unsigned int)uid, u->queued, a->nr_queued);
		a->told_full = true;
		admit_put_locked(a, pu);
		rc = -EAGAIN;
	} else {
		item->next = NULL;
		*u->tail = item;
		u->tail = &item->next;
		u->queued++;
		a->nr_queued++;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

struct admit_item *admit_done(struct admit *a, uid_t uid)
{
	struct admit_item *item = NULL;
	struct admit_uid **pu, *u;

	pthread_mutex_lock(&a->lock);
	pu = admit_find(a, uid);
	u = *pu;
	if (u && u->head) {
		item = u->head;
		u->head = item->next;
		if (!u->head)
			u->tail = &u->head;
		u->queued--;
		a->nr_queued--;
	} else if (u) {
		if (u->active)
			u->active--;
		admit_put_locked(a, pu);
	}
	pthread_mutex_unlock(&a->lock);
	return item;
}

struct admit_item *admit_drain(struct admit *a)
{
	struct admit_item *list = NULL, **tail = &list;

	pthread_mutex_lock(&a->lock);
	for (struct admit_uid **pu = &a->uids; *pu;) {
		struct admit_uid *u = *pu;

		if (u->head) {
			*tail = u->head;
			tail = u->tail;
		}
		a->nr_queued -= u->queued;
		u->head = NULL;
		u->tail = &u->head;
		u->queued = 0;
		if (!u->active) {
			*pu = u->next;
			free(u);
		} else {
			pu = &u->next;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return list;
}
