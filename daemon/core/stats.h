/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A point-in-time picture of what every open context holds, for the status
 * socket and the service manager's STATUS= line.  Plain numbers only: the
 * formatting (JSON, the table) lives with its users.
 *
 * Locking: the snapshot never waits for a context's lock, which a request
 * stuck in caller memory may hold for ever.  It takes a reference on each
 * context under daemon->lock, drops that lock, then tries each ctx->lock:
 * when it gets it the figures are fresh (and kept in the context), when the
 * context is busy it reports the figures the context kept last (stale).
 * A context path may take daemon->lock inside its ctx->lock (pin
 * accounting), so the two are never held together here.
 */
#ifndef UIOMMUFD_STATS_H
#define UIOMMUFD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/iommufd_private.h"

/* At most this many contexts are described; the rest are only counted. */
#define IOMMUFD_STATS_MAX_CONTEXTS 65536u

/* struct iommufd_ctx_stats lives in iommufd_private.h (ctx->figures). */

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
