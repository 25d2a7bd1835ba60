/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission of ioctls per uid: at most max_active of one uid are served at
 * once; the rest wait in that uid's FIFO as queued items that hold no
 * thread, and each is handed to the worker that finishes one of that uid's
 * requests.  Why: serve_loop.c's theory of operation.
 *
 * Bounds: ADMIT_MAX_QUEUED_PER_UID items of one uid and ADMIT_MAX_QUEUED in
 * all; past either the request is refused with -EAGAIN (each item is a
 * thread blocked in the caller's ioctl(), so only a client that runs that
 * many threads at once ever sees it).
 */
#ifndef UIOMMUFD_ADMIT_H
#define UIOMMUFD_ADMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#define ADMIT_MAX_QUEUED_PER_UID 256u
#define ADMIT_MAX_QUEUED 8192u

/* Embedded first in what a front end queues. */
struct admit_item {
	struct admit_item *next;
};

struct admit_uid;

struct admit {
	pthread_mutex_t lock;
	unsigned int max_active;
	unsigned int nr_queued;
	struct admit_uid *uids; /* uids with requests served or queued */
	/* An entry kept for the next uid: no allocation per request. */
	struct admit_uid *spare;
	bool told_full;
};

void admit_init(struct admit *a, unsigned int max_active);
void admit_fini(struct admit *a);
/* 0: a slot is taken, serve now; 1: uid is at its limit, queue instead. */
int admit_try(struct admit *a, uid_t uid);
/*
 * Queues item behind uid's other waiting requests.  0: queued (it now
 * belongs to the queue); 1: a slot came free meanwhile, it is taken, serve
 * now; -EAGAIN: the queue is full, nothing taken.
 */
int admit_queue(struct admit *a, uid_t uid, struct admit_item *item);
/*
 * A request of uid that held a slot is done.  Returns uid's next queued
 * item, which inherits the slot (the caller serves it, then calls this
 * again), or NULL when none waits (the slot is free).
 */
struct admit_item *admit_done(struct admit *a, uid_t uid);
/* Takes every queued item out, for the stop; returns them as a list. */
struct admit_item *admit_drain(struct admit *a);

#endif
