// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every command the dispatcher knows, with the fields whose values the
 * fuzzer should not leave to chance (IDs, pointers, fds, IOVAs, lengths).
 * New entries go at the END of the table: an input names a command by its
 * index, so inserting one would change what the committed corpus means.
 */
#include "fuzz_cmds.h"

#include <stddef.h>
#include <string.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"

#define FLD(type, member, kind) { offsetof(type, member), kind }
#define TF(member, kind) FLD(struct iommu_test_cmd, member, kind)
#define TEST(_op, ...)                                                     \
	{ "TEST_" #_op, IOMMU_TEST_CMD, sizeof(struct iommu_test_cmd),     \
	  FC_TEST_OP, IOMMU_TEST_OP_##_op, { __VA_ARGS__ } }
/* The access ops name the access by its fd (create_access's out fd). */
#define TEST_ID TF(id, FK_ID)
#define TEST_ACCESS TF(id, FK_FD)

const struct fuzz_cmd fuzz_cmds[] = {
	{ "DESTROY", IOMMU_DESTROY, sizeof(struct iommu_destroy), 0, 0,
	  { FLD(struct iommu_destroy, id, FK_ID) } },
	{ "IOAS_ALLOC", IOMMU_IOAS_ALLOC, sizeof(struct iommu_ioas_alloc), 0, 0,
	  { FLD(struct iommu_ioas_alloc, out_ioas_id, FK_OUT_ID) } },
	{ "IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES,
	  sizeof(struct iommu_ioas_iova_ranges), 0, 0,
	  { FLD(struct iommu_ioas_iova_ranges, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_iova_ranges, allowed_iovas, FK_PTR) } },
	{ "OPTION", IOMMU_OPTION, sizeof(struct iommu_option), 0, 0,
	  { FLD(struct iommu_option, object_id, FK_ID) } },
	{ "IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS,
	  sizeof(struct iommu_ioas_allow_iovas), 0, 0,
	  { FLD(struct iommu_ioas_allow_iovas, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_allow_iovas, allowed_iovas, FK_PTR) } },
	{ "IOAS_COPY", IOMMU_IOAS_COPY, sizeof(struct iommu_ioas_copy), 0, 0,
	  { FLD(struct iommu_ioas_copy, dst_ioas_id, FK_ID),
	    FLD(struct iommu_ioas_copy, src_ioas_id, FK_ID),
	    FLD(struct iommu_ioas_copy, length, FK_LEN),
	    FLD(struct iommu_ioas_copy, dst_iova, FK_IOVA),
	    FLD(struct iommu_ioas_copy, src_iova, FK_IOVA) } },
	{ "IOAS_MAP", IOMMU_IOAS_MAP, sizeof(struct iommu_ioas_map), 0, 0,
	  { FLD(struct iommu_ioas_map, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_map, user_va, FK_PTR),
	    FLD(struct iommu_ioas_map, length, FK_ULEN),
	    FLD(struct iommu_ioas_map, iova, FK_IOVA) } },
	{ "IOAS_MAP_FILE", IOMMU_IOAS_MAP_FILE,
	  sizeof(struct iommu_ioas_map_file), 0, 0,
	  { FLD(struct iommu_ioas_map_file, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_map_file, fd, FK_FD),
	    FLD(struct iommu_ioas_map_file, start, FK_LEN),
	    FLD(struct iommu_ioas_map_file, length, FK_LEN),
	    FLD(struct iommu_ioas_map_file, iova, FK_IOVA) } },
	{ "IOAS_UNMAP", IOMMU_IOAS_UNMAP, sizeof(struct iommu_ioas_unmap), 0, 0,
	  { FLD(struct iommu_ioas_unmap, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_unmap, iova, FK_IOVA),
	    FLD(struct iommu_ioas_unmap, length, FK_LEN) } },
	{ "IOAS_CHANGE_PROCESS", IOMMU_IOAS_CHANGE_PROCESS,
	  sizeof(struct iommu_ioas_change_process), 0, 0, { { 0, 0 } } },
	{ "VFIO_IOAS", IOMMU_VFIO_IOAS, sizeof(struct iommu_vfio_ioas), 0, 0,
	  { FLD(struct iommu_vfio_ioas, ioas_id, FK_ID) } },
	{ "HWPT_ALLOC", IOMMU_HWPT_ALLOC, sizeof(struct iommu_hwpt_alloc), 0, 0,
	  { FLD(struct iommu_hwpt_alloc, dev_id, FK_ID),
	    FLD(struct iommu_hwpt_alloc, pt_id, FK_ID),
	    FLD(struct iommu_hwpt_alloc, out_hwpt_id, FK_OUT_ID),
	    FLD(struct iommu_hwpt_alloc, data_uptr, FK_PTR),
	    FLD(struct iommu_hwpt_alloc, fault_id, FK_ID) } },
	{ "GET_HW_INFO", IOMMU_GET_HW_INFO, sizeof(struct iommu_hw_info), 0, 0,
	  { FLD(struct iommu_hw_info, dev_id, FK_ID),
	    FLD(struct iommu_hw_info, data_uptr, FK_PTR) } },
	{ "HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING,
	  sizeof(struct iommu_hwpt_set_dirty_tracking), 0, 0,
	  { FLD(struct iommu_hwpt_set_dirty_tracking, hwpt_id, FK_ID) } },
	{ "HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP,
	  sizeof(struct iommu_hwpt_get_dirty_bitmap), 0, 0,
	  { FLD(struct iommu_hwpt_get_dirty_bitmap, hwpt_id, FK_ID),
	    FLD(struct iommu_hwpt_get_dirty_bitmap, iova, FK_IOVA),
	    FLD(struct iommu_hwpt_get_dirty_bitmap, length, FK_LEN),
	    FLD(struct iommu_hwpt_get_dirty_bitmap, data, FK_PTR) } },
	{ "HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE,
	  sizeof(struct iommu_hwpt_invalidate), 0, 0,
	  { FLD(struct iommu_hwpt_invalidate, hwpt_id, FK_ID),
	    FLD(struct iommu_hwpt_invalidate, data_uptr, FK_PTR) } },
	{ "FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC,
	  sizeof(struct iommu_fault_alloc), 0, 0,
	  { FLD(struct iommu_fault_alloc, out_fault_id, FK_OUT_ID),
	    FLD(struct iommu_fault_alloc, out_fault_fd, FK_OUT_FD) } },
	{ "VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC, sizeof(struct iommu_viommu_alloc),
	  0, 0,
	  { FLD(struct iommu_viommu_alloc, dev_id, FK_ID),
	    FLD(struct iommu_viommu_alloc, hwpt_id, FK_ID),
	    FLD(struct iommu_viommu_alloc, out_viommu_id, FK_OUT_ID),
	    FLD(struct iommu_viommu_alloc, data_uptr, FK_PTR) } },
	{ "VDEVICE_ALLOC", IOMMU_VDEVICE_ALLOC,
	  sizeof(struct iommu_vdevice_alloc), 0, 0,
	  { FLD(struct iommu_vdevice_alloc, viommu_id, FK_ID),
	    FLD(struct iommu_vdevice_alloc, dev_id, FK_ID),
	    FLD(struct iommu_vdevice_alloc, out_vdevice_id, FK_OUT_ID) } },
	{ "VEVENTQ_ALLOC", IOMMU_VEVENTQ_ALLOC,
	  sizeof(struct iommu_veventq_alloc), 0, 0,
	  { FLD(struct iommu_veventq_alloc, viommu_id, FK_ID),
	    FLD(struct iommu_veventq_alloc, out_veventq_id, FK_OUT_ID),
	    FLD(struct iommu_veventq_alloc, out_veventq_fd, FK_OUT_FD) } },
	{ "HW_QUEUE_ALLOC", IOMMU_HW_QUEUE_ALLOC,
	  sizeof(struct iommu_hw_queue_alloc), 0, 0,
	  { FLD(struct iommu_hw_queue_alloc, viommu_id, FK_ID),
	    FLD(struct iommu_hw_queue_alloc, out_hw_queue_id, FK_OUT_ID),
	    FLD(struct iommu_hw_queue_alloc, nesting_parent_iova, FK_IOVA),
	    FLD(struct iommu_hw_queue_alloc, length, FK_LEN) } },
	{ "IOAS_NOIOMMU_GET_PA", IOMMU_IOAS_NOIOMMU_GET_PA,
	  sizeof(struct iommu_ioas_noiommu_get_pa), 0, 0,
	  { FLD(struct iommu_ioas_noiommu_get_pa, ioas_id, FK_ID),
	    FLD(struct iommu_ioas_noiommu_get_pa, iova, FK_IOVA),
	    FLD(struct iommu_ioas_noiommu_get_pa, length, FK_LEN) } },

	/* IOMMU_TEST_CMD, one entry per op (and one with the op as given). */
	{ "TEST_RAW_OP", IOMMU_TEST_CMD, sizeof(struct iommu_test_cmd), 0, 0,
	  { TEST_ID } },
	TEST(ADD_RESERVED, TEST_ID, TF(add_reserved.start, FK_IOVA),
	     TF(add_reserved.length, FK_LEN)),
	TEST(MOCK_DOMAIN, TEST_ID, TF(mock_domain.out_stdev_id, FK_OUT_ID),
	     TF(mock_domain.out_hwpt_id, FK_OUT_ID),
	     TF(mock_domain.out_idev_id, FK_OUT_ID)),
	TEST(MD_CHECK_MAP, TEST_ID, TF(check_map.iova, FK_IOVA),
	     TF(check_map.length, FK_LEN), TF(check_map.uptr, FK_PTR)),
	TEST(MD_CHECK_REFS, TF(check_refs.length, FK_LEN),
	     TF(check_refs.uptr, FK_PTR)),
	TEST(CREATE_ACCESS, TEST_ID, TF(create_access.out_access_fd, FK_OUT_FD)),
	TEST(DESTROY_ACCESS_PAGES, TEST_ACCESS,
	     TF(destroy_access_pages.access_pages_id, FK_ID)),
	TEST(ACCESS_PAGES, TEST_ACCESS,
	     TF(access_pages.out_access_pages_id, FK_OUT_ID),
	     TF(access_pages.iova, FK_IOVA), TF(access_pages.length, FK_LEN),
	     TF(access_pages.uptr, FK_PTR)),
	TEST(ACCESS_RW, TEST_ACCESS, TF(access_rw.iova, FK_IOVA),
	     TF(access_rw.length, FK_LEN), TF(access_rw.uptr, FK_PTR)),
	TEST(SET_TEMP_MEMORY_LIMIT, { 0, 0 }),
	TEST(MOCK_DOMAIN_REPLACE, TEST_ID, TF(mock_domain_replace.pt_id, FK_ID)),
	TEST(ACCESS_REPLACE_IOAS, TEST_ACCESS,
	     TF(access_replace_ioas.ioas_id, FK_ID)),
	TEST(MOCK_DOMAIN_FLAGS, TEST_ID,
	     TF(mock_domain_flags.out_stdev_id, FK_OUT_ID),
	     TF(mock_domain_flags.out_hwpt_id, FK_OUT_ID),
	     TF(mock_domain_flags.out_idev_id, FK_OUT_ID)),
	TEST(DIRTY, TEST_ID, TF(dirty.iova, FK_IOVA), TF(dirty.length, FK_LEN),
	     TF(dirty.uptr, FK_PTR)),
	TEST(MD_CHECK_IOTLB, TEST_ID),
	TEST(TRIGGER_IOPF, TEST_ID, TF(trigger_iopf.dev_id, FK_ID)),
	TEST(DEV_CHECK_CACHE, TEST_ID),
	TEST(TRIGGER_VEVENT, TEST_ID, TF(trigger_vevent.dev_id, FK_ID)),
	TEST(PASID_ATTACH, TEST_ID, TF(pasid_attach.pt_id, FK_ID)),
	TEST(PASID_REPLACE, TEST_ID, TF(pasid_replace.pt_id, FK_ID)),
	TEST(PASID_DETACH, TEST_ID),
	TEST(PASID_CHECK_HWPT, TEST_ID, TF(pasid_check.hwpt_id, FK_ID)),
	{ "TEST_DMABUF_GET", IOMMU_TEST_CMD, sizeof(struct iommu_test_cmd),
	  FC_TEST_OP | FC_RET_FD, IOMMU_TEST_OP_DMABUF_GET, { TEST_ID } },
	TEST(DMABUF_REVOKE, TF(dmabuf_revoke.dmabuf_fd, FK_FD)),

	/* The VFIO type1 container ioctls (daemon/vfio/vfio_compat.c). */
	{ "VFIO_GET_API_VERSION", VFIO_GET_API_VERSION, 8, FC_ARG_INT, 0,
	  { { 0, 0 } } },
	{ "VFIO_CHECK_EXTENSION", VFIO_CHECK_EXTENSION, 8, FC_ARG_INT, 0,
	  { { 0, 0 } } },
	{ "VFIO_SET_IOMMU", VFIO_SET_IOMMU, 8, FC_ARG_INT, 0, { { 0, 0 } } },
	{ "VFIO_IOMMU_GET_INFO", VFIO_IOMMU_GET_INFO, 256, FC_VFIO_ARGSZ, 0,
	  { { 0, 0 } } },
	{ "VFIO_IOMMU_MAP_DMA", VFIO_IOMMU_MAP_DMA,
	  sizeof(struct vfio_iommu_type1_dma_map), FC_VFIO_ARGSZ, 0,
	  { FLD(struct vfio_iommu_type1_dma_map, vaddr, FK_PTR),
	    FLD(struct vfio_iommu_type1_dma_map, iova, FK_IOVA),
	    FLD(struct vfio_iommu_type1_dma_map, size, FK_ULEN) } },
	{ "VFIO_IOMMU_UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA,
	  sizeof(struct vfio_iommu_type1_dma_unmap) + 24, FC_VFIO_ARGSZ, 0,
	  { FLD(struct vfio_iommu_type1_dma_unmap, iova, FK_IOVA),
	    FLD(struct vfio_iommu_type1_dma_unmap, size, FK_LEN) } },
	{ "VFIO_IOMMU_DIRTY_PAGES", VFIO_IOMMU_DIRTY_PAGES, 48, FC_VFIO_ARGSZ,
	  0, { { 0, 0 } } },
	/* Any number at all: unknown commands, wrong types and directions. */
	{ "RAW_CMD", 0, 64, FC_RAW_CMD, 0, { { 0, 0 } } },

	/* The harness's actions. */
	{ "REOPEN", 0, 0, FC_PSEUDO, FP_REOPEN, { { 0, 0 } } },
	{ "REMAP_PRIVATE", 0, 0, FC_PSEUDO, FP_REMAP_PRIVATE, { { 0, 0 } } },
	{ "TRUNCATE_MEMFD", 0, 0, FC_PSEUDO, FP_TRUNCATE_MEMFD, { { 0, 0 } } },
	/* Arrays behind pointers: IOVA ranges, driver data, bitmaps. */
	{ "FILL", 0, 64, FC_PSEUDO, FP_FILL, { { 0, 0 } } },

	/*
	 * The VFIO device ABI (daemon/vfio/device_*.c): sent to one of the
	 * input's open files of its served edu device (FC_DEVICE), not to an
	 * iommufd context.  New entries still go after every one above.
	 */
	{ "DEV_BIND_IOMMUFD", VFIO_DEVICE_BIND_IOMMUFD,
	  sizeof(struct vfio_device_bind_iommufd), FC_DEVICE | FC_VFIO_ARGSZ, 0,
	  { FLD(struct vfio_device_bind_iommufd, iommufd, FK_IOMMUFD),
	    FLD(struct vfio_device_bind_iommufd, out_devid, FK_OUT_ID),
	    FLD(struct vfio_device_bind_iommufd, token_uuid_ptr, FK_PTR) } },
	{ "DEV_ATTACH_PT", VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	  sizeof(struct vfio_device_attach_iommufd_pt), FC_DEVICE | FC_VFIO_ARGSZ,
	  0, { FLD(struct vfio_device_attach_iommufd_pt, pt_id, FK_ID) } },
	{ "DEV_DETACH_PT", VFIO_DEVICE_DETACH_IOMMUFD_PT,
	  sizeof(struct vfio_device_detach_iommufd_pt), FC_DEVICE | FC_VFIO_ARGSZ,
	  0, { { 0, 0 } } },
	{ "DEV_GET_INFO", VFIO_DEVICE_GET_INFO, 64, FC_DEVICE | FC_VFIO_ARGSZ, 0,
	  { { 0, 0 } } },
	{ "DEV_GET_REGION_INFO", VFIO_DEVICE_GET_REGION_INFO, 64,
	  FC_DEVICE | FC_VFIO_ARGSZ, 0, { { 0, 0 } } },
	{ "DEV_GET_IRQ_INFO", VFIO_DEVICE_GET_IRQ_INFO,
	  sizeof(struct vfio_irq_info), FC_DEVICE | FC_VFIO_ARGSZ, 0,
	  { { 0, 0 } } },
	/* Up to four eventfds (or bools, as the flags say) after the header. */
	{ "DEV_SET_IRQS", VFIO_DEVICE_SET_IRQS, sizeof(struct vfio_irq_set) + 16,
	  FC_DEVICE | FC_VFIO_ARGSZ, 0,
	  { FLD(struct vfio_irq_set, data, FK_EVENTFD),
	    { sizeof(struct vfio_irq_set) + 4, FK_EVENTFD },
	    { sizeof(struct vfio_irq_set) + 8, FK_EVENTFD },
	    { sizeof(struct vfio_irq_set) + 12, FK_EVENTFD } } },
	{ "DEV_RESET", VFIO_DEVICE_RESET, 8, FC_DEVICE | FC_ARG_INT, 0,
	  { { 0, 0 } } },
	{ "DEV_FEATURE", VFIO_DEVICE_FEATURE, 64, FC_DEVICE | FC_VFIO_ARGSZ, 0,
	  { { 0, 0 } } },
	/* Any command number at all on the device file. */
	{ "DEV_RAW_CMD", 0, 64, FC_DEVICE | FC_RAW_CMD, 0, { { 0, 0 } } },
	/* The harness's device actions (fuzz_dispatch.c, dev_pseudo()). */
	{ "DEV_OPEN", 0, 0, FC_PSEUDO, FP_DEV_OPEN, { { 0, 0 } } },
	{ "DEV_CLOSE", 0, 0, FC_PSEUDO, FP_DEV_CLOSE, { { 0, 0 } } },
	{ "DEV_RW", 0, sizeof(struct fuzz_dev_rw), FC_PSEUDO, FP_DEV_RW,
	  { { 0, 0 } } },
};

const unsigned int fuzz_nr_cmds = sizeof(fuzz_cmds) / sizeof(fuzz_cmds[0]);

int fuzz_cmd_index(const char *name)
{
	for (unsigned int i = 0; i < fuzz_nr_cmds; i++)
		if (!strcmp(fuzz_cmds[i].name, name))
			return (int)i;
	return -1;
}

unsigned int fuzz_nr_fields(const struct fuzz_cmd *c)
{
	unsigned int n = 0;

	while (n < FUZZ_MAX_FIELDS && c->f[n].kind != FK_NONE)
		n++;
	return n;
}
