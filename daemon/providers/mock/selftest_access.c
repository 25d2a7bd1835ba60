// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-test's access ops: CREATE_ACCESS, ACCESS_REPLACE_IOAS,
 * ACCESS_PAGES, ACCESS_RW, DESTROY_ACCESS_PAGES.  Mirrors the staccess part
 * of the kernel's drivers/iommu/iommufd/selftest.c.
 *
 * In the kernel a test access is a file: CREATE_ACCESS installs it in the
 * caller's fd table, the other ops name it by that fd number (cmd->id), and
 * closing it destroys the access.  Here the file is one end of a socketpair
 * (struct iommufd_fd_handle): CREATE_ACCESS needs a transport that can
 * install descriptors (a caller started under uiommufd-exec), and fails
 * with EOPNOTSUPP, leaving nothing behind, for any other caller.  Lookups
 * copy the caller's fd with pidfd_getfd() and match the socket; anything
 * else is EBADFD, the kernel's answer for an fd that is not an access.
 *
 * Differences from the kernel, all inherent to a userspace daemon:
 *  - closing the iommufd releases its accesses; in the kernel an access fd
 *    keeps its iommufd context alive;
 *  - an access fd is looked up among its own context's accesses only;
 *  - ACCESS_PAGES compares the bytes at uptr with the pinned bytes where the
 *    kernel compares page frames (EBADE either way on a mismatch);
 *  - the access is released when the daemon notices the close: at the
 *    context's next ioctl or close (see fd_handle.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/fd_handle.h"
#include "core/io_pagetable.h"
#include "core/ioas.h"
#include "core/iommufd_private.h"
#include "core/own_files.h"
#include "core/ucmd_fd.h"
#include "uiommufd/abi_test.h"

_Static_assert(MOCK_ACCESS_RW_WRITE == IOMMUFD_ACCESS_RW_WRITE, "rw write");
_Static_assert(MOCK_ACCESS_RW_SLOW_PATH == IOMMUFD_ACCESS_RW_SLOW_PATH,
	       "rw slow path");

/* The kernel's guard against large kvzalloc()s, kept for its errno. */
#define ACCESS_MAX_LENGTH ((uint64_t)16 * 1024 * 1024)
/* A limit on pins one access may hold: each is a client-made allocation. */
#define ACCESS_MAX_ITEMS 65536u
#define ACCESS_CHUNK ((uint64_t)64 * 1024)

struct selftest_access_item {
	struct selftest_access_item *next;
	uint64_t iova;
	uint64_t length;
	uint32_t id;
};

struct selftest_access {
	struct iommufd_fd_handle handle;
	struct iommufd_access *access;
	struct selftest_access_item *items;
	unsigned int nr_items;
	uint32_t next_id;
};

static void staccess_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct selftest_access *staccess = data;
	uint64_t iova_last = length ? iova + (length - 1) : iova;
	struct selftest_access_item **pp = &staccess->items, *item;

	if (iova_last < iova)
		iova_last = UINT64_MAX;
	while ((item = *pp)) {
		if (iova > item->iova + item->length - 1 ||
		    iova_last < item->iova) {
			pp = &item->next;
			continue;
		}
		*pp = item->next;
		staccess->nr_items--;
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		free(item);
	}
}

static const struct iommufd_access_ops selftest_access_ops_pin = {
	.needs_pin_pages = true,
	.unmap = staccess_unmap,
};

static const struct iommufd_access_ops selftest_access_ops = {
	.unmap = staccess_unmap,
};

/* iommufd_test_staccess_release(): the caller closed its fd. */
static void staccess_free(struct selftest_access *staccess)
{
	if (staccess->access) {
		staccess_unmap(staccess, 0, UINT64_MAX);
		iommufd_access_destroy(staccess->access);
	}
	iommufd_fd_handle_fini(&staccess->handle);
	free(staccess);
}

static void staccess_released(struct iommufd_fd_handle *h)
{
	staccess_free(container_of(h, struct selftest_access, handle));
}

/* iommufd_access_get(): the caller's fd must be one of our access fds. */
static struct selftest_access *staccess_get(struct iommufd_ucmd *ucmd,
					    uint32_t fd, int *err)
{
	struct iommufd_fd_handle *h;
	struct stat st;
	int dfd;

	if (fd > INT32_MAX) {
		*err = -EBADFD;
		return NULL;
	}
	dfd = iommufd_ucmd_get_fd(ucmd, (int)fd);
	if (dfd < 0) {
		*err = dfd == -ENOMEM ? -ENOMEM : -EBADFD;
		return NULL;
	}
	if (fstat(dfd, &st)) {
		/* Our own copy: the daemon is short, the fd was fine. */
		caller_fd_close(dfd);
		*err = -ENOMEM;
		return NULL;
	}
	for (h = ucmd->ictx->fd_handles; h; h = h->next)
		if (h->released == staccess_released &&
		    iommufd_fd_handle_is(h, &st))
			break;
	caller_fd_close(dfd);
	if (!h) {
		*err = -EBADFD;
		return NULL;
	}
	return container_of(h, struct selftest_access, handle);
}

/* Mirrors iommufd_test_create_access(). */
static int iommufd_test_create_access(struct iommufd_ucmd *ucmd,
				      uint32_t ioas_id, uint32_t flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;
	struct iommufd_access *access;
	int client_end, fdno, rc;
	uint32_t id;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	staccess = calloc(1, sizeof(*staccess));
	if (!staccess)
		return -ENOMEM;
	rc = iommufd_fd_handle_init(&staccess->handle, ucmd->ictx,
				    staccess_released, &client_end);
	if (rc) {
		free(staccess);
		return rc;
	}
	access = iommufd_access_create(
		ucmd->ictx,
		(flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
			&selftest_access_ops_pin : &selftest_access_ops,
		staccess, &id, &rc);
	if (!access)
		goto out_close;
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto out_destroy;
	/*
	 * The kernel installs the fd only once the reply is written.  An fd
	 * put into another process cannot be taken back, so make sure the
	 * reply can be written before installing (rewrite the struct as it
	 * is); a failure after this point is only a concurrent unmap.
	 */
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy;
	fdno = iommufd_ucmd_install_fd(ucmd, client_end);
	client_end = -1;
	if (fdno < 0) {
		rc = fdno;
		goto out_destroy;
	}
	cmd->create_access.out_access_fd = (uint32_t)fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy;
	staccess->access = access;
	iommufd_fd_handle_publish(&staccess->handle);
	return 0;

out_destroy:
	iommufd_access_destroy(access);
out_close:
	if (client_end >= 0)
		close(client_end);
	iommufd_fd_handle_fini(&staccess->handle);
	free(staccess);
	return rc;
}

/* Mirrors iommufd_test_access_replace_ioas(). */
static int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd,
					    uint32_t access_fd, uint32_t ioas_id)
{
	struct selftest_access *staccess;
	int rc = 0;

	staccess = staccess_get(ucmd, access_fd, &rc);
	if (!staccess)
		return rc;
	return iommufd_access_replace(staccess->access, ioas_id);
}

/* __iommufd_test_syz_conv_iova(): syzkaller names an area by index. */
static uint64_t syz_conv_iova(struct iommufd_access *access, uint64_t iova)
{
	uint32_t nth = (uint32_t)iova, offset = (uint32_t)(iova >> 32);
	struct iopt_area *area;

	if (!access->ioas)
		return 0;
	for (area = iopt_area_iter_first(&access->ioas->iopt, 0, IOPT_IOVA_MAX);
	     area; area = iopt_area_iter_next(area, 0, IOPT_IOVA_MAX)) {
		if (nth == 0)
			return iopt_area_iova(area) + offset;
		nth--;
	}
	return 0;
}

/*
 * iommufd_test_check_pages(): the kernel checks that the pinned pages are
 * the pages at uptr.  Page frames are not visible to a daemon; it checks
 * that the pinned memory holds the bytes at uptr, which is what a device
 * reading the pin would see.
 */
static int staccess_check_pages(struct iommufd_ucmd *ucmd,
				struct iommufd_access *access, uint64_t iova,
				uint64_t length, uint64_t uptr)
{
	uint8_t *ubuf = malloc(ACCESS_CHUNK), *pbuf = malloc(ACCESS_CHUNK);
	int rc = 0;

	if (!ubuf || !pbuf) {
		rc = -ENOMEM;
		goto out;
	}
	while (length) {
		uint64_t n = length < ACCESS_CHUNK ? length : ACCESS_CHUNK;

		rc = ucmd_copy_from_user(ucmd, ubuf, uptr, n);
		if (rc)
			goto out;
		/* The pin checked the protection; a write-only pin is read too. */
		rc = iommufd_access_rw(access, iova, pbuf, n,
				       IOMMUFD_ACCESS_RW_PINNED_READ);
		if (rc)
			goto out;
		if (memcmp(ubuf, pbuf, n)) {
			rc = -EBADE;
			goto out;
		}
		iova += n;
		uptr += n;
		length -= n;
	}
out:
	free(ubuf);
	free(pbuf);
	return rc;
}

/* Mirrors iommufd_test_access_pages(). */
static int iommufd_test_access_pages(struct iommufd_ucmd *ucmd,
				     uint32_t access_fd, uint64_t iova,
				     uint64_t length, uint64_t uptr,
				     uint32_t flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	int rc = 0;

	if (length > ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = staccess_get(ucmd, access_fd, &rc);
	if (!staccess)
		return rc;
	if (staccess->access->ops != &selftest_access_ops_pin)
		return -EOPNOTSUPP;
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = syz_conv_iova(staccess->access, cmd->access_pages.iova);

	rc = iommufd_access_pin_pages(staccess->access, iova, length,
				      flags & MOCK_FLAGS_ACCESS_WRITE);
	if (rc)
		return rc;
	/* For syzkaller a NULL uptr skips the check. */
	if (uptr) {
		rc = staccess_check_pages(ucmd, staccess->access, iova, length,
					  uptr);
		if (rc)
			goto out_unaccess;
	}
	if (staccess->nr_items >= ACCESS_MAX_ITEMS) {
		rc = -ENOMEM;
		goto out_unaccess;
	}
	item = calloc(1, sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto out_unaccess;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		free(item);
		goto out_unaccess;
	}
	/* The kernel's list_add_tail(): unmap walks oldest first. */
	{
		struct selftest_access_item **pp = &staccess->items;

		while (*pp)
			pp = &(*pp)->next;
		*pp = item;
		staccess->nr_items++;
	}
	return 0;

out_unaccess:
	iommufd_access_unpin_pages(staccess->access, iova, length);
	return rc;
}

/* Mirrors iommufd_test_access_rw(). */
static int iommufd_test_access_rw(struct iommufd_ucmd *ucmd,
				  uint32_t access_fd, uint64_t iova,
				  uint64_t length, uint64_t ubuf, uint32_t flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;
	void *tmp;
	int rc = 0;

	if (length > ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = staccess_get(ucmd, access_fd, &rc);
	if (!staccess)
		return rc;
	tmp = calloc(1, length ? length : 1);
	if (!tmp)
		return -ENOMEM;
	if (flags & MOCK_ACCESS_RW_WRITE) {
		rc = ucmd_copy_from_user(ucmd, tmp, ubuf, length);
		if (rc)
			goto out_free;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = syz_conv_iova(staccess->access, cmd->access_rw.iova);
	rc = iommufd_access_rw(staccess->access, iova, tmp, length,
			       flags & (MOCK_ACCESS_RW_WRITE |
					MOCK_ACCESS_RW_SLOW_PATH));
	if (rc)
		goto out_free;
	if (!(flags & MOCK_ACCESS_RW_WRITE))
		rc = ucmd_copy_to_user(ucmd, ubuf, tmp, length);
out_free:
	free(tmp);
	return rc;
}

/* Mirrors iommufd_test_access_item_destroy(). */
static int iommufd_test_access_item_destroy(struct iommufd_ucmd *ucmd,
					    uint32_t access_fd, uint32_t item_id)
{
	struct selftest_access_item **pp, *item;
	struct selftest_access *staccess;
	int rc = 0;

	staccess = staccess_get(ucmd, access_fd, &rc);
	if (!staccess)
		return rc;
	for (pp = &staccess->items; (item = *pp); pp = &item->next) {
		if (item->id != item_id)
			continue;
		*pp = item->next;
		staccess->nr_items--;
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		free(item);
		return 0;
	}
	return -ENOENT;
}

int iommufd_test_access_op(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id,
						  cmd->create_access.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(
			ucmd, cmd->id, cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(
			ucmd, cmd->id, cmd->access_pages.iova,
			cmd->access_pages.length, cmd->access_pages.uptr,
			cmd->access_pages.flags);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(ucmd, cmd->id, cmd->access_rw.iova,
					      cmd->access_rw.length,
					      cmd->access_rw.uptr,
					      cmd->access_rw.flags);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(
			ucmd, cmd->id, cmd->destroy_access_pages.access_pages_id);
	default:
		return -EOPNOTSUPP;
	}
}

unsigned int iommufd_test_access_regions(const void *cmd,
					 struct ucmd_region *out)
{
	const struct iommu_test_cmd *c = cmd;

	/* Requests the handler refuses before touching memory need nothing. */
	if (c->op == IOMMU_TEST_OP_ACCESS_RW) {
		if (!c->access_rw.length ||
		    c->access_rw.length > ACCESS_MAX_LENGTH)
			return 0;
		out[0] = (struct ucmd_region){
			.uptr = c->access_rw.uptr,
			.len = c->access_rw.length,
			.dir = (c->access_rw.flags & MOCK_ACCESS_RW_WRITE) ?
				       UCMD_IN : UCMD_OUT,
		};
		return 1;
	}
	if (c->op == IOMMU_TEST_OP_ACCESS_PAGES) {
		if (!c->access_pages.uptr || !c->access_pages.length ||
		    c->access_pages.length > ACCESS_MAX_LENGTH)
			return 0;
		out[0] = (struct ucmd_region){
			.uptr = c->access_pages.uptr,
			.len = c->access_pages.length,
			.dir = UCMD_IN,
		};
		return 1;
	}
	return 0;
}
