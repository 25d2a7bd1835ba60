/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixed pool of threads serving one FUSE/CUSE session.  Each worker reads a
 * request from the session's fd and answers it; the kernel hands each request
 * to exactly one reader, so the pool needs no queue of its own.  A request of
 * one context never waits for another context's (each has its own lock).
 */
#ifndef UIOMMUFD_SERVE_LOOP_H
#define UIOMMUFD_SERVE_LOOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct fuse_session;

struct serve_worker {
	pthread_t thread;
	struct serve_loop *loop;
	/* CLOCK_MONOTONIC µs when the current request began, 0 when idle. */
	_Atomic unsigned long long busy_since;
	bool started;
};

struct serve_loop {
	struct fuse_session *se;
	unsigned int nr_workers;
	struct serve_worker *workers;
	atomic_bool stop;
};

int serve_loop_start(struct serve_loop *loop, struct fuse_session *se,
		     unsigned int nr_workers);
/* Asks the workers to finish the request they hold and return; waits. */
void serve_loop_stop(struct serve_loop *loop);
bool serve_loop_stalled(struct serve_loop *loop, unsigned long long max_us);
unsigned long long monotonic_us(void);

#endif
