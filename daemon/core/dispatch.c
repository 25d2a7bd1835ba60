// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ioctl table and its generic prologue; mirrors iommufd_fops_ioctl() in
 * the kernel's drivers/iommu/iommufd/main.c.
 *
 * The ABI rules live here once, so that handlers never repeat them:
 *  - _IOC_NR outside the table goes to the VFIO container ioctls;
 *  - inside it, the size word is read first (EFAULT when unreadable), then an
 *    empty slot or a wrong type/direction is ENOTTY;
 *  - a size below the command's minimum is EINVAL;
 *  - the struct is copied zero-extended, and bytes past what we know must be
 *    zero (E2BIG).
 * The table's length is part of the ABI: the kernel's ends at the last entry
 * it has, which is IOMMU_TEST_CMD only when built with CONFIG_IOMMUFD_TEST.
 * It follows v7.3, whose last command is IOMMU_IOAS_NOIOMMU_GET_PA (0x95);
 * a v6.19 program never sends 0x95, so it sees no difference.
 */
#include "core/iommufd_private.h"

#include <string.h>

#include "core/device.h"
#include "core/eventq.h"
#include "core/fd_handle.h"
#include "core/hw_pagetable.h"
#include "core/ioas.h"
#include "core/viommu.h"
#include "fault/fault.h"

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
	/* Caller memory behind pointers in the struct, for prefetching. */
	unsigned int (*regions)(const void *cmd, struct ucmd_region *out);
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last, _regions)                    \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                           \
		.size = sizeof(_struct),                                   \
		.min_size = offsetofend(_struct, _last),                   \
		.ioctl_num = _ioctl,                                       \
		.execute = _fn,                                            \
		.regions = _regions,                                       \
	}

static unsigned int iova_ranges_regions(const void *cmd,
					struct ucmd_region *out)
{
	const struct iommu_ioas_iova_ranges *c = cmd;

	if (!c->num_iovas)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->allowed_iovas,
		.len = (uint64_t)c->num_iovas * sizeof(struct iommu_iova_range),
		.dir = UCMD_OUT,
	};
	return 1;
}

static unsigned int allow_iovas_regions(const void *cmd,
					struct ucmd_region *out)
{
	const struct iommu_ioas_allow_iovas *c = cmd;

	if (!c->num_iovas)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->allowed_iovas,
		.len = (uint64_t)c->num_iovas * sizeof(struct iommu_iova_range),
		.dir = UCMD_IN,
	};
	return 1;
}

/* MD_CHECK_MAP and the access ops touch caller bytes; the rest do not. */
static unsigned int test_cmd_regions(const void *cmd, struct ucmd_region *out)
{
	const struct iommu_test_cmd *c = cmd;

	if (c->op == IOMMU_TEST_OP_ACCESS_RW || c->op == IOMMU_TEST_OP_ACCESS_PAGES)
		return iommufd_test_access_regions(cmd, out);
	if (c->op != IOMMU_TEST_OP_MD_CHECK_MAP || !c->check_map.length)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->check_map.uptr,
		.len = c->check_map.length,
		.dir = UCMD_IN,
	};
	return 1;
}

/* HWPT_ALLOC reads the driver data (the selftest struct: 8 bytes at most). */
static unsigned int hwpt_alloc_regions(const void *cmd, struct ucmd_region *out)
{
	const struct iommu_hwpt_alloc *c = cmd;

	if (!c->data_len)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->data_uptr, .len = c->data_len, .dir = UCMD_IN,
	};
	return 1;
}

/* GET_HW_INFO writes data_len bytes: the info, then zeroes. */
static unsigned int hw_info_regions(const void *cmd, struct ucmd_region *out)
{
	const struct iommu_hw_info *c = cmd;

	if (!c->data_len)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->data_uptr, .len = c->data_len, .dir = UCMD_OUT,
	};
	return 1;
}

/* HWPT_INVALIDATE reads the records (and updates nothing in them). */
static unsigned int hwpt_invalidate_regions(const void *cmd,
					    struct ucmd_region *out)
{
	const struct iommu_hwpt_invalidate *c = cmd;

	if (!c->entry_num || !c->entry_len || !c->data_uptr)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->data_uptr,
		.len = (uint64_t)c->entry_num * c->entry_len,
		.dir = UCMD_IN,
	};
	return 1;
}

/* GET_DIRTY_BITMAP read-modify-writes the bitmap of length / page_size bits. */
static unsigned int dirty_bitmap_regions(const void *cmd,
					 struct ucmd_region *out)
{
	const struct iommu_hwpt_get_dirty_bitmap *c = cmd;
	uint64_t bits;

	if (!c->page_size || !c->length)
		return 0;
	bits = c->length / c->page_size;
	out[0] = (struct ucmd_region){
		.uptr = c->data, .len = (bits + 7) / 8, .dir = UCMD_IN | UCMD_OUT,
	};
	return 1;
}

/* VIOMMU_ALLOC reads and writes back the driver data. */
static unsigned int viommu_alloc_regions(const void *cmd,
					 struct ucmd_region *out)
{
	const struct iommu_viommu_alloc *c = cmd;

	if (!c->data_len)
		return 0;
	out[0] = (struct ucmd_region){
		.uptr = c->data_uptr, .len = c->data_len,
		.dir = UCMD_IN | UCMD_OUT,
	};
	return 1;
}

/*
 * Commands the daemon does not implement yet have no slot: they answer
 * ENOTTY exactly like an unknown number, never a made-up success.
 */
static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy, struct iommu_destroy, id, NULL),
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id, NULL),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
		 struct iommu_ioas_iova_ranges, out_iova_alignment,
		 iova_ranges_regions),
	IOCTL_OP(IOMMU_OPTION, iommufd_option, struct iommu_option, val64, NULL),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas,
		 struct iommu_ioas_allow_iovas, allowed_iovas,
		 allow_iovas_regions),
	IOCTL_OP(IOMMU_IOAS_COPY, iommufd_ioas_copy, struct iommu_ioas_copy,
		 src_iova, NULL),
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map, iova,
		 NULL),
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, iommufd_ioas_map_file,
		 struct iommu_ioas_map_file, iova, NULL),
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap,
		 length, NULL),
	IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, iommufd_ioas_change_process,
		 struct iommu_ioas_change_process, __reserved, NULL),
	IOCTL_OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas, struct iommu_vfio_ioas,
		 __reserved, NULL),
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc, struct iommu_hwpt_alloc,
		 __reserved, hwpt_alloc_regions),
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info, struct iommu_hw_info,
		 __reserved, hw_info_regions),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, iommufd_hwpt_set_dirty_tracking,
		 struct iommu_hwpt_set_dirty_tracking, __reserved, NULL),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, iommufd_hwpt_get_dirty_bitmap,
		 struct iommu_hwpt_get_dirty_bitmap, data, dirty_bitmap_regions),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate,
		 struct iommu_hwpt_invalidate, __reserved,
		 hwpt_invalidate_regions),
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc,
		 struct iommu_fault_alloc, out_fault_fd, NULL),
	IOCTL_OP(IOMMU_VIOMMU_ALLOC, iommufd_viommu_alloc_ioctl,
		 struct iommu_viommu_alloc, out_viommu_id, viommu_alloc_regions),
	IOCTL_OP(IOMMU_VDEVICE_ALLOC, iommufd_vdevice_alloc_ioctl,
		 struct iommu_vdevice_alloc, virt_id, NULL),
	IOCTL_OP(IOMMU_VEVENTQ_ALLOC, iommufd_veventq_alloc,
		 struct iommu_veventq_alloc, out_veventq_fd, NULL),
	IOCTL_OP(IOMMU_HW_QUEUE_ALLOC, iommufd_hw_queue_alloc_ioctl,
		 struct iommu_hw_queue_alloc, length, NULL),
	/* The last command of the v7.3 table fixes its length. */
	IOCTL_OP(IOMMU_IOAS_NOIOMMU_GET_PA, iommufd_ioas_noiommu_get_pa,
		 struct iommu_ioas_noiommu_get_pa, out_phys, NULL),
	/* Only reachable when the daemon runs with --test-interface. */
	IOCTL_OP(IOMMU_TEST_CMD, iommufd_test, struct iommu_test_cmd, last,
		 test_cmd_regions),
};

static unsigned int iommufd_table_len(const struct iommufd_daemon *d)
{
	if (d->test_interface)
		return ARRAY_SIZE(iommufd_ioctl_ops);
	return IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA - IOMMUFD_CMD_BASE + 1;
}

static const struct iommufd_ioctl_op *
iommufd_lookup_op(const struct iommufd_daemon *d, unsigned int cmd,
		  bool *in_table)
{
	unsigned int nr = _IOC_NR(cmd);

	*in_table = nr >= IOMMUFD_CMD_BASE &&
		    nr - IOMMUFD_CMD_BASE < iommufd_table_len(d);
	if (!*in_table)
		return NULL;
	return &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
}

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len)
{
	size_t len = ucmd->user_size < cmd_len ? ucmd->user_size : cmd_len;

	return ucmd_copy_to_user(ucmd, ucmd->ubuffer, ucmd->cmd, len);
}

static uint64_t ucmd_max_arg_bytes(const struct iommufd_ucmd *ucmd)
{
	return ucmd->ictx ? ucmd->ictx->daemon->max_arg_bytes :
			    IOMMUFD_DEFAULT_MAX_ARG_BYTES;
}

/* The tail is read this much at a time: 256 reads for the default bound. */
#define UCMD_TAIL_CHUNK (64u * 1024)

/* 0 if [uptr, uptr + len) is all zero, -E2BIG if not, -EFAULT if unreadable. */
static int ucmd_check_zeroed(struct iommufd_ucmd *ucmd, uint8_t *buf,
			     uint64_t uptr, size_t len)
{
	int rc = ucmd_copy_from_user(ucmd, buf, uptr, len);

	if (rc)
		return rc;
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return -E2BIG;
	return 0;
}

int ucmd_copy_struct_from_user(struct iommufd_ucmd *ucmd, void *dst,
			       size_t ksize, uint64_t src, size_t usize)
{
	size_t size = usize < ksize ? usize : ksize;
	uint8_t chunk[UCMD_TAIL_CHUNK];
	int rc;

	/*
	 * Differs from the kernel, which reads any tail to its end: usize can
	 * be 4 GiB, and every read of it is the daemon's time, not the
	 * caller's.  Beyond the bound the answer is E2BIG unread.
	 */
	if (usize > ksize && usize - ksize > ucmd_max_arg_bytes(ucmd))
		return -E2BIG;
	if (usize < ksize)
		memset((char *)dst + usize, 0, ksize - usize);
	rc = ucmd_copy_from_user(ucmd, dst, src, size);
	if (rc)
		return rc;
	/*
	 * Large chunks keep a long zero tail cheap.  A chunk that faults is
	 * read again a page at a time, so that, as in the kernel's
	 * check_zeroed_user(), a nonzero byte before the first unreadable
	 * page is E2BIG and only a fault reached first is EFAULT.
	 */
	for (uint64_t off = ksize; off < usize;) {
		uint64_t n = usize - off < UCMD_TAIL_CHUNK ? usize - off :
							     UCMD_TAIL_CHUNK;

		rc = ucmd_check_zeroed(ucmd, chunk, src + off, n);
		if (rc == -EFAULT) {
			for (uint64_t done = 0; done < n;) {
				uint64_t to_page = IOPT_PAGE_SIZE -
					(src + off + done) % IOPT_PAGE_SIZE;
				uint64_t m = n - done < to_page ? n - done : to_page;

				rc = ucmd_check_zeroed(ucmd, chunk,
						       src + off + done, m);
				if (rc)
					return rc;
				done += m;
			}
			/* Readable page by page after all (it changed): fine. */
		} else if (rc) {
			return rc;
		}
		off += n;
	}
	return 0;
}

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_option option;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy copy;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_ioas_change_process change_process;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate hwpt_invalidate;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
	struct iommu_ioas_noiommu_get_pa noiommu_get_pa;
	struct iommu_test_cmd test;
	uint64_t align;
};

static long iommufd_dispatch_locked(struct iommufd_ucmd *ucmd, unsigned int cmd)
{
	const struct iommufd_ioctl_op *op;
	union ucmd_buffer buf;
	bool in_table;
	int rc;

	op = iommufd_lookup_op(ucmd->ictx->daemon, cmd, &in_table);
	if (!in_table)
		return iommufd_vfio_ioctl(ucmd, cmd, ucmd->ubuffer);

	/* The size word and a struct of our size, in one access if we can. */
	if (ucmd->tr->prefetch && op->execute && op->ioctl_num == cmd)
		ucmd->tr->prefetch(ucmd, ucmd->ubuffer, op->size);
	rc = ucmd_copy_from_user(ucmd, &ucmd->user_size, ucmd->ubuffer,
				 sizeof(ucmd->user_size));
	if (rc)
		return rc;
	if (!op->execute || op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd->user_size < op->min_size)
		return -EINVAL;

	ucmd->cmd = &buf;
	rc = ucmd_copy_struct_from_user(ucmd, &buf, op->size, ucmd->ubuffer,
					ucmd->user_size);
	if (rc)
		return rc;
	return op->execute(ucmd);
}

long iommufd_dispatch(struct iommufd_ucmd *ucmd, unsigned int cmd)
{
	long rc;

	pthread_mutex_lock(&ucmd->ictx->lock);
	/* A close() of a handed-out fd happened before this ioctl. */
	if (ucmd->ictx->fd_handles)
		iommufd_fd_handles_reap(ucmd->ictx);
	rc = fault_dispatch(ucmd, cmd, iommufd_dispatch_locked);
	/*
	 * Keep the figures the status socket shows while this context is
	 * busy: a copy of counters kept as they change (stats.c).
	 */
	iommufd_ctx_figures_update(ucmd->ictx);
	pthread_mutex_unlock(&ucmd->ictx->lock);
	return rc;
}

const char *iommufd_cmd_name(unsigned int cmd)
{
	static const char *const names[] = {
		[IOMMUFD_CMD_DESTROY - IOMMUFD_CMD_BASE] = "DESTROY",
		[IOMMUFD_CMD_IOAS_ALLOC - IOMMUFD_CMD_BASE] = "IOAS_ALLOC",
		[IOMMUFD_CMD_IOAS_ALLOW_IOVAS - IOMMUFD_CMD_BASE] = "IOAS_ALLOW_IOVAS",
		[IOMMUFD_CMD_IOAS_COPY - IOMMUFD_CMD_BASE] = "IOAS_COPY",
		[IOMMUFD_CMD_IOAS_IOVA_RANGES - IOMMUFD_CMD_BASE] = "IOAS_IOVA_RANGES",
		[IOMMUFD_CMD_IOAS_MAP - IOMMUFD_CMD_BASE] = "IOAS_MAP",
		[IOMMUFD_CMD_IOAS_UNMAP - IOMMUFD_CMD_BASE] = "IOAS_UNMAP",
		[IOMMUFD_CMD_OPTION - IOMMUFD_CMD_BASE] = "OPTION",
		[IOMMUFD_CMD_VFIO_IOAS - IOMMUFD_CMD_BASE] = "VFIO_IOAS",
		[IOMMUFD_CMD_HWPT_ALLOC - IOMMUFD_CMD_BASE] = "HWPT_ALLOC",
		[IOMMUFD_CMD_GET_HW_INFO - IOMMUFD_CMD_BASE] = "GET_HW_INFO",
		[IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING - IOMMUFD_CMD_BASE] = "HWPT_SET_DIRTY_TRACKING",
		[IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP - IOMMUFD_CMD_BASE] = "HWPT_GET_DIRTY_BITMAP",
		[IOMMUFD_CMD_HWPT_INVALIDATE - IOMMUFD_CMD_BASE] = "HWPT_INVALIDATE",
		[IOMMUFD_CMD_FAULT_QUEUE_ALLOC - IOMMUFD_CMD_BASE] = "FAULT_QUEUE_ALLOC",
		[IOMMUFD_CMD_IOAS_MAP_FILE - IOMMUFD_CMD_BASE] = "IOAS_MAP_FILE",
		[IOMMUFD_CMD_VIOMMU_ALLOC - IOMMUFD_CMD_BASE] = "VIOMMU_ALLOC",
		[IOMMUFD_CMD_VDEVICE_ALLOC - IOMMUFD_CMD_BASE] = "VDEVICE_ALLOC",
		[IOMMUFD_CMD_IOAS_CHANGE_PROCESS - IOMMUFD_CMD_BASE] = "IOAS_CHANGE_PROCESS",
		[IOMMUFD_CMD_VEVENTQ_ALLOC - IOMMUFD_CMD_BASE] = "VEVENTQ_ALLOC",
		[IOMMUFD_CMD_HW_QUEUE_ALLOC - IOMMUFD_CMD_BASE] = "HW_QUEUE_ALLOC",
		[IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA - IOMMUFD_CMD_BASE] =
			"IOAS_NOIOMMU_GET_PA",
		[_IOC_NR(IOMMU_TEST_CMD) - IOMMUFD_CMD_BASE] = "TEST_CMD",
	};
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) == IOMMUFD_TYPE && nr >= IOMMUFD_CMD_BASE &&
	    nr - IOMMUFD_CMD_BASE < ARRAY_SIZE(names) &&
	    names[nr - IOMMUFD_CMD_BASE])
		return names[nr - IOMMUFD_CMD_BASE];
	return iommufd_vfio_cmd_name(cmd);
}

int iommufd_dispatch_plan(struct iommufd_daemon *d, unsigned int cmd,
			  const void *head, size_t head_len,
			  struct ucmd_plan *plan)
{
	const struct iommufd_ioctl_op *op;
	union ucmd_buffer buf;
	uint32_t user_size;
	bool in_table;

	memset(plan, 0, sizeof(*plan));
	op = iommufd_lookup_op(d, cmd, &in_table);
	if (!in_table)
		return iommufd_vfio_plan(cmd, head, head_len, plan);
	if (head_len < sizeof(user_size)) {
		plan->struct_len = sizeof(user_size);
		return 0;
	}
	memcpy(&user_size, head, sizeof(user_size));
	if (!op->execute || op->ioctl_num != cmd || user_size < op->min_size)
		return 1;
	plan->struct_len = user_size;
	if (!op->regions || head_len < (user_size < op->size ? user_size : op->size))
		return 0;
	memset(&buf, 0, sizeof(buf));
	memcpy(&buf, head, user_size < op->size ? user_size : op->size);
	plan->nr_regions = op->regions(&buf, plan->regions);
	return 0;
}
