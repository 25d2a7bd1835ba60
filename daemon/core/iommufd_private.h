/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object layer's shared definitions: contexts, objects, and the ucmd that
 * carries one ioctl from a front end to a handler.  Names follow the kernel's
 * drivers/iommu/iommufd/iommufd_private.h so a handler here can be read side
 * by side with the kernel function it mirrors.
 *
 * Locking: every ioctl of one context runs under ctx->lock, and so does
 * the final teardown.  That replaces the kernel's per-object short-term
 * references: an object cannot disappear while a handler of the same context
 * uses it, and another context can never reach it.  State shared between
 * contexts (pin accounting, the list of contexts for the status socket) has
 * its own lock in struct iommufd_daemon.
 *
 * Lifetime: a context is counted (ctx->refs).  The open file holds one
 * reference, each request in flight (or queued) one, a status snapshot one
 * while it looks.  Release only marks the context closed and drops the
 * file's reference; whoever drops the last one tears it down, under its
 * lock, which nobody else can hold by then.  So no shared path (release,
 * status, shutdown) ever waits on ctx->lock, which a request stuck in
 * caller memory may hold for ever.
 */
#ifndef UIOMMUFD_IOMMUFD_PRIVATE_H
#define UIOMMUFD_IOMMUFD_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/id_table.h"
#include "core/io_pagetable.h"
#include "core/ucmd.h"
#include "core/user_limits.h"

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_HW_QUEUE,
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};

/* The common header every object embeds first. */
struct iommufd_object {
	uint32_t id;
	enum iommufd_object_type type;
	/* 1 for the ID table's own reference, +1 for each dependent object. */
	unsigned int users;
	bool finalized;
	/* Bytes charged to the context's user for it (user_limits.h). */
	uint32_t charged;
};

enum iopt_pages_account_mode {
	IOPT_PAGES_ACCOUNT_NONE,
	IOPT_PAGES_ACCOUNT_USER,
	IOPT_PAGES_ACCOUNT_MM,
};

struct iommufd_daemon;
struct served_device;
struct iommufd_fd_handle;
struct iommufd_ioas;
struct iopt_accounts;
struct iopt_held_file;
struct iopt_source;

/* What one context holds, as the status socket shows it (stats.c). */
struct iommufd_ctx_stats {
	pid_t pid; /* the opener */
	uid_t uid;
	bool vfio_node;
	/* The figures are the last known ones: the context was busy. */
	bool stale;
	uint32_t nr_objects; /* finalized objects of any type */
	uint32_t objects[IOMMUFD_OBJ_MAX];
	uint64_t areas;	       /* over all IOAS of the context */
	uint64_t mapped_bytes; /* IOVA bytes mapped, over all IOAS */
	uint64_t pinned_bytes; /* ictx->pinned_bytes */
};

/* One open file description of the node. */
struct iommufd_ctx {
	pthread_mutex_t lock;
	struct iommufd_daemon *daemon;
	struct id_table objects;
	enum iopt_pages_account_mode account_mode;
	struct iommufd_ioas *vfio_ioas;
	bool is_vfio_node;
	/* Bytes pinned for this context now; kept by the pages layer. */
	uint64_t pinned_bytes;
	/*
	 * A number no other context of this daemon has (1..INT_MAX, wraps
	 * only after 2^31 opens): how a VFIO device bind names the context
	 * of an iommufd file (daemon/vfio/device_ident.c).
	 */
	uint32_t serial;
	/* Who opened it, for the status socket and logs. */
	pid_t opener_pid;
	uid_t opener_uid;
	/* Linked into daemon->contexts under daemon->lock. */
	struct iommufd_ctx *next, **pprev;
	/* See "Lifetime" above; the last put tears the context down. */
	atomic_uint refs;
	/* Set once, by release or by the daemon's stop: the file's ref is gone. */
	atomic_bool closed;
	/*
	 * The figures the status socket shows while ctx->lock is busy: filled
	 * under ctx->lock (by the context's requests and by snapshots that got
	 * the lock), read under figures_lock, which guards nothing else.
	 */
	pthread_mutex_t figures_lock;
	struct iommufd_ctx_stats figures;
	/*
	 * What the figures count, kept as objects are finalized and destroyed
	 * and as areas come and go (ctx->lock), so that a refresh is a copy,
	 * not a walk of the objects.
	 */
	uint32_t live_objects[IOMMUFD_OBJ_MAX];
	uint32_t live_nr_objects;
	struct iopt_totals iopt_totals;
	/* Descriptors handed to the caller, watched for close (fd_handle.h). */
	struct iommufd_fd_handle *fd_handles;
	/* The opener's daemon-memory account; every object and area charges it. */
	struct user_mem *mem;
	/* IOAS_MAP_FILE files held (pages.c), at most daemon->max_files_per_ctx. */
	struct iopt_held_file *held_files;
	unsigned int nr_held_files;
	bool told_max_files;
	/* The callers whose memory the context maps (pages.c). */
	struct iopt_source *sources;
	unsigned int nr_sources;
	/* Of which no pages use (kept for reuse), and their order (pages.c). */
	unsigned int nr_idle_sources;
	uint64_t idle_seq;
	/* Callers bound for this context so far (for the tests). */
	uint64_t nr_binds;
	bool sources_closing;
	bool told_max_sources;
};

/* Daemon-wide configuration and state shared by every context. */
struct iommufd_daemon {
	pthread_mutex_t lock;
	struct iommufd_ctx *contexts;
	unsigned int nr_contexts;
	/*
	 * Bytes of a command struct past what we know that are read to check
	 * they are zero; a longer struct is E2BIG unread (dispatch.c).
	 */
	uint64_t max_arg_bytes;
	/* Resource limit a client controls: objects per context. */
	uint32_t max_objects;
	/* Daemon memory and contexts per user (user_limits.h). */
	struct user_limits user_limits;
	/* And files held for IOAS_MAP_FILE per context (--max-files-per-context). */
	unsigned int max_files_per_ctx;
	/* Expose IOMMU_TEST_CMD (the kernel's CONFIG_IOMMUFD_TEST). */
	bool test_interface;
	/* Contexts of the VFIO look-alike node, or all with --vfio-compat-default. */
	bool vfio_compat_default;
	/* Our own user namespace is "init" for capable() checks. */
	uint64_t own_userns_ino;
	/* Pin accounting per user and per process (core/pages.c). */
	struct iopt_accounts *accounts;
	/* The next context's serial (atomic). */
	atomic_uint next_serial;
	/* Devices served through VFIO device nodes (daemon/vfio/device.h). */
	struct served_device **served;
	unsigned int nr_served;
	/*
	 * Maps a copy of a caller's fd to the context of that iommufd file
	 * (a new reference), or the kernel's iommufd_ctx_from_fd() errno.
	 * NULL: daemon/vfio/device_ident.c's; unit tests plug in their own.
	 */
	int (*ctx_from_file)(struct iommufd_daemon *d, int fd,
			     struct iommufd_ctx **out);
};

#define IOMMUFD_DEFAULT_MAX_ARG_BYTES (16ull << 20)

int iommufd_daemon_init(struct iommufd_daemon *d);
void iommufd_daemon_fini(struct iommufd_daemon *d);

int iommufd_ctx_open(struct iommufd_daemon *d, pid_t pid, uid_t uid,
		     bool vfio_node, struct iommufd_ctx **out);
/*
 * The file is closed: drop its reference.  Idempotent (the daemon's stop and
 * the kernel's RELEASE may both come); never waits on ctx->lock.
 */
void iommufd_ctx_release(struct iommufd_ctx *ictx);
/* A reference for a request in flight; the caller already holds one. */
void iommufd_ctx_get(struct iommufd_ctx *ictx);
/* For walkers of daemon->contexts (under daemon->lock): false if dying. */
bool iommufd_ctx_tryget(struct iommufd_ctx *ictx);
/* Drops a reference; the last one tears the context down. */
void iommufd_ctx_put(struct iommufd_ctx *ictx);
/*
 * Releases every context still open (the daemon's stop).  Returns how many
 * stay because a request still holds them.
 */
unsigned int iommufd_ctx_release_all(struct iommufd_daemon *d);
/* Refreshes ictx->figures; called with ctx->lock held (stats.c). */
void iommufd_ctx_figures_update(struct iommufd_ctx *ictx);

/*
 * Object lifecycle, two phases as in the kernel: allocation reserves the
 * lowest free ID, finalize publishes the object, abort gives the ID back.
 */
struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type,
					     int *err);
#define iommufd_object_alloc(ictx, ptr, type, err)                            \
	({                                                                    \
		struct iommufd_object *_o = _iommufd_object_alloc(            \
			ictx, sizeof(*(ptr)), type, err);                     \
		_o ? container_of(_o, __typeof__(*(ptr)), obj) : NULL;        \
	})
/* The object no longer counts in the context's figures (it is going). */
void iommufd_object_uncount(struct iommufd_ctx *ictx,
			    struct iommufd_object *obj);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type);
int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id);
void iommufd_object_destroy_all(struct iommufd_ctx *ictx);
/* Unlink and destroy obj whatever its users (the kernel's destroy_user). */
void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj);

/* A dependent object holds a "users" count on what it depends on. */
static inline void iommufd_object_get_user(struct iommufd_object *obj)
{
	obj->users++;
}

static inline void iommufd_object_put_user(struct iommufd_object *obj)
{
	obj->users--;
}

struct iommufd_object_ops {
	const char *name;
	void (*destroy)(struct iommufd_object *obj);
	/* Undo a half-built object; destroy is used when NULL. */
	void (*abort)(struct iommufd_object *obj);
};
extern const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX];

/* Handlers, one per ioctl, named as in the kernel. */
int iommufd_destroy(struct iommufd_ucmd *ucmd);
int iommufd_option(struct iommufd_ucmd *ucmd);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
long iommufd_vfio_ioctl(struct iommufd_ucmd *ucmd, unsigned int cmd,
			uint64_t arg);
/* The compat IOAS a vfio-node (or --vfio-compat-default) context starts with. */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx);
/* iommufd_dispatch_plan() for the container ioctls (vfio_compat.c). */
int iommufd_vfio_plan(unsigned int cmd, const void *head, size_t head_len,
		      struct ucmd_plan *plan);

void iommufd_ioas_destroy(struct iommufd_object *obj);
/* IOMMU_TEST_CMD and the objects it makes (selftest.c, hw_pagetable.c). */
int iommufd_test(struct iommufd_ucmd *ucmd);
void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_selftest_destroy(struct iommufd_object *obj);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
/* Accesses (access.c) and the self-test's access fds (selftest_access.c). */
void iommufd_access_destroy_object(struct iommufd_object *obj);
int iommufd_test_access_op(struct iommufd_ucmd *ucmd);
/* The caller memory ACCESS_RW / ACCESS_PAGES touch, for prefetching front ends. */
unsigned int iommufd_test_access_regions(const void *cmd,
					 struct ucmd_region *out);
struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, uint32_t id);

/*
 * The kernel's capable(): the caller's effective capability set, counted
 * only when the caller lives in the daemon's own user namespace.  1 or 0;
 * -ENOMEM when the daemon could not read the caller's /proc files (its
 * own shortage: the caller is in its call), which a handler answers
 * rather than EPERM.
 */
int iommufd_caller_capable_rc(const struct iommufd_ucmd *ucmd, int cap);
/* The same as a yes/no, where "could not tell" is "no". */
bool iommufd_caller_capable(const struct iommufd_ucmd *ucmd, int cap);

#endif
