/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-user accounting of the daemon's own memory.
 *
 * The kernel charges what a process makes iommufd allocate (contexts,
 * objects, areas) to that process's memory cgroup, so one user cannot grow
 * the kernel for everyone.  Our allocations all land in one process, the
 * daemon, so we charge them here instead: to the uid that opened the
 * context (ictx->opener_uid), against --max-user-memory bytes and
 * --max-contexts-per-user contexts.  Root is charged like anyone: the limit
 * protects the daemon, not the caller.
 *
 * What is charged is an estimate of what the daemon really spends, not an
 * exact malloc count: a fixed cost per context (the context and its first
 * ID-table chunk), each object's allocation plus its ID-table slot, and a
 * fixed cost per IOVA area measured in the daemon's RSS (io_pagetable.h).
 *
 * Descriptors are counted the same way: every descriptor the daemon keeps
 * for a client (a caller binding's pidfd and /proc fds, an IOAS_MAP_FILE
 * file) is charged to the context's user against --max-fds-per-user, and
 * all of them together against the daemon's RLIMIT_NOFILE less a reserve,
 * so that no user can take the descriptors other clients and the daemon's
 * own sockets need.
 *
 * Over a limit the allocation fails with -ENOMEM, the kernel's answer to a
 * failed allocation, and one warning per uid per minute says why.
 *
 * Locking: the table of users has its own mutex, a leaf lock taken only at
 * context open and close.  Charges in between are lock-free atomics on the
 * user entry, which a context holds for its whole life.
 */
#ifndef UIOMMUFD_USER_LIMITS_H
#define UIOMMUFD_USER_LIMITS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define USER_LIMITS_DEFAULT_MAX_BYTES ((uint64_t)512 << 20)
#define USER_LIMITS_DEFAULT_MAX_CONTEXTS 256u
#define USER_LIMITS_DEFAULT_MAX_FDS 1024u
/* Descriptors never handed to clients: sockets, the session, accepts. */
#define USER_LIMITS_FD_RESERVE 256u
#define USER_LIMITS_BUCKETS 64u
/* Seconds between two "over the limit" lines for one uid. */
#define USER_LIMITS_LOG_INTERVAL 60

struct user_limits;

/* One uid's charges; lives while a context of that uid holds it. */
struct user_mem {
	struct user_limits *limits;
	uid_t uid;
	_Atomic uint64_t bytes;
	_Atomic unsigned int fds;
	_Atomic int64_t last_log_s; /* CLOCK_MONOTONIC seconds, 0: never */
	/* Under limits->lock. */
	unsigned int contexts;
	struct user_mem *next;
};

struct user_limits {
	pthread_mutex_t lock;
	uint64_t max_bytes;
	unsigned int max_contexts;
	unsigned int max_fds;
	/* Every user's descriptors together (user_fds_charge()). */
	_Atomic unsigned int fds;
	struct user_mem *buckets[USER_LIMITS_BUCKETS];
};

void user_limits_init(struct user_limits *l);
/* Frees every entry; no context may be open any more. */
void user_limits_fini(struct user_limits *l);

/*
 * A new context of uid: takes one of the user's context slots and charges
 * cost bytes.  -ENOMEM over either limit.
 */
int user_mem_open(struct user_limits *l, uid_t uid, uint64_t cost,
		  struct user_mem **out);
/* Undoes user_mem_open(); NULL is a no-op. */
void user_mem_close(struct user_mem *um, uint64_t cost);

/* Charges bytes to um, or -ENOMEM over the limit; um NULL charges nobody. */
int user_mem_charge(struct user_mem *um, uint64_t bytes);
void user_mem_uncharge(struct user_mem *um, uint64_t bytes);

/*
 * Charges n descriptors to um: -ENOMEM over --max-fds-per-user, or when
 * all users together would leave fewer than USER_LIMITS_FD_RESERVE of the
 * daemon's RLIMIT_NOFILE.  um NULL charges nobody.
 */
int user_fds_charge(struct user_mem *um, unsigned int n);
void user_fds_uncharge(struct user_mem *um, unsigned int n);

/* What uid is charged now (0 when unknown), for tests and the status socket. */
uint64_t user_limits_bytes(struct user_limits *l, uid_t uid);

/* Every user's charges together, for the status socket's "accounts". */
struct user_limits_totals {
	uint64_t users;    /* entries kept: a user with a context or a charge */
	uint64_t contexts;
	uint64_t bytes;
	uint64_t fds;
};
void user_limits_totals(struct user_limits *l, struct user_limits_totals *t);

#endif
