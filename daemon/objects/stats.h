/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A point-in-time picture of what every open context holds, for the status
 * socket and the service manager's STATUS= line.  Plain numbers only: the
 * formatting (JSON, the table) lives with its users.
 *
 * Locking: the snapshot never holds daemon->lock and a ctx->lock together,
 * because a context path may take daemon->lock inside its ctx->lock (pin
 * accounting).  It pins each context with ctx->stats_users under
 * daemon->lock, drops that lock, then takes each ctx->lock on its own for a
 * moment; iommufd_ctx_release() waits for stats_users to drain before it
 * frees the context.
 */
#ifndef UIOMMUFD_STATS_H
#define UIOMMUFD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "objects/iommufd_private.h"

/* At most this many contexts are described; the rest are only counted. */
#define IOMMUFD_STATS_MAX_CONTEXTS 65536u

struct iommufd_ctx_stats {
	pid_t pid; /* the opener */
	uid_t uid;
	bool vfio_node;
	uint32_t nr_objects; /* finalized objects of any type */
	uint32_t objects[IOMMUFD_OBJ_MAX];
	uint64_t areas;	       /* over all IOAS of the context */
	uint64_t mapped_bytes; /* IOVA bytes mapped, over all IOAS */
	uint64_t pinned_bytes; /* ictx->pinned_bytes */
};

struct iommufd_stats {
	struct iommufd_ctx_stats *ctx; /* sorted by pid, then uid */
	size_t nr_ctx;
	/* Contexts open but not described (over IOMMUFD_STATS_MAX_CONTEXTS). */
	size_t nr_ctx_omitted;
};

/* Fills *st (free with iommufd_stats_free()); 0 or -ENOMEM. */
int iommufd_stats_snapshot(struct iommufd_daemon *d, struct iommufd_stats *st);
void iommufd_stats_free(struct iommufd_stats *st);
/* The object type's name ("ioas"), or NULL for unused type numbers. */
const char *iommufd_stats_type_name(unsigned int type);

#endif
