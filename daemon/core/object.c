// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Contexts and the object lifecycle; mirrors the object half of the kernel's
 * drivers/iommu/iommufd/main.c.
 *
 * An object is reserved (ID taken, not visible to lookups), then finalized
 * once nothing can fail any more, or aborted.  Dependents hold a "users"
 * count on what they depend on, so IOMMU_DESTROY of an object still in use is
 * EBUSY, and closing the fd destroys leaves first until the table is empty.
 */
#include "core/iommufd_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/eventq.h"
#include "core/fd_handle.h"
#include "core/hw_pagetable.h"
#include "core/ioas.h"
#include "core/caller_mm.h"
#include "core/caller_proc.h"
#include "core/pages.h"
#include "core/viommu.h"

/*
 * What a context costs the daemon before it holds anything: the context and
 * the first chunk of its ID table (4096 slots and their bitmaps).
 */
#define IOMMUFD_CTX_CHARGE \
	(sizeof(struct iommufd_ctx) + 4096 * (sizeof(void *) + 1))
/* An object's ID-table slot, doubled for the table's growth by doubling. */
#define IOMMUFD_OBJ_SLOT_CHARGE (2 * sizeof(void *))

const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_IOAS] = { .name = "ioas", .destroy = iommufd_ioas_destroy },
	[IOMMUFD_OBJ_DEVICE] = { .name = "device",
				 .destroy = iommufd_device_destroy },
	[IOMMUFD_OBJ_HWPT_PAGING] = { .name = "hwpt_paging",
				      .destroy = iommufd_hwpt_paging_destroy },
	[IOMMUFD_OBJ_SELFTEST] = { .name = "selftest",
				   .destroy = iommufd_selftest_destroy },
	[IOMMUFD_OBJ_ACCESS] = { .name = "access",
				 .destroy = iommufd_access_destroy_object },
	[IOMMUFD_OBJ_HWPT_NESTED] = { .name = "hwpt_nested",
				      .destroy = iommufd_hwpt_nested_destroy },
	[IOMMUFD_OBJ_VIOMMU] = { .name = "viommu",
				 .destroy = iommufd_viommu_destroy },
	[IOMMUFD_OBJ_VDEVICE] = { .name = "vdevice",
				  .destroy = iommufd_vdevice_destroy },
	[IOMMUFD_OBJ_HW_QUEUE] = { .name = "hw_queue",
				   .destroy = iommufd_hw_queue_destroy },
	[IOMMUFD_OBJ_FAULT] = { .name = "fault",
				.destroy = iommufd_fault_destroy },
	[IOMMUFD_OBJ_VEVENTQ] = { .name = "veventq",
				  .destroy = iommufd_veventq_destroy },
};

static uint64_t userns_ino(pid_t pid)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/user");
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_ino;
}

int iommufd_daemon_init(struct iommufd_daemon *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->max_objects = 1u << 20;
	d->max_arg_bytes = IOMMUFD_DEFAULT_MAX_ARG_BYTES;
	d->max_files_per_ctx = 64;
	d->own_userns_ino = userns_ino(0);
	user_limits_init(&d->user_limits);
	return 0;
}

void iommufd_daemon_fini(struct iommufd_daemon *d)
{
	iopt_accounts_fini(d);
	user_limits_fini(&d->user_limits);
	pthread_mutex_destroy(&d->lock);
}

static void iommufd_ctx_free(struct iommufd_ctx *ictx)
{
	id_table_fini(&ictx->objects);
	pthread_mutex_destroy(&ictx->figures_lock);
	pthread_mutex_destroy(&ictx->lock);
	user_mem_close(ictx->mem, IOMMUFD_CTX_CHARGE);
	free(ictx);
}

int iommufd_ctx_open(struct iommufd_daemon *d, pid_t pid, uid_t uid,
		     bool vfio_node, struct iommufd_ctx **out)
{
	struct iommufd_ctx *ictx = calloc(1, sizeof(*ictx));
	int rc;

	if (!ictx)
		return -ENOMEM;
	/* Charged to the opener before anything else, the compat IOAS included. */
	rc = user_mem_open(&d->user_limits, uid, IOMMUFD_CTX_CHARGE, &ictx->mem);
	if (rc) {
		free(ictx);
		return rc;
	}
	pthread_mutex_init(&ictx->lock, NULL);
	pthread_mutex_init(&ictx->figures_lock, NULL);
	atomic_init(&ictx->refs, 1); /* the file's */
	ictx->daemon = d;
	id_table_init(&ictx->objects, d->max_objects);
	ictx->opener_pid = pid;
	ictx->opener_uid = uid;
	ictx->serial = ((atomic_fetch_add(&d->next_serial, 1) + 1) & 0x7fffffffu) ?: 1;
	ictx->is_vfio_node = vfio_node;
	ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	/* /dev/vfio/vfio users expect VFIO's per-process rlimit accounting. */
	if (vfio_node)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
	/* Legacy clients have no group whose attach would create it. */
	if (vfio_node || d->vfio_compat_default) {
		rc = iommufd_vfio_compat_ioas_create(ictx);
		if (rc) {
			iommufd_ctx_free(ictx);
			return rc;
		}
	}
	/* Nobody else can see it yet: the lock is only for the rule. */
	pthread_mutex_lock(&ictx->lock);
	iommufd_ctx_figures_update(ictx);
	pthread_mutex_unlock(&ictx->lock);

	pthread_mutex_lock(&d->lock);
	ictx->next = d->contexts;
	if (d->contexts)
		d->contexts->pprev = &ictx->next;
	ictx->pprev = &d->contexts;
	d->contexts = ictx;
	d->nr_contexts++;
	pthread_mutex_unlock(&d->lock);
	*out = ictx;
	return 0;
}

void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	atomic_fetch_add(&ictx->refs, 1);
}

bool iommufd_ctx_tryget(struct iommufd_ctx *ictx)
{
	unsigned int r = atomic_load(&ictx->refs);

	/* Zero means its teardown has begun: leave it alone. */
	while (r)
		if (atomic_compare_exchange_weak(&ictx->refs, &r, r + 1))
			return true;
	return false;
}

/* Mirrors iommufd_fops_release(); runs when the last reference is gone. */
static void iommufd_ctx_destroy(struct iommufd_ctx *ictx)
{
	struct iommufd_daemon *d = ictx->daemon;

	/* First out of the list, so that no walker can find it again. */
	pthread_mutex_lock(&d->lock);
	*ictx->pprev = ictx->next;
	if (ictx->next)
		ictx->next->pprev = ictx->pprev;
	d->nr_contexts--;
	pthread_mutex_unlock(&d->lock);

	/* Uncontended: holding the lock needs a reference. */
	pthread_mutex_lock(&ictx->lock);
	/* Handed-out fds go first: their objects hold users on the rest. */
	iommufd_fd_handles_release_all(ictx);
	iommufd_object_destroy_all(ictx);
	/* Bindings kept for reuse: nobody can call through this file again. */
	iopt_sources_release_idle(ictx);
	pthread_mutex_unlock(&ictx->lock);
	iommufd_ctx_free(ictx);
}

void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	if (atomic_fetch_sub(&ictx->refs, 1) == 1)
		iommufd_ctx_destroy(ictx);
}

void iommufd_ctx_release(struct iommufd_ctx *ictx)
{
	if (!atomic_exchange(&ictx->closed, true))
		iommufd_ctx_put(ictx);
}

unsigned int iommufd_ctx_release_all(struct iommufd_daemon *d)
{
	unsigned int held = 0;

	for (;;) {
		struct iommufd_ctx *ictx = NULL;

		pthread_mutex_lock(&d->lock);
		for (struct iommufd_ctx *c = d->contexts; c; c = c->next)
			if (!atomic_load(&c->closed) && iommufd_ctx_tryget(c)) {
				ictx = c;
				break;
			}
		pthread_mutex_unlock(&d->lock);
		if (!ictx)
			break;
		iommufd_ctx_release(ictx);
		iommufd_ctx_put(ictx);
	}
	/* What is left is held by requests (or a snapshot) for now. */
	pthread_mutex_lock(&d->lock);
	held = d->nr_contexts;
	pthread_mutex_unlock(&d->lock);
	return held;
}

struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type,
					     int *err)
{
	uint32_t charge = (uint32_t)(size + IOMMUFD_OBJ_SLOT_CHARGE);
	struct iommufd_object *obj;
	int64_t id;

	*err = user_mem_charge(ictx->mem, charge);
	if (*err)
		return NULL;
	obj = calloc(1, size);
	if (!obj) {
		user_mem_uncharge(ictx->mem, charge);
		*err = -ENOMEM;
		return NULL;
	}
	id = id_table_alloc(&ictx->objects, obj);
	if (id < 0) {
		free(obj);
		user_mem_uncharge(ictx->mem, charge);
		*err = (int)id;
		return NULL;
	}
	obj->charged = charge;
	obj->id = (uint32_t)id;
	obj->type = type;
	obj->users = 1;
	return obj;
}

void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	obj->finalized = true;
	if (obj->type < IOMMUFD_OBJ_MAX) {
		ictx->live_objects[obj->type]++;
		ictx->live_nr_objects++;
	}
}

void iommufd_object_uncount(struct iommufd_ctx *ictx,
			    struct iommufd_object *obj)
{
	if (obj->finalized && obj->type < IOMMUFD_OBJ_MAX) {
		ictx->live_objects[obj->type]--;
		ictx->live_nr_objects--;
	}
}

void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	iommufd_object_uncount(ictx, obj);
	id_table_remove(&ictx->objects, obj->id);
	user_mem_uncharge(ictx->mem, obj->charged);
	free(obj);
}

void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	iommufd_object_abort(ictx, obj);
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj = id_table_lookup(&ictx->objects, id);

	if (!obj || !obj->finalized ||
	    (type != IOMMUFD_OBJ_ANY && obj->type != type))
		return NULL;
	return obj;
}

static void iommufd_object_unlink_destroy(struct iommufd_ctx *ictx,
					  struct iommufd_object *obj)
{
	iommufd_object_uncount(ictx, obj);
	id_table_remove(&ictx->objects, obj->id);
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	/* A tombstone (type NONE) only holds its ID: nothing to destroy. */
	if (iommufd_object_ops[obj->type].destroy)
		iommufd_object_ops[obj->type].destroy(obj);
	user_mem_uncharge(ictx->mem, obj->charged);
	free(obj);
}

void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj)
{
	iommufd_object_unlink_destroy(ictx, obj);
}

/* Mirrors iommufd_object_remove() for IOMMU_DESTROY: ENOENT, EBUSY. */
int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_ANY);

	if (!obj)
		return -ENOENT;
	if (obj->users != 1)
		return -EBUSY;
	iommufd_object_unlink_destroy(ictx, obj);
	return 0;
}

/*
 * Mirrors iommufd_fops_release(): repeatedly destroy the objects nobody
 * depends on.  Each pass frees at least one leaf unless the users counts are
 * broken, in which case the rest is forced out so that nothing leaks.
 */
void iommufd_object_destroy_all(struct iommufd_ctx *ictx)
{
	bool force = false;

	while (ictx->objects.count) {
		unsigned int destroyed = 0;

		for (uint32_t id = id_table_next(&ictx->objects, 1); id;
		     id = id_table_next(&ictx->objects, id + 1)) {
			struct iommufd_object *obj =
				id_table_lookup(&ictx->objects, id);

			if (obj->users != 1 && !force)
				continue;
			iommufd_object_unlink_destroy(ictx, obj);
			destroyed++;
		}
		if (!destroyed)
			force = true;
	}
}

int iommufd_caller_capable_rc(const struct iommufd_ucmd *ucmd, int cap)
{
	struct proc_status st;
	uint64_t ns;

	/* Bound before the call was confirmed (fdpass.c): use that. */
	if (ucmd->caller.mm)
		return caller_mm_capable(ucmd->caller.mm, cap);
	if (!ucmd->caller.pid)
		return ucmd->caller.uid == 0;
	/* During the call: the thread waits for our reply (caller_mm.c). */
	ns = userns_ino(ucmd->caller.pid);
	/*
	 * The caller waits in its call, so its /proc files are there: what
	 * cannot be read is the daemon running short, not a missing right.
	 */
	if (!ns)
		return -ENOMEM;
	if (ns != ucmd->ictx->daemon->own_userns_ino)
		return 0;
	if (proc_status_read(ucmd->caller.pid, &st))
		return -ENOMEM;
	return (st.cap_eff >> cap) & 1;
}

bool iommufd_caller_capable(const struct iommufd_ucmd *ucmd, int cap)
{
	return iommufd_caller_capable_rc(ucmd, cap) > 0;
}
