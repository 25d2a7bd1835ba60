// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Theory of operation: the FUSE-over-io_uring loop.
 *
 * With the ring, the kernel hands a request to the queue of the CPU its
 * caller runs on, so a caller and the thread that serves it share a CPU and
 * nothing wakes across CPUs.  The kernel uses the ring only once every
 * possible CPU has a queue with an entry waiting (dev_uring.c's readiness
 * check), so there is one queue per possible CPU, whatever is online.
 *
 * An entry is a header and a payload buffer registered with
 * IORING_OP_URING_CMD on the session fd.  Its command completes when a
 * request has been copied into it; the reply goes back in the same buffers,
 * and the COMMIT_AND_FETCH command that hands it over also makes the entry
 * wait for the next request.  The kernel does the copy into the entry in
 * the context of the thread that submitted the entry's command (io_uring
 * task work).  That decides the design: a request may block its thread for
 * ever (serve_loop.c), and a blocked thread runs no task work, so a thread
 * must never serve a request while it owns another entry that waits, or the
 * requests the kernel gives that entry wait with it.  Hence, per queue:
 *
 *  - fast workers (the pool `fast`), pinned to the queue's CPU: each has a
 *    ring of its own and exactly one entry.  It waits for that entry,
 *    serves its request through libfuse's own decoding
 *    (fuse_session_process_buf()), puts the reply in and commits it on its
 *    ring, which arms the entry again.  While it serves, its only entry
 *    holds the request, so nothing waits on it.  The pool grows as the
 *    classic one does (a worker that takes a request with no other one
 *    waiting starts one more, up to --max-threads), each new worker with a
 *    new entry; its workers never leave, since the kernel cannot take an
 *    entry back (an exit would only cancel it);
 *  - a request whose reply comes after its worker moved on (admit.c queues
 *    a uid's excess requests and serves them on the thread that finishes
 *    that uid's last one) leaves its worker without an entry: the worker
 *    registers a new one, and the reply, from whichever thread, is caught
 *    by the session's custom writev, found by its unique, and committed by
 *    the queue's ring thread, which never serves (it touches only our
 *    memory).  That entry stays the ring thread's: its next requests are
 *    handed to the pool `pool` (workers without entries, same CPU), at the
 *    cost of two more same-CPU wakeups each.
 *
 * A queued request holds its entry until its reply, so the entries of a
 * queue are those of its fast workers plus those of queued requests, at most
 * URING_MAX_ENTS.  Each costs a header here and a payload buffer of the
 * negotiated size, mapped but only touched as far as requests fill it.
 * Past the limit, requests on that CPU wait in the kernel until an entry
 * comes back (docs/uring-loop.md).
 *
 * INIT, FORGET and INTERRUPT never come by the ring, and nothing does
 * before it is ready: the classic loop stays, with the same custom I/O.
 * The INIT reply gets FUSE_OVER_IO_URING (libfuse 3.14 does not know it)
 * when the kernel offered it, which it does only when enable_uring is Y;
 * then the kernel holds new requests until every queue has registered, and
 * forgets the ring (back to read(2)) if a registration fails.  CUSE has no
 * such flag: there the queues register when enable_uring reads Y.
 *
 * The stop stops the pools as serve_loop_stop() does (a fast worker waits
 * in io_uring_enter(), which the stop's signal interrupts); the ring
 * threads end only when no worker is left (they commit the replies of the
 * requests that finish meanwhile).  A thread's exit cancels the entries it
 * armed; entries holding requests are torn down by the kernel when the
 * session ends.
 */
#include "config.h"

#include "cuse/uring_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuse/fuse_abort.h"
#include "log.h"

int loop_kind_parse(const char *s, enum loop_kind *out)
{
	if (!strcmp(s, "classic"))
		*out = LOOP_CLASSIC;
	else if (!strcmp(s, "uring"))
		*out = LOOP_URING;
	else if (!strcmp(s, "auto"))
		*out = LOOP_AUTO;
	else
		return -EINVAL;
	return 0;
}

const char *loop_kind_name(enum loop_kind kind)
{
	return kind == LOOP_URING ? "uring" : kind == LOOP_AUTO ? "auto" :
								   "classic";
}

#define ENABLE_URING_KNOB "/sys/module/fuse/parameters/enable_uring"

static bool knob_is_y(void)
{
	char c = 0;
	int fd = open(ENABLE_URING_KNOB, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == '1';
}

#if HAVE_LIBURING

#define FUSE_USE_VERSION 35
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

#include "cuse/serve_loop.h"

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
	unsigned int nr_ents; /* written under lock by the ring thread */
	/* The ring thread's own counts. */
	unsigned int nr_held, nr_dead;
	bool told_full; /* under lock */
	atomic_bool exit;
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
};

static _Thread_local struct uring_ent *current_ent;

/*
 * libfuse hands the custom I/O its session's userdata, which is the front
 * end's; the loop is found by the session fd instead.
 */
#define URING_MAX_SESSIONS 8
static struct {
	int fd;
	struct uring_loop *u;
} uring_sessions[URING_MAX_SESSIONS];
static pthread_mutex_t uring_sessions_lock = PTHREAD_MUTEX_INITIALIZER;

static struct uring_loop *uring_by_fd(int fd)
{
	struct uring_loop *u = NULL;

	pthread_mutex_lock(&uring_sessions_lock);
	for (unsigned int i = 0; i < URING_MAX_SESSIONS && !u; i++)
		if (uring_sessions[i].u && uring_sessions[i].fd == fd)
			u = uring_sessions[i].u;
	pthread_mutex_unlock(&uring_sessions_lock);
	return u;
}

static int uring_sessions_add(struct uring_loop *u)
{
	int rc = -ENOSPC;

	pthread_mutex_lock(&uring_sessions_lock);
	for (unsigned int i = 0; i < URING_MAX_SESSIONS && rc; i++)
		if (!uring_sessions[i].u) {
			uring_sessions[i].fd = u->fd;
			uring_sessions[i].u = u;
			rc = 0;
		}
	pthread_mutex_unlock(&uring_sessions_lock);
	return rc;
}

static void uring_sessions_del(struct uring_loop *u)
{
	pthread_mutex_lock(&uring_sessions_lock);
	for (unsigned int i = 0; i < URING_MAX_SESSIONS; i++)
		if (uring_sessions[i].u == u)
			uring_sessions[i].u = NULL;
	pthread_mutex_unlock(&uring_sessions_lock);
}

/* The number of possible CPUs (the kernel's num_possible_cpus()). */
static unsigned int possible_cpus(void)
{
	char buf[256];
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned long last = 0;
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_CONF);

		return c > 0 ? (unsigned int)c : 1;
	}
	buf[n] = 0;
	/* "0-3" or "0,2-5": the last number is the highest CPU. */
	for (p = buf; *p; p++)
		if (*p >= '0' && *p <= '9') {
			last = strtoul(p, &p, 10);
			p--;
		}
	return last < 4096 ? (unsigned int)last + 1 : 4096;
}

static void uring_wake_ring(struct uring_queue *q)
{
	uint64_t one = 1;

	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* The counter is full: the ring thread has a wake pending. */
	}
}

/* ------------------------------------------------------ ring thread --- */

static void uring_prep_cmd(struct io_uring_sqe *sqe, struct uring_queue *q,
			   struct uring_ent *e, uint32_t op)
{
	struct uring_cmd_req *req;

	memset(sqe, 0, 2 * sizeof(*sqe)); /* SQE128 */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->u->fd;
	sqe->cmd_op = op;
	sqe->addr = (uint64_t)(uintptr_t)e->iov;
	sqe->len = 2;
	req = (struct uring_cmd_req *)sqe->cmd;
	req->qid = (uint16_t)q->qid;
	req->commit_id = e->hdr.ent_in_out.commit_id;
	io_uring_sqe_set_data(sqe, e);
}

static struct io_uring_sqe *uring_sqe(struct uring_queue *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

	if (!sqe) {
		io_uring_submit(&q->ring);
		sqe = io_uring_get_sqe(&q->ring);
	}
	return sqe;
}

/*
 * A new entry of queue q, its registration prepared on ring (a fast
 * worker's own); the caller submits.
 */
static int uring_add_ent(struct uring_queue *q, struct io_uring *ring,
			 struct uring_ent **out)
{
	size_t len = q->u->payload_len;
	struct io_uring_sqe *sqe;
	struct uring_ent *e;

	pthread_mutex_lock(&q->lock);
	if (q->nr_ents >= URING_MAX_ENTS) {
		if (!q->told_full)
			log_warning("io_uring queue %u: %u entries held by requests; more wait in the kernel",
				    q->qid, q->nr_ents);
		q->told_full = true;
		pthread_mutex_unlock(&q->lock);
		return -ENOSPC;
	}
	pthread_mutex_unlock(&q->lock);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	/* Touched only as far as requests fill it. */
	e->map = mmap(NULL, URING_PREFIX + len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (e->map == MAP_FAILED) {
		free(e);
		return -ENOMEM;
	}
	e->q = q;
	e->payload_len = len;
	e->iov[0].iov_base = &e->hdr;
	e->iov[0].iov_len = sizeof(e->hdr);
	e->iov[1].iov_base = e->map + URING_PREFIX;
	e->iov[1].iov_len = len;
	sqe = io_uring_get_sqe(ring);
	if (!sqe) {
		munmap(e->map, URING_PREFIX + len);
		free(e);
		return -EBUSY;
	}
	uring_prep_cmd(sqe, q, e, URING_CMD_REGISTER);
	pthread_mutex_lock(&q->lock);
	/* Checked again: another fast worker may have taken the last one. */
	if (q->nr_ents >= URING_MAX_ENTS) {
		pthread_mutex_unlock(&q->lock);
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, URING_WAKE_TAG);
		munmap(e->map, URING_PREFIX + len);
		free(e);
		return -ENOSPC;
	}
	q->ents[q->nr_ents++] = e;
	pthread_mutex_unlock(&q->lock);
	*out = e;
	return 0;
}

static void uring_arm_wake(struct uring_queue *q)
{
	struct io_uring_sqe *sqe;

	if (q->wake_armed)
		return;
	sqe = uring_sqe(q);
	if (!sqe)
		return; /* the tick still comes */
	io_uring_prep_read(sqe, q->efd, &q->efd_buf, sizeof(q->efd_buf), 0);
	io_uring_sqe_set_data64(sqe, URING_WAKE_TAG);
	q->wake_armed = true;
}

/* Hands the replies back to the kernel, each entry waiting again. */
static void uring_submit_commits(struct uring_queue *q)
{
	struct uring_ent *list;

	pthread_mutex_lock(&q->lock);
	list = q->commit;
	q->commit = NULL;
	pthread_mutex_unlock(&q->lock);
	while (list) {
		struct uring_ent *e = list;
		struct io_uring_sqe *sqe = uring_sqe(q);

		list = e->next;
		if (!sqe) {
			/* Cannot happen with an empty SQ after a submit. */
			log_error("io_uring queue %u: no SQE for a commit", q->qid);
			q->nr_dead++;
			continue;
		}
		uring_prep_cmd(sqe, q, e, URING_CMD_COMMIT_AND_FETCH);
		q->nr_held--;
	}
}

static void uring_complete(struct uring_queue *q, struct io_uring_cqe *cqe)
{
	struct uring_ent *e = io_uring_cqe_get_data(cqe);

	if (!e) {
		q->wake_armed = false;
		return;
	}
	if (cqe->res < 0) {
		/*
		 * ENOTCONN, ECANCELED: the session or the ring thread ends.
		 * Anything else: the kernel refused the entry (it then goes
		 * back to read(2) if it was a registration).
		 */
		if (cqe->res != -ENOTCONN && cqe->res != -ECANCELED &&
		    !atomic_load(&q->u->stop))
			log_warning("io_uring queue %u: the kernel refused an entry: %s",
				    q->qid, strerror(-cqe->res));
		q->nr_dead++;
		return;
	}
	q->nr_held++;
	atomic_store(&e->state, ENT_PROCESSING);
	pthread_mutex_lock(&q->lock);
	e->next = NULL;
	*q->ready_tail = e;
	q->ready_tail = &e->next;
	pthread_cond_signal(&q->ready_cv);
	pthread_mutex_unlock(&q->lock);
}

/* A queue's first registration, for uring_loop_wait_ready(); once. */
static void uring_report(struct uring_queue *q, int rc)
{
	struct uring_loop *u = q->u;

	pthread_mutex_lock(&u->lock);
	if (!q->reported) {
		q->reported = true;
		u->nr_reported++;
		if (!rc)
			u->nr_registered++;
		else if (u->nr_reported - u->nr_registered == 1)
			log_warning("io_uring queue %u: registration refused (%s): serving by read(2)",
				    q->qid, strerror(-rc));
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->lock);
}

static void *uring_ring_main(void *arg)
{
	struct uring_queue *q = arg;
	struct uring_loop *u = q->u;
	bool go;
	int rc;

	pthread_mutex_lock(&u->lock);
	while (u->state == URING_WAIT_INIT && !atomic_load(&u->stop))
		pthread_cond_wait(&u->cv, &u->lock);
	go = u->state == URING_GO && !atomic_load(&u->stop);
	pthread_mutex_unlock(&u->lock);
	if (!go)
		return NULL;

	while (!atomic_load(&q->exit)) {
		struct __kernel_timespec ts = { .tv_sec = URING_TICK_MS / 1000 };
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		uring_submit_commits(q);
		uring_arm_wake(q);
		rc = io_uring_submit_and_wait_timeout(&q->ring, &cqe, 1, &ts, NULL);
		if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EAGAIN &&
		    rc != -EBUSY) {
			log_error("io_uring queue %u: %s", q->qid, strerror(-rc));
			break;
		}
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			uring_complete(q, cqe);
			n++;
		}
		io_uring_cq_advance(&q->ring, n);
	}
	/* The replies of the last requests still go back. */
	uring_submit_commits(q);
	io_uring_submit(&q->ring);
	return NULL;
}

/* ---------------------------------------------------------- workers --- */

static int uring_receive(struct serve_loop *loop, struct serve_worker *w,
			 int idle_ms)
{
	struct uring_queue *q = loop->src_arg;
	struct timespec until;
	int rc = 0;

	if (idle_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += idle_ms / 1000;
		until.tv_nsec += (long)(idle_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (!q->ready && !atomic_load(&loop->stop) && rc != ETIMEDOUT)
		rc = idle_ms < 0 ? pthread_cond_wait(&q->ready_cv, &q->lock) :
				   pthread_cond_timedwait(&q->ready_cv,
							  &q->lock, &until);
	if (!q->ready) {
		pthread_mutex_unlock(&q->lock);
		return rc == ETIMEDOUT ? 0 : -EINTR;
	}
	w->job = q->ready;
	q->ready = q->ready->next;
	if (!q->ready)
		q->ready_tail = &q->ready;
	pthread_mutex_unlock(&q->lock);
	return 1;
}

static void uring_commit(struct uring_ent *e)
{
	struct uring_queue *q = e->q;

	pthread_mutex_lock(&q->lock);
	e->next = q->commit;
	q->commit = e;
	pthread_mutex_unlock(&q->lock);
	uring_wake_ring(q);
}

/* Answers a request libfuse never saw (a malformed entry). */
static void uring_reply_error(struct uring_ent *e, uint64_t unique, int err)
{
	struct fuse_out_header oh = {
		.len = sizeof(oh), .error = -err, .unique = unique,
	};

	memcpy(e->hdr.in_out, &oh, sizeof(oh));
	e->hdr.ent_in_out.payload_sz = 0;
}

/*
 * Serves the request in e (its state ENT_PROCESSING); the reply, from this
 * thread or a later one, sets ENT_REPLIED.  Returns whether it came, the
 * processing now over: then the caller commits; otherwise its writer will.
 */
static bool uring_serve(struct fuse_session *se, struct uring_ent *e)
{
	struct fuse_in_header in;
	size_t payload, op;
	char *start;

	memcpy(&in, e->hdr.in_out, sizeof(in));
	payload = e->hdr.ent_in_out.payload_sz;
	/*
	 * The kernel put the request's first argument in op_in and the rest
	 * in the payload; its length is what in.len leaves over.  libfuse
	 * wants them contiguous behind the header: they are copied in front
	 * of the payload, which stays where the kernel wrote it.
	 */
	if (in.len < sizeof(in) || payload > e->payload_len ||
	    in.len - sizeof(in) < payload ||
	    in.len - sizeof(in) - payload > URING_OP_SZ) {
		log_warning("io_uring queue %u: malformed request (len %u, payload %zu)",
			    e->q->qid, in.len, payload);
		uring_reply_error(e, in.unique, EIO);
		atomic_store(&e->state, 0);
		return true;
	}
	op = in.len - sizeof(in) - payload;
	start = e->map + URING_PREFIX - op - sizeof(in);
	memcpy(start, &in, sizeof(in));
	memcpy(start + sizeof(in), e->hdr.op_in, op);
	atomic_store(&e->unique, in.unique);
	atomic_fetch_add_explicit(&e->q->u->nr_served, 1, memory_order_relaxed);

	current_ent = e;
	fuse_session_process_buf(se, &(struct fuse_buf){
		.mem = start, .size = in.len });
	current_ent = NULL;
	return atomic_fetch_and(&e->state, ~ENT_PROCESSING) & ENT_REPLIED;
}

/* The ring thread's entries: their requests and commits go by it. */
static void uring_process(struct serve_loop *loop, struct serve_worker *w)
{
	struct uring_ent *e = w->job;

	w->job = NULL;
	if (uring_serve(loop->se, e))
		uring_commit(e);
}

static void uring_wake_workers(struct serve_loop *loop)
{
	struct uring_queue *q = loop->src_arg;

	pthread_mutex_lock(&q->lock);
	pthread_cond_broadcast(&q->ready_cv);
	pthread_mutex_unlock(&q->lock);
}

static const struct serve_source uring_source = {
	.receive = uring_receive,
	.process = uring_process,
	.wake = uring_wake_workers,
};

/* ----------------------------------------------------- fast workers --- */

/*
 * Waits until INIT decided, or the pool stops.  true: the ring is in use.
 * With the ring refused, the worker stays here until the stop.
 */
static bool fast_wait_go(struct uring_loop *u, struct serve_loop *loop)
{
	enum uring_state st;

	pthread_mutex_lock(&u->lock);
	while ((st = u->state) != URING_GO && !atomic_load(&loop->stop))
		pthread_cond_wait(&u->cv, &u->lock);
	pthread_mutex_unlock(&u->lock);
	return st == URING_GO && !atomic_load(&loop->stop);
}

/* A new entry for f, registered; 0 or a negative errno. */
static int fast_register(struct uring_queue *q, struct uring_fast *f)
{
	struct io_uring_cqe *cqe;
	struct uring_ent *e;
	int rc = uring_add_ent(q, &f->ring, &e);

	if (rc)
		return rc;
	rc = io_uring_submit(&f->ring);
	rc = rc < 0 ? rc : 0;
	/*
	 * A registration the kernel refuses completes at once; one it takes
	 * completes only with a request (left for fast_receive()).
	 */
	if (!rc && io_uring_peek_cqe(&f->ring, &cqe) == 0 && cqe->res < 0) {
		rc = cqe->res;
		io_uring_cqe_seen(&f->ring, cqe);
	}
	if (!rc)
		f->ent = e;
	uring_report(q, rc);
	return rc;
}

static int fast_receive(struct serve_loop *loop, struct serve_worker *w,
			int idle_ms)
{
	struct uring_queue *q = loop->src_arg;
	struct uring_fast *f = w->job;
	struct io_uring_cqe *cqe;
	struct uring_ent *got = NULL;
	int rc;

	/* Fast workers never leave: idle_ms is not used (see the top). */
	(void)idle_ms;
	if (!fast_wait_go(q->u, loop))
		return -EINTR;
	if (!f) {
		struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };

		f = calloc(1, sizeof(*f));
		if (!f || io_uring_queue_init_params(4, &f->ring, &p) < 0) {
			free(f);
			log_error("io_uring queue %u: cannot make a worker's ring", q->qid);
			usleep(100 * 1000);
			return -EAGAIN;
		}
		f->ring_ok = true;
		w->job = f;
	}
	if (!f->ent) {
		rc = fast_register(q, f);
		if (rc) {
			/* Entries all held, or refused: look again later. */
			usleep(f->failures++ < 10 ? 10 * 1000 : 500 * 1000);
			return -EAGAIN;
		}
		f->failures = 0;
	}
	rc = io_uring_submit_and_wait(&f->ring, 1);
	if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
		log_error("io_uring queue %u: %s", q->qid, strerror(-rc));
	while (io_uring_peek_cqe(&f->ring, &cqe) == 0) {
		struct uring_ent *e = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&f->ring, cqe);
		if (!e)
			continue;
		if (res < 0) {
			/* Torn down (the session ends) or a commit refused. */
			if (e == f->ent)
				f->ent = NULL;
			continue;
		}
		got = e;
	}
	if (!got || got != f->ent)
		return -EINTR;
	atomic_store(&got->state, ENT_PROCESSING);
	return 1;
}

static void fast_process(struct serve_loop *loop, struct serve_worker *w)
{
	struct uring_queue *q = loop->src_arg;
	struct uring_fast *f = w->job;
	struct uring_ent *e = f->ent;
	struct io_uring_sqe *sqe;

	if (!uring_serve(loop->se, e)) {
		/* Its reply comes later, by the ring thread: a new entry here. */
		f->ent = NULL;
		return;
	}
	/* Submitted by the next wait, which arms the entry again. */
	sqe = io_uring_get_sqe(&f->ring);
	if (!sqe) {
		io_uring_submit(&f->ring);
		sqe = io_uring_get_sqe(&f->ring);
	}
	if (sqe)
		uring_prep_cmd(sqe, q, e, URING_CMD_COMMIT_AND_FETCH);
	else
		uring_commit(e); /* cannot happen: the ring thread takes it */
	if (!sqe)
		f->ent = NULL;
}

static void fast_wake(struct serve_loop *loop)
{
	struct uring_queue *q = loop->src_arg;

	pthread_mutex_lock(&q->u->lock);
	pthread_cond_broadcast(&q->u->cv);
	pthread_mutex_unlock(&q->u->lock);
	serve_loop_poke_readers(loop);
}

/* At the stop: the ring's exit cancels the armed entry (kept until free). */
static void fast_worker_exit(struct serve_worker *w)
{
	struct uring_fast *f = w->job;

	if (!f)
		return;
	if (f->ring_ok)
		io_uring_queue_exit(&f->ring);
	free(f);
}

static const struct serve_source fast_source = {
	.receive = fast_receive,
	.process = fast_process,
	.wake = fast_wake,
	.worker_exit = fast_worker_exit,
};

/* ------------------------------------------------------- custom I/O --- */

/* The entry holding the request unique, claimed for its reply; or NULL. */
static struct uring_ent *uring_claim(struct uring_loop *u, uint64_t unique)
{
	struct uring_ent *e = current_ent;
	uint64_t want = unique;

	if (!unique)
		return NULL;
	if (e && atomic_compare_exchange_strong(&e->unique, &want, 0))
		return e;
	/* A reply from another thread: rare, and the walk is bounded. */
	for (unsigned int i = 0; i < u->nr_queues; i++) {
		struct uring_queue *q = &u->queues[i];

		pthread_mutex_lock(&q->lock);
		for (unsigned int j = 0; j < q->nr_ents; j++) {
			want = unique;
			if (atomic_compare_exchange_strong(&q->ents[j]->unique,
							   &want, 0)) {
				e = q->ents[j];
				pthread_mutex_unlock(&q->lock);
				return e;
			}
		}
		pthread_mutex_unlock(&q->lock);
	}
	return NULL;
}

static ssize_t uring_io_read(int fd, void *buf, size_t len, void *userdata)
{
	struct uring_loop *u = uring_by_fd(fd);
	ssize_t n = read(fd, buf, len);
	const struct fuse_in_header *in = buf;

	(void)userdata;
	if (!u || n < (ssize_t)sizeof(*in) || u->state != URING_WAIT_INIT)
		return n;
	if (!u->cuse && in->opcode == FUSE_INIT &&
	    (size_t)n >= sizeof(*in) + offsetof(struct fuse_init_in, flags2) +
				 sizeof(uint32_t)) {
		const struct fuse_init_in *ii = (const void *)(in + 1);

		atomic_store(&u->init_offered, (ii->flags & FUSE_INIT_EXT) &&
						       (ii->flags2 & URING_INIT_FLAG2));
		atomic_store(&u->init_unique, in->unique);
	} else if (!u->cuse && in->opcode == FUSE_INIT) {
		atomic_store(&u->init_offered, false); /* an old kernel */
		atomic_store(&u->init_unique, in->unique);
	} else if (u->cuse && in->opcode == CUSE_INIT) {
		atomic_store(&u->init_offered, knob_is_y());
		atomic_store(&u->init_unique, in->unique);
	}
	return n;
}

static size_t round_page(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/*
 * The INIT reply: asks for the ring when the kernel offered it, sizes the
 * payload buffers as the kernel will check them (the largest of its
 * minimum read buffer, max_write and max_pages pages), then lets the ring
 * threads register once the kernel has taken the reply.
 */
static ssize_t uring_init_reply(struct uring_loop *u, int fd, struct iovec *iov,
				int count)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = URING_MIN_PAYLOAD;
	bool offered = atomic_load(&u->init_offered);
	ssize_t n;

	if (!u->cuse && offered && count >= 2 &&
	    iov[1].iov_len >= offsetof(struct fuse_init_out, flags2) +
				      sizeof(uint32_t)) {
		struct fuse_init_out *o = iov[1].iov_base;
		size_t pages = o->flags & FUSE_MAX_PAGES ? o->max_pages :
							   URING_DEFAULT_MAX_PAGES;

		o->flags |= FUSE_INIT_EXT;
		o->flags2 |= URING_INIT_FLAG2;
		len = len > o->max_write ? len : o->max_write;
		len = len > pages * page ? len : pages * page;
	} else if (u->cuse && offered && count >= 2 &&
		   iov[1].iov_len >= sizeof(struct cuse_init_out)) {
		const struct cuse_init_out *o = iov[1].iov_base;

		/* CUSE keeps the default max_pages limit: allow FUSE's most. */
		len = len > o->max_write ? len : o->max_write;
		len = len > 256 * page ? len : 256 * page;
	} else {
		offered = false;
	}
	n = writev(fd, iov, count);
	pthread_mutex_lock(&u->lock);
	u->payload_len = round_page(len);
	u->state = offered && n >= 0 ? URING_GO : URING_OFF;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->lock);
	if (!offered)
		log_notice("the kernel does not offer FUSE-over-io_uring here (%s is not Y?): serving by read(2)",
			   ENABLE_URING_KNOB);
	return n;
}

static ssize_t uring_io_writev(int fd, struct iovec *iov, int count,
			       void *userdata)
{
	struct uring_loop *u = uring_by_fd(fd);
	struct fuse_out_header oh;
	struct uring_ent *e;
	size_t total = 0, off = 0;
	char *dst;

	(void)userdata;
	if (!u || count < 1 || iov[0].iov_len < sizeof(oh))
		return writev(fd, iov, count);
	memcpy(&oh, iov[0].iov_base, sizeof(oh));
	if (u->state == URING_WAIT_INIT && oh.unique &&
	    oh.unique == atomic_load(&u->init_unique))
		return uring_init_reply(u, fd, iov, count);
	e = uring_claim(u, oh.unique);
	if (!e)
		return writev(fd, iov, count);

	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	dst = e->map + URING_PREFIX;
	if (total - sizeof(oh) > e->payload_len) {
		uring_reply_error(e, oh.unique, EIO);
	} else {
		/* The header into in_out, everything after it into the payload. */
		for (int i = 0; i < count; i++) {
			const char *src = iov[i].iov_base;
			size_t l = iov[i].iov_len;

			if (off < sizeof(oh)) {
				size_t skip = sizeof(oh) - off < l ? sizeof(oh) - off : l;

				src += skip;
				l -= skip;
				off += skip;
			}
			memcpy(dst, src, l);
			dst += l;
			off += l;
		}
		memcpy(e->hdr.in_out, &oh, sizeof(oh));
		e->hdr.ent_in_out.payload_sz = (uint32_t)(total - sizeof(oh));
	}
	/* Still inside its processing?  Then that thread commits it. */
	if (!(atomic_fetch_or(&e->state, ENT_REPLIED) & ENT_PROCESSING))
		uring_commit(e);
	return (ssize_t)total;
}

static const struct fuse_custom_io uring_io = {
	.read = uring_io_read,
	.writev = uring_io_writev,
};

/* ------------------------------------------------------------- life --- */

int uring_loop_possible(const char **why)
{
	if (!knob_is_y()) {
		*why = ENABLE_URING_KNOB " is not Y";
		return 0;
	}
	return 1;
}

static void uring_queue_fini(struct uring_queue *q)
{
	if (q->pool_ok)
		serve_loop_fini(&q->pool);
	if (q->fast_ok)
		serve_loop_fini(&q->fast);
	for (unsigned int i = 0; i < q->nr_ents; i++) {
		munmap(q->ents[i]->map, URING_PREFIX + q->ents[i]->payload_len);
		free(q->ents[i]);
	}
	if (q->ring_ok)
		io_uring_queue_exit(&q->ring);
	if (q->efd >= 0)
		close(q->efd);
	pthread_cond_destroy(&q->ready_cv);
	pthread_mutex_destroy(&q->lock);
}

static int uring_queue_init(struct uring_loop *u, struct uring_queue *q,
			    unsigned int qid)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE,
		.cq_entries = URING_CQ_DEPTH,
	};
	pthread_condattr_t ca;
	int rc;

	q->u = u;
	q->qid = qid;
	q->ready_tail = &q->ready;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->ready_cv, &ca);
	pthread_condattr_destroy(&ca);
	q->efd = eventfd(0, EFD_CLOEXEC);
	if (q->efd < 0)
		return -errno;
	rc = io_uring_queue_init_params(URING_SQ_DEPTH, &q->ring, &p);
	if (rc < 0)
		return rc;
	q->ring_ok = true;
	return 0;
}

static int uring_thread_start(struct uring_queue *q)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	CPU_ZERO(&set);
	CPU_SET(q->qid, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	rc = pthread_create(&q->thread, &attr, uring_ring_main, q);
	pthread_attr_destroy(&attr);
	if (rc == EINVAL) /* that CPU is not ours to run on: unpinned */
		rc = pthread_create(&q->thread, NULL, uring_ring_main, q);
	if (rc)
		return -rc;
	q->thread_ok = true;
	return 0;
}

static void uring_stop_rings(struct uring_loop *u)
{
	unsigned int ents = 0;

	if (u->rings_stopped)
		return;
	u->rings_stopped = true;
	pthread_mutex_lock(&u->lock);
	atomic_store(&u->stop, true);
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->lock);
	for (unsigned int i = 0; i < u->nr_queues; i++) {
		struct uring_queue *q = &u->queues[i];

		if (!q->thread_ok)
			continue;
		atomic_store(&q->exit, true);
		uring_wake_ring(q);
		pthread_join(q->thread, NULL);
		q->thread_ok = false;
		ents += q->nr_ents;
	}
	if (u->state == URING_GO)
		log_info("io_uring loop: %llu requests came by the ring (%u queues, %u entries)",
			 (unsigned long long)atomic_load(&u->nr_served),
			 u->nr_queues, ents);
}

void uring_loop_free(struct uring_loop *u)
{
	if (!u)
		return;
	for (unsigned int i = 0; i < u->nr_queues; i++) {
		if (u->queues[i].fast_ok)
			serve_loop_stop(&u->queues[i].fast, 0);
		if (u->queues[i].pool_ok)
			serve_loop_stop(&u->queues[i].pool, 0);
	}
	uring_stop_rings(u);
	uring_sessions_del(u);
	for (unsigned int i = 0; i < u->nr_queues; i++)
		uring_queue_fini(&u->queues[i]);
	free(u->queues);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

int uring_loop_new(struct fuse_session *se, bool is_cuse,
		   unsigned int min_threads, unsigned int max_threads,
		   struct uring_loop **out)
{
	struct uring_loop *u = calloc(1, sizeof(*u));
	int rc = 0;

	if (!u)
		return -ENOMEM;
	u->se = se;
	u->fd = fuse_session_fd(se);
	u->cuse = is_cuse;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->nr_queues = possible_cpus();
	u->queues = calloc(u->nr_queues, sizeof(*u->queues));
	if (!u->queues) {
		u->nr_queues = 0;
		uring_loop_free(u);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < u->nr_queues; i++)
		u->queues[i].efd = -1;
	rc = uring_sessions_add(u);
	for (unsigned int i = 0; i < u->nr_queues && !rc; i++) {
		struct uring_queue *q = &u->queues[i];

		rc = uring_queue_init(u, q, i);
		if (!rc)
			rc = serve_loop_start_src(&q->pool, se, &uring_source, q,
						  (int)i, 1, max_threads);
		if (!rc)
			q->pool_ok = true;
		if (!rc)
			rc = serve_loop_start_src(&q->fast, se, &fast_source, q,
						  (int)i, 1, max_threads);
		if (!rc)
			q->fast_ok = true;
		if (!rc)
			rc = uring_thread_start(q);
	}
	if (!rc && fuse_session_custom_io(se, &uring_io, u->fd))
		rc = -EINVAL;
	if (rc) {
		uring_loop_free(u);
		return rc;
	}
	(void)min_threads; /* each queue keeps one: see docs/uring-loop.md */
	*out = u;
	return 0;
}

bool uring_loop_wait_ready(struct uring_loop *u, unsigned int ms)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&u->lock);
	while ((u->state == URING_WAIT_INIT ||
		(u->state == URING_GO && u->nr_reported < u->nr_queues)) &&
	       !atomic_load(&u->stop))
		if (pthread_cond_timedwait(&u->cv, &u->lock, &ts) == ETIMEDOUT)
			break;
	ok = u->state == URING_GO && u->nr_registered == u->nr_queues;
	pthread_mutex_unlock(&u->lock);
	return ok;
}

unsigned int uring_loop_stop(struct uring_loop *u,
			     unsigned long long deadline_us)
{
	unsigned int stuck = 0;

	if (!u)
		return 0;
	/* Ring threads still waiting for INIT need not wait any more. */
	pthread_mutex_lock(&u->lock);
	if (u->state == URING_WAIT_INIT)
		u->state = URING_OFF;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->lock);
	for (unsigned int i = 0; i < u->nr_queues; i++) {
		if (u->queues[i].fast_ok)
			stuck += serve_loop_stop(&u->queues[i].fast, deadline_us);
		if (u->queues[i].pool_ok)
			stuck += serve_loop_stop(&u->queues[i].pool, deadline_us);
	}
	if (!stuck)
		uring_stop_rings(u);
	return stuck;
}

bool uring_loop_stalled(struct uring_loop *u, unsigned long long max_us)
{
	for (unsigned int i = 0; u && i < u->nr_queues; i++)
		if ((u->queues[i].pool_ok &&
		     serve_loop_stalled(&u->queues[i].pool, max_us)) ||
		    (u->queues[i].fast_ok &&
		     serve_loop_stalled(&u->queues[i].fast, max_us)))
			return true;
	return false;
}

unsigned int uring_loop_describe_busy(struct uring_loop *u, char *buf,
				      size_t len, size_t *used)
{
	unsigned int n = 0;

	for (unsigned int i = 0; u && i < u->nr_queues; i++) {
		if (u->queues[i].pool_ok)
			n += serve_loop_describe_busy(&u->queues[i].pool, buf,
						      len, used);
		if (u->queues[i].fast_ok)
			n += serve_loop_describe_busy(&u->queues[i].fast, buf,
						      len, used);
	}
	return n;
}

unsigned int uring_loop_stuck(struct uring_loop *u,
			      struct fuse_abort_stuck *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; u && i < u->nr_queues && n < max; i++) {
		if (u->queues[i].pool_ok)
			n += serve_loop_stuck(&u->queues[i].pool, out + n,
					      max - n);
		if (u->queues[i].fast_ok && n < max)
			n += serve_loop_stuck(&u->queues[i].fast, out + n,
					      max - n);
	}
	return n;
}

#else /* !HAVE_LIBURING */

int uring_loop_possible(const char **why)
{
	*why = "built without liburing";
	return 0;
}

int uring_loop_new(struct fuse_session *se, bool is_cuse,
		   unsigned int min_threads, unsigned int max_threads,
		   struct uring_loop **out)
{
	return -EOPNOTSUPP;
}

bool uring_loop_wait_ready(struct uring_loop *u, unsigned int ms)
{
	return false;
}

unsigned int uring_loop_stop(struct uring_loop *u,
			     unsigned long long deadline_us)
{
	return 0;
}

void uring_loop_free(struct uring_loop *u)
{
}

bool uring_loop_stalled(struct uring_loop *u, unsigned long long max_us)
{
	return false;
}

unsigned int uring_loop_describe_busy(struct uring_loop *u, char *buf,
				      size_t len, size_t *used)
{
	return 0;
}

unsigned int uring_loop_stuck(struct uring_loop *u,
			      struct fuse_abort_stuck *out, unsigned int max)
{
	return 0;
}

#endif
