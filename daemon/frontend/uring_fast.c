// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast workers of a ring queue (theory: uring_loop.c): each has a ring of
 * its own and one entry, serves the requests of that entry on its own
 * thread and commits the reply there, which arms the entry again.  While
 * it serves, the entry holds the request, so the thread owns nothing the
 * kernel could hand a request to.
 */
#include "frontend/uring_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

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
	int rc;

	/* Tests widen the window the kick closes (uring_kick.c). */
	if (q->u->test_register_delay_ms && atomic_load(&q->kick))
		usleep(q->u->test_register_delay_ms * 1000u);
	rc = uring_add_ent(q, &f->ring, &e);
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
	/*
	 * A request that came while this queue had no entry available waits
	 * in the kernel until a commit on this queue; a kick makes one.
	 */
	if (!rc)
		uring_kick(atomic_load(&q->kick));
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
	/* The commit of the last reply may still wait for the next wait. */
	if (f->ring_ok) {
		io_uring_submit(&f->ring);
		io_uring_queue_exit(&f->ring);
	}
	free(f);
}

const struct serve_source uring_fast_source = {
	.receive = fast_receive,
	.process = fast_process,
	.wake = fast_wake,
	.worker_exit = fast_worker_exit,
	.keep_workers = true,
};
