// SPDX-License-Identifier: GPL-2.0-or-later
/* See stats.h for what is read and the locking rule it keeps. */
#include "core/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/ioas.h"

const char *iommufd_stats_type_name(unsigned int type)
{
	if (type >= IOMMUFD_OBJ_MAX || type == IOMMUFD_OBJ_NONE)
		return NULL;
	return iommufd_object_ops[type].name;
}

/* Called with ictx->lock held: everything read here is that lock's. */
void iommufd_ctx_figures_update(struct iommufd_ctx *ictx)
{
	struct iommufd_ctx_stats s = {
		.pid = ictx->opener_pid,
		.uid = ictx->opener_uid,
		.vfio_node = ictx->is_vfio_node,
		.pinned_bytes = ictx->pinned_bytes,
		.nr_objects = ictx->live_nr_objects,
		.areas = ictx->iopt_totals.areas,
		.mapped_bytes = ictx->iopt_totals.mapped_bytes,
	};

	/* Kept as they change (object.c, io_pagetable.c): no walk. */
	memcpy(s.objects, ictx->live_objects, sizeof(s.objects));
	pthread_mutex_lock(&ictx->figures_lock);
	ictx->figures = s;
	pthread_mutex_unlock(&ictx->figures_lock);
}

static void ctx_stats_fill(struct iommufd_ctx *ictx, struct iommufd_ctx_stats *s)
{
	bool fresh = pthread_mutex_trylock(&ictx->lock) == 0;

	if (fresh) {
		iommufd_ctx_figures_update(ictx);
		pthread_mutex_unlock(&ictx->lock);
	}
	pthread_mutex_lock(&ictx->figures_lock);
	*s = ictx->figures;
	pthread_mutex_unlock(&ictx->figures_lock);
	s->stale = !fresh;
}

static int ctx_stats_cmp(const void *a, const void *b)
{
	const struct iommufd_ctx_stats *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return 0;
}

int iommufd_stats_snapshot(struct iommufd_daemon *d, struct iommufd_stats *st)
{
	struct iommufd_ctx **held = NULL;
	size_t n = 0, total, want = 0;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&d->lock);
	total = d->nr_contexts;
	if (total) {
		want = total < IOMMUFD_STATS_MAX_CONTEXTS ?
			       total : IOMMUFD_STATS_MAX_CONTEXTS;

		held = calloc(want, sizeof(*held));
		st->ctx = calloc(want, sizeof(*st->ctx));
		if (!held || !st->ctx) {
			pthread_mutex_unlock(&d->lock);
			free(held);
			free(st->ctx);
			st->ctx = NULL;
			return -ENOMEM;
		}
		for (struct iommufd_ctx *c = d->contexts; c && n < want; c = c->next)
			if (iommufd_ctx_tryget(c))
				held[n++] = c;
	}
	pthread_mutex_unlock(&d->lock);

	/* Never inside daemon->lock, and never waiting for a ctx->lock. */
	for (size_t i = 0; i < n; i++) {
		ctx_stats_fill(held[i], &st->ctx[i]);
		iommufd_ctx_put(held[i]);
	}
	free(held);

	if (n)
		qsort(st->ctx, n, sizeof(*st->ctx), ctx_stats_cmp);
	st->nr_ctx = n;
	/* A context dying meanwhile is neither described nor omitted. */
	st->nr_ctx_omitted = total - want;
	return 0;
}

void iommufd_stats_free(struct iommufd_stats *st)
{
	free(st->ctx);
	memset(st, 0, sizeof(*st));
}
