// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Caller memory through CUSE's ioctl retry protocol.  The kernel copies the
 * iovecs a server asks for into the re-sent request, and copies the reply's
 * data back out to the iovecs it declared, so the daemon needs no ptrace
 * rights at all.  The price is round trips: the size word, then the struct,
 * then whatever its pointers reach, each a full request.
 *
 * The protocol is stateless on our side: every round recomputes, from the
 * bytes the kernel handed back, the layout the dispatcher wants
 * (iommufd_dispatch_plan), and runs the handler only once the request holds
 * exactly that layout: in_bufsz bytes fetched, and out_bufsz, the out size
 * the previous round declared, equal to what the reply will need.  The struct is fetched in and declared out, so its
 * reply starts as a copy of the caller's bytes.  Arrays the handler only
 * writes are declared out but not fetched (the caller need not be able to
 * read them); since the kernel copies the reply to the out iovecs in order,
 * the reply stops at the first array the handler did not fill completely,
 * and any later bytes go through process_vm_* instead.
 *
 * Two differences from the kernel remain, inherent to the protocol, which is
 * why process_vm_* is the default: an array the handler reads is fetched
 * before the handler runs, so when both an ID and that pointer are bad the
 * caller sees EFAULT where the kernel says ENOENT; and a reply the kernel
 * cannot copy out (a read-only struct) fails the ioctl with EFAULT after the
 * handler has already committed its work.
 *
 * The kernel refuses a retry larger than fc->max_pages pages per direction
 * (ENOMEM, 128 KiB for CUSE).  Rather than fail or truncate, whatever does
 * not fit in that budget is reached through process_vm_* when the handler
 * touches it, and a caller we may not ptrace gets EFAULT for that part.
 */
#include "frontend/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "log.h"
#include "core/iommufd_private.h"

#define CUSE_RETRY_BUDGET (128u * 1024u)

struct retry_region {
	uint64_t uptr;
	uint64_t len;
	size_t in_off;
	size_t out_off;
	bool in, out;
	/* Bytes of an out-only region the handler wrote, and their extent. */
	uint64_t written;
	uint64_t written_end;
};

struct retry_state {
	pid_t pid;
	const uint8_t *in;
	size_t in_len;
	struct retry_region r[1 + UCMD_MAX_REGIONS];
	unsigned int n;
	size_t in_total, out_total;
	uint8_t *out;
	bool out_used;
};

static void retry_add(struct retry_state *st, uint64_t uptr, uint64_t len,
		      bool in, bool out)
{
	if (in && len > CUSE_RETRY_BUDGET - st->in_total)
		len = CUSE_RETRY_BUDGET - st->in_total;
	if (out && len > CUSE_RETRY_BUDGET - st->out_total)
		len = CUSE_RETRY_BUDGET - st->out_total;
	if (!len || uptr + len < uptr)
		return;
	st->r[st->n++] = (struct retry_region){
		.uptr = uptr, .len = len, .in_off = st->in_total,
		.out_off = st->out_total, .in = in, .out = out,
	};
	if (in)
		st->in_total += len;
	if (out)
		st->out_total += len;
}

static struct retry_region *retry_find(struct retry_state *st, uint64_t uptr,
				       size_t len, bool out)
{
	for (unsigned int i = 0; i < st->n; i++) {
		struct retry_region *r = &st->r[i];

		if (out ? !r->out : !r->in)
			continue;
		if (uptr >= r->uptr && uptr - r->uptr <= r->len &&
		    len <= r->len - (uptr - r->uptr))
			return r;
	}
	return NULL;
}

static int ucmd_retry_read(struct iommufd_ucmd *ucmd, uint64_t uptr,
			   void *dst, size_t len)
{
	struct retry_state *st = ucmd->tr_priv;
	struct retry_region *r = retry_find(st, uptr, len, false);

	if (!r || r->in_off + r->len > st->in_len)
		return pvm_read(st->pid, uptr, dst, len) ? -EFAULT : 0;
	memcpy(dst, st->in + r->in_off + (uptr - r->uptr), len);
	return 0;
}

static int ucmd_retry_write(struct iommufd_ucmd *ucmd, uint64_t uptr,
			    const void *src, size_t len)
{
	struct retry_state *st = ucmd->tr_priv;
	struct retry_region *r = retry_find(st, uptr, len, true);
	size_t off;

	if (!r || !st->out)
		return pvm_write(st->pid, uptr, src, len) ? -EFAULT : 0;
	off = r->out_off + (uptr - r->uptr);
	memcpy(st->out + off, src, len);
	st->out_used = true;
	if (!r->in) {
		/* Handlers fill arrays front to back; count what is covered. */
		r->written += len;
		if (uptr - r->uptr + len > r->written_end)
			r->written_end = uptr - r->uptr + len;
	}
	return 0;
}

/*
 * How much of the out buffer goes back in the reply: whole regions as long
 * as they are complete, then the written prefix of the first incomplete
 * one.  Whatever was written beyond that is flushed through process_vm_*.
 */
static int retry_reply_len(struct retry_state *st, size_t *len)
{
	bool cut = false;

	*len = 0;
	for (unsigned int i = 0; i < st->n; i++) {
		struct retry_region *r = &st->r[i];
		bool prefix = r->written == r->written_end;

		if (!r->out)
			continue;
		if (!cut && (r->in || (prefix && r->written_end == r->len))) {
			*len = r->out_off + r->len;
			continue;
		}
		if (!cut && prefix) {
			*len = r->out_off + r->written_end;
			cut = true;
			continue;
		}
		cut = true;
		if (r->written_end) {
			int rc = pvm_write(st->pid, r->uptr,
					   st->out + r->out_off, r->written_end);

			if (rc)
				return rc;
		}
	}
	return 0;
}

static const struct ucmd_transport ucmd_retry_transport = {
	.read = ucmd_retry_read,
	.write = ucmd_retry_write,
};

static void retry_request(fuse_req_t req, const struct retry_state *st)
{
	struct iovec in[1 + UCMD_MAX_REGIONS], out[1 + UCMD_MAX_REGIONS];
	size_t nin = 0, nout = 0;

	for (unsigned int i = 0; i < st->n; i++) {
		struct iovec v = { (void *)(uintptr_t)st->r[i].uptr, st->r[i].len };

		if (st->r[i].in)
			in[nin++] = v;
		if (st->r[i].out)
			out[nout++] = v;
	}
	fuse_reply_ioctl_retry(req, in, nin, nout ? out : NULL, nout);
}

void fe_ioctl_retry(fuse_req_t req, struct iommufd_ucmd *ucmd, unsigned int cmd,
		    const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct retry_state st = { .pid = ucmd->caller.pid, .in = in_buf,
				  .in_len = in_bufsz };
	struct ucmd_plan plan;
	long result;
	int rc;

	rc = iommufd_dispatch_plan(ucmd->ictx->daemon, cmd, in_buf, in_bufsz,
				   &plan);
	if (rc == 0) {
		/* Only the size word is read-only; a whole struct goes back out. */
		retry_add(&st, ucmd->ubuffer, plan.struct_len, true,
			  plan.struct_len > sizeof(uint32_t));
		for (unsigned int i = 0; i < plan.nr_regions; i++)
			retry_add(&st, plan.regions[i].uptr, plan.regions[i].len,
				  plan.regions[i].dir & UCMD_IN,
				  plan.regions[i].dir & UCMD_OUT);
		/* out_bufsz is what the previous round declared out. */
		if (st.in_total != in_bufsz || st.out_total != out_bufsz) {
			retry_request(req, &st);
			return;
		}
	} else {
		retry_add(&st, ucmd->ubuffer, in_bufsz, true, false);
	}

	if (st.out_total) {
		st.out = malloc(st.out_total);
		if (!st.out) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		for (unsigned int i = 0; i < st.n; i++)
			if (st.r[i].out && st.r[i].in)
				memcpy(st.out + st.r[i].out_off,
				       st.in + st.r[i].in_off, st.r[i].len);
	}
	ucmd->tr = &ucmd_retry_transport;
	ucmd->tr_priv = &st;
	result = iommufd_dispatch(ucmd, cmd);
	fe_trace(ucmd, cmd, result);
	if (st.out_used) {
		size_t len;
		int err = retry_reply_len(&st, &len);

		if (err)
			fe_reply_result(req, err);
		else
			fuse_reply_ioctl(req, (int)result, st.out, len);
	} else {
		fe_reply_result(req, result);
	}
	free(st.out);
}
