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

#include "frontend/uring_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/fuse_abort.h"
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

#if HAVE_LIBURING

#include "frontend/uring_private.h"

#include <sys/eventfd.h>
#include <sys/mman.h>

bool uring_knob_is_y(void)
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

void uring_prep_cmd(struct io_uring_sqe *sqe, struct uring_queue *q,
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

int uring_add_ent(struct uring_queue *q, struct io_uring *ring,
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
			continue;
		}
		uring_prep_cmd(sqe, q, e, URING_CMD_COMMIT_AND_FETCH);
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
		return;
	}
	atomic_store(&e->state, ENT_PROCESSING);
	pthread_mutex_lock(&q->lock);
	e->next = NULL;
	*q->ready_tail = e;
	q->ready_tail = &e->next;
	pthread_cond_signal(&q->ready_cv);
	pthread_mutex_unlock(&q->lock);
}

void uring_report(struct uring_queue *q, int rc)
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

	if (idle_ms >= 0)
		clock_deadline(CLOCK_MONOTONIC, (unsigned long long)idle_ms * 1000,
			       &until);
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

void uring_commit(struct uring_ent *e)
{
	struct uring_queue *q = e->q;

	pthread_mutex_lock(&q->lock);
	e->next = q->commit;
	q->commit = e;
	pthread_mutex_unlock(&q->lock);
	uring_wake_ring(q);
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

/* ------------------------------------------------------------- life --- */

/*
 * UIOMMUFD_TEST_URING_REGISTER_DELAY_MS (tests only, at most 5000): fast
 * workers wait that long before each registration after the start, which
 * makes the window uring_kick.c closes wide enough for a test to hit it
 * every time (tests/security/uring-pending.sh).
 */
static unsigned int uring_test_register_delay(void)
{
	const char *s = getenv("UIOMMUFD_TEST_URING_REGISTER_DELAY_MS");
	unsigned long ms;

	if (!s || !*s)
		return 0;
	ms = strtoul(s, NULL, 10);
	if (ms)
		log_notice("io_uring loop: registrations wait %lu ms (a test's setting)",
			   ms > 5000 ? 5000ul : ms);
	return ms > 5000 ? 5000u : (unsigned int)ms;
}

void uring_loop_set_node(struct uring_loop *u, const char *path)
{
	for (unsigned int i = 0; u && i < u->nr_queues; i++) {
		struct uring_kick *k;

		if (atomic_load(&u->queues[i].kick) ||
		    uring_kick_new(i, u->cuse, path, &k))
			continue; /* without kicks, as before */
		atomic_store(&u->queues[i].kick, k);
	}
}

int uring_loop_possible(const char **why)
{
	if (!uring_knob_is_y()) {
		*why = ENABLE_URING_KNOB " is not Y";
		return 0;
	}
	return 1;
}

static void uring_queue_fini(struct uring_queue *q)
{
	uring_kick_free(atomic_exchange(&q->kick, NULL));
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
	unsigned long long kicks = 0;
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
		kicks += uring_kick_done(atomic_load(&q->kick));
	}
	if (u->state == URING_GO)
		log_info("io_uring loop: %llu requests came by the ring (%u queues, %u entries, %llu kicks)",
			 (unsigned long long)atomic_load(&u->nr_served),
			 u->nr_queues, ents, kicks);
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
	u->test_register_delay_ms = uring_test_register_delay();
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
			rc = serve_loop_start_src(&q->fast, se, &uring_fast_source, q,
						  (int)i, 1, max_threads);
		if (!rc)
			q->fast_ok = true;
		if (!rc)
			rc = uring_thread_start(q);
	}
	if (!rc && fuse_session_custom_io(se, &uring_custom_io, u->fd))
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

	clock_deadline(CLOCK_REALTIME, (unsigned long long)ms * 1000, &ts);
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
	unsigned long long kick_until;
	unsigned int stuck = 0;

	if (!u)
		return 0;
	/* Ring threads still waiting for INIT need not wait any more. */
	pthread_mutex_lock(&u->lock);
	if (u->state == URING_WAIT_INIT)
		u->state = URING_OFF;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->lock);
	/*
	 * Kicks first, while the fast workers still serve them: a kick left
	 * in an entry nobody serves would keep its thread, and so the
	 * process, waiting on our own connection (uring_kick.c).
	 */
	kick_until = monotonic_us() + URING_KICK_STOP_US;
	if (deadline_us && kick_until > deadline_us)
		kick_until = deadline_us;
	for (unsigned int i = 0; i < u->nr_queues; i++)
		uring_kick_stop(atomic_load(&u->queues[i].kick), kick_until);
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

void uring_loop_set_node(struct uring_loop *u, const char *path)
{
}

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
