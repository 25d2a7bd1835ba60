/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the FUSE-over-io_uring loop share: uring_loop.c (the
 * queues, their ring threads, start and stop), uring_fast.c (workers that
 * serve their own entry), uring_io.c (the session's custom I/O, between
 * ring entries and libfuse).  The theory of operation is at the top of
 * uring_loop.c.  Built only with liburing.
 */
#ifndef UIOMMUFD_URING_PRIVATE_H
#define UIOMMUFD_URING_PRIVATE_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 35
#endif
#include <stdbool.h>
#include <stddef.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <liburing.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>

#include "frontend/serve_loop.h"
#include "frontend/uring_loop.h"

/*
 * The ring's ABI, from the kernel's include/uapi/linux/fuse.h (protocol
 * 7.42, Linux 6.14) and fs/fuse/dev_uring.c.  Debian 12's <linux/fuse.h>
 * predates it; the names differ from the kernel's so that a newer header
 * does not clash.
 */
#define URING_INIT_FLAG2 (1u << (41 - 32)) /* FUSE_OVER_IO_URING in flags2 */
#define URING_IN_OUT_SZ 128		   /* fuse_in/out_header room */
#define URING_OP_SZ 128			   /* the per-opcode header's room */
enum {
	URING_CMD_REGISTER = 1,
	URING_CMD_COMMIT_AND_FETCH = 2,
};

struct uring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;  /* the request's unique, to name it in a commit */
	uint32_t payload_sz; /* bytes used in the payload buffer */
	uint32_t padding;
	uint64_t reserved;
};

/* iov[0] of an entry: the headers; iov[1] is the payload buffer. */
struct uring_req_header {
	uint8_t in_out[URING_IN_OUT_SZ]; /* fuse_in_header / fuse_out_header */
	uint8_t op_in[URING_OP_SZ];	 /* the first argument of a request */
	struct uring_ent_in_out ent_in_out;
};

/* In the SQE's command area (which needs IORING_SETUP_SQE128). */
struct uring_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

_Static_assert(sizeof(struct uring_req_header) == 288, "kernel ABI");
_Static_assert(sizeof(struct uring_cmd_req) == 24, "kernel ABI");

/* Entries of a queue at most (see the theory above). */
#define URING_MAX_ENTS 1024u
#define URING_SQ_DEPTH 64u
#define URING_CQ_DEPTH 4096u
/* Room before the payload to rebuild a contiguous request for libfuse. */
#define URING_PREFIX 256u
/* The kernel's FUSE_MIN_READ_BUFFER and default max_pages. */
#define URING_MIN_PAYLOAD 8192u
#define URING_DEFAULT_MAX_PAGES 32u
/* The ring thread looks at its stop flag at least this often. */
#define URING_TICK_MS 1000
/* How long the stop lets a kick inside its request come back. */
#define URING_KICK_STOP_US (500 * 1000ull)
/* The user_data of the eventfd read that wakes the ring thread. */
#define URING_WAKE_TAG 0

enum { ENT_PROCESSING = 1, ENT_REPLIED = 2 };

struct uring_queue;

struct uring_ent {
	struct uring_req_header hdr; /* first: the kernel reads it */
	struct iovec iov[2];
	struct uring_queue *q;
	struct uring_ent *next; /* on q->ready or q->commit, under q->lock */
	char *map;		/* URING_PREFIX + payload_len bytes */
	size_t payload_len;
	/* The request it holds (0: none), claimed once by its reply. */
	_Atomic uint64_t unique;
	/* ENT_*: whichever of "processed" and "replied" comes last commits. */
	atomic_int state;
};

/* A fast worker's own ring and the one entry it arms. */
struct uring_fast {
	struct io_uring ring;
	bool ring_ok;
	struct uring_ent *ent; /* armed, or being served; NULL: none */
	unsigned int failures; /* registrations refused in a row */
};

struct uring_queue {
	struct uring_loop *u;
	unsigned int qid;
	struct io_uring ring;
	bool ring_ok;
	int efd; /* wakes the ring thread */
	uint64_t efd_buf;
	bool wake_armed;
	pthread_t thread;
	bool thread_ok;
	bool pool_ok, fast_ok;
	struct serve_loop pool; /* serves the ring thread's entries */
	struct serve_loop fast; /* each worker serves its own entry */
	bool reported;		/* under u->lock */

	pthread_mutex_t lock;
	pthread_cond_t ready_cv; /* a request is on ready */
	struct uring_ent *ready, **ready_tail;
	struct uring_ent *commit; /* replies to hand back */
	struct uring_ent *ents[URING_MAX_ENTS];
	unsigned int nr_ents; /* under lock */
	bool told_full; /* under lock */
	atomic_bool exit;
	/* Kicks after each registration (uring_kick.c); NULL until the node is known. */
	_Atomic(struct uring_kick *) kick;
};

enum uring_state { URING_WAIT_INIT, URING_GO, URING_OFF };

struct uring_loop {
	struct fuse_session *se;
	int fd;
	bool cuse;
	unsigned int nr_queues;
	struct uring_queue *queues;
	pthread_mutex_t lock;
	pthread_cond_t cv; /* state changed, or the stop */
	_Atomic enum uring_state state; /* written under lock */
	unsigned int nr_reported, nr_registered;
	size_t payload_len;
	/* INIT as the classic reader saw it. */
	_Atomic uint64_t init_unique;
	atomic_bool init_offered;
	atomic_bool stop;
	bool rings_stopped;
	atomic_ullong nr_served; /* requests that came by the ring */
	/* Tests only: ms a fast worker waits before a later registration. */
	unsigned int test_register_delay_ms;
};

#define ENABLE_URING_KNOB "/sys/module/fuse/parameters/enable_uring"

/* Whether the administrator turned the ring on (the kernel's knob). */
bool uring_knob_is_y(void);

/* uring_loop.c */
/*
 * A new entry of queue q, its registration prepared on ring (the ring
 * thread's or a fast worker's own); the caller submits.  0 or -ENOSPC
 * (URING_MAX_ENTS), -ENOMEM, -EBUSY (no SQE).
 */
int uring_add_ent(struct uring_queue *q, struct io_uring *ring,
		  struct uring_ent **out);
/* Fills sqe with command op (URING_CMD_*) for entry e of queue q. */
void uring_prep_cmd(struct io_uring_sqe *sqe, struct uring_queue *q,
		    struct uring_ent *e, uint32_t op);
/* Hands e, its reply in, to the ring thread of its queue to commit. */
void uring_commit(struct uring_ent *e);
/* A queue's first registration (0 or its error), for wait_ready; once. */
void uring_report(struct uring_queue *q, int rc);

/* uring_io.c */
extern const struct fuse_custom_io uring_custom_io;
/* The custom I/O finds its loop by the session fd: 0 or -ENOSPC. */
int uring_sessions_add(struct uring_loop *u);
void uring_sessions_del(struct uring_loop *u);
/*
 * Serves the request in e (its state ENT_PROCESSING) through libfuse; the
 * reply, from this thread or a later one, sets ENT_REPLIED.  Returns
 * whether it came, the processing now over: then the caller commits it;
 * otherwise its writer will (uring_commit()).
 */
bool uring_serve(struct fuse_session *se, struct uring_ent *e);

/* uring_kick.c */
struct uring_kick;
/*
 * Kicks for the queue of CPU cpu: statfs(2) on path (a file of our FUSE
 * mount) or, with cuse, an open and close of path (our CUSE node).
 * 0 or -ENOMEM.
 */
int uring_kick_new(unsigned int cpu, bool cuse, const char *path,
		   struct uring_kick **out);
/* After a registration: one kick from that CPU soon (coalesced). */
void uring_kick(struct uring_kick *k);
/*
 * No more kicks; the first call waits until until_us for those inside a
 * request (all queues share one until_us).  Whether none is.
 */
bool uring_kick_stop(struct uring_kick *k, unsigned long long until_us);
unsigned long long uring_kick_done(struct uring_kick *k);
/* Drops the loop's hold; threads still inside a kick keep what they use. */
void uring_kick_free(struct uring_kick *k);

/* uring_fast.c */
extern const struct serve_source uring_fast_source;

#endif
