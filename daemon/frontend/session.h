/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UIOMMUFD_SESSION_H
#define UIOMMUFD_SESSION_H

#include "frontend/request.h"
#include "frontend/serve_loop.h"
#include "frontend/uring_loop.h"

/* One kernel connection: a CUSE device, or the FUSE mount with its files. */
struct fe_session {
	struct fuse_session *se;
	struct serve_loop loop; /* read(2): everything, or what the ring does not take */
	struct uring_loop *uring; /* NULL: the classic loop alone */
	bool on_ring;		  /* the kernel took the ring */
	struct fe_node *node; /* CUSE: its node; FUSE: NULL (see fe->*_node) */
	bool mounted;
};

int cuse_session_new(struct frontend *fe, struct fe_node *node,
		     const char *name, struct fe_session **out);
int fuse_file_session_new(struct frontend *fe, const char *dir,
			  struct fe_session **out);
void fe_session_free(struct fe_session *s);

#endif
