// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fault-injection control ioctl and the armed dispatch (fault.h).
 *
 * Arming is per (context, calling thread): UIOMMUFD_FAULT_ARM records
 * "the next ioctl of thread T on context C fails its nth failure point";
 * that ioctl takes the arming, runs with a thread-local counter on, and
 * leaves its result for UIOMMUFD_FAULT_RESULT under the same thread.  Other
 * threads and contexts run unarmed meanwhile, so a test's own bookkeeping
 * ioctls (the snapshots) never count.
 *
 * The snapshot is text so that a test can print the difference.  It is
 * taken under the context's lock (the dispatch holds it); the daemon-wide
 * figures (heap bytes, descriptors, VmLck) assume the daemon is otherwise
 * idle, which the sweep arranges (one client, one worker).
 */
#include "core/iommufd_private.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fd_handle.h"
#include "core/ioas.h"
#include "core/pages.h"
#include "clock.h"
#include "fault/fault.h"
#include "log.h"
#include "uiommufd/abi_fault.h"

/* Snapshots longer than this are cut (and then compare as cut). */
#define FAULT_SNAPSHOT_MAX (1u << 20)
#define FAULT_SLOTS 64

struct fault_run {
	bool on;
	uint64_t nth, count;
	bool fired;
	int err;
	char what[32];
};

static _Thread_local struct fault_run fault_run;

struct fault_slot {
	struct iommufd_ctx *ictx; /* NULL: free */
	pid_t tid;
	bool armed;	/* else: holds the last result of tid */
	struct fault_run run;
};

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fault_released = PTHREAD_COND_INITIALIZER;
static struct fault_slot fault_slots[FAULT_SLOTS];
/* The sweeping thread, alone served until fault_owner_until (µs). */
static pid_t fault_owner;
static uint64_t fault_owner_until;
/*
 * Threads waiting for the owner, and the last owner, which may not sweep
 * again before one of them ran (else one client starves the others).
 */
static unsigned int fault_waiters;
static pid_t fault_barred;
static uint64_t fault_barred_until;
#define FAULT_OWNER_US 2000000u

__attribute__((constructor)) static void fault_announce(void)
{
	fprintf(stderr, "uiommufd: built with fault injection (a test build: "
			"never run it as a service)\n");
}

bool fault_hit(const char *what, int err)
{
	struct fault_run *r = &fault_run;

	if (!r->on || r->fired)
		return false;
	if (++r->count != r->nth)
		return false;
	r->fired = true;
	r->err = err;
	snprintf(r->what, sizeof(r->what), "%s", what);
	return true;
}

static struct fault_slot *fault_slot_find(struct iommufd_ctx *ictx, pid_t tid,
					  bool create)
{
	struct fault_slot *free_slot = NULL;

	for (unsigned int i = 0; i < FAULT_SLOTS; i++) {
		struct fault_slot *s = &fault_slots[i];

		if (s->ictx == ictx && s->tid == tid)
			return s;
		if (!s->ictx && !free_slot)
			free_slot = s;
	}
	if (!create)
		return NULL;
	/* Out of slots: the oldest results go first (any will do). */
	if (!free_slot)
		free_slot = &fault_slots[0];
	*free_slot = (struct fault_slot){ .ictx = ictx, .tid = tid };
	return free_slot;
}

/*
 * Another thread sweeps: wait until it is done, without our context's
 * lock (a forked sweeper may share the context).  fault_lock held.
 */
static void fault_wait_owner(struct iommufd_ucmd *ucmd)
{
	pid_t me = ucmd->caller.pid;
	bool unlocked = false;

	for (;;) {
		uint64_t now = monotonic_us();
		struct timespec ts;

		if (fault_owner && now >= fault_owner_until)
			fault_owner = 0;
		if (fault_barred && (now >= fault_barred_until || !fault_waiters))
			fault_barred = 0;
		if (!(fault_owner && fault_owner != me) && fault_barred != me)
			break;
		if (!unlocked) {
			fault_waiters++;
			pthread_mutex_unlock(&ucmd->ictx->lock);
			unlocked = true;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&fault_released, &fault_lock, &ts);
	}
	if (unlocked) {
		fault_waiters--;
		if (fault_barred != me)
			fault_barred = 0;
		/* Lock order: ctx->lock before fault_lock. */
		pthread_mutex_unlock(&fault_lock);
		pthread_mutex_lock(&ucmd->ictx->lock);
		pthread_mutex_lock(&fault_lock);
	}
}

static long fault_ctl(struct iommufd_ucmd *ucmd);

long fault_dispatch(struct iommufd_ucmd *ucmd, unsigned int cmd,
		    fault_dispatch_fn fn)
{
	struct fault_slot *s;
	uint64_t nth = 0;
	bool armed = false;
	long rc;

	pthread_mutex_lock(&fault_lock);
	fault_wait_owner(ucmd);
	pthread_mutex_unlock(&fault_lock);
	if (cmd == UIOMMUFD_FAULT_CMD)
		return fault_ctl(ucmd);
	pthread_mutex_lock(&fault_lock);
	s = fault_slot_find(ucmd->ictx, ucmd->caller.pid, false);
	if (s && s->armed) {
		armed = true;
		nth = s->run.nth;
		s->armed = false;
	}
	pthread_mutex_unlock(&fault_lock);
	if (!armed)
		return fn(ucmd, cmd);

	fault_run = (struct fault_run){ .on = true, .nth = nth };
	rc = fn(ucmd, cmd);
	fault_run.on = false;

	pthread_mutex_lock(&fault_lock);
	s = fault_slot_find(ucmd->ictx, ucmd->caller.pid, true);
	s->armed = false;
	s->run = fault_run;
	pthread_mutex_unlock(&fault_lock);
	return rc;
}

struct snap_buf {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void snap_add(struct snap_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n :
							 b->cap - b->len - 1;
}

static unsigned int count_open_fds(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own descriptor */
}

static unsigned long long own_vmlck_kb(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %llu", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void snap_ioas(struct snap_buf *b, struct iommufd_ioas *ioas)
{
	const struct io_pagetable *iopt = &ioas->iopt;
	struct interval_tree_node *n;
	unsigned int shown = 0;

	snap_add(b, "ioas %u: areas %zu mapped %" PRIu64 " allowed %zu "
		    "domains %u align %" PRIu64 "\n", ioas->obj.id,
		 iopt->num_areas, iopt->mapped_bytes, iopt->num_allowed,
		 ioas->num_domains, iopt->iova_alignment);
	for (n = interval_tree_first(&iopt->area_itree); n;
	     n = interval_tree_next(n)) {
		struct iopt_area *a = container_of(n, struct iopt_area, node);

		if (shown++ == 256) {
			snap_add(b, "  ...\n");
			break;
		}
		snap_add(b, "  area %#" PRIx64 "-%#" PRIx64 " prot %d acc %u "
			    "locks %u\n", n->start, n->last, a->iommu_prot,
			 (unsigned int)a->num_accesses, a->num_locks);
	}
}

static void fault_snapshot_fill(struct iommufd_ctx *ictx, struct snap_buf *b,
				long long heap, unsigned int fds)
{
	struct iommufd_daemon *d = ictx->daemon;
	struct iommufd_fd_handle *h;
	unsigned int nr_handles = 0;
	uint32_t id;

	snap_add(b, "objects %u:", ictx->objects.count);
	for (id = id_table_next(&ictx->objects, 1); id;
	     id = id_table_next(&ictx->objects, id + 1)) {
		struct iommufd_object *obj = id_table_lookup(&ictx->objects, id);

		if (!obj) {
			snap_add(b, " %u:reserved", id);
			continue;
		}
		snap_add(b, " %u:%s:%u%s", id,
			 iommufd_object_ops[obj->type].name ?
				 iommufd_object_ops[obj->type].name : "?",
			 obj->users, obj->finalized ? "" : ":unfinalized");
		if (id == UINT32_MAX)
			break;
	}
	snap_add(b, "\n");
	for (id = id_table_next(&ictx->objects, 1); id;
	     id = id_table_next(&ictx->objects, id + 1)) {
		struct iommufd_object *obj = id_table_lookup(&ictx->objects, id);

		if (obj && obj->type == IOMMUFD_OBJ_IOAS)
			snap_ioas(b, container_of(obj, struct iommufd_ioas, obj));
	}
	for (h = ictx->fd_handles; h; h = h->next)
		nr_handles++;
	snap_add(b, "ctx: live %u areas %" PRIu64 " mapped %" PRIu64
		    " pinned %" PRIu64 " sources %u idle %u files %u "
		    "fd_handles %u vfio_ioas %u\n",
		 ictx->live_nr_objects, ictx->iopt_totals.areas,
		 ictx->iopt_totals.mapped_bytes, ictx->pinned_bytes,
		 ictx->nr_sources, ictx->nr_idle_sources, ictx->nr_held_files,
		 nr_handles, ictx->vfio_ioas ? ictx->vfio_ioas->obj.id : 0);
	snap_add(b, "user %u: bytes %" PRIu64 " fds %u pinned_pages %" PRIu64
		    "\n", (unsigned int)ictx->opener_uid,
		 ictx->mem ? atomic_load(&ictx->mem->bytes) : 0,
		 ictx->mem ? atomic_load(&ictx->mem->fds) : 0,
		 iopt_account_user_pages(d, ictx->opener_uid));
	pthread_mutex_lock(&d->lock);
	snap_add(b, "daemon: contexts %u pool_objects %lld vmlck_kb %llu\n",
		 d->nr_contexts, fault_pool_objects(), own_vmlck_kb());
	pthread_mutex_unlock(&d->lock);
	/* Caches warm up on a first failure; the sweep compares these twice. */
	snap_add(b, "warm: heap %lld fds %u\n", heap, fds);
}

static long fault_snapshot(struct iommufd_ucmd *ucmd,
			   struct uiommufd_fault_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct snap_buf b = { 0 };
	long long heap;
	unsigned int fds;
	int rc;

	if (!cmd->buf_len)
		return -EINVAL;
	/* Bindings kept for reuse are a cache: drop them, keep keeping. */
	iopt_sources_release_idle(ictx);
	pthread_mutex_lock(&ictx->daemon->lock);
	ictx->sources_closing = false;
	pthread_mutex_unlock(&ictx->daemon->lock);

	fds = count_open_fds();
	heap = fault_heap_bytes();
	b.cap = cmd->buf_len < FAULT_SNAPSHOT_MAX ? cmd->buf_len :
						    FAULT_SNAPSHOT_MAX;
	b.p = calloc(1, b.cap);
	if (!b.p)
		return -ENOMEM;
	fault_snapshot_fill(ictx, &b, heap, fds);
	cmd->out_len = (uint32_t)b.len + 1;
	rc = ucmd_copy_to_user(ucmd, cmd->buf_uptr, b.p, b.len + 1);
	free(b.p);
	return rc;
}

static long fault_ctl(struct iommufd_ucmd *ucmd)
{
	struct uiommufd_fault_cmd cmd;
	struct fault_slot *s;
	int rc;

	rc = ucmd_copy_struct_from_user(ucmd, &cmd, sizeof(cmd), ucmd->ubuffer,
					sizeof(cmd));
	if (rc)
		return rc;
	if (cmd.size != sizeof(cmd))
		return -EINVAL;
	pthread_mutex_lock(&fault_lock);
	if (cmd.op == UIOMMUFD_FAULT_RELEASE) {
		if (fault_owner == ucmd->caller.pid) {
			fault_owner = 0;
			if (fault_waiters) {
				fault_barred = ucmd->caller.pid;
				fault_barred_until = monotonic_us() + 100000;
			}
		}
		pthread_cond_broadcast(&fault_released);
	} else if (cmd.op == UIOMMUFD_FAULT_ARM ||
		   cmd.op == UIOMMUFD_FAULT_SNAPSHOT) {
		fault_owner = ucmd->caller.pid;
		fault_owner_until = monotonic_us() + FAULT_OWNER_US;
	}
	pthread_mutex_unlock(&fault_lock);
	switch (cmd.op) {
	case UIOMMUFD_FAULT_RELEASE:
		return 0;
	case UIOMMUFD_FAULT_ARM:
		pthread_mutex_lock(&fault_lock);
		s = fault_slot_find(ucmd->ictx, ucmd->caller.pid, true);
		s->armed = true;
		s->run = (struct fault_run){ .nth = cmd.nth };
		pthread_mutex_unlock(&fault_lock);
		return 0;
	case UIOMMUFD_FAULT_RESULT:
		pthread_mutex_lock(&fault_lock);
		s = fault_slot_find(ucmd->ictx, ucmd->caller.pid, false);
		if (!s || s->armed) {
			pthread_mutex_unlock(&fault_lock);
			return -ENOENT;
		}
		cmd.out_hooks = s->run.count;
		cmd.out_fired = s->run.fired;
		cmd.out_errno = s->run.err;
		memcpy(cmd.out_what, s->run.what, sizeof(cmd.out_what));
		pthread_mutex_unlock(&fault_lock);
		break;
	case UIOMMUFD_FAULT_SNAPSHOT:
		rc = fault_snapshot(ucmd, &cmd);
		if (rc)
			return rc;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return ucmd_copy_to_user(ucmd, ucmd->ubuffer, &cmd, sizeof(cmd));
}
