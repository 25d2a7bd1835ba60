// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vIOMMU and vDEVICE objects; mirrors the kernel's
 * drivers/iommu/iommufd/viommu.c, with the mock vIOMMU of selftest.c
 * (mock_viommu_init(), mock_viommu_cache_invalidate()) inline.
 *
 * The mock vIOMMU's mmap window (out_mmap_offset/length in the selftest
 * payload) cannot be offered: a CUSE or FUSE node cannot hand the daemon's
 * pages to the caller's mmap of the iommufd.  The window is reported empty
 * (offset and length 0); the loopback of in_data to out_data is served.
 */
#include "core/viommu.h"

#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/hw_pagetable.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/* The kernel's kcalloc() ceiling (KMALLOC_MAX_SIZE, 4 MiB on x86-64). */
#define KMALLOC_MAX_SIZE ((size_t)4 << 20)

void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	if (viommu->hwpt)
		iommufd_object_put_user(&viommu->hwpt->common.obj);
	viommu->hwpt = NULL;
	free(viommu->vdevs);
	viommu->vdevs = NULL;
	viommu->nr_vdevs = viommu->cap_vdevs = 0;
}

/* __iommu_copy_struct_to_user(). */
static int iommu_copy_struct_to_user(const struct iommu_user_data *dst,
				     const void *src, size_t ksize,
				     size_t min_len, uint32_t type)
{
	if (dst->type != type)
		return -EINVAL;
	if (dst->len < min_len || dst->len > ksize)
		return -EINVAL;
	return ucmd_copy_to_user(dst->ucmd, dst->uptr, src, dst->len);
}

/* mock_viommu_init(): the payload's in_data comes back as out_data. */
static int mock_viommu_init(const struct iommu_user_data *user_data)
{
	struct iommu_viommu_selftest data;
	int rc;

	if (!user_data)
		return 0;
	rc = iommu_copy_struct_from_user(
		&data, sizeof(data),
		offsetofend(struct iommu_viommu_selftest, out_data), user_data,
		IOMMU_VIOMMU_TYPE_SELFTEST);
	if (rc)
		return rc;
	data.out_data = data.in_data;
	data.out_mmap_offset = 0;
	data.out_mmap_length = 0;
	return iommu_copy_struct_to_user(
		user_data, &data, sizeof(data),
		offsetofend(struct iommu_viommu_selftest, out_data),
		IOMMU_VIOMMU_TYPE_SELFTEST);
}

/* Mirrors iommufd_viommu_alloc_ioctl(). */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct iommu_user_data user_data = {
		.ucmd = ucmd,
		.type = cmd->type,
		.uptr = cmd->data_uptr,
		.len = cmd->data_len,
	};
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	struct iommufd_device *idev;
	int rc = 0;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd, cmd->dev_id, &rc);
	if (!idev)
		return rc;
	/* mock_get_viommu_size(): the mock knows only its own type. */
	if (cmd->type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	obj = iommufd_get_object(ictx, cmd->hwpt_id, IOMMUFD_OBJ_HWPT_PAGING);
	if (!obj)
		return -ENOENT;
	hwpt_paging = to_hwpt_paging(iommufd_hwpt_from_obj(obj));
	if (!hwpt_paging->nest_parent)
		return -EINVAL;

	viommu = iommufd_object_alloc(ictx, viommu, IOMMUFD_OBJ_VIOMMU, &rc);
	if (!viommu)
		return rc;
	viommu->ictx = ictx;
	viommu->type = cmd->type;
	viommu->hwpt = hwpt_paging;
	iommufd_object_get_user(&hwpt_paging->common.obj);
	rc = mock_viommu_init(user_data.len ? &user_data : NULL);
	if (rc)
		goto out_abort;
	cmd->out_viommu_id = viommu->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ictx, &viommu->obj);
	return 0;
out_abort:
	iommufd_object_abort_and_destroy(ictx, &viommu->obj);
	return rc;
}

static int viommu_vdev_index(struct iommufd_viommu *viommu, uint64_t virt_id)
{
	for (unsigned int i = 0; i != viommu->nr_vdevs; i++)
		if (viommu->vdevs[i]->virt_id == virt_id)
			return (int)i;
	return -1;
}

struct iommufd_device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
					       uint64_t virt_id)
{
	int i = viommu_vdev_index(viommu, virt_id);

	return i < 0 ? NULL : viommu->vdevs[i]->idev;
}

int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu,
			       struct iommufd_device *idev, uint64_t *vdev_id)
{
	for (unsigned int i = 0; i != viommu->nr_vdevs; i++)
		if (viommu->vdevs[i]->idev == idev) {
			*vdev_id = viommu->vdevs[i]->virt_id;
			return 0;
		}
	return -ENOENT;
}

/* iommufd_vdevice_abort(): also the destroy, as nothing else is held. */
void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_viommu *viommu = vdev->viommu;
	int i;

	if (!viommu)
		return;
	i = viommu_vdev_index(viommu, vdev->virt_id);
	if (i >= 0 && viommu->vdevs[i] == vdev)
		viommu->vdevs[i] = viommu->vdevs[--viommu->nr_vdevs];
	iommufd_object_put_user(&viommu->obj);
	vdev->viommu = NULL;
	if (vdev->idev && vdev->idev->vdev == vdev)
		vdev->idev->vdev = NULL;
	vdev->idev = NULL;
}

/* Mirrors iommufd_vdevice_alloc_ioctl(). */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_viommu *viommu;
	struct iommufd_vdevice *vdev;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	int rc = 0;

	obj = iommufd_get_object(ictx, cmd->viommu_id, IOMMUFD_OBJ_VIOMMU);
	if (!obj)
		return -ENOENT;
	viommu = container_of(obj, struct iommufd_viommu, obj);
	idev = iommufd_get_device(ucmd, cmd->dev_id, &rc);
	if (!idev)
		return rc;
	if (idev->vdev)
		return -EEXIST;
	if (viommu->nr_vdevs == viommu->cap_vdevs) {
		unsigned int cap = viommu->cap_vdevs ? viommu->cap_vdevs * 2 : 4;
		struct iommufd_vdevice **grown;

		if (viommu->nr_vdevs >= IOMMUFD_VIOMMU_MAX_VDEVS)
			return -ENOMEM;
		grown = realloc(viommu->vdevs, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		viommu->vdevs = grown;
		viommu->cap_vdevs = cap;
	}

	vdev = iommufd_object_alloc(ictx, vdev, IOMMUFD_OBJ_VDEVICE, &rc);
	if (!vdev)
		return rc;
	/* The kernel's xa_cmpxchg() on the vIOMMU's table: one per virt_id. */
	if (viommu_vdev_index(viommu, cmd->virt_id) >= 0) {
		iommufd_object_abort(ictx, &vdev->obj);
		return -EEXIST;
	}
	vdev->virt_id = cmd->virt_id;
	vdev->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	vdev->idev = idev;
	idev->vdev = vdev;
	viommu->vdevs[viommu->nr_vdevs++] = vdev;

	cmd->out_vdevice_id = vdev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ictx, &vdev->obj);
		return rc;
	}
	iommufd_object_finalize(ictx, &vdev->obj);
	return 0;
}

/*
 * iommufd_device_remove_vdev() + iommufd_object_tombstone_user(): the
 * vDEVICE is destroyed and its ID stays taken, unusable (ENOENT), until
 * the file is closed.  The object itself stays as the ID's placeholder.
 */
void iommufd_device_remove_vdev(struct iommufd_device *idev)
{
	struct iommufd_vdevice *vdev = idev->vdev;

	if (!vdev)
		return;
	iommufd_vdevice_destroy(&vdev->obj);
	iommufd_object_uncount(idev->ictx, &vdev->obj);
	vdev->obj.type = IOMMUFD_OBJ_NONE;
	vdev->obj.finalized = false;
	vdev->obj.users = 1;
}

/* mock_viommu_cache_invalidate(): clears the named devices' caches. */
int iommufd_viommu_cache_invalidate(struct iommufd_ucmd *ucmd,
				    struct iommufd_viommu *viommu,
				    struct iommu_user_data_array *array)
{
	const size_t ksize = sizeof(struct iommu_viommu_invalidate_selftest);
	struct iommu_viommu_invalidate_selftest *cmds, *cur, *end;
	int rc = 0;

	/* A zero-length array checks the type only. */
	if (array->entry_num == 0 &&
	    array->type == IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	/* kcalloc() fails here, leaving entry_num as the caller gave it. */
	if ((size_t)array->entry_num > KMALLOC_MAX_SIZE / ksize)
		return -ENOMEM;
	cmds = calloc(array->entry_num ? array->entry_num : 1, ksize);
	if (!cmds)
		return -ENOMEM;
	cur = cmds;
	end = cmds + array->entry_num;

	/* iommu_copy_struct_from_full_user_array(). */
	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST ||
	    !array->entry_num) {
		rc = -EINVAL;
		goto out;
	}
	if (array->entry_len == ksize) {
		rc = ucmd_copy_from_user(ucmd, cmds, array->uptr,
					 (size_t)array->entry_num * ksize);
		if (rc)
			goto out;
	}
	for (uint32_t i = 0; array->entry_len != ksize && i != array->entry_num;
	     i++) {
		rc = ucmd_copy_struct_from_user(
			ucmd, &cmds[i], ksize,
			array->uptr + (uint64_t)array->entry_len * i,
			array->entry_len);
		if (rc)
			goto out;
	}

	for (; cur != end; cur++) {
		struct iommufd_device *idev;

		if (cur->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			goto out;
		}
		if (cur->cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			goto out;
		}
		idev = iommufd_viommu_find_dev(viommu, cur->vdev_id);
		if (!idev) {
			rc = -EINVAL;
			goto out;
		}
		if (cur->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(idev->cache, 0, sizeof(idev->cache));
		else
			idev->cache[cur->cache_id] = 0;
	}
out:
	array->entry_num = (uint32_t)(cur - cmds);
	free(cmds);
	return rc;
}
