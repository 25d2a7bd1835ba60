// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault queues and vEVENTQs; mirrors the kernel's
 * drivers/iommu/iommufd/eventq.c, with the pieces of io-pgfault.c
 * (iommu_report_device_fault()) and driver.c (iommufd_viommu_report_event())
 * that feed them.
 *
 * Theory of operation
 * -------------------
 * In the kernel a queue is an anonymous file whose read() drains a list
 * that the IOMMU driver fills.  Here the file is one end of a socketpair
 * handed to the caller through iommufd_ucmd_install_fd(); the daemon keeps
 * the other end (struct iommufd_fd_handle).  The ioctl that raises a fault
 * or an event (TRIGGER_IOPF, TRIGGER_VEVENT) writes its record into the
 * socket before it returns, so a read() that follows it in program order
 * finds it, as in the kernel.
 *
 * The pair is SOCK_STREAM, not SOCK_SEQPACKET: the kernel's read() returns
 * as many whole records as fit in the buffer (the self-test reads three
 * vEVENTs with one read() and expects the lost-events header third), which
 * a SEQPACKET socket cannot do: it returns one record per read and drops
 * what does not fit.  Each record is sent whole by one send(), so a buffer
 * that holds whole records gets whole records.  A buffer that ends inside a
 * record gets part of it, and the rest comes with the next read(); the
 * kernel returns only whole records (and ESPIPE for a fault read() that is
 * not a multiple of the record size).
 *
 * Both ends are O_NONBLOCK: the kernel's read() of an empty queue returns
 * 0 at once, and a program written for it must not hang here; it gets -1
 * with EAGAIN instead.
 *
 * The vEVENTQ's depth needs to know how many events the caller has read.
 * The daemon learns it from SIOCOUTQ on its end: the socket memory
 * (truesize) still charged to it for records the caller has not read
 * completely.  A record is one skb whose truesize depends on its length
 * only, measured once per length on a private pair (eventq_truesize()).
 * Walking the records sent, oldest first, those that no longer fit in
 * SIOCOUTQ have been read.
 *
 * Page responses the caller writes to a fault fd are read at the start of
 * the context's next ioctl (the fd handle's readable callback), before
 * anything that looks at pending faults, so the kernel's order holds for a
 * single-threaded caller.  A response the kernel's write() would refuse
 * (unknown cookie, bad code) is dropped: a socket write cannot fail
 * afterwards.
 */
#include "core/eventq.h"

#include <errno.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/device.h"
#include "core/hw_pagetable.h"
#include "core/ucmd_fd.h"
#include "core/viommu.h"

_Static_assert(offsetof(struct iommufd_fault, common.obj) == 0,
	       "hwpt->fault is used as an object");

/* Bytes of caller writes read per reap; the rest waits for the next ioctl. */
#define EVENTQ_READ_BUDGET (64u * 1024)
/* The largest record: a vEVENT header and its payload. */
#define EVENTQ_MAX_RECORD \
	(sizeof(struct iommufd_vevent_header) + IOMMUFD_VEVENT_MAX_DATA)
/* A bound on the ring of records; the socket's buffer fills long before. */
#define VEVENTQ_MAX_RECS 65536u

/* ---- the socket ------------------------------------------------------ */

static struct {
	pthread_mutex_t lock;
	unsigned int nr;
	struct {
		uint32_t len, truesize;
	} ent[8];
} truesize_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * The truesize a record of len bytes is charged in SIOCOUTQ, or 0 if it
 * cannot be measured (eventq_sync() then only trusts an empty socket).
 */
static uint32_t eventq_truesize(size_t len)
{
	static const uint8_t zeroes[EVENTQ_MAX_RECORD];
	uint32_t ts = 0;
	int sv[2], outq;

	pthread_mutex_lock(&truesize_cache.lock);
	for (unsigned int i = 0; i != truesize_cache.nr; i++)
		if (truesize_cache.ent[i].len == len)
			ts = truesize_cache.ent[i].truesize;
	pthread_mutex_unlock(&truesize_cache.lock);
	if (ts || len > sizeof(zeroes))
		return ts;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
		       sv) < 0)
		return 0;
	if (send(sv[0], zeroes, len, MSG_NOSIGNAL) == (ssize_t)len &&
	    ioctl(sv[0], SIOCOUTQ, &outq) == 0 && outq > 0)
		ts = (uint32_t)outq;
	close(sv[0]);
	close(sv[1]);
	if (!ts)
		return 0;
	pthread_mutex_lock(&truesize_cache.lock);
	if (truesize_cache.nr < ARRAY_SIZE(truesize_cache.ent)) {
		truesize_cache.ent[truesize_cache.nr].len = (uint32_t)len;
		truesize_cache.ent[truesize_cache.nr++].truesize = ts;
	}
	pthread_mutex_unlock(&truesize_cache.lock);
	return ts;
}

/*
 * One record, whole, by one send(): 0; -ENOMEM when the socket is full
 * (the caller is not reading); -EPIPE when the caller's end is gone.
 */
static int eventq_send(struct iommufd_eventq *eventq, const void *a,
		       size_t alen, const void *b, size_t blen)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = blen ? 2 : 1 };
	ssize_t n;

	do
		n = sendmsg(eventq->handle.peer, &msg,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)(alen + blen))
		return 0;
	/* A record this small is one skb: it is sent whole or not at all. */
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
		return -EPIPE;
	return -ENOMEM;
}

/* What the caller wrote, up to the budget, handed to fn in pieces. */
static void eventq_drain(struct iommufd_eventq *eventq,
			 void (*fn)(struct iommufd_eventq *eventq,
				    const uint8_t *buf, size_t len))
{
	uint8_t buf[4096];
	size_t total = 0;

	while (total < EVENTQ_READ_BUDGET) {
		ssize_t n = recv(eventq->handle.peer, buf, sizeof(buf),
				 MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fn)
			fn(eventq, buf, (size_t)n);
		total += (size_t)n;
	}
}

/* The caller closed its end: the file's users count goes (fops_release). */
static void eventq_released(struct iommufd_fd_handle *h)
{
	struct iommufd_eventq *eventq =
		container_of(h, struct iommufd_eventq, handle);

	eventq->fd_open = false;
	if (eventq->obj.type == IOMMUFD_OBJ_VEVENTQ) {
		struct iommufd_veventq *veventq =
			container_of(eventq, struct iommufd_veventq, common);

		/* Nothing in the socket can be read any more. */
		veventq->nr_recs = 0;
		veventq->rec_head = 0;
		veventq->recs_truesize = 0;
	}
	iommufd_object_put_user(&eventq->obj);
}

static void eventq_fini(struct iommufd_eventq *eventq)
{
	if (eventq->handle.peer >= 0)
		iommufd_fd_handle_fini(&eventq->handle);
	eventq->fd_open = false;
}

/*
 * iommufd_eventq_init() + fd_install(): make the socketpair and hand the
 * caller its end.  The reply is written before the fd is installed (an fd
 * put into another process cannot be taken back), and again with the
 * fd's number.  On failure the caller aborts the object; eventq_fini()
 * then closes what was made.
 */
static int eventq_install(struct iommufd_ucmd *ucmd,
			  struct iommufd_eventq *eventq,
			  void (*readable)(struct iommufd_fd_handle *h),
			  uint32_t *out_fd, size_t cmd_len)
{
	int client_end, fdno, rc;

	eventq->ictx = ucmd->ictx;
	rc = iommufd_fd_handle_init_stream(&eventq->handle, ucmd->ictx,
					   eventq_released, readable,
					   &client_end);
	if (rc)
		return rc;
	rc = iommufd_ucmd_respond(ucmd, cmd_len);
	if (rc) {
		close(client_end);
		return rc;
	}
	fdno = iommufd_ucmd_install_fd(ucmd, client_end);
	if (fdno < 0)
		return fdno;
	*out_fd = (uint32_t)fdno;
	rc = iommufd_ucmd_respond(ucmd, cmd_len);
	if (rc)
		return rc;
	iommufd_fd_handle_publish(&eventq->handle);
	eventq->fd_open = true;
	iommufd_object_get_user(&eventq->obj);
	return 0;
}

/* iommufd_object_alloc() for the queues, whose header is common.obj. */
#define eventq_object_alloc(ictx, ptr, type, err)                             \
	({                                                                    \
		struct iommufd_object *_o = _iommufd_object_alloc(            \
			ictx, sizeof(*(ptr)), type, err);                     \
		_o ? container_of(_o, __typeof__(*(ptr)), common.obj) : NULL; \
	})

/* ---- fault queues ---------------------------------------------------- */

/* iopf_group_response() + iopf_free_group(); the mock device ignores the code. */
static void fault_group_free(struct iommufd_fault *fault, uint32_t cookie)
{
	fault->groups[cookie - 1] = (struct iommufd_fault_group){ 0 };
	fault->nr_groups--;
}

/* Mirrors iommufd_fault_destroy(): pending groups are answered "invalid". */
void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, common.obj);

	eventq_fini(&fault->common);
	free(fault->groups);
	fault->groups = NULL;
	fault->nr_groups = fault->cap_groups = 0;
}

void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_device *idev, uint32_t pasid)
{
	struct iommufd_fault *fault = hwpt->fault;

	if (!fault)
		return;
	for (unsigned int i = 0; i != fault->cap_groups; i++) {
		struct iommufd_fault_group *g = &fault->groups[i];

		if (g->used && g->idev == idev && g->pasid == pasid &&
		    g->hwpt == hwpt)
			fault_group_free(fault, i + 1);
	}
}

/* One page response from the caller (iommufd_fault_fops_write()). */
static void fault_page_response(struct iommufd_fault *fault,
				const struct iommu_hwpt_page_response *resp)
{
	if (resp->code != IOMMUFD_PAGE_RESP_SUCCESS &&
	    resp->code != IOMMUFD_PAGE_RESP_INVALID)
		return;
	if (!resp->cookie || resp->cookie > fault->cap_groups ||
	    !fault->groups[resp->cookie - 1].used)
		return;
	fault_group_free(fault, resp->cookie);
}

static void fault_parse(struct iommufd_eventq *eventq, const uint8_t *buf,
			size_t len)
{
	struct iommufd_fault *fault =
		container_of(eventq, struct iommufd_fault, common);

	while (len) {
		size_t n = sizeof(fault->partial) - fault->partial_len;

		if (n > len)
			n = len;
		memcpy(fault->partial + fault->partial_len, buf, n);
		fault->partial_len += (unsigned int)n;
		buf += n;
		len -= n;
		if (fault->partial_len == sizeof(fault->partial)) {
			struct iommu_hwpt_page_response resp;

			memcpy(&resp, fault->partial, sizeof(resp));
			fault->partial_len = 0;
			fault_page_response(fault, &resp);
		}
	}
}

static void fault_readable(struct iommufd_fd_handle *h)
{
	eventq_drain(container_of(h, struct iommufd_eventq, handle),
		     fault_parse);
}

/*
 * Mirrors iommufd_fault_iopf_handler() and the read() that hands the group
 * out: the group gets its cookie (the lowest free, as the kernel's
 * xa_alloc() at read time) and its record goes into the socket.  A group
 * for a closed fd waits for nobody: it is answered at once.
 */
static int iommufd_fault_iopf_handler(struct iommufd_fault *fault,
				      struct iommufd_device *idev,
				      uint32_t pasid,
				      struct iommufd_hw_pagetable *hwpt,
				      struct iommu_hwpt_pgfault *rec)
{
	unsigned int slot;

	if (!fault->common.fd_open)
		return 0;
	if (fault->nr_groups >= IOMMUFD_FAULT_MAX_GROUPS)
		return -ENOMEM;
	for (slot = 0; slot != fault->cap_groups; slot++)
		if (!fault->groups[slot].used)
			break;
	if (slot == fault->cap_groups) {
		unsigned int cap = fault->cap_groups ? fault->cap_groups * 2 : 8;
		struct iommufd_fault_group *grown;

		grown = realloc(fault->groups, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		memset(grown + fault->cap_groups, 0,
		       (cap - fault->cap_groups) * sizeof(*grown));
		fault->groups = grown;
		fault->cap_groups = cap;
	}
	rec->cookie = slot + 1;
	if (eventq_send(&fault->common, rec, sizeof(*rec), NULL, 0))
		return -ENOMEM;
	fault->groups[slot] = (struct iommufd_fault_group){
		.used = true, .idev = idev, .pasid = pasid, .hwpt = hwpt,
	};
	fault->nr_groups++;
	return 0;
}

/*
 * find_fault_handler(): a PASID fault goes to that PASID's attachment or,
 * as the mock driver has a user PASID table, to a nested HWPT at the RID;
 * any other to the RID's.  Only a HWPT with a fault queue takes it.
 */
static struct iommufd_hw_pagetable *
find_fault_handler(struct iommufd_device *idev,
		   const struct iommu_hwpt_pgfault *fault, uint32_t *pasid)
{
	struct iommufd_hw_pagetable *hwpt = NULL;

	*pasid = IOMMU_NO_PASID;
	if (fault->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) {
		hwpt = iommufd_device_attached_hwpt(idev, fault->pasid);
		if (hwpt) {
			*pasid = fault->pasid;
		} else {
			hwpt = iommufd_device_attached_hwpt(idev, IOMMU_NO_PASID);
			if (hwpt && hwpt->obj.type != IOMMUFD_OBJ_HWPT_NESTED)
				hwpt = NULL;
		}
	} else {
		hwpt = iommufd_device_attached_hwpt(idev, IOMMU_NO_PASID);
	}
	return hwpt && hwpt->fault ? hwpt : NULL;
}

int iommu_report_device_fault(struct iommufd_device *idev,
			      const struct iommu_hwpt_pgfault *fault)
{
	/* iommufd_compose_fault_message(): length is always 0. */
	struct iommu_hwpt_pgfault rec = {
		.flags = fault->flags,
		.dev_id = idev->obj.id,
		.pasid = fault->pasid,
		.grpid = fault->grpid,
		.perm = fault->perm,
		.addr = fault->addr,
	};
	struct iommufd_hw_pagetable *hwpt;
	uint32_t pasid;

	hwpt = find_fault_handler(idev, fault, &pasid);
	if (!hwpt)
		return -EINVAL;
	/* A group that cannot be queued is answered "failure": still 0. */
	(void)iommufd_fault_iopf_handler(hwpt->fault, idev, pasid, hwpt, &rec);
	return 0;
}

/* Mirrors iommufd_fault_alloc(). */
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	int rc = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = eventq_object_alloc(ucmd->ictx, fault, IOMMUFD_OBJ_FAULT, &rc);
	if (!fault)
		return rc;
	fault->common.handle.peer = -1;
	cmd->out_fault_id = fault->common.obj.id;
	rc = eventq_install(ucmd, &fault->common, fault_readable,
			    &cmd->out_fault_fd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &fault->common.obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &fault->common.obj);
	return 0;
}

/* ---- vEVENTQs -------------------------------------------------------- */

static struct iommufd_vevent_rec *veventq_rec(struct iommufd_veventq *veventq,
					      unsigned int i)
{
	return &veventq->recs[(veventq->rec_head + i) % veventq->cap_recs];
}

/* Forget the records the caller has read whole (see the top of the file). */
static void veventq_sync(struct iommufd_veventq *veventq)
{
	int outq;

	if (!veventq->nr_recs ||
	    ioctl(veventq->common.handle.peer, SIOCOUTQ, &outq) < 0)
		return;
	while (veventq->nr_recs &&
	       (outq <= 0 || veventq->recs_truesize > (uint64_t)outq)) {
		struct iommufd_vevent_rec *rec = veventq_rec(veventq, 0);

		veventq->recs_truesize -= rec->truesize;
		if (!rec->lost)
			veventq->num_events--;
		veventq->rec_head = (veventq->rec_head + 1) % veventq->cap_recs;
		veventq->nr_recs--;
	}
}

/* Room for one more record in the ring, in order. */
static int veventq_reserve(struct iommufd_veventq *veventq)
{
	struct iommufd_vevent_rec *grown;
	unsigned int cap;

	if (veventq->nr_recs < veventq->cap_recs)
		return 0;
	if (veventq->cap_recs >= VEVENTQ_MAX_RECS)
		return -ENOMEM;
	cap = veventq->cap_recs ? veventq->cap_recs * 2 : 8;
	grown = malloc(cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (unsigned int i = 0; i != veventq->nr_recs; i++)
		grown[i] = *veventq_rec(veventq, i);
	free(veventq->recs);
	veventq->recs = grown;
	veventq->cap_recs = cap;
	veventq->rec_head = 0;
	return 0;
}

/*
 * iommufd_vevent_handler(): the record goes in with the next sequence
 * number.  An fd nobody holds any more takes the event as the kernel's
 * list does, for nobody to read.
 */
static int veventq_push(struct iommufd_veventq *veventq, uint32_t flags,
			const void *data, size_t data_len)
{
	struct iommufd_vevent_header hdr = {
		.flags = flags, .sequence = veventq->sequence,
	};
	uint32_t truesize;
	int rc;

	if (veventq->common.fd_open) {
		rc = veventq_reserve(veventq);
		if (rc)
			return rc;
		truesize = eventq_truesize(sizeof(hdr) + data_len);
		rc = eventq_send(&veventq->common, &hdr, sizeof(hdr), data,
				 data_len);
		if (rc && rc != -EPIPE)
			return rc;
		/* -EPIPE: closed just now; the next reap releases the fd. */
		if (!rc) {
			*veventq_rec(veventq, veventq->nr_recs++) =
				(struct iommufd_vevent_rec){
					.truesize = truesize,
					.lost = flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
				};
			veventq->recs_truesize += truesize;
		}
	}
	veventq->sequence = (veventq->sequence + 1) & INT32_MAX;
	return 0;
}

/*
 * The lost-events header takes the event's sequence number.  The kernel
 * keeps one header at the tail and renumbers it; once in the socket it
 * cannot be renumbered, so a header still unread at the tail stands for
 * the later losses too and the next event's sequence shows the gap.
 */
static void veventq_lost(struct iommufd_veventq *veventq)
{
	if (veventq->nr_recs &&
	    veventq_rec(veventq, veventq->nr_recs - 1)->lost) {
		veventq->sequence = (veventq->sequence + 1) & INT32_MAX;
		return;
	}
	if (veventq_push(veventq, IOMMU_VEVENTQ_FLAG_LOST_EVENTS, NULL, 0))
		veventq->sequence = (veventq->sequence + 1) & INT32_MAX;
}

struct iommufd_veventq *
iommufd_viommu_find_veventq(struct iommufd_viommu *viommu, uint32_t type)
{
	for (struct iommufd_veventq *q = viommu->veventqs; q; q = q->next)
		if (q->type == type)
			return q;
	return NULL;
}

int iommufd_viommu_report_event(struct iommufd_viommu *viommu, uint32_t type,
				const void *data, size_t data_len)
{
	struct iommufd_veventq *veventq;
	int rc;

	if (!data_len || !data || data_len > IOMMUFD_VEVENT_MAX_DATA)
		return -EINVAL;
	veventq = iommufd_viommu_find_veventq(viommu, type);
	if (!veventq)
		return -EOPNOTSUPP;
	if (veventq->common.fd_open)
		veventq_sync(veventq);
	if (veventq->num_events >= veventq->depth) {
		veventq_lost(veventq);
		return 0;
	}
	/*
	 * The kernel's lost-events header needs no memory; here it needs
	 * room in the socket, so an event may not take the last of it.
	 */
	if (veventq->common.fd_open && veventq->sndbuf &&
	    veventq->recs_truesize +
			    eventq_truesize(sizeof(struct iommufd_vevent_header) +
					    data_len) >=
		    veventq->sndbuf)
		rc = -ENOMEM;
	else
		rc = veventq_push(veventq, 0, data, data_len);
	if (rc) {
		/* The kernel's kzalloc() failure: lost, and -ENOMEM. */
		veventq_lost(veventq);
		return -ENOMEM;
	}
	veventq->num_events++;
	return 0;
}

static void veventq_readable(struct iommufd_fd_handle *h)
{
	/* The kernel's vEVENTQ has no write(); what was written is dropped. */
	eventq_drain(container_of(h, struct iommufd_eventq, handle), NULL);
}

/* Mirrors iommufd_veventq_destroy(), which is also its abort. */
void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *veventq =
		container_of(obj, struct iommufd_veventq, common.obj);
	struct iommufd_viommu *viommu = veventq->viommu;

	eventq_fini(&veventq->common);
	if (viommu) {
		for (struct iommufd_veventq **pp = &viommu->veventqs; *pp;
		     pp = &(*pp)->next)
			if (*pp == veventq) {
				*pp = veventq->next;
				break;
			}
		iommufd_object_put_user(&viommu->obj);
	}
	veventq->viommu = NULL;
	free(veventq->recs);
	veventq->recs = NULL;
	veventq->nr_recs = veventq->cap_recs = 0;
}

/* v7.3's bound on veventq_depth (VEVENTQ_MAX_DEPTH); deeper is EINVAL. */
#define VEVENTQ_MAX_DEPTH (1u << 19)

/* Mirrors iommufd_veventq_alloc(). */
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_veventq *veventq;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	int rc = 0;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (!obj)
		return -ENOENT;
	viommu = container_of(obj, struct iommufd_viommu, obj);
	if (iommufd_viommu_find_veventq(viommu, cmd->type))
		return -EEXIST;

	veventq = eventq_object_alloc(ucmd->ictx, veventq, IOMMUFD_OBJ_VEVENTQ,
				      &rc);
	if (!veventq)
		return rc;
	veventq->common.handle.peer = -1;
	veventq->type = cmd->type;
	veventq->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	veventq->depth = cmd->veventq_depth;
	veventq->next = viommu->veventqs;
	viommu->veventqs = veventq;

	cmd->out_veventq_id = veventq->common.obj.id;
	rc = eventq_install(ucmd, &veventq->common, veventq_readable,
			    &cmd->out_veventq_fd, sizeof(*cmd));
	if (!rc) {
		int sndbuf = 0;
		socklen_t len = sizeof(sndbuf);

		if (getsockopt(veventq->common.handle.peer, SOL_SOCKET,
			       SO_SNDBUF, &sndbuf, &len) < 0 || sndbuf <= 0)
			sndbuf = 0;
		veventq->sndbuf = (uint64_t)sndbuf;
	}
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx,
						 &veventq->common.obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &veventq->common.obj);
	return 0;
}
