/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FUSE-over-io_uring request loop (Linux 6.14+): one queue per possible
 * CPU, each an io_uring of its own with ring entries registered on the
 * session fd, a ring thread that owns every submission and never serves,
 * and a pool of workers pinned to that CPU (serve_loop.h) that serve what
 * the ring thread hands them.  The classic loop keeps reading the session
 * fd for what never comes by the ring (INIT, FORGET, INTERRUPT, whatever
 * arrives before the ring is ready).  The theory of operation is at the
 * top of uring_loop.c; docs/uring-loop.md says the same for users.
 */
#ifndef UIOMMUFD_URING_LOOP_H
#define UIOMMUFD_URING_LOOP_H

#include <stdbool.h>
#include <stddef.h>

struct fuse_session;
struct fuse_abort_stuck;
struct uring_loop;

/* --loop */
enum loop_kind {
	LOOP_CLASSIC, /* read(2)/writev(2) on the session fd */
	LOOP_URING,   /* the ring where the kernel offers it (warns if not) */
	LOOP_AUTO,    /* the ring where the kernel offers it, quietly */
};

/* The default of --loop: one constant, chosen by measurement (BENCHMARKS.md). */
#define LOOP_DEFAULT LOOP_AUTO

/* "classic", "uring" or "auto"; 0 or -EINVAL. */
int loop_kind_parse(const char *s, enum loop_kind *out);
const char *loop_kind_name(enum loop_kind kind);

/*
 * Whether the ring may be offered now: 1, or 0 with *why set (built
 * without liburing, or /sys/module/fuse/parameters/enable_uring not Y).
 * The daemon never writes that knob: it is the administrator's.
 */
int uring_loop_possible(const char **why);

/*
 * Prepares the ring loop of se before its first request is read: installs
 * the session's custom I/O (it sees INIT, and sends the replies of ring
 * requests to their entries), creates one ring and one ring thread per
 * possible CPU and starts each queue's pool (min_threads to max_threads
 * workers).  The queues register once INIT is answered, where the kernel
 * offers the ring; otherwise everything stays on the classic loop.
 * 0 or a negative errno (nothing is left then).
 */
int uring_loop_new(struct fuse_session *se, bool is_cuse,
		   unsigned int min_threads, unsigned int max_threads,
		   struct uring_loop **out);
/*
 * Waits up to ms for INIT to decide; true when the queues registered (the
 * kernel may still refuse them later: then it goes on with read(2)).
 */
bool uring_loop_wait_ready(struct uring_loop *u, unsigned int ms);
/*
 * The node the loop serves (a file of the FUSE mount, or the CUSE node),
 * once it exists: kicks reach each queue through it (uring_kick.c).
 */
void uring_loop_set_node(struct uring_loop *u, const char *path);
/* As serve_loop_stop(), for every queue; the ring threads end at 0. */
unsigned int uring_loop_stop(struct uring_loop *u,
			     unsigned long long deadline_us);
/* After a stop that returned 0 (or instead of any stop before INIT). */
void uring_loop_free(struct uring_loop *u);
bool uring_loop_stalled(struct uring_loop *u, unsigned long long max_us);
unsigned int uring_loop_describe_busy(struct uring_loop *u, char *buf,
				      size_t len, size_t *used);
unsigned int uring_loop_stuck(struct uring_loop *u,
			      struct fuse_abort_stuck *out, unsigned int max);

#endif
