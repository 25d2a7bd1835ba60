// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session's custom I/O on the ring loop (libfuse 3.14's
 * fuse_session_custom_io()): the classic reader's read(2) and every reply
 * pass here.  It sees INIT (and asks for the ring in its reply), rebuilds
 * a ring request the way libfuse reads one, and sends a reply to the entry
 * that holds its request, whichever thread sends it; any other reply goes
 * to the session fd as before.
 */
#include "frontend/uring_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

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

int uring_sessions_add(struct uring_loop *u)
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

void uring_sessions_del(struct uring_loop *u)
{
	pthread_mutex_lock(&uring_sessions_lock);
	for (unsigned int i = 0; i < URING_MAX_SESSIONS; i++)
		if (uring_sessions[i].u == u)
			uring_sessions[i].u = NULL;
	pthread_mutex_unlock(&uring_sessions_lock);
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

bool uring_serve(struct fuse_session *se, struct uring_ent *e)
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
		atomic_store(&u->init_offered, uring_knob_is_y());
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

const struct fuse_custom_io uring_custom_io = {
	.read = uring_io_read,
	.writev = uring_io_writev,
};
