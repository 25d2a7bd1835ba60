/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The threads serving one FUSE/CUSE session: a pool that grows so that a
 * reader always waits on the session fd (up to a maximum), and shrinks back
 * when readers are idle.  The kernel hands each request to exactly one
 * reader, so the pool needs no queue of its own; the per-uid queue that
 * bounds what one user's stuck requests can hold is in admit.h.  The theory
 * of operation is at the top of serve_loop.c.
 */
#ifndef UIOMMUFD_SERVE_LOOP_H
#define UIOMMUFD_SERVE_LOOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "clock.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fuse_session;
struct serve_loop;
struct serve_worker;

/*
 * Where a pool's workers take requests from: the session fd (the classic
 * loop, serve_loop_start()) or a FUSE-over-io_uring queue (uring_loop.c).
 */
struct serve_source {
	/*
	 * Waits for the next request, at most idle_ms (-1: no limit), and
	 * keeps it in the worker (w->job).  1: one is there; 0: idle
	 * that long; -EINTR or -EAGAIN: look again (the stop's poke); another
	 * negative errno: the session ended.
	 */
	int (*receive)(struct serve_loop *loop, struct serve_worker *w,
		       int idle_ms);
	/* Serves the request receive() kept. */
	void (*process)(struct serve_loop *loop, struct serve_worker *w);
	/* Wakes every worker waiting in receive(), for the stop. */
	void (*wake)(struct serve_loop *loop);
	/* Frees w->job when the worker leaves (optional). */
	void (*worker_exit)(struct serve_worker *w);
	/*
	 * Workers beyond min_threads stay when idle (a FUSE ring entry cannot
	 * be taken back from the kernel, uring_fast.c).
	 */
	bool keep_workers;
};

struct serve_worker {
	struct serve_worker *next, **pprev; /* loop->workers, under loop->lock */
	struct serve_loop *loop;
	pthread_t thread;
	atomic_bool reading; /* waiting in read(2) on the session fd */
	/* CLOCK_MONOTONIC µs when the current request began, 0 when idle. */
	_Atomic unsigned long long busy_since;
	/* CLOCK_MONOTONIC µs since when it waits for a request, 0 in one. */
	_Atomic unsigned long long idle_since;
	/* What it serves, for the stop's last word (serve_loop_note()). */
	_Atomic unsigned int cmd;
	_Atomic pid_t pid;
	_Atomic uid_t uid;
	/* The caller address it last said it touches (serve_loop_note_addr()). */
	_Atomic uint64_t addr;
	/* The source's per-worker state: the request receive() took. */
	void *job;
};

/*
 * The lock guards the list of workers and their number (a worker starting
 * or leaving); a request's path touches only the atomics, so that workers
 * never wait for each other between requests.
 */
struct serve_loop {
	struct fuse_session *se;
	const struct serve_source *src;
	void *src_arg; /* the source's own state */
	int cpu;       /* workers are pinned to this CPU; -1: not pinned */
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a worker left */
	struct serve_worker *workers;
	_Atomic unsigned int nr_threads; /* written under lock */
	atomic_uint nr_readers;
	unsigned int min_threads, max_threads;
	/* When a worker last looked for idle ones to send away (µs). */
	_Atomic unsigned long long last_trim;
	/* µs since when every one of max_threads workers is busy; 0: not. */
	_Atomic unsigned long long saturated_since;
	atomic_bool stop;
	bool told_saturated; /* under lock */
	bool told_unpinned;  /* under lock */
};

/*
 * Starts min_threads readers; up to max_threads exist when requests keep
 * them all busy.  0 or a negative errno.
 */
int serve_loop_start(struct serve_loop *loop, struct fuse_session *se,
		     unsigned int min_threads, unsigned int max_threads);
/*
 * The same pool on another source, its workers pinned to cpu (-1: not).
 * A worker that fails to pin runs unpinned (told once).
 */
int serve_loop_start_src(struct serve_loop *loop, struct fuse_session *se,
			 const struct serve_source *src, void *src_arg, int cpu,
			 unsigned int min_threads, unsigned int max_threads);
/*
 * Stops reading, lets the requests in flight finish until deadline_us
 * (CLOCK_MONOTONIC µs; 0: no deadline), and returns how many workers are
 * still inside a request then.  May be called again to wait more.  With 0
 * the loop may be finished; otherwise it must be left alone: those workers
 * still use it and the session.
 */
unsigned int serve_loop_stop(struct serve_loop *loop,
			     unsigned long long deadline_us);
/* After a stop that returned 0 (or a failed start): frees what it holds. */
void serve_loop_fini(struct serve_loop *loop);
/*
 * Whether the service is wedged: every worker the pool may have has been
 * busy for longer than max_us, so no new request can be read.  One slow
 * request alone never is.
 */
bool serve_loop_stalled(struct serve_loop *loop, unsigned long long max_us);
/* Appends "CMD pid P uid U (S s)" for each busy worker; returns how many. */
unsigned int serve_loop_describe_busy(struct serve_loop *loop, char *buf,
				      size_t len, size_t *used);
/*
 * Records what the calling worker serves (no-op outside a worker): the
 * command, the caller, and the caller address it is about to touch, which
 * serve_loop_note_addr() updates before each further access.
 */
void serve_loop_note(unsigned int cmd, pid_t pid, uid_t uid, uint64_t addr);
void serve_loop_note_addr(uint64_t addr);
/*
 * Copies out up to max requests still being served (the caller, its uid,
 * the address last noted) for the stop's abort (fuse_abort.h); returns
 * how many.
 */
struct fuse_abort_stuck;
unsigned int serve_loop_stuck(struct serve_loop *loop,
			      struct fuse_abort_stuck *out, unsigned int max);
/*
 * Interrupts, with a signal, every worker waiting in its source's receive()
 * (a blocking syscall); a wake for sources that wait in the kernel.  Under
 * loop->lock.
 */
void serve_loop_poke_readers(struct serve_loop *loop);

#endif
